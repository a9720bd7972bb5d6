/* SPDX-License-Identifier: ISC */
/*
 * datapath.c: which datapath carries the tunnel (see datapath.h), and the
 * calls forwarded to it.  `datapath: kernel` and `auto` ask the kernel by
 * trying (xfrm_probe: ESP states with CBC+HMAC, GCM, ESP in UDP, an XFRM
 * interface); `auto` takes userspace when any piece is missing and logs
 * the first one, `kernel` refuses to start.
 */
#include <linux/netlink.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "datapath.h"
#include "datapath_int.h"
#include "log.h"
#include "nl.h"
#include "xfrm.h"

struct datapath {
	enum datapath_kind kind;
	struct dp_user *user;	  /* owned: kind DATAPATH_USERSPACE */
	struct dp_kernel *kernel; /* owned: kind DATAPATH_KERNEL */
};

/* Can the kernel carry the tunnel?  1 yes (route and xfrm open, for the
 * caller), 0 no (why in ret_why, the sockets closed). */
static int
kernel_can(struct nl **route, struct nl **xfrm, char *ret_why, size_t len)
{
	struct xfrm_probe p;
	int r;

	*route = nl_open(NETLINK_ROUTE);
	*xfrm = nl_open(NETLINK_XFRM);
	if (*route == NULL || *xfrm == NULL)
		r = errno != 0 ? -errno : -ENOMEM;
	else
		r = xfrm_probe(*xfrm, *route, &p);
	if (r == 0 && xfrm_probe_kernel_ok(&p))
		return 1;
	if (r < 0)
		(void)snprintf(
		    ret_why, len, "the probe could not run: %s", strerror(-r));
	else
		(void)snprintf(ret_why, len, "%s", p.reason);
	nl_close(*route);
	nl_close(*xfrm);
	*route = *xfrm = NULL;
	return 0;
}

static int
choose(const struct conf *conf, struct nl **route, struct nl **xfrm,
    enum datapath_kind *ret)
{
	char why[XFRM_PROBE_REASON_MAX + 64];

	*route = *xfrm = NULL;
	if (conf->datapath == CONF_DATAPATH_USERSPACE) {
		*ret = DATAPATH_USERSPACE;
		return 0;
	}
	if (kernel_can(route, xfrm, why, sizeof(why)) == 1) {
		*ret = DATAPATH_KERNEL;
		return 0;
	}
	if (conf->datapath == CONF_DATAPATH_KERNEL) {
		log_err("datapath: kernel, but the kernel cannot: %s", why);
		return -EOPNOTSUPP;
	}
	log_info("datapath: auto: userspace, as the kernel cannot: %s", why);
	*ret = DATAPATH_USERSPACE;
	return 0;
}

int
datapath_new(struct loop *loop, const struct conf *conf, struct sock *sock,
    struct datapath **ret)
{
	struct datapath *dp;
	struct nl *route, *xfrm;
	int r;

	dp = calloc(1, sizeof(*dp));
	if (dp == NULL)
		return -ENOMEM;
	r = choose(conf, &route, &xfrm, &dp->kind);
	if (r == 0 && dp->kind == DATAPATH_KERNEL)
		r = dp_kernel_new(loop, conf, sock, route, xfrm, &dp->kernel);
	else if (r == 0)
		r = dp_user_new(loop, conf, sock, &dp->user);
	if (r < 0) {
		free(dp);
		return r;
	}
	*ret = dp;
	return 0;
}

void
datapath_free(struct datapath *dp)
{
	if (dp == NULL)
		return;
	dp_kernel_free(dp->kernel);
	dp_user_free(dp->user);
	free(dp);
}

void
datapath_set_sock(struct datapath *dp, struct sock *sock)
{
	if (dp->kernel != NULL)
		dp_kernel_set_sock(dp->kernel, sock);
	else
		dp_user_set_sock(dp->user, sock);
}

void
datapath_set_event_cb(struct datapath *dp, datapath_event_cb cb, void *arg)
{
	if (dp->kernel != NULL)
		dp_kernel_set_event_cb(dp->kernel, cb, arg);
}

int
datapath_install(struct datapath *dp, const struct ike_child *c)
{
	if (dp->kernel != NULL)
		return dp_kernel_install(dp->kernel, c);
	return dp_user_install(dp->user, c);
}

void
datapath_child_gone(struct datapath *dp, uint32_t spi_in, uint32_t spi_out)
{
	if (dp->kernel != NULL)
		dp_kernel_child_gone(dp->kernel, spi_in, spi_out);
	else
		dp_user_child_gone(dp->user, spi_in, spi_out);
}

void
datapath_clear(struct datapath *dp)
{
	if (dp->kernel != NULL)
		dp_kernel_clear(dp->kernel);
	else
		dp_user_clear(dp->user);
}

/* With the kernel datapath the NAT-T socket hands ESP to the kernel
 * (UDP_ENCAP): none should reach here, and if one does it is dropped. */
void
datapath_esp_input(struct datapath *dp, const struct rd *esp)
{
	if (dp->user != NULL)
		dp_user_esp_input(dp->user, esp);
}

void
datapath_stats(const struct datapath *dp, struct datapath_stats *ret)
{
	if (dp->kernel != NULL)
		dp_kernel_stats(dp->kernel, ret);
	else
		dp_user_stats(dp->user, ret);
}

enum datapath_kind
datapath_kind(const struct datapath *dp)
{
	return dp->kind;
}

const char *
datapath_kind_name(enum datapath_kind k)
{
	return k == DATAPATH_KERNEL ? "kernel" : "userspace";
}

const char *
datapath_ifname(const struct datapath *dp)
{
	if (dp->kernel != NULL)
		return dp_kernel_ifname(dp->kernel);
	return dp_user_ifname(dp->user);
}

size_t
datapath_n_routes(const struct datapath *dp)
{
	if (dp->kernel != NULL)
		return dp_kernel_n_routes(dp->kernel);
	return dp_user_n_routes(dp->user);
}
