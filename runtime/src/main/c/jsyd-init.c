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
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <grp.h>

#define JSYD_PROTOCOL_VERSION "1"
#define PLAN_MAGIC "JSYDPLAN"
#define PLAN_VERSION 1u
#define MAX_PLAN_BYTES (64u << 20)

/* Exit statuses: the step the stub was in when it failed. */
enum { STEP_PROTOCOL = 121, STEP_SETUP = 122, STEP_INIT = 123 };

enum op_code {
#define OP(code, name, ni, ns, doc) OP_##name = code,
#include "ops.def"
#undef OP
};

enum msg_type {
#define MSG(code, name, doc) MSG_##name = code,
#include "protocol.def"
#undef MSG
};

struct jsyd_msg {
	uint32_t type;
	int32_t op;
	int32_t err;
	int32_t pad;
	int64_t value;
	char text[232];
};

struct op {
	uint32_t code;
	uint32_t nints;
	uint32_t nstrs;
	const int64_t *ints; /* unaligned-safe: copied out in decode */
	const char **strs;
	uint32_t *lens;
};

static int sync_fd = -1;
static int root_fd = -1;
/* fds that ops make for later ops (user namespaces, detached mounts), in plan order */
static int handles[1024];
static int nhandles;
static int step = STEP_PROTOCOL;
static pid_t host_pid; /* the init's pid as the runtime sees it (set by CLONE_INIT) */
static int cur_op = -1;

static void send_msg(uint32_t type, int err, int64_t value, const char *text)
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
static void fail(int err, const char *fmt, ...)
{
	char text[232];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (sync_fd >= 0)
		send_msg(MSG_ERROR, err, 0, text);
	else
		fprintf(stderr, "jsyd-init: %s: %s\n", text, strerror(err));
	_exit(step);
}

static void wait_ack(void)
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

static void send_fd(int fd, int64_t value)
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

static int open_in_root_mode(const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;
	if (root_fd < 0)
		fail(EBADF, "%s: no OPEN_ROOT before this op", path);
	do {
		fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
	} while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	return fd;
}

static int open_in_root(const char *path, int flags)
{
	return open_in_root_mode(path, flags, 0);
}

static void fdpath(char *out, size_t n, int fd)
{
	snprintf(out, n, "/proc/self/fd/%d", fd);
}

/* Splits "a/b/c" at the last slash: *name points at "c", returns the parent fd. */
static int mkdirs_in_root(const char *path, mode_t mode);

static int open_parent_in_root(const char *path, const char **name, mode_t mode)
{
	char parent[4096];
	const char *slash;
	size_t plen;
	int fd;

	while (*path == '/')
		path++;
	slash = strrchr(path, '/');
	if (!slash) {
		*name = path;
		return open_in_root("/", O_PATH | O_DIRECTORY);
	}
	plen = (size_t)(slash - path);
	if (plen >= sizeof(parent))
		fail(ENAMETOOLONG, "%s", path);
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	*name = slash + 1;
	fd = mkdirs_in_root(parent, mode);
	return fd;
}

/* mkdir -p below the root: every prefix is resolved in the root, so a symlink
 * planted in the rootfs can never lead out of it. A dangling symlink on the way
 * is followed the same way, and its target made inside the root, as runc's
 * securejoin + MkdirAll make it. Returns an O_PATH fd. */
static int mkdirs_in_root(const char *path, mode_t mode)
{
	char cur[4096], prefix[4096];
	int hops = 0, fd = -1;
	size_t i, len;

	if (strlen(path) >= sizeof(cur))
		fail(ENAMETOOLONG, "%s", path);
	snprintf(cur, sizeof(cur), "%s", path);
restart:
	len = strlen(cur);
	if (fd >= 0)
		close(fd);
	fd = open_in_root("/", O_PATH | O_DIRECTORY);
	if (fd < 0)
		fail(errno, "opening the root");
	for (i = 0; i <= len; i++) {
		int next;
		const char *name;
		if (i < len && cur[i] != '/')
			continue;
		if (i == 0 || cur[i - 1] == '/')
			continue;
		memcpy(prefix, cur, i);
		prefix[i] = '\0';
		name = strrchr(prefix, '/');
		name = name ? name + 1 : prefix;
		next = open_in_root(prefix, O_PATH | O_DIRECTORY);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, name, mode) < 0 && errno != EEXIST)
				fail(errno, "mkdir %s", prefix);
			next = open_in_root(prefix, O_PATH | O_DIRECTORY);
			if (next < 0 && errno == ENOENT) {
				/* a dangling symlink: go on from its target, still in the root */
				char link[4096], rebuilt[4096];
				ssize_t n = readlinkat(fd, name, link, sizeof(link) - 1);
				size_t plen = (size_t)(name - prefix);
				if (n <= 0)
					fail(ENOENT, "open %s", prefix);
				if (++hops > 40)
					fail(ELOOP, "open %s", path);
				link[n] = '\0';
				if (link[0] == '/')
					n = snprintf(rebuilt, sizeof(rebuilt), "%s%s", link, cur + i);
				else
					n = snprintf(rebuilt, sizeof(rebuilt), "%.*s%s%s", (int)plen, prefix, link, cur + i);
				if (n < 0 || (size_t)n >= sizeof(rebuilt))
					fail(ENAMETOOLONG, "%s", path);
				memcpy(cur, rebuilt, (size_t)n + 1);
				goto restart;
			}
		}
		if (next < 0)
			fail(errno, "open %s", prefix);
		close(fd);
		fd = next;
	}
	return fd;
}

/* ---- the ops ----------------------------------------------------------- */

static const char *opt(const struct op *o, uint32_t i)
{
	return o->strs[i][0] ? o->strs[i] : NULL;
}

/* The flags a user namespace locks on a mount it did not make: a bind remount
 * that would clear one fails with EPERM, so it keeps them, as runc does. */
static unsigned long locked_flags(const char *path, unsigned long wanted)
{
	struct statvfs sv;
	unsigned long keep = 0;
	if (statvfs(path, &sv) < 0)
		return wanted;
	keep |= sv.f_flag & ST_RDONLY ? MS_RDONLY : 0;
	keep |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
	keep |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
	keep |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	if (!(wanted & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))) {
		/* no atime wish: keep the mount's own (the kernel would pick relatime) */
		if (sv.f_flag & ST_NOATIME)
			keep |= MS_NOATIME;
		else if (sv.f_flag & ST_RELATIME)
			keep |= MS_RELATIME;
		else
			keep |= MS_STRICTATIME;
		keep |= sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0;
	}
	return wanted | keep;
}

static int bind_remount(const char *target, unsigned long flags)
{
	if (mount(NULL, target, NULL, flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	return mount(NULL, target, NULL, locked_flags(target, flags), NULL);
}

static void do_mount_in_root(const struct op *o)
{
	char target[64];
	unsigned long flags = (unsigned long)o->ints[0];
	int fd = open_in_root(o->strs[1], O_PATH);
	int rc;
	if (fd < 0)
		fail(errno, "open %s", o->strs[1]);
	fdpath(target, sizeof(target), fd);
	if ((flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND))
		rc = bind_remount(target, flags);
	else
		rc = mount(opt(o, 0), target, opt(o, 2), flags, opt(o, 3));
	if (rc < 0)
		fail(errno, "mount %s", o->strs[1]);
	close(fd);
}

static void do_setattr_in_root(const struct op *o)
{
	struct mount_attr attr = {
		.attr_set = (uint64_t)o->ints[0],
		.attr_clr = (uint64_t)o->ints[1],
		.propagation = (uint64_t)o->ints[2],
	};
	int userns = -1;
	int fd = open_in_root(o->strs[0], O_PATH);
	if (fd < 0)
		fail(errno, "open %s", o->strs[0]);
	if (o->strs[1][0]) {
		userns = open(o->strs[1], O_RDONLY | O_CLOEXEC);
		if (userns < 0)
			fail(errno, "open %s", o->strs[1]);
		attr.userns_fd = (uint64_t)userns;
	}
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (o->ints[3] ? AT_RECURSIVE : 0),
		    &attr, sizeof(attr)) < 0)
		fail(errno, "mount_setattr %s", o->strs[0]);
	if (userns >= 0)
		close(userns);
	close(fd);
}

static int add_handle(int fd)
{
	if (nhandles >= (int)(sizeof(handles) / sizeof(handles[0])))
		fail(EMFILE, "too many handles");
	handles[nhandles] = fd;
	return nhandles++;
}

static int handle(int64_t i)
{
	if (i < 0 || i >= nhandles)
		fail(EBADF, "handle %lld", (long long)i);
	return handles[i];
}

static void write_map(pid_t pid, const char *file, const int64_t *t, int64_t n)
{
	char path[64], text[4096];
	size_t len = 0;
	int64_t i;
	int fd;
	for (i = 0; i < n; i++) {
		int k = snprintf(text + len, sizeof(text) - len, "%lld %lld %lld\n",
				 (long long)t[3 * i], (long long)t[3 * i + 1], (long long)t[3 * i + 2]);
		if (k < 0 || (size_t)k >= sizeof(text) - len)
			fail(E2BIG, "%s", file);
		len += (size_t)k;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "open %s", path);
	if (write(fd, text, len) != (ssize_t)len)
		fail(errno, "write %s", path);
	close(fd);
}

/* A user namespace that exists only to carry a mapping (for an idmapped mount): a
 * child unshares it and waits while the stub writes its maps and keeps a fd. */
static void do_userns_fd(const struct op *o)
{
	int64_t nu = o->ints[0], ng = o->ints[1];
	int gate[2], fd, status;
	char path[64];
	pid_t pid;

	if (nu < 0 || ng < 0 || (int64_t)o->nints != 2 + 3 * (nu + ng))
		fail(EPROTO, "user namespace maps: %u ints for %lld+%lld triples", o->nints, (long long)nu, (long long)ng);
	if (pipe2(gate, O_CLOEXEC) < 0)
		fail(errno, "pipe");
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		fail(errno, "clone a user namespace");
	if (pid == 0) {
		char c;
		close(gate[1]);
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(gate[0]);
	write_map(pid, "uid_map", o->ints + 2, nu);
	write_map(pid, "gid_map", o->ints + 2 + 3 * nu, ng);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "open %s", path);
	close(gate[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	add_handle(fd);
}

static void do_open_tree(const struct op *o)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, o->strs[0],
			      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->ints[0] ? AT_RECURSIVE : 0));
	if (fd < 0)
		fail(errno, "open_tree %s", o->strs[0]);
	if (o->ints[1] >= 0) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)handle(o->ints[1]) };
		if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (o->ints[2] ? AT_RECURSIVE : 0),
			    &attr, sizeof(attr)) < 0)
			fail(errno, "idmap %s", o->strs[0]);
	}
	add_handle(fd);
}

static void do_move_mount_in_root(const struct op *o)
{
	int tree = handle(o->ints[0]);
	int fd = open_in_root(o->strs[0], O_PATH);
	if (fd < 0)
		fail(errno, "open %s", o->strs[0]);
	if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(errno, "move_mount onto %s", o->strs[0]);
	close(fd);
}

static void do_mkfile_in_root(const struct op *o)
{
	const char *name;
	int dir = open_parent_in_root(o->strs[0], &name, 0755);
	int fd;
	char dpath[64];
	int real;

	/* the parent was opened O_PATH; reopen it as a directory to create in it */
	fdpath(dpath, sizeof(dpath), dir);
	real = open(dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (real < 0)
		fail(errno, "open parent of %s", o->strs[0]);
	fd = openat(real, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, (mode_t)o->ints[0]);
	if (fd < 0 && errno == ELOOP) {
		/* a symlink: its target is made, resolved in the root like every path here */
		fd = open_in_root_mode(o->strs[0], O_CREAT | O_WRONLY, (mode_t)o->ints[0]);
		if (fd < 0 && errno == EISDIR)
			fd = -2;
	}
	if (fd == -1 && errno != EISDIR)
		fail(errno, "create %s", o->strs[0]);
	if (fd >= 0)
		close(fd);
	close(real);
	close(dir);
}

static int dirfd_of(int pathfd, const char *what)
{
	char p[64];
	int fd;
	fdpath(p, sizeof(p), pathfd);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail(errno, "open %s", what);
	close(pathfd);
	return fd;
}

static void do_mknod_in_root(const struct op *o)
{
	const char *name;
	int dir = dirfd_of(open_parent_in_root(o->strs[0], &name, 0755), o->strs[0]);
	dev_t dev = makedev((unsigned)o->ints[1], (unsigned)o->ints[2]);
	mode_t old = umask(0); /* the plan's mode is the node's mode, as runc makes it */
	int rc = mknodat(dir, name, (mode_t)o->ints[0], dev);
	umask(old);
	if (rc < 0) {
		if (errno != EEXIST)
			fail(errno, "mknod %s", o->strs[0]);
	} else if (fchownat(dir, name, (uid_t)o->ints[3], (gid_t)o->ints[4], AT_SYMLINK_NOFOLLOW) < 0) {
		fail(errno, "chown %s", o->strs[0]);
	}
	close(dir);
}

static void do_symlink_in_root(const struct op *o)
{
	const char *name;
	int dir = dirfd_of(open_parent_in_root(o->strs[1], &name, 0755), o->strs[1]);
	if (symlinkat(o->strs[0], dir, name) < 0 && errno != EEXIST)
		fail(errno, "symlink %s -> %s", o->strs[1], o->strs[0]);
	close(dir);
}

static void do_mask_path(const struct op *o)
{
	struct stat st;
	const char *path = o->strs[0];
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return;
		fail(errno, "stat %s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, NULL) < 0)
			fail(errno, "mask %s", path);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		fail(errno, "mask %s", path);
	}
}

static void do_readonly_path(const struct op *o)
{
	const char *path = o->strs[0];
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return;
		fail(errno, "bind %s", path);
	}
	if (bind_remount(path, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC) < 0)
		fail(errno, "remount %s read-only", path);
}

static void do_pivot_root(const struct op *o)
{
	int oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		fail(errno, "open /");
	if (chdir(o->strs[0]) < 0)
		fail(errno, "chdir %s", o->strs[0]);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail(errno, "pivot_root %s", o->strs[0]);
	if (fchdir(oldroot) < 0)
		fail(errno, "fchdir to the old root");
	/* keep the unmount of the old root from reaching the host */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		fail(errno, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		fail(errno, "detach the old root");
	if (chdir("/") < 0)
		fail(errno, "chdir /");
	close(oldroot);
}

static void do_move_root(const struct op *o)
{
	if (chdir(o->strs[0]) < 0)
		fail(errno, "chdir %s", o->strs[0]);
	if (mount(o->strs[0], "/", NULL, MS_MOVE, NULL) < 0)
		fail(errno, "move %s onto /", o->strs[0]);
	if (chroot(".") < 0)
		fail(errno, "chroot %s", o->strs[0]);
	if (chdir("/") < 0)
		fail(errno, "chdir /");
}

static void do_write_file(const struct op *o)
{
	int fd = open(o->strs[0], O_WRONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0) {
		if (errno == ENOENT && o->ints[0])
			return;
		fail(errno, "open %s", o->strs[0]);
	}
	do {
		n = write(fd, o->strs[1], o->lens[1]);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		fail(errno, "write %s", o->strs[0]);
	if ((size_t)n != o->lens[1])
		fail(EIO, "short write to %s", o->strs[0]);
	close(fd);
}

/* Joins namespaces by path in runc's order: every path is opened first (joining
 * the mount or user namespace can make the others unreachable); namespaces the
 * runtime may join as it is come first, then the user namespace, whose root the
 * stub becomes, then those only its root may join (they are owned by it). */
static void do_setns(const struct op *o)
{
	uint32_t n = o->nints < o->nstrs ? o->nints : o->nstrs, i, pass;
	int *fds = calloc(n ? n : 1, sizeof(int));
	if (!fds)
		fail(ENOMEM, "setns");
	for (i = 0; i < n; i++) {
		fds[i] = open(o->strs[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			fail(errno, "open %s", o->strs[i]);
	}
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			int user = o->ints[i] == CLONE_NEWUSER;
			if (fds[i] < 0 || (pass == 1) != user)
				continue;
			if (setns(fds[i], (int)o->ints[i]) < 0) {
				if (errno == EPERM && pass == 0)
					continue;
				fail(errno, "setns %s", o->strs[i]);
			}
			close(fds[i]);
			fds[i] = -1;
			if (user && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
				fail(errno, "become root (0:0) in the user namespace %s", o->strs[i]);
		}
	}
	free(fds);
}

static void do_capset(const struct op *o)
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

static void do_sched_setattr(const struct op *o)
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

static void do_seccomp_load(const struct op *o)
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
		send_fd((int)fd, cur_op);
		close((int)fd);
	}
}

static void do_clone_init(const struct op *o)
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
static void passwd_home(uid_t uid, char *out, size_t n)
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
static int executable(const char *full)
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

static void do_check_exec(const struct op *o)
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

static void do_execve(const struct op *o)
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
static void do_console(const struct op *o)
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

static int setgroups_denied(void)
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
static void do_run_hook(const struct op *o)
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
		close(fd);
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
