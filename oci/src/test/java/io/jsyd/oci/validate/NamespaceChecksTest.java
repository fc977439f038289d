package io.jsyd.oci.validate;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamespaceChecksTest {
    static final String USERNS = """
            {"linux": {"namespaces": [{"type": "mount"}, {"type": "user"}, {"type": "uts"}],
                       "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 1000}],
                       "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 1000}]}""";

    @TempDir
    Path dir;
    TestBundle bundle;

    @BeforeEach
    void setUp() {
        bundle = new TestBundle(dir);
    }

    @Test
    void eachTypeOnce() {
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "pid"}, {"type": "pid", "path": "/proc/1/ns/pid"}, {"type": "uts"}]}}""",
                "$.linux.namespaces[2].type: \"pid\" is already listed at $.linux.namespaces[1];"
                        + " each namespace type may appear once");
    }

    @Test
    void namespacePathsAreAbsolute() {
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "ipc", "path": "ns/ipc"}, {"type": "pid", "path": ""}, {"type": "uts"}]}}""",
                "$.linux.namespaces[1].path: \"ns/ipc\" is not an absolute path; namespace paths must be absolute");
    }

    @Test
    void aNewUserNamespaceNeedsMappings() {
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "user"}, {"type": "uts"}],
                           "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}}""",
                "$.linux.gidMappings: is missing or empty; the new user namespace at $.linux.namespaces[1]"
                        + " needs gid mappings");
    }

    @Test
    void mappingsNeedAUserNamespace() {
        bundle.assertErrors("""
                {"linux": {"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}}""",
                "$.linux.uidMappings: is set but linux.namespaces has no user namespace to apply it to");
    }

    @Test
    void mappingsBesideAJoinedUserNamespaceAreIgnored() {
        bundle.assertWarnings("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "user", "path": "/proc/1/ns/user"}, {"type": "uts"}],
                           "uidMappings": [{"containerID": 0, "hostID": 0, "size": 1}]}}""",
                "$.linux.uidMappings: is ignored: the container joins the user namespace /proc/1/ns/user,"
                        + " whose mappings are fixed (runc refuses mappings that differ from them)");
        bundle.assertClean("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "user", "path": "/proc/1/ns/user"}, {"type": "uts"}]}}""");
    }

    @Test
    void mappingsFollowTheKernelRules() {
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "user"}, {"type": "uts"}],
                           "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10},
                                           {"containerID": 10, "hostID": 1005, "size": 10},
                                           {"containerID": 4294967290, "hostID": 0, "size": 5},
                                           {"containerID": 4294967290, "hostID": 0, "size": 6}],
                           "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}}""",
                "$.linux.uidMappings[1].hostID: its range overlaps the host IDs of $.linux.uidMappings[0];"
                        + " the kernel refuses overlapping mappings",
                "$.linux.uidMappings[3].size: 6 IDs from containerID 4294967290 or hostID 0 run past 4294967294");
    }

    @Test
    void theKernelTakesAtMost340Mappings() {
        StringBuilder maps = new StringBuilder();
        for (int i = 0; i < 341; i++) {
            maps.append(i == 0 ? "" : ",").append("{\"containerID\": ").append(i)
                    .append(", \"hostID\": ").append(1000 + i).append(", \"size\": 1}");
        }
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "user"}, {"type": "uts"}],
                           "uidMappings": [%s],
                           "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}}""".formatted(maps),
                "$.linux.uidMappings: has 341 entries; the kernel accepts at most 340");
    }

    @Test
    void theUserMustBeMappedInANewUserNamespace() {
        bundle.assertErrors("""
                {"process": {"user": {"uid": 1000, "gid": 5, "additionalGids": [7, 2000]}},
                 "linux": {"namespaces": [{"type": "mount"}, {"type": "user"}, {"type": "uts"}],
                           "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 1000}],
                           "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 1000}]}}""",
                "$.process.user.uid: 1000 is not mapped by linux.uidMappings; setresuid fails in the new user namespace",
                "$.process.user.additionalGids[1]: 2000 is not mapped by linux.gidMappings;"
                        + " setgroups fails in the new user namespace");
        bundle.assertClean(USERNS + "}");
    }

    @Test
    void timeOffsetsNeedANewTimeNamespace() {
        bundle.assertErrors("""
                {"linux": {"timeOffsets": {"monotonic": {"secs": 10}}}}""",
                "$.linux.timeOffsets: is set but linux.namespaces has no time namespace to apply it to");
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "time", "path": "/proc/1/ns/time"}, {"type": "uts"}],
                           "timeOffsets": {"boottime": {"secs": 10}}}}""",
                "$.linux.timeOffsets: is set but the container joins the time namespace /proc/1/ns/time,"
                        + " whose offsets are fixed; give either the path or the offsets");
        bundle.assertClean("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "time"}, {"type": "uts"}],
                           "timeOffsets": {"boottime": {"secs": -10, "nanosecs": 999999999}}}}""");
    }

    @Test
    void timeOffsetsAreMonotonicOrBoottimeInWholeNanoseconds() {
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "time"}, {"type": "uts"}],
                           "timeOffsets": {"monotonic": {"nanosecs": 1000000000}, "realtime": {"secs": 1}}}}""",
                "$.linux.timeOffsets.monotonic.nanosecs: 1000000000 is not below 1000000000;"
                        + " whole seconds belong in secs",
                "$.linux.timeOffsets.realtime: \"realtime\" is not a clock a time namespace offsets;"
                        + " only monotonic and boottime are");
    }

    @Test
    void hostnameAndDomainnameNeedAUtsNamespace() {
        bundle.assertErrors("""
                {"hostname": "box", "domainname": "example.org", "linux": {"namespaces": [{"type": "mount"}]}}""",
                "$.hostname: is set but linux.namespaces has no uts namespace; it would rename the host",
                "$.domainname: is set but linux.namespaces has no uts namespace; it would rename the host");
        bundle.assertClean("""
                {"hostname": "", "linux": {"namespaces": [{"type": "mount"}]}}""");
    }

    @Test
    void hostnamesHaveAKernelLimit() {
        String name = "h".repeat(65);
        bundle.assertErrors("{\"hostname\": \"" + name + "\"}",
                "$.hostname: is 65 bytes long; the kernel allows at most 64");
    }

    @Test
    void maskedAndReadonlyPathsNeedAMountNamespace() {
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "pid"}, {"type": "uts"}], "maskedPaths": ["/proc/kcore"], "readonlyPaths": []}}""",
                "$.linux.maskedPaths: is set but linux.namespaces has no mount namespace; it would mask the host's paths");
    }

    @Test
    void maskedAndReadonlyPathsAreAbsolute() {
        bundle.assertErrors("""
                {"linux": {"maskedPaths": ["/proc/kcore", "proc/keys"], "readonlyPaths": ["sys"]}}""",
                "$.linux.maskedPaths[1]: \"proc/keys\" is not an absolute path; paths inside the container must be absolute",
                "$.linux.readonlyPaths[0]: \"sys\" is not an absolute path; paths inside the container must be absolute");
    }
}
