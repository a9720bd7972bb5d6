/* SPDX-License-Identifier: ISC */
/*
 * cert_make.c: make Azure's root and client certificates (see
 * cert_make.h).  RFC 5280 4.2.1 for the extensions; azure-p2s-facts.md 6
 * for what Azure's PowerShell recipe puts in them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "cert_int.h"
#include "cert_make.h"
#include "cert_ossl.h"

static int
key_new_pkey(EVP_PKEY *pkey, struct key_ref **ret)
{
	struct key_ref *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return -ENOMEM;
	k->pkey = pkey;
	*ret = k;
	return 0;
}

static bool
cn_valid(const char *cn)
{
	size_t len = strnlen(cn, CERT_MAKE_CN_MAX + 1);

	if (len == 0 || len > CERT_MAKE_CN_MAX)
		return false;
	/* It is also the SAN dNSName and the IKE identity: keep it a name. */
	for (size_t i = 0; i < len; i++)
		if (cn[i] <= ' ' || cn[i] == 0x7f || cn[i] == ',' ||
		    cn[i] == '/' || cn[i] == '=')
			return false;
	return true;
}

/* One X509v3 extension from its OpenSSL config-style value. */
static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -EINVAL;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

static int
add_exts(X509 *x, X509 *issuer, const struct cert_make_req *req)
{
	char san[CERT_MAKE_CN_MAX + 8];
	int r;

	r = add_ext(x, x, NID_subject_key_identifier, "hash");
	if (r == 0 && !req->ca)
		r = add_ext(
		    x, issuer, NID_authority_key_identifier, "keyid:always");
	if (req->ca) {
		if (r == 0)
			r = add_ext(
			    x, x, NID_basic_constraints, "critical,CA:TRUE");
		if (r == 0)
			r = add_ext(x, x, NID_key_usage,
			    "critical,keyCertSign,cRLSign,digitalSignature");
		return r;
	}
	(void)snprintf(san, sizeof(san), "DNS:%s", req->cn);
	if (r == 0)
		r = add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
	if (r == 0)
		r = add_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment");
	if (r == 0)
		r = add_ext(x, issuer, NID_ext_key_usage, "clientAuth");
	if (r == 0)
		r = add_ext(x, issuer, NID_subject_alt_name, san);
	return r;
}

static int
set_serial(X509 *x)
{
	unsigned char rnd[16];
	BIGNUM *bn;
	int ok;

	/* RFC 5280 4.1.2.2: positive, at most 20 octets; random makes
	 * two roots with the same CN distinguishable. */
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -EIO;
	rnd[0] &= 0x7f;
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok ? 0 : -ENOMEM;
}

static int
set_names(X509 *x, X509 *issuer, const char *cn)
{
	X509_NAME *name = X509_get_subject_name(x);

	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
		(const unsigned char *)cn, -1, -1, 0))
		return -ENOMEM;
	return X509_set_issuer_name(x, X509_get_subject_name(issuer)) ? 0
								      : -ENOMEM;
}

static int
build(X509 *x, EVP_PKEY *pkey, const struct cert_make_req *req)
{
	X509 *issuer = req->ca ? x : cert_x509(req->issuer);
	EVP_PKEY *signer = req->ca ? pkey : key_pkey(req->issuer_key);
	int r;

	if (!X509_set_version(x, 2) || !X509_set_pubkey(x, pkey) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)req->days, 0, NULL) ==
		NULL)
		return -ENOMEM;
	r = set_serial(x);
	if (r == 0)
		r = set_names(x, issuer, req->cn);
	if (r == 0)
		r = add_exts(x, issuer, req);
	if (r == 0 && X509_sign(x, signer, EVP_sha256()) <= 0)
		r = -EKEYREJECTED;
	return r;
}

int
cert_make(const struct cert_make_req *req, struct cert **ret_cert,
    struct key_ref **ret_key)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	int r;

	if (!cn_valid(req->cn) || req->days == 0 ||
	    req->days > CERT_MAKE_DAYS_MAX ||
	    (!req->ca && (req->issuer == NULL || req->issuer_key == NULL)))
		return -EINVAL;
	pkey = EVP_RSA_gen(CERT_MAKE_RSA_BITS);
	x = X509_new();
	r = pkey != NULL && x != NULL ? build(x, pkey, req) : -ENOMEM;
	if (r == 0)
		r = cert_new_x509(x, ret_cert);
	if (r < 0) {
		X509_free(x);
		EVP_PKEY_free(pkey);
		return r;
	}
	r = key_new_pkey(pkey, ret_key);
	if (r < 0) {
		cert_free(*ret_cert);
		EVP_PKEY_free(pkey);
	}
	return r;
}

/* Open path for writing: secrets must be new files, 0600 from birth. */
static FILE *
open_out(const char *path, bool secret, int *ret_err)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
	int fd;
	FILE *f;

	flags |= secret ? O_EXCL : O_TRUNC;
	fd = open(path, flags, secret ? 0600 : 0644);
	if (fd == -1) {
		*ret_err = -errno;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		*ret_err = -errno;
		(void)close(fd);
	}
	return f;
}

static int
close_out(FILE *f, bool ok, const char *path)
{
	int r = ok ? 0 : -EIO;

	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r < 0)
		(void)unlink(path);
	return r;
}

int
cert_write_pem(const struct cert *c, const char *path)
{
	int r = 0;
	FILE *f = open_out(path, false, &r);

	if (f == NULL)
		return r;
	return close_out(f, PEM_write_X509(f, cert_x509(c)) == 1, path);
}

int
key_write_pem(const struct key_ref *k, const char *path)
{
	int r = 0;
	FILE *f = open_out(path, true, &r);

	if (f == NULL)
		return r;
	return close_out(f,
	    PEM_write_PrivateKey(f, key_pkey(k), NULL, NULL, 0, NULL, NULL) ==
		1,
	    path);
}

int
cert_write_p12(const struct cert *c, const struct key_ref *k,
    const struct cert *issuer, const char *password, const char *path)
{
	STACK_OF(X509) *ca = sk_X509_new_null();
	PKCS12 *p12 = NULL;
	FILE *f;
	int r = 0;

	if (ca == NULL ||
	    (issuer != NULL && !sk_X509_push(ca, cert_x509(issuer)))) {
		sk_X509_free(ca);
		return -ENOMEM;
	}
	/* AES-256-CBC with PBKDF2 for both bags, HMAC-SHA256 for the MAC:
	 * what current Windows exports and imports. */
	p12 = PKCS12_create_ex(password, NULL, key_pkey(k), cert_x509(c), ca,
	    NID_aes_256_cbc, NID_aes_256_cbc, PKCS12_DEFAULT_ITER,
	    PKCS12_DEFAULT_ITER, 0, NULL, NULL);
	sk_X509_free(ca);
	if (p12 == NULL)
		return -ENOMEM;
	f = open_out(path, true, &r);
	if (f != NULL)
		r = close_out(f, i2d_PKCS12_fp(f, p12) == 1, path);
	PKCS12_free(p12);
	return r;
}
