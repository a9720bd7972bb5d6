/* SPDX-License-Identifier: ISC */
/*
 * buf.c: owned and secret byte buffers (see buf.h).  One allocation holds
 * the header and the bytes, so a buffer is freed (and wiped) in one place.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

static struct buf *
buf_alloc(size_t len, bool secret)
{
	struct buf *b;

	if (len > SIZE_MAX - sizeof(*b))
		return NULL;
	b = calloc(1, sizeof(*b) + len);
	if (b == NULL)
		return NULL;
	b->p = (uint8_t *)(b + 1);
	b->len = len;
	b->secret = secret;
	return b;
}

struct buf *
buf_new(size_t len)
{
	return buf_alloc(len, false);
}

struct buf *
buf_new_secret(size_t len)
{
	return buf_alloc(len, true);
}

static struct buf *
buf_dup_as(const void *p, size_t len, bool secret)
{
	struct buf *b = buf_alloc(len, secret);

	if (b != NULL && len > 0)
		memcpy(b->p, p, len);
	return b;
}

struct buf *
buf_dup(const void *p, size_t len)
{
	return buf_dup_as(p, len, false);
}

struct buf *
buf_dup_secret(const void *p, size_t len)
{
	return buf_dup_as(p, len, true);
}

struct buf *
buf_dup_rd(const struct rd *r)
{
	return buf_dup_as(r->p, r->len, false);
}

struct buf *
buf_cat(const struct rd *a, const struct rd *b, bool secret)
{
	struct buf *c;

	if (a->len > SIZE_MAX / 2 || b->len > SIZE_MAX / 2)
		return NULL;
	c = buf_alloc(a->len + b->len, secret);
	if (c == NULL)
		return NULL;
	if (a->len > 0)
		memcpy(c->p, a->p, a->len);
	if (b->len > 0)
		memcpy(c->p + a->len, b->p, b->len);
	return c;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->secret)
		wipe(b->p, b->len);
	free(b);
}
