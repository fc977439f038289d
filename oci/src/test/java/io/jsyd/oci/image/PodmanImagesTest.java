package io.jsyd.oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.cli.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A busybox image made by podman from a local tarball (no registry), saved in
 * each format podman writes; each must give the tree umoci unpacks from the
 * OCI layout, and the Docker archive's bundle must run under `jsyd-oci run`.
 */
@Tag("root")
class PodmanImagesTest {
    private static final String IMAGE = "localhost/jsyd-bundle-test:latest";
    private static Path work;
    private static Path podmanRoot;
    private static String skip;

    private static List<String> podman(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", podmanRoot.resolve("storage").toString(),
                "--runroot", podmanRoot.resolve("run").toString(), "--storage-driver", "vfs"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @BeforeAll
    static void makeImage() throws Exception {
        // short: podman refuses a runroot path over 50 characters
        work = Files.createTempDirectory(Path.of("/tmp"), "jp");
        podmanRoot = work.resolve("podman");
        if (new com.sun.security.auth.module.UnixSystem().getUid() != 0) {
            skip = "needs root";
            return;
        }
        Path busybox = Path.of("/bin/busybox");
        Optional<Tools.Output> v = Tools.run(work, "podman", "--version");
        if (!Files.isExecutable(busybox) || v.isEmpty() || v.get().status() != 0) {
            skip = "needs podman and busybox-static";
            return;
        }
        Path rootfs = Files.createDirectories(work.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("etc"));
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "id", "test", "ls", "cat")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        Path tar = work.resolve("rootfs.tar");
        run(List.of("tar", "-C", rootfs.toString(), "-cf", tar.toString(), "."));
        run(podman("import", "--change", "CMD [\"sh\", \"-c\", \"test \\\"$FOO\\\" = bar && exit 42\"]",
                "--change", "ENV FOO=bar", tar.toString(), IMAGE));
        for (String format : List.of("oci-archive", "docker-archive", "oci-dir")) {
            run(podman("save", "--format", format, "-o", work.resolve(format).toString(), IMAGE));
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Optional<Tools.Output> out = Tools.run(work, command.toArray(String[]::new));
        if (out.isEmpty() || out.get().status() != 0) {
            throw new IOException(command + " failed: " + out.map(Tools.Output::out).orElse("not installed"));
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (work != null) {
            Tools.run(work, podman("rmi", "-a", "-f").toArray(String[]::new));
            Tools.run(Path.of("/"), "rm", "-rf", work.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci-archive", "docker-archive", "oci-dir"})
    void everyFormatGivesUmocisTree(String format) throws Exception {
        assumeTrue(skip == null, skip);
        Optional<Tools.Output> umociVersion = Tools.run(work, "umoci", "--version");
        assumeTrue(umociVersion.isPresent() && umociVersion.get().status() == 0, "umoci is not installed");
        Path umoci = work.resolve("umoci-" + format);
        if (!Files.exists(umoci)) {
            run(List.of("umoci", "unpack", "--image", work.resolve("oci-dir") + ":" + IMAGE, umoci.toString()));
        }
        Path bundle = work.resolve("bundle-" + format);
        Cli.Result r = Cli.run(work, "bundle", "create", "--quiet", work.resolve(format).toString(), bundle.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(TreeSnapshot.of(umoci.resolve("rootfs")).text(), TreeSnapshot.of(bundle.resolve("rootfs")).text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-archive"})
    void bundleFromAPodmanImageRuns(String format) throws Exception {
        assumeTrue(skip == null, skip);
        Path bundle = work.resolve("run-" + format);
        Cli.Result made = Cli.run(work, "bundle", "create", "--quiet", "--ref", "jsyd-bundle-test",
                work.resolve(format).toString(), bundle.toString());
        assertEquals(0, made.status(), made.err());
        Cli.Result ran = Cli.run(work, "--root", work.resolve("state").toString(), "run", "-b", bundle.toString(),
                "jsyd-bundle-" + ProcessHandle.current().pid());
        // 42 only if the image's Cmd ran with the image's Env
        assertEquals(42, ran.status(), ran.err());
        assertTrue(Files.isDirectory(bundle.resolve("rootfs/bin")));
    }
}
