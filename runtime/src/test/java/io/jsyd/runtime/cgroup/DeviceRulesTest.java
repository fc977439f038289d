package io.jsyd.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jsyd.runtime.CgroupException;
import io.jsyd.runtime.linux.LinuxConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The device rule emulator and the eBPF program built from it. */
class DeviceRulesTest {
    private static final long ANY = DeviceRule.WILDCARD;

    private static List<String> lines(List<DeviceRule> rules) {
        return rules.stream().map(r -> (r.allow() ? "allow " : "deny ") + r.cgroupLine()).toList();
    }

    @Test
    void aDenyAllListBecomesItsAllowedExceptions() {
        DeviceRuleSet s = DeviceRuleSet.of(List.of(new DeviceRule(false, 'a', ANY, ANY, "rwm"),
                new DeviceRule(true, 'c', 1, 3, "r"), new DeviceRule(true, 'c', 1, 3, "w"),
                new DeviceRule(true, 'b', 8, ANY, "m"), new DeviceRule(false, 'b', 8, ANY, "m")));
        assertEquals(List.of("allow c 1:3 rw"), lines(s.rules()));
    }

    @Test
    void anAllowAllListKeepsItsDenials() {
        DeviceRuleSet s = DeviceRuleSet.of(List.of(new DeviceRule(true, 'a', ANY, ANY, "rwm"),
                new DeviceRule(false, 'c', 10, 200, "rwm")));
        assertEquals(List.of("allow a *:* rwm", "deny c 10:200 rwm"), lines(s.rules()));
    }

    @Test
    void aLaterAllRuleWipesWhatCameBefore() {
        DeviceRuleSet s = DeviceRuleSet.of(List.of(new DeviceRule(true, 'c', 1, 3, "rwm"),
                new DeviceRule(false, 'a', ANY, ANY, "rwm"), new DeviceRule(true, 'c', 1, 5, "rwm")));
        assertEquals(List.of("allow c 1:5 rwm"), lines(s.rules()));
    }

    @Test
    void aHoleInAWildcardIsRefusedWithTheRuleIndex() {
        CgroupException e = assertThrows(CgroupException.class, () -> DeviceRuleSet.of(List.of(
                new DeviceRule(false, 'a', ANY, ANY, "rwm"), new DeviceRule(true, 'c', ANY, ANY, "m"),
                new DeviceRule(false, 'c', 1, 3, "m"))));
        assertEquals("linux.resources.devices[2]: rule c 1:3 m would punch a hole in the wildcard rule c *:* m,"
                + " which the devices cgroup cannot express", e.getMessage());
    }

    @Test
    void theTransitionFromAKernelListOnlyTouchesWhatChanges() {
        DeviceRuleSet current = DeviceRuleSet.fromList("c 1:3 rwm\nc 1:5 rwm\nc 136:* rwm\n");
        DeviceRuleSet target = DeviceRuleSet.of(List.of(new DeviceRule(false, 'a', ANY, ANY, "rwm"),
                new DeviceRule(true, 'c', 1, 3, "rwm"), new DeviceRule(true, 'c', 1, 5, "r"),
                new DeviceRule(true, 'c', 1, 9, "rwm")));
        assertEquals(List.of("deny c 1:5 wm", "deny c 136:* rwm", "allow c 1:9 rwm"), lines(current.transition(target)));
        assertEquals(List.of(), lines(target.transition(target)));
        assertEquals(List.of("deny a *:* rwm", "allow c 1:3 rwm", "allow c 1:5 r", "allow c 1:9 rwm"),
                lines(DeviceRuleSet.fromList("a *:* rwm\n").transition(target)));
    }

    /*
     * A small interpreter for the instructions the program uses, so the program is
     * checked by what it decides, not by its bytes.
     */
    private static boolean run(byte[] prog, char type, int access, long major, long minor) {
        ByteBuffer b = ByteBuffer.wrap(prog).order(ByteOrder.nativeOrder());
        long[] reg = new long[11];
        int devType = (int) (type == 'b' ? LinuxConstants.BPF_DEVCG_DEV_BLOCK : LinuxConstants.BPF_DEVCG_DEV_CHAR);
        long[] ctx = {((long) access << 16) | devType, major, minor};
        int pc = 0;
        while (true) {
            int code = b.get(pc * 8) & 0xff;
            int regs = b.get(pc * 8 + 1) & 0xff;
            int dst = regs & 0xf;
            int src = regs >> 4;
            int off = b.getShort(pc * 8 + 2);
            long imm = b.getInt(pc * 8 + 4);
            pc++;
            switch (code) {
                case 0x61 -> reg[dst] = ctx[off / 4] & 0xffffffffL;
                case 0x54 -> reg[dst] = (reg[dst] & imm) & 0xffffffffL;
                case 0x74 -> reg[dst] = (reg[dst] & 0xffffffffL) >>> imm;
                case 0xb4 -> reg[dst] = imm & 0xffffffffL;
                case 0xbc -> reg[dst] = reg[src] & 0xffffffffL;
                case 0x55 -> pc += reg[dst] != imm ? off : 0;
                case 0x5d -> pc += reg[dst] != reg[src] ? off : 0;
                case 0x95 -> {
                    return reg[0] == 1;
                }
                default -> throw new AssertionError("unexpected opcode " + code);
            }
        }
    }

    private static boolean emulated(List<DeviceRule> rules, char type, int access, long major, long minor) {
        DeviceRuleSet s = DeviceRuleSet.of(rules);
        for (var e : s.exceptions().entrySet()) {
            DeviceRuleSet.Key k = e.getKey();
            boolean matches = k.type() == type && (k.major() == ANY || k.major() == major)
                    && (k.minor() == ANY || k.minor() == minor) && (access & ~e.getValue()) == 0;
            if (matches) {
                return !s.defaultAllow();
            }
        }
        return s.defaultAllow();
    }

    private static int bpfAccess(int bits) {
        return (int) (((bits & DeviceRuleSet.R) != 0 ? LinuxConstants.BPF_DEVCG_ACC_READ : 0)
                | ((bits & DeviceRuleSet.W) != 0 ? LinuxConstants.BPF_DEVCG_ACC_WRITE : 0)
                | ((bits & DeviceRuleSet.M) != 0 ? LinuxConstants.BPF_DEVCG_ACC_MKNOD : 0));
    }

    @Test
    void runcsDefaultListAllowsTheStandardNodesAndNothingElse() {
        List<DeviceRule> rules = List.of(new DeviceRule(false, 'a', ANY, ANY, "rwm"),
                new DeviceRule(true, 'c', ANY, ANY, "m"), new DeviceRule(true, 'b', ANY, ANY, "m"),
                new DeviceRule(true, 'c', 1, 3, "rwm"), new DeviceRule(true, 'c', 136, ANY, "rwm"),
                new DeviceRule(true, 'c', 1, 9, "rw"));
        byte[] p = DeviceProgram.of(rules).instructions();
        int r = bpfAccess(DeviceRuleSet.R);
        int rw = bpfAccess(DeviceRuleSet.R | DeviceRuleSet.W);
        int m = bpfAccess(DeviceRuleSet.M);
        assertEquals(true, run(p, 'c', rw, 1, 3));
        assertEquals(true, run(p, 'c', r, 136, 7));
        assertEquals(true, run(p, 'b', m, 8, 0));
        assertEquals(false, run(p, 'b', r, 8, 0));
        assertEquals(true, run(p, 'c', r, 1, 9));
        assertEquals(false, run(p, 'c', bpfAccess(DeviceRuleSet.R | DeviceRuleSet.M), 1, 9), "1:9 has no mknod... but c *:* m"
                + " only covers requests asking for m alone");
        assertEquals(false, run(p, 'c', r, 1, 11));
    }

    @Test
    void theProgramDecidesAsTheEmulatorForRandomRuleLists() {
        Random rnd = new Random(42);
        char[] types = {'a', 'b', 'c'};
        for (int round = 0; round < 300; round++) {
            List<DeviceRule> rules = new java.util.ArrayList<>();
            rules.add(new DeviceRule(rnd.nextBoolean(), 'a', ANY, ANY, "rwm"));
            for (int i = 0; i < 6; i++) {
                char t = types[1 + rnd.nextInt(2)];
                long major = rnd.nextInt(4) == 0 ? ANY : rnd.nextInt(3);
                long minor = rnd.nextInt(4) == 0 ? ANY : rnd.nextInt(3);
                String access = DeviceRuleSet.access(1 + rnd.nextInt(7));
                rules.add(new DeviceRule(rnd.nextBoolean(), t, major, minor, access));
            }
            List<DeviceRule> valid;
            try {
                DeviceRuleSet.of(rules);
                valid = rules;
            } catch (CgroupException e) {
                continue; // a hole in a wildcard: refused, fine
            }
            byte[] p = DeviceProgram.of(valid).instructions();
            for (char t : new char[] {'b', 'c'}) {
                for (long major = 0; major < 3; major++) {
                    for (long minor = 0; minor < 3; minor++) {
                        for (int bits = 1; bits < 8; bits++) {
                            assertEquals(emulated(valid, t, bits, major, minor), run(p, t, bpfAccess(bits), major, minor),
                                    valid + " " + t + " " + major + ":" + minor + " " + DeviceRuleSet.access(bits));
                        }
                    }
                }
            }
        }
    }
}
