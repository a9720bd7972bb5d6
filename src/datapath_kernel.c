/* SPDX-License-Identifier: ISC */
/*
 * datapath_kernel.c: the kernel datapath (see datapath.h).  The kernel
 * does ESP (RFC 4303, tunnel mode) and its UDP encapsulation (RFC 3948);
 * p2sd gives it, over netlink:
 *
 * - an XFRM interface named by `interface:` (Linux 4.19), with the MTU,
 *   the virtual IP and the routes (the profile's, then the narrowed
 *   remote selectors; protocol RTPROT_P2S).  Packets routed into it look
 *   up only the policies that carry its if_id, so nothing else on the host
 *   is steered into the tunnel and the tunnel takes nothing but its own;
 * - per CHILD_SA, an inbound and an outbound state, and out/in/fwd
 *   policies for each pair of narrowed selectors (RFC 4301 4.4.1), with a
 *   template from our address to the gateway's, all with that if_id.
 *   Selectors are addresses only: protocol and ports are not narrowed
 *   (Azure and strongSwan's P2S narrow to whole address ranges);
 * - the IKE sockets exempted from every policy (IKE never goes into the
 *   tunnel it negotiates), and the NAT-T socket marked ESP-in-UDP so the
 *   kernel takes the ESP packets arriving on it.
 *
 * The if_id is a hash of the interface name (dp_kernel_if_id), so a
 * restarted p2sd finds what a crashed one left (the interface by name,
 * states and policies by if_id) and removes that, and nothing else.  The
 * inbound SPI is the engine's random one: the kernel takes a chosen SPI
 * (XFRM_MSG_NEWSA) and answers -EEXIST in the unlikely case it is taken,
 * which fails the install and so the attempt.  Keys are borrowed from the
 * engine for the length of an install and never copied; the netlink
 * buffers that carried them are wiped by xfrm.c.
 */
#include <sys/socket.h>

#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "datapath.h"
#include "datapath_int.h"
#include "log.h"
#include "loop.h"
#include "nl.h"
#include "prefix.h"
#include "route_set.h"
#include "rtnl.h"
#include "sock.h"
#include "xfrm.h"

#define DP_KERNEL_REPLAY_WINDOW 32   /* packets: inbound anti-replay */
#define DP_KERNEL_POLICY_PRIO	1000 /* lower wins; only ours match */
#define DP_KERNEL_MAX_SEL	128  /* prefixes from one side's TS */
#define DP_KERNEL_MAX_POLICIES	768  /* out+in+fwd per CHILD_SA */

/*
 * The kernel's limits on each state, behind the engine's rekey timer.
 * Packets: without ESN the sequence number has 32 bits (RFC 4303 3.3.3),
 * which 10 Gbit/s of full-size packets use up in about 80 minutes; rekey
 * at half of it, and let the kernel delete the state (hard: we hear of
 * it and recover) just before it would refuse to send.  Bytes: rekey
 * after 64 GiB under one key, as a matter of hygiene; no hard byte
 * limit, the packet limit is the wall.  Time: the engine rekeys at the
 * profile's lifetime.child less 0..10% of jitter; the kernel asks again
 * a tenth after it (the engine's rekey did not happen, or failed), and
 * deletes a state that outlived two lifetimes unreplaced, so p2sd hears
 * of it and recovers.
 */
#define DP_KERNEL_SOFT_PACKETS (1ULL << 31)
#define DP_KERNEL_HARD_PACKETS ((1ULL << 32) - (1ULL << 16))
#define DP_KERNEL_SOFT_BYTES   (64ULL << 30)

/* An installed state: enough to find it again. */
struct dp_state {
	struct nl_addr dst; /* outer destination */
	uint32_t spi;	    /* host order; 0: none */
};

struct dp_kernel {
	struct sock *sock;	 /* borrowed: the gateway paths */
	struct nl *route;	 /* owned: NETLINK_ROUTE */
	struct nl *xfrm;	 /* owned: NETLINK_XFRM */
	struct nl *mon;		 /* owned: EXPIRE events */
	struct io *io_mon;	 /* owned: watches mon */
	datapath_event_cb ev_cb; /* told of expiries; NULL: nobody */
	void *ev_arg;
	unsigned int ifindex;	 /* of the XFRM interface; 0: none */
	uint32_t if_id;		 /* its if_id, also the states' reqid */
	char ifname[IFNAMSIZ];	 /* its name */
	uint16_t mtu;		 /* bytes */
	uint32_t child_s;	 /* the profile's lifetime.child */
	struct nl_addr gw;	 /* never routed into the tunnel */
	struct nl_prefix vip;	 /* on the interface; family 0: none */
	struct route_set routes; /* installed via the interface */
	struct xfrm_sp *pol;	 /* owned: DP_KERNEL_MAX_POLICIES installed */
	size_t n_pol;
	struct dp_state in;	/* current inbound state */
	struct dp_state in_old; /* inbound state being rekeyed away */
	struct dp_state out;	/* current outbound state */
	struct datapath_stats st;
};

uint32_t
dp_kernel_if_id(const char *ifname)
{
	uint32_t h = 2166136261u; /* FNV-1a, 32 bits */

	for (const char *p = ifname; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h != 0 ? h : 1; /* 0 means "no if_id" to the kernel */
}

static void
addr_from_ss(
    const struct sockaddr_storage *ss, struct nl_addr *ret, uint16_t *ret_port)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		ret->in = sin->sin_addr;
		*ret_port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		ret->in6 = s6->sin6_addr;
		*ret_port = ntohs(s6->sin6_port);
	}
}

/* ---- The interface, its address and routes. ---- */

/* A previous p2sd of this profile died without cleaning up: its
 * interface (by name) and its states and policies (by if_id) go. */
static int
leftovers_remove(struct dp_kernel *dp)
{
	struct rtnl_link link;
	size_t n = 0;
	int r;

	r = rtnl_link_get(dp->route, dp->ifname, &link);
	if (r == 0 && strcmp(link.kind, "xfrm") != 0) {
		log_err("interface %s exists and is not an XFRM interface: "
			"not ours (set `interface:` in the profile)",
		    dp->ifname);
		return -EBUSY;
	}
	if (r == 0) {
		log_warn("removing %s, left by an earlier p2sd", dp->ifname);
		(void)rtnl_link_del(dp->route, link.ifindex);
	}
	r = xfrm_flush_if_id(dp->xfrm, dp->if_id, &n);
	if (r == 0 && n > 0)
		log_warn("removed %zu XFRM states and policies with if_id "
			 "0x%08x, left by an earlier p2sd",
		    n, dp->if_id);
	return r;
}

static int
xfrmi_setup(struct dp_kernel *dp)
{
	int r;

	r = leftovers_remove(dp);
	if (r < 0)
		return r;
	r = rtnl_xfrmi_add(dp->route, dp->ifname, dp->if_id, 0, &dp->ifindex);
	if (r < 0) {
		log_errno(r, "cannot create XFRM interface %s (if_id 0x%08x)%s",
		    dp->ifname, dp->if_id,
		    r == -EEXIST ? ": another interface has this if_id" : "");
		return r;
	}
	r = rtnl_link_set_mtu(dp->route, dp->ifindex, dp->mtu);
	if (r == 0)
		r = rtnl_link_set_up(dp->route, dp->ifindex, true);
	if (r < 0)
		log_errno(r, "cannot set up interface %s", dp->ifname);
	return r;
}

static int events_watch(struct dp_kernel *, struct loop *);

int
dp_kernel_new(struct loop *loop, const struct conf *conf, struct sock *sock,
    struct nl *route, struct nl *xfrm, struct dp_kernel **ret)
{
	struct sockaddr_storage ss;
	struct dp_kernel *dp;
	uint16_t port;
	int r;

	dp = calloc(1, sizeof(*dp));
	if (dp == NULL) {
		nl_close(route);
		nl_close(xfrm);
		return -ENOMEM;
	}
	dp->route = route;
	dp->xfrm = xfrm;
	dp->mtu = conf->mtu;
	dp->child_s = conf->lifetime.child;
	memcpy(dp->ifname, conf->interface, sizeof(dp->ifname));
	dp->if_id = dp_kernel_if_id(dp->ifname);
	sock_remote(sock, &ss);
	addr_from_ss(&ss, &dp->gw, &port);
	dp->pol = calloc(DP_KERNEL_MAX_POLICIES, sizeof(*dp->pol));
	r = route_set_init(&dp->routes, &dp->gw);
	if (r == 0 && dp->pol == NULL)
		r = -ENOMEM;
	dp_kernel_set_sock(dp, sock);
	if (r == 0)
		r = events_watch(dp, loop);
	if (r == 0)
		r = xfrmi_setup(dp);
	if (r == 0)
		r = route_set_add_conf(&dp->routes, conf);
	if (r == 0 &&
	    (r = route_set_install(&dp->routes, dp->route, dp->ifindex, 0)) < 0)
		log_errno(
		    r, "cannot install the profile's routes on %s", dp->ifname);
	if (r < 0) {
		dp_kernel_free(dp);
		return r;
	}
	log_info("kernel datapath: XFRM interface %s, if_id 0x%08x, mtu %u, "
		 "%zu routes",
	    dp->ifname, dp->if_id, dp->mtu, dp->routes.n);
	*ret = dp;
	return 0;
}

static void
state_del(struct dp_kernel *dp, struct dp_state *s)
{
	if (s->spi != 0 && xfrm_state_del(dp->xfrm, &s->dst, s->spi) < 0)
		log_warn("cannot delete XFRM state 0x%08x: %s", s->spi,
		    nl_errmsg(dp->xfrm));
	s->spi = 0;
}

/* One batch: hundreds of policies in a few sendmsg()s.  A policy that
 * is already gone is as good as deleted. */
static void
policies_del(struct dp_kernel *dp, size_t from)
{
	struct nl_batch *b = nl_batch_new();
	int r = b != NULL ? 0 : -ENOMEM;

	for (size_t i = from; i < dp->n_pol && r == 0; i++)
		r = xfrm_policy_del_batch(b, &dp->pol[i]);
	if (r == 0 && nl_batch_count(b) > 0)
		r = nl_batch_send(dp->xfrm, b);
	if (r < 0 && r != -ENOENT)
		log_errno(r, "cannot delete the XFRM policies: %s",
		    nl_errmsg(dp->xfrm));
	nl_batch_free(b);
	dp->n_pol = from;
}

void
dp_kernel_clear(struct dp_kernel *dp)
{
	state_del(dp, &dp->out);
	state_del(dp, &dp->in);
	state_del(dp, &dp->in_old);
	policies_del(dp, 0);
}

/* Everything p2sd added: the interface takes its address and routes with
 * it; the flush by if_id catches what a failed delete left. */
void
dp_kernel_free(struct dp_kernel *dp)
{
	size_t n = 0;

	if (dp == NULL)
		return;
	io_free(dp->io_mon);
	nl_close(dp->mon);
	if (dp->xfrm != NULL) {
		dp_kernel_clear(dp);
		if (xfrm_flush_if_id(dp->xfrm, dp->if_id, &n) < 0 || n > 0)
			log_warn("XFRM if_id 0x%08x: %zu left over after "
				 "teardown",
			    dp->if_id, n);
	}
	if (dp->ifindex != 0 && rtnl_link_del(dp->route, dp->ifindex) < 0)
		log_warn("cannot remove interface %s: %s", dp->ifname,
		    nl_errmsg(dp->route));
	nl_close(dp->route);
	nl_close(dp->xfrm);
	route_set_done(&dp->routes);
	free(dp->pol);
	free(dp);
}

/* Each attempt has new sockets: exempt them from the policies. */
void
dp_kernel_set_sock(struct dp_kernel *dp, struct sock *sock)
{
	struct sockaddr_storage gw;
	int fds[2], r;

	dp->sock = sock;
	if (sock == NULL)
		return;
	sock_remote(sock, &gw);
	fds[0] = sock_fd_ike(sock);
	fds[1] = sock_fd_natt(sock);
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0 &&
		    (r = xfrm_socket_bypass(fds[i], gw.ss_family)) < 0)
			log_errno(r,
			    "cannot exempt an IKE socket from IPsec "
			    "policies");
}

/* ---- Installing a CHILD_SA. ---- */

static int
vip_set(struct dp_kernel *dp, const struct ike_child *c)
{
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&c->vip4;
	struct nl_prefix vip = { .addr.family = AF_INET, .len = 32 };
	int r;

	if (c->vip4.ss_family != AF_INET)
		return -EPROTO; /* no virtual IP: nothing to route from */
	vip.addr.in = v4->sin_addr;
	if (nl_addr_eq(&dp->vip.addr, &vip.addr))
		return 0;
	/* The new address first: with no IPv4 address left for a moment,
	 * the kernel would flush every route through the interface. */
	r = rtnl_addr_add(dp->route, dp->ifindex, &vip);
	if (r < 0 && r != -EEXIST)
		return r;
	if (dp->vip.addr.family != 0)
		(void)rtnl_addr_del(dp->route, dp->ifindex, &dp->vip);
	dp->vip = vip;
	return 0;
}

static int
ts_prefixes(const struct ike_child_ts *ts, size_t n, struct nl_prefix *ret,
    size_t *ret_n)
{
	int r = 0;

	*ret_n = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = prefix_from_range(ts[i].family, ts[i].start, ts[i].end, ret,
		    DP_KERNEL_MAX_SEL, ret_n);
	return r;
}

/* The outer addresses and UDP ports: ours, the gateway's. */
struct dp_outer {
	struct nl_addr local, remote;
	uint16_t lport, rport; /* host order; 0 without UDP encapsulation */
};

static int
outer_get(struct dp_kernel *dp, const struct ike_child *c, struct dp_outer *ret)
{
	struct sockaddr_storage l, g;
	int r;

	if (dp->sock == NULL)
		return -ENOTCONN;
	if (c->udp_encap && sock_fd_natt(dp->sock) < 0)
		return -EPROTO; /* ESP in UDP, yet IKE never floated */
	r = sock_local(dp->sock, &l);
	if (r < 0)
		return r;
	sock_remote(dp->sock, &g);
	addr_from_ss(&l, &ret->local, &ret->lport);
	addr_from_ss(&g, &ret->remote, &ret->rport);
	if (!c->udp_encap)
		ret->lport = ret->rport = 0;
	return 0;
}

static bool
prefix_eq(const struct nl_prefix *a, const struct nl_prefix *b)
{
	return a->len == b->len && nl_addr_eq(&a->addr, &b->addr);
}

/* The kernel knows a policy by selector, direction and if_id: the same
 * one again (a rekey) replaces it in place, with no gap.  Which of the
 * policies in the batch are new to dp->pol (so to delete at the end);
 * each is an update either way. */
static bool
policy_known(const struct dp_kernel *dp, const struct xfrm_sp *sp)
{
	for (size_t i = 0; i < dp->n_pol; i++)
		if (dp->pol[i].dir == sp->dir &&
		    prefix_eq(&dp->pol[i].src, &sp->src) &&
		    prefix_eq(&dp->pol[i].dst, &sp->dst))
			return true;
	return false;
}

struct dp_pol_batch {
	struct nl_batch *b;
	struct xfrm_sp *fresh; /* owned: the new ones, in batch order */
	size_t *at;	       /* owned: their index in the batch */
	size_t n_fresh;
};

static int
policy_put(
    struct dp_kernel *dp, struct dp_pol_batch *pb, const struct xfrm_sp *sp)
{
	if (!policy_known(dp, sp)) {
		if (dp->n_pol + pb->n_fresh == DP_KERNEL_MAX_POLICIES)
			return -E2BIG;
		pb->at[pb->n_fresh] = nl_batch_count(pb->b);
		pb->fresh[pb->n_fresh++] = *sp;
	}
	return xfrm_policy_batch(pb->b, sp, true);
}

/* out from each local to each remote prefix; in and fwd back. */
static int
policies_build(struct dp_kernel *dp, struct dp_pol_batch *pb,
    const struct dp_outer *o, const struct nl_prefix *loc, size_t n_loc,
    const struct nl_prefix *rem, size_t n_rem)
{
	struct xfrm_sp sp = { .priority = DP_KERNEL_POLICY_PRIO,
		.if_id = dp->if_id,
		.reqid = dp->if_id };
	int r = 0;

	for (size_t i = 0; i < n_loc && r == 0; i++)
		for (size_t j = 0; j < n_rem && r == 0; j++) {
			if (loc[i].addr.family != rem[j].addr.family)
				continue;
			sp.dir = XFRM_SP_OUT;
			sp.src = loc[i];
			sp.dst = rem[j];
			sp.tmpl_src = o->local;
			sp.tmpl_dst = o->remote;
			r = policy_put(dp, pb, &sp);
			sp.src = rem[j];
			sp.dst = loc[i];
			sp.tmpl_src = o->remote;
			sp.tmpl_dst = o->local;
			for (int d = XFRM_SP_IN; d <= XFRM_SP_FWD && r == 0;
			     d += XFRM_SP_FWD - XFRM_SP_IN) {
				sp.dir = (enum xfrm_sp_dir)d;
				r = policy_put(dp, pb, &sp);
			}
		}
	return r;
}

/* Every policy of the CHILD_SA in one batch; the new ones the kernel
 * took are remembered for the teardown, even when others failed. */
static int
policies_set(struct dp_kernel *dp, const struct dp_outer *o,
    const struct nl_prefix *loc, size_t n_loc, const struct nl_prefix *rem,
    size_t n_rem)
{
	struct dp_pol_batch pb = { .b = nl_batch_new() };
	int r = -ENOMEM;

	pb.fresh = calloc(DP_KERNEL_MAX_POLICIES, sizeof(*pb.fresh));
	pb.at = calloc(DP_KERNEL_MAX_POLICIES, sizeof(*pb.at));
	if (pb.b != NULL && pb.fresh != NULL && pb.at != NULL)
		r = policies_build(dp, &pb, o, loc, n_loc, rem, n_rem);
	if (r == 0 && nl_batch_count(pb.b) > 0)
		r = nl_batch_send(dp->xfrm, pb.b);
	for (size_t i = 0; i < pb.n_fresh && pb.b != NULL; i++)
		if (nl_batch_result(pb.b, pb.at[i]) == 0)
			dp->pol[dp->n_pol++] = pb.fresh[i];
	if (r < 0)
		log_errno(r, "cannot install the XFRM policies: %s",
		    nl_errmsg(dp->xfrm));
	nl_batch_free(pb.b);
	free(pb.fresh);
	free(pb.at);
	return r;
}

static int
state_add(struct dp_kernel *dp, const struct ike_child *c, bool in,
    const struct dp_outer *o, struct dp_state *ret)
{
	const struct buf *ek = in ? c->keys->encr_in : c->keys->encr_out;
	const struct buf *ik = in ? c->keys->integ_in : c->keys->integ_out;
	struct xfrm_sa sa = { .spi = in ? c->spi_in : c->spi_out,
		.reqid = dp->if_id,
		.if_id = dp->if_id,
		.encr = c->esp.encr,
		.encr_key = buf_rd(ek),
		.integ = c->esp.integ,
		.integ_key = ik != NULL ? buf_rd(ik) : rd_make(NULL, 0),
		.src = in ? o->remote : o->local,
		.dst = in ? o->local : o->remote,
		.encap_sport = in ? o->rport : o->lport,
		.encap_dport = in ? o->lport : o->rport,
		.replay_window = in ? DP_KERNEL_REPLAY_WINDOW : 0 };
	int r;

	dp_kernel_lifetime(dp->child_s, &sa.lifetime);
	r = xfrm_state_add(dp->xfrm, &sa);
	if (r < 0) {
		log_errno(r, "cannot install the %s XFRM state 0x%08x: %s",
		    in ? "inbound" : "outbound", sa.spi, nl_errmsg(dp->xfrm));
		return r;
	}
	ret->dst = sa.dst;
	ret->spi = sa.spi;
	return 0;
}

/* ESP in UDP: the kernel takes ESP off the NAT-T socket. */
static int
encap_set(struct dp_kernel *dp, const struct ike_child *c)
{
	int r;

	if (!c->udp_encap)
		return 0;
	dp_kernel_set_sock(dp, dp->sock); /* the NAT-T socket is new */
	r = sock_set_espinudp(dp->sock);
	if (r < 0)
		log_errno(r, "cannot make the NAT-T socket carry ESP");
	return r;
}

static int
selectors_set(
    struct dp_kernel *dp, const struct ike_child *c, const struct dp_outer *o)
{
	struct nl_prefix loc[DP_KERNEL_MAX_SEL], rem[DP_KERNEL_MAX_SEL];
	size_t n_loc = 0, n_rem = 0, first = dp->routes.n;
	int r;

	r = ts_prefixes(c->ts_local, c->n_ts_local, loc, &n_loc);
	if (r == 0)
		r = ts_prefixes(c->ts_remote, c->n_ts_remote, rem, &n_rem);
	if (r == 0)
		r = policies_set(dp, o, loc, n_loc, rem, n_rem);
	for (size_t i = 0; i < n_rem && r == 0; i++)
		r = route_set_add(&dp->routes, &rem[i]);
	if (r == 0)
		r = route_set_install(
		    &dp->routes, dp->route, dp->ifindex, first);
	return r;
}

int
dp_kernel_install(struct dp_kernel *dp, const struct ike_child *c)
{
	struct dp_state in = { 0 }, out = { 0 };
	struct dp_outer o;
	int r;

	r = outer_get(dp, c, &o);
	if (r == 0)
		r = encap_set(dp, c);
	if (r == 0)
		r = state_add(dp, c, true, &o, &in);
	if (r == 0)
		r = state_add(dp, c, false, &o, &out);
	if (r == 0)
		r = vip_set(dp, c);
	if (r == 0)
		r = selectors_set(dp, c, &o);
	if (r < 0) {
		state_del(dp, &in);
		state_del(dp, &out);
		return r;
	}
	/* Make before break: the old inbound state stays until the engine
	 * says it is gone; outbound switches now. */
	state_del(dp, &dp->in_old);
	dp->in_old = dp->in;
	if (!c->rekey)
		state_del(dp, &dp->in_old);
	state_del(dp, &dp->out);
	dp->in = in;
	dp->out = out;
	return 0;
}

void
dp_kernel_child_gone(struct dp_kernel *dp, uint32_t spi_in, uint32_t spi_out)
{
	(void)spi_out; /* the outbound state went at the switch */
	if (dp->in_old.spi != 0 && dp->in_old.spi == spi_in)
		state_del(dp, &dp->in_old);
}

/* ---- What the kernel says: EXPIRE. ---- */

void
dp_kernel_lifetime(uint32_t child_s, struct xfrm_sa_lifetime *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->soft_packets = DP_KERNEL_SOFT_PACKETS;
	ret->hard_packets = DP_KERNEL_HARD_PACKETS;
	ret->soft_bytes = DP_KERNEL_SOFT_BYTES;
	ret->soft_seconds = (uint64_t)child_s + (child_s + 9) / 10;
	ret->hard_seconds = 2 * (uint64_t)child_s;
}

static enum dp_kernel_verdict
expire_verdict(
    const struct dp_kernel_ids *ids, const struct xfrm_sa_info *sa, bool hard)
{
	if (sa->if_id != ids->if_id || sa->proto != IPPROTO_ESP || sa->spi == 0)
		return DP_KV_IGNORE;
	if (sa->spi == ids->spi_in || sa->spi == ids->spi_out)
		return hard ? DP_KV_GONE : DP_KV_REKEY;
	/* Replaced already: its soft limit asks for nothing. */
	if (sa->spi == ids->spi_in_old && hard)
		return DP_KV_OLD_GONE;
	return DP_KV_IGNORE;
}

enum dp_kernel_verdict
dp_kernel_event_verdict(
    const struct dp_kernel_ids *ids, const struct xfrm_event *ev)
{
	switch (ev->type) {
	case XFRM_EV_EXPIRE_SOFT:
	case XFRM_EV_EXPIRE_HARD:
		return expire_verdict(
		    ids, &ev->sa, ev->type == XFRM_EV_EXPIRE_HARD);
	case XFRM_EV_ACQUIRE:
		break;
	}
	return DP_KV_IGNORE;
}

static void
ids_get(const struct dp_kernel *dp, struct dp_kernel_ids *ret)
{
	ret->if_id = dp->if_id;
	ret->spi_in = dp->in.spi;
	ret->spi_out = dp->out.spi;
	ret->spi_in_old = dp->in_old.spi;
}

/* The kernel deleted it: nothing for us to delete later. */
static void
state_forget(struct dp_kernel *dp, uint32_t spi)
{
	struct dp_state *all[] = { &dp->in, &dp->out, &dp->in_old };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (all[i]->spi == spi)
			all[i]->spi = 0;
}

static void
event_tell(struct dp_kernel *dp, enum datapath_event ev)
{
	if (dp->ev_cb != NULL)
		dp->ev_cb(dp->ev_arg, ev, dp->in.spi, dp->out.spi);
}

static void
event_handle(
    struct dp_kernel *dp, enum dp_kernel_verdict v, const struct xfrm_event *ev)
{
	const struct xfrm_sa_info *sa = &ev->sa;

	switch (v) {
	case DP_KV_REKEY:
		log_info("XFRM state 0x%08x hit a soft limit (%llu bytes, "
			 "%llu packets): rekeying the CHILD_SA",
		    sa->spi, (unsigned long long)sa->bytes,
		    (unsigned long long)sa->packets);
		event_tell(dp, DATAPATH_EV_REKEY);
		break;
	case DP_KV_GONE:
		log_warn("XFRM state 0x%08x hit a hard limit (%llu bytes, "
			 "%llu packets) and is gone: the CHILD_SA must be "
			 "replaced",
		    sa->spi, (unsigned long long)sa->bytes,
		    (unsigned long long)sa->packets);
		state_forget(dp, sa->spi);
		event_tell(dp, DATAPATH_EV_GONE);
		break;
	case DP_KV_OLD_GONE:
		log_info("the rekeyed-away inbound XFRM state 0x%08x expired",
		    sa->spi);
		state_forget(dp, sa->spi);
		break;
	case DP_KV_IGNORE:
		break;
	}
}

static int
on_xfrm_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dp_kernel *dp = arg;
	struct dp_kernel_ids ids;
	struct xfrm_event ev;
	int r;

	r = xfrm_event_parse(nlh, &ev);
	if (r == -EOPNOTSUPP)
		return 0; /* another message, or a family not ours */
	if (r < 0) {
		log_warn(
		    "malformed XFRM event (type %u), ignored", nlh->nlmsg_type);
		return 0;
	}
	ids_get(dp, &ids);
	event_handle(dp, dp_kernel_event_verdict(&ids, &ev), &ev);
	return 0;
}

/* Events were lost: a current state the kernel no longer has expired
 * hard.  (A lost soft expiry is caught by the engine's timers.) */
static void
on_xfrm_overrun(void *arg)
{
	struct dp_kernel *dp = arg;
	struct dp_state *cur[] = { &dp->in, &dp->out };
	struct xfrm_event ev = { .type = XFRM_EV_EXPIRE_HARD };

	log_warn("XFRM events were lost; checking the CHILD_SA's states");
	for (size_t i = 0; i < ARRAY_SIZE(cur); i++) {
		if (cur[i]->spi == 0 ||
		    xfrm_state_get(
			dp->xfrm, &cur[i]->dst, cur[i]->spi, &ev.sa) != -ESRCH)
			continue;
		ev.sa.spi = cur[i]->spi;
		event_handle(dp, DP_KV_GONE, &ev);
	}
}

static void
on_xfrm_event(int fd, void *arg)
{
	struct dp_kernel *dp = arg;
	int r;

	(void)fd;
	r = nl_monitor_read(dp->mon, on_xfrm_msg, on_xfrm_overrun, dp);
	if (r < 0)
		log_errno(r, "cannot read XFRM events");
}

static int
events_watch(struct dp_kernel *dp, struct loop *loop)
{
	int r;

	dp->mon = nl_open_monitor(
	    NETLINK_XFRM, xfrm_monitor_groups, xfrm_monitor_n_groups);
	if (dp->mon == NULL) {
		r = errno != 0 ? -errno : -ENOMEM;
		log_errno(r, "cannot subscribe to XFRM EXPIRE events");
		return r;
	}
	r = io_new(loop, nl_fd(dp->mon), on_xfrm_event, dp, &dp->io_mon);
	if (r < 0)
		log_errno(r, "cannot watch XFRM events");
	return r;
}

void
dp_kernel_set_event_cb(struct dp_kernel *dp, datapath_event_cb cb, void *arg)
{
	dp->ev_cb = cb;
	dp->ev_arg = arg;
}

/* ---- Counters. ---- */

static void
counters_get(const struct dp_kernel *dp, const struct dp_state *s,
    struct esp_counters *ret)
{
	struct xfrm_sa_info info;

	if (s->spi == 0 || xfrm_state_get(dp->xfrm, &s->dst, s->spi, &info) < 0)
		return;
	ret->bytes = info.bytes;
	ret->packets = info.packets;
	ret->replay = (uint64_t)info.replay_drops + info.replay_window_drops;
	ret->integrity = info.integrity_failed;
	ret->dropped = ret->replay + ret->integrity;
}

/* The userspace datapath's own drop reasons have no per-tunnel kernel
 * counter (/proc/net/xfrm_stat is the whole namespace's): unknown. */
void
dp_kernel_stats(const struct dp_kernel *dp, struct datapath_stats *ret)
{
	*ret = dp->st;
	ret->dropped_no_sa = ret->dropped_policy = ret->dropped_send =
	    DATAPATH_UNKNOWN;
	counters_get(dp, &dp->in, &ret->in);
	counters_get(dp, &dp->out, &ret->out);
}

const char *
dp_kernel_ifname(const struct dp_kernel *dp)
{
	return dp->ifname;
}

size_t
dp_kernel_n_routes(const struct dp_kernel *dp)
{
	return dp->routes.n;
}
