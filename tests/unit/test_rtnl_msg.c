/* SPDX-License-Identifier: ISC */
/*
 * test_rtnl_msg.c: rtnetlink requests (routes, addresses, XFRM interface
 * links, link up/MTU, lookups) compared byte for byte with messages
 * assembled by hand from the kernel's structs; argument checks; and the
 * link/address/route parsers on good, malformed and foreign messages,
 * including what monitors deliver as events.  No kernel needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nl_exp.h"
#include "rtnl.h"

static struct nl_addr
v4(const char *s)
{
	struct nl_addr a = { .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, s, &a.in), 1);
	return a;
}

static struct nl_addr
v6(const char *s)
{
	struct nl_addr a = { .family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET6, s, &a.in6), 1);
	return a;
}

static struct rtnl_route
vnet_route(void)
{
	struct rtnl_route rt = { 0 };

	rt.dst.addr = v4("10.1.0.0");
	rt.dst.len = 16;
	rt.oif = 5;
	rt.table = 100;
	rt.protocol = RTPROT_P2S;
	return rt;
}

static void
test_route_add_bytes(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_route rt = vnet_route();
	struct rtmsg rtm = { .rtm_family = AF_INET,
		.rtm_dst_len = 16,
		.rtm_table = 100,
		.rtm_protocol = RTPROT_P2S,
		.rtm_scope = RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST };
	struct exp e;

	assert_int_equal(
	    rtnl_route_build(buf, sizeof(buf), RTNL_ROUTE_ADD, &rt), 0);
	exp_hdr(&e, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	exp_bytes(&e, &rtm, sizeof(rtm));
	exp_attr(&e, RTA_DST, "\x0a\x01\x00\x00", 4);
	exp_u32(&e, RTA_OIF, 5);
	exp_u32(&e, RTA_TABLE, 100);
	assert_msg_equal(buf, &e);

	assert_int_equal(
	    rtnl_route_build(buf, sizeof(buf), RTNL_ROUTE_REPLACE, &rt), 0);
	exp_hdr(&e, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	exp_bytes(&e, &rtm, sizeof(rtm));
	exp_attr(&e, RTA_DST, "\x0a\x01\x00\x00", 4);
	exp_u32(&e, RTA_OIF, 5);
	exp_u32(&e, RTA_TABLE, 100);
	assert_msg_equal(buf, &e);

	/* A delete matches any scope, but only our protocol. */
	assert_int_equal(
	    rtnl_route_build(buf, sizeof(buf), RTNL_ROUTE_DEL, &rt), 0);
	exp_hdr(&e, RTM_DELROUTE, 0);
	rtm.rtm_scope = RT_SCOPE_NOWHERE;
	exp_bytes(&e, &rtm, sizeof(rtm));
	exp_attr(&e, RTA_DST, "\x0a\x01\x00\x00", 4);
	exp_u32(&e, RTA_OIF, 5);
	exp_u32(&e, RTA_TABLE, 100);
	assert_msg_equal(buf, &e);
}

static void
test_route_gateway_v6_bytes(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_route rt = { 0 };
	struct rtmsg rtm = { .rtm_family = AF_INET6,
		.rtm_dst_len = 0,
		.rtm_table = RT_TABLE_UNSPEC,
		.rtm_protocol = RTPROT_P2S,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST };
	struct nl_addr gw = v6("fe80::1"), src = v6("fd00::5");
	struct exp e;

	/* A default route via a gateway, in a table past 255. */
	rt.dst.addr.family = AF_INET6;
	rt.gateway = gw;
	rt.prefsrc = src;
	rt.table = 1000;
	rt.metric = 50;
	rt.protocol = RTPROT_P2S;
	assert_int_equal(
	    rtnl_route_build(buf, sizeof(buf), RTNL_ROUTE_ADD, &rt), 0);
	exp_hdr(&e, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	exp_bytes(&e, &rtm, sizeof(rtm));
	exp_attr(&e, RTA_GATEWAY, &gw.in6, 16);
	exp_attr(&e, RTA_PREFSRC, &src.in6, 16);
	exp_u32(&e, RTA_PRIORITY, 50);
	exp_u32(&e, RTA_TABLE, 1000);
	assert_msg_equal(buf, &e);
}

static void
test_route_invalid(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_route rt;

	rt = vnet_route();
	rt.dst.addr = v4("10.1.0.1"); /* host bits */
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), -EINVAL);
	rt = vnet_route();
	rt.dst.len = 33;
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), -EINVAL);
	rt = vnet_route();
	rt.gateway = v6("fe80::1");
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), -EINVAL);
	rt = vnet_route();
	rt.prefsrc = v6("fe80::1");
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), -EINVAL);
	rt = vnet_route();
	rt.oif = 0; /* goes nowhere */
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), -EINVAL);
	rt = vnet_route();
	rt.dst.addr.family = AF_UNSPEC;
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), -EINVAL);
	rt = vnet_route();
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 3, &rt), -EINVAL);
	rt.dst.addr = v6("fd00:1:2:3::");
	rt.dst.len = 63; /* bit 63 of fd00:1:2:3:: is set */
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), -EINVAL);
	rt.dst.len = 64;
	assert_int_equal(rtnl_route_build(buf, sizeof(buf), 0, &rt), 0);
	for (size_t cap = 0; cap < (nlh_at(buf))->nlmsg_len; cap++)
		assert_int_equal(rtnl_route_build(buf, cap, 0, &rt), -ENOSPC);
}

/* What the kernel sends about a route is what we ask it to add. */
static void
test_route_round_trip(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct rtnl_route rt = vnet_route(), got;
	struct rtnl_event ev;

	rt.gateway = v4("172.16.0.1");
	rt.prefsrc = v4("172.16.201.5");
	rt.metric = 7;
	rt.table = 70000;
	assert_int_equal(
	    rtnl_route_build(buf, sizeof(buf), RTNL_ROUTE_ADD, &rt), 0);
	assert_int_equal(rtnl_route_parse(nlh_at(buf), &got), 0);
	assert_true(nl_addr_eq(&got.dst.addr, &rt.dst.addr));
	assert_int_equal(got.dst.len, 16);
	assert_int_equal(got.oif, 5);
	assert_true(nl_addr_eq(&got.gateway, &rt.gateway));
	assert_true(nl_addr_eq(&got.prefsrc, &rt.prefsrc));
	assert_int_equal(got.table, 70000);
	assert_int_equal(got.metric, 7);
	assert_int_equal(got.protocol, RTPROT_P2S);
	assert_int_equal(got.type, RTN_UNICAST);
	assert_int_equal(rtnl_event_parse(nlh_at(buf), &ev), 0);
	assert_int_equal(ev.type, RTNL_EV_ROUTE_NEW);
	assert_int_equal(ev.route.oif, 5);

	assert_int_equal(
	    rtnl_route_build(buf, sizeof(buf), RTNL_ROUTE_DEL, &rt), 0);
	assert_int_equal(rtnl_event_parse(nlh_at(buf), &ev), 0);
	assert_int_equal(ev.type, RTNL_EV_ROUTE_DEL);
}

static void
test_route_get_bytes(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct nl_addr dst = v4("198.51.100.7");
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 32 };
	struct exp e;

	assert_int_equal(rtnl_route_get_build(buf, sizeof(buf), &dst), 0);
	exp_hdr(&e, RTM_GETROUTE, 0);
	exp_bytes(&e, &rtm, sizeof(rtm));
	exp_attr(&e, RTA_DST, &dst.in, 4);
	assert_msg_equal(buf, &e);
	dst.family = AF_UNSPEC;
	assert_int_equal(rtnl_route_get_build(buf, sizeof(buf), &dst), -EINVAL);
}

static void
test_addr_bytes(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct nl_prefix p = { .addr = v4("172.16.201.5"), .len = 32 };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET,
		.ifa_prefixlen = 32,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = 9 };
	struct exp e;

	assert_int_equal(rtnl_addr_build(buf, sizeof(buf), true, 9, &p), 0);
	exp_hdr(&e, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	exp_bytes(&e, &ifa, sizeof(ifa));
	exp_attr(&e, IFA_LOCAL, &p.addr.in, 4);
	exp_attr(&e, IFA_ADDRESS, &p.addr.in, 4);
	assert_msg_equal(buf, &e);

	/* IPv6: no duplicate address detection on a gateway-assigned IP. */
	p.addr = v6("fd00:201::5");
	p.len = 128;
	assert_int_equal(rtnl_addr_build(buf, sizeof(buf), true, 9, &p), 0);
	exp_hdr(&e, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	ifa.ifa_family = AF_INET6;
	ifa.ifa_prefixlen = 128;
	ifa.ifa_flags = IFA_F_NODAD;
	exp_bytes(&e, &ifa, sizeof(ifa));
	exp_attr(&e, IFA_LOCAL, &p.addr.in6, 16);
	exp_attr(&e, IFA_ADDRESS, &p.addr.in6, 16);
	assert_msg_equal(buf, &e);

	assert_int_equal(rtnl_addr_build(buf, sizeof(buf), false, 9, &p), 0);
	exp_hdr(&e, RTM_DELADDR, 0);
	ifa.ifa_flags = 0;
	exp_bytes(&e, &ifa, sizeof(ifa));
	exp_attr(&e, IFA_LOCAL, &p.addr.in6, 16);
	exp_attr(&e, IFA_ADDRESS, &p.addr.in6, 16);
	assert_msg_equal(buf, &e);

	assert_int_equal(
	    rtnl_addr_build(buf, sizeof(buf), true, 0, &p), -EINVAL);
	p.len = 129;
	assert_int_equal(
	    rtnl_addr_build(buf, sizeof(buf), true, 9, &p), -EINVAL);
}

static void
test_xfrmi_bytes(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	size_t info, data;
	struct exp e;

	assert_int_equal(
	    rtnl_xfrmi_add_build(buf, sizeof(buf), "p2s-corp", 42, 3), 0);
	exp_hdr(&e, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	exp_bytes(&e, &ifi, sizeof(ifi));
	exp_str(&e, IFLA_IFNAME, "p2s-corp");
	info = exp_nest(&e, IFLA_LINKINFO);
	exp_str(&e, IFLA_INFO_KIND, "xfrm");
	data = exp_nest(&e, IFLA_INFO_DATA);
	exp_u32(&e, IFLA_XFRM_IF_ID, 42);
	exp_u32(&e, IFLA_XFRM_LINK, 3);
	exp_nest_end(&e, data);
	exp_nest_end(&e, info);
	assert_msg_equal(buf, &e);

	assert_int_equal(
	    rtnl_xfrmi_add_build(buf, sizeof(buf), "p2s-corp", 0, 0), -EINVAL);
	assert_int_equal(
	    rtnl_xfrmi_add_build(buf, sizeof(buf), "sixteen-chars-xx", 1, 0),
	    -EINVAL);
	assert_int_equal(
	    rtnl_xfrmi_add_build(buf, sizeof(buf), "", 1, 0), -EINVAL);
}

static void
test_link_bytes(void **state)
{
	_Alignas(4) uint8_t buf[RTNL_MSG_MAX];
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
		.ifi_index = 9,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP };
	struct exp e;

	assert_int_equal(
	    rtnl_link_set_build(buf, sizeof(buf), 9, IFF_UP, IFF_UP, 0), 0);
	exp_hdr(&e, RTM_NEWLINK, 0);
	exp_bytes(&e, &ifi, sizeof(ifi));
	assert_msg_equal(buf, &e);

	/* Down: the flag cleared, the change bit set; with an MTU. */
	assert_int_equal(
	    rtnl_link_set_build(buf, sizeof(buf), 9, 0, IFF_UP, 1400), 0);
	exp_hdr(&e, RTM_NEWLINK, 0);
	ifi.ifi_flags = 0;
	exp_bytes(&e, &ifi, sizeof(ifi));
	exp_u32(&e, IFLA_MTU, 1400);
	assert_msg_equal(buf, &e);

	assert_int_equal(rtnl_link_del_build(buf, sizeof(buf), 9), 0);
	exp_hdr(&e, RTM_DELLINK, 0);
	ifi = (struct ifinfomsg){ .ifi_family = AF_UNSPEC, .ifi_index = 9 };
	exp_bytes(&e, &ifi, sizeof(ifi));
	assert_msg_equal(buf, &e);
	assert_int_equal(rtnl_link_del_build(buf, sizeof(buf), 0), -EINVAL);

	assert_int_equal(rtnl_link_get_build(buf, sizeof(buf), "tun0"), 0);
	exp_hdr(&e, RTM_GETLINK, 0);
	ifi.ifi_index = 0;
	exp_bytes(&e, &ifi, sizeof(ifi));
	exp_str(&e, IFLA_IFNAME, "tun0");
	exp_u32(&e, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	assert_msg_equal(buf, &e);
}

/* A RTM_NEWLINK as the kernel sends it for an XFRM interface. */
static const struct nlmsghdr *
link_msg(struct exp *e, int index, const char *name, const char *kind)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
		.ifi_index = index,
		.ifi_flags = IFF_UP | IFF_RUNNING };
	size_t info, data;

	exp_hdr(e, RTM_NEWLINK, 0);
	exp_bytes(e, &ifi, sizeof(ifi));
	if (name != NULL)
		exp_str(e, IFLA_IFNAME, name);
	exp_u32(e, IFLA_MTU, 1400);
	exp_u32(e, IFLA_TXQLEN, 1000); /* not ours: skipped */
	info = exp_nest(e, IFLA_LINKINFO);
	exp_str(e, IFLA_INFO_KIND, kind);
	data = exp_nest(e, IFLA_INFO_DATA);
	exp_u32(e, IFLA_XFRM_LINK, 2);
	exp_u32(e, IFLA_XFRM_IF_ID, 42);
	exp_nest_end(e, data);
	exp_nest_end(e, info);
	return exp_done(e);
}

static void
test_link_parse(void **state)
{
	struct rtnl_link link;
	struct rtnl_event ev;
	struct exp e;

	assert_int_equal(
	    rtnl_link_parse(link_msg(&e, 12, "p2s-corp", "xfrm"), &link), 0);
	assert_int_equal(link.ifindex, 12);
	assert_string_equal(link.name, "p2s-corp");
	assert_string_equal(link.kind, "xfrm");
	assert_int_equal(link.mtu, 1400);
	assert_int_equal(link.flags, IFF_UP | IFF_RUNNING);
	assert_int_equal(link.xfrm_if_id, 42);
	/* Another kind's IFLA_INFO_DATA means something else. */
	assert_int_equal(
	    rtnl_link_parse(link_msg(&e, 12, "tun0", "tun"), &link), 0);
	assert_string_equal(link.kind, "tun");
	assert_int_equal(link.xfrm_if_id, 0);

	assert_int_equal(
	    rtnl_event_parse(link_msg(&e, 12, "x", "xfrm"), &ev), 0);
	assert_int_equal(ev.type, RTNL_EV_LINK_NEW);
	(nlh_at(e.b))->nlmsg_type = RTM_DELLINK;
	assert_int_equal(rtnl_event_parse(nlh_at(e.b), &ev), 0);
	assert_int_equal(ev.type, RTNL_EV_LINK_DEL);

	/* No name, index 0, a name without its NUL, a name too long. */
	assert_int_equal(
	    rtnl_link_parse(link_msg(&e, 12, NULL, "xfrm"), &link), -EBADMSG);
	assert_int_equal(
	    rtnl_link_parse(link_msg(&e, 0, "x", "xfrm"), &link), -EBADMSG);
	link_msg(&e, 12, "abc", "xfrm");
	e.b[NLMSG_HDRLEN + sizeof(struct ifinfomsg) + NLA_HDRLEN + 3] = 'd';
	assert_int_equal(rtnl_link_parse(nlh_at(e.b), &link), -EBADMSG);
	assert_int_equal(
	    rtnl_link_parse(
		link_msg(&e, 12, "sixteen-chars-xx", "xfrm"), &link),
	    -EBADMSG);
	/* IFLA_INFO_KIND that is not a string. */
	assert_int_equal(
	    rtnl_link_parse(
		link_msg(&e, 12, "x", "a-kind-too-long-for-us"), &link),
	    -EBADMSG);
}

static const struct nlmsghdr *
addr_msg(struct exp *e, uint8_t family, uint8_t plen, const void *local,
    size_t local_len, const void *peer, size_t peer_len)
{
	struct ifaddrmsg ifa = {
		.ifa_family = family, .ifa_prefixlen = plen, .ifa_index = 9
	};

	exp_hdr(e, RTM_NEWADDR, 0);
	exp_bytes(e, &ifa, sizeof(ifa));
	if (peer != NULL)
		exp_attr(e, IFA_ADDRESS, peer, peer_len);
	if (local != NULL)
		exp_attr(e, IFA_LOCAL, local, local_len);
	exp_str(e, IFA_LABEL, "tun0");
	return exp_done(e);
}

static void
test_addr_parse(void **state)
{
	struct nl_addr a = v4("172.16.201.5"), peer = v4("172.16.201.1");
	struct nl_addr a6 = v6("fd00::5");
	struct rtnl_addr addr;
	struct rtnl_event ev;
	struct exp e;

	/* Point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer's. */
	assert_int_equal(
	    rtnl_addr_parse(
		addr_msg(&e, AF_INET, 32, &a.in, 4, &peer.in, 4), &addr),
	    0);
	assert_true(nl_addr_eq(&addr.prefix.addr, &a));
	assert_int_equal(addr.prefix.len, 32);
	assert_int_equal(addr.ifindex, 9);
	/* IPv6 has only IFA_ADDRESS. */
	assert_int_equal(
	    rtnl_addr_parse(
		addr_msg(&e, AF_INET6, 64, NULL, 0, &a6.in6, 16), &addr),
	    0);
	assert_true(nl_addr_eq(&addr.prefix.addr, &a6));
	(nlh_at(e.b))->nlmsg_type = RTM_DELADDR;
	assert_int_equal(rtnl_event_parse(nlh_at(e.b), &ev), 0);
	assert_int_equal(ev.type, RTNL_EV_ADDR_DEL);
	assert_int_equal(ev.addr.prefix.len, 64);

	/* Sizes that do not fit the family, prefixes too long, none. */
	assert_int_equal(
	    rtnl_addr_parse(
		addr_msg(&e, AF_INET, 32, &a6.in6, 16, NULL, 0), &addr),
	    -EBADMSG);
	assert_int_equal(
	    rtnl_addr_parse(
		addr_msg(&e, AF_INET, 32, &a.in, 3, NULL, 0), &addr),
	    -EBADMSG);
	assert_int_equal(
	    rtnl_addr_parse(
		addr_msg(&e, AF_INET, 33, &a.in, 4, NULL, 0), &addr),
	    -EBADMSG);
	assert_int_equal(
	    rtnl_addr_parse(addr_msg(&e, AF_INET, 32, NULL, 0, NULL, 0), &addr),
	    -EBADMSG);
	assert_int_equal(
	    rtnl_addr_parse(
		addr_msg(&e, AF_PACKET, 32, &a.in, 4, NULL, 0), &addr),
	    -EOPNOTSUPP);
}

static void
test_route_parse_foreign(void **state)
{
	struct rtmsg rtm = { .rtm_family = AF_INET,
		.rtm_dst_len = 24,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_KERNEL,
		.rtm_type = RTN_UNICAST };
	struct rtnl_route rt;
	struct rtnl_event ev;
	struct exp e;

	/* Without RTA_TABLE, the table is rtm_table. */
	exp_hdr(&e, RTM_NEWROUTE, 0);
	exp_bytes(&e, &rtm, sizeof(rtm));
	exp_attr(&e, RTA_DST, "\xc0\x00\x02\x00", 4);
	exp_u32(&e, RTA_OIF, 3);
	exp_attr(&e, RTA_CACHEINFO, "\0\0\0\0\0\0\0\0", 8); /* skipped */
	assert_int_equal(rtnl_route_parse(exp_done(&e), &rt), 0);
	assert_int_equal(rt.table, RT_TABLE_MAIN);
	assert_int_equal(rt.protocol, RTPROT_KERNEL);
	assert_int_equal(rt.oif, 3);
	assert_int_equal(rt.dst.len, 24);
	assert_int_equal(rt.gateway.family, AF_UNSPEC);

	/* An IPv6 address in an IPv4 route. */
	exp_attr(&e, RTA_GATEWAY, "0123456789abcdef", 16);
	assert_int_equal(rtnl_route_parse(exp_done(&e), &rt), -EBADMSG);
	/* An rtmsg cut short. */
	exp_hdr(&e, RTM_NEWROUTE, 0);
	exp_bytes(&e, &rtm, sizeof(rtm) - 4);
	assert_int_equal(rtnl_route_parse(exp_done(&e), &rt), -EBADMSG);
	/* Multicast families and other messages are not ours. */
	rtm.rtm_family = RTNL_FAMILY_IPMR;
	exp_hdr(&e, RTM_NEWROUTE, 0);
	exp_bytes(&e, &rtm, sizeof(rtm));
	assert_int_equal(rtnl_route_parse(exp_done(&e), &rt), -EOPNOTSUPP);
	(nlh_at(e.b))->nlmsg_type = RTM_NEWRULE;
	assert_int_equal(rtnl_event_parse(nlh_at(e.b), &ev), -EOPNOTSUPP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_add_bytes),
		cmocka_unit_test(test_route_gateway_v6_bytes),
		cmocka_unit_test(test_route_invalid),
		cmocka_unit_test(test_route_round_trip),
		cmocka_unit_test(test_route_get_bytes),
		cmocka_unit_test(test_addr_bytes),
		cmocka_unit_test(test_xfrmi_bytes),
		cmocka_unit_test(test_link_bytes),
		cmocka_unit_test(test_link_parse),
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_route_parse_foreign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
