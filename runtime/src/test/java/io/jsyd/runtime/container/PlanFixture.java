package io.jsyd.runtime.container;

import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The smallest host and container the planner takes, for the tests that check
 * where the plan puts one thing (a filter, Landlock, a cgroup, the tracer's stop).
 */
final class PlanFixture {
    /** "return ALLOW": eight bytes of BPF, with NUL bytes in them. */
    static final byte[] ALLOW_PROGRAM = {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f};

    /** Every path a directory, none a file, no mounts, capabilities up to 40. */
    static final HostView HOST = host(List.of());

    private PlanFixture() {
    }

    static HostView host(List<HostView.MountInfo> mounts) {
        return new HostView() {
            @Override
            public boolean isDirectory(String hostPath) {
                return true;
            }

            @Override
            public boolean exists(String hostPath) {
                return false;
            }

            @Override
            public List<MountInfo> mounts() {
                return mounts;
            }

            @Override
            public int lastCapability() {
                return 40;
            }
        };
    }

    /** Container "c" with a mount namespace of its own and nothing else, running {@code process}. */
    static ContainerConfig container(ProcessConfig process) {
        return new ContainerConfig("c", Path.of("/b/rootfs"), false,
                List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), "", "", Map.of(), 0, false, process, 0);
    }

    static List<OpCode> codes(Plan plan) {
        return plan.ops().stream().map(PlanOp::code).toList();
    }
}
