/* SPDX-License-Identifier: ISC */
/*
 * eap_test.c: see eap_test.h.  The server frames its packets with its own
 * code (wire.h's writer only), not with eap.c's, so the two sides of the
 * conversation are written independently, as RFC 3748 and RFC 5216 read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "cert.h"
#include "eap_test.h"
#include "ike.h"

enum {
	PH_IDENTITY,
	PH_TLS,
	PH_END
};

const char *
eapt_cert_path(const char *name)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	(void)snprintf(path, sizeof(path), "%s/tests/data/certs/%s",
	    top != NULL ? top : "..", name);
	return path;
}

/* Calls fn on each name of a comma-separated list. */
static void
each_name(const char *list, void (*fn)(void *, const char *), void *arg)
{
	char buf[512], *save = NULL, *name;

	(void)snprintf(buf, sizeof(buf), "%s", list);
	for (name = strtok_r(buf, ",", &save); name != NULL;
	     name = strtok_r(NULL, ",", &save))
		fn(arg, name);
}

static void
add_root(void *arg, const char *name)
{
	assert_int_equal(trust_add_file(arg, eapt_cert_path(name)), 0);
}

struct tls_ctx *
eapt_tls_ctx(const char *roots, const char *server_id, enum tls_version max)
{
	struct tls_ctx_conf conf = { .server_id = server_id,
		.max_version = max };
	struct cert *cert = NULL;
	struct key_ref *key = NULL;
	struct trust *trust = NULL;
	struct tls_ctx *ctx = NULL;

	assert_int_equal(
	    cert_load_file(eapt_cert_path("client.pem"), &cert), 0);
	assert_int_equal(key_load_file(eapt_cert_path("client.key"), &key), 0);
	assert_int_equal(trust_new(&trust), 0);
	each_name(roots, add_root, trust);
	conf.cert = cert;
	conf.key = key;
	conf.roots = trust;
	assert_int_equal(tls_ctx_new(&conf, &ctx), 0);
	/* The context holds its own references. */
	cert_free(cert);
	key_free(key);
	trust_free(trust);
	return ctx;
}

struct eap_peer *
eapt_peer(
    struct tls_ctx *ctx, const struct tls_session *resume, size_t max_msg_len)
{
	struct eap_peer_conf conf = { .identity = EAPT_CLIENT_ID,
		.tls = ctx,
		.resume = resume,
		.max_msg_len = max_msg_len };
	struct eap_peer *p = NULL;

	assert_int_equal(eap_peer_new(&conf, &p), 0);
	return p;
}

size_t
eapt_pkt(uint8_t *buf, size_t cap, uint8_t code, uint8_t id, int type,
    const void *data, size_t len)
{
	struct wr w = wr_make(buf, cap);

	wr_u8(&w, code);
	wr_u8(&w, id);
	wr_u16(&w, (uint16_t)(EAP_HDR_LEN + (type >= 0) + len));
	if (type >= 0)
		wr_u8(&w, (uint8_t)type);
	wr_bytes(&w, data, len);
	assert_true(wr_ok(&w));
	return w.len;
}

/* ---------------------------------------------------------------- */
/* The server. */

static X509 *
load_x509(const char *name)
{
	FILE *f = fopen(eapt_cert_path(name), "r");
	X509 *x;

	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	(void)fclose(f);
	assert_non_null(x);
	return x;
}

static void
srv_add_cert(void *arg, const char *name)
{
	SSL_CTX *ctx = arg;
	X509 *x = load_x509(name);

	/* The first is the server's certificate, the rest its chain. */
	if (SSL_CTX_get0_certificate(ctx) == NULL)
		assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
	else
		assert_int_equal(SSL_CTX_add1_chain_cert(ctx, x), 1);
	X509_free(x);
}

int
eapt_srv_init(struct eapt_srv *s, const struct eapt_srv_conf *c)
{
	static const unsigned char sid_ctx[] = "p2s-test";
	STACK_OF(X509_NAME) * names;
	X509 *ca;

	memset(s, 0, sizeof(*s));
	s->conf = *c;
	s->ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(s->ctx);
	assert_int_equal(
	    SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION), 1);
	assert_int_equal(SSL_CTX_set_max_proto_version(s->ctx, c->tls_max), 1);
	/* Send exactly the configured chain. */
	SSL_CTX_set_mode(s->ctx, SSL_MODE_NO_AUTO_CHAIN);
	each_name(c->chain, srv_add_cert, s->ctx);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(
			     s->ctx, eapt_cert_path(c->key), SSL_FILETYPE_PEM),
	    1);
	ca = load_x509(c->client_ca);
	assert_int_equal(
	    X509_STORE_add_cert(SSL_CTX_get_cert_store(s->ctx), ca), 1);
	X509_free(ca);
	names = SSL_load_client_CA_file(eapt_cert_path(c->client_ca));
	assert_non_null(names);
	SSL_CTX_set_client_CA_list(s->ctx, names);
	SSL_CTX_set_verify(
	    s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	/* Resumption with client certificates needs a session id context. */
	assert_int_equal(SSL_CTX_set_session_id_context(
			     s->ctx, sid_ctx, sizeof(sid_ctx) - 1),
	    1);
	assert_int_equal(SSL_CTX_set_num_tickets(s->ctx, 1), 1);
	if (!c->tickets)
		SSL_CTX_set_options(s->ctx, SSL_OP_NO_TICKET);
	eapt_srv_reset(s);
	return 0;
}

void
eapt_srv_reset(struct eapt_srv *s)
{
	SSL_CTX *ctx = s->ctx;
	struct eapt_srv_conf conf = s->conf;

	SSL_free(s->ssl);
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->conf = conf;
	s->ssl = SSL_new(ctx);
	assert_non_null(s->ssl);
	SSL_set_bio(s->ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
	SSL_set_accept_state(s->ssl);
}

void
eapt_srv_done(struct eapt_srv *s)
{
	SSL_free(s->ssl);
	SSL_CTX_free(s->ctx);
	s->ssl = NULL;
	s->ctx = NULL;
}

static void
srv_request(
    struct eapt_srv *s, struct wr *out, int type, const void *data, size_t len)
{
	s->id++;
	out->len += eapt_pkt(out->buf + out->len, out->cap - out->len,
	    EAP_CODE_REQUEST, s->id, type, data, len);
}

static void
srv_final(struct eapt_srv *s, struct wr *out, uint8_t code)
{
	out->len += eapt_pkt(
	    out->buf + out->len, out->cap - out->len, code, s->id, -1, NULL, 0);
	s->phase = PH_END;
	s->sent_success = code == EAP_CODE_SUCCESS;
	/* No close_notify in EAP-TLS: keep the session resumable. */
	if (s->sent_success)
		SSL_set_shutdown(
		    s->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	s->sent_failure = code == EAP_CODE_FAILURE;
}

/* One fragment of the server's TLS message (RFC 5216 2.1.5). */
static void
srv_send_frag(struct eapt_srv *s, struct wr *out)
{
	uint8_t buf[65536];
	struct wr w = wr_make(buf, sizeof(buf));
	size_t room = s->conf.frag - EAP_HDR_LEN - 2;
	size_t left = s->tx_len - s->tx_sent, n;
	bool with_len = s->tx_sent == 0 && (left > room || s->conf.always_len);
	uint8_t flags = 0;

	if (with_len)
		room -= 4;
	n = left > room ? room : left;
	if (with_len)
		flags |= 0x80;
	if (n < left)
		flags |= 0x40;
	wr_u8(&w, flags);
	if (with_len)
		wr_u32(&w, (uint32_t)s->tx_len);
	wr_bytes(&w, s->tx + s->tx_sent, n);
	s->tx_sent += n;
	s->n_frags[s->n_flights - 1]++;
	srv_request(s, out, EAP_TYPE_TLS, buf, w.len);
}

static void
srv_note_keys(struct eapt_srv *s)
{
	static const uint8_t type_code = 13;
	SSL *ssl = s->ssl;
	int ok;

	s->version = SSL_version(ssl);
	s->resumed = SSL_session_reused(ssl) == 1;
	if (s->version >= TLS1_3_VERSION) {
		ok = SSL_export_keying_material(ssl, s->keys, sizeof(s->keys),
		    "EXPORTER_EAP_TLS_Key_Material", 29, &type_code, 1, 1);
	} else {
		ok = SSL_export_keying_material(ssl, s->keys, sizeof(s->keys),
		    "client EAP encryption", 21, NULL, 0, 0);
		s->master_len = SSL_SESSION_get_master_key(
		    SSL_get_session(ssl), s->master, sizeof(s->master));
		(void)SSL_get_client_random(ssl, s->randoms, 32);
		(void)SSL_get_server_random(ssl, s->randoms + 32, 32);
		s->prf_md = SSL_CIPHER_get_handshake_digest(
		    SSL_get_current_cipher(ssl));
	}
	assert_int_equal(ok, 1);
	s->have_keys = true;
}

/* The peer's TLS message is whole: run the server's TLS and answer. */
static int
srv_tls(struct eapt_srv *s, struct wr *out)
{
	BIO *rbio = SSL_get_rbio(s->ssl), *wbio = SSL_get_wbio(s->ssl);
	size_t pending;
	bool ok;
	int r;

	if (s->failed) {
		/* The peer acknowledged our alert. */
		srv_final(s, out, EAP_CODE_FAILURE);
		return 0;
	}
	if (s->rx_len > 0)
		assert_int_equal(
		    BIO_write(rbio, s->rx, (int)s->rx_len), (int)s->rx_len);
	s->rx_len = 0;
	if (!SSL_is_init_finished(s->ssl)) {
		r = SSL_do_handshake(s->ssl);
		if (r == 1) {
			if (SSL_version(s->ssl) >= TLS1_3_VERSION &&
			    !s->conf.no_commit)
				assert_int_equal(SSL_write(s->ssl, "", 1), 1);
			srv_note_keys(s);
		} else if (SSL_get_error(s->ssl, r) != SSL_ERROR_WANT_READ) {
			ERR_clear_error();
			s->failed = true;
		}
	}
	pending = BIO_ctrl_pending(wbio);
	if (pending > 0) {
		assert_true(pending <= sizeof(s->tx));
		assert_true(s->n_flights < EAPT_MAX_FLIGHTS);
		s->tx_len = (size_t)BIO_read(wbio, s->tx, (int)pending);
		s->tx_sent = 0;
		s->flights[s->n_flights++] = s->tx_len;
		srv_send_frag(s, out);
		return 0;
	}
	ok = SSL_is_init_finished(s->ssl) && !s->failed &&
	    !s->conf.refuse_at_end;
	srv_final(s, out, ok ? EAP_CODE_SUCCESS : EAP_CODE_FAILURE);
	return 0;
}

static int
srv_on_tls(struct eapt_srv *s, struct rd *data, struct wr *out)
{
	uint8_t flags;
	uint32_t len;

	if (!rd_u8(data, &flags))
		return -1;
	if (s->tx_sent < s->tx_len) {
		/* Mid-message, the peer may only acknowledge. */
		if (flags != 0 || rd_left(data) != 0)
			return -1;
		srv_send_frag(s, out);
		return 0;
	}
	if ((flags & 0x80) != 0 && !rd_u32(data, &len))
		return -1;
	if (rd_left(data) > sizeof(s->rx) - s->rx_len)
		return -1;
	memcpy(s->rx + s->rx_len, data->p, data->len);
	s->rx_len += data->len;
	if ((flags & 0x40) != 0) {
		uint8_t ack = 0;

		srv_request(s, out, EAP_TYPE_TLS, &ack, 1);
		return 0;
	}
	return srv_tls(s, out);
}

void
eapt_srv_first(struct eapt_srv *s, struct wr *out)
{
	s->id = 0xff; /* the Identity request goes out with 0, as strongSwan */
	srv_request(s, out, EAP_TYPE_IDENTITY, NULL, 0);
	s->phase = PH_IDENTITY;
}

int
eapt_srv_step(struct eapt_srv *s, const struct rd *resp, struct wr *out)
{
	struct rd r = *resp;
	uint8_t code, id, type, start = 0x20;
	uint16_t len;

	if (!rd_u8(&r, &code) || !rd_u8(&r, &id) || !rd_u16(&r, &len) ||
	    !rd_u8(&r, &type) || code != EAP_CODE_RESPONSE || id != s->id ||
	    len != resp->len)
		return -1;
	switch (s->phase) {
	case PH_IDENTITY:
		if (type != EAP_TYPE_IDENTITY ||
		    r.len != strlen(EAPT_CLIENT_ID) ||
		    memcmp(r.p, EAPT_CLIENT_ID, r.len) != 0)
			return -1;
		s->id = 0xf7; /* then 0xf8, as in testbed.md's log */
		srv_request(s, out, EAP_TYPE_TLS, &start, 1);
		s->phase = PH_TLS;
		return 0;
	case PH_TLS:
		if (type != EAP_TYPE_TLS)
			return -1;
		return srv_on_tls(s, &r, out);
	default:
		return -1;
	}
}

/* ---------------------------------------------------------------- */

static void
count_peer(struct eapt_run *run, const uint8_t *resp, size_t len, bool *in_msg)
{
	size_t hdr = EAP_HDR_LEN + 2;

	if (len < hdr || resp[4] != EAP_TYPE_TLS)
		return;
	if ((resp[5] & 0x80) != 0)
		hdr += 4;
	if (len <= hdr)
		return; /* an ACK or an empty response */
	run->peer_tls_msgs++;
	if (!*in_msg) {
		assert_true(run->n_peer_flights < EAPT_MAX_FLIGHTS);
		run->n_peer_flights++;
	}
	run->peer_frags[run->n_peer_flights - 1]++;
	*in_msg = (resp[5] & 0x40) != 0;
}

/*
 * With P2S_EAP_RECORD=DIR, each conversation's server packets go to
 * DIR/conv-N in fuzz_eap's input format (size byte 254: 8192-byte
 * messages; no prelude): the real handshakes seed its corpus.
 */
static FILE *
record_open(void)
{
	static unsigned n;
	const char *dir = getenv("P2S_EAP_RECORD");
	char path[4096];
	FILE *f;

	if (dir == NULL)
		return NULL;
	(void)snprintf(path, sizeof(path), "%s/conv-%u", dir, n++);
	f = fopen(path, "wb");
	assert_non_null(f);
	(void)fputc(254, f);
	(void)fputc(0, f);
	return f;
}

static void
record(FILE *f, const uint8_t *pkt, size_t len)
{
	if (f == NULL)
		return;
	(void)fputc((int)(len >> 8), f);
	(void)fputc((int)(len & 0xff), f);
	assert_int_equal(fwrite(pkt, 1, len, f), len);
}

void
eapt_converse(struct eap_peer *p, struct eapt_srv *s, struct eapt_run *run)
{
	static uint8_t req[65536], resp[65536];
	struct wr w = wr_make(req, sizeof(req));
	FILE *rec = record_open();
	bool in_msg = false;

	memset(run, 0, sizeof(*run));
	eapt_srv_first(s, &w);
	for (;;) {
		struct rd in = rd_make(req, w.len);
		struct wr out = wr_make(resp, sizeof(resp));
		struct rd answer;
		int r = eap_peer_process(p, &in, &out);

		record(rec, req, w.len);
		run->result = r;
		if (r != EAP_PEER_RESPOND)
			break;
		run->rounds++;
		assert_true(run->rounds < 1000);
		count_peer(run, resp, out.len, &in_msg);
		w = wr_make(req, sizeof(req));
		answer = wr_view(&out, 0);
		assert_int_equal(eapt_srv_step(s, &answer, &w), 0);
	}
	run->srv_success = s->sent_success;
	if (rec != NULL)
		(void)fclose(rec);
}

/* ---------------------------------------------------------------- */
/* The server behind tests/fuzz/ike_peer.h (its struct ike_peer_eap). */

int
eapt_ike_first(void *arg, struct wr *out)
{
	eapt_srv_first(arg, out);
	return wr_ok(out) ? 0 : -ENOSPC;
}

int
eapt_ike_step(void *arg, const struct rd *resp, struct wr *out, bool *ret_done)
{
	struct eapt_srv *s = arg;

	if (eapt_srv_step(s, resp, out) < 0)
		return -EPROTO;
	*ret_done = s->sent_success || s->sent_failure;
	return 0;
}

int
eapt_ike_msk(void *arg, struct rd *ret)
{
	struct eapt_srv *s = arg;

	if (!s->have_keys)
		return -EPROTO;
	*ret = rd_make(s->keys, 64);
	return 0;
}
