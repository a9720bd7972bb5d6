/* SPDX-License-Identifier: ISC */
/*
 * crypto_sig.c: IKE_AUTH signatures (RFC 7296 2.15 and 3.8; RFC 7427;
 * RFC 4754 for methods 9-11; RFC 8420 for EdDSA; RFC 4055 for RSASSA-PSS
 * parameters; RFC 8247 3.2 for what is still allowed).
 *
 * AUTH data is peer input: the AlgorithmIdentifier of method 14 is parsed
 * here with the bounded reader, as DER (definite, minimal lengths), and
 * mapped to a closed table; nothing of it reaches OpenSSL's ASN.1 parser.
 * The parsers log at debug only; crypto_sig_verify hands its reason to the
 * caller.  No memcmp in this file (tests/style/check-memcmp.sh): OIDs are
 * compared with rd_eq, which is fine for public bytes.
 *
 *   AUTH data, method 14 (RFC 7427 3):
 *   | ASN.1 Length | AlgorithmIdentifier (ASN.1 Length octets) | Signature ~
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "caps.h"
#include "cert_ossl.h"
#include "crypto_sig.h"
#include "log.h"

#define DER_INTEGER  0x02
#define DER_NULL     0x05
#define DER_OID	     0x06
#define DER_SEQUENCE 0x30
#define DER_CTX(n)   (0xa0 | (n)) /* [n] EXPLICIT, constructed */

#define OID(...)                                                               \
	{                                                                      \
		__VA_ARGS__                                                    \
	}

/* Object identifier contents (the bytes after tag and length). */
static const uint8_t oid_sha1[] = OID(0x2b, 0x0e, 0x03, 0x02, 0x1a);
static const uint8_t oid_sha256[] =
    OID(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01);
static const uint8_t oid_sha384[] =
    OID(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02);
static const uint8_t oid_sha512[] =
    OID(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03);
static const uint8_t oid_mgf1[] =
    OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08);
static const uint8_t oid_rsa_pss[] =
    OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a);
static const uint8_t oid_rsa_sha1[] =
    OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05);
static const uint8_t oid_rsa_sha256[] =
    OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b);
static const uint8_t oid_rsa_sha384[] =
    OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c);
static const uint8_t oid_rsa_sha512[] =
    OID(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d);
static const uint8_t oid_ecdsa_sha1[] =
    OID(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01);
static const uint8_t oid_ecdsa_sha256[] =
    OID(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02);
static const uint8_t oid_ecdsa_sha384[] =
    OID(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03);
static const uint8_t oid_ecdsa_sha512[] =
    OID(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04);
static const uint8_t oid_ed25519[] = OID(0x2b, 0x65, 0x70);
static const uint8_t oid_ed448[] = OID(0x2b, 0x65, 0x71);

enum algid_params {
	PARAMS_ABSENT = 1,  /* RFC 5758 3.2, RFC 8410 3: MUST be absent */
	PARAMS_NULL_OK = 2, /* RFC 4055 5: NULL (absent seen too) */
	PARAMS_PSS = 3,	    /* RSASSA-PSS-params */
};

struct sig_oid {
	const uint8_t *oid;
	size_t oid_len;
	enum sig_scheme scheme;
	enum ike_hash hash; /* PSS: from the parameters */
	enum algid_params params;
};

#define SIG_OID(o, s, h, p)                                                    \
	{                                                                      \
		o, sizeof(o), s, h, p                                          \
	}

/* SHA-1 rows are known so they can be refused by name, not as unknown. */
static const struct sig_oid sig_oids[] = {
	SIG_OID(
	    oid_rsa_sha256, SIG_RSA_PKCS1, IKE_HASH_SHA2_256, PARAMS_NULL_OK),
	SIG_OID(
	    oid_rsa_sha384, SIG_RSA_PKCS1, IKE_HASH_SHA2_384, PARAMS_NULL_OK),
	SIG_OID(
	    oid_rsa_sha512, SIG_RSA_PKCS1, IKE_HASH_SHA2_512, PARAMS_NULL_OK),
	SIG_OID(oid_rsa_sha1, SIG_RSA_PKCS1, IKE_HASH_SHA1, PARAMS_NULL_OK),
	SIG_OID(oid_rsa_pss, SIG_RSA_PSS, IKE_HASH_SHA1, PARAMS_PSS),
	SIG_OID(oid_ecdsa_sha256, SIG_ECDSA, IKE_HASH_SHA2_256, PARAMS_ABSENT),
	SIG_OID(oid_ecdsa_sha384, SIG_ECDSA, IKE_HASH_SHA2_384, PARAMS_ABSENT),
	SIG_OID(oid_ecdsa_sha512, SIG_ECDSA, IKE_HASH_SHA2_512, PARAMS_ABSENT),
	SIG_OID(oid_ecdsa_sha1, SIG_ECDSA, IKE_HASH_SHA1, PARAMS_ABSENT),
	SIG_OID(oid_ed25519, SIG_ED25519, IKE_HASH_IDENTITY, PARAMS_ABSENT),
	SIG_OID(oid_ed448, SIG_ED448, IKE_HASH_IDENTITY, PARAMS_ABSENT),
};

struct hash_info {
	enum ike_hash hash;
	const uint8_t *oid;
	size_t oid_len;
	const char *name; /* OpenSSL digest name */
	size_t len;	  /* bytes of output */
};

static const struct hash_info hashes[] = {
	{ IKE_HASH_SHA1, oid_sha1, sizeof(oid_sha1), "SHA1", 20 },
	{ IKE_HASH_SHA2_256, oid_sha256, sizeof(oid_sha256), "SHA256", 32 },
	{ IKE_HASH_SHA2_384, oid_sha384, sizeof(oid_sha384), "SHA384", 48 },
	{ IKE_HASH_SHA2_512, oid_sha512, sizeof(oid_sha512), "SHA512", 64 },
};

static const struct hash_info *
hash_find(enum ike_hash h)
{
	for (size_t i = 0; i < ARRAY_SIZE(hashes); i++)
		if (hashes[i].hash == h)
			return &hashes[i];
	return NULL;
}

static const char *
scheme_name(enum sig_scheme s)
{
	switch (s) {
	case SIG_RSA_PKCS1:
		return "RSA PKCS#1 v1.5";
	case SIG_RSA_PSS:
		return "RSASSA-PSS";
	case SIG_ECDSA:
		return "ECDSA";
	case SIG_ED25519:
		return "Ed25519";
	case SIG_ED448:
		return "Ed448";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* SIGNATURE_HASH_ALGORITHMS (RFC 7427 4) */

int
crypto_sig_parse_hashes(const struct rd *data, uint32_t *ret_mask)
{
	struct rd r = *data;
	uint32_t mask = 0;
	uint16_t h;

	if (r.len % 2 != 0) {
		log_debug("SIGNATURE_HASH_ALGORITHMS of odd length %zu", r.len);
		return -EBADMSG;
	}
	while (rd_u16(&r, &h))
		if (h < 32)
			mask |= SIG_HASH_BIT(h);
	*ret_mask = mask;
	return 0;
}

void
crypto_sig_build_hashes(struct wr *w)
{
	wr_u16(w, IKE_HASH_SHA2_256);
	wr_u16(w, IKE_HASH_SHA2_384);
	wr_u16(w, IKE_HASH_SHA2_512);
	wr_u16(w, IKE_HASH_IDENTITY);
}

/* ------------------------------------------------------------------ */
/* DER, just enough for an AlgorithmIdentifier */

/* One TLV with the expected tag: definite, minimal lengths (X.690 10.1),
 * at most two length octets.  All or nothing, like the rd_ calls. */
static bool
der_get(struct rd *r, uint8_t tag, struct rd *ret)
{
	struct rd save = *r;
	uint8_t t, l0, l1;
	uint16_t l2;
	size_t len;

	if (!rd_u8(r, &t) || t != tag || !rd_u8(r, &l0))
		goto fail;
	if (l0 < 0x80)
		len = l0;
	else if (l0 == 0x81 && rd_u8(r, &l1) && l1 >= 0x80)
		len = l1;
	else if (l0 == 0x82 && rd_u16(r, &l2) && l2 >= 0x100)
		len = l2;
	else
		goto fail;
	if (!rd_sub(r, len, ret))
		goto fail;
	return true;
fail:
	*r = save;
	return false;
}

static bool
der_at(const struct rd *r, uint8_t tag)
{
	uint8_t t;

	return rd_peek_u8(r, &t) && t == tag;
}

/* A small non-negative INTEGER (salt length, trailer field). */
static bool
der_get_uint16(struct rd *r, uint16_t *ret)
{
	struct rd v;
	uint32_t n = 0;
	uint8_t b;

	if (!der_get(r, DER_INTEGER, &v) || v.len == 0 || v.len > 3 ||
	    (v.p[0] & 0x80) != 0 ||
	    (v.len > 1 && v.p[0] == 0 && (v.p[1] & 0x80) == 0))
		return false;
	while (rd_u8(&v, &b))
		n = n << 8 | b;
	if (n > UINT16_MAX)
		return false;
	*ret = (uint16_t)n;
	return true;
}

/* Parameters that must be absent, or NULL where that is allowed too. */
static bool
der_params_ok(struct rd *params, bool null_ok)
{
	struct rd v;

	if (params->len == 0)
		return true;
	return null_ok && der_get(params, DER_NULL, &v) && v.len == 0 &&
	    params->len == 0;
}

/* A hash AlgorithmIdentifier (RFC 4055 2.1: parameters NULL or absent). */
static int
der_get_hash_algid(struct rd *r, enum ike_hash *ret)
{
	struct rd seq, oid;

	if (!der_get(r, DER_SEQUENCE, &seq) || !der_get(&seq, DER_OID, &oid) ||
	    !der_params_ok(&seq, true))
		return -EBADMSG;
	for (size_t i = 0; i < ARRAY_SIZE(hashes); i++) {
		struct rd known = rd_make(hashes[i].oid, hashes[i].oid_len);

		if (rd_eq(&oid, &known)) {
			*ret = hashes[i].hash;
			return 0;
		}
	}
	log_debug("RSASSA-PSS: unknown hash algorithm");
	return -EOPNOTSUPP;
}

/* MaskGenAlgorithm: only MGF1 exists (RFC 8017 B.2.1). */
static int
der_get_mgf(struct rd *r, enum ike_hash *ret)
{
	struct rd seq, oid, mgf1 = rd_make(oid_mgf1, sizeof(oid_mgf1));
	int e;

	if (!der_get(r, DER_SEQUENCE, &seq) || !der_get(&seq, DER_OID, &oid))
		return -EBADMSG;
	if (!rd_eq(&oid, &mgf1))
		return -EOPNOTSUPP;
	e = der_get_hash_algid(&seq, ret);
	if (e == 0 && seq.len != 0)
		e = -EBADMSG;
	return e;
}

/* One optional [n] EXPLICIT field of RSASSA-PSS-params. */
static bool
der_get_field(struct rd *r, unsigned int n, struct rd *ret)
{
	return der_at(r, DER_CTX(n)) && der_get(r, DER_CTX(n), ret);
}

/*
 * RSASSA-PSS-params (RFC 4055 3.1).  Every field has a default, and the
 * defaults are SHA-1, which RFC 8247 3.2 rules out, so parameters that
 * leave the hash out are refused as -EOPNOTSUPP below, not here.
 */
static int
pss_params_parse(struct rd *params, struct sig_alg *alg)
{
	struct rd seq, f;
	uint16_t trailer = 1;
	int e = 0;

	alg->hash = alg->mgf1_hash = IKE_HASH_SHA1;
	alg->salt_len = 20;
	if (!der_get(params, DER_SEQUENCE, &seq) || params->len != 0)
		return -EBADMSG;
	if (der_get_field(&seq, 0, &f) &&
	    ((e = der_get_hash_algid(&f, &alg->hash)) < 0 || f.len != 0))
		return e < 0 ? e : -EBADMSG;
	if (der_get_field(&seq, 1, &f) &&
	    ((e = der_get_mgf(&f, &alg->mgf1_hash)) < 0 || f.len != 0))
		return e < 0 ? e : -EBADMSG;
	if (der_get_field(&seq, 2, &f) &&
	    (!der_get_uint16(&f, &alg->salt_len) || f.len != 0))
		return -EBADMSG;
	if (der_get_field(&seq, 3, &f) &&
	    (!der_get_uint16(&f, &trailer) || f.len != 0))
		return -EBADMSG;
	/* Trailer 1 (0xbc) is the only one defined. */
	if (seq.len != 0 || trailer != 1)
		return -EBADMSG;
	return 0;
}

static const struct sig_oid *
sig_oid_find(const struct rd *oid)
{
	for (size_t i = 0; i < ARRAY_SIZE(sig_oids); i++) {
		struct rd known = rd_make(sig_oids[i].oid, sig_oids[i].oid_len);

		if (rd_eq(oid, &known))
			return &sig_oids[i];
	}
	return NULL;
}

/* The AlgorithmIdentifier of RFC 7427 3, all of algid. */
static int
algid_parse(struct rd algid, struct sig_alg *ret)
{
	const struct sig_oid *so;
	struct sig_alg alg = { .method = IKE_AUTH_DIGITAL_SIGNATURE };
	struct rd seq, oid;
	int e = 0;

	if (!der_get(&algid, DER_SEQUENCE, &seq) || algid.len != 0 ||
	    !der_get(&seq, DER_OID, &oid))
		return -EBADMSG;
	so = sig_oid_find(&oid);
	if (so == NULL) {
		log_debug("RFC 7427: unknown signature algorithm");
		return -EOPNOTSUPP;
	}
	alg.scheme = so->scheme;
	alg.hash = so->hash;
	if (so->params == PARAMS_PSS)
		e = pss_params_parse(&seq, &alg);
	else if (!der_params_ok(&seq, so->params == PARAMS_NULL_OK))
		e = -EBADMSG;
	if (e < 0)
		return e;
	/* RFC 8247 3.2: SHA-1 MUST NOT be used in RFC 7427 signatures. */
	if (alg.hash == IKE_HASH_SHA1 || alg.mgf1_hash == IKE_HASH_SHA1) {
		log_debug(
		    "RFC 7427: %s with SHA-1 refused", scheme_name(alg.scheme));
		return -EOPNOTSUPP;
	}
	*ret = alg;
	return 0;
}

/* The algorithm that methods 1, 9, 10 and 11 imply. */
static int
method_alg(enum ike_auth_method method, struct sig_alg *ret)
{
	struct sig_alg alg = { .method = method, .scheme = SIG_ECDSA };

	switch (method) {
	case IKE_AUTH_RSA_SIG:
		alg.scheme = SIG_RSA_PKCS1;
		alg.hash = IKE_HASH_SHA1;
		break;
	case IKE_AUTH_ECDSA_256:
		alg.hash = IKE_HASH_SHA2_256;
		break;
	case IKE_AUTH_ECDSA_384:
		alg.hash = IKE_HASH_SHA2_384;
		break;
	case IKE_AUTH_ECDSA_521:
		alg.hash = IKE_HASH_SHA2_512;
		break;
	default:
		return -EOPNOTSUPP;
	}
	*ret = alg;
	return 0;
}

int
crypto_sig_parse_auth(enum ike_auth_method method, const struct rd *data,
    struct sig_alg *ret_alg, struct rd *ret_sig)
{
	struct rd r = *data, algid;
	struct sig_alg alg = { 0 };
	uint8_t len;
	int e;

	if (method != IKE_AUTH_DIGITAL_SIGNATURE)
		e = method_alg(method, &alg);
	else if (!rd_u8(&r, &len) || !rd_sub(&r, len, &algid))
		e = -EBADMSG;
	else
		e = algid_parse(algid, &alg);
	if (e < 0)
		return e;
	if (r.len == 0 || r.len > SIG_MAX_LEN) {
		log_debug("AUTH: signature of %zu bytes", r.len);
		return -EBADMSG;
	}
	*ret_alg = alg;
	*ret_sig = r;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Keys and algorithms */

/* The NIST curve of an EC key: 256, 384, 521, or 0 for any other. */
static int
ec_curve_bits(EVP_PKEY *pkey)
{
	char name[64];

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_group_name(pkey, name, sizeof(name), NULL))
		return 0;
	switch (OBJ_txt2nid(name)) {
	case NID_X9_62_prime256v1:
		return 256;
	case NID_secp384r1:
		return 384;
	case NID_secp521r1:
		return 521;
	default:
		return 0;
	}
}

/* Bytes of r and of s in a method 9-11 signature (RFC 4754 7). */
static size_t
ec_coord_len(enum ike_auth_method method)
{
	return method == IKE_AUTH_ECDSA_256 ? 32
	    : method == IKE_AUTH_ECDSA_384  ? 48
					    : 66;
}

static bool
method_is_ecdsa_fixed(enum ike_auth_method m)
{
	return m == IKE_AUTH_ECDSA_256 || m == IKE_AUTH_ECDSA_384 ||
	    m == IKE_AUTH_ECDSA_521;
}

/* Whether the key can make or check signatures of this algorithm. */
static bool
key_fits(EVP_PKEY *pkey, const struct sig_alg *alg)
{
	int id = EVP_PKEY_get_base_id(pkey);

	switch (alg->scheme) {
	case SIG_RSA_PKCS1:
		return id == EVP_PKEY_RSA;
	case SIG_RSA_PSS:
		return id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
	case SIG_ECDSA:
		if (alg->method == IKE_AUTH_ECDSA_256)
			return ec_curve_bits(pkey) == 256;
		if (alg->method == IKE_AUTH_ECDSA_384)
			return ec_curve_bits(pkey) == 384;
		if (alg->method == IKE_AUTH_ECDSA_521)
			return ec_curve_bits(pkey) == 521;
		return id == EVP_PKEY_EC;
	case SIG_ED25519:
		return id == EVP_PKEY_ED25519;
	case SIG_ED448:
		return id == EVP_PKEY_ED448;
	}
	return false;
}

/* Digest and padding set up for alg on a sign or verify context. */
static int
sig_ctx_init(
    EVP_MD_CTX *mctx, EVP_PKEY *pkey, const struct sig_alg *alg, bool sign)
{
	const struct hash_info *h = hash_find(alg->hash);
	const struct hash_info *mgf = hash_find(alg->mgf1_hash);
	const char *md = h != NULL ? h->name : NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	/* EdDSA hashes inside the algorithm: no digest. */
	if (alg->scheme == SIG_ED25519 || alg->scheme == SIG_ED448)
		md = NULL;
	else if (md == NULL)
		return -EOPNOTSUPP;
	ok = sign
	    ? EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, pkey, NULL)
	    : EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, pkey, NULL);
	if (ok && alg->scheme == SIG_RSA_PKCS1 &&
	    EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
	if (ok && alg->scheme == SIG_RSA_PSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) >
			0 &&
		    mgf != NULL &&
		    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, mgf->name, NULL) >
			0 &&
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, alg->salt_len) > 0;
	return ok ? 0 : -EOPNOTSUPP;
}

/* r | s (RFC 4754 7) to the DER Ecdsa-Sig-Value OpenSSL checks. */
static int
ecdsa_fixed_to_der(const struct sig_alg *alg, const struct rd *sig,
    uint8_t *der, size_t cap, size_t *ret_len)
{
	size_t n = ec_coord_len(alg->method);
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *p = der;
	int len = -1;

	if (es != NULL && sig->len == 2 * n) {
		r = BN_bin2bn(sig->p, (int)n, NULL);
		s = BN_bin2bn(sig->p + n, (int)n, NULL);
		if (r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s)) {
			r = s = NULL;
			if (i2d_ECDSA_SIG(es, NULL) <= (int)cap)
				len = i2d_ECDSA_SIG(es, &p);
		}
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	if (len <= 0)
		return sig->len == 2 * n ? -ENOMEM : -EBADMSG;
	*ret_len = (size_t)len;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Verifying the gateway's AUTH */

static const char *
key_name(EVP_PKEY *pkey)
{
	const char *n = EVP_PKEY_get0_type_name(pkey);

	return n != NULL ? n : "unknown";
}

static int
sig_check(EVP_PKEY *pkey, const struct sig_alg *alg, const struct rd *sig,
    const struct rd *octets)
{
	uint8_t der[2 * 66 + 16];
	struct rd s = *sig;
	EVP_MD_CTX *mctx;
	size_t der_len;
	int e, ok;

	if (method_is_ecdsa_fixed(alg->method)) {
		e = ecdsa_fixed_to_der(alg, sig, der, sizeof(der), &der_len);
		if (e < 0)
			return e;
		s = rd_make(der, der_len);
	}
	mctx = EVP_MD_CTX_new();
	if (mctx == NULL)
		return -ENOMEM;
	e = sig_ctx_init(mctx, pkey, alg, false);
	if (e == 0) {
		ok = EVP_DigestVerify(mctx, s.p, s.len, octets->p, octets->len);
		e = ok == 1 ? 0 : -EACCES;
	}
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return e;
}

static const char *
hash_label(enum ike_hash h)
{
	const struct hash_info *hi = hash_find(h);

	return hi != NULL ? hi->name : "";
}

int
crypto_sig_verify(const struct cert *signer, enum ike_auth_method method,
    const struct rd *data, const struct rd *octets, char *ret_reason,
    size_t reason_len)
{
	EVP_PKEY *pkey = X509_get0_pubkey(cert_x509(signer));
	struct sig_alg alg;
	struct rd sig;
	int e;

	e = crypto_sig_parse_auth(method, data, &alg, &sig);
	if (e < 0) {
		if (ret_reason != NULL)
			(void)snprintf(ret_reason, reason_len,
			    "gateway AUTH: %s (method %d)",
			    e == -EOPNOTSUPP ? "an unsupported signature "
					       "algorithm"
					     : "malformed signature data",
			    (int)method);
		return e;
	}
	if (pkey == NULL || !key_fits(pkey, &alg)) {
		if (ret_reason != NULL)
			(void)snprintf(ret_reason, reason_len,
			    "gateway AUTH: a %s signature (method %d), but the "
			    "certificate's key is %s",
			    scheme_name(alg.scheme), (int)method,
			    pkey != NULL ? key_name(pkey) : "unreadable");
		ERR_clear_error();
		return -EPROTO;
	}
	e = sig_check(pkey, &alg, &sig, octets);
	if (e < 0 && ret_reason != NULL)
		(void)snprintf(ret_reason, reason_len,
		    "gateway AUTH: the %s %s signature does not verify with "
		    "the gateway certificate's key",
		    scheme_name(alg.scheme), hash_label(alg.hash));
	return e;
}

/* ------------------------------------------------------------------ */
/* Our AUTH */

static bool
peer_has(uint32_t peer_hashes, enum ike_hash h)
{
	return (peer_hashes & SIG_HASH_BIT(h)) != 0;
}

/* The hash for method 14: the preferred one if the peer lists it, else
 * the first SHA-2 it lists; 0 if none. */
static enum ike_hash
pick_hash(uint32_t peer_hashes, enum ike_hash preferred)
{
	static const enum ike_hash order[] = { IKE_HASH_SHA2_256,
		IKE_HASH_SHA2_384, IKE_HASH_SHA2_512 };

	if (peer_has(peer_hashes, preferred))
		return preferred;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (peer_has(peer_hashes, order[i]))
			return order[i];
	return 0;
}

static int
choose_rsa(
    EVP_PKEY *pkey, uint32_t peer_hashes, bool rsa_pss, struct sig_alg *alg)
{
	const struct hash_info *h;

	alg->hash = pick_hash(peer_hashes, IKE_HASH_SHA2_256);
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA_PSS)
		rsa_pss = true;
	if (alg->hash == 0 && rsa_pss)
		return -EOPNOTSUPP;
	if (alg->hash == 0) {
		/* No RFC 7427 (or only SHA-1 in it): the classic method. */
		alg->method = IKE_AUTH_RSA_SIG;
		alg->scheme = SIG_RSA_PKCS1;
		alg->hash = IKE_HASH_SHA1;
		return 0;
	}
	alg->method = IKE_AUTH_DIGITAL_SIGNATURE;
	alg->scheme = rsa_pss ? SIG_RSA_PSS : SIG_RSA_PKCS1;
	if (rsa_pss) {
		h = hash_find(alg->hash);
		alg->mgf1_hash = alg->hash;
		alg->salt_len = (uint16_t)h->len;
	}
	return 0;
}

static int
choose_ec(EVP_PKEY *pkey, uint32_t peer_hashes, struct sig_alg *alg)
{
	static const struct {
		int bits;
		enum ike_hash hash;
		enum ike_auth_method method;
	} curves[] = {
		{ 256, IKE_HASH_SHA2_256, IKE_AUTH_ECDSA_256 },
		{ 384, IKE_HASH_SHA2_384, IKE_AUTH_ECDSA_384 },
		{ 521, IKE_HASH_SHA2_512, IKE_AUTH_ECDSA_521 },
	};
	int bits = ec_curve_bits(pkey);

	for (size_t i = 0; i < ARRAY_SIZE(curves); i++) {
		if (curves[i].bits != bits)
			continue;
		alg->scheme = SIG_ECDSA;
		alg->hash = pick_hash(peer_hashes, curves[i].hash);
		alg->method = IKE_AUTH_DIGITAL_SIGNATURE;
		if (alg->hash == 0) {
			alg->hash = curves[i].hash;
			alg->method = curves[i].method;
		}
		return 0;
	}
	return -EOPNOTSUPP;
}

int
crypto_sig_choose(const struct key_ref *key, uint32_t peer_hashes, bool rsa_pss,
    struct sig_alg *ret)
{
	EVP_PKEY *pkey = key_pkey(key);
	struct sig_alg alg = { 0 };
	int e = -EOPNOTSUPP;

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		e = choose_rsa(pkey, peer_hashes, rsa_pss, &alg);
		break;
	case EVP_PKEY_EC:
		e = choose_ec(pkey, peer_hashes, &alg);
		break;
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		/* RFC 8420 2: EdDSA needs the peer to list Identity. */
		if (peer_has(peer_hashes, IKE_HASH_IDENTITY)) {
			alg.method = IKE_AUTH_DIGITAL_SIGNATURE;
			alg.hash = IKE_HASH_IDENTITY;
			alg.scheme =
			    EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519
			    ? SIG_ED25519
			    : SIG_ED448;
			e = 0;
		}
		break;
	}
	if (e == 0)
		*ret = alg;
	return e;
}

/* DER writing: every length here is below 128, one octet. */
static size_t
der_open(struct wr *w, uint8_t tag)
{
	wr_u8(w, tag);
	wr_u8(w, 0);
	return w->len;
}

static void
der_close(struct wr *w, size_t start)
{
	size_t len = w->len - start;

	if (len >= 0x80)
		w->err = true;
	else if (wr_ok(w))
		wr_patch_u8(w, start - 1, (uint8_t)len);
}

static void
der_oid(struct wr *w, const uint8_t *oid, size_t len)
{
	wr_u8(w, DER_OID);
	wr_u8(w, (uint8_t)len);
	wr_bytes(w, oid, len);
}

/* AlgorithmIdentifier { hash, NULL } (RFC 4055 2.1, as RFC 7427 A.4.3). */
static void
der_hash_algid(struct wr *w, const struct hash_info *h)
{
	size_t seq = der_open(w, DER_SEQUENCE);

	der_oid(w, h->oid, h->oid_len);
	wr_u8(w, DER_NULL);
	wr_u8(w, 0);
	der_close(w, seq);
}

static void
der_pss_params(struct wr *w, const struct sig_alg *alg)
{
	const struct hash_info *h = hash_find(alg->hash);
	const struct hash_info *mgf = hash_find(alg->mgf1_hash);
	size_t seq, f, mgf_seq;

	if (h == NULL || mgf == NULL) {
		w->err = true;
		return;
	}
	seq = der_open(w, DER_SEQUENCE);
	f = der_open(w, DER_CTX(0));
	der_hash_algid(w, h);
	der_close(w, f);
	f = der_open(w, DER_CTX(1));
	mgf_seq = der_open(w, DER_SEQUENCE);
	der_oid(w, oid_mgf1, sizeof(oid_mgf1));
	der_hash_algid(w, mgf);
	der_close(w, mgf_seq);
	der_close(w, f);
	f = der_open(w, DER_CTX(2));
	wr_u8(w, DER_INTEGER);
	if (alg->salt_len >= 0x80) {
		wr_u8(w, 2);
		wr_u16(w, alg->salt_len);
	} else {
		wr_u8(w, 1);
		wr_u8(w, (uint8_t)alg->salt_len);
	}
	der_close(w, f);
	der_close(w, seq);
}

static const struct sig_oid *
sig_oid_for(const struct sig_alg *alg)
{
	for (size_t i = 0; i < ARRAY_SIZE(sig_oids); i++)
		if (sig_oids[i].scheme == alg->scheme &&
		    (alg->scheme == SIG_RSA_PSS ||
			sig_oids[i].hash == alg->hash))
			return &sig_oids[i];
	return NULL;
}

/* The ASN.1 Length octet and the AlgorithmIdentifier of RFC 7427 3. */
static int
algid_build(struct wr *w, const struct sig_alg *alg)
{
	const struct sig_oid *so = sig_oid_for(alg);
	size_t len_at = w->len, seq;

	if (so == NULL || alg->hash == IKE_HASH_SHA1)
		return -EOPNOTSUPP;
	wr_u8(w, 0);
	seq = der_open(w, DER_SEQUENCE);
	der_oid(w, so->oid, so->oid_len);
	if (so->params == PARAMS_NULL_OK) {
		wr_u8(w, DER_NULL);
		wr_u8(w, 0);
	} else if (so->params == PARAMS_PSS) {
		der_pss_params(w, alg);
	}
	der_close(w, seq);
	if (!wr_ok(w))
		return -ENOSPC;
	wr_patch_u8(w, len_at, (uint8_t)(w->len - len_at - 1));
	return 0;
}

/* DER Ecdsa-Sig-Value to r | s, each left-padded to the curve's size. */
static int
ecdsa_der_to_fixed(
    const struct sig_alg *alg, const uint8_t *der, size_t len, struct wr *w)
{
	size_t n = ec_coord_len(alg->method);
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	uint8_t *out;
	int e = -EIO;

	if (es == NULL)
		return -EIO;
	out = wr_reserve(w, 2 * n);
	if (out == NULL)
		e = -ENOSPC;
	else if (BN_bn2binpad(ECDSA_SIG_get0_r(es), out, (int)n) == (int)n &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), out + n, (int)n) == (int)n)
		e = 0;
	ECDSA_SIG_free(es);
	return e;
}

static int
sig_make(EVP_PKEY *pkey, const struct sig_alg *alg, const struct rd *octets,
    uint8_t *sig, size_t *sig_len)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	int e;

	if (mctx == NULL)
		return -ENOMEM;
	e = sig_ctx_init(mctx, pkey, alg, true);
	if (e == 0 &&
	    EVP_DigestSign(mctx, sig, sig_len, octets->p, octets->len) != 1)
		e = -EIO;
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	return e;
}

int
crypto_sig_sign(const struct key_ref *key, const struct sig_alg *alg,
    const struct rd *octets, struct wr *w)
{
	EVP_PKEY *pkey = key_pkey(key);
	struct sig_alg implied;
	uint8_t sig[SIG_MAX_LEN];
	size_t sig_len = sizeof(sig);
	int e = 0;

	if (!key_fits(pkey, alg) ||
	    (size_t)EVP_PKEY_get_size(pkey) > sizeof(sig))
		return -EOPNOTSUPP;
	if (alg->method == IKE_AUTH_DIGITAL_SIGNATURE)
		e = algid_build(w, alg);
	else if (method_alg(alg->method, &implied) < 0 ||
	    implied.scheme != alg->scheme || implied.hash != alg->hash)
		e = -EOPNOTSUPP;
	if (e < 0)
		return e;
	e = sig_make(pkey, alg, octets, sig, &sig_len);
	if (e < 0)
		return e;
	if (method_is_ecdsa_fixed(alg->method))
		e = ecdsa_der_to_fixed(alg, sig, sig_len, w);
	else
		wr_bytes(w, sig, sig_len);
	return e == 0 && !wr_ok(w) ? -ENOSPC : e;
}
