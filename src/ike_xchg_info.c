/* SPDX-License-Identifier: ISC */
/*
 * ike_xchg_info.c: the INFORMATIONAL exchange.  We answer the gateway's
 * liveness checks (an empty request) and its DELETEs; we send a DELETE of
 * the IKE SA when the daemon stops or a failure after IKE_AUTH makes the
 * SA useless.
 *
 * RFC 7296 1.4 (INFORMATIONAL), 1.4.1 (deleting: a CHILD_SA's DELETE is
 * answered with the DELETE of our half; the IKE SA's with an empty
 * response, and then it is gone), 2.4 (liveness), 3.11 (Delete payload).
 *
 *   The gateway's request                     Our response
 *   HDR, SK{}                            -->  HDR, SK{}
 *   HDR, SK{D(IKE)}                      -->  HDR, SK{}          (SA over)
 *   HDR, SK{D(ESP, its SPI)}             -->  HDR, SK{D(ESP, our SPI)}
 *                                             (the CHILD_SA a rekey
 *                                             replaced: gone; the current
 *                                             one: for now the IKE SA
 *                                             goes with it)
 *   Our request                               The gateway's response
 *   HDR, SK{}                            -->  HDR, SK{}          (alive)
 *                                             nothing, after the
 *                                             retransmissions: SA over
 *   HDR, SK{D(IKE)}                      -->  HDR, SK{}          (SA over)
 *   HDR, SK{N(UPDATE_SA_ADDRESSES),      -->  HDR, SK{N(NAT_D*)}  (moved)
 *       N(NAT_D_SRC), N(NAT_D_DST)}
 *       (RFC 4555 3.5, from a new socket: our address changed; the
 *       gateway takes the new addresses for the IKE SA and its CHILD_SA)
 */
#include <errno.h>
#include <string.h>

#include "conf.h"
#include "ike_int.h"
#include "loop.h"
#include "names.h"
#include "sock.h"

#define INFO_MAX 512 /* bytes: our INFORMATIONAL inner chains */

/* What the gateway's Delete payloads ask for. */
struct info_del {
	bool ike;   /* the IKE SA */
	bool child; /* our CHILD_SA (its outbound SPI listed) */
	bool old;   /* the CHILD_SA a rekey replaced (2.8) */
};

static void
info_deletes(struct ike_sa *sa, const struct ike_msg *m, struct info_del *ret)
{
	struct ike_pld_delete d;

	for (size_t i = 0; i < m->n_pld; i++) {
		if (m->pld[i].type != IKE_PLD_DELETE ||
		    ike_pld_parse_delete(&m->pld[i].body, &d) < 0)
			continue;
		if (d.proto == IKE_PROTO_IKE)
			ret->ike = true;
		for (size_t k = 0; d.proto == IKE_PROTO_ESP && k < d.n_spis;
		     k++)
			if (sa->child.installed &&
			    d.spis[k] == sa->child.spi_out)
				ret->child = true;
			else if (sa->child_old.installed &&
			    d.spis[k] == sa->child_old.spi_out)
				ret->old = true;
	}
}

static int
send_reply(struct ike_sa *sa, const struct ike_msg *req, uint32_t del_spi)
{
	struct ike_pld_delete d = {
		.proto = IKE_PROTO_ESP, .n_spis = 1, .spis = { del_spi }
	};
	uint8_t b[INFO_MAX];
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	if (del_spi != 0)
		ike_pld_build_delete(&pw, &d);
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_reply(sa, req, &inner, pw.first);
	if (r < 0)
		sa_warn(sa, "cannot answer the gateway's INFORMATIONAL: %s",
		    strerror(-r));
	return r;
}

int
ike_info_on_request(struct ike_sa *sa, const struct ike_msg *m)
{
	struct info_del del = { false, false, false };
	uint32_t spi = 0;

	info_deletes(sa, m, &del);
	if (!del.ike && del.child)
		spi = sa->child.spi_in;
	else if (!del.ike && del.old)
		spi = sa->child_old.spi_in;
	(void)send_reply(sa, m, spi);
	if (del.ike && sa->next.pending && !sa->next.initiator) {
		/* 2.18: the gateway rekeyed the IKE SA, and this is the
		 * old one's end: the new one takes over. */
		ike_rekey_ike_switch(sa);
		return 0;
	}
	if (del.ike) {
		ike_sa_fail(
		    sa, -ECONNRESET, false, "the gateway deleted the IKE SA");
		return 0;
	}
	if (del.child) {
		sa->cbs.child_gone(
		    sa->cb_arg, sa->child.spi_in, sa->child.spi_out);
		sa->child.installed = false;
		ike_sa_fail(
		    sa, -ECONNRESET, false, "the gateway deleted the CHILD_SA");
		return 0;
	}
	if (del.old) {
		sa_info(sa,
		    "the gateway deleted the rekeyed CHILD_SA %08x_i "
		    "%08x_o",
		    sa->child_old.spi_in, sa->child_old.spi_out);
		sa->cbs.child_gone(
		    sa->cb_arg, sa->child_old.spi_in, sa->child_old.spi_out);
		sa->child_old.installed = false;
	}
	if (m->n_pld == 0)
		sa_debug(sa, "liveness check answered");
	return 0;
}

int
ike_info_on_response(struct ike_sa *sa, const struct ike_msg *m)
{
	(void)m;
	sa_info(sa, "the gateway answered our DELETE");
	ike_sa_finish(sa, sa->del_err, sa->del_permanent, sa->del_reason);
	return 0;
}

/* ---- Liveness ---- */

void
ike_info_liveness_start(struct ike_sa *sa)
{
	if (sa->conf->dpd != 0)
		(void)timer_set(sa->t_dpd, (uint64_t)sa->conf->dpd * 1000);
}

/* An empty INFORMATIONAL now; the retransmissions decide. */
static void
liveness_send(struct ike_sa *sa, const char *why)
{
	uint8_t none[1];
	struct rd empty = rd_make(none, 0);
	int r;

	sa_debug(sa, "liveness check: %s", why);
	r = ike_msg_send_request(sa, IKE_INFORMATIONAL, &empty, IKE_PLD_NONE);
	if (r < 0)
		sa_warn(sa, "cannot send a liveness check: %s", strerror(-r));
}

void
ike_info_liveness_timeout(struct ike_sa *sa)
{
	uint64_t every = (uint64_t)sa->conf->dpd * 1000;
	uint64_t idle = loop_now_ms() - sa->t_rx;

	if (every == 0 || sa->state != IKE_SA_ESTABLISHED)
		return;
	/* Heard from recently, or a request of ours is out already and
	 * its retransmissions tell whether the gateway is there. */
	if (idle < every || sa->xchg.active) {
		(void)timer_set(sa->t_dpd, idle < every ? every - idle : every);
		return;
	}
	liveness_send(sa, "nothing from the gateway for a while");
	(void)timer_set(sa->t_dpd, every);
}

bool
ike_sa_check_liveness(struct ike_sa *sa, const char *why)
{
	if (sa == NULL || sa->state != IKE_SA_ESTABLISHED)
		return false;
	if (!sa->xchg.active)
		liveness_send(sa, why);
	if (sa->conf->dpd != 0)
		(void)timer_set(sa->t_dpd, (uint64_t)sa->conf->dpd * 1000);
	return true;
}

/* The answer to our UPDATE_SA_ADDRESSES: an error notify in it
 * (UNACCEPTABLE_ADDRESSES, UNEXPECTED_NAT_DETECTED: RFC 4555 3.5) ends
 * the SA, and the daemon connects again from the new address. */
static void
moved(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_pld_notify n;

	sa->rk.req = IKE_REQ_OTHER;
	for (size_t i = 0; i < m->n_pld; i++)
		if (m->pld[i].type == IKE_PLD_NOTIFY &&
		    ike_pld_parse_notify(&m->pld[i].body, &n) == 0 &&
		    n.type <= IKE_N_ERROR_MAX) {
			ike_sa_fail(sa, -EADDRNOTAVAIL, false,
			    "the gateway refused our new address (%s)",
			    names_notify(n.type, NAMES_TMP));
			return;
		}
	sa_info(sa, "the gateway took our new address (MOBIKE)");
}

int
ike_info_on_liveness(struct ike_sa *sa, const struct ike_msg *m)
{
	if (sa->rk.req == IKE_REQ_DELETE_CHILD)
		ike_rekey_child_deleted(sa);
	else if (sa->rk.req == IKE_REQ_MOBIKE)
		moved(sa, m);
	else
		sa_debug(sa, "the gateway answered our liveness check");
	return 0;
}

/* ---- MOBIKE (RFC 4555) ---- */

bool
ike_sa_can_move(const struct ike_sa *sa)
{
	return sa != NULL && sa->state == IKE_SA_ESTABLISHED &&
	    sa->peer_mobike && sa->natt && !sa->xchg.active;
}

static void
info_notify(
    struct ike_pld_wr *pw, uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_pld_notify n = { .proto = IKE_PROTO_NONE,
		.type = type,
		.data = rd_make(data, len) };

	ike_pld_build_notify(pw, &n);
}

int
ike_sa_move(struct ike_sa *sa, struct sock *sock)
{
	uint8_t b[INFO_MAX], src[IKE_NATD_LEN], dst[IKE_NATD_LEN];
	struct sockaddr_storage local, remote;
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	if (!ike_sa_can_move(sa))
		return -EOPNOTSUPP;
	sa->sock = sock;
	r = ike_sa_addrs(sa, &local, &remote);
	if (r == 0)
		r = ike_natd_hash(sa, sa->spi_r, &local, src);
	if (r == 0)
		r = ike_natd_hash(sa, sa->spi_r, &remote, dst);
	if (r < 0)
		return r;
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	info_notify(&pw, IKE_N_UPDATE_SA_ADDRESSES, NULL, 0);
	info_notify(&pw, IKE_N_NAT_DETECTION_SOURCE_IP, src, sizeof(src));
	info_notify(&pw, IKE_N_NAT_DETECTION_DESTINATION_IP, dst, sizeof(dst));
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_request(
		    sa, IKE_INFORMATIONAL, &inner, pw.first);
	if (r < 0)
		return r;
	sa->rk.req = IKE_REQ_MOBIKE;
	sa_info(sa, "our address changed: UPDATE_SA_ADDRESSES (MOBIKE)");
	return 0;
}

int
ike_info_send_delete_ike(struct ike_sa *sa)
{
	struct ike_pld_delete d = { .proto = IKE_PROTO_IKE };
	uint8_t b[INFO_MAX];
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_delete(&pw, &d);
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_delete(sa, &inner, pw.first);
	return r;
}

int
ike_info_delete(struct ike_sa *sa)
{
	int r = ike_info_send_delete_ike(sa);

	if (r < 0)
		return r;
	ike_sa_set_state(sa, IKE_SA_DELETING, sa->del_reason);
	return 0;
}
