package io.jsyd.oci.validate;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountChecksTest {
    @TempDir
    Path dir;
    TestBundle bundle;

    @BeforeEach
    void setUp() {
        bundle = new TestBundle(dir);
    }

    @Test
    void aRelativeDestinationIsDeprecated() {
        bundle.assertWarnings("""
                {"mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                            {"destination": "data", "type": "tmpfs", "source": "tmpfs"}]}""",
                "$.mounts[1].destination: \"data\" is relative; it is taken as /data, and relative destinations"
                        + " are deprecated");
    }

    @Test
    void aDestinationIsRequired() {
        bundle.assertErrors("""
                {"mounts": [{"destination": "", "type": "tmpfs", "source": "tmpfs"}]}""",
                "$.mounts[0].destination: is empty: a mount needs a destination inside the container");
    }

    @Test
    void mountFieldsCannotHoldNul() {
        bundle.assertErrors("""
                {"mounts": [{"destination": "/a", "type": "tmp\\u0000fs", "source": "x\\u0000"}]}""",
                "$.mounts[0].source: contains a NUL byte, which mount(2) cannot take",
                "$.mounts[0].type: contains a NUL byte, which mount(2) cannot take");
    }

    @Test
    void filesystemOptionsOnABindMountAreIgnored() {
        bundle.assertWarnings("""
                {"mounts": [{"destination": "/data", "type": "none", "source": "/srv",
                             "options": ["rbind", "ro", "mode=755", "rprivate"]},
                            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                             "options": ["nosuid", "mode=1777"]}]}""",
                "$.mounts[0].options[2]: \"mode=755\" is a filesystem option, which the kernel ignores on a bind mount");
    }

    @Test
    void idMappedMountsNeedBothMappings() {
        bundle.assertErrors("""
                {"mounts": [{"destination": "/data", "source": "/srv", "options": ["rbind", "idmap"],
                             "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}]}""",
                "$.mounts[0].uidMappings: is set without gidMappings; an id-mapped mount needs both");
        bundle.assertErrors("""
                {"mounts": [{"destination": "/data", "source": "/srv", "options": ["bind", "ridmap"],
                             "uidMappings": [], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}]}""",
                "$.mounts[0].uidMappings: is empty; an id-mapped mount needs at least one uid mapping");
    }

    @Test
    void mountMappingsFollowTheKernelRules() {
        bundle.assertErrors("""
                {"mounts": [{"destination": "/data", "source": "/srv", "options": ["rbind", "idmap"],
                             "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 0}],
                             "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10},
                                             {"containerID": 5, "hostID": 5000, "size": 10}]}]}""",
                "$.mounts[0].uidMappings[0].size: is 0; a mapping must cover at least one ID",
                "$.mounts[0].gidMappings[1].containerID: its range overlaps the container IDs of"
                        + " $.mounts[0].gidMappings[0]; the kernel refuses overlapping mappings");
    }

    @Test
    void mappingsWithoutTheIdmapOptionAreTakenAsIdmap() {
        bundle.assertWarnings("""
                {"mounts": [{"destination": "/data", "source": "/srv", "options": ["rbind"],
                             "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
                             "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}]}""",
                "$.mounts[0].options: has neither idmap nor ridmap although the mount has uidMappings or gidMappings;"
                        + " it is id-mapped as with idmap");
    }

    @Test
    void onlyBindMountsAreIdMapped() {
        bundle.assertErrors("""
                {"mounts": [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "idmap"],
                             "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
                             "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}]}]}""",
                "$.mounts[0].options[1]: \"idmap\" needs a bind mount (bind or rbind in options);"
                        + " like runc, jsyd-oci id-maps only bind mounts");
    }

    @Test
    void idmapWithoutMappingsNeedsAUserNamespace() {
        bundle.assertErrors("""
                {"mounts": [{"destination": "/data", "source": "/srv", "options": ["rbind", "ridmap"]}]}""",
                "$.mounts[0].options[1]: \"ridmap\" without uidMappings and gidMappings on the mount uses the"
                        + " container's user namespace mappings, but linux.namespaces has no user namespace");
        bundle.assertClean("""
                {"mounts": [{"destination": "/data", "source": "/srv", "options": ["rbind", "ridmap"]}],
                 "linux": {"namespaces": [{"type": "mount"}, {"type": "user"}, {"type": "uts"}],
                           "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                           "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}}""");
    }
}
