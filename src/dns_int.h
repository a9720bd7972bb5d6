/* SPDX-License-Identifier: ISC */
/*
 * dns_int.h: the two ways dns.c applies a link's DNS (see dns.h).
 * Private to dns*.c.
 */
#ifndef P2S_DNS_INT_H
#define P2S_DNS_INT_H

#include "dns.h"

/* How a try at resolved ended. */
enum dns_bus_result {
	DNS_BUS_OK = 0,	    /* applied */
	DNS_BUS_ABSENT = 1, /* resolved is not on the system bus: fall back */
	DNS_BUS_FAILED = 2, /* resolved refused it (logged) */
};

/* dns_resolved.c: sd-bus, org.freedesktop.resolve1.Manager. */
enum dns_bus_result dns_resolved_apply(
    int ifindex, const char *ifname, const struct dns_config *);
void dns_resolved_revert(int ifindex, const char *ifname);

/* dns_resolvconf.c: resolvconf -a / -d IFACE.  0 when it ran and
 * exited 0; -ENOENT when no resolvconf is in PATH. */
int dns_resolvconf_apply(const char *ifname, const struct dns_config *);
int dns_resolvconf_revert(const char *ifname);

#endif /* P2S_DNS_INT_H */
