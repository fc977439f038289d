package io.jsyd.runtime.supervisor;

import io.jsyd.runtime.linux.LinuxConstants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One worker thread's means to take a caller's credentials and give them back:
 * the caller's /proc/TID/status read and parsed, then its groups, file ids,
 * capabilities (none for a caller in another user namespace) and, when asked
 * or for a caller in another user namespace, its real and effective ids, for
 * this thread alone (raw syscalls: glibc's wrappers change every thread's); the
 * saved ids stay the supervisor's, which is how it gets its own back.
 */
final class CallerIdentity {
    private static final int O_CLOEXEC = (int) LinuxConstants.O_CLOEXEC;
    private static final int GROUPS_AT_FIRST = 64;

    /** The caller's credentials, from /proc/TID/status. */
    static final class Creds {
        int fsuid;
        int fsgid;
        /** The real ids, which access and faccessat check with. */
        int ruid;
        int rgid;
        /** The effective and saved ids, which a UNIX socket's peer may be told (SCM_CREDENTIALS). */
        int euid;
        int suid;
        int egid;
        int sgid;
        int umask;
        int groupCount;
        long effective;
        long permitted;
        /** CapEff as read, also for a caller in another user namespace. */
        long rawEffective;
        /** Whether the caller lives in the supervisor's user namespace. */
        boolean sameUserNs;
        int nsPid;
        int nsTid;
    }


    /** The caller's, as last read. */
    final Creds creds = new Creds();

    private final NotifyCalls calls;
    private final Arena arena;
    private final MemorySegment status;
    private final byte[] statusBytes = new byte[8192];
    private final MemorySegment st;
    private final java.nio.ByteBuffer stView;
    private final MemorySegment capHeader;
    private final MemorySegment capData;
    private final java.nio.ByteBuffer capView;
    private final java.nio.ByteBuffer capHeaderView;
    /**
     * The caller's supplementary groups (grown when a caller has more: the
     * kernel allows 65536, and the arena zeroes, so touches, what it gives).
     */
    private MemorySegment groups;
    private java.nio.ByteBuffer groupsView;
    private final long ownUserNs;
    private final long ownEffective;
    private final long ownPermitted;
    private final long ownInheritable;
    private final int ownGroupCount;
    private final int ownFsuid = NotifyCalls.geteuid();
    private final int ownFsgid = NotifyCalls.getegid();
    private final int ownRuid = NotifyCalls.getuid();
    private final int ownRgid = NotifyCalls.getgid();
    private final MemorySegment ownGroups;
    private final java.nio.ByteBuffer ownGroupsView;
    /** Whether the thread took a caller's real and effective ids, for {@link #becomeSupervisor}. */
    private boolean tookIds;

    /**
     * Notes this thread's own credentials.
     *
     * @param selfUserNs the name of this process's /proc/self/ns/user
     */
    CallerIdentity(NotifyCalls calls, Arena arena, MemorySegment selfUserNs) {
        this.calls = calls;
        this.arena = arena;
        status = arena.allocate(statusBytes.length, 8);
        st = arena.allocate(LinuxConstants.SIZEOF_STAT, 8);
        stView = NotifySupervisor.view(st);
        capHeader = arena.allocate(8, 8);
        capData = arena.allocate(24, 8);
        capView = NotifySupervisor.view(capData);
        capHeaderView = NotifySupervisor.view(capHeader);
        groups = arena.allocate(4L * GROUPS_AT_FIRST, 8);
        groupsView = NotifySupervisor.view(groups);
        check(calls.stat(selfUserNs, st), "stat /proc/self/ns/user");
        ownUserNs = stView.getLong(LinuxConstants.STAT_INO);
        capHeaderView.putInt(0, (int) LinuxConstants._LINUX_CAPABILITY_VERSION_3);
        capHeaderView.putInt(4, 0);
        check((int) calls.syscall(LinuxConstants.SYS_capget, capHeader.address(), capData.address(), 0, 0, 0, 0),
                "capget");
        ownEffective = caps(0);
        ownPermitted = caps(4);
        ownInheritable = caps(8);
        int count = check(calls.getgroups(0, MemorySegment.NULL), "getgroups");
        ownGroups = arena.allocate(4L * Math.max(count, 1), 8);
        ownGroupsView = NotifySupervisor.view(ownGroups);
        ownGroupCount = check(calls.getgroups(count, ownGroups), "getgroups");
    }

    private long caps(int offset) {
        return Integer.toUnsignedLong(capView.getInt(offset)) | (long) capView.getInt(offset + 12) << 32;
    }

    private static final byte[] UMASK = ascii("Umask:");
    private static final byte[] UID = ascii("Uid:");
    private static final byte[] GID = ascii("Gid:");
    private static final byte[] GROUPS = ascii("Groups:");
    private static final byte[] CAP_EFF = ascii("CapEff:");
    private static final byte[] CAP_PRM = ascii("CapPrm:");
    private static final byte[] NS_TGID = ascii("NStgid:");
    private static final byte[] NS_PID = ascii("NSpid:");
    /** The fields without which the caller's credentials are unknown. */
    private static final int NEEDED = 1 | 2 | 4 | 8;
    private static final int ALL = NEEDED | 16 | 32 | 64 | 128;

    /**
     * Reads the caller's Umask, Uid, Gid, Groups, CapEff, NStgid and NSpid. Each
     * line is looked at by its first byte only, unless that byte starts a field
     * wanted, and the scan ends once all are seen (CapEff comes late, but before
     * the lines about signals and memory placement).
     */
    boolean read(MemorySegment statusPath) {
        int fd = calls.open(statusPath, O_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        int n;
        try {
            n = (int) calls.read(fd, status, status.byteSize() - 1);
        } finally {
            NotifyCalls.close(fd);
        }
        if (n <= 0) {
            return false;
        }
        byte[] s = statusBytes;
        MemorySegment.copy(status, ValueLayout.JAVA_BYTE, 0, s, 0, n);
        creds.groupCount = 0;
        int seen = 0;
        for (int i = 0; i < n && seen != ALL; ) {
            int end = i;
            while (end < n && s[end] != '\n') {
                end++;
            }
            switch (s[i]) {
                case 'U' -> {
                    if (starts(s, i, end, UMASK)) {
                        creds.umask = (int) field(s, i + UMASK.length, end, 0, 8);
                        seen |= 1;
                    } else if (starts(s, i, end, UID)) {
                        creds.fsuid = (int) field(s, i + UID.length, end, 3, 10);
                        creds.ruid = (int) field(s, i + UID.length, end, 0, 10);
                        creds.euid = (int) field(s, i + UID.length, end, 1, 10);
                        creds.suid = (int) field(s, i + UID.length, end, 2, 10);
                        seen |= 2;
                    }
                }
                case 'G' -> {
                    if (starts(s, i, end, GID)) {
                        creds.fsgid = (int) field(s, i + GID.length, end, 3, 10);
                        creds.rgid = (int) field(s, i + GID.length, end, 0, 10);
                        creds.egid = (int) field(s, i + GID.length, end, 1, 10);
                        creds.sgid = (int) field(s, i + GID.length, end, 2, 10);
                        seen |= 4;
                    } else if (starts(s, i, end, GROUPS)) {
                        readGroups(s, i + GROUPS.length, end);
                        seen |= 16;
                    }
                }
                case 'C' -> {
                    if (starts(s, i, end, CAP_EFF)) {
                        creds.effective = field(s, i + CAP_EFF.length, end, 0, 16);
                        creds.rawEffective = creds.effective;
                        seen |= 8;
                    } else if (starts(s, i, end, CAP_PRM)) {
                        creds.permitted = field(s, i + CAP_PRM.length, end, 0, 16);
                        seen |= 128;
                    }
                }
                case 'N' -> {
                    if (starts(s, i, end, NS_TGID)) {
                        creds.nsPid = (int) last(s, i + NS_TGID.length, end);
                        seen |= 32;
                    } else if (starts(s, i, end, NS_PID)) {
                        creds.nsTid = (int) last(s, i + NS_PID.length, end);
                        seen |= 64;
                    }
                }
                default -> {
                }
            }
            i = end + 1;
        }
        return (seen & NEEDED) == NEEDED;
    }

    /**
     * Whether the caller's user namespace ({@code userNsPath}: its
     * /proc/TID/ns/user) is the supervisor's; a caller of another gets no
     * capability here (its capabilities mean nothing for the host's inodes).
     */
    boolean readUserNs(MemorySegment userNsPath) {
        if (calls.stat(userNsPath, st) != 0) {
            return false;
        }
        creds.sameUserNs = stView.getLong(LinuxConstants.STAT_INO) == ownUserNs;
        if (!creds.sameUserNs) {
            creds.effective = 0;
            creds.permitted = 0;
        }
        return true;
    }

    private void readGroups(byte[] s, int from, int to) {
        int i = from;
        for (int k = 0; k < 65536; k++) {
            while (i < to && (s[i] == ' ' || s[i] == '\t')) {
                i++;
            }
            if (i >= to) {
                return;
            }
            long g = 0;
            while (i < to && s[i] != ' ' && s[i] != '\t') {
                g = g * 10 + digit(s[i]);
                i++;
            }
            if (4L * (k + 1) > groups.byteSize()) {
                MemorySegment more = arena.allocate(groups.byteSize() * 2, 8);
                MemorySegment.copy(groups, 0, more, 0, groups.byteSize());
                groups = more;
                groupsView = NotifySupervisor.view(more);
            }
            groupsView.putInt(4 * k, (int) g);
            creds.groupCount = k + 1;
        }
    }

    private static boolean starts(byte[] s, int at, int end, byte[] prefix) {
        if (at + prefix.length > end) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (s[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    /** A hexadecimal (so also octal or decimal) digit's value. */
    private static int digit(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    /** The {@code index}th whitespace-separated number in s[from, to), or -1. */
    private static long field(byte[] s, int from, int to, int index, int radix) {
        int i = from;
        for (int k = 0; ; k++) {
            while (i < to && (s[i] == ' ' || s[i] == '\t')) {
                i++;
            }
            if (i >= to) {
                return -1;
            }
            long v = 0;
            while (i < to && s[i] != ' ' && s[i] != '\t') {
                v = v * radix + digit(s[i]);
                i++;
            }
            if (k == index) {
                return v;
            }
        }
    }

    private static long last(byte[] s, int from, int to) {
        long v = -1;
        for (int k = 0; ; k++) {
            long x = field(s, from, to, k, 10);
            if (x < 0) {
                return v;
            }
            v = x;
        }
    }

    /**
     * Takes the caller's file credentials: groups, fsgid, fsuid, then the
     * capabilities; with {@code realIds} as access(2) does: the real uid and gid,
     * and the permitted capabilities for a real uid 0 (of this user namespace;
     * a caller of another has none here anyway), none for any other.
     *
     * <p>With {@code ids}, and always for a caller in another user namespace,
     * also its real and effective uid and gid. The latter because the kernel
     * gives the owner of a user namespace (the euid that made it: root, for a
     * container made by a root runtime) every capability in it whatever its
     * effective set: a worker with euid 0 would pass a check made in the
     * container's namespace (a /proc link of another of its processes, say)
     * that the caller fails.
     */
    void becomeCaller(boolean realIds, boolean ids) {
        if (creds.groupCount != ownGroupCount || !sameGroups()) {
            check((int) calls.syscall(LinuxConstants.SYS_setgroups, creds.groupCount, groups.address(), 0, 0, 0,
                    0), "setgroups");
        }
        if (ids || !creds.sameUserNs) {
            tookIds = true;
            takeIds(creds.rgid, creds.egid, creds.ruid, creds.euid);
            // a uid other than 0 emptied the effective set; the permitted one stays with the saved uid (0)
            setCaps(ownEffective);
        }
        NotifyCalls.setfsgid(realIds ? creds.rgid : creds.fsgid);
        NotifyCalls.setfsuid(realIds ? creds.ruid : creds.fsuid);
        long caps = !realIds ? creds.effective : creds.ruid == 0 ? creds.permitted : 0;
        setCaps(caps & ownPermitted);
    }

    private boolean sameGroups() {
        for (int k = 0; k < ownGroupCount; k++) {
            if (groupsView.getInt(4 * k) != ownGroupsView.getInt(4 * k)) {
                return false;
            }
        }
        return true;
    }

    /** Capabilities first: setgroups needs CAP_SETGID, which the caller may lack. */
    void becomeSupervisor() {
        setCaps(ownEffective);
        if (tookIds) {
            tookIds = false;
            takeIds(ownRgid, ownFsgid, ownRuid, ownFsuid);
            // back to uid 0 the effective set became the permitted one
            setCaps(ownEffective);
        }
        NotifyCalls.setfsuid(ownFsuid);
        NotifyCalls.setfsgid(ownFsgid);
        if (creds.groupCount != ownGroupCount || !sameGroups()) {
            check((int) calls.syscall(LinuxConstants.SYS_setgroups, ownGroupCount, ownGroups.address(), 0, 0, 0,
                    0), "setgroups");
        }
    }

    private void setCaps(long effective) {
        capHeaderView.putInt(0, (int) LinuxConstants._LINUX_CAPABILITY_VERSION_3);
        capHeaderView.putInt(4, 0);
        capView.putInt(0, (int) effective);
        capView.putInt(4, (int) ownPermitted);
        capView.putInt(8, (int) ownInheritable);
        capView.putInt(12, (int) (effective >>> 32));
        capView.putInt(16, (int) (ownPermitted >>> 32));
        capView.putInt(20, (int) (ownInheritable >>> 32));
        check((int) calls.syscall(LinuxConstants.SYS_capset, capHeader.address(), capData.address(), 0, 0, 0, 0),
                "capset");
    }

    /**
     * Whether the caller of the current {@link #inCallerPlace} may claim
     * SCM_CREDENTIALS {@code pid}, {@code uid}, {@code gid}, by the kernel's rule
     * for its own sendmsg, kept to what needs no privilege: its own pid and one of
     * its own uids and gids. The supervisor's thread could claim more (its saved
     * ids are the supervisor's), and a caller in another user namespace names ids
     * of its own namespace, which are not these: both are refused.
     */
    boolean mayClaim(int pid, int uid, int gid) {
        return creds.sameUserNs && pid == creds.nsPid && (uid == creds.ruid || uid == creds.euid || uid == creds.suid)
                && (gid == creds.rgid || gid == creds.egid || gid == creds.sgid);
    }

    /** setresgid and setresuid for this thread alone (glibc's wrappers change every thread's); -1 keeps an id. */
    private void takeIds(int rgid, int egid, int ruid, int euid) {
        check((int) calls.syscall(LinuxConstants.SYS_setresgid, rgid, egid, -1, 0, 0, 0), "setresgid");
        check((int) calls.syscall(LinuxConstants.SYS_setresuid, ruid, euid, -1, 0, 0, 0), "setresuid");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private int check(int r, String what) {
        if (r < 0) {
            throw new IllegalStateException(what + " failed: errno " + calls.errno());
        }
        return r;
    }
}
