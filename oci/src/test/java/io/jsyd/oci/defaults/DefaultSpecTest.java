package io.jsyd.oci.defaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.LinuxNamespace;
import io.jsyd.oci.spec.model.Mount;
import io.jsyd.oci.spec.model.NamespaceType;
import io.jsyd.oci.spec.model.Spec;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultSpecTest {
    @Test
    void rootlessUsesAUserNamespaceMappingRootToTheGivenIds() {
        Spec spec = DefaultSpec.rootless(1000, 1001);
        assertEquals(List.of(NamespaceType.PID, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT,
                NamespaceType.USER), spec.getLinux().getNamespaces().stream().map(LinuxNamespace::getType).toList());
        assertEquals(1000L, spec.getLinux().getUidMappings().getFirst().getHostID());
        assertEquals(1001L, spec.getLinux().getGidMappings().getFirst().getHostID());
        assertEquals(0L, spec.getLinux().getUidMappings().getFirst().getContainerID());
        assertEquals(1L, spec.getLinux().getUidMappings().getFirst().getSize());
        assertNull(spec.getLinux().getResources());
        Mount sys = spec.getMounts().stream().filter(m -> m.getDestination().equals("/sys")).findFirst().orElseThrow();
        assertEquals("/sys", sys.getSource());
        assertEquals("rbind", sys.getOptions().getFirst());
        Mount pts = spec.getMounts().stream().filter(m -> m.getDestination().equals("/dev/pts")).findFirst().orElseThrow();
        assertEquals(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"), pts.getOptions());
    }

    @Test
    void everyCallBuildsAFreshSpec() {
        Spec first = DefaultSpec.standard();
        first.getProcess().getArgs().set(0, "/hello");
        first.getMounts().clear();
        assertEquals(List.of("sh"), DefaultSpec.standard().getProcess().getArgs());
        assertEquals(7, DefaultSpec.standard().getMounts().size());
        assertEquals(SpecJson.tree(DefaultSpec.rootless(5, 6)), SpecJson.tree(DefaultSpec.rootless(5, 6)));
    }
}
