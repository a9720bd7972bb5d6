/* SPDX-License-Identifier: ISC */
/*
 * ike_xchg_rekey.c: our own rekeys, before the gateway would need to.
 * Each has a timer: the profile's lifetime (conf->lifetime) minus 0..10%
 * at random, so that the clients of one gateway spread out; the kernel's
 * XFRM soft expire may ask for the CHILD_SA's sooner (ike_sa_rekey_child).
 *
 * The CHILD_SA, make before break (RFC 7296 1.3.3, 2.8): the new SA is
 * negotiated and installed while the old one carries traffic; only then
 * is the old one deleted, and the daemon removes it once the gateway
 * answered that DELETE, so a packet the gateway sent on the old SA in
 * the meantime still arrives.  KEi goes along when the profile's ESP
 * proposals name a DH group (PFS, 1.3.1; KEYMAT from the new g^ir, 2.17).
 *
 *   Our request                                  The gateway's response
 *   HDR, SK{N(REKEY_SA), SA, Ni, [KEi], TSi, TSr} -->
 *                                 <--  HDR, SK{SA, Nr, [KEr], TSi, TSr}
 *   HDR, SK{D(ESP, old inbound SPI)}       -->  HDR, SK{D(ESP, ...)}
 *
 * The IKE SA (1.3.2, 2.18): a new SPI of ours in the SA payload, Ni and
 * KEi; the keys from the old SK_d and the new g^ir (ike_keys_rekey); the
 * old IKE SA deleted under its own keys, then the new one takes over with
 * message IDs from 0.  The CHILD_SA moves along untouched (same ESP keys).
 *
 *   HDR, SK{SA, Ni, KEi}                   -->  HDR, SK{SA, Nr, KEr}
 *   HDR(old), SK{D(IKE)}                   -->  HDR(old), SK{}
 *
 * Answers that refuse (1.3, 2.25, 3.10.1): TEMPORARY_FAILURE (the gateway
 * is rekeying itself: a collision) means try again in a few seconds;
 * INVALID_KE_PAYLOAD means try again with the group it names if we offer
 * it; anything else (NO_ADDITIONAL_SAS, CHILD_SA_NOT_FOUND,
 * NO_PROPOSAL_CHOSEN) ends the IKE SA, and the daemon reconnects, which
 * rekeys everything the long way.  Collisions the other way round are
 * answered with TEMPORARY_FAILURE (ike_xchg_child.c), so two rekeys of
 * one SA never both complete.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "ike_int.h"
#include "loop.h"
#include "names.h"

#define REKEY_MAX	     1024 /* bytes: our CREATE_CHILD_SA inner chain */
#define REKEY_JITTER_DIV     10	  /* up to 1/10 of the lifetime earlier */
#define REKEY_BUSY_MS	     1000 /* another exchange is in flight */
#define REKEY_RETRY_MS	     2000 /* TEMPORARY_FAILURE: at least this */
#define REKEY_RETRY_SPAN_MS  8000 /* ... plus up to this, at random */
#define REKEY_MAX_INVALID_KE 2	  /* INVALID_KE_PAYLOAD retries */

/* ---- Timers ---- */

static uint64_t
jittered_ms(struct ike_sa *sa, uint32_t seconds)
{
	uint64_t ms = (uint64_t)seconds * 1000, span = ms / REKEY_JITTER_DIV;
	uint32_t rnd = 0;

	if (span > 0 && ike_sa_random(sa, &rnd, sizeof(rnd)) == 0)
		ms -= rnd % span;
	return ms;
}

void
ike_rekey_schedule(struct ike_sa *sa, bool ike)
{
	uint64_t ms;

	if (ike) {
		ms = jittered_ms(sa, sa->conf->lifetime.ike);
		sa->rekey_ike_at = loop_now_ms() + ms;
		(void)timer_set(sa->t_rekey_ike, ms);
	} else {
		ms = jittered_ms(sa, sa->conf->lifetime.child);
		(void)timer_set(sa->t_rekey_child, ms);
	}
	sa_debug(sa, "%s rekey in %llu s", ike ? "IKE SA" : "CHILD_SA",
	    (unsigned long long)ms / 1000);
}

static void
on_rekey_child(void *arg)
{
	struct ike_sa *sa = arg;

	(void)ike_rekey_child_start(sa);
}

static void
on_rekey_ike(void *arg)
{
	struct ike_sa *sa = arg;

	(void)ike_rekey_ike_start(sa);
}

int
ike_rekey_init(struct ike_sa *sa)
{
	int r = timer_new(sa->loop, on_rekey_child, sa, &sa->t_rekey_child);

	if (r == 0)
		r = timer_new(sa->loop, on_rekey_ike, sa, &sa->t_rekey_ike);
	return r;
}

static void
rk_clear(struct ike_sa *sa)
{
	struct ike_rekey *rk = &sa->rk;

	buf_free(rk->ni);
	kex_free(rk->kex);
	free(rk->offer);
	*rk = (struct ike_rekey){ .want_group = rk->want_group,
		.want_for = rk->want_for };
}

static void
next_clear(struct ike_sa *sa)
{
	ike_keys_free(sa->next.keys);
	sa->next = (struct ike_next){ .pending = false };
}

void
ike_rekey_done(struct ike_sa *sa)
{
	timer_free(sa->t_rekey_child);
	sa->t_rekey_child = NULL;
	timer_free(sa->t_rekey_ike);
	sa->t_rekey_ike = NULL;
	sa->rekey_ike_at = 0;
	rk_clear(sa);
	next_clear(sa);
}

/* ---- Shared pieces ---- */

int
ike_rekey_nonce(struct ike_sa *sa, struct buf **ret)
{
	struct buf *b = buf_new(IKE_NONCE_LEN);
	int r;

	/* Never a test's fixed nonce: a rekey's must differ from every
	 * other (2.10). */
	if (b == NULL)
		return -ENOMEM;
	r = ike_sa_random(sa, b->p, IKE_NONCE_LEN);
	if (r < 0) {
		buf_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

int
ike_rekey_g_ir(
    struct ike_sa *sa, struct kex *kex, const struct rd *peer, struct buf **ret)
{
	const struct rd *fixed = sa->hooks != NULL ? sa->hooks->g_ir : NULL;

	if (fixed != NULL) {
		*ret = buf_dup_secret(fixed->p, fixed->len);
		return *ret != NULL ? 0 : -ENOMEM;
	}
	return kex_derive(kex, peer, ret);
}

/* Our request can go now: the SA is up and no exchange of ours is in
 * flight (the window is 1); else the timer tries again shortly. */
static bool
can_start(struct ike_sa *sa, struct timer *t)
{
	if (sa->state == IKE_SA_ESTABLISHED && !sa->xchg.active &&
	    !sa->next.pending && !sa->child_old.installed)
		return true;
	if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING)
		(void)timer_set(t, REKEY_BUSY_MS);
	return false;
}

/* The KE of our request: the group INVALID_KE_PAYLOAD asked for when it
 * answered this kind of rekey, else the one given. */
static int
rk_kex(
    struct ike_sa *sa, enum ike_req req, uint16_t group, struct ike_pld_wr *pw)
{
	struct ike_rekey *rk = &sa->rk;
	int r;

	if (rk->want_group != 0 && rk->want_for == req)
		group = rk->want_group;
	if (group == 0)
		return 0;
	r = kex_new(group, &rk->kex);
	if (r == 0)
		ike_pld_build_ke(pw,
		    &(struct ike_pld_ke){
			.group = group, .data = kex_public(rk->kex) });
	return r;
}

static int
rk_send(struct ike_sa *sa, enum ike_req req, uint8_t *b, struct ike_pld_wr *pw)
{
	struct rd inner;
	int r;

	r = ike_pld_wr_finish(pw, &inner);
	if (r == 0)
		r = ike_msg_send_request(
		    sa, IKE_CREATE_CHILD_SA, &inner, pw->first);
	free(b);
	if (r < 0) {
		rk_clear(sa);
		return r;
	}
	sa->rk.req = req;
	ike_sa_set_state(sa, IKE_SA_REKEYING,
	    req == IKE_REQ_REKEY_IKE ? "rekeying the IKE SA"
				     : "rekeying the CHILD_SA");
	return 0;
}

/* ---- Our CHILD_SA rekey ---- */

static int
child_request(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	const struct conf_proposals *cp = &sa->conf->proposals;
	struct ike_rekey *rk = &sa->rk;
	uint8_t spi[4], old[4];
	struct ike_pld_ts tsi, tsr;
	int r;

	r = ike_child_spi_new(sa, &rk->spi_in);
	for (size_t i = 0; i < 4; i++) {
		spi[i] = (uint8_t)(rk->spi_in >> (24 - 8 * i));
		old[i] = (uint8_t)(sa->child.spi_in >> (24 - 8 * i));
	}
	rk->offer = malloc(sizeof(*rk->offer));
	if (r == 0 && rk->offer == NULL)
		r = -ENOMEM;
	if (r == 0)
		r = ike_proposal_offer_rekey(
		    cp->esp, cp->n_esp, IKE_PROTO_ESP, spi, rk->offer);
	if (r == 0)
		r = ike_rekey_nonce(sa, &rk->ni);
	if (r < 0)
		return r;
	/* 1.3.3: REKEY_SA names the SA by the SPI we receive on. */
	ike_pld_build_notify(pw,
	    &(struct ike_pld_notify){ .proto = IKE_PROTO_ESP,
		.type = IKE_N_REKEY_SA,
		.spi = rd_make(old, 4) });
	ike_pld_build_sa(pw, rk->offer);
	ike_pld_build_nonce(
	    pw, &(struct ike_pld_nonce){ .data = buf_rd(rk->ni) });
	r = rk_kex(sa, IKE_REQ_REKEY_CHILD,
	    ike_proposal_first_group(cp->esp, cp->n_esp), pw);
	ike_ts_from_child(
	    sa->child_last->ts_local, sa->child_last->n_ts_local, &tsi);
	ike_ts_from_child(
	    sa->child_last->ts_remote, sa->child_last->n_ts_remote, &tsr);
	ike_pld_build_ts(pw, IKE_PLD_TSI, &tsi);
	ike_pld_build_ts(pw, IKE_PLD_TSR, &tsr);
	return r;
}

/* Our CREATE_CHILD_SA: the request build() makes, sent, or tried again
 * shortly if it cannot be. */
static int
rk_start(struct ike_sa *sa, enum ike_req req,
    int (*build)(struct ike_sa *, struct ike_pld_wr *))
{
	bool ike = req == IKE_REQ_REKEY_IKE;
	uint8_t *b = malloc(REKEY_MAX);
	struct ike_pld_wr pw;
	int r;

	if (b == NULL)
		r = -ENOMEM;
	else {
		ike_pld_wr_init_chain(&pw, b, REKEY_MAX);
		r = build(sa, &pw);
	}
	if (r == 0)
		r = rk_send(sa, req, b, &pw);
	else {
		free(b);
		rk_clear(sa);
	}
	if (r < 0) {
		sa_warn(sa, "cannot rekey the %s: %s",
		    ike ? "IKE SA" : "CHILD_SA", strerror(-r));
		(void)timer_set(
		    ike ? sa->t_rekey_ike : sa->t_rekey_child, REKEY_BUSY_MS);
	}
	return r;
}

int
ike_rekey_child_start(struct ike_sa *sa)
{
	int r;

	if (!sa->child.installed || sa->child_last == NULL)
		return -ENOTCONN;
	if (!can_start(sa, sa->t_rekey_child))
		return 0;
	r = rk_start(sa, IKE_REQ_REKEY_CHILD, child_request);
	if (r == 0)
		sa_info(sa, "rekeying CHILD_SA %08x_i %08x_o (new %08x_i%s)",
		    sa->child.spi_in, sa->child.spi_out, sa->rk.spi_in,
		    sa->rk.kex != NULL ? ", PFS" : "");
	return r;
}

/* SA, Nr and, when the choice has a DH group, KEr: the new ESP keys. */
static int
child_keys(struct ike_sa *sa, const struct ike_msg *m, struct ike_child *c,
    struct ike_child_keys *keys, char *why, size_t why_len)
{
	struct ike_pld_sa *chosen = malloc(sizeof(*chosen));
	const struct ike_pld_ref *ke =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_KE);
	struct ike_pld_nonce nr;
	struct ike_pld_ke kep;
	struct buf *g_ir = NULL;
	struct rd ni = buf_rd(sa->rk.ni), s;
	uint16_t dh = 0;
	int r = chosen != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = ike_pld_parse_sa(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_SA)->body, chosen);
	if (r == 0)
		r = ike_proposal_check(sa->rk.offer, chosen, &c->esp, &dh,
		    &c->spi_out, why, why_len);
	free(chosen);
	if (r == 0 && c->spi_out < 256)
		r = -EPROTO; /* RFC 4303 2.1 */
	if (r == 0)
		r = ike_pld_parse_nonce(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_NONCE)->body, &nr);
	if (r == 0 && (dh != 0) != (ke != NULL))
		r = -EPROTO; /* a group needs a KE and a KE a group (1.3.1) */
	if (r == 0 && ke != NULL &&
	    (ike_pld_parse_ke(&ke->body, &kep) < 0 || sa->rk.kex == NULL ||
		kep.group != dh || dh != kex_group(sa->rk.kex)))
		r = -EPROTO;
	if (r == 0 && ke != NULL)
		r = ike_rekey_g_ir(sa, sa->rk.kex, &kep.data, &g_ir);
	s = g_ir != NULL ? buf_rd(g_ir) : rd_make(NULL, 0);
	if (r == 0)
		r = ike_keys_child(sa->keys, &c->esp, g_ir != NULL ? &s : NULL,
		    &ni, &nr.data, true, keys);
	buf_free(g_ir);
	if (r == 0)
		c->keys = keys;
	return r;
}

/* The new SA is in: the old one is deleted, the daemon drops it once
 * the gateway answers (make before break). */
static void
child_swap(struct ike_sa *sa, const struct ike_child *c)
{
	struct ike_pld_delete d = { .proto = IKE_PROTO_ESP, .n_spis = 1 };
	uint8_t b[64];
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	sa_info(sa, "CHILD_SA rekeyed: %08x_i %08x_o replace %08x_i %08x_o",
	    c->spi_in, c->spi_out, sa->child.spi_in, sa->child.spi_out);
	sa->child_old = sa->child;
	sa->child = (struct ike_child_sa){ .spi_in = c->spi_in,
		.spi_out = c->spi_out,
		.esp = c->esp,
		.installed = true };
	*sa->child_last = *c;
	sa->child_last->keys = NULL;
	sa->n_child_rekeys++;
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED, "CHILD_SA rekeyed");
	ike_rekey_schedule(sa, false);
	d.spis[0] = sa->child_old.spi_in;
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_delete(&pw, &d);
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_request(
		    sa, IKE_INFORMATIONAL, &inner, pw.first);
	if (r == 0) {
		sa->rk.req = IKE_REQ_DELETE_CHILD;
		sa->rk.spi_in = sa->child_old.spi_in;
	} else
		sa_warn(sa, "cannot delete the old CHILD_SA: %s; it expires",
		    strerror(-r));
}

int
ike_rekey_on_child(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_child *c = malloc(sizeof(*c));
	struct ike_child_keys keys = { 0 };
	char why[256] = "";
	int r = c != NULL ? 0 : -ENOMEM;

	if (sa->rk.req != IKE_REQ_REKEY_CHILD) {
		free(c);
		ike_sa_fail(sa, -EPROTO, false,
		    "a CHILD_SA where the gateway should rekey the IKE SA");
		return -EPROTO;
	}
	if (r == 0) {
		*c = *sa->child_last;
		c->spi_in = sa->rk.spi_in;
		c->keys = NULL;
		c->rekey = true;
		r = child_keys(sa, m, c, &keys, why, sizeof(why));
	}
	if (r == 0)
		r = sa->cbs.established(sa->cb_arg, c);
	ike_child_keys_done(&keys);
	rk_clear(sa);
	sa->rk.want_group = 0;
	if (r == 0)
		child_swap(sa, c);
	else
		ike_sa_delete_because(sa, r, false,
		    "our CHILD_SA rekey failed: %s",
		    why[0] != '\0' ? why : strerror(-r));
	free(c);
	return r;
}

/* Our DELETE of the old CHILD_SA is answered: the daemon removes it. */
void
ike_rekey_child_deleted(struct ike_sa *sa)
{
	struct ike_child_sa *o = &sa->child_old;

	if (sa->rk.req != IKE_REQ_DELETE_CHILD)
		return;
	sa->rk.req = IKE_REQ_OTHER;
	if (!o->installed || o->spi_in != sa->rk.spi_in)
		return; /* a rekey of the gateway's removed it already */
	sa_debug(sa, "the gateway deleted the old CHILD_SA %08x_i %08x_o",
	    o->spi_in, o->spi_out);
	o->installed = false;
	if (sa->cbs.child_gone != NULL)
		sa->cbs.child_gone(sa->cb_arg, o->spi_in, o->spi_out);
}

/* ---- Our IKE SA rekey ---- */

static int
ike_request(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	static const uint8_t zero[IKE_SPI_LEN];
	const struct conf_proposals *cp = &sa->conf->proposals;
	struct ike_rekey *rk = &sa->rk;
	int r;

	do
		r = ike_sa_random(sa, rk->spi, IKE_SPI_LEN);
	while (r == 0 && memcmp(rk->spi, zero, IKE_SPI_LEN) == 0);
	rk->offer = malloc(sizeof(*rk->offer));
	if (r == 0 && rk->offer == NULL)
		r = -ENOMEM;
	if (r == 0)
		r = ike_proposal_offer_rekey(
		    cp->ike, cp->n_ike, IKE_PROTO_IKE, rk->spi, rk->offer);
	if (r == 0)
		r = ike_rekey_nonce(sa, &rk->ni);
	if (r < 0)
		return r;
	ike_pld_build_sa(pw, rk->offer);
	ike_pld_build_nonce(
	    pw, &(struct ike_pld_nonce){ .data = buf_rd(rk->ni) });
	return rk_kex(sa, IKE_REQ_REKEY_IKE, sa->dh, pw);
}

int
ike_rekey_ike_start(struct ike_sa *sa)
{
	int r;

	if (sa->keys == NULL)
		return -ENOTCONN;
	if (!can_start(sa, sa->t_rekey_ike))
		return 0;
	r = rk_start(sa, IKE_REQ_REKEY_IKE, ike_request);
	if (r == 0) {
		sa->rekey_ike_at = 0;
		sa_info(sa, "rekeying the IKE SA (%s)",
		    names_dh(kex_group(sa->rk.kex), NAMES_TMP));
	}
	return r;
}

/* SA (one proposal, its SPI), Nr, KEr of our group: the next keys. */
static int
ike_next_keys(
    struct ike_sa *sa, const struct ike_msg *m, char *why, size_t why_len)
{
	struct ike_pld_sa *chosen = malloc(sizeof(*chosen));
	struct ike_next *n = &sa->next;
	struct ike_pld_nonce nr;
	struct ike_pld_ke ke;
	struct buf *g_ir = NULL;
	struct rd ni = buf_rd(sa->rk.ni), s;
	uint32_t spi4;
	int r = chosen != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = ike_pld_parse_sa(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_SA)->body, chosen);
	if (r == 0)
		r = ike_proposal_check(sa->rk.offer, chosen, &n->suite, &n->dh,
		    &spi4, why, why_len);
	if (r == 0)
		memcpy(n->spi_r, chosen->props[0].spi, IKE_SPI_LEN);
	free(chosen);
	if (r == 0)
		r = ike_pld_parse_nonce(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_NONCE)->body, &nr);
	if (r == 0)
		r = ike_pld_parse_ke(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_KE)->body, &ke);
	if (r == 0 && (ke.group != n->dh || n->dh != kex_group(sa->rk.kex)))
		r = -EPROTO;
	if (r == 0)
		r = ike_rekey_g_ir(sa, sa->rk.kex, &ke.data, &g_ir);
	memcpy(n->spi_i, sa->rk.spi, IKE_SPI_LEN);
	if (r == 0) {
		s = buf_rd(g_ir);
		r = ike_keys_rekey(sa->keys, &n->suite, &s, &ni, &nr.data,
		    n->spi_i, n->spi_r, true, &n->keys);
	}
	buf_free(g_ir);
	return r;
}

static void
ike_delete_old(struct ike_sa *sa)
{
	int r = ike_info_send_delete_ike(sa);

	if (r == 0) {
		sa->rk.req = IKE_REQ_DELETE_IKE_OLD;
		return;
	}
	sa_warn(sa, "cannot delete the old IKE SA: %s", strerror(-r));
	ike_rekey_ike_switch(sa);
}

int
ike_rekey_on_ike(struct ike_sa *sa, const struct ike_msg *m)
{
	char why[256] = "";
	int r;

	if (sa->rk.req != IKE_REQ_REKEY_IKE) {
		ike_sa_fail(sa, -EPROTO, false,
		    "an IKE SA where the gateway should rekey the CHILD_SA");
		return -EPROTO;
	}
	sa->next = (struct ike_next){ .initiator = true };
	r = ike_next_keys(sa, m, why, sizeof(why));
	rk_clear(sa);
	sa->rk.want_group = 0;
	if (r < 0) {
		next_clear(sa);
		ike_sa_delete_because(sa, r, false,
		    "our IKE SA rekey failed: %s",
		    why[0] != '\0' ? why : strerror(-r));
		return r;
	}
	sa->next.pending = true;
	ike_delete_old(sa);
	return 0;
}

void
ike_rekey_ike_switch(struct ike_sa *sa)
{
	struct ike_next *n = &sa->next;
	const char *who = n->initiator ? "we" : "the gateway";

	if (!n->pending)
		return;
	ike_msg_reset(sa);
	ike_keys_free(sa->keys);
	sa->keys = n->keys;
	n->keys = NULL;
	memcpy(sa->spi_i, n->spi_i, IKE_SPI_LEN);
	memcpy(sa->spi_r, n->spi_r, IKE_SPI_LEN);
	sa->initiator = n->initiator;
	sa->dh = n->dh;
	ike_proposal_name(&n->suite, n->dh, sa->proposal, sizeof(sa->proposal));
	next_clear(sa);
	rk_clear(sa);
	ike_sa_update_tag(sa);
	sa->n_ike_rekeys++;
	sa_info(sa,
	    "IKE SA rekeyed (%s started it): %s, the CHILD_SA moved "
	    "along",
	    who, sa->proposal);
	if (sa->state == IKE_SA_REKEYING)
		ike_sa_set_state(sa, IKE_SA_ESTABLISHED, "IKE SA rekeyed");
	ike_rekey_schedule(sa, true);
}

int
ike_rekey_on_deleted(struct ike_sa *sa, const struct ike_msg *m)
{
	(void)m;
	if (sa->rk.req != IKE_REQ_DELETE_IKE_OLD) {
		ike_sa_fail(sa, -EPROTO, false,
		    "an INFORMATIONAL response to our CREATE_CHILD_SA");
		return -EPROTO;
	}
	sa_debug(sa, "the gateway answered the DELETE of the old IKE SA");
	ike_rekey_ike_switch(sa);
	return 0;
}

void
ike_rekey_delete_lost(struct ike_sa *sa)
{
	sa_info(sa,
	    "no answer to the DELETE of the old IKE SA; the new one "
	    "takes over");
	ike_rekey_ike_switch(sa);
}

/* ---- Refusals ---- */

/* Try again later: TEMPORARY_FAILURE, or our own trouble. */
static void
retry_later(struct ike_sa *sa, bool ike, const char *why)
{
	uint32_t rnd = 0;
	uint64_t ms;

	if (ike_sa_random(sa, &rnd, sizeof(rnd)) < 0)
		rnd = 0;
	ms = REKEY_RETRY_MS + rnd % REKEY_RETRY_SPAN_MS;
	sa_info(sa, "the gateway refused our %s rekey (%s): again in %llu ms",
	    ike ? "IKE SA" : "CHILD_SA", why, (unsigned long long)ms);
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED, "rekey postponed");
	(void)timer_set(ike ? sa->t_rekey_ike : sa->t_rekey_child, ms);
	if (ike)
		sa->rekey_ike_at = loop_now_ms() + ms;
}

/* INVALID_KE_PAYLOAD naming a group we offer: at once, with that one. */
static bool
retry_group(struct ike_sa *sa, const struct ike_msg *m, bool ike)
{
	const struct conf_proposals *cp = &sa->conf->proposals;
	struct ike_pld_notify n;
	uint16_t g = 0;

	if (ike_pld_find_notify(
		m->pld, m->n_pld, IKE_N_INVALID_KE_PAYLOAD, &n) < 0 ||
	    ike_pld_notify_group(&n, &g) < 0 ||
	    (sa->rk.want_group == g && sa->rk.want_for == sa->rk.req) ||
	    !(ike ? ike_proposal_has_group(cp->ike, cp->n_ike, g)
		  : ike_proposal_has_group(cp->esp, cp->n_esp, g)))
		return false;
	sa_info(
	    sa, "the gateway wants %s for the rekey", names_dh(g, NAMES_TMP));
	sa->rk.want_for = sa->rk.req;
	rk_clear(sa);
	sa->rk.want_group = g;
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED, "rekey with another group");
	(void)timer_set(ike ? sa->t_rekey_ike : sa->t_rekey_child, 0);
	return true;
}

int
ike_rekey_on_error(struct ike_sa *sa, const struct ike_msg *m)
{
	bool ike = sa->rk.req == IKE_REQ_REKEY_IKE;
	struct ike_pld_notify n;
	char chain[256];

	if (sa->rk.req != IKE_REQ_REKEY_IKE &&
	    sa->rk.req != IKE_REQ_REKEY_CHILD) {
		ike_sa_fail(sa, -EPROTO, false,
		    "a CREATE_CHILD_SA response we did not ask for");
		return -EPROTO;
	}
	if (retry_group(sa, m, ike))
		return 0;
	sa->rk.want_group = 0;
	if (ike_pld_find_notify(
		m->pld, m->n_pld, IKE_N_TEMPORARY_FAILURE, &n) == 0) {
		rk_clear(sa);
		retry_later(sa, ike, "TEMPORARY_FAILURE");
		return 0;
	}
	rk_clear(sa);
	names_pld_chain(m->pld, m->n_pld, chain, sizeof(chain));
	ike_sa_delete_because(sa, -ECONNRESET, false,
	    "the gateway refused our %s rekey [%s]; reconnecting",
	    ike ? "IKE SA" : "CHILD_SA", chain);
	return 0;
}
