/* SPDX-License-Identifier: ISC */
/*
 * base64.c: the strict base64 decoder of base64.h (RFC 4648 sections 3.3,
 * 3.5 and 4).  Four characters make a 24-bit group; '=' stands for the
 * characters a short last group lacks and decodes as zero bits, which must
 * then also be the bits the short group leaves unused.
 */
#include <errno.h>

#include "base64.h"

enum {
	B64_BAD = -1,	/* not in the alphabet */
	B64_PAD = -2,	/* '=' */
	B64_SPACE = -3, /* skipped under BASE64_SKIP_SPACE */
};

static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == '=')
		return B64_PAD;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return B64_SPACE;
	return B64_BAD;
}

/*
 * Emit a whole group of 4 characters, pad of them '='.  The zero bits a
 * '=' stands for must reach back into the last real character: RFC 4648
 * 3.5 lets decoders refuse "QR==" for "QQ==", and we do, so that nobody
 * can vary the text of a certificate without changing its bytes.
 */
static int
base64_emit(uint32_t group, size_t pad, uint8_t *out, size_t cap, size_t *got)
{
	size_t n = 3 - pad;

	if (pad > 0 && (group & (pad == 1 ? 0xffU : 0xffffU)) != 0)
		return -EBADMSG;
	if (n > cap - *got)
		return -ENOSPC;
	out[(*got)++] = (uint8_t)(group >> 16);
	if (n > 1)
		out[(*got)++] = (uint8_t)(group >> 8);
	if (n > 2)
		out[(*got)++] = (uint8_t)group;
	return 0;
}

int
base64_decode(const char *in, size_t len, unsigned flags, uint8_t *out,
    size_t cap, size_t *ret_len)
{
	uint32_t group = 0;
	size_t n = 0, pad = 0, got = 0;
	bool done = false; /* a padded group ended the data */
	int r;

	for (size_t i = 0; i < len; i++) {
		int v = base64_value((unsigned char)in[i]);

		if (v == B64_SPACE && (flags & BASE64_SKIP_SPACE))
			continue;
		if (v == B64_BAD || v == B64_SPACE || done)
			return -EBADMSG;
		if (v == B64_PAD) {
			/* Only the last one or two of a group. */
			if (n < 2)
				return -EBADMSG;
			pad++;
			v = 0;
		} else if (pad > 0) {
			return -EBADMSG; /* a letter after '=' */
		}
		group = group << 6 | (uint32_t)v;
		if (++n < 4)
			continue;
		r = base64_emit(group, pad, out, cap, &got);
		if (r < 0)
			return r;
		done = pad > 0;
		group = 0;
		n = 0;
	}
	if (n != 0)
		return -EBADMSG; /* a group cut short: missing '=' */
	*ret_len = got;
	return 0;
}

int
base64_decode_buf(const char *in, size_t len, unsigned flags, struct buf **ret)
{
	struct buf *b = buf_new(base64_decoded_max(len));
	size_t got;
	int r;

	if (b == NULL)
		return -ENOMEM;
	r = base64_decode(in, len, flags, b->p, b->len, &got);
	if (r < 0) {
		buf_free(b);
		return r;
	}
	b->len = got;
	*ret = b;
	return 0;
}
