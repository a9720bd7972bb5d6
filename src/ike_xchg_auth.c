/* SPDX-License-Identifier: ISC */
/*
 * ike_xchg_auth.c: the IKE_AUTH exchange, initiator side.  We identify
 * ourselves, ask for an address and a CHILD_SA; the gateway proves who it
 * is with its certificate and AUTH signature, checked before anything
 * else it says is believed; then either EAP-TLS authenticates us and both
 * AUTHs are made from the MSK, or (auth: pubkey) our own signature did
 * it in the first request.  The CHILD_SA comes out of the last response.
 *
 * RFC 7296 1.2, 2.15 (AUTH over the signed octets), 2.16 (EAP; the MSK as
 * the shared secret), 2.19 (configuration payload), 2.9 (selectors), 2.17
 * (CHILD_SA keys), 3.5 (IDs), 3.7 (CERTREQ), 3.8 (AUTH methods); RFC 7427
 * (signature AUTH); RFC 5216 and 9190 via eap.h; RFC 4555 3.3 (MOBIKE
 * announced both ways: the daemon may then move the SA, ike_xchg_info.c).
 *
 *   auth: eap-tls
 *   Initiator                                 Responder
 *   HDR, SK{IDi, N(INITIAL_CONTACT), N(MOBIKE_SUPPORTED), CERTREQ,
 *       [IDr,] CP(CFG_REQUEST), SAi2, TSi, TSr} -->
 *                      <--  HDR, SK{IDr, CERT+, AUTH, EAP(Request)}
 *   (gateway checked: its chain to a profile root, gateway.id, its AUTH)
 *   HDR, SK{EAP(Response)}               -->
 *                      <--  HDR, SK{EAP(Request)}        ... EAP-TLS ...
 *   HDR, SK{EAP(Response)}               -->
 *                      <--  HDR, SK{EAP(Success)}
 *   HDR, SK{AUTH(from the MSK)}          -->
 *                      <--  HDR, SK{AUTH(from the MSK), CP(CFG_REPLY),
 *                               SAr2, TSi, TSr, [N(MOBIKE_SUPPORTED)]}
 *
 *   auth: pubkey (two round trips in all)
 *   HDR, SK{IDi, CERT+, N(INITIAL_CONTACT), N(MOBIKE_SUPPORTED),
 *       CERTREQ, [IDr,] AUTH, CP(CFG_REQUEST), SAi2, TSi, TSr} -->
 *                      <--  HDR, SK{IDr, CERT+, AUTH, CP(CFG_REPLY),
 *                               SAr2, TSi, TSr}
 *
 * An error at any point (AUTHENTICATION_FAILED, EAP-Failure) ends the SA;
 * one where the gateway finished IKE_AUTH but refused the CHILD_SA ends
 * it with a DELETE.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "conf.h"
#include "crypto_sig.h"
#include "eap.h"
#include "ike_int.h"
#include "loop.h"
#include "names.h"
#include "tls_ctx.h"

#define CERTREQ_MAX (CERT_SPKI_HASH_LEN * CERT_MAX_ROOTS)
#define ID_BODY_MAX (4 + CONF_MAX_ID_LEN)
#define SIG_BUF_MAX (SIG_MAX_LEN + 256) /* signature and AlgorithmIdentifier */

/* ---- Request 1 ---- */

static int
id_body(uint8_t type, const char *s, size_t len, struct buf **ret)
{
	uint8_t b[ID_BODY_MAX];
	struct wr w = wr_make(b, sizeof(b));
	struct ike_pld_id id = { .type = type, .data = rd_make(s, len) };

	ike_pld_write_id_body(&w, &id);
	if (!wr_ok(&w) || len == 0)
		return -EINVAL;
	*ret = buf_dup(b, w.len);
	return *ret != NULL ? 0 : -ENOMEM;
}

/* 3.5: the identity as ID_RFC822_ADDR when it has an '@', else FQDN. */
static int
idi_make(struct ike_sa *sa)
{
	const char *id = sa->creds->id;

	return id_body(
	    strchr(id, '@') != NULL ? IKE_ID_RFC822_ADDR : IKE_ID_FQDN, id,
	    strlen(id), &sa->idi);
}

/* gateway.id as IDr: an address literal as such, else FQDN. */
static int
build_idr(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	const char *id = sa->creds->gateway_id;
	uint8_t a[16];
	struct buf *b = NULL;
	int r;

	if (inet_pton(AF_INET, id, a) == 1)
		r = id_body(IKE_ID_IPV4_ADDR, (const char *)a, 4, &b);
	else if (inet_pton(AF_INET6, id, a) == 1)
		r = id_body(IKE_ID_IPV6_ADDR, (const char *)a, 16, &b);
	else
		r = id_body(IKE_ID_FQDN, id, strlen(id), &b);
	if (r == 0)
		ike_pld_build_raw(
		    pw, IKE_PLD_IDR, false, &(struct rd){ b->p, b->len });
	buf_free(b);
	return r;
}

/* Our certificate and the issuers that came with it (3.6). */
static void
build_certs(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	const struct cert *c = sa->creds->cert;

	ike_pld_build_cert(pw,
	    &(struct ike_pld_cert){
		.enc = IKE_CERT_X509_SIGN, .data = cert_der(c) });
	for (size_t i = 0; i < cert_chain_len(c); i++)
		ike_pld_build_cert(pw,
		    &(struct ike_pld_cert){ .enc = IKE_CERT_X509_SIGN,
			.data = cert_der(cert_chain_at(c, i)) });
}

/* 3.7: the profile's gateway roots, so the gateway sends the right chain. */
static int
build_certreq(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	uint8_t b[CERTREQ_MAX];
	struct wr w = wr_make(b, sizeof(b));
	int r = trust_build_certreq(sa->creds->roots, &w);

	if (r == 0)
		ike_pld_build_certreq(pw,
		    &(struct ike_pld_certreq){ .enc = IKE_CERT_X509_SIGN,
			.cas = rd_make(b, w.len),
			.n_cas = w.len / CERT_SPKI_HASH_LEN });
	return r;
}

/* 2.15: our signature over InitiatorSignedOctets (auth: pubkey). */
static int
build_auth_sig(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	struct rd msg = buf_rd(sa->init_req), nr = buf_rd(sa->nr),
		  id = buf_rd(sa->idi), oct;
	struct buf *octets = NULL;
	uint8_t sig[SIG_BUF_MAX];
	struct wr w = wr_make(sig, sizeof(sig));
	struct sig_alg alg;
	int r;

	r = ike_keys_signed_octets(sa->keys, true, &msg, &nr, &id, &octets);
	if (r == 0)
		r = crypto_sig_choose(
		    sa->creds->key, sa->peer_hashes, false, &alg);
	if (r == 0) {
		oct = buf_rd(octets);
		r = crypto_sig_sign(sa->creds->key, &alg, &oct, &w);
	}
	if (r == 0)
		ike_pld_build_auth(pw,
		    &(struct ike_pld_auth){
			.method = alg.method, .data = rd_make(sig, w.len) });
	buf_free(octets);
	return r;
}

/* CP, SA, TSi, TSr: the CHILD_SA we ask for. */
static int
build_child(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	struct ike_pld_sa *offer = malloc(sizeof(*offer));
	struct ike_pld_cp cp;
	struct ike_pld_ts ts;
	int r = offer != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = ike_proposal_offer(sa->conf->proposals.esp,
		    sa->conf->proposals.n_esp, IKE_PROTO_ESP, sa->child.spi_in,
		    offer);
	if (r == 0) {
		ike_cp_request(&cp);
		ike_pld_build_cp(pw, &cp);
		ike_pld_build_sa(pw, offer);
		ike_ts_request(&ts);
		ike_pld_build_ts(pw, IKE_PLD_TSI, &ts);
		ike_pld_build_ts(pw, IKE_PLD_TSR, &ts);
	}
	free(offer);
	return r;
}

static int
build_first(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	bool pubkey = !sa->creds->eap;
	int r;

	ike_pld_build_raw(
	    pw, IKE_PLD_IDI, false, &(struct rd){ sa->idi->p, sa->idi->len });
	if (pubkey)
		build_certs(sa, pw);
	ike_pld_build_notify(
	    pw, &(struct ike_pld_notify){ .type = IKE_N_INITIAL_CONTACT });
	/* RFC 4555 3.3: we can move the SA when our address changes. */
	ike_pld_build_notify(
	    pw, &(struct ike_pld_notify){ .type = IKE_N_MOBIKE_SUPPORTED });
	r = build_certreq(sa, pw);
	if (r == 0 && sa->creds->send_idr)
		r = build_idr(sa, pw);
	if (r == 0 && pubkey)
		r = build_auth_sig(sa, pw);
	if (r == 0)
		r = build_child(sa, pw);
	return r;
}

/* Builds an inner chain with fn and sends it as our next IKE_AUTH
 * request. */
static int
send_inner(struct ike_sa *sa,
    int (*fn)(struct ike_sa *, struct ike_pld_wr *, const void *),
    const void *arg)
{
	uint8_t *b = malloc(IKE_INNER_MAX);
	struct ike_pld_wr pw;
	struct rd inner;
	int r;

	if (b == NULL)
		return -ENOMEM;
	ike_pld_wr_init_chain(&pw, b, IKE_INNER_MAX);
	r = fn(sa, &pw, arg);
	if (r == 0)
		r = ike_pld_wr_finish(&pw, &inner);
	if (r == 0)
		r = ike_msg_send_request(sa, IKE_AUTH, &inner, pw.first);
	free(b);
	return r;
}

static int
first_fn(struct ike_sa *sa, struct ike_pld_wr *pw, const void *arg)
{
	(void)arg;
	return build_first(sa, pw);
}

static int
spi_new(struct ike_sa *sa)
{
	return ike_child_spi_new(sa, &sa->child.spi_in);
}

/* The daemon's TLS context (its sessions can be resumed), else ours. */
static int
tls_make(struct ike_sa *sa)
{
	const struct ike_creds *c = sa->creds;
	struct tls_ctx_conf tc = { .cert = c->cert,
		.key = c->key,
		.roots = c->roots,
		.server_id = c->gateway_id,
		.max_version = TLS_VERSION_1_3 };
	int r = 0;

	if (c->tls == NULL)
		r = tls_ctx_new(&tc, &sa->tls_own);
	sa->tls = c->tls != NULL ? c->tls : sa->tls_own;
	return r;
}

int
ike_auth_start(struct ike_sa *sa)
{
	int r;

	r = spi_new(sa);
	if (r == 0)
		r = idi_make(sa);
	if (r == 0 && sa->creds->eap)
		r = tls_make(sa);
	if (r == 0)
		r = send_inner(sa, first_fn, NULL);
	if (r < 0) {
		ike_sa_fail(sa, r, r == -EOPNOTSUPP,
		    "cannot build our IKE_AUTH request: %s", strerror(-r));
		return r;
	}
	ike_sa_set_state(
	    sa, IKE_SA_AUTH_SENT, sa->creds->eap ? "EAP-TLS" : "certificate");
	return 0;
}

/* ---- The gateway's identity ---- */

static void
certs_free(struct cert **certs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cert_free(certs[i]);
}

/* Its X.509 CERT payloads, in order; the first is the one that signs. */
static int
certs_load(const struct ike_msg *m, struct cert **ret, size_t *ret_n)
{
	struct ike_pld_cert pc;
	size_t n = 0;
	int r = 0;

	for (size_t i = 0; i < m->n_pld && r == 0; i++) {
		if (m->pld[i].type != IKE_PLD_CERT || n == IKE_MAX_GW_CERTS)
			continue;
		r = ike_pld_parse_cert(&m->pld[i].body, &pc);
		if (r == 0 && pc.enc == IKE_CERT_X509_SIGN &&
		    (r = cert_load_der(&pc.data, &ret[n])) == 0)
			n++;
	}
	if (r < 0)
		certs_free(ret, n);
	else
		*ret_n = n;
	return r;
}

/* 2.15: its signature over ResponderSignedOctets, with the key of its
 * (already verified) certificate. */
static int
verify_auth_sig(
    struct ike_sa *sa, const struct ike_msg *m, const struct cert *leaf)
{
	const struct ike_pld_ref *ref =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_AUTH);
	struct rd msg = buf_rd(sa->init_resp), ni = buf_rd(sa->ni), id, oct;
	char reason[CERT_REASON_LEN] = "";
	struct buf *octets = NULL;
	struct ike_pld_auth auth;
	int r;

	r = ike_pld_parse_auth(&ref->body, &auth);
	if (r == 0 && auth.method == IKE_AUTH_SHARED_KEY_MIC) {
		ike_sa_fail(sa, -EACCES, true,
		    "the gateway authenticates with a pre-shared key; p2s "
		    "only trusts its certificate");
		return -EACCES;
	}
	id = buf_rd(sa->idr);
	if (r == 0)
		r = ike_keys_signed_octets(
		    sa->keys, false, &msg, &ni, &id, &octets);
	if (r == 0) {
		oct = buf_rd(octets);
		r = crypto_sig_verify(leaf, auth.method, &auth.data, &oct,
		    reason, sizeof(reason));
	}
	buf_free(octets);
	if (r < 0)
		ike_sa_fail(sa, -EACCES, true,
		    "the gateway's AUTH signature (%s) does not verify: %s",
		    names_auth_method(auth.method, NAMES_TMP),
		    reason[0] != '\0' ? reason : strerror(-r));
	return r < 0 ? -EACCES : 0;
}

static int
keep_idr(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld_ref *ref =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_IDR);
	struct ike_pld_id id;

	if (ike_pld_parse_id(&ref->body, &id) < 0) {
		ike_sa_fail(
		    sa, -EBADMSG, false, "the gateway's IDr is malformed");
		return -EBADMSG;
	}
	/* Trust rests on the certificate, never on what IDr claims. */
	sa_debug(sa, "gateway IDr %s", names_id_type(id.type, NAMES_TMP));
	buf_free(sa->idr);
	sa->idr = buf_dup_rd(&id.raw);
	return sa->idr != NULL ? 0 : -ENOMEM;
}

/*
 * IDr, CERT+, AUTH: the chain to a profile root and gateway.id (cert.h
 * says what is wrong in words a user can act on), then the signature.
 */
static int
verify_gateway(struct ike_sa *sa, const struct ike_msg *m)
{
	struct cert *certs[IKE_MAX_GW_CERTS];
	char reason[CERT_REASON_LEN] = "";
	size_t n = 0;
	int r;

	r = keep_idr(sa, m);
	if (r < 0)
		return r;
	if (certs_load(m, certs, &n) < 0 || n == 0) {
		ike_sa_fail(sa, -EACCES, true,
		    "the gateway sent no usable X.509 certificate");
		return -EACCES;
	}
	r = cert_verify_gateway(sa->creds->roots, certs[0],
	    (const struct cert *const *)&certs[1], n - 1, sa->creds->gateway_id,
	    ike_sa_now(sa), reason, sizeof(reason));
	if (r < 0)
		ike_sa_fail(sa, r, true, "%s",
		    reason[0] != '\0' ? reason : strerror(-r));
	else
		r = verify_auth_sig(sa, m, certs[0]);
	if (r == 0)
		sa_info(sa, "gateway %s authenticated by its certificate",
		    sa->creds->gateway_id);
	certs_free(certs, n);
	return r;
}

/* ---- EAP ---- */

static int
eap_fn(struct ike_sa *sa, struct ike_pld_wr *pw, const void *arg)
{
	(void)sa;
	ike_pld_build_raw(pw, IKE_PLD_EAP, false, arg);
	return 0;
}

/* 2.16: AUTH = prf(prf(MSK, "Key Pad for IKEv2"), InitiatorSignedOctets). */
static int
msk_auth_fn(struct ike_sa *sa, struct ike_pld_wr *pw, const void *arg)
{
	struct rd msg = buf_rd(sa->init_req), nr = buf_rd(sa->nr),
		  id = buf_rd(sa->idi), oct, msk;
	uint8_t auth[PRF_MAX_LEN];
	struct buf *octets = NULL;
	int r;

	(void)arg;
	r = eap_peer_msk(sa->eap, &msk);
	if (r == 0)
		r = ike_keys_signed_octets(
		    sa->keys, true, &msg, &nr, &id, &octets);
	if (r == 0) {
		oct = buf_rd(octets);
		r = ike_keys_auth_psk(sa->keys, &msk, &oct, auth, sizeof(auth));
	}
	if (r == 0)
		ike_pld_build_auth(pw,
		    &(struct ike_pld_auth){ .method = IKE_AUTH_SHARED_KEY_MIC,
			.data = rd_make(auth, prf_len(sa->keys->prf)) });
	wipe(auth, sizeof(auth));
	buf_free(octets);
	return r;
}

static size_t
eap_max_msg(const struct ike_sa *sa)
{
	return sa->peer_frag ? IKE_EAP_MSG_FRAG : IKE_EAP_MSG_NOFRAG;
}

static int
eap_make(struct ike_sa *sa)
{
	const struct ike_creds *c = sa->creds;
	struct eap_peer_conf ec = { .identity = c->id,
		.tls = sa->tls,
		.resume = c->tls != NULL && c->tls_session != NULL
		    ? *c->tls_session
		    : NULL,
		.max_msg_len = eap_max_msg(sa) };

	return sa->eap != NULL ? 0 : eap_peer_new(&ec, &sa->eap);
}

static void
eap_failed(struct ike_sa *sa, int r)
{
	const char *why = sa->eap != NULL ? eap_peer_reason(sa->eap) : NULL;

	if (r == -EACCES && why == NULL)
		ike_sa_fail(sa, r, true,
		    "the gateway rejected our client certificate (revoked, or "
		    "its root is not uploaded to the gateway)");
	else
		ike_sa_fail(sa, r, r == -EACCES, "EAP-TLS failed: %s",
		    why != NULL ? why : strerror(-r));
}

/* One EAP request from the gateway: answer it, or, on EAP-Success, send
 * our AUTH from the MSK. */
static int
eap_round(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld_ref *ref =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_EAP);
	size_t cap = eap_max_msg(sa);
	uint8_t *out = malloc(cap);
	struct wr w = wr_make(out, cap);
	int r = out != NULL ? eap_make(sa) : -ENOMEM;

	if (r == 0)
		r = eap_peer_process(sa->eap, &ref->body, &w);
	if (r == EAP_PEER_RESPOND)
		r = send_inner(sa, eap_fn, &(struct rd){ out, w.len });
	else if (r == EAP_PEER_DONE)
		r = send_inner(sa, msk_auth_fn, NULL);
	else
		eap_failed(sa, r);
	free(out);
	if (r < 0) {
		ike_sa_fail(
		    sa, r, false, "cannot answer EAP: %s", strerror(-r));
		return r;
	}
	if (eap_peer_state(sa->eap) == EAP_PEER_SUCCESS)
		ike_sa_set_state(sa, IKE_SA_AUTH_FINAL, "EAP-TLS succeeded");
	else if (sa->state == IKE_SA_AUTH_SENT)
		ike_sa_set_state(sa, IKE_SA_EAP, "gateway authenticated");
	return 0;
}

/* ---- The CHILD_SA ---- */

static int
child_sa(struct ike_sa *sa, const struct ike_msg *m, struct ike_child *c,
    char *why, size_t len)
{
	const struct ike_pld_ref *ref =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_SA);
	struct ike_pld_sa *offer = malloc(sizeof(*offer));
	struct ike_pld_sa *chosen = malloc(sizeof(*chosen));
	uint16_t dh;
	int r = offer != NULL && chosen != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = ike_proposal_offer(sa->conf->proposals.esp,
		    sa->conf->proposals.n_esp, IKE_PROTO_ESP, c->spi_in, offer);
	if (r == 0 && (r = ike_pld_parse_sa(&ref->body, chosen)) < 0)
		(void)snprintf(why, len, "a malformed SA payload");
	if (r == 0)
		r = ike_proposal_check(
		    offer, chosen, &c->esp, &dh, &c->spi_out, why, len);
	if (r == 0 && c->spi_out < 256) {
		(void)snprintf(why, len, "ESP SPI %u is reserved", c->spi_out);
		r = -EPROTO;
	}
	free(offer);
	free(chosen);
	return r;
}

static int
child_ts(const struct ike_msg *m, struct ike_child *c, char *why, size_t len)
{
	const struct ike_pld_ref *ti =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_TSI);
	const struct ike_pld_ref *tr =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_TSR);
	struct ike_pld_ts asked, got;
	int r;

	ike_ts_request(&asked);
	r = ike_pld_parse_ts(&ti->body, &got);
	if (r == 0)
		r = ike_ts_narrowed(
		    &asked, &got, c->ts_local, &c->n_ts_local, why, len);
	if (r == 0 && (r = ike_pld_parse_ts(&tr->body, &got)) == 0)
		r = ike_ts_narrowed(
		    &asked, &got, c->ts_remote, &c->n_ts_remote, why, len);
	if (r == -EBADMSG || r == -EOPNOTSUPP)
		(void)snprintf(why, len, "a traffic selector we cannot read");
	return r;
}

static int
child_cp(const struct ike_msg *m, struct ike_child *c, char *why, size_t len)
{
	const struct ike_pld_ref *ref =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_CP);
	struct ike_pld_cp cp;

	if (ref == NULL)
		return 0;
	if (ike_pld_parse_cp(&ref->body, &cp) < 0) {
		(void)snprintf(why, len, "a malformed configuration payload");
		return -EBADMSG;
	}
	return ike_cp_reply(&cp, c, why, len);
}

static void
child_log(struct ike_sa *sa, const struct ike_child *c)
{
	char vip[INET6_ADDRSTRLEN] = "none", esp[64];
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&c->vip4;

	if (c->vip4.ss_family == AF_INET)
		(void)inet_ntop(AF_INET, &v4->sin_addr, vip, sizeof(vip));
	ike_proposal_name(&c->esp, 0, esp, sizeof(esp));
	sa_info(sa,
	    "CHILD_SA %08x_i %08x_o with %s%s, virtual IP %s, %zu remote "
	    "selector%s, %zu DNS server%s; %u round trips, %llu ms",
	    c->spi_in, c->spi_out, esp, c->udp_encap ? " in UDP" : "", vip,
	    c->n_ts_remote, c->n_ts_remote == 1 ? "" : "s", c->n_dns,
	    c->n_dns == 1 ? "" : "s", sa->round_trips,
	    (unsigned long long)ike_sa_connect_ms(sa));
}

/* What a rekey of the gateway's reuses (no keys); without memory a
 * rekey is refused later, the tunnel keeps working until then. */
static void
child_keep(struct ike_sa *sa, const struct ike_child *c)
{
	free(sa->child_last);
	sa->child_last = malloc(sizeof(*sa->child_last));
	if (sa->child_last == NULL)
		return;
	*sa->child_last = *c;
	sa->child_last->keys = NULL;
}

/* Hands the CHILD_SA to the daemon; its keys are wiped afterwards. */
static void
child_install(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_child_keys keys = { 0 };
	struct rd ni = buf_rd(sa->ni), nr = buf_rd(sa->nr);
	int r;

	r = ike_keys_child(sa->keys, &c->esp, NULL, &ni, &nr, true, &keys);
	if (r < 0) {
		ike_sa_delete_because(sa, r, false,
		    "cannot derive the CHILD_SA keys: %s", strerror(-r));
		return;
	}
	c->keys = &keys;
	sa->child.spi_out = c->spi_out;
	sa->child.esp = c->esp;
	sa->t_up = loop_now_ms();
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED, "CHILD_SA negotiated");
	child_log(sa, c);
	r = sa->cbs.established(sa->cb_arg, c);
	ike_child_keys_done(&keys);
	if (r < 0)
		ike_sa_delete_because(sa, r, false,
		    "the daemon could not install the CHILD_SA: %s",
		    strerror(-r));
	else {
		sa->child.installed = true;
		child_keep(sa, c);
		ike_info_liveness_start(sa);
		ike_rekey_schedule(sa, false);
		ike_rekey_schedule(sa, true);
	}
}

static int
child_up(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_child *c = calloc(1, sizeof(*c));
	struct ike_pld_notify n;
	char why[256] = "";
	int r = c != NULL ? 0 : -ENOMEM;

	if (r == 0) {
		c->spi_in = sa->child.spi_in;
		c->udp_encap = sa->natt;
		r = child_sa(sa, m, c, why, sizeof(why));
	}
	if (r == 0)
		r = child_ts(m, c, why, sizeof(why));
	if (r == 0)
		r = child_cp(m, c, why, sizeof(why));
	if (r == 0)
		sa->peer_mobike = ike_pld_find_notify(m->pld, m->n_pld,
				      IKE_N_MOBIKE_SUPPORTED, &n) == 0;
	if (r == 0)
		child_install(sa, c);
	else
		ike_sa_delete_because(sa, r, false,
		    "the gateway's CHILD_SA is not acceptable: %s",
		    why[0] != '\0' ? why : strerror(-r));
	free(c);
	return r;
}

/* ---- Handlers ---- */

int
ike_auth_on_eap_start(struct ike_sa *sa, const struct ike_msg *m)
{
	int r;

	if (!sa->creds->eap) {
		ike_sa_fail(sa, -EPROTO, true,
		    "the gateway wants EAP, but the profile says auth: pubkey");
		return -EPROTO;
	}
	r = verify_gateway(sa, m);
	return r == 0 ? eap_round(sa, m) : r;
}

int
ike_auth_on_eap(struct ike_sa *sa, const struct ike_msg *m)
{
	return eap_round(sa, m);
}

/* The TLS session, for the daemon to offer on its next connect: kept
 * only once the gateway proved the MSK. */
static void
eap_keep_session(struct ike_sa *sa)
{
	const struct ike_creds *c = sa->creds;
	struct tls_session *s = NULL;

	if (eap_peer_resumed(sa->eap))
		sa_info(sa, "EAP-TLS resumed the previous TLS session");
	if (c->tls == NULL || c->tls_session == NULL ||
	    eap_peer_session(sa->eap, &s) < 0)
		return;
	tls_session_free(*c->tls_session);
	*c->tls_session = s;
}

/* 2.16: the gateway's AUTH, from the MSK, over ResponderSignedOctets. */
static int
verify_msk_auth(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_pld_ref *ref =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_AUTH);
	struct rd msg = buf_rd(sa->init_resp), ni = buf_rd(sa->ni),
		  id = buf_rd(sa->idr), oct, msk;
	struct buf *octets = NULL;
	struct ike_pld_auth auth;
	int r;

	r = ike_pld_parse_auth(&ref->body, &auth);
	if (r == 0 && auth.method != IKE_AUTH_SHARED_KEY_MIC)
		r = -EACCES;
	if (r == 0)
		r = eap_peer_msk(sa->eap, &msk);
	if (r == 0)
		r = ike_keys_signed_octets(
		    sa->keys, false, &msg, &ni, &id, &octets);
	if (r == 0) {
		oct = buf_rd(octets);
		r = ike_keys_auth_psk_verify(sa->keys, &msk, &oct, &auth.data);
	}
	buf_free(octets);
	if (r == 0)
		eap_keep_session(sa);
	/* The MSK has done its work. */
	eap_peer_free(sa->eap);
	sa->eap = NULL;
	if (r < 0)
		ike_sa_fail(sa, -EACCES, true,
		    "the gateway's AUTH after EAP-TLS does not verify (it "
		    "derived another MSK)");
	return r < 0 ? -EACCES : 0;
}

int
ike_auth_on_final(struct ike_sa *sa, const struct ike_msg *m)
{
	int r = verify_msk_auth(sa, m);

	return r == 0 ? child_up(sa, m) : r;
}

int
ike_auth_on_done(struct ike_sa *sa, const struct ike_msg *m)
{
	int r;

	if (sa->creds->eap) {
		/* We sent no AUTH: it cannot have authenticated us. */
		ike_sa_fail(sa, -EPROTO, false,
		    "the gateway ended IKE_AUTH without EAP");
		return -EPROTO;
	}
	r = verify_gateway(sa, m);
	return r == 0 ? child_up(sa, m) : r;
}

/* The first error notify of a message, or 0. */
static uint16_t
error_notify(const struct ike_msg *m)
{
	struct ike_pld_notify n;

	for (size_t i = 0; i < m->n_pld; i++)
		if (m->pld[i].type == IKE_PLD_NOTIFY &&
		    ike_pld_parse_notify(&m->pld[i].body, &n) == 0 &&
		    n.type <= IKE_N_ERROR_MAX)
			return n.type;
	return 0;
}

/* Words for an error the gateway sent about the CHILD_SA or us. */
static bool
error_reason(const struct ike_sa *sa, uint16_t type, char *buf, size_t len)
{
	char list[IKE_REASON_LEN - 128];

	switch (type) {
	case IKE_N_AUTHENTICATION_FAILED:
		(void)snprintf(buf, len, "%s",
		    sa->state == IKE_SA_AUTH_FINAL
			? "the gateway rejected our AUTH after EAP-TLS (it "
			  "derived another MSK)"
			: "the gateway rejected our client certificate (revoked, "
			  "or its root is not uploaded to the gateway)");
		return true;
	case IKE_N_NO_PROPOSAL_CHOSEN:
		ike_proposal_list(sa->conf->proposals.esp,
		    sa->conf->proposals.n_esp, list, sizeof(list));
		(void)snprintf(buf, len,
		    "the gateway accepted none of our ESP proposals (%s)",
		    list);
		return true;
	case IKE_N_TS_UNACCEPTABLE:
		(void)snprintf(
		    buf, len, "the gateway refused our traffic selectors");
		return true;
	case IKE_N_INTERNAL_ADDRESS_FAILURE:
	case IKE_N_FAILED_CP_REQUIRED:
		(void)snprintf(buf, len,
		    "the gateway has no virtual IP for us (%s)",
		    names_notify(type, NAMES_TMP));
		return false;
	default:
		(void)snprintf(buf, len, "the gateway refused IKE_AUTH: %s",
		    type != 0 ? names_notify(type, NAMES_TMP) : "no reason");
		return false;
	}
}

int
ike_auth_on_error(struct ike_sa *sa, const struct ike_msg *m)
{
	char why[IKE_REASON_LEN];
	bool permanent = error_reason(sa, error_notify(m), why, sizeof(why));

	ike_sa_fail(sa, -EACCES, permanent, "%s", why);
	return -EACCES;
}

/* IKE_AUTH done, CHILD_SA refused: the IKE SA exists, so delete it. */
int
ike_auth_on_nochild(struct ike_sa *sa, const struct ike_msg *m)
{
	char why[IKE_REASON_LEN];
	bool permanent;
	int r;

	r = sa->state == IKE_SA_AUTH_FINAL ? verify_msk_auth(sa, m)
					   : verify_gateway(sa, m);
	if (r < 0)
		return r;
	permanent = error_reason(sa, error_notify(m), why, sizeof(why));
	ike_sa_delete_because(sa, -EPROTO, permanent, "%s", why);
	return -EPROTO;
}
