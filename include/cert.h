/* SPDX-License-Identifier: ISC */
/*
 * cert.h: certificates, private keys and trust anchors, without OpenSSL
 * types.  Loading (PEM, DER, PKCS#12), the gateway's chain checked against
 * the profile roots, the gateway identity (SAN dNSName with an RFC 6125
 * left-most wildcard, else the CN), CERTREQ authority hashes (RFC 7296
 * 3.7), and the facts p2sctl shows and Azure asks for (thumbprint, base64
 * of the DER, names, dates).  The IKE AUTH signatures made and checked with
 * these keys and certificates are in crypto_sig.h.
 *
 * struct cert is one X.509 certificate, with the issuers that came with it
 * (a PEM bundle or a PKCS#12 file), struct key_ref a private key (kept
 * behind this API so it can later move to a privileged process), struct
 * trust the set of roots from a profile.  All are opaque; every _free
 * accepts NULL.  Errors: -ENOENT/-EACCES/... from opening files, -EBADMSG
 * for bytes that do not parse, -E2BIG for input past a cap in caps.h,
 * -EKEYREJECTED for a certificate or key that parses but cannot be used
 * (an encrypted PEM key, a key that does not match its certificate),
 * -EACCES for a failed verification or a wrong password.
 *
 * The loaders of files log what the user must fix (once, at LOG_ERR); the
 * parsers of peer bytes log at debug only; the verifiers return their
 * reason in a caller buffer (CERT_REASON_LEN) for the caller to log with
 * its context.  Nothing here ever logs key material or a password.
 */
#ifndef P2S_CERT_H
#define P2S_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "wire.h"

struct cert;
struct key_ref;
struct trust;

#define CERT_REASON_LEN	    512 /* bytes: enough for any reason */
#define CERT_THUMBPRINT_LEN 40	/* hex digits of a SHA-1 */
#define CERT_SPKI_HASH_LEN  20	/* bytes: SHA-1, RFC 7296 3.7 */

/* ------------------------------------------------------------------ */
/*
 * Loading.  A certificate file holds PEM (one or more certificates: the
 * first is the certificate, the others its issuers) or one DER
 * certificate.  A key file holds PEM or DER: PKCS#8, or the traditional
 * RSA or EC forms.  Encrypted PEM keys are refused (-EKEYREJECTED, with a
 * message saying how to decrypt it or to use PKCS#12): a daemon started
 * by systemd has nobody to ask for a passphrase, and PKCS#12 with a
 * password file is the one encrypted form the profile knows.
 *
 * A PKCS#12 bundle holds a key, its certificate and maybe CA certificates;
 * the CAs become the certificate's issuers (never trusted, only sent and
 * used to answer CERTREQ).  password may be NULL or "" for a bundle
 * without one; it is only read, never copied.  Windows' older exports
 * (RC2-40, 3DES) need OpenSSL's legacy provider, which is loaded into a
 * private library context for that one file and freed again.
 */
int cert_load_file(const char *path, struct cert **ret);
int cert_load_der(const struct rd *der, struct cert **ret);
int key_load_file(const char *path, struct key_ref **ret);
int cert_load_p12(const char *path, const char *password,
    struct cert **ret_cert, struct key_ref **ret_key);
/* A password file: its first line, without the line end, in a secret
 * (wiped on free), NUL-terminated buffer; len excludes the NUL. */
int cert_read_password(const char *path, struct buf **ret);
/* 0 when key is the private half of cert's public key; -EKEYREJECTED
 * otherwise. */
int cert_check_key(const struct cert *, const struct key_ref *);
void cert_free(struct cert *);
void key_free(struct key_ref *);

/*
 * Issuers that came with a certificate from a file or a PKCS#12 bundle,
 * ordered as a path: 0 is the certificate's issuer, 1 that one's issuer,
 * and so on; certificates off that path are dropped.  A self-signed root at
 * the end is not counted here (sending it is useless: the peer must already
 * have it) but is kept for cert_match_certreq.
 */
size_t cert_chain_len(const struct cert *);
const struct cert *cert_chain_at(const struct cert *, size_t i);

/* ------------------------------------------------------------------ */
/*
 * Trust anchors: the profile's gateway roots, and nothing else (never the
 * system store).  Every certificate added is an anchor, self-signed or
 * not, so a profile may pin an intermediate.  A file may hold several PEM
 * certificates or one DER certificate (VpnServerRoot.cer is DER).
 */
int trust_new(struct trust **ret);
int trust_add_file(struct trust *, const char *path);
int trust_add_cert(struct trust *, const struct cert *);
size_t trust_count(const struct trust *);
const struct cert *trust_root(const struct trust *, size_t i);
void trust_free(struct trust *);

/*
 * CERTREQ (RFC 7296 3.7): Certification Authority is the concatenation of
 * the SHA-1 hashes of the trusted CAs' SubjectPublicKeyInfo.  trust_build_
 * certreq writes ours (one hash per root) after the encoding octet.
 */
int trust_build_certreq(const struct trust *, struct wr *);
int cert_spki_sha1(const struct cert *, uint8_t ret[static CERT_SPKI_HASH_LEN]);

/* What a peer's CERTREQ says about our certificate. */
enum cert_req_match {
	CERT_REQ_MATCH = 1,    /* it names a CA on our path */
	CERT_REQ_NO_MATCH = 2, /* it names CAs we hold, none ours */
	CERT_REQ_UNKNOWN = 3,  /* we lack our issuer's cert to compare */
	CERT_REQ_ANY = 4,      /* it names no CA at all */
};

/* -EBADMSG when the data is not a whole number of SHA-1 hashes. */
int cert_match_certreq(const struct cert *, const struct rd *authorities,
    enum cert_req_match *ret);

/* ------------------------------------------------------------------ */
/*
 * The gateway.  cert_verify_chain builds a path from leaf through the
 * untrusted certificates (the other CERT payloads, in any order) to one of
 * the trust anchors, with RFC 5280 checks made strict
 * (X509_V_FLAG_X509_STRICT), at most CERT_MAX_CHAIN certificates including
 * leaf and anchor, keys and signatures of at least 112-bit strength
 * (RSA >= 2048; SHA-1 only in an anchor's own self-signature, like
 * DigiCert Global Root CA's), valid at time `at` (0: now).  Then the leaf
 * must be usable to sign IKE AUTH: keyUsage, when present, has
 * digitalSignature or nonRepudiation (RFC 4945 5.1.3.2); extendedKeyUsage,
 * when present, has serverAuth, ipsecIKE, ikeIntermediate (RFC 4945
 * 5.1.3.12, strongSwan's and Windows' server flag) or anyExtendedKeyUsage.
 * serverAuth is accepted but not required: Azure's gateway certificate is
 * a DigiCert TLS server certificate (policy 2.23.140.1.2.2), which always
 * carries serverAuth, but older Azure gateways had self-signed ones whose
 * extensions nobody recorded.  A certificate whose EKU names only other
 * purposes (a client certificate) cannot stand in for the gateway.
 *
 * cert_match_id checks the identity: gateway.id against the SAN dNSName
 * entries, case-insensitively, with an RFC 6125 6.4.3 wildcard only as the
 * whole left-most label ("*.example.net" matches "a.example.net", not
 * "example.net", "a.b.example.net", nor does "a*.example.net" match);
 * only when the certificate has no dNSName does the CN stand in.  An id
 * that is an IP address matches iPAddress entries only.  A trailing dot is
 * ignored; no IDNA (A-labels compare as ASCII).
 *
 * cert_verify_gateway does both.  All return 0, or -EACCES with a reason
 * the user can act on in ret_reason (may be NULL), -E2BIG for more than
 * CERT_MAX_CHAIN certificates, -EINVAL for an id that is not a host name
 * or address.
 */
int cert_verify_chain(const struct trust *, const struct cert *leaf,
    const struct cert *const *untrusted, size_t n_untrusted, time_t at,
    char *ret_reason, size_t reason_len);
int cert_match_id(
    const struct cert *, const char *id, char *ret_reason, size_t reason_len);
int cert_verify_gateway(const struct trust *, const struct cert *leaf,
    const struct cert *const *untrusted, size_t n_untrusted, const char *id,
    time_t at, char *ret_reason, size_t reason_len);

/* ------------------------------------------------------------------ */
/* Facts about a certificate (p2sctl cert, import, status). */

enum cert_eku {
	CERT_EKU_SERVER_AUTH = 1,      /* 1.3.6.1.5.5.7.3.1 */
	CERT_EKU_CLIENT_AUTH = 2,      /* 1.3.6.1.5.5.7.3.2 */
	CERT_EKU_IPSEC_IKE = 3,	       /* 1.3.6.1.5.5.7.3.17, RFC 4945 */
	CERT_EKU_IKE_INTERMEDIATE = 4, /* 1.3.6.1.5.5.8.2.2 */
	CERT_EKU_ANY = 5,	       /* 2.5.29.37.0 */
};

/* The DER encoding, borrowed: valid while the certificate lives. */
struct rd cert_der(const struct cert *);
/* "CN=x, O=y" (RFC 2253 order reversed to read like openssl x509). */
int cert_subject(const struct cert *, char *buf, size_t len);
int cert_issuer(const struct cert *, char *buf, size_t len);
/* The most specific (last) CN as UTF-8; -ENOENT without one. */
int cert_get_cn(const struct cert *, char **ret);
/* SAN dNSName entries, NULL-terminated; free with cert_strv_free. */
int cert_get_dns_names(const struct cert *, char ***ret);
void cert_strv_free(char **);
/* True when the extendedKeyUsage extension lists this purpose. */
bool cert_has_eku(const struct cert *, enum cert_eku);
bool cert_is_self_signed(const struct cert *);
int cert_validity(
    const struct cert *, time_t *ret_not_before, time_t *ret_not_after);
/* SHA-1 of the DER, 40 lowercase hex digits and a NUL: Azure's revoked-
 * certificate thumbprint and the Windows thumbprint without the spaces. */
int cert_thumbprint(
    const struct cert *, char ret[static CERT_THUMBPRINT_LEN + 1]);
/* Base64 of the DER on one line, no PEM armour: Azure's PublicCertData. */
int cert_base64(const struct cert *, char **ret);

#endif /* P2S_CERT_H */
