/* SPDX-License-Identifier: ISC */
/*
 * conf_value.c: the profile's value types.  Each turns one scalar's text
 * into one typed field, or says what is wrong with it and what would be
 * right.  Nothing here touches a file: paths are only joined to the
 * profile's directory.
 */
#include <arpa/inet.h>
#include <net/if.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

_Static_assert(CONF_IFNAMSIZ == IFNAMSIZ, "CONF_IFNAMSIZ");

/* Shown in messages: enough to recognise a value, not a flood. */
#define CONF_ECHO "%.64s"

/* Decimal, no sign, no leading zeros (YAML 1.1 reads 0500 as octal). */
int
conf_parse_uint(const char *s, size_t len, uint32_t max, uint32_t *ret_v)
{
	uint64_t v = 0;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > max)
			return -ERANGE;
	}
	*ret_v = (uint32_t)v;
	return 0;
}

static int
conf_uint_in(struct conf_parser *p, const struct conf_scalar *s, uint32_t min,
    uint32_t max, uint32_t *ret_v)
{
	uint32_t v;

	if (conf_parse_uint(s->s, s->len, max, &v) < 0 || v < min)
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' must be a number from %u to %u, not '" CONF_ECHO "'",
		    s->key, min, max, s->s);
	*ret_v = v;
	return 0;
}

static int
conf_set_str(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	char *copy = strndup(s->s, s->len);

	if (copy == NULL)
		return conf_fail(p, s->mark, -ENOMEM, "out of memory");
	*(char **)dst = copy;
	return 0;
}

static int
conf_parse_ip(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	if (ip_addr_parse(s->s, s->len, dst) < 0)
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' must be an IPv4 or IPv6 address, not '" CONF_ECHO "'",
		    s->key, s->s);
	return 0;
}

static int
conf_parse_host(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	struct ip_addr ip;

	if (ip_addr_parse(s->s, s->len, &ip) < 0 &&
	    !ip_host_name_valid(s->s, s->len, false))
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' must be a DNS name or an IP address, not '" CONF_ECHO
		    "'",
		    s->key, s->s);
	return conf_set_str(p, s, dst);
}

static int
conf_parse_prefix(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	struct ip_prefix pfx;
	char net[IP_PREFIX_STRLEN];
	int r = ip_prefix_parse(s->s, s->len, &pfx);

	if (r == -ERANGE)
		return conf_fail(p, s->mark, -EBADMSG,
		    "prefix length in '" CONF_ECHO "' must be 0 to %u", s->s,
		    memchr(s->s, ':', s->len) != NULL ? 128 : 32);
	if (r == -EDOM) {
		(void)ip_prefix_print(&pfx, net, sizeof(net));
		return conf_fail(p, s->mark, -EBADMSG,
		    "'" CONF_ECHO "' has host bits set; the network is %s",
		    s->s, net);
	}
	if (r < 0)
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' takes prefixes like 10.1.0.0/16 or fd00::/64, not '" CONF_ECHO
		    "'",
		    s->key, s->s);
	memcpy(dst, &pfx, sizeof(pfx));
	return 0;
}

static int
conf_parse_port(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	uint32_t v = 0;
	int r = conf_uint_in(p, s, 1, 65535, &v);

	if (r == 0)
		*(uint16_t *)dst = (uint16_t)v;
	return r;
}

static int
conf_parse_mtu(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	uint32_t v = 0;
	int r = conf_uint_in(p, s, CONF_MTU_MIN, CONF_MTU_MAX, &v);

	if (r == 0)
		*(uint16_t *)dst = (uint16_t)v;
	return r;
}

/* A positive number of seconds, minutes or hours (30s, 5m, 1h) within
 * min..max seconds into *ret; -EBADMSG without a message. */
static int
conf_duration(
    const struct conf_scalar *s, uint32_t min, uint32_t max, uint32_t *ret)
{
	static const struct {
		char unit;
		uint32_t seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 } };
	uint32_t v = 0;

	for (size_t i = 0; s->len > 1 && i < ARRAY_SIZE(units); i++) {
		if (s->s[s->len - 1] != units[i].unit)
			continue;
		if (conf_parse_uint(s->s, s->len - 1, max, &v) < 0 || v == 0 ||
		    v > max / units[i].seconds || v * units[i].seconds < min)
			break;
		*ret = v * units[i].seconds;
		return 0;
	}
	return -EBADMSG;
}

/* "0", or a positive number of seconds, minutes or hours: 30s, 5m, 1h. */
static int
conf_parse_dpd(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	if (s->len == 1 && s->s[0] == '0') {
		*(uint32_t *)dst = 0;
		return 0;
	}
	if (conf_duration(s, 1, CONF_DPD_MAX, dst) == 0)
		return 0;
	return conf_fail(p, s->mark, -EBADMSG,
	    "'%s' must be 0 (off) or a time like 30s, 5m or 1h, at most 1h; "
	    "not '" CONF_ECHO "'",
	    s->key, s->s);
}

/* lifetime.ike, lifetime.child: 10s to 24h. */
static int
conf_parse_lifetime(
    struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	if (conf_duration(s, CONF_LIFE_MIN, CONF_LIFE_MAX, dst) == 0)
		return 0;
	return conf_fail(p, s->mark, -EBADMSG,
	    "'%s' must be a time like 45m or 4h, from 10s to 24h; "
	    "not '" CONF_ECHO "'",
	    s->key, s->s);
}

static int
conf_parse_bool(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	if (strcmp(s->s, "true") == 0)
		*(bool *)dst = true;
	else if (strcmp(s->s, "false") == 0)
		*(bool *)dst = false;
	else
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' must be true or false, not '" CONF_ECHO "'", s->key,
		    s->s);
	return 0;
}

/* The index of s in names[n], or a message listing them. */
static int
conf_parse_enum(struct conf_parser *p, const struct conf_scalar *s,
    const char *const *names, size_t n, int *ret_i)
{
	char all[128] = "";
	size_t off = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(s->s, names[i]) == 0) {
			*ret_i = (int)i;
			return 0;
		}
	for (size_t i = 0; i < n && off < sizeof(all); i++) {
		int k = snprintf(all + off, sizeof(all) - off, "%s%s",
		    i > 0 ? ", " : "", names[i]);

		off += k > 0 ? (size_t)k : 0;
	}
	return conf_fail(p, s->mark, -EBADMSG,
	    "'%s' is '" CONF_ECHO "'; expected one of %s", s->key, s->s, all);
}

/* Indexed by enum value; see conf.h. */
static const char *const conf_auth_names[] = { "eap-tls", "pubkey" };
static const char *const conf_datapath_names[] = { "auto", "kernel",
	"userspace" };
static const char *const conf_reconnect_names[] = { "always", "never" };
_Static_assert(
    ARRAY_SIZE(conf_auth_names) == CONF_AUTH_PUBKEY + 1, "conf_auth_names");
_Static_assert(ARRAY_SIZE(conf_datapath_names) == CONF_DATAPATH_USERSPACE + 1,
    "conf_datapath_names");
_Static_assert(ARRAY_SIZE(conf_reconnect_names) == CONF_RECONNECT_NEVER + 1,
    "conf_reconnect_names");

static int
conf_parse_auth(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	int i, r;

	r = conf_parse_enum(
	    p, s, conf_auth_names, ARRAY_SIZE(conf_auth_names), &i);
	if (r == 0)
		*(enum conf_auth *)dst = (enum conf_auth)i;
	return r;
}

static int
conf_parse_datapath(
    struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	int i, r;

	r = conf_parse_enum(
	    p, s, conf_datapath_names, ARRAY_SIZE(conf_datapath_names), &i);
	if (r == 0)
		*(enum conf_datapath *)dst = (enum conf_datapath)i;
	return r;
}

static int
conf_parse_reconnect(
    struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	int i, r;

	r = conf_parse_enum(
	    p, s, conf_reconnect_names, ARRAY_SIZE(conf_reconnect_names), &i);
	if (r == 0)
		*(enum conf_reconnect *)dst = (enum conf_reconnect)i;
	return r;
}

/* An identity: what a certificate or the IKE ID payload carries. */
static int
conf_parse_id(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	if (s->len > CONF_MAX_ID_LEN)
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' is longer than %d bytes", s->key, CONF_MAX_ID_LEN);
	if (s->s[0] == ' ' || s->s[s->len - 1] == ' ')
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' starts or ends with a space", s->key);
	return conf_set_str(p, s, dst);
}

/* Relative paths are joined to the profile's directory. */
static int
conf_parse_path(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	bool join = s->s[0] != '/' && p->dir[0] != '\0';
	size_t dlen = join ? strlen(p->dir) : 0;
	char *path;

	if (dlen + 1 + s->len > CONF_MAX_PATH_LEN)
		return conf_fail(p, s->mark, -EBADMSG,
		    "path in '%s' is longer than %d bytes", s->key,
		    CONF_MAX_PATH_LEN);
	if (!join)
		return conf_set_str(p, s, dst);
	if (asprintf(&path, "%s%s%s", p->dir,
		p->dir[dlen - 1] == '/' ? "" : "/", s->s) < 0)
		return conf_fail(p, s->mark, -ENOMEM, "out of memory");
	*(char **)dst = path;
	return 0;
}

static int
conf_parse_domain(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	bool routing = s->s[0] == '~';
	const char *name = s->s + routing;
	size_t len = s->len - routing;

	if (!(routing && len == 1 && name[0] == '.') &&
	    !ip_host_name_valid(name, len, true))
		return conf_fail(p, s->mark, -EBADMSG,
		    "'" CONF_ECHO "' in '%s' is not a domain name (a leading "
		    "'~' makes it routing-only; '~.' routes every name)",
		    s->s, s->key);
	return conf_set_str(p, s, dst);
}

/* What Linux's dev_valid_name() takes, narrowed to a portable set. */
bool
conf_ifname_valid(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= CONF_IFNAMSIZ || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	return strspn(s,
		   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789._-") == len;
}

static int
conf_parse_ifname(struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	if (!conf_ifname_valid(s->s))
		return conf_fail(p, s->mark, -EBADMSG,
		    "'%s' must be 1 to %d of A-Z a-z 0-9 . _ -, not '" CONF_ECHO
		    "'",
		    s->key, CONF_IFNAMSIZ - 1, s->s);
	memcpy(dst, s->s, s->len + 1);
	return 0;
}

static int
conf_parse_proposal(struct conf_parser *p, const struct conf_scalar *s,
    uint8_t proto, void *dst)
{
	char why[160];

	if (proposal_parse(proto, s->s, dst, why, sizeof(why)) < 0)
		return conf_fail(p, s->mark, -EBADMSG, "%s: %s", s->key, why);
	return 0;
}

static int
conf_parse_ike_proposal(
    struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	return conf_parse_proposal(p, s, IKE_PROTO_IKE, dst);
}

static int
conf_parse_esp_proposal(
    struct conf_parser *p, const struct conf_scalar *s, void *dst)
{
	return conf_parse_proposal(p, s, IKE_PROTO_ESP, dst);
}

const struct conf_type conf_t_host = { conf_parse_host, sizeof(char *), true };
const struct conf_type conf_t_ip = { conf_parse_ip, sizeof(struct ip_addr),
	false };
const struct conf_type conf_t_port = { conf_parse_port, sizeof(uint16_t),
	false };
const struct conf_type conf_t_id = { conf_parse_id, sizeof(char *), true };
const struct conf_type conf_t_path = { conf_parse_path, sizeof(char *), true };
const struct conf_type conf_t_bool = { conf_parse_bool, sizeof(bool), false };
const struct conf_type conf_t_auth = { conf_parse_auth, sizeof(enum conf_auth),
	false };
const struct conf_type conf_t_prefix = { conf_parse_prefix,
	sizeof(struct ip_prefix), false };
const struct conf_type conf_t_domain = { conf_parse_domain, sizeof(char *),
	true };
const struct conf_type conf_t_datapath = { conf_parse_datapath,
	sizeof(enum conf_datapath), false };
const struct conf_type conf_t_ifname = { conf_parse_ifname, CONF_IFNAMSIZ,
	false };
const struct conf_type conf_t_ike_proposal = { conf_parse_ike_proposal,
	sizeof(struct proposal), false };
const struct conf_type conf_t_esp_proposal = { conf_parse_esp_proposal,
	sizeof(struct proposal), false };
const struct conf_type conf_t_dpd = { conf_parse_dpd, sizeof(uint32_t), false };
const struct conf_type conf_t_lifetime = { conf_parse_lifetime,
	sizeof(uint32_t), false };
const struct conf_type conf_t_reconnect = { conf_parse_reconnect,
	sizeof(enum conf_reconnect), false };
const struct conf_type conf_t_mtu = { conf_parse_mtu, sizeof(uint16_t), false };
