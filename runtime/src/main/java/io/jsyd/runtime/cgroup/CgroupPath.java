package io.jsyd.runtime.cgroup;

/**
 * Where the container's cgroup goes, with runc's meaning of linux.cgroupsPath:
 * an absolute path is taken from the root of each hierarchy, a relative one from
 * the cgroup this runtime runs in.
 */
public sealed interface CgroupPath {
    /** Lexically clean and never climbing above its start: "/a/b" when absolute, "a/b" when relative. */
    String path();

    record Absolute(String path) implements CgroupPath {
        public Absolute {
            path = clean(path);
        }
    }

    record Relative(String path) implements CgroupPath {
        public Relative {
            path = clean(path).substring(1);
            if (path.isEmpty()) {
                throw new IllegalArgumentException("a relative cgroup path must name a cgroup");
            }
        }
    }

    /** runc's cleaning: resolve . and .. as if rooted at /, so no path escapes its hierarchy. */
    static String clean(String path) {
        java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    static CgroupPath of(String path) {
        return path.startsWith("/") ? new Absolute(path) : new Relative(path);
    }
}
