/* SPDX-License-Identifier: ISC */
/*
 * test_loop.c: timers fire once, in deadline order, can be stopped and
 * re-armed from their own callback; descriptors and signals reach their
 * callbacks on the loop.  Order only: no wall-clock thresholds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"

struct trace {
	struct loop *loop;
	char seen[16];
	size_t n;
	int rearm; /* times the 'r' timer re-arms itself */
	struct timer *self;
};

static void
note(struct trace *t, char c)
{
	if (t->n < sizeof(t->seen) - 1)
		t->seen[t->n++] = c;
}

struct tagged {
	struct trace *t;
	char tag;
};

static void
on_timer(void *arg)
{
	struct tagged *g = arg;

	note(g->t, g->tag);
	if (g->tag == 'z')
		loop_exit(g->t->loop);
}

static void
test_timer_order(void **state)
{
	struct trace t = { 0 };
	struct tagged a = { &t, 'a' }, b = { &t, 'b' }, c = { &t, 'c' },
		      s = { &t, 's' }, z = { &t, 'z' };
	struct timer *ta, *tb, *tc, *ts, *tz;

	assert_int_equal(loop_new(&t.loop), 0);
	assert_int_equal(timer_new(t.loop, on_timer, &a, &ta), 0);
	assert_int_equal(timer_new(t.loop, on_timer, &b, &tb), 0);
	assert_int_equal(timer_new(t.loop, on_timer, &c, &tc), 0);
	assert_int_equal(timer_new(t.loop, on_timer, &s, &ts), 0);
	assert_int_equal(timer_new(t.loop, on_timer, &z, &tz), 0);
	assert_int_equal(timer_set(tc, 60), 0);
	assert_int_equal(timer_set(ta, 0), 0);
	assert_int_equal(timer_set(tb, 30), 0);
	assert_int_equal(timer_set(ts, 40), 0);
	assert_int_equal(timer_set(tz, 200), 0);
	timer_stop(ts);
	assert_false(timer_pending(ts));
	assert_true(timer_pending(tz));
	assert_int_equal(loop_run(t.loop), 0);
	assert_string_equal(t.seen, "abcz");
	assert_false(timer_pending(ta));
	timer_free(ta);
	timer_free(tb);
	timer_free(tc);
	timer_free(ts);
	timer_free(tz);
	loop_free(t.loop);
}

static void
on_rearm(void *arg)
{
	struct trace *t = arg;

	note(t, 'r');
	if (--t->rearm > 0)
		assert_int_equal(timer_set(t->self, 1), 0);
	else
		loop_exit(t->loop);
}

static void
test_timer_rearm_from_callback(void **state)
{
	struct trace t = { .rearm = 3 };

	assert_int_equal(loop_new(&t.loop), 0);
	assert_int_equal(timer_new(t.loop, on_rearm, &t, &t.self), 0);
	assert_int_equal(timer_set(t.self, 1), 0);
	assert_int_equal(loop_run(t.loop), 0);
	assert_string_equal(t.seen, "rrr");
	timer_free(t.self);
	loop_free(t.loop);
}

static void
on_readable(int fd, void *arg)
{
	struct trace *t = arg;
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
	note(t, c);
	if (c == '.')
		loop_exit(t->loop);
}

static void
test_io(void **state)
{
	struct trace t = { 0 };
	struct io *io;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_new(&t.loop), 0);
	assert_int_equal(io_new(t.loop, p[0], on_readable, &t, &io), 0);
	assert_int_equal(write(p[1], "xy.", 3), 3);
	assert_int_equal(loop_run(t.loop), 0);
	assert_string_equal(t.seen, "xy.");
	io_free(io);
	loop_free(t.loop);
	(void)close(p[0]);
	(void)close(p[1]);
}

static void
on_signal(int signo, void *arg)
{
	struct trace *t = arg;

	note(t, signo == SIGUSR1 ? 'u' : '?');
	loop_exit(t->loop);
}

static void
on_raise(void *arg)
{
	(void)raise(SIGUSR1);
}

static void
test_signal(void **state)
{
	struct trace t = { 0 };
	struct timer *tr;
	struct sig *s;

	assert_int_equal(loop_new(&t.loop), 0);
	assert_int_equal(sig_new(t.loop, SIGUSR1, on_signal, &t, &s), 0);
	assert_int_equal(timer_new(t.loop, on_raise, NULL, &tr), 0);
	assert_int_equal(timer_set(tr, 0), 0);
	assert_int_equal(loop_run(t.loop), 0);
	assert_string_equal(t.seen, "u");
	sig_free(s);
	timer_free(tr);
	loop_free(t.loop);
}

static void
test_now_moves(void **state)
{
	uint64_t a = loop_now_ms();

	assert_true(a > 0);
	assert_true(loop_now_ms() >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_order),
		cmocka_unit_test(test_timer_rearm_from_callback),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_now_moves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
