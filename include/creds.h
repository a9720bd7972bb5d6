/* SPDX-License-Identifier: ISC */
/*
 * creds.h: the credentials a profile names, loaded: the client certificate
 * and key (PEM pair, or PKCS#12 with its password file), the gateway roots,
 * and the identities.  Loaded once per (re)load, all or nothing, with a
 * message that says which file is wrong and how.
 */
#ifndef P2S_CREDS_H
#define P2S_CREDS_H

#include <stddef.h>

#include "compat.h"
#include "ike_sa.h"

struct conf;
struct tls_ctx;
struct tls_session;

#define CREDS_ERR_LEN 512

struct creds {
	struct cert *cert;	     /* owned: client certificate (and chain) */
	struct key_ref *key;	     /* owned: its private key */
	struct trust *roots;	     /* owned: the profile's gateway roots */
	char *id;		     /* owned: client.id, else the cert's CN */
	struct tls_ctx *tls;	     /* owned: the EAP-TLS context, kept
					across connects so sessions resume */
	struct tls_session *session; /* owned: the last EAP-TLS session */
	struct ike_creds ike;	     /* views of the above, for the engine */
};

/* On failure ret_err says why, for the caller to report; it is empty
 * when the cert module has reported it already (a file it could not
 * use: cert.h), so that each failure is said once. */
int creds_load(const struct conf *, struct creds **ret, char *ret_err,
    size_t err_len) P2S_WUR;
void creds_free(struct creds *);

#endif /* P2S_CREDS_H */
