/* SPDX-License-Identifier: ISC */
/*
 * ike_xchg_init.c: the IKE_SA_INIT exchange, initiator side.  Offers the
 * profile's IKE proposals with a KE for one group, answers COOKIE and
 * INVALID_KE_PAYLOAD by asking again, checks the gateway's choice, derives
 * the keys, detects NAT and floats to port 4500.
 *
 * RFC 7296 1.2, 1.3 (INVALID_KE_PAYLOAD), 2.6 (COOKIE), 2.10 (nonces),
 * 2.14 (keys), 2.23 (NAT traversal); RFC 7383 2.3 (fragmentation
 * announced); RFC 7427 4 (SIGNATURE_HASH_ALGORITHMS).
 *
 *   Initiator                                 Responder
 *   HDR(SPIi, 0, msgid 0), [N(COOKIE),] SAi1, KEi, Ni,
 *       N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP),
 *       N(IKEV2_FRAGMENTATION_SUPPORTED),
 *       N(SIGNATURE_HASH_ALGORITHMS)          -->
 *                          <--  HDR(SPIi, SPIr), SAr1, KEr, Nr, [CERTREQ,]
 *                                   N(NAT_DETECTION_*_IP),
 *                                   [N(IKEV2_FRAGMENTATION_SUPPORTED),]
 *                                   [N(SIGNATURE_HASH_ALGORITHMS)]
 *   or                     <--  HDR(SPIi, 0), N(COOKIE)
 *       the same request again, N(COOKIE) first (2.6)
 *   or                     <--  HDR(SPIi, 0), N(INVALID_KE_PAYLOAD, group)
 *       the same request again, with a KE for that group (1.3)
 *   or                     <--  HDR(SPIi, 0), N(NO_PROPOSAL_CHOSEN): over
 *
 * Nothing in this exchange is authenticated.  Our SPI is random and only
 * a response carrying it is looked at (ike_msg.c); the first IKE_AUTH
 * response then proves, through the gateway's AUTH over this whole
 * exchange, that nobody tampered with it (2.15).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "crypto_sig.h"
#include "ike_int.h"
#include "names.h"
#include "sock.h"

#define INIT_MSG_MAX 4096 /* bytes: our request with a MODP-2048 KE */

/* ---- NAT detection (2.23) ---- */

/* SHA-1(SPIi | SPIr | IP address | port). */
int
ike_natd_hash(const struct ike_sa *sa, const uint8_t *spi_r,
    const struct sockaddr_storage *ss, uint8_t *ret)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
	struct rd v[4] = { rd_make(sa->spi_i, IKE_SPI_LEN),
		rd_make(spi_r, IKE_SPI_LEN) };

	if (ss->ss_family == AF_INET) {
		v[2] = rd_make(&in4->sin_addr, sizeof(in4->sin_addr));
		v[3] = rd_make(&in4->sin_port, sizeof(in4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		v[2] = rd_make(&in6->sin6_addr, sizeof(in6->sin6_addr));
		v[3] = rd_make(&in6->sin6_port, sizeof(in6->sin6_port));
	} else
		return -EAFNOSUPPORT;
	return crypto_sha1(v, ARRAY_SIZE(v), ret);
}

static void
build_notify(struct ike_pld_wr *pw, uint16_t type, const struct rd *data)
{
	struct ike_pld_notify n = {
		.proto = IKE_PROTO_NONE, .type = type, .data = *data
	};

	ike_pld_build_notify(pw, &n);
}

/*
 * Our NAT-D notifies.  With force_encap the source hash is random, so
 * that the gateway sees "NAT" and encapsulates ESP in UDP, as strongSwan
 * does when its datapath (kernel-libipsec) needs it.
 */
static int
build_natd(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	static const uint8_t zero[IKE_SPI_LEN];
	struct sockaddr_storage local, remote;
	uint8_t src[CRYPTO_SHA1_LEN], dst[CRYPTO_SHA1_LEN];
	int r;

	r = ike_sa_addrs(sa, &local, &remote);
	if (r == 0)
		r = sa->creds->force_encap
		    ? ike_sa_random(sa, src, sizeof(src))
		    : ike_natd_hash(sa, zero, &local, src);
	if (r == 0)
		r = ike_natd_hash(sa, zero, &remote, dst);
	if (r < 0)
		return r;
	build_notify(pw, IKE_N_NAT_DETECTION_SOURCE_IP,
	    &(struct rd){ src, sizeof(src) });
	build_notify(pw, IKE_N_NAT_DETECTION_DESTINATION_IP,
	    &(struct rd){ dst, sizeof(dst) });
	return 0;
}

/* ---- The request ---- */

static int
build_sa_ke_nonce(struct ike_sa *sa, struct ike_pld_wr *pw)
{
	struct ike_pld_sa *offer = malloc(sizeof(*offer));
	int r;

	if (offer == NULL)
		return -ENOMEM;
	r = ike_proposal_offer(sa->conf->proposals.ike,
	    sa->conf->proposals.n_ike, IKE_PROTO_IKE, 0, offer);
	if (r == 0) {
		ike_pld_build_sa(pw, offer);
		ike_pld_build_ke(pw,
		    &(struct ike_pld_ke){
			.group = sa->group, .data = kex_public(sa->kex) });
		ike_pld_build_nonce(
		    pw, &(struct ike_pld_nonce){ .data = buf_rd(sa->ni) });
	}
	free(offer);
	return r;
}

static int
init_send(struct ike_sa *sa)
{
	struct ike_hdr h = { .exchange = IKE_SA_INIT,
		.flags = IKE_FLAG_INITIATOR };
	uint8_t buf[INIT_MSG_MAX], hashes[16];
	struct wr hw = wr_make(hashes, sizeof(hashes));
	struct ike_pld_wr pw;
	struct rd msg;
	int r;

	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	ike_pld_wr_init_msg(&pw, buf, sizeof(buf), &h);
	if (sa->cookie != NULL) /* 2.6: first */
		build_notify(&pw, IKE_N_COOKIE,
		    &(struct rd){ sa->cookie->p, sa->cookie->len });
	r = build_sa_ke_nonce(sa, &pw);
	if (r == 0)
		r = build_natd(sa, &pw);
	if (r < 0)
		return r;
	build_notify(
	    &pw, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &(struct rd){ NULL, 0 });
	crypto_sig_build_hashes(&hw);
	build_notify(&pw, IKE_N_SIGNATURE_HASH_ALGORITHMS,
	    &(struct rd){ hashes, hw.len });
	r = ike_pld_wr_finish(&pw, &msg);
	if (r < 0)
		return r;
	buf_free(sa->init_req); /* RealMessage1 is the last one sent */
	sa->init_req = buf_dup_rd(&msg);
	if (sa->init_req == NULL)
		return -ENOMEM;
	return ike_msg_send_init(sa, &msg);
}

/* The first group of the first proposal that names one. */
static uint16_t
first_group(const struct conf *conf)
{
	for (size_t i = 0; i < conf->proposals.n_ike; i++) {
		const struct proposal *p = &conf->proposals.ike[i];

		for (size_t k = 0; k < p->n_xforms; k++)
			if (p->xforms[k].type == IKE_XFORM_DH)
				return p->xforms[k].id;
	}
	return 0;
}

static int
kex_start(struct ike_sa *sa, uint16_t group)
{
	kex_free(sa->kex);
	sa->kex = NULL;
	sa->group = group;
	return kex_new(group, &sa->kex);
}

static int
nonce_new(struct ike_sa *sa)
{
	const struct ike_sa_hooks *h = sa->hooks;

	if (h != NULL && h->ni != NULL) {
		sa->ni = buf_dup_rd(h->ni);
		return sa->ni != NULL ? 0 : -ENOMEM;
	}
	sa->ni = buf_new(IKE_NONCE_LEN);
	if (sa->ni == NULL)
		return -ENOMEM;
	return ike_sa_random(sa, sa->ni->p, sa->ni->len);
}

int
ike_init_start(struct ike_sa *sa)
{
	const struct conf *conf = sa->conf;
	uint16_t group = sa->group;
	int r;

	/* A remembered group the profile no longer offers is forgotten. */
	if (group == 0 ||
	    !ike_proposal_has_group(
		conf->proposals.ike, conf->proposals.n_ike, group))
		group = first_group(conf);
	r = kex_start(sa, group);
	if (r == 0)
		r = nonce_new(sa);
	if (r == 0)
		r = init_send(sa);
	if (r < 0) {
		sa_err(sa, "cannot start IKE_SA_INIT with group %s: %s",
		    names_dh(group, NAMES_TMP), strerror(-r));
		return r;
	}
	ike_sa_set_state(sa, IKE_SA_INIT_SENT, conf->gateway.host);
	return 0;
}

/* ---- Notify-only responses: ask again, or give up ---- */

static int
on_cookie(struct ike_sa *sa, const struct ike_pld_notify *n)
{
	struct rd cookie;

	if (ike_pld_notify_cookie(n, &cookie) < 0 ||
	    ++sa->n_cookies > IKE_MAX_COOKIES) {
		ike_sa_fail(sa, -EPROTO, false,
		    "the gateway keeps asking for a COOKIE (%u times)",
		    sa->n_cookies);
		return -EPROTO;
	}
	sa_info(sa, "the gateway asks for a COOKIE (it is busy); asking again");
	buf_free(sa->cookie);
	sa->cookie = buf_dup_rd(&cookie);
	return sa->cookie != NULL ? init_send(sa) : -ENOMEM;
}

static int
on_invalid_ke(struct ike_sa *sa, const struct ike_pld_notify *n)
{
	const struct conf *conf = sa->conf;
	char list[512];
	uint16_t group;
	int r;

	/* A late answer to a request we already repeated with this group
	 * (a retransmission crossed it): just ask again. */
	if (ike_pld_notify_group(n, &group) == 0 && group == sa->group &&
	    sa->n_invalid_ke > 0)
		return init_send(sa);
	if (ike_pld_notify_group(n, &group) < 0 || group == sa->group ||
	    ++sa->n_invalid_ke > IKE_MAX_INVALID_KE) {
		ike_sa_fail(sa, -EPROTO, false,
		    "the gateway keeps refusing our key exchange");
		return -EPROTO;
	}
	if (!ike_proposal_has_group(
		conf->proposals.ike, conf->proposals.n_ike, group)) {
		ike_proposal_list(conf->proposals.ike, conf->proposals.n_ike,
		    list, sizeof(list));
		ike_sa_fail(sa, -EPROTO, true,
		    "the gateway wants DH group %s, which none of our IKE "
		    "proposals offers (proposals.ike: %s)",
		    names_dh(group, NAMES_TMP), list);
		return -EPROTO;
	}
	sa_info(sa, "the gateway wants DH group %s instead of %s; asking again",
	    names_dh(group, NAMES_TMP), names_dh(sa->group, NAMES_TMP));
	r = kex_start(sa, group);
	return r == 0 ? init_send(sa) : r;
}

static void
on_init_error(struct ike_sa *sa, uint16_t type)
{
	char list[512];

	if (type != IKE_N_NO_PROPOSAL_CHOSEN) {
		ike_sa_fail(sa, -EPROTO, false,
		    "the gateway refused IKE_SA_INIT: %s",
		    names_notify(type, NAMES_TMP));
		return;
	}
	ike_proposal_list(sa->conf->proposals.ike, sa->conf->proposals.n_ike,
	    list, sizeof(list));
	ike_sa_fail(sa, -EPROTO, true,
	    "the gateway accepted none of our IKE proposals (%s); set "
	    "proposals.ike to what the gateway allows",
	    list);
}

int
ike_init_on_notify(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_pld_notify n;

	if (ike_pld_find_notify(m->pld, m->n_pld, IKE_N_COOKIE, &n) == 0)
		return on_cookie(sa, &n);
	if (ike_pld_find_notify(
		m->pld, m->n_pld, IKE_N_INVALID_KE_PAYLOAD, &n) == 0)
		return on_invalid_ke(sa, &n);
	for (size_t i = 0; i < m->n_pld; i++) {
		if (m->pld[i].type != IKE_PLD_NOTIFY ||
		    ike_pld_parse_notify(&m->pld[i].body, &n) < 0)
			continue;
		if (n.type <= IKE_N_ERROR_MAX) {
			on_init_error(sa, n.type);
			return -EPROTO;
		}
	}
	ike_sa_fail(sa, -EPROTO, false,
	    "the gateway answered IKE_SA_INIT with status notifies only");
	return -EPROTO;
}

/* ---- The full response ---- */

/* The gateway's proposal must be one of ours (3.3.6). */
static int
resp_choice(
    struct ike_sa *sa, const struct ike_msg *m, struct ike_suite *ret_suite)
{
	const struct ike_pld_ref *ref =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_SA);
	struct ike_pld_sa *offer = malloc(sizeof(*offer));
	struct ike_pld_sa *chosen = malloc(sizeof(*chosen));
	char why[256] = "a malformed SA payload";
	uint32_t spi;
	int r = offer != NULL && chosen != NULL ? 0 : -ENOMEM;

	if (r == 0)
		r = ike_proposal_offer(sa->conf->proposals.ike,
		    sa->conf->proposals.n_ike, IKE_PROTO_IKE, 0, offer);
	if (r == 0 && (r = ike_pld_parse_sa(&ref->body, chosen)) == 0)
		r = ike_proposal_check(
		    offer, chosen, ret_suite, &sa->dh, &spi, why, sizeof(why));
	free(offer);
	free(chosen);
	if (r < 0)
		ike_sa_fail(sa, r, false,
		    "the gateway's IKE_SA_INIT choice is not ours: %s", why);
	return r;
}

/* Its KE must be for the group of ours, which it chose; keep Nr. */
static int
resp_ke_nonce(
    struct ike_sa *sa, const struct ike_msg *m, struct ike_pld_ke *ret_ke)
{
	const struct ike_pld_ref *ke =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_KE);
	const struct ike_pld_ref *no =
	    ike_pld_find(m->pld, m->n_pld, IKE_PLD_NONCE);
	struct ike_pld_nonce nonce;

	if (ike_pld_parse_ke(&ke->body, ret_ke) < 0 ||
	    ike_pld_parse_nonce(&no->body, &nonce) < 0) {
		ike_sa_fail(sa, -EBADMSG, false,
		    "the gateway's KE or nonce is malformed");
		return -EBADMSG;
	}
	if (ret_ke->group != sa->group || sa->dh != sa->group) {
		ike_sa_fail(sa, -EPROTO, false,
		    "the gateway chose DH group %s and sent a KE for %s, but "
		    "our KE was for %s",
		    names_dh(sa->dh, NAMES_TMP),
		    names_dh(ret_ke->group, NAMES_TMP),
		    names_dh(sa->group, NAMES_TMP));
		return -EPROTO;
	}
	sa->nr = buf_dup_rd(&nonce.data);
	return sa->nr != NULL ? 0 : -ENOMEM;
}

/* 2.14: g^ir, then SKEYSEED and the SK_* keys; the DH secret goes. */
static int
resp_keys(struct ike_sa *sa, const struct ike_suite *suite,
    const struct ike_pld_ke *ke)
{
	const struct rd *fixed = sa->hooks != NULL ? sa->hooks->g_ir : NULL;
	struct buf *g_ir = NULL;
	struct rd ni = buf_rd(sa->ni), nr = buf_rd(sa->nr), s;
	int r = 0;

	if (fixed != NULL)
		r = (g_ir = buf_dup_secret(fixed->p, fixed->len)) ? 0 : -ENOMEM;
	else
		r = kex_derive(sa->kex, &ke->data, &g_ir);
	if (r == 0) {
		s = buf_rd(g_ir);
		r = ike_keys_new(
		    suite, &s, &ni, &nr, sa->spi_i, sa->spi_r, true, &sa->keys);
	}
	buf_free(g_ir);
	kex_free(sa->kex);
	sa->kex = NULL;
	if (r < 0)
		ike_sa_fail(sa, r, false, "no keys from the gateway's KE (%s)",
		    r == -EBADMSG ? "an invalid public value" : strerror(-r));
	return r;
}

struct natd {
	bool seen;	/* the gateway sent NAT-D notifies */
	bool local_ok;	/* it saw our address as we know it */
	bool remote_ok; /* one of its source hashes is the address we use */
};

static void
natd_match(struct ike_sa *sa, const struct ike_msg *m, const uint8_t *h_local,
    const uint8_t *h_remote, struct natd *ret)
{
	struct ike_pld_notify n;
	struct rd h;

	for (size_t i = 0; i < m->n_pld; i++) {
		if (m->pld[i].type != IKE_PLD_NOTIFY ||
		    ike_pld_parse_notify(&m->pld[i].body, &n) < 0 ||
		    ike_pld_notify_natd(&n, &h) < 0)
			continue;
		ret->seen = true;
		if (n.type == IKE_N_NAT_DETECTION_DESTINATION_IP &&
		    crypto_memeq(h.p, h_local, CRYPTO_SHA1_LEN))
			ret->local_ok = true;
		if (n.type == IKE_N_NAT_DETECTION_SOURCE_IP &&
		    crypto_memeq(h.p, h_remote, CRYPTO_SHA1_LEN))
			ret->remote_ok = true;
	}
}

static int
nat_float(struct ike_sa *sa)
{
	int r = sa->sock != NULL ? sock_float(sa->sock) : 0;

	if (r < 0) {
		ike_sa_fail(sa, r, false, "cannot open the port-4500 path: %s",
		    strerror(-r));
		return r;
	}
	sa->natt = true;
	if (sa->behind_nat)
		ike_msg_keepalive(sa, true);
	return 0;
}

/* 2.23: NAT on either side, or a datapath that needs ESP in UDP, moves
 * everything to port 4500. */
static int
resp_nat(struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t h_local[CRYPTO_SHA1_LEN], h_remote[CRYPTO_SHA1_LEN];
	struct sockaddr_storage local, remote;
	struct natd d = { .seen = false };
	int r;

	r = ike_sa_addrs(sa, &local, &remote);
	if (r == 0)
		r = ike_natd_hash(sa, sa->spi_r, &local, h_local);
	if (r == 0)
		r = ike_natd_hash(sa, sa->spi_r, &remote, h_remote);
	if (r < 0) {
		ike_sa_fail(sa, r, false, "NAT detection: %s", strerror(-r));
		return r;
	}
	natd_match(sa, m, h_local, h_remote, &d);
	if (!d.seen && sa->creds->force_encap) {
		ike_sa_fail(sa, -EOPNOTSUPP, true,
		    "the gateway does not do NAT traversal (no NAT detection "
		    "notifies), but the userspace datapath needs ESP in UDP");
		return -EOPNOTSUPP;
	}
	sa->behind_nat = d.seen && !d.local_ok;
	if (sa->behind_nat)
		sa_info(sa, "we are behind a NAT");
	if (d.seen && !d.remote_ok)
		sa_info(sa, "the gateway is behind a NAT");
	if (!sa->behind_nat && d.remote_ok && !sa->creds->force_encap)
		return 0;
	return d.seen ? nat_float(sa) : 0;
}

static void
resp_caps(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_pld_notify n;

	sa->peer_frag = ike_pld_find_notify(m->pld, m->n_pld,
			    IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n) == 0;
	if (ike_pld_find_notify(
		m->pld, m->n_pld, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n) == 0 &&
	    ike_pld_notify_hashes(&n, &sa->peer_hashes) < 0)
		sa->peer_hashes = 0;
}

int
ike_init_on_response(struct ike_sa *sa, const struct ike_msg *m)
{
	static const uint8_t zero[IKE_SPI_LEN];
	struct ike_suite suite;
	struct ike_pld_ke ke;
	int r;

	if (crypto_memeq(m->hdr.spi_r, zero, IKE_SPI_LEN)) {
		ike_sa_fail(sa, -EBADMSG, false,
		    "the gateway's IKE_SA_INIT response has no SPI");
		return -EBADMSG;
	}
	memcpy(sa->spi_r, m->hdr.spi_r, IKE_SPI_LEN);
	ike_sa_update_tag(sa);
	r = resp_choice(sa, m, &suite);
	if (r == 0)
		r = resp_ke_nonce(sa, m, &ke);
	if (r == 0)
		r = resp_keys(sa, &suite, &ke);
	if (r == 0)
		r = resp_nat(sa, m);
	if (r < 0)
		return r;
	resp_caps(sa, m);
	sa->init_resp = buf_dup_rd(&m->raw);
	if (sa->init_resp == NULL) {
		ike_sa_fail(sa, -ENOMEM, false, "out of memory");
		return -ENOMEM;
	}
	sa->msgid = 1;
	ike_proposal_name(&suite, sa->dh, sa->proposal, sizeof(sa->proposal));
	sa_info(sa, "IKE SA keys with %s%s%s", sa->proposal,
	    sa->natt ? ", UDP encapsulation on port 4500" : "",
	    sa->peer_frag ? ", IKE fragmentation" : "");
	return ike_auth_start(sa);
}
