package io.jsyd.oci.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.linux.Processes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OCI hooks under the split lifecycle, create / start / delete in separate runtime
 * processes as podman and containerd's shim run them, this JVM standing in for their
 * subreaper. Each hook appends what it saw to a log the test reads after each verb.
 * The ordering test runs the same bundle under runc 1.1 too: its order is the
 * expectation, except where runc 1.1 departs from runtime-spec 1.3 (poststart).
 */
@Tag("root")
class HooksLifecycleTest {
    private static final String SCRIPT = """
            kind=$1; log=$2
            state=$(cat)
            pid=$(echo "$state" | sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p')
            {
              echo "== $kind"
              echo "cwd=$(pwd)"
              echo "mnt=$(readlink /proc/self/ns/mnt) net=$(readlink /proc/self/ns/net)"
              echo "state=$state"
              echo "env=$(env | grep HOOK_ | sort | tr '\\n' ' ')"
            } >> "$log"
            """;
    private static final String RUN = Long.toHexString(System.nanoTime());

    private Path dir;
    private Path root;
    private final List<String> ids = new ArrayList<>();

    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(RunBundle.busyboxAvailable(), "needs busybox-static at /bin/busybox");
        // conmon and containerd's shim are subreapers; the test stands in for them
        Processes.becomeSubreaper();
    }

    @BeforeEach
    void tempDir() throws IOException {
        dir = Files.createTempDirectory("jsyd-hooks-lc-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        root = dir.resolve("root");
        Files.writeString(dir.resolve("hook.sh"), SCRIPT);
    }

    @AfterEach
    void deleteEverything() {
        for (OciRuntime rt : OciRuntime.values()) {
            if (rt.available()) {
                for (String id : ids) {
                    cli(rt, "delete", "--force", id);
                }
            }
        }
        OciRuntime.exec(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }

    private String id(String name) {
        String id = name + "-" + RUN;
        ids.add(id);
        return id;
    }

    /**
     * One runtime command in its own process, run in {@code dir}. Its output goes to
     * files: a created init keeps the runtime's stdio, so a pipe would not end with it.
     */
    private OciRuntime.Result cli(OciRuntime rt, String... args) {
        try {
            Path out = Files.createTempFile(dir, "out", "");
            Path err = Files.createTempFile(dir, "err", "");
            // a root per runtime: runc must never read jsyd-oci's state.json, nor the reverse
            Process p = new ProcessBuilder(rt.command(root.resolve(rt.name()), args)).directory(dir.toFile())
                    .redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + List.of(args));
            }
            OciRuntime.Result r = new OciRuntime.Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private OciRuntime.Result create(OciRuntime rt, RunBundle b, String id) {
        b.write();
        return cli(rt, "create", "-b", b.dir.toString(), id);
    }

    private static ObjectNode failing(ObjectNode hooks, String kind, String script) {
        ArrayNode list = hooks.has(kind) ? (ArrayNode) hooks.get(kind) : hooks.putArray(kind);
        ObjectNode h = list.addObject().put("path", "/bin/sh");
        h.putArray("args").add("sh").add("-c").add(script);
        return h;
    }

    /** A bundle whose startContainer hooks can reach hook.sh and the logs (bind-mounted at the same path). */
    private RunBundle bundle(String name, String script) {
        RunBundle b = RunBundle.create(dir.resolve(name), script);
        b.addMount("{\"destination\": \"" + dir + "\", \"type\": \"bind\", \"source\": \"" + dir
                + "\", \"options\": [\"rbind\", \"rw\"]}");
        return b;
    }

    private static String ns(String kind) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/" + kind)).toString();
    }

    private static Schema stateSchema() {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
                .getSchema(SchemaLocation.of("classpath:io/jsyd/oci/spec/schema/state-schema.json"));
    }

    @Test
    void everyKindRunsAtItsVerbInItsNamespaceWithItsStateInRuncsOrder() throws IOException {
        Schema schema = stateSchema();
        for (OciRuntime rt : OciRuntime.values()) {
            assumeTrue(rt.available(), rt.label() + " is not installed");
            String id = id("hk-order-" + rt.name().toLowerCase(java.util.Locale.ROOT));
            Path log = dir.resolve("log-" + rt.name());
            RunBundle b = bundle("bundle-" + rt.name(), "exec sleep 100");
            b.merge("{\"annotations\": {\"org.example.k\": \"v\"}}");
            ObjectNode hooks = b.config.putObject("hooks");
            for (String kind : List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                    "poststop")) {
                HookLog.hook(hooks, kind, dir.resolve("hook.sh"), log);
            }
            HookLog.hook(hooks, "createRuntime", dir.resolve("hook.sh"), log, "second");
            OciRuntime.Result c = create(rt, b, id);
            assertEquals(0, c.status(), rt.label() + "\n" + c.describe());
            List<String> atCreate = new ArrayList<>(List.of("prestart", "createRuntime", "createRuntime",
                    "createContainer"));
            if (rt == OciRuntime.RUNC) {
                // runc 1.1 runs poststart at the end of create, before `start` (fixed in runc 1.5);
                // runtime-spec 1.3 lifecycle step 9 puts it after the user program runs
                atCreate.add("poststart");
            }
            assertEquals(atCreate, HookLog.kinds(log), rt.label());
            int initPid = Integer.parseInt(HookLog.entries(log).getFirst().get("state").replaceAll(".*\"pid\":(\\d+).*", "$1"));
            String initMnt = Files.readSymbolicLink(Path.of("/proc/" + initPid + "/ns/mnt")).toString();
            String initNet = Files.readSymbolicLink(Path.of("/proc/" + initPid + "/ns/net")).toString();
            assertNotEquals(ns("mnt"), initMnt);

            OciRuntime.Result s = cli(rt, "start", id);
            assertEquals(0, s.status(), rt.label() + "\n" + s.describe());
            List<String> atStart = new ArrayList<>(atCreate);
            atStart.add("startContainer");
            if (rt == OciRuntime.JSYD) {
                atStart.add("poststart");
            }
            if (rt == OciRuntime.RUNC) {
                // runc's `start` returns once the init opened the fifo: its startContainer hook may still run
                waitForLines(log, atStart.size());
            }
            assertEquals(atStart, HookLog.kinds(log), rt.label());

            OciRuntime.Result d = cli(rt, "delete", "--force", id);
            assertEquals(0, d.status(), rt.label() + "\n" + d.describe());
            List<String> atDelete = new ArrayList<>(atStart);
            atDelete.add("poststop");
            assertEquals(atDelete, HookLog.kinds(log), rt.label());
            assertFalse(Files.exists(root.resolve(rt.name()).resolve(id)), rt.label());

            String bundle = b.dir.toAbsolutePath().toString();
            for (Map<String, String> m : HookLog.entries(log)) {
                String kind = m.get("kind");
                String where = rt.label() + " " + m;
                boolean inContainer = kind.endsWith("Container");
                if (inContainer) {
                    // the container's mount and network namespaces, the init's own
                    assertEquals("mnt=" + initMnt + " net=" + initNet, "mnt=" + m.get("mnt"), where);
                } else {
                    assertEquals(ns("mnt") + " net=" + ns("net"), m.get("mnt"), where);
                }
                assertEquals("HOOK_KIND=" + kind + " ", m.get("env"), where);
                JsonNode st = SpecJson.mapper().readTree(m.get("state"));
                assertEquals(List.of(), schema.validate(st), where);
                assertEquals(id, st.get("id").asString(), where);
                assertEquals(bundle, st.get("bundle").asString(), where);
                assertEquals("v", st.get("annotations").get("org.example.k").asString(), where);
                if (!kind.equals("poststop")) {
                    // runc 1.1 gives the in-container kinds the init's own getpid() (1); the spec's
                    // pid is the host's view, which jsyd-oci gives every kind
                    int want = rt == OciRuntime.RUNC && inContainer ? 1 : initPid;
                    assertEquals(want, st.get("pid").asInt(), where);
                } else {
                    assertFalse(st.has("pid") && st.get("pid").asInt() > 0 && rt == OciRuntime.JSYD, where);
                }
            }
            List<String> statuses = HookLog.entries(log).stream()
                    .map(m -> SpecJson.mapper().readTree(m.get("state")).get("status").asString()).toList();
            // runc 1.1's poststart runs at create, with "created"
            assertEquals(rt == OciRuntime.RUNC
                    ? List.of("creating", "creating", "creating", "creating", "created", "created", "stopped")
                    : List.of("creating", "creating", "creating", "creating", "created", "running", "stopped"),
                    statuses, rt.label());
            Map<String, String> cwd = new java.util.TreeMap<>();
            HookLog.entries(log).forEach(m -> cwd.put(m.get("kind"), m.get("cwd")));
            // runtime-namespace hooks in the bundle, createContainer in the rootfs, startContainer in
            // process.cwd; runc 1.1's poststop under `delete` inherits delete's working directory
            // (runc chdirs to the bundle for create only), jsyd-oci's runs in the bundle as the others
            assertEquals(Map.of("prestart", bundle, "createRuntime", bundle, "createContainer", bundle + "/rootfs",
                    "startContainer", "/", "poststart", bundle,
                    "poststop", rt == OciRuntime.RUNC ? dir.toString() : bundle), cwd, rt.label());
        }
    }

    private static void waitForLines(Path log, int entries) throws IOException {
        for (int i = 0; i < 500 && HookLog.kinds(log).size() < entries; i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void theHooksStartAndDeleteRunAreTheOnesCreateRead() throws IOException {
        // runtime.md: updates to config.json after create MUST NOT affect the container
        for (OciRuntime rt : OciRuntime.values()) {
            assumeTrue(rt.available(), rt.label() + " is not installed");
            String id = id("hk-kept-" + rt.name().toLowerCase(java.util.Locale.ROOT));
            Path log = dir.resolve("log-" + rt.name());
            RunBundle b = bundle("bundle-" + rt.name(), "exec sleep 100");
            HookLog.hook(b.config.putObject("hooks"), "poststop", dir.resolve("hook.sh"), log, "as-created");
            assertEquals(0, create(rt, b, id).status(), rt.label());
            ((ObjectNode) b.config.get("hooks")).removeAll();
            failing((ObjectNode) b.config.get("hooks"), "poststop", "echo changed >> " + log);
            b.write();
            OciRuntime.Result d = cli(rt, "delete", "--force", id);
            assertEquals(0, d.status(), rt.label() + "\n" + d.describe());
            assertEquals(List.of("poststop"), HookLog.kinds(log), rt.label());
            assertFalse(Files.readString(log).contains("changed"), rt.label());
        }
    }

    @Test
    void aFailingCreateRuntimeHookFailsCreateAndLeavesNothingBehind() throws IOException {
        String id = id("hk-cr-fail");
        Path log = dir.resolve("log");
        RunBundle b = bundle("bundle", "echo process-ran");
        String cgroup = "jsyd-hooks-lc-fail-" + RUN;
        b.merge("{\"linux\": {\"cgroupsPath\": \"/" + cgroup + "\"}}");
        ObjectNode hooks = b.config.putObject("hooks");
        HookLog.hook(hooks, "createRuntime", dir.resolve("hook.sh"), log);
        failing(hooks, "createRuntime", "echo it broke >&2; exit 7");
        HookLog.hook(hooks, "createRuntime", dir.resolve("hook.sh"), log, "never");
        HookLog.hook(hooks, "createContainer", dir.resolve("hook.sh"), log);
        HookLog.hook(hooks, "poststop", dir.resolve("hook.sh"), log);
        TreeSet<String> mountsBefore = FailurePathsTest.mountsUnder(dir);
        OciRuntime.Result r = create(OciRuntime.JSYD, b, id);
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("container " + id + ": createRuntime hook #1 (/bin/sh): exited with status 7:"
                + " output: it broke"), r.describe());
        // the rest of create's hooks are skipped; the container is destroyed, then poststop runs
        assertEquals(List.of("createRuntime", "poststop"), HookLog.kinds(log));
        assertFalse(Files.exists(root.resolve("JSYD").resolve(id)), "state directory left behind");
        assertEquals(mountsBefore, FailurePathsTest.mountsUnder(dir), "mounts left behind");
        assertEquals(List.of(), FailurePathsTest.processesIn(dir), "processes left behind");
        for (Path h : List.of(Path.of("/sys/fs/cgroup/pids", cgroup), Path.of("/sys/fs/cgroup/memory", cgroup),
                Path.of("/sys/fs/cgroup/unified", cgroup), Path.of("/sys/fs/cgroup", cgroup))) {
            assertFalse(Files.isDirectory(h), "cgroup left behind: " + h);
        }
        OciRuntime.Result again = create(OciRuntime.JSYD, bundleWithoutHooks(b), id);
        assertEquals(0, again.status(), "the id is free again\n" + again.describe());
    }

    private static RunBundle bundleWithoutHooks(RunBundle b) {
        b.config.remove("hooks");
        return b;
    }

    @Test
    void aHookPastItsTimeoutUnderCreateIsKilledWithItsChildren() throws IOException {
        String id = id("hk-timeout");
        Path pids = dir.resolve("pids");
        RunBundle b = bundle("bundle", "echo process-ran");
        failing(b.config.putObject("hooks"), "createRuntime",
                "sleep 102 & echo $! > " + pids + "; /usr/bin/setsid sleep 103 & echo $! >> " + pids
                        + "; echo stuck >&2; wait").put("timeout", 1);
        OciRuntime.Result r = create(OciRuntime.JSYD, b, id);
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.err().contains("createRuntime hook #0 (/bin/sh): timed out after 1s and was killed: output: stuck"),
                r.describe());
        for (String pid : Files.readAllLines(pids)) {
            Path stat = Path.of("/proc", pid.strip(), "stat");
            assertFalse(Files.exists(stat) && !Files.readString(stat).contains(") Z"), "the hook's child " + pid
                    + " still runs");
        }
        assertFalse(Files.exists(root.resolve("JSYD").resolve(id)), "state directory left behind");
        assertEquals(List.of(), FailurePathsTest.processesIn(dir), "processes left behind");
    }

    @Test
    void aFailingStartContainerHookFailsStartAndStopsTheContainer() throws IOException {
        // runc 1.1's `start` returns 0 here (its init fails after the fifo, unseen); the spec's
        // step 7 says generate an error and stop the container, which jsyd-oci does
        String id = id("hk-sc-fail");
        Path log = dir.resolve("log");
        Path ran = dir.resolve("process-ran");
        RunBundle b = bundle("bundle", "touch " + ran + "; exec sleep 100");
        ObjectNode hooks = b.config.putObject("hooks");
        HookLog.hook(hooks, "startContainer", dir.resolve("hook.sh"), log);
        failing(hooks, "startContainer", "echo in-container-broke >&2; exit 3");
        HookLog.hook(hooks, "poststart", dir.resolve("hook.sh"), log);
        HookLog.hook(hooks, "poststop", dir.resolve("hook.sh"), log);
        assertEquals(0, create(OciRuntime.JSYD, b, id).status());
        OciRuntime.Result s = cli(OciRuntime.JSYD, "start", id);
        assertEquals(1, s.status(), s.describe());
        assertTrue(s.err().contains("container " + id + ": startContainer hook #1 (/bin/sh): exited with status 3:"
                + " output: in-container-broke"), s.describe());
        assertFalse(Files.exists(ran), "the user process ran");
        assertEquals(List.of("startContainer"), HookLog.kinds(log));
        OciRuntime.Result st = cli(OciRuntime.JSYD, "state", id);
        assertEquals("stopped", SpecJson.mapper().readTree(st.out()).get("status").asString(), st.describe());
        OciRuntime.Result d = cli(OciRuntime.JSYD, "delete", id);
        assertEquals(0, d.status(), d.describe());
        assertEquals(List.of("startContainer", "poststop"), HookLog.kinds(log));
    }

    @Test
    void aFailingPoststartHookFailsStartAndStopsTheContainer() throws IOException {
        String id = id("hk-ps-fail");
        Path log = dir.resolve("log");
        RunBundle b = bundle("bundle", "exec sleep 100");
        ObjectNode hooks = b.config.putObject("hooks");
        failing(hooks, "poststart", "echo post-broke >&2; exit 4");
        HookLog.hook(hooks, "poststart", dir.resolve("hook.sh"), log, "never");
        HookLog.hook(hooks, "poststop", dir.resolve("hook.sh"), log);
        assertEquals(0, create(OciRuntime.JSYD, b, id).status());
        OciRuntime.Result s = cli(OciRuntime.JSYD, "start", id);
        assertEquals(1, s.status(), s.describe());
        assertTrue(s.err().contains("container " + id + ": poststart hook #0 (/bin/sh): exited with status 4:"
                + " output: post-broke"), s.describe());
        OciRuntime.Result st = cli(OciRuntime.JSYD, "state", id);
        assertEquals("stopped", SpecJson.mapper().readTree(st.out()).get("status").asString(), st.describe());
        assertEquals(0, cli(OciRuntime.JSYD, "delete", id).status());
        assertEquals(List.of("poststop"), HookLog.kinds(log));
    }

    @Test
    void aStartContainerHookPastItsTimeoutFailsStart() throws IOException {
        String id = id("hk-sc-timeout");
        RunBundle b = bundle("bundle", "exec sleep 100");
        failing(b.config.putObject("hooks"), "startContainer", "echo stuck-inside; exec sleep 100").put("timeout", 1);
        assertEquals(0, create(OciRuntime.JSYD, b, id).status());
        OciRuntime.Result s = cli(OciRuntime.JSYD, "start", id);
        assertEquals(1, s.status(), s.describe());
        assertTrue(s.err().contains("container " + id + ": startContainer hook #0 (/bin/sh): timed out after 1s and was"
                + " killed: output: stuck-inside"), s.describe());
        OciRuntime.Result st = cli(OciRuntime.JSYD, "state", id);
        assertEquals("stopped", SpecJson.mapper().readTree(st.out()).get("status").asString(), st.describe());
    }

    @Test
    void aPoststartHookMayAskTheRuntimeForTheState() throws IOException {
        // runc's start holds no lock a hook could wait on; neither does jsyd-oci's while poststart runs
        String id = id("hk-ps-state");
        Path seen = dir.resolve("seen");
        RunBundle b = bundle("bundle", "exec sleep 100");
        StringBuilder line = new StringBuilder();
        for (String a : OciRuntime.JSYD.command(root.resolve("JSYD"), "state", id)) {
            line.append(" '").append(a).append('\'');
        }
        failing(b.config.putObject("hooks"), "poststart", line + " > " + seen).put("timeout", 60);
        assertEquals(0, create(OciRuntime.JSYD, b, id).status());
        OciRuntime.Result s = cli(OciRuntime.JSYD, "start", id);
        assertEquals(0, s.status(), s.describe());
        assertEquals("running", SpecJson.mapper().readTree(Files.readString(seen)).get("status").asString());
    }

    @Test
    void aFailingPoststopHookIsAWarningAndDeleteSucceeds() throws IOException {
        String id = id("hk-pst-warn");
        Path log = dir.resolve("log");
        RunBundle b = bundle("bundle", "exec sleep 100");
        ObjectNode hooks = b.config.putObject("hooks");
        failing(hooks, "poststop", "echo stop-broke >&2; exit 5");
        HookLog.hook(hooks, "poststop", dir.resolve("hook.sh"), log);
        assertEquals(0, create(OciRuntime.JSYD, b, id).status());
        assertEquals(0, cli(OciRuntime.JSYD, "start", id).status());
        OciRuntime.Result d = cli(OciRuntime.JSYD, "delete", "--force", id);
        assertEquals(0, d.status(), d.describe());
        assertTrue(d.err().contains("jsyd-oci: warning: container " + id + ": poststop hook #0 (/bin/sh): exited with"
                + " status 5: output: stop-broke"), d.describe());
        // the remaining hooks still run
        assertEquals(List.of("poststop"), HookLog.kinds(log));
        assertFalse(Files.exists(root.resolve("JSYD").resolve(id)));
    }
}
