/* SPDX-License-Identifier: ISC */
/*
 * ike_int.h: the IKE engine's insides, shared by its files and nobody
 * else (the daemon sees ike_sa.h only).  The SA object and its state,
 * the one exchange we may have in flight, the cached answer to the
 * gateway's last request, IKE fragment reassembly, and the calls the
 * engine's files make to each other:
 *
 *   ike_sa.c          the object, the states and their one setter
 *   ike_msg.c         datagrams in and out: checks, SK/SKF, reassembly,
 *                     rules, dispatch; sealing, fragmenting, retransmitting
 *   ike_xchg_init.c   IKE_SA_INIT (RFC 7296 1.2, 2.6, 1.3, 2.23)
 *   ike_xchg_auth.c   IKE_AUTH, certificates and EAP (1.2, 2.15, 2.16)
 *   ike_xchg_child.c  CREATE_CHILD_SA the gateway starts (1.3)
 *   ike_xchg_rekey.c  our own rekeys: the CHILD_SA's and the IKE SA's
 *                     (1.3.2, 1.3.3, 2.8, 2.18), their timers
 *   ike_xchg_info.c   INFORMATIONAL: liveness and DELETE (1.4)
 *   ike_proposal.c    SA payloads from the profile, the choice checked
 *   ike_ts.c          traffic selectors (2.9)
 *   ike_cp.c          the configuration payload (2.19, 3.15)
 *
 * Tests include this header for the test hooks (struct ike_sa_hooks).
 */
#ifndef P2S_IKE_INT_H
#define P2S_IKE_INT_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "caps.h"
#include "compat.h"
#include "ike_keys.h"
#include "ike_pld.h"
#include "ike_rules.h"
#include "ike_sa.h"
#include "log.h"
#include "proposal.h"

struct eap_peer;
struct kex;
struct timer;
struct tls_ctx;

#define IKE_NONCE_LEN  32 /* bytes of Ni (RFC 7296 2.10: >= half the PRF key) */
#define IKE_REASON_LEN 512 /* bytes of a reason handed to down() */
#define IKE_TAG_LEN    48  /* "ike[<16 hex>/<16 hex>]" */
#define IKE_DROP_LEN   96  /* bytes of why a datagram was dropped */
#define IKE_EAP_MSG_FRAG                                                       \
	4096 /* bytes: our EAP messages, IKE fragments allowed */
#define IKE_EAP_MSG_NOFRAG 1024 /* bytes: without (strongSwan's EAP-TLS size) */

/* Logging with the SA's prefix, "ike[spi_i/spi_r] ...". */
#define sa_debug(sa, fmt, ...) log_debug("%s " fmt, (sa)->tag, ##__VA_ARGS__)
#define sa_info(sa, fmt, ...)  log_info("%s " fmt, (sa)->tag, ##__VA_ARGS__)
#define sa_warn(sa, fmt, ...)  log_warn("%s " fmt, (sa)->tag, ##__VA_ARGS__)
#define sa_err(sa, fmt, ...)   log_err("%s " fmt, (sa)->tag, ##__VA_ARGS__)

/* The datagrams of one message: one, or its fragments (RFC 7383). */
struct ike_dgrams {
	struct buf *v[IKE_MAX_FRAGMENTS]; /* owned: IKE messages, no marker */
	size_t n;			  /* used entries */
};

/*
 * Our one request in flight: the window is 1 (RFC 7296 2.3), so the
 * retransmission state lives here, not on the SA.
 */
struct ike_xchg {
	bool active;		 /* waiting for the response */
	uint8_t exchange;	 /* enum ike_exchange */
	uint32_t msgid;		 /* of the request */
	unsigned tries;		 /* timeouts so far */
	const uint32_t *backoff; /* ms to wait after each transmission */
	size_t n_backoff;	 /* transmissions before giving up */
	struct ike_dgrams out;	 /* owned: the request as sent */
	struct timer *timer;	 /* owned */
};

/* The gateway's last request and our answer (2.1: a retransmitted
 * request gets the same answer, not a second processing). */
struct ike_reply {
	bool valid;
	uint32_t msgid;	       /* of the gateway's request */
	struct ike_dgrams out; /* owned: our response as sent */
};

/* Reassembly of one fragmented message (RFC 7383 2.6).  Each fragment
 * is authenticated and decrypted before it is kept. */
struct ike_reasm {
	bool active;
	bool response; /* reassembling a response (else a request) */
	uint32_t msgid;
	uint16_t total;	 /* Total Fragments */
	uint16_t n_have; /* fragments held */
	uint8_t inner;	 /* first inner payload type, from fragment 1 */
	size_t len;	 /* bytes held, <= IKE_REASM_MAX_LEN */
	struct buf
	    *frag[IKE_MAX_FRAGMENTS]; /* owned: plaintext, by number - 1 */
};

/* A received message, checked and decrypted, as handlers see it. */
struct ike_msg {
	struct ike_hdr hdr;
	struct rd raw;		       /* borrowed: the datagram */
	enum ike_shape shape;	       /* of the payloads below */
	const struct ike_pld_ref *pld; /* borrowed: inside SK if encrypted */
	size_t n_pld;
};

/*
 * TEST HOOKS.  Unit tests and fuzzers make an engine deterministic and
 * talk to it without a socket; nothing in the daemon sets them.  A fixed
 * g^ir, nonce or SPI must never meet a network.
 */
struct ike_sa_hooks {
	/* Instead of the socket: natt says the 4500 path (marker implied). */
	int (*send)(void *arg, const struct rd *msg, bool natt);
	void *send_arg;
	const uint8_t *spi_i;  /* IKE_SPI_LEN bytes, or NULL: random */
	const struct rd *ni;   /* our nonce, or NULL: random */
	const struct rd *g_ir; /* the shared secret to use, or NULL: derive */
	uint32_t esp_spi;      /* our inbound ESP SPI, or 0: random */
	struct sockaddr_storage local, remote; /* for NAT detection */
	time_t now;			       /* certificate time, or 0: now */
};

/* What our one request in flight asks for, when a response's handler
 * must know (the others need not tell). */
enum ike_req {
	IKE_REQ_OTHER = 0,
	IKE_REQ_REKEY_CHILD,	/* CREATE_CHILD_SA{N(REKEY_SA)}: our CHILD_SA */
	IKE_REQ_REKEY_IKE,	/* CREATE_CHILD_SA{SA(IKE)}: the IKE SA */
	IKE_REQ_DELETE_CHILD,	/* INFORMATIONAL{D(ESP)}: the CHILD_SA our
				   rekey replaced */
	IKE_REQ_DELETE_IKE_OLD, /* INFORMATIONAL{D(IKE)}: the IKE SA our
				   rekey replaced, under its own keys */
	IKE_REQ_MOBIKE,		/* INFORMATIONAL{N(UPDATE_SA_ADDRESSES)}:
				   our address changed (RFC 4555 3.5) */
};

/* A rekey of ours: what its request said, to check the answer with. */
struct ike_rekey {
	enum ike_req req;	  /* our request in flight */
	struct buf *ni;		  /* owned: its nonce */
	struct kex *kex;	  /* owned, secret: its KE, or NULL */
	uint16_t want_group;	  /* INVALID_KE_PAYLOAD asked for it; 0 */
	enum ike_req want_for;	  /* in answer to which rekey */
	uint32_t spi_in;	  /* CHILD_SA: our new inbound SPI */
	uint8_t spi[IKE_SPI_LEN]; /* IKE SA: our new SPI */
	struct ike_pld_sa *offer; /* owned: the SA payload as sent */
};

/* An IKE SA rekeyed (ours or the gateway's) that is not in use yet: the
 * old one is deleted first, under the old keys (2.18). */
struct ike_next {
	bool pending;
	bool initiator;		    /* we started the rekey: the new SA's
				       original initiator (3.1, I flag) */
	uint8_t spi_i[IKE_SPI_LEN]; /* header order */
	uint8_t spi_r[IKE_SPI_LEN];
	struct ike_keys *keys; /* owned, secret */
	struct ike_suite suite;
	uint16_t dh;
};

/* What IKE_AUTH negotiates for the CHILD_SA. */
struct ike_child_sa {
	uint32_t spi_in;      /* ours, host order: the gateway sends to it */
	uint32_t spi_out;     /* the gateway's */
	struct ike_suite esp; /* the transform the gateway chose */
	bool installed;	      /* the daemon took it */
};

struct ike_sa {
	enum ike_sa_state state;       /* written by ike_sa_set_state() only */
	char tag[IKE_TAG_LEN];	       /* log prefix */
	struct loop *loop;	       /* borrowed */
	const struct conf *conf;       /* borrowed: the profile */
	const struct ike_creds *creds; /* borrowed */
	struct sock *sock;	       /* borrowed; NULL with hooks->send */
	struct ike_sa_cbs cbs;	       /* the daemon's callbacks */
	void *cb_arg;
	const struct ike_sa_hooks *hooks; /* borrowed; NULL outside tests */

	uint8_t spi_i[IKE_SPI_LEN];   /* the original initiator's: ours
				       until the gateway rekeys the SA */
	uint8_t spi_r[IKE_SPI_LEN];   /* the responder's; zero before it
				       answers IKE_SA_INIT */
	bool initiator;		      /* we are the original initiator (3.1):
				       spi_i is ours, we set the I flag */
	uint32_t msgid;		      /* of our next request */
	uint32_t peer_msgid;	      /* of the gateway's next request */
	struct ike_xchg xchg;	      /* our request in flight */
	struct ike_reply reply;	      /* our answer to its last request */
	struct ike_reasm reasm;	      /* a fragmented message coming in */
	unsigned n_dropped;	      /* datagrams dropped unprocessed */
	char last_drop[IKE_DROP_LEN]; /* why the last one was: for a give-up */

	/* IKE_SA_INIT */
	uint16_t group;	       /* DH group of our KE */
	struct kex *kex;       /* owned, secret; freed once the keys exist */
	struct buf *ni;	       /* owned: our nonce */
	struct buf *nr;	       /* owned: the gateway's */
	struct buf *cookie;    /* owned: COOKIE data to echo (2.6) */
	unsigned n_cookies;    /* COOKIE answers seen */
	unsigned n_invalid_ke; /* INVALID_KE_PAYLOAD answers seen */
	struct buf *init_req;  /* owned: RealMessage1 (2.15) */
	struct buf *init_resp; /* owned: RealMessage2 */
	struct ike_keys *keys; /* owned, secret */
	uint16_t dh;	       /* the group the gateway chose */
	char proposal[PROPOSAL_MAX_LEN + 1]; /* the IKE proposal, in words */
	bool peer_frag;	      /* it sent IKEV2_FRAGMENTATION_SUPPORTED */
	uint32_t peer_hashes; /* its SIGNATURE_HASH_ALGORITHMS, as a mask */
	bool behind_nat;      /* our address is translated: keepalives */
	bool natt;	      /* floated to 4500: ESP in UDP */
	bool peer_mobike;     /* it sent MOBIKE_SUPPORTED in IKE_AUTH */
	struct timer *t_keepalive; /* owned: NAT keepalives (RFC 3948 2.3) */
	uint64_t n_keepalives;	   /* NAT keepalives sent */
	struct timer *t_dpd;	   /* owned: liveness (2.4) */
	uint64_t t_rx; /* ms (loop_now_ms): last authenticated message */

	/* IKE_AUTH */
	struct buf *idi;	 /* owned: our IDi body (2.15) */
	struct buf *idr;	 /* owned: the gateway's IDr body */
	struct tls_ctx *tls;	 /* EAP-TLS's client context: tls_own, or
				    the daemon's (creds->tls) */
	struct tls_ctx *tls_own; /* owned, when the daemon keeps none */
	struct eap_peer *eap;	 /* owned; holds the MSK, wiped on free */
	struct ike_child_sa child;
	struct ike_child_sa child_old; /* rekeyed away: installed until the
					  gateway deletes it (2.8) */
	struct ike_child *child_last;  /* owned: the CHILD_SA as handed to
					  the daemon (keys NULL), what a
					  rekey keeps: selectors, VIP, DNS */
	unsigned n_child_rekeys;       /* CHILD_SA rekeys done */

	/* Rekeys (ike_xchg_rekey.c). */
	struct ike_rekey rk;	     /* ours in flight */
	struct ike_next next;	     /* a rekeyed IKE SA waiting */
	struct timer *t_rekey_child; /* owned: our next CHILD_SA rekey */
	struct timer *t_rekey_ike;   /* owned: our next IKE SA rekey */
	uint64_t rekey_ike_at;	     /* ms (loop_now_ms) it fires; 0: none */
	unsigned n_ike_rekeys;	     /* IKE SA rekeys done, either side's */

	/* Our DELETE: what down() reports once it is answered. */
	int del_err; /* 0: asked for */
	bool del_permanent;
	char del_reason[IKE_REASON_LEN];

	/* Status. */
	unsigned round_trips; /* our requests answered */
	uint64_t t_start;     /* ms (loop_now_ms) at connect */
	uint64_t t_up;	      /* ms when established; 0 before */
};

/* ---- ike_sa.c ---- */

void ike_sa_set_state(struct ike_sa *, enum ike_sa_state, const char *reason);
/* Logs reason once (error if permanent, else warning) and ends the SA:
 * state DEAD, then cbs.down. */
void ike_sa_fail(struct ike_sa *, int err, bool permanent, const char *fmt, ...)
    P2S_PRINTF(4, 5);
/* Ends the SA without logging (the caller did): state DEAD, cbs.down. */
void ike_sa_finish(
    struct ike_sa *, int err, bool permanent, const char *reason);
/* Our own DELETE (ike_xchg_info.c), reporting err/reason when done. */
void ike_sa_delete_because(struct ike_sa *, int err, bool permanent,
    const char *fmt, ...) P2S_PRINTF(4, 5);
void ike_sa_update_tag(struct ike_sa *);
int ike_sa_random(struct ike_sa *, void *, size_t) P2S_WUR;
/* Where NAT detection looks: our address and the gateway's. */
int ike_sa_addrs(const struct ike_sa *, struct sockaddr_storage *ret_local,
    struct sockaddr_storage *ret_remote) P2S_WUR;
time_t ike_sa_now(const struct ike_sa *);

/* ---- ike_msg.c ---- */

int ike_msg_init(struct ike_sa *) P2S_WUR;
void ike_msg_done(struct ike_sa *);
void ike_msg_input(struct ike_sa *, const struct rd *dgram);
/* IKE_SA_INIT: msg is the whole plain request, sent and retransmitted. */
int ike_msg_send_init(struct ike_sa *, const struct rd *msg) P2S_WUR;
/* An encrypted request of ours: the inner chain (first payload type
 * first), with the next message ID; fragmented when it must be. */
int ike_msg_send_request(struct ike_sa *, uint8_t exchange,
    const struct rd *inner, uint8_t first) P2S_WUR;
/* Our DELETE: like a request, but retransmitted only briefly. */
int ike_msg_send_delete(
    struct ike_sa *, const struct rd *inner, uint8_t first) P2S_WUR;
/* The answer to the gateway's request req, kept for its retransmits. */
int ike_msg_send_reply(struct ike_sa *, const struct ike_msg *req,
    const struct rd *inner, uint8_t first) P2S_WUR;
/* Stop retransmitting (the exchange is over or abandoned). */
void ike_xchg_cancel(struct ike_sa *);
/* NAT keepalives on the 4500 path while we are behind a NAT. */
void ike_msg_keepalive(struct ike_sa *, bool on);
/* TEST HOOK: what the retransmission timer does when it fires. */
void ike_xchg_timeout(struct ike_sa *);
/* The inner chain buffer for a message being built. */
#define IKE_INNER_MAX IKE_MSG_MAX_LEN

/* ---- The exchanges: starts and handlers (a handler gets a message
 * whose shape the rules already checked). ---- */

int ike_init_start(struct ike_sa *) P2S_WUR;
/* NAT-D data (2.23): SHA-1(SPIi | spi_r | address | port of ss). */
int ike_natd_hash(const struct ike_sa *, const uint8_t *spi_r,
    const struct sockaddr_storage *ss, uint8_t *ret) P2S_WUR;
int ike_init_on_response(struct ike_sa *, const struct ike_msg *);
int ike_init_on_notify(struct ike_sa *, const struct ike_msg *);

int ike_auth_start(struct ike_sa *) P2S_WUR;
int ike_auth_on_eap_start(struct ike_sa *, const struct ike_msg *);
int ike_auth_on_eap(struct ike_sa *, const struct ike_msg *);
int ike_auth_on_final(struct ike_sa *, const struct ike_msg *);
int ike_auth_on_done(struct ike_sa *, const struct ike_msg *);
int ike_auth_on_nochild(struct ike_sa *, const struct ike_msg *);
int ike_auth_on_error(struct ike_sa *, const struct ike_msg *);

int ike_child_on_request(struct ike_sa *, const struct ike_msg *);
/* A fresh inbound ESP SPI (>= 256, RFC 4303 2.1). */
int ike_child_spi_new(struct ike_sa *, uint32_t *ret) P2S_WUR;

int ike_info_on_request(struct ike_sa *, const struct ike_msg *);
int ike_info_on_response(struct ike_sa *, const struct ike_msg *);
int ike_info_on_liveness(struct ike_sa *, const struct ike_msg *);
/* Liveness (2.4): once the SA is up, an empty INFORMATIONAL request
 * whenever nothing authenticated arrived for conf->dpd seconds; no
 * answer after its retransmissions ends the SA (not permanent). */
void ike_info_liveness_start(struct ike_sa *);
/* What the liveness timer does when it fires (a test hook, too). */
void ike_info_liveness_timeout(struct ike_sa *);
/* Send SK{D(IKE)}; the SA must have keys. */
int ike_info_delete(struct ike_sa *) P2S_WUR;
/* The same without the state change (the old SA after a rekey). */
int ike_info_send_delete_ike(struct ike_sa *) P2S_WUR;

/* ---- ike_xchg_rekey.c ---- */

int ike_rekey_init(struct ike_sa *) P2S_WUR;
void ike_rekey_done(struct ike_sa *); /* timers stopped, state freed */
/* (Re)arm our rekey timer of the CHILD_SA or the IKE SA: the profile's
 * lifetime minus 0..10% of jitter. */
void ike_rekey_schedule(struct ike_sa *, bool ike);
/* Start our rekey now, or as soon as the exchange in flight is over; a
 * failure is logged and tried again shortly. */
int ike_rekey_child_start(struct ike_sa *);
int ike_rekey_ike_start(struct ike_sa *);
/* Responses to our CREATE_CHILD_SA and to the DELETE of the old IKE SA. */
int ike_rekey_on_child(struct ike_sa *, const struct ike_msg *);
int ike_rekey_on_ike(struct ike_sa *, const struct ike_msg *);
int ike_rekey_on_error(struct ike_sa *, const struct ike_msg *);
int ike_rekey_on_deleted(struct ike_sa *, const struct ike_msg *);
/* The answer to our DELETE of the CHILD_SA our rekey replaced. */
void ike_rekey_child_deleted(struct ike_sa *);
/* The rekeyed IKE SA (sa->next) takes over: keys, SPIs, message IDs. */
void ike_rekey_ike_switch(struct ike_sa *);
/* The old IKE SA's DELETE got no answer: the new one takes over. */
void ike_rekey_delete_lost(struct ike_sa *);
/* A fresh nonce for a CREATE_CHILD_SA (test hooks: hooks->ni once). */
int ike_rekey_nonce(struct ike_sa *, struct buf **ret) P2S_WUR;
/* g^ir of a rekey's KE (test hooks: hooks->g_ir); frees nothing. */
int ike_rekey_g_ir(struct ike_sa *, struct kex *, const struct rd *peer,
    struct buf **ret) P2S_WUR;

/* ---- ike_msg.c, for the IKE SA rekey ---- */

/* A new IKE SA took over: message IDs from 0, no cached answer, no
 * fragments half reassembled (2.18). */
void ike_msg_reset(struct ike_sa *);
/* The header is the rekeyed IKE SA's (sa->next). */
bool ike_msg_for_next(const struct ike_sa *, const struct ike_hdr *);

/* ---- ike_proposal.c ---- */

/*
 * Our SA payload from the profile's proposals: proto IKE_PROTO_IKE (no
 * SPI), or IKE_PROTO_ESP for the CHILD_SA of IKE_AUTH with our SPI, DH
 * transforms dropped (RFC 7296 1.2: no KE in IKE_AUTH) and ESN "no"
 * added where the profile names none (3.3.3: ESN is required for ESP).
 */
int ike_proposal_offer(const struct proposal *, size_t n, uint8_t proto,
    uint32_t esp_spi, struct ike_pld_sa *ret) P2S_WUR;
/*
 * The gateway's choice, checked against what we offered (3.3.6: one
 * proposal, one transform of each type, all from the proposal it names).
 * ret_dh: the chosen group (IKE), or 0.  why: for the log, on -EPROTO.
 */
int ike_proposal_check(const struct ike_pld_sa *offered,
    const struct ike_pld_sa *chosen, struct ike_suite *ret_suite,
    uint16_t *ret_dh, uint32_t *ret_spi, char *why, size_t why_len) P2S_WUR;
/*
 * For a CREATE_CHILD_SA of ours: proto IKE_PROTO_IKE (spi: our new
 * IKE_SPI_LEN-byte SPI) or IKE_PROTO_ESP (spi: our new inbound SPI, 4
 * bytes, network order), with the profile's DH groups kept (2.18, 1.3.1:
 * the IKE SA's new KE; PFS for the CHILD_SA).
 */
int ike_proposal_offer_rekey(const struct proposal *, size_t n, uint8_t proto,
    const uint8_t *spi, struct ike_pld_sa *ret) P2S_WUR;
/*
 * What we accept of the gateway's PFS: to each ESP proposal (esp, from
 * ike_proposal_offer_rekey) that names no DH group, the groups of our
 * IKE proposals, which the profile trusts for the IKE SA's own key
 * exchange (Azure's default ESP rows name none; a gateway's policy may
 * still ask for PFS).
 */
void ike_proposal_add_ike_groups(
    struct ike_pld_sa *esp, const struct proposal *ike, size_t n_ike);
/* The first DH group the proposals name, or 0 (ESP: no PFS). */
uint16_t ike_proposal_first_group(const struct proposal *, size_t n);
/*
 * As the responder of the gateway's CREATE_CHILD_SA: the first of our
 * proposals (offer, from ike_proposal_offer_rekey: its protocol and our
 * SPI) that one of its proposals (theirs) can satisfy, one transform of
 * each type it lists (3.3.6); DH: the group of its KE (ke_group), or
 * NONE when it sent none.  ret_choice: that one proposal, numbered as
 * the gateway did, with our SPI.  -ENOENT: none.
 */
int ike_proposal_choose(const struct ike_pld_sa *offer,
    const struct ike_pld_sa *theirs, uint16_t ke_group,
    struct ike_pld_sa *ret_choice, struct ike_suite *ret_suite) P2S_WUR;
/* Whether any of our IKE proposals offers this DH group. */
bool ike_proposal_has_group(const struct proposal *, size_t n, uint16_t group);
/* "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" and the like. */
void ike_proposal_name(
    const struct ike_suite *, uint16_t dh, char *buf, size_t len);
/* The profile's proposal strings joined by ", ", for messages. */
void ike_proposal_list(
    const struct proposal *, size_t n, char *buf, size_t len);

/* ---- ike_ts.c ---- */

/* What we ask for: all of IPv4 and all of IPv6 (the gateway narrows). */
void ike_ts_request(struct ike_pld_ts *ret);
/* The gateway's selectors, each a subset of one we asked for (2.9). */
int ike_ts_narrowed(const struct ike_pld_ts *asked,
    const struct ike_pld_ts *got, struct ike_child_ts *ret, size_t *ret_n,
    char *why, size_t why_len) P2S_WUR;

/* The CHILD_SA's narrowed selectors again, for its rekey (2.8). */
void ike_ts_from_child(
    const struct ike_child_ts *, size_t n, struct ike_pld_ts *ret);

/* ---- ike_cp.c ---- */

/* CFG_REQUEST for IPv4 and IPv6 addresses and DNS servers. */
void ike_cp_request(struct ike_pld_cp *ret);
/* The CFG_REPLY: virtual IPs and DNS servers into child. */
int ike_cp_reply(const struct ike_pld_cp *, struct ike_child *child, char *why,
    size_t why_len) P2S_WUR;

#endif /* P2S_IKE_INT_H */
