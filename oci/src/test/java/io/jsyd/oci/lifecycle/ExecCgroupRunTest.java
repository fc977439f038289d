package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * `exec --cgroup` in a real container on this hybrid host (v1 controllers plus
 * cgroup2 at /sys/fs/cgroup/unified): the exec'd process's /proc/PID/cgroup, read
 * on the host, against the init's. A sub-cgroup that does not exist fails with
 * runc's words; delete removes the sub-cgroups with the container's.
 */
@Tag("root")
public class ExecCgroupRunTest {
    private static final String ID = "xc-" + Long.toHexString(System.nanoTime());

    @BeforeAll
    static void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static at /bin/busybox");
        Processes.becomeSubreaper();
    }

    /** /proc/PID/cgroup as controllers field -> path (cgroup2's field is ""). */
    private static Map<String, String> cgroups(int pid) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            m.put(f[1], f[2]);
        }
        return m;
    }

    /** `exec -d` of sleep with {@code flags}; returns its pid, or -1 with {@code failure} filled in. */
    private static int exec(Path dir, Path root, List<String> flags, StringBuilder failure) throws Exception {
        Path pidFile = dir.resolve("exec.pid");
        Files.deleteIfExists(pidFile);
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "exec", "-d", "--pid-file",
                pidFile.toString()));
        args.addAll(flags);
        args.addAll(List.of(ID, "sleep", "30"));
        Cli.Result r = Cli.run(dir, args.toArray(String[]::new));
        if (r.status() != 0) {
            failure.append(r.err());
            return -1;
        }
        return Integer.parseInt(Files.readString(pidFile).strip());
    }

    private static void end(int pid) {
        Processes.kill(pid, 9);
        Processes.waitFor(pid);
    }

    @Test
    void theExecdProcessGoesIntoTheSubCgroup(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        Path bundle = LifecycleTest.bundle(dir, "exec sleep 60");
        Cli.Result c = Cli.run(dir, "--root", root.toString(), "create", "-b", bundle.toString(), ID);
        assertEquals(0, c.status(), c.err());
        Set<Path> made = new LinkedHashSet<>();
        try {
            JsonNode state = SpecJson.mapper().readTree(Files.readString(root.resolve(ID).resolve("state.json")));
            int init = state.get("pid").asInt();
            Map<String, String> paths = new LinkedHashMap<>();
            state.get("cgroupPaths").properties().forEach(e -> paths.put(e.getKey(), e.getValue().asString()));
            assertTrue(paths.containsKey("") && paths.containsKey("memory") && paths.containsKey("pids"),
                    paths.toString());
            for (String d : new LinkedHashSet<>(paths.values())) {
                Path sub = Files.createDirectories(Path.of(d, "sub"));
                made.add(sub);
                // a v1 cpuset child takes no task before it has cpus and mems
                if (Files.exists(sub.resolve("cpuset.cpus"))) {
                    for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                        Files.writeString(sub.resolve(f), Files.readString(Path.of(d, f)).strip());
                    }
                }
            }
            Map<String, String> initCgroups = cgroups(init);

            // one path: every hierarchy of the container, cgroup2 included
            StringBuilder failure = new StringBuilder();
            int all = exec(dir, root, List.of("--cgroup", "sub"), failure);
            assertTrue(all > 0, failure.toString());
            Map<String, String> got = cgroups(all);
            end(all);
            for (Map.Entry<String, String> e : initCgroups.entrySet()) {
                boolean covered = List.of(e.getKey().split(",")).stream().anyMatch(paths::containsKey);
                assertEquals(covered ? e.getValue() + "/sub" : e.getValue(), got.get(e.getKey()), e.getKey());
            }
            assertEquals(initCgroups.get("") + "/sub", got.get(""));

            // controllers: only theirs, the others (cgroup2 too) stay the container's
            int some = exec(dir, root, List.of("--cgroup", "memory,pids:sub"), failure);
            assertTrue(some > 0, failure.toString());
            got = cgroups(some);
            end(some);
            for (Map.Entry<String, String> e : initCgroups.entrySet()) {
                boolean named = e.getKey().equals("memory") || e.getKey().equals("pids");
                assertEquals(named ? e.getValue() + "/sub" : e.getValue(), got.get(e.getKey()), e.getKey());
            }

            // without --cgroup: the container's own
            int plain = exec(dir, root, List.of(), failure);
            assertTrue(plain > 0, failure.toString());
            assertEquals(initCgroups, cgroups(plain));
            end(plain);

            // runc's words for a sub-cgroup that is not there, a controller the container
            // has no cgroup for, and a path outside its cgroup
            assertEquals(-1, exec(dir, root, List.of("--cgroup", "memory:nosuch"), failure));
            assertTrue(failure.toString().contains("error adding pid ") && failure.toString().contains(
                    ": openat2 " + paths.get("memory") + "/nosuch/cgroup.procs: no such file or directory"),
                    failure.toString());
            failure.setLength(0);
            assertEquals(-1, exec(dir, root, List.of("--cgroup", "bogus:sub"), failure));
            assertTrue(failure.toString().contains("unknown controller bogus in SubCgroupPaths"), failure.toString());
            failure.setLength(0);
            assertEquals(-1, exec(dir, root, List.of("--cgroup", "../sub"), failure));
            assertTrue(failure.toString().contains("../sub is not a sub cgroup path"), failure.toString());
            // nothing of the failed execs is left in the container's cgroup
            assertNotEquals("", Files.readString(Path.of(paths.get("memory"), "cgroup.procs")).strip());
            assertEquals(String.valueOf(init), Files.readString(Path.of(paths.get("memory"), "cgroup.procs")).strip());
        } finally {
            Cli.Result d = Cli.run(dir, "--root", root.toString(), "delete", "--force", ID);
            assertEquals(0, d.status(), d.err());
        }
        for (Path sub : made) {
            assertFalse(Files.exists(sub), sub + " is left");
        }
    }
}
