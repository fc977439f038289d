package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.runtime.InitStubException;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What `start` makes of the line the init writes into the exec fifo after its 0. */
class StartLateFailureTest {
    private static ContainerRecord record(Map<String, String> afterStart) {
        return new ContainerRecord("1.3.0", "c1", 42, 1, "/b", "/b/rootfs", "now", "root", Map.of(), Map.of(), null,
                null, afterStart, false, null);
    }

    @Test
    void theOpIndexNamesTheOriginCreateRecorded() {
        InitStubException e = Start.lateFailure(record(Map.of("7", "startContainer hook #1 (/bin/sh)")),
                "\n7\t0\texited with status 3: output: broke");
        assertEquals("startContainer hook #1 (/bin/sh): exited with status 3: output: broke", e.getMessage());
        assertEquals(7, e.opIndex());
    }

    @Test
    void anErrnoIsDescribedAndAnUnknownOpStillReported() {
        InitStubException e = Start.lateFailure(record(Map.of()), "\n9\t2\texecve /x");
        assertEquals("container init: execve /x: " + io.jsyd.runtime.linux.Errno.describe(2), e.getMessage());
        assertEquals(2, e.errno());
        assertEquals("container init: failed after start: garbage",
                Start.lateFailure(record(Map.of()), "garbage").getMessage());
    }

    @Test
    void onlyTheOpsFromTheFifoOnAreRecorded() {
        Plan plan = new Plan(List.of(PlanOp.of(OpCode.CHDIR, "process.cwd", new long[0], "/"),
                PlanOp.of(OpCode.WAIT_FIFO, "exec fifo", new long[] {0}),
                PlanOp.of(OpCode.RUN_HOOK, "startContainer hook #0 (/h)", new long[] {0, 0}, "/h", "", "", ""),
                PlanOp.of(OpCode.EXECVE, "process.args", new long[] {1, 0}, "sh", "sh")));
        assertEquals(Map.of("1", "exec fifo", "2", "startContainer hook #0 (/h)", "3", "process.args"),
                Create.afterStart(plan));
    }
}
