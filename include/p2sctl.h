/* SPDX-License-Identifier: ISC */
/*
 * p2sctl.h: the subcommands of p2sctl, one function per command group.
 * Each takes the arguments after its name and returns the exit status:
 * 0 success, 1 failure at run time (one line on stderr), 2 usage error.
 */
#ifndef P2S_P2SCTL_H
#define P2S_P2SCTL_H

#include <stdio.h>

#define P2SCTL_EXIT_OK	  0
#define P2SCTL_EXIT_FAIL  1
#define P2SCTL_EXIT_USAGE 2

int p2sctl_cert(int argc, char **argv);
void p2sctl_cert_usage(FILE *);

/* status, up and down: the control socket (ctl_status.c). */
int p2sctl_status(int argc, char **argv);
int p2sctl_up(int argc, char **argv);
int p2sctl_down(int argc, char **argv);
void p2sctl_status_usage(FILE *);

/* import: Azure's package to a profile (ctl_import.c). */
int p2sctl_import(int argc, char **argv);
void p2sctl_import_usage(FILE *);

#endif /* P2S_P2SCTL_H */
