/* SPDX-License-Identifier: ISC */
/*
 * nl.h: netlink sockets, the one place that knows about them.  It owns
 * the socket options, sequence numbers, the wait for an ACK or the end of
 * a dump, NLMSG_ERROR -> -errno with the kernel's extended ACK message
 * kept for the caller's log, batches of many requests per sendmsg(), and
 * multicast monitor sockets whose fd the daemon's event loop watches.
 * rtnl.c and xfrm.c build and parse the messages; they never touch a
 * socket.  (RFC 3549; Documentation/userspace-api/netlink/intro.rst.)
 *
 * Two kinds of socket, never mixed, so events cannot interleave with the
 * replies a request waits for:
 *
 *   request (nl_open):  non-blocking; a request waits for its answer with
 *                       poll() and a timeout, since the kernel answers
 *                       synchronously and a missing answer is a bug, not a
 *                       reason to hang the daemon.
 *   monitor (nl_open_monitor): non-blocking, joined to multicast groups;
 *                       nl_monitor_read() drains what is pending and calls
 *                       back once per message.  ENOBUFS (events lost)
 *                       calls the overrun callback: the owner re-dumps.
 *
 * Only messages sent by the kernel (sender nl_pid 0) are read; a request's
 * answers must carry our port id and a sequence number we sent.  ACKs are
 * capped (NETLINK_CAP_ACK): the kernel never echoes a request back, so a
 * request that carried keys is not copied into our receive buffer.  The
 * receive buffer of an XFRM socket is wiped after every datagram, because
 * state dumps and GETSA replies carry keys.
 */
#ifndef P2S_NL_H
#define P2S_NL_H

#include <netinet/in.h>

#include <linux/netlink.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

#define NL_REPLY_TIMEOUT_MS  5000  /* wait for an ACK, reply or dump end */
#define NL_ERRMSG_MAX	     128   /* bytes kept of an extended ACK text */
#define NL_BATCH_CHUNK_MSGS  128   /* requests per sendmsg() in a batch */
#define NL_BATCH_CHUNK_BYTES 65536 /* bytes per sendmsg() in a batch */
#define NL_MONITOR_MAX_READS 64	   /* datagrams per nl_monitor_read() */

/* An IPv4 or IPv6 address; family AF_UNSPEC means "none". */
struct nl_addr {
	uint8_t family; /* AF_INET, AF_INET6 or AF_UNSPEC */
	union {
		struct in_addr in;
		struct in6_addr in6;
		uint8_t bytes[16]; /* network order */
	};
};

struct nl_prefix {
	struct nl_addr addr;
	uint8_t len; /* bits, at most 32 or 128 */
};

/* Bytes of an address of this family: 4, 16, or 0 when unknown. */
size_t nl_addr_size(int family);
bool nl_addr_eq(const struct nl_addr *, const struct nl_addr *);
/* The prefix is well formed: known family, length in range. */
bool nl_prefix_valid(const struct nl_prefix *);

struct nl;
struct nl_batch;

/* One message to the caller; a negative return is remembered and
 * returned by the function that read the message (the rest of the
 * answer is still read, so the socket stays in step). */
typedef int (*nl_msg_cb)(const struct nlmsghdr *, void *arg);
/* A monitor lost events (ENOBUFS): state must be dumped again. */
typedef void (*nl_overrun_cb)(void *arg);

/* A request socket on bus NETLINK_ROUTE or NETLINK_XFRM; NULL with errno
 * set on failure. */
struct nl *nl_open(int bus);
/* A monitor socket joined to n_groups multicast groups (RTNLGRP_*,
 * XFRMNLGRP_*: group numbers, not bit masks). */
struct nl *nl_open_monitor(
    int bus, const unsigned int *groups, size_t n_groups);
void nl_close(struct nl *);
int nl_fd(const struct nl *);
/* The kernel's extended ACK text for the last failed request on this
 * socket ("Requested type not found"), or "" when it gave none. */
const char *nl_errmsg(const struct nl *);

/* Send one request with NLM_F_REQUEST | NLM_F_ACK and wait for its ACK;
 * reply messages before the ACK (a GET's answer) go to cb, which may be
 * NULL.  The request's seq is set here.  Returns 0, the kernel's -errno,
 * cb's first error, -ETIMEDOUT or another transport -errno. */
int nl_request(struct nl *, struct nlmsghdr *, nl_msg_cb, void *arg) P2S_WUR;
/* Send a dump request (NLM_F_DUMP) and pass every message up to
 * NLMSG_DONE to cb.  -EAGAIN: the kernel flagged the dump as interrupted
 * by a concurrent change (NLM_F_DUMP_INTR); cb has seen a possibly
 * inconsistent set and the caller may dump again. */
int nl_dump(struct nl *, struct nlmsghdr *, nl_msg_cb, void *arg) P2S_WUR;

/* Read what is pending on a monitor socket (at most
 * NL_MONITOR_MAX_READS datagrams, so one busy socket cannot starve the
 * event loop; the fd stays readable if more is queued).  on_overrun
 * runs when the kernel dropped events.  Returns 0, cb's first error, or a
 * socket -errno. */
int nl_monitor_read(struct nl *, nl_msg_cb, nl_overrun_cb, void *arg) P2S_WUR;

/*
 * Batches: many requests, sent NL_BATCH_CHUNK_MSGS per sendmsg().  The
 * kernel goes on after a failed request, so every request has its own
 * result: an error the kernel sends for it, or success when the ACK of
 * its chunk's last request came without one (only that request asks for
 * an ACK, so 1,000 routes cost 8 ACKs to read, not 1,000).  Build each
 * message into the space that nl_batch_reserve() returns, then
 * nl_batch_commit() it.
 */
struct nl_batch *nl_batch_new(void);
void nl_batch_free(struct nl_batch *);
void nl_batch_reset(struct nl_batch *);
/* At least cap zeroed bytes for the next message, 4-byte aligned; NULL
 * when out of memory.  Valid until the next reserve. */
void *nl_batch_reserve(struct nl_batch *, size_t cap);
/* Take the message built at the reserved space (its nlmsg_len says how
 * long it is).  -EINVAL if it is not a well-formed message that fits. */
int nl_batch_commit(struct nl_batch *) P2S_WUR;
size_t nl_batch_count(const struct nl_batch *);
/* Send everything, wait for every ACK.  Returns a transport -errno, else
 * the first failed request's -errno, else 0. */
int nl_batch_send(struct nl *, struct nl_batch *) P2S_WUR;
/* Request i's result after nl_batch_send: 0, the kernel's -errno, or
 * -ECANCELED when it was never answered. */
int nl_batch_result(const struct nl_batch *, size_t i);
/* The committed messages back to back, *ret_len bytes (NULL when
 * empty), as nl_batch_send will send them but for flags and seq. */
const void *nl_batch_data(const struct nl_batch *, size_t *ret_len);

/*
 * Building a message into a caller's buffer (4-byte aligned, zeroed by
 * nl_msg_init).  The error is sticky: builders stay linear and test
 * nl_msg_ok() once at the end.  Flags are the operation's own
 * (NLM_F_CREATE, ...); NLM_F_REQUEST, ACK, DUMP and seq are set on send.
 */
struct nl_msg {
	struct nlmsghdr *nlh; /* borrowed: the caller's buffer */
	size_t cap;	      /* bytes the message may grow to */
	bool err;	      /* sticky: something did not fit */
};

void nl_msg_init(
    struct nl_msg *, void *buf, size_t cap, uint16_t type, uint16_t flags);
/* The fixed header after the nlmsghdr (struct rtmsg, ...), zeroed; NULL
 * when it does not fit.  Call once, before any attribute. */
void *nl_msg_put_fixed(struct nl_msg *, size_t len);
void nl_msg_put(struct nl_msg *, uint16_t type, const void *, size_t);
void nl_msg_put_u8(struct nl_msg *, uint16_t type, uint8_t);
void nl_msg_put_u16(struct nl_msg *, uint16_t type, uint16_t);
void nl_msg_put_u32(struct nl_msg *, uint16_t type, uint32_t);
void nl_msg_put_str(struct nl_msg *, uint16_t type, const char *);
void nl_msg_put_addr(struct nl_msg *, uint16_t type, const struct nl_addr *);
/* Room for an attribute's len-byte payload, zeroed, to fill in place (so
 * a key is written once, into the message); NULL when it did not fit. */
void *nl_msg_put_reserve(struct nl_msg *, uint16_t type, size_t len);
/* Nests: start returns an opaque mark (NULL when it did not fit), end
 * closes it; both tolerate a NULL mark after an error. */
struct nlattr *nl_msg_nest_start(struct nl_msg *, uint16_t type);
void nl_msg_nest_end(struct nl_msg *, struct nlattr *);

static inline bool
nl_msg_ok(const struct nl_msg *m)
{
	return !m->err;
}

/*
 * Parsing: a policy per attribute type, as the kernel's nla_policy.
 * Unknown types (beyond the table, or NL_A_UNSPEC) are skipped; a known
 * attribute of the wrong size, a truncated attribute, or bytes after the
 * last attribute are -EBADMSG.
 */
enum nl_attr_kind {
	NL_A_UNSPEC = 0, /* not ours: skipped */
	NL_A_U8,
	NL_A_U16,
	NL_A_U32,
	NL_A_U64,
	NL_A_STRING, /* NUL-terminated, at most len bytes with NUL */
	NL_A_NESTED, /* attributes inside */
	NL_A_EXACT,  /* a fixed struct: exactly len bytes */
	NL_A_MIN,    /* a struct plus data: at least len bytes */
	NL_A_ADDR,   /* 4 or 16 bytes */
};

struct nl_policy {
	enum nl_attr_kind kind;
	uint16_t len; /* bytes: see the kinds */
};

/* Parse the attributes after a fixed header of fixed_len bytes into
 * tb[0..n_policy-1] (NULL where absent; the last one of a type wins).
 * -EBADMSG when the message is shorter than its fixed header. */
int nl_attr_parse(const struct nlmsghdr *, size_t fixed_len,
    const struct nl_policy *, size_t n_policy,
    const struct nlattr **tb) P2S_WUR;
int nl_attr_parse_nested(const struct nlattr *, const struct nl_policy *,
    size_t n_policy, const struct nlattr **tb) P2S_WUR;
/* Copy an address attribute (checked NL_A_ADDR) of the given family;
 * -EBADMSG if its size does not match the family. */
int nl_attr_get_addr(
    const struct nlattr *, int family, struct nl_addr *ret) P2S_WUR;
/* Copy the fixed header (after nl_attr_parse checked its length). */
void nl_msg_get_fixed(const struct nlmsghdr *, void *dst, size_t len);

/* Walk the messages of one datagram: cb for each well-formed message that
 * is not NLMSG_NOOP.  Returns cb's first error, or -EBADMSG when bytes are
 * left that do not form a message (after the good ones were passed on). */
int nl_datagram_walk(const void *buf, size_t len, nl_msg_cb, void *arg) P2S_WUR;
/* An NLMSG_ERROR message: *ret_err is 0 (an ACK) or a negative errno,
 * msg receives the NLMSGERR_ATTR_MSG text ("" if none; may be NULL).
 * -EBADMSG when malformed. */
int nl_ack_parse(
    const struct nlmsghdr *, int *ret_err, char *msg, size_t msg_len) P2S_WUR;

#endif /* P2S_NL_H */
