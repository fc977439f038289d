package io.jsyd.oci.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.spec.model.MemoryPolicyMode;
import io.jsyd.oci.spec.model.NamespaceType;
import io.jsyd.oci.spec.model.PersonalityDomain;
import io.jsyd.oci.spec.model.SchedulerPolicy;
import io.jsyd.oci.spec.model.SeccompFlag;
import io.jsyd.oci.spec.model.Spec;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * config.json -> Spec -> JSON gives the same tree, for every config the tools on a
 * Debian 12 machine generate (captured in spec/generated, see its README) and for
 * hand-written ones that use every runtime-spec 1.3 addition and extension fields
 * at several depths. Each also passes the schema with no problem.
 */
class RoundTripTest {
    @TempDir
    Path dir;

    private final SpecReader reader = new SpecReader();

    @ParameterizedTest
    @ValueSource(strings = {
        "generated/runc-spec.json",
        "generated/runc-spec-rootless.json",
        "generated/crun-spec.json",
        "generated/crun-spec-rootless.json",
        "generated/ctr-oci-spec.json",
        "generated/podman-create.json",
        "generated/podman-create-options.json",
        "handwritten/runtime-spec-1.3.json",
        "handwritten/extensions.json",
    })
    void roundTripsWithoutProblems(String resource) throws Exception {
        Path file = SpecFixtures.write(dir, "config.json", SpecFixtures.text(resource));
        JsonNode tree = reader.readTree(file);
        assertEquals(List.of(), reader.schemaProblems(file, tree));

        LoadedSpec loaded = reader.read(file);
        JsonNode written = SpecJson.tree(loaded.spec());

        assertTrue(SpecFixtures.sameJson(tree, written), () -> "differs after the round trip:\n" + tree + "\n" + written);
        Spec again = SpecJson.mapper().treeToValue(SpecJson.mapper().readTree(SpecJson.pretty(loaded.spec())), Spec.class);
        assertEquals(loaded.spec(), again, "text written from the model reads back to an equal model");
    }

    /** The 1.3 fields must be modelled, not merely carried along as unknown ones. */
    @Test
    void everyRuntimeSpec13FieldIsInTheModel() throws Exception {
        Path file = SpecFixtures.write(dir, "config.json", SpecFixtures.text("handwritten/runtime-spec-1.3.json"));
        Spec spec = reader.read(file).spec();

        assertEquals(List.of(), unknownFields(spec, "$"));
        var process = spec.getProcess();
        assertEquals(SchedulerPolicy.SCHED_DEADLINE, process.getScheduler().getPolicy());
        assertEquals(7, process.getScheduler().getFlags().size());
        assertEquals(4L, process.getIoPriority().getPriority());
        assertEquals("0-3,7", process.getExecCPUAffinity().getFinal());
        assertEquals(new BigInteger("18446744073709551615"), process.getRlimits().get(1).getHard());
        assertEquals(new BigInteger("9223372036854775808"), process.getRlimits().get(2).getHard());
        var linux = spec.getLinux();
        assertEquals(NamespaceType.TIME, linux.getNamespaces().getLast().getType());
        assertEquals(-604800L, linux.getTimeOffsets().getBoottime().getSecs());
        assertEquals(999999999L, linux.getTimeOffsets().getBoottime().getNanosecs());
        assertEquals(List.of("rbind", "ro", "idmap"), spec.getMounts().get(2).getOptions());
        assertEquals(100000L, spec.getMounts().get(2).getUidMappings().getFirst().getHostID());
        assertEquals(PersonalityDomain.LINUX_32, linux.getPersonality().getDomain());
        assertEquals(List.of("L3:0=ffff0;1=3ff", "MB:0=20;1=70"), linux.getIntelRdt().getSchemata());
        assertEquals(true, linux.getIntelRdt().getEnableMonitoring());
        assertEquals("container_eth1", linux.getNetDevices().getAdditionalProperties().get("eth1").getName());
        assertEquals(MemoryPolicyMode.MPOL_INTERLEAVE, linux.getMemoryPolicy().getMode());
        var seccomp = linux.getSeccomp();
        assertEquals(SeccompFlag.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, seccomp.getFlags().getLast());
        assertEquals("/run/seccomp-agent.socket", seccomp.getListenerPath());
        assertEquals("metadata for the agent", seccomp.getListenerMetadata());
        assertEquals(new BigInteger("18446744073709551615"), seccomp.getSyscalls().get(2).getArgs().getFirst().getValue());
    }

    /**
     * Paths of every non-empty additionalProperties map in the model graph. netDevices
     * and rdma are keyed by device name, so their maps are data, not unknown fields.
     */
    private static List<String> unknownFields(Object node, String path) throws Exception {
        List<String> found = new ArrayList<>();
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                found.addAll(unknownFields(item, path + "[" + i++ + "]"));
            }
            return found;
        }
        if (node == null || !node.getClass().getPackageName().equals(Spec.class.getPackageName())
                || node.getClass().isEnum()) {
            return found;
        }
        for (Method m : node.getClass().getMethods()) {
            if (!m.getName().startsWith("get") || m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = m.invoke(node);
            if (m.getName().equals("getAdditionalProperties")) {
                Map<?, ?> extra = (Map<?, ?>) value;
                if (path.endsWith(".netDevices") || path.endsWith(".rdma")) {
                    for (var e : extra.entrySet()) {
                        found.addAll(unknownFields(e.getValue(), path + "." + e.getKey()));
                    }
                } else if (!extra.isEmpty()) {
                    found.add(path + " " + extra.keySet());
                }
            } else {
                String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                found.addAll(unknownFields(value, path + "." + name));
            }
        }
        return found;
    }
}
