/* Sends with sendmsg or sendmmsg and prints "ok N" or the error it failed with,
 * for the supervisor tests.
 *   send-msg sendmsg PORT            "hi" over UDP to 127.0.0.1:PORT
 *   send-msg sendmmsg PORT PORT2     one datagram to each, in one call
 *   send-msg fd-to PATH              fd 0 with SCM_RIGHTS to a datagram socket bound at PATH
 *   send-msg fd-connected PATH       fd 0 on a stream socket connected to a listener at PATH (no msg_name)
 *   send-msg fd-pair                 fd 0 over a socketpair (a peer without a name)
 *   send-msg plain-connected PATH    bytes only, on a stream socket connected to PATH */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char payload[] = "hi";

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

/* sendmsg of the payload on s, to name (or none), with fd 0 attached when fds is set */
static int send_on(int s, void *name, socklen_t namelen, int fds)
{
	struct iovec iov = { payload, 2 };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr m = { .msg_name = name, .msg_namelen = namelen, .msg_iov = &iov, .msg_iovlen = 1 };
	if (fds) {
		int fd = 0;
		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return (int)sendmsg(s, &m, 0);
}

/* a stream socket connected to a listener this program binds at path */
static int connected(const char *path)
{
	struct sockaddr_un a = unix_at(path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0), s = socket(AF_UNIX, SOCK_STREAM, 0);
	unlink(path);
	if (l < 0 || s < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 1) != 0
	    || connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		printf("setup: %s\n", strerror(errno));
		exit(0);
	}
	return s;
}

int main(int argc, char **argv)
{
	int r;
	if (argc < 2)
		return 2;
	if (strcmp(argv[1], "sendmsg") == 0 && argc == 3) {
		struct sockaddr_in a = to(argv[2]);
		r = send_on(socket(AF_INET, SOCK_DGRAM, 0), &a, sizeof(a), 0);
	} else if (strcmp(argv[1], "sendmmsg") == 0 && argc == 4) {
		struct sockaddr_in a = to(argv[2]), b = to(argv[3]);
		struct iovec iov = { payload, 2 };
		struct mmsghdr v[2];
		memset(v, 0, sizeof(v));
		v[0].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1 };
		v[1].msg_hdr = (struct msghdr){ .msg_name = &b, .msg_namelen = sizeof(b), .msg_iov = &iov, .msg_iovlen = 1 };
		r = sendmmsg(socket(AF_INET, SOCK_DGRAM, 0), v, 2, 0);
	} else if (strcmp(argv[1], "fd-to") == 0 && argc == 3) {
		struct sockaddr_un a = unix_at(argv[2]);
		int receiver = socket(AF_UNIX, SOCK_DGRAM, 0);
		unlink(argv[2]);
		if (receiver < 0 || bind(receiver, (struct sockaddr *)&a, sizeof(a)) != 0) {
			printf("setup: %s\n", strerror(errno));
			return 0;
		}
		r = send_on(socket(AF_UNIX, SOCK_DGRAM, 0), &a, sizeof(a), 1);
	} else if (strcmp(argv[1], "fd-connected") == 0 && argc == 3) {
		r = send_on(connected(argv[2]), NULL, 0, 1);
	} else if (strcmp(argv[1], "plain-connected") == 0 && argc == 3) {
		r = send_on(connected(argv[2]), NULL, 0, 0);
	} else if (strcmp(argv[1], "fd-pair") == 0) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			return 2;
		r = send_on(sv[0], NULL, 0, 1);
	} else {
		return 2;
	}
	if (r < 0)
		printf("%s\n", strerror(errno));
	else
		printf("ok %d\n", r);
	return 0;
}
