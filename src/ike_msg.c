/* SPDX-License-Identifier: ISC */
/*
 * ike_msg.c: IKE datagrams in and out of one SA.
 *
 * In: the header (our SPI, the responder's flags), the message ID (a
 * response must answer the one request we have out; a request from the
 * gateway must be the next one, or its retransmission, which gets our
 * cached answer), the SK payload opened or the SKF fragments opened one
 * by one and reassembled (RFC 7383 2.6), the inner chain split and
 * matched against the rules (ike_rules.h), and the handler found in the
 * transition table for the SA's state.  Nothing that fails to
 * authenticate gets further than a debug line and a counter: a forged
 * datagram can never end the SA.  Before IKE_SA_INIT completes there is
 * nothing to authenticate with, so only a response carrying our random
 * SPI and message ID 0 is looked at.
 *
 * Out: the inner chain sealed into SK, or into SKF fragments of
 * IKE_FRAG_DGRAM_LEN-byte IP datagrams when the gateway announced
 * IKEV2_FRAGMENTATION_SUPPORTED and the message needs it (RFC 7383 2.5);
 * the datagrams kept and retransmitted 1, 2, 4, 8 and 16 s apart before
 * we give up (RFC 7296 2.1, 2.4).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "ike_int.h"
#include "ike_sk.h"
#include "loop.h"
#include "names.h"
#include "sock.h"

#define UDP_HDR_LEN  8
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define SKF_NUMS_LEN 4 /* Fragment Number and Total Fragments */

/* ms to wait after each transmission (2.4: exponential back-off). */
static const uint32_t backoff_request[] = { 1000, 2000, 4000, 8000, 16000 };
/* A DELETE on the way out is not worth a long wait. */
static const uint32_t backoff_delete[] = { 1000, 2000 };

/* ---- Datagrams ---- */

static void
dgrams_clear(struct ike_dgrams *d)
{
	for (size_t i = 0; i < d->n; i++)
		buf_free(d->v[i]);
	d->n = 0;
}

static void
dgrams_send(struct ike_sa *sa, const struct ike_dgrams *d)
{
	const struct ike_sa_hooks *h = sa->hooks;

	for (size_t i = 0; i < d->n; i++) {
		struct rd m = buf_rd(d->v[i]);
		int r = h != NULL && h->send != NULL
		    ? h->send(h->send_arg, &m, sa->natt)
		    : sock_send_ike(sa->sock, &m);

		/* An ICMP error or a full queue: retransmission covers it. */
		if (r < 0)
			sa_debug(sa, "send: %s", strerror(-r));
	}
}

/* ---- Sealing and fragmenting ---- */

/* One SK message (num 0) or SKF fragment num of total around inner. */
static int
seal_one(struct ike_sa *sa, const struct ike_hdr *hdr, uint8_t first,
    uint16_t num, uint16_t total, const struct rd *inner, struct buf **ret)
{
	size_t cap = IKE_HDR_LEN + IKE_PLD_HDR_LEN + SKF_NUMS_LEN +
	    rd_left(inner) + ike_sk_overhead(sa->keys, rd_left(inner));
	struct buf *b = buf_new(cap);
	struct ike_sk_layout lay;
	struct ike_pld_wr pw;
	struct rd out;
	int r;

	if (b == NULL)
		return -ENOMEM;
	ike_pld_wr_init_msg(&pw, b->p, cap, hdr);
	ike_pld_build_sk(&pw, first, num, total, &lay);
	r = pw.err != 0 ? pw.err : wr_ok(&pw.w) ? 0 : -ENOSPC;
	if (r == 0)
		r = ike_sk_seal(sa->keys, &pw.w, lay.sk_off, inner);
	if (r == 0)
		r = ike_pld_wr_finish(&pw, &out);
	if (r < 0) {
		buf_free(b);
		return r;
	}
	b->len = rd_left(&out);
	*ret = b;
	return 0;
}

static bool
remote_is_v6(const struct ike_sa *sa)
{
	struct sockaddr_storage ss;

	if (sa->hooks != NULL && sa->hooks->send != NULL)
		return sa->hooks->remote.ss_family == AF_INET6;
	sock_remote(sa->sock, &ss);
	return ss.ss_family == AF_INET6;
}

/* Bytes of IKE message that fit one IKE_FRAG_DGRAM_LEN-byte IP datagram. */
static size_t
frag_budget(const struct ike_sa *sa)
{
	return IKE_FRAG_DGRAM_LEN -
	    (remote_is_v6(sa) ? IPV6_HDR_LEN : IPV4_HDR_LEN) - UDP_HDR_LEN -
	    (sa->natt ? IKE_NON_ESP_MARKER_LEN : 0);
}

/* Inner bytes per fragment: what is left of the budget after the
 * header, the SKF header, IV, padding and ICV. */
static size_t
frag_room(const struct ike_sa *sa)
{
	size_t room =
	    frag_budget(sa) - IKE_HDR_LEN - IKE_PLD_HDR_LEN - SKF_NUMS_LEN;
	size_t n = room;

	while (n > 0 && n + ike_sk_overhead(sa->keys, n) > room)
		n--;
	return n;
}

static int
seal_fragments(struct ike_sa *sa, const struct ike_hdr *hdr,
    const struct rd *inner, uint8_t first, struct ike_dgrams *ret)
{
	size_t room = frag_room(sa);
	size_t total = (rd_left(inner) + room - 1) / room;
	struct rd r = *inner, slice;
	int e = 0;

	if (total > IKE_MAX_FRAGMENTS)
		return -EMSGSIZE;
	for (size_t k = 0; k < total && e == 0; k++) {
		size_t n = rd_left(&r) < room ? rd_left(&r) : room;

		if (!rd_sub(&r, n, &slice))
			return -EINVAL;
		e = seal_one(sa, hdr, first, (uint16_t)(k + 1), (uint16_t)total,
		    &slice, &ret->v[k]);
		if (e == 0)
			ret->n++;
	}
	return e;
}

/* The message as one SK datagram, or as SKF fragments (RFC 7383 2.5:
 * only when the peer supports them, and only when needed). */
static int
seal(struct ike_sa *sa, const struct ike_hdr *hdr, const struct rd *inner,
    uint8_t first, struct ike_dgrams *ret)
{
	size_t whole = IKE_HDR_LEN + IKE_PLD_HDR_LEN + rd_left(inner) +
	    ike_sk_overhead(sa->keys, rd_left(inner));
	int r;

	ret->n = 0;
	if (sa->peer_frag && whole > frag_budget(sa) && rd_left(inner) > 0)
		r = seal_fragments(sa, hdr, inner, first, ret);
	else if ((r = seal_one(sa, hdr, first, 0, 0, inner, &ret->v[0])) == 0)
		ret->n = 1;
	if (r < 0)
		dgrams_clear(ret);
	return r;
}

static struct ike_hdr
hdr_make(
    const struct ike_sa *sa, uint8_t exchange, uint32_t msgid, bool response)
{
	struct ike_hdr h = { .exchange = exchange,
		.msgid = msgid,
		.flags = (sa->initiator ? IKE_FLAG_INITIATOR : 0) |
		    (response ? IKE_FLAG_RESPONSE : 0) };

	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, sa->spi_r, IKE_SPI_LEN);
	return h;
}

/* ---- Our requests and their retransmission ---- */

static void reasm_clear(struct ike_reasm *);

void
ike_xchg_cancel(struct ike_sa *sa)
{
	struct ike_xchg *x = &sa->xchg;

	x->active = false;
	timer_stop(x->timer);
	dgrams_clear(&x->out);
	/* A response's fragment set that never completed goes with it. */
	if (sa->reasm.response)
		reasm_clear(&sa->reasm);
}

/* Takes the datagrams in *d. */
static int
xchg_send(struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
    struct ike_dgrams *d, const uint32_t *backoff, size_t n_backoff)
{
	struct ike_xchg *x = &sa->xchg;

	ike_xchg_cancel(sa);
	x->active = true;
	x->exchange = exchange;
	x->msgid = msgid;
	x->tries = 0;
	x->backoff = backoff;
	x->n_backoff = n_backoff;
	x->out = *d;
	d->n = 0;
	sa_debug(sa, "sending %s request %u (%zu datagram%s)",
	    names_exchange(exchange, NAMES_TMP), msgid, x->out.n,
	    x->out.n == 1 ? "" : "s");
	dgrams_send(sa, &x->out);
	return timer_set(x->timer, backoff[0]);
}

int
ike_msg_send_init(struct ike_sa *sa, const struct rd *msg)
{
	struct ike_dgrams d = { .n = 1 };

	d.v[0] = buf_dup_rd(msg);
	if (d.v[0] == NULL)
		return -ENOMEM;
	return xchg_send(sa, IKE_SA_INIT, 0, &d, backoff_request,
	    ARRAY_SIZE(backoff_request));
}

static int
send_encrypted(struct ike_sa *sa, uint8_t exchange, const struct rd *inner,
    uint8_t first, const uint32_t *backoff, size_t n_backoff)
{
	struct ike_hdr h = hdr_make(sa, exchange, sa->msgid, false);
	struct ike_dgrams d;
	int r;

	r = seal(sa, &h, inner, first, &d);
	if (r < 0)
		return r;
	sa->msgid++;
	return xchg_send(sa, exchange, h.msgid, &d, backoff, n_backoff);
}

int
ike_msg_send_request(
    struct ike_sa *sa, uint8_t exchange, const struct rd *inner, uint8_t first)
{
	return send_encrypted(sa, exchange, inner, first, backoff_request,
	    ARRAY_SIZE(backoff_request));
}

int
ike_msg_send_delete(struct ike_sa *sa, const struct rd *inner, uint8_t first)
{
	return send_encrypted(sa, IKE_INFORMATIONAL, inner, first,
	    backoff_delete, ARRAY_SIZE(backoff_delete));
}

int
ike_msg_send_reply(struct ike_sa *sa, const struct ike_msg *req,
    const struct rd *inner, uint8_t first)
{
	struct ike_hdr h =
	    hdr_make(sa, req->hdr.exchange, req->hdr.msgid, true);
	struct ike_reply *rp = &sa->reply;
	int r;

	dgrams_clear(&rp->out);
	rp->valid = false;
	sa->peer_msgid = req->hdr.msgid + 1;
	r = seal(sa, &h, inner, first, &rp->out);
	if (r < 0)
		return r;
	rp->valid = true;
	rp->msgid = req->hdr.msgid;
	dgrams_send(sa, &rp->out);
	return 0;
}

/*
 * What came instead of the answer, for the give-up line: a hostile or
 * broken gateway's datagrams are dropped one by one at debug level, and
 * the user should not need --verbose to learn that they came.
 */
static const char *
give_up_why(const struct ike_sa *sa, char *buf, size_t len)
{
	const struct ike_reasm *ra = &sa->reasm;
	int n = 0;

	buf[0] = '\0';
	if (sa->n_dropped > 0)
		n = snprintf(buf, len,
		    "; %u datagram%s from it dropped, the last: %s",
		    sa->n_dropped, sa->n_dropped == 1 ? "" : "s",
		    sa->last_drop);
	if (n >= 0 && (size_t)n < len && ra->active && ra->response &&
	    ra->msgid == sa->xchg.msgid)
		(void)snprintf(buf + n, len - (size_t)n,
		    "; its response came in %u of %u fragments", ra->n_have,
		    ra->total);
	return buf;
}

static void
xchg_give_up(struct ike_sa *sa)
{
	const struct ike_xchg *x = &sa->xchg;
	char why[IKE_DROP_LEN + 96];
	uint64_t ms = 0;

	for (size_t i = 0; i < x->n_backoff; i++)
		ms += x->backoff[i];
	if (sa->rk.req == IKE_REQ_DELETE_IKE_OLD) {
		ike_rekey_delete_lost(sa);
		return;
	}
	if (sa->state == IKE_SA_DELETING) {
		sa_info(sa, "no answer to our DELETE; the IKE SA is gone");
		ike_sa_finish(
		    sa, sa->del_err, sa->del_permanent, sa->del_reason);
		return;
	}
	if (x->exchange == IKE_INFORMATIONAL) {
		ike_sa_fail(sa, -ETIMEDOUT, false,
		    "the gateway stopped answering (liveness check sent %zu "
		    "times over %llu s)",
		    x->n_backoff, (unsigned long long)ms / 1000);
		return;
	}
	ike_sa_fail(sa, -ETIMEDOUT, false,
	    "gateway %s did not answer (%s request %u sent %zu times over "
	    "%llu s%s)",
	    sa->conf->gateway.host, names_exchange(x->exchange, NAMES_TMP),
	    x->msgid, x->n_backoff, (unsigned long long)ms / 1000,
	    give_up_why(sa, why, sizeof(why)));
}

void
ike_xchg_timeout(struct ike_sa *sa)
{
	struct ike_xchg *x = &sa->xchg;

	if (!x->active)
		return;
	if (++x->tries >= x->n_backoff) {
		xchg_give_up(sa);
		return;
	}
	sa_debug(sa, "retransmitting %s request %u (%u)",
	    names_exchange(x->exchange, NAMES_TMP), x->msgid, x->tries);
	dgrams_send(sa, &x->out);
	(void)timer_set(x->timer, x->backoff[x->tries]);
}

static void
on_xchg_timer(void *arg)
{
	ike_xchg_timeout(arg);
}

/* The response to our request arrived and was accepted. */
static void
xchg_done(struct ike_sa *sa)
{
	sa->round_trips++;
	ike_xchg_cancel(sa);
}

/* ---- NAT keepalives (RFC 3948 4) ---- */

static uint64_t
keepalive_every_ms(const struct ike_sa *sa)
{
	return (uint64_t)sa->conf->nat_keepalive * 1000;
}

/* RFC 3948 2.3: a keepalive only after nat_keepalive of silence on the
 * 4500 path; anything we sent there keeps the NAT mapping as well. */
static void
on_keepalive(void *arg)
{
	struct ike_sa *sa = arg;
	uint64_t every = keepalive_every_ms(sa), idle;
	int r;

	if (every == 0 || sa->sock == NULL || !sa->natt)
		return;
	idle = loop_now_ms() - sock_natt_sent_ms(sa->sock);
	if (idle < every) {
		(void)timer_set(sa->t_keepalive, every - idle);
		return;
	}
	r = sock_send_keepalive(sa->sock);
	if (r < 0)
		sa_debug(sa, "NAT keepalive: %s", strerror(-r));
	else
		sa->n_keepalives++;
	(void)timer_set(sa->t_keepalive, every);
}

void
ike_msg_keepalive(struct ike_sa *sa, bool on)
{
	if (on && keepalive_every_ms(sa) != 0)
		(void)timer_set(sa->t_keepalive, keepalive_every_ms(sa));
	else
		timer_stop(sa->t_keepalive);
}

static void
on_dpd(void *arg)
{
	ike_info_liveness_timeout(arg);
}

int
ike_msg_init(struct ike_sa *sa)
{
	int r = timer_new(sa->loop, on_xchg_timer, sa, &sa->xchg.timer);

	if (r == 0)
		r = timer_new(sa->loop, on_keepalive, sa, &sa->t_keepalive);
	if (r == 0)
		r = timer_new(sa->loop, on_dpd, sa, &sa->t_dpd);
	return r;
}

void
ike_msg_reset(struct ike_sa *sa)
{
	ike_xchg_cancel(sa);
	dgrams_clear(&sa->reply.out);
	sa->reply.valid = false;
	reasm_clear(&sa->reasm);
	sa->msgid = 0;
	sa->peer_msgid = 0;
}

void
ike_msg_done(struct ike_sa *sa)
{
	ike_xchg_cancel(sa);
	timer_free(sa->xchg.timer);
	sa->xchg.timer = NULL;
	timer_free(sa->t_keepalive);
	sa->t_keepalive = NULL;
	timer_free(sa->t_dpd);
	sa->t_dpd = NULL;
	dgrams_clear(&sa->reply.out);
	sa->reply.valid = false;
	reasm_clear(&sa->reasm);
}

/* ---- Reassembly (RFC 7383 2.6) ---- */

static void drop(struct ike_sa *, const char *, const struct ike_hdr *);

static void
reasm_clear(struct ike_reasm *ra)
{
	for (size_t i = 0; i < IKE_MAX_FRAGMENTS; i++)
		buf_free(ra->frag[i]);
	memset(ra, 0, sizeof(*ra));
}

static struct buf *
reasm_join(const struct ike_reasm *ra)
{
	struct buf *whole = buf_new(ra->len);
	size_t at = 0;

	for (size_t i = 0; whole != NULL && i < ra->total; i++) {
		if (ra->frag[i]->len > 0)
			memcpy(whole->p + at, ra->frag[i]->p, ra->frag[i]->len);
		at += ra->frag[i]->len;
	}
	return whole;
}

/* Starts a new set, or decides about this fragment's place in the
 * current one: NULL keeps it, else why it is dropped, or why what was
 * held is (in buf). */
static const char *
reasm_admit(struct ike_reasm *ra, const struct ike_hdr *hdr, bool response,
    const struct ike_pld_sk *sk, const struct buf *plain, char *buf, size_t len)
{
	const struct buf *held;

	/* A new message: the old set is abandoned. */
	if (ra->active && (ra->msgid != hdr->msgid || ra->response != response))
		reasm_clear(ra);
	/* 2.6: a lower total is stale, a higher one restarts the set. */
	if (ra->active && sk->frag_total < ra->total)
		return "a fragment of an older set (fewer fragments)";
	if (ra->active && sk->frag_total > ra->total)
		reasm_clear(ra);
	if (!ra->active) {
		ra->active = true;
		ra->response = response;
		ra->msgid = hdr->msgid;
		ra->total = sk->frag_total;
	}
	held = ra->frag[sk->frag_num - 1];
	if (held == NULL)
		return NULL;
	if (held->len == plain->len &&
	    crypto_memeq(held->p, plain->p, plain->len))
		return "a fragment held already";
	/*
	 * Both authenticate, yet they differ: the message was cut anew
	 * (same count, other boundaries), or the gateway is broken.  Joining
	 * old and new pieces would hand the handlers a message nobody sent:
	 * the set starts over from this fragment.
	 */
	(void)snprintf(buf, len,
	    "fragment %u again with other bytes (the set starts over)",
	    sk->frag_num);
	reasm_clear(ra);
	ra->active = true;
	ra->response = response;
	ra->msgid = hdr->msgid;
	ra->total = sk->frag_total;
	return NULL;
}

/*
 * Keeps an authenticated fragment (takes plain).  1 and the whole inner
 * chain when the set is complete, 0 while waiting, negative when the
 * fragment was dropped.
 */
static int
reasm_add(struct ike_sa *sa, const struct ike_hdr *hdr,
    const struct ike_pld_sk *sk, struct buf *plain, struct buf **ret_whole,
    uint8_t *ret_first)
{
	struct ike_reasm *ra = &sa->reasm;
	bool response = (hdr->flags & IKE_FLAG_RESPONSE) != 0;
	char buf[IKE_DROP_LEN];
	const char *why;

	buf[0] = '\0';
	why = reasm_admit(ra, hdr, response, sk, plain, buf, sizeof(buf));
	if (why == NULL && buf[0] != '\0')
		drop(sa, buf, hdr); /* what was held */
	if (why != NULL) {
		drop(sa, why, hdr);
		buf_free(plain);
		return -EALREADY;
	}
	if (plain->len > IKE_REASM_MAX_LEN - ra->len) {
		(void)snprintf(buf, sizeof(buf), "reassembly over %d bytes",
		    IKE_REASM_MAX_LEN);
		drop(sa, buf, hdr);
		buf_free(plain);
		reasm_clear(ra);
		return -E2BIG;
	}
	ra->frag[sk->frag_num - 1] = plain;
	ra->len += plain->len;
	ra->n_have++;
	if (sk->frag_num == 1)
		ra->inner = sk->inner;
	if (ra->n_have < ra->total)
		return 0;
	*ret_whole = reasm_join(ra);
	*ret_first = ra->inner;
	sa_debug(
	    sa, "reassembled %u fragments (%zu bytes)", ra->total, ra->len);
	reasm_clear(ra);
	return *ret_whole != NULL ? 1 : -ENOMEM;
}

/* ---- Dispatch: the transition table ---- */

struct ike_transition {
	enum ike_sa_state state; /* must be in this state */
	uint8_t exchange;	 /* enum ike_exchange */
	bool response;		 /* a response to our request */
	enum ike_shape shape;	 /* payloads, as ike_rules_check() found */
	int (*handler)(struct ike_sa *, const struct ike_msg *);
	const char *story; /* for the log */
};

#define RESP true
#define REQ  false

static const struct ike_transition transitions[] = {
	{ IKE_SA_INIT_SENT, IKE_SA_INIT, RESP, IKE_SHAPE_INIT_RESP,
	    ike_init_on_response, "keys, NAT detection" },
	{ IKE_SA_INIT_SENT, IKE_SA_INIT, RESP, IKE_SHAPE_INIT_RESP_N,
	    ike_init_on_notify, "COOKIE, INVALID_KE_PAYLOAD or an error" },
	{ IKE_SA_AUTH_SENT, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_EAP_START,
	    ike_auth_on_eap_start, "gateway authenticated, EAP begins" },
	{ IKE_SA_AUTH_SENT, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_DONE,
	    ike_auth_on_done, "gateway authenticated, CHILD_SA up" },
	{ IKE_SA_AUTH_SENT, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_NOCHILD,
	    ike_auth_on_nochild, "gateway authenticated, CHILD_SA refused" },
	{ IKE_SA_AUTH_SENT, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_ERROR,
	    ike_auth_on_error, "IKE_AUTH refused" },
	{ IKE_SA_EAP, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_EAP, ike_auth_on_eap,
	    "EAP round" },
	{ IKE_SA_EAP, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_ERROR,
	    ike_auth_on_error, "EAP refused" },
	{ IKE_SA_AUTH_FINAL, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_EAP_DONE,
	    ike_auth_on_final, "AUTH from the MSK, CHILD_SA up" },
	{ IKE_SA_AUTH_FINAL, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_EAP_NOCHILD,
	    ike_auth_on_nochild, "AUTH from the MSK, CHILD_SA refused" },
	{ IKE_SA_AUTH_FINAL, IKE_AUTH, RESP, IKE_SHAPE_AUTH_RESP_ERROR,
	    ike_auth_on_error, "our AUTH refused" },
	{ IKE_SA_ESTABLISHED, IKE_INFORMATIONAL, REQ, IKE_SHAPE_INFO,
	    ike_info_on_request, "liveness check or DELETE" },
	{ IKE_SA_ESTABLISHED, IKE_CREATE_CHILD_SA, REQ, IKE_SHAPE_CHILD_SA,
	    ike_child_on_request, "CHILD_SA rekey" },
	{ IKE_SA_ESTABLISHED, IKE_CREATE_CHILD_SA, REQ,
	    IKE_SHAPE_CHILD_REKEY_IKE, ike_child_on_request, "IKE SA rekey" },
	{ IKE_SA_ESTABLISHED, IKE_INFORMATIONAL, RESP, IKE_SHAPE_INFO,
	    ike_info_on_liveness, "our liveness check or DELETE answered" },
	{ IKE_SA_REKEYING, IKE_INFORMATIONAL, REQ, IKE_SHAPE_INFO,
	    ike_info_on_request, "liveness check or DELETE, while we rekey" },
	{ IKE_SA_REKEYING, IKE_CREATE_CHILD_SA, REQ, IKE_SHAPE_CHILD_SA,
	    ike_child_on_request, "CHILD_SA rekey, while we rekey" },
	{ IKE_SA_REKEYING, IKE_CREATE_CHILD_SA, REQ, IKE_SHAPE_CHILD_REKEY_IKE,
	    ike_child_on_request, "IKE SA rekey, while we rekey" },
	{ IKE_SA_REKEYING, IKE_CREATE_CHILD_SA, RESP, IKE_SHAPE_CHILD_SA,
	    ike_rekey_on_child, "our CHILD_SA rekey answered" },
	{ IKE_SA_REKEYING, IKE_CREATE_CHILD_SA, RESP, IKE_SHAPE_CHILD_REKEY_IKE,
	    ike_rekey_on_ike, "our IKE SA rekey answered" },
	{ IKE_SA_REKEYING, IKE_CREATE_CHILD_SA, RESP, IKE_SHAPE_CHILD_ERROR,
	    ike_rekey_on_error, "our rekey refused" },
	{ IKE_SA_REKEYING, IKE_INFORMATIONAL, RESP, IKE_SHAPE_INFO,
	    ike_rekey_on_deleted, "the old IKE SA's DELETE answered" },
	{ IKE_SA_DELETING, IKE_INFORMATIONAL, REQ, IKE_SHAPE_INFO,
	    ike_info_on_request, "liveness check or DELETE" },
	{ IKE_SA_DELETING, IKE_INFORMATIONAL, RESP, IKE_SHAPE_INFO,
	    ike_info_on_response, "our DELETE answered" },
};

static const struct ike_transition *
transition_find(enum ike_sa_state state, const struct ike_msg *m)
{
	bool response = (m->hdr.flags & IKE_FLAG_RESPONSE) != 0;

	for (size_t i = 0; i < ARRAY_SIZE(transitions); i++) {
		const struct ike_transition *t = &transitions[i];

		if (t->state == state && t->exchange == m->hdr.exchange &&
		    t->response == response && t->shape == m->shape)
			return t;
	}
	return NULL;
}

static void
dispatch(struct ike_sa *sa, const struct ike_msg *m)
{
	bool response = (m->hdr.flags & IKE_FLAG_RESPONSE) != 0;
	const struct ike_transition *t = transition_find(sa->state, m);
	char chain[256] = "";

	if (t == NULL || log_would_emit(LOG_DEBUG))
		names_pld_chain(m->pld, m->n_pld, chain, sizeof(chain));
	if (t == NULL) {
		/* Authenticated (or, for IKE_SA_INIT, carrying our SPI). */
		if (response)
			ike_sa_fail(sa, -EPROTO, false,
			    "unexpected %s response [%s] in state %s",
			    names_exchange(m->hdr.exchange, NAMES_TMP), chain,
			    ike_sa_state_name(sa->state));
		else
			sa_warn(sa, "ignoring %s request %u [%s] in state %s",
			    names_exchange(m->hdr.exchange, NAMES_TMP),
			    m->hdr.msgid, chain, ike_sa_state_name(sa->state));
		return;
	}
	sa_debug(sa, "%s %s %u [%s]: %s",
	    names_exchange(m->hdr.exchange, NAMES_TMP),
	    response ? "response" : "request", m->hdr.msgid, chain, t->story);
	sa->t_rx = loop_now_ms(); /* the gateway is alive */
	if (response)
		xchg_done(sa);
	(void)t->handler(sa, m);
}

/* ---- Receiving ---- */

static void
drop(struct ike_sa *sa, const char *why, const struct ike_hdr *h)
{
	sa->n_dropped++;
	(void)snprintf(sa->last_drop, sizeof(sa->last_drop), "%s", why);
	if (h != NULL)
		sa_debug(sa, "dropped %s %s %u: %s",
		    names_exchange(h->exchange, NAMES_TMP),
		    h->flags & IKE_FLAG_RESPONSE ? "response" : "request",
		    h->msgid, why);
	else
		sa_debug(sa, "dropped a datagram: %s", why);
}

/* An authenticated message whose inner payloads are wrong. */
static void
inner_bad(struct ike_sa *sa, const struct ike_hdr *h, const char *what)
{
	if (h->flags & IKE_FLAG_RESPONSE)
		ike_sa_fail(sa, -EBADMSG, false,
		    "the gateway's %s response: %s",
		    names_exchange(h->exchange, NAMES_TMP), what);
	else
		drop(sa, what, h);
}

static void
input_inner(struct ike_sa *sa, const struct ike_msg *outer,
    const struct rd *inner, uint8_t first)
{
	struct ike_pld_chain c;
	struct ike_msg m = *outer;
	bool response = (m.hdr.flags & IKE_FLAG_RESPONSE) != 0;
	uint8_t crit = 0;
	int r;

	r = ike_pld_split(inner, first, &c, &crit);
	if (r < 0) {
		inner_bad(sa, &m.hdr,
		    r == -EOPNOTSUPP ? "an unsupported critical payload"
				     : "malformed payloads");
		return;
	}
	r = ike_rules_check(m.hdr.exchange, response, true, c.v, c.n, &m.shape);
	if (r < 0) {
		char chain[256], what[300];

		names_pld_chain(c.v, c.n, chain, sizeof(chain));
		(void)snprintf(what, sizeof(what),
		    "payloads [%s] do not fit the exchange", chain);
		inner_bad(sa, &m.hdr, what);
		return;
	}
	m.pld = c.v;
	m.n_pld = c.n;
	dispatch(sa, &m);
}

/* Splits the outer chain, which must be one SK or SKF, and opens it. */
static int
open_outer(struct ike_sa *sa, const struct ike_msg *m, const struct rd *chain,
    struct ike_pld_sk *ret_sk, struct buf **ret_plain)
{
	bool response = (m->hdr.flags & IKE_FLAG_RESPONSE) != 0;
	struct ike_pld_chain c;
	enum ike_shape shape;
	uint8_t crit;
	int r;

	r = ike_pld_split(chain, m->hdr.next, &c, &crit);
	if (r == 0)
		r = ike_rules_check(
		    m->hdr.exchange, response, false, c.v, c.n, &shape);
	if (r == 0 && shape != IKE_SHAPE_ENCRYPTED &&
	    shape != IKE_SHAPE_FRAGMENT)
		r = -EPROTO;
	if (r == 0)
		r = ike_pld_parse_sk(&m->raw, &c.v[0], ret_sk);
	if (r == 0)
		r = ike_sk_open(
		    sa->keys, &ret_sk->msg, rd_left(&ret_sk->aad), ret_plain);
	return r;
}

static void
input_encrypted(
    struct ike_sa *sa, const struct ike_msg *m, const struct rd *chain)
{
	struct buf *plain = NULL, *whole = NULL;
	struct ike_pld_sk sk;
	uint8_t first;
	struct rd inner;

	if (open_outer(sa, m, chain, &sk, &plain) < 0) {
		drop(sa, "malformed, or does not authenticate", &m->hdr);
		return;
	}
	if (sk.frag_total == 0) {
		inner = buf_rd(plain);
		first = sk.inner;
	} else {
		int r = reasm_add(sa, &m->hdr, &sk, plain, &whole, &first);

		plain = NULL;
		if (r <= 0)
			return;
		inner = buf_rd(whole);
	}
	input_inner(sa, m, &inner, first);
	buf_free(plain);
	buf_free(whole);
}

static void
input_plain(struct ike_sa *sa, struct ike_msg *m, const struct rd *chain)
{
	struct ike_pld_chain c;
	uint8_t crit;

	if (ike_pld_split(chain, m->hdr.next, &c, &crit) < 0 ||
	    ike_rules_check(m->hdr.exchange, true, false, c.v, c.n, &m->shape) <
		0) {
		drop(sa, "malformed, or payloads that do not fit", &m->hdr);
		return;
	}
	m->pld = c.v;
	m->n_pld = c.n;
	dispatch(sa, m);
}

static void
input_response(struct ike_sa *sa, struct ike_msg *m, const struct rd *chain)
{
	const struct ike_xchg *x = &sa->xchg;

	if (!x->active || m->hdr.msgid != x->msgid ||
	    m->hdr.exchange != x->exchange) {
		drop(sa, "not the response we wait for", &m->hdr);
		return;
	}
	if (m->hdr.exchange == IKE_SA_INIT)
		input_plain(sa, m, chain);
	else
		input_encrypted(sa, m, chain);
}

/* The gateway repeats a request we answered: answer it again, once it
 * authenticates (else anybody could make us send). */
static void
input_retransmit(
    struct ike_sa *sa, const struct ike_msg *m, const struct rd *chain)
{
	struct buf *plain = NULL;
	struct ike_pld_sk sk;

	if (open_outer(sa, m, chain, &sk, &plain) < 0) {
		drop(sa, "malformed, or does not authenticate", &m->hdr);
		return;
	}
	buf_free(plain);
	/* RFC 7383 2.6.1: a fragmented request is answered on fragment 1. */
	if (sk.frag_num > 1)
		return;
	sa_debug(sa, "request %u again: resending our response", m->hdr.msgid);
	dgrams_send(sa, &sa->reply.out);
}

static void
input_request(struct ike_sa *sa, struct ike_msg *m, const struct rd *chain)
{
	/* 2.2: the responder starts exchanges only once IKE_AUTH is done. */
	if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_REKEYING &&
	    sa->state != IKE_SA_DELETING) {
		drop(sa, "a request before the IKE SA is up", &m->hdr);
		return;
	}
	if (sa->reply.valid && m->hdr.msgid == sa->reply.msgid) {
		input_retransmit(sa, m, chain);
		return;
	}
	if (m->hdr.msgid != sa->peer_msgid) {
		drop(sa, "message ID outside the window", &m->hdr);
		return;
	}
	input_encrypted(sa, m, chain);
}

/* The SPIs, and the I flag of the other side (3.1: the original
 * initiator's, which a rekey of the gateway's makes the gateway). */
static bool
hdr_match(const struct ike_hdr *h, const uint8_t *spi_i, const uint8_t *spi_r,
    bool initiator, bool keys)
{
	if (!crypto_memeq(h->spi_i, spi_i, IKE_SPI_LEN))
		return false;
	if (((h->flags & IKE_FLAG_INITIATOR) != 0) == initiator)
		return false;
	if (!keys)
		return true; /* this response tells us its SPI */
	return crypto_memeq(h->spi_r, spi_r, IKE_SPI_LEN);
}

/* Our SPI, the responder's flags; once keys exist, its SPI too. */
static bool
hdr_ours(const struct ike_sa *sa, const struct ike_hdr *h)
{
	return hdr_match(
	    h, sa->spi_i, sa->spi_r, sa->initiator, sa->keys != NULL);
}

bool
ike_msg_for_next(const struct ike_sa *sa, const struct ike_hdr *h)
{
	const struct ike_next *n = &sa->next;

	return n->pending &&
	    hdr_match(h, n->spi_i, n->spi_r, n->initiator, true);
}

void
ike_msg_input(struct ike_sa *sa, const struct rd *dgram)
{
	struct ike_msg m = { .raw = *dgram };
	struct rd chain;

	if (sa->state == IKE_SA_IDLE || sa->state == IKE_SA_DEAD)
		return;
	if (ike_hdr_parse(dgram, &m.hdr, &chain) < 0) {
		drop(sa, "no IKEv2 header", NULL);
		return;
	}
	/* The gateway uses the rekeyed IKE SA: the old one is over, even
	 * if its DELETE was lost (2.18). */
	if (!hdr_ours(sa, &m.hdr) && ike_msg_for_next(sa, &m.hdr))
		ike_rekey_ike_switch(sa);
	if (!hdr_ours(sa, &m.hdr)) {
		drop(sa, "SPIs or flags not ours", &m.hdr);
		return;
	}
	if (m.hdr.flags & IKE_FLAG_RESPONSE)
		input_response(sa, &m, &chain);
	else
		input_request(sa, &m, &chain);
}
