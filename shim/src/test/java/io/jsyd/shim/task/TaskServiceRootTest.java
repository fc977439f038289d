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
import io.jsyd.shim.proto.task.KillRequest;
import io.jsyd.shim.proto.task.PauseRequest;
import io.jsyd.shim.proto.task.PidsRequest;
import io.jsyd.shim.proto.task.PidsResponse;
import io.jsyd.shim.proto.task.ResumeRequest;
import io.jsyd.shim.proto.task.StartRequest;
import io.jsyd.shim.proto.task.StateRequest;
import io.jsyd.shim.proto.task.StateResponse;
import io.jsyd.shim.proto.task.WaitRequest;
import io.jsyd.shim.proto.task.WaitResponse;
import io.jsyd.shim.proto.types.Status;
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
 * The task service in this JVM with real containers (no containerd): what the
 * shim does between containerd's calls, from Create to Delete.
 */
@Tag("root")
class TaskServiceRootTest {
    private static final Path BUSYBOX = TestBundles.BUSYBOX;

    @BeforeAll
    static void needsRootAndBusybox() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static at /bin/busybox");
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessHandle.current().info().user().map("root"::equals)
                .orElse(false), "needs root");
    }

    @Test
    void createStartExecPauseKillDelete(@TempDir Path dir) throws Exception {
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true);
        Reaper reaper = TestReaper.get();
        Path root = dir.resolve("state").resolve("default");
        TaskService s = new TaskService(root, reaper, new Publisher(null, "default", log), log, () -> { });

        // a task that prints and exits 3: its stdout and stderr are the files given
        Path b1 = TestBundles.bundle(dir, "t1", "echo hello $$; echo oops >&2; exit 3", "");
        Path out1 = dir.resolve("t1.out");
        Path err1 = dir.resolve("t1.err");
        CreateTaskResponse c1 = TestBundles.call(s, "Create", CreateTaskRequest.newBuilder().setId("t1").setBundle(b1.toString())
                .setStdout(out1.toString()).setStderr(err1.toString()).build(), CreateTaskResponse.parser());
        assertTrue(c1.getPid() > 0);
        assertEquals(Status.CREATED, TestBundles.call(s, "State", StateRequest.newBuilder().setId("t1").build(),
                StateResponse.parser()).getStatus());
        TestBundles.call(s, "Start", StartRequest.newBuilder().setId("t1").build(), com.google.protobuf.Empty.parser());
        WaitResponse w1 = TestBundles.call(s, "Wait", WaitRequest.newBuilder().setId("t1").build(), WaitResponse.parser());
        assertEquals(3, w1.getExitStatus());
        assertEquals("hello 1\n", Files.readString(out1));
        assertEquals("oops\n", Files.readString(err1));
        DeleteResponse d1 = TestBundles.call(s, "Delete", DeleteRequest.newBuilder().setId("t1").build(), DeleteResponse.parser());
        assertEquals(3, d1.getExitStatus());
        assertEquals(c1.getPid(), d1.getPid());
        assertFalse(Files.exists(root.resolve("t1")), "the state directory goes with Delete");

        // a long-running task: exec, pids, pause, resume, kill
        Path b2 = TestBundles.bundle(dir, "t2", "exec /bin/busybox sleep 1000", "");
        TestBundles.call(s, "Create", CreateTaskRequest.newBuilder().setId("t2").setBundle(b2.toString()).build(),
                CreateTaskResponse.parser());
        TestBundles.call(s, "Start", StartRequest.newBuilder().setId("t2").build(), com.google.protobuf.Empty.parser());
        Path execOut = dir.resolve("e1.out");
        byte[] process = """
                {"args": ["/bin/sh", "-c", "read -r x < /proc/1/comm; echo in $x; exit 5"],
                 "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
                """.getBytes();
        TestBundles.call(s, "Exec", ExecProcessRequest.newBuilder().setId("t2").setExecId("e1").setStdout(execOut.toString())
                .setSpec(Any.newBuilder().setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Process")
                        .setValue(ByteString.copyFrom(process))).build(), com.google.protobuf.Empty.parser());
        TestBundles.call(s, "Start", StartRequest.newBuilder().setId("t2").setExecId("e1").build(),
                com.google.protobuf.Empty.parser());
        assertEquals(5, TestBundles.call(s, "Wait", WaitRequest.newBuilder().setId("t2").setExecId("e1").build(),
                WaitResponse.parser()).getExitStatus());
        assertEquals("in busybox\n", Files.readString(execOut), "the exec ran in the task's pid namespace");
        TestBundles.call(s, "Delete", DeleteRequest.newBuilder().setId("t2").setExecId("e1").build(), DeleteResponse.parser());
        PidsResponse pids = TestBundles.call(s, "Pids", PidsRequest.newBuilder().setId("t2").build(), PidsResponse.parser());
        assertEquals(1, pids.getProcessesCount(), pids.toString());
        TestBundles.call(s, "Pause", PauseRequest.newBuilder().setId("t2").build(), com.google.protobuf.Empty.parser());
        assertEquals(Status.PAUSED, TestBundles.call(s, "State", StateRequest.newBuilder().setId("t2").build(),
                StateResponse.parser()).getStatus());
        TestBundles.call(s, "Resume", ResumeRequest.newBuilder().setId("t2").build(), com.google.protobuf.Empty.parser());
        TtrpcException running = assertThrows(TtrpcException.class,
                () -> s.method("Delete").call(DeleteRequest.newBuilder().setId("t2").build().toByteArray(), Map.of()));
        assertEquals(Code.FAILED_PRECONDITION, running.code());
        TestBundles.call(s, "Kill", KillRequest.newBuilder().setId("t2").setSignal(9).build(), com.google.protobuf.Empty.parser());
        assertEquals(137, TestBundles.call(s, "Wait", WaitRequest.newBuilder().setId("t2").build(), WaitResponse.parser())
                .getExitStatus());
        TtrpcException gone = assertThrows(TtrpcException.class,
                () -> s.method("Kill").call(KillRequest.newBuilder().setId("t2").setSignal(9).build().toByteArray(),
                        Map.of()));
        assertEquals(Code.NOT_FOUND, gone.code());
        assertEquals(Status.STOPPED, TestBundles.call(s, "State", StateRequest.newBuilder().setId("t2").build(),
                StateResponse.parser()).getStatus());
        TestBundles.call(s, "Delete", DeleteRequest.newBuilder().setId("t2").build(), DeleteResponse.parser());
        assertEquals(Code.NOT_FOUND, assertThrows(TtrpcException.class, () -> s.method("State")
                .call(StateRequest.newBuilder().setId("t2").build().toByteArray(), Map.of())).code());
    }
}
