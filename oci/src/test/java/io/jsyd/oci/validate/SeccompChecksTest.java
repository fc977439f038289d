package io.jsyd.oci.validate;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompChecksTest {
    @TempDir
    Path dir;
    TestBundle bundle;

    @BeforeEach
    void setUp() {
        bundle = new TestBundle(dir);
    }

    @Test
    void aTypicalProfilePasses() {
        bundle.assertClean("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
                  "architectures": ["SCMP_ARCH_X86_64"],
                  "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                               {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                                "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
                               {"names": ["ptrace"], "action": "SCMP_ACT_TRACE", "errnoRet": 38}]}}}""");
    }

    @Test
    void argumentIndexesStopAtFive() {
        bundle.assertErrors("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                  "syscalls": [{"names": ["mmap"], "action": "SCMP_ACT_ERRNO",
                                "args": [{"index": 5, "value": 1, "op": "SCMP_CMP_EQ"},
                                         {"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}}}""",
                "$.linux.seccomp.syscalls[0].args[1].index: 6 is not a syscall argument index;"
                        + " syscalls have six arguments, 0 to 5");
    }

    @Test
    void errnoRetOnlyWithErrnoOrTrace() {
        bundle.assertErrors("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_KILL_PROCESS", "defaultErrnoRet": 1,
                  "syscalls": [{"names": ["read"], "action": "SCMP_ACT_LOG", "errnoRet": 1}]}}}""",
                "$.linux.seccomp.defaultErrnoRet: is set but SCMP_ACT_KILL_PROCESS returns no errno;"
                        + " only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do",
                "$.linux.seccomp.syscalls[0].errnoRet: is set but SCMP_ACT_LOG returns no errno;"
                        + " only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do");
    }

    @Test
    void rulesNameSyscalls() {
        bundle.assertErrors("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                  "syscalls": [{"names": [], "action": "SCMP_ACT_ERRNO"},
                               {"names": ["read", ""], "action": "SCMP_ACT_ERRNO"}]}}}""",
                "$.linux.seccomp.syscalls[0].names: is empty; a rule needs at least one syscall name",
                "$.linux.seccomp.syscalls[1].names[1]: is empty; it must name a syscall");
    }

    @Test
    void notifyNeedsAListener() {
        bundle.assertErrors("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                  "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                               {"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}]}}}""",
                "$.linux.seccomp.listenerPath: is missing but $.linux.seccomp.syscalls[1].action is SCMP_ACT_NOTIFY;"
                        + " the notify fd needs a listener to go to");
        bundle.assertClean("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock",
                  "listenerMetadata": "x", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}]}}}""");
    }

    @Test
    void notifyIsNeitherTheDefaultNorForWrite() {
        bundle.assertErrors("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/agent.sock",
                  "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_NOTIFY"}]}}}""",
                "$.linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: it would trap the"
                        + " runtime's own syscalls before a listener has the notify fd",
                "$.linux.seccomp.syscalls[0].names[1]: \"write\" cannot use SCMP_ACT_NOTIFY: the runtime writes after"
                        + " loading the filter, before a listener has the notify fd");
    }

    @Test
    void aRelativeListenerPathIsTakenFromTheBundle() {
        bundle.assertWarnings("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "agent.sock",
                  "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_NOTIFY"}]}}}""",
                "$.linux.seccomp.listenerPath: \"agent.sock\" is relative; it is taken relative to the bundle"
                        + " directory, as runc does");
    }

    @Test
    void listenerMetadataNeedsAListenerPath() {
        bundle.assertErrors("""
                {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "m"}}}""",
                "$.linux.seccomp.listenerMetadata: is set without listenerPath; it is only sent to a listener");
    }
}
