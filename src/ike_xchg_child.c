/* SPDX-License-Identifier: ISC */
/*
 * ike_xchg_child.c: the CREATE_CHILD_SA exchange the gateway starts.  Its
 * rekey of our CHILD_SA is accepted, with PFS when it sends a KE of a
 * group our ESP proposals name (or, when they name none, our IKE
 * proposals: ike_proposal_add_ike_groups): we choose from its proposals, answer with
 * a fresh SPI and nonce (and KE), and hand the new CHILD_SA to the daemon
 * make-before-break (rekey set); the old one stays installed until the
 * gateway's DELETE of it (ike_xchg_info.c), so no packet in flight is
 * lost.  Its rekey of the IKE SA is accepted too: the new keys wait in
 * sa->next until the gateway deletes the old IKE SA (or uses the new
 * one), then take over (ike_xchg_rekey.c).  A new, additional CHILD_SA is
 * refused with NO_ADDITIONAL_SAS, which leaves the current SAs in place;
 * a rekey while one of ours is in flight with TEMPORARY_FAILURE (2.25:
 * the gateway tries again later), so that two rekeys of one SA never
 * both complete (the collisions of 2.8.1 do not arise).
 *
 * RFC 7296 1.3 (CREATE_CHILD_SA), 1.3.1 (KE: PFS), 1.3.2 (rekeying the
 * IKE SA), 1.3.3 (rekeying a CHILD_SA: N(REKEY_SA) names the SA by the
 * SPI its sender receives on), 2.8 (rekeying: the old SA is deleted by
 * the rekey's initiator), 2.17 (KEYMAT: the exchange's initiator's keys
 * come first), 2.18 (the rekeyed IKE SA's keys; its initiator is the
 * rekey's), 2.25 (TEMPORARY_FAILURE), 3.3.6 (the responder's choice),
 * 3.10.1 (CHILD_SA_NOT_FOUND, NO_PROPOSAL_CHOSEN, NO_ADDITIONAL_SAS).
 *
 *   The gateway's request                       Our response
 *   HDR, SK{N(REKEY_SA), SA, Ni, [KEi], TSi, TSr}
 *                                          -->  HDR, SK{SA, Nr, [KEr],
 *                                                       TSi, TSr}
 *   HDR, SK{SA, Ni, KEi}  (the IKE SA)     -->  HDR, SK{SA, Nr, KEr}
 *   HDR, SK{SA, Ni, [KEi,] TSi, TSr}       -->  HDR, SK{N(NO_ADDITIONAL_SAS)}
 *   any, while a rekey of ours is out      -->  HDR, SK{N(TEMPORARY_FAILURE)}
 *   a rekey of the CHILD_SA being deleted  -->  HDR, SK{N(TEMPORARY_FAILURE)}
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "ike_int.h"

#define CHILD_REPLY_MAX 1024 /* bytes: our answers' inner chains */

/* The gateway's rekey request, parsed. */
struct child_rekey {
	struct rd ni;		  /* borrowed: its nonce */
	struct rd tsi, tsr;	  /* borrowed: TS bodies, echoed */
	struct ike_pld_ke ke;	  /* borrowed: its KE; group 0: none */
	struct kex *kex;	  /* owned, secret: ours for its KE */
	struct buf *g_ir;	  /* owned, secret */
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

/* N(REKEY_SA) names c: by the SPI the gateway receives on, our
 * outbound one.  The current CHILD_SA is the one to rekey; the one a
 * rekey replaced is being deleted. */
static bool
names_child(const struct ike_pld_notify *n, const struct ike_child_sa *c)
{
	uint32_t spi;

	return n->proto == IKE_PROTO_ESP &&
	    ike_pld_notify_spi32(n, &spi) == 0 && c->installed &&
	    spi == c->spi_out;
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
	const struct ike_pld_ref *ke =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_KE);
	struct ike_pld_nonce n;
	struct ike_pld_sa *offer = malloc(sizeof(*offer));
	struct ike_pld_sa *theirs = malloc(sizeof(*theirs));
	uint8_t spi[4];
	int r = offer != NULL && theirs != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = ike_child_spi_new(sa, &k->c->spi_in);
	for (size_t i = 0; i < 4; i++)
		spi[i] = (uint8_t)(k->c->spi_in >> (24 - 8 * i));
	if (r == 0)
		r = ike_proposal_offer_rekey(sa->conf->proposals.esp,
		    sa->conf->proposals.n_esp, IKE_PROTO_ESP, spi, offer);
	if (r == 0)
		ike_proposal_add_ike_groups(
		    offer, sa->conf->proposals.ike, sa->conf->proposals.n_ike);
	if (r == 0 && ke != NULL)
		r = ike_pld_parse_ke(&ke->body, &k->ke);
	p = ike_pld_find(m->pld, m->n_pld, IKE_PLD_SA);
	if (r == 0)
		r = ike_pld_parse_sa(&p->body, theirs);
	if (r == 0)
		r = ike_proposal_choose(
		    offer, theirs, k->ke.group, &k->choice, &k->c->esp);
	/* 1.3.1: PFS, a KE of ours in the group of its KE. */
	if (r == 0 && k->ke.group != 0)
		r = kex_new(k->ke.group, &k->kex);
	if (r == 0 && k->kex != NULL)
		r = ike_rekey_g_ir(sa, k->kex, &k->ke.data, &k->g_ir);
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

/* What our answer to a rekey carries besides SA and Nr. */
struct answer_extra {
	uint16_t group;	       /* of kex */
	const struct kex *kex; /* KEr, or NULL */
	const struct rd *tsi;  /* TS bodies echoed (a CHILD_SA's: a rekey
				    does not change them), or NULL */
	const struct rd *tsr;
};

/* HDR, SK{SA, Nr, [KEr], [TSi, TSr]}. */
static int
answer_sa(struct ike_sa *sa, const struct ike_msg *m,
    const struct ike_pld_sa *choice, const struct rd *nr,
    const struct answer_extra *x)
{
	uint8_t *b = malloc(CHILD_REPLY_MAX);
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	if (b == NULL)
		return -ENOMEM;
	ike_pld_wr_init_chain(&pw, b, CHILD_REPLY_MAX);
	ike_pld_build_sa(&pw, choice);
	ike_pld_build_nonce(&pw, &(struct ike_pld_nonce){ .data = *nr });
	if (x->kex != NULL)
		ike_pld_build_ke(&pw,
		    &(struct ike_pld_ke){
			.group = x->group, .data = kex_public(x->kex) });
	if (x->tsi != NULL) {
		ike_pld_build_raw(&pw, IKE_PLD_TSI, false, x->tsi);
		ike_pld_build_raw(&pw, IKE_PLD_TSR, false, x->tsr);
	}
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
	struct rd g = k->g_ir != NULL ? buf_rd(k->g_ir) : rd_make(NULL, 0);
	int r;

	/* 2.17: the gateway started the exchange; its keys come first. */
	r = ike_keys_child(sa->keys, &k->c->esp, k->g_ir != NULL ? &g : NULL,
	    &k->ni, nr, false, &keys);
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
	    "%08x_i %08x_o%s",
	    k->c->spi_in, k->c->spi_out, sa->child.spi_in, sa->child.spi_out,
	    k->kex != NULL ? " (PFS)" : "");
	sa->child_old = sa->child;
	sa->child = (struct ike_child_sa){ .spi_in = k->c->spi_in,
		.spi_out = k->c->spi_out,
		.esp = k->c->esp,
		.installed = true };
	*sa->child_last = *k->c;
	sa->child_last->keys = NULL;
	sa->n_child_rekeys++;
	ike_rekey_schedule(sa, false); /* a fresh SA: our timer restarts */
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
		r = answer_sa(sa, m, &k.choice, &nr,
		    &(struct answer_extra){ .group = k.ke.group,
			.kex = k.kex,
			.tsi = &k.tsi,
			.tsr = &k.tsr });
		rekey_done(sa, &k);
	} else {
		sa_warn(sa, "the gateway's CHILD_SA rekey refused: %s",
		    r == -ENOENT ? "no acceptable proposal" : strerror(-r));
		(void)refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN);
	}
	wipe(nonce, sizeof(nonce));
	kex_free(k.kex);
	buf_free(k.g_ir);
	free(k.c);
	return r;
}

/* ---- The gateway's IKE SA rekey (1.3.2, 2.18) ---- */

static unsigned long long
spi64(const uint8_t *spi)
{
	unsigned long long v = 0;

	for (size_t i = 0; i < IKE_SPI_LEN; i++)
		v = v << 8 | spi[i];
	return v;
}

struct ike_rekey_in {
	struct rd ni;		  /* borrowed: its nonce */
	struct ike_pld_ke ke;	  /* borrowed: its KE */
	uint8_t spi[IKE_SPI_LEN]; /* ours, new */
	struct ike_pld_sa choice; /* ours, with our new SPI */
	struct kex *kex;	  /* owned, secret */
	struct buf *nr;		  /* owned: our nonce */
};

/* Its proposal, numbered as we chose: its new SPI, the new SA's SPIi. */
static int
ike_their_spi(const struct ike_pld_sa *theirs, const struct ike_pld_sa *choice,
    uint8_t *ret)
{
	static const uint8_t zero[IKE_SPI_LEN];

	for (size_t g = 0; g < theirs->n_props; g++) {
		const struct ike_proposal *gp = &theirs->props[g];

		if (gp->num != choice->props[0].num ||
		    gp->spi_len != IKE_SPI_LEN)
			continue;
		memcpy(ret, gp->spi, IKE_SPI_LEN);
		return memcmp(ret, zero, IKE_SPI_LEN) != 0 ? 0 : -EPROTO;
	}
	return -EPROTO;
}

static int
ike_rekey_parse(struct ike_sa *sa, const struct ike_msg *m,
    struct ike_rekey_in *k, struct ike_pld_sa *offer)
{
	static const uint8_t zero[IKE_SPI_LEN];
	const struct conf_proposals *cp = &sa->conf->proposals;
	struct ike_pld_sa *theirs = malloc(sizeof(*theirs));
	struct ike_next *n = &sa->next;
	struct ike_pld_nonce nonce;
	int r = theirs != NULL ? 0 : -ENOMEM;

	do
		r = r == 0 ? ike_sa_random(sa, k->spi, IKE_SPI_LEN) : r;
	while (r == 0 && memcmp(k->spi, zero, IKE_SPI_LEN) == 0);
	if (r == 0)
		r = ike_proposal_offer_rekey(
		    cp->ike, cp->n_ike, IKE_PROTO_IKE, k->spi, offer);
	if (r == 0)
		r = ike_pld_parse_ke(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_KE)->body, &k->ke);
	if (r == 0)
		r = ike_pld_parse_sa(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_SA)->body, theirs);
	if (r == 0)
		r = ike_proposal_choose(
		    offer, theirs, k->ke.group, &k->choice, &n->suite);
	if (r == 0)
		r = ike_their_spi(theirs, &k->choice, n->spi_i);
	free(theirs);
	if (r == 0)
		r = ike_pld_parse_nonce(
		    &ike_pld_find(m->pld, m->n_pld, IKE_PLD_NONCE)->body,
		    &nonce);
	if (r == 0)
		k->ni = nonce.data;
	return r;
}

/* 2.18: the gateway initiated, so its SPI and nonce come first. */
static int
ike_rekey_keys(struct ike_sa *sa, struct ike_rekey_in *k)
{
	struct ike_next *n = &sa->next;
	struct buf *g_ir = NULL;
	struct rd nr, g;
	int r;

	n->dh = k->ke.group;
	memcpy(n->spi_r, k->spi, IKE_SPI_LEN);
	r = kex_new(k->ke.group, &k->kex);
	if (r == 0)
		r = ike_rekey_nonce(sa, &k->nr);
	if (r == 0)
		r = ike_rekey_g_ir(sa, k->kex, &k->ke.data, &g_ir);
	if (r == 0) {
		nr = buf_rd(k->nr);
		g = buf_rd(g_ir);
		r = ike_keys_rekey(sa->keys, &n->suite, &g, &k->ni, &nr,
		    n->spi_i, n->spi_r, false, &n->keys);
	}
	buf_free(g_ir);
	return r;
}

static int
rekey_ike(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_pld_sa *offer = malloc(sizeof(*offer));
	struct ike_rekey_in k = { .kex = NULL };
	int r = offer != NULL ? 0 : -ENOMEM;

	sa->next = (struct ike_next){ .initiator = false };
	if (r == 0)
		r = ike_rekey_parse(sa, m, &k, offer);
	if (r == 0)
		r = ike_rekey_keys(sa, &k);
	if (r == 0) {
		struct rd nr = buf_rd(k.nr);

		r = answer_sa(sa, m, &k.choice, &nr,
		    &(struct answer_extra){
			.group = k.ke.group, .kex = k.kex });
	}
	if (r == 0) {
		sa->next.pending = true;
		sa_info(sa,
		    "the gateway rekeys the IKE SA: new SPIs %016llx/%016llx, "
		    "waiting for its DELETE of this one",
		    spi64(sa->next.spi_i), spi64(sa->next.spi_r));
	} else {
		ike_keys_free(sa->next.keys);
		sa->next = (struct ike_next){ .pending = false };
		sa_warn(sa, "the gateway's IKE SA rekey refused: %s",
		    r == -ENOENT ? "no acceptable proposal" : strerror(-r));
		(void)refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN);
	}
	kex_free(k.kex);
	buf_free(k.nr);
	free(offer);
	return r;
}

int
ike_child_on_request(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_pld_notify n;

	/* 2.25: one rekey at a time; the gateway tries again later. */
	if (sa->state == IKE_SA_REKEYING || sa->next.pending) {
		sa_info(sa,
		    "the gateway wants a rekey while one is under way; "
		    "answered TEMPORARY_FAILURE");
		return refuse(sa, m, IKE_N_TEMPORARY_FAILURE);
	}
	if (m->shape == IKE_SHAPE_CHILD_REKEY_IKE)
		return rekey_ike(sa, m);
	if (ike_pld_find_notify(m->pld, m->n_pld, IKE_N_REKEY_SA, &n) < 0) {
		sa_info(sa,
		    "the gateway offers another CHILD_SA; refused "
		    "(NO_ADDITIONAL_SAS)");
		return refuse(sa, m, IKE_N_NO_ADDITIONAL_SAS);
	}
	if (names_child(&n, &sa->child_old)) {
		/* 2.25.1: an SA on its way out is not rekeyed again. */
		sa_info(sa,
		    "the gateway rekeys the CHILD_SA being deleted; "
		    "answered TEMPORARY_FAILURE");
		return refuse(sa, m, IKE_N_TEMPORARY_FAILURE);
	}
	if (!names_child(&n, &sa->child) || sa->child_last == NULL) {
		sa_info(sa, "the gateway rekeys a CHILD_SA we do not have");
		return send_notify(sa, m,
		    &(struct ike_pld_notify){ .type = IKE_N_CHILD_SA_NOT_FOUND,
			.proto = IKE_PROTO_ESP,
			.spi = n.spi });
	}
	return rekey_child(sa, m);
}
