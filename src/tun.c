/* SPDX-License-Identifier: ISC */
/*
 * tun.c: the userspace datapath's TUN interface (see tun.h).
 * Documentation/networking/tuntap.rst in the Linux tree.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <net/if.h>

#include <linux/if_tun.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "tun.h"

#define TUN_DEV "/dev/net/tun"

bool
tun_name_valid(const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ);

	if (len == 0 || len >= IFNAMSIZ)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= ' ' || c == '/' || c == ':' || c >= 0x7f)
			return false;
	}
	return true;
}

int
tun_open(const char *name)
{
	struct ifreq ifr;
	int fd, r;

	if (!tun_name_valid(name))
		return -EINVAL;
	fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* Without IFF_TUN_EXCL, TUNSETIFF would attach to an existing TUN of
	 * that name, which belongs to somebody else (or a p2sd still running):
	 * with it the kernel says EBUSY.  The flags are bits in a short:
	 * IFF_TUN_EXCL is its sign bit, hence the explicit cast. */
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | IFF_TUN_EXCL);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	return fd;
}

ssize_t
tun_read(int fd, uint8_t *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? 0 : -errno;
	return n;
}

int
tun_write(int fd, const uint8_t *pkt, size_t len)
{
	ssize_t n;

	do
		n = write(fd, pkt, len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
