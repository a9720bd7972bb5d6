/* SPDX-License-Identifier: ISC */
/*
 * ike_check.h: run every pass of the IKE codec over one message and check
 * the codec's invariants on the way.  Shared by fuzz_ike_msg (arbitrary
 * bytes) and test_pld (known messages).  A violated invariant is a bug in
 * the codec, never in the input: it prints what differed and abort()s.
 *
 * Invariants checked:
 * - every payload that parses builds again, the rebuilt bytes split into
 *   one payload of the same type, parse to equal fields, and build to the
 *   same bytes a second time;
 * - the message rebuilt from its header and split payloads (the SK/SKF
 *   header through ike_pld_build_sk()) parses to the same header fields
 *   and the same payloads;
 * - ike_rules_check() agrees with an independent count against
 *   ike_rules_table(), for every exchange and direction, and no two shapes
 *   of one exchange and direction match the same message.
 *
 * An SK or SKF payload's body is taken to be its plaintext inner chain
 * (no IV, padding or ICV): the seed corpus is written that way, so the
 * fuzzer reaches the inner payloads without a key.
 */
#ifndef P2S_TESTS_IKE_CHECK_H
#define P2S_TESTS_IKE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "ike_rules.h"

struct ike_check {
	int hdr;		    /* ike_hdr_parse() */
	int split;		    /* ike_pld_split() of the outer chain */
	int rules;		    /* ike_rules_check() for the header's own
				      exchange and direction, outside SK */
	enum ike_shape shape;	    /* on rules == 0 */
	int sk;			    /* ike_pld_parse_sk(); 1: no SK/SKF */
	int inner_split;	    /* the SK body split as a plain chain */
	int inner_rules;	    /* ike_rules_check() inside SK */
	enum ike_shape inner_shape; /* on inner_rules == 0 */
	size_t n_parsed;	    /* payloads whose typed parse succeeded */
	size_t n_failed;	    /* payloads whose typed parse failed */
	size_t n_noncanon;	    /* parsed payloads whose rebuilt bytes
				      differ from the received ones */
};

void ike_check_msg(const uint8_t *data, size_t len, struct ike_check *ret);

/*
 * One payload body of the given type through its typed parse, views and
 * round trip.  0 if it parsed, -EBADMSG if not (or if it is SK/SKF).
 */
int ike_check_payload(uint8_t type, const uint8_t *body, size_t len);

/*
 * Parse msg with the typed parsers and write it again with the typed
 * builders (SK/SKF: ike_pld_build_sk() and the body as it was) into out.
 * The length written, or 0 if some payload did not parse or build.  For a
 * message the builders wrote, the result is the same bytes.
 */
size_t ike_check_rebuild(
    const uint8_t *msg, size_t len, uint8_t *out, size_t cap);

#endif /* P2S_TESTS_IKE_CHECK_H */
