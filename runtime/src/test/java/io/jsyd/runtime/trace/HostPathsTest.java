package io.jsyd.runtime.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text joins of the tracer's host paths give what java.nio.file.Path gave before them. */
class HostPathsTest {
    private static final List<String> RELATIVE = List.of("", "usr/lib", "usr//lib", "usr/lib/", "a", "a//b//",
            "/abs/dir", "//abs//", "bin/..", ".");

    @Test
    void underJoinsAsPathResolve() {
        String root = "/proc/42/root";
        for (String r : RELATIVE) {
            assertEquals(Path.of(root).resolve(r).toString(), HostPaths.under(root, r), r);
        }
    }

    /** A name the platform encoding cannot map (CI runs without a locale) that Path would refuse. */
    @Test
    void underJoinsNamesPathCannotTake() {
        assertEquals("/proc/42/root/é/x", HostPaths.under("/proc/42/root", "é/x"));
        assertEquals("/proc/42/root/é", HostPaths.under("/proc/42/root", "é//"));
    }

    @Test
    void parentIsPathGetParent() {
        for (String p : List.of("/proc/42/root/workload", "/proc/42/root", "/x", "/a/b/c")) {
            assertEquals(Path.of(p).getParent().toString(), HostPaths.parent(p), p);
        }
        assertEquals(null, HostPaths.parent("name"));
    }

    @Test
    void normalDropsRepeatedAndTrailingSlashesOnly() {
        assertEquals("/", HostPaths.normal("/"));
        assertEquals("/", HostPaths.normal("//"));
        assertEquals("/a/b", HostPaths.normal("//a///b/"));
        assertEquals("a/./b", HostPaths.normal("a/./b"));
    }
}
