package io.jsyd.runtime.trace;

/** One line of /proc/PID/maps: the range, its permissions and what backs it. */
public record Mapping(long start, long end, String perms, long inode, String path) {
    public boolean writable() {
        return perms.length() > 1 && perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.length() > 2 && perms.charAt(2) == 'x';
    }

    /** No file behind it (the heap, the stack and plain anonymous memory). */
    public boolean anonymous() {
        return inode == 0;
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    /**
     * Parses one line: {@code start-end perms offset dev inode [path]}. Split by hand
     * (whitespace runs, at most six fields, the path keeping its spaces): a regex
     * split compiles its pattern on every call, and the tracer parses lines at stops.
     */
    public static Mapping parse(String line) {
        String t = line.trim();
        String[] f = new String[6];
        int n = 0;
        int at = 0;
        while (at < t.length() && n < 6) {
            int end = n == 5 ? t.length() : at;
            while (end < t.length() && !space(t.charAt(end))) {
                end++;
            }
            f[n++] = t.substring(at, end);
            at = end;
            while (at < t.length() && space(t.charAt(at))) {
                at++;
            }
        }
        if (n < 5) {
            throw new IllegalArgumentException("not a maps line: " + line);
        }
        int dash = f[0].indexOf('-');
        return new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], Long.parseLong(f[4]),
                n > 5 ? f[5] : "");
    }

    /** The regex {@code \s}: space, tab, newline, vertical tab, form feed, carriage return. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
