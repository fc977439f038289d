/*
 * The ops that shape the container process: capabilities, scheduling, seccomp,
 * the clone of the init, the exec and its checks, the console, hooks.
 */
#include "jsyd-init.h"
#include <linux/keyctl.h>

void do_capset(const struct op *o)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	int i;
	for (i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)((uint64_t)o->ints[0] >> (32 * i));
		d[i].permitted = (uint32_t)((uint64_t)o->ints[1] >> (32 * i));
		d[i].inheritable = (uint32_t)((uint64_t)o->ints[2] >> (32 * i));
	}
	if (syscall(SYS_capset, &h, d) < 0)
		fail(errno, "capset");
}

struct jsyd_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

void do_sched_setattr(const struct op *o)
{
	struct jsyd_sched_attr a = {
		.size = sizeof(a),
		.sched_policy = (uint32_t)o->ints[0],
		.sched_flags = (uint64_t)o->ints[1],
		.sched_nice = (int32_t)o->ints[2],
		.sched_priority = (uint32_t)o->ints[3],
		.sched_runtime = (uint64_t)o->ints[4],
		.sched_deadline = (uint64_t)o->ints[5],
		.sched_period = (uint64_t)o->ints[6],
	};
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		fail(errno, "sched_setattr");
}

void do_seccomp_load(const struct op *o)
{
	struct sock_fprog prog = {
		.len = (unsigned short)(o->lens[0] / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)(uintptr_t)o->strs[0],
	};
	long fd;
	if (o->lens[0] % sizeof(struct sock_filter) != 0 || prog.len == 0)
		fail(EINVAL, "seccomp: program of %u bytes", o->lens[0]);
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)o->ints[0], &prog);
	if (fd < 0)
		fail(errno, "seccomp");
	if (o->ints[1]) {
		send_msg(MSG_LISTENER, 0, fd, NULL);
		wait_ack();
		close((int)fd);
	}
}

void do_clone_init(const struct op *o)
{
	int gate[2];
	pid_t pid;

	/* The init waits for this pipe to close, so that the parent reads the PID
	 * message before any message of the init (a SYNC must reach the init). */
	if (pipe2(gate, O_CLOEXEC) < 0)
		fail(errno, "pipe");
	pid = (pid_t)syscall(SYS_clone, (unsigned long)o->ints[0] | CLONE_PARENT | SIGCHLD,
			     NULL, NULL, NULL, NULL);
	if (pid < 0)
		fail(errno, "clone");
	if (pid > 0) {
		send_msg(MSG_PID, 0, pid, NULL);
		/* the init learns its host pid (hooks' state) before the gate closes */
		(void)!write(gate[1], &pid, sizeof(pid));
		_exit(0);
	}
	step = STEP_INIT;
	close(gate[1]);
	while (read(gate[0], &host_pid, sizeof(host_pid)) < 0 && errno == EINTR)
		;
	close(gate[0]);
}

/* The home directory of uid in the container's /etc/passwd, "/" when it is not
 * there: what runc gives HOME when the config's env has none. */
void passwd_home(uid_t uid, char *out, size_t n)
{
	char line[4096];
	FILE *f = fopen("/etc/passwd", "re");
	snprintf(out, n, "/");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *field[7] = { 0 };
		char *p = line, *end;
		int i;
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 7 && p; i++) {
			field[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (i < 6 || !field[2][0])
			continue;
		errno = 0;
		if (strtoul(field[2], &end, 10) != uid || *end || errno)
			continue;
		if (field[5][0])
			snprintf(out, n, "%s", field[5]);
		break;
	}
	fclose(f);
}

/* execve with a PATH search in the container's environment, like runc: no
 * shell fallback for files without a #! line. */
int executable(const char *full)
{
	struct stat st;
	if (stat(full, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return access(full, X_OK);
}

void do_check_exec(const struct op *o)
{
	const char *file = o->strs[0];
	const char *path = o->strs[1];
	int err = ENOENT;

	if (strchr(file, '/')) {
		if (executable(file) < 0)
			fail(errno, "exec %s", file);
		return;
	}
	while (*path) {
		char full[4096];
		size_t dl = strcspn(path, ":");
		snprintf(full, sizeof(full), "%.*s%s%s", (int)dl, path, dl ? "/" : "", file);
		if (executable(full) == 0)
			return;
		if (errno == EACCES)
			err = EACCES;
		path += dl;
		if (*path == ':')
			path++;
	}
	fail(err, "exec \"%s\": executable file not found in $PATH", file);
}

void do_execve(const struct op *o)
{
	uint32_t argc = (uint32_t)o->ints[0];
	const char *file = o->strs[0];
	char *const *argv;
	char *const *envp;
	const char *path = NULL;
	uint32_t i;
	int err = ENOENT;

	if (argc + 1 > o->nstrs)
		fail(EPROTO, "execve: %u args but %u strings", argc, o->nstrs);
	/* strs: file, argv[0..argc), env...; both lists need a NULL end */
	{
		char **a = calloc(argc + 1, sizeof(char *));
		char **e = calloc(o->nstrs - argc + 1, sizeof(char *));
		uint32_t ne = 0;
		int home = 0;
		if (!a || !e)
			fail(ENOMEM, "execve");
		for (i = 0; i < argc; i++)
			a[i] = (char *)o->strs[1 + i];
		for (i = 1 + argc; i < o->nstrs; i++) {
			e[ne++] = (char *)o->strs[i];
			home |= strncmp(o->strs[i], "HOME=", 5) == 0;
		}
		if (!home && o->ints[1] >= 0) {
			static char buf[4096 + 5];
			memcpy(buf, "HOME=", 5);
			passwd_home((uid_t)o->ints[1], buf + 5, sizeof(buf) - 5);
			e[ne++] = buf;
		}
		argv = a;
		envp = e;
	}
	if (strchr(file, '/')) {
		execve(file, argv, envp);
		fail(errno, "exec %s", file);
	}
	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			path = envp[i] + 5;
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		char full[4096];
		size_t dl = strcspn(path, ":");
		if (dl == 0) {
			snprintf(full, sizeof(full), "%s", file);
		} else {
			snprintf(full, sizeof(full), "%.*s/%s", (int)dl, path, file);
		}
		execve(full, argv, envp);
		if (errno != ENOENT && errno != ENOTDIR)
			err = errno;
		if (errno == EACCES)
			err = EACCES;
		path += dl;
		if (*path == ':')
			path++;
	}
	fail(err, "exec %s: not found in $PATH", file);
}

/* The container's terminal, made where the container will see it (its own devpts
 * instance), as runc makes it: the master goes to the parent, which copies it to
 * and from its own stdio; the slave becomes stdio and the controlling terminal. */
void do_console(const struct op *o)
{
	int unlock = 0, master, slave;
	master = open(o->strs[0], O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		fail(errno, "open %s", o->strs[0]);
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		fail(errno, "unlock the pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		fail(errno, "open the pty's slave");
	if (o->ints[2] > 0 && o->ints[3] > 0) {
		struct winsize ws = { .ws_row = (unsigned short)o->ints[2], .ws_col = (unsigned short)o->ints[3] };
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			fail(errno, "set the terminal size");
	}
	if (fchown(slave, (uid_t)o->ints[0], (gid_t)o->ints[1]) < 0)
		fail(errno, "chown the pty to %lld:%lld", (long long)o->ints[0], (long long)o->ints[1]);
	send_fd(master, cur_op);
	close(master);
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		fail(errno, "make the pty stdio");
	if (slave > 2)
		close(slave);
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		fail(errno, "make the pty the controlling terminal");
}

int setgroups_denied(void)
{
	char buf[16] = { 0 };
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(fd);
	return strncmp(buf, "deny", 4) == 0;
}

/* An OCI hook run by the init itself (createContainer before pivot_root,
 * startContainer right before the exec): the state goes in through a memfd (no
 * pipe to fill), its stdout and stderr into another whose head goes into the
 * error. It leads a process group, so at the timeout or on failure the group dies
 * with it. */
void do_run_hook(const struct op *o)
{
	int64_t timeout_ms = o->ints[0];
	uint32_t argc = (uint32_t)o->ints[1], i, ne = 0;
	const char *path = o->strs[0];
	char **a, **e, pidbuf[24], out[160];
	int in, log, status;
	ssize_t n;
	pid_t pid;
	struct timespec start, now;

	if (4 + argc > o->nstrs)
		fail(EPROTO, "hook: %u args but %u strings", argc, o->nstrs);
	a = calloc(argc + 2, sizeof(char *));
	e = calloc(o->nstrs - 4 - argc + 1, sizeof(char *));
	if (!a || !e)
		fail(ENOMEM, "hook");
	for (i = 0; i < argc; i++)
		a[i] = (char *)o->strs[4 + i];
	if (argc == 0)
		a[0] = (char *)path;
	for (i = 4 + argc; i < o->nstrs; i++)
		e[ne++] = (char *)o->strs[i];
	in = (int)syscall(SYS_memfd_create, "jsyd-hook-state", 0);
	log = (int)syscall(SYS_memfd_create, "jsyd-hook-output", 0);
	if (in < 0 || log < 0)
		fail(errno, "hook %s: memfd_create", path);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)host_pid);
	if (write(in, o->strs[2], strlen(o->strs[2])) < 0 || write(in, pidbuf, strlen(pidbuf)) < 0
	    || write(in, o->strs[3], strlen(o->strs[3])) < 0 || lseek(in, 0, SEEK_SET) < 0)
		fail(errno, "hook %s: writing its state", path);
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid = fork();
	if (pid < 0)
		fail(errno, "hook %s: fork", path);
	if (pid == 0) {
		setpgid(0, 0);
		if (dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
			_exit(127);
		syscall(SYS_close_range, 3U, ~0U, 0);
		if (o->strs[1][0] && chdir(o->strs[1]) < 0) {
			dprintf(2, "chdir %s: %s", o->strs[1], strerror(errno));
			_exit(127);
		}
		execve(path, a, e);
		dprintf(2, "exec %s: %s", path, strerror(errno));
		_exit(127);
	}
	/* either side may win the race to set the group; both set the same one */
	setpgid(pid, pid);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			fail(errno, "hook %s: waitpid", path);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_ms > 0 && (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >= timeout_ms) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			n = pread(log, out, sizeof(out) - 1, 0);
			out[n > 0 ? n : 0] = '\0';
			if (timeout_ms % 1000 == 0)
				fail(0, "timed out after %llds and was killed%s%s", (long long)timeout_ms / 1000,
				     n > 0 ? ": output: " : "", out);
			fail(0, "timed out after %lldms and was killed%s%s", (long long)timeout_ms, n > 0 ? ": output: " : "", out);
		}
		usleep(2000);
	}
	close(in);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		close(log);
		free(a);
		free(e);
		return;
	}
	kill(-pid, SIGKILL);
	n = pread(log, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	if (WIFEXITED(status))
		fail(0, "exited with status %d%s%s", WEXITSTATUS(status), n > 0 ? ": output: " : "", out);
	fail(0, "was killed by signal %d%s%s", WTERMSIG(status), n > 0 ? ": output: " : "", out);
}


/* The session keyring of the container (runc's "_ses.ID"): its keys are not the
 * caller's. Made searchable as the plan says, so that `exec` finds it by name. */
void do_join_session_keyring(const struct op *o)
{
	const char *name = o->strs[0];
	char desc[512], *p, *end;
	unsigned long perm;
	long id, n;
	int i;

	id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
	if (id < 0) {
		if (errno == ENOSYS) {
			send_msg(MSG_NOTE, ENOSYS, 0, name);
			return;
		}
		fail(errno, "join session keyring %s", name);
	}
	if (o->ints[0] == 0)
		return;
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc), 0);
	if (n < 0)
		fail(errno, "describe session keyring %s", name);
	if ((size_t)n > sizeof(desc))
		fail(ERANGE, "describe session keyring %s: %ld bytes", name, n);
	desc[sizeof(desc) - 1] = '\0';
	/* "type;uid;gid;perm;description", perm in hex */
	p = desc;
	for (i = 0; i < 3 && p; i++) {
		p = strchr(p, ';');
		if (p)
			p++;
	}
	if (!p)
		fail(EPROTO, "describe session keyring %s: %s", name, desc);
	errno = 0;
	perm = strtoul(p, &end, 16);
	if (errno || end == p || *end != ';')
		fail(EPROTO, "describe session keyring %s: %s", name, desc);
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, perm | (unsigned long)o->ints[0], 0, 0) < 0)
		fail(errno, "set the permissions of session keyring %s", name);
}
