package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.convert.PolicySource;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.container.Capabilities;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.container.Namespace;
import io.jsyd.runtime.container.NamespaceKind;
import io.jsyd.runtime.container.ProcessConfig;
import io.jsyd.runtime.landlock.LandlockProbe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The policy's Landlock part reaching the config, against simulated kernels (no root, no container). */
class SandboxLandlockTest {
    private static final ContainerConfig CONFIG = new ContainerConfig("c", Path.of("/b/rootfs"), false,
            List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]")), List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of(), List.of(), "", "", Map.of(), 0, false,
            new ProcessConfig(List.of("sh"), List.of(), "/", 0, 0, List.of(), null, new Capabilities(0, 0, 0, 0, 0),
                    List.of(), true, null, null, null, null), 0);

    private static Sandbox sandbox(String policy, PrintStream err) throws Exception {
        Spec spec = new Spec();
        spec.setAnnotations(Map.of(PolicySource.POLICY_ANNOTATION, policy));
        return Sandbox.load("c1", spec, Path.of("/b/config.json"), Optional.empty(), null, err);
    }

    @Test
    void aStrictPolicyAnOldKernelCannotApplyFailsTheStartNamingTheRule() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Sandbox s = sandbox("sandbox/lock:on\nallow/lock/connect+443\n", new PrintStream(err, true,
                StandardCharsets.UTF_8))) {
            ContainerFailedException e = assertThrows(ContainerFailedException.class,
                    () -> s.apply(CONFIG, LandlockProbe.fixed(3)));
            assertTrue(e.getMessage().contains("allow/lock/connect+443 (annotation " + PolicySource.POLICY_ANNOTATION
                    + " in /b/config.json:2): TCP ports need Landlock ABI 4, this kernel has 3"), e.getMessage());
        }
    }

    @Test
    void bestEffortAppliesWhatItCanAndLogsTheRestAsJson() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Sandbox s = sandbox("sandbox/lock:on\ndefault/lock:warn\nlock/scope:none\nallow/lock/read+/bin\n"
                + "allow/lock/connect+443\n", new PrintStream(err, true, StandardCharsets.UTF_8))) {
            ContainerConfig c = s.apply(CONFIG, LandlockProbe.fixed(3));
            assertEquals(3, c.process().landlock().abi());
            assertEquals(List.of("/bin"), c.process().landlock().paths().stream().map(g -> g.path()).toList());
            assertEquals(List.of(), c.process().landlock().ports());
            assertNull(c.process().supervisor(), "Landlock alone needs no supervisor");
        }
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.matches("\\{\"time\":\"[^\"]+\",\"id\":\"c1\",\"category\":\"lock\","
                + "\"action\":\"warn\",\"note\":\".+\"}")), lines.toString());
        assertTrue(lines.get(0).contains("ioctl (needs ABI 5): it stays unrestricted"), lines.get(0));
    }

    @Test
    void withoutLandlockTheConfigIsUnchanged() throws Exception {
        try (Sandbox s = sandbox("timeout:30s\n", new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8))) {
            assertEquals(CONFIG, s.apply(CONFIG, LandlockProbe.fixed(0)));
        }
    }
}
