/* SPDX-License-Identifier: ISC */
/*
 * ike_pld.c: IKEv2 message framing.  The non-ESP marker on port 4500 (RFC
 * 3948 2.2, 2.3), the IKE header (RFC 7296 3.1), the generic payload
 * chain (3.2, 2.5), the message builder, and the byte layout of the
 * Encrypted and Encrypted Fragment payloads (3.14, RFC 7383 2.5) that the
 * crypto layer fills in.  Typed payload bodies are in ike_pld_body.c and
 * ike_pld_sa.c.
 */
#include <errno.h>

#include "ike_pld.h"
#include "ike_pld_impl.h"
#include "log.h"

#define NATT_KEEPALIVE 0xff /* RFC 3948 2.3 */
#define HDR_NEXT_OFF   16   /* bytes: the header's Next Payload field */
#define HDR_LENGTH_OFF 24   /* bytes: the header's Length field */
#define SKF_FIELDS_LEN 4    /* bytes: Fragment Number, Total Fragments */
#define PLD_LENGTH_OFF 2    /* bytes: Payload Length in a generic header */

int
ike_natt_classify(struct rd *dgram, enum ike_natt_kind *ret_kind)
{
	uint8_t b;
	uint32_t marker;
	struct rd r = *dgram;

	if (rd_left(&r) == 1 && rd_peek_u8(&r, &b) && b == NATT_KEEPALIVE) {
		*ret_kind = IKE_NATT_KEEPALIVE;
		return 0;
	}
	if (!rd_u32(&r, &marker)) {
		log_debug("datagram too short (%zu < 4)", rd_left(dgram));
		return -EBADMSG;
	}
	if (marker != 0) {
		*ret_kind = IKE_NATT_ESP;
		return 0;
	}
	*dgram = r;
	*ret_kind = IKE_NATT_IKE;
	return 0;
}

void
ike_natt_write_marker(struct wr *w)
{
	wr_zero(w, IKE_NON_ESP_MARKER_LEN);
}

int
ike_hdr_parse(
    const struct rd *msg, struct ike_hdr *ret_hdr, struct rd *ret_chain)
{
	struct rd r = *msg;
	struct ike_hdr h;

	if (rd_left(&r) < IKE_HDR_LEN || rd_left(&r) > IKE_MSG_MAX_LEN) {
		log_debug("bad message size %zu", rd_left(&r));
		return -EBADMSG;
	}
	if (!rd_copy(&r, h.spi_i, IKE_SPI_LEN) ||
	    !rd_copy(&r, h.spi_r, IKE_SPI_LEN) || !rd_u8(&r, &h.next) ||
	    !rd_u8(&r, &h.version) || !rd_u8(&r, &h.exchange) ||
	    !rd_u8(&r, &h.flags) || !rd_u32(&r, &h.msgid) ||
	    !rd_u32(&r, &h.length))
		return -EBADMSG;
	if (h.length != rd_left(msg)) {
		log_debug(
		    "length field %u != datagram %zu", h.length, rd_left(msg));
		return -EBADMSG;
	}
	if ((h.version >> 4) != (IKE_VERSION >> 4)) {
		log_debug("IKE major version %u", h.version >> 4);
		return -EOPNOTSUPP;
	}
	*ret_hdr = h;
	*ret_chain = r;
	return 0;
}

bool
ike_pld_known(uint8_t type)
{
	return (type >= IKE_PLD_SA && type <= IKE_PLD_EAP) ||
	    type == IKE_PLD_SKF;
}

/* Cut one payload off the front of r: its generic header and body. */
static int
split_one(struct rd *r, uint8_t type, size_t off, struct ike_pld_ref *ret)
{
	uint8_t next, flags;
	uint16_t len;
	struct rd body;

	if (!rd_u8(r, &next) || !rd_u8(r, &flags) || !rd_u16(r, &len)) {
		log_debug("truncated payload header at %zu", off);
		return -EBADMSG;
	}
	if (len < IKE_PLD_HDR_LEN || !rd_sub(r, len - IKE_PLD_HDR_LEN, &body)) {
		log_debug("payload %u length %u, %zu left", type, len,
		    rd_left(r) + IKE_PLD_HDR_LEN);
		return -EBADMSG;
	}
	ret->type = type;
	ret->next = next;
	ret->critical = (flags & IKE_PLD_CRITICAL) != 0;
	ret->off = off;
	ret->body = body;
	return 0;
}

int
ike_pld_split(const struct rd *chain, uint8_t first,
    struct ike_pld_chain *ret_chain, uint8_t *err_type)
{
	struct ike_pld_chain c = { .n = 0 };
	struct rd r = *chain;
	uint8_t type = first;
	size_t walked = 0;

	while (type != IKE_PLD_NONE) {
		struct ike_pld_ref ref;
		int e;

		if (++walked > IKE_MAX_PAYLOADS) {
			log_debug("more than %d payloads", IKE_MAX_PAYLOADS);
			return -E2BIG;
		}
		e = split_one(&r, type, rd_left(chain) - rd_left(&r), &ref);
		if (e < 0)
			return e;
		if (!ike_pld_known(type)) {
			if (ref.critical) {
				log_debug("unknown critical payload %u", type);
				*err_type = type;
				return -EOPNOTSUPP;
			}
			c.n_skipped++;
		} else
			c.v[c.n++] = ref;
		if (type == IKE_PLD_SK || type == IKE_PLD_SKF) {
			/* 3.14: last; its Next Payload is the inner chain's. */
			if (rd_left(&r) != 0) {
				log_debug("%zu bytes after SK", rd_left(&r));
				return -EBADMSG;
			}
			break;
		}
		type = ref.next;
	}
	if (rd_left(&r) != 0) {
		log_debug("%zu bytes after the last payload", rd_left(&r));
		return -EBADMSG;
	}
	*ret_chain = c;
	return 0;
}

const struct ike_pld_ref *
ike_pld_find(const struct ike_pld_ref *refs, size_t n, uint8_t type)
{
	for (size_t i = 0; i < n; i++)
		if (refs[i].type == type)
			return &refs[i];
	return NULL;
}

/* ---- SK and SKF ---- */

static int
skf_numbers(const struct rd *body, uint16_t *ret_num, uint16_t *ret_total)
{
	struct rd r = *body;
	uint16_t num, total;

	if (!rd_u16(&r, &num) || !rd_u16(&r, &total))
		return -EBADMSG;
	if (num < 1 || num > total) {
		log_debug("fragment %u of %u", num, total);
		return -EBADMSG;
	}
	if (total > IKE_MAX_FRAGMENTS) {
		log_debug("%u fragments > %d", total, IKE_MAX_FRAGMENTS);
		return -E2BIG;
	}
	*ret_num = num;
	*ret_total = total;
	return 0;
}

int
ike_pld_parse_sk(const struct rd *msg, const struct ike_pld_ref *ref,
    struct ike_pld_sk *ret_sk)
{
	struct ike_pld_sk sk = { .inner = ref->next };
	struct rd r = *msg;
	size_t aad_len = IKE_HDR_LEN + IKE_PLD_HDR_LEN;
	int e;

	if (ref->type != IKE_PLD_SK && ref->type != IKE_PLD_SKF)
		return -EINVAL;
	/* The payload must end the message it claims to be part of. */
	if (ref->off > rd_left(msg) || rd_left(msg) - ref->off < aad_len ||
	    rd_left(msg) - ref->off - aad_len != rd_left(&ref->body)) {
		log_debug("SK payload is not the end of the message");
		return -EBADMSG;
	}
	aad_len += ref->off;
	if (ref->type == IKE_PLD_SKF) {
		e = skf_numbers(&ref->body, &sk.frag_num, &sk.frag_total);
		if (e < 0)
			return e;
		if (sk.frag_num > 1)
			sk.inner = IKE_PLD_NONE;
		aad_len += SKF_FIELDS_LEN;
	}
	sk.msg = r;
	if (!rd_sub(&r, aad_len, &sk.aad))
		return -EBADMSG;
	sk.enc = r;
	*ret_sk = sk;
	return 0;
}

void
ike_pld_build_sk(struct ike_pld_wr *pw, uint8_t inner_first, uint16_t frag_num,
    uint16_t frag_total, struct ike_sk_layout *ret_layout)
{
	bool frag = frag_num != 0;
	int check = 0;
	size_t at;

	/* The layout is in message offsets: there must be a message. */
	if (!pw->msg || (!frag && frag_total != 0) ||
	    (frag && (frag_num > frag_total || frag_total > IKE_MAX_FRAGMENTS)))
		check = -EINVAL;
	if (!ike_pld_wr_open(pw, frag ? IKE_PLD_SKF : IKE_PLD_SK, check, &at))
		return;
	if (frag_num <= 1)
		wr_patch_u8(&pw->w, at, inner_first);
	if (frag) {
		wr_u16(&pw->w, frag_num);
		wr_u16(&pw->w, frag_total);
	}
	ike_pld_wr_close(pw, at);
	pw->sealed = true;
	if (pw->err == 0 && wr_ok(&pw->w))
		*ret_layout = (struct ike_sk_layout){
			.sk_off = at,
			.iv_off = pw->w.len,
		};
}

/* ---- The builder ---- */

void
ike_pld_wr_fail(struct ike_pld_wr *pw, int err)
{
	if (pw->err == 0)
		pw->err = err;
}

void
ike_pld_wr_init_msg(
    struct ike_pld_wr *pw, void *buf, size_t cap, const struct ike_hdr *hdr)
{
	*pw = (struct ike_pld_wr){
		.w =
		    wr_make(buf, cap < IKE_MSG_MAX_LEN ? cap : IKE_MSG_MAX_LEN),
		.msg = true,
	};
	wr_bytes(&pw->w, hdr->spi_i, IKE_SPI_LEN);
	wr_bytes(&pw->w, hdr->spi_r, IKE_SPI_LEN);
	wr_u8(&pw->w, IKE_PLD_NONE); /* patched by the first payload */
	wr_u8(&pw->w, IKE_VERSION);
	wr_u8(&pw->w, hdr->exchange);
	wr_u8(&pw->w, hdr->flags);
	wr_u32(&pw->w, hdr->msgid);
	wr_u32(&pw->w, 0); /* patched by ike_pld_wr_finish() */
	pw->next_at = HDR_NEXT_OFF;
}

void
ike_pld_wr_init_chain(struct ike_pld_wr *pw, void *buf, size_t cap)
{
	*pw = (struct ike_pld_wr){ .w = wr_make(buf, cap) };
}

bool
ike_pld_wr_open(struct ike_pld_wr *pw, uint8_t type, int check, size_t *ret_at)
{
	size_t at = pw->w.len;

	if (check < 0 || pw->sealed)
		ike_pld_wr_fail(pw, -EINVAL);
	if (pw->err != 0 || !wr_ok(&pw->w))
		return false;
	if (pw->n == 0)
		pw->first = type;
	if (pw->n > 0 || pw->msg)
		wr_patch_u8(&pw->w, pw->next_at, type);
	wr_u8(&pw->w, IKE_PLD_NONE); /* patched by the next payload */
	wr_u8(&pw->w, 0);	     /* not critical: p2s knows them all */
	wr_u16(&pw->w, 0);	     /* patched by ike_pld_wr_close() */
	pw->next_at = at;
	pw->n++;
	*ret_at = at;
	return true;
}

void
ike_pld_wr_close(struct ike_pld_wr *pw, size_t at)
{
	size_t len = pw->w.len - at;

	if (!wr_ok(&pw->w))
		return;
	if (len > UINT16_MAX) {
		ike_pld_wr_fail(pw, -EINVAL);
		return;
	}
	wr_patch_u16(&pw->w, at + PLD_LENGTH_OFF, (uint16_t)len);
}

void
ike_pld_build_raw(
    struct ike_pld_wr *pw, uint8_t type, bool critical, const struct rd *body)
{
	size_t at;

	if (!ike_pld_wr_open(pw, type, 0, &at))
		return;
	if (critical)
		wr_patch_u8(&pw->w, at + 1, IKE_PLD_CRITICAL);
	wr_rd(&pw->w, body);
	ike_pld_wr_close(pw, at);
}

int
ike_pld_wr_finish(struct ike_pld_wr *pw, struct rd *ret_out)
{
	if (pw->err != 0)
		return pw->err;
	if (pw->msg)
		wr_patch_u32(&pw->w, HDR_LENGTH_OFF, (uint32_t)pw->w.len);
	if (!wr_ok(&pw->w))
		return -ENOSPC;
	*ret_out = wr_view(&pw->w, 0);
	return 0;
}
