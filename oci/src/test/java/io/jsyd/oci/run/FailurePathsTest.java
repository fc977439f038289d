package io.jsyd.oci.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bundles that must not run, or must not reach out of their rootfs: each failure
 * is one line naming the config field, exit status 1, and nothing is left on the
 * host (no mount, no process, no state directory).
 */
@Tag("root")
class FailurePathsTest {
    private Path dir;
    private Path state;

    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(RunBundle.busyboxAvailable(), "needs busybox-static at /bin/busybox");
    }

    @BeforeEach
    void tempDir() throws IOException {
        // reachable by the mapped root of the user namespace cases
        dir = Files.createTempDirectory("jsyd-fail-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        state = dir.resolve("state");
    }

    @AfterEach
    void removeTempDir() {
        OciRuntime.exec(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }

    private RunBundle bundle(String script) {
        return RunBundle.create(dir.resolve("bundle"), script);
    }

    /** Mount points at or below {@code under}, from this (the host's) mount table. */
    static TreeSet<String> mountsUnder(Path under) throws IOException {
        TreeSet<String> points = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4].replace("\\040", " ");
            if (point.equals(under.toString()) || point.startsWith(under + "/")) {
                points.add(point);
            }
        }
        return points;
    }

    /** Processes whose root or working directory is at or below {@code under}. */
    static List<String> processesIn(Path under) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                for (String link : List.of("root", "cwd")) {
                    try {
                        String target = Files.readSymbolicLink(p.resolve(link)).toString();
                        if (target.equals(under.toString()) || target.startsWith(under + "/")) {
                            found.add(p.getFileName() + " (" + link + " " + target + ")");
                        }
                    } catch (IOException e) {
                        // gone, or not ours to read
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }

    private OciRuntime.Result run(OciRuntime rt, RunBundle b, String id) {
        b.write();
        return rt.run(state, b.dir, id);
    }

    /** Status 1, stderr names the field, and the host has no trace of the container. */
    private void assertFailsCleanly(OciRuntime.Result r, String id, TreeSet<String> mountsBefore, String... errParts)
            throws IOException {
        assertEquals(1, r.status(), r.describe());
        for (String part : errParts) {
            assertTrue(r.err().contains(part), "stderr lacks \"" + part + "\"\n" + r.describe());
        }
        assertEquals(1, r.err().lines().filter(l -> !l.contains(": warning: ")).count(), "one error line\n" + r.describe());
        assertFalse(Files.exists(state.resolve(id)), "state directory left behind");
        assertEquals(mountsBefore, mountsUnder(dir), "mounts left behind");
        assertEquals(List.of(), processesIn(dir), "processes left behind");
    }

    @Test
    void aMountDestinationThatIsASymlinkOutOfTheRootfsStaysInside() throws IOException {
        for (OciRuntime rt : OciRuntime.values()) {
            assumeTrue(rt.available(), rt.label() + " is not installed");
            Path victim = Files.createDirectories(dir.resolve("victim-" + rt.name()));
            Files.writeString(victim.resolve("marker"), "host\n");
            // the mount point is where the link leads, resolved with the rootfs as /
            RunBundle b = RunBundle.create(dir.resolve("bundle-" + rt.name()),
                    RunMatrixTest.mountsOf(victim.toString()) + "; touch /evil/made && ls /evil");
            Files.createSymbolicLink(b.rootfs.resolve("evil"), victim);
            b.addMount("{\"destination\": \"/evil\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}");
            TreeSet<String> before = mountsUnder(dir);
            OciRuntime.Result r = run(rt, b, "fail-symlink-" + rt.name());
            assertEquals(0, r.status(), rt.label() + "\n" + r.describe());
            // the link is followed as if the rootfs were /: the tmpfs lands on a directory made inside it
            assertEquals(victim + " rw,relatime private tmpfs\nmade", RunMatrixTest.normalize(r.out(), java.util.Map.of()),
                    rt.label());
            assertTrue(Files.isDirectory(b.rootfs.resolve(victim.toString().substring(1))), rt.label()
                    + ": the link's target is made inside the rootfs");
            assertEquals(List.of("marker"), Files.list(victim).map(p -> p.getFileName().toString()).toList(),
                    rt.label() + ": the host directory is untouched");
            assertEquals(before, mountsUnder(dir), rt.label());
        }
    }

    @Test
    void aMissingHostDeviceInAUserNamespace() throws IOException {
        RunBundle b = bundle("true").mappedUserNamespace().withoutCgroupMount()
                .merge("{\"linux\": {\"devices\": [{\"path\": \"/dev/jsyd-missing\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]}}");
        TreeSet<String> before = mountsUnder(dir);
        OciRuntime.Result r = run(OciRuntime.JSYD, b, "fail-device");
        assertFailsCleanly(r, "fail-device", before,
                "linux.devices[0] (/dev/jsyd-missing): mount /dev/jsyd-missing: ENOENT (no such file or directory)");
    }

    @Test
    void aFileAtADevicePathThatIsNotTheDeviceIsAnError() throws IOException {
        // config-linux.md: "If a file already exists at path that does not match the requested
        // device, the runtime MUST generate an error" (runc 1.1.5 and crun 1.8.1 keep the file)
        RunBundle b = bundle("true")
                .merge("{\"linux\": {\"devices\": [{\"path\": \"/opt/notadev\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]}}");
        Files.createDirectories(b.rootfs.resolve("opt"));
        Files.writeString(b.rootfs.resolve("opt/notadev"), "plain\n");
        TreeSet<String> before = mountsUnder(dir);
        OciRuntime.Result r = run(OciRuntime.JSYD, b, "fail-notadev");
        assertFailsCleanly(r, "fail-notadev", before,
                "linux.devices[0] (/opt/notadev): /opt/notadev exists and is not the requested device: EEXIST");
        assertEquals("plain\n", Files.readString(b.rootfs.resolve("opt/notadev")), "the file is kept as it was");
    }

    @Test
    void theSameDeviceAlreadyAtItsPathIsKept() throws IOException {
        // /dev/null of the defaults listed again in linux.devices: the node made first matches
        RunBundle b = bundle("stat -c '%F %t:%T' /dev/null")
                .merge("{\"linux\": {\"devices\": [{\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3}]}}");
        OciRuntime.Result r = run(OciRuntime.JSYD, b, "same-dev");
        assertEquals(0, r.status(), r.describe());
        assertEquals("character special file 1:3", r.out().strip(), r.describe());
    }

    @Test
    void anUnknownCapabilityIsAWarningAsTheSpecWants() throws IOException {
        // config.md: a capability that cannot be mapped "MUST be logged as a warning" and runtimes
        // "SHOULD NOT fail"; runc 1.1.5 warns and goes on too
        for (OciRuntime rt : OciRuntime.values()) {
            assumeTrue(rt.available(), rt.label() + " is not installed");
            RunBundle b = RunBundle.create(dir.resolve("bundle-" + rt.name()), "grep CapBnd /proc/self/status");
            ((tools.jackson.databind.node.ArrayNode) b.process().get("capabilities").get("bounding")).add("CAP_BOGUS");
            OciRuntime.Result r = run(rt, b, "warn-cap-" + rt.name());
            assertEquals(0, r.status(), r.describe());
            assertEquals("CapBnd:\t0000000020000420", r.out().strip(), rt.label());
            assertTrue(r.err().contains("CAP_BOGUS"), r.describe());
            if (rt == OciRuntime.JSYD) {
                assertEquals(1, r.err().lines().filter(l -> l.contains("CAP_BOGUS")).count(), r.describe());
                assertTrue(r.err().contains("$.process.capabilities.bounding[3]"), r.describe());
            }
        }
    }

    @Test
    void aUidMapTheKernelRefuses() throws IOException {
        // two ranges for the same container ids: valid JSON, refused by the kernel when written
        RunBundle b = bundle("true").mappedUserNamespace().withoutCgroupMount().merge("""
                {"linux": {"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536},
                                           {"containerID": 10, "hostID": 300000, "size": 10}]}}""");
        TreeSet<String> before = mountsUnder(dir);
        OciRuntime.Result r = run(OciRuntime.JSYD, b, "fail-uidmap");
        assertFailsCleanly(r, "fail-uidmap", before, "linux.uidMappings");
    }

    @Test
    void aCwdThatIsAFile() throws IOException {
        RunBundle b = bundle("true");
        b.process().put("cwd", "/etc/passwd");
        TreeSet<String> before = mountsUnder(dir);
        OciRuntime.Result r = run(OciRuntime.JSYD, b, "fail-cwd");
        assertFailsCleanly(r, "fail-cwd", before, "process.cwd: open /etc/passwd: ENOTDIR (not a directory)");
    }

    @Test
    void aProgramNotInPath() throws IOException {
        RunBundle b = bundle("true").args("no-such-program");
        TreeSet<String> before = mountsUnder(dir);
        OciRuntime.Result r = run(OciRuntime.JSYD, b, "fail-exec");
        assertFailsCleanly(r, "fail-exec", before, "process.args: exec no-such-program: not found in $PATH: ENOENT");
    }

    @Test
    void aBindSourceThatIsMissing() throws IOException {
        RunBundle b = bundle("true").addMount("{\"destination\": \"/data\", \"source\": \"" + dir.resolve("nope")
                + "\", \"options\": [\"bind\"]}");
        TreeSet<String> before = mountsUnder(dir);
        OciRuntime.Result r = run(OciRuntime.JSYD, b, "fail-bind");
        assertFailsCleanly(r, "fail-bind", before, "mounts[7] (destination /data): mount /data: ENOENT");
    }

    @Test
    void anIdThatIsTakenLeavesTheOtherContainerAlone() throws IOException {
        Files.createDirectories(state.resolve("taken"));
        Files.writeString(state.resolve("taken/marker"), "x");
        OciRuntime.Result r = run(OciRuntime.JSYD, bundle("true"), "taken");
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("container with id exists: taken"), r.describe());
        assertTrue(Files.exists(state.resolve("taken/marker")), "the other container's state is intact");
    }
}
