/* SPDX-License-Identifier: ISC */
/*
 * ike_xchg_child.c: the CREATE_CHILD_SA exchange.  For now p2s neither
 * rekeys nor adds CHILD_SAs, so a request from the gateway (rekeying the
 * CHILD_SA or the IKE SA) is refused with NO_ADDITIONAL_SAS, which leaves
 * the current SAs in place; the gateway then deletes them when their
 * lifetime ends and the daemon reconnects.  Rekeying is the next step.
 *
 * RFC 7296 1.3 (CREATE_CHILD_SA), 1.3.2 and 2.8 (rekeying), 3.10.1
 * (NO_ADDITIONAL_SAS: "the responder is unwilling to accept any more
 * Child SAs on this IKE SA").
 *
 *   The gateway's request                     Our response
 *   HDR, SK{[N(REKEY_SA),] SA, Ni, [KEi,]
 *       [TSi, TSr]}                      -->  HDR, SK{N(NO_ADDITIONAL_SAS)}
 */
#include <errno.h>
#include <string.h>

#include "ike_int.h"

int
ike_child_on_request(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t b[64];
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	sa_info(sa,
	    "the gateway wants to %s; refused (NO_ADDITIONAL_SAS): "
	    "p2s does not rekey yet",
	    m->shape == IKE_SHAPE_CHILD_REKEY_IKE ? "rekey the IKE SA"
						  : "rekey or add a CHILD_SA");
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_notify(
	    &pw, &(struct ike_pld_notify){ .type = IKE_N_NO_ADDITIONAL_SAS });
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_reply(sa, m, &inner, pw.first);
	if (r < 0)
		sa_warn(sa, "cannot answer CREATE_CHILD_SA: %s", strerror(-r));
	return r;
}
