/* SPDX-License-Identifier: ISC */
/*
 * azpkg_check.c: from the strings of VpnSettings.xml (and the files of the
 * zip) to struct azpkg (azpkg.h), checking each value and saying, for any
 * that is wrong, which element it was and what to do about it.  The rules
 * follow azure-p2s-facts.md 2.2 and 9: VpnServer is required, VpnType must
 * list IkeV2, Routes and VpnClientAddressPool are prefixes (IPv4 in every
 * sample; IPv6 is taken too), CustomDnsServers addresses.  The result must
 * load again as a profile (conf.h), so routes are made unique here and the
 * gateway host follows the profile's host rules.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azpkg_int.h"
#include "log.h"

/* ------------------------------------------------------------------ */
/* Addresses and prefixes. */

/* Drop later repeats, keeping the package's order; how many went. */
static int
azpkg_prefix_unique(struct ip_prefix *v, size_t *n, size_t *ret_dropped)
{
	size_t *first = calloc(*n > 0 ? *n : 1, sizeof(*first));
	size_t k = 0;

	if (first == NULL || ip_prefix_repeats(v, *n, first) < 0) {
		free(first);
		return -ENOMEM;
	}
	for (size_t i = 0; i < *n; i++)
		if (first[i] == SIZE_MAX)
			v[k++] = v[i];
	*ret_dropped = *n - k;
	*n = k;
	free(first);
	return 0;
}

static int
azpkg_check_prefixes(const char *elem, const struct azpkg_list *l,
    struct azpkg *pkg, struct ip_prefix **ret, size_t *ret_n,
    struct azpkg_err *err)
{
	struct ip_prefix *v = calloc(l->n > 0 ? l->n : 1, sizeof(*v));
	char net[IP_PREFIX_STRLEN];
	size_t n = l->n, dropped = 0;
	int r = 0;

	if (v == NULL)
		return azpkg_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = ip_prefix_parse(l->v[i], strlen(l->v[i]), &v[i]);
		if (r == -EDOM) {
			(void)ip_prefix_print(&v[i], net, sizeof(net));
			r = azpkg_fail(err, -EBADMSG,
			    "VpnSettings.xml <%s> item %zu (" AZPKG_ECHO
			    ") has host bits set: did you mean %s? Correct it on the gateway and download the package again",
			    elem, i + 1, l->v[i], net);
		} else if (r < 0) {
			r = azpkg_fail(err, -EBADMSG,
			    "VpnSettings.xml <%s> item %zu (" AZPKG_ECHO
			    ") is not a prefix like 10.1.0.0/16",
			    elem, i + 1, l->v[i]);
		}
	}
	if (r == 0 && azpkg_prefix_unique(v, &n, &dropped) < 0)
		r = azpkg_fail(err, -ENOMEM, "out of memory");
	if (r == 0 && dropped > 0 &&
	    azpkg_note(pkg, "<%s> lists %zu prefixes more than once; kept once",
		elem, dropped) < 0)
		r = azpkg_fail(err, -ENOMEM, "out of memory");
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int
azpkg_check_dns(
    const struct azpkg_list *l, struct azpkg *pkg, struct azpkg_err *err)
{
	struct ip_addr *v = calloc(l->n > 0 ? l->n : 1, sizeof(*v));
	size_t n = 0;

	if (v == NULL)
		return azpkg_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		struct ip_addr a;
		bool seen = false;

		if (ip_addr_parse(l->v[i], strlen(l->v[i]), &a) < 0) {
			free(v);
			return azpkg_fail(err, -EBADMSG,
			    "VpnSettings.xml <CustomDnsServers> item %zu (" AZPKG_ECHO
			    ") is not an IPv4 or IPv6 address",
			    i + 1, l->v[i]);
		}
		for (size_t j = 0; j < n && !seen; j++)
			seen = ip_addr_eq(&a, &v[j]);
		if (!seen)
			v[n++] = a;
	}
	pkg->dns = v;
	pkg->n_dns = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names and words. */

static int
azpkg_check_gateway(
    const struct azpkg_settings *s, struct azpkg *pkg, struct azpkg_err *err)
{
	struct ip_addr ip;
	size_t len;

	if (s->vpn_server == NULL)
		return azpkg_fail(err, -EBADMSG,
		    "VpnSettings.xml has no <VpnServer>, the gateway's address: download the package again (Azure portal: the gateway's Point-to-site configuration > Download VPN client)");
	len = strlen(s->vpn_server);
	if (ip_addr_parse(s->vpn_server, len, &ip) < 0 &&
	    !ip_host_name_valid(s->vpn_server, len, false))
		return azpkg_fail(err, -EBADMSG,
		    "VpnSettings.xml <VpnServer> (" AZPKG_ECHO
		    ") is neither a DNS name nor an address",
		    s->vpn_server);
	pkg->gateway = strdup(s->vpn_server);
	return pkg->gateway != NULL ? 0
				    : azpkg_fail(err, -ENOMEM, "out of memory");
}

/* "IkeV2,OpenVPN" again, for messages. */
static void
azpkg_join(const struct azpkg_list *l, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && at < len; i++) {
		int n = snprintf(
		    buf + at, len - at, "%s%s", i > 0 ? "," : "", l->v[i]);

		if (n < 0)
			break;
		at += (size_t)n;
	}
}

static int
azpkg_check_tunnels(
    const struct azpkg_settings *s, struct azpkg *pkg, struct azpkg_err *err)
{
	static const struct {
		const char *name;
		enum azpkg_tunnel bit;
	} types[] = { { "IkeV2", AZPKG_TUNNEL_IKEV2 },
		{ "OpenVPN", AZPKG_TUNNEL_OPENVPN },
		{ "SSTP", AZPKG_TUNNEL_SSTP } };
	char text[128];

	if (s->vpn_type.n == 0)
		return azpkg_fail(err, -EBADMSG,
		    "VpnSettings.xml has no <VpnType>, the gateway's tunnel type: download the package again");
	for (size_t i = 0; i < s->vpn_type.n; i++) {
		const char *t = s->vpn_type.v[i];
		unsigned bit = 0;

		for (size_t j = 0; j < ARRAY_SIZE(types); j++)
			if (azpkg_name_eq(t, strlen(t), types[j].name))
				bit = types[j].bit;
		if (bit == 0 &&
		    azpkg_note(pkg,
			"unknown tunnel type '" AZPKG_ECHO
			"' in <VpnType>, ignored",
			t) < 0)
			return azpkg_fail(err, -ENOMEM, "out of memory");
		pkg->tunnels |= bit;
	}
	if (pkg->tunnels & AZPKG_TUNNEL_IKEV2)
		return 0;
	azpkg_join(&s->vpn_type, text, sizeof(text));
	return azpkg_fail(err, -EPROTO,
	    "the gateway's tunnel type does not include IKEv2 (VpnType: %.64s); in the Azure portal set Point-to-site configuration > Tunnel type to IKEv2 (or IKEv2 and OpenVPN); the Basic SKU cannot do IKEv2",
	    text);
}

static int
azpkg_check_auth(
    const struct azpkg_settings *s, struct azpkg *pkg, struct azpkg_err *err)
{
	const char *p = s->auth;

	if (p == NULL) {
		pkg->auth = AZPKG_AUTH_UNSTATED;
		return azpkg_note(pkg,
			   "VpnSettings.xml does not give the authentication type (<Auth>); taking it to be Azure certificate") <
			0
		    ? azpkg_fail(err, -ENOMEM, "out of memory")
		    : 0;
	}
	/* Perhaps several, comma-separated, if a gateway offers several. */
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (azpkg_name_eq(p, n, "EAPTLS")) {
			pkg->auth = AZPKG_AUTH_EAPTLS;
			return 0;
		}
		p += strcspn(p, ",");
		p += strspn(p, ", ");
	}
	return azpkg_fail(err, -EPROTO,
	    "the gateway's authentication type is " AZPKG_ECHO
	    " (Auth), not Azure certificate (EAPTLS); in the Azure portal set Point-to-site configuration > Authentication type to Azure certificate and download the VPN client again",
	    s->auth);
}

/* ------------------------------------------------------------------ */
/* Free text. */

struct azpkg_text_field {
	const char *elem;
	size_t off; /* char * in struct azpkg_settings */
};

/* Every value shown or written as text; base64 is the decoder's. */
static const struct azpkg_text_field azpkg_text_scalars[] = {
	{ "VpnServer", offsetof(struct azpkg_settings, vpn_server) },
	{ "Auth", offsetof(struct azpkg_settings, auth) },
	{ "VnetName", offsetof(struct azpkg_settings, vnet_name) },
	{ "VnetId", offsetof(struct azpkg_settings, vnet_id) },
	{ "ServerCertRootCn", offsetof(struct azpkg_settings, root_cn) },
	{ "ServerCertIssuerCn", offsetof(struct azpkg_settings, issuer_cn) },
};

static const struct azpkg_text_field azpkg_text_lists[] = {
	{ "VpnType", offsetof(struct azpkg_settings, vpn_type) },
	{ "Routes", offsetof(struct azpkg_settings, routes) },
	{ "VpnClientAddressPool", offsetof(struct azpkg_settings, pool) },
	{ "CustomDnsServers", offsetof(struct azpkg_settings, dns) },
	{ "ServerCertsRootCn", offsetof(struct azpkg_settings, root_cns) },
	{ "ServerCertsIssuerCn", offsetof(struct azpkg_settings, issuer_cns) },
};

static int
azpkg_text_fail(const char *elem, struct azpkg_err *err)
{
	return azpkg_fail(err, -EBADMSG,
	    "VpnSettings.xml <%s> holds a line break or another control or formatting character; Azure writes none",
	    elem);
}

static const void *
azpkg_text_slot(const struct azpkg_settings *s, size_t off)
{
	return (const char *)s + off;
}

static int
azpkg_check_texts(const struct azpkg_settings *s, struct azpkg_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(azpkg_text_scalars); i++) {
		char *const *p = azpkg_text_slot(s, azpkg_text_scalars[i].off);

		if (*p != NULL && !azpkg_text_ok(*p, strlen(*p)))
			return azpkg_text_fail(azpkg_text_scalars[i].elem, err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(azpkg_text_lists); i++) {
		const struct azpkg_list *l =
		    azpkg_text_slot(s, azpkg_text_lists[i].off);

		for (size_t j = 0; j < l->n; j++)
			if (!azpkg_text_ok(l->v[j], strlen(l->v[j])))
				return azpkg_text_fail(
				    azpkg_text_lists[i].elem, err);
	}
	return 0;
}

static int
azpkg_copy_str(const char *s, char **ret)
{
	if (s == NULL)
		return 0;
	*ret = strdup(s);
	return *ret != NULL ? 0 : -ENOMEM;
}

/* The names the XML gives the roots, old form first. */
static int
azpkg_copy_cns(const struct azpkg_settings *s, struct azpkg *pkg)
{
	if (s->root_cn != NULL &&
	    azpkg_list_push(&pkg->root_cns, s->root_cn, strlen(s->root_cn)) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->root_cns.n; i++)
		if (azpkg_list_push(&pkg->root_cns, s->root_cns.v[i],
			strlen(s->root_cns.v[i])) < 0)
			return -ENOMEM;
	if (azpkg_copy_str(s->vnet_name, &pkg->vnet_name) < 0 ||
	    azpkg_copy_str(s->vnet_id, &pkg->vnet_id) < 0)
		return -ENOMEM;
	return 0;
}

static int
azpkg_check_notes(const struct azpkg_settings *s, const struct azpkg_files *f,
    struct azpkg *pkg)
{
	if (s->n_unknown > 0 &&
	    azpkg_note(pkg,
		"VpnSettings.xml has %zu element(s) p2s does not know, ignored (first: <%.64s>)",
		s->n_unknown, s->unknown.n > 0 ? s->unknown.v[0] : "?") < 0)
		return -ENOMEM;
	if (s->routes.n == 0 &&
	    azpkg_note(pkg,
		"VpnSettings.xml lists no <Routes>; the routes will be the traffic selectors the gateway sends") <
		0)
		return -ENOMEM;
	for (size_t i = 0; f != NULL && i < f->n_entries; i++)
		if (f->entries[i].kind == AZPKG_KIND_RADIUS_ROOT &&
		    azpkg_note(pkg,
			"the package holds %.200s: the gateway uses RADIUS; p2s trusts only the gateway roots",
			f->entries[i].name) < 0)
			return -ENOMEM;
	return 0;
}

static int
azpkg_check_values(const struct azpkg_settings *s, const struct azpkg_files *f,
    struct azpkg *pkg, struct azpkg_err *err)
{
	int r;

	r = azpkg_check_texts(s, err);
	if (r == 0)
		r = azpkg_check_gateway(s, pkg, err);
	if (r == 0)
		r = azpkg_check_tunnels(s, pkg, err);
	if (r == 0)
		r = azpkg_check_auth(s, pkg, err);
	if (r == 0)
		r = azpkg_check_prefixes("Routes", &s->routes, pkg,
		    &pkg->routes, &pkg->n_routes, err);
	if (r == 0)
		r = azpkg_check_prefixes("VpnClientAddressPool", &s->pool, pkg,
		    &pkg->pools, &pkg->n_pools, err);
	if (r == 0)
		r = azpkg_check_dns(&s->dns, pkg, err);
	if (r == 0)
		r = azpkg_roots_collect(s, f, pkg, err);
	if (r == 0 &&
	    (azpkg_copy_cns(s, pkg) < 0 || azpkg_check_notes(s, f, pkg) < 0))
		r = azpkg_fail(err, -ENOMEM, "out of memory");
	return r;
}

int
azpkg_check(const struct azpkg_settings *s, const struct azpkg_files *f,
    struct azpkg **ret, struct azpkg_err *ret_err)
{
	struct azpkg *pkg = calloc(1, sizeof(*pkg));
	int r;

	if (pkg == NULL)
		return azpkg_fail(ret_err, -ENOMEM, "out of memory");
	r = azpkg_check_values(s, f, pkg, ret_err);
	if (r < 0) {
		azpkg_free(pkg);
		return r;
	}
	*ret = pkg;
	return 0;
}
