package io.jsyd.oci.validate;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessChecksTest {
    @TempDir
    Path dir;
    TestBundle bundle;

    @BeforeEach
    void setUp() {
        bundle = new TestBundle(dir);
    }

    @Test
    void processIsRequired() {
        bundle.assertErrors("{\"process\": null}",
                "$.process: is missing: create and run need the process the container starts");
    }

    @Test
    void cwdMustBeAbsolute() {
        bundle.assertErrors("{\"process\": {\"cwd\": \"\"}}",
                "$.process.cwd: \"\" is not an absolute path; the working directory must be absolute");
    }

    @Test
    void argsAreRequired() {
        bundle.assertErrors("{\"process\": {\"args\": null}}",
                "$.process.args: is missing or empty: its first entry names the program to run");
    }

    @Test
    void theProgramMustBeNamed() {
        bundle.assertErrors("{\"process\": {\"args\": [\"\", \"-c\"]}}",
                "$.process.args[0]: is empty: it names the program to run");
    }

    @Test
    void argsCannotHoldNul() {
        bundle.assertErrors("{\"process\": {\"args\": [\"sh\", \"a\\u0000b\"]}}",
                "$.process.args[1]: contains a NUL byte, which execve cannot pass");
    }

    @Test
    void envEntriesAreNameEqualsValue() {
        bundle.assertErrors("""
                {"process": {"env": ["A=1", "B", "=x", "C=\\u0000", "D="]}}""",
                "$.process.env[1]: \"B\" is not of the form NAME=VALUE",
                "$.process.env[2]: \"=x\" has an empty variable name",
                "$.process.env[3]: contains a NUL byte, which execve cannot pass");
    }

    @Test
    void minusOneIsNoId() {
        bundle.assertErrors("""
                {"process": {"user": {"uid": 4294967295, "gid": 4294967295, "additionalGids": [5, 4294967295]}}}""",
                "$.process.user.uid: 4294967295 is (uid_t)-1, which is not a user ID",
                "$.process.user.gid: 4294967295 is (gid_t)-1, which is not a group ID",
                "$.process.user.additionalGids[1]: 4294967295 is (gid_t)-1, which is not a group ID");
    }

    @Test
    void consoleSizeWithoutTerminalIsIgnored() {
        bundle.assertWarnings("""
                {"process": {"terminal": false, "consoleSize": {"height": 25, "width": 80}}}""",
                "$.process.consoleSize: is ignored because process.terminal is not true");
        bundle.assertClean("""
                {"process": {"terminal": true, "consoleSize": {"height": 25, "width": 80}}}""");
    }

    @Test
    void oomScoreAdjHasAKernelRange() {
        bundle.assertClean("{\"process\": {\"oomScoreAdj\": -1000}}");
        bundle.assertErrors("{\"process\": {\"oomScoreAdj\": 1001}}",
                "$.process.oomScoreAdj: 1001 is outside -1000..1000, the range oom_score_adj accepts");
    }

    @Test
    void rlimitTypesAreLinuxOnesAndAppearOnce() {
        bundle.assertErrors("""
                {"process": {"rlimits": [
                  {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024},
                  {"type": "RLIMIT_NOPE", "soft": 1, "hard": 1},
                  {"type": "RLIMIT_NOFILE", "soft": 10, "hard": 10}]}}""",
                "$.process.rlimits[1].type: \"RLIMIT_NOPE\" is not a Linux resource limit (see getrlimit(2))",
                "$.process.rlimits[2].type: \"RLIMIT_NOFILE\" is already set by $.process.rlimits[0];"
                        + " each type may appear once");
    }

    @Test
    void softLimitCannotExceedHardLimit() {
        bundle.assertErrors("""
                {"process": {"rlimits": [{"type": "RLIMIT_CORE", "soft": 2048, "hard": 1024}]}}""",
                "$.process.rlimits[0].soft: 2048 is above the hard limit 1024;"
                        + " setrlimit refuses a soft limit above the hard one");
    }

    @Test
    void unknownCapabilitiesAreWarnings() {
        bundle.assertWarnings("""
                {"process": {"capabilities": {
                  "bounding": ["CAP_KILL", "CAP_FLY"], "effective": [], "permitted": [], "ambient": ["CAP_SWIM"]}}}""",
                "$.process.capabilities.bounding[1]: \"CAP_FLY\" is not a Linux capability jsyd-oci knows; it is ignored",
                "$.process.capabilities.ambient[0]: \"CAP_SWIM\" is not a Linux capability jsyd-oci knows; it is ignored");
    }

    @Test
    void effectiveCapabilitiesMustBePermitted() {
        bundle.assertErrors("""
                {"process": {"capabilities": {"effective": ["CAP_KILL", "CAP_SYS_ADMIN"], "permitted": ["CAP_KILL"]}}}""",
                "$.process.capabilities.effective[1]: \"CAP_SYS_ADMIN\" is not in permitted;"
                        + " capset(2) refuses an effective capability that is not permitted");
    }

    @Test
    void inheritableCapabilitiesMustBeInTheBoundingSet() {
        bundle.assertErrors("""
                {"process": {"capabilities": {"inheritable": ["CAP_CHECKPOINT_RESTORE"]}}}""",
                "$.process.capabilities.inheritable[0]: \"CAP_CHECKPOINT_RESTORE\" is not in bounding;"
                        + " capset(2) refuses an inheritable capability outside the bounding set");
    }

    @Test
    void niceHasARangeForTimeSharingPolicies() {
        bundle.assertErrors("""
                {"process": {"scheduler": {"policy": "SCHED_BATCH", "nice": 20}}}""",
                "$.process.scheduler.nice: 20 is outside -20..19, the nice range of SCHED_BATCH");
    }

    @Test
    void onlyRealtimePoliciesTakeAPriority() {
        bundle.assertErrors("""
                {"process": {"scheduler": {"policy": "SCHED_OTHER", "priority": 5}}}""",
                "$.process.scheduler.priority: is 5 but only SCHED_FIFO and SCHED_RR use a static priority;"
                        + " SCHED_OTHER needs 0");
    }

    @Test
    void realtimePriorityIsOneToNinetyNine() {
        bundle.assertClean("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_RR\", \"priority\": 99}}}");
        bundle.assertErrors("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_FIFO\"}}}",
                "$.process.scheduler.priority: 0 is outside 1..99, the static priority range of SCHED_FIFO");
    }

    @Test
    void deadlineParametersNeedTheDeadlinePolicy() {
        bundle.assertErrors("""
                {"process": {"scheduler": {"policy": "SCHED_OTHER", "period": 1000000}}}""",
                "$.process.scheduler.period: is set but only SCHED_DEADLINE uses runtime, deadline and period");
    }

    @Test
    void deadlineParametersAreOrdered() {
        bundle.assertClean("""
                {"process": {"scheduler": {"policy": "SCHED_DEADLINE",
                  "runtime": 10000, "deadline": 20000, "period": 30000}}}""");
        bundle.assertErrors("""
                {"process": {"scheduler": {"policy": "SCHED_DEADLINE",
                  "runtime": 50000, "deadline": 20000, "period": 10000}}}""",
                "$.process.scheduler.runtime: 50000 is above the deadline 20000;"
                        + " SCHED_DEADLINE needs runtime <= deadline <= period",
                "$.process.scheduler.period: 10000 is below the deadline 20000;"
                        + " SCHED_DEADLINE needs runtime <= deadline <= period");
        bundle.assertErrors("""
                {"process": {"scheduler": {"policy": "SCHED_DEADLINE", "runtime": 100}}}""",
                "$.process.scheduler.deadline: is 0 or missing; SCHED_DEADLINE needs a deadline",
                "$.process.scheduler.runtime: 100 ns is below 1024 ns, the shortest SCHED_DEADLINE runtime");
    }

    @Test
    void schedIsoIsNotImplementedByLinux() {
        bundle.assertErrors("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_ISO\"}}}",
                "$.process.scheduler.policy: SCHED_ISO is reserved but not implemented by Linux;"
                        + " sched_setattr fails with EINVAL");
    }

    @Test
    void ioPriorityIsZeroToSeven() {
        bundle.assertClean("{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 7}}}");
        bundle.assertErrors("{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_RT\", \"priority\": 8}}}",
                "$.process.ioPriority.priority: 8 is outside 0..7, the levels of an I/O class");
    }

    @Test
    void execCpuAffinityIsACpuList() {
        bundle.assertClean("""
                {"process": {"execCPUAffinity": {"initial": "7", "final": " 0-3, 7,"}}}""");
        bundle.assertErrors("""
                {"process": {"execCPUAffinity": {"initial": "0-a", "final": "5-3"}}}""",
                "$.process.execCPUAffinity.initial: \"0-a\" is not a CPU list like 0-3,7: \"a\" is not a number",
                "$.process.execCPUAffinity.final: \"5-3\" is not a CPU list like 0-3,7: 5-3 runs backwards");
        bundle.assertErrors("""
                {"process": {"execCPUAffinity": {"initial": ",", "final": "70000"}}}""",
                "$.process.execCPUAffinity.initial: \",\" is not a CPU list like 0-3,7: it lists nothing",
                "$.process.execCPUAffinity.final: \"70000\" is not a CPU list like 0-3,7: 70000 is above 65536");
    }
}
