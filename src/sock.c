/* SPDX-License-Identifier: ISC */
/*
 * sock.c: UDP paths to the gateway (see sock.h).  RFC 7296 2.23 (NAT
 * traversal, the float to 4500), RFC 3948 2.1-2.3 (UDP encapsulation,
 * the non-ESP marker, NAT keepalives).
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike.h"
#include "loop.h"
#include "sock.h"

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

#define NAT_KEEPALIVE 0xff

struct sock {
	struct sockaddr_storage gw; /* gateway, port 500 */
	int fd_ike;		    /* path to gw:500 */
	int fd_natt;		    /* path to gw:4500, -1 before the float */
	uint64_t natt_sent_ms;	    /* loop_now_ms() of the last datagram
				       sent on the 4500 path; 0: none */
};

static socklen_t
sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					 : sizeof(struct sockaddr_in);
}

static void
sa_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static int
path_open(const struct sockaddr_storage *gw, uint16_t port)
{
	struct sockaddr_storage dst = *gw;
	int fd, r;

	sa_set_port(&dst, port);
	fd = socket(gw->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP);
	if (fd == -1)
		return -errno;
	if (connect(fd, (struct sockaddr *)&dst, sa_len(&dst)) == -1) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	return fd;
}

int
sock_open(const struct sockaddr_storage *gw, struct sock **ret)
{
	struct sock *s;

	if (gw->ss_family != AF_INET && gw->ss_family != AF_INET6)
		return -EAFNOSUPPORT;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->gw = *gw;
	s->fd_natt = -1;
	s->fd_ike = path_open(gw, IKE_PORT);
	if (s->fd_ike < 0) {
		int r = s->fd_ike;

		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void
sock_free(struct sock *s)
{
	if (s == NULL)
		return;
	if (s->fd_ike >= 0)
		(void)close(s->fd_ike);
	if (s->fd_natt >= 0)
		(void)close(s->fd_natt);
	free(s);
}

int
sock_float(struct sock *s)
{
	int fd;

	if (s->fd_natt >= 0)
		return 0;
	fd = path_open(&s->gw, IKE_NATT_PORT);
	if (fd < 0)
		return fd;
	s->fd_natt = fd;
	return 0;
}

bool
sock_floated(const struct sock *s)
{
	return s->fd_natt >= 0;
}

int
sock_fd_ike(const struct sock *s)
{
	return s->fd_ike;
}

int
sock_fd_natt(const struct sock *s)
{
	return s->fd_natt;
}

static int
send_iov(int fd, struct iovec *iov, int n)
{
	ssize_t len;

	do
		len = writev(fd, iov, n);
	while (len == -1 && errno == EINTR);
	return len == -1 ? -errno : 0;
}

/* On the 4500 path, stamped: a NAT keepalive is due only after silence. */
static int
send_natt(struct sock *s, struct iovec *iov, int n)
{
	int r = send_iov(s->fd_natt, iov, n);

	if (r == 0)
		s->natt_sent_ms = loop_now_ms();
	return r;
}

uint64_t
sock_natt_sent_ms(const struct sock *s)
{
	return s->natt_sent_ms;
}

int
sock_send_ike(struct sock *s, const struct rd *msg)
{
	static const uint8_t marker[IKE_NON_ESP_MARKER_LEN];
	struct iovec iov[2] = {
		{ .iov_base = (void *)marker, .iov_len = sizeof(marker) },
		{ .iov_base = (void *)msg->p, .iov_len = msg->len },
	};

	if (s->fd_natt < 0)
		return send_iov(s->fd_ike, &iov[1], 1);
	return send_natt(s, iov, 2);
}

int
sock_send_esp(struct sock *s, const struct rd *esp)
{
	struct iovec iov = { .iov_base = (void *)esp->p, .iov_len = esp->len };

	if (s->fd_natt < 0)
		return -ENOTCONN;
	return send_natt(s, &iov, 1);
}

int
sock_send_keepalive(struct sock *s)
{
	uint8_t ka = NAT_KEEPALIVE;
	struct iovec iov = { .iov_base = &ka, .iov_len = 1 };

	if (s->fd_natt < 0)
		return -ENOTCONN;
	return send_natt(s, &iov, 1);
}

/* RFC 3948 2.2: on 4500 a zero marker means IKE, a non-zero SPI ESP. */
static enum sock_kind
classify_natt(const uint8_t *buf, size_t len, struct rd *ret_view)
{
	struct rd r = rd_make(buf, len);
	uint32_t marker;

	if (len == 1 && buf[0] == NAT_KEEPALIVE)
		return SOCK_KEEPALIVE;
	if (!rd_u32(&r, &marker))
		return SOCK_NONE;
	if (marker == 0) {
		*ret_view = r;
		return SOCK_IKE;
	}
	*ret_view = rd_make(buf, len);
	return SOCK_ESP;
}

int
sock_recv(struct sock *s, int fd, uint8_t *buf, size_t cap,
    enum sock_kind *ret_kind, struct rd *ret_view)
{
	ssize_t n;

	*ret_kind = SOCK_NONE;
	if (fd != s->fd_ike && fd != s->fd_natt)
		return -EBADF;
	do
		n = recv(fd, buf, cap, MSG_TRUNC);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? 0 : -errno; /* ECONNREFUSED: ICMP */
	if ((size_t)n > cap)
		return 0; /* truncated: not a datagram we could have sent for */
	if (fd == s->fd_natt) {
		*ret_kind = classify_natt(buf, (size_t)n, ret_view);
		return 0;
	}
	*ret_view = rd_make(buf, (size_t)n);
	*ret_kind = SOCK_IKE;
	return 0;
}

int
sock_local(const struct sock *s, struct sockaddr_storage *ret)
{
	socklen_t len = sizeof(*ret);
	int fd = s->fd_natt >= 0 ? s->fd_natt : s->fd_ike;

	if (getsockname(fd, (struct sockaddr *)ret, &len) == -1)
		return -errno;
	return 0;
}

void
sock_remote(const struct sock *s, struct sockaddr_storage *ret)
{
	*ret = s->gw;
	sa_set_port(ret, s->fd_natt >= 0 ? IKE_NATT_PORT : IKE_PORT);
}

int
sock_set_espinudp(struct sock *s)
{
	int type = UDP_ENCAP_ESPINUDP;

	if (s->fd_natt < 0)
		return -ENOTCONN;
	if (setsockopt(
		s->fd_natt, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) == -1)
		return -errno;
	return 0;
}
