/* SPDX-License-Identifier: ISC */
/*
 * test_notify.c: the messages systemd would get, read from a real
 * NOTIFY_SOCKET datagram socket that the test binds: READY, STATUS,
 * STOPPING, and WATCHDOG kicks from the loop when WATCHDOG_USEC asks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "notify.h"

struct sd {
	int fd;
	char path[108];
};

static int
setup(void **state)
{
	static struct sd sd;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	(void)snprintf(
	    sd.path, sizeof(sd.path), "/tmp/p2s-notify.%d", (int)getpid());
	(void)unlink(sd.path);
	memcpy(sun.sun_path, sd.path, strlen(sd.path) + 1);
	sd.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sd.fd < 0 || bind(sd.fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return -1;
	setenv("NOTIFY_SOCKET", sd.path, 1);
	*state = &sd;
	return 0;
}

static int
teardown(void **state)
{
	struct sd *sd = *state;

	(void)close(sd->fd);
	(void)unlink(sd->path);
	return 0;
}

static void
expect(struct sd *sd, const char *want)
{
	struct pollfd p = { .fd = sd->fd, .events = POLLIN };
	char buf[512];
	ssize_t n;

	assert_int_equal(poll(&p, 1, 5000), 1);
	n = recv(sd->fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void
test_messages(void **state)
{
	struct loop *loop;
	struct notify *n;

	unsetenv("WATCHDOG_USEC");
	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(notify_new(loop, &n), 0);
	notify_ready(n);
	expect(*state, "READY=1");
	notify_status(n, "connecting to %s", "gw.example");
	expect(*state, "STATUS=connecting to gw.example");
	notify_stopping(n);
	expect(*state, "STOPPING=1");
	notify_free(n);
	loop_free(loop);
}

static void
on_stop(void *arg)
{
	loop_exit(arg);
}

static void
test_watchdog(void **state)
{
	struct loop *loop;
	struct notify *n;
	struct timer *t;
	char usec[32];

	/* 40 ms: kicks every 20 ms; run the loop for a while. */
	setenv("WATCHDOG_USEC", "40000", 1);
	(void)snprintf(usec, sizeof(usec), "%d", (int)getpid());
	setenv("WATCHDOG_PID", usec, 1);
	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(notify_new(loop, &n), 0);
	assert_int_equal(timer_new(loop, on_stop, loop, &t), 0);
	assert_int_equal(timer_set(t, 100), 0);
	assert_int_equal(loop_run(loop), 0);
	expect(*state, "WATCHDOG=1");
	expect(*state, "WATCHDOG=1");
	timer_free(t);
	notify_free(n);
	loop_free(loop);
	unsetenv("WATCHDOG_USEC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_watchdog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
