package io.jsyd.oci.validate;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxChecksTest {
    /** runc's default namespaces without ipc, network and uts (so without the hostname). */
    static final String FEW_NAMESPACES = "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]";

    @TempDir
    Path dir;
    TestBundle bundle;

    @BeforeEach
    void setUp() {
        bundle = new TestBundle(dir);
    }

    @Test
    void hookPathsAreAbsoluteAndTheirEnvIsNameEqualsValue() {
        bundle.assertErrors("""
                {"hooks": {"prestart": [{"path": "/usr/bin/ok"}],
                           "poststop": [{"path": "/bin/true"}, {"path": "cleanup.sh", "env": ["X=1", "Y"]}]}}""",
                "$.hooks.poststop[1].path: \"cleanup.sh\" is not an absolute path; hook paths must be absolute",
                "$.hooks.poststop[1].env[1]: \"Y\" is not of the form NAME=VALUE");
    }

    @Test
    void annotationKeysAreNotEmpty() {
        bundle.assertErrors("""
                {"annotations": {"org.example.key": "", "": "v"}}""",
                "$.annotations['']: an annotation key must not be empty");
    }

    @Test
    void devicesLiveAtAbsolutePathsAndHaveNumbers() {
        bundle.assertErrors("""
                {"linux": {"devices": [{"type": "c", "path": "dev/fuse", "major": 10, "minor": 229},
                                       {"type": "b", "path": "/dev/sda", "minor": 0},
                                       {"type": "p", "path": "/dev/fifo"}]}}""",
                "$.linux.devices[0].path: \"dev/fuse\" is not an absolute path; devices are created at absolute"
                        + " paths in the container",
                "$.linux.devices[1].major: is missing; a \"b\" device needs major and minor numbers");
    }

    @Test
    void theSameDeviceTwiceIsAWarning() {
        bundle.assertWarnings("""
                {"linux": {"devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229},
                                       {"type": "b", "path": "/dev/b", "major": 10, "minor": 229},
                                       {"type": "u", "path": "/dev/fuse2", "major": 10, "minor": 229}]}}""",
                "$.linux.devices[2]: is the same device (c 10:229) as $.linux.devices[0];"
                        + " the spec advises against listing it twice");
    }

    @Test
    void netDevicesNeedANetworkNamespaceAndValidNames() {
        bundle.assertErrors("""
                {"hostname": null, "linux": {%s, "netDevices": {"eth0": {"name": "ctr_eth0"}, "a/b": {}, "eth1": {"name": "sixteen-bytes-xx"}}}}"""
                        .formatted(FEW_NAMESPACES),
                "$.linux.netDevices: is set but linux.namespaces has no network namespace to move the devices into",
                "$.linux.netDevices['a/b']: \"a/b\" is not an interface name: 1 to 15 bytes, not . or .., without /, : or blanks",
                "$.linux.netDevices.eth1.name: \"sixteen-bytes-xx\" is not an interface name: 1 to 15 bytes, not . or ..,"
                        + " without /, : or blanks");
    }

    @Test
    void cgroupsPathForms() {
        bundle.assertClean("{\"linux\": {\"cgroupsPath\": \"/machine/ctr-1\"}}");
        bundle.assertClean("{\"linux\": {\"cgroupsPath\": \"runtime/ctr-1/../ctr-2\"}}");
        bundle.assertClean("{\"linux\": {\"cgroupsPath\": \"machine.slice:libpod:abc123\"}}");
        bundle.assertClean("{\"linux\": {\"cgroupsPath\": \":jsyd:abc\"}}");
        bundle.assertClean("{\"linux\": {\"cgroupsPath\": \"kubepods-besteffort-pod1.slice:cri-containerd:abc\"}}");
    }

    @Test
    void cgroupsPathCannotClimbOut() {
        bundle.assertErrors("{\"linux\": {\"cgroupsPath\": \"/a/../../b\"}}",
                "$.linux.cgroupsPath: \"/a/../../b\" climbs above its starting point with ..;"
                        + " a cgroup path must stay inside the hierarchy");
    }

    @Test
    void systemdCgroupsPathIsSlicePrefixName() {
        bundle.assertErrors("{\"linux\": {\"cgroupsPath\": \"machine.slice:abc\"}}",
                "$.linux.cgroupsPath: \"machine.slice:abc\" has 2 colon-separated parts;"
                        + " the systemd form is slice:prefix:name");
        bundle.assertErrors("{\"linux\": {\"cgroupsPath\": \"a--b.slice:p:\"}}",
                "$.linux.cgroupsPath: \"a--b.slice\" is not a systemd slice name: it must end in .slice, have no /,"
                        + " and no empty part between dashes",
                "$.linux.cgroupsPath: \"a--b.slice:p:\" has an empty name; the systemd form is slice:prefix:name");
    }

    @Test
    void swapIsTheMemoryPlusSwapLimit() {
        bundle.assertClean("{\"linux\": {\"resources\": {\"memory\": {\"limit\": 1000, \"swap\": 1000}}}}");
        bundle.assertClean("{\"linux\": {\"resources\": {\"memory\": {\"swap\": -1}}}}");
        bundle.assertErrors("{\"linux\": {\"resources\": {\"memory\": {\"limit\": 4000, \"swap\": 2000}}}}",
                "$.linux.resources.memory.swap: 2000 is below memory.limit 4000; swap is the memory+swap limit"
                        + " and cannot be below the memory limit");
        bundle.assertErrors("{\"linux\": {\"resources\": {\"memory\": {\"limit\": -1, \"swap\": 2000}}}}",
                "$.linux.resources.memory.swap: 2000 is set but memory.limit is not; a swap limit needs a memory limit");
    }

    @Test
    void intelRdtNamesAndSchemas() {
        bundle.assertClean("{\"linux\": {\"intelRdt\": {\"closID\": \"/\", \"memBwSchema\": \"MB:0=20\"}}}");
        bundle.assertErrors("""
                {"linux": {"intelRdt": {"closID": "a/b", "memBwSchema": "0=20\\n", "schemata": ["L3:0=7f", "MB:0=1\\nL2:0=f"]}}}""",
                "$.linux.intelRdt.closID: \"a/b\" is not a resctrl group name: no /, not . or ..",
                "$.linux.intelRdt.memBwSchema: \"0=20\\n\" does not start with MB:, as it must",
                "$.linux.intelRdt.memBwSchema: contains a newline, which it must not",
                "$.linux.intelRdt.schemata[1]: contains a newline; each entry is one line of the schemata file");
        bundle.assertWarnings("{\"linux\": {\"intelRdt\": {\"l3CacheSchema\": \"0=7f0\"}}}",
                "$.linux.intelRdt.l3CacheSchema: \"0=7f0\" does not start with L3:, as it should");
    }

    @Test
    void memoryPolicyNodesMatchTheMode() {
        bundle.assertClean("{\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_INTERLEAVE\", \"nodes\": \"2-3\","
                + " \"flags\": [\"MPOL_F_STATIC_NODES\"]}}}");
        bundle.assertClean("{\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_PREFERRED\"}}}");
        bundle.assertErrors("{\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"\"}}}",
                "$.linux.memoryPolicy.nodes: is missing or empty; MPOL_BIND needs at least one node");
        bundle.assertErrors("{\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_LOCAL\", \"nodes\": \"0\"}}}",
                "$.linux.memoryPolicy.nodes: \"0\" is set but MPOL_LOCAL takes no nodes");
        bundle.assertErrors("{\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_BIND\", \"nodes\": \"0-x\"}}}",
                "$.linux.memoryPolicy.nodes: \"0-x\" is not a node list like 0-3,7: \"x\" is not a number");
    }

    @Test
    void memoryPolicyFlagsMatchTheMode() {
        bundle.assertErrors("""
                {"linux": {"memoryPolicy": {"mode": "MPOL_INTERLEAVE", "nodes": "0-1",
                  "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES", "MPOL_F_NUMA_BALANCING"]}}}""",
                "$.linux.memoryPolicy.flags[1]: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES cannot be combined",
                "$.linux.memoryPolicy.flags[2]: MPOL_F_NUMA_BALANCING works only with MPOL_BIND or MPOL_PREFERRED_MANY");
        bundle.assertErrors("""
                {"linux": {"memoryPolicy": {"mode": "MPOL_PREFERRED", "flags": ["MPOL_F_RELATIVE_NODES"]}}}""",
                "$.linux.memoryPolicy.flags[0]: MPOL_F_RELATIVE_NODES needs nodes to interpret,"
                        + " and MPOL_PREFERRED has none here");
    }

    @Test
    void personalityFlagsAreIgnored() {
        bundle.assertClean("{\"linux\": {\"personality\": {\"domain\": \"LINUX32\"}}}");
        bundle.assertWarnings("{\"linux\": {\"personality\": {\"domain\": \"LINUX\", \"flags\": [\"X\"]}}}",
                "$.linux.personality.flags: are ignored: runtime-spec defines no personality flags yet");
    }

    @Test
    void namespacedSysctlsNeedTheirNamespace() {
        bundle.assertClean("""
                {"linux": {"sysctl": {"kernel.shmmax": "1", "fs.mqueue.msg_max": "10", "net.ipv4.ip_forward": "1",
                                      "net/ipv4/conf/eth0.100/rp_filter": "1", "kernel.domainname": "x"}}}""");
        bundle.assertErrors("""
                {"hostname": null, "linux": {%s, "sysctl": {"kernel.shmmax": "1", "fs.mqueue.msg_max": "10", "net.core.somaxconn": "256",
                                          "kernel.domainname": "x", "user.max_user_namespaces": "0"}}}"""
                        .formatted(FEW_NAMESPACES),
                "$.linux.sysctl['kernel.shmmax']: needs an ipc namespace in linux.namespaces;"
                        + " without one it would change the host's value",
                "$.linux.sysctl['fs.mqueue.msg_max']: needs an ipc namespace in linux.namespaces;"
                        + " without one it would change the host's value",
                "$.linux.sysctl['net.core.somaxconn']: needs a network namespace in linux.namespaces;"
                        + " without one it would change the host's value",
                "$.linux.sysctl['kernel.domainname']: needs a uts namespace in linux.namespaces;"
                        + " without one it would change the host's value",
                "$.linux.sysctl['user.max_user_namespaces']: needs a user namespace in linux.namespaces;"
                        + " without one it would change the host's value");
    }

    @Test
    void netSysctlsRefuseTheHostsOwnNetworkNamespace() {
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "uts"}, {"type": "network", "path": "/proc/self/ns/net"}],
                           "sysctl": {"net.ipv4.ip_forward": "1", "net.core.somaxconn": "256"}}}""",
                "$.linux.sysctl['net.ipv4.ip_forward']: needs a network namespace of the container's own,"
                        + " but /proc/self/ns/net is the host's",
                "$.linux.sysctl['net.core.somaxconn']: needs a network namespace of the container's own,"
                        + " but /proc/self/ns/net is the host's");
        bundle.assertErrors("""
                {"linux": {"namespaces": [{"type": "mount"}, {"type": "uts"}, {"type": "network", "path": "/run/netns/none"}],
                           "sysctl": {"net.ipv4.ip_forward": "1"}}}""",
                "$.linux.namespaces[2].path: \"/run/netns/none\" does not exist; a joined namespace must exist");
    }

    @Test
    void otherSysctlsAreRefused() {
        bundle.assertErrors("""
                {"linux": {"sysctl": {"vm.swappiness": "10", "kernel.hostname": "x", "net..x": "1", "net/../../etc": "1"}}}""",
                "$.linux.sysctl['vm.swappiness']: is not namespaced; setting it would change the host's value",
                "$.linux.sysctl['kernel.hostname']: conflicts with the hostname field; set the hostname there",
                "$.linux.sysctl['net..x']: is not a sysctl name: it has an empty, . or .. component",
                "$.linux.sysctl['net/../../etc']: is not a sysctl name: it has an empty, . or .. component");
    }
}
