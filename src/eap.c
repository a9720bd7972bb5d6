/* SPDX-License-Identifier: ISC */
/*
 * eap.c: the EAP peer (see eap.h).  Owns the EAP packet codec (RFC 3748
 * 4), the answers to Identity (5.1), Notification (5.2) and unwanted
 * methods (legacy Nak, 5.3.1), the duplicate-request rule (4.1), the round
 * cap, and the decision on EAP-Success and EAP-Failure (4.2).  The method
 * itself is eap_tls.c; no OpenSSL here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "caps.h"
#include "eap.h"
#include "eap_tls.h"
#include "log.h"

struct eap_peer {
	enum eap_peer_state state;
	char *identity;	      /* owned copy, NUL-terminated */
	size_t identity_len;  /* bytes, without the NUL */
	struct eap_tls *tls;  /* owned */
	size_t max_msg_len;   /* bytes: our largest message */
	unsigned n_rounds;    /* requests seen, duplicates too */
	unsigned n_naks;      /* Naks sent */
	struct buf *last_req; /* owned: the last request answered */
	uint8_t last_id;      /* its Identifier */
	uint8_t *resp;	      /* owned, max_msg_len bytes: its answer */
	size_t resp_len;      /* bytes of resp in use */
	char reason[EAP_TLS_REASON_LEN]; /* why FAILED */
};

static const char *const eap_peer_state_names[_EAP_PEER_STATE_MAX] = {
	[EAP_PEER_IDLE] = "IDLE",
	[EAP_PEER_IDENTIFIED] = "IDENTIFIED",
	[EAP_PEER_METHOD] = "METHOD",
	[EAP_PEER_SUCCESS] = "SUCCESS",
	[EAP_PEER_FAILED] = "FAILED",
};

int
eap_pkt_parse(const struct rd *in, struct eap_pkt *ret)
{
	struct rd r = *in;
	uint8_t code, id, type = 0;
	uint16_t len;

	if (!rd_u8(&r, &code) || !rd_u8(&r, &id) || !rd_u16(&r, &len))
		return -EBADMSG;
	if (len != in->len) {
		log_debug("EAP Length %u, packet %zu bytes", len, in->len);
		return -EBADMSG;
	}
	switch (code) {
	case EAP_CODE_REQUEST:
	case EAP_CODE_RESPONSE:
		if (!rd_u8(&r, &type))
			return -EBADMSG;
		break;
	case EAP_CODE_SUCCESS:
	case EAP_CODE_FAILURE:
		/* RFC 3748 4.2: Length is 4, no data. */
		if (rd_left(&r) != 0)
			return -EBADMSG;
		break;
	default:
		log_debug("EAP code %u", code);
		return -EOPNOTSUPP;
	}
	ret->code = code;
	ret->id = id;
	ret->type = type;
	ret->data = r;
	return 0;
}

size_t
eap_pkt_begin(struct wr *w, uint8_t code, uint8_t id, uint8_t type)
{
	size_t start = w->len;

	wr_u8(w, code);
	wr_u8(w, id);
	wr_u16(w, 0); /* Length: eap_pkt_end() */
	wr_u8(w, type);
	return start;
}

void
eap_pkt_end(struct wr *w, size_t start)
{
	if (!wr_ok(w) || w->len - start > EAP_MSG_MAX_LEN) {
		w->err = true;
		return;
	}
	wr_patch_u16(w, start + 2, (uint16_t)(w->len - start));
}

const char *
eap_peer_state_name(enum eap_peer_state s)
{
	if ((unsigned)s >= _EAP_PEER_STATE_MAX)
		return "?";
	return eap_peer_state_names[s];
}

static void
eap_peer_set_state(struct eap_peer *p, enum eap_peer_state s)
{
	if (p->state == s)
		return;
	log_debug("EAP %s -> %s", eap_peer_state_name(p->state),
	    eap_peer_state_name(s));
	p->state = s;
}

static void eap_peer_vnote(struct eap_peer *, const char *, va_list)
    P2S_PRINTF(2, 0);
static void eap_peer_note(struct eap_peer *, const char *, ...)
    P2S_PRINTF(2, 3);
static int eap_peer_fail(struct eap_peer *, int, const char *, ...)
    P2S_PRINTF(3, 4);

/* Keeps the first reason: later ones are consequences of it. */
static void
eap_peer_vnote(struct eap_peer *p, const char *fmt, va_list ap)
{
	if (p->reason[0] == '\0')
		(void)vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
}

static void
eap_peer_note(struct eap_peer *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	eap_peer_vnote(p, fmt, ap);
	va_end(ap);
}

static int
eap_peer_fail(struct eap_peer *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	eap_peer_vnote(p, fmt, ap);
	va_end(ap);
	eap_peer_set_state(p, EAP_PEER_FAILED);
	return err;
}

int
eap_peer_new(const struct eap_peer_conf *conf, struct eap_peer **ret)
{
	struct eap_peer *p;
	size_t id_len;
	int r;

	if (conf->identity == NULL || conf->tls == NULL)
		return -EINVAL;
	id_len = strlen(conf->identity);
	if (id_len == 0 || id_len > EAP_IDENTITY_MAX_LEN ||
	    conf->max_msg_len < EAP_MSG_MIN_LEN ||
	    conf->max_msg_len > EAP_MSG_MAX_LEN ||
	    EAP_HDR_LEN + 1 + id_len > conf->max_msg_len)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->identity = strdup(conf->identity);
	p->resp = malloc(conf->max_msg_len);
	if (p->identity == NULL || p->resp == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = eap_tls_new(conf->tls, conf->resume, &p->tls);
	if (r < 0)
		goto out;
	p->identity_len = id_len;
	p->max_msg_len = conf->max_msg_len;
	*ret = p;
	return 0;
out:
	eap_peer_free(p);
	return r;
}

void
eap_peer_free(struct eap_peer *p)
{
	if (p == NULL)
		return;
	eap_tls_free(p->tls);
	buf_free(p->last_req);
	free(p->resp);
	free(p->identity);
	free(p);
}

enum eap_peer_state
eap_peer_state(const struct eap_peer *p)
{
	return p->state;
}

/* RFC 3748 5.1: the Identity response carries the identity, with no NUL. */
static int
eap_peer_identity(struct eap_peer *p, const struct eap_pkt *req, struct wr *w)
{
	size_t at;

	if (p->state != EAP_PEER_IDLE && p->state != EAP_PEER_IDENTIFIED) {
		log_debug("Identity request in state %s",
		    eap_peer_state_name(p->state));
		return -EPROTO;
	}
	at = eap_pkt_begin(w, EAP_CODE_RESPONSE, req->id, EAP_TYPE_IDENTITY);
	wr_bytes(w, p->identity, p->identity_len);
	eap_pkt_end(w, at);
	eap_peer_set_state(p, EAP_PEER_IDENTIFIED);
	return 0;
}

/*
 * RFC 3748 5.2: a Notification is acknowledged by an empty Notification
 * response.  Its text is for the user, so it is logged, printable ASCII
 * only and cut short: the gateway chose those bytes.
 */
static int
eap_peer_notification(
    struct eap_peer *p, const struct eap_pkt *req, struct wr *w)
{
	char text[EAP_NOTIFY_LOG_MAX + 1];
	size_t i, n = req->data.len;
	size_t at;

	if (n > EAP_NOTIFY_LOG_MAX)
		n = EAP_NOTIFY_LOG_MAX;
	for (i = 0; i < n; i++) {
		uint8_t c = req->data.p[i];

		text[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	text[n] = '\0';
	log_info("EAP notification from the gateway: \"%s\"%s", text,
	    req->data.len > n ? "..." : "");
	at =
	    eap_pkt_begin(w, EAP_CODE_RESPONSE, req->id, EAP_TYPE_NOTIFICATION);
	eap_pkt_end(w, at);
	return 0;
}

/*
 * RFC 3748 5.3.1: a method we do not do is refused with a legacy Nak that
 * names EAP-TLS, and only before a method has begun.  Expanded Types (254)
 * get the legacy Nak too: we support no expanded type.
 */
static int
eap_peer_nak(struct eap_peer *p, const struct eap_pkt *req, struct wr *w)
{
	size_t at;

	if (p->state != EAP_PEER_IDLE && p->state != EAP_PEER_IDENTIFIED) {
		log_debug("method %u proposed in state %s", req->type,
		    eap_peer_state_name(p->state));
		return -EPROTO;
	}
	if (++p->n_naks > EAP_MAX_NAKS) {
		eap_peer_note(p,
		    "the gateway offers no EAP-TLS (last "
		    "proposal: EAP type %u)",
		    req->type);
		return -EOPNOTSUPP;
	}
	log_debug("refusing EAP type %u, asking for EAP-TLS", req->type);
	at = eap_pkt_begin(w, EAP_CODE_RESPONSE, req->id, EAP_TYPE_NAK);
	wr_u8(w, EAP_TYPE_TLS);
	eap_pkt_end(w, at);
	eap_peer_set_state(p, EAP_PEER_IDENTIFIED);
	return 0;
}

static int
eap_peer_tls(struct eap_peer *p, const struct eap_pkt *req, struct wr *w)
{
	size_t at;
	int r;

	at = eap_pkt_begin(w, EAP_CODE_RESPONSE, req->id, EAP_TYPE_TLS);
	r = eap_tls_process(p->tls, &req->data, w);
	if (r < 0)
		return r;
	eap_pkt_end(w, at);
	eap_peer_set_state(p, EAP_PEER_METHOD);
	return 0;
}

/* Builds the answer to a new request in p->resp. */
static int
eap_peer_answer(struct eap_peer *p, const struct eap_pkt *req)
{
	struct wr w = wr_make(p->resp, p->max_msg_len);
	int r;

	switch (req->type) {
	case EAP_TYPE_IDENTITY:
		r = eap_peer_identity(p, req, &w);
		break;
	case EAP_TYPE_NOTIFICATION:
		r = eap_peer_notification(p, req, &w);
		break;
	case EAP_TYPE_TLS:
		r = eap_peer_tls(p, req, &w);
		break;
	case 0:
	case EAP_TYPE_NAK:
		/* Type 0 is reserved; a Nak is a Response only (5.3). */
		log_debug("EAP request of type %u", req->type);
		r = -EBADMSG;
		break;
	default:
		r = eap_peer_nak(p, req, &w);
		break;
	}
	if (r < 0)
		return r;
	if (!wr_ok(&w))
		return -ENOSPC;
	p->resp_len = w.len;
	return 0;
}

/*
 * RFC 3748 4.1: a retransmitted request (same Identifier) gets the same
 * response again without being processed again, which EAP-TLS could not
 * survive.  The same Identifier on different bytes is no retransmission:
 * a new request must change it.
 */
static int
eap_peer_request(
    struct eap_peer *p, const struct rd *raw, const struct eap_pkt *req)
{
	struct rd last;
	int r;

	if (p->last_req != NULL && req->id == p->last_id) {
		last = buf_rd(p->last_req);
		if (!rd_eq(&last, raw)) {
			log_debug(
			    "Identifier %u reused by a new request", req->id);
			return -EPROTO;
		}
		log_debug(
		    "duplicate request %u: resending the response", req->id);
		return EAP_PEER_RESPOND;
	}
	r = eap_peer_answer(p, req);
	if (r < 0)
		return r;
	buf_free(p->last_req);
	p->last_req = buf_dup_rd(raw);
	if (p->last_req == NULL)
		return -ENOMEM;
	p->last_id = req->id;
	return EAP_PEER_RESPOND;
}

/*
 * RFC 3748 4.2: Success counts only after the method finished with keys;
 * an early one (or one after our own refusal) is an attack or a broken
 * gateway, never a reason to go on.  The Identifier is not checked (the
 * RFC lets the peer ignore it).
 */
static int
eap_peer_success(struct eap_peer *p)
{
	if (p->state != EAP_PEER_METHOD || eap_tls_success(p->tls) < 0) {
		const char *why = eap_tls_reason(p->tls);

		return eap_peer_fail(p, -EPROTO, "%s",
		    why != NULL ? why : "EAP-Success before EAP-TLS started");
	}
	eap_peer_set_state(p, EAP_PEER_SUCCESS);
	return EAP_PEER_DONE;
}

/*
 * RFC 3748 4.2.  What EAP-TLS saw explains it best (an alert, a refused
 * certificate); otherwise where it came says what the gateway refused.
 */
static int
eap_peer_failure(struct eap_peer *p)
{
	const char *why = eap_tls_reason(p->tls);

	if (why != NULL)
		return eap_peer_fail(p, -EACCES, "%s", why);
	if (p->state != EAP_PEER_METHOD)
		return eap_peer_fail(p, -EACCES,
		    "EAP-Failure before EAP-TLS began (our identity: \"%s\")",
		    p->identity);
	if (eap_tls_state(p->tls) == EAP_TLS_WAIT_SUCCESS)
		return eap_peer_fail(p, -EACCES,
		    "EAP-Failure after a complete TLS handshake: the gateway "
		    "refused our client certificate (revoked, or its root not "
		    "uploaded to the gateway?)");
	return eap_peer_fail(p, -EACCES,
	    "EAP-Failure during the TLS handshake (EAP-TLS state %s)",
	    eap_tls_state_name(eap_tls_state(p->tls)));
}

static int
eap_peer_dispatch(struct eap_peer *p, const struct rd *req)
{
	struct eap_pkt pkt;
	int r;

	r = eap_pkt_parse(req, &pkt);
	if (r < 0)
		return r;
	switch (pkt.code) {
	case EAP_CODE_REQUEST:
		return eap_peer_request(p, req, &pkt);
	case EAP_CODE_SUCCESS:
		return eap_peer_success(p);
	case EAP_CODE_FAILURE:
		return eap_peer_failure(p);
	default:
		log_debug("EAP Response from the gateway");
		return -EPROTO;
	}
}

int
eap_peer_process(struct eap_peer *p, const struct rd *req, struct wr *resp)
{
	int r;

	if (resp->err || resp->cap - resp->len < p->max_msg_len)
		return -ENOSPC;
	if (p->state == EAP_PEER_SUCCESS || p->state == EAP_PEER_FAILED)
		return -EPROTO;
	/* Duplicates count too: a gateway that never finishes stops here,
	 * and the reason says where it went round. */
	if (++p->n_rounds > EAP_MAX_ROUNDS && p->state != EAP_PEER_METHOD)
		return eap_peer_fail(p, -E2BIG,
		    "more than %d EAP requests before EAP-TLS began",
		    EAP_MAX_ROUNDS);
	if (p->n_rounds > EAP_MAX_ROUNDS)
		return eap_peer_fail(p, -E2BIG,
		    "more than %d EAP requests: the gateway does not finish "
		    "the TLS handshake (EAP-TLS state %s)",
		    EAP_MAX_ROUNDS, eap_tls_state_name(eap_tls_state(p->tls)));
	r = eap_peer_dispatch(p, req);
	if (r < 0) {
		const char *why = eap_tls_reason(p->tls);

		return eap_peer_fail(p, r, "%s",
		    why != NULL		? why
			: r == -EBADMSG ? "malformed EAP request"
					: "EAP request not allowed");
	}
	if (r == EAP_PEER_RESPOND)
		wr_bytes(resp, p->resp, p->resp_len);
	return r;
}

int
eap_peer_msk(const struct eap_peer *p, struct rd *ret_msk)
{
	if (p->state != EAP_PEER_SUCCESS)
		return -EPROTO;
	return eap_tls_keys(p->tls, ret_msk, NULL);
}

int
eap_peer_session(const struct eap_peer *p, struct tls_session **ret)
{
	if (p->state != EAP_PEER_SUCCESS)
		return -ENOENT;
	return eap_tls_session(p->tls, ret);
}

bool
eap_peer_resumed(const struct eap_peer *p)
{
	return p->state == EAP_PEER_SUCCESS && eap_tls_resumed(p->tls);
}

const char *
eap_peer_reason(const struct eap_peer *p)
{
	return p->reason[0] != '\0' ? p->reason : NULL;
}
