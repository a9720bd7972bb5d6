/* SPDX-License-Identifier: ISC */
/*
 * tls_ossl.h: the OpenSSL side of tls_ctx.h, for eap_tls.c.  Include it
 * nowhere outside the OpenSSL boundary (tests aside).
 */
#ifndef P2S_TLS_OSSL_H
#define P2S_TLS_OSSL_H

#include <openssl/ssl.h>

#include "cert.h"
#include "tls_ctx.h"

#define TLS_VERIFY_REASON_LEN CERT_REASON_LEN /* bytes */

/*
 * A client SSL for one EAP-TLS conversation, in connect state, with no
 * BIOs yet.  resume is offered when it came from this ctx.  While the
 * SSL lives, the gateway identity check writes why it refused the
 * server's certificate into reason (the SSL's app data; do not reuse it).
 * NULL on ENOMEM.
 */
SSL *tls_ssl_new(const struct tls_ctx *, const struct tls_session *resume,
    char reason[static TLS_VERIFY_REASON_LEN]);

/* The session of a finished handshake, if it can be resumed: 0, or
 * -ENOENT (not resumable, or the server issued nothing), -ENOMEM. */
int tls_session_get(const struct tls_ctx *, SSL *, struct tls_session **ret);

#endif /* P2S_TLS_OSSL_H */
