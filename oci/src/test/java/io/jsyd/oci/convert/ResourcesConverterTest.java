package io.jsyd.oci.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Linux;
import io.jsyd.runtime.cgroup.CgroupConfig;
import io.jsyd.runtime.cgroup.CgroupPath;
import io.jsyd.runtime.cgroup.DeviceRule;
import io.jsyd.runtime.cgroup.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourcesConverterTest {
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private CgroupConfig convert(String linuxJson, ResourcesConverter.Driver driver) {
        Linux linux = SpecJson.mapper().readValue(linuxJson, Linux.class);
        return ResourcesConverter.convert(linux, "c1", driver, (p, m) -> errors.add(p + ": " + m),
                (p, m) -> warnings.add(p + ": " + m));
    }

    private CgroupConfig convert(String linuxJson) {
        return convert(linuxJson, ResourcesConverter.Driver.CGROUPFS);
    }

    @Test
    void everyContainerGetsACgroupNamedAfterItsIdByDefault() {
        CgroupConfig c = convert("{}");
        assertEquals(new CgroupPath.Relative("c1"), c.path());
        assertEquals(ResourcesConverter.DEFAULT_RULES, c.resources().devices());
        assertEquals(new CgroupPath.Absolute("/machine/c1"), convert("{\"cgroupsPath\": \"/machine/./c1/\"}").path());
        assertEquals(new CgroupPath.Relative("pod/c1"), convert("{\"cgroupsPath\": \"pod/c1\"}").path());
        // without --systemd-cgroup runc takes the colon form as a plain (relative) path
        assertEquals(new CgroupPath.Relative("system.slice:docker:c1"),
                convert("{\"cgroupsPath\": \"system.slice:docker:c1\"}").path());
        assertEquals(List.of(), errors);
    }

    @Test
    void everyResourceFieldArrives() {
        CgroupConfig c = convert("""
                {"resources": {
                  "memory": {"limit": 1000, "reservation": 500, "swap": 2000, "swappiness": 10,
                             "disableOOMKiller": true, "checkBeforeUpdate": true},
                  "cpu": {"shares": 512, "quota": 50000, "period": 100000, "burst": 10, "realtimeRuntime": 950,
                          "realtimePeriod": 1000, "cpus": "0-1", "mems": "0", "idle": 1},
                  "blockIO": {"weight": 300, "leafWeight": 200,
                              "weightDevice": [{"major": 8, "minor": 0, "weight": 100, "leafWeight": 50}],
                              "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1024}],
                              "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 2048}],
                              "throttleReadIOPSDevice": [{"major": 8, "minor": 16, "rate": 10}],
                              "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 20}]},
                  "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
                  "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 5}]},
                  "pids": {"limit": 64},
                  "rdma": {"mlx5_1": {"hcaHandles": 3, "hcaObjects": 10000}},
                  "unified": {"memory.high": "900"},
                  "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]
                }}""");
        Resources r = c.resources();
        assertEquals(new Resources.Memory(1000L, 500L, 2000L, 10L, true, true), r.memory());
        assertEquals(new Resources.Cpu(512L, 50000L, 100000L, 10L, 950L, 1000L, "0-1", "0", 1L), r.cpu());
        assertEquals(new Resources.BlockIo(300, 200, List.of(new Resources.WeightDevice(8, 0, 100, 50)),
                List.of(new Resources.ThrottleDevice(8, 0, 1024)), List.of(new Resources.ThrottleDevice(8, 0, 2048)),
                List.of(new Resources.ThrottleDevice(8, 16, 10)), List.of(new Resources.ThrottleDevice(8, 16, 20))), r.blockIo());
        assertEquals(List.of(new Resources.HugepageLimit("2MB", 4194304)), r.hugepageLimits());
        assertEquals(new Resources.Network(1048577L, List.of(new Resources.InterfacePriority("eth0", 5))), r.network());
        assertEquals(64L, r.pidsLimit());
        assertEquals(Map.of("mlx5_1", new Resources.RdmaLimit(3L, 10000L)), r.rdma());
        assertEquals(Map.of("memory.high", "900"), r.unified());
        assertEquals(List.of(new DeviceRule(false, 'a', -1, -1, "rwm"), new DeviceRule(true, 'c', 10, 229, "rw")),
                r.devices().subList(0, 2));
        assertEquals(2 + ResourcesConverter.DEFAULT_RULES.size(), r.devices().size(), "runc's defaults come last");
        assertEquals(List.of(), errors);
        assertEquals(List.of(), warnings);
    }

    @Test
    void kernelMemoryIsIgnoredWithAWarningAsRuncDoes() {
        CgroupConfig c = convert("{\"resources\": {\"memory\": {\"kernel\": 100, \"kernelTCP\": 10, \"useHierarchy\": true}}}");
        assertEquals(new Resources.Memory(null, null, null, null, null, false), c.resources().memory());
        assertEquals(2, warnings.size());
        assertEquals("$.linux.resources.memory.kernel", warnings.get(0).substring(0, warnings.get(0).indexOf(':')));
    }

    @Test
    void deviceRulesRuncRefusesAreErrorsWithTheirPath() {
        convert("{\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"\"}, {\"allow\": true, \"type\": \"p\", \"access\": \"r\"}]}}");
        assertEquals(List.of("$.linux.resources.devices[0].access: must name at least one of r, w and m",
                "$.linux.resources.devices[1].type: \"p\" is not a device cgroup type (a, b or c)"), errors);
    }

    @Test
    void systemdCgroupIsRefusedNamingTheFlag() {
        assertNull(convert("{\"cgroupsPath\": \"system.slice:docker:c1\"}", new ResourcesConverter.Driver(true, false)));
        assertEquals(List.of("$.linux.cgroupsPath: --systemd-cgroup asks for systemd's cgroup driver, but systemd is not"
                + " running on this host (no /run/systemd/system); run without --systemd-cgroup"), errors);
        errors.clear();
        convert("{\"cgroupsPath\": \"/a/b\"}", new ResourcesConverter.Driver(true, true));
        assertEquals(List.of("$.linux.cgroupsPath: \"/a/b\" is not systemd's slice:prefix:name form, which"
                + " --systemd-cgroup needs"), errors);
        errors.clear();
        convert("{}", new ResourcesConverter.Driver(true, true));
        assertEquals(List.of("$.linux.cgroupsPath: --systemd-cgroup: the systemd cgroup driver is not supported by"
                + " jsyd-oci yet; run without --systemd-cgroup to use cgroupfs"), errors);
    }

    @Test
    void theRootCgroupIsNoContainersCgroup() {
        assertNull(convert("{\"cgroupsPath\": \"/\"}"));
        assertNull(convert("{\"cgroupsPath\": \"a/..\"}"));
        assertEquals(List.of("$.linux.cgroupsPath: \"/\" names the root cgroup, which no container can own",
                "$.linux.cgroupsPath: \"a/..\" names the root cgroup, which no container can own"), errors);
    }
}
