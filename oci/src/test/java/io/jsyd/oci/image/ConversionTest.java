package io.jsyd.oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.ImageException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.spec.model.Spec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The image config to config.json rules, users, platforms, digests and refs. */
class ConversionTest {
    private static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\n# comment\nweb:x:33:33:www:/var/www:/bin/false\n"
            + "broken line\napp:x:1000:1001::/home/app:/bin/sh\n";
    private static final String GROUP = "root:x:0:\nweb:x:33:\nstaff:x:50:app,web\naudio:x:63:app\napp:x:1001:\n";

    @Test
    void usersResolveAsTheImageSpecSays() throws Exception {
        assertEquals(new UserLookup.Resolved(0, 0, List.of(), Optional.of("/root")), UserLookup.resolve("", PASSWD, GROUP));
        assertEquals(new UserLookup.Resolved(1000, 1001, List.of(50L, 63L), Optional.of("/home/app")),
                UserLookup.resolve("app", PASSWD, GROUP));
        // a group given, or a numeric user: no additional gids
        assertEquals(new UserLookup.Resolved(1000, 33, List.of(), Optional.of("/home/app")),
                UserLookup.resolve("app:web", PASSWD, GROUP));
        assertEquals(new UserLookup.Resolved(1000, 1001, List.of(), Optional.of("/home/app")),
                UserLookup.resolve("1000", PASSWD, GROUP));
        assertEquals(new UserLookup.Resolved(4242, 0, List.of(), Optional.empty()), UserLookup.resolve("4242", "", ""));
        assertEquals(new UserLookup.Resolved(4242, 7, List.of(), Optional.empty()), UserLookup.resolve("4242:7", "", ""));
        ImageException e = assertThrows(ImageException.class, () -> UserLookup.resolve("nobody", PASSWD, GROUP));
        assertTrue(e.getMessage().contains("no user nobody"), e.getMessage());
        e = assertThrows(ImageException.class, () -> UserLookup.resolve("app:wheel", PASSWD, GROUP));
        assertTrue(e.getMessage().contains("no group wheel"), e.getMessage());
        assertThrows(ImageException.class, () -> UserLookup.resolve("99999999999", PASSWD, GROUP));
    }

    private static ImageConfig image(List<String> entrypoint, List<String> cmd, List<String> env, String cwd,
                                     Map<String, String> labels) {
        return new ImageConfig(new Platform("linux", "amd64", ""), "", List.of(), "me", "2026-01-01T00:00:00Z",
                entrypoint, cmd, env, cwd, "", "SIGTERM", labels, List.of("80/tcp", "53/udp"), List.of("/data"), List.of());
    }

    @Test
    void configFollowsConversionRules() {
        List<String> warnings = new ArrayList<>();
        Spec s = RuntimeConfig.convert(image(List.of("/ep"), List.of("a", "b"), List.of("PATH=/x", "HOME=/h"), "srv",
                Map.of("org.opencontainers.image.author", "label")),
                new UserLookup.Resolved(5, 6, List.of(7L), Optional.of("/home")), null, warnings::add);
        assertEquals(List.of("/ep", "a", "b"), s.getProcess().getArgs());
        assertEquals(List.of("PATH=/x", "HOME=/h"), s.getProcess().getEnv()); // nothing the image sets is changed
        assertEquals("/srv", s.getProcess().getCwd());
        assertEquals(5L, s.getProcess().getUser().getUid());
        assertEquals(List.of(7L), s.getProcess().getUser().getAdditionalGids());
        assertEquals("label", s.getAnnotations().get("org.opencontainers.image.author"));
        assertEquals("80/tcp,53/udp", s.getAnnotations().get("org.opencontainers.image.exposedPorts"));
        assertEquals("/data", s.getAnnotations().get(RuntimeConfig.VOLUMES));
        assertEquals("SIGTERM", s.getAnnotations().get("org.opencontainers.image.stopSignal"));
        assertFalse(s.getRoot().getReadonly());
        assertFalse(s.getProcess().getTerminal());
        assertEquals(List.of(), warnings);

        Spec empty = RuntimeConfig.convert(image(List.of(), List.of(), List.of(), "", Map.of()),
                new UserLookup.Resolved(0, 0, List.of(), Optional.of("/root")), new long[] {1000, 1000}, warnings::add);
        assertEquals(List.of("sh"), empty.getProcess().getArgs());
        assertTrue(empty.getProcess().getEnv().getFirst().startsWith("PATH="));
        assertTrue(empty.getProcess().getEnv().contains("HOME=/root"));
        assertEquals(1000L, empty.getLinux().getUidMappings().getFirst().getHostID());
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("no Entrypoint or Cmd"));
    }

    @Test
    void platformsDigestsAndRefs() throws Exception {
        Platform amd = Platform.parse("linux/amd64");
        assertTrue(amd.accepts(new Platform("linux", "x86_64", "")));
        assertTrue(amd.accepts(new Platform("linux", "amd64", "v3")));
        assertFalse(amd.accepts(new Platform("linux", "arm64", "")));
        assertTrue(Platform.parse("linux/arm64/v8").accepts(new Platform("linux", "arm64", "")));
        assertFalse(Platform.parse("linux/arm/v7").accepts(new Platform("linux", "arm", "v6")));
        assertThrows(UsageException.class, () -> Platform.parse("linux/"));

        String hex = "a".repeat(64);
        assertEquals("blobs/sha256/" + hex, Digest.parse("sha256:" + hex, "x").blobPath());
        // the hex part becomes a file name: nothing else gets through
        assertThrows(ImageException.class, () -> Digest.parse("sha256:../../../etc/passwd", "x"));
        assertThrows(ImageException.class, () -> Digest.parse("sha256:" + "A".repeat(64), "x"));
        assertThrows(ImageException.class, () -> Digest.parse("md5:" + hex, "x"));

        assertTrue(RefMatch.matches("localhost/busybox:latest", "busybox"));
        assertTrue(RefMatch.matches("docker.io/library/busybox:1.36", "library/busybox:1.36"));
        assertTrue(RefMatch.matches("latest", "latest"));
        assertFalse(RefMatch.matches("localhost/mybusybox:latest", "busybox"));
        assertFalse(RefMatch.matches("localhost/busybox:1", "busybox"));
    }

    @Test
    void sizesParse() throws Exception {
        assertEquals(64L << 30, io.jsyd.oci.cli.command.BundleCreateCommandAccess.parseSize("64G"));
        assertEquals(512L << 20, io.jsyd.oci.cli.command.BundleCreateCommandAccess.parseSize("512MiB"));
        assertEquals(1000, io.jsyd.oci.cli.command.BundleCreateCommandAccess.parseSize("1000"));
        assertThrows(UsageException.class, () -> io.jsyd.oci.cli.command.BundleCreateCommandAccess.parseSize("-1K"));
    }
}
