package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jsyd.oci.UsageException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `exec --cgroup` values against a container's cgroup paths, with runc 1.1's errors. */
class ExecCgroupsTest {
    private static final Map<String, String> PATHS = new LinkedHashMap<>(Map.of(
            "", "/sys/fs/cgroup/unified/c1", "memory", "/sys/fs/cgroup/memory/c1", "pids", "/sys/fs/cgroup/pids/c1"));

    private static Map<String, Path> resolve(String... args) throws UsageException {
        return ExecCgroups.resolve(List.of(args), PATHS);
    }

    @Test
    void noFlagIsTheContainersCgroup() throws UsageException {
        assertEquals(Path.of("/sys/fs/cgroup/memory/c1"), resolve().get("memory"));
    }

    @Test
    void aPathAloneAppliesToEveryHierarchyCgroup2Included() throws UsageException {
        Map<String, Path> d = resolve("a/b");
        assertEquals(Path.of("/sys/fs/cgroup/unified/c1/a/b"), d.get(""));
        assertEquals(Path.of("/sys/fs/cgroup/memory/c1/a/b"), d.get("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/pids/c1/a/b"), d.get("pids"));
        // Go's path.Join: a leading slash is still below the container's cgroup
        assertEquals(Path.of("/sys/fs/cgroup/pids/c1/a"), resolve("/a").get("pids"));
        assertEquals(Path.of("/sys/fs/cgroup/pids/c1/a"), resolve(":a").get("pids"));
    }

    @Test
    void controllersNameTheirHierarchiesOnly() throws UsageException {
        Map<String, Path> d = resolve("memory,pids:s", "pids:t");
        assertEquals(Path.of("/sys/fs/cgroup/memory/c1/s"), d.get("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/pids/c1/t"), d.get("pids"));
        assertEquals(Path.of("/sys/fs/cgroup/unified/c1"), d.get(""));
    }

    @Test
    void runcsErrors() {
        assertEquals("invalid --cgroup argument: a:b:c",
                assertThrows(UsageException.class, () -> resolve("a:b:c")).getMessage());
        assertEquals("invalid --cgroup argument: s (missing <controller>: prefix)",
                assertThrows(UsageException.class, () -> resolve("s", "memory:t")).getMessage());
        assertEquals("unknown controller bogus in SubCgroupPaths",
                assertThrows(UsageException.class, () -> resolve("bogus:s")).getMessage());
        assertEquals("../x is not a sub cgroup path",
                assertThrows(UsageException.class, () -> resolve("../x")).getMessage());
        // a sibling whose name starts with the container's: runc's string prefix check lets it through
        assertEquals("../c1x is not a sub cgroup path",
                assertThrows(UsageException.class, () -> resolve("memory:../c1x")).getMessage());
    }
}
