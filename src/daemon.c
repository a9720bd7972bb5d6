/* SPDX-License-Identifier: ISC */
/*
 * daemon.c: p2sd's top level (see daemon.h).  Owns the loop and hands
 * events to the engine and the datapath: IKE datagrams to ike_sa_input(),
 * ESP datagrams to datapath_esp_input(); the engine's callbacks install
 * the CHILD_SA or schedule the next attempt.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "creds.h"
#include "crypto.h"
#include "ctl.h"
#include "daemon.h"
#include "daemon_int.h"
#include "datapath.h"
#include "dns.h"
#include "ike_sa.h"
#include "log.h"
#include "names.h"
#include "loop.h"
#include "notify.h"
#include "sock.h"
#include "state.h"

static const char *const state_names[] = {
	[P2SD_DOWN] = "down",
	[P2SD_CONNECTING] = "connecting",
	[P2SD_ESTABLISHED] = "established",
	[P2SD_RECONNECTING] = "reconnecting",
	[P2SD_STOPPING] = "stopping",
};

const char *
p2sd_state_name(enum p2sd_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

enum p2sd_state
p2sd_state(const struct p2sd *d)
{
	return d->state;
}

void
p2sd_set_state(struct p2sd *d, enum p2sd_state s, const char *why)
{
	if (d->state == s)
		return;
	log_set_state(p2sd_state_name(s)); /* the journal's P2S_STATE */
	log_info("%s -> %s (%s)", p2sd_state_name(d->state), p2sd_state_name(s),
	    why);
	d->state = s;
	notify_status(d->notify, "%s: %s", p2sd_state_name(s), why);
}

/* ---- The gateway's address. ---- */

static int
resolve(const struct conf *conf, struct sockaddr_storage *ret)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (conf->gateway.address.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ret;

		sin->sin_family = AF_INET;
		sin->sin_addr = conf->gateway.address.in4;
		return 0;
	}
	if (conf->gateway.address.family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ret;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = conf->gateway.address.in6;
		return 0;
	}
	r = getaddrinfo(conf->gateway.host, NULL, &hints, &res);
	if (r != 0) {
		log_err("cannot resolve gateway %s: %s", conf->gateway.host,
		    gai_strerror(r));
		return -EHOSTUNREACH;
	}
	memcpy(ret, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* ---- Datagrams from the gateway. ---- */

static void watch_natt(struct p2sd *);

static void
on_datagram(int fd, void *arg)
{
	struct p2sd *d = arg;

	/* Bounded, like the TUN side: the loop stays responsive. */
	for (int i = 0; i < 64 && d->sock != NULL; i++) {
		enum sock_kind kind;
		struct rd view;

		if (sock_recv(d->sock, fd, d->rx, SOCK_RECV_MAX, &kind, &view) <
			0 ||
		    kind == SOCK_NONE)
			break;
		if (kind == SOCK_IKE && d->sa != NULL)
			ike_sa_input(d->sa, &view);
		else if (kind == SOCK_ESP)
			datapath_esp_input(d->dp, &view);
	}
	if (d->sock != NULL)
		watch_natt(d);
}

/* The engine floats to 4500 when it sees NAT: watch that path too. */
static void
watch_natt(struct p2sd *d)
{
	int fd = sock_fd_natt(d->sock);

	if (fd < 0 || d->io_natt != NULL)
		return;
	if (io_new(d->loop, fd, on_datagram, d, &d->io_natt) < 0)
		log_err("cannot watch the NAT-T path");
}

static void
paths_close(struct p2sd *d)
{
	if (d->dp != NULL)
		datapath_set_sock(d->dp, NULL);
	io_free(d->io_ike);
	io_free(d->io_natt);
	d->io_ike = d->io_natt = NULL;
	sock_free(d->sock);
	d->sock = NULL;
}

static int
paths_open(struct p2sd *d)
{
	struct sockaddr_storage gw;
	int r;

	r = resolve(d->conf, &gw);
	if (r == 0) {
		p2sd_net_follow(d, &gw); /* even if no route there yet */
		r = sock_open(&gw, &d->sock);
	}
	if (r == 0)
		r = io_new(
		    d->loop, sock_fd_ike(d->sock), on_datagram, d, &d->io_ike);
	if (r < 0)
		paths_close(d);
	return r;
}

/* MOBIKE: new paths to the same gateway, floated, from wherever the
 * kernel routes now; the old ones close.  The SA moves with
 * ike_sa_move(). */
int
p2sd_paths_renew(struct p2sd *d)
{
	struct sockaddr_storage gw;
	struct sock *s = NULL;
	struct io *io = NULL;
	int r;

	sock_remote(d->sock, &gw);
	r = sock_open(&gw, &s);
	if (r == 0)
		r = sock_float(s);
	if (r == 0)
		r = io_new(d->loop, sock_fd_ike(s), on_datagram, d, &io);
	if (r < 0) {
		sock_free(s);
		return r;
	}
	paths_close(d);
	d->sock = s;
	d->io_ike = io;
	watch_natt(d);
	datapath_set_sock(d->dp, s);
	return 0;
}

/* ---- The engine's callbacks. ---- */

static void
addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET6
	    ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
	    : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	buf[0] = '\0';
	if (ss->ss_family == AF_INET || ss->ss_family == AF_INET6)
		(void)inet_ntop(ss->ss_family, a, buf, (socklen_t)len);
}

/* What status shows of the CHILD_SA the engine negotiated. */
static void
tunnel_record(struct p2sd *d, const struct ike_child *c)
{
	struct p2sd_tunnel *t = &d->tun;

	t->spi_in = c->spi_in;
	t->spi_out = c->spi_out;
	(void)snprintf(t->esp, sizeof(t->esp), "%s_%u%s%s",
	    names_encr(c->esp.encr, NAMES_TMP), c->esp.encr_bits,
	    c->esp.integ != IKE_INTEG_NONE ? "/" : "",
	    c->esp.integ != IKE_INTEG_NONE
		? names_integ(c->esp.integ, NAMES_TMP)
		: "");
	addr_str(c->vip4.ss_family != AF_UNSPEC ? &c->vip4 : &c->vip6, t->vip,
	    sizeof(t->vip));
	if (c->rekey)
		return;
	t->established_at = time(NULL);
	t->round_trips = ike_sa_round_trips(d->sa);
	t->connect_ms = ike_sa_connect_ms(d->sa);
	t->up_once = true;
}

static int
on_established(void *arg, const struct ike_child *c)
{
	struct p2sd *d = arg;
	int r;

	r = datapath_install(d->dp, c);
	if (r < 0) {
		log_errno(r, "cannot install the CHILD_SA");
		return r;
	}
	d->attempt = 0;
	if (ike_sa_group(d->sa) != d->group) /* remembered across restarts */
		state_group_save(d->conf, ike_sa_group(d->sa));
	d->group = ike_sa_group(d->sa);
	d->last_error[0] = '\0';
	tunnel_record(d, c);
	if (!c->rekey) /* a rekey's CHILD_SA carries no CP */
		(void)dns_apply_tunnel(d->dns, c, &d->conf->dns);
	p2sd_set_state(d, P2SD_ESTABLISHED, c->rekey ? "rekeyed" : "tunnel up");
	return 0;
}

static void
on_child_gone(void *arg, uint32_t spi_in, uint32_t spi_out)
{
	struct p2sd *d = arg;

	datapath_child_gone(d->dp, spi_in, spi_out);
}

/* A transient failure waits from P2SD_BACKOFF_MIN_MS, doubled for each
 * failure before it; a permanent one from P2SD_BACKOFF_PERMANENT_MS,
 * doubled for each permanent one only: the quick retries after a DELETE
 * do not make the first "fix the cause" wait longer. */
static uint64_t
backoff_ms(struct p2sd *d, bool permanent)
{
	uint64_t ms =
	    permanent ? P2SD_BACKOFF_PERMANENT_MS : P2SD_BACKOFF_MIN_MS;
	unsigned n = permanent ? d->attempt_perm : d->attempt;
	uint32_t jitter = 0;

	for (unsigned i = 0; i < n && ms < P2SD_BACKOFF_MAX_MS; i++)
		ms *= 2;
	if (ms > P2SD_BACKOFF_MAX_MS)
		ms = P2SD_BACKOFF_MAX_MS;
	/* Up to a fifth more, so that many clients do not retry in step. */
	if (crypto_random(&jitter, sizeof(jitter)) == 0)
		ms += jitter % (ms / 5 + 1);
	return ms;
}

static void
on_down(void *arg, int err, bool permanent, const char *reason)
{
	struct p2sd *d = arg;
	uint64_t ms;

	datapath_clear(d->dp);
	dns_revert(d->dns);
	d->sa_dead = d->sa; /* not freed inside its own callback */
	d->sa = NULL;
	(void)timer_set(d->t_reap, 0);
	if (d->state == P2SD_STOPPING) {
		loop_exit(d->loop);
		return;
	}
	if (d->held_down) {
		log_set_ike_spis(0, 0);
		p2sd_set_state(d, P2SD_DOWN, "down by p2sctl");
		return;
	}
	(void)snprintf(d->last_error, sizeof(d->last_error), "%s", reason);
	if (d->conf->reconnect == CONF_RECONNECT_NEVER) {
		log_err("tunnel down: %s; not reconnecting (reconnect: never)",
		    reason);
		d->exit_code = 1;
		loop_exit(d->loop);
		return;
	}
	if (d->attempt == 0) /* a fresh start, wherever attempt was reset */
		d->attempt_perm = 0;
	ms = backoff_ms(d, permanent);
	d->attempt++;
	d->attempt_perm += permanent;
	/* The one report of the failure (the engine logs it at debug). */
	log_emit(permanent ? LOG_ERR : LOG_WARNING, __func__, 0,
	    "tunnel down: %s; reconnecting in %llu s%s", reason,
	    (unsigned long long)(ms + 999) / 1000,
	    permanent ? " (this will not fix itself: fix the cause first)"
		      : "");
	log_set_ike_spis(0, 0); /* that SA is over */
	p2sd_set_state(d, P2SD_RECONNECTING, reason);
	(void)timer_set(d->t_retry, ms);
}

/* The kernel's limits on the CHILD_SA's states (datapath.h).  A soft
 * limit: rekey now (the engine's own timer may be later, or already under
 * way, which the engine sorts out).  A hard limit took a state away: a
 * rekey is the fastest way back, a reconnect the way when none can
 * start. */
static void
on_datapath_event(
    void *arg, enum datapath_event ev, uint32_t spi_in, uint32_t spi_out)
{
	struct p2sd *d = arg;
	int r;

	if (d->sa == NULL || d->state != P2SD_ESTABLISHED)
		return;
	r = ike_sa_rekey_child(d->sa);
	if (ev == DATAPATH_EV_REKEY) {
		if (r < 0)
			log_errno(r, "CHILD_SA %08x/%08x: cannot rekey", spi_in,
			    spi_out);
		return;
	}
	if (r == 0) {
		log_warn("CHILD_SA %08x/%08x lost its kernel state: rekeying",
		    spi_in, spi_out);
		return;
	}
	log_warn("CHILD_SA %08x/%08x lost its kernel state and cannot be "
		 "rekeyed: reconnecting",
	    spi_in, spi_out);
	ike_sa_delete(d->sa);
}

static const struct ike_sa_cbs engine_cbs = {
	.established = on_established,
	.child_gone = on_child_gone,
	.down = on_down,
};

/* ---- Attempts. ---- */

static void
on_reap(void *arg)
{
	struct p2sd *d = arg;

	ike_sa_free(d->sa_dead);
	d->sa_dead = NULL;
	if (d->sa == NULL && d->state != P2SD_CONNECTING)
		paths_close(d);
}

static void reload_apply(struct p2sd *);

static int
attempt(struct p2sd *d)
{
	int r;

	reload_apply(d);
	paths_close(d);
	r = paths_open(d);
	if (r == 0) {
		datapath_set_sock(d->dp, d->sock);
		r = ike_sa_new(d->loop, d->conf, &d->creds->ike, d->sock,
		    &engine_cbs, d, &d->sa);
	}
	if (r == 0)
		r = ike_sa_connect(d->sa, d->group);
	if (r < 0)
		return r;
	p2sd_set_state(d, P2SD_CONNECTING, d->conf->gateway.host);
	return 0;
}

static void
on_retry(void *arg)
{
	struct p2sd *d = arg;
	int r = attempt(d);

	if (r < 0) {
		ike_sa_free(d->sa);
		d->sa = NULL;
		on_down(d, r, false, "cannot start a connection (see above)");
	}
}

void
p2sd_retry_now(struct p2sd *d)
{
	d->held_down = false;
	d->attempt = 0;
	(void)timer_set(d->t_retry, 0);
}

/* ---- Signals. ---- */

/*
 * SIGHUP: load the profile again, all or nothing.  A bad one is refused
 * and the one in force kept.  A good one takes over at the next connect
 * (`p2sctl down` and `up` make one now): the SA in flight keeps the
 * profile it started with.  Interface, routes, MTU and datapath were
 * set up at start and change with a restart.
 */
static void
reload(struct p2sd *d)
{
	char cerr[CREDS_ERR_LEN];
	struct conf *conf = NULL;
	struct creds *cr = NULL;
	struct conf_err err;

	if (conf_load(d->conf->path, &conf, &err) < 0 ||
	    conf_check_files(conf, &err) < 0) {
		log_err("SIGHUP: %s; keeping the profile in force", err.msg);
		conf_free(conf);
		return;
	}
	if (creds_load(conf, &cr, cerr, sizeof(cerr)) < 0) {
		/* An empty cerr: the cert module said which file, and why. */
		log_err("SIGHUP: %s; keeping the profile in force",
		    cerr[0] != '\0' ? cerr : "the credentials do not load");
		conf_free(conf);
		return;
	}
	cr->ike.force_encap = d->creds->ike.force_encap;
	conf_free(d->conf_next);
	creds_free(d->creds_next);
	d->conf_next = conf;
	d->creds_next = cr;
	log_info("SIGHUP: profile %s reloaded; it takes effect on the next "
		 "connect (interface, routes, MTU and datapath on a restart)",
	    conf->path);
}

/* Before a connect: take the profile SIGHUP loaded, if any.  No SA holds
 * the old one any more (the dead one is freed here first). */
static void
reload_apply(struct p2sd *d)
{
	if (d->conf_next == NULL)
		return;
	ike_sa_free(d->sa_dead);
	d->sa_dead = NULL;
	conf_free(d->conf);
	creds_free(d->creds);
	d->conf = d->conf_next;
	d->creds = d->creds_next;
	d->conf_next = NULL;
	d->creds_next = NULL;
	d->group = state_group_load(d->conf); /* perhaps another gateway */
	log_info("using the reloaded profile");
}

static void
on_stop_timeout(void *arg)
{
	struct p2sd *d = arg;

	log_warn("the gateway did not answer our DELETE; stopping anyway");
	loop_exit(d->loop);
}

static void
on_signal(int signo, void *arg)
{
	struct p2sd *d = arg;

	if (signo == SIGHUP) {
		reload(d);
		return;
	}
	if (d->state == P2SD_STOPPING)
		return;
	p2sd_set_state(
	    d, P2SD_STOPPING, signo == SIGTERM ? "SIGTERM" : "SIGINT");
	notify_stopping(d->notify);
	timer_stop(d->t_retry);
	if (d->sa == NULL) {
		loop_exit(d->loop);
		return;
	}
	(void)timer_set(d->t_stop, P2SD_STOP_TIMEOUT_MS);
	ike_sa_delete(d->sa);
}

static int
signals_new(struct p2sd *d)
{
	static const int signos[] = { SIGTERM, SIGINT, SIGHUP };
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(signos) && r == 0; i++)
		r = sig_new(d->loop, signos[i], on_signal, d, &d->sig[i]);
	return r;
}

/* ---- Life. ---- */

int
p2sd_new(struct conf *conf, struct p2sd **ret)
{
	char err[CREDS_ERR_LEN];
	struct p2sd *d;
	int r;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->conf = conf;
	log_set_profile(conf->name); /* the journal's P2S_PROFILE */
	log_set_state(p2sd_state_name(d->state));
	d->rx = malloc(SOCK_RECV_MAX);
	r = d->rx != NULL ? 0 : -ENOMEM;
	if (r == 0 && (r = creds_load(conf, &d->creds, err, sizeof(err))) < 0 &&
	    err[0] != '\0') /* else the cert module said it */
		log_err("%s", err);
	if (r == 0)
		r = loop_new(&d->loop);
	if (r == 0)
		r = timer_new(d->loop, on_retry, d, &d->t_retry);
	if (r == 0)
		r = timer_new(d->loop, on_reap, d, &d->t_reap);
	if (r == 0)
		r = timer_new(d->loop, on_stop_timeout, d, &d->t_stop);
	if (r == 0)
		r = signals_new(d);
	if (r == 0)
		r = notify_new(d->loop, &d->notify);
	if (r == 0)
		r = p2sd_ctl_new(d);
	if (r == 0)
		r = p2sd_net_new(d);
	if (r < 0) {
		d->conf = NULL; /* the caller still owns it */
		p2sd_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

void
p2sd_free(struct p2sd *d)
{
	if (d == NULL)
		return;
	ike_sa_free(d->sa);
	ike_sa_free(d->sa_dead);
	paths_close(d);	  /* tells the datapath: before it is freed */
	dns_free(d->dns); /* reverts, while the link is there */
	datapath_free(d->dp);
	for (size_t i = 0; i < ARRAY_SIZE(d->sig); i++)
		sig_free(d->sig[i]);
	timer_free(d->t_retry);
	timer_free(d->t_reap);
	timer_free(d->t_stop);
	notify_free(d->notify);
	ctl_free(d->ctl);
	p2sd_net_free(d);
	loop_free(d->loop);
	creds_free(d->creds);
	conf_free(d->conf);
	creds_free(d->creds_next);
	conf_free(d->conf_next);
	free(d->rx);
	free(d);
}

int
p2sd_run(struct p2sd *d)
{
	int r;

	r = paths_open(d);
	if (r == 0)
		r = datapath_new(d->loop, d->conf, d->sock, &d->dp);
	if (r == 0)
		r = dns_new(datapath_ifname(d->dp), &d->dns);
	if (r < 0)
		return 1;
	datapath_set_event_cb(d->dp, on_datapath_event, d);
	/* The userspace datapath gets ESP only in UDP, on the IKE socket. */
	d->creds->ike.force_encap = datapath_kind(d->dp) == DATAPATH_USERSPACE;
	log_info("profile %s: gateway %s, identity %s, %s", d->conf->name,
	    d->conf->gateway.host, d->creds->id,
	    d->creds->ike.eap ? "EAP-TLS" : "certificate");
	/* Ready means working, not connected: the gateway may be away for
	 * a while, and `systemctl start` should not wait for it. */
	notify_ready(d->notify);
	d->group = state_group_load(d->conf);
	on_retry(d);
	if (loop_run(d->loop) < 0)
		return 1;
	return d->exit_code;
}
