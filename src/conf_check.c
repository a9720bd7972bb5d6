/* SPDX-License-Identifier: ISC */
/*
 * conf_check.c: the profile's rules that span keys, the defaults that
 * depend on other keys (gateway.id, interface, proposals), and the
 * separate look at the files a profile names.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_int.h"

static struct conf_mark
conf_mark_of_field(const struct conf_parser *p, enum conf_field f)
{
	return p->field[f].mark;
}

static int
conf_finish_gateway(struct conf_parser *p)
{
	struct conf_gateway *g = &p->conf->gateway;

	if (g->id != NULL)
		return 0;
	g->id = strdup(g->host);
	if (g->id == NULL)
		return conf_fail(
		    p, (struct conf_mark){ 0 }, -ENOMEM, "out of memory");
	return 0;
}

/* Either cert and key, or p12 with perhaps password_file. */
static int
conf_finish_client(struct conf_parser *p)
{
	const struct conf_client *c = &p->conf->client;

	if (c->p12 != NULL && c->key != NULL)
		return conf_fail(p, conf_mark_of_field(p, CONF_F_CL_KEY),
		    -EBADMSG,
		    "'client.key' and 'client.p12' exclude each other; give "
		    "cert and key, or p12");
	if (c->p12 != NULL && c->cert != NULL)
		return conf_fail(p, conf_mark_of_field(p, CONF_F_CL_CERT),
		    -EBADMSG,
		    "'client.cert' and 'client.p12' exclude each other; the "
		    "PKCS#12 file holds the certificate");
	if (c->password_file != NULL && c->p12 == NULL)
		return conf_fail(p,
		    conf_mark_of_field(p, CONF_F_CL_PASSWORD_FILE), -EBADMSG,
		    "'client.password_file' is the password of 'client.p12', "
		    "and there is no p12 (PEM keys are not encrypted)");
	if (c->cert != NULL && c->key == NULL)
		return conf_fail(p, conf_mark_of_field(p, CONF_F_CL_CERT),
		    -EBADMSG, "'client.cert' needs 'client.key'");
	if (c->key != NULL && c->cert == NULL)
		return conf_fail(p, conf_mark_of_field(p, CONF_F_CL_KEY),
		    -EBADMSG, "'client.key' needs 'client.cert'");
	if (c->p12 == NULL && c->cert == NULL)
		return conf_fail(p, conf_mark_of_field(p, CONF_F_CLIENT),
		    -EBADMSG, "'client' needs 'cert' and 'key', or 'p12'");
	return 0;
}

static int
conf_default_proposals(struct conf_parser *p, uint8_t proto,
    const char *const *text, size_t n, struct proposal **ret_v, size_t *ret_n)
{
	struct proposal *v = calloc(n, sizeof(*v));

	if (v == NULL)
		return conf_fail(
		    p, (struct conf_mark){ 0 }, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (proposal_parse(proto, text[i], &v[i], NULL, 0) < 0) {
			free(v);
			return conf_fail(p, (struct conf_mark){ 0 }, -EINVAL,
			    "internal error: default proposal '%s'", text[i]);
		}
	*ret_v = v;
	*ret_n = n;
	return 0;
}

static int
conf_finish_proposals(struct conf_parser *p)
{
	struct conf_proposals *pr = &p->conf->proposals;
	int r = 0;

	if (pr->n_ike == 0)
		r = conf_default_proposals(p, IKE_PROTO_IKE, proposal_azure_ike,
		    PROPOSAL_AZURE_IKE_N, &pr->ike, &pr->n_ike);
	if (r == 0 && pr->n_esp == 0)
		r = conf_default_proposals(p, IKE_PROTO_ESP, proposal_azure_esp,
		    PROPOSAL_AZURE_ESP_N, &pr->esp, &pr->n_esp);
	return r;
}

/* "p2s-NAME", which must itself be a valid interface name. */
static int
conf_finish_interface(struct conf_parser *p)
{
	struct conf *c = p->conf;
	char name[64];

	if (p->field[CONF_F_INTERFACE].seen)
		return 0;
	(void)snprintf(name, sizeof(name), "p2s-%s", c->name);
	if (strlen(c->name) > sizeof(name) - 5 || !conf_ifname_valid(name))
		return conf_fail(p, conf_mark_of_field(p, CONF_F_ROOT),
		    -EBADMSG,
		    "the default interface name 'p2s-%.40s' is not a valid "
		    "interface name (1 to %d of A-Z a-z 0-9 . _ -); set "
		    "'interface:' in the profile",
		    c->name, CONF_IFNAMSIZ - 1);
	memcpy(c->interface, name, strlen(name) + 1);
	return 0;
}

/* A route listed twice would fail at connect time; say so now. */
static int
conf_finish_routes(struct conf_parser *p)
{
	const struct conf *c = p->conf;
	size_t *first;
	char text[IP_PREFIX_STRLEN];
	int r = 0;

	if (c->n_routes < 2)
		return 0;
	first = calloc(c->n_routes, sizeof(*first));
	if (first == NULL ||
	    ip_prefix_repeats(c->routes, c->n_routes, first) < 0) {
		free(first);
		return conf_fail(
		    p, (struct conf_mark){ 0 }, -ENOMEM, "out of memory");
	}
	for (size_t i = 1; i < c->n_routes && r == 0; i++) {
		if (first[i] == SIZE_MAX)
			continue;
		(void)ip_prefix_print(&c->routes[i], text, sizeof(text));
		r = conf_fail(p, conf_mark_of_field(p, CONF_F_ROUTES), -EBADMSG,
		    "'routes' lists %s twice (entries %zu and %zu)", text,
		    first[i] + 1, i + 1);
	}
	free(first);
	return r;
}

int
conf_finish(struct conf_parser *p)
{
	int r;

	r = conf_finish_gateway(p);
	if (r == 0)
		r = conf_finish_client(p);
	if (r == 0)
		r = conf_finish_proposals(p);
	if (r == 0)
		r = conf_finish_interface(p);
	if (r == 0)
		r = conf_finish_routes(p);
	return r;
}

static int P2S_PRINTF(3, 4)
    conf_file_fail(struct conf_err *ret_err, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(ret_err->msg, sizeof(ret_err->msg), fmt, ap);
	va_end(ap);
	return r;
}

static int
conf_check_file(const struct conf *c, const char *key, const char *path,
    bool secret, struct conf_err *ret_err)
{
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: a FIFO named in the profile must not hang --check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	r = fd < 0 || fstat(fd, &st) < 0 ? -errno : 0;
	if (fd >= 0)
		(void)close(fd);
	if (r < 0)
		return conf_file_fail(ret_err, r, "%s: %s: %s: %s", c->path,
		    key, path, strerror(-r));
	if (!S_ISREG(st.st_mode))
		return conf_file_fail(ret_err, -EINVAL,
		    "%s: %s: %s: not a regular file", c->path, key, path);
	/* Group read is allowed: Debian keeps keys 0640 root:ssl-cert. */
	if (secret && (st.st_mode & 0027) != 0)
		return conf_file_fail(ret_err, -EPERM,
		    "%s: %s: %s: mode %04o is open to others or writable by "
		    "the group; chmod 600 it",
		    c->path, key, path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int
conf_check_files(const struct conf *c, struct conf_err *ret_err)
{
	const struct {
		const char *key;
		const char *path;
		bool secret;
	} files[] = {
		{ "client.cert", c->client.cert, false },
		{ "client.key", c->client.key, true },
		{ "client.p12", c->client.p12, true },
		{ "client.password_file", c->client.password_file, true },
	};
	int r;

	for (size_t i = 0; i < c->gateway.n_roots; i++) {
		r = conf_check_file(
		    c, "gateway.roots", c->gateway.roots[i], false, ret_err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (files[i].path == NULL)
			continue;
		r = conf_check_file(
		    c, files[i].key, files[i].path, files[i].secret, ret_err);
		if (r < 0)
			return r;
	}
	return 0;
}
