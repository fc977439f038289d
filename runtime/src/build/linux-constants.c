/*
 * Build step: prints the Java classes LinuxConstants and Errno from the system
 * headers, so no number or struct size is copied into Java by hand.
 * Usage: linux-constants OUT_DIR   (writes OUT_DIR/LinuxConstants.java, Errno.java)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/file.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <linux/audit.h>

static FILE *out;

#define C(name) fprintf(out, "    public static final long %s = %lldL;\n", #name, (long long)(name))

#define F(jname, value) fprintf(out, "    public static final int %s = %lld;\n", jname, (long long)(value))

/* Files, directories and their metadata (image unpacking): flags, and the layouts of
 * struct stat, struct dirent and struct open_how as this machine's headers give them. */
static void file_constants(void)
{
	C(AT_FDCWD); C(AT_SYMLINK_NOFOLLOW); C(AT_REMOVEDIR); C(AT_EMPTY_PATH);
	C(O_CREAT); C(O_EXCL); C(O_TRUNC); C(O_NONBLOCK);
	C(S_IFLNK); C(S_IFSOCK);
	C(RESOLVE_IN_ROOT); C(RESOLVE_BENEATH); C(RESOLVE_NO_MAGICLINKS); C(RESOLVE_NO_SYMLINKS);
	C(RESOLVE_NO_XDEV); C(SYS_openat2); C(SYS_landlock_create_ruleset); C(UTIME_OMIT); C(XATTR_CREATE); C(RENAME_NOREPLACE);
	C(DT_DIR); C(DT_LNK); C(DT_UNKNOWN);
	F("SIZEOF_OPEN_HOW", sizeof(struct open_how));
	F("OPEN_HOW_FLAGS", offsetof(struct open_how, flags));
	F("OPEN_HOW_MODE", offsetof(struct open_how, mode));
	F("OPEN_HOW_RESOLVE", offsetof(struct open_how, resolve));
	F("SIZEOF_STAT", sizeof(struct stat));
	F("STAT_MODE", offsetof(struct stat, st_mode));
	F("SIZEOF_STAT_MODE", sizeof(((struct stat *)0)->st_mode));
	F("STAT_UID", offsetof(struct stat, st_uid));
	F("STAT_GID", offsetof(struct stat, st_gid));
	F("STAT_NLINK", offsetof(struct stat, st_nlink));
	F("SIZEOF_STAT_NLINK", sizeof(((struct stat *)0)->st_nlink));
	F("STAT_INO", offsetof(struct stat, st_ino));
	F("STAT_DEV", offsetof(struct stat, st_dev));
	F("STAT_RDEV", offsetof(struct stat, st_rdev));
	F("STAT_SIZE", offsetof(struct stat, st_size));
	F("STAT_MTIM", offsetof(struct stat, st_mtim));
	F("SIZEOF_TIMESPEC", sizeof(struct timespec));
	F("TIMESPEC_NSEC", offsetof(struct timespec, tv_nsec));
	F("DIRENT_NAME", offsetof(struct dirent, d_name));
	F("DIRENT_TYPE", offsetof(struct dirent, d_type));
}

/* The ptrace layer: requests, options, events, wait flags, the syscall-info layout
 * and where the syscall number and return value sit in the saved registers. */
static void ptrace_constants(void)
{
	C(PTRACE_SEIZE); C(PTRACE_CONT); C(PTRACE_SYSCALL); C(PTRACE_LISTEN); C(PTRACE_DETACH); C(PTRACE_INTERRUPT);
	C(PTRACE_GETEVENTMSG); C(PTRACE_GET_SYSCALL_INFO); C(PTRACE_POKEUSER);
	C(PTRACE_O_TRACESYSGOOD); C(PTRACE_O_TRACEFORK); C(PTRACE_O_TRACEVFORK); C(PTRACE_O_TRACECLONE);
	C(PTRACE_O_TRACEEXEC); C(PTRACE_O_TRACEEXIT); C(PTRACE_O_TRACESECCOMP); C(PTRACE_O_EXITKILL);
	C(PTRACE_EVENT_FORK); C(PTRACE_EVENT_VFORK); C(PTRACE_EVENT_CLONE); C(PTRACE_EVENT_EXEC);
	C(PTRACE_EVENT_EXIT); C(PTRACE_EVENT_SECCOMP); C(PTRACE_EVENT_STOP);
	C(PTRACE_SYSCALL_INFO_SECCOMP);
	C(__WALL); C(__WNOTHREAD);
	C(PROT_READ); C(PROT_WRITE); C(PROT_EXEC); C(MAP_SHARED); C(MAP_ANONYMOUS); C(O_ACCMODE);
	C(SIGTSTP); C(SIGTTIN); C(SIGTTOU); C(SIGTRAP);
	C(CLONE_THREAD);
	F("SIZEOF_PTRACE_SYSCALL_INFO", sizeof(struct __ptrace_syscall_info));
	F("PTRACE_INFO_OP", offsetof(struct __ptrace_syscall_info, op));
	F("PTRACE_INFO_ARCH", offsetof(struct __ptrace_syscall_info, arch));
	F("PTRACE_INFO_SECCOMP_NR", offsetof(struct __ptrace_syscall_info, seccomp.nr));
	F("PTRACE_INFO_SECCOMP_ARGS", offsetof(struct __ptrace_syscall_info, seccomp.args));
#if defined(__x86_64__)
	fprintf(out, "    public static final long NATIVE_AUDIT_ARCH = %lldL;\n", (long long)AUDIT_ARCH_X86_64);
	F("USER_REGS_SYSCALL_NR", offsetof(struct user_regs_struct, orig_rax));
	F("USER_REGS_RETURN", offsetof(struct user_regs_struct, rax));
#else
	fprintf(out, "    public static final long NATIVE_AUDIT_ARCH = 0L;\n");
	F("USER_REGS_SYSCALL_NR", -1);
	F("USER_REGS_RETURN", -1);
#endif
}

static void constants(void)
{
	fprintf(out, "package io.jsyd.runtime.linux;\n\n"
		     "// Generated at build time from the system headers by src/build/linux-constants.c.\n\n"
		     "/** Kernel and libc constants of the build machine's headers. */\n"
		     "public final class LinuxConstants {\n    private LinuxConstants() {\n    }\n\n");
	/* namespaces and clone */
	C(CLONE_NEWNS); C(CLONE_NEWUTS); C(CLONE_NEWIPC); C(CLONE_NEWPID); C(CLONE_NEWNET);
	C(CLONE_NEWUSER); C(CLONE_NEWCGROUP); C(CLONE_NEWTIME); C(CLONE_PARENT); C(CLONE_FS);
	/* mount(2) */
	C(MS_RDONLY); C(MS_NOSUID); C(MS_NODEV); C(MS_NOEXEC); C(MS_SYNCHRONOUS); C(MS_REMOUNT);
	C(MS_MANDLOCK); C(MS_DIRSYNC); C(MS_NOSYMFOLLOW); C(MS_NOATIME); C(MS_NODIRATIME); C(MS_BIND);
	C(MS_MOVE); C(MS_REC); C(MS_SILENT); C(MS_UNBINDABLE); C(MS_PRIVATE); C(MS_SLAVE);
	C(MS_SHARED); C(MS_RELATIME); C(MS_STRICTATIME); C(MS_LAZYTIME);
	/* mount_setattr(2) */
	C(MOUNT_ATTR_RDONLY); C(MOUNT_ATTR_NOSUID); C(MOUNT_ATTR_NODEV); C(MOUNT_ATTR_NOEXEC);
	C(MOUNT_ATTR__ATIME); C(MOUNT_ATTR_RELATIME); C(MOUNT_ATTR_NOATIME); C(MOUNT_ATTR_STRICTATIME);
	C(MOUNT_ATTR_NODIRATIME); C(MOUNT_ATTR_IDMAP); C(MOUNT_ATTR_NOSYMFOLLOW);
	/* files */
	C(LOCK_EX); C(LOCK_UN); C(LOCK_NB);
	C(S_IFMT); C(S_IFCHR); C(S_IFBLK); C(S_IFIFO); C(S_IFREG); C(S_IFDIR);
	C(O_CLOEXEC); C(O_RDONLY); C(O_WRONLY); C(O_RDWR); C(O_PATH); C(O_DIRECTORY); C(O_NOFOLLOW);
	C(F_DUPFD_CLOEXEC); C(F_GETFD); C(F_SETFD); C(FD_CLOEXEC); C(F_ADD_SEALS); C(F_SEAL_SEAL);
	C(F_SEAL_SHRINK); C(F_SEAL_GROW); C(F_SEAL_WRITE); C(MFD_CLOEXEC); C(MFD_ALLOW_SEALING);
	/* sockets */
	C(AF_UNIX); C(SOCK_SEQPACKET); C(SOCK_STREAM); C(SOCK_CLOEXEC); C(MSG_NOSIGNAL); C(SOL_SOCKET);
	C(SCM_RIGHTS); C(MSG_CMSG_CLOEXEC); C(SO_PEERCRED); C(SOMAXCONN); C(MSG_CTRUNC);
	/* terminals */
	C(TIOCGWINSZ); C(TIOCSWINSZ); C(TCSANOW);
	/* processes */
	C(WNOHANG); C(WEXITED); C(WNOWAIT); C(P_ALL); C(O_APPEND); C(MNT_DETACH); C(POSIX_SPAWN_SETPGROUP); C(PR_SET_CHILD_SUBREAPER); C(PR_SET_NO_NEW_PRIVS); C(PR_SET_KEEPCAPS);
	C(PR_SET_PDEATHSIG); C(PR_SET_DUMPABLE); C(CAP_LAST_CAP);
	C(SIGHUP); C(SIGINT); C(SIGQUIT); C(SIGKILL); C(SIGUSR1); C(SIGUSR2); C(SIGTERM); C(SIGURG);
	C(SYS_gettid); C(SYS_tgkill);
	fprintf(out, "    public static final int SIZEOF_SIGACTION = %zu;\n", sizeof(struct sigaction));
	C(SIGCHLD); C(SIGCONT); C(SIGSTOP); C(SIGWINCH);
	/* scheduling, io priority, personality */
	C(SCHED_OTHER); C(SCHED_FIFO); C(SCHED_RR); C(SCHED_BATCH); C(SCHED_IDLE); C(SCHED_DEADLINE);
	C(SCHED_FLAG_RESET_ON_FORK); C(SCHED_FLAG_RECLAIM); C(SCHED_FLAG_DL_OVERRUN);
	C(SCHED_FLAG_KEEP_POLICY); C(SCHED_FLAG_KEEP_PARAMS); C(SCHED_FLAG_UTIL_CLAMP_MIN);
	C(SCHED_FLAG_UTIL_CLAMP_MAX);
	C(PER_LINUX); C(PER_LINUX32);
	/* rlimits */
	C(RLIMIT_CPU); C(RLIMIT_FSIZE); C(RLIMIT_DATA); C(RLIMIT_STACK); C(RLIMIT_CORE); C(RLIMIT_RSS);
	C(RLIMIT_NPROC); C(RLIMIT_NOFILE); C(RLIMIT_MEMLOCK); C(RLIMIT_AS); C(RLIMIT_LOCKS);
	C(RLIMIT_SIGPENDING); C(RLIMIT_MSGQUEUE); C(RLIMIT_NICE); C(RLIMIT_RTPRIO); C(RLIMIT_RTTIME);
	/* seccomp */
	C(SECCOMP_FILTER_FLAG_TSYNC); C(SECCOMP_FILTER_FLAG_LOG); C(SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	C(SECCOMP_FILTER_FLAG_NEW_LISTENER);
	/* cgroups: the device eBPF program, OOM notifications */
	C(SYS_bpf); C(BPF_PROG_LOAD); C(BPF_PROG_ATTACH); C(BPF_PROG_DETACH); C(BPF_PROG_QUERY);
	C(BPF_PROG_GET_FD_BY_ID); C(BPF_PROG_TYPE_CGROUP_DEVICE); C(BPF_CGROUP_DEVICE);
	C(BPF_F_ALLOW_MULTI); C(BPF_F_REPLACE); C(BPF_DEVCG_ACC_MKNOD); C(BPF_DEVCG_ACC_READ);
	C(BPF_DEVCG_ACC_WRITE); C(BPF_DEVCG_DEV_BLOCK); C(BPF_DEVCG_DEV_CHAR);
	C(EFD_CLOEXEC); C(IN_CLOEXEC); C(IN_MODIFY); C(POLLIN);
	/* the supervisor daemon: pidfds, its own session */
	C(SYS_pidfd_open); C(SYS_pidfd_send_signal); C(POSIX_SPAWN_SETSID); C(POLLHUP);
	/* the notify supervisor's emulated calls: a thread of its own fs, the caller's file credentials */
	C(O_NOCTTY); C(O_TMPFILE); C(SYS_setgroups); C(SYS_capget); C(SYS_capset); C(SYS_faccessat2);
	C(SYS_pidfd_getfd); C(AT_EACCESS); C(_LINUX_CAPABILITY_VERSION_3);
	/* ... and, for a UNIX socket call, its real and effective ids (this thread's alone: raw syscalls) */
	C(SYS_setresuid); C(SYS_setresgid); C(SYS_getsockname);
	/* the stat family made in a caller's place: struct statx's size and where its owner is */
	C(SYS_newfstatat); C(SYS_statx); C(SYS_readlinkat);
	F("SIZEOF_STATX", sizeof(struct statx));
	F("STATX_UID", offsetof(struct statx, stx_uid));
	F("STATX_GID", offsetof(struct statx, stx_gid));
	fprintf(out, "    public static final long CAP_FS_MASK = 0x%llxL;\n", (unsigned long long)(
		(1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER)
		| (1ULL << CAP_FSETID) | (1ULL << CAP_LINUX_IMMUTABLE) | (1ULL << CAP_MAC_OVERRIDE) | (1ULL << CAP_MKNOD)));
	fprintf(out, "    public static final int SIZEOF_BPF_ATTR = %zu;\n", sizeof(union bpf_attr));
	fprintf(out, "    public static final int BPF_ATTR_PROG_TYPE = %zu;\n", offsetof(union bpf_attr, prog_type));
	fprintf(out, "    public static final int BPF_ATTR_INSN_CNT = %zu;\n", offsetof(union bpf_attr, insn_cnt));
	fprintf(out, "    public static final int BPF_ATTR_INSNS = %zu;\n", offsetof(union bpf_attr, insns));
	fprintf(out, "    public static final int BPF_ATTR_LICENSE = %zu;\n", offsetof(union bpf_attr, license));
	fprintf(out, "    public static final int BPF_ATTR_LOG_LEVEL = %zu;\n", offsetof(union bpf_attr, log_level));
	fprintf(out, "    public static final int BPF_ATTR_LOG_SIZE = %zu;\n", offsetof(union bpf_attr, log_size));
	fprintf(out, "    public static final int BPF_ATTR_LOG_BUF = %zu;\n", offsetof(union bpf_attr, log_buf));
	fprintf(out, "    public static final int BPF_ATTR_TARGET_FD = %zu;\n", offsetof(union bpf_attr, target_fd));
	fprintf(out, "    public static final int BPF_ATTR_ATTACH_BPF_FD = %zu;\n", offsetof(union bpf_attr, attach_bpf_fd));
	fprintf(out, "    public static final int BPF_ATTR_ATTACH_TYPE = %zu;\n", offsetof(union bpf_attr, attach_type));
	fprintf(out, "    public static final int BPF_ATTR_ATTACH_FLAGS = %zu;\n", offsetof(union bpf_attr, attach_flags));
	fprintf(out, "    public static final int BPF_ATTR_REPLACE_BPF_FD = %zu;\n", offsetof(union bpf_attr, replace_bpf_fd));
	fprintf(out, "    public static final int BPF_ATTR_QUERY_TARGET_FD = %zu;\n", offsetof(union bpf_attr, query.target_fd));
	fprintf(out, "    public static final int BPF_ATTR_QUERY_ATTACH_TYPE = %zu;\n", offsetof(union bpf_attr, query.attach_type));
	fprintf(out, "    public static final int BPF_ATTR_QUERY_PROG_IDS = %zu;\n", offsetof(union bpf_attr, query.prog_ids));
	fprintf(out, "    public static final int BPF_ATTR_QUERY_PROG_CNT = %zu;\n", offsetof(union bpf_attr, query.prog_cnt));
	fprintf(out, "    public static final int BPF_ATTR_PROG_ID = %zu;\n", offsetof(union bpf_attr, prog_id));
	fprintf(out, "    public static final int SIZEOF_POLLFD = %zu;\n", sizeof(struct pollfd));
	fprintf(out, "    public static final int POLLFD_REVENTS = %zu;\n", offsetof(struct pollfd, revents));
	/* layouts libc hides from us */
	fprintf(out, "    public static final int CMSG_SPACE_ONE_FD = %zu;\n", (size_t)CMSG_SPACE(sizeof(int)));
	fprintf(out, "    public static final int CMSG_LEN_ONE_FD = %zu;\n", (size_t)CMSG_LEN(sizeof(int)));
	{
		char buf[CMSG_SPACE(sizeof(int))];
		struct msghdr mh = { .msg_control = buf, .msg_controllen = sizeof(buf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		fprintf(out, "    public static final int CMSG_DATA_OFFSET = %zu;\n",
			(size_t)((unsigned char *)CMSG_DATA(c) - (unsigned char *)c));
	}
	fprintf(out, "    public static final int SIZEOF_MSGHDR = %zu;\n", sizeof(struct msghdr));
	fprintf(out, "    public static final int MSGHDR_IOV = %zu;\n", offsetof(struct msghdr, msg_iov));
	fprintf(out, "    public static final int MSGHDR_IOVLEN = %zu;\n", offsetof(struct msghdr, msg_iovlen));
	fprintf(out, "    public static final int MSGHDR_CONTROL = %zu;\n", offsetof(struct msghdr, msg_control));
	fprintf(out, "    public static final int MSGHDR_CONTROLLEN = %zu;\n", offsetof(struct msghdr, msg_controllen));
	fprintf(out, "    public static final int MSGHDR_FLAGS = %zu;\n", offsetof(struct msghdr, msg_flags));
	fprintf(out, "    public static final int SIZEOF_IOVEC = %zu;\n", sizeof(struct iovec));
	fprintf(out, "    public static final int IOVEC_LEN = %zu;\n", offsetof(struct iovec, iov_len));
	fprintf(out, "    public static final int CMSGHDR_LEN = %zu;\n", offsetof(struct cmsghdr, cmsg_len));
	fprintf(out, "    public static final int CMSG_LEVEL = %zu;\n", offsetof(struct cmsghdr, cmsg_level));
	fprintf(out, "    public static final int CMSG_TYPE = %zu;\n", offsetof(struct cmsghdr, cmsg_type));
	fprintf(out, "    public static final int SIZEOF_SOCKADDR_UN = %zu;\n", sizeof(struct sockaddr_un));
	fprintf(out, "    public static final int SOCKADDR_UN_PATH = %zu;\n", offsetof(struct sockaddr_un, sun_path));
	fprintf(out, "    public static final int SIZEOF_POSIX_SPAWN_FILE_ACTIONS = %zu;\n", sizeof(posix_spawn_file_actions_t));
	fprintf(out, "    public static final int SIZEOF_POSIX_SPAWNATTR = %zu;\n", sizeof(posix_spawnattr_t));
	file_constants();
	ptrace_constants();
	fprintf(out, "}\n");
}

struct err { int no; const char *name; };
#define E(x) { x, #x },
static const struct err errs[] = {
	E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF) E(ECHILD)
	E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV)
	E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC)
	E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(EDEADLK) E(ENAMETOOLONG) E(ENOLCK)
	E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG) E(EIDRM) E(ENODATA) E(ETIME) E(EPROTO) E(EOVERFLOW)
	E(EBADFD) E(EILSEQ) E(EUSERS) E(ENOTSOCK) E(EMSGSIZE) E(EPROTOTYPE) E(ENOPROTOOPT)
	E(EPROTONOSUPPORT) E(EOPNOTSUPP) E(EAFNOSUPPORT) E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETDOWN)
	E(ENETUNREACH) E(ECONNABORTED) E(ECONNRESET) E(ENOBUFS) E(EISCONN) E(ENOTCONN) E(ETIMEDOUT)
	E(ECONNREFUSED) E(EHOSTUNREACH) E(EALREADY) E(EINPROGRESS) E(ESTALE) E(EDQUOT) E(ECANCELED)
	E(EOWNERDEAD) E(ENOTRECOVERABLE) E(ERFKILL) E(EHWPOISON) E(ENOMEDIUM) E(EMEDIUMTYPE)
	E(ENOKEY) E(EKEYEXPIRED) E(EKEYREVOKED) E(EKEYREJECTED) E(ENOSR) E(ENOSTR) E(ENOLINK)
};

static const struct err capabilities[] = {
#ifdef CAP_CHOWN
	{ CAP_CHOWN, "CAP_CHOWN" },
#endif
#ifdef CAP_DAC_OVERRIDE
	{ CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE" },
#endif
#ifdef CAP_DAC_READ_SEARCH
	{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH" },
#endif
#ifdef CAP_FOWNER
	{ CAP_FOWNER, "CAP_FOWNER" },
#endif
#ifdef CAP_FSETID
	{ CAP_FSETID, "CAP_FSETID" },
#endif
#ifdef CAP_KILL
	{ CAP_KILL, "CAP_KILL" },
#endif
#ifdef CAP_SETGID
	{ CAP_SETGID, "CAP_SETGID" },
#endif
#ifdef CAP_SETUID
	{ CAP_SETUID, "CAP_SETUID" },
#endif
#ifdef CAP_SETPCAP
	{ CAP_SETPCAP, "CAP_SETPCAP" },
#endif
#ifdef CAP_LINUX_IMMUTABLE
	{ CAP_LINUX_IMMUTABLE, "CAP_LINUX_IMMUTABLE" },
#endif
#ifdef CAP_NET_BIND_SERVICE
	{ CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE" },
#endif
#ifdef CAP_NET_BROADCAST
	{ CAP_NET_BROADCAST, "CAP_NET_BROADCAST" },
#endif
#ifdef CAP_NET_ADMIN
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
#endif
#ifdef CAP_NET_RAW
	{ CAP_NET_RAW, "CAP_NET_RAW" },
#endif
#ifdef CAP_IPC_LOCK
	{ CAP_IPC_LOCK, "CAP_IPC_LOCK" },
#endif
#ifdef CAP_IPC_OWNER
	{ CAP_IPC_OWNER, "CAP_IPC_OWNER" },
#endif
#ifdef CAP_SYS_MODULE
	{ CAP_SYS_MODULE, "CAP_SYS_MODULE" },
#endif
#ifdef CAP_SYS_RAWIO
	{ CAP_SYS_RAWIO, "CAP_SYS_RAWIO" },
#endif
#ifdef CAP_SYS_CHROOT
	{ CAP_SYS_CHROOT, "CAP_SYS_CHROOT" },
#endif
#ifdef CAP_SYS_PTRACE
	{ CAP_SYS_PTRACE, "CAP_SYS_PTRACE" },
#endif
#ifdef CAP_SYS_PACCT
	{ CAP_SYS_PACCT, "CAP_SYS_PACCT" },
#endif
#ifdef CAP_SYS_ADMIN
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
#endif
#ifdef CAP_SYS_BOOT
	{ CAP_SYS_BOOT, "CAP_SYS_BOOT" },
#endif
#ifdef CAP_SYS_NICE
	{ CAP_SYS_NICE, "CAP_SYS_NICE" },
#endif
#ifdef CAP_SYS_RESOURCE
	{ CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE" },
#endif
#ifdef CAP_SYS_TIME
	{ CAP_SYS_TIME, "CAP_SYS_TIME" },
#endif
#ifdef CAP_SYS_TTY_CONFIG
	{ CAP_SYS_TTY_CONFIG, "CAP_SYS_TTY_CONFIG" },
#endif
#ifdef CAP_MKNOD
	{ CAP_MKNOD, "CAP_MKNOD" },
#endif
#ifdef CAP_LEASE
	{ CAP_LEASE, "CAP_LEASE" },
#endif
#ifdef CAP_AUDIT_WRITE
	{ CAP_AUDIT_WRITE, "CAP_AUDIT_WRITE" },
#endif
#ifdef CAP_AUDIT_CONTROL
	{ CAP_AUDIT_CONTROL, "CAP_AUDIT_CONTROL" },
#endif
#ifdef CAP_SETFCAP
	{ CAP_SETFCAP, "CAP_SETFCAP" },
#endif
#ifdef CAP_MAC_OVERRIDE
	{ CAP_MAC_OVERRIDE, "CAP_MAC_OVERRIDE" },
#endif
#ifdef CAP_MAC_ADMIN
	{ CAP_MAC_ADMIN, "CAP_MAC_ADMIN" },
#endif
#ifdef CAP_SYSLOG
	{ CAP_SYSLOG, "CAP_SYSLOG" },
#endif
#ifdef CAP_WAKE_ALARM
	{ CAP_WAKE_ALARM, "CAP_WAKE_ALARM" },
#endif
#ifdef CAP_BLOCK_SUSPEND
	{ CAP_BLOCK_SUSPEND, "CAP_BLOCK_SUSPEND" },
#endif
#ifdef CAP_AUDIT_READ
	{ CAP_AUDIT_READ, "CAP_AUDIT_READ" },
#endif
#ifdef CAP_PERFMON
	{ CAP_PERFMON, "CAP_PERFMON" },
#endif
#ifdef CAP_BPF
	{ CAP_BPF, "CAP_BPF" },
#endif
#ifdef CAP_CHECKPOINT_RESTORE
	{ CAP_CHECKPOINT_RESTORE, "CAP_CHECKPOINT_RESTORE" },
#endif
};

static void capability_enum(void)
{
	size_t i, n = sizeof(capabilities) / sizeof(capabilities[0]);
	fprintf(out, "package io.jsyd.runtime.linux;\n\n"
		     "// Generated at build time from the system headers by src/build/linux-constants.c.\n\n"
		     "/** Linux capabilities the build machine's headers know, with their numbers. */\n"
		     "public enum Capability {\n");
	for (i = 0; i < n; i++)
		fprintf(out, "    %s(%d)%s\n", capabilities[i].name, capabilities[i].no, i + 1 < n ? "," : ";");
	fprintf(out, "\n    private final int number;\n\n    Capability(int number) {\n        this.number = number;\n    }\n\n"
		     "    public int number() {\n        return number;\n    }\n\n"
		     "    /** The capability named like \"CAP_SYS_ADMIN\", or null. */\n"
		     "    public static Capability byName(String name) {\n        for (Capability c : values()) {\n"
		     "            if (c.name().equals(name)) {\n                return c;\n            }\n        }\n"
		     "        return null;\n    }\n}\n");
}

static void errnos(void)
{
	size_t i, n = sizeof(errs) / sizeof(errs[0]);
	fprintf(out, "package io.jsyd.runtime.linux;\n\n"
		     "// Generated at build time from the system headers by src/build/linux-constants.c.\n\n"
		     "/** errno values by name, with the C library's description. */\n"
		     "public enum Errno {\n");
	for (i = 0; i < n; i++) {
		const char *msg = strerror(errs[i].no);
		char lower[128];
		size_t j;
		for (j = 0; msg[j] && j + 1 < sizeof(lower); j++)
			lower[j] = (char)((msg[j] >= 'A' && msg[j] <= 'Z') ? msg[j] + 32 : msg[j]);
		lower[j] = '\0';
		fprintf(out, "    %s(%d, \"%s\")%s\n", errs[i].name, errs[i].no, lower, i + 1 < n ? "," : ";");
	}
	fprintf(out, "\n    private final int number;\n    private final String description;\n\n"
		     "    Errno(int number, String description) {\n        this.number = number;\n"
		     "        this.description = description;\n    }\n\n"
		     "    public int number() {\n        return number;\n    }\n\n"
		     "    public String description() {\n        return description;\n    }\n\n"
		     "    /** The errno with that number, or null for one this table does not name. */\n"
		     "    public static Errno of(int number) {\n        for (Errno e : values()) {\n"
		     "            if (e.number == number) {\n                return e;\n            }\n        }\n"
		     "        return null;\n    }\n\n"
		     "    /** \"ENOENT (no such file or directory)\", or \"errno 1234\". */\n"
		     "    public static String describe(int number) {\n        Errno e = of(number);\n"
		     "        return e == null ? \"errno \" + number : e.name() + \" (\" + e.description + \")\";\n    }\n}\n");
}

int main(int argc, char **argv)
{
	char path[4096];
	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/LinuxConstants.java", argv[1]);
	if (!(out = fopen(path, "w")))
		return perror(path), 1;
	constants();
	fclose(out);
	snprintf(path, sizeof(path), "%s/Errno.java", argv[1]);
	if (!(out = fopen(path, "w")))
		return perror(path), 1;
	errnos();
	if (fclose(out) != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/Capability.java", argv[1]);
	if (!(out = fopen(path, "w")))
		return perror(path), 1;
	capability_enum();
	return fclose(out) != 0;
}
