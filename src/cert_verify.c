/* SPDX-License-Identifier: ISC */
/*
 * cert_verify.c: is this certificate the gateway's?  The chain from the
 * CERT payloads (RFC 7296 3.6) to one of the profile's roots, never the
 * system store (RFC 5280 6, made strict; the rules are in cert.h), the
 * leaf's key and extended key usages for IKE (RFC 4945 5.1.3.2 and
 * 5.1.3.12), and gateway.id against its names (RFC 6125 6.4; design.md 5).
 *
 * The reasons returned are for the user: they say which certificate, what
 * is wrong with it and what to do, because the fix is nearly always on
 * their side (a stale root after Azure rotated it, a wrong gateway.id, a
 * clock).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "caps.h"
#include "cert_int.h"
#include "cert_ossl.h"
#include "log.h"

/*
 * Security level 2: 112-bit keys and signatures (RSA >= 2048, no SHA-1),
 * except the self-signature of an anchor, which OpenSSL does not check.
 */
#define CERT_AUTH_LEVEL 2

int
trust_set_verify_param(X509_VERIFY_PARAM *param)
{
	/* PARTIAL_CHAIN: every certificate in the store is an anchor, so a
	 * profile may pin an intermediate; the store holds only pins. */
	if (!X509_VERIFY_PARAM_set_flags(
		param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN))
		return -ENOMEM;
	/* Depth counts the intermediates only: leaf and anchor are extra. */
	X509_VERIFY_PARAM_set_depth(param, CERT_MAX_CHAIN - 2);
	X509_VERIFY_PARAM_set_auth_level(param, CERT_AUTH_LEVEL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Why a chain failed, in the user's terms. */

struct verify_fail {
	int err;	   /* X509_V_ERR_* */
	int depth;	   /* 0: the leaf */
	bool anchor;	   /* the failing cert is a profile root */
	char subject[256]; /* of the failing cert, one line */
	char issuer[256];  /* its issuer, one line */
	char when[40];	   /* notBefore or notAfter, as text */
};

static const char *
verify_what(const struct verify_fail *f)
{
	if (f->depth == 0)
		return "the gateway's certificate";
	return f->anchor ? "the profile's gateway root"
			 : "an intermediate the gateway sent";
}

static void
verify_reason_issuer(const struct verify_fail *f, char *buf, size_t len)
{
	cert_reason(buf, len,
	    "gateway certificate: %s: \"%s\" is issued by \"%s\", which is "
	    "not among the profile's gateway roots (is the profile's gateway "
	    "root current? Azure rotates it: download the VPN client package "
	    "again and run p2sctl import --force)",
	    X509_verify_cert_error_string(f->err), f->subject, f->issuer);
}

static void
verify_reason_time(const struct verify_fail *f, char *buf, size_t len)
{
	bool expired = f->err == X509_V_ERR_CERT_HAS_EXPIRED;

	if (expired && f->anchor)
		cert_reason(buf, len,
		    "gateway certificate: the profile's gateway root \"%s\" "
		    "expired on %s; Azure rotates it: download the VPN client "
		    "package again and run p2sctl import --force",
		    f->subject, f->when);
	else
		cert_reason(buf, len,
		    "gateway certificate: %s \"%s\" %s %s (is this machine's "
		    "clock right? if it is, the gateway's certificate is %s)",
		    verify_what(f), f->subject,
		    expired ? "expired on" : "is not valid until", f->when,
		    expired ? "out of date" : "not yet in force");
}

static void
verify_reason(const struct verify_fail *f, char *buf, size_t len)
{
	switch (f->err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		verify_reason_issuer(f, buf, len);
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		verify_reason_time(f, buf, len);
		break;
	case X509_V_ERR_CERT_CHAIN_TOO_LONG:
		cert_reason(buf, len,
		    "gateway certificate: the chain to a profile root is longer "
		    "than %d certificates",
		    CERT_MAX_CHAIN);
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		cert_reason(buf, len,
		    "gateway certificate: the signature on \"%s\" does not "
		    "verify (a forged or damaged certificate)",
		    f->subject);
		break;
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_CA_MD_TOO_WEAK:
		cert_reason(buf, len,
		    "gateway certificate: %s \"%s\": %s (below 112-bit "
		    "strength: RSA under 2048 bits, or SHA-1)",
		    verify_what(f), f->subject,
		    X509_verify_cert_error_string(f->err));
		break;
	default:
		cert_reason(buf, len, "gateway certificate: %s \"%s\": %s",
		    verify_what(f), f->subject,
		    X509_verify_cert_error_string(f->err));
	}
}

/* Collects what verify_reason needs from a failed X509_verify_cert. */
static void
verify_fail_get(
    X509_STORE_CTX *ctx, const struct trust *t, struct verify_fail *f)
{
	X509 *x = X509_STORE_CTX_get_current_cert(ctx);

	f->err = X509_STORE_CTX_get_error(ctx);
	f->depth = X509_STORE_CTX_get_error_depth(ctx);
	f->anchor = false;
	(void)snprintf(f->subject, sizeof(f->subject), "?");
	(void)snprintf(f->issuer, sizeof(f->issuer), "?");
	(void)snprintf(f->when, sizeof(f->when), "?");
	if (x == NULL)
		return;
	(void)cert_name_str(
	    X509_get_subject_name(x), f->subject, sizeof(f->subject));
	(void)cert_name_str(
	    X509_get_issuer_name(x), f->issuer, sizeof(f->issuer));
	cert_time_str(f->err == X509_V_ERR_CERT_NOT_YET_VALID
		? X509_get0_notBefore(x)
		: X509_get0_notAfter(x),
	    f->when, sizeof(f->when));
	for (size_t i = 0; i < trust_count(t); i++)
		if (X509_cmp(cert_x509(trust_root(t, i)), x) == 0)
			f->anchor = true;
}

/* ------------------------------------------------------------------ */
/* The leaf as an IKE signer */

static bool
eku_fits_ike(const struct cert *leaf)
{
	return cert_has_eku(leaf, CERT_EKU_SERVER_AUTH) ||
	    cert_has_eku(leaf, CERT_EKU_IPSEC_IKE) ||
	    cert_has_eku(leaf, CERT_EKU_IKE_INTERMEDIATE) ||
	    cert_has_eku(leaf, CERT_EKU_ANY);
}

/* See cert.h for why these usages and not serverAuth alone. */
static int
verify_leaf_usage(const struct cert *leaf, char *buf, size_t len)
{
	X509 *x = cert_x509(leaf);
	uint32_t ku = X509_get_key_usage(x);
	uint32_t xku = X509_get_extended_key_usage(x);

	ERR_clear_error();
	if (ku != UINT32_MAX &&
	    (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
		cert_reason(buf, len,
		    "gateway certificate: its key usage does not allow "
		    "signatures (digitalSignature), so it cannot authenticate "
		    "IKE");
		return -EACCES;
	}
	if (xku != UINT32_MAX && !eku_fits_ike(leaf)) {
		cert_reason(buf, len,
		    "gateway certificate: its extended key usage allows "
		    "neither serverAuth nor IKE%s; it is not a gateway's "
		    "certificate",
		    cert_has_eku(leaf, CERT_EKU_CLIENT_AUTH)
			? " (only clientAuth: a client certificate)"
			: "");
		return -EACCES;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The chain */

static STACK_OF(X509) * verify_untrusted(const struct cert *const *v, size_t n)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	/* Borrowed: the stack is freed with sk_X509_free, not pop_free. */
	for (size_t i = 0; sk != NULL && i < n; i++)
		if (!sk_X509_push(sk, cert_x509(v[i]))) {
			sk_X509_free(sk);
			sk = NULL;
		}
	return sk;
}

int
cert_verify_chain(const struct trust *t, const struct cert *leaf,
    const struct cert *const *untrusted, size_t n_untrusted, time_t at,
    char *ret_reason, size_t reason_len)
{
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *sk = NULL;
	struct verify_fail f;
	int ok, r = -ENOMEM;

	if (n_untrusted >= CERT_MAX_CHAIN) {
		cert_reason(ret_reason, reason_len,
		    "gateway certificate: the gateway sent %zu certificates; "
		    "at most %d are accepted",
		    n_untrusted + 1, CERT_MAX_CHAIN);
		return -E2BIG;
	}
	sk = verify_untrusted(untrusted, n_untrusted);
	ctx = X509_STORE_CTX_new();
	if (sk == NULL || ctx == NULL ||
	    !X509_STORE_CTX_init(ctx, trust_store(t), cert_x509(leaf), sk))
		goto out;
	if (at != 0)
		X509_STORE_CTX_set_time(ctx, 0, at);
	ok = X509_verify_cert(ctx);
	if (ok < 0)
		goto out;
	if (ok == 0) {
		verify_fail_get(ctx, t, &f);
		verify_reason(&f, ret_reason, reason_len);
		log_debug("chain: error %d at depth %d", f.err, f.depth);
		r = -EACCES;
		goto out;
	}
	r = verify_leaf_usage(leaf, ret_reason, reason_len);
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(sk);
	return r;
}

/* ------------------------------------------------------------------ */
/* The identity (RFC 6125 6.4) */

static bool
ascii_caseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

/* Length without one trailing dot: "a.example." names "a.example". */
static size_t
dns_len(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

/*
 * A presented name (from the certificate) against the reference name (the
 * id, already checked to be a host name).  A '*' is allowed only as the
 * whole left-most label and when at least two labels follow it, and it
 * stands for exactly one non-empty label (RFC 6125 6.4.3; no partial
 * labels like "gw*", no "*.net").
 */
static bool
dns_match(const char *pattern, const char *ref)
{
	size_t plen = dns_len(pattern), rlen = dns_len(ref);
	const char *rest, *dot;

	if (pattern[0] == '*' && plen > 2 && pattern[1] == '.') {
		rest = pattern + 2;
		if (memchr(rest, '*', plen - 2) != NULL ||
		    memchr(rest, '.', plen - 2) == NULL)
			return false;
		dot = memchr(ref, '.', rlen);
		if (dot == NULL || dot == ref)
			return false;
		return (size_t)(ref + rlen - (dot + 1)) == plen - 2 &&
		    ascii_caseeq(dot + 1, rest, plen - 2);
	}
	if (memchr(pattern, '*', plen) != NULL)
		return false;
	return plen == rlen && ascii_caseeq(pattern, ref, plen);
}

/* A host name: labels of 1..63 letters, digits, '-' or '_', at most 253
 * characters; one trailing dot allowed. */
static bool
id_is_hostname(const char *id)
{
	size_t n = dns_len(id), label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];

		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

/* Appends ", KIND:name" to a list of what the certificate is for. */
static void
names_add(char *buf, size_t len, const char *kind, const char *name)
{
	size_t used = strlen(buf);

	if (used < len)
		(void)snprintf(buf + used, len - used, "%s%s%s",
		    used > 0 ? ", " : "", kind, name);
}

/* A SAN entry's text: dNSName as is, iPAddress in the usual form. */
static bool
gen_name_text(const GENERAL_NAME *g, char *buf, size_t len)
{
	const ASN1_STRING *s;
	int n;

	if (g->type == GEN_DNS) {
		s = g->d.dNSName;
		n = ASN1_STRING_length(s);
		if (n <= 0 ||
		    memchr(ASN1_STRING_get0_data(s), '\0', (size_t)n) != NULL)
			return false;
		(void)snprintf(buf, len, "%.*s", n,
		    (const char *)ASN1_STRING_get0_data(s));
		return true;
	}
	if (g->type == GEN_IPADD) {
		s = g->d.iPAddress;
		n = ASN1_STRING_length(s);
		return (n == 4 || n == 16) &&
		    inet_ntop(n == 4 ? AF_INET : AF_INET6,
			ASN1_STRING_get0_data(s), buf, (socklen_t)len) != NULL;
	}
	return false;
}

struct id_ref {
	const char *name; /* the id as given */
	int af;		  /* AF_INET/AF_INET6, or 0: a host */
	uint8_t addr[16]; /* when af != 0 */
};

/* One SAN entry against the id.  A name with an embedded NUL matches
 * nothing. */
static bool
gen_matches(const GENERAL_NAME *g, const struct id_ref *id)
{
	const ASN1_STRING *s;
	char name[256];

	if (id->af == 0 && g->type == GEN_DNS)
		return gen_name_text(g, name, sizeof(name)) &&
		    (size_t)ASN1_STRING_length(g->d.dNSName) < sizeof(name) &&
		    dns_match(name, id->name);
	if (id->af != 0 && g->type == GEN_IPADD) {
		s = g->d.iPAddress;
		return ASN1_STRING_length(s) == (id->af == AF_INET ? 4 : 16) &&
		    memcmp(ASN1_STRING_get0_data(s), id->addr,
			(size_t)ASN1_STRING_length(s)) == 0;
	}
	return false;
}

/*
 * Walks the SAN: whether an entry matches, whether there is any dNSName
 * (which rules out the CN, RFC 6125 6.4.4), and the names for a message.
 */
static bool
san_match(const GENERAL_NAMES *gens, const struct id_ref *id, bool *ret_dns,
    char *names, size_t names_len)
{
	char text[256];
	bool match = false;

	*ret_dns = false;
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		if (g->type == GEN_DNS)
			*ret_dns = true;
		if (gen_matches(g, id))
			match = true;
		if (gen_name_text(g, text, sizeof(text)))
			names_add(names, names_len,
			    g->type == GEN_DNS ? "DNS:" : "IP:", text);
	}
	return match;
}

static int
id_parse(const char *id, struct id_ref *ret)
{
	ret->name = id;
	ret->af = 0;
	if (inet_pton(AF_INET, id, ret->addr) == 1)
		ret->af = AF_INET;
	else if (inet_pton(AF_INET6, id, ret->addr) == 1)
		ret->af = AF_INET6;
	else if (!id_is_hostname(id))
		return -EINVAL;
	return 0;
}

/* The CN stands in only for a host name and only without any dNSName. */
static bool
cn_match(const struct cert *c, const struct id_ref *id, char *names,
    size_t names_len)
{
	char *cn = NULL;
	bool match;

	if (cert_get_cn(c, &cn) < 0)
		return false;
	match = id->af == 0 && dns_match(cn, id->name);
	names_add(names, names_len, "CN=", cn);
	free(cn);
	return match;
}

int
cert_match_id(
    const struct cert *c, const char *id, char *ret_reason, size_t reason_len)
{
	GENERAL_NAMES *gens = NULL;
	char names[CERT_REASON_LEN / 2] = "";
	struct id_ref ref;
	bool has_dns = false, match;
	int crit = 0;

	if (id == NULL || id_parse(id, &ref) < 0) {
		cert_reason(ret_reason, reason_len,
		    "gateway.id \"%s\" is neither a host name nor an IP "
		    "address",
		    id != NULL ? id : "");
		return -EINVAL;
	}
	gens =
	    X509_get_ext_d2i(cert_x509(c), NID_subject_alt_name, &crit, NULL);
	ERR_clear_error();
	/* A SAN that does not parse, or two of them, must not let the CN
	 * stand in: refuse outright. */
	if (gens == NULL && crit != -1) {
		cert_reason(ret_reason, reason_len,
		    "gateway certificate: its subjectAltName is malformed");
		return -EACCES;
	}
	match = san_match(gens, &ref, &has_dns, names, sizeof(names));
	GENERAL_NAMES_free(gens);
	if (!match && !has_dns)
		match = cn_match(c, &ref, names, sizeof(names));
	if (match)
		return 0;
	cert_reason(ret_reason, reason_len,
	    "gateway certificate is for %s, not for \"%s\" (gateway.id); if "
	    "this is your gateway, set gateway.id to one of those names",
	    names[0] != '\0' ? names : "no name at all", id);
	return -EACCES;
}

int
cert_verify_gateway(const struct trust *t, const struct cert *leaf,
    const struct cert *const *untrusted, size_t n_untrusted, const char *id,
    time_t at, char *ret_reason, size_t reason_len)
{
	int r;

	/* The chain first: a name is worth nothing before it is vouched
	 * for, and "set gateway.id to ..." must not be offered for an
	 * impostor's certificate. */
	r = cert_verify_chain(
	    t, leaf, untrusted, n_untrusted, at, ret_reason, reason_len);
	if (r < 0)
		return r;
	return cert_match_id(leaf, id, ret_reason, reason_len);
}
