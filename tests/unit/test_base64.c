/* SPDX-License-Identifier: ISC */
/*
 * test_base64.c: the strict decoder decodes RFC 4648's vectors and every
 * byte string, accepts exactly one encoding of each (canonical padding
 * bits), skips white space only when asked, and never writes past the
 * caller's buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "base64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A plain encoder, for the round trip; the test's own, not the code's. */
static size_t
b64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t g = (uint32_t)in[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			g |= (uint32_t)in[i + 1] << 8;
		if (n > 2)
			g |= in[i + 2];
		out[o++] = b64_alphabet[g >> 18 & 63];
		out[o++] = b64_alphabet[g >> 12 & 63];
		out[o++] = n > 1 ? b64_alphabet[g >> 6 & 63] : '=';
		out[o++] = n > 2 ? b64_alphabet[g & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

static int
decode(const char *s, unsigned flags, uint8_t *out, size_t cap, size_t *ret_len)
{
	return base64_decode(s, strlen(s), flags, out, cap, ret_len);
}

/* RFC 4648 section 10. */
static void
test_rfc4648_vectors(void **state)
{
	static const struct {
		const char *plain, *b64;
	} v[] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" } };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t out[16];
		size_t len = 99;

		assert_int_equal(
		    decode(v[i].b64, 0, out, sizeof(out), &len), 0);
		assert_int_equal(len, strlen(v[i].plain));
		assert_memory_equal(out, v[i].plain, len);
		assert_true(len <= base64_decoded_max(strlen(v[i].b64)));
	}
}

static void
test_malformed(void **state)
{
	static const char *bad[] = {
		"Zg",	      /* no padding */
		"Zg=",	      /* half the padding */
		"Zm9",	      /* a short group */
		"Z===",	      /* three '=' */
		"====",	      /* only '=' */
		"=Zg=",	      /* '=' first */
		"Zg=a",	      /* a letter after '=' */
		"Zg==Zg==",   /* data after the end */
		"Zg==Zm8=",   /* two padded groups */
		"Zh==",	      /* non-zero bits under the padding */
		"Zm9=",	      /* ditto, one '=' */
		"Zm9v!",      /* not in the alphabet */
		"Zm-_",	      /* the URL alphabet (RFC 4648 5) */
		"Zm9v Zm9v",  /* space, not skipped by default */
		"Zm9v\nZm9v", /* line break, likewise */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[16];
		size_t len = 77;

		assert_int_equal(
		    decode(bad[i], 0, out, sizeof(out), &len), -EBADMSG);
		assert_int_equal(len, 77); /* untouched */
	}
}

static void
test_nul_inside(void **state)
{
	static const char s[] = "Zm9v\0Zm9v";
	uint8_t out[16];
	size_t len;

	assert_int_equal(base64_decode(s, sizeof(s) - 1, BASE64_SKIP_SPACE, out,
			     sizeof(out), &len),
	    -EBADMSG);
}

static void
test_skip_space(void **state)
{
	uint8_t out[16];
	size_t len;

	assert_int_equal(decode(" Zm9v\r\n\tYmFy \n", BASE64_SKIP_SPACE, out,
			     sizeof(out), &len),
	    0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(
	    decode("Zm 8=", BASE64_SKIP_SPACE, out, sizeof(out), &len), 0);
	assert_int_equal(len, 2);
	/* Space does not make a short group whole, nor hide junk. */
	assert_int_equal(
	    decode("Zm8 ", BASE64_SKIP_SPACE, out, sizeof(out), &len),
	    -EBADMSG);
	assert_int_equal(
	    decode("Zg== x", BASE64_SKIP_SPACE, out, sizeof(out), &len),
	    -EBADMSG);
	assert_int_equal(
	    decode("Zm9v\vYmFy", BASE64_SKIP_SPACE, out, sizeof(out), &len),
	    -EBADMSG);
}

/* The buffer bound is exact: never a byte past cap. */
static void
test_nospace(void **state)
{
	uint8_t out[8];
	size_t len;

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(decode("Zm9vYmFy", 0, out, 5, &len), -ENOSPC);
	assert_int_equal(out[5], 0xaa);
	assert_int_equal(decode("Zm9vYmE=", 0, out, 5, &len), 0);
	assert_int_equal(len, 5);
	assert_int_equal(decode("Zg==", 0, out, 0, &len), -ENOSPC);
}

/* Every length 0..300 over bytes that cover all values. */
static void
test_round_trip(void **state)
{
	uint8_t in[301], out[301];
	char text[420];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 167 + 13);
	for (size_t len = 0; len <= 300; len++) {
		size_t n = b64_encode(in, len, text), got;

		assert_true(base64_decoded_max(n) >= len);
		assert_int_equal(
		    base64_decode(text, n, 0, out, base64_decoded_max(n), &got),
		    0);
		assert_int_equal(got, len);
		assert_memory_equal(out, in, len);
	}
}

/*
 * Strictness, exhaustively: of all "XY==" exactly 256 decode, one per
 * byte value; of all "XYZ=" exactly 65536, one per pair of bytes.
 */
static void
test_one_encoding_each(void **state)
{
	char s[5] = "AA==";
	uint8_t out[3];
	size_t len, ok = 0;
	uint32_t seen[65536 / 32] = { 0 };

	for (int x = 0; x < 64; x++)
		for (int y = 0; y < 64; y++) {
			s[0] = b64_alphabet[x];
			s[1] = b64_alphabet[y];
			if (decode(s, 0, out, sizeof(out), &len) == 0) {
				assert_int_equal(len, 1);
				assert_false(
				    seen[out[0] / 32] >> out[0] % 32 & 1);
				seen[out[0] / 32] |= 1U << out[0] % 32;
				ok++;
			}
		}
	assert_int_equal(ok, 256);
	memset(seen, 0, sizeof(seen));
	ok = 0;
	for (int x = 0; x < 64; x++)
		for (int y = 0; y < 64; y++)
			for (int z = 0; z < 64; z++) {
				unsigned v;

				s[0] = b64_alphabet[x];
				s[1] = b64_alphabet[y];
				s[2] = b64_alphabet[z];
				s[3] = '=';
				if (decode(s, 0, out, sizeof(out), &len) != 0)
					continue;
				assert_int_equal(len, 2);
				v = (unsigned)out[0] << 8 | out[1];
				assert_false(seen[v / 32] >> v % 32 & 1);
				seen[v / 32] |= 1U << v % 32;
				ok++;
			}
	assert_int_equal(ok, 65536);
}

static void
test_decode_buf(void **state)
{
	struct buf *b = NULL;

	assert_int_equal(base64_decode_buf("Zm9vYmE=", 8, 0, &b), 0);
	assert_non_null(b);
	assert_int_equal(b->len, 5);
	assert_memory_equal(b->p, "fooba", 5);
	buf_free(b);
	b = NULL;
	assert_int_equal(base64_decode_buf("Zm9vYmE", 7, 0, &b), -EBADMSG);
	assert_null(b);
	assert_int_equal(base64_decode_buf("", 0, 0, &b), 0);
	assert_int_equal(b->len, 0);
	buf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_inside),
		cmocka_unit_test(test_skip_space),
		cmocka_unit_test(test_nospace),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_one_encoding_each),
		cmocka_unit_test(test_decode_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
