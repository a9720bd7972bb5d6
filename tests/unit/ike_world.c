/* SPDX-License-Identifier: ISC */
/*
 * ike_world.c: see ike_world.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "cert.h"
#include "conf.h"
#include "ike_world.h"
#include "loop.h"

static char paths[4][4096]; /* the peer's certificate and key files */

static const char *
path_keep(int slot, const char *name)
{
	(void)snprintf(
	    paths[slot], sizeof(paths[slot]), "%s", eapt_cert_path(name));
	return paths[slot];
}

/* ---- The engine's side ---- */

static int
on_send(void *arg, const struct rd *msg, bool natt)
{
	struct world *w = arg;

	assert_true(w->n_sent < WORLD_MAX_SENT);
	w->sent[w->n_sent] = buf_dup_rd(msg);
	w->sent_natt[w->n_sent++] = natt;
	return 0;
}

static struct buf *
key_copy(const struct buf *b)
{
	return b != NULL ? buf_dup(b->p, b->len) : NULL;
}

static int
on_established(void *arg, const struct ike_child *c)
{
	struct world *w = arg;

	w->n_established++;
	w->child = *c;
	w->child.keys = NULL;
	buf_free(w->encr_out);
	buf_free(w->encr_in);
	buf_free(w->integ_out);
	buf_free(w->integ_in);
	w->encr_out = key_copy(c->keys->encr_out);
	w->encr_in = key_copy(c->keys->encr_in);
	w->integ_out = key_copy(c->keys->integ_out);
	w->integ_in = key_copy(c->keys->integ_in);
	return w->est_ret;
}

static void
on_child_gone(void *arg, uint32_t spi_in, uint32_t spi_out)
{
	struct world *w = arg;

	w->n_child_gone++;
	w->gone_in = spi_in;
	w->gone_out = spi_out;
}

static void
on_down(void *arg, int err, bool permanent, const char *reason)
{
	struct world *w = arg;

	w->n_down++;
	w->down_err = err;
	w->down_permanent = permanent;
	(void)snprintf(w->down_reason, sizeof(w->down_reason), "%s", reason);
}

static const struct ike_sa_cbs world_cbs = {
	.established = on_established,
	.child_gone = on_child_gone,
	.down = on_down,
};

/* ---- The EAP server behind the peer ---- */

static const struct ike_peer_eap world_eap = {
	.first = eapt_ike_first,
	.step = eapt_ike_step,
	.msk = eapt_ike_msk,
};

/* ---- Setting up ---- */

static void
addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in4->sin_family = AF_INET;
	in4->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &in4->sin_addr), 1);
}

static void
world_conf(struct world *w, const struct world_opts *o)
{
	char yaml[2048];
	struct conf_err err;
	int n;

	n = snprintf(yaml, sizeof(yaml),
	    "gateway:\n  host: gw.test\n  address: 192.0.2.10\n"
	    "  id: %s\n  roots: [root.pem]\n"
	    "client:\n  auth: %s\n  cert: client.pem\n  key: client.key\n"
	    "  id: " WORLD_CLIENT_ID "\n"
	    "proposals:\n  ike: [%s]\n  esp: [%s]\n",
	    o->gw_id != NULL ? o->gw_id : EAPT_GW_ID,
	    o->pubkey ? "pubkey" : "eap-tls",
	    o->ike != NULL ? o->ike
			   : "aes256gcm16-prfsha384-prfsha256-modp2048s256-"
			     "modp2048-ecp384-ecp256, aes256-sha256-modp2048",
	    o->esp != NULL ? o->esp : "aes256gcm16, aes256-sha256");
	assert_true(n > 0 && (size_t)n < sizeof(yaml));
	if (conf_load_buffer(
		"/nonexistent/p2s.yaml", yaml, (size_t)n, &w->conf, &err) < 0)
		fail_msg("profile: %s", err.msg);
}

static void
world_creds(struct world *w, const struct world_opts *o)
{
	assert_int_equal(
	    cert_load_file(eapt_cert_path("client.pem"), &w->cert), 0);
	assert_int_equal(
	    key_load_file(eapt_cert_path("client.key"), &w->key), 0);
	assert_int_equal(trust_new(&w->roots), 0);
	assert_int_equal(
	    trust_add_file(w->roots,
		eapt_cert_path(o->roots != NULL ? o->roots : "root-a.pem")),
	    0);
	w->creds = (struct ike_creds){ .cert = w->cert,
		.key = w->key,
		.roots = w->roots,
		.id = WORLD_CLIENT_ID,
		.gateway_id = w->conf->gateway.id,
		.eap = !o->pubkey,
		.force_encap = !o->no_force_encap };
}

static void
world_srv(struct world *w, const struct world_opts *o)
{
	struct eapt_srv_conf sc = { .tls_max = TLS1_2_VERSION,
		.frag = 1024,
		.chain = "gw.pem,int-a.pem",
		.key = "gw.key",
		.client_ca =
		    o->client_ca != NULL ? o->client_ca : "client-root.pem",
		.always_len = true };

	assert_int_equal(eapt_srv_init(&w->srv, &sc), 0);
	eapt_srv_reset(&w->srv);
	w->have_srv = true;
}

struct world *
world_new(const struct world_opts *o)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	assert_int_equal(loop_new(&w->loop), 0);
	world_conf(w, o);
	world_creds(w, o);
	addr(&w->hooks.local, "198.51.100.10", 50000);
	addr(&w->hooks.remote, "192.0.2.10", 500);
	w->hooks.send = on_send;
	w->hooks.send_arg = w;
	w->hooks.now = 1795737600; /* 2026-11-27 */
	assert_int_equal(ike_sa_new(w->loop, w->conf, &w->creds, NULL,
			     &world_cbs, w, &w->sa),
	    0);
	w->sa->hooks = &w->hooks;
	w->pc = (struct ike_peer_conf){ .cert = path_keep(0, "gw.pem"),
		.issuer = path_keep(1, "int-a.pem"),
		.key = path_keep(2, "gw.key"),
		.id = EAPT_GW_ID,
		.eap = !o->pubkey,
		.frag = true,
		.client = w->hooks.local,
		.gateway = w->hooks.remote };
	if (!o->pubkey) {
		world_srv(w, o);
		w->pc.eap_srv = &world_eap;
		w->pc.eap_arg = &w->srv;
	}
	return w;
}

void
world_engine(
    struct world *w, const struct conf *conf, const struct ike_creds *creds)
{
	ike_sa_free(w->sa);
	assert_int_equal(
	    ike_sa_new(w->loop, conf, creds, NULL, &world_cbs, w, &w->sa), 0);
	w->sa->hooks = &w->hooks;
}

void
world_free(struct world *w)
{
	ike_sa_free(w->sa);
	ike_peer_free(w->peer);
	if (w->have_srv)
		eapt_srv_done(&w->srv);
	for (size_t i = 0; i < w->n_sent; i++)
		buf_free(w->sent[i]);
	buf_free(w->encr_out);
	buf_free(w->encr_in);
	buf_free(w->integ_out);
	buf_free(w->integ_in);
	cert_free(w->cert);
	key_free(w->key);
	trust_free(w->roots);
	conf_free(w->conf);
	loop_free(w->loop);
	free(w);
}

void
world_connect(struct world *w)
{
	int r = ike_peer_new(&w->pc, &w->peer);

	if (r < 0)
		fail_msg("ike_peer_new: %d", r);
	assert_int_equal(ike_sa_connect(w->sa, 0), 0);
}

/* ---- Moving datagrams ---- */

void
world_deliver(struct world *w)
{
	size_t n = w->peer->n_out;
	struct buf *batch[IKE_PEER_MAX_OUT];

	/* The engine may make the peer talk again: take the batch first. */
	memcpy(batch, w->peer->out, n * sizeof(batch[0]));
	w->peer->n_out = 0;
	for (size_t k = 0; k < n; k++) {
		struct buf *b = batch[w->reverse ? n - 1 - k : k];
		struct rd m = buf_rd(b);

		ike_sa_input(w->sa, &m);
		if (w->dup)
			ike_sa_input(w->sa, &m);
	}
	for (size_t k = 0; k < n; k++)
		buf_free(batch[k]);
}

void
world_pump(struct world *w)
{
	while (w->n_fed < w->n_sent) {
		struct rd m = buf_rd(w->sent[w->n_fed++]);
		int r = ike_peer_input(w->peer, &m);

		if (r < 0 && w->peer_err == 0) {
			w->peer_err = r;
			print_message("peer: %s\n", w->peer->error);
		}
		world_deliver(w);
	}
}

uint8_t
world_exchange(const struct world *w, size_t i)
{
	assert_true(i < w->n_sent && w->sent[i]->len >= IKE_HDR_LEN);
	return w->sent[i]->p[18];
}

uint32_t
world_msgid(const struct world *w, size_t i)
{
	const uint8_t *p = w->sent[i]->p + 20;

	assert_true(i < w->n_sent && w->sent[i]->len >= IKE_HDR_LEN);
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}
