/* SPDX-License-Identifier: ISC */
/*
 * ike_samples.h: one message of every shape p2s sends or receives, built
 * with the codec's builders: the known-good vectors of test_pld and the
 * seed corpus of fuzz_ike_msg (gen_ike_corpus writes them out).  Their
 * payload lists follow testbed.md 7.1 (strongSwan 5.9.8 as the gateway)
 * and azure-p2s-facts.md 5.1 and 7 (Azure).
 *
 * Encrypted payloads hold their inner chain in plaintext (no IV, padding
 * or ICV), so that tests and the fuzzer reach the inner payloads without
 * keys; see ike_check.h.
 */
#ifndef P2S_TESTS_IKE_SAMPLES_H
#define P2S_TESTS_IKE_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_rules.h"

#define IKE_SAMPLE_MAX_LEN 4096 /* bytes: the largest sample */

struct ike_sample {
	const char *name;     /* corpus file name */
	uint8_t exchange;     /* enum ike_exchange */
	bool response;	      /* the R flag is set */
	enum ike_shape shape; /* outside SK */
	enum ike_shape inner; /* inside SK; NONE: no SK, or a fragment */
	/* Writes the message into buf; its length, or 0 if it did not fit. */
	size_t (*build)(uint8_t *buf, size_t cap);
};

extern const struct ike_sample ike_samples[];
extern const size_t ike_n_samples;

/*
 * The inner chain of the gateway's first IKE_AUTH response (IDr CERT
 * AUTH EAP), split into two SKF fragments as strongSwan does (testbed.md
 * 7.2).  Exposed so test_pld can reassemble the fragments and compare.
 */
size_t ike_sample_eap_start_inner(uint8_t *buf, size_t cap, uint8_t *ret_first);

#endif /* P2S_TESTS_IKE_SAMPLES_H */
