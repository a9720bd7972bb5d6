/* SPDX-License-Identifier: ISC */
/*
 * ike_sk.c: the Encrypted (SK) and Encrypted Fragment (SKF) payload
 * transforms (see ike_sk.h).  RFC 7296 3.14 (layout, padding, ICV
 * coverage), RFC 5282 3 and 5.1 (AES-GCM: no alignment, AAD, nonce), RFC
 * 7383 2.5 (SKF: the fragment fields are part of the AAD).
 *
 * Open authenticates before it looks at any decrypted byte, so padding
 * errors cannot be told apart from ICV errors by a peer.
 */
#include <errno.h>
#include <string.h>

#include "caps.h"
#include "crypto.h"
#include "ike_sk.h"
#include "log.h"

/* The sizes of one SK payload's parts under a direction's keys. */
struct sk_geom {
	size_t iv;    /* bytes */
	size_t block; /* bytes: plaintext alignment */
	size_t icv;   /* bytes: AEAD tag or truncated HMAC */
};

static struct sk_geom
sk_geom(const struct ike_sk_dir *d)
{
	struct sk_geom g;

	g.iv = encr_iv_len(d->encr);
	g.block = encr_block_len(d->encr);
	g.icv =
	    d->integ != NULL ? integ_icv_len(d->integ) : encr_icv_len(d->encr);
	return g;
}

/* Padding that aligns inner | Padding | Pad Length (RFC 7296 3.14). */
static size_t
sk_pad_len(const struct sk_geom *g, size_t inner_len)
{
	return (g->block - (inner_len + 1) % g->block) % g->block;
}

size_t
ike_sk_overhead(const struct ike_keys *k, size_t inner_len)
{
	struct sk_geom g = sk_geom(&k->out);

	return g.iv + sk_pad_len(&g, inner_len) + 1 + g.icv;
}

/* Patches SK Payload Length and the IKE header Length for a total size. */
static int
sk_patch_lengths(struct wr *msg, size_t sk_off, size_t total)
{
	if (total > IKE_MSG_MAX_LEN) {
		msg->err = true;
		return -ENOSPC;
	}
	wr_patch_u16(msg, sk_off + 2, (uint16_t)(total - sk_off));
	wr_patch_u32(msg, IKE_HDR_LENGTH_OFF, (uint32_t)total);
	return wr_ok(msg) ? 0 : -ENOSPC;
}

/* Encrypts in place at text and appends the ICV: AEAD or CBC + HMAC. */
static int
sk_protect(const struct ike_sk_dir *d, const struct wr *msg, size_t iv_off,
    uint8_t *iv, size_t text_len)
{
	const struct rd aad = rd_make(msg->buf, iv_off);
	const struct rd none = rd_make(NULL, 0);
	uint8_t *text = iv + encr_iv_len(d->encr);
	struct rd plain = rd_make(text, text_len), covered;
	int r;

	if (d->integ == NULL)
		return encr_seal(d->encr, iv, &aad, &plain, text);
	r = encr_seal(d->encr, iv, &none, &plain, text);
	if (r < 0)
		return r;
	/* The ICV covers the IKE header through the ciphertext. */
	covered = rd_make(msg->buf, (size_t)(text + text_len - msg->buf));
	return integ_compute(d->integ, &covered, 1, text + text_len);
}

int
ike_sk_seal(
    struct ike_keys *k, struct wr *msg, size_t sk_off, const struct rd *inner)
{
	struct sk_geom g = sk_geom(&k->out);
	size_t iv_off = msg->len, pad, text_len;
	uint8_t *p;
	int r;

	if (inner->len > IKE_MSG_MAX_LEN)
		return -ENOSPC;
	/* The IKE header, then the SK header, must already be written. */
	if (sk_off < IKE_HDR_LEN || sk_off > iv_off ||
	    iv_off - sk_off < IKE_PLD_HDR_LEN) {
		msg->err = true;
		return -ENOSPC;
	}
	pad = sk_pad_len(&g, inner->len);
	text_len = inner->len + pad + 1;
	p = wr_reserve(msg, g.iv + text_len + g.icv);
	if (p == NULL)
		return -ENOSPC;
	r = sk_patch_lengths(msg, sk_off, msg->len);
	if (r == 0)
		r = encr_next_iv(k->out.encr, p);
	if (r < 0)
		goto out;
	/* inner | Padding (zeros: any value is allowed) | Pad Length */
	if (inner->len > 0) /* an empty chain may have no buffer at all */
		memmove(p + g.iv, inner->p, inner->len);
	memset(p + g.iv + inner->len, 0, pad);
	p[g.iv + inner->len + pad] = (uint8_t)pad;
	r = sk_protect(&k->out, msg, iv_off, p, text_len);
out:
	if (r < 0) {
		wipe(p, g.iv + text_len + g.icv);
		msg->err = true;
	}
	return r;
}

/* Authenticates and decrypts text (ciphertext, then the ICV) into out. */
static int
sk_unprotect(const struct ike_sk_dir *d, const struct rd *msg, size_t iv_off,
    const struct sk_geom *g, uint8_t *out)
{
	const uint8_t *iv = msg->p + iv_off;
	size_t text_len = msg->len - iv_off - g->iv - g->icv;
	const struct rd aad = rd_make(msg->p, iv_off);
	const struct rd none = rd_make(NULL, 0);
	struct rd text, covered, icv;
	int r;

	if (d->integ == NULL) {
		text = rd_make(iv + g->iv, text_len + g->icv);
		return encr_open(d->encr, iv, &aad, &text, out);
	}
	covered = rd_make(msg->p, msg->len - g->icv);
	icv = rd_make(msg->p + msg->len - g->icv, g->icv);
	r = integ_verify(d->integ, &covered, &icv);
	if (r < 0)
		return r;
	text = rd_make(iv + g->iv, text_len);
	return encr_open(d->encr, iv, &none, &text, out);
}

int
ike_sk_open(const struct ike_keys *k, const struct rd *msg, size_t iv_off,
    struct buf **ret_inner)
{
	struct sk_geom g = sk_geom(&k->in);
	struct buf *plain;
	size_t text_len;
	uint8_t pad;
	int r;

	/* At least the IV, the Pad Length octet and the ICV. */
	if (iv_off > msg->len || msg->len - iv_off < g.iv + 1 + g.icv) {
		log_debug("SK payload too short (%zu bytes after %zu)",
		    msg->len - (iv_off > msg->len ? msg->len : iv_off), iv_off);
		return -EBADMSG;
	}
	text_len = msg->len - iv_off - g.iv - g.icv;
	if (text_len % g.block != 0) {
		log_debug(
		    "SK ciphertext of %zu bytes is not aligned", text_len);
		return -EBADMSG;
	}
	plain = buf_new(text_len);
	if (plain == NULL)
		return -ENOMEM;
	r = sk_unprotect(&k->in, msg, iv_off, &g, plain->p);
	if (r < 0) {
		log_debug("SK payload does not authenticate");
		goto out;
	}
	pad = plain->p[text_len - 1];
	if ((size_t)pad + 1 > text_len) {
		log_debug("SK Pad Length %u exceeds %zu bytes", pad, text_len);
		r = -EBADMSG;
		goto out;
	}
	plain->len = text_len - 1 - pad;
	*ret_inner = plain;
	plain = NULL;
out:
	buf_free(plain);
	return r;
}
