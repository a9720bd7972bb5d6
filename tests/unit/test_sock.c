/* SPDX-License-Identifier: ISC */
/*
 * test_sock.c: the UDP paths against a "gateway" made of two sockets on
 * 127.0.0.1:500 and :4500, in a private network namespace the test makes
 * for itself (needs root): IKE goes raw to 500, then behind the non-ESP
 * marker to 4500; what comes back on 4500 is told apart into IKE, ESP and
 * keepalives; datagrams from anybody but the gateway never arrive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sock.h"

struct gw {
	int fd500, fd4500, other;
	struct sockaddr_storage addr;
};

static int
udp_bound(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
		.sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static int
setup(void **state)
{
	static struct gw g;
	struct sockaddr_in *sin = (struct sockaddr_in *)&g.addr;

	if (unshare(CLONE_NEWNET) == -1 || system("ip link set lo up") != 0) {
		print_error("a private network namespace is needed (root)\n");
		return -1;
	}
	g.fd500 = udp_bound(500);
	g.fd4500 = udp_bound(4500);
	g.other = udp_bound(4501);
	memset(&g.addr, 0, sizeof(g.addr));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(12345); /* ignored by sock_open */
	inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);
	*state = &g;
	return 0;
}

/* Receive at the gateway; returns the length and who sent it. */
static ssize_t
gw_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t len = sizeof(*from);

	assert_int_equal(poll(&p, 1, 5000), 1);
	return recvfrom(fd, buf, cap, 0, (struct sockaddr *)from, &len);
}

static void
client_recv(
    struct sock *s, int fd, enum sock_kind *kind, struct rd *view, uint8_t *buf)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_int_equal(sock_recv(s, fd, buf, SOCK_RECV_MAX, kind, view), 0);
}

static void
test_paths(void **state)
{
	struct gw *g = *state;
	struct sockaddr_storage from, local;
	static uint8_t buf[SOCK_RECV_MAX];
	struct rd msg = rd_make("IKEMSG", 6), view;
	enum sock_kind kind;
	struct sock *s;
	ssize_t n;

	assert_int_equal(sock_open(&g->addr, &s), 0);
	assert_false(sock_floated(s));
	assert_int_equal(sock_fd_natt(s), -1);
	assert_int_equal(sock_send_esp(s, &msg), -ENOTCONN);

	/* Port 500: the message as it is. */
	assert_int_equal(sock_send_ike(s, &msg), 0);
	n = gw_recv(g->fd500, buf, sizeof(buf), &from);
	assert_int_equal(n, 6);
	assert_memory_equal(buf, "IKEMSG", 6);
	assert_int_equal(sendto(g->fd500, "REPLY", 5, 0,
			     (struct sockaddr *)&from, sizeof(from)),
	    5);
	client_recv(s, sock_fd_ike(s), &kind, &view, buf);
	assert_int_equal(kind, SOCK_IKE);
	assert_int_equal(view.len, 5);

	/* Float: behind the non-ESP marker, to 4500. */
	assert_int_equal(sock_float(s), 0);
	assert_int_equal(sock_float(s), 0);
	assert_int_equal(sock_local(s, &local), 0);
	assert_int_equal(sock_send_ike(s, &msg), 0);
	n = gw_recv(g->fd4500, buf, sizeof(buf), &from);
	assert_int_equal(n, 10);
	assert_memory_equal(buf, "\0\0\0\0IKEMSG", 10);
	assert_int_equal(sock_send_keepalive(s), 0);
	n = gw_recv(g->fd4500, buf, sizeof(buf), &from);
	assert_int_equal(n, 1);
	assert_int_equal(buf[0], 0xff);

	/* From the gateway's 4500: IKE, ESP, keepalive, runt. */
	assert_int_equal(sendto(g->fd4500, "\0\0\0\0IKE2", 8, 0,
			     (struct sockaddr *)&from, sizeof(from)),
	    8);
	client_recv(s, sock_fd_natt(s), &kind, &view, buf);
	assert_int_equal(kind, SOCK_IKE);
	assert_int_equal(view.len, 4);
	assert_memory_equal(view.p, "IKE2", 4);
	assert_int_equal(sendto(g->fd4500, "\x12\x34\x56\x78\0\0\0\1xx", 10, 0,
			     (struct sockaddr *)&from, sizeof(from)),
	    10);
	client_recv(s, sock_fd_natt(s), &kind, &view, buf);
	assert_int_equal(kind, SOCK_ESP);
	assert_int_equal(view.len, 10);
	assert_int_equal(sendto(g->fd4500, "\xff", 1, 0,
			     (struct sockaddr *)&from, sizeof(from)),
	    1);
	client_recv(s, sock_fd_natt(s), &kind, &view, buf);
	assert_int_equal(kind, SOCK_KEEPALIVE);
	assert_int_equal(sendto(g->fd4500, "\0\0", 2, 0,
			     (struct sockaddr *)&from, sizeof(from)),
	    2);
	client_recv(s, sock_fd_natt(s), &kind, &view, buf);
	assert_int_equal(kind, SOCK_NONE);

	/* Somebody else's datagram to our port is dropped by the kernel. */
	assert_int_equal(sendto(g->other, "\0\0\0\0EVIL", 8, 0,
			     (struct sockaddr *)&from, sizeof(from)),
	    8);
	assert_int_equal(sendto(g->fd4500, "\0\0\0\0GOOD", 8, 0,
			     (struct sockaddr *)&from, sizeof(from)),
	    8);
	client_recv(s, sock_fd_natt(s), &kind, &view, buf);
	assert_int_equal(kind, SOCK_IKE);
	assert_memory_equal(view.p, "GOOD", 4); /* EVIL, sent first, is gone */
	assert_int_equal(
	    sock_recv(s, 0, buf, sizeof(buf), &kind, &view), -EBADF);
	sock_free(s);
}

static void
test_bad_family(void **state)
{
	struct sockaddr_storage ss = { .ss_family = AF_UNIX };
	struct sock *s = NULL;

	assert_int_equal(sock_open(&ss, &s), -EAFNOSUPPORT);
	assert_null(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_bad_family),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
