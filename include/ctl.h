/* SPDX-License-Identifier: ISC */
/*
 * ctl.h: the control socket (design.md sections 2 and 4).  p2sd serves it
 * (ctl.c); `p2sctl status | up | down` call it (ctl_client.c).  The JSON
 * codec (ctl_json.c) and the text p2sctl prints for people (ctl_print.c)
 * work on the plain struct ctl_status below, so no json-c type leaves
 * ctl_json.c.
 *
 * Where.  $RUNTIME/NAME.sock, RUNTIME being $P2S_RUNTIME_DIR if set and
 * not empty, else /run/p2s (made 0755 if missing).  p2sd holds an flock on
 * $RUNTIME/NAME.lock while it serves NAME: a second p2sd for the same
 * profile fails with -EADDRINUSE, and the socket file of a daemon that
 * died (the lock went with it) is replaced.  The lock file is never
 * removed: removing a lock file races with the next daemon taking it.
 *
 * Who.  The socket is mode 0600, root's; with P2S_CTL_GROUP (a group name
 * or number in p2sd's environment) it is 0660 and in that group, and the
 * runtime directory must let the group in as well (systemd:
 * RuntimeDirectoryMode=0755).  Behind the file mode, every connection's
 * SO_PEERCRED is checked: uid 0, p2sd's own uid, or P2S_CTL_GROUP as the
 * primary or a supplementary group (SO_PEERGROUPS).  Anyone else gets
 * {"ok":false,"error":"permission denied"} and the connection is closed.
 *
 * Protocol.  SOCK_SEQPACKET: the request is one record, so the kernel
 * does the framing.  One request per connection, one reply, then p2sd
 * closes; the reply is all the bytes of the records up to the close (it
 * is sent in records of 64 KiB, so that the kernel never needs a large
 * contiguous buffer for one):
 *
 *   {"cmd":"status"}  ->  {"ok":true,"status":{...}}
 *   {"cmd":"up"}      ->  {"ok":true}
 *   {"cmd":"down"}    ->  {"ok":true}
 *   anything else     ->  {"ok":false,"error":"malformed request"}, or
 *                         "unknown command", or what up/down failed with
 *
 * A request is strict JSON (RFC 8259) in UTF-8, an object with exactly
 * the key "cmd", at most CTL_REQ_MAX_LEN bytes and CTL_REQ_MAX_DEPTH
 * deep.  A longer record, or none within CTL_CLIENT_IDLE_MS, and the
 * connection is closed without a reply; past CTL_MAX_CLIENTS connections
 * at once, the next ones get {"ok":false,"error":"busy"}.
 *
 * The status object (binding: design.md section 2).  Every key is always
 * there; null means "not now":
 *
 *   name          string   the profile
 *   state         string   down | connecting | established | reconnecting
 *   gateway       object   host (string), address (string, null before
 *                          it is resolved), port (number: the UDP port in
 *                          use, 4500 after the NAT-T float)
 *   interface     string   the tunnel interface
 *   datapath      string   kernel | userspace
 *   virtual_ip    string   the address the gateway gave us, or null
 *   dns           [string] DNS servers (the gateway's, then the profile's)
 *   dns_via       string   how they were set on the interface: resolved
 *                          (systemd-resolved, per link), resolvconf, or
 *                          none (not set: not established, or neither is
 *                          there; p2sd's log says which)
 *   routes        [string] prefixes routed into the tunnel, "10.1.0.0/16";
 *                          if the reply had to be cut to fit the socket,
 *                          the first ones, and routes_total says how many
 *                          there are (the key exists only then)
 *   ike           object   null without an IKE SA; else spi_i, spi_r
 *                          (strings: the 8-byte SPIs as 16 lowercase hex
 *                          digits, in wire order; spi_r is all zeros until
 *                          the gateway answered), proposal (string:
 *                          "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384", null
 *                          until negotiated), established_at (number: Unix
 *                          time in seconds, null until established),
 *                          rekey_in_s (number: seconds, null when no rekey
 *                          is scheduled)
 *   children      [object] the CHILD_SAs: spi_in, spi_out (strings: 8
 *                          lowercase hex digits, in wire order), proposal
 *                          (string, "AES_GCM_16_256"), bytes_in,
 *                          bytes_out, packets_in, packets_out (numbers:
 *                          inner bytes and packets, since the SA began),
 *                          drops (object: packets dropped, each a number,
 *                          or null where the datapath cannot tell):
 *                            replay     inbound replays and packets
 *                                       behind the window (this SA)
 *                            integrity  inbound ICV failures (this SA;
 *                                       userspace: malformed ones too)
 *                            no_sa      outbound while no CHILD_SA was
 *                                       installed (since p2sd started)
 *                            policy     outside the traffic selectors
 *                                       (since p2sd started)
 *                            send       could not be sent on (since p2sd
 *                                       started)
 *                          The kernel datapath reads bytes, packets,
 *                          replay and integrity from its XFRM states
 *                          (XFRM_MSG_GETSA); the other three are null
 *                          there, as the kernel counts them per network
 *                          namespace only (/proc/net/xfrm_stat, not used).
 *                          A p2sctl reading a daemon without drops sees
 *                          them all null.
 *   handshake     object   of the last connect that succeeded, or null:
 *                          round_trips (number: requests answered), ms
 *                          (number: milliseconds from the first request to
 *                          the tunnel)
 *   last_error    string   why the last connection failed, or null
 *   fail_closed   boolean  true while there is no tunnel but its
 *                          interface and VNet routes stay, so that VNet
 *                          traffic is dropped, not sent in clear
 *                          (reconnecting, connecting, or down by p2sctl)
 */
#ifndef P2S_CTL_H
#define P2S_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "caps.h"
#include "compat.h"
#include "wire.h"

struct loop;

#define CTL_RUNTIME_DIR_DEFAULT "/run/p2s"
#define CTL_CALL_TIMEOUT_MS	5000 /* p2sctl: each step of a call */

#define CTL_NAME_LEN	 256 /* a file name and its NUL */
#define CTL_HOST_LEN	 256 /* a DNS name (253) and its NUL */
#define CTL_ADDR_LEN	 46  /* INET6_ADDRSTRLEN */
#define CTL_PREFIX_LEN	 50  /* an address, "/128" and the NUL */
#define CTL_IFNAME_LEN	 16  /* IFNAMSIZ */
#define CTL_PROPOSAL_LEN 128
#define CTL_ERROR_LEN	 256

enum ctl_state {
	CTL_STATE_DOWN = 0,	    /* not connected, not trying */
	CTL_STATE_CONNECTING = 1,   /* IKE in progress */
	CTL_STATE_ESTABLISHED = 2,  /* tunnel up */
	CTL_STATE_RECONNECTING = 3, /* waiting to try again */
	_CTL_STATE_MAX,
};

enum ctl_datapath {
	CTL_DATAPATH_KERNEL = 0,    /* XFRM */
	CTL_DATAPATH_USERSPACE = 1, /* TUN and ESP in p2sd */
	_CTL_DATAPATH_MAX,
};

enum ctl_dns_via {
	CTL_DNS_VIA_NONE = 0,	    /* not set on the interface */
	CTL_DNS_VIA_RESOLVED = 1,   /* systemd-resolved, per link */
	CTL_DNS_VIA_RESOLVCONF = 2, /* resolvconf -a IFACE */
	_CTL_DNS_VIA_MAX,
};

enum ctl_cmd {
	CTL_CMD_STATUS = 0,
	CTL_CMD_UP = 1,
	CTL_CMD_DOWN = 2,
	_CTL_CMD_MAX,
};

/* Strings are NUL-terminated; "" stands for null where the key allows. */
struct ctl_gateway {
	char host[CTL_HOST_LEN];    /* as in the profile */
	char address[CTL_ADDR_LEN]; /* "": not resolved */
	uint16_t port;		    /* UDP port in use, host order */
};

struct ctl_ike {
	bool present;			 /* false: "ike": null */
	uint64_t spi_i, spi_r;		 /* wire bytes, big-endian; 0: none */
	char proposal[CTL_PROPOSAL_LEN]; /* "": not negotiated yet */
	int64_t established_at;		 /* Unix time, s; 0: not yet */
	int64_t rekey_in_s;		 /* s; < 0: no rekey scheduled */
};

#define CTL_UNKNOWN UINT64_MAX /* a counter the datapath cannot tell */

struct ctl_drops {
	uint64_t replay;    /* see children[].drops above; */
	uint64_t integrity; /* CTL_UNKNOWN: null */
	uint64_t no_sa;
	uint64_t policy;
	uint64_t send;
};

struct ctl_child {
	uint32_t spi_in, spi_out;	 /* wire bytes, big-endian */
	char proposal[CTL_PROPOSAL_LEN]; /* ESP transforms */
	uint64_t bytes_in, bytes_out;	 /* inner bytes */
	uint64_t packets_in, packets_out;
	struct ctl_drops drops;
};

struct ctl_handshake {
	bool present;	      /* false: "handshake": null */
	uint32_t round_trips; /* requests answered */
	uint64_t ms;	      /* first request to tunnel up */
};

struct ctl_status {
	char name[CTL_NAME_LEN];
	enum ctl_state state;
	struct ctl_gateway gateway;
	char interface[CTL_IFNAME_LEN];
	enum ctl_datapath datapath;
	char virtual_ip[CTL_ADDR_LEN]; /* "": none */
	char dns[CTL_MAX_DNS][CTL_ADDR_LEN];
	size_t n_dns;
	enum ctl_dns_via dns_via;
	char (*routes)[CTL_PREFIX_LEN]; /* owned: ctl_status_add_route() */
	size_t n_routes;		/* used entries of routes */
	size_t routes_total;		/* >= n_routes: before a cut */
	size_t routes_cap;		/* allocated entries of routes */
	struct ctl_ike ike;
	struct ctl_child children[CTL_MAX_CHILDREN];
	size_t n_children;
	struct ctl_handshake handshake;
	char last_error[CTL_ERROR_LEN]; /* "": none */
	bool fail_closed;		/* no tunnel, VNet traffic dropped */
};

/* ---- The status, in C (ctl_json.c). ---- */

void ctl_status_init(struct ctl_status *);
/* Frees the routes; the struct may be initialized again. */
void ctl_status_done(struct ctl_status *);
/* Copies prefix; -E2BIG past CTL_MAX_ROUTES, -ENAMETOOLONG, -ENOMEM. */
int ctl_status_add_route(struct ctl_status *, const char *prefix) P2S_WUR;
/* Copies addr into dns[]; -E2BIG past CTL_MAX_DNS, -ENAMETOOLONG. */
int ctl_status_add_dns(struct ctl_status *, const char *addr) P2S_WUR;

const char *ctl_state_name(enum ctl_state);
const char *ctl_datapath_name(enum ctl_datapath);
const char *ctl_dns_via_name(enum ctl_dns_via);
const char *ctl_cmd_name(enum ctl_cmd);

/* ---- Messages, in JSON (ctl_json.c). ---- */

/* A request: 0, or -E2BIG (too long), -EBADMSG (not the request object
 * described above), -EOPNOTSUPP (a command we do not know). */
int ctl_request_parse(const struct rd *req, enum ctl_cmd *ret_cmd) P2S_WUR;
/* {"cmd":"..."} into buf; -ENOSPC. */
int ctl_request_build(
    enum ctl_cmd, char *buf, size_t len, size_t *ret_len) P2S_WUR;

/*
 * Replies, malloc'd and NUL-terminated (*ret_len excludes the NUL).
 * The status reply is cut to at most max_len bytes by leaving out routes
 * (see routes_total above); -EMSGSIZE if even none would fit.
 */
int ctl_reply_build_status(const struct ctl_status *, size_t max_len,
    char **ret, size_t *ret_len) P2S_WUR;
/* {"ok":true}, or {"ok":false,"error":msg} when msg is not NULL. */
int ctl_reply_build(const char *msg, char **ret, size_t *ret_len) P2S_WUR;

/*
 * A reply.  0 when it says ok, and then, if ret_status is not NULL, the
 * status it carries (initialized here; ctl_status_done() it), and if
 * ret_json is not NULL, that status object again as one line of JSON
 * (malloc'd), keys the struct does not know included.  -EREMOTEIO when
 * the daemon said no, with its reason in err; -EBADMSG when the reply is
 * malformed (a reason in err too).  Keys this version does not know are
 * ignored, so that an older p2sctl reads a newer daemon.
 */
int ctl_reply_parse(const struct rd *reply, struct ctl_status *ret_status,
    char **ret_json, char *err, size_t err_len) P2S_WUR;

/* ---- The text for people (ctl_print.c). ---- */

/* A block like `wg show`'s; now (Unix time, s) for "... ago". */
void ctl_status_print(FILE *, const struct ctl_status *, int64_t now);

/* ---- Where (ctl_client.c). ---- */

/* $P2S_RUNTIME_DIR, else CTL_RUNTIME_DIR_DEFAULT. */
const char *ctl_runtime_dir(void);
/* A profile name that makes a file name: not empty, no '/', not starting
 * with '.', shorter than CTL_NAME_LEN. */
bool ctl_name_valid(const char *name);
/* $RUNTIME/NAME.sock (or .lock with suffix ".lock"); -EINVAL for a bad
 * name, -ENAMETOOLONG when it would not fit a sockaddr_un. */
int ctl_path(
    const char *name, const char *suffix, char *buf, size_t len) P2S_WUR;

/* ---- The daemon's side (ctl.c). ---- */

/*
 * What the control socket asks of the daemon; each returns 0 or a
 * negative errno, which the client is told as strerror().  status fills
 * a struct that ctl_status_init() has zeroed (ctl_status_done() is ctl's
 * job).  up and down only start things (connect, or delete the SA) and
 * are 0 when there is nothing to do.
 */
struct ctl_ops {
	int (*status)(void *arg, struct ctl_status *ret);
	int (*up)(void *arg);
	int (*down)(void *arg);
};

struct ctl;

/*
 * Serve $RUNTIME/NAME.sock on loop until ctl_free().  Logs why it failed:
 * -EADDRINUSE when another p2sd runs NAME, -EEXIST when the socket's path
 * is something other than a socket, -ENOENT for an unknown P2S_CTL_GROUP,
 * or the errno of a system call.
 */
int ctl_new(struct loop *, const char *name, const struct ctl_ops *, void *arg,
    struct ctl **ret) P2S_WUR;
/* Closes every client and removes the socket file; accepts NULL. */
void ctl_free(struct ctl *);

/* ---- The client's side (ctl_client.c). ---- */

/*
 * Send cmd to the daemon behind the socket at path and wait for the reply,
 * each step for at most timeout_ms.  0 and the reply (malloc'd, *ret_len
 * bytes, NUL-terminated), or: -ENOENT or -ECONNREFUSED (no daemon there),
 * -EACCES, -ETIMEDOUT, -ECONNRESET (closed without a reply), -EMSGSIZE (a
 * reply over CTL_REPLY_MAX_LEN).
 */
int ctl_call(const char *path, enum ctl_cmd, int timeout_ms, char **ret,
    size_t *ret_len) P2S_WUR;

#endif /* P2S_CTL_H */
