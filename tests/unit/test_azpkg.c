/* SPDX-License-Identifier: ISC */
/*
 * test_azpkg.c: the Azure package reader on the real VpnSettings.xml
 * samples (tests/data/azure/), on zips built here the way Azure lays them
 * out (backslashes, MS-DOS "made by", deflate, no directory entries) and
 * their variants, and on hostile zips and documents.  Every refusal must
 * come with a message naming what is wrong, leave the out-parameter
 * alone, and never make a large allocation: malloc and friends are
 * wrapped (-Wl,--wrap, see mk/azpkg.am) to record the largest request the
 * library makes.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zip.h>

#include "azpkg.h"

/* ------------------------------------------------------------------ */
/* The largest single allocation our code asks for. */

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void *__real_reallocarray(void *, size_t, size_t);
void *__wrap_malloc(size_t);
void *__wrap_calloc(size_t, size_t);
void *__wrap_realloc(void *, size_t);
void *__wrap_reallocarray(void *, size_t, size_t);

static size_t alloc_peak;

static void
alloc_note(size_t n)
{
	if (n > alloc_peak)
		alloc_peak = n;
}

void *
__wrap_malloc(size_t n)
{
	alloc_note(n);
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	alloc_note(size != 0 && n > SIZE_MAX / size ? SIZE_MAX : n * size);
	return __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	alloc_note(n);
	return __real_realloc(p, n);
}

void *
__wrap_reallocarray(void *p, size_t n, size_t size)
{
	alloc_note(size != 0 && n > SIZE_MAX / size ? SIZE_MAX : n * size);
	return __real_reallocarray(p, n, size);
}

/* What a hostile input may make us allocate: one entry, plus a byte. */
#define ALLOC_BOUND ((size_t)AZPKG_MAX_ENTRY_LEN + 4096)

/* ------------------------------------------------------------------ */
/* Files and strings. */

static struct buf *
slurp(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX];
	struct buf *b;
	FILE *f;
	long n;

	(void)snprintf(path, sizeof(path), "%s/tests/data/azure/%s",
	    top != NULL ? top : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	b = buf_new((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b->p, 1, b->len, f), b->len);
	(void)fclose(f);
	return b;
}

/* A copy of s with the first "from" replaced by "to" (which must exist). */
static char *
subst(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t a, b, c;
	char *out;

	assert_non_null(at);
	a = (size_t)(at - s);
	b = strlen(to);
	c = strlen(at + strlen(from));
	out = malloc(a + b + c + 1);
	assert_non_null(out);
	memcpy(out, s, a);
	memcpy(out + a, to, b);
	memcpy(out + a + b, at + strlen(from), c + 1);
	return out;
}

static char *
buf_str(const struct buf *b)
{
	char *s = malloc(b->len + 1);

	assert_non_null(s);
	memcpy(s, b->p, b->len);
	s[b->len] = '\0';
	return s;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* PEM of a DER certificate, wrapped at 64 columns, as openssl writes. */
static char *
pem_of(const struct buf *der)
{
	size_t cap = der->len * 2 + 128, o = 0, col = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	o += (size_t)sprintf(s, "-----BEGIN CERTIFICATE-----\n");
	for (size_t i = 0; i < der->len; i += 3) {
		uint32_t g = (uint32_t)der->p[i] << 16;
		size_t n = der->len - i < 3 ? der->len - i : 3;
		char q[4];

		if (n > 1)
			g |= (uint32_t)der->p[i + 1] << 8;
		if (n > 2)
			g |= der->p[i + 2];
		q[0] = b64_alphabet[g >> 18 & 63];
		q[1] = b64_alphabet[g >> 12 & 63];
		q[2] = n > 1 ? b64_alphabet[g >> 6 & 63] : '=';
		q[3] = n > 2 ? b64_alphabet[g & 63] : '=';
		for (int k = 0; k < 4; k++) {
			s[o++] = q[k];
			if (++col == 64) {
				s[o++] = '\n';
				col = 0;
			}
		}
	}
	if (col != 0)
		s[o++] = '\n';
	o += (size_t)sprintf(s + o, "-----END CERTIFICATE-----\n");
	assert_true(o < cap);
	return s;
}

/* ------------------------------------------------------------------ */
/* Building zips with libzip, in memory. */

struct zent {
	const char *name;
	const void *data;
	size_t len;
	bool store;	      /* else deflate */
	bool unix_mode;	      /* external attributes: Unix mode, not DOS */
	uint32_t mode;	      /* with unix_mode */
	const char *password; /* traditional PKWARE encryption */
};

static struct buf *
zip_build(const struct zent *v, size_t n)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_stat_t st;
	zip_t *za;
	struct buf *out;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(za, v[i].data, v[i].len, 0);
		zip_int64_t idx;

		assert_non_null(s);
		idx = zip_file_add(za, v[i].name, s, ZIP_FL_ENC_RAW);
		assert_true(idx >= 0);
		assert_int_equal(
		    zip_set_file_compression(za, (zip_uint64_t)idx,
			v[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0),
		    0);
		assert_int_equal(
		    zip_file_set_mtime(za, (zip_uint64_t)idx, 1700000000, 0),
		    0);
		assert_int_equal(
		    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0,
			v[i].unix_mode ? ZIP_OPSYS_UNIX : ZIP_OPSYS_DOS,
			v[i].unix_mode ? v[i].mode << 16 : 0x20),
		    0);
		if (v[i].password != NULL)
			assert_int_equal(
			    zip_file_set_encryption(za, (zip_uint64_t)idx,
				ZIP_EM_TRAD_PKWARE, v[i].password),
			    0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_stat(src, &st), 0);
	out = buf_new((size_t)st.size);
	assert_non_null(out);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(
	    zip_source_read(src, out->p, out->len), (zip_int64_t)out->len);
	(void)zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	return out;
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/* The end record of a zip we built (no comment). */
static uint8_t *
eocd_of(struct buf *z)
{
	uint8_t *e = z->p + z->len - 22;

	assert_int_equal(le32(e), 0x06054b50);
	return e;
}

/* The central directory header of entry i. */
static uint8_t *
cd_of(struct buf *z, size_t i)
{
	uint8_t *p = z->p + le32(eocd_of(z) + 16);

	for (; i > 0; i--) {
		assert_int_equal(le32(p), 0x02014b50);
		p += 46 + (p[28] | p[29] << 8) + (p[30] | p[31] << 8) +
		    (p[32] | p[33] << 8);
	}
	assert_int_equal(le32(p), 0x02014b50);
	return p;
}

/* The local header of entry i. */
static uint8_t *
local_of(struct buf *z, size_t i)
{
	uint8_t *p = z->p + le32(cd_of(z, i) + 42);

	assert_int_equal(le32(p), 0x04034b50);
	return p;
}

/* Lie about entry i's inflated size, in both headers. */
static void
patch_size(struct buf *z, size_t i, uint32_t size)
{
	put_le32(cd_of(z, i) + 24, size);
	put_le32(local_of(z, i) + 22, size);
}

/* Replace the byte at offset k of entry i's name, in both headers. */
static void
patch_name(struct buf *z, size_t i, size_t k, uint8_t c)
{
	cd_of(z, i)[46 + k] = c;
	local_of(z, i)[30 + k] = c;
}

/* ------------------------------------------------------------------ */
/* Fixtures: the samples and a package laid out like S4's gw-demo.zip. */

struct fix {
	struct buf *s1, *s2, *s3, *s4, *s5; /* VpnSettings.xml samples */
	struct buf *root_ca, *root_g2;	    /* DER */
	uint8_t exe[4096];
};

static struct fix *F;

static int
setup(void **state)
{
	F = calloc(1, sizeof(*F));
	assert_non_null(F);
	F->s1 = slurp("VpnSettings-s1-vnet-multiroot.xml");
	F->s2 = slurp("VpnSettings-s2-vwan-hub.xml");
	F->s3 = slurp("VpnSettings-s3-vnet.xml");
	F->s4 = slurp("VpnSettings-s4-vnet-single-root.xml");
	F->s5 = slurp("VpnSettings-s5-openvpn-aad.xml");
	F->root_ca = slurp("digicert-global-root-ca.cer");
	F->root_g2 = slurp("digicert-global-root-g2.cer");
	/* Something installer-like: not text, compresses somewhat. */
	for (size_t i = 0; i < sizeof(F->exe); i++)
		F->exe[i] = (uint8_t)(i % 7 == 0 ? i * 31 : i & 0x0f);
	F->exe[0] = 'M';
	F->exe[1] = 'Z';
	return 0;
}

static int
teardown(void **state)
{
	buf_free(F->s1);
	buf_free(F->s2);
	buf_free(F->s3);
	buf_free(F->s4);
	buf_free(F->s5);
	buf_free(F->root_ca);
	buf_free(F->root_g2);
	free(F);
	return 0;
}

#define ZE(n, b)                                                               \
	{                                                                      \
		.name = (n), .data = (b)->p, .len = (b)->len                   \
	}
#define ZS(n, s)                                                               \
	{                                                                      \
		.name = (n), .data = (s), .len = strlen(s)                     \
	}
#define ZEXE(n)                                                                \
	{                                                                      \
		.name = (n), .data = F->exe, .len = sizeof(F->exe)             \
	}

/* S4, 2022: SSTP+IkeV2, the old <CaCert> and Generic\VpnServerRoot.cer. */
static struct buf *
zip_s4(void)
{
	const struct zent v[] = {
		ZE("Generic\\VpnSettings.xml", F->s4),
		ZE("Generic\\VpnServerRoot.cer", F->root_ca),
		ZEXE("WindowsAmd64\\VpnClientSetupAmd64.exe"),
		ZEXE("WindowsX86\\VpnClientSetupX86.exe"),
	};

	return zip_build(v, sizeof(v) / sizeof(v[0]));
}

/* S8, 2024: IkeV2+OpenVPN, <CaCerts> and VpnServerRoot.cer_0. */
static struct buf *
zip_s1(void)
{
	const struct zent v[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		ZE("Generic\\VpnServerRoot.cer_0", F->root_g2),
		ZS("OpenVPN\\vpnconfig.ovpn", "client\nremote x 443\n"),
		ZS("AzureVPN\\azurevpnconfig.xml", "<AzVpnProfile/>"),
		ZEXE("WindowsAmd64\\VpnClientSetupAmd64.exe"),
		ZEXE("WindowsX86\\VpnClientSetupX86.exe"),
		ZS("WindowsPowershell\\VpnProfileSetup.ps1", "# ps1\r\n"),
	};

	return zip_build(v, sizeof(v) / sizeof(v[0]));
}

/* P2S_AZPKG_CORPUS=DIR: keep every package that loads, as fuzz seeds. */
static void
corpus_save(const struct buf *z)
{
	const char *dir = getenv("P2S_AZPKG_CORPUS");
	static unsigned n;
	char path[PATH_MAX];
	FILE *f;

	if (dir == NULL)
		return;
	(void)snprintf(path, sizeof(path), "%s/pkg-%02u.zip", dir, n++);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(z->p, 1, z->len, f), z->len);
	assert_int_equal(fclose(f), 0);
}

static struct azpkg *
load_ok(const struct buf *z)
{
	struct azpkg *pkg = NULL;
	struct azpkg_err err = { .msg = "" };
	int r = azpkg_load_buffer(z->p, z->len, &pkg, &err);

	if (r < 0)
		print_message("unexpected: %s\n", err.msg);
	assert_int_equal(r, 0);
	assert_non_null(pkg);
	corpus_save(z);
	return pkg;
}

/*
 * A refusal: the code, a message with the words, the out-parameter left
 * alone, and nothing large allocated on the way.
 */
static void
load_fails(const void *p, size_t len, int code, const char *words)
{
	struct azpkg *pkg = (struct azpkg *)&pkg;
	struct azpkg_err err = { .msg = "" };
	int r;

	alloc_peak = 0;
	r = azpkg_load_buffer(p, len, &pkg, &err);
	if (r != code || strstr(err.msg, words) == NULL)
		print_message(
		    "got %d (%s), want %d (%s)\n", r, err.msg, code, words);
	assert_int_equal(r, code);
	assert_non_null(strstr(err.msg, words));
	assert_ptr_equal(pkg, (struct azpkg *)&pkg);
	assert_true(alloc_peak <= ALLOC_BOUND);
}

static void
zip_fails(struct buf *z, int code, const char *words)
{
	load_fails(z->p, z->len, code, words);
	buf_free(z);
}

static struct azpkg_settings *
xml_ok(const void *p, size_t len)
{
	struct azpkg_settings *s = NULL;
	struct azpkg_err err = { .msg = "" };
	int r = azpkg_xml_parse(p, len, &s, &err);

	if (r < 0)
		print_message("unexpected: %s\n", err.msg);
	assert_int_equal(r, 0);
	return s;
}

static void
xml_fails(const char *xml, int code, const char *words)
{
	struct azpkg_settings *s = (struct azpkg_settings *)&s;
	struct azpkg_err err = { .msg = "" };
	int r;

	alloc_peak = 0;
	r = azpkg_xml_parse(xml, strlen(xml), &s, &err);
	if (r != code || strstr(err.msg, words) == NULL)
		print_message(
		    "got %d (%s), want %d (%s)\n", r, err.msg, code, words);
	assert_int_equal(r, code);
	assert_non_null(strstr(err.msg, words));
	assert_ptr_equal(s, (struct azpkg_settings *)&s);
	assert_true(alloc_peak <= ALLOC_BOUND);
}

/* Parse and check a document alone (no zip). */
static int
check_xml(const char *xml, struct azpkg **ret, struct azpkg_err *err)
{
	struct azpkg_settings *s = xml_ok(xml, strlen(xml));
	int r = azpkg_check(s, NULL, ret, err);

	azpkg_settings_free(s);
	return r;
}

static void
check_fails(const char *xml, int code, const char *words)
{
	struct azpkg *pkg = (struct azpkg *)&pkg;
	struct azpkg_err err = { .msg = "" };
	int r = check_xml(xml, &pkg, &err);

	if (r != code || strstr(err.msg, words) == NULL)
		print_message(
		    "got %d (%s), want %d (%s)\n", r, err.msg, code, words);
	assert_int_equal(r, code);
	assert_non_null(strstr(err.msg, words));
	assert_ptr_equal(pkg, (struct azpkg *)&pkg);
}

static struct azpkg *
check_ok(const char *xml)
{
	struct azpkg *pkg = NULL;
	struct azpkg_err err = { .msg = "" };
	int r = check_xml(xml, &pkg, &err);

	if (r < 0)
		print_message("unexpected: %s\n", err.msg);
	assert_int_equal(r, 0);
	return pkg;
}

static void
assert_prefix(const struct ip_prefix *p, const char *want)
{
	char s[IP_PREFIX_STRLEN];

	assert_int_equal(ip_prefix_print(p, s, sizeof(s)), 0);
	assert_string_equal(s, want);
}

static bool
has_note(const struct azpkg *pkg, const char *words)
{
	for (size_t i = 0; i < pkg->notes.n; i++)
		if (strstr(pkg->notes.v[i], words) != NULL)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The samples, as documents. */

static void
test_xml_sample_s1(void **state)
{
	struct azpkg_settings *s = xml_ok(F->s1->p, F->s1->len);

	assert_string_equal(s->vpn_server,
	    "azuregateway-1c730068-3a45-47e1-b2d6-aaabbdb1f946-521640fc41a0.vpn.azure.com");
	assert_int_equal(s->vpn_type.n, 2);
	assert_string_equal(s->vpn_type.v[0], "IkeV2");
	assert_string_equal(s->vpn_type.v[1], "OpenVPN");
	assert_null(s->ca_cert);
	assert_int_equal(s->ca_certs.n, 1);
	assert_int_equal(
	    strncmp(s->ca_certs.v[0], "MIIDjjCCAnagAwIBAgIQ", 20), 0);
	assert_int_equal(s->routes.n, 3);
	assert_string_equal(s->routes.v[2], "8.8.8.8/32");
	assert_string_equal(s->auth, "EAPTLS");
	assert_string_equal(s->vnet_name, "Lab05-hub1-vnet");
	assert_string_equal(s->vnet_id, "1c730068-3a45-47e1-b2d6-aaabbdb1f946");
	assert_int_equal(s->root_cns.n, 1);
	assert_string_equal(s->root_cns.v[0], "DigiCert Global Root G2");
	assert_int_equal(s->issuer_cns.n, 1);
	assert_int_equal(s->pool.n, 1);
	assert_string_equal(s->pool.v[0], "192.168.0.0/24");
	assert_int_equal(s->dns.n, 0);
	assert_int_equal(s->n_unknown, 0); /* Aad* are known */
	azpkg_settings_free(s);
}

static void
test_xml_sample_s4_old_form(void **state)
{
	struct azpkg_settings *s = xml_ok(F->s4->p, F->s4->len);
	struct azpkg *pkg = NULL;
	struct azpkg_err err;

	/* The file is CRLF throughout; values come out without the CR. */
	assert_non_null(memchr(F->s4->p, '\r', F->s4->len));
	assert_string_equal(s->vpn_type.v[0], "SSTP");
	assert_string_equal(s->vpn_type.v[1], "IkeV2");
	assert_non_null(s->ca_cert);
	assert_int_equal(s->ca_certs.n, 0);
	assert_string_equal(s->root_cn, "DigiCert Global Root CA");
	assert_string_equal(s->issuer_cn, "DigiCert Global Root CA");
	assert_int_equal(azpkg_check(s, NULL, &pkg, &err), 0);
	/* <CaCert> is exactly Generic\VpnServerRoot.cer (facts 2.1). */
	assert_int_equal(pkg->n_roots, 1);
	assert_int_equal(pkg->roots[0].der->len, F->root_ca->len);
	assert_memory_equal(
	    pkg->roots[0].der->p, F->root_ca->p, F->root_ca->len);
	assert_string_equal(pkg->roots[0].source, "VpnSettings.xml <CaCert>");
	assert_int_equal(pkg->tunnels, AZPKG_TUNNEL_SSTP | AZPKG_TUNNEL_IKEV2);
	assert_int_equal(pkg->root_cns.n, 1);
	azpkg_free(pkg);
	azpkg_settings_free(s);
}

static void
test_xml_samples_vwan_and_s3(void **state)
{
	char *x2 = buf_str(F->s2), *x3 = buf_str(F->s3);
	struct azpkg *pkg = check_ok(x2);

	assert_string_equal(
	    pkg->gateway, "hub0.5x6w19hufewneqh47on36x0q.vpn.azure.com");
	assert_int_equal(pkg->n_routes, 4);
	assert_prefix(&pkg->routes[0], "192.168.11.0/24");
	assert_prefix(&pkg->routes[3], "10.1.0.0/20");
	assert_int_equal(pkg->n_roots, 1);
	assert_memory_equal(
	    pkg->roots[0].der->p, F->root_g2->p, F->root_g2->len);
	assert_string_equal(pkg->vnet_name, "Vwan24-vwan_Vwan24-vhub1-hub");
	azpkg_free(pkg);
	pkg = check_ok(x3);
	assert_int_equal(pkg->n_routes, 1);
	assert_prefix(&pkg->routes[0], "10.11.0.0/16");
	assert_prefix(&pkg->pools[0], "172.16.0.0/24");
	azpkg_free(pkg);
	free(x2);
	free(x3);
}

/* Sample D: OpenVPN only.  The brief's message, word for word. */
static void
test_xml_sample_s5_no_ikev2(void **state)
{
	char *x5 = buf_str(F->s5);

	check_fails(x5, -EPROTO,
	    "the gateway's tunnel type does not include IKEv2 (VpnType: OpenVPN); in the Azure portal set Point-to-site configuration > Tunnel type to IKEv2 (or IKEv2 and OpenVPN); the Basic SKU cannot do IKEv2");
	free(x5);
}

/* BOM, LF instead of CRLF, namespaces, a declared (wrong) encoding. */
static void
test_xml_tolerated_forms(void **state)
{
	char *x1 = buf_str(F->s1);
	char *bom = malloc(strlen(x1) + 4);
	char *ns = subst(x1, "<VpnProfile ", "<VpnProfile xmlns=\"urn:x\" ");
	char *enc = subst(x1, "<?xml version=\"1.0\"?>",
	    "<?xml version=\"1.0\" encoding=\"utf-16\"?>");
	char *pfx = subst(x1, "<VpnServer>azuregateway-1c730068",
	    "<p:VpnServer xmlns:p=\"urn:p\">azuregateway-1c730068");
	char *pfx2 = subst(
	    pfx, "vpn.azure.com</VpnServer>", "vpn.azure.com</p:VpnServer>");
	const char *docs[] = { bom, ns, enc, pfx2 };

	memcpy(bom, "\xef\xbb\xbf", 3);
	memcpy(bom + 3, x1, strlen(x1) + 1);
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct azpkg *pkg = check_ok(docs[i]);

		assert_int_equal(
		    strncmp(pkg->gateway, "azuregateway-1c730068", 21), 0);
		assert_int_equal(pkg->n_routes, 3);
		azpkg_free(pkg);
	}
	free(x1);
	free(bom);
	free(ns);
	free(enc);
	free(pfx);
	free(pfx2);
}

static const char xml_head[] = "<?xml version=\"1.0\"?>\r\n<VpnProfile>\r\n"
			       "<VpnServer>gw.example.net</VpnServer>\r\n"
			       "<VpnType>IkeV2</VpnType>\r\n";

/* A document with xml_head, then body, then a root and the end. */
static char *
doc(const char *body, const struct buf *root)
{
	size_t cap = strlen(xml_head) + strlen(body) + 4096;
	char *s = malloc(cap), *b64 = NULL;

	assert_non_null(s);
	if (root != NULL) {
		char *pem = pem_of(root), *p = strchr(pem, '\n') + 1;
		char *end = strstr(p, "-----END");

		end[0] = '\0';
		b64 = pem;
		memmove(b64, p, strlen(p) + 1); /* line breaks stay */
	}
	(void)snprintf(s, cap, "%s%s<CaCert>%s</CaCert>\r\n</VpnProfile>\r\n",
	    xml_head, body, b64 != NULL ? b64 : "");
	free(b64);
	return s;
}

static void
test_xml_lists_and_whitespace(void **state)
{
	char *x = doc("<Routes>\r\n  10.0.0.0/16 , 10.1.0.0/16,,"
		      "fd00:1::/64,10.0.0.0/16 ,\r\n</Routes>\r\n"
		      "<VpnClientAddressPool> 172.16.201.0/24 "
		      "</VpnClientAddressPool>\r\n"
		      "<CustomDnsServers>10.0.0.4,<string>10.0.0.5</string>"
		      "<string> 10.0.0.4 </string></CustomDnsServers>\r\n"
		      "<VnetName><![CDATA[my-vnet]]></VnetName>\r\n",
	    F->root_ca);
	struct azpkg *pkg = check_ok(x);
	char ip[INET6_ADDRSTRLEN];

	/* Repeats dropped, the package's order kept, IPv6 taken. */
	assert_int_equal(pkg->n_routes, 3);
	assert_prefix(&pkg->routes[0], "10.0.0.0/16");
	assert_prefix(&pkg->routes[1], "10.1.0.0/16");
	assert_prefix(&pkg->routes[2], "fd00:1::/64");
	assert_true(has_note(pkg, "<Routes> lists 1 prefixes more than once"));
	assert_int_equal(pkg->n_pools, 1);
	assert_int_equal(pkg->n_dns, 2);
	assert_int_equal(ip_addr_print(&pkg->dns[1], ip, sizeof(ip)), 0);
	assert_string_equal(ip, "10.0.0.5");
	assert_string_equal(pkg->vnet_name, "my-vnet");
	/* <CaCert> wrapped over lines like PEM decodes all the same. */
	assert_int_equal(pkg->n_roots, 1);
	assert_memory_equal(
	    pkg->roots[0].der->p, F->root_ca->p, F->root_ca->len);
	/* No <Auth>: assumed, and said. */
	assert_int_equal(pkg->auth, AZPKG_AUTH_UNSTATED);
	assert_true(has_note(pkg, "(<Auth>)"));
	azpkg_free(pkg);
	free(x);
}

/* Thousands of routes dedupe quickly and exactly. */
static void
test_xml_many_routes(void **state)
{
	size_t cap = 5000 * 20 + 64, o = 0;
	char *routes = malloc(cap), *x;
	struct azpkg *pkg;

	assert_non_null(routes);
	o += (size_t)sprintf(routes, "<Routes>");
	for (unsigned i = 0; i < 5000; i++)
		o += (size_t)sprintf(routes + o, "10.%u.%u.0/24,",
		    (i % 2500) / 250, (i % 2500) % 250);
	(void)sprintf(routes + o, "</Routes>");
	x = doc(routes, F->root_g2);
	pkg = check_ok(x);
	assert_int_equal(pkg->n_routes, 2500);
	assert_prefix(&pkg->routes[0], "10.0.0.0/24");
	assert_prefix(&pkg->routes[2499], "10.9.249.0/24");
	azpkg_free(pkg);
	free(x);
	free(routes);
}

static void
test_xml_unknown_elements(void **state)
{
	char *x = doc("<Future a=\"1\"><Deep><Deeper/></Deep>text</Future>"
		      "<Routes>10.0.0.0/8<Odd>9.9.9.9/32</Odd></Routes>"
		      "<CaCerts><string><x/></string></CaCerts>",
	    F->root_ca);
	struct azpkg_settings *s = xml_ok(x, strlen(x));
	struct azpkg *pkg = NULL;
	struct azpkg_err err;

	/* Counted where they would matter: settings and their items. */
	assert_int_equal(s->n_unknown, 2);
	assert_string_equal(s->unknown.v[0], "Future");
	assert_string_equal(s->unknown.v[1], "Odd");
	/* Text inside an unknown child is not the setting's. */
	assert_int_equal(s->routes.n, 1);
	assert_string_equal(s->routes.v[0], "10.0.0.0/8");
	assert_int_equal(s->ca_certs.n, 0);
	assert_int_equal(azpkg_check(s, NULL, &pkg, &err), 0);
	assert_true(has_note(pkg, "2 element(s) p2s does not know"));
	azpkg_free(pkg);
	azpkg_settings_free(s);
	free(x);
}

/* Long unknown names are cut for display, never inside a character. */
static void
test_xml_unknown_name_cut(void **state)
{
	char name[3 * 30 + 1], x[256];
	struct azpkg_settings *s;

	for (size_t i = 0; i < 30; i++)
		memcpy(name + 3 * i, "\xe4\xb8\xad", 3); /* U+4E2D, 3 bytes */
	name[90] = '\0';
	(void)snprintf(x, sizeof(x), "<VpnProfile><%s/></VpnProfile>", name);
	s = xml_ok(x, strlen(x));
	assert_int_equal(s->n_unknown, 1);
	assert_int_equal(strlen(s->unknown.v[0]), 63);
	azpkg_settings_free(s);
}

static void
test_xml_missing_elements(void **state)
{
	char *no_server = subst(
	    xml_head, "<VpnServer>gw.example.net</VpnServer>", "<VpnServer />");
	char *no_type = subst(xml_head, "<VpnType>IkeV2</VpnType>", "");
	char buf[4096];

	(void)snprintf(buf, sizeof(buf), "%s</VpnProfile>", no_server);
	check_fails(buf, -EBADMSG, "has no <VpnServer>");
	(void)snprintf(buf, sizeof(buf), "%s</VpnProfile>", no_type);
	check_fails(buf, -EBADMSG, "has no <VpnType>");
	(void)snprintf(buf, sizeof(buf), "%s</VpnProfile>", xml_head);
	check_fails(buf, -EBADMSG, "holds no gateway root certificate");
	free(no_server);
	free(no_type);
}

static void
test_xml_bad_values(void **state)
{
	static const struct {
		const char *body, *words;
		int code;
	} v[] = {
		{ "<Routes>10.0.0.0/16,10.1.0.1/16</Routes>",
		    "<Routes> item 2 (10.1.0.1/16) has host bits set: did you mean 10.1.0.0/16?",
		    -EBADMSG },
		{ "<Routes>10.1.0.0</Routes>",
		    "<Routes> item 1 (10.1.0.0) is not a prefix", -EBADMSG },
		{ "<Routes>10.1.0.0/33</Routes>", "is not a prefix", -EBADMSG },
		{ "<Routes>10.1.0.0/016</Routes>", "is not a prefix",
		    -EBADMSG },
		{ "<Routes>10.1.0.0/16 10.2.0.0/16</Routes>", "is not a prefix",
		    -EBADMSG },
		{ "<Routes>banana</Routes>", "is not a prefix", -EBADMSG },
		{ "<VpnClientAddressPool>172.16.0.0</VpnClientAddressPool>",
		    "<VpnClientAddressPool> item 1 (172.16.0.0) is not a prefix",
		    -EBADMSG },
		{ "<VpnClientAddressPool>172.16.0.1/24</VpnClientAddressPool>",
		    "<VpnClientAddressPool> item 1 (172.16.0.1/24) has host bits set: did you mean 172.16.0.0/24?",
		    -EBADMSG },
		{ "<CustomDnsServers>10.0.0.4,dns.example</CustomDnsServers>",
		    "<CustomDnsServers> item 2 (dns.example) is not an IPv4 or IPv6 address",
		    -EBADMSG },
		{ "<Auth>EAPMSCHAPv2</Auth>",
		    "the gateway's authentication type is EAPMSCHAPv2 (Auth), not Azure certificate (EAPTLS); in the Azure portal set Point-to-site configuration > Authentication type to Azure certificate",
		    -EPROTO },
		{ "<VnetName>a\tb</VnetName>", "<VnetName> holds a line break",
		    -EBADMSG },
		{ "<VnetName>a&#x9b;[2J</VnetName>",
		    "<VnetName> holds a line break", -EBADMSG },
		{ "<VnetName>vnet&#x202e;txt.exe</VnetName>",
		    "<VnetName> holds a line break", -EBADMSG },
		{ "<ServerCertRootCn>a&#x2028;b</ServerCertRootCn>",
		    "<ServerCertRootCn> holds a line break", -EBADMSG },
		{ "<CaCerts><string>not base64!</string></CaCerts>",
		    "VpnSettings.xml <CaCerts> item 1 is not valid base64",
		    -EBADMSG },
		{ "<CaCerts><string>aGVsbG8gd29ybGQ=</string></CaCerts>",
		    "VpnSettings.xml <CaCerts> item 1 is not a DER certificate",
		    -EBADMSG },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		/* A root that decodes, unless the case is about roots. */
		bool roots = strstr(v[i].body, "CaCerts") != NULL;
		char *x = doc(v[i].body, roots ? NULL : F->root_ca);

		check_fails(x, v[i].code, v[i].words);
		free(x);
	}
}

static void
test_xml_gateway_names(void **state)
{
	static const char *bad[] = { "-gw.example.net", "gw..example.net",
		"300.1.1.1", "gw_1.example.net", "gw.example.net/x" };
	static const char *good[] = {
		"gw.example.net", "198.51.100.1", "2001:db8::1",
		"azuregateway-eb180077-da16-41b1-aeb5-5ee425b85e57.cloudapp.net"
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *x0 = doc("", F->root_ca);
		char *x = subst(x0, "gw.example.net", bad[i]);

		check_fails(
		    x, -EBADMSG, "is neither a DNS name nor an address");
		free(x0);
		free(x);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *x0 = doc("", F->root_ca);
		char *x = subst(x0, "gw.example.net", good[i]);
		struct azpkg *pkg = check_ok(x);

		assert_string_equal(pkg->gateway, good[i]);
		azpkg_free(pkg);
		free(x0);
		free(x);
	}
}

/* Empty lists before any text was kept (a fuzzer's find: NULL + 0). */
static void
test_xml_empty_first(void **state)
{
	static const char x[] = "<VpnProfile><Routes/><CaCerts><string/>"
				"</CaCerts><VpnType></VpnType></VpnProfile>";
	struct azpkg_settings *s = xml_ok(x, strlen(x));

	assert_int_equal(s->routes.n, 0);
	assert_int_equal(s->ca_certs.n, 0);
	assert_int_equal(s->vpn_type.n, 0);
	azpkg_settings_free(s);
}

static void
test_xml_malformed(void **state)
{
	xml_fails("", -EBADMSG, "not well-formed");
	xml_fails("<VpnProfile><VpnServer>x</VpnProfile>", -EBADMSG,
	    "VpnSettings.xml line 1");
	xml_fails("<Other/>", -EBADMSG, "root element is not <VpnProfile>");
	xml_fails(
	    "<VpnProfile><VpnServer>a</VpnServer><vpnserver>b</vpnserver></VpnProfile>",
	    -EBADMSG, "<VpnServer> appears twice");
	xml_fails("<VpnProfile>&undefined;</VpnProfile>", -EBADMSG,
	    "not well-formed");
	xml_fails(
	    "<VpnProfile><p:X/></VpnProfile>", -EBADMSG, "not well-formed");
	xml_fails("<VpnProfile><VpnServer>\xff</VpnServer></VpnProfile>",
	    -EBADMSG, "not well-formed");
}

/* Entities never get a chance: the DOCTYPE itself is refused. */
static void
test_xml_dtd_refused(void **state)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
	    "<!ENTITY lol \"lol\">\n"
	    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n<VpnProfile><VpnServer>&lol9;</VpnServer></VpnProfile>\n";
	static const char external[] =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE VpnProfile SYSTEM \"file:///etc/passwd\">\n"
	    "<VpnProfile><VpnServer>x</VpnServer></VpnProfile>\n";
	static const char external_entity[] =
	    "<!DOCTYPE VpnProfile [<!ENTITY e SYSTEM \"/etc/passwd\">]>"
	    "<VpnProfile><VpnServer>&e;</VpnServer></VpnProfile>";

	xml_fails(laughs, -EBADMSG, "line 2: a document type declaration");
	xml_fails(external, -EBADMSG, "document type declaration");
	xml_fails(external_entity, -EBADMSG, "document type declaration");
}

static void
test_xml_caps(void **state)
{
	size_t depth = AZPKG_XML_MAX_DEPTH + 1, big = AZPKG_XML_MAX_TEXT + 1;
	char *deep = malloc(depth * 7 + 32), *x, *many, *items;
	size_t o = 0;

	/* Nesting: a few past the cap, and absurdly deep. */
	for (size_t i = 0; i < depth; i++)
		o += (size_t)sprintf(deep + o, "<a>");
	deep[o] = '\0';
	x = subst("<VpnProfile>X</VpnProfile>", "X", deep + 3);
	xml_fails(x, -E2BIG, "nested too deeply");
	free(x);
	free(deep);
	deep = malloc(200000 * 3 + 16);
	o = (size_t)sprintf(deep, "<VpnProfile>");
	for (size_t i = 0; i < 200000; i++)
		memcpy(deep + o + 3 * i, "<a>", 3);
	deep[o + 200000 * 3] = '\0';
	xml_fails(deep, -E2BIG, "nested too deeply");
	free(deep);

	/* One huge text node. */
	x = malloc(big + 64);
	o = (size_t)sprintf(x, "<VpnProfile><VpnServer>");
	memset(x + o, 'a', big);
	(void)strcpy(x + o + big, "</VpnServer></VpnProfile>");
	xml_fails(x, -E2BIG, "<VpnServer> holds more than 262144 bytes");
	free(x);

	/* Too many elements, each harmless. */
	many = malloc((AZPKG_XML_MAX_ELEMENTS + 1) * 4 + 32);
	o = (size_t)sprintf(many, "<VpnProfile>");
	for (size_t i = 0; i < AZPKG_XML_MAX_ELEMENTS; i++)
		o += (size_t)sprintf(many + o, "<x/>");
	(void)strcpy(many + o, "</VpnProfile>");
	xml_fails(many, -E2BIG, "too many elements");
	free(many);

	/* A list one past its cap. */
	items = malloc((AZPKG_MAX_ROOTS + 1) * 20 + 64);
	o = (size_t)sprintf(items, "<VpnProfile><CaCerts>");
	for (size_t i = 0; i <= AZPKG_MAX_ROOTS; i++)
		o += (size_t)sprintf(items + o, "<string>QQ==</string>");
	(void)strcpy(items + o, "</CaCerts></VpnProfile>");
	xml_fails(items, -E2BIG, "<CaCerts> lists more than 16 items");
	free(items);
}

static void
test_xml_utf16_refused(void **state)
{
	static const uint8_t le_bom[] = { 0xff, 0xfe, '<', 0, 'V', 0 };
	static const uint8_t be_bom[] = { 0xfe, 0xff, 0, '<', 0, 'V' };
	static const uint8_t le[] = { '<', 0, '?', 0, 'x', 0 };
	static const uint8_t *v[] = { le_bom, be_bom, le };

	for (size_t i = 0; i < 3; i++) {
		struct azpkg_settings *s = (struct azpkg_settings *)&s;
		struct azpkg_err err = { .msg = "" };

		assert_int_equal(
		    azpkg_xml_parse(v[i], 6, &s, &err), -EOPNOTSUPP);
		assert_non_null(strstr(err.msg, "UTF-16"));
		assert_ptr_equal(s, (struct azpkg_settings *)&s);
	}
}

/* ------------------------------------------------------------------ */
/* Packages Azure makes, and their harmless variants. */

static void
test_zip_s4_layout(void **state)
{
	struct buf *z = zip_s4();
	struct azpkg *pkg = load_ok(z);

	assert_string_equal(pkg->gateway,
	    "azuregateway-eb180077-da16-41b1-aeb5-5ee425b85e57-586939d8f69b.vpn.azure.com");
	assert_int_equal(pkg->auth, AZPKG_AUTH_EAPTLS);
	assert_int_equal(pkg->n_routes, 1);
	assert_prefix(&pkg->routes[0], "10.0.0.0/16");
	assert_int_equal(pkg->n_pools, 1);
	assert_prefix(&pkg->pools[0], "172.16.0.0/24");
	assert_int_equal(pkg->n_dns, 0);
	assert_string_equal(pkg->vnet_name, "vnet-demo");
	assert_string_equal(
	    pkg->vnet_id, "eb180077-da16-41b1-aeb5-5ee425b85e57");
	/* The XML and the file hold the same root: one root, two sources. */
	assert_int_equal(pkg->n_roots, 1);
	assert_string_equal(pkg->roots[0].source,
	    "VpnSettings.xml <CaCert>, Generic\\VpnServerRoot.cer");
	assert_int_equal(pkg->notes.n, 0);
	assert_non_null(pkg->files);
	assert_int_equal(pkg->files->n_entries, 4);
	assert_int_equal(pkg->files->entries[0].kind, AZPKG_KIND_SETTINGS);
	assert_int_equal(pkg->files->entries[1].kind, AZPKG_KIND_SERVER_ROOT);
	assert_int_equal(pkg->files->entries[2].kind, AZPKG_KIND_WINDOWS);
	assert_null(pkg->files->entries[2].data); /* listed, not inflated */
	assert_int_equal(pkg->files->entries[2].size, sizeof(F->exe));
	assert_string_equal(
	    pkg->files->settings->name, "Generic\\VpnSettings.xml");
	azpkg_free(pkg);
	buf_free(z);
}

static void
test_zip_s8_layout(void **state)
{
	struct buf *z = zip_s1();
	struct azpkg *pkg = load_ok(z);
	static const enum azpkg_kind kinds[] = { AZPKG_KIND_SETTINGS,
		AZPKG_KIND_SERVER_ROOT, AZPKG_KIND_OPENVPN, AZPKG_KIND_AZUREVPN,
		AZPKG_KIND_WINDOWS, AZPKG_KIND_WINDOWS, AZPKG_KIND_WINDOWS };

	assert_int_equal(
	    pkg->tunnels, AZPKG_TUNNEL_IKEV2 | AZPKG_TUNNEL_OPENVPN);
	assert_int_equal(pkg->n_routes, 3);
	assert_prefix(&pkg->routes[2], "8.8.8.8/32");
	assert_int_equal(pkg->n_roots, 1);
	assert_string_equal(pkg->roots[0].source,
	    "VpnSettings.xml <CaCerts> item 1, Generic\\VpnServerRoot.cer_0");
	assert_int_equal(pkg->files->entries[1].order, 1);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(pkg->files->entries[i].kind, kinds[i]);
	assert_string_equal(
	    azpkg_kind_name(AZPKG_KIND_OPENVPN), "OpenVPN profile");
	azpkg_free(pkg);
	buf_free(z);
}

/* Forward slashes, odd case, GenericDevice, stored, a folder entry. */
static void
test_zip_names_folded(void **state)
{
	const struct zent v[] = {
		{ .name = "GENERIC/", .data = "", .len = 0 },
		{ .name = "generic/vpnsettings.XML",
		    .data = F->s1->p,
		    .len = F->s1->len,
		    .store = true },
		{ .name = "Generic/VPNSERVERROOT.CER_0",
		    .data = F->root_g2->p,
		    .len = F->root_g2->len },
	};
	const struct zent w[] = {
		ZE("GenericDevice\\VpnSettings.xml", F->s4),
		ZE("GenericDevice\\VpnServerRoot.cer", F->root_ca),
	};
	struct buf *z = zip_build(v, 3);
	struct azpkg *pkg = load_ok(z);

	assert_int_equal(pkg->files->entries[0].kind, AZPKG_KIND_DIRECTORY);
	assert_int_equal(pkg->files->entries[1].kind, AZPKG_KIND_SETTINGS);
	assert_int_equal(pkg->n_roots, 1);
	azpkg_free(pkg);
	buf_free(z);
	z = zip_build(w, 2);
	pkg = load_ok(z);
	assert_int_equal(pkg->n_roots, 1);
	azpkg_free(pkg);
	buf_free(z);
}

/* Root files in PEM, several of them, in an order the zip does not keep. */
static void
test_zip_roots_pem_and_many(void **state)
{
	char *pem_ca = pem_of(F->root_ca), *pem_g2 = pem_of(F->root_g2);
	char *both = malloc(strlen(pem_ca) + strlen(pem_g2) + 64);
	const struct zent v[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		ZS("Generic\\VpnServerRoot.cer_1", pem_ca),
		ZS("Generic\\VpnServerRoot.cer_0", pem_g2),
	};
	struct buf *z = zip_build(v, 3);
	struct azpkg *pkg = load_ok(z);

	/* XML first (G2), then .cer_0 (G2 again), then .cer_1 (CA). */
	assert_int_equal(pkg->n_roots, 2);
	assert_memory_equal(
	    pkg->roots[0].der->p, F->root_g2->p, F->root_g2->len);
	assert_string_equal(pkg->roots[0].source,
	    "VpnSettings.xml <CaCerts> item 1, Generic\\VpnServerRoot.cer_0");
	assert_memory_equal(
	    pkg->roots[1].der->p, F->root_ca->p, F->root_ca->len);
	assert_string_equal(
	    pkg->roots[1].source, "Generic\\VpnServerRoot.cer_1");
	assert_true(has_note(pkg,
	    "Generic\\VpnServerRoot.cer_1 is only in a file, not in VpnSettings.xml"));
	azpkg_free(pkg);
	buf_free(z);

	/* One PEM file with two certificates and text around them. */
	(void)sprintf(
	    both, "Bag Attributes\n%s\nsubject=x\n%s", pem_ca, pem_g2);
	{
		const struct zent w[] = {
			ZE("Generic\\VpnSettings.xml", F->s4),
			ZS("Generic\\VpnServerRoot.cer", both),
		};

		z = zip_build(w, 2);
		pkg = load_ok(z);
		assert_int_equal(pkg->n_roots, 2);
		assert_string_equal(
		    pkg->roots[1].source, "Generic\\VpnServerRoot.cer #2");
		assert_true(has_note(pkg, "only in a file"));
		azpkg_free(pkg);
		buf_free(z);
	}
	free(pem_ca);
	free(pem_g2);
	free(both);
}

/* Old and new forms at once, both roots, and a root only in the XML. */
static void
test_zip_roots_xml_only(void **state)
{
	char *x1 = buf_str(F->s1);
	char *pem_ca = pem_of(F->root_ca);
	char *b64 = strchr(pem_ca, '\n') + 1, *x;
	const char *pre = "<CaCert>", *post = "</CaCert>\r\n  <CaCerts>";
	char *add;

	*strstr(b64, "-----END") = '\0';
	add = malloc(strlen(pre) + strlen(b64) + strlen(post) + 1);
	(void)sprintf(add, "%s%s%s", pre, b64, post);
	x = subst(x1, "<CaCerts>", add);
	{
		const struct zent v[] = {
			ZS("Generic\\VpnSettings.xml", x),
			ZE("Generic\\VpnServerRoot.cer_0", F->root_g2),
		};
		struct buf *z = zip_build(v, 2);
		struct azpkg *pkg = load_ok(z);

		assert_int_equal(pkg->n_roots, 2);
		assert_string_equal(
		    pkg->roots[0].source, "VpnSettings.xml <CaCert>");
		assert_true(has_note(pkg,
		    "VpnSettings.xml <CaCert> is only in VpnSettings.xml"));
		azpkg_free(pkg);
		buf_free(z);
	}
	free(x1);
	free(pem_ca);
	free(add);
	free(x);
}

static void
test_zip_radius_noted(void **state)
{
	const struct zent v[] = {
		ZE("Generic\\VpnSettings.xml", F->s4),
		ZE("Generic\\RadiusServerRoot.cer", F->root_g2),
	};
	struct buf *z = zip_build(v, 2);
	struct azpkg *pkg = load_ok(z);

	assert_int_equal(pkg->files->entries[1].kind, AZPKG_KIND_RADIUS_ROOT);
	assert_null(pkg->files->entries[1].data);
	assert_int_equal(pkg->n_roots, 1);
	assert_true(
	    has_note(pkg, "RadiusServerRoot.cer: the gateway uses RADIUS"));
	azpkg_free(pkg);
	buf_free(z);
}

static void
test_zip_bad_root_file(void **state)
{
	const struct zent v[] = {
		ZE("Generic\\VpnSettings.xml", F->s4),
		ZS("Generic\\VpnServerRoot.cer", "just text"),
	};
	const struct zent w[] = {
		ZE("Generic\\VpnSettings.xml", F->s4),
		ZS("Generic\\VpnServerRoot.cer",
		    "-----BEGIN RSA PRIVATE KEY-----\nQQ==\n"),
	};
	const struct zent t[] = {
		ZE("Generic\\VpnSettings.xml", F->s4),
		{ .name = "Generic\\VpnServerRoot.cer",
		    .data = F->root_ca->p,
		    .len = F->root_ca->len - 1 },
	};

	zip_fails(zip_build(v, 2), -EBADMSG,
	    "Generic\\VpnServerRoot.cer is neither a DER nor a PEM certificate");
	zip_fails(zip_build(w, 2), -EBADMSG, "not a CERTIFICATE");
	zip_fails(zip_build(t, 2), -EBADMSG,
	    "Generic\\VpnServerRoot.cer is not a DER certificate");
}

static void
test_zip_no_settings(void **state)
{
	const struct zent v[] = {
		ZE("Generic\\VpnServerRoot.cer", F->root_ca),
		ZEXE("WindowsAmd64\\VpnClientSetupAmd64.exe"),
	};
	const struct zent w[] = {
		ZE("vpnClient/Generic/VpnSettings.xml", F->s1),
	};

	zip_fails(zip_build(v, 2), -EPROTO,
	    "no Generic\\VpnSettings.xml, which Azure writes only when the gateway's tunnel type includes IKEv2");
	zip_fails(zip_build(w, 1), -EBADMSG, "unpacked and zipped again");
}

static void
test_zip_duplicates(void **state)
{
	const struct zent a[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		ZE("generic/VPNSETTINGS.xml", F->s4),
	};
	const struct zent b[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		ZE("GenericDevice\\VpnSettings.xml", F->s4),
	};
	const struct zent c[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		ZE("Generic\\VpnServerRoot.cer_1", F->root_g2),
		ZE("Generic\\VpnServerRoot.cer_01", F->root_ca),
	};

	zip_fails(zip_build(a, 2), -EBADMSG, "holds the same file twice");
	zip_fails(zip_build(b, 2), -EBADMSG, "holds the same file twice");
	zip_fails(zip_build(c, 3), -EBADMSG,
	    "(Generic\\VpnServerRoot.cer_1 and Generic\\VpnServerRoot.cer_01)");
}

/* ------------------------------------------------------------------ */
/* Hostile packages. */

static void
test_zip_names_refused(void **state)
{
	static const struct {
		const char *name, *words;
	} v[] = {
		{ "Generic\\..\\..\\etc\\passwd", "'..' part" },
		{ "../VpnSettings.xml", "'..' part" },
		{ "Generic/./VpnSettings.xml", "'.' or '..' part" },
		{ "Generic//x", "an empty" },
		{ "/etc/passwd", "absolute name (/etc/passwd)" },
		{ "\\Windows\\x.exe", "absolute name" },
		{ "C:\\x", "absolute name" },
		{ "C:x", "absolute name" },
		{ "Generic\\a\x1b[2Jb", "control or formatting characters" },
		{ "Generic\\\xc2\x9b"
		  "x",
		    "control or formatting characters" },
		{ "Generic\\\xff", "not UTF-8" },
		{ "Generic\\exe.\xe2\x80\xaetxt",
		    "control or formatting characters" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const struct zent e[] = {
			ZE("Generic\\VpnSettings.xml", F->s1),
			ZE(v[i].name, F->root_g2),
		};

		zip_fails(zip_build(e, 2), -EBADMSG, v[i].words);
	}
}

/* libzip shows a NUL as a space; our own walk sees the byte. */
static void
test_zip_nul_in_name(void **state)
{
	const struct zent e[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		ZE("Generic\\VpnServerRoot.cer_0Xevil", F->root_g2),
	};
	struct buf *z = zip_build(e, 2);

	patch_name(z, 1, strlen("Generic\\VpnServerRoot.cer_0"), 0);
	zip_fails(z, -EBADMSG, "entry 2 of the package has a NUL byte");
}

static void
test_zip_special_files(void **state)
{
	const struct zent link[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		{ .name = "Generic\\VpnServerRoot.cer_0",
		    .data = "/etc/ssl/x",
		    .len = 10,
		    .unix_mode = true,
		    .mode = S_IFLNK | 0777 },
	};
	const struct zent dev[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		{ .name = "tty",
		    .data = "",
		    .len = 0,
		    .unix_mode = true,
		    .mode = S_IFCHR | 0666 },
	};
	const struct zent reg[] = {
		{ .name = "Generic/VpnSettings.xml",
		    .data = F->s1->p,
		    .len = F->s1->len,
		    .unix_mode = true,
		    .mode = S_IFREG | 0644 },
		ZE("Generic\\VpnServerRoot.cer_0", F->root_g2),
	};
	struct buf *z;

	zip_fails(zip_build(link, 2), -EBADMSG,
	    "Generic\\VpnServerRoot.cer_0 is a symbolic link");
	zip_fails(zip_build(dev, 2), -EBADMSG, "tty is not a regular file");
	z = zip_build(reg, 2);
	azpkg_free(load_ok(z));
	buf_free(z);
}

static void
test_zip_encrypted(void **state)
{
	const struct zent e[] = {
		{ .name = "Generic\\VpnSettings.xml",
		    .data = F->s1->p,
		    .len = F->s1->len,
		    .password = "secret" },
		ZE("Generic\\VpnServerRoot.cer_0", F->root_g2),
	};

	assert_true(zip_encryption_method_supported(ZIP_EM_TRAD_PKWARE, 1));
	zip_fails(zip_build(e, 2), -EOPNOTSUPP,
	    "Generic\\VpnSettings.xml is encrypted");
}

static void
test_zip_method_refused(void **state)
{
	const struct zent e[] = {
		ZE("Generic\\VpnSettings.xml", F->s1),
		ZE("Generic\\VpnServerRoot.cer_0", F->root_g2),
	};
	struct buf *z = zip_build(e, 2);

	/* LZMA (14), which libzip may well inflate: we do not want to. */
	put_le16(cd_of(z, 1) + 10, 14);
	put_le16(local_of(z, 1) + 8, 14);
	zip_fails(z, -EOPNOTSUPP, "is compressed with method 14");
}

/* 900 KiB of one letter: under the size cap, far over the ratio. */
static void
test_zip_bomb_ratio(void **state)
{
	size_t n = 900 * 1024;
	char *a = malloc(n);
	struct buf *z;

	memset(a, 'A', n);
	{
		const struct zent e[] = {
			{ .name = "Generic\\VpnSettings.xml",
			    .data = a,
			    .len = n },
		};

		z = zip_build(e, 1);
	}
	assert_true(z->len < 8192);
	zip_fails(z, -E2BIG, "a zip bomb, refused");
	free(a);
}

/*
 * The directory declares 2000 bytes; the stream inflates to 16 MiB.  We
 * must stop at 2001, not follow the stream (alloc_peak shows we did not
 * make room for it).
 */
static void
test_zip_bomb_size_lie(void **state)
{
	size_t n = 16 * 1024 * 1024;
	char *a = calloc(1, n);
	struct buf *z;

	{
		const struct zent e[] = {
			ZE("Generic\\VpnSettings.xml", F->s1),
			{ .name = "Generic\\VpnServerRoot.cer_0",
			    .data = a,
			    .len = n },
		};

		z = zip_build(e, 2);
	}
	free(a);
	patch_size(z, 1, 2000);
	zip_fails(z, -EBADMSG,
	    "Generic\\VpnServerRoot.cer_0 inflates to more bytes than the 2000 its header declares");
}

static void
test_zip_size_lies(void **state)
{
	struct buf *z = zip_s1();

	/* Declared too small, for a short entry: caught while reading. */
	patch_size(z, 0, (uint32_t)F->s1->len - 1);
	zip_fails(z, -EBADMSG, "inflates to more bytes than the");
	/* Declared too large: the stream ends early (or the CRC says so). */
	z = zip_s1();
	patch_size(z, 0, (uint32_t)F->s1->len + 100);
	zip_fails(z, -EBADMSG, "VpnSettings.xml");
	/* Declared past the cap: refused before anything is inflated. */
	z = zip_s1();
	patch_size(z, 0, AZPKG_MAX_ENTRY_LEN + 1);
	zip_fails(z, -E2BIG, "declares 1048577 bytes");
}

/* Entries we never read still may not claim gigabytes. */
static void
test_zip_total_declared(void **state)
{
	struct buf *z = zip_s1();

	for (size_t i = 4; i < 7; i++)
		patch_size(z, i, 300U * 1024 * 1024);
	zip_fails(z, -E2BIG, "declare more than 536870912 bytes in all");
}

/* Root files that are each fine but too much together. */
static void
test_zip_total_read(void **state)
{
	size_t n = 1000 * 1024;
	uint8_t *r = malloc(n);
	struct zent e[6] = { ZE("Generic\\VpnSettings.xml", F->s1) };
	char names[5][40];
	uint32_t x = 1;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345; /* incompressible enough */
		r[i] = (uint8_t)(x >> 16);
	}
	for (size_t i = 0; i < 5; i++) {
		(void)sprintf(names[i], "Generic\\VpnServerRoot.cer_%zu", i);
		e[i + 1] =
		    (struct zent){ .name = names[i], .data = r, .len = n };
	}
	zip_fails(zip_build(e, 6), -E2BIG,
	    "settings and root files declare more than 4194304 bytes together");
	free(r);
}

static void
test_zip_too_many(void **state)
{
	struct zent e[AZPKG_MAX_ENTRIES + 1];
	char names[AZPKG_MAX_ENTRIES + 1][24];

	for (size_t i = 0; i < AZPKG_MAX_ENTRIES + 1; i++) {
		(void)sprintf(names[i], "x\\%zu", i);
		e[i] = (struct zent){ .name = names[i], .data = "x", .len = 1 };
	}
	e[0] = (struct zent)ZE("Generic\\VpnSettings.xml", F->s1);
	zip_fails(zip_build(e, AZPKG_MAX_ENTRIES + 1), -E2BIG,
	    "the package has 257 entries");
	/* Or just saying so in the end record. */
	{
		struct buf *z = zip_s1();

		put_le16(eocd_of(z) + 8, 60000);
		put_le16(eocd_of(z) + 10, 60000);
		zip_fails(z, -E2BIG, "the package has 60000 entries");
	}
}

/* Every prefix of a small valid zip is refused, none crashes. */
static void
test_zip_truncated(void **state)
{
	struct buf *z = zip_s4();

	for (size_t len = 0; len < z->len; len++) {
		struct azpkg *pkg = (struct azpkg *)&pkg;
		struct azpkg_err err = { .msg = "" };
		uint8_t *copy = malloc(len > 0 ? len : 1);

		memcpy(copy, z->p, len);
		assert_true(azpkg_load_buffer(copy, len, &pkg, &err) < 0);
		assert_true(err.msg[0] != '\0');
		assert_ptr_equal(pkg, (struct azpkg *)&pkg);
		free(copy);
	}
	load_fails(z->p, z->len - 1, -EBADMSG, "cut short");
	/* And with bytes missing at the front instead. */
	load_fails(z->p + 1, z->len - 1, -EBADMSG, "");
	buf_free(z);
}

static void
test_zip_not_zip(void **state)
{
	static const uint8_t zeros[64] = { 0 };

	load_fails(F->s1->p, F->s1->len, -EBADMSG, "not a zip archive");
	load_fails(zeros, sizeof(zeros), -EBADMSG, "not a zip archive");
	load_fails("", 0, -EBADMSG, "not a zip archive");
	load_fails("%PDF-1.7\n", 9, -EBADMSG, "not a zip archive");
}

static void
test_zip_split_refused(void **state)
{
	struct buf *z = zip_s1();

	put_le16(eocd_of(z) + 4, 1); /* this is disk 1 */
	zip_fails(z, -EOPNOTSUPP, "split over several files");
}

/*
 * A small zip rewritten into ZIP64 form: a ZIP64 end record and locator
 * before a classic end record whose numbers are all 0xffff...
 */
static struct buf *
zip64_of(struct buf *z, uint64_t n_override)
{
	uint8_t *e = eocd_of(z);
	uint16_t n = (uint16_t)(e[10] | e[11] << 8);
	uint32_t cd_len = le32(e + 12), cd_off = le32(e + 16);
	size_t body = (size_t)(e - z->p);
	struct buf *o = buf_new(body + 56 + 20 + 22);
	uint8_t *p = o->p + body;
	uint64_t count = n_override != 0 ? n_override : n;

	memcpy(o->p, z->p, body);
	put_le32(p, 0x06064b50);
	put_le32(p + 4, 44);
	put_le32(p + 8, 0);
	put_le16(p + 12, 45);
	put_le16(p + 14, 45);
	put_le32(p + 16, 0);
	put_le32(p + 20, 0);
	put_le32(p + 24, (uint32_t)count);
	put_le32(p + 28, (uint32_t)(count >> 32));
	put_le32(p + 32, (uint32_t)count);
	put_le32(p + 36, (uint32_t)(count >> 32));
	put_le32(p + 40, cd_len);
	put_le32(p + 44, 0);
	put_le32(p + 48, cd_off);
	put_le32(p + 52, 0);
	p += 56;
	put_le32(p, 0x07064b50);
	put_le32(p + 4, 0);
	put_le32(p + 8, (uint32_t)body);
	put_le32(p + 12, 0);
	put_le32(p + 16, 1);
	p += 20;
	memset(p, 0, 22);
	put_le32(p, 0x06054b50);
	put_le16(p + 8, 0xffff);
	put_le16(p + 10, 0xffff);
	put_le32(p + 12, 0xffffffff);
	put_le32(p + 16, 0xffffffff);
	buf_free(z);
	return o;
}

static void
test_zip64(void **state)
{
	struct buf *z = zip64_of(zip_s4(), 0);
	struct azpkg *pkg = load_ok(z);

	assert_int_equal(pkg->files->n_entries, 4);
	azpkg_free(pkg);
	/* A locator pointing past the file. */
	put_le32(z->p + z->len - 22 - 20 + 8, 0x7fffffff);
	zip_fails(z, -EBADMSG, "ZIP64 end record is missing or damaged");
	/* A ZIP64 count of 2^40: refused before anything is allocated. */
	zip_fails(zip64_of(zip_s4(), 1ULL << 40), -E2BIG,
	    "the package has 1099511627776 entries");
	/* A count that disagrees with the directory. */
	zip_fails(
	    zip64_of(zip_s4(), 5), -EBADMSG, "central directory is damaged");
}

/* ------------------------------------------------------------------ */
/* From a file. */

static void
test_load_file(void **state)
{
	char path[] = "/tmp/test_azpkg_XXXXXX";
	struct buf *z = zip_s4();
	struct azpkg *pkg = NULL;
	struct azpkg_err err = { .msg = "" };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, z->p, z->len), (ssize_t)z->len);
	(void)close(fd);
	assert_int_equal(azpkg_load_file(path, &pkg, &err), 0);
	assert_int_equal(pkg->n_roots, 1);
	azpkg_free(pkg);
	assert_int_equal(unlink(path), 0);
	pkg = (struct azpkg *)&pkg;
	assert_int_equal(azpkg_load_file(path, &pkg, &err), -ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(azpkg_load_file("/tmp", &pkg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
	/* A FIFO must not block the reader. */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(azpkg_load_file(path, &pkg, &err), -EINVAL);
	assert_ptr_equal(pkg, (struct azpkg *)&pkg);
	assert_int_equal(unlink(path), 0);
	buf_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_sample_s1),
		cmocka_unit_test(test_xml_sample_s4_old_form),
		cmocka_unit_test(test_xml_samples_vwan_and_s3),
		cmocka_unit_test(test_xml_sample_s5_no_ikev2),
		cmocka_unit_test(test_xml_tolerated_forms),
		cmocka_unit_test(test_xml_lists_and_whitespace),
		cmocka_unit_test(test_xml_many_routes),
		cmocka_unit_test(test_xml_unknown_elements),
		cmocka_unit_test(test_xml_unknown_name_cut),
		cmocka_unit_test(test_xml_missing_elements),
		cmocka_unit_test(test_xml_bad_values),
		cmocka_unit_test(test_xml_gateway_names),
		cmocka_unit_test(test_xml_empty_first),
		cmocka_unit_test(test_xml_malformed),
		cmocka_unit_test(test_xml_dtd_refused),
		cmocka_unit_test(test_xml_caps),
		cmocka_unit_test(test_xml_utf16_refused),
		cmocka_unit_test(test_zip_s4_layout),
		cmocka_unit_test(test_zip_s8_layout),
		cmocka_unit_test(test_zip_names_folded),
		cmocka_unit_test(test_zip_roots_pem_and_many),
		cmocka_unit_test(test_zip_roots_xml_only),
		cmocka_unit_test(test_zip_radius_noted),
		cmocka_unit_test(test_zip_bad_root_file),
		cmocka_unit_test(test_zip_no_settings),
		cmocka_unit_test(test_zip_duplicates),
		cmocka_unit_test(test_zip_names_refused),
		cmocka_unit_test(test_zip_nul_in_name),
		cmocka_unit_test(test_zip_special_files),
		cmocka_unit_test(test_zip_encrypted),
		cmocka_unit_test(test_zip_method_refused),
		cmocka_unit_test(test_zip_bomb_ratio),
		cmocka_unit_test(test_zip_bomb_size_lie),
		cmocka_unit_test(test_zip_size_lies),
		cmocka_unit_test(test_zip_total_declared),
		cmocka_unit_test(test_zip_total_read),
		cmocka_unit_test(test_zip_too_many),
		cmocka_unit_test(test_zip_truncated),
		cmocka_unit_test(test_zip_not_zip),
		cmocka_unit_test(test_zip_split_refused),
		cmocka_unit_test(test_zip64),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
