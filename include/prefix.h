/* SPDX-License-Identifier: ISC */
/*
 * prefix.h: address ranges and prefixes.  IKEv2 traffic selectors are
 * ranges (RFC 7296 3.13.1); routes are prefixes.  This turns the ranges a
 * gateway narrowed to into the fewest prefixes that cover exactly them,
 * and merges them with the profile's routes into one set without repeats.
 */
#ifndef P2S_PREFIX_H
#define P2S_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "nl.h"

/*
 * Append to ret[*n] (room for cap) the prefixes that exactly cover
 * [start, end] (network order, 4 or 16 bytes by family).  At most 32 or
 * 128 * 2 prefixes result.  -EINVAL if start > end, -E2BIG past cap.
 */
int prefix_from_range(int family, const uint8_t *start, const uint8_t *end,
    struct nl_prefix *ret, size_t cap, size_t *n) P2S_WUR;

/* Does p contain the address a (same family)? */
bool prefix_contains(const struct nl_prefix *p, const struct nl_addr *a);

/* Append p to set[*n] unless already there; -E2BIG past cap. */
int prefix_set_add(struct nl_prefix *set, size_t cap, size_t *n,
    const struct nl_prefix *p) P2S_WUR;

/* "10.1.0.0/16" into buf (at least 50 bytes). */
const char *prefix_str(const struct nl_prefix *, char *buf, size_t len);

#endif /* P2S_PREFIX_H */
