/*
 * ctracer: the C yardstick for the ptrace layer's cost. It does what
 * io.jsyd.runtime.trace.PtraceSupervisor does for the policy
 *     trace/allow_unsafe_memory:0  trace/allow_unsafe_stack:0  sandbox/tpe:on
 * with the same handshake (the child waits on a pipe, the parent seizes it with
 * the same options, then the child loads the same RET_TRACE filter and execs), the
 * same loop (waitpid over all tracees from one thread) and the same work per stop:
 *   mmap/mprotect with PROT_EXEC: syscall info, W^X decision (mprotect reads maps;
 *     a file mmap reads the fd's link and fdinfo flags, stats its directory and
 *     reads its first 64 KiB, as for exec);
 *   execve: syscall info, the path from the tracee's memory, the path resolved in
 *     the root by lstat per component, stat of the file and of its directory, the
 *     first 64 KiB read for PT_GNU_STACK;
 *   exec event: event message, readlink of exe and of root, stat of exe, maps for [stack].
 * Usage: ctracer [-c CPU] ROOT PROGRAM ARGS...   (the child chroots into ROOT
 * first; -c pins the tracer to one CPU, the tracee pins itself). bench/ptrace/run
 * runs it inside a container (ROOT /), so that its tracee lives where jsyd-oci's
 * does: same namespaces, cgroups and filesystem.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sched.h>

#define OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
		 PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)

static int nr_execve, nr_execveat, nr_mmap, nr_mprotect;
static unsigned char head[64 * 1024];

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void load_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		die("seccomp_init");
	seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), SCMP_SYS(execve), 0);
	seccomp_rule_add(ctx, SCMP_ACT_TRACE(1), SCMP_SYS(execveat), 0);
	seccomp_rule_add(ctx, SCMP_ACT_TRACE(2), SCMP_SYS(mmap), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	seccomp_rule_add(ctx, SCMP_ACT_TRACE(3), SCMP_SYS(mprotect), 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	if (seccomp_load(ctx) != 0)
		die("seccomp_load");
}

static int read_string(pid_t pid, unsigned long addr, char *out, size_t size)
{
	size_t total = 0;
	while (total < size) {
		size_t chunk = 4096 - (addr & 4095);
		if (chunk > size - total)
			chunk = size - total;
		struct iovec local = { out + total, chunk }, remote = { (void *)addr, chunk };
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return -1;
		if (memchr(out + total, 0, n))
			return 0;
		total += n;
		addr += n;
	}
	return -1;
}

/* path resolved in /proc/PID/root, symlinks followed there: 0 when found */
static int canonical(pid_t pid, const char *path, char *out)
{
	char todo[PATH_MAX * 2], here[PATH_MAX + 64], target[PATH_MAX];
	int links = 0, rootlen;
	snprintf(todo, sizeof(todo), "%s", path);
	rootlen = snprintf(out, PATH_MAX, "/proc/%d/root", pid);
	char *rest = todo;
	while (*rest) {
		char *slash = strchr(rest, '/');
		char comp[NAME_MAX + 1];
		size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
		if (len > NAME_MAX)
			return -1;
		memcpy(comp, rest, len);
		comp[len] = 0;
		rest += len + (slash ? 1 : 0);
		if (len == 0 || strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *up = strrchr(out + rootlen, '/');
			if (up)
				*up = 0;
			continue;
		}
		snprintf(here, sizeof(here), "%s/%s", out, comp);
		struct stat st;
		if (lstat(here, &st) != 0)
			return -1;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(here, target, sizeof(target) - 1);
			if (n < 0 || ++links > 40)
				return -1;
			target[n] = 0;
			if (target[0] == '/')
				out[rootlen] = 0;
			char next[PATH_MAX * 2];
			snprintf(next, sizeof(next), "%s/%s", target, rest);
			snprintf(todo, sizeof(todo), "%s", next);
			rest = todo;
			continue;
		}
		snprintf(out + strlen(out), PATH_MAX - strlen(out), "/%s", comp);
	}
	return 0;
}

static int exec_stack(const unsigned char *head, size_t n)
{
	if (n < sizeof(Elf64_Ehdr) || memcmp(head, ELFMAG, SELFMAG) != 0 || head[EI_CLASS] != ELFCLASS64)
		return 0;
	const Elf64_Ehdr *e = (const void *)head;
	for (int i = 0; i < e->e_phnum; i++) {
		size_t at = e->e_phoff + (size_t)i * e->e_phentsize;
		if (at + sizeof(Elf64_Phdr) > n)
			break;
		const Elf64_Phdr *ph = (const void *)(head + at);
		if (ph->p_type == PT_GNU_STACK)
			return (ph->p_flags & PF_X) != 0;
	}
	return 0;
}


/* 0: allowed, else the errno */
static int check_exec(pid_t pid, const char *path)
{
	char file[PATH_MAX + 64], dir[PATH_MAX + 64];
	char full[PATH_MAX * 2];
	struct stat st, dst;
	if (path[0] == '/') {
		snprintf(full, sizeof(full), "%s", path);
	} else {
		char cwdlink[64], cwd[PATH_MAX];
		snprintf(cwdlink, sizeof(cwdlink), "/proc/%d/cwd", pid);
		ssize_t n = readlink(cwdlink, cwd, sizeof(cwd) - 1);
		cwd[n < 0 ? 0 : n] = 0;
		snprintf(full, sizeof(full), "%s/%s", cwd, path);
	}
	if (canonical(pid, full, file) != 0 || stat(file, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	snprintf(dir, sizeof(dir), "%s", file);
	*strrchr(dir, '/') = 0;
	if (stat(dir, &dst) != 0)
		return EACCES;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return EACCES;
	ssize_t n = read(fd, head, sizeof(head));
	close(fd);
	if (dst.st_uid != 0 || (dst.st_mode & 022))
		return EACCES;
	if (exec_stack(head, n < 0 ? 0 : n))
		return EACCES;
	return 0;
}

static int maps_has(pid_t pid, unsigned long addr, int stack)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");
	int found = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char perms[8];
		unsigned long ino;
		if (sscanf(line, "%lx-%lx %7s %*x %*s %lu", &s, &e, perms, &ino) != 4)
			continue;
		if (stack ? strstr(line, "[stack]") && perms[2] == 'x' : addr >= s && addr < e && (perms[1] == 'w' || ino == 0))
			found = 1;
	}
	fclose(f);
	return found;
}

/* a magic link's text as the process's root names it (as Tracee.inRoot) */
static void in_root(pid_t pid, char *path)
{
	char link[64], root[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%d/root", pid);
	ssize_t n = readlink(link, root, sizeof(root) - 1);
	if (n <= 1)
		return;
	root[n] = 0;
	if (strncmp(path, root, n) == 0 && path[n] == '/')
		memmove(path, path + n, strlen(path + n) + 1);
}

/* a file mapped executable: the fd's path and open flags (W^X: not open for writing), then the exec checks */
static int mapped_file(pid_t pid, int fd)
{
	char link[64], target[PATH_MAX], line[256];
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return EBADF;
	snprintf(link, sizeof(link), "/proc/%d/fdinfo/%d", pid, fd);
	FILE *f = fopen(link, "re");
	int flags = -1;
	if (!f)
		return EBADF;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "flags: %o", &flags) == 1)
			break;
	fclose(f);
	if (flags < 0 || (flags & O_ACCMODE) != O_RDONLY)
		return EACCES;
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, fd);
	target[n] = 0;
	in_root(pid, target);
	char dir[PATH_MAX + 64];
	struct stat dst;
	char *slash = strrchr(target, '/');
	if (slash)
		*slash = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/root%s", pid, target);
	if (stat(dir, &dst) != 0 || dst.st_uid != 0 || (dst.st_mode & 022))
		return EACCES;
	int file = open(link, O_RDONLY | O_CLOEXEC);
	if (file < 0)
		return EACCES;
	ssize_t got = read(file, head, sizeof(head));
	close(file);
	return exec_stack(head, got < 0 ? 0 : got) ? EACCES : 0;
}

static void skip(pid_t pid, int err)
{
	ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, orig_rax), -1L);
	ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, rax), (long)-err);
}

static void seccomp_stop(pid_t pid)
{
	struct __ptrace_syscall_info info;
	char path[PATH_MAX];
	int err = 0;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info) <= 0)
		return;
	long nr = info.seccomp.nr;
	const __uint64_t *a = info.seccomp.args;
	if (nr == nr_mmap) {
		if ((a[2] & PROT_WRITE) || (a[3] & (MAP_ANONYMOUS | MAP_SHARED)))
			err = EACCES;
		else
			err = mapped_file(pid, (int)a[4]);
	} else if (nr == nr_mprotect) {
		if ((a[2] & PROT_WRITE) || maps_has(pid, a[0], 0))
			err = EACCES;
	} else if (nr == nr_execve || nr == nr_execveat) {
		if (read_string(pid, nr == nr_execve ? a[0] : a[1], path, sizeof(path)) == 0)
			err = check_exec(pid, path);
	}
	if (err)
		skip(pid, err);
	ptrace(PTRACE_CONT, pid, 0, 0);
}

static void exec_event(pid_t pid)
{
	unsigned long former;
	char link[64], target[PATH_MAX];
	struct stat st;
	ptrace(PTRACE_GETEVENTMSG, pid, 0, &former);
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n >= 0) {
		target[n] = 0;
		in_root(pid, target);
	}
	if (n < 0 || stat(link, &st) != 0 || maps_has(pid, 0, 1) == 1)
		kill(pid, SIGKILL);
	ptrace(PTRACE_CONT, pid, 0, 0);
}

int main(int argc, char **argv)
{
	int go[2];
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(atoi(argv[2]), &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			die("sched_setaffinity");
		argv += 2;
		argc -= 2;
	}
	if (argc < 3)
		return fprintf(stderr, "usage: ctracer [-c CPU] ROOT PROGRAM ARGS...\n"), 2;
	nr_execve = SCMP_SYS(execve);
	nr_execveat = SCMP_SYS(execveat);
	nr_mmap = SCMP_SYS(mmap);
	nr_mprotect = SCMP_SYS(mprotect);
	if (pipe2(go, O_CLOEXEC) != 0)
		die("pipe2");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		char c;
		if (chroot(argv[1]) != 0 || chdir("/") != 0)
			die("chroot");
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			die("no_new_privs");
		load_filter();
		execv(argv[2], argv + 2);
		die("execv");
	}
	if (ptrace(PTRACE_SEIZE, child, 0, OPTIONS) != 0)
		die("PTRACE_SEIZE");
	if (write(go[1], "g", 1) != 1)
		die("write");
	int code = 127;
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, __WALL | __WNOTHREAD);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (pid == child)
				code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			continue;
		}
		int sig = WSTOPSIG(status), event = status >> 16;
		if (event == PTRACE_EVENT_SECCOMP) {
			seccomp_stop(pid);
		} else if (event == PTRACE_EVENT_EXEC) {
			exec_event(pid);
		} else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
			unsigned long kid;
			ptrace(PTRACE_GETEVENTMSG, pid, 0, &kid);
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (event == PTRACE_EVENT_EXIT) {
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (event == PTRACE_EVENT_STOP) {
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				ptrace(PTRACE_LISTEN, pid, 0, 0);
			else
				ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (sig == (SIGTRAP | 0x80)) {
			ptrace(PTRACE_CONT, pid, 0, 0);
		} else {
			ptrace(PTRACE_CONT, pid, 0, sig);
		}
	}
	return code;
}
