/* SPDX-License-Identifier: ISC */
/*
 * ctl_check.c: see ctl_check.h.  Equality compares what the JSON carries,
 * field by field: not the bytes of the struct (padding, unused entries,
 * routes_cap).
 */
#include <stdio.h>
#include <string.h>

#include "ctl_check.h"

int
ctl_check_sample(struct ctl_status *st, size_t n_routes)
{
	int r = 0;

	ctl_status_init(st);
	(void)snprintf(st->name, sizeof(st->name), "corp");
	st->state = CTL_STATE_ESTABLISHED;
	(void)snprintf(st->gateway.host, sizeof(st->gateway.host),
	    "azuregateway-0123.vpn.azure.com");
	(void)snprintf(
	    st->gateway.address, sizeof(st->gateway.address), "2001:db8::1");
	st->gateway.port = 4500;
	(void)snprintf(st->interface, sizeof(st->interface), "p2s-corp");
	st->datapath = CTL_DATAPATH_USERSPACE;
	(void)snprintf(st->virtual_ip, sizeof(st->virtual_ip), "172.16.201.2");
	if (ctl_status_add_dns(st, "10.1.0.4") < 0 ||
	    ctl_status_add_dns(st, "fd00::53") < 0)
		return -1;
	st->dns_via = CTL_DNS_VIA_RESOLVED;
	for (size_t i = 0; i < n_routes && r == 0; i++) {
		char p[CTL_PREFIX_LEN];

		(void)snprintf(
		    p, sizeof(p), "10.%zu.%zu.0/24", i / 256 % 256, i % 256);
		r = ctl_status_add_route(st, p);
	}
	st->ike = (struct ctl_ike){ .present = true,
		.spi_i = 0x0123456789abcdefULL,
		.spi_r = 0xfedcba9876543210ULL,
		.established_at = 1700000000,
		.rekey_in_s = 10800 };
	(void)snprintf(st->ike.proposal, sizeof(st->ike.proposal),
	    "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
	st->children[0] = (struct ctl_child){ .spi_in = 0xc0ffee01,
		.spi_out = 0x80000000,
		.bytes_in = 1268776,
		.bytes_out = UINT64_MAX,
		.packets_in = 1024,
		.packets_out = 12,
		.drops = { .replay = 3,
		    .integrity = 0,
		    .no_sa = 5,
		    .policy = CTL_UNKNOWN,
		    .send = 2 } };
	(void)snprintf(st->children[0].proposal,
	    sizeof(st->children[0].proposal), "AES_GCM_16_256");
	st->children[1] = st->children[0];
	st->children[1].spi_in = 7;
	st->n_children = 2;
	st->handshake = (struct ctl_handshake){
		.present = true, .round_trips = 8, .ms = 312
	};
	(void)snprintf(st->last_error, sizeof(st->last_error),
	    "gateway certificate not trusted: \"CN=x\" \\ /\n\t\x01");
	return r;
}

static bool
ike_equal(const struct ctl_ike *a, const struct ctl_ike *b)
{
	if (a->present != b->present)
		return false;
	return !a->present ||
	    (a->spi_i == b->spi_i && a->spi_r == b->spi_r &&
		strcmp(a->proposal, b->proposal) == 0 &&
		a->established_at == b->established_at &&
		(a->rekey_in_s < 0 ? b->rekey_in_s < 0
				   : a->rekey_in_s == b->rekey_in_s));
}

static bool
drops_equal(const struct ctl_drops *a, const struct ctl_drops *b)
{
	return a->replay == b->replay && a->integrity == b->integrity &&
	    a->no_sa == b->no_sa && a->policy == b->policy &&
	    a->send == b->send;
}

static bool
child_equal(const struct ctl_child *a, const struct ctl_child *b)
{
	return a->spi_in == b->spi_in && a->spi_out == b->spi_out &&
	    drops_equal(&a->drops, &b->drops) &&
	    strcmp(a->proposal, b->proposal) == 0 &&
	    a->bytes_in == b->bytes_in && a->bytes_out == b->bytes_out &&
	    a->packets_in == b->packets_in && a->packets_out == b->packets_out;
}

static bool
lists_equal(const struct ctl_status *a, const struct ctl_status *b)
{
	size_t ta =
	    a->routes_total > a->n_routes ? a->routes_total : a->n_routes;
	size_t tb =
	    b->routes_total > b->n_routes ? b->routes_total : b->n_routes;

	if (a->n_dns != b->n_dns || a->n_routes != b->n_routes || ta != tb ||
	    a->n_children != b->n_children)
		return false;
	for (size_t i = 0; i < a->n_dns; i++)
		if (strcmp(a->dns[i], b->dns[i]) != 0)
			return false;
	for (size_t i = 0; i < a->n_routes; i++)
		if (strcmp(a->routes[i], b->routes[i]) != 0)
			return false;
	for (size_t i = 0; i < a->n_children; i++)
		if (!child_equal(&a->children[i], &b->children[i]))
			return false;
	return true;
}

bool
ctl_check_equal(const struct ctl_status *a, const struct ctl_status *b)
{
	return strcmp(a->name, b->name) == 0 && a->state == b->state &&
	    strcmp(a->gateway.host, b->gateway.host) == 0 &&
	    strcmp(a->gateway.address, b->gateway.address) == 0 &&
	    a->gateway.port == b->gateway.port &&
	    strcmp(a->interface, b->interface) == 0 &&
	    a->datapath == b->datapath && a->dns_via == b->dns_via &&
	    strcmp(a->virtual_ip, b->virtual_ip) == 0 && lists_equal(a, b) &&
	    ike_equal(&a->ike, &b->ike) &&
	    a->handshake.present == b->handshake.present &&
	    (!a->handshake.present ||
		(a->handshake.round_trips == b->handshake.round_trips &&
		    a->handshake.ms == b->handshake.ms)) &&
	    strcmp(a->last_error, b->last_error) == 0 &&
	    a->fail_closed == b->fail_closed;
}
