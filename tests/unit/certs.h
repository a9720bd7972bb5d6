/* SPDX-License-Identifier: ISC */
/*
 * certs.h: helpers for the tests that read tests/data/certs (made by
 * tests/data/certs/mkcerts.sh with the openssl CLI).  Include after
 * <cmocka.h>.  Every helper fails the test when the file is missing.
 */
#ifndef P2S_TEST_CERTS_H
#define P2S_TEST_CERTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"

/* The path of a test file; four rotating buffers, so a call may take a
 * few paths at once. */
static inline const char *
certs_path(const char *name)
{
	static char bufs[4][4096];
	static unsigned int next;
	const char *top = getenv("top_srcdir");
	char *b = bufs[next++ % 4];

	(void)snprintf(b, sizeof(bufs[0]), "%s/tests/data/certs/%s",
	    top != NULL ? top : "..", name);
	return b;
}

static inline struct cert *
certs_load(const char *name)
{
	struct cert *c = NULL;

	assert_int_equal(cert_load_file(certs_path(name), &c), 0);
	assert_non_null(c);
	return c;
}

static inline struct key_ref *
certs_key(const char *name)
{
	struct key_ref *k = NULL;

	assert_int_equal(key_load_file(certs_path(name), &k), 0);
	assert_non_null(k);
	return k;
}

/* The bytes of a file; returns the length. */
static inline size_t
certs_read(const char *name, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(certs_path(name), "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	assert_true(n < cap);
	(void)fclose(f);
	return n;
}

/* The first line of a text file, without the line end. */
static inline void
certs_line(const char *name, char *buf, size_t cap)
{
	size_t n = certs_read(name, (uint8_t *)buf, cap - 1);

	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
}

/* The hex of a reference file (sha1sum's output) as bytes. */
static inline void
certs_hex(const char *name, uint8_t *out, size_t len)
{
	char line[256];

	certs_line(name, line, sizeof(line));
	assert_true(strlen(line) >= 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned int v;

		assert_int_equal(sscanf(line + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

#endif /* P2S_TEST_CERTS_H */
