package io.jsyd.runtime.policy;

/**
 * What a rule matches: a path glob (files, and UNIX socket names in the network
 * categories) or an IP network with ports. {@link #text()} is the canonical
 * spelling; two patterns with the same text match the same things, which is what
 * removing a rule ({@code -} and {@code ^}) compares.
 */
public sealed interface Pattern permits PathGlob, NetAddress {
    String text();
}
