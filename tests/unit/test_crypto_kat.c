/* SPDX-License-Identifier: ISC */
/*
 * test_crypto_kat.c: the symmetric primitives against published answers.
 *
 *   PRF:    RFC 4231 test cases 1-7 (HMAC-SHA-256/384/512), RFC 2202 test
 *           cases 1-7 (HMAC-SHA-1); prf+ against its definition.
 *   integ:  RFC 4868 2.7.2.1 (HMAC-SHA-256-128), RFC 2202 case 1 truncated
 *           to 96 bits (RFC 2404), and every transform is its HMAC
 *           truncated to the ICV length.
 *   encr:   McGrew-Viega GCM test cases 3, 4 (AES-128) and 15, 16
 *           (AES-256), as RFC 5282 keys (key | salt) and IVs; the 8- and
 *           12-byte ICVs are the tag's prefix; RFC 3602 cases 1 and 2
 *           (AES-128-CBC); tamper, length and key checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "crypto.h"
#include "kat_util.h"

/* ------------------------------------------------------------------ */
/* PRF. */

struct hmac_case {
	struct buf *(*key)(void);
	struct buf *(*data)(void);
	const char *sha1;   /* RFC 2202, full output */
	const char *sha256; /* RFC 4231 */
	const char *sha384;
	const char *sha512;
};

static struct buf *
k_0b20(void)
{
	return kat_fill(0x0b, 20);
}
static struct buf *
k_jefe(void)
{
	return kat_str("Jefe");
}
static struct buf *
k_aa20(void)
{
	return kat_fill(0xaa, 20);
}
static struct buf *
k_0c20(void)
{
	return kat_fill(0x0c, 20);
}
static struct buf *
k_aa131(void)
{
	return kat_fill(0xaa, 131);
}
static struct buf *
k_aa80(void)
{
	return kat_fill(0xaa, 80);
}
static struct buf *
d_hi(void)
{
	return kat_str("Hi There");
}
static struct buf *
d_jefe(void)
{
	return kat_str("what do ya want for nothing?");
}
static struct buf *
d_dd50(void)
{
	return kat_fill(0xdd, 50);
}
static struct buf *
d_cd50(void)
{
	return kat_fill(0xcd, 50);
}
static struct buf *
d_trunc(void)
{
	return kat_str("Test With Truncation");
}

static struct buf *
k_0125(void)
{
	struct buf *b = buf_new(25);
	size_t i;

	assert_non_null(b);
	for (i = 0; i < 25; i++)
		b->p[i] = (uint8_t)(i + 1);
	return b;
}

static struct buf *
d_big_key(void)
{
	return kat_str(
	    "Test Using Larger Than Block-Size Key - Hash Key First");
}

static struct buf *
d_big_both_4231(void)
{
	return kat_str(
	    "This is a test using a larger than block-size key and a "
	    "larger than block-size data. The key needs to be hashed "
	    "before being used by the HMAC algorithm.");
}

static struct buf *
d_big_both_2202(void)
{
	return kat_str("Test Using Larger Than Block-Size Key and Larger Than "
		       "One Block-Size Data");
}

/* RFC 4231 4.2-4.8; case 5 publishes only the first 128 bits. */
static const struct hmac_case rfc4231[] = {
	{ k_0b20, d_hi, NULL,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	    "faea9ea9076ede7f4af152e8b2fa9cb6",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ k_jefe, d_jefe, NULL,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	    "8e2240ca5e69e2c78b3239ecfab21649",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ k_aa20, d_dd50, NULL,
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	    "2a5ab39dc13814b94e3ab6e101a34f27",
	    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	    "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	{ k_0125, d_cd50, NULL,
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	    "6801dd23c4a7d679ccf8a386c674cffb",
	    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	    "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
	{ k_0c20, d_trunc, NULL, "a3b6167473100ee06e0c796c2955552b",
	    "3abf34c3503b2a23a46efc619baef897",
	    "415fad6271580a531d4179bc891d87a6" },
	{ k_aa131, d_big_key, NULL,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	    "0c2ef6ab4030fe8296248df163f44952",
	    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	{ k_aa131, d_big_both_4231, NULL,
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	    "a678cc31e799176d3860e6110c46523e",
	    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	    "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
};

/* RFC 2202 section 3. */
static const struct hmac_case rfc2202[] = {
	{ .key = k_0b20,
	    .data = d_hi,
	    .sha1 = "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ .key = k_jefe,
	    .data = d_jefe,
	    .sha1 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ .key = k_aa20,
	    .data = d_dd50,
	    .sha1 = "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ .key = k_0125,
	    .data = d_cd50,
	    .sha1 = "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
	{ .key = k_0c20,
	    .data = d_trunc,
	    .sha1 = "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
	{ .key = k_aa80,
	    .data = d_big_key,
	    .sha1 = "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ .key = k_aa80,
	    .data = d_big_both_2202,
	    .sha1 = "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

/* Runs one PRF over a case; a short expected value checks a prefix. */
static void
check_prf(enum ike_prf id, const struct hmac_case *c, const char *want_hex)
{
	uint8_t out[PRF_MAX_LEN];
	struct buf *key = c->key(), *data = c->data(), *want;
	struct rd k = buf_rd(key), d = buf_rd(data);
	struct prf *p;

	want = kat_hex(want_hex);
	assert_int_equal(prf_new(id, &p), 0);
	assert_int_equal(prf(p, &k, &d, out, sizeof(out)), 0);
	assert_true(want->len <= prf_len(p));
	kat_expect("prf", out, want->len, want);
	prf_free(p);
	buf_free(want);
	buf_free(key);
	buf_free(data);
}

static void
test_prf_rfc4231(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rfc4231); i++) {
		check_prf(
		    IKE_PRF_HMAC_SHA2_256, &rfc4231[i], rfc4231[i].sha256);
		check_prf(
		    IKE_PRF_HMAC_SHA2_384, &rfc4231[i], rfc4231[i].sha384);
		check_prf(
		    IKE_PRF_HMAC_SHA2_512, &rfc4231[i], rfc4231[i].sha512);
	}
}

static void
test_prf_rfc2202(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rfc2202); i++)
		check_prf(IKE_PRF_HMAC_SHA1, &rfc2202[i], rfc2202[i].sha1);
}

static void
test_prf_lengths_and_limits(void **state)
{
	static const struct {
		enum ike_prf id;
		size_t len;
	} lens[] = {
		{ IKE_PRF_HMAC_SHA1, 20 },
		{ IKE_PRF_HMAC_SHA2_256, 32 },
		{ IKE_PRF_HMAC_SHA2_384, 48 },
		{ IKE_PRF_HMAC_SHA2_512, 64 },
	};
	uint8_t out[PRF_MAX_LEN];
	struct rd empty = rd_make(NULL, 0), d = rd_make("x", 1);
	struct prf *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		assert_true(prf_supported(lens[i].id));
		assert_int_equal(prf_new(lens[i].id, &p), 0);
		assert_int_equal(prf_len(p), lens[i].len);
		assert_int_equal(prf_id(p), lens[i].id);
		/* Output space is checked; an empty key is refused. */
		assert_int_equal(prf(p, &d, &d, out, lens[i].len - 1), -ENOSPC);
		assert_int_equal(prf(p, &empty, &d, out, sizeof(out)), -EINVAL);
		prf_free(p);
	}
	p = NULL;
	assert_int_equal(prf_new(IKE_PRF_AES128_XCBC, &p), -EOPNOTSUPP);
	assert_int_equal(prf_new(IKE_PRF_HMAC_MD5, &p), -EOPNOTSUPP);
	assert_null(p);
	prf_free(NULL);
}

/* prf+ is T1 | T2 | ..., Tn = prf(K, Tn-1 | S | n), checked via prf(). */
static void
test_prf_plus_definition(void **state)
{
	uint8_t seed[40], key[17], t[64] = { 0 }, want[3 * 48], got[3 * 48 + 1];
	struct rd k = rd_make(key, sizeof(key)),
		  s = rd_make(seed, sizeof(seed));
	uint8_t in[64 + sizeof(seed) + 1];
	struct rd d;
	struct prf *p;
	size_t n, i, tl = 0;

	memset(seed, 0x5a, sizeof(seed));
	memset(key, 0xc3, sizeof(key));
	assert_int_equal(prf_new(IKE_PRF_HMAC_SHA2_384, &p), 0);
	n = prf_len(p);
	for (i = 1; i <= 3; i++) {
		memcpy(in, t, tl);
		memcpy(in + tl, seed, sizeof(seed));
		in[tl + sizeof(seed)] = (uint8_t)i;
		d = rd_make(in, tl + sizeof(seed) + 1);
		assert_int_equal(prf(p, &k, &d, t, sizeof(t)), 0);
		memcpy(want + (i - 1) * n, t, n);
		tl = n;
	}
	/* Every prefix length, including ones that end inside a block. */
	for (i = 0; i <= 3 * n; i += 7) {
		memset(got, 0xee, sizeof(got));
		assert_int_equal(prf_plus(p, &k, &s, i, got), 0);
		assert_memory_equal(got, want, i);
		assert_int_equal(got[i], 0xee);
	}
	prf_free(p);
}

/* RFC 7296 2.13: the counter is one octet, so 255 blocks at most. */
static void
test_prf_plus_limit(void **state)
{
	uint8_t out[255 * 20 + 1];
	struct rd k = rd_make("k", 1), s = rd_make("s", 1);
	struct prf *p;

	assert_int_equal(prf_new(IKE_PRF_HMAC_SHA1, &p), 0);
	assert_int_equal(prf_plus(p, &k, &s, 255 * 20, out), 0);
	assert_int_equal(prf_plus(p, &k, &s, 255 * 20 + 1, out), -EINVAL);
	prf_free(p);
}

/* ------------------------------------------------------------------ */
/* Integrity. */

static struct integ *
keyed_integ(enum ike_integ id, const struct buf *key)
{
	struct rd k = buf_rd(key);
	struct integ *g;

	assert_int_equal(integ_new(id, &g), 0);
	assert_int_equal(integ_set_key(g, &k), 0);
	return g;
}

/* A valid ICV verifies; a flipped bit, a short or a long one do not. */
static void
check_integ_verify(
    const struct integ *g, const struct rd *data, const uint8_t *icv)
{
	uint8_t bad[INTEG_MAX_ICV_LEN + 1];
	size_t n = integ_icv_len(g), i;
	struct rd v = rd_make(icv, n);

	assert_int_equal(integ_verify(g, data, &v), 0);
	for (i = 0; i < n; i++) {
		memcpy(bad, icv, n);
		bad[i] ^= 0x01;
		v = rd_make(bad, n);
		assert_int_equal(integ_verify(g, data, &v), -EBADMSG);
	}
	memcpy(bad, icv, n);
	v = rd_make(bad, n - 1);
	assert_int_equal(integ_verify(g, data, &v), -EBADMSG);
	v = rd_make(bad, n + 1);
	assert_int_equal(integ_verify(g, data, &v), -EBADMSG);
}

/* RFC 4868 2.7.2.1 test cases AUTH256-1 to -4, truncated to 128 bits. */
static void
test_integ_rfc4868_sha256_128(void **state)
{
	static const struct {
		const char *key, *data, *icv;
	} v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		    "4869205468657265", "198a607eb44bfbc69903a0f1cf2bbdc5" },
		{ "4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665",
		    "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		    "167f928588c5cc2eef8e3093caa0e87c" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		    "dddddddddddddddddddddddddddddddddddd",
		    "cdcb1220d1ecccea91e53aba3092f962" },
		{ "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
		    "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		    "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		    "372efcf9b40b35c2115b1346903d2ef4" },
	};
	uint8_t icv[INTEG_MAX_ICV_LEN];
	struct buf *key, *data;
	struct integ *g;
	struct rd d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		key = kat_hex(v[i].key);
		data = kat_hex(v[i].data);
		d = buf_rd(data);
		g = keyed_integ(IKE_INTEG_HMAC_SHA2_256_128, key);
		assert_int_equal(integ_compute(g, &d, 1, icv), 0);
		kat_expect_hex(
		    "HMAC-SHA-256-128", icv, integ_icv_len(g), v[i].icv);
		check_integ_verify(g, &d, icv);
		integ_free(g);
		buf_free(key);
		buf_free(data);
	}
}

/* RFC 2404: HMAC-SHA-1-96 is RFC 2202 case 1 cut to 96 bits. */
static void
test_integ_sha1_96(void **state)
{
	uint8_t icv[INTEG_MAX_ICV_LEN];
	struct buf *key = kat_fill(0x0b, 20), *data = kat_str("Hi There");
	struct rd d = buf_rd(data);
	struct integ *g = keyed_integ(IKE_INTEG_HMAC_SHA1_96, key);

	assert_int_equal(integ_key_len(g), 20);
	assert_int_equal(integ_icv_len(g), 12);
	assert_int_equal(integ_compute(g, &d, 1, icv), 0);
	kat_expect_hex("HMAC-SHA-1-96", icv, 12, "b617318655057264e28bc0b6");
	check_integ_verify(g, &d, icv);
	integ_free(g);
	buf_free(key);
	buf_free(data);
}

/* Each transform is its HMAC (checked above by RFC 4231/2202) truncated. */
static void
test_integ_truncation(void **state)
{
	static const struct {
		enum ike_integ id;
		enum ike_prf prf;
		size_t key_len, icv_len;
	} t[] = {
		{ IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 20, 12 },
		{ IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, 32, 16 },
		{ IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384, 48, 24 },
		{ IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512, 64, 32 },
	};
	uint8_t icv[INTEG_MAX_ICV_LEN], full[PRF_MAX_LEN];
	struct buf *data = kat_fill(0x3c, 200), *key, *bad;
	struct rd d = buf_rd(data), k, parts[2];
	struct integ *g;
	struct prf *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		key = kat_fill((uint8_t)(0x11 * (i + 1)), t[i].key_len);
		k = buf_rd(key);
		assert_true(integ_supported(t[i].id));
		g = keyed_integ(t[i].id, key);
		assert_int_equal(integ_key_len(g), t[i].key_len);
		assert_int_equal(integ_icv_len(g), t[i].icv_len);
		assert_int_equal(prf_new(t[i].prf, &p), 0);
		assert_int_equal(prf(p, &k, &d, full, sizeof(full)), 0);
		assert_int_equal(integ_compute(g, &d, 1, icv), 0);
		assert_memory_equal(icv, full, t[i].icv_len);
		/* Scattered input is the concatenation. */
		parts[0] = rd_make(data->p, 77);
		parts[1] = rd_make(data->p + 77, data->len - 77);
		assert_int_equal(integ_compute(g, parts, 2, icv), 0);
		assert_memory_equal(icv, full, t[i].icv_len);
		check_integ_verify(g, &d, icv);
		/* Exactly key_len bytes of key. */
		bad = kat_fill(1, t[i].key_len + 1);
		k = buf_rd(bad);
		assert_int_equal(integ_set_key(g, &k), -EINVAL);
		buf_free(bad);
		prf_free(p);
		integ_free(g);
		buf_free(key);
	}
	buf_free(data);
}

static void
test_integ_unsupported_and_unkeyed(void **state)
{
	uint8_t icv[INTEG_MAX_ICV_LEN];
	struct rd d = rd_make("x", 1);
	struct integ *g = NULL;

	assert_int_equal(integ_new(IKE_INTEG_HMAC_MD5_96, &g), -EOPNOTSUPP);
	assert_int_equal(integ_new(IKE_INTEG_AES_XCBC_96, &g), -EOPNOTSUPP);
	assert_int_equal(integ_new(IKE_INTEG_NONE, &g), -EOPNOTSUPP);
	assert_null(g);
	assert_int_equal(integ_new(IKE_INTEG_HMAC_SHA2_256_128, &g), 0);
	assert_int_equal(integ_compute(g, &d, 1, icv), -EINVAL);
	integ_free(g);
	integ_free(NULL);
}

/* ------------------------------------------------------------------ */
/* Encryption. */

static struct encr *
keyed_encr(enum ike_encr id, unsigned bits, const struct buf *key)
{
	struct rd k = buf_rd(key);
	struct encr *e;

	assert_int_equal(encr_new(id, bits, &e), 0);
	assert_int_equal(encr_set_key(e, &k), 0);
	return e;
}

/* Opening must fail for every single-bit change of IV, text, tag or AAD. */
static void
check_gcm_tamper(const struct encr *e, const uint8_t *iv, const struct buf *aad,
    const uint8_t *sealed, size_t len)
{
	uint8_t buf[128], ivb[8], out[128], ab[32];
	struct rd in, a;
	size_t i;

	assert_true(len <= sizeof(buf) && aad->len <= sizeof(ab));
	for (i = 0; i < len + 8 + aad->len; i++) {
		memcpy(buf, sealed, len);
		memcpy(ivb, iv, 8);
		memcpy(ab, aad->p, aad->len);
		if (i < len)
			buf[i] ^= 0x80;
		else if (i < len + 8)
			ivb[i - len] ^= 0x01;
		else
			ab[i - len - 8] ^= 0x40;
		in = rd_make(buf, len);
		a = rd_make(ab, aad->len);
		assert_int_equal(encr_open(e, ivb, &a, &in, out), -EBADMSG);
	}
}

struct gcm_case {
	unsigned bits;
	const char *key; /* AES key | salt (the IV's first 4 bytes) */
	const char *aad;
	size_t plain_len; /* bytes of gcm_plain used */
	const char *ct;
	const char *tag;
};

static const char gcm_plain[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
static const char gcm_iv[] = "facedbaddecaf888"; /* after salt cafebabe */

/* McGrew & Viega, "The Galois/Counter Mode of Operation", cases 3, 4, 15, 16. */
static const struct gcm_case gcm_cases[] = {
	{ 128,
	    "feffe9928665731c6d6a8f9467308308"
	    "cafebabe",
	    "", 64,
	    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	    "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ 128,
	    "feffe9928665731c6d6a8f9467308308"
	    "cafebabe",
	    "feedfacedeadbeeffeedfacedeadbeefabaddad2", 60,
	    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	    "5bc94fbc3221a5db94fae95ae7121a47" },
	{ 256,
	    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
	    "cafebabe",
	    "", 64,
	    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	    "b094dac5d93471bdec1a502270e3cc6c" },
	{ 256,
	    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
	    "cafebabe",
	    "feedfacedeadbeeffeedfacedeadbeefabaddad2", 60,
	    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	    "76fc6ece0f4e1768cddf8853bb2d551b" },
};

static void
check_gcm_case(enum ike_encr id, const struct gcm_case *c)
{
	struct buf *key = kat_hex(c->key), *aad = kat_hex(c->aad);
	struct buf *plain = kat_hex(gcm_plain), *iv = kat_hex(gcm_iv);
	struct buf *ct = kat_hex(c->ct), *tag = kat_hex(c->tag);
	uint8_t out[128], back[128];
	struct encr *e = keyed_encr(id, c->bits, key);
	struct rd p = rd_make(plain->p, c->plain_len), a = buf_rd(aad), in;
	size_t icv = encr_icv_len(e);

	assert_int_equal(encr_seal(e, iv->p, &a, &p, out), 0);
	kat_expect("GCM ciphertext", out, c->plain_len, ct);
	/* RFC 4106 / 5282: the 8- and 12-byte ICVs are the tag's prefix. */
	assert_memory_equal(out + c->plain_len, tag->p, icv);
	in = rd_make(out, c->plain_len + icv);
	assert_int_equal(encr_open(e, iv->p, &a, &in, back), 0);
	assert_memory_equal(back, plain->p, c->plain_len);
	check_gcm_tamper(e, iv->p, aad, out, c->plain_len + icv);
	/* In place, both ways. */
	memcpy(back, plain->p, c->plain_len);
	p = rd_make(back, c->plain_len);
	assert_int_equal(encr_seal(e, iv->p, &a, &p, back), 0);
	assert_memory_equal(back, out, c->plain_len + icv);
	in = rd_make(back, c->plain_len + icv);
	assert_int_equal(encr_open(e, iv->p, &a, &in, back), 0);
	assert_memory_equal(back, plain->p, c->plain_len);
	encr_free(e);
	buf_free(key);
	buf_free(aad);
	buf_free(plain);
	buf_free(iv);
	buf_free(ct);
	buf_free(tag);
}

static void
test_gcm_mcgrew_viega(void **state)
{
	static const enum ike_encr ids[] = { IKE_ENCR_AES_GCM_16,
		IKE_ENCR_AES_GCM_12, IKE_ENCR_AES_GCM_8 };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		for (j = 0; j < ARRAY_SIZE(gcm_cases); j++)
			check_gcm_case(ids[i], &gcm_cases[j]);
}

/* RFC 3602 section 4, cases 1 and 2 (AES-128-CBC). */
static void
test_cbc_rfc3602(void **state)
{
	static const struct {
		const char *key, *iv, *plain, *ct;
	} v[] = {
		{ "06a9214036b8a15b512e03d534120006",
		    "3dafba429d9eb430b422da802c9fac41",
		    "53696e676c6520626c6f636b206d7367",
		    "e353779c1079aeb82708942dbe77181a" },
		{ "c286696d887c9aa0611bbb3e2025a45a",
		    "562e17996d093d28ddb3ba695a2e6f58",
		    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		    "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
	};
	struct rd none = rd_make(NULL, 0), p, in;
	uint8_t out[64], back[64];
	struct buf *key, *iv, *plain;
	struct encr *e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		key = kat_hex(v[i].key);
		iv = kat_hex(v[i].iv);
		plain = kat_hex(v[i].plain);
		e = keyed_encr(IKE_ENCR_AES_CBC, 128, key);
		p = buf_rd(plain);
		assert_int_equal(encr_seal(e, iv->p, &none, &p, out), 0);
		kat_expect_hex("AES-CBC", out, plain->len, v[i].ct);
		in = rd_make(out, plain->len);
		assert_int_equal(encr_open(e, iv->p, &none, &in, back), 0);
		assert_memory_equal(back, plain->p, plain->len);
		encr_free(e);
		buf_free(key);
		buf_free(iv);
		buf_free(plain);
	}
}

static void
test_encr_lengths(void **state)
{
	static const struct {
		enum ike_encr id;
		unsigned bits;
		size_t key, iv, block, icv;
	} t[] = {
		{ IKE_ENCR_AES_CBC, 128, 16, 16, 16, 0 },
		{ IKE_ENCR_AES_CBC, 192, 24, 16, 16, 0 },
		{ IKE_ENCR_AES_CBC, 256, 32, 16, 16, 0 },
		{ IKE_ENCR_AES_GCM_8, 128, 20, 8, 1, 8 },
		{ IKE_ENCR_AES_GCM_12, 192, 28, 8, 1, 12 },
		{ IKE_ENCR_AES_GCM_16, 256, 36, 8, 1, 16 },
	};
	struct encr *e;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_true(encr_supported(t[i].id, t[i].bits));
		assert_int_equal(encr_new(t[i].id, t[i].bits, &e), 0);
		assert_int_equal(encr_key_len(e), t[i].key);
		assert_int_equal(encr_iv_len(e), t[i].iv);
		assert_int_equal(encr_block_len(e), t[i].block);
		assert_int_equal(encr_icv_len(e), t[i].icv);
		assert_int_equal(encr_is_aead(e), t[i].icv != 0);
		encr_free(e);
	}
	e = NULL;
	assert_int_equal(encr_new(IKE_ENCR_AES_CBC, 64, &e), -EOPNOTSUPP);
	assert_int_equal(encr_new(IKE_ENCR_AES_CTR, 128, &e), -EOPNOTSUPP);
	assert_int_equal(encr_new(IKE_ENCR_3DES, 192, &e), -EOPNOTSUPP);
	assert_int_equal(
	    encr_new(IKE_ENCR_CHACHA20_POLY1305, 256, &e), -EOPNOTSUPP);
	assert_null(e);
	encr_free(NULL);
}

/* Every supported cipher and key size round-trips, with and without AAD. */
static void
test_encr_round_trip_all(void **state)
{
	static const enum ike_encr ids[] = { IKE_ENCR_AES_CBC,
		IKE_ENCR_AES_GCM_8, IKE_ENCR_AES_GCM_12, IKE_ENCR_AES_GCM_16 };
	static const unsigned bits[] = { 128, 192, 256 };
	uint8_t key[ENCR_MAX_KEY_LEN], iv[ENCR_MAX_IV_LEN], plain[96];
	uint8_t out[96 + ENCR_MAX_ICV_LEN], back[96];
	struct rd k, p, a, in, none = rd_make(NULL, 0);
	struct encr *e;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		for (j = 0; j < ARRAY_SIZE(bits); j++) {
			assert_int_equal(encr_new(ids[i], bits[j], &e), 0);
			assert_int_equal(crypto_random(key, sizeof(key)), 0);
			assert_int_equal(
			    crypto_random(plain, sizeof(plain)), 0);
			k = rd_make(key, encr_key_len(e));
			assert_int_equal(encr_set_key(e, &k), 0);
			assert_int_equal(encr_next_iv(e, iv), 0);
			p = rd_make(plain, sizeof(plain));
			a = encr_is_aead(e) ? rd_make("aad!", 4) : none;
			assert_int_equal(encr_seal(e, iv, &a, &p, out), 0);
			assert_memory_not_equal(out, plain, 16);
			in = rd_make(out, sizeof(plain) + encr_icv_len(e));
			assert_int_equal(encr_open(e, iv, &a, &in, back), 0);
			assert_memory_equal(back, plain, sizeof(plain));
			encr_free(e);
		}
	}
}

static void
test_encr_bad_input(void **state)
{
	uint8_t key[32] = { 0 }, iv[16] = { 0 }, buf[64] = { 0 }, out[80];
	struct rd k = rd_make(key, 16), none = rd_make(NULL, 0);
	struct rd aad = rd_make("a", 1), in;
	struct encr *e;

	/* Unkeyed objects refuse to work; keys must have the exact length. */
	assert_int_equal(encr_new(IKE_ENCR_AES_CBC, 128, &e), 0);
	in = rd_make(buf, 16);
	assert_int_equal(encr_seal(e, iv, &none, &in, out), -EINVAL);
	assert_int_equal(encr_open(e, iv, &none, &in, out), -EINVAL);
	k.len = 15;
	assert_int_equal(encr_set_key(e, &k), -EINVAL);
	k.len = 16;
	assert_int_equal(encr_set_key(e, &k), 0);
	/* CBC: block-aligned text only, and no AAD. */
	in = rd_make(buf, 17);
	assert_int_equal(encr_seal(e, iv, &none, &in, out), -EINVAL);
	assert_int_equal(encr_open(e, iv, &none, &in, out), -EBADMSG);
	in = rd_make(buf, 16);
	assert_int_equal(encr_seal(e, iv, &aad, &in, out), -EINVAL);
	encr_free(e);

	/* GCM: the input must at least hold the ICV. */
	assert_int_equal(encr_new(IKE_ENCR_AES_GCM_16, 128, &e), 0);
	k.len = 20;
	assert_int_equal(encr_set_key(e, &k), 0);
	in = rd_make(buf, 15);
	assert_int_equal(encr_open(e, iv, &aad, &in, out), -EBADMSG);
	/* An all-zero tag over nothing does not authenticate. */
	in = rd_make(buf, 16);
	assert_int_equal(encr_open(e, iv, &aad, &in, out), -EBADMSG);
	encr_free(e);
}

/* GCM IVs count (unique per key, RFC 5282); CBC IVs are random. */
static void
test_encr_next_iv(void **state)
{
	uint8_t key[36] = { 0 }, a[16], b[16];
	struct rd k = rd_make(key, 36);
	struct encr *e;
	int i;

	assert_int_equal(encr_new(IKE_ENCR_AES_GCM_16, 256, &e), 0);
	assert_int_equal(encr_set_key(e, &k), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(encr_next_iv(e, a), 0);
		assert_memory_equal(a, "\0\0\0\0\0\0\0", 7);
		assert_int_equal(a[7], i);
	}
	encr_free(e);
	assert_int_equal(encr_new(IKE_ENCR_AES_CBC, 256, &e), 0);
	k.len = 32;
	assert_int_equal(encr_set_key(e, &k), 0);
	assert_int_equal(encr_next_iv(e, a), 0);
	assert_int_equal(encr_next_iv(e, b), 0);
	assert_memory_not_equal(a, b, 16);
	encr_free(e);
}

/* ------------------------------------------------------------------ */

static void
test_memeq_and_random(void **state)
{
	uint8_t a[32], b[32];

	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_false(crypto_memeq(a, b, sizeof(a)));
	memcpy(b, a, sizeof(a));
	assert_true(crypto_memeq(a, b, sizeof(a)));
	b[31] ^= 1;
	assert_false(crypto_memeq(a, b, sizeof(a)));
	assert_true(crypto_memeq(a, b, 31));
	assert_int_equal(crypto_random(a, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prf_rfc4231),
		cmocka_unit_test(test_prf_rfc2202),
		cmocka_unit_test(test_prf_lengths_and_limits),
		cmocka_unit_test(test_prf_plus_definition),
		cmocka_unit_test(test_prf_plus_limit),
		cmocka_unit_test(test_integ_rfc4868_sha256_128),
		cmocka_unit_test(test_integ_sha1_96),
		cmocka_unit_test(test_integ_truncation),
		cmocka_unit_test(test_integ_unsupported_and_unkeyed),
		cmocka_unit_test(test_gcm_mcgrew_viega),
		cmocka_unit_test(test_cbc_rfc3602),
		cmocka_unit_test(test_encr_lengths),
		cmocka_unit_test(test_encr_round_trip_all),
		cmocka_unit_test(test_encr_bad_input),
		cmocka_unit_test(test_encr_next_iv),
		cmocka_unit_test(test_memeq_and_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
