/* SPDX-License-Identifier: ISC */
/*
 * test_ctl.c: the control socket, both sides.
 *
 * Messages: requests parse to their command or are refused for the right
 * reason; a status with every field set goes to JSON with design.md's key
 * names and types (read back with json-c itself, not only with our
 * parser) and parses back to the same struct; a status too big for the
 * socket is cut in its routes and says how many there are; the text for
 * people is exactly the expected block.
 *
 * The server: a ctl on a loop in this process with fake daemon hooks, and
 * clients on the same loop or in forked children (ctl_call, the built
 * p2sctl, other uids).  Status, up and down reach the hooks; requests too
 * long, malformed, too deep, too many or too slow are dropped or refused;
 * a socket left by a dead daemon is replaced and a live one is not; the
 * file's mode and group are as ctl.h says; SO_PEERCRED keeps out a uid the
 * file mode let in.  The uid tests need root (as `make check` runs).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "ctl.h"
#include "../fuzz/ctl_check.h"
#include "loop.h"

#define NOBODY	  65534
#define OTHER_GID 12345 /* a group nobody is in */
#define GUARD_MS  10000 /* no loop in a test runs longer */

/* ---- Messages. ---- */

static int
parse_req(const char *s, size_t len, enum ctl_cmd *cmd)
{
	return ctl_request_parse(&(struct rd){ (const uint8_t *)s, len }, cmd);
}

static void
test_request_parse(void **state)
{
	static const struct {
		const char *in;
		int r;
		enum ctl_cmd cmd;
	} cases[] = {
		{ "{\"cmd\":\"status\"}", 0, CTL_CMD_STATUS },
		{ "{\"cmd\":\"up\"}", 0, CTL_CMD_UP },
		{ " {\"cmd\" : \"down\"}\r\n", 0, CTL_CMD_DOWN },
		{ "{\"cmd\":\"reboot\"}", -EOPNOTSUPP, 0 },
		{ "{\"cmd\":\"Status\"}", -EOPNOTSUPP, 0 },
		{ "{\"cmd\":\"up\",\"x\":1}", -EBADMSG, 0 },
		{ "{\"cmd\":1}", -EBADMSG, 0 },
		{ "{\"cmd\":null}", -EBADMSG, 0 },
		{ "{\"verb\":\"up\"}", -EBADMSG, 0 },
		{ "{}", -EBADMSG, 0 },
		{ "[\"up\"]", -EBADMSG, 0 },
		{ "\"up\"", -EBADMSG, 0 },
		{ "", -EBADMSG, 0 },
		{ "{\"cmd\":\"up\"", -EBADMSG, 0 },
		{ "{\"cmd\":\"up\"}x", -EBADMSG, 0 },
		{ "{\"cmd\":\"up\"}{}", -EBADMSG, 0 },
		{ "{'cmd':'up'}", -EBADMSG, 0 },
		{ "{\"cmd\":\"up\",}", -EBADMSG, 0 },
		{ "{\"cmd\":\"u\\u0000p\"}", -EBADMSG, 0 },
		{ "{\"cmd\":\"\xc3\x28\"}", -EBADMSG, 0 },
		{ "{\"cmd\":{\"a\":[[1]]}}", -EBADMSG, 0 },
	};
	enum ctl_cmd cmd;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cmd = _CTL_CMD_MAX;
		assert_int_equal(
		    parse_req(cases[i].in, strlen(cases[i].in), &cmd),
		    cases[i].r);
		/* Untouched on failure. */
		assert_int_equal(
		    cmd, cases[i].r == 0 ? cases[i].cmd : _CTL_CMD_MAX);
	}
	/* A NUL byte after the object: the request is the whole record. */
	assert_int_equal(parse_req("{\"cmd\":\"up\"}\0", 13, &cmd), -EBADMSG);
}

static void
test_request_caps(void **state)
{
	char big[CTL_REQ_MAX_LEN + 1], deep[64];
	enum ctl_cmd cmd = _CTL_CMD_MAX;
	int n;

	/* Exactly the cap is fine, one more byte is not. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"cmd\":\"up\"}", 12);
	assert_int_equal(parse_req(big, CTL_REQ_MAX_LEN, &cmd), 0);
	assert_int_equal(cmd, CTL_CMD_UP);
	assert_int_equal(parse_req(big, sizeof(big), &cmd), -E2BIG);
	/* Nesting past the depth cap, inside an otherwise good request. */
	n = snprintf(deep, sizeof(deep), "{\"cmd\":\"up\",\"x\":[[[[1]]]]}");
	assert_int_equal(parse_req(deep, (size_t)n, &cmd), -EBADMSG);
	/* Build and parse back. */
	for (int c = 0; c < _CTL_CMD_MAX; c++) {
		char buf[32];
		size_t len;

		assert_int_equal(
		    ctl_request_build((enum ctl_cmd)c, buf, sizeof(buf), &len),
		    0);
		assert_int_equal(parse_req(buf, len, &cmd), 0);
		assert_int_equal(cmd, c);
	}
	/* "{"cmd":"up"}" is 12 bytes, and the NUL makes 13. */
	size_t len;
	assert_int_equal(
	    ctl_request_build(CTL_CMD_UP, deep, 12, &len), -ENOSPC);
	assert_int_equal(ctl_request_build(CTL_CMD_UP, deep, 13, &len), 0);
	assert_int_equal(len, 12);
}

static struct json_object *
member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	assert_int_equal(json_object_get_type(v), t);
	return v;
}

static void
expect_str(struct json_object *o, const char *key, const char *want)
{
	assert_string_equal(
	    json_object_get_string(member(o, key, json_type_string)), want);
}

static void
expect_int(struct json_object *o, const char *key, uint64_t want)
{
	assert_true(
	    json_object_get_uint64(member(o, key, json_type_int)) == want);
}

/* The sample's status as JSON, checked key by key against design.md. */
static void
check_contract(struct json_object *st)
{
	struct json_object *gw, *ike, *ch, *hs, *a;

	assert_int_equal(json_object_object_length(st), 14);
	expect_str(st, "name", "corp");
	expect_str(st, "state", "established");
	gw = member(st, "gateway", json_type_object);
	expect_str(gw, "host", "azuregateway-0123.vpn.azure.com");
	expect_str(gw, "address", "2001:db8::1");
	expect_int(gw, "port", 4500);
	expect_str(st, "interface", "p2s-corp");
	expect_str(st, "datapath", "userspace");
	expect_str(st, "virtual_ip", "172.16.201.2");
	a = member(st, "dns", json_type_array);
	assert_int_equal(json_object_array_length(a), 2);
	assert_string_equal(
	    json_object_get_string(json_object_array_get_idx(a, 1)),
	    "fd00::53");
	expect_str(st, "dns_via", "resolved");
	a = member(st, "routes", json_type_array);
	assert_int_equal(json_object_array_length(a), 3);
	assert_string_equal(
	    json_object_get_string(json_object_array_get_idx(a, 2)),
	    "10.0.2.0/24");
	ike = member(st, "ike", json_type_object);
	expect_str(ike, "spi_i", "0123456789abcdef");
	expect_str(ike, "spi_r", "fedcba9876543210");
	expect_str(ike, "proposal", "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
	expect_int(ike, "established_at", 1700000000);
	expect_int(ike, "rekey_in_s", 10800);
	a = member(st, "children", json_type_array);
	assert_int_equal(json_object_array_length(a), 2);
	ch = json_object_array_get_idx(a, 0);
	expect_str(ch, "spi_in", "c0ffee01");
	expect_str(ch, "spi_out", "80000000");
	expect_str(ch, "proposal", "AES_GCM_16_256");
	expect_int(ch, "bytes_in", 1268776);
	expect_int(ch, "bytes_out", UINT64_MAX);
	expect_int(ch, "packets_in", 1024);
	expect_int(ch, "packets_out", 12);
	ch = member(ch, "drops", json_type_object);
	assert_int_equal(json_object_object_length(ch), 5);
	expect_int(ch, "replay", 3);
	expect_int(ch, "integrity", 0);
	expect_int(ch, "no_sa", 5);
	member(ch, "policy", json_type_null);
	expect_int(ch, "send", 2);
	expect_str(json_object_array_get_idx(a, 1), "spi_in", "00000007");
	hs = member(st, "handshake", json_type_object);
	expect_int(hs, "round_trips", 8);
	expect_int(hs, "ms", 312);
	expect_str(st, "last_error",
	    "gateway certificate not trusted: \"CN=x\" \\ /\n\t\x01");
	assert_false(json_object_get_boolean(
	    member(st, "fail_closed", json_type_boolean)));
}

static struct json_object *
json_of(const char *s)
{
	struct json_object *o = json_tokener_parse(s);

	assert_non_null(o);
	return o;
}

static void
test_status_contract(void **state)
{
	struct ctl_status st, back;
	struct json_object *o;
	char *reply, *line, err[CTL_ERROR_LEN];
	size_t len;

	assert_int_equal(ctl_check_sample(&st, 3), 0);
	assert_int_equal(
	    ctl_reply_build_status(&st, CTL_REPLY_MAX_LEN, &reply, &len), 0);
	assert_int_equal(strlen(reply), len);
	o = json_of(reply);
	assert_true(
	    json_object_get_boolean(member(o, "ok", json_type_boolean)));
	check_contract(member(o, "status", json_type_object));
	json_object_put(o);
	/* Our parser gives back every field, and the line for --json. */
	assert_int_equal(ctl_reply_parse(&(struct rd){ (uint8_t *)reply, len },
			     &back, &line, err, sizeof(err)),
	    0);
	assert_true(ctl_check_equal(&st, &back));
	o = json_of(line);
	check_contract(o);
	json_object_put(o);
	assert_null(strchr(line, '\n'));
	free(line);
	free(reply);
	ctl_status_done(&back);
	ctl_status_done(&st);
}

/* children[].drops from an older daemon (absent): all unknown; a drop
 * count that is not a non-negative number is refused. */
static void
test_status_drops(void **state)
{
	static const char *const bad[] = { "-1", "\"3\"", "1.5", "[]" };
	struct ctl_status st, back;
	struct json_object *o, *ch;
	char *reply, err[CTL_ERROR_LEN];
	const char *s;
	size_t len;

	assert_int_equal(ctl_check_sample(&st, 1), 0);
	assert_int_equal(
	    ctl_reply_build_status(&st, CTL_REPLY_MAX_LEN, &reply, &len), 0);
	o = json_of(reply);
	free(reply);
	ch = json_object_array_get_idx(
	    member(member(o, "status", json_type_object), "children",
		json_type_array),
	    0);
	json_object_object_del(ch, "drops");
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	assert_int_equal(
	    ctl_reply_parse(&(struct rd){ (const uint8_t *)s, strlen(s) },
		&back, NULL, err, sizeof(err)),
	    0);
	assert_true(back.children[0].drops.replay == CTL_UNKNOWN);
	assert_true(back.children[0].drops.integrity == CTL_UNKNOWN);
	assert_true(back.children[0].drops.no_sa == CTL_UNKNOWN);
	assert_true(back.children[0].drops.policy == CTL_UNKNOWN);
	assert_true(back.children[0].drops.send == CTL_UNKNOWN);
	assert_true(back.children[1].drops.replay == 3);
	ctl_status_done(&back);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		(void)json_object_object_add(ch, "drops",
		    json_tokener_parse("{\"replay\":0,\"integrity\":0,"
				       "\"no_sa\":0,\"policy\":0,"
				       "\"send\":0}"));
		(void)json_object_object_add(
		    json_object_object_get(ch, "drops"), "replay",
		    json_tokener_parse(bad[i]));
		s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
		assert_int_equal(
		    ctl_reply_parse(
			&(struct rd){ (const uint8_t *)s, strlen(s) }, &back,
			NULL, err, sizeof(err)),
		    -EBADMSG);
	}
	json_object_put(o);
	ctl_status_done(&st);
}

/* What "not now" looks like: nulls, empty lists, every key still there. */
static void
test_status_nulls(void **state)
{
	struct ctl_status st, back;
	struct json_object *o, *s, *v;
	char *reply, err[CTL_ERROR_LEN];
	size_t len;

	ctl_status_init(&st);
	(void)snprintf(st.name, sizeof(st.name), "home");
	(void)snprintf(st.gateway.host, sizeof(st.gateway.host), "gw");
	st.gateway.port = 500;
	(void)snprintf(st.interface, sizeof(st.interface), "p2s-home");
	st.fail_closed = true; /* down by p2sctl: the routes still drop */
	assert_int_equal(ctl_reply_build_status(&st, 4096, &reply, &len), 0);
	o = json_of(reply);
	s = member(o, "status", json_type_object);
	assert_int_equal(json_object_object_length(s), 14);
	expect_str(s, "state", "down");
	expect_str(s, "datapath", "kernel");
	expect_str(s, "dns_via", "none");
	assert_true(json_object_get_boolean(
	    member(s, "fail_closed", json_type_boolean)));
	static const char *const nulls[] = { "virtual_ip", "ike", "handshake",
		"last_error" };
	for (size_t i = 0; i < ARRAY_SIZE(nulls); i++)
		member(s, nulls[i], json_type_null);
	member(
	    member(s, "gateway", json_type_object), "address", json_type_null);
	assert_int_equal(
	    json_object_array_length(member(s, "routes", json_type_array)), 0);
	assert_false(json_object_object_get_ex(s, "routes_total", &v));
	json_object_put(o);
	assert_int_equal(ctl_reply_parse(&(struct rd){ (uint8_t *)reply, len },
			     &back, NULL, err, sizeof(err)),
	    0);
	assert_true(ctl_check_equal(&st, &back));
	assert_int_equal(back.ike.rekey_in_s, -1);
	ctl_status_done(&back);
	free(reply);
	/* An IKE SA before the gateway answered: no proposal, no times. */
	st.ike =
	    (struct ctl_ike){ .present = true, .spi_i = 1, .rekey_in_s = -1 };
	assert_int_equal(ctl_reply_build_status(&st, 4096, &reply, &len), 0);
	o = json_of(reply);
	s = member(
	    member(o, "status", json_type_object), "ike", json_type_object);
	expect_str(s, "spi_i", "0000000000000001");
	expect_str(s, "spi_r", "0000000000000000");
	member(s, "proposal", json_type_null);
	member(s, "established_at", json_type_null);
	member(s, "rekey_in_s", json_type_null);
	json_object_put(o);
	free(reply);
}

/* 10,000 routes into 64 KiB: the first ones, and how many in all. */
static void
test_status_cut(void **state)
{
	struct ctl_status st, back;
	char *reply, err[CTL_ERROR_LEN];
	size_t len;

	assert_int_equal(ctl_check_sample(&st, CTL_MAX_ROUTES), 0);
	assert_int_equal(ctl_status_add_route(&st, "10.0.0.0/8"), -E2BIG);
	assert_int_equal(ctl_reply_build_status(&st, 65536, &reply, &len), 0);
	assert_true(len <= 65536);
	assert_true(len > 60000); /* cut to fit, not to nothing */
	assert_int_equal(ctl_reply_parse(&(struct rd){ (uint8_t *)reply, len },
			     &back, NULL, err, sizeof(err)),
	    0);
	assert_int_equal(back.routes_total, CTL_MAX_ROUTES);
	assert_true(back.n_routes > 1000 && back.n_routes < CTL_MAX_ROUTES);
	for (size_t i = 0; i < back.n_routes; i++)
		assert_string_equal(back.routes[i], st.routes[i]);
	ctl_status_done(&back);
	free(reply);
	/* Not even the rest fits: no reply rather than a wrong one. */
	assert_int_equal(
	    ctl_reply_build_status(&st, 500, &reply, &len), -EMSGSIZE);
	/* Everything fits in the real cap. */
	assert_int_equal(
	    ctl_reply_build_status(&st, CTL_REPLY_MAX_LEN, &reply, &len), 0);
	assert_int_equal(ctl_reply_parse(&(struct rd){ (uint8_t *)reply, len },
			     &back, NULL, err, sizeof(err)),
	    0);
	assert_true(ctl_check_equal(&st, &back));
	ctl_status_done(&back);
	free(reply);
	ctl_status_done(&st);
}

static int
parse_reply(const char *s, struct ctl_status *st, char *err, size_t len)
{
	return ctl_reply_parse(
	    &(struct rd){ (const uint8_t *)s, strlen(s) }, st, NULL, err, len);
}

/* The sample's reply with one substring replaced. */
static char *
sample_with(const char *from, const char *to)
{
	struct ctl_status st;
	char *reply, *at, *out;
	size_t len;

	assert_int_equal(ctl_check_sample(&st, 3), 0);
	assert_int_equal(
	    ctl_reply_build_status(&st, CTL_REPLY_MAX_LEN, &reply, &len), 0);
	ctl_status_done(&st);
	at = strstr(reply, from);
	assert_non_null(at);
	out = malloc(len - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	(void)sprintf(
	    out, "%.*s%s%s", (int)(at - reply), reply, to, at + strlen(from));
	free(reply);
	return out;
}

static void
test_reply_errors(void **state)
{
	static const struct {
		const char *from, *to;
	} bad[] = {
		{ "\"spi_i\":\"0123456789abcdef\"",
		    "\"spi_i\":\"0123456789ABCDEF\"" },
		{ "\"spi_i\":\"0123456789abcdef\"",
		    "\"spi_i\":\"123456789abcdef\"" },
		{ "\"spi_in\":\"c0ffee01\"", "\"spi_in\":\"c0ffee0g\"" },
		{ "\"port\":4500", "\"port\":65536" },
		{ "\"port\":4500", "\"port\":-1" },
		{ "\"port\":4500", "\"port\":4500.0" },
		{ "\"port\":4500", "\"port\":\"4500\"" },
		{ "\"state\":\"established\"", "\"state\":\"stopping\"" },
		{ "\"datapath\":\"userspace\"", "\"datapath\":null" },
		{ "\"name\":\"corp\",", "" },
		{ "\"bytes_in\":1268776", "\"bytes_in\":-5" },
		{ "\"round_trips\":8", "\"round_trips\":4294967296" },
		{ "\"interface\":\"p2s-corp\"",
		    "\"interface\":\"0123456789abcdef\"" },
		{ "\"routes\":[", "\"routes_total\":2,\"routes\":[" },
		{ "\"dns\":[", "\"dns\":[1," },
		{ "\"dns_via\":\"resolved\"", "\"dns_via\":\"dnsmasq\"" },
		{ "\"dns_via\":\"resolved\",", "" },
		{ "\"children\":[", "\"children\":[{}," },
		{ "\"virtual_ip\":\"172.16.201.2\"",
		    "\"virtual_ip\":\"a\\u0000b\"" },
	};
	struct ctl_status st;
	char err[CTL_ERROR_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *s = sample_with(bad[i].from, bad[i].to);

		assert_int_equal(
		    parse_reply(s, &st, err, sizeof(err)), -EBADMSG);
		assert_string_equal(err, "malformed reply");
		free(s);
	}
	/* Keys we do not know are a newer daemon's, not an error. */
	char *s = sample_with("\"name\":", "\"color\":[1,{}],\"name\":");
	assert_int_equal(parse_reply(s, &st, err, sizeof(err)), 0);
	ctl_status_done(&st);
	free(s);
	/* A refusal, its reason made safe for a terminal and cut to fit. */
	assert_int_equal(
	    parse_reply("{\"ok\":false,\"error\":\"\\u001b[2Jbusy\"}", &st, err,
		sizeof(err)),
	    -EREMOTEIO);
	assert_string_equal(err, "?[2Jbusy");
	assert_int_equal(parse_reply("{\"ok\":false,\"error\":\"permission\"}",
			     NULL, err, 5),
	    -EREMOTEIO);
	assert_string_equal(err, "perm");
	assert_int_equal(
	    parse_reply("{\"ok\":false}", NULL, err, sizeof(err)), -EBADMSG);
	assert_int_equal(
	    parse_reply("{\"ok\":1}", NULL, err, sizeof(err)), -EBADMSG);
	assert_int_equal(
	    parse_reply("{\"ok\":true}", NULL, err, sizeof(err)), 0);
	/* ok, but the status we asked for is not there. */
	assert_int_equal(
	    parse_reply("{\"ok\":true}", &st, err, sizeof(err)), -EBADMSG);
}

static void
test_print(void **state)
{
	static const char want[] =
	    "profile: corp\n"
	    "  state: established\n"
	    "  gateway: azuregateway-0123.vpn.azure.com (2001:db8::1) port 4500\n"
	    "  interface: p2s-corp (userspace)\n"
	    "  virtual ip: 172.16.201.2\n"
	    "  dns: 10.1.0.4, fd00::53\n"
	    "  dns via: resolved\n"
	    "  routes: 10.0.0.0/24, 10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24, "
	    "10.0.4.0/24, 10.0.5.0/24, 10.0.6.0/24, 10.0.7.0/24, 10.0.8.0/24, "
	    "10.0.9.0/24, 10.0.10.0/24, 10.0.11.0/24, 10.0.12.0/24, "
	    "10.0.13.0/24, 10.0.14.0/24, 10.0.15.0/24, ... (20 in all; --json "
	    "lists them)\n"
	    "  handshake: 8 round trips, 312 ms\n"
	    "  last error: gateway certificate not trusted: \"CN=x\" \\ "
	    "/\\x0a\\x09\\x01\\x9b[31m\n"
	    "\n"
	    "  ike sa: spi_i 0123456789abcdef, spi_r fedcba9876543210\n"
	    "    proposal: AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384\n"
	    "    established: 2023-11-14 22:13:20 UTC (1 day, 1 hour, 1 "
	    "minute, 1 second ago)\n"
	    "    rekey: in 3 hours\n"
	    "\n"
	    "  child sa: spi_in c0ffee01, spi_out 80000000\n"
	    "    proposal: AES_GCM_16_256\n"
	    "    transfer: 1.21 MiB received (1024 packets), 16.00 EiB sent "
	    "(12 packets)\n"
	    "    dropped: 3 replay, 5 no SA, 2 send\n"
	    "\n"
	    "  child sa: spi_in 00000007, spi_out 80000000\n"
	    "    proposal: AES_GCM_16_256\n"
	    "    transfer: 1023 B received (1 packets), 1.00 KiB sent (0 "
	    "packets)\n";
	struct ctl_status st;
	char *out;
	size_t len;
	FILE *f;

	assert_int_equal(ctl_check_sample(&st, 20), 0);
	/* A C1 control (CSI, U+009B) after the C0 ones. */
	(void)strcat(st.last_error, "\xc2\x9b[31m");
	st.children[1].bytes_in = 1023;
	st.children[1].packets_in = 1;
	st.children[1].bytes_out = 1024;
	st.children[1].packets_out = 0;
	st.children[1].drops = (struct ctl_drops){ 0, 0, CTL_UNKNOWN, 0, 0 };
	(void)setenv("TZ", "UTC", 1);
	tzset();
	f = open_memstream(&out, &len);
	assert_non_null(f);
	ctl_status_print(f, &st, 1700000000 + 86400 + 3600 + 61);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, want);
	free(out);
	ctl_status_done(&st);
}

static void
test_paths(void **state)
{
	static const char *const bad[] = { "", ".", "..", ".corp", "a/b", "/" };
	char path[108], name[120];

	(void)setenv("P2S_RUNTIME_DIR", "/run/x", 1);
	assert_int_equal(ctl_path("corp", ".sock", path, sizeof(path)), 0);
	assert_string_equal(path, "/run/x/corp.sock");
	assert_string_equal(ctl_runtime_dir(), "/run/x");
	(void)setenv("P2S_RUNTIME_DIR", "", 1);
	assert_string_equal(ctl_runtime_dir(), "/run/p2s");
	(void)unsetenv("P2S_RUNTIME_DIR");
	assert_int_equal(ctl_path("corp", ".lock", path, sizeof(path)), 0);
	assert_string_equal(path, "/run/p2s/corp.lock");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(
		    ctl_path(bad[i], ".sock", path, sizeof(path)), -EINVAL);
	/* sun_path is 108 bytes: "/run/p2s/" + 94 + ".sock" + NUL is 109. */
	memset(name, 'n', 94);
	name[94] = '\0';
	assert_int_equal(
	    ctl_path(name, ".sock", path, sizeof(path)), -ENAMETOOLONG);
	name[93] = '\0';
	assert_int_equal(ctl_path(name, ".sock", path, sizeof(path)), 0);
}

/* ---- The server. ---- */

struct world {
	char dir[64]; /* P2S_RUNTIME_DIR */
	struct loop *loop;
	struct timer *guard; /* ends a loop that would hang */
	struct timer *pause; /* ends a loop on purpose */
	struct sig *chld;
	bool guard_fired;
	struct ctl *ctl;
	int n_status, n_up, n_down;
	int up_ret;	 /* what the up hook returns */
	int records;	 /* in the last reply await() read */
	size_t n_routes; /* in the status the hook gives */
};

static int
fake_status(void *arg, struct ctl_status *ret)
{
	struct world *w = arg;

	w->n_status++;
	return ctl_check_sample(ret, w->n_routes);
}

static int
fake_up(void *arg)
{
	struct world *w = arg;

	w->n_up++;
	return w->up_ret;
}

static int
fake_down(void *arg)
{
	struct world *w = arg;

	w->n_down++;
	return 0;
}

static const struct ctl_ops fake_ops = {
	.status = fake_status,
	.up = fake_up,
	.down = fake_down,
};

static void
on_guard(void *arg)
{
	struct world *w = arg;

	w->guard_fired = true;
	loop_exit(w->loop);
}

static void
on_pause(void *arg)
{
	struct world *w = arg;

	loop_exit(w->loop);
}

static void
on_chld(int signo, void *arg)
{
	struct world *w = arg;

	loop_exit(w->loop);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	(void)snprintf(w->dir, sizeof(w->dir), "/tmp/p2s-test-ctl-XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	/* nobody must reach the socket for the uid tests. */
	assert_int_equal(chmod(w->dir, 0755), 0);
	(void)setenv("P2S_RUNTIME_DIR", w->dir, 1);
	(void)unsetenv("P2S_CTL_GROUP");
	assert_int_equal(loop_new(&w->loop), 0);
	assert_int_equal(timer_new(w->loop, on_guard, w, &w->guard), 0);
	assert_int_equal(timer_new(w->loop, on_pause, w, &w->pause), 0);
	assert_int_equal(sig_new(w->loop, SIGCHLD, on_chld, w, &w->chld), 0);
	w->n_routes = 3;
	*state = w;
	return 0;
}

static void
dir_clean(const char *dir)
{
	static const char *const names[] = { "corp.sock", "corp.lock",
		"gone.sock", "gone.lock", "other.sock" };
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

static int
teardown(void **state)
{
	struct world *w = *state;

	ctl_free(w->ctl);
	sig_free(w->chld);
	timer_free(w->guard);
	timer_free(w->pause);
	loop_free(w->loop);
	dir_clean(w->dir);
	(void)unsetenv("P2S_CTL_GROUP");
	free(w);
	return 0;
}

static void
serve(struct world *w)
{
	assert_int_equal(ctl_new(w->loop, "corp", &fake_ops, w, &w->ctl), 0);
}

static void
run(struct world *w)
{
	assert_int_equal(timer_set(w->guard, GUARD_MS), 0);
	assert_int_equal(loop_run(w->loop), 0);
	timer_stop(w->guard);
	assert_false(w->guard_fired);
}

/* Let the server take what is queued for it. */
static void
run_for(struct world *w, uint64_t ms)
{
	assert_int_equal(timer_set(w->pause, ms), 0);
	run(w);
}

static void
sock_path(const struct world *w, const char *name, char *path, size_t len)
{
	(void)snprintf(path, len, "%s/%s", w->dir, name);
}

static int
client_connect(struct world *w)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	sock_path(w, "corp.sock", sun.sun_path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

struct answer {
	struct world *w;
	char *buf;   /* CTL_REPLY_MAX_LEN + 1 */
	size_t len;  /* bytes in buf */
	int records; /* recv()s that gave bytes */
	bool closed; /* the server hung up */
};

/* A reply is every record up to the server's close (ctl.h). */
static void
on_answer(int fd, void *arg)
{
	struct answer *a = arg;
	ssize_t n = recv(fd, a->buf + a->len, CTL_REPLY_MAX_LEN - a->len, 0);

	/* ECONNRESET comes once before what is queued: see ctl_client.c. */
	if (n < 0 && (errno == EAGAIN || errno == ECONNRESET))
		return;
	if (n > 0) {
		a->len += (size_t)n;
		a->records++;
		return;
	}
	a->closed = true;
	loop_exit(a->w->loop);
}

/* Run the loop until the server closes fd; the bytes it sent before. */
static size_t
await(struct world *w, int fd, char **ret)
{
	struct answer a = { .w = w };
	struct io *io;

	a.buf = malloc(CTL_REPLY_MAX_LEN + 1);
	assert_non_null(a.buf);
	assert_int_equal(io_new(w->loop, fd, on_answer, &a, &io), 0);
	run(w);
	io_free(io);
	assert_true(a.closed);
	a.buf[a.len] = '\0';
	w->records = a.records;
	if (ret != NULL)
		*ret = a.buf;
	else
		free(a.buf);
	return a.len;
}

/* One request on a new connection; the reply (malloc'd) or NULL. */
static char *
ask(struct world *w, const void *req, size_t len)
{
	int fd = client_connect(w);
	char *reply;

	assert_int_equal(send(fd, req, len, 0), (ssize_t)len);
	if (await(w, fd, &reply) == 0) {
		free(reply);
		reply = NULL;
	}
	(void)close(fd);
	return reply;
}

static char *
ask_str(struct world *w, const char *req)
{
	return ask(w, req, strlen(req));
}

static void
expect_refusal(char *reply, const char *why)
{
	char err[CTL_ERROR_LEN];

	assert_non_null(reply);
	assert_int_equal(
	    parse_reply(reply, NULL, err, sizeof(err)), -EREMOTEIO);
	assert_string_equal(err, why);
	free(reply);
}

static void
test_server_status(void **state)
{
	struct world *w = *state;
	struct ctl_status want, got;
	char *reply, err[CTL_ERROR_LEN];

	serve(w);
	reply = ask_str(w, "{\"cmd\":\"status\"}");
	assert_non_null(reply);
	assert_int_equal(w->n_status, 1);
	assert_int_equal(parse_reply(reply, &got, err, sizeof(err)), 0);
	assert_int_equal(ctl_check_sample(&want, w->n_routes), 0);
	assert_true(ctl_check_equal(&want, &got));
	assert_int_equal(w->records, 1);
	ctl_status_done(&got);
	free(reply);
	/* The biggest status there can be arrives whole, in records of
	 * 64 KiB. */
	ctl_status_done(&want);
	w->n_routes = CTL_MAX_ROUTES;
	reply = ask_str(w, "{\"cmd\":\"status\"}");
	assert_non_null(reply);
	assert_int_equal(w->records, (strlen(reply) + 65535) / 65536);
	assert_true(w->records >= 3);
	assert_int_equal(parse_reply(reply, &got, err, sizeof(err)), 0);
	assert_int_equal(ctl_check_sample(&want, w->n_routes), 0);
	assert_true(ctl_check_equal(&want, &got));
	ctl_status_done(&got);
	ctl_status_done(&want);
	free(reply);
	assert_int_equal(w->n_up + w->n_down, 0);
}

static void
test_server_up_down(void **state)
{
	struct world *w = *state;
	char err[CTL_ERROR_LEN];
	char *reply;

	serve(w);
	reply = ask_str(w, "{\"cmd\":\"up\"}");
	assert_non_null(reply);
	assert_int_equal(parse_reply(reply, NULL, err, sizeof(err)), 0);
	free(reply);
	assert_int_equal(w->n_up, 1);
	assert_int_equal(w->n_down, 0);
	reply = ask_str(w, "{\"cmd\":\"down\"}");
	assert_non_null(reply);
	assert_int_equal(parse_reply(reply, NULL, err, sizeof(err)), 0);
	free(reply);
	assert_int_equal(w->n_down, 1);
	/* The hook's error reaches the client. */
	w->up_ret = -ENETUNREACH;
	expect_refusal(ask_str(w, "{\"cmd\":\"up\"}"), strerror(ENETUNREACH));
	assert_int_equal(w->n_up, 2);
	assert_int_equal(w->n_status, 0);
}

static void
test_server_bad_requests(void **state)
{
	struct world *w = *state;
	char big[CTL_REQ_MAX_LEN + 1];

	serve(w);
	expect_refusal(ask_str(w, "{\"cmd\":"), "malformed request");
	expect_refusal(ask_str(w, "[[[[[[[[{\"cmd\":\"up\"}]]]]]]]]"),
	    "malformed request");
	expect_refusal(ask_str(w, "{\"cmd\":\"reboot\"}"), "unknown command");
	/* The cap is the whole record: at it, served; past it, dropped
	 * without a word. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"cmd\":\"down\"}", 14);
	free(ask(w, big, CTL_REQ_MAX_LEN));
	assert_int_equal(w->n_down, 1);
	assert_null(ask(w, big, sizeof(big)));
	assert_int_equal(w->n_down, 1);
	/* An empty record is no request either. */
	assert_null(ask(w, "", 0));
	assert_int_equal(w->n_up + w->n_status, 0);
	/* And the server still serves. */
	free(ask_str(w, "{\"cmd\":\"up\"}"));
	assert_int_equal(w->n_up, 1);
}

static void
test_server_clients(void **state)
{
	struct world *w = *state;
	int idle[CTL_MAX_CLIENTS], fd;
	uint64_t t0;

	serve(w);
	for (size_t i = 0; i < ARRAY_SIZE(idle); i++)
		idle[i] = client_connect(w);
	run_for(w, 100);
	/* Every slot taken: the next one is told so, and served nothing. */
	expect_refusal(ask_str(w, "{\"cmd\":\"up\"}"), "busy");
	assert_int_equal(w->n_up, 0);
	/* A client that leaves frees its slot. */
	(void)close(idle[0]);
	run_for(w, 100);
	free(ask_str(w, "{\"cmd\":\"up\"}"));
	assert_int_equal(w->n_up, 1);
	/* The others are dropped once they have been idle too long. */
	t0 = loop_now_ms();
	assert_int_equal(await(w, idle[1], NULL), 0);
	assert_true(loop_now_ms() - t0 <= CTL_CLIENT_IDLE_MS + 1000);
	for (size_t i = 2; i < ARRAY_SIZE(idle); i++)
		assert_int_equal(await(w, idle[i], NULL), 0);
	for (size_t i = 1; i < ARRAY_SIZE(idle); i++)
		(void)close(idle[i]);
	/* A client that connects and sends later, within the time, is
	 * served. */
	fd = client_connect(w);
	run_for(w, 200);
	assert_int_equal(send(fd, "{\"cmd\":\"down\"}", 14, 0), 14);
	assert_true(await(w, fd, NULL) > 0);
	(void)close(fd);
	assert_int_equal(w->n_down, 1);
}

/* A socket file that nobody listens on any more, as a killed p2sd leaves. */
static void
make_stale(const struct world *w, const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	sock_path(w, name, sun.sun_path, sizeof(sun.sun_path));
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(close(fd), 0);
}

static void
test_server_files(void **state)
{
	struct world *w = *state;
	struct ctl *second = NULL;
	char path[128];
	struct stat st;
	int fd;

	sock_path(w, "corp.sock", path, sizeof(path));
	make_stale(w, "corp.sock");
	serve(w);
	free(ask_str(w, "{\"cmd\":\"up\"}"));
	assert_int_equal(w->n_up, 1);
	/* A second daemon for the same profile: refused, and the first
	 * keeps its socket. */
	assert_int_equal(
	    ctl_new(w->loop, "corp", &fake_ops, w, &second), -EADDRINUSE);
	assert_null(second);
	free(ask_str(w, "{\"cmd\":\"up\"}"));
	assert_int_equal(w->n_up, 2);
	/* The file: a socket, ours, 0600. */
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	/* Gone with the server; the lock file stays (see ctl.h). */
	ctl_free(w->ctl);
	w->ctl = NULL;
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	sock_path(w, "corp.lock", path, sizeof(path));
	assert_int_equal(lstat(path, &st), 0);
	/* Something that is not a socket is not ours to remove. */
	sock_path(w, "corp.sock", path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	(void)close(fd);
	assert_int_equal(
	    ctl_new(w->loop, "corp", &fake_ops, w, &second), -EEXIST);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* Nor is a name that is not a file name. */
	assert_int_equal(
	    ctl_new(w->loop, "../corp", &fake_ops, w, &second), -EINVAL);
}

static void
test_server_group(void **state)
{
	struct world *w = *state;
	char path[128];
	struct stat st;

	(void)setenv("P2S_CTL_GROUP", "no-such-group-p2s", 1);
	assert_int_equal(
	    ctl_new(w->loop, "corp", &fake_ops, w, &w->ctl), -ENOENT);
	assert_null(w->ctl);
	(void)setenv("P2S_CTL_GROUP", "12345", 1);
	serve(w);
	sock_path(w, "corp.sock", path, sizeof(path));
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, OTHER_GID);
	ctl_free(w->ctl);
	w->ctl = NULL;
	/* By name: root's group is there on every system. */
	(void)setenv("P2S_CTL_GROUP", "root", 1);
	serve(w);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_gid, 0);
}

/* ---- Other processes: ctl_call, other uids, p2sctl. ---- */

/* Run fn in a child while the loop serves; the child's exit status. */
static int
in_child(
    struct world *w, int (*fn)(struct world *, const void *), const void *arg)
{
	int status;
	pid_t pid, r;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(w, arg));
	/* Serve until this child is gone: a SIGCHLD of an earlier child can
	 * still be queued in the loop and end a run() early. */
	do {
		run(w);
		r = waitpid(pid, &status, WNOHANG);
		assert_true(r >= 0);
	} while (r == 0);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

struct who {
	uid_t uid;
	gid_t gid;
	gid_t extra; /* a supplementary group, or 0 */
};

/*
 * As who, ask for the status with ctl_call: 0 served, 1 refused with
 * "permission denied", 2 connect refused by the file mode, 3 else.
 */
static int
child_status(struct world *w, const void *arg)
{
	const struct who *who = arg;
	char path[128], *reply, err[CTL_ERROR_LEN];
	size_t len;
	int r;

	if (setgroups(who->extra != 0 ? 1 : 0, &who->extra) < 0 ||
	    setgid(who->gid) < 0 || setuid(who->uid) < 0)
		return 3;
	sock_path(w, "corp.sock", path, sizeof(path));
	r = ctl_call(path, CTL_CMD_STATUS, 2000, &reply, &len);
	if (r == -EACCES)
		return 2;
	if (r < 0)
		return 3;
	r = ctl_reply_parse(&(struct rd){ (uint8_t *)reply, len }, NULL, NULL,
	    err, sizeof(err));
	if (r == 0)
		return 0;
	return r == -EREMOTEIO && strcmp(err, "permission denied") == 0 ? 1 : 3;
}

static void
test_peercred(void **state)
{
	struct world *w = *state;
	struct who nobody = { NOBODY, NOBODY, 0 };
	struct who stranger = { NOBODY, OTHER_GID, 0 };
	struct who member = { NOBODY, OTHER_GID, NOBODY };
	struct who root = { 0, 0, 0 };
	char path[128];

	/* make check runs as root; as anyone else this test cannot work. */
	if (geteuid() != 0)
		fail_msg("test_peercred switches uids: run make check as root");
	serve(w);
	sock_path(w, "corp.sock", path, sizeof(path));
	assert_int_equal(in_child(w, child_status, &root), 0);
	assert_int_equal(w->n_status, 1);
	/* The file mode keeps nobody out... */
	assert_int_equal(in_child(w, child_status, &nobody), 2);
	/* ...and where it does not, SO_PEERCRED does. */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(in_child(w, child_status, &nobody), 1);
	assert_int_equal(w->n_status, 1);
	ctl_free(w->ctl);
	w->ctl = NULL;
	/* With P2S_CTL_GROUP, the group is let in: as the primary group,
	 * or as a supplementary one (SO_PEERGROUPS), and no one else. */
	(void)setenv("P2S_CTL_GROUP", "65534", 1);
	serve(w);
	assert_int_equal(in_child(w, child_status, &nobody), 0);
	assert_int_equal(in_child(w, child_status, &member), 0);
	assert_int_equal(w->n_status, 3);
	assert_int_equal(in_child(w, child_status, &stranger), 2);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(in_child(w, child_status, &stranger), 1);
	assert_int_equal(w->n_status, 3);
}

/* ctl_call's own results, for p2sctl's messages. */
static int
child_call(struct world *w, const void *arg)
{
	char path[128], *reply;
	size_t len;
	int r;

	sock_path(w, (const char *)arg, path, sizeof(path));
	r = ctl_call(path, CTL_CMD_UP, 500, &reply, &len);
	if (r == 0)
		free(reply);
	return -r;
}

/* ctl_call for a status: the number of routes it has, or 255. */
static int
child_routes(struct world *w, const void *arg)
{
	char path[128], *reply, err[CTL_ERROR_LEN];
	struct ctl_status st;
	size_t len;
	int r;

	sock_path(w, "corp.sock", path, sizeof(path));
	if (ctl_call(path, CTL_CMD_STATUS, 2000, &reply, &len) < 0)
		return 255;
	r = ctl_reply_parse(
	    &(struct rd){ (uint8_t *)reply, len }, &st, NULL, err, sizeof(err));
	free(reply);
	if (r < 0)
		return 255;
	r = st.n_routes == CTL_MAX_ROUTES ? 100 : (int)(st.n_routes % 100);
	ctl_status_done(&st);
	return r;
}

/* A listening socket at corp.sock that never accepts: a wedged daemon. */
static int
listen_wedged(const struct world *w, int backlog)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	sock_path(w, "corp.sock", sun.sun_path, sizeof(sun.sun_path));
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

static void
test_call(void **state)
{
	struct world *w = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd, fds[4];

	make_stale(w, "gone.sock");
	assert_int_equal(in_child(w, child_call, "gone.sock"), ECONNREFUSED);
	assert_int_equal(in_child(w, child_call, "none.sock"), ENOENT);
	serve(w);
	assert_int_equal(in_child(w, child_call, "corp.sock"), 0);
	assert_int_equal(w->n_up, 1);
	/* A reply of several records, read to the end. */
	assert_int_equal(in_child(w, child_routes, NULL), 3);
	w->n_routes = CTL_MAX_ROUTES;
	assert_int_equal(in_child(w, child_routes, NULL), 100);
	ctl_free(w->ctl);
	w->ctl = NULL;
	/* A wedged daemon with its backlog full: connect times out. */
	lfd = listen_wedged(w, 0);
	sock_path(w, "corp.sock", sun.sun_path, sizeof(sun.sun_path));
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		fds[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
		(void)connect(fds[i], (struct sockaddr *)&sun, sizeof(sun));
	}
	assert_int_equal(in_child(w, child_call, "corp.sock"), ETIMEDOUT);
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		(void)close(fds[i]);
	(void)close(lfd);
	(void)unlink(sun.sun_path);
	/* One that takes the connection and never answers: so does recv. */
	lfd = listen_wedged(w, 8);
	assert_int_equal(in_child(w, child_call, "corp.sock"), ETIMEDOUT);
	(void)close(lfd);
}

struct cli {
	const char *const *argv; /* after "p2sctl" */
	int out;		 /* pipe for stdout and stderr */
};

static int
child_cli(struct world *w, const void *arg)
{
	const struct cli *c = arg;
	const char *top = getenv("top_builddir");
	char bin[4096];
	const char *argv[8] = { "p2sctl" };

	(void)snprintf(bin, sizeof(bin), "%s/p2sctl", top != NULL ? top : ".");
	for (size_t i = 0; c->argv[i] != NULL && i + 2 < ARRAY_SIZE(argv); i++)
		argv[i + 1] = c->argv[i];
	if (dup2(c->out, STDOUT_FILENO) < 0 || dup2(c->out, STDERR_FILENO) < 0)
		return 126;
	(void)execv(bin, (char *const *)argv);
	return 127;
}

/* p2sctl with args; its exit status, and what it printed in *out. */
static int
cli(struct world *w, char **out, ...)
{
	const char *args[8];
	struct cli c = { .argv = args };
	size_t n = 0, len = 0;
	int fds[2], rc;
	va_list ap;
	char *buf;

	va_start(ap, out);
	while (n + 1 < ARRAY_SIZE(args) &&
	    (args[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	assert_int_equal(pipe(fds), 0);
	c.out = fds[1];
	rc = in_child(w, child_cli, &c);
	(void)close(fds[1]);
	buf = calloc(1, 65536);
	assert_non_null(buf);
	for (ssize_t k; (k = read(fds[0], buf + len, 65535 - len)) > 0;)
		len += (size_t)k;
	(void)close(fds[0]);
	*out = buf;
	return rc;
}

static void
test_p2sctl(void **state)
{
	struct world *w = *state;
	struct json_object *o;
	char *out;

	serve(w);
	make_stale(w, "gone.sock");
	/* One line of JSON, the status object itself. */
	assert_int_equal(cli(w, &out, "status", "corp", "--json", NULL), 0);
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(strchr(out, '\n')[1], '\0');
	o = json_of(out);
	check_contract(o);
	json_object_put(o);
	free(out);
	/* Every profile that answers: the stale one is passed over. */
	assert_int_equal(cli(w, &out, "status", "--json", NULL), 0);
	assert_int_equal(strncmp(out, "{\"name\":\"corp\"", 14), 0);
	assert_int_equal(strchr(out, '\n')[1], '\0');
	free(out);
	assert_int_equal(cli(w, &out, "status", NULL), 0);
	assert_int_equal(
	    strncmp(out, "profile: corp\n  state: established\n", 35), 0);
	assert_non_null(strstr(out, "\n  child sa: spi_in c0ffee01, "));
	free(out);
	assert_int_equal(w->n_status, 3);
	/* up and down say nothing when it works. */
	assert_int_equal(cli(w, &out, "up", "corp", NULL), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(cli(w, &out, "down", "corp", NULL), 0);
	free(out);
	assert_int_equal(w->n_up, 1);
	assert_int_equal(w->n_down, 1);
	w->up_ret = -EALREADY;
	assert_int_equal(cli(w, &out, "up", "corp", NULL), 1);
	assert_string_equal(
	    out, "p2sctl: up corp: p2sd says: Operation already in progress\n");
	free(out);
	/* Not running: one line, how to start it. */
	assert_int_equal(cli(w, &out, "up", "gone", NULL), 1);
	assert_string_equal(out,
	    "p2sctl: p2sd for gone is not running "
	    "(systemctl start p2sd@gone)\n");
	free(out);
	assert_int_equal(cli(w, &out, "status", "none", NULL), 1);
	assert_string_equal(out,
	    "p2sctl: p2sd for none is not running "
	    "(systemctl start p2sd@none)\n");
	free(out);
	/* Usage errors. */
	assert_int_equal(cli(w, &out, "up", NULL), 2);
	free(out);
	assert_int_equal(cli(w, &out, "down", "a", "b", NULL), 2);
	free(out);
	assert_int_equal(cli(w, &out, "status", "a", "b", NULL), 2);
	free(out);
	assert_int_equal(cli(w, &out, "status", "--yaml", NULL), 2);
	free(out);
	assert_int_equal(cli(w, &out, "status", "../etc", NULL), 2);
	free(out);
	/* Nothing running at all is no error. */
	ctl_free(w->ctl);
	w->ctl = NULL;
	assert_int_equal(cli(w, &out, "status", NULL), 0);
	assert_string_equal(out, "");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_parse),
		cmocka_unit_test(test_request_caps),
		cmocka_unit_test(test_status_contract),
		cmocka_unit_test(test_status_nulls),
		cmocka_unit_test(test_status_drops),
		cmocka_unit_test(test_status_cut),
		cmocka_unit_test(test_reply_errors),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_paths),
		cmocka_unit_test_setup_teardown(
		    test_server_status, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_server_up_down, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_server_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_server_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_server_files, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_server_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peercred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_p2sctl, setup, teardown),
	};

	(void)signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
