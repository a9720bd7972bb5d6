/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ike_msg.c: libFuzzer target for the IKEv2 codec.  The input is one
 * IKE datagram; ike_check_msg() runs every pass on it (non-ESP marker,
 * header, split, the rules of every exchange and direction, typed parse of
 * every payload, inside SK too) and abort()s when a round-trip or rules
 * invariant breaks (see ike_check.h).  Seeds: tests/fuzz/corpus/ike_msg/,
 * written by gen_ike_corpus, plus strongSwan captures and crash
 * regressions.
 */
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "ike_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ike_check c;

	/* A datagram is at most this long; longer is only slower. */
	if (len > IKE_MSG_MAX_LEN + IKE_NON_ESP_MARKER_LEN)
		return 0;
	ike_check_msg(data, len, &c);
	return 0;
}
