package io.jsyd.oci.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.model.Spec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecValidatorTest {
    @TempDir
    Path dir;
    TestBundle bundle;

    @BeforeEach
    void setUp() {
        bundle = new TestBundle(dir);
    }

    /** Configs written by `runc spec` and `crun spec` (captured on the build machine) are clean. */
    @ParameterizedTest
    @ValueSource(strings = {"runc-spec.json", "runc-spec-rootless.json", "crun-spec.json"})
    void generatedConfigsHaveNoProblems(String resource) {
        ValidationReport report = bundle.validate(TestBundle.resource(resource));
        assertEquals(List.of(), TestBundle.lines(report.errors()));
        assertEquals(List.of(), TestBundle.lines(report.warnings()));
        assertTrue(report.ok());
    }

    /*
     * `crun spec --rootless` creates a user namespace without mappings and lets
     * crun fill them in at run time; runc (and so jsyd-oci) wants them spelled out.
     */
    @Test
    void crunRootlessConfigLacksTheMappingsRuncWants() {
        ValidationReport report = bundle.validate(TestBundle.resource("crun-spec-rootless.json"));
        assertEquals(List.of(
                "$.linux.uidMappings: is missing or empty; the new user namespace at $.linux.namespaces[4] needs uid mappings",
                "$.linux.gidMappings: is missing or empty; the new user namespace at $.linux.namespaces[4] needs gid mappings"),
                TestBundle.lines(report.errors()));
        assertFalse(report.ok());
    }

    @Test
    void everyProblemIsReportedInConfigOrder() {
        ValidationReport report = bundle.validate("""
                {"ociVersion": "2.0.0",
                 "root": {"path": "missing"},
                 "mounts": [{"destination": "tmp", "type": "tmpfs", "source": "tmpfs"}],
                 "process": {"cwd": "home", "args": [], "env": ["NOEQUALS"],
                             "capabilities": {"bounding": ["CAP_NOPE"]}},
                 "hostname": "h",
                 "linux": {"namespaces": [{"type": "pid"}, {"type": "pid"}],
                           "sysctl": {"vm.swappiness": "10"},
                           "maskedPaths": ["proc/kcore"]}}
                """);
        assertEquals(List.of(
                "$.ociVersion: \"2.0.0\" has major version 2; jsyd-oci implements runtime-spec 1.x and major versions are not compatible",
                "$.root.path: \"missing\" (relative to the bundle: " + dir.resolve("missing")
                        + ") does not exist; the root filesystem must be an existing directory",
                "$.process.cwd: \"home\" is not an absolute path; the working directory must be absolute",
                "$.process.args: is missing or empty: its first entry names the program to run",
                "$.process.env[0]: \"NOEQUALS\" is not of the form NAME=VALUE",
                "$.hostname: is set but linux.namespaces has no uts namespace; it would rename the host",
                "$.linux.namespaces[1].type: \"pid\" is already listed at $.linux.namespaces[0]; each namespace type may appear once",
                "$.linux.sysctl['vm.swappiness']: is not namespaced; setting it would change the host's value",
                "$.linux.maskedPaths: is set but linux.namespaces has no mount namespace; it would mask the host's paths",
                "$.linux.maskedPaths[0]: \"proc/kcore\" is not an absolute path; paths inside the container must be absolute",
                "$.linux.readonlyPaths: is set but linux.namespaces has no mount namespace;"
                        + " it would make the host's paths read-only"),
                TestBundle.lines(report.errors()));
        assertEquals(List.of(
                "$.mounts[0].destination: \"tmp\" is relative; it is taken as /tmp, and relative destinations are deprecated",
                "$.process.capabilities.bounding[0]: \"CAP_NOPE\" is not a Linux capability jsyd-oci knows; it is ignored"),
                TestBundle.lines(report.warnings()));
    }

    @Test
    void problemsNameTheConfigFile() {
        ValidationReport report = bundle.validate("""
                {"process": {"cwd": "x"}}""");
        SpecProblem problem = report.errors().getFirst();
        assertEquals(bundle.config, problem.file());
        assertEquals(bundle.config + ": $.process.cwd: \"x\" is not an absolute path;"
                + " the working directory must be absolute", problem.format());
    }

    @Test
    void aRelativeBundleIsRefused() {
        Spec spec = SpecJson.mapper().treeToValue(TestBundle.resource(TestBundle.RUNC_SPEC), Spec.class);
        assertThrows(IllegalArgumentException.class,
                () -> SpecValidator.validate(Path.of("bundle"), Path.of("bundle/config.json"), spec));
    }

    @Test
    void theReportCopiesItsLists() {
        List<SpecProblem> errors = new java.util.ArrayList<>();
        ValidationReport report = new ValidationReport(errors, List.of());
        errors.add(new SpecProblem(Path.of("c"), "$", "m"));
        assertTrue(report.ok());
        assertThrows(UnsupportedOperationException.class, () -> report.errors().add(errors.getFirst()));
    }
}
