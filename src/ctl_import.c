/* SPDX-License-Identifier: ISC */
/*
 * ctl_import.c: `p2sctl import`: Azure's VPN client package to a profile
 * (design.md sections 2 and 3).
 *
 *   p2sctl import PACKAGE.zip --name NAME
 *       (--p12 FILE [--password-file FILE] | --cert FILE --key FILE)
 *       [--dir DIR] [--force] [--auth eap-tls|pubkey]
 *
 * Everything is read and checked first: the package (azpkg.h), its
 * gateway roots, the client credentials.  Then the new profile is written
 * beside the old one (DIR/.NAME.new/ and DIR/.NAME.yaml.new), loaded back
 * with the daemon's own loader, and only then renamed into place.  A
 * failure at any step leaves DIR as it was.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "azpkg.h"
#include "buf.h"
#include "cert.h"
#include "cert_make.h"
#include "conf.h"
#include "p2sctl.h"

#define IMPORT_NAME_MAX 64 /* bytes of a profile name */
#define PATH_LEN	4096

struct import_args {
	const char *package;
	const char *name;
	const char *dir;
	const char *p12, *password_file;
	const char *cert, *key;
	const char *auth; /* "eap-tls" or "pubkey" */
	bool force;
};

/* What is about to be written: all loaded and checked. */
struct import {
	struct azpkg *pkg;   /* owned */
	struct cert **roots; /* owned: n_roots usable roots */
	size_t n_roots;
	struct cert *cert;   /* owned: the client certificate */
	struct key_ref *key; /* owned: its key */
	char *id;	     /* owned: its CN, the identity sent */
};

void
p2sctl_import_usage(FILE *f)
{
	(void)fprintf(f,
	    "       p2sctl import PACKAGE.zip --name NAME\n"
	    "              (--p12 FILE [--password-file FILE] | --cert FILE "
	    "--key FILE)\n"
	    "              [--dir DIR] [--force] [--auth eap-tls|pubkey]\n");
}

static int fail(const char *fmt, ...) P2S_PRINTF(1, 2);

static int
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)fprintf(stderr, "p2sctl: ");
	(void)vfprintf(stderr, fmt, ap);
	(void)fprintf(stderr, "\n");
	va_end(ap);
	return P2SCTL_EXIT_FAIL;
}

/* dir/name into buf (PATH_LEN); -ENAMETOOLONG when it does not fit. */
static int
path_join(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_LEN, "%s/%s", dir, name);

	return n < 0 || n >= PATH_LEN ? -ENAMETOOLONG : 0;
}

static bool
name_valid(const char *s)
{
	size_t len = strnlen(s, IMPORT_NAME_MAX + 1);

	if (len == 0 || len > IMPORT_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '-' &&
		    s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static int
parse(int argc, char **argv, struct import_args *a)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "dir", required_argument, NULL, 'd' },
		{ "p12", required_argument, NULL, 'p' },
		{ "password-file", required_argument, NULL, 'w' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "auth", required_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a =
	    (struct import_args){ .dir = SYSCONFDIR "/p2s", .auth = "eap-tls" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->name = optarg;
			break;
		case 'd':
			a->dir = optarg;
			break;
		case 'p':
			a->p12 = optarg;
			break;
		case 'w':
			a->password_file = optarg;
			break;
		case 'c':
			a->cert = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'a':
			a->auth = optarg;
			break;
		case 'f':
			a->force = true;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc - 1 || a->name == NULL)
		return -1;
	a->package = argv[optind];
	/* Exactly one kind of credential; a password only for a p12. */
	if ((a->p12 != NULL) == (a->cert != NULL || a->key != NULL) ||
	    (a->cert != NULL) != (a->key != NULL) ||
	    (a->password_file != NULL && a->p12 == NULL))
		return -1;
	if (strcmp(a->auth, "eap-tls") != 0 && strcmp(a->auth, "pubkey") != 0)
		return -1;
	return 0;
}

static void
import_done(struct import *im)
{
	azpkg_free(im->pkg);
	for (size_t i = 0; i < im->n_roots; i++)
		cert_free(im->roots[i]);
	free(im->roots);
	cert_free(im->cert);
	key_free(im->key);
	free(im->id);
}

static void
date_of(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		(void)snprintf(buf, len, "?");
}

/* The package's roots that parse and are valid now; expired ones are
 * left out with a warning, all of them expired is an error. */
static int
load_roots(struct import *im)
{
	const struct azpkg *pkg = im->pkg;
	time_t now = time(NULL);

	im->roots = calloc(pkg->n_roots, sizeof(*im->roots));
	if (im->roots == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < pkg->n_roots; i++) {
		struct rd der = buf_rd(pkg->roots[i].der);
		time_t nb, na;
		struct cert *c;
		char when[32];

		if (cert_load_der(&der, &c) < 0)
			return fail("the gateway root in %s is not a "
				    "certificate: download the package again",
			    pkg->roots[i].source);
		if (cert_validity(c, &nb, &na) == 0 && na < now) {
			date_of(na, when, sizeof(when));
			(void)fprintf(stderr,
			    "p2sctl: warning: the gateway root in %s expired "
			    "on %s; left out\n",
			    pkg->roots[i].source, when);
			cert_free(c);
			continue;
		}
		im->roots[im->n_roots++] = c;
	}
	if (im->n_roots == 0)
		return fail("every gateway root in the package has expired: "
			    "download a new package from the Azure portal");
	return 0;
}

static int
load_client(const struct import_args *a, struct import *im)
{
	struct buf *pw = NULL;
	int r;

	/* The cert loaders say what is wrong with a file themselves
	 * (cert.h), once: no second message here. */
	if (a->p12 != NULL) {
		if (a->password_file != NULL &&
		    cert_read_password(a->password_file, &pw) < 0)
			return P2SCTL_EXIT_FAIL;
		r = cert_load_p12(a->p12, pw != NULL ? (char *)pw->p : "",
		    &im->cert, &im->key);
		buf_free(pw);
		if (r < 0)
			return P2SCTL_EXIT_FAIL;
	} else {
		if (cert_load_file(a->cert, &im->cert) < 0 ||
		    key_load_file(a->key, &im->key) < 0)
			return P2SCTL_EXIT_FAIL;
		if (cert_check_key(im->cert, im->key) < 0)
			return fail("%s is not the key of %s", a->key, a->cert);
	}
	if (!cert_has_eku(im->cert, CERT_EKU_CLIENT_AUTH))
		return fail("the client certificate has no clientAuth extended "
			    "key usage: Azure refuses it; make one with "
			    "`p2sctl cert client`");
	if (cert_get_cn(im->cert, &im->id) < 0)
		return fail("the client certificate has no CN to use as its "
			    "identity");
	return 0;
}

/* ---- Writing. ---- */

static int
write_dir(const char *dir, const struct import *im)
{
	char path[PATH_LEN], name[48];
	int r;

	if (mkdir(dir, 0700) == -1)
		return -errno;
	for (size_t i = 0; i < im->n_roots; i++) {
		(void)snprintf(name, sizeof(name), "server-root-%zu.pem", i);
		if ((r = path_join(path, dir, name)) < 0 ||
		    (r = cert_write_pem(im->roots[i], path)) < 0)
			return r;
	}
	if ((r = path_join(path, dir, "client.pem")) < 0 ||
	    (r = cert_write_pem(im->cert, path)) < 0)
		return r;
	if ((r = path_join(path, dir, "client.key")) < 0)
		return r;
	return key_write_pem(im->key, path);
}

static void
yaml_list_prefixes(FILE *f, const struct ip_prefix *p, size_t n)
{
	char buf[IP_PREFIX_STRLEN];

	(void)fprintf(f, "[");
	for (size_t i = 0; i < n; i++)
		if (ip_prefix_print(&p[i], buf, sizeof(buf)) == 0)
			(void)fprintf(f, "%s%s", i ? ", " : "", buf);
	(void)fprintf(f, "]");
}

static void
yaml_profile(FILE *f, const struct import_args *a, const struct import *im)
{
	const struct azpkg *pkg = im->pkg;
	char buf[IP_PREFIX_STRLEN], when[32];

	date_of(time(NULL), when, sizeof(when));
	(void)fprintf(f,
	    "# p2s profile %s, made by `p2sctl import` on %s\n"
	    "# from %s (VNet %s%s%s%s).\n"
	    "# Re-import a newer package with --force; edit by hand as you "
	    "like.\n",
	    a->name, when, a->package, pkg->vnet_name ? pkg->vnet_name : "?",
	    pkg->vnet_id ? ", " : "", pkg->vnet_id ? pkg->vnet_id : "", "");
	(void)fprintf(f, "gateway:\n  host: %s\n  roots: [", pkg->gateway);
	for (size_t i = 0; i < im->n_roots; i++)
		(void)fprintf(
		    f, "%s%s/server-root-%zu.pem", i ? ", " : "", a->name, i);
	(void)fprintf(f,
	    "]\nclient:\n  auth: %s\n  cert: %s/client.pem\n"
	    "  key: %s/client.key\n  id: %s\nroutes: ",
	    a->auth, a->name, a->name, im->id);
	yaml_list_prefixes(f, pkg->routes, pkg->n_routes);
	(void)fprintf(f, "\n");
	if (pkg->n_pools > 0 &&
	    ip_prefix_print(&pkg->pools[0], buf, sizeof(buf)) == 0)
		(void)fprintf(f, "pool: %s\n", buf);
	(void)fprintf(f, "dns:\n  servers: [");
	for (size_t i = 0; i < pkg->n_dns; i++)
		if (ip_addr_print(&pkg->dns[i], buf, sizeof(buf)) == 0)
			(void)fprintf(f, "%s%s", i ? ", " : "", buf);
	(void)fprintf(f, "]\n");
	/* p2s-NAME must fit in an interface name. */
	if (strlen(a->name) > 11)
		(void)fprintf(f, "interface: p2s-%.11s\n", a->name);
}

static int
write_yaml(
    const char *path, const struct import_args *a, const struct import *im)
{
	FILE *f = fopen(path, "wx");

	if (f == NULL)
		return -errno;
	yaml_profile(f, a, im);
	if (fclose(f) != 0)
		return -errno;
	return chmod(path, 0600) == -1 ? -errno : 0;
}

/* ---- What changed, on a re-import. ---- */

static bool
prefix_in(const struct ip_prefix *v, size_t n, const struct ip_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (ip_prefix_cmp(&v[i], p) == 0)
			return true;
	return false;
}

static void
diff_routes(const struct conf *old, const struct azpkg *pkg)
{
	char buf[IP_PREFIX_STRLEN];

	for (size_t i = 0; i < old->n_routes; i++)
		if (!prefix_in(pkg->routes, pkg->n_routes, &old->routes[i]) &&
		    ip_prefix_print(&old->routes[i], buf, sizeof(buf)) == 0)
			(void)printf("removed: route %s\n", buf);
	for (size_t i = 0; i < pkg->n_routes; i++)
		if (!prefix_in(old->routes, old->n_routes, &pkg->routes[i]) &&
		    ip_prefix_print(&pkg->routes[i], buf, sizeof(buf)) == 0)
			(void)printf("added:   route %s\n", buf);
}

/* Thumbprints of the roots a profile names; n_ret of them. */
/* A gateway root as a re-import names it: thumbprint and subject. */
struct root_id {
	char tp[CERT_THUMBPRINT_LEN + 1];
	char subject[256];
};

static bool
root_id_of(const struct cert *c, struct root_id *ret)
{
	if (cert_thumbprint(c, ret->tp) < 0)
		return false;
	if (cert_subject(c, ret->subject, sizeof(ret->subject)) < 0)
		(void)snprintf(ret->subject, sizeof(ret->subject), "?");
	return true;
}

/* The roots a profile names; how many could be read. */
static size_t
old_roots(const struct conf *old, struct root_id *ids, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < old->gateway.n_roots && n < cap; i++) {
		struct cert *c;

		if (cert_load_file(old->gateway.roots[i], &c) < 0)
			continue;
		if (root_id_of(c, &ids[n]))
			n++;
		cert_free(c);
	}
	return n;
}

static bool
root_in(const struct root_id *id, const struct root_id *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(id->tp, set[i].tp) == 0)
			return true;
	return false;
}

static void
diff_roots(const struct conf *old, const struct import *im)
{
	struct root_id *was, *now;
	size_t n_was, n_now = 0;

	was = calloc(CERT_MAX_ROOTS, sizeof(*was));
	now = calloc(im->n_roots + 1, sizeof(*now));
	if (was == NULL || now == NULL)
		goto out;
	n_was = old_roots(old, was, CERT_MAX_ROOTS);
	for (size_t i = 0; i < im->n_roots; i++)
		if (root_id_of(im->roots[i], &now[n_now]))
			n_now++;
	for (size_t i = 0; i < n_was; i++)
		if (!root_in(&was[i], now, n_now))
			(void)printf("removed: gateway root %s (%s)\n",
			    was[i].tp, was[i].subject);
	for (size_t i = 0; i < n_now; i++)
		if (!root_in(&now[i], was, n_was))
			(void)printf("added:   gateway root %s (%s)\n",
			    now[i].tp, now[i].subject);
out:
	free(was);
	free(now);
}

static void
report_changes(const char *old_yaml, const struct import *im)
{
	struct conf *old = NULL;
	struct conf_err err;

	if (conf_load(old_yaml, &old, &err) < 0) {
		(void)printf("replacing %s, which did not load: %s\n", old_yaml,
		    err.msg);
		return;
	}
	if (strcmp(old->gateway.host, im->pkg->gateway) != 0)
		(void)printf("changed: gateway %s -> %s\n", old->gateway.host,
		    im->pkg->gateway);
	diff_roots(old, im);
	diff_routes(old, im->pkg);
	conf_free(old);
}

/* ---- Putting it in place. ---- */

static void
rm_dir(const char *dir)
{
	char path[PATH_LEN];
	const char *files[] = { "client.pem", "client.key" };

	for (size_t i = 0; i < CERT_MAX_ROOTS; i++) {
		(void)snprintf(
		    path, sizeof(path), "%s/server-root-%zu.pem", dir, i);
		(void)unlink(path);
	}
	for (size_t i = 0; i < 2; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

/* Stage DIR/.NAME.new/ and DIR/.NAME.yaml.new, load them back with the
 * daemon's loader, then rename over the old ones. */
static int
install(const struct import_args *a, const struct import *im)
{
	char sdir[PATH_LEN], syaml[PATH_LEN], dir[PATH_LEN], yaml[PATH_LEN],
	    old[PATH_LEN];
	struct conf *conf = NULL;
	struct conf_err err;
	int r;

	(void)snprintf(dir, sizeof(dir), "%s/%s", a->dir, a->name);
	(void)snprintf(yaml, sizeof(yaml), "%s/%s.yaml", a->dir, a->name);
	(void)snprintf(sdir, sizeof(sdir), "%s/.%s.new", a->dir, a->name);
	(void)snprintf(syaml, sizeof(syaml), "%s/.%s.new/%s.yaml", a->dir,
	    a->name, a->name);
	(void)snprintf(old, sizeof(old), "%s/.%s.old", a->dir, a->name);
	rm_dir(sdir); /* a stage left by an interrupted import */
	(void)unlink(syaml);
	r = write_dir(sdir, im);
	if (r == 0)
		r = write_yaml(syaml, a, im);
	/* The profile names NAME/...: check it from inside the stage,
	 * where NAME/ is not there yet, by loading it from the stage with
	 * its paths; conf_check_files then runs on the final layout. */
	if (r == 0 && conf_load(syaml, &conf, &err) < 0) {
		(void)fprintf(stderr,
		    "p2sctl: the profile written does not "
		    "load (a bug): %s\n",
		    err.msg);
		r = -EINVAL;
	}
	conf_free(conf);
	if (r < 0)
		goto fail;
	if (rename(syaml, yaml) == -1) {
		r = -errno;
		goto fail;
	}
	rm_dir(old);
	(void)rename(dir, old); /* may not exist */
	if (rename(sdir, dir) == -1) {
		r = -errno;
		(void)rename(old, dir);
		goto fail;
	}
	rm_dir(old);
	return 0;
fail:
	(void)unlink(syaml);
	rm_dir(sdir);
	return r;
}

static void
summary(const struct import_args *a, const struct import *im)
{
	const struct azpkg *pkg = im->pkg;
	char buf[IP_PREFIX_STRLEN], subject[256], when[32];
	time_t nb, na;

	(void)printf(
	    "profile %s written to %s/%s.yaml\n", a->name, a->dir, a->name);
	(void)printf("  gateway   %s\n", pkg->gateway);
	if (pkg->vnet_name != NULL)
		(void)printf("  VNet      %s\n", pkg->vnet_name);
	(void)printf("  routes   ");
	for (size_t i = 0; i < pkg->n_routes; i++)
		if (ip_prefix_print(&pkg->routes[i], buf, sizeof(buf)) == 0)
			(void)printf(" %s", buf);
	(void)printf("\n");
	if (pkg->n_pools > 0 &&
	    ip_prefix_print(&pkg->pools[0], buf, sizeof(buf)) == 0)
		(void)printf("  pool      %s\n", buf);
	for (size_t i = 0; i < im->n_roots; i++) {
		if (cert_subject(im->roots[i], subject, sizeof(subject)) < 0 ||
		    cert_validity(im->roots[i], &nb, &na) < 0)
			continue;
		date_of(na, when, sizeof(when));
		(void)printf("  root      %s, valid until %s\n", subject, when);
	}
	(void)printf("  identity  %s (%s)\n", im->id, a->auth);
	(void)printf(
	    "start it with: systemctl enable --now p2sd@%s\n", a->name);
}

int
p2sctl_import(int argc, char **argv)
{
	struct import im = { 0 };
	struct import_args a;
	struct azpkg_err err;
	char yaml[PATH_LEN];
	bool exists;
	int r;

	if (parse(argc, argv, &a) < 0 || !name_valid(a.name)) {
		p2sctl_import_usage(stderr);
		return P2SCTL_EXIT_USAGE;
	}
	(void)snprintf(yaml, sizeof(yaml), "%s/%s.yaml", a.dir, a.name);
	exists = access(yaml, F_OK) == 0;
	if (exists && !a.force)
		return fail("%s exists: use --force to replace it with this "
			    "package",
		    yaml);
	if (azpkg_load_file(a.package, &im.pkg, &err) < 0) {
		(void)fprintf(stderr, "p2sctl: %s\n", err.msg);
		return P2SCTL_EXIT_FAIL;
	}
	r = load_roots(&im) == 0 && load_client(&a, &im) == 0 ? 0 : -1;
	if (r == 0 && mkdir(a.dir, 0755) == -1 && errno != EEXIST)
		r = fail("cannot create %s: %s", a.dir, strerror(errno));
	if (r == 0 && exists)
		report_changes(yaml, &im);
	if (r == 0 && (r = install(&a, &im)) < 0)
		(void)fail("cannot write the profile into %s: %s", a.dir,
		    strerror(-r));
	if (r == 0)
		summary(&a, &im);
	import_done(&im);
	return r == 0 ? P2SCTL_EXIT_OK : P2SCTL_EXIT_FAIL;
}
