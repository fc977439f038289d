package io.jsyd.runtime.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What cgroup filesystems this host mounts and where this process sits in them:
 * cgroup v1 hierarchies (each with its controllers), the cgroup v2 hierarchy, or
 * both (the "hybrid" layout with cgroup2 at /sys/fs/cgroup/unified).
 *
 * @param hierarchies the v1 hierarchies, one mount each
 * @param unified     the v2 hierarchy, or null
 * @param own         this process's cgroup per hierarchy key (controller name, "name=x",
 *                    or "" for v2), from /proc/self/cgroup
 * @param hugePageSizes the huge page sizes as the hugetlb files name them ("2MB", "1GB")
 */
public record CgroupHost(List<Hierarchy> hierarchies, Hierarchy unified, Map<String, String> own,
                         List<String> hugePageSizes) {
    public static final String DEFAULT_ROOT = "/sys/fs/cgroup";

    public CgroupHost {
        hierarchies = List.copyOf(hierarchies);
        own = Map.copyOf(own);
        hugePageSizes = List.copyOf(hugePageSizes);
    }

    /**
     * One mounted hierarchy.
     *
     * @param root        the cgroup the mount shows as its top (not / inside a container)
     * @param controllers v1: its controllers and name=; v2: empty (read cgroup.controllers)
     */
    public record Hierarchy(Path mountPoint, String root, Set<String> controllers) {
        public Hierarchy {
            controllers = Set.copyOf(controllers);
        }

        boolean has(String controller) {
            return controllers.contains(controller);
        }
    }

    public enum Mode {
        /** cgroup2 only. */
        UNIFIED,
        /** v1 controllers plus a cgroup2 hierarchy beside them. */
        HYBRID,
        /** v1 only. */
        LEGACY,
        /** no cgroup filesystem mounted. */
        NONE
    }

    public Mode mode() {
        if (unified != null) {
            return hierarchies.isEmpty() ? Mode.UNIFIED : Mode.HYBRID;
        }
        return hierarchies.isEmpty() ? Mode.NONE : Mode.LEGACY;
    }

    /** The v1 hierarchy that has {@code controller} (or "name=systemd"), or null. */
    public Hierarchy hierarchyOf(String controller) {
        return hierarchies.stream().filter(h -> h.has(controller)).findFirst().orElse(null);
    }

    /** This process's cgroup in a hierarchy (the key of /proc/self/cgroup), "/" when unknown. */
    String ownCgroup(Hierarchy h) {
        if (h == unified) {
            return own.getOrDefault("", "/");
        }
        for (String c : h.controllers()) {
            String p = own.get(c);
            if (p != null) {
                return p;
            }
        }
        return "/";
    }

    public static CgroupHost system() {
        try {
            return system(Files.readAllLines(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/cgroup", e);
        }
    }

    /**
     * This host's mounts, with {@code procCgroup} (the lines of some process's
     * /proc/PID/cgroup, in this mount namespace) as the cgroups that relative
     * paths are placed below.
     */
    public static CgroupHost system(List<String> procCgroup) {
        try {
            List<String> sizes = new ArrayList<>();
            Path hp = Path.of("/sys/kernel/mm/hugepages");
            if (Files.isDirectory(hp)) {
                try (var s = Files.list(hp)) {
                    s.map(p -> pageSize(p.getFileName().toString())).filter(java.util.Objects::nonNull).sorted()
                            .forEach(sizes::add);
                }
            }
            return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")), procCgroup, sizes);
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/mountinfo", e);
        }
    }

    /**
     * Picks one mount per hierarchy, preferring those under /sys/fs/cgroup (bind
     * mounts of a hierarchy elsewhere show the same cgroups). A cgroup2 mount at
     * /sys/fs/cgroup itself makes the host unified, whatever else is mounted.
     */
    public static CgroupHost parse(List<String> mountInfo, List<String> procSelfCgroup, List<String> hugePageSizes) {
        List<Hierarchy> v1 = new ArrayList<>();
        Hierarchy v2 = null;
        Set<Set<String>> seen = new LinkedHashSet<>();
        List<String[]> cgroupMounts = new ArrayList<>();
        for (String line : mountInfo) {
            String[] f = line.split(" ");
            int sep = List.of(f).indexOf("-");
            if (sep < 6 || sep + 3 >= f.length) {
                continue;
            }
            String type = f[sep + 1];
            if (type.equals("cgroup") || type.equals("cgroup2")) {
                cgroupMounts.add(new String[] {unescape(f[4]), unescape(f[3]), type, f[sep + 3]});
            }
        }
        cgroupMounts.sort((a, b) -> Boolean.compare(!under(a[0]), !under(b[0])));
        for (String[] m : cgroupMounts) {
            if (m[2].equals("cgroup2")) {
                if (v2 == null || m[0].equals(DEFAULT_ROOT)) {
                    v2 = new Hierarchy(Path.of(m[0]), m[1], Set.of());
                }
                continue;
            }
            Set<String> controllers = new LinkedHashSet<>();
            for (String o : m[3].split(",")) {
                if (!o.equals("rw") && !o.equals("ro") && !o.equals("xattr") && !o.equals("clone_children")
                        && !o.equals("noprefix") && !o.startsWith("release_agent=") && !o.startsWith("cpuset_v2_mode")
                        && !o.isEmpty()) {
                    controllers.add(o);
                }
            }
            if (seen.add(controllers)) {
                v1.add(new Hierarchy(Path.of(m[0]), m[1], controllers));
            }
        }
        if (v2 != null && v2.mountPoint().toString().equals(DEFAULT_ROOT)) {
            v1.clear();
        }
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : procSelfCgroup) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[1].isEmpty()) {
                own.put("", f[2]);
            } else {
                for (String c : f[1].split(",")) {
                    own.put(c, f[2]);
                }
            }
        }
        return new CgroupHost(v1, v2, own, hugePageSizes);
    }

    /** "hugepages-2048kB" -> "2MB", as the hugetlb controller names its files. */
    static String pageSize(String dirName) {
        if (!dirName.startsWith("hugepages-") || !dirName.endsWith("kB")) {
            return null;
        }
        long kb;
        try {
            kb = Long.parseLong(dirName.substring("hugepages-".length(), dirName.length() - 2));
        } catch (NumberFormatException e) {
            return null;
        }
        if (kb >= 1 << 20) {
            return (kb >> 20) + "GB";
        }
        return kb >= 1 << 10 ? (kb >> 10) + "MB" : kb + "KB";
    }

    private static boolean under(String mountPoint) {
        return mountPoint.equals(DEFAULT_ROOT) || mountPoint.startsWith(DEFAULT_ROOT + "/");
    }

    /** mountinfo writes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
