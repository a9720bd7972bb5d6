/* SPDX-License-Identifier: ISC */
/*
 * dns_resolvconf.c: a link's DNS through resolvconf(8), for systems
 * without systemd-resolved (Debian's resolvconf and openresolv take the
 * same -a/-d IFACE).  resolvconf is looked up in PATH, started with
 * posix_spawn, given its input in a memfd (so a resolvconf that does not
 * read cannot block us), and killed after DNS_EXEC_TIMEOUT_MS.
 */
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns.h"
#include "dns_int.h"
#include "log.h"

#define RESOLVCONF "resolvconf"
#define DEFAULT_PATH                                                           \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define RESOLVCONF_TEXT_MAX (DNS_MAX_SERVERS * 64 + DNS_MAX_DOMAINS * 256 + 16)

extern char **environ;

/* The first executable PATH/resolvconf into buf; -ENOENT: none. */
static int
find_resolvconf(char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;

	if (path == NULL || *path == '\0')
		path = DEFAULT_PATH;
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		size_t n;
		int w;

		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0 || *p != '/')
			continue; /* "" or relative: not for a daemon */
		w = snprintf(buf, len, "%.*s/" RESOLVCONF, (int)n, p);
		if (w > 0 && (size_t)w < len && access(buf, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* A memfd holding text, at offset 0. */
static int
memfd_with(const char *text, size_t len)
{
	int fd = memfd_create("p2s-resolvconf", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		int r = errno != 0 ? -errno : -EIO;

		(void)close(fd);
		return r;
	}
	return fd;
}

/* Wait for pid at most DNS_EXEC_TIMEOUT_MS; kill it after that. */
static int
wait_bounded(pid_t pid, const char *prog)
{
	int pfd = (int)pidfd_open(pid, 0), status = 0;
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	int n = 0;

	if (pfd >= 0) {
		do
			n = poll(&p, 1, DNS_EXEC_TIMEOUT_MS);
		while (n < 0 && errno == EINTR);
		(void)close(pfd);
	}
	if (pfd >= 0 && n == 0) {
		log_err("dns: %s did not finish in %d ms; killed", prog,
		    DNS_EXEC_TIMEOUT_MS);
		(void)kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		log_err(
		    "dns: %s exited with status %d", prog, WEXITSTATUS(status));
	else
		log_err("dns: %s was killed by signal %d", prog,
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -ECHILD;
}

/* resolvconf OP IFACE, stdin from text (NULL: /dev/null). */
static int
run(const char *op, const char *ifname, const char *text, size_t len)
{
	char prog[PATH_MAX], *argv[4];
	posix_spawn_file_actions_t fa;
	int in = -1, r;
	pid_t pid;

	r = find_resolvconf(prog, sizeof(prog));
	if (r < 0)
		return r;
	in = text != NULL ? memfd_with(text, len) : -1;
	if (text != NULL && in < 0) {
		log_errno(in, "dns: cannot hand resolvconf its input");
		return in;
	}
	argv[0] = (char *)RESOLVCONF;
	argv[1] = (char *)op;
	argv[2] = (char *)ifname;
	argv[3] = NULL;
	r = -posix_spawn_file_actions_init(&fa);
	if (r == 0) {
		if (in >= 0)
			r = -posix_spawn_file_actions_adddup2(&fa, in, 0);
		else
			r = -posix_spawn_file_actions_addopen(
			    &fa, 0, "/dev/null", O_RDONLY, 0);
		if (r == 0)
			r = -posix_spawn_file_actions_addclosefrom_np(&fa, 3);
		if (r == 0)
			r = -posix_spawn(&pid, prog, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (in >= 0)
		(void)close(in);
	if (r < 0) {
		log_errno(r, "dns: cannot run %s", prog);
		return r;
	}
	log_debug("dns: %s %s %s (pid %d)", prog, op, ifname, (int)pid);
	return wait_bounded(pid, prog);
}

int
dns_resolvconf_apply(const char *ifname, const struct dns_config *cfg)
{
	char *text = malloc(RESOLVCONF_TEXT_MAX);
	int n, r;

	if (text == NULL)
		return -ENOMEM;
	n = dns_resolvconf_text(cfg, text, RESOLVCONF_TEXT_MAX);
	r = n < 0 ? n : run("-a", ifname, text, (size_t)n);
	free(text);
	return r;
}

int
dns_resolvconf_revert(const char *ifname)
{
	int r = run("-d", ifname, NULL, 0);

	if (r == -ENOENT)
		log_warn("dns: resolvconf is gone from PATH; %s's servers stay "
			 "in resolv.conf",
		    ifname);
	return r;
}
