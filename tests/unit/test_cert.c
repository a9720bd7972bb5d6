/* SPDX-License-Identifier: ISC */
/*
 * test_cert.c: every loader on every format (PEM and DER certificates, PEM
 * bundles in any order, PKCS#8 / traditional RSA / traditional EC / DER
 * keys, PKCS#12 from modern and legacy Windows exports and with an empty
 * password), the errors a user sees (encrypted key, wrong password, key
 * and certificate that do not match, the legacy provider missing), and
 * the facts p2sctl prints, each compared with what the openssl CLI
 * computed when mkcerts.sh ran: thumbprint, PublicCertData, notAfter,
 * CERTREQ hashes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "caps.h"
#include "cert.h"
#include "certs.h"
#include "wire.h"

static const char p12_password[] = "p2s-test";

static void
assert_subject(const struct cert *c, const char *want)
{
	char buf[512];

	assert_int_equal(cert_subject(c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void
assert_same_der(const struct cert *a, const struct cert *b)
{
	struct rd da = cert_der(a), db = cert_der(b);

	assert_true(rd_eq(&da, &db));
}

/* ------------------------------------------------------------------ */
/* Certificates */

static void
test_load_pem_and_der(void **state)
{
	struct cert *pem = certs_load("client.pem");
	struct cert *der = certs_load("client.der");
	uint8_t raw[4096];
	size_t n = certs_read("client.der", raw, sizeof(raw));
	struct rd want = rd_make(raw, n), got = cert_der(pem);

	assert_true(rd_eq(&want, &got));
	assert_same_der(pem, der);
	assert_subject(pem, "CN=P2SChildCert");
	assert_int_equal(cert_chain_len(pem), 0);
	assert_null(cert_chain_at(pem, 0));
	cert_free(pem);
	cert_free(der);
}

/* A CERT payload is exactly one certificate: no more, no less. */
static void
test_load_der_exact(void **state)
{
	uint8_t raw[CERT_MAX_LEN + 2];
	size_t n = certs_read("client.der", raw, sizeof(raw));
	struct cert *c = NULL;
	struct rd r;

	r = rd_make(raw, n);
	assert_int_equal(cert_load_der(&r, &c), 0);
	cert_free(c);
	c = NULL;
	r = rd_make(raw, n - 1);
	assert_int_equal(cert_load_der(&r, &c), -EBADMSG);
	raw[n] = 0;
	r = rd_make(raw, n + 1);
	assert_int_equal(cert_load_der(&r, &c), -EBADMSG);
	r = rd_make(raw + 1, n - 1);
	assert_int_equal(cert_load_der(&r, &c), -EBADMSG);
	r = rd_make(raw, 0);
	assert_int_equal(cert_load_der(&r, &c), -EBADMSG);
	memset(raw, 0x30, sizeof(raw));
	r = rd_make(raw, CERT_MAX_LEN + 1);
	assert_int_equal(cert_load_der(&r, &c), -E2BIG);
	assert_null(c);
}

static void
test_load_errors(void **state)
{
	struct cert *c = NULL;
	struct key_ref *k = NULL;

	assert_int_equal(
	    cert_load_file(certs_path("nonexistent.pem"), &c), -ENOENT);
	/* A key file is no certificate, a certificate no key. */
	assert_int_equal(
	    cert_load_file(certs_path("client.key"), &c), -EBADMSG);
	assert_int_equal(
	    cert_load_file(certs_path("client-key.der"), &c), -EBADMSG);
	assert_int_equal(key_load_file(certs_path("client.pem"), &k), -EBADMSG);
	assert_int_equal(
	    cert_load_file(certs_path("mkcerts.sh"), &c), -EBADMSG);
	assert_null(c);
	assert_null(k);
}

/* A bundle in the wrong order still becomes a path, root kept apart. */
static void
test_load_pem_bundle(void **state)
{
	struct cert *c = certs_load("client2-chain.pem");

	assert_subject(c, "CN=P2SChildCert2");
	assert_int_equal(cert_chain_len(c), 1);
	assert_subject(cert_chain_at(c, 0), "CN=P2SIntermediate");
	assert_null(cert_chain_at(c, 1));
	cert_free(c);
}

/* One file with the key and the certificate, in either order (what
 * some tools write): the certificate loads from it, the key block is
 * skipped; and the key loads from it too. */
static void
test_load_pem_with_key(void **state)
{
	static const char *const orders[2][2] = {
		{ "client.key", "client.pem" }, { "client.pem", "client.key" }
	};

	for (size_t i = 0; i < 2; i++) {
		char path[] = "/tmp/p2s-test-combined-XXXXXX";
		uint8_t a[8192], b[8192];
		size_t na = certs_read(orders[i][0], a, sizeof(a));
		size_t nb = certs_read(orders[i][1], b, sizeof(b));
		struct cert *c = NULL, *ref = certs_load("client.pem");
		struct key_ref *k = NULL;
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, a, na), (ssize_t)na);
		assert_int_equal(write(fd, b, nb), (ssize_t)nb);
		(void)close(fd);
		assert_int_equal(cert_load_file(path, &c), 0);
		assert_same_der(c, ref);
		assert_int_equal(key_load_file(path, &k), 0);
		assert_int_equal(cert_check_key(c, k), 0);
		(void)unlink(path);
		cert_free(c);
		cert_free(ref);
		key_free(k);
	}
}

/* ------------------------------------------------------------------ */
/* Keys */

static void
assert_key_pair(const char *cert_name, const char *key_name)
{
	struct cert *c = certs_load(cert_name);
	struct key_ref *k = certs_key(key_name);

	assert_int_equal(cert_check_key(c, k), 0);
	cert_free(c);
	key_free(k);
}

static void
test_key_formats(void **state)
{
	assert_key_pair("client.pem", "client.key");	   /* PKCS#8 PEM */
	assert_key_pair("client.pem", "client-rsa.key");   /* RSA PRIVATE KEY */
	assert_key_pair("client.pem", "client-key.der");   /* PKCS#8 DER */
	assert_key_pair("client-ec.pem", "client-ec.key"); /* EC PRIVATE KEY */
	assert_key_pair("gw-ed25519.pem", "gw-ed25519.key");
	assert_key_pair("gw-ec384.pem", "gw-ec384.key");
}

static void
test_key_mismatch(void **state)
{
	struct cert *c = certs_load("client.pem");
	struct cert *ec = certs_load("client-ec.pem");
	struct key_ref *other = certs_key("other.key");
	struct key_ref *eck = certs_key("client-ec.key");

	assert_int_equal(cert_check_key(c, other), -EKEYREJECTED);
	assert_int_equal(cert_check_key(c, eck), -EKEYREJECTED);
	assert_int_equal(cert_check_key(ec, other), -EKEYREJECTED);
	cert_free(c);
	cert_free(ec);
	key_free(other);
	key_free(eck);
}

/* Encrypted PEM keys are refused (there is nobody to ask), both the
 * PKCS#8 and the traditional "Proc-Type: 4,ENCRYPTED" forms. */
static void
test_key_encrypted(void **state)
{
	struct key_ref *k = NULL;

	assert_int_equal(
	    key_load_file(certs_path("client-enc.key"), &k), -EKEYREJECTED);
	assert_int_equal(
	    key_load_file(certs_path("client-enc-rsa.key"), &k), -EKEYREJECTED);
	assert_null(k);
}

/* ------------------------------------------------------------------ */
/* PKCS#12 */

static void
assert_p12(const char *name, const char *password, const char *want_cert)
{
	struct cert *c = NULL, *ref = certs_load(want_cert);
	struct key_ref *k = NULL;

	assert_int_equal(cert_load_p12(certs_path(name), password, &c, &k), 0);
	assert_same_der(c, ref);
	assert_int_equal(cert_check_key(c, k), 0);
	cert_free(c);
	cert_free(ref);
	key_free(k);
}

static void
test_p12_aes(void **state)
{
	assert_p12("client-aes.p12", p12_password, "client.pem");
}

static void
test_p12_legacy(void **state)
{
	/* RC2-40 and 3DES: only with the legacy provider, on demand. */
	assert_p12("client-legacy.p12", p12_password, "client.pem");
}

/* No password, in both encodings a caller may hand over. */
static void
test_p12_empty_password(void **state)
{
	assert_p12("client-empty.p12", NULL, "client.pem");
	assert_p12("client-empty.p12", "", "client.pem");
}

static void
test_p12_wrong_password(void **state)
{
	struct cert *c = NULL;
	struct key_ref *k = NULL;

	assert_int_equal(
	    cert_load_p12(certs_path("client-aes.p12"), "wrong", &c, &k),
	    -EACCES);
	assert_int_equal(
	    cert_load_p12(certs_path("client-legacy.p12"), "", &c, &k),
	    -EACCES);
	assert_int_equal(
	    cert_load_p12(certs_path("client-empty.p12"), "x", &c, &k),
	    -EACCES);
	assert_int_equal(
	    cert_load_p12(certs_path("client-aes.p12"), NULL, &c, &k), -EACCES);
	assert_int_equal(
	    cert_load_p12(certs_path("client.pem"), "", &c, &k), -EBADMSG);
	assert_null(c);
	assert_null(k);
}

static void
test_p12_chain(void **state)
{
	struct cert *c = NULL;
	struct key_ref *k = NULL;

	assert_int_equal(cert_load_p12(certs_path("client2-chain.p12"),
			     p12_password, &c, &k),
	    0);
	assert_subject(c, "CN=P2SChildCert2");
	assert_int_equal(cert_chain_len(c), 1);
	assert_subject(cert_chain_at(c, 0), "CN=P2SIntermediate");
	cert_free(c);
	key_free(k);
}

/*
 * Without OpenSSL's legacy provider the old exports cannot be read; the
 * loader must say so rather than blame the password.  Pointing
 * OPENSSL_MODULES elsewhere hides the provider from the private context.
 */
static void
test_p12_legacy_provider_missing(void **state)
{
	const char *old = getenv("OPENSSL_MODULES");
	char *saved = old != NULL ? strdup(old) : NULL;
	struct cert *c = NULL;
	struct key_ref *k = NULL;
	int r;

	assert_int_equal(setenv("OPENSSL_MODULES", "/nonexistent", 1), 0);
	r = cert_load_p12(
	    certs_path("client-legacy.p12"), p12_password, &c, &k);
	if (saved != NULL)
		assert_int_equal(setenv("OPENSSL_MODULES", saved, 1), 0);
	else
		assert_int_equal(unsetenv("OPENSSL_MODULES"), 0);
	free(saved);
	assert_int_equal(r, -EOPNOTSUPP);
	assert_null(c);
	/* And with the provider back it loads again. */
	assert_p12("client-legacy.p12", p12_password, "client.pem");
}

/* ------------------------------------------------------------------ */
/* Password files */

static void
assert_password(const char *content, size_t len, const char *want)
{
	char path[] = "/tmp/p2s-test-pw-XXXXXX";
	struct buf *b = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	(void)close(fd);
	assert_int_equal(cert_read_password(path, &b), 0);
	(void)unlink(path);
	assert_true(b->secret);
	assert_int_equal(b->len, strlen(want));
	assert_string_equal((const char *)b->p, want);
	buf_free(b);
}

static void
test_password_file(void **state)
{
	char big[CERT_MAX_PASSWORD_LEN + 2];
	char path[] = "/tmp/p2s-test-pw-XXXXXX";
	struct buf *b = NULL;
	int fd;

	assert_password("p2s-test\n", 9, "p2s-test");
	assert_password("p2s-test\r\n", 10, "p2s-test");
	assert_password("p2s-test", 8, "p2s-test");
	assert_password("first\nsecond\n", 13, "first");
	assert_password("", 0, "");
	assert_password("with space \n", 12, "with space ");
	memset(big, 'x', sizeof(big));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	(void)close(fd);
	assert_int_equal(cert_read_password(path, &b), -E2BIG);
	(void)unlink(path);
	assert_null(b);
	assert_int_equal(
	    cert_read_password(certs_path("nonexistent"), &b), -ENOENT);
}

/* ------------------------------------------------------------------ */
/* Facts, each against the openssl CLI's answer */

/* "sha1 Fingerprint=C4:56:..." -> "c456..." */
static void
fingerprint_to_thumbprint(const char *line, char *out)
{
	const char *p = strchr(line, '=');
	size_t n = 0;

	assert_non_null(p);
	for (p++; *p != '\0'; p++)
		if (*p != ':')
			out[n++] =
			    (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
	out[n] = '\0';
}

static void
test_thumbprint(void **state)
{
	const char *names[] = { "client", "root-a" };

	for (size_t i = 0; i < 2; i++) {
		char file[64], line[256], want[64];
		char got[CERT_THUMBPRINT_LEN + 1];
		struct cert *c;

		(void)snprintf(file, sizeof(file), "%s.pem", names[i]);
		c = certs_load(file);
		(void)snprintf(file, sizeof(file), "%s.fingerprint", names[i]);
		certs_line(file, line, sizeof(line));
		fingerprint_to_thumbprint(line, want);
		assert_int_equal(cert_thumbprint(c, got), 0);
		assert_string_equal(got, want);
		assert_int_equal(strlen(got), CERT_THUMBPRINT_LEN);
		cert_free(c);
	}
}

/* The two roots Azure ships, against the thumbprints its own packages
 * record (azure-p2s-facts.md 3.1). */
static void
test_thumbprint_azure_roots(void **state)
{
	struct cert *g2 = certs_load("digicert-global-root-g2.crt");
	struct cert *ca = certs_load("digicert-global-root-ca.crt");
	char got[CERT_THUMBPRINT_LEN + 1];

	assert_int_equal(cert_thumbprint(g2, got), 0);
	assert_string_equal(got, "df3c24f9bfd666761b268073fe06d1cc8d4f82a4");
	assert_int_equal(cert_thumbprint(ca, got), 0);
	assert_string_equal(got, "a8985d3a65e5e5c4b2d7d66d40c6dd2fb19c5436");
	cert_free(g2);
	cert_free(ca);
}

static void
test_base64(void **state)
{
	struct cert *c = certs_load("root-a.der");
	char want[8192], *got = NULL;

	certs_line("root-a.b64", want, sizeof(want));
	assert_int_equal(cert_base64(c, &got), 0);
	assert_string_equal(got, want);
	assert_null(strchr(got, '\n'));
	free(got);
	cert_free(c);
}

static void
test_validity(void **state)
{
	struct cert *c = certs_load("client.pem");
	struct cert *old = certs_load("gw-expired.pem");
	char line[64];
	time_t nb = 0, na = 0;

	assert_int_equal(cert_validity(c, &nb, &na), 0);
	certs_line("client.notafter", line, sizeof(line));
	assert_true(na == (time_t)strtoll(line, NULL, 10));
	assert_true(nb == (time_t)1577836800); /* 2020-01-01 */
	assert_int_equal(cert_validity(old, NULL, &na), 0);
	certs_line("gw-expired.notafter", line, sizeof(line));
	assert_true(na == (time_t)strtoll(line, NULL, 10));
	cert_free(c);
	cert_free(old);
}

static void
test_names(void **state)
{
	struct cert *c = certs_load("client.pem");
	struct cert *gw = certs_load("gw-multi.pem");
	struct cert *cn = certs_load("gw-cn.pem");
	struct cert *ip = certs_load("gw-ip.pem");
	char *s = NULL, **v = NULL, buf[256];

	assert_int_equal(cert_get_cn(c, &s), 0);
	assert_string_equal(s, "P2SChildCert");
	free(s);
	assert_int_equal(cert_get_dns_names(c, &v), 0);
	assert_string_equal(v[0], "P2SChildCert");
	assert_null(v[1]);
	cert_strv_free(v);
	assert_int_equal(cert_get_dns_names(gw, &v), 0);
	assert_string_equal(v[0], "a.example.net");
	assert_string_equal(v[1], "B.Example.NET");
	assert_string_equal(v[2], "c.example.org");
	assert_null(v[3]);
	cert_strv_free(v);
	/* No SAN, and a SAN with addresses only: no names. */
	assert_int_equal(cert_get_dns_names(cn, &v), 0);
	assert_null(v[0]);
	cert_strv_free(v);
	assert_int_equal(cert_get_dns_names(ip, &v), 0);
	assert_null(v[0]);
	cert_strv_free(v);
	assert_int_equal(cert_issuer(gw, buf, sizeof(buf)), 0);
	assert_string_equal(
	    buf, "C=XX, O=p2s test, CN=P2S Test Gateway Intermediate A");
	assert_subject(cn, "O=p2s test, CN=gw.example.net");
	cert_free(c);
	cert_free(gw);
	cert_free(cn);
	cert_free(ip);
}

static void
test_eku(void **state)
{
	struct cert *c = certs_load("client.pem");
	struct cert *srv = certs_load("client-srv.pem");
	struct cert *gw = certs_load("gw.pem");
	struct cert *cn = certs_load("gw-cn.pem");

	assert_true(cert_has_eku(c, CERT_EKU_CLIENT_AUTH));
	assert_false(cert_has_eku(c, CERT_EKU_SERVER_AUTH));
	assert_false(cert_has_eku(srv, CERT_EKU_CLIENT_AUTH));
	assert_true(cert_has_eku(srv, CERT_EKU_SERVER_AUTH));
	assert_true(cert_has_eku(gw, CERT_EKU_SERVER_AUTH));
	assert_true(cert_has_eku(gw, CERT_EKU_IKE_INTERMEDIATE));
	assert_false(cert_has_eku(gw, CERT_EKU_IPSEC_IKE));
	assert_false(cert_has_eku(gw, CERT_EKU_CLIENT_AUTH));
	/* No extension at all: nothing is "listed". */
	assert_false(cert_has_eku(cn, CERT_EKU_CLIENT_AUTH));
	assert_false(cert_has_eku(cn, CERT_EKU_ANY));
	cert_free(c);
	cert_free(srv);
	cert_free(gw);
	cert_free(cn);
}

static void
test_self_signed(void **state)
{
	struct cert *root = certs_load("root-a.pem");
	struct cert *c = certs_load("client.pem");

	assert_true(cert_is_self_signed(root));
	assert_false(cert_is_self_signed(c));
	cert_free(root);
	cert_free(c);
}

/* ------------------------------------------------------------------ */
/* Trust and CERTREQ */

static void
test_trust_roots(void **state)
{
	struct trust *t = NULL;
	struct cert *a = certs_load("root-a.pem");
	struct cert *b = certs_load("root-b.pem");
	char line[64];
	time_t na = 0;

	assert_int_equal(trust_new(&t), 0);
	assert_int_equal(trust_count(t), 0);
	assert_int_equal(trust_add_file(t, certs_path("root-a.pem")), 0);
	/* The same root again, as DER (VpnServerRoot.cer): not doubled. */
	assert_int_equal(trust_add_file(t, certs_path("root-a.der")), 0);
	assert_int_equal(trust_count(t), 1);
	assert_int_equal(trust_add_cert(t, b), 0);
	assert_int_equal(trust_count(t), 2);
	assert_same_der(trust_root(t, 0), a);
	assert_same_der(trust_root(t, 1), b);
	assert_null(trust_root(t, 2));
	assert_int_equal(cert_validity(trust_root(t, 0), NULL, &na), 0);
	certs_line("root-a.notafter", line, sizeof(line));
	assert_true(na == (time_t)strtoll(line, NULL, 10));
	assert_int_equal(trust_add_file(t, certs_path("client.key")), -EBADMSG);
	assert_int_equal(trust_count(t), 2);
	trust_free(t);
	cert_free(a);
	cert_free(b);
}

/* The CERTREQ hash is the SHA-1 of the DER SubjectPublicKeyInfo:
 * openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha1sum. */
static void
test_certreq_build(void **state)
{
	uint8_t want[2 * CERT_SPKI_HASH_LEN], got[2 * CERT_SPKI_HASH_LEN];
	uint8_t h[CERT_SPKI_HASH_LEN];
	struct cert *a = certs_load("root-a.pem");
	struct trust *t = NULL;
	struct wr w;

	certs_hex("root-a.spki-sha1", want, CERT_SPKI_HASH_LEN);
	certs_hex(
	    "root-b.spki-sha1", want + CERT_SPKI_HASH_LEN, CERT_SPKI_HASH_LEN);
	assert_int_equal(cert_spki_sha1(a, h), 0);
	assert_memory_equal(h, want, CERT_SPKI_HASH_LEN);
	assert_int_equal(trust_new(&t), 0);
	assert_int_equal(trust_add_file(t, certs_path("root-a.pem")), 0);
	assert_int_equal(trust_add_file(t, certs_path("root-b.pem")), 0);
	w = wr_make(got, sizeof(got));
	assert_int_equal(trust_build_certreq(t, &w), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	w = wr_make(got, sizeof(got) - 1);
	assert_int_equal(trust_build_certreq(t, &w), -ENOSPC);
	trust_free(t);
	cert_free(a);
}

static enum cert_req_match
certreq_match(const struct cert *c, const char *const *hash_files)
{
	uint8_t req[4 * CERT_SPKI_HASH_LEN];
	enum cert_req_match m = 0;
	size_t n = 0;

	for (; hash_files[n] != NULL; n++)
		certs_hex(hash_files[n], req + n * CERT_SPKI_HASH_LEN,
		    CERT_SPKI_HASH_LEN);
	struct rd r = rd_make(req, n * CERT_SPKI_HASH_LEN);
	assert_int_equal(cert_match_certreq(c, &r, &m), 0);
	return m;
}

static void
test_certreq_match(void **state)
{
	static const char *const gw_root[] = { "root-a.spki-sha1", NULL };
	static const char *const ours[] = { "root-b.spki-sha1",
		"client-root.spki-sha1", NULL };
	static const char *const our_int[] = { "client-int.spki-sha1", NULL };
	static const char *const none[] = { NULL };
	struct cert *bundle = certs_load("client2-chain.pem");
	struct cert *alone = certs_load("client.pem");
	struct cert *p12 = NULL;
	struct key_ref *k = NULL;
	enum cert_req_match m = 0;
	uint8_t odd[CERT_SPKI_HASH_LEN + 1] = { 0 };
	struct rd r = rd_make(odd, sizeof(odd));

	assert_int_equal(certreq_match(bundle, gw_root), CERT_REQ_NO_MATCH);
	assert_int_equal(certreq_match(bundle, ours), CERT_REQ_MATCH);
	assert_int_equal(certreq_match(bundle, our_int), CERT_REQ_MATCH);
	assert_int_equal(certreq_match(bundle, none), CERT_REQ_ANY);
	/* Without our issuer's certificate there is nothing to compare. */
	assert_int_equal(certreq_match(alone, ours), CERT_REQ_UNKNOWN);
	/* A Windows export carries the root: Azure's CERTREQ names it. */
	assert_int_equal(
	    cert_load_p12(certs_path("client-aes.p12"), p12_password, &p12, &k),
	    0);
	assert_int_equal(certreq_match(p12, ours), CERT_REQ_MATCH);
	assert_int_equal(certreq_match(p12, gw_root), CERT_REQ_NO_MATCH);
	assert_int_equal(cert_match_certreq(bundle, &r, &m), -EBADMSG);
	assert_int_equal(m, 0);
	cert_free(bundle);
	cert_free(alone);
	cert_free(p12);
	key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_pem_and_der),
		cmocka_unit_test(test_load_der_exact),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_pem_bundle),
		cmocka_unit_test(test_load_pem_with_key),
		cmocka_unit_test(test_key_formats),
		cmocka_unit_test(test_key_mismatch),
		cmocka_unit_test(test_key_encrypted),
		cmocka_unit_test(test_p12_aes),
		cmocka_unit_test(test_p12_legacy),
		cmocka_unit_test(test_p12_empty_password),
		cmocka_unit_test(test_p12_wrong_password),
		cmocka_unit_test(test_p12_chain),
		cmocka_unit_test(test_p12_legacy_provider_missing),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_thumbprint),
		cmocka_unit_test(test_thumbprint_azure_roots),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_eku),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_trust_roots),
		cmocka_unit_test(test_certreq_build),
		cmocka_unit_test(test_certreq_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
