/* SPDX-License-Identifier: ISC */
/*
 * wire.h: the bounded reader and writer that every parser and builder uses.
 *
 * struct rd is a borrowed, read-only view into somebody else's buffer.  A
 * failed read leaves the reader unchanged (all or nothing), lengths are
 * compared, never pointers, and every length field read from the wire is
 * turned into a sub-reader so the inner parser cannot see past its parent.
 * All multi-byte integers are big-endian (network order) on the wire.
 *
 * struct wr writes into a caller-owned buffer with a sticky error: builders
 * stay linear and check wr_ok() once at the end.
 */
#ifndef P2S_WIRE_H
#define P2S_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct rd {
	const uint8_t *p; /* borrowed */
	size_t len;	  /* bytes left */
};

static inline struct rd
rd_make(const void *p, size_t len)
{
	struct rd r = { .p = p, .len = len };

	return r;
}

static inline size_t
rd_left(const struct rd *r)
{
	return r->len;
}

bool rd_u8(struct rd *, uint8_t *ret) P2S_WUR;
bool rd_u16(struct rd *, uint16_t *ret) P2S_WUR;
bool rd_u24(struct rd *, uint32_t *ret) P2S_WUR;
bool rd_u32(struct rd *, uint32_t *ret) P2S_WUR;
bool rd_u64(struct rd *, uint64_t *ret) P2S_WUR;
bool rd_copy(struct rd *, void *dst, size_t n) P2S_WUR;
bool rd_skip(struct rd *, size_t n) P2S_WUR;
bool rd_sub(struct rd *, size_t n, struct rd *ret_sub) P2S_WUR;
bool rd_peek_u8(const struct rd *, uint8_t *ret) P2S_WUR;
bool rd_peek_u16(const struct rd *, uint16_t *ret) P2S_WUR;
bool rd_eq(const struct rd *, const struct rd *);

struct wr {
	uint8_t *buf; /* borrowed, cap bytes */
	size_t len;   /* bytes written */
	size_t cap;
	bool err; /* sticky: a write did not fit */
};

static inline struct wr
wr_make(void *buf, size_t cap)
{
	struct wr w = { .buf = buf, .len = 0, .cap = cap, .err = false };

	return w;
}

static inline bool
wr_ok(const struct wr *w)
{
	return !w->err;
}

void wr_u8(struct wr *, uint8_t);
void wr_u16(struct wr *, uint16_t);
void wr_u24(struct wr *, uint32_t);
void wr_u32(struct wr *, uint32_t);
void wr_u64(struct wr *, uint64_t);
void wr_bytes(struct wr *, const void *, size_t);
void wr_rd(struct wr *, const struct rd *);
void wr_zero(struct wr *, size_t);
uint8_t *wr_reserve(struct wr *, size_t);
void wr_patch_u8(struct wr *, size_t at, uint8_t);
void wr_patch_u16(struct wr *, size_t at, uint16_t);
void wr_patch_u32(struct wr *, size_t at, uint32_t);
struct rd wr_view(const struct wr *, size_t from);

#endif /* P2S_WIRE_H */
