package io.jsyd.runtime.linux;

import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_ATTACH_BPF_FD;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_ATTACH_FLAGS;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_ATTACH_TYPE;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_INSNS;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_INSN_CNT;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_LICENSE;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_LOG_BUF;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_LOG_LEVEL;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_LOG_SIZE;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_PROG_ID;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_PROG_TYPE;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_QUERY_ATTACH_TYPE;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_QUERY_PROG_CNT;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_QUERY_PROG_IDS;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_QUERY_TARGET_FD;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_REPLACE_BPF_FD;
import static io.jsyd.runtime.linux.LinuxConstants.BPF_ATTR_TARGET_FD;
import static io.jsyd.runtime.linux.LinuxConstants.SIZEOF_BPF_ATTR;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.jsyd.runtime.SyscallException;
import java.nio.charset.StandardCharsets;

/**
 * The bpf(2) calls a cgroup v2 device filter needs: load a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, and attach, query, replace and detach it
 * on a cgroup directory. Layouts of union bpf_attr come from the system headers.
 */
public final class Bpf {
    private static final int BPF_INSN_SIZE = 8;
    private static final int MAX_LOG = 1 << 20;

    private Bpf() {
    }

    private static long bpf(long cmd, Memory attr, String what, String subject) {
        while (true) {
            long rc = Sys.C.syscall(new NativeLong(LinuxConstants.SYS_bpf), (int) cmd, attr, SIZEOF_BPF_ATTR).longValue();
            if (rc != -1) {
                return rc;
            }
            int errno = Native.getLastError();
            // the verifier may be interrupted by a signal; libbpf and runc retry the same way
            if (errno != Errno.EINTR.number() && errno != Errno.EAGAIN.number()) {
                throw new SyscallException(what, errno, subject);
            }
        }
    }

    private static Memory attr() {
        Memory m = new Memory(SIZEOF_BPF_ATTR);
        m.clear();
        return m;
    }

    /**
     * Loads a device program; when the verifier refuses it, its log is part of the
     * error (the kernel only writes a log when asked, so the load is repeated with one).
     */
    public static Fd loadCgroupDeviceProgram(byte[] instructions, String license) {
        if (instructions.length % BPF_INSN_SIZE != 0) {
            throw new IllegalArgumentException("not whole eBPF instructions: " + instructions.length + " bytes");
        }
        byte[] lic = (license + "\0").getBytes(StandardCharsets.US_ASCII);
        try (Memory insns = new Memory(instructions.length); Memory licence = new Memory(lic.length);
             Memory a = attr()) {
            insns.write(0, instructions, 0, instructions.length);
            licence.write(0, lic, 0, lic.length);
            a.setInt(BPF_ATTR_PROG_TYPE, (int) LinuxConstants.BPF_PROG_TYPE_CGROUP_DEVICE);
            a.setInt(BPF_ATTR_INSN_CNT, instructions.length / BPF_INSN_SIZE);
            a.setLong(BPF_ATTR_INSNS, com.sun.jna.Pointer.nativeValue(insns));
            a.setLong(BPF_ATTR_LICENSE, com.sun.jna.Pointer.nativeValue(licence));
            try {
                return Fd.adopt((int) bpf(LinuxConstants.BPF_PROG_LOAD, a, "bpf(BPF_PROG_LOAD)", "cgroup device program"));
            } catch (SyscallException first) {
                try (Memory log = new Memory(MAX_LOG)) {
                    log.clear();
                    a.setInt(BPF_ATTR_LOG_LEVEL, 1);
                    a.setInt(BPF_ATTR_LOG_SIZE, MAX_LOG);
                    a.setLong(BPF_ATTR_LOG_BUF, com.sun.jna.Pointer.nativeValue(log));
                    try {
                        return Fd.adopt((int) bpf(LinuxConstants.BPF_PROG_LOAD, a, "bpf(BPF_PROG_LOAD)", "cgroup device program"));
                    } catch (SyscallException again) {
                        String text = log.getString(0, "UTF-8").strip();
                        if (text.isEmpty()) {
                            throw first;
                        }
                        throw new SyscallException("bpf(BPF_PROG_LOAD)", again.errno(), "cgroup device program (verifier: " + text + ")");
                    }
                }
            }
        }
    }

    /** Ids of the device programs attached to a cgroup directory. */
    public static int[] attachedCgroupDevicePrograms(Fd cgroup, String subject) {
        int capacity = 64;
        while (true) {
            try (Memory ids = new Memory(4L * capacity); Memory a = attr()) {
                a.setInt(BPF_ATTR_QUERY_TARGET_FD, cgroup.get());
                a.setInt(BPF_ATTR_QUERY_ATTACH_TYPE, (int) LinuxConstants.BPF_CGROUP_DEVICE);
                a.setLong(BPF_ATTR_QUERY_PROG_IDS, com.sun.jna.Pointer.nativeValue(ids));
                a.setInt(BPF_ATTR_QUERY_PROG_CNT, capacity);
                try {
                    bpf(LinuxConstants.BPF_PROG_QUERY, a, "bpf(BPF_PROG_QUERY)", subject);
                } catch (SyscallException e) {
                    if (e.is(Errno.ENOSPC) && capacity < 65536) {
                        capacity = Math.max(capacity * 2, a.getInt(BPF_ATTR_QUERY_PROG_CNT));
                        continue;
                    }
                    throw e;
                }
                return ids.getIntArray(0, a.getInt(BPF_ATTR_QUERY_PROG_CNT));
            }
        }
    }

    public static Fd programById(int id) {
        try (Memory a = attr()) {
            a.setInt(BPF_ATTR_PROG_ID, id);
            return Fd.adopt((int) bpf(LinuxConstants.BPF_PROG_GET_FD_BY_ID, a, "bpf(BPF_PROG_GET_FD_BY_ID)", "program " + id));
        }
    }

    /** Attaches with BPF_F_ALLOW_MULTI; with {@code replace}, atomically in its place (BPF_F_REPLACE). */
    public static void attachCgroupDevice(Fd cgroup, Fd program, Fd replace, String subject) {
        try (Memory a = attr()) {
            a.setInt(BPF_ATTR_TARGET_FD, cgroup.get());
            a.setInt(BPF_ATTR_ATTACH_BPF_FD, program.get());
            a.setInt(BPF_ATTR_ATTACH_TYPE, (int) LinuxConstants.BPF_CGROUP_DEVICE);
            long flags = LinuxConstants.BPF_F_ALLOW_MULTI;
            if (replace != null) {
                flags |= LinuxConstants.BPF_F_REPLACE;
                a.setInt(BPF_ATTR_REPLACE_BPF_FD, replace.get());
            }
            a.setInt(BPF_ATTR_ATTACH_FLAGS, (int) flags);
            bpf(LinuxConstants.BPF_PROG_ATTACH, a, "bpf(BPF_PROG_ATTACH)", subject);
        }
    }

    public static void detachCgroupDevice(Fd cgroup, Fd program, String subject) {
        try (Memory a = attr()) {
            a.setInt(BPF_ATTR_TARGET_FD, cgroup.get());
            a.setInt(BPF_ATTR_ATTACH_BPF_FD, program.get());
            a.setInt(BPF_ATTR_ATTACH_TYPE, (int) LinuxConstants.BPF_CGROUP_DEVICE);
            bpf(LinuxConstants.BPF_PROG_DETACH, a, "bpf(BPF_PROG_DETACH)", subject);
        }
    }
}
