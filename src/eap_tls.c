/* SPDX-License-Identifier: ISC */
/*
 * eap_tls.c: the EAP-TLS peer (see eap_tls.h).  Owns the framing of
 * RFC 5216 3.1 (flags, TLS Message Length, fragments and their ACKs,
 * 2.1.5), the SSL object of one conversation with its two memory BIOs, and
 * the keys it exports: RFC 5216 2.3 for TLS 1.2, RFC 9190 2.3 for TLS 1.3,
 * where they wait for the server's commitment message (RFC 9190 2.5).
 *
 * The gateway's bytes go into the read BIO as its fragments arrive (the
 * BIO is the reassembly buffer; the caps bound it) and OpenSSL sees them
 * once the message is whole.  Our bytes wait in the write BIO and leave in
 * as few fragments as the caller's room allows.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "caps.h"
#include "eap.h"
#include "eap_tls.h"
#include "ike.h"
#include "log.h"
#include "tls_ossl.h"

/* RFC 5216 2.3 and RFC 9190 2.3. */
#define EAP_TLS_LABEL_TLS12 "client EAP encryption"
#define EAP_TLS_LABEL_TLS13 "EXPORTER_EAP_TLS_Key_Material"

/* Room a response needs: the flags, a TLS Message Length, and some data. */
#define EAP_TLS_MIN_ROOM (EAP_MSG_MIN_LEN - EAP_HDR_LEN - 1)

struct eap_tls {
	enum eap_tls_state state;
	SSL *ssl;		   /* owned, with both BIOs */
	BIO *rbio;		   /* borrowed from ssl: gateway -> TLS */
	BIO *wbio;		   /* borrowed from ssl: TLS -> gateway */
	const struct tls_ctx *ctx; /* borrowed, outlives us */
	size_t rx_len;		   /* bytes: TLS Message Length announced */
	size_t rx_got;		   /* bytes of it received */
	size_t n_rx_frags;	   /* fragments of it received */
	size_t tx_len;		   /* bytes: our message being sent */
	size_t tx_sent;		   /* bytes of it sent */
	bool committed;		   /* TLS 1.3: 0x00 received (RFC 9190 2.5) */
	struct buf *keys;	   /* owned, secret: MSK | EMSK */
	char reason[EAP_TLS_REASON_LEN];	   /* why FAILED */
	char verify_reason[TLS_VERIFY_REASON_LEN]; /* from tls_ctx.c */
};

static const char *const eap_tls_state_names[_EAP_TLS_STATE_MAX] = {
	[EAP_TLS_WAIT_START] = "WAIT_START",
	[EAP_TLS_HANDSHAKE] = "HANDSHAKE",
	[EAP_TLS_FRAG_RX] = "FRAG_RX",
	[EAP_TLS_FRAG_TX] = "FRAG_TX",
	[EAP_TLS_WAIT_SUCCESS] = "WAIT_SUCCESS",
	[EAP_TLS_DONE] = "DONE",
	[EAP_TLS_FAILED] = "FAILED",
};

const char *
eap_tls_state_name(enum eap_tls_state s)
{
	if ((unsigned)s >= _EAP_TLS_STATE_MAX)
		return "?";
	return eap_tls_state_names[s];
}

static void
eap_tls_set_state(struct eap_tls *t, enum eap_tls_state s)
{
	if (t->state == s)
		return;
	log_debug("EAP-TLS %s -> %s", eap_tls_state_name(t->state),
	    eap_tls_state_name(s));
	t->state = s;
}

static void eap_tls_note(struct eap_tls *, const char *, ...) P2S_PRINTF(2, 3);

/* Keeps the first reason: later ones are consequences of it. */
static void
eap_tls_note(struct eap_tls *t, const char *fmt, ...)
{
	va_list ap;

	if (t->reason[0] != '\0')
		return;
	va_start(ap, fmt);
	(void)vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
}

static int
eap_tls_fail(struct eap_tls *t, int err)
{
	const char *state = eap_tls_state_name(t->state);

	if (err == -EBADMSG || err == -E2BIG)
		eap_tls_note(t, "malformed EAP-TLS request in state %s", state);
	else if (err == -EPROTO)
		eap_tls_note(
		    t, "EAP-TLS request not allowed in state %s", state);
	else
		eap_tls_note(
		    t, "EAP-TLS failed in state %s: %s", state, strerror(-err));
	eap_tls_set_state(t, EAP_TLS_FAILED);
	return err;
}

int
eap_tls_frag_parse(const struct rd *in, struct eap_tls_frag *ret)
{
	struct rd r = *in;
	uint32_t msg_len = 0;
	uint8_t flags;

	if (!rd_u8(&r, &flags))
		return -EBADMSG;
	/* RFC 5216 3.1: the reserved bits are ignored on reception. */
	flags &= EAP_TLS_FLAG_L | EAP_TLS_FLAG_M | EAP_TLS_FLAG_S;
	if ((flags & EAP_TLS_FLAG_L) != 0 && !rd_u32(&r, &msg_len)) {
		log_debug("TLS Message Length truncated (%zu < %d)",
		    rd_left(&r), EAP_TLS_LEN_LEN);
		return -EBADMSG;
	}
	ret->flags = flags;
	ret->msg_len = msg_len;
	ret->data = r;
	return 0;
}

int
eap_tls_new(
    struct tls_ctx *ctx, const struct tls_session *resume, struct eap_tls **ret)
{
	struct eap_tls *t;
	BIO *rbio, *wbio;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->ctx = ctx;
	t->ssl = tls_ssl_new(ctx, resume, t->verify_reason);
	rbio = BIO_new(BIO_s_mem());
	wbio = BIO_new(BIO_s_mem());
	if (t->ssl == NULL || rbio == NULL || wbio == NULL) {
		BIO_free(rbio);
		BIO_free(wbio);
		eap_tls_free(t);
		return -ENOMEM;
	}
	/* An empty read BIO means "wait for the next EAP message". */
	BIO_set_mem_eof_return(rbio, -1);
	SSL_set_bio(t->ssl, rbio, wbio);
	t->rbio = rbio;
	t->wbio = wbio;
	*ret = t;
	return 0;
}

void
eap_tls_free(struct eap_tls *t)
{
	if (t == NULL)
		return;
	/* EAP-TLS ends with EAP-Success, never close_notify.  Without this,
	 * SSL_free() would take the session for a broken one and mark it
	 * not resumable, under the caller's tls_session too. */
	if (t->ssl != NULL && t->state == EAP_TLS_DONE)
		SSL_set_shutdown(
		    t->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(t->ssl);
	buf_free(t->keys);
	free(t);
}

enum eap_tls_state
eap_tls_state(const struct eap_tls *t)
{
	return t->state;
}

const char *
eap_tls_reason(const struct eap_tls *t)
{
	return t->reason[0] != '\0' ? t->reason : NULL;
}

bool
eap_tls_resumed(const struct eap_tls *t)
{
	return SSL_session_reused(t->ssl) == 1;
}

static bool
eap_tls_is_tls13(const struct eap_tls *t)
{
	return SSL_version(t->ssl) >= TLS1_3_VERSION;
}

/* Handshake done and, with TLS 1.3, the server committed (RFC 9190 2.5). */
static bool
eap_tls_ready(const struct eap_tls *t)
{
	return SSL_is_init_finished(t->ssl) &&
	    (!eap_tls_is_tls13(t) || t->committed);
}

/*
 * RFC 5216 2.3:  Key_Material = TLS-PRF-128(master_secret,
 *                    "client EAP encryption", client.random || server.random)
 * RFC 9190 2.3:  Key_Material = TLS-Exporter("EXPORTER_EAP_TLS_Key_Material",
 *                    Type-Code, 128), Type-Code = 0x0D
 * MSK = Key_Material(0, 63), EMSK = Key_Material(64, 127).  OpenSSL's
 * exporter without a context is exactly the TLS 1.2 PRF over the randoms.
 */
static int
eap_tls_export_keys(struct eap_tls *t)
{
	static const uint8_t type_code = EAP_TYPE_TLS;
	struct buf *k;
	int ok;

	k = buf_new_secret(EAP_TLS_MSK_LEN + EAP_TLS_EMSK_LEN);
	if (k == NULL)
		return -ENOMEM;
	if (eap_tls_is_tls13(t))
		ok = SSL_export_keying_material(t->ssl, k->p, k->len,
		    EAP_TLS_LABEL_TLS13, strlen(EAP_TLS_LABEL_TLS13),
		    &type_code, 1, 1);
	else
		ok = SSL_export_keying_material(t->ssl, k->p, k->len,
		    EAP_TLS_LABEL_TLS12, strlen(EAP_TLS_LABEL_TLS12), NULL, 0,
		    0);
	if (ok != 1) {
		buf_free(k);
		ERR_clear_error();
		return -EIO;
	}
	buf_free(t->keys);
	t->keys = k;
	return 0;
}

/* The alerts a TLS server sends when it will not take our certificate. */
static bool
eap_tls_alert_is_cert(int desc)
{
	switch (desc) {
	case SSL_AD_BAD_CERTIFICATE:
	case SSL_AD_UNSUPPORTED_CERTIFICATE:
	case SSL_AD_CERTIFICATE_REVOKED:
	case SSL_AD_CERTIFICATE_EXPIRED:
	case SSL_AD_CERTIFICATE_UNKNOWN:
	case SSL_AD_UNKNOWN_CA:
	case SSL_AD_ACCESS_DENIED:
	case SSL_AD_CERTIFICATE_REQUIRED:
		return true;
	default:
		return false;
	}
}

/* The verification errors that mean "not under gateway.roots". */
static bool
eap_tls_verify_is_issuer(long v)
{
	return v == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    v == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	    v == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	    v == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
}

/*
 * Why OpenSSL failed, in words a user can act on: the gateway identity
 * check's own reason, the chain's verification error, the alert the
 * gateway sent (OpenSSL reports a received alert as reason
 * SSL_AD_REASON_OFFSET + its description), or OpenSSL's reason.
 */
static void
eap_tls_note_ssl(struct eap_tls *t, int ssl_err)
{
	unsigned long e = ERR_peek_last_error();
	long v = SSL_get_verify_result(t->ssl);
	int reason = ERR_GET_REASON(e);

	if (t->verify_reason[0] != '\0')
		eap_tls_note(t, "%s", t->verify_reason);
	else if (v != X509_V_OK)
		eap_tls_note(t, "gateway certificate refused: %s%s",
		    X509_verify_cert_error_string(v),
		    eap_tls_verify_is_issuer(v) ? " (is it issued under "
						  "gateway.roots?)"
						: "");
	else if (ssl_err == SSL_ERROR_ZERO_RETURN)
		eap_tls_note(t, "the gateway closed the TLS session");
	else if (ERR_GET_LIB(e) == ERR_LIB_SSL &&
	    reason > SSL_AD_REASON_OFFSET &&
	    reason < SSL_AD_REASON_OFFSET + 256)
		eap_tls_note(t, "the gateway ended TLS with alert \"%s\"%s",
		    SSL_alert_desc_string_long(reason - SSL_AD_REASON_OFFSET),
		    eap_tls_alert_is_cert(reason - SSL_AD_REASON_OFFSET)
			? ": it does not accept our client certificate"
			: "");
	else if (e != 0 && ERR_reason_error_string(e) != NULL)
		eap_tls_note(
		    t, "TLS handshake failed: %s", ERR_reason_error_string(e));
	else
		eap_tls_note(t, "TLS handshake failed (error %d)", ssl_err);
	ERR_clear_error();
}

/* SSL_ERROR_WANT_READ means: wait for the gateway's next message. */
static int
eap_tls_ssl_result(struct eap_tls *t, int ret)
{
	int e = SSL_get_error(t->ssl, ret);

	if (e == SSL_ERROR_WANT_READ)
		return 0;
	eap_tls_note_ssl(t, e);
	return -EACCES;
}

static void
eap_tls_log_handshake(const struct eap_tls *t)
{
	log_info("EAP-TLS: %s with %s%s", SSL_get_version(t->ssl),
	    SSL_CIPHER_get_name(SSL_get_current_cipher(t->ssl)),
	    eap_tls_resumed(t) ? ", session resumed" : "");
}

/*
 * After the handshake the gateway may only send TLS 1.3 tickets, its
 * commitment message (one application-data byte 0x00, RFC 9190 2.5) and
 * alerts.  Anything else it writes is refused.
 */
static int
eap_tls_read_app(struct eap_tls *t)
{
	uint8_t b[2];
	size_t n;

	for (;;) {
		ERR_clear_error();
		if (SSL_read_ex(t->ssl, b, sizeof(b), &n) != 1)
			return eap_tls_ssl_result(t, 0);
		if (!eap_tls_is_tls13(t) || t->committed || n != 1 ||
		    b[0] != 0x00) {
			eap_tls_note(t,
			    "unexpected TLS data after the "
			    "handshake (%zu bytes)",
			    n);
			return -EPROTO;
		}
		log_debug("TLS 1.3 commitment message received");
		t->committed = true;
	}
}

/* Feeds what the read BIO holds to OpenSSL. */
static int
eap_tls_run(struct eap_tls *t)
{
	int r;

	if (!SSL_is_init_finished(t->ssl)) {
		ERR_clear_error();
		r = SSL_do_handshake(t->ssl);
		if (r != 1)
			return eap_tls_ssl_result(t, r);
		eap_tls_log_handshake(t);
	}
	/* TLS 1.3 0.5-RTT data may already sit behind the Finished. */
	r = eap_tls_read_app(t);
	if (r < 0)
		return r;
	if (eap_tls_ready(t) && t->keys == NULL)
		return eap_tls_export_keys(t);
	return 0;
}

static size_t
eap_tls_room(const struct wr *w)
{
	return w->err ? 0 : w->cap - w->len;
}

/* The state once our current message is out. */
static enum eap_tls_state
eap_tls_after_tx(const struct eap_tls *t)
{
	return eap_tls_ready(t) ? EAP_TLS_WAIT_SUCCESS : EAP_TLS_HANDSHAKE;
}

/*
 * One fragment of our message.  The first carries L and the total length
 * when the rest does not fit (RFC 5216 2.1.5); a message that fits goes
 * without L, as the RFC allows.
 */
static int
eap_tls_tx_next(struct eap_tls *t, struct wr *resp)
{
	size_t room = eap_tls_room(resp) - 1, left = t->tx_len - t->tx_sent;
	uint8_t flags = 0, *p;
	size_t n = left;

	if (left > room) {
		flags = EAP_TLS_FLAG_M;
		n = room;
		if (t->tx_sent == 0) {
			flags |= EAP_TLS_FLAG_L;
			n -= EAP_TLS_LEN_LEN;
		}
	}
	wr_u8(resp, flags);
	if ((flags & EAP_TLS_FLAG_L) != 0)
		wr_u32(resp, (uint32_t)t->tx_len);
	p = wr_reserve(resp, n);
	if (p == NULL || BIO_read(t->wbio, p, (int)n) != (int)n)
		return -ENOSPC;
	t->tx_sent += n;
	eap_tls_set_state(
	    t, t->tx_sent < t->tx_len ? EAP_TLS_FRAG_TX : eap_tls_after_tx(t));
	return 0;
}

/* Our answer to a whole message: what TLS wrote, or an empty response
 * (RFC 5216 2.1.3: the peer's reply to the server's Finished). */
static int
eap_tls_reply(struct eap_tls *t, struct wr *resp)
{
	size_t pending = BIO_ctrl_pending(t->wbio);

	if (pending == 0) {
		wr_u8(resp, 0);
		eap_tls_set_state(t, eap_tls_after_tx(t));
		return 0;
	}
	if (pending > EAP_TLS_MAX_MSG_LEN)
		return -E2BIG;
	t->tx_len = pending;
	t->tx_sent = 0;
	return eap_tls_tx_next(t, resp);
}

/*
 * The handshake failed: OpenSSL put our alert in the write BIO, or read
 * the gateway's.  RFC 5216 2.1.3: the peer sends its alert, or an empty
 * response to the server's, and the server ends with EAP-Failure.  An
 * alert is a few dozen bytes; should it not fit, the empty response says
 * as much.
 */
static int
eap_tls_refuse(struct eap_tls *t, struct wr *resp)
{
	size_t pending = BIO_ctrl_pending(t->wbio);
	uint8_t *p;

	log_debug("TLS failed, answering with %zu bytes of alert", pending);
	wr_u8(resp, 0);
	if (pending > 0 && pending < eap_tls_room(resp)) {
		p = wr_reserve(resp, pending);
		if (p != NULL)
			(void)BIO_read(t->wbio, p, (int)pending);
	}
	eap_tls_set_state(t, EAP_TLS_FAILED);
	return 0;
}

/* The gateway's message is whole: run TLS on it and answer. */
static int
eap_tls_rx_done(struct eap_tls *t, struct wr *resp)
{
	int r = eap_tls_run(t);

	if (r == -EACCES)
		return eap_tls_refuse(t, resp);
	if (r < 0)
		return r;
	return eap_tls_reply(t, resp);
}

/* Into the read BIO, which never holds more than one message's cap, even
 * with bytes OpenSSL left unread from earlier messages. */
static int
eap_tls_rx_write(struct eap_tls *t, const struct rd *data)
{
	if (BIO_ctrl_pending(t->rbio) + data->len > EAP_TLS_MAX_MSG_LEN) {
		eap_tls_note(t,
		    "the gateway's TLS data goes past %d bytes unread (%zu "
		    "held, %zu more)",
		    EAP_TLS_MAX_MSG_LEN, (size_t)BIO_ctrl_pending(t->rbio),
		    data->len);
		return -E2BIG;
	}
	if (data->len > 0 &&
	    BIO_write(t->rbio, data->p, (int)data->len) != (int)data->len)
		return -ENOMEM;
	t->rx_got += data->len;
	return 0;
}

/* RFC 5216 2.1.5: each fragment with M set is acknowledged by an
 * EAP-TLS response with no data. */
static int
eap_tls_ack(struct eap_tls *t, struct wr *resp)
{
	wr_u8(resp, 0);
	eap_tls_set_state(t, EAP_TLS_FRAG_RX);
	return 0;
}

/* The first (or only) fragment of a message from the gateway. */
static int
eap_tls_on_message(
    struct eap_tls *t, const struct eap_tls_frag *f, struct wr *resp)
{
	bool more = (f->flags & EAP_TLS_FLAG_M) != 0;
	bool has_len = (f->flags & EAP_TLS_FLAG_L) != 0;
	int r;

	if (f->data.len == 0) {
		/* An ACK, with nothing of ours outstanding. */
		log_debug("empty EAP-TLS request outside FRAG_TX");
		return -EPROTO;
	}
	if (more && !has_len) {
		/* RFC 5216 2.1.5: L MUST be set on the first fragment. */
		log_debug("first fragment without a TLS Message Length");
		return -EBADMSG;
	}
	if (has_len && f->msg_len > EAP_TLS_MAX_MSG_LEN) {
		eap_tls_note(t,
		    "the gateway announced a %u-byte TLS message, over the "
		    "%d-byte cap",
		    f->msg_len, EAP_TLS_MAX_MSG_LEN);
		return -E2BIG;
	}
	/* The length lies unless more follows exactly when it is not all. */
	if (has_len &&
	    (more ? f->msg_len <= f->data.len : f->msg_len != f->data.len)) {
		log_debug("TLS Message Length %u, fragment %zu bytes%s",
		    f->msg_len, f->data.len, more ? ", more follow" : "");
		return -EBADMSG;
	}
	t->rx_len = has_len ? f->msg_len : f->data.len;
	t->rx_got = 0;
	t->n_rx_frags = 1;
	r = eap_tls_rx_write(t, &f->data);
	if (r < 0)
		return r;
	return more ? eap_tls_ack(t, resp) : eap_tls_rx_done(t, resp);
}

/* A later fragment: no Start, the same length if L is repeated, never past
 * the announced length, and M until exactly the last byte. */
static int
eap_tls_on_fragment(
    struct eap_tls *t, const struct eap_tls_frag *f, struct wr *resp)
{
	bool more = (f->flags & EAP_TLS_FLAG_M) != 0;
	size_t left = t->rx_len - t->rx_got;
	int r;

	if ((f->flags & EAP_TLS_FLAG_L) != 0 && f->msg_len != t->rx_len) {
		log_debug("TLS Message Length changed (%u != %zu)", f->msg_len,
		    t->rx_len);
		return -EBADMSG;
	}
	if (++t->n_rx_frags > EAP_TLS_MAX_FRAGMENTS) {
		/* Said here: eap_tls_fail() would call it malformed. */
		eap_tls_note(t,
		    "the gateway's TLS message goes on past %d fragments",
		    EAP_TLS_MAX_FRAGMENTS);
		return -E2BIG;
	}
	if (f->data.len == 0 || f->data.len > left ||
	    more != (f->data.len < left)) {
		log_debug("fragment of %zu bytes with %zu left%s", f->data.len,
		    left, more ? ", more follow" : "");
		return -EBADMSG;
	}
	r = eap_tls_rx_write(t, &f->data);
	if (r < 0)
		return r;
	return more ? eap_tls_ack(t, resp) : eap_tls_rx_done(t, resp);
}

/* The gateway acknowledged our fragment: an empty request, no flags. */
static int
eap_tls_on_ack(struct eap_tls *t, const struct eap_tls_frag *f, struct wr *resp)
{
	if (f->flags != 0 || f->data.len != 0) {
		log_debug("expected an ACK, got flags 0x%02x and %zu bytes",
		    f->flags, f->data.len);
		return -EPROTO;
	}
	return eap_tls_tx_next(t, resp);
}

/* RFC 5216 2.1.1: Start has S set and no data; we answer with the
 * ClientHello. */
static int
eap_tls_on_start(
    struct eap_tls *t, const struct eap_tls_frag *f, struct wr *resp)
{
	int r;

	if ((f->flags & EAP_TLS_FLAG_S) == 0) {
		log_debug("EAP-TLS request before the Start");
		return -EPROTO;
	}
	if (f->flags != EAP_TLS_FLAG_S || f->data.len != 0) {
		log_debug("Start with flags 0x%02x and %zu bytes", f->flags,
		    f->data.len);
		return -EBADMSG;
	}
	eap_tls_set_state(t, EAP_TLS_HANDSHAKE);
	r = eap_tls_run(t);
	if (r < 0)
		return r;
	return eap_tls_reply(t, resp);
}

static int
eap_tls_dispatch(
    struct eap_tls *t, const struct eap_tls_frag *f, struct wr *resp)
{
	/* S only ever starts the conversation: no restart midway. */
	if (t->state != EAP_TLS_WAIT_START &&
	    (f->flags & EAP_TLS_FLAG_S) != 0) {
		log_debug("Start in state %s", eap_tls_state_name(t->state));
		return -EPROTO;
	}
	switch (t->state) {
	case EAP_TLS_WAIT_START:
		return eap_tls_on_start(t, f, resp);
	case EAP_TLS_HANDSHAKE:
	case EAP_TLS_WAIT_SUCCESS:
		return eap_tls_on_message(t, f, resp);
	case EAP_TLS_FRAG_RX:
		return eap_tls_on_fragment(t, f, resp);
	case EAP_TLS_FRAG_TX:
		return eap_tls_on_ack(t, f, resp);
	default:
		return -EPROTO;
	}
}

int
eap_tls_process(struct eap_tls *t, const struct rd *req, struct wr *resp)
{
	struct eap_tls_frag f;
	int r;

	if (t->state == EAP_TLS_DONE || t->state == EAP_TLS_FAILED)
		return -EPROTO;
	if (eap_tls_room(resp) < EAP_TLS_MIN_ROOM)
		return -ENOSPC;
	r = eap_tls_frag_parse(req, &f);
	if (r == 0)
		r = eap_tls_dispatch(t, &f, resp);
	if (r < 0)
		return eap_tls_fail(t, r);
	return 0;
}

int
eap_tls_success(struct eap_tls *t)
{
	if (t->state == EAP_TLS_WAIT_SUCCESS) {
		eap_tls_set_state(t, EAP_TLS_DONE);
		return 0;
	}
	if (t->state == EAP_TLS_HANDSHAKE && SSL_is_init_finished(t->ssl) &&
	    eap_tls_is_tls13(t) && !t->committed)
		eap_tls_note(t,
		    "EAP-Success without the TLS 1.3 commitment "
		    "message (RFC 9190 2.5)");
	eap_tls_note(t, "EAP-Success before EAP-TLS finished (state %s)",
	    eap_tls_state_name(t->state));
	eap_tls_set_state(t, EAP_TLS_FAILED);
	return -EPROTO;
}

int
eap_tls_keys(const struct eap_tls *t, struct rd *ret_msk, struct rd *ret_emsk)
{
	if (t->state != EAP_TLS_DONE || t->keys == NULL)
		return -EPROTO;
	if (ret_msk != NULL)
		*ret_msk = rd_make(t->keys->p, EAP_TLS_MSK_LEN);
	if (ret_emsk != NULL)
		*ret_emsk =
		    rd_make(t->keys->p + EAP_TLS_MSK_LEN, EAP_TLS_EMSK_LEN);
	return 0;
}

int
eap_tls_session(const struct eap_tls *t, struct tls_session **ret)
{
	if (t->state != EAP_TLS_DONE)
		return -ENOENT;
	return tls_session_get(t->ctx, t->ssl, ret);
}
