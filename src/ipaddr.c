/* SPDX-License-Identifier: ISC */
/*
 * ipaddr.c: addresses, prefixes and host names as text (ipaddr.h).
 * Host names are at most CONF_MAX_NAME_LEN bytes (caps.h).
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "ipaddr.h"

int
ip_addr_parse(const char *s, size_t len, struct ip_addr *ret)
{
	char text[INET6_ADDRSTRLEN];
	struct ip_addr ip = { .family = AF_UNSPEC };

	/* A NUL inside would end the text early: "1.2.3.4\0junk". */
	if (len >= sizeof(text) || memchr(s, '\0', len) != NULL)
		return -EBADMSG;
	memcpy(text, s, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, &ip.in4) == 1)
		ip.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &ip.in6) == 1)
		ip.family = AF_INET6;
	else
		return -EBADMSG;
	*ret = ip;
	return 0;
}

static size_t
ip_addr_len(const struct ip_addr *ip)
{
	return ip->family == AF_INET ? sizeof(ip->in4) : sizeof(ip->in6);
}

/* Clear the bits past the prefix length; true if any was set. */
static bool
ip_prefix_mask(struct ip_prefix *pfx)
{
	uint8_t *b = (uint8_t *)&pfx->ip.in6;
	size_t n = ip_addr_len(&pfx->ip);
	bool dirty = false;

	for (size_t i = 0; i < n; i++) {
		size_t bits = pfx->len > 8 * i ? pfx->len - 8 * i : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		dirty |= (b[i] & ~mask) != 0;
		b[i] &= mask;
	}
	return dirty;
}

/* Decimal, no sign, no leading zero, at most max. */
static int
ip_prefix_len(const char *s, size_t len, unsigned max, uint8_t *ret)
{
	unsigned v = 0;

	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*ret = (uint8_t)v;
	return 0;
}

int
ip_prefix_parse(const char *s, size_t len, struct ip_prefix *ret)
{
	const char *slash = memchr(s, '/', len);
	struct ip_prefix pfx = { .len = 0 };
	size_t alen;
	int r;

	if (slash == NULL)
		return -EBADMSG;
	alen = (size_t)(slash - s);
	if (ip_addr_parse(s, alen, &pfx.ip) < 0)
		return -EBADMSG;
	r = ip_prefix_len(slash + 1, len - alen - 1,
	    pfx.ip.family == AF_INET ? 32 : 128, &pfx.len);
	if (r < 0)
		return r;
	r = ip_prefix_mask(&pfx) ? -EDOM : 0;
	*ret = pfx;
	return r;
}

int
ip_prefix_cmp(const struct ip_prefix *a, const struct ip_prefix *b)
{
	int c;

	if (a->ip.family != b->ip.family)
		return a->ip.family < b->ip.family ? -1 : 1;
	c = memcmp(&a->ip.in6, &b->ip.in6, ip_addr_len(&a->ip));
	if (c != 0)
		return c;
	return (int)a->len - (int)b->len;
}

struct ip_prefix_ref {
	const struct ip_prefix *p;
	size_t i; /* its place in the list */
};

static int
ip_prefix_ref_cmp(const void *a, const void *b)
{
	const struct ip_prefix_ref *x = a, *y = b;
	int c = ip_prefix_cmp(x->p, y->p);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

int
ip_prefix_repeats(const struct ip_prefix *v, size_t n, size_t *ret_first)
{
	struct ip_prefix_ref *refs = calloc(n > 0 ? n : 1, sizeof(*refs));
	size_t first = 0;

	if (refs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		refs[i] = (struct ip_prefix_ref){ &v[i], i };
		ret_first[i] = SIZE_MAX;
	}
	qsort(refs, n, sizeof(*refs), ip_prefix_ref_cmp);
	for (size_t i = 1; i < n; i++) {
		if (ip_prefix_cmp(refs[i - 1].p, refs[i].p) != 0)
			first = i;
		else
			ret_first[refs[i].i] = refs[first].i;
	}
	free(refs);
	return 0;
}

bool
ip_addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family &&
	    memcmp(&a->in6, &b->in6, ip_addr_len(a)) == 0;
}

int
ip_addr_print(const struct ip_addr *ip, char *buf, size_t len)
{
	if (inet_ntop(ip->family, &ip->in6, buf, (socklen_t)len) == NULL)
		return -ENOSPC;
	return 0;
}

int
ip_prefix_print(const struct ip_prefix *pfx, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (ip_addr_print(&pfx->ip, ip, sizeof(ip)) < 0)
		return -ENOSPC;
	n = snprintf(buf, len, "%s/%u", ip, (unsigned)pfx->len);
	return n >= 0 && (size_t)n < len ? 0 : -ENOSPC;
}

bool
ip_host_name_valid(const char *s, size_t len, bool underscore)
{
	size_t label = 0;
	bool numeric = true;

	if (len > 1 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > CONF_MAX_NAME_LEN)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			if (i == len)
				break;
			label = 0;
			numeric = true;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c == '_' && underscore) || (c == '-' && label > 0)) {
			label++;
			numeric = false;
		} else if (c >= '0' && c <= '9') {
			label++;
		} else {
			return false;
		}
	}
	return !numeric;
}
