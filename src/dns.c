/* SPDX-License-Identifier: ISC */
/*
 * dns.c: the tunnel link's DNS (see dns.h): the list of servers and
 * domains, and which way it is applied and taken back.
 */
#include <sys/socket.h>

#include <net/if.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dns_int.h"
#include "log.h"

struct dns {
	char ifname[IF_NAMESIZE];
	int ifindex;	       /* of the link resolved was told about */
	enum dns_via via;      /* how cfg was applied */
	bool applied;	       /* cfg is in force (perhaps via none) */
	struct dns_config cfg; /* what dns_apply() was given */
};

static const char *const via_names[] = {
	[DNS_VIA_NONE] = "none",
	[DNS_VIA_RESOLVED] = "resolved",
	[DNS_VIA_RESOLVCONF] = "resolvconf",
};

const char *
dns_via_name(enum dns_via v)
{
	return (unsigned)v < ARRAY_SIZE(via_names) ? via_names[v] : "?";
}

/* ---- The configuration. ---- */

static bool
server_eq(const struct dns_server *a, const struct dns_server *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->addr, b->addr, len) == 0;
}

static void
server_add(struct dns_config *cfg, int family, const void *addr)
{
	struct dns_server s = { .family = family };

	if (cfg->n_servers == DNS_MAX_SERVERS)
		return;
	memcpy(s.addr, addr, family == AF_INET ? 4 : 16);
	for (size_t i = 0; i < cfg->n_servers; i++)
		if (server_eq(&cfg->servers[i], &s))
			return;
	cfg->servers[cfg->n_servers++] = s;
}

static void
server_add_ss(struct dns_config *cfg, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		server_add(
		    cfg, AF_INET, &((const struct sockaddr_in *)ss)->sin_addr);
	else if (ss->ss_family == AF_INET6)
		server_add(cfg, AF_INET6,
		    &((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* Only what a domain name may hold: it becomes resolv.conf text. */
static bool
domain_chars_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
			*s == '.'))
			return false;
	return true;
}

int
dns_domain_parse(const char *s, struct dns_domain *ret)
{
	bool routing = s[0] == '~';
	const char *name = s + routing;

	if (strlen(name) >= sizeof(ret->name) || !domain_chars_ok(name))
		return -EBADMSG;
	(void)snprintf(ret->name, sizeof(ret->name), "%s", name);
	ret->routing = routing;
	return 0;
}

int
dns_config_build(const struct sockaddr_storage *pushed, size_t n_pushed,
    const struct conf_dns *conf, struct dns_config *ret)
{
	bool all_routing = conf->n_domains > 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < n_pushed; i++)
		server_add_ss(ret, &pushed[i]);
	for (size_t i = 0; i < conf->n_servers; i++)
		server_add(ret, conf->servers[i].family, &conf->servers[i].in6);
	for (size_t i = 0; i < conf->n_domains && i < DNS_MAX_DOMAINS; i++) {
		r = dns_domain_parse(conf->domains[i], &ret->domains[i]);
		if (r < 0) {
			log_err("dns.domains: item %zu is not a domain name",
			    i + 1);
			return r;
		}
		all_routing = all_routing && ret->domains[i].routing;
		ret->n_domains++;
	}
	ret->default_route = !all_routing;
	return 0;
}

const char *
dns_server_str(const struct dns_server *s, char buf[DNS_ADDR_LEN])
{
	if (inet_ntop(s->family, s->addr, buf, DNS_ADDR_LEN) == NULL)
		(void)snprintf(buf, DNS_ADDR_LEN, "?");
	return buf;
}

/* Appends to buf at *off; -ENOSPC when it does not fit whole. */
static int P2S_PRINTF(4, 5)
    append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off)
		return -ENOSPC;
	*off += (size_t)n;
	return 0;
}

int
dns_resolvconf_text(const struct dns_config *cfg, char *buf, size_t len)
{
	char a[DNS_ADDR_LEN];
	const char *sep = "search ";
	size_t off = 0;
	int r = len > 0 ? 0 : -ENOSPC;

	if (r == 0)
		buf[0] = '\0';
	for (size_t i = 0; i < cfg->n_servers && r == 0; i++)
		r = append(buf, len, &off, "nameserver %s\n",
		    dns_server_str(&cfg->servers[i], a));
	for (size_t i = 0; i < cfg->n_domains && r == 0; i++) {
		if (cfg->domains[i].routing)
			continue; /* resolv.conf has no routing domains */
		r = append(buf, len, &off, "%s%s", sep, cfg->domains[i].name);
		sep = " ";
	}
	if (r == 0 && sep[0] == ' ')
		r = append(buf, len, &off, "\n");
	return r < 0 ? r : (int)off;
}

/* ---- Applying it. ---- */

int
dns_new(const char *ifname, struct dns **ret)
{
	struct dns *d;

	if (strlen(ifname) >= IF_NAMESIZE)
		return -ENAMETOOLONG;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	(void)snprintf(d->ifname, sizeof(d->ifname), "%s", ifname);
	*ret = d;
	return 0;
}

void
dns_free(struct dns *d)
{
	if (d == NULL)
		return;
	dns_revert(d);
	free(d);
}

static void
log_servers(
    int prio, const char *ifname, const struct dns_config *cfg, const char *how)
{
	char list[DNS_MAX_SERVERS * (DNS_ADDR_LEN + 1)] = "", a[DNS_ADDR_LEN];
	size_t off = 0;

	for (size_t i = 0; i < cfg->n_servers; i++)
		if (append(list, sizeof(list), &off, "%s%s", i > 0 ? " " : "",
			dns_server_str(&cfg->servers[i], a)) < 0)
			break;
	log_emit(prio, __func__, 0,
	    "dns on %s: servers [%s], %zu domain(s): %s", ifname, list,
	    cfg->n_domains, how);
}

static enum dns_via
apply_via(struct dns *d, const struct dns_config *cfg)
{
	enum dns_bus_result b;
	int r;

	d->ifindex = (int)if_nametoindex(d->ifname);
	if (d->ifindex <= 0) {
		log_err("dns: no interface %s to set DNS on", d->ifname);
		return DNS_VIA_NONE;
	}
	b = dns_resolved_apply(d->ifindex, d->ifname, cfg);
	if (b == DNS_BUS_OK)
		return DNS_VIA_RESOLVED;
	if (b == DNS_BUS_FAILED)
		return DNS_VIA_NONE;
	r = dns_resolvconf_apply(d->ifname, cfg);
	if (r == 0)
		return DNS_VIA_RESOLVCONF;
	if (r == -ENOENT)
		log_servers(LOG_NOTICE, d->ifname, cfg,
		    "not applied: systemd-resolved is not on the system bus "
		    "and there is no resolvconf in PATH");
	return DNS_VIA_NONE;
}

enum dns_via
dns_apply(struct dns *d, const struct dns_config *cfg)
{
	dns_revert(d);
	d->cfg = *cfg;
	d->applied = true;
	if (cfg->n_servers == 0 && cfg->n_domains == 0) {
		log_info("dns on %s: no servers, no domains: nothing to apply",
		    d->ifname);
		d->via = DNS_VIA_NONE;
		return d->via;
	}
	d->via = apply_via(d, cfg);
	if (d->via != DNS_VIA_NONE)
		log_servers(LOG_INFO, d->ifname, cfg,
		    d->via == DNS_VIA_RESOLVED ? "set in systemd-resolved"
					       : "given to resolvconf");
	return d->via;
}

enum dns_via
dns_apply_tunnel(
    struct dns *d, const struct ike_child *c, const struct conf_dns *conf)
{
	struct dns_config cfg;

	if (dns_config_build(c->dns, c->n_dns, conf, &cfg) < 0) {
		dns_revert(d);
		return DNS_VIA_NONE;
	}
	return dns_apply(d, &cfg);
}

void
dns_revert(struct dns *d)
{
	if (d == NULL || !d->applied)
		return;
	if (d->via == DNS_VIA_RESOLVED)
		dns_resolved_revert(d->ifindex, d->ifname);
	else if (d->via == DNS_VIA_RESOLVCONF)
		(void)dns_resolvconf_revert(d->ifname);
	if (d->via != DNS_VIA_NONE)
		log_info("dns on %s: reverted (%s)", d->ifname,
		    dns_via_name(d->via));
	d->applied = false;
	d->via = DNS_VIA_NONE;
}

const struct dns_config *
dns_applied(const struct dns *d)
{
	return d->applied ? &d->cfg : NULL;
}

enum dns_via
dns_via(const struct dns *d)
{
	return d->via;
}
