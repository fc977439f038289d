/* The TOCTOU attack on a path-checking supervisor: one thread keeps rewriting
 * the path buffer between an allowed and a denied name (same length, so every
 * byte flip yields one or the other or a mix naming nothing), the main thread
 * opens the buffer TRIES times and reads what it got. A supervisor that checks
 * the name and then lets the kernel read the buffer again (CONTINUE) loses this
 * race now and then; one that opens the file itself never does.
 * Usage: toctou-open ALLOWED DENIED TRIES [mkdir|stat]; prints "leaked allowed refused".
 * With "mkdir" the race is on mkdir instead: a success counts as leaked when the
 * denied directory is what appeared (each one made is removed again). With
 * "stat" it is on stat: a success counts as leaked when the size is not the
 * allowed file's (the two files' contents must differ in length). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[256];
static const char *names[2];
static atomic_int done;

static void *flip(void *arg)
{
	size_t n = strlen(names[0]) + 1;
	(void)arg;
	while (!atomic_load_explicit(&done, memory_order_relaxed)) {
		memcpy(path, names[1], n);
		for (volatile int spin = 0; spin < 50; spin++)
			;
		memcpy(path, names[0], n);
		for (volatile int spin = 0; spin < 50; spin++)
			;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long tries, i, leaked = 0, allowed = 0, refused = 0;
	pthread_t t;
	char buf[16];
	int mkdirs = argc == 5 && !strcmp(argv[4], "mkdir");
	int stats = argc == 5 && !strcmp(argv[4], "stat");
	struct stat allowedStat, s;
	if ((argc != 4 && !mkdirs && !stats) || strlen(argv[1]) != strlen(argv[2]) || strlen(argv[1]) >= sizeof(path))
		return 2;
	names[0] = argv[1];
	names[1] = argv[2];
	tries = atol(argv[3]);
	strcpy(path, names[0]);
	/* the allowed file's size, taken before the race starts */
	if (stats && stat(names[0], &allowedStat) != 0)
		return 4;
	if (pthread_create(&t, NULL, flip, NULL) != 0)
		return 3;
	for (i = 0; i < tries && mkdirs; i++) {
		if (mkdir(path, 0755) != 0) {
			refused++;
		} else if (rmdir(names[1]) == 0) {
			leaked++;
		} else if (rmdir(names[0]) == 0) {
			allowed++;
		}
	}
	for (i = 0; i < tries && stats; i++) {
		if (stat(path, &s) != 0)
			refused++;
		else if (s.st_size == allowedStat.st_size)
			allowed++;
		else
			leaked++;
	}
	for (i = 0; i < tries && !mkdirs && !stats; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n;
		if (fd < 0) {
			refused++;
			continue;
		}
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0 && buf[0] == 'D')
			leaked++;
		else if (n > 0 && buf[0] == 'A')
			allowed++;
	}
	atomic_store(&done, 1);
	pthread_join(t, NULL);
	printf("%ld %ld %ld\n", leaked, allowed, refused);
	return 0;
}
