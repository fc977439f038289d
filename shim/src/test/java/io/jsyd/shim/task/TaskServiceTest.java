package io.jsyd.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.ConflictException;
import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.UsageException;
import io.jsyd.shim.proto.task.ConnectRequest;
import io.jsyd.shim.proto.task.ConnectResponse;
import io.jsyd.shim.proto.task.CreateTaskRequest;
import io.jsyd.shim.proto.task.ShutdownRequest;
import io.jsyd.shim.proto.task.StateRequest;
import io.jsyd.shim.ttrpc.Code;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the task service answers without any container made (no root needed). */
class TaskServiceTest {
    private static TaskService service(Path root, AtomicInteger shutdowns) {
        PrintStream log = new PrintStream(new ByteArrayOutputStream());
        return new TaskService(root, new Reaper(log), new Publisher(null, "default", log), log,
                shutdowns::incrementAndGet);
    }

    @Test
    void unknownContainersAreNotFound(@TempDir Path root) {
        TaskService s = service(root, new AtomicInteger());
        TtrpcException e = assertThrows(TtrpcException.class, () -> s.method("State")
                .call(StateRequest.newBuilder().setId("nope").build().toByteArray(), Map.of()));
        assertEquals(Code.NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void shutdownWithNoContainerEndsTheShim(@TempDir Path root) throws Exception {
        AtomicInteger shutdowns = new AtomicInteger();
        TaskService s = service(root, shutdowns);
        s.method("Shutdown").call(ShutdownRequest.newBuilder().setId("x").build().toByteArray(), Map.of());
        assertEquals(1, shutdowns.get());
        ConnectResponse c = ConnectResponse.parseFrom(s.method("Connect")
                .call(ConnectRequest.newBuilder().setId("x").build().toByteArray(), Map.of()).toByteString());
        assertEquals(ProcessHandle.current().pid(), c.getShimPid());
        assertTrue(c.getVersion().startsWith("jsyd-oci "), c.getVersion());
    }

    @Test
    void whatTheShimCannotDoIsUnimplementedNotIgnored(@TempDir Path root) {
        TaskService s = service(root, new AtomicInteger());
        for (String m : new String[] {"Checkpoint"}) {
            TtrpcException e = assertThrows(TtrpcException.class, () -> s.method(m).call(new byte[0], Map.of()), m);
            assertEquals(Code.UNIMPLEMENTED, e.code(), m);
        }
        TtrpcException e = assertThrows(TtrpcException.class, () -> s.method("Create").call(CreateTaskRequest
                .newBuilder().setId("t").setBundle(root.toString()).setCheckpoint("/cp").build().toByteArray(),
                Map.of()));
        assertEquals(Code.UNIMPLEMENTED, e.code());
        e = assertThrows(TtrpcException.class, () -> s.method("ResizePty").call(
                io.jsyd.shim.proto.task.ResizePtyRequest.newBuilder().setId("t").build().toByteArray(), Map.of()));
        assertEquals(Code.NOT_FOUND, e.code());
        e = assertThrows(TtrpcException.class, () -> s.method("Update").call(
                io.jsyd.shim.proto.task.UpdateTaskRequest.newBuilder().setId("t").build().toByteArray(), Map.of()));
        assertEquals(Code.NOT_FOUND, e.code());
        assertNull(s.method("NoSuchMethod"));
        assertNotNull(s.method("Wait"));
    }

    @Test
    void frontEndErrorsMapToContainerdsErrdefs() {
        assertEquals(Code.FAILED_PRECONDITION,
                TaskService.failure("start x", new ContainerStateException("container not running")).code());
        assertEquals(Code.ALREADY_EXISTS, TaskService.failure("create x", new ConflictException("x exists")).code());
        TtrpcException e = TaskService.failure("create x", new UsageException("bad"));
        assertEquals(Code.INVALID_ARGUMENT, e.code());
        assertEquals("create x: bad", e.getMessage());
    }
}
