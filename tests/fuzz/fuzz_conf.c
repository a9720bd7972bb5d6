/* SPDX-License-Identifier: ISC */
/*
 * fuzz_conf.c: the profile loader on arbitrary bytes.  Besides not
 * crashing or leaking, a profile that loads must print its proposals in a
 * form that parses back to the same proposals, and a failure must leave
 * the out-parameter alone and come with a message that is safe to print:
 * UTF-8 without control characters.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
fuzz_proposal_equal(const struct proposal *a, const struct proposal *b)
{
	if (a->proto != b->proto || a->n_xforms != b->n_xforms)
		return false;
	for (size_t i = 0; i < a->n_xforms; i++)
		if (a->xforms[i].type != b->xforms[i].type ||
		    a->xforms[i].id != b->xforms[i].id ||
		    a->xforms[i].key_bits != b->xforms[i].key_bits)
			return false;
	return true;
}

static void
fuzz_proposals_round_trip(const struct proposal *v, size_t n)
{
	char text[PROPOSAL_MAX_LEN + 1];
	struct proposal back;

	for (size_t i = 0; i < n; i++) {
		if (proposal_print(&v[i], text, sizeof(text)) < 0 ||
		    proposal_parse(v[i].proto, text, &back, NULL, 0) < 0 ||
		    !fuzz_proposal_equal(&back, &v[i]))
			abort();
	}
}

/* Well-formed UTF-8 sequences only, and no C0 or C1 control or DEL. */
static bool
fuzz_printable(const char *msg)
{
	const unsigned char *s = (const unsigned char *)msg;

	while (*s != '\0') {
		size_t n = *s < 0x80	  ? 1
		    : (*s & 0xe0) == 0xc0 ? 2
		    : (*s & 0xf0) == 0xe0 ? 3
		    : (*s & 0xf8) == 0xf0 ? 4
					  : 0;

		if (n == 0 || *s < 0x20 || *s == 0x7f ||
		    (*s == 0xc2 && s[1] < 0xa0))
			return false;
		for (size_t i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += n;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *conf = (struct conf *)&conf;
	struct conf_err err = { .msg = "" };

	/* Past the cap the loader refuses without parsing: nothing to learn. */
	if (size > CONF_MAX_FILE_LEN + 1)
		return 0;
	if (conf_load_buffer("fuzz/p.yaml", data, size, &conf, &err) < 0) {
		if (conf != (struct conf *)&conf || err.msg[0] == '\0' ||
		    !fuzz_printable(err.msg))
			abort();
		return 0;
	}
	fuzz_proposals_round_trip(conf->proposals.ike, conf->proposals.n_ike);
	fuzz_proposals_round_trip(conf->proposals.esp, conf->proposals.n_esp);
	conf_free(conf);
	return 0;
}
