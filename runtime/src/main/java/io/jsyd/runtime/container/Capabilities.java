package io.jsyd.runtime.container;

/** The five capability sets, each a bit mask indexed by capability number. */
public record Capabilities(long bounding, long effective, long permitted, long inheritable, long ambient) {
}
