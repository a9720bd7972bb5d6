/* SPDX-License-Identifier: ISC */
/*
 * test_dns.c: what dns.c hands systemd-resolved and resolvconf, without
 * a bus: the servers (pushed first, then the profile's, no repeats), the
 * domains and their routing flag, DefaultRoute, the resolv.conf lines;
 * and the end of the fallback chain: no bus and no resolvconf is
 * DNS_VIA_NONE, and resolvconf's exit status decides DNS_VIA_RESOLVCONF.
 * The real systemd-resolved and resolvconf are exercised by
 * tests/integration/test_p2sd_dns.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dns.h"

static void
ss4(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &sin->sin_addr), 1);
}

static void
ss6(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
}

static void
conf_ip(struct ip_addr *ip, int family, const char *a)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	assert_int_equal(inet_pton(family, a, &ip->in6), 1);
}

static void
expect_server(const struct dns_server *s, int family, const char *text)
{
	char buf[DNS_ADDR_LEN];
	uint8_t want[16] = { 0 };

	assert_int_equal(s->family, family);
	assert_int_equal(inet_pton(family, text, want), 1);
	/* The bytes resolved gets as "ay": 4 for IPv4, 16 for IPv6. */
	assert_memory_equal(s->addr, want, family == AF_INET ? 4 : 16);
	assert_string_equal(dns_server_str(s, buf), text);
}

static void
test_servers_pushed_then_profile(void **state)
{
	struct sockaddr_storage pushed[3];
	struct ip_addr servers[3];
	char *domains[1] = { NULL };
	struct conf_dns conf = { .servers = servers,
		.n_servers = 3,
		.domains = domains,
		.n_domains = 0 };
	struct dns_config cfg;

	(void)state;
	ss4(&pushed[0], "10.1.0.4");
	ss6(&pushed[1], "fd00::53");
	memset(&pushed[2], 0, sizeof(pushed[2])); /* AF_UNSPEC: skipped */
	conf_ip(&servers[0], AF_INET, "10.2.0.53");
	conf_ip(&servers[1], AF_INET, "10.1.0.4"); /* the gateway's again */
	conf_ip(&servers[2], AF_INET6, "fd00::54");
	assert_int_equal(dns_config_build(pushed, 3, &conf, &cfg), 0);
	assert_int_equal(cfg.n_servers, 4);
	expect_server(&cfg.servers[0], AF_INET, "10.1.0.4");
	expect_server(&cfg.servers[1], AF_INET6, "fd00::53");
	expect_server(&cfg.servers[2], AF_INET, "10.2.0.53");
	expect_server(&cfg.servers[3], AF_INET6, "fd00::54");
	assert_int_equal(cfg.n_domains, 0);
	assert_true(cfg.default_route); /* no domains: every name */
}

static void
test_domain_parse(void **state)
{
	static const char *const bad[] = { "", "~", "corp example",
		"corp.example\nnameserver 6.6.6.6", "a;b", "~~x" };
	struct dns_domain d;

	(void)state;
	assert_int_equal(dns_domain_parse("~corp.example", &d), 0);
	assert_string_equal(d.name, "corp.example");
	assert_true(d.routing);
	assert_int_equal(dns_domain_parse("corp.example", &d), 0);
	assert_string_equal(d.name, "corp.example");
	assert_false(d.routing);
	assert_int_equal(dns_domain_parse("~.", &d), 0);
	assert_string_equal(d.name, ".");
	assert_true(d.routing);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dns_domain_parse(bad[i], &d), -EBADMSG);
}

/* DefaultRoute: false only when every domain is routing-only. */
static void
test_default_route(void **state)
{
	char *routing[2] = { (char *)"~corp.example", (char *)"~lab.example" };
	char *mixed[2] = { (char *)"~corp.example", (char *)"lab.example" };
	struct conf_dns conf = { .domains = routing, .n_domains = 2 };
	struct dns_config cfg;

	(void)state;
	assert_int_equal(dns_config_build(NULL, 0, &conf, &cfg), 0);
	assert_int_equal(cfg.n_domains, 2);
	assert_string_equal(cfg.domains[1].name, "lab.example");
	assert_true(cfg.domains[1].routing);
	assert_false(cfg.default_route);
	conf.domains = mixed;
	assert_int_equal(dns_config_build(NULL, 0, &conf, &cfg), 0);
	assert_false(cfg.domains[1].routing);
	assert_true(cfg.default_route);
}

static void
test_bad_domain_refused(void **state)
{
	char *domains[2] = { (char *)"ok.example", (char *)"x\ny" };
	struct conf_dns conf = { .domains = domains, .n_domains = 2 };
	struct dns_config cfg;

	(void)state;
	assert_int_equal(dns_config_build(NULL, 0, &conf, &cfg), -EBADMSG);
}

static void
test_resolvconf_text(void **state)
{
	char *domains[3] = { (char *)"~corp.example", (char *)"lab.example",
		(char *)"b.example" };
	struct ip_addr servers[1];
	struct conf_dns conf = { .servers = servers,
		.n_servers = 1,
		.domains = domains,
		.n_domains = 3 };
	struct sockaddr_storage pushed[1];
	struct dns_config cfg;
	const char *want = "nameserver 10.1.0.4\n"
			   "nameserver fd00::54\n"
			   "search lab.example b.example\n";
	char buf[256];

	(void)state;
	ss4(&pushed[0], "10.1.0.4");
	conf_ip(&servers[0], AF_INET6, "fd00::54");
	assert_int_equal(dns_config_build(pushed, 1, &conf, &cfg), 0);
	assert_int_equal(
	    dns_resolvconf_text(&cfg, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	/* Too small for all of it: refused, not cut. */
	for (size_t len = 0; len <= strlen(want); len++)
		assert_int_equal(dns_resolvconf_text(&cfg, buf, len), -ENOSPC);
	/* Only routing domains: no search line at all. */
	conf.domains = domains;
	conf.n_domains = 1;
	assert_int_equal(dns_config_build(pushed, 1, &conf, &cfg), 0);
	assert_int_equal(dns_resolvconf_text(&cfg, buf, sizeof(buf)),
	    (int)strlen("nameserver 10.1.0.4\nnameserver fd00::54\n"));
}

/* Most servers the gateway and the profile can give: all kept. */
static void
test_server_cap(void **state)
{
	struct sockaddr_storage pushed[IKE_CHILD_MAX_DNS];
	struct ip_addr servers[CONF_MAX_DNS_SERVERS];
	struct conf_dns conf = { .servers = servers,
		.n_servers = CONF_MAX_DNS_SERVERS };
	struct dns_config cfg;
	char a[32];

	(void)state;
	for (int i = 0; i < IKE_CHILD_MAX_DNS; i++) {
		(void)snprintf(a, sizeof(a), "10.1.0.%d", i + 1);
		ss4(&pushed[i], a);
	}
	for (int i = 0; i < CONF_MAX_DNS_SERVERS; i++) {
		(void)snprintf(a, sizeof(a), "10.2.0.%d", i + 1);
		conf_ip(&servers[i], AF_INET, a);
	}
	assert_int_equal(
	    dns_config_build(pushed, IKE_CHILD_MAX_DNS, &conf, &cfg), 0);
	assert_int_equal(cfg.n_servers, DNS_MAX_SERVERS);
	expect_server(&cfg.servers[DNS_MAX_SERVERS - 1], AF_INET, "10.2.0.16");
}

static void
one_server(struct dns_config *cfg)
{
	struct sockaddr_storage pushed[1];
	struct conf_dns conf = { 0 };

	ss4(&pushed[0], "10.1.0.4");
	assert_int_equal(dns_config_build(pushed, 1, &conf, cfg), 0);
}

/* No system bus and no resolvconf in PATH: nothing applied, said so. */
static void
test_nothing_to_apply_with(void **state)
{
	struct dns_config cfg;
	struct dns *d;

	(void)state;
	one_server(&cfg);
	assert_int_equal(
	    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent", 1), 0);
	assert_int_equal(setenv("PATH", "/nonexistent", 1), 0);
	assert_int_equal(dns_new("lo", &d), 0);
	assert_null(dns_applied(d));
	assert_int_equal(dns_apply(d, &cfg), DNS_VIA_NONE);
	assert_non_null(dns_applied(d)); /* status still shows the servers */
	assert_string_equal(dns_via_name(dns_via(d)), "none");
	dns_revert(d);
	assert_null(dns_applied(d));
	dns_free(d);
}

/* A PATH holding only "resolvconf", a link to PROG (a real program). */
static char *
path_with_resolvconf(const char *prog)
{
	char tmpl[] = "/tmp/p2s-test-dns.XXXXXX", link[64];
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	(void)snprintf(link, sizeof(link), "%s/resolvconf", dir);
	assert_int_equal(symlink(prog, link), 0);
	assert_int_equal(setenv("PATH", dir, 1), 0);
	return strdup(dir);
}

static void
path_done(char *dir)
{
	char link[64];

	(void)snprintf(link, sizeof(link), "%s/resolvconf", dir);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rmdir(dir), 0);
	free(dir);
}

/* resolvconf's exit status decides: 0 applied, else not. */
static void
test_resolvconf_status(void **state)
{
	struct dns_config cfg;
	struct dns *d;
	char *dir;

	(void)state;
	one_server(&cfg);
	assert_int_equal(
	    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent", 1), 0);
	assert_int_equal(dns_new("lo", &d), 0);
	dir = path_with_resolvconf("/bin/true");
	assert_int_equal(dns_apply(d, &cfg), DNS_VIA_RESOLVCONF);
	assert_string_equal(dns_via_name(dns_via(d)), "resolvconf");
	dns_revert(d);
	path_done(dir);
	dir = path_with_resolvconf("/bin/false");
	assert_int_equal(dns_apply(d, &cfg), DNS_VIA_NONE);
	path_done(dir);
	dns_free(d);
}

static void
test_new_refuses_long_name(void **state)
{
	struct dns *d = NULL;

	(void)state;
	assert_int_equal(dns_new("a-name-longer-than-15", &d), -ENAMETOOLONG);
	assert_null(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_servers_pushed_then_profile),
		cmocka_unit_test(test_domain_parse),
		cmocka_unit_test(test_default_route),
		cmocka_unit_test(test_bad_domain_refused),
		cmocka_unit_test(test_resolvconf_text),
		cmocka_unit_test(test_server_cap),
		cmocka_unit_test(test_nothing_to_apply_with),
		cmocka_unit_test(test_resolvconf_status),
		cmocka_unit_test(test_new_refuses_long_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
