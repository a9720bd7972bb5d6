/* SPDX-License-Identifier: ISC */
/*
 * buf.h: owned byte buffers.  A struct buf owns its bytes (a struct rd only
 * borrows them).  Secret buffers (keys, nonces-derived material, the MSK,
 * private DH values) are wiped when freed.  Every _free accepts NULL.
 */
#ifndef P2S_BUF_H
#define P2S_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct buf {
	uint8_t *p; /* owned, len bytes, inside this allocation */
	size_t len;
	bool secret; /* wiped on free */
};

struct buf *buf_new(size_t len);
struct buf *buf_new_secret(size_t len);
struct buf *buf_dup(const void *, size_t);
struct buf *buf_dup_secret(const void *, size_t);
struct buf *buf_dup_rd(const struct rd *);
struct buf *buf_cat(const struct rd *, const struct rd *, bool secret);
void buf_free(struct buf *);

static inline struct rd
buf_rd(const struct buf *b)
{
	return rd_make(b->p, b->len);
}

/* Wipe memory that held a secret; never optimised away. */
void wipe(void *, size_t);

#endif /* P2S_BUF_H */
