/* SPDX-License-Identifier: ISC */
/*
 * p2sd.c: the daemon's command line (design.md section 2).
 *
 *   p2sd [--foreground] [--dir DIR] NAME       run DIR/NAME.yaml
 *   p2sd [--foreground] --profile FILE         run the profile in FILE
 *   p2sd --check --profile FILE                validate and exit
 *
 * Exit status: 0 success, 1 failure at run time (one line on stderr),
 * 2 usage error.
 */
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "creds.h"
#include "daemon.h"
#include "log.h"

#define P2S_CONF_DIR SYSCONFDIR "/p2s"

struct args {
	const char *dir;     /* --dir, default /etc/p2s */
	const char *profile; /* --profile FILE */
	const char *name;    /* NAME */
	bool foreground;
	bool check;
	bool verbose;
};

static void
usage(FILE *f)
{
	(void)fprintf(f,
	    "usage: p2sd [--foreground] [--dir DIR] [--verbose] NAME\n"
	    "       p2sd [--foreground] [--verbose] --profile FILE\n"
	    "       p2sd --check --profile FILE\n");
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "dir", required_argument, NULL, 'd' },
		{ "profile", required_argument, NULL, 'p' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct args){ .dir = P2S_CONF_DIR };
	while ((c = getopt_long(argc, argv, "fd:p:nvh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->foreground = true;
			break;
		case 'd':
			a->dir = optarg;
			break;
		case 'p':
			a->profile = optarg;
			break;
		case 'n':
			a->check = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc)
		a->name = argv[optind++];
	/* Exactly one of NAME and --profile; --check needs --profile. */
	if (optind != argc || (a->name == NULL) == (a->profile == NULL) ||
	    (a->check && a->profile == NULL))
		return -1;
	return 0;
}

/* The profile's file: FILE, or DIR/NAME.yaml. */
static char *
profile_path(const struct args *a)
{
	char *path;

	if (a->profile != NULL)
		return strdup(a->profile);
	if (strchr(a->name, '/') != NULL || a->name[0] == '.')
		return NULL;
	if (asprintf(&path, "%s/%s.yaml", a->dir, a->name) < 0)
		return NULL;
	return path;
}

static int
load(const char *path, struct conf **ret)
{
	struct conf_err err;

	if (conf_load(path, ret, &err) < 0 ||
	    conf_check_files(*ret, &err) < 0) {
		(void)fprintf(stderr, "p2sd: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* --check: the profile and every credential it names. */
static int
check(struct conf *conf)
{
	char err[CREDS_ERR_LEN];
	struct creds *cr;

	if (creds_load(conf, &cr, err, sizeof(err)) < 0) {
		if (err[0] != '\0') /* else the cert module said it */
			(void)fprintf(
			    stderr, "p2sd: %s: %s\n", conf->path, err);
		conf_free(conf);
		return 1;
	}
	(void)printf("%s: profile %s is valid: gateway %s, identity %s\n",
	    conf->path, conf->name, conf->gateway.host, cr->id);
	creds_free(cr);
	conf_free(conf);
	return 0;
}

/* Detach from the terminal; the journal (or syslog) gets the logs. */
static int
daemonize(void)
{
	int fd;

	if (daemon(0, 1) == -1)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd == -1)
		return -errno;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		(void)close(fd);
	return 0;
}

/* Under systemd stderr is the journal: send structured fields. */
static enum log_target
log_target_for(void)
{
	return getenv("JOURNAL_STREAM") != NULL ? LOG_TARGET_JOURNAL
						: LOG_TARGET_STDERR;
}

int
main(int argc, char **argv)
{
	struct conf *conf = NULL;
	struct p2sd *d = NULL;
	struct args a;
	char *path;
	int r;

	if (parse_args(argc, argv, &a) < 0) {
		usage(stderr);
		return 2;
	}
	path = profile_path(&a);
	if (path == NULL) {
		(void)fprintf(stderr, "p2sd: bad profile name\n");
		return 2;
	}
	r = load(path, &conf);
	free(path);
	if (r < 0)
		return 1;
	/* The cert module reports a file it cannot use itself: as p2sd. */
	log_init("p2sd", LOG_TARGET_STDERR, LOG_INFO);
	if (a.check)
		return check(conf);
	/* Keys live in this process: no core dumps, no ptrace by peers. */
	(void)prctl(PR_SET_DUMPABLE, 0);
	log_init("p2sd", log_target_for(), a.verbose ? LOG_DEBUG : LOG_INFO);
	if (p2sd_new(conf, &d) < 0) {
		conf_free(conf);
		return 1;
	}
	if (!a.foreground) {
		if (daemonize() < 0) {
			p2sd_free(d);
			return 1;
		}
		log_init("p2sd", LOG_TARGET_JOURNAL,
		    a.verbose ? LOG_DEBUG : LOG_INFO);
	}
	r = p2sd_run(d);
	p2sd_free(d);
	log_info("exiting with status %d", r);
	return r;
}
