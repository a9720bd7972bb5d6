/* SPDX-License-Identifier: ISC */
/*
 * ike_pld_sa.c: the Security Association payload (RFC 7296 3.3): its
 * proposals, their transforms, and the transforms' attributes.  The
 * deepest nesting in IKEv2, so it has its own file.  Parsing reads the
 * structure (lengths, Last Substruc flags, counts) and then runs the same
 * sa_check() the builder runs, so the two agree on what is valid.
 */
#include <errno.h>
#include <string.h>

#include "ike_pld.h"
#include "ike_pld_impl.h"
#include "log.h"

#define PROPOSAL_HDR_LEN 8 /* bytes before the SPI (3.3.1) */
#define XFORM_HDR_LEN	 8 /* bytes before the attributes (3.3.2) */
#define ATTR_TV_LEN	 4 /* bytes of a TV attribute (3.3.5) */
#define ATTR_TYPE_MASK	 0x7fff
#define ESP_SPI_LEN	 4

/* ---- Checks shared by the parser and the builder ---- */

static int
proposal_check(const struct ike_proposal *p)
{
	switch (p->proto) {
	case IKE_PROTO_IKE:
		/* 0 in IKE_SA_INIT, 8 when rekeying (3.3.1) */
		if (p->spi_len != 0 && p->spi_len != IKE_SPI_LEN)
			return -EBADMSG;
		break;
	case IKE_PROTO_ESP:
	case IKE_PROTO_AH:
		if (p->spi_len != ESP_SPI_LEN)
			return -EBADMSG;
		break;
	default:
		log_debug("proposal for protocol %u", p->proto);
		return -EOPNOTSUPP;
	}
	if (p->n_xforms < 1)
		return -EBADMSG;
	return p->n_xforms <= IKE_MAX_TRANSFORMS ? 0 : -E2BIG;
}

/*
 * 3.3.1: "The first Proposal MUST have a Proposal Num of one", each next
 * one more.  A responder returns the one it chose with its number, so a
 * lone proposal may carry any number but 0.
 */
static int
sa_check(const struct ike_pld_sa *sa)
{
	int e;

	if (sa->n_props < 1)
		return -EBADMSG;
	if (sa->n_props > IKE_MAX_PROPOSALS)
		return -E2BIG;
	for (size_t i = 0; i < sa->n_props; i++) {
		const struct ike_proposal *p = &sa->props[i];

		if (p->num == 0 || (sa->n_props > 1 && p->num != i + 1)) {
			log_debug("proposal %zu numbered %u", i + 1, p->num);
			return -EBADMSG;
		}
		if ((e = proposal_check(p)) < 0)
			return e;
	}
	return 0;
}

/* ---- Parsing ---- */

/* One attribute; sets key_bits or unknown_attr. */
static int
attr_parse(struct rd *r, struct ike_xform *x)
{
	uint16_t type, val;
	struct rd tlv;

	if (!rd_u16(r, &type) || !rd_u16(r, &val))
		return -EBADMSG;
	if (!(type & IKE_ATTR_FORMAT_TV) && !rd_sub(r, val, &tlv))
		return -EBADMSG;
	if ((type & ATTR_TYPE_MASK) != IKE_ATTR_KEY_LENGTH) {
		x->unknown_attr = true;
		return 0;
	}
	/* 3.3.5: Key Length is a TV attribute; once, and not zero. */
	if (!(type & IKE_ATTR_FORMAT_TV) || x->key_bits != 0 || val == 0) {
		log_debug("bad Key Length attribute");
		return -EBADMSG;
	}
	x->key_bits = val;
	return 0;
}

static int
xform_parse(struct rd *r, uint8_t *ret_last, struct ike_xform *ret)
{
	struct ike_xform x = { .key_bits = 0 };
	struct rd body;
	uint8_t last, reserved;
	uint16_t len;
	size_t n_attrs = 0;
	int e;

	if (!rd_u8(r, &last) || !rd_u8(r, &reserved) || !rd_u16(r, &len) ||
	    len < XFORM_HDR_LEN || !rd_sub(r, len - 4, &body) ||
	    !rd_u8(&body, &x.type) || !rd_u8(&body, &reserved) ||
	    !rd_u16(&body, &x.id)) {
		log_debug("malformed transform");
		return -EBADMSG;
	}
	while (rd_left(&body) > 0) {
		if (++n_attrs > IKE_MAX_ATTRS)
			return -E2BIG;
		if ((e = attr_parse(&body, &x)) < 0)
			return e;
	}
	*ret_last = last;
	*ret = x;
	return 0;
}

/* The transforms fill the proposal exactly; Last Substruc agrees. */
static int
xforms_parse(struct rd *r, uint8_t n, struct ike_proposal *p)
{
	uint8_t last;
	int e;

	if (n > IKE_MAX_TRANSFORMS) {
		log_debug("%u transforms > %d", n, IKE_MAX_TRANSFORMS);
		return -E2BIG;
	}
	for (p->n_xforms = 0; p->n_xforms < n; p->n_xforms++) {
		if ((e = xform_parse(r, &last, &p->xforms[p->n_xforms])) < 0)
			return e;
		if (last !=
		    (p->n_xforms + 1 < n ? IKE_SUBSTRUC_TRANSFORM
					 : IKE_SUBSTRUC_LAST)) {
			log_debug("transform %zu: Last Substruc %u",
			    p->n_xforms + 1, last);
			return -EBADMSG;
		}
	}
	return rd_left(r) == 0 ? 0 : -EBADMSG;
}

static int
proposal_parse(struct rd *r, uint8_t *ret_last, struct ike_proposal *ret)
{
	struct rd body;
	uint8_t last, reserved, n;
	uint16_t len;
	int e;

	if (!rd_u8(r, &last) || !rd_u8(r, &reserved) || !rd_u16(r, &len) ||
	    len < PROPOSAL_HDR_LEN || !rd_sub(r, len - 4, &body) ||
	    !rd_u8(&body, &ret->num) || !rd_u8(&body, &ret->proto) ||
	    !rd_u8(&body, &ret->spi_len) || !rd_u8(&body, &n)) {
		log_debug("malformed proposal");
		return -EBADMSG;
	}
	memset(ret->spi, 0, sizeof(ret->spi));
	if (ret->spi_len > IKE_SPI_LEN ||
	    !rd_copy(&body, ret->spi, ret->spi_len))
		return -EBADMSG;
	if ((e = xforms_parse(&body, n, ret)) < 0)
		return e;
	*ret_last = last;
	return 0;
}

int
ike_pld_parse_sa(const struct rd *body, struct ike_pld_sa *ret_sa)
{
	static const struct ike_pld_sa empty;
	struct ike_pld_sa sa = empty;
	struct rd r = *body;
	uint8_t last = IKE_SUBSTRUC_PROPOSAL;
	int e;

	while (last == IKE_SUBSTRUC_PROPOSAL) {
		if (sa.n_props == IKE_MAX_PROPOSALS) {
			log_debug("more than %d proposals", IKE_MAX_PROPOSALS);
			return -E2BIG;
		}
		e = proposal_parse(&r, &last, &sa.props[sa.n_props]);
		if (e < 0)
			return e;
		sa.n_props++;
	}
	if (last != IKE_SUBSTRUC_LAST || rd_left(&r) != 0) {
		log_debug(
		    "Last Substruc %u with %zu bytes left", last, rd_left(&r));
		return -EBADMSG;
	}
	if ((e = sa_check(&sa)) < 0)
		return e;
	*ret_sa = sa;
	return 0;
}

/* ---- Building ---- */

static void
xform_build(struct wr *w, const struct ike_xform *x, bool last)
{
	bool key = x->key_bits != 0;

	wr_u8(w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_TRANSFORM);
	wr_u8(w, 0);
	wr_u16(w, XFORM_HDR_LEN + (key ? ATTR_TV_LEN : 0));
	wr_u8(w, x->type);
	wr_u8(w, 0);
	wr_u16(w, x->id);
	if (key) {
		wr_u16(w, IKE_ATTR_FORMAT_TV | IKE_ATTR_KEY_LENGTH);
		wr_u16(w, x->key_bits);
	}
}

static void
proposal_build(struct wr *w, const struct ike_proposal *p, bool last)
{
	size_t at = w->len;

	wr_u8(w, last ? IKE_SUBSTRUC_LAST : IKE_SUBSTRUC_PROPOSAL);
	wr_u8(w, 0);
	wr_u16(w, 0); /* patched below */
	wr_u8(w, p->num);
	wr_u8(w, p->proto);
	wr_u8(w, p->spi_len);
	wr_u8(w, (uint8_t)p->n_xforms);
	wr_bytes(w, p->spi, p->spi_len);
	for (size_t i = 0; i < p->n_xforms; i++)
		xform_build(w, &p->xforms[i], i + 1 == p->n_xforms);
	/* At most 8 + 8 + 64 * 12 bytes: always fits the 16-bit field. */
	wr_patch_u16(w, at + 2, (uint16_t)(w->len - at));
}

/* The builder refuses what a parser must treat as unacceptable. */
static int
sa_build_check(const struct ike_pld_sa *sa)
{
	int e = sa_check(sa);

	if (e < 0)
		return e;
	for (size_t i = 0; i < sa->n_props; i++)
		for (size_t j = 0; j < sa->props[i].n_xforms; j++)
			if (sa->props[i].xforms[j].unknown_attr)
				return -EINVAL;
	return 0;
}

void
ike_pld_build_sa(struct ike_pld_wr *pw, const struct ike_pld_sa *sa)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_SA, sa_build_check(sa), &at))
		return;
	for (size_t i = 0; i < sa->n_props; i++)
		proposal_build(&pw->w, &sa->props[i], i + 1 == sa->n_props);
	ike_pld_wr_close(pw, at);
}
