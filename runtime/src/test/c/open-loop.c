/* Opens and closes one file N times and prints the mean time of one open+close
 * pair in nanoseconds: the load for measuring what supervision adds per open. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long n, i;
	if (argc != 3)
		return 2;
	n = atol(argv[2]);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("openat");
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld\n", ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
