package io.jsyd.oci.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.SpecReader;
import io.jsyd.oci.spec.model.LinuxSeccomp;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.seccomp.FilterFlag;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompConstants;
import io.jsyd.runtime.seccomp.SeccompFilter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** linux.seccomp into a filter: runc's defaults, and every refusal at its JSON path. Needs libseccomp, not root. */
class SeccompConverterTest {
    private static final Path CONFIG = Path.of("/b/config.json");

    @BeforeAll
    static void library() {
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
    }

    private static SeccompConverter.Result convert(String json) {
        return SeccompConverter.convert(SpecJson.mapper().readValue(json, LinuxSeccomp.class), CONFIG);
    }

    private static List<String> lines(List<SpecProblem> problems) {
        return problems.stream().map(p -> p.jsonPath() + ": " + p.message()).toList();
    }

    private static SeccompFilter ok(String json) {
        SeccompConverter.Result r = convert(json);
        assertEquals(List.of(), lines(r.errors()));
        assertNotNull(r.filter());
        return r.filter();
    }

    private static void assertErrors(String json, String... expected) {
        SeccompConverter.Result r = convert(json);
        assertEquals(List.of(expected), lines(r.errors()));
        assertNull(r.filter());
    }

    static Spec podmanSpec() throws Exception {
        try (InputStream in = SeccompConverterTest.class.getResourceAsStream("/spec/generated/podman-create.json")) {
            return SpecJson.mapper().readValue(in, Spec.class);
        }
    }

    @Test
    void podmansDefaultProfileCompiles() throws Exception {
        LinuxSeccomp profile = podmanSpec().getLinux().getSeccomp();
        SeccompConverter.Result r = SeccompConverter.convert(profile, CONFIG);
        assertEquals(List.of(), lines(r.errors()));
        SeccompFilter f = r.filter();
        assertTrue(f.instructions() > 100, f.toString());
        assertTrue(!f.listener());
        // no "flags" in podman's profile: runc's default SPEC_ALLOW, where the kernel has it
        long specAllow = Libseccomp.get().kernelAccepts(FilterFlag.SPEC_ALLOW) ? FilterFlag.SPEC_ALLOW.bit() : 0;
        assertEquals(specAllow, f.flags());
        // every skipped name is one libseccomp does not know, reported at its own path
        for (SpecProblem w : r.warnings()) {
            assertTrue(w.jsonPath().matches("\\$\\.linux\\.seccomp\\.syscalls\\[\\d+]\\.names\\[\\d+]"), w.format());
            String name = w.message().substring(1, w.message().indexOf('"', 1));
            assertTrue(Libseccomp.get().syscall(name).isEmpty(), name);
        }
    }

    @Test
    void errnoRetDefaultsToEperm() {
        String rule = "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\"%s}";
        SeccompFilter implicit = ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [" + rule.formatted("") + "]}");
        SeccompFilter eperm = ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                + rule.formatted(", \"errnoRet\": 1") + "]}");
        SeccompFilter enosys = ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                + rule.formatted(", \"errnoRet\": 38") + "]}");
        assertEquals(eperm, implicit);
        assertNotEquals(eperm, enosys);
        assertEquals(ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\"}"), ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1}"));
    }

    @Test
    void flagsAsRuncReadsThem() {
        assumeTrue(Libseccomp.get().kernelAccepts(FilterFlag.LOG), "SECCOMP_FILTER_FLAG_LOG is not offered here");
        assertEquals(0, ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": []}").flags());
        assertEquals(0, ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\"]}").flags());
        assertEquals(SeccompConstants.SECCOMP_FILTER_FLAG_LOG, ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
                + " \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_TSYNC\"]}").flags());
    }

    @Test
    void notifyGetsAListenerAndWaitKillableRecvWithIt() {
        assumeTrue(Libseccomp.get().kernelAccepts(FilterFlag.WAIT_KILLABLE_RECV), "needs Linux 5.19");
        SeccompFilter f = ok("""
                {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
                 "listenerPath": "/run/agent.sock",
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}""");
        assertTrue(f.listener());
        assertEquals(SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER | SeccompConstants.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
                f.flags());
        assertErrors("""
                {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}""",
                "$.linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY:"
                        + " the kernel takes it only for a filter with a listener");
    }

    @Test
    void badProfilesAreRefusedAtTheirPath() {
        assumeTrue(Libseccomp.get().architecture("loongarch64").isEmpty(), "this libseccomp knows loongarch64");
        String library = "libseccomp " + Libseccomp.get().version();
        assertErrors("""
                {"defaultAction": "SCMP_ACT_NOTIFY",
                 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_LOONGARCH64"],
                 "syscalls": [
                   {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000},
                   {"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1},
                   {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 70000},
                   {"names": ["mmap"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]},
                   {"names": ["read", "sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}""",
                "$.linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: it would trap the"
                        + " runtime's own syscalls before a listener has the notify fd",
                "$.linux.seccomp.architectures[1]: SCMP_ARCH_LOONGARCH64 is not an architecture " + library + " knows",
                "$.linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ERRNO(5000) is refused by " + library
                        + " on this kernel (errno values run from 0 to 4094)",
                "$.linux.seccomp.syscalls[1].errnoRet: is set but SCMP_ACT_ALLOW returns no errno;"
                        + " only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do",
                "$.linux.seccomp.syscalls[2].errnoRet: 70000 does not fit the 16 bits seccomp returns (0 to 65535)",
                "$.linux.seccomp.syscalls[3].args[0].index: 6 is not a syscall argument index; syscalls have six"
                        + " arguments, 0 to 5",
                "$.linux.seccomp.syscalls[4].names[1]: \"sendmsg\" cannot use SCMP_ACT_NOTIFY: the runtime hands the"
                        + " notify fd over with it after loading the filter, before any listener has the fd");
    }

    @Test
    void rulesLibseccompCannotCombineAreRefusedAtTheLaterOne() {
        assertErrors("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                   {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
                   {"names": ["getppid", "getpid"], "action": "SCMP_ACT_KILL", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}""",
                "$.linux.seccomp.syscalls[1].names[1]: libseccomp refuses the rule for \"getpid\" (SCMP_ACT_KILL_THREAD):"
                        + " EEXIST (file exists)");
    }

    @Test
    void unknownSyscallsAreSkippedWithAWarning() {
        SeccompConverter.Result r = convert("""
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid", "no_such_call"], "action": "SCMP_ACT_ERRNO"}]}""");
        assertNotNull(r.filter());
        assertEquals(List.of("$.linux.seccomp.syscalls[0].names[1]: \"no_such_call\" is not a syscall libseccomp "
                + Libseccomp.get().version() + " knows; the rule is skipped, so the default action applies to it"),
                lines(r.warnings()));
    }

    @Test
    void unknownActionsOperatorsAndArchitecturesFailTheSchemaAtTheirPath(@TempDir Path dir) throws Exception {
        ObjectNode config = (ObjectNode) SpecJson.tree(podmanSpec());
        ObjectNode seccomp = (ObjectNode) config.get("linux").get("seccomp");
        seccomp.putArray("architectures").add("SCMP_ARCH_VAX");
        ObjectNode rule = (ObjectNode) seccomp.get("syscalls").get(2);
        rule.put("action", "SCMP_ACT_PANIC");
        ((ObjectNode) rule.get("args").get(0)).put("op", "SCMP_CMP_ROUGHLY");
        Path file = dir.resolve("config.json");
        Files.writeString(file, SpecJson.pretty(config));
        InvalidSpecException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidSpecException.class,
                () -> new SpecReader().read(file));
        List<String> paths = e.problems().stream().map(SpecProblem::jsonPath).distinct().toList();
        assertTrue(paths.containsAll(List.of("$.linux.seccomp.architectures[0]", "$.linux.seccomp.syscalls[2].action",
                "$.linux.seccomp.syscalls[2].args[0].op")), paths.toString());
    }
}
