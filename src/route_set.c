/* SPDX-License-Identifier: ISC */
/*
 * route_set.c: the tunnel's routes, for both datapaths (see route_set.h).
 */
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "datapath.h"
#include "log.h"
#include "prefix.h"
#include "route_set.h"
#include "rtnl.h"

int
route_set_init(struct route_set *rs, const struct nl_addr *gw)
{
	rs->v = calloc(DATAPATH_MAX_ROUTES, sizeof(*rs->v));
	rs->n = 0;
	rs->gw = *gw;
	return rs->v != NULL ? 0 : -ENOMEM;
}

void
route_set_done(struct route_set *rs)
{
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

int
route_set_add(struct route_set *rs, const struct nl_prefix *p)
{
	char buf[64];

	if (prefix_contains(p, &rs->gw)) {
		log_warn("not routing %s into the tunnel: it holds the "
			 "gateway's own address",
		    prefix_str(p, buf, sizeof(buf)));
		return 0;
	}
	return prefix_set_add(rs->v, DATAPATH_MAX_ROUTES, &rs->n, p);
}

int
route_set_add_conf(struct route_set *rs, const struct conf *conf)
{
	for (size_t i = 0; i < conf->n_routes; i++) {
		const struct ip_prefix *c = &conf->routes[i];
		struct nl_prefix p = { .addr.family = (uint8_t)c->ip.family,
			.len = c->len };
		int r;

		memcpy(
		    p.addr.bytes, &c->ip.in6, c->ip.family == AF_INET ? 4 : 16);
		r = route_set_add(rs, &p);
		if (r < 0)
			return r;
	}
	return 0;
}

int
route_set_install(const struct route_set *rs, struct nl *route,
    unsigned int ifindex, size_t from)
{
	struct nl_batch *b = nl_batch_new();
	int r = 0;

	if (b == NULL)
		return -ENOMEM;
	for (size_t i = from; i < rs->n && r == 0; i++) {
		struct rtnl_route rt = { .dst = rs->v[i],
			.oif = ifindex,
			.table = RT_TABLE_MAIN,
			.protocol = RTPROT_P2S };

		r = rtnl_route_batch(b, RTNL_ROUTE_REPLACE, &rt);
	}
	if (r == 0 && nl_batch_count(b) > 0)
		r = nl_batch_send(route, b);
	nl_batch_free(b);
	return r;
}
