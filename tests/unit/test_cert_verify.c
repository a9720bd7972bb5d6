/* SPDX-License-Identifier: ISC */
/*
 * test_cert_verify.c: the gateway's chain verifies only to the profile's
 * roots (another CA, a missing intermediate, an expired or not yet valid
 * certificate, a retired root, a chain that is too long, a forged
 * signature, a weak key, a client certificate posing as the gateway all
 * fail, each with a reason that names the fix), and the identity table of
 * RFC 6125 as design.md section 5 narrows it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caps.h"
#include "cert.h"
#include "certs.h"
#include "wire.h"

#define GW_GUID "3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37"
#define GW_HOST "azuregateway-" GW_GUID "-5a7c9e1b3d2f.vpn.azure.com"

/* 2001-06-01, 2030-01-01 and 2095-01-01, UTC. */
#define T_2001 ((time_t)991353600)
#define T_2030 ((time_t)1893456000)
#define T_2095 ((time_t)3944678400)

static struct trust *
trust_of(const char *a, const char *b)
{
	struct trust *t = NULL;

	assert_int_equal(trust_new(&t), 0);
	assert_int_equal(trust_add_file(t, certs_path(a)), 0);
	if (b != NULL)
		assert_int_equal(trust_add_file(t, certs_path(b)), 0);
	return t;
}

/* Verifies leaf with the intermediates of a PEM file (may be NULL) against
 * trust at time at; returns the result and fills reason. */
static int
verify(const struct trust *t, const char *leaf_name, const char *ints,
    time_t at, char *reason, size_t reason_len)
{
	struct cert *leaf = certs_load(leaf_name), *bundle = NULL;
	const struct cert *v[CERT_MAX_CHAIN + 2];
	size_t n = 0;
	int r;

	if (ints != NULL) {
		/* A PEM file of intermediates loads as a path from its first
		 * certificate; the first plus its chain are what we send. */
		bundle = certs_load(ints);
		v[n++] = bundle;
		for (size_t i = 0; i < cert_chain_len(bundle); i++)
			v[n++] = cert_chain_at(bundle, i);
	}
	reason[0] = '\0';
	r = cert_verify_chain(t, leaf, v, n, at, reason, reason_len);
	cert_free(leaf);
	cert_free(bundle);
	return r;
}

static void
assert_contains(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* ------------------------------------------------------------------ */
/* Chains */

static void
test_chain_ok(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    verify(t, "gw.pem", "int-a.pem", 0, reason, sizeof(reason)), 0);
	assert_int_equal(
	    verify(t, "gw.pem", "int-a.pem", T_2030, reason, sizeof(reason)),
	    0);
	/* A gateway with no EKU and no SAN at all is still a gateway. */
	assert_int_equal(
	    verify(t, "gw-cn.pem", "int-a.pem", 0, reason, sizeof(reason)), 0);
	/* ECDSA and EdDSA leaves chain the same way. */
	assert_int_equal(
	    verify(t, "gw-ec384.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    0);
	assert_int_equal(
	    verify(t, "gw-ed25519.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    0);
	trust_free(t);
}

/* The DER of a root, as Azure ships VpnServerRoot.cer, is a root too;
 * and an intermediate may be pinned instead of the root. */
static void
test_chain_anchor_forms(void **state)
{
	struct trust *der = trust_of("root-a.der", NULL);
	struct trust *pin = trust_of("int-a.pem", NULL);
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    verify(der, "gw.pem", "int-a.pem", 0, reason, sizeof(reason)), 0);
	assert_int_equal(
	    verify(pin, "gw.pem", NULL, 0, reason, sizeof(reason)), 0);
	trust_free(der);
	trust_free(pin);
}

static void
test_chain_wrong_root(void **state)
{
	struct trust *a = trust_of("root-a.pem", NULL);
	struct trust *b = trust_of("root-b.pem", NULL);
	struct trust *both = trust_of("root-b.pem", "root-a.pem");
	char reason[CERT_REASON_LEN];

	/* Issued by root-b, which the profile does not hold. */
	assert_int_equal(
	    verify(a, "gw-wrongca.pem", NULL, 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "unable to get local issuer certificate");
	assert_contains(reason, "P2S Test Unrelated Root B");
	assert_contains(reason, "Azure rotates it");
	/* The right chain against the wrong root. */
	assert_int_equal(
	    verify(b, "gw.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "not among the profile's gateway roots");
	/* Any of several roots will do. */
	assert_int_equal(
	    verify(both, "gw.pem", "int-a.pem", 0, reason, sizeof(reason)), 0);
	assert_int_equal(
	    verify(both, "gw-wrongca.pem", NULL, 0, reason, sizeof(reason)), 0);
	trust_free(a);
	trust_free(b);
	trust_free(both);
}

/* The intermediate must come from the gateway; never from elsewhere. */
static void
test_chain_missing_intermediate(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    verify(t, "gw.pem", NULL, 0, reason, sizeof(reason)), -EACCES);
	assert_contains(reason, "Gateway Intermediate A");
	trust_free(t);
}

/*
 * The system store is never consulted: DigiCert Global Root G2 is in
 * Debian's store, yet with an empty profile it is just a self-signed
 * certificate.  With the profile holding it (as Azure's package does), it
 * passes the strict checks, and so does the older DigiCert Global Root
 * CA, whose self-signature is SHA-1.
 */
static void
test_chain_no_system_store(void **state)
{
	struct trust *empty = NULL;
	struct trust *azure = trust_of(
	    "digicert-global-root-g2.crt", "digicert-global-root-ca.crt");
	char reason[CERT_REASON_LEN];

	assert_int_equal(trust_new(&empty), 0);
	assert_int_equal(verify(empty, "digicert-global-root-g2.crt", NULL, 0,
			     reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "self-signed certificate");
	assert_int_equal(
	    verify(empty, "gw.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	assert_int_equal(verify(azure, "digicert-global-root-g2.crt", NULL,
			     T_2030, reason, sizeof(reason)),
	    0);
	assert_int_equal(verify(azure, "digicert-global-root-ca.crt", NULL,
			     T_2030, reason, sizeof(reason)),
	    0);
	assert_int_equal(
	    verify(azure, "gw.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	trust_free(empty);
	trust_free(azure);
}

static void
test_chain_time(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    verify(t, "gw-expired.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "expired on 2002-01-01 00:00:00 UTC");
	assert_contains(reason,
	    "clock right? if it is, the gateway's "
	    "certificate is out of date");
	assert_int_equal(
	    verify(t, "gw-future.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "not valid until 2090-01-01 00:00:00 UTC");
	/* The time is the caller's to give: before the chain began, and
	 * inside gw-future's validity. */
	assert_int_equal(
	    verify(t, "gw.pem", "int-a.pem", T_2001, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "not valid until 2020-01-01");
	assert_int_equal(verify(t, "gw-future.pem", "int-a.pem", T_2095, reason,
			     sizeof(reason)),
	    0);
	trust_free(t);
}

/* A root that Azure retired: the message says to re-import. */
static void
test_chain_retired_root(void **state)
{
	struct trust *t = trust_of("root-old.pem", NULL);
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    verify(t, "gw-oldroot.pem", NULL, 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "the profile's gateway root");
	assert_contains(reason, "expired on 2010-01-01");
	assert_contains(reason, "p2sctl import --force");
	trust_free(t);
}

/* CERT_MAX_CHAIN (8) certificates with leaf and root: 6 intermediates. */
static void
test_chain_length(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	struct cert *leaf = certs_load("chain7.pem");
	struct cert *bundle = certs_load("chain7-int.pem");
	const struct cert *v[CERT_MAX_CHAIN + 1];
	char reason[CERT_REASON_LEN];
	size_t n = 0;

	assert_int_equal(verify(t, "chain6.pem", "chain6-int.pem", 0, reason,
			     sizeof(reason)),
	    0);
	assert_int_equal(verify(t, "chain7.pem", "chain7-int.pem", 0, reason,
			     sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "longer than 8 certificates");
	/* More CERT payloads than the cap are refused before any work. */
	for (n = 0; n < CERT_MAX_CHAIN; n++)
		v[n] = bundle;
	assert_int_equal(
	    cert_verify_chain(t, leaf, v, n, 0, reason, sizeof(reason)),
	    -E2BIG);
	assert_contains(reason, "9 certificates");
	cert_free(leaf);
	cert_free(bundle);
	trust_free(t);
}

/* One flipped bit in the signature, or in what it signs. */
static void
test_chain_forged(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	struct cert *good = certs_load("gw.pem"), *bad = NULL;
	struct cert *ia = certs_load("int-a.pem");
	const struct cert *v[1] = { ia };
	char reason[CERT_REASON_LEN];
	uint8_t der[CERT_MAX_LEN];
	struct rd src = cert_der(good), r;
	size_t at[] = { src.len - 1, src.len / 2 };

	for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
		memcpy(der, src.p, src.len);
		der[at[i]] ^= 0x01;
		r = rd_make(der, src.len);
		assert_int_equal(cert_load_der(&r, &bad), 0);
		assert_int_equal(
		    cert_verify_chain(t, bad, v, 1, 0, reason, sizeof(reason)),
		    -EACCES);
		assert_contains(reason, "does not verify");
		cert_free(bad);
	}
	cert_free(good);
	cert_free(ia);
	trust_free(t);
}

static void
test_chain_leaf_usage(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	char reason[CERT_REASON_LEN];

	assert_int_equal(verify(t, "gw-clientauth.pem", "int-a.pem", 0, reason,
			     sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "only clientAuth: a client certificate");
	assert_int_equal(
	    verify(t, "gw-kuenc.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "digitalSignature");
	trust_free(t);
}

/* X509_V_FLAG_X509_STRICT is on: RFC 5280 4.2.1.1 wants an
 * authorityKeyIdentifier in every certificate not self-signed. */
static void
test_chain_strict(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    verify(t, "gw-noakid.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "Authority Key Identifier");
	trust_free(t);
}

/* 112-bit strength: no RSA-1024 leaf; yet a root self-signed with
 * SHA-1, like DigiCert Global Root CA, still anchors a chain. */
static void
test_chain_strength(void **state)
{
	struct trust *t = trust_of("root-a.pem", "root-sha1.pem");
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    verify(t, "gw-rsa1024.pem", "int-a.pem", 0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "112-bit");
	assert_int_equal(
	    verify(t, "gw-sha1root.pem", NULL, 0, reason, sizeof(reason)), 0);
	trust_free(t);
}

/*
 * The certificates of the strongSwan "Azure gateway" in the integration
 * harness (tests/data/ikev2-strongswan/certs): root -> gateway directly,
 * Azure's subject and SANs.  Checked a day into their validity, since the
 * harness makes them when it runs.
 */
static void
test_chain_strongswan_gateway(void **state)
{
	struct trust *t =
	    trust_of("../ikev2-strongswan/certs/ServerRootCA.pem", NULL);
	struct trust *wrong =
	    trust_of("../ikev2-strongswan/certs/P2SRootCert.pem", NULL);
	struct cert *gw = certs_load("../ikev2-strongswan/certs/gateway.pem");
	char reason[CERT_REASON_LEN];
	time_t nb = 0;

	assert_int_equal(cert_validity(gw, &nb, NULL), 0);
	assert_int_equal(cert_verify_gateway(t, gw, NULL, 0, GW_HOST,
			     nb + 86400, reason, sizeof(reason)),
	    0);
	assert_int_equal(
	    cert_verify_gateway(t, gw, NULL, 0, GW_GUID ".vpn.azure.com",
		nb + 86400, reason, sizeof(reason)),
	    0);
	/* The client root does not vouch for the gateway. */
	assert_int_equal(cert_verify_gateway(wrong, gw, NULL, 0, GW_HOST,
			     nb + 86400, reason, sizeof(reason)),
	    -EACCES);
	cert_free(gw);
	trust_free(t);
	trust_free(wrong);
}

/* ------------------------------------------------------------------ */
/* Identity */

struct id_case {
	const char *cert;
	const char *id;
	int want;
};

static const struct id_case id_cases[] = {
	/* Azure's shape: the dialled name is a SAN, the CN is another. */
	{ "gw.pem", GW_HOST, 0 },
	{ "gw.pem",
	    "AzureGateway-3F2A9C1E-7B3D-4E8A-9C61-2D5E8F0A1B37-"
	    "5A7C9E1B3D2F.VPN.AZURE.COM",
	    0 },
	{ "gw.pem", GW_HOST ".", 0 },
	{ "gw.pem", GW_GUID ".vpn.azure.com", 0 },
	{ "gw.pem", "azuregateway-other.vpn.azure.com", -EACCES },
	{ "gw.pem", "vpn.azure.com", -EACCES },
	/* Several names, any case. */
	{ "gw-multi.pem", "a.example.net", 0 },
	{ "gw-multi.pem", "b.example.net", 0 },
	{ "gw-multi.pem", "C.EXAMPLE.ORG", 0 },
	{ "gw-multi.pem", "d.example.net", -EACCES },
	{ "gw-multi.pem", "a.example.ne", -EACCES },
	{ "gw-multi.pem", "aa.example.net", -EACCES },
	/* The CN does not count when there is a dNSName. */
	{ "gw-multi.pem", "multi.example.net", -EACCES },
	/* A wildcard is one whole label, exactly one. */
	{ "gw-wild.pem", "a.gw.example.net", 0 },
	{ "gw-wild.pem", "A-1.GW.Example.Net", 0 },
	{ "gw-wild.pem", "gw.example.net", -EACCES },
	{ "gw-wild.pem", "a.b.gw.example.net", -EACCES },
	{ "gw-wild.pem", "a.gw.example.net.evil", -EACCES },
	{ "gw-wild.pem", "wild.example.net", -EACCES },
	/* Partial-label wildcards, a wildcard over a TLD, a wildcard not
	 * on the left, two of them: none matches anything. */
	{ "gw-partial.pem", "gw1.example.net", -EACCES },
	{ "gw-partial.pem", "gw.example.net", -EACCES },
	{ "gw-partial.pem", "example.net", -EACCES },
	{ "gw-partial.pem", "foo.example.net", -EACCES },
	{ "gw-partial.pem", "fo.example.net", -EACCES },
	{ "gw-partial.pem", "www.a.example.net", -EACCES },
	{ "gw-partial.pem", "a.b.example.net", -EACCES },
	{ "gw-partial.pem", "partial.example.net", -EACCES },
	/* No SAN: the CN stands in. */
	{ "gw-cn.pem", "gw.example.net", 0 },
	{ "gw-cn.pem", "GW.Example.NET.", 0 },
	{ "gw-cn.pem", "x.gw.example.net", -EACCES },
	{ "gw-cn.pem", "192.0.2.10", -EACCES },
	/* Addresses match iPAddress only; the CN still stands in for a
	 * host name, as the SAN has no dNSName. */
	{ "gw-ip.pem", "192.0.2.10", 0 },
	{ "gw-ip.pem", "2001:db8::10", 0 },
	{ "gw-ip.pem", "2001:0DB8:0:0:0:0:0:10", 0 },
	{ "gw-ip.pem", "192.0.2.11", -EACCES },
	{ "gw-ip.pem", "::ffff:192.0.2.10", -EACCES },
	{ "gw-ip.pem", "ip.example.net", 0 },
	/* Not a host name or address: a configuration error, not a
	 * mismatch.  IDNA is not done: U-labels are refused, A-labels are
	 * plain ASCII labels. */
	{ "gw-wild.pem", "*.gw.example.net", -EINVAL },
	{ "gw-wild.pem", ".gw.example.net", -EINVAL },
	{ "gw-wild.pem", "a..gw.example.net", -EINVAL },
	{ "gw-wild.pem", "", -EINVAL },
	{ "gw-wild.pem",
	    "b\xc3\xbc"
	    "cher.gw.example.net",
	    -EINVAL },
	{ "gw-wild.pem", "a.gw.example.net/x", -EINVAL },
	{ "gw-wild.pem", "xn--bcher-kva.gw.example.net", 0 },
};

static void
test_identity_table(void **state)
{
	char reason[CERT_REASON_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(id_cases); i++) {
		const struct id_case *c = &id_cases[i];
		struct cert *cert = certs_load(c->cert);
		int r = cert_match_id(cert, c->id, reason, sizeof(reason));

		if (r != c->want)
			fail_msg("%s vs \"%s\": %d, want %d", c->cert, c->id, r,
			    c->want);
		cert_free(cert);
	}
}

static void
test_identity_long_labels(void **state)
{
	struct cert *c = certs_load("gw-wild.pem");
	char id[300];

	/* 63 is the longest label, 253 the longest name. */
	memset(id, 'a', 63);
	(void)snprintf(id + 63, sizeof(id) - 63, ".gw.example.net");
	assert_int_equal(cert_match_id(c, id, NULL, 0), 0);
	memset(id, 'a', 64);
	(void)snprintf(id + 64, sizeof(id) - 64, ".gw.example.net");
	assert_int_equal(cert_match_id(c, id, NULL, 0), -EINVAL);
	/* 254 characters, no trailing dot. */
	for (size_t i = 0; i < 254; i += 2)
		memcpy(id + i, "a.", 2);
	id[253] = 'a';
	id[254] = '\0';
	assert_int_equal(cert_match_id(c, id, NULL, 0), -EINVAL);
	assert_int_equal(cert_match_id(c, NULL, NULL, 0), -EINVAL);
	cert_free(c);
}

/* The message lists what the certificate is for, so the user can fix
 * gateway.id. */
static void
test_identity_reason(void **state)
{
	struct cert *gw = certs_load("gw.pem");
	struct cert *cn = certs_load("gw-cn.pem");
	struct cert *ip = certs_load("gw-ip.pem");
	char reason[CERT_REASON_LEN];

	assert_int_equal(
	    cert_match_id(gw, "wrong.example.net", reason, sizeof(reason)),
	    -EACCES);
	assert_contains(
	    reason, "DNS:" GW_HOST ", DNS:" GW_GUID ".vpn.azure.com");
	assert_contains(reason, "\"wrong.example.net\" (gateway.id)");
	assert_contains(reason, "set gateway.id");
	assert_int_equal(
	    cert_match_id(cn, "wrong.example.net", reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "CN=gw.example.net");
	assert_int_equal(
	    cert_match_id(ip, "wrong.example.net", reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason,
	    "IP:192.0.2.10, IP:2001:db8::10, "
	    "CN=ip.example.net");
	/* A short buffer truncates, never overflows. */
	memset(reason, 'x', sizeof(reason));
	assert_int_equal(
	    cert_match_id(gw, "wrong.example.net", reason, 8), -EACCES);
	assert_int_equal(strlen(reason), 7);
	cert_free(gw);
	cert_free(cn);
	cert_free(ip);
}

/* Chain first, then the name: a certificate from the wrong CA is
 * reported as such, never as "set gateway.id to ...". */
static void
test_verify_gateway(void **state)
{
	struct trust *t = trust_of("root-a.pem", NULL);
	struct cert *gw = certs_load("gw.pem"), *ia = certs_load("int-a.pem");
	struct cert *wrong = certs_load("gw-wrongca.pem");
	const struct cert *v[1] = { ia };
	char reason[CERT_REASON_LEN];

	assert_int_equal(cert_verify_gateway(
			     t, gw, v, 1, GW_HOST, 0, reason, sizeof(reason)),
	    0);
	assert_int_equal(cert_verify_gateway(t, gw, v, 1, "other.example.net",
			     0, reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "gateway.id");
	assert_int_equal(cert_verify_gateway(t, wrong, v, 1, "x.example.net", 0,
			     reason, sizeof(reason)),
	    -EACCES);
	assert_contains(reason, "not among the profile's gateway roots");
	assert_null(strstr(reason, "gateway.id"));
	assert_int_equal(
	    cert_verify_gateway(t, gw, v, 1, GW_HOST, 0, NULL, 0), 0);
	cert_free(gw);
	cert_free(ia);
	cert_free(wrong);
	trust_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_ok),
		cmocka_unit_test(test_chain_anchor_forms),
		cmocka_unit_test(test_chain_wrong_root),
		cmocka_unit_test(test_chain_missing_intermediate),
		cmocka_unit_test(test_chain_no_system_store),
		cmocka_unit_test(test_chain_time),
		cmocka_unit_test(test_chain_retired_root),
		cmocka_unit_test(test_chain_length),
		cmocka_unit_test(test_chain_forged),
		cmocka_unit_test(test_chain_leaf_usage),
		cmocka_unit_test(test_chain_strict),
		cmocka_unit_test(test_chain_strength),
		cmocka_unit_test(test_chain_strongswan_gateway),
		cmocka_unit_test(test_identity_table),
		cmocka_unit_test(test_identity_long_labels),
		cmocka_unit_test(test_identity_reason),
		cmocka_unit_test(test_verify_gateway),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
