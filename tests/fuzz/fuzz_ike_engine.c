/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ike_engine.c: the IKE engine, in each of its states, against
 * arbitrary datagrams and arbitrary payloads under valid keys.
 *
 * Input: one byte choosing the state the engine is brought to first by
 * the scripted responder (tests/fuzz/ike_peer.c), then records, each a
 * kind byte, a 16-bit big-endian length and that many bytes:
 *
 *   0  raw     the bytes as one datagram from the gateway
 *   1  sealed  exchange, flags (bit 0: response), message ID, first inner
 *              payload type, then an inner payload chain: sealed by the
 *              responder under the SA's keys (fragmented when its
 *              fragment size, the top bits of the state byte, says so),
 *              so the SK-protected paths are reached
 *   2  timer   the retransmission timer fires
 *   3  delete  the daemon deletes the SA
 *   4  pump    the engine's datagrams to the responder and back
 *   5  rekey   the engine rekeys the CHILD_SA (ike_sa_rekey_child)
 *   6  rekey   the engine rekeys the IKE SA (ike_sa_rekey_ike)
 *   7  rekey   the responder rekeys the IKE SA (ike_peer_rekey_ike)
 *
 * States (state byte mod 6): 0 IKE_SA_INIT sent; 1 IKE_AUTH sent
 * (certificates); 2 IKE_AUTH sent (EAP-TLS); 3 in EAP, after the
 * Identity; 4 established; 5 deleting.
 *
 * Deterministic: the SPIs, nonces, g^ir and ESP SPIs are fixed through
 * the test hooks on both sides, so the keys are the same on every run
 * and a datagram the responder sealed once opens again; keys of P-256 so
 * the setup is quick.  The responder's DH private value is fixed too, so
 * its IKE_SA_INIT response, and with it what the gateway's AUTH covers,
 * is the same on every run: a sealed record holding a recorded IKE_AUTH
 * response passes the gateway's authentication, and its SA, TS and CP
 * payloads are fuzzed behind it.  The engine's own invariants are
 * checked: down() at most once and only with the SA dead; established()
 * at most once.
 *
 * Environment: P2S_FUZZ_LOG=1 turns the engine's logging on;
 * P2S_FUZZ_SEEDS=DIR writes the seed corpus into DIR and exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "conf.h"
#include "ike_int.h"
#include "ike_peer.h"
#include "log.h"
#include "loop.h"

#define FUZZ_MAX_INPUT	 (64 * 1024) /* bytes */
#define FUZZ_MAX_RECORDS 32
#define FUZZ_MAX_SENT	 256
#define FUZZ_GW_ID	 "gw.example.net"

#ifndef P2S_TOP_SRCDIR
#define P2S_TOP_SRCDIR ".."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum fz_state {
	FZ_INIT_SENT,
	FZ_AUTH_SENT_PUBKEY,
	FZ_AUTH_SENT_EAP,
	FZ_EAP,
	FZ_ESTABLISHED,
	FZ_DELETING,
	FZ_STATES,
};

/* Loaded once. */
static struct {
	struct conf *conf;
	struct cert *cert;
	struct key_ref *key;
	struct trust *roots;
	struct cert *gw_cert, *gw_issuer;
	struct key_ref *gw_key;
	bool ok;
} G;

static const uint8_t spi_i[IKE_SPI_LEN] = { 0x70, 0x32, 0x73, 0x66, 0x75, 0x7a,
	0x7a, 0x49 };
static const uint8_t spi_r[IKE_SPI_LEN] = { 0x70, 0x32, 0x73, 0x66, 0x75, 0x7a,
	0x7a, 0x52 };
static const uint8_t nonce_i[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const uint8_t nonce_r[32] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
static const uint8_t g_ir[32] = { 0x42, 0x42, 0x42, 0x42 };
static const uint8_t kex_priv[32] = { 0x60, 0x61, 0x62, 0x63, 0x64, 0x65 };

struct fz {
	struct loop *loop;
	struct ike_sa *sa;
	struct ike_peer *peer;
	struct ike_sa_hooks hooks;
	struct ike_creds creds;
	struct buf *sent[FUZZ_MAX_SENT];
	size_t n_sent, n_fed;
	unsigned n_down, n_established;
	uint8_t eap_id; /* Identifier of our fake server's next request */
};

static const char *
src_path(const char *rel, char *buf, size_t len)
{
	const char *top = getenv("top_srcdir");

	(void)snprintf(
	    buf, len, "%s/%s", top != NULL ? top : P2S_TOP_SRCDIR, rel);
	return buf;
}

static void
load_once(void)
{
	static const char yaml[] =
	    "gateway:\n  host: gw.fuzz\n  address: 192.0.2.10\n"
	    "  id: " FUZZ_GW_ID "\n  roots: [r.pem]\n"
	    "client:\n  cert: c.pem\n  key: c.key\n  id: fuzz@example.net\n"
	    "proposals:\n  ike: [aes256gcm16-prfsha256-x25519, "
	    "aes256-sha256-x25519]\n  esp: [aes256gcm16, aes256-sha256]\n";
	struct conf_err err;
	char p[4096];

	if (G.ok)
		return;
	if (getenv("P2S_FUZZ_LOG") == NULL)
		log_set_max_prio(-1);
	if (conf_load_buffer("/nonexistent/f.yaml", yaml, sizeof(yaml) - 1,
		&G.conf, &err) < 0 ||
	    cert_load_file(
		src_path("tests/data/certs/client-ec.pem", p, sizeof(p)),
		&G.cert) < 0 ||
	    key_load_file(
		src_path("tests/data/certs/client-ec.key", p, sizeof(p)),
		&G.key) < 0 ||
	    trust_new(&G.roots) < 0 ||
	    trust_add_file(G.roots,
		src_path("tests/data/certs/root-a.pem", p, sizeof(p))) < 0) {
		fprintf(stderr,
		    "fuzz_ike_engine: cannot load the test data "
		    "(set top_srcdir)\n");
		abort();
	}
	if (cert_load_file(
		src_path("tests/data/certs/gw-ec256.pem", p, sizeof(p)),
		&G.gw_cert) < 0 ||
	    key_load_file(
		src_path("tests/data/certs/gw-ec256.key", p, sizeof(p)),
		&G.gw_key) < 0 ||
	    cert_load_file(src_path("tests/data/certs/int-a.pem", p, sizeof(p)),
		&G.gw_issuer) < 0)
		abort();
	G.ok = true;
}

static void seeds(const char *dir) P2S_NORETURN;

/* ---- The engine's side ---- */

static int
fz_send(void *arg, const struct rd *msg, bool natt)
{
	struct fz *f = arg;

	(void)natt;
	if (msg->len > IKE_MSG_MAX_LEN)
		abort();
	if (f->n_sent < FUZZ_MAX_SENT)
		f->sent[f->n_sent++] = buf_dup_rd(msg);
	return 0;
}

static int
fz_established(void *arg, const struct ike_child *c)
{
	struct fz *f = arg;

	/* The first CHILD_SA once; after it only rekeys of it. */
	if (c->rekey != (f->n_established++ > 0) || c->keys == NULL ||
	    c->keys->encr_out == NULL)
		abort();
	return 0;
}

static void
fz_child_gone(void *arg, uint32_t in, uint32_t out)
{
	(void)arg;
	(void)in;
	(void)out;
}

static void
fz_down(void *arg, int err, bool permanent, const char *reason)
{
	struct fz *f = arg;

	(void)err;
	(void)permanent;
	if (++f->n_down > 1 || ike_sa_state(f->sa) != IKE_SA_DEAD ||
	    reason == NULL)
		abort();
}

static const struct ike_sa_cbs fz_cbs = {
	.established = fz_established,
	.child_gone = fz_child_gone,
	.down = fz_down,
};

/* ---- A tiny EAP server: Identity, then EAP-TLS Start, then the
 * fuzzer's sealed records carry the rest. ---- */

static int
eap_first(void *arg, struct wr *out)
{
	static const uint8_t req[] = { EAP_CODE_REQUEST, 0, 0, 5,
		EAP_TYPE_IDENTITY };

	(void)arg;
	wr_bytes(out, req, sizeof(req));
	return 0;
}

static int
eap_step(void *arg, const struct rd *resp, struct wr *out, bool *ret_done)
{
	struct fz *f = arg;
	const uint8_t req[] = { EAP_CODE_REQUEST, ++f->eap_id, 0, 6,
		EAP_TYPE_TLS, 0x20 };

	(void)resp;
	*ret_done = false;
	wr_bytes(out, req, sizeof(req));
	return 0;
}

static int
eap_msk(void *arg, struct rd *ret)
{
	(void)arg;
	(void)ret;
	return -EPROTO;
}

static const struct ike_peer_eap fz_eap = {
	.first = eap_first,
	.step = eap_step,
	.msk = eap_msk,
};

/* ---- Setting up ---- */

static void
addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in4->sin_family = AF_INET;
	in4->sin_port = htons(port);
	(void)inet_pton(AF_INET, ip, &in4->sin_addr);
}

static const struct rd ni_rd = { nonce_i, sizeof(nonce_i) };
static const struct rd nr_rd = { nonce_r, sizeof(nonce_r) };
static const struct rd gir_rd = { g_ir, sizeof(g_ir) };
static const struct rd priv_rd = { kex_priv, sizeof(kex_priv) };

static int
fz_new(struct fz *f, bool eap, size_t frag_size)
{
	struct ike_peer_conf pc = { .cert_obj = G.gw_cert,
		.issuer_obj = G.gw_issuer,
		.key_obj = G.gw_key,
		.id = FUZZ_GW_ID,
		.eap = eap,
		.eap_srv = &fz_eap,
		.eap_arg = f,
		.frag = true,
		.frag_size = frag_size,
		.nr = &nr_rd,
		.g_ir = &gir_rd,
		.kex_priv = &priv_rd,
		.spi_r = spi_r,
		.esp_spi = 0x5050 };
	int r;

	addr(&f->hooks.local, "198.51.100.10", 50000);
	addr(&f->hooks.remote, "192.0.2.10", 500);
	f->hooks = (struct ike_sa_hooks){ .send = fz_send,
		.send_arg = f,
		.spi_i = spi_i,
		.ni = &ni_rd,
		.g_ir = &gir_rd,
		.esp_spi = 0x4040,
		.local = f->hooks.local,
		.remote = f->hooks.remote,
		.now = 1795737600 };
	pc.client = f->hooks.local;
	pc.gateway = f->hooks.remote;
	f->creds = (struct ike_creds){ .cert = G.cert,
		.key = G.key,
		.roots = G.roots,
		.id = "fuzz@example.net",
		.gateway_id = FUZZ_GW_ID,
		.eap = eap,
		.force_encap = true };
	r = loop_new(&f->loop);
	if (r == 0)
		r = ike_sa_new(
		    f->loop, G.conf, &f->creds, NULL, &fz_cbs, f, &f->sa);
	if (r == 0) {
		f->sa->hooks = &f->hooks;
		r = ike_peer_new(&pc, &f->peer);
	}
	return r;
}

static void
fz_free(struct fz *f)
{
	ike_sa_free(f->sa);
	ike_peer_free(f->peer);
	for (size_t i = 0; i < f->n_sent; i++)
		buf_free(f->sent[i]);
	loop_free(f->loop);
}

static void
fz_deliver(struct fz *f)
{
	struct buf *batch[IKE_PEER_MAX_OUT];
	size_t n = f->peer->n_out;

	memcpy(batch, f->peer->out, n * sizeof(batch[0]));
	f->peer->n_out = 0;
	for (size_t i = 0; i < n; i++) {
		struct rd m = buf_rd(batch[i]);

		ike_sa_input(f->sa, &m);
		buf_free(batch[i]);
	}
}

/* Engine to peer and back, at most steps datagrams of the engine. */
static void
fz_pump(struct fz *f, size_t steps)
{
	while (f->n_fed < f->n_sent && steps-- > 0) {
		struct rd m = buf_rd(f->sent[f->n_fed++]);

		(void)ike_peer_input(f->peer, &m);
		fz_deliver(f);
	}
}

static int
fz_reach(struct fz *f, enum fz_state s)
{
	if (ike_sa_connect(f->sa, 0) < 0)
		return -1;
	switch (s) {
	case FZ_INIT_SENT:
		return 0;
	case FZ_AUTH_SENT_PUBKEY:
	case FZ_AUTH_SENT_EAP:
		fz_pump(f, 1);
		break;
	case FZ_EAP:
		fz_pump(f, 3);
		break;
	case FZ_ESTABLISHED:
	case FZ_DELETING:
		fz_pump(f, FUZZ_MAX_SENT);
		if (s == FZ_DELETING)
			ike_sa_delete(f->sa);
		break;
	default:
		break;
	}
	return 0;
}

/* ---- Records ---- */

static void
rec_sealed(struct fz *f, const uint8_t *p, size_t len)
{
	struct rd inner;

	if (len < 4 || f->peer->keys == NULL)
		return;
	inner = rd_make(p + 4, len - 4);
	if (ike_peer_seal(f->peer, p[0], p[1] & 1, p[2], &inner, p[3]) == 0)
		fz_deliver(f);
	else
		ike_peer_out_clear(f->peer);
}

static void
rec_run(struct fz *f, uint8_t kind, const uint8_t *p, size_t len)
{
	struct rd m = rd_make(p, len);

	switch (kind % 8) {
	case 0:
		ike_sa_input(f->sa, &m);
		break;
	case 1:
		rec_sealed(f, p, len);
		break;
	case 2:
		ike_xchg_timeout(f->sa);
		break;
	case 3:
		ike_sa_delete(f->sa);
		break;
	case 5:
	case 6:
		/* -ENOTCONN unless the SA is up; nothing else to check. */
		if ((kind % 8 == 5 ? ike_sa_rekey_child(f->sa)
				   : ike_sa_rekey_ike(f->sa)) == -ENOTCONN &&
		    ike_sa_state(f->sa) == IKE_SA_ESTABLISHED &&
		    f->sa->child.installed)
			abort();
		break;
	case 7:
		if (f->peer->keys != NULL && ike_peer_rekey_ike(f->peer) == 0)
			fz_deliver(f);
		else
			ike_peer_out_clear(f->peer);
		break;
	default:
		fz_pump(f, FUZZ_MAX_SENT);
		break;
	}
}

/* ---- The seed corpus (P2S_FUZZ_SEEDS=DIR) ---- */

struct seed {
	uint8_t b[8192];
	size_t len;
};

static void
seed_rec(struct seed *sd, uint8_t kind, const uint8_t *hdr, size_t hdr_len,
    const struct rd *body)
{
	size_t len = hdr_len + rd_left(body);

	if (sd->len + 3 + len > sizeof(sd->b))
		abort();
	sd->b[sd->len++] = kind;
	sd->b[sd->len++] = (uint8_t)(len >> 8);
	sd->b[sd->len++] = (uint8_t)len;
	if (hdr_len > 0)
		memcpy(sd->b + sd->len, hdr, hdr_len);
	if (rd_left(body) > 0)
		memcpy(sd->b + sd->len + hdr_len, body->p, rd_left(body));
	sd->len += len;
}

static void
seed_write(
    const char *dir, const char *name, unsigned st, const struct seed *sd)
{
	char path[4096];
	FILE *fp;

	(void)snprintf(path, sizeof(path), "%s/s%02x-%s", dir, st, name);
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(sd->b, 1, sd->len, fp) != sd->len)
		abort();
	(void)fclose(fp);
}

static void
seed_simple(const char *dir, unsigned st)
{
	static const struct rd none = { (const uint8_t *)"", 0 };
	struct seed sd = { .b = { (uint8_t)st }, .len = 1 };

	seed_rec(&sd, 4, NULL, 0, &none);
	seed_write(dir, "pump", st, &sd);
	sd.len = 1;
	for (int i = 0; i < 5; i++)
		seed_rec(&sd, 2, NULL, 0, &none);
	seed_write(dir, "timers", st, &sd);
	sd.len = 1;
	seed_rec(&sd, 3, NULL, 0, &none);
	seed_rec(&sd, 4, NULL, 0, &none);
	seed_write(dir, "delete", st, &sd);
}

/* What the responder says next in state st, as a record. */
static void
seed_next(const char *dir, unsigned st)
{
	struct seed sd = { .b = { (uint8_t)st }, .len = 1 };
	enum fz_state s = (enum fz_state)(st % FZ_STATES);
	struct fz f = { .n_sent = 0 };
	struct rd r;

	if (fz_new(&f, s == FZ_AUTH_SENT_EAP || s == FZ_EAP, 0) < 0 ||
	    fz_reach(&f, s) < 0)
		abort();
	buf_free(f.peer->last_inner);
	f.peer->last_inner = NULL;
	fz_pump(&f, 1);
	if (s == FZ_INIT_SENT && f.peer->init_resp != NULL) {
		r = buf_rd(f.peer->init_resp);
		seed_rec(&sd, 0, NULL, 0, &r);
	} else if (f.peer->last_inner != NULL) {
		r = buf_rd(f.peer->last_inner);
		seed_rec(&sd, 1, f.peer->last_hdr, 4, &r);
	}
	if (sd.len > 1)
		seed_write(dir, "next", st, &sd);
	fz_free(&f);
}

static void
seed_info(const char *dir, const char *name, uint8_t exchange,
    void (*build)(struct ike_pld_wr *))
{
	uint8_t b[1024], hdr[4] = { exchange, 0, 0, 0 };
	struct seed sd = { .b = { FZ_ESTABLISHED }, .len = 1 };
	struct ike_pld_wr pw;
	struct rd inner;

	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	if (build != NULL)
		build(&pw);
	if (ike_pld_wr_finish(&pw, &inner) < 0)
		abort();
	hdr[3] = pw.first;
	seed_rec(&sd, 1, hdr, 4, &inner);
	seed_rec(&sd, 1, hdr, 4, &inner); /* again: a retransmission */
	seed_write(dir, name, FZ_ESTABLISHED, &sd);
}

static void
build_del_ike(struct ike_pld_wr *pw)
{
	ike_pld_build_delete(
	    pw, &(struct ike_pld_delete){ .proto = IKE_PROTO_IKE });
}

static void
build_del_esp(struct ike_pld_wr *pw)
{
	ike_pld_build_delete(pw,
	    &(struct ike_pld_delete){
		.proto = IKE_PROTO_ESP, .n_spis = 1, .spis = { 0x5050 } });
}

static void
build_rekey(struct ike_pld_wr *pw)
{
	struct ike_pld_sa sa = { .n_props = 1,
		.props = { { .num = 1,
		    .proto = IKE_PROTO_ESP,
		    .spi_len = 4,
		    .spi = { 0, 0, 0x60, 1 },
		    .n_xforms = 2,
		    .xforms = { { .type = IKE_XFORM_ENCR,
				    .id = IKE_ENCR_AES_GCM_16,
				    .key_bits = 256 },
			{ .type = IKE_XFORM_ESN, .id = IKE_ESN_NO } } } } };
	struct ike_pld_ts ts;

	ike_pld_build_notify(pw,
	    &(struct ike_pld_notify){ .proto = IKE_PROTO_ESP,
		.type = IKE_N_REKEY_SA,
		.spi = { (const uint8_t *)"\0\0\x50\x50", 4 } });
	ike_pld_build_sa(pw, &sa);
	ike_pld_build_nonce(pw, &(struct ike_pld_nonce){ nr_rd });
	ike_ts_request(&ts);
	ike_pld_build_ts(pw, IKE_PLD_TSI, &ts);
	ike_pld_build_ts(pw, IKE_PLD_TSR, &ts);
}

/* Our rekeys and the responder's, each answered (then the next timer). */
static void
seed_rekeys(const char *dir)
{
	static const struct rd none = { (const uint8_t *)"", 0 };
	static const char *const names[] = { "rekey-child", "rekey-ike",
		"rekey-ike-gw" };

	for (uint8_t k = 0; k < 3; k++) {
		struct seed sd = { .b = { FZ_ESTABLISHED }, .len = 1 };

		seed_rec(&sd, (uint8_t)(5 + k), NULL, 0, &none);
		seed_rec(&sd, 4, NULL, 0, &none);
		seed_rec(&sd, 5, NULL, 0, &none);
		seed_rec(&sd, 4, NULL, 0, &none);
		seed_write(dir, names[k], FZ_ESTABLISHED, &sd);
	}
}

static void P2S_NORETURN
seeds(const char *dir)
{
	for (unsigned s = 0; s < FZ_STATES; s++) {
		seed_simple(dir, s);
		seed_simple(dir, s | 0x30); /* fragments of 192 bytes */
		seed_next(dir, s);
	}
	seed_info(dir, "info-empty", IKE_INFORMATIONAL, NULL);
	seed_info(dir, "info-del-ike", IKE_INFORMATIONAL, build_del_ike);
	seed_info(dir, "info-del-esp", IKE_INFORMATIONAL, build_del_esp);
	seed_info(dir, "child-rekey", IKE_CREATE_CHILD_SA, build_rekey);
	seed_rekeys(dir);
	exit(0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { .n_sent = 0 };
	struct rd in = rd_make(data, size);
	uint8_t st, kind;
	enum fz_state s;

	if (size > FUZZ_MAX_INPUT || !rd_u8(&in, &st))
		return 0;
	load_once();
	if (getenv("P2S_FUZZ_SEEDS") != NULL)
		seeds(getenv("P2S_FUZZ_SEEDS"));
	s = (enum fz_state)(st % FZ_STATES);
	if (fz_new(&f, s == FZ_AUTH_SENT_EAP || s == FZ_EAP,
		(st >> 4) != 0 ? 64u * (st >> 4) : 0) == 0 &&
	    fz_reach(&f, s) == 0) {
		for (unsigned i = 0; i < FUZZ_MAX_RECORDS; i++) {
			uint16_t len;
			struct rd body;

			if (!rd_u8(&in, &kind) || !rd_u16(&in, &len) ||
			    !rd_sub(&in,
				len < rd_left(&in) ? len : rd_left(&in), &body))
				break;
			rec_run(&f, kind, body.p, rd_left(&body));
		}
	}
	fz_free(&f);
	return 0;
}
