/* SPDX-License-Identifier: ISC */
/*
 * ike_proposal.c: the profile's proposals as SA payloads, and the
 * gateway's choice checked against them.
 *
 * RFC 7296 3.3 (SA payload), 3.3.3 (transforms required per protocol:
 * IKE needs ENCR, PRF, DH and, unless the cipher is AEAD, INTEG; ESP needs
 * ENCR and ESN), 3.3.6 (the responder picks one proposal and one
 * transform of each type from it, and numbers it as we did); 1.2 (no DH
 * in the CHILD_SA of IKE_AUTH); RFC 5282 8 (AEAD: no INTEG).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "ike_int.h"
#include "names.h"

static bool
is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_8 || encr == IKE_ENCR_AES_GCM_12 ||
	    encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

/* One profile proposal into one SA proposal; pfs keeps an ESP
 * proposal's DH groups (a rekey's KE). */
static int
offer_one(const struct proposal *p, uint8_t num, uint8_t proto,
    uint32_t esp_spi, bool pfs, struct ike_proposal *ret)
{
	bool esn = false;

	*ret = (struct ike_proposal){ .num = num, .proto = proto };
	if (proto == IKE_PROTO_ESP) {
		ret->spi_len = 4;
		for (size_t i = 0; i < 4; i++)
			ret->spi[i] = (uint8_t)(esp_spi >> (24 - 8 * i));
	}
	for (size_t i = 0; i < p->n_xforms; i++) {
		const struct proposal_xform *x = &p->xforms[i];

		if (proto == IKE_PROTO_ESP && x->type == IKE_XFORM_DH && !pfs)
			continue; /* 1.2: no KE in IKE_AUTH */
		esn = esn || x->type == IKE_XFORM_ESN;
		ret->xforms[ret->n_xforms++] = (struct ike_xform){
			.type = x->type, .id = x->id, .key_bits = x->key_bits
		};
	}
	if (proto == IKE_PROTO_ESP && !esn)
		ret->xforms[ret->n_xforms++] =
		    (struct ike_xform){ .type = IKE_XFORM_ESN,
			    .id = IKE_ESN_NO };
	return ret->n_xforms > 0 ? 0 : -EINVAL;
}

static int
offer_all(const struct proposal *props, size_t n, uint8_t proto,
    uint32_t esp_spi, bool pfs, struct ike_pld_sa *ret)
{
	int r = 0;

	if (n == 0 || n > IKE_MAX_PROPOSALS)
		return -EINVAL;
	ret->n_props = n;
	for (size_t i = 0; i < n && r == 0; i++)
		r = offer_one(&props[i], (uint8_t)(i + 1), proto, esp_spi, pfs,
		    &ret->props[i]);
	return r;
}

int
ike_proposal_offer(const struct proposal *props, size_t n, uint8_t proto,
    uint32_t esp_spi, struct ike_pld_sa *ret)
{
	return offer_all(props, n, proto, esp_spi, false, ret);
}

int
ike_proposal_offer_rekey(const struct proposal *props, size_t n, uint8_t proto,
    const uint8_t *spi, struct ike_pld_sa *ret)
{
	uint32_t esp_spi = 0;
	size_t len = proto == IKE_PROTO_IKE ? IKE_SPI_LEN : 4;
	int r;

	for (size_t i = 0; proto == IKE_PROTO_ESP && i < 4; i++)
		esp_spi = esp_spi << 8 | spi[i];
	r = offer_all(props, n, proto, esp_spi, true, ret);
	for (size_t i = 0; r == 0 && i < ret->n_props; i++) {
		ret->props[i].spi_len = (uint8_t)len;
		memcpy(ret->props[i].spi, spi, len);
	}
	return r;
}

static bool
has_type(const struct ike_proposal *p, uint8_t type, uint16_t id, bool any)
{
	for (size_t i = 0; i < p->n_xforms; i++)
		if (p->xforms[i].type == type && (any || p->xforms[i].id == id))
			return true;
	return false;
}

void
ike_proposal_add_ike_groups(
    struct ike_pld_sa *esp, const struct proposal *ike, size_t n_ike)
{
	for (size_t e = 0; e < esp->n_props; e++) {
		struct ike_proposal *ep = &esp->props[e];

		if (has_type(ep, IKE_XFORM_DH, 0, true))
			continue; /* the profile named its PFS groups */
		for (size_t i = 0; i < n_ike; i++)
			for (size_t k = 0; k < ike[i].n_xforms; k++) {
				const struct proposal_xform *x =
				    &ike[i].xforms[k];

				if (x->type != IKE_XFORM_DH ||
				    x->id == IKE_DH_NONE ||
				    has_type(ep, IKE_XFORM_DH, x->id, false) ||
				    ep->n_xforms == IKE_MAX_TRANSFORMS)
					continue;
				ep->xforms[ep->n_xforms++] =
				    (struct ike_xform){ .type = IKE_XFORM_DH,
					    .id = x->id };
			}
	}
}

uint16_t
ike_proposal_first_group(const struct proposal *props, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < props[i].n_xforms; k++)
			if (props[i].xforms[k].type == IKE_XFORM_DH &&
			    props[i].xforms[k].id != IKE_DH_NONE)
				return props[i].xforms[k].id;
	return 0;
}

bool
ike_proposal_has_group(const struct proposal *props, size_t n, uint16_t group)
{
	return proposal_has_group(props, n, group);
}

/* ---- The gateway's choice ---- */

static bool
offered(const struct ike_proposal *ours, const struct ike_xform *x)
{
	for (size_t i = 0; i < ours->n_xforms; i++) {
		const struct ike_xform *o = &ours->xforms[i];

		if (o->type == x->type && o->id == x->id &&
		    o->key_bits == x->key_bits)
			return true;
	}
	return false;
}

/* One transform of each type the protocol needs, each one of ours. */
static int
check_xforms(const struct ike_proposal *ours, const struct ike_proposal *c,
    const struct ike_xform *by_type[6], char *why, size_t len)
{
	for (size_t i = 0; i < c->n_xforms; i++) {
		const struct ike_xform *x = &c->xforms[i];

		if (x->type < IKE_XFORM_ENCR || x->type > IKE_XFORM_ESN ||
		    by_type[x->type] != NULL || x->unknown_attr ||
		    !offered(ours, x)) {
			(void)snprintf(why, len,
			    "transform %s %s was not offered (or twice)",
			    names_xform_type(x->type, NAMES_TMP),
			    names_xform_id(x->type, x->id, NAMES_TMP));
			return -EPROTO;
		}
		by_type[x->type] = x;
	}
	return 0;
}

/* 3.3.3: the types this protocol needs, and no others (ESP's DH is
 * PFS on a rekey: optional). */
static int
check_types(uint8_t proto, const struct ike_xform *const by_type[6], char *why,
    size_t len)
{
	bool aead = by_type[IKE_XFORM_ENCR] != NULL &&
	    is_aead(by_type[IKE_XFORM_ENCR]->id);
	bool ike = proto == IKE_PROTO_IKE;
	bool ok = by_type[IKE_XFORM_ENCR] != NULL &&
	    (by_type[IKE_XFORM_INTEG] != NULL) == !aead &&
	    (by_type[IKE_XFORM_PRF] != NULL) == ike &&
	    (by_type[IKE_XFORM_DH] != NULL || !ike) &&
	    (by_type[IKE_XFORM_ESN] != NULL) == !ike;

	if (!ok)
		(void)snprintf(why, len,
		    "the chosen proposal lacks a transform type, or has one "
		    "it must not");
	return ok ? 0 : -EPROTO;
}

static void
suite_from(const struct ike_xform *const by_type[6], struct ike_suite *ret)
{
	const struct ike_xform *e = by_type[IKE_XFORM_ENCR];

	*ret = (struct ike_suite){ .encr = e->id,
		.encr_bits = e->key_bits,
		.integ = by_type[IKE_XFORM_INTEG] != NULL
		    ? by_type[IKE_XFORM_INTEG]->id
		    : IKE_INTEG_NONE,
		.prf = by_type[IKE_XFORM_PRF] != NULL
		    ? by_type[IKE_XFORM_PRF]->id
		    : 0 };
}

int
ike_proposal_check(const struct ike_pld_sa *offer,
    const struct ike_pld_sa *chosen, struct ike_suite *ret_suite,
    uint16_t *ret_dh, uint32_t *ret_spi, char *why, size_t why_len)
{
	const struct ike_xform *by_type[6] = { NULL };
	const struct ike_proposal *c = &chosen->props[0], *ours;
	int r;

	if (chosen->n_props != 1 || c->num < 1 || c->num > offer->n_props) {
		(void)snprintf(why, why_len, "%zu proposals, number %u",
		    chosen->n_props, c->num);
		return -EPROTO;
	}
	ours = &offer->props[c->num - 1];
	if (c->proto != ours->proto || c->spi_len != ours->spi_len) {
		(void)snprintf(why, why_len, "protocol %u with a %u-byte SPI",
		    c->proto, c->spi_len);
		return -EPROTO;
	}
	r = check_xforms(ours, c, by_type, why, why_len);
	if (r == 0)
		r = check_types(c->proto, by_type, why, why_len);
	if (r < 0)
		return r;
	suite_from(by_type, ret_suite);
	*ret_dh = by_type[IKE_XFORM_DH] != NULL ? by_type[IKE_XFORM_DH]->id : 0;
	*ret_spi = 0;
	for (size_t i = 0; c->spi_len == 4 && i < 4; i++)
		*ret_spi = *ret_spi << 8 | c->spi[i];
	return 0;
}

/* ---- Our choice, as the responder of the gateway's CREATE_CHILD_SA ---- */

/*
 * From one of the gateway's proposals, one transform of each type it
 * lists, each one of ours; DH: the group of its KE (ke_group), or NONE
 * when it sent none.  false when a type it lists has nothing acceptable
 * (3.3.6).
 */
static bool
choose_xforms(const struct ike_proposal *ours, const struct ike_proposal *gp,
    uint16_t ke_group, const struct ike_xform *by_type[6])
{
	unsigned listed = 0, chosen = 0;

	for (size_t i = 0; i < gp->n_xforms; i++) {
		const struct ike_xform *x = &gp->xforms[i];
		bool ok;

		if (x->type < IKE_XFORM_ENCR || x->type > IKE_XFORM_ESN)
			return false; /* a type we do not know */
		listed |= 1u << x->type;
		if (by_type[x->type] != NULL || x->unknown_attr)
			continue;
		if (x->type == IKE_XFORM_DH)
			ok = x->id == ke_group &&
			    (ke_group == IKE_DH_NONE || offered(ours, x));
		else
			ok = offered(ours, x);
		if (ok) {
			by_type[x->type] = x;
			chosen |= 1u << x->type;
		}
	}
	return listed == chosen;
}

static void
choice_build(const struct ike_proposal *gp, const struct ike_xform *const by[6],
    const struct ike_proposal *ours, struct ike_pld_sa *ret)
{
	struct ike_proposal *c = &ret->props[0];

	ret->n_props = 1;
	*c = (struct ike_proposal){
		.num = gp->num, .proto = gp->proto, .spi_len = ours->spi_len
	};
	memcpy(c->spi, ours->spi, ours->spi_len);
	for (unsigned t = IKE_XFORM_ENCR; t <= IKE_XFORM_ESN; t++)
		if (by[t] != NULL)
			c->xforms[c->n_xforms++] = *by[t];
}

int
ike_proposal_choose(const struct ike_pld_sa *offer,
    const struct ike_pld_sa *theirs, uint16_t ke_group,
    struct ike_pld_sa *ret_choice, struct ike_suite *ret_suite)
{
	char why[128];

	/* Our preference first: the profile's order, then the gateway's. */
	for (size_t o = 0; o < offer->n_props; o++) {
		const struct ike_proposal *op = &offer->props[o];

		for (size_t g = 0; g < theirs->n_props; g++) {
			const struct ike_proposal *gp = &theirs->props[g];
			const struct ike_xform *by[6] = { NULL };
			const struct ike_xform *typed[6];

			if (gp->proto != op->proto ||
			    gp->spi_len != op->spi_len ||
			    !choose_xforms(op, gp, ke_group, by))
				continue;
			/* DH NONE, if listed, is no DH for the type rules. */
			memcpy(typed, by, sizeof(typed));
			if (ke_group == IKE_DH_NONE)
				typed[IKE_XFORM_DH] = NULL;
			else if (typed[IKE_XFORM_DH] == NULL)
				continue; /* a KE, but no group for it */
			if (check_types(op->proto, typed, why, sizeof(why)) < 0)
				continue;
			suite_from(by, ret_suite);
			choice_build(gp, by, op, ret_choice);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- Words ---- */

void
ike_proposal_name(const struct ike_suite *s, uint16_t dh, char *buf, size_t len)
{
	int n = snprintf(
	    buf, len, "%s_%u", names_encr(s->encr, NAMES_TMP), s->encr_bits);

	if (n >= 0 && (size_t)n < len && s->integ != IKE_INTEG_NONE)
		n += snprintf(buf + n, len - (size_t)n, "/%s",
		    names_integ(s->integ, NAMES_TMP));
	if (n >= 0 && (size_t)n < len && s->prf != 0)
		n += snprintf(buf + n, len - (size_t)n, "/PRF_%s",
		    names_prf(s->prf, NAMES_TMP));
	if (n >= 0 && (size_t)n < len && dh != 0)
		(void)snprintf(
		    buf + n, len - (size_t)n, "/%s", names_dh(dh, NAMES_TMP));
}

void
ike_proposal_list(const struct proposal *props, size_t n, char *buf, size_t len)
{
	char one[PROPOSAL_MAX_LEN + 1];
	size_t used = 0;
	int w;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		if (proposal_print(&props[i], one, sizeof(one)) < 0)
			(void)snprintf(one, sizeof(one), "?");
		w = snprintf(
		    buf + used, len - used, "%s%s", i > 0 ? ", " : "", one);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
