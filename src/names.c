/* SPDX-License-Identifier: ISC */
/*
 * names.c: the name tables behind names.h.  IANA "IKEv2 Parameters"
 * (RFC 7296 3.x, RFC 7383, RFC 7427, RFC 8598) and RFC 3748 for EAP, in
 * ike.h's order.  Kept by hand; test_names parses ike.h and fails if an
 * enum value has no name here or a name differs from its identifier.
 */
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "wire.h"

struct name {
	unsigned value;
	const char *name;
};

static const struct name exchange_names[] = {
	{ IKE_SA_INIT, "IKE_SA_INIT" },
	{ IKE_AUTH, "IKE_AUTH" },
	{ IKE_CREATE_CHILD_SA, "CREATE_CHILD_SA" },
	{ IKE_INFORMATIONAL, "INFORMATIONAL" },
};

/* strongSwan's short names, which administrators know from its logs. */
static const struct name pld_names[] = {
	{ IKE_PLD_NONE, "NONE" },
	{ IKE_PLD_SA, "SA" },
	{ IKE_PLD_KE, "KE" },
	{ IKE_PLD_IDI, "IDi" },
	{ IKE_PLD_IDR, "IDr" },
	{ IKE_PLD_CERT, "CERT" },
	{ IKE_PLD_CERTREQ, "CERTREQ" },
	{ IKE_PLD_AUTH, "AUTH" },
	{ IKE_PLD_NONCE, "No" },
	{ IKE_PLD_NOTIFY, "N" },
	{ IKE_PLD_DELETE, "D" },
	{ IKE_PLD_VENDOR, "V" },
	{ IKE_PLD_TSI, "TSi" },
	{ IKE_PLD_TSR, "TSr" },
	{ IKE_PLD_SK, "SK" },
	{ IKE_PLD_CP, "CP" },
	{ IKE_PLD_EAP, "EAP" },
	{ IKE_PLD_SKF, "SKF" },
};

static const struct name proto_names[] = {
	{ IKE_PROTO_NONE, "NONE" },
	{ IKE_PROTO_IKE, "IKE" },
	{ IKE_PROTO_AH, "AH" },
	{ IKE_PROTO_ESP, "ESP" },
};

static const struct name xform_type_names[] = {
	{ IKE_XFORM_ENCR, "ENCR" },
	{ IKE_XFORM_PRF, "PRF" },
	{ IKE_XFORM_INTEG, "INTEG" },
	{ IKE_XFORM_DH, "DH" },
	{ IKE_XFORM_ESN, "ESN" },
};

static const struct name encr_names[] = {
	{ IKE_ENCR_3DES, "3DES" },
	{ IKE_ENCR_NULL, "NULL" },
	{ IKE_ENCR_AES_CBC, "AES_CBC" },
	{ IKE_ENCR_AES_CTR, "AES_CTR" },
	{ IKE_ENCR_AES_GCM_8, "AES_GCM_8" },
	{ IKE_ENCR_AES_GCM_12, "AES_GCM_12" },
	{ IKE_ENCR_AES_GCM_16, "AES_GCM_16" },
	{ IKE_ENCR_CHACHA20_POLY1305, "CHACHA20_POLY1305" },
};

static const struct name prf_names[] = {
	{ IKE_PRF_HMAC_MD5, "HMAC_MD5" },
	{ IKE_PRF_HMAC_SHA1, "HMAC_SHA1" },
	{ IKE_PRF_AES128_XCBC, "AES128_XCBC" },
	{ IKE_PRF_HMAC_SHA2_256, "HMAC_SHA2_256" },
	{ IKE_PRF_HMAC_SHA2_384, "HMAC_SHA2_384" },
	{ IKE_PRF_HMAC_SHA2_512, "HMAC_SHA2_512" },
};

static const struct name integ_names[] = {
	{ IKE_INTEG_NONE, "NONE" },
	{ IKE_INTEG_HMAC_MD5_96, "HMAC_MD5_96" },
	{ IKE_INTEG_HMAC_SHA1_96, "HMAC_SHA1_96" },
	{ IKE_INTEG_AES_XCBC_96, "AES_XCBC_96" },
	{ IKE_INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128" },
	{ IKE_INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192" },
	{ IKE_INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256" },
};

static const struct name dh_names[] = {
	{ IKE_DH_NONE, "NONE" },
	{ IKE_DH_MODP_1024, "MODP_1024" },
	{ IKE_DH_MODP_2048, "MODP_2048" },
	{ IKE_DH_ECP_256, "ECP_256" },
	{ IKE_DH_ECP_384, "ECP_384" },
	{ IKE_DH_MODP_2048_256, "MODP_2048_256" },
	{ IKE_DH_CURVE25519, "CURVE25519" },
};

static const struct name esn_names[] = {
	{ IKE_ESN_NO, "NO" },
	{ IKE_ESN_YES, "YES" },
};

static const struct name id_type_names[] = {
	{ IKE_ID_IPV4_ADDR, "IPV4_ADDR" },
	{ IKE_ID_FQDN, "FQDN" },
	{ IKE_ID_RFC822_ADDR, "RFC822_ADDR" },
	{ IKE_ID_IPV6_ADDR, "IPV6_ADDR" },
	{ IKE_ID_DER_ASN1_DN, "DER_ASN1_DN" },
	{ IKE_ID_DER_ASN1_GN, "DER_ASN1_GN" },
	{ IKE_ID_KEY_ID, "KEY_ID" },
};

static const struct name cert_enc_names[] = {
	{ IKE_CERT_X509_SIGN, "X509_SIGN" },
	{ IKE_CERT_HASH_URL_X509, "HASH_URL_X509" },
};

static const struct name auth_method_names[] = {
	{ IKE_AUTH_RSA_SIG, "RSA_SIG" },
	{ IKE_AUTH_SHARED_KEY_MIC, "SHARED_KEY_MIC" },
	{ IKE_AUTH_DSS_SIG, "DSS_SIG" },
	{ IKE_AUTH_ECDSA_256, "ECDSA_256" },
	{ IKE_AUTH_ECDSA_384, "ECDSA_384" },
	{ IKE_AUTH_ECDSA_521, "ECDSA_521" },
	{ IKE_AUTH_DIGITAL_SIGNATURE, "DIGITAL_SIGNATURE" },
};

static const struct name hash_names[] = {
	{ IKE_HASH_SHA1, "SHA1" },
	{ IKE_HASH_SHA2_256, "SHA2_256" },
	{ IKE_HASH_SHA2_384, "SHA2_384" },
	{ IKE_HASH_SHA2_512, "SHA2_512" },
	{ IKE_HASH_IDENTITY, "IDENTITY" },
};

static const struct name notify_names[] = {
	{ IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD" },
	{ IKE_N_INVALID_IKE_SPI, "INVALID_IKE_SPI" },
	{ IKE_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION" },
	{ IKE_N_INVALID_SYNTAX, "INVALID_SYNTAX" },
	{ IKE_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID" },
	{ IKE_N_INVALID_SPI, "INVALID_SPI" },
	{ IKE_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN" },
	{ IKE_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD" },
	{ IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED" },
	{ IKE_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED" },
	{ IKE_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS" },
	{ IKE_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE" },
	{ IKE_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED" },
	{ IKE_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE" },
	{ IKE_N_INVALID_SELECTORS, "INVALID_SELECTORS" },
	{ IKE_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE" },
	{ IKE_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND" },
	{ IKE_N_INITIAL_CONTACT, "INITIAL_CONTACT" },
	{ IKE_N_SET_WINDOW_SIZE, "SET_WINDOW_SIZE" },
	{ IKE_N_ADDITIONAL_TS_POSSIBLE, "ADDITIONAL_TS_POSSIBLE" },
	{ IKE_N_IPCOMP_SUPPORTED, "IPCOMP_SUPPORTED" },
	{ IKE_N_NAT_DETECTION_SOURCE_IP, "NAT_DETECTION_SOURCE_IP" },
	{ IKE_N_NAT_DETECTION_DESTINATION_IP, "NAT_DETECTION_DESTINATION_IP" },
	{ IKE_N_COOKIE, "COOKIE" },
	{ IKE_N_USE_TRANSPORT_MODE, "USE_TRANSPORT_MODE" },
	{ IKE_N_HTTP_CERT_LOOKUP_SUPPORTED, "HTTP_CERT_LOOKUP_SUPPORTED" },
	{ IKE_N_REKEY_SA, "REKEY_SA" },
	{ IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED,
	    "ESP_TFC_PADDING_NOT_SUPPORTED" },
	{ IKE_N_NON_FIRST_FRAGMENTS_ALSO, "NON_FIRST_FRAGMENTS_ALSO" },
	{ IKE_N_MOBIKE_SUPPORTED, "MOBIKE_SUPPORTED" },
	{ IKE_N_ADDITIONAL_IP4_ADDRESS, "ADDITIONAL_IP4_ADDRESS" },
	{ IKE_N_ADDITIONAL_IP6_ADDRESS, "ADDITIONAL_IP6_ADDRESS" },
	{ IKE_N_NO_ADDITIONAL_ADDRESSES, "NO_ADDITIONAL_ADDRESSES" },
	{ IKE_N_UPDATE_SA_ADDRESSES, "UPDATE_SA_ADDRESSES" },
	{ IKE_N_COOKIE2, "COOKIE2" },
	{ IKE_N_NO_NATS_ALLOWED, "NO_NATS_ALLOWED" },
	{ IKE_N_AUTH_LIFETIME, "AUTH_LIFETIME" },
	{ IKE_N_MULTIPLE_AUTH_SUPPORTED, "MULTIPLE_AUTH_SUPPORTED" },
	{ IKE_N_ANOTHER_AUTH_FOLLOWS, "ANOTHER_AUTH_FOLLOWS" },
	{ IKE_N_REDIRECT_SUPPORTED, "REDIRECT_SUPPORTED" },
	{ IKE_N_REDIRECT, "REDIRECT" },
	{ IKE_N_REDIRECTED_FROM, "REDIRECTED_FROM" },
	{ IKE_N_EAP_ONLY_AUTHENTICATION, "EAP_ONLY_AUTHENTICATION" },
	{ IKE_N_CHILDLESS_IKEV2_SUPPORTED, "CHILDLESS_IKEV2_SUPPORTED" },
	{ IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED,
	    "IKEV2_MESSAGE_ID_SYNC_SUPPORTED" },
	{ IKE_N_IKEV2_FRAGMENTATION_SUPPORTED,
	    "IKEV2_FRAGMENTATION_SUPPORTED" },
	{ IKE_N_SIGNATURE_HASH_ALGORITHMS, "SIGNATURE_HASH_ALGORITHMS" },
};

static const struct name ts_type_names[] = {
	{ IKE_TS_IPV4_ADDR_RANGE, "IPV4_ADDR_RANGE" },
	{ IKE_TS_IPV6_ADDR_RANGE, "IPV6_ADDR_RANGE" },
};

static const struct name cfg_type_names[] = {
	{ IKE_CFG_REQUEST, "REQUEST" },
	{ IKE_CFG_REPLY, "REPLY" },
	{ IKE_CFG_SET, "SET" },
	{ IKE_CFG_ACK, "ACK" },
};

static const struct name cfg_attr_names[] = {
	{ IKE_CFG_INTERNAL_IP4_ADDRESS, "INTERNAL_IP4_ADDRESS" },
	{ IKE_CFG_INTERNAL_IP4_NETMASK, "INTERNAL_IP4_NETMASK" },
	{ IKE_CFG_INTERNAL_IP4_DNS, "INTERNAL_IP4_DNS" },
	{ IKE_CFG_INTERNAL_IP4_NBNS, "INTERNAL_IP4_NBNS" },
	{ IKE_CFG_INTERNAL_IP4_DHCP, "INTERNAL_IP4_DHCP" },
	{ IKE_CFG_APPLICATION_VERSION, "APPLICATION_VERSION" },
	{ IKE_CFG_INTERNAL_IP6_ADDRESS, "INTERNAL_IP6_ADDRESS" },
	{ IKE_CFG_INTERNAL_IP6_DNS, "INTERNAL_IP6_DNS" },
	{ IKE_CFG_INTERNAL_IP6_DHCP, "INTERNAL_IP6_DHCP" },
	{ IKE_CFG_INTERNAL_IP4_SUBNET, "INTERNAL_IP4_SUBNET" },
	{ IKE_CFG_SUPPORTED_ATTRIBUTES, "SUPPORTED_ATTRIBUTES" },
	{ IKE_CFG_INTERNAL_IP6_SUBNET, "INTERNAL_IP6_SUBNET" },
	{ IKE_CFG_INTERNAL_DNS_DOMAIN, "INTERNAL_DNS_DOMAIN" },
};

static const struct name eap_code_names[] = {
	{ EAP_CODE_REQUEST, "REQUEST" },
	{ EAP_CODE_RESPONSE, "RESPONSE" },
	{ EAP_CODE_SUCCESS, "SUCCESS" },
	{ EAP_CODE_FAILURE, "FAILURE" },
};

static const struct name eap_type_names[] = {
	{ EAP_TYPE_IDENTITY, "IDENTITY" },
	{ EAP_TYPE_NOTIFICATION, "NOTIFICATION" },
	{ EAP_TYPE_NAK, "NAK" },
	{ EAP_TYPE_TLS, "TLS" },
};
static const char *
lookup(const struct name *t, size_t n, unsigned v, const char *what,
    struct names_buf *b)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	(void)snprintf(b->s, sizeof(b->s), "%s(%u)", what, v);
	return b->s;
}

const char *
names_exchange(unsigned v, struct names_buf *b)
{
	return lookup(
	    exchange_names, ARRAY_SIZE(exchange_names), v, "EXCHANGE", b);
}

const char *
names_pld(unsigned v, struct names_buf *b)
{
	return lookup(pld_names, ARRAY_SIZE(pld_names), v, "PAYLOAD", b);
}

const char *
names_proto(unsigned v, struct names_buf *b)
{
	return lookup(proto_names, ARRAY_SIZE(proto_names), v, "PROTO", b);
}

const char *
names_xform_type(unsigned v, struct names_buf *b)
{
	return lookup(
	    xform_type_names, ARRAY_SIZE(xform_type_names), v, "XFORM", b);
}

const char *
names_encr(unsigned v, struct names_buf *b)
{
	return lookup(encr_names, ARRAY_SIZE(encr_names), v, "ENCR", b);
}

const char *
names_prf(unsigned v, struct names_buf *b)
{
	return lookup(prf_names, ARRAY_SIZE(prf_names), v, "PRF", b);
}

const char *
names_integ(unsigned v, struct names_buf *b)
{
	return lookup(integ_names, ARRAY_SIZE(integ_names), v, "INTEG", b);
}

const char *
names_dh(unsigned v, struct names_buf *b)
{
	return lookup(dh_names, ARRAY_SIZE(dh_names), v, "DH", b);
}

const char *
names_esn(unsigned v, struct names_buf *b)
{
	return lookup(esn_names, ARRAY_SIZE(esn_names), v, "ESN", b);
}

const char *
names_id_type(unsigned v, struct names_buf *b)
{
	return lookup(id_type_names, ARRAY_SIZE(id_type_names), v, "ID", b);
}

const char *
names_cert_enc(unsigned v, struct names_buf *b)
{
	return lookup(cert_enc_names, ARRAY_SIZE(cert_enc_names), v, "CERT", b);
}

const char *
names_auth_method(unsigned v, struct names_buf *b)
{
	return lookup(
	    auth_method_names, ARRAY_SIZE(auth_method_names), v, "AUTH", b);
}

const char *
names_hash(unsigned v, struct names_buf *b)
{
	return lookup(hash_names, ARRAY_SIZE(hash_names), v, "HASH", b);
}

const char *
names_notify(unsigned v, struct names_buf *b)
{
	return lookup(notify_names, ARRAY_SIZE(notify_names), v, "NOTIFY", b);
}

const char *
names_ts_type(unsigned v, struct names_buf *b)
{
	return lookup(ts_type_names, ARRAY_SIZE(ts_type_names), v, "TS", b);
}

const char *
names_cfg_type(unsigned v, struct names_buf *b)
{
	return lookup(cfg_type_names, ARRAY_SIZE(cfg_type_names), v, "CFG", b);
}

const char *
names_cfg_attr(unsigned v, struct names_buf *b)
{
	return lookup(
	    cfg_attr_names, ARRAY_SIZE(cfg_attr_names), v, "CP_ATTR", b);
}

const char *
names_eap_code(unsigned v, struct names_buf *b)
{
	return lookup(
	    eap_code_names, ARRAY_SIZE(eap_code_names), v, "EAP_CODE", b);
}

const char *
names_eap_type(unsigned v, struct names_buf *b)
{
	return lookup(
	    eap_type_names, ARRAY_SIZE(eap_type_names), v, "EAP_TYPE", b);
}

const char *
names_xform_id(unsigned type, unsigned id, struct names_buf *b)
{
	switch (type) {
	case IKE_XFORM_ENCR:
		return names_encr(id, b);
	case IKE_XFORM_PRF:
		return names_prf(id, b);
	case IKE_XFORM_INTEG:
		return names_integ(id, b);
	case IKE_XFORM_DH:
		return names_dh(id, b);
	case IKE_XFORM_ESN:
		return names_esn(id, b);
	default:
		(void)snprintf(b->s, sizeof(b->s), "XFORM%u(%u)", type, id);
		return b->s;
	}
}

/* Appends sep and s to buf at *at if both fit in len; else false. */
static bool
chain_append(char *buf, size_t len, size_t *at, const char *sep, const char *s)
{
	size_t n_sep = strlen(sep), n = strlen(s);

	if (*at >= len || n_sep + n >= len - *at)
		return false;
	memcpy(buf + *at, sep, n_sep);
	memcpy(buf + *at + n_sep, s, n + 1);
	*at += n_sep + n;
	return true;
}

static const char *
chain_item(
    const struct ike_pld_ref *ref, struct names_buf *nb, char *item, size_t len)
{
	struct rd r = ref->body;
	uint16_t type;

	if (ref->type != IKE_PLD_NOTIFY)
		return names_pld(ref->type, nb);
	if (!rd_skip(&r, 2) || !rd_u16(&r, &type))
		return "N(?)";
	(void)snprintf(item, len, "N(%s)", names_notify(type, nb));
	return item;
}

const char *
names_pld_chain(const struct ike_pld_ref *refs, size_t n, char *buf, size_t len)
{
	static const char more[] = " ...";
	size_t at = 0, room;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	/* Keep room for the marker, so that a cut list says so. */
	room = len > sizeof(more) ? len - (sizeof(more) - 1) : 1;
	for (size_t i = 0; i < n; i++) {
		struct names_buf nb;
		char item[NAMES_BUF_LEN + 4];
		const char *s = chain_item(&refs[i], &nb, item, sizeof(item));

		if (!chain_append(buf, room, &at, i > 0 ? " " : "", s)) {
			(void)chain_append(
			    buf, len, &at, "", at > 0 ? more : more + 1);
			break;
		}
	}
	return buf;
}
