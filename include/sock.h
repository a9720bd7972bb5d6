/* SPDX-License-Identifier: ISC */
/*
 * sock.h: the UDP sockets p2sd talks to the gateway through.
 *
 * IKE starts on the gateway's port 500.  Once NAT is detected (or the
 * datapath needs UDP encapsulation, which against strongSwan's
 * kernel-libipsec and Azure is always), it floats to the gateway's port
 * 4500 (RFC 7296 2.23), where IKE messages carry a 4-byte zero non-ESP
 * marker and ESP packets travel in UDP (RFC 3948), told apart by that
 * marker; a single 0xff byte is a NAT keepalive.
 *
 * Each path is one socket connect()ed to the gateway, bound to an
 * ephemeral local port: the kernel then drops datagrams from anybody else,
 * and several profiles can run side by side without fighting over ports
 * 500 and 4500.
 */
#ifndef P2S_SOCK_H
#define P2S_SOCK_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"
#include "wire.h"

#define SOCK_RECV_MAX (65535 + 4) /* bytes: a datagram with its marker */

enum sock_kind {
	SOCK_NONE,	/* nothing pending, or a datagram dropped */
	SOCK_IKE,	/* an IKE message, marker stripped */
	SOCK_ESP,	/* an ESP packet in UDP (RFC 3948) */
	SOCK_KEEPALIVE, /* a NAT keepalive (RFC 3948 2.3) */
};

struct sock;

/* Open the port-500 path to gw (whose port is ignored). */
int sock_open(const struct sockaddr_storage *gw, struct sock **ret) P2S_WUR;
void sock_free(struct sock *);

/* Float: open the port-4500 path; later sends go there. Idempotent. */
int sock_float(struct sock *) P2S_WUR;
bool sock_floated(const struct sock *);

/* Descriptors to watch for reading: the 500 path, and the 4500 path once
 * floated (-1 before). */
int sock_fd_ike(const struct sock *);
int sock_fd_natt(const struct sock *);

int sock_send_ike(struct sock *, const struct rd *msg) P2S_WUR;
int sock_send_esp(struct sock *, const struct rd *esp) P2S_WUR;
int sock_send_keepalive(struct sock *) P2S_WUR;
/* loop_now_ms() when a datagram of ours last left on the 4500 path (IKE,
 * ESP from the userspace datapath, keepalive); 0: none yet.  The kernel
 * datapath's ESP bypasses the socket and is not counted. */
uint64_t sock_natt_sent_ms(const struct sock *);

/* Read one datagram from fd (one of ours) into buf; *ret_view is the IKE
 * message or ESP packet inside buf.  0 with SOCK_NONE when nothing was
 * pending or the datagram was not for us. */
int sock_recv(struct sock *, int fd, uint8_t *buf, size_t cap,
    enum sock_kind *ret_kind, struct rd *ret_view) P2S_WUR;

/* The current path's local and remote address and port. */
int sock_local(const struct sock *, struct sockaddr_storage *ret) P2S_WUR;
void sock_remote(const struct sock *, struct sockaddr_storage *ret);

/* Tell the kernel the NAT-T socket carries ESP-in-UDP (kernel datapath). */
int sock_set_espinudp(struct sock *) P2S_WUR;

#endif /* P2S_SOCK_H */
