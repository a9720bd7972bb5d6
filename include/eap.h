/* SPDX-License-Identifier: ISC */
/*
 * eap.h: the EAP peer (RFC 3748) that IKE_AUTH drives (RFC 7296 2.16), with
 * EAP-TLS (RFC 5216, RFC 9190) as its one method.
 *
 * The IKE layer hands over the body of each EAP payload the gateway sends
 * and gets back the body of the EAP payload to answer with.  The peer
 * answers EAP-Identity with the configured identity, refuses other methods
 * with a legacy Nak offering EAP-TLS (RFC 3748 5.3.1), acknowledges
 * Notifications (5.2), resends its last response to a duplicate request
 * instead of processing it twice (4.1), and stops after EAP_MAX_ROUNDS
 * requests.  On EAP-Success it checks that EAP-TLS really finished (a
 * Success that arrives early is refused, never trusted) and the MSK is then
 * the IKE AUTH shared secret.
 *
 * Packet codec: eap_pkt_parse() and eap_pkt_begin()/eap_pkt_end(), usable
 * on their own.  Every error is final for the peer: after one, each call
 * returns -EPROTO.  The one exception is -ENOSPC for a response buffer
 * smaller than the configured message size, checked before anything else.
 */
#ifndef P2S_EAP_H
#define P2S_EAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike.h"
#include "wire.h"

struct tls_ctx;
struct tls_session;

/*
 * Largest and smallest EAP message a caller may have the peer send.  The
 * upper bound is the 16-bit Length field; the IKE layer picks the real
 * size from what its SK payload (with IKE fragmentation) can carry.  The
 * lower bound keeps an EAP-TLS fragment useful; RFC 3748 3.1 assumes 1020.
 */
#define EAP_MSG_MAX_LEN 65535 /* bytes */
#define EAP_MSG_MIN_LEN 64    /* bytes */

/* One EAP packet, its fields read, its Type-Data borrowed. */
struct eap_pkt {
	uint8_t code;	/* enum eap_code */
	uint8_t id;	/* Identifier */
	uint8_t type;	/* enum eap_type; 0 for Success/Failure */
	struct rd data; /* Type-Data, borrowed from the packet */
};

/*
 * Parses one whole EAP packet.  Length must equal the bytes given: inside
 * an IKE payload there is no link-layer padding (RFC 3748 4), so a
 * mismatch is a broken encoder.  Success and Failure are 4 bytes (4.2).
 * -EBADMSG when malformed, -EOPNOTSUPP for a code other than 1-4.
 */
int eap_pkt_parse(const struct rd *, struct eap_pkt *ret);

/*
 * Builds a Request or Response: eap_pkt_begin() writes the header and the
 * Type and returns where the packet starts; the caller writes the
 * Type-Data; eap_pkt_end() patches Length in.  Errors stick in the wr.
 */
size_t eap_pkt_begin(struct wr *, uint8_t code, uint8_t id, uint8_t type);
void eap_pkt_end(struct wr *, size_t start);

enum eap_peer_state {
	EAP_PEER_IDLE,	     /* nothing answered yet */
	EAP_PEER_IDENTIFIED, /* Identity (or a Nak) sent, no method yet */
	EAP_PEER_METHOD,     /* EAP-TLS under way */
	EAP_PEER_SUCCESS,    /* EAP-Success after a complete EAP-TLS */
	EAP_PEER_FAILED,     /* EAP-Failure or an error; final */
	_EAP_PEER_STATE_MAX,
};

/* What eap_peer_process() returns when it did not fail. */
enum eap_peer_result {
	EAP_PEER_RESPOND = 0, /* a response was written: send it */
	EAP_PEER_DONE = 1,    /* EAP-Success: eap_peer_msk() is ready */
};

struct eap_peer_conf {
	const char *identity;		  /* borrowed: the EAP-Identity */
	struct tls_ctx *tls;		  /* borrowed, must outlive the peer */
	const struct tls_session *resume; /* borrowed, may be NULL: offer it */
	size_t max_msg_len; /* bytes: largest EAP message we send */
};

struct eap_peer;

int eap_peer_new(const struct eap_peer_conf *, struct eap_peer **ret);
void eap_peer_free(struct eap_peer *);

/*
 * Consumes one EAP packet from the gateway.  resp must have room for
 * max_msg_len bytes; a response is appended to it when the result is
 * EAP_PEER_RESPOND, nothing otherwise.  Errors: -EACCES for EAP-Failure
 * (eap_peer_reason() says why, when the peer knows more, such as a TLS
 * alert or a rejected gateway certificate); -EPROTO for a packet not
 * allowed now, including EAP-Success before EAP-TLS completed; -EBADMSG
 * for malformed bytes (EAP or EAP-TLS framing, lying lengths); -E2BIG for a
 * cap in caps.h crossed; -EOPNOTSUPP when the gateway keeps proposing
 * methods other than EAP-TLS, or for an EAP code other than 1-4; -ENOMEM.
 */
int eap_peer_process(struct eap_peer *, const struct rd *req, struct wr *resp);

enum eap_peer_state eap_peer_state(const struct eap_peer *);
const char *eap_peer_state_name(enum eap_peer_state);

/*
 * The MSK (RFC 5216 2.3, RFC 9190 2.3), 64 bytes, borrowed: valid until
 * eap_peer_free(), which wipes it.  -EPROTO unless EAP_PEER_SUCCESS.
 */
int eap_peer_msk(const struct eap_peer *, struct rd *ret_msk);

/*
 * The TLS session to offer on the next connect to the same gateway, with
 * the same tls_ctx (design.md 7: a reconnect resumes it where the server
 * allows).  Owned by the caller.  -ENOENT when there is none to resume.
 */
int eap_peer_session(const struct eap_peer *, struct tls_session **ret);
bool eap_peer_resumed(const struct eap_peer *);

/* Why the peer failed, for the caller's one log line; NULL if it did not. */
const char *eap_peer_reason(const struct eap_peer *);

#endif /* P2S_EAP_H */
