/*
 * workload: what the ptrace benchmark traces. Times its own loop (CLOCK_MONOTONIC)
 * and prints "OP N NS_PER_OP", so the tracer's start-up never counts.
 *   mmap N FILE   N times: mmap FILE PROT_READ|PROT_EXEC (a W^X stop that is allowed), munmap
 *   exec N        N times: fork, execve this program ("noop"), wait (fork, exec and exit events)
 *   noop          exit 0
 */
#define _GNU_SOURCE
#include <fcntl.h>
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

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "noop") == 0)
		return 0;
	if (argc > 3 && strcmp(argv[1], "mmap") == 0) {
		int n = atoi(argv[2]);
		int fd = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return perror(argv[3]), 1;
		long long start = now();
		for (int i = 0; i < n; i++) {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED)
				return perror("mmap"), 1;
			munmap(p, 4096);
		}
		printf("mmap %d %lld\n", n, n ? (now() - start) / n : 0);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "exec") == 0) {
		int n = atoi(argv[2]);
		long long start = now();
		for (int i = 0; i < n; i++) {
			pid_t pid = fork();
			if (pid == 0) {
				execl(argv[0], argv[0], "noop", (char *)NULL);
				_exit(127);
			}
			int status;
			if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
				return fprintf(stderr, "exec %d failed\n", i), 1;
		}
		printf("exec %d %lld\n", n, n ? (now() - start) / n : 0);
		return 0;
	}
	fprintf(stderr, "usage: workload mmap N FILE | exec N | noop\n");
	return 2;
}
