package io.jsyd.oci.lifecycle;

import io.jsyd.oci.UsageException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * runc's `exec --cgroup`: the exec'd process goes into an existing sub-cgroup of
 * the container's instead of the container's own. {@code PATH} alone (one flag
 * only) applies to every hierarchy the container has, the cgroup2 one included;
 * {@code CONTROLLER[,CONTROLLER]:PATH} (repeatable) to those controllers' only,
 * the others keep the container's cgroup. PATH is relative to the container's
 * cgroup and must stay below it. The words of the errors are runc 1.1's
 * (exec.go getSubCgroupPaths, container_linux.go newSetnsProcess).
 */
final class ExecCgroups {
    private ExecCgroups() {
    }

    /**
     * The directory per hierarchy key ("" for cgroup2, else a controller) the process
     * joins: the container's {@code paths} (state.json's) with {@code args} applied.
     */
    static Map<String, Path> resolve(List<String> args, Map<String, String> paths) throws UsageException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        paths.forEach((k, v) -> dirs.put(k, Path.of(v)));
        if (args.isEmpty()) {
            return dirs;
        }
        Map<String, String> wanted = new LinkedHashMap<>();
        for (String c : args) {
            String[] cs = c.split(":", 3);
            if (cs.length > 2) {
                throw new UsageException("invalid --cgroup argument: " + c);
            }
            if (cs.length == 1) {
                if (args.size() != 1) {
                    throw new UsageException("invalid --cgroup argument: " + c + " (missing <controller>: prefix)");
                }
                wanted.put("", c);
            } else {
                for (String controller : cs[0].split(",", -1)) {
                    wanted.put(controller, cs[1]);
                }
            }
        }
        if (wanted.containsKey("")) {
            String add = wanted.get("");
            for (Map.Entry<String, Path> e : dirs.entrySet()) {
                e.setValue(below(e.getValue(), add));
            }
        } else {
            for (Map.Entry<String, String> w : wanted.entrySet()) {
                Path dir = dirs.get(w.getKey());
                if (dir == null) {
                    throw new UsageException("unknown controller " + w.getKey() + " in SubCgroupPaths");
                }
                dirs.put(w.getKey(), below(dir, w.getValue()));
            }
        }
        return dirs;
    }

    /** {@code add} below {@code dir}, as Go's path.Join cleans it; never above {@code dir}. */
    private static Path below(Path dir, String add) throws UsageException {
        Path sub = Path.of(dir + "/" + add).normalize();
        if (!sub.startsWith(dir)) {
            throw new UsageException(add + " is not a sub cgroup path");
        }
        return sub;
    }
}
