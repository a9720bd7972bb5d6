/* SPDX-License-Identifier: ISC */
/*
 * ike_keys.h: the IKEv2 key schedule.  From the key exchange's g^ir, the
 * nonces and the SPIs to SKEYSEED and SK_d, SK_ai, SK_ar, SK_ei, SK_er,
 * SK_pi, SK_pr (RFC 7296 2.14), the rekeyed IKE SA (2.18), the CHILD_SA
 * KEYMAT (2.17), and the octets that AUTH covers (2.15, 2.16).  It holds no
 * OpenSSL: every primitive is a crypto.h call.
 *
 * Only HMAC PRFs are supported (see crypto.h), so the special key rules of
 * 2.14 for fixed-key-size PRFs (AES-XCBC: Ni and Nr halves) never apply.
 *
 * All keys are secret: they live in buf_new_secret buffers or in keyed
 * crypto objects and are wiped when the struct is freed.
 */
#ifndef P2S_IKE_KEYS_H
#define P2S_IKE_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "crypto.h"
#include "ike.h"
#include "wire.h"

/* The negotiated transforms that decide the key lengths. */
struct ike_suite {
	enum ike_encr encr;
	unsigned encr_bits;   /* Key Length attribute: 128/192/256 */
	enum ike_integ integ; /* IKE_INTEG_NONE with AES-GCM */
	enum ike_prf prf;     /* IKE SA only; ignored for ESP */
};

/* The keys that protect one direction of SK payloads. */
struct ike_sk_dir {
	struct encr *encr;   /* owned, keyed: SK_ei or SK_er */
	struct integ *integ; /* owned, keyed: SK_ai or SK_ar; NULL AEAD */
};

struct ike_keys {
	struct ike_suite suite; /* what the lengths follow */
	bool initiator;		/* we initiated this IKE SA */
	struct prf *prf;	/* owned: the negotiated PRF */
	struct buf *sk_d;	/* owned, secret: prf_len */
	struct buf *sk_ai;	/* owned, secret; NULL AEAD */
	struct buf *sk_ar;	/* owned, secret; NULL AEAD */
	struct buf *sk_ei;	/* owned, secret; incl. salt */
	struct buf *sk_er;	/* owned, secret; incl. salt */
	struct buf *sk_pi;	/* owned, secret: prf_len */
	struct buf *sk_pr;	/* owned, secret: prf_len */
	struct ike_sk_dir out;	/* ours: SK_e/ai if initiator */
	struct ike_sk_dir in;	/* the peer's */
};

/* SKEYSEED = prf(Ni | Nr, g^ir); ret_cap >= prf_len. */
int ike_keys_skeyseed(const struct prf *, const struct rd *ni,
    const struct rd *nr, const struct rd *g_ir, uint8_t *ret,
    size_t ret_cap) P2S_WUR;

/*
 * Rekeyed IKE SA (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr),
 * with the old IKE SA's PRF.
 */
int ike_keys_skeyseed_rekey(const struct prf *old_prf,
    const struct rd *old_sk_d, const struct rd *g_ir, const struct rd *ni,
    const struct rd *nr, uint8_t *ret, size_t ret_cap) P2S_WUR;

/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *     = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr),
 * with the suite's PRF, and keys the two SK directions.  initiator: we
 * are the initiator of this IKE SA (of the CREATE_CHILD_SA exchange that
 * made it, for a rekey); it decides which keys are "out".
 */
int ike_keys_from_skeyseed(const struct ike_suite *, const struct rd *skeyseed,
    const struct rd *ni, const struct rd *nr,
    const uint8_t spi_i[static IKE_SPI_LEN],
    const uint8_t spi_r[static IKE_SPI_LEN], bool initiator,
    struct ike_keys **ret) P2S_WUR;

/* IKE_SA_INIT (2.14): SKEYSEED, then the keys. */
int ike_keys_new(const struct ike_suite *, const struct rd *g_ir,
    const struct rd *ni, const struct rd *nr,
    const uint8_t spi_i[static IKE_SPI_LEN],
    const uint8_t spi_r[static IKE_SPI_LEN], bool initiator,
    struct ike_keys **ret) P2S_WUR;

/* IKE SA rekey (2.18): Ni, Nr, SPIs and g^ir of the CREATE_CHILD_SA. */
int ike_keys_rekey(const struct ike_keys *old, const struct ike_suite *,
    const struct rd *g_ir, const struct rd *ni, const struct rd *nr,
    const uint8_t spi_i[static IKE_SPI_LEN],
    const uint8_t spi_r[static IKE_SPI_LEN], bool initiator,
    struct ike_keys **ret) P2S_WUR;

void ike_keys_free(struct ike_keys *);

/* ESP keys for one CHILD_SA, as seen by one side. */
struct ike_child_keys {
	struct buf *encr_out;  /* owned, secret; incl. GCM salt */
	struct buf *integ_out; /* owned, secret; NULL with AEAD */
	struct buf *encr_in;   /* owned, secret; incl. GCM salt */
	struct buf *integ_in;  /* owned, secret; NULL with AEAD */
};

/*
 * 2.17: KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr)
 * with PFS (g_ir non-NULL).  The initiator-to-responder keys come first,
 * encryption then integrity.  initiator: we initiated the exchange that
 * created this CHILD_SA, so those first keys are our outbound ones.
 */
int ike_keys_child(const struct ike_keys *, const struct ike_suite *esp,
    const struct rd *g_ir, const struct rd *ni, const struct rd *nr,
    bool initiator, struct ike_child_keys *ret) P2S_WUR;
void ike_child_keys_done(struct ike_child_keys *);

/*
 * 2.15: the octets AUTH covers, for the initiator (of_initiator) or the
 * responder:
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI
 *   ResponderSignedOctets = RealMessage2 | NonceIData | MACedIDForR
 *   MACedIDForI = prf(SK_pi, RestOfInitIDPayload), likewise with SK_pr.
 * real_msg: the IKE_SA_INIT message that side sent, from the IKE header
 * on; nonce: the other side's Nonce Data; id_body: that side's ID payload
 * body (ID Type, reserved, data: after the generic payload header).
 */
int ike_keys_signed_octets(const struct ike_keys *, bool of_initiator,
    const struct rd *real_msg, const struct rd *nonce, const struct rd *id_body,
    struct buf **ret) P2S_WUR;

/*
 * 2.15 / 2.16: AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"),
 * <SignedOctets>); with EAP the shared secret is the MSK.  ret_cap >=
 * prf_len; the AUTH value is prf_len bytes.
 */
int ike_keys_auth_psk(const struct ike_keys *, const struct rd *secret,
    const struct rd *signed_octets, uint8_t *ret, size_t ret_cap) P2S_WUR;

/* 0 when auth equals the expected AUTH (constant time), else -EACCES. */
int ike_keys_auth_psk_verify(const struct ike_keys *, const struct rd *secret,
    const struct rd *signed_octets, const struct rd *auth) P2S_WUR;

#endif /* P2S_IKE_KEYS_H */
