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

    /** Parses one line: {@code start-end perms offset dev inode [path]}. */
    public static Mapping parse(String line) {
        String[] f = line.trim().split("\\s+", 6);
        if (f.length < 5) {
            throw new IllegalArgumentException("not a maps line: " + line);
        }
        int dash = f[0].indexOf('-');
        return new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], Long.parseLong(f[4]),
                f.length > 5 ? f[5] : "");
    }
}
