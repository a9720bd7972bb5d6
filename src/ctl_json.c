/* SPDX-License-Identifier: ISC */
/*
 * ctl_json.c: the control socket's messages (see ctl.h for the protocol
 * and the status object, design.md section 2 for the contract).  The only
 * file that includes json-c.  Requests come from local clients and replies
 * from the daemon; both are parsed the same way, with a byte cap, a depth
 * cap, strict RFC 8259 and UTF-8 checks, and nothing but whitespace after
 * the value.  Parsers log nothing: the caller decides what a bad message
 * means.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"

static const char *const state_names[] = {
	[CTL_STATE_DOWN] = "down",
	[CTL_STATE_CONNECTING] = "connecting",
	[CTL_STATE_ESTABLISHED] = "established",
	[CTL_STATE_RECONNECTING] = "reconnecting",
};

static const char *const datapath_names[] = {
	[CTL_DATAPATH_KERNEL] = "kernel",
	[CTL_DATAPATH_USERSPACE] = "userspace",
};

static const char *const dns_via_names[] = {
	[CTL_DNS_VIA_NONE] = "none",
	[CTL_DNS_VIA_RESOLVED] = "resolved",
	[CTL_DNS_VIA_RESOLVCONF] = "resolvconf",
};

static const char *const cmd_names[] = {
	[CTL_CMD_STATUS] = "status",
	[CTL_CMD_UP] = "up",
	[CTL_CMD_DOWN] = "down",
};

const char *
ctl_state_name(enum ctl_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

const char *
ctl_datapath_name(enum ctl_datapath d)
{
	return (unsigned)d < ARRAY_SIZE(datapath_names) ? datapath_names[d]
							: "?";
}

const char *
ctl_dns_via_name(enum ctl_dns_via v)
{
	return (unsigned)v < ARRAY_SIZE(dns_via_names) ? dns_via_names[v] : "?";
}

const char *
ctl_cmd_name(enum ctl_cmd c)
{
	return (unsigned)c < ARRAY_SIZE(cmd_names) ? cmd_names[c] : "?";
}

/* Index of s in names[n], or -1. */
static int
name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* ---- The status in C. ---- */

void
ctl_status_init(struct ctl_status *st)
{
	memset(st, 0, sizeof(*st));
	st->ike.rekey_in_s = -1;
}

void
ctl_status_done(struct ctl_status *st)
{
	free(st->routes);
	st->routes = NULL;
	st->n_routes = st->routes_cap = st->routes_total = 0;
}

static int
copy_str(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(src);

	if (len >= cap)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return 0;
}

int
ctl_status_add_route(struct ctl_status *st, const char *prefix)
{
	if (strlen(prefix) >= CTL_PREFIX_LEN)
		return -ENAMETOOLONG;
	if (st->n_routes == CTL_MAX_ROUTES)
		return -E2BIG;
	if (st->n_routes == st->routes_cap) {
		size_t cap = st->routes_cap == 0 ? 16 : st->routes_cap * 2;
		char(*v)[CTL_PREFIX_LEN];

		if (cap > CTL_MAX_ROUTES)
			cap = CTL_MAX_ROUTES;
		v = reallocarray(st->routes, cap, sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		st->routes = v;
		st->routes_cap = cap;
	}
	(void)copy_str(st->routes[st->n_routes++], CTL_PREFIX_LEN, prefix);
	return 0;
}

int
ctl_status_add_dns(struct ctl_status *st, const char *addr)
{
	if (st->n_dns == CTL_MAX_DNS)
		return -E2BIG;
	if (copy_str(st->dns[st->n_dns], CTL_ADDR_LEN, addr) < 0)
		return -ENAMETOOLONG;
	st->n_dns++;
	return 0;
}

/* ---- Parsing. ---- */

static bool
is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * One JSON value in exactly p[len]: json-c stops at the end of the first
 * value, so what follows it must be whitespace (a NUL byte would end the
 * text early for a C-string reader: refused too).
 */
static int
json_parse(const struct rd *in, int depth, struct json_object **ret)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	tok = json_tokener_new_ex(depth);
	if (tok == NULL)
		return -ENOMEM;
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, (const char *)in->p, (int)in->len);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (o != NULL && end < in->len && is_ws(in->p[end]))
		end++;
	if (o == NULL || end != in->len) {
		json_object_put(o);
		return -EBADMSG;
	}
	*ret = o;
	return 0;
}

int
ctl_request_parse(const struct rd *req, enum ctl_cmd *ret_cmd)
{
	struct json_object *o, *cmd;
	int r, i = -1;

	if (req->len > CTL_REQ_MAX_LEN)
		return -E2BIG;
	r = json_parse(req, CTL_REQ_MAX_DEPTH, &o);
	if (r < 0)
		return r;
	r = -EBADMSG;
	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_length(o) == 1 &&
	    json_object_object_get_ex(o, "cmd", &cmd) &&
	    json_object_is_type(cmd, json_type_string) &&
	    strlen(json_object_get_string(cmd)) ==
		(size_t)json_object_get_string_len(cmd)) {
		i = name_index(cmd_names, ARRAY_SIZE(cmd_names),
		    json_object_get_string(cmd));
		r = i < 0 ? -EOPNOTSUPP : 0;
	}
	json_object_put(o);
	if (r == 0)
		*ret_cmd = (enum ctl_cmd)i;
	return r;
}

int
ctl_request_build(enum ctl_cmd cmd, char *buf, size_t len, size_t *ret_len)
{
	int n;

	if ((unsigned)cmd >= _CTL_CMD_MAX)
		return -EINVAL;
	n = snprintf(buf, len, "{\"cmd\":\"%s\"}", cmd_names[cmd]);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	*ret_len = (size_t)n;
	return 0;
}

/*
 * Member key of o, which must have type t (or be null where null_ok).
 * *ret is NULL for a null.
 */
static int
get(struct json_object *o, const char *key, enum json_type t, bool null_ok,
    struct json_object **ret)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return -EBADMSG;
	if (v == NULL && null_ok) {
		*ret = NULL;
		return 0;
	}
	if (!json_object_is_type(v, t))
		return -EBADMSG;
	*ret = v;
	return 0;
}

/* String v, without NUL bytes, into dst[cap]. */
static int
str_copy(struct json_object *v, char *dst, size_t cap)
{
	const char *s;
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len || len >= cap)
		return -EBADMSG;
	memcpy(dst, s, len + 1);
	return 0;
}

/* Member key of o as a string in dst[cap]; null gives "" where null_ok. */
static int
get_str(
    struct json_object *o, const char *key, bool null_ok, char *dst, size_t cap)
{
	struct json_object *v;
	int r;

	r = get(o, key, json_type_string, null_ok, &v);
	if (r < 0)
		return r;
	if (v == NULL) {
		dst[0] = '\0';
		return 0;
	}
	return str_copy(v, dst, cap);
}

static int
get_bool(struct json_object *o, const char *key, bool *ret)
{
	struct json_object *v;
	int r = get(o, key, json_type_boolean, false, &v);

	if (r == 0)
		*ret = json_object_get_boolean(v);
	return r;
}

/* A non-negative integer up to max; null gives -1 where null_ok. */
static int
get_num(struct json_object *o, const char *key, bool null_ok, uint64_t max,
    int64_t *ret_signed, uint64_t *ret)
{
	struct json_object *v;
	uint64_t u;
	int r;

	r = get(o, key, json_type_int, null_ok, &v);
	if (r < 0)
		return r;
	if (v == NULL) {
		if (ret_signed != NULL)
			*ret_signed = -1;
		return 0;
	}
	if (json_object_get_int64(v) < 0)
		return -EBADMSG;
	u = json_object_get_uint64(v);
	if (u > max)
		return -EBADMSG;
	if (ret_signed != NULL)
		*ret_signed = (int64_t)u;
	if (ret != NULL)
		*ret = u;
	return 0;
}

static int
get_u64(struct json_object *o, const char *key, uint64_t *ret)
{
	return get_num(o, key, false, UINT64_MAX, NULL, ret);
}

/* Exactly digits lowercase hex digits, as we print SPIs. */
static int
get_hex(struct json_object *o, const char *key, size_t digits, uint64_t *ret)
{
	char s[17];
	uint64_t v = 0;
	int r;

	r = get_str(o, key, false, s, digits + 1);
	if (r < 0)
		return r;
	if (strlen(s) != digits)
		return -EBADMSG;
	for (size_t i = 0; i < digits; i++) {
		const char *hex = "0123456789abcdef", *c;

		c = s[i] != '\0' ? strchr(hex, s[i]) : NULL;
		if (c == NULL)
			return -EBADMSG;
		v = v << 4 | (uint64_t)(c - hex);
	}
	*ret = v;
	return 0;
}

/* One of names[n], by index. */
static int
get_enum(struct json_object *o, const char *key, const char *const *names,
    size_t n, int *ret)
{
	char s[32];
	int i, r;

	r = get_str(o, key, false, s, sizeof(s));
	if (r < 0)
		return r;
	i = name_index(names, n, s);
	if (i < 0)
		return -EBADMSG;
	*ret = i;
	return 0;
}

static int
parse_gateway(struct json_object *st, struct ctl_gateway *gw)
{
	struct json_object *o;
	uint64_t port;
	int r;

	r = get(st, "gateway", json_type_object, false, &o);
	if (r == 0)
		r = get_str(o, "host", false, gw->host, sizeof(gw->host));
	if (r == 0)
		r = get_str(
		    o, "address", true, gw->address, sizeof(gw->address));
	if (r == 0)
		r = get_num(o, "port", false, UINT16_MAX, NULL, &port);
	if (r == 0)
		gw->port = (uint16_t)port;
	return r;
}

/* Array key of o with at most max items. */
static int
get_array(struct json_object *o, const char *key, size_t max,
    struct json_object **ret, size_t *ret_n)
{
	struct json_object *a;
	int r;

	r = get(o, key, json_type_array, false, &a);
	if (r < 0)
		return r;
	if (json_object_array_length(a) > max)
		return -EBADMSG;
	*ret = a;
	*ret_n = json_object_array_length(a);
	return 0;
}

static int
parse_dns(struct json_object *o, struct ctl_status *st)
{
	struct json_object *a;
	size_t n;
	int r;

	r = get_array(o, "dns", CTL_MAX_DNS, &a, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = str_copy(
		    json_object_array_get_idx(a, i), st->dns[i], CTL_ADDR_LEN);
	if (r == 0)
		st->n_dns = n;
	return r;
}

static int
parse_routes(struct json_object *o, struct ctl_status *st)
{
	struct json_object *a, *v;
	char prefix[CTL_PREFIX_LEN];
	int64_t total = -1;
	size_t n;
	int r;

	r = get_array(o, "routes", CTL_MAX_ROUTES, &a, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = str_copy(
		    json_object_array_get_idx(a, i), prefix, sizeof(prefix));
		if (r == 0)
			r = ctl_status_add_route(st, prefix);
	}
	if (r == 0 && json_object_object_get_ex(o, "routes_total", &v))
		r = get_num(o, "routes_total", false, SIZE_MAX, &total, NULL);
	if (r == 0 && total >= 0 && (uint64_t)total < n)
		r = -EBADMSG;
	if (r == 0)
		st->routes_total = total >= 0 ? (size_t)total : n;
	return r;
}

static int
parse_ike(struct json_object *o, struct ctl_ike *ike)
{
	struct json_object *v;
	int r;

	r = get(o, "ike", json_type_object, true, &v);
	if (r < 0 || v == NULL)
		return r;
	ike->present = true;
	r = get_hex(v, "spi_i", 16, &ike->spi_i);
	if (r == 0)
		r = get_hex(v, "spi_r", 16, &ike->spi_r);
	if (r == 0)
		r = get_str(
		    v, "proposal", true, ike->proposal, sizeof(ike->proposal));
	if (r == 0)
		r = get_num(v, "established_at", true, INT64_MAX,
		    &ike->established_at, NULL);
	if (r == 0 && ike->established_at < 0)
		ike->established_at = 0;
	if (r == 0)
		r = get_num(
		    v, "rekey_in_s", true, INT64_MAX, &ike->rekey_in_s, NULL);
	return r;
}

static const char *const drop_names[] = {
	"replay",
	"integrity",
	"no_sa",
	"policy",
	"send",
};

static uint64_t *
drop_at(struct ctl_drops *d, size_t i)
{
	uint64_t *v[] = { &d->replay, &d->integrity, &d->no_sa, &d->policy,
		&d->send };

	return v[i];
}

/* Absent (an older daemon): all unknown. */
static int
parse_drops(struct json_object *o, struct ctl_drops *d)
{
	struct json_object *v;
	int r = 0;

	/* get_num leaves a null one as it is. */
	for (size_t i = 0; i < ARRAY_SIZE(drop_names); i++)
		*drop_at(d, i) = CTL_UNKNOWN;
	if (!json_object_object_get_ex(o, "drops", &v))
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return -EBADMSG;
	for (size_t i = 0; i < ARRAY_SIZE(drop_names) && r == 0; i++)
		r = get_num(v, drop_names[i], true, UINT64_MAX - 1, NULL,
		    drop_at(d, i));
	return r;
}

static int
parse_child(struct json_object *o, struct ctl_child *c)
{
	uint64_t spi_in = 0, spi_out = 0;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return -EBADMSG;
	r = get_hex(o, "spi_in", 8, &spi_in);
	if (r == 0)
		r = get_hex(o, "spi_out", 8, &spi_out);
	if (r == 0)
		r = get_str(
		    o, "proposal", false, c->proposal, sizeof(c->proposal));
	if (r == 0)
		r = get_u64(o, "bytes_in", &c->bytes_in);
	if (r == 0)
		r = get_u64(o, "bytes_out", &c->bytes_out);
	if (r == 0)
		r = get_u64(o, "packets_in", &c->packets_in);
	if (r == 0)
		r = get_u64(o, "packets_out", &c->packets_out);
	if (r == 0)
		r = parse_drops(o, &c->drops);
	c->spi_in = (uint32_t)spi_in;
	c->spi_out = (uint32_t)spi_out;
	return r;
}

static int
parse_children(struct json_object *o, struct ctl_status *st)
{
	struct json_object *a;
	size_t n;
	int r;

	r = get_array(o, "children", CTL_MAX_CHILDREN, &a, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = parse_child(
		    json_object_array_get_idx(a, i), &st->children[i]);
	if (r == 0)
		st->n_children = n;
	return r;
}

static int
parse_handshake(struct json_object *o, struct ctl_handshake *h)
{
	struct json_object *v;
	uint64_t round_trips = 0;
	int r;

	r = get(o, "handshake", json_type_object, true, &v);
	if (r < 0 || v == NULL)
		return r;
	h->present = true;
	r = get_num(v, "round_trips", false, UINT32_MAX, NULL, &round_trips);
	if (r == 0)
		r = get_u64(v, "ms", &h->ms);
	h->round_trips = (uint32_t)round_trips;
	return r;
}

/* Into st, which the caller initialized and cleans up. */
static int
parse_status(struct json_object *o, struct ctl_status *st)
{
	int state = 0, datapath = 0, via = 0, r;

	if (!json_object_is_type(o, json_type_object))
		return -EBADMSG;
	r = get_str(o, "name", false, st->name, sizeof(st->name));
	if (r == 0)
		r = get_enum(
		    o, "state", state_names, ARRAY_SIZE(state_names), &state);
	if (r == 0)
		r = parse_gateway(o, &st->gateway);
	if (r == 0)
		r = get_str(o, "interface", false, st->interface,
		    sizeof(st->interface));
	if (r == 0)
		r = get_enum(o, "datapath", datapath_names,
		    ARRAY_SIZE(datapath_names), &datapath);
	if (r == 0)
		r = get_str(o, "virtual_ip", true, st->virtual_ip,
		    sizeof(st->virtual_ip));
	if (r == 0)
		r = parse_dns(o, st);
	if (r == 0)
		r = get_enum(o, "dns_via", dns_via_names,
		    ARRAY_SIZE(dns_via_names), &via);
	if (r == 0)
		r = parse_routes(o, st);
	if (r == 0)
		r = parse_ike(o, &st->ike);
	if (r == 0)
		r = parse_children(o, st);
	if (r == 0)
		r = parse_handshake(o, &st->handshake);
	if (r == 0)
		r = get_str(o, "last_error", true, st->last_error,
		    sizeof(st->last_error));
	if (r == 0)
		r = get_bool(o, "fail_closed", &st->fail_closed);
	st->state = (enum ctl_state)state;
	st->datapath = (enum ctl_datapath)datapath;
	st->dns_via = (enum ctl_dns_via)via;
	return r;
}

/* msg into err, control characters made '?': it goes to a terminal. */
static void
set_err(char *err, size_t len, const char *msg)
{
	size_t i;

	if (len == 0)
		return;
	for (i = 0; msg[i] != '\0' && i + 1 < len; i++)
		err[i] = (unsigned char)msg[i] < 0x20 || msg[i] == 0x7f
		    ? '?'
		    : msg[i];
	err[i] = '\0';
}

/* The daemon's {"ok":false,"error":"..."}. */
static int
parse_refusal(struct json_object *o, char *err, size_t err_len)
{
	char msg[CTL_ERROR_LEN];

	if (get_str(o, "error", false, msg, sizeof(msg)) < 0) {
		set_err(err, err_len, "malformed reply");
		return -EBADMSG;
	}
	set_err(err, err_len, msg);
	return -EREMOTEIO;
}

static int
parse_ok(struct json_object *o, struct ctl_status *ret_status, char **ret_json)
{
	struct json_object *s;
	struct ctl_status st;
	char *json = NULL;
	int r;

	if (ret_status == NULL && ret_json == NULL)
		return 0;
	r = get(o, "status", json_type_object, false, &s);
	if (r < 0)
		return r;
	ctl_status_init(&st);
	r = parse_status(s, &st);
	if (r == 0 && ret_json != NULL) {
		json = strdup(json_object_to_json_string_ext(s,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		r = json != NULL ? 0 : -ENOMEM;
	}
	if (r < 0 || ret_status == NULL)
		ctl_status_done(&st);
	if (r < 0)
		return r;
	if (ret_status != NULL)
		*ret_status = st;
	if (ret_json != NULL)
		*ret_json = json;
	return 0;
}

int
ctl_reply_parse(const struct rd *reply, struct ctl_status *ret_status,
    char **ret_json, char *err, size_t err_len)
{
	struct json_object *o, *ok;
	int r;

	r = reply->len > CTL_REPLY_MAX_LEN
	    ? -EBADMSG
	    : json_parse(reply, CTL_REPLY_MAX_DEPTH, &o);
	if (r < 0) {
		set_err(err, err_len, "malformed reply");
		return r;
	}
	r = get(o, "ok", json_type_boolean, false, &ok);
	if (r == 0 && !json_object_get_boolean(ok))
		r = parse_refusal(o, err, err_len);
	else if (r == 0)
		r = parse_ok(o, ret_status, ret_json);
	if (r == -EBADMSG || r == -ENOMEM)
		set_err(err, err_len,
		    r == -ENOMEM ? strerror(ENOMEM) : "malformed reply");
	json_object_put(o);
	return r;
}

/* ---- Building. ---- */

/* Sticky error, as in struct wr: one check at the end. */
struct jb {
	bool err; /* an allocation failed */
};

/* v into o under the constant key; v NULL means it could not be made. */
static void
put(struct jb *b, struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL ||
	    json_object_object_add_ex(o, key, v,
		JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY) <
		0) {
		json_object_put(v);
		b->err = true;
	}
}

static void
put_null(struct jb *b, struct json_object *o, const char *key)
{
	if (json_object_object_add_ex(o, key, NULL,
		JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY) <
	    0)
		b->err = true;
}

/* s, or null for "" where the contract allows null. */
static void
put_str(struct jb *b, struct json_object *o, const char *key, const char *s,
    bool nullable)
{
	if (nullable && s[0] == '\0')
		put_null(b, o, key);
	else
		put(b, o, key, json_object_new_string(s));
}

static void
put_hex(struct jb *b, struct json_object *o, const char *key, uint64_t v,
    int digits)
{
	char s[17];

	(void)snprintf(s, sizeof(s), "%0*" PRIx64, digits, v);
	put(b, o, key, json_object_new_string(s));
}

static void
push(struct jb *b, struct json_object *a, struct json_object *v)
{
	if (v == NULL || json_object_array_add(a, v) < 0) {
		json_object_put(v);
		b->err = true;
	}
}

static struct json_object *
build_gateway(struct jb *b, const struct ctl_gateway *gw)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	put_str(b, o, "host", gw->host, false);
	put_str(b, o, "address", gw->address, true);
	put(b, o, "port", json_object_new_int(gw->port));
	return o;
}

/* n strings of width bytes each, from p on. */
static struct json_object *
build_strings(struct jb *b, const char *p, size_t width, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		push(b, a, json_object_new_string(p + i * width));
	return a;
}

static void
put_ike(struct jb *b, struct json_object *st, const struct ctl_ike *ike)
{
	struct json_object *o;

	if (!ike->present) {
		put_null(b, st, "ike");
		return;
	}
	o = json_object_new_object();
	put(b, st, "ike", o);
	if (o == NULL)
		return;
	put_hex(b, o, "spi_i", ike->spi_i, 16);
	put_hex(b, o, "spi_r", ike->spi_r, 16);
	put_str(b, o, "proposal", ike->proposal, true);
	if (ike->established_at > 0)
		put(b, o, "established_at",
		    json_object_new_int64(ike->established_at));
	else
		put_null(b, o, "established_at");
	if (ike->rekey_in_s >= 0)
		put(b, o, "rekey_in_s", json_object_new_int64(ike->rekey_in_s));
	else
		put_null(b, o, "rekey_in_s");
}

static struct json_object *
build_drops(struct jb *b, const struct ctl_drops *d)
{
	struct json_object *o = json_object_new_object();
	struct ctl_drops dc = *d;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(drop_names); i++) {
		uint64_t v = *drop_at(&dc, i);

		if (v == CTL_UNKNOWN)
			put_null(b, o, drop_names[i]);
		else
			put(b, o, drop_names[i], json_object_new_uint64(v));
	}
	return o;
}

static struct json_object *
build_child(struct jb *b, const struct ctl_child *c)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	put_hex(b, o, "spi_in", c->spi_in, 8);
	put_hex(b, o, "spi_out", c->spi_out, 8);
	put_str(b, o, "proposal", c->proposal, false);
	put(b, o, "bytes_in", json_object_new_uint64(c->bytes_in));
	put(b, o, "bytes_out", json_object_new_uint64(c->bytes_out));
	put(b, o, "packets_in", json_object_new_uint64(c->packets_in));
	put(b, o, "packets_out", json_object_new_uint64(c->packets_out));
	put(b, o, "drops", build_drops(b, &c->drops));
	return o;
}

static struct json_object *
build_children(struct jb *b, const struct ctl_status *st)
{
	size_t n = st->n_children < CTL_MAX_CHILDREN ? st->n_children
						     : CTL_MAX_CHILDREN;
	struct json_object *a = json_object_new_array_ext((int)n);

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		push(b, a, build_child(b, &st->children[i]));
	return a;
}

static void
put_handshake(
    struct jb *b, struct json_object *st, const struct ctl_handshake *h)
{
	struct json_object *o;

	if (!h->present) {
		put_null(b, st, "handshake");
		return;
	}
	o = json_object_new_object();
	put(b, st, "handshake", o);
	if (o == NULL)
		return;
	put(b, o, "round_trips", json_object_new_uint64(h->round_trips));
	put(b, o, "ms", json_object_new_uint64(h->ms));
}

static void
put_routes(struct jb *b, struct json_object *o, const struct ctl_status *st,
    size_t n, size_t total)
{
	put(b, o, "routes",
	    build_strings(b, (const char *)st->routes, CTL_PREFIX_LEN, n));
	if (n < total)
		put(b, o, "routes_total", json_object_new_uint64(total));
}

/* The status object with the first n_routes of total routes. */
static struct json_object *
build_status(
    struct jb *b, const struct ctl_status *st, size_t n_routes, size_t total)
{
	size_t n_dns = st->n_dns < CTL_MAX_DNS ? st->n_dns : CTL_MAX_DNS;
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	put_str(b, o, "name", st->name, false);
	put_str(b, o, "state", ctl_state_name(st->state), false);
	put(b, o, "gateway", build_gateway(b, &st->gateway));
	put_str(b, o, "interface", st->interface, false);
	put_str(b, o, "datapath", ctl_datapath_name(st->datapath), false);
	put_str(b, o, "virtual_ip", st->virtual_ip, true);
	put(b, o, "dns", build_strings(b, &st->dns[0][0], CTL_ADDR_LEN, n_dns));
	put_str(b, o, "dns_via", ctl_dns_via_name(st->dns_via), false);
	put_routes(b, o, st, n_routes, total);
	put_ike(b, o, &st->ike);
	put(b, o, "children", build_children(b, st));
	put_handshake(b, o, &st->handshake);
	put_str(b, o, "last_error", st->last_error, true);
	put(b, o, "fail_closed", json_object_new_boolean(st->fail_closed));
	return o;
}

/* o as one line, into a malloc'd copy; takes o. */
static int
serialize(struct jb *b, struct json_object *o, char **ret, size_t *ret_len)
{
	const char *s = NULL;
	size_t len = 0;
	char *copy = NULL;

	if (o != NULL && !b->err)
		s = json_object_to_json_string_length(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &len);
	if (s != NULL)
		copy = strndup(s, len);
	json_object_put(o);
	if (copy == NULL)
		return -ENOMEM;
	*ret = copy;
	*ret_len = len;
	return 0;
}

static int
reply_status(const struct ctl_status *st, size_t n_routes, size_t total,
    char **ret, size_t *ret_len)
{
	struct jb b = { 0 };
	struct json_object *o = json_object_new_object();

	if (o != NULL) {
		put(&b, o, "ok", json_object_new_boolean(1));
		put(&b, o, "status", build_status(&b, st, n_routes, total));
	}
	return serialize(&b, o, ret, ret_len);
}

/*
 * Routes are the one part of a status without a small bound, so they are
 * what gives way when the reply must be shorter.  Each round keeps the
 * share of routes that fit in the room left by the rest (fixed_len), and
 * takes at least one route off, so it ends.
 */
int
ctl_reply_build_status(
    const struct ctl_status *st, size_t max_len, char **ret, size_t *ret_len)
{
	size_t total =
	    st->routes_total > st->n_routes ? st->routes_total : st->n_routes;
	size_t n =
	    st->n_routes < CTL_MAX_ROUTES ? st->n_routes : CTL_MAX_ROUTES;
	size_t len, fixed_len = 0;
	char *s;
	int r;

	for (;;) {
		r = reply_status(st, n, total, &s, &len);
		if (r < 0 || len <= max_len)
			break;
		free(s);
		if (fixed_len == 0) {
			r = reply_status(st, 0, total, &s, &fixed_len);
			if (r < 0)
				return r;
			free(s);
		}
		if (n == 0 || fixed_len > max_len)
			return -EMSGSIZE;
		n = (size_t)((uint64_t)n * (max_len - fixed_len) /
		    (len - fixed_len));
	}
	if (r < 0)
		return r;
	*ret = s;
	*ret_len = len;
	return 0;
}

int
ctl_reply_build(const char *msg, char **ret, size_t *ret_len)
{
	struct jb b = { 0 };
	struct json_object *o = json_object_new_object();

	if (o != NULL) {
		put(&b, o, "ok", json_object_new_boolean(msg == NULL));
		if (msg != NULL)
			put(&b, o, "error", json_object_new_string(msg));
	}
	return serialize(&b, o, ret, ret_len);
}
