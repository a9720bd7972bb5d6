/* SPDX-License-Identifier: ISC */
/*
 * tun.h: the TUN device of the userspace datapath.  One non-blocking file
 * descriptor per interface, IFF_TUN | IFF_NO_PI: each read or write is
 * exactly one IP packet.  The interface is not persistent, so the kernel
 * removes it when the descriptor closes, also when p2sd dies: a crash
 * leaves no interface behind.  Addresses, routes and MTU are set over
 * rtnetlink by the caller.
 */
#ifndef P2S_TUN_H
#define P2S_TUN_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

#define TUN_MAX_PACKET 65535 /* bytes: the largest IP packet */

/* Create interface `name` (a valid interface name, at most 15 bytes).
 * Returns the descriptor, or -EINVAL for a bad name, -EBUSY when an
 * interface of that name exists, or another negative errno. */
int tun_open(const char *name) P2S_WUR;

/* One packet: the length read, 0 when none is pending (EAGAIN), or a
 * negative errno. */
ssize_t tun_read(int fd, uint8_t *buf, size_t len) P2S_WUR;

/* One packet written whole, or a negative errno (-EAGAIN: queue full). */
int tun_write(int fd, const uint8_t *pkt, size_t len) P2S_WUR;

/* A valid Linux interface name: 1..15 bytes, no '/', ':', space or
 * control character, not "." or "..". */
bool tun_name_valid(const char *name);

#endif /* P2S_TUN_H */
