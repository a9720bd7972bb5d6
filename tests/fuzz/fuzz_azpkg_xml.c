/* SPDX-License-Identifier: ISC */
/*
 * fuzz_azpkg_xml.c: VpnSettings.xml on arbitrary bytes, through the
 * parser and then the checks (without a zip).  Besides not crashing or
 * leaking: a failure leaves the out-parameter alone and says why; parsed
 * values are trimmed, non-empty and within their caps; a checked package
 * has a gateway, IKEv2, 1 to AZPKG_MAX_ROOTS distinct roots, and prefixes
 * that print and have no host bits.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
fuzz_trimmed(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && strchr(" \t\r\n", s[0]) == NULL &&
	    strchr(" \t\r\n", s[n - 1]) == NULL;
}

static void
fuzz_list_ok(const struct azpkg_list *l, size_t max)
{
	if (l->n > max)
		abort();
	for (size_t i = 0; i < l->n; i++)
		if (!fuzz_trimmed(l->v[i]))
			abort();
}

static void
fuzz_settings_ok(const struct azpkg_settings *s)
{
	const char *scalars[] = { s->vpn_server, s->ca_cert, s->auth,
		s->vnet_name, s->vnet_id, s->root_cn, s->issuer_cn };

	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		if (scalars[i] != NULL && !fuzz_trimmed(scalars[i]))
			abort();
	fuzz_list_ok(&s->vpn_type, AZPKG_MAX_LIST);
	fuzz_list_ok(&s->ca_certs, AZPKG_MAX_ROOTS);
	fuzz_list_ok(&s->routes, AZPKG_MAX_ROUTES);
	fuzz_list_ok(&s->pool, AZPKG_MAX_LIST);
	fuzz_list_ok(&s->dns, AZPKG_MAX_LIST);
	fuzz_list_ok(&s->root_cns, AZPKG_MAX_LIST);
	fuzz_list_ok(&s->issuer_cns, AZPKG_MAX_LIST);
	if (s->unknown.n > AZPKG_MAX_LIST || s->unknown.n > s->n_unknown)
		abort();
}

static void
fuzz_prefixes_ok(const struct ip_prefix *v, size_t n)
{
	char text[IP_PREFIX_STRLEN];

	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = v[i].ip.family == AF_INET
		    ? (const uint8_t *)&v[i].ip.in4
		    : (const uint8_t *)&v[i].ip.in6;
		size_t bytes = v[i].ip.family == AF_INET ? 4 : 16;

		if (ip_prefix_print(&v[i], text, sizeof(text)) < 0 ||
		    v[i].len > 8 * bytes)
			abort();
		for (size_t k = v[i].len; k < 8 * bytes; k++)
			if (b[k / 8] & (0x80 >> (k % 8)))
				abort(); /* a host bit */
	}
}

static void
fuzz_azpkg_ok(const struct azpkg *pkg)
{
	if (pkg->gateway == NULL || !(pkg->tunnels & AZPKG_TUNNEL_IKEV2) ||
	    pkg->n_roots < 1 || pkg->n_roots > AZPKG_MAX_ROOTS ||
	    pkg->notes.n > AZPKG_MAX_NOTES)
		abort();
	for (size_t i = 0; i < pkg->n_roots; i++) {
		const struct buf *a = pkg->roots[i].der;

		if (a->len < 2 || a->p[0] != 0x30 ||
		    pkg->roots[i].source == NULL)
			abort();
		for (size_t j = 0; j < i; j++)
			if (pkg->roots[j].der->len == a->len &&
			    memcmp(pkg->roots[j].der->p, a->p, a->len) == 0)
				abort();
	}
	fuzz_prefixes_ok(pkg->routes, pkg->n_routes);
	fuzz_prefixes_ok(pkg->pools, pkg->n_pools);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct azpkg_settings *s = (struct azpkg_settings *)&s;
	struct azpkg *pkg = (struct azpkg *)&pkg;
	struct azpkg_err err = { .msg = "" };

	/* Past the cap the parser refuses without parsing. */
	if (size > AZPKG_XML_MAX_LEN + 1)
		return 0;
	if (azpkg_xml_parse(data, size, &s, &err) < 0) {
		if (s != (struct azpkg_settings *)&s || err.msg[0] == '\0')
			abort();
		return 0;
	}
	fuzz_settings_ok(s);
	err.msg[0] = '\0';
	if (azpkg_check(s, NULL, &pkg, &err) < 0) {
		if (pkg != (struct azpkg *)&pkg || err.msg[0] == '\0')
			abort();
	} else {
		fuzz_azpkg_ok(pkg);
		azpkg_free(pkg);
	}
	azpkg_settings_free(s);
	return 0;
}
