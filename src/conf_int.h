/* SPDX-License-Identifier: ISC */
/*
 * conf_int.h: what the profile loader's files share and nobody else sees.
 * conf.c holds the schema and the entry points, conf_yaml.c walks
 * libyaml's events along the schema, conf_value.c turns one scalar into
 * one typed field, conf_check.c applies the rules that span fields and
 * fills the defaults that depend on other fields.
 */
#ifndef P2S_CONF_INT_H
#define P2S_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "conf.h"

/* Every key of the schema, so rules can ask whether and where it was set. */
enum conf_field {
	CONF_F_ROOT = 0, /* the document's top mapping */
	CONF_F_GATEWAY,
	CONF_F_GW_HOST,
	CONF_F_GW_ADDRESS,
	CONF_F_GW_PORT,
	CONF_F_GW_ID,
	CONF_F_GW_ROOTS,
	CONF_F_GW_SEND_ID,
	CONF_F_CLIENT,
	CONF_F_CL_AUTH,
	CONF_F_CL_CERT,
	CONF_F_CL_KEY,
	CONF_F_CL_P12,
	CONF_F_CL_PASSWORD_FILE,
	CONF_F_CL_ID,
	CONF_F_ROUTES,
	CONF_F_POOL,
	CONF_F_DNS,
	CONF_F_DNS_SERVERS,
	CONF_F_DNS_DOMAINS,
	CONF_F_DATAPATH,
	CONF_F_INTERFACE,
	CONF_F_PROPOSALS,
	CONF_F_PROP_IKE,
	CONF_F_PROP_ESP,
	CONF_F_DPD,
	CONF_F_LIFETIME,
	CONF_F_LIFE_IKE,
	CONF_F_LIFE_CHILD,
	CONF_F_NAT_KEEPALIVE,
	CONF_F_RECONNECT,
	CONF_F_MTU,
	CONF_F_MAX,
};

struct conf_mark {
	size_t line; /* 1-based */
	size_t col;  /* 1-based, in characters */
};

/* One YAML scalar, already checked to be text without controls. */
struct conf_scalar {
	const char *s; /* borrowed, NUL-terminated, len bytes */
	size_t len;
	struct conf_mark mark; /* where the value starts */
	const char *key;       /* "gateway.port", for messages */
};

struct conf_parser;

/* Parse s into *dst; on error report through conf_fail() and return it. */
typedef int conf_parse_fn(
    struct conf_parser *, const struct conf_scalar *s, void *dst);

struct conf_type {
	conf_parse_fn *parse;
	size_t size; /* bytes of the field, or of one list element */
	bool heap;   /* the field is a char * that conf_free frees */
};

extern const struct conf_type conf_t_host, conf_t_ip, conf_t_port, conf_t_id,
    conf_t_path, conf_t_bool, conf_t_auth, conf_t_prefix, conf_t_domain,
    conf_t_datapath, conf_t_ifname, conf_t_ike_proposal, conf_t_esp_proposal,
    conf_t_dpd, conf_t_lifetime, conf_t_reconnect, conf_t_mtu;

/* What a key's value looks like in YAML. */
enum conf_shape {
	CONF_SCALAR, /* key: value */
	CONF_LIST,   /* key: [value, ...] */
	CONF_MAP,    /* key: {nested: keys} */
};

struct conf_map;

/* One row of the schema: a key, and where and how its value is stored. */
struct conf_key {
	const char *key;
	enum conf_field id;
	enum conf_shape shape;
	const struct conf_type *type; /* SCALAR: the value; LIST: an entry */
	size_t offset;		      /* of the field; LIST: of the array */
	size_t n_offset;	      /* LIST: of its size_t count */
	size_t min, max;	      /* LIST: entries */
	const struct conf_map *map;   /* MAP: the nested schema */
	bool required;
	const char *dflt; /* SCALAR: parsed when the key is absent */
};

/* One mapping's table of keys. */
struct conf_map {
	const char *name; /* "gateway"; NULL at the top */
	const struct conf_key *keys;
	size_t n_keys;
};

static inline void *
conf_at(void *base, size_t offset)
{
	return (char *)base + offset;
}

/* The state of one load; lives on conf_parse()'s stack. */
struct conf_parser {
	const char *file;     /* borrowed; prefixes messages */
	const char *dir;      /* borrowed; joined to relative paths; "" none */
	struct conf *conf;    /* being built; conf_free()d on failure */
	struct conf_err *err; /* filled by the first conf_fail() */
	bool failed;	      /* err holds the first error */
	struct {
		bool seen;
		struct conf_mark mark; /* of the key */
	} field[CONF_F_MAX];
};

int conf_fail(struct conf_parser *, struct conf_mark, int r, const char *fmt,
    ...) P2S_PRINTF(4, 5);

/* C0 and C1 controls become '?', for messages bound for a terminal. */
void conf_sanitize(char *s);

/* Walk the YAML in bytes along top into p->conf (conf_yaml.c). */
int conf_yaml_walk(struct conf_parser *, const struct conf_map *top,
    const void *bytes, size_t len);

/* Values (conf_value.c). */
int conf_parse_uint(const char *s, size_t len, uint32_t max, uint32_t *ret_v);
bool conf_ifname_valid(const char *s);

/* Rules across fields and computed defaults (conf_check.c). */
int conf_finish(struct conf_parser *);

#endif /* P2S_CONF_INT_H */
