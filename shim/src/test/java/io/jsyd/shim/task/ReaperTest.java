package io.jsyd.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.linux.Spawn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The reaper and the ptrace layer's tracers in one process: an exited child that a
 * tracer follows stays for that tracer to wait for (the reaper does not take it),
 * and once no tracer follows it the reaper reaps it and reports its status.
 */
class ReaperTest {
    private static String state(int pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void aTracedChildIsLeftToItsTracerAndReapedOnceNoTracerFollowsIt() throws Exception {
        Reaper reaper = TestReaper.get();
        AtomicBoolean traced = new AtomicBoolean(true);
        AtomicInteger child = new AtomicInteger();
        reaper.leaveTraced(pid -> traced.get() && pid == child.get());
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        int pid = reaper.launch(reg -> {
            int p = Spawn.spawn("/bin/sh", List.of("sh", "-c", "exit 7"), List.of(), 0, List.of());
            child.set(p);
            reg.watch(p, exit::complete);
            return p;
        });
        try {
            for (int i = 0; i < 500 && !state(pid).equals("Z"); i++) {
                Thread.sleep(20);
            }
            assertEquals("Z", state(pid), "the child exited");
            // the reaper looks again every few ms: give it many turns
            Thread.sleep(300);
            assertFalse(exit.isDone(), "the reaper took a traced child's exit");
            assertEquals("Z", state(pid), "the traced child's zombie is the tracer's to reap");
        } finally {
            traced.set(false);
        }
        assertEquals(7, exit.get(30, TimeUnit.SECONDS));
        assertTrue(Files.notExists(Path.of("/proc/" + pid)), "reaped");
    }
}
