/* Sends "hi" over UDP to 127.0.0.1:PORT with the syscall asked for, and prints
 * "ok" or the errno it failed with, for the supervisor tests.
 * Usage: send-msg sendmsg PORT | send-msg sendmmsg PORT PORT2 (one datagram to each, in one call) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static struct sockaddr_in to(const char *port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(port));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int main(int argc, char **argv)
{
	char payload[] = "hi";
	struct iovec iov = { payload, 2 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	int r;
	if (s < 0 || argc < 3)
		return 2;
	if (strcmp(argv[1], "sendmsg") == 0) {
		struct sockaddr_in a = to(argv[2]);
		struct msghdr m = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1 };
		r = (int)sendmsg(s, &m, 0);
	} else if (strcmp(argv[1], "sendmmsg") == 0 && argc == 4) {
		struct sockaddr_in a = to(argv[2]), b = to(argv[3]);
		struct mmsghdr v[2];
		memset(v, 0, sizeof(v));
		v[0].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1 };
		v[1].msg_hdr = (struct msghdr){ .msg_name = &b, .msg_namelen = sizeof(b), .msg_iov = &iov, .msg_iovlen = 1 };
		r = sendmmsg(s, v, 2, 0);
	} else {
		return 2;
	}
	if (r < 0)
		printf("%s\n", strerror(errno));
	else
		printf("ok %d\n", r);
	return 0;
}
