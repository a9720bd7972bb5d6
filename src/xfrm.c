/* SPDX-License-Identifier: ISC */
/*
 * xfrm.c: XFRM states, policies and events over NETLINK_XFRM (see
 * xfrm.h).  The kernel side is net/xfrm/xfrm_user.c; message shapes follow
 * iproute2's `ip xfrm` and strongSwan's kernel-netlink plugin.  ESP is
 * RFC 4303, its AEAD keying RFC 4106 section 8.1 (key + 4-byte salt) and
 * RFC 7634 section 2, UDP encapsulation RFC 3948, HMAC truncations RFC
 * 2404 and RFC 4868 section 2.3.
 */
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <linux/udp.h>
#include <linux/xfrm.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "buf.h"
#include "log.h"
#include "rtnl.h"
#include "xfrm.h"

#define XFRM_AEAD_SALT_LEN 4 /* bytes after the key (RFC 4106 8.1) */
#define XFRM_PROBE_TRIES   4 /* if_ids tried for the probe link */

const unsigned int xfrm_monitor_groups[] = {
	XFRMNLGRP_EXPIRE,
};
const size_t xfrm_monitor_n_groups = ARRAY_SIZE(xfrm_monitor_groups);

struct xfrm_encr_alg {
	enum ike_encr id;
	const char *name;    /* the kernel's crypto API name */
	uint16_t icv_bits;   /* AEAD only; 0 for a cipher */
	uint8_t key_lens[3]; /* bytes accepted (with salt); 0 = end */
};

struct xfrm_integ_alg {
	enum ike_integ id;
	const char *name;
	uint16_t trunc_bits; /* ICV length on the wire */
	uint8_t key_len;     /* bytes: the HMAC's output size */
};

static const struct xfrm_encr_alg encr_algs[] = {
	{ IKE_ENCR_AES_CBC, "cbc(aes)", 0, { 16, 24, 32 } },
	{ IKE_ENCR_AES_GCM_8, "rfc4106(gcm(aes))", 64, { 20, 28, 36 } },
	{ IKE_ENCR_AES_GCM_12, "rfc4106(gcm(aes))", 96, { 20, 28, 36 } },
	{ IKE_ENCR_AES_GCM_16, "rfc4106(gcm(aes))", 128, { 20, 28, 36 } },
	{ IKE_ENCR_CHACHA20_POLY1305, "rfc7539esp(chacha20,poly1305)", 128,
	    { 36 } },
};

static const struct xfrm_integ_alg integ_algs[] = {
	{ IKE_INTEG_HMAC_SHA1_96, "hmac(sha1)", 96, 20 },
	{ IKE_INTEG_HMAC_SHA2_256_128, "hmac(sha256)", 128, 32 },
	{ IKE_INTEG_HMAC_SHA2_384_192, "hmac(sha384)", 192, 48 },
	{ IKE_INTEG_HMAC_SHA2_512_256, "hmac(sha512)", 256, 64 },
};

/* What we read from states, policies and events; the rest is skipped. */
static const struct nl_policy xfrm_policy[] = {
	[XFRMA_ALG_AUTH] = { NL_A_MIN, sizeof(struct xfrm_algo) },
	[XFRMA_ALG_CRYPT] = { NL_A_MIN, sizeof(struct xfrm_algo) },
	[XFRMA_ENCAP] = { NL_A_EXACT, sizeof(struct xfrm_encap_tmpl) },
	[XFRMA_TMPL] = { NL_A_MIN, sizeof(struct xfrm_user_tmpl) },
	[XFRMA_ALG_AEAD] = { NL_A_MIN, sizeof(struct xfrm_algo_aead) },
	[XFRMA_ALG_AUTH_TRUNC] = { NL_A_MIN, sizeof(struct xfrm_algo_auth) },
	[XFRMA_REPLAY_ESN_VAL] = { NL_A_MIN,
	    sizeof(struct xfrm_replay_state_esn) },
	[XFRMA_IF_ID] = { NL_A_U32, 0 },
};

static const struct xfrm_encr_alg *
xfrm_encr_find(enum ike_encr id)
{
	for (size_t i = 0; i < ARRAY_SIZE(encr_algs); i++)
		if (encr_algs[i].id == id)
			return &encr_algs[i];
	return NULL;
}

static const struct xfrm_integ_alg *
xfrm_integ_find(enum ike_integ id)
{
	for (size_t i = 0; i < ARRAY_SIZE(integ_algs); i++)
		if (integ_algs[i].id == id)
			return &integ_algs[i];
	return NULL;
}

const char *
xfrm_encr_name(enum ike_encr id)
{
	const struct xfrm_encr_alg *a = xfrm_encr_find(id);

	return a != NULL ? a->name : NULL;
}

const char *
xfrm_integ_name(enum ike_integ id)
{
	const struct xfrm_integ_alg *a = xfrm_integ_find(id);

	return a != NULL ? a->name : NULL;
}

static void
xfrm_addr_put(xfrm_address_t *x, const struct nl_addr *a)
{
	memset(x, 0, sizeof(*x));
	memcpy(x, a->bytes, nl_addr_size(a->family));
}

static void
xfrm_addr_get(struct nl_addr *a, const xfrm_address_t *x, int family)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->bytes, x, nl_addr_size(family));
}

static bool
xfrm_addr_pair_ok(const struct nl_addr *src, const struct nl_addr *dst)
{
	return nl_addr_size(src->family) > 0 && src->family == dst->family;
}

/*
 * States.
 */

static bool
xfrm_key_len_ok(const struct xfrm_encr_alg *a, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(a->key_lens); i++)
		if (a->key_lens[i] != 0 && a->key_lens[i] == len)
			return true;
	return false;
}

static int
xfrm_sa_check(const struct xfrm_sa *sa)
{
	const struct xfrm_encr_alg *e = xfrm_encr_find(sa->encr);
	const struct xfrm_integ_alg *i = xfrm_integ_find(sa->integ);

	if (!xfrm_addr_pair_ok(&sa->src, &sa->dst) || sa->spi < XFRM_SPI_MIN)
		return -EINVAL;
	if (sa->replay_window > XFRM_REPLAY_MAX ||
	    (sa->esn && sa->replay_window == 0))
		return -EINVAL;
	if (e == NULL)
		return -EOPNOTSUPP;
	if (!xfrm_key_len_ok(e, sa->encr_key.len))
		return -EINVAL;
	/* An AEAD has its own ICV; a cipher needs an integrity algorithm. */
	if (e->icv_bits != 0)
		return sa->integ == IKE_INTEG_NONE ? 0 : -EINVAL;
	if (i == NULL)
		return sa->integ == IKE_INTEG_NONE ? -EINVAL : -EOPNOTSUPP;
	return sa->integ_key.len == i->key_len ? 0 : -EINVAL;
}

static uint64_t
xfrm_limit(uint64_t v)
{
	return v == 0 ? XFRM_INF : v;
}

/* The replay window fits the legacy 32-bit bitmap of xfrm_usersa_info;
 * larger ones and ESN need XFRMA_REPLAY_ESN_VAL. */
static bool
xfrm_sa_legacy_replay(const struct xfrm_sa *sa)
{
	return !sa->esn && sa->replay_window <= 32;
}

static void
xfrm_sa_fill(struct xfrm_usersa_info *p, const struct xfrm_sa *sa)
{
	const struct xfrm_sa_lifetime *l = &sa->lifetime;

	xfrm_addr_put(&p->id.daddr, &sa->dst);
	p->id.spi = htonl(sa->spi);
	p->id.proto = IPPROTO_ESP;
	xfrm_addr_put(&p->saddr, &sa->src);
	p->family = sa->dst.family;
	p->mode = XFRM_MODE_TUNNEL;
	p->reqid = sa->reqid;
	p->lft.soft_byte_limit = xfrm_limit(l->soft_bytes);
	p->lft.hard_byte_limit = xfrm_limit(l->hard_bytes);
	p->lft.soft_packet_limit = xfrm_limit(l->soft_packets);
	p->lft.hard_packet_limit = xfrm_limit(l->hard_packets);
	p->lft.soft_add_expires_seconds = l->soft_seconds;
	p->lft.hard_add_expires_seconds = l->hard_seconds;
	if (xfrm_sa_legacy_replay(sa))
		p->replay_window = (uint8_t)sa->replay_window;
	/* Tunnel mode: the empty selector takes inner packets of either
	 * family (an IPv6 VNet over an IPv4 gateway). */
	p->flags = XFRM_STATE_AF_UNSPEC;
	if (sa->esn)
		p->flags |= XFRM_STATE_ESN;
}

static void
xfrm_put_encr(
    struct nl_msg *m, const struct xfrm_sa *sa, const struct xfrm_encr_alg *e)
{
	size_t len = sa->encr_key.len;

	if (e->icv_bits != 0) {
		struct xfrm_algo_aead *a;

		a = nl_msg_put_reserve(m, XFRMA_ALG_AEAD, sizeof(*a) + len);
		if (a == NULL)
			return;
		(void)snprintf(a->alg_name, sizeof(a->alg_name), "%s", e->name);
		a->alg_key_len = (unsigned int)(len * 8); /* salt included */
		a->alg_icv_len = e->icv_bits;
		memcpy(a->alg_key, sa->encr_key.p, len);
	} else {
		struct xfrm_algo *a;

		a = nl_msg_put_reserve(m, XFRMA_ALG_CRYPT, sizeof(*a) + len);
		if (a == NULL)
			return;
		(void)snprintf(a->alg_name, sizeof(a->alg_name), "%s", e->name);
		a->alg_key_len = (unsigned int)(len * 8);
		memcpy(a->alg_key, sa->encr_key.p, len);
	}
}

static void
xfrm_put_integ(
    struct nl_msg *m, const struct xfrm_sa *sa, const struct xfrm_integ_alg *i)
{
	size_t len = sa->integ_key.len;
	struct xfrm_algo_auth *a;

	/* XFRMA_ALG_AUTH would truncate every HMAC to 96 bits. */
	a = nl_msg_put_reserve(m, XFRMA_ALG_AUTH_TRUNC, sizeof(*a) + len);
	if (a == NULL)
		return;
	(void)snprintf(a->alg_name, sizeof(a->alg_name), "%s", i->name);
	a->alg_key_len = (unsigned int)(len * 8);
	a->alg_trunc_len = i->trunc_bits;
	memcpy(a->alg_key, sa->integ_key.p, len);
}

static void
xfrm_put_encap(struct nl_msg *m, const struct xfrm_sa *sa)
{
	struct xfrm_encap_tmpl e = { 0 };

	e.encap_type = UDP_ENCAP_ESPINUDP;
	e.encap_sport = htons(sa->encap_sport);
	e.encap_dport = htons(sa->encap_dport);
	nl_msg_put(m, XFRMA_ENCAP, &e, sizeof(e));
}

static void
xfrm_put_replay_esn(struct nl_msg *m, const struct xfrm_sa *sa)
{
	uint32_t words = (sa->replay_window + 31) / 32;
	struct xfrm_replay_state_esn *r;

	r = nl_msg_put_reserve(
	    m, XFRMA_REPLAY_ESN_VAL, sizeof(*r) + words * sizeof(uint32_t));
	if (r == NULL)
		return;
	r->bmp_len = words;
	r->replay_window = sa->replay_window;
}

int
xfrm_state_build(void *buf, size_t cap, const struct xfrm_sa *sa, bool update)
{
	const struct xfrm_encr_alg *encr = xfrm_encr_find(sa->encr);
	const struct xfrm_integ_alg *integ = xfrm_integ_find(sa->integ);
	struct xfrm_usersa_info *p;
	struct nl_msg m;
	int r;

	if ((r = xfrm_sa_check(sa)) < 0 || encr == NULL)
		return r < 0 ? r : -EOPNOTSUPP;
	nl_msg_init(&m, buf, cap, update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, 0);
	p = nl_msg_put_fixed(&m, sizeof(*p));
	if (p != NULL)
		xfrm_sa_fill(p, sa);
	xfrm_put_encr(&m, sa, encr);
	if (integ != NULL) /* else an AEAD */
		xfrm_put_integ(&m, sa, integ);
	if (sa->encap_sport != 0 || sa->encap_dport != 0)
		xfrm_put_encap(&m, sa);
	if (!xfrm_sa_legacy_replay(sa))
		xfrm_put_replay_esn(&m, sa);
	if (sa->if_id != 0)
		nl_msg_put_u32(&m, XFRMA_IF_ID, sa->if_id);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
xfrm_spi_alloc_build(void *buf, size_t cap, const struct nl_addr *src,
    const struct nl_addr *dst, uint32_t reqid, uint32_t if_id, uint32_t min,
    uint32_t max)
{
	struct xfrm_userspi_info *p;
	struct nl_msg m;

	if (!xfrm_addr_pair_ok(src, dst) || min == 0 || min > max)
		return -EINVAL;
	nl_msg_init(&m, buf, cap, XFRM_MSG_ALLOCSPI, 0);
	p = nl_msg_put_fixed(&m, sizeof(*p));
	if (p != NULL) {
		xfrm_addr_put(&p->info.id.daddr, dst);
		p->info.id.proto = IPPROTO_ESP;
		xfrm_addr_put(&p->info.saddr, src);
		p->info.family = dst->family;
		p->info.mode = XFRM_MODE_TUNNEL;
		p->info.reqid = reqid;
		p->min = min;
		p->max = max;
	}
	if (if_id != 0)
		nl_msg_put_u32(&m, XFRMA_IF_ID, if_id);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
xfrm_state_id_build(void *buf, size_t cap, uint16_t type,
    const struct nl_addr *dst, uint32_t spi)
{
	struct xfrm_usersa_id *id;
	struct nl_msg m;

	if ((type != XFRM_MSG_DELSA && type != XFRM_MSG_GETSA) ||
	    nl_addr_size(dst->family) == 0)
		return -EINVAL;
	nl_msg_init(&m, buf, cap, type, 0);
	id = nl_msg_put_fixed(&m, sizeof(*id));
	if (id != NULL) {
		xfrm_addr_put(&id->daddr, dst);
		id->spi = htonl(spi);
		id->family = dst->family;
		id->proto = IPPROTO_ESP;
	}
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

/* Build, send, wipe: the buffer held keys. */
static int
xfrm_state_send(struct nl *nl, const struct xfrm_sa *sa, bool update)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	int r;

	r = xfrm_state_build(buf, sizeof(buf), sa, update);
	if (r == 0)
		r = nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
	wipe(buf, sizeof(buf));
	return r;
}

int
xfrm_state_add(struct nl *nl, const struct xfrm_sa *sa)
{
	return xfrm_state_send(nl, sa, false);
}

int
xfrm_state_update(struct nl *nl, const struct xfrm_sa *sa)
{
	return xfrm_state_send(nl, sa, true);
}

int
xfrm_state_del(struct nl *nl, const struct nl_addr *dst, uint32_t spi)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	int r;

	r = xfrm_state_id_build(buf, sizeof(buf), XFRM_MSG_DELSA, dst, spi);
	if (r < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

static int
xfrm_state_get_cb(const struct nlmsghdr *nlh, void *arg)
{
	return xfrm_state_parse(nlh, arg);
}

int
xfrm_state_get(struct nl *nl, const struct nl_addr *dst, uint32_t spi,
    struct xfrm_sa_info *ret)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sa_info info = { 0 };
	int r;

	r = xfrm_state_id_build(buf, sizeof(buf), XFRM_MSG_GETSA, dst, spi);
	if (r < 0)
		return r;
	r = nl_request(nl, (struct nlmsghdr *)buf, xfrm_state_get_cb, &info);
	if (r < 0)
		return r;
	if (info.spi == 0)
		return -EBADMSG; /* ACKed without an answer */
	*ret = info;
	return 0;
}

static int
xfrm_spi_alloc_cb(const struct nlmsghdr *nlh, void *arg)
{
	return xfrm_state_parse(nlh, arg);
}

int
xfrm_spi_alloc(struct nl *nl, const struct nl_addr *src,
    const struct nl_addr *dst, uint32_t reqid, uint32_t if_id,
    uint32_t *ret_spi)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sa_info info = { 0 };
	int r;

	r = xfrm_spi_alloc_build(buf, sizeof(buf), src, dst, reqid, if_id,
	    XFRM_SPI_MIN, XFRM_SPI_MAX);
	if (r < 0)
		return r;
	r = nl_request(nl, (struct nlmsghdr *)buf, xfrm_spi_alloc_cb, &info);
	if (r < 0)
		return r;
	if (info.spi < XFRM_SPI_MIN)
		return -EBADMSG;
	*ret_spi = info.spi;
	return 0;
}

/*
 * Policies.
 */

static bool
xfrm_sp_sel_ok(const struct xfrm_sp *sp)
{
	return nl_prefix_valid(&sp->src) && nl_prefix_valid(&sp->dst) &&
	    sp->src.addr.family == sp->dst.addr.family &&
	    (unsigned)sp->dir <= XFRM_SP_FWD;
}

static void
xfrm_sel_fill(struct xfrm_selector *sel, const struct xfrm_sp *sp)
{
	xfrm_addr_put(&sel->daddr, &sp->dst.addr);
	xfrm_addr_put(&sel->saddr, &sp->src.addr);
	sel->family = sp->src.addr.family;
	sel->prefixlen_d = sp->dst.len;
	sel->prefixlen_s = sp->src.len;
	sel->proto = sp->ip_proto;
}

static void
xfrm_put_tmpl(struct nl_msg *m, const struct xfrm_sp *sp)
{
	struct xfrm_user_tmpl t = { 0 };

	xfrm_addr_put(&t.id.daddr, &sp->tmpl_dst);
	t.id.proto = IPPROTO_ESP;
	t.family = sp->tmpl_dst.family;
	xfrm_addr_put(&t.saddr, &sp->tmpl_src);
	t.reqid = sp->reqid;
	t.mode = XFRM_MODE_TUNNEL;
	t.aalgos = t.ealgos = t.calgos = ~0U; /* the state decides */
	nl_msg_put(m, XFRMA_TMPL, &t, sizeof(t));
}

int
xfrm_policy_build(void *buf, size_t cap, const struct xfrm_sp *sp, bool update)
{
	struct xfrm_userpolicy_info *p;
	struct nl_msg m;

	if (!xfrm_sp_sel_ok(sp) ||
	    !xfrm_addr_pair_ok(&sp->tmpl_src, &sp->tmpl_dst))
		return -EINVAL;
	nl_msg_init(
	    &m, buf, cap, update ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY, 0);
	p = nl_msg_put_fixed(&m, sizeof(*p));
	if (p != NULL) {
		xfrm_sel_fill(&p->sel, sp);
		p->lft.soft_byte_limit = p->lft.hard_byte_limit = XFRM_INF;
		p->lft.soft_packet_limit = p->lft.hard_packet_limit = XFRM_INF;
		p->priority = sp->priority;
		p->dir = (uint8_t)sp->dir;
		p->action = XFRM_POLICY_ALLOW;
		p->share = XFRM_SHARE_ANY;
	}
	xfrm_put_tmpl(&m, sp);
	if (sp->if_id != 0)
		nl_msg_put_u32(&m, XFRMA_IF_ID, sp->if_id);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

int
xfrm_policy_del_build(void *buf, size_t cap, const struct xfrm_sp *sp)
{
	struct xfrm_userpolicy_id *id;
	struct nl_msg m;

	if (!xfrm_sp_sel_ok(sp))
		return -EINVAL;
	nl_msg_init(&m, buf, cap, XFRM_MSG_DELPOLICY, 0);
	id = nl_msg_put_fixed(&m, sizeof(*id));
	if (id != NULL) {
		xfrm_sel_fill(&id->sel, sp);
		id->dir = (uint8_t)sp->dir;
	}
	/* The kernel looks policies up by selector, dir and if_id. */
	if (sp->if_id != 0)
		nl_msg_put_u32(&m, XFRMA_IF_ID, sp->if_id);
	return nl_msg_ok(&m) ? 0 : -ENOSPC;
}

static int
xfrm_policy_send(struct nl *nl, const struct xfrm_sp *sp, bool update)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	int r;

	if ((r = xfrm_policy_build(buf, sizeof(buf), sp, update)) < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

int
xfrm_policy_add(struct nl *nl, const struct xfrm_sp *sp)
{
	return xfrm_policy_send(nl, sp, false);
}

int
xfrm_policy_update(struct nl *nl, const struct xfrm_sp *sp)
{
	return xfrm_policy_send(nl, sp, true);
}

int
xfrm_policy_del(struct nl *nl, const struct xfrm_sp *sp)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	int r;

	if ((r = xfrm_policy_del_build(buf, sizeof(buf), sp)) < 0)
		return r;
	return nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL);
}

/* Built in an 8-byte aligned buffer (the policy's lifetimes are 64-bit)
 * and copied in: a batch aligns its messages to 4 bytes only. */
static int
xfrm_batch_put(struct nl_batch *b, const void *buf)
{
	const struct nlmsghdr *nlh = buf;
	void *p = nl_batch_reserve(b, nlh->nlmsg_len);

	if (p == NULL)
		return -ENOMEM;
	memcpy(p, buf, nlh->nlmsg_len);
	return nl_batch_commit(b);
}

int
xfrm_policy_batch(struct nl_batch *b, const struct xfrm_sp *sp, bool update)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	int r;

	if ((r = xfrm_policy_build(buf, sizeof(buf), sp, update)) < 0)
		return r;
	return xfrm_batch_put(b, buf);
}

int
xfrm_policy_del_batch(struct nl_batch *b, const struct xfrm_sp *sp)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	int r;

	if ((r = xfrm_policy_del_build(buf, sizeof(buf), sp)) < 0)
		return r;
	return xfrm_batch_put(b, buf);
}

/*
 * Parsers.
 */

static int
xfrm_sa_info_fill(const struct xfrm_usersa_info *p,
    const struct nlattr *const *tb, struct xfrm_sa_info *ret)
{
	struct xfrm_sa_info info = { 0 };

	if (nl_addr_size(p->family) == 0)
		return -EOPNOTSUPP;
	xfrm_addr_get(&info.src, &p->saddr, p->family);
	xfrm_addr_get(&info.dst, &p->id.daddr, p->family);
	info.spi = ntohl(p->id.spi);
	info.proto = p->id.proto;
	info.mode = p->mode;
	info.reqid = p->reqid;
	info.bytes = p->curlft.bytes;
	info.packets = p->curlft.packets;
	info.add_time = p->curlft.add_time;
	info.use_time = p->curlft.use_time;
	info.replay_drops = p->stats.replay;
	info.replay_window_drops = p->stats.replay_window;
	info.integrity_failed = p->stats.integrity_failed;
	if (tb[XFRMA_IF_ID] != NULL)
		info.if_id = mnl_attr_get_u32(tb[XFRMA_IF_ID]);
	if (tb[XFRMA_ENCAP] != NULL) {
		struct xfrm_encap_tmpl e;

		memcpy(&e, mnl_attr_get_payload(tb[XFRMA_ENCAP]), sizeof(e));
		info.encap_sport = ntohs(e.encap_sport);
		info.encap_dport = ntohs(e.encap_dport);
	}
	*ret = info;
	return 0;
}

int
xfrm_state_parse(const struct nlmsghdr *nlh, struct xfrm_sa_info *ret)
{
	const struct nlattr *tb[ARRAY_SIZE(xfrm_policy)];
	struct xfrm_usersa_info p;
	int r;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA)
		return -EOPNOTSUPP;
	r = nl_attr_parse(
	    nlh, sizeof(p), xfrm_policy, ARRAY_SIZE(xfrm_policy), tb);
	if (r < 0)
		return r;
	nl_msg_get_fixed(nlh, &p, sizeof(p));
	return xfrm_sa_info_fill(&p, tb, ret);
}

/* The first template of XFRMA_TMPL, an array of whole templates. */
static int
xfrm_tmpl_get(const struct nlattr *attr, struct xfrm_sp *sp)
{
	size_t len = mnl_attr_get_payload_len(attr);
	struct xfrm_user_tmpl t;

	if (len % sizeof(t) != 0)
		return -EBADMSG;
	memcpy(&t, mnl_attr_get_payload(attr), sizeof(t));
	if (nl_addr_size(t.family) == 0)
		return -EOPNOTSUPP;
	xfrm_addr_get(&sp->tmpl_dst, &t.id.daddr, t.family);
	xfrm_addr_get(&sp->tmpl_src, &t.saddr, t.family);
	sp->reqid = t.reqid;
	return 0;
}

static int
xfrm_sp_fill(const struct xfrm_userpolicy_info *p,
    const struct nlattr *const *tb, struct xfrm_sp *ret)
{
	struct xfrm_sp sp = { 0 };
	const struct xfrm_selector *sel = &p->sel;
	int r;

	/* Socket policies (dir >= XFRM_POLICY_MAX) are not ours to see. */
	if (nl_addr_size(sel->family) == 0 || p->dir > XFRM_SP_FWD)
		return -EOPNOTSUPP;
	xfrm_addr_get(&sp.src.addr, &sel->saddr, sel->family);
	xfrm_addr_get(&sp.dst.addr, &sel->daddr, sel->family);
	sp.src.len = sel->prefixlen_s;
	sp.dst.len = sel->prefixlen_d;
	if (!nl_prefix_valid(&sp.src) || !nl_prefix_valid(&sp.dst))
		return -EBADMSG;
	sp.ip_proto = sel->proto;
	sp.dir = (enum xfrm_sp_dir)p->dir;
	sp.priority = p->priority;
	sp.index = p->index;
	if (tb[XFRMA_IF_ID] != NULL)
		sp.if_id = mnl_attr_get_u32(tb[XFRMA_IF_ID]);
	if (tb[XFRMA_TMPL] != NULL && (r = xfrm_tmpl_get(tb[XFRMA_TMPL], &sp)))
		return r;
	*ret = sp;
	return 0;
}

int
xfrm_policy_parse(const struct nlmsghdr *nlh, struct xfrm_sp *ret)
{
	const struct nlattr *tb[ARRAY_SIZE(xfrm_policy)];
	struct xfrm_userpolicy_info p;
	int r;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY)
		return -EOPNOTSUPP;
	r = nl_attr_parse(
	    nlh, sizeof(p), xfrm_policy, ARRAY_SIZE(xfrm_policy), tb);
	if (r < 0)
		return r;
	nl_msg_get_fixed(nlh, &p, sizeof(p));
	return xfrm_sp_fill(&p, tb, ret);
}

static int
xfrm_expire_parse(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	const struct nlattr *tb[ARRAY_SIZE(xfrm_policy)];
	struct xfrm_user_expire ue;
	int r;

	r = nl_attr_parse(
	    nlh, sizeof(ue), xfrm_policy, ARRAY_SIZE(xfrm_policy), tb);
	if (r < 0)
		return r;
	nl_msg_get_fixed(nlh, &ue, sizeof(ue));
	ev->type = ue.hard ? XFRM_EV_EXPIRE_HARD : XFRM_EV_EXPIRE_SOFT;
	return xfrm_sa_info_fill(&ue.state, tb, &ev->sa);
}

static int
xfrm_acquire_parse(const struct nlmsghdr *nlh, struct xfrm_event *ev)
{
	const struct nlattr *tb[ARRAY_SIZE(xfrm_policy)];
	struct xfrm_user_acquire ua;
	int family, r;

	r = nl_attr_parse(
	    nlh, sizeof(ua), xfrm_policy, ARRAY_SIZE(xfrm_policy), tb);
	if (r < 0)
		return r;
	nl_msg_get_fixed(nlh, &ua, sizeof(ua));
	ev->type = XFRM_EV_ACQUIRE;
	if ((r = xfrm_sp_fill(&ua.policy, tb, &ev->acquire.policy)) < 0)
		return r;
	/* The outer addresses are the template's; without one, the
	 * selector's family is all we have. */
	family = ev->acquire.policy.tmpl_dst.family;
	if (family == AF_UNSPEC)
		family = ua.policy.sel.family;
	xfrm_addr_get(&ev->acquire.src, &ua.saddr, family);
	xfrm_addr_get(&ev->acquire.dst, &ua.id.daddr, family);
	ev->acquire.seq = ua.seq;
	return 0;
}

int
xfrm_event_parse(const struct nlmsghdr *nlh, struct xfrm_event *ret)
{
	struct xfrm_event ev = { 0 };
	int r;

	switch (nlh->nlmsg_type) {
	case XFRM_MSG_EXPIRE:
		r = xfrm_expire_parse(nlh, &ev);
		break;
	case XFRM_MSG_ACQUIRE:
		r = xfrm_acquire_parse(nlh, &ev);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (r == 0)
		*ret = ev;
	return r;
}

/*
 * Dumps and cleanup.
 */

struct xfrm_walk {
	int (*sa_cb)(const struct xfrm_sa_info *, void *);
	int (*sp_cb)(const struct xfrm_sp *, void *);
	void *arg;
};

static int
xfrm_state_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_walk *w = arg;
	struct xfrm_sa_info info;
	int r;

	r = xfrm_state_parse(nlh, &info);
	if (r == -EOPNOTSUPP)
		return 0;
	return r < 0 ? r : w->sa_cb(&info, w->arg);
}

static int
xfrm_policy_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_walk *w = arg;
	struct xfrm_sp sp;
	int r;

	r = xfrm_policy_parse(nlh, &sp);
	if (r == -EOPNOTSUPP)
		return 0;
	return r < 0 ? r : w->sp_cb(&sp, w->arg);
}

static int
xfrm_dump(struct nl *nl, uint16_t type, nl_msg_cb cb, struct xfrm_walk *w)
{
	_Alignas(8) uint8_t buf[NLMSG_HDRLEN];
	struct nl_msg m;

	/* A dump request is the bare header: the kernel reads no fixed
	 * part for GETSA/GETPOLICY dumps. */
	nl_msg_init(&m, buf, sizeof(buf), type, 0);
	if (!nl_msg_ok(&m))
		return -ENOSPC;
	return nl_dump(nl, m.nlh, cb, w);
}

int
xfrm_state_dump(
    struct nl *nl, int (*cb)(const struct xfrm_sa_info *, void *), void *arg)
{
	struct xfrm_walk w = { .sa_cb = cb, .arg = arg };

	return xfrm_dump(nl, XFRM_MSG_GETSA, xfrm_state_dump_cb, &w);
}

int
xfrm_policy_dump(
    struct nl *nl, int (*cb)(const struct xfrm_sp *, void *), void *arg)
{
	struct xfrm_walk w = { .sp_cb = cb, .arg = arg };

	return xfrm_dump(nl, XFRM_MSG_GETPOLICY, xfrm_policy_dump_cb, &w);
}

struct xfrm_flush {
	uint32_t if_id;
	struct nl_batch *batch; /* the deletes, sent after the dumps */
};

static int
xfrm_flush_sa_cb(const struct xfrm_sa_info *info, void *arg)
{
	struct xfrm_flush *f = arg;
	void *buf;

	if (info->if_id != f->if_id || info->proto != IPPROTO_ESP)
		return 0;
	if ((buf = nl_batch_reserve(f->batch, XFRM_REQ_MAX)) == NULL)
		return -ENOMEM;
	if (xfrm_state_id_build(
		buf, XFRM_REQ_MAX, XFRM_MSG_DELSA, &info->dst, info->spi) < 0)
		return -EINVAL;
	return nl_batch_commit(f->batch);
}

static int
xfrm_flush_sp_cb(const struct xfrm_sp *sp, void *arg)
{
	struct xfrm_flush *f = arg;

	if (sp->if_id != f->if_id)
		return 0;
	return xfrm_policy_del_batch(f->batch, sp);
}

/* Deletes that found nothing raced with an expiry: the goal is met. */
static int
xfrm_flush_count(const struct nl_batch *b, size_t *ret_n)
{
	size_t n = 0;
	int r, first = 0;

	for (size_t i = 0; i < nl_batch_count(b); i++) {
		r = nl_batch_result(b, i);
		if (r == 0)
			n++;
		else if (r != -ESRCH && r != -ENOENT && first == 0)
			first = r;
	}
	if (first == 0 && ret_n != NULL)
		*ret_n = n;
	return first;
}

int
xfrm_flush_if_id(struct nl *nl, uint32_t if_id, size_t *ret_n)
{
	struct xfrm_flush f = { .if_id = if_id };
	int r;

	if (if_id == 0)
		return -EINVAL; /* would match everything without an if_id */
	if ((f.batch = nl_batch_new()) == NULL)
		return -ENOMEM;
	r = xfrm_state_dump(nl, xfrm_flush_sa_cb, &f);
	if (r == 0)
		r = xfrm_policy_dump(nl, xfrm_flush_sp_cb, &f);
	if (r == 0 && nl_batch_count(f.batch) > 0) {
		r = nl_batch_send(nl, f.batch);
		if (r == 0 || r == -ESRCH || r == -ENOENT)
			r = xfrm_flush_count(f.batch, ret_n);
	} else if (r == 0 && ret_n != NULL)
		*ret_n = 0;
	nl_batch_free(f.batch);
	return r;
}

/*
 * The probe.
 */

static const uint8_t probe_key[64]; /* never protects anything */

static void
xfrm_probe_why(struct xfrm_probe *p, struct nl *nl, const char *what, int err)
{
	const char *text = nl_errmsg(nl);

	if (p->reason[0] != '\0')
		return; /* the first missing piece is the one to report */
	(void)snprintf(p->reason, sizeof(p->reason), "kernel has no %s: %s%s%s",
	    what, text, text[0] != '\0' ? ": " : "", strerror(-err));
}

/* Install a state on a fresh kernel-chosen SPI to 127.0.0.1, then delete
 * it.  Returns 1 when the kernel took it, 0 when not (the reason noted in
 * p), or -errno when no SPI could be had: the probe cannot run. */
static int
xfrm_probe_state(struct nl *nl, struct xfrm_probe *p, const char *what,
    enum ike_encr encr, size_t key_len, bool encap)
{
	struct xfrm_sa sa = { 0 };
	bool aead = encr != IKE_ENCR_AES_CBC;
	int r;

	sa.src.family = sa.dst.family = AF_INET;
	sa.src.in.s_addr = sa.dst.in.s_addr = htonl(INADDR_LOOPBACK);
	if ((r = xfrm_spi_alloc(nl, &sa.src, &sa.dst, 0, 0, &sa.spi)) < 0)
		return r;
	sa.encr = encr;
	sa.encr_key = rd_make(probe_key, key_len);
	sa.integ = aead ? IKE_INTEG_NONE : IKE_INTEG_HMAC_SHA2_256_128;
	sa.integ_key = rd_make(probe_key, aead ? 0 : 32);
	sa.encap_sport = sa.encap_dport = encap ? IKE_NATT_PORT : 0;
	r = xfrm_state_update(nl, &sa);
	if (r < 0)
		xfrm_probe_why(p, nl, what, r); /* before the next request */
	/* Removes the full state, or the larval one the update left. */
	if (xfrm_state_del(nl, &sa.dst, sa.spi) < 0)
		log_debug("probe state 0x%08x: %s", sa.spi, nl_errmsg(nl));
	return r == 0;
}

static int
xfrm_probe_esp(struct nl *nl, struct xfrm_probe *p)
{
	int r;

	r = xfrm_probe_state(nl, p, "ESP (cbc(aes) + hmac(sha256))",
	    IKE_ENCR_AES_CBC, 16, false);
	if (r <= 0)
		return r; /* without ESP there is nothing more to try */
	p->esp = p->cbc_hmac = true;
	r = xfrm_probe_state(
	    nl, p, "rfc4106(gcm(aes))", IKE_ENCR_AES_GCM_16, 20, false);
	if (r < 0)
		return r;
	p->gcm = r == 1;
	r = xfrm_probe_state(nl, p, "ESP in UDP", IKE_ENCR_AES_CBC, 16, true);
	if (r < 0)
		return r;
	p->espinudp = r == 1;
	return 0;
}

static int
xfrm_probe_xfrmi(struct nl *route, struct xfrm_probe *p)
{
	char name[IFNAMSIZ];
	unsigned int ifindex;
	uint32_t if_id;
	int r = -EEXIST;

	(void)snprintf(
	    name, sizeof(name), "p2sprobe%x", (unsigned)getpid() & 0xfffffff);
	/* A leftover of an earlier probe by a process with our pid. */
	if (rtnl_link_index(route, name, &ifindex) == 0 &&
	    rtnl_link_del(route, ifindex) < 0)
		log_debug("could not remove an old %s", name);
	for (int i = 0; i < XFRM_PROBE_TRIES && r == -EEXIST; i++) {
		if (getrandom(&if_id, sizeof(if_id), 0) != sizeof(if_id))
			return -errno;
		/* The if_id must be unused in this namespace: EEXIST. */
		if_id |= 0x80000000;
		r = rtnl_xfrmi_add(route, name, if_id, 0, &ifindex);
	}
	if (r == -EPERM)
		return r;
	if (!(p->xfrmi = r == 0)) {
		xfrm_probe_why(p, route, "XFRM interfaces", r);
		return 0;
	}
	return rtnl_link_del(route, ifindex);
}

int
xfrm_probe(struct nl *xfrm, struct nl *route, struct xfrm_probe *ret)
{
	struct xfrm_probe p = { 0 };
	int r;

	if ((r = xfrm_probe_esp(xfrm, &p)) < 0)
		return r;
	if ((r = xfrm_probe_xfrmi(route, &p)) < 0)
		return r;
	*ret = p;
	return 0;
}

bool
xfrm_probe_kernel_ok(const struct xfrm_probe *p)
{
	return p->esp && p->cbc_hmac && p->gcm && p->espinudp && p->xfrmi;
}

/*
 * The IKE sockets.
 */

int
xfrm_socket_bypass(int fd, int family)
{
	static const uint8_t dirs[] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };
	struct xfrm_userpolicy_info pol = { 0 };
	int level, opt;

	if (family == AF_INET) {
		level = IPPROTO_IP;
		opt = IP_XFRM_POLICY;
	} else if (family == AF_INET6) {
		level = IPPROTO_IPV6;
		opt = IPV6_XFRM_POLICY;
	} else
		return -EAFNOSUPPORT;
	/* A socket policy with action ALLOW and no template: this socket's
	 * packets skip the SPD in that direction. */
	pol.action = XFRM_POLICY_ALLOW;
	pol.sel.family = (uint16_t)family;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		pol.dir = dirs[i];
		if (setsockopt(fd, level, opt, &pol, sizeof(pol)) == -1)
			return -errno;
	}
	return 0;
}
