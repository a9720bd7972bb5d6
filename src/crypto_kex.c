/* SPDX-License-Identifier: ISC */
/*
 * crypto_kex.c: the IKEv2 key exchanges (transform type 4) over
 * EVP_PKEY_derive: MODP groups 2 (RFC 2409 6.2), 14 (RFC 3526 3) and 24
 * (RFC 5114 2.3), ECP groups 19 and 20 (RFC 5903), Curve25519 group 31
 * (RFC 8031).  It owns the wire encodings of the public values and the
 * validation of the peer's value before any secret is computed:
 *
 *   MODP:   exactly len(p) bytes, 1 < y < p-1 (RFC 7296 3.4, NIST SP
 *           800-56A 5.6.2.3.1), and for group 24, whose p is not a safe
 *           prime, y^q = 1 mod p (RFC 6989 2.2).
 *   ECP:    exactly 2 * len(field) bytes, x and y below the field prime,
 *           the point on the curve and not at infinity (RFC 6989 2.3).
 *   X25519: exactly 32 bytes; an all-zero shared secret is refused
 *           (RFC 8031 2.3).
 *
 * A peer value that fails these checks is -EBADMSG, so the exchange code
 * can answer INVALID_SYNTAX.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "crypto.h"
#include "crypto_impl.h"
#include "log.h"

enum kex_kind {
	KEX_MODP = 1,
	KEX_ECP = 2,
	KEX_X25519 = 3,
};

struct kex_group {
	enum ike_dh id;
	enum kex_kind kind;
	size_t pub_len;	   /* bytes: KE payload data */
	size_t secret_len; /* bytes: g^ir */
	const char *curve; /* ECP: OpenSSL group name */
	int nid;	   /* ECP: curve NID */
	long priv_bits;	   /* MODP without q: exponent length */
};

/*
 * Safe-prime MODP groups get a short exponent (RFC 3526 8: about twice
 * the strength of the group is enough); group 24 draws it below q.
 */
static const struct kex_group kex_groups[] = {
	{ IKE_DH_MODP_1024, KEX_MODP, 128, 128, NULL, 0, 256 },
	{ IKE_DH_MODP_2048, KEX_MODP, 256, 256, NULL, 0, 320 },
	{ IKE_DH_MODP_2048_256, KEX_MODP, 256, 256, NULL, 0, 0 },
	{ IKE_DH_ECP_256, KEX_ECP, 64, 32, "P-256", NID_X9_62_prime256v1, 0 },
	{ IKE_DH_ECP_384, KEX_ECP, 96, 48, "P-384", NID_secp384r1, 0 },
	{ IKE_DH_CURVE25519, KEX_X25519, 32, 32, NULL, 0, 0 },
};

/* RFC 5114 2.3: 2048-bit MODP group with a 256-bit prime order subgroup. */
static const char modp_2048_256_p[] =
    "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00"
    "E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C"
    "209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B"
    "6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76"
    "B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8E"
    "F6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026"
    "C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103"
    "A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597";
static const char modp_2048_256_g[] =
    "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA125"
    "10DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62"
    "901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B"
    "777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193"
    "B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0A"
    "DB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915"
    "B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C3"
    "2F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659";
static const char modp_2048_256_q[] =
    "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3";

struct kex {
	const struct kex_group *grp;	 /* static table entry */
	EVP_PKEY *key;			 /* owned, secret: our key pair */
	uint8_t pub[KEX_MAX_PUBLIC_LEN]; /* wire encoding */
	size_t pub_len;			 /* bytes used in pub */
};

/* MODP domain parameters, as BIGNUMs the caller frees. */
struct modp {
	BIGNUM *p;
	BIGNUM *g;
	BIGNUM *q; /* NULL for the safe-prime groups */
};

static const struct kex_group *
kex_group_find(enum ike_dh id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kex_groups); i++)
		if (kex_groups[i].id == id)
			return &kex_groups[i];
	return NULL;
}

bool
kex_supported(enum ike_dh id)
{
	return kex_group_find(id) != NULL;
}

size_t
kex_public_len(enum ike_dh id)
{
	const struct kex_group *grp = kex_group_find(id);

	return grp != NULL ? grp->pub_len : 0;
}

enum ike_dh
kex_group(const struct kex *k)
{
	return k->grp->id;
}

struct rd
kex_public(const struct kex *k)
{
	return rd_make(k->pub, k->pub_len);
}

void
kex_free(struct kex *k)
{
	if (k == NULL)
		return;
	/* EVP_PKEY_free clears the private key's BIGNUM/bytes. */
	EVP_PKEY_free(k->key);
	free(k);
}

/* ------------------------------------------------------------------ */
/* MODP. */

static void
modp_done(struct modp *m)
{
	BN_free(m->p);
	BN_free(m->g);
	BN_free(m->q);
}

static int
modp_load(enum ike_dh id, struct modp *ret)
{
	struct modp m = { NULL, NULL, NULL };

	if (id == IKE_DH_MODP_1024)
		m.p = BN_get_rfc2409_prime_1024(NULL);
	else if (id == IKE_DH_MODP_2048)
		m.p = BN_get_rfc3526_prime_2048(NULL);
	else if (BN_hex2bn(&m.p, modp_2048_256_p) == 0 ||
	    BN_hex2bn(&m.g, modp_2048_256_g) == 0 ||
	    BN_hex2bn(&m.q, modp_2048_256_q) == 0)
		goto fail;
	/* Groups 2 and 14 use the generator 2. */
	if (m.g == NULL && (m.g = BN_new()) != NULL && !BN_set_word(m.g, 2))
		goto fail;
	if (m.p == NULL || m.g == NULL)
		goto fail;
	*ret = m;
	return 0;
fail:
	modp_done(&m);
	return -ENOMEM;
}

/* An EVP_PKEY "DH" from the group and optional private/public values. */
static EVP_PKEY *
modp_pkey(const struct kex_group *grp, const struct modp *m, const BIGNUM *priv,
    const BIGNUM *pub)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int sel = EVP_PKEY_KEY_PARAMETERS;

	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, m->p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, m->g) ||
	    (m->q != NULL &&
		!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, m->q)) ||
	    (grp->priv_bits != 0 &&
		!OSSL_PARAM_BLD_push_long(
		    bld, OSSL_PKEY_PARAM_DH_PRIV_LEN, grp->priv_bits)) ||
	    (priv != NULL &&
		!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) ||
	    (pub != NULL &&
		!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (pub != NULL)
		sel = priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, sel, params) != 1)
		(void)crypto_ssl_error("DH fromdata");
out:
	EVP_PKEY_CTX_free(ctx);
	/* Frees the secure-heap part (a private key) with a clear. */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static EVP_PKEY *
modp_keygen(const struct kex_group *grp, const struct modp *m)
{
	EVP_PKEY *dom = modp_pkey(grp, m, NULL, NULL), *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	if (dom == NULL)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_keygen(ctx, &key) != 1)
		(void)crypto_ssl_error("DH keygen");
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(dom);
	return key;
}

/* RFC 7296 3.4: the public value is padded with zeros to len(p). */
static int
modp_export(struct kex *k)
{
	BIGNUM *y = NULL;
	int r = 0;

	if (EVP_PKEY_get_bn_param(k->key, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1)
		return crypto_ssl_error("DH public value");
	if (BN_bn2binpad(y, k->pub, (int)k->grp->pub_len) < 0)
		r = -EIO;
	k->pub_len = k->grp->pub_len;
	BN_free(y);
	return r;
}

/* 1 < y < p-1, and y^q = 1 (mod p) when the group has a q. */
static int
modp_check_public(const struct modp *m, const BIGNUM *y)
{
	BN_CTX *bctx = BN_CTX_new();
	BIGNUM *t = BN_new();
	int r = -ENOMEM;

	if (bctx == NULL || t == NULL || BN_copy(t, m->p) == NULL ||
	    !BN_sub_word(t, 1))
		goto out;
	r = -EBADMSG;
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, t) >= 0) {
		log_debug("MODP public value out of range (1, p-1)");
		goto out;
	}
	if (m->q != NULL) {
		if (!BN_mod_exp(t, y, m->q, m->p, bctx)) {
			r = -ENOMEM;
			goto out;
		}
		if (!BN_is_one(t)) {
			log_debug(
			    "MODP public value outside the order-q subgroup");
			goto out;
		}
	}
	r = 0;
out:
	BN_free(t);
	BN_CTX_free(bctx);
	return r;
}

static int
modp_peer(const struct kex_group *grp, const struct rd *peer, EVP_PKEY **ret)
{
	struct modp m;
	BIGNUM *y = NULL;
	int r;

	r = modp_load(grp->id, &m);
	if (r < 0)
		return r;
	y = BN_bin2bn(peer->p, (int)peer->len, NULL);
	r = y == NULL ? -ENOMEM : modp_check_public(&m, y);
	if (r == 0 && (*ret = modp_pkey(grp, &m, NULL, y)) == NULL)
		r = -EBADMSG;
	BN_free(y);
	modp_done(&m);
	return r;
}

static int
modp_new(struct kex *k, const struct rd *priv)
{
	BIGNUM *x = NULL, *y = NULL;
	BN_CTX *bctx = NULL;
	struct modp m;
	int r;

	r = modp_load(k->grp->id, &m);
	if (r < 0)
		return r;
	if (priv == NULL) {
		k->key = modp_keygen(k->grp, &m);
		goto out;
	}
	/* Test hook: y = g^x mod p for the given x. */
	x = BN_secure_new();
	y = BN_new();
	bctx = BN_CTX_new();
	if (x != NULL && y != NULL && bctx != NULL &&
	    BN_bin2bn(priv->p, (int)priv->len, x) != NULL &&
	    BN_mod_exp(y, m.g, x, m.p, bctx))
		k->key = modp_pkey(k->grp, &m, x, y);
out:
	r = k->key != NULL ? modp_export(k) : -EIO;
	BN_CTX_free(bctx);
	BN_clear_free(x);
	BN_free(y);
	modp_done(&m);
	return r;
}

/* ------------------------------------------------------------------ */
/* ECP (RFC 5903): the KE data is x | y, the shared secret is x. */

static int
ecp_export(struct kex *k)
{
	uint8_t oct[1 + KEX_MAX_PUBLIC_LEN];
	size_t len = 0;

	if (EVP_PKEY_get_octet_string_param(
		k->key, OSSL_PKEY_PARAM_PUB_KEY, oct, sizeof(oct), &len) != 1)
		return crypto_ssl_error("EC public value");
	/* Uncompressed SEC1 point: 0x04 | x | y; IKE drops the 0x04. */
	if (len != 1 + k->grp->pub_len || oct[0] != 0x04)
		return -EIO;
	memcpy(k->pub, oct + 1, k->grp->pub_len);
	k->pub_len = k->grp->pub_len;
	return 0;
}

/* Decodes x | y into a point on the curve; -EBADMSG when it is not. */
static int
ecp_check_public(
    const struct kex_group *grp, const uint8_t *oct, size_t oct_len)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(grp->nid);
	EC_POINT *pt = g != NULL ? EC_POINT_new(g) : NULL;
	BN_CTX *bctx = BN_CTX_new();
	int r = -ENOMEM;

	if (g == NULL || pt == NULL || bctx == NULL)
		goto out;
	r = -EBADMSG;
	/* oct2point refuses coordinates >= p and points off the curve. */
	if (EC_POINT_oct2point(g, pt, oct, oct_len, bctx) != 1) {
		ERR_clear_error();
		log_debug("ECP public value is not a point on the curve");
		goto out;
	}
	if (EC_POINT_is_at_infinity(g, pt) ||
	    EC_POINT_is_on_curve(g, pt, bctx) != 1) {
		log_debug("ECP public value at infinity or off the curve");
		goto out;
	}
	r = 0;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	BN_CTX_free(bctx);
	return r;
}

/* An EVP_PKEY "EC" from the curve and optional private/public values. */
static EVP_PKEY *
ecp_pkey(const struct kex_group *grp, const BIGNUM *priv, const uint8_t *oct,
    size_t oct_len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (bld == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(
		bld, OSSL_PKEY_PARAM_GROUP_NAME, grp->curve, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(
		bld, OSSL_PKEY_PARAM_PUB_KEY, oct, oct_len) ||
	    (priv != NULL &&
		!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey,
		priv != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
		params) != 1)
		(void)crypto_ssl_error("EC fromdata");
out:
	EVP_PKEY_CTX_free(ctx);
	/* Frees the secure-heap part (a private key) with a clear. */
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static int
ecp_peer(const struct kex_group *grp, const struct rd *peer, EVP_PKEY **ret)
{
	uint8_t oct[1 + KEX_MAX_PUBLIC_LEN];
	int r;

	oct[0] = 0x04;
	memcpy(oct + 1, peer->p, peer->len);
	r = ecp_check_public(grp, oct, 1 + peer->len);
	if (r == 0 && (*ret = ecp_pkey(grp, NULL, oct, 1 + peer->len)) == NULL)
		r = -EBADMSG;
	return r;
}

/* Test hook: Q = d * G for the given d. */
static EVP_PKEY *
ecp_from_private(const struct kex_group *grp, const struct rd *priv)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(grp->nid);
	EC_POINT *pt = g != NULL ? EC_POINT_new(g) : NULL;
	uint8_t oct[1 + KEX_MAX_PUBLIC_LEN];
	BIGNUM *d = BN_secure_new();
	BN_CTX *bctx = BN_CTX_new();
	EVP_PKEY *pkey = NULL;
	size_t len;

	if (pt == NULL || d == NULL || bctx == NULL ||
	    BN_bin2bn(priv->p, (int)priv->len, d) == NULL ||
	    !EC_POINT_mul(g, pt, d, NULL, NULL, bctx))
		goto out;
	len = EC_POINT_point2oct(
	    g, pt, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct), bctx);
	if (len == 1 + grp->pub_len)
		pkey = ecp_pkey(grp, d, oct, len);
out:
	BN_clear_free(d);
	BN_CTX_free(bctx);
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return pkey;
}

static int
ecp_new(struct kex *k, const struct rd *priv)
{
	if (priv != NULL)
		k->key = ecp_from_private(k->grp, priv);
	else
		k->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", k->grp->curve);
	if (k->key == NULL)
		return crypto_ssl_error("EC keygen");
	return ecp_export(k);
}

/* ------------------------------------------------------------------ */
/* Curve25519 (RFC 8031, RFC 7748). */

static int
x25519_new(struct kex *k, const struct rd *priv)
{
	size_t len = sizeof(k->pub);

	if (priv != NULL)
		k->key = EVP_PKEY_new_raw_private_key_ex(
		    NULL, "X25519", NULL, priv->p, priv->len);
	else
		k->key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (k->key == NULL)
		return crypto_ssl_error("X25519 keygen");
	if (EVP_PKEY_get_raw_public_key(k->key, k->pub, &len) != 1 ||
	    len != k->grp->pub_len)
		return crypto_ssl_error("X25519 public value");
	k->pub_len = len;
	return 0;
}

static int
x25519_peer(const struct rd *peer, EVP_PKEY **ret)
{
	*ret = EVP_PKEY_new_raw_public_key_ex(
	    NULL, "X25519", NULL, peer->p, peer->len);
	return *ret != NULL ? 0 : crypto_ssl_error("X25519 peer");
}

/* RFC 8031 2.3: constant-time test for the all-zero shared secret. */
static bool
all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

/* ------------------------------------------------------------------ */
/* Common. */

static int
kex_make(enum ike_dh id, const struct rd *priv, struct kex **ret)
{
	const struct kex_group *grp = kex_group_find(id);
	struct kex *k;
	int r;

	if (grp == NULL)
		return -EOPNOTSUPP;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	k->grp = grp;
	if (grp->kind == KEX_MODP)
		r = modp_new(k, priv);
	else if (grp->kind == KEX_ECP)
		r = ecp_new(k, priv);
	else
		r = x25519_new(k, priv);
	if (r < 0) {
		kex_free(k);
		return r;
	}
	*ret = k;
	return 0;
}

int
kex_new(enum ike_dh id, struct kex **ret)
{
	return kex_make(id, NULL, ret);
}

int
kex_new_from_private(enum ike_dh id, const struct rd *priv, struct kex **ret)
{
	if (priv->len == 0 || priv->len > KEX_MAX_SECRET_LEN)
		return -EINVAL;
	return kex_make(id, priv, ret);
}

/* Runs EVP_PKEY_derive into a fresh secret buffer of exactly want bytes. */
static int
pkey_derive(
    EVP_PKEY *ours, EVP_PKEY *peer, bool pad, size_t want, struct buf **ret)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ours, NULL);
	struct buf *s = buf_new_secret(want);
	unsigned int one = 1;
	OSSL_PARAM params[2];
	size_t len = want;
	int r = -ENOMEM;

	if (ctx == NULL || s == NULL || EVP_PKEY_derive_init(ctx) != 1)
		goto out;
	/* RFC 7296 2.14: g^ir keeps its leading zeros (length of p). */
	params[0] = OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &one);
	params[1] = OSSL_PARAM_construct_end();
	if (pad && EVP_PKEY_CTX_set_params(ctx, params) != 1)
		goto out;
	/* The peer's value was validated when it was parsed (range and, for
	 * group 24, subgroup; point on the curve): OpenSSL's own check
	 * would repeat that at the cost of a full MODP exponentiation. */
	r = -EBADMSG;
	if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1 ||
	    EVP_PKEY_derive(ctx, s->p, &len) != 1 || len != want) {
		(void)crypto_ssl_error("key exchange derive");
		goto out;
	}
	*ret = s;
	s = NULL;
	r = 0;
out:
	buf_free(s);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

int
kex_derive(const struct kex *k, const struct rd *peer, struct buf **ret_secret)
{
	const struct kex_group *grp = k->grp;
	EVP_PKEY *pk = NULL;
	struct buf *s = NULL;
	int r;

	if (peer->len != grp->pub_len) {
		log_debug("group %d public value is %zu bytes, want %zu",
		    grp->id, peer->len, grp->pub_len);
		return -EBADMSG;
	}
	if (grp->kind == KEX_MODP)
		r = modp_peer(grp, peer, &pk);
	else if (grp->kind == KEX_ECP)
		r = ecp_peer(grp, peer, &pk);
	else
		r = x25519_peer(peer, &pk);
	if (r == 0)
		r = pkey_derive(
		    k->key, pk, grp->kind == KEX_MODP, grp->secret_len, &s);
	if (r == 0 && grp->kind == KEX_X25519 && all_zero(s->p, s->len)) {
		log_debug("X25519 shared secret is all zero");
		r = -EBADMSG;
	}
	if (r == 0) {
		*ret_secret = s;
		s = NULL;
	}
	buf_free(s);
	EVP_PKEY_free(pk);
	return r;
}
