package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.linux.LinuxConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup v2 device filter: an eBPF program of type CGROUP_DEVICE, assembled
 * here from the clean rule list of a {@link DeviceRuleSet}. The program reads the
 * request (struct bpf_cgroup_dev_ctx: access_type = access << 16 | type, major,
 * minor), tests the rules in order and returns 1 (allow) or 0; a request no rule
 * matches gets the default.
 */
record DeviceProgram(byte[] instructions, int ruleCount) {
    static final String LICENSE = "Apache";

    // eBPF opcodes (linux/bpf.h, linux/bpf_common.h)
    private static final int LDX_MEM_W = 0x61;
    private static final int ALU32_AND_K = 0x54;
    private static final int ALU32_RSH_K = 0x74;
    private static final int ALU32_MOV_K = 0xb4;
    private static final int ALU32_MOV_X = 0xbc;
    private static final int JMP_JNE_K = 0x55;
    private static final int JMP_JNE_X = 0x5d;
    private static final int JMP_EXIT = 0x95;

    private record Insn(int code, int dst, int src, int off, int imm) {
    }

    static DeviceProgram of(List<DeviceRule> rules) {
        DeviceRuleSet set = DeviceRuleSet.of(rules);
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LDX_MEM_W, 2, 1, 0, 0));       // r2 = ctx->access_type
        p.add(new Insn(ALU32_AND_K, 2, 0, 0, 0xffff)); // w2 &= 0xffff: the device type
        p.add(new Insn(LDX_MEM_W, 3, 1, 0, 0));       // r3 = ctx->access_type
        p.add(new Insn(ALU32_RSH_K, 3, 0, 0, 16));     // w3 >>= 16: the access asked for
        p.add(new Insn(LDX_MEM_W, 4, 1, 4, 0));       // r4 = ctx->major
        p.add(new Insn(LDX_MEM_W, 5, 1, 8, 0));       // r5 = ctx->minor
        int count = 0;
        for (DeviceRule rule : set.rules()) {
            if (rule.type() == 'a') {
                continue; // the default, returned at the end
            }
            List<Insn> block = new ArrayList<>();
            long type = rule.type() == 'b' ? LinuxConstants.BPF_DEVCG_DEV_BLOCK : LinuxConstants.BPF_DEVCG_DEV_CHAR;
            block.add(new Insn(JMP_JNE_K, 2, 0, -1, (int) type));
            int access = 0;
            for (char c : rule.access().toCharArray()) {
                access |= (int) (c == 'r' ? LinuxConstants.BPF_DEVCG_ACC_READ
                        : c == 'w' ? LinuxConstants.BPF_DEVCG_ACC_WRITE : LinuxConstants.BPF_DEVCG_ACC_MKNOD);
            }
            int all = (int) (LinuxConstants.BPF_DEVCG_ACC_READ | LinuxConstants.BPF_DEVCG_ACC_WRITE
                    | LinuxConstants.BPF_DEVCG_ACC_MKNOD);
            if (access != all) {
                // matches only when every bit asked for is one the rule names
                block.add(new Insn(ALU32_MOV_X, 1, 3, 0, 0));
                block.add(new Insn(ALU32_AND_K, 1, 0, 0, access));
                block.add(new Insn(JMP_JNE_X, 1, 3, -1, 0));
            }
            if (rule.major() != DeviceRule.WILDCARD) {
                block.add(new Insn(JMP_JNE_K, 4, 0, -1, (int) rule.major()));
            }
            if (rule.minor() != DeviceRule.WILDCARD) {
                block.add(new Insn(JMP_JNE_K, 5, 0, -1, (int) rule.minor()));
            }
            block.add(new Insn(ALU32_MOV_K, 0, 0, 0, rule.allow() ? 1 : 0));
            block.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
            // every "no match" jump goes to the first instruction after this block
            for (int i = 0; i < block.size(); i++) {
                Insn in = block.get(i);
                if (in.off() == -1) {
                    block.set(i, new Insn(in.code(), in.dst(), in.src(), block.size() - i - 1, in.imm()));
                }
            }
            p.addAll(block);
            count++;
        }
        p.add(new Insn(ALU32_MOV_K, 0, 0, 0, set.defaultAllow() ? 1 : 0));
        p.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
        ByteBuffer b = ByteBuffer.allocate(p.size() * 8).order(ByteOrder.nativeOrder());
        for (Insn in : p) {
            b.put((byte) in.code());
            // dst in the low nibble, src in the high one (as struct bpf_insn's bitfields lay out on little-endian)
            b.put((byte) (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                    ? (in.src() << 4) | in.dst() : (in.dst() << 4) | in.src()));
            b.putShort((short) in.off());
            b.putInt(in.imm());
        }
        return new DeviceProgram(b.array(), count);
    }
}
