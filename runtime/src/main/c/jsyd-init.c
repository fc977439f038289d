/*
 * jsyd-init: the container init stub of jsyd-oci.
 *
 * It interprets a plan of primitive operations that Java built, one op after the
 * other, and makes no decisions of its own: what to mount, which ids and
 * capabilities to use, when to wait for the parent, all of it is in the plan.
 * On failure it reports (op index, errno, short text) over the sync socket and
 * exits with the number of the step it was in. protocol.def has the messages,
 * ops.def the operations.
 */
#include "jsyd-init.h"


#define JSYD_PROTOCOL_VERSION "2"
#define PLAN_MAGIC "JSYDPLAN"
#define PLAN_VERSION 1u
#define MAX_PLAN_BYTES (64u << 20)

int sync_fd = -1;
int root_fd = -1;
/* fds that ops make for later ops (user namespaces, detached mounts), in plan order */
int handles[1024];
int nhandles;
int step = STEP_PROTOCOL;
pid_t host_pid; /* the init's pid as the runtime sees it (set by CLONE_INIT) */
int cur_op = -1;
/* the exec fifo's write end from WAIT_FIFO to the exec (CLOEXEC): `start` reads it
 * to its end, so it learns of a failure after it (a startContainer hook) from here */
int start_fd = -1;


void send_msg(uint32_t type, int err, int64_t value, const char *text)
{
	struct jsyd_msg m;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.op = cur_op;
	m.err = err;
	m.value = value;
	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	while (send(sync_fd, &m, sizeof(m), MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

__attribute__((noreturn, format(printf, 2, 3)))
void fail(int err, const char *fmt, ...)
{
	char text[232];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (start_fd >= 0)
		dprintf(start_fd, "\n%d\t%d\t%s", cur_op, err, text);
	if (sync_fd >= 0)
		send_msg(MSG_ERROR, err, 0, text);
	else
		fprintf(stderr, "jsyd-init: %s: %s\n", text, strerror(err));
	_exit(step);
}

void wait_ack(void)
{
	struct jsyd_msg m;
	ssize_t n;
	do {
		n = recv(sync_fd, &m, sizeof(m), 0);
	} while (n < 0 && errno == EINTR);
	if (n == 0)
		_exit(step); /* the parent is gone: nobody is left to set us up */
	if (n != (ssize_t)sizeof(m))
		fail(n < 0 ? errno : EPROTO, "sync: reading the answer");
	if (m.type == MSG_ABORT)
		_exit(0);
	if (m.type != MSG_ACK)
		fail(EPROTO, "sync: unexpected message %u", m.type);
}

void send_fd(int fd, int64_t value)
{
	struct jsyd_msg m;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;

	memset(&m, 0, sizeof(m));
	memset(cbuf, 0, sizeof(cbuf));
	m.type = MSG_FD;
	m.op = cur_op;
	m.value = value;
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sync_fd, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			fail(errno, "sendmsg of fd %d", fd);
}

/* ---- the plan ---------------------------------------------------------- */

static uint32_t rd32(const unsigned char **p, const unsigned char *end)
{
	uint32_t v;
	if ((size_t)(end - *p) < sizeof(v))
		fail(EPROTO, "plan: truncated");
	memcpy(&v, *p, sizeof(v));
	*p += sizeof(v);
	return v;
}

static const int min_ints[] = {
#define OP(code, name, ni, ns, doc) [code] = ni,
#include "ops.def"
#undef OP
};
static const int min_strs[] = {
#define OP(code, name, ni, ns, doc) [code] = ns,
#include "ops.def"
#undef OP
};
static const char known[] = {
#define OP(code, name, ni, ns, doc) [code] = 1,
#include "ops.def"
#undef OP
};
#define MAX_OP_CODE ((int)(sizeof(min_ints) / sizeof(min_ints[0])) - 1)

static struct op *decode(const unsigned char *buf, size_t len, uint32_t *count)
{
	const unsigned char *p = buf, *end = buf + len;
	struct op *ops;
	uint32_t version, n, i, j;

	if (len < 8 || memcmp(p, PLAN_MAGIC, 8) != 0)
		fail(EPROTO, "plan: bad magic");
	p += 8;
	version = rd32(&p, end);
	if (version != PLAN_VERSION)
		fail(EPROTO, "plan: version %u, stub speaks %u", version, PLAN_VERSION);
	n = rd32(&p, end);
	if (n > 1u << 20)
		fail(EPROTO, "plan: %u ops", n);
	ops = calloc(n ? n : 1, sizeof(*ops));
	if (!ops)
		fail(ENOMEM, "plan: allocating %u ops", n);
	for (i = 0; i < n; i++) {
		struct op *o = &ops[i];
		int64_t *ints;
		cur_op = (int)i;
		o->code = rd32(&p, end);
		o->nints = rd32(&p, end);
		o->nstrs = rd32(&p, end);
		if ((int)o->code > MAX_OP_CODE || !known[o->code])
			fail(EPROTO, "plan: unknown op code %u", o->code);
		if (o->nints < (uint32_t)min_ints[o->code] || o->nstrs < (uint32_t)min_strs[o->code])
			fail(EPROTO, "plan: op code %u has %u ints and %u strings", o->code, o->nints, o->nstrs);
		if (o->nints > 4096 || o->nstrs > 65536)
			fail(EPROTO, "plan: op code %u is too large", o->code);
		if ((size_t)(end - p) / sizeof(int64_t) < o->nints)
			fail(EPROTO, "plan: truncated ints");
		ints = malloc((o->nints ? o->nints : 1) * sizeof(int64_t));
		o->strs = calloc(o->nstrs + 1, sizeof(char *));
		o->lens = calloc(o->nstrs + 1, sizeof(uint32_t));
		if (!ints || !o->strs || !o->lens)
			fail(ENOMEM, "plan: allocating op %u", i);
		memcpy(ints, p, o->nints * sizeof(int64_t));
		p += o->nints * sizeof(int64_t);
		o->ints = ints;
		for (j = 0; j < o->nstrs; j++) {
			uint32_t l = rd32(&p, end);
			if (l == 0 || (size_t)(end - p) < l || p[l - 1] != '\0')
				fail(EPROTO, "plan: bad string %u of op %u", j, i);
			o->strs[j] = (const char *)p;
			o->lens[j] = l - 1;
			p += l;
		}
	}
	if (p != end)
		fail(EPROTO, "plan: %zu trailing bytes", (size_t)(end - p));
	cur_op = -1;
	*count = n;
	return ops;
}

static unsigned char *read_plan(int fd, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t off = 0;

	if (fstat(fd, &st) < 0)
		fail(errno, "plan fd %d", fd);
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > MAX_PLAN_BYTES)
		fail(EPROTO, "plan fd %d is not a plan", fd);
	buf = malloc((size_t)st.st_size);
	if (!buf)
		fail(ENOMEM, "plan: %lld bytes", (long long)st.st_size);
	while (off < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + off, (size_t)st.st_size - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fail(n < 0 ? errno : EPROTO, "reading the plan");
		off += (size_t)n;
	}
	*len = off;
	return buf;
}

/* ---- paths below the container root ----------------------------------- */

static void run_op(const struct op *o)
{
	const int64_t *v = o->ints;
	switch ((enum op_code)o->code) {
	case OP_SETNS:
		do_setns(o);
		break;
	case OP_UNSHARE:
		if (unshare((int)v[0]) < 0)
			fail(errno, "unshare");
		break;
	case OP_SYNC:
		send_msg(MSG_SYNC, 0, v[0], NULL);
		wait_ack();
		break;
	case OP_WRITE_FILE:
		do_write_file(o);
		break;
	case OP_CLONE_INIT:
		do_clone_init(o);
		break;
	case OP_SETSID:
		if (setsid() < 0)
			fail(errno, "setsid");
		break;
	case OP_OPEN_ROOT:
		if (root_fd >= 0)
			close(root_fd);
		root_fd = open(o->strs[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root_fd < 0)
			fail(errno, "open %s", o->strs[0]);
		break;
	case OP_MKDIR_IN_ROOT:
		close(mkdirs_in_root(o->strs[0], (mode_t)v[0]));
		break;
	case OP_MKFILE_IN_ROOT:
		do_mkfile_in_root(o);
		break;
	case OP_MOUNT_IN_ROOT:
		do_mount_in_root(o);
		break;
	case OP_COPY_UP_IN_ROOT:
		do_copy_up_in_root(o);
		break;
	case OP_MOUNT:
		if (((unsigned long)v[0] & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND)
			    ? bind_remount(o->strs[1], (unsigned long)v[0]) < 0
			    : mount(opt(o, 0), o->strs[1], opt(o, 2), (unsigned long)v[0], opt(o, 3)) < 0)
			fail(errno, "mount %s", o->strs[1]);
		break;
	case OP_SETATTR_IN_ROOT:
		do_setattr_in_root(o);
		break;
	case OP_MKNOD_IN_ROOT:
		do_mknod_in_root(o);
		break;
	case OP_SYMLINK_IN_ROOT:
		do_symlink_in_root(o);
		break;
	case OP_MASK_PATH:
		do_mask_path(o);
		break;
	case OP_READONLY_PATH:
		do_readonly_path(o);
		break;
	case OP_PIVOT_ROOT:
		do_pivot_root(o);
		break;
	case OP_MOVE_ROOT:
		do_move_root(o);
		break;
	case OP_CHROOT:
		do_chroot(o);
		break;
	case OP_CHDIR:
		if (chdir(o->strs[0]) < 0)
			fail(errno, "chdir %s", o->strs[0]);
		break;
	case OP_SETHOSTNAME:
		if (sethostname(o->strs[0], o->lens[0]) < 0)
			fail(errno, "sethostname");
		break;
	case OP_SETDOMAINNAME:
		if (setdomainname(o->strs[0], o->lens[0]) < 0)
			fail(errno, "setdomainname");
		break;
	case OP_SETRLIMIT: {
		struct rlimit rl = { .rlim_cur = (rlim_t)v[1], .rlim_max = (rlim_t)v[2] };
		if (setrlimit((int)v[0], &rl) < 0)
			fail(errno, "setrlimit %d", (int)v[0]);
		break;
	}
	case OP_PRCTL:
		if (prctl((int)v[0], (unsigned long)v[1], (unsigned long)v[2], (unsigned long)v[3],
			  (unsigned long)v[4]) < 0)
			fail(errno, "prctl %d", (int)v[0]);
		break;
	case OP_SETGROUPS: {
		gid_t *g = calloc(o->nints ? o->nints : 1, sizeof(gid_t));
		uint32_t i;
		if (!g)
			fail(ENOMEM, "setgroups");
		for (i = 0; i < o->nints; i++)
			g[i] = (gid_t)v[i];
		/* a user namespace with setgroups "deny" keeps the groups it has: fine when
		 * none were asked for (runc skips the call there too) */
		if (setgroups(o->nints, g) < 0 && !(errno == EPERM && o->nints == 0 && setgroups_denied()))
			fail(errno, "setgroups");
		free(g);
		break;
	}
	case OP_SETRESGID:
		if (setresgid((gid_t)v[0], (gid_t)v[0], (gid_t)v[0]) < 0)
			fail(errno, "setresgid %lld", (long long)v[0]);
		break;
	case OP_SETRESUID:
		if (setresuid((uid_t)v[0], (uid_t)v[0], (uid_t)v[0]) < 0)
			fail(errno, "setresuid %lld", (long long)v[0]);
		break;
	case OP_UMASK:
		umask((mode_t)v[0]);
		break;
	case OP_CAPSET:
		do_capset(o);
		break;
	case OP_CAPBSET_DROP: {
		uint32_t i;
		for (i = 0; i < o->nints; i++)
			if (prctl(PR_CAPBSET_DROP, (unsigned long)v[i], 0, 0, 0) < 0 && errno != EINVAL)
				fail(errno, "drop capability %lld from the bounding set", (long long)v[i]);
		break;
	}
	case OP_AMBIENT_RAISE: {
		uint32_t i;
		for (i = 0; i < o->nints; i++)
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)v[i], 0, 0) < 0)
				fail(errno, "raise ambient capability %lld", (long long)v[i]);
		break;
	}
	case OP_SCHED_SETATTR:
		do_sched_setattr(o);
		break;
	case OP_IOPRIO_SET:
		if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)v[0]) < 0)
			fail(errno, "ioprio_set");
		break;
	case OP_SETAFFINITY: {
		size_t sz = (o->nints ? o->nints : 1) * sizeof(uint64_t);
		if (sched_setaffinity(0, sz, (const cpu_set_t *)(const void *)v) < 0)
			fail(errno, "sched_setaffinity");
		break;
	}
	case OP_SET_MEMPOLICY:
		if (syscall(SYS_set_mempolicy, (int)v[0], o->nints > 1 ? (const void *)(v + 1) : NULL,
			    (unsigned long)(o->nints - 1) * 64 + (o->nints > 1 ? 1 : 0)) < 0)
			fail(errno, "set_mempolicy");
		break;
	case OP_PERSONALITY:
		if (personality((unsigned long)v[0]) < 0)
			fail(errno, "personality");
		break;
	case OP_SECCOMP_LOAD:
		do_seccomp_load(o);
		break;
	case OP_CLOSE_FDS:
		if (syscall(SYS_close_range, (unsigned)v[0], ~0U, CLOSE_RANGE_CLOEXEC) < 0)
			fail(errno, "close_range from %lld", (long long)v[0]);
		break;
	case OP_WAIT_FIFO: {
		/* the fifo lives on the host; after the pivot only the O_PATH fd reaches it */
		char path[64];
		int target = handle(v[0]);
		int fd;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", target);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			fail(errno, "open exec fifo %s", path);
		if (write(fd, "0", 1) != 1)
			fail(errno, "write exec fifo");
		start_fd = fd;
		close(target);
		break;
	}
	case OP_CHECK_EXEC:
		do_check_exec(o);
		break;
	case OP_OPEN_PATH: {
		int fd = open(o->strs[0], O_PATH | O_CLOEXEC);
		if (fd < 0)
			fail(errno, "open %s", o->strs[0]);
		add_handle(fd);
		break;
	}
	case OP_RUN_HOOK:
		do_run_hook(o);
		break;
	case OP_EXECVE:
		do_execve(o);
		break;
	case OP_USERNS_FD:
		do_userns_fd(o);
		break;
	case OP_OPEN_TREE:
		do_open_tree(o);
		break;
	case OP_MOVE_MOUNT_IN_ROOT:
		do_move_mount_in_root(o);
		break;
	case OP_CONSOLE:
		do_console(o);
		break;
	case OP_LANDLOCK_RULESET:
		do_landlock_ruleset(o);
		break;
	case OP_LANDLOCK_PATH:
		do_landlock_path(o);
		break;
	case OP_LANDLOCK_PORTS:
		do_landlock_ports(o);
		break;
	case OP_LANDLOCK_RESTRICT:
		do_landlock_restrict(o);
		break;
	case OP_JOIN_SESSION_KEYRING:
		do_join_session_keyring(o);
		break;
	case OP_DUP2:
		if (dup2((int)v[0], (int)v[1]) < 0)
			fail(errno, "dup2 %lld to %lld", (long long)v[0], (long long)v[1]);
		break;
	default:
		fail(EPROTO, "unknown op code %u", o->code);
	}
}

static int parse_fd(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 3 || v > 1 << 20)
		return -1;
	return (int)v;
}

int main(int argc, char **argv)
{
	struct op *ops;
	unsigned char *plan;
	size_t len;
	uint32_t n, i;
	int plan_fd;
	struct stat st;

	if (argc != 4 || strcmp(argv[1], JSYD_PROTOCOL_VERSION) != 0) {
		fprintf(stderr, "jsyd-init: this is the init stub of jsyd-oci, run only by it "
				"(protocol %s)\n", JSYD_PROTOCOL_VERSION);
		return STEP_PROTOCOL;
	}
	sync_fd = parse_fd(argv[2]);
	plan_fd = parse_fd(argv[3]);
	if (sync_fd < 0 || plan_fd < 0 || fstat(sync_fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		sync_fd = -1;
		fail(EBADF, "protocol fds %s %s", argv[2], argv[3]);
	}
	plan = read_plan(plan_fd, &len);
	close(plan_fd);
	ops = decode(plan, len, &n);
	step = STEP_SETUP;
	for (i = 0; i < n; i++) {
		cur_op = (int)i;
		run_op(&ops[i]);
	}
	fail(EPROTO, "the plan ended without EXECVE");
}
