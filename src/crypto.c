/* SPDX-License-Identifier: ISC */
/*
 * crypto.c: PRFs and integrity transforms over EVP_MAC (HMAC), AES-CBC and
 * AES-GCM over EVP_CIPHER, random bytes and the constant-time compare.
 * See crypto.h for the contract; the key exchange is in crypto_kex.c.
 *
 * RFC 7296 2.13 (prf+) and 3.14 (IVs), RFC 2104 + RFC 4868 (HMAC-SHA2 PRF
 * and truncated ICVs), RFC 2404 (HMAC-SHA1-96), RFC 3602 (AES-CBC), RFC
 * 5282 and RFC 4106 (AES-GCM: salt | IV nonce, 8/12/16-byte ICVs).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "crypto_impl.h"
#include "log.h"

int
crypto_ssl_error(const char *what)
{
	char reason[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, reason, sizeof(reason));
	log_debug("%s failed: %s", what, e != 0 ? reason : "no reason");
	ERR_clear_error();
	return -EIO;
}

int
crypto_random(void *buf, size_t len)
{
	if (len > INT_MAX)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (RAND_bytes(buf, (int)len) != 1)
		return crypto_ssl_error("RAND_bytes");
	return 0;
}

bool
crypto_memeq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* ------------------------------------------------------------------ */
/* SHA-1 as a plain hash (NAT detection, RFC 7296 2.23). */

int
crypto_sha1(
    const struct rd *data, size_t n_data, uint8_t ret[static CRYPTO_SHA1_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int r = 0;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1)
		r = crypto_ssl_error("EVP_DigestInit_ex(SHA1)");
	for (size_t i = 0; r == 0 && i < n_data; i++)
		if (EVP_DigestUpdate(ctx, data[i].p, data[i].len) != 1)
			r = crypto_ssl_error("EVP_DigestUpdate");
	if (r == 0 &&
	    (EVP_DigestFinal_ex(ctx, ret, &len) != 1 || len != CRYPTO_SHA1_LEN))
		r = crypto_ssl_error("EVP_DigestFinal_ex");
	EVP_MD_CTX_free(ctx);
	return r;
}

/* ------------------------------------------------------------------ */
/* HMAC over EVP_MAC, shared by the PRFs and the integrity transforms. */

static EVP_MAC_CTX *
hmac_ctx_new(EVP_MAC *mac, const char *digest, const struct rd *key)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;

	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key->p, key->len, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Runs a copy of the keyed ctx over the parts; out holds outsize bytes. */
static int
hmac_run(const EVP_MAC_CTX *keyed, const struct rd *data, size_t n_data,
    uint8_t *out, size_t outsize)
{
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed);
	size_t outl = 0, i;
	int r = 0;

	if (ctx == NULL)
		return crypto_ssl_error("EVP_MAC_CTX_dup");
	for (i = 0; i < n_data; i++) {
		if (data[i].len > 0 &&
		    EVP_MAC_update(ctx, data[i].p, data[i].len) != 1) {
			r = crypto_ssl_error("EVP_MAC_update");
			goto out;
		}
	}
	if (EVP_MAC_final(ctx, out, &outl, outsize) != 1)
		r = crypto_ssl_error("EVP_MAC_final");
out:
	EVP_MAC_CTX_free(ctx);
	return r;
}

static EVP_MAC *
hmac_fetch(void)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);

	if (mac == NULL)
		(void)crypto_ssl_error("EVP_MAC_fetch(HMAC)");
	return mac;
}

/* ------------------------------------------------------------------ */
/* PRF. */

struct prf_alg {
	enum ike_prf id;
	const char *digest; /* OpenSSL digest name */
	size_t len;	    /* bytes: output and preferred key */
};

static const struct prf_alg prf_algs[] = {
	{ IKE_PRF_HMAC_SHA1, "SHA1", 20 },
	{ IKE_PRF_HMAC_SHA2_256, "SHA2-256", 32 },
	{ IKE_PRF_HMAC_SHA2_384, "SHA2-384", 48 },
	{ IKE_PRF_HMAC_SHA2_512, "SHA2-512", 64 },
};

struct prf {
	const struct prf_alg *alg; /* static table entry */
	EVP_MAC *mac;		   /* owned: fetched HMAC */
};

static const struct prf_alg *
prf_alg_find(enum ike_prf id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prf_algs); i++)
		if (prf_algs[i].id == id)
			return &prf_algs[i];
	return NULL;
}

bool
prf_supported(enum ike_prf id)
{
	return prf_alg_find(id) != NULL;
}

int
prf_new(enum ike_prf id, struct prf **ret)
{
	const struct prf_alg *alg = prf_alg_find(id);
	struct prf *p;

	if (alg == NULL)
		return -EOPNOTSUPP;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->alg = alg;
	p->mac = hmac_fetch();
	if (p->mac == NULL) {
		free(p);
		return -EIO;
	}
	*ret = p;
	return 0;
}

void
prf_free(struct prf *p)
{
	if (p == NULL)
		return;
	EVP_MAC_free(p->mac);
	free(p);
}

enum ike_prf
prf_id(const struct prf *p)
{
	return p->alg->id;
}

size_t
prf_len(const struct prf *p)
{
	return p->alg->len;
}

int
prf_vec(const struct prf *p, const struct rd *key, const struct rd *data,
    size_t n_data, uint8_t *ret, size_t ret_cap)
{
	EVP_MAC_CTX *keyed;
	int r;

	if (ret_cap < p->alg->len)
		return -ENOSPC;
	/* An empty HMAC key means "keep the old key" to EVP_MAC_init. */
	if (key->len == 0)
		return -EINVAL;
	keyed = hmac_ctx_new(p->mac, p->alg->digest, key);
	if (keyed == NULL)
		return crypto_ssl_error("HMAC init");
	r = hmac_run(keyed, data, n_data, ret, ret_cap);
	EVP_MAC_CTX_free(keyed);
	return r;
}

int
prf(const struct prf *p, const struct rd *key, const struct rd *data,
    uint8_t *ret, size_t ret_cap)
{
	return prf_vec(p, key, data, 1, ret, ret_cap);
}

int
prf_plus(const struct prf *p, const struct rd *key, const struct rd *seed,
    size_t len, uint8_t *ret)
{
	uint8_t t[PRF_MAX_LEN];
	size_t n = p->alg->len, done = 0, take;
	EVP_MAC_CTX *keyed;
	unsigned int i;
	uint8_t octet;
	int r = 0;

	if (len > PRF_PLUS_MAX_BLOCKS * n || key->len == 0)
		return -EINVAL;
	keyed = hmac_ctx_new(p->mac, p->alg->digest, key);
	if (keyed == NULL)
		return crypto_ssl_error("HMAC init");
	for (i = 1; done < len; i++) {
		/* Tn = prf(K, Tn-1 | S | n), with T0 empty. */
		struct rd parts[3] = { rd_make(t, i == 1 ? 0 : n), *seed,
			rd_make(&octet, 1) };

		octet = (uint8_t)i;
		r = hmac_run(keyed, parts, ARRAY_SIZE(parts), t, sizeof(t));
		if (r < 0)
			goto out;
		take = len - done < n ? len - done : n;
		memcpy(ret + done, t, take);
		done += take;
	}
out:
	if (r < 0)
		wipe(ret, len);
	wipe(t, sizeof(t));
	EVP_MAC_CTX_free(keyed);
	return r;
}

/* ------------------------------------------------------------------ */
/* Integrity. */

struct integ_alg {
	enum ike_integ id;
	const char *digest; /* OpenSSL digest name */
	size_t key_len;	    /* bytes */
	size_t icv_len;	    /* bytes: truncated HMAC output */
};

static const struct integ_alg integ_algs[] = {
	{ IKE_INTEG_HMAC_SHA1_96, "SHA1", 20, 12 },
	{ IKE_INTEG_HMAC_SHA2_256_128, "SHA2-256", 32, 16 },
	{ IKE_INTEG_HMAC_SHA2_384_192, "SHA2-384", 48, 24 },
	{ IKE_INTEG_HMAC_SHA2_512_256, "SHA2-512", 64, 32 },
};

struct integ {
	const struct integ_alg *alg; /* static table entry */
	EVP_MAC *mac;		     /* owned: fetched HMAC */
	EVP_MAC_CTX *keyed;	     /* owned, secret: NULL until keyed */
};

static const struct integ_alg *
integ_alg_find(enum ike_integ id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(integ_algs); i++)
		if (integ_algs[i].id == id)
			return &integ_algs[i];
	return NULL;
}

bool
integ_supported(enum ike_integ id)
{
	return integ_alg_find(id) != NULL;
}

int
integ_new(enum ike_integ id, struct integ **ret)
{
	const struct integ_alg *alg = integ_alg_find(id);
	struct integ *g;

	if (alg == NULL)
		return -EOPNOTSUPP;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->alg = alg;
	g->mac = hmac_fetch();
	if (g->mac == NULL) {
		free(g);
		return -EIO;
	}
	*ret = g;
	return 0;
}

void
integ_free(struct integ *g)
{
	if (g == NULL)
		return;
	/* The HMAC provider cleanses its key copy when freed. */
	EVP_MAC_CTX_free(g->keyed);
	EVP_MAC_free(g->mac);
	free(g);
}

size_t
integ_key_len(const struct integ *g)
{
	return g->alg->key_len;
}

size_t
integ_icv_len(const struct integ *g)
{
	return g->alg->icv_len;
}

int
integ_set_key(struct integ *g, const struct rd *key)
{
	EVP_MAC_CTX *keyed;

	if (key->len != g->alg->key_len)
		return -EINVAL;
	keyed = hmac_ctx_new(g->mac, g->alg->digest, key);
	if (keyed == NULL)
		return crypto_ssl_error("HMAC init");
	EVP_MAC_CTX_free(g->keyed);
	g->keyed = keyed;
	return 0;
}

int
integ_compute(const struct integ *g, const struct rd *data, size_t n_data,
    uint8_t *ret_icv)
{
	uint8_t full[PRF_MAX_LEN];
	int r;

	if (g->keyed == NULL)
		return -EINVAL;
	r = hmac_run(g->keyed, data, n_data, full, sizeof(full));
	if (r == 0)
		memcpy(ret_icv, full, g->alg->icv_len);
	wipe(full, sizeof(full));
	return r;
}

int
integ_verify(const struct integ *g, const struct rd *data, const struct rd *icv)
{
	uint8_t want[INTEG_MAX_ICV_LEN];
	int r;

	if (icv->len != g->alg->icv_len)
		return -EBADMSG;
	r = integ_compute(g, data, 1, want);
	if (r == 0 && !crypto_memeq(want, icv->p, icv->len))
		r = -EBADMSG;
	wipe(want, sizeof(want));
	return r;
}

/* ------------------------------------------------------------------ */
/* Encryption. */

struct encr_alg {
	enum ike_encr id;
	bool aead;
	size_t iv_len;	  /* bytes on the wire */
	size_t block_len; /* bytes: plaintext alignment */
	size_t icv_len;	  /* bytes: AEAD tag, 0 for CBC */
	size_t salt_len;  /* bytes at the end of the key */
};

static const struct encr_alg encr_algs[] = {
	{ IKE_ENCR_AES_CBC, false, 16, 16, 0, 0 },
	/*
	 * RFC 5282 3: GCM needs no alignment; the SK payload keeps its
	 * Pad Length octet, and padding to a block length of 1 means none.
	 */
	{ IKE_ENCR_AES_GCM_8, true, 8, 1, 8, ENCR_GCM_SALT_LEN },
	{ IKE_ENCR_AES_GCM_12, true, 8, 1, 12, ENCR_GCM_SALT_LEN },
	{ IKE_ENCR_AES_GCM_16, true, 8, 1, 16, ENCR_GCM_SALT_LEN },
};

#define GCM_NONCE_LEN 12 /* salt (4) | IV (8) */
#define GCM_TAG_LEN   16 /* full tag; shorter ICVs are its prefix */

struct encr {
	const struct encr_alg *alg;	 /* static table entry */
	unsigned key_bits;		 /* AES key, without salt */
	EVP_CIPHER *cipher;		 /* owned: fetched AES mode */
	EVP_CIPHER_CTX *seal;		 /* owned, secret: keyed */
	EVP_CIPHER_CTX *open;		 /* owned, secret: keyed */
	uint8_t salt[ENCR_GCM_SALT_LEN]; /* secret, GCM */
	bool keyed;
	uint64_t iv_next; /* GCM IV counter */
	bool iv_spent;	  /* counter wrapped */
};

static const struct encr_alg *
encr_alg_find(enum ike_encr id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(encr_algs); i++)
		if (encr_algs[i].id == id)
			return &encr_algs[i];
	return NULL;
}

bool
encr_supported(enum ike_encr id, unsigned key_bits)
{
	return encr_alg_find(id) != NULL &&
	    (key_bits == 128 || key_bits == 192 || key_bits == 256);
}

static EVP_CIPHER *
encr_fetch(const struct encr_alg *alg, unsigned key_bits)
{
	char name[32];
	EVP_CIPHER *c;

	(void)snprintf(name, sizeof(name), "AES-%u-%s", key_bits,
	    alg->aead ? "GCM" : "CBC");
	c = EVP_CIPHER_fetch(NULL, name, NULL);
	if (c == NULL)
		(void)crypto_ssl_error(name);
	return c;
}

int
encr_new(enum ike_encr id, unsigned key_bits, struct encr **ret)
{
	struct encr *e;

	if (!encr_supported(id, key_bits))
		return -EOPNOTSUPP;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->alg = encr_alg_find(id);
	e->key_bits = key_bits;
	e->cipher = encr_fetch(e->alg, key_bits);
	e->seal = EVP_CIPHER_CTX_new();
	e->open = EVP_CIPHER_CTX_new();
	if (e->cipher == NULL || e->seal == NULL || e->open == NULL) {
		encr_free(e);
		return -ENOMEM;
	}
	*ret = e;
	return 0;
}

void
encr_free(struct encr *e)
{
	if (e == NULL)
		return;
	/* EVP_CIPHER_CTX_free cleanses the key schedule. */
	EVP_CIPHER_CTX_free(e->seal);
	EVP_CIPHER_CTX_free(e->open);
	EVP_CIPHER_free(e->cipher);
	wipe(e->salt, sizeof(e->salt));
	free(e);
}

size_t
encr_key_len(const struct encr *e)
{
	return e->key_bits / 8 + e->alg->salt_len;
}

size_t
encr_iv_len(const struct encr *e)
{
	return e->alg->iv_len;
}

size_t
encr_block_len(const struct encr *e)
{
	return e->alg->block_len;
}

size_t
encr_icv_len(const struct encr *e)
{
	return e->alg->icv_len;
}

bool
encr_is_aead(const struct encr *e)
{
	return e->alg->aead;
}

int
encr_set_key(struct encr *e, const struct rd *key)
{
	size_t aes_len = e->key_bits / 8;

	if (key->len != encr_key_len(e))
		return -EINVAL;
	if (EVP_CipherInit_ex2(e->seal, e->cipher, key->p, NULL, 1, NULL) !=
		1 ||
	    EVP_CipherInit_ex2(e->open, e->cipher, key->p, NULL, 0, NULL) != 1)
		return crypto_ssl_error("EVP_CipherInit_ex2");
	/* IKE pads itself (RFC 7296 3.14); OpenSSL must not add PKCS#7. */
	(void)EVP_CIPHER_CTX_set_padding(e->seal, 0);
	(void)EVP_CIPHER_CTX_set_padding(e->open, 0);
	memcpy(e->salt, key->p + aes_len, e->alg->salt_len);
	e->keyed = true;
	e->iv_next = 0;
	e->iv_spent = false;
	return 0;
}

int
encr_next_iv(struct encr *e, uint8_t *ret_iv)
{
	size_t i;

	if (!e->alg->aead)
		return crypto_random(ret_iv, e->alg->iv_len);
	if (e->iv_spent)
		return -EOVERFLOW;
	for (i = 0; i < 8; i++)
		ret_iv[i] = (uint8_t)(e->iv_next >> (56 - 8 * i));
	if (++e->iv_next == 0)
		e->iv_spent = true;
	return 0;
}

/* Loads the per-message IV (CBC) or salt | IV nonce (GCM) into ctx. */
static int
encr_load_iv(const struct encr *e, EVP_CIPHER_CTX *ctx, const uint8_t *iv)
{
	uint8_t nonce[GCM_NONCE_LEN];
	const uint8_t *use = iv;
	int r = 0;

	if (e->alg->aead) {
		memcpy(nonce, e->salt, ENCR_GCM_SALT_LEN);
		memcpy(nonce + ENCR_GCM_SALT_LEN, iv, e->alg->iv_len);
		use = nonce;
	}
	if (EVP_CipherInit_ex2(ctx, NULL, NULL, use, -1, NULL) != 1)
		r = crypto_ssl_error("EVP_CipherInit_ex2(iv)");
	wipe(nonce, sizeof(nonce));
	return r;
}

/* Feeds the AAD (GCM) and the text through ctx; out gets in->len bytes. */
static int
encr_run(EVP_CIPHER_CTX *ctx, const struct rd *aad, const struct rd *in,
    uint8_t *out)
{
	int outl = 0, finl = 0;

	if (aad->len > INT_MAX || in->len > INT_MAX)
		return -EINVAL;
	if (aad->len > 0 &&
	    EVP_CipherUpdate(ctx, NULL, &outl, aad->p, (int)aad->len) != 1)
		return crypto_ssl_error("EVP_CipherUpdate(aad)");
	outl = 0;
	if (in->len > 0 &&
	    EVP_CipherUpdate(ctx, out, &outl, in->p, (int)in->len) != 1)
		return crypto_ssl_error("EVP_CipherUpdate");
	/* A failing final on open is the tag check: not an internal error. */
	if (EVP_CipherFinal_ex(ctx, out + outl, &finl) != 1) {
		ERR_clear_error();
		return -EBADMSG;
	}
	return (size_t)outl + (size_t)finl == in->len ? 0 : -EIO;
}

int
encr_seal(const struct encr *e, const uint8_t *iv, const struct rd *aad,
    const struct rd *plain, uint8_t *ret_out)
{
	uint8_t tag[GCM_TAG_LEN];
	OSSL_PARAM params[2];
	int r;

	if (!e->keyed || (!e->alg->aead && aad->len != 0) ||
	    plain->len % e->alg->block_len != 0)
		return -EINVAL;
	r = encr_load_iv(e, e->seal, iv);
	if (r == 0)
		r = encr_run(e->seal, aad, plain, ret_out);
	if (r == -EBADMSG)
		r = crypto_ssl_error("EVP_CipherFinal_ex(seal)");
	if (r < 0 || !e->alg->aead)
		return r;
	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_CIPHER_PARAM_AEAD_TAG, tag, sizeof(tag));
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_CIPHER_CTX_get_params(e->seal, params) != 1)
		return crypto_ssl_error("get AEAD tag");
	/* RFC 4106 / 5282: the shorter ICVs are the tag's first bytes. */
	memcpy(ret_out + plain->len, tag, e->alg->icv_len);
	return 0;
}

/* GCM: hands the received ICV to the open ctx before the final check. */
static int
encr_set_tag(const struct encr *e, const struct rd *tag)
{
	OSSL_PARAM params[2];

	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag->p, tag->len);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_CIPHER_CTX_set_params(e->open, params) != 1)
		return crypto_ssl_error("set AEAD tag");
	return 0;
}

int
encr_open(const struct encr *e, const uint8_t *iv, const struct rd *aad,
    const struct rd *in, uint8_t *ret_plain)
{
	struct rd text = *in, tag;
	int r;

	if (!e->keyed || (!e->alg->aead && aad->len != 0))
		return -EINVAL;
	if (in->len < e->alg->icv_len)
		return -EBADMSG;
	text.len -= e->alg->icv_len;
	tag = rd_make(in->p + text.len, e->alg->icv_len);
	if (text.len % e->alg->block_len != 0)
		return -EBADMSG;
	r = encr_load_iv(e, e->open, iv);
	if (r == 0 && e->alg->aead)
		r = encr_set_tag(e, &tag);
	if (r == 0)
		r = encr_run(e->open, aad, &text, ret_plain);
	if (r < 0)
		wipe(ret_plain, text.len);
	return r;
}
