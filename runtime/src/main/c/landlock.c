/*
 * Landlock ops: a ruleset, path-beneath and net-port rules, restrict_self. Java
 * chose every right and what a missing path means; this file only makes the calls.
 * The structs are laid out here because Debian 12's headers stop at ABI 2; the
 * kernel takes a ruleset_attr of this (ABI 6) size from older kernels' point of
 * view too, as long as the fields they do not know are zero.
 */
#include "jsyd-init.h"

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

enum { LL_RULE_PATH_BENEATH = 1, LL_RULE_NET_PORT = 2 };

static int ruleset_fd = -1;

void do_landlock_ruleset(const struct op *o)
{
	struct ll_ruleset_attr attr = {
		.handled_access_fs = (uint64_t)o->ints[0],
		.handled_access_net = (uint64_t)o->ints[1],
		.scoped = (uint64_t)o->ints[2],
	};
	int fd;
	if (ruleset_fd >= 0)
		fail(EPROTO, "landlock: a ruleset is already open");
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		fail(errno, "landlock_create_ruleset fs=%#llx net=%#llx scoped=%#llx",
		     (unsigned long long)attr.handled_access_fs, (unsigned long long)attr.handled_access_net,
		     (unsigned long long)attr.scoped);
	ruleset_fd = fd;
}

static void need_ruleset(void)
{
	if (ruleset_fd < 0)
		fail(EPROTO, "landlock: no ruleset (LANDLOCK_RULESET comes first)");
}

void do_landlock_path(const struct op *o)
{
	struct ll_path_beneath_attr attr;
	struct stat st;
	uint64_t access;
	int skip = o->ints[2] != 0;
	int fd;

	need_ruleset();
	if (o->ints[3] >= 0) {
		fd = handle(o->ints[3]);
	} else {
		/* after the pivot "/" is the container's root: its symlinks cannot lead out */
		fd = open(o->strs[0], O_PATH | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT && skip) {
				send_msg(MSG_NOTE, errno, 0, o->strs[0]);
				return;
			}
			fail(errno, "landlock: open %s", o->strs[0]);
		}
	}
	if (fstat(fd, &st) < 0)
		fail(errno, "landlock: fstat %s", o->strs[0]);
	access = (uint64_t)(S_ISDIR(st.st_mode) ? o->ints[0] : o->ints[1]);
	if (access == 0) {
		/* only directory rights on a file: nothing the kernel would take */
		if (!skip)
			fail(ENOTDIR, "landlock: %s is not a directory", o->strs[0]);
		send_msg(MSG_NOTE, ENOTDIR, 0, o->strs[0]);
	} else {
		attr.allowed_access = access;
		attr.parent_fd = fd;
		if (syscall(SYS_landlock_add_rule, ruleset_fd, LL_RULE_PATH_BENEATH, &attr, 0) < 0)
			fail(errno, "landlock_add_rule %s %#llx", o->strs[0], (unsigned long long)access);
	}
	if (o->ints[3] < 0)
		close(fd);
}

void do_landlock_ports(const struct op *o)
{
	struct ll_net_port_attr attr = { .allowed_access = (uint64_t)o->ints[0] };
	int64_t p;

	need_ruleset();
	if (o->ints[1] < 0 || o->ints[2] > 65535 || o->ints[1] > o->ints[2])
		fail(EINVAL, "landlock: ports %lld-%lld", (long long)o->ints[1], (long long)o->ints[2]);
	for (p = o->ints[1]; p <= o->ints[2]; p++) {
		attr.port = (uint64_t)p;
		if (syscall(SYS_landlock_add_rule, ruleset_fd, LL_RULE_NET_PORT, &attr, 0) < 0)
			fail(errno, "landlock_add_rule port %lld", (long long)p);
	}
}

void do_landlock_restrict(const struct op *o)
{
	need_ruleset();
	if (syscall(SYS_landlock_restrict_self, ruleset_fd, (uint32_t)o->ints[0]) < 0)
		fail(errno, "landlock_restrict_self");
	close(ruleset_fd);
	ruleset_fd = -1;
}
