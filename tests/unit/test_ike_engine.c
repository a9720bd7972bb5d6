/* SPDX-License-Identifier: ISC */
/*
 * test_ike_engine.c: the IKE engine at the exchange level.
 *
 * Against real strongSwan bytes (tests/data/ikev2-strongswan, README.md
 * there): an engine made deterministic by its test hooks (the captured
 * SPI, nonce, g^ir and ESP SPI) is fed the gateway's captured datagrams
 * and must derive the captured SK_* and CHILD_SA keys, reassemble the
 * captured fragments, verify the gateway's captured AUTH against the
 * captured certificates, answer COOKIE and INVALID_KE_PAYLOAD as strongSwan
 * did, and have its DELETE answered by the captured response.
 *
 * Against the scripted responder (tests/fuzz/ike_peer.h) with a real
 * EAP-TLS server behind it: whole connections, every failure the engine
 * must turn into a clear permanent or transient reason, retransmission
 * and its end, and the messages it must ignore (duplicates, replays,
 * outside the window, forged, garbage) without ending the SA.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kat_util.h"
#include "sswan_vectors.h"

#include "cert.h"
#include "conf.h"
#include "crypto.h"
#include "ike_int.h"
#include "ike_sk.h"
#include "ike_world.h"
#include "loop.h"
#include "names.h"
#include "tls_ctx.h"

/* ---- Helpers ---- */

static void
assert_buf_eq(const struct buf *a, const struct buf *b)
{
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->p, b->p, a->len);
}

static void
assert_reason(const struct world *w, const char *needle)
{
	if (strstr(w->down_reason, needle) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", w->down_reason, needle);
}

static void
expect_down(const struct world *w, int err, bool permanent, const char *needle)
{
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, err);
	assert_int_equal(w->down_permanent, permanent);
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_DEAD);
	assert_reason(w, needle);
	assert_int_equal(w->n_established, 0);
}

static struct world *
up(const struct world_opts *o)
{
	struct world *w = world_new(o);

	world_connect(w);
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	assert_int_equal(w->n_down, 0);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_ESTABLISHED);
	return w;
}

/* The peer's request (an inner chain built here) to the engine. */
static void
peer_asks(struct world *w, uint8_t exchange,
    void (*build)(struct ike_pld_wr *, const void *), const void *arg)
{
	uint8_t b[1024];
	struct ike_pld_wr pw;
	struct rd inner;

	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	if (build != NULL)
		build(&pw, arg);
	assert_int_equal(ike_pld_wr_finish(&pw, &inner), 0);
	assert_int_equal(
	    ike_peer_request(w->peer, exchange, &inner, pw.first), 0);
	world_deliver(w);
	world_pump(w);
}

static void
build_delete(struct ike_pld_wr *pw, const void *arg)
{
	ike_pld_build_delete(pw, arg);
}

/* ---- The state table ---- */

static void
test_states(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });

	(void)state;
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_IDLE);
	assert_string_equal(ike_sa_state_name(IKE_SA_AUTH_FINAL), "AUTH_FINAL");
	assert_string_equal(ike_sa_state_name(_IKE_SA_STATE_MAX), "?");
	/* Illegal moves are refused, not made. */
	ike_sa_set_state(w->sa, IKE_SA_ESTABLISHED, "test");
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_IDLE);
	ike_sa_set_state(w->sa, IKE_SA_INIT_SENT, "test");
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_INIT_SENT);
	ike_sa_set_state(w->sa, IKE_SA_EAP, "test");
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_INIT_SENT);
	ike_sa_set_state(w->sa, IKE_SA_DEAD, "test");
	ike_sa_set_state(w->sa, IKE_SA_INIT_SENT, "test");
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_DEAD);
	/* A second connect is refused. */
	assert_int_equal(ike_sa_connect(w->sa, 0), -EALREADY);
	world_free(w);
}

/* ---- Whole connections against the scripted responder ---- */

static void
check_child(const struct world *w)
{
	const struct ike_child *c = &w->child;
	const struct sockaddr_in *vip = (const struct sockaddr_in *)&c->vip4;
	const struct sockaddr_in *dns = (const struct sockaddr_in *)&c->dns[0];
	static const uint8_t net[4] = { 10, 1, 0, 0 },
			     bcast[4] = { 10, 1, 255, 255 };

	assert_int_equal(c->spi_out, w->peer->my_spi);
	assert_int_equal(c->spi_in, w->peer->client_spi);
	assert_int_equal(c->esp.encr, w->peer->esp.encr);
	/* Our outbound keys are the peer's inbound ones, and back. */
	assert_buf_eq(w->encr_out, w->peer->child.encr_in);
	assert_buf_eq(w->encr_in, w->peer->child.encr_out);
	assert_int_equal(c->vip4.ss_family, AF_INET);
	assert_string_equal(inet_ntoa(vip->sin_addr), "172.16.201.1");
	assert_int_equal(c->n_dns, 1);
	assert_string_equal(inet_ntoa(dns->sin_addr), "10.1.0.4");
	assert_int_equal(c->n_ts_remote, 1);
	assert_memory_equal(c->ts_remote[0].start, net, 4);
	assert_memory_equal(c->ts_remote[0].end, bcast, 4);
	assert_int_equal(c->n_ts_local, 1);
	assert_int_equal(c->ts_local[0].family, AF_INET);
	assert_true(w->peer->client_auth_ok);
}

static void
delete_answered(struct world *w)
{
	ike_sa_delete(w->sa);
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_DELETING);
	world_pump(w);
	assert_true(w->peer->deleted);
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, 0);
	assert_string_equal(w->down_reason, "deleted");
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_DEAD);
	ike_sa_delete(w->sa); /* safe when dead: nothing more */
	assert_int_equal(w->n_down, 1);
}

/*
 * EAP-TLS round trips: IKE_SA_INIT, IKE_AUTH with the Identity request,
 * the Identity answered with Start, the ClientHello and one ACK per
 * further fragment of the server's flight, our whole flight in one EAP
 * message, the ACK of the server's Finished answered with Success, the
 * AUTH from the MSK: 6 + the server's fragments.  strongSwan's gateway
 * (2 fragments) gives design.md's floor of 8; this one sends its
 * intermediate too (3 fragments of 1024 bytes).
 */
static unsigned
eap_floor(const struct world *w)
{
	assert_true(w->srv.n_flights >= 1);
	return 6 + (unsigned)w->srv.n_frags[0];
}

/* EAP-TLS, TLS 1.2, 1024-byte server fragments, Identity first. */
static void
test_eap_tls(void **state)
{
	struct world *w = up(&(struct world_opts){ 0 });

	(void)state;
	assert_int_equal(ike_sa_round_trips(w->sa), eap_floor(w));
	check_child(w);
	assert_true(w->child.udp_encap);
	assert_true(w->sa->natt);
	assert_false(w->sa->behind_nat);
	assert_int_equal(ike_sa_group(w->sa), IKE_DH_MODP_2048_256);
	assert_string_equal(ike_sa_proposal(w->sa),
	    "AES_GCM_16_256/PRF_HMAC_SHA2_384/MODP_2048_256");
	/* The MSK is wiped once the last AUTH is checked. */
	assert_null(w->sa->eap);
	assert_null(w->sa->kex);
	delete_answered(w);
	world_free(w);
}

/* A reconnect with the daemon's TLS context resumes the TLS session the
 * last connect left (design.md 7: 6 round trips). */
static void
test_eap_resumed(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });
	struct tls_ctx_conf tc = { .cert = w->cert,
		.key = w->key,
		.roots = w->roots,
		.server_id = EAPT_GW_ID,
		.max_version = TLS_VERSION_1_3 };
	struct tls_session *sess = NULL;
	struct tls_ctx *tls = NULL;

	(void)state;
	assert_int_equal(tls_ctx_new(&tc, &tls), 0);
	w->creds.tls = tls;
	w->creds.tls_session = &sess;
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(ike_sa_round_trips(w->sa), eap_floor(w));
	assert_non_null(sess);
	/* Reconnect: a new SA and responder, the same EAP server. */
	ike_peer_free(w->peer);
	w->peer = NULL;
	w->n_fed = w->n_sent;
	w->n_established = 0;
	world_engine(w, w->conf, &w->creds);
	eapt_srv_reset(&w->srv);
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	assert_int_equal(w->n_established, 1);
	assert_true(w->srv.resumed);
	assert_int_equal(ike_sa_round_trips(w->sa), 6);
	check_child(w);
	world_free(w);
	tls_session_free(sess);
	tls_ctx_free(tls);
}

/* Certificates: 2 round trips; our IKE_AUTH request carries our
 * certificate, so it goes in IKE fragments of 1280-byte datagrams. */
static void
test_pubkey(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	size_t n_auth = 0;

	(void)state;
	assert_int_equal(ike_sa_round_trips(w->sa), 2);
	check_child(w);
	for (size_t i = 0; i < w->n_sent; i++) {
		if (world_exchange(w, i) != IKE_AUTH)
			continue;
		n_auth++;
		assert_true(w->sent_natt[i]);
		/* IPv4 20 + UDP 8 + non-ESP marker 4 */
		assert_true(w->sent[i]->len <= IKE_FRAG_DGRAM_LEN - 32);
	}
	assert_true(n_auth >= 2);
	assert_int_equal(w->peer->n_fragments, n_auth);
	delete_answered(w);
	world_free(w);
}

/* Without the gateway's FRAGMENTATION_SUPPORTED: one big datagram. */
static void
test_pubkey_nofrag(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });
	size_t n_auth = 0;

	(void)state;
	w->pc.frag = false;
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	for (size_t i = 0; i < w->n_sent; i++)
		if (world_exchange(w, i) == IKE_AUTH) {
			n_auth++;
			assert_true(w->sent[i]->len > IKE_FRAG_DGRAM_LEN - 32);
		}
	assert_int_equal(n_auth, 1);
	assert_int_equal(w->peer->n_fragments, 0);
	world_free(w);
}

/* The gateway's messages in small fragments, delivered backwards and
 * each twice: reassembled all the same. */
static void
test_fragments_reassembled(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });

	(void)state;
	w->pc.frag_size = 200;
	w->reverse = true;
	w->dup = true;
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(ike_sa_round_trips(w->sa), eap_floor(w));
	check_child(w);
	world_free(w);
}

static int
peer_in(struct world *w, const struct buf *b)
{
	struct rd m = buf_rd(b);

	return ike_peer_input(w->peer, &m);
}

static void
sa_in(struct world *w, const struct buf *b)
{
	struct rd m = buf_rd(b);

	ike_sa_input(w->sa, &m);
}

/*
 * Two authenticated fragments with one number and other bytes: the set
 * starts over from the later one, and no message made of both reaches
 * the handlers; the honest fragments, sent again, complete it.
 */
static void
test_fragments_conflict(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });
	struct buf *good[IKE_PEER_MAX_OUT];
	uint8_t junk[200];
	size_t n;

	(void)state;
	w->pc.frag_size = sizeof(junk);
	world_connect(w);
	assert_int_equal(peer_in(w, w->sent[0]), 0);
	w->n_fed = 1;
	world_deliver(w); /* IKE_SA_INIT; the engine sends IKE_AUTH */
	while (w->n_fed < w->n_sent)
		assert_int_equal(peer_in(w, w->sent[w->n_fed++]), 0);
	n = w->peer->n_out;
	assert_true(n >= 3);
	memcpy(good, w->peer->out, n * sizeof(good[0]));
	w->peer->n_out = 0;
	memset(junk, 0x5a, sizeof(junk));
	assert_int_equal(
	    ike_peer_seal_frag(w->peer, IKE_AUTH, true, 1, 2, (uint16_t)n,
		&(struct rd){ junk, sizeof(junk) }, 0),
	    0);
	world_deliver(w);
	for (size_t i = 0; i < n; i++)
		sa_in(w, good[i]);
	assert_int_equal(w->n_down, 0);
	assert_int_equal(w->n_established, 0);
	assert_non_null(
	    strstr(w->sa->last_drop, "fragment 2 again with other bytes"));
	sa_in(w, good[0]);
	assert_int_equal(w->n_established, 1);
	for (size_t i = 0; i < n; i++)
		buf_free(good[i]);
	world_free(w);
}

static void
test_nat(void **state)
{
	struct world *w = world_new(
	    &(struct world_opts){ .pubkey = true, .no_force_encap = true });

	(void)state;
	w->pc.nat = true;
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	assert_true(w->sa->behind_nat);
	assert_true(w->child.udp_encap);
	assert_true(w->sent_natt[w->n_sent - 1]);
	assert_false(w->sent_natt[0]);
	world_free(w);
}

/* No NAT and a datapath that does not need UDP: stay on port 500. */
static void
test_no_nat(void **state)
{
	struct world *w =
	    up(&(struct world_opts){ .pubkey = true, .no_force_encap = true });

	(void)state;
	assert_false(w->sa->natt);
	assert_false(w->child.udp_encap);
	for (size_t i = 0; i < w->n_sent; i++)
		assert_false(w->sent_natt[i]);
	world_free(w);
}

/* 2.6: the same request again, N(COOKIE) first. */
static void
test_cookie(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });
	struct ike_pld_chain c;
	struct ike_hdr h;
	struct rd chain, m;
	uint8_t crit;

	(void)state;
	w->pc.cookie = true;
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(ike_sa_round_trips(w->sa), 3);
	assert_int_equal(w->peer->n_init, 2);
	m = buf_rd(w->sent[1]);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), 0);
	assert_int_equal(ike_pld_split(&chain, h.next, &c, &crit), 0);
	assert_int_equal(c.v[0].type, IKE_PLD_NOTIFY);
	world_free(w);
}

/* 1.3: a KE for the group the gateway asks for; remembered. */
static void
test_invalid_ke(void **state)
{
	struct world *w = world_new(&(struct world_opts){
	    .pubkey = true, .ike = "aes256gcm16-prfsha384-ecp384-ecp256" });

	(void)state;
	w->pc.want_group = IKE_DH_ECP_256;
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(ike_sa_group(w->sa), IKE_DH_ECP_256);
	assert_int_equal(w->peer->n_init, 2);
	world_free(w);
}

/* The remembered group is offered first: no INVALID_KE round trip. */
static void
test_group_remembered(void **state)
{
	struct world *w = world_new(&(struct world_opts){
	    .pubkey = true, .ike = "aes256gcm16-prfsha384-ecp384-ecp256" });

	(void)state;
	w->pc.want_group = IKE_DH_ECP_256;
	assert_int_equal(ike_peer_new(&w->pc, &w->peer), 0);
	assert_int_equal(ike_sa_connect(w->sa, IKE_DH_ECP_256), 0);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(w->peer->n_init, 1);
	assert_int_equal(ike_sa_round_trips(w->sa), 2);
	world_free(w);
}

static void
test_invalid_ke_not_offered(void **state)
{
	struct world *w = world_new(&(struct world_opts){
	    .pubkey = true, .ike = "aes256gcm16-prfsha384-ecp384-ecp256" });

	(void)state;
	w->pc.want_group = IKE_DH_MODP_2048;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EPROTO, true, "none of our IKE proposals offers");
	assert_reason(w, "MODP_2048");
	world_free(w);
}

static void
test_no_proposal(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });

	(void)state;
	w->pc.no_proposal = true;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EPROTO, true, "accepted none of our IKE proposals");
	assert_reason(w, "aes256gcm16");
	world_free(w);
}

/* ---- The gateway's identity ---- */

static void
test_untrusted_root(void **state)
{
	struct world *w =
	    world_new(&(struct world_opts){ .roots = "root-b.pem" });

	(void)state;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EACCES, true, "not among the profile's gateway roots");
	assert_reason(w, "p2sctl import");
	/* Nothing after the gateway's first IKE_AUTH answer. */
	assert_int_equal(ike_sa_round_trips(w->sa), 2);
	world_free(w);
}

static void
test_identity_mismatch(void **state)
{
	struct world *w = world_new(&(struct world_opts){
	    .pubkey = true, .gw_id = "wrong.example.net" });

	(void)state;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EACCES, true, "\"wrong.example.net\"");
	assert_reason(w, "azuregateway-");
	world_free(w);
}

static void
test_bad_auth(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });

	(void)state;
	w->pc.bad_auth = true;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EACCES, true, "AUTH signature");
	assert_null(w->sa->eap); /* EAP never started */
	world_free(w);
}

static void
test_bad_msk_auth(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });

	(void)state;
	w->pc.bad_msk_auth = true;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EACCES, true, "AUTH after EAP-TLS does not verify");
	assert_null(w->sa->eap); /* the MSK is gone */
	world_free(w);
}

static void
test_authentication_failed(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });

	(void)state;
	w->pc.auth_failed = true;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EACCES, true, "rejected our client certificate");
	world_free(w);
}

/* The EAP server does not trust our certificate: TLS alert, Failure. */
static void
test_eap_refused(void **state)
{
	struct world *w =
	    world_new(&(struct world_opts){ .client_ca = "root-b.pem" });

	(void)state;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EACCES, true, "EAP-TLS failed");
	assert_reason(w, "client certificate");
	world_free(w);
}

/* IKE_AUTH done, CHILD_SA refused: the IKE SA is deleted. */
static void
test_child_refused(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });

	(void)state;
	w->pc.refuse_child = true;
	world_connect(w);
	world_pump(w);
	expect_down(w, -EPROTO, true, "traffic selectors");
	assert_true(w->peer->deleted);
	world_free(w);
}

/* The daemon cannot install: the SA is deleted, with its error. */
static void
test_install_failed(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });

	(void)state;
	w->est_ret = -EIO;
	world_connect(w);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, -EIO);
	assert_true(w->peer->deleted);
	world_free(w);
}

/* ---- Retransmission ---- */

/* 1, 2, 4, 8, 16 s: five transmissions, then the gateway is given up. */
static void
test_retransmit_timeout(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });

	(void)state;
	assert_int_equal(ike_sa_connect(w->sa, 0), 0);
	assert_int_equal(w->n_sent, 1);
	for (unsigned i = 1; i < 5; i++) {
		ike_xchg_timeout(w->sa);
		assert_int_equal(w->n_sent, i + 1);
		assert_buf_eq(w->sent[i], w->sent[0]);
		assert_int_equal(w->n_down, 0);
	}
	ike_xchg_timeout(w->sa);
	assert_int_equal(w->n_sent, 5);
	expect_down(w, -ETIMEDOUT, false, "gw.test did not answer");
	assert_reason(w, "31 s");
	ike_xchg_timeout(w->sa); /* a late timer does nothing */
	assert_int_equal(w->n_down, 1);
	world_free(w);
}

/* What came instead of an answer is in the reason: without --verbose a
 * user learns that the gateway did talk, and what was wrong with it. */
static void
test_retransmit_names_drops(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });
	uint8_t junk[100];
	struct rd m = rd_make(junk, sizeof(junk));

	(void)state;
	assert_int_equal(ike_sa_connect(w->sa, 0), 0);
	memset(junk, 0xa5, sizeof(junk));
	ike_sa_input(w->sa, &m);
	ike_sa_input(w->sa, &m);
	for (unsigned i = 0; i < 5; i++)
		ike_xchg_timeout(w->sa);
	expect_down(w, -ETIMEDOUT, false, "gw.test did not answer");
	assert_reason(w,
	    "; 2 datagrams from it dropped, the last: no IKEv2 "
	    "header)");
	world_free(w);
}

/* A lost response: the retransmitted request gets answered. */
static void
test_retransmit_recovers(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });

	(void)state;
	world_connect(w);
	w->n_fed = 1; /* the first IKE_SA_INIT got lost */
	ike_xchg_timeout(w->sa);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	assert_int_equal(w->peer->n_init, 1);
	world_free(w);
}

/* Our DELETE unanswered: given up after 1 + 2 s, down(0). */
static void
test_delete_unanswered(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	size_t n = w->n_sent;

	(void)state;
	ike_sa_delete(w->sa);
	assert_int_equal(w->n_sent, n + 1);
	ike_xchg_timeout(w->sa);
	assert_int_equal(w->n_sent, n + 2);
	assert_int_equal(w->n_down, 0);
	ike_xchg_timeout(w->sa);
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, 0);
	world_free(w);
}

/* Deleting before IKE_SA_INIT completed: nothing to tell anyone. */
static void
test_delete_early(void **state)
{
	struct world *w = world_new(&(struct world_opts){ 0 });

	(void)state;
	assert_int_equal(ike_sa_connect(w->sa, 0), 0);
	ike_sa_delete(w->sa);
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, 0);
	assert_int_equal(w->n_sent, 1);
	world_free(w);
}

/* ---- What the engine must ignore ---- */

static void
feed(struct world *w, const uint8_t *p, size_t len)
{
	struct rd m = rd_make(p, len);

	ike_sa_input(w->sa, &m);
}

static void
still_up(const struct world *w, unsigned dropped)
{
	assert_int_equal(w->n_down, 0);
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_ESTABLISHED);
	assert_int_equal(w->sa->n_dropped, dropped);
}

static void
test_ignored(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	uint8_t junk[300], copy[2048];
	unsigned d = w->sa->n_dropped;
	struct buf *m;
	size_t n;

	(void)state;
	/* The last IKE_AUTH response again: not the response we wait for. */
	assert_int_equal(ike_peer_seal(w->peer, IKE_AUTH, true, 1,
			     &(struct rd){ (const uint8_t *)"", 0 }, 0),
	    0);
	m = w->peer->out[0];
	feed(w, m->p, m->len);
	still_up(w, ++d);
	/* Garbage, a short header, a header with another SPI. */
	memset(junk, 0xa5, sizeof(junk));
	feed(w, junk, sizeof(junk));
	still_up(w, ++d);
	feed(w, m->p, 10);
	still_up(w, ++d);
	memcpy(copy, m->p, m->len);
	copy[0] ^= 0xff;
	feed(w, copy, m->len);
	still_up(w, ++d);
	ike_peer_out_clear(w->peer);
	/* A request outside the window. */
	assert_int_equal(ike_peer_seal(w->peer, IKE_INFORMATIONAL, false, 7,
			     &(struct rd){ (const uint8_t *)"", 0 }, 0),
	    0);
	n = w->n_sent;
	world_deliver(w);
	still_up(w, ++d);
	assert_int_equal(w->n_sent, n);
	/* A request whose ICV does not verify. */
	assert_int_equal(ike_peer_seal(w->peer, IKE_INFORMATIONAL, false, 0,
			     &(struct rd){ (const uint8_t *)"", 0 }, 0),
	    0);
	m = w->peer->out[0];
	m->p[m->len - 1] ^= 0x01;
	world_deliver(w);
	still_up(w, ++d);
	assert_int_equal(w->n_sent, n);
	world_free(w);
}

/* 2.1: a request again gets the same answer, processed once. */
static void
test_replayed_request(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	struct buf *req;
	size_t n;

	(void)state;
	assert_int_equal(ike_peer_request(w->peer, IKE_INFORMATIONAL,
			     &(struct rd){ (const uint8_t *)"", 0 }, 0),
	    0);
	req = buf_dup(w->peer->out[0]->p, w->peer->out[0]->len);
	n = w->n_sent;
	world_deliver(w);
	assert_int_equal(w->n_sent, n + 1);
	feed(w, req->p, req->len);
	assert_int_equal(w->n_sent, n + 2);
	assert_buf_eq(w->sent[n], w->sent[n + 1]);
	world_pump(w);
	assert_non_null(w->peer->last_resp);
	assert_int_equal(w->peer->last_resp->len, 0); /* liveness: empty */
	buf_free(req);
	still_up(w, w->sa->n_dropped);
	world_free(w);
}

/* A forged IKE_SA_INIT error (another SPI) changes nothing. */
static void
test_forged_init_error(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });
	struct ike_hdr h = { .exchange = IKE_SA_INIT,
		.flags = IKE_FLAG_RESPONSE };
	uint8_t b[128];
	struct ike_pld_wr pw;
	struct rd msg;

	(void)state;
	world_connect(w);
	memcpy(h.spi_i, w->sa->spi_i, IKE_SPI_LEN);
	h.spi_i[7] ^= 1;
	ike_pld_wr_init_msg(&pw, b, sizeof(b), &h);
	ike_pld_build_notify(
	    &pw, &(struct ike_pld_notify){ .type = IKE_N_NO_PROPOSAL_CHOSEN });
	assert_int_equal(ike_pld_wr_finish(&pw, &msg), 0);
	ike_sa_input(w->sa, &msg);
	/* The right SPI but message ID 1: not the response either. */
	b[7] ^= 1;
	b[23] = 1;
	ike_sa_input(w->sa, &msg);
	assert_int_equal(w->n_down, 0);
	assert_int_equal(w->sa->n_dropped, 2);
	world_pump(w);
	assert_int_equal(w->n_established, 1);
	world_free(w);
}

/* ---- The gateway's requests ---- */

static void
test_gateway_deletes_ike(void **state)
{
	struct world *w = up(&(struct world_opts){ 0 });
	struct ike_pld_delete d = { .proto = IKE_PROTO_IKE };

	(void)state;
	peer_asks(w, IKE_INFORMATIONAL, build_delete, &d);
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, -ECONNRESET);
	assert_false(w->down_permanent);
	assert_reason(w, "the gateway deleted the IKE SA");
	assert_int_equal(w->peer->last_resp->len, 0);
	world_free(w);
}

static void
test_gateway_deletes_child(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	struct ike_pld_delete d = { .proto = IKE_PROTO_ESP, .n_spis = 1 };
	struct ike_pld_chain c;
	struct ike_pld_delete got;
	uint8_t crit;

	(void)state;
	d.spis[0] = w->child.spi_out;
	peer_asks(w, IKE_INFORMATIONAL, build_delete, &d);
	assert_int_equal(w->n_child_gone, 1);
	assert_int_equal(w->gone_in, w->child.spi_in);
	assert_int_equal(w->gone_out, w->child.spi_out);
	assert_int_equal(w->n_down, 1);
	assert_reason(w, "deleted the CHILD_SA");
	/* 1.4.1: answered with the DELETE of our half. */
	assert_int_equal(ike_pld_split(&(struct rd){ w->peer->last_resp->p,
					   w->peer->last_resp->len },
			     w->peer->last_resp_first, &c, &crit),
	    0);
	assert_int_equal(c.n, 1);
	assert_int_equal(ike_pld_parse_delete(&c.v[0].body, &got), 0);
	assert_int_equal(got.spis[0], w->child.spi_in);
	world_free(w);
}

/* What the gateway's CREATE_CHILD_SA carries. */
struct rekey_opts {
	uint32_t rekey_spi;    /* N(REKEY_SA)'s SPI; 0: no REKEY_SA */
	bool ke;	       /* a KE (PFS) of zeros, MODP_2048 */
	const struct kex *kex; /* or this one's KE, its group in SA */
};

static void
build_rekey(struct ike_pld_wr *pw, const void *arg)
{
	const struct rekey_opts *o = arg;
	static const uint8_t nonce[32], ke[256];
	uint8_t spi[4];
	struct ike_pld_sa sa = { .n_props = 1,
		.props = { { .num = 1,
		    .proto = IKE_PROTO_ESP,
		    .spi_len = 4,
		    .spi = { 1, 2, 3, 4 },
		    .n_xforms = 3,
		    .xforms = { { .type = IKE_XFORM_ENCR,
				    .id = IKE_ENCR_AES_GCM_16,
				    .key_bits = 256 },
			{ .type = IKE_XFORM_DH, .id = IKE_DH_NONE },
			{ .type = IKE_XFORM_ESN, .id = IKE_ESN_NO } } } } };
	struct ike_pld_ts ts;

	if (o != NULL && o->kex != NULL)
		sa.props[0].xforms[1].id = kex_group(o->kex);
	if (o != NULL && o->rekey_spi != 0) {
		for (size_t i = 0; i < 4; i++)
			spi[i] = (uint8_t)(o->rekey_spi >> (24 - 8 * i));
		ike_pld_build_notify(pw,
		    &(struct ike_pld_notify){ .proto = IKE_PROTO_ESP,
			.type = IKE_N_REKEY_SA,
			.spi = { spi, 4 } });
	}
	ike_pld_build_sa(pw, &sa);
	ike_pld_build_nonce(pw, &(struct ike_pld_nonce){ { nonce, 32 } });
	if (o != NULL && o->ke)
		ike_pld_build_ke(pw,
		    &(struct ike_pld_ke){ .group = IKE_DH_MODP_2048,
			.data = { ke, sizeof(ke) } });
	if (o != NULL && o->kex != NULL)
		ike_pld_build_ke(pw,
		    &(struct ike_pld_ke){ .group = kex_group(o->kex),
			.data = kex_public(o->kex) });
	ike_ts_request(&ts);
	ike_pld_build_ts(pw, IKE_PLD_TSI, &ts);
	ike_pld_build_ts(pw, IKE_PLD_TSR, &ts);
}

/* The notify of this type in our last answer. */
static void
answer_has_notify(struct world *w, uint16_t type)
{
	struct ike_pld_chain c;
	struct ike_pld_notify n;
	uint8_t crit;

	assert_int_equal(ike_pld_split(&(struct rd){ w->peer->last_resp->p,
					   w->peer->last_resp->len },
			     w->peer->last_resp_first, &c, &crit),
	    0);
	assert_int_equal(ike_pld_find_notify(c.v, c.n, type, &n), 0);
}

/* Another CHILD_SA (no REKEY_SA) is refused with NO_ADDITIONAL_SAS. */
static void
test_gateway_new_child_refused(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });

	(void)state;
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, NULL);
	still_up(w, w->sa->n_dropped);
	answer_has_notify(w, IKE_N_NO_ADDITIONAL_SAS);
	assert_int_equal(w->n_established, 1);
	world_free(w);
}

/* 2.17 from the gateway's side (it initiated): its outbound keys are
 * our inbound ones. */
static void
rekey_keys_check(struct world *w, const struct ike_pld_chain *c)
{
	static const uint8_t zero[32];
	struct ike_pld_nonce nr;
	struct ike_child_keys gw = { 0 };

	assert_int_equal(
	    ike_pld_parse_nonce(
		&ike_pld_find(c->v, c->n, IKE_PLD_NONCE)->body, &nr),
	    0);
	assert_int_equal(
	    ike_keys_child(w->sa->keys, &w->child.esp, NULL,
		&(struct rd){ zero, sizeof(zero) }, &nr.data, true, &gw),
	    0);
	assert_int_equal(gw.encr_out->len, w->encr_in->len);
	assert_memory_equal(gw.encr_out->p, w->encr_in->p, w->encr_in->len);
	assert_memory_equal(gw.encr_in->p, w->encr_out->p, w->encr_out->len);
	ike_child_keys_done(&gw);
}

/*
 * The gateway rekeys our CHILD_SA: we answer SA (our new SPI, its
 * proposal number, DH NONE), Nr and the selectors; the daemon gets the
 * new SA with rekey set and the keys of 2.17 with the gateway as the
 * initiator; the old SA goes only with the gateway's DELETE of it, which
 * we answer with ours and which leaves the IKE SA up.
 */
static void
test_gateway_rekeys_child(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	uint32_t old_in = w->child.spi_in, old_out = w->child.spi_out;
	struct rekey_opts o = { .rekey_spi = w->child.spi_out };
	struct ike_pld_delete d = { .proto = IKE_PROTO_ESP, .n_spis = 1 };
	struct ike_pld_chain c;
	struct ike_pld_sa chosen;
	struct ike_pld_delete got;
	uint8_t crit;

	(void)state;
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, &o);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_established, 2);
	assert_true(w->child.rekey);
	assert_int_equal(w->child.spi_out, 0x01020304);
	assert_int_not_equal(w->child.spi_in, old_in);
	assert_true(w->child.spi_in >= 256);
	assert_int_equal(w->child.vip4.ss_family, AF_INET);
	assert_int_equal(w->n_child_gone, 0);
	assert_int_equal(ike_pld_split(&(struct rd){ w->peer->last_resp->p,
					   w->peer->last_resp->len },
			     w->peer->last_resp_first, &c, &crit),
	    0);
	assert_non_null(ike_pld_find(c.v, c.n, IKE_PLD_NONCE));
	assert_non_null(ike_pld_find(c.v, c.n, IKE_PLD_TSI));
	assert_non_null(ike_pld_find(c.v, c.n, IKE_PLD_TSR));
	assert_null(ike_pld_find(c.v, c.n, IKE_PLD_KE));
	assert_int_equal(
	    ike_pld_parse_sa(
		&ike_pld_find(c.v, c.n, IKE_PLD_SA)->body, &chosen),
	    0);
	assert_int_equal(chosen.n_props, 1);
	assert_int_equal(chosen.props[0].num, 1);
	assert_int_equal(chosen.props[0].n_xforms, 3);
	assert_int_equal((uint32_t)chosen.props[0].spi[0] << 24 |
		(uint32_t)chosen.props[0].spi[1] << 16 |
		(uint32_t)chosen.props[0].spi[2] << 8 | chosen.props[0].spi[3],
	    w->child.spi_in);
	rekey_keys_check(w, &c);

	/* The gateway deletes the old SA: it goes, the tunnel stays. */
	d.spis[0] = old_out;
	peer_asks(w, IKE_INFORMATIONAL, build_delete, &d);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_child_gone, 1);
	assert_int_equal(w->gone_in, old_in);
	assert_int_equal(w->gone_out, old_out);
	assert_int_equal(ike_pld_split(&(struct rd){ w->peer->last_resp->p,
					   w->peer->last_resp->len },
			     w->peer->last_resp_first, &c, &crit),
	    0);
	assert_int_equal(
	    ike_pld_parse_delete(
		&ike_pld_find(c.v, c.n, IKE_PLD_DELETE)->body, &got),
	    0);
	assert_int_equal(got.spis[0], old_in);
	world_free(w);
}

/*
 * The gateway's rekey with PFS (1.3.1): a group our ESP proposal names,
 * or, when it names none, one of our IKE proposals (Azure's default ESP
 * rows name none); we answer KEr of that group, and KEYMAT comes from
 * the new g^ir.
 */
static void
gateway_rekeys_child_pfs(const char *esp)
{
	struct world *w =
	    up(&(struct world_opts){ .pubkey = true, .esp = esp });
	static const uint8_t zero[32];
	struct rekey_opts o = { .rekey_spi = w->child.spi_out };
	struct ike_child_keys gw = { 0 };
	struct ike_pld_chain c;
	struct ike_pld_nonce nr;
	struct ike_pld_ke ke;
	struct kex *kex = NULL;
	struct buf *g_ir = NULL;
	struct rd g;
	uint8_t crit;

	assert_int_equal(kex_new(IKE_DH_ECP_256, &kex), 0);
	o.kex = kex;
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, &o);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_established, 2);
	assert_int_equal(ike_pld_split(&(struct rd){ w->peer->last_resp->p,
					   w->peer->last_resp->len },
			     w->peer->last_resp_first, &c, &crit),
	    0);
	assert_non_null(ike_pld_find(c.v, c.n, IKE_PLD_KE));
	assert_int_equal(
	    ike_pld_parse_ke(&ike_pld_find(c.v, c.n, IKE_PLD_KE)->body, &ke),
	    0);
	assert_int_equal(ke.group, IKE_DH_ECP_256);
	assert_int_equal(kex_derive(kex, &ke.data, &g_ir), 0);
	assert_int_equal(ike_pld_parse_nonce(
			     &ike_pld_find(c.v, c.n, IKE_PLD_NONCE)->body, &nr),
	    0);
	g = buf_rd(g_ir);
	assert_int_equal(
	    ike_keys_child(w->sa->keys, &w->child.esp, &g,
		&(struct rd){ zero, sizeof(zero) }, &nr.data, true, &gw),
	    0);
	assert_memory_equal(gw.encr_out->p, w->encr_in->p, w->encr_in->len);
	assert_memory_equal(gw.encr_in->p, w->encr_out->p, w->encr_out->len);
	ike_child_keys_done(&gw);
	buf_free(g_ir);
	kex_free(kex);
	world_free(w);
}

static void
test_gateway_rekeys_child_pfs(void **state)
{
	(void)state;
	gateway_rekeys_child_pfs("aes256gcm16-ecp256");
	gateway_rekeys_child_pfs(NULL); /* ECP_256: an IKE proposal's */
}

/* A rekey naming an SA we do not have: CHILD_SA_NOT_FOUND; with a KE
 * that is no valid public value: NO_PROPOSAL_CHOSEN; with a KE of a group
 * neither our ESP nor our IKE proposals name: NO_PROPOSAL_CHOSEN.
 * Nothing changes. */
static void
test_gateway_rekey_refused(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	struct rekey_opts o = { .rekey_spi = w->child.spi_out ^ 0x100 };
	struct kex *kex = NULL;

	(void)state;
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, &o);
	answer_has_notify(w, IKE_N_CHILD_SA_NOT_FOUND);
	o = (struct rekey_opts){ .rekey_spi = w->child.spi_out, .ke = true };
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, &o);
	answer_has_notify(w, IKE_N_NO_PROPOSAL_CHOSEN);
	assert_int_equal(kex_new(IKE_DH_CURVE25519, &kex), 0);
	o = (struct rekey_opts){ .rekey_spi = w->child.spi_out, .kex = kex };
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, &o);
	answer_has_notify(w, IKE_N_NO_PROPOSAL_CHOSEN);
	kex_free(kex);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_established, 1);
	world_free(w);
}

/* ---- Our rekeys (ike_xchg_rekey.c) ---- */

static void
buf_eq(const struct buf *a, const struct buf *b)
{
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->p, b->p, a->len);
}

/* The daemon's new CHILD_SA is the one the gateway made: SPIs crossed,
 * our outbound keys its inbound ones (2.17, we initiated). */
static void
child_matches_peer(const struct world *w)
{
	assert_int_equal(w->child.spi_in, w->peer->client_spi);
	assert_int_equal(w->child.spi_out, w->peer->my_spi);
	buf_eq(w->encr_out, w->peer->child.encr_in);
	buf_eq(w->encr_in, w->peer->child.encr_out);
}

/* Our CHILD_SA rekey, complete: the new SA installed (rekey set), then
 * the old one deleted and, once the gateway answered, gone. */
static void
rekey_child_once(struct world *w, bool pfs)
{
	uint32_t old_in = w->child.spi_in, old_out = w->child.spi_out;
	unsigned est = w->n_established, gone = w->n_child_gone;
	unsigned done = w->peer->n_child_rekeys;

	assert_int_equal(ike_sa_rekey_child(w->sa), 0);
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_REKEYING);
	assert_int_equal(ike_sa_rekey_child(w->sa), 0); /* under way */
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->peer->n_child_rekeys, done + 1);
	assert_int_equal(w->peer->child_pfs, pfs);
	assert_int_equal(w->n_established, est + 1);
	assert_true(w->child.rekey);
	assert_int_not_equal(w->child.spi_in, old_in);
	assert_int_equal(w->child.vip4.ss_family, AF_INET);
	child_matches_peer(w);
	/* Make before break: the old one went after the new one came. */
	assert_int_equal(w->peer->deleted_esp, old_in);
	assert_int_equal(w->n_child_gone, gone + 1);
	assert_int_equal(w->gone_in, old_in);
	assert_int_equal(w->gone_out, old_out);
	assert_false(w->sa->child_old.installed);
	assert_false(w->sa->xchg.active);
	assert_true(timer_pending(w->sa->t_rekey_child));
}

/*
 * The timers: both armed once the SA is up, the IKE SA's at the
 * profile's lifetime minus at most 10% (status says when); our CHILD_SA
 * rekey, twice, without PFS (the profile's ESP proposals name no group).
 */
static void
test_rekey_child(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	int64_t in = ike_sa_rekey_in_s(w->sa);

	(void)state;
	assert_true(timer_pending(w->sa->t_rekey_child));
	assert_true(timer_pending(w->sa->t_rekey_ike));
	assert_true(in > (int64_t)CONF_LIFE_IKE_DEFAULT * 9 / 10 - 1);
	assert_true(in <= (int64_t)CONF_LIFE_IKE_DEFAULT);
	rekey_child_once(w, false);
	rekey_child_once(w, false);
	assert_int_equal(ike_sa_rekeys(w->sa, NULL), 2);
	world_free(w);
}

/* With a DH group in the ESP proposal: KEi, and KEYMAT from the new
 * g^ir (1.3.1, 2.17). */
static void
test_rekey_child_pfs(void **state)
{
	struct world *w = up(&(struct world_opts){
	    .pubkey = true, .esp = "aes256gcm16-ecp256, aes256-sha256" });

	(void)state;
	rekey_child_once(w, true);
	rekey_child_once(w, true);
	world_free(w);
}

static void
same_spis(const struct world *w)
{
	assert_memory_equal(w->sa->spi_i, w->peer->spi_i, IKE_SPI_LEN);
	assert_memory_equal(w->sa->spi_r, w->peer->spi_r, IKE_SPI_LEN);
}

/* A liveness check goes through: the keys and message IDs agree. */
static void
liveness_ok(struct world *w)
{
	w->conf->dpd = 30;
	w->sa->t_rx -= 31000;
	ike_info_liveness_timeout(w->sa);
	assert_true(w->sa->xchg.active);
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	assert_false(w->sa->xchg.active);
}

/*
 * Our IKE SA rekey (2.18): new SPIs and keys, the old SA deleted under
 * its own keys, message IDs from 0; the CHILD_SA moves along and can be
 * rekeyed under the new SA's SK_d.
 */
static void
test_rekey_ike(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	uint8_t old_i[IKE_SPI_LEN];
	unsigned est = w->n_established, ike = 0;

	(void)state;
	memcpy(old_i, w->sa->spi_i, IKE_SPI_LEN);
	assert_int_equal(ike_sa_rekey_ike(w->sa), 0);
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_REKEYING);
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	(void)ike_sa_rekeys(w->sa, &ike);
	assert_int_equal(ike, 1);
	assert_int_equal(w->peer->n_ike_rekeys, 1);
	assert_false(w->peer->deleted);
	assert_true(w->sa->initiator);
	assert_memory_not_equal(w->sa->spi_i, old_i, IKE_SPI_LEN);
	same_spis(w);
	assert_int_equal(w->n_established, est); /* the CHILD_SA stays */
	assert_int_equal(w->n_child_gone, 0);
	assert_true(ike_sa_rekey_in_s(w->sa) > 0);
	liveness_ok(w);
	rekey_child_once(w, false);
	world_free(w);
}

/*
 * The gateway rekeys the IKE SA: we answer SA (our new SPI), Nr, KEr;
 * its DELETE of the old SA, under the old keys, hands over to the new
 * one, where the gateway is the original initiator now (3.1: the I flag
 * turns).  Our own rekeys work on it, and ours makes us the initiator
 * again.
 */
static void
test_gateway_rekeys_ike(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	unsigned ike = 0;

	(void)state;
	assert_int_equal(ike_peer_rekey_ike(w->peer), 0);
	world_deliver(w);
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->peer->n_ike_rekeys, 1);
	(void)ike_sa_rekeys(w->sa, &ike);
	assert_int_equal(ike, 1);
	assert_false(w->sa->initiator);
	assert_true(w->peer->initiator);
	same_spis(w);
	assert_int_equal(w->n_child_gone, 0);
	liveness_ok(w);
	rekey_child_once(w, false);
	assert_int_equal(ike_sa_rekey_ike(w->sa), 0);
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	assert_true(w->sa->initiator);
	assert_false(w->peer->initiator);
	assert_int_equal(w->peer->n_ike_rekeys, 2);
	same_spis(w);
	liveness_ok(w);
	world_free(w);
}

/* The gateway's DELETE of the old IKE SA is lost, and it goes on with
 * the new one: its first message there hands over (2.18). */
static void
test_gateway_rekeys_ike_delete_lost(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	unsigned ike = 0;

	(void)state;
	assert_int_equal(ike_peer_rekey_ike(w->peer), 0);
	world_deliver(w);
	while (w->n_fed < w->n_sent) {
		struct rd m = buf_rd(w->sent[w->n_fed++]);

		assert_int_equal(ike_peer_input(w->peer, &m), 0);
	}
	assert_true(w->peer->deleting_old);
	ike_peer_out_clear(w->peer); /* the DELETE, lost */
	w->peer->deleting_old = false;
	ike_peer_switch(w->peer);
	assert_true(w->sa->next.pending);
	peer_asks(w, IKE_INFORMATIONAL, NULL, NULL);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	assert_false(w->sa->next.pending);
	(void)ike_sa_rekeys(w->sa, &ike);
	assert_int_equal(ike, 1);
	same_spis(w);
	liveness_ok(w);
	world_free(w);
}

/* Our DELETE of the old IKE SA gets no answer: after its (short)
 * retransmissions the new SA takes over all the same. */
static void
test_rekey_ike_delete_lost(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	struct rd m;
	unsigned ike = 0;

	(void)state;
	assert_int_equal(ike_sa_rekey_ike(w->sa), 0);
	m = buf_rd(w->sent[w->n_fed++]);
	assert_int_equal(ike_peer_input(w->peer, &m), 0);
	world_deliver(w);
	assert_int_equal(ike_sa_state(w->sa), IKE_SA_REKEYING);
	assert_int_equal(w->sa->rk.req, IKE_REQ_DELETE_IKE_OLD);
	for (int i = 0; i < 2; i++)
		ike_xchg_timeout(w->sa);
	w->n_fed = w->n_sent; /* the DELETE and its retransmission, lost */
	still_up(w, w->sa->n_dropped);
	(void)ike_sa_rekeys(w->sa, &ike);
	assert_int_equal(ike, 1);
	ike_peer_switch(w->peer); /* the gateway moves over too */
	same_spis(w);
	liveness_ok(w);
	world_free(w);
}

/* TEMPORARY_FAILURE: the same rekey again later, which then works;
 * NO_ADDITIONAL_SAS: the IKE SA is deleted so the daemon reconnects. */
static void
test_rekey_refused(void **state)
{
	struct world *w = world_new(&(struct world_opts){ .pubkey = true });

	(void)state;
	w->pc.refuse_rekey = IKE_N_TEMPORARY_FAILURE;
	w->pc.refuse_rekey_times = 1;
	world_connect(w);
	world_pump(w);
	assert_int_equal(ike_sa_rekey_child(w->sa), 0);
	world_pump(w);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->peer->n_refused, 1);
	assert_int_equal(w->n_established, 1);
	assert_true(timer_pending(w->sa->t_rekey_child));
	assert_int_equal(ike_rekey_child_start(w->sa), 0); /* the timer */
	world_pump(w);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_established, 2);
	child_matches_peer(w);

	w->peer->conf.refuse_rekey = IKE_N_NO_ADDITIONAL_SAS;
	w->peer->conf.refuse_rekey_times = 0;
	assert_int_equal(ike_sa_rekey_ike(w->sa), 0);
	world_pump(w);
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, -ECONNRESET);
	assert_false(w->down_permanent);
	assert_reason(w, "refused our IKE SA rekey");
	assert_true(w->peer->deleted);
	world_free(w);
}

/* The gateway rekeys the CHILD_SA our rekey replaced, whose DELETE is
 * on its way: TEMPORARY_FAILURE (2.25.1), and our new SA stays. */
static void
test_rekey_old_child(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	struct rekey_opts o = { .rekey_spi = w->child.spi_out };
	struct rd m;

	(void)state;
	assert_int_equal(ike_sa_rekey_child(w->sa), 0);
	m = buf_rd(w->sent[w->n_fed++]);
	assert_int_equal(ike_peer_input(w->peer, &m), 0);
	world_deliver(w); /* the new SA in, our DELETE of the old one out */
	assert_true(w->sa->child_old.installed);
	assert_int_equal(w->sa->rk.req, IKE_REQ_DELETE_CHILD);
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, &o);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_established, 2);
	child_matches_peer(w);
	assert_int_equal(w->n_child_gone, 1);
	/* The answers came in order: ours to its rekey was the last. */
	answer_has_notify(w, IKE_N_TEMPORARY_FAILURE);
	world_free(w);
}

/* INVALID_KE_PAYLOAD naming another group our ESP proposal offers: the
 * rekey again at once, with a KE of that group; the IKE SA's rekey keeps
 * its own group. */
static void
test_rekey_invalid_ke(void **state)
{
	struct world *w = world_new(&(struct world_opts){
	    .pubkey = true, .esp = "aes256gcm16-ecp256-ecp384" });

	(void)state;
	w->pc.refuse_rekey = IKE_N_INVALID_KE_PAYLOAD;
	w->pc.refuse_rekey_group = IKE_DH_ECP_384;
	w->pc.refuse_rekey_times = 1;
	world_connect(w);
	world_pump(w);
	assert_int_equal(ike_sa_rekey_child(w->sa), 0);
	assert_int_equal(kex_group(w->sa->rk.kex), IKE_DH_ECP_256);
	world_pump(w);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->peer->n_refused, 1);
	assert_true(timer_pending(w->sa->t_rekey_child));
	assert_int_equal(ike_rekey_child_start(w->sa), 0); /* the timer */
	assert_int_equal(kex_group(w->sa->rk.kex), IKE_DH_ECP_384);
	world_pump(w);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_established, 2);
	assert_true(w->peer->child_pfs);
	child_matches_peer(w);
	assert_int_equal(ike_sa_rekey_ike(w->sa), 0);
	assert_int_equal(kex_group(w->sa->rk.kex), w->sa->dh);
	world_pump(w);
	still_up(w, w->sa->n_dropped);
	world_free(w);
}

/*
 * Both sides rekey the CHILD_SA at once (2.8.1): the gateway's request,
 * arriving while ours is out, gets TEMPORARY_FAILURE; ours completes, and
 * the tunnel never lacks an SA.
 */
static void
test_rekey_collision(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	struct rekey_opts o = { .rekey_spi = w->child.spi_out };

	(void)state;
	assert_int_equal(ike_sa_rekey_child(w->sa), 0);
	peer_asks(w, IKE_CREATE_CHILD_SA, build_rekey, &o);
	assert_int_equal(w->peer_err, 0);
	answer_has_notify(w, IKE_N_TEMPORARY_FAILURE);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->n_established, 2);
	assert_int_equal(w->peer->n_child_rekeys, 1);
	child_matches_peer(w);
	assert_int_equal(w->n_child_gone, 1);
	world_free(w);
}

/*
 * Liveness (2.4): nothing from the gateway for dpd seconds, and we ask
 * with an empty INFORMATIONAL; its answer keeps the SA; no answer after
 * the retransmissions ends it, not permanently.
 */
static void
test_liveness(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	size_t n = w->n_sent;

	(void)state;
	w->conf->dpd = 30;
	ike_info_liveness_timeout(w->sa); /* just heard from it */
	assert_int_equal(w->n_sent, n);
	w->sa->t_rx -= 31000;
	ike_info_liveness_timeout(w->sa);
	assert_int_equal(w->n_sent, n + 1);
	assert_int_equal(world_exchange(w, n), IKE_INFORMATIONAL);
	world_pump(w);
	still_up(w, w->sa->n_dropped);
	assert_false(w->sa->xchg.active);

	w->sa->t_rx -= 31000;
	ike_info_liveness_timeout(w->sa);
	assert_true(w->sa->xchg.active);
	for (int i = 0; i < 5 && w->n_down == 0; i++)
		ike_xchg_timeout(w->sa);
	assert_int_equal(w->n_down, 1);
	assert_int_equal(w->down_err, -ETIMEDOUT);
	assert_false(w->down_permanent);
	assert_non_null(
	    strstr(w->down_reason, "the gateway stopped answering"));
	world_free(w);
}

/*
 * Liveness now (a resume, a network change): sent at once when up, not
 * twice while one is out, refused when the SA is not up.
 */
static void
test_liveness_now(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	size_t n = w->n_sent;

	(void)state;
	assert_true(ike_sa_check_liveness(w->sa, "test"));
	assert_int_equal(w->n_sent, n + 1);
	assert_int_equal(world_exchange(w, n), IKE_INFORMATIONAL);
	assert_true(ike_sa_check_liveness(w->sa, "test")); /* one out */
	assert_int_equal(w->n_sent, n + 1);
	world_pump(w);
	still_up(w, w->sa->n_dropped);
	assert_false(w->sa->xchg.active);
	assert_false(ike_sa_check_liveness(NULL, "test"));
	world_free(w);
}

/*
 * MOBIKE (RFC 4555 3.5): only when the gateway announced it; then
 * INFORMATIONAL{N(UPDATE_SA_ADDRESSES), NAT-D} goes out, and its answer
 * keeps the SA as it was.  Not while another request is out.
 */
static void
test_mobike_move(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	size_t n;

	(void)state;
	assert_true(w->sa->natt);
	assert_false(ike_sa_can_move(w->sa)); /* the peer did not announce */
	assert_int_equal(ike_sa_move(w->sa, NULL), -EOPNOTSUPP);
	w->sa->peer_mobike = true;
	assert_true(ike_sa_can_move(w->sa));
	n = w->n_sent;
	assert_int_equal(ike_sa_move(w->sa, NULL), 0);
	assert_int_equal(w->n_sent, n + 1);
	assert_int_equal(world_exchange(w, n), IKE_INFORMATIONAL);
	assert_int_equal(w->sa->rk.req, IKE_REQ_MOBIKE);
	assert_false(ike_sa_can_move(w->sa)); /* in flight */
	world_pump(w);
	assert_int_equal(w->peer_err, 0);
	still_up(w, w->sa->n_dropped);
	assert_int_equal(w->sa->rk.req, IKE_REQ_OTHER);
	assert_true(ike_sa_can_move(w->sa));
	liveness_ok(w); /* keys and message IDs still agree */
	world_free(w);
}

/* A gateway that refuses our new address (RFC 4555 3.5: an error notify
 * in its answer) ends the SA, not permanently: the daemon reconnects. */
static void
test_mobike_refused(void **state)
{
	struct world *w = up(&(struct world_opts){ .pubkey = true });
	uint8_t b[128];
	struct ike_pld_wr pw;
	struct rd inner;
	size_t n;

	(void)state;
	w->sa->peer_mobike = true;
	n = w->n_sent;
	assert_int_equal(ike_sa_move(w->sa, NULL), 0);
	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_notify(&pw,
	    &(struct ike_pld_notify){
		.type = 40 }); /* UNACCEPTABLE_ADDRESSES */
	assert_int_equal(ike_pld_wr_finish(&pw, &inner), 0);
	assert_int_equal(ike_peer_seal(w->peer, IKE_INFORMATIONAL, true,
			     world_msgid(w, n), &inner, pw.first),
	    0);
	world_deliver(w);
	assert_int_equal(w->n_down, 1);
	assert_false(w->down_permanent);
	assert_reason(w, "refused our new address");
	world_free(w);
}

/* ---- Proposals, selectors, CP ---- */

static void
test_proposal_check(void **state)
{
	struct proposal p[2];
	struct ike_pld_sa offer, chosen;
	struct ike_suite s;
	char why[256];
	uint16_t dh;
	uint32_t spi;

	(void)state;
	assert_int_equal(
	    proposal_parse(IKE_PROTO_IKE, "aes256gcm16-prfsha384-ecp384-ecp256",
		&p[0], why, sizeof(why)),
	    0);
	assert_int_equal(proposal_parse(IKE_PROTO_IKE, "aes256-sha256-modp2048",
			     &p[1], why, sizeof(why)),
	    0);
	assert_int_equal(ike_proposal_offer(p, 2, IKE_PROTO_IKE, 0, &offer), 0);
	chosen = (struct ike_pld_sa){ .n_props = 1,
		.props = { { .num = 2,
		    .proto = IKE_PROTO_IKE,
		    .n_xforms = 4,
		    .xforms = {
			{ IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 256, false },
			{ IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0,
			    false },
			{ IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_256, 0, false },
			{ IKE_XFORM_DH, IKE_DH_MODP_2048, 0, false } } } } };
	assert_int_equal(ike_proposal_check(
			     &offer, &chosen, &s, &dh, &spi, why, sizeof(why)),
	    0);
	assert_int_equal(s.encr, IKE_ENCR_AES_CBC);
	assert_int_equal(dh, IKE_DH_MODP_2048);
	/* The same transforms under proposal 1: not offered there. */
	chosen.props[0].num = 1;
	assert_int_equal(ike_proposal_check(
			     &offer, &chosen, &s, &dh, &spi, why, sizeof(why)),
	    -EPROTO);
	/* A number we never used. */
	chosen.props[0].num = 3;
	assert_int_equal(ike_proposal_check(
			     &offer, &chosen, &s, &dh, &spi, why, sizeof(why)),
	    -EPROTO);
	/* Without integrity for a non-AEAD cipher. */
	chosen.props[0].num = 2;
	chosen.props[0].xforms[1] = chosen.props[0].xforms[3];
	chosen.props[0].n_xforms = 3;
	assert_int_equal(ike_proposal_check(
			     &offer, &chosen, &s, &dh, &spi, why, sizeof(why)),
	    -EPROTO);
	/* Two of a type. */
	chosen.props[0].n_xforms = 4;
	assert_int_equal(ike_proposal_check(
			     &offer, &chosen, &s, &dh, &spi, why, sizeof(why)),
	    -EPROTO);
	/* ESP: DH dropped, ESN added. */
	assert_int_equal(proposal_parse(IKE_PROTO_ESP, "aes256-sha256-modp2048",
			     &p[0], why, sizeof(why)),
	    0);
	assert_int_equal(
	    ike_proposal_offer(p, 1, IKE_PROTO_ESP, 0x01020304, &offer), 0);
	assert_int_equal(offer.props[0].n_xforms, 3);
	assert_int_equal(offer.props[0].xforms[2].type, IKE_XFORM_ESN);
	assert_int_equal(offer.props[0].spi[3], 4);
}

static void
ts4(struct ike_ts *ts, const char *a, const char *b, uint8_t proto)
{
	*ts = (struct ike_ts){ .type = IKE_TS_IPV4_ADDR_RANGE,
		.ip_proto = proto,
		.end_port = 65535 };
	assert_int_equal(inet_pton(AF_INET, a, ts->start), 1);
	assert_int_equal(inet_pton(AF_INET, b, ts->end), 1);
}

static void
test_ts_narrowed(void **state)
{
	struct ike_pld_ts asked, got = { .n_ts = 2 };
	struct ike_child_ts out[IKE_MAX_TS];
	char why[128];
	size_t n = 0;

	(void)state;
	ike_ts_request(&asked);
	ts4(&got.ts[0], "10.1.0.0", "10.1.255.255", 0);
	ts4(&got.ts[1], "10.2.0.0", "10.2.0.255", 6);
	assert_int_equal(
	    ike_ts_narrowed(&asked, &got, out, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[1].ip_proto, 6);
	assert_int_equal(out[0].family, AF_INET);
	/* A range upside down. */
	ts4(&got.ts[1], "10.2.0.255", "10.2.0.0", 0);
	assert_int_equal(
	    ike_ts_narrowed(&asked, &got, out, &n, why, sizeof(why)), -EPROTO);
	/* Outside a narrower request. */
	asked.n_ts = 1;
	ts4(&asked.ts[0], "10.1.0.0", "10.1.255.255", 0);
	ts4(&got.ts[1], "10.2.0.0", "10.2.0.255", 0);
	assert_int_equal(
	    ike_ts_narrowed(&asked, &got, out, &n, why, sizeof(why)), -EPROTO);
	/* Ports outside. */
	asked.ts[0].end_port = 80;
	got.n_ts = 1;
	assert_int_equal(
	    ike_ts_narrowed(&asked, &got, out, &n, why, sizeof(why)), -EPROTO);
}

static void
test_cp_reply(void **state)
{
	static const uint8_t a4[4] = { 172, 16, 201, 9 },
			     d1[4] = { 10, 1, 0, 4 },
			     a6[17] = { 0xfd, [15] = 9, [16] = 64 },
			     d6[16] = { 0xfd, [15] = 53 };
	struct ike_pld_cp cp = { .type = IKE_CFG_REPLY,
		.n_attrs = 5,
		.attrs = { { IKE_CFG_INTERNAL_IP4_ADDRESS, { a4, 4 } },
		    { IKE_CFG_INTERNAL_IP4_ADDRESS, { d1, 4 } },
		    { IKE_CFG_INTERNAL_IP6_ADDRESS, { a6, 17 } },
		    { IKE_CFG_INTERNAL_IP4_DNS, { d1, 4 } },
		    { IKE_CFG_INTERNAL_IP6_DNS, { d6, 16 } } } };
	struct ike_child *c = calloc(1, sizeof(*c));
	char why[64];

	(void)state;
	assert_int_equal(ike_cp_reply(&cp, c, why, sizeof(why)), 0);
	assert_int_equal(c->vip4.ss_family, AF_INET);
	assert_memory_equal(
	    &((struct sockaddr_in *)&c->vip4)->sin_addr, a4, 4); /* first */
	assert_int_equal(c->vip6.ss_family, AF_INET6);
	assert_int_equal(c->n_dns, 2);
	assert_int_equal(c->dns[1].ss_family, AF_INET6);
	cp.type = IKE_CFG_REQUEST;
	assert_int_equal(ike_cp_reply(&cp, c, why, sizeof(why)), -EPROTO);
	free(c);
}

/* ---- Real strongSwan exchanges ---- */

struct sswan_spec {
	const char *name;
	const char *ike, *esp;
	bool eap;
};

static const struct sswan_spec sswan_specs[] = {
	{ "gcm256-prfsha384-ecp384-pubkey", "aes256gcm16-prfsha384-ecp384",
	    "aes256gcm16", false },
	{ "cbc256-sha256-modp2048-pubkey", "aes256-sha256-modp2048",
	    "aes256-sha256", false },
	{ "cbc256-sha384-x25519-pubkey", "aes256-sha384-x25519",
	    "aes256-sha256", false },
	{ "gcm256-prfsha256-modp2048s256-pubkey",
	    "aes256gcm16-prfsha256-modp2048s256", "aes256gcm16", false },
	{ "cookie-invalidke-pubkey", "aes256gcm16-prfsha384-x25519-ecp256",
	    "aes256gcm16", false },
	{ "gcm256-prfsha384-ecp384-eaptls", "aes256gcm16-prfsha384-ecp384",
	    "aes256gcm16", true },
};

#define SSWAN_GW_ID                                                            \
	"azuregateway-3f2a9c1e-7b3d-4e8a-9c61-2d5e8f0a1b37-5a7c9e1b3d2f."      \
	"vpn.azure.com"

struct sswan_world {
	struct sswan_case *c;
	struct world *w; /* for the loop, send hook and callbacks */
	struct conf *conf;
	struct cert *cert;
	struct key_ref *key;
	struct trust *roots;
	struct ike_creds creds;
	struct buf *ni, *g_ir, *spi_i;
	struct rd ni_rd, g_ir_rd;
};

static const char *
sswan_cert(const char *name)
{
	static char path[PATH_MAX + 64];

	(void)snprintf(path, sizeof(path), "%s/certs/%s", sswan_root(), name);
	return path;
}

static uint32_t
be32(const struct buf *b)
{
	assert_int_equal(b->len, 4);
	return (uint32_t)b->p[0] << 24 | (uint32_t)b->p[1] << 16 |
	    (uint32_t)b->p[2] << 8 | b->p[3];
}

static void
sswan_conf(struct sswan_world *s, const struct sswan_spec *spec)
{
	char yaml[1024];
	struct conf_err err;
	int n = snprintf(yaml, sizeof(yaml),
	    "gateway:\n  host: gw.test\n  id: " SSWAN_GW_ID "\n"
	    "  roots: [r.pem]\nclient:\n  auth: %s\n  cert: c.pem\n"
	    "  key: c.key\nproposals:\n  ike: [%s]\n  esp: [%s]\n",
	    spec->eap ? "eap-tls" : "pubkey", spec->ike, spec->esp);

	if (conf_load_buffer(
		"/nonexistent/p.yaml", yaml, (size_t)n, &s->conf, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
sswan_world_new(struct sswan_world *s, const struct sswan_spec *spec)
{
	struct buf *esp_spi;

	memset(s, 0, sizeof(*s));
	s->c = sswan_load(spec->name);
	s->w = world_new(&(struct world_opts){ .pubkey = !spec->eap });
	sswan_conf(s, spec);
	assert_int_equal(
	    cert_load_file(sswan_cert("P2SChildCert.pem"), &s->cert), 0);
	assert_int_equal(
	    key_load_file(sswan_cert("P2SChildCert.key"), &s->key), 0);
	assert_int_equal(trust_new(&s->roots), 0);
	assert_int_equal(
	    trust_add_file(s->roots, sswan_cert("ServerRootCA.pem")), 0);
	s->creds = (struct ike_creds){ .cert = s->cert,
		.key = s->key,
		.roots = s->roots,
		.id = "P2SChildCert",
		.gateway_id = SSWAN_GW_ID,
		.send_idr = true,
		.eap = spec->eap,
		.force_encap = true };
	s->ni = sswan_hex(s->c, "ni");
	s->g_ir = sswan_hex(s->c, "g_ir");
	s->spi_i = sswan_hex(s->c, "spi_i");
	s->ni_rd = buf_rd(s->ni);
	s->g_ir_rd = buf_rd(s->g_ir);
	esp_spi = sswan_hex(s->c, "child1_spi_i");
	s->w->hooks.spi_i = s->spi_i->p;
	s->w->hooks.ni = &s->ni_rd;
	s->w->hooks.g_ir = &s->g_ir_rd;
	s->w->hooks.esp_spi = be32(esp_spi);
	buf_free(esp_spi);
	world_engine(s->w, s->conf, &s->creds);
}

static void
sswan_world_free(struct sswan_world *s)
{
	world_free(s->w);
	conf_free(s->conf);
	cert_free(s->cert);
	key_free(s->key);
	trust_free(s->roots);
	buf_free(s->ni);
	buf_free(s->g_ir);
	buf_free(s->spi_i);
	sswan_free(s->c);
}

/* The header of captured message m. */
static struct ike_hdr
sswan_hdr(const struct sswan_case *c, const struct sswan_msg *m)
{
	struct buf *b = sswan_msg_file(c, m);
	struct rd r = buf_rd(b), chain;
	struct ike_hdr h;

	assert_int_equal(ike_hdr_parse(&r, &h, &chain), 0);
	buf_free(b);
	return h;
}

static void
sswan_feed(struct sswan_world *s, const struct sswan_msg *m)
{
	struct buf *b = sswan_msg_file(s->c, m);
	struct rd r = buf_rd(b);

	ike_sa_input(s->w->sa, &r);
	buf_free(b);
}

/* The gateway's IKE_SA_INIT and IKE_AUTH datagrams, in capture order,
 * until the engine stops in an EAP round it cannot replay. */
static void
sswan_feed_setup(struct sswan_world *s)
{
	for (size_t i = 0; i < s->c->n_msgs; i++) {
		const struct sswan_msg *m = &s->c->msgs[i];
		struct ike_hdr h;

		if (m->dir != 'r')
			continue;
		h = sswan_hdr(s->c, m);
		if (h.exchange != IKE_SA_INIT && h.exchange != IKE_AUTH)
			break;
		sswan_feed(s, m);
		assert_int_equal(s->w->n_down, 0);
		if (ike_sa_state(s->w->sa) == IKE_SA_EAP)
			break;
	}
}

static void
sswan_check_keys(const struct sswan_world *s)
{
	static const char *const names[] = { "sk_d", "sk_ei", "sk_er", "sk_pi",
		"sk_pr" };
	const struct ike_keys *k = s->w->sa->keys;
	const struct buf *mine[] = { k->sk_d, k->sk_ei, k->sk_er, k->sk_pi,
		k->sk_pr };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct buf *want = sswan_hex(s->c, names[i]);

		assert_buf_eq(mine[i], want);
		buf_free(want);
	}
	if (sswan_get(s->c, "sk_ai") != NULL) {
		struct buf *ai = sswan_hex(s->c, "sk_ai");

		assert_buf_eq(k->sk_ai, ai);
		buf_free(ai);
	}
}

static void
sswan_check_child(const struct sswan_world *s)
{
	const struct world *w = s->w;
	struct buf *spi_r = sswan_hex(s->c, "child1_spi_r");
	struct buf *ei = sswan_hex(s->c, "child1_sk_ei");
	struct buf *er = sswan_hex(s->c, "child1_sk_er");

	assert_int_equal(w->n_established, 1);
	assert_int_equal(w->child.spi_out, be32(spi_r));
	assert_int_equal(w->child.spi_in, w->hooks.esp_spi);
	assert_int_equal(w->child.esp.encr, sswan_num(s->c, "child1_encr"));
	assert_buf_eq(w->encr_out, ei);
	assert_buf_eq(w->encr_in, er);
	if (sswan_get(s->c, "child1_sk_ai") != NULL) {
		struct buf *ai = sswan_hex(s->c, "child1_sk_ai");
		struct buf *ar = sswan_hex(s->c, "child1_sk_ar");

		assert_buf_eq(w->integ_out, ai);
		assert_buf_eq(w->integ_in, ar);
		buf_free(ai);
		buf_free(ar);
	}
	assert_true(w->child.udp_encap);
	assert_int_equal(w->child.vip4.ss_family, AF_INET);
	assert_true(w->child.n_dns >= 1);
	buf_free(spi_r);
	buf_free(ei);
	buf_free(er);
}

/* Our DELETE (message ID 2) answered by the captured response. */
static void
sswan_delete(struct sswan_world *s)
{
	for (size_t i = 0; i < s->c->n_msgs; i++) {
		const struct sswan_msg *m = &s->c->msgs[i];
		struct ike_hdr h;

		if (m->dir != 'r' || strcmp(m->sa, "ike1") != 0)
			continue;
		h = sswan_hdr(s->c, m);
		if (h.exchange != IKE_INFORMATIONAL || h.msgid != 2)
			continue;
		ike_sa_delete(s->w->sa);
		sswan_feed(s, m);
		assert_int_equal(s->w->n_down, 1);
		assert_int_equal(s->w->down_err, 0);
		return;
	}
	print_message("%s: no DELETE answer with message ID 2\n", s->c->dir);
}

/* The responder's view of the captured keys: opens what we sent. */
static struct ike_keys *
sswan_gateway_keys(const struct sswan_world *s)
{
	struct ike_suite suite = sswan_suite(s->c, "");
	struct buf *nr = sswan_hex(s->c, "nr"), *spi_r;
	struct rd ni = buf_rd(s->ni), nrr = buf_rd(nr), g = buf_rd(s->g_ir);
	struct ike_keys *k = NULL;

	spi_r = sswan_hex(s->c, "spi_r");
	assert_int_equal(ike_keys_new(&suite, &g, &ni, &nrr, s->spi_i->p,
			     spi_r->p, false, &k),
	    0);
	buf_free(nr);
	buf_free(spi_r);
	return k;
}

/* Our request i, opened with the gateway's keys: its inner chain. */
static struct buf *
sswan_open_ours(const struct sswan_world *s, struct ike_keys *gk, size_t i,
    uint8_t *ret_first)
{
	struct rd m = buf_rd(s->w->sent[i]), chain;
	struct ike_pld_chain c;
	struct ike_pld_sk sk;
	struct ike_hdr h;
	struct buf *plain = NULL;
	uint8_t crit;

	assert_int_equal(ike_hdr_parse(&m, &h, &chain), 0);
	assert_int_equal(ike_pld_split(&chain, h.next, &c, &crit), 0);
	assert_int_equal(ike_pld_parse_sk(&m, &c.v[0], &sk), 0);
	assert_int_equal(ike_sk_open(gk, &sk.msg, rd_left(&sk.aad), &plain), 0);
	*ret_first = sk.inner;
	return plain;
}

static void
test_sswan_pubkey(void **state)
{
	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(sswan_specs); k++) {
		const struct sswan_spec *spec = &sswan_specs[k];
		struct sswan_world s;

		if (spec->eap)
			continue;
		print_message("case %s\n", spec->name);
		sswan_world_new(&s, spec);
		assert_int_equal(ike_sa_connect(s.w->sa, 0), 0);
		sswan_feed_setup(&s);
		assert_int_equal(ike_sa_state(s.w->sa), IKE_SA_ESTABLISHED);
		sswan_check_keys(&s);
		sswan_check_child(&s);
		assert_int_equal(ike_sa_round_trips(s.w->sa),
		    strncmp(spec->name, "cookie", 6) == 0 ? 4 : 2);
		sswan_delete(&s);
		sswan_world_free(&s);
	}
}

/* COOKIE then INVALID_KE_PAYLOAD, answered as strongSwan's client did:
 * the cookie first and echoed verbatim, then an ECP 256 KE. */
static void
test_sswan_cookie_invalid_ke(void **state)
{
	struct sswan_world s;
	struct ike_pld_chain c;
	struct ike_pld_notify n;
	struct ike_pld_ke ke;
	struct ike_hdr h;
	struct rd m, chain;
	uint8_t crit;

	(void)state;
	sswan_world_new(&s, &sswan_specs[4]);
	assert_int_equal(ike_sa_connect(s.w->sa, 0), 0);
	sswan_feed(&s, sswan_find_msg(s.c, 1));
	sswan_feed(&s, sswan_find_msg(s.c, 3));
	assert_int_equal(s.w->n_sent, 3);
	m = buf_rd(s.w->sent[2]);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), 0);
	assert_int_equal(ike_pld_split(&chain, h.next, &c, &crit), 0);
	assert_int_equal(c.v[0].type, IKE_PLD_NOTIFY);
	assert_int_equal(ike_pld_find_notify(c.v, c.n, IKE_N_COOKIE, &n), 0);
	assert_int_equal(
	    ike_pld_parse_ke(&ike_pld_find(c.v, c.n, IKE_PLD_KE)->body, &ke),
	    0);
	assert_int_equal(ke.group, IKE_DH_ECP_256);
	assert_int_equal(ike_sa_group(s.w->sa), IKE_DH_ECP_256);
	sswan_world_free(&s);
}

/* EAP-TLS: keys, the gateway's fragmented first answer and its AUTH,
 * our EAP-Identity answer byte for byte as strongSwan's, then EAP-TLS
 * Start answered with a ClientHello (the handshake itself cannot be
 * replayed: the TLS randoms differ). */
static void
test_sswan_eaptls(void **state)
{
	struct sswan_world s;
	struct ike_keys *gk;
	struct buf *inner, *want;
	uint8_t first;
	size_t last;

	(void)state;
	sswan_world_new(&s, &sswan_specs[5]);
	assert_int_equal(ike_sa_connect(s.w->sa, 0), 0);
	sswan_feed_setup(&s);
	assert_int_equal(ike_sa_state(s.w->sa), IKE_SA_EAP);
	sswan_check_keys(&s);
	gk = sswan_gateway_keys(&s);
	last = s.w->n_sent - 1;
	assert_int_equal(world_msgid(s.w, last), 2);
	inner = sswan_open_ours(&s, gk, last, &first);
	want = sswan_hex(s.c, "plain_05");
	assert_int_equal(first, IKE_PLD_EAP);
	assert_buf_eq(inner, want);
	buf_free(inner);
	buf_free(want);
	/* EAP-TLS Start (message 2), then our ClientHello. */
	sswan_feed(&s, sswan_find_msg(s.c, 6));
	last = s.w->n_sent - 1;
	assert_int_equal(world_msgid(s.w, last), 3);
	inner = sswan_open_ours(&s, gk, last, &first);
	/* EAP payload header 4, EAP header 4, type 13, flags, then TLS
	 * (with L: 4 bytes of length) a handshake record, 0x16. */
	assert_true(inner->len > 20);
	assert_int_equal(inner->p[8], EAP_TYPE_TLS);
	assert_int_equal(inner->p[(inner->p[9] & 0x80) ? 14 : 10], 0x16);
	buf_free(inner);
	ike_keys_free(gk);
	sswan_world_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_eap_tls),
		cmocka_unit_test(test_eap_resumed),
		cmocka_unit_test(test_pubkey),
		cmocka_unit_test(test_pubkey_nofrag),
		cmocka_unit_test(test_fragments_reassembled),
		cmocka_unit_test(test_fragments_conflict),
		cmocka_unit_test(test_nat),
		cmocka_unit_test(test_no_nat),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_invalid_ke),
		cmocka_unit_test(test_group_remembered),
		cmocka_unit_test(test_invalid_ke_not_offered),
		cmocka_unit_test(test_no_proposal),
		cmocka_unit_test(test_untrusted_root),
		cmocka_unit_test(test_identity_mismatch),
		cmocka_unit_test(test_bad_auth),
		cmocka_unit_test(test_bad_msk_auth),
		cmocka_unit_test(test_authentication_failed),
		cmocka_unit_test(test_eap_refused),
		cmocka_unit_test(test_child_refused),
		cmocka_unit_test(test_install_failed),
		cmocka_unit_test(test_retransmit_timeout),
		cmocka_unit_test(test_retransmit_names_drops),
		cmocka_unit_test(test_retransmit_recovers),
		cmocka_unit_test(test_delete_unanswered),
		cmocka_unit_test(test_delete_early),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_replayed_request),
		cmocka_unit_test(test_forged_init_error),
		cmocka_unit_test(test_gateway_deletes_ike),
		cmocka_unit_test(test_gateway_deletes_child),
		cmocka_unit_test(test_gateway_rekey_refused),
		cmocka_unit_test(test_gateway_new_child_refused),
		cmocka_unit_test(test_gateway_rekeys_child),
		cmocka_unit_test(test_gateway_rekeys_child_pfs),
		cmocka_unit_test(test_liveness),
		cmocka_unit_test(test_liveness_now),
		cmocka_unit_test(test_mobike_move),
		cmocka_unit_test(test_mobike_refused),
		cmocka_unit_test(test_rekey_child),
		cmocka_unit_test(test_rekey_child_pfs),
		cmocka_unit_test(test_rekey_ike),
		cmocka_unit_test(test_gateway_rekeys_ike),
		cmocka_unit_test(test_gateway_rekeys_ike_delete_lost),
		cmocka_unit_test(test_rekey_ike_delete_lost),
		cmocka_unit_test(test_rekey_refused),
		cmocka_unit_test(test_rekey_old_child),
		cmocka_unit_test(test_rekey_invalid_ke),
		cmocka_unit_test(test_rekey_collision),
		cmocka_unit_test(test_proposal_check),
		cmocka_unit_test(test_ts_narrowed),
		cmocka_unit_test(test_cp_reply),
		cmocka_unit_test(test_sswan_pubkey),
		cmocka_unit_test(test_sswan_cookie_invalid_ke),
		cmocka_unit_test(test_sswan_eaptls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
