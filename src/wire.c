/* SPDX-License-Identifier: ISC */
/*
 * wire.c: bounded reader and writer (see wire.h).  The only place that
 * converts between wire (big-endian) and host byte order.
 */
#include <string.h>

#include "wire.h"

static uint64_t
load_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
store_be(uint8_t *p, size_t n, uint64_t v)
{
	for (size_t i = n; i > 0; i--) {
		p[i - 1] = (uint8_t)v;
		v >>= 8;
	}
}

static bool
rd_be(struct rd *r, size_t n, uint64_t *ret)
{
	if (n > r->len)
		return false;
	*ret = load_be(r->p, n);
	r->p += n;
	r->len -= n;
	return true;
}

bool
rd_u8(struct rd *r, uint8_t *ret)
{
	uint64_t v;

	if (!rd_be(r, 1, &v))
		return false;
	*ret = (uint8_t)v;
	return true;
}

bool
rd_u16(struct rd *r, uint16_t *ret)
{
	uint64_t v;

	if (!rd_be(r, 2, &v))
		return false;
	*ret = (uint16_t)v;
	return true;
}

bool
rd_u24(struct rd *r, uint32_t *ret)
{
	uint64_t v;

	if (!rd_be(r, 3, &v))
		return false;
	*ret = (uint32_t)v;
	return true;
}

bool
rd_u32(struct rd *r, uint32_t *ret)
{
	uint64_t v;

	if (!rd_be(r, 4, &v))
		return false;
	*ret = (uint32_t)v;
	return true;
}

bool
rd_u64(struct rd *r, uint64_t *ret)
{
	return rd_be(r, 8, ret);
}

bool
rd_copy(struct rd *r, void *dst, size_t n)
{
	if (n > r->len)
		return false;
	if (n > 0)
		memcpy(dst, r->p, n);
	r->p += n;
	r->len -= n;
	return true;
}

bool
rd_skip(struct rd *r, size_t n)
{
	if (n > r->len)
		return false;
	r->p += n;
	r->len -= n;
	return true;
}

bool
rd_sub(struct rd *r, size_t n, struct rd *ret_sub)
{
	if (n > r->len)
		return false;
	ret_sub->p = r->p;
	ret_sub->len = n;
	r->p += n;
	r->len -= n;
	return true;
}

bool
rd_peek_u8(const struct rd *r, uint8_t *ret)
{
	if (r->len < 1)
		return false;
	*ret = r->p[0];
	return true;
}

bool
rd_peek_u16(const struct rd *r, uint16_t *ret)
{
	if (r->len < 2)
		return false;
	*ret = (uint16_t)load_be(r->p, 2);
	return true;
}

/* Not for secrets: crypto_memeq() compares MACs and AUTH values. */
bool
rd_eq(const struct rd *a, const struct rd *b)
{
	if (a->len != b->len)
		return false;
	return a->len == 0 || memcmp(a->p, b->p, a->len) == 0;
}

uint8_t *
wr_reserve(struct wr *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

static void
wr_be(struct wr *w, size_t n, uint64_t v)
{
	uint8_t *p = wr_reserve(w, n);

	if (p != NULL)
		store_be(p, n, v);
}

void
wr_u8(struct wr *w, uint8_t v)
{
	wr_be(w, 1, v);
}

void
wr_u16(struct wr *w, uint16_t v)
{
	wr_be(w, 2, v);
}

void
wr_u24(struct wr *w, uint32_t v)
{
	if (v > 0xffffff) {
		w->err = true;
		return;
	}
	wr_be(w, 3, v);
}

void
wr_u32(struct wr *w, uint32_t v)
{
	wr_be(w, 4, v);
}

void
wr_u64(struct wr *w, uint64_t v)
{
	wr_be(w, 8, v);
}

void
wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_reserve(w, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

void
wr_rd(struct wr *w, const struct rd *r)
{
	wr_bytes(w, r->p, r->len);
}

void
wr_zero(struct wr *w, size_t n)
{
	uint8_t *p = wr_reserve(w, n);

	if (p != NULL && n > 0)
		memset(p, 0, n);
}

static void
wr_patch_be(struct wr *w, size_t at, size_t n, uint64_t v)
{
	/* Only bytes already written can be patched. */
	if (w->err || at > w->len || n > w->len - at) {
		w->err = true;
		return;
	}
	store_be(w->buf + at, n, v);
}

void
wr_patch_u8(struct wr *w, size_t at, uint8_t v)
{
	wr_patch_be(w, at, 1, v);
}

void
wr_patch_u16(struct wr *w, size_t at, uint16_t v)
{
	wr_patch_be(w, at, 2, v);
}

void
wr_patch_u32(struct wr *w, size_t at, uint32_t v)
{
	wr_patch_be(w, at, 4, v);
}

/* A reader over what was written from offset `from` on. */
struct rd
wr_view(const struct wr *w, size_t from)
{
	if (from > w->len)
		from = w->len;
	return rd_make(w->buf + from, w->len - from);
}
