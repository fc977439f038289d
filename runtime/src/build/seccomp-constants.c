/*
 * Build step: prints io.jsyd.runtime.seccomp.SeccompConstants from libseccomp's
 * header (action values, comparison operators, filter attributes, the layout of
 * struct scmp_arg_cmp) and the kernel's seccomp header (filter flags, return
 * actions, the user-notification ioctls and structs), so Java copies no number.
 * Usage: seccomp-constants OUT_DIR   (writes OUT_DIR/SeccompConstants.java)
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

/* Linux 6.6 (the supervisor asks for synchronous wake-ups); older headers lack
 * them, so they are spelled here as the kernel's uapi header spells them. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static FILE *out;

#define C(name) fprintf(out, "    public static final long %s = %lldL;\n", #name, (long long)(name))
#define U(name) fprintf(out, "    public static final long %s = 0x%llxL;\n", #name, (unsigned long long)(name))
#define N(name, value) fprintf(out, "    public static final long %s = %lldL;\n", name, (long long)(value))
#define I(name, value) fprintf(out, "    public static final int %s = %zu;\n", name, (size_t)(value))

int main(int argc, char **argv)
{
	char path[4096];
	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/SeccompConstants.java", argv[1]);
	if (!(out = fopen(path, "w")))
		return perror(path), 1;
	fprintf(out, "package io.jsyd.runtime.seccomp;\n\n"
		     "// Generated at build time from seccomp.h and linux/seccomp.h by src/build/seccomp-constants.c.\n\n"
		     "/** libseccomp's and the kernel's seccomp constants and layouts, from the build machine's headers. */\n"
		     "public final class SeccompConstants {\n    private SeccompConstants() {\n    }\n\n");
	/* libseccomp: rule actions (ERRNO and TRACE carry their data in the low 16 bits) */
	U(SCMP_ACT_KILL_PROCESS); U(SCMP_ACT_KILL_THREAD); U(SCMP_ACT_TRAP); U(SCMP_ACT_NOTIFY);
	U(SCMP_ACT_LOG); U(SCMP_ACT_ALLOW);
	N("SCMP_ACT_ERRNO_BASE", SCMP_ACT_ERRNO(0)); N("SCMP_ACT_TRACE_BASE", SCMP_ACT_TRACE(0));
	N("SCMP_ACT_DATA_MASK", SCMP_ACT_ERRNO(0xffff) ^ SCMP_ACT_ERRNO(0));
	N("NR_SCMP_ERROR", __NR_SCMP_ERROR);
	/* libseccomp: comparison operators */
	C(SCMP_CMP_NE); C(SCMP_CMP_LT); C(SCMP_CMP_LE); C(SCMP_CMP_EQ); C(SCMP_CMP_GE); C(SCMP_CMP_GT);
	C(SCMP_CMP_MASKED_EQ);
	/* libseccomp: filter attributes */
	C(SCMP_FLTATR_ACT_DEFAULT); C(SCMP_FLTATR_ACT_BADARCH); C(SCMP_FLTATR_CTL_NNP); C(SCMP_FLTATR_CTL_TSYNC);
	C(SCMP_FLTATR_CTL_LOG); C(SCMP_FLTATR_CTL_SSB); C(SCMP_FLTATR_CTL_OPTIMIZE); C(SCMP_FLTATR_API_SYSRAWRC);
	/* libseccomp: struct scmp_arg_cmp and struct scmp_version */
	I("SIZEOF_SCMP_ARG_CMP", sizeof(struct scmp_arg_cmp));
	I("SCMP_ARG_CMP_ARG", offsetof(struct scmp_arg_cmp, arg));
	I("SCMP_ARG_CMP_OP", offsetof(struct scmp_arg_cmp, op));
	I("SCMP_ARG_CMP_DATUM_A", offsetof(struct scmp_arg_cmp, datum_a));
	I("SCMP_ARG_CMP_DATUM_B", offsetof(struct scmp_arg_cmp, datum_b));
	I("SCMP_VERSION_MAJOR", offsetof(struct scmp_version, major));
	I("SCMP_VERSION_MINOR", offsetof(struct scmp_version, minor));
	I("SCMP_VERSION_MICRO", offsetof(struct scmp_version, micro));
	/* kernel: the seccomp(2) call */
	N("NR_SECCOMP", SYS_seccomp);
	C(SECCOMP_SET_MODE_FILTER); C(SECCOMP_GET_ACTION_AVAIL); C(SECCOMP_GET_NOTIF_SIZES);
	C(SECCOMP_FILTER_FLAG_TSYNC); C(SECCOMP_FILTER_FLAG_LOG); C(SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	C(SECCOMP_FILTER_FLAG_NEW_LISTENER); C(SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
	C(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	U(SECCOMP_RET_KILL_PROCESS); U(SECCOMP_RET_KILL_THREAD); U(SECCOMP_RET_TRAP); U(SECCOMP_RET_ERRNO);
	U(SECCOMP_RET_USER_NOTIF); U(SECCOMP_RET_TRACE); U(SECCOMP_RET_LOG); U(SECCOMP_RET_ALLOW);
	I("SIZEOF_SOCK_FILTER", sizeof(struct sock_filter));
	I("BPF_MAXINSNS", BPF_MAXINSNS);
	/* kernel: user notification (the listener fd) */
	U(SECCOMP_IOCTL_NOTIF_RECV); U(SECCOMP_IOCTL_NOTIF_SEND); U(SECCOMP_IOCTL_NOTIF_ID_VALID);
	U(SECCOMP_IOCTL_NOTIF_SET_FLAGS); U(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	C(SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	/* the supervisor opens files for the caller and installs them in its fd table */
	U(SECCOMP_IOCTL_NOTIF_ADDFD); C(SECCOMP_ADDFD_FLAG_SEND); C(SECCOMP_ADDFD_FLAG_SETFD);
	I("SIZEOF_SECCOMP_NOTIF_ADDFD", sizeof(struct seccomp_notif_addfd));
	I("SECCOMP_NOTIF_ADDFD_ID", offsetof(struct seccomp_notif_addfd, id));
	I("SECCOMP_NOTIF_ADDFD_FLAGS", offsetof(struct seccomp_notif_addfd, flags));
	I("SECCOMP_NOTIF_ADDFD_SRCFD", offsetof(struct seccomp_notif_addfd, srcfd));
	I("SECCOMP_NOTIF_ADDFD_NEWFD", offsetof(struct seccomp_notif_addfd, newfd));
	I("SECCOMP_NOTIF_ADDFD_NEWFD_FLAGS", offsetof(struct seccomp_notif_addfd, newfd_flags));
	I("SIZEOF_SECCOMP_NOTIF", sizeof(struct seccomp_notif));
	I("SECCOMP_NOTIF_ID", offsetof(struct seccomp_notif, id));
	I("SECCOMP_NOTIF_PID", offsetof(struct seccomp_notif, pid));
	I("SECCOMP_NOTIF_FLAGS", offsetof(struct seccomp_notif, flags));
	I("SECCOMP_NOTIF_NR", offsetof(struct seccomp_notif, data) + offsetof(struct seccomp_data, nr));
	I("SECCOMP_NOTIF_ARCH", offsetof(struct seccomp_notif, data) + offsetof(struct seccomp_data, arch));
	I("SECCOMP_NOTIF_ARGS", offsetof(struct seccomp_notif, data) + offsetof(struct seccomp_data, args));
	I("SIZEOF_SECCOMP_NOTIF_RESP", sizeof(struct seccomp_notif_resp));
	I("SECCOMP_NOTIF_RESP_ID", offsetof(struct seccomp_notif_resp, id));
	I("SECCOMP_NOTIF_RESP_VAL", offsetof(struct seccomp_notif_resp, val));
	I("SECCOMP_NOTIF_RESP_ERROR", offsetof(struct seccomp_notif_resp, error));
	I("SECCOMP_NOTIF_RESP_FLAGS", offsetof(struct seccomp_notif_resp, flags));
	fprintf(out, "}\n");
	return fclose(out) != 0;
}
