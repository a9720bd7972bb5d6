/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ike_pld.c: libFuzzer target for the typed payload parsers alone.
 * The first input byte is the payload type (enum ike_pld_type), the rest
 * is the payload body.  ike_check_payload() parses it, checks the typed
 * views (RFC 7427 signature data, Notification Data) and the round trip
 * (build, split, parse, compare, build again), and abort()s when an
 * invariant breaks.  This reaches deep into one payload faster than
 * fuzz_ike_msg, which must first get a whole chain right.  Seeds:
 * tests/fuzz/corpus/ike_pld/, every payload of the sample messages.
 */
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "ike_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	/* A payload's length field is 16 bits. */
	if (len < 1 || len > 1 + UINT16_MAX - IKE_PLD_HDR_LEN)
		return 0;
	(void)ike_check_payload(data[0], data + 1, len - 1);
	return 0;
}
