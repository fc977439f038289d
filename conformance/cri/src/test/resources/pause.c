/* The pod's sandbox (pause) process of the CRI test's locally built image: it
 * holds the pod's namespaces and waits; SIGTERM or SIGINT ends it at once. */
#include <signal.h>
#include <unistd.h>

static void quit(int sig)
{
	(void)sig;
	_exit(0);
}

int main(void)
{
	signal(SIGTERM, quit);
	signal(SIGINT, quit);
	for (;;)
		pause();
}
