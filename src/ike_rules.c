/* SPDX-License-Identifier: ISC */
/*
 * ike_rules.c: the table of message shapes per exchange (see ike_rules.h)
 * and the matcher.  RFC 7296 1.2 (IKE_SA_INIT, IKE_AUTH), 1.3
 * (CREATE_CHILD_SA), 1.4 (INFORMATIONAL), 2.6 (COOKIE), 2.16 (EAP), 3.14
 * (SK), RFC 7383 2.5 (SKF), RFC 4555 (MOBIKE in INFORMATIONAL).
 *
 * Vendor IDs may appear in any message (3.12), so every shape allows them.
 * Counts marked MANY are bounded only by IKE_MAX_PAYLOADS.
 */
#include <errno.h>

#include "ike_rules.h"
#include "log.h"

#define MANY IKE_MAX_PAYLOADS

#define ONE(t)                                                                 \
	{                                                                      \
		IKE_PLD_##t, 1, 1                                              \
	}
#define OPT(t)                                                                 \
	{                                                                      \
		IKE_PLD_##t, 0, 1                                              \
	}
#define ANY(t)                                                                 \
	{                                                                      \
		IKE_PLD_##t, 0, MANY                                           \
	}
#define SOME(t)                                                                \
	{                                                                      \
		IKE_PLD_##t, 1, MANY                                           \
	}
#define CERTS                                                                  \
	{                                                                      \
		IKE_PLD_CERT, 0, CERT_MAX_CHAIN                                \
	}

#define REQ  false
#define RESP true
#define OUT  false
#define IN   true

static const struct ike_rule rules[] = {
	/* Outside SK. */
	{ IKE_SHAPE_INIT_REQ, IKE_SA_INIT, REQ, OUT,
	    { ONE(SA), ONE(KE), ONE(NONCE), ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_INIT_RESP, IKE_SA_INIT, RESP, OUT,
	    { ONE(SA), ONE(KE), ONE(NONCE), ANY(CERTREQ), ANY(NOTIFY),
		ANY(VENDOR) } },
	{ IKE_SHAPE_INIT_RESP_N, IKE_SA_INIT, RESP, OUT,
	    { SOME(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_ENCRYPTED, IKE_AUTH, REQ, OUT, { ONE(SK) } },
	{ IKE_SHAPE_FRAGMENT, IKE_AUTH, REQ, OUT, { ONE(SKF) } },
	{ IKE_SHAPE_ENCRYPTED, IKE_AUTH, RESP, OUT, { ONE(SK) } },
	{ IKE_SHAPE_FRAGMENT, IKE_AUTH, RESP, OUT, { ONE(SKF) } },
	{ IKE_SHAPE_ENCRYPTED, IKE_CREATE_CHILD_SA, REQ, OUT, { ONE(SK) } },
	{ IKE_SHAPE_FRAGMENT, IKE_CREATE_CHILD_SA, REQ, OUT, { ONE(SKF) } },
	{ IKE_SHAPE_ENCRYPTED, IKE_CREATE_CHILD_SA, RESP, OUT, { ONE(SK) } },
	{ IKE_SHAPE_FRAGMENT, IKE_CREATE_CHILD_SA, RESP, OUT, { ONE(SKF) } },
	{ IKE_SHAPE_ENCRYPTED, IKE_INFORMATIONAL, REQ, OUT, { ONE(SK) } },
	{ IKE_SHAPE_FRAGMENT, IKE_INFORMATIONAL, REQ, OUT, { ONE(SKF) } },
	{ IKE_SHAPE_ENCRYPTED, IKE_INFORMATIONAL, RESP, OUT, { ONE(SK) } },
	{ IKE_SHAPE_FRAGMENT, IKE_INFORMATIONAL, RESP, OUT, { ONE(SKF) } },

	/* IKE_AUTH, inside SK. */
	{ IKE_SHAPE_AUTH_REQ, IKE_AUTH, REQ, IN,
	    { ONE(IDI), CERTS, ANY(CERTREQ), OPT(IDR), OPT(AUTH), OPT(CP),
		ONE(SA), ONE(TSI), ONE(TSR), ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_REQ_EAP, IKE_AUTH, REQ, IN,
	    { ONE(EAP), ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_REQ_MSK, IKE_AUTH, REQ, IN,
	    { ONE(AUTH), ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_RESP_EAP_START, IKE_AUTH, RESP, IN,
	    { ONE(IDR), CERTS, ONE(AUTH), ONE(EAP), ANY(NOTIFY),
		ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_RESP_EAP, IKE_AUTH, RESP, IN,
	    { ONE(EAP), ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_RESP_EAP_DONE, IKE_AUTH, RESP, IN,
	    { ONE(AUTH), OPT(CP), ONE(SA), ONE(TSI), ONE(TSR), ANY(NOTIFY),
		ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_RESP_EAP_NOCHILD, IKE_AUTH, RESP, IN,
	    { ONE(AUTH), OPT(CP), SOME(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_RESP_DONE, IKE_AUTH, RESP, IN,
	    { ONE(IDR), CERTS, ONE(AUTH), OPT(CP), ONE(SA), ONE(TSI), ONE(TSR),
		ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_RESP_NOCHILD, IKE_AUTH, RESP, IN,
	    { ONE(IDR), CERTS, ONE(AUTH), OPT(CP), SOME(NOTIFY),
		ANY(VENDOR) } },
	{ IKE_SHAPE_AUTH_RESP_ERROR, IKE_AUTH, RESP, IN,
	    { SOME(NOTIFY), ANY(VENDOR) } },

	/* CREATE_CHILD_SA, inside SK: a new or rekeyed CHILD_SA has TS. */
	{ IKE_SHAPE_CHILD_SA, IKE_CREATE_CHILD_SA, REQ, IN,
	    { ONE(SA), ONE(NONCE), OPT(KE), ONE(TSI), ONE(TSR), ANY(NOTIFY),
		ANY(VENDOR) } },
	{ IKE_SHAPE_CHILD_REKEY_IKE, IKE_CREATE_CHILD_SA, REQ, IN,
	    { ONE(SA), ONE(NONCE), ONE(KE), ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_CHILD_SA, IKE_CREATE_CHILD_SA, RESP, IN,
	    { ONE(SA), ONE(NONCE), OPT(KE), ONE(TSI), ONE(TSR), ANY(NOTIFY),
		ANY(VENDOR) } },
	{ IKE_SHAPE_CHILD_REKEY_IKE, IKE_CREATE_CHILD_SA, RESP, IN,
	    { ONE(SA), ONE(NONCE), ONE(KE), ANY(NOTIFY), ANY(VENDOR) } },
	{ IKE_SHAPE_CHILD_ERROR, IKE_CREATE_CHILD_SA, RESP, IN,
	    { SOME(NOTIFY), ANY(VENDOR) } },

	/* INFORMATIONAL, inside SK: an empty one is a liveness check. */
	{ IKE_SHAPE_INFO, IKE_INFORMATIONAL, REQ, IN,
	    { ANY(NOTIFY), ANY(DELETE), OPT(CP), ANY(VENDOR) } },
	{ IKE_SHAPE_INFO, IKE_INFORMATIONAL, RESP, IN,
	    { ANY(NOTIFY), ANY(DELETE), OPT(CP), ANY(VENDOR) } },
};

static const char *const shape_names[IKE_SHAPE_COUNT_] = {
	[IKE_SHAPE_NONE] = "no shape",
	[IKE_SHAPE_ENCRYPTED] = "encrypted",
	[IKE_SHAPE_FRAGMENT] = "encrypted fragment",
	[IKE_SHAPE_INIT_REQ] = "IKE_SA_INIT request",
	[IKE_SHAPE_INIT_RESP] = "IKE_SA_INIT response",
	[IKE_SHAPE_INIT_RESP_N] = "IKE_SA_INIT notify response",
	[IKE_SHAPE_AUTH_REQ] = "IKE_AUTH request",
	[IKE_SHAPE_AUTH_REQ_EAP] = "IKE_AUTH EAP request",
	[IKE_SHAPE_AUTH_REQ_MSK] = "IKE_AUTH request with the EAP AUTH",
	[IKE_SHAPE_AUTH_RESP_EAP_START] = "IKE_AUTH response starting EAP",
	[IKE_SHAPE_AUTH_RESP_EAP] = "IKE_AUTH EAP response",
	[IKE_SHAPE_AUTH_RESP_EAP_DONE] = "IKE_AUTH final response after EAP",
	[IKE_SHAPE_AUTH_RESP_EAP_NOCHILD] =
	    "IKE_AUTH final response after EAP without CHILD_SA",
	[IKE_SHAPE_AUTH_RESP_DONE] = "IKE_AUTH response",
	[IKE_SHAPE_AUTH_RESP_NOCHILD] = "IKE_AUTH response without CHILD_SA",
	[IKE_SHAPE_AUTH_RESP_ERROR] = "IKE_AUTH error response",
	[IKE_SHAPE_CHILD_SA] = "CREATE_CHILD_SA for a CHILD_SA",
	[IKE_SHAPE_CHILD_REKEY_IKE] = "CREATE_CHILD_SA rekeying the IKE SA",
	[IKE_SHAPE_CHILD_ERROR] = "CREATE_CHILD_SA error response",
	[IKE_SHAPE_INFO] = "INFORMATIONAL",
};

const struct ike_rule *
ike_rules_table(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(rules);
	return rules;
}

const char *
ike_shape_name(enum ike_shape shape)
{
	if ((unsigned)shape >= IKE_SHAPE_COUNT_ || shape_names[shape] == NULL)
		return "unknown shape";
	return shape_names[shape];
}

/* Each listed type's count within bounds, every other type absent. */
static bool
rule_matches(
    const struct ike_rule *rule, const uint8_t count[256], size_t n_total)
{
	size_t n_listed = 0;

	for (size_t i = 0; i < IKE_RULE_MAX_PLD; i++) {
		const struct ike_rule_pld *p = &rule->pld[i];

		if (p->type == IKE_PLD_NONE)
			break;
		if (count[p->type] < p->min || count[p->type] > p->max)
			return false;
		n_listed += count[p->type];
	}
	return n_listed == n_total;
}

int
ike_rules_check(uint8_t exchange, bool is_response, bool in_sk,
    const struct ike_pld_ref *refs, size_t n, enum ike_shape *ret_shape)
{
	uint8_t count[256] = { 0 };
	bool known = false;

	/* n <= IKE_MAX_PAYLOADS (64) in practice; saturate to be sure. */
	for (size_t i = 0; i < n; i++)
		if (count[refs[i].type] < UINT8_MAX)
			count[refs[i].type]++;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct ike_rule *rule = &rules[i];

		if (rule->exchange != exchange)
			continue;
		known = true;
		if (rule->response != is_response || rule->in_sk != in_sk ||
		    !rule_matches(rule, count, n))
			continue;
		*ret_shape = rule->shape;
		return 0;
	}
	if (!known) {
		log_debug("no rules for exchange %u", exchange);
		return -EOPNOTSUPP;
	}
	log_debug("%zu payloads fit no shape of exchange %u %s (%s SK)", n,
	    exchange, is_response ? "response" : "request",
	    in_sk ? "inside" : "outside");
	return -EPROTO;
}
