/* SPDX-License-Identifier: ISC */
/*
 * fuzz_state.c: the state file parser (state.h) on arbitrary bytes.  The
 * format has one spelling for each record, so a file that parses must
 * print back to exactly its own bytes; a file that does not must come
 * with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char back[STATE_MAX_FILE_LEN + 1];
	struct state_rec rec;
	const char *why = NULL;
	int n;

	if (state_parse((const char *)data, size, &rec, &why) < 0) {
		if (why == NULL || why[0] == '\0')
			abort();
		return 0;
	}
	n = state_print(&rec, back, sizeof(back));
	if (n < 0 || (size_t)n != size || memcmp(back, data, size) != 0)
		abort();
	if (!state_same_gateway(&rec, &rec))
		abort();
	return 0;
}
