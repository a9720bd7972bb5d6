/* SPDX-License-Identifier: ISC */
/*
 * ctl_cert.c: `p2sctl cert`, the certificate steps of Azure's P2S setup
 * for Linux (azure-p2s-facts.md 6):
 *
 *   cert root   --cn CN --out PREFIX [--days N]
 *   cert client --ca PREFIX --cn CN --out PREFIX [--days N]
 *               [--p12 --password-file FILE]
 *   cert export FILE        base64 of the DER: Azure's public cert data
 *   cert thumbprint FILE    SHA-1 of the DER, 40 lowercase hex digits
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cert.h"
#include "cert_make.h"
#include "p2sctl.h"

#define PATH_LEN 4096

struct cert_args {
	const char *cn;
	const char *out;	   /* PREFIX */
	const char *ca;		   /* PREFIX of the root (client) */
	const char *password_file; /* with --p12 */
	unsigned days;
	bool p12;
};

void
p2sctl_cert_usage(FILE *f)
{
	(void)fprintf(f,
	    "       p2sctl cert root   --cn CN --out PREFIX [--days N]\n"
	    "       p2sctl cert client --ca PREFIX --cn CN --out PREFIX "
	    "[--days N]\n"
	    "                          [--p12 --password-file FILE]\n"
	    "       p2sctl cert export FILE\n"
	    "       p2sctl cert thumbprint FILE\n");
}

static int
fail(const char *what, const char *path, int r)
{
	(void)fprintf(stderr, "p2sctl: %s %s: %s\n", what, path, strerror(-r));
	return P2SCTL_EXIT_FAIL;
}

static int
parse(int argc, char **argv, struct cert_args *a)
{
	static const struct option opts[] = {
		{ "cn", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "ca", required_argument, NULL, 'a' },
		{ "days", required_argument, NULL, 'd' },
		{ "p12", no_argument, NULL, 'p' },
		{ "password-file", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->cn = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'a':
			a->ca = optarg;
			break;
		case 'p':
			a->p12 = true;
			break;
		case 'w':
			a->password_file = optarg;
			break;
		case 'd':
			errno = 0;
			a->days = (unsigned)strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || a->days == 0 ||
			    a->days > CERT_MAKE_DAYS_MAX)
				return -1;
			break;
		default:
			return -1;
		}
	}
	return optind == argc && a->cn != NULL && a->out != NULL &&
		a->p12 == (a->password_file != NULL)
	    ? 0
	    : -1;
}

static void
path_of(char *buf, const char *prefix, const char *ext)
{
	(void)snprintf(buf, PATH_LEN, "%s%s", prefix, ext);
}

/* PREFIX.pem and PREFIX.key (0600, never over an existing key). */
static int
write_pair(const char *prefix, const struct cert *c, const struct key_ref *k)
{
	char path[PATH_LEN];
	int r;

	path_of(path, prefix, ".key");
	r = key_write_pem(k, path);
	if (r == -EEXIST) {
		(void)fprintf(stderr,
		    "p2sctl: %s exists; a key is never overwritten: remove "
		    "it, or choose another --out\n",
		    path);
		return P2SCTL_EXIT_FAIL;
	}
	if (r < 0)
		return fail("cannot write the key to", path, r);
	path_of(path, prefix, ".pem");
	r = cert_write_pem(c, path);
	if (r < 0)
		return fail("cannot write the certificate to", path, r);
	return 0;
}

static void
print_facts(const struct cert *c, const char *prefix)
{
	char tp[CERT_THUMBPRINT_LEN + 1], subject[256];
	time_t nb, na;

	if (cert_subject(c, subject, sizeof(subject)) < 0)
		(void)snprintf(subject, sizeof(subject), "?");
	(void)printf("wrote %s.pem (certificate) and %s.key (private key, "
		     "mode 0600)\n",
	    prefix, prefix);
	(void)printf("subject:    %s\n", subject);
	if (cert_validity(c, &nb, &na) == 0) {
		char when[32];

		(void)strftime(
		    when, sizeof(when), "%Y-%m-%d", gmtime(&(time_t){ na }));
		(void)printf("valid until %s\n", when);
	}
	if (cert_thumbprint(c, tp) == 0)
		(void)printf("thumbprint: %s\n", tp);
}

static int
cmd_root(int argc, char **argv)
{
	struct cert_args a = { .days = CERT_MAKE_DAYS_ROOT };
	struct cert_make_req req;
	struct cert *c = NULL;
	struct key_ref *k = NULL;
	char *b64 = NULL;
	int r;

	if (parse(argc, argv, &a) < 0 || a.ca != NULL || a.p12) {
		p2sctl_cert_usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	req = (struct cert_make_req){ .cn = a.cn, .days = a.days, .ca = true };
	r = cert_make(&req, &c, &k);
	if (r < 0)
		return fail("cannot make a root certificate for", a.cn, r);
	r = write_pair(a.out, c, k);
	if (r == 0 && cert_base64(c, &b64) == 0) {
		print_facts(c, a.out);
		(void)printf(
		    "\nIn the Azure portal, Point-to-site configuration > "
		    "Root certificates,\nadd it with this public "
		    "certificate data:\n%s\n",
		    b64);
	}
	free(b64);
	cert_free(c);
	key_free(k);
	return r == 0 ? P2SCTL_EXIT_OK : P2SCTL_EXIT_FAIL;
}

static int
load_ca(const char *prefix, struct cert **ret_c, struct key_ref **ret_k)
{
	char path[PATH_LEN];
	int r;

	/* The cert loaders say what is wrong with a file themselves
	 * (cert.h), once: no second message here. */
	path_of(path, prefix, ".pem");
	r = cert_load_file(path, ret_c);
	if (r == 0) {
		path_of(path, prefix, ".key");
		r = key_load_file(path, ret_k);
	}
	if (r < 0)
		return P2SCTL_EXIT_FAIL;
	if (cert_check_key(*ret_c, *ret_k) < 0)
		return fail("the key does not belong to the certificate", path,
		    -EKEYREJECTED);
	return 0;
}

static int
write_p12(const struct cert_args *a, const struct cert *c,
    const struct key_ref *k, const struct cert *ca)
{
	char path[PATH_LEN];
	struct buf *pw = NULL;
	int r;

	r = cert_read_password(a->password_file, &pw);
	if (r < 0)
		return P2SCTL_EXIT_FAIL; /* cert_read_password said why */
	path_of(path, a->out, ".p12");
	r = cert_write_p12(c, k, ca, (const char *)pw->p, path);
	buf_free(pw);
	if (r < 0)
		return fail("cannot write", path, r);
	(void)printf("wrote %s (PKCS#12, AES-256, mode 0600)\n", path);
	return 0;
}

static int
cmd_client(int argc, char **argv)
{
	struct cert_args a = { .days = CERT_MAKE_DAYS_CLIENT };
	struct cert *ca = NULL, *c = NULL;
	struct key_ref *cak = NULL, *k = NULL;
	struct cert_make_req req;
	int r;

	if (parse(argc, argv, &a) < 0 || a.ca == NULL) {
		p2sctl_cert_usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	r = load_ca(a.ca, &ca, &cak) == 0 ? 0 : -1;
	if (r == 0) {
		req = (struct cert_make_req){ .cn = a.cn,
			.days = a.days,
			.issuer = ca,
			.issuer_key = cak };
		r = cert_make(&req, &c, &k);
		if (r < 0)
			(void)fail(
			    "cannot make a client certificate for", a.cn, r);
	}
	if (r == 0)
		r = write_pair(a.out, c, k) == 0 ? 0 : -1;
	if (r == 0 && a.p12)
		r = write_p12(&a, c, k, ca) == 0 ? 0 : -1;
	if (r == 0) {
		print_facts(c, a.out);
		(void)printf(
		    "identity:   %s (the CN and SAN dNSName; p2s sends "
		    "it as the IKE and EAP identity)\n",
		    a.cn);
	}
	cert_free(ca);
	key_free(cak);
	cert_free(c);
	key_free(k);
	return r == 0 ? P2SCTL_EXIT_OK : P2SCTL_EXIT_FAIL;
}

/* export and thumbprint: one certificate file in, one line out. */
static int
cmd_print(int argc, char **argv, bool thumbprint)
{
	char tp[CERT_THUMBPRINT_LEN + 1], *b64 = NULL;
	struct cert *c;
	int r;

	if (argc != 2) {
		p2sctl_cert_usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	r = cert_load_file(argv[1], &c);
	if (r < 0)
		return P2SCTL_EXIT_FAIL; /* cert_load_file said why */
	r = thumbprint ? cert_thumbprint(c, tp) : cert_base64(c, &b64);
	if (r == 0)
		(void)printf("%s\n", thumbprint ? tp : b64);
	free(b64);
	cert_free(c);
	return r == 0 ? P2SCTL_EXIT_OK : fail("cannot encode", argv[1], r);
}

int
p2sctl_cert(int argc, char **argv)
{
	if (argc < 2) {
		p2sctl_cert_usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "root") == 0)
		return cmd_root(argc - 1, argv + 1);
	if (strcmp(argv[1], "client") == 0)
		return cmd_client(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return cmd_print(argc - 1, argv + 1, false);
	if (strcmp(argv[1], "thumbprint") == 0)
		return cmd_print(argc - 1, argv + 1, true);
	p2sctl_cert_usage(stderr);
	return P2SCTL_EXIT_USAGE;
}
