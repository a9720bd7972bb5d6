/* SPDX-License-Identifier: ISC */
/*
 * ike_sk.h: sealing and opening the Encrypted payload (SK, RFC 7296 3.14)
 * and the Encrypted Fragment payload (SKF, RFC 7383 2.5) with the keys of
 * an IKE SA.  The message codec builds and splits messages; this module
 * owns only the bytes from the IV to the end of the message:
 *
 *   IKE header | ... | SK header | [SKF: Fragment# | Total] |
 *   IV | ciphertext of (inner payloads | Padding | Pad Length) | ICV
 *
 * The SK (or SKF) payload is the last payload of its message, so its end
 * is the message's end.  With AES-GCM (RFC 5282 5.1, RFC 7383 2.5.3) the
 * AAD is everything before the IV and the nonce is salt | IV; with
 * AES-CBC + HMAC the ICV covers the message from the IKE header to the end
 * of the ciphertext and is checked before anything is decrypted.
 */
#ifndef P2S_IKE_SK_H
#define P2S_IKE_SK_H

#include <stddef.h>

#include "buf.h"
#include "ike_keys.h"
#include "wire.h"

/* Offset of the Length field in the IKE header (RFC 7296 3.1). */
#define IKE_HDR_LENGTH_OFF 24

/* Bytes that sealing inner_len bytes adds: IV, padding, Pad Length, ICV. */
size_t ike_sk_overhead(const struct ike_keys *, size_t inner_len);

/*
 * Seals inner into msg with our outbound keys.  On entry msg holds the
 * message up to the IV: the IKE header, any payloads before SK, and the SK
 * (or SKF) header at sk_off with its fragment fields.  ike_sk_seal appends
 * IV, ciphertext and ICV, then patches the SK Payload Length and the IKE
 * header Length before the AAD or ICV is computed.  inner may lie in msg's
 * buffer.  -ENOSPC when msg is too small (msg's error is then set),
 * -EOVERFLOW when the GCM IVs of this key are spent.
 */
int ike_sk_seal(struct ike_keys *, struct wr *msg, size_t sk_off,
    const struct rd *inner) P2S_WUR;

/*
 * Opens a received message (IKE header to the end of SK or SKF) whose IV
 * starts at iv_off, with the peer's keys.  ret_inner gets the inner
 * payloads without padding.  -EBADMSG when the message is too short, the
 * ciphertext is misaligned, the ICV does not verify or the Pad Length does
 * not fit.
 */
int ike_sk_open(const struct ike_keys *, const struct rd *msg, size_t iv_off,
    struct buf **ret_inner) P2S_WUR;

#endif /* P2S_IKE_SK_H */
