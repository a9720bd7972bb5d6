/* SPDX-License-Identifier: ISC */
/*
 * rtnl.c: rtnetlink messages for links, addresses and routes (see
 * rtnl.h).  Message shapes follow iproute2's `ip link/addr/route`
 * requests; the kernel side is net/core/rtnetlink.c, net/ipv4/devinet.c,
 * net/ipv4/fib_frontend.c and their IPv6 counterparts.
 */
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "rtnl.h"

const unsigned int rtnl_monitor_groups[] = {
	RTNLGRP_LINK,
	RTNLGRP_IPV4_IFADDR,
	RTNLGRP_IPV6_IFADDR,
	RTNLGRP_IPV4_ROUTE,
	RTNLGRP_IPV6_ROUTE,
};
const size_t rtnl_monitor_n_groups = ARRAY_SIZE(rtnl_monitor_groups);

static const struct nl_policy link_policy[] = {
	[IFLA_IFNAME] = { NL_A_STRING, IFNAMSIZ },
	[IFLA_MTU] = { NL_A_U32, 0 },
	[IFLA_LINKINFO] = { NL_A_NESTED, 0 },
};

static const struct nl_policy linkinfo_policy[] = {
	[IFLA_INFO_KIND] = { NL_A_STRING, RTNL_KIND_MAX },
	[IFLA_INFO_DATA] = { NL_A_NESTED, 0 },
};

static const struct nl_policy xfrmi_policy[] = {
	[IFLA_XFRM_LINK] = { NL_A_U32, 0 },
	[IFLA_XFRM_IF_ID] = { NL_A_U32, 0 },
};

static const struct nl_policy addr_policy[] = {
	[IFA_ADDRESS] = { NL_A_ADDR, 0 },
	[IFA_LOCAL] = { NL_A_ADDR, 0 },
	[IFA_FLAGS] = { NL_A_U32, 0 },
};

static const struct nl_policy route_policy[] = {
	[RTA_DST] = { NL_A_ADDR, 0 },
	[RTA_OIF] = { NL_A_U32, 0 },
	[RTA_GATEWAY] = { NL_A_ADDR, 0 },
	[RTA_PRIORITY] = { NL_A_U32, 0 },
	[RTA_PREFSRC] = { NL_A_ADDR, 0 },
	[RTA_TABLE] = { NL_A_U32, 0 },
};

static bool
rtnl_name_ok(const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ);

	return len > 0 && len < IFNAMSIZ;
}

/*
 * Builders.
 */

static struct ifinfomsg *
rtnl_link_msg(struct nl_msg *m, void *buf, size_t cap, uint16_t type,
    uint16_t flags, unsigned int ifindex)
{
	struct ifinfomsg *ifi;

	nl_msg_init(m, buf, cap, type, flags);
	ifi = nl_msg_put_fixed(m, sizeof(*ifi));
	if (ifi != NULL) {
		ifi->ifi_family = AF_UNSPEC;
		ifi->ifi_index = (int)ifindex;
	}
	return ifi;
}

int
rtnl_link_get_build(void *buf, size_t cap, const char *name)
{
	struct nl_msg m;

	if (!rtnl_name_ok(name))
		return -EINVAL;
	(void)rtnl_link_msg(&m, buf, cap, RTM_GETLINK, 0, 0);
	nl_msg_put_str(&m, IFLA_IFNAME, name);
	/* The answer need not carry 2 kB of counters. */
	nl_msg_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
rtnl_xfrmi_add_build(void *buf, size_t cap, const char *name, uint32_t if_id,
    unsigned int underlying)
{
	struct nlattr *info, *data;
	struct nl_msg m;

	/* if_id 0 would match every policy without one. */
	if (!rtnl_name_ok(name) || if_id == 0)
		return -EINVAL;
	(void)rtnl_link_msg(
	    &m, buf, cap, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	nl_msg_put_str(&m, IFLA_IFNAME, name);
	info = nl_msg_nest_start(&m, IFLA_LINKINFO);
	nl_msg_put_str(&m, IFLA_INFO_KIND, "xfrm");
	data = nl_msg_nest_start(&m, IFLA_INFO_DATA);
	nl_msg_put_u32(&m, IFLA_XFRM_IF_ID, if_id);
	if (underlying != 0)
		nl_msg_put_u32(&m, IFLA_XFRM_LINK, underlying);
	nl_msg_nest_end(&m, data);
	nl_msg_nest_end(&m, info);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
rtnl_link_del_build(void *buf, size_t cap, unsigned int ifindex)
{
	struct nl_msg m;

	if (ifindex == 0 || ifindex > INT32_MAX)
		return -EINVAL;
	(void)rtnl_link_msg(&m, buf, cap, RTM_DELLINK, 0, ifindex);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
rtnl_link_set_build(void *buf, size_t cap, unsigned int ifindex,
    unsigned int flags, unsigned int change, uint32_t mtu)
{
	struct ifinfomsg *ifi;
	struct nl_msg m;

	if (ifindex == 0 || ifindex > INT32_MAX)
		return -EINVAL;
	ifi = rtnl_link_msg(&m, buf, cap, RTM_NEWLINK, 0, ifindex);
	if (ifi != NULL) {
		ifi->ifi_flags = flags & change;
		ifi->ifi_change = change;
	}
	if (mtu != 0)
		nl_msg_put_u32(&m, IFLA_MTU, mtu);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
rtnl_addr_build(void *buf, size_t cap, bool add, unsigned int ifindex,
    const struct nl_prefix *p)
{
	struct ifaddrmsg *ifa;
	struct nl_msg m;

	if (ifindex == 0 || !nl_prefix_valid(p))
		return -EINVAL;
	nl_msg_init(&m, buf, cap, add ? RTM_NEWADDR : RTM_DELADDR,
	    add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = nl_msg_put_fixed(&m, sizeof(*ifa));
	if (ifa != NULL) {
		ifa->ifa_family = p->addr.family;
		ifa->ifa_prefixlen = p->len;
		ifa->ifa_scope = RT_SCOPE_UNIVERSE;
		ifa->ifa_index = ifindex;
		/* The virtual IP is assigned to us alone by the gateway:
		 * duplicate address detection would only delay it. */
		if (add && p->addr.family == AF_INET6)
			ifa->ifa_flags = IFA_F_NODAD;
	}
	nl_msg_put_addr(&m, IFA_LOCAL, &p->addr);
	nl_msg_put_addr(&m, IFA_ADDRESS, &p->addr);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

/* The prefix has no bits set past its length (the kernel refuses IPv4
 * ones and silently masks IPv6 ones, so a later delete would not match). */
static bool
rtnl_prefix_is_network(const struct nl_prefix *p)
{
	size_t size = nl_addr_size(p->addr.family);

	for (size_t bit = p->len; bit < size * 8; bit++)
		if (p->addr.bytes[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static bool
rtnl_route_valid(const struct rtnl_route *rt)
{
	uint8_t family = rt->dst.addr.family;

	if (!nl_prefix_valid(&rt->dst) || !rtnl_prefix_is_network(&rt->dst))
		return false;
	if (rt->gateway.family != AF_UNSPEC && rt->gateway.family != family)
		return false;
	if (rt->prefsrc.family != AF_UNSPEC && rt->prefsrc.family != family)
		return false;
	return rt->oif != 0 || rt->gateway.family != AF_UNSPEC;
}

static void
rtnl_route_fill(
    struct rtmsg *rtm, enum rtnl_route_op op, const struct rtnl_route *rt)
{
	rtm->rtm_family = rt->dst.addr.family;
	rtm->rtm_dst_len = rt->dst.len;
	/* Tables past 255 only fit in RTA_TABLE. */
	rtm->rtm_table = rt->table < 256 ? (uint8_t)rt->table : RT_TABLE_UNSPEC;
	/* A delete matches on protocol: it can only remove our own. */
	rtm->rtm_protocol = rt->protocol;
	rtm->rtm_type = rt->type != 0 ? rt->type : RTN_UNICAST;
	if (op == RTNL_ROUTE_DEL)
		rtm->rtm_scope = RT_SCOPE_NOWHERE; /* "any scope" */
	else if (rt->gateway.family == AF_UNSPEC)
		rtm->rtm_scope = RT_SCOPE_LINK; /* on-link, as `ip route` */
	else
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
}

int
rtnl_route_build(
    void *buf, size_t cap, enum rtnl_route_op op, const struct rtnl_route *rt)
{
	static const uint16_t flags[] = {
		[RTNL_ROUTE_ADD] = NLM_F_CREATE | NLM_F_EXCL,
		[RTNL_ROUTE_REPLACE] = NLM_F_CREATE | NLM_F_REPLACE,
		[RTNL_ROUTE_DEL] = 0,
	};
	struct rtmsg *rtm;
	struct nl_msg m;

	if ((unsigned)op > RTNL_ROUTE_DEL || !rtnl_route_valid(rt))
		return -EINVAL;
	nl_msg_init(&m, buf, cap,
	    op == RTNL_ROUTE_DEL ? RTM_DELROUTE : RTM_NEWROUTE, flags[op]);
	rtm = nl_msg_put_fixed(&m, sizeof(*rtm));
	if (rtm != NULL)
		rtnl_route_fill(rtm, op, rt);
	if (rt->dst.len > 0)
		nl_msg_put_addr(&m, RTA_DST, &rt->dst.addr);
	if (rt->oif != 0)
		nl_msg_put_u32(&m, RTA_OIF, rt->oif);
	if (rt->gateway.family != AF_UNSPEC)
		nl_msg_put_addr(&m, RTA_GATEWAY, &rt->gateway);
	if (rt->prefsrc.family != AF_UNSPEC)
		nl_msg_put_addr(&m, RTA_PREFSRC, &rt->prefsrc);
	if (rt->metric != 0)
		nl_msg_put_u32(&m, RTA_PRIORITY, rt->metric);
	nl_msg_put_u32(&m, RTA_TABLE, rt->table);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
rtnl_route_get_build(void *buf, size_t cap, const struct nl_addr *dst)
{
	struct rtmsg *rtm;
	struct nl_msg m;
	size_t size = nl_addr_size(dst->family);

	if (size == 0)
		return -EINVAL;
	nl_msg_init(&m, buf, cap, RTM_GETROUTE, 0);
	rtm = nl_msg_put_fixed(&m, sizeof(*rtm));
	if (rtm != NULL) {
		rtm->rtm_family = dst->family;
		rtm->rtm_dst_len = (uint8_t)(size * 8);
	}
	nl_msg_put_addr(&m, RTA_DST, dst);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

/*
 * Parsers.
 */

static int
rtnl_linkinfo_parse(const struct nlattr *nest, struct rtnl_link *ret)
{
	const struct nlattr *info[ARRAY_SIZE(linkinfo_policy)];
	const struct nlattr *data[ARRAY_SIZE(xfrmi_policy)];
	int r;

	r = nl_attr_parse_nested(
	    nest, linkinfo_policy, ARRAY_SIZE(linkinfo_policy), info);
	if (r < 0 || info[IFLA_INFO_KIND] == NULL)
		return r;
	(void)snprintf(ret->kind, sizeof(ret->kind), "%s",
	    mnl_attr_get_str(info[IFLA_INFO_KIND]));
	if (strcmp(ret->kind, "xfrm") != 0 || info[IFLA_INFO_DATA] == NULL)
		return 0;
	r = nl_attr_parse_nested(
	    info[IFLA_INFO_DATA], xfrmi_policy, ARRAY_SIZE(xfrmi_policy), data);
	if (r == 0 && data[IFLA_XFRM_IF_ID] != NULL)
		ret->xfrm_if_id = mnl_attr_get_u32(data[IFLA_XFRM_IF_ID]);
	return r;
}

int
rtnl_link_parse(const struct nlmsghdr *nlh, struct rtnl_link *ret)
{
	const struct nlattr *tb[ARRAY_SIZE(link_policy)];
	struct rtnl_link link = { 0 };
	struct ifinfomsg ifi;
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EOPNOTSUPP;
	r = nl_attr_parse(
	    nlh, sizeof(ifi), link_policy, ARRAY_SIZE(link_policy), tb);
	if (r < 0)
		return r;
	nl_msg_get_fixed(nlh, &ifi, sizeof(ifi));
	if (ifi.ifi_index <= 0 || tb[IFLA_IFNAME] == NULL)
		return -EBADMSG;
	link.ifindex = (unsigned int)ifi.ifi_index;
	link.flags = ifi.ifi_flags;
	(void)snprintf(link.name, sizeof(link.name), "%s",
	    mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU] != NULL)
		link.mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINKINFO] != NULL &&
	    (r = rtnl_linkinfo_parse(tb[IFLA_LINKINFO], &link)) < 0)
		return r;
	*ret = link;
	return 0;
}

int
rtnl_addr_parse(const struct nlmsghdr *nlh, struct rtnl_addr *ret)
{
	const struct nlattr *tb[ARRAY_SIZE(addr_policy)];
	struct rtnl_addr addr = { 0 };
	const struct nlattr *local;
	struct ifaddrmsg ifa;
	int r;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return -EOPNOTSUPP;
	r = nl_attr_parse(
	    nlh, sizeof(ifa), addr_policy, ARRAY_SIZE(addr_policy), tb);
	if (r < 0)
		return r;
	nl_msg_get_fixed(nlh, &ifa, sizeof(ifa));
	if (nl_addr_size(ifa.ifa_family) == 0)
		return -EOPNOTSUPP;
	/* IFA_LOCAL is our end; IFA_ADDRESS is the peer's on a
	 * point-to-point link and equal to it elsewhere. */
	local = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (local == NULL || ifa.ifa_index == 0)
		return -EBADMSG;
	if ((r = nl_attr_get_addr(local, ifa.ifa_family, &addr.prefix.addr)) <
	    0)
		return r;
	addr.prefix.len = ifa.ifa_prefixlen;
	addr.ifindex = ifa.ifa_index;
	if (!nl_prefix_valid(&addr.prefix))
		return -EBADMSG;
	*ret = addr;
	return 0;
}

static int
rtnl_route_addrs(
    const struct nlattr *const *tb, int family, struct rtnl_route *rt)
{
	int r = 0;

	rt->dst.addr.family = (uint8_t)family;
	if (tb[RTA_DST] != NULL)
		r = nl_attr_get_addr(tb[RTA_DST], family, &rt->dst.addr);
	if (r == 0 && tb[RTA_GATEWAY] != NULL)
		r = nl_attr_get_addr(tb[RTA_GATEWAY], family, &rt->gateway);
	if (r == 0 && tb[RTA_PREFSRC] != NULL)
		r = nl_attr_get_addr(tb[RTA_PREFSRC], family, &rt->prefsrc);
	return r;
}

int
rtnl_route_parse(const struct nlmsghdr *nlh, struct rtnl_route *ret)
{
	const struct nlattr *tb[ARRAY_SIZE(route_policy)];
	struct rtnl_route rt = { 0 };
	struct rtmsg rtm;
	int r;

	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return -EOPNOTSUPP;
	r = nl_attr_parse(
	    nlh, sizeof(rtm), route_policy, ARRAY_SIZE(route_policy), tb);
	if (r < 0)
		return r;
	nl_msg_get_fixed(nlh, &rtm, sizeof(rtm));
	if (nl_addr_size(rtm.rtm_family) == 0)
		return -EOPNOTSUPP;
	if ((r = rtnl_route_addrs(tb, rtm.rtm_family, &rt)) < 0)
		return r;
	rt.dst.len = rtm.rtm_dst_len;
	if (!nl_prefix_valid(&rt.dst))
		return -EBADMSG;
	rt.table = tb[RTA_TABLE] != NULL ? mnl_attr_get_u32(tb[RTA_TABLE])
					 : rtm.rtm_table;
	if (tb[RTA_OIF] != NULL)
		rt.oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY] != NULL)
		rt.metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	rt.protocol = rtm.rtm_protocol;
	rt.type = rtm.rtm_type;
	*ret = rt;
	return 0;
}

int
rtnl_event_parse(const struct nlmsghdr *nlh, struct rtnl_event *ret)
{
	struct rtnl_event ev = { 0 };
	int r;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		ev.type = nlh->nlmsg_type == RTM_NEWLINK ? RTNL_EV_LINK_NEW
							 : RTNL_EV_LINK_DEL;
		r = rtnl_link_parse(nlh, &ev.link);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		ev.type = nlh->nlmsg_type == RTM_NEWADDR ? RTNL_EV_ADDR_NEW
							 : RTNL_EV_ADDR_DEL;
		r = rtnl_addr_parse(nlh, &ev.addr);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		ev.type = nlh->nlmsg_type == RTM_NEWROUTE ? RTNL_EV_ROUTE_NEW
							  : RTNL_EV_ROUTE_DEL;
		r = rtnl_route_parse(nlh, &ev.route);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (r == 0)
		*ret = ev;
	return r;
}

/*
 * Requests.
 */

static int
rtnl_link_get_cb(const struct nlmsghdr *nlh, void *arg)
{
	return rtnl_link_parse(nlh, arg);
}

int
rtnl_link_get(struct nl *nl, const char *name, struct rtnl_link *ret)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_link link = { 0 };
	int r;

	if ((r = rtnl_link_get_build(buf, sizeof(buf), name)) < 0)
		return r;
	if ((r = nl_request(
		 nl, (struct nlmsghdr *)buf, rtnl_link_get_cb, &link)) < 0)
		return r;
	if (link.ifindex == 0)
		return -EBADMSG; /* ACKed without an answer */
	*ret = link;
	return 0;
}

int
rtnl_link_index(struct nl *nl, const char *name, unsigned int *ret)
{
	struct rtnl_link link;
	int r;

	if ((r = rtnl_link_get(nl, name, &link)) < 0)
		return r;
	*ret = link.ifindex;
	return 0;
}

int
rtnl_xfrmi_add(struct nl *nl, const char *name, uint32_t if_id,
    unsigned int underlying, unsigned int *ret_ifindex)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	unsigned int ifindex;
	int r;

	r = rtnl_xfrmi_add_build(buf, sizeof(buf), name, if_id, underlying);
	if (r == 0)
		r = nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
	if (r < 0)
		return r;
	if ((r = rtnl_link_index(nl, name, &ifindex)) < 0)
		return r;
	if (ret_ifindex != NULL)
		*ret_ifindex = ifindex;
	return 0;
}

int
rtnl_link_del(struct nl *nl, unsigned int ifindex)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	int r;

	if ((r = rtnl_link_del_build(buf, sizeof(buf), ifindex)) < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

int
rtnl_link_set_up(struct nl *nl, unsigned int ifindex, bool up)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	int r;

	r = rtnl_link_set_build(
	    buf, sizeof(buf), ifindex, up ? IFF_UP : 0, IFF_UP, 0);
	if (r < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

int
rtnl_link_set_mtu(struct nl *nl, unsigned int ifindex, uint32_t mtu)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	int r;

	if (mtu == 0)
		return -EINVAL;
	if ((r = rtnl_link_set_build(buf, sizeof(buf), ifindex, 0, 0, mtu)) < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

struct rtnl_link_walk {
	int (*cb)(const struct rtnl_link *, void *);
	void *arg;
};

static int
rtnl_link_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct rtnl_link_walk *w = arg;
	struct rtnl_link link;
	int r;

	if ((r = rtnl_link_parse(nlh, &link)) < 0)
		return r;
	return w->cb(&link, w->arg);
}

int
rtnl_link_dump(
    struct nl *nl, int (*cb)(const struct rtnl_link *, void *), void *arg)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_link_walk w = { cb, arg };
	struct nl_msg m;

	(void)rtnl_link_msg(&m, buf, sizeof(buf), RTM_GETLINK, 0, 0);
	nl_msg_put_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (!nl_msg_ok(&m))
		return -ENOSPC;
	return nl_dump(nl, m.nlh, rtnl_link_dump_cb, &w);
}

int
rtnl_addr_add(struct nl *nl, unsigned int ifindex, const struct nl_prefix *p)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	int r;

	if ((r = rtnl_addr_build(buf, sizeof(buf), true, ifindex, p)) < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

int
rtnl_addr_del(struct nl *nl, unsigned int ifindex, const struct nl_prefix *p)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	int r;

	if ((r = rtnl_addr_build(buf, sizeof(buf), false, ifindex, p)) < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

struct rtnl_addr_walk {
	int family;
	unsigned int ifindex;
	int (*cb)(const struct rtnl_addr *, void *);
	void *arg;
};

static int
rtnl_addr_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct rtnl_addr_walk *w = arg;
	struct rtnl_addr addr;
	int r;

	r = rtnl_addr_parse(nlh, &addr);
	if (r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return r;
	if ((w->family != AF_UNSPEC && addr.prefix.addr.family != w->family) ||
	    (w->ifindex != 0 && addr.ifindex != w->ifindex))
		return 0;
	return w->cb(&addr, w->arg);
}

int
rtnl_addr_dump(struct nl *nl, int family, unsigned int ifindex,
    int (*cb)(const struct rtnl_addr *, void *), void *arg)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_addr_walk w = { family, ifindex, cb, arg };
	struct ifaddrmsg *ifa;
	struct nl_msg m;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETADDR, 0);
	ifa = nl_msg_put_fixed(&m, sizeof(*ifa));
	if (ifa == NULL)
		return -ENOSPC;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = ifindex; /* a filter under strict checking */
	return nl_dump(nl, m.nlh, rtnl_addr_dump_cb, &w);
}

int
rtnl_route_apply(
    struct nl *nl, enum rtnl_route_op op, const struct rtnl_route *rt)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	int r;

	if ((r = rtnl_route_build(buf, sizeof(buf), op, rt)) < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

int
rtnl_route_batch(
    struct nl_batch *b, enum rtnl_route_op op, const struct rtnl_route *rt)
{
	void *buf = nl_batch_reserve(b, RTNL_MSG_MAX);
	int r;

	if (buf == NULL)
		return -ENOMEM;
	if ((r = rtnl_route_build(buf, RTNL_MSG_MAX, op, rt)) < 0)
		return r;
	return nl_batch_commit(b);
}

static int
rtnl_route_lookup_cb(const struct nlmsghdr *nlh, void *arg)
{
	return rtnl_route_parse(nlh, arg);
}

int
rtnl_route_lookup(
    struct nl *nl, const struct nl_addr *dst, struct rtnl_route *ret)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_route rt = { 0 };
	int r;

	if ((r = rtnl_route_get_build(buf, sizeof(buf), dst)) < 0)
		return r;
	if ((r = nl_request(
		 nl, (struct nlmsghdr *)buf, rtnl_route_lookup_cb, &rt)) < 0)
		return r;
	if (rt.dst.addr.family == AF_UNSPEC)
		return -EBADMSG; /* ACKed without an answer */
	*ret = rt;
	return 0;
}

struct rtnl_route_walk {
	uint32_t table;
	uint8_t protocol;
	int (*cb)(const struct rtnl_route *, void *);
	void *arg;
};

static int
rtnl_route_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct rtnl_route_walk *w = arg;
	struct rtnl_route rt;
	int r;

	r = rtnl_route_parse(nlh, &rt);
	if (r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return r;
	/* Filter here too: a kernel without strict checking ignores the
	 * filters in the request and sends every route. */
	if ((w->table != 0 && rt.table != w->table) ||
	    (w->protocol != 0 && rt.protocol != w->protocol))
		return 0;
	return w->cb(&rt, w->arg);
}

int
rtnl_route_dump(struct nl *nl, int family, uint32_t table, uint8_t protocol,
    int (*cb)(const struct rtnl_route *, void *), void *arg)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_route_walk w = { table, protocol, cb, arg };
	struct rtmsg *rtm;
	struct nl_msg m;
	int r;

	nl_msg_init(&m, buf, sizeof(buf), RTM_GETROUTE, 0);
	rtm = nl_msg_put_fixed(&m, sizeof(*rtm));
	if (rtm != NULL) {
		rtm->rtm_family = (uint8_t)family;
		rtm->rtm_protocol = protocol;
	}
	if (table != 0)
		nl_msg_put_u32(&m, RTA_TABLE, table);
	if (!nl_msg_ok(&m))
		return -ENOSPC;
	r = nl_dump(nl, m.nlh, rtnl_route_dump_cb, &w);
	/* IPv4 answers a dump of a table that does not exist (yet) with
	 * ENOENT: it has no routes, ours or anybody's. */
	if (r == -ENOENT && table != 0)
		r = 0;
	return r;
}
