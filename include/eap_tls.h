/* SPDX-License-Identifier: ISC */
/*
 * eap_tls.h: the EAP-TLS method, peer side (RFC 5216; RFC 9190 for TLS
 * 1.3), driven by eap.c.
 *
 * It takes the Type-Data of each EAP-TLS request and writes the Type-Data
 * of the response: the flags (L, M, S), the TLS Message Length, and TLS
 * bytes.  The TLS engine is OpenSSL over memory BIOs (no socket).  The
 * gateway's fragments are reassembled under EAP_TLS_MAX_MSG_LEN and
 * EAP_TLS_MAX_FRAGMENTS and each one with M set is acknowledged; our own
 * flight is cut to the room the caller leaves in the response, so a large
 * room sends it in one message (the round trip strongSwan spends on a
 * second fragment).  Keys are exported when the handshake completes, and,
 * with TLS 1.3, only after the server's commitment message (RFC 9190 2.5).
 *
 * Wire format (RFC 5216 3.1), after the EAP header and Type 13:
 *   | Flags: L M S R R R R R | TLS Message Length (4, if L) | TLS Data ~
 */
#ifndef P2S_EAP_TLS_H
#define P2S_EAP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct tls_ctx;
struct tls_session;

#define EAP_TLS_FLAG_L	   0x80 /* TLS Message Length included */
#define EAP_TLS_FLAG_M	   0x40 /* more fragments follow */
#define EAP_TLS_FLAG_S	   0x20 /* EAP-TLS Start */
#define EAP_TLS_LEN_LEN	   4	/* bytes of the TLS Message Length */
#define EAP_TLS_MSK_LEN	   64	/* bytes (RFC 5216 2.3) */
#define EAP_TLS_EMSK_LEN   64	/* bytes */
#define EAP_TLS_REASON_LEN 640	/* bytes of a failure reason */

enum eap_tls_state {
	EAP_TLS_WAIT_START,   /* waiting for the Start (S) request */
	EAP_TLS_HANDSHAKE,    /* waiting for the next TLS message */
	EAP_TLS_FRAG_RX,      /* reassembling a fragmented TLS message */
	EAP_TLS_FRAG_TX,      /* our message is out in fragments: wait ACK */
	EAP_TLS_WAIT_SUCCESS, /* keys exported; waiting for EAP-Success */
	EAP_TLS_DONE,	      /* EAP-Success seen */
	EAP_TLS_FAILED,	      /* final; a TLS alert may have gone out */
	_EAP_TLS_STATE_MAX,
};

/* One EAP-TLS packet's Type-Data, parsed; data is borrowed. */
struct eap_tls_frag {
	uint8_t flags;	  /* EAP_TLS_FLAG_*; reserved bits cleared */
	uint32_t msg_len; /* bytes: TLS Message Length, if L */
	struct rd data;	  /* TLS Data, borrowed */
};

/* -EBADMSG for a truncated length field.  Reserved flag bits are
 * ignored, as RFC 5216 3.1 requires. */
int eap_tls_frag_parse(const struct rd *, struct eap_tls_frag *ret);

struct eap_tls;

int eap_tls_new(
    struct tls_ctx *, const struct tls_session *resume, struct eap_tls **ret);
void eap_tls_free(struct eap_tls *);

/*
 * One EAP-TLS request in (its Type-Data), the Type-Data of our response
 * appended to resp, fragmented to fit the room resp has left (at least
 * EAP_MSG_MIN_LEN - EAP_HDR_LEN - 1 bytes).  Returns 0 with a response
 * written, also when the TLS handshake failed and what goes out is our
 * alert or the acknowledgement of the server's (state FAILED; the server
 * answers with EAP-Failure, RFC 5216 2.1.3).  Errors as eap_peer_process().
 */
int eap_tls_process(struct eap_tls *, const struct rd *req, struct wr *resp);

/*
 * EAP-Success arrived: 0 and DONE only in WAIT_SUCCESS, otherwise -EPROTO
 * and FAILED (an early Success proves nothing; RFC 9190 2.5 for TLS 1.3).
 */
int eap_tls_success(struct eap_tls *);

enum eap_tls_state eap_tls_state(const struct eap_tls *);
const char *eap_tls_state_name(enum eap_tls_state);

/* MSK and EMSK, borrowed until eap_tls_free(); -EPROTO before DONE. */
int eap_tls_keys(
    const struct eap_tls *, struct rd *ret_msk, struct rd *ret_emsk);

/* As eap_peer_session(). */
int eap_tls_session(const struct eap_tls *, struct tls_session **ret);
bool eap_tls_resumed(const struct eap_tls *);

/* Why the method failed (TLS alert, certificate reason, framing), or
 * NULL. */
const char *eap_tls_reason(const struct eap_tls *);

#endif /* P2S_EAP_TLS_H */
