/*
 * The init stub's shared declarations: the protocol and op enums (from the .def
 * files), the plan op, the stub's state, and the helpers each part uses.
 */
#ifndef JSYD_INIT_H
#define JSYD_INIT_H

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

extern int sync_fd;
extern int root_fd;
extern int handles[1024];
extern int nhandles;
extern int step;
extern pid_t host_pid;
extern int cur_op;
extern int start_fd;

int open_in_root_mode(const char *path, int flags, mode_t mode);
int open_in_root(const char *path, int flags);
void fdpath(char *out, size_t n, int fd);
int open_parent_in_root(const char *path, const char **name, mode_t mode);
int mkdirs_in_root(const char *path, mode_t mode);
const char *opt(const struct op *o, uint32_t i);
int add_handle(int fd);
int handle(int64_t i);
int dirfd_of(int pathfd, const char *what);
unsigned long locked_flags(const char *path, unsigned long wanted);
int bind_remount(const char *target, unsigned long flags);
void do_mount_in_root(const struct op *o);
void do_copy_up_in_root(const struct op *o);
void do_setattr_in_root(const struct op *o);
void write_map(pid_t pid, const char *file, const int64_t *t, int64_t n);
void do_userns_fd(const struct op *o);
void do_open_tree(const struct op *o);
void do_move_mount_in_root(const struct op *o);
void do_mkfile_in_root(const struct op *o);
void do_mknod_in_root(const struct op *o);
void do_symlink_in_root(const struct op *o);
void do_mask_path(const struct op *o);
void do_readonly_path(const struct op *o);
void do_pivot_root(const struct op *o);
void do_move_root(const struct op *o);
void do_chroot(const struct op *o);
void do_write_file(const struct op *o);
void do_setns(const struct op *o);
void do_capset(const struct op *o);
void do_sched_setattr(const struct op *o);
void do_seccomp_load(const struct op *o);
void do_clone_init(const struct op *o);
void passwd_home(uid_t uid, char *out, size_t n);
int executable(const char *full);
void do_check_exec(const struct op *o);
void do_execve(const struct op *o);
void do_console(const struct op *o);
void do_join_session_keyring(const struct op *o);
int setgroups_denied(void);
void do_run_hook(const struct op *o);
void do_landlock_ruleset(const struct op *o);
void do_landlock_path(const struct op *o);
void do_landlock_ports(const struct op *o);
void do_landlock_restrict(const struct op *o);
void send_msg(uint32_t type, int err, int64_t value, const char *text);
__attribute__((noreturn, format(printf, 2, 3)))
void fail(int err, const char *fmt, ...);
void wait_ack(void);
void send_fd(int fd, int64_t value);

#endif
