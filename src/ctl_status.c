/* SPDX-License-Identifier: ISC */
/*
 * ctl_status.c: `p2sctl status`, `p2sctl up` and `p2sctl down`, the
 * commands that talk to a running p2sd over its control socket (ctl.h,
 * design.md section 2):
 *
 *   status [NAME] [--json]   NAME's status, or of every p2sd that answers
 *                            in $RUNTIME; --json: one object a line
 *   up NAME                  ask p2sd to connect
 *   down NAME                ask p2sd to disconnect (it keeps running)
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "p2sctl.h"

#define PATH_LEN 108 /* sun_path */

void
p2sctl_status_usage(FILE *f)
{
	(void)fprintf(f,
	    "       p2sctl status [NAME] [--json]\n"
	    "       p2sctl up NAME\n"
	    "       p2sctl down NAME\n");
}

static bool
not_running(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED;
}

/*
 * One call to NAME's daemon: 0 and the reply, or a negative errno with the
 * reason printed (not for a daemon that is not there, when quiet).
 */
static int
call(
    const char *name, enum ctl_cmd cmd, bool quiet, char **ret, size_t *ret_len)
{
	char path[PATH_LEN];
	int r;

	r = ctl_path(name, ".sock", path, sizeof(path));
	if (r < 0) {
		(void)fprintf(
		    stderr, "p2sctl: '%s' is not a profile name\n", name);
		return -EINVAL;
	}
	r = ctl_call(path, cmd, CTL_CALL_TIMEOUT_MS, ret, ret_len);
	if (r == 0 || (not_running(r) && quiet))
		return r;
	if (not_running(r))
		(void)fprintf(stderr,
		    "p2sctl: p2sd for %s is not running "
		    "(systemctl start p2sd@%s)\n",
		    name, name);
	else
		(void)fprintf(stderr, "p2sctl: %s %s: %s: %s\n",
		    ctl_cmd_name(cmd), name, path, strerror(-r));
	return r;
}

static int
exit_status(int r)
{
	return r == 0	   ? P2SCTL_EXIT_OK
	    : r == -EINVAL ? P2SCTL_EXIT_USAGE
			   : P2SCTL_EXIT_FAIL;
}

/* The daemon's reply, which may carry its reason for saying no. */
static int
reply_check(const char *name, enum ctl_cmd cmd, const char *reply, size_t len,
    struct ctl_status *ret_status, char **ret_json)
{
	struct rd in = { .p = (const uint8_t *)reply, .len = len };
	char err[CTL_ERROR_LEN];
	int r;

	r = ctl_reply_parse(&in, ret_status, ret_json, err, sizeof(err));
	if (r == 0)
		return P2SCTL_EXIT_OK;
	if (r == -EREMOTEIO)
		(void)fprintf(stderr, "p2sctl: %s %s: p2sd says: %s\n",
		    ctl_cmd_name(cmd), name, err);
	else
		(void)fprintf(stderr, "p2sctl: %s %s: %s\n", ctl_cmd_name(cmd),
		    name, err);
	return P2SCTL_EXIT_FAIL;
}

/* NAME's status on stdout; *shown counts the profiles printed. */
static int
status_one(const char *name, bool json, bool quiet, size_t *shown)
{
	struct ctl_status st;
	char *reply, *line = NULL;
	size_t len;
	int r, rc;

	r = call(name, CTL_CMD_STATUS, quiet, &reply, &len);
	if (r < 0)
		return not_running(r) && quiet ? P2SCTL_EXIT_OK
					       : exit_status(r);
	rc = reply_check(
	    name, CTL_CMD_STATUS, reply, len, &st, json ? &line : NULL);
	free(reply);
	if (rc != P2SCTL_EXIT_OK)
		return rc;
	if (json) {
		(void)printf("%s\n", line);
	} else {
		if (*shown > 0)
			(void)putchar('\n');
		ctl_status_print(stdout, &st, (int64_t)time(NULL));
	}
	(*shown)++;
	free(line);
	ctl_status_done(&st);
	return P2SCTL_EXIT_OK;
}

/* NAME.sock, for a NAME that is a profile name. */
static int
is_sock(const struct dirent *d)
{
	size_t len = strlen(d->d_name);
	char name[CTL_NAME_LEN];

	if (len <= 5 || len - 5 >= sizeof(name) ||
	    strcmp(d->d_name + len - 5, ".sock") != 0)
		return 0;
	memcpy(name, d->d_name, len - 5);
	name[len - 5] = '\0';
	return ctl_name_valid(name);
}

/* Every profile whose p2sd answers, in name order; sockets left by a
 * p2sd that is gone are passed over. */
static int
status_all(bool json)
{
	const char *dir = ctl_runtime_dir();
	struct dirent **v;
	size_t shown = 0;
	int n, rc = P2SCTL_EXIT_OK;

	n = scandir(dir, &v, is_sock, alphasort);
	if (n < 0) {
		if (errno == ENOENT)
			return P2SCTL_EXIT_OK;
		(void)fprintf(stderr, "p2sctl: cannot read %s: %s\n", dir,
		    strerror(errno));
		return P2SCTL_EXIT_FAIL;
	}
	for (int i = 0; i < n; i++) {
		v[i]->d_name[strlen(v[i]->d_name) - 5] = '\0';
		if (status_one(v[i]->d_name, json, true, &shown) !=
		    P2SCTL_EXIT_OK)
			rc = P2SCTL_EXIT_FAIL;
		free(v[i]);
	}
	free(v);
	return rc;
}

int
p2sctl_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	size_t shown = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j') {
			p2sctl_status_usage(stderr);
			return P2SCTL_EXIT_USAGE;
		}
		json = true;
	}
	if (argc - optind > 1) {
		p2sctl_status_usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	if (optind == argc)
		return status_all(json);
	return status_one(argv[optind], json, false, &shown);
}

static int
updown(int argc, char **argv, enum ctl_cmd cmd)
{
	char *reply;
	size_t len;
	int r, rc;

	if (argc != 2 || argv[1][0] == '-') {
		p2sctl_status_usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	r = call(argv[1], cmd, false, &reply, &len);
	if (r < 0)
		return exit_status(r);
	rc = reply_check(argv[1], cmd, reply, len, NULL, NULL);
	free(reply);
	return rc;
}

int
p2sctl_up(int argc, char **argv)
{
	return updown(argc, argv, CTL_CMD_UP);
}

int
p2sctl_down(int argc, char **argv)
{
	return updown(argc, argv, CTL_CMD_DOWN);
}
