/* SPDX-License-Identifier: ISC */
/*
 * ike_sa.c: the IKE SA object of the initiator (see ike_sa.h): creating
 * and freeing it, its states and the one setter that may change them
 * (with the table of legal moves), its SPIs and log prefix, the way it
 * ends (the down callback, exactly once), and the status getters.
 * The protocol itself is in ike_msg.c and the ike_xchg_*.c files.
 *
 * RFC 7296 2.6 (SPIs: the initiator's is chosen at random, never zero).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "eap.h"
#include "ike_int.h"
#include "loop.h"
#include "sock.h"
#include "tls_ctx.h"

static const char *const state_names[_IKE_SA_STATE_MAX] = {
	[IKE_SA_IDLE] = "IDLE",
	[IKE_SA_INIT_SENT] = "INIT_SENT",
	[IKE_SA_AUTH_SENT] = "AUTH_SENT",
	[IKE_SA_EAP] = "EAP",
	[IKE_SA_AUTH_FINAL] = "AUTH_FINAL",
	[IKE_SA_ESTABLISHED] = "ESTABLISHED",
	[IKE_SA_REKEYING] = "REKEYING",
	[IKE_SA_DELETING] = "DELETING",
	[IKE_SA_DEAD] = "DEAD",
};

/*
 * The legal moves, as data.  Every state may die (a failure, or the
 * gateway's DELETE); once keys exist it may be deleted by us; IKE_AUTH
 * goes straight to ESTABLISHED with certificate auth, through EAP and
 * AUTH_FINAL with EAP-TLS.
 */
#define T true
static const bool legal[_IKE_SA_STATE_MAX][_IKE_SA_STATE_MAX] = {
	[IKE_SA_IDLE] = { [IKE_SA_INIT_SENT] = T, [IKE_SA_DEAD] = T },
	[IKE_SA_INIT_SENT] = { [IKE_SA_AUTH_SENT] = T, [IKE_SA_DEAD] = T },
	[IKE_SA_AUTH_SENT] = { [IKE_SA_EAP] = T,
	    [IKE_SA_ESTABLISHED] = T,
	    [IKE_SA_DELETING] = T,
	    [IKE_SA_DEAD] = T },
	[IKE_SA_EAP] = { [IKE_SA_AUTH_FINAL] = T,
	    [IKE_SA_DELETING] = T,
	    [IKE_SA_DEAD] = T },
	[IKE_SA_AUTH_FINAL] = { [IKE_SA_ESTABLISHED] = T,
	    [IKE_SA_DELETING] = T,
	    [IKE_SA_DEAD] = T },
	[IKE_SA_ESTABLISHED] = { [IKE_SA_REKEYING] = T,
	    [IKE_SA_DELETING] = T,
	    [IKE_SA_DEAD] = T },
	[IKE_SA_REKEYING] = { [IKE_SA_ESTABLISHED] = T,
	    [IKE_SA_DELETING] = T,
	    [IKE_SA_DEAD] = T },
	[IKE_SA_DELETING] = { [IKE_SA_DEAD] = T },
};
#undef T

const char *
ike_sa_state_name(enum ike_sa_state s)
{
	return (unsigned)s < _IKE_SA_STATE_MAX ? state_names[s] : "?";
}

void
ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state s, const char *reason)
{
	if ((unsigned)s >= _IKE_SA_STATE_MAX || !legal[sa->state][s]) {
		/* A bug of ours, not the peer's: say so, change nothing. */
		sa_err(sa, "illegal state change %s -> %s (%s) refused",
		    ike_sa_state_name(sa->state), ike_sa_state_name(s), reason);
		return;
	}
	sa_info(sa, "%s -> %s (%s)", ike_sa_state_name(sa->state),
	    ike_sa_state_name(s), reason);
	sa->state = s;
}

enum ike_sa_state
ike_sa_state(const struct ike_sa *sa)
{
	return sa->state;
}

void
ike_sa_update_tag(struct ike_sa *sa)
{
	uint64_t i = 0, r = 0;

	for (size_t k = 0; k < IKE_SPI_LEN; k++) {
		i = i << 8 | sa->spi_i[k];
		r = r << 8 | sa->spi_r[k];
	}
	(void)snprintf(sa->tag, sizeof(sa->tag),
	    "ike[%016" PRIx64 "/%016" PRIx64 "]", i, r);
	log_set_ike_spis(i, r); /* the journal's P2S_IKE_SPI_I/_R */
}

int
ike_sa_random(struct ike_sa *sa, void *p, size_t len)
{
	(void)sa;
	return crypto_random(p, len);
}

time_t
ike_sa_now(const struct ike_sa *sa)
{
	return sa->hooks != NULL ? sa->hooks->now : 0;
}

int
ike_sa_addrs(const struct ike_sa *sa, struct sockaddr_storage *ret_local,
    struct sockaddr_storage *ret_remote)
{
	if (sa->hooks != NULL && sa->hooks->send != NULL) {
		*ret_local = sa->hooks->local;
		*ret_remote = sa->hooks->remote;
		return 0;
	}
	sock_remote(sa->sock, ret_remote);
	return sock_local(sa->sock, ret_local);
}

/* ---- Life ---- */

static int
spi_new(struct ike_sa *sa)
{
	static const uint8_t zero[IKE_SPI_LEN];
	int r;

	if (sa->hooks != NULL && sa->hooks->spi_i != NULL) {
		memcpy(sa->spi_i, sa->hooks->spi_i, IKE_SPI_LEN);
		return 0;
	}
	do
		r = ike_sa_random(sa, sa->spi_i, IKE_SPI_LEN);
	while (r == 0 && memcmp(sa->spi_i, zero, IKE_SPI_LEN) == 0);
	return r;
}

static bool
creds_ok(const struct ike_creds *c)
{
	return c->cert != NULL && c->key != NULL && c->roots != NULL &&
	    c->id != NULL && c->id[0] != '\0' && c->gateway_id != NULL;
}

int
ike_sa_new(struct loop *loop, const struct conf *conf,
    const struct ike_creds *creds, struct sock *sock,
    const struct ike_sa_cbs *cbs, void *cb_arg, struct ike_sa **ret)
{
	struct ike_sa *sa;
	int r;

	if (!creds_ok(creds) || conf->proposals.n_ike == 0 ||
	    conf->proposals.n_esp == 0 || cbs->down == NULL ||
	    cbs->established == NULL)
		return -EINVAL;
	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return -ENOMEM;
	*sa = (struct ike_sa){ .state = IKE_SA_IDLE,
		.loop = loop,
		.conf = conf,
		.creds = creds,
		.sock = sock,
		.cbs = *cbs,
		.cb_arg = cb_arg,
		.initiator = true };
	ike_sa_update_tag(sa);
	r = ike_msg_init(sa);
	if (r == 0)
		r = ike_rekey_init(sa);
	if (r < 0) {
		ike_sa_free(sa);
		return r;
	}
	*ret = sa;
	return 0;
}

/* Frees everything the exchanges hold; secrets are wiped by their
 * owners' _free. */
static void
sa_release(struct ike_sa *sa)
{
	ike_msg_done(sa);
	ike_rekey_done(sa);
	kex_free(sa->kex);
	sa->kex = NULL;
	eap_peer_free(sa->eap); /* wipes the MSK */
	sa->eap = NULL;
	tls_ctx_free(sa->tls_own);
	sa->tls = sa->tls_own = NULL;
}

void
ike_sa_free(struct ike_sa *sa)
{
	if (sa == NULL)
		return;
	sa_release(sa);
	buf_free(sa->ni);
	buf_free(sa->nr);
	buf_free(sa->cookie);
	buf_free(sa->init_req);
	buf_free(sa->init_resp);
	buf_free(sa->idi);
	buf_free(sa->idr);
	ike_keys_free(sa->keys);
	free(sa->child_last);
	free(sa);
}

/* ---- Ends ---- */

void
ike_sa_finish(struct ike_sa *sa, int err, bool permanent, const char *reason)
{
	if (sa->state == IKE_SA_DEAD)
		return;
	ike_xchg_cancel(sa);
	ike_msg_keepalive(sa, false);
	timer_stop(sa->t_dpd);
	timer_stop(sa->t_rekey_child);
	timer_stop(sa->t_rekey_ike);
	sa->rekey_ike_at = 0;
	/* The MSK and the DH private value are no longer needed. */
	eap_peer_free(sa->eap);
	sa->eap = NULL;
	kex_free(sa->kex);
	sa->kex = NULL;
	ike_sa_set_state(sa, IKE_SA_DEAD, reason);
	sa->cbs.down(sa->cb_arg, err, permanent, reason);
}

void
ike_sa_fail(struct ike_sa *sa, int err, bool permanent, const char *fmt, ...)
{
	char reason[IKE_REASON_LEN];
	va_list ap;

	if (sa->state == IKE_SA_DEAD)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* The daemon says it once, at the level it deserves (down()). */
	sa_debug(sa, "%s", reason);
	ike_sa_finish(sa, err, permanent, reason);
}

void
ike_sa_delete_because(
    struct ike_sa *sa, int err, bool permanent, const char *fmt, ...)
{
	va_list ap;

	if (sa->state == IKE_SA_DEAD || sa->state == IKE_SA_DELETING)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(sa->del_reason, sizeof(sa->del_reason), fmt, ap);
	va_end(ap);
	sa->del_err = err;
	sa->del_permanent = permanent;
	if (err != 0)
		sa_debug(sa, "%s; deleting the IKE SA", sa->del_reason);
	/* Without keys there is nothing to tell the gateway. */
	if (sa->keys == NULL || ike_info_delete(sa) < 0)
		ike_sa_finish(sa, err, permanent, sa->del_reason);
}

/* ---- The daemon's calls ---- */

int
ike_sa_connect(struct ike_sa *sa, uint16_t group)
{
	int r;

	if (sa->state != IKE_SA_IDLE)
		return -EALREADY;
	r = spi_new(sa);
	if (r < 0)
		return r;
	ike_sa_update_tag(sa);
	sa->group = group;
	sa->t_start = loop_now_ms();
	return ike_init_start(sa);
}

void
ike_sa_input(struct ike_sa *sa, const struct rd *msg)
{
	ike_msg_input(sa, msg);
}

void
ike_sa_delete(struct ike_sa *sa)
{
	ike_sa_delete_because(sa, 0, false, "deleted");
}

/* ---- Status ---- */

uint16_t
ike_sa_group(const struct ike_sa *sa)
{
	return sa->group;
}

void
ike_sa_spis(const struct ike_sa *sa, uint64_t *ret_i, uint64_t *ret_r)
{
	uint64_t i = 0, r = 0;

	for (size_t k = 0; k < IKE_SPI_LEN; k++) {
		i = i << 8 | sa->spi_i[k];
		r = r << 8 | sa->spi_r[k];
	}
	*ret_i = i;
	*ret_r = r;
}

unsigned
ike_sa_round_trips(const struct ike_sa *sa)
{
	return sa->round_trips;
}

uint64_t
ike_sa_connect_ms(const struct ike_sa *sa)
{
	return sa->t_up != 0 ? sa->t_up - sa->t_start : 0;
}

const char *
ike_sa_proposal(const struct ike_sa *sa)
{
	return sa->proposal;
}

int64_t
ike_sa_rekey_in_s(const struct ike_sa *sa)
{
	uint64_t now = loop_now_ms();

	if (sa->rekey_ike_at == 0 || sa->state == IKE_SA_DEAD)
		return -1;
	return sa->rekey_ike_at > now
	    ? (int64_t)((sa->rekey_ike_at - now + 999) / 1000)
	    : 0;
}

unsigned
ike_sa_rekeys(const struct ike_sa *sa, unsigned *ret_ike)
{
	if (ret_ike != NULL)
		*ret_ike = sa->n_ike_rekeys;
	return sa->n_child_rekeys;
}

/* ---- Rekeys on demand ---- */

int
ike_sa_rekey_child(struct ike_sa *sa)
{
	if (sa->state == IKE_SA_REKEYING && sa->rk.req == IKE_REQ_REKEY_CHILD)
		return 0; /* under way */
	if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_REKEYING)
		return -ENOTCONN;
	return ike_rekey_child_start(sa);
}

int
ike_sa_rekey_ike(struct ike_sa *sa)
{
	if (sa->state == IKE_SA_REKEYING && sa->rk.req == IKE_REQ_REKEY_IKE)
		return 0;
	if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_REKEYING)
		return -ENOTCONN;
	return ike_rekey_ike_start(sa);
}
