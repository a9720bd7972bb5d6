/* SPDX-License-Identifier: ISC */
/*
 * nl.c: netlink sockets over libmnl (see nl.h): requests and their ACKs,
 * dumps, batches, monitors, and the attribute policy check that every
 * parser in rtnl.c and xfrm.c goes through.  Netlink framing is RFC 3549
 * section 2.3.2; extended ACKs are Linux's NETLINK_EXT_ACK (4.12).
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "buf.h"
#include "log.h"
#include "nl.h"

#define NL_RX_BUF_SIZE 32768	 /* bytes: the kernel's largest dump skb */
#define NL_RCVBUF      (1 << 20) /* bytes: room for a batch's ACKs */

struct nl {
	struct mnl_socket *sock;    /* owned */
	uint32_t portid;	    /* ours, assigned by bind */
	uint32_t seq;		    /* last sequence number used */
	bool wipe_rx;		    /* XFRM: replies may hold keys */
	void *rx;		    /* owned, NL_RX_BUF_SIZE bytes */
	char errmsg[NL_ERRMSG_MAX]; /* last ext ACK text */
};

struct nl_batch {
	uint8_t *buf;	 /* owned: the messages, back to back */
	size_t len;	 /* bytes committed */
	size_t cap;	 /* bytes allocated */
	size_t reserved; /* bytes handed out by the last reserve */
	int *results;	 /* owned, one per message */
	size_t n;	 /* messages committed */
	size_t n_cap;	 /* results allocated */
};

/* What a request, a batch chunk or a dump waits for. */
struct nl_wait {
	uint32_t seq_first; /* answers carry seq_first .. +n-1 */
	size_t n;
	size_t n_done; /* answered so far */
	bool ack_last; /* batch chunk: only the last request asked for an ACK */
	int *results;  /* n of them; -ECANCELED = unanswered */
	bool dump;     /* ends at NLMSG_DONE, not at ACKs */
	bool done;     /* dump: NLMSG_DONE or an error seen */
	bool intr;     /* dump: NLM_F_DUMP_INTR seen */
	int cb_err;    /* first error from cb */
	nl_msg_cb cb;
	void *arg;
};

size_t
nl_addr_size(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

bool
nl_addr_eq(const struct nl_addr *a, const struct nl_addr *b)
{
	return a->family == b->family &&
	    memcmp(a->bytes, b->bytes, nl_addr_size(a->family)) == 0;
}

bool
nl_prefix_valid(const struct nl_prefix *p)
{
	size_t size = nl_addr_size(p->addr.family);

	return size > 0 && p->len <= size * 8;
}

/*
 * Sockets.
 */

static int
nl_setsockopt_int(struct nl *nl, int level, int opt, int val)
{
	if (setsockopt(mnl_socket_get_fd(nl->sock), level, opt, &val,
		sizeof(val)) == -1)
		return -errno;
	return 0;
}

static int
nl_configure(struct nl *nl, int bus)
{
	int r;

	/* Required: without it an ACK echoes the request, keys and all. */
	r = nl_setsockopt_int(nl, SOL_NETLINK, NETLINK_CAP_ACK, 1);
	if (r < 0)
		return r;
	/* Optional: the kernel's reason text for errors (Linux 4.12). */
	if (nl_setsockopt_int(nl, SOL_NETLINK, NETLINK_EXT_ACK, 1) < 0)
		log_debug("no NETLINK_EXT_ACK: errors without a reason text");
	/* Optional: dump filters in the request header are honoured. */
	if (bus == NETLINK_ROUTE)
		(void)nl_setsockopt_int(
		    nl, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
	/* A batch's ACKs and a burst of events must fit: force a larger
	 * buffer if we may (CAP_NET_ADMIN), else take what rmem_max allows. */
	if (nl_setsockopt_int(nl, SOL_SOCKET, SO_RCVBUFFORCE, NL_RCVBUF) < 0)
		(void)nl_setsockopt_int(nl, SOL_SOCKET, SO_RCVBUF, NL_RCVBUF);
	return 0;
}

static struct nl *
nl_open_groups(int bus, const unsigned int *groups, size_t n_groups)
{
	struct nl *nl;
	int r = -ENOMEM;

	nl = calloc(1, sizeof(*nl));
	if (nl == NULL || (nl->rx = malloc(NL_RX_BUF_SIZE)) == NULL)
		goto fail;
	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (nl->sock == NULL) {
		r = -errno;
		goto fail;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) == -1) {
		r = -errno;
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->wipe_rx = bus == NETLINK_XFRM;
	if ((r = nl_configure(nl, bus)) < 0)
		goto fail;
	for (size_t i = 0; i < n_groups; i++) {
		r = nl_setsockopt_int(
		    nl, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, (int)groups[i]);
		if (r < 0)
			goto fail;
	}
	return nl;
fail:
	nl_close(nl);
	errno = -r;
	return NULL;
}

struct nl *
nl_open(int bus)
{
	return nl_open_groups(bus, NULL, 0);
}

struct nl *
nl_open_monitor(int bus, const unsigned int *groups, size_t n_groups)
{
	return nl_open_groups(bus, groups, n_groups);
}

void
nl_close(struct nl *nl)
{
	if (nl == NULL)
		return;
	if (nl->sock != NULL)
		(void)mnl_socket_close(nl->sock);
	if (nl->rx != NULL)
		wipe(nl->rx, NL_RX_BUF_SIZE);
	free(nl->rx);
	free(nl);
}

int
nl_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

const char *
nl_errmsg(const struct nl *nl)
{
	return nl->errmsg;
}

static uint32_t
nl_next_seq(struct nl *nl)
{
	/* 0 means "unsolicited" to the kernel's users: never send it. */
	if (++nl->seq == 0)
		nl->seq = 1;
	return nl->seq;
}

static int
nl_send(struct nl *nl, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = mnl_socket_sendto(nl->sock, buf, len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -errno;
	/* A datagram goes whole or not at all; anything else is a bug. */
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * One datagram from the kernel into nl->rx.  Returns its length, 0 when
 * nothing is pending or it was dropped (not from the kernel), or -errno:
 * -ENOBUFS when the kernel dropped messages for us, -EMSGSIZE when a
 * datagram did not fit (and is lost).
 */
static ssize_t
nl_recv(struct nl *nl)
{
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = nl->rx, .iov_len = NL_RX_BUF_SIZE };
	struct msghdr mh = { .msg_name = &sa,
		.msg_namelen = sizeof(sa),
		.msg_iov = &iov,
		.msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(mnl_socket_get_fd(nl->sock), &mh, MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? 0 : -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (mh.msg_namelen != sizeof(sa) || sa.nl_pid != 0) {
		/* Another process can unicast to our port id: not the kernel,
		 * so not an answer and not an event. */
		log_debug("dropped %zd bytes from port id %u", n,
		    (unsigned)sa.nl_pid);
		return 0;
	}
	return n;
}

static int64_t
nl_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until the socket is readable or the deadline passes. */
static int
nl_poll(struct nl *nl, int64_t deadline)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl->sock),
		.events = POLLIN };
	int64_t left = deadline - nl_now_ms();
	int r;

	if (left <= 0)
		return -ETIMEDOUT;
	r = poll(&pfd, 1, (int)left);
	if (r == -1)
		return errno == EINTR ? 0 : -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/*
 * Answers.
 */

/*
 * The next message of a datagram at *off, or NULL at its end.  Not
 * libmnl's mnl_nlmsg_ok(): that compares (int)nlmsg_len, so a length past
 * INT_MAX passes, and MNL_ALIGN() of a length near UINT32_MAX wraps to 0
 * and the walk never advances (found by fuzz_nl: corpus/nl/regress-len-*).
 */
static const struct nlmsghdr *
nl_next_msg(const void *buf, size_t len, size_t *off)
{
	const void *p = (const uint8_t *)buf + *off;
	const struct nlmsghdr *nlh = p;

	if (len - *off < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > len - *off)
		return NULL;
	*off += ((size_t)nlh->nlmsg_len + NLMSG_ALIGNTO - 1) &
	    ~(size_t)(NLMSG_ALIGNTO - 1);
	/* The last message may come without its padding. */
	if (*off > len)
		*off = len;
	return nlh;
}

static int nl_attr_parse_span(const void *, size_t, const struct nl_policy *,
    size_t, const struct nlattr **);

static const struct nl_policy ack_policy[] = {
	[NLMSGERR_ATTR_MSG] = { NL_A_STRING, 0 },
	[NLMSGERR_ATTR_OFFS] = { NL_A_U32, 0 },
};

/* The TLVs after struct nlmsgerr (and after the echoed request unless the
 * ACK is capped), bounded by the message. */
static void
nl_ack_text(const struct nlmsghdr *nlh, const struct nlmsgerr *e, char *msg,
    size_t msg_len)
{
	const struct nlattr *tb[ARRAY_SIZE(ack_policy)];
	size_t payload = mnl_nlmsg_get_payload_len(nlh);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* The echoed request's length comes from the kernel; it
		 * still must not point past this message. */
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    e->msg.nlmsg_len - NLMSG_HDRLEN > payload - off)
			return;
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off >= payload)
		return;
	/* Malformed TLVs cost us the text, not the error code. */
	if (nl_attr_parse_span(
		(const uint8_t *)mnl_nlmsg_get_payload(nlh) + off,
		payload - off, ack_policy, ARRAY_SIZE(ack_policy), tb) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] != NULL) {
		(void)snprintf(msg, msg_len, "%s",
		    mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
		msg[strcspn(msg, "\n")] = '\0';
	}
}

int
nl_ack_parse(
    const struct nlmsghdr *nlh, int *ret_err, char *msg, size_t msg_len)
{
	struct nlmsgerr e;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(e))
		return -EBADMSG;
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	/* Errors are negative errnos; anything else is not one. */
	if (e.error > 0 || e.error < -4095)
		return -EBADMSG;
	if (msg != NULL && msg_len > 0) {
		msg[0] = '\0';
		if (e.error != 0)
			nl_ack_text(nlh, &e, msg, msg_len);
	}
	*ret_err = e.error;
	return 0;
}

static void
nl_wait_answer(
    struct nl *nl, struct nl_wait *w, size_t i, int err, const char *text)
{
	if (w->results[i] != -ECANCELED)
		return; /* answered twice: keep the first */
	w->results[i] = err;
	w->n_done++;
	if (err < 0 && nl->errmsg[0] == '\0')
		(void)snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", text);
}

static int
nl_wait_error(struct nl *nl, struct nl_wait *w, const struct nlmsghdr *nlh)
{
	char text[NL_ERRMSG_MAX];
	size_t i = nlh->nlmsg_seq - w->seq_first;
	int err, r;

	r = nl_ack_parse(nlh, &err, text, sizeof(text));
	if (r < 0)
		return r;
	if (w->dump) {
		/* An error ends a dump: it is the dump's result. */
		w->done = true;
		i = 0;
	}
	nl_wait_answer(nl, w, i, err, text);
	return 0;
}

static int
nl_wait_done(struct nl *nl, struct nl_wait *w, const struct nlmsghdr *nlh)
{
	int32_t err = 0;

	if (!w->dump)
		return 0; /* not expected outside a dump: ignore */
	/* NLMSG_DONE may carry the dump's error code. */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err > 0 || err < -4095)
		err = -EBADMSG;
	w->done = true;
	nl_wait_answer(nl, w, 0, err, "");
	return 0;
}

static int
nl_wait_msg(struct nl *nl, struct nl_wait *w, const struct nlmsghdr *nlh)
{
	int r;

	/* Answers to someone else, or to a request we gave up on. */
	if (nlh->nlmsg_pid != nl->portid ||
	    nlh->nlmsg_seq - w->seq_first >= w->n) {
		log_debug("dropped message type %u seq %u port id %u",
		    nlh->nlmsg_type, nlh->nlmsg_seq, nlh->nlmsg_pid);
		return 0;
	}
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		return nl_wait_error(nl, w, nlh);
	case NLMSG_DONE:
		return nl_wait_done(nl, w, nlh);
	case NLMSG_OVERRUN:
		return -ENOBUFS;
	default:
		break;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		w->intr = true;
	if (w->cb != NULL && (r = w->cb(nlh, w->arg)) < 0 && w->cb_err == 0)
		w->cb_err = r;
	return 0;
}

static bool
nl_wait_finished(const struct nl_wait *w)
{
	if (w->dump)
		return w->done;
	if (w->ack_last)
		return w->results[w->n - 1] != -ECANCELED;
	return w->n_done == w->n;
}

static int
nl_wait_datagram(struct nl *nl, struct nl_wait *w, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;
	int r = 0;

	while (r == 0 && !nl_wait_finished(w) &&
	    (nlh = nl_next_msg(nl->rx, len, &off)) != NULL)
		r = nl_wait_msg(nl, w, nlh);
	return r;
}

/* Read answers until the request, chunk or dump is complete. */
static int
nl_wait_run(struct nl *nl, struct nl_wait *w)
{
	int64_t deadline = nl_now_ms() + NL_REPLY_TIMEOUT_MS;
	ssize_t n;
	int r = 0;

	while (r == 0 && !nl_wait_finished(w)) {
		n = nl_recv(nl);
		if (n < 0)
			r = (int)n;
		else if (n == 0)
			r = nl_poll(nl, deadline);
		else
			r = nl_wait_datagram(nl, w, (size_t)n);
		if (n > 0 && nl->wipe_rx)
			wipe(nl->rx, (size_t)n);
	}
	return r;
}

static int
nl_wait_result(const struct nl_wait *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->results[i] < 0)
			return w->results[i];
	return w->cb_err;
}

int
nl_request(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *arg)
{
	int result = -ECANCELED;
	struct nl_wait w = { .n = 1, .results = &result, .cb = cb, .arg = arg };
	int r;

	nl->errmsg[0] = '\0';
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = w.seq_first = nl_next_seq(nl);
	nlh->nlmsg_pid = 0;
	r = nl_send(nl, nlh, nlh->nlmsg_len);
	if (r == 0)
		r = nl_wait_run(nl, &w);
	return r < 0 ? r : nl_wait_result(&w);
}

int
nl_dump(struct nl *nl, struct nlmsghdr *nlh, nl_msg_cb cb, void *arg)
{
	int result = -ECANCELED;
	struct nl_wait w = {
		.n = 1, .results = &result, .dump = true, .cb = cb, .arg = arg
	};
	int r;

	nl->errmsg[0] = '\0';
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = w.seq_first = nl_next_seq(nl);
	nlh->nlmsg_pid = 0;
	r = nl_send(nl, nlh, nlh->nlmsg_len);
	if (r == 0)
		r = nl_wait_run(nl, &w);
	if (r < 0)
		return r;
	if ((r = nl_wait_result(&w)) < 0)
		return r;
	if (w.intr) {
		log_debug(
		    "dump type %u interrupted by a change", nlh->nlmsg_type);
		return -EAGAIN;
	}
	return 0;
}

/*
 * Monitors.
 */

int
nl_datagram_walk(const void *buf, size_t len, nl_msg_cb cb, void *arg)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;
	int r, first = 0;

	while ((nlh = nl_next_msg(buf, len, &off)) != NULL)
		if (nlh->nlmsg_type != NLMSG_NOOP && (r = cb(nlh, arg)) < 0 &&
		    first == 0)
			first = r;
	if (first == 0 && off < len) {
		log_debug("%zu bytes after the last message", len - off);
		first = -EBADMSG;
	}
	return first;
}

int
nl_monitor_read(
    struct nl *nl, nl_msg_cb cb, nl_overrun_cb on_overrun, void *arg)
{
	ssize_t n;
	int r, first = 0;

	for (int i = 0; i < NL_MONITOR_MAX_READS; i++) {
		n = nl_recv(nl);
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			/* Events were lost: only a fresh dump tells the
			 * truth now.  The socket itself is fine. */
			log_debug("monitor overrun (%s)", strerror((int)-n));
			on_overrun(arg);
			continue;
		}
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		r = nl_datagram_walk(nl->rx, (size_t)n, cb, arg);
		if (r < 0 && first == 0)
			first = r;
		if (nl->wipe_rx)
			wipe(nl->rx, (size_t)n);
	}
	return first;
}

/*
 * Batches.
 */

struct nl_batch *
nl_batch_new(void)
{
	return calloc(1, sizeof(struct nl_batch));
}

void
nl_batch_free(struct nl_batch *b)
{
	if (b == NULL)
		return;
	if (b->buf != NULL)
		wipe(b->buf, b->cap);
	free(b->buf);
	free(b->results);
	free(b);
}

void
nl_batch_reset(struct nl_batch *b)
{
	if (b->buf != NULL)
		wipe(b->buf, b->len);
	b->len = 0;
	b->n = 0;
	b->reserved = 0;
}

static int
nl_batch_grow(struct nl_batch *b, size_t need)
{
	size_t cap = b->cap > 0 ? b->cap : 4096;
	uint8_t *p;

	if (need > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	while (cap < b->len + need)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	/* realloc could leave a copy of the old bytes behind: the batch may
	 * carry keys, so move them by hand and wipe the old block. */
	p = malloc(cap);
	if (p == NULL)
		return -ENOMEM;
	if (b->buf != NULL) {
		memcpy(p, b->buf, b->len);
		wipe(b->buf, b->cap);
		free(b->buf);
	}
	b->buf = p;
	b->cap = cap;
	return 0;
}

/* The message at byte off: messages are padded to 4 bytes, and malloc's
 * block is aligned for anything. */
static struct nlmsghdr *
nl_batch_at(const struct nl_batch *b, size_t off)
{
	void *p = b->buf + off;

	return p;
}

void *
nl_batch_reserve(struct nl_batch *b, size_t cap)
{
	if (nl_batch_grow(b, cap) < 0)
		return NULL;
	b->reserved = cap;
	memset(b->buf + b->len, 0, cap);
	return b->buf + b->len;
}

int
nl_batch_commit(struct nl_batch *b)
{
	struct nlmsghdr *nlh = nl_batch_at(b, b->len);
	size_t len;
	int *p;

	if (b->reserved < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > b->reserved)
		return -EINVAL;
	if (b->n == b->n_cap) {
		size_t n_cap = b->n_cap > 0 ? b->n_cap * 2 : 64;

		p = reallocarray(b->results, n_cap, sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		b->results = p;
		b->n_cap = n_cap;
	}
	len = NLMSG_ALIGN(nlh->nlmsg_len);
	b->results[b->n++] = -ECANCELED;
	b->len += len;
	b->reserved = 0;
	return 0;
}

size_t
nl_batch_count(const struct nl_batch *b)
{
	return b->n;
}

int
nl_batch_result(const struct nl_batch *b, size_t i)
{
	return i < b->n ? b->results[i] : -EINVAL;
}

const void *
nl_batch_data(const struct nl_batch *b, size_t *ret_len)
{
	*ret_len = b->len;
	return b->len > 0 ? b->buf : NULL;
}

/*
 * Number the messages from `from` on, up to a chunk's worth; returns the
 * chunk's length in bytes and message count.  Only the chunk's last
 * request asks for an ACK: the kernel answers every failed request
 * whether asked or not, and in order, so once the last ACK is in, every
 * request without an error before it succeeded.  One ACK to read per
 * chunk instead of one per request.
 */
static size_t
nl_batch_chunk(
    struct nl *nl, struct nl_batch *b, size_t off, size_t from, size_t *ret_n)
{
	struct nlmsghdr *nlh = NULL;
	size_t len = 0, n = 0;

	while (from + n < b->n && n < NL_BATCH_CHUNK_MSGS) {
		struct nlmsghdr *next = nl_batch_at(b, off + len);
		size_t msg_len = NLMSG_ALIGN(next->nlmsg_len);

		if (n > 0 && len + msg_len > NL_BATCH_CHUNK_BYTES)
			break;
		nlh = next;
		nlh->nlmsg_flags |= NLM_F_REQUEST;
		nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
		nlh->nlmsg_seq = nl_next_seq(nl);
		nlh->nlmsg_pid = 0;
		len += msg_len;
		n++;
	}
	if (nlh != NULL)
		nlh->nlmsg_flags |= NLM_F_ACK;
	*ret_n = n;
	return len;
}

int
nl_batch_send(struct nl *nl, struct nl_batch *b)
{
	size_t off = 0, i = 0, n, len;
	int r = 0;

	nl->errmsg[0] = '\0';
	for (size_t k = 0; k < b->n; k++)
		b->results[k] = -ECANCELED;
	while (r == 0 && i < b->n) {
		struct nl_wait w = { .results = b->results + i,
			.ack_last = true };

		/* A chunk's seqs must be consecutive: wrap before, not
		 * inside it (0 is never used). */
		if (nl->seq > UINT32_MAX - NL_BATCH_CHUNK_MSGS)
			nl->seq = 0;
		w.seq_first = nl->seq + 1;
		len = nl_batch_chunk(nl, b, off, i, &n);
		w.n = n;
		r = nl_send(nl, b->buf + off, len);
		if (r == 0)
			r = nl_wait_run(nl, &w);
		for (size_t k = 0; r == 0 && k < n; k++)
			if (w.results[k] == -ECANCELED)
				w.results[k] = 0; /* no error before the ACK */
		off += len;
		i += n;
	}
	if (r < 0)
		return r;
	for (size_t k = 0; k < b->n; k++)
		if (b->results[k] < 0)
			return b->results[k];
	return 0;
}

/*
 * Building.
 */

void
nl_msg_init(
    struct nl_msg *m, void *buf, size_t cap, uint16_t type, uint16_t flags)
{
	m->nlh = buf;
	m->cap = cap;
	m->err = cap < NLMSG_HDRLEN || cap > UINT32_MAX;
	if (m->err)
		return;
	memset(buf, 0, cap);
	m->nlh = mnl_nlmsg_put_header(buf);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
}

void *
nl_msg_put_fixed(struct nl_msg *m, size_t len)
{
	if (m->err || len > m->cap - m->nlh->nlmsg_len) {
		m->err = true;
		return NULL;
	}
	return mnl_nlmsg_put_extra_header(m->nlh, len);
}

void
nl_msg_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	if (m->err || len > UINT16_MAX - MNL_ATTR_HDRLEN ||
	    !mnl_attr_put_check(m->nlh, m->cap, type, len, data))
		m->err = true;
}

void
nl_msg_put_u8(struct nl_msg *m, uint16_t type, uint8_t v)
{
	nl_msg_put(m, type, &v, sizeof(v));
}

void
nl_msg_put_u16(struct nl_msg *m, uint16_t type, uint16_t v)
{
	nl_msg_put(m, type, &v, sizeof(v));
}

void
nl_msg_put_u32(struct nl_msg *m, uint16_t type, uint32_t v)
{
	nl_msg_put(m, type, &v, sizeof(v));
}

void
nl_msg_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_msg_put(m, type, s, strlen(s) + 1);
}

void
nl_msg_put_addr(struct nl_msg *m, uint16_t type, const struct nl_addr *a)
{
	size_t size = nl_addr_size(a->family);

	if (size == 0)
		m->err = true;
	else
		nl_msg_put(m, type, a->bytes, size);
}

void *
nl_msg_put_reserve(struct nl_msg *m, uint16_t type, size_t len)
{
	struct nlattr *attr;

	if (m->err || len > UINT16_MAX - MNL_ATTR_HDRLEN ||
	    MNL_ALIGN(MNL_ATTR_HDRLEN + len) > m->cap - m->nlh->nlmsg_len) {
		m->err = true;
		return NULL;
	}
	/* The buffer was zeroed by nl_msg_init: payload and padding are. */
	attr = mnl_nlmsg_get_payload_tail(m->nlh);
	attr->nla_type = type;
	attr->nla_len = (uint16_t)(MNL_ATTR_HDRLEN + len);
	m->nlh->nlmsg_len += MNL_ALIGN(attr->nla_len);
	return mnl_attr_get_payload(attr);
}

struct nlattr *
nl_msg_nest_start(struct nl_msg *m, uint16_t type)
{
	struct nlattr *nest = NULL;

	if (!m->err)
		nest = mnl_attr_nest_start_check(m->nlh, m->cap, type);
	if (nest == NULL)
		m->err = true;
	return nest;
}

void
nl_msg_nest_end(struct nl_msg *m, struct nlattr *nest)
{
	if (!m->err && nest != NULL)
		mnl_attr_nest_end(m->nlh, nest);
}

/*
 * Parsing.
 */

static bool
nl_attr_valid(const struct nlattr *attr, const struct nl_policy *p)
{
	size_t len = mnl_attr_get_payload_len(attr);
	const char *s = mnl_attr_get_payload(attr);

	switch (p->kind) {
	case NL_A_U8:
		return len == 1;
	case NL_A_U16:
		return len == 2;
	case NL_A_U32:
		return len == 4;
	case NL_A_U64:
		return len == 8;
	case NL_A_STRING:
		return len > 0 && s[len - 1] == '\0' &&
		    (p->len == 0 || len <= p->len);
	case NL_A_NESTED:
		return len == 0 || len >= MNL_ATTR_HDRLEN;
	case NL_A_EXACT:
		return len == p->len;
	case NL_A_MIN:
		return len >= p->len;
	case NL_A_ADDR:
		return len == 4 || len == 16;
	case NL_A_UNSPEC:
	default:
		return true;
	}
}

/* Attributes in [p, p + len): the kernel's nla_parse, made strict about
 * lengths and leftovers. */
static int
nl_attr_parse_span(const void *p, size_t len, const struct nl_policy *pol,
    size_t n_pol, const struct nlattr **tb)
{
	const struct nlattr *attr = p;
	int left = len > INT32_MAX ? INT32_MAX : (int)len;

	memset(tb, 0, n_pol * sizeof(*tb));
	while (mnl_attr_ok(attr, left)) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type < n_pol && pol[type].kind != NL_A_UNSPEC) {
			if (!nl_attr_valid(attr, &pol[type])) {
				log_debug("attribute %u: bad length %u", type,
				    (unsigned)mnl_attr_get_payload_len(attr));
				return -EBADMSG;
			}
			tb[type] = attr;
		}
		/* May step up to 3 bytes past the end when the last
		 * attribute is not padded: left goes negative, loop ends. */
		left -= (int)MNL_ALIGN(attr->nla_len);
		attr = mnl_attr_next(attr);
	}
	if (left > 0) {
		log_debug("%d bytes after the last attribute", left);
		return -EBADMSG;
	}
	return 0;
}

int
nl_attr_parse(const struct nlmsghdr *nlh, size_t fixed_len,
    const struct nl_policy *pol, size_t n_pol, const struct nlattr **tb)
{
	size_t payload;

	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -EBADMSG;
	payload = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (payload < fixed_len) {
		log_debug("message type %u: %zu bytes < %zu", nlh->nlmsg_type,
		    payload, fixed_len);
		return -EBADMSG;
	}
	fixed_len = MNL_ALIGN(fixed_len);
	if (fixed_len > payload)
		fixed_len = payload;
	return nl_attr_parse_span(
	    (const uint8_t *)mnl_nlmsg_get_payload(nlh) + fixed_len,
	    payload - fixed_len, pol, n_pol, tb);
}

int
nl_attr_parse_nested(const struct nlattr *nest, const struct nl_policy *pol,
    size_t n_pol, const struct nlattr **tb)
{
	return nl_attr_parse_span(mnl_attr_get_payload(nest),
	    mnl_attr_get_payload_len(nest), pol, n_pol, tb);
}

int
nl_attr_get_addr(const struct nlattr *attr, int family, struct nl_addr *ret)
{
	size_t size = nl_addr_size(family);

	if (size == 0 || mnl_attr_get_payload_len(attr) != size)
		return -EBADMSG;
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)family;
	memcpy(ret->bytes, mnl_attr_get_payload(attr), size);
	return 0;
}

void
nl_msg_get_fixed(const struct nlmsghdr *nlh, void *dst, size_t len)
{
	memcpy(dst, mnl_nlmsg_get_payload(nlh), len);
}
