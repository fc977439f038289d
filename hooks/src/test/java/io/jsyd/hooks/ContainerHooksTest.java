package io.jsyd.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.container.HookPoints;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerHooksTest {
    @TempDir
    Path dir;

    private static final StateJson STATE = (status, pid) ->
            ("{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":\"" + status + "\""
                    + (pid > 0 ? ",\"pid\":" + pid : "") + ",\"bundle\":\"/b\"}").getBytes(StandardCharsets.UTF_8);

    @Test
    void inContainerKindsBecomeInitOpsWithThePidLeftForTheInit() {
        ContainerHooks hooks = new ContainerHooks(Map.of(
                HookKind.CREATE_CONTAINER, List.of(new Hook("/h", List.of("h", "-x"), List.of("A=1"), Duration.ofSeconds(2))),
                HookKind.START_CONTAINER, List.of(new Hook("/s", List.of(), List.of(), null))), dir);
        HookPoints p = hooks.launchPoints(STATE);
        assertFalse(p.parentBeforePivot(), "no prestart or createRuntime: the init does not stop for the parent");
        PlanOp cc = p.initBeforePivot("/b/rootfs").getFirst();
        assertEquals(OpCode.RUN_HOOK, cc.code());
        assertEquals("createContainer hook #0 (/h)", cc.origin());
        assertEquals(List.of(2000L, 2L), List.of(cc.ints()[0], cc.ints()[1]));
        assertEquals(List.of("/h", "/b/rootfs", "{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":\"creating\",\"pid\":",
                ",\"bundle\":\"/b\"}", "h", "-x", "A=1"), cc.texts());
        PlanOp sc = p.initBeforeExec().getFirst();
        assertEquals("startContainer hook #0 (/s)", sc.origin());
        assertEquals(List.of(0L, 1L), List.of(sc.ints()[0], sc.ints()[1]));
        assertEquals(List.of("/s", "", "{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":\"created\",\"pid\":",
                ",\"bundle\":\"/b\"}", "/s"), sc.texts());
    }

    @Test
    void prestartThenCreateRuntimeRunBeforeThePivotAndAFailureStopsThere() throws Exception {
        Path log = dir.resolve("log");
        Hook append = new Hook("/bin/sh", List.of("sh", "-c", "echo \"$0 $(cat)\" >> " + log, "pre"), List.of(), null);
        Hook appendCr = new Hook("/bin/sh", List.of("sh", "-c", "echo \"$0 $(cat)\" >> " + log, "cr"), List.of(), null);
        Hook fail = new Hook("/bin/sh", List.of("sh", "-c", "exit 4"), List.of(), null);
        ContainerHooks hooks = new ContainerHooks(Map.of(HookKind.CREATE_RUNTIME, List.of(appendCr, fail, appendCr),
                HookKind.PRESTART, List.of(append)), dir);
        HookPoints p = hooks.launchPoints(STATE);
        assertTrue(p.parentBeforePivot());
        HookFailedException e = assertThrows(HookFailedException.class, () -> p.beforePivot(42));
        assertEquals(HookKind.CREATE_RUNTIME, e.kind());
        assertEquals(1, e.index());
        String state = "{\"ociVersion\":\"1.3.0\",\"id\":\"c\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}";
        assertEquals(List.of("pre " + state, "cr " + state), Files.readAllLines(log));
    }

    @Test
    void aStateWithoutThePidFieldIsRefused() {
        ContainerHooks hooks = new ContainerHooks(Map.of(HookKind.START_CONTAINER,
                List.of(new Hook("/s", List.of(), List.of(), null))), dir);
        HookPoints p = hooks.launchPoints((status, pid) -> "{}".getBytes(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, p::initBeforeExec);
    }
}
