/* SPDX-License-Identifier: ISC */
/*
 * ipaddr.h: IP addresses, prefixes and host names as people write them.
 * The one parser and printer behind the profile (conf.h) and the Azure
 * package (azpkg.h), so that what `p2sctl import` accepts and writes is
 * exactly what p2sd loads.  Plain values, no allocation, no I/O.
 */
#ifndef P2S_IPADDR_H
#define P2S_IPADDR_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

/* An IPv4 or IPv6 address; family AF_UNSPEC (0) means "none given". */
struct ip_addr {
	int family; /* AF_INET, AF_INET6 or AF_UNSPEC */
	union {
		struct in_addr in4;  /* network order */
		struct in6_addr in6; /* network order */
	};
};

struct ip_prefix {
	struct ip_addr ip; /* the network: host bits are zero */
	uint8_t len;	   /* prefix length, bits */
};

/* "ffff:...:ffff/128" fits with its NUL. */
#define IP_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

/* s[0..len): "192.0.2.1" or "2001:db8::1".  -EBADMSG if neither. */
int ip_addr_parse(const char *s, size_t len, struct ip_addr *ret) P2S_WUR;

/*
 * s[0..len): "10.1.0.0/16": the length in decimal, no sign, no leading
 * zero.  -EBADMSG if malformed, -ERANGE if the length is past 32 or 128,
 * -EDOM if host bits are set: *ret then holds the masked prefix, so that
 * a message can name the network that was meant.
 */
int ip_prefix_parse(const char *s, size_t len, struct ip_prefix *ret) P2S_WUR;

/* A total order: family, then network, then length; 0 if equal. */
int ip_prefix_cmp(const struct ip_prefix *, const struct ip_prefix *);
bool ip_addr_eq(const struct ip_addr *, const struct ip_addr *);

/*
 * Repeats in a list, in n log n (routes may number thousands): for each
 * v[i] equal to an earlier v[j], ret_first[i] = the first such j; else
 * SIZE_MAX.  ret_first has room for n.  -ENOMEM.
 */
int ip_prefix_repeats(
    const struct ip_prefix *v, size_t n, size_t *ret_first) P2S_WUR;

/* Text into buf; -ENOSPC if it does not fit (IP_PREFIX_STRLEN does). */
int ip_addr_print(const struct ip_addr *, char *buf, size_t len);
int ip_prefix_print(const struct ip_prefix *, char *buf, size_t len);

/*
 * s[0..len) is an RFC 1123 2.1 host name (a trailing dot allowed), with
 * '_' in labels if underscore (DNS routing domains).  An all-numeric last
 * label is refused (RFC 3696 2): "300.1.1.1" is a mistyped address.
 */
bool ip_host_name_valid(const char *s, size_t len, bool underscore);

#endif /* P2S_IPADDR_H */
