/* SPDX-License-Identifier: ISC */
/*
 * test_eap_tls.c: EAP-TLS, peer side, against a real TLS server.
 *
 * The server (eap_test.c) is OpenSSL's server side behind EAP-TLS framing
 * of its own, with the fragment size strongSwan's gateway uses (1024), a
 * larger one and a tiny one.  These tests prove that TLS 1.2 and TLS 1.3
 * complete and give both sides the same MSK (and, for TLS 1.2, the MSK of
 * RFC 5216 2.3 computed here from the master secret), that the round trips
 * are the ones design.md counts on, that a wrong CA, a wrong gateway.id or
 * a client certificate the server does not trust each end in a clear
 * failure, that an EAP-Success is never taken on trust, that a resumed
 * session takes fewer round trips, and that lying or hostile framing is
 * refused with the documented errors.
 *
 * Round trips.  Counting every EAP response the peer sends, with k_i the
 * EAP messages the server needs for its i-th TLS message and c_j those the
 * peer needs for its j-th (one, when the whole flight fits):
 *   full handshake:    1 (Identity) + 1 (ClientHello, answering Start)
 *                      + (k_1 - 1) ACKs + c_2 (our flight)
 *                      + (k_2 - 1) ACKs + 1 (empty response to Finished,
 *                      or, TLS 1.3, to the commitment message)
 *   TLS 1.2 resumed:   1 + 1 + (k_1 - 1) + c_2 (our CCS and Finished),
 *                      answered by EAP-Success
 * With IKE on top: IKE_SA_INIT, then IKE_AUTH 1 brings the EAP-Identity
 * request, each EAP response is one more IKE_AUTH, and the last IKE_AUTH
 * carries AUTH from the MSK: IKE round trips = EAP responses + 3.
 * testbed.md 7.1's gateway (one certificate under its root, 1024-byte
 * fragments): k_1 = 2 (its first flight is 1015..2032 bytes: the first
 * fragment carries 1024 - 6 - 4 = 1014 bytes, the next 1018), k_2 = 1,
 * c_2 = 1 for p2s: 5 EAP responses, 8 round trips.  strongSwan's client
 * sends its ~1.2 KB flight as 1024-byte fragments: c_2 = 2, 9.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "caps.h"
#include "cert.h"
#include "eap.h"
#include "eap_test.h"
#include "eap_tls.h"
#include "ike.h"
#include "tls_ctx.h"

#define IKE_RTT(eap_responses) ((eap_responses) + 3)

/* EAP messages for one TLS message of len bytes at frag bytes each: the
 * first fragment also carries the 4-byte length when there is more. */
static unsigned
frags_for(size_t len, size_t frag, bool always_len)
{
	size_t room = frag - EAP_HDR_LEN - 2;
	unsigned n = 1;

	if (len <= room && !always_len)
		return 1;
	if (len <= room - 4)
		return 1;
	len -= room - 4;
	n += (unsigned)((len + room - 1) / room);
	return n;
}

static const struct eapt_srv_conf testbed_gw = {
	.tls_max = TLS1_2_VERSION,
	.frag = 1024,
	.chain = "gw.pem",
	.key = "gw.key",
	.client_ca = "client-root.pem",
	.always_len = true,
};

struct conn {
	struct tls_ctx *ctx;
	struct eap_peer *peer;
	struct eapt_srv srv;
	struct eapt_run run;
};

static void
conn_run(struct conn *c, const struct eapt_srv_conf *sc, const char *roots,
    const char *id, size_t peer_max)
{
	memset(c, 0, sizeof(*c));
	c->ctx = eapt_tls_ctx(roots, id, TLS_VERSION_1_3);
	c->peer = eapt_peer(c->ctx, NULL, peer_max);
	assert_int_equal(eapt_srv_init(&c->srv, sc), 0);
	eapt_converse(c->peer, &c->srv, &c->run);
}

static void
conn_done(struct conn *c)
{
	eap_peer_free(c->peer);
	tls_ctx_free(c->ctx);
	eapt_srv_done(&c->srv);
}

/* Peer and server hold the same MSK; the server's EMSK follows it. */
static void
assert_same_msk(const struct eap_peer *peer, const struct eapt_srv *srv)
{
	struct rd msk;

	assert_int_equal(eap_peer_msk(peer, &msk), 0);
	assert_int_equal(msk.len, EAP_TLS_MSK_LEN);
	assert_true(srv->have_keys);
	assert_memory_equal(msk.p, srv->keys, EAP_TLS_MSK_LEN);
}

/*
 * RFC 5216 2.3, computed here from the server's master secret and the two
 * randoms with the TLS 1.2 PRF (RFC 5246 5), not with an exporter:
 * Key_Material = PRF(master_secret, "client EAP encryption",
 * client.random || server.random), 128 bytes, MSK first, EMSK next.
 */
static void
assert_rfc5216_keys(const struct eap_peer *peer, const struct eapt_srv *srv)
{
	static const char label[] = "client EAP encryption";
	uint8_t seed[sizeof(label) - 1 + 64], km[128];
	OSSL_PARAM params[4];
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	struct rd msk;

	assert_int_equal(srv->version, TLS1_2_VERSION);
	assert_true(srv->master_len == 48 && srv->prf_md != NULL);
	memcpy(seed, label, sizeof(label) - 1);
	memcpy(seed + sizeof(label) - 1, srv->randoms, 64);
	kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	assert_non_null(kdf);
	kctx = EVP_KDF_CTX_new(kdf);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(srv->prf_md), 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_SECRET, (void *)srv->master, srv->master_len);
	params[2] = OSSL_PARAM_construct_octet_string(
	    OSSL_KDF_PARAM_SEED, seed, sizeof(seed));
	params[3] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_KDF_derive(kctx, km, sizeof(km), params), 1);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	assert_int_equal(eap_peer_msk(peer, &msk), 0);
	assert_memory_equal(msk.p, km, EAP_TLS_MSK_LEN);
	assert_memory_equal(srv->keys + 64, km + 64, EAP_TLS_EMSK_LEN);
}

/* The arithmetic of the header comment, from what actually went over. */
static unsigned
expected_rounds(const struct conn *c)
{
	const struct eapt_srv *s = &c->srv;
	unsigned n = 1, i;

	for (i = 0; i < s->n_flights; i++) {
		assert_int_equal(s->n_frags[i],
		    frags_for(s->flights[i], s->conf.frag, s->conf.always_len));
		n += s->n_frags[i] - 1;
	}
	for (i = 0; i < c->run.n_peer_flights; i++)
		n += c->run.peer_frags[i];
	/* The empty response to the server's last flight, unless (TLS 1.2
	 * resumption) our Finished was the last word. */
	if (!(s->resumed && s->version < TLS1_3_VERSION))
		n++;
	return n;
}

/* ---------------------------------------------------------------- */

static void
test_frag_parse(void **state)
{
	static const uint8_t start[] = { 0x20 };
	static const uint8_t first[] = { 0xc0, 0x00, 0x00, 0x05, 0xb4, 'a' };
	static const uint8_t reserved[] = { 0x1f, 'x' };
	static const uint8_t trunc[] = { 0x80, 0x00, 0x00, 0x05 };
	struct eap_tls_frag f;
	struct rd r;

	r = rd_make(start, sizeof(start));
	assert_int_equal(eap_tls_frag_parse(&r, &f), 0);
	assert_int_equal(f.flags, EAP_TLS_FLAG_S);
	assert_int_equal(f.data.len, 0);

	r = rd_make(first, sizeof(first));
	assert_int_equal(eap_tls_frag_parse(&r, &f), 0);
	assert_int_equal(f.flags, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M);
	assert_int_equal(f.msg_len, 0x5b4);
	assert_int_equal(f.data.len, 1);
	assert_int_equal(f.data.p[0], 'a');

	/* RFC 5216 3.1: reserved bits are ignored. */
	r = rd_make(reserved, sizeof(reserved));
	assert_int_equal(eap_tls_frag_parse(&r, &f), 0);
	assert_int_equal(f.flags, 0);
	assert_int_equal(f.data.len, 1);

	/* L with only three bytes of length; no flags byte at all. */
	r = rd_make(trunc, sizeof(trunc));
	assert_int_equal(eap_tls_frag_parse(&r, &f), -EBADMSG);
	r = rd_make(trunc, 0);
	assert_int_equal(eap_tls_frag_parse(&r, &f), -EBADMSG);
}

/* design.md 7: 8 round trips against testbed.md's gateway, where
 * strongSwan needs 9. */
static void
test_tls12_testbed_round_trips(void **state)
{
	struct conn p2s, sw;

	/* int-a is pinned as the anchor: the gateway sends its certificate
	 * alone, as testbed.md's does. */
	conn_run(&p2s, &testbed_gw, "int-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
	assert_int_equal(p2s.run.result, EAP_PEER_DONE);
	assert_true(p2s.run.srv_success);
	assert_int_equal(p2s.srv.version, TLS1_2_VERSION);
	assert_same_msk(p2s.peer, &p2s.srv);
	assert_rfc5216_keys(p2s.peer, &p2s.srv);
	/* The server's first flight took two fragments, ours one message. */
	assert_in_range(p2s.srv.flights[0], 1015, 2032);
	assert_int_equal(p2s.srv.n_frags[0], 2);
	assert_int_equal(p2s.run.n_peer_flights, 2);
	assert_int_equal(p2s.run.peer_frags[1], 1);
	assert_int_equal(p2s.run.rounds, expected_rounds(&p2s));
	assert_int_equal(p2s.run.rounds, 5);
	assert_int_equal(IKE_RTT(p2s.run.rounds), 8);

	/* The same with strongSwan's 1024-byte messages on our side too. */
	conn_run(&sw, &testbed_gw, "int-a.pem", EAPT_GW_ID, 1024);
	assert_int_equal(sw.run.result, EAP_PEER_DONE);
	assert_int_equal(sw.run.peer_frags[1], 2);
	assert_int_equal(sw.run.rounds, expected_rounds(&sw));
	assert_int_equal(IKE_RTT(sw.run.rounds), 9);
	conn_done(&p2s);
	conn_done(&sw);
}

/* Azure's shape: leaf and intermediate sent, the root trusted. */
static void
test_tls12_chain(void **state)
{
	struct eapt_srv_conf sc = testbed_gw;
	struct conn c;

	sc.chain = "gw.pem,int-a.pem";
	sc.always_len = false;
	conn_run(&c, &sc, "root-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
	assert_int_equal(c.run.result, EAP_PEER_DONE);
	assert_same_msk(c.peer, &c.srv);
	assert_rfc5216_keys(c.peer, &c.srv);
	assert_true(c.srv.n_frags[0] >= 3);
	assert_int_equal(c.run.rounds, expected_rounds(&c));
	conn_done(&c);
}

/* Both versions at fragment sizes 1024, 1400 and 64, on both sides. */
static void
test_fragment_sizes(void **state)
{
	static const size_t sizes[] = { 1024, 1400, 64 };
	static const int versions[] = { TLS1_2_VERSION, TLS1_3_VERSION };
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (j = 0; j < ARRAY_SIZE(versions); j++) {
			struct eapt_srv_conf sc = testbed_gw;
			struct conn c;

			sc.frag = sizes[i];
			sc.tls_max = versions[j];
			sc.always_len = i % 2 == 0;
			conn_run(&c, &sc, "int-a.pem", EAPT_GW_ID,
			    sizes[i] < 1024 ? sizes[i] : EAPT_MSG_MAX);
			print_message("# TLS %s, %zu-byte fragments: %u EAP "
				      "responses, server flight %zu bytes\n",
			    versions[j] == TLS1_3_VERSION ? "1.3" : "1.2",
			    sizes[i], c.run.rounds, c.srv.flights[0]);
			assert_int_equal(c.run.result, EAP_PEER_DONE);
			assert_int_equal(c.srv.version, versions[j]);
			assert_same_msk(c.peer, &c.srv);
			assert_int_equal(c.run.rounds, expected_rounds(&c));
			if (sizes[i] >= 1024)
				assert_int_equal(c.run.peer_frags[1], 1);
			else
				assert_true(c.run.peer_frags[1] > 1);
			conn_done(&c);
		}
	}
}

/* RFC 9190: the MSK comes from the TLS 1.3 exporter, and only after the
 * server's commitment message. */
static void
test_tls13(void **state)
{
	struct eapt_srv_conf sc = testbed_gw;
	struct conn c;

	sc.tls_max = TLS1_3_VERSION;
	conn_run(&c, &sc, "int-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
	assert_int_equal(c.run.result, EAP_PEER_DONE);
	assert_int_equal(c.srv.version, TLS1_3_VERSION);
	assert_same_msk(c.peer, &c.srv);
	assert_int_equal(c.run.rounds, expected_rounds(&c));
	assert_int_equal(c.run.rounds, 5);
	conn_done(&c);
}

/* strongSwan before 5.9.10 sends no commitment message with TLS 1.3
 * (testbed.md 7.4): its EAP-Success is refused, whatever its MSK. */
static void
test_tls13_no_commitment(void **state)
{
	struct eapt_srv_conf sc = testbed_gw;
	struct conn c;
	struct rd msk;

	sc.tls_max = TLS1_3_VERSION;
	sc.no_commit = true;
	conn_run(&c, &sc, "int-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
	assert_true(c.run.srv_success);
	assert_int_equal(c.run.result, -EPROTO);
	assert_int_equal(eap_peer_state(c.peer), EAP_PEER_FAILED);
	assert_non_null(strstr(eap_peer_reason(c.peer), "RFC 9190"));
	assert_int_equal(eap_peer_msk(c.peer, &msk), -EPROTO);
	conn_done(&c);
}

static void
assert_refused(const struct conn *c, const char *why)
{
	struct rd msk;

	print_message("# %s\n", eap_peer_reason(c->peer));
	assert_int_equal(c->run.result, -EACCES);
	assert_true(c->srv.sent_failure);
	assert_int_equal(eap_peer_state(c->peer), EAP_PEER_FAILED);
	assert_non_null(strstr(eap_peer_reason(c->peer), why));
	assert_int_equal(eap_peer_msk(c->peer, &msk), -EPROTO);
}

/* The gateway's certificate from another CA: our alert, its Failure. */
static void
test_wrong_ca(void **state)
{
	struct conn c;
	int v;

	for (v = TLS1_2_VERSION; v <= TLS1_3_VERSION; v++) {
		struct eapt_srv_conf sc = testbed_gw;

		sc.tls_max = v;
		conn_run(&c, &sc, "root-b.pem", EAPT_GW_ID, EAPT_MSG_MAX);
		assert_refused(&c, "gateway.roots");
		/* The server failed on our alert, not on silence. */
		assert_true(c.srv.failed);
		conn_done(&c);
	}
}

/* gateway.id is checked by cert_match_id(): any SAN dNSName will do, a
 * name the certificate does not hold is refused with its reason. */
static void
test_wrong_gateway_id(void **state)
{
	struct conn c;

	conn_run(&c, &testbed_gw, "int-a.pem",
	    "3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37.vpn.azure.com", EAPT_MSG_MAX);
	assert_int_equal(c.run.result, EAP_PEER_DONE);
	conn_done(&c);

	conn_run(
	    &c, &testbed_gw, "int-a.pem", "other.vpn.azure.com", EAPT_MSG_MAX);
	assert_refused(&c, "other.vpn.azure.com");
	assert_true(c.srv.failed);
	conn_done(&c);
}

/* The server does not trust our certificate: its alert, our empty
 * response, its Failure, and the alert is what we report. */
static void
test_client_cert_refused(void **state)
{
	struct conn c;
	int v;

	for (v = TLS1_2_VERSION; v <= TLS1_3_VERSION; v++) {
		struct eapt_srv_conf sc = testbed_gw;

		sc.tls_max = v;
		sc.client_ca = "root-b.pem";
		conn_run(&c, &sc, "int-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
		assert_refused(&c, "does not accept our client certificate");
		conn_done(&c);
	}
}

/* A good handshake, then EAP-Failure (Azure's answer to a revoked client
 * certificate): no key, and a reason that points at our certificate. */
static void
test_failure_after_handshake(void **state)
{
	struct eapt_srv_conf sc = testbed_gw;
	struct conn c;

	sc.refuse_at_end = true;
	conn_run(&c, &sc, "int-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
	assert_true(c.srv.have_keys);
	assert_refused(&c, "refused our client certificate");
	conn_done(&c);
}

/*
 * A reconnect with the kept session, the first peer gone: fewer round
 * trips, fresh keys.  With stateless tickets (tickets) the rounds depend
 * on the ticket's size, so only the arithmetic is checked.
 */
static void
resume(int version, bool tickets, unsigned full_rounds, unsigned resumed_rounds)
{
	struct eapt_srv_conf sc = testbed_gw;
	uint8_t first_msk[EAP_TLS_MSK_LEN];
	struct tls_session *sess = NULL;
	struct conn c;
	struct rd msk;

	sc.tls_max = version;
	sc.tickets = tickets;
	conn_run(&c, &sc, "int-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
	assert_int_equal(c.run.result, EAP_PEER_DONE);
	assert_int_equal(c.run.rounds, expected_rounds(&c));
	if (full_rounds > 0)
		assert_int_equal(c.run.rounds, full_rounds);
	full_rounds = c.run.rounds;
	assert_false(eap_peer_resumed(c.peer));
	assert_int_equal(eap_peer_msk(c.peer, &msk), 0);
	memcpy(first_msk, msk.p, sizeof(first_msk));
	assert_int_equal(eap_peer_session(c.peer, &sess), 0);
	eap_peer_free(c.peer);

	eapt_srv_reset(&c.srv);
	c.peer = eapt_peer(c.ctx, sess, EAPT_MSG_MAX);
	tls_session_free(sess); /* only borrowed by eap_peer_new() */
	eapt_converse(c.peer, &c.srv, &c.run);
	assert_int_equal(c.run.result, EAP_PEER_DONE);
	assert_true(c.srv.resumed);
	assert_true(eap_peer_resumed(c.peer));
	assert_same_msk(c.peer, &c.srv);
	assert_int_equal(eap_peer_msk(c.peer, &msk), 0);
	assert_memory_not_equal(msk.p, first_msk, sizeof(first_msk));
	assert_int_equal(c.run.rounds, expected_rounds(&c));
	assert_true(c.run.rounds < full_rounds);
	if (resumed_rounds > 0)
		assert_int_equal(c.run.rounds, resumed_rounds);
	print_message("# TLS %s%s: %u EAP responses, resumed %u\n",
	    version == TLS1_3_VERSION ? "1.3" : "1.2",
	    tickets ? " with tickets" : "", full_rounds, c.run.rounds);
	conn_done(&c);
}

/* design.md 7: a reconnect takes 6 round trips with TLS 1.2. */
static void
test_resume_tls12(void **state)
{
	resume(TLS1_2_VERSION, false, 5, 3);
	assert_int_equal(IKE_RTT(3), 6);
	resume(TLS1_2_VERSION, true, 0, 0);
}

static void
test_resume_tls13(void **state)
{
	resume(TLS1_3_VERSION, false, 5, 4);
	resume(TLS1_3_VERSION, true, 0, 0);
}

/* A session is only offered through the context that made it. */
static void
test_resume_other_ctx(void **state)
{
	struct tls_session *sess = NULL;
	struct tls_ctx *other;
	struct eap_peer *again;
	struct eapt_run run;
	struct conn c;

	conn_run(&c, &testbed_gw, "int-a.pem", EAPT_GW_ID, EAPT_MSG_MAX);
	assert_int_equal(eap_peer_session(c.peer, &sess), 0);
	other = eapt_tls_ctx("int-a.pem", EAPT_GW_ID, TLS_VERSION_1_3);
	eapt_srv_reset(&c.srv);
	again = eapt_peer(other, sess, EAPT_MSG_MAX);
	eapt_converse(again, &c.srv, &run);
	assert_int_equal(run.result, EAP_PEER_DONE);
	assert_false(c.srv.resumed);
	assert_false(eap_peer_resumed(again));
	assert_int_equal(run.rounds, 5);
	eap_peer_free(again);
	tls_session_free(sess);
	tls_ctx_free(other);
	conn_done(&c);
}

/* Configuration errors: nothing half-made comes back. */
static void
test_tls_ctx_errors(void **state)
{
	struct tls_ctx_conf conf = { .server_id = EAPT_GW_ID };
	struct tls_ctx *ctx = NULL;
	struct key_ref *other;
	struct trust *trust;
	struct cert *cert;

	assert_int_equal(
	    cert_load_file(eapt_cert_path("client.pem"), &cert), 0);
	assert_int_equal(key_load_file(eapt_cert_path("other.key"), &other), 0);
	assert_int_equal(trust_new(&trust), 0);
	assert_int_equal(trust_add_file(trust, eapt_cert_path("int-a.pem")), 0);
	assert_int_equal(tls_ctx_new(&conf, &ctx), -EINVAL);
	conf.cert = cert;
	conf.key = other;
	conf.roots = trust;
	conf.server_id = "";
	assert_int_equal(tls_ctx_new(&conf, &ctx), -EINVAL);
	conf.server_id = EAPT_GW_ID;
	/* A key that is not the certificate's. */
	assert_int_equal(tls_ctx_new(&conf, &ctx), -EKEYREJECTED);
	assert_null(ctx);
	cert_free(cert);
	key_free(other);
	trust_free(trust);
	tls_ctx_free(NULL);
	tls_session_free(NULL);
}

/* ---------------------------------------------------------------- */
/* Hostile and broken gateways, driven packet by packet. */

struct step {
	struct tls_ctx *ctx;
	struct eap_peer *peer;
	uint8_t id;
	uint8_t resp[65536];
	size_t resp_len;
};

static int
send_pkt(struct step *s, uint8_t code, int type, const void *data, size_t len)
{
	uint8_t buf[65536];
	struct wr out = wr_make(s->resp, sizeof(s->resp));
	struct rd in;
	int r;

	in = rd_make(
	    buf, eapt_pkt(buf, sizeof(buf), code, ++s->id, type, data, len));
	r = eap_peer_process(s->peer, &in, &out);
	s->resp_len = out.len;
	return r;
}

/* An EAP-TLS request: flags, optional length, data. */
static int
send_tls(struct step *s, uint8_t flags, uint32_t msg_len, const void *data,
    size_t len)
{
	uint8_t buf[65536];
	struct wr w = wr_make(buf, sizeof(buf));

	wr_u8(&w, flags);
	if ((flags & EAP_TLS_FLAG_L) != 0)
		wr_u32(&w, msg_len);
	wr_bytes(&w, data, len);
	return send_pkt(s, EAP_CODE_REQUEST, EAP_TYPE_TLS, buf, w.len);
}

/* Identity, Start, and the peer's ClientHello (or its first fragment). */
static void
step_start(struct step *s, size_t max_msg_len)
{
	memset(s, 0, sizeof(*s));
	s->ctx = eapt_tls_ctx("int-a.pem", EAPT_GW_ID, TLS_VERSION_1_3);
	s->peer = eapt_peer(s->ctx, NULL, max_msg_len);
	assert_int_equal(
	    send_pkt(s, EAP_CODE_REQUEST, EAP_TYPE_IDENTITY, NULL, 0),
	    EAP_PEER_RESPOND);
	assert_int_equal(
	    send_tls(s, EAP_TLS_FLAG_S, 0, NULL, 0), EAP_PEER_RESPOND);
	/* 02 id len 0d flags ClientHello... */
	assert_true(s->resp_len > 6);
	assert_int_equal(s->resp[4], EAP_TYPE_TLS);
}

static void
step_done(struct step *s)
{
	eap_peer_free(s->peer);
	tls_ctx_free(s->ctx);
}

/* An EAP-TLS response with no data: an ACK. */
static void
assert_ack(const struct step *s)
{
	assert_int_equal(s->resp_len, 6);
	assert_int_equal(s->resp[0], EAP_CODE_RESPONSE);
	assert_int_equal(s->resp[1], s->id);
	assert_int_equal(s->resp[4], EAP_TYPE_TLS);
	assert_int_equal(s->resp[5], 0);
}

static void
assert_dead(struct step *s, const char *why)
{
	struct rd msk;

	assert_int_equal(eap_peer_state(s->peer), EAP_PEER_FAILED);
	if (why != NULL)
		assert_non_null(strstr(eap_peer_reason(s->peer), why));
	/* Final: nothing is processed any more. */
	assert_int_equal(send_pkt(s, EAP_CODE_SUCCESS, -1, NULL, 0), -EPROTO);
	assert_int_equal(eap_peer_msk(s->peer, &msk), -EPROTO);
}

static const uint8_t junk[4096] = { 0x16, 0x03, 0x03 };

static void
test_frag_m_without_l(void **state)
{
	struct step s;

	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(send_tls(&s, EAP_TLS_FLAG_M, 0, junk, 100), -EBADMSG);
	assert_dead(&s, "malformed");
	step_done(&s);
}

static void
test_frag_length_lies(void **state)
{
	struct step s;

	/* Longer than the cap. */
	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M,
			     EAP_TLS_MAX_MSG_LEN + 1, junk, 100),
	    -E2BIG);
	step_done(&s);
	/* M set, but the length says this is all of it. */
	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 100, junk, 100),
	    -EBADMSG);
	step_done(&s);
	/* No M, but the length promises more. */
	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L, 101, junk, 100), -EBADMSG);
	step_done(&s);
	/* Fragments past the announced length. */
	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 150, junk, 100),
	    EAP_PEER_RESPOND);
	assert_ack(&s);
	assert_int_equal(eap_peer_state(s.peer), EAP_PEER_METHOD);
	assert_int_equal(send_tls(&s, 0, 0, junk, 51), -EBADMSG);
	assert_dead(&s, "FRAG_RX");
	step_done(&s);
	/* The last fragment (no M) stops short of it. */
	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 150, junk, 100),
	    EAP_PEER_RESPOND);
	assert_int_equal(send_tls(&s, 0, 0, junk, 49), -EBADMSG);
	step_done(&s);
	/* M on a fragment that completes the message. */
	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 150, junk, 100),
	    EAP_PEER_RESPOND);
	assert_int_equal(send_tls(&s, EAP_TLS_FLAG_M, 0, junk, 50), -EBADMSG);
	step_done(&s);
}

/* L again on a later fragment: the same length is harmless (some servers
 * repeat it), a different one is a lie. */
static void
test_frag_l_repeated(void **state)
{
	struct step s;

	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 300, junk, 100),
	    EAP_PEER_RESPOND);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 300, junk, 100),
	    EAP_PEER_RESPOND);
	assert_ack(&s);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L, 299, junk, 100), -EBADMSG);
	assert_dead(&s, NULL);
	step_done(&s);
}

/* A server that dribbles 1-byte fragments hits the fragment cap. */
static void
test_frag_count_cap(void **state)
{
	struct step s;
	int i;

	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(
	    send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M, 1000, junk, 1),
	    EAP_PEER_RESPOND);
	for (i = 2; i <= EAP_TLS_MAX_FRAGMENTS; i++) {
		assert_int_equal(
		    send_tls(&s, EAP_TLS_FLAG_M, 0, junk, 1), EAP_PEER_RESPOND);
		assert_ack(&s);
	}
	assert_int_equal(send_tls(&s, EAP_TLS_FLAG_M, 0, junk, 1), -E2BIG);
	/* The cap says itself, not "malformed". */
	assert_dead(&s, "the gateway's TLS message goes on past 64 fragments");
	step_done(&s);
}

/* A whole message of garbage goes to TLS, which answers with an alert;
 * then the Failure, reported with TLS's reason. */
static void
test_garbage_tls(void **state)
{
	uint8_t bad[1500];
	struct step s;

	/* A handshake record of 1495 bytes, of an unknown message type. */
	memset(bad, 0x41, sizeof(bad));
	memcpy(bad, "\x16\x03\x03\x05\xd7", 5);
	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(send_tls(&s, EAP_TLS_FLAG_L | EAP_TLS_FLAG_M,
			     sizeof(bad), bad, 1000),
	    EAP_PEER_RESPOND);
	assert_int_equal(send_tls(&s, 0, 0, bad + 1000, 500), EAP_PEER_RESPOND);
	/* Our alert (a TLS record: content type 21) in the response. */
	assert_true(s.resp_len > 6);
	assert_int_equal(s.resp[6], 21);
	assert_int_equal(send_pkt(&s, EAP_CODE_FAILURE, -1, NULL, 0), -EACCES);
	assert_dead(&s, "TLS handshake failed");
	step_done(&s);
}

static void
test_start_again(void **state)
{
	struct step s;

	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(send_tls(&s, EAP_TLS_FLAG_S, 0, NULL, 0), -EPROTO);
	assert_dead(&s, NULL);
	step_done(&s);
}

static void
test_start_with_data(void **state)
{
	struct step s;

	memset(&s, 0, sizeof(s));
	s.ctx = eapt_tls_ctx("int-a.pem", EAPT_GW_ID, TLS_VERSION_1_3);
	s.peer = eapt_peer(s.ctx, NULL, EAPT_MSG_MAX);
	assert_int_equal(send_tls(&s, EAP_TLS_FLAG_S, 0, junk, 10), -EBADMSG);
	step_done(&s);
	/* The first EAP-TLS request must be a Start. */
	s.ctx = eapt_tls_ctx("int-a.pem", EAPT_GW_ID, TLS_VERSION_1_3);
	s.peer = eapt_peer(s.ctx, NULL, EAPT_MSG_MAX);
	assert_int_equal(send_tls(&s, 0, 0, junk, 10), -EPROTO);
	step_done(&s);
}

/* An empty request when nothing of ours is outstanding. */
static void
test_stray_ack(void **state)
{
	struct step s;

	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(send_tls(&s, 0, 0, NULL, 0), -EPROTO);
	step_done(&s);
}

/* Our ClientHello in 64-byte messages: first fragment with L and M, then
 * M, each waiting for an ACK; data instead of an ACK is refused. */
static void
test_tx_fragments(void **state)
{
	uint32_t total;
	size_t got;
	struct step s;

	step_start(&s, 64);
	assert_int_equal(s.resp_len, 64);
	assert_int_equal(s.resp[5], EAP_TLS_FLAG_L | EAP_TLS_FLAG_M);
	total = (uint32_t)s.resp[6] << 24 | (uint32_t)s.resp[7] << 16 |
	    (uint32_t)s.resp[8] << 8 | s.resp[9];
	got = s.resp_len - 10;
	while (s.resp[5] & EAP_TLS_FLAG_M) {
		assert_int_equal(send_tls(&s, 0, 0, NULL, 0), EAP_PEER_RESPOND);
		assert_true(s.resp_len <= 64);
		assert_int_equal(s.resp[5] & EAP_TLS_FLAG_L, 0);
		got += s.resp_len - 6;
	}
	assert_int_equal(got, total);
	step_done(&s);

	step_start(&s, 64);
	assert_int_equal(send_tls(&s, 0, 0, junk, 5), -EPROTO);
	assert_dead(&s, NULL);
	step_done(&s);
}

/* Success before the handshake: refused, never a key. */
static void
test_early_success(void **state)
{
	struct step s;

	step_start(&s, EAPT_MSG_MAX);
	assert_int_equal(send_pkt(&s, EAP_CODE_SUCCESS, -1, NULL, 0), -EPROTO);
	assert_dead(&s, "EAP-Success before EAP-TLS finished");
	step_done(&s);
}

/* We refused the gateway's certificate; a Success after that is refused
 * too (a gateway that ignores our alert must not get a tunnel). */
static void
test_success_after_refusal(void **state)
{
	static uint8_t req[65536], resp[65536];
	struct eapt_srv_conf sc = testbed_gw;
	struct eap_peer *peer;
	struct tls_ctx *ctx;
	struct eapt_srv srv;
	struct wr w = wr_make(req, sizeof(req));
	struct rd in, answer;
	uint8_t ok[4];
	int r;

	ctx = eapt_tls_ctx("root-b.pem", EAPT_GW_ID, TLS_VERSION_1_3);
	peer = eapt_peer(ctx, NULL, EAPT_MSG_MAX);
	assert_int_equal(eapt_srv_init(&srv, &sc), 0);
	eapt_srv_first(&srv, &w);
	for (;;) {
		struct wr out = wr_make(resp, sizeof(resp));

		in = rd_make(req, w.len);
		r = eap_peer_process(peer, &in, &out);
		assert_int_equal(r, EAP_PEER_RESPOND);
		if (srv.flights[0] > 0 && srv.tx_sent == srv.tx_len)
			break; /* our answer to the server's flight */
		w = wr_make(req, sizeof(req));
		answer = wr_view(&out, 0);
		assert_int_equal(eapt_srv_step(&srv, &answer, &w), 0);
	}
	in = rd_make(ok,
	    eapt_pkt(ok, sizeof(ok), EAP_CODE_SUCCESS, srv.id, -1, NULL, 0));
	{
		struct wr out = wr_make(resp, sizeof(resp));

		assert_int_equal(eap_peer_process(peer, &in, &out), -EPROTO);
	}
	assert_int_equal(eap_peer_state(peer), EAP_PEER_FAILED);
	assert_non_null(strstr(eap_peer_reason(peer), "certificate"));
	eap_peer_free(peer);
	tls_ctx_free(ctx);
	eapt_srv_done(&srv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frag_parse),
		cmocka_unit_test(test_tls12_testbed_round_trips),
		cmocka_unit_test(test_tls12_chain),
		cmocka_unit_test(test_fragment_sizes),
		cmocka_unit_test(test_tls13),
		cmocka_unit_test(test_tls13_no_commitment),
		cmocka_unit_test(test_wrong_ca),
		cmocka_unit_test(test_wrong_gateway_id),
		cmocka_unit_test(test_client_cert_refused),
		cmocka_unit_test(test_failure_after_handshake),
		cmocka_unit_test(test_resume_tls12),
		cmocka_unit_test(test_resume_tls13),
		cmocka_unit_test(test_resume_other_ctx),
		cmocka_unit_test(test_tls_ctx_errors),
		cmocka_unit_test(test_frag_m_without_l),
		cmocka_unit_test(test_frag_length_lies),
		cmocka_unit_test(test_frag_l_repeated),
		cmocka_unit_test(test_frag_count_cap),
		cmocka_unit_test(test_garbage_tls),
		cmocka_unit_test(test_start_again),
		cmocka_unit_test(test_start_with_data),
		cmocka_unit_test(test_stray_ack),
		cmocka_unit_test(test_tx_fragments),
		cmocka_unit_test(test_early_success),
		cmocka_unit_test(test_success_after_refusal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
