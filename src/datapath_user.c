/* SPDX-License-Identifier: ISC */
/*
 * datapath_user.c: the userspace datapath (see datapath.h).  RFC 4303
 * (ESP, tunnel mode) and RFC 3948 (UDP encapsulation) on one side, a TUN
 * interface on the other, and the RFC 4301 5.1/5.2 selector checks in
 * between: only packets between the virtual IP and the negotiated remote
 * selectors cross, in either direction.
 */
#include <sys/socket.h>

#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "datapath.h"
#include "datapath_int.h"
#include "log.h"
#include "loop.h"
#include "prefix.h"
#include "route_set.h"
#include "rtnl.h"
#include "sock.h"
#include "tun.h"

#define ESP_MAX_OVERHEAD 128 /* bytes: header, IV, padding, ICV */

struct dp_user {
	struct loop *loop;	 /* borrowed */
	struct sock *sock;	 /* borrowed: the gateway paths */
	struct nl *nl;		 /* owned: NETLINK_ROUTE */
	int tun;		 /* owned: the TUN descriptor */
	struct io *tun_io;	 /* owned */
	unsigned int ifindex;	 /* of the TUN interface */
	char ifname[IFNAMSIZ];	 /* its name */
	uint16_t mtu;		 /* bytes */
	struct nl_addr gw;	 /* never routed into the tunnel */
	struct esp_sa *in;	 /* owned: current inbound SA */
	struct esp_sa *in_old;	 /* owned: inbound SA being rekeyed away */
	struct esp_sa *out;	 /* owned: current outbound SA */
	struct nl_prefix vip;	 /* on the interface; family 0: none */
	struct route_set routes; /* installed via the interface */
	struct nl_prefix *sel;	 /* owned: remote selectors, as prefixes */
	size_t n_sel;
	struct datapath_stats st; /* for status */
	uint8_t *pkt;		  /* owned: TUN_MAX_PACKET bytes */
	uint8_t *wire;		  /* owned: a packet with ESP around it */
};

/* ---- The selectors (RFC 4301 5.1, 5.2). ---- */

/* The source and destination address of an IP packet, or false. */
static bool
ip_addrs(const uint8_t *p, size_t len, struct nl_addr *src, struct nl_addr *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (len >= 20 && p[0] >> 4 == 4) {
		src->family = dst->family = AF_INET;
		memcpy(src->bytes, p + 12, 4);
		memcpy(dst->bytes, p + 16, 4);
		return true;
	}
	if (len >= 40 && p[0] >> 4 == 6) {
		src->family = dst->family = AF_INET6;
		memcpy(src->bytes, p + 8, 16);
		memcpy(dst->bytes, p + 24, 16);
		return true;
	}
	return false;
}

static bool
in_selectors(const struct dp_user *dp, const struct nl_addr *a)
{
	for (size_t i = 0; i < dp->n_sel; i++)
		if (prefix_contains(&dp->sel[i], a))
			return true;
	return false;
}

/* Ours to send: from the virtual IP to a remote selector. */
static bool
policy_out(const struct dp_user *dp, const struct nl_addr *src,
    const struct nl_addr *dst)
{
	return prefix_contains(&dp->vip, src) && in_selectors(dp, dst);
}

/* Ours to accept: from a remote selector to the virtual IP. */
static bool
policy_in(const struct dp_user *dp, const struct nl_addr *src,
    const struct nl_addr *dst)
{
	return in_selectors(dp, src) && prefix_contains(&dp->vip, dst);
}

/* ---- Packets. ---- */

static void
send_one(struct dp_user *dp, size_t len)
{
	struct nl_addr src, dst;
	struct rd inner = rd_make(dp->pkt, len), esp;
	struct wr w = wr_make(dp->wire, TUN_MAX_PACKET + ESP_MAX_OVERHEAD);
	uint8_t nh;

	if (dp->out == NULL) {
		dp->st.dropped_no_sa++;
		return;
	}
	if (!ip_addrs(dp->pkt, len, &src, &dst) ||
	    !policy_out(dp, &src, &dst)) {
		dp->st.dropped_policy++;
		return;
	}
	nh = src.family == AF_INET ? ESP_NH_IPV4 : ESP_NH_IPV6;
	if (esp_seal(dp->out, &inner, nh, &w) < 0) {
		dp->st.dropped_send++;
		return;
	}
	esp = wr_view(&w, 0);
	if (dp->sock == NULL || sock_send_esp(dp->sock, &esp) < 0)
		dp->st.dropped_send++;
}

/* Bounded: a flood on the TUN cannot starve the rest of the loop. */
static void
on_tun(int fd, void *arg)
{
	struct dp_user *dp = arg;

	for (int i = 0; i < DATAPATH_BURST; i++) {
		ssize_t n = tun_read(fd, dp->pkt, TUN_MAX_PACKET);

		if (n <= 0)
			return;
		send_one(dp, (size_t)n);
	}
}

static struct esp_sa *
sa_for_spi(const struct dp_user *dp, uint32_t spi)
{
	if (dp->in != NULL && esp_sa_spi(dp->in) == spi)
		return dp->in;
	if (dp->in_old != NULL && esp_sa_spi(dp->in_old) == spi)
		return dp->in_old;
	return NULL;
}

void
dp_user_esp_input(struct dp_user *dp, const struct rd *esp)
{
	struct nl_addr src, dst;
	struct esp_sa *sa;
	struct rd inner;
	uint32_t spi;
	uint8_t nh;

	if (!esp_peek_spi(esp, &spi) || (sa = sa_for_spi(dp, spi)) == NULL)
		return;
	if (esp_open(sa, esp, dp->pkt, TUN_MAX_PACKET, &inner, &nh) < 0)
		return; /* counted by the SA */
	if (nh == ESP_NH_NONE)
		return; /* RFC 4303 2.6: a dummy packet */
	if (!ip_addrs(inner.p, inner.len, &src, &dst) ||
	    (nh != (src.family == AF_INET ? ESP_NH_IPV4 : ESP_NH_IPV6)) ||
	    !policy_in(dp, &src, &dst)) {
		dp->st.dropped_policy++;
		return;
	}
	if (tun_write(dp->tun, inner.p, inner.len) < 0)
		dp->st.dropped_send++;
}

/* ---- The interface, its address and routes. ---- */

static int
tun_setup(struct dp_user *dp)
{
	int r;

	dp->tun = tun_open(dp->ifname);
	if (dp->tun < 0) {
		r = dp->tun;
		log_errno(r, "cannot create interface %s%s", dp->ifname,
		    r == -EBUSY ? " (it exists: another p2sd, or set "
				  "`interface:` in the profile)"
				: "");
		return r;
	}
	r = rtnl_link_index(dp->nl, dp->ifname, &dp->ifindex);
	if (r == 0)
		r = rtnl_link_set_mtu(dp->nl, dp->ifindex, dp->mtu);
	if (r == 0)
		r = rtnl_link_set_up(dp->nl, dp->ifindex, true);
	if (r < 0)
		log_errno(r, "cannot set up interface %s", dp->ifname);
	return r;
}

static void
gw_addr(const struct sock *sock, struct nl_addr *ret)
{
	struct sockaddr_storage ss;

	sock_remote(sock, &ss);
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)ss.ss_family;
	if (ss.ss_family == AF_INET)
		memcpy(ret->bytes, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		memcpy(
		    ret->bytes, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
}

static int
dp_user_alloc(const struct conf *conf, struct dp_user **ret)
{
	struct dp_user *dp = calloc(1, sizeof(*dp));

	if (dp == NULL)
		return -ENOMEM;
	dp->tun = -1;
	dp->mtu = conf->mtu;
	memcpy(dp->ifname, conf->interface, sizeof(dp->ifname));
	dp->sel = calloc(IKE_CHILD_MAX_TS * 2 * 128, sizeof(*dp->sel));
	dp->pkt = malloc(TUN_MAX_PACKET);
	dp->wire = malloc(TUN_MAX_PACKET + ESP_MAX_OVERHEAD);
	dp->nl = nl_open(NETLINK_ROUTE);
	*ret = dp;
	if (dp->sel == NULL || dp->pkt == NULL || dp->wire == NULL ||
	    dp->nl == NULL)
		return -ENOMEM;
	return 0;
}

int
dp_user_new(struct loop *loop, const struct conf *conf, struct sock *sock,
    struct dp_user **ret)
{
	struct dp_user *dp = NULL;
	int r;

	r = dp_user_alloc(conf, &dp);
	if (r < 0)
		goto out;
	dp->loop = loop;
	dp->sock = sock;
	gw_addr(sock, &dp->gw);
	r = route_set_init(&dp->routes, &dp->gw);
	if (r == 0)
		r = tun_setup(dp);
	if (r < 0)
		goto out;
	r = io_new(loop, dp->tun, on_tun, dp, &dp->tun_io);
	if (r < 0)
		goto out;
	r = route_set_add_conf(&dp->routes, conf);
	if (r == 0)
		r = route_set_install(&dp->routes, dp->nl, dp->ifindex, 0);
	if (r < 0)
		log_errno(
		    r, "cannot install the profile's routes on %s", dp->ifname);
out:
	if (r < 0) {
		dp_user_free(dp);
		return r;
	}
	log_info("userspace datapath: interface %s, mtu %u, %zu routes",
	    dp->ifname, dp->mtu, dp->routes.n);
	*ret = dp;
	return 0;
}

static void
sas_free(struct dp_user *dp)
{
	esp_sa_free(dp->in);
	esp_sa_free(dp->in_old);
	esp_sa_free(dp->out);
	dp->in = dp->in_old = dp->out = NULL;
}

void
dp_user_free(struct dp_user *dp)
{
	if (dp == NULL)
		return;
	sas_free(dp);
	io_free(dp->tun_io);
	/* Closing the TUN takes its address and routes with it. */
	if (dp->tun >= 0)
		(void)close(dp->tun);
	nl_close(dp->nl);
	route_set_done(&dp->routes);
	free(dp->sel);
	free(dp->pkt);
	free(dp->wire);
	free(dp);
}

/* ---- Installing a CHILD_SA. ---- */

static int
vip_set(struct dp_user *dp, const struct ike_child *c)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&c->vip4;
	struct nl_prefix vip = { .addr.family = AF_INET, .len = 32 };
	int r;

	if (c->vip4.ss_family != AF_INET)
		return -EPROTO; /* no virtual IP: nothing to route from */
	memcpy(vip.addr.bytes, &v4->sin_addr, 4);
	if (dp->vip.addr.family != 0 &&
	    memcmp(dp->vip.addr.bytes, vip.addr.bytes, 4) == 0)
		return 0;
	/* The new address first: with no IPv4 address left for a moment,
	 * the kernel would flush every route through the interface. */
	r = rtnl_addr_add(dp->nl, dp->ifindex, &vip);
	if (r < 0 && r != -EEXIST)
		return r;
	if (dp->vip.addr.family != 0)
		(void)rtnl_addr_del(dp->nl, dp->ifindex, &dp->vip);
	dp->vip = vip;
	return 0;
}

/* The remote selectors become both the inbound check and routes. */
static int
selectors_set(struct dp_user *dp, const struct ike_child *c)
{
	size_t cap = IKE_CHILD_MAX_TS * 2 * 128, first = dp->routes.n;
	int r = 0;

	dp->n_sel = 0;
	for (size_t i = 0; i < c->n_ts_remote && r == 0; i++) {
		const struct ike_child_ts *ts = &c->ts_remote[i];

		r = prefix_from_range(
		    ts->family, ts->start, ts->end, dp->sel, cap, &dp->n_sel);
	}
	for (size_t i = 0; i < dp->n_sel && r == 0; i++)
		r = route_set_add(&dp->routes, &dp->sel[i]);
	if (r == 0)
		r = route_set_install(&dp->routes, dp->nl, dp->ifindex, first);
	return r;
}

static int
sa_new(enum esp_dir dir, uint32_t spi, const struct ike_child *c,
    const struct buf *encr, const struct buf *integ, struct esp_sa **ret)
{
	struct rd ek = buf_rd(encr);
	struct rd ik = integ != NULL ? buf_rd(integ) : rd_make(NULL, 0);

	return esp_sa_new(dir, spi, c->esp.encr, c->esp.encr_bits, &ek,
	    c->esp.integ, &ik, ret);
}

int
dp_user_install(struct dp_user *dp, const struct ike_child *c)
{
	struct esp_sa *in = NULL, *out = NULL;
	int r;

	r = sa_new(
	    ESP_DIR_IN, c->spi_in, c, c->keys->encr_in, c->keys->integ_in, &in);
	if (r == 0)
		r = sa_new(ESP_DIR_OUT, c->spi_out, c, c->keys->encr_out,
		    c->keys->integ_out, &out);
	if (r == 0)
		r = vip_set(dp, c);
	if (r == 0)
		r = selectors_set(dp, c);
	if (r < 0) {
		esp_sa_free(in);
		esp_sa_free(out);
		return r;
	}
	/* Make before break: the old inbound SA stays until the engine
	 * says it is gone; outbound switches now. */
	esp_sa_free(dp->in_old);
	dp->in_old = c->rekey ? dp->in : NULL;
	if (!c->rekey)
		esp_sa_free(dp->in);
	esp_sa_free(dp->out);
	dp->in = in;
	dp->out = out;
	return 0;
}

void
dp_user_set_sock(struct dp_user *dp, struct sock *sock)
{
	dp->sock = sock;
}

void
dp_user_child_gone(struct dp_user *dp, uint32_t spi_in, uint32_t spi_out)
{
	if (dp->in_old != NULL && esp_sa_spi(dp->in_old) == spi_in) {
		esp_sa_free(dp->in_old);
		dp->in_old = NULL;
	}
}

void
dp_user_clear(struct dp_user *dp)
{
	sas_free(dp);
}

void
dp_user_stats(const struct dp_user *dp, struct datapath_stats *ret)
{
	*ret = dp->st;
	if (dp->in != NULL)
		ret->in = *esp_sa_counters(dp->in);
	if (dp->out != NULL)
		ret->out = *esp_sa_counters(dp->out);
}

const char *
dp_user_ifname(const struct dp_user *dp)
{
	return dp->ifname;
}

size_t
dp_user_n_routes(const struct dp_user *dp)
{
	return dp->routes.n;
}
