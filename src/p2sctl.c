/* SPDX-License-Identifier: ISC */
/*
 * p2sctl.c: the tool for everything but running the tunnel (design.md
 * section 2).  Dispatches to the command groups in ctl_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "p2sctl.h"

static void
usage(FILE *f)
{
	(void)fprintf(f, "usage: p2sctl COMMAND ...\n");
	p2sctl_import_usage(f);
	p2sctl_cert_usage(f);
	p2sctl_status_usage(f);
}

int
main(int argc, char **argv)
{
	/* Errors the libraries report (the cert loaders) read as ours. */
	log_init("p2sctl", LOG_TARGET_STDERR, LOG_INFO);
	if (argc < 2) {
		usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "import") == 0)
		return p2sctl_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "cert") == 0)
		return p2sctl_cert(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return p2sctl_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "up") == 0)
		return p2sctl_up(argc - 1, argv + 1);
	if (strcmp(argv[1], "down") == 0)
		return p2sctl_down(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return P2SCTL_EXIT_OK;
	}
	(void)fprintf(stderr, "p2sctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return P2SCTL_EXIT_USAGE;
}
