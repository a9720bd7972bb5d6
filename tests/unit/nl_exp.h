/* SPDX-License-Identifier: ISC */
/*
 * nl_exp.h: expected netlink messages, assembled by hand in the unit
 * tests from the kernel's own structs, independently of nl.c, rtnl.c and
 * xfrm.c, so a builder is compared with what the kernel reads byte for
 * byte.  Test-only; include after <cmocka.h>.
 */
#ifndef P2S_TEST_NL_EXP_H
#define P2S_TEST_NL_EXP_H

#include <linux/netlink.h>

#include <stdint.h>
#include <string.h>

/* Views into the tests' buffers, all aligned for netlink headers. */
static inline struct nlmsghdr *
nlh_at(void *p)
{
	return p;
}

static inline struct nlattr *
nla_at(void *p)
{
	return p;
}

struct exp {
	_Alignas(8) uint8_t b[4096];
	size_t len;
};

static inline void
exp_hdr(struct exp *e, uint16_t type, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags };

	memset(e, 0, sizeof(*e));
	memcpy(e->b, &h, sizeof(h));
	e->len = NLMSG_HDRLEN;
}

/* A fixed header (struct rtmsg, ...), padded to 4 bytes. */
static inline void
exp_bytes(struct exp *e, const void *p, size_t len)
{
	memcpy(e->b + e->len, p, len);
	e->len += NLMSG_ALIGN(len);
}

/* An attribute whose payload is p1 followed by p2. */
static inline void
exp_attr2(struct exp *e, uint16_t type, const void *p1, size_t len1,
    const void *p2, size_t len2)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len1 + len2),
		.nla_type = type };

	memcpy(e->b + e->len, &a, sizeof(a));
	if (len1 > 0)
		memcpy(e->b + e->len + NLA_HDRLEN, p1, len1);
	if (len2 > 0)
		memcpy(e->b + e->len + NLA_HDRLEN + len1, p2, len2);
	e->len += NLA_ALIGN(a.nla_len);
}

static inline void
exp_attr(struct exp *e, uint16_t type, const void *p, size_t len)
{
	exp_attr2(e, type, p, len, NULL, 0);
}

static inline void
exp_u32(struct exp *e, uint16_t type, uint32_t v)
{
	exp_attr(e, type, &v, sizeof(v));
}

static inline void
exp_str(struct exp *e, uint16_t type, const char *s)
{
	exp_attr(e, type, s, strlen(s) + 1);
}

/* Open a nest, flagged NLA_F_NESTED as the kernel's strict parsing
 * wants; exp_nest_end patches its length. */
static inline size_t
exp_nest(struct exp *e, uint16_t type)
{
	size_t at = e->len;

	exp_attr(e, type | NLA_F_NESTED, NULL, 0);
	return at;
}

static inline void
exp_nest_end(struct exp *e, size_t at)
{
	struct nlattr a;

	memcpy(&a, e->b + at, sizeof(a));
	a.nla_len = (uint16_t)(e->len - at);
	memcpy(e->b + at, &a, sizeof(a));
}

static inline const struct nlmsghdr *
exp_done(struct exp *e)
{
	struct nlmsghdr *h = nlh_at(e->b);

	h->nlmsg_len = (uint32_t)e->len;
	return h;
}

static inline void
assert_msg_equal(const void *buf, struct exp *e)
{
	const struct nlmsghdr *h = buf;

	exp_done(e);
	assert_int_equal(h->nlmsg_len, e->len);
	assert_memory_equal(buf, e->b, e->len);
}

/* Attribute `type` after a fixed header of `fixed` bytes; NULL if
 * absent. */
static inline const struct nlattr *
find_attr(const void *buf, size_t fixed, uint16_t type)
{
	const struct nlmsghdr *h = buf;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);

	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		const struct nlattr *a =
		    (const void *)((const uint8_t *)buf + off);

		assert_true(a->nla_len >= NLA_HDRLEN);
		if (a->nla_type == type)
			return a;
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* The same, for an attribute that must be there. */
static inline const struct nlattr *
must_attr(const void *buf, size_t fixed, uint16_t type)
{
	static const struct nlattr none[64];
	const struct nlattr *a = find_attr(buf, fixed, type);

	assert_non_null(a);
	return a != NULL ? a : none; /* not reached: the assert failed */
}

#endif /* P2S_TEST_NL_EXP_H */
