/* SPDX-License-Identifier: ISC */
/*
 * cert_ossl.h: the OpenSSL objects behind cert.h's opaque types, for the
 * other files inside the OpenSSL boundary (tls_ctx.c, eap_tls.c,
 * crypto_sig.c).  Include it nowhere else.  The returned pointers are
 * borrowed: they live as long as the object they came from.
 */
#ifndef P2S_CERT_OSSL_H
#define P2S_CERT_OSSL_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "cert.h"

X509 *cert_x509(const struct cert *);
EVP_PKEY *key_pkey(const struct key_ref *);
/* Holds the profile's roots only.  SSL_CTX_set1_verify_cert_store takes
 * its own reference; SSL_CTX_set_cert_store takes ours, so X509_STORE_
 * up_ref it first. */
X509_STORE *trust_store(const struct trust *);

/*
 * Wraps an X509 someone else holds (the TLS peer's certificate) so that
 * cert.h's functions (cert_match_id, cert_subject, ...) apply to it.  Takes
 * its own reference; the caller keeps theirs.
 */
int cert_from_x509(X509 *, struct cert **ret);

/*
 * The verification rules of cert_verify_chain (strict, anchors may be
 * intermediates, CERT_MAX_CHAIN, security level), for a verifier p2s does
 * not drive itself: apply them to SSL_CTX_get0_param() so the gateway's
 * EAP-TLS certificate meets the same rules as its IKE one.  The store from
 * trust_store() already carries them.
 */
int trust_set_verify_param(X509_VERIFY_PARAM *);

#endif /* P2S_CERT_OSSL_H */
