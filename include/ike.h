/* SPDX-License-Identifier: ISC */
/*
 * ike.h: IKEv2 protocol numbers (RFC 7296 and the IANA "IKEv2 Parameters"
 * registry) and the wire formats, drawn once here.  No code, no state.
 *
 * IKE header (RFC 7296 3.1), 28 bytes:
 *
 *                       1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       IKE SA Initiator's SPI                  |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       IKE SA Responder's SPI                  |
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Message ID                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                            Length                             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Generic payload header (3.2), 4 bytes, then the body:
 *
 *  | Next Payload  |C|  RESERVED   |         Payload Length        |
 *
 * SA payload (3.3): proposals, each
 *  | Last Substruc |   RESERVED    |         Proposal Length       |
 *  | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 *  ~                        SPI (variable)                         ~
 *  ~                        <Transforms>                           ~
 * each transform
 *  | Last Substruc |   RESERVED    |        Transform Length       |
 *  |Transform Type |   RESERVED    |          Transform ID         |
 *  ~                      Transform Attributes                     ~
 * each attribute (TV when the AF bit is set, else TLV)
 *  |A|       Attribute Type        |    AF=0  Attribute Length     |
 *  |                             |    AF=1  Attribute Value      |
 *
 * KE (3.4):     | DH Group Num | RESERVED | Key Exchange Data ~
 * ID (3.5):     | ID Type | RESERVED (3) | Identification Data ~
 * CERT (3.6):   | Cert Encoding | Certificate Data ~
 * CERTREQ (3.7):| Cert Encoding | Certification Authority ~ (SHA-1s)
 * AUTH (3.8):   | Auth Method | RESERVED (3) | Authentication Data ~
 * Nonce (3.9):  | Nonce Data ~ (16..256 bytes)
 * Notify (3.10):| Protocol ID | SPI Size | Notify Message Type | SPI ~ |
 *               ~ Notification Data ~
 * Delete (3.11):| Protocol ID | SPI Size | Num of SPIs | SPIs ~
 * Vendor (3.12):| Vendor ID ~
 * TS (3.13):    | Number of TSs | RESERVED (3) | <Traffic Selectors> ~
 *   each:       | TS Type | IP Protocol ID | Selector Length |
 *               | Start Port | End Port | Starting Address ~ |
 *               ~ Ending Address ~
 * SK (3.14):    | IV | Encrypted IKE Payloads | Padding | Pad Length |
 *               | Integrity Checksum Data |
 * SKF (RFC 7383 2.5): | Fragment Number | Total Fragments | then as SK
 * CP (3.15):    | CFG Type | RESERVED (3) | Configuration Attributes ~
 *   each:       |R| Attribute Type | Length | Value ~
 * EAP (3.16):   | Code | Identifier | Length | Type | Type_Data ~
 */
#ifndef P2S_IKE_H
#define P2S_IKE_H

#define IKE_HDR_LEN	       28   /* bytes */
#define IKE_PLD_HDR_LEN	       4    /* bytes */
#define IKE_VERSION	       0x20 /* major 2, minor 0 */
#define IKE_SPI_LEN	       8    /* bytes */
#define IKE_NON_ESP_MARKER_LEN 4    /* RFC 3948 2.2, port 4500 */
#define IKE_PORT	       500
#define IKE_NATT_PORT	       4500

/* Header flags (RFC 7296 3.1). */
#define IKE_FLAG_INITIATOR 0x08
#define IKE_FLAG_VERSION   0x10
#define IKE_FLAG_RESPONSE  0x20

/* Generic payload header: the critical bit. */
#define IKE_PLD_CRITICAL 0x80

/* Last Substruc values of proposals and transforms (3.3.1, 3.3.2). */
#define IKE_SUBSTRUC_LAST      0 /* no more substructures follow */
#define IKE_SUBSTRUC_PROPOSAL  2 /* another proposal follows */
#define IKE_SUBSTRUC_TRANSFORM 3 /* another transform follows */

/* Exchange types. */
enum ike_exchange {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	IKE_CREATE_CHILD_SA = 36,
	IKE_INFORMATIONAL = 37,
};

/* Payload types. */
enum ike_pld_type {
	IKE_PLD_NONE = 0,
	IKE_PLD_SA = 33,
	IKE_PLD_KE = 34,
	IKE_PLD_IDI = 35,
	IKE_PLD_IDR = 36,
	IKE_PLD_CERT = 37,
	IKE_PLD_CERTREQ = 38,
	IKE_PLD_AUTH = 39,
	IKE_PLD_NONCE = 40,
	IKE_PLD_NOTIFY = 41,
	IKE_PLD_DELETE = 42,
	IKE_PLD_VENDOR = 43,
	IKE_PLD_TSI = 44,
	IKE_PLD_TSR = 45,
	IKE_PLD_SK = 46,
	IKE_PLD_CP = 47,
	IKE_PLD_EAP = 48,
	IKE_PLD_SKF = 53, /* RFC 7383 */
};

/* Protocol IDs (3.3.1). */
enum ike_proto {
	IKE_PROTO_NONE = 0,
	IKE_PROTO_IKE = 1,
	IKE_PROTO_AH = 2,
	IKE_PROTO_ESP = 3,
};

/* Transform types (3.3.2). */
enum ike_xform_type {
	IKE_XFORM_ENCR = 1,
	IKE_XFORM_PRF = 2,
	IKE_XFORM_INTEG = 3,
	IKE_XFORM_DH = 4,
	IKE_XFORM_ESN = 5,
};

/* Transform type 1: encryption algorithms. */
enum ike_encr {
	IKE_ENCR_3DES = 3,
	IKE_ENCR_NULL = 11,
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_CTR = 13,
	IKE_ENCR_AES_GCM_8 = 18,  /* RFC 5282: 8-byte ICV */
	IKE_ENCR_AES_GCM_12 = 19, /* 12-byte ICV */
	IKE_ENCR_AES_GCM_16 = 20, /* 16-byte ICV */
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};

/* Transform type 2: pseudorandom functions. */
enum ike_prf {
	IKE_PRF_HMAC_MD5 = 1,
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_AES128_XCBC = 4,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

/* Transform type 3: integrity algorithms. */
enum ike_integ {
	IKE_INTEG_NONE = 0,
	IKE_INTEG_HMAC_MD5_96 = 1,
	IKE_INTEG_HMAC_SHA1_96 = 2,
	IKE_INTEG_AES_XCBC_96 = 5,
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

/* Transform type 4: key exchange (Diffie-Hellman) groups. */
enum ike_dh {
	IKE_DH_NONE = 0,
	IKE_DH_MODP_1024 = 2,
	IKE_DH_MODP_2048 = 14,
	IKE_DH_ECP_256 = 19,
	IKE_DH_ECP_384 = 20,
	IKE_DH_MODP_2048_256 = 24, /* RFC 5114 */
	IKE_DH_CURVE25519 = 31,	   /* RFC 8031 */
};

/* Transform type 5: extended sequence numbers. */
enum ike_esn {
	IKE_ESN_NO = 0,
	IKE_ESN_YES = 1,
};

/* Transform attribute types (3.3.5). */
#define IKE_ATTR_KEY_LENGTH 14 /* TV format, bits */
#define IKE_ATTR_FORMAT_TV  0x8000

/* Sizes fixed by the RFCs. */
#define IKE_COOKIE_MAX_LEN   64 /* bytes of COOKIE data (2.6) */
#define IKE_NATD_LEN	     20 /* bytes: SHA-1 of SPIs, address and port (2.23) */
#define IKE_CERTREQ_HASH_LEN 20 /* bytes: SHA-1 of a CA's key (3.7) */
#define IKE_TS_IPV4_LEN	     16 /* bytes of an IPv4 selector (3.13.1) */
#define IKE_TS_IPV6_LEN	     40 /* bytes of an IPv6 selector */
#define EAP_HDR_LEN	     4	/* code, identifier, length (RFC 3748 4) */

/* Identification types (3.5). */
enum ike_id_type {
	IKE_ID_IPV4_ADDR = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822_ADDR = 3,
	IKE_ID_IPV6_ADDR = 5,
	IKE_ID_DER_ASN1_DN = 9,
	IKE_ID_DER_ASN1_GN = 10,
	IKE_ID_KEY_ID = 11,
};

/* Certificate encodings (3.6). */
enum ike_cert_enc {
	IKE_CERT_X509_SIGN = 4,
	IKE_CERT_HASH_URL_X509 = 12,
};

/* Authentication methods (3.8, RFC 7427). */
enum ike_auth_method {
	IKE_AUTH_RSA_SIG = 1,
	IKE_AUTH_SHARED_KEY_MIC = 2,
	IKE_AUTH_DSS_SIG = 3,
	IKE_AUTH_ECDSA_256 = 9,
	IKE_AUTH_ECDSA_384 = 10,
	IKE_AUTH_ECDSA_521 = 11,
	IKE_AUTH_DIGITAL_SIGNATURE = 14, /* RFC 7427 */
};

/* RFC 7427 hash algorithms (SIGNATURE_HASH_ALGORITHMS, RFC 7427 4). */
enum ike_hash {
	IKE_HASH_SHA1 = 1,
	IKE_HASH_SHA2_256 = 2,
	IKE_HASH_SHA2_384 = 3,
	IKE_HASH_SHA2_512 = 4,
	IKE_HASH_IDENTITY = 5,
};

/* Notify message types (3.10.1): errors below 16384, status above. */
enum ike_notify {
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_IKE_SPI = 4,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_INVALID_MESSAGE_ID = 9,
	IKE_N_INVALID_SPI = 11,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_SINGLE_PAIR_REQUIRED = 34,
	IKE_N_NO_ADDITIONAL_SAS = 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKE_N_FAILED_CP_REQUIRED = 37,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_INVALID_SELECTORS = 39,
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	IKE_N_ERROR_MAX = 16383,

	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_SET_WINDOW_SIZE = 16385,
	IKE_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IKE_N_IPCOMP_SUPPORTED = 16387,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	IKE_N_REKEY_SA = 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IKE_N_MOBIKE_SUPPORTED = 16396,
	IKE_N_ADDITIONAL_IP4_ADDRESS = 16397,
	IKE_N_ADDITIONAL_IP6_ADDRESS = 16398,
	IKE_N_NO_ADDITIONAL_ADDRESSES = 16399,
	IKE_N_UPDATE_SA_ADDRESSES = 16400,
	IKE_N_COOKIE2 = 16401,
	IKE_N_NO_NATS_ALLOWED = 16402,
	IKE_N_AUTH_LIFETIME = 16403,
	IKE_N_MULTIPLE_AUTH_SUPPORTED = 16404,
	IKE_N_ANOTHER_AUTH_FOLLOWS = 16405,
	IKE_N_REDIRECT_SUPPORTED = 16406,
	IKE_N_REDIRECT = 16407,
	IKE_N_REDIRECTED_FROM = 16408,
	IKE_N_EAP_ONLY_AUTHENTICATION = 16417,
	IKE_N_CHILDLESS_IKEV2_SUPPORTED = 16418,       /* RFC 6023 */
	IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED = 16420, /* RFC 6311 */
	IKE_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,   /* RFC 7383 */
	IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,       /* RFC 7427 */
};

/* Traffic selector types (3.13.1). */
enum ike_ts_type {
	IKE_TS_IPV4_ADDR_RANGE = 7,
	IKE_TS_IPV6_ADDR_RANGE = 8,
};

/* Configuration payload types and attributes (3.15). */
enum ike_cfg_type {
	IKE_CFG_REQUEST = 1,
	IKE_CFG_REPLY = 2,
	IKE_CFG_SET = 3,
	IKE_CFG_ACK = 4,
};

enum ike_cfg_attr {
	IKE_CFG_INTERNAL_IP4_ADDRESS = 1,
	IKE_CFG_INTERNAL_IP4_NETMASK = 2,
	IKE_CFG_INTERNAL_IP4_DNS = 3,
	IKE_CFG_INTERNAL_IP4_NBNS = 4,
	IKE_CFG_INTERNAL_IP4_DHCP = 6,
	IKE_CFG_APPLICATION_VERSION = 7,
	IKE_CFG_INTERNAL_IP6_ADDRESS = 8,
	IKE_CFG_INTERNAL_IP6_DNS = 10,
	IKE_CFG_INTERNAL_IP6_DHCP = 12,
	IKE_CFG_INTERNAL_IP4_SUBNET = 13,
	IKE_CFG_SUPPORTED_ATTRIBUTES = 14,
	IKE_CFG_INTERNAL_IP6_SUBNET = 15,
	IKE_CFG_INTERNAL_DNS_DOMAIN = 25, /* RFC 8598 */
};

/* EAP (RFC 3748) codes and the method types p2s uses. */
enum eap_code {
	EAP_CODE_REQUEST = 1,
	EAP_CODE_RESPONSE = 2,
	EAP_CODE_SUCCESS = 3,
	EAP_CODE_FAILURE = 4,
};

enum eap_type {
	EAP_TYPE_IDENTITY = 1,
	EAP_TYPE_NOTIFICATION = 2,
	EAP_TYPE_NAK = 3,
	EAP_TYPE_TLS = 13,
};

#endif /* P2S_IKE_H */
