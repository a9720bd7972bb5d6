/* SPDX-License-Identifier: ISC */
/*
 * conf_yaml.c: the walk of libyaml's events along the profile's schema.
 * Each key is looked up in its mapping's table, checked for shape
 * (single value, list, mapping) and handed to its type's parser; lists
 * grow up to their cap; required keys are checked at each mapping's end.
 *
 * The event API rather than yaml_parser_load(): it parses only as far as
 * we read, so a wrong value stops the parse before libyaml builds
 * whatever nesting follows it, and anchors, aliases, tags and extra
 * documents are visible as such and refused (an alias is how "billion
 * laughs" documents grow).  The first error ends the walk; its message
 * carries libyaml's line and column, made 1-based.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "conf_int.h"

/* The walk: a libyaml parser and the event it last produced. */
struct conf_walk {
	struct conf_parser *p;
	const struct conf_map *top; /* the schema, for misplaced keys */
	yaml_parser_t yaml;
	yaml_event_t ev; /* valid while have_ev */
	bool have_ev;
	const uint8_t *in; /* the input, for reader errors' positions */
	size_t in_len;
};

static struct conf_mark
conf_mark_of(yaml_mark_t m)
{
	return (struct conf_mark){ .line = m.line + 1, .col = m.column + 1 };
}

/* libyaml's reader reports a byte offset; turn it into line and column. */
static struct conf_mark
conf_mark_at(const struct conf_walk *w, size_t off)
{
	struct conf_mark m = { 1, 1 };

	for (size_t i = 0; i < off && i < w->in_len; i++) {
		if (w->in[i] == '\n') {
			m.line++;
			m.col = 1;
		} else if ((w->in[i] & 0xc0) != 0x80) {
			m.col++;
		}
	}
	return m;
}

static int
conf_fail_yaml(struct conf_walk *w)
{
	const yaml_parser_t *y = &w->yaml;
	const char *problem = y->problem != NULL ? y->problem : "bad YAML";

	switch (y->error) {
	case YAML_MEMORY_ERROR:
		return conf_fail(
		    w->p, (struct conf_mark){ 0 }, -ENOMEM, "out of memory");
	case YAML_READER_ERROR:
		return conf_fail(w->p, conf_mark_at(w, y->problem_offset),
		    -EBADMSG, "%s (not UTF-8 text?)", problem);
	default:
		if (y->context != NULL)
			return conf_fail(w->p, conf_mark_of(y->problem_mark),
			    -EBADMSG, "%s (%s at line %zu column %zu)", problem,
			    y->context, y->context_mark.line + 1,
			    y->context_mark.column + 1);
		return conf_fail(w->p, conf_mark_of(y->problem_mark), -EBADMSG,
		    "%s", problem);
	}
}

/* What YAML can do beyond plain data is refused here, for every event. */
static int
conf_refuse_extras(struct conf_walk *w)
{
	const yaml_event_t *e = &w->ev;
	struct conf_mark m = conf_mark_of(e->start_mark);
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (e->type == YAML_ALIAS_EVENT)
		return conf_fail(w->p, m, -EBADMSG,
		    "aliases (*name) are not allowed in a profile");
	if (e->type == YAML_SCALAR_EVENT) {
		anchor = e->data.scalar.anchor;
		tag = e->data.scalar.tag;
	} else if (e->type == YAML_SEQUENCE_START_EVENT) {
		anchor = e->data.sequence_start.anchor;
		tag = e->data.sequence_start.tag;
	} else if (e->type == YAML_MAPPING_START_EVENT) {
		anchor = e->data.mapping_start.anchor;
		tag = e->data.mapping_start.tag;
	}
	if (anchor != NULL)
		return conf_fail(w->p, m, -EBADMSG,
		    "anchors (&name) are not allowed in a profile");
	if (tag != NULL)
		return conf_fail(w->p, m, -EBADMSG,
		    "tags (!name) are not allowed in a profile");
	return 0;
}

static int
conf_next(struct conf_walk *w)
{
	if (w->have_ev)
		yaml_event_delete(&w->ev);
	w->have_ev = false;
	if (!yaml_parser_parse(&w->yaml, &w->ev))
		return conf_fail_yaml(w);
	w->have_ev = true;
	return conf_refuse_extras(w);
}

static struct conf_mark
conf_here(const struct conf_walk *w)
{
	return conf_mark_of(w->ev.start_mark);
}

/* A plain empty, "~" or "null" scalar is YAML's null: a key without value. */
static bool
conf_ev_is_null(const yaml_event_t *e)
{
	const char *s = (const char *)e->data.scalar.value;

	if (e->type != YAML_SCALAR_EVENT ||
	    e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return e->data.scalar.length == 0 || strcmp(s, "~") == 0 ||
	    strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0;
}

static void
conf_qualify(const struct conf_map *m, const char *key, char *buf, size_t len)
{
	if (m->name != NULL)
		(void)snprintf(buf, len, "%s.%s", m->name, key);
	else
		(void)snprintf(buf, len, "%s", key);
}

/*
 * Edit distance with transpositions (optimal string alignment), for "did
 * you mean": "hots" is one edit from "host".  Long words are not compared.
 */
static size_t
conf_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	uint8_t d[33][33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (uint8_t)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (uint8_t)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			uint8_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

/* The key of m nearest to key, if near enough to be a typo. */
static const char *
conf_suggest(const struct conf_map *m, const char *key)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < m->n_keys; i++) {
		const char *k = m->keys[i].key;
		size_t d = conf_distance(key, k);

		/* Two edits for longer words, one for short ones. */
		if (d <= (strlen(k) > 4 ? 2u : 1u) && d < best_d) {
			best = k;
			best_d = d;
		}
	}
	return best;
}

static const struct conf_key *
conf_key_find(const struct conf_map *m, const char *key, size_t len)
{
	for (size_t i = 0; i < m->n_keys; i++)
		if (strlen(m->keys[i].key) == len &&
		    memcmp(m->keys[i].key, key, len) == 0)
			return &m->keys[i];
	return NULL;
}

/* The mapping other than m that has key: a key indented wrongly. */
static const struct conf_map *
conf_key_home(
    const struct conf_map *top, const struct conf_map *m, const char *key)
{
	if (m != top && conf_key_find(top, key, strlen(key)) != NULL)
		return top;
	for (size_t i = 0; i < top->n_keys; i++) {
		const struct conf_map *sub = top->keys[i].map;

		if (sub != NULL && sub != m &&
		    conf_key_find(sub, key, strlen(key)) != NULL)
			return sub;
	}
	return NULL;
}

static int
conf_fail_unknown(struct conf_walk *w, const struct conf_map *m,
    const char *key, struct conf_mark at)
{
	const char *near = conf_suggest(m, key);
	const struct conf_map *home = conf_key_home(w->top, m, key);
	char in[64] = "", all[256] = "";
	size_t off = 0;

	if (m->name != NULL)
		(void)snprintf(in, sizeof(in), " in '%s'", m->name);
	if (near != NULL)
		return conf_fail(w->p, at, -EBADMSG,
		    "unknown key '%.64s'%s; did you mean '%s'?", key, in, near);
	if (home != NULL && home->name == NULL)
		return conf_fail(w->p, at, -EBADMSG,
		    "'%s' belongs at the top level, not%s; check the "
		    "indentation",
		    key, in);
	if (home != NULL)
		return conf_fail(w->p, at, -EBADMSG,
		    "'%s' belongs in '%s', not%s; indent it under '%s:'", key,
		    home->name, m->name != NULL ? in : " at the top level",
		    home->name);
	for (size_t i = 0; i < m->n_keys && off < sizeof(all); i++) {
		int n = snprintf(all + off, sizeof(all) - off, "%s%s",
		    i > 0 ? ", " : "", m->keys[i].key);

		off += n > 0 ? (size_t)n : 0;
	}
	return conf_fail(w->p, at, -EBADMSG,
	    "unknown key '%.64s'%s; expected one of: %s", key, in, all);
}

/* A value's text: bounded, no NUL (from "\0"), no control characters. */
static int
conf_scalar_make(struct conf_walk *w, const char *key, struct conf_scalar *ret)
{
	const yaml_event_t *e = &w->ev;
	const char *s = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length;

	if (len == 0)
		return conf_fail(w->p, conf_here(w), -EBADMSG,
		    "value of '%s' is empty", key);
	if (len > CONF_MAX_SCALAR_LEN)
		return conf_fail(w->p, conf_here(w), -E2BIG,
		    "value of '%s' is longer than %d bytes", key,
		    CONF_MAX_SCALAR_LEN);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < len &&
			(unsigned char)s[i + 1] >= 0x80 &&
			(unsigned char)s[i + 1] <= 0x9f))
			return conf_fail(w->p, conf_here(w), -EBADMSG,
			    "value of '%s' contains a control character", key);
	}
	*ret = (struct conf_scalar){
		.s = s, .len = len, .mark = conf_here(w), .key = key
	};
	return 0;
}

static const char *
conf_shape_name(yaml_event_type_t t)
{
	switch (t) {
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	default:
		return "a single value";
	}
}

/* The current event must start a value of the key's shape. */
static int
conf_check_shape(struct conf_walk *w, const struct conf_key *k,
    const char *qkey, struct conf_mark key_mark)
{
	static const yaml_event_type_t want[] = {
		[CONF_SCALAR] = YAML_SCALAR_EVENT,
		[CONF_LIST] = YAML_SEQUENCE_START_EVENT,
		[CONF_MAP] = YAML_MAPPING_START_EVENT,
	};
	static const char *const hint[] = {
		[CONF_SCALAR] = "",
		[CONF_LIST] = ": [a, b] or lines starting with '- '",
		[CONF_MAP] = ": keys on the lines below it, indented",
	};

	if (conf_ev_is_null(&w->ev))
		return conf_fail(w->p, key_mark, -EBADMSG,
		    "'%s' has no value; give one%s or remove the key", qkey,
		    k->shape == CONF_LIST ? " ([] for none)" : "");
	if (w->ev.type == want[k->shape])
		return 0;
	return conf_fail(w->p, conf_here(w), -EBADMSG,
	    "'%s' takes %s%s, not %s", qkey, conf_shape_name(want[k->shape]),
	    hint[k->shape], conf_shape_name(w->ev.type));
}

static int conf_walk_map(struct conf_walk *, const struct conf_map *,
    void *base, struct conf_mark where);

static int
conf_walk_scalar(
    struct conf_walk *w, const struct conf_key *k, const char *qkey, void *base)
{
	struct conf_scalar s;
	int r;

	r = conf_scalar_make(w, qkey, &s);
	if (r < 0)
		return r;
	return k->type->parse(w->p, &s, conf_at(base, k->offset));
}

/* Make room for one more entry; the array stays reachable for conf_free. */
static int
conf_list_grow(struct conf_walk *w, const struct conf_key *k, void *base,
    size_t n, size_t *cap)
{
	void *arr, *grown;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 4 : *cap * 2;
	if (ncap > k->max)
		ncap = k->max;
	memcpy(&arr, conf_at(base, k->offset), sizeof(arr));
	grown = reallocarray(arr, ncap, k->type->size);
	if (grown == NULL)
		return conf_fail(w->p, conf_here(w), -ENOMEM, "out of memory");
	memset(
	    (char *)grown + n * k->type->size, 0, (ncap - n) * k->type->size);
	memcpy(conf_at(base, k->offset), &grown, sizeof(grown));
	*cap = ncap;
	return 0;
}

static int
conf_walk_entry(struct conf_walk *w, const struct conf_key *k, const char *qkey,
    void *base, size_t n, size_t *cap)
{
	struct conf_scalar s;
	char *arr;
	int r;

	if (w->ev.type != YAML_SCALAR_EVENT)
		return conf_fail(w->p, conf_here(w), -EBADMSG,
		    "entries of '%s' are single values, not %s", qkey,
		    conf_shape_name(w->ev.type));
	if (n >= k->max)
		return conf_fail(w->p, conf_here(w), -E2BIG,
		    "too many entries in '%s' (at most %zu)", qkey, k->max);
	r = conf_list_grow(w, k, base, n, cap);
	if (r == 0)
		r = conf_scalar_make(w, qkey, &s);
	if (r < 0)
		return r;
	memcpy(&arr, conf_at(base, k->offset), sizeof(arr));
	return k->type->parse(w->p, &s, arr + n * k->type->size);
}

static int
conf_walk_list(
    struct conf_walk *w, const struct conf_key *k, const char *qkey, void *base)
{
	struct conf_mark start = conf_here(w);
	size_t n = 0, cap = 0;
	int r;

	for (;;) {
		r = conf_next(w);
		if (r < 0)
			return r;
		if (w->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		r = conf_walk_entry(w, k, qkey, base, n, &cap);
		if (r < 0)
			return r;
		n++;
		memcpy(conf_at(base, k->n_offset), &n, sizeof(n));
	}
	if (n < k->min)
		return conf_fail(w->p, start, -EBADMSG,
		    "'%s' needs at least %zu %s", qkey, k->min,
		    k->min == 1 ? "entry" : "entries");
	return 0;
}

/* The value of key k; the current event is its first. */
static int
conf_walk_value(struct conf_walk *w, const struct conf_map *m,
    const struct conf_key *k, void *base)
{
	struct conf_mark key_mark = w->p->field[k->id].mark;
	char qkey[64];
	int r;

	conf_qualify(m, k->key, qkey, sizeof(qkey));
	r = conf_check_shape(w, k, qkey, key_mark);
	if (r < 0)
		return r;
	switch (k->shape) {
	case CONF_SCALAR:
		return conf_walk_scalar(w, k, qkey, base);
	case CONF_LIST:
		return conf_walk_list(w, k, qkey, base);
	case CONF_MAP:
		return conf_walk_map(
		    w, k->map, conf_at(base, k->offset), key_mark);
	}
	return -EINVAL; /* not reached: the switch covers every shape */
}

/* The current event is a key of m: find it and note where it was. */
static int
conf_walk_key(struct conf_walk *w, const struct conf_map *m,
    const struct conf_key **ret_k)
{
	struct conf_parser *p = w->p;
	struct conf_mark at = conf_here(w);
	const struct conf_key *k;
	const char *key;

	if (w->ev.type != YAML_SCALAR_EVENT)
		return conf_fail(p, at, -EBADMSG,
		    "a key must be a single word, not %s",
		    conf_shape_name(w->ev.type));
	key = (const char *)w->ev.data.scalar.value;
	k = conf_key_find(m, key, w->ev.data.scalar.length);
	if (k == NULL)
		return conf_fail_unknown(w, m, key, at);
	if (p->field[k->id].seen)
		return conf_fail(p, at, -EBADMSG,
		    "duplicate key '%s' (first at line %zu)", k->key,
		    p->field[k->id].mark.line);
	p->field[k->id].seen = true;
	p->field[k->id].mark = at;
	*ret_k = k;
	return 0;
}

static int
conf_check_required(
    struct conf_parser *p, const struct conf_map *m, struct conf_mark where)
{
	for (size_t i = 0; i < m->n_keys; i++) {
		const struct conf_key *k = &m->keys[i];

		if (k->required && !p->field[k->id].seen)
			return m->name != NULL
			    ? conf_fail(p, where, -EBADMSG,
				  "'%s' is missing '%s'", m->name, k->key)
			    : conf_fail(p, where, -EBADMSG,
				  "the profile is missing '%s'", k->key);
	}
	return 0;
}

/* The current event is MAPPING_START of m; consume through its end. */
static int
conf_walk_map(struct conf_walk *w, const struct conf_map *m, void *base,
    struct conf_mark where)
{
	const struct conf_key *k = NULL;
	int r;

	for (;;) {
		r = conf_next(w);
		if (r < 0)
			return r;
		if (w->ev.type == YAML_MAPPING_END_EVENT)
			break;
		r = conf_walk_key(w, m, &k);
		if (r == 0)
			r = conf_next(w);
		if (r == 0)
			r = conf_walk_value(w, m, k, base);
		if (r < 0)
			return r;
	}
	return conf_check_required(w->p, m, where);
}

static int
conf_expect(struct conf_walk *w, yaml_event_type_t type, const char *what)
{
	int r = conf_next(w);

	if (r == 0 && w->ev.type != type)
		r = conf_fail(w->p, conf_here(w), -EBADMSG, "%s", what);
	return r;
}

/* STREAM_START DOCUMENT_START <top mapping> DOCUMENT_END STREAM_END */
static int
conf_walk_document(struct conf_walk *w)
{
	struct conf_mark top;
	int r;

	r = conf_expect(w, YAML_STREAM_START_EVENT, "not a YAML stream");
	if (r == 0)
		r = conf_expect(
		    w, YAML_DOCUMENT_START_EVENT, "the profile is empty");
	if (r == 0)
		r = conf_expect(w, YAML_MAPPING_START_EVENT,
		    "a profile is a mapping of keys (gateway:, client:, ...)");
	if (r < 0)
		return r;
	top = conf_here(w);
	w->p->field[CONF_F_ROOT].seen = true;
	w->p->field[CONF_F_ROOT].mark = top;
	r = conf_walk_map(w, w->top, w->p->conf, top);
	if (r == 0)
		r = conf_expect(w, YAML_DOCUMENT_END_EVENT,
		    "expected the end of the document");
	if (r == 0)
		r = conf_expect(w, YAML_STREAM_END_EVENT,
		    "a profile is one YAML document; remove the second '---'");
	return r;
}

int
conf_yaml_walk(struct conf_parser *p, const struct conf_map *top,
    const void *bytes, size_t len)
{
	struct conf_walk w = { .p = p, .top = top, .in = bytes, .in_len = len };
	int r;

	if (!yaml_parser_initialize(&w.yaml))
		return conf_fail(
		    p, (struct conf_mark){ 0 }, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&w.yaml, bytes, len);
	yaml_parser_set_encoding(&w.yaml, YAML_UTF8_ENCODING);
	r = conf_walk_document(&w);
	if (w.have_ev)
		yaml_event_delete(&w.ev);
	yaml_parser_delete(&w.yaml);
	return r;
}
