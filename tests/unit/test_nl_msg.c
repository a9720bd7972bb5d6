/* SPDX-License-Identifier: ISC */
/*
 * test_nl_msg.c: the netlink plumbing beneath rtnl and xfrm, without a
 * socket: the message builder's sticky error and bounds, the attribute
 * policy check (every kind, right and wrong sizes, unknown types,
 * leftovers), NLMSG_ERROR parsing with extended ACK text (capped and
 * uncapped ACKs, lying lengths), the datagram walk, and batch storage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nl.h"
#include "nl_exp.h"

static void
test_msg_builder(void **state)
{
	_Alignas(4) uint8_t buf[64];
	struct rtgenmsg *g;
	struct nlattr *nest;
	struct nl_msg m;
	struct exp e;
	struct rtgenmsg eg = { .rtgen_family = AF_INET6 };
	size_t at;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETLINK, NLM_F_CREATE);
	g = nl_msg_put_fixed(&m, sizeof(*g));
	assert_non_null(g);
	if (g != NULL)
		g->rtgen_family = AF_INET6;
	nl_msg_put_u8(&m, 1, 0xab);
	nest = nl_msg_nest_start(&m, 2);
	nl_msg_put_u16(&m, 3, 0x1234);
	nl_msg_put_str(&m, 4, "ab");
	nl_msg_nest_end(&m, nest);
	assert_true(nl_msg_ok(&m));

	exp_hdr(&e, RTM_GETLINK, NLM_F_CREATE);
	exp_bytes(&e, &eg, sizeof(eg));
	exp_attr(&e, 1, "\xab", 1);
	at = exp_nest(&e, 2);
	exp_attr(&e, 3, "\x34\x12", 2);
	exp_str(&e, 4, "ab");
	exp_nest_end(&e, at);
	assert_msg_equal(buf, &e);

	/* Once something did not fit, nothing more is written. */
	nl_msg_put_u32(&m, 5, 1);
	nl_msg_put(&m, 6, buf, 40);
	assert_false(nl_msg_ok(&m));
	nl_msg_put_u32(&m, 7, 1);
	assert_null(nl_msg_nest_start(&m, 8));
	nl_msg_nest_end(&m, NULL);
	assert_int_equal((nlh_at(buf))->nlmsg_len, e.len + 8);
	assert_false(nl_msg_ok(&m));

	/* A buffer smaller than a header. */
	nl_msg_init(&m, buf, NLMSG_HDRLEN - 1, RTM_GETLINK, 0);
	assert_false(nl_msg_ok(&m));
	assert_null(nl_msg_put_fixed(&m, 4));
	nl_msg_init(&m, buf, NLMSG_HDRLEN, RTM_GETLINK, 0);
	assert_null(nl_msg_put_reserve(&m, 1, 0));
	assert_false(nl_msg_ok(&m));
	nl_msg_init(&m, buf, NLMSG_HDRLEN + 8, RTM_GETLINK, 0);
	assert_non_null(nl_msg_put_reserve(&m, 1, 4));
	assert_true(nl_msg_ok(&m));
	nl_msg_put_addr(&m, 2, &(struct nl_addr){ .family = AF_UNSPEC });
	assert_false(nl_msg_ok(&m));
}

enum {
	A_U8 = 1,
	A_U16,
	A_U32,
	A_U64,
	A_STR,
	A_NEST,
	A_EXACT,
	A_MIN,
	A_ADDR,
	A_SKIP,
	A_MAX
};

static const struct nl_policy policy[A_MAX] = {
	[A_U8] = { NL_A_U8, 0 },
	[A_U16] = { NL_A_U16, 0 },
	[A_U32] = { NL_A_U32, 0 },
	[A_U64] = { NL_A_U64, 0 },
	[A_STR] = { NL_A_STRING, 4 },
	[A_NEST] = { NL_A_NESTED, 0 },
	[A_EXACT] = { NL_A_EXACT, 6 },
	[A_MIN] = { NL_A_MIN, 6 },
	[A_ADDR] = { NL_A_ADDR, 0 },
	[A_SKIP] = { NL_A_UNSPEC, 0 },
};

static int
parse_one(uint16_t type, const void *p, size_t len)
{
	const struct nlattr *tb[A_MAX];
	struct exp e;
	int r;

	exp_hdr(&e, RTM_NEWLINK, 0);
	exp_bytes(&e, "\x01\x02\x03", 3); /* a 3-byte fixed part */
	exp_attr(&e, type, p, len);
	r = nl_attr_parse(exp_done(&e), 3, policy, A_MAX, tb);
	if (r == 0 && type < A_MAX && type != A_SKIP) {
		assert_non_null(tb[type]);
		assert_int_equal(tb[type]->nla_len, NLA_HDRLEN + len);
	}
	return r;
}

static void
test_attr_policy(void **state)
{
	static const uint8_t z[32];

	assert_int_equal(parse_one(A_U8, z, 1), 0);
	assert_int_equal(parse_one(A_U8, z, 2), -EBADMSG);
	assert_int_equal(parse_one(A_U16, z, 2), 0);
	assert_int_equal(parse_one(A_U16, z, 4), -EBADMSG);
	assert_int_equal(parse_one(A_U32, z, 4), 0);
	assert_int_equal(parse_one(A_U32, z, 3), -EBADMSG);
	assert_int_equal(parse_one(A_U32, z, 8), -EBADMSG);
	assert_int_equal(parse_one(A_U64, z, 8), 0);
	assert_int_equal(parse_one(A_U64, z, 4), -EBADMSG);
	assert_int_equal(parse_one(A_U64, z, 16), -EBADMSG);
	assert_int_equal(parse_one(A_STR, "abc", 4), 0);
	assert_int_equal(parse_one(A_STR, "abcd", 5), -EBADMSG); /* > 4 */
	assert_int_equal(parse_one(A_STR, "abc", 3), -EBADMSG);	 /* no NUL */
	assert_int_equal(parse_one(A_STR, "", 0), -EBADMSG);
	assert_int_equal(parse_one(A_NEST, z, 0), 0);
	assert_int_equal(parse_one(A_NEST, z, 2), -EBADMSG);
	assert_int_equal(parse_one(A_EXACT, z, 6), 0);
	assert_int_equal(parse_one(A_EXACT, z, 7), -EBADMSG);
	assert_int_equal(parse_one(A_EXACT, z, 5), -EBADMSG);
	assert_int_equal(parse_one(A_MIN, z, 6), 0);
	assert_int_equal(parse_one(A_MIN, z, 30), 0);
	assert_int_equal(parse_one(A_MIN, z, 5), -EBADMSG);
	assert_int_equal(parse_one(A_ADDR, z, 4), 0);
	assert_int_equal(parse_one(A_ADDR, z, 16), 0);
	assert_int_equal(parse_one(A_ADDR, z, 8), -EBADMSG);
	/* Not ours, whatever their size: skipped. */
	assert_int_equal(parse_one(A_SKIP, z, 3), 0);
	assert_int_equal(parse_one(A_MAX, z, 3), 0);
	assert_int_equal(parse_one(999, z, 0), 0);
	/* The nested/byte-order flag bits are not part of the type. */
	assert_int_equal(parse_one(A_U32 | NLA_F_NESTED, z, 4), 0);
	assert_int_equal(parse_one(A_U32 | NLA_F_NESTED, z, 2), -EBADMSG);
}

static void
test_attr_framing(void **state)
{
	const struct nlattr *tb[A_MAX], *inner[A_MAX];
	struct exp e;
	size_t at;

	exp_hdr(&e, RTM_NEWLINK, 0);
	exp_bytes(&e, "\x01\x02\x03\x04", 4);
	exp_u32(&e, A_U32, 7);
	exp_u32(&e, A_U32, 8); /* the last one wins */
	at = exp_nest(&e, A_NEST);
	exp_attr(&e, A_U8, "\x05", 1);
	exp_nest_end(&e, at);
	assert_int_equal(nl_attr_parse(exp_done(&e), 4, policy, A_MAX, tb), 0);
	assert_non_null(tb[A_U32]);
	assert_null(tb[A_U8]);
	assert_int_equal(
	    nl_attr_parse_nested(tb[A_NEST], policy, A_MAX, inner), 0);
	assert_non_null(inner[A_U8]);

	/* The fixed part must be there whole. */
	assert_int_equal(
	    nl_attr_parse(exp_done(&e), e.len, policy, A_MAX, tb), -EBADMSG);
	/* Leftover bytes that are no attribute. */
	e.len += 3;
	assert_int_equal(
	    nl_attr_parse(exp_done(&e), 4, policy, A_MAX, tb), -EBADMSG);
	/* An attribute claiming more than the message holds. */
	e.len -= 3;
	exp_attr(&e, A_SKIP, "\0\0\0\0", 4);
	(nla_at(e.b + e.len - 8))->nla_len = 12;
	assert_int_equal(
	    nl_attr_parse(exp_done(&e), 4, policy, A_MAX, tb), -EBADMSG);
	/* An attribute shorter than its own header. */
	(nla_at(e.b + e.len - 8))->nla_len = 3;
	assert_int_equal(
	    nl_attr_parse(exp_done(&e), 4, policy, A_MAX, tb), -EBADMSG);
	/* A message shorter than its header. */
	(nlh_at(e.b))->nlmsg_len = 8;
	assert_int_equal(
	    nl_attr_parse(nlh_at(e.b), 0, policy, A_MAX, tb), -EBADMSG);
}

/* An NLMSG_ERROR as the kernel sends it: capped (the request's header
 * only) or not (the whole request echoed), with or without TLVs. */
static const struct nlmsghdr *
err_msg(
    struct exp *e, int error, bool capped, size_t echo_len, const char *text)
{
	struct nlmsgerr err = { .error = error };
	uint16_t flags =
	    (capped ? NLM_F_CAPPED : 0) | (text != NULL ? NLM_F_ACK_TLVS : 0);
	uint8_t echo[64] = { 0 };

	err.msg.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + echo_len);
	err.msg.nlmsg_type = RTM_NEWROUTE;
	exp_hdr(e, NLMSG_ERROR, flags);
	exp_bytes(e, &err, sizeof(err));
	if (!capped)
		exp_bytes(e, echo, echo_len);
	if (text != NULL) {
		exp_str(e, NLMSGERR_ATTR_MSG, text);
		exp_u32(e, NLMSGERR_ATTR_OFFS, 20);
	}
	return exp_done(e);
}

static void
test_ack_parse(void **state)
{
	char text[NL_ERRMSG_MAX];
	struct exp e;
	int err = 1;

	assert_int_equal(nl_ack_parse(err_msg(&e, 0, true, 0, NULL), &err, text,
			     sizeof(text)),
	    0);
	assert_int_equal(err, 0);
	assert_string_equal(text, "");

	assert_int_equal(nl_ack_parse(err_msg(&e, -EPROTONOSUPPORT, true, 28,
					  "Requested type not found"),
			     &err, text, sizeof(text)),
	    0);
	assert_int_equal(err, -EPROTONOSUPPORT);
	assert_string_equal(text, "Requested type not found");

	/* Uncapped: the TLVs follow the echoed request. */
	assert_int_equal(
	    nl_ack_parse(err_msg(&e, -EEXIST, false, 28, "File exists\n"), &err,
		text, sizeof(text)),
	    0);
	assert_int_equal(err, -EEXIST);
	assert_string_equal(text, "File exists");
	/* ... an echo length past the message: the text is not trusted. */
	err_msg(&e, -EEXIST, false, 28, "x");
	((struct nlmsgerr *)(void *)(e.b + NLMSG_HDRLEN))->msg.nlmsg_len = 5000;
	assert_int_equal(
	    nl_ack_parse(nlh_at(e.b), &err, text, sizeof(text)), 0);
	assert_int_equal(err, -EEXIST);
	assert_string_equal(text, "");
	/* A short buffer gets a truncated, terminated text. */
	assert_int_equal(nl_ack_parse(err_msg(&e, -EINVAL, true, 0, "abcdef"),
			     &err, text, 4),
	    0);
	assert_string_equal(text, "abc");

	/* Not errnos, or not an error message at all. */
	assert_int_equal(nl_ack_parse(err_msg(&e, 5, true, 0, NULL), &err, text,
			     sizeof(text)),
	    -EBADMSG);
	assert_int_equal(nl_ack_parse(err_msg(&e, -5000, true, 0, NULL), &err,
			     text, sizeof(text)),
	    -EBADMSG);
	err_msg(&e, 0, true, 0, NULL);
	(nlh_at(e.b))->nlmsg_len = NLMSG_HDRLEN + 8;
	assert_int_equal(
	    nl_ack_parse(nlh_at(e.b), &err, text, sizeof(text)), -EBADMSG);
	(nlh_at(e.b))->nlmsg_type = NLMSG_DONE;
	assert_int_equal(nl_ack_parse(nlh_at(e.b), &err, NULL, 0), -EBADMSG);
}

struct walk_seen {
	uint16_t types[8];
	size_t n;
};

static int
walk_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct walk_seen *s = arg;

	if (s->n < 8)
		s->types[s->n++] = nlh->nlmsg_type;
	return nlh->nlmsg_type == RTM_DELLINK ? -EBADMSG : 0;
}

static void
test_datagram_walk(void **state)
{
	_Alignas(4) uint8_t dg[256] = { 0 };
	struct walk_seen seen = { 0 };
	static const uint16_t types[] = { RTM_NEWLINK, NLMSG_NOOP,
		RTM_NEWADDR };
	size_t len = 0;

	for (size_t i = 0; i < 3; i++) {
		struct nlmsghdr h = { .nlmsg_len = NLMSG_HDRLEN + 5,
			.nlmsg_type = types[i] };

		memcpy(dg + len, &h, sizeof(h));
		len += NLMSG_ALIGN(h.nlmsg_len);
	}
	assert_int_equal(nl_datagram_walk(dg, len, walk_cb, &seen), 0);
	assert_int_equal(seen.n, 2); /* NOOP is nobody's business */
	assert_int_equal(seen.types[0], RTM_NEWLINK);
	assert_int_equal(seen.types[1], RTM_NEWADDR);

	/* Trailing bytes: the good messages first, then the error. */
	seen.n = 0;
	assert_int_equal(
	    nl_datagram_walk(dg, len + 7, walk_cb, &seen), -EBADMSG);
	assert_int_equal(seen.n, 2);
	/* A length past the datagram stops the walk there. */
	seen.n = 0;
	(nlh_at(dg))->nlmsg_len = 200;
	assert_int_equal(nl_datagram_walk(dg, len, walk_cb, &seen), -EBADMSG);
	assert_int_equal(seen.n, 0);
	/* A callback's error comes back; the walk goes on. */
	seen.n = 0;
	(nlh_at(dg))->nlmsg_len = NLMSG_HDRLEN + 5;
	(nlh_at(dg))->nlmsg_type = RTM_DELLINK;
	assert_int_equal(nl_datagram_walk(dg, len, walk_cb, &seen), -EBADMSG);
	assert_int_equal(seen.n, 2);
	assert_int_equal(nl_datagram_walk(dg, 0, walk_cb, &seen), 0);
	/* Lengths past INT_MAX, or so large that padding them wraps to 0,
	 * end the walk (libmnl's own check lets both through). */
	seen.n = 0;
	nlh_at(dg)->nlmsg_len = 0xfffffffd;
	assert_int_equal(nl_datagram_walk(dg, len, walk_cb, &seen), -EBADMSG);
	nlh_at(dg)->nlmsg_len = 0x80000010;
	assert_int_equal(nl_datagram_walk(dg, len, walk_cb, &seen), -EBADMSG);
	assert_int_equal(seen.n, 0);
}

static void
test_batch_storage(void **state)
{
	struct nl_batch *b = nl_batch_new();
	struct nlmsghdr *h;

	assert_non_null(b);
	/* Enough messages to grow the buffer several times. */
	for (uint32_t i = 0; i < 300; i++) {
		struct nl_msg m;

		h = nl_batch_reserve(b, 64);
		assert_non_null(h);
		assert_int_equal((uintptr_t)h % 4, 0);
		nl_msg_init(&m, h, 64, RTM_NEWROUTE, 0);
		nl_msg_put_u32(&m, 1, i);
		assert_true(nl_msg_ok(&m));
		assert_int_equal(nl_batch_commit(b), 0);
	}
	assert_int_equal(nl_batch_count(b), 300);
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(nl_batch_result(b, i), -ECANCELED);
	assert_int_equal(nl_batch_result(b, 300), -EINVAL);

	/* A message claiming more than was reserved is refused. */
	h = nl_batch_reserve(b, 32);
	assert_non_null(h);
	h->nlmsg_len = 33;
	assert_int_equal(nl_batch_commit(b), -EINVAL);
	h->nlmsg_len = 4;
	assert_int_equal(nl_batch_commit(b), -EINVAL);
	assert_int_equal(nl_batch_count(b), 300);
	nl_batch_reset(b);
	assert_int_equal(nl_batch_count(b), 0);
	assert_int_equal(nl_batch_commit(b), -EINVAL); /* nothing reserved */
	nl_batch_free(b);
	nl_batch_free(NULL);
}

static void
test_addr_helpers(void **state)
{
	struct nl_prefix p = { .addr = { .family = AF_INET6 }, .len = 128 };
	struct nl_addr a = { .family = AF_INET }, b = { .family = AF_INET };

	assert_true(nl_prefix_valid(&p));
	p.len = 129;
	assert_false(nl_prefix_valid(&p));
	p.addr.family = AF_UNSPEC;
	p.len = 0;
	assert_false(nl_prefix_valid(&p));
	a.bytes[15] = 1; /* past an IPv4 address: not compared */
	assert_true(nl_addr_eq(&a, &b));
	a.bytes[3] = 1;
	assert_false(nl_addr_eq(&a, &b));
	b.family = AF_INET6;
	assert_false(nl_addr_eq(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_builder),
		cmocka_unit_test(test_attr_policy),
		cmocka_unit_test(test_attr_framing),
		cmocka_unit_test(test_ack_parse),
		cmocka_unit_test(test_datagram_walk),
		cmocka_unit_test(test_batch_storage),
		cmocka_unit_test(test_addr_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
