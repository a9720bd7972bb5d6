/* SPDX-License-Identifier: ISC */
/*
 * conf.c: the profile loader's entry points and its schema.  The schema
 * is data: one table per mapping, a row per key (name, shape, type,
 * offset in struct conf, required, default), so a key is known, typed,
 * defaulted and freed in one place.  conf_yaml.c walks the YAML along
 * these tables, conf_value.c parses each value, conf_check.c applies the
 * rules that span keys.  All or nothing: on any error the half-built
 * struct is freed by walking the same tables.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_int.h"

/* Defaults are text, parsed like the profile's own values. */
#define CONF_STR_(x) #x
#define CONF_STR(x)  CONF_STR_(x)

#define SCALAR(k, f, t, st, fld, req, d)                                       \
	{                                                                      \
		.key = k, .id = f, .shape = CONF_SCALAR, .type = &t,           \
		.offset = offsetof(st, fld), .required = req, .dflt = d        \
	}
#define LIST(k, f, t, st, fld, n_fld, lo, hi, req)                             \
	{                                                                      \
		.key = k, .id = f, .shape = CONF_LIST, .type = &t,             \
		.offset = offsetof(st, fld), .n_offset = offsetof(st, n_fld),  \
		.min = lo, .max = hi, .required = req                          \
	}
#define MAP(k, f, m, st, fld, req)                                             \
	{                                                                      \
		.key = k, .id = f, .shape = CONF_MAP, .map = &m,               \
		.offset = offsetof(st, fld), .required = req                   \
	}

static const struct conf_key conf_gateway_keys[] = {
	SCALAR("host", CONF_F_GW_HOST, conf_t_host, struct conf_gateway, host,
	    true, NULL),
	SCALAR("address", CONF_F_GW_ADDRESS, conf_t_ip, struct conf_gateway,
	    address, false, NULL),
	SCALAR("port", CONF_F_GW_PORT, conf_t_port, struct conf_gateway, port,
	    false, CONF_STR(CONF_PORT_DEFAULT)),
	SCALAR("id", CONF_F_GW_ID, conf_t_id, struct conf_gateway, id, false,
	    NULL),
	LIST("roots", CONF_F_GW_ROOTS, conf_t_path, struct conf_gateway, roots,
	    n_roots, 1, CONF_MAX_ROOTS, true),
	SCALAR("send_id", CONF_F_GW_SEND_ID, conf_t_bool, struct conf_gateway,
	    send_id, false, "false"),
};

static const struct conf_key conf_client_keys[] = {
	SCALAR("auth", CONF_F_CL_AUTH, conf_t_auth, struct conf_client, auth,
	    false, "eap-tls"),
	SCALAR("cert", CONF_F_CL_CERT, conf_t_path, struct conf_client, cert,
	    false, NULL),
	SCALAR("key", CONF_F_CL_KEY, conf_t_path, struct conf_client, key,
	    false, NULL),
	SCALAR("p12", CONF_F_CL_P12, conf_t_path, struct conf_client, p12,
	    false, NULL),
	SCALAR("password_file", CONF_F_CL_PASSWORD_FILE, conf_t_path,
	    struct conf_client, password_file, false, NULL),
	SCALAR(
	    "id", CONF_F_CL_ID, conf_t_id, struct conf_client, id, false, NULL),
};

static const struct conf_key conf_dns_keys[] = {
	LIST("servers", CONF_F_DNS_SERVERS, conf_t_ip, struct conf_dns, servers,
	    n_servers, 0, CONF_MAX_DNS_SERVERS, false),
	LIST("domains", CONF_F_DNS_DOMAINS, conf_t_domain, struct conf_dns,
	    domains, n_domains, 0, CONF_MAX_DNS_DOMAINS, false),
};

static const struct conf_key conf_proposals_keys[] = {
	LIST("ike", CONF_F_PROP_IKE, conf_t_ike_proposal, struct conf_proposals,
	    ike, n_ike, 1, CONF_MAX_PROPOSALS, false),
	LIST("esp", CONF_F_PROP_ESP, conf_t_esp_proposal, struct conf_proposals,
	    esp, n_esp, 1, CONF_MAX_PROPOSALS, false),
};

static const struct conf_key conf_lifetime_keys[] = {
	SCALAR("ike", CONF_F_LIFE_IKE, conf_t_lifetime, struct conf_lifetime,
	    ike, false, CONF_STR(CONF_LIFE_IKE_DEFAULT) "s"),
	SCALAR("child", CONF_F_LIFE_CHILD, conf_t_lifetime,
	    struct conf_lifetime, child, false,
	    CONF_STR(CONF_LIFE_CHILD_DEFAULT) "s"),
};

static const struct conf_map conf_gateway_map = { "gateway", conf_gateway_keys,
	ARRAY_SIZE(conf_gateway_keys) };
static const struct conf_map conf_client_map = { "client", conf_client_keys,
	ARRAY_SIZE(conf_client_keys) };
static const struct conf_map conf_dns_map = { "dns", conf_dns_keys,
	ARRAY_SIZE(conf_dns_keys) };
static const struct conf_map conf_proposals_map = { "proposals",
	conf_proposals_keys, ARRAY_SIZE(conf_proposals_keys) };
static const struct conf_map conf_lifetime_map = { "lifetime",
	conf_lifetime_keys, ARRAY_SIZE(conf_lifetime_keys) };

static const struct conf_key conf_top_keys[] = {
	MAP("gateway", CONF_F_GATEWAY, conf_gateway_map, struct conf, gateway,
	    true),
	MAP("client", CONF_F_CLIENT, conf_client_map, struct conf, client,
	    true),
	LIST("routes", CONF_F_ROUTES, conf_t_prefix, struct conf, routes,
	    n_routes, 0, CONF_MAX_ROUTES, false),
	SCALAR(
	    "pool", CONF_F_POOL, conf_t_prefix, struct conf, pool, false, NULL),
	MAP("dns", CONF_F_DNS, conf_dns_map, struct conf, dns, false),
	SCALAR("datapath", CONF_F_DATAPATH, conf_t_datapath, struct conf,
	    datapath, false, "auto"),
	SCALAR("interface", CONF_F_INTERFACE, conf_t_ifname, struct conf,
	    interface, false, NULL),
	MAP("proposals", CONF_F_PROPOSALS, conf_proposals_map, struct conf,
	    proposals, false),
	SCALAR("dpd", CONF_F_DPD, conf_t_dpd, struct conf, dpd, false,
	    CONF_STR(CONF_DPD_DEFAULT) "s"),
	MAP("lifetime", CONF_F_LIFETIME, conf_lifetime_map, struct conf,
	    lifetime, false),
	SCALAR("nat_keepalive", CONF_F_NAT_KEEPALIVE, conf_t_dpd, struct conf,
	    nat_keepalive, false, CONF_STR(CONF_NAT_KEEPALIVE_DEFAULT) "s"),
	SCALAR("reconnect", CONF_F_RECONNECT, conf_t_reconnect, struct conf,
	    reconnect, false, "always"),
	SCALAR("mtu", CONF_F_MTU, conf_t_mtu, struct conf, mtu, false,
	    CONF_STR(CONF_MTU_DEFAULT)),
};

static const struct conf_map conf_top_map = { NULL, conf_top_keys,
	ARRAY_SIZE(conf_top_keys) };

/* Bytes in the UTF-8 sequence that c starts; 0 if c cannot start one. */
static size_t
conf_utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 0;
}

/*
 * Make a message safe for a terminal: C0 controls, DEL, C1 controls (UTF-8
 * C2 80..C2 9F) and broken UTF-8, such as a value cut short for the
 * message, become '?'.
 */
void
conf_sanitize(char *s)
{
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		size_t n = conf_utf8_len(c), i = 1;

		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		if (n == 0 || i < n || c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)s[1] <= 0x9f))
			*s++ = '?';
		else
			s += n;
	}
}

int
conf_fail(
    struct conf_parser *p, struct conf_mark m, int r, const char *fmt, ...)
{
	char *msg = p->err->msg;
	size_t size = sizeof(p->err->msg);
	va_list ap;
	int n;

	if (p->failed)
		return r;
	if (m.line > 0)
		n = snprintf(msg, size, "%s:%zu:%zu: ", p->file, m.line, m.col);
	else
		n = snprintf(msg, size, "%s: ", p->file);
	if (n >= 0 && (size_t)n < size) {
		va_start(ap, fmt);
		(void)vsnprintf(msg + n, size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	conf_sanitize(msg);
	p->failed = true;
	return r;
}

/* Fill the absent keys that have a default, in nested maps too. */
static int
conf_defaults(struct conf_parser *p, const struct conf_map *m, void *base)
{
	for (size_t i = 0; i < m->n_keys; i++) {
		const struct conf_key *k = &m->keys[i];
		struct conf_scalar s = { .key = k->key };
		int r = 0;

		if (k->shape == CONF_MAP) {
			r = conf_defaults(p, k->map, conf_at(base, k->offset));
		} else if (k->dflt != NULL && !p->field[k->id].seen) {
			s.s = k->dflt;
			s.len = strlen(k->dflt);
			r = k->type->parse(p, &s, conf_at(base, k->offset));
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static void
conf_free_map(const struct conf_map *m, void *base)
{
	for (size_t i = 0; i < m->n_keys; i++) {
		const struct conf_key *k = &m->keys[i];
		void *field = conf_at(base, k->offset);
		char **arr;
		size_t n;

		if (k->shape == CONF_MAP) {
			conf_free_map(k->map, field);
		} else if (k->shape == CONF_SCALAR && k->type->heap) {
			free(*(char **)field);
		} else if (k->shape == CONF_LIST) {
			memcpy(&arr, field, sizeof(arr));
			memcpy(&n, conf_at(base, k->n_offset), sizeof(n));
			for (size_t j = 0; k->type->heap && j < n; j++)
				free(arr[j]);
			free(arr);
		}
	}
}

void
conf_free(struct conf *conf)
{
	if (conf == NULL)
		return;
	conf_free_map(&conf_top_map, conf);
	free(conf->path);
	free(conf->name);
	free(conf);
}

/* "dir/NAME.yaml" -> "NAME"; ".yml" too; other names are kept whole. */
static char *
conf_profile_name(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t len;

	base = base != NULL ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
		len -= 5;
	else if (len > 4 && strcmp(base + len - 4, ".yml") == 0)
		len -= 4;
	return strndup(base, len);
}

static int
conf_parse(struct conf_parser *p, const void *bytes, size_t len)
{
	int r;

	if (len > CONF_MAX_FILE_LEN)
		return conf_fail(p, (struct conf_mark){ 0 }, -E2BIG,
		    "larger than %d bytes", CONF_MAX_FILE_LEN);
	r = conf_yaml_walk(p, &conf_top_map, bytes, len);
	if (r == 0)
		r = conf_defaults(p, &conf_top_map, p->conf);
	if (r == 0)
		r = conf_finish(p);
	return r;
}

static int
conf_load_in(const char *file, const char *dir, const void *bytes, size_t len,
    struct conf **ret_conf, struct conf_err *ret_err)
{
	struct conf_parser p = { .file = file, .dir = dir, .err = ret_err };
	int r;

	p.conf = calloc(1, sizeof(*p.conf));
	if (p.conf == NULL)
		return conf_fail(
		    &p, (struct conf_mark){ 0 }, -ENOMEM, "out of memory");
	p.conf->path = strdup(file);
	p.conf->name = conf_profile_name(file);
	if (p.conf->path == NULL || p.conf->name == NULL)
		r = conf_fail(
		    &p, (struct conf_mark){ 0 }, -ENOMEM, "out of memory");
	else
		r = conf_parse(&p, bytes, len);
	if (r < 0) {
		conf_free(p.conf);
		return r;
	}
	*ret_conf = p.conf;
	return 0;
}

/* The directory part of file, "" when it has none. */
static char *
conf_dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');

	if (slash == NULL)
		return strdup("");
	if (slash == file)
		return strdup("/");
	return strndup(file, (size_t)(slash - file));
}

int
conf_load_buffer(const char *name, const void *bytes, size_t len,
    struct conf **ret_conf, struct conf_err *ret_err)
{
	char *dir = conf_dir_of(name);
	int r;

	if (dir == NULL) {
		(void)snprintf(ret_err->msg, sizeof(ret_err->msg),
		    "%s: out of memory", name);
		return -ENOMEM;
	}
	r = conf_load_in(name, dir, bytes, len, ret_conf, ret_err);
	free(dir);
	return r;
}

/* The profile's directory, absolute, so a later chdir changes nothing. */
static int
conf_abs_dir(const char *path, char **ret_dir)
{
	char *dir = conf_dir_of(path), *abs, cwd[PATH_MAX];
	int r;

	if (dir == NULL)
		return -ENOMEM;
	if (dir[0] == '/') {
		*ret_dir = dir;
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		r = -errno;
		free(dir);
		return r;
	}
	r = asprintf(&abs, "%s%s%s", cwd, dir[0] != '\0' ? "/" : "", dir);
	free(dir);
	if (r < 0)
		return -ENOMEM;
	*ret_dir = abs;
	return 0;
}

/* Read all of a regular file of at most CONF_MAX_FILE_LEN bytes. */
static int
conf_read(int fd, char **ret_bytes, size_t *ret_len)
{
	struct stat st;
	char *bytes;
	size_t len = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* One byte past the cap, to see a file that grew past it. */
	bytes = malloc(CONF_MAX_FILE_LEN + 1);
	if (bytes == NULL)
		return -ENOMEM;
	while (len <= CONF_MAX_FILE_LEN &&
	    (n = read(fd, bytes + len, CONF_MAX_FILE_LEN + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(bytes);
			return -errno;
		}
		len += (size_t)n;
	}
	*ret_bytes = bytes;
	*ret_len = len;
	return 0;
}

int
conf_load(const char *path, struct conf **ret_conf, struct conf_err *ret_err)
{
	char *bytes = NULL, *dir = NULL;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	r = fd < 0 ? -errno : conf_read(fd, &bytes, &len);
	if (fd >= 0)
		(void)close(fd);
	if (r == 0)
		r = conf_abs_dir(path, &dir);
	if (r == 0) {
		r = conf_load_in(path, dir, bytes, len, ret_conf, ret_err);
	} else {
		(void)snprintf(ret_err->msg, sizeof(ret_err->msg), "%s: %s",
		    path, r == -EINVAL ? "not a regular file" : strerror(-r));
		conf_sanitize(ret_err->msg);
	}
	free(dir);
	free(bytes);
	return r;
}
