/* SPDX-License-Identifier: ISC */
/*
 * test_pld.c: the IKEv2 codec (ike_pld.h).  Known-good messages of every
 * shape parse, rebuild byte for byte and keep their fields; every prefix
 * and every off-by-one length field of them is refused cleanly; each
 * field the RFCs constrain is refused when wrong; real strongSwan 5.9.8
 * messages from tests/data parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ike_check.h"
#include "ike_pld.h"
#include "ike_rules.h"
#include "ike_samples.h"
#include "names.h"

static uint8_t msgbuf[IKE_SAMPLE_MAX_LEN];

static size_t
sample_build(const struct ike_sample *s, uint8_t *buf)
{
	size_t len = s->build(buf, IKE_SAMPLE_MAX_LEN);

	if (len == 0)
		fail_msg("sample %s does not build", s->name);
	return len;
}

/* A heap copy of exactly len bytes, so ASan sees any overread. */
static uint8_t *
exact_copy(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len > 0 ? len : 1);

	assert_non_null(q);
	if (len > 0)
		memcpy(q, p, len);
	return q;
}

/* ---- Samples: every shape, whole ---- */

static void
test_samples_parse(void **state)
{
	for (size_t i = 0; i < ike_n_samples; i++) {
		const struct ike_sample *s = &ike_samples[i];
		size_t len = sample_build(s, msgbuf);
		struct ike_check c;

		ike_check_msg(msgbuf, len, &c);
		print_message("# %-24s %4zu bytes, %zu payloads\n", s->name,
		    len, c.n_parsed);
		assert_int_equal(c.hdr, 0);
		assert_int_equal(c.split, 0);
		assert_int_equal(c.rules, 0);
		assert_int_equal(c.shape, s->shape);
		assert_int_equal(c.n_failed, 0);
		assert_int_equal(c.n_noncanon, 0);
		if (s->inner == IKE_SHAPE_NONE)
			continue;
		assert_int_equal(c.sk, 0);
		assert_int_equal(c.inner_split, 0);
		assert_int_equal(c.inner_rules, 0);
		assert_int_equal(c.inner_shape, s->inner);
	}
}

/* build -> parse -> build again gives the same bytes, for whole messages. */
static void
test_samples_rebuild(void **state)
{
	static uint8_t out[IKE_SAMPLE_MAX_LEN];

	for (size_t i = 0; i < ike_n_samples; i++) {
		size_t len = sample_build(&ike_samples[i], msgbuf);
		size_t n = ike_check_rebuild(msgbuf, len, out, sizeof(out));

		assert_int_equal(n, len);
		assert_memory_equal(out, msgbuf, len);
	}
}

/* The samples exercise every payload type the codec knows. */
static void
test_samples_cover_every_payload(void **state)
{
	bool seen[256] = { false };

	for (size_t i = 0; i < ike_n_samples; i++) {
		size_t len = sample_build(&ike_samples[i], msgbuf);
		struct rd m = rd_make(msgbuf, len), chain;
		struct ike_pld_chain c, in;
		struct ike_pld_sk sk;
		struct ike_hdr h;
		uint8_t bad;

		assert_int_equal(ike_hdr_parse(&m, &h, &chain), 0);
		assert_int_equal(ike_pld_split(&chain, h.next, &c, &bad), 0);
		for (size_t j = 0; j < c.n; j++)
			seen[c.v[j].type] = true;
		if (c.n == 0 || c.v[c.n - 1].type != IKE_PLD_SK)
			continue;
		assert_int_equal(ike_pld_parse_sk(&m, &c.v[c.n - 1], &sk), 0);
		assert_int_equal(
		    ike_pld_split(&sk.enc, sk.inner, &in, &bad), 0);
		for (size_t j = 0; j < in.n; j++)
			seen[in.v[j].type] = true;
	}
	for (unsigned t = 0; t < 256; t++)
		if (ike_pld_known((uint8_t)t) && !seen[t])
			fail_msg("no sample carries payload %u", t);
}

/*
 * Every proper prefix, with the header's length field made to agree (so
 * the chain parsers, not the header check, meet the cut), is refused by
 * the header, the split or the inner split.
 */
static void
test_samples_truncated(void **state)
{
	for (size_t i = 0; i < ike_n_samples; i++) {
		const struct ike_sample *s = &ike_samples[i];
		size_t len = sample_build(s, msgbuf);

		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *p = exact_copy(msgbuf, cut);
			struct ike_check c;

			ike_check_msg(p, cut, &c);
			assert_true(c.hdr < 0); /* length field != datagram */
			if (cut >= IKE_HDR_LEN) {
				struct wr w = wr_make(p, cut);

				w.len = cut;
				wr_patch_u32(&w, 24, (uint32_t)cut);
				ike_check_msg(p, cut, &c);
				assert_int_equal(c.hdr, 0);
				if (c.split == 0 &&
				    s->inner == IKE_SHAPE_NONE &&
				    s->shape != IKE_SHAPE_FRAGMENT)
					fail_msg("%s cut at %zu splits",
					    s->name, cut);
				if (c.split == 0 && s->inner != IKE_SHAPE_NONE)
					assert_true(
					    c.sk < 0 || c.inner_split < 0);
			}
			free(p);
		}
	}
}

/* Patch a 16-bit length at off by delta and expect the split to fail. */
static void
expect_bad_length(const uint8_t *msg, size_t len, size_t off, int delta,
    bool inner, const char *name)
{
	uint8_t *p = exact_copy(msg, len);
	uint16_t v = (uint16_t)(p[off] << 8 | p[off + 1]);
	struct ike_check c;

	v = (uint16_t)(v + delta);
	p[off] = (uint8_t)(v >> 8);
	p[off + 1] = (uint8_t)v;
	ike_check_msg(p, len, &c);
	if (inner ? (c.split == 0 && c.sk == 0 && c.inner_split == 0)
		  : c.split == 0)
		fail_msg(
		    "%s: length at %zu %+d still splits", name, off, delta);
	free(p);
}

/* Every generic payload length, one too big and one too small. */
static void
test_samples_length_fields(void **state)
{
	for (size_t i = 0; i < ike_n_samples; i++) {
		const struct ike_sample *s = &ike_samples[i];
		size_t len = sample_build(s, msgbuf);
		struct rd m = rd_make(msgbuf, len), chain;
		struct ike_pld_chain c, in;
		struct ike_pld_sk sk;
		struct ike_hdr h;
		uint8_t bad;

		assert_int_equal(ike_hdr_parse(&m, &h, &chain), 0);
		assert_int_equal(ike_pld_split(&chain, h.next, &c, &bad), 0);
		for (size_t j = 0; j < c.n; j++) {
			size_t off = IKE_HDR_LEN + c.v[j].off + 2;

			expect_bad_length(msgbuf, len, off, +1, false, s->name);
			expect_bad_length(msgbuf, len, off, -1, false, s->name);
		}
		if (s->inner == IKE_SHAPE_NONE)
			continue;
		assert_int_equal(ike_pld_parse_sk(&m, &c.v[c.n - 1], &sk), 0);
		assert_int_equal(
		    ike_pld_split(&sk.enc, sk.inner, &in, &bad), 0);
		for (size_t j = 0; j < in.n; j++) {
			size_t off = rd_left(&sk.aad) + in.v[j].off + 2;

			expect_bad_length(msgbuf, len, off, +1, true, s->name);
			expect_bad_length(msgbuf, len, off, -1, true, s->name);
		}
	}
}

static const struct ike_sample *
sample_named(const char *name)
{
	for (size_t i = 0; i < ike_n_samples; i++)
		if (strcmp(ike_samples[i].name, name) == 0)
			return &ike_samples[i];
	fail_msg("no sample %s", name);
	return NULL;
}

/* Split one whole message; fails the test if any pass fails. */
static void
split_msg(
    const uint8_t *p, size_t len, struct ike_hdr *h, struct ike_pld_chain *c)
{
	struct rd m = rd_make(p, len), chain;
	uint8_t bad;

	assert_int_equal(ike_hdr_parse(&m, h, &chain), 0);
	assert_int_equal(ike_pld_split(&chain, h->next, c, &bad), 0);
}

/*
 * azure-p2s-facts.md 5.1: Azure's IKE_SA_INIT response is 517 bytes of
 * SA KE No N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) V V CERTREQ.
 */
static void
test_azure_init_resp(void **state)
{
	static const uint8_t ms_nd[] = { 0xfb, 0x1d, 0xe3, 0xcd, 0xf3, 0x41,
		0xb7, 0xea, 0x16, 0xb7, 0xe5, 0xbe, 0x08, 0x55, 0xf1, 0x20 };
	static const uint8_t order[] = { IKE_PLD_SA, IKE_PLD_KE, IKE_PLD_NONCE,
		IKE_PLD_NOTIFY, IKE_PLD_NOTIFY, IKE_PLD_NOTIFY, IKE_PLD_VENDOR,
		IKE_PLD_VENDOR, IKE_PLD_CERTREQ };
	size_t len = sample_build(sample_named("init-resp-azure"), msgbuf);
	struct ike_pld_chain c;
	struct ike_pld_notify n;
	struct ike_pld_vendor v;
	struct ike_pld_certreq cr;
	struct ike_pld_ke ke;
	struct ike_hdr h;
	struct rd natd;

	assert_int_equal(len, 517);
	split_msg(msgbuf, len, &h, &c);
	assert_int_equal(h.exchange, IKE_SA_INIT);
	assert_int_equal(h.flags, IKE_FLAG_RESPONSE);
	assert_int_equal(c.n, sizeof(order));
	for (size_t i = 0; i < c.n; i++)
		assert_int_equal(c.v[i].type, order[i]);
	assert_int_equal(ike_pld_parse_ke(&c.v[1].body, &ke), 0);
	assert_int_equal(ke.group, IKE_DH_MODP_2048);
	assert_int_equal(rd_left(&ke.data), 256);
	assert_int_equal(ike_pld_find_notify(
			     c.v, c.n, IKE_N_NAT_DETECTION_DESTINATION_IP, &n),
	    0);
	assert_int_equal(ike_pld_notify_natd(&n, &natd), 0);
	assert_int_equal(
	    ike_pld_find_notify(c.v, c.n, IKE_N_COOKIE, &n), -ENOENT);
	assert_int_equal(ike_pld_parse_vendor(&c.v[7].body, &v), 0);
	assert_int_equal(rd_left(&v.id), sizeof(ms_nd));
	assert_memory_equal(v.id.p, ms_nd, sizeof(ms_nd));
	assert_int_equal(ike_pld_parse_certreq(&c.v[8].body, &cr), 0);
	assert_int_equal(cr.n_cas, 1);
}

/* RFC 7383: the two fragments' plaintexts, joined, are the inner chain. */
static void
test_fragments_reassemble(void **state)
{
	static uint8_t f1[IKE_SAMPLE_MAX_LEN], f2[IKE_SAMPLE_MAX_LEN];
	static uint8_t joined[IKE_SAMPLE_MAX_LEN], inner[IKE_SAMPLE_MAX_LEN];
	size_t l1 = sample_build(sample_named("auth-resp-frag1"), f1);
	size_t l2 = sample_build(sample_named("auth-resp-frag2"), f2);
	struct ike_pld_chain c1, c2, in;
	struct ike_pld_sk s1, s2;
	struct ike_hdr h1, h2;
	struct rd m1 = rd_make(f1, l1), m2 = rd_make(f2, l2), all;
	enum ike_shape shape;
	uint8_t first, bad;
	size_t n_inner =
	    ike_sample_eap_start_inner(inner, sizeof(inner), &first);

	split_msg(f1, l1, &h1, &c1);
	split_msg(f2, l2, &h2, &c2);
	assert_int_equal(ike_pld_parse_sk(&m1, &c1.v[0], &s1), 0);
	assert_int_equal(ike_pld_parse_sk(&m2, &c2.v[0], &s2), 0);
	assert_int_equal(s1.frag_num, 1);
	assert_int_equal(s2.frag_num, 2);
	assert_int_equal(s1.frag_total, 2);
	assert_int_equal(s1.inner, IKE_PLD_IDR);
	assert_int_equal(s2.inner, IKE_PLD_NONE);
	/* RFC 7383 2.5.3: the AAD runs through Total Fragments. */
	assert_int_equal(rd_left(&s1.aad), IKE_HDR_LEN + 8);
	memcpy(joined, s1.enc.p, rd_left(&s1.enc));
	memcpy(joined + rd_left(&s1.enc), s2.enc.p, rd_left(&s2.enc));
	all = rd_make(joined, rd_left(&s1.enc) + rd_left(&s2.enc));
	assert_int_equal(rd_left(&all), n_inner);
	assert_memory_equal(joined, inner, n_inner);
	assert_int_equal(ike_pld_split(&all, s1.inner, &in, &bad), 0);
	assert_int_equal(
	    ike_rules_check(IKE_AUTH, true, true, in.v, in.n, &shape), 0);
	assert_int_equal(shape, IKE_SHAPE_AUTH_RESP_EAP_START);
}

/* ---- Header and non-ESP marker ---- */

static size_t
tiny_msg(uint8_t *buf, size_t cap, uint8_t version)
{
	struct ike_hdr h = { .exchange = IKE_INFORMATIONAL, .msgid = 7 };
	struct ike_pld_wr pw;
	struct rd out;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), 0);
	buf[17] = version;
	return rd_left(&out);
}

static void
test_hdr(void **state)
{
	uint8_t buf[64];
	size_t len = tiny_msg(buf, sizeof(buf), IKE_VERSION);
	struct rd m = rd_make(buf, len), chain;
	struct ike_hdr h;

	assert_int_equal(len, IKE_HDR_LEN);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), 0);
	assert_int_equal(h.msgid, 7);
	assert_int_equal(h.length, IKE_HDR_LEN);
	assert_int_equal(h.next, IKE_PLD_NONE);
	assert_int_equal(rd_left(&chain), 0);
	/* 2.5: a minor version is ignored, a major one refused. */
	tiny_msg(buf, sizeof(buf), 0x21);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), 0);
	tiny_msg(buf, sizeof(buf), 0x30);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), -EOPNOTSUPP);
	tiny_msg(buf, sizeof(buf), 0x10);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), -EOPNOTSUPP);
	/* Length field and datagram must agree. */
	tiny_msg(buf, sizeof(buf), IKE_VERSION);
	m = rd_make(buf, len + 1);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), -EBADMSG);
	m = rd_make(buf, len - 1);
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), -EBADMSG);
}

static void
test_hdr_too_long(void **state)
{
	size_t len = IKE_MSG_MAX_LEN + 1;
	uint8_t *p = calloc(1, len);
	struct rd m = rd_make(p, len), chain;
	struct ike_hdr h;

	assert_non_null(p);
	p[17] = IKE_VERSION;
	p[24] = (uint8_t)(len >> 24);
	p[25] = (uint8_t)(len >> 16);
	p[26] = (uint8_t)(len >> 8);
	p[27] = (uint8_t)len;
	assert_int_equal(ike_hdr_parse(&m, &h, &chain), -EBADMSG);
	free(p);
}

static void
test_natt(void **state)
{
	const uint8_t keepalive[] = { 0xff };
	const uint8_t ike[] = { 0, 0, 0, 0, 1, 2 };
	const uint8_t esp[] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	const uint8_t zero1[] = { 0x00 }, shortm[] = { 0, 0, 0 };
	struct rd r = rd_make(keepalive, sizeof(keepalive));
	enum ike_natt_kind kind;
	uint8_t out[4];
	struct wr w = wr_make(out, sizeof(out));

	assert_int_equal(ike_natt_classify(&r, &kind), 0);
	assert_int_equal(kind, IKE_NATT_KEEPALIVE);
	r = rd_make(ike, sizeof(ike));
	assert_int_equal(ike_natt_classify(&r, &kind), 0);
	assert_int_equal(kind, IKE_NATT_IKE);
	assert_int_equal(rd_left(&r), 2);
	assert_ptr_equal(r.p, ike + 4);
	r = rd_make(esp, sizeof(esp));
	assert_int_equal(ike_natt_classify(&r, &kind), 0);
	assert_int_equal(kind, IKE_NATT_ESP);
	assert_int_equal(rd_left(&r), sizeof(esp));
	r = rd_make(zero1, sizeof(zero1));
	assert_int_equal(ike_natt_classify(&r, &kind), -EBADMSG);
	r = rd_make(shortm, sizeof(shortm));
	assert_int_equal(ike_natt_classify(&r, &kind), -EBADMSG);
	ike_natt_write_marker(&w);
	assert_true(wr_ok(&w));
	assert_int_equal(w.len, 4);
	assert_int_equal(out[0] | out[1] | out[2] | out[3], 0);
}

/* ---- Split ---- */

/* A raw generic payload: next, flags, length, body. */
static void
raw_pld(struct wr *w, uint8_t next, uint8_t flags, const void *body, size_t len)
{
	wr_u8(w, next);
	wr_u8(w, flags);
	wr_u16(w, (uint16_t)(len + 4));
	wr_bytes(w, body, len);
}

static const uint8_t vid[] = { 'p', '2', 's' };

static void
test_split_unknown(void **state)
{
	uint8_t buf[64];
	struct wr w = wr_make(buf, sizeof(buf));
	struct ike_pld_chain c;
	struct rd chain;
	uint8_t bad = 0;

	/* V, then an unknown non-critical 200, then V */
	raw_pld(&w, 200, 0, vid, sizeof(vid));
	raw_pld(&w, IKE_PLD_VENDOR, 0, "xyz", 3);
	raw_pld(&w, IKE_PLD_NONE, 0, vid, sizeof(vid));
	chain = wr_view(&w, 0);
	assert_int_equal(ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.n_skipped, 1);
	assert_int_equal(c.v[1].off, 14);
	assert_int_equal(bad, 0);
	/* The same with the critical bit: refused, and the type named. */
	buf[7 + 1] = IKE_PLD_CRITICAL;
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), -EOPNOTSUPP);
	assert_int_equal(bad, 200);
	/* A known payload's critical bit is only recorded (2.5). */
	buf[1] = IKE_PLD_CRITICAL;
	buf[7 + 1] = 0;
	assert_int_equal(ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), 0);
	assert_true(c.v[0].critical);
	assert_false(c.v[1].critical);
}

static void
test_split_lengths(void **state)
{
	uint8_t buf[64];
	struct wr w = wr_make(buf, sizeof(buf));
	struct ike_pld_chain c;
	struct rd chain;
	uint8_t bad;

	raw_pld(&w, IKE_PLD_NONE, 0, vid, sizeof(vid));
	chain = wr_view(&w, 0);
	assert_int_equal(ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), 0);
	buf[3] = 3; /* shorter than a generic header */
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), -EBADMSG);
	buf[3] = 8; /* past the end */
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), -EBADMSG);
	buf[3] = 6; /* leaves a trailing byte */
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), -EBADMSG);
	buf[3] = 7;
	buf[0] = IKE_PLD_NOTIFY; /* announces a payload that is not there */
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), -EBADMSG);
	/* An empty chain is fine, bytes with no first payload are not. */
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_NONE, &c, &bad), -EBADMSG);
	chain = rd_make(buf, 0);
	assert_int_equal(ike_pld_split(&chain, IKE_PLD_NONE, &c, &bad), 0);
	assert_int_equal(c.n, 0);
}

static void
test_split_cap(void **state)
{
	uint8_t buf[(IKE_MAX_PAYLOADS + 1) * 7];
	struct wr w = wr_make(buf, sizeof(buf));
	struct ike_pld_chain c;
	struct rd chain;
	uint8_t bad;

	for (int i = 0; i < IKE_MAX_PAYLOADS; i++)
		raw_pld(&w, i + 1 < IKE_MAX_PAYLOADS ? IKE_PLD_VENDOR : 0, 0,
		    vid, sizeof(vid));
	chain = wr_view(&w, 0);
	assert_int_equal(ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), 0);
	assert_int_equal(c.n, IKE_MAX_PAYLOADS);
	/* One more, even an unknown one, is too many. */
	wr_patch_u8(&w, w.len - 7, 201);
	raw_pld(&w, IKE_PLD_NONE, 0, vid, sizeof(vid));
	chain = wr_view(&w, 0);
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), -E2BIG);
}

/* 3.14: SK is last and spans to the end; its Next Payload is inner. */
static void
test_split_sk_last(void **state)
{
	uint8_t buf[64];
	struct wr w = wr_make(buf, sizeof(buf));
	struct ike_pld_chain c;
	struct rd chain;
	uint8_t bad;

	raw_pld(&w, IKE_PLD_SK, 0, vid, sizeof(vid));
	raw_pld(&w, IKE_PLD_IDI, 0, "abcdefgh", 8);
	chain = wr_view(&w, 0);
	assert_int_equal(ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.v[1].type, IKE_PLD_SK);
	assert_int_equal(c.v[1].next, IKE_PLD_IDI);
	assert_int_equal(rd_left(&c.v[1].body), 8);
	/* A payload after SK (SK's length stops short of the end). */
	wr_patch_u16(&w, 9, 8);
	assert_int_equal(
	    ike_pld_split(&chain, IKE_PLD_VENDOR, &c, &bad), -EBADMSG);
}

/* ---- SK and SKF ---- */

/* HDR, SKF{num/total, body}, with any numbers. */
static size_t
skf_msg(uint8_t *buf, size_t cap, uint8_t inner, uint16_t num, uint16_t total)
{
	struct ike_hdr h = { .exchange = IKE_AUTH, .flags = IKE_FLAG_RESPONSE };
	struct ike_pld_wr pw;
	struct rd out;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	ike_pld_build_raw(
	    &pw, IKE_PLD_SKF, false, &(struct rd){ .p = vid, .len = 0 });
	wr_u16(&pw.w, num);
	wr_u16(&pw.w, total);
	wr_bytes(&pw.w, "ivctpicv", 8);
	wr_patch_u16(&pw.w, IKE_HDR_LEN + 2, 4 + 4 + 8);
	wr_patch_u8(&pw.w, IKE_HDR_LEN, inner);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), 0);
	return rd_left(&out);
}

static int
skf_parse(uint16_t num, uint16_t total, uint8_t inner, struct ike_pld_sk *sk)
{
	uint8_t buf[64];
	size_t len = skf_msg(buf, sizeof(buf), inner, num, total);
	struct ike_pld_chain c;
	struct ike_hdr h;
	struct rd m = rd_make(buf, len);

	split_msg(buf, len, &h, &c);
	return ike_pld_parse_sk(&m, &c.v[0], sk);
}

static void
test_skf_numbers(void **state)
{
	struct ike_pld_sk sk;

	assert_int_equal(skf_parse(1, 1, IKE_PLD_IDR, &sk), 0);
	assert_int_equal(sk.inner, IKE_PLD_IDR);
	assert_int_equal(rd_left(&sk.enc), 8);
	assert_int_equal(rd_left(&sk.aad), IKE_HDR_LEN + 8);
	assert_int_equal(skf_parse(3, IKE_MAX_FRAGMENTS, IKE_PLD_IDR, &sk), 0);
	assert_int_equal(sk.inner, IKE_PLD_NONE); /* ignored after #1 */
	assert_int_equal(skf_parse(0, 2, 0, &sk), -EBADMSG);
	assert_int_equal(skf_parse(3, 2, 0, &sk), -EBADMSG);
	assert_int_equal(skf_parse(1, 0, 0, &sk), -EBADMSG);
	assert_int_equal(skf_parse(1, IKE_MAX_FRAGMENTS + 1, 0, &sk), -E2BIG);
}

/* ike_pld_parse_sk() checks that ref and msg belong together. */
static void
test_sk_mismatch(void **state)
{
	uint8_t buf[64];
	size_t len = skf_msg(buf, sizeof(buf), IKE_PLD_IDR, 1, 1);
	struct rd m = rd_make(buf, len), shorter = rd_make(buf, len - 1);
	struct ike_pld_chain c;
	struct ike_pld_sk sk;
	struct ike_hdr h;
	struct ike_pld_ref notsk;

	split_msg(buf, len, &h, &c);
	assert_int_equal(ike_pld_parse_sk(&shorter, &c.v[0], &sk), -EBADMSG);
	notsk = c.v[0];
	notsk.type = IKE_PLD_NOTIFY;
	assert_int_equal(ike_pld_parse_sk(&m, &notsk, &sk), -EINVAL);
	notsk = c.v[0];
	notsk.off = 1000;
	assert_int_equal(ike_pld_parse_sk(&m, &notsk, &sk), -EBADMSG);
}

static void
test_build_sk(void **state)
{
	uint8_t buf[128];
	struct ike_hdr h = { .exchange = IKE_INFORMATIONAL };
	struct ike_pld_vendor v = { .id = rd_make(vid, sizeof(vid)) };
	struct ike_pld_wr pw;
	struct ike_sk_layout l = { 0 };
	struct rd out;

	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), &h);
	ike_pld_build_vendor(&pw, &v);
	ike_pld_build_sk(&pw, IKE_PLD_DELETE, 0, 0, &l);
	assert_int_equal(l.sk_off, IKE_HDR_LEN + 7);
	assert_int_equal(l.iv_off, IKE_HDR_LEN + 7 + 4);
	assert_int_equal(buf[l.sk_off], IKE_PLD_DELETE);
	assert_int_equal(buf[IKE_HDR_LEN], IKE_PLD_SK);
	/* Nothing may follow SK. */
	ike_pld_build_vendor(&pw, &v);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), -EINVAL);
	/* SKF numbers are checked; fragments after #1 carry no type. */
	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), &h);
	ike_pld_build_sk(&pw, IKE_PLD_IDR, 2, 2, &l);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), 0);
	assert_int_equal(buf[IKE_HDR_LEN], IKE_PLD_NONE);
	assert_int_equal(l.iv_off, IKE_HDR_LEN + 8);
	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), &h);
	ike_pld_build_sk(&pw, IKE_PLD_IDR, 3, 2, &l);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), -EINVAL);
	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), &h);
	ike_pld_build_sk(&pw, IKE_PLD_IDR, 0, 2, &l);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), -EINVAL);
	/* SK belongs in a message, not in an inner chain. */
	ike_pld_wr_init_chain(&pw, buf, sizeof(buf));
	ike_pld_build_sk(&pw, IKE_PLD_IDR, 0, 0, &l);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), -EINVAL);
}

/* ---- The builder ---- */

static void
test_builder_errors(void **state)
{
	static const uint8_t nb[16];
	uint8_t buf[64];
	struct ike_hdr h = { .exchange = IKE_SA_INIT };
	struct ike_pld_nonce bad = { .data = rd_make(nb, 15) };
	struct ike_pld_nonce good = { .data = rd_make(nb, 16) };
	struct ike_pld_wr pw;
	struct rd out;

	/* The first error is the one reported. */
	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), &h);
	ike_pld_build_nonce(&pw, &bad);
	ike_pld_build_nonce(&pw, &good);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), -EINVAL);
	ike_pld_wr_init_msg(&pw, buf, IKE_HDR_LEN + 19, &h);
	ike_pld_build_nonce(&pw, &good);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), -ENOSPC);
	ike_pld_wr_init_msg(&pw, buf, IKE_HDR_LEN + 20, &h);
	ike_pld_build_nonce(&pw, &good);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), 0);
	assert_int_equal(rd_left(&out), IKE_HDR_LEN + 20);
	assert_int_equal(buf[16], IKE_PLD_NONCE);
	assert_int_equal(buf[17], IKE_VERSION);
	assert_int_equal(buf[27], IKE_HDR_LEN + 20);
	ike_pld_wr_init_msg(&pw, buf, 10, &h);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), -ENOSPC);
}

static void
test_builder_chain(void **state)
{
	uint8_t buf[64];
	struct ike_pld_vendor v = { .id = rd_make(vid, sizeof(vid)) };
	struct ike_pld_wr pw;
	struct ike_pld_chain c;
	struct rd out;
	uint8_t bad;

	ike_pld_wr_init_chain(&pw, buf, sizeof(buf));
	assert_int_equal(ike_pld_wr_finish(&pw, &out), 0);
	assert_int_equal(rd_left(&out), 0);
	assert_int_equal(pw.first, IKE_PLD_NONE);
	ike_pld_build_vendor(&pw, &v);
	ike_pld_build_raw(&pw, IKE_PLD_NOTIFY, true, &v.id);
	assert_int_equal(ike_pld_wr_finish(&pw, &out), 0);
	assert_int_equal(pw.first, IKE_PLD_VENDOR);
	assert_int_equal(ike_pld_split(&out, pw.first, &c, &bad), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.v[0].next, IKE_PLD_NOTIFY);
	assert_true(c.v[1].critical);
	assert_ptr_equal(ike_pld_find(c.v, c.n, IKE_PLD_NOTIFY), &c.v[1]);
	assert_null(ike_pld_find(c.v, c.n, IKE_PLD_SA));
}

/* ---- Typed payloads: malformed bodies ---- */

static struct rd
view(struct wr *w)
{
	assert_true(wr_ok(w));
	return wr_view(w, 0);
}

/* Transform: Last Substruc, type, ID, then raw attributes. */
static void
raw_xform(struct wr *w, uint8_t last, uint8_t type, uint16_t id,
    const uint8_t *attrs, size_t n)
{
	wr_u8(w, last);
	wr_u8(w, 0);
	wr_u16(w, (uint16_t)(8 + n));
	wr_u8(w, type);
	wr_u8(w, 0);
	wr_u16(w, id);
	wr_bytes(w, attrs, n);
}

static const uint8_t key256[] = { 0x80, 14, 0x01, 0x00 };

/* One proposal with n ENCR transforms; the length is patched after. */
static size_t
raw_proposal(struct wr *w, uint8_t last, uint8_t num, uint8_t proto,
    uint8_t spi_len, uint8_t n_field, size_t n)
{
	size_t at = w->len;

	wr_u8(w, last);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u8(w, num);
	wr_u8(w, proto);
	wr_u8(w, spi_len);
	wr_u8(w, n_field);
	wr_zero(w, spi_len);
	for (size_t i = 0; i < n; i++)
		raw_xform(w, i + 1 < n ? 3 : 0, IKE_XFORM_ENCR,
		    IKE_ENCR_AES_CBC, key256, sizeof(key256));
	wr_patch_u16(w, at + 2, (uint16_t)(w->len - at));
	return at;
}

static int
sa_of(uint8_t last, uint8_t num, uint8_t proto, uint8_t spi_len,
    uint8_t n_field, size_t n, struct ike_pld_sa *sa)
{
	static uint8_t buf[4096];
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd b;

	raw_proposal(&w, last, num, proto, spi_len, n_field, n);
	b = view(&w);
	return ike_pld_parse_sa(&b, sa);
}

static void
test_sa_proposals(void **state)
{
	static struct ike_pld_sa sa;

	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 0, 2, 2, &sa), 0);
	assert_int_equal(sa.n_props, 1);
	assert_int_equal(sa.props[0].n_xforms, 2);
	assert_int_equal(sa.props[0].xforms[1].key_bits, 256);
	assert_int_equal(sa_of(0, 5, IKE_PROTO_ESP, 4, 1, 1, &sa), 0);
	assert_int_equal(sa.props[0].num, 5); /* a responder's choice */
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 8, 1, 1, &sa), 0);
	/* Last Substruc says more, or is not a proposal's value. */
	assert_int_equal(sa_of(2, 1, IKE_PROTO_IKE, 0, 1, 1, &sa), -EBADMSG);
	assert_int_equal(sa_of(3, 1, IKE_PROTO_IKE, 0, 1, 1, &sa), -EBADMSG);
	/* Num Transforms against the transforms present. */
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 0, 2, 1, &sa), -EBADMSG);
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 0, 1, 2, &sa), -EBADMSG);
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 0, 0, 0, &sa), -EBADMSG);
	/* Numbering and SPI sizes. */
	assert_int_equal(sa_of(0, 0, IKE_PROTO_IKE, 0, 1, 1, &sa), -EBADMSG);
	assert_int_equal(sa_of(0, 1, IKE_PROTO_ESP, 8, 1, 1, &sa), -EBADMSG);
	assert_int_equal(sa_of(0, 1, IKE_PROTO_ESP, 0, 1, 1, &sa), -EBADMSG);
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 4, 1, 1, &sa), -EBADMSG);
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 9, 1, 1, &sa), -EBADMSG);
	assert_int_equal(sa_of(0, 1, 9, 4, 1, 1, &sa), -EOPNOTSUPP);
	/* Caps. */
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 0, IKE_MAX_TRANSFORMS,
			     IKE_MAX_TRANSFORMS, &sa),
	    0);
	assert_int_equal(sa_of(0, 1, IKE_PROTO_IKE, 0, IKE_MAX_TRANSFORMS + 1,
			     IKE_MAX_TRANSFORMS + 1, &sa),
	    -E2BIG);
}

static void
test_sa_numbering_and_cap(void **state)
{
	static uint8_t buf[4096];
	static struct ike_pld_sa sa;
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd b;

	raw_proposal(&w, 2, 1, IKE_PROTO_ESP, 4, 1, 1);
	raw_proposal(&w, 0, 2, IKE_PROTO_ESP, 4, 1, 1);
	b = view(&w);
	assert_int_equal(ike_pld_parse_sa(&b, &sa), 0);
	assert_int_equal(sa.n_props, 2);
	wr_patch_u8(&w, 24 + 4, 3); /* the second numbered 3 */
	assert_int_equal(ike_pld_parse_sa(&b, &sa), -EBADMSG);
	wr_patch_u8(&w, 24 + 4, 2);
	wr_patch_u8(&w, 0, 0); /* the first says it is last */
	assert_int_equal(ike_pld_parse_sa(&b, &sa), -EBADMSG);
	wr_patch_u16(&w, 2, 7); /* shorter than a proposal header */
	assert_int_equal(ike_pld_parse_sa(&b, &sa), -EBADMSG);
	/* IKE_MAX_PROPOSALS + 1 proposals */
	w = wr_make(buf, sizeof(buf));
	for (int i = 0; i <= IKE_MAX_PROPOSALS; i++)
		raw_proposal(&w, i < IKE_MAX_PROPOSALS ? 2 : 0,
		    (uint8_t)(i + 1), IKE_PROTO_ESP, 4, 1, 1);
	b = view(&w);
	assert_int_equal(ike_pld_parse_sa(&b, &sa), -E2BIG);
	b = rd_make(buf, 0);
	assert_int_equal(ike_pld_parse_sa(&b, &sa), -EBADMSG);
}

static int
xform_with(const uint8_t *attrs, size_t n, uint8_t last, struct ike_pld_sa *sa)
{
	uint8_t buf[128];
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd b;

	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(8 + 8 + n));
	wr_u8(&w, 1);
	wr_u8(&w, IKE_PROTO_IKE);
	wr_u8(&w, 0);
	wr_u8(&w, 1);
	raw_xform(&w, last, IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, attrs, n);
	b = view(&w);
	return ike_pld_parse_sa(&b, sa);
}

static void
test_sa_attributes(void **state)
{
	static struct ike_pld_sa sa;
	const uint8_t tlv_key[] = { 0x00, 14, 0x00, 0x02, 0x01, 0x00 };
	const uint8_t key0[] = { 0x80, 14, 0, 0 };
	const uint8_t twice[] = { 0x80, 14, 1, 0, 0x80, 14, 1, 0 };
	const uint8_t other[] = { 0x80, 15, 0, 1, 0x00, 16, 0, 1, 0xaa };
	const uint8_t five[] = { 0x80, 14, 1, 0, 0x80, 1, 0, 0, 0x80, 2, 0, 0,
		0x80, 3, 0, 0, 0x80, 4, 0, 0 };
	const uint8_t tlv_past[] = { 0x00, 16, 0, 9, 0xaa };
	const uint8_t half[] = { 0x80, 14, 1 };
	uint8_t out[128];
	struct ike_pld_wr pw;
	struct rd res;

	assert_int_equal(xform_with(key256, sizeof(key256), 0, &sa), 0);
	assert_false(sa.props[0].xforms[0].unknown_attr);
	assert_int_equal(xform_with(key256, sizeof(key256), 3, &sa), -EBADMSG);
	assert_int_equal(
	    xform_with(tlv_key, sizeof(tlv_key), 0, &sa), -EBADMSG);
	assert_int_equal(xform_with(key0, sizeof(key0), 0, &sa), -EBADMSG);
	assert_int_equal(xform_with(twice, sizeof(twice), 0, &sa), -EBADMSG);
	assert_int_equal(xform_with(five, sizeof(five), 0, &sa), -E2BIG);
	assert_int_equal(
	    xform_with(tlv_past, sizeof(tlv_past), 0, &sa), -EBADMSG);
	assert_int_equal(xform_with(half, sizeof(half), 0, &sa), -EBADMSG);
	/* 3.3.6: an attribute we do not know makes the transform
	 * unacceptable; it is parsed, marked, and never built. */
	assert_int_equal(xform_with(other, sizeof(other), 0, &sa), 0);
	assert_true(sa.props[0].xforms[0].unknown_attr);
	assert_int_equal(sa.props[0].xforms[0].key_bits, 0);
	ike_pld_wr_init_chain(&pw, out, sizeof(out));
	ike_pld_build_sa(&pw, &sa);
	assert_int_equal(ike_pld_wr_finish(&pw, &res), -EINVAL);
}

/* Parse a body given as bytes with a parser of type T. */
#define PARSE(fn, bytes, out)                                                  \
	fn(&(struct rd){ .p = (bytes), .len = sizeof(bytes) }, (out))

static void
test_ke_id_cert_auth(void **state)
{
	const uint8_t ke_ok[] = { 0, 19, 0, 0, 1 },
		      ke_empty[] = { 0, 19, 0, 0 };
	const uint8_t ke_short[] = { 0, 19, 0 };
	const uint8_t id4[] = { IKE_ID_IPV4_ADDR, 0, 0, 0, 10, 0, 0, 1 };
	const uint8_t id4_long[] = { IKE_ID_IPV4_ADDR, 0, 0, 0, 10, 0, 0, 1,
		2 };
	const uint8_t id_resv[] = { IKE_ID_FQDN, 1, 2, 3, 'a' };
	const uint8_t id_empty[] = { IKE_ID_FQDN, 0, 0, 0 };
	const uint8_t cert_empty[] = { IKE_CERT_X509_SIGN };
	const uint8_t auth_empty[] = { IKE_AUTH_SHARED_KEY_MIC, 0, 0, 0 };
	const uint8_t auth_ok[] = { IKE_AUTH_SHARED_KEY_MIC, 0, 0, 0, 9 };
	struct ike_pld_ke ke;
	struct ike_pld_id id;
	struct ike_pld_cert cert;
	struct ike_pld_auth auth;
	uint8_t *big = calloc(1, CERT_MAX_LEN + 2);
	struct rd b;

	assert_int_equal(PARSE(ike_pld_parse_ke, ke_ok, &ke), 0);
	assert_int_equal(ke.group, IKE_DH_ECP_256);
	assert_int_equal(PARSE(ike_pld_parse_ke, ke_empty, &ke), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_ke, ke_short, &ke), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_id, id4, &id), 0);
	assert_int_equal(rd_left(&id.data), 4);
	assert_int_equal(PARSE(ike_pld_parse_id, id4_long, &id), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_id, id_empty, &id), -EBADMSG);
	/* Reserved bytes are ignored, but kept in raw for AUTH (2.15). */
	assert_int_equal(PARSE(ike_pld_parse_id, id_resv, &id), 0);
	assert_int_equal(rd_left(&id.raw), sizeof(id_resv));
	assert_memory_equal(id.raw.p, id_resv, sizeof(id_resv));
	assert_int_equal(
	    PARSE(ike_pld_parse_cert, cert_empty, &cert), -EBADMSG);
	assert_non_null(big);
	b = rd_make(big, CERT_MAX_LEN + 1);
	assert_int_equal(ike_pld_parse_cert(&b, &cert), 0);
	b = rd_make(big, CERT_MAX_LEN + 2);
	assert_int_equal(ike_pld_parse_cert(&b, &cert), -E2BIG);
	free(big);
	assert_int_equal(
	    PARSE(ike_pld_parse_auth, auth_empty, &auth), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_auth, auth_ok, &auth), 0);
	assert_int_equal(auth.method, IKE_AUTH_SHARED_KEY_MIC);
}

static void
test_id_body(void **state)
{
	const uint8_t want[] = { IKE_ID_FQDN, 0, 0, 0, 'g', 'w' };
	struct ike_pld_id id = { .type = IKE_ID_FQDN,
		.data = rd_make("gw", 2) };
	uint8_t buf[16];
	struct wr w = wr_make(buf, sizeof(buf));

	ike_pld_write_id_body(&w, &id);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_certreq(void **state)
{
	uint8_t b41[41] = { IKE_CERT_X509_SIGN },
		b1[1] = { IKE_CERT_X509_SIGN };
	uint8_t url[3] = { IKE_CERT_HASH_URL_X509, 'x', 'y' };
	uint8_t b40[41] = { IKE_CERT_X509_SIGN };
	struct ike_pld_certreq req;
	struct rd b = rd_make(b40, 41);

	assert_int_equal(ike_pld_parse_certreq(&b, &req), 0);
	assert_int_equal(req.n_cas, 2);
	assert_int_equal(PARSE(ike_pld_parse_certreq, b1, &req), 0);
	assert_int_equal(req.n_cas, 0);
	b = rd_make(b41, 40);
	assert_int_equal(ike_pld_parse_certreq(&b, &req), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_certreq, url, &req), 0);
	assert_int_equal(req.n_cas, 0);
	assert_int_equal(rd_left(&req.cas), 2);
}

/* RFC 7427 3: length, AlgorithmIdentifier, signature. */
static void
test_auth_sig(void **state)
{
	const uint8_t alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
		0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
	uint8_t buf[300], big[0x83] = { 0x30, 0x81, 0x80 };
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd a = rd_make(alg, sizeof(alg)), s = rd_make("sig", 3);
	struct rd data, ra, rs, bad;

	ike_pld_auth_sig_join(&w, &a, &s);
	data = view(&w);
	assert_int_equal(rd_left(&data), 1 + sizeof(alg) + 3);
	assert_int_equal(ike_pld_auth_sig_split(&data, &ra, &rs), 0);
	assert_true(rd_eq(&ra, &a));
	assert_true(rd_eq(&rs, &s));
	/* No signature, a length past the end, a wrong DER length or tag. */
	data = rd_make(buf, 1 + sizeof(alg));
	assert_int_equal(ike_pld_auth_sig_split(&data, &ra, &rs), -EBADMSG);
	buf[0] = 200;
	data = view(&w);
	assert_int_equal(ike_pld_auth_sig_split(&data, &ra, &rs), -EBADMSG);
	buf[0] = sizeof(alg);
	buf[2] = 0x0c;
	assert_int_equal(ike_pld_auth_sig_split(&data, &ra, &rs), -EBADMSG);
	buf[2] = 0x0d;
	buf[1] = 0x31;
	assert_int_equal(ike_pld_auth_sig_split(&data, &ra, &rs), -EBADMSG);
	/* The long form only where DER requires it. */
	bad = rd_make(big, sizeof(big));
	w = wr_make(buf, sizeof(buf));
	ike_pld_auth_sig_join(&w, &bad, &s);
	assert_true(wr_ok(&w));
	big[2] = 0x7f;
	bad = rd_make(big, 0x7f + 3);
	w = wr_make(buf, sizeof(buf));
	ike_pld_auth_sig_join(&w, &bad, &s);
	assert_false(wr_ok(&w));
	w = wr_make(buf, sizeof(buf));
	ike_pld_auth_sig_join(&w, &a, &(struct rd){ .p = alg, .len = 0 });
	assert_false(wr_ok(&w));
}

static void
test_nonce(void **state)
{
	uint8_t b[IKE_NONCE_MAX_LEN + 1] = { 0 };
	struct ike_pld_nonce n;
	struct rd r;

	r = rd_make(b, IKE_NONCE_MIN_LEN - 1);
	assert_int_equal(ike_pld_parse_nonce(&r, &n), -EBADMSG);
	r = rd_make(b, IKE_NONCE_MIN_LEN);
	assert_int_equal(ike_pld_parse_nonce(&r, &n), 0);
	r = rd_make(b, IKE_NONCE_MAX_LEN);
	assert_int_equal(ike_pld_parse_nonce(&r, &n), 0);
	r = rd_make(b, IKE_NONCE_MAX_LEN + 1);
	assert_int_equal(ike_pld_parse_nonce(&r, &n), -EBADMSG);
}

static void
test_notify(void **state)
{
	const uint8_t ke[] = { 1, 0, 0, 17, 0, 14 };
	const uint8_t rekey[] = { IKE_PROTO_ESP, 4, 0x40, 0x09, 1, 2, 3, 4 };
	const uint8_t ike8[] = { IKE_PROTO_IKE, 8, 0, 4, 1, 2, 3, 4, 5, 6, 7,
		8 };
	const uint8_t bad4[] = { IKE_PROTO_IKE, 4, 0x40, 0x09, 1, 2, 3, 4 };
	const uint8_t bad3[] = { IKE_PROTO_ESP, 3, 0x40, 0x09, 1, 2, 3 };
	const uint8_t cut[] = { IKE_PROTO_ESP, 4, 0x40, 0x09, 1, 2, 3 };
	const uint8_t hashes[] = { 0, 0, 0x40, 0x2f, 0, 2, 0, 4, 0x12, 0x34 };
	const uint8_t odd[] = { 0, 0, 0x40, 0x2f, 0, 2, 0 };
	struct ike_pld_notify n;
	uint16_t group;
	uint32_t spi, mask;
	struct rd r;

	/* 3.10: without an SPI the protocol is ignored. */
	assert_int_equal(PARSE(ike_pld_parse_notify, ke, &n), 0);
	assert_int_equal(n.proto, IKE_PROTO_NONE);
	assert_int_equal(n.type, IKE_N_INVALID_KE_PAYLOAD);
	assert_int_equal(ike_pld_notify_group(&n, &group), 0);
	assert_int_equal(group, IKE_DH_MODP_2048);
	assert_int_equal(ike_pld_notify_spi32(&n, &spi), -EBADMSG);
	assert_int_equal(ike_pld_notify_natd(&n, &r), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_notify, rekey, &n), 0);
	assert_int_equal(ike_pld_notify_spi32(&n, &spi), 0);
	assert_int_equal(spi, 0x01020304);
	assert_int_equal(ike_pld_notify_cookie(&n, &r), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_notify, ike8, &n), 0);
	assert_int_equal(rd_left(&n.spi), 8);
	assert_int_equal(PARSE(ike_pld_parse_notify, bad4, &n), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_notify, bad3, &n), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_notify, cut, &n), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_notify, hashes, &n), 0);
	assert_int_equal(ike_pld_notify_hashes(&n, &mask), 0);
	assert_int_equal(
	    mask, (1u << IKE_HASH_SHA2_256) | (1u << IKE_HASH_SHA2_512));
	assert_int_equal(ike_pld_notify_group(&n, &group), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_notify, odd, &n), 0);
	assert_int_equal(ike_pld_notify_hashes(&n, &mask), -EBADMSG);
}

static void
test_notify_cookie_natd(void **state)
{
	uint8_t d[IKE_COOKIE_MAX_LEN + 1] = { 0 };
	struct ike_pld_notify n = { .type = IKE_N_COOKIE };
	struct rd r;

	n.data = rd_make(d, 0);
	assert_int_equal(ike_pld_notify_cookie(&n, &r), -EBADMSG);
	n.data = rd_make(d, 1);
	assert_int_equal(ike_pld_notify_cookie(&n, &r), 0);
	n.data = rd_make(d, IKE_COOKIE_MAX_LEN);
	assert_int_equal(ike_pld_notify_cookie(&n, &r), 0);
	n.data = rd_make(d, IKE_COOKIE_MAX_LEN + 1);
	assert_int_equal(ike_pld_notify_cookie(&n, &r), -EBADMSG);
	n.data = rd_make(d, IKE_NATD_LEN);
	assert_int_equal(ike_pld_notify_natd(&n, &r), 0);
	n.data = rd_make(d, IKE_NATD_LEN - 1);
	assert_int_equal(ike_pld_notify_natd(&n, &r), -EBADMSG);
}

static void
test_delete(void **state)
{
	const uint8_t ike[] = { IKE_PROTO_IKE, 0, 0, 0 };
	const uint8_t ike4[] = { IKE_PROTO_IKE, 4, 0, 0 };
	const uint8_t ike1[] = { IKE_PROTO_IKE, 0, 0, 1 };
	const uint8_t esp2[] = { IKE_PROTO_ESP, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7,
		8 };
	const uint8_t esp_short[] = { IKE_PROTO_ESP, 4, 0, 2, 1, 2, 3, 4 };
	const uint8_t esp_long[] = { IKE_PROTO_ESP, 4, 0, 1, 1, 2, 3, 4, 5 };
	const uint8_t esp8[] = { IKE_PROTO_ESP, 8, 0, 1, 1, 2, 3, 4, 5, 6, 7,
		8 };
	const uint8_t proto7[] = { 7, 0, 0, 0 };
	uint8_t many[4 + 4 * (IKE_MAX_DELETE_SPIS + 1)] = { IKE_PROTO_ESP, 4, 0,
		IKE_MAX_DELETE_SPIS + 1 };
	struct ike_pld_delete d;

	assert_int_equal(PARSE(ike_pld_parse_delete, ike, &d), 0);
	assert_int_equal(d.n_spis, 0);
	assert_int_equal(PARSE(ike_pld_parse_delete, ike4, &d), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_delete, ike1, &d), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_delete, esp2, &d), 0);
	assert_int_equal(d.n_spis, 2);
	assert_int_equal(d.spis[1], 0x05060708);
	assert_int_equal(PARSE(ike_pld_parse_delete, esp_short, &d), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_delete, esp_long, &d), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_delete, esp8, &d), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_delete, proto7, &d), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_delete, many, &d), -E2BIG);
}

static void
test_vendor(void **state)
{
	struct ike_pld_vendor v;
	struct rd r = rd_make(vid, 0);

	assert_int_equal(ike_pld_parse_vendor(&r, &v), -EBADMSG);
	r = rd_make(vid, 1);
	assert_int_equal(ike_pld_parse_vendor(&r, &v), 0);
}

/* A TS payload of n IPv4 selectors, each (type, sel_len) as given. */
static struct rd
ts_body(uint8_t *buf, size_t cap, uint8_t n_field, size_t n, uint8_t type,
    uint16_t sel_len)
{
	struct wr w = wr_make(buf, cap);

	wr_u8(&w, n_field);
	wr_zero(&w, 3);
	for (size_t i = 0; i < n; i++) {
		wr_u8(&w, type);
		wr_u8(&w, 6);
		wr_u16(&w, sel_len);
		wr_u16(&w, 80);
		wr_u16(&w, 443);
		for (size_t j = 8; j < sel_len; j++)
			wr_u8(&w, (uint8_t)j);
	}
	return view(&w);
}

static void
test_ts(void **state)
{
	static uint8_t buf[2048];
	static struct ike_pld_ts ts;
	struct rd b;

	b = ts_body(buf, sizeof(buf), 1, 1, IKE_TS_IPV4_ADDR_RANGE, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), 0);
	assert_int_equal(ts.n_ts, 1);
	assert_int_equal(ts.ts[0].ip_proto, 6);
	assert_int_equal(ts.ts[0].start_port, 80);
	assert_int_equal(ts.ts[0].end_port, 443);
	assert_int_equal(ts.ts[0].start[0], 8);
	assert_int_equal(ts.ts[0].end[3], 15);
	b = ts_body(buf, sizeof(buf), 2, 2, IKE_TS_IPV6_ADDR_RANGE, 40);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), 0);
	assert_int_equal(ts.ts[1].end[15], 39);
	/* Selector length must match the type. */
	b = ts_body(buf, sizeof(buf), 1, 1, IKE_TS_IPV4_ADDR_RANGE, 40);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), -EBADMSG);
	b = ts_body(buf, sizeof(buf), 1, 1, IKE_TS_IPV6_ADDR_RANGE, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), -EBADMSG);
	b = ts_body(buf, sizeof(buf), 1, 1, 9, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), -EOPNOTSUPP);
	/* Counts: none, fewer than announced, more, past the cap. */
	b = ts_body(buf, sizeof(buf), 0, 0, IKE_TS_IPV4_ADDR_RANGE, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), -EBADMSG);
	b = ts_body(buf, sizeof(buf), 2, 1, IKE_TS_IPV4_ADDR_RANGE, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), -EBADMSG);
	b = ts_body(buf, sizeof(buf), 1, 2, IKE_TS_IPV4_ADDR_RANGE, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), -EBADMSG);
	b = ts_body(buf, sizeof(buf), IKE_MAX_TS, IKE_MAX_TS,
	    IKE_TS_IPV4_ADDR_RANGE, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), 0);
	b = ts_body(buf, sizeof(buf), IKE_MAX_TS + 1, IKE_MAX_TS + 1,
	    IKE_TS_IPV4_ADDR_RANGE, 16);
	assert_int_equal(ike_pld_parse_ts(&b, &ts), -E2BIG);
}

static struct rd
cp_body(
    uint8_t *buf, size_t cap, uint8_t type, uint16_t attr, size_t len, size_t n)
{
	struct wr w = wr_make(buf, cap);

	wr_u8(&w, type);
	wr_zero(&w, 3);
	for (size_t i = 0; i < n; i++) {
		wr_u16(&w, attr);
		wr_u16(&w, (uint16_t)len);
		wr_zero(&w, len);
	}
	return view(&w);
}

static void
test_cp(void **state)
{
	static uint8_t buf[2048];
	static struct ike_pld_cp cp;
	struct rd b;

	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY,
	    IKE_CFG_INTERNAL_IP4_ADDRESS, 4, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), 0);
	assert_int_equal(cp.n_attrs, 1);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REQUEST,
	    IKE_CFG_INTERNAL_IP4_ADDRESS | 0x8000, 0, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), 0);
	assert_int_equal(cp.attrs[0].type, IKE_CFG_INTERNAL_IP4_ADDRESS);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY,
	    IKE_CFG_INTERNAL_IP4_ADDRESS, 3, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), -EBADMSG);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY,
	    IKE_CFG_INTERNAL_IP6_ADDRESS, 16, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), -EBADMSG);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY,
	    IKE_CFG_INTERNAL_IP6_ADDRESS, 17, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), 0);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY,
	    IKE_CFG_SUPPORTED_ATTRIBUTES, 3, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), -EBADMSG);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY, 30000, 7, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), 0);
	b = cp_body(buf, sizeof(buf), 0, IKE_CFG_INTERNAL_IP4_DNS, 4, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), -EBADMSG);
	b = cp_body(buf, sizeof(buf), 5, IKE_CFG_INTERNAL_IP4_DNS, 4, 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), -EBADMSG);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY, IKE_CFG_INTERNAL_IP4_DNS,
	    4, IKE_MAX_CP_ATTRS);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), 0);
	b = rd_make(buf, rd_left(&b) - 1); /* the last value cut short */
	assert_int_equal(ike_pld_parse_cp(&b, &cp), -EBADMSG);
	b = cp_body(buf, sizeof(buf), IKE_CFG_REPLY, IKE_CFG_INTERNAL_IP4_DNS,
	    4, IKE_MAX_CP_ATTRS + 1);
	assert_int_equal(ike_pld_parse_cp(&b, &cp), -E2BIG);
}

static void
test_eap(void **state)
{
	const uint8_t id_req[] = { EAP_CODE_REQUEST, 0, 0, 5,
		EAP_TYPE_IDENTITY };
	const uint8_t tls[] = { EAP_CODE_RESPONSE, 7, 0, 7, EAP_TYPE_TLS, 0x80,
		0xaa };
	const uint8_t success[] = { EAP_CODE_SUCCESS, 9, 0, 4 };
	const uint8_t success5[] = { EAP_CODE_SUCCESS, 9, 0, 5, 1 };
	const uint8_t req4[] = { EAP_CODE_REQUEST, 0, 0, 4 };
	const uint8_t longer[] = { EAP_CODE_REQUEST, 0, 0, 6, 1 };
	const uint8_t shorter[] = { EAP_CODE_REQUEST, 0, 0, 4, 1 };
	const uint8_t code5[] = { 5, 0, 0, 5, 1 };
	struct ike_pld_eap e;

	assert_int_equal(PARSE(ike_pld_parse_eap, id_req, &e), 0);
	assert_int_equal(e.type, EAP_TYPE_IDENTITY);
	assert_int_equal(rd_left(&e.type_data), 0);
	assert_int_equal(PARSE(ike_pld_parse_eap, tls, &e), 0);
	assert_int_equal(e.id, 7);
	assert_int_equal(rd_left(&e.type_data), 2);
	assert_int_equal(rd_left(&e.packet), sizeof(tls));
	assert_int_equal(PARSE(ike_pld_parse_eap, success, &e), 0);
	assert_int_equal(e.code, EAP_CODE_SUCCESS);
	assert_int_equal(PARSE(ike_pld_parse_eap, success5, &e), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_eap, req4, &e), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_eap, longer, &e), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_eap, shorter, &e), -EBADMSG);
	assert_int_equal(PARSE(ike_pld_parse_eap, code5, &e), -EOPNOTSUPP);
}

/* Builders refuse what parsers refuse. */
static void
test_builders_refuse(void **state)
{
	static struct ike_pld_ts ts;
	static struct ike_pld_cp cp;
	static struct ike_pld_sa sa;
	uint8_t buf[256];
	struct ike_pld_wr pw;
	struct ike_pld_id id4 = { .type = IKE_ID_IPV4_ADDR,
		.data = rd_make(buf, 5) };
	struct ike_pld_notify n = { .proto = IKE_PROTO_IKE,
		.spi = rd_make(buf, 4) };
	struct ike_pld_delete d = { .proto = IKE_PROTO_IKE, .n_spis = 1 };
	struct ike_pld_eap e = { .code = EAP_CODE_SUCCESS, .type = 1 };
	struct ike_pld_certreq cr = {
		.enc = IKE_CERT_X509_SIGN, .cas = rd_make(buf, 20), .n_cas = 2
	};
	struct rd out;

#define REFUSED(call)                                                          \
	do {                                                                   \
		ike_pld_wr_init_chain(&pw, buf, sizeof(buf));                  \
		call;                                                          \
		assert_int_equal(ike_pld_wr_finish(&pw, &out), -EINVAL);       \
	} while (0)
	REFUSED(ike_pld_build_id(&pw, IKE_PLD_IDI, &id4));
	id4.data = rd_make(buf, 4);
	REFUSED(ike_pld_build_id(&pw, IKE_PLD_TSI, &id4));
	REFUSED(ike_pld_build_notify(&pw, &n));
	REFUSED(ike_pld_build_delete(&pw, &d));
	REFUSED(ike_pld_build_eap(&pw, &e));
	REFUSED(ike_pld_build_certreq(&pw, &cr));
	ts.n_ts = 0;
	REFUSED(ike_pld_build_ts(&pw, IKE_PLD_TSI, &ts));
	ts.n_ts = 1;
	ts.ts[0].type = 9;
	REFUSED(ike_pld_build_ts(&pw, IKE_PLD_TSI, &ts));
	ts.ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	REFUSED(ike_pld_build_ts(&pw, IKE_PLD_IDI, &ts));
	cp.type = IKE_CFG_REPLY;
	cp.n_attrs = 1;
	cp.attrs[0].type = IKE_CFG_INTERNAL_IP4_DNS;
	cp.attrs[0].value = rd_make(buf, 5);
	REFUSED(ike_pld_build_cp(&pw, &cp));
	sa.n_props = 2;
	sa.props[0] = (struct ike_proposal){
		.num = 1, .proto = IKE_PROTO_ESP, .spi_len = 4, .n_xforms = 1
	};
	sa.props[1] = sa.props[0];
	REFUSED(ike_pld_build_sa(&pw, &sa)); /* both numbered 1 */
	sa.n_props = 0;
	REFUSED(ike_pld_build_sa(&pw, &sa));
#undef REFUSED
}

/* ---- Real strongSwan 5.9.8 messages (tests/data/ikev2-strongswan) ---- */

static size_t
read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, cap, f);
	(void)fclose(f);
	return n;
}

/*
 * Every captured message parses: the header, the outer chain and its
 * shape, every plain payload.  The first exchange of each case is
 * IKE_SA_INIT in the clear.
 */
static void
check_capture(const char *path, size_t *n_init)
{
	static uint8_t buf[IKE_MSG_MAX_LEN];
	size_t len = read_file(path, buf, sizeof(buf));
	uint8_t *p = exact_copy(buf, len);
	struct ike_check c;

	ike_check_msg(p, len, &c);
	print_message(
	    "# %s: %zu bytes, shape %s\n", path, len, ike_shape_name(c.shape));
	assert_int_equal(c.hdr, 0);
	assert_int_equal(c.split, 0);
	assert_int_equal(c.rules, 0);
	assert_int_equal(c.n_failed, 0);
	if (c.shape == IKE_SHAPE_INIT_REQ || c.shape == IKE_SHAPE_INIT_RESP) {
		assert_int_equal(c.n_noncanon, 0);
		(*n_init)++;
	}
	free(p);
}

static void
test_strongswan_captures(void **state)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], sub[4096 + 256], path[4096 + 512];
	size_t n_files = 0, n_init = 0;
	struct dirent *e, *f;
	DIR *d, *d2;

	(void)snprintf(dir, sizeof(dir), "%s/tests/data/ikev2-strongswan",
	    top != NULL ? top : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(void)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if ((d2 = opendir(sub)) == NULL)
			continue;
		while ((f = readdir(d2)) != NULL) {
			size_t l = strlen(f->d_name);

			if (strncmp(f->d_name, "msg-", 4) != 0 || l < 6 ||
			    strcmp(f->d_name + l - 4, ".bin") != 0)
				continue;
			(void)snprintf(
			    path, sizeof(path), "%s/%s", sub, f->d_name);
			check_capture(path, &n_init);
			n_files++;
		}
		closedir(d2);
	}
	closedir(d);
	print_message(
	    "# %zu captured messages, %zu IKE_SA_INIT\n", n_files, n_init);
	/* At least one IKE_SA_INIT request and its response. */
	assert_true(n_init >= 2);
}

/*
 * The capture generator also wrote, per case, charon's own list of the
 * payloads of every message (messages.txt) and the decrypted inner chain
 * of every SK/SKF payload (keys.txt, plain_NN).  Split with this codec,
 * each list must read the same as charon's, each inner chain must fit a
 * shape, and every inner payload must parse and rebuild to strongSwan's
 * exact bytes.
 */
struct capture_case {
	char dir[4096 + 256];
	uint8_t joined[IKE_MSG_MAX_LEN]; /* SKF plaintexts so far */
	size_t joined_len;
	uint8_t first; /* inner type from fragment 1 */
};

static size_t
hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] != '\0' && hex[0] != '\n' && n < cap &&
	    sscanf(hex, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* plain_NN from keys.txt; false if there is none. */
static bool
capture_plain(const char *dir, const char *nn, uint8_t *out, size_t *len)
{
	static char line[2 * IKE_MSG_MAX_LEN + 64];
	char path[4096 + 512], key[32];
	FILE *f;
	bool found = false;

	(void)snprintf(path, sizeof(path), "%s/keys.txt", dir);
	(void)snprintf(key, sizeof(key), "plain_%s=", nn);
	f = fopen(path, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0) {
			*len = hex_decode(
			    line + strlen(key), out, IKE_MSG_MAX_LEN);
			found = true;
		}
	(void)fclose(f);
	return found;
}

/* Our payload list in charon's words: "Nonce" for "No", "-" if empty. */
static void
charon_list(const struct ike_pld_chain *c, char *buf, size_t len)
{
	char tmp[1024], *save = NULL;
	size_t at = 0;

	names_pld_chain(c->v, c->n, tmp, sizeof(tmp));
	buf[0] = '\0';
	for (char *w = strtok_r(tmp, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save))
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
		    at > 0 ? " " : "", strcmp(w, "No") == 0 ? "Nonce" : w);
	if (c->n == 0)
		(void)snprintf(buf, len, "-");
}

/* The text between the k-th "[" and its "]". */
static void
bracket(const char *line, int k, char *out, size_t len)
{
	const char *p = line, *q;

	for (int i = 0; i <= k; i++) {
		p = strchr(p, '[');
		assert_non_null(p);
		p++;
	}
	q = strchr(p, ']');
	assert_non_null(q);
	(void)snprintf(out, len, "%.*s", (int)(q - p), p);
}

/* An inner chain, wrapped as HDR SK{plain}, through every check. */
static void
check_inner(const struct ike_hdr *h, uint8_t first, const uint8_t *plain,
    size_t len, const char *want, const char *what)
{
	static uint8_t buf[IKE_MSG_MAX_LEN + 64];
	struct ike_pld_wr pw;
	struct ike_sk_layout l;
	struct ike_pld_chain c;
	struct ike_check chk;
	struct rd inner = rd_make(plain, len), out;
	char got[1024];
	uint8_t bad;

	assert_int_equal(ike_pld_split(&inner, first, &c, &bad), 0);
	charon_list(&c, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s: inner [%s], charon [%s]", what, got, want);
	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), h);
	ike_pld_build_sk(&pw, first, 0, 0, &l);
	wr_rd(&pw.w, &inner);
	wr_patch_u16(&pw.w, l.sk_off + 2, (uint16_t)(pw.w.len - l.sk_off));
	assert_int_equal(ike_pld_wr_finish(&pw, &out), 0);
	ike_check_msg(out.p, rd_left(&out), &chk);
	if (chk.inner_rules != 0 || chk.n_failed != 0 || chk.n_noncanon != 0)
		fail_msg("%s: rules %d, %zu failed, %zu rebuilt differently",
		    what, chk.inner_rules, chk.n_failed, chk.n_noncanon);
}

static void
check_capture_line(struct capture_case *cc, const char *line, size_t *n)
{
	static uint8_t msg[IKE_MSG_MAX_LEN], plain[IKE_MSG_MAX_LEN];
	char nn[3], dir, path[4096 + 512], outer[1024], inner[1024], got[1024],
	    what[4096 + 600];
	struct ike_pld_chain c;
	struct ike_pld_sk sk;
	struct ike_hdr h;
	size_t len, plain_len = 0;
	struct rd m;

	if (sscanf(line, "%2[0-9] %c", nn, &dir) != 2)
		return; /* a comment or an ESP line */
	(void)snprintf(
	    path, sizeof(path), "%s/msg-%s-%c.bin", cc->dir, nn, dir);
	(void)snprintf(what, sizeof(what), "%s", path);
	len = read_file(path, msg, sizeof(msg));
	m = rd_make(msg, len);
	split_msg(msg, len, &h, &c);
	charon_list(&c, got, sizeof(got));
	bracket(line, 0, outer, sizeof(outer));
	bracket(line, 1, inner, sizeof(inner));
	if (strcmp(got, outer) != 0)
		fail_msg("%s: [%s], charon [%s]", what, got, outer);
	(*n)++;
	if (c.n == 0 ||
	    (c.v[c.n - 1].type != IKE_PLD_SK &&
		c.v[c.n - 1].type != IKE_PLD_SKF))
		return;
	assert_int_equal(ike_pld_parse_sk(&m, &c.v[c.n - 1], &sk), 0);
	assert_true(capture_plain(cc->dir, nn, plain, &plain_len));
	/* IV, the payloads, Pad Length and an ICV were all there. */
	assert_true(rd_left(&sk.enc) > plain_len + 1);
	if (sk.frag_num <= 1) {
		cc->joined_len = 0;
		cc->first = sk.inner;
	}
	if (sk.frag_num == 0) {
		check_inner(&h, sk.inner, plain, plain_len, inner, what);
		return;
	}
	assert_true(cc->joined_len + plain_len <= sizeof(cc->joined));
	memcpy(cc->joined + cc->joined_len, plain, plain_len);
	cc->joined_len += plain_len;
	if (sk.frag_num == sk.frag_total)
		check_inner(
		    &h, cc->first, cc->joined, cc->joined_len, inner, what);
}

static void
test_strongswan_inner(void **state)
{
	static struct capture_case cc;
	const char *top = getenv("top_srcdir");
	char dir[4096], path[4096 + 512], line[4096];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	(void)snprintf(dir, sizeof(dir), "%s/tests/data/ikev2-strongswan",
	    top != NULL ? top : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		FILE *f;

		(void)snprintf(cc.dir, sizeof(cc.dir), "%s/%s", dir, e->d_name);
		(void)snprintf(path, sizeof(path), "%s/messages.txt", cc.dir);
		if (e->d_name[0] == '.' || (f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			check_capture_line(&cc, line, &n);
		(void)fclose(f);
	}
	closedir(d);
	print_message("# %zu messages agree with charon's logs\n", n);
	assert_true(n >= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_parse),
		cmocka_unit_test(test_samples_rebuild),
		cmocka_unit_test(test_samples_cover_every_payload),
		cmocka_unit_test(test_samples_truncated),
		cmocka_unit_test(test_samples_length_fields),
		cmocka_unit_test(test_azure_init_resp),
		cmocka_unit_test(test_fragments_reassemble),
		cmocka_unit_test(test_hdr),
		cmocka_unit_test(test_hdr_too_long),
		cmocka_unit_test(test_natt),
		cmocka_unit_test(test_split_unknown),
		cmocka_unit_test(test_split_lengths),
		cmocka_unit_test(test_split_cap),
		cmocka_unit_test(test_split_sk_last),
		cmocka_unit_test(test_skf_numbers),
		cmocka_unit_test(test_sk_mismatch),
		cmocka_unit_test(test_build_sk),
		cmocka_unit_test(test_builder_errors),
		cmocka_unit_test(test_builder_chain),
		cmocka_unit_test(test_sa_proposals),
		cmocka_unit_test(test_sa_numbering_and_cap),
		cmocka_unit_test(test_sa_attributes),
		cmocka_unit_test(test_ke_id_cert_auth),
		cmocka_unit_test(test_id_body),
		cmocka_unit_test(test_certreq),
		cmocka_unit_test(test_auth_sig),
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_notify_cookie_natd),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_vendor),
		cmocka_unit_test(test_ts),
		cmocka_unit_test(test_cp),
		cmocka_unit_test(test_eap),
		cmocka_unit_test(test_builders_refuse),
		cmocka_unit_test(test_strongswan_captures),
		cmocka_unit_test(test_strongswan_inner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
