package io.jsyd.oci.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.container.Console;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.container.CpuAffinity;
import io.jsyd.runtime.container.IdMapping;
import io.jsyd.runtime.container.MountEntry;
import io.jsyd.runtime.linux.LinuxConstants;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The spec-to-kernel conversion on runc's default config with a merge patch, no root needed. */
class SpecConverterTest {
    private static final Path BUNDLE = Path.of("/b");

    private static Spec spec(String patch) throws IOException {
        ObjectNode config;
        try (InputStream in = SpecConverterTest.class.getResourceAsStream("/io/jsyd/oci/validate/runc-spec.json")) {
            config = (ObjectNode) SpecJson.mapper().readTree(in);
        }
        merge(config, SpecJson.mapper().readTree(patch));
        return SpecJson.mapper().treeToValue(config, Spec.class);
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode current = target.get(e.getKey());
            if (e.getValue().isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        }
    }

    private static ContainerConfig convert(String patch) throws Exception {
        return SpecConverter.convert(spec(patch), new SpecConverter.Options("c", BUNDLE, BUNDLE.resolve("config.json"),
                false, 0)).config();
    }

    private static List<String> errors(String patch) throws Exception {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> convert(patch));
        return e.problems().stream().map(p -> p.jsonPath() + ": " + p.message()).toList();
    }

    private static MountEntry lastMount(ContainerConfig c) {
        return c.mounts().getLast();
    }

    @Test
    void rootfsPropagationIsTheRootMountAloneAsRuncMapsIt() throws Exception {
        assertEquals(0, convert("{}").rootPropagation());
        assertEquals(LinuxConstants.MS_SHARED, convert("{\"linux\": {\"rootfsPropagation\": \"shared\"}}").rootPropagation());
        assertEquals(LinuxConstants.MS_SLAVE, convert("{\"linux\": {\"rootfsPropagation\": \"slave\"}}").rootPropagation());
        assertEquals(LinuxConstants.MS_UNBINDABLE,
                convert("{\"linux\": {\"rootfsPropagation\": \"unbindable\"}}").rootPropagation());
    }

    @Test
    void aTerminalTakesTheConsoleSize() throws Exception {
        assertNull(convert("{\"process\": {\"terminal\": false}}").process().console());
        assertEquals(new Console(0, 0), convert("{\"process\": {\"terminal\": true}}").process().console());
        assertEquals(new Console(40, 120), convert(
                "{\"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 40, \"width\": 120}}}").process().console());
    }

    @Test
    void execCpuAffinityBecomesMaskWords() throws Exception {
        CpuAffinity a = convert("{\"process\": {\"execCPUAffinity\": {\"initial\": \"0-2,65\", \"final\": \"1\"}}}")
                .process().cpuAffinity();
        assertEquals(List.of(0b111L, 1L << 1), a.initial());
        assertEquals(List.of(0b10L), a.last());
        assertEquals(List.of(), CpuAffinity.parse(""));
    }

    @Test
    void socketActivationAddsToTheEnvironment() throws Exception {
        ContainerConfig c = SpecConverter.convert(spec("{}"), new SpecConverter.Options("c", BUNDLE,
                BUNDLE.resolve("config.json"), false, 2, ResourcesConverter.Driver.CGROUPFS, List.of("LISTEN_FDS=2", "LISTEN_PID=1"))).config();
        assertEquals(List.of("LISTEN_FDS=2", "LISTEN_PID=1"), c.process().env().subList(2, 4));
        assertEquals(2, c.keepFds());
    }

    @Test
    void everyHookKindConverts() throws Exception {
        // converts without a problem (convert throws on any); the hooks module runs them
        convert("{\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\"}],"
                + " \"createRuntime\": [{\"path\": \"/bin/true\"}], \"poststart\": [{\"path\": \"/bin/true\"}],"
                + " \"createContainer\": [{\"path\": \"/bin/true\"}], \"startContainer\": [{\"path\": \"/bin/true\"}],"
                + " \"poststop\": [{\"path\": \"/bin/true\"}]}}");
        var hooks = HookConverter.convert(spec("{\"hooks\": {\"createContainer\": [{\"path\": \"/bin/x\","
                + " \"args\": [\"x\", \"-v\"], \"env\": [\"A=b\"], \"timeout\": 3}], \"poststop\": [{\"path\": \"/bin/y\"}]}}"),
                BUNDLE);
        assertEquals(List.of(new io.jsyd.hooks.Hook("/bin/x", List.of("x", "-v"), List.of("A=b"), java.time.Duration.ofSeconds(3))),
                hooks.of(io.jsyd.hooks.HookKind.CREATE_CONTAINER));
        assertEquals(List.of("/bin/y"), hooks.of(io.jsyd.hooks.HookKind.POSTSTOP).getFirst().argv());
        assertEquals(BUNDLE.toAbsolutePath().normalize(), hooks.dir());
    }

    @Test
    void tmpcopyupCopiesUpOnTmpfsOnly() throws Exception {
        MountEntry t = lastMount(convert("{\"mounts\": " + withMount("{\"destination\": \"/t\", \"type\": \"tmpfs\","
                + " \"source\": \"tmpfs\", \"options\": [\"tmpcopyup\", \"size=1m\"]}") + "}"));
        assertTrue(t.copyUp());
        assertEquals("size=1m", t.data(), "not passed to the kernel as data");
        MountEntry b = lastMount(convert("{\"mounts\": " + withMount("{\"destination\": \"/b\", \"type\": \"bind\","
                + " \"source\": \"/src\", \"options\": [\"rbind\", \"tmpcopyup\"]}") + "}"));
        assertFalse(b.copyUp(), "runc copies up into a tmpfs only");
    }

    @Test
    void idmapUsesTheContainersMappingOrTheMountsOwn() throws Exception {
        String userns = "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}],"
                + " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
                + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]}";
        MountEntry m = lastMount(convert("{" + userns + ", \"mounts\": "
                + withMount("{\"destination\": \"/d\", \"source\": \"/src\", \"options\": [\"rbind\", \"idmap\"]}") + "}"));
        assertEquals(new MountEntry.IdMap(false, List.of(), List.of()), m.idmap());
        MountEntry own = lastMount(convert("{\"mounts\": " + withMount("{\"destination\": \"/d\", \"source\": \"/src\","
                + " \"options\": [\"rbind\", \"ridmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                + " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1001, \"size\": 1}]}") + "}"));
        assertEquals(new MountEntry.IdMap(true, List.of(new IdMapping(0, 1000, 1)), List.of(new IdMapping(0, 1001, 1))),
                own.idmap());
        assertNull(lastMount(convert("{}")).idmap());
    }

    @Test
    void idmapErrorsNameTheMount() throws Exception {
        assertEquals(List.of("$.mounts[7].options: \"idmap\" without uidMappings/gidMappings needs the container's"
                + " user namespace, and the container has none"), errors("{\"mounts\": "
                + withMount("{\"destination\": \"/d\", \"source\": \"/src\", \"options\": [\"bind\", \"idmap\"]}") + "}"));
        assertEquals(List.of("$.mounts[7].options: \"idmap\" on a mount that is not a bind mount is not supported by"
                + " jsyd-oci yet"), errors("{\"mounts\": " + withMount("{\"destination\": \"/d\", \"type\": \"tmpfs\","
                + " \"source\": \"tmpfs\", \"options\": [\"idmap\"]}") + "}"));
    }

    /** runc's default mounts (0-6) and this one as mounts[7]. */
    private static String withMount(String mount) throws IOException {
        String mounts;
        try (InputStream in = SpecConverterTest.class.getResourceAsStream("/io/jsyd/oci/validate/runc-spec.json")) {
            mounts = SpecJson.mapper().readTree(in).get("mounts").toString();
        }
        return mounts.substring(0, mounts.length() - 1) + ", " + mount + "]";
    }
}
