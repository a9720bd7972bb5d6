/* SPDX-License-Identifier: ISC */
/*
 * test_ike_keys.c: the key schedule against two independent sources.
 *
 *   gen_ike_kat.py (python3-cryptography, RFC 7296 re-implemented): six
 *   suites covering every group, PRF, integrity and AES mode: SKEYSEED,
 *   SK_*, both roles, CHILD_SA KEYMAT without and with PFS, the IKE SA
 *   rekey (with a PRF change, so the old PRF must make SKEYSEED), signed
 *   octets and shared-key/MSK AUTH for both sides.
 *   strongSwan 5.9.8 captures (tests/data/ikev2-strongswan): SKEYSEED and
 *   SK_* from its Ni, Nr, SPIs and g^ir for every case, the rekeyed IKE SA,
 *   every CHILD_SA's ESP keys, and, in the EAP-TLS case, both AUTH
 *   payloads strongSwan computed from the MSK.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "ike_keys.h"
#include "kat_util.h"
#include "sswan_vectors.h"
#include "../data/kat/ike_kat_vectors.h"

static struct ike_suite
kat_suite(const struct ike_kat_suite *s)
{
	struct ike_suite r = { s->encr, s->encr_bits, s->integ, s->prf };

	return r;
}

/* Compares an optional key buffer with hex ("" means: no key). */
static void
expect_key(const char *what, const struct buf *got, const char *want_hex)
{
	if (want_hex[0] == '\0') {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_true(got->secret);
	kat_expect_hex(what, got->p, got->len, want_hex);
}

static struct ike_keys *
kat_keys(const struct ike_kat *v, bool initiator)
{
	struct buf *g = kat_hex(v->g_ir), *ni = kat_hex(v->ni);
	struct buf *nr = kat_hex(v->nr), *si = kat_hex(v->spi_i);
	struct buf *sr = kat_hex(v->spi_r);
	struct rd gr = buf_rd(g), nir = buf_rd(ni), nrr = buf_rd(nr);
	struct ike_suite s = kat_suite(&v->suite);
	struct ike_keys *k;

	assert_int_equal(
	    ike_keys_new(&s, &gr, &nir, &nrr, si->p, sr->p, initiator, &k), 0);
	buf_free(g);
	buf_free(ni);
	buf_free(nr);
	buf_free(si);
	buf_free(sr);
	return k;
}

static void
test_generated_skeyseed(void **state)
{
	uint8_t out[PRF_MAX_LEN];
	struct prf *p;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		const struct ike_kat *v = &ike_kats[i];
		struct buf *g = kat_hex(v->g_ir), *ni = kat_hex(v->ni);
		struct buf *nr = kat_hex(v->nr);
		struct rd gr = buf_rd(g), nir = buf_rd(ni), nrr = buf_rd(nr);

		assert_int_equal(prf_new(v->suite.prf, &p), 0);
		assert_int_equal(
		    ike_keys_skeyseed(p, &nir, &nrr, &gr, out, sizeof(out)), 0);
		kat_expect_hex(v->name, out, prf_len(p), v->skeyseed);
		prf_free(p);
		buf_free(g);
		buf_free(ni);
		buf_free(nr);
	}
}

static void
test_generated_sk_keys(void **state)
{
	size_t i;
	int role;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		for (role = 0; role < 2; role++) {
			const struct ike_kat *v = &ike_kats[i];
			struct ike_keys *k = kat_keys(v, role == 0);

			assert_int_equal(k->initiator, role == 0);
			expect_key("SK_d", k->sk_d, v->sk_d);
			expect_key("SK_ai", k->sk_ai, v->sk_ai);
			expect_key("SK_ar", k->sk_ar, v->sk_ar);
			expect_key("SK_ei", k->sk_ei, v->sk_ei);
			expect_key("SK_er", k->sk_er, v->sk_er);
			expect_key("SK_pi", k->sk_pi, v->sk_pi);
			expect_key("SK_pr", k->sk_pr, v->sk_pr);
			assert_int_equal(
			    k->out.integ == NULL, v->sk_ai[0] == '\0');
			ike_keys_free(k);
		}
	}
	ike_keys_free(NULL);
}

/* Concatenates the seven keys (skipping absent ones) for comparison. */
static struct buf *
keys_concat(const struct ike_keys *k)
{
	const struct buf *parts[] = { k->sk_d, k->sk_ai, k->sk_ar, k->sk_ei,
		k->sk_er, k->sk_pi, k->sk_pr };
	struct buf *all = buf_new(8 * PRF_MAX_LEN);
	size_t i, n = 0;

	if (all == NULL)
		abort();
	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		if (parts[i] == NULL)
			continue;
		memcpy(all->p + n, parts[i]->p, parts[i]->len);
		n += parts[i]->len;
	}
	all->len = n;
	return all;
}

static void
test_generated_rekey(void **state)
{
	uint8_t out[PRF_MAX_LEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		const struct ike_kat *v = &ike_kats[i];
		struct ike_keys *old = kat_keys(v, true), *k;
		struct buf *g = kat_hex(v->rekey_g_ir),
			   *ni = kat_hex(v->rekey_ni);
		struct buf *nr = kat_hex(v->rekey_nr),
			   *si = kat_hex(v->rekey_spi_i);
		struct buf *sr = kat_hex(v->rekey_spi_r), *all;
		struct rd gr = buf_rd(g), nir = buf_rd(ni), nrr = buf_rd(nr);
		struct rd skd = buf_rd(old->sk_d);
		struct ike_suite s = kat_suite(&v->suite);

		/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
		assert_int_equal(ike_keys_skeyseed_rekey(old->prf, &skd, &gr,
				     &nir, &nrr, out, sizeof(out)),
		    0);
		kat_expect_hex("rekey SKEYSEED", out, prf_len(old->prf),
		    v->rekey_skeyseed);
		/* The new SA negotiated another PRF: it runs prf+ only. */
		s.prf = v->rekey_prf;
		assert_int_equal(ike_keys_rekey(old, &s, &gr, &nir, &nrr, si->p,
				     sr->p, true, &k),
		    0);
		all = keys_concat(k);
		kat_expect_hex(
		    "rekeyed SK_*", all->p, all->len, v->rekey_keymat);
		buf_free(all);
		ike_keys_free(k);
		ike_keys_free(old);
		buf_free(g);
		buf_free(ni);
		buf_free(nr);
		buf_free(si);
		buf_free(sr);
	}
}

/* encr_out | integ_out | encr_in | integ_in, as the wire order would be. */
static void
expect_child(
    const struct ike_child_keys *c, bool initiator, const char *keymat_hex)
{
	const struct buf *order[4] = { c->encr_out, c->integ_out, c->encr_in,
		c->integ_in };
	struct buf *want = kat_hex(keymat_hex), *got = buf_new(want->len);
	size_t i, n = 0;

	if (got == NULL)
		abort();
	if (!initiator) {
		order[0] = c->encr_in;
		order[1] = c->integ_in;
		order[2] = c->encr_out;
		order[3] = c->integ_out;
	}
	for (i = 0; i < 4; i++) {
		if (order[i] == NULL)
			continue;
		assert_true(order[i]->secret);
		assert_true(n + order[i]->len <= want->len);
		memcpy(got->p + n, order[i]->p, order[i]->len);
		n += order[i]->len;
	}
	kat_expect("KEYMAT", got->p, n, want);
	buf_free(want);
	buf_free(got);
}

static void
test_generated_child(void **state)
{
	struct ike_child_keys c;
	size_t i;
	int role;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		const struct ike_kat *v = &ike_kats[i];
		struct ike_keys *k = kat_keys(v, true);
		struct buf *ni = kat_hex(v->ni), *nr = kat_hex(v->nr);
		struct buf *cni = kat_hex(v->child_ni),
			   *cnr = kat_hex(v->child_nr);
		struct buf *g = kat_hex(v->pfs_g_ir);
		struct rd nir = buf_rd(ni), nrr = buf_rd(nr), gr = buf_rd(g);
		struct rd cnir = buf_rd(cni), cnrr = buf_rd(cnr);
		struct ike_suite esp = kat_suite(&v->esp);

		for (role = 0; role < 2; role++) {
			/* KEYMAT = prf+(SK_d, Ni | Nr) */
			assert_int_equal(ike_keys_child(k, &esp, NULL, &nir,
					     &nrr, role == 0, &c),
			    0);
			expect_child(&c, role == 0, v->child_keymat);
			assert_int_equal(
			    c.integ_out == NULL, esp.integ == IKE_INTEG_NONE);
			ike_child_keys_done(&c);
			/* KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr) */
			assert_int_equal(ike_keys_child(k, &esp, &gr, &cnir,
					     &cnrr, role == 0, &c),
			    0);
			expect_child(&c, role == 0, v->child_keymat_pfs);
			ike_child_keys_done(&c);
		}
		ike_keys_free(k);
		buf_free(ni);
		buf_free(nr);
		buf_free(cni);
		buf_free(cnr);
		buf_free(g);
	}
}

/* Signed octets and AUTH for one side; a changed AUTH is refused. */
static void
check_auth(const struct ike_keys *k, bool of_i, const char *msg_hex,
    const char *nonce_hex, const char *id_hex, const char *msk_hex,
    const char *signed_hex, const char *auth_hex)
{
	struct buf *m = kat_hex(msg_hex), *n = kat_hex(nonce_hex);
	struct buf *id = kat_hex(id_hex), *msk = kat_hex(msk_hex), *so;
	struct rd mr = buf_rd(m), nr = buf_rd(n), idr = buf_rd(id);
	struct rd sk = buf_rd(msk), sor, ar;
	uint8_t auth[PRF_MAX_LEN];
	size_t len = prf_len(k->prf);

	assert_int_equal(
	    ike_keys_signed_octets(k, of_i, &mr, &nr, &idr, &so), 0);
	kat_expect_hex("signed octets", so->p, so->len, signed_hex);
	sor = buf_rd(so);
	assert_int_equal(
	    ike_keys_auth_psk(k, &sk, &sor, auth, sizeof(auth)), 0);
	kat_expect_hex("AUTH", auth, len, auth_hex);
	assert_int_equal(
	    ike_keys_auth_psk(k, &sk, &sor, auth, len - 1), -ENOSPC);
	assert_int_equal(ike_keys_auth_psk(k, &sk, &sor, auth, len), 0);
	ar = rd_make(auth, len);
	assert_int_equal(ike_keys_auth_psk_verify(k, &sk, &sor, &ar), 0);
	auth[len - 1] ^= 0x01;
	assert_int_equal(ike_keys_auth_psk_verify(k, &sk, &sor, &ar), -EACCES);
	auth[len - 1] ^= 0x01;
	ar.len--;
	assert_int_equal(ike_keys_auth_psk_verify(k, &sk, &sor, &ar), -EACCES);
	buf_free(so);
	buf_free(m);
	buf_free(n);
	buf_free(id);
	buf_free(msk);
}

static void
test_generated_auth(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ike_kats); i++) {
		const struct ike_kat *v = &ike_kats[i];
		struct ike_keys *k = kat_keys(v, true);

		/* InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI */
		check_auth(k, true, v->real_msg1, v->nr, v->id_i, v->msk,
		    v->signed_i, v->auth_i);
		/* ResponderSignedOctets = RealMessage2 | NonceIData | MACedIDForR */
		check_auth(k, false, v->real_msg2, v->ni, v->id_r, v->msk,
		    v->signed_r, v->auth_r);
		ike_keys_free(k);
	}
}

static void
test_bad_suites(void **state)
{
	static const struct ike_suite bad[] = {
		/* An AEAD with an integrity transform, CBC without one. */
		{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_HMAC_SHA2_256_128,
		    IKE_PRF_HMAC_SHA2_256 },
		{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_NONE,
		    IKE_PRF_HMAC_SHA2_256 },
	};
	static const struct ike_suite unsupported[] = {
		{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128,
		    IKE_PRF_AES128_XCBC },
		{ IKE_ENCR_AES_CTR, 256, IKE_INTEG_HMAC_SHA2_256_128,
		    IKE_PRF_HMAC_SHA2_256 },
		{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_AES_XCBC_96,
		    IKE_PRF_HMAC_SHA2_256 },
	};
	uint8_t spi[IKE_SPI_LEN] = { 1 }, g[32] = { 2 }, n[16] = { 3 };
	struct rd gr = rd_make(g, sizeof(g)), nr = rd_make(n, sizeof(n));
	struct ike_keys *k = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(
		    ike_keys_new(&bad[i], &gr, &nr, &nr, spi, spi, true, &k),
		    -EINVAL);
	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		assert_int_equal(ike_keys_new(&unsupported[i], &gr, &nr, &nr,
				     spi, spi, true, &k),
		    -EOPNOTSUPP);
	assert_null(k);
}

/* ------------------------------------------------------------------ */
/* strongSwan. */

static void
expect_sswan_key(
    const struct sswan_case *c, const char *key, const struct buf *got)
{
	const char *want = sswan_get(c, key);

	if (want == NULL) {
		assert_null(got);
		return;
	}
	expect_key(key, got, want);
}

/* The seven keys of an SA against keys.txt, with prefix "" or "ike2_". */
static void
expect_sswan_sa(
    const struct sswan_case *c, const char *prefix, const struct ike_keys *k)
{
	static const char *names[] = { "sk_d", "sk_ai", "sk_ar", "sk_ei",
		"sk_er", "sk_pi", "sk_pr" };
	const struct buf *got[] = { k->sk_d, k->sk_ai, k->sk_ar, k->sk_ei,
		k->sk_er, k->sk_pi, k->sk_pr };
	char key[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		(void)snprintf(key, sizeof(key), "%s%s", prefix, names[i]);
		expect_sswan_key(c, key, got[i]);
	}
}

static struct ike_keys *
sswan_ike1(const struct sswan_case *c)
{
	struct ike_suite s = sswan_suite(c, "");
	struct buf *g = sswan_hex(c, "g_ir"), *ni = sswan_hex(c, "ni");
	struct buf *nr = sswan_hex(c, "nr"), *si = sswan_hex(c, "spi_i");
	struct buf *sr = sswan_hex(c, "spi_r");
	struct rd gr = buf_rd(g), nir = buf_rd(ni), nrr = buf_rd(nr);
	uint8_t out[PRF_MAX_LEN];
	struct ike_keys *k;
	struct prf *p;

	assert_int_equal(prf_new(s.prf, &p), 0);
	assert_int_equal(
	    ike_keys_skeyseed(p, &nir, &nrr, &gr, out, sizeof(out)), 0);
	kat_expect_hex(
	    "strongSwan SKEYSEED", out, prf_len(p), sswan_must(c, "skeyseed"));
	prf_free(p);
	assert_int_equal(
	    ike_keys_new(&s, &gr, &nir, &nrr, si->p, sr->p, true, &k), 0);
	buf_free(g);
	buf_free(ni);
	buf_free(nr);
	buf_free(si);
	buf_free(sr);
	return k;
}

static struct ike_keys *
sswan_ike2(const struct sswan_case *c, const struct ike_keys *old)
{
	struct ike_suite s = sswan_suite(c, "");
	struct buf *g = sswan_hex(c, "ike2_g_ir"),
		   *ni = sswan_hex(c, "ike2_ni");
	struct buf *nr = sswan_hex(c, "ike2_nr"),
		   *si = sswan_hex(c, "ike2_spi_i");
	struct buf *sr = sswan_hex(c, "ike2_spi_r");
	struct rd gr = buf_rd(g), nir = buf_rd(ni), nrr = buf_rd(nr);
	struct rd skd = buf_rd(old->sk_d);
	uint8_t out[PRF_MAX_LEN];
	struct ike_keys *k;

	assert_int_equal(ike_keys_skeyseed_rekey(
			     old->prf, &skd, &gr, &nir, &nrr, out, sizeof(out)),
	    0);
	kat_expect_hex("strongSwan rekey SKEYSEED", out, prf_len(old->prf),
	    sswan_must(c, "ike2_skeyseed"));
	assert_int_equal(
	    ike_keys_rekey(old, &s, &gr, &nir, &nrr, si->p, sr->p, true, &k),
	    0);
	buf_free(g);
	buf_free(ni);
	buf_free(nr);
	buf_free(si);
	buf_free(sr);
	return k;
}

/* CHILD_SA n: its KEYMAT from the SK_d of the IKE SA that created it. */
static bool
check_sswan_child(const struct sswan_case *c, unsigned n,
    const struct ike_keys *ike1, const struct ike_keys *ike2)
{
	struct buf *ni, *nr, *g = NULL;
	struct ike_child_keys ck;
	struct rd nir, nrr, gr;
	struct ike_suite esp;
	const struct sswan_msg *m;
	char p[16], k[32];

	(void)snprintf(p, sizeof(p), "child%u_", n);
	(void)snprintf(k, sizeof(k), "%smsg", p);
	if (sswan_get(c, k) == NULL)
		return false;
	m = sswan_find_msg(c, (unsigned)sswan_num(c, k));
	esp = sswan_suite(c, p);
	(void)snprintf(k, sizeof(k), "%sni", p);
	ni = sswan_hex(c, k);
	(void)snprintf(k, sizeof(k), "%snr", p);
	nr = sswan_hex(c, k);
	(void)snprintf(k, sizeof(k), "%sg_ir", p);
	if (sswan_get(c, k) != NULL)
		g = sswan_hex(c, k);
	nir = buf_rd(ni);
	nrr = buf_rd(nr);
	if (g != NULL)
		gr = buf_rd(g);
	assert_int_equal(
	    ike_keys_child(strcmp(m->sa, "ike2") == 0 ? ike2 : ike1, &esp,
		g != NULL ? &gr : NULL, &nir, &nrr, true, &ck),
	    0);
	/* The client initiated every exchange here: out = i->r. */
	(void)snprintf(k, sizeof(k), "%ssk_ei", p);
	expect_sswan_key(c, k, ck.encr_out);
	(void)snprintf(k, sizeof(k), "%ssk_ai", p);
	expect_sswan_key(c, k, ck.integ_out);
	(void)snprintf(k, sizeof(k), "%ssk_er", p);
	expect_sswan_key(c, k, ck.encr_in);
	(void)snprintf(k, sizeof(k), "%ssk_ar", p);
	expect_sswan_key(c, k, ck.integ_in);
	ike_child_keys_done(&ck);
	buf_free(ni);
	buf_free(nr);
	buf_free(g);
	return true;
}

static void
test_sswan_schedule(void **state)
{
	char names[SSWAN_MAX_CASES][NAME_MAX + 1];
	size_t n = sswan_list(names, SSWAN_MAX_CASES), i, rekeys = 0, kids;
	struct ike_keys *ike1, *ike2;
	struct sswan_case *c;
	unsigned ch;

	for (i = 0; i < n; i++) {
		c = sswan_load(names[i]);
		ike1 = sswan_ike1(c);
		expect_sswan_sa(c, "", ike1);
		ike2 = NULL;
		if (sswan_get(c, "ike2_skeyseed") != NULL) {
			ike2 = sswan_ike2(c, ike1);
			expect_sswan_sa(c, "ike2_", ike2);
			rekeys++;
		}
		for (ch = 1, kids = 0; check_sswan_child(c, ch, ike1, ike2);
		     ch++)
			kids++;
		assert_true(kids > 0);
		ike_keys_free(ike2);
		ike_keys_free(ike1);
		sswan_free(c);
	}
	assert_true(rekeys > 0);
}

/* ------------------------------------------------------------------ */
/* strongSwan AUTH from the MSK (EAP-TLS case). */

/* Decrypted inner payloads of message nn (reassembled if fragmented). */
static struct buf *
sswan_plain(const struct sswan_case *c, unsigned first, unsigned last)
{
	struct buf *parts[4], *all;
	size_t n = 0, len = 0, i;
	unsigned nn;
	char k[32];

	assert_true(last - first < ARRAY_SIZE(parts));
	for (nn = first; nn <= last; nn++) {
		(void)snprintf(k, sizeof(k), "plain_%02u", nn);
		parts[n] = sswan_hex(c, k);
		len += parts[n++]->len;
	}
	all = buf_new(len);
	if (all == NULL)
		abort();
	for (i = 0, len = 0; i < n; i++) {
		memcpy(all->p + len, parts[i]->p, parts[i]->len);
		len += parts[i]->len;
		buf_free(parts[i]);
	}
	return all;
}

/* The body of the first payload of type want in an inner payload chain. */
static struct rd
find_payload(const struct buf *plain, uint8_t first, uint8_t want)
{
	struct rd r = buf_rd(plain), body;
	uint8_t type = first, next, flags;
	uint16_t len;

	while (type != 0) {
		assert_true(rd_u8(&r, &next) && rd_u8(&r, &flags) &&
		    rd_u16(&r, &len) && len >= 4 && rd_sub(&r, len - 4, &body));
		if (type == want)
			return body;
		type = next;
	}
	fail_msg("payload %u not found", want);
	return rd_make(NULL, 0);
}

/* The SK/SKF header's next-payload field: the first inner payload. */
static uint8_t
sswan_first_inner(const struct sswan_case *c, unsigned nn)
{
	struct buf *m = sswan_msg_file(c, sswan_find_msg(c, nn));
	uint8_t type = 0, first;
	size_t off = sswan_sk_off(m, &type);

	assert_true(off != 0);
	first = m->p[off];
	buf_free(m);
	return first;
}

static void
check_sswan_auth(const struct sswan_case *c, const struct ike_keys *k,
    bool of_i, unsigned init_nn, unsigned id_first, unsigned id_last,
    unsigned auth_nn)
{
	const struct sswan_msg *im = sswan_find_msg(c, init_nn);
	struct buf *init = sswan_msg_file(c, im), *so;
	struct buf *idp = sswan_plain(c, id_first, id_last);
	struct buf *ap = sswan_plain(c, auth_nn, auth_nn);
	struct buf *nonce = sswan_hex(c, of_i ? "nr" : "ni");
	struct buf *msk = sswan_hex(c, "msk");
	struct rd msg = buf_rd(init), n = buf_rd(nonce), sk = buf_rd(msk), sor;
	struct rd id = find_payload(idp, sswan_first_inner(c, id_first),
	    of_i ? IKE_PLD_IDI : IKE_PLD_IDR);
	struct rd auth =
	    find_payload(ap, sswan_first_inner(c, auth_nn), IKE_PLD_AUTH);
	uint8_t method;

	/* AUTH body: Auth Method, 3 reserved bytes, Authentication Data. */
	assert_true(rd_u8(&auth, &method) && rd_skip(&auth, 3));
	assert_int_equal(method, IKE_AUTH_SHARED_KEY_MIC);
	assert_int_equal(
	    ike_keys_signed_octets(k, of_i, &msg, &n, &id, &so), 0);
	sor = buf_rd(so);
	assert_int_equal(ike_keys_auth_psk_verify(k, &sk, &sor, &auth), 0);
	/* The other side's MACedID does not verify. */
	buf_free(so);
	assert_int_equal(
	    ike_keys_signed_octets(k, !of_i, &msg, &n, &id, &so), 0);
	sor = buf_rd(so);
	assert_int_equal(
	    ike_keys_auth_psk_verify(k, &sk, &sor, &auth), -EACCES);
	buf_free(so);
	buf_free(init);
	buf_free(idp);
	buf_free(ap);
	buf_free(nonce);
	buf_free(msk);
}

static void
test_sswan_eap_auth(void **state)
{
	char names[SSWAN_MAX_CASES][NAME_MAX + 1];
	size_t n = sswan_list(names, SSWAN_MAX_CASES), i, done = 0;
	struct sswan_case *c;
	struct ike_keys *k;

	for (i = 0; i < n; i++) {
		if (strstr(names[i], "eaptls") == NULL)
			continue;
		c = sswan_load(names[i]);
		k = sswan_ike1(c);
		/*
		 * gcm256-prfsha384-ecp384-eaptls (messages.txt): IDi in 02,
		 * IDr in the reassembled 03 | 04, the MSK AUTHs in 17 and 18.
		 */
		check_sswan_auth(c, k, true, 0, 2, 2, 17);
		check_sswan_auth(c, k, false, 1, 3, 4, 18);
		ike_keys_free(k);
		sswan_free(c);
		done++;
	}
	assert_int_equal(done, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated_skeyseed),
		cmocka_unit_test(test_generated_sk_keys),
		cmocka_unit_test(test_generated_rekey),
		cmocka_unit_test(test_generated_child),
		cmocka_unit_test(test_generated_auth),
		cmocka_unit_test(test_bad_suites),
		cmocka_unit_test(test_sswan_schedule),
		cmocka_unit_test(test_sswan_eap_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
