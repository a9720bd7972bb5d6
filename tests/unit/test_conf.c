/* SPDX-License-Identifier: ISC */
/*
 * test_conf.c: every good profile in tests/data/profiles/good loads with
 * the values and defaults of design.md section 3; every bad one in
 * tests/data/profiles/bad fails at the line and column, and with the
 * message, its first line names ("# expect: LINE:COL: text"); caps hold
 * at their limit and fail one past it; a failed load leaves nothing
 * behind (the sanitizer build checks for leaks); conf_check_files looks
 * at the files a profile names.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

static const char *
srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d != NULL ? d : ".";
}

/* A path under the source tree; static storage, one at a time. */
static const char *
src_path(const char *rel)
{
	static char path[PATH_MAX];

	(void)snprintf(path, sizeof(path), "%s/%s", srcdir(), rel);
	return path;
}

static struct conf *
load_ok(const char *rel)
{
	struct conf *c = NULL;
	struct conf_err err = { "" };

	if (conf_load(src_path(rel), &c, &err) != 0)
		fail_msg("%s", err.msg);
	assert_non_null(c);
	return c;
}

static struct conf *
load_text_ok(const char *name, const char *text)
{
	struct conf *c = NULL;
	struct conf_err err = { "" };

	if (conf_load_buffer(name, text, strlen(text), &c, &err) != 0)
		fail_msg("%s", err.msg);
	return c;
}

/* Loading text fails with r, leaves ret_conf alone, and says want. */
static void
load_named_bad(
    const char *name, const char *text, size_t len, int r, const char *want)
{
	struct conf *c = (struct conf *)&c;
	struct conf_err err = { "" };

	assert_int_equal(conf_load_buffer(name, text, len, &c, &err), r);
	assert_ptr_equal(c, (struct conf *)&c);
	if (strstr(err.msg, want) == NULL)
		fail_msg("got '%s', want '%s'", err.msg, want);
}

static void
load_text_bad(const char *text, size_t len, int r, const char *want)
{
	load_named_bad("t.yaml", text, len, r, want);
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static void
assert_path(const char *got, const char *tail)
{
	assert_non_null(got);
	assert_true(got[0] == '/'); /* conf_load makes it absolute */
	if (!ends_with(got, tail))
		fail_msg("path '%s' does not end in '%s'", got, tail);
}

static void
assert_ip(const struct ip_addr *ip, const char *text)
{
	struct ip_addr want = { 0 };

	if (inet_pton(AF_INET, text, &want.in4) == 1)
		want.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &want.in6) == 1)
		want.family = AF_INET6;
	assert_int_not_equal(want.family, AF_UNSPEC);
	assert_int_equal(ip->family, want.family);
	assert_memory_equal(
	    &ip->in6, &want.in6, want.family == AF_INET ? 4 : 16);
}

static void
assert_prefix(const struct ip_prefix *p, const char *net, uint8_t len)
{
	assert_ip(&p->ip, net);
	assert_int_equal(p->len, len);
}

static void
assert_proposal(const struct proposal *p, const char *text)
{
	char got[PROPOSAL_MAX_LEN + 1];

	assert_int_equal(proposal_print(p, got, sizeof(got)), 0);
	assert_string_equal(got, text);
}

static void
test_good_full(void **state)
{
	struct conf *c = load_ok("tests/data/profiles/good/full.yaml");
	const struct conf_gateway *g = &c->gateway;

	assert_string_equal(c->name, "full");
	assert_true(ends_with(c->path, "good/full.yaml"));
	assert_string_equal(g->host,
	    "azuregateway-00112233-4455-6677-8899-aabbccddeeff-"
	    "0123456789ab.vpn.azure.com");
	assert_ip(&g->address, "198.51.100.1");
	assert_int_equal(g->port, 4500);
	assert_string_equal(g->id, "gw.example.net");
	assert_int_equal(g->n_roots, 2);
	assert_path(g->roots[0], "/tests/data/profiles/good/full/root-0.pem");
	assert_string_equal(g->roots[1], "/etc/p2s/shared/root-1.pem");
	assert_true(g->send_id);
	assert_int_equal(c->client.auth, CONF_AUTH_PUBKEY);
	assert_path(c->client.cert, "/good/full/client.pem");
	assert_path(c->client.key, "/good/full/client.key");
	assert_null(c->client.p12);
	assert_null(c->client.password_file);
	assert_string_equal(c->client.id, "P2SChildCert");
	assert_int_equal(c->n_routes, 4);
	assert_prefix(&c->routes[0], "10.1.0.0", 16);
	assert_prefix(&c->routes[1], "10.2.0.0", 16);
	assert_prefix(&c->routes[2], "192.168.7.0", 24);
	assert_prefix(&c->routes[3], "fd00:1::", 48);
	assert_prefix(&c->pool, "172.16.201.0", 24);
	assert_int_equal(c->dns.n_servers, 2);
	assert_ip(&c->dns.servers[0], "10.1.0.4");
	assert_ip(&c->dns.servers[1], "2001:db8::53");
	assert_int_equal(c->dns.n_domains, 3);
	assert_string_equal(c->dns.domains[0], "~corp.example");
	assert_string_equal(c->dns.domains[1], "internal.example");
	assert_string_equal(c->dns.domains[2], "~.");
	assert_int_equal(c->datapath, CONF_DATAPATH_USERSPACE);
	assert_string_equal(c->interface, "vpn0");
	assert_int_equal(c->proposals.n_ike, 2);
	assert_proposal(&c->proposals.ike[0], "aes128gcm16-prfsha256-ecp256");
	assert_proposal(
	    &c->proposals.ike[1], "aes256-sha384-prfsha384-modp2048");
	assert_int_equal(c->proposals.n_esp, 2);
	assert_proposal(&c->proposals.esp[0], "aes128gcm16");
	assert_proposal(&c->proposals.esp[1], "aes256-sha256-ecp384-esn");
	assert_int_equal(c->dpd, 300);
	assert_int_equal(c->lifetime.ike, 7200);
	assert_int_equal(c->lifetime.child, 2700);
	assert_int_equal(c->nat_keepalive, 120);
	assert_int_equal(c->reconnect, CONF_RECONNECT_NEVER);
	assert_int_equal(c->mtu, 1280);
	conf_free(c);
}

static void
assert_azure_proposals(const struct conf_proposals *p)
{
	assert_int_equal(p->n_ike, PROPOSAL_AZURE_IKE_N);
	for (size_t i = 0; i < PROPOSAL_AZURE_IKE_N; i++)
		assert_proposal(&p->ike[i], proposal_azure_ike[i]);
	assert_int_equal(p->n_esp, PROPOSAL_AZURE_ESP_N);
	for (size_t i = 0; i < PROPOSAL_AZURE_ESP_N; i++)
		assert_proposal(&p->esp[i], proposal_azure_esp[i]);
}

/* design.md section 3's defaults, one by one. */
static void
test_good_minimal_defaults(void **state)
{
	struct conf *c = load_ok("tests/data/profiles/good/minimal.yaml");
	const struct conf_gateway *g = &c->gateway;

	assert_string_equal(g->host, "vpn.example.com");
	assert_int_equal(g->address.family, AF_UNSPEC);
	assert_int_equal(g->port, CONF_PORT_DEFAULT);
	assert_int_equal(g->port, 500);
	assert_string_equal(g->id, g->host);
	assert_ptr_not_equal(g->id, g->host); /* each owned */
	assert_int_equal(g->n_roots, 1);
	assert_path(g->roots[0], "/good/minimal/root.pem");
	assert_false(g->send_id);
	assert_int_equal(c->client.auth, CONF_AUTH_EAP_TLS);
	assert_null(c->client.cert);
	assert_null(c->client.key);
	assert_path(c->client.p12, "/good/minimal/client.p12");
	assert_null(c->client.id); /* the certificate's CN */
	assert_int_equal(c->n_routes, 0);
	assert_int_equal(c->pool.ip.family, AF_UNSPEC);
	assert_int_equal(c->dns.n_servers, 0);
	assert_int_equal(c->dns.n_domains, 0);
	assert_int_equal(c->datapath, CONF_DATAPATH_AUTO);
	assert_string_equal(c->interface, "p2s-minimal");
	assert_azure_proposals(&c->proposals);
	assert_int_equal(c->dpd, 30);
	assert_int_equal(c->lifetime.ike, CONF_LIFE_IKE_DEFAULT);
	assert_int_equal(c->lifetime.ike, 14400);
	assert_int_equal(c->lifetime.child, CONF_LIFE_CHILD_DEFAULT);
	assert_int_equal(c->lifetime.child, 3600);
	assert_int_equal(c->nat_keepalive, CONF_NAT_KEEPALIVE_DEFAULT);
	assert_int_equal(c->reconnect, CONF_RECONNECT_ALWAYS);
	assert_int_equal(c->mtu, 1400);
	conf_free(c);
}

static void
test_good_azure(void **state)
{
	struct conf *c = load_ok("tests/data/profiles/good/azure.yaml");

	assert_string_equal(c->gateway.id, c->gateway.host);
	assert_int_equal(c->gateway.n_roots, 2);
	assert_path(c->gateway.roots[1], "/good/azure/server-root-1.pem");
	assert_int_equal(c->client.auth, CONF_AUTH_EAP_TLS);
	assert_string_equal(c->client.id, "P2SChildCert");
	assert_int_equal(c->n_routes, 2);
	assert_prefix(&c->routes[1], "10.2.0.0", 16);
	assert_int_equal(c->dns.n_servers, 0);
	assert_null(c->dns.servers);
	assert_string_equal(c->interface, "p2s-azure");
	assert_azure_proposals(&c->proposals);
	conf_free(c);
}

/* Flow style, quotes, a %YAML directive, "...", IPv6, dpd 0. */
static void
test_good_style(void **state)
{
	struct conf *c = load_ok("tests/data/profiles/good/style.yaml");

	assert_string_equal(c->gateway.host, "2001:db8::1");
	assert_int_equal(c->gateway.port, 500);
	assert_path(c->gateway.roots[0], "/good/style/r.pem");
	assert_string_equal(c->client.p12, "/secure/client.p12");
	assert_path(c->client.password_file, "/profiles/good/pw.txt");
	assert_string_equal(c->client.id, "user@example.com");
	assert_int_equal(c->n_routes, 2);
	assert_prefix(&c->routes[0], "::", 0);
	assert_prefix(&c->routes[1], "0.0.0.0", 0);
	assert_prefix(&c->pool, "fd00:abcd::", 64);
	assert_int_equal(c->dpd, 0);
	assert_int_equal(c->mtu, 9000);
	conf_free(c);
}

static void
test_example(void **state)
{
	struct conf *c = load_ok("conf/p2s.yaml.example");

	assert_string_equal(c->name, "p2s.yaml.example");
	assert_string_equal(c->interface, "p2s-contoso");
	assert_int_equal(c->client.auth, CONF_AUTH_EAP_TLS);
	assert_path(c->client.key, "/conf/contoso/client.key");
	assert_int_equal(c->n_routes, 2);
	assert_azure_proposals(&c->proposals);
	conf_free(c);
}

/* "# expect: LINE:COL: text" -> "LINE:COL: " and "text". */
static void
read_expectation(
    const char *path, char *where, size_t wlen, char *text, size_t tlen)
{
	char line[512];
	unsigned l, col;
	int off = 0;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	(void)fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "# expect: %u:%u: %n", &l, &col, &off) != 2 ||
	    off == 0)
		fail_msg("%s: first line is not '# expect: L:C: text'", path);
	(void)snprintf(where, wlen, ":%u:%u: ", l, col);
	(void)snprintf(text, tlen, "%s", line + off);
}

static void
check_bad_profile(const char *path)
{
	struct conf *c = (struct conf *)&c;
	struct conf_err err = { "" };
	char where[32], text[480], prefix[PATH_MAX + 320];
	int r;

	read_expectation(path, where, sizeof(where), text, sizeof(text));
	r = conf_load(path, &c, &err);
	if (r == 0)
		fail_msg("%s: loaded", path);
	assert_true(r == -EBADMSG || r == -E2BIG);
	assert_ptr_equal(c, (struct conf *)&c);
	(void)snprintf(prefix, sizeof(prefix), "%s%s", path, where);
	if (strncmp(err.msg, prefix, strlen(prefix)) != 0 ||
	    strstr(err.msg + strlen(prefix), text) == NULL)
		fail_msg(
		    "%s\n  got:  %s\n  want: %s%s", path, err.msg, where, text);
}

static void
test_bad_profiles(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent **names;
	size_t checked = 0;
	int n;

	(void)snprintf(
	    dir, sizeof(dir), "%s", src_path("tests/data/profiles/bad"));
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		if (ends_with(names[i]->d_name, ".yaml")) {
			(void)snprintf(
			    path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			check_bad_profile(path);
			checked++;
		}
		free(names[i]);
	}
	free(names);
	assert_true(checked >= 60);
}

static const char base_profile[] =
    "interface: t0\n"
    "gateway: {host: h.example, roots: [r.pem]}\n"
    "client: {cert: c.pem, key: c.key}\n";

/* Relative paths join the directory of the name; absolute ones stay. */
static void
test_buffer_paths(void **state)
{
	const char *text = "gateway: {host: h, roots: [r.pem, /abs/s.pem, "
			   "../up.pem]}\nclient: {p12: sub/c.p12}\n";
	struct conf *c;

	c = load_text_ok("x.yaml", text);
	assert_string_equal(c->gateway.roots[0], "r.pem");
	assert_string_equal(c->gateway.roots[1], "/abs/s.pem");
	assert_string_equal(c->client.p12, "sub/c.p12");
	assert_string_equal(c->name, "x");
	assert_string_equal(c->interface, "p2s-x");
	conf_free(c);
	c = load_text_ok("/etc/p2s/corp.yml", text);
	assert_string_equal(c->gateway.roots[0], "/etc/p2s/r.pem");
	assert_string_equal(c->gateway.roots[2], "/etc/p2s/../up.pem");
	assert_string_equal(c->client.p12, "/etc/p2s/sub/c.p12");
	assert_string_equal(c->name, "corp");
	conf_free(c);
	c = load_text_ok("/x", text);
	assert_string_equal(c->gateway.roots[0], "/r.pem");
	assert_string_equal(c->name, "x");
	conf_free(c);
}

/* conf_load of a relative name stores absolute paths: chdir is safe. */
static void
test_load_relative(void **state)
{
	char cwd[PATH_MAX], here[PATH_MAX], want[PATH_MAX + 64];
	struct conf *c = NULL;
	struct conf_err err;
	int r;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(srcdir()), 0);
	assert_non_null(getcwd(here, sizeof(here)));
	r = conf_load("tests/data/profiles/good/minimal.yaml", &c, &err);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r, 0);
	(void)snprintf(want, sizeof(want),
	    "%s/tests/data/profiles/good/minimal/root.pem", here);
	assert_string_equal(c->gateway.roots[0], want);
	assert_string_equal(c->path, "tests/data/profiles/good/minimal.yaml");
	conf_free(c);
}

static void
test_load_errors(void **state)
{
	struct conf *c = (struct conf *)&c;
	struct conf_err err;

	assert_int_equal(conf_load("/nonexistent/p.yaml", &c, &err), -ENOENT);
	assert_string_equal(
	    err.msg, "/nonexistent/p.yaml: No such file or directory");
	assert_int_equal(conf_load(srcdir(), &c, &err), -EINVAL);
	assert_true(ends_with(err.msg, ": not a regular file"));
	assert_ptr_equal(c, (struct conf *)&c);
	conf_free(NULL);
}

/* A profile with n routes, one a line, after a 4-line header. */
static char *
profile_with_routes(size_t n, size_t *ret_len)
{
	size_t cap = sizeof(base_profile) + 16 + n * 32, len;
	char *text = malloc(cap);

	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%sroutes:\n", base_profile);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "  - 10.%zu.%zu.0/24\n", i / 256, i % 256);
	*ret_len = len;
	return text;
}

static void
test_cap_routes(void **state)
{
	struct conf *c = NULL;
	struct conf_err err;
	struct timespec t0, t1;
	size_t len;
	char *text = profile_with_routes(CONF_MAX_ROUTES, &len);

	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(conf_load_buffer("t.yaml", text, len, &c, &err), 0);
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# %d routes loaded in %.1f ms\n", CONF_MAX_ROUTES,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(c->n_routes, CONF_MAX_ROUTES);
	assert_prefix(&c->routes[CONF_MAX_ROUTES - 1], "10.39.15.0", 24);
	conf_free(c);
	free(text);
	/* One more: entry 10001, on line 4 + 10001, is refused. */
	text = profile_with_routes(CONF_MAX_ROUTES + 1, &len);
	load_text_bad(text, len, -E2BIG,
	    "t.yaml:10005:5: too many entries in 'routes' (at most 10000)");
	free(text);
}

static void
test_cap_sizes(void **state)
{
	size_t big = CONF_MAX_FILE_LEN + 1, len;
	char *text = malloc(big);
	struct conf *c = NULL;
	struct conf_err err;

	assert_non_null(text);
	/* A good profile padded by a comment to one byte past the cap. */
	len = (size_t)snprintf(text, big, "%s#", base_profile);
	memset(text + len, 'x', big - len);
	load_text_bad(text, big, -E2BIG, "t.yaml: larger than 1048576 bytes");
	assert_int_equal(
	    conf_load_buffer("t.yaml", text, big - 1, &c, &err), 0);
	conf_free(c);
	/* One value of CONF_MAX_SCALAR_LEN + 1 bytes. */
	len = (size_t)snprintf(text, big, "%smtu: ", base_profile);
	memset(text + len, '1', CONF_MAX_SCALAR_LEN + 1);
	len += CONF_MAX_SCALAR_LEN + 1;
	load_text_bad(text, len, -E2BIG, ":4:6: value of 'mtu' is longer");
	free(text);
}

static void
test_cap_ids(void **state)
{
	char text[1024], id[CONF_MAX_ID_LEN + 2];
	struct conf *c;

	memset(id, 'a', sizeof(id));
	id[CONF_MAX_ID_LEN] = '\0';
	(void)snprintf(text, sizeof(text),
	    "interface: t0\ngateway: {host: h, roots: [r]}\n"
	    "client: {p12: p, id: %s}\n",
	    id);
	c = load_text_ok("t.yaml", text);
	assert_int_equal(strlen(c->client.id), CONF_MAX_ID_LEN);
	conf_free(c);
	id[CONF_MAX_ID_LEN] = 'a';
	id[CONF_MAX_ID_LEN + 1] = '\0';
	(void)snprintf(text, sizeof(text),
	    "interface: t0\ngateway: {host: h, roots: [r]}\n"
	    "client: {p12: p, id: %s}\n",
	    id);
	load_text_bad(text, strlen(text), -EBADMSG,
	    ":3:22: 'client.id' is longer than 255 bytes");
}

/* A path joined to the directory may not pass CONF_MAX_PATH_LEN. */
static void
test_cap_path(void **state)
{
	size_t cap = CONF_MAX_PATH_LEN + 128;
	char *root = malloc(cap), *text = malloc(cap);
	struct conf *c;

	assert_non_null(root);
	assert_non_null(text);
	/* "/d/" and 4092 bytes: 4095. */
	memset(root, 'r', cap);
	root[CONF_MAX_PATH_LEN - 3] = '\0';
	(void)snprintf(text, cap,
	    "gateway: {host: h, roots: [%s]}\nclient: {p12: p}\n", root);
	c = load_text_ok("/d/p.yaml", text);
	assert_int_equal(strlen(c->gateway.roots[0]), CONF_MAX_PATH_LEN);
	conf_free(c);
	root[CONF_MAX_PATH_LEN - 3] = 'r';
	root[CONF_MAX_PATH_LEN - 2] = '\0';
	(void)snprintf(text, cap,
	    "gateway: {host: h, roots: [%s]}\nclient: {p12: p}\n", root);
	load_named_bad("/d/p.yaml", text, strlen(text), -EBADMSG,
	    "/d/p.yaml:1:28: path in 'gateway.roots' is longer than 4095 "
	    "bytes");
	free(root);
	free(text);
}

/* Text a profile controls reaches the terminal without control bytes. */
static void
test_message_sanitized(void **state)
{
	const char text[] = "\"gate\\e[31mway\\u009b\": 1\n";
	struct conf *c = (struct conf *)&c;
	struct conf_err err;

	assert_int_equal(
	    conf_load_buffer("t.yaml", text, sizeof(text) - 1, &c, &err),
	    -EBADMSG);
	assert_non_null(strstr(err.msg,
	    "unknown key 'gate?[31mway?"
	    "?'"));
	for (const char *p = err.msg; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
}

/* A value cut short for a message is not cut inside a UTF-8 character. */
static void
test_message_utf8(void **state)
{
	char text[256] = "gateway: {host: a";
	size_t len = strlen(text);

	for (int i = 0; i < 40; i++, len += 2)
		memcpy(text + len, "\xc3\xa9", 2); /* U+00E9 */
	memcpy(text + len, "}\n", 3);
	/* 'a' and 31.5 characters fit the 64 bytes shown. */
	load_text_bad(text, strlen(text), -EBADMSG, "\xc3\xa9\xc3\xa9?'");
}

/* Bytes after a NUL and other non-text input fail cleanly. */
static void
test_binary_input(void **state)
{
	const char nul[] = "gateway:\0 {}\n";
	const char utf16[] = "\xff\xfeg\0a\0";

	load_text_bad(nul, sizeof(nul) - 1, -EBADMSG, "t.yaml:1:9: ");
	load_text_bad(utf16, sizeof(utf16) - 1, -EBADMSG, "t.yaml:1:1: ");
	load_text_bad("", 0, -EBADMSG, "t.yaml:1:1: the profile is empty");
}

struct tmp_profile {
	char dir[64];
	char path[128];
};

static void
tmp_file(const struct tmp_profile *t, const char *name, mode_t mode)
{
	char path[192];
	int fd;

	(void)snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
tmp_chmod(const struct tmp_profile *t, const char *name, mode_t mode)
{
	char path[192];

	(void)snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	assert_int_equal(chmod(path, mode), 0);
}

static void
check_files_fail(const struct conf *c, int r, const char *want)
{
	struct conf_err err = { "" };

	assert_int_equal(conf_check_files(c, &err), r);
	if (strstr(err.msg, want) == NULL)
		fail_msg("got '%s', want '%s'", err.msg, want);
}

static void
test_check_files(void **state)
{
	struct tmp_profile t = { .dir = "/tmp/p2s-test-conf-XXXXXX" };
	const char *text = "interface: t0\n"
			   "gateway: {host: h, roots: [root.pem, r2.pem]}\n"
			   "client: {cert: c.pem, key: c.key}\n";
	struct conf_err err;
	struct conf *c;
	char sub[192];

	assert_non_null(mkdtemp(t.dir));
	(void)snprintf(t.path, sizeof(t.path), "%s/t.yaml", t.dir);
	tmp_file(&t, "root.pem", 0644);
	tmp_file(&t, "r2.pem", 0644);
	tmp_file(&t, "c.pem", 0644);
	tmp_file(&t, "c.key", 0600);
	c = load_text_ok(t.path, text);
	assert_int_equal(conf_check_files(c, &err), 0);
	tmp_chmod(&t, "c.key", 0640); /* root:ssl-cert style: allowed */
	assert_int_equal(conf_check_files(c, &err), 0);
	tmp_chmod(&t, "c.key", 0644);
	check_files_fail(c, -EPERM, "client.key: /tmp/p2s-test-conf-");
	check_files_fail(c, -EPERM, "mode 0644");
	tmp_chmod(&t, "c.key", 0660);
	check_files_fail(c, -EPERM, "chmod 600 it");
	tmp_chmod(&t, "c.key", 0600);
	(void)snprintf(sub, sizeof(sub), "%s/r2.pem", t.dir);
	assert_int_equal(unlink(sub), 0);
	check_files_fail(c, -ENOENT, "gateway.roots: ");
	check_files_fail(c, -ENOENT, "r2.pem: No such file or directory");
	assert_int_equal(mkdir(sub, 0755), 0);
	check_files_fail(c, -EINVAL, "r2.pem: not a regular file");
	assert_int_equal(rmdir(sub), 0);
	conf_free(c);
	/* The PKCS#12 file and its password file are secrets too. */
	tmp_file(&t, "c.p12", 0600);
	tmp_file(&t, "pw", 0644);
	c = load_text_ok(t.path,
	    "interface: t0\n"
	    "gateway: {host: h, roots: [root.pem]}\n"
	    "client: {p12: c.p12, password_file: pw}\n");
	check_files_fail(c, -EPERM, "client.password_file: ");
	tmp_chmod(&t, "pw", 0400);
	assert_int_equal(conf_check_files(c, &err), 0);
	conf_free(c);
	for (const char *f = "root.pem\0c.pem\0c.key\0c.p12\0pw\0"; *f != '\0';
	     f += strlen(f) + 1) {
		char p[192];

		(void)snprintf(p, sizeof(p), "%s/%s", t.dir, f);
		assert_int_equal(unlink(p), 0);
	}
	assert_int_equal(rmdir(t.dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_full),
		cmocka_unit_test(test_good_minimal_defaults),
		cmocka_unit_test(test_good_azure),
		cmocka_unit_test(test_good_style),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_bad_profiles),
		cmocka_unit_test(test_buffer_paths),
		cmocka_unit_test(test_load_relative),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_cap_routes),
		cmocka_unit_test(test_cap_sizes),
		cmocka_unit_test(test_cap_ids),
		cmocka_unit_test(test_cap_path),
		cmocka_unit_test(test_message_sanitized),
		cmocka_unit_test(test_message_utf8),
		cmocka_unit_test(test_binary_input),
		cmocka_unit_test(test_check_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
