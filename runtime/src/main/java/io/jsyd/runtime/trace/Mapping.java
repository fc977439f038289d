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

    private static final byte[] STACK = {'[', 's', 't', 'a', 'c', 'k', ']'};

    /**
     * Whether the line of maps text {@code maps[0..length)} whose path is
     * {@code [stack]} is executable (false when there is none), as
     * {@code parse(line).executable()} would say, without making text of the maps.
     * Lines are looked at from the end, where the stack sits (the top of the address
     * space), and only a line that ends in "[stack]" is split into its fields: a file
     * whose name merely ends so is not the stack.
     */
    static boolean stackExecutable(byte[] maps, int length) {
        int lineEnd = Math.min(length, maps.length);
        while (lineEnd > 0) {
            if (maps[lineEnd - 1] == '\n') {
                lineEnd--;
                continue;
            }
            int lineStart = lineEnd - 1;
            while (lineStart > 0 && maps[lineStart - 1] != '\n') {
                lineStart--;
            }
            int end = lineEnd;
            while (end > lineStart && space((char) maps[end - 1])) {
                end--;
            }
            if (end - lineStart > STACK.length && isStack(maps, end - STACK.length)) {
                int perms = pathOf(maps, lineStart, end);
                if (perms >= 0) {
                    // the perms field has its x third ("r-xp"), as executable() reads it
                    return perms + 2 < end && !space((char) maps[perms + 1]) && maps[perms + 2] == 'x';
                }
            }
            lineEnd = lineStart;
        }
        return false;
    }

    /**
     * Where the perms field of the line {@code b[start..end)} begins when its path
     * (the text after the fifth field) is exactly "[stack]"; -1 otherwise.
     */
    private static int pathOf(byte[] b, int start, int end) {
        int at = start;
        int perms = -1;
        for (int field = 0; field < 5; field++) {
            while (at < end && space((char) b[at])) {
                at++;
            }
            if (field == 1) {
                perms = at;
            }
            while (at < end && !space((char) b[at])) {
                at++;
            }
        }
        while (at < end && space((char) b[at])) {
            at++;
        }
        return end - at == STACK.length && isStack(b, at) ? perms : -1;
    }

    /**
     * Whether "[stack]" is at {@code b[at..]}: a loop of this class's own rather than
     * Arrays.equals, which an exec would otherwise run interpreted until the JIT gets to it.
     */
    private static boolean isStack(byte[] b, int at) {
        for (int i = 0; i < STACK.length; i++) {
            if (b[at + i] != STACK[i]) {
                return false;
            }
        }
        return true;
    }

    /** The regex {@code \s}: space, tab, newline, vertical tab, form feed, carriage return. */
    private static boolean space(char c) {
        // tab, newline, vertical tab, form feed and carriage return are 9 to 13 (small enough to inline)
        return c == ' ' || c >= '\t' && c <= '\r';
    }
}
