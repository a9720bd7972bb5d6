/* SPDX-License-Identifier: ISC */
/*
 * test_crypto_sig.c: IKE AUTH signatures.  Known answers from two
 * independent signers: the openssl CLI (mkcerts.sh signed the same octets
 * as RFC 7427 AUTH data, and with method 1) and real strongSwan 5.9.8
 * exchanges (tests/data/ikev2-strongswan: both AUTH payloads of IKE_AUTH,
 * their signed octets rebuilt per RFC 7296 2.15 from the captured
 * messages and logged keys, and the CERTREQ the gateway sent).  Then round
 * trips through our own signer for every key type and method, tampering
 * (one octet of the message or of the signature), an AlgorithmIdentifier
 * that names another key type, the SIGNATURE_HASH_ALGORITHMS notify, the
 * choice of method, and malformed AlgorithmIdentifiers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "caps.h"
#include "cert.h"
#include "certs.h"
#include "crypto_sig.h"
#include "ike.h"
#include "wire.h"

/*
 * sha256WithRSAEncryption with NULL parameters (RFC 4055 5, RFC 7427
 * appendix A), and RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 as
 * OpenSSL encodes it in a certificate (DER leaves the default trailer out).
 */
static const uint8_t algid_rsa_sha256[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86,
	0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
static const uint8_t algid_pss_sha256[] = { 0x30, 0x41, 0x06, 0x09, 0x2a, 0x86,
	0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01,
	0x20 };
/* The same with MGF1 over SHA-1. */
static const uint8_t algid_pss_mgf1_sha1[] = { 0x30, 0x3d, 0x06, 0x09, 0x2a,
	0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x30, 0xa0, 0x0f,
	0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
	0x01, 0x05, 0x00, 0xa1, 0x18, 0x30, 0x16, 0x06, 0x09, 0x2a, 0x86, 0x48,
	0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
	0x03, 0x02, 0x1a, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x20 };
static const uint8_t algid_ecdsa_sha256[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a,
	0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };

static uint8_t octets[1024];
static size_t octets_len;

static int
setup(void **state)
{
	octets_len = certs_read("sig/octets.bin", octets, sizeof(octets));
	return octets_len > 0 ? 0 : -1;
}

static int
verify_file(const char *cert_name, enum ike_auth_method method,
    const char *auth_name, size_t flip)
{
	uint8_t data[2048], msg[1024];
	size_t n = certs_read(auth_name, data, sizeof(data));
	struct cert *c = certs_load(cert_name);
	struct rd d = rd_make(data, n), o;
	char reason[CERT_REASON_LEN];
	int r;

	memcpy(msg, octets, octets_len);
	if (flip != SIZE_MAX)
		msg[flip] ^= 0x80;
	o = rd_make(msg, octets_len);
	r = crypto_sig_verify(c, method, &d, &o, reason, sizeof(reason));
	cert_free(c);
	return r;
}

/* ------------------------------------------------------------------ */
/* Known answers: the openssl CLI signed, we verify */

static void
test_kat_openssl(void **state)
{
	static const struct {
		const char *cert;
		enum ike_auth_method method;
		const char *auth;
	} kats[] = {
		{ "gw.pem", IKE_AUTH_DIGITAL_SIGNATURE, "sig/rsa-sha256.auth" },
		{ "gw.pem", IKE_AUTH_DIGITAL_SIGNATURE, "sig/rsa-sha512.auth" },
		{ "gw.pem", IKE_AUTH_DIGITAL_SIGNATURE,
		    "sig/rsa-pss-sha256.auth" },
		{ "gw-ec256.pem", IKE_AUTH_DIGITAL_SIGNATURE,
		    "sig/ecdsa-p256-sha256.auth" },
		{ "gw-ec384.pem", IKE_AUTH_DIGITAL_SIGNATURE,
		    "sig/ecdsa-p384-sha384.auth" },
		{ "gw-ed25519.pem", IKE_AUTH_DIGITAL_SIGNATURE,
		    "sig/ed25519.auth" },
		{ "gw.pem", IKE_AUTH_RSA_SIG, "sig/rsa-sha1.method1" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(kats); i++) {
		int good = verify_file(
		    kats[i].cert, kats[i].method, kats[i].auth, SIZE_MAX);
		int first =
		    verify_file(kats[i].cert, kats[i].method, kats[i].auth, 0);
		int last = verify_file(
		    kats[i].cert, kats[i].method, kats[i].auth, octets_len - 1);

		if (good != 0 || first != -EACCES || last != -EACCES)
			fail_msg("%s: %d, tampered %d %d", kats[i].auth, good,
			    first, last);
	}
}

/* The signature itself tampered: every algorithm says no. */
static void
test_kat_tampered_signature(void **state)
{
	uint8_t data[2048];
	size_t n = certs_read("sig/rsa-pss-sha256.auth", data, sizeof(data));
	struct cert *c = certs_load("gw.pem");
	struct rd o = rd_make(octets, octets_len), d;

	data[n - 1] ^= 0x01;
	d = rd_make(data, n);
	assert_int_equal(
	    crypto_sig_verify(c, IKE_AUTH_DIGITAL_SIGNATURE, &d, &o, NULL, 0),
	    -EACCES);
	/* Truncated by one octet. */
	data[n - 1] ^= 0x01;
	d = rd_make(data, n - 1);
	assert_int_equal(
	    crypto_sig_verify(c, IKE_AUTH_DIGITAL_SIGNATURE, &d, &o, NULL, 0),
	    -EACCES);
	cert_free(c);
}

/* The AlgorithmIdentifier and the key must agree; so must the method. */
static void
test_key_type_mismatch(void **state)
{
	char reason[CERT_REASON_LEN];
	uint8_t data[2048];
	size_t n;
	struct cert *ec = certs_load("gw-ec256.pem");
	struct rd d, o = rd_make(octets, octets_len);

	/* An RSA AlgorithmIdentifier with an ECDSA certificate... */
	assert_int_equal(verify_file("gw-ec256.pem", IKE_AUTH_DIGITAL_SIGNATURE,
			     "sig/rsa-sha256.auth", SIZE_MAX),
	    -EPROTO);
	/* ...ECDSA, Ed25519 with RSA... */
	assert_int_equal(verify_file("gw.pem", IKE_AUTH_DIGITAL_SIGNATURE,
			     "sig/ecdsa-p256-sha256.auth", SIZE_MAX),
	    -EPROTO);
	assert_int_equal(verify_file("gw.pem", IKE_AUTH_DIGITAL_SIGNATURE,
			     "sig/ed25519.auth", SIZE_MAX),
	    -EPROTO);
	/* ...Ed25519 with ECDSA, method 1 with ECDSA. */
	assert_int_equal(verify_file("gw-ec384.pem", IKE_AUTH_DIGITAL_SIGNATURE,
			     "sig/ed25519.auth", SIZE_MAX),
	    -EPROTO);
	assert_int_equal(verify_file("gw-ec256.pem", IKE_AUTH_RSA_SIG,
			     "sig/rsa-sha1.method1", SIZE_MAX),
	    -EPROTO);
	/* Method 10 (P-384) with a P-256 key. */
	n = certs_read("sig/rsa-sha1.method1", data, sizeof(data));
	d = rd_make(data, 96);
	assert_true(n >= 96);
	assert_int_equal(crypto_sig_verify(ec, IKE_AUTH_ECDSA_384, &d, &o,
			     reason, sizeof(reason)),
	    -EPROTO);
	assert_non_null(strstr(reason, "certificate's key is EC"));
	cert_free(ec);
}

/* ------------------------------------------------------------------ */
/* Known answers: strongSwan 5.9.8 signed, we verify */

struct capture {
	char dir[512];
	uint8_t keys[32768]; /* keys.txt */
	size_t keys_len;
};

static size_t
capture_file(
    const struct capture *cap, const char *name, uint8_t *buf, size_t len)
{
	char path[1024];

	(void)snprintf(
	    path, sizeof(path), "../ikev2-strongswan/%s/%s", cap->dir, name);
	return certs_read(path, buf, len);
}

/* A hex value of keys.txt ("name=hex"); returns its length in bytes. */
static size_t
capture_key(
    const struct capture *cap, const char *name, uint8_t *out, size_t cap_len)
{
	char pat[64];
	const char *p, *end = (const char *)cap->keys + cap->keys_len;
	size_t n = 0;

	(void)snprintf(pat, sizeof(pat), "\n%s=", name);
	p = memmem(cap->keys, cap->keys_len, pat, strlen(pat));
	assert_non_null(p);
	for (p += strlen(pat); p + 1 < end && p[0] != '\n'; p += 2) {
		unsigned int v;

		assert_true(n < cap_len);
		assert_int_equal(sscanf(p, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static int
capture_num(const struct capture *cap, const char *name)
{
	char pat[64];
	const char *p;

	(void)snprintf(pat, sizeof(pat), "\n%s=", name);
	p = memmem(cap->keys, cap->keys_len, pat, strlen(pat));
	assert_non_null(p);
	return atoi(p + strlen(pat));
}

/* The messages of messages.txt: numbers of the last IKE_SA_INIT request
 * and response, and of the IKE_AUTH message-ID 1 fragments. */
struct capture_msgs {
	int init_i, init_r;
	int auth_i[4], auth_r[4];
	size_t n_auth_i, n_auth_r;
};

static void
capture_messages(const struct capture *cap, struct capture_msgs *m)
{
	uint8_t text[8192];
	size_t len = capture_file(cap, "messages.txt", text, sizeof(text) - 1);
	char *line, *save = NULL;

	text[len] = '\0';
	memset(m, 0, sizeof(*m));
	m->init_i = m->init_r = -1;
	for (line = strtok_r((char *)text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		int nn, mid;
		char dir, xchg[32];

		if (sscanf(line, "%d %c %31s %d", &nn, &dir, xchg, &mid) != 4)
			continue;
		if (strcmp(xchg, "IKE_SA_INIT") == 0)
			*(dir == 'i' ? &m->init_i : &m->init_r) = nn;
		else if (strcmp(xchg, "IKE_AUTH") == 0 && mid == 1 &&
		    dir == 'i' && m->n_auth_i < 4)
			m->auth_i[m->n_auth_i++] = nn;
		else if (strcmp(xchg, "IKE_AUTH") == 0 && mid == 1 &&
		    dir == 'r' && m->n_auth_r < 4)
			m->auth_r[m->n_auth_r++] = nn;
	}
	assert_true(m->init_i >= 0 && m->init_r >= 0);
	assert_true(m->n_auth_i > 0 && m->n_auth_r > 0);
}

static size_t
capture_msg(
    const struct capture *cap, int nn, char dir, uint8_t *buf, size_t len)
{
	char name[32];

	(void)snprintf(name, sizeof(name), "msg-%02d-%c.bin", nn, dir);
	return capture_file(cap, name, buf, len);
}

/* The decrypted inner payloads of one message (its fragments joined), and
 * the type of the first, from the SK/SKF header of the first fragment. */
static size_t
capture_inner(const struct capture *cap, const int *nns, size_t n, char dir,
    uint8_t *out, size_t len, uint8_t *ret_first)
{
	uint8_t msg[2048];
	size_t total = 0;

	assert_true(capture_msg(cap, nns[0], dir, msg, sizeof(msg)) > 32);
	assert_true(msg[16] == IKE_PLD_SK || msg[16] == IKE_PLD_SKF);
	*ret_first = msg[28];
	for (size_t i = 0; i < n; i++) {
		char key[32];

		(void)snprintf(key, sizeof(key), "plain_%02d", nns[i]);
		total += capture_key(cap, key, out + total, len - total);
	}
	return total;
}

/* A payload's body (after the generic header) in a chain that starts
 * with type first. */
static struct rd
payload_find(const uint8_t *p, size_t len, uint8_t first, uint8_t type)
{
	struct rd r = rd_make(p, len), body;
	uint8_t next = first, flags, this;
	uint16_t plen;

	while (next != 0) {
		this = next;
		assert_true(rd_u8(&r, &next) && rd_u8(&r, &flags) &&
		    rd_u16(&r, &plen) && plen >= 4 &&
		    rd_sub(&r, plen - 4, &body));
		if (this == type)
			return body;
	}
	fail_msg("payload %u not found", type);
	return r;
}

/*
 * RFC 7296 2.15: the signed octets are the peer's first message, the
 * other side's nonce, and prf(SK_p, ID') with ID' the body of the ID
 * payload.  prf is HMAC with the negotiated hash.
 */
static size_t
signed_octets(const struct capture *cap, bool responder, uint8_t *out,
    size_t len, const struct rd *id_body)
{
	struct capture_msgs m;
	uint8_t sk_p[64], mac[64];
	size_t n, sk_len, mac_len = 0;
	const char *md = capture_num(cap, "prf") == 5 ? "SHA256" : "SHA384";

	capture_messages(cap, &m);
	n = responder ? capture_msg(cap, m.init_r, 'r', out, len)
		      : capture_msg(cap, m.init_i, 'i', out, len);
	n += capture_key(cap, responder ? "ni" : "nr", out + n, len - n);
	sk_len =
	    capture_key(cap, responder ? "sk_pr" : "sk_pi", sk_p, sizeof(sk_p));
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, sk_p, sk_len,
	    id_body->p, id_body->len, mac, sizeof(mac), &mac_len));
	assert_true(n + mac_len <= len);
	memcpy(out + n, mac, mac_len);
	return n + mac_len;
}

static void
capture_open(struct capture *cap, const char *dir)
{
	(void)snprintf(cap->dir, sizeof(cap->dir), "%s", dir);
	/* A leading newline lets capture_key look for "\nname=". */
	cap->keys[0] = '\n';
	cap->keys_len = 1 +
	    capture_file(cap, "keys.txt", cap->keys + 1, sizeof(cap->keys) - 1);
}

/* Verifies one side's AUTH; also with one octet changed. */
static void
capture_verify_side(
    const struct capture *cap, bool responder, const char *cert_name)
{
	static uint8_t inner[8192], octs[4096];
	struct capture_msgs m;
	struct cert *c = certs_load(cert_name);
	char reason[CERT_REASON_LEN];
	uint8_t first;
	size_t n;
	struct rd id, auth, data, o;

	capture_messages(cap, &m);
	n = responder ? capture_inner(cap, m.auth_r, m.n_auth_r, 'r', inner,
			    sizeof(inner), &first)
		      : capture_inner(cap, m.auth_i, m.n_auth_i, 'i', inner,
			    sizeof(inner), &first);
	id = payload_find(
	    inner, n, first, responder ? IKE_PLD_IDR : IKE_PLD_IDI);
	auth = payload_find(inner, n, first, IKE_PLD_AUTH);
	n = signed_octets(cap, responder, octs, sizeof(octs), &id);
	data = rd_make(auth.p + 4, auth.len - 4);
	o = rd_make(octs, n);
	if (crypto_sig_verify(
		c, auth.p[0], &data, &o, reason, sizeof(reason)) != 0)
		fail_msg("%s %s: %s", cap->dir, cert_name, reason);
	octs[n / 2] ^= 0x04;
	assert_int_equal(
	    crypto_sig_verify(c, auth.p[0], &data, &o, NULL, 0), -EACCES);
	cert_free(c);
}

static void
test_kat_strongswan(void **state)
{
	static const char *const pubkey[] = { "gcm256-prfsha384-ecp384-pubkey",
		"cbc256-sha256-modp2048-pubkey", "cookie-invalidke-pubkey" };
	static struct capture cap;

	for (size_t i = 0; i < ARRAY_SIZE(pubkey); i++) {
		capture_open(&cap, pubkey[i]);
		capture_verify_side(
		    &cap, true, "../ikev2-strongswan/certs/gateway.pem");
		capture_verify_side(
		    &cap, false, "../ikev2-strongswan/certs/P2SChildCert.pem");
	}
	/* With EAP-TLS the gateway still signs its first AUTH. */
	capture_open(&cap, "gcm256-prfsha384-ecp384-eaptls");
	capture_verify_side(
	    &cap, true, "../ikev2-strongswan/certs/gateway.pem");
}

/* strongSwan's CERTREQ names the client root by the hash we compute, and
 * its SIGNATURE_HASH_ALGORITHMS parses. */
static void
test_kat_strongswan_certreq(void **state)
{
	static struct capture cap;
	uint8_t msg[2048], h[CERT_SPKI_HASH_LEN];
	struct capture_msgs m;
	struct cert *root =
	    certs_load("../ikev2-strongswan/certs/P2SRootCert.pem");
	struct rd req;
	bool found = false;
	size_t n;

	capture_open(&cap, "gcm256-prfsha384-ecp384-pubkey");
	capture_messages(&cap, &m);
	n = capture_msg(&cap, m.init_r, 'r', msg, sizeof(msg));
	req = payload_find(msg + 28, n - 28, msg[16], IKE_PLD_CERTREQ);
	assert_int_equal(req.p[0], IKE_CERT_X509_SIGN);
	assert_int_equal(cert_spki_sha1(root, h), 0);
	for (size_t off = 1; off + sizeof(h) <= req.len; off += sizeof(h))
		if (memcmp(req.p + off, h, sizeof(h)) == 0)
			found = true;
	assert_true(found);
	cert_free(root);
}

/* ------------------------------------------------------------------ */
/* Round trips through our signer */

static void
round_trip(const char *key_name, const char *cert_name, uint32_t peer, bool pss,
    enum ike_auth_method want_method, enum sig_scheme want_scheme,
    enum ike_hash want_hash)
{
	struct key_ref *k = certs_key(key_name);
	struct cert *c = certs_load(cert_name);
	struct sig_alg alg, parsed;
	uint8_t buf[2048];
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd o = rd_make(octets, octets_len), d, sig;

	assert_int_equal(crypto_sig_choose(k, peer, pss, &alg), 0);
	assert_int_equal(alg.method, want_method);
	assert_int_equal(alg.scheme, want_scheme);
	assert_int_equal(alg.hash, want_hash);
	assert_int_equal(crypto_sig_sign(k, &alg, &o, &w), 0);
	d = rd_make(buf, w.len);
	assert_int_equal(
	    crypto_sig_parse_auth(alg.method, &d, &parsed, &sig), 0);
	assert_int_equal(parsed.scheme, want_scheme);
	assert_int_equal(parsed.hash, want_hash);
	assert_int_equal(crypto_sig_verify(c, alg.method, &d, &o, NULL, 0), 0);
	/* One octet of the message, then one of the signature. */
	octets[octets_len / 3] ^= 0x10;
	assert_int_equal(
	    crypto_sig_verify(c, alg.method, &d, &o, NULL, 0), -EACCES);
	octets[octets_len / 3] ^= 0x10;
	buf[w.len - 2] ^= 0x01;
	assert_int_not_equal(
	    crypto_sig_verify(c, alg.method, &d, &o, NULL, 0), 0);
	key_free(k);
	cert_free(c);
}

static void
test_round_trip(void **state)
{
	const uint32_t all = SIG_HASHES_OURS;

	round_trip("gw.key", "gw.pem", all, false, IKE_AUTH_DIGITAL_SIGNATURE,
	    SIG_RSA_PKCS1, IKE_HASH_SHA2_256);
	round_trip("gw.key", "gw.pem", all, true, IKE_AUTH_DIGITAL_SIGNATURE,
	    SIG_RSA_PSS, IKE_HASH_SHA2_256);
	round_trip("gw.key", "gw.pem", SIG_HASH_BIT(IKE_HASH_SHA2_512), true,
	    IKE_AUTH_DIGITAL_SIGNATURE, SIG_RSA_PSS, IKE_HASH_SHA2_512);
	round_trip("gw-ec256.key", "gw-ec256.pem", all, false,
	    IKE_AUTH_DIGITAL_SIGNATURE, SIG_ECDSA, IKE_HASH_SHA2_256);
	round_trip("gw-ec384.key", "gw-ec384.pem", all, false,
	    IKE_AUTH_DIGITAL_SIGNATURE, SIG_ECDSA, IKE_HASH_SHA2_384);
	round_trip("gw-ed25519.key", "gw-ed25519.pem", all, false,
	    IKE_AUTH_DIGITAL_SIGNATURE, SIG_ED25519, IKE_HASH_IDENTITY);
	/* A peer without RFC 7427: the classic methods. */
	round_trip("gw.key", "gw.pem", 0, false, IKE_AUTH_RSA_SIG,
	    SIG_RSA_PKCS1, IKE_HASH_SHA1);
	round_trip("gw-ec256.key", "gw-ec256.pem", 0, false, IKE_AUTH_ECDSA_256,
	    SIG_ECDSA, IKE_HASH_SHA2_256);
	round_trip("gw-ec384.key", "gw-ec384.pem", 0, false, IKE_AUTH_ECDSA_384,
	    SIG_ECDSA, IKE_HASH_SHA2_384);
	/* The client's traditional-format keys sign too. */
	round_trip("client-ec.key", "client-ec.pem",
	    SIG_HASH_BIT(IKE_HASH_SHA2_512), false, IKE_AUTH_DIGITAL_SIGNATURE,
	    SIG_ECDSA, IKE_HASH_SHA2_512);
	round_trip("client-rsa.key", "client.pem", all, false,
	    IKE_AUTH_DIGITAL_SIGNATURE, SIG_RSA_PKCS1, IKE_HASH_SHA2_256);
}

/* What we build is byte for byte what RFC 7427 appendix A and OpenSSL
 * encode. */
static void
test_algid_bytes(void **state)
{
	static const struct {
		struct sig_alg alg;
		const uint8_t *want;
		size_t len;
	} cases[] = {
		{ { IKE_AUTH_DIGITAL_SIGNATURE, SIG_RSA_PKCS1,
		      IKE_HASH_SHA2_256, 0, 0 },
		    algid_rsa_sha256, sizeof(algid_rsa_sha256) },
		{ { IKE_AUTH_DIGITAL_SIGNATURE, SIG_RSA_PSS, IKE_HASH_SHA2_256,
		      IKE_HASH_SHA2_256, 32 },
		    algid_pss_sha256, sizeof(algid_pss_sha256) },
	};
	struct key_ref *k = certs_key("gw.key");

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t buf[1024];
		struct wr w = wr_make(buf, sizeof(buf));
		struct rd o = rd_make(octets, octets_len);

		assert_int_equal(crypto_sig_sign(k, &cases[i].alg, &o, &w), 0);
		assert_int_equal(buf[0], cases[i].len);
		assert_memory_equal(buf + 1, cases[i].want, cases[i].len);
		assert_int_equal(w.len, 1 + cases[i].len + 256);
	}
	key_free(k);
}

static void
test_sign_errors(void **state)
{
	struct key_ref *rsa = certs_key("gw.key");
	struct key_ref *ec = certs_key("gw-ec256.key");
	struct sig_alg alg = { IKE_AUTH_DIGITAL_SIGNATURE, SIG_ECDSA,
		IKE_HASH_SHA2_256, 0, 0 };
	uint8_t buf[300];
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd o = rd_make(octets, octets_len);

	/* The key cannot make what alg names. */
	assert_int_equal(crypto_sig_sign(rsa, &alg, &o, &w), -EOPNOTSUPP);
	alg.method = IKE_AUTH_ECDSA_384;
	assert_int_equal(crypto_sig_sign(ec, &alg, &o, &w), -EOPNOTSUPP);
	/* Method 1 is SHA-1 by definition; SHA-1 never goes in method 14. */
	alg = (struct sig_alg){ IKE_AUTH_RSA_SIG, SIG_RSA_PKCS1,
		IKE_HASH_SHA2_256, 0, 0 };
	assert_int_equal(crypto_sig_sign(rsa, &alg, &o, &w), -EOPNOTSUPP);
	alg = (struct sig_alg){ IKE_AUTH_DIGITAL_SIGNATURE, SIG_RSA_PKCS1,
		IKE_HASH_SHA1, 0, 0 };
	assert_int_equal(crypto_sig_sign(rsa, &alg, &o, &w), -EOPNOTSUPP);
	/* A writer too small for a 256-byte signature. */
	alg.hash = IKE_HASH_SHA2_256;
	w = wr_make(buf, 200);
	assert_int_equal(crypto_sig_sign(rsa, &alg, &o, &w), -ENOSPC);
	key_free(rsa);
	key_free(ec);
}

static void
test_choose(void **state)
{
	struct key_ref *rsa = certs_key("gw.key");
	struct key_ref *ec = certs_key("gw-ec256.key");
	struct key_ref *ed = certs_key("gw-ed25519.key");
	struct sig_alg alg;

	/* Only SHA-1 listed: RSA falls back to method 1. */
	assert_int_equal(
	    crypto_sig_choose(rsa, SIG_HASH_BIT(IKE_HASH_SHA1), false, &alg),
	    0);
	assert_int_equal(alg.method, IKE_AUTH_RSA_SIG);
	/* PSS needs RFC 7427. */
	assert_int_equal(crypto_sig_choose(rsa, 0, true, &alg), -EOPNOTSUPP);
	assert_int_equal(
	    crypto_sig_choose(rsa, SIG_HASH_BIT(IKE_HASH_SHA2_384), true, &alg),
	    0);
	assert_int_equal(alg.salt_len, 48);
	assert_int_equal(alg.mgf1_hash, IKE_HASH_SHA2_384);
	/* P-256 prefers SHA-256 but takes what the peer has. */
	assert_int_equal(
	    crypto_sig_choose(ec, SIG_HASH_BIT(IKE_HASH_SHA2_384), false, &alg),
	    0);
	assert_int_equal(alg.hash, IKE_HASH_SHA2_384);
	assert_int_equal(alg.method, IKE_AUTH_DIGITAL_SIGNATURE);
	/* Ed25519 needs the peer to list Identity (RFC 8420). */
	assert_int_equal(crypto_sig_choose(ed,
			     SIG_HASHES_OURS & ~SIG_HASH_BIT(IKE_HASH_IDENTITY),
			     false, &alg),
	    -EOPNOTSUPP);
	assert_int_equal(crypto_sig_choose(ed, 0, false, &alg), -EOPNOTSUPP);
	key_free(rsa);
	key_free(ec);
	key_free(ed);
}

/* ------------------------------------------------------------------ */
/* SIGNATURE_HASH_ALGORITHMS */

static void
test_hash_notify(void **state)
{
	static const uint8_t ours[] = { 0, 2, 0, 3, 0, 4, 0, 5 };
	static const uint8_t mixed[] = { 0, 1, 0, 2, 0x12, 0x34, 0, 31, 0, 32 };
	uint8_t buf[16];
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd r;
	uint32_t mask = 0;

	crypto_sig_build_hashes(&w);
	assert_true(wr_ok(&w));
	assert_int_equal(w.len, sizeof(ours));
	assert_memory_equal(buf, ours, sizeof(ours));
	r = rd_make(buf, w.len);
	assert_int_equal(crypto_sig_parse_hashes(&r, &mask), 0);
	assert_int_equal(mask, SIG_HASHES_OURS);
	/* Unknown numbers are ignored, not errors. */
	r = rd_make(mixed, sizeof(mixed));
	assert_int_equal(crypto_sig_parse_hashes(&r, &mask), 0);
	assert_int_equal(
	    mask, SIG_HASH_BIT(1) | SIG_HASH_BIT(2) | SIG_HASH_BIT(31));
	r = rd_make(mixed, 3);
	assert_int_equal(crypto_sig_parse_hashes(&r, &mask), -EBADMSG);
	r = rd_make(mixed, 0);
	assert_int_equal(crypto_sig_parse_hashes(&r, &mask), 0);
	assert_int_equal(mask, 0);
}

/* ------------------------------------------------------------------ */
/* Malformed and refused AlgorithmIdentifiers */

static int
parse_algid(const uint8_t *algid, size_t len, size_t sig_len)
{
	uint8_t buf[512] = { 0 };
	struct sig_alg alg;
	struct rd d, sig;

	buf[0] = (uint8_t)len;
	memcpy(buf + 1, algid, len);
	d = rd_make(buf, 1 + len + sig_len);
	return crypto_sig_parse_auth(
	    IKE_AUTH_DIGITAL_SIGNATURE, &d, &alg, &sig);
}

static void
test_algid_parse(void **state)
{
	uint8_t a[128];
	struct sig_alg alg;
	struct rd d, sig;

	assert_int_equal(
	    parse_algid(algid_rsa_sha256, sizeof(algid_rsa_sha256), 256), 0);
	assert_int_equal(
	    parse_algid(algid_pss_sha256, sizeof(algid_pss_sha256), 256), 0);
	/* No signature after it, or a length octet past the end. */
	assert_int_equal(
	    parse_algid(algid_rsa_sha256, sizeof(algid_rsa_sha256), 0),
	    -EBADMSG);
	a[0] = 200;
	d = rd_make(a, 20);
	assert_int_equal(
	    crypto_sig_parse_auth(IKE_AUTH_DIGITAL_SIGNATURE, &d, &alg, &sig),
	    -EBADMSG);
	/* Absent parameters are fine for PKCS#1 v1.5 too. */
	memcpy(a, "\x30\x0b\x06\x09", 4);
	memcpy(a + 4, algid_rsa_sha256 + 4, 9);
	assert_int_equal(parse_algid(a, 13, 256), 0);
	/* sha1WithRSAEncryption: known, refused (RFC 8247). */
	memcpy(a, algid_rsa_sha256, sizeof(algid_rsa_sha256));
	a[12] = 0x05;
	assert_int_equal(
	    parse_algid(a, sizeof(algid_rsa_sha256), 256), -EOPNOTSUPP);
	/* An OID we do not know (md5WithRSAEncryption). */
	a[12] = 0x04;
	assert_int_equal(
	    parse_algid(a, sizeof(algid_rsa_sha256), 256), -EOPNOTSUPP);
	/* ECDSA must not carry parameters, not even NULL. */
	memcpy(a, algid_ecdsa_sha256, sizeof(algid_ecdsa_sha256));
	a[1] += 2;
	memcpy(a + sizeof(algid_ecdsa_sha256), "\x05\x00", 2);
	assert_int_equal(
	    parse_algid(a, sizeof(algid_ecdsa_sha256) + 2, 64), -EBADMSG);
	/* Trailing bytes after the SEQUENCE inside the declared length. */
	memcpy(a, algid_ecdsa_sha256, sizeof(algid_ecdsa_sha256));
	a[sizeof(algid_ecdsa_sha256)] = 0;
	assert_int_equal(
	    parse_algid(a, sizeof(algid_ecdsa_sha256) + 1, 64), -EBADMSG);
	/* A non-minimal length (0x81 0x0a) is not DER. */
	memcpy(a, "\x30\x81\x0a", 3);
	memcpy(a + 3, algid_ecdsa_sha256 + 2, 10);
	assert_int_equal(parse_algid(a, 13, 64), -EBADMSG);
	/* Indefinite length. */
	a[1] = 0x80;
	assert_int_equal(parse_algid(a, 13, 64), -EBADMSG);
}

static void
test_algid_pss_params(void **state)
{
	uint8_t a[128];
	size_t n = sizeof(algid_pss_sha256);

	/* Default parameters mean SHA-1: refused. */
	static const uint8_t pss_default[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a,
		0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x00 };
	assert_int_equal(
	    parse_algid(pss_default, sizeof(pss_default), 256), -EOPNOTSUPP);
	/* No parameters at all. */
	memcpy(a, pss_default, 13);
	a[1] = 0x0b;
	assert_int_equal(parse_algid(a, 13, 256), -EBADMSG);
	/* MGF1 with SHA-1 while the hash is SHA-256: refused. */
	assert_int_equal(
	    parse_algid(algid_pss_mgf1_sha1, sizeof(algid_pss_mgf1_sha1), 256),
	    -EOPNOTSUPP);
	/* MGF1 with a hash we do not know (sha256's OID, last arc 0x1a). */
	memcpy(a, algid_pss_sha256, n);
	a[59] = 0x1a;
	assert_int_equal(parse_algid(a, n, 256), -EOPNOTSUPP);
	/* A trailer field of 2. */
	memcpy(a, algid_pss_sha256, n);
	memcpy(a + n, "\xa3\x03\x02\x01\x02", 5);
	a[1] += 5;
	a[14] += 5;
	assert_int_equal(parse_algid(a, n + 5, 256), -EBADMSG);
	/* Trailer 1 spelled out is fine. */
	a[n + 4] = 1;
	assert_int_equal(parse_algid(a, n + 5, 256), 0);
	/* A negative salt length. */
	memcpy(a, algid_pss_sha256, n);
	a[n - 1] = 0x80;
	assert_int_equal(parse_algid(a, n, 256), -EBADMSG);
}

static void
test_method_other(void **state)
{
	uint8_t buf[64] = { 0 };
	struct rd d = rd_make(buf, sizeof(buf)), sig;
	struct sig_alg alg;

	assert_int_equal(
	    crypto_sig_parse_auth(IKE_AUTH_SHARED_KEY_MIC, &d, &alg, &sig),
	    -EOPNOTSUPP);
	assert_int_equal(
	    crypto_sig_parse_auth(IKE_AUTH_DSS_SIG, &d, &alg, &sig),
	    -EOPNOTSUPP);
	/* Method 9 wants exactly 64 octets of r | s. */
	assert_int_equal(
	    crypto_sig_parse_auth(IKE_AUTH_ECDSA_256, &d, &alg, &sig), 0);
	assert_int_equal(alg.hash, IKE_HASH_SHA2_256);
	struct cert *c = certs_load("gw-ec256.pem");
	struct rd o = rd_make(octets, octets_len);
	d = rd_make(buf, 63);
	assert_int_equal(
	    crypto_sig_verify(c, IKE_AUTH_ECDSA_256, &d, &o, NULL, 0),
	    -EBADMSG);
	cert_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat_openssl),
		cmocka_unit_test(test_kat_tampered_signature),
		cmocka_unit_test(test_key_type_mismatch),
		cmocka_unit_test(test_kat_strongswan),
		cmocka_unit_test(test_kat_strongswan_certreq),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_algid_bytes),
		cmocka_unit_test(test_sign_errors),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_hash_notify),
		cmocka_unit_test(test_algid_parse),
		cmocka_unit_test(test_algid_pss_params),
		cmocka_unit_test(test_method_other),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
