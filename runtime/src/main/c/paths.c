/*
 * Paths below the container root, resolved so that no symlink leads out of it,
 * and the fds that ops keep for later ops.
 */
#include "jsyd-init.h"

int open_in_root_mode(const char *path, int flags, mode_t mode)
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

int open_in_root(const char *path, int flags)
{
	return open_in_root_mode(path, flags, 0);
}

void fdpath(char *out, size_t n, int fd)
{
	snprintf(out, n, "/proc/self/fd/%d", fd);
}

int open_parent_in_root(const char *path, const char **name, mode_t mode)
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
int mkdirs_in_root(const char *path, mode_t mode)
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

const char *opt(const struct op *o, uint32_t i)
{
	return o->strs[i][0] ? o->strs[i] : NULL;
}


int add_handle(int fd)
{
	if (nhandles >= (int)(sizeof(handles) / sizeof(handles[0])))
		fail(EMFILE, "too many handles");
	handles[nhandles] = fd;
	return nhandles++;
}

int handle(int64_t i)
{
	if (i < 0 || i >= nhandles)
		fail(EBADF, "handle %lld", (long long)i);
	return handles[i];
}


int dirfd_of(int pathfd, const char *what)
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

