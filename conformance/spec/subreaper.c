/*
 * subreaper CMD [ARG...]: runs CMD as a child subreaper. The runtimes' create
 * leaves the container init without its parent; on this host PID 1 does not
 * reap orphans, so each worker of the suite adopts and reaps them itself.
 * Exits with CMD's status once CMD has exited and no adopted child is left
 * (it gives the leftovers a few seconds: the suite deletes them with --force).
 * SIGTERM, SIGINT and SIGHUP are passed on to CMD, which cleans up and exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: subreaper CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
		perror("prctl(PR_SET_CHILD_SUBREAPER)");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "subreaper: exec %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pass_on;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	int result = 0;
	time_t deadline = 0;
	for (;;) {
		int s;
		pid_t p = waitpid(-1, &s, deadline ? WNOHANG : 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0)
			break; /* ECHILD: nobody left */
		if (p == child) {
			result = WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s);
			deadline = time(NULL) + 5;
		}
		if (p == 0) {
			if (time(NULL) >= deadline)
				break;
			usleep(100 * 1000);
		}
	}
	return result;
}
