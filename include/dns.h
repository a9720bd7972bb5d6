/* SPDX-License-Identifier: ISC */
/*
 * dns.h: the tunnel link's DNS (design.md section 4, "dns").  Owns what
 * was applied to the tunnel interface and how, so that it can be taken
 * back.
 *
 * What.  The servers the gateway pushed (CP INTERNAL_IP4/6_DNS), then
 * the profile's dns.servers, without duplicates; the profile's
 * dns.domains, a leading '~' making a routing-only domain ("~." routes
 * every name).  dns_config_build() makes that list; it is plain data, so
 * that the arguments below can be checked without a bus.
 *
 * How, in order:
 *
 * - systemd-resolved over D-Bus, per link (org.freedesktop.resolve1
 *   Manager): SetLinkDNS(ia(iay)) with the servers, SetLinkDomains(ia(sb))
 *   with the domains (b: routing-only), SetLinkDefaultRoute(ib), false
 *   when every domain is routing-only (only those names go to the
 *   tunnel's servers), else true.  RevertLink(i) takes it all back.
 * - else, when resolved is not on the system bus, resolvconf found in
 *   PATH: `resolvconf -a IFACE` with "nameserver ADDR" lines and one
 *   "search" line (the domains that are not routing-only: resolv.conf has
 *   no routing domains) on its standard input; `resolvconf -d IFACE`
 *   takes it back.
 * - else the servers are logged at notice and nothing is changed: a
 *   tunnel without DNS still carries packets.
 *
 * Blocking, and bounded.  dns_apply() and dns_revert() run when the
 * tunnel comes up and goes down, and finish before returning: each D-Bus
 * call waits at most DNS_BUS_TIMEOUT_MS, resolvconf runs at most
 * DNS_EXEC_TIMEOUT_MS (then it is killed).  A failure is logged and
 * reported as DNS_VIA_NONE; it never takes the tunnel down.
 */
#ifndef P2S_DNS_H
#define P2S_DNS_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "compat.h"
#include "conf.h"
#include "ike_sa.h"

#define DNS_MAX_SERVERS (IKE_CHILD_MAX_DNS + CONF_MAX_DNS_SERVERS)
#define DNS_MAX_DOMAINS CONF_MAX_DNS_DOMAINS
#define DNS_ADDR_LEN	46 /* INET6_ADDRSTRLEN */

/* One server as resolved's (iay) takes it: family and address bytes. */
struct dns_server {
	int family;	  /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* 4 bytes used for AF_INET */
};

/* One domain as resolved's (sb) takes it; name has no leading '~'. */
struct dns_domain {
	char name[CONF_MAX_NAME_LEN + 2]; /* "corp.example", "." */
	bool routing;			  /* "~corp.example": routing-only */
};

struct dns_config {
	struct dns_server servers[DNS_MAX_SERVERS]; /* pushed first */
	size_t n_servers;
	struct dns_domain domains[DNS_MAX_DOMAINS]; /* in profile order */
	size_t n_domains;
	bool default_route; /* resolved's DefaultRoute for the link */
};

enum dns_via {
	DNS_VIA_NONE = 0,      /* not applied (or nothing to apply) */
	DNS_VIA_RESOLVED = 1,  /* systemd-resolved, per link */
	DNS_VIA_RESOLVCONF = 2 /* resolvconf -a IFACE */
};

/* ---- The configuration, without a bus. ---- */

/* pushed: the gateway's servers (AF_INET/AF_INET6; others are skipped);
 * then the profile's.  -EBADMSG for a domain with a character a name
 * cannot have (conf checked them: this is the last line before they
 * reach resolv.conf text). */
int dns_config_build(const struct sockaddr_storage *pushed, size_t n_pushed,
    const struct conf_dns *, struct dns_config *ret) P2S_WUR;
/* "~corp.example" -> { "corp.example", routing }; -EBADMSG: see above. */
int dns_domain_parse(const char *s, struct dns_domain *ret) P2S_WUR;
/* The address as text ("10.1.0.4"), into buf. */
const char *dns_server_str(const struct dns_server *, char buf[DNS_ADDR_LEN]);
/* What resolvconf -a reads: "nameserver A\n"..., "search D ...\n" when
 * a domain is not routing-only.  Its length, or -ENOSPC. */
int dns_resolvconf_text(const struct dns_config *, char *buf, size_t len);

/* ---- Applying it to the link. ---- */

struct dns;

int dns_new(const char *ifname, struct dns **ret) P2S_WUR;
/* Reverts what is applied first. */
void dns_free(struct dns *);

/* Reverts what an earlier call applied, then applies cfg to the link;
 * says how (DNS_VIA_NONE: not at all, and why is logged). */
enum dns_via dns_apply(struct dns *, const struct dns_config *cfg);
/* dns_config_build() from the CHILD_SA's pushed servers and the
 * profile, then dns_apply(); a bad profile domain applies nothing. */
enum dns_via dns_apply_tunnel(
    struct dns *, const struct ike_child *, const struct conf_dns *);
/* Takes back what dns_apply() applied; nothing if nothing is. */
void dns_revert(struct dns *);

/* What the last dns_apply() was given, until dns_revert() (NULL: none),
 * and how it was applied. */
const struct dns_config *dns_applied(const struct dns *);
enum dns_via dns_via(const struct dns *);
const char *dns_via_name(enum dns_via);

#endif /* P2S_DNS_H */
