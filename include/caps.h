/* SPDX-License-Identifier: ISC */
/*
 * caps.h: every limit on a resource that a peer, a package, a profile or a
 * control client controls, named in one place.  Parsers refuse input past
 * these caps with -EBADMSG (or -E2BIG where the input is well formed but
 * too large) instead of allocating for it.
 */
#ifndef P2S_CAPS_H
#define P2S_CAPS_H

/* IKEv2 (RFC 7296) messages. */
#define IKE_MSG_MAX_LEN	    65535 /* bytes: one UDP datagram */
#define IKE_MAX_PAYLOADS    64	  /* payloads in one message or SK */
#define IKE_MAX_PROPOSALS   16	  /* proposals in one SA payload */
#define IKE_MAX_TRANSFORMS  64	  /* transforms in one proposal */
#define IKE_MAX_ATTRS	    4	  /* attributes in one transform */
#define IKE_MAX_TS	    16	  /* traffic selectors in one TS payload */
#define IKE_MAX_CP_ATTRS    64	  /* attributes in one CP payload */
#define IKE_MAX_DELETE_SPIS 64	  /* SPIs in one Delete payload */
#define IKE_NONCE_MIN_LEN   16	  /* RFC 7296 3.9 */
#define IKE_NONCE_MAX_LEN   256	  /* RFC 7296 3.9 */

/* IKE fragmentation (RFC 7383). */
#define IKE_MAX_FRAGMENTS 64	/* fragments of one message */
#define IKE_REASM_MAX_LEN 65536 /* bytes: reassembled message */

/*
 * The IKE engine (ike_sa.c, ike_msg.c, ike_xchg_*.c).  Retries the
 * gateway can make us spend before IKE_SA_INIT completes, and the size we
 * fragment our own messages to (RFC 7383; strongSwan's default).
 */
#define IKE_MAX_COOKIES	   3	/* COOKIE answers in one IKE_SA_INIT */
#define IKE_MAX_INVALID_KE 2	/* INVALID_KE_PAYLOAD answers */
#define IKE_FRAG_DGRAM_LEN 1280 /* bytes: whole IP datagram of a fragment */
#define IKE_MAX_GW_CERTS   CERT_MAX_CHAIN /* CERT payloads we look at */

/* Certificates. */
#define CERT_MAX_CHAIN 8     /* certificates the gateway may send */
#define CERT_MAX_LEN   16384 /* bytes: one DER certificate */

/*
 * Certificates, keys and signatures (cert*.c, crypto_sig.c).  Files come
 * from the profile or from a package someone downloaded; AUTH data from
 * the gateway.
 */
#define CERT_MAX_FILE_LEN     (1024 * 1024) /* bytes: cert, key, PKCS#12 */
#define CERT_MAX_FILE_CERTS   32   /* certificates in one file or bundle */
#define CERT_MAX_ROOTS	      64   /* trust anchors of one profile */
#define CERT_MAX_PASSWORD_LEN 1024 /* bytes of a PKCS#12 password file */
#define SIG_MAX_LEN	      1024 /* bytes: a signature (RSA 8192) */

/*
 * Profiles (conf*.c, proposal.c).  A profile is written by an administrator
 * or by `p2sctl import` from a package that came from elsewhere, so it is
 * parsed as untrusted input.  design.md asks for 1,000 routes installed in
 * under 100 ms; the benchmark goes to 10,000.
 */
#define CONF_MAX_FILE_LEN    (1024 * 1024) /* bytes of one profile */
#define CONF_MAX_SCALAR_LEN  4096	   /* bytes of any one value */
#define CONF_MAX_PATH_LEN    4095  /* bytes of a path, joined (PATH_MAX-1) */
#define CONF_MAX_NAME_LEN    253   /* bytes of a DNS name (RFC 1035 2.3.4) */
#define CONF_MAX_ID_LEN	     255   /* bytes of an IKE/EAP identity */
#define CONF_MAX_ROUTES	     10000 /* prefixes in routes */
#define CONF_MAX_ROOTS	     16	   /* files in gateway.roots */
#define CONF_MAX_DNS_SERVERS 16	   /* addresses in dns.servers */
#define CONF_MAX_DNS_DOMAINS 64	   /* names in dns.domains */
#define CONF_MAX_PROPOSALS   IKE_MAX_PROPOSALS /* in proposals.ike/esp */
#define PROPOSAL_MAX_XFORMS  16	 /* transforms in one proposal string */
#define PROPOSAL_MAX_LEN     255 /* characters of one proposal string */

/*
 * EAP (eap.c) and EAP-TLS (eap_tls.c).  A full EAP-TLS authentication
 * against testbed.md's gateway (1024-byte fragments) is 6 EAP requests,
 * and about 60 with 64-byte fragments both ways; the round cap allows
 * that and stops a gateway that never finishes.  The gateway's largest
 * TLS message, its certificate chain, is a few KiB.
 */
#define EAP_MAX_ROUNDS	      128 /* EAP requests in one authentication */
#define EAP_MAX_NAKS	      4	  /* other methods the gateway may propose */
#define EAP_IDENTITY_MAX_LEN  255 /* bytes of our EAP-Identity */
#define EAP_NOTIFY_LOG_MAX    128 /* bytes of a Notification that are logged */
#define EAP_TLS_MAX_MSG_LEN   65536 /* bytes: one reassembled TLS message */
#define EAP_TLS_MAX_FRAGMENTS 64    /* fragments of one TLS message */

/*
 * The Azure VPN client package (azpkg*.c): VpnClientConfiguration.zip and
 * its Generic/VpnSettings.xml, from a download nobody vouches for.  A real
 * package is under 1 MB with about 7 entries; VpnSettings.xml is about
 * 2 KB and a VpnServerRoot.cer about 1 KB.  The caps leave room for growth
 * and refuse bombs before anything is inflated: the sizes and the ratio are
 * checked from the central directory and again while inflating, because
 * the directory may lie.  Only the settings and the root files are ever
 * inflated; the rest is listed, not read.
 */
#define AZPKG_MAX_PACKAGE_LEN (64 * 1024 * 1024) /* bytes of the zip file */
#define AZPKG_MAX_ENTRIES     256		 /* entries in the zip */
#define AZPKG_MAX_NAME_LEN    512		 /* bytes of one entry name */
#define AZPKG_MAX_ENTRY_LEN   (1024 * 1024) /* bytes of one entry we inflate */
#define AZPKG_MAX_READ_LEN    (4 * 1024 * 1024) /* bytes inflated, all entries */
#define AZPKG_MAX_TOTAL_LEN                                                    \
	(512ULL * 1024 * 1024)	   /* bytes all entries declare */
#define AZPKG_MAX_RATIO	       100 /* inflated:compressed of an entry we read */
#define AZPKG_RATIO_MIN_LEN    4096 /* bytes: smaller entries skip the ratio */
#define AZPKG_MAX_ROOT_FILES   16   /* VpnServerRoot.cer and .cer_N files */
#define AZPKG_MAX_ROOTS	       16   /* distinct gateway roots (gateway.roots) */
#define AZPKG_XML_MAX_LEN      AZPKG_MAX_ENTRY_LEN /* bytes of VpnSettings.xml */
#define AZPKG_XML_MAX_DEPTH    16    /* nested elements; Azure's use 3 */
#define AZPKG_XML_MAX_ELEMENTS 16384 /* elements in the document */
#define AZPKG_XML_MAX_TEXT                                                     \
	(256 * 1024)	       /* bytes of text in one element:
					 * 10000 routes of up to 19 bytes */
#define AZPKG_MAX_ROUTES 10000 /* prefixes in Routes (CONF_MAX_ROUTES) */
#define AZPKG_MAX_LIST	 16    /* items in any other list (VpnType, ...) */
#define AZPKG_MAX_NOTES	 32    /* remarks kept for the user */

/*
 * The control socket (ctl*.c): requests from local clients that the socket's
 * permissions let in (root, or the P2S_CTL_GROUP group), and the replies
 * p2sctl reads from the daemon.  A request is {"cmd":"status"}, 16 bytes;
 * a client gets CTL_CLIENT_IDLE_MS to send it.  The biggest reply is the
 * status of a profile with every route the datapath can hold (10,000 IPv6
 * prefixes are about 460 KB of JSON).
 */
#define CTL_MAX_CLIENTS	    8		  /* connections served at once */
#define CTL_CLIENT_IDLE_MS  2000	  /* ms from connect to the request */
#define CTL_REQ_MAX_LEN	    4096	  /* bytes of one request */
#define CTL_REQ_MAX_DEPTH   4		  /* json-c depth: 3 levels (1 used) */
#define CTL_REPLY_MAX_LEN   (1024 * 1024) /* bytes of one reply */
#define CTL_REPLY_MAX_DEPTH 8		  /* json-c depth: 7 levels (4 used) */
#define CTL_MAX_ROUTES	    10000 /* prefixes in a status (as datapath) */
#define CTL_MAX_DNS	    32	  /* servers in a status */
#define CTL_MAX_CHILDREN    4	  /* CHILD_SAs in a status (rekey: 2) */

/*
 * The tunnel link's DNS (dns*.c).  Applied when the tunnel comes up and
 * taken back when it goes down, synchronously: systemd-resolved answers a
 * call in milliseconds, resolvconf runs a few shell scripts.  Past these,
 * the DNS step gives up (and kills resolvconf) so the loop goes on.
 */
#define DNS_BUS_TIMEOUT_MS  2000 /* ms: one D-Bus call to systemd-resolved */
#define DNS_EXEC_TIMEOUT_MS 5000 /* ms: one run of resolvconf */

/*
 * p2sd's state file (state.c): one profile's remembered DH group and the
 * gateway it is for.  p2sd writes it, but reads it as untrusted: a disk,
 * a backup or another version may have changed it.  Six lines of at most
 * STATE_MAX_FIELD_LEN bytes of value each need 819 bytes.
 */
#define STATE_MAX_FIELD_LEN 255	 /* bytes of one value (gateway.id's cap) */
#define STATE_MAX_FILE_LEN  1024 /* bytes of one state file */

#endif /* P2S_CAPS_H */
