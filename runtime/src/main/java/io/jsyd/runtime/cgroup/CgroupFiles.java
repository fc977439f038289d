package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes of cgroup files with errors that name the config field:
 * "linux.resources.memory.limit: write "1024" to /sys/fs/cgroup/c1/memory.max:
 * EBUSY (device or resource busy)".
 */
final class CgroupFiles {
    static final String FIELD_PREFIX = "linux.resources.";
    private final CgroupFs fs;

    CgroupFiles(CgroupFs fs) {
        this.fs = fs;
    }

    CgroupFs fs() {
        return fs;
    }

    /** Writes one value; {@code field} is the config field it comes from ("memory.limit"), or "" for housekeeping. */
    void write(Path dir, String file, String value, String field) {
        Path p = dir.resolve(file);
        try {
            fs.write(p, value);
        } catch (SyscallException e) {
            throw new CgroupException(label(field) + "write \"" + value.strip() + "\" to " + p + ": "
                    + Errno.describe(e.errno()), e);
        }
    }

    /** Like {@link #write}, but returns the errno instead of throwing when it is one of {@code tolerated}. */
    Errno tryWrite(Path dir, String file, String value, String field, Errno... tolerated) {
        try {
            fs.write(dir.resolve(file), value);
            return null;
        } catch (SyscallException e) {
            for (Errno t : tolerated) {
                if (e.is(t)) {
                    return t;
                }
            }
            throw new CgroupException(label(field) + "write \"" + value.strip() + "\" to " + dir.resolve(file) + ": "
                    + Errno.describe(e.errno()), e);
        }
    }

    String read(Path dir, String file) {
        Path p = dir.resolve(file);
        try {
            return fs.read(p);
        } catch (SyscallException e) {
            throw new CgroupException("read " + p + ": " + Errno.describe(e.errno()), e);
        }
    }

    /** The content, or null when the kernel does not offer the file. */
    String readIfExists(Path dir, String file) {
        Path p = dir.resolve(file);
        try {
            return fs.read(p);
        } catch (SyscallException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENODEV) || e.is(Errno.EOPNOTSUPP)) {
                return null;
            }
            throw new CgroupException("read " + p + ": " + Errno.describe(e.errno()), e);
        }
    }

    boolean exists(Path dir, String file) {
        return fs.exists(dir.resolve(file));
    }

    /** An unsigned counter file; "max" reads as 2^64-1 (as runc reports it), a missing file as 0. */
    long number(Path dir, String file) {
        String s = readIfExists(dir, file);
        return s == null ? 0 : parseUnsigned(s.strip());
    }

    static long parseUnsigned(String s) {
        if (s.equals("max")) {
            return -1L; // 2^64-1 as an unsigned long
        }
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            // v1 limits can read as large signed values; negative ones mean "none"
            return Long.parseLong(s);
        }
    }

    /** "key value" lines (memory.stat, cpu.stat, memory.events) as a map. */
    java.util.Map<String, Long> keyValues(Path dir, String file) {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        String s = readIfExists(dir, file);
        if (s == null) {
            return m;
        }
        for (String line : s.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 2) {
                try {
                    m.put(f[0], parseUnsigned(f[1]));
                } catch (NumberFormatException e) {
                    // a line that is not a counter (memory.numa_stat-like): not ours to report
                }
            }
        }
        return m;
    }

    /** The pids listed in a cgroup's cgroup.procs (none when it is gone). */
    List<Integer> procs(Path dir) {
        String s = readIfExists(dir, "cgroup.procs");
        List<Integer> pids = new ArrayList<>();
        if (s != null) {
            for (String line : s.split("\n")) {
                if (!line.isBlank()) {
                    pids.add(Integer.parseInt(line.strip()));
                }
            }
        }
        return pids;
    }

    /** The pids of a cgroup and of every cgroup below it. */
    List<Integer> allProcs(Path dir) {
        List<Integer> pids = new ArrayList<>(procs(dir));
        for (Path sub : fs.subdirectories(dir)) {
            pids.addAll(allProcs(sub));
        }
        return pids;
    }

    private static String label(String field) {
        return field.isEmpty() ? "" : FIELD_PREFIX + field + ": ";
    }
}
