/* SPDX-License-Identifier: ISC */
/*
 * ike_peer.c: the scripted IKEv2 responder of the engine's tests (see
 * ike_peer.h).  RFC 7296 1.2, 2.6, 2.14-2.17, 2.23; RFC 7383.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "crypto.h"
#include "crypto_sig.h"
#include "ike_peer.h"
#include "ike_sk.h"

#define BUF_MAX	    65536
#define COOKIE_DATA "p2s-test-cookie-0123456789"

static int P2S_PRINTF(3, 4)
    peer_err(struct ike_peer *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	return err;
}

void
ike_peer_out_clear(struct ike_peer *p)
{
	for (size_t i = 0; i < p->n_out; i++)
		buf_free(p->out[i]);
	p->n_out = 0;
}

static int
out_add(struct ike_peer *p, const struct rd *msg)
{
	if (p->n_out == IKE_PEER_MAX_OUT)
		return -ENOSPC;
	p->out[p->n_out] = buf_dup_rd(msg);
	return p->out[p->n_out++] != NULL ? 0 : -ENOMEM;
}

static void
reasm_clear(struct ike_peer *p)
{
	for (size_t i = 0; i < IKE_MAX_FRAGMENTS; i++) {
		buf_free(p->reasm[i]);
		p->reasm[i] = NULL;
	}
	p->reasm_total = 0;
}

static int
peer_creds(struct ike_peer *p, const struct ike_peer_conf *conf)
{
	int r = 0;

	if (conf->cert_obj == NULL) {
		r = cert_load_file(conf->cert, &p->cert_own);
		if (r == 0 && conf->issuer != NULL)
			r = cert_load_file(conf->issuer, &p->issuer_own);
		if (r == 0)
			r = key_load_file(conf->key, &p->key_own);
	}
	p->cert = conf->cert_obj != NULL ? conf->cert_obj : p->cert_own;
	p->issuer = conf->cert_obj != NULL ? conf->issuer_obj : p->issuer_own;
	p->key = conf->cert_obj != NULL ? conf->key_obj : p->key_own;
	return r;
}

int
ike_peer_new(const struct ike_peer_conf *conf, struct ike_peer **ret)
{
	struct ike_peer *p = calloc(1, sizeof(*p));
	int r;

	if (p == NULL)
		return -ENOMEM;
	p->conf = *conf;
	r = peer_creds(p, conf);
	if (r == 0 && conf->spi_r != NULL)
		memcpy(p->spi_r, conf->spi_r, IKE_SPI_LEN);
	else if (r == 0)
		r = crypto_random(p->spi_r, IKE_SPI_LEN);
	p->my_spi = conf->esp_spi;
	while (r == 0 && p->my_spi < 256)
		r = crypto_random(&p->my_spi, sizeof(p->my_spi));
	if (r < 0) {
		ike_peer_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

void
ike_peer_free(struct ike_peer *p)
{
	if (p == NULL)
		return;
	ike_peer_out_clear(p);
	reasm_clear(p);
	cert_free(p->cert_own);
	cert_free(p->issuer_own);
	key_free(p->key_own);
	kex_free(p->kex);
	buf_free(p->ni);
	buf_free(p->nr);
	buf_free(p->init_req);
	buf_free(p->init_resp);
	buf_free(p->idi);
	buf_free(p->idr);
	buf_free(p->last_resp);
	buf_free(p->last_inner);
	ike_keys_free(p->keys);
	ike_keys_free(p->next_keys);
	buf_free(p->rk_ni);
	kex_free(p->rk_kex);
	ike_child_keys_done(&p->child);
	free(p);
}

/* ---- Sealing ---- */

static int
seal_one(struct ike_peer *p, const struct ike_hdr *h, uint8_t first,
    uint16_t num, uint16_t total, const struct rd *inner)
{
	size_t cap = IKE_HDR_LEN + IKE_PLD_HDR_LEN + 4 + rd_left(inner) +
	    ike_sk_overhead(p->keys, rd_left(inner));
	uint8_t *b = malloc(cap);
	struct ike_sk_layout lay;
	struct ike_pld_wr pw;
	struct rd msg;
	int r;

	if (b == NULL)
		return -ENOMEM;
	/* The builder refuses numbers past the caps: it writes legal ones,
	 * and the ones asked for (ike_peer_seal_frag()'s too) replace them
	 * before they are authenticated. */
	ike_pld_wr_init_msg(&pw, b, cap, h);
	ike_pld_build_sk(&pw, first, num != 0, total != 0, &lay);
	r = pw.err;
	if (r == 0 && num != 0) {
		wr_patch_u16(&pw.w, lay.sk_off + IKE_PLD_HDR_LEN, num);
		wr_patch_u16(&pw.w, lay.sk_off + IKE_PLD_HDR_LEN + 2, total);
		if (num > 1) /* Next Payload: only fragment 1 says */
			wr_patch_u8(&pw.w, lay.sk_off, 0);
	}
	if (r == 0)
		r = ike_sk_seal(p->keys, &pw.w, lay.sk_off, inner);
	if (r == 0)
		r = ike_pld_wr_finish(&pw, &msg);
	if (r == 0)
		r = out_add(p, &msg);
	free(b);
	return r;
}

int
ike_peer_seal(struct ike_peer *p, uint8_t exchange, bool response,
    uint32_t msgid, const struct rd *inner, uint8_t first)
{
	struct ike_hdr h = { .exchange = exchange,
		.msgid = msgid,
		.flags = (response ? IKE_FLAG_RESPONSE : 0) |
		    (p->initiator ? IKE_FLAG_INITIATOR : 0) };
	size_t room = p->conf.frag_size, total;
	struct buf *kept = buf_dup_rd(inner);
	struct rd whole, r, slice;
	int e = 0;

	/* inner may be p->last_inner itself (sealed again): from here on
	 * the copy is used. */
	if (kept == NULL)
		return -ENOMEM;
	buf_free(p->last_inner);
	p->last_inner = kept;
	whole = r = buf_rd(kept);
	memcpy(h.spi_i, p->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, p->spi_r, IKE_SPI_LEN);
	p->last_hdr[0] = exchange;
	p->last_hdr[1] = response;
	p->last_hdr[2] = (uint8_t)msgid;
	p->last_hdr[3] = first;
	if (room == 0 || rd_left(&whole) <= room || rd_left(&whole) == 0)
		return seal_one(p, &h, first, 0, 0, &whole);
	total = (rd_left(&whole) + room - 1) / room;
	if (total > IKE_MAX_FRAGMENTS)
		return -EMSGSIZE;
	for (size_t k = 0; k < total && e == 0; k++) {
		size_t n = rd_left(&r) < room ? rd_left(&r) : room;

		if (!rd_sub(&r, n, &slice))
			return -EINVAL;
		e = seal_one(
		    p, &h, first, (uint16_t)(k + 1), (uint16_t)total, &slice);
	}
	return e;
}

int
ike_peer_seal_frag(struct ike_peer *p, uint8_t exchange, bool response,
    uint32_t msgid, uint16_t num, uint16_t total, const struct rd *inner,
    uint8_t first)
{
	struct ike_hdr h = { .exchange = exchange,
		.msgid = msgid,
		.flags = response ? IKE_FLAG_RESPONSE : 0 };

	memcpy(h.spi_i, p->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, p->spi_r, IKE_SPI_LEN);
	return seal_one(p, &h, first, num, total, inner);
}

int
ike_peer_request(
    struct ike_peer *p, uint8_t exchange, const struct rd *inner, uint8_t first)
{
	return ike_peer_seal(p, exchange, false, p->my_msgid++, inner, first);
}

/* ---- IKE_SA_INIT ---- */

static int
natd(const struct ike_peer *p, const struct sockaddr_storage *ss,
    uint8_t ret[static CRYPTO_SHA1_LEN])
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
	struct rd v[4] = { rd_make(p->spi_i, IKE_SPI_LEN),
		rd_make(p->spi_r, IKE_SPI_LEN) };

	if (ss->ss_family == AF_INET6) {
		v[2] = rd_make(&in6->sin6_addr, 16);
		v[3] = rd_make(&in6->sin6_port, 2);
	} else {
		v[2] = rd_make(&in4->sin_addr, 4);
		v[3] = rd_make(&in4->sin_port, 2);
	}
	return crypto_sha1(v, 4, ret);
}

static void
notify(struct ike_pld_wr *pw, uint16_t type, const void *data, size_t len)
{
	ike_pld_build_notify(pw,
	    &(struct ike_pld_notify){
		.type = type, .data = rd_make(data, len) });
}

/* A notify-only IKE_SA_INIT answer. */
static int
init_notify(struct ike_peer *p, uint16_t type, const void *data, size_t len)
{
	struct ike_hdr h = { .exchange = IKE_SA_INIT,
		.flags = IKE_FLAG_RESPONSE };
	uint8_t b[256];
	struct ike_pld_wr pw;
	struct rd msg;
	int r;

	memcpy(h.spi_i, p->spi_i, IKE_SPI_LEN);
	ike_pld_wr_init_msg(&pw, b, sizeof(b), &h);
	notify(&pw, type, data, len);
	r = ike_pld_wr_finish(&pw, &msg);
	return r == 0 ? out_add(p, &msg) : r;
}

static const struct ike_xform *
xform_of(const struct ike_proposal *prop, uint8_t type)
{
	for (size_t i = 0; i < prop->n_xforms; i++)
		if (prop->xforms[i].type == type)
			return &prop->xforms[i];
	return NULL;
}

static bool
prop_has_group(const struct ike_proposal *prop, uint16_t group)
{
	for (size_t i = 0; i < prop->n_xforms; i++)
		if (prop->xforms[i].type == IKE_XFORM_DH &&
		    prop->xforms[i].id == group)
			return true;
	return false;
}

/* The first transform of each type of the first proposal with the KE's
 * group; *ret_suite for the keys. */
static int
choose_ike(const struct ike_pld_sa *sa, uint16_t group,
    struct ike_proposal *ret, struct ike_suite *ret_suite)
{
	for (size_t i = 0; i < sa->n_props; i++) {
		const struct ike_proposal *o = &sa->props[i];
		const struct ike_xform *e = xform_of(o, IKE_XFORM_ENCR);
		const struct ike_xform *f = xform_of(o, IKE_XFORM_PRF);
		const struct ike_xform *g = xform_of(o, IKE_XFORM_INTEG);

		if (!prop_has_group(o, group) || e == NULL || f == NULL)
			continue;
		*ret =
		    (struct ike_proposal){ .num = o->num, .proto = o->proto };
		ret->xforms[ret->n_xforms++] = *e;
		ret->xforms[ret->n_xforms++] = *f;
		if (g != NULL)
			ret->xforms[ret->n_xforms++] = *g;
		ret->xforms[ret->n_xforms++] =
		    (struct ike_xform){ .type = IKE_XFORM_DH, .id = group };
		*ret_suite = (struct ike_suite){ .encr = e->id,
			.encr_bits = e->key_bits,
			.integ = g != NULL ? g->id : IKE_INTEG_NONE,
			.prf = f->id };
		return 0;
	}
	return -ENOENT;
}

static int
init_keys(struct ike_peer *p, const struct ike_suite *suite,
    const struct ike_pld_ke *ke)
{
	struct buf *g_ir = NULL;
	struct rd s, ni, nr;
	int r;

	r = p->conf.kex_priv != NULL
	    ? kex_new_from_private(ke->group, p->conf.kex_priv, &p->kex)
	    : kex_new(ke->group, &p->kex);
	if (r == 0 && p->conf.g_ir != NULL)
		g_ir = buf_dup_secret(p->conf.g_ir->p, p->conf.g_ir->len);
	else if (r == 0)
		r = kex_derive(p->kex, &ke->data, &g_ir);
	if (r == 0 && g_ir == NULL)
		r = -ENOMEM;
	if (r == 0) {
		s = buf_rd(g_ir);
		ni = buf_rd(p->ni);
		nr = buf_rd(p->nr);
		r = ike_keys_new(
		    suite, &s, &ni, &nr, p->spi_i, p->spi_r, false, &p->keys);
	}
	buf_free(g_ir);
	return r;
}

static int
init_answer(struct ike_peer *p, const struct ike_proposal *prop, uint16_t group)
{
	struct ike_hdr h = { .exchange = IKE_SA_INIT,
		.flags = IKE_FLAG_RESPONSE };
	uint8_t b[4096], hs[CRYPTO_SHA1_LEN], hd[CRYPTO_SHA1_LEN], hashes[16];
	struct ike_pld_sa sa = { .n_props = 1, .props = { *prop } };
	struct sockaddr_storage seen = p->conf.client;
	struct wr hw = wr_make(hashes, sizeof(hashes));
	struct ike_pld_wr pw;
	struct rd msg;
	int r;

	if (p->conf.nat) /* another port than the client's */
		((struct sockaddr_in *)&seen)->sin_port ^= 0x4242;
	r = natd(p, &p->conf.gateway, hs);
	if (r == 0)
		r = natd(p, &seen, hd);
	memcpy(h.spi_i, p->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, p->spi_r, IKE_SPI_LEN);
	ike_pld_wr_init_msg(&pw, b, sizeof(b), &h);
	ike_pld_build_sa(&pw, &sa);
	ike_pld_build_ke(&pw,
	    &(struct ike_pld_ke){ .group = group, .data = kex_public(p->kex) });
	ike_pld_build_nonce(&pw, &(struct ike_pld_nonce){ buf_rd(p->nr) });
	notify(&pw, IKE_N_NAT_DETECTION_SOURCE_IP, hs, sizeof(hs));
	notify(&pw, IKE_N_NAT_DETECTION_DESTINATION_IP, hd, sizeof(hd));
	if (p->conf.frag)
		notify(&pw, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	crypto_sig_build_hashes(&hw);
	notify(&pw, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes, hw.len);
	if (r == 0)
		r = ike_pld_wr_finish(&pw, &msg);
	if (r == 0 && (p->init_resp = buf_dup_rd(&msg)) == NULL)
		r = -ENOMEM;
	return r == 0 ? out_add(p, &msg) : r;
}

static int
init_nonce(struct ike_peer *p, const struct ike_pld_chain *c)
{
	const struct ike_pld_ref *ref = ike_pld_find(c->v, c->n, IKE_PLD_NONCE);
	struct ike_pld_nonce n;

	if (ike_pld_parse_nonce(&ref->body, &n) < 0)
		return -EBADMSG;
	buf_free(p->ni);
	p->ni = buf_dup_rd(&n.data);
	if (p->conf.nr != NULL)
		p->nr = buf_dup_rd(p->conf.nr);
	else if ((p->nr = buf_new(32)) != NULL &&
	    crypto_random(p->nr->p, p->nr->len) < 0)
		return -EIO;
	return p->ni != NULL && p->nr != NULL ? 0 : -ENOMEM;
}

/* COOKIE, NO_PROPOSAL_CHOSEN and INVALID_KE_PAYLOAD, as configured;
 * 1 when answered that way. */
static int
init_refuse(struct ike_peer *p, const struct ike_pld_chain *c, uint16_t group)
{
	struct ike_pld_notify n;
	uint8_t g[2] = { (uint8_t)(p->conf.want_group >> 8),
		(uint8_t)p->conf.want_group };

	if (p->conf.cookie &&
	    (ike_pld_find_notify(c->v, c->n, IKE_N_COOKIE, &n) < 0 ||
		c->v[0].type != IKE_PLD_NOTIFY ||
		!rd_eq(&n.data,
		    &(struct rd){
			(const uint8_t *)COOKIE_DATA, strlen(COOKIE_DATA) })))
		return init_notify(p, IKE_N_COOKIE, COOKIE_DATA,
			   strlen(COOKIE_DATA)) == 0
		    ? 1
		    : -ENOMEM;
	if (p->conf.no_proposal)
		return init_notify(p, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0) == 0
		    ? 1
		    : -ENOMEM;
	if (p->conf.want_group != 0 && group != p->conf.want_group)
		return init_notify(p, IKE_N_INVALID_KE_PAYLOAD, g, 2) == 0
		    ? 1
		    : -ENOMEM;
	return 0;
}

/* A repeated IKE_SA_INIT (a retransmission) starts over. */
static void
init_reset(struct ike_peer *p)
{
	kex_free(p->kex);
	ike_keys_free(p->keys);
	buf_free(p->nr);
	buf_free(p->init_req);
	buf_free(p->init_resp);
	p->kex = NULL;
	p->keys = NULL;
	p->nr = p->init_req = p->init_resp = NULL;
}

static int
on_init(struct ike_peer *p, const struct rd *dgram, const struct ike_hdr *h,
    const struct ike_pld_chain *c)
{
	struct ike_pld_sa *sa = malloc(sizeof(*sa));
	struct ike_proposal prop;
	struct ike_suite suite;
	struct ike_pld_ke ke;
	struct ike_pld_notify n;
	int r;

	p->n_init++;
	memcpy(p->spi_i, h->spi_i, IKE_SPI_LEN);
	r = sa != NULL ? 0 : -ENOMEM;
	if (r == 0 &&
	    (ike_pld_parse_sa(&ike_pld_find(c->v, c->n, IKE_PLD_SA)->body, sa) <
		    0 ||
		ike_pld_parse_ke(
		    &ike_pld_find(c->v, c->n, IKE_PLD_KE)->body, &ke) < 0))
		r = peer_err(p, -EBADMSG, "malformed SA or KE");
	if (r == 0 && (r = init_refuse(p, c, ke.group)) == 1)
		r = 0;
	else if (r == 0) {
		if (ike_pld_find_notify(
			c->v, c->n, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n) == 0)
			(void)ike_pld_notify_hashes(&n, &p->client_hashes);
		init_reset(p);
		r = choose_ike(sa, ke.group, &prop, &suite);
		if (r < 0)
			r = peer_err(
			    p, r, "no proposal with group %u", ke.group);
		p->suite = suite;
		p->dh = ke.group;
		if (r == 0 && (r = init_nonce(p, c)) == 0 &&
		    (p->init_req = buf_dup_rd(dgram)) != NULL)
			r = init_keys(p, &suite, &ke);
		if (r == 0)
			r = init_answer(p, &prop, ke.group);
		p->next_msgid = 1;
	}
	free(sa);
	return r;
}

/* ---- Encrypted requests ---- */

static int
open_msg(struct ike_peer *p, const struct rd *dgram,
    const struct ike_pld_chain *c, struct buf **ret, uint8_t *ret_first)
{
	struct ike_pld_sk sk;
	struct buf *plain = NULL;
	size_t len = 0;
	int r;

	if (c->n != 1 ||
	    (c->v[0].type != IKE_PLD_SK && c->v[0].type != IKE_PLD_SKF))
		return peer_err(p, -EBADMSG, "not one SK payload");
	r = ike_pld_parse_sk(dgram, &c->v[0], &sk);
	if (r == 0)
		r = ike_sk_open(p->keys, &sk.msg, rd_left(&sk.aad), &plain);
	if (r < 0)
		return peer_err(p, r, "SK does not open");
	if (sk.frag_total == 0) {
		*ret = plain;
		*ret_first = sk.inner;
		return 1;
	}
	p->n_fragments++;
	if (p->reasm_total != sk.frag_total)
		reasm_clear(p);
	p->reasm_total = sk.frag_total;
	buf_free(p->reasm[sk.frag_num - 1]);
	p->reasm[sk.frag_num - 1] = plain;
	if (sk.frag_num == 1)
		p->reasm_inner = sk.inner;
	for (size_t i = 0; i < sk.frag_total; i++) {
		if (p->reasm[i] == NULL)
			return 0;
		len += p->reasm[i]->len;
	}
	*ret = buf_new(len);
	for (size_t i = 0, at = 0; *ret != NULL && i < sk.frag_total; i++) {
		memcpy((*ret)->p + at, p->reasm[i]->p, p->reasm[i]->len);
		at += p->reasm[i]->len;
	}
	*ret_first = p->reasm_inner;
	reasm_clear(p);
	return *ret != NULL ? 1 : -ENOMEM;
}

static int
answer(
    struct ike_peer *p, uint8_t exchange, uint32_t msgid, struct ike_pld_wr *pw)
{
	struct rd inner;
	int r = ike_pld_wr_finish(pw, &inner);

	if (r == 0)
		r = ike_peer_seal(p, exchange, true, msgid, &inner, pw->first);
	p->n_requests++;
	return r;
}

static const struct ike_pld_ref *
find(const struct ike_pld_chain *c, uint8_t type)
{
	return ike_pld_find(c->v, c->n, type);
}

/* 2.15: the client's AUTH by signature, with the key of its CERT. */
static int
check_sig_auth(struct ike_peer *p, const struct ike_pld_chain *c)
{
	struct ike_pld_cert pc;
	struct ike_pld_auth auth;
	struct cert *client = NULL;
	struct buf *octets = NULL;
	struct rd msg = buf_rd(p->init_req), nr = buf_rd(p->nr),
		  id = buf_rd(p->idi), oct;
	int r;

	if (find(c, IKE_PLD_CERT) == NULL || find(c, IKE_PLD_AUTH) == NULL)
		return peer_err(p, -EPROTO, "no CERT or AUTH from the client");
	r = ike_pld_parse_cert(&find(c, IKE_PLD_CERT)->body, &pc);
	if (r == 0)
		r = cert_load_der(&pc.data, &client);
	if (r == 0)
		r = ike_pld_parse_auth(&find(c, IKE_PLD_AUTH)->body, &auth);
	if (r == 0)
		r = ike_keys_signed_octets(
		    p->keys, true, &msg, &nr, &id, &octets);
	if (r == 0) {
		oct = buf_rd(octets);
		r = crypto_sig_verify(
		    client, auth.method, &auth.data, &oct, NULL, 0);
	}
	cert_free(client);
	buf_free(octets);
	p->client_auth_ok = r == 0;
	return r == 0 ? 0 : peer_err(p, r, "the client's AUTH does not verify");
}

static int
build_sig_auth(struct ike_peer *p, struct ike_pld_wr *pw)
{
	struct rd msg = buf_rd(p->init_resp), ni = buf_rd(p->ni),
		  id = buf_rd(p->idr), oct;
	uint8_t sig[2048];
	struct wr w = wr_make(sig, sizeof(sig));
	struct buf *octets = NULL;
	struct sig_alg alg;
	int r;

	r = ike_keys_signed_octets(p->keys, false, &msg, &ni, &id, &octets);
	if (r == 0)
		r = crypto_sig_choose(p->key, p->client_hashes, false, &alg);
	if (r == 0) {
		oct = buf_rd(octets);
		r = crypto_sig_sign(p->key, &alg, &oct, &w);
	}
	if (r == 0 && p->conf.bad_auth)
		sig[w.len - 1] ^= 0x01;
	if (r == 0)
		ike_pld_build_auth(pw,
		    &(struct ike_pld_auth){
			.method = alg.method, .data = rd_make(sig, w.len) });
	buf_free(octets);
	return r;
}

static int
build_identity(struct ike_peer *p, struct ike_pld_wr *pw)
{
	uint8_t b[300];
	struct wr w = wr_make(b, sizeof(b));
	struct ike_pld_id id = { .type = IKE_ID_FQDN,
		.data = rd_make(p->conf.id, strlen(p->conf.id)) };

	ike_pld_write_id_body(&w, &id);
	buf_free(p->idr);
	p->idr = buf_dup(b, w.len);
	if (p->idr == NULL)
		return -ENOMEM;
	ike_pld_build_raw(pw, IKE_PLD_IDR, false, &(struct rd){ b, w.len });
	ike_pld_build_cert(pw,
	    &(struct ike_pld_cert){
		.enc = IKE_CERT_X509_SIGN, .data = cert_der(p->cert) });
	for (size_t i = 0; i < cert_chain_len(p->cert); i++)
		ike_pld_build_cert(pw,
		    &(struct ike_pld_cert){ .enc = IKE_CERT_X509_SIGN,
			.data = cert_der(cert_chain_at(p->cert, i)) });
	if (p->issuer != NULL)
		ike_pld_build_cert(pw,
		    &(struct ike_pld_cert){ .enc = IKE_CERT_X509_SIGN,
			.data = cert_der(p->issuer) });
	return build_sig_auth(p, pw);
}

static int
esp_take(
    struct ike_peer *p, const struct ike_proposal *o, struct ike_proposal *ret)
{
	const struct ike_xform *e = xform_of(o, IKE_XFORM_ENCR);
	const struct ike_xform *g = xform_of(o, IKE_XFORM_INTEG);
	const struct ike_xform *n = xform_of(o, IKE_XFORM_ESN);

	if (e == NULL)
		return -EBADMSG;
	*ret = (struct ike_proposal){ .num = o->num,
		.proto = IKE_PROTO_ESP,
		.spi_len = 4,
		.n_xforms = 1,
		.xforms = { *e } };
	p->client_spi = 0;
	for (size_t i = 0; i < 4; i++) {
		ret->spi[i] = (uint8_t)(p->my_spi >> (24 - 8 * i));
		p->client_spi = p->client_spi << 8 | o->spi[i];
	}
	if (g != NULL)
		ret->xforms[ret->n_xforms++] = *g;
	if (n != NULL)
		ret->xforms[ret->n_xforms++] = *n;
	p->esp = (struct ike_suite){ .encr = e->id,
		.encr_bits = e->key_bits,
		.integ = g != NULL ? g->id : IKE_INTEG_NONE };
	return 0;
}

/* The client's first ESP proposal, kept for the answer that makes the
 * CHILD_SA (the first IKE_AUTH response, or the last after EAP). */
static int
keep_esp(struct ike_peer *p, const struct ike_pld_chain *c)
{
	const struct ike_pld_ref *ref = find(c, IKE_PLD_SA);
	struct ike_pld_sa *sa = malloc(sizeof(*sa));
	int r = sa != NULL && ref != NULL ? ike_pld_parse_sa(&ref->body, sa)
					  : -EBADMSG;

	if (r == 0 && sa->props[0].spi_len != 4)
		r = -EBADMSG;
	if (r == 0)
		p->client_esp = sa->props[0];
	free(sa);
	return r;
}

static void
ts_range(struct ike_ts *ts, const uint8_t *start, const uint8_t *end)
{
	*ts = (struct ike_ts){ .type = IKE_TS_IPV4_ADDR_RANGE,
		.end_port = 65535 };
	memcpy(ts->start, start, 4);
	memcpy(ts->end, end, 4);
}

/* CP(CFG_REPLY), SA, TSi, TSr; and the CHILD_SA keys on our side. */
static int
build_child(
    struct ike_peer *p, const struct ike_pld_chain *req, struct ike_pld_wr *pw)
{
	static const uint8_t vip[4] = { 172, 16, 201, 1 },
			     dns[4] = { 10, 1, 0, 4 }, net[4] = { 10, 1, 0, 0 },
			     bcast[4] = { 10, 1, 255, 255 };
	struct ike_pld_sa sa = { .n_props = 1 };
	struct ike_pld_cp cp = { .type = IKE_CFG_REPLY,
		.n_attrs = 2,
		.attrs = { { IKE_CFG_INTERNAL_IP4_ADDRESS, { vip, 4 } },
		    { IKE_CFG_INTERNAL_IP4_DNS, { dns, 4 } } } };
	struct ike_pld_ts tsi = { .n_ts = 1 }, tsr = { .n_ts = 1 };
	struct rd ni = buf_rd(p->ni), nr = buf_rd(p->nr);
	int r;

	(void)req;
	r = esp_take(p, &p->client_esp, &sa.props[0]);
	if (r < 0)
		return r;
	ts_range(&tsi.ts[0], vip, vip);
	ts_range(&tsr.ts[0], net, bcast);
	ike_pld_build_cp(pw, &cp);
	ike_pld_build_sa(pw, &sa);
	ike_pld_build_ts(pw, IKE_PLD_TSI, &tsi);
	ike_pld_build_ts(pw, IKE_PLD_TSR, &tsr);
	ike_child_keys_done(&p->child);
	r = ike_keys_child(p->keys, &p->esp, NULL, &ni, &nr, false, &p->child);
	p->have_child = r == 0;
	return r;
}

static int
keep_idi(struct ike_peer *p, const struct ike_pld_chain *c)
{
	struct ike_pld_id id;

	if (ike_pld_parse_id(&find(c, IKE_PLD_IDI)->body, &id) < 0)
		return peer_err(p, -EBADMSG, "malformed IDi");
	p->idi = buf_dup_rd(&id.raw);
	return p->idi != NULL ? 0 : -ENOMEM;
}

static int
on_auth_first(struct ike_peer *p, uint32_t msgid, const struct ike_pld_chain *c)
{
	uint8_t *b = malloc(BUF_MAX), eap[2048];
	struct wr ew = wr_make(eap, sizeof(eap));
	struct ike_pld_wr pw;
	int r = b != NULL ? keep_idi(p, c) : -ENOMEM;

	if (r == 0 && keep_esp(p, c) < 0)
		r = peer_err(p, -EBADMSG, "the client's ESP SA is malformed");
	if (r == 0 && !p->conf.eap && !p->conf.auth_failed)
		r = check_sig_auth(p, c);
	if (r < 0) {
		free(b);
		return r;
	}
	ike_pld_wr_init_chain(&pw, b, BUF_MAX);
	if (p->conf.auth_failed) {
		notify(&pw, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
	} else if ((r = build_identity(p, &pw)) == 0 && p->conf.eap) {
		r = p->conf.eap_srv->first(p->conf.eap_arg, &ew);
		ike_pld_build_raw(
		    &pw, IKE_PLD_EAP, false, &(struct rd){ eap, ew.len });
	} else if (r == 0 && p->conf.refuse_child)
		notify(&pw, IKE_N_TS_UNACCEPTABLE, NULL, 0);
	else if (r == 0)
		r = build_child(p, c, &pw);
	if (r == 0)
		r = answer(p, IKE_AUTH, msgid, &pw);
	free(b);
	return r;
}

static int
on_eap(struct ike_peer *p, uint32_t msgid, const struct ike_pld_chain *c)
{
	uint8_t out[4096], b[4200];
	struct wr w = wr_make(out, sizeof(out));
	struct ike_pld_wr pw;
	bool done = false;
	int r;

	r = p->conf.eap_srv->step(
	    p->conf.eap_arg, &find(c, IKE_PLD_EAP)->body, &w, &done);
	if (r < 0)
		return peer_err(p, r, "the EAP server refused the response");
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_raw(&pw, IKE_PLD_EAP, false, &(struct rd){ out, w.len });
	return answer(p, IKE_AUTH, msgid, &pw);
}

/* 2.16: the client's AUTH from the MSK, then ours and the CHILD_SA. */
static int
on_msk_auth(struct ike_peer *p, uint32_t msgid, const struct ike_pld_chain *c)
{
	struct rd msg = buf_rd(p->init_req), nr = buf_rd(p->nr),
		  id = buf_rd(p->idi), msk, oct;
	uint8_t mac[PRF_MAX_LEN], *b = malloc(BUF_MAX);
	struct buf *octets = NULL;
	struct ike_pld_auth auth;
	struct ike_pld_wr pw;
	int r = b != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = p->conf.eap_srv->msk(p->conf.eap_arg, &msk);
	if (r == 0)
		r = ike_pld_parse_auth(&find(c, IKE_PLD_AUTH)->body, &auth);
	if (r == 0)
		r = ike_keys_signed_octets(
		    p->keys, true, &msg, &nr, &id, &octets);
	oct = octets != NULL ? buf_rd(octets) : rd_make(NULL, 0);
	if (r == 0 &&
	    ike_keys_auth_psk_verify(p->keys, &msk, &oct, &auth.data) < 0)
		r = peer_err(p, -EACCES, "the client's MSK AUTH is wrong");
	p->client_auth_ok = r == 0;
	buf_free(octets);
	octets = NULL;
	msg = buf_rd(p->init_resp);
	nr = buf_rd(p->ni);
	id = buf_rd(p->idr);
	if (r == 0)
		r = ike_keys_signed_octets(
		    p->keys, false, &msg, &nr, &id, &octets);
	if (r == 0) {
		oct = buf_rd(octets);
		r = ike_keys_auth_psk(p->keys, &msk, &oct, mac, sizeof(mac));
	}
	if (r == 0 && p->conf.bad_msk_auth)
		mac[0] ^= 1;
	ike_pld_wr_init_chain(&pw, b, BUF_MAX);
	if (r == 0)
		ike_pld_build_auth(&pw,
		    &(struct ike_pld_auth){ .method = IKE_AUTH_SHARED_KEY_MIC,
			.data = rd_make(mac, prf_len(p->keys->prf)) });
	if (r == 0)
		r = build_child(p, c, &pw);
	if (r == 0)
		r = answer(p, IKE_AUTH, msgid, &pw);
	buf_free(octets);
	free(b);
	return r;
}

static int
on_info(struct ike_peer *p, uint32_t msgid, const struct ike_pld_chain *c)
{
	uint8_t b[64];
	struct ike_pld_wr pw;
	struct ike_pld_delete d;

	bool ike = false;
	int r;

	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].type != IKE_PLD_DELETE ||
		    ike_pld_parse_delete(&c->v[i].body, &d) < 0)
			continue;
		ike = ike || d.proto == IKE_PROTO_IKE;
		if (d.proto == IKE_PROTO_ESP && d.n_spis > 0)
			p->deleted_esp = d.spis[0];
	}
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	if (ike && p->next_keys != NULL && !p->next_initiator) {
		/* 2.18: the client rekeyed the IKE SA and deletes the old. */
		r = answer(p, IKE_INFORMATIONAL, msgid, &pw);
		ike_peer_switch(p);
		return r;
	}
	p->deleted = p->deleted || ike;
	return answer(p, IKE_INFORMATIONAL, msgid, &pw);
}

/* ---- CREATE_CHILD_SA: rekeys ---- */

void
ike_peer_switch(struct ike_peer *p)
{
	ike_keys_free(p->keys);
	p->keys = p->next_keys;
	p->next_keys = NULL;
	memcpy(p->spi_i, p->next_spi_i, IKE_SPI_LEN);
	memcpy(p->spi_r, p->next_spi_r, IKE_SPI_LEN);
	p->initiator = p->next_initiator;
	p->suite = p->next_suite;
	p->dh = p->next_dh;
	p->next_msgid = 0;
	p->my_msgid = 0;
	p->n_ike_rekeys++;
}

static int
rekey_refuse(struct ike_peer *p, uint32_t msgid)
{
	const uint8_t group[2] = { (uint8_t)(p->conf.refuse_rekey_group >> 8),
		(uint8_t)p->conf.refuse_rekey_group };
	uint8_t b[64];
	struct ike_pld_wr pw;

	p->n_refused++;
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	notify(&pw, p->conf.refuse_rekey, group,
	    p->conf.refuse_rekey == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
	return answer(p, IKE_CREATE_CHILD_SA, msgid, &pw);
}

/* Our KE for the client's, and g^ir (conf.g_ir when fixed, as the
 * client's test hooks fix it). */
static int
rekey_kex(struct ike_peer *p, const struct ike_pld_ke *ke, struct kex **ret,
    struct buf **ret_g_ir)
{
	const struct rd *fixed = p->conf.g_ir;
	int r = kex_new(ke->group, ret);

	if (r == 0 && fixed != NULL)
		r = (*ret_g_ir = buf_dup_secret(fixed->p, fixed->len)) != NULL
		    ? 0
		    : -ENOMEM;
	else if (r == 0)
		r = kex_derive(*ret, &ke->data, ret_g_ir);
	if (r < 0)
		(void)peer_err(p, r, "the client's rekey KE is unusable");
	return r;
}

static int
random_nonce(struct buf **ret)
{
	*ret = buf_new(32);
	if (*ret == NULL)
		return -ENOMEM;
	return crypto_random((*ret)->p, 32);
}

/* The client's CHILD_SA rekey: its first proposal (with the DH group of
 * its KE), a new SPI of ours, the keys of 2.17 from our side. */
static int
on_child_rekey(struct ike_peer *p, uint32_t msgid,
    const struct ike_pld_chain *c, const struct ike_pld_sa *sa,
    struct ike_pld_wr *pw)
{
	const struct ike_pld_ref *kr = find(c, IKE_PLD_KE);
	struct ike_pld_sa ans = { .n_props = 1 };
	struct ike_pld_nonce ni;
	struct ike_pld_ke ke = { 0 };
	struct kex *kex = NULL;
	struct buf *g_ir = NULL, *nr = NULL;
	struct rd g, n;
	int r;

	p->my_spi = 0;
	r = ike_pld_parse_nonce(&find(c, IKE_PLD_NONCE)->body, &ni);
	if (r == 0 && kr != NULL)
		r = ike_pld_parse_ke(&kr->body, &ke);
	while (r == 0 && p->my_spi < 256)
		r = crypto_random(&p->my_spi, sizeof(p->my_spi));
	if (r == 0)
		r = esp_take(p, &sa->props[0], &ans.props[0]);
	if (r == 0 && kr != NULL) {
		if (!prop_has_group(&sa->props[0], ke.group))
			return peer_err(
			    p, -EPROTO, "KE of a group not offered");
		ans.props[0].xforms[ans.props[0].n_xforms++] =
		    (struct ike_xform){ .type = IKE_XFORM_DH, .id = ke.group };
		r = rekey_kex(p, &ke, &kex, &g_ir);
	}
	if (r == 0)
		r = random_nonce(&nr);
	g = g_ir != NULL ? buf_rd(g_ir) : rd_make(NULL, 0);
	n = nr != NULL ? buf_rd(nr) : rd_make(NULL, 0);
	ike_child_keys_done(&p->child);
	if (r == 0)
		r = ike_keys_child(p->keys, &p->esp, g_ir != NULL ? &g : NULL,
		    &ni.data, &n, false, &p->child);
	if (r == 0) {
		ike_pld_build_sa(pw, &ans);
		ike_pld_build_nonce(pw, &(struct ike_pld_nonce){ .data = n });
		if (kex != NULL)
			ike_pld_build_ke(pw,
			    &(struct ike_pld_ke){
				.group = ke.group, .data = kex_public(kex) });
		ike_pld_build_raw(
		    pw, IKE_PLD_TSI, false, &find(c, IKE_PLD_TSI)->body);
		ike_pld_build_raw(
		    pw, IKE_PLD_TSR, false, &find(c, IKE_PLD_TSR)->body);
		r = answer(p, IKE_CREATE_CHILD_SA, msgid, pw);
	}
	p->have_child = r == 0;
	if (r == 0) {
		p->n_child_rekeys++;
		p->child_pfs = kex != NULL;
	}
	kex_free(kex);
	buf_free(g_ir);
	buf_free(nr);
	return r;
}

/* The proposal the chosen one answers to (its number), for its SPI. */
static const struct ike_proposal *
prop_numbered(const struct ike_pld_sa *sa, uint8_t num)
{
	for (size_t i = 0; i < sa->n_props; i++)
		if (sa->props[i].num == num)
			return &sa->props[i];
	return NULL;
}

/* The client's IKE SA rekey: the new keys wait for its DELETE of the
 * old SA (on_info). */
static int
on_ike_rekey(struct ike_peer *p, uint32_t msgid, const struct ike_pld_chain *c,
    const struct ike_pld_sa *sa, struct ike_pld_wr *pw)
{
	struct ike_proposal prop;
	const struct ike_proposal *theirs;
	struct ike_pld_nonce ni;
	struct ike_pld_ke ke;
	struct kex *kex = NULL;
	struct buf *g_ir = NULL, *nr = NULL;
	struct rd g, n;
	int r;

	r = ike_pld_parse_nonce(&find(c, IKE_PLD_NONCE)->body, &ni);
	if (r == 0)
		r = ike_pld_parse_ke(&find(c, IKE_PLD_KE)->body, &ke);
	if (r == 0 && choose_ike(sa, ke.group, &prop, &p->next_suite) < 0)
		return peer_err(p, -EPROTO, "no IKE proposal for the rekey");
	theirs = r == 0 ? prop_numbered(sa, prop.num) : NULL;
	if (r == 0 && (theirs == NULL || theirs->spi_len != IKE_SPI_LEN))
		return peer_err(p, -EPROTO, "the rekey's SPI is not 8 bytes");
	if (r == 0) {
		memcpy(p->next_spi_i, theirs->spi, IKE_SPI_LEN);
		r = crypto_random(p->next_spi_r, IKE_SPI_LEN);
	}
	prop.spi_len = IKE_SPI_LEN;
	memcpy(prop.spi, p->next_spi_r, IKE_SPI_LEN);
	if (r == 0)
		r = rekey_kex(p, &ke, &kex, &g_ir);
	if (r == 0)
		r = random_nonce(&nr);
	if (r == 0) {
		g = buf_rd(g_ir);
		n = buf_rd(nr);
		ike_keys_free(p->next_keys);
		p->next_keys = NULL;
		r = ike_keys_rekey(p->keys, &p->next_suite, &g, &ni.data, &n,
		    p->next_spi_i, p->next_spi_r, false, &p->next_keys);
	}
	if (r == 0) {
		p->next_dh = ke.group;
		p->next_initiator = false;
		ike_pld_build_sa(pw,
		    &(struct ike_pld_sa){ .n_props = 1, .props = { prop } });
		ike_pld_build_nonce(pw, &(struct ike_pld_nonce){ .data = n });
		ike_pld_build_ke(pw,
		    &(struct ike_pld_ke){
			.group = ke.group, .data = kex_public(kex) });
		r = answer(p, IKE_CREATE_CHILD_SA, msgid, pw);
	}
	kex_free(kex);
	buf_free(g_ir);
	buf_free(nr);
	return r;
}

static int
on_create_child(
    struct ike_peer *p, uint32_t msgid, const struct ike_pld_chain *c)
{
	uint8_t *b = malloc(BUF_MAX);
	struct ike_pld_sa *sa = malloc(sizeof(*sa));
	struct ike_pld_wr pw;
	int r = b != NULL && sa != NULL ? 0 : -ENOMEM;

	if (r == 0 && p->conf.refuse_rekey != 0 &&
	    (p->conf.refuse_rekey_times == 0 ||
		p->n_refused < p->conf.refuse_rekey_times)) {
		free(b);
		free(sa);
		return rekey_refuse(p, msgid);
	}
	if (r == 0 &&
	    (find(c, IKE_PLD_SA) == NULL || find(c, IKE_PLD_NONCE) == NULL ||
		ike_pld_parse_sa(&find(c, IKE_PLD_SA)->body, sa) < 0))
		r = peer_err(p, -EBADMSG, "a malformed CREATE_CHILD_SA");
	if (r == 0)
		ike_pld_wr_init_chain(&pw, b, BUF_MAX);
	if (r == 0 && find(c, IKE_PLD_TSI) == NULL)
		r = on_ike_rekey(p, msgid, c, sa, &pw);
	else if (r == 0)
		r = on_child_rekey(p, msgid, c, sa, &pw);
	free(b);
	free(sa);
	return r;
}

/* ---- Our own IKE SA rekey ---- */

int
ike_peer_rekey_ike(struct ike_peer *p)
{
	struct ike_proposal prop = {
		.num = 1, .proto = IKE_PROTO_IKE, .spi_len = IKE_SPI_LEN
	};
	uint8_t b[1024];
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	prop.xforms[prop.n_xforms++] =
	    (struct ike_xform){ .type = IKE_XFORM_ENCR,
		    .id = p->suite.encr,
		    .key_bits = (uint16_t)p->suite.encr_bits };
	if (p->suite.integ != IKE_INTEG_NONE)
		prop.xforms[prop.n_xforms++] =
		    (struct ike_xform){ .type = IKE_XFORM_INTEG,
			    .id = p->suite.integ };
	prop.xforms[prop.n_xforms++] =
	    (struct ike_xform){ .type = IKE_XFORM_PRF, .id = p->suite.prf };
	prop.xforms[prop.n_xforms++] =
	    (struct ike_xform){ .type = IKE_XFORM_DH, .id = p->dh };
	r = crypto_random(p->next_spi_i, IKE_SPI_LEN);
	memcpy(prop.spi, p->next_spi_i, IKE_SPI_LEN);
	buf_free(p->rk_ni);
	p->rk_ni = NULL;
	kex_free(p->rk_kex);
	p->rk_kex = NULL;
	if (r == 0)
		r = random_nonce(&p->rk_ni);
	if (r == 0)
		r = kex_new(p->dh, &p->rk_kex);
	if (r < 0)
		return r;
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_sa(
	    &pw, &(struct ike_pld_sa){ .n_props = 1, .props = { prop } });
	ike_pld_build_nonce(
	    &pw, &(struct ike_pld_nonce){ .data = buf_rd(p->rk_ni) });
	ike_pld_build_ke(&pw,
	    &(struct ike_pld_ke){
		.group = p->dh, .data = kex_public(p->rk_kex) });
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_peer_request(p, IKE_CREATE_CHILD_SA, &inner, pw.first);
	p->rekeying_ike = r == 0;
	return r;
}

/* The client's answer: the new keys (we initiated), then our DELETE of
 * the old IKE SA under the old keys. */
static int
on_ike_rekey_answer(struct ike_peer *p, const struct ike_pld_chain *c)
{
	struct ike_pld_sa *sa = malloc(sizeof(*sa));
	struct ike_pld_nonce nr;
	struct ike_pld_ke ke;
	struct buf *g_ir = NULL;
	struct rd ni = buf_rd(p->rk_ni), g;
	uint8_t b[64];
	struct ike_pld_wr pw;
	struct rd inner;
	int r = sa != NULL ? 0 : -ENOMEM;

	p->rekeying_ike = false;
	if (r == 0 &&
	    (find(c, IKE_PLD_SA) == NULL || find(c, IKE_PLD_KE) == NULL ||
		find(c, IKE_PLD_NONCE) == NULL))
		r = peer_err(p, -EPROTO, "the client refused our IKE rekey");
	if (r == 0)
		r = ike_pld_parse_sa(&find(c, IKE_PLD_SA)->body, sa);
	if (r == 0 && sa->props[0].spi_len != IKE_SPI_LEN)
		r = peer_err(p, -EPROTO, "the client's new SPI is not 8 bytes");
	if (r == 0)
		memcpy(p->next_spi_r, sa->props[0].spi, IKE_SPI_LEN);
	free(sa);
	if (r == 0)
		r = ike_pld_parse_nonce(&find(c, IKE_PLD_NONCE)->body, &nr);
	if (r == 0)
		r = ike_pld_parse_ke(&find(c, IKE_PLD_KE)->body, &ke);
	if (r == 0 && p->conf.g_ir != NULL)
		r = (g_ir = buf_dup_secret(p->conf.g_ir->p, p->conf.g_ir->len))
		    ? 0
		    : -ENOMEM;
	else if (r == 0)
		r = kex_derive(p->rk_kex, &ke.data, &g_ir);
	if (r == 0) {
		g = buf_rd(g_ir);
		p->next_suite = p->suite;
		p->next_dh = p->dh;
		p->next_initiator = true;
		ike_keys_free(p->next_keys);
		p->next_keys = NULL;
		r = ike_keys_rekey(p->keys, &p->suite, &g, &ni, &nr.data,
		    p->next_spi_i, p->next_spi_r, true, &p->next_keys);
	}
	buf_free(g_ir);
	if (r < 0)
		return r;
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_delete(
	    &pw, &(struct ike_pld_delete){ .proto = IKE_PROTO_IKE });
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_peer_request(p, IKE_INFORMATIONAL, &inner, pw.first);
	p->deleting_old = r == 0;
	return r;
}

static int
on_request(
    struct ike_peer *p, const struct ike_hdr *h, const struct ike_pld_chain *c)
{
	if (h->msgid != p->next_msgid)
		return peer_err(p, -EPROTO, "message ID %u, expected %u",
		    h->msgid, p->next_msgid);
	p->next_msgid++;
	if (h->exchange == IKE_INFORMATIONAL)
		return on_info(p, h->msgid, c);
	if (h->exchange == IKE_CREATE_CHILD_SA)
		return on_create_child(p, h->msgid, c);
	if (h->exchange != IKE_AUTH)
		return peer_err(p, -EPROTO, "exchange %u", h->exchange);
	if (find(c, IKE_PLD_IDI) != NULL)
		return on_auth_first(p, h->msgid, c);
	if (find(c, IKE_PLD_EAP) != NULL && p->conf.eap)
		return on_eap(p, h->msgid, c);
	if (find(c, IKE_PLD_AUTH) != NULL && p->conf.eap)
		return on_msk_auth(p, h->msgid, c);
	return peer_err(p, -EPROTO, "an IKE_AUTH request we did not expect");
}

static int on_ike_rekey_answer(struct ike_peer *, const struct ike_pld_chain *);

/* The client's response to one of our requests: kept for the test;
 * our IKE SA rekey goes on. */
static int
on_response(struct ike_peer *p, const struct buf *inner, uint8_t first,
    const struct ike_pld_chain *c)
{
	buf_free(p->last_resp);
	p->last_resp = buf_dup(inner->p, inner->len);
	p->last_resp_first = first;
	if (p->last_resp == NULL)
		return -ENOMEM;
	if (p->rekeying_ike)
		return on_ike_rekey_answer(p, c);
	if (p->deleting_old) {
		p->deleting_old = false;
		ike_peer_switch(p);
	}
	return 0;
}

static int
on_encrypted(struct ike_peer *p, const struct rd *dgram,
    const struct ike_hdr *h, const struct ike_pld_chain *outer)
{
	struct ike_pld_chain c;
	struct buf *inner = NULL;
	uint8_t first = 0, crit;
	int r;

	if (p->keys == NULL)
		return peer_err(p, -EPROTO, "no keys yet");
	r = open_msg(p, dgram, outer, &inner, &first);
	if (r <= 0)
		return r;
	if (inner == NULL)
		return peer_err(p, -ENOMEM, "out of memory");
	r = ike_pld_split(
	    &(struct rd){ inner->p, inner->len }, first, &c, &crit);
	if (r < 0)
		r = peer_err(p, r, "the client's inner payloads are malformed");
	else if (h->flags & IKE_FLAG_RESPONSE)
		r = on_response(p, inner, first, &c);
	else
		r = on_request(p, h, &c);
	buf_free(inner);
	return r;
}

int
ike_peer_input(struct ike_peer *p, const struct rd *dgram)
{
	struct ike_pld_chain c;
	struct ike_hdr h;
	struct rd chain;
	uint8_t crit;
	int r;

	p->error[0] = '\0';
	r = ike_hdr_parse(dgram, &h, &chain);
	if (r == 0)
		r = ike_pld_split(&chain, h.next, &c, &crit);
	if (r < 0)
		return peer_err(p, r, "malformed message");
	if (((h.flags & IKE_FLAG_INITIATOR) != 0) == p->initiator)
		return peer_err(p, -EPROTO, "the initiator flag is wrong");
	if (h.exchange == IKE_SA_INIT)
		return on_init(p, dgram, &h, &c);
	return on_encrypted(p, dgram, &h, &c);
}
