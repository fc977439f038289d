package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The session keyring, seen from inside real containers by a small static probe
 * (busybox has no keyctl) that prints its session keyring's serial and
 * description ("keyring;uid;gid;perm;name"): the init joins `_ses.ID` with runc's
 * permissions (the same bundle runs under runc for comparison), `exec` joins the
 * same keyring, and with --no-new-keyring both keep the caller's.
 */
@Tag("root")
public class KeyringTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final Path RUNC = Path.of("/usr/sbin/runc");
    private static final String RUN = Long.toHexString(System.nanoTime());
    private static final String PROBE = """
            #include <stdio.h>
            #include <unistd.h>
            #include <sys/syscall.h>
            #include <linux/keyctl.h>
            int main(void)
            {
            	char d[512];
            	long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
            	if (id < 0 || syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, d, sizeof(d)) < 0) {
            		perror("keyctl");
            		return 1;
            	}
            	printf("%ld %s\\n", id, d);
            	return 0;
            }
            """;

    @BeforeAll
    static void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at /bin/busybox");
        Processes.becomeSubreaper();
    }

    /** A bundle whose process runs {@code script}, with the probe at /bin/keyprobe. */
    private static Path bundle(Path dir, String script, boolean userns) throws Exception {
        Path bundle = LifecycleTest.bundle(dir, script);
        Path src = dir.resolve("keyprobe.c");
        Files.writeString(src, PROBE);
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-Wall", "-Werror", "-o",
                bundle.resolve("rootfs/bin/keyprobe").toString(), src.toString()).inheritIO().start();
        assertEquals(0, gcc.waitFor());
        if (userns) {
            Path file = bundle.resolve("config.json");
            ObjectNode config = (ObjectNode) SpecJson.mapper().readTree(Files.readString(file));
            ObjectNode linux = (ObjectNode) config.get("linux");
            ((ArrayNode) linux.get("namespaces")).addObject().put("type", "user");
            for (String maps : List.of("uidMappings", "gidMappings")) {
                linux.putArray(maps).addObject().put("containerID", 0).put("hostID", 0).put("size", 65536);
            }
            Files.writeString(file, SpecJson.pretty(config));
        }
        return bundle;
    }

    /** "SERIAL DESCRIPTION" as the probe printed it to {@code file}. */
    private static String[] probed(Path file) throws Exception {
        String[] s = Files.readString(file).strip().split(" ", 2);
        assertEquals(2, s.length, Files.readString(file));
        return s;
    }

    /** The probe run here, as a child of this JVM: the caller's session keyring. */
    private static String[] ours(Path dir) throws Exception {
        Path out = dir.resolve("ours");
        Process p = new ProcessBuilder(dir.resolve("bundle/rootfs/bin/keyprobe").toString())
                .redirectOutput(out.toFile()).start();
        assertEquals(0, p.waitFor());
        return probed(out);
    }

    /** `runc run` of the bundle (as its id {@code id}), for comparison; false when runc is missing. */
    private static boolean runc(Path dir, Path bundle, String id, String... flags) throws Exception {
        if (!Files.isExecutable(RUNC)) {
            return false;
        }
        try (var outs = Files.list(dir.resolve("out"))) {
            for (Path f : outs.toList()) {
                Files.delete(f);
            }
        }
        List<String> c = new java.util.ArrayList<>(List.of(RUNC.toString(), "--root", dir.resolve("runc").toString(),
                "run"));
        c.addAll(List.of(flags));
        c.addAll(List.of("-b", bundle.toString(), id));
        Process p = new ProcessBuilder(c).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("runc.err").toFile()).start();
        assertEquals(true, p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("runc.err")));
        return true;
    }

    @Test
    void theInitJoinsSesIdWithRuncsPermissions(@TempDir Path dir) throws Exception {
        String id = "ky1-" + RUN;
        Path bundle = bundle(dir, "keyprobe > /out/keyring", false);
        Cli.Result r = Cli.run(dir, "--root", dir.resolve("root").toString(), "run", "-b", bundle.toString(), id);
        assertEquals(0, r.status(), r.err());
        String[] init = probed(dir.resolve("out/keyring"));
        // root's keyring, searchable by its owner (KEY_USR_SEARCH added to the kernel's default)
        assertEquals("keyring;0;0;3f1b0000;_ses." + id, init[1]);
        assertNotEquals(ours(dir)[0], init[0]);
        if (runc(dir, bundle, id)) {
            assertEquals(init[1], probed(dir.resolve("out/keyring"))[1]);
        }
    }

    @Test
    void withAUserNamespaceOthersMaySearchIt(@TempDir Path dir) throws Exception {
        String id = "ky2-" + RUN;
        Path bundle = bundle(dir, "keyprobe > /out/keyring", true);
        Cli.Result r = Cli.run(dir, "--root", dir.resolve("root").toString(), "run", "-b", bundle.toString(), id);
        assertEquals(0, r.status(), r.err());
        String[] init = probed(dir.resolve("out/keyring"));
        assertEquals("keyring;0;0;3f130008;_ses." + id, init[1]);
        if (runc(dir, bundle, id)) {
            assertEquals(init[1], probed(dir.resolve("out/keyring"))[1]);
        }
    }

    @Test
    void noNewKeyringKeepsTheCallersSessionKeyring(@TempDir Path dir) throws Exception {
        String id = "ky3-" + RUN;
        Path bundle = bundle(dir, "keyprobe > /out/keyring", false);
        Cli.Result r = Cli.run(dir, "--root", dir.resolve("root").toString(), "run", "--no-new-keyring", "-b",
                bundle.toString(), id);
        assertEquals(0, r.status(), r.err());
        String[] mine = ours(dir);
        assertEquals(String.join(" ", mine), String.join(" ", probed(dir.resolve("out/keyring"))));
        if (runc(dir, bundle, id, "--no-new-keyring")) {
            assertEquals(String.join(" ", mine), String.join(" ", probed(dir.resolve("out/keyring"))));
        }
    }

    /** exec joins the init's keyring by name; with --no-new-keyring at create, the caller's. */
    @Test
    void execJoinsTheContainersKeyringUnlessCreatedWithoutOne(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        Path bundle = bundle(dir, "keyprobe > /out/init; exec sleep 60", false);
        String[] mine = ours(dir);
        for (boolean noNew : new boolean[] {false, true}) {
            String id = (noNew ? "ky5-" : "ky4-") + RUN;
            Files.deleteIfExists(dir.resolve("out/init"));
            List<String> create = new java.util.ArrayList<>(List.of("--root", root.toString(), "create", "-b",
                    bundle.toString()));
            if (noNew) {
                create.add("--no-new-keyring");
            }
            create.add(id);
            Cli.Result c = Cli.run(dir, create.toArray(String[]::new));
            assertEquals(0, c.status(), c.err());
            try {
                assertEquals(0, Cli.run(dir, "--root", root.toString(), "start", id).status());
                for (int i = 0; i < 500 && !Files.exists(dir.resolve("out/init")); i++) {
                    Thread.sleep(10);
                }
                Cli.Result e = Cli.run(dir, "--root", root.toString(), "exec", id, "sh", "-c",
                        "keyprobe > /out/exec");
                assertEquals(0, e.status(), e.err());
                String[] init = probed(dir.resolve("out/init"));
                String[] exec = probed(dir.resolve("out/exec"));
                assertEquals(String.join(" ", init), String.join(" ", exec));
                assertEquals(noNew ? String.join(" ", mine) : "keyring;0;0;3f1b0000;_ses." + id,
                        noNew ? String.join(" ", init) : init[1]);
            } finally {
                assertEquals(0, Cli.run(dir, "--root", root.toString(), "delete", "--force", id).status());
            }
        }
    }
}
