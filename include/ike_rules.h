/* SPDX-License-Identifier: ISC */
/*
 * ike_rules.h: which payloads may appear in which IKEv2 message, as data.
 * The second of the three parsing passes (ike_pld.h): after the chain is
 * split and before any payload is parsed, the payload types are counted
 * and matched against the shapes an exchange allows (RFC 7296 1.2-1.5,
 * 2.16, 3.14; RFC 7383 2.5).  Exchange handlers then dispatch on the shape
 * and never re-check whether a payload is present.
 *
 * A shape is a min..max count for each payload type; a type it does not
 * list may not appear.  Shapes cover both directions of each exchange, so
 * the same table checks what p2s (the initiator) receives and what it
 * sends.  Outside SK only IKE_SA_INIT carries plain payloads; every other
 * exchange carries exactly one SK or SKF payload.  The shapes of one
 * exchange and direction are disjoint: at most one matches.
 */
#ifndef P2S_IKE_RULES_H
#define P2S_IKE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_pld.h"

enum ike_shape {
	IKE_SHAPE_NONE = 0,
	/* Outside SK, any exchange but IKE_SA_INIT. */
	IKE_SHAPE_ENCRYPTED, /* SK */
	IKE_SHAPE_FRAGMENT,  /* SKF (RFC 7383) */
	/* IKE_SA_INIT (1.2, 2.6, 1.3). */
	IKE_SHAPE_INIT_REQ,    /* SA KE Ni [N(COOKIE)] [N+] [V+] */
	IKE_SHAPE_INIT_RESP,   /* SA KE Nr [CERTREQ+] [N+] [V+] */
	IKE_SHAPE_INIT_RESP_N, /* N+ [V+]: COOKIE, INVALID_KE, errors */
	/* IKE_AUTH requests (1.2, 2.16). */
	IKE_SHAPE_AUTH_REQ,	/* IDi [CERT+] [CERTREQ+] [IDr] [AUTH] [CP]
				   SA TSi TSr [N+] [V+] */
	IKE_SHAPE_AUTH_REQ_EAP, /* EAP [N+] [V+] */
	IKE_SHAPE_AUTH_REQ_MSK, /* AUTH [N+] [V+]: the AUTH from the MSK */
	/* IKE_AUTH responses. */
	IKE_SHAPE_AUTH_RESP_EAP_START,	 /* IDr [CERT+] AUTH EAP [N+] [V+] */
	IKE_SHAPE_AUTH_RESP_EAP,	 /* EAP [N+] [V+] */
	IKE_SHAPE_AUTH_RESP_EAP_DONE,	 /* AUTH [CP] SA TSi TSr [N+] [V+] */
	IKE_SHAPE_AUTH_RESP_EAP_NOCHILD, /* AUTH [CP] N+ [V+]: IKE SA up,
					    CHILD_SA refused (1.2) */
	IKE_SHAPE_AUTH_RESP_DONE,	 /* IDr [CERT+] AUTH [CP] SA TSi TSr
					    [N+] [V+]: no EAP */
	IKE_SHAPE_AUTH_RESP_NOCHILD,	 /* IDr [CERT+] AUTH [CP] N+ [V+] */
	IKE_SHAPE_AUTH_RESP_ERROR,	 /* N+ [V+] */
	/* CREATE_CHILD_SA (1.3): requests and responses alike. */
	IKE_SHAPE_CHILD_SA,	   /* SA Nonce [KE] TSi TSr [N+] [V+] */
	IKE_SHAPE_CHILD_REKEY_IKE, /* SA Nonce KE [N+] [V+] */
	IKE_SHAPE_CHILD_ERROR,	   /* N+ [V+] (responses only) */
	/* INFORMATIONAL (1.4, 1.5; RFC 4555 for MOBIKE). */
	IKE_SHAPE_INFO,	  /* [N+] [D+] [CP] [V+]; may be empty */
	IKE_SHAPE_COUNT_, /* not a shape */
};

/* One payload type's allowed count in a shape. */
struct ike_rule_pld {
	uint8_t type; /* enum ike_pld_type; IKE_PLD_NONE ends the list */
	uint8_t min;
	uint8_t max;
};

#define IKE_RULE_MAX_PLD 14 /* payload types one shape may list */

struct ike_rule {
	enum ike_shape shape;
	uint8_t exchange; /* enum ike_exchange */
	bool response;	  /* the message is a response */
	bool in_sk;	  /* counts the payloads inside SK, not outside */
	struct ike_rule_pld pld[IKE_RULE_MAX_PLD]; /* until type 0 */
};

/*
 * Match the payloads refs[0..n) of a message of this exchange and
 * direction, outside or inside SK, against the table.  0 and the shape
 * on a match; -EPROTO if no shape matches (the caller answers
 * INVALID_SYNTAX, or drops the message); -EOPNOTSUPP for an exchange type
 * with no shapes at all.
 */
int ike_rules_check(uint8_t exchange, bool is_response, bool in_sk,
    const struct ike_pld_ref *refs, size_t n, enum ike_shape *ret_shape);

/* The whole table, for tests and for logs. */
const struct ike_rule *ike_rules_table(size_t *ret_n);

/* "IKE_AUTH response, EAP round" and the like. */
const char *ike_shape_name(enum ike_shape);

#endif /* P2S_IKE_RULES_H */
