/* SPDX-License-Identifier: ISC */
/*
 * crypto_sig.h: the signatures of IKE_AUTH.  The gateway's AUTH payload is
 * checked against the public key of its (already verified) certificate;
 * with `auth: pubkey` ours is made with the client key.  The signed octets
 * (RFC 7296 2.15: the message, the peer's nonce, prf(SK_p, ID')) are built
 * by the caller; this module only signs and verifies them.
 *
 * Methods (RFC 7296 3.8): 1, RSASSA-PKCS1-v1_5 with SHA-1 (the hash RFC
 * 7427 1 notes method 1 is fixed to); 9, 10, 11, ECDSA with SHA-256/384/512
 * on P-256/384/521, r | s (RFC 4754); 14, RFC 7427 digital signatures: one
 * length octet, an ASN.1 AlgorithmIdentifier, then the signature.  Method
 * 14 accepts sha256/384/512WithRSAEncryption, RSASSA-PSS with its
 * parameters (RFC 4055), ecdsa-with-SHA256/384/512 (RFC 5758) and Ed25519
 * and Ed448 (RFC 8420); SHA-1 is refused there (RFC 8247 3.2 says MUST
 * NOT; our SIGNATURE_HASH_ALGORITHMS never offers it).
 *
 * Errors: -EBADMSG for AUTH data that does not parse, -EOPNOTSUPP for an
 * algorithm or method we do not do, -EPROTO for an algorithm that does not
 * fit the key (an ECDSA AlgorithmIdentifier with an RSA certificate),
 * -EACCES for a signature that does not verify, -ENOSPC when the writer is
 * full.
 */
#ifndef P2S_CRYPTO_SIG_H
#define P2S_CRYPTO_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "compat.h"
#include "ike.h"
#include "wire.h"

/* How a signature is made. */
enum sig_scheme {
	SIG_RSA_PKCS1 = 1, /* RSASSA-PKCS1-v1_5 */
	SIG_RSA_PSS = 2,   /* RSASSA-PSS, MGF1 */
	SIG_ECDSA = 3,
	SIG_ED25519 = 4, /* pure EdDSA: hash is IKE_HASH_IDENTITY */
	SIG_ED448 = 5,
};

struct sig_alg {
	enum ike_auth_method method; /* 1, 9, 10, 11 or 14 */
	enum sig_scheme scheme;
	enum ike_hash hash;	 /* message digest */
	enum ike_hash mgf1_hash; /* PSS only */
	uint16_t salt_len;	 /* PSS only: bytes */
};

/* Bit (1 << enum ike_hash) set for each hash in a SIGNATURE_HASH_
 * ALGORITHMS notify; ours lists SHA2-256/384/512 and Identity. */
#define SIG_HASH_BIT(h) (1u << (h))
#define SIG_HASHES_OURS                                                        \
	(SIG_HASH_BIT(IKE_HASH_SHA2_256) | SIG_HASH_BIT(IKE_HASH_SHA2_384) |   \
	    SIG_HASH_BIT(IKE_HASH_SHA2_512) | SIG_HASH_BIT(IKE_HASH_IDENTITY))

/* Notify data of SIGNATURE_HASH_ALGORITHMS (RFC 7427 4): 16-bit hash
 * numbers.  Parsing ignores numbers we do not know; -EBADMSG for an odd
 * length. */
int crypto_sig_parse_hashes(const struct rd *data, uint32_t *ret_mask);
void crypto_sig_build_hashes(struct wr *);

/*
 * Splits AUTH data (after the method and reserved octets) into what
 * signed it and the signature.  Methods 1, 9, 10, 11 imply the algorithm;
 * for 14 the AlgorithmIdentifier is parsed.  ret_sig borrows from data.
 */
int crypto_sig_parse_auth(enum ike_auth_method, const struct rd *data,
    struct sig_alg *ret_alg, struct rd *ret_sig);

/*
 * Verifies the gateway's AUTH data over the signed octets with the public
 * key of signer.  ret_reason (may be NULL) says why not, for the log.
 */
int crypto_sig_verify(const struct cert *signer, enum ike_auth_method,
    const struct rd *data, const struct rd *octets, char *ret_reason,
    size_t reason_len);

/*
 * Our signature.  crypto_sig_choose picks how to sign with key for a peer
 * that sent peer_hashes (0: no SIGNATURE_HASH_ALGORITHMS notify, so the
 * classic method 1, 9, 10 or 11): method 14 with the hash that fits the key
 * (SHA-256 for RSA; SHA-256/384/512 for P-256/384/521) if the peer lists
 * it, else another it lists.  RSA signs with PKCS#1 v1.5 unless rsa_pss
 * (salt = hash length, RFC 8247 3.2).  -EOPNOTSUPP when no method fits
 * (Ed25519 to a peer that did not list Identity).
 */
int crypto_sig_choose(const struct key_ref *, uint32_t peer_hashes,
    bool rsa_pss, struct sig_alg *ret);
/* Writes the AUTH data (after method and reserved) for alg over octets. */
int crypto_sig_sign(const struct key_ref *, const struct sig_alg *,
    const struct rd *octets, struct wr *);

#endif /* P2S_CRYPTO_SIG_H */
