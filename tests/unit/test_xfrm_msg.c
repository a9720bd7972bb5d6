/* SPDX-License-Identifier: ISC */
/*
 * test_xfrm_msg.c: XFRM requests built byte for byte as the kernel reads
 * them (each expected message is assembled here by hand from the kernel's
 * structs, independently of xfrm.c), the IKE -> kernel algorithm mapping
 * with its ICV and truncation lengths, argument checks, -ENOSPC without
 * writing past the buffer, and the parsers of states, policies, EXPIRE
 * and ACQUIRE on good, malformed and foreign input.  No kernel needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/udp.h>
#include <linux/xfrm.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nl_exp.h"
#include "xfrm.h"

static struct nl_addr
v4(const char *s)
{
	struct nl_addr a = { .family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, s, &a.in), 1);
	return a;
}

static struct nl_addr
v6(const char *s)
{
	struct nl_addr a = { .family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET6, s, &a.in6), 1);
	return a;
}

static uint8_t key[80]; /* room for key + 1 .. key + 65 */

static struct xfrm_sa
gcm_sa(void)
{
	struct xfrm_sa sa = { 0 };

	sa.src = v4("192.0.2.1");
	sa.dst = v4("198.51.100.7");
	sa.spi = 0xc0ffee01;
	sa.reqid = 3;
	sa.if_id = 7;
	sa.encr = IKE_ENCR_AES_GCM_16;
	sa.encr_key = rd_make(key, 36);
	sa.integ = IKE_INTEG_NONE;
	sa.encap_sport = 4500;
	sa.encap_dport = 4501;
	sa.replay_window = 32;
	sa.lifetime.soft_bytes = 1000000;
	sa.lifetime.hard_seconds = 3600;
	sa.lifetime.soft_seconds = 3000;
	return sa;
}

/* The fixed part the kernel expects for gcm_sa(), field by field. */
static void
gcm_sa_info(struct xfrm_usersa_info *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(inet_pton(AF_INET, "198.51.100.7", &p->id.daddr), 1);
	p->id.spi = htonl(0xc0ffee01);
	p->id.proto = IPPROTO_ESP;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", &p->saddr), 1);
	p->family = AF_INET;
	p->mode = XFRM_MODE_TUNNEL;
	p->reqid = 3;
	p->replay_window = 32;
	p->flags = XFRM_STATE_AF_UNSPEC;
	p->lft.soft_byte_limit = 1000000;
	p->lft.hard_byte_limit = XFRM_INF;
	p->lft.soft_packet_limit = XFRM_INF;
	p->lft.hard_packet_limit = XFRM_INF;
	p->lft.soft_add_expires_seconds = 3000;
	p->lft.hard_add_expires_seconds = 3600;
}

static void
test_state_gcm_bytes(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sa sa = gcm_sa();
	struct xfrm_usersa_info p;
	struct xfrm_algo_aead aead = { .alg_name = "rfc4106(gcm(aes))",
		.alg_key_len = 36 * 8,
		.alg_icv_len = 128 };
	struct xfrm_encap_tmpl encap = { .encap_type = UDP_ENCAP_ESPINUDP,
		.encap_sport = htons(4500),
		.encap_dport = htons(4501) };
	struct exp e;

	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
	exp_hdr(&e, XFRM_MSG_NEWSA, 0);
	gcm_sa_info(&p);
	exp_bytes(&e, &p, sizeof(p));
	exp_attr2(&e, XFRMA_ALG_AEAD, &aead, sizeof(aead), key, 36);
	exp_attr(&e, XFRMA_ENCAP, &encap, sizeof(encap));
	exp_u32(&e, XFRMA_IF_ID, 7);
	assert_msg_equal(buf, &e);

	/* Completing an allocated SPI is the same request as UPDSA. */
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, true), 0);
	assert_int_equal((nlh_at(buf))->nlmsg_type, XFRM_MSG_UPDSA);
}

static void
test_state_gcm_icv(void **state)
{
	static const struct {
		enum ike_encr encr;
		unsigned icv;
	} t[] = {
		{ IKE_ENCR_AES_GCM_8, 64 },
		{ IKE_ENCR_AES_GCM_12, 96 },
		{ IKE_ENCR_AES_GCM_16, 128 },
	};
	static const size_t key_lens[] = { 20, 28, 36 };
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_algo_aead aead;
	const struct nlattr *a;

	for (size_t i = 0; i < 3; i++) {
		for (size_t k = 0; k < 3; k++) {
			struct xfrm_sa sa = gcm_sa();

			sa.encr = t[i].encr;
			sa.encr_key = rd_make(key, key_lens[k]);
			assert_int_equal(
			    xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
			a = must_attr(buf, sizeof(struct xfrm_usersa_info),
			    XFRMA_ALG_AEAD);
			memcpy(&aead, a + 1, sizeof(aead));
			assert_string_equal(aead.alg_name, "rfc4106(gcm(aes))");
			assert_int_equal(aead.alg_icv_len, t[i].icv);
			/* The salt counts in the key length (RFC 4106 8.1). */
			assert_int_equal(aead.alg_key_len, key_lens[k] * 8);
			assert_int_equal(a->nla_len,
			    NLA_HDRLEN + sizeof(aead) + key_lens[k]);
		}
	}
}

static void
test_state_cbc_hmac(void **state)
{
	static const struct {
		enum ike_integ integ;
		const char *name;
		unsigned trunc;
		size_t key_len;
	} t[] = {
		{ IKE_INTEG_HMAC_SHA1_96, "hmac(sha1)", 96, 20 },
		{ IKE_INTEG_HMAC_SHA2_256_128, "hmac(sha256)", 128, 32 },
		{ IKE_INTEG_HMAC_SHA2_384_192, "hmac(sha384)", 192, 48 },
		{ IKE_INTEG_HMAC_SHA2_512_256, "hmac(sha512)", 256, 64 },
	};
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_algo_auth auth;
	struct xfrm_algo crypt;
	const struct nlattr *a;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct xfrm_sa sa = gcm_sa();

		sa.encr = IKE_ENCR_AES_CBC;
		sa.encr_key = rd_make(key, 32);
		sa.integ = t[i].integ;
		sa.integ_key = rd_make(key + 1, t[i].key_len);
		assert_int_equal(
		    xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
		a = must_attr(
		    buf, sizeof(struct xfrm_usersa_info), XFRMA_ALG_CRYPT);
		memcpy(&crypt, a + 1, sizeof(crypt));
		assert_string_equal(crypt.alg_name, "cbc(aes)");
		assert_int_equal(crypt.alg_key_len, 256);
		assert_memory_equal(
		    (const uint8_t *)(a + 1) + sizeof(crypt), key, 32);
		a = must_attr(
		    buf, sizeof(struct xfrm_usersa_info), XFRMA_ALG_AUTH_TRUNC);
		memcpy(&auth, a + 1, sizeof(auth));
		assert_string_equal(auth.alg_name, t[i].name);
		assert_int_equal(auth.alg_trunc_len, t[i].trunc);
		assert_int_equal(auth.alg_key_len, t[i].key_len * 8);
		assert_memory_equal((const uint8_t *)(a + 1) + sizeof(auth),
		    key + 1, t[i].key_len);
		/* Never the untruncated-by-name XFRMA_ALG_AUTH, no AEAD. */
		assert_null(find_attr(
		    buf, sizeof(struct xfrm_usersa_info), XFRMA_ALG_AUTH));
		assert_null(find_attr(
		    buf, sizeof(struct xfrm_usersa_info), XFRMA_ALG_AEAD));
		assert_string_equal(xfrm_integ_name(t[i].integ), t[i].name);
	}
}

static void
test_state_replay(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sa sa = gcm_sa();
	struct xfrm_replay_state_esn esn;
	struct xfrm_usersa_info p;
	const struct nlattr *a;

	/* Past 32 packets the legacy bitmap is too small. */
	sa.replay_window = 100;
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
	memcpy(&p, buf + NLMSG_HDRLEN, sizeof(p));
	assert_int_equal(p.replay_window, 0); /* the kernel insists */
	assert_int_equal(p.flags, XFRM_STATE_AF_UNSPEC);
	a = must_attr(buf, sizeof(p), XFRMA_REPLAY_ESN_VAL);
	memcpy(&esn, a + 1, sizeof(esn));
	assert_int_equal(esn.bmp_len, 4); /* 100 bits in 32-bit words */
	assert_int_equal(esn.replay_window, 100);
	assert_int_equal(a->nla_len, NLA_HDRLEN + sizeof(esn) + 4 * 4);

	sa.esn = true;
	sa.replay_window = 32;
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
	memcpy(&p, buf + NLMSG_HDRLEN, sizeof(p));
	assert_int_equal(p.flags, XFRM_STATE_AF_UNSPEC | XFRM_STATE_ESN);
	assert_int_equal(p.replay_window, 0);
	assert_non_null(find_attr(buf, sizeof(p), XFRMA_REPLAY_ESN_VAL));

	/* No window at all (outbound): nothing. */
	sa.esn = false;
	sa.replay_window = 0;
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
	memcpy(&p, buf + NLMSG_HDRLEN, sizeof(p));
	assert_int_equal(p.replay_window, 0);
	assert_null(find_attr(buf, sizeof(p), XFRMA_REPLAY_ESN_VAL));
	/* No encapsulation, no if_id: no attributes for them. */
	sa.encap_sport = sa.encap_dport = 0;
	sa.if_id = 0;
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
	assert_null(find_attr(buf, sizeof(p), XFRMA_ENCAP));
	assert_null(find_attr(buf, sizeof(p), XFRMA_IF_ID));
}

static void
test_state_invalid(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sa sa;

	sa = gcm_sa();
	sa.encr = IKE_ENCR_3DES;
	assert_int_equal(
	    xfrm_state_build(buf, sizeof(buf), &sa, 0), -EOPNOTSUPP);
	sa = gcm_sa();
	sa.encr_key = rd_make(key, 32); /* no salt */
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa = gcm_sa();
	sa.integ = IKE_INTEG_HMAC_SHA2_256_128;
	sa.integ_key = rd_make(key, 32); /* an AEAD takes no integrity */
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa = gcm_sa();
	sa.encr = IKE_ENCR_AES_CBC;
	sa.encr_key = rd_make(key, 16);
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa.integ = IKE_INTEG_HMAC_MD5_96;
	sa.integ_key = rd_make(key, 16);
	assert_int_equal(
	    xfrm_state_build(buf, sizeof(buf), &sa, 0), -EOPNOTSUPP);
	sa.integ = IKE_INTEG_HMAC_SHA2_256_128;
	sa.integ_key = rd_make(key, 20);
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa = gcm_sa();
	sa.encr = IKE_ENCR_AES_CBC;
	sa.encr_key = rd_make(key, 20);
	sa.integ = IKE_INTEG_HMAC_SHA1_96;
	sa.integ_key = rd_make(key, 20);
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa = gcm_sa();
	sa.dst = v6("2001:db8::1"); /* mixed families */
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa = gcm_sa();
	sa.spi = 255; /* reserved (RFC 4303 2.1) */
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa = gcm_sa();
	sa.esn = true;
	sa.replay_window = 0;
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	sa = gcm_sa();
	sa.replay_window = XFRM_REPLAY_MAX + 1;
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, 0), -EINVAL);
	assert_null(xfrm_encr_name(IKE_ENCR_3DES));
	assert_string_equal(xfrm_encr_name(IKE_ENCR_CHACHA20_POLY1305),
	    "rfc7539esp(chacha20,poly1305)");
}

/* Every buffer too small by any amount: -ENOSPC, and nothing written past
 * the end. */
static void
test_state_enospc(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX + 64];
	struct xfrm_sa sa = gcm_sa();
	size_t need;

	sa.replay_window = 1024;
	assert_int_equal(xfrm_state_build(buf, XFRM_REQ_MAX, &sa, false), 0);
	need = (nlh_at(buf))->nlmsg_len;
	for (size_t cap = 0; cap < need; cap++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(
		    xfrm_state_build(buf, cap, &sa, false), -ENOSPC);
		for (size_t i = cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xa5);
	}
	assert_int_equal(xfrm_state_build(buf, need, &sa, false), 0);
}

/* The request's format is the kernel's NEWSA reply format too. */
static void
test_state_round_trip(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sa sa = gcm_sa();
	struct xfrm_sa_info info;

	sa.src = v6("2001:db8::1");
	sa.dst = v6("2001:db8::2");
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, false), 0);
	assert_int_equal(xfrm_state_parse(nlh_at(buf), &info), 0);
	assert_true(nl_addr_eq(&info.src, &sa.src));
	assert_true(nl_addr_eq(&info.dst, &sa.dst));
	assert_int_equal(info.spi, 0xc0ffee01);
	assert_int_equal(info.proto, IPPROTO_ESP);
	assert_int_equal(info.mode, XFRM_MODE_TUNNEL);
	assert_int_equal(info.reqid, 3);
	assert_int_equal(info.if_id, 7);
	assert_int_equal(info.encap_sport, 4500);
	assert_int_equal(info.encap_dport, 4501);
	assert_int_equal(info.bytes, 0);
	/* An UPDSA is not what the kernel answers with. */
	assert_int_equal(xfrm_state_build(buf, sizeof(buf), &sa, true), 0);
	assert_int_equal(xfrm_state_parse(nlh_at(buf), &info), -EOPNOTSUPP);
}

static void
test_spi_alloc_bytes(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct nl_addr src = v4("192.0.2.1"), dst = v4("198.51.100.7");
	struct xfrm_userspi_info p = { 0 };
	struct exp e;

	assert_int_equal(xfrm_spi_alloc_build(buf, sizeof(buf), &src, &dst, 9,
			     42, 0x100, 0xffffffff),
	    0);
	exp_hdr(&e, XFRM_MSG_ALLOCSPI, 0);
	memcpy(&p.info.id.daddr, &dst.in, 4);
	p.info.id.proto = IPPROTO_ESP;
	memcpy(&p.info.saddr, &src.in, 4);
	p.info.family = AF_INET;
	p.info.mode = XFRM_MODE_TUNNEL;
	p.info.reqid = 9;
	p.min = 0x100;
	p.max = 0xffffffff;
	exp_bytes(&e, &p, sizeof(p));
	exp_u32(&e, XFRMA_IF_ID, 42);
	assert_msg_equal(buf, &e);

	assert_int_equal(
	    xfrm_spi_alloc_build(buf, sizeof(buf), &src, &dst, 9, 0, 10, 9),
	    -EINVAL);
	dst = v6("2001:db8::1");
	assert_int_equal(xfrm_spi_alloc_build(
			     buf, sizeof(buf), &src, &dst, 9, 0, 0x100, 0x200),
	    -EINVAL);
}

static void
test_state_id_bytes(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct nl_addr dst = v6("2001:db8::7");
	struct xfrm_usersa_id id = { 0 };
	struct exp e;

	assert_int_equal(xfrm_state_id_build(buf, sizeof(buf), XFRM_MSG_DELSA,
			     &dst, 0x12345678),
	    0);
	exp_hdr(&e, XFRM_MSG_DELSA, 0);
	memcpy(&id.daddr, &dst.in6, 16);
	id.spi = htonl(0x12345678);
	id.family = AF_INET6;
	id.proto = IPPROTO_ESP;
	exp_bytes(&e, &id, sizeof(id));
	assert_msg_equal(buf, &e);
	assert_int_equal(
	    xfrm_state_id_build(buf, sizeof(buf), XFRM_MSG_NEWSA, &dst, 1),
	    -EINVAL);
}

static struct xfrm_sp
out_sp(void)
{
	struct xfrm_sp sp = { 0 };

	sp.src.addr = v4("172.16.201.5");
	sp.src.len = 32;
	sp.dst.addr = v4("10.1.0.0");
	sp.dst.len = 16;
	sp.dir = XFRM_SP_OUT;
	sp.priority = 1000;
	sp.if_id = 42;
	sp.reqid = 3;
	sp.tmpl_src = v4("192.0.2.1");
	sp.tmpl_dst = v4("198.51.100.7");
	return sp;
}

static void
test_policy_bytes(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sp sp = out_sp();
	struct xfrm_userpolicy_info p = { 0 };
	struct xfrm_user_tmpl t = { 0 };
	struct xfrm_userpolicy_id id = { 0 };
	struct exp e;

	assert_int_equal(xfrm_policy_build(buf, sizeof(buf), &sp, false), 0);
	exp_hdr(&e, XFRM_MSG_NEWPOLICY, 0);
	memcpy(&p.sel.daddr, &sp.dst.addr.in, 4);
	memcpy(&p.sel.saddr, &sp.src.addr.in, 4);
	p.sel.family = AF_INET;
	p.sel.prefixlen_d = 16;
	p.sel.prefixlen_s = 32;
	p.lft.soft_byte_limit = p.lft.hard_byte_limit = XFRM_INF;
	p.lft.soft_packet_limit = p.lft.hard_packet_limit = XFRM_INF;
	p.priority = 1000;
	p.dir = XFRM_POLICY_OUT;
	p.action = XFRM_POLICY_ALLOW;
	exp_bytes(&e, &p, sizeof(p));
	memcpy(&t.id.daddr, &sp.tmpl_dst.in, 4);
	t.id.proto = IPPROTO_ESP;
	t.family = AF_INET;
	memcpy(&t.saddr, &sp.tmpl_src.in, 4);
	t.reqid = 3;
	t.mode = XFRM_MODE_TUNNEL;
	t.aalgos = t.ealgos = t.calgos = ~0U;
	exp_attr(&e, XFRMA_TMPL, &t, sizeof(t));
	exp_u32(&e, XFRMA_IF_ID, 42);
	assert_msg_equal(buf, &e);

	assert_int_equal(xfrm_policy_build(buf, sizeof(buf), &sp, true), 0);
	assert_int_equal((nlh_at(buf))->nlmsg_type, XFRM_MSG_UPDPOLICY);

	assert_int_equal(xfrm_policy_del_build(buf, sizeof(buf), &sp), 0);
	exp_hdr(&e, XFRM_MSG_DELPOLICY, 0);
	id.sel = p.sel;
	id.dir = XFRM_POLICY_OUT;
	exp_bytes(&e, &id, sizeof(id));
	exp_u32(&e, XFRMA_IF_ID, 42);
	assert_msg_equal(buf, &e);
}

static void
test_policy_round_trip(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sp sp = out_sp(), got;

	/* IPv6 inner traffic through an IPv4 tunnel. */
	sp.src.addr = v6("fd00:201::5");
	sp.src.len = 128;
	sp.dst.addr = v6("fd00:1::");
	sp.dst.len = 48;
	sp.dir = XFRM_SP_FWD;
	sp.ip_proto = IPPROTO_UDP;
	assert_int_equal(xfrm_policy_build(buf, sizeof(buf), &sp, false), 0);
	assert_int_equal(xfrm_policy_parse(nlh_at(buf), &got), 0);
	assert_true(nl_addr_eq(&got.src.addr, &sp.src.addr));
	assert_true(nl_addr_eq(&got.dst.addr, &sp.dst.addr));
	assert_int_equal(got.src.len, 128);
	assert_int_equal(got.dst.len, 48);
	assert_int_equal(got.ip_proto, IPPROTO_UDP);
	assert_int_equal(got.dir, XFRM_SP_FWD);
	assert_int_equal(got.priority, 1000);
	assert_int_equal(got.if_id, 42);
	assert_int_equal(got.reqid, 3);
	assert_true(nl_addr_eq(&got.tmpl_src, &sp.tmpl_src));
	assert_true(nl_addr_eq(&got.tmpl_dst, &sp.tmpl_dst));

	sp = out_sp();
	sp.src.len = 33;
	assert_int_equal(
	    xfrm_policy_build(buf, sizeof(buf), &sp, false), -EINVAL);
	sp = out_sp();
	sp.dst.addr = v6("fd00::");
	assert_int_equal(
	    xfrm_policy_build(buf, sizeof(buf), &sp, false), -EINVAL);
	sp = out_sp();
	sp.tmpl_dst.family = AF_UNSPEC;
	assert_int_equal(
	    xfrm_policy_build(buf, sizeof(buf), &sp, false), -EINVAL);
	sp = out_sp();
	sp.dir = 3;
	assert_int_equal(xfrm_policy_del_build(buf, sizeof(buf), &sp), -EINVAL);
}

/* One walk over a batch's bytes: each message against what the single
 * builder makes for the same policy, in order. */
struct batch_walk {
	const struct xfrm_sp *sps;
	const bool *del;
	size_t i;
};

static int
batch_walk_cb(const struct nlmsghdr *nlh, void *arg)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct batch_walk *w = arg;
	const struct xfrm_sp *sp = &w->sps[w->i];
	struct xfrm_sp got;

	if (w->del[w->i])
		assert_int_equal(
		    xfrm_policy_del_build(buf, sizeof(buf), sp), 0);
	else
		assert_int_equal(
		    xfrm_policy_build(buf, sizeof(buf), sp, true), 0);
	assert_int_equal(nlh->nlmsg_len, nlh_at(buf)->nlmsg_len);
	assert_memory_equal(nlh, buf, nlh->nlmsg_len);
	if (!w->del[w->i]) {
		assert_int_equal(nlh->nlmsg_type, XFRM_MSG_UPDPOLICY);
		memcpy(buf, nlh, nlh->nlmsg_len); /* the parser's type */
		nlh_at(buf)->nlmsg_type = XFRM_MSG_NEWPOLICY;
		assert_int_equal(xfrm_policy_parse(nlh_at(buf), &got), 0);
		assert_true(nl_addr_eq(&got.dst.addr, &sp->dst.addr));
		assert_int_equal(got.dir, sp->dir);
		assert_int_equal(got.if_id, sp->if_id);
	} else
		assert_int_equal(nlh->nlmsg_type, XFRM_MSG_DELPOLICY);
	w->i++;
	return 0;
}

/* Policies in a batch: the single builders' bytes back to back, each at
 * a 4-byte boundary even though the fixed part has 64-bit fields (a
 * batch does not align to 8), IPv4 and IPv6 mixed, adds and deletes; a
 * bad one is refused and leaves the batch as it was. */
static void
test_policy_batch(void **state)
{
	struct xfrm_sp sps[7];
	bool del[ARRAY_SIZE(sps)] = { false, false, true, false, true, false,
		true };
	struct batch_walk w = { .sps = sps, .del = del };
	struct nl_batch *b = nl_batch_new();
	struct xfrm_sp bad = out_sp();
	size_t len, odd = 0, off = 0;
	const uint8_t *p;

	assert_non_null(b);
	assert_null(nl_batch_data(b, &len));
	assert_int_equal(len, 0);
	for (size_t i = 0; i < ARRAY_SIZE(sps); i++) {
		sps[i] = out_sp();
		sps[i].dir = (enum xfrm_sp_dir)(i % 3);
		sps[i].dst.addr.bytes[2] = (uint8_t)i;
		if (i == 3) {
			sps[i].src.addr = v6("fd00:201::5");
			sps[i].src.len = 128;
			sps[i].dst.addr = v6("fd00:1::");
			sps[i].dst.len = 48;
		}
		if (del[i])
			assert_int_equal(xfrm_policy_del_batch(b, &sps[i]), 0);
		else
			assert_int_equal(
			    xfrm_policy_batch(b, &sps[i], true), 0);
	}
	bad.dst.len = 33;
	assert_int_equal(xfrm_policy_batch(b, &bad, false), -EINVAL);
	assert_int_equal(xfrm_policy_del_batch(b, &bad), -EINVAL);
	assert_int_equal(nl_batch_count(b), ARRAY_SIZE(sps));

	p = nl_batch_data(b, &len);
	assert_non_null(p);
	for (size_t i = 0; i < ARRAY_SIZE(sps); i++) {
		const struct nlmsghdr *h = (const void *)(p + off);

		odd += off % 8 != 0;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	assert_int_equal(off, len);
	assert_true(odd > 0); /* the copy in is what keeps this safe */
	assert_int_equal(nl_datagram_walk(p, len, batch_walk_cb, &w), 0);
	assert_int_equal(w.i, ARRAY_SIZE(sps));
	nl_batch_free(b);
}

static const struct nlmsghdr *
expire_msg(struct exp *e, uint8_t hard, uint8_t family)
{
	struct xfrm_user_expire ue = { 0 };

	exp_hdr(e, XFRM_MSG_EXPIRE, 0);
	gcm_sa_info(&ue.state);
	ue.state.family = family;
	ue.state.curlft.bytes = 123456;
	ue.state.curlft.packets = 789;
	ue.state.stats.replay = 11;
	ue.state.stats.replay_window = 12;
	ue.state.stats.integrity_failed = 13;
	ue.hard = hard;
	exp_bytes(e, &ue, sizeof(ue));
	exp_u32(e, XFRMA_IF_ID, 7);
	return exp_done(e);
}

static void
test_expire_parse(void **state)
{
	struct xfrm_event ev;
	struct exp e;

	assert_int_equal(xfrm_event_parse(expire_msg(&e, 0, AF_INET), &ev), 0);
	assert_int_equal(ev.type, XFRM_EV_EXPIRE_SOFT);
	assert_int_equal(ev.sa.spi, 0xc0ffee01);
	assert_true(nl_addr_eq(&ev.sa.dst, &(struct nl_addr){ 0 }) == false);
	assert_int_equal(ev.sa.dst.family, AF_INET);
	assert_memory_equal(ev.sa.dst.bytes, "\xc6\x33\x64\x07", 4);
	assert_int_equal(ev.sa.reqid, 3);
	assert_int_equal(ev.sa.if_id, 7);
	assert_int_equal(ev.sa.bytes, 123456);
	assert_int_equal(ev.sa.packets, 789);
	assert_int_equal(ev.sa.replay_drops, 11);
	assert_int_equal(ev.sa.replay_window_drops, 12);
	assert_int_equal(ev.sa.integrity_failed, 13);

	assert_int_equal(xfrm_event_parse(expire_msg(&e, 1, AF_INET), &ev), 0);
	assert_int_equal(ev.type, XFRM_EV_EXPIRE_HARD);

	/* A family we do not speak, and a state that is cut short. */
	assert_int_equal(
	    xfrm_event_parse(expire_msg(&e, 1, 99), &ev), -EOPNOTSUPP);
	expire_msg(&e, 1, AF_INET);
	(nlh_at(e.b))->nlmsg_len =
	    NLMSG_HDRLEN + sizeof(struct xfrm_user_expire) - 1;
	assert_int_equal(xfrm_event_parse(nlh_at(e.b), &ev), -EBADMSG);
}

static const struct nlmsghdr *
acquire_msg(struct exp *e, size_t tmpl_len)
{
	struct xfrm_user_acquire ua = { 0 };
	struct xfrm_user_tmpl t[2] = { 0 };

	exp_hdr(e, XFRM_MSG_ACQUIRE, 0);
	assert_int_equal(inet_pton(AF_INET, "198.51.100.7", &ua.id.daddr), 1);
	ua.id.proto = IPPROTO_ESP;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", &ua.saddr), 1);
	ua.sel.family = AF_INET;
	ua.policy.sel.family = AF_INET;
	assert_int_equal(
	    inet_pton(AF_INET, "10.1.0.0", &ua.policy.sel.daddr), 1);
	ua.policy.sel.prefixlen_d = 16;
	ua.policy.dir = XFRM_POLICY_OUT;
	ua.policy.index = 0x1234;
	ua.seq = 77;
	exp_bytes(e, &ua, sizeof(ua));
	memcpy(&t[0].id.daddr, &ua.id.daddr, 4);
	memcpy(&t[0].saddr, &ua.saddr, 4);
	t[0].family = AF_INET;
	t[0].reqid = 3;
	exp_attr(e, XFRMA_TMPL, t, tmpl_len);
	exp_u32(e, XFRMA_IF_ID, 42);
	return exp_done(e);
}

static void
test_acquire_parse(void **state)
{
	struct xfrm_event ev;
	struct exp e;

	assert_int_equal(
	    xfrm_event_parse(
		acquire_msg(&e, sizeof(struct xfrm_user_tmpl)), &ev),
	    0);
	assert_int_equal(ev.type, XFRM_EV_ACQUIRE);
	assert_int_equal(ev.acquire.seq, 77);
	assert_int_equal(ev.acquire.policy.dir, XFRM_SP_OUT);
	assert_int_equal(ev.acquire.policy.index, 0x1234);
	assert_int_equal(ev.acquire.policy.if_id, 42);
	assert_int_equal(ev.acquire.policy.reqid, 3);
	assert_int_equal(ev.acquire.policy.dst.len, 16);
	assert_memory_equal(
	    ev.acquire.policy.dst.addr.bytes, "\x0a\x01\0\0", 4);
	assert_memory_equal(ev.acquire.dst.bytes, "\xc6\x33\x64\x07", 4);
	assert_memory_equal(ev.acquire.src.bytes, "\xc0\x00\x02\x01", 4);
	assert_int_equal(ev.acquire.src.family, AF_INET);

	/* Two templates are fine; a template and a half are not. */
	assert_int_equal(
	    xfrm_event_parse(
		acquire_msg(&e, 2 * sizeof(struct xfrm_user_tmpl)), &ev),
	    0);
	assert_int_equal(
	    xfrm_event_parse(
		acquire_msg(&e, sizeof(struct xfrm_user_tmpl) + 8), &ev),
	    -EBADMSG);
	assert_int_equal(
	    xfrm_event_parse(
		acquire_msg(&e, sizeof(struct xfrm_user_tmpl) - 4), &ev),
	    -EBADMSG);
}

static void
test_parse_malformed(void **state)
{
	_Alignas(8) uint8_t buf[XFRM_REQ_MAX];
	struct xfrm_sp sp = out_sp(), got;
	struct nlmsghdr *h = nlh_at(buf);
	struct nlattr *a;
	struct xfrm_event ev;
	size_t len;

	assert_int_equal(xfrm_policy_build(buf, sizeof(buf), &sp, false), 0);
	len = h->nlmsg_len;

	/* An unknown attribute is skipped. */
	a = nla_at(buf + len);
	a->nla_type = 200;
	a->nla_len = NLA_HDRLEN + 3;
	h->nlmsg_len = (uint32_t)(len + 8);
	assert_int_equal(xfrm_policy_parse(h, &got), 0);
	/* Bytes that are not an attribute are not. */
	h->nlmsg_len = (uint32_t)(len + 3);
	assert_int_equal(xfrm_policy_parse(h, &got), -EBADMSG);
	/* A known attribute of the wrong size is an error: IF_ID of 2. */
	a->nla_type = XFRMA_IF_ID;
	a->nla_len = NLA_HDRLEN + 2;
	h->nlmsg_len = (uint32_t)(len + 8);
	assert_int_equal(xfrm_policy_parse(h, &got), -EBADMSG);
	/* An attribute longer than the message. */
	a->nla_type = 200;
	a->nla_len = 64;
	assert_int_equal(xfrm_policy_parse(h, &got), -EBADMSG);
	/* A fixed part cut short. */
	h->nlmsg_len = NLMSG_HDRLEN + sizeof(struct xfrm_userpolicy_info) - 1;
	assert_int_equal(xfrm_policy_parse(h, &got), -EBADMSG);
	h->nlmsg_len = 3; /* shorter than its own header */
	assert_int_equal(xfrm_policy_parse(h, &got), -EBADMSG);
	/* A prefix longer than its family allows. */
	sp.dst.len = 32;
	assert_int_equal(xfrm_policy_build(buf, sizeof(buf), &sp, false), 0);
	buf[NLMSG_HDRLEN + offsetof(struct xfrm_selector, prefixlen_d)] = 33;
	assert_int_equal(xfrm_policy_parse(h, &got), -EBADMSG);
	/* Not an event, not a policy. */
	assert_int_equal(xfrm_event_parse(h, &ev), -EOPNOTSUPP);
	h->nlmsg_type = XFRM_MSG_DELPOLICY;
	assert_int_equal(xfrm_policy_parse(h, &got), -EOPNOTSUPP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_gcm_bytes),
		cmocka_unit_test(test_state_gcm_icv),
		cmocka_unit_test(test_state_cbc_hmac),
		cmocka_unit_test(test_state_replay),
		cmocka_unit_test(test_state_invalid),
		cmocka_unit_test(test_state_enospc),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_spi_alloc_bytes),
		cmocka_unit_test(test_state_id_bytes),
		cmocka_unit_test(test_policy_bytes),
		cmocka_unit_test(test_policy_round_trip),
		cmocka_unit_test(test_policy_batch),
		cmocka_unit_test(test_expire_parse),
		cmocka_unit_test(test_acquire_parse),
		cmocka_unit_test(test_parse_malformed),
	};

	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x10 + i);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
