/* SPDX-License-Identifier: ISC */
/*
 * test_ipaddr.c: the one address/prefix/host-name parser behind profiles
 * and Azure packages: what it takes, what it refuses and with which
 * error, round trips through the printer, and repeats found in a long
 * list as a quadratic search would find them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ipaddr.h"

static int
parse_prefix(const char *s, struct ip_prefix *p)
{
	return ip_prefix_parse(s, strlen(s), p);
}

static void
assert_round_trip(const char *s)
{
	struct ip_prefix p;
	char out[IP_PREFIX_STRLEN];

	assert_int_equal(parse_prefix(s, &p), 0);
	assert_int_equal(ip_prefix_print(&p, out, sizeof(out)), 0);
	assert_string_equal(out, s);
}

static void
test_addr(void **state)
{
	struct ip_addr a, b;
	char out[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(ip_addr_parse("192.0.2.1", 9, &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(ip_addr_print(&a, out, sizeof(out)), 0);
	assert_string_equal(out, "192.0.2.1");
	/* Only len bytes are read: "192.0.2.1x" cut before the x. */
	assert_int_equal(ip_addr_parse("192.0.2.1x", 9, &b), 0);
	assert_true(ip_addr_eq(&a, &b));
	assert_int_equal(ip_addr_parse("2001:db8::1", 11, &b), 0);
	assert_int_equal(b.family, AF_INET6);
	assert_false(ip_addr_eq(&a, &b));
	assert_int_equal(ip_addr_print(&b, out, 4), -ENOSPC);

	assert_int_equal(ip_addr_parse("", 0, &a), -EBADMSG);
	assert_int_equal(ip_addr_parse("300.1.1.1", 9, &a), -EBADMSG);
	assert_int_equal(ip_addr_parse("1.2.3", 5, &a), -EBADMSG);
	assert_int_equal(ip_addr_parse(" 1.2.3.4", 8, &a), -EBADMSG);
	assert_int_equal(ip_addr_parse("1.2.3.4\0", 8, &a), -EBADMSG);
	/* Longer than any address: refused before any copy. */
	assert_int_equal(
	    ip_addr_parse("1111:2222:3333:4444:5555:6666:7777:8888:9", 41, &a),
	    -EBADMSG);
}

static void
test_prefix(void **state)
{
	struct ip_prefix p;

	(void)state;
	assert_round_trip("10.1.0.0/16");
	assert_round_trip("0.0.0.0/0");
	assert_round_trip("192.0.2.7/32");
	assert_round_trip("fd00::/64");
	assert_round_trip("2001:db8::1/128");

	assert_int_equal(parse_prefix("10.1.0.0", &p), -EBADMSG);
	assert_int_equal(parse_prefix("10.1.0.0/", &p), -EBADMSG);
	assert_int_equal(parse_prefix("10.1.0.0/016", &p), -EBADMSG);
	assert_int_equal(parse_prefix("10.1.0.0/+16", &p), -EBADMSG);
	assert_int_equal(parse_prefix("10.1.0.0/1000", &p), -EBADMSG);
	assert_int_equal(parse_prefix("10.1.0.0/16/8", &p), -EBADMSG);
	assert_int_equal(parse_prefix("/16", &p), -EBADMSG);
	assert_int_equal(parse_prefix("10.1.0.0/33", &p), -ERANGE);
	assert_int_equal(parse_prefix("fd00::/129", &p), -ERANGE);
	assert_int_equal(parse_prefix("fd00::/128", &p), 0);

	/* Host bits: refused, and the network meant is handed back. */
	assert_int_equal(parse_prefix("10.1.2.3/16", &p), -EDOM);
	assert_int_equal(p.len, 16);
	assert_int_equal(parse_prefix("10.1.0.0/16", &p), 0);
	assert_int_equal(parse_prefix("fd00::1/64", &p), -EDOM);
	assert_int_equal(parse_prefix("10.1.0.128/25", &p), 0);
	assert_int_equal(parse_prefix("10.1.0.64/25", &p), -EDOM);
}

static void
test_cmp(void **state)
{
	struct ip_prefix a, b;

	(void)state;
	assert_int_equal(parse_prefix("10.1.0.0/16", &a), 0);
	assert_int_equal(parse_prefix("10.1.0.0/24", &b), 0);
	assert_true(ip_prefix_cmp(&a, &b) < 0);
	assert_true(ip_prefix_cmp(&b, &a) > 0);
	assert_int_equal(ip_prefix_cmp(&a, &a), 0);
	assert_int_equal(parse_prefix("fd00::/16", &b), 0);
	assert_true(ip_prefix_cmp(&a, &b) != 0);
}

static void
test_host_name(void **state)
{
	char long_name[300];

	(void)state;
	assert_true(
	    ip_host_name_valid("azuregateway-1.vpn.azure.com", 28, false));
	assert_true(ip_host_name_valid("example.com.", 12, false));
	assert_true(ip_host_name_valid("a1", 2, false));
	assert_false(ip_host_name_valid("", 0, false));
	assert_false(ip_host_name_valid(".", 1, false));
	assert_false(ip_host_name_valid("a..b", 4, false));
	assert_false(ip_host_name_valid("-a.b", 4, false));
	assert_false(ip_host_name_valid("a-.b", 4, false));
	assert_false(ip_host_name_valid("300.1.1.1", 9, false));
	assert_false(ip_host_name_valid("a b", 3, false));
	assert_false(ip_host_name_valid("_ldap.corp", 10, false));
	assert_true(ip_host_name_valid("_ldap.corp", 10, true));

	/* 63-byte labels are the most; 253 bytes in all. */
	memset(long_name, 'a', sizeof(long_name));
	assert_true(ip_host_name_valid(long_name, 63, false));
	assert_false(ip_host_name_valid(long_name, 64, false));
	for (size_t i = 63; i < sizeof(long_name); i += 64)
		long_name[i] = '.';
	assert_true(ip_host_name_valid(long_name, 253, false));
	assert_false(ip_host_name_valid(long_name, 254, false));
}

/* Random lists with many repeats: the n log n answer is the quadratic one. */
static void
test_repeats(void **state)
{
	enum {
		N = 2000
	};
	struct ip_prefix *v = calloc(N, sizeof(*v));
	size_t *first = calloc(N, sizeof(*first));

	(void)state;
	assert_non_null(v);
	assert_non_null(first);
	srandom(7);
	for (size_t i = 0; i < N; i++) {
		uint32_t net = (uint32_t)random() % 64;

		v[i].ip.family = random() % 4 == 0 ? AF_INET6 : AF_INET;
		memcpy(&v[i].ip.in6, &net, sizeof(net));
		v[i].len = (uint8_t)(random() % 2 + 8);
	}
	assert_int_equal(ip_prefix_repeats(v, N, first), 0);
	for (size_t i = 0; i < N; i++) {
		size_t want = SIZE_MAX;

		for (size_t j = 0; j < i && want == SIZE_MAX; j++)
			if (ip_prefix_cmp(&v[i], &v[j]) == 0)
				want = j;
		assert_true(first[i] == want);
	}
	assert_int_equal(ip_prefix_repeats(v, 0, first), 0);
	free(v);
	free(first);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_host_name),
		cmocka_unit_test(test_repeats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
