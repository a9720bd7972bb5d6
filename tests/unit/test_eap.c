/* SPDX-License-Identifier: ISC */
/*
 * test_eap.c: the EAP packet codec and the peer's state machine (RFC
 * 3748): exact bytes of the Identity, Notification and Nak responses, the
 * Length rule, duplicate requests answered without reprocessing, the round
 * and Nak caps, Success and Failure, and that every error is final.
 * EAP-TLS appears only as far as its Start (test_eap_tls.c does the rest).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "caps.h"
#include "eap.h"
#include "eap_test.h"
#include "eap_tls.h"
#include "ike.h"
#include "tls_ctx.h"

struct fix {
	struct tls_ctx *ctx;
	struct eap_peer *peer;
	uint8_t resp[EAPT_MSG_MAX];
	size_t resp_len;
};

static int
setup(void **state)
{
	static struct fix f;

	memset(&f, 0, sizeof(f));
	f.ctx = eapt_tls_ctx("int-a.pem", EAPT_GW_ID, TLS_VERSION_1_3);
	f.peer = eapt_peer(f.ctx, NULL, EAPT_MSG_MAX);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	eap_peer_free(f->peer);
	tls_ctx_free(f->ctx);
	return 0;
}

static int
feed_raw(struct fix *f, const uint8_t *pkt, size_t len)
{
	struct wr out = wr_make(f->resp, sizeof(f->resp));
	struct rd in = rd_make(pkt, len);
	int r = eap_peer_process(f->peer, &in, &out);

	f->resp_len = out.len;
	return r;
}

static int
feed(struct fix *f, uint8_t code, uint8_t id, int type, const void *data,
    size_t len)
{
	uint8_t pkt[2048];

	return feed_raw(
	    f, pkt, eapt_pkt(pkt, sizeof(pkt), code, id, type, data, len));
}

static void
assert_resp(const struct fix *f, const uint8_t *want, size_t len)
{
	assert_int_equal(f->resp_len, len);
	assert_memory_equal(f->resp, want, len);
}

static void
assert_failed(struct fix *f)
{
	struct rd msk;

	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_FAILED);
	assert_non_null(eap_peer_reason(f->peer));
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 200, EAP_TYPE_IDENTITY, NULL, 0),
	    -EPROTO);
	assert_int_equal(f->resp_len, 0);
	assert_int_equal(eap_peer_msk(f->peer, &msk), -EPROTO);
}

/* ---------------------------------------------------------------- */

static void
test_pkt_parse(void **state)
{
	static const uint8_t req[] = { 1, 7, 0, 8, 13, 0x20, 'a', 'b' };
	static const uint8_t ok[] = { 3, 9, 0, 4 };
	struct eap_pkt p;
	struct rd r;

	r = rd_make(req, sizeof(req));
	assert_int_equal(eap_pkt_parse(&r, &p), 0);
	assert_int_equal(p.code, EAP_CODE_REQUEST);
	assert_int_equal(p.id, 7);
	assert_int_equal(p.type, EAP_TYPE_TLS);
	assert_int_equal(p.data.len, 3);
	assert_int_equal(p.data.p[0], 0x20);

	r = rd_make(ok, sizeof(ok));
	assert_int_equal(eap_pkt_parse(&r, &p), 0);
	assert_int_equal(p.code, EAP_CODE_SUCCESS);
	assert_int_equal(p.data.len, 0);

	/* Length must equal the bytes: fewer, more, a cut header. */
	r = rd_make(req, sizeof(req) - 1);
	assert_int_equal(eap_pkt_parse(&r, &p), -EBADMSG);
	{
		uint8_t longer[sizeof(req) + 1];

		memcpy(longer, req, sizeof(req));
		longer[sizeof(req)] = 0;
		r = rd_make(longer, sizeof(longer));
		assert_int_equal(eap_pkt_parse(&r, &p), -EBADMSG);
	}
	r = rd_make(req, 3);
	assert_int_equal(eap_pkt_parse(&r, &p), -EBADMSG);
}

static void
test_pkt_parse_bad(void **state)
{
	static const uint8_t no_type[] = { 1, 1, 0, 4 };
	static const uint8_t fat_ok[] = { 3, 1, 0, 5, 0 };
	static const uint8_t initiate[] = { 5, 1, 0, 5, 1 }; /* RFC 6696 */
	struct eap_pkt p;
	struct rd r;

	r = rd_make(no_type, sizeof(no_type));
	assert_int_equal(eap_pkt_parse(&r, &p), -EBADMSG);
	r = rd_make(fat_ok, sizeof(fat_ok));
	assert_int_equal(eap_pkt_parse(&r, &p), -EBADMSG);
	r = rd_make(initiate, sizeof(initiate));
	assert_int_equal(eap_pkt_parse(&r, &p), -EOPNOTSUPP);
}

static void
test_pkt_build(void **state)
{
	static const uint8_t want[] = { 2, 0x42, 0, 7, 13, 0x80, 0x01 };
	uint8_t buf[16];
	struct wr w = wr_make(buf, sizeof(buf));
	size_t at;

	wr_u8(&w, 0xee); /* the packet need not start the buffer */
	at = eap_pkt_begin(&w, EAP_CODE_RESPONSE, 0x42, EAP_TYPE_TLS);
	assert_int_equal(at, 1);
	wr_u8(&w, 0x80);
	wr_u8(&w, 0x01);
	eap_pkt_end(&w, at);
	assert_true(wr_ok(&w));
	assert_int_equal(w.len, 1 + sizeof(want));
	assert_memory_equal(buf + 1, want, sizeof(want));

	/* Overflow sticks. */
	w = wr_make(buf, 4);
	at = eap_pkt_begin(&w, EAP_CODE_RESPONSE, 1, EAP_TYPE_TLS);
	eap_pkt_end(&w, at);
	assert_false(wr_ok(&w));
}

static void
test_new_checks(void **state)
{
	struct fix *f = *state;
	char longid[EAP_IDENTITY_MAX_LEN + 2];
	struct eap_peer_conf c = {
		.identity = "x", .tls = f->ctx, .max_msg_len = EAP_MSG_MIN_LEN
	};
	struct eap_peer *p = NULL;

	assert_int_equal(eap_peer_new(&c, &p), 0);
	eap_peer_free(p);
	c.max_msg_len = EAP_MSG_MIN_LEN - 1;
	assert_int_equal(eap_peer_new(&c, &p), -EINVAL);
	c.max_msg_len = EAP_MSG_MAX_LEN + 1;
	assert_int_equal(eap_peer_new(&c, &p), -EINVAL);
	c.max_msg_len = 1024;
	c.identity = "";
	assert_int_equal(eap_peer_new(&c, &p), -EINVAL);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	c.identity = longid;
	assert_int_equal(eap_peer_new(&c, &p), -EINVAL);
	longid[EAP_IDENTITY_MAX_LEN] = '\0';
	assert_int_equal(eap_peer_new(&c, &p), 0);
	eap_peer_free(p);
	c.tls = NULL;
	assert_int_equal(eap_peer_new(&c, &p), -EINVAL);
	eap_peer_free(NULL);
}

/* RFC 3748 5.1: the response echoes the Identifier and carries the
 * identity, no NUL.  A displayable message in the request is ignored. */
static void
test_identity(void **state)
{
	static const uint8_t want[] = { 2, 0, 0, 17, 1, 'P', '2', 'S', 'C', 'h',
		'i', 'l', 'd', 'C', 'e', 'r', 't' };
	struct fix *f = *state;

	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_IDLE);
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0, EAP_TYPE_IDENTITY, "hello", 5),
	    EAP_PEER_RESPOND);
	assert_resp(f, want, sizeof(want));
	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_IDENTIFIED);
	/* Asked again with a new Identifier: answered again. */
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 1, EAP_TYPE_IDENTITY, NULL, 0),
	    EAP_PEER_RESPOND);
	assert_int_equal(f->resp[1], 1);
	assert_int_equal(f->resp_len, sizeof(want));
}

/* Once EAP-TLS has begun, no new Identity and no other method. */
static void
test_identity_after_method(void **state)
{
	static const uint8_t start = EAP_TLS_FLAG_S;
	struct fix *f = *state;

	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0, EAP_TYPE_IDENTITY, NULL, 0),
	    EAP_PEER_RESPOND);
	assert_int_equal(feed(f, EAP_CODE_REQUEST, 1, EAP_TYPE_TLS, &start, 1),
	    EAP_PEER_RESPOND);
	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_METHOD);
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 2, EAP_TYPE_IDENTITY, NULL, 0), -EPROTO);
	assert_failed(f);
}

static void
test_nak_after_method(void **state)
{
	static const uint8_t start = EAP_TLS_FLAG_S;
	struct fix *f = *state;

	assert_int_equal(feed(f, EAP_CODE_REQUEST, 1, EAP_TYPE_TLS, &start, 1),
	    EAP_PEER_RESPOND);
	assert_int_equal(feed(f, EAP_CODE_REQUEST, 2, 4, "chal", 4), -EPROTO);
	assert_failed(f);
}

/* RFC 3748 5.2: acknowledged by an empty Notification response, in any
 * state, without changing it. */
static void
test_notification(void **state)
{
	static const uint8_t want[] = { 2, 9, 0, 5, 2 };
	static const char text[] = "Your password expires\n\x01\xff";
	struct fix *f = *state;

	assert_int_equal(feed(f, EAP_CODE_REQUEST, 9, EAP_TYPE_NOTIFICATION,
			     text, sizeof(text) - 1),
	    EAP_PEER_RESPOND);
	assert_resp(f, want, sizeof(want));
	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_IDLE);
}

/* RFC 3748 5.3.1: another method gets a legacy Nak naming EAP-TLS (13),
 * an Expanded Type (254) too. */
static void
test_nak(void **state)
{
	static const uint8_t want_md5[] = { 2, 3, 0, 6, 3, 13 };
	static const uint8_t want_exp[] = { 2, 4, 0, 6, 3, 13 };
	static const uint8_t expanded[] = { 0, 0, 0x9, 0, 0, 0, 1 };
	struct fix *f = *state;

	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 3, 4, "challenge", 9), EAP_PEER_RESPOND);
	assert_resp(f, want_md5, sizeof(want_md5));
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 4, 254, expanded, sizeof(expanded)),
	    EAP_PEER_RESPOND);
	assert_resp(f, want_exp, sizeof(want_exp));
	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_IDENTIFIED);
}

/* A gateway that will not offer EAP-TLS: stopped after EAP_MAX_NAKS. */
static void
test_nak_cap(void **state)
{
	struct fix *f = *state;
	int i;

	for (i = 0; i < EAP_MAX_NAKS; i++)
		assert_int_equal(
		    feed(f, EAP_CODE_REQUEST, (uint8_t)i, 26, "x", 1),
		    EAP_PEER_RESPOND);
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 100, 26, "x", 1), -EOPNOTSUPP);
	assert_non_null(strstr(eap_peer_reason(f->peer), "EAP type 26"));
	assert_failed(f);
}

/* Nak is a Response only; Type 0 is reserved. */
static void
test_bad_types(void **state)
{
	struct fix *f = *state;

	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 1, EAP_TYPE_NAK, "\x0d", 1), -EBADMSG);
	assert_failed(f);
	teardown(state);
	setup(state);
	f = *state;
	assert_int_equal(feed(f, EAP_CODE_REQUEST, 1, 0, NULL, 0), -EBADMSG);
	assert_failed(f);
}

/* A Response from the gateway, or a malformed packet: final errors. */
static void
test_bad_packets(void **state)
{
	static const uint8_t liar[] = { 1, 1, 0, 9, 1 };
	struct fix *f = *state;

	assert_int_equal(
	    feed(f, EAP_CODE_RESPONSE, 1, EAP_TYPE_IDENTITY, "x", 1), -EPROTO);
	assert_failed(f);
	teardown(state);
	setup(state);
	f = *state;
	assert_int_equal(feed_raw(f, liar, sizeof(liar)), -EBADMSG);
	assert_failed(f);
}

/*
 * RFC 3748 4.1: a duplicate request (same Identifier, same bytes) gets the
 * same response and is not processed again: the duplicated Start yields
 * the same ClientHello, not a second one.
 */
static void
test_duplicate(void **state)
{
	static const uint8_t start = EAP_TLS_FLAG_S;
	uint8_t first[EAPT_MSG_MAX];
	struct fix *f = *state;
	size_t len;

	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0, EAP_TYPE_IDENTITY, NULL, 0),
	    EAP_PEER_RESPOND);
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0xf8, EAP_TYPE_TLS, &start, 1),
	    EAP_PEER_RESPOND);
	len = f->resp_len;
	memcpy(first, f->resp, len);
	assert_true(len > 100); /* a ClientHello */
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0xf8, EAP_TYPE_TLS, &start, 1),
	    EAP_PEER_RESPOND);
	assert_resp(f, first, len);
	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_METHOD);
	/* Same Identifier, other bytes: not a retransmission. */
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0xf8, EAP_TYPE_TLS, "\0", 1), -EPROTO);
	assert_failed(f);
}

/* A gateway that never finishes: the round cap stops it, duplicates
 * included. */
static void
test_round_cap(void **state)
{
	struct fix *f = *state;
	int i;

	for (i = 0; i < EAP_MAX_ROUNDS; i++)
		assert_int_equal(feed(f, EAP_CODE_REQUEST, (uint8_t)(i / 2),
				     EAP_TYPE_NOTIFICATION, "hi", 2),
		    EAP_PEER_RESPOND);
	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 200, EAP_TYPE_NOTIFICATION, "hi", 2),
	    -E2BIG);
	assert_non_null(strstr(eap_peer_reason(f->peer),
	    "more than 128 EAP requests before EAP-TLS began"));
	assert_failed(f);
}

/* RFC 3748 4.2: Success without a finished method is refused. */
static void
test_early_success(void **state)
{
	struct fix *f = *state;

	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0, EAP_TYPE_IDENTITY, NULL, 0),
	    EAP_PEER_RESPOND);
	assert_int_equal(feed(f, EAP_CODE_SUCCESS, 0, -1, NULL, 0), -EPROTO);
	assert_int_equal(f->resp_len, 0);
	assert_failed(f);
}

static void
test_failure(void **state)
{
	struct fix *f = *state;

	assert_int_equal(
	    feed(f, EAP_CODE_REQUEST, 0, EAP_TYPE_IDENTITY, NULL, 0),
	    EAP_PEER_RESPOND);
	assert_int_equal(feed(f, EAP_CODE_FAILURE, 0, -1, NULL, 0), -EACCES);
	assert_non_null(strstr(eap_peer_reason(f->peer), "EAP-Failure"));
	assert_failed(f);
}

/* A response buffer smaller than max_msg_len: -ENOSPC, nothing consumed. */
static void
test_enospc(void **state)
{
	static const uint8_t want[] = { 2, 5, 0, 17, 1 };
	uint8_t small[EAPT_MSG_MAX - 1], pkt[8];
	struct fix *f = *state;
	struct wr out = wr_make(small, sizeof(small));
	struct rd in;

	in = rd_make(pkt,
	    eapt_pkt(pkt, sizeof(pkt), EAP_CODE_REQUEST, 5, EAP_TYPE_IDENTITY,
		NULL, 0));
	assert_int_equal(eap_peer_process(f->peer, &in, &out), -ENOSPC);
	assert_int_equal(out.len, 0);
	assert_int_equal(eap_peer_state(f->peer), EAP_PEER_IDLE);
	assert_int_equal(feed_raw(f, pkt, in.len), EAP_PEER_RESPOND);
	assert_memory_equal(f->resp, want, sizeof(want));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkt_parse),
		cmocka_unit_test(test_pkt_parse_bad),
		cmocka_unit_test(test_pkt_build),
		cmocka_unit_test_setup_teardown(
		    test_new_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_identity_after_method, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_nak_after_method, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nak_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_types, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_round_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_early_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enospc, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
