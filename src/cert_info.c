/* SPDX-License-Identifier: ISC */
/*
 * cert_info.c: what a certificate says and what Azure asks about it: the
 * DER, subject and issuer for messages, the CN and SAN dNSNames (RFC 5280
 * 4.2.1.6), extended key usages (4.2.1.12), validity, the SHA-1 thumbprint
 * (Azure's revocation list), base64 of the DER (Azure's PublicCertData),
 * and the CERTREQ authority hashes (RFC 7296 3.7): the SHA-1 of each CA's
 * DER SubjectPublicKeyInfo, concatenated.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "cert_int.h"
#include "cert_ossl.h"
#include "log.h"

void
cert_reason(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void
cert_time_str(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm) ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		(void)snprintf(buf, len, "?");
}

int
cert_name_str(const X509_NAME *name, char *buf, size_t len)
{
	/* openssl x509's one-line form without the spaces around '=', as
	 * strongSwan prints it; UTF-8 passes, control characters are
	 * escaped, so a hostile name cannot forge a log line. */
	const unsigned long flags =
	    (XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ & ~ASN1_STRFLGS_ESC_MSB) |
	    ASN1_STRFLGS_UTF8_CONVERT;
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	if (bio == NULL)
		return -ENOMEM;
	if (X509_NAME_print_ex(bio, name, 0, flags) < 0) {
		BIO_free(bio);
		ERR_clear_error();
		return -EBADMSG;
	}
	n = BIO_get_mem_data(bio, &p);
	(void)snprintf(buf, len, "%.*s", (int)n, p);
	BIO_free(bio);
	return 0;
}

struct rd
cert_der(const struct cert *c)
{
	return buf_rd(c->der);
}

int
cert_subject(const struct cert *c, char *buf, size_t len)
{
	return cert_name_str(X509_get_subject_name(c->x509), buf, len);
}

int
cert_issuer(const struct cert *c, char *buf, size_t len)
{
	return cert_name_str(X509_get_issuer_name(c->x509), buf, len);
}

/* A copy of an ASN.1 string as text; -EBADMSG if it hides a NUL (the
 * classic "www.bank.com\0.evil.com" certificate). */
static int
cert_strdup(const unsigned char *p, int len, char **ret)
{
	char *s;

	if (len < 0 || memchr(p, '\0', (size_t)len) != NULL)
		return -EBADMSG;
	s = strndup((const char *)p, (size_t)len);
	if (s == NULL)
		return -ENOMEM;
	*ret = s;
	return 0;
}

int
cert_get_cn(const struct cert *c, char **ret)
{
	const X509_NAME *name = X509_get_subject_name(c->x509);
	unsigned char *utf8 = NULL;
	int i, last = -1, len, r;

	while (
	    (i = X509_NAME_get_index_by_NID(name, NID_commonName, last)) >= 0)
		last = i;
	if (last < 0)
		return -ENOENT;
	len = ASN1_STRING_to_UTF8(
	    &utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
	if (len < 0) {
		ERR_clear_error();
		return -EBADMSG;
	}
	r = cert_strdup(utf8, len, ret);
	OPENSSL_free(utf8);
	return r;
}

/* The SAN extension; NULL without one.  -EBADMSG if it does not parse or
 * appears twice (RFC 5280 4.2: at most one instance). */
static int
cert_get_san(const struct cert *c, GENERAL_NAMES **ret)
{
	GENERAL_NAMES *gens;
	int crit = 0;

	gens = X509_get_ext_d2i(c->x509, NID_subject_alt_name, &crit, NULL);
	ERR_clear_error();
	if (gens == NULL && crit != -1)
		return -EBADMSG;
	*ret = gens;
	return 0;
}

void
cert_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
cert_get_dns_names(const struct cert *c, char ***ret)
{
	GENERAL_NAMES *gens = NULL;
	size_t n = 0;
	char **v;
	int n_gens, r;

	r = cert_get_san(c, &gens);
	if (r < 0)
		return r;
	/* sk_num(NULL) is -1: no SAN is no names. */
	n_gens = gens != NULL ? sk_GENERAL_NAME_num(gens) : 0;
	v = calloc((size_t)n_gens + 1, sizeof(*v));
	if (v == NULL)
		r = -ENOMEM;
	for (int i = 0; r == 0 && i < n_gens; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type != GEN_DNS)
			continue;
		r = cert_strdup(ASN1_STRING_get0_data(g->d.dNSName),
		    ASN1_STRING_length(g->d.dNSName), &v[n]);
		if (r == 0)
			n++;
	}
	GENERAL_NAMES_free(gens);
	if (r < 0) {
		cert_strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

/* OpenSSL has no NID for ikeIntermediate; compare the dotted form. */
static bool
cert_eku_is(const ASN1_OBJECT *obj, enum cert_eku eku)
{
	char txt[64];

	switch (eku) {
	case CERT_EKU_SERVER_AUTH:
		return OBJ_obj2nid(obj) == NID_server_auth;
	case CERT_EKU_CLIENT_AUTH:
		return OBJ_obj2nid(obj) == NID_client_auth;
	case CERT_EKU_IPSEC_IKE:
		return OBJ_obj2nid(obj) == NID_ipsec_IKE;
	case CERT_EKU_ANY:
		return OBJ_obj2nid(obj) == NID_anyExtendedKeyUsage;
	case CERT_EKU_IKE_INTERMEDIATE:
		return OBJ_obj2txt(txt, sizeof(txt), obj, 1) > 0 &&
		    strcmp(txt, "1.3.6.1.5.5.8.2.2") == 0;
	}
	return false;
}

bool
cert_has_eku(const struct cert *c, enum cert_eku eku)
{
	EXTENDED_KEY_USAGE *ekus;
	bool found = false;

	ekus = X509_get_ext_d2i(c->x509, NID_ext_key_usage, NULL, NULL);
	ERR_clear_error();
	for (int i = 0; !found && i < sk_ASN1_OBJECT_num(ekus); i++)
		found = cert_eku_is(sk_ASN1_OBJECT_value(ekus, i), eku);
	EXTENDED_KEY_USAGE_free(ekus);
	return found;
}

bool
cert_is_self_signed(const struct cert *c)
{
	int r = X509_self_signed(c->x509, 0);

	ERR_clear_error();
	return r == 1;
}

static int
cert_time(const ASN1_TIME *t, time_t *ret)
{
	struct tm tm;
	time_t v;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -EBADMSG;
	v = timegm(&tm);
	if (v == (time_t)-1)
		return -EOVERFLOW;
	*ret = v;
	return 0;
}

int
cert_validity(
    const struct cert *c, time_t *ret_not_before, time_t *ret_not_after)
{
	time_t nb, na;
	int r;

	r = cert_time(X509_get0_notBefore(c->x509), &nb);
	if (r == 0)
		r = cert_time(X509_get0_notAfter(c->x509), &na);
	if (r < 0)
		return r;
	if (ret_not_before != NULL)
		*ret_not_before = nb;
	if (ret_not_after != NULL)
		*ret_not_after = na;
	return 0;
}

int
cert_thumbprint(const struct cert *c, char ret[static CERT_THUMBPRINT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(c->der->p, c->der->len, md, &n, EVP_sha1(), NULL) ||
	    n * 2 != CERT_THUMBPRINT_LEN) {
		ERR_clear_error();
		return -EIO;
	}
	for (unsigned int i = 0; i < n; i++) {
		ret[2 * i] = hex[md[i] >> 4];
		ret[2 * i + 1] = hex[md[i] & 0x0f];
	}
	ret[CERT_THUMBPRINT_LEN] = '\0';
	return 0;
}

int
cert_base64(const struct cert *c, char **ret)
{
	size_t len = c->der->len;
	char *s;

	if (len > INT_MAX / 4 * 3 - 3)
		return -E2BIG;
	/* EVP_EncodeBlock writes no line breaks, 4 per 3 bytes, and a NUL. */
	s = malloc((len + 2) / 3 * 4 + 1);
	if (s == NULL)
		return -ENOMEM;
	(void)EVP_EncodeBlock((unsigned char *)s, c->der->p, (int)len);
	*ret = s;
	return 0;
}

/* ------------------------------------------------------------------ */
/* CERTREQ */

int
cert_spki_sha1(const struct cert *c, uint8_t ret[static CERT_SPKI_HASH_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int n = 0;
	int len, ok;

	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x509), &der);
	ok = len > 0 &&
	    EVP_Digest(der, (size_t)len, md, &n, EVP_sha1(), NULL) &&
	    n == CERT_SPKI_HASH_LEN;
	OPENSSL_free(der);
	ERR_clear_error();
	if (!ok)
		return -EBADMSG;
	memcpy(ret, md, CERT_SPKI_HASH_LEN);
	return 0;
}

int
trust_build_certreq(const struct trust *t, struct wr *w)
{
	uint8_t h[CERT_SPKI_HASH_LEN];
	int r;

	for (size_t i = 0; i < trust_count(t); i++) {
		r = cert_spki_sha1(trust_root(t, i), h);
		if (r < 0)
			return r;
		wr_bytes(w, h, sizeof(h));
	}
	return wr_ok(w) ? 0 : -ENOSPC;
}

/* Whether CA c is one of the hashes in a CERTREQ. */
static bool
certreq_names(const struct rd *authorities, const struct cert *ca)
{
	uint8_t h[CERT_SPKI_HASH_LEN];

	if (cert_spki_sha1(ca, h) < 0)
		return false;
	for (size_t off = 0; off < authorities->len; off += sizeof(h))
		if (memcmp(authorities->p + off, h, sizeof(h)) == 0)
			return true;
	return false;
}

int
cert_match_certreq(const struct cert *c, const struct rd *authorities,
    enum cert_req_match *ret)
{
	const struct cert *top;

	if (authorities->len % CERT_SPKI_HASH_LEN != 0) {
		log_debug("CERTREQ of %zu bytes is not a list of SHA-1 hashes",
		    authorities->len);
		return -EBADMSG;
	}
	if (authorities->len == 0) {
		*ret = CERT_REQ_ANY;
		return 0;
	}
	for (size_t i = 0; i < c->n_chain; i++)
		if (certreq_names(authorities, c->chain[i])) {
			*ret = CERT_REQ_MATCH;
			return 0;
		}
	/* The top of our path: a root we hold, or the certificate itself
	 * when it is self-signed; otherwise we cannot tell. */
	top = c->root != NULL ? c->root : cert_is_self_signed(c) ? c : NULL;
	if (top == NULL)
		*ret = CERT_REQ_UNKNOWN;
	else if (certreq_names(authorities, top))
		*ret = CERT_REQ_MATCH;
	else
		*ret = CERT_REQ_NO_MATCH;
	return 0;
}
