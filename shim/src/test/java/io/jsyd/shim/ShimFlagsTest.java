package io.jsyd.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShimFlagsTest {
    @Test
    void startAsContainerdCallsIt() throws Exception {
        ShimFlags f = ShimFlags.parse(List.of("-namespace", "k8s.io", "-address", "/run/containerd/containerd.sock",
                "-publish-binary", "/usr/bin/containerd", "-id", "abc", "-debug", "start"));
        assertEquals("k8s.io", f.namespace());
        assertEquals("/run/containerd/containerd.sock", f.address());
        assertEquals("/usr/bin/containerd", f.publishBinary());
        assertEquals("abc", f.id());
        assertTrue(f.debug());
        assertEquals("start", f.action());
    }

    @Test
    void goFlagSpellingsAndServeWithoutAction() throws Exception {
        ShimFlags f = ShimFlags.parse(List.of("--namespace=default", "-id=x", "-debug=false", "-socket", "/s"));
        assertEquals("default", f.namespace());
        assertEquals("x", f.id());
        assertFalse(f.debug());
        assertEquals("/s", f.socket());
        assertEquals("", f.action());
        assertEquals("containerd", f.publishBinary(), "Go's default");
    }

    @Test
    void badCommandLinesAreRefusedByName() {
        ShimException e = assertThrows(ShimException.class, () -> ShimFlags.parse(List.of("-bogus", "start")));
        assertTrue(e.getMessage().contains("-bogus"), e.getMessage());
        e = assertThrows(ShimException.class, () -> ShimFlags.parse(List.of("-namespace")));
        assertTrue(e.getMessage().contains("-namespace"), e.getMessage());
        assertThrows(ShimException.class, () -> ShimFlags.parse(List.of("start", "delete")));
        assertThrows(ShimException.class, () -> ShimFlags.parse(List.of("-debug=maybe")));
    }

    @Test
    void socketIsTheSha256OfAddressNamespaceAndGroup() {
        Path s = ShimPaths.socket("/run/containerd/containerd.sock", "default", "pod1");
        assertEquals(Path.of("/run/containerd/s"), s.getParent());
        assertEquals(ShimPaths.sha256("/run/containerd/containerd.sock/default/pod1"), s.getFileName().toString());
        // sha256("abc"), the FIPS 180-2 example: the digest is what Go's sha256.Sum256 prints in %x
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ShimPaths.sha256("abc"));
        assertTrue(s.toString().length() < 108, "fits sockaddr_un");
        assertTrue(!ShimPaths.socket("/other/containerd.sock", "default", "pod1").equals(s));
        assertEquals(ShimPaths.stateRoot("/a.sock", "ns").getParent(), ShimPaths.stateRoot("/a.sock", "other").getParent());
    }

    @Test
    void podGroupComesFromTheSandboxAnnotation(@TempDir Path bundle) throws Exception {
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\",\"annotations\":{"
                + "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"sb1\"}}");
        assertEquals("sb1", ShimMain.group(bundle, "c1"));
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\"}");
        assertEquals("c1", ShimMain.group(bundle, "c1"));
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\",\"annotations\":{"
                + "\"io.containerd.jsyd.v2.group\":\"g\",\"io.kubernetes.cri.sandbox-id\":\"sb1\"}}");
        assertEquals("g", ShimMain.group(bundle, "c1"), "our own label first");
        Files.writeString(bundle.resolve("config.json"), "{not json");
        ShimException e = assertThrows(ShimException.class, () -> ShimMain.group(bundle, "c1"));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
