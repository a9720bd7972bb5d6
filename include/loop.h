/* SPDX-License-Identifier: ISC */
/*
 * loop.h: the one event loop (libevent), with the three kinds of event
 * p2sd waits for: readable descriptors, timers and signals.
 *
 * Timers run on CLOCK_BOOTTIME through a timerfd each, so the time spent
 * suspended counts: a rekey or liveness timer that should have fired
 * during a suspend fires at once on resume, instead of the whole suspend
 * being forgotten as it would be on CLOCK_MONOTONIC.  Callbacks run on the
 * loop; none may block.
 */
#ifndef P2S_LOOP_H
#define P2S_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"

struct loop;
struct io;
struct timer;
struct sig;

typedef void (*io_cb)(int fd, void *arg);
typedef void (*timer_cb)(void *arg);
typedef void (*sig_cb)(int signo, void *arg);

int loop_new(struct loop **ret) P2S_WUR;
void loop_free(struct loop *);
/* Runs until loop_exit() or no event is left; 0 or a negative errno. */
int loop_run(struct loop *) P2S_WUR;
void loop_exit(struct loop *);

/* Milliseconds on CLOCK_BOOTTIME (suspend included). */
uint64_t loop_now_ms(void);

/* cb runs whenever fd is readable, until io_free. */
int io_new(struct loop *, int fd, io_cb, void *arg, struct io **ret) P2S_WUR;
void io_free(struct io *);

int timer_new(struct loop *, timer_cb, void *arg, struct timer **ret) P2S_WUR;
void timer_free(struct timer *);
/* (Re)arm to fire once, ms from now (0: on the next loop iteration).
 * Fails only if the kernel refuses a valid timerfd_settime(). */
int timer_set(struct timer *, uint64_t ms);
void timer_stop(struct timer *);
bool timer_pending(const struct timer *);

/* cb runs on the loop when signo arrives (not in signal context). */
int sig_new(
    struct loop *, int signo, sig_cb, void *arg, struct sig **ret) P2S_WUR;
void sig_free(struct sig *);

#endif /* P2S_LOOP_H */
