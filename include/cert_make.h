/* SPDX-License-Identifier: ISC */
/*
 * cert_make.h: certificates made exactly as Azure wants them (`p2sctl cert
 * root` and `p2sctl cert client`): RSA 2048, SHA-256.  The root is a CA
 * (basicConstraints CA:TRUE, keyUsage keyCertSign and cRLSign) whose
 * public certificate data is uploaded to the gateway; the client
 * certificate is signed by it, with extendedKeyUsage clientAuth and a SAN
 * dNSName equal to its CN (the identity Azure matches), as the PowerShell
 * recipe Azure documents makes them.
 */
#ifndef P2S_CERT_MAKE_H
#define P2S_CERT_MAKE_H

#include <stdbool.h>

#include "cert.h"
#include "compat.h"

#define CERT_MAKE_RSA_BITS    2048
#define CERT_MAKE_DAYS_ROOT   3650 /* days a root is valid by default */
#define CERT_MAKE_DAYS_CLIENT 730  /* days a client cert is valid */
#define CERT_MAKE_DAYS_MAX    36500
#define CERT_MAKE_CN_MAX      64 /* RFC 5280 ub-common-name */

struct cert_make_req {
	const char *cn;		   /* subject CN (and, for a client, SAN) */
	unsigned days;		   /* validity from now */
	bool ca;		   /* a root: self-signed CA */
	const struct cert *issuer; /* client: the root; else NULL */
	const struct key_ref *issuer_key; /* client: the root's key */
};

/* A fresh key and certificate.  -EINVAL for a bad CN or validity. */
int cert_make(const struct cert_make_req *, struct cert **ret_cert,
    struct key_ref **ret_key) P2S_WUR;

/* PEM files.  The key file is created with mode 0600 and must not exist
 * (-EEXIST): a key is never written over another. */
int cert_write_pem(const struct cert *, const char *path) P2S_WUR;
int key_write_pem(const struct key_ref *, const char *path) P2S_WUR;

/* PKCS#12 as Windows imports it (AES-256-CBC, PBKDF2, HMAC-SHA256),
 * with the issuer certificate; mode 0600, must not exist. */
int cert_write_p12(const struct cert *, const struct key_ref *,
    const struct cert *issuer, const char *password, const char *path) P2S_WUR;

#endif /* P2S_CERT_MAKE_H */
