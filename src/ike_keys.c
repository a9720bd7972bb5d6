/* SPDX-License-Identifier: ISC */
/*
 * ike_keys.c: the IKEv2 key schedule (see ike_keys.h), written as the RFC
 * formulas, one comment per step.  RFC 7296 2.13 (prf+), 2.14 (SKEYSEED
 * and SK_*), 2.15 and 2.16 (AUTH octets, shared-key and EAP AUTH), 2.17
 * (CHILD_SA KEYMAT), 2.18 (IKE SA rekey); RFC 5282 (AEAD: no SK_a*, the
 * encryption key carries the salt).
 *
 * Every intermediate secret is in a buf_new_secret buffer or wiped at the
 * out: label.  No memcmp here: AUTH is compared with crypto_memeq.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "ike_keys.h"

/* RFC 7296 2.15: the pad string, without a terminating NUL. */
static const char key_pad[] = "Key Pad for IKEv2";
#define KEY_PAD_LEN (sizeof(key_pad) - 1)

/* Key lengths for a suite: encryption (incl. salt) and integrity. */
struct key_lens {
	size_t encr;  /* bytes */
	size_t integ; /* bytes; 0 with an AEAD */
};

/* The suite's encryption and integrity objects, still unkeyed. */
static int
suite_objects(
    const struct ike_suite *s, struct encr **ret_encr, struct integ **ret_integ)
{
	struct integ *integ = NULL;
	struct encr *encr = NULL;
	int r;

	r = encr_new(s->encr, s->encr_bits, &encr);
	if (r < 0)
		return r;
	/* RFC 5282 / RFC 7296 3.3: an AEAD takes no integrity transform. */
	if (encr_is_aead(encr) != (s->integ == IKE_INTEG_NONE))
		r = -EINVAL;
	else if (s->integ != IKE_INTEG_NONE)
		r = integ_new(s->integ, &integ);
	if (r < 0) {
		encr_free(encr);
		return r;
	}
	*ret_encr = encr;
	*ret_integ = integ;
	return 0;
}

static int
suite_key_lens(const struct ike_suite *s, struct key_lens *ret)
{
	struct integ *integ;
	struct encr *encr;
	int r;

	r = suite_objects(s, &encr, &integ);
	if (r < 0)
		return r;
	ret->encr = encr_key_len(encr);
	ret->integ = integ != NULL ? integ_key_len(integ) : 0;
	encr_free(encr);
	integ_free(integ);
	return 0;
}

/* Cuts the next n bytes of keymat into a secret buffer (NULL when n = 0). */
static int
take_key(struct rd *keymat, size_t n, struct buf **ret)
{
	struct rd part;

	*ret = NULL;
	if (n == 0)
		return 0;
	if (!rd_sub(keymat, n, &part))
		return -EINVAL;
	*ret = buf_dup_secret(part.p, part.len);
	return *ret != NULL ? 0 : -ENOMEM;
}

int
ike_keys_skeyseed(const struct prf *p, const struct rd *ni, const struct rd *nr,
    const struct rd *g_ir, uint8_t *ret, size_t ret_cap)
{
	struct buf *ninr;
	struct rd key;
	int r;

	ninr = buf_cat(ni, nr, false);
	if (ninr == NULL)
		return -ENOMEM;
	key = buf_rd(ninr);
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	r = prf(p, &key, g_ir, ret, ret_cap);
	buf_free(ninr);
	return r;
}

int
ike_keys_skeyseed_rekey(const struct prf *old_prf, const struct rd *old_sk_d,
    const struct rd *g_ir, const struct rd *ni, const struct rd *nr,
    uint8_t *ret, size_t ret_cap)
{
	const struct rd data[3] = { *g_ir, *ni, *nr };

	/* SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
	return prf_vec(old_prf, old_sk_d, data, ARRAY_SIZE(data), ret, ret_cap);
}

void
ike_keys_free(struct ike_keys *k)
{
	if (k == NULL)
		return;
	encr_free(k->out.encr);
	integ_free(k->out.integ);
	encr_free(k->in.encr);
	integ_free(k->in.integ);
	buf_free(k->sk_d);
	buf_free(k->sk_ai);
	buf_free(k->sk_ar);
	buf_free(k->sk_ei);
	buf_free(k->sk_er);
	buf_free(k->sk_pi);
	buf_free(k->sk_pr);
	prf_free(k->prf);
	free(k);
}

static int
keys_alloc(const struct ike_suite *s, bool initiator, struct ike_keys **ret)
{
	struct ike_keys *k = calloc(1, sizeof(*k));
	int r;

	if (k == NULL)
		return -ENOMEM;
	k->suite = *s;
	k->initiator = initiator;
	r = prf_new(s->prf, &k->prf);
	if (r == 0)
		r = suite_objects(s, &k->out.encr, &k->out.integ);
	if (r == 0)
		r = suite_objects(s, &k->in.encr, &k->in.integ);
	if (r < 0) {
		ike_keys_free(k);
		return r;
	}
	*ret = k;
	return 0;
}

/* Splits {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}. */
static int
keys_split(struct ike_keys *k, struct rd keymat, const struct key_lens *l)
{
	size_t n_prf = prf_len(k->prf);
	int r;

	r = take_key(&keymat, n_prf, &k->sk_d);
	if (r == 0)
		r = take_key(&keymat, l->integ, &k->sk_ai);
	if (r == 0)
		r = take_key(&keymat, l->integ, &k->sk_ar);
	if (r == 0)
		r = take_key(&keymat, l->encr, &k->sk_ei);
	if (r == 0)
		r = take_key(&keymat, l->encr, &k->sk_er);
	if (r == 0)
		r = take_key(&keymat, n_prf, &k->sk_pi);
	if (r == 0)
		r = take_key(&keymat, n_prf, &k->sk_pr);
	return r;
}

static int
dir_set_keys(struct ike_sk_dir *d, const struct buf *e, const struct buf *a)
{
	struct rd ek = buf_rd(e), ak;
	int r;

	r = encr_set_key(d->encr, &ek);
	if (r == 0 && d->integ != NULL) {
		ak = buf_rd(a);
		r = integ_set_key(d->integ, &ak);
	}
	return r;
}

/* The initiator sends with SK_ei/SK_ai, the responder with SK_er/SK_ar. */
static int
keys_arm(struct ike_keys *k)
{
	const struct buf *e_out = k->initiator ? k->sk_ei : k->sk_er;
	const struct buf *a_out = k->initiator ? k->sk_ai : k->sk_ar;
	const struct buf *e_in = k->initiator ? k->sk_er : k->sk_ei;
	const struct buf *a_in = k->initiator ? k->sk_ar : k->sk_ai;
	int r;

	r = dir_set_keys(&k->out, e_out, a_out);
	if (r == 0)
		r = dir_set_keys(&k->in, e_in, a_in);
	return r;
}

/* Ni | Nr | SPIi | SPIr, the prf+ seed of 2.14 (public values). */
static struct buf *
sk_seed(const struct rd *ni, const struct rd *nr,
    const uint8_t spi_i[static IKE_SPI_LEN],
    const uint8_t spi_r[static IKE_SPI_LEN])
{
	struct buf *b;
	struct wr w;

	if (ni->len > IKE_MSG_MAX_LEN || nr->len > IKE_MSG_MAX_LEN)
		return NULL;
	b = buf_new(ni->len + nr->len + 2 * IKE_SPI_LEN);
	if (b == NULL)
		return NULL;
	w = wr_make(b->p, b->len);
	wr_rd(&w, ni);
	wr_rd(&w, nr);
	wr_bytes(&w, spi_i, IKE_SPI_LEN);
	wr_bytes(&w, spi_r, IKE_SPI_LEN);
	return b;
}

int
ike_keys_from_skeyseed(const struct ike_suite *s, const struct rd *skeyseed,
    const struct rd *ni, const struct rd *nr,
    const uint8_t spi_i[static IKE_SPI_LEN],
    const uint8_t spi_r[static IKE_SPI_LEN], bool initiator,
    struct ike_keys **ret)
{
	struct buf *seed = NULL, *keymat = NULL;
	struct ike_keys *k;
	struct key_lens l;
	struct rd sd;
	size_t total;
	int r;

	r = suite_key_lens(s, &l);
	if (r == 0)
		r = keys_alloc(s, initiator, &k);
	if (r < 0)
		return r;
	total = 3 * prf_len(k->prf) + 2 * l.integ + 2 * l.encr;
	seed = sk_seed(ni, nr, spi_i, spi_r);
	keymat = buf_new_secret(total);
	r = -ENOMEM;
	if (seed == NULL || keymat == NULL)
		goto out;
	sd = buf_rd(seed);
	/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
	 *     = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
	r = prf_plus(k->prf, skeyseed, &sd, total, keymat->p);
	if (r == 0)
		r = keys_split(k, buf_rd(keymat), &l);
	if (r == 0)
		r = keys_arm(k);
out:
	buf_free(keymat);
	buf_free(seed);
	if (r < 0)
		ike_keys_free(k);
	else
		*ret = k;
	return r;
}

int
ike_keys_new(const struct ike_suite *s, const struct rd *g_ir,
    const struct rd *ni, const struct rd *nr,
    const uint8_t spi_i[static IKE_SPI_LEN],
    const uint8_t spi_r[static IKE_SPI_LEN], bool initiator,
    struct ike_keys **ret)
{
	uint8_t skeyseed[PRF_MAX_LEN];
	struct prf *p = NULL;
	struct rd sks;
	int r;

	r = prf_new(s->prf, &p);
	if (r < 0)
		return r;
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	r = ike_keys_skeyseed(p, ni, nr, g_ir, skeyseed, sizeof(skeyseed));
	sks = rd_make(skeyseed, prf_len(p));
	if (r == 0)
		r = ike_keys_from_skeyseed(
		    s, &sks, ni, nr, spi_i, spi_r, initiator, ret);
	wipe(skeyseed, sizeof(skeyseed));
	prf_free(p);
	return r;
}

int
ike_keys_rekey(const struct ike_keys *old, const struct ike_suite *s,
    const struct rd *g_ir, const struct rd *ni, const struct rd *nr,
    const uint8_t spi_i[static IKE_SPI_LEN],
    const uint8_t spi_r[static IKE_SPI_LEN], bool initiator,
    struct ike_keys **ret)
{
	uint8_t skeyseed[PRF_MAX_LEN];
	struct rd sk_d = buf_rd(old->sk_d), sks;
	int r;

	/*
	 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr): the old SA's
	 * PRF, since the rekey exchange belongs to the old SA (2.18); the
	 * new SA's PRF then runs prf+.
	 */
	r = ike_keys_skeyseed_rekey(
	    old->prf, &sk_d, g_ir, ni, nr, skeyseed, sizeof(skeyseed));
	sks = rd_make(skeyseed, prf_len(old->prf));
	if (r == 0)
		r = ike_keys_from_skeyseed(
		    s, &sks, ni, nr, spi_i, spi_r, initiator, ret);
	wipe(skeyseed, sizeof(skeyseed));
	return r;
}

/* ------------------------------------------------------------------ */
/* CHILD_SA keys (2.17). */

void
ike_child_keys_done(struct ike_child_keys *c)
{
	if (c == NULL)
		return;
	buf_free(c->encr_out);
	buf_free(c->integ_out);
	buf_free(c->encr_in);
	buf_free(c->integ_in);
	memset(c, 0, sizeof(*c));
}

/* [g^ir (new) |] Ni | Nr: secret when it carries g^ir. */
static struct buf *
child_seed(const struct rd *g_ir, const struct rd *ni, const struct rd *nr)
{
	size_t gl = g_ir != NULL ? g_ir->len : 0;
	struct buf *b;
	struct wr w;

	if (gl > KEX_MAX_SECRET_LEN || ni->len > IKE_MSG_MAX_LEN ||
	    nr->len > IKE_MSG_MAX_LEN)
		return NULL;
	b = buf_new_secret(gl + ni->len + nr->len);
	if (b == NULL)
		return NULL;
	w = wr_make(b->p, b->len);
	if (g_ir != NULL)
		wr_rd(&w, g_ir);
	wr_rd(&w, ni);
	wr_rd(&w, nr);
	return b;
}

/* i->r encryption, i->r integrity, r->i encryption, r->i integrity. */
static int
child_split(struct rd keymat, const struct key_lens *l, bool initiator,
    struct ike_child_keys *c)
{
	struct buf **e_ir = initiator ? &c->encr_out : &c->encr_in;
	struct buf **a_ir = initiator ? &c->integ_out : &c->integ_in;
	struct buf **e_ri = initiator ? &c->encr_in : &c->encr_out;
	struct buf **a_ri = initiator ? &c->integ_in : &c->integ_out;
	int r;

	r = take_key(&keymat, l->encr, e_ir);
	if (r == 0)
		r = take_key(&keymat, l->integ, a_ir);
	if (r == 0)
		r = take_key(&keymat, l->encr, e_ri);
	if (r == 0)
		r = take_key(&keymat, l->integ, a_ri);
	return r;
}

int
ike_keys_child(const struct ike_keys *k, const struct ike_suite *esp,
    const struct rd *g_ir, const struct rd *ni, const struct rd *nr,
    bool initiator, struct ike_child_keys *ret)
{
	struct ike_child_keys c = { NULL, NULL, NULL, NULL };
	struct buf *seed = NULL, *keymat = NULL;
	struct rd sk_d = buf_rd(k->sk_d), sd;
	struct key_lens l;
	size_t total;
	int r;

	r = suite_key_lens(esp, &l);
	if (r < 0)
		return r;
	total = 2 * (l.encr + l.integ);
	seed = child_seed(g_ir, ni, nr);
	keymat = buf_new_secret(total);
	r = -ENOMEM;
	if (seed == NULL || keymat == NULL)
		goto out;
	sd = buf_rd(seed);
	/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) */
	r = prf_plus(k->prf, &sk_d, &sd, total, keymat->p);
	if (r == 0)
		r = child_split(buf_rd(keymat), &l, initiator, &c);
out:
	buf_free(keymat);
	buf_free(seed);
	if (r < 0)
		ike_child_keys_done(&c);
	else
		*ret = c;
	return r;
}

/* ------------------------------------------------------------------ */
/* AUTH (2.15, 2.16). */

int
ike_keys_signed_octets(const struct ike_keys *k, bool of_initiator,
    const struct rd *real_msg, const struct rd *nonce, const struct rd *id_body,
    struct buf **ret)
{
	struct rd sk_p = buf_rd(of_initiator ? k->sk_pi : k->sk_pr);
	size_t n = prf_len(k->prf);
	uint8_t maced[PRF_MAX_LEN];
	struct buf *b = NULL;
	struct wr w;
	int r;

	if (real_msg->len > IKE_MSG_MAX_LEN || nonce->len > IKE_MSG_MAX_LEN)
		return -EINVAL;
	/* MACedIDForI = prf(SK_pi, RestOfInitIDPayload); R: SK_pr */
	r = prf(k->prf, &sk_p, id_body, maced, sizeof(maced));
	if (r < 0)
		goto out;
	b = buf_new(real_msg->len + nonce->len + n);
	r = -ENOMEM;
	if (b == NULL)
		goto out;
	/* InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI */
	w = wr_make(b->p, b->len);
	wr_rd(&w, real_msg);
	wr_rd(&w, nonce);
	wr_bytes(&w, maced, n);
	*ret = b;
	r = 0;
out:
	wipe(maced, sizeof(maced));
	return r;
}

int
ike_keys_auth_psk(const struct ike_keys *k, const struct rd *secret,
    const struct rd *signed_octets, uint8_t *ret, size_t ret_cap)
{
	const struct rd pad = rd_make(key_pad, KEY_PAD_LEN);
	uint8_t inner[PRF_MAX_LEN];
	struct rd ikey;
	int r;

	/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>) */
	r = prf(k->prf, secret, &pad, inner, sizeof(inner));
	ikey = rd_make(inner, prf_len(k->prf));
	if (r == 0)
		r = prf(k->prf, &ikey, signed_octets, ret, ret_cap);
	wipe(inner, sizeof(inner));
	return r;
}

int
ike_keys_auth_psk_verify(const struct ike_keys *k, const struct rd *secret,
    const struct rd *signed_octets, const struct rd *auth)
{
	uint8_t want[PRF_MAX_LEN];
	size_t n = prf_len(k->prf);
	int r;

	r = ike_keys_auth_psk(k, secret, signed_octets, want, sizeof(want));
	if (r == 0 && (auth->len != n || !crypto_memeq(want, auth->p, n)))
		r = -EACCES;
	wipe(want, sizeof(want));
	return r;
}
