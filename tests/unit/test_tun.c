/* SPDX-License-Identifier: ISC */
/*
 * test_tun.c: the TUN interface against the real kernel, inside a private
 * network namespace that this test makes for itself (needs root, as
 * `make check` runs): packets routed to the interface come out of the
 * descriptor, packets written to it reach a local socket, names are
 * checked, an existing name is refused, and closing removes the interface.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tun.h"

#define IFNAME "p2s-test0"

static int
setup_netns(void **state)
{
	/* Everything below happens in a namespace nobody else sees. */
	if (unshare(CLONE_NEWNET) == -1) {
		print_error("unshare(CLONE_NEWNET): %s (run as root)\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
sh(const char *cmd)
{
	assert_int_equal(system(cmd), 0);
}

static void
test_names(void **state)
{
	assert_true(tun_name_valid("p2s-corp"));
	assert_true(tun_name_valid("abcdefghijklmno")); /* 15 */
	assert_false(tun_name_valid("abcdefghijklmnop"));
	assert_false(tun_name_valid(""));
	assert_false(tun_name_valid("a/b"));
	assert_false(tun_name_valid("a b"));
	assert_false(tun_name_valid("a:1"));
	assert_false(tun_name_valid(".."));
	assert_int_equal(tun_open("bad/name"), -EINVAL);
}

static void
test_open_close(void **state)
{
	int fd = tun_open(IFNAME);

	assert_true(fd >= 0);
	assert_true(if_nametoindex(IFNAME) != 0);
	/* A second open of the same name must not attach to ours. */
	assert_int_equal(tun_open(IFNAME), -EBUSY);
	(void)close(fd);
	assert_int_equal(if_nametoindex(IFNAME), 0);
}

static uint16_t
csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv4/UDP 10.99.0.2:4000 -> 10.99.0.1:5000, UDP checksum 0 (allowed). */
static size_t
make_udp(uint8_t *p, const char *msg)
{
	/* Version/IHL, TTL 64, UDP; 10.99.0.2 -> 10.99.0.1; 4000 -> 5000. */
	static const uint8_t hdr[28] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64,
		IPPROTO_UDP, 0, 0, 10, 99, 0, 2, 10, 99, 0, 1, 4000 >> 8,
		4000 & 0xff, 5000 >> 8, 5000 & 0xff };
	size_t n = strlen(msg), total = 28 + n;
	uint16_t c;

	memcpy(p, hdr, sizeof(hdr));
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	c = csum(p, 20);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[24] = (uint8_t)((8 + n) >> 8);
	p[25] = (uint8_t)(8 + n);
	memcpy(p + 28, msg, n);
	return total;
}

static void
test_packets_both_ways(void **state)
{
	struct sockaddr_in dst = { .sin_family = AF_INET,
		.sin_port = htons(6000) };
	struct sockaddr_in me = { .sin_family = AF_INET,
		.sin_port = htons(5000) };
	uint8_t buf[TUN_MAX_PACKET];
	struct pollfd pfd;
	int fd, s, r;
	ssize_t n;

	fd = tun_open(IFNAME);
	assert_true(fd >= 0);
	sh("ip link set lo up && ip link set " IFNAME " up && "
	   "ip addr add 10.99.0.1/24 dev " IFNAME);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	inet_pton(AF_INET, "10.99.0.1", &me.sin_addr);
	assert_int_equal(bind(s, (struct sockaddr *)&me, sizeof(me)), 0);

	/* Out: a datagram to 10.99.0.2 is routed into the TUN. */
	inet_pton(AF_INET, "10.99.0.2", &dst.sin_addr);
	assert_int_equal(
	    sendto(s, "hello", 5, 0, (struct sockaddr *)&dst, sizeof(dst)), 5);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (;;) {
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		n = tun_read(fd, buf, sizeof(buf));
		assert_true(n > 0);
		if (buf[0] >> 4 == 4 && buf[9] == IPPROTO_UDP)
			break; /* skip anything else the kernel sends */
	}
	assert_int_equal(n, 20 + 8 + 5);
	assert_memory_equal(buf + 16, "\x0a\x63\x00\x02", 4);
	assert_memory_equal(buf + 28, "hello", 5);

	/* In: a packet written to the TUN reaches the socket. */
	n = (ssize_t)make_udp(buf, "world");
	assert_int_equal(tun_write(fd, buf, (size_t)n), 0);
	pfd = (struct pollfd){ .fd = s, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	r = (int)recv(s, buf, sizeof(buf), 0);
	assert_int_equal(r, 5);
	assert_memory_equal(buf, "world", 5);
	assert_int_equal(tun_read(fd, buf, sizeof(buf)) >= 0, 1);
	(void)close(s);
	(void)close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_open_close),
		cmocka_unit_test(test_packets_both_ways),
	};

	return cmocka_run_group_tests(tests, setup_netns, NULL);
}
