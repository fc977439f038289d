package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where an exec'd process lands in the container's filesystem. */
class ExecPlanTest {
    private static final ProcessConfig SH = new ProcessConfig(List.of("sh"), List.of("PATH=/bin"), "/tmp", 0, 0,
            List.of(), null, new Capabilities(0, 0, 0, 0, 0), List.of(), true, null, null, null, null, null, null, null);

    @Test
    void withoutTheContainersMountNamespaceToJoinTheProcessIsChrootedInTheRootfs() {
        // a container that shares the runtime's mount namespace lives chrooted in its rootfs
        Plan plan = new ExecLauncher(null, PlanFixture.HOST).plan(PlanFixture.container(SH),
                List.of(new Namespace(NamespaceKind.PID, Path.of("/proc/9/ns/pid"), "pid")), false);
        List<OpCode> codes = PlanFixture.codes(plan);
        int chroot = codes.indexOf(OpCode.CHROOT);
        assertTrue(chroot > codes.indexOf(OpCode.SETNS) && chroot < codes.indexOf(OpCode.CLONE_INIT), codes.toString());
        assertEquals(List.of("/b/rootfs"), plan.ops().get(chroot).texts());
        assertTrue(chroot < codes.indexOf(OpCode.CHDIR), "the working directory is one of the rootfs");
    }

    @Test
    void joiningTheContainersMountNamespaceIsAllItTakes() {
        Plan plan = new ExecLauncher(null, PlanFixture.HOST).plan(PlanFixture.container(SH),
                List.of(new Namespace(NamespaceKind.MOUNT, Path.of("/proc/9/ns/mnt"), "mnt")), false);
        assertTrue(!PlanFixture.codes(plan).contains(OpCode.CHROOT));
    }
}
