/* SPDX-License-Identifier: ISC */
/*
 * fuzz_nl.c: what the kernel sends us over netlink, as one datagram: link,
 * address and route events and dump replies, XFRM states, policies,
 * EXPIRE and ACQUIRE, and NLMSG_ERROR with extended ACK text.  Every
 * message goes through every parser (message types of the two buses
 * overlap, and a parser must refuse what is not its own).  A parse that
 * succeeds must yield values inside their documented ranges.
 *
 * Seeds in corpus/nl/ were captured from real kernels (the test machine's,
 * and Debian's in the kernel lab with ESP states) by recording what a
 * netlink socket received while `ip` changed links, addresses, routes,
 * XFRM policies and states in a private namespace.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl.h"
#include "xfrm.h"

#define FUZZ_NL_MAX 65536 /* bytes: larger than any datagram we read */

static void
check_prefix(const struct nl_prefix *p)
{
	if (!nl_prefix_valid(p))
		abort();
}

static void
check_rtnl(const struct rtnl_event *ev)
{
	switch (ev->type) {
	case RTNL_EV_LINK_NEW:
	case RTNL_EV_LINK_DEL:
		if (ev->link.ifindex == 0 ||
		    strnlen(ev->link.name, IFNAMSIZ) >= IFNAMSIZ ||
		    strnlen(ev->link.kind, RTNL_KIND_MAX) >= RTNL_KIND_MAX)
			abort();
		break;
	case RTNL_EV_ADDR_NEW:
	case RTNL_EV_ADDR_DEL:
		check_prefix(&ev->addr.prefix);
		break;
	case RTNL_EV_ROUTE_NEW:
	case RTNL_EV_ROUTE_DEL:
		check_prefix(&ev->route.dst);
		break;
	default:
		abort();
	}
}

static int
fuzz_msg(const struct nlmsghdr *nlh, void *arg)
{
	char text[NL_ERRMSG_MAX];
	struct rtnl_event rev;
	struct xfrm_event xev;
	struct xfrm_sa_info sa;
	struct xfrm_sp sp;
	int err;

	if (rtnl_event_parse(nlh, &rev) == 0)
		check_rtnl(&rev);
	if (xfrm_event_parse(nlh, &xev) == 0 && xev.type == XFRM_EV_ACQUIRE) {
		check_prefix(&xev.acquire.policy.src);
		check_prefix(&xev.acquire.policy.dst);
	}
	if (xfrm_state_parse(nlh, &sa) == 0 &&
	    (nl_addr_size(sa.dst.family) == 0 ||
		sa.src.family != sa.dst.family))
		abort();
	if (xfrm_policy_parse(nlh, &sp) == 0 &&
	    (!nl_prefix_valid(&sp.src) || (unsigned)sp.dir > XFRM_SP_FWD))
		abort();
	if (nl_ack_parse(nlh, &err, text, sizeof(text)) == 0 &&
	    (err > 0 || strnlen(text, sizeof(text)) >= sizeof(text)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	int r;

	if (size > FUZZ_NL_MAX)
		return 0;
	/* Our receive buffer is aligned; malloc's block is, and is exactly
	 * size bytes long so that ASan sees any overread. */
	copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	/* fuzz_msg never fails: only the framing can. */
	r = nl_datagram_walk(copy, size, fuzz_msg, NULL);
	if (r != 0 && r != -EBADMSG)
		abort();
	free(copy);
	return 0;
}
