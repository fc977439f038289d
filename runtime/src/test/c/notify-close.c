/*
 * What the kernel does to supervised calls when the seccomp-notify listener is
 * closed: one thread is blocked in a notified getppid(2) when the listener goes,
 * then the main thread makes a new one. Prints "blocked=ERRNO new=ERRNO pending=N"
 * (errno names), where pending=1 means the first call was really waiting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int blocked_errno;

static void *call(void *unused)
{
	(void)unused;
	errno = 0;
	if (syscall(SYS_getppid) < 0)
		blocked_errno = errno;
	return NULL;
}

static const char *name(int e)
{
	return e == 0 ? "none" : e == ENOSYS ? "ENOSYS" : strerrorname_np(e);
}

int main(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	pthread_t t;
	struct pollfd p;
	int listener, pending, new_errno = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		perror("prctl");
		return 2;
	}
	listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		perror("seccomp");
		return 2;
	}
	pthread_create(&t, NULL, call, NULL);
	p.fd = listener;
	p.events = POLLIN;
	pending = poll(&p, 1, 5000) == 1 && (p.revents & POLLIN);
	close(listener);
	pthread_join(t, NULL);
	errno = 0;
	if (syscall(SYS_getppid) < 0)
		new_errno = errno;
	printf("blocked=%s new=%s pending=%d\n", name(blocked_errno), name(new_errno), pending);
	return 0;
}
