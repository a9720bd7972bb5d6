/* SPDX-License-Identifier: ISC */
/*
 * ike_pld.h: the IKEv2 wire codec.  Bytes in, typed views out; typed
 * structs in, whole messages out.  No SA state, no crypto, no allocation.
 * The wire formats are drawn once, in ike.h.
 *
 * Receiving a message runs in three passes (style-anchors.md 3.3):
 *
 *   ike_natt_classify()  port 4500 only: IKE behind a non-ESP marker, ESP,
 *                        or a NAT keepalive (RFC 3948 2.2, 2.3)
 *   ike_hdr_parse()      the 28-byte header (RFC 7296 3.1)
 *   ike_pld_split()      the Next Payload chain, into struct ike_pld_ref
 *                        (3.2); the same function splits the decrypted
 *                        inner chain of SK/SKF, given the first type
 *   ike_rules_check()    which payloads may appear (ike_rules.h)
 *   ike_pld_parse_X()    one payload body into a typed struct (3.3-3.16)
 *
 * Borrowed views.  Every struct rd in a parsed struct points into the
 * message buffer the caller passed in; nothing is copied.  The views live
 * exactly as long as that buffer.  Anything kept beyond the message (a
 * nonce, an ID for AUTH, a certificate) must be copied with buf_dup_rd()
 * at the call site.
 *
 * Sending a message: ike_pld_wr_init_msg() writes the header, each
 * ike_pld_build_X() appends one payload and links it into the chain (it
 * patches the previous payload's Next Payload field and its own length),
 * ike_pld_wr_finish() patches the header's length.  The error is sticky,
 * as in struct wr: builders return nothing and the first failure is
 * reported once, by ike_pld_wr_finish().  A builder never writes what the
 * parser would refuse.  An encrypted message is built in two steps:
 *
 *   ike_pld_wr_init_chain(&in, ibuf, sizeof(ibuf));
 *   ike_pld_build_id(&in, IKE_PLD_IDI, &idi); ...
 *   ike_pld_wr_finish(&in, &inner);
 *   ike_pld_wr_init_msg(&pw, mbuf, sizeof(mbuf), &hdr);
 *   ike_pld_build_sk(&pw, in.first, 0, 0, &layout);
 *   ike_sk_seal(keys, &pw.w, layout.sk_off, &inner);
 *   ike_pld_wr_finish(&pw, &msg);
 *
 * Errors, for every function here:
 *   -EBADMSG     malformed: a length, count or field the RFC forbids
 *   -E2BIG       well formed but past a cap in caps.h
 *   -EOPNOTSUPP  well formed but not something p2s speaks (IKE major
 *                version, an unknown critical payload, a TS type)
 *   -EINVAL      (builders) the struct holds what the parser would refuse
 *   -ENOSPC      (builders) the output buffer is too small
 * Parsers log at debug level only; the caller decides what to tell the
 * peer (INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD, ...).  Out-parameters
 * named ret_* are written only on success.
 */
#ifndef P2S_IKE_PLD_H
#define P2S_IKE_PLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "ike.h"
#include "wire.h"

struct ike_pld_wr; /* the message builder, defined below */

/*
 * Port 4500 (RFC 3948): a single 0xff byte is a NAT keepalive, four zero
 * bytes (the non-ESP marker) start an IKE message, anything else is ESP
 * (whose SPI is never zero).
 */
enum ike_natt_kind {
	IKE_NATT_IKE = 1,	/* marker stripped: the rest is IKE */
	IKE_NATT_ESP = 2,	/* untouched: an ESP packet */
	IKE_NATT_KEEPALIVE = 3, /* RFC 3948 2.3: drop it */
};

/* On IKE_NATT_IKE the marker is removed from *dgram. -EBADMSG if short. */
int ike_natt_classify(struct rd *dgram, enum ike_natt_kind *ret_kind);

/* Writes the 4-byte non-ESP marker that precedes IKE on port 4500. */
void ike_natt_write_marker(struct wr *);

struct ike_hdr {
	uint8_t spi_i[IKE_SPI_LEN]; /* initiator's SPI */
	uint8_t spi_r[IKE_SPI_LEN]; /* responder's; zero in the first request */
	uint8_t next;		    /* type of the first payload */
	uint8_t version;	    /* major << 4 | minor; builders write 2.0 */
	uint8_t exchange;	    /* enum ike_exchange */
	uint8_t flags;		    /* IKE_FLAG_* */
	uint32_t msgid;		    /* Message ID */
	uint32_t length;	    /* bytes: header and payloads */
};

/*
 * msg is one whole datagram (without the non-ESP marker).  The length
 * field must equal the datagram's length: IKE over UDP has no trailing
 * bytes, and accepting them would let two parsers disagree on what was
 * authenticated.  Major version other than 2: -EOPNOTSUPP (the caller may
 * answer INVALID_MAJOR_VERSION); the minor version is ignored (2.5).
 * *ret_chain is the payload chain after the header.
 */
int ike_hdr_parse(
    const struct rd *msg, struct ike_hdr *ret_hdr, struct rd *ret_chain);

/* One payload of a chain, as found by ike_pld_split(). */
struct ike_pld_ref {
	uint8_t type;	/* enum ike_pld_type */
	uint8_t next;	/* Next Payload field; for SK/SKF: first inner type */
	bool critical;	/* the C bit */
	size_t off;	/* bytes: generic header's offset in the chain */
	struct rd body; /* borrowed: after the 4-byte generic header */
};

struct ike_pld_chain {
	struct ike_pld_ref v[IKE_MAX_PAYLOADS]; /* in wire order */
	size_t n;				/* used entries of v */
	size_t n_skipped; /* unknown non-critical payloads walked past */
};

/* A payload type this codec understands (has a parser for). */
bool ike_pld_known(uint8_t type);

/*
 * Walk the chain starting with payload type first (the header's next, or
 * an SK payload's first inner type for a decrypted inner chain).
 *
 * - Every payload is at least 4 bytes and lies inside chain; nothing may
 *   follow the last one.  At most IKE_MAX_PAYLOADS payloads are walked
 *   (-E2BIG), skipped ones included.
 * - An unknown payload with the critical bit: -EOPNOTSUPP, and its type is
 *   stored in *err_type (written only then), for UNSUPPORTED_CRITICAL_PAYLOAD
 *   (2.5).  An unknown non-critical payload is skipped (2.5: "MUST skip")
 *   and not kept in ret_chain, so the rules and handlers never see it; it
 *   is only counted in n_skipped.
 * - SK and SKF must be last (3.14): their body spans to the end of the
 *   chain, and their Next Payload field is the first inner payload's type,
 *   kept in the ref's next.
 */
int ike_pld_split(const struct rd *chain, uint8_t first,
    struct ike_pld_chain *ret_chain, uint8_t *err_type);

/* The first payload of a type, or NULL. */
const struct ike_pld_ref *ike_pld_find(
    const struct ike_pld_ref *refs, size_t n, uint8_t type);

/* ---- Typed payloads.  Parsers take the ref's body. ---- */

/* SA (3.3).  One attribute is defined for IKEv2: Key Length (3.3.5). */
struct ike_xform {
	uint8_t type;	   /* enum ike_xform_type */
	uint16_t id;	   /* enum ike_encr, ike_prf, ike_integ, ike_dh, ... */
	uint16_t key_bits; /* Key Length attribute, bits; 0: absent */
	bool unknown_attr; /* carried another attribute: this transform is
			      unacceptable (3.3.6); builders refuse it */
};

struct ike_proposal {
	uint8_t num;		  /* Proposal Num, from 1 */
	uint8_t proto;		  /* IKE_PROTO_IKE, _ESP or _AH */
	uint8_t spi_len;	  /* bytes: IKE 0 or 8, ESP/AH 4 */
	uint8_t spi[IKE_SPI_LEN]; /* first spi_len bytes, wire order */
	size_t n_xforms;	  /* used entries of xforms, >= 1 */
	struct ike_xform xforms[IKE_MAX_TRANSFORMS]; /* in wire order */
};

struct ike_pld_sa {
	size_t n_props;				      /* >= 1 */
	struct ike_proposal props[IKE_MAX_PROPOSALS]; /* in wire order */
};

/*
 * Proposals are numbered 1, 2, ... in a payload with several (3.3.1); a
 * lone proposal (a responder's choice) may carry any number >= 1.  Last
 * Substruc must be 2/3 on all but the last proposal/transform, 0 on it;
 * Num Transforms must match; Key Length appears at most once.
 */
int ike_pld_parse_sa(const struct rd *body, struct ike_pld_sa *ret_sa);
void ike_pld_build_sa(struct ike_pld_wr *, const struct ike_pld_sa *);

/* KE (3.4). */
struct ike_pld_ke {
	uint16_t group; /* enum ike_dh */
	struct rd data; /* borrowed: the public value, >= 1 byte */
};

int ike_pld_parse_ke(const struct rd *body, struct ike_pld_ke *ret_ke);
void ike_pld_build_ke(struct ike_pld_wr *, const struct ike_pld_ke *);

/* IDi/IDr (3.5). */
struct ike_pld_id {
	uint8_t type;	/* enum ike_id_type */
	struct rd data; /* borrowed, >= 1 byte; 4 or 16 for addresses */
	struct rd raw;	/* borrowed: the whole body, reserved bytes and all:
			   what the peer's AUTH covers (2.15, "RestOf..IDPayload") */
};

int ike_pld_parse_id(const struct rd *body, struct ike_pld_id *ret_id);
/* pld_type is IKE_PLD_IDI or IKE_PLD_IDR; id->raw is ignored. */
void ike_pld_build_id(
    struct ike_pld_wr *, uint8_t pld_type, const struct ike_pld_id *);
/* The body ike_pld_build_id() writes, for computing our own AUTH (2.15). */
void ike_pld_write_id_body(struct wr *, const struct ike_pld_id *);

/* CERT (3.6). */
struct ike_pld_cert {
	uint8_t enc;	/* enum ike_cert_enc */
	struct rd data; /* borrowed: 1..CERT_MAX_LEN bytes */
};

int ike_pld_parse_cert(const struct rd *body, struct ike_pld_cert *ret);
void ike_pld_build_cert(struct ike_pld_wr *, const struct ike_pld_cert *);

/* CERTREQ (3.7). */
struct ike_pld_certreq {
	uint8_t enc;   /* enum ike_cert_enc */
	struct rd cas; /* borrowed; X509_SIGN: n_cas SHA-1 hashes of CA keys */
	size_t n_cas;  /* X509_SIGN: cas.len / 20; else 0 */
};

/* For X509_SIGN the data is a whole number of 20-byte hashes (maybe 0). */
int ike_pld_parse_certreq(const struct rd *body, struct ike_pld_certreq *ret);
void ike_pld_build_certreq(struct ike_pld_wr *, const struct ike_pld_certreq *);

/* AUTH (3.8). */
struct ike_pld_auth {
	uint8_t method; /* enum ike_auth_method */
	struct rd data; /* borrowed, >= 1 byte */
};

int ike_pld_parse_auth(const struct rd *body, struct ike_pld_auth *ret);
void ike_pld_build_auth(struct ike_pld_wr *, const struct ike_pld_auth *);

/*
 * RFC 7427 3: DIGITAL_SIGNATURE data is a 1-byte length, an ASN.1
 * AlgorithmIdentifier of that length (a DER SEQUENCE whose own length is
 * checked against it), then the signature (>= 1 byte).  The crypto layer
 * matches the AlgorithmIdentifier bytes; this only cuts them out.
 */
int ike_pld_auth_sig_split(
    const struct rd *data, struct rd *ret_alg, struct rd *ret_sig);
/* The inverse, into w (sticky error if alg is not 2..255 bytes). */
void ike_pld_auth_sig_join(
    struct wr *, const struct rd *alg, const struct rd *sig);

/* Nonce (3.9). */
struct ike_pld_nonce {
	struct rd data; /* borrowed: IKE_NONCE_MIN_LEN..IKE_NONCE_MAX_LEN */
};

int ike_pld_parse_nonce(const struct rd *body, struct ike_pld_nonce *ret);
void ike_pld_build_nonce(struct ike_pld_wr *, const struct ike_pld_nonce *);

/* Notify (3.10). */
struct ike_pld_notify {
	uint8_t proto;	/* enum ike_proto; IKE_PROTO_NONE without an SPI */
	uint16_t type;	/* enum ike_notify */
	struct rd spi;	/* borrowed: 0 bytes, 4 (ESP/AH) or 8 (IKE) */
	struct rd data; /* borrowed: Notification Data, maybe empty */
};

int ike_pld_parse_notify(const struct rd *body, struct ike_pld_notify *ret);
void ike_pld_build_notify(struct ike_pld_wr *, const struct ike_pld_notify *);

/*
 * The first Notify of a type among refs, parsed.  -ENOENT if there is
 * none, or the parser's error for a malformed one.
 */
int ike_pld_find_notify(const struct ike_pld_ref *refs, size_t n, uint16_t type,
    struct ike_pld_notify *ret);

/* Typed views of Notification Data, each checking its length. */
/* INVALID_KE_PAYLOAD (1.3): the group the responder wants. */
int ike_pld_notify_group(const struct ike_pld_notify *, uint16_t *ret_group);
/* COOKIE (2.6): 1..64 bytes, echoed verbatim. */
int ike_pld_notify_cookie(const struct ike_pld_notify *, struct rd *ret);
/* NAT_DETECTION_*_IP (2.23): a 20-byte SHA-1. */
int ike_pld_notify_natd(const struct ike_pld_notify *, struct rd *ret);
/* An ESP/AH SPI in the SPI field (REKEY_SA 2.8, CHILD_SA_NOT_FOUND...). */
int ike_pld_notify_spi32(const struct ike_pld_notify *, uint32_t *ret_spi);
/*
 * SIGNATURE_HASH_ALGORITHMS (RFC 7427 4): 2-byte hash IDs.  Bit h of
 * *ret_mask is set for each ID h < 32 listed; larger IDs are skipped.
 */
int ike_pld_notify_hashes(const struct ike_pld_notify *, uint32_t *ret_mask);

/* Delete (3.11). */
struct ike_pld_delete {
	uint8_t proto; /* IKE_PROTO_IKE (no SPIs), _ESP or _AH */
	size_t n_spis; /* used entries of spis; 0 for IKE */
	uint32_t spis[IKE_MAX_DELETE_SPIS]; /* ESP/AH SPIs, host order */
};

int ike_pld_parse_delete(const struct rd *body, struct ike_pld_delete *ret);
void ike_pld_build_delete(struct ike_pld_wr *, const struct ike_pld_delete *);

/* Vendor ID (3.12). */
struct ike_pld_vendor {
	struct rd id; /* borrowed, >= 1 byte */
};

int ike_pld_parse_vendor(const struct rd *body, struct ike_pld_vendor *ret);
void ike_pld_build_vendor(struct ike_pld_wr *, const struct ike_pld_vendor *);

/* TSi/TSr (3.13). */
struct ike_ts {
	uint8_t type;	     /* IKE_TS_IPV4_ADDR_RANGE or _IPV6_ADDR_RANGE */
	uint8_t ip_proto;    /* 0: any */
	uint16_t start_port; /* host order */
	uint16_t end_port;
	uint8_t start[16]; /* first 4 bytes for IPv4; network order */
	uint8_t end[16];
};

struct ike_pld_ts {
	size_t n_ts;		      /* 1..IKE_MAX_TS */
	struct ike_ts ts[IKE_MAX_TS]; /* in wire order */
};

/*
 * Selector Length must be 16 (IPv4) or 40 (IPv6) to match its type;
 * another type: -EOPNOTSUPP.  Ranges are not checked here (a start above
 * its end is how RFC 4301 writes OPAQUE ports): that is ike_ts.c's job.
 */
int ike_pld_parse_ts(const struct rd *body, struct ike_pld_ts *ret);
/* pld_type is IKE_PLD_TSI or IKE_PLD_TSR. */
void ike_pld_build_ts(
    struct ike_pld_wr *, uint8_t pld_type, const struct ike_pld_ts *);

/* CP (3.15). */
struct ike_cp_attr {
	uint16_t type;	 /* enum ike_cfg_attr (the R bit dropped) */
	struct rd value; /* borrowed; empty in a CFG_REQUEST */
};

struct ike_pld_cp {
	uint8_t type;				    /* enum ike_cfg_type */
	size_t n_attrs;				    /* used entries */
	struct ike_cp_attr attrs[IKE_MAX_CP_ATTRS]; /* in wire order */
};

/*
 * Attribute lengths are checked for the types in ike.h (3.15.1: an
 * address is 0 or 4 bytes, ...); unknown types are kept, any length.
 */
int ike_pld_parse_cp(const struct rd *body, struct ike_pld_cp *ret);
void ike_pld_build_cp(struct ike_pld_wr *, const struct ike_pld_cp *);

/* EAP (3.16, RFC 3748 4). */
struct ike_pld_eap {
	uint8_t code; /* enum eap_code */
	uint8_t id;   /* Identifier */
	uint8_t type; /* enum eap_type; 0 for Success/Failure */
	struct rd
	    type_data;	  /* borrowed: after Type; empty for Success/Failure */
	struct rd packet; /* borrowed: the whole EAP packet (the body) */
};

/*
 * The EAP Length field must equal the payload body's length.  Request and
 * Response carry a Type; Success and Failure are exactly 4 bytes; other
 * codes: -EOPNOTSUPP.
 */
int ike_pld_parse_eap(const struct rd *body, struct ike_pld_eap *ret);
/* eap->packet is ignored; Length is computed. */
void ike_pld_build_eap(struct ike_pld_wr *, const struct ike_pld_eap *);

/* ---- SK and SKF: the codec's half of encryption (3.14, RFC 7383). ---- */

/*
 * The Encrypted (SK) and Encrypted Fragment (SKF) payloads are always
 * last, so their end is the message's end.  The codec cuts and writes
 * everything up to the IV; ike_sk.h seals and opens the rest:
 *
 *   | IKE header | ...payloads | SK hdr [frag#, total] | IV | ct | ICV |
 *   '------------------- aad (up to the IV) ----------'
 *
 * aad is the AEAD associated data (RFC 5282 5.1; for SKF it includes the
 * fragment number and total, RFC 7383 2.5.3), and its length is the IV's
 * offset in the message.
 */
struct ike_pld_sk {
	uint8_t inner;	     /* first inner payload type; 0 after fragment 1 */
	uint16_t frag_num;   /* SKF: 1..frag_total; SK: 0 */
	uint16_t frag_total; /* SKF: 1..IKE_MAX_FRAGMENTS; SK: 0 */
	struct rd msg;	     /* borrowed: the whole message */
	struct rd aad;	     /* borrowed: msg up to the IV */
	struct rd enc;	     /* borrowed: the IV to the end of msg */
};

/*
 * msg is the whole message whose chain ref was split from (ref->off is
 * relative to the chain after the 28-byte header).  SKF numbers must
 * satisfy 1 <= num <= total <= IKE_MAX_FRAGMENTS.  As strongSwan does, a
 * non-zero inner type in fragments after the first is ignored (RFC 7383
 * 2.5 only asks senders to write zero).  Then:
 *   ike_sk_open(keys, &sk.msg, rd_left(&sk.aad), &plain);
 *   ike_pld_split(&plain_rd, sk.inner, &inner_chain, &t);
 */
int ike_pld_parse_sk(const struct rd *msg, const struct ike_pld_ref *ref,
    struct ike_pld_sk *ret_sk);

/* Where ike_pld_build_sk() left things for ike_sk_seal(). */
struct ike_sk_layout {
	size_t sk_off; /* bytes: the SK/SKF generic header, from msg start */
	size_t iv_off; /* bytes: where the IV goes (== the AAD's length) */
};

/* ---- Building messages. ---- */

struct ike_pld_wr {
	struct wr w;	/* over the caller's buffer */
	size_t next_at; /* offset of the Next Payload field to patch next */
	size_t n;	/* payloads written */
	uint8_t first;	/* type of the first payload written */
	bool msg;	/* a message (IKE header at 0), not an inner chain */
	bool sealed;	/* SK/SKF written: nothing may follow it */
	int err;	/* first error: -ENOSPC or -EINVAL; 0 */
};

/*
 * Start a message: writes hdr (next, version and length are filled in
 * later).  A message holds one datagram, so at most IKE_MSG_MAX_LEN bytes
 * are used of cap.
 */
void ike_pld_wr_init_msg(
    struct ike_pld_wr *, void *buf, size_t cap, const struct ike_hdr *hdr);
/* Start an inner payload chain, to go into ike_pld_build_sk(). */
void ike_pld_wr_init_chain(struct ike_pld_wr *, void *buf, size_t cap);

/*
 * Finish: patches the message length.  *ret_out views the bytes written
 * (the whole message, or the inner chain; for a chain, its first payload
 * type is the ike_pld_wr's first).  Returns the first error.
 */
int ike_pld_wr_finish(struct ike_pld_wr *, struct rd *ret_out);

/* Any payload from its body, unchecked (forwarding, tests). */
void ike_pld_build_raw(
    struct ike_pld_wr *, uint8_t type, bool critical, const struct rd *body);

/*
 * The Encrypted (SK, frag_num 0) or Encrypted Fragment (SKF, fragment
 * frag_num of frag_total) payload's header, last in a message: its Next
 * Payload is inner_first, the type of the first inner payload (written
 * for SK and fragment 1 only; see ike_pld_wr's first).  After this no
 * payload may be added.  The caller then has ike_sk_seal() append IV,
 * ciphertext and ICV at ret_layout->iv_off and patch the SK length, and
 * finishes with ike_pld_wr_finish().  *ret_layout is written when the
 * builder has not failed.
 */
void ike_pld_build_sk(struct ike_pld_wr *, uint8_t inner_first,
    uint16_t frag_num, uint16_t frag_total, struct ike_sk_layout *ret_layout);

#endif /* P2S_IKE_PLD_H */
