/* SPDX-License-Identifier: ISC */
/*
 * cert.h: certificates, private keys and trust anchors, without OpenSSL
 * types.  Loading (PEM, DER, PKCS#12), the gateway's chain checked against
 * the profile roots, the gateway identity (SAN dNSName with an RFC 6125
 * left-most wildcard, else the CN), CERTREQ authority hashes, and the
 * signatures IKE_AUTH needs (RFC 7296 2.15 method 1, RFC 7427).
 *
 * struct cert is one X.509 certificate, struct key_ref a private key (kept
 * behind this API so it can later move to a privileged process), struct
 * trust the set of roots from a profile.  All are opaque; every _free
 * accepts NULL.  Errors: -ENOENT/-EACCES/... from opening files, -EBADMSG
 * for bytes that do not parse, -EKEYREJECTED for a certificate or key that
 * parses but cannot be used (wrong EKU, expired, key mismatch), -EACCES for
 * a failed verification.
 */
#ifndef P2S_CERT_H
#define P2S_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "wire.h"

struct cert;
struct key_ref;
struct trust;

/* Loading.  A file holds PEM or DER; a PKCS#12 bundle a key, its
 * certificate and maybe CA certificates (which are not trusted, only
 * returned). */
int	 cert_load_file(const char *path, struct cert **ret);
int	 cert_load_der(const struct rd *der, struct cert **ret);
int	 key_load_file(const char *path, struct key_ref **ret);
int	 cert_load_p12(const char *path, const char *password,
	    struct cert **ret_cert, struct key_ref **ret_key);
int	 trust_new(struct trust **ret);
int	 trust_add_file(struct trust *, const char *path);
void	 cert_free(struct cert *);
void	 key_free(struct key_ref *);
void	 trust_free(struct trust *);

#endif /* P2S_CERT_H */
