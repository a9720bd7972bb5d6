/* SPDX-License-Identifier: ISC */
/*
 * ike_ts.c: traffic selectors.  We ask for everything, IPv4 and IPv6, any
 * protocol and port; the gateway narrows that to what it routes (Azure:
 * the VNet prefixes; strongSwan: its local_ts), and every selector it
 * answers with must lie inside one we asked for.
 *
 * RFC 7296 2.9 (narrowing), 3.13.1 (the selector: type, protocol, port
 * range, address range).  A start above its end is refused: RFC 4301's
 * OPAQUE ports cannot come back from a request for all ports.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ike_int.h"
#include "names.h"

static void
ts_all(struct ike_ts *ts, uint8_t type, size_t addr_len)
{
	*ts = (struct ike_ts){ .type = type,
		.ip_proto = 0,
		.start_port = 0,
		.end_port = UINT16_MAX };
	memset(ts->end, 0xff, addr_len);
}

void
ike_ts_request(struct ike_pld_ts *ret)
{
	ret->n_ts = 2;
	ts_all(&ret->ts[0], IKE_TS_IPV4_ADDR_RANGE, 4);
	ts_all(&ret->ts[1], IKE_TS_IPV6_ADDR_RANGE, 16);
}

static size_t
addr_len(uint8_t type)
{
	return type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
}

/* got inside asked: same type, protocol, ports and addresses within. */
static bool
ts_within(const struct ike_ts *got, const struct ike_ts *asked)
{
	size_t n = addr_len(got->type);

	return got->type == asked->type &&
	    (asked->ip_proto == 0 || asked->ip_proto == got->ip_proto) &&
	    got->start_port >= asked->start_port &&
	    got->end_port <= asked->end_port &&
	    memcmp(got->start, asked->start, n) >= 0 &&
	    memcmp(got->end, asked->end, n) <= 0;
}

static bool
ts_sane(const struct ike_ts *ts)
{
	size_t n = addr_len(ts->type);

	return ts->start_port <= ts->end_port &&
	    memcmp(ts->start, ts->end, n) <= 0;
}

static void
ts_copy(const struct ike_ts *ts, struct ike_child_ts *ret)
{
	*ret =
	    (struct ike_child_ts){ .family = ts->type == IKE_TS_IPV4_ADDR_RANGE
			? AF_INET
			: AF_INET6,
		    .ip_proto = ts->ip_proto,
		    .start_port = ts->start_port,
		    .end_port = ts->end_port };
	memcpy(ret->start, ts->start, sizeof(ret->start));
	memcpy(ret->end, ts->end, sizeof(ret->end));
}

int
ike_ts_narrowed(const struct ike_pld_ts *asked, const struct ike_pld_ts *got,
    struct ike_child_ts *ret, size_t *ret_n, char *why, size_t why_len)
{
	for (size_t i = 0; i < got->n_ts; i++) {
		const struct ike_ts *ts = &got->ts[i];
		bool inside = false;

		for (size_t k = 0; k < asked->n_ts && !inside; k++)
			inside = ts_within(ts, &asked->ts[k]);
		if (!ts_sane(ts) || !inside) {
			(void)snprintf(why, why_len,
			    "selector %zu (%s) is not inside what we asked for",
			    i + 1, names_ts_type(ts->type, NAMES_TMP));
			return -EPROTO;
		}
	}
	for (size_t i = 0; i < got->n_ts; i++)
		ts_copy(&got->ts[i], &ret[i]);
	*ret_n = got->n_ts;
	return 0;
}

void
ike_ts_from_child(
    const struct ike_child_ts *c, size_t n, struct ike_pld_ts *ret)
{
	ret->n_ts = n < IKE_MAX_TS ? n : IKE_MAX_TS;
	for (size_t i = 0; i < ret->n_ts; i++) {
		struct ike_ts *ts = &ret->ts[i];

		*ts = (struct ike_ts){ .type = c[i].family == AF_INET
			    ? IKE_TS_IPV4_ADDR_RANGE
			    : IKE_TS_IPV6_ADDR_RANGE,
			.ip_proto = c[i].ip_proto,
			.start_port = c[i].start_port,
			.end_port = c[i].end_port };
		memcpy(ts->start, c[i].start, sizeof(ts->start));
		memcpy(ts->end, c[i].end, sizeof(ts->end));
	}
}
