/* SPDX-License-Identifier: ISC */
/*
 * ike_samples.c: the sample messages of ike_samples.h, written with the
 * codec's own builders.  Key exchange values, nonces, certificates and
 * signatures are filler bytes of the right sizes (no crypto here); SPIs,
 * addresses, identities and vendor IDs are the ones of the testbed and of
 * Azure's documented messages.
 */
#include <string.h>

#include "ike_samples.h"

#define ECP384_LEN   96	 /* bytes of an ECP_384 public value (x | y) */
#define MODP2048_LEN 256 /* bytes of a MODP_2048 public value */
#define NONCE_LEN    32
#define SIG_LEN	     256 /* bytes: RSA 2048 */
#define CERT_LEN     906
#define MSK_AUTH_LEN 48 /* bytes: PRF_HMAC_SHA2_384 output */

typedef void (*inner_fn)(struct ike_pld_wr *);

static const uint8_t spi_i[IKE_SPI_LEN] = { 0x6a, 0x1f, 0x93, 0x0c, 0x55, 0xe2,
	0x71, 0x08 };
static const uint8_t spi_r[IKE_SPI_LEN] = { 0xc4, 0x27, 0x8d, 0x3e, 0x19, 0xb0,
	0x6f, 0xa5 };

/* Filler: distinct, reproducible, never all zero. */
static const uint8_t *
filler(size_t n, uint32_t seed)
{
	static uint8_t pool[8][2048];
	static size_t next;
	uint8_t *p = pool[next++ % 8];

	for (size_t i = 0; i < n && i < sizeof(pool[0]); i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
	return p;
}

static struct rd
fill(size_t n, uint32_t seed)
{
	return rd_make(filler(n, seed), n);
}

static struct rd
str(const char *s)
{
	return rd_make(s, strlen(s));
}

/*
 * Header of a message in an exchange p2s (the initiator) started, or, for
 * peer_started, one the gateway started.
 */
static struct ike_hdr
hdr(uint8_t exchange, bool response, uint32_t msgid, bool peer_started)
{
	struct ike_hdr h = { .exchange = exchange, .msgid = msgid };
	bool from_us = peer_started ? response : !response;

	memcpy(h.spi_i, spi_i, IKE_SPI_LEN);
	if (exchange != IKE_SA_INIT || response)
		memcpy(h.spi_r, spi_r, IKE_SPI_LEN);
	h.flags = (from_us ? IKE_FLAG_INITIATOR : 0) |
	    (response ? IKE_FLAG_RESPONSE : 0);
	return h;
}

static size_t
finish(struct ike_pld_wr *pw)
{
	struct rd out;

	return ike_pld_wr_finish(pw, &out) == 0 ? rd_left(&out) : 0;
}

/* HDR, SK{inner}, with the inner chain left in plaintext. */
static size_t
encrypted(uint8_t *buf, size_t cap, const struct ike_hdr *h, inner_fn fn)
{
	uint8_t in[IKE_SAMPLE_MAX_LEN];
	struct ike_pld_wr iw, pw;
	struct ike_sk_layout l;
	struct rd inner;

	ike_pld_wr_init_chain(&iw, in, sizeof(in));
	fn(&iw);
	if (ike_pld_wr_finish(&iw, &inner) < 0)
		return 0;
	ike_pld_wr_init_msg(&pw, buf, cap, h);
	ike_pld_build_sk(&pw, iw.first, 0, 0, &l);
	if (pw.err != 0)
		return 0;
	wr_rd(&pw.w, &inner);
	wr_patch_u16(&pw.w, l.sk_off + 2, (uint16_t)(pw.w.len - l.sk_off));
	return finish(&pw);
}

/* ---- Payload helpers ---- */

static void
notify(struct ike_pld_wr *pw, uint16_t type, struct rd data)
{
	struct ike_pld_notify n = { .type = type, .data = data };

	ike_pld_build_notify(pw, &n);
}

static void
notify_u16(struct ike_pld_wr *pw, uint16_t type, uint16_t v)
{
	static uint8_t b[2];

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
	notify(pw, type, rd_make(b, 2));
}

static void
vendor(struct ike_pld_wr *pw, struct rd id)
{
	struct ike_pld_vendor v = { .id = id };

	ike_pld_build_vendor(pw, &v);
}

static void
nonce(struct ike_pld_wr *pw, size_t len, uint32_t seed)
{
	struct ike_pld_nonce n = { .data = fill(len, seed) };

	ike_pld_build_nonce(pw, &n);
}

static void
ke(struct ike_pld_wr *pw, uint16_t group, size_t len, uint32_t seed)
{
	struct ike_pld_ke k = { .group = group, .data = fill(len, seed) };

	ike_pld_build_ke(pw, &k);
}

static void
id_fqdn(struct ike_pld_wr *pw, uint8_t pld_type, const char *name)
{
	struct ike_pld_id id = { .type = IKE_ID_FQDN, .data = str(name) };

	ike_pld_build_id(pw, pld_type, &id);
}

static void
certreq(struct ike_pld_wr *pw, size_t n_cas)
{
	struct ike_pld_certreq c = { .enc = IKE_CERT_X509_SIGN,
		.cas = fill(n_cas * IKE_CERTREQ_HASH_LEN, 7),
		.n_cas = n_cas };

	ike_pld_build_certreq(pw, &c);
}

static void
cert(struct ike_pld_wr *pw, uint32_t seed)
{
	uint8_t *der = (uint8_t *)filler(CERT_LEN, seed);
	struct ike_pld_cert c = { .enc = IKE_CERT_X509_SIGN,
		.data = rd_make(der, CERT_LEN) };

	/* A DER SEQUENCE of the right length, as a certificate starts. */
	der[0] = 0x30;
	der[1] = 0x82;
	der[2] = (uint8_t)((CERT_LEN - 4) >> 8);
	der[3] = (uint8_t)(CERT_LEN - 4);
	ike_pld_build_cert(pw, &c);
}

/* RFC 7427 AUTH with sha256WithRSAEncryption, as strongSwan signs. */
static void
auth_sig(struct ike_pld_wr *pw, uint32_t seed)
{
	static const uint8_t alg[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
		0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00 };
	uint8_t data[1 + sizeof(alg) + SIG_LEN];
	struct wr w = wr_make(data, sizeof(data));
	struct rd a = rd_make(alg, sizeof(alg)), s = fill(SIG_LEN, seed);
	struct ike_pld_auth auth = { .method = IKE_AUTH_DIGITAL_SIGNATURE };

	ike_pld_auth_sig_join(&w, &a, &s);
	auth.data = wr_view(&w, 0);
	ike_pld_build_auth(pw, &auth);
}

static void
auth_msk(struct ike_pld_wr *pw, uint32_t seed)
{
	struct ike_pld_auth auth = { .method = IKE_AUTH_SHARED_KEY_MIC,
		.data = fill(MSK_AUTH_LEN, seed) };

	ike_pld_build_auth(pw, &auth);
}

static void
eap(struct ike_pld_wr *pw, uint8_t code, uint8_t id, uint8_t type,
    struct rd data)
{
	struct ike_pld_eap e = {
		.code = code, .id = id, .type = type, .type_data = data
	};

	ike_pld_build_eap(pw, &e);
}

static struct ike_xform
xf(uint8_t type, uint16_t id, uint16_t key_bits)
{
	struct ike_xform x = { .type = type, .id = id, .key_bits = key_bits };

	return x;
}

static void
proposal(struct ike_proposal *p, uint8_t num, uint8_t proto, size_t spi_len,
    const struct ike_xform *x, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = proto;
	p->spi_len = (uint8_t)spi_len;
	memcpy(p->spi, spi_len == 4 ? spi_i + 4 : spi_r, spi_len);
	memcpy(p->xforms, x, n * sizeof(*x));
	p->n_xforms = n;
}

/* Azure's P2S IKE defaults (azure-p2s-facts.md 5.1), as one offer. */
static void
sa_ike_offer(struct ike_pld_wr *pw)
{
	static struct ike_pld_sa sa;
	const struct ike_xform gcm[] = {
		xf(IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 256),
		xf(IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_384, 0),
		xf(IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_256, 0),
		xf(IKE_XFORM_DH, IKE_DH_ECP_384, 0),
		xf(IKE_XFORM_DH, IKE_DH_ECP_256, 0),
	};
	const struct ike_xform cbc[] = {
		xf(IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 256),
		xf(IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0),
		xf(IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0),
		xf(IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_384, 0),
		xf(IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_256, 0),
		xf(IKE_XFORM_DH, IKE_DH_ECP_384, 0),
		xf(IKE_XFORM_DH, IKE_DH_MODP_2048, 0),
		xf(IKE_XFORM_DH, IKE_DH_MODP_2048_256, 0),
		xf(IKE_XFORM_DH, IKE_DH_MODP_1024, 0),
	};

	sa.n_props = 2;
	proposal(&sa.props[0], 1, IKE_PROTO_IKE, 0, gcm, ARRAY_SIZE(gcm));
	proposal(&sa.props[1], 2, IKE_PROTO_IKE, 0, cbc, ARRAY_SIZE(cbc));
	ike_pld_build_sa(pw, &sa);
}

/* The gateway's choice: proposal 2, one of each type. */
static void
sa_ike_chosen(struct ike_pld_wr *pw, uint16_t group, size_t spi_len)
{
	static struct ike_pld_sa sa;
	const struct ike_xform x[] = {
		xf(IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 256),
		xf(IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_256, 0),
		xf(IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0),
		xf(IKE_XFORM_DH, group, 0),
	};

	sa.n_props = 1;
	proposal(&sa.props[0], 2, IKE_PROTO_IKE, spi_len, x, ARRAY_SIZE(x));
	ike_pld_build_sa(pw, &sa);
}

static void
sa_esp(struct ike_pld_wr *pw, bool chosen, bool pfs)
{
	static struct ike_pld_sa sa;
	const struct ike_xform gcm[] = {
		xf(IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 256),
		xf(IKE_XFORM_DH, pfs ? IKE_DH_ECP_384 : IKE_DH_NONE, 0),
		xf(IKE_XFORM_ESN, IKE_ESN_NO, 0),
	};
	const struct ike_xform cbc[] = {
		xf(IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 256),
		xf(IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0),
		xf(IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA1_96, 0),
		xf(IKE_XFORM_ESN, IKE_ESN_NO, 0),
	};

	proposal(&sa.props[0], 1, IKE_PROTO_ESP, 4, gcm, ARRAY_SIZE(gcm));
	proposal(&sa.props[1], 2, IKE_PROTO_ESP, 4, cbc, ARRAY_SIZE(cbc));
	sa.n_props = chosen ? 1 : 2;
	ike_pld_build_sa(pw, &sa);
}

static struct ike_ts
ts4(uint32_t start, uint32_t end)
{
	struct ike_ts t = { .type = IKE_TS_IPV4_ADDR_RANGE, .end_port = 65535 };

	for (int i = 0; i < 4; i++) {
		t.start[i] = (uint8_t)(start >> (24 - 8 * i));
		t.end[i] = (uint8_t)(end >> (24 - 8 * i));
	}
	return t;
}

static struct ike_ts
ts6_any(void)
{
	struct ike_ts t = { .type = IKE_TS_IPV6_ADDR_RANGE, .end_port = 65535 };

	memset(t.end, 0xff, sizeof(t.end));
	return t;
}

static void
ts(struct ike_pld_wr *pw, uint8_t pld_type, struct ike_ts a, struct ike_ts b,
    size_t n)
{
	static struct ike_pld_ts t;

	t.n_ts = n;
	t.ts[0] = a;
	t.ts[1] = b;
	ike_pld_build_ts(pw, pld_type, &t);
}

static void
cp_request(struct ike_pld_wr *pw)
{
	static struct ike_pld_cp cp;

	cp.type = IKE_CFG_REQUEST;
	cp.n_attrs = 3;
	cp.attrs[0].type = IKE_CFG_INTERNAL_IP4_ADDRESS;
	cp.attrs[0].value = rd_make(NULL, 0);
	cp.attrs[1].type = IKE_CFG_INTERNAL_IP4_DNS;
	cp.attrs[1].value = rd_make(NULL, 0);
	cp.attrs[2].type = IKE_CFG_INTERNAL_IP6_ADDRESS;
	cp.attrs[2].value = rd_make(NULL, 0);
	ike_pld_build_cp(pw, &cp);
}

/* testbed.md 7.5: the virtual IP 172.16.201.1 and DNS 10.1.0.4. */
static void
cp_reply(struct ike_pld_wr *pw)
{
	static const uint8_t vip[] = { 172, 16, 201, 1 },
			     dns[] = { 10, 1, 0, 4 };
	static struct ike_pld_cp cp;

	cp.type = IKE_CFG_REPLY;
	cp.n_attrs = 2;
	cp.attrs[0].type = IKE_CFG_INTERNAL_IP4_ADDRESS;
	cp.attrs[0].value = rd_make(vip, sizeof(vip));
	cp.attrs[1].type = IKE_CFG_INTERNAL_IP4_DNS;
	cp.attrs[1].value = rd_make(dns, sizeof(dns));
	ike_pld_build_cp(pw, &cp);
}

#define GATEWAY_ID                                                             \
	"azuregateway-00000000-0000-0000-0000-000000000000-abcdef012345"       \
	".vpn.azure.com"
#define CLIENT_ID "P2SChildCert"

/* ---- IKE_SA_INIT ---- */

static void
init_req_body(struct ike_pld_wr *pw)
{
	static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4 };

	sa_ike_offer(pw);
	ke(pw, IKE_DH_ECP_384, ECP384_LEN, 1);
	nonce(pw, NONCE_LEN, 2);
	notify(pw, IKE_N_NAT_DETECTION_SOURCE_IP, fill(IKE_NATD_LEN, 3));
	notify(pw, IKE_N_NAT_DETECTION_DESTINATION_IP, fill(IKE_NATD_LEN, 4));
	notify(pw, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, rd_make(NULL, 0));
	notify(pw, IKE_N_SIGNATURE_HASH_ALGORITHMS,
	    rd_make(hashes, sizeof(hashes)));
	notify(pw, IKE_N_REDIRECT_SUPPORTED, rd_make(NULL, 0));
}

static size_t
init_req(uint8_t *buf, size_t cap)
{
	struct ike_hdr h = hdr(IKE_SA_INIT, false, 0, false);
	struct ike_pld_wr pw;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	init_req_body(&pw);
	return finish(&pw);
}

/* 2.6: the retry starts with the gateway's cookie. */
static size_t
init_req_cookie(uint8_t *buf, size_t cap)
{
	struct ike_hdr h = hdr(IKE_SA_INIT, false, 0, false);
	struct ike_pld_wr pw;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	notify(&pw, IKE_N_COOKIE, fill(32, 9));
	init_req_body(&pw);
	return finish(&pw);
}

/* strongSwan 5.9.8 as the gateway (testbed.md 7). */
static size_t
init_resp(uint8_t *buf, size_t cap)
{
	static const uint8_t hashes[] = { 0, 2, 0, 3, 0, 4, 0, 5 };
	struct ike_hdr h = hdr(IKE_SA_INIT, true, 0, false);
	struct ike_pld_wr pw;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	sa_ike_chosen(&pw, IKE_DH_ECP_384, 0);
	ke(&pw, IKE_DH_ECP_384, ECP384_LEN, 11);
	nonce(&pw, NONCE_LEN, 12);
	notify(&pw, IKE_N_NAT_DETECTION_SOURCE_IP, fill(IKE_NATD_LEN, 13));
	notify(&pw, IKE_N_NAT_DETECTION_DESTINATION_IP, fill(IKE_NATD_LEN, 14));
	notify(&pw, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, rd_make(NULL, 0));
	notify(&pw, IKE_N_SIGNATURE_HASH_ALGORITHMS,
	    rd_make(hashes, sizeof(hashes)));
	certreq(&pw, 1);
	notify(&pw, IKE_N_MULTIPLE_AUTH_SUPPORTED, rd_make(NULL, 0));
	return finish(&pw);
}

/*
 * Azure's IKE_SA_INIT response (azure-p2s-facts.md 5.1): [ SA KE No
 * N(FRAG_SUP) N(NATD_S_IP) N(NATD_D_IP) V V CERTREQ ], 517 bytes, with
 * the vendor IDs "MS NT5 ISAKMPOAKLEY" (version 9) and "MS-Negotiation
 * Discovery Capable" (their values are in MS-IKEE).  The transforms,
 * group and nonce length are a guess that adds up to 517 bytes.
 */
static size_t
init_resp_azure(uint8_t *buf, size_t cap)
{
	static const uint8_t ms_nt5[] = { 0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99,
		0x1c, 0x7d, 0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87, 0xe4, 0x61,
		0x00, 0x00, 0x00, 0x09 };
	static const uint8_t ms_nd[] = { 0xfb, 0x1d, 0xe3, 0xcd, 0xf3, 0x41,
		0xb7, 0xea, 0x16, 0xb7, 0xe5, 0xbe, 0x08, 0x55, 0xf1, 0x20 };
	struct ike_hdr h = hdr(IKE_SA_INIT, true, 0, false);
	struct ike_pld_wr pw;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	sa_ike_chosen(&pw, IKE_DH_MODP_2048, 0);
	ke(&pw, IKE_DH_MODP_2048, MODP2048_LEN, 21);
	nonce(&pw, 40, 22);
	notify(&pw, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, rd_make(NULL, 0));
	notify(&pw, IKE_N_NAT_DETECTION_SOURCE_IP, fill(IKE_NATD_LEN, 23));
	notify(&pw, IKE_N_NAT_DETECTION_DESTINATION_IP, fill(IKE_NATD_LEN, 24));
	vendor(&pw, rd_make(ms_nt5, sizeof(ms_nt5)));
	vendor(&pw, rd_make(ms_nd, sizeof(ms_nd)));
	certreq(&pw, 1);
	return finish(&pw);
}

/* azure-p2s-facts.md 5.1: Azure asks for its own group. */
static size_t
init_resp_invalid_ke(uint8_t *buf, size_t cap)
{
	struct ike_hdr h = hdr(IKE_SA_INIT, true, 0, false);
	struct ike_pld_wr pw;

	memset(h.spi_r, 0, IKE_SPI_LEN);
	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	notify_u16(&pw, IKE_N_INVALID_KE_PAYLOAD, IKE_DH_MODP_2048);
	return finish(&pw);
}

static size_t
init_resp_cookie(uint8_t *buf, size_t cap)
{
	struct ike_hdr h = hdr(IKE_SA_INIT, true, 0, false);
	struct ike_pld_wr pw;

	memset(h.spi_r, 0, IKE_SPI_LEN);
	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	notify(&pw, IKE_N_COOKIE, fill(32, 9));
	return finish(&pw);
}

static size_t
init_resp_no_proposal(uint8_t *buf, size_t cap)
{
	struct ike_hdr h = hdr(IKE_SA_INIT, true, 0, false);
	struct ike_pld_wr pw;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	notify(&pw, IKE_N_NO_PROPOSAL_CHOSEN, rd_make(NULL, 0));
	return finish(&pw);
}

/* ---- IKE_AUTH, inner chains ---- */

/* testbed.md 7.1 row 1, as the strongSwan client sends it. */
static void
auth_req_eap_inner(struct ike_pld_wr *pw)
{
	id_fqdn(pw, IKE_PLD_IDI, CLIENT_ID);
	notify(pw, IKE_N_INITIAL_CONTACT, rd_make(NULL, 0));
	certreq(pw, 1);
	id_fqdn(pw, IKE_PLD_IDR, GATEWAY_ID);
	cp_request(pw);
	sa_esp(pw, false, false);
	ts(pw, IKE_PLD_TSI, ts4(0, 0xffffffff), ts6_any(), 2);
	ts(pw, IKE_PLD_TSR, ts4(0, 0xffffffff), ts6_any(), 2);
	notify(pw, IKE_N_MOBIKE_SUPPORTED, rd_make(NULL, 0));
	notify(pw, IKE_N_NO_ADDITIONAL_ADDRESSES, rd_make(NULL, 0));
	notify(pw, IKE_N_MULTIPLE_AUTH_SUPPORTED, rd_make(NULL, 0));
	notify(pw, IKE_N_EAP_ONLY_AUTHENTICATION, rd_make(NULL, 0));
	notify(pw, IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED, rd_make(NULL, 0));
}

/* auth: pubkey (design.md): our certificate and signature. */
static void
auth_req_pubkey_inner(struct ike_pld_wr *pw)
{
	id_fqdn(pw, IKE_PLD_IDI, CLIENT_ID);
	cert(pw, 31);
	notify(pw, IKE_N_INITIAL_CONTACT, rd_make(NULL, 0));
	certreq(pw, 2);
	auth_sig(pw, 32);
	cp_request(pw);
	sa_esp(pw, false, false);
	ts(pw, IKE_PLD_TSI, ts4(0, 0xffffffff), ts6_any(), 1);
	ts(pw, IKE_PLD_TSR, ts4(0, 0xffffffff), ts6_any(), 1);
	notify(pw, IKE_N_MOBIKE_SUPPORTED, rd_make(NULL, 0));
}

static void
auth_resp_eap_start_inner(struct ike_pld_wr *pw)
{
	id_fqdn(pw, IKE_PLD_IDR, GATEWAY_ID);
	cert(pw, 41);
	auth_sig(pw, 42);
	eap(pw, EAP_CODE_REQUEST, 0x00, EAP_TYPE_IDENTITY, rd_make(NULL, 0));
}

static void
auth_req_eap_identity_inner(struct ike_pld_wr *pw)
{
	eap(pw, EAP_CODE_RESPONSE, 0x00, EAP_TYPE_IDENTITY, str(CLIENT_ID));
}

/* EAP-TLS Start (RFC 5216 3.1): the S flag and nothing else. */
static void
auth_resp_eap_tls_start_inner(struct ike_pld_wr *pw)
{
	static const uint8_t start[] = { 0x20 };

	eap(pw, EAP_CODE_REQUEST, 0xf8, EAP_TYPE_TLS,
	    rd_make(start, sizeof(start)));
}

/* A first EAP-TLS fragment: L and M flags, the 4-byte TLS length. */
static void
auth_req_eap_tls_inner(struct ike_pld_wr *pw)
{
	uint8_t *p = (uint8_t *)filler(1024 + 5, 51);

	p[0] = 0xc0;
	p[1] = 0x00;
	p[2] = 0x00;
	p[3] = 0x04;
	p[4] = 0x7c; /* 1148 bytes in all (testbed.md 7.1) */
	eap(pw, EAP_CODE_RESPONSE, 0xf9, EAP_TYPE_TLS, rd_make(p, 1024 + 5));
}

static void
auth_resp_eap_success_inner(struct ike_pld_wr *pw)
{
	eap(pw, EAP_CODE_SUCCESS, 0xfd, 0, rd_make(NULL, 0));
}

static void
auth_req_msk_inner(struct ike_pld_wr *pw)
{
	auth_msk(pw, 61);
}

/* testbed.md 7.1 row 8: AUTH CPRP(ADDR DNS) SA TSi TSr N(MOBIKE_SUP)... */
static void
auth_resp_eap_done_inner(struct ike_pld_wr *pw)
{
	static const uint8_t addr[] = { 192, 0, 2, 10 };

	auth_msk(pw, 71);
	cp_reply(pw);
	sa_esp(pw, true, false);
	ts(pw, IKE_PLD_TSI, ts4(0xac10c901, 0xac10c901), ts6_any(), 1);
	ts(pw, IKE_PLD_TSR, ts4(0x0a010000, 0x0a01ffff), ts6_any(), 1);
	notify(pw, IKE_N_MOBIKE_SUPPORTED, rd_make(NULL, 0));
	notify(pw, IKE_N_ADDITIONAL_IP4_ADDRESS, rd_make(addr, sizeof(addr)));
}

static void
auth_resp_pubkey_inner(struct ike_pld_wr *pw)
{
	id_fqdn(pw, IKE_PLD_IDR, GATEWAY_ID);
	cert(pw, 81);
	auth_sig(pw, 82);
	cp_reply(pw);
	sa_esp(pw, true, false);
	ts(pw, IKE_PLD_TSI, ts4(0xac10c901, 0xac10c901), ts6_any(), 1);
	ts(pw, IKE_PLD_TSR, ts4(0x0a010000, 0x0a01ffff),
	    ts4(0x0a020000, 0x0a02ffff), 2);
}

/* 1.2: the IKE SA is up, the CHILD_SA is refused. */
static void
auth_resp_nochild_inner(struct ike_pld_wr *pw)
{
	auth_msk(pw, 91);
	cp_reply(pw);
	notify(pw, IKE_N_TS_UNACCEPTABLE, rd_make(NULL, 0));
}

static void
auth_resp_failed_inner(struct ike_pld_wr *pw)
{
	notify(pw, IKE_N_AUTHENTICATION_FAILED, rd_make(NULL, 0));
}

#define ENCRYPTED_SAMPLE(fn, exchange, response, msgid, peer)                  \
	static size_t fn(uint8_t *buf, size_t cap)                             \
	{                                                                      \
		struct ike_hdr h = hdr(exchange, response, msgid, peer);       \
                                                                               \
		return encrypted(buf, cap, &h, fn##_inner);                    \
	}

ENCRYPTED_SAMPLE(auth_req_eap, IKE_AUTH, false, 1, false)
ENCRYPTED_SAMPLE(auth_req_pubkey, IKE_AUTH, false, 1, false)
ENCRYPTED_SAMPLE(auth_resp_eap_start, IKE_AUTH, true, 1, false)
ENCRYPTED_SAMPLE(auth_req_eap_identity, IKE_AUTH, false, 2, false)
ENCRYPTED_SAMPLE(auth_resp_eap_tls_start, IKE_AUTH, true, 2, false)
ENCRYPTED_SAMPLE(auth_req_eap_tls, IKE_AUTH, false, 3, false)
ENCRYPTED_SAMPLE(auth_resp_eap_success, IKE_AUTH, true, 7, false)
ENCRYPTED_SAMPLE(auth_req_msk, IKE_AUTH, false, 8, false)
ENCRYPTED_SAMPLE(auth_resp_eap_done, IKE_AUTH, true, 8, false)
ENCRYPTED_SAMPLE(auth_resp_pubkey, IKE_AUTH, true, 1, false)
ENCRYPTED_SAMPLE(auth_resp_nochild, IKE_AUTH, true, 8, false)
ENCRYPTED_SAMPLE(auth_resp_failed, IKE_AUTH, true, 1, false)

size_t
ike_sample_eap_start_inner(uint8_t *buf, size_t cap, uint8_t *ret_first)
{
	struct ike_pld_wr pw;
	struct rd out;

	ike_pld_wr_init_chain(&pw, buf, cap);
	auth_resp_eap_start_inner(&pw);
	if (ike_pld_wr_finish(&pw, &out) < 0)
		return 0;
	*ret_first = pw.first;
	return rd_left(&out);
}

/* Fragment num of 2 of the EAP start response (testbed.md 7.2). */
static size_t
auth_resp_frag(uint8_t *buf, size_t cap, uint16_t num)
{
	uint8_t in[IKE_SAMPLE_MAX_LEN], first;
	size_t len = ike_sample_eap_start_inner(in, sizeof(in), &first);
	size_t half = len / 2;
	struct ike_hdr h = hdr(IKE_AUTH, true, 1, false);
	struct rd part =
	    num == 1 ? rd_make(in, half) : rd_make(in + half, len - half);
	struct ike_pld_wr pw;
	struct ike_sk_layout l;

	ike_pld_wr_init_msg(&pw, buf, cap, &h);
	ike_pld_build_sk(&pw, first, num, 2, &l);
	if (len == 0 || pw.err != 0)
		return 0;
	wr_rd(&pw.w, &part);
	wr_patch_u16(&pw.w, l.sk_off + 2, (uint16_t)(pw.w.len - l.sk_off));
	return finish(&pw);
}

static size_t
auth_resp_frag1(uint8_t *buf, size_t cap)
{
	return auth_resp_frag(buf, cap, 1);
}

static size_t
auth_resp_frag2(uint8_t *buf, size_t cap)
{
	return auth_resp_frag(buf, cap, 2);
}

/* ---- CREATE_CHILD_SA ---- */

static void
child_req_rekey_inner(struct ike_pld_wr *pw)
{
	struct ike_pld_notify rekey = { .proto = IKE_PROTO_ESP,
		.type = IKE_N_REKEY_SA,
		.spi = rd_make(spi_i + 4, 4) };

	ike_pld_build_notify(pw, &rekey);
	sa_esp(pw, false, true);
	nonce(pw, NONCE_LEN, 101);
	ke(pw, IKE_DH_ECP_384, ECP384_LEN, 102);
	ts(pw, IKE_PLD_TSI, ts4(0xac10c901, 0xac10c901), ts6_any(), 1);
	ts(pw, IKE_PLD_TSR, ts4(0x0a010000, 0x0a01ffff), ts6_any(), 1);
}

static void
child_resp_rekey_inner(struct ike_pld_wr *pw)
{
	sa_esp(pw, true, true);
	nonce(pw, 48, 111);
	ke(pw, IKE_DH_ECP_384, ECP384_LEN, 112);
	ts(pw, IKE_PLD_TSI, ts4(0xac10c901, 0xac10c901), ts6_any(), 2);
	ts(pw, IKE_PLD_TSR, ts4(0x0a010000, 0x0a01ffff), ts6_any(), 2);
	notify(pw, IKE_N_ADDITIONAL_TS_POSSIBLE, rd_make(NULL, 0));
}

/* 1.3.2: a new IKE SA, its SPI in the proposal. */
static void
child_req_rekey_ike_inner(struct ike_pld_wr *pw)
{
	sa_ike_chosen(pw, IKE_DH_ECP_384, IKE_SPI_LEN);
	nonce(pw, NONCE_LEN, 121);
	ke(pw, IKE_DH_ECP_384, ECP384_LEN, 122);
}

static void
child_resp_error_inner(struct ike_pld_wr *pw)
{
	notify(pw, IKE_N_NO_ADDITIONAL_SAS, rd_make(NULL, 0));
}

ENCRYPTED_SAMPLE(child_req_rekey, IKE_CREATE_CHILD_SA, false, 9, false)
ENCRYPTED_SAMPLE(child_resp_rekey, IKE_CREATE_CHILD_SA, true, 9, false)
ENCRYPTED_SAMPLE(child_req_rekey_ike, IKE_CREATE_CHILD_SA, false, 10, false)
ENCRYPTED_SAMPLE(child_resp_error, IKE_CREATE_CHILD_SA, true, 10, false)

/* ---- INFORMATIONAL ---- */

static void
info_empty_inner(struct ike_pld_wr *pw)
{
	(void)pw; /* 1.4: an empty INFORMATIONAL is a liveness check */
}

static void
info_delete_child_inner(struct ike_pld_wr *pw)
{
	struct ike_pld_delete d = { .proto = IKE_PROTO_ESP,
		.n_spis = 2,
		.spis = { 0xc9301e19, 0x0b03360d } };

	ike_pld_build_delete(pw, &d);
}

static void
info_delete_ike_inner(struct ike_pld_wr *pw)
{
	struct ike_pld_delete d = { .proto = IKE_PROTO_IKE };

	ike_pld_build_delete(pw, &d);
}

/* RFC 4555 3.5: the address update after a network change. */
static void
info_mobike_inner(struct ike_pld_wr *pw)
{
	notify(pw, IKE_N_UPDATE_SA_ADDRESSES, rd_make(NULL, 0));
	notify(pw, IKE_N_NAT_DETECTION_SOURCE_IP, fill(IKE_NATD_LEN, 131));
	notify(pw, IKE_N_NAT_DETECTION_DESTINATION_IP, fill(IKE_NATD_LEN, 132));
	notify(pw, IKE_N_COOKIE2, fill(16, 133));
}

/* The same bodies in other messages. */
#define info_req_empty_inner	     info_empty_inner
#define info_resp_empty_inner	     info_empty_inner
#define info_peer_delete_child_inner info_delete_child_inner
ENCRYPTED_SAMPLE(info_req_empty, IKE_INFORMATIONAL, false, 11, false)
ENCRYPTED_SAMPLE(info_resp_empty, IKE_INFORMATIONAL, true, 11, false)
ENCRYPTED_SAMPLE(info_delete_child, IKE_INFORMATIONAL, false, 12, false)
ENCRYPTED_SAMPLE(info_peer_delete_child, IKE_INFORMATIONAL, false, 0, true)
ENCRYPTED_SAMPLE(info_delete_ike, IKE_INFORMATIONAL, false, 13, false)
ENCRYPTED_SAMPLE(info_mobike, IKE_INFORMATIONAL, false, 14, false)

const struct ike_sample ike_samples[] = {
	{ "init-req", IKE_SA_INIT, false, IKE_SHAPE_INIT_REQ, IKE_SHAPE_NONE,
	    init_req },
	{ "init-req-cookie", IKE_SA_INIT, false, IKE_SHAPE_INIT_REQ,
	    IKE_SHAPE_NONE, init_req_cookie },
	{ "init-resp", IKE_SA_INIT, true, IKE_SHAPE_INIT_RESP, IKE_SHAPE_NONE,
	    init_resp },
	{ "init-resp-azure", IKE_SA_INIT, true, IKE_SHAPE_INIT_RESP,
	    IKE_SHAPE_NONE, init_resp_azure },
	{ "init-resp-invalid-ke", IKE_SA_INIT, true, IKE_SHAPE_INIT_RESP_N,
	    IKE_SHAPE_NONE, init_resp_invalid_ke },
	{ "init-resp-cookie", IKE_SA_INIT, true, IKE_SHAPE_INIT_RESP_N,
	    IKE_SHAPE_NONE, init_resp_cookie },
	{ "init-resp-no-proposal", IKE_SA_INIT, true, IKE_SHAPE_INIT_RESP_N,
	    IKE_SHAPE_NONE, init_resp_no_proposal },
	{ "auth-req-eap", IKE_AUTH, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_REQ, auth_req_eap },
	{ "auth-req-pubkey", IKE_AUTH, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_REQ, auth_req_pubkey },
	{ "auth-resp-eap-start", IKE_AUTH, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_RESP_EAP_START, auth_resp_eap_start },
	{ "auth-resp-frag1", IKE_AUTH, true, IKE_SHAPE_FRAGMENT, IKE_SHAPE_NONE,
	    auth_resp_frag1 },
	{ "auth-resp-frag2", IKE_AUTH, true, IKE_SHAPE_FRAGMENT, IKE_SHAPE_NONE,
	    auth_resp_frag2 },
	{ "auth-req-eap-identity", IKE_AUTH, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_REQ_EAP, auth_req_eap_identity },
	{ "auth-resp-eap-tls-start", IKE_AUTH, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_RESP_EAP, auth_resp_eap_tls_start },
	{ "auth-req-eap-tls", IKE_AUTH, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_REQ_EAP, auth_req_eap_tls },
	{ "auth-resp-eap-success", IKE_AUTH, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_RESP_EAP, auth_resp_eap_success },
	{ "auth-req-msk", IKE_AUTH, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_REQ_MSK, auth_req_msk },
	{ "auth-resp-eap-done", IKE_AUTH, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_RESP_EAP_DONE, auth_resp_eap_done },
	{ "auth-resp-pubkey", IKE_AUTH, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_RESP_DONE, auth_resp_pubkey },
	{ "auth-resp-nochild", IKE_AUTH, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_RESP_EAP_NOCHILD, auth_resp_nochild },
	{ "auth-resp-failed", IKE_AUTH, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_AUTH_RESP_ERROR, auth_resp_failed },
	{ "child-req-rekey", IKE_CREATE_CHILD_SA, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_CHILD_SA, child_req_rekey },
	{ "child-resp-rekey", IKE_CREATE_CHILD_SA, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_CHILD_SA, child_resp_rekey },
	{ "child-req-rekey-ike", IKE_CREATE_CHILD_SA, false,
	    IKE_SHAPE_ENCRYPTED, IKE_SHAPE_CHILD_REKEY_IKE,
	    child_req_rekey_ike },
	{ "child-resp-error", IKE_CREATE_CHILD_SA, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_CHILD_ERROR, child_resp_error },
	{ "info-req-empty", IKE_INFORMATIONAL, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_INFO, info_req_empty },
	{ "info-resp-empty", IKE_INFORMATIONAL, true, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_INFO, info_resp_empty },
	{ "info-delete-child", IKE_INFORMATIONAL, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_INFO, info_delete_child },
	{ "info-peer-delete-child", IKE_INFORMATIONAL, false,
	    IKE_SHAPE_ENCRYPTED, IKE_SHAPE_INFO, info_peer_delete_child },
	{ "info-delete-ike", IKE_INFORMATIONAL, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_INFO, info_delete_ike },
	{ "info-mobike", IKE_INFORMATIONAL, false, IKE_SHAPE_ENCRYPTED,
	    IKE_SHAPE_INFO, info_mobike },
};

const size_t ike_n_samples = ARRAY_SIZE(ike_samples);
