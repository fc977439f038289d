package io.jsyd.runtime.policy;

/** Ports {@code first} to {@code last}, both included. */
public record PortRange(int first, int last) {
    public PortRange {
        if (first < 0 || last > 65535 || first > last) {
            throw new IllegalArgumentException("expected ports in 0-65535 with first <= last, got "
                    + first + "-" + last);
        }
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    public String text() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
