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
 *                                             (CHILD_SA gone; for now
 *                                             the IKE SA goes with it)
 *   Our request                               The gateway's response
 *   HDR, SK{D(IKE)}                      -->  HDR, SK{}          (SA over)
 */
#include <errno.h>
#include <string.h>

#include "ike_int.h"
#include "names.h"

#define INFO_MAX 512 /* bytes: our INFORMATIONAL inner chains */

/* What the gateway's Delete payloads ask for. */
struct info_del {
	bool ike;   /* the IKE SA */
	bool child; /* our CHILD_SA (its outbound SPI listed) */
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
	}
}

static int
send_reply(struct ike_sa *sa, const struct ike_msg *req, bool del_child)
{
	struct ike_pld_delete d = { .proto = IKE_PROTO_ESP,
		.n_spis = 1,
		.spis = { sa->child.spi_in } };
	uint8_t b[INFO_MAX];
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	if (del_child)
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
	struct info_del del = { false, false };

	info_deletes(sa, m, &del);
	(void)send_reply(sa, m, del.child && !del.ike);
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

int
ike_info_delete(struct ike_sa *sa)
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
	if (r < 0)
		return r;
	ike_sa_set_state(sa, IKE_SA_DELETING, sa->del_reason);
	return 0;
}
