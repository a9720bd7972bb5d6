/* SPDX-License-Identifier: ISC */
/*
 * cert.c: loading what a profile names: certificates (PEM, possibly with
 * their issuers, or DER), private keys (PKCS#8, traditional RSA and EC, PEM
 * or DER; RFC 5958, RFC 8017 A.1.2, RFC 5915), PKCS#12 bundles (RFC 7292:
 * the AES-256/PBKDF2 of modern Windows exports and the RC2-40/3DES of older
 * ones), and the trust anchors.  Also certificates from CERT payloads (RFC
 * 7296 3.6), which are peer input: those paths log at debug only.
 *
 * Files are read whole, up to a cap, and parsed from memory, so a PEM key
 * never sits in a stdio buffer we cannot wipe.  Everything loaded under a
 * private library context (the legacy provider for old PKCS#12) is
 * re-encoded into the default one before that context is freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>

#include "caps.h"
#include "cert_int.h"
#include "cert_ossl.h"
#include "log.h"

/* Drains OpenSSL's error queue into one debug line. */
static void
cert_ssl_debug(const char *what)
{
	char reason[256];
	unsigned long e = ERR_peek_last_error();

	if (e != 0) {
		ERR_error_string_n(e, reason, sizeof(reason));
		log_debug("%s: %s", what, reason);
	}
	ERR_clear_error();
}

/*
 * Reads a whole file, at most cap bytes, into a buffer (a secret one for
 * keys and passwords).  Pipes work too: `--password-file <(...)`.
 */
static int
cert_read_file(const char *path, size_t cap, bool secret, struct buf **ret)
{
	struct buf *b;
	size_t got = 0;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* One byte more than the cap tells "too big" from "exactly cap". */
	b = secret ? buf_new_secret(cap + 1) : buf_new(cap + 1);
	if (b == NULL) {
		r = -ENOMEM;
		goto out;
	}
	while (got <= cap) {
		n = read(fd, b->p + got, cap + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > cap)
		r = -E2BIG;
out:
	(void)close(fd);
	if (r < 0) {
		buf_free(b);
		return r;
	}
	b->len = got;
	*ret = b;
	return 0;
}

static bool
cert_is_pem(const struct buf *b)
{
	static const char tag[] = "-----BEGIN ";

	return memmem(b->p, b->len, tag, sizeof(tag) - 1) != NULL;
}

/* Logs a file that could not be used, once, in the user's terms. */
static int
cert_file_error(const char *path, int r, const char *what)
{
	if (r == -E2BIG)
		log_err("%s: larger than %u bytes; is it really a %s?", path,
		    (unsigned)CERT_MAX_FILE_LEN, what);
	else if (r == -EBADMSG)
		log_err("%s: not a %s", path, what);
	else
		log_errno(r, "%s", path);
	return r;
}

/* ------------------------------------------------------------------ */
/* struct cert */

/* A cert for x (taken over) whose DER is der, or i2d(x) when der is NULL. */
static int
cert_new_x509_der(X509 *x, const struct rd *der, struct cert **ret)
{
	struct cert *c;
	unsigned char *p;
	int len;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	len = der != NULL ? (int)der->len : i2d_X509(x, NULL);
	if (len <= 0 || (c->der = buf_new((size_t)len)) == NULL) {
		free(c);
		return len <= 0 ? -EBADMSG : -ENOMEM;
	}
	p = c->der->p;
	if (der != NULL)
		memcpy(p, der->p, der->len);
	else if (i2d_X509(x, &p) != len) {
		buf_free(c->der);
		free(c);
		return -EBADMSG;
	}
	c->x509 = x;
	*ret = c;
	return 0;
}

int
cert_new_x509(X509 *x, struct cert **ret)
{
	return cert_new_x509_der(x, NULL, ret);
}

void
cert_free(struct cert *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_chain; i++)
		cert_free(c->chain[i]);
	free(c->chain);
	cert_free(c->root);
	X509_free(c->x509);
	buf_free(c->der);
	free(c);
}

X509 *
cert_x509(const struct cert *c)
{
	return c->x509;
}

int
cert_from_x509(X509 *x, struct cert **ret)
{
	int r;

	if (!X509_up_ref(x))
		return -ENOMEM;
	r = cert_new_x509(x, ret);
	if (r < 0)
		X509_free(x);
	return r;
}

/* A copy that shares the X509 (reference counted) but not the chain. */
static int
cert_dup(const struct cert *c, struct cert **ret)
{
	struct rd der = buf_rd(c->der);
	int r;

	if (!X509_up_ref(c->x509))
		return -ENOMEM;
	r = cert_new_x509_der(c->x509, &der, ret);
	if (r < 0)
		X509_free(c->x509);
	return r;
}

/*
 * Certificates from a CERT payload or a DER file: exactly one
 * certificate, no trailing bytes, at most CERT_MAX_LEN.
 */
int
cert_load_der(const struct rd *der, struct cert **ret)
{
	const unsigned char *p = der->p;
	X509 *x;
	int r;

	if (der->len > CERT_MAX_LEN) {
		log_debug(
		    "certificate of %zu bytes (> %d)", der->len, CERT_MAX_LEN);
		return -E2BIG;
	}
	x = d2i_X509(NULL, &p, (long)der->len);
	if (x == NULL || (size_t)(p - der->p) != der->len) {
		log_debug("certificate: %s",
		    x == NULL ? "does not parse" : "trailing bytes after it");
		X509_free(x);
		cert_ssl_debug("d2i_X509");
		return -EBADMSG;
	}
	/* The bytes as received: thumbprints are of those, and encoding
	 * them again would cost as much as parsing them. */
	r = cert_new_x509_der(x, der, ret);
	if (r < 0)
		X509_free(x);
	return r;
}

static void
cert_list_free(struct cert **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cert_free(v[i]);
}

/*
 * Every CERTIFICATE block of a PEM buffer, in order, each parsed from its
 * own bytes like a CERT payload; other blocks (a key kept in the same
 * file) are skipped and wiped.  -EBADMSG if none, or a damaged one.
 */
static int
cert_parse_pem(const struct buf *b, struct cert **v, size_t cap, size_t *ret_n)
{
	BIO *bio = BIO_new_mem_buf(b->p, (int)b->len);
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	unsigned long e;
	size_t n = 0;
	long len = 0;
	int r = 0;

	if (bio == NULL)
		return -ENOMEM;
	ERR_clear_error();
	while (r == 0 && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		struct rd der = rd_make(data, (size_t)len);
		bool is_cert = strcmp(name, PEM_STRING_X509) == 0 ||
		    strcmp(name, PEM_STRING_X509_OLD) == 0;

		if (is_cert && n == cap)
			r = -E2BIG;
		else if (is_cert && (r = cert_load_der(&der, &v[n])) == 0)
			n++;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(data, (size_t)len);
	}
	/* The loop ends on "no start line" at the end of the data; any
	 * other error is a damaged block. */
	e = ERR_peek_last_error();
	if (r == 0 &&
	    (n == 0 || (e != 0 && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)))
		r = -EBADMSG;
	ERR_clear_error();
	BIO_free(bio);
	if (r < 0) {
		cert_list_free(v, n);
		return r;
	}
	*ret_n = n;
	return 0;
}

/* The certificates of a file: PEM (many) or DER (one). */
static int
cert_read_certs(const char *path, struct cert **v, size_t cap, size_t *ret_n)
{
	struct buf *b = NULL;
	struct rd der;
	int r;

	/* Secret: a PEM file may hold the key as well. */
	r = cert_read_file(path, CERT_MAX_FILE_LEN, true, &b);
	if (r < 0)
		return r;
	if (cert_is_pem(b)) {
		r = cert_parse_pem(b, v, cap, ret_n);
	} else {
		der = buf_rd(b);
		r = cert_load_der(&der, &v[0]);
		if (r == 0)
			*ret_n = 1;
	}
	buf_free(b);
	return r;
}

/* The issuer of cur among the extras not yet used; -1 if none. */
static int
cert_find_issuer(const struct cert *cur, struct cert **extra, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (extra[i] != NULL &&
		    X509_cmp(extra[i]->x509, cur->x509) != 0 &&
		    X509_check_issued(extra[i]->x509, cur->x509) == X509_V_OK)
			return (int)i;
	return -1;
}

/*
 * Orders the certificates that came with c into a path: c's issuer, its
 * issuer, ... and a self-signed root at the top, kept apart.  Takes over
 * every extra (the ones on the path move into c, the rest are freed).
 */
static int
cert_attach_issuers(struct cert *c, struct cert **extra, size_t n)
{
	const struct cert *cur = c;
	int i, r = 0;

	c->chain = calloc(n > 0 ? n : 1, sizeof(*c->chain));
	if (c->chain == NULL)
		r = -ENOMEM;
	while (r == 0 && !cert_is_self_signed(cur) &&
	    (i = cert_find_issuer(cur, extra, n)) >= 0) {
		cur = extra[i];
		extra[i] = NULL;
		if (cert_is_self_signed(cur))
			c->root = (struct cert *)cur;
		else
			c->chain[c->n_chain++] = (struct cert *)cur;
	}
	for (size_t k = 0; k < n; k++)
		if (extra[k] != NULL)
			log_debug("dropping a certificate that is not on the "
				  "path of the first one");
	cert_list_free(extra, n);
	ERR_clear_error();
	return r;
}

/* Takes over v[0..n): v[0] is the certificate, the rest its issuers. */
static int
cert_from_list(struct cert **v, size_t n, struct cert **ret)
{
	int r = cert_attach_issuers(v[0], v + 1, n - 1);

	if (r < 0) {
		cert_free(v[0]);
		return r;
	}
	*ret = v[0];
	return 0;
}

int
cert_load_file(const char *path, struct cert **ret)
{
	struct cert *v[CERT_MAX_FILE_CERTS];
	size_t n;
	int r;

	r = cert_read_certs(path, v, ARRAY_SIZE(v), &n);
	if (r < 0)
		return cert_file_error(path, r, "certificate (PEM or DER)");
	return cert_from_list(v, n, ret);
}

size_t
cert_chain_len(const struct cert *c)
{
	return c->n_chain;
}

const struct cert *
cert_chain_at(const struct cert *c, size_t i)
{
	return i < c->n_chain ? c->chain[i] : NULL;
}

/* ------------------------------------------------------------------ */
/* Private keys */

EVP_PKEY *
key_pkey(const struct key_ref *k)
{
	return k->pkey;
}

void
key_free(struct key_ref *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* The kinds of key IKE AUTH and TLS can sign with. */
static bool
key_type_ok(const EVP_PKEY *pkey)
{
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
	case EVP_PKEY_EC:
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		return true;
	default:
		return false;
	}
}

static int
key_new(EVP_PKEY *pkey, struct key_ref **ret)
{
	struct key_ref *k;

	if (!key_type_ok(pkey))
		return -EKEYREJECTED;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	k->pkey = pkey;
	*ret = k;
	return 0;
}

/* A decoder asking for a passphrase means the key is encrypted: we have
 * none to give (see cert.h), so remember that and refuse. */
static int
key_no_passphrase(char *pass, size_t pass_size, size_t *pass_len,
    const OSSL_PARAM params[], void *arg)
{
	*(bool *)arg = true;
	return 0;
}

/*
 * PEM or DER; PKCS#8 or the traditional RSA and EC forms.  A PEM file may
 * hold other blocks (its certificate) before the key: a block the decoder
 * does not take is skipped, as PEM_read_bio_PrivateKey does, as long as
 * each attempt moves forward.
 */
static int
key_decode(const struct buf *b, EVP_PKEY **ret, bool *ret_encrypted)
{
	BIO *bio = BIO_new_mem_buf(b->p, (int)b->len);
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	bool asked = false;
	long pos = 0, next;

	dctx = OSSL_DECODER_CTX_new_for_pkey(
	    &pkey, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
	if (bio == NULL || dctx == NULL ||
	    !OSSL_DECODER_CTX_set_passphrase_cb(
		dctx, key_no_passphrase, &asked)) {
		BIO_free(bio);
		OSSL_DECODER_CTX_free(dctx);
		return -ENOMEM;
	}
	while (!OSSL_DECODER_from_bio(dctx, bio) && pkey == NULL && !asked &&
	    !BIO_eof(bio) && (next = BIO_tell(bio)) > pos)
		pos = next;
	OSSL_DECODER_CTX_free(dctx);
	BIO_free(bio);
	ERR_clear_error();
	*ret_encrypted = asked;
	if (pkey == NULL)
		return -EBADMSG;
	*ret = pkey;
	return 0;
}

int
key_load_file(const char *path, struct key_ref **ret)
{
	struct buf *b = NULL;
	EVP_PKEY *pkey = NULL;
	bool encrypted = false;
	int r;

	r = cert_read_file(path, CERT_MAX_FILE_LEN, true, &b);
	if (r < 0)
		return cert_file_error(path, r, "private key");
	r = key_decode(b, &pkey, &encrypted);
	buf_free(b);
	if (r < 0 && encrypted) {
		log_err("%s: the private key is encrypted, and p2sd has nobody "
			"to ask for its passphrase; decrypt it once (openssl "
			"pkey -in %s -out NEW.key, mode 0600) or use the "
			"PKCS#12 file with a password file",
		    path, path);
		return -EKEYREJECTED;
	}
	if (r < 0)
		return cert_file_error(
		    path, r, "private key (PEM or DER: PKCS#8, RSA or EC)");
	r = key_new(pkey, ret);
	if (r < 0) {
		log_err("%s: %s keys are not supported (RSA, ECDSA, Ed25519 "
			"or Ed448)",
		    path, EVP_PKEY_get0_type_name(pkey));
		EVP_PKEY_free(pkey);
	}
	return r;
}

int
cert_check_key(const struct cert *c, const struct key_ref *k)
{
	int ok = X509_check_private_key(c->x509, k->pkey);

	ERR_clear_error();
	return ok == 1 ? 0 : -EKEYREJECTED;
}

int
cert_read_password(const char *path, struct buf **ret)
{
	struct buf *b = NULL;
	size_t n;
	int r;

	r = cert_read_file(path, CERT_MAX_PASSWORD_LEN, true, &b);
	if (r < 0) {
		if (r == -E2BIG)
			log_err("%s: longer than %d bytes; is it really a "
				"password file?",
			    path, CERT_MAX_PASSWORD_LEN);
		else
			log_errno(r, "%s", path);
		return r;
	}
	/* The first line; the buffer has a spare byte for the NUL. */
	for (n = 0; n < b->len && b->p[n] != '\n'; n++)
		;
	if (n > 0 && b->p[n - 1] == '\r')
		n--;
	wipe(b->p + n, b->len - n);
	b->p[n] = '\0';
	b->len = n;
	*ret = b;
	return 0;
}

/* ------------------------------------------------------------------ */
/* PKCS#12 */

/*
 * Checks the MAC, which is how a wrong password shows: -EACCES.  An empty
 * password has two encodings (no password, or an empty BMPString; RFC
 * 7292 B.1), and Windows and OpenSSL do not agree on which to use, so both
 * are tried, as PKCS12_parse does.
 */
static int
p12_check_mac(PKCS12 *p12, const char *password)
{
	int ok;

	if (!PKCS12_mac_present(p12))
		return 0;
	if (password == NULL || password[0] == '\0')
		ok = PKCS12_verify_mac(p12, NULL, 0) ||
		    PKCS12_verify_mac(p12, "", 0);
	else
		ok = PKCS12_verify_mac(p12, password, -1);
	ERR_clear_error();
	return ok ? 0 : -EACCES;
}

/* The bundle's bytes parsed in libctx (NULL: the default context). */
static PKCS12 *
p12_decode(const struct buf *b, OSSL_LIB_CTX *libctx)
{
	const unsigned char *p = b->p;
	PKCS12 *p12;

	/* d2i into an object made in libctx keeps the context, so the
	 * decryption fetches its ciphers there.  On failure d2i frees it. */
	p12 = PKCS12_init_ex(NID_pkcs7_data, libctx, NULL);
	if (p12 == NULL)
		return NULL;
	if (d2i_PKCS12(&p12, &p, (long)b->len) == NULL)
		return NULL;
	if ((size_t)(p - b->p) != b->len) {
		PKCS12_free(p12);
		return NULL;
	}
	return p12;
}

/* What a bundle held, as OpenSSL objects, until they become ours. */
struct p12_items {
	EVP_PKEY *pkey;	     /* owned */
	X509 *x509;	     /* owned */
	STACK_OF(X509) * ca; /* owned */
};

static void
p12_items_free(struct p12_items *it)
{
	EVP_PKEY_free(it->pkey);
	X509_free(it->x509);
	sk_X509_pop_free(it->ca, X509_free);
}

/* A private library context with the legacy provider, for RC2 and 3DES,
 * and the provider handles it must give back before it is freed. */
struct p12_legacy {
	OSSL_LIB_CTX *lc;      /* owned */
	OSSL_PROVIDER *def;    /* owned: loaded into lc */
	OSSL_PROVIDER *legacy; /* owned: loaded into lc */
};

static void
p12_legacy_done(struct p12_legacy *l)
{
	/* Each explicit load holds a reference that freeing the context
	 * does not drop. */
	if (l->legacy != NULL)
		(void)OSSL_PROVIDER_unload(l->legacy);
	if (l->def != NULL)
		(void)OSSL_PROVIDER_unload(l->def);
	OSSL_LIB_CTX_free(l->lc);
	*l = (struct p12_legacy){ 0 };
}

/* false when the legacy provider is not installed. */
static bool
p12_legacy_init(struct p12_legacy *l)
{
	*l = (struct p12_legacy){ 0 };
	l->lc = OSSL_LIB_CTX_new();
	if (l->lc != NULL)
		l->def = OSSL_PROVIDER_load(l->lc, "default");
	if (l->def != NULL)
		l->legacy = OSSL_PROVIDER_load(l->lc, "legacy");
	if (l->legacy == NULL) {
		cert_ssl_debug("loading OpenSSL's legacy provider");
		p12_legacy_done(l);
		return false;
	}
	return true;
}

/*
 * Decodes, checks the MAC and decrypts in libctx.  -EBADMSG for bytes that
 * are not PKCS#12, -EACCES for a wrong password, -EOPNOTSUPP for a bundle
 * that does not decrypt (in the default context: RC2 or 3DES, most likely).
 */
static int
p12_parse_in(const struct buf *b, const char *password, OSSL_LIB_CTX *libctx,
    struct p12_items *ret)
{
	struct p12_items it = { 0 };
	PKCS12 *p12;
	int r;

	p12 = p12_decode(b, libctx);
	if (p12 == NULL) {
		cert_ssl_debug("d2i_PKCS12");
		return -EBADMSG;
	}
	r = p12_check_mac(p12, password);
	if (r == 0 &&
	    !PKCS12_parse(p12, password, &it.pkey, &it.x509, &it.ca)) {
		cert_ssl_debug("PKCS12_parse");
		r = -EOPNOTSUPP;
	}
	PKCS12_free(p12);
	if (r == 0)
		*ret = it;
	return r;
}

/*
 * A copy in the default library context.  The DER round trip cuts every
 * tie to the private context the bundle was parsed in (X509_dup would keep
 * a pointer to it, and it is about to be freed).
 */
static int
p12_take_cert(X509 *x, struct cert **ret)
{
	unsigned char *der = NULL;
	struct rd r;
	int len, e;

	len = i2d_X509(x, &der);
	if (len <= 0) {
		ERR_clear_error();
		return -EBADMSG;
	}
	r = rd_make(der, (size_t)len);
	e = cert_load_der(&r, ret);
	OPENSSL_free(der);
	return e;
}

static int
p12_take_key(EVP_PKEY *pkey, struct key_ref **ret)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *copy;
	int len, r;

	len = i2d_PrivateKey(pkey, &der);
	p = der;
	copy = len > 0 ? d2i_AutoPrivateKey(NULL, &p, len) : NULL;
	OPENSSL_clear_free(der, len > 0 ? (size_t)len : 0);
	ERR_clear_error();
	r = copy != NULL ? key_new(copy, ret) : -EBADMSG;
	if (r < 0)
		EVP_PKEY_free(copy);
	return r;
}

static int
p12_take(const struct p12_items *it, struct cert **ret_cert,
    struct key_ref **ret_key)
{
	struct cert *v[CERT_MAX_FILE_CERTS];
	size_t n = 0;
	int r;

	r = p12_take_cert(it->x509, &v[n]);
	if (r == 0)
		n++;
	for (int i = 0; r == 0 && i < sk_X509_num(it->ca) && n < ARRAY_SIZE(v);
	     i++) {
		r = p12_take_cert(sk_X509_value(it->ca, i), &v[n]);
		if (r == 0)
			n++;
	}
	if (r < 0) {
		cert_list_free(v, n);
		return r;
	}
	r = cert_from_list(v, n, ret_cert);
	if (r < 0)
		return r;
	r = p12_take_key(it->pkey, ret_key);
	if (r < 0)
		cert_free(*ret_cert);
	return r;
}

static int
p12_error(const char *path, int r, bool legacy_missing)
{
	if (r == -EACCES)
		log_err("%s: wrong password (the PKCS#12 integrity check "
			"fails), or the file is damaged",
		    path);
	else if (r == -EOPNOTSUPP && legacy_missing)
		log_err("%s: it uses RC2 or 3DES (an older Windows export), "
			"which needs OpenSSL's legacy provider, and it could "
			"not be loaded: install it (ossl-modules/legacy.so) or "
			"re-export the file with AES-256",
		    path);
	else if (r == -EKEYREJECTED)
		log_err("%s: no private key with a certificate that matches "
			"it; export the certificate with its private key",
		    path);
	else if (r == -EOPNOTSUPP)
		log_err("%s: cannot decrypt its contents (an unsupported "
			"cipher, or a damaged file)",
		    path);
	else
		return cert_file_error(path, r, "PKCS#12 file (.pfx, .p12)");
	return r;
}

static int
p12_load(const struct buf *b, const char *password, bool *ret_legacy_missing,
    struct cert **ret_cert, struct key_ref **ret_key)
{
	struct p12_items it = { 0 };
	struct p12_legacy legacy = { 0 };
	int r;

	r = p12_parse_in(b, password, NULL, &it);
	if (r == -EOPNOTSUPP) {
		/* Maybe RC2-40 or 3DES: the default provider has neither. */
		*ret_legacy_missing = !p12_legacy_init(&legacy);
		if (!*ret_legacy_missing)
			r = p12_parse_in(b, password, legacy.lc, &it);
	}
	if (r == 0 && (it.pkey == NULL || it.x509 == NULL))
		r = -EKEYREJECTED;
	if (r == 0)
		r = p12_take(&it, ret_cert, ret_key);
	/* The objects from the private context go before the context. */
	p12_items_free(&it);
	p12_legacy_done(&legacy);
	return r;
}

int
cert_load_p12(const char *path, const char *password, struct cert **ret_cert,
    struct key_ref **ret_key)
{
	struct buf *b = NULL;
	struct cert *c;
	struct key_ref *k;
	bool legacy_missing = false;
	int r;

	r = cert_read_file(path, CERT_MAX_FILE_LEN, true, &b);
	if (r < 0)
		return cert_file_error(path, r, "PKCS#12 file (.pfx, .p12)");
	r = p12_load(b, password, &legacy_missing, &c, &k);
	buf_free(b);
	if (r < 0)
		return p12_error(path, r, legacy_missing);
	/* PKCS12_parse pairs them by localKeyID or by key; make sure. */
	r = cert_check_key(c, k);
	if (r < 0) {
		cert_free(c);
		key_free(k);
		return p12_error(path, r, false);
	}
	*ret_cert = c;
	*ret_key = k;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Trust anchors */

X509_STORE *
trust_store(const struct trust *t)
{
	return t->store;
}

int
trust_new(struct trust **ret)
{
	struct trust *t = calloc(1, sizeof(*t));
	int r;

	if (t == NULL)
		return -ENOMEM;
	/* X509_STORE_new loads nothing: no system paths, by design. */
	t->store = X509_STORE_new();
	if (t->store == NULL) {
		free(t);
		return -ENOMEM;
	}
	r = trust_set_verify_param(X509_STORE_get0_param(t->store));
	if (r < 0) {
		trust_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

void
trust_free(struct trust *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_roots; i++)
		cert_free(t->roots[i]);
	free(t->roots);
	X509_STORE_free(t->store);
	free(t);
}

size_t
trust_count(const struct trust *t)
{
	return t->n_roots;
}

const struct cert *
trust_root(const struct trust *t, size_t i)
{
	return i < t->n_roots ? t->roots[i] : NULL;
}

/* Azure's package names the same root twice (CaCert and
 * VpnServerRoot.cer); the second is not an error. */
static bool
trust_has(const struct trust *t, const struct cert *c)
{
	struct rd der = cert_der(c);

	for (size_t i = 0; i < t->n_roots; i++) {
		struct rd other = cert_der(t->roots[i]);

		if (rd_eq(&der, &other))
			return true;
	}
	return false;
}

int
trust_add_cert(struct trust *t, const struct cert *c)
{
	struct cert **v, *copy;
	int r;

	if (trust_has(t, c))
		return 0;
	if (t->n_roots == CERT_MAX_ROOTS)
		return -E2BIG;
	v = reallocarray(t->roots, t->n_roots + 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	t->roots = v;
	r = cert_dup(c, &copy);
	if (r < 0)
		return r;
	if (!X509_STORE_add_cert(t->store, copy->x509)) {
		ERR_clear_error();
		cert_free(copy);
		return -ENOMEM;
	}
	t->roots[t->n_roots++] = copy;
	return 0;
}

int
trust_add_file(struct trust *t, const char *path)
{
	struct cert *v[CERT_MAX_FILE_CERTS];
	size_t n = 0;
	int r;

	r = cert_read_certs(path, v, ARRAY_SIZE(v), &n);
	if (r < 0)
		return cert_file_error(path, r, "certificate (PEM or DER)");
	for (size_t i = 0; i < n && r == 0; i++)
		r = trust_add_cert(t, v[i]);
	cert_list_free(v, n);
	if (r == -E2BIG)
		log_err("%s: more than %d trusted roots in the profile", path,
		    CERT_MAX_ROOTS);
	return r;
}
