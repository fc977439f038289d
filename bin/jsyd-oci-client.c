/*
 * jsyd-oci: the native front of the command line.
 *
 * A JVM start costs more than runc's whole `state` or `delete`, and podman and
 * containerd's shim call the runtime many times per container. So this client
 * first offers the command line to a resident command server (a jsyd-oci JVM
 * that stays up while it is used: io.jsyd.oci.cli.server.CommandServer) and
 * otherwise runs it in a JVM of its own through the launcher script. It decides
 * nothing itself: the server answers either with the command's exit status or
 * with "run it yourself" (create, run and exec must leave their processes to the
 * caller, which a server cannot do).
 *
 * Compiled by scripts/lay-out with the build's paths written in:
 *   JSYD_LAUNCHER   the launcher script that execs the JVM (bin/jsyd-oci-jvm)
 *   JSYD_SOCKET     the server's socket; its name carries the build's id, so a
 *                   new build never talks to an old server
 * The request format is io.jsyd.oci.cli.server.ClientRequest: keep them in step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/close_range.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef JSYD_LAUNCHER
#error "build with -DJSYD_LAUNCHER=\"/path/to/bin/jsyd-oci-jvm\""
#endif
#ifndef JSYD_SOCKET
#error "build with -DJSYD_SOCKET=\"/run/jsyd-oci-server/BUILD.sock\""
#endif

#define MAX_REQUEST (64 * 1024)

extern char **environ;

enum outcome { SERVED, RUN_HERE, NO_SERVER, LOST };

static enum outcome converse(int sock, int *status);

struct buf {
	char data[MAX_REQUEST];
	size_t len;
	int full;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->full || n > sizeof(b->data) - b->len) {
		b->full = 1;
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
	unsigned char le[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };
	put(b, le, 4);
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s) + 1);
}

/*
 * Where this process stands: its namespaces and its root, as "name=dev:ino;"
 * items. The server runs a command only for a client that stands where it does
 * (pids, mounts and cgroup paths mean something else elsewhere).
 */
static int identity(char *out, size_t size)
{
	static const char *const names[] = { "cgroup", "ipc", "mnt", "net", "pid", "user", "uts" };
	char path[32];
	struct stat st;
	size_t len = 0;

	for (size_t i = 0; i <= sizeof(names) / sizeof(names[0]); i++) {
		const char *name = i < sizeof(names) / sizeof(names[0]) ? names[i] : "root";
		if (i < sizeof(names) / sizeof(names[0]))
			snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
		else
			strcpy(path, "/");
		if (stat(path, &st) < 0)
			return 0;
		int n = snprintf(out + len, size - len, "%s=%llu:%llu;", name, (unsigned long long)st.st_dev,
				 (unsigned long long)st.st_ino);
		if (n < 0 || (size_t)n >= size - len)
			return 0;
		len += (size_t)n;
	}
	return 1;
}

/* /proc/self/cgroup, whole: a relative cgroupsPath is placed below it. */
static int own_cgroups(char *out, size_t size)
{
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == size - 1)
		return 0;
	out[len] = '\0';
	return 1;
}

static int stdio_open(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return 0;
	return 1;
}

/* Offers the command line to the server; on SERVED, *status is the command's. */
static enum outcome ask_server(int argc, char **argv, int *status)
{
	static struct buf req;
	char cwd[4096];
	char where[512];
	char cgroups[8192];
	int n = 0;

	if (!getcwd(cwd, sizeof(cwd)) || !stdio_open() || !identity(where, sizeof(where)) ||
	    !own_cgroups(cgroups, sizeof(cgroups)))
		return RUN_HERE;
	mode_t mask = umask(0);
	umask(mask);
	put(&req, "JSYDCMD1", 8);
	put_u32(&req, (uint32_t)(argc - 1));
	for (int i = 1; i < argc; i++)
		put_str(&req, argv[i]);
	for (char **e = environ; *e; e++)
		n++;
	put_u32(&req, (uint32_t)n);
	for (char **e = environ; *e; e++)
		put_str(&req, *e);
	put_str(&req, cwd);
	put_str(&req, where);
	put_str(&req, cgroups);
	put_u32(&req, (uint32_t)mask);
	if (req.full)
		return RUN_HERE;

	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return RUN_HERE;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(JSYD_SOCKET) >= sizeof(addr.sun_path)) {
		close(sock);
		return RUN_HERE;
	}
	strcpy(addr.sun_path, JSYD_SOCKET);
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		close(sock);
		return (e == ENOENT || e == ECONNREFUSED) ? NO_SERVER : RUN_HERE;
	}

	int fds[3] = { 0, 1, 2 };
	union {
		char space[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof(control));
	struct iovec iov = { .iov_base = req.data, .iov_len = req.len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
			      .msg_controllen = sizeof(control.space) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	ssize_t sent;
	do
		sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	if (sent != (ssize_t)req.len) {
		/* nothing ran: the server never had the request */
		close(sock);
		return RUN_HERE;
	}

	return converse(sock, status);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int reply(int sock, char kind, int32_t value)
{
	uint32_t v = (uint32_t)value;
	unsigned char m[5] = { (unsigned char)kind, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };
	ssize_t n;
	do
		n = send(sock, m, sizeof(m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(m);
}

#define MAX_MOVES 8

/*
 * The server's 'S': start the init stub as this process's child, so that the
 * container init it clones (CLONE_PARENT) is this process's child too and its
 * caller's subreaper inherits it. fds[0] is the stub's memfd, fds[1..] go to the
 * targets; fds 0..keep-1 stay as the caller gave them; every other fd is closed
 * at exec. Answers 'P' pid or 'E' errno.
 */
static int spawn_stub(int sock, const unsigned char *m, size_t len, const int *fds, size_t nfds)
{
	size_t off = 1;
	uint32_t keep, nmoves, argc, targets[MAX_MOVES];
	char *argv[16];
	int err = EPROTO;

	if (len < off + 8)
		goto fail;
	keep = get_u32(m + off);
	nmoves = get_u32(m + off + 4);
	off += 8;
	if (nmoves > MAX_MOVES || nfds != nmoves + 1 || len < off + 4 * (size_t)nmoves + 4)
		goto fail;
	uint32_t close_from = keep;
	for (uint32_t i = 0; i < nmoves; i++) {
		targets[i] = get_u32(m + off);
		off += 4;
		if (targets[i] < keep || targets[i] > 1024)
			goto fail;
		if (targets[i] + 1 > close_from)
			close_from = targets[i] + 1;
	}
	argc = get_u32(m + off);
	off += 4;
	if (argc == 0 || argc >= sizeof(argv) / sizeof(argv[0]))
		goto fail;
	for (uint32_t i = 0; i < argc; i++) {
		argv[i] = (char *)m + off;
		const unsigned char *nul = memchr(m + off, 0, len - off);
		if (!nul)
			goto fail;
		off = (size_t)(nul - m) + 1;
	}
	argv[argc] = NULL;
	if (off != len)
		goto fail;

	pid_t pid = fork();
	if (pid < 0) {
		err = errno;
		goto fail;
	}
	if (pid == 0) {
		char *envp[] = { NULL };
		int high[MAX_MOVES], exe;
		/* out of the way of every target first, then into place (dup2 clears CLOEXEC) */
		exe = fcntl(fds[0], F_DUPFD_CLOEXEC, (int)close_from);
		for (uint32_t i = 0; i < nmoves; i++)
			if ((high[i] = fcntl(fds[i + 1], F_DUPFD_CLOEXEC, (int)close_from)) < 0)
				_exit(127);
		if (exe < 0)
			_exit(127);
		for (uint32_t i = 0; i < nmoves; i++)
			if (dup2(high[i], (int)targets[i]) < 0)
				_exit(127);
		/* closed at exec, not now: the stub's memfd is one of them */
		syscall(SYS_close_range, close_from, ~0U, CLOSE_RANGE_CLOEXEC);
		syscall(SYS_execveat, exe, "", argv, envp, AT_EMPTY_PATH);
		_exit(127);
	}
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	return reply(sock, 'P', pid);
fail:
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	return reply(sock, 'E', err);
}

/* The server's 'W': reap the stub or the init. Answers 'w' raw status or 'E' errno. */
static int reap(int sock, const unsigned char *m, size_t len)
{
	int raw = 0;
	pid_t r;

	if (len != 5)
		return reply(sock, 'E', EPROTO);
	pid_t pid = (pid_t)get_u32(m + 1);
	do
		r = waitpid(pid, &raw, 0);
	while (r < 0 && errno == EINTR);
	return r < 0 ? reply(sock, 'E', errno) : reply(sock, 'w', raw);
}

/* The rest of the conversation: the server's requests, then its answer. */
static enum outcome converse(int sock, int *status)
{
	static unsigned char m[MAX_REQUEST];

	for (;;) {
		int fds[MAX_MOVES + 1];
		size_t nfds = 0;
		union {
			char space[CMSG_SPACE(sizeof(fds))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = m, .iov_len = sizeof(m) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.space,
				      .msg_controllen = sizeof(control.space) };
		ssize_t got;
		do
			got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		while (got < 0 && errno == EINTR);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t i = 0; i < n && nfds < sizeof(fds) / sizeof(fds[0]); i++)
					memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			}
		if (got <= 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
			for (size_t i = 0; i < nfds; i++)
				close(fds[i]);
			close(sock);
			return LOST;
		}
		int ok = 1;
		switch (m[0]) {
		case 'S':
			ok = spawn_stub(sock, m, (size_t)got, fds, nfds);
			nfds = 0;
			break;
		case 'W':
			ok = reap(sock, m, (size_t)got);
			break;
		case 'D':
			close(sock);
			return got == 5 ? RUN_HERE : LOST;
		case 'X':
			close(sock);
			if (got != 5)
				return LOST;
			*status = (int)get_u32(m + 1);
			return SERVED;
		default:
			ok = 0;
		}
		for (size_t i = 0; i < nfds; i++)
			close(fds[i]);
		if (!ok) {
			close(sock);
			return LOST;
		}
	}
}

/*
 * Starts a server for the next invocations, detached from this one: its own
 * session, no fds of the caller's (a console socket or LISTEN_FDS must not stay
 * open in it), stdio to a log beside the socket, cwd /. Does not wait for it.
 */
static void start_server(void)
{
	char dir[sizeof(JSYD_SOCKET)];
	char logfile[sizeof(JSYD_SOCKET) + 8];
	char lockfile[sizeof(JSYD_SOCKET) + 8];
	strcpy(dir, JSYD_SOCKET);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	snprintf(logfile, sizeof(logfile), "%s.log", JSYD_SOCKET);
	snprintf(lockfile, sizeof(lockfile), "%s.lock", JSYD_SOCKET);

	/* A server holds this lock from its start: one is on its way, do not start another. */
	int lock = open(lockfile, O_RDONLY | O_CLOEXEC);
	if (lock >= 0) {
		int held = flock(lock, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
		close(lock);
		if (held)
			return;
	}

	pid_t child = fork();
	if (child < 0)
		return;
	if (child == 0) {
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			_exit(1);
		int in = open("/dev/null", O_RDONLY);
		int log = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
			_exit(1);
		close_range(3, ~0U, 0);
		if (chdir("/") < 0)
			_exit(1);
		umask(077);
		execl(JSYD_LAUNCHER, "jsyd-oci", "command-server", JSYD_SOCKET, (char *)NULL);
		_exit(127);
	}
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	if (geteuid() == 0 && !getenv("JSYD_OCI_NO_SERVER")) {
		int status = 1;
		switch (ask_server(argc, argv, &status)) {
		case SERVED:
			return status;
		case LOST:
			/* it may have run: running it again could kill or delete twice */
			fprintf(stderr, "jsyd-oci: the command server (%s) closed the connection before it answered; "
					"its log is %s.log\n", JSYD_SOCKET, JSYD_SOCKET);
			return 1;
		case NO_SERVER:
			start_server();
			break;
		case RUN_HERE:
			break;
		}
	}
	argv[0] = "jsyd-oci";
	execv(JSYD_LAUNCHER, argv);
	fprintf(stderr, "jsyd-oci: cannot run %s: %s\n", JSYD_LAUNCHER, strerror(errno));
	return 127;
}
