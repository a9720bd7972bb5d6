/* SPDX-License-Identifier: ISC */
/*
 * dns_resolved.c: a link's DNS in systemd-resolved, over the system bus
 * (org.freedesktop.resolve1(5)).  One connection per apply or revert,
 * closed afterwards: this happens when the tunnel comes up or goes down,
 * not often enough to keep a bus connection and its events in the loop.
 * Every call waits at most DNS_BUS_TIMEOUT_MS (see dns.h).
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "dns.h"
#include "dns_int.h"
#include "log.h"

#define RESOLVE1_NAME	 "org.freedesktop.resolve1"
#define RESOLVE1_PATH	 "/org/freedesktop/resolve1"
#define RESOLVE1_MANAGER "org.freedesktop.resolve1.Manager"

/* The bus's own answers that mean "nobody serves resolve1 here". */
static bool
bus_error_absent(const sd_bus_error *e, int r)
{
	static const char *const names[] = {
		SD_BUS_ERROR_SERVICE_UNKNOWN,
		SD_BUS_ERROR_NAME_HAS_NO_OWNER,
		SD_BUS_ERROR_NO_REPLY,
		SD_BUS_ERROR_DISCONNECTED,
		SD_BUS_ERROR_TIMEOUT,
	};

	if (!sd_bus_error_is_set(e))
		return r == -ETIMEDOUT || r == -ECONNRESET || r == -ENOTCONN;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (sd_bus_error_has_name(e, names[i]))
			return true;
	/* Activation failed: no resolved installed to be started. */
	return strncmp(e->name, "org.freedesktop.DBus.Error.Spawn.",
		   strlen("org.freedesktop.DBus.Error.Spawn.")) == 0;
}

static int
bus_open(sd_bus **ret)
{
	int r = sd_bus_open_system(ret);

	if (r < 0)
		return r;
	r = sd_bus_set_method_call_timeout(*ret, DNS_BUS_TIMEOUT_MS * 1000ULL);
	if (r < 0)
		*ret = sd_bus_flush_close_unref(*ret);
	return r;
}

static int
new_call(sd_bus *bus, const char *method, int ifindex, sd_bus_message **ret)
{
	int r = sd_bus_message_new_method_call(
	    bus, ret, RESOLVE1_NAME, RESOLVE1_PATH, RESOLVE1_MANAGER, method);

	if (r >= 0)
		r = sd_bus_message_append(*ret, "i", (int32_t)ifindex);
	return r;
}

/* SetLinkDNS(ia(iay)) */
static int
msg_set_dns(sd_bus *bus, int ifindex, const struct dns_config *cfg,
    sd_bus_message **ret)
{
	int r = new_call(bus, "SetLinkDNS", ifindex, ret);

	if (r >= 0)
		r = sd_bus_message_open_container(*ret, 'a', "(iay)");
	for (size_t i = 0; i < cfg->n_servers && r >= 0; i++) {
		const struct dns_server *s = &cfg->servers[i];

		r = sd_bus_message_open_container(*ret, 'r', "iay");
		if (r >= 0)
			r = sd_bus_message_append(
			    *ret, "i", (int32_t)s->family);
		if (r >= 0)
			r = sd_bus_message_append_array(
			    *ret, 'y', s->addr, s->family == AF_INET ? 4 : 16);
		if (r >= 0)
			r = sd_bus_message_close_container(*ret);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(*ret);
	return r;
}

/* SetLinkDomains(ia(sb)) */
static int
msg_set_domains(sd_bus *bus, int ifindex, const struct dns_config *cfg,
    sd_bus_message **ret)
{
	int r = new_call(bus, "SetLinkDomains", ifindex, ret);

	if (r >= 0)
		r = sd_bus_message_open_container(*ret, 'a', "(sb)");
	for (size_t i = 0; i < cfg->n_domains && r >= 0; i++)
		r = sd_bus_message_append(*ret, "(sb)", cfg->domains[i].name,
		    (int)cfg->domains[i].routing);
	if (r >= 0)
		r = sd_bus_message_close_container(*ret);
	return r;
}

/* SetLinkDefaultRoute(ib) */
static int
msg_set_default_route(sd_bus *bus, int ifindex, const struct dns_config *cfg,
    sd_bus_message **ret)
{
	int r = new_call(bus, "SetLinkDefaultRoute", ifindex, ret);

	if (r >= 0)
		r = sd_bus_message_append(*ret, "b", (int)cfg->default_route);
	return r;
}

/* RevertLink(i) */
static int
msg_revert(sd_bus *bus, int ifindex, const struct dns_config *cfg,
    sd_bus_message **ret)
{
	(void)cfg;
	return new_call(bus, "RevertLink", ifindex, ret);
}

typedef int (*msg_fn)(
    sd_bus *, int, const struct dns_config *, sd_bus_message **);

/* Build and send one call; the bus's error, if any, in *err. */
static int
call(sd_bus *bus, msg_fn build, int ifindex, const struct dns_config *cfg,
    sd_bus_error *err)
{
	sd_bus_message *m = NULL;
	int r = build(bus, ifindex, cfg, &m);

	if (r >= 0)
		r = sd_bus_call(bus, m, 0, err, NULL);
	sd_bus_message_unref(m);
	return r;
}

static const char *
err_text(const sd_bus_error *e, int r)
{
	if (sd_bus_error_is_set(e))
		return e->message != NULL ? e->message : e->name;
	return strerror(-r);
}

enum dns_bus_result
dns_resolved_apply(
    int ifindex, const char *ifname, const struct dns_config *cfg)
{
	static const struct {
		const char *what;
		msg_fn build;
	} steps[] = {
		{ "SetLinkDNS", msg_set_dns },
		{ "SetLinkDomains", msg_set_domains },
		{ "SetLinkDefaultRoute", msg_set_default_route },
	};
	sd_bus_error err = SD_BUS_ERROR_NULL;
	enum dns_bus_result res = DNS_BUS_OK;
	sd_bus *bus = NULL;
	int r;

	r = bus_open(&bus);
	if (r < 0) {
		log_info("dns: no system bus (%s): not systemd-resolved",
		    strerror(-r));
		return DNS_BUS_ABSENT;
	}
	for (size_t i = 0; i < ARRAY_SIZE(steps) && res == DNS_BUS_OK; i++) {
		r = call(bus, steps[i].build, ifindex, cfg, &err);
		if (r >= 0)
			continue;
		if (i == 0 && bus_error_absent(&err, r)) {
			log_info("dns: systemd-resolved is not on the system "
				 "bus (%s)",
			    err_text(&err, r));
			res = DNS_BUS_ABSENT;
		} else if (steps[i].build == msg_set_default_route &&
		    sd_bus_error_has_name(&err, SD_BUS_ERROR_UNKNOWN_METHOD)) {
			/* resolved before 246: the domains still route. */
			log_notice("dns: this systemd-resolved has no %s",
			    steps[i].what);
		} else {
			log_err("dns: systemd-resolved refused %s for %s: %s",
			    steps[i].what, ifname, err_text(&err, r));
			res = DNS_BUS_FAILED;
		}
		sd_bus_error_free(&err);
	}
	/* Half applied is worse than nothing: take it back. */
	if (res == DNS_BUS_FAILED &&
	    call(bus, msg_revert, ifindex, cfg, &err) < 0)
		sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
	return res;
}

void
dns_resolved_revert(int ifindex, const char *ifname)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus *bus = NULL;
	int r;

	r = bus_open(&bus);
	if (r >= 0)
		r = call(bus, msg_revert, ifindex, NULL, &err);
	if (r < 0)
		log_warn("dns: systemd-resolved: RevertLink for %s: %s", ifname,
		    err_text(&err, r));
	sd_bus_error_free(&err);
	sd_bus_flush_close_unref(bus);
}
