package io.jsyd.runtime.container;

/** One setrlimit(2) call. */
public record Rlimit(String origin, int resource, long soft, long hard) {
}
