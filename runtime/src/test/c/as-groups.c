/* Becomes uid/gid ID with the N supplementary groups 2000 .. 2000+N-1, then
 * opens PATH for reading: prints "ok" or the error. For the supervisor's
 * tests of a caller with many groups. Usage: as-groups ID N PATH */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static gid_t list[65536];
	if (argc != 4)
		return 2;
	int id = atoi(argv[1]), n = atoi(argv[2]);
	for (int i = 0; i < n; i++)
		list[i] = 2000 + i;
	if (setgroups(n, list) != 0 || setgid(id) != 0 || setuid(id) != 0) {
		printf("setup: %s\n", strerror(errno));
		return 0;
	}
	int fd = open(argv[3], O_RDONLY);
	if (fd < 0)
		printf("%s\n", strerror(errno));
	else
		printf("ok\n");
	return 0;
}
