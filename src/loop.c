/* SPDX-License-Identifier: ISC */
/*
 * loop.c: the event loop (see loop.h).  The only file that includes
 * libevent.  One struct event_base; every timer is a CLOCK_BOOTTIME
 * timerfd watched like any descriptor.
 */
#include <sys/timerfd.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "loop.h"

struct loop {
	struct event_base *base; /* owned */
};

struct io {
	struct event *ev; /* owned */
	io_cb cb;
	void *arg;
};

struct timer {
	int fd;		  /* owned timerfd, CLOCK_BOOTTIME */
	struct event *ev; /* owned */
	bool armed;
	timer_cb cb;
	void *arg;
};

struct sig {
	struct event *ev; /* owned */
	sig_cb cb;
	void *arg;
};

int
loop_new(struct loop **ret)
{
	struct event_config *cfg;
	struct loop *l;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	cfg = event_config_new();
	if (cfg == NULL) {
		free(l);
		return -ENOMEM;
	}
	/* Our timers are timerfds; libevent's own clock is only for its
	 * bookkeeping, and one thread runs the loop. */
	(void)event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	l->base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (l->base == NULL) {
		free(l);
		return -ENOMEM;
	}
	*ret = l;
	return 0;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	event_base_free(l->base);
	free(l);
}

int
loop_run(struct loop *l)
{
	return event_base_dispatch(l->base) < 0 ? -EIO : 0;
}

void
loop_exit(struct loop *l)
{
	(void)event_base_loopbreak(l->base);
}

uint64_t
loop_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
io_fire(evutil_socket_t fd, short what, void *arg)
{
	struct io *io = arg;

	io->cb(fd, io->arg);
}

int
io_new(struct loop *l, int fd, io_cb cb, void *arg, struct io **ret)
{
	struct io *io;

	io = calloc(1, sizeof(*io));
	if (io == NULL)
		return -ENOMEM;
	io->cb = cb;
	io->arg = arg;
	io->ev = event_new(l->base, fd, EV_READ | EV_PERSIST, io_fire, io);
	if (io->ev == NULL || event_add(io->ev, NULL) < 0) {
		io_free(io);
		return -ENOMEM;
	}
	*ret = io;
	return 0;
}

void
io_free(struct io *io)
{
	if (io == NULL)
		return;
	if (io->ev != NULL)
		event_free(io->ev);
	free(io);
}

static void
timer_fire(evutil_socket_t fd, short what, void *arg)
{
	struct timer *t = arg;
	uint64_t expirations;

	/* Drain the timerfd; a read that fails means a stale wakeup. */
	if (read(t->fd, &expirations, sizeof(expirations)) !=
	    (ssize_t)sizeof(expirations))
		return;
	if (!t->armed)
		return;
	t->armed = false;
	t->cb(t->arg); /* may re-arm or free t: touch nothing after */
}

int
timer_new(struct loop *l, timer_cb cb, void *arg, struct timer **ret)
{
	struct timer *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->cb = cb;
	t->arg = arg;
	t->fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd == -1) {
		int r = -errno;

		free(t);
		return r;
	}
	t->ev = event_new(l->base, t->fd, EV_READ | EV_PERSIST, timer_fire, t);
	if (t->ev == NULL || event_add(t->ev, NULL) < 0) {
		timer_free(t);
		return -ENOMEM;
	}
	*ret = t;
	return 0;
}

void
timer_free(struct timer *t)
{
	if (t == NULL)
		return;
	if (t->ev != NULL)
		event_free(t->ev);
	(void)close(t->fd);
	free(t);
}

int
timer_set(struct timer *t, uint64_t ms)
{
	struct itimerspec its = { 0 };

	/* it_value 0 would disarm: the shortest real expiry is 1 ns. */
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000 + (ms == 0);
	if (timerfd_settime(t->fd, 0, &its, NULL) == -1)
		return -errno;
	t->armed = true;
	return 0;
}

void
timer_stop(struct timer *t)
{
	struct itimerspec its = { 0 };

	(void)timerfd_settime(t->fd, 0, &its, NULL);
	t->armed = false;
}

bool
timer_pending(const struct timer *t)
{
	return t->armed;
}

static void
sig_fire(evutil_socket_t signo, short what, void *arg)
{
	struct sig *s = arg;

	s->cb((int)signo, s->arg);
}

int
sig_new(struct loop *l, int signo, sig_cb cb, void *arg, struct sig **ret)
{
	struct sig *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->cb = cb;
	s->arg = arg;
	s->ev = evsignal_new(l->base, signo, sig_fire, s);
	if (s->ev == NULL || event_add(s->ev, NULL) < 0) {
		sig_free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

void
sig_free(struct sig *s)
{
	if (s == NULL)
		return;
	if (s->ev != NULL)
		event_free(s->ev);
	free(s);
}
