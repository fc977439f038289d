/* The stat, access and readlink families, one line per call: what it returned,
 * the errno, and what it gave back that does not change from one rootfs to the
 * next (mode, size, owner, links, statx's mask; a link's text). Run once without
 * a supervisor and once under one that makes these calls itself: the lines must
 * be the same.
 * Usage: stat-calls            the battery (needs /link -> /etc/passwd, /owned
 *                              owned by 1000:1001, /secret/key 0600 root)
 *        stat-calls denied P   stat, lstat, statx, access, readlink of P
 *        stat-calls loop P N   stat P N times, prints the mean nanoseconds of one */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

/* Sets the effective capabilities, the permitted ones kept. */
static int effective(int all)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	d[0].effective = all ? d[0].permitted : 0;
	d[1].effective = all ? d[1].permitted : 0;
	return syscall(SYS_capset, &h, d);
}

static void st(const char *what, long r, const struct stat *s)
{
	if (r != 0)
		printf("%s -1 %d\n", what, errno);
	else
		printf("%s 0 mode=%o size=%lld uid=%u gid=%u nlink=%lu\n", what, (unsigned)s->st_mode,
		       (long long)s->st_size, (unsigned)s->st_uid, (unsigned)s->st_gid, (unsigned long)s->st_nlink);
}

static void stx(const char *what, long r, const struct statx *s)
{
	if (r != 0)
		printf("%s -1 %d\n", what, errno);
	else
		printf("%s 0 mask=%x mode=%o size=%llu uid=%u gid=%u\n", what, s->stx_mask & 0xfff,
		       (unsigned)s->stx_mode, (unsigned long long)s->stx_size, s->stx_uid, s->stx_gid);
}

static void rc(const char *what, long r)
{
	printf("%s %ld %d\n", what, r, r < 0 ? errno : 0);
}

static void link_text(const char *what, const char *path, size_t size, int dirfd)
{
	char buf[4096];
	ssize_t n;
	memset(buf, 'x', sizeof(buf));
	n = dirfd == -1 ? readlink(path, buf, size) : readlinkat(dirfd, path, buf, size);
	if (n < 0)
		printf("%s -1 %d\n", what, errno);
	else
		/* the byte after the text shows no NUL was written */
		printf("%s %zd %.*s|%c\n", what, n, (int)n, buf, buf[n]);
}

static int denied(const char *p)
{
	struct stat s;
	struct statx x;
	char buf[64];
	st("stat", stat(p, &s), &s);
	st("lstat", lstat(p, &s), &s);
	stx("statx", statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, &x), &x);
	rc("access", access(p, F_OK));
	rc("readlink", readlink(p, buf, sizeof(buf)));
	return 0;
}

int main(int argc, char **argv)
{
	struct stat s;
	struct statx x;
	int fd, root;
	char self_fd[64];
	if (argc == 3 && !strcmp(argv[1], "denied"))
		return denied(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "loop")) {
		struct timespec a, b;
		long n = atol(argv[3]), i;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < n; i++)
			if (stat(argv[2], &s) != 0)
				return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%ld\n", ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec)) / n);
		return 0;
	}
	st("stat", stat("/etc/passwd", &s), &s);
	st("stat-dir", stat("/etc", &s), &s);
	st("stat-link", stat("/link", &s), &s);
	st("lstat-link", lstat("/link", &s), &s);
	st("stat-owned", stat("/owned", &s), &s);
	st("stat-missing", stat("/nothing/here", &s), &s);
	st("stat-notdir", stat("/etc/passwd/x", &s), &s);
	rc("stat-fault", syscall(SYS_newfstatat, AT_FDCWD, "/etc/passwd", (void *)8, 0));
	rc("stat-missing-fault", syscall(SYS_newfstatat, AT_FDCWD, "/nothing", (void *)8, 0));
	if (chdir("/etc") != 0)
		return 2;
	st("stat-relative", stat("passwd", &s), &s);
	st("fstatat-cwd", fstatat(AT_FDCWD, "../link", &s, AT_SYMLINK_NOFOLLOW), &s);
	root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (root < 0 || fd < 0)
		return 3;
	st("fstatat-dirfd", fstatat(root, "etc/passwd", &s, 0), &s);
	st("fstatat-nofollow", fstatat(root, "link", &s, AT_SYMLINK_NOFOLLOW), &s);
	st("fstatat-empty", fstatat(fd, "", &s, AT_EMPTY_PATH), &s);
	st("fstatat-empty-cwd", fstatat(AT_FDCWD, "", &s, AT_EMPTY_PATH), &s);
	st("fstatat-empty-noflag", fstatat(fd, "", &s, 0), &s);
	st("fstatat-notdir", fstatat(fd, "x", &s, 0), &s);
	st("fstatat-badfd", fstatat(99, "x", &s, 0), &s);
	st("fstatat-negfd", fstatat(-5, "x", &s, 0), &s);
	st("fstatat-badflag", fstatat(root, "etc", &s, 0x40000000), &s);
	stx("statx", statx(AT_FDCWD, "/etc/passwd", 0, STATX_BASIC_STATS, &x), &x);
	stx("statx-mask", statx(AT_FDCWD, "/etc/passwd", 0, STATX_MODE | STATX_SIZE, &x), &x);
	stx("statx-nofollow", statx(root, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x), &x);
	stx("statx-empty", statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &x), &x);
	stx("statx-owned", statx(AT_FDCWD, "/owned", 0, STATX_UID | STATX_GID, &x), &x);
	rc("access", access("/etc/passwd", R_OK));
	rc("access-x", access("/etc/passwd", X_OK));
	rc("access-missing", access("/nothing", F_OK));
	rc("access-badmode", access("/etc/passwd", 0100));
	rc("faccessat", faccessat(root, "etc/passwd", W_OK, 0));
	rc("faccessat2-nofollow", syscall(SYS_faccessat2, root, "link", F_OK, AT_SYMLINK_NOFOLLOW));
	rc("faccessat2-empty", syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH));
	link_text("readlink", "/link", 4096, -1);
	link_text("readlink-short", "/link", 3, -1);
	link_text("readlink-zero", "/link", 0, -1);
	link_text("readlink-notlink", "/etc/passwd", 64, -1);
	link_text("readlinkat", "link", 64, root);
	link_text("readlink-self", "/proc/self/exe", 64, -1);
	link_text("readlink-thread-self", "/proc/thread-self/root", 64, -1);
	st("stat-self-fd", stat("/proc/self/fd/0", &s), &s);
	/* links into /proc/self, which names the caller */
	st("stat-dev-stdin", stat("/dev/stdin", &s), &s);
	st("lstat-dev-stdin", lstat("/dev/stdin", &s), &s);
	st("stat-dev-fd", stat("/dev/fd/1", &s), &s);
	st("lstat-dev-fd", lstat("/dev/fd/1", &s), &s);
	rc("access-dev-fd", access("/dev/fd/1", W_OK));
	link_text("readlink-dev-stdin", "/dev/stdin", 64, -1);
	st("stat-proc-mounts", stat("/proc/mounts", &s), &s);
	st("lstat-proc-mounts", lstat("/proc/mounts", &s), &s);
	st("stat-mtab", stat("/etc/mtab", &s), &s);
	rc("access-proc-net", access("/proc/net/dev", R_OK));
	st("stat-proc-net-dir", stat("/proc/net/", &s), &s);
	link_text("readlink-proc-net", "/proc/net", 64, -1);
	if (chdir("/proc") != 0)
		return 8;
	st("stat-relative-net", stat("net/dev", &s), &s);
	if (chdir("/etc") != 0)
		return 9;
	/* no effective capability, all permitted: a process reads its own links still */
	if (effective(0) != 0)
		return 6;
	link_text("readlink-self-uncapable", "/proc/self/exe", 64, -1);
	st("stat-self-uncapable", lstat("/proc/self/cwd", &s), &s);
	snprintf(self_fd, sizeof(self_fd), "/proc/thread-self/fd/%d", fd);
	link_text("readlink-self-fd", self_fd, 64, -1);
	rc("access-self-exe", access("/proc/self/exe", X_OK));
	rc("access-self-fd-write", access(self_fd, W_OK));
	if (effective(1) != 0)
		return 7;
	/* real and effective ids apart: access checks with the real ones, AT_EACCESS with the effective */
	if (setresuid(1000, 0, 0) != 0)
		return 4;
	rc("access-real", access("/secret/key", R_OK));
	rc("access-real-public", access("/etc/passwd", R_OK));
	rc("access-real-write", access("/etc/passwd", W_OK));
	rc("faccessat2-effective", syscall(SYS_faccessat2, AT_FDCWD, "/secret/key", R_OK, AT_EACCESS));
	rc("faccessat-real", syscall(SYS_faccessat, AT_FDCWD, "/secret/key", R_OK));
	if (setresuid(0, 0, 0) != 0 || setresgid(1001, 1001, 1001) != 0 || setresuid(1000, 1000, 1000) != 0)
		return 5;
	/* no capability left: the owner's bits decide */
	rc("access-user", access("/secret/key", R_OK));
	rc("access-user-owned", access("/owned", W_OK));
	st("stat-user-secret", stat("/secret/key", &s), &s);
	link_text("readlink-user-self", "/proc/self/exe", 64, -1);
	return 0;
}
