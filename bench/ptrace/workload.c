/*
 * workload: what the ptrace benchmark traces. Times its own loop (CLOCK_MONOTONIC)
 * and prints "OP N NS_PER_OP W WARMUP_NS_PER_OP", so the tracer's start-up never
 * counts; the W warm-up operations before the timed N (untimed in NS_PER_OP) show
 * what a tracer costs before it is warm (a JVM's JIT, caches).
 *   [-c CPU] [-w W] [-p MS] mmap N FILE  mmap FILE PROT_READ|PROT_EXEC (a W^X stop that is allowed), munmap
 *   [-c CPU] [-w W] [-p MS] exec N   fork, execve this program ("noop"), wait (fork, exec and exit events)
 *   noop                          exit 0
 * -p MS: print "warm" and wait MS milliseconds after the warm-up, and wait as long
 * after the result before exiting (a tracer watched from outside is then idle:
 * its CPU time so far is exactly the warm-up's, then the whole run's).
 * -c pins this process (and so its children) to one CPU, after the runtime has put
 * it in its cgroups (joining a cpuset resets the affinity a parent gave).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int map_once(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return perror("mmap"), -1;
	munmap(p, 4096);
	return 0;
}

static int exec_once(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl(self, self, "noop", (char *)NULL);
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fprintf(stderr, "exec failed\n"), -1;
	return 0;
}

int main(int argc, char **argv)
{
	int warm = 0, pause = 0, arg = 1;
	if (argc > 1 && strcmp(argv[1], "noop") == 0)
		return 0;
	while (arg + 1 < argc && argv[arg][0] == '-') {
		if (strcmp(argv[arg], "-c") == 0) {
			cpu_set_t set;
			CPU_ZERO(&set);
			CPU_SET(atoi(argv[arg + 1]), &set);
			if (sched_setaffinity(0, sizeof(set), &set) != 0)
				return perror("sched_setaffinity"), 1;
		} else if (strcmp(argv[arg], "-p") == 0) {
			pause = atoi(argv[arg + 1]);
		} else if (strcmp(argv[arg], "-w") == 0) {
			warm = atoi(argv[arg + 1]);
		} else {
			break;
		}
		arg += 2;
	}
	int fd = -1, mmap_op = argc - arg > 2 && strcmp(argv[arg], "mmap") == 0;
	if (!mmap_op && !(argc - arg > 1 && strcmp(argv[arg], "exec") == 0)) {
		fprintf(stderr, "usage: workload [-c CPU] [-w WARMUP] [-p MS] mmap N FILE | exec N | noop\n");
		return 2;
	}
	int n = atoi(argv[arg + 1]);
	if (mmap_op && (fd = open(argv[arg + 2], O_RDONLY | O_CLOEXEC)) < 0)
		return perror(argv[arg + 2]), 1;
	long long start = now();
	for (int i = 0; i < warm; i++)
		if ((mmap_op ? map_once(fd) : exec_once(argv[0])) != 0)
			return 1;
	if (pause > 0) {
		/* a mark for whoever watches the tracer: the warm-up is over, nothing runs for a while */
		printf("warm\n");
		fflush(stdout);
		struct timespec t = { pause / 1000, (pause % 1000) * 1000000L };
		nanosleep(&t, NULL);
	}
	long long mid = now();
	for (int i = 0; i < n; i++)
		if ((mmap_op ? map_once(fd) : exec_once(argv[0])) != 0)
			return 1;
	long long end = now();
	printf("%s %d %lld %d %lld\n", argv[arg], n, n ? (end - mid) / n : 0, warm, warm ? (mid - start) / warm : 0);
	fflush(stdout);
	if (pause > 0) {
		struct timespec t = { pause / 1000, (pause % 1000) * 1000000L };
		nanosleep(&t, NULL);
	}
	return 0;
}
