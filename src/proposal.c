/* SPDX-License-Identifier: ISC */
/*
 * proposal.c: strongSwan-style proposal strings to IANA transform IDs and
 * back (see proposal.h for the rules).  Only the algorithms p2s implements
 * have names here, so a profile cannot ask for something the crypto
 * module would fail on at connect time.  RFC 7296 3.3.2-3.3.3 (transform
 * types and mandatory transforms), RFC 5282 8 (no integrity with AEAD),
 * RFC 8247 (algorithm choices).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "proposal.h"

struct proposal_name {
	const char *name;  /* static */
	uint8_t type;	   /* enum ike_xform_type */
	uint16_t id;	   /* IANA ID within type */
	uint16_t key_bits; /* key length attribute; 0: none */
};

/*
 * The first entry for a (type, id, key_bits) is its canonical name, the
 * one printed; later ones are aliases accepted on input.
 */
static const struct proposal_name proposal_names[] = {
	/* AES-CBC (RFC 3602) and AES-GCM, 16-byte ICV (RFC 4106, 5282). */
	{ "aes128", IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 128 },
	{ "aes192", IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 192 },
	{ "aes256", IKE_XFORM_ENCR, IKE_ENCR_AES_CBC, 256 },
	{ "aes128gcm16", IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16", IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16", IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes128gcm128", IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm128", IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm128", IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	/* HMAC integrity (RFC 2404, RFC 4868). */
	{ "sha1", IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA1_96, 0 },
	{ "sha256", IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha2_256", IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha2_384", IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha2_512", IKE_XFORM_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	/* HMAC PRFs (RFC 2104, RFC 4868). */
	{ "prfsha1", IKE_XFORM_PRF, IKE_PRF_HMAC_SHA1, 0 },
	{ "prfsha256", IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", IKE_XFORM_PRF, IKE_PRF_HMAC_SHA2_512, 0 },
	/* Key exchange groups (RFC 3526, 5114, 5903, 8031). */
	{ "modp1024", IKE_XFORM_DH, IKE_DH_MODP_1024, 0 },
	{ "modp2048", IKE_XFORM_DH, IKE_DH_MODP_2048, 0 },
	{ "modp2048s256", IKE_XFORM_DH, IKE_DH_MODP_2048_256, 0 },
	{ "ecp256", IKE_XFORM_DH, IKE_DH_ECP_256, 0 },
	{ "ecp384", IKE_XFORM_DH, IKE_DH_ECP_384, 0 },
	{ "curve25519", IKE_XFORM_DH, IKE_DH_CURVE25519, 0 },
	{ "x25519", IKE_XFORM_DH, IKE_DH_CURVE25519, 0 },
	/* Extended sequence numbers (RFC 4303 2.2.1), ESP only. */
	{ "noesn", IKE_XFORM_ESN, IKE_ESN_NO, 0 },
	{ "esn", IKE_XFORM_ESN, IKE_ESN_YES, 0 },
};

/* The PRF an IKE proposal gets for each integrity when it names none. */
static const struct {
	uint16_t integ;
	uint16_t prf;
} proposal_integ_prf[] = {
	{ IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1 },
	{ IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256 },
	{ IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384 },
	{ IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512 },
};

/* The order transform types are kept and printed in. */
static const uint8_t proposal_type_order[] = { IKE_XFORM_ENCR, IKE_XFORM_INTEG,
	IKE_XFORM_PRF, IKE_XFORM_DH, IKE_XFORM_ESN };

/*
 * Azure's 17 IKE rows, in its order: GCM with PRF SHA-384 then SHA-256,
 * each with groups 24, 14, ECP384, ECP256; then CBC with SHA-384 (same
 * groups); then CBC with SHA-256 (same groups, then group 2).  MODP-1024
 * is offered last only because Azure lists it: the IKE_AUTH signatures
 * cover the offer, so an attacker cannot force the gateway down to it.
 */
const char *const proposal_azure_ike[PROPOSAL_AZURE_IKE_N] = {
	"aes256gcm16-prfsha384-prfsha256-modp2048s256-modp2048-ecp384-ecp256",
	"aes256-sha384-prfsha384-modp2048s256-modp2048-ecp384-ecp256",
	"aes256-sha256-prfsha256-modp2048s256-modp2048-ecp384-ecp256-modp1024",
};

/*
 * Azure's ESP rows with GROUP_NONE.  The rows with PFS groups only matter
 * when a rekey asks for PFS; an administrator who wants PFS names the
 * groups ("aes256gcm16-ecp384").
 */
const char *const proposal_azure_esp[PROPOSAL_AZURE_ESP_N] = {
	"aes256gcm16",
	"aes256-sha256",
	"aes256-sha1",
};

static int P2S_PRINTF(3, 4)
    proposal_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && err_len > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const struct proposal_name *
proposal_name_find(const char *word, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(proposal_names); i++) {
		const char *n = proposal_names[i].name;

		if (strlen(n) == len && memcmp(n, word, len) == 0)
			return &proposal_names[i];
	}
	return NULL;
}

const char *
proposal_xform_name(uint8_t type, uint16_t id, uint16_t key_bits)
{
	for (size_t i = 0; i < ARRAY_SIZE(proposal_names); i++) {
		const struct proposal_name *n = &proposal_names[i];

		if (n->type == type && n->id == id && n->key_bits == key_bits)
			return n->name;
	}
	return NULL;
}

static size_t
proposal_count(const struct proposal *p, uint8_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_xforms; i++)
		n += p->xforms[i].type == type;
	return n;
}

static bool
proposal_has(const struct proposal *p, const struct proposal_xform *x)
{
	for (size_t i = 0; i < p->n_xforms; i++) {
		const struct proposal_xform *y = &p->xforms[i];

		if (y->type == x->type && y->id == x->id &&
		    y->key_bits == x->key_bits)
			return true;
	}
	return false;
}

static bool
proposal_encr_is_aead(uint16_t id)
{
	return id == IKE_ENCR_AES_GCM_8 || id == IKE_ENCR_AES_GCM_12 ||
	    id == IKE_ENCR_AES_GCM_16 || id == IKE_ENCR_CHACHA20_POLY1305;
}

/* Number of AEAD ciphers in p. */
static size_t
proposal_count_aead(const struct proposal *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_xforms; i++)
		n += p->xforms[i].type == IKE_XFORM_ENCR &&
		    proposal_encr_is_aead(p->xforms[i].id);
	return n;
}

/* Append x unless present; -EINVAL when p is full. */
static int
proposal_add(struct proposal *p, uint8_t type, uint16_t id, uint16_t bits)
{
	struct proposal_xform x = { .type = type, .id = id, .key_bits = bits };

	if (proposal_has(p, &x))
		return 0;
	if (p->n_xforms >= PROPOSAL_MAX_XFORMS)
		return -EINVAL;
	p->xforms[p->n_xforms++] = x;
	return 0;
}

/* Split s at '-' and look every word up, in the order written. */
static int
proposal_read_words(
    struct proposal *p, const char *s, char *err, size_t err_len)
{
	const char *w = s;

	for (;;) {
		size_t len = strcspn(w, "-");
		const struct proposal_name *n = proposal_name_find(w, len);
		struct proposal_xform x;

		if (len == 0)
			return proposal_fail(
			    err, err_len, "empty algorithm name in '%s'", s);
		if (n == NULL)
			return proposal_fail(err, err_len,
			    "unknown algorithm '%.*s' in '%s'", (int)len, w, s);
		x = (struct proposal_xform){ n->type, n->id, n->key_bits };
		if (proposal_has(p, &x))
			return proposal_fail(err, err_len,
			    "'%s' appears twice in '%s'", n->name, s);
		if (proposal_add(p, n->type, n->id, n->key_bits) < 0)
			return proposal_fail(err, err_len,
			    "too many algorithms in '%s' (at most %d)", s,
			    PROPOSAL_MAX_XFORMS);
		if (w[len] == '\0')
			return 0;
		w += len + 1;
	}
}

/* strongSwan's rule: an IKE proposal without a PRF uses its integrities'. */
static int
proposal_add_implied(struct proposal *p)
{
	size_t n = p->n_xforms;

	if (p->proto == IKE_PROTO_ESP && proposal_count(p, IKE_XFORM_ESN) == 0)
		return proposal_add(p, IKE_XFORM_ESN, IKE_ESN_NO, 0);
	if (p->proto != IKE_PROTO_IKE || proposal_count(p, IKE_XFORM_PRF) > 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p->xforms[i].type != IKE_XFORM_INTEG)
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(proposal_integ_prf); j++)
			if (proposal_integ_prf[j].integ == p->xforms[i].id &&
			    proposal_add(p, IKE_XFORM_PRF,
				proposal_integ_prf[j].prf, 0) < 0)
				return -EINVAL;
	}
	return 0;
}

/* The mandatory and forbidden transforms of RFC 7296 3.3.3, RFC 5282 8. */
static int
proposal_check(
    const struct proposal *p, const char *s, char *err, size_t err_len)
{
	size_t n_encr = proposal_count(p, IKE_XFORM_ENCR);
	size_t n_aead = proposal_count_aead(p);
	size_t n_integ = proposal_count(p, IKE_XFORM_INTEG);
	bool ike = p->proto == IKE_PROTO_IKE;

	if (n_encr == 0)
		return proposal_fail(err, err_len,
		    "no encryption algorithm in '%s' (e.g. aes256gcm16)", s);
	if (n_aead > 0 && n_aead < n_encr)
		return proposal_fail(err, err_len,
		    "'%s' mixes AEAD and non-AEAD ciphers; write two proposals",
		    s);
	if (n_aead > 0 && n_integ > 0)
		return proposal_fail(err, err_len,
		    "'%s': an AEAD cipher takes no integrity algorithm", s);
	if (n_aead == 0 && n_integ == 0)
		return proposal_fail(err, err_len,
		    "no integrity algorithm in '%s' (e.g. %s-sha256)", s, s);
	if (ike && proposal_count(p, IKE_XFORM_PRF) == 0)
		return proposal_fail(
		    err, err_len, "no PRF in '%s' (e.g. %s-prfsha384)", s, s);
	if (ike && proposal_count(p, IKE_XFORM_DH) == 0)
		return proposal_fail(err, err_len,
		    "no key exchange group in '%s' (e.g. %s-ecp384)", s, s);
	if (ike && proposal_count(p, IKE_XFORM_ESN) > 0)
		return proposal_fail(err, err_len,
		    "'%s': esn and noesn are for ESP proposals only", s);
	if (!ike && proposal_count(p, IKE_XFORM_PRF) > 0)
		return proposal_fail(
		    err, err_len, "'%s': a PRF is for IKE proposals only", s);
	return 0;
}

/* Stable grouping by type, in proposal_type_order. */
static void
proposal_group(const struct proposal *in, struct proposal *out)
{
	*out = (struct proposal){ .proto = in->proto };
	for (size_t t = 0; t < ARRAY_SIZE(proposal_type_order); t++)
		for (size_t i = 0; i < in->n_xforms; i++)
			if (in->xforms[i].type == proposal_type_order[t])
				out->xforms[out->n_xforms++] = in->xforms[i];
}

int
proposal_parse(uint8_t proto, const char *s, struct proposal *ret_prop,
    char *err, size_t err_len)
{
	struct proposal p = { .proto = proto };
	int r;

	if (proto != IKE_PROTO_IKE && proto != IKE_PROTO_ESP)
		return proposal_fail(
		    err, err_len, "not an IKE or ESP proposal");
	if (strlen(s) > PROPOSAL_MAX_LEN)
		return proposal_fail(err, err_len,
		    "proposal longer than %d characters", PROPOSAL_MAX_LEN);
	r = proposal_read_words(&p, s, err, err_len);
	if (r < 0)
		return r;
	if (proposal_add_implied(&p) < 0)
		return proposal_fail(err, err_len,
		    "too many algorithms in '%s' (at most %d)", s,
		    PROPOSAL_MAX_XFORMS);
	r = proposal_check(&p, s, err, err_len);
	if (r < 0)
		return r;
	proposal_group(&p, ret_prop);
	return 0;
}

/* "noesn" alone is the ESP default, so it is left out of the text. */
static bool
proposal_print_skips(const struct proposal *p, const struct proposal_xform *x)
{
	return x->type == IKE_XFORM_ESN && x->id == IKE_ESN_NO &&
	    proposal_count(p, IKE_XFORM_ESN) == 1;
}

int
proposal_print(const struct proposal *p, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_xforms; i++) {
		const struct proposal_xform *x = &p->xforms[i];
		const char *name =
		    proposal_xform_name(x->type, x->id, x->key_bits);
		int n;

		if (name == NULL)
			return -EINVAL;
		if (proposal_print_skips(p, x))
			continue;
		n = snprintf(
		    buf + off, len - off, "%s%s", off > 0 ? "-" : "", name);
		if (n < 0 || (size_t)n >= len - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return 0;
}

bool
proposal_has_group(const struct proposal *props, size_t n, uint16_t group)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < props[i].n_xforms; k++)
			if (props[i].xforms[k].type == IKE_XFORM_DH &&
			    props[i].xforms[k].id == group)
				return true;
	return false;
}
