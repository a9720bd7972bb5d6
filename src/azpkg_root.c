/* SPDX-License-Identifier: ISC */
/*
 * azpkg_root.c: the gateway's root certificates in a package.  They come
 * twice (azure-p2s-facts.md 1.3, 3.1): base64 DER in VpnSettings.xml
 * (<CaCert> in older packages, <CaCerts><string> in newer ones) and DER
 * files Generic\VpnServerRoot.cer or .cer_0, .cer_1, ...  All distinct
 * certificates are trusted, and only those; one found on a single side is
 * kept and noted, since during Azure's root migrations the two may differ.
 *
 * This file only decodes (base64, PEM armour) and checks the outer DER
 * shape; parsing the certificate is the caller's, with cert_load_der(),
 * inside the OpenSSL boundary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "azpkg_int.h"
#include "base64.h"
#include "log.h"
#include "wire.h"

#define PEM_BEGIN_ANY  "-----BEGIN "
#define PEM_BEGIN_CERT "-----BEGIN CERTIFICATE-----"
#define PEM_END_CERT   "-----END CERTIFICATE-----"

enum azpkg_origin {
	AZPKG_ORIGIN_XML = 1 << 0,  /* CaCert or CaCerts */
	AZPKG_ORIGIN_FILE = 1 << 1, /* a VpnServerRoot.cer file */
};

/* The collection under way; lives on azpkg_roots_collect()'s stack. */
struct azpkg_roots {
	struct azpkg *pkg; /* roots go to pkg->roots */
	struct azpkg_err *err;
	unsigned origin[AZPKG_MAX_ROOTS]; /* enum azpkg_origin bits per root */
	unsigned seen;			  /* enum azpkg_origin bits, all */
};

/*
 * An X.509 certificate is a DER SEQUENCE (X.690 8.9, 10.1: definite,
 * minimal length) holding the tbsCertificate SEQUENCE first.  Checking
 * that much catches text, truncation and junk before OpenSSL sees it.
 */
static bool
azpkg_der_is_cert(const uint8_t *p, size_t len)
{
	struct rd r = rd_make(p, len);
	uint8_t tag, l0, b, first;
	size_t n = 0;

	if (!rd_u8(&r, &tag) || tag != 0x30 || !rd_u8(&r, &l0))
		return false;
	if (l0 < 0x80) {
		n = l0;
	} else {
		size_t k = l0 & 0x7f;

		if (k == 0 || k > 3)
			return false; /* indefinite, or past CERT_MAX_LEN */
		for (size_t i = 0; i < k; i++) {
			if (!rd_u8(&r, &b) || (i == 0 && b == 0))
				return false;
			n = n << 8 | b;
		}
		if (n < 0x80)
			return false; /* not the shortest form */
	}
	return n == rd_left(&r) && rd_peek_u8(&r, &first) && first == 0x30;
}

/* "a, b": the same certificate found in a second place. */
static int
azpkg_root_also(struct azpkg_root *root, const char *source)
{
	size_t a = strlen(root->source), b = strlen(source);
	char *s = realloc(root->source, a + 2 + b + 1);

	if (s == NULL)
		return -ENOMEM;
	memcpy(s + a, ", ", 2);
	memcpy(s + a + 2, source, b + 1);
	root->source = s;
	return 0;
}

static int
azpkg_root_add(struct azpkg_roots *rs, const uint8_t *der, size_t len,
    const char *source, enum azpkg_origin origin)
{
	struct azpkg *pkg = rs->pkg;
	struct azpkg_root *root;

	if (len > CERT_MAX_LEN || !azpkg_der_is_cert(der, len))
		return azpkg_fail(rs->err, -EBADMSG,
		    "%s is not a DER certificate: download the package again",
		    source);
	rs->seen |= origin;
	for (size_t i = 0; i < pkg->n_roots; i++) {
		root = &pkg->roots[i];
		if (root->der->len == len &&
		    memcmp(root->der->p, der, len) == 0) {
			rs->origin[i] |= origin;
			if (azpkg_root_also(root, source) < 0)
				return azpkg_fail(
				    rs->err, -ENOMEM, "out of memory");
			return 0;
		}
	}
	if (pkg->n_roots >= AZPKG_MAX_ROOTS)
		return azpkg_fail(rs->err, -E2BIG,
		    "the package holds more than %d different gateway roots",
		    AZPKG_MAX_ROOTS);
	root = &pkg->roots[pkg->n_roots];
	root->der = buf_dup(der, len);
	root->source = strdup(source);
	if (root->der == NULL || root->source == NULL) {
		buf_free(root->der);
		free(root->source);
		*root = (struct azpkg_root){ 0 };
		return azpkg_fail(rs->err, -ENOMEM, "out of memory");
	}
	rs->origin[pkg->n_roots++] = origin;
	return 0;
}

static int
azpkg_root_b64(struct azpkg_roots *rs, const char *text, size_t len,
    const char *source, enum azpkg_origin origin)
{
	struct buf *der;
	int r;

	r = base64_decode_buf(text, len, BASE64_SKIP_SPACE, &der);
	if (r == -ENOMEM)
		return azpkg_fail(rs->err, r, "out of memory");
	if (r < 0)
		return azpkg_fail(rs->err, r,
		    "%s is not valid base64: download the package again",
		    source);
	r = azpkg_root_add(rs, der->p, der->len, source, origin);
	buf_free(der);
	return r;
}

static int
azpkg_roots_xml(struct azpkg_roots *rs, const struct azpkg_settings *s)
{
	char source[64];
	int r;

	if (s->ca_cert != NULL) {
		r = azpkg_root_b64(rs, s->ca_cert, strlen(s->ca_cert),
		    "VpnSettings.xml <CaCert>", AZPKG_ORIGIN_XML);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < s->ca_certs.n; i++) {
		(void)snprintf(source, sizeof(source),
		    "VpnSettings.xml <CaCerts> item %zu", i + 1);
		r = azpkg_root_b64(rs, s->ca_certs.v[i],
		    strlen(s->ca_certs.v[i]), source, AZPKG_ORIGIN_XML);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One or more "-----BEGIN CERTIFICATE-----" blocks; text between them
 * (openssl's "Bag Attributes", comments) is ignored. */
static int
azpkg_roots_pem(struct azpkg_roots *rs, const struct azpkg_entry *e)
{
	const char *p = (const char *)e->data->p, *end = p + e->data->len;
	const char *b, *body, *stop;
	char source[AZPKG_MAX_NAME_LEN + 32];
	size_t n = 0;
	int r;

	while ((b = memmem(p, (size_t)(end - p), PEM_BEGIN_ANY,
		    strlen(PEM_BEGIN_ANY))) != NULL) {
		if ((size_t)(end - b) < strlen(PEM_BEGIN_CERT) ||
		    memcmp(b, PEM_BEGIN_CERT, strlen(PEM_BEGIN_CERT)) != 0)
			return azpkg_fail(rs->err, -EBADMSG,
			    "%s holds a PEM block that is not a CERTIFICATE",
			    e->name);
		body = b + strlen(PEM_BEGIN_CERT);
		stop = memmem(body, (size_t)(end - body), PEM_END_CERT,
		    strlen(PEM_END_CERT));
		if (stop == NULL)
			return azpkg_fail(rs->err, -EBADMSG,
			    "%s holds a PEM certificate without its END line: the file is cut short",
			    e->name);
		(void)snprintf(source, sizeof(source),
		    n == 0 ? "%s" : "%s #%zu", e->name, n + 1);
		r = azpkg_root_b64(
		    rs, body, (size_t)(stop - body), source, AZPKG_ORIGIN_FILE);
		if (r < 0)
			return r;
		n++;
		p = stop + strlen(PEM_END_CERT);
	}
	if (n == 0)
		return azpkg_fail(rs->err, -EBADMSG,
		    "%s is neither a DER nor a PEM certificate", e->name);
	return 0;
}

/* A DER file starts with its SEQUENCE tag; anything else may be PEM. */
static int
azpkg_roots_file(struct azpkg_roots *rs, const struct azpkg_entry *e)
{
	if (e->data->len > 0 && e->data->p[0] == 0x30)
		return azpkg_root_add(
		    rs, e->data->p, e->data->len, e->name, AZPKG_ORIGIN_FILE);
	return azpkg_roots_pem(rs, e);
}

/* .cer, then .cer_0, .cer_1, ... whatever the zip's order. */
static int
azpkg_roots_files(struct azpkg_roots *rs, const struct azpkg_files *f)
{
	const struct azpkg_entry *v[AZPKG_MAX_ROOT_FILES];
	size_t n = 0;
	int r;

	for (size_t i = 0; i < f->n_entries && n < ARRAY_SIZE(v); i++) {
		const struct azpkg_entry *e = &f->entries[i];
		size_t j;

		if (e->kind != AZPKG_KIND_SERVER_ROOT || e->data == NULL)
			continue;
		for (j = n++; j > 0 && v[j - 1]->order > e->order; j--)
			v[j] = v[j - 1];
		v[j] = e;
	}
	for (size_t i = 0; i < n; i++) {
		r = azpkg_roots_file(rs, v[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The XML and the files should agree; say so when they do not. */
static int
azpkg_roots_compare(struct azpkg_roots *rs)
{
	struct azpkg *pkg = rs->pkg;

	if (rs->seen != (AZPKG_ORIGIN_XML | AZPKG_ORIGIN_FILE))
		return 0;
	for (size_t i = 0; i < pkg->n_roots; i++) {
		if (rs->origin[i] == (AZPKG_ORIGIN_XML | AZPKG_ORIGIN_FILE))
			continue;
		if (azpkg_note(pkg,
			"the gateway root from %.200s is only in %s; it is trusted too",
			pkg->roots[i].source,
			rs->origin[i] == AZPKG_ORIGIN_XML
			    ? "VpnSettings.xml, not in a VpnServerRoot.cer file"
			    : "a file, not in VpnSettings.xml") < 0)
			return azpkg_fail(rs->err, -ENOMEM, "out of memory");
	}
	return 0;
}

int
azpkg_roots_collect(const struct azpkg_settings *s, const struct azpkg_files *f,
    struct azpkg *pkg, struct azpkg_err *err)
{
	struct azpkg_roots rs = { .pkg = pkg, .err = err };
	int r;

	pkg->roots = calloc(AZPKG_MAX_ROOTS, sizeof(*pkg->roots));
	if (pkg->roots == NULL)
		return azpkg_fail(err, -ENOMEM, "out of memory");
	r = azpkg_roots_xml(&rs, s);
	if (r == 0 && f != NULL)
		r = azpkg_roots_files(&rs, f);
	if (r == 0)
		r = azpkg_roots_compare(&rs);
	if (r == 0 && pkg->n_roots == 0)
		r = azpkg_fail(err, -EBADMSG,
		    "the package holds no gateway root certificate (neither <CaCert> nor <CaCerts> in VpnSettings.xml, nor a Generic\\VpnServerRoot.cer file): download the package again");
	return r;
}
