/* SPDX-License-Identifier: ISC */
/*
 * prefix.c: ranges to prefixes, and prefix sets (see prefix.h).
 *
 * The decomposition walks from start: the largest aligned block that
 * begins at start and does not pass end is one prefix; start moves past
 * it.  Addresses are big-endian byte strings, handled as such, so IPv4
 * and IPv6 share the code.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "prefix.h"

static size_t
addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static int
addr_cmp(const uint8_t *a, const uint8_t *b, size_t len)
{
	return memcmp(a, b, len);
}

/* Is bit i (0 = most significant) of a set? */
static bool
bit(const uint8_t *a, unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* a with all bits from `from` on set to one (the block's last address). */
static void
fill_ones(const uint8_t *a, unsigned from, size_t len, uint8_t *ret)
{
	memcpy(ret, a, len);
	for (unsigned i = from; i < len * 8; i++)
		ret[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

/* a + 1; returns false on wrap past the top of the space. */
static bool
incr(uint8_t *a, size_t len)
{
	for (size_t i = len; i > 0; i--)
		if (++a[i - 1] != 0)
			return true;
	return false;
}

/* The shortest prefix length at cur whose block ends at or before end. */
static unsigned
block_len(const uint8_t *cur, const uint8_t *end, size_t len)
{
	unsigned bits = (unsigned)len * 8, plen = bits;
	uint8_t last[16];

	/* Grow the block while cur stays aligned and its end fits. */
	while (plen > 0 && !bit(cur, plen - 1)) {
		fill_ones(cur, plen - 1, len, last);
		if (addr_cmp(last, end, len) > 0)
			break;
		plen--;
	}
	return plen;
}

int
prefix_from_range(int family, const uint8_t *start, const uint8_t *end,
    struct nl_prefix *ret, size_t cap, size_t *n)
{
	size_t len = addr_len(family);
	uint8_t cur[16], last[16];

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (addr_cmp(start, end, len) > 0)
		return -EINVAL;
	memcpy(cur, start, len);
	for (;;) {
		unsigned plen = block_len(cur, end, len);

		if (*n >= cap)
			return -E2BIG;
		memset(&ret[*n], 0, sizeof(ret[*n]));
		ret[*n].addr.family = (uint8_t)family;
		memcpy(ret[*n].addr.bytes, cur, len);
		ret[*n].len = (uint8_t)plen;
		(*n)++;
		fill_ones(cur, plen, len, last);
		if (addr_cmp(last, end, len) >= 0 || !incr(last, len))
			return 0;
		memcpy(cur, last, len);
	}
}

bool
prefix_contains(const struct nl_prefix *p, const struct nl_addr *a)
{
	size_t len = addr_len(p->addr.family);

	if (p->addr.family != a->family)
		return false;
	for (unsigned i = 0; i < p->len && i < len * 8; i++)
		if (bit(p->addr.bytes, i) != bit(a->bytes, i))
			return false;
	return true;
}

static bool
prefix_eq(const struct nl_prefix *a, const struct nl_prefix *b)
{
	return a->addr.family == b->addr.family && a->len == b->len &&
	    memcmp(a->addr.bytes, b->addr.bytes, addr_len(a->addr.family)) == 0;
}

int
prefix_set_add(
    struct nl_prefix *set, size_t cap, size_t *n, const struct nl_prefix *p)
{
	for (size_t i = 0; i < *n; i++)
		if (prefix_eq(&set[i], p))
			return 0;
	if (*n >= cap)
		return -E2BIG;
	set[(*n)++] = *p;
	return 0;
}

const char *
prefix_str(const struct nl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(p->addr.family, p->addr.bytes, a, sizeof(a)) == NULL)
		(void)snprintf(a, sizeof(a), "?");
	(void)snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}
