package io.jsyd.oci.lifecycle;

import io.jsyd.runtime.cgroup.Stats;
import java.math.BigInteger;
import java.util.List;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * `events --stats` output: the event {"type":"stats","id":...,"data":...} with the
 * fields and omissions of runc's types.Stats (a zero marked omitempty is left out;
 * counters are unsigned 64-bit). Intel RDT and network interfaces are not cgroup
 * stats and stay empty here, as in runc when it has none.
 */
public final class StatsJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private StatsJson() {
    }

    public static ObjectNode event(String id, Stats s) {
        ObjectNode e = F.objectNode();
        e.put("type", "stats");
        e.put("id", id);
        e.set("data", stats(s));
        return e;
    }

    static ObjectNode stats(Stats s) {
        ObjectNode o = F.objectNode();
        o.set("cpu", cpu(s.cpu()));
        o.set("cpuset", cpuset(s.cpuset()));
        o.set("memory", memory(s.memory()));
        ObjectNode pids = F.objectNode();
        omitZero(pids, "current", s.pids().current());
        omitZero(pids, "limit", s.pids().limit());
        o.set("pids", pids);
        ObjectNode blkio = F.objectNode();
        entries(blkio, "ioServiceBytesRecursive", s.blkio().ioServiceBytesRecursive());
        entries(blkio, "ioServicedRecursive", s.blkio().ioServicedRecursive());
        o.set("blkio", blkio);
        ObjectNode hugetlb = F.objectNode();
        new TreeMap<>(s.hugetlb()).forEach((size, h) -> {
            ObjectNode n = F.objectNode();
            omitZero(n, "usage", h.usage());
            omitZero(n, "max", h.max());
            n.set("failcnt", unsigned(h.failcnt()));
            hugetlb.set(size, n);
        });
        o.set("hugetlb", hugetlb);
        o.set("intel_rdt", F.objectNode());
        o.set("network_interfaces", F.nullNode());
        return o;
    }

    private static ObjectNode cpu(Stats.Cpu c) {
        ObjectNode cpu = F.objectNode();
        ObjectNode usage = F.objectNode();
        omitZero(usage, "total", c.total());
        list(usage, "percpu", c.percpu());
        list(usage, "percpu_kernel", c.percpuKernel());
        list(usage, "percpu_user", c.percpuUser());
        usage.set("kernel", unsigned(c.kernel()));
        usage.set("user", unsigned(c.user()));
        // runc's usage and throttling are structs, not pointers: they are there even when all zero
        cpu.set("usage", usage);
        ObjectNode throttling = F.objectNode();
        omitZero(throttling, "periods", c.periods());
        omitZero(throttling, "throttledPeriods", c.throttledPeriods());
        omitZero(throttling, "throttledTime", c.throttledTime());
        cpu.set("throttling", throttling);
        return cpu;
    }

    private static ObjectNode cpuset(Stats.Cpuset c) {
        ObjectNode o = F.objectNode();
        if (!c.cpus().isEmpty()) {
            ArrayNode a = o.putArray("cpus");
            c.cpus().forEach(a::add);
        }
        o.put("cpu_exclusive", c.flags().getOrDefault("cpu_exclusive", 0L));
        if (!c.mems().isEmpty()) {
            ArrayNode a = o.putArray("mems");
            c.mems().forEach(a::add);
        }
        for (String k : Stats.Cpuset.FLAGS.subList(1, Stats.Cpuset.FLAGS.size())) {
            o.put(k, c.flags().getOrDefault(k, 0L));
        }
        return o;
    }

    private static ObjectNode memory(Stats.Memory m) {
        ObjectNode o = F.objectNode();
        omitZero(o, "cache", m.cache());
        entry(o, "usage", m.usage());
        entry(o, "swap", m.swap());
        entry(o, "kernel", m.kernel());
        entry(o, "kernelTCP", m.kernelTcp());
        if (!m.raw().isEmpty()) {
            ObjectNode raw = F.objectNode();
            new TreeMap<>(m.raw()).forEach((k, v) -> raw.set(k, unsigned(v)));
            o.set("raw", raw);
        }
        return o;
    }

    private static void entry(ObjectNode parent, String name, Stats.MemoryEntry e) {
        // a struct in runc's types.Memory: present (limit and failcnt) even when the host has no such counter
        ObjectNode n = F.objectNode();
        n.set("limit", unsigned(e.limit()));
        omitZero(n, "usage", e.usage());
        omitZero(n, "max", e.max());
        n.set("failcnt", unsigned(e.failcnt()));
        parent.set(name, n);
    }

    private static void entries(ObjectNode parent, String name, List<Stats.BlkioEntry> list) {
        if (list.isEmpty()) {
            return;
        }
        ArrayNode a = parent.putArray(name);
        for (Stats.BlkioEntry e : list) {
            ObjectNode n = a.addObject();
            omitZero(n, "major", e.major());
            omitZero(n, "minor", e.minor());
            if (!e.op().isEmpty()) {
                n.put("op", e.op());
            }
            omitZero(n, "value", e.value());
        }
    }

    private static void list(ObjectNode parent, String name, List<Long> values) {
        if (!values.isEmpty()) {
            ArrayNode a = parent.putArray(name);
            values.forEach(v -> a.add(unsigned(v)));
        }
    }

    private static void omitZero(ObjectNode parent, String name, long value) {
        if (value != 0) {
            parent.set(name, unsigned(value));
        }
    }

    private static JsonNode unsigned(long v) {
        return v >= 0 ? F.numberNode(v) : F.numberNode(new BigInteger(Long.toUnsignedString(v)));
    }

}
