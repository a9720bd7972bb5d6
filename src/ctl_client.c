/* SPDX-License-Identifier: ISC */
/*
 * ctl_client.c: where a profile's control socket is, and one call to it
 * (see ctl.h): connect, send the request, read the one reply record.  The
 * daemon's reply is bounded (CTL_REPLY_MAX_LEN) and every step is bounded
 * in time, so a wedged daemon makes p2sctl fail, not hang.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

const char *
ctl_runtime_dir(void)
{
	const char *dir = getenv("P2S_RUNTIME_DIR");

	return dir != NULL && dir[0] != '\0' ? dir : CTL_RUNTIME_DIR_DEFAULT;
}

/* A name must make one file name in RUNTIME, and never a hidden one:
 * NAME.lock beside NAME.sock must not be someone else's. */
bool
ctl_name_valid(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < CTL_NAME_LEN && name[0] != '.' &&
	    strchr(name, '/') == NULL;
}

int
ctl_path(const char *name, const char *suffix, char *buf, size_t len)
{
	struct sockaddr_un sun;
	size_t cap = len < sizeof(sun.sun_path) ? len : sizeof(sun.sun_path);
	int n;

	if (!ctl_name_valid(name))
		return -EINVAL;
	n = snprintf(buf, cap, "%s/%s%s", ctl_runtime_dir(), name, suffix);
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	return 0;
}

static int
set_timeouts(int fd, int timeout_ms)
{
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};

	/* SO_SNDTIMEO bounds connect() on a unix socket too. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

static int
connect_path(const char *path, int timeout_ms, int *ret_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = set_timeouts(fd, timeout_ms);
	if (r == 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		r = errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT
							    : -errno;
	if (r < 0) {
		(void)close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* The request.  A daemon that refuses us at once (permission, busy) may
 * have answered and closed already: EPIPE here, its answer still queued. */
static int
send_request(int fd, enum ctl_cmd cmd)
{
	char req[32];
	size_t len;
	int r;

	r = ctl_request_build(cmd, req, sizeof(req), &len);
	if (r < 0)
		return r;
	if (send(fd, req, len, MSG_NOSIGNAL) == (ssize_t)len)
		return 0;
	if (errno == EPIPE)
		return 0;
	return errno == EAGAIN ? -ETIMEDOUT : -errno;
}

/* Room for n more bytes and a NUL in *buf, which holds len. */
static int
grow(char **buf, size_t *cap, size_t len, size_t n)
{
	size_t want = *cap > 0 ? *cap : 4096;
	char *p;

	if (n > CTL_REPLY_MAX_LEN - len)
		return -EMSGSIZE;
	while (want < len + n + 1)
		want *= 2;
	if (want == *cap)
		return 0;
	p = realloc(*buf, want);
	if (p == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = want;
	return 0;
}

/*
 * The size of the next record (MSG_TRUNC reports it), 0 at the end.  A
 * daemon that closed with our request unread (it refused us before
 * reading) leaves ECONNRESET pending, which the kernel reports once,
 * before the records still queued: its answer may be behind it.
 */
static ssize_t
next_len(int fd, bool *reset)
{
	ssize_t n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);

	if (n < 0 && errno == ECONNRESET && !*reset) {
		*reset = true;
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	}
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	return n;
}

/* Records until the daemon closes: one reply, NUL-terminated. */
static int
recv_reply(int fd, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 0;
	bool reset = false;
	char *buf = NULL;
	ssize_t n = 0;
	int r = 0;

	while (r == 0 && (n = next_len(fd, &reset)) > 0) {
		r = grow(&buf, &cap, len, (size_t)n);
		if (r == 0 && recv(fd, buf + len, (size_t)n, 0) != n)
			r = -EIO;
		len += (size_t)n;
	}
	if (r == 0 && n < 0)
		r = (int)n;
	if (r == 0 && len == 0)
		r = -ECONNRESET;
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

int
ctl_call(const char *path, enum ctl_cmd cmd, int timeout_ms, char **ret,
    size_t *ret_len)
{
	int fd, r;

	r = connect_path(path, timeout_ms, &fd);
	if (r < 0)
		return r;
	r = send_request(fd, cmd);
	if (r == 0)
		r = recv_reply(fd, ret, ret_len);
	(void)close(fd);
	return r;
}
