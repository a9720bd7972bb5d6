/* SPDX-License-Identifier: ISC */
/*
 * ctl.c: p2sd's side of the control socket (see ctl.h for where it is,
 * who may use it and what it says).  A listening SOCK_SEQPACKET socket on
 * the loop; each accepted connection gets one slot of CTL_MAX_CLIENTS, an
 * idle timer, one request and one reply, and is closed.  Nothing a client
 * sends can make p2sd wait: sockets are non-blocking, a reply is one
 * record that fits the socket's send buffer or is not sent, and clients
 * that are slow, too many, too long-winded or not allowed are dropped.
 */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "loop.h"

#define CTL_PATH_LEN	sizeof(((struct sockaddr_un *)0)->sun_path)
#define CTL_GRBUF_MAX	(1024 * 1024) /* bytes for getgrnam_r's strings */
#define CTL_PEER_GROUPS 64	      /* supplementary groups read at once */

/*
 * Bytes of one reply record.  The kernel puts a unix record's first 16 KiB
 * or so in one contiguous buffer and the rest in page fragments, up to
 * 17 of them: at this size no record needs more than an order-2
 * allocation, while a 400 KiB status in one record would need order 7.
 */
#define CTL_REPLY_CHUNK (64 * 1024)

struct ctl;

struct ctl_client {
	struct ctl *ctl;      /* borrowed: the server */
	int fd;		      /* owned; -1: slot free */
	struct io *io;	      /* owned */
	struct timer *t_idle; /* owned: CTL_CLIENT_IDLE_MS to send */
	struct ucred cred;    /* the peer, at connect time */
};

struct ctl {
	struct loop *loop;	   /* borrowed */
	const struct ctl_ops *ops; /* borrowed */
	void *arg;		   /* for ops */
	char path[CTL_PATH_LEN];   /* the socket file */
	int fd;			   /* owned: listening; -1: none */
	int lock_fd;		   /* owned: flock on NAME.lock; -1: none */
	struct io *io;		   /* owned: fd's */
	bool bound;		   /* path is our socket: unlink it */
	bool has_group;		   /* P2S_CTL_GROUP was given */
	gid_t gid;		   /* its number */
	struct ctl_client clients[CTL_MAX_CLIENTS];
	uint8_t req[CTL_REQ_MAX_LEN]; /* the request being read */
	struct ctl_status status;     /* scratch for ops->status */
};

/* ---- Who may talk to us. ---- */

static int
group_by_name(const char *name, gid_t *ret)
{
	struct group gr, *res = NULL;
	size_t len = 4096;
	char *buf = NULL;
	int r;

	do {
		char *p = realloc(buf, len);

		if (p == NULL) {
			free(buf);
			return -ENOMEM;
		}
		buf = p;
		r = getgrnam_r(name, &gr, buf, len, &res);
		len *= 2;
	} while (r == ERANGE && len <= CTL_GRBUF_MAX);
	if (r == 0 && res != NULL)
		*ret = res->gr_gid;
	free(buf);
	if (r != 0)
		return -r;
	return res != NULL ? 0 : -ENOENT;
}

/* P2S_CTL_GROUP: a group name, or its number. */
static int
group_load(struct ctl *ctl)
{
	const char *s = getenv("P2S_CTL_GROUP");
	char *end;
	unsigned long v;
	int r;

	if (s == NULL || s[0] == '\0')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0 &&
	    v < (gid_t)-1) {
		ctl->gid = (gid_t)v;
		ctl->has_group = true;
		return 0;
	}
	r = group_by_name(s, &ctl->gid);
	if (r < 0) {
		log_errno(r, "P2S_CTL_GROUP=%s: no such group", s);
		return r;
	}
	ctl->has_group = true;
	return 0;
}

/* Is gid among the peer's supplementary groups (SO_PEERGROUPS)? */
static bool
peer_in_group(int fd, gid_t gid)
{
	gid_t small[CTL_PEER_GROUPS], *v = small;
	socklen_t len = sizeof(small);
	bool found = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, v, &len) < 0) {
		/* ERANGE: len now says how much the kernel has. */
		if (errno != ERANGE || (v = malloc(len)) == NULL)
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, v, &len) < 0)
			len = 0;
	}
	for (size_t i = 0; i < len / sizeof(gid_t) && !found; i++)
		found = v[i] == gid;
	if (v != small)
		free(v);
	return found;
}

/*
 * The file mode keeps others from connecting; this holds even when the
 * mode is wrong or the socket was reached some other way.
 */
static bool
peer_allowed(const struct ctl *ctl, int fd, const struct ucred *cred)
{
	if (cred->uid == 0 || cred->uid == geteuid())
		return true;
	if (!ctl->has_group)
		return false;
	return cred->gid == ctl->gid || peer_in_group(fd, ctl->gid);
}

/* ---- Clients. ---- */

/*
 * A reply, in records of CTL_REPLY_CHUNK; the client reads to the end of
 * the connection.  All of it fits the send buffer (see reply_room()), so
 * a non-blocking send fails only if the client is gone.
 */
static int
reply_send(int fd, const char *reply, size_t len)
{
	for (size_t off = 0; off < len;) {
		size_t n =
		    len - off < CTL_REPLY_CHUNK ? len - off : CTL_REPLY_CHUNK;

		if (send(fd, reply + off, n, MSG_NOSIGNAL | MSG_DONTWAIT) !=
		    (ssize_t)n)
			return -errno;
		off += n;
	}
	return 0;
}

/* msg to a client we will not serve, then close: best effort. */
static void
refuse(int fd, const char *msg)
{
	char *reply;
	size_t len;

	if (ctl_reply_build(msg, &reply, &len) == 0) {
		(void)reply_send(fd, reply, len);
		free(reply);
	}
	(void)close(fd);
}

static void
client_close(struct ctl_client *c)
{
	io_free(c->io);
	timer_free(c->t_idle);
	if (c->fd >= 0)
		(void)close(c->fd);
	c->io = NULL;
	c->t_idle = NULL;
	c->fd = -1;
}

/*
 * The room for a reply: records stay charged to our send buffer until the
 * client reads them, and we never wait for it to, so the send buffer must
 * hold the whole reply.  Raising it past wmem_max takes CAP_NET_ADMIN
 * (p2sd has it); the kernel doubles what it is asked for, to allow for
 * its bookkeeping, and half of what it reports is ours.
 */
static size_t
reply_room(int fd)
{
	int want = CTL_REPLY_MAX_LEN, have = 0;
	socklen_t len = sizeof(have);

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) < 0)
		(void)setsockopt(
		    fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &have, &len) < 0 || have < 0)
		return 0;
	return (size_t)have / 2 < CTL_REPLY_MAX_LEN ? (size_t)have / 2
						    : CTL_REPLY_MAX_LEN;
}

static int
do_status(struct ctl_client *c, char **reply, size_t *len)
{
	struct ctl *ctl = c->ctl;
	int r;

	ctl_status_init(&ctl->status);
	r = ctl->ops->status(ctl->arg, &ctl->status);
	if (r == 0)
		r = ctl_reply_build_status(
		    &ctl->status, reply_room(c->fd), reply, len);
	ctl_status_done(&ctl->status);
	if (r < 0)
		log_errno(r, "control: cannot report the status");
	return r;
}

static int
do_cmd(struct ctl_client *c, enum ctl_cmd cmd, char **reply, size_t *len)
{
	struct ctl *ctl = c->ctl;
	int r;

	if (cmd == CTL_CMD_STATUS) {
		r = do_status(c, reply, len);
	} else {
		log_info("control: %s, asked by uid %u (pid %d)",
		    ctl_cmd_name(cmd), (unsigned)c->cred.uid, (int)c->cred.pid);
		r = cmd == CTL_CMD_UP ? ctl->ops->up(ctl->arg)
				      : ctl->ops->down(ctl->arg);
		if (r == 0)
			r = ctl_reply_build(NULL, reply, len);
	}
	if (r < 0)
		r = ctl_reply_build(strerror(-r), reply, len);
	return r;
}

/*
 * The request, whole: one record.  MSG_TRUNC makes recv() return the
 * record's real length, so one that does not fit is seen, not cut.
 */
static void
on_client(int fd, void *arg)
{
	struct ctl_client *c = arg;
	struct rd req = { .p = c->ctl->req };
	enum ctl_cmd cmd;
	char *reply = NULL;
	size_t len;
	ssize_t n;
	int r;

	n = recv(fd, c->ctl->req, sizeof(c->ctl->req), MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (size_t)n > sizeof(c->ctl->req)) {
		log_debug("control: dropped a client (%zd bytes, %zu at most)",
		    n, sizeof(c->ctl->req));
		client_close(c);
		return;
	}
	req.len = (size_t)n;
	r = ctl_request_parse(&req, &cmd);
	if (r == 0)
		r = do_cmd(c, cmd, &reply, &len);
	else
		r = ctl_reply_build(
		    r == -EOPNOTSUPP ? "unknown command" : "malformed request",
		    &reply, &len);
	if (r == 0 && (r = reply_send(fd, reply, len)) < 0)
		log_debug("control: reply of %zu bytes not sent: %s", len,
		    strerror(-r));
	free(reply);
	client_close(c);
}

static void
on_idle(void *arg)
{
	struct ctl_client *c = arg;

	log_debug("control: dropped a client that sent nothing");
	client_close(c);
}

static struct ctl_client *
client_slot(struct ctl *ctl)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctl->clients); i++)
		if (ctl->clients[i].fd < 0)
			return &ctl->clients[i];
	return NULL;
}

/* Takes fd. */
static void
client_start(struct ctl *ctl, int fd, const struct ucred *cred)
{
	struct ctl_client *c = client_slot(ctl);
	int r;

	if (c == NULL) {
		log_debug("control: busy, refused pid %d", (int)cred->pid);
		refuse(fd, "busy");
		return;
	}
	c->fd = fd;
	c->cred = *cred;
	r = io_new(ctl->loop, fd, on_client, c, &c->io);
	if (r == 0)
		r = timer_new(ctl->loop, on_idle, c, &c->t_idle);
	if (r == 0)
		r = timer_set(c->t_idle, CTL_CLIENT_IDLE_MS);
	if (r < 0)
		client_close(c);
}

static void
accept_one(struct ctl *ctl, int cfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    len != sizeof(cred)) {
		(void)close(cfd);
		return;
	}
	if (!peer_allowed(ctl, cfd, &cred)) {
		log_debug("control: refused uid %u gid %u (pid %d)",
		    (unsigned)cred.uid, (unsigned)cred.gid, (int)cred.pid);
		refuse(cfd, "permission denied");
		return;
	}
	client_start(ctl, cfd, &cred);
}

/* A bounded number per wakeup, so a flood of connects cannot hold the
 * loop; the rest wait in the backlog. */
static void
on_accept(int fd, void *arg)
{
	struct ctl *ctl = arg;

	for (int i = 0; i < CTL_MAX_CLIENTS + 1; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_debug(
				    "control: accept: %s", strerror(errno));
			return;
		}
		accept_one(ctl, cfd);
	}
}

/* ---- The socket file. ---- */

/* systemd makes RUNTIME (RuntimeDirectory=); by hand, we do. */
static int
runtime_dir_make(void)
{
	const char *dir = ctl_runtime_dir();
	int r;

	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	r = -errno;
	log_errno(r, "cannot make %s", dir);
	return r;
}

/*
 * One p2sd per profile: the lock is held as long as the process lives, so
 * a socket file found while we hold it was left by a daemon that died.
 */
static int
lock_take(struct ctl *ctl, const char *name)
{
	char path[CTL_PATH_LEN];
	int r;

	r = ctl_path(name, ".lock", path, sizeof(path));
	if (r < 0)
		return r;
	ctl->lock_fd = open(
	    path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (ctl->lock_fd < 0) {
		r = -errno;
		log_errno(r, "cannot open %s", path);
		return r;
	}
	if (flock(ctl->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EADDRINUSE : -errno;
		if (r == -EADDRINUSE)
			log_err("another p2sd runs profile %s (%s is locked)",
			    name, path);
		else
			log_errno(r, "cannot lock %s", path);
		return r;
	}
	return 0;
}

static int
stale_remove(const char *path)
{
	struct stat st;
	int r;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		log_errno(r, "cannot look at %s", path);
		return r;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_err(
		    "%s exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	log_info("replacing %s, left by a p2sd that is gone", path);
	if (unlink(path) < 0) {
		r = -errno;
		log_errno(r, "cannot remove %s", path);
		return r;
	}
	return 0;
}

/* Who may connect: the file's group and mode (see ctl.h). */
static int
socket_access(const struct ctl *ctl)
{
	int r;

	if (!ctl->has_group)
		return 0;
	if (chown(ctl->path, (uid_t)-1, ctl->gid) == 0 &&
	    chmod(ctl->path, 0660) == 0)
		return 0;
	r = -errno;
	log_errno(
	    r, "cannot give %s to group %u", ctl->path, (unsigned)ctl->gid);
	return r;
}

/* The umask makes the file 0600 from its first moment, whatever ours is;
 * socket_access() only ever widens it. */
static int
socket_bind(struct ctl *ctl)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mask;
	int r = 0;

	memcpy(sun.sun_path, ctl->path, sizeof(sun.sun_path));
	ctl->fd =
	    socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		return -errno;
	mask = umask(0177);
	if (bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		r = -errno;
	(void)umask(mask);
	ctl->bound = r == 0;
	if (r == 0)
		r = socket_access(ctl);
	if (r == 0 && listen(ctl->fd, CTL_MAX_CLIENTS) < 0)
		r = -errno;
	return r;
}

static int
ctl_open(struct ctl *ctl, const char *name)
{
	int r;

	r = ctl_path(name, ".sock", ctl->path, sizeof(ctl->path));
	if (r < 0) {
		log_errno(r, "no control socket for profile '%s'", name);
		return r;
	}
	r = group_load(ctl);
	if (r == 0)
		r = runtime_dir_make();
	if (r == 0)
		r = lock_take(ctl, name);
	if (r == 0)
		r = stale_remove(ctl->path);
	if (r == 0) {
		r = socket_bind(ctl);
		if (r < 0)
			log_errno(r, "cannot serve %s", ctl->path);
	}
	if (r == 0)
		r = io_new(ctl->loop, ctl->fd, on_accept, ctl, &ctl->io);
	return r;
}

int
ctl_new(struct loop *loop, const char *name, const struct ctl_ops *ops,
    void *arg, struct ctl **ret)
{
	struct ctl *ctl;
	int r;

	if (ops->status == NULL || ops->up == NULL || ops->down == NULL)
		return -EINVAL;
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return -ENOMEM;
	ctl->loop = loop;
	ctl->ops = ops;
	ctl->arg = arg;
	ctl->fd = ctl->lock_fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(ctl->clients); i++) {
		ctl->clients[i].ctl = ctl;
		ctl->clients[i].fd = -1;
	}
	r = ctl_open(ctl, name);
	if (r < 0) {
		ctl_free(ctl);
		return r;
	}
	log_debug("control socket %s", ctl->path);
	*ret = ctl;
	return 0;
}

void
ctl_free(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(ctl->clients); i++)
		client_close(&ctl->clients[i]);
	io_free(ctl->io);
	/* Ours only while we hold the lock: unlink before letting go. */
	if (ctl->bound)
		(void)unlink(ctl->path);
	if (ctl->fd >= 0)
		(void)close(ctl->fd);
	if (ctl->lock_fd >= 0)
		(void)close(ctl->lock_fd);
	free(ctl);
}
