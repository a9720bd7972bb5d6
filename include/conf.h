/* SPDX-License-Identifier: ISC */
/*
 * conf.h: the profile (design.md section 3), loaded from YAML into an
 * immutable struct conf, all or nothing.  A profile that loads has every
 * default filled in and has passed every check that needs no other file;
 * conf_check_files() is the separate step that looks at the files it
 * names.  The daemon loads at start, on SIGHUP (keeping the old struct if
 * the new one fails) and for `p2sd --check`.
 *
 * Keys, in the file's layout (defaults after '='):
 *
 *   gateway:    host           DNS name or address literal (required)
 *               address        IPv4/IPv6 address; skips DNS  = none
 *               port           1..65535                      = 500
 *               id             identity the gateway certificate must
 *                              carry (SAN dNSName, else CN)  = host
 *               roots          list of PEM files, 1..16      (required)
 *               send_id        true | false                  = false
 *   client:     auth           eap-tls | pubkey              = eap-tls
 *               cert, key      PEM certificate and key, or
 *               p12            a PKCS#12 file holding both, with
 *               password_file  optionally, its password
 *               id             IKE and EAP identity          = the cert's CN
 *   routes      list of prefixes (10.1.0.0/16), 0..10000     = none
 *   pool        prefix, informative                          = none
 *   dns:        servers        list of addresses             = none
 *               domains        list of names, "~" = routing  = none
 *   datapath    auto | kernel | userspace                    = auto
 *   interface   1..15 of [A-Za-z0-9._-]                      = p2s-NAME
 *   proposals:  ike, esp       lists of proposal strings     = Azure's
 *   dpd         0 (off), or N followed by s, m or h; <= 1h   = 30s
 *   lifetime:   ike            when we rekey the IKE SA: N followed
 *                              by s, m or h, 10s..24h        = 4h
 *               child          when we rekey the CHILD_SA    = 1h
 *                              (each minus 0..10% of jitter)
 *   nat_keepalive  the same: NAT keepalives behind a NAT    = 20s
 *   reconnect   always | never                               = always
 *   mtu         576..9000                                    = 1400
 *
 * NAME is the file's name without its directory and without ".yaml" (or
 * ".yml").  Relative paths are joined to the profile's directory.
 * Values are YAML scalars whether quoted or not; integers are decimal
 * without sign or leading zeros; booleans are true or false.  Anchors,
 * aliases, tags and more than one document are refused.
 */
#ifndef P2S_CONF_H
#define P2S_CONF_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "ipaddr.h"
#include "proposal.h"

/* IFNAMSIZ, without <net/if.h>: it clashes with <linux/if.h>. */
#define CONF_IFNAMSIZ		   16
#define CONF_PORT_DEFAULT	   500
#define CONF_MTU_DEFAULT	   1400
#define CONF_MTU_MIN		   576 /* IPv4 minimum (RFC 791); IPv6 needs 1280 */
#define CONF_MTU_MAX		   9000 /* a jumbo frame */
#define CONF_DPD_DEFAULT	   30	/* seconds */
#define CONF_DPD_MAX		   3600 /* seconds */
#define CONF_NAT_KEEPALIVE_DEFAULT 20	/* seconds (RFC 3948 4) */
/*
 * Our rekeys.  Azure does not publish its P2S lifetimes; its S2S gateway
 * keeps an IKE SA 28800 s and a CHILD_SA 27000 s (azure-p2s-facts.md
 * 5.3), strongSwan's NetworkManager client rekeys at 10 h and 10200 s.
 * We rekey well before any of them, so the gateway never has to: the
 * CHILD_SA hourly, the IKE SA every 4 hours.
 */
#define CONF_LIFE_IKE_DEFAULT	14400 /* seconds: 4 h */
#define CONF_LIFE_CHILD_DEFAULT 3600  /* seconds: 1 h */
#define CONF_LIFE_MIN		10    /* seconds: tests use short ones */
#define CONF_LIFE_MAX		86400 /* seconds: 24 h */

enum conf_auth {
	CONF_AUTH_EAP_TLS = 0, /* IKE_AUTH with EAP-TLS (RFC 5216) */
	CONF_AUTH_PUBKEY = 1,  /* IKE_AUTH with a certificate signature */
};

enum conf_datapath {
	CONF_DATAPATH_AUTO = 0, /* kernel if the kernel can, else userspace */
	CONF_DATAPATH_KERNEL = 1,
	CONF_DATAPATH_USERSPACE = 2,
};

enum conf_reconnect {
	CONF_RECONNECT_ALWAYS = 0,
	CONF_RECONNECT_NEVER = 1,
};

struct conf_gateway {
	char *host;		/* owned; DNS name or address literal */
	struct ip_addr address; /* AF_UNSPEC: resolve host */
	uint16_t port;		/* UDP port, host order */
	char *id;		/* owned; defaults to a copy of host */
	char **roots;		/* owned array of n_roots owned paths */
	size_t n_roots;		/* >= 1 */
	bool send_id;		/* send id as IDr in IKE_AUTH */
};

/* Either cert and key, or p12 (and perhaps password_file); others NULL. */
struct conf_client {
	enum conf_auth auth;
	char *cert;	     /* owned path to a PEM certificate, or NULL */
	char *key;	     /* owned path to a PEM private key, or NULL */
	char *p12;	     /* owned path to a PKCS#12 file, or NULL */
	char *password_file; /* owned path; the p12's password, or NULL */
	char *id;	     /* owned; NULL: the certificate's CN */
};

struct conf_dns {
	struct ip_addr *servers; /* owned array of n_servers */
	size_t n_servers;
	char **domains;	  /* owned array of n_domains owned names */
	size_t n_domains; /* a leading '~' marks a routing-only domain */
};

struct conf_proposals {
	struct proposal *ike; /* owned array of n_ike, preferred first */
	size_t n_ike;	      /* >= 1 */
	struct proposal *esp; /* owned array of n_esp, preferred first */
	size_t n_esp;	      /* >= 1 */
};

/* When p2s rekeys on its own, in seconds (ike_sa.h adds the jitter). */
struct conf_lifetime {
	uint32_t ike;	/* CONF_LIFE_MIN..CONF_LIFE_MAX */
	uint32_t child; /* CONF_LIFE_MIN..CONF_LIFE_MAX */
};

/* Read-only once loaded; a reload builds a new one. */
struct conf {
	char *path; /* owned; the file name as given to conf_load */
	char *name; /* owned; the profile name (see above) */
	struct conf_gateway gateway;
	struct conf_client client;
	struct ip_prefix *routes; /* owned array of n_routes, no repeats */
	size_t n_routes;
	struct ip_prefix pool; /* ip.family AF_UNSPEC: not given */
	struct conf_dns dns;
	enum conf_datapath datapath;
	char interface[CONF_IFNAMSIZ]; /* NUL-terminated */
	struct conf_proposals proposals;
	uint32_t dpd; /* seconds between liveness checks; 0: off */
	struct conf_lifetime lifetime;
	uint32_t nat_keepalive; /* seconds of silence on the NAT-T path
				   before a keepalive; 0: off */
	enum conf_reconnect reconnect;
	uint16_t mtu; /* bytes, of the tunnel interface */
};

#define CONF_ERR_LEN 512

/* "file:line:column: what is wrong and how to fix it" (1-based). */
struct conf_err {
	char msg[CONF_ERR_LEN];
};

/*
 * Load the profile in path.  0 and *ret_conf, or a negative errno and a
 * message in *ret_err (filled on failure only; *ret_conf untouched):
 * -EBADMSG for a bad profile, -E2BIG past a cap of caps.h, -ENOMEM, or
 * the errno of opening or reading the file.
 */
int conf_load(
    const char *path, struct conf **ret_conf, struct conf_err *ret_err);

/*
 * The same on bytes already in memory (tests, the fuzzer).  name stands
 * for the file: it prefixes messages, gives the profile name, and its
 * directory part (none: the current directory) is joined to relative
 * paths.  Touches no file.
 */
int conf_load_buffer(const char *name, const void *bytes, size_t len,
    struct conf **ret_conf, struct conf_err *ret_err);

/*
 * Check that every file the profile names is a regular file we can open,
 * and that the key, p12 and password files give no access to others and
 * no write access to the group.  0, or -errno with a message in *ret_err.
 * Separate from loading so that loading never touches the file system.
 */
int conf_check_files(const struct conf *conf, struct conf_err *ret_err);

/* Accepts NULL. */
void conf_free(struct conf *conf);

#endif /* P2S_CONF_H */
