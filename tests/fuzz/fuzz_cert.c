/* SPDX-License-Identifier: ISC */
/*
 * fuzz_cert.c: what a gateway controls in the certificate code: CERT
 * payload bytes (one certificate each, then a chain through them to an
 * anchor, the identity match, the facts read from them), CERTREQ data,
 * and AUTH data (the RFC 7427 AlgorithmIdentifier parser and the
 * verification behind it).
 *
 * Input: one selector byte, then records of a 16-bit big-endian length
 * and that many bytes.
 *   0  chain: record 0 is the anchor, 1 the leaf, the rest untrusted
 *      CERT payloads; a last record that is no certificate is used as
 *      CERTREQ data against the leaf
 *   1  AUTH: record 0 a certificate, then one byte of auth method and the
 *      AUTH data, verified over fixed octets
 *   2  SIGNATURE_HASH_ALGORITHMS notify data (the rest, unframed)
 * mkcerts.sh writes the seeds in tests/fuzz/corpus/cert/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "caps.h"
#include "cert.h"
#include "crypto_sig.h"
#include "log.h"
#include "wire.h"

#define FUZZ_MAX_INPUT (CERT_MAX_CHAIN + 2) * (CERT_MAX_LEN + 2)

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
next_record(struct rd *in, struct rd *ret)
{
	uint16_t len;

	return rd_u16(in, &len) && rd_sub(in, len, ret);
}

/* Everything cert.h can say about a certificate. */
static void
fuzz_facts(const struct cert *c)
{
	char buf[CERT_REASON_LEN], tp[CERT_THUMBPRINT_LEN + 1], *s, **v;
	uint8_t h[CERT_SPKI_HASH_LEN];
	time_t nb, na;

	(void)cert_subject(c, buf, sizeof(buf));
	(void)cert_issuer(c, buf, sizeof(buf));
	if (cert_get_cn(c, &s) == 0) {
		(void)cert_match_id(c, s, buf, sizeof(buf));
		free(s);
	}
	if (cert_get_dns_names(c, &v) == 0) {
		if (v[0] != NULL)
			(void)cert_match_id(c, v[0], buf, sizeof(buf));
		cert_strv_free(v);
	}
	(void)cert_match_id(c, "gw.example.net", buf, sizeof(buf));
	(void)cert_match_id(c, "192.0.2.10", buf, sizeof(buf));
	(void)cert_has_eku(c, CERT_EKU_IKE_INTERMEDIATE);
	(void)cert_is_self_signed(c);
	(void)cert_validity(c, &nb, &na);
	(void)cert_thumbprint(c, tp);
	(void)cert_spki_sha1(c, h);
	if (cert_base64(c, &s) == 0)
		free(s);
}

static void
fuzz_chain(struct rd in)
{
	struct cert *v[CERT_MAX_CHAIN + 2] = { 0 };
	struct trust *t = NULL;
	struct rd rec, last = { 0 };
	enum cert_req_match m;
	char reason[CERT_REASON_LEN];
	size_t n = 0;

	while (n < ARRAY_SIZE(v) && next_record(&in, &rec)) {
		last = rec;
		if (cert_load_der(&rec, &v[n]) == 0)
			fuzz_facts(v[n++]);
	}
	if (n >= 2 && trust_new(&t) == 0 && trust_add_cert(t, v[0]) == 0) {
		(void)cert_verify_gateway(t, v[1],
		    (const struct cert *const *)v + 2, n - 2, "gw.example.net",
		    0, reason, sizeof(reason));
		(void)cert_match_certreq(v[1], &last, &m);
	}
	trust_free(t);
	for (size_t i = 0; i < n; i++)
		cert_free(v[i]);
}

static void
fuzz_auth(struct rd in)
{
	static const uint8_t octets[] = "IKE_SA_INIT | nonce | prf(SK_p, ID')";
	struct cert *c = NULL;
	struct rd rec, sig, o = rd_make(octets, sizeof(octets));
	struct sig_alg alg;
	char reason[CERT_REASON_LEN];
	uint8_t method;

	if (!next_record(&in, &rec) || !rd_u8(&in, &method))
		return;
	(void)crypto_sig_parse_auth(method, &in, &alg, &sig);
	if (cert_load_der(&rec, &c) == 0)
		(void)crypto_sig_verify(
		    c, method, &in, &o, reason, sizeof(reason));
	cert_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static bool quiet;
	struct rd in = rd_make(data, len);
	uint32_t mask;
	uint8_t sel;

	if (!quiet) {
		log_init("fuzz_cert", LOG_TARGET_STDERR, LOG_ERR);
		quiet = true;
	}
	if (len > FUZZ_MAX_INPUT || !rd_u8(&in, &sel))
		return 0;
	switch (sel % 3) {
	case 0:
		fuzz_chain(in);
		break;
	case 1:
		fuzz_auth(in);
		break;
	default:
		(void)crypto_sig_parse_hashes(&in, &mask);
		break;
	}
	return 0;
}
