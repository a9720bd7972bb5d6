/* SPDX-License-Identifier: ISC */
/*
 * ike_pld_body.c: typed parse and build of the IKEv2 payload bodies other
 * than SA (RFC 7296 3.4-3.16; RFC 7427 3 for the signature AUTH data).
 * Each payload has one check function that both its parser (after reading)
 * and its builder (before writing) run, so a builder can never emit what
 * the parser would refuse.
 */
#include <errno.h>
#include <string.h>

#include "ike_pld.h"
#include "ike_pld_impl.h"
#include "log.h"

#define IPV4_LEN      4
#define IPV6_LEN      16
#define IPV6_NET_LEN  17 /* address and prefix length (3.15.1) */
#define IPV4_NET_LEN  8	 /* address and netmask */
#define RESERVED3     3	 /* bytes of RESERVED after a 1-byte type */
#define DER_SEQUENCE  0x30
#define DER_LEN_1BYTE 0x81 /* long form: one length byte follows */

/* ---- KE (3.4) ---- */

static int
ke_check(const struct ike_pld_ke *ke)
{
	return rd_left(&ke->data) >= 1 ? 0 : -EBADMSG;
}

int
ike_pld_parse_ke(const struct rd *body, struct ike_pld_ke *ret_ke)
{
	struct ike_pld_ke ke;
	struct rd r = *body;
	uint16_t reserved;
	int e;

	if (!rd_u16(&r, &ke.group) || !rd_u16(&r, &reserved))
		return -EBADMSG;
	ke.data = r;
	if ((e = ke_check(&ke)) < 0)
		return e;
	*ret_ke = ke;
	return 0;
}

void
ike_pld_build_ke(struct ike_pld_wr *pw, const struct ike_pld_ke *ke)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_KE, ke_check(ke), &at))
		return;
	wr_u16(&pw->w, ke->group);
	wr_u16(&pw->w, 0);
	wr_rd(&pw->w, &ke->data);
	ike_pld_wr_close(pw, at);
}

/* ---- ID (3.5) ---- */

static int
id_check(const struct ike_pld_id *id)
{
	size_t len = rd_left(&id->data);

	if (len < 1)
		return -EBADMSG;
	if ((id->type == IKE_ID_IPV4_ADDR && len != IPV4_LEN) ||
	    (id->type == IKE_ID_IPV6_ADDR && len != IPV6_LEN)) {
		log_debug("ID type %u with %zu bytes", id->type, len);
		return -EBADMSG;
	}
	return 0;
}

int
ike_pld_parse_id(const struct rd *body, struct ike_pld_id *ret_id)
{
	struct ike_pld_id id = { .raw = *body };
	struct rd r = *body;
	int e;

	if (!rd_u8(&r, &id.type) || !rd_skip(&r, RESERVED3))
		return -EBADMSG;
	id.data = r;
	if ((e = id_check(&id)) < 0)
		return e;
	*ret_id = id;
	return 0;
}

void
ike_pld_write_id_body(struct wr *w, const struct ike_pld_id *id)
{
	wr_u8(w, id->type);
	wr_zero(w, RESERVED3);
	wr_rd(w, &id->data);
}

void
ike_pld_build_id(
    struct ike_pld_wr *pw, uint8_t pld_type, const struct ike_pld_id *id)
{
	int check = id_check(id);
	size_t at;

	if (pld_type != IKE_PLD_IDI && pld_type != IKE_PLD_IDR)
		check = -EINVAL;
	if (!ike_pld_wr_open(pw, pld_type, check, &at))
		return;
	ike_pld_write_id_body(&pw->w, id);
	ike_pld_wr_close(pw, at);
}

/* ---- CERT (3.6) and CERTREQ (3.7) ---- */

static int
cert_check(const struct ike_pld_cert *cert)
{
	if (rd_left(&cert->data) < 1)
		return -EBADMSG;
	if (rd_left(&cert->data) > CERT_MAX_LEN) {
		log_debug("certificate %zu > %d bytes", rd_left(&cert->data),
		    CERT_MAX_LEN);
		return -E2BIG;
	}
	return 0;
}

int
ike_pld_parse_cert(const struct rd *body, struct ike_pld_cert *ret)
{
	struct ike_pld_cert cert;
	struct rd r = *body;
	int e;

	if (!rd_u8(&r, &cert.enc))
		return -EBADMSG;
	cert.data = r;
	if ((e = cert_check(&cert)) < 0)
		return e;
	*ret = cert;
	return 0;
}

void
ike_pld_build_cert(struct ike_pld_wr *pw, const struct ike_pld_cert *cert)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_CERT, cert_check(cert), &at))
		return;
	wr_u8(&pw->w, cert->enc);
	wr_rd(&pw->w, &cert->data);
	ike_pld_wr_close(pw, at);
}

static int
certreq_check(const struct ike_pld_certreq *req)
{
	size_t len = rd_left(&req->cas);

	if (req->enc != IKE_CERT_X509_SIGN)
		return req->n_cas == 0 ? 0 : -EBADMSG;
	if (len % IKE_CERTREQ_HASH_LEN != 0 ||
	    len / IKE_CERTREQ_HASH_LEN != req->n_cas) {
		log_debug("CERTREQ of %zu bytes is not SHA-1 hashes", len);
		return -EBADMSG;
	}
	return 0;
}

int
ike_pld_parse_certreq(const struct rd *body, struct ike_pld_certreq *ret)
{
	struct ike_pld_certreq req;
	struct rd r = *body;
	int e;

	if (!rd_u8(&r, &req.enc))
		return -EBADMSG;
	req.cas = r;
	req.n_cas = req.enc == IKE_CERT_X509_SIGN
	    ? rd_left(&r) / IKE_CERTREQ_HASH_LEN
	    : 0;
	if ((e = certreq_check(&req)) < 0)
		return e;
	*ret = req;
	return 0;
}

void
ike_pld_build_certreq(struct ike_pld_wr *pw, const struct ike_pld_certreq *req)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_CERTREQ, certreq_check(req), &at))
		return;
	wr_u8(&pw->w, req->enc);
	wr_rd(&pw->w, &req->cas);
	ike_pld_wr_close(pw, at);
}

/* ---- AUTH (3.8, RFC 7427 3) ---- */

static int
auth_check(const struct ike_pld_auth *auth)
{
	return rd_left(&auth->data) >= 1 ? 0 : -EBADMSG;
}

int
ike_pld_parse_auth(const struct rd *body, struct ike_pld_auth *ret)
{
	struct ike_pld_auth auth;
	struct rd r = *body;
	int e;

	if (!rd_u8(&r, &auth.method) || !rd_skip(&r, RESERVED3))
		return -EBADMSG;
	auth.data = r;
	if ((e = auth_check(&auth)) < 0)
		return e;
	*ret = auth;
	return 0;
}

void
ike_pld_build_auth(struct ike_pld_wr *pw, const struct ike_pld_auth *auth)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_AUTH, auth_check(auth), &at))
		return;
	wr_u8(&pw->w, auth->method);
	wr_zero(&pw->w, RESERVED3);
	wr_rd(&pw->w, &auth->data);
	ike_pld_wr_close(pw, at);
}

/*
 * The AlgorithmIdentifier must be one DER SEQUENCE filling exactly its
 * announced length: short form, or the one-byte long form (DER requires
 * the short form below 128).  Anything longer would not fit in 255 bytes.
 */
static bool
der_sequence_ok(const struct rd *alg)
{
	struct rd r = *alg;
	uint8_t tag, len, len2;

	if (!rd_u8(&r, &tag) || !rd_u8(&r, &len) || tag != DER_SEQUENCE)
		return false;
	if (len < 0x80)
		return len == rd_left(&r);
	if (len != DER_LEN_1BYTE || !rd_u8(&r, &len2))
		return false;
	return len2 >= 0x80 && len2 == rd_left(&r);
}

int
ike_pld_auth_sig_split(
    const struct rd *data, struct rd *ret_alg, struct rd *ret_sig)
{
	struct rd r = *data, alg;
	uint8_t alg_len;

	if (!rd_u8(&r, &alg_len) || !rd_sub(&r, alg_len, &alg) ||
	    !der_sequence_ok(&alg) || rd_left(&r) < 1) {
		log_debug("malformed RFC 7427 signature data");
		return -EBADMSG;
	}
	*ret_alg = alg;
	*ret_sig = r;
	return 0;
}

void
ike_pld_auth_sig_join(struct wr *w, const struct rd *alg, const struct rd *sig)
{
	if (!der_sequence_ok(alg) || rd_left(alg) > UINT8_MAX ||
	    rd_left(sig) < 1) {
		w->err = true;
		return;
	}
	wr_u8(w, (uint8_t)rd_left(alg));
	wr_rd(w, alg);
	wr_rd(w, sig);
}

/* ---- Nonce (3.9) ---- */

static int
nonce_check(const struct ike_pld_nonce *nonce)
{
	size_t len = rd_left(&nonce->data);

	if (len < IKE_NONCE_MIN_LEN || len > IKE_NONCE_MAX_LEN) {
		log_debug("nonce of %zu bytes", len);
		return -EBADMSG;
	}
	return 0;
}

int
ike_pld_parse_nonce(const struct rd *body, struct ike_pld_nonce *ret)
{
	struct ike_pld_nonce nonce = { .data = *body };
	int e;

	if ((e = nonce_check(&nonce)) < 0)
		return e;
	*ret = nonce;
	return 0;
}

void
ike_pld_build_nonce(struct ike_pld_wr *pw, const struct ike_pld_nonce *nonce)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_NONCE, nonce_check(nonce), &at))
		return;
	wr_rd(&pw->w, &nonce->data);
	ike_pld_wr_close(pw, at);
}

/* ---- Notify (3.10) ---- */

/* The SPI size names the protocol: 4 for ESP/AH, 8 for IKE (3.10). */
static int
notify_check(const struct ike_pld_notify *n)
{
	size_t spi_len = rd_left(&n->spi);

	if (spi_len == 0)
		return 0;
	if (spi_len == 4 &&
	    (n->proto == IKE_PROTO_ESP || n->proto == IKE_PROTO_AH))
		return 0;
	if (spi_len == IKE_SPI_LEN && n->proto == IKE_PROTO_IKE)
		return 0;
	log_debug("notify %u: protocol %u with a %zu-byte SPI", n->type,
	    n->proto, spi_len);
	return -EBADMSG;
}

int
ike_pld_parse_notify(const struct rd *body, struct ike_pld_notify *ret)
{
	struct ike_pld_notify n;
	struct rd r = *body;
	uint8_t spi_len;
	int e;

	if (!rd_u8(&r, &n.proto) || !rd_u8(&r, &spi_len) ||
	    !rd_u16(&r, &n.type) || !rd_sub(&r, spi_len, &n.spi))
		return -EBADMSG;
	n.data = r;
	if ((e = notify_check(&n)) < 0)
		return e;
	if (spi_len == 0)
		n.proto = IKE_PROTO_NONE; /* 3.10: ignored on receipt */
	*ret = n;
	return 0;
}

void
ike_pld_build_notify(struct ike_pld_wr *pw, const struct ike_pld_notify *n)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_NOTIFY, notify_check(n), &at))
		return;
	/* 3.10: the protocol "MUST be sent as zero" without an SPI. */
	wr_u8(&pw->w, rd_left(&n->spi) > 0 ? n->proto : IKE_PROTO_NONE);
	wr_u8(&pw->w, (uint8_t)rd_left(&n->spi));
	wr_u16(&pw->w, n->type);
	wr_rd(&pw->w, &n->spi);
	wr_rd(&pw->w, &n->data);
	ike_pld_wr_close(pw, at);
}

int
ike_pld_find_notify(const struct ike_pld_ref *refs, size_t n, uint16_t type,
    struct ike_pld_notify *ret)
{
	for (size_t i = 0; i < n; i++) {
		struct rd r = refs[i].body;
		uint16_t t;

		if (refs[i].type != IKE_PLD_NOTIFY || !rd_skip(&r, 2) ||
		    !rd_u16(&r, &t) || t != type)
			continue;
		return ike_pld_parse_notify(&refs[i].body, ret);
	}
	return -ENOENT;
}

int
ike_pld_notify_group(const struct ike_pld_notify *n, uint16_t *ret_group)
{
	struct rd r = n->data;
	uint16_t group;

	if (rd_left(&r) != 2 || !rd_u16(&r, &group))
		return -EBADMSG;
	*ret_group = group;
	return 0;
}

int
ike_pld_notify_cookie(const struct ike_pld_notify *n, struct rd *ret)
{
	if (rd_left(&n->data) < 1 || rd_left(&n->data) > IKE_COOKIE_MAX_LEN)
		return -EBADMSG;
	*ret = n->data;
	return 0;
}

int
ike_pld_notify_natd(const struct ike_pld_notify *n, struct rd *ret)
{
	if (rd_left(&n->data) != IKE_NATD_LEN)
		return -EBADMSG;
	*ret = n->data;
	return 0;
}

int
ike_pld_notify_spi32(const struct ike_pld_notify *n, uint32_t *ret_spi)
{
	struct rd r = n->spi;
	uint32_t spi;

	if (rd_left(&r) != 4 || !rd_u32(&r, &spi))
		return -EBADMSG;
	*ret_spi = spi;
	return 0;
}

int
ike_pld_notify_hashes(const struct ike_pld_notify *n, uint32_t *ret_mask)
{
	struct rd r = n->data;
	uint32_t mask = 0;
	uint16_t h;

	if (rd_left(&r) % 2 != 0)
		return -EBADMSG;
	while (rd_u16(&r, &h))
		if (h < 32)
			mask |= UINT32_C(1) << h;
	*ret_mask = mask;
	return 0;
}

/* ---- Delete (3.11) ---- */

static int
delete_check(const struct ike_pld_delete *d)
{
	if (d->proto == IKE_PROTO_IKE)
		return d->n_spis == 0 ? 0 : -EBADMSG;
	if (d->proto != IKE_PROTO_ESP && d->proto != IKE_PROTO_AH)
		return -EBADMSG;
	return d->n_spis <= IKE_MAX_DELETE_SPIS ? 0 : -E2BIG;
}

static int
delete_spis(struct rd *r, uint8_t spi_len, uint16_t n, struct ike_pld_delete *d)
{
	if (d->proto == IKE_PROTO_IKE)
		return spi_len == 0 && n == 0 ? 0 : -EBADMSG;
	if (spi_len != 4)
		return -EBADMSG;
	if (n > IKE_MAX_DELETE_SPIS) {
		log_debug("Delete with %u SPIs", n);
		return -E2BIG;
	}
	if (rd_left(r) != (size_t)n * 4)
		return -EBADMSG;
	for (d->n_spis = 0; d->n_spis < n; d->n_spis++)
		if (!rd_u32(r, &d->spis[d->n_spis]))
			return -EBADMSG;
	return 0;
}

int
ike_pld_parse_delete(const struct rd *body, struct ike_pld_delete *ret)
{
	struct ike_pld_delete d = { .n_spis = 0 };
	struct rd r = *body;
	uint8_t spi_len;
	uint16_t n;
	int e;

	if (!rd_u8(&r, &d.proto) || !rd_u8(&r, &spi_len) || !rd_u16(&r, &n))
		return -EBADMSG;
	if (d.proto != IKE_PROTO_IKE && d.proto != IKE_PROTO_ESP &&
	    d.proto != IKE_PROTO_AH)
		return -EBADMSG;
	if ((e = delete_spis(&r, spi_len, n, &d)) < 0)
		return e;
	if (rd_left(&r) != 0)
		return -EBADMSG;
	*ret = d;
	return 0;
}

void
ike_pld_build_delete(struct ike_pld_wr *pw, const struct ike_pld_delete *d)
{
	bool ike = d->proto == IKE_PROTO_IKE;
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_DELETE, delete_check(d), &at))
		return;
	wr_u8(&pw->w, d->proto);
	wr_u8(&pw->w, ike ? 0 : 4);
	wr_u16(&pw->w, (uint16_t)d->n_spis);
	for (size_t i = 0; i < d->n_spis; i++)
		wr_u32(&pw->w, d->spis[i]);
	ike_pld_wr_close(pw, at);
}

/* ---- Vendor ID (3.12) ---- */

static int
vendor_check(const struct ike_pld_vendor *v)
{
	return rd_left(&v->id) >= 1 ? 0 : -EBADMSG;
}

int
ike_pld_parse_vendor(const struct rd *body, struct ike_pld_vendor *ret)
{
	struct ike_pld_vendor v = { .id = *body };
	int e;

	if ((e = vendor_check(&v)) < 0)
		return e;
	*ret = v;
	return 0;
}

void
ike_pld_build_vendor(struct ike_pld_wr *pw, const struct ike_pld_vendor *v)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_VENDOR, vendor_check(v), &at))
		return;
	wr_rd(&pw->w, &v->id);
	ike_pld_wr_close(pw, at);
}

/* ---- TSi/TSr (3.13) ---- */

/* Selector length for a type, or 0 for a type p2s does not speak. */
static size_t
ts_sel_len(uint8_t type)
{
	switch (type) {
	case IKE_TS_IPV4_ADDR_RANGE:
		return IKE_TS_IPV4_LEN;
	case IKE_TS_IPV6_ADDR_RANGE:
		return IKE_TS_IPV6_LEN;
	default:
		return 0;
	}
}

static size_t
ts_addr_len(uint8_t type)
{
	return type == IKE_TS_IPV4_ADDR_RANGE ? IPV4_LEN : IPV6_LEN;
}

static int
ts_check(const struct ike_pld_ts *ts)
{
	if (ts->n_ts < 1)
		return -EBADMSG;
	if (ts->n_ts > IKE_MAX_TS)
		return -E2BIG;
	for (size_t i = 0; i < ts->n_ts; i++)
		if (ts_sel_len(ts->ts[i].type) == 0)
			return -EOPNOTSUPP;
	return 0;
}

static int
ts_parse_one(struct rd *r, struct ike_ts *ret)
{
	struct ike_ts ts = { .type = 0 };
	struct rd sel;
	uint16_t sel_len;

	if (!rd_u8(r, &ts.type) || !rd_u8(r, &ts.ip_proto) ||
	    !rd_u16(r, &sel_len))
		return -EBADMSG;
	if (ts_sel_len(ts.type) == 0) {
		log_debug("traffic selector type %u", ts.type);
		return -EOPNOTSUPP;
	}
	if (sel_len != ts_sel_len(ts.type) || !rd_sub(r, sel_len - 4, &sel)) {
		log_debug("TS type %u, selector length %u", ts.type, sel_len);
		return -EBADMSG;
	}
	if (!rd_u16(&sel, &ts.start_port) || !rd_u16(&sel, &ts.end_port) ||
	    !rd_copy(&sel, ts.start, ts_addr_len(ts.type)) ||
	    !rd_copy(&sel, ts.end, ts_addr_len(ts.type)))
		return -EBADMSG;
	*ret = ts;
	return 0;
}

int
ike_pld_parse_ts(const struct rd *body, struct ike_pld_ts *ret)
{
	struct ike_pld_ts ts = { .n_ts = 0 };
	struct rd r = *body;
	uint8_t n;
	int e;

	if (!rd_u8(&r, &n) || !rd_skip(&r, RESERVED3) || n < 1)
		return -EBADMSG;
	if (n > IKE_MAX_TS) {
		log_debug("%u traffic selectors > %d", n, IKE_MAX_TS);
		return -E2BIG;
	}
	for (ts.n_ts = 0; ts.n_ts < n; ts.n_ts++)
		if ((e = ts_parse_one(&r, &ts.ts[ts.n_ts])) < 0)
			return e;
	if (rd_left(&r) != 0) {
		log_debug("%zu bytes after %u selectors", rd_left(&r), n);
		return -EBADMSG;
	}
	*ret = ts;
	return 0;
}

void
ike_pld_build_ts(
    struct ike_pld_wr *pw, uint8_t pld_type, const struct ike_pld_ts *ts)
{
	int check = ts_check(ts);
	size_t at;

	if (pld_type != IKE_PLD_TSI && pld_type != IKE_PLD_TSR)
		check = -EINVAL;
	if (!ike_pld_wr_open(pw, pld_type, check, &at))
		return;
	wr_u8(&pw->w, (uint8_t)ts->n_ts);
	wr_zero(&pw->w, RESERVED3);
	for (size_t i = 0; i < ts->n_ts; i++) {
		const struct ike_ts *t = &ts->ts[i];

		wr_u8(&pw->w, t->type);
		wr_u8(&pw->w, t->ip_proto);
		wr_u16(&pw->w, (uint16_t)ts_sel_len(t->type));
		wr_u16(&pw->w, t->start_port);
		wr_u16(&pw->w, t->end_port);
		wr_bytes(&pw->w, t->start, ts_addr_len(t->type));
		wr_bytes(&pw->w, t->end, ts_addr_len(t->type));
	}
	ike_pld_wr_close(pw, at);
}

/* ---- CP (3.15) ---- */

#define CP_ATTR_TYPE_MASK 0x7fff /* the top bit is reserved (3.15.1) */

/* 3.15.1, RFC 8598: the one non-empty length a known attribute may have. */
static bool
cp_attr_len_ok(uint16_t type, size_t len)
{
	switch (type) {
	case IKE_CFG_INTERNAL_IP4_ADDRESS:
	case IKE_CFG_INTERNAL_IP4_NETMASK:
	case IKE_CFG_INTERNAL_IP4_DNS:
	case IKE_CFG_INTERNAL_IP4_NBNS:
	case IKE_CFG_INTERNAL_IP4_DHCP:
		return len == 0 || len == IPV4_LEN;
	case IKE_CFG_INTERNAL_IP6_DNS:
	case IKE_CFG_INTERNAL_IP6_DHCP:
		return len == 0 || len == IPV6_LEN;
	case IKE_CFG_INTERNAL_IP6_ADDRESS:
	case IKE_CFG_INTERNAL_IP6_SUBNET:
		return len == 0 || len == IPV6_NET_LEN;
	case IKE_CFG_INTERNAL_IP4_SUBNET:
		return len == 0 || len == IPV4_NET_LEN;
	case IKE_CFG_SUPPORTED_ATTRIBUTES:
		return len % 2 == 0;
	default:
		return true; /* APPLICATION_VERSION, DNS_DOMAIN, unknown */
	}
}

static int
cp_check(const struct ike_pld_cp *cp)
{
	if (cp->type < IKE_CFG_REQUEST || cp->type > IKE_CFG_ACK)
		return -EBADMSG;
	if (cp->n_attrs > IKE_MAX_CP_ATTRS)
		return -E2BIG;
	for (size_t i = 0; i < cp->n_attrs; i++) {
		const struct ike_cp_attr *a = &cp->attrs[i];

		if (a->type > CP_ATTR_TYPE_MASK ||
		    rd_left(&a->value) > UINT16_MAX ||
		    !cp_attr_len_ok(a->type, rd_left(&a->value))) {
			log_debug("CP attribute %u of %zu bytes", a->type,
			    rd_left(&a->value));
			return -EBADMSG;
		}
	}
	return 0;
}

int
ike_pld_parse_cp(const struct rd *body, struct ike_pld_cp *ret)
{
	struct ike_pld_cp cp = { .n_attrs = 0 };
	struct rd r = *body;
	int e;

	if (!rd_u8(&r, &cp.type) || !rd_skip(&r, RESERVED3))
		return -EBADMSG;
	while (rd_left(&r) > 0) {
		struct ike_cp_attr *a = &cp.attrs[cp.n_attrs];
		uint16_t len;

		if (cp.n_attrs == IKE_MAX_CP_ATTRS) {
			log_debug(
			    "more than %d CP attributes", IKE_MAX_CP_ATTRS);
			return -E2BIG;
		}
		if (!rd_u16(&r, &a->type) || !rd_u16(&r, &len) ||
		    !rd_sub(&r, len, &a->value))
			return -EBADMSG;
		a->type &= CP_ATTR_TYPE_MASK;
		cp.n_attrs++;
	}
	if ((e = cp_check(&cp)) < 0)
		return e;
	*ret = cp;
	return 0;
}

void
ike_pld_build_cp(struct ike_pld_wr *pw, const struct ike_pld_cp *cp)
{
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_CP, cp_check(cp), &at))
		return;
	wr_u8(&pw->w, cp->type);
	wr_zero(&pw->w, RESERVED3);
	for (size_t i = 0; i < cp->n_attrs; i++) {
		wr_u16(&pw->w, cp->attrs[i].type);
		wr_u16(&pw->w, (uint16_t)rd_left(&cp->attrs[i].value));
		wr_rd(&pw->w, &cp->attrs[i].value);
	}
	ike_pld_wr_close(pw, at);
}

/* ---- EAP (3.16, RFC 3748 4) ---- */

static bool
eap_has_type(uint8_t code)
{
	return code == EAP_CODE_REQUEST || code == EAP_CODE_RESPONSE;
}

static int
eap_check(const struct ike_pld_eap *eap)
{
	if (eap_has_type(eap->code))
		return rd_left(&eap->type_data) <= UINT16_MAX - EAP_HDR_LEN - 1
		    ? 0
		    : -EBADMSG;
	if (eap->code == EAP_CODE_SUCCESS || eap->code == EAP_CODE_FAILURE)
		return eap->type == 0 && rd_left(&eap->type_data) == 0
		    ? 0
		    : -EBADMSG;
	log_debug("EAP code %u", eap->code);
	return -EOPNOTSUPP;
}

int
ike_pld_parse_eap(const struct rd *body, struct ike_pld_eap *ret)
{
	struct ike_pld_eap eap = { .packet = *body };
	struct rd r = *body;
	uint16_t len;
	int e;

	if (!rd_u8(&r, &eap.code) || !rd_u8(&r, &eap.id) || !rd_u16(&r, &len))
		return -EBADMSG;
	if (len != rd_left(body)) {
		log_debug(
		    "EAP length %u in a %zu-byte payload", len, rd_left(body));
		return -EBADMSG;
	}
	if (eap_has_type(eap.code) && !rd_u8(&r, &eap.type))
		return -EBADMSG;
	eap.type_data = r;
	if ((e = eap_check(&eap)) < 0)
		return e;
	*ret = eap;
	return 0;
}

void
ike_pld_build_eap(struct ike_pld_wr *pw, const struct ike_pld_eap *eap)
{
	bool typed = eap_has_type(eap->code);
	size_t len = EAP_HDR_LEN + (typed ? 1 : 0) + rd_left(&eap->type_data);
	size_t at;

	if (!ike_pld_wr_open(pw, IKE_PLD_EAP, eap_check(eap), &at))
		return;
	wr_u8(&pw->w, eap->code);
	wr_u8(&pw->w, eap->id);
	wr_u16(&pw->w, (uint16_t)len);
	if (typed)
		wr_u8(&pw->w, eap->type);
	wr_rd(&pw->w, &eap->type_data);
	ike_pld_wr_close(pw, at);
}
