/* SPDX-License-Identifier: ISC */
/*
 * creds.c: load a profile's credentials (see creds.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cert.h"
#include "conf.h"
#include "creds.h"
#include "tls_ctx.h"

static int fail(char *err, size_t len, int r, const char *fmt, ...)
    P2S_PRINTF(4, 5);

static int
fail(char *err, size_t len, int r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(err, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		(void)snprintf(err + n, len - (size_t)n, ": %s", strerror(-r));
	return r;
}

/* A cert loader failed: it has said which file and why (cert.h), so the
 * caller gets no second message, only an empty err.  Out of memory it
 * does not report: that one is ours to say. */
static int
said(char *err, size_t len, int r)
{
	if (r == -ENOMEM)
		return fail(err, len, r, "loading the credentials");
	err[0] = '\0';
	return r;
}

static int
load_p12(const struct conf_client *c, struct creds *cr, char *err, size_t len)
{
	struct buf *pw = NULL;
	int r;

	if (c->password_file != NULL) {
		r = cert_read_password(c->password_file, &pw);
		if (r < 0)
			return said(err, len, r);
	}
	r = cert_load_p12(
	    c->p12, pw != NULL ? (const char *)pw->p : "", &cr->cert, &cr->key);
	buf_free(pw); /* a secret buffer: wiped */
	return r < 0 ? said(err, len, r) : 0;
}

static int
load_pem(const struct conf_client *c, struct creds *cr, char *err, size_t len)
{
	int r;

	r = cert_load_file(c->cert, &cr->cert);
	if (r == 0)
		r = key_load_file(c->key, &cr->key);
	if (r < 0)
		return said(err, len, r);
	r = cert_check_key(cr->cert, cr->key);
	if (r < 0)
		return fail(err, len, r,
		    "client.key %s is not the key of client.cert %s", c->key,
		    c->cert);
	return 0;
}

static int
load_roots(
    const struct conf_gateway *g, struct creds *cr, char *err, size_t len)
{
	int r = trust_new(&cr->roots);

	if (r < 0)
		return fail(err, len, r, "gateway.roots");
	for (size_t i = 0; r == 0 && i < g->n_roots; i++) {
		r = trust_add_file(cr->roots, g->roots[i]);
		if (r < 0)
			return said(err, len, r);
	}
	return r;
}

static int
pick_id(const struct conf *conf, struct creds *cr, char *err, size_t len)
{
	int r;

	if (conf->client.id != NULL) {
		cr->id = strdup(conf->client.id);
		return cr->id != NULL ? 0 : -ENOMEM;
	}
	r = cert_get_cn(cr->cert, &cr->id);
	if (r < 0)
		return fail(err, len, r,
		    "the client certificate has no CN to use as identity; "
		    "set client.id");
	return 0;
}

/* One TLS context for the profile's life: a reconnect can then resume
 * the last EAP-TLS session (6 round trips instead of 8). */
static int
make_tls(const struct conf *conf, struct creds *cr, char *err, size_t len)
{
	struct tls_ctx_conf tc = { .cert = cr->cert,
		.key = cr->key,
		.roots = cr->roots,
		.server_id = conf->gateway.id,
		.max_version = TLS_VERSION_1_3 };
	int r;

	if (conf->client.auth != CONF_AUTH_EAP_TLS)
		return 0;
	r = tls_ctx_new(&tc, &cr->tls);
	if (r < 0)
		return fail(err, len, r, "cannot set up TLS for EAP-TLS");
	return 0;
}

int
creds_load(const struct conf *conf, struct creds **ret, char *err, size_t len)
{
	struct creds *cr = calloc(1, sizeof(*cr));
	int r;

	if (cr == NULL)
		return -ENOMEM;
	r = conf->client.p12 != NULL ? load_p12(&conf->client, cr, err, len)
				     : load_pem(&conf->client, cr, err, len);
	if (r == 0)
		r = load_roots(&conf->gateway, cr, err, len);
	if (r == 0)
		r = pick_id(conf, cr, err, len);
	if (r == 0)
		r = make_tls(conf, cr, err, len);
	if (r < 0) {
		creds_free(cr);
		return r;
	}
	cr->ike = (struct ike_creds){ .cert = cr->cert,
		.key = cr->key,
		.roots = cr->roots,
		.id = cr->id,
		.gateway_id = conf->gateway.id,
		.send_idr = conf->gateway.send_id,
		.eap = conf->client.auth == CONF_AUTH_EAP_TLS,
		.tls = cr->tls,
		.tls_session = &cr->session };
	*ret = cr;
	return 0;
}

void
creds_free(struct creds *cr)
{
	if (cr == NULL)
		return;
	tls_session_free(cr->session);
	tls_ctx_free(cr->tls);
	cert_free(cr->cert);
	key_free(cr->key);
	trust_free(cr->roots);
	free(cr->id);
	free(cr);
}
