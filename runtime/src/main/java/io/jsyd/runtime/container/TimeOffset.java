package io.jsyd.runtime.container;

/** The offset of one clock (monotonic or boottime) in a new time namespace. */
public record TimeOffset(String clock, long seconds, long nanoseconds) {
}
