/* SPDX-License-Identifier: ISC */
/*
 * tls_ctx.c: the SSL_CTX behind EAP-TLS (see tls_ctx.h), and the sessions
 * kept for resumption.
 *
 * The gateway's certificate is verified by OpenSSL against the profile's
 * roots only (the store from cert.c, never the system's), with cert.c's
 * verification parameters, the same rules its IKE certificate meets (RFC
 * 5216 5.3 asks for no less).  Its identity is cert.c's cert_match_id()
 * (RFC 6125 6.4: SAN dNSName with a left-most wildcard, else the CN),
 * applied from the verify callback once the path is otherwise good.  We
 * send our certificate with the issuers it came with, whatever CAs the
 * server's CertificateRequest names (Azure names only its client root).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "cert_ossl.h"
#include "log.h"
#include "tls_ossl.h"

#define TLS_CTX_TAG_LEN 16 /* bytes: names a context for its sessions */

struct tls_ctx {
	SSL_CTX *ssl_ctx;	      /* owned; its app data points back here */
	char *server_id;	      /* owned: gateway.id */
	uint8_t tag[TLS_CTX_TAG_LEN]; /* random, unique to this context */
};

struct tls_session {
	SSL_SESSION *sess;	      /* owned reference */
	uint8_t tag[TLS_CTX_TAG_LEN]; /* of the context it came from */
};

/*
 * OpenSSL calls this for each certificate on the path, the leaf (depth 0)
 * last, after the path's own checks.  Only a leaf that passed them gets
 * the identity check; any other failure stands as OpenSSL found it.
 */
static int
tls_verify_cb(int ok, X509_STORE_CTX *xs)
{
	const struct tls_ctx *t;
	struct cert *leaf;
	char *reason;
	SSL *ssl;
	int r;

	if (ok != 1 || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(
	    xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	reason = SSL_get_app_data(ssl);
	r = cert_from_x509(X509_STORE_CTX_get_current_cert(xs), &leaf);
	if (r < 0) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	r = cert_match_id(leaf, t->server_id, reason, TLS_VERIFY_REASON_LEN);
	cert_free(leaf);
	if (r < 0) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_HOSTNAME_MISMATCH);
		return 0;
	}
	return 1;
}

/* Our certificate, the issuers that came with it, and its key. */
static int
tls_ctx_set_cert(SSL_CTX *c, const struct cert *cert, const struct key_ref *key)
{
	size_t i, n = cert_chain_len(cert);

	if (SSL_CTX_use_certificate(c, cert_x509(cert)) != 1 ||
	    SSL_CTX_use_PrivateKey(c, key_pkey(key)) != 1 ||
	    SSL_CTX_check_private_key(c) != 1)
		return -EKEYREJECTED;
	for (i = 0; i < n; i++)
		if (SSL_CTX_add1_chain_cert(
			c, cert_x509(cert_chain_at(cert, i))) != 1)
			return -EKEYREJECTED;
	return 0;
}

static int
tls_ctx_setup(struct tls_ctx *t, const struct tls_ctx_conf *conf)
{
	SSL_CTX *c = t->ssl_ctx;
	int max = conf->max_version == TLS_VERSION_1_3 ? TLS1_3_VERSION
						       : TLS1_2_VERSION;
	int r;

	if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(c, max) != 1)
		return -EINVAL;
	r = tls_ctx_set_cert(c, conf->cert, conf->key);
	if (r < 0)
		return r;
	/* Shares the store (a reference is taken): the roots and only they. */
	SSL_CTX_set1_cert_store(c, trust_store(conf->roots));
	r = trust_set_verify_param(SSL_CTX_get0_param(c));
	if (r < 0)
		return r;
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, tls_verify_cb);
	/* Our chain is the one above, never one built from the gateway's
	 * roots; EAP-TLS has no renegotiation. */
	SSL_CTX_set_mode(c, SSL_MODE_NO_AUTO_CHAIN);
	SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION);
	/* strongSwan's TLS (5.9) sends no renegotiation_info (RFC 5746), and
	 * OpenSSL 3 refuses such servers by default.  With renegotiation
	 * off, the attack RFC 5746 fixes cannot happen: allow them.  (Added
	 * by the IKE engine's author: EAP-TLS against strongSwan failed.) */
	SSL_CTX_set_options(c, SSL_OP_LEGACY_SERVER_CONNECT);
	/* Sessions are kept by the caller (tls_session), not in a cache. */
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_app_data(c, t);
	return 0;
}

int
tls_ctx_new(const struct tls_ctx_conf *conf, struct tls_ctx **ret)
{
	struct tls_ctx *t;
	int r;

	if (conf->cert == NULL || conf->key == NULL || conf->roots == NULL ||
	    conf->server_id == NULL || conf->server_id[0] == '\0')
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	r = -ENOMEM;
	t->server_id = strdup(conf->server_id);
	t->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (t->server_id == NULL || t->ssl_ctx == NULL ||
	    RAND_bytes(t->tag, sizeof(t->tag)) != 1)
		goto out;
	r = tls_ctx_setup(t, conf);
	if (r < 0)
		goto out;
	*ret = t;
	return 0;
out:
	ERR_clear_error();
	tls_ctx_free(t);
	return r;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ssl_ctx);
	free(t->server_id);
	free(t);
}

/* A session is offered only to the context that made it: another one may
 * trust other roots or expect another gateway.id. */
static bool
tls_session_fits(const struct tls_ctx *t, const struct tls_session *s)
{
	return CRYPTO_memcmp(t->tag, s->tag, sizeof(t->tag)) == 0 &&
	    SSL_SESSION_is_resumable(s->sess) == 1;
}

SSL *
tls_ssl_new(const struct tls_ctx *t, const struct tls_session *resume,
    char reason[static TLS_VERIFY_REASON_LEN])
{
	SSL *ssl = SSL_new(t->ssl_ctx);

	if (ssl == NULL)
		return NULL;
	reason[0] = '\0';
	SSL_set_app_data(ssl, reason);
	SSL_set_connect_state(ssl);
	if (resume != NULL && tls_session_fits(t, resume)) {
		if (SSL_set_session(ssl, resume->sess) != 1) {
			SSL_free(ssl);
			return NULL;
		}
		log_debug("offering a TLS session to resume");
	}
	return ssl;
}

int
tls_session_get(const struct tls_ctx *t, SSL *ssl, struct tls_session **ret)
{
	SSL_SESSION *sess = SSL_get1_session(ssl);
	struct tls_session *s;

	if (sess == NULL || SSL_SESSION_is_resumable(sess) != 1) {
		SSL_SESSION_free(sess);
		return -ENOENT;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		SSL_SESSION_free(sess);
		return -ENOMEM;
	}
	s->sess = sess;
	memcpy(s->tag, t->tag, sizeof(s->tag));
	*ret = s;
	return 0;
}

void
tls_session_free(struct tls_session *s)
{
	if (s == NULL)
		return;
	SSL_SESSION_free(s->sess);
	free(s);
}
