/* SPDX-License-Identifier: ISC */
/*
 * kat_util.h: helpers for the known-answer tests (include after cmocka.h):
 * hex strings to owned buffers, and buffer comparison with a readable
 * failure.
 */
#ifndef P2S_KAT_UTIL_H
#define P2S_KAT_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static inline int
kat_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An owned buffer from a hex string (spaces ignored); fails the test on junk. */
static inline struct buf *
kat_hex(const char *hex)
{
	size_t n = 0, i;
	struct buf *b;
	int hi = -1, v;

	for (i = 0; hex[i] != '\0'; i++)
		n += hex[i] != ' ';
	assert_int_equal(n % 2, 0);
	b = buf_new(n / 2);
	if (b == NULL)
		abort();
	for (i = 0, n = 0; hex[i] != '\0'; i++) {
		if (hex[i] == ' ')
			continue;
		v = kat_nibble(hex[i]);
		assert_true(v >= 0);
		if (hi < 0) {
			hi = v;
		} else {
			b->p[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return b;
}

static inline struct buf *
kat_str(const char *s)
{
	struct buf *b = buf_dup(s, strlen(s));

	assert_non_null(b);
	return b;
}

static inline struct buf *
kat_fill(uint8_t byte, size_t len)
{
	struct buf *b = buf_new(len);

	assert_non_null(b);
	memset(b->p, byte, len);
	return b;
}

/* Fails the test, printing both in hex, unless got equals want. */
static inline void
kat_expect(const char *what, const uint8_t *got, size_t got_len,
    const struct buf *want)
{
	size_t i;

	if (got_len == want->len && memcmp(got, want->p, got_len) == 0)
		return;
	fprintf(stderr, "# %s mismatch\n#  got  ", what);
	for (i = 0; i < got_len; i++)
		fprintf(stderr, "%02x", got[i]);
	fprintf(stderr, "\n#  want ");
	for (i = 0; i < want->len; i++)
		fprintf(stderr, "%02x", want->p[i]);
	fprintf(stderr, "\n");
	fail_msg("%s mismatch", what);
}

/* As kat_expect, with want given in hex. */
static inline void
kat_expect_hex(
    const char *what, const uint8_t *got, size_t got_len, const char *want_hex)
{
	struct buf *want = kat_hex(want_hex);

	kat_expect(what, got, got_len, want);
	buf_free(want);
}

#endif /* P2S_KAT_UTIL_H */
