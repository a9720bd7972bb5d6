/* SPDX-License-Identifier: ISC */
/*
 * base64.h: a strict decoder for base64 (RFC 4648 section 4: the standard
 * alphabet with '=' padding), for the certificates in an Azure package
 * (<CaCert>, <CaCerts>, PEM files).  It is outside the OpenSSL boundary,
 * so it is our own: bounded by the caller's buffer, no allocation but the
 * one the _buf variant makes, constant memory whatever the input.
 *
 * Strict means (RFC 4648 3.3 and 3.5): only the 64 letters, '=' only at
 * the end and only as many as the last group needs (so the input is a
 * whole number of 4-character groups), and the unused low bits of the last
 * group zero, so each byte string has exactly one accepted encoding.  With
 * BASE64_SKIP_SPACE, space, tab, CR and LF are skipped wherever they occur
 * (PEM bodies wrap at 64 columns); anything else outside the alphabet is
 * an error.  The empty string decodes to zero bytes.
 */
#ifndef P2S_BASE64_H
#define P2S_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum base64_flags {
	BASE64_SKIP_SPACE = 1 << 0, /* ignore ' ', '\t', '\r', '\n' */
};

/* Bytes that len characters can decode to, at most. */
static inline size_t
base64_decoded_max(size_t len)
{
	return len / 4 * 3;
}

/*
 * Decode len characters of in into out (cap bytes).  0 and *ret_len, or
 * -EBADMSG for input that is not strict base64, -ENOSPC when out is too
 * small (base64_decoded_max(len) is always enough).  out may be written
 * to on failure; *ret_len is not.
 */
int base64_decode(const char *in, size_t len, unsigned flags, uint8_t *out,
    size_t cap, size_t *ret_len);

/* The same into a new buffer whose len is the decoded size; -ENOMEM
 * too. */
int base64_decode_buf(
    const char *in, size_t len, unsigned flags, struct buf **ret);

#endif /* P2S_BASE64_H */
