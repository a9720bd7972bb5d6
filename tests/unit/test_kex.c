/* SPDX-License-Identifier: ISC */
/*
 * test_kex.c: key exchanges against published answers and bad peers.
 *
 *   RFC 5903 8.1 and 8.2: groups 19 and 20, both private keys, public
 *   values (x | y, no 0x04) and the shared x coordinate.
 *   RFC 7748 6.1: X25519 (group 31).
 *   RFC 5114 A.3: group 24.
 *   gen_ike_kat.py (python3-cryptography, MODP primes computed from pi):
 *   every group's public values and g^ir from fixed private keys.
 *   Round trips for every group with fresh keys, and refusal (-EBADMSG)
 *   of 0, 1, p-1, p, values above p, wrong lengths, non-subgroup values
 *   for group 24, points off the curve or with coordinates >= p, and
 *   X25519 points of small order (all-zero shared secret).
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
#include "../data/kat/ike_kat_vectors.h"

static struct kex *
kex_fixed(enum ike_dh group, const char *priv_hex)
{
	struct buf *priv = kat_hex(priv_hex);
	struct rd p = buf_rd(priv);
	struct kex *k;

	assert_int_equal(kex_new_from_private(group, &p, &k), 0);
	buf_free(priv);
	return k;
}

/* Public value of a fixed private key, and the secret with a peer. */
static void
check_kat(enum ike_dh group, const char *priv, const char *pub,
    const char *peer_pub, const char *secret)
{
	struct kex *k = kex_fixed(group, priv);
	struct buf *peer = kat_hex(peer_pub), *s = NULL;
	struct rd pr = buf_rd(peer), mine = kex_public(k);

	assert_int_equal(kex_group(k), group);
	assert_int_equal(mine.len, kex_public_len(group));
	kat_expect_hex("public value", mine.p, mine.len, pub);
	assert_int_equal(kex_derive(k, &pr, &s), 0);
	assert_true(s->secret);
	kat_expect_hex("shared secret", s->p, s->len, secret);
	buf_free(s);
	buf_free(peer);
	kex_free(k);
}

static void
test_rfc5903_ecp256(void **state)
{
	static const char i[] =
	    "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433";
	static const char gi[] =
	    "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	    "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3";
	static const char r[] =
	    "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53";
	static const char gr[] =
	    "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
	    "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB";
	static const char girx[] =
	    "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE";

	check_kat(IKE_DH_ECP_256, i, gi, gr, girx);
	check_kat(IKE_DH_ECP_256, r, gr, gi, girx);
}

static void
test_rfc5903_ecp384(void **state)
{
	static const char i[] =
	    "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655"
	    "E35B538041E649EE3FAEF896783AB194";
	static const char gi[] =
	    "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
	    "DE3AC808ACB4BDB4C88732AEE95F41AA"
	    "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
	    "EB9FCFF3C2C947DAE69B4C634573A81C";
	static const char r[] =
	    "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942"
	    "E0308312916B8ED2960E4BD55A7448FC";
	static const char gr[] =
	    "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D"
	    "0D1AC43A0336DEF96FDA41D0774A3571"
	    "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FF"
	    "F83FA40142209DFF5EAAD96DB9E6386C";
	static const char girx[] =
	    "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4"
	    "D603135569B9E9D09CF5D4A270F59746";

	check_kat(IKE_DH_ECP_384, i, gi, gr, girx);
	check_kat(IKE_DH_ECP_384, r, gr, gi, girx);
}

static void
test_rfc7748_x25519(void **state)
{
	static const char a[] =
	    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
	static const char ga[] =
	    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
	static const char b[] =
	    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
	static const char gb[] =
	    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
	static const char k[] =
	    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

	check_kat(IKE_DH_CURVE25519, a, ga, gb, k);
	check_kat(IKE_DH_CURVE25519, b, gb, ga, k);
}

static void
test_rfc5114_a3_group24(void **state)
{
	check_kat(IKE_DH_MODP_2048_256, rfc5114_a3_xA, rfc5114_a3_yA,
	    rfc5114_a3_yB, rfc5114_a3_Z);
	check_kat(IKE_DH_MODP_2048_256, rfc5114_a3_xB, rfc5114_a3_yB,
	    rfc5114_a3_yA, rfc5114_a3_Z);
}

/* Every group against the independent Python implementation. */
static void
test_generated_vectors(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		const struct ike_kat *v = &ike_kats[i];

		check_kat(v->group, v->priv_i, v->pub_i, v->pub_r, v->g_ir);
		check_kat(v->group, v->priv_r, v->pub_r, v->pub_i, v->g_ir);
	}
}

static const enum ike_dh all_groups[] = { IKE_DH_MODP_1024, IKE_DH_MODP_2048,
	IKE_DH_MODP_2048_256, IKE_DH_ECP_256, IKE_DH_ECP_384,
	IKE_DH_CURVE25519 };

/* Fresh keys: both sides agree, and no two runs share a key. */
static void
test_round_trip(void **state)
{
	struct buf *s1, *s2;
	struct kex *a, *b, *c;
	struct rd pa, pb;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_groups); i++) {
		assert_true(kex_supported(all_groups[i]));
		assert_int_equal(kex_new(all_groups[i], &a), 0);
		assert_int_equal(kex_new(all_groups[i], &b), 0);
		assert_int_equal(kex_new(all_groups[i], &c), 0);
		pa = kex_public(a);
		pb = kex_public(b);
		assert_int_equal(pa.len, kex_public_len(all_groups[i]));
		assert_memory_not_equal(pa.p, pb.p, pa.len);
		assert_memory_not_equal(pa.p, kex_public(c).p, pa.len);
		assert_int_equal(kex_derive(a, &pb, &s1), 0);
		assert_int_equal(kex_derive(b, &pa, &s2), 0);
		assert_int_equal(s1->len, s2->len);
		assert_memory_equal(s1->p, s2->p, s1->len);
		buf_free(s1);
		buf_free(s2);
		kex_free(a);
		kex_free(b);
		kex_free(c);
	}
	kex_free(NULL);
}

static void
expect_reject(const struct kex *k, const uint8_t *peer, size_t len)
{
	struct buf *s = NULL;
	struct rd p = rd_make(peer, len);

	assert_int_equal(kex_derive(k, &p, &s), -EBADMSG);
	assert_null(s);
}

/* Big-endian add of a small signed delta to a len-byte number in place. */
static void
be_add(uint8_t *n, size_t len, int delta)
{
	int carry = delta;
	size_t i;

	for (i = len; i-- > 0 && carry != 0;) {
		int v = n[i] + carry;

		n[i] = (uint8_t)(v & 0xff);
		carry = v < 0 ? -1 : v >> 8;
	}
}

static void
check_modp_rejects(enum ike_dh group, const char *p_hex)
{
	struct buf *p = kat_hex(p_hex);
	uint8_t v[KEX_MAX_PUBLIC_LEN + 1];
	size_t n = p->len;
	struct kex *k;

	assert_int_equal(kex_new(group, &k), 0);
	assert_int_equal(n, kex_public_len(group));
	memset(v, 0, sizeof(v));
	expect_reject(k, v, n); /* 0 */
	v[n - 1] = 1;
	expect_reject(k, v, n); /* 1 */
	memcpy(v, p->p, n);
	be_add(v, n, -1);
	expect_reject(k, v, n); /* p - 1: order 2 */
	memcpy(v, p->p, n);
	expect_reject(k, v, n); /* p */
	be_add(v, n, 1);
	expect_reject(k, v, n); /* p + 1 */
	memset(v, 0xff, sizeof(v));
	expect_reject(k, v, n); /* above p */
	/* The length must be exactly that of p: not shorter, not longer. */
	memcpy(v, kex_public(k).p, n);
	expect_reject(k, v, n - 1);
	v[n] = 0;
	expect_reject(k, v, n + 1);
	expect_reject(k, v, 0);
	kex_free(k);
	buf_free(p);
}

static void
test_modp_rejects(void **state)
{
	uint8_t two[256] = { 0 };
	struct kex *k;

	check_modp_rejects(IKE_DH_MODP_1024, modp_p_2);
	check_modp_rejects(IKE_DH_MODP_2048, modp_p_14);
	check_modp_rejects(IKE_DH_MODP_2048_256, modp_p_24);
	/* Group 24: 2 is in range but not in the order-q subgroup. */
	assert_int_equal(kex_new(IKE_DH_MODP_2048_256, &k), 0);
	two[255] = 2;
	expect_reject(k, two, sizeof(two));
	kex_free(k);
}

static void
check_ecp_rejects(enum ike_dh group, const char *valid_hex)
{
	struct buf *valid = kat_hex(valid_hex);
	uint8_t v[KEX_MAX_PUBLIC_LEN + 1];
	size_t n = valid->len, half = n / 2;
	struct kex *k;

	assert_int_equal(kex_new(group, &k), 0);
	memcpy(v, valid->p, n);
	v[n - 1] ^= 0x01;
	expect_reject(k, v, n); /* y changed: off the curve */
	memcpy(v, valid->p, n);
	v[0] ^= 0x80;
	expect_reject(k, v, n); /* x changed */
	memset(v, 0, n);
	expect_reject(k, v, n); /* (0, 0) is not on the curve */
	memset(v, 0xff, n);
	expect_reject(k, v, n); /* coordinates >= p */
	/* x >= p with a valid y. */
	memcpy(v, valid->p, n);
	memset(v, 0xff, half);
	expect_reject(k, v, n);
	memcpy(v, valid->p, n);
	expect_reject(k, v, n - 1);
	v[n] = 0;
	expect_reject(k, v, n + 1);
	/* A 0x04-prefixed SEC1 point is not the IKE encoding. */
	v[0] = 0x04;
	memcpy(v + 1, valid->p, n);
	expect_reject(k, v, n + 1);
	kex_free(k);
	buf_free(valid);
}

static void
test_ecp_rejects(void **state)
{
	check_ecp_rejects(IKE_DH_ECP_256,
	    "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
	    "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3");
	check_ecp_rejects(IKE_DH_ECP_384,
	    "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6"
	    "DE3AC808ACB4BDB4C88732AEE95F41AA"
	    "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38E"
	    "EB9FCFF3C2C947DAE69B4C634573A81C");
}

/* RFC 8031 2.3 / RFC 7748 6.1: small-order points give an all-zero secret. */
static void
test_x25519_rejects(void **state)
{
	static const char *small_order[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	uint8_t v[33] = { 0 };
	struct buf *p;
	struct kex *k;
	size_t i;

	assert_int_equal(kex_new(IKE_DH_CURVE25519, &k), 0);
	for (i = 0; i < ARRAY_SIZE(small_order); i++) {
		p = kat_hex(small_order[i]);
		expect_reject(k, p->p, p->len);
		buf_free(p);
	}
	memcpy(v, kex_public(k).p, 32);
	expect_reject(k, v, 31);
	expect_reject(k, v, 33);
	kex_free(k);
}

static void
test_unsupported(void **state)
{
	struct rd priv = rd_make("\x01", 1), empty = rd_make(NULL, 0);
	struct kex *k = NULL;

	assert_false(kex_supported(IKE_DH_NONE));
	assert_int_equal(kex_public_len(IKE_DH_NONE), 0);
	assert_int_equal(kex_new(IKE_DH_NONE, &k), -EOPNOTSUPP);
	assert_int_equal(kex_new((enum ike_dh)21, &k), -EOPNOTSUPP);
	assert_int_equal(
	    kex_new_from_private((enum ike_dh)22, &priv, &k), -EOPNOTSUPP);
	assert_int_equal(
	    kex_new_from_private(IKE_DH_ECP_256, &empty, &k), -EINVAL);
	assert_null(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5903_ecp256),
		cmocka_unit_test(test_rfc5903_ecp384),
		cmocka_unit_test(test_rfc7748_x25519),
		cmocka_unit_test(test_rfc5114_a3_group24),
		cmocka_unit_test(test_generated_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_modp_rejects),
		cmocka_unit_test(test_ecp_rejects),
		cmocka_unit_test(test_x25519_rejects),
		cmocka_unit_test(test_unsupported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
