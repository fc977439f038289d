/* Socket calls for the supervisor tests; each mode prints one line.
 *   socket-calls sendto PORT          "hi" in a UDP datagram to 127.0.0.1:PORT: "ok 2" or the error
 *   socket-calls bind PATH UID GID    as UID:GID, binds a UNIX stream socket at PATH: "ok" or the error
 *   socket-calls peer PATH UID GID    binds a UNIX listener at PATH, connects to it as UID:GID and prints the
 *                                     peer credentials the listener sees: "uid U gid G"
 *   socket-calls race OK NO TRIES [sendmsg]
 *                                     one thread flips a sockaddr's port between OK and NO while the main
 *                                     thread connects TRIES times (TCP, 127.0.0.1), or sends a UDP datagram
 *                                     with sendmsg to it: "connected refused" (or "sent refused")
 *   socket-calls passfd PATH          a pipe's write end with SCM_RIGHTS, and explicit SCM_CREDENTIALS, in a
 *                                     datagram to a socket bound at PATH: "fd ok uid U gid G" if the fd
 *                                     received writes into the pipe, or the error
 *   socket-calls mmsg PORT            two UDP datagrams to PORT with one sendmmsg: "sent N len L1 L2"
 *   socket-calls interrupt PATH N     N connects to a UNIX listener whose backlog is full, each interrupted
 *                                     by SIGALRM; then the queued connection is taken and what else arrives
 *                                     counted: "eintr N extra E" (E > 0: an abandoned connect went on) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static struct sockaddr_in target;
static unsigned short ports[2];
static atomic_int done;

static struct sockaddr_in to(const char *port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static struct sockaddr_un unix_at(const char *path)
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	return a;
}

/* whole 16-bit stores: every value read is one of the two ports, never a mix */
static void *flip(void *arg)
{
	volatile unsigned short *port = &target.sin_port;
	(void)arg;
	while (!atomic_load_explicit(&done, memory_order_relaxed)) {
		*port = ports[1];
		for (volatile int spin = 0; spin < 50; spin++)
			;
		*port = ports[0];
		for (volatile int spin = 0; spin < 50; spin++)
			;
	}
	return NULL;
}

static int race(const char *ok, const char *no, long tries, int datagrams)
{
	long connected = 0, refused = 0;
	struct linger hard = { 1, 0 };
	pthread_t t;
	target = to(ok);
	ports[0] = target.sin_port;
	ports[1] = to(no).sin_port;
	if (pthread_create(&t, NULL, flip, NULL) != 0)
		return 3;
	for (long i = 0; i < tries && datagrams; i++) {
		static int s = -1;
		struct iovec iov = { "hi", 2 };
		struct msghdr m = { .msg_name = &target, .msg_namelen = sizeof(target), .msg_iov = &iov,
				    .msg_iovlen = 1 };
		if (s < 0)
			s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sendmsg(s, &m, 0) == 2)
			connected++;
		else
			refused++;
	}
	for (long i = 0; i < tries && !datagrams; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return 4;
		/* reset on close: no TIME_WAIT piling up over the tries */
		setsockopt(s, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
		if (connect(s, (struct sockaddr *)&target, sizeof(target)) == 0)
			connected++;
		else
			refused++;
		close(s);
	}
	atomic_store(&done, 1);
	pthread_join(t, NULL);
	printf("%ld %ld\n", connected, refused);
	return 0;
}

static void nothing(int sig)
{
	(void)sig;
}

static int interrupt(const char *path, int n)
{
	struct sockaddr_un a = unix_at(path);
	struct sigaction sa;
	struct itimerval in = { { 0, 0 }, { 0, 300000 } };
	int l = socket(AF_UNIX, SOCK_STREAM, 0), first = socket(AF_UNIX, SOCK_STREAM, 0), eintr = 0, extra = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nothing; /* no SA_RESTART: the connect fails with EINTR */
	sigaction(SIGALRM, &sa, NULL);
	unlink(path);
	if (l < 0 || first < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 0) != 0
	    || connect(first, (struct sockaddr *)&a, sizeof(a)) != 0) {
		printf("setup: %s\n", strerror(errno));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		setitimer(ITIMER_REAL, &in, NULL);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0 && errno == EINTR)
			eintr++;
		close(s);
	}
	/* room in the backlog again: an abandoned connect still running would get in now (the supervisor
	 * notices an interrupted caller within some milliseconds: give it those) */
	usleep(200000);
	close(accept(l, NULL, NULL));
	usleep(500000);
	fcntl(l, F_SETFL, O_NONBLOCK);
	for (int s; (s = accept(l, NULL, NULL)) >= 0; close(s))
		extra++;
	printf("eintr %d extra %d\n", eintr, extra);
	return 0;
}

static int peer(const char *path, int uid, int gid)
{
	struct sockaddr_un a = unix_at(path);
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), s = socket(AF_UNIX, SOCK_STREAM, 0), c;
	unlink(path);
	if (l < 0 || s < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || chmod(path, 0777) != 0
	    || listen(l, 1) != 0) {
		printf("setup: %s\n", strerror(errno));
		return 0;
	}
	if (setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0
	    || connect(s, (struct sockaddr *)&a, sizeof(a)) != 0 || (c = accept(l, NULL, NULL)) < 0
	    || getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		printf("%s\n", strerror(errno));
		return 0;
	}
	printf("uid %d gid %d\n", (int)cred.uid, (int)cred.gid);
	return 0;
}

static int passfd(const char *path)
{
	struct sockaddr_un a = unix_at(path);
	int receiver = socket(AF_UNIX, SOCK_DGRAM, 0), sender = socket(AF_UNIX, SOCK_DGRAM, 0), p[2], on = 1, got;
	union { char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } out, in;
	struct ucred me = { getpid(), getuid(), getgid() }, *seen = NULL;
	char data[4], byte;
	struct iovec iov = { "hi", 2 }, back = { data, sizeof(data) };
	struct msghdr m = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = out.buf, .msg_controllen = sizeof(out.buf) };
	struct msghdr r = { .msg_iov = &back, .msg_iovlen = 1, .msg_control = in.buf, .msg_controllen = sizeof(in.buf) };
	struct cmsghdr *c;
	unlink(path);
	if (receiver < 0 || sender < 0 || pipe(p) != 0 || bind(receiver, (struct sockaddr *)&a, sizeof(a)) != 0
	    || setsockopt(receiver, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
		printf("setup: %s\n", strerror(errno));
		return 0;
	}
	memset(&out, 0, sizeof(out));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	c = CMSG_NXTHDR(&m, c);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	memcpy(CMSG_DATA(c), &me, sizeof(me));
	if (sendmsg(sender, &m, 0) != 2 || recvmsg(receiver, &r, 0) != 2) {
		printf("%s\n", strerror(errno));
		return 0;
	}
	got = -1;
	for (c = CMSG_FIRSTHDR(&r); c; c = CMSG_NXTHDR(&r, c)) {
		if (c->cmsg_type == SCM_RIGHTS)
			memcpy(&got, CMSG_DATA(c), sizeof(int));
		else if (c->cmsg_type == SCM_CREDENTIALS)
			seen = (struct ucred *)CMSG_DATA(c);
	}
	if (got < 0 || seen == NULL || write(got, "x", 1) != 1 || read(p[0], &byte, 1) != 1 || byte != 'x') {
		printf("no fd or no credentials\n");
		return 0;
	}
	printf("fd ok uid %d gid %d\n", (int)seen->uid, (int)seen->gid);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "sendto") == 0) {
		struct sockaddr_in a = to(argv[2]);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		ssize_t r = sendto(s, "hi", 2, 0, (struct sockaddr *)&a, sizeof(a));
		if (r < 0)
			printf("%s\n", strerror(errno));
		else
			printf("ok %zd\n", r);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "bind") == 0) {
		struct sockaddr_un a = unix_at(argv[2]);
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (setresgid(atoi(argv[4]), atoi(argv[4]), atoi(argv[4])) != 0
		    || setresuid(atoi(argv[3]), atoi(argv[3]), atoi(argv[3])) != 0) {
			printf("setuid: %s\n", strerror(errno));
			return 0;
		}
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) != 0)
			printf("%s\n", strerror(errno));
		else
			printf("ok\n");
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "peer") == 0)
		return peer(argv[2], atoi(argv[3]), atoi(argv[4]));
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "race") == 0)
		return race(argv[2], argv[3], atol(argv[4]), argc == 6 && strcmp(argv[5], "sendmsg") == 0);
	if (argc == 3 && strcmp(argv[1], "passfd") == 0)
		return passfd(argv[2]);
	if (argc == 3 && strcmp(argv[1], "mmsg") == 0) {
		struct sockaddr_in a = to(argv[2]);
		struct iovec one = { "hi", 2 }, two = { "there", 5 };
		struct mmsghdr v[2];
		int r;
		memset(v, 0, sizeof(v));
		v[0].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &one, .msg_iovlen = 1 };
		v[1].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &two, .msg_iovlen = 1 };
		r = sendmmsg(socket(AF_INET, SOCK_DGRAM, 0), v, 2, 0);
		if (r < 0)
			printf("%s\n", strerror(errno));
		else
			printf("sent %d len %u %u\n", r, v[0].msg_len, v[1].msg_len);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "interrupt") == 0)
		return interrupt(argv[2], atoi(argv[3]));
	return 2;
}
