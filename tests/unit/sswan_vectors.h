/* SPDX-License-Identifier: ISC */
/*
 * sswan_vectors.h: reads the captured strongSwan exchanges under
 * tests/data/ikev2-strongswan/ (format: that folder's README.md) for the
 * known-answer tests: keys.txt (key=value), messages.txt (one line per
 * datagram) and the msg-NN-d.bin datagrams.  Include after cmocka.h and
 * kat_util.h.  Any malformed file fails the test.
 */
#ifndef P2S_SSWAN_VECTORS_H
#define P2S_SSWAN_VECTORS_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ike_keys.h"

#define SSWAN_MAX_KV	256
#define SSWAN_MAX_MSGS	64
#define SSWAN_MAX_CASES 32

struct sswan_msg {
	unsigned nn; /* NN of msg-NN-d.bin */
	char dir;    /* 'i' or 'r': who sent it */
	char sa[8];  /* "ike1", "ike2" or "-" */
};

struct sswan_case {
	char dir[PATH_MAX + NAME_MAX + 2]; /* the case's folder */
	char *key[SSWAN_MAX_KV];	   /* owned */
	char *val[SSWAN_MAX_KV];	   /* owned */
	size_t n_kv;
	struct sswan_msg msgs[SSWAN_MAX_MSGS];
	size_t n_msgs;
};

static inline const char *
sswan_root(void)
{
	static char root[PATH_MAX];
	const char *top = getenv("top_srcdir");

	(void)snprintf(root, sizeof(root), "%s/tests/data/ikev2-strongswan",
	    top != NULL ? top : "..");
	return root;
}

/* The case folders (those with a keys.txt), sorted; fails on none. */
static inline size_t
sswan_list(char names[][NAME_MAX + 1], size_t max)
{
	char path[PATH_MAX + NAME_MAX + 16];
	struct dirent **ents;
	FILE *f;
	size_t n = 0;
	int i, cnt;

	cnt = scandir(sswan_root(), &ents, NULL, alphasort);
	assert_true(cnt > 0);
	for (i = 0; i < cnt; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s/keys.txt",
		    sswan_root(), ents[i]->d_name);
		f = fopen(path, "r");
		if (f != NULL && n < max) {
			(void)snprintf(
			    names[n++], NAME_MAX + 1, "%s", ents[i]->d_name);
		}
		if (f != NULL)
			fclose(f);
		free(ents[i]);
	}
	free(ents);
	assert_true(n > 0);
	return n;
}

static inline void
sswan_load_keys(struct sswan_case *c)
{
	char path[sizeof(c->dir) + 16], *line = NULL, *eq;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/keys.txt", c->dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		eq = strchr(line, '=');
		assert_non_null(eq);
		assert_true(c->n_kv < SSWAN_MAX_KV);
		*eq = '\0';
		c->key[c->n_kv] = strdup(line);
		c->val[c->n_kv] = strdup(eq + 1);
		c->n_kv++;
	}
	free(line);
	fclose(f);
}

static inline void
sswan_load_msgs(struct sswan_case *c)
{
	char path[sizeof(c->dir) + 16], line[1024], sa[8], dir;
	unsigned nn;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/messages.txt", c->dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || strncmp(line, "esp-", 4) == 0)
			continue;
		assert_int_equal(
		    sscanf(line, "%u %c %*s %*s %*s %7s", &nn, &dir, sa), 3);
		assert_true(c->n_msgs < SSWAN_MAX_MSGS);
		c->msgs[c->n_msgs].nn = nn;
		c->msgs[c->n_msgs].dir = dir;
		memcpy(c->msgs[c->n_msgs].sa, sa, sizeof(sa));
		c->n_msgs++;
	}
	fclose(f);
}

static inline struct sswan_case *
sswan_load(const char *name)
{
	struct sswan_case *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	(void)snprintf(c->dir, sizeof(c->dir), "%s/%s", sswan_root(), name);
	sswan_load_keys(c);
	sswan_load_msgs(c);
	return c;
}

static inline void
sswan_free(struct sswan_case *c)
{
	size_t i;

	for (i = 0; i < c->n_kv; i++) {
		free(c->key[i]);
		free(c->val[i]);
	}
	free(c);
}

/* The value of key, or NULL. */
static inline const char *
sswan_get(const struct sswan_case *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->n_kv; i++)
		if (strcmp(c->key[i], key) == 0)
			return c->val[i];
	return NULL;
}

/* The value of key; a missing key is broken test data: abort. */
static inline const char *
sswan_must(const struct sswan_case *c, const char *key)
{
	const char *v = sswan_get(c, key);

	if (v == NULL) {
		fprintf(stderr, "%s: keys.txt has no %s\n", c->dir, key);
		abort();
	}
	return v;
}

static inline struct buf *
sswan_hex(const struct sswan_case *c, const char *key)
{
	return kat_hex(sswan_must(c, key));
}

static inline unsigned long
sswan_num(const struct sswan_case *c, const char *key)
{
	const char *v = sswan_must(c, key);
	char *end;
	unsigned long n;

	n = strtoul(v, &end, 10);
	assert_true(*v != '\0' && *end == '\0');
	return n;
}

static inline struct buf *
sswan_msg_file(const struct sswan_case *c, const struct sswan_msg *m)
{
	char path[sizeof(c->dir) + 32];
	struct buf *b;
	long len;
	FILE *f;

	(void)snprintf(
	    path, sizeof(path), "%s/msg-%02u-%c.bin", c->dir, m->nn, m->dir);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	b = buf_new((size_t)len);
	if (b == NULL)
		abort();
	assert_int_equal(fread(b->p, 1, b->len, f), b->len);
	fclose(f);
	return b;
}

static inline const struct sswan_msg *
sswan_find_msg(const struct sswan_case *c, unsigned nn)
{
	size_t i;

	for (i = 0; i < c->n_msgs; i++)
		if (c->msgs[i].nn == nn)
			return &c->msgs[i];
	fprintf(stderr, "%s: no message %02u\n", c->dir, nn);
	abort();
}

/* The IKE SA transforms of a case (prf unused for ESP). */
static inline struct ike_suite
sswan_suite(const struct sswan_case *c, const char *prefix)
{
	char k[64];
	struct ike_suite s;

	(void)snprintf(k, sizeof(k), "%sencr", prefix);
	s.encr = (enum ike_encr)sswan_num(c, k);
	(void)snprintf(k, sizeof(k), "%sencr_keylen", prefix);
	s.encr_bits = (unsigned)sswan_num(c, k);
	(void)snprintf(k, sizeof(k), "%sinteg", prefix);
	s.integ = (enum ike_integ)sswan_num(c, k);
	s.prf = sswan_get(c, "prf") != NULL ? (enum ike_prf)sswan_num(c, "prf")
					    : IKE_PRF_HMAC_SHA2_256;
	return s;
}

/*
 * Where the SK or SKF payload of a message starts: walks the generic
 * payload headers from the IKE header (RFC 7296 3.2).  0 when the message
 * has neither.
 */
static inline size_t
sswan_sk_off(const struct buf *msg, uint8_t *ret_type)
{
	size_t off = 28;
	uint8_t next = msg->p[16];

	while (next != 0 && off + 4 <= msg->len) {
		if (next == 46 || next == 53) {
			*ret_type = next;
			return off;
		}
		next = msg->p[off];
		off += (size_t)(msg->p[off + 2] << 8 | msg->p[off + 3]);
	}
	return 0;
}

#endif /* P2S_SSWAN_VECTORS_H */
