/*
 * Test helper: makes one raw syscall and reports what came back, so a test can
 * see a seccomp filter's verdict from inside the filtered process.
 *
 *   seccomp-probe [-o FILE] [-s] [-t] NR [ARG...]
 *
 * NR and the (up to six) ARGs are numbers (0x for hex, unsigned 64-bit). Prints
 * "rc=R errno=E" to FILE (default stdout). With -s a SIGSYS handler prints
 * "sigsys nr=N data=D code=C" (the seccomp return data is in si_errno) and
 * exits 0; with -t the call is made in a second thread and the main thread
 * prints "main alive" after it (a KILL_THREAD leaves the main thread running).
 * Built static, so it runs in a busybox rootfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int out = 1;
static long nr;
static unsigned long long a[6];

static void say(const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t n = write(out, s, len);
		if (n <= 0)
			_exit(120);
		s += n;
		len -= (size_t)n;
	}
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char buf[128];
	(void)sig;
	(void)ctx;
	snprintf(buf, sizeof(buf), "sigsys nr=%d data=%d code=%d\n", si->si_syscall, si->si_errno, si->si_code);
	say(buf);
	_exit(0);
}

static void *call(void *unused)
{
	char buf[96];
	long rc;
	(void)unused;
	errno = 0;
	rc = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	snprintf(buf, sizeof(buf), "rc=%ld errno=%d\n", rc, rc == -1 ? errno : 0);
	say(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	struct rlimit nocore = { 0, 0 };
	int opt, thread = 0, i;

	/* a killed probe is expected; its core file is not */
	setrlimit(RLIMIT_CORE, &nocore);
	while ((opt = getopt(argc, argv, "+o:st")) != -1) {
		switch (opt) {
		case 'o':
			out = open(optarg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
			if (out < 0)
				return perror(optarg), 2;
			break;
		case 's': {
			struct sigaction sa;
			memset(&sa, 0, sizeof(sa));
			sa.sa_sigaction = on_sigsys;
			sa.sa_flags = SA_SIGINFO;
			sigaction(SIGSYS, &sa, NULL);
			break;
		}
		case 't':
			thread = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc || argc - optind > 7)
		return fprintf(stderr, "usage: seccomp-probe [-o FILE] [-s] [-t] NR [ARG...]\n"), 2;
	nr = strtol(argv[optind], NULL, 0);
	for (i = 0; optind + 1 + i < argc; i++)
		a[i] = strtoull(argv[optind + 1 + i], NULL, 0);
	if (thread) {
		pthread_t t;
		if (pthread_create(&t, NULL, call, NULL) != 0)
			return 3;
		pthread_join(t, NULL);
		say("main alive\n");
	} else {
		call(NULL);
	}
	return 0;
}
