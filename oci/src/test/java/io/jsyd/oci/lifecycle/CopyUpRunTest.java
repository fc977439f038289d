package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tmpfs with "tmpcopyup" (podman's --tmpfs and --read-only ask for it): the
 * directory's files, links and modes show in the tmpfs, writes stay in it.
 */
@Tag("root")
class CopyUpRunTest {
    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static at /bin/busybox");
    }

    @Test
    void theDirectorysTreeIsCopiedIntoTheTmpfs(@TempDir Path dir) throws Exception {
        Path bundle = LifecycleTest.bundle(dir, "cd /data && stat -c '%n %a %u:%g' sub sub/file > /out/stat"
                + " && cat sub/file > /out/content && readlink link > /out/link && grep ' /data ' /proc/mounts > /out/mount"
                + " && echo new > sub/new");
        for (String applet : List.of("stat", "readlink", "grep")) {
            Files.createSymbolicLink(bundle.resolve("rootfs/bin").resolve(applet), Path.of("busybox"));
        }
        Path data = Files.createDirectories(bundle.resolve("rootfs/data/sub"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));
        Path file = Files.writeString(data.resolve("file"), "old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setAttribute(file, "unix:uid", 7);
        Files.setAttribute(file, "unix:gid", 8);
        Files.createSymbolicLink(bundle.resolve("rootfs/data/link"), Path.of("sub/file"));
        Path config = bundle.resolve("config.json");
        ObjectNode c = (ObjectNode) SpecJson.mapper().readTree(Files.readString(config));
        ObjectNode mount = ((ArrayNode) c.get("mounts")).addObject();
        mount.put("destination", "/data").put("type", "tmpfs").put("source", "tmpfs");
        mount.putArray("options").add("tmpcopyup").add("size=1m").add("mode=711");
        Files.writeString(config, SpecJson.pretty(c));

        Cli.Result r = Cli.run(dir, "--root", dir.resolve("root").toString(), "run", "-b", bundle.toString(),
                "cu-" + Long.toHexString(System.nanoTime()));
        assertEquals(0, r.status(), r.err());
        Path out = dir.resolve("out");
        assertEquals("sub 750 0:0\nsub/file 644 7:8\n", Files.readString(out.resolve("stat")));
        assertEquals("old\n", Files.readString(out.resolve("content")));
        assertEquals("sub/file\n", Files.readString(out.resolve("link")));
        String line = Files.readString(out.resolve("mount"));
        assertEquals("tmpfs", line.split(" ")[2], line);
        assertTrue(line.contains("size=1024k") && line.contains("mode=711"), line);
        assertFalse(Files.exists(data.resolve("new")), "the write went to the tmpfs, not the rootfs");
    }
}
