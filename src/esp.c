/* SPDX-License-Identifier: ISC */
/*
 * esp.c: ESP packet protection for the userspace datapath (see esp.h).
 * RFC 4303 2 (packet format) and 3.3/3.4 (processing), RFC 4106 (GCM:
 * AAD, 8-byte IV), RFC 3602 (CBC), RFC 2404/4868 (HMAC truncation).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "esp.h"

/* RFC 4303 2.4: the ciphertext ends on a 4-byte boundary at least. */
#define ESP_MIN_ALIGN 4

struct esp_sa {
	enum esp_dir dir;
	uint32_t spi;		   /* host order */
	uint32_t seq;		   /* out: last sequence number sent */
	struct esp_replay replay;  /* in: anti-replay window */
	struct encr *encr;	   /* owned; keyed */
	struct integ *integ;	   /* owned, keyed; NULL for AEAD */
	struct esp_counters count; /* for status */
};

static int
esp_sa_set_integ(
    struct esp_sa *sa, enum ike_integ integ, const struct rd *integ_key)
{
	int r;

	if (encr_is_aead(sa->encr))
		return integ == IKE_INTEG_NONE && integ_key->len == 0 ? 0
								      : -EINVAL;
	if (integ == IKE_INTEG_NONE)
		return -EINVAL; /* ESP without integrity is not offered */
	r = integ_new(integ, &sa->integ);
	if (r < 0)
		return r;
	return integ_set_key(sa->integ, integ_key);
}

int
esp_sa_new(enum esp_dir dir, uint32_t spi, enum ike_encr encr,
    unsigned key_bits, const struct rd *encr_key, enum ike_integ integ,
    const struct rd *integ_key, struct esp_sa **ret)
{
	struct esp_sa *sa;
	int r;

	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return -ENOMEM;
	sa->dir = dir;
	sa->spi = spi;
	esp_replay_init(&sa->replay);
	r = encr_new(encr, key_bits, &sa->encr);
	if (r < 0)
		goto out;
	r = encr_set_key(sa->encr, encr_key);
	if (r < 0)
		goto out;
	r = esp_sa_set_integ(sa, integ, integ_key);
out:
	if (r < 0) {
		esp_sa_free(sa);
		return r;
	}
	*ret = sa;
	return 0;
}

void
esp_sa_free(struct esp_sa *sa)
{
	if (sa == NULL)
		return;
	encr_free(sa->encr);
	integ_free(sa->integ);
	free(sa);
}

uint32_t
esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

const struct esp_counters *
esp_sa_counters(const struct esp_sa *sa)
{
	return &sa->count;
}

static size_t
esp_align(const struct esp_sa *sa)
{
	size_t blk = encr_block_len(sa->encr);

	return blk > ESP_MIN_ALIGN ? blk : ESP_MIN_ALIGN;
}

static size_t
esp_icv_len(const struct esp_sa *sa)
{
	return sa->integ != NULL ? integ_icv_len(sa->integ)
				 : encr_icv_len(sa->encr);
}

/* Payload, padding and trailer: a multiple of the alignment. */
static size_t
esp_padded_len(const struct esp_sa *sa, size_t inner_len)
{
	size_t align = esp_align(sa), n = inner_len + ESP_TRAILER_LEN;

	return (n + align - 1) / align * align;
}

size_t
esp_overhead(const struct esp_sa *sa, size_t inner_len)
{
	return ESP_HDR_LEN + encr_iv_len(sa->encr) +
	    esp_padded_len(sa, inner_len) - inner_len + esp_icv_len(sa);
}

/* Encrypt (and for CBC, MAC) the packet laid out in p, in place. */
static int
esp_protect(const struct esp_sa *sa, uint8_t *p, size_t padded)
{
	size_t iv_len = encr_iv_len(sa->encr);
	struct rd aad = rd_make(p, ESP_HDR_LEN);
	struct rd plain = rd_make(p + ESP_HDR_LEN + iv_len, padded);
	struct rd none = rd_make(NULL, 0), mac;
	int r;

	if (sa->integ == NULL)
		return encr_seal(sa->encr, p + ESP_HDR_LEN, &aad, &plain,
		    p + ESP_HDR_LEN + iv_len);
	r = encr_seal(
	    sa->encr, p + ESP_HDR_LEN, &none, &plain, p + ESP_HDR_LEN + iv_len);
	if (r < 0)
		return r;
	mac = rd_make(p, ESP_HDR_LEN + iv_len + padded);
	return integ_compute(
	    sa->integ, &mac, 1, p + ESP_HDR_LEN + iv_len + padded);
}

int
esp_seal(struct esp_sa *sa, const struct rd *inner, uint8_t next_header,
    struct wr *out)
{
	size_t iv_len = encr_iv_len(sa->encr), start = out->len;
	size_t padded = esp_padded_len(sa, inner->len);
	size_t pad = padded - inner->len - ESP_TRAILER_LEN;
	uint8_t *p, *trailer;
	struct wr hdr;
	int r;

	if (sa->seq == UINT32_MAX)
		return -EOVERFLOW;
	p = wr_reserve(out, ESP_HDR_LEN + iv_len + padded + esp_icv_len(sa));
	if (p == NULL)
		return -ENOSPC;
	hdr = wr_make(p, ESP_HDR_LEN);
	wr_u32(&hdr, sa->spi);
	wr_u32(&hdr, sa->seq + 1);
	r = encr_next_iv(sa->encr, p + ESP_HDR_LEN);
	if (r < 0)
		goto out;
	memcpy(p + ESP_HDR_LEN + iv_len, inner->p, inner->len);
	/* RFC 4303 2.4: padding bytes are 1, 2, 3, ... */
	trailer = p + ESP_HDR_LEN + iv_len + inner->len;
	for (size_t i = 0; i < pad; i++)
		trailer[i] = (uint8_t)(i + 1);
	trailer[pad] = (uint8_t)pad;
	trailer[pad + 1] = next_header;
	r = esp_protect(sa, p, padded);
out:
	if (r < 0) {
		out->len = start; /* nothing half-written stays */
		return r;
	}
	sa->seq++;
	sa->count.bytes += inner->len;
	sa->count.packets++;
	return 0;
}

bool
esp_peek_spi(const struct rd *packet, uint32_t *ret_spi)
{
	struct rd r = *packet;

	return rd_u32(&r, ret_spi);
}

/* Authenticate and decrypt the body into buf; returns its length. */
static int
esp_unprotect(const struct esp_sa *sa, const struct rd *packet,
    const uint8_t *iv, const struct rd *body, uint8_t *buf)
{
	size_t icv_len = esp_icv_len(sa);
	struct rd aad = rd_make(packet->p, ESP_HDR_LEN),
		  none = rd_make(NULL, 0);
	struct rd mac, icv, ct;
	int r;

	if (sa->integ == NULL) {
		ct = rd_make(body->p, body->len + icv_len);
		return encr_open(sa->encr, iv, &aad, &ct, buf);
	}
	mac = rd_make(packet->p, packet->len - icv_len);
	icv = rd_make(packet->p + packet->len - icv_len, icv_len);
	r = integ_verify(sa->integ, &mac, &icv);
	if (r < 0)
		return r;
	return encr_open(sa->encr, iv, &none, body, buf);
}

/* RFC 4303 2.4-2.6: the trailer, and padding that must read 1, 2, 3... */
static int
esp_strip_trailer(const uint8_t *plain, size_t len, struct rd *ret_inner,
    uint8_t *ret_next_header)
{
	size_t pad;

	if (len < ESP_TRAILER_LEN)
		return -EBADMSG;
	pad = plain[len - 2];
	if (pad + ESP_TRAILER_LEN > len)
		return -EBADMSG;
	for (size_t i = 0; i < pad; i++)
		if (plain[len - ESP_TRAILER_LEN - pad + i] != (uint8_t)(i + 1))
			return -EBADMSG;
	*ret_inner = rd_make(plain, len - ESP_TRAILER_LEN - pad);
	*ret_next_header = plain[len - 1];
	return 0;
}

static int
esp_open_checked(struct esp_sa *sa, const struct rd *packet, uint8_t *buf,
    size_t buf_len, struct rd *ret_inner, uint8_t *ret_next_header)
{
	size_t iv_len = encr_iv_len(sa->encr), icv_len = esp_icv_len(sa);
	struct rd r = *packet, iv, body;
	uint32_t spi, seq;
	int err;

	if (!rd_u32(&r, &spi) || !rd_u32(&r, &seq) ||
	    !rd_sub(&r, iv_len, &iv) || rd_left(&r) < icv_len)
		return -EBADMSG;
	body = rd_make(r.p, rd_left(&r) - icv_len);
	if (spi != sa->spi || body.len == 0 || body.len % esp_align(sa) != 0)
		return -EBADMSG;
	if (body.len > buf_len)
		return -ENOSPC;
	/* Cheap check first; the window moves only once the ICV verified. */
	if (!esp_replay_check(&sa->replay, seq))
		return -EALREADY;
	err = esp_unprotect(sa, packet, iv.p, &body, buf);
	if (err < 0)
		return err;
	err = esp_strip_trailer(buf, body.len, ret_inner, ret_next_header);
	if (err < 0)
		return err;
	(void)esp_replay_update(&sa->replay, seq);
	return 0;
}

int
esp_open(struct esp_sa *sa, const struct rd *packet, uint8_t *buf,
    size_t buf_len, struct rd *ret_inner, uint8_t *ret_next_header)
{
	int r;

	r = esp_open_checked(
	    sa, packet, buf, buf_len, ret_inner, ret_next_header);
	if (r < 0) {
		sa->count.dropped++;
		if (r == -EALREADY)
			sa->count.replay++;
		else if (r == -EBADMSG)
			sa->count.integrity++;
		return r;
	}
	sa->count.bytes += ret_inner->len;
	sa->count.packets++;
	return 0;
}
