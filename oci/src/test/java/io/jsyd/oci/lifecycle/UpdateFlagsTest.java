package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.spec.SpecReader;
import io.jsyd.oci.spec.model.LinuxCPU;
import io.jsyd.oci.spec.model.LinuxMemory;
import io.jsyd.oci.spec.model.LinuxResources;
import io.jsyd.runtime.cgroup.Resources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** runc's parsing of update's flags and its merge of a change over the current resources. */
class UpdateFlagsTest {
    private static Update.Flags flags(String memory, String swap, long pids) {
        return new Update.Flags(0, null, null, null, null, null, null, null, null, null, memory, null, swap, pids);
    }

    @Test
    void memorySizesAreReadAsDockersRamInBytes() throws Exception {
        assertEquals(512L << 20, Update.size("memory", "512m"));
        assertEquals(512L << 20, Update.size("memory", "512M"));
        assertEquals(512L << 20, Update.size("memory", "512MiB"));
        assertEquals(512L << 20, Update.size("memory", "512 mb"));
        assertEquals(3L << 29, Update.size("memory", "1.5g"));
        assertEquals(100L, Update.size("memory", "100"));
        assertEquals(100L, Update.size("memory", "100b"));
        assertEquals(-1L, Update.size("memory", "-1"));
        assertNull(Update.size("memory", ""));
        for (String bad : new String[] {"-2", "12x", "m", "1..2m", "1.2.3m", "99999999p"}) {
            UsageException e = assertThrows(UsageException.class, () -> Update.size("memory", bad), bad);
            assertTrue(e.getMessage().startsWith("invalid value for memory: "), e.getMessage());
        }
    }

    @Test
    void zeroAndUnsetFlagsChangeNothing() throws Exception {
        Update.Change c = flags("64m", null, 0).change();
        assertEquals(64L << 20, c.memoryLimit());
        assertNull(c.pidsLimit());
        assertNull(c.memorySwap());
        Resources r = c.resources();
        assertNull(r.cpu());
        assertNull(r.blockIo());
        assertNull(r.devices(), "update never touches the device rules");
        assertEquals(64L << 20, r.memory().limit());
    }

    @Test
    void integersAreCheckedAsRuncParsesThem() {
        UsageException e = assertThrows(UsageException.class, () -> new Update.Flags(0, "-5", null, null, null, null,
                null, null, null, null, null, null, null, 0).change());
        assertTrue(e.getMessage().startsWith("invalid value for cpu-period"), e.getMessage());
        assertThrows(UsageException.class, () -> new Update.Flags(0, null, "x", null, null, null,
                null, null, null, null, null, null, null, 0).change());
    }

    @Test
    void theChangeIsMergedOverTheCurrentResources() throws Exception {
        LinuxResources current = new LinuxResources();
        LinuxMemory m = new LinuxMemory();
        m.setLimit(1L << 30);
        m.setSwap(2L << 30);
        current.setMemory(m);
        LinuxCPU cpu = new LinuxCPU();
        cpu.setShares(512L);
        current.setCpu(cpu);
        current.setUnified(Map.of("a.b", "1"));

        LinuxResources after = new Update.Change(64L << 20, null, 0L, null, 50000L, null, null, null, "0", null, null,
                20L, Map.of()).over(current);
        assertEquals(64L << 20, after.getMemory().getLimit());
        assertEquals(2L << 30, after.getMemory().getSwap(), "0 keeps the value");
        assertEquals(512L, after.getCpu().getShares());
        assertEquals(50000L, after.getCpu().getQuota());
        assertEquals("0", after.getCpu().getCpus());
        assertEquals(20L, after.getPids().getLimit());
        assertEquals(Map.of("a.b", "1"), after.getUnified());
        assertEquals(1L << 30, current.getMemory().getLimit(), "the current resources are not changed in place");
    }

    @Test
    void aResourcesDocumentIsCheckedAgainstTheSchema() throws Exception {
        SpecReader reader = new SpecReader();
        LinuxResources r = reader.readResources(Path.of("r.json"),
                "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":9}}".getBytes(StandardCharsets.UTF_8));
        Update.Change c = Update.Change.of(r);
        assertEquals(1048576L, c.memoryLimit());
        assertEquals(9L, c.pidsLimit());

        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> reader.readResources(Path.of("r.json"),
                "{\"memory\":{\"limit\":\"lots\"}}".getBytes(StandardCharsets.UTF_8)));
        String line = String.join("\n", e.lines());
        assertTrue(line.startsWith("r.json: $.memory.limit: "), line);
        e = assertThrows(InvalidSpecException.class, () -> reader.readResources(Path.of("r.json"),
                "{\"memory\":".getBytes(StandardCharsets.UTF_8)));
        assertTrue(String.join("\n", e.lines()).startsWith("r.json: $"), e.lines().toString());
    }
}
