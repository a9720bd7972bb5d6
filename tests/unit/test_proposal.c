/* SPDX-License-Identifier: ISC */
/*
 * test_proposal.c: proposal strings parse to the IANA numbers, print back
 * to the same text, follow the RFC 7296 / RFC 5282 transform rules, and
 * the defaults are exactly Azure's P2S policy table (transcribed below
 * from azure-p2s-facts.md 5.1, independently of proposal.c's strings).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "compat.h"
#include "proposal.h"

static struct proposal
parse_ok(uint8_t proto, const char *s)
{
	struct proposal p;
	char err[160] = "";
	int r = proposal_parse(proto, s, &p, err, sizeof(err));

	if (r != 0)
		fail_msg("'%s': %s", s, err);
	return p;
}

/* Parsing fails with -EINVAL and a reason containing want. */
static void
parse_bad(uint8_t proto, const char *s, const char *want)
{
	struct proposal p = { .proto = 99 };
	char err[160] = "";
	int r = proposal_parse(proto, s, &p, err, sizeof(err));

	assert_int_equal(r, -EINVAL);
	assert_int_equal(p.proto, 99); /* untouched */
	if (strstr(err, want) == NULL)
		fail_msg("'%s': got '%s', want '%s'", s, err, want);
}

static bool
proposal_equal(const struct proposal *a, const struct proposal *b)
{
	if (a->proto != b->proto || a->n_xforms != b->n_xforms)
		return false;
	for (size_t i = 0; i < a->n_xforms; i++)
		if (a->xforms[i].type != b->xforms[i].type ||
		    a->xforms[i].id != b->xforms[i].id ||
		    a->xforms[i].key_bits != b->xforms[i].key_bits)
			return false;
	return true;
}

static void
assert_xform(const struct proposal *p, size_t i, uint8_t type, uint16_t id,
    uint16_t bits)
{
	assert_true(i < p->n_xforms);
	assert_int_equal(p->xforms[i].type, type);
	assert_int_equal(p->xforms[i].id, id);
	assert_int_equal(p->xforms[i].key_bits, bits);
}

static void
test_ike_numbers(void **state)
{
	struct proposal p =
	    parse_ok(IKE_PROTO_IKE, "aes256gcm16-prfsha384-ecp384");

	assert_int_equal(p.proto, IKE_PROTO_IKE);
	assert_int_equal(p.n_xforms, 3);
	assert_xform(&p, 0, 1, 20, 256); /* ENCR_AES_GCM_16 */
	assert_xform(&p, 1, 2, 6, 0);	 /* PRF_HMAC_SHA2_384 is 6 */
	assert_xform(&p, 2, 4, 20, 0);	 /* 384-bit ECP */

	p = parse_ok(IKE_PROTO_IKE, "aes256-sha384-modp2048");
	assert_int_equal(p.n_xforms, 4);
	assert_xform(&p, 0, 1, 12, 256); /* ENCR_AES_CBC */
	assert_xform(&p, 1, 3, 13, 0);	 /* AUTH_HMAC_SHA2_384_192 is 13 */
	assert_xform(&p, 2, 2, 6, 0);	 /* PRF implied by the integrity */
	assert_xform(&p, 3, 4, 14, 0);
}

static void
test_esp_numbers(void **state)
{
	struct proposal p = parse_ok(IKE_PROTO_ESP, "aes256gcm16");

	assert_int_equal(p.proto, IKE_PROTO_ESP);
	assert_int_equal(p.n_xforms, 2);
	assert_xform(&p, 0, IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 256);
	assert_xform(&p, 1, IKE_XFORM_ESN, IKE_ESN_NO, 0); /* mandatory */

	p = parse_ok(IKE_PROTO_ESP, "aes256-sha1");
	assert_int_equal(p.n_xforms, 3);
	assert_xform(&p, 1, IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);

	/* PFS groups, ESN both ways, written out of order. */
	p = parse_ok(IKE_PROTO_ESP, "esn-ecp384-aes128-noesn-sha256-modp2048");
	assert_int_equal(p.n_xforms, 6);
	assert_xform(&p, 0, IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 128);
	assert_xform(&p, 1, IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	assert_xform(&p, 2, IKE_XFORM_DH, IKE_DH_ECP_384, 0);
	assert_xform(&p, 3, IKE_XFORM_DH, IKE_DH_MODP_2048, 0);
	assert_xform(&p, 4, IKE_XFORM_ESN, IKE_ESN_YES, 0);
	assert_xform(&p, 5, IKE_XFORM_ESN, IKE_ESN_NO, 0);
}

/* Several of a type keep their order; implied PRFs follow integrities. */
static void
test_several_per_type(void **state)
{
	struct proposal p = parse_ok(
	    IKE_PROTO_IKE, "aes128-aes256-sha1-sha512-curve25519-modp2048s256");

	assert_int_equal(p.n_xforms, 8);
	assert_xform(&p, 0, IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 128);
	assert_xform(&p, 1, IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 256);
	assert_xform(&p, 2, IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	assert_xform(&p, 3, IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0);
	assert_xform(&p, 4, IKE_XFORM_PRF, IKE_PRF_HMAC_SHA1, 0);
	assert_xform(&p, 5, IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_512, 0);
	assert_xform(&p, 6, IKE_XFORM_DH, IKE_DH_CURVE25519, 0);
	assert_xform(&p, 7, IKE_XFORM_DH, IKE_DH_MODP_2048_256, 0);
}

static void
check_print(uint8_t proto, const char *in, const char *want)
{
	struct proposal p = parse_ok(proto, in), back;
	char text[PROPOSAL_MAX_LEN + 1];

	assert_int_equal(proposal_print(&p, text, sizeof(text)), 0);
	assert_string_equal(text, want);
	back = parse_ok(proto, text);
	assert_true(proposal_equal(&p, &back));
}

static void
test_round_trip(void **state)
{
	/* Canonical text prints as itself. */
	check_print(IKE_PROTO_IKE, "aes256gcm16-prfsha384-ecp384",
	    "aes256gcm16-prfsha384-ecp384");
	check_print(IKE_PROTO_IKE, "aes256-sha256-prfsha256-modp2048",
	    "aes256-sha256-prfsha256-modp2048");
	check_print(IKE_PROTO_ESP, "aes256gcm16", "aes256gcm16");
	check_print(IKE_PROTO_ESP, "aes256-sha1", "aes256-sha1");
	check_print(IKE_PROTO_ESP, "aes128-sha384-ecp256-esn",
	    "aes128-sha384-ecp256-esn");
	check_print(
	    IKE_PROTO_ESP, "aes192gcm16-esn-noesn", "aes192gcm16-esn-noesn");
	/* Everything else prints in canonical form. */
	check_print(IKE_PROTO_IKE, "aes256-sha256-modp2048",
	    "aes256-sha256-prfsha256-modp2048");
	check_print(IKE_PROTO_IKE, "modp2048-sha2_256-aes256",
	    "aes256-sha256-prfsha256-modp2048");
	check_print(IKE_PROTO_IKE, "aes256gcm128-prfsha512-x25519",
	    "aes256gcm16-prfsha512-curve25519");
	check_print(IKE_PROTO_ESP, "aes256gcm16-noesn", "aes256gcm16");
	/* An explicit PRF replaces the implied one. */
	check_print(IKE_PROTO_IKE, "aes256-sha256-prfsha384-ecp384",
	    "aes256-sha256-prfsha384-ecp384");
}

static void
test_print_space(void **state)
{
	struct proposal p =
	    parse_ok(IKE_PROTO_IKE, "aes256gcm16-prfsha384-ecp384");
	struct proposal big = { .proto = IKE_PROTO_IKE };
	char text[PROPOSAL_MAX_LEN + 1];

	/* "aes256gcm16-prfsha384-ecp384" is 28 characters and a NUL. */
	assert_int_equal(proposal_print(&p, text, 28), -ENOSPC);
	assert_int_equal(proposal_print(&p, text, 29), 0);
	assert_int_equal(proposal_print(&p, text, 0), -ENOSPC);
	/* The longest canonical name, as often as a proposal holds: fits. */
	big.n_xforms = PROPOSAL_MAX_XFORMS;
	for (size_t i = 0; i < PROPOSAL_MAX_XFORMS; i++)
		big.xforms[i] = (struct proposal_xform){ IKE_XFORM_DH,
			IKE_DH_MODP_2048_256, 0 };
	assert_int_equal(proposal_print(&big, text, sizeof(text)), 0);
	/* A transform without a name cannot be printed. */
	big.xforms[3].id = 9999;
	assert_int_equal(proposal_print(&big, text, sizeof(text)), -EINVAL);
}

static void
test_names(void **state)
{
	/* The IANA numbers azure-p2s-facts.md gets wrong (7 and 14). */
	assert_string_equal(
	    proposal_xform_name(IKE_XFORM_PRF, 6, 0), "prfsha384");
	assert_string_equal(
	    proposal_xform_name(IKE_XFORM_INTEG, 13, 0), "sha384");
	assert_string_equal(
	    proposal_xform_name(IKE_XFORM_PRF, 7, 0), "prfsha512");
	assert_string_equal(
	    proposal_xform_name(IKE_XFORM_INTEG, 14, 0), "sha512");
	assert_string_equal(
	    proposal_xform_name(IKE_XFORM_DH, 24, 0), "modp2048s256");
	assert_null(proposal_xform_name(IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 0));
	assert_null(proposal_xform_name(IKE_XFORM_ENCR, IKE_ENCR_3DES, 0));
}

static void
test_rejected(void **state)
{
	parse_bad(IKE_PROTO_IKE, "aes257-sha256-modp2048",
	    "unknown algorithm 'aes257'");
	parse_bad(IKE_PROTO_IKE, "aes256-sha256-modp2048-", "empty algorithm");
	parse_bad(IKE_PROTO_IKE, "-aes256-sha256-modp2048", "empty algorithm");
	parse_bad(IKE_PROTO_IKE, "", "empty algorithm");
	parse_bad(IKE_PROTO_IKE, "AES256-sha256-modp2048", "unknown algorithm");
	parse_bad(IKE_PROTO_ESP, "3des-sha1", "unknown algorithm '3des'");
	parse_bad(IKE_PROTO_ESP, "aes256-md5", "unknown algorithm 'md5'");
	parse_bad(IKE_PROTO_IKE, "aes256 -sha256-modp2048",
	    "unknown algorithm 'aes256 '");
	parse_bad(IKE_PROTO_IKE, "aes256-sha256-sha256-modp2048",
	    "'sha256' appears twice");
	parse_bad(IKE_PROTO_IKE, "aes256-sha2_256-sha256-modp2048",
	    "'sha256' appears twice");
	parse_bad(IKE_PROTO_AH, "aes256-sha256", "not an IKE or ESP");
}

static void
test_rules(void **state)
{
	parse_bad(IKE_PROTO_IKE, "sha256-prfsha256-modp2048",
	    "no encryption algorithm");
	parse_bad(IKE_PROTO_ESP, "aes256", "no integrity algorithm");
	parse_bad(IKE_PROTO_IKE, "aes256-prfsha256-modp2048",
	    "no integrity algorithm");
	parse_bad(IKE_PROTO_ESP, "aes256gcm16-sha256", "takes no integrity");
	parse_bad(IKE_PROTO_IKE, "aes256gcm16-aes256-prfsha256-ecp256",
	    "mixes AEAD and non-AEAD");
	parse_bad(IKE_PROTO_IKE, "aes256gcm16-ecp384", "no PRF");
	parse_bad(IKE_PROTO_IKE, "aes256-sha256", "no key exchange group");
	parse_bad(IKE_PROTO_IKE, "aes256-sha256-modp2048-esn", "ESP proposals");
	parse_bad(IKE_PROTO_ESP, "aes256gcm16-prfsha256", "IKE proposals");
}

static void
test_caps(void **state)
{
	char s[PROPOSAL_MAX_LEN + 2];

	/* 17 algorithms: one past PROPOSAL_MAX_XFORMS. */
	parse_bad(IKE_PROTO_IKE,
	    "aes128-aes192-aes256-sha1-sha256-sha384-sha512-prfsha1-"
	    "prfsha256-prfsha384-prfsha512-modp1024-modp2048-modp2048s256-"
	    "ecp256-ecp384-curve25519",
	    "too many algorithms");
	/* 13 written, but the implied PRFs make 17. */
	parse_bad(IKE_PROTO_IKE,
	    "aes128-aes192-aes256-sha1-sha256-sha384-sha512-modp1024-"
	    "modp2048-modp2048s256-ecp256-ecp384-curve25519",
	    "too many algorithms");
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	parse_bad(IKE_PROTO_IKE, s, "longer than 255");
}

/* One row of Azure's table: what the gateway accepts, in its order. */
struct azure_row {
	uint16_t encr, key_bits, integ, prf, dh;
};

/* azure-p2s-facts.md 5.1, IKEv2, with the IANA numbers corrected. */
static const struct azure_row azure_ike[] = {
	{ 20, 256, 0, 6, 24 },
	{ 20, 256, 0, 6, 14 },
	{ 20, 256, 0, 6, 20 },
	{ 20, 256, 0, 6, 19 },
	{ 20, 256, 0, 5, 24 },
	{ 20, 256, 0, 5, 14 },
	{ 20, 256, 0, 5, 20 },
	{ 20, 256, 0, 5, 19 },
	{ 12, 256, 13, 6, 24 },
	{ 12, 256, 13, 6, 14 },
	{ 12, 256, 13, 6, 20 },
	{ 12, 256, 13, 6, 19 },
	{ 12, 256, 12, 5, 24 },
	{ 12, 256, 12, 5, 14 },
	{ 12, 256, 12, 5, 20 },
	{ 12, 256, 12, 5, 19 },
	{ 12, 256, 12, 5, 2 },
};

/* The same table's ESP rows with GROUP_NONE. */
static const struct azure_row azure_esp[] = {
	{ 20, 256, 0, 0, 0 },
	{ 12, 256, 12, 0, 0 },
	{ 12, 256, 2, 0, 0 },
};

/* The ids of one type in p, in order; a lone 0 when there are none. */
static size_t
ids_of(const struct proposal *p, uint8_t type, uint16_t *ids, uint16_t *bits)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_xforms; i++)
		if (p->xforms[i].type == type) {
			bits[n] = p->xforms[i].key_bits;
			ids[n++] = p->xforms[i].id;
		}
	if (n == 0) {
		ids[0] = bits[0] = 0;
		n = 1;
	}
	return n;
}

/* Expand proposals into rows: each proposal's combinations, in order. */
static size_t
expand(const char *const *text, size_t n, uint8_t proto, struct azure_row *rows,
    size_t max)
{
	size_t n_rows = 0;

	for (size_t i = 0; i < n; i++) {
		struct proposal p = parse_ok(proto, text[i]);
		uint16_t e[16], eb[16], in[16], pr[16], dh[16], x[16];
		size_t ne = ids_of(&p, IKE_XFORM_ENCR, e, eb);
		size_t ni = ids_of(&p, IKE_XFORM_INTEG, in, x);
		size_t np = ids_of(&p, IKE_XFORM_PRF, pr, x);
		size_t nd = ids_of(&p, IKE_XFORM_DH, dh, x);

		for (size_t a = 0; a < ne; a++)
			for (size_t b = 0; b < ni; b++)
				for (size_t c = 0; c < np; c++)
					for (size_t d = 0; d < nd; d++) {
						assert_true(n_rows < max);
						rows[n_rows++] =
						    (struct azure_row){ e[a],
							    eb[a], in[b], pr[c],
							    dh[d] };
					}
	}
	return n_rows;
}

static void
check_rows(const struct azure_row *got, size_t n_got,
    const struct azure_row *want, size_t n_want)
{
	assert_int_equal(n_got, n_want);
	for (size_t i = 0; i < n_want; i++) {
		const struct azure_row *g = &got[i], *w = &want[i];

		if (g->encr != w->encr || g->key_bits != w->key_bits ||
		    g->integ != w->integ || g->prf != w->prf || g->dh != w->dh)
			fail_msg("row %zu: got %u/%u/%u/%u/%u", i + 1, g->encr,
			    g->key_bits, g->integ, g->prf, g->dh);
	}
}

static void
test_azure_defaults(void **state)
{
	struct azure_row rows[64];
	size_t n;

	n = expand(proposal_azure_ike, PROPOSAL_AZURE_IKE_N, IKE_PROTO_IKE,
	    rows, ARRAY_SIZE(rows));
	check_rows(rows, n, azure_ike, ARRAY_SIZE(azure_ike));
	n = expand(proposal_azure_esp, PROPOSAL_AZURE_ESP_N, IKE_PROTO_ESP,
	    rows, ARRAY_SIZE(rows));
	check_rows(rows, n, azure_esp, ARRAY_SIZE(azure_esp));
	/* Every default is in canonical form and fits the SA payload caps. */
	for (size_t i = 0; i < PROPOSAL_AZURE_IKE_N; i++)
		check_print(IKE_PROTO_IKE, proposal_azure_ike[i],
		    proposal_azure_ike[i]);
	for (size_t i = 0; i < PROPOSAL_AZURE_ESP_N; i++)
		check_print(IKE_PROTO_ESP, proposal_azure_esp[i],
		    proposal_azure_esp[i]);
	assert_true(PROPOSAL_AZURE_IKE_N <= IKE_MAX_PROPOSALS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ike_numbers),
		cmocka_unit_test(test_esp_numbers),
		cmocka_unit_test(test_several_per_type),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_print_space),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_azure_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
