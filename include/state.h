/* SPDX-License-Identifier: ISC */
/*
 * state.h: what p2sd remembers across restarts (state.c), per profile: the
 * DH group the gateway took, so that the first IKE_SA_INIT after a reboot,
 * an upgrade or a `systemctl restart` already carries the KE the gateway
 * wants, with no INVALID_KE_PAYLOAD round trip (design.md sections 5, 7).
 *
 * Where.  $STATE/NAME.state, STATE being $P2S_STATE_DIR if set and not
 * empty, else /var/lib/p2s (systemd: StateDirectory=p2s; made 0700 if
 * missing).  The file is 0600, written whole to a temporary file in the
 * same directory, fsynced and renamed over the old one, so a crash leaves
 * the old file or the new one, never half of one.
 *
 * What.  Six lines, in this order, each ending in '\n', nothing else:
 *
 *   p2s-state 1
 *   host vpn.example.net       gateway.host
 *   address 198.51.100.1       gateway.address, or "none": DNS
 *   port 500                   gateway.port
 *   id vpn.example.net         gateway.id
 *   group 14                   the DH group (RFC 7296 3.3.2 number)
 *
 * The first four name the gateway: a file written for another gateway
 * (another host, address, port or identity) is ignored.  Values are the
 * rest of their line, 1..STATE_MAX_FIELD_LEN bytes with no control
 * character; numbers are decimal, 1..65535, without leading zeros.
 *
 * Trust.  The file is read with a bounded reader (STATE_MAX_FILE_LEN) and
 * parsed strictly; a missing, unreadable, malformed, oversized or foreign
 * file, or a group the profile's IKE proposals no longer offer, is
 * ignored with a notice: p2sd then starts with the profile's first group
 * and learns again.  Never fatal.
 */
#ifndef P2S_STATE_H
#define P2S_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "compat.h"

struct conf;

#define STATE_DIR_DEFAULT "/var/lib/p2s"
#define STATE_MAGIC	  "p2s-state 1"

/* A value: len bytes at s, not NUL-terminated. */
struct state_str {
	const char *s;
	size_t len;
};

/* One file's contents.  The strings borrow the parsed or printed bytes. */
struct state_rec {
	struct state_str host;	  /* gateway.host */
	struct state_str address; /* gateway.address, or "none" */
	struct state_str id;	  /* gateway.id */
	uint16_t port;		  /* gateway.port */
	uint16_t group;		  /* the DH group the gateway took */
};

/* Parse a whole file into *ret (borrowing buf): 0, or -EBADMSG with a
 * short reason in why (a static string, never the file's bytes). */
int state_parse(const char *buf, size_t len, struct state_rec *ret,
    const char **why) P2S_WUR;

/* The file's text, NUL-terminated: its length, -EINVAL for a value that
 * cannot be written (empty, too long, a control character), or -ENOSPC
 * (STATE_MAX_FILE_LEN + 1 always suffices). */
int state_print(const struct state_rec *, char *buf, size_t len) P2S_WUR;

/* Whether two records name the same gateway (all but the group). */
bool state_same_gateway(const struct state_rec *, const struct state_rec *);

/* The record for conf's gateway with group; addr (IP_PREFIX_STRLEN bytes)
 * holds the address's text, which *ret borrows, as it borrows conf. */
void state_rec_of_conf(
    const struct conf *, uint16_t group, char *addr, struct state_rec *ret);

/* $P2S_STATE_DIR, else STATE_DIR_DEFAULT. */
const char *state_dir(void);

/*
 * The group remembered for conf's profile and gateway: 0 and *ret_group,
 * or -ENOENT (no file), -E2BIG (past STATE_MAX_FILE_LEN), -EBADMSG
 * (malformed), -ESTALE (another gateway's), -ENOTSUP (a group the
 * profile does not offer), -EINVAL (a profile name that makes no file
 * name, or not a regular file), or another errno of reading.
 */
int state_read(const struct conf *, uint16_t *ret_group) P2S_WUR;

/* Remember group for conf's profile and gateway, atomically: 0 or a
 * negative errno (the old file, if any, is then still whole). */
int state_write(const struct conf *, uint16_t group) P2S_WUR;

/* For the daemon: state_read, 0 if nothing usable (with a notice saying
 * why, except for a missing file); state_write, a notice if it fails. */
uint16_t state_group_load(const struct conf *);
void state_group_save(const struct conf *, uint16_t group);

#endif /* P2S_STATE_H */
