/* SPDX-License-Identifier: ISC */
/*
 * cert_ossl.h: the OpenSSL objects behind cert.h's opaque types, for the
 * other files inside the OpenSSL boundary (tls_ctx.c, crypto_sig.c).
 * Include it nowhere else.  The returned pointers are borrowed.
 */
#ifndef P2S_CERT_OSSL_H
#define P2S_CERT_OSSL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cert.h"

X509 *cert_x509(const struct cert *);
EVP_PKEY *key_pkey(const struct key_ref *);
X509_STORE *trust_store(const struct trust *);

#endif /* P2S_CERT_OSSL_H */
