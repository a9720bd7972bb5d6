/* SPDX-License-Identifier: ISC */
/*
 * ike_xchg_child.c: the CREATE_CHILD_SA exchange the gateway starts.  Its
 * rekey of our CHILD_SA is accepted: we choose from its proposals, answer
 * with a fresh SPI and nonce, and hand the new CHILD_SA to the daemon
 * make-before-break (rekey set); the old one stays installed until the
 * gateway's DELETE of it (ike_xchg_info.c), so no packet in flight is
 * lost.  A new, additional CHILD_SA and a rekey of the IKE SA are still
 * refused with NO_ADDITIONAL_SAS, which leaves the current SAs in place.
 *
 * RFC 7296 1.3 (CREATE_CHILD_SA), 1.3.3 (rekeying a CHILD_SA: N(REKEY_SA)
 * names the SA by the SPI its sender receives on), 2.8 (rekeying: the old
 * SA is deleted by the rekey's initiator), 2.17 (KEYMAT: the exchange's
 * initiator's keys come first), 3.3.6 (the responder's choice), 3.10.1
 * (CHILD_SA_NOT_FOUND, NO_PROPOSAL_CHOSEN, NO_ADDITIONAL_SAS).
 *
 *   The gateway's request                     Our response
 *   HDR, SK{N(REKEY_SA), SA, Ni, TSi, TSr} -->  HDR, SK{SA, Nr, TSi, TSr}
 *   HDR, SK{N(REKEY_SA), SA, Ni, KEi, ...} -->  HDR, SK{N(NO_PROPOSAL_CHOSEN)}
 *                                             (PFS: no KE of ours yet)
 *   HDR, SK{SA, Ni, [KEi,] [TSi, TSr]}   -->  HDR, SK{N(NO_ADDITIONAL_SAS)}
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ike_int.h"

#define CHILD_REPLY_MAX 1024 /* bytes: our answers' inner chains */

/* The gateway's rekey request, parsed. */
struct child_rekey {
	struct rd ni;		  /* borrowed: its nonce */
	struct rd tsi, tsr;	  /* borrowed: TS bodies, echoed */
	struct ike_pld_sa choice; /* ours, with the new SPI */
	struct ike_child *c;	  /* owned: what the daemon gets */
};

int
ike_child_spi_new(struct ike_sa *sa, uint32_t *ret)
{
	uint32_t spi = sa->hooks != NULL ? sa->hooks->esp_spi : 0;
	int r = 0;

	/* A test's fixed SPI serves once: a rekey needs another. */
	if (spi == sa->child.spi_in)
		spi = 0;
	/* SPIs below 256 are reserved (RFC 4303 2.1). */
	while (r == 0 && spi < 256)
		r = ike_sa_random(sa, &spi, sizeof(spi));
	if (r == 0)
		*ret = spi;
	return r;
}

static int
send_notify(
    struct ike_sa *sa, const struct ike_msg *m, const struct ike_pld_notify *n)
{
	uint8_t b[64];
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_notify(&pw, n);
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_reply(sa, m, &inner, pw.first);
	if (r < 0)
		sa_warn(sa, "cannot answer CREATE_CHILD_SA: %s", strerror(-r));
	return r;
}

static int
refuse(struct ike_sa *sa, const struct ike_msg *m, uint16_t type)
{
	return send_notify(sa, m, &(struct ike_pld_notify){ .type = type });
}

/* The CHILD_SA N(REKEY_SA) names must be ours: the SPI the gateway
 * receives on, our outbound one. */
static bool
names_our_child(struct ike_sa *sa, const struct ike_pld_notify *n)
{
	uint32_t spi;

	return n->proto == IKE_PROTO_ESP &&
	    ike_pld_notify_spi32(n, &spi) == 0 && sa->child.installed &&
	    spi == sa->child.spi_out;
}

/* The gateway's SPI: in its proposal we chose (the same number). */
static int
spi_out(const struct ike_pld_sa *theirs, struct child_rekey *k)
{
	for (size_t g = 0; g < theirs->n_props; g++) {
		const struct ike_proposal *gp = &theirs->props[g];

		if (gp->num != k->choice.props[0].num || gp->spi_len != 4)
			continue;
		k->c->spi_out = (uint32_t)gp->spi[0] << 24 |
		    (uint32_t)gp->spi[1] << 16 | (uint32_t)gp->spi[2] << 8 |
		    gp->spi[3];
		break;
	}
	return k->c->spi_out >= 256 ? 0 : -EPROTO; /* RFC 4303 2.1 */
}

/* SA, Ni, TS from the request; our choice with a fresh SPI. */
static int
rekey_parse(struct ike_sa *sa, const struct ike_msg *m, struct child_rekey *k)
{
	const struct ike_pld_ref *p;
	struct ike_pld_nonce n;
	struct ike_pld_sa *offer = malloc(sizeof(*offer));
	struct ike_pld_sa *theirs = malloc(sizeof(*theirs));
	int r = offer != NULL && theirs != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = ike_child_spi_new(sa, &k->c->spi_in);
	if (r == 0)
		r = ike_proposal_offer(sa->conf->proposals.esp,
		    sa->conf->proposals.n_esp, IKE_PROTO_ESP, k->c->spi_in,
		    offer);
	p = ike_pld_find(m->pld, m->n_pld, IKE_PLD_SA);
	if (r == 0)
		r = ike_pld_parse_sa(&p->body, theirs);
	if (r == 0)
		r = ike_proposal_choose(
		    offer, theirs, k->c->spi_in, &k->choice, &k->c->esp);
	p = ike_pld_find(m->pld, m->n_pld, IKE_PLD_NONCE);
	if (r == 0 && (r = ike_pld_parse_nonce(&p->body, &n)) == 0)
		k->ni = n.data;
	if (r == 0)
		r = spi_out(theirs, k);
	free(offer);
	free(theirs);
	if (r == 0) {
		k->tsi = ike_pld_find(m->pld, m->n_pld, IKE_PLD_TSI)->body;
		k->tsr = ike_pld_find(m->pld, m->n_pld, IKE_PLD_TSR)->body;
	}
	return r;
}

static int
rekey_answer(struct ike_sa *sa, const struct ike_msg *m,
    const struct child_rekey *k, const struct rd *nr)
{
	uint8_t *b = malloc(CHILD_REPLY_MAX);
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	if (b == NULL)
		return -ENOMEM;
	ike_pld_wr_init_chain(&pw, b, CHILD_REPLY_MAX);
	ike_pld_build_sa(&pw, &k->choice);
	ike_pld_build_nonce(&pw, &(struct ike_pld_nonce){ .data = *nr });
	/* The selectors are the CHILD_SA's, unchanged by a rekey. */
	ike_pld_build_raw(&pw, IKE_PLD_TSI, false, &k->tsi);
	ike_pld_build_raw(&pw, IKE_PLD_TSR, false, &k->tsr);
	r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_reply(sa, m, &inner, pw.first);
	free(b);
	return r;
}

/* Keys, then the daemon installs the new SA (inbound before the gateway
 * can use it: our answer goes out after this). */
static int
rekey_install(struct ike_sa *sa, struct child_rekey *k, const struct rd *nr)
{
	struct ike_child_keys keys = { 0 };
	int r;

	/* 2.17: the gateway started the exchange; its keys come first. */
	r = ike_keys_child(
	    sa->keys, &k->c->esp, NULL, &k->ni, nr, false, &keys);
	if (r < 0)
		return r;
	k->c->keys = &keys;
	k->c->rekey = true;
	r = sa->cbs.established(sa->cb_arg, k->c);
	ike_child_keys_done(&keys);
	k->c->keys = NULL;
	return r;
}

/* The new CHILD_SA is in: the old one waits for the gateway's DELETE. */
static void
rekey_done(struct ike_sa *sa, const struct child_rekey *k)
{
	if (sa->child_old.installed && sa->cbs.child_gone != NULL)
		sa->cbs.child_gone(
		    sa->cb_arg, sa->child_old.spi_in, sa->child_old.spi_out);
	sa_info(sa,
	    "CHILD_SA rekeyed by the gateway: %08x_i %08x_o replace "
	    "%08x_i %08x_o",
	    k->c->spi_in, k->c->spi_out, sa->child.spi_in, sa->child.spi_out);
	sa->child_old = sa->child;
	sa->child = (struct ike_child_sa){ .spi_in = k->c->spi_in,
		.spi_out = k->c->spi_out,
		.esp = k->c->esp,
		.installed = true };
	*sa->child_last = *k->c;
	sa->n_child_rekeys++;
}

static int
rekey_child(struct ike_sa *sa, const struct ike_msg *m)
{
	struct child_rekey k = { .c = malloc(sizeof(*k.c)) };
	uint8_t nonce[IKE_NONCE_LEN];
	struct rd nr = rd_make(nonce, sizeof(nonce));
	int r = k.c != NULL ? 0 : -ENOMEM;

	if (r == 0) {
		*k.c = *sa->child_last;
		k.c->spi_out = 0;
		r = rekey_parse(sa, m, &k);
	}
	if (r == 0)
		r = ike_sa_random(sa, nonce, sizeof(nonce));
	if (r == 0)
		r = rekey_install(sa, &k, &nr);
	if (r == 0) {
		r = rekey_answer(sa, m, &k, &nr);
		rekey_done(sa, &k);
	} else {
		sa_warn(sa, "the gateway's CHILD_SA rekey refused: %s",
		    r == -ENOENT ? "no acceptable proposal" : strerror(-r));
		(void)refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN);
	}
	wipe(nonce, sizeof(nonce));
	free(k.c);
	return r;
}

int
ike_child_on_request(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_pld_notify n;

	if (m->shape == IKE_SHAPE_CHILD_REKEY_IKE) {
		sa_info(sa,
		    "the gateway wants to rekey the IKE SA; refused "
		    "(NO_ADDITIONAL_SAS): p2s does not rekey it yet");
		return refuse(sa, m, IKE_N_NO_ADDITIONAL_SAS);
	}
	if (ike_pld_find_notify(m->pld, m->n_pld, IKE_N_REKEY_SA, &n) < 0) {
		sa_info(sa,
		    "the gateway offers another CHILD_SA; refused "
		    "(NO_ADDITIONAL_SAS)");
		return refuse(sa, m, IKE_N_NO_ADDITIONAL_SAS);
	}
	if (!names_our_child(sa, &n) || sa->child_last == NULL) {
		sa_info(sa, "the gateway rekeys a CHILD_SA we do not have");
		return send_notify(sa, m,
		    &(struct ike_pld_notify){ .type = IKE_N_CHILD_SA_NOT_FOUND,
			.proto = IKE_PROTO_ESP,
			.spi = n.spi });
	}
	if (ike_pld_find(m->pld, m->n_pld, IKE_PLD_KE) != NULL) {
		sa_warn(sa,
		    "the gateway's CHILD_SA rekey wants PFS (a KE); "
		    "p2s does not do that yet: refused");
		return refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN);
	}
	return rekey_child(sa, m);
}
