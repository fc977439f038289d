/* The supervised load: THREADS threads each openat+close PATH N times; prints
 * "openat THREADS OPS_PER_SECOND NS_PER_OPEN", timed from a common start to the
 * last thread's end, so neither a container's nor a JVM's start-up counts.
 * Usage: load PATH THREADS N */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static long n;
static pthread_barrier_t start;

static void *loop(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start);
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("openat");
			exit(1);
		}
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	pthread_t t[64];
	int threads;
	if (argc != 4)
		return 2;
	path = argv[1];
	threads = atoi(argv[2]);
	n = atol(argv[3]);
	if (threads < 1 || threads > 64)
		return 2;
	pthread_barrier_init(&start, NULL, threads + 1);
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, loop, NULL) != 0)
			return 3;
	pthread_barrier_wait(&start);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("openat %d %.0f %.0f\n", threads, threads * n / s, s * 1e9 / (threads * n));
	return 0;
}
