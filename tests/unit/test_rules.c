/* SPDX-License-Identifier: ISC */
/*
 * test_rules.c: the payload presence table (ike_rules.h).  Each row
 * accepts its own minimal and maximal messages and refuses one payload
 * too few, one too many and any payload it does not list; rows of one
 * exchange and direction never match the same message; and the message
 * shapes seen on the wire (testbed.md 7.1, azure-p2s-facts.md 5.1 and 7,
 * RFC 7296 1.2-1.5) get the shape a handler expects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ike_rules.h"

#define MAX_REFS 1024 /* enough for a row at its maxima */

static struct ike_pld_ref refs[MAX_REFS];

/* The row's payloads, each type `count(min, max)` times. */
static size_t
instance(const struct ike_rule *row, bool at_max)
{
	size_t n = 0;

	for (size_t i = 0; i < IKE_RULE_MAX_PLD && row->pld[i].type; i++) {
		unsigned k = at_max ? row->pld[i].max : row->pld[i].min;

		for (unsigned j = 0; j < k; j++)
			refs[n++] =
			    (struct ike_pld_ref){ .type = row->pld[i].type };
	}
	return n;
}

static enum ike_shape
shape_of(const struct ike_rule *row, size_t n)
{
	enum ike_shape shape = IKE_SHAPE_NONE;
	int r = ike_rules_check(
	    row->exchange, row->response, row->in_sk, refs, n, &shape);

	if (r == 0)
		assert_int_not_equal(shape, IKE_SHAPE_NONE);
	else
		assert_int_equal(r, -EPROTO);
	return r == 0 ? shape : IKE_SHAPE_NONE;
}

static void
test_rows_accept_min_and_max(void **state)
{
	size_t n_rows;
	const struct ike_rule *t = ike_rules_table(&n_rows);

	assert_true(n_rows > 20);
	for (size_t i = 0; i < n_rows; i++) {
		assert_int_equal(
		    shape_of(&t[i], instance(&t[i], false)), t[i].shape);
		assert_int_equal(
		    shape_of(&t[i], instance(&t[i], true)), t[i].shape);
	}
}

/* Remove the first ref of a type; false if there is none. */
static bool
drop_one(size_t *n, uint8_t type)
{
	for (size_t i = 0; i < *n; i++)
		if (refs[i].type == type) {
			refs[i] = refs[--*n];
			return true;
		}
	return false;
}

static const struct ike_rule_pld *
listed(const struct ike_rule *row, uint8_t type)
{
	for (size_t i = 0; i < IKE_RULE_MAX_PLD && row->pld[i].type; i++)
		if (row->pld[i].type == type)
			return &row->pld[i];
	return NULL;
}

static void
test_rows_refuse_out_of_bounds(void **state)
{
	size_t n_rows, n;
	const struct ike_rule *t = ike_rules_table(&n_rows);

	for (size_t i = 0; i < n_rows; i++) {
		for (size_t k = 0; k < IKE_RULE_MAX_PLD && t[i].pld[k].type;
		     k++) {
			const struct ike_rule_pld *p = &t[i].pld[k];

			if (p->min > 0) {
				n = instance(&t[i], false);
				assert_true(drop_one(&n, p->type));
				assert_int_not_equal(
				    shape_of(&t[i], n), t[i].shape);
			}
			n = instance(&t[i], true);
			refs[n++] = (struct ike_pld_ref){ .type = p->type };
			assert_int_not_equal(shape_of(&t[i], n), t[i].shape);
		}
		/* Any payload the row does not list. */
		for (unsigned type = 0; type < 256; type++) {
			if (!ike_pld_known((uint8_t)type) ||
			    listed(&t[i], (uint8_t)type))
				continue;
			n = instance(&t[i], false);
			refs[n++] =
			    (struct ike_pld_ref){ .type = (uint8_t)type };
			assert_int_not_equal(shape_of(&t[i], n), t[i].shape);
		}
	}
}

/* An independent matcher for one row. */
static bool
row_accepts(const struct ike_rule *row, size_t n)
{
	for (unsigned type = 0; type < 256; type++) {
		const struct ike_rule_pld *p = listed(row, (uint8_t)type);
		size_t count = 0;

		for (size_t i = 0; i < n; i++)
			count += refs[i].type == type;
		if (count < (p ? p->min : 0) || count > (p ? p->max : 0))
			return false;
	}
	return true;
}

/* No message fits two rows of one exchange, direction and layer. */
static void
test_rows_disjoint(void **state)
{
	size_t n_rows;
	const struct ike_rule *t = ike_rules_table(&n_rows);

	for (size_t i = 0; i < n_rows; i++)
		for (size_t j = 0; j < n_rows; j++) {
			if (i == j || t[i].exchange != t[j].exchange ||
			    t[i].response != t[j].response ||
			    t[i].in_sk != t[j].in_sk)
				continue;
			if (row_accepts(&t[j], instance(&t[i], false)) ||
			    row_accepts(&t[j], instance(&t[i], true)))
				fail_msg("rows %zu and %zu overlap", i, j);
		}
}

/* Every exchange outside SK, and each one's SK layer, has rows. */
static void
test_rows_cover_exchanges(void **state)
{
	static const uint8_t x[] = { IKE_SA_INIT, IKE_AUTH, IKE_CREATE_CHILD_SA,
		IKE_INFORMATIONAL };
	size_t n_rows;
	const struct ike_rule *t = ike_rules_table(&n_rows);

	for (size_t i = 0; i < ARRAY_SIZE(x); i++)
		for (int resp = 0; resp < 2; resp++)
			for (int in = 0; in < 2; in++) {
				bool found = false;

				for (size_t k = 0; k < n_rows; k++)
					found |= t[k].exchange == x[i] &&
					    t[k].response == resp &&
					    t[k].in_sk == in;
				/* IKE_SA_INIT alone has no SK layer. */
				assert_true(
				    found == !(x[i] == IKE_SA_INIT && in));
			}
}

/* ---- Messages seen on the wire ---- */

static int
check(uint8_t x, bool resp, bool in_sk, const char *list, enum ike_shape *shape)
{
	static const struct {
		const char *name;
		uint8_t type;
	} names[] = { { "SA", IKE_PLD_SA }, { "KE", IKE_PLD_KE },
		{ "IDi", IKE_PLD_IDI }, { "IDr", IKE_PLD_IDR },
		{ "CERT", IKE_PLD_CERT }, { "CERTREQ", IKE_PLD_CERTREQ },
		{ "AUTH", IKE_PLD_AUTH }, { "No", IKE_PLD_NONCE },
		{ "N", IKE_PLD_NOTIFY }, { "D", IKE_PLD_DELETE },
		{ "V", IKE_PLD_VENDOR }, { "TSi", IKE_PLD_TSI },
		{ "TSr", IKE_PLD_TSR }, { "SK", IKE_PLD_SK },
		{ "CP", IKE_PLD_CP }, { "EAP", IKE_PLD_EAP },
		{ "SKF", IKE_PLD_SKF } };
	char buf[256], *save = NULL;
	size_t n = 0;

	*shape = IKE_SHAPE_NONE;
	(void)snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		bool found = false;

		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (strcmp(w, names[i].name) == 0) {
				refs[n++] =
				    (struct ike_pld_ref){ .type =
							      names[i].type };
				found = true;
			}
		if (!found)
			fail_msg("no payload %s", w);
	}
	return ike_rules_check(x, resp, in_sk, refs, n, shape);
}

#define OK(x, resp, in, list, want)                                            \
	do {                                                                   \
		enum ike_shape s_;                                             \
		assert_int_equal(check(x, resp, in, list, &s_), 0);            \
		assert_int_equal(s_, IKE_SHAPE_##want);                        \
	} while (0)
#define BAD(x, resp, in, list, err)                                            \
	do {                                                                   \
		enum ike_shape s_;                                             \
		assert_int_equal(check(x, resp, in, list, &s_), err);          \
	} while (0)

enum {
	REQ = 0,
	RESP = 1,
	OUT = 0,
	IN = 1
};

static void
test_ike_sa_init(void **state)
{
	OK(IKE_SA_INIT, REQ, OUT, "SA KE No N N N N", INIT_REQ);
	OK(IKE_SA_INIT, REQ, OUT, "N SA KE No N N V", INIT_REQ); /* COOKIE */
	/* azure-p2s-facts.md 5.1, Azure's answer. */
	OK(IKE_SA_INIT, RESP, OUT, "SA KE No N N N V V CERTREQ", INIT_RESP);
	OK(IKE_SA_INIT, RESP, OUT, "N", INIT_RESP_N);
	OK(IKE_SA_INIT, RESP, OUT, "N V", INIT_RESP_N);
	BAD(IKE_SA_INIT, REQ, OUT, "N", -EPROTO);
	BAD(IKE_SA_INIT, REQ, OUT, "SA KE No CERTREQ", -EPROTO);
	BAD(IKE_SA_INIT, REQ, OUT, "SA SA KE No", -EPROTO);
	BAD(IKE_SA_INIT, RESP, OUT, "SA KE", -EPROTO);
	BAD(IKE_SA_INIT, RESP, OUT, "SA KE No N SK", -EPROTO);
	BAD(IKE_SA_INIT, RESP, OUT, "", -EPROTO);
	BAD(IKE_SA_INIT, RESP, IN, "N", -EPROTO);
}

static void
test_outside_sk(void **state)
{
	static const uint8_t x[] = { IKE_AUTH, IKE_CREATE_CHILD_SA,
		IKE_INFORMATIONAL };

	for (size_t i = 0; i < ARRAY_SIZE(x); i++)
		for (int r = 0; r < 2; r++) {
			OK(x[i], r, OUT, "SK", ENCRYPTED);
			OK(x[i], r, OUT, "SKF", FRAGMENT);
			BAD(x[i], r, OUT, "N SK", -EPROTO);
			BAD(x[i], r, OUT, "V SKF", -EPROTO);
			BAD(x[i], r, OUT, "SK SKF", -EPROTO);
			BAD(x[i], r, OUT, "N", -EPROTO);
			BAD(x[i], r, OUT, "", -EPROTO);
		}
	BAD(99, REQ, OUT, "SK", -EOPNOTSUPP);
	BAD(0, RESP, IN, "N", -EOPNOTSUPP);
}

/* testbed.md 7.1: strongSwan 5.9.8 as the gateway, EAP-TLS. */
static void
test_ike_auth_eap(void **state)
{
	OK(IKE_AUTH, REQ, IN, "IDi N CERTREQ IDr CP SA TSi TSr N N N N N",
	    AUTH_REQ);
	/* azure-p2s-facts.md 7: what Azure accepted from strongSwan. */
	OK(IKE_AUTH, REQ, IN, "IDi N CERTREQ CP SA TSi TSr N N N N", AUTH_REQ);
	OK(IKE_AUTH, RESP, IN, "IDr CERT AUTH EAP", AUTH_RESP_EAP_START);
	OK(IKE_AUTH, REQ, IN, "EAP", AUTH_REQ_EAP);
	OK(IKE_AUTH, RESP, IN, "EAP", AUTH_RESP_EAP);
	OK(IKE_AUTH, REQ, IN, "AUTH", AUTH_REQ_MSK);
	OK(IKE_AUTH, RESP, IN, "AUTH CP SA TSi TSr N N", AUTH_RESP_EAP_DONE);
	OK(IKE_AUTH, RESP, IN, "AUTH CP N", AUTH_RESP_EAP_NOCHILD);
	OK(IKE_AUTH, RESP, IN, "N", AUTH_RESP_ERROR);
	BAD(IKE_AUTH, RESP, IN, "IDr CERT EAP", -EPROTO); /* no AUTH */
	BAD(IKE_AUTH, RESP, IN, "EAP SA TSi TSr", -EPROTO);
	BAD(IKE_AUTH, RESP, IN, "AUTH SA TSi", -EPROTO);
	BAD(IKE_AUTH, RESP, IN, "AUTH CP CP SA TSi TSr", -EPROTO);
	BAD(IKE_AUTH, REQ, IN, "IDi SA TSi", -EPROTO);
	BAD(IKE_AUTH, REQ, IN, "N", -EPROTO);
	BAD(IKE_AUTH, RESP, IN, "", -EPROTO);
	BAD(IKE_AUTH, RESP, OUT, "IDr CERT AUTH EAP", -EPROTO);
}

/* auth: pubkey, and the gateway's certificate chain cap. */
static void
test_ike_auth_pubkey(void **state)
{
	OK(IKE_AUTH, REQ, IN, "IDi CERT CERTREQ AUTH CP SA TSi TSr N",
	    AUTH_REQ);
	OK(IKE_AUTH, RESP, IN, "IDr CERT CERT AUTH CP SA TSi TSr N N",
	    AUTH_RESP_DONE);
	OK(IKE_AUTH, RESP, IN, "IDr AUTH N", AUTH_RESP_NOCHILD);
	OK(IKE_AUTH, RESP, IN,
	    "IDr CERT CERT CERT CERT CERT CERT CERT CERT AUTH SA TSi TSr",
	    AUTH_RESP_DONE);
	BAD(IKE_AUTH, RESP, IN,
	    "IDr CERT CERT CERT CERT CERT CERT CERT CERT CERT AUTH SA TSi TSr",
	    -EPROTO);
	BAD(IKE_AUTH, RESP, IN, "IDr IDr AUTH SA TSi TSr", -EPROTO);
}

static void
test_create_child_sa(void **state)
{
	OK(IKE_CREATE_CHILD_SA, REQ, IN, "N SA No KE TSi TSr", CHILD_SA);
	OK(IKE_CREATE_CHILD_SA, REQ, IN, "SA No TSi TSr", CHILD_SA);
	OK(IKE_CREATE_CHILD_SA, RESP, IN, "SA No KE TSi TSr N", CHILD_SA);
	OK(IKE_CREATE_CHILD_SA, REQ, IN, "SA No KE", CHILD_REKEY_IKE);
	OK(IKE_CREATE_CHILD_SA, RESP, IN, "SA No KE", CHILD_REKEY_IKE);
	OK(IKE_CREATE_CHILD_SA, RESP, IN, "N", CHILD_ERROR);
	BAD(IKE_CREATE_CHILD_SA, REQ, IN, "N", -EPROTO);
	BAD(IKE_CREATE_CHILD_SA, REQ, IN, "SA No", -EPROTO);
	BAD(IKE_CREATE_CHILD_SA, REQ, IN, "SA No KE TSi", -EPROTO);
	BAD(IKE_CREATE_CHILD_SA, RESP, IN, "SA KE TSi TSr", -EPROTO);
	BAD(IKE_CREATE_CHILD_SA, REQ, IN, "SA No KE KE", -EPROTO);
}

static void
test_informational(void **state)
{
	OK(IKE_INFORMATIONAL, REQ, IN, "", INFO);
	OK(IKE_INFORMATIONAL, RESP, IN, "", INFO);
	OK(IKE_INFORMATIONAL, REQ, IN, "D D N", INFO);
	OK(IKE_INFORMATIONAL, REQ, IN, "N N N N", INFO); /* MOBIKE */
	OK(IKE_INFORMATIONAL, RESP, IN, "CP N", INFO);
	BAD(IKE_INFORMATIONAL, REQ, IN, "CP CP", -EPROTO);
	BAD(IKE_INFORMATIONAL, REQ, IN, "SA", -EPROTO);
	BAD(IKE_INFORMATIONAL, RESP, IN, "D EAP", -EPROTO);
}

static void
test_shape_names(void **state)
{
	for (int i = IKE_SHAPE_NONE; i < IKE_SHAPE_COUNT_; i++) {
		const char *a = ike_shape_name((enum ike_shape)i);

		assert_non_null(a);
		assert_string_not_equal(a, "unknown shape");
		for (int j = IKE_SHAPE_NONE; j < i; j++)
			assert_string_not_equal(
			    a, ike_shape_name((enum ike_shape)j));
	}
	assert_string_equal(ike_shape_name(IKE_SHAPE_COUNT_), "unknown shape");
	assert_string_equal(
	    ike_shape_name((enum ike_shape) - 1), "unknown shape");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_accept_min_and_max),
		cmocka_unit_test(test_rows_refuse_out_of_bounds),
		cmocka_unit_test(test_rows_disjoint),
		cmocka_unit_test(test_rows_cover_exchanges),
		cmocka_unit_test(test_ike_sa_init),
		cmocka_unit_test(test_outside_sk),
		cmocka_unit_test(test_ike_auth_eap),
		cmocka_unit_test(test_ike_auth_pubkey),
		cmocka_unit_test(test_create_child_sa),
		cmocka_unit_test(test_informational),
		cmocka_unit_test(test_shape_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
