/* Tries each syscall that could get around the notify supervisor and prints
 * "NAME ERRNO" (0 when it worked): io_uring, file handles, ptrace and the
 * cross-process memory calls. Every call is harmless when it works. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void report(const char *name, long r)
{
	printf("%s %d\n", name, r < 0 ? errno : 0);
}

int main(void)
{
	char params[120] = { 0 }, handle[136] = { 0 }, here[8] = "x", there[8];
	int mount_id;
	struct iovec l = { there, sizeof(there) }, r = { here, sizeof(here) };
	report("io_uring_setup", syscall(SYS_io_uring_setup, 4, params));
	report("io_uring_enter", syscall(SYS_io_uring_enter, 0, 0, 0, 0, NULL, 0));
	report("io_uring_register", syscall(SYS_io_uring_register, 0, 0, NULL, 0));
	*(unsigned *)handle = 128;
	report("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/", handle, &mount_id, 0));
	report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, handle, O_RDONLY));
	report("ptrace", ptrace(PTRACE_PEEKDATA, getppid(), here, NULL));
	report("process_vm_readv", process_vm_readv(getpid(), &l, 1, &r, 1, 0));
	report("process_vm_writev", process_vm_writev(getpid(), &r, 1, &l, 1, 0));
	return 0;
}
