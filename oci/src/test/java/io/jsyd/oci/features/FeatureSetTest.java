package io.jsyd.oci.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.jsyd.oci.cli.BuildInfo;
import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.cli.Cli.Result;
import io.jsyd.oci.cli.Tools;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Features;
import io.jsyd.runtime.seccomp.LibseccompVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class FeatureSetTest {
    /**
     * Everything jsyd-oci claims today, besides the informational annotations and
     * seccomp, which says what this host's libseccomp builds (SeccompSupportTest). An
     * issue that implements an area changes its contribution and this document.
     */
    private static final String CLAIMS = """
            {
              "ociVersionMin": "1.0.0",
              "ociVersionMax": "1.3.0",
              "hooks": ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
              "potentiallyUnsafeConfigAnnotations": [],
              "linux": {
                "namespaces": ["mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time"],
                "cgroup": {"v1": true, "v2": true, "systemd": false, "systemdUser": false, "rdma": true},
                "apparmor": {"enabled": false},
                "selinux": {"enabled": false},
                "memoryPolicy": {"modes": [], "flags": []},
                "intelRdt": {"enabled": false, "schemata": false, "monitoring": false},
                "mountExtensions": {"idmap": {"enabled": true}},
                "netDevices": {"enabled": false}
              }
            }
            """;

    private static Schema featuresSchema() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        return registry.getSchema(SchemaLocation.of("classpath:io/jsyd/oci/spec/schema/features-schema.json"));
    }

    private static JsonNode document(Optional<String> libseccomp) {
        return SpecJson.tree(FeatureSet.current("1.2.3", libseccomp).document());
    }

    @Test
    void claimsOnlyWhatIsImplemented() {
        ObjectNode doc = (ObjectNode) document(Optional.of("2.5.4"));
        doc.remove("annotations");
        ((ObjectNode) doc.get("linux")).remove("seccomp");
        // the lists below are checked on their own: every capability of the headers, every decoded option
        List<String> caps = SpecJson.mapper().convertValue(((ObjectNode) doc.get("linux")).remove("capabilities"),
                new tools.jackson.core.type.TypeReference<List<String>>() { });
        assertEquals(java.util.Arrays.stream(io.jsyd.runtime.linux.Capability.values()).map(Enum::name).toList(), caps);
        assertTrue(caps.containsAll(List.of("CAP_CHOWN", "CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE")), caps.toString());
        List<String> options = SpecJson.mapper().convertValue(doc.remove("mountOptions"),
                new tools.jackson.core.type.TypeReference<List<String>>() { });
        assertTrue(options.containsAll(List.of("ro", "nosuid", "rbind", "rprivate", "rro", "idmap", "ridmap", "strictatime",
                "tmpcopyup")), options.toString());
        assertEquals(SpecJson.mapper().readTree(CLAIMS), doc);
    }

    @Test
    void annotationsNameTheRuntimeAndLibseccomp() {
        Features with = FeatureSet.current("1.2.3", Optional.of("2.5.4")).document();
        assertEquals(Map.of("io.jsyd.oci.version", "1.2.3", "io.github.seccomp.libseccomp.version", "2.5.4"),
                with.getAnnotations());
        Features without = FeatureSet.current("1.2.3", Optional.empty()).document();
        assertEquals(Map.of("io.jsyd.oci.version", "1.2.3"), without.getAnnotations());
    }

    @Test
    void theKernelsLandlockAbiIsAnAnnotationWhenProbed() {
        Features doc = FeatureSet.current("1.2.3", Optional.empty(),
                Optional.of(io.jsyd.runtime.landlock.LandlockSupport.abi(6))).document();
        assertEquals(Map.of("io.jsyd.oci.version", "1.2.3", "io.jsyd.oci.landlock.abi", "6"), doc.getAnnotations());
    }

    @Test
    void validatesAgainstTheFeaturesSchema() {
        Schema schema = featuresSchema();
        for (Optional<String> libseccomp : List.of(Optional.of("2.5.4"), Optional.<String>empty())) {
            List<Error> errors = schema.validate(document(libseccomp));
            assertEquals(List.of(), errors.stream().map(Error::toString).toList());
        }
    }

    @Test
    void theSchemaCheckCanFail() {
        // Proves the validation above looks at the document: a broken one is refused.
        ObjectNode broken = (ObjectNode) document(Optional.empty());
        broken.remove("ociVersionMax");
        ((ObjectNode) broken.get("linux").get("seccomp")).put("enabled", "no");
        ((ObjectNode) broken.get("linux")).putArray("namespaces").add("bogus");
        List<Error> errors = featuresSchema().validate(broken);
        assertEquals(3, errors.size(), errors.toString());
    }

    @Test
    void eachContributionAddsSomething() {
        String empty = SpecJson.compact(new Features());
        for (FeatureContribution contribution : FeatureSet.current("1", Optional.of("2.5.4")).contributions()) {
            Features doc = new Features();
            contribution.addTo(doc);
            assertNotEquals(empty, SpecJson.compact(doc), contribution.getClass().getSimpleName());
        }
    }

    @Test
    void featuresCommandPrintsJsonThatJqReads(@TempDir Path cwd) throws Exception {
        Result r = Cli.run(cwd, "features");
        assertEquals(0, r.status());
        assertEquals("", r.err());
        JsonNode printed = SpecJson.mapper().readTree(r.out());
        assertEquals(SpecJson.tree(FeatureSet.current(BuildInfo.version(),
                LibseccompVersion.installed().map(LibseccompVersion::toString),
                Optional.of(io.jsyd.runtime.landlock.LandlockProbe.system().probe())).document()), printed);
        assertTrue(featuresSchema().validate(printed).isEmpty());

        Optional<Tools.Output> jq = Tools.run(cwd, r.out().getBytes(StandardCharsets.UTF_8), "jq", "-e",
                ".ociVersionMin == \"1.0.0\" and .ociVersionMax == \"1.3.0\" and .linux.seccomp.enabled == "
                        + io.jsyd.runtime.seccomp.Libseccomp.load().isPresent());
        assumeTrue(jq.isPresent(), "jq is not installed");
        assertEquals(new Tools.Output(0, "true\n"), jq.get());
        Optional<Tools.Output> broken = Tools.run(cwd, r.out().substring(1).getBytes(StandardCharsets.UTF_8), "jq", ".");
        assertFalse(broken.orElseThrow().status() == 0, "jq must refuse a broken document");
    }
}
