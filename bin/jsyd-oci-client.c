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
	int n = 0;

	if (!getcwd(cwd, sizeof(cwd)) || !stdio_open() || !identity(where, sizeof(where)))
		return RUN_HERE;
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

	unsigned char answer[5];
	ssize_t got;
	do
		got = recv(sock, answer, sizeof(answer), 0);
	while (got < 0 && errno == EINTR);
	close(sock);
	if (got != (ssize_t)sizeof(answer))
		return LOST;
	if (answer[0] == 'D')
		return RUN_HERE;
	if (answer[0] != 'X')
		return LOST;
	*status = (int)((uint32_t)answer[1] | (uint32_t)answer[2] << 8 | (uint32_t)answer[3] << 16 |
			(uint32_t)answer[4] << 24);
	return SERVED;
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
