package io.jsyd.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jsyd.shim.proto.task.CreateTaskRequest;
import io.jsyd.shim.proto.task.CreateTaskResponse;
import io.jsyd.shim.proto.task.DeleteRequest;
import io.jsyd.shim.proto.task.DeleteResponse;
import io.jsyd.shim.proto.task.ExecProcessRequest;
import io.jsyd.shim.proto.task.StartRequest;
import io.jsyd.shim.proto.task.WaitRequest;
import io.jsyd.shim.proto.task.WaitResponse;
import io.jsyd.shim.ttrpc.Code;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox policy in the task service (the shim's JVM supervises it, no
 * daemon): decisions in ROOT/ID/sandbox.log, exec'd processes under the same
 * policy, the timeout's 124 in Wait, the ptrace layer's tracer reaping the init
 * and exec'd processes while their statuses still reach Wait, and a bad policy
 * failing Create with nothing left.
 */
@Tag("root")
class TaskServicePolicyRootTest {
    private static final Path BUSYBOX = TestBundles.BUSYBOX;

    @BeforeAll
    static void needsRootAndBusybox() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at /bin/busybox");
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessHandle.current().info().user().map("root"::equals)
                .orElse(false), "needs root");
    }

    private record Shim(TaskService service, Path root) {
    }

    private static Shim shim(Path dir) {
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true);
        Reaper reaper = TestReaper.get();
        Path root = dir.resolve("state").resolve("default");
        return new Shim(new TaskService(root, reaper, new Publisher(null, "default", log), log, () -> { }), root);
    }

    private static void create(Shim s, String id, Path bundle, Path out) throws Exception {
        TestBundles.call(s.service(), "Create", CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                .setStdout(out.toString()).build(), CreateTaskResponse.parser());
        TestBundles.call(s.service(), "Start", StartRequest.newBuilder().setId(id).build(), com.google.protobuf.Empty.parser());
    }

    private static int await(Shim s, String id, String execId) throws Exception {
        return TestBundles.call(s.service(), "Wait", WaitRequest.newBuilder().setId(id).setExecId(execId).build(),
                WaitResponse.parser()).getExitStatus();
    }

    /** Runs {@code script} as an exec'd process of {@code id}; its exit status. */
    private static int exec(Shim s, String id, String execId, String script, Path out) throws Exception {
        byte[] process = """
                {"args": ["/bin/sh", "-c", "%s"], "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
                """.formatted(script).getBytes();
        TestBundles.call(s.service(), "Exec", ExecProcessRequest.newBuilder().setId(id).setExecId(execId)
                .setStdout(out.toString()).setSpec(Any.newBuilder()
                        .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Process")
                        .setValue(ByteString.copyFrom(process))).build(), com.google.protobuf.Empty.parser());
        TestBundles.call(s.service(), "Start", StartRequest.newBuilder().setId(id).setExecId(execId).build(),
                com.google.protobuf.Empty.parser());
        int status = await(s, id, execId);
        TestBundles.call(s.service(), "Delete", DeleteRequest.newBuilder().setId(id).setExecId(execId).build(),
                DeleteResponse.parser());
        return status;
    }

    private static void kill(Shim s, String id) throws Exception {
        TestBundles.call(s.service(), "Kill", io.jsyd.shim.proto.task.KillRequest.newBuilder().setId(id).setSignal(9).build(),
                com.google.protobuf.Empty.parser());
        await(s, id, "");
        TestBundles.call(s.service(), "Delete", DeleteRequest.newBuilder().setId(id).build(), DeleteResponse.parser());
    }

    @Test
    void aDeniedReadFailsAndIsLoggedForTheInitAndAnExecdProcess(@TempDir Path dir) throws Exception {
        Shim s = shim(dir);
        String policy = "\"org.jsyd.policy\": \"sandbox/read:on\\nallow/read+/***\\ndeny/read+/etc/secret\"";
        Path out = dir.resolve("c1.out");
        create(s, "c1", TestBundles.bundle(dir, "c1", "cat /etc/secret; echo init=$?; exec sleep 1000", policy), out);
        Path log = s.root().resolve("c1").resolve("sandbox.log");
        Path execOut = dir.resolve("e1.out");
        assertEquals(0, exec(s, "c1", "e1", "cat /etc/passwd", execOut), "an allowed read works");
        assertTrue(Files.readString(execOut).startsWith("root:"), Files.readString(execOut));
        assertEquals(1, exec(s, "c1", "e2", "cat /etc/secret", dir.resolve("e2.out")), "the exec'd process is confined");
        assertTrue(Files.readString(out).contains("init=1"), Files.readString(out));
        String lines = Files.readString(log);
        assertEquals(2, lines.lines().filter(l -> l.contains("\"path\":\"/etc/secret\"") && l.contains("\"action\":\"deny\"")
                && l.contains("\"id\":\"c1\"")).count(), lines);
        kill(s, "c1");
        assertFalse(Files.exists(s.root().resolve("c1")));
    }

    @Test
    void theTimeoutEndsTheContainerWith124(@TempDir Path dir) throws Exception {
        Shim s = shim(dir);
        create(s, "c2", TestBundles.bundle(dir, "c2", "exec sleep 1000", "\"org.jsyd.timeout\": \"1s\""), dir.resolve("c2.out"));
        assertEquals(124, await(s, "c2", ""));
        TestBundles.call(s.service(), "Delete", DeleteRequest.newBuilder().setId("c2").build(), DeleteResponse.parser());
    }

    @Test
    void tracedProcessesAreReapedByTheirTracerAndTheirStatusesReachWait(@TempDir Path dir) throws Exception {
        Shim s = shim(dir);
        Path out = dir.resolve("c3.out");
        create(s, "c3", TestBundles.bundle(dir, "c3", "cp /bin/busybox /tmp/bb; /tmp/bb true; echo tpe=$?; exit 7",
                "\"org.jsyd.policy\": \"sandbox/tpe:on\""), out);
        assertEquals(7, await(s, "c3", ""), "the traced init's own status");
        assertTrue(Files.readString(out).contains("tpe=126"), Files.readString(out));
        assertTrue(Files.readString(s.root().resolve("c3").resolve("sandbox.log")).contains("\"category\":\"tpe\""));
        TestBundles.call(s.service(), "Delete", DeleteRequest.newBuilder().setId("c3").build(), DeleteResponse.parser());

        create(s, "c4", TestBundles.bundle(dir, "c4", "exec sleep 1000", "\"org.jsyd.policy\": \"sandbox/tpe:on\""),
                dir.resolve("c4.out"));
        assertEquals(5, exec(s, "c4", "e1", "/bin/true && exit 5", dir.resolve("e1.out")),
                "a traced exec'd process's status");
        assertEquals(126, exec(s, "c4", "e2", "cp /bin/busybox /tmp/bb2; /tmp/bb2 true", dir.resolve("e2.out")));
        kill(s, "c4");
    }

    @Test
    void aBadPolicyFailsCreateNamingItAndLeavesNothing(@TempDir Path dir) throws Exception {
        Shim s = shim(dir);
        Path b = TestBundles.bundle(dir, "c5", "true", "\"org.jsyd.policy\": \"sandbox/read:maybe\"");
        TtrpcException e = assertThrows(TtrpcException.class, () -> s.service().method("Create").call(
                CreateTaskRequest.newBuilder().setId("c5").setBundle(b.toString()).build().toByteArray(), Map.of()));
        assertEquals(Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("org.jsyd.policy"), e.getMessage());
        assertFalse(Files.exists(s.root().resolve("c5")));
    }
}
