/* SPDX-License-Identifier: ISC */
/*
 * crypto.h: the crypto boundary.  Opaque types named in IKE terms: a PRF
 * (prf, prf+), an integrity transform, an encryption transform (AES-CBC,
 * or AES-GCM as an AEAD), a key exchange (MODP, ECP, Curve25519), random
 * bytes and a constant-time compare.  Only src/crypto*.c know that OpenSSL
 * implements them; nothing here exposes an OpenSSL type.
 *
 * RFC 7296 2.13 (prf+), 3.3.2 (transform IDs), 3.4 (KE data); RFC 4868
 * (HMAC-SHA2 PRF and truncated integrity); RFC 3602 (AES-CBC); RFC 5282
 * (AES-GCM in IKEv2: 4-byte salt at the end of the key, 8-byte IV);
 * RFC 3526, 5114, 5903 and 8031 (groups 2, 14, 24, 19, 20, 31).
 *
 * Secrets handed out (shared secrets, prf+ output) live in buf_new_secret
 * buffers or in caller memory the caller wipes.  Keyed objects copy their
 * keys and wipe them on free.  Every _free accepts NULL.
 */
#ifndef P2S_CRYPTO_H
#define P2S_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "compat.h"
#include "ike.h"
#include "wire.h"

#define PRF_MAX_LEN	    64	/* bytes: HMAC-SHA2-512 output */
#define PRF_PLUS_MAX_BLOCKS 255 /* RFC 7296 2.13: one-octet counter */
#define INTEG_MAX_ICV_LEN   32	/* bytes: HMAC-SHA2-512-256 */
#define ENCR_MAX_KEY_LEN    36	/* bytes: AES-256 key + GCM salt */
#define ENCR_MAX_IV_LEN	    16	/* bytes: AES-CBC */
#define ENCR_MAX_ICV_LEN    16	/* bytes: AES-GCM-16 */
#define ENCR_GCM_SALT_LEN   4	/* RFC 5282 section 3 (and RFC 4106 8.1) */
#define KEX_MAX_PUBLIC_LEN  256 /* bytes: MODP 2048 */
#define KEX_MAX_SECRET_LEN  256 /* bytes: MODP 2048 */

/* ------------------------------------------------------------------ */
/* Random bytes and constant-time comparison. */

/* Fills buf from the CSPRNG; -EIO if the generator failed. */
int crypto_random(void *buf, size_t len) P2S_WUR;

/* True when the len bytes at a and b are equal; time depends on len only. */
bool crypto_memeq(const void *a, const void *b, size_t len);

/* ------------------------------------------------------------------ */
/*
 * SHA-1 over several pieces, for the few places IKEv2 fixes it as a plain
 * hash, not for security: NAT detection (RFC 7296 2.23) and CERTREQ
 * authority hashes (3.7).  Added by the IKE engine.
 */
#define CRYPTO_SHA1_LEN 20 /* bytes */

int crypto_sha1(const struct rd *data, size_t n_data,
    uint8_t ret[static CRYPTO_SHA1_LEN]) P2S_WUR;

/* ------------------------------------------------------------------ */
/*
 * PRF (transform type 2).  HMAC PRFs only: with HMAC any key length is
 * allowed and the preferred key length equals the output length (RFC 4868
 * 2.1.2), which is what RFC 7296 2.14 assumes for SK_d, SK_pi and SK_pr.
 * Fixed-key-size PRFs (AES-XCBC, RFC 4434) need extra key rules in 2.14
 * and are not supported (-EOPNOTSUPP); neither is HMAC-MD5.
 */
struct prf;

bool prf_supported(enum ike_prf);
int prf_new(enum ike_prf, struct prf **ret) P2S_WUR;
void prf_free(struct prf *);
enum ike_prf prf_id(const struct prf *);
size_t prf_len(const struct prf *); /* output = preferred key length */

/* ret (ret_cap >= prf_len) = prf(key, data[0] | data[1] | ...). */
int prf_vec(const struct prf *, const struct rd *key, const struct rd *data,
    size_t n_data, uint8_t *ret, size_t ret_cap) P2S_WUR;
int prf(const struct prf *, const struct rd *key, const struct rd *data,
    uint8_t *ret, size_t ret_cap) P2S_WUR;

/*
 * RFC 7296 2.13: ret (len bytes) = the first len bytes of
 * T1 | T2 | ...,  T1 = prf(K, S | 0x01),  Tn = prf(K, Tn-1 | S | n).
 * -EINVAL when len needs more than 255 blocks.
 */
int prf_plus(const struct prf *, const struct rd *key, const struct rd *seed,
    size_t len, uint8_t *ret) P2S_WUR;

/* ------------------------------------------------------------------ */
/*
 * Integrity (transform type 3): HMAC-SHA1-96 (RFC 2404) and
 * HMAC-SHA2-256-128, -384-192, -512-256 (RFC 4868): the HMAC output
 * truncated to its first icv_len bytes, keyed with exactly key_len bytes.
 */
struct integ;

bool integ_supported(enum ike_integ);
int integ_new(enum ike_integ, struct integ **ret) P2S_WUR;
void integ_free(struct integ *);
size_t integ_key_len(const struct integ *);
size_t integ_icv_len(const struct integ *);
/* key->len must equal integ_key_len; the key is copied. */
int integ_set_key(struct integ *, const struct rd *key) P2S_WUR;
/* ret_icv (integ_icv_len bytes) = MAC over data[0] | data[1] | ... */
int integ_compute(const struct integ *, const struct rd *data, size_t n_data,
    uint8_t *ret_icv) P2S_WUR;
/* 0 when icv matches, -EBADMSG otherwise; compares in constant time. */
int integ_verify(
    const struct integ *, const struct rd *data, const struct rd *icv) P2S_WUR;

/* ------------------------------------------------------------------ */
/*
 * Encryption (transform type 1): AES-CBC (RFC 3602) and AES-GCM with 8,
 * 12 or 16-byte ICV (RFC 5282, RFC 4106), with 128, 192 or 256-bit keys.
 * For GCM the key material is the AES key followed by a 4-byte salt, and
 * the 12-byte nonce is salt | 8-byte IV.  The same object serves the SK
 * payload and ESP: it sees only IV, AAD and text.
 */
struct encr;

bool encr_supported(enum ike_encr, unsigned key_bits);
/* key_bits is the Key Length attribute (128, 192 or 256). */
int encr_new(enum ike_encr, unsigned key_bits, struct encr **ret) P2S_WUR;
void encr_free(struct encr *);
size_t encr_key_len(const struct encr *);   /* bytes, incl. GCM salt */
size_t encr_iv_len(const struct encr *);    /* bytes on the wire */
size_t encr_block_len(const struct encr *); /* plaintext alignment */
size_t encr_icv_len(const struct encr *);   /* AEAD tag; 0 for CBC */
bool encr_is_aead(const struct encr *);
/* key->len must equal encr_key_len; the key is copied. */
int encr_set_key(struct encr *, const struct rd *key) P2S_WUR;

/*
 * The next IV for a message under this key: a 64-bit counter for GCM
 * (RFC 5282 needs uniqueness, not unpredictability; a counter never
 * repeats, -EOVERFLOW when exhausted), fresh random bytes for CBC (RFC
 * 7296 3.14: MUST be unpredictable).  ret_iv holds encr_iv_len bytes.
 */
int encr_next_iv(struct encr *, uint8_t *ret_iv) P2S_WUR;

/*
 * Seal plain into ret_out: CBC writes plain->len bytes (a multiple of the
 * block length, no AAD); GCM writes plain->len + icv_len bytes (ciphertext
 * then tag).  ret_out may equal plain->p (in place).
 */
int encr_seal(const struct encr *, const uint8_t *iv, const struct rd *aad,
    const struct rd *plain, uint8_t *ret_out) P2S_WUR;
/*
 * Open in (CBC: ciphertext; GCM: ciphertext | tag) into ret_plain, which
 * receives in->len - icv_len bytes.  -EBADMSG on a bad length or a tag
 * mismatch; ret_plain's content is then unspecified (and wiped for GCM).
 */
int encr_open(const struct encr *, const uint8_t *iv, const struct rd *aad,
    const struct rd *in, uint8_t *ret_plain) P2S_WUR;

/* ------------------------------------------------------------------ */
/*
 * Key exchange (transform type 4).  kex_new makes an ephemeral private
 * key; kex_public is the KE payload's Key Exchange Data (RFC 7296 3.4:
 * MODP left-padded to the length of p; RFC 5903 7: ECP x | y without the
 * 0x04 prefix; RFC 8031 3: the 32-byte X25519 u-coordinate).  kex_derive
 * validates the peer's value (-EBADMSG) and returns g^ir in a secret
 * buffer (MODP: padded to the length of p; ECP: the x coordinate).
 */
struct kex;

bool kex_supported(enum ike_dh);
size_t kex_public_len(enum ike_dh); /* 0 when unsupported */
int kex_new(enum ike_dh, struct kex **ret) P2S_WUR;
void kex_free(struct kex *);
enum ike_dh kex_group(const struct kex *);
/* A view of our public value, valid while the kex lives. */
struct rd kex_public(const struct kex *);
int kex_derive(
    const struct kex *, const struct rd *peer, struct buf **ret_secret) P2S_WUR;

/*
 * TEST HOOK, for known-answer tests only: a kex with the given private
 * value (MODP/ECP: big-endian integer; X25519: 32-byte scalar).  Nothing
 * in the daemon calls it; a fixed private key must never meet a network.
 */
int kex_new_from_private(
    enum ike_dh, const struct rd *priv, struct kex **ret) P2S_WUR;

#endif /* P2S_CRYPTO_H */
