/*
 * What a process under Landlock may do, tried one thing per argument; each
 * prints "WHAT=ok" or "WHAT=ERRNONAME". Built static by LandlockContainerTest.
 *   read:PATH  write:PATH  lo-up  listen:PORT  connect:PORT  bind:PORT
 *   kill:PID (SIGCONT)  uconnect:NAME (abstract)  userve:NAME (host side: serve forever)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>

static const char *name(int e)
{
	switch (e) {
	case 0: return "ok";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EADDRINUSE: return "EADDRINUSE";
	case ENETUNREACH: return "ENETUNREACH";
	default: return strerrorname_np(e) ? strerrorname_np(e) : "errno?";
	}
}

static int tcp(int port, int do_connect)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;
	if (s < 0)
		return errno;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (do_connect) {
		rc = connect(s, (struct sockaddr *)&a, sizeof(a));
	} else {
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		rc = bind(s, (struct sockaddr *)&a, sizeof(a));
		if (rc == 0 && do_connect == 0)
			rc = listen(s, 8);
		if (rc == 0)
			return 0; /* the listener stays open for a later connect */
	}
	rc = rc < 0 ? errno : 0;
	close(s);
	return rc;
}

static socklen_t abstract(struct sockaddr_un *u, const char *n)
{
	memset(u, 0, sizeof(*u));
	u->sun_family = AF_UNIX;
	strncpy(u->sun_path + 1, n, sizeof(u->sun_path) - 2);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(n));
}

int main(int argc, char **argv)
{
	int i;
	setvbuf(stdout, NULL, _IONBF, 0);
	for (i = 1; i < argc; i++) {
		char *arg = argv[i], *v = strchr(arg, ':');
		int e = 0;
		if (v)
			*v++ = '\0';
		if (!strcmp(arg, "read") || !strcmp(arg, "write")) {
			int fd = open(v, (arg[0] == 'r' ? O_RDONLY : O_WRONLY | O_CREAT) | O_CLOEXEC, 0644);
			e = fd < 0 ? errno : 0;
			if (fd >= 0)
				close(fd);
		} else if (!strcmp(arg, "lo-up")) {
			struct ifreq r;
			int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			memset(&r, 0, sizeof(r));
			strcpy(r.ifr_name, "lo");
			r.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
			e = s < 0 || ioctl(s, SIOCSIFFLAGS, &r) < 0 ? errno : 0;
		} else if (!strcmp(arg, "listen") || !strcmp(arg, "bind")) {
			e = tcp(atoi(v), 0);
		} else if (!strcmp(arg, "connect")) {
			e = tcp(atoi(v), 1);
		} else if (!strcmp(arg, "kill")) {
			e = kill(atoi(v), SIGCONT) < 0 ? errno : 0;
		} else if (!strcmp(arg, "uconnect") || !strcmp(arg, "userve")) {
			struct sockaddr_un u;
			socklen_t len = abstract(&u, v);
			int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (arg[1] == 'c') {
				e = connect(s, (struct sockaddr *)&u, len) < 0 ? errno : 0;
			} else {
				if (bind(s, (struct sockaddr *)&u, len) < 0 || listen(s, 8) < 0)
					return 1;
				printf("serving\n");
				for (;;) {
					int c = accept(s, NULL, NULL);
					if (c >= 0)
						close(c);
				}
			}
			close(s);
		} else {
			fprintf(stderr, "landlock-probe: unknown %s\n", arg);
			return 2;
		}
		printf("%s%s%s=%s\n", arg, v ? ":" : "", v ? v : "", name(e));
	}
	return 0;
}
