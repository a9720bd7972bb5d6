/* SPDX-License-Identifier: ISC */
/*
 * azpkg.h: the Azure VPN client package (VpnClientConfiguration.zip, what
 * the portal's "Download VPN client" and New-AzVpnClientConfiguration
 * produce), read as untrusted input for `p2sctl import`.  Three stages,
 * each usable alone (the tests and the fuzzers do):
 *
 *   azpkg_zip_read    zip bytes -> the listing, and the contents of
 *                     Generic/VpnSettings.xml and Generic/VpnServerRoot.cer*
 *   azpkg_xml_parse   VpnSettings.xml bytes -> its values as strings
 *   azpkg_check       both -> struct azpkg: typed, validated, deduplicated,
 *                     everything the profile writer needs
 *
 * azpkg_load_file and azpkg_load_buffer run all three.  Nothing is ever
 * written to disk, and no name from the zip is used as a path: entries are
 * inflated into memory, and only the few we need.  Every size, count and
 * depth is capped (caps.h, AZPKG_*).
 *
 * The root certificates come out as DER bytes that look like one X.509
 * certificate (a DER SEQUENCE of the right length), not yet parsed: the
 * caller checks them with cert_load_der() and shows their names and dates.
 *
 * Errors: -EBADMSG for a package or document that is malformed or breaks a
 * rule, -E2BIG past a cap, -EOPNOTSUPP for something well formed that we
 * do not take (split or encrypted zips, UTF-16, compression other than
 * deflate), -EPROTO for a gateway configured in a way p2s cannot use (no
 * IKEv2, no certificate authentication), -ENOMEM, or the errno of opening
 * or reading the file.  Every failure fills ret_err with one line that
 * names the entry or the element and says what to do; out-parameters are
 * untouched on failure.  Messages go to the caller, which prints them;
 * these functions log at debug only.
 */
#ifndef P2S_AZPKG_H
#define P2S_AZPKG_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "caps.h"
#include "ipaddr.h"

#define AZPKG_ERR_LEN 512

struct azpkg_err {
	char msg[AZPKG_ERR_LEN]; /* one line, NUL-terminated */
};

/* ------------------------------------------------------------------ */
/* The zip. */

/*
 * What an entry is, by its name (case-insensitive, '/' or '\' between the
 * two parts; Azure writes "Generic\VpnSettings.xml").  "Generic" may also
 * be spelled "GenericDevice" (the RADIUS article does).
 */
enum azpkg_kind {
	AZPKG_KIND_OTHER = 0,	    /* anything else: listed, not read */
	AZPKG_KIND_DIRECTORY = 1,   /* a name ending in a separator */
	AZPKG_KIND_SETTINGS = 2,    /* Generic/VpnSettings.xml: read */
	AZPKG_KIND_SERVER_ROOT = 3, /* Generic/VpnServerRoot.cer[_N]: read */
	AZPKG_KIND_RADIUS_ROOT = 4, /* Generic/RadiusServerRoot.cer */
	AZPKG_KIND_WINDOWS =
	    5, /* WindowsAmd64/, WindowsX86/, WindowsPowershell/ */
	AZPKG_KIND_OPENVPN = 6,	 /* OpenVPN/vpnconfig.ovpn */
	AZPKG_KIND_AZUREVPN = 7, /* AzureVPN/azurevpnconfig.xml */
};

struct azpkg_entry {
	char *name;    /* owned: as stored in the zip, printable UTF-8 */
	uint64_t size; /* bytes, inflated, as the directory declares */
	enum azpkg_kind kind;
	uint32_t order;	  /* SERVER_ROOT: 0 for ".cer", N + 1 for ".cer_N" */
	struct buf *data; /* owned: contents of SETTINGS and SERVER_ROOT
			       * entries (size bytes), else NULL */
};

struct azpkg_files {
	struct azpkg_entry *entries; /* owned array of n_entries, zip order */
	size_t n_entries;
	const struct azpkg_entry *settings; /* in entries; never NULL */
	size_t n_server_roots;		    /* SERVER_ROOT entries */
};

/*
 * Read a package from memory (len <= AZPKG_MAX_PACKAGE_LEN).  Refuses:
 * anything that is not one whole zip archive (truncated, split over disks,
 * a central directory that libzip and our own walk read differently),
 * more than AZPKG_MAX_ENTRIES entries, names that are absolute, hold a
 * "." or ".." component, an empty component, a NUL or another control
 * character, or are not UTF-8; symbolic links and other special files;
 * encrypted entries; methods other than store and deflate; two entries
 * that are the same file once case and separators are folded; more than
 * AZPKG_MAX_TOTAL_LEN bytes declared in all; and, for the entries it
 * inflates, more than AZPKG_MAX_ENTRY_LEN bytes, a ratio above
 * AZPKG_MAX_RATIO, more than AZPKG_MAX_READ_LEN bytes together, or
 * contents that do not inflate to exactly the declared size.  A package
 * without Generic/VpnSettings.xml is refused with a message saying why
 * Azure left it out.
 */
int azpkg_zip_read(const void *zip, size_t len, struct azpkg_files **ret,
    struct azpkg_err *ret_err);
void azpkg_files_free(struct azpkg_files *);
const char *azpkg_kind_name(enum azpkg_kind);

/* ------------------------------------------------------------------ */
/* VpnSettings.xml. */

struct azpkg_list {
	char **v; /* owned array of n owned strings */
	size_t n;
};

/*
 * The document's values, trimmed of XML white space, not yet checked.  A
 * missing or empty element is NULL or an empty list.  Lists come from
 * comma-separated text (<Routes>a,b</Routes>), from <string> children
 * (<CaCerts><string>..</string></CaCerts>), or both.  Elements are matched
 * by local name, in any order, ignoring case and namespaces; each may
 * appear once.
 */
struct azpkg_settings {
	char *vpn_server;	      /* VpnServer: the gateway's DNS name */
	struct azpkg_list vpn_type;   /* VpnType: "IkeV2", "OpenVPN", "SSTP" */
	char *ca_cert;		      /* CaCert (older packages): base64 DER */
	struct azpkg_list ca_certs;   /* CaCerts/string: base64 DER each */
	struct azpkg_list routes;     /* Routes: prefixes */
	struct azpkg_list pool;	      /* VpnClientAddressPool: prefixes */
	struct azpkg_list dns;	      /* CustomDnsServers: addresses */
	char *auth;		      /* Auth: "EAPTLS" */
	char *vnet_name;	      /* VnetName */
	char *vnet_id;		      /* VnetId: a GUID */
	char *root_cn;		      /* ServerCertRootCn (older) */
	struct azpkg_list root_cns;   /* ServerCertsRootCn/string */
	char *issuer_cn;	      /* ServerCertIssuerCn (older) */
	struct azpkg_list issuer_cns; /* ServerCertsIssuerCn/string */
	struct azpkg_list unknown;    /* names of ignored elements, the first
				      * AZPKG_MAX_LIST */
	size_t n_unknown;	      /* ignored elements, all of them */
};

/*
 * Parse VpnSettings.xml (len <= AZPKG_XML_MAX_LEN).  UTF-8, with or
 * without a byte order mark; UTF-16 is refused (-EOPNOTSUPP: Azure writes
 * UTF-8).  A document type declaration is refused outright, so no entity
 * is ever declared, let alone expanded or loaded.  The root must be
 * <VpnProfile>; depth, element count, text per element and list lengths
 * are capped.
 */
int azpkg_xml_parse(const void *xml, size_t len, struct azpkg_settings **ret,
    struct azpkg_err *ret_err);
void azpkg_settings_free(struct azpkg_settings *);

/* ------------------------------------------------------------------ */
/* The checked package. */

struct azpkg_root {
	struct buf *der; /* owned: one DER certificate, not yet verified */
	char *source;	 /* owned: where it was found, e.g. "VpnSettings.xml
			  * <CaCerts> item 1, Generic\VpnServerRoot.cer_0" */
};

enum azpkg_tunnel {
	AZPKG_TUNNEL_IKEV2 = 1 << 0,
	AZPKG_TUNNEL_OPENVPN = 1 << 1,
	AZPKG_TUNNEL_SSTP = 1 << 2,
};

enum azpkg_auth {
	AZPKG_AUTH_UNSTATED = 0, /* no <Auth>: taken to be certificates */
	AZPKG_AUTH_EAPTLS = 1,	 /* "EAPTLS": Azure certificate auth */
};

struct azpkg {
	char *gateway;	 /* owned: VpnServer, a DNS name or address */
	char *vnet_name; /* owned, or NULL */
	char *vnet_id;	 /* owned, or NULL */
	enum azpkg_auth auth;
	unsigned tunnels;	  /* enum azpkg_tunnel bits; IKEV2 is set */
	struct ip_prefix *routes; /* owned array of n_routes, package
				      * order, no repeats */
	size_t n_routes;
	struct ip_prefix *pools; /* owned array of n_pools */
	size_t n_pools;
	struct ip_addr *dns; /* owned array of n_dns, no repeats */
	size_t n_dns;
	struct azpkg_root *roots; /* owned array of n_roots: 1 to
				      * AZPKG_MAX_ROOTS distinct DER */
	size_t n_roots;
	struct azpkg_list root_cns; /* the root names VpnSettings.xml gives */
	struct azpkg_files *files;  /* owned: what the package holds; NULL
				      * when checked from the XML alone */
	struct azpkg_list notes;    /* remarks for the user, not errors */
};

/*
 * Check the values and make the package.  files may be NULL (the XML
 * alone); it is only read.  Requires VpnServer (a DNS name or an address),
 * VpnType with IkeV2, Auth (when given) with EAPTLS, routes and pools that
 * are prefixes without host bits, DNS servers that are addresses, and at
 * least one root: CaCert and CaCerts are base64 DER, the .cer files DER or
 * PEM; all distinct certificates are kept, and one found in the XML but
 * not in the files (or the other way round) is kept with a note.
 */
int azpkg_check(const struct azpkg_settings *, const struct azpkg_files *,
    struct azpkg **ret, struct azpkg_err *ret_err);

/* All three stages, on a file (a regular file, at most
 * AZPKG_MAX_PACKAGE_LEN bytes) or on bytes in memory. */
int azpkg_load_file(
    const char *path, struct azpkg **ret, struct azpkg_err *ret_err);
int azpkg_load_buffer(
    const void *zip, size_t len, struct azpkg **ret, struct azpkg_err *ret_err);
void azpkg_free(struct azpkg *);

#endif /* P2S_AZPKG_H */
