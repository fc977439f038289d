/*
 * Benchmark partner of SeccompCompileBenchmark: builds the same program with the
 * same libseccomp as the Java compiler does (init, no NNP attribute, the extra
 * architectures, the binary tree above 32 rules, one rule per syscall name
 * resolved each time, the export through a memfd read back), ITERATIONS times,
 * and prints the mean nanoseconds per compile.
 *
 *   seccomp-compile-bench PROGRAM_FILE ITERATIONS
 *
 * PROGRAM_FILE: "default ACTION", "arch NAME" lines, then one "rule ACTION NAME
 * N [INDEX OP A B]..." line per rule (numbers in decimal, ACTION as SCMP_ACT_*).
 */
#define _GNU_SOURCE
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct rule {
	uint32_t action;
	char name[64];
	unsigned n;
	struct scmp_arg_cmp args[6];
};

static uint32_t def_action;
static char archs[16][32];
static int narchs;
static struct rule *rules;
static int nrules;

static void load(const char *path)
{
	FILE *f = fopen(path, "r");
	char kind[16];
	if (!f)
		perror(path), exit(2);
	while (fscanf(f, "%15s", kind) == 1) {
		if (!strcmp(kind, "default")) {
			if (fscanf(f, "%u", &def_action) != 1)
				exit(3);
		} else if (!strcmp(kind, "arch")) {
			if (fscanf(f, "%31s", archs[narchs++]) != 1)
				exit(3);
		} else {
			struct rule *r;
			unsigned i;
			rules = realloc(rules, sizeof(*rules) * (nrules + 1));
			r = &rules[nrules++];
			memset(r, 0, sizeof(*r));
			if (fscanf(f, "%u %63s %u", &r->action, r->name, &r->n) != 3 || r->n > 6)
				exit(3);
			for (i = 0; i < r->n; i++) {
				unsigned idx, op;
				unsigned long long a, b;
				if (fscanf(f, "%u %u %llu %llu", &idx, &op, &a, &b) != 4)
					exit(3);
				r->args[i].arg = idx;
				r->args[i].op = (enum scmp_compare)op;
				r->args[i].datum_a = a;
				r->args[i].datum_b = b;
			}
		}
	}
	fclose(f);
}

static size_t compile_once(void)
{
	scmp_filter_ctx ctx = seccomp_init(def_action);
	int i, fd;
	off_t size;
	char *buf;
	if (!ctx)
		exit(4);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (i = 0; i < narchs; i++) {
		uint32_t token = seccomp_arch_resolve_name(archs[i]);
		if (seccomp_arch_exist(ctx, token) != 0 && seccomp_arch_add(ctx, token) != 0)
			exit(5);
	}
	if (nrules > 32)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (i = 0; i < nrules; i++) {
		int nr;
		if (rules[i].action == def_action)
			continue;
		nr = seccomp_syscall_resolve_name(rules[i].name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add_array(ctx, rules[i].action, nr, rules[i].n, rules[i].args) != 0)
			exit(6);
	}
	fd = memfd_create("bench-bpf", MFD_CLOEXEC);
	if (fd < 0 || seccomp_export_bpf(ctx, fd) != 0)
		exit(7);
	size = lseek(fd, 0, SEEK_END);
	buf = malloc((size_t)size);
	if (pread(fd, buf, (size_t)size, 0) != size)
		exit(8);
	free(buf);
	close(fd);
	seccomp_release(ctx);
	return (size_t)size;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	long n, i;
	size_t bytes = 0;
	if (argc != 3)
		return 2;
	load(argv[1]);
	n = atol(argv[2]);
	for (i = 0; i < n / 5 + 1; i++)
		bytes = compile_once();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		compile_once();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f ns/op %zu bytes\n",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)n, bytes);
	return 0;
}
