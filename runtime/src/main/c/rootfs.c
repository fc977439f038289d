/*
 * The ops that build the container's root filesystem and join namespaces:
 * mounts, id-mapped mounts, device nodes, links, masked and read-only paths,
 * pivot_root, kernel files, setns.
 */
#include "jsyd-init.h"
#include <dirent.h>

/* The flags a user namespace locks on a mount it did not make: a bind remount
 * that would clear one fails with EPERM, so it keeps them, as runc does. */
unsigned long locked_flags(const char *path, unsigned long wanted)
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

int bind_remount(const char *target, unsigned long flags)
{
	if (mount(NULL, target, NULL, flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	return mount(NULL, target, NULL, locked_flags(target, flags), NULL);
}

void do_mount_in_root(const struct op *o)
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

/* Copies the tree below from (a directory fd) into to (one too): the entries
 * keep their type, mode and owner, as runc's tmpcopyup copies them. */
static void copy_tree(int from, int to, const char *at)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(from);
	if (fd < 0 || !(d = fdopendir(fd)))
		fail(errno, "tmpcopyup: read %s", at);
	while ((errno = 0, e = readdir(d))) {
		struct stat st;
		const char *n = e->d_name;
		if (!strcmp(n, ".") || !strcmp(n, ".."))
			continue;
		if (fstatat(from, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			fail(errno, "tmpcopyup: stat %s/%s", at, n);
		if (S_ISDIR(st.st_mode)) {
			int s, t;
			if (mkdirat(to, n, 0700) < 0)
				fail(errno, "tmpcopyup: mkdir %s/%s", at, n);
			s = openat(from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			t = openat(to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s < 0 || t < 0)
				fail(errno, "tmpcopyup: open %s/%s", at, n);
			copy_tree(s, t, at);
			if (fchown(t, st.st_uid, st.st_gid) < 0 || fchmod(t, st.st_mode & 07777) < 0)
				fail(errno, "tmpcopyup: chown/chmod %s/%s", at, n);
			close(s);
			close(t);
		} else if (S_ISREG(st.st_mode)) {
			char buf[65536];
			ssize_t r = 0;
			int s = openat(from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			int t = openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (s < 0 || t < 0)
				fail(errno, "tmpcopyup: open %s/%s", at, n);
			while ((r = read(s, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR)) {
				ssize_t w = 0;
				while (r > 0 && w < r) {
					ssize_t k = write(t, buf + w, (size_t)(r - w));
					if (k < 0 && errno != EINTR)
						fail(errno, "tmpcopyup: write %s/%s", at, n);
					w += k > 0 ? k : 0;
				}
			}
			if (r < 0)
				fail(errno, "tmpcopyup: read %s/%s", at, n);
			/* chmod after chown: chown clears the set-id bits */
			if (fchown(t, st.st_uid, st.st_gid) < 0 || fchmod(t, st.st_mode & 07777) < 0)
				fail(errno, "tmpcopyup: chown/chmod %s/%s", at, n);
			close(s);
			close(t);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlinkat(from, n, target, sizeof(target) - 1);
			if (len < 0)
				fail(errno, "tmpcopyup: readlink %s/%s", at, n);
			target[len] = '\0';
			if (symlinkat(target, to, n) < 0 || fchownat(to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
				fail(errno, "tmpcopyup: symlink %s/%s", at, n);
		} else {
			if (mknodat(to, n, st.st_mode, st.st_rdev) < 0 ||
			    fchownat(to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
			    fchmodat(to, n, st.st_mode & 07777, 0) < 0)
				fail(errno, "tmpcopyup: mknod %s/%s", at, n);
		}
	}
	if (errno)
		fail(errno, "tmpcopyup: read %s", at);
	closedir(d);
}

void do_copy_up_in_root(const struct op *o)
{
	/* the directory as it is before the mount hides it */
	int old = open_in_root(o->strs[1], O_RDONLY | O_DIRECTORY);
	int fresh;
	if (old < 0)
		fail(errno, "open %s", o->strs[1]);
	do_mount_in_root(o);
	fresh = open_in_root(o->strs[1], O_RDONLY | O_DIRECTORY);
	if (fresh < 0)
		fail(errno, "open %s", o->strs[1]);
	copy_tree(old, fresh, o->strs[1]);
	close(old);
	close(fresh);
}

void do_setattr_in_root(const struct op *o)
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

void write_map(pid_t pid, const char *file, const int64_t *t, int64_t n)
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
void do_userns_fd(const struct op *o)
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

void do_open_tree(const struct op *o)
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

void do_move_mount_in_root(const struct op *o)
{
	int tree = handle(o->ints[0]);
	int fd = open_in_root(o->strs[0], O_PATH);
	if (fd < 0)
		fail(errno, "open %s", o->strs[0]);
	if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(errno, "move_mount onto %s", o->strs[0]);
	close(fd);
}

void do_mkfile_in_root(const struct op *o)
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

void do_mknod_in_root(const struct op *o)
{
	const char *name;
	int dir = dirfd_of(open_parent_in_root(o->strs[0], &name, 0755), o->strs[0]);
	dev_t dev = makedev((unsigned)o->ints[1], (unsigned)o->ints[2]);
	mode_t old = umask(0); /* the plan's mode is the node's mode, as runc makes it */
	int rc = mknodat(dir, name, (mode_t)o->ints[0], dev);
	umask(old);
	if (rc < 0) {
		struct stat st;
		if (errno != EEXIST)
			fail(errno, "mknod %s", o->strs[0]);
		/* config-linux.md: a file already there that is not the requested
		 * device is an error, never silently kept */
		if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			fail(errno, "stat %s", o->strs[0]);
		if ((st.st_mode & S_IFMT) != ((mode_t)o->ints[0] & S_IFMT) ||
		    (!S_ISFIFO(st.st_mode) && st.st_rdev != dev))
			fail(EEXIST, "%s exists and is not the requested device", o->strs[0]);
	} else if (fchownat(dir, name, (uid_t)o->ints[3], (gid_t)o->ints[4], AT_SYMLINK_NOFOLLOW) < 0) {
		fail(errno, "chown %s", o->strs[0]);
	}
	close(dir);
}

void do_symlink_in_root(const struct op *o)
{
	const char *name;
	int dir = dirfd_of(open_parent_in_root(o->strs[1], &name, 0755), o->strs[1]);
	if (symlinkat(o->strs[0], dir, name) < 0 && errno != EEXIST)
		fail(errno, "symlink %s -> %s", o->strs[1], o->strs[0]);
	close(dir);
}

void do_mask_path(const struct op *o)
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

void do_readonly_path(const struct op *o)
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

void do_pivot_root(const struct op *o)
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

void do_move_root(const struct op *o)
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

void do_chroot(const struct op *o)
{
	if (chdir(o->strs[0]) < 0)
		fail(errno, "chdir %s", o->strs[0]);
	if (chroot(".") < 0)
		fail(errno, "chroot %s", o->strs[0]);
	if (chdir("/") < 0)
		fail(errno, "chdir /");
}

void do_write_file(const struct op *o)
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
void do_setns(const struct op *o)
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

