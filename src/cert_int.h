/* SPDX-License-Identifier: ISC */
/*
 * cert_int.h: the insides of cert.h's opaque types, shared by cert.c
 * (loading), cert_info.c (facts, CERTREQ) and cert_verify.c (chain and
 * identity).  Nothing outside src/cert*.c includes it.
 */
#ifndef P2S_CERT_INT_H
#define P2S_CERT_INT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"
#include "cert.h"

struct cert {
	X509 *x509;	     /* owned reference */
	struct buf *der;     /* owned: the DER encoding */
	struct cert **chain; /* owned: issuers, path order */
	size_t n_chain;
	struct cert *root; /* owned, or NULL: the self-signed top */
};

struct key_ref {
	EVP_PKEY *pkey; /* owned reference, secret */
};

struct trust {
	X509_STORE *store;   /* owned: the anchors, no system paths */
	struct cert **roots; /* owned: the same anchors, in order */
	size_t n_roots;
};

/* Takes over x (one reference) and returns a cert with its DER. */
int cert_new_x509(X509 *x, struct cert **ret);
/* snprintf into an optional reason buffer. */
void cert_reason(char *buf, size_t len, const char *fmt, ...) P2S_PRINTF(3, 4);
/* "YYYY-MM-DD HH:MM:SS UTC" of an ASN1_TIME, or "?" */
void cert_time_str(const ASN1_TIME *, char *buf, size_t len);
/* One-line subject or issuer for messages ("C=XX, O=y, CN=z"). */
int cert_name_str(const X509_NAME *, char *buf, size_t len);

#endif /* P2S_CERT_INT_H */
