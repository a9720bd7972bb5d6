/* SPDX-License-Identifier: ISC */
/*
 * test_names.c: names.c against ike.h.  The test reads include/ike.h
 * itself, finds every enum and every value in it, and checks that the
 * matching names_*() function has a name for it: the identifier without
 * the enum's prefix, or for exchanges and payloads a name of their own,
 * distinct within the enum.  An enum added to ike.h without a names
 * function here fails too.  Unknown numbers print as "WHAT(number)" into
 * the caller's buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "names.h"

typedef const char *(*names_fn)(unsigned, struct names_buf *);

struct enum_names {
	const char *tag;    /* enum tag in ike.h */
	const char *prefix; /* stripped from identifiers; NULL: own names */
	names_fn fn;
};

static const struct enum_names enums[] = {
	{ "ike_exchange", NULL, names_exchange },
	{ "ike_pld_type", NULL, names_pld },
	{ "ike_proto", "IKE_PROTO_", names_proto },
	{ "ike_xform_type", "IKE_XFORM_", names_xform_type },
	{ "ike_encr", "IKE_ENCR_", names_encr },
	{ "ike_prf", "IKE_PRF_", names_prf },
	{ "ike_integ", "IKE_INTEG_", names_integ },
	{ "ike_dh", "IKE_DH_", names_dh },
	{ "ike_esn", "IKE_ESN_", names_esn },
	{ "ike_id_type", "IKE_ID_", names_id_type },
	{ "ike_cert_enc", "IKE_CERT_", names_cert_enc },
	{ "ike_auth_method", "IKE_AUTH_", names_auth_method },
	{ "ike_hash", "IKE_HASH_", names_hash },
	{ "ike_notify", "IKE_N_", names_notify },
	{ "ike_ts_type", "IKE_TS_", names_ts_type },
	{ "ike_cfg_type", "IKE_CFG_", names_cfg_type },
	{ "ike_cfg_attr", "IKE_CFG_", names_cfg_attr },
	{ "eap_code", "EAP_CODE_", names_eap_code },
	{ "eap_type", "EAP_TYPE_", names_eap_type },
};

#define MAX_VALUES 128

struct parsed_enum {
	char tag[64];
	size_t n;
	char ident[MAX_VALUES][64];
	unsigned value[MAX_VALUES];
};

static char *
read_ike_h(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	static char text[64 * 1024];
	FILE *f;
	size_t n;

	(void)snprintf(
	    path, sizeof(path), "%s/include/ike.h", top != NULL ? top : ".");
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	(void)fclose(f);
	text[n] = '\0';
	return text;
}

/* "\tIDENT = 123," lines up to "};"; comments and blank lines skipped. */
static const char *
parse_enum(const char *p, struct parsed_enum *e)
{
	e->n = 0;
	while (*p != '\0' && strncmp(p, "};", 2) != 0) {
		const char *eol = strchr(p, '\n');
		char ident[64];
		unsigned v;

		if (sscanf(p, " %63[A-Z0-9_] = %u", ident, &v) == 2) {
			assert_true(e->n < MAX_VALUES);
			(void)snprintf(
			    e->ident[e->n], sizeof(e->ident[0]), "%s", ident);
			e->value[e->n++] = v;
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return p;
}

static const struct enum_names *
names_for(const char *tag)
{
	for (size_t i = 0; i < ARRAY_SIZE(enums); i++)
		if (strcmp(enums[i].tag, tag) == 0)
			return &enums[i];
	return NULL;
}

static void
check_enum(const struct parsed_enum *e, const struct enum_names *en)
{
	for (size_t i = 0; i < e->n; i++) {
		struct names_buf b;
		const char *name, *want;
		size_t plen = en->prefix ? strlen(en->prefix) : 0;

		/* Sentinels such as IKE_N_ERROR_MAX are not values. */
		if (strlen(e->ident[i]) > 4 &&
		    strcmp(e->ident[i] + strlen(e->ident[i]) - 4, "_MAX") == 0)
			continue;
		name = en->fn(e->value[i], &b);
		if (name == b.s)
			fail_msg("%s %s = %u has no name", e->tag, e->ident[i],
			    e->value[i]);
		if (en->prefix != NULL) {
			assert_int_equal(
			    strncmp(e->ident[i], en->prefix, plen), 0);
			want = e->ident[i] + plen;
			if (strcmp(name, want) != 0)
				fail_msg("%s: \"%s\" for %s", e->tag, name,
				    e->ident[i]);
		}
		for (size_t j = 0; j < i; j++) {
			struct names_buf b2;

			if (e->value[j] != e->value[i] &&
			    strcmp(name, en->fn(e->value[j], &b2)) == 0)
				fail_msg(
				    "%s: two values named %s", e->tag, name);
		}
	}
}

static void
test_every_enum_value_named(void **state)
{
	static struct parsed_enum e;
	const char *p = read_ike_h();
	size_t n_enums = 0, n_values = 0;

	while ((p = strstr(p, "\nenum ")) != NULL) {
		const struct enum_names *en;

		p += strlen("\nenum ");
		if (sscanf(p, "%63[a-z0-9_]", e.tag) != 1)
			continue;
		en = names_for(e.tag);
		if (en == NULL)
			fail_msg(
			    "enum %s in ike.h has no names function", e.tag);
		p = parse_enum(p, &e);
		assert_true(e.n > 0);
		check_enum(&e, en);
		n_enums++;
		n_values += e.n;
	}
	print_message("# %zu enums, %zu values named\n", n_enums, n_values);
	assert_int_equal(n_enums, ARRAY_SIZE(enums));
}

static void
test_exchange_and_payload_names(void **state)
{
	assert_string_equal(
	    names_exchange(IKE_SA_INIT, NAMES_TMP), "IKE_SA_INIT");
	assert_string_equal(
	    names_exchange(IKE_CREATE_CHILD_SA, NAMES_TMP), "CREATE_CHILD_SA");
	assert_string_equal(names_pld(IKE_PLD_NONCE, NAMES_TMP), "No");
	assert_string_equal(names_pld(IKE_PLD_IDI, NAMES_TMP), "IDi");
	assert_string_equal(names_notify(IKE_N_INVALID_KE_PAYLOAD, NAMES_TMP),
	    "INVALID_KE_PAYLOAD");
	assert_string_equal(
	    names_xform_id(IKE_XFORM_DH, IKE_DH_ECP_384, NAMES_TMP), "ECP_384");
	assert_string_equal(
	    names_xform_id(IKE_XFORM_ENCR, IKE_ENCR_AES_GCM_16, NAMES_TMP),
	    "AES_GCM_16");
	assert_string_equal(names_xform_id(IKE_XFORM_ESN, 1, NAMES_TMP), "YES");
}

static void
test_fallbacks(void **state)
{
	struct names_buf b;
	char line[128];

	assert_string_equal(names_notify(40000, &b), "NOTIFY(40000)");
	assert_ptr_equal(names_notify(40000, &b), b.s);
	assert_string_equal(names_exchange(99, NAMES_TMP), "EXCHANGE(99)");
	assert_string_equal(names_pld(200, NAMES_TMP), "PAYLOAD(200)");
	assert_string_equal(names_cfg_attr(65535, NAMES_TMP), "CP_ATTR(65535)");
	assert_string_equal(names_xform_id(9, 7, NAMES_TMP), "XFORM9(7)");
	assert_string_equal(
	    names_xform_id(IKE_XFORM_PRF, 99, NAMES_TMP), "PRF(99)");
	assert_string_equal(
	    names_eap_type(UINT32_MAX, NAMES_TMP), "EAP_TYPE(4294967295)");
	/* Two fallbacks in one statement do not share a buffer. */
	(void)snprintf(line, sizeof(line), "%s %s", names_dh(1000, NAMES_TMP),
	    names_dh(2000, NAMES_TMP));
	assert_string_equal(line, "DH(1000) DH(2000)");
}

static void
test_pld_chain(void **state)
{
	static const uint8_t cookie[] = { 0, 0, 0x40, 0x06, 1 };
	static const uint8_t unknown[] = { 0, 0, 0x9c, 0x40 };
	struct ike_pld_ref r[6] = {
		{ .type = IKE_PLD_SA },
		{ .type = IKE_PLD_NONCE },
		{ .type = IKE_PLD_NOTIFY, .body = { cookie, sizeof(cookie) } },
		{ .type = IKE_PLD_NOTIFY,
		    .body = { unknown, sizeof(unknown) } },
		{ .type = IKE_PLD_NOTIFY, .body = { cookie, 3 } },
		{ .type = IKE_PLD_VENDOR },
	};
	char buf[128], small[16];

	names_pld_chain(r, 6, buf, sizeof(buf));
	assert_string_equal(buf, "SA No N(COOKIE) N(NOTIFY(40000)) N(?) V");
	names_pld_chain(r, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* A cut list ends in " ..." and stays inside the buffer. */
	memset(small, 'x', sizeof(small));
	names_pld_chain(r, 6, small, sizeof(small));
	assert_string_equal(small, "SA No ...");
	names_pld_chain(r, 6, small, 5);
	assert_string_equal(small, "...");
	names_pld_chain(r, 6, small, 3);
	assert_string_equal(small, "");
	small[0] = 'x';
	names_pld_chain(r, 6, small, 0);
	assert_int_equal(small[0], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_enum_value_named),
		cmocka_unit_test(test_exchange_and_payload_names),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_pld_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
