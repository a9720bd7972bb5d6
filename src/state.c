/* SPDX-License-Identifier: ISC */
/*
 * state.c: the state file p2sd keeps per profile across restarts (see
 * state.h for where it is, what it says and how far it is trusted): a
 * strict parser and its printer, a bounded reader and an atomic writer.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "ipaddr.h"
#include "log.h"
#include "names.h"
#include "proposal.h"
#include "state.h"

#define STATE_DIR_MODE 0700
#define STATE_STR_(x)  #x
#define STATE_STR(x)   STATE_STR_(x)

static struct state_str
str_of(const char *s)
{
	return (struct state_str){ s, strlen(s) };
}

static bool
str_eq(struct state_str a, struct state_str b)
{
	return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

/* 1..STATE_MAX_FIELD_LEN bytes, no C0 control and no DEL. */
static bool
value_ok(struct state_str v)
{
	if (v.len == 0 || v.len > STATE_MAX_FIELD_LEN)
		return false;
	for (size_t i = 0; i < v.len; i++)
		if ((unsigned char)v.s[i] < 0x20 || v.s[i] == 0x7f)
			return false;
	return true;
}

/* Decimal 1..65535, no sign, no leading zero. */
static bool
num_parse(struct state_str v, uint16_t *ret)
{
	uint32_t n = 0;

	if (v.len == 0 || v.len > 5 || v.s[0] == '0')
		return false;
	for (size_t i = 0; i < v.len; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return false;
		n = n * 10 + (uint32_t)(v.s[i] - '0');
	}
	if (n > UINT16_MAX)
		return false;
	*ret = (uint16_t)n;
	return true;
}

/* Take the next line off rest, without its '\n'. */
static bool
next_line(struct state_str *rest, struct state_str *ret)
{
	const char *nl =
	    rest->len > 0 ? memchr(rest->s, '\n', rest->len) : NULL;

	if (nl == NULL)
		return false;
	ret->s = rest->s;
	ret->len = (size_t)(nl - rest->s);
	rest->s = nl + 1;
	rest->len -= ret->len + 1;
	return true;
}

/* The value of the next line, which must be "KEY VALUE". */
static bool
line_value(struct state_str *rest, const char *key, struct state_str *ret)
{
	size_t klen = strlen(key);
	struct state_str line;

	if (!next_line(rest, &line) || line.len <= klen + 1 ||
	    memcmp(line.s, key, klen) != 0 || line.s[klen] != ' ')
		return false;
	*ret = (struct state_str){ line.s + klen + 1, line.len - klen - 1 };
	return true;
}

static bool
line_str(struct state_str *rest, const char *key, struct state_str *ret)
{
	return line_value(rest, key, ret) && value_ok(*ret);
}

static bool
line_num(struct state_str *rest, const char *key, uint16_t *ret)
{
	struct state_str v;

	return line_value(rest, key, &v) && num_parse(v, ret);
}

int
state_parse(
    const char *buf, size_t len, struct state_rec *ret, const char **why)
{
	struct state_str rest = { buf, len }, line;
	struct state_rec rec = { 0 };

	*why = "";
	if (len > STATE_MAX_FILE_LEN)
		*why = "too long";
	else if (!next_line(&rest, &line) || !str_eq(line, str_of(STATE_MAGIC)))
		*why = "not a p2s state file of version 1";
	else if (!line_str(&rest, "host", &rec.host))
		*why = "no valid 'host' line";
	else if (!line_str(&rest, "address", &rec.address))
		*why = "no valid 'address' line";
	else if (!line_num(&rest, "port", &rec.port))
		*why = "no valid 'port' line";
	else if (!line_str(&rest, "id", &rec.id))
		*why = "no valid 'id' line";
	else if (!line_num(&rest, "group", &rec.group))
		*why = "no valid 'group' line";
	else if (rest.len != 0)
		*why = "bytes after the 'group' line";
	if ((*why)[0] != '\0')
		return -EBADMSG;
	*ret = rec;
	return 0;
}

int
state_print(const struct state_rec *r, char *buf, size_t len)
{
	int n;

	if (!value_ok(r->host) || !value_ok(r->address) || !value_ok(r->id) ||
	    r->port == 0 || r->group == 0)
		return -EINVAL;
	n = snprintf(buf, len,
	    STATE_MAGIC "\nhost %.*s\naddress %.*s\nport %u\nid %.*s\n"
			"group %u\n",
	    (int)r->host.len, r->host.s, (int)r->address.len, r->address.s,
	    r->port, (int)r->id.len, r->id.s, r->group);
	if (n < 0)
		return -EINVAL;
	return (size_t)n < len ? n : -ENOSPC;
}

bool
state_same_gateway(const struct state_rec *a, const struct state_rec *b)
{
	return str_eq(a->host, b->host) && str_eq(a->address, b->address) &&
	    str_eq(a->id, b->id) && a->port == b->port;
}

void
state_rec_of_conf(
    const struct conf *conf, uint16_t group, char *addr, struct state_rec *ret)
{
	const struct conf_gateway *gw = &conf->gateway;

	if (gw->address.family == AF_UNSPEC ||
	    ip_addr_print(&gw->address, addr, IP_PREFIX_STRLEN) < 0)
		(void)snprintf(addr, IP_PREFIX_STRLEN, "none");
	*ret = (struct state_rec){
		.host = str_of(gw->host),
		.address = str_of(addr),
		.id = str_of(gw->id),
		.port = gw->port,
		.group = group,
	};
}

const char *
state_dir(void)
{
	const char *dir = getenv("P2S_STATE_DIR");

	return dir != NULL && dir[0] != '\0' ? dir : STATE_DIR_DEFAULT;
}

/* $STATE/NAME.state, and suffix after it. */
static int
state_path(const struct conf *conf, const char *suffix, char *buf, size_t len)
{
	int n;

	if (!ctl_name_valid(conf->name))
		return -EINVAL;
	n = snprintf(
	    buf, len, "%s/%s.state%s", state_dir(), conf->name, suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* All of a regular file of at most STATE_MAX_FILE_LEN bytes into buf
 * (STATE_MAX_FILE_LEN + 1 bytes: one more shows a file past the cap). */
static int
read_capped(const char *path, char *buf, size_t *ret_len)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	while (r == 0 && len <= STATE_MAX_FILE_LEN &&
	    (n = read(fd, buf + len, STATE_MAX_FILE_LEN + 1 - len)) != 0) {
		if (n > 0)
			len += (size_t)n;
		else if (errno != EINTR)
			r = -errno;
	}
	(void)close(fd);
	if (r == 0 && len > STATE_MAX_FILE_LEN)
		r = -E2BIG;
	*ret_len = len;
	return r;
}

static int
state_read_why(const struct conf *conf, uint16_t *ret_group, const char **why)
{
	char path[PATH_MAX], buf[STATE_MAX_FILE_LEN + 1];
	char addr[IP_PREFIX_STRLEN];
	struct state_rec got, want;
	size_t len = 0;
	int r;

	r = state_path(conf, "", path, sizeof(path));
	if (r < 0) {
		*why = "the profile's name and P2S_STATE_DIR make no file name";
		return r;
	}
	r = read_capped(path, buf, &len);
	if (r < 0) {
		*why = r == -EINVAL ? "not a regular file"
		    : r == -E2BIG
		    ? "larger than " STATE_STR(STATE_MAX_FILE_LEN) " bytes"
		    : strerror(-r);
		return r;
	}
	r = state_parse(buf, len, &got, why);
	if (r < 0)
		return r;
	state_rec_of_conf(conf, 0, addr, &want);
	if (!state_same_gateway(&got, &want)) {
		*why =
		    "written for another gateway (host, address, port or id)";
		return -ESTALE;
	}
	if (!proposal_has_group(
		conf->proposals.ike, conf->proposals.n_ike, got.group)) {
		*why = "its DH group is not in proposals.ike any more";
		return -ENOTSUP;
	}
	*ret_group = got.group;
	return 0;
}

int
state_read(const struct conf *conf, uint16_t *ret_group)
{
	const char *why;

	return state_read_why(conf, ret_group, &why);
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	(void)close(fd);
	return r;
}

/* text into tmp (a mkostemp template, 0600), fsynced, renamed to path. */
static int
replace(const char *path, char *tmp, const char *text, size_t len)
{
	int fd, r;

	if (mkdir(state_dir(), STATE_DIR_MODE) < 0 && errno != EEXIST)
		return -errno;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, text, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r == 0 ? sync_dir(state_dir()) : r;
}

int
state_write(const struct conf *conf, uint16_t group)
{
	char path[PATH_MAX], tmp[PATH_MAX], text[STATE_MAX_FILE_LEN + 1];
	char addr[IP_PREFIX_STRLEN];
	struct state_rec rec;
	int n, r;

	state_rec_of_conf(conf, group, addr, &rec);
	n = state_print(&rec, text, sizeof(text));
	if (n < 0)
		return n;
	r = state_path(conf, "", path, sizeof(path));
	if (r == 0)
		r = state_path(conf, ".XXXXXX", tmp, sizeof(tmp));
	return r == 0 ? replace(path, tmp, text, (size_t)n) : r;
}

uint16_t
state_group_load(const struct conf *conf)
{
	const char *why;
	uint16_t group = 0;
	int r = state_read_why(conf, &group, &why);

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		log_notice(
		    "%s/%s.state ignored: %s", state_dir(), conf->name, why);
		return 0;
	}
	log_info("the gateway took DH group %s last time: offering it first",
	    names_dh(group, NAMES_TMP));
	return group;
}

void
state_group_save(const struct conf *conf, uint16_t group)
{
	int r = state_write(conf, group);

	if (r < 0)
		log_notice("cannot remember DH group %s in %s: %s (the next "
			   "start may take one more round trip)",
		    names_dh(group, NAMES_TMP), state_dir(), strerror(-r));
	else
		log_debug("remembered DH group %s in %s",
		    names_dh(group, NAMES_TMP), state_dir());
}
