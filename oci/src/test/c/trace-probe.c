/*
 * trace-probe: tries one thing the ptrace layer checks and prints what happened,
 * one line on stdout ("ok", "errno N", "hello", counts), for PtraceRunTest.
 *   wx-mmap | rw-mmap | mprotect-x | mprotect-r | exec PATH | alloc MAX_MB | fork MAX
 *   map-exec FILE | map-exec-rw FILE   (FILE mapped PROT_READ|PROT_EXEC, opened read-only or read-write)
 * Built static (gcc -static); the exec-stack variant adds -z execstack.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(void *p)
{
	if (p == MAP_FAILED)
		printf("errno %d\n", errno);
	else
		printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	size_t page = 4096;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2 || strcmp(argv[1], "hello") == 0) {
		printf("hello\n");
		return 0;
	}
	if (strcmp(argv[1], "wx-mmap") == 0)
		return result(mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (strcmp(argv[1], "rw-mmap") == 0)
		return result(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (strcmp(argv[1], "mprotect-x") == 0 || strcmp(argv[1], "mprotect-r") == 0) {
		void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return result(p);
		memset(p, 0xc3, page);
		int prot = argv[1][9] == 'x' ? PROT_READ | PROT_EXEC : PROT_READ;
		return result(mprotect(p, page, prot) == 0 ? p : MAP_FAILED);
	}
	if ((strcmp(argv[1], "map-exec") == 0 || strcmp(argv[1], "map-exec-rw") == 0) && argc > 2) {
		int fd = open(argv[2], argv[1][8] ? O_RDWR : O_RDONLY);
		if (fd < 0)
			return printf("open errno %d\n", errno), 0;
		return result(mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0));
	}
	if (strcmp(argv[1], "exec") == 0 && argc > 2) {
		execl(argv[2], argv[2], "hello", (char *)NULL);
		printf("errno %d\n", errno);
		return 0;
	}
	if (strcmp(argv[1], "alloc") == 0 && argc > 2) {
		int max = atoi(argv[2]), n;
		for (n = 0; n < max; n++) {
			char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED) {
				printf("allocated %d errno %d\n", n, errno);
				return 0;
			}
			memset(p, 1, 1 << 20);
		}
		printf("allocated %d\n", n);
		return 0;
	}
	if (strcmp(argv[1], "fork") == 0 && argc > 2) {
		int max = atoi(argv[2]), n, err = 0;
		pid_t kids[256];
		for (n = 0; n < max && n < 256; n++) {
			pid_t pid = fork();
			if (pid == 0) {
				pause();
				_exit(0);
			}
			if (pid < 0) {
				err = errno;
				break;
			}
			kids[n] = pid;
		}
		for (int i = 0; i < n; i++) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
		if (err)
			printf("forked %d errno %d\n", n, err);
		else
			printf("forked %d\n", n);
		return 0;
	}
	fprintf(stderr, "usage: trace-probe wx-mmap|rw-mmap|mprotect-x|mprotect-r|exec PATH|alloc MB|fork N\n");
	return 2;
}
