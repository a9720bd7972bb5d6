/* SPDX-License-Identifier: ISC */
/*
 * test_prefix.c: traffic selector ranges become exactly the prefixes that
 * cover them (checked address by address against random ranges), and
 * sets keep no repeats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prefix.h"

static void
v4(uint32_t host, uint8_t out[4])
{
	uint32_t be = htonl(host);

	memcpy(out, &be, 4);
}

static size_t
cover(uint32_t lo, uint32_t hi, struct nl_prefix *p, size_t cap)
{
	uint8_t s[4], e[4];
	size_t n = 0;

	v4(lo, s);
	v4(hi, e);
	assert_int_equal(prefix_from_range(AF_INET, s, e, p, cap, &n), 0);
	return n;
}

static void
test_simple(void **state)
{
	struct nl_prefix p[64];
	char buf[64];
	size_t n;

	n = cover(0x0a010000, 0x0a01ffff, p, 64); /* 10.1.0.0-10.1.255.255 */
	assert_int_equal(n, 1);
	assert_string_equal(prefix_str(&p[0], buf, sizeof(buf)), "10.1.0.0/16");
	n = cover(0, 0xffffffff, p, 64);
	assert_int_equal(n, 1);
	assert_string_equal(prefix_str(&p[0], buf, sizeof(buf)), "0.0.0.0/0");
	n = cover(0xac10c903, 0xac10c903, p, 64); /* one address */
	assert_int_equal(n, 1);
	assert_int_equal(p[0].len, 32);
	n = cover(0x0a000001, 0x0a0000fe, p, 64); /* 10.0.0.1-10.0.0.254 */
	assert_int_equal(n, 14);
}

static uint32_t
rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 32);
}

/* Every address in [lo, hi] is in exactly one prefix, none outside is. */
static void
test_random_exact(void **state)
{
	struct nl_prefix p[64];
	uint64_t seed = 7;

	for (int round = 0; round < 300; round++) {
		uint32_t base = rng(&seed), a = base + rng(&seed) % 5000,
			 b = a + rng(&seed) % 5000;
		size_t n;

		if (b < a)
			continue;
		n = cover(a, b, p, 64);
		assert_true(n <= 62);
		for (uint64_t x = (uint64_t)a - (a > 0);
		     x <= (uint64_t)b + (b < UINT32_MAX); x++) {
			struct nl_addr addr = { .family = AF_INET };
			int hits = 0;

			v4((uint32_t)x, addr.bytes);
			for (size_t i = 0; i < n; i++)
				hits += prefix_contains(&p[i], &addr);
			assert_int_equal(hits, x >= a && x <= b ? 1 : 0);
		}
	}
}

static void
test_ipv6_and_errors(void **state)
{
	uint8_t s[16] = { 0x20, 0x01, 0x0d, 0xb8 }, e[16];
	struct nl_prefix p[300];
	size_t n = 0;
	char buf[80];

	memcpy(e, s, 16);
	memset(e + 8, 0xff, 8);
	assert_int_equal(prefix_from_range(AF_INET6, s, e, p, 300, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(
	    prefix_str(&p[0], buf, sizeof(buf)), "2001:db8::/64");
	n = 0;
	assert_int_equal(
	    prefix_from_range(AF_INET6, e, s, p, 300, &n), -EINVAL);
	/* ::1 - ffff..fe needs 254 prefixes: too many for a cap of 10. */
	memset(s, 0, 16);
	s[15] = 1;
	memset(e, 0xff, 16);
	e[15] = 0xfe;
	n = 0;
	assert_int_equal(prefix_from_range(AF_INET6, s, e, p, 10, &n), -E2BIG);
	n = 0;
	assert_int_equal(prefix_from_range(AF_INET6, s, e, p, 300, &n), 0);
	assert_int_equal(n, 254);
}

static void
test_set(void **state)
{
	struct nl_prefix set[2],
	    a = { .addr = { .family = AF_INET }, .len = 8 };
	size_t n = 0;

	a.addr.bytes[0] = 10;
	assert_int_equal(prefix_set_add(set, 2, &n, &a), 0);
	assert_int_equal(prefix_set_add(set, 2, &n, &a), 0);
	assert_int_equal(n, 1);
	a.len = 16;
	assert_int_equal(prefix_set_add(set, 2, &n, &a), 0);
	a.len = 24;
	assert_int_equal(prefix_set_add(set, 2, &n, &a), -E2BIG);
	assert_int_equal(n, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_random_exact),
		cmocka_unit_test(test_ipv6_and_errors),
		cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
