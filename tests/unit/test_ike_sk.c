/* SPDX-License-Identifier: ISC */
/*
 * test_ike_sk.c: the SK and SKF payloads.
 *
 *   strongSwan 5.9.8 captures: every encrypted datagram of every case
 *   (AES-GCM-16 and AES-CBC-256 with HMAC-SHA2-256-128 and -384-192, SK
 *   and SKF, both directions, before and after an IKE SA rekey) opens to
 *   exactly the plaintext charon logged.
 *   gen_ike_kat.py: messages with non-minimal, non-zero padding in both
 *   directions and an SKF fragment open to the inner payloads; for GCM
 *   suites ike_sk_seal produces byte for byte the message Python built
 *   (IV counter 0, no padding), which also proves it patches both lengths
 *   before computing the AAD.
 *   Round trips for every suite and inner length 0..40; every single-byte
 *   change of header, SK header, IV, ciphertext or ICV fails (-EBADMSG);
 *   truncated and misaligned bodies, a Pad Length beyond the plaintext,
 *   and a full writer (-ENOSPC).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "crypto.h"
#include "ike_sk.h"
#include "kat_util.h"
#include "sswan_vectors.h"
#include "../data/kat/ike_kat_vectors.h"

static struct ike_keys *
kat_keys(const struct ike_kat *v, bool initiator)
{
	struct buf *g = kat_hex(v->g_ir), *ni = kat_hex(v->ni);
	struct buf *nr = kat_hex(v->nr), *si = kat_hex(v->spi_i);
	struct buf *sr = kat_hex(v->spi_r);
	struct rd gr = buf_rd(g), nir = buf_rd(ni), nrr = buf_rd(nr);
	struct ike_suite s = { v->suite.encr, v->suite.encr_bits,
		v->suite.integ, v->suite.prf };
	struct ike_keys *k;

	assert_int_equal(
	    ike_keys_new(&s, &gr, &nir, &nrr, si->p, sr->p, initiator, &k), 0);
	buf_free(g);
	buf_free(ni);
	buf_free(nr);
	buf_free(si);
	buf_free(sr);
	return k;
}

static void
expect_open(const struct ike_keys *k, const char *msg_hex, size_t iv_off,
    const char *inner_hex)
{
	struct buf *m = kat_hex(msg_hex), *inner = NULL;
	struct rd mr = buf_rd(m);

	assert_int_equal(ike_sk_open(k, &mr, iv_off, &inner), 0);
	kat_expect_hex("inner payloads", inner->p, inner->len, inner_hex);
	buf_free(inner);
	buf_free(m);
}

/* The initiator's messages open with the responder's keys and back. */
static void
test_generated_open(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		const struct ike_kat *v = &ike_kats[i];
		struct ike_keys *ki = kat_keys(v, true),
				*kr = kat_keys(v, false);
		struct buf *m = kat_hex(v->msg_i), *inner = NULL;
		struct rd mr = buf_rd(m);

		expect_open(kr, v->msg_i, v->msg_i_iv_off, v->inner);
		expect_open(ki, v->msg_r, v->msg_r_iv_off, v->inner);
		expect_open(ki, v->msg_skf, v->msg_skf_iv_off, v->inner);
		/* Our own direction's keys do not open the peer's message. */
		assert_int_equal(
		    ike_sk_open(ki, &mr, v->msg_i_iv_off, &inner), -EBADMSG);
		assert_null(inner);
		buf_free(m);
		ike_keys_free(ki);
		ike_keys_free(kr);
	}
}

/* GCM sealing is deterministic (IV counter from 0): exact bytes. */
static void
test_generated_seal_gcm(void **state)
{
	uint8_t out[512];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		const struct ike_kat *v = &ike_kats[i];
		struct buf *want, *inner;
		struct ike_keys *k;
		struct wr w;
		struct rd in;

		if (v->seal_i[0] == '\0')
			continue;
		want = kat_hex(v->seal_i);
		inner = kat_hex(v->inner);
		k = kat_keys(v, true);
		/* Header and SK header with both lengths left at zero. */
		w = wr_make(out, sizeof(out));
		wr_bytes(&w, want->p, v->msg_i_iv_off);
		wr_patch_u32(&w, IKE_HDR_LENGTH_OFF, 0);
		wr_patch_u16(&w, IKE_HDR_LEN + 2, 0);
		in = buf_rd(inner);
		assert_int_equal(ike_sk_seal(k, &w, IKE_HDR_LEN, &in), 0);
		assert_true(wr_ok(&w));
		assert_int_equal(w.len - v->msg_i_iv_off,
		    ike_sk_overhead(k, inner->len) + inner->len);
		kat_expect("sealed message", out, w.len, want);
		ike_keys_free(k);
		buf_free(inner);
		buf_free(want);
		n++;
	}
	assert_true(n >= 2);
}

/* Builds a message: header (28) | SK header (4) | sealed inner. */
static size_t
seal_msg(struct ike_keys *k, const uint8_t *inner, size_t len, uint8_t *out,
    size_t cap)
{
	struct rd in = rd_make(inner, len);
	struct wr w = wr_make(out, cap);

	wr_zero(&w, 16);
	wr_u8(&w, IKE_PLD_SK);
	wr_u8(&w, IKE_VERSION);
	wr_u8(&w, IKE_INFORMATIONAL);
	wr_u8(&w, IKE_FLAG_INITIATOR);
	wr_u32(&w, 7);
	wr_u32(&w, 0);
	wr_u8(&w, IKE_PLD_DELETE);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	assert_int_equal(ike_sk_seal(k, &w, IKE_HDR_LEN, &in), 0);
	assert_true(wr_ok(&w));
	return w.len;
}

static void
test_round_trip_all_suites(void **state)
{
	uint8_t inner[40], msg[256];
	struct buf *plain;
	size_t i, len, n;
	struct rd m;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		struct ike_keys *ki = kat_keys(&ike_kats[i], true);
		struct ike_keys *kr = kat_keys(&ike_kats[i], false);

		for (len = 0; len <= sizeof(inner); len++) {
			memset(inner, (int)len, len);
			n = seal_msg(ki, inner, len, msg, sizeof(msg));
			assert_int_equal(
			    n, 32 + len + ike_sk_overhead(ki, len));
			/* Both length fields were patched. */
			assert_int_equal(msg[24] << 24 | msg[25] << 16 |
				msg[26] << 8 | msg[27],
			    n);
			assert_int_equal(msg[30] << 8 | msg[31], n - 28);
			m = rd_make(msg, n);
			assert_int_equal(ike_sk_open(kr, &m, 32, &plain), 0);
			assert_int_equal(plain->len, len);
			assert_memory_equal(plain->p, inner, len);
			buf_free(plain);
			/* And the other way. */
			n = seal_msg(kr, inner, len, msg, sizeof(msg));
			m = rd_make(msg, n);
			assert_int_equal(ike_sk_open(ki, &m, 32, &plain), 0);
			assert_memory_equal(plain->p, inner, len);
			buf_free(plain);
		}
		ike_keys_free(ki);
		ike_keys_free(kr);
	}
}

/* Any changed byte, from the IKE header to the ICV, is refused. */
static void
test_tamper(void **state)
{
	uint8_t inner[33], msg[256], copy[256];
	struct buf *plain = NULL;
	size_t i, j, n;
	struct rd m;

	memset(inner, 0x42, sizeof(inner));
	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		struct ike_keys *ki = kat_keys(&ike_kats[i], true);
		struct ike_keys *kr = kat_keys(&ike_kats[i], false);

		n = seal_msg(ki, inner, sizeof(inner), msg, sizeof(msg));
		for (j = 0; j < n; j++) {
			memcpy(copy, msg, n);
			copy[j] ^= 0x01;
			m = rd_make(copy, n);
			assert_int_equal(
			    ike_sk_open(kr, &m, 32, &plain), -EBADMSG);
			assert_null(plain);
		}
		ike_keys_free(ki);
		ike_keys_free(kr);
	}
}

static void
test_truncated(void **state)
{
	uint8_t inner[20], msg[256];
	struct buf *plain = NULL;
	size_t i, n, cut, min;
	struct rd m;

	memset(inner, 0x17, sizeof(inner));
	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		struct ike_keys *ki = kat_keys(&ike_kats[i], true);
		struct ike_keys *kr = kat_keys(&ike_kats[i], false);

		n = seal_msg(ki, inner, sizeof(inner), msg, sizeof(msg));
		/* Every shorter message: too short, misaligned or forged. */
		for (cut = 1; cut <= n; cut++) {
			m = rd_make(msg, n - cut);
			assert_int_equal(
			    ike_sk_open(kr, &m, 32, &plain), -EBADMSG);
		}
		/* An IV offset beyond the message. */
		m = rd_make(msg, n);
		assert_int_equal(ike_sk_open(kr, &m, n + 1, &plain), -EBADMSG);
		/* The minimum body is IV | Pad Length | ICV. */
		min = ike_sk_overhead(kr, 0);
		m = rd_make(msg, 32 + min - 1);
		assert_int_equal(ike_sk_open(kr, &m, 32, &plain), -EBADMSG);
		assert_null(plain);
		ike_keys_free(ki);
		ike_keys_free(kr);
	}
}

/*
 * Seals text (whose last byte is the Pad Length) with raw crypto, as a
 * peer would, so that the ICV is right and only the padding is wrong.
 */
static size_t
forge_msg(
    const struct ike_keys *k, const uint8_t *text, size_t len, uint8_t *msg)
{
	const struct ike_sk_dir *d = &k->out;
	size_t ivl = encr_iv_len(d->encr), icv, n;
	struct rd aad = rd_make(msg, 32), p = rd_make(text, len), none, cov;
	uint8_t *iv = msg + 32;

	icv =
	    d->integ != NULL ? integ_icv_len(d->integ) : encr_icv_len(d->encr);
	n = 32 + ivl + len + icv;
	memset(msg, 0, 32);
	msg[16] = IKE_PLD_SK;
	msg[17] = IKE_VERSION;
	msg[26] = (uint8_t)(n >> 8);
	msg[27] = (uint8_t)n;
	msg[30] = (uint8_t)((n - 28) >> 8);
	msg[31] = (uint8_t)(n - 28);
	memset(iv, 0x99, ivl);
	none = rd_make(NULL, 0);
	if (d->integ == NULL) {
		assert_int_equal(encr_seal(d->encr, iv, &aad, &p, iv + ivl), 0);
		return n;
	}
	assert_int_equal(encr_seal(d->encr, iv, &none, &p, iv + ivl), 0);
	cov = rd_make(msg, n - icv);
	assert_int_equal(integ_compute(d->integ, &cov, 1, msg + n - icv), 0);
	return n;
}

static void
test_padding_validation(void **state)
{
	uint8_t text[32], msg[256];
	struct buf *plain = NULL;
	size_t i, n;
	struct rd m;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		struct ike_keys *ki = kat_keys(&ike_kats[i], true);
		struct ike_keys *kr = kat_keys(&ike_kats[i], false);

		memset(text, 0xab, sizeof(text));
		/* Pad Length 32 > 31 bytes before it: refused. */
		text[31] = 32;
		n = forge_msg(ki, text, sizeof(text), msg);
		m = rd_make(msg, n);
		assert_int_equal(ike_sk_open(kr, &m, 32, &plain), -EBADMSG);
		assert_null(plain);
		text[31] = 255;
		n = forge_msg(ki, text, sizeof(text), msg);
		m = rd_make(msg, n);
		assert_int_equal(ike_sk_open(kr, &m, 32, &plain), -EBADMSG);
		/* Pad Length 31: all padding, no payloads; any pad bytes. */
		text[31] = 31;
		n = forge_msg(ki, text, sizeof(text), msg);
		m = rd_make(msg, n);
		assert_int_equal(ike_sk_open(kr, &m, 32, &plain), 0);
		assert_int_equal(plain->len, 0);
		buf_free(plain);
		plain = NULL;
		ike_keys_free(ki);
		ike_keys_free(kr);
	}
}

static void
test_seal_no_space(void **state)
{
	struct ike_keys *k = kat_keys(&ike_kats[0], true);
	uint8_t inner[16] = { 0 }, msg[64];
	struct rd in = rd_make(inner, sizeof(inner));
	struct wr w = wr_make(msg, sizeof(msg));

	wr_zero(&w, 32);
	assert_int_equal(ike_sk_seal(k, &w, 28, &in), -ENOSPC);
	assert_false(wr_ok(&w));
	/* The SK header must lie inside what was written. */
	w = wr_make(msg, sizeof(msg));
	wr_zero(&w, 30);
	in.len = 0;
	assert_int_equal(ike_sk_seal(k, &w, 28, &in), -ENOSPC);
	ike_keys_free(k);
}

/* ------------------------------------------------------------------ */
/* strongSwan. */

struct sswan_sa {
	struct ike_keys *view_i; /* opens what the responder sent */
	struct ike_keys *view_r; /* opens what the initiator sent */
};

static void
sswan_sa_make(const struct sswan_case *c, const char *p, const char *sd,
    struct sswan_sa *ret)
{
	struct ike_suite s = sswan_suite(c, "");
	char k[32];
	struct buf *ss, *ni, *nr, *si, *sr;
	struct rd ssr, nir, nrr;

	(void)snprintf(k, sizeof(k), "%s%s", p, sd);
	ss = sswan_hex(c, k);
	(void)snprintf(k, sizeof(k), "%sni", p);
	ni = sswan_hex(c, k);
	(void)snprintf(k, sizeof(k), "%snr", p);
	nr = sswan_hex(c, k);
	(void)snprintf(k, sizeof(k), "%sspi_i", p);
	si = sswan_hex(c, k);
	(void)snprintf(k, sizeof(k), "%sspi_r", p);
	sr = sswan_hex(c, k);
	ssr = buf_rd(ss);
	nir = buf_rd(ni);
	nrr = buf_rd(nr);
	assert_int_equal(ike_keys_from_skeyseed(&s, &ssr, &nir, &nrr, si->p,
			     sr->p, true, &ret->view_i),
	    0);
	assert_int_equal(ike_keys_from_skeyseed(&s, &ssr, &nir, &nrr, si->p,
			     sr->p, false, &ret->view_r),
	    0);
	buf_free(ss);
	buf_free(ni);
	buf_free(nr);
	buf_free(si);
	buf_free(sr);
}

/* Opens one captured datagram; the I flag names the SA's initiator. */
static void
check_sswan_msg(const struct sswan_case *c, const struct sswan_msg *m,
    const struct sswan_sa *sa)
{
	struct buf *msg = sswan_msg_file(c, m), *plain = NULL;
	struct rd mr = buf_rd(msg);
	uint8_t type = 0;
	size_t off = sswan_sk_off(msg, &type);
	char k[32];

	assert_true(off != 0);
	(void)snprintf(k, sizeof(k), "plain_%02u", m->nn);
	assert_int_equal(
	    ike_sk_open(
		(msg->p[19] & IKE_FLAG_INITIATOR) ? sa->view_r : sa->view_i,
		&mr, off + (type == IKE_PLD_SKF ? 8 : 4), &plain),
	    0);
	kat_expect_hex(k, plain->p, plain->len, sswan_must(c, k));
	buf_free(plain);
	buf_free(msg);
}

static void
test_sswan_decrypt(void **state)
{
	char names[SSWAN_MAX_CASES][NAME_MAX + 1];
	size_t n = sswan_list(names, SSWAN_MAX_CASES), i, j, opened = 0;
	struct sswan_sa ike1, ike2;
	struct sswan_case *c;

	for (i = 0; i < n; i++) {
		c = sswan_load(names[i]);
		sswan_sa_make(c, "", "skeyseed", &ike1);
		memset(&ike2, 0, sizeof(ike2));
		if (sswan_get(c, "ike2_skeyseed") != NULL)
			sswan_sa_make(c, "ike2_", "skeyseed", &ike2);
		for (j = 0; j < c->n_msgs; j++) {
			const struct sswan_msg *m = &c->msgs[j];

			if (strcmp(m->sa, "-") == 0)
				continue;
			assert_true(
			    strcmp(m->sa, "ike1") == 0 || ike2.view_i != NULL);
			check_sswan_msg(
			    c, m, strcmp(m->sa, "ike1") == 0 ? &ike1 : &ike2);
			opened++;
		}
		ike_keys_free(ike1.view_i);
		ike_keys_free(ike1.view_r);
		ike_keys_free(ike2.view_i);
		ike_keys_free(ike2.view_r);
		sswan_free(c);
	}
	assert_true(opened > 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_open),
		cmocka_unit_test(test_generated_seal_gcm),
		cmocka_unit_test(test_round_trip_all_suites),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_padding_validation),
		cmocka_unit_test(test_seal_no_space),
		cmocka_unit_test(test_sswan_decrypt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
