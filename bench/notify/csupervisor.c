/* The C yardstick for the notify supervisor: the same work per supervised open
 * as io.jsyd.runtime.supervisor (NotifySupervisor + CallerOpen), written plainly
 * in C. A pool of WORKERS threads each blocks in NOTIF_RECV on the listener
 * (SYNC_WAKE_UP set) and handles its notification end to end: the path read from
 * the caller's memory, a decision (deny below /no/, allow the rest), ID_VALID,
 * the caller's credentials from /proc/TID/status and its user namespace, the
 * caller's root, the caller's fsuid/fsgid/groups/capabilities taken around an
 * openat2 O_PATH (RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS), fstat, the reopen
 * through /proc/self/fd, and NOTIF_ADDFD with SEND.
 * Usage: csupervisor ROOTFS WORKERS PROGRAM ARGS...  (the program runs chrooted
 * in ROOTFS under a filter that notifies open and openat); exits with its status. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static int listener;
static ino_t own_userns;
static uint64_t own_eff, own_perm, own_inh;
static gid_t own_groups[65536];
static int own_ngroups;
static uid_t own_fsuid;
static gid_t own_fsgid;

struct creds {
	unsigned umask;
	uid_t fsuid;
	gid_t fsgid;
	uint64_t eff;
	int ngroups;
	gid_t groups[65536];
};

static void die(const char *what)
{
	perror(what);
	exit(111);
}

static void set_caps(uint64_t eff)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)own_perm, (uint32_t)own_inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(own_perm >> 32), (uint32_t)(own_inh >> 32) },
	};
	if (syscall(SYS_capset, &h, d) != 0)
		die("capset");
}

static int read_path(pid_t pid, uint64_t addr, char *buf)
{
	size_t got = 0;
	while (got < 4096) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		if (chunk > 4096 - got)
			chunk = 4096 - got;
		struct iovec l = { buf + got, chunk }, r = { (void *)(addr + got), chunk };
		ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
		if (n <= 0)
			return -EFAULT;
		if (memchr(buf + got, 0, n))
			return 0;
		got += n;
	}
	return -ENAMETOOLONG;
}

static unsigned long field(const char *line, int index, int base)
{
	const char *p = strchr(line, ':') + 1;
	for (int k = 0;; k++) {
		char *end;
		unsigned long v = strtoul(p, &end, base);
		if (end == p)
			return (unsigned long)-1;
		if (k == index)
			return v;
		p = end;
	}
}

static int read_creds(pid_t tid, struct creds *c)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	c->ngroups = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, "Umask:", 6))
			c->umask = field(line, 0, 8);
		else if (!strncmp(line, "Uid:", 4))
			c->fsuid = field(line, 3, 10);
		else if (!strncmp(line, "Gid:", 4))
			c->fsgid = field(line, 3, 10);
		else if (!strncmp(line, "CapEff:", 7))
			c->eff = strtoull(line + 7, NULL, 16);
		else if (!strncmp(line, "Groups:", 7)) {
			char *end = strchr(line, '\n');
			const char *p = line + 7;
			for (;;) {
				char *e;
				unsigned long g = strtoul(p, &e, 10);
				if (e == p || (end && e > end))
					break;
				c->groups[c->ngroups++] = g;
				p = e;
			}
		}
	}
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", tid);
	if (stat(path, &st) != 0)
		return -1;
	if (st.st_ino != own_userns)
		c->eff = 0;
	return 0;
}

static int open_for(pid_t tid, const char *name, int flags, int ownfds, struct creds *c)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", tid);
	int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -ESRCH;
	if (c->ngroups != own_ngroups || memcmp(c->groups, own_groups, c->ngroups * sizeof(gid_t)))
		if (syscall(SYS_setgroups, c->ngroups, c->groups) != 0)
			die("setgroups");
	setfsgid(c->fsgid);
	setfsuid(c->fsuid);
	set_caps(c->eff & own_perm);
	struct open_how how = { .flags = O_PATH | O_CLOEXEC | (flags & (O_NOFOLLOW | O_DIRECTORY)),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int r, found = syscall(SYS_openat2, root, name, &how, sizeof(how));
	if (found < 0) {
		r = -errno;
	} else {
		struct stat st;
		if (fstat(found, &st) != 0) {
			r = -errno;
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			r = -EPERM;
		} else {
			char num[16];
			snprintf(num, sizeof(num), "%d", found);
			r = openat(ownfds, num, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_NOCTTY | O_CLOEXEC);
			if (r < 0)
				r = -errno;
		}
		close(found);
	}
	set_caps(own_eff);
	setfsuid(own_fsuid);
	setfsgid(own_fsgid);
	if (c->ngroups != own_ngroups || memcmp(c->groups, own_groups, c->ngroups * sizeof(gid_t)))
		if (syscall(SYS_setgroups, own_ngroups, own_groups) != 0)
			die("setgroups");
	close(root);
	return r;
}

static void *worker(void *arg)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct seccomp_notif_addfd addfd;
	static __thread struct creds creds;
	char path[4097];
	(void)arg;
	if (unshare(CLONE_FS) != 0)
		die("unshare");
	umask(0);
	int ownfds = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ownfds < 0)
		die("/proc/self/fd");
	for (;;) {
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return NULL;
		}
		int nr_open = req.data.nr == SYS_open;
		uint64_t addr = nr_open ? req.data.args[0] : req.data.args[1];
		int flags = nr_open ? req.data.args[1] : req.data.args[2];
		int err = read_path(req.pid, addr, path);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) != 0)
			continue;
		int fd = -1;
		if (!err && (path[0] != '/' || !strncmp(path, "/no/", 4)))
			err = -EACCES; /* the benchmark's load uses absolute paths only */
		if (!err && read_creds(req.pid, &creds) != 0)
			err = -ESRCH;
		if (!err) {
			fd = open_for(req.pid, path, flags, ownfds, &creds);
			if (fd < 0)
				err = fd;
		}
		if (err) {
			memset(&resp, 0, sizeof(resp));
			resp.id = req.id;
			resp.error = err;
			resp.val = -1;
			ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
			continue;
		}
		memset(&addfd, 0, sizeof(addfd));
		addfd.id = req.id;
		addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
		addfd.srcfd = fd;
		addfd.newfd_flags = flags & O_CLOEXEC;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	int pipefd[2], gofd[2], workers;
	if (argc < 4)
		return 2;
	workers = atoi(argv[2]);
	if (pipe(pipefd) != 0 || pipe(gofd) != 0)
		die("pipe");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (chroot(argv[1]) != 0 || chdir("/") != 0)
			die("chroot");
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(open), 0) != 0
		    || seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(openat), 0) != 0 || seccomp_load(ctx) != 0)
			die("seccomp");
		int fd = seccomp_notify_fd(ctx);
		if (write(pipefd[1], &fd, sizeof(fd)) != sizeof(fd))
			die("write");
		char go;
		close(gofd[1]);
		if (read(gofd[0], &go, 1) != 0) /* the parent closes its end once it holds the listener */
			die("read");
		execv(argv[3], argv + 3);
		die("execv");
	}
	int fd;
	close(pipefd[1]);
	close(gofd[0]);
	if (read(pipefd[0], &fd, sizeof(fd)) != sizeof(fd))
		die("read");
	int pidfd = syscall(SYS_pidfd_open, child, 0);
	listener = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (pidfd < 0 || listener < 0)
		die("pidfd_getfd");
	close(pipefd[0]);
	close(gofd[1]);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0) != 0)
		die("SYNC_WAKE_UP");
	struct stat st;
	if (stat("/proc/self/ns/user", &st) != 0)
		die("ns/user");
	own_userns = st.st_ino;
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) != 0)
		die("capget");
	own_eff = d[0].effective | (uint64_t)d[1].effective << 32;
	own_perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	own_inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	own_ngroups = getgroups(65536, own_groups);
	own_fsuid = geteuid();
	own_fsgid = getegid();
	for (int i = 0; i < workers; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, worker, NULL) != 0)
			die("pthread_create");
	}
	int status;
	if (waitpid(child, &status, 0) != child)
		die("waitpid");
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}
