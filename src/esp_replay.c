/* SPDX-License-Identifier: ISC */
/*
 * esp_replay.c: ESP anti-replay window (see esp_replay.h).
 *
 * The window covers [top - W + 1, top].  The bitmap has one 64-bit word
 * more than the window: bit (seq mod B) says whether seq was seen, B being
 * the bitmap's size in bits.  When top advances, the words it moves into
 * are cleared whole; the spare word guarantees that those words only held
 * sequence numbers already left of the window.  A jump costs at most one
 * pass over the bitmap, however far it goes.
 */
#include <string.h>

#include "compat.h"
#include "esp_replay.h"

#define WORD_BITS   64
#define N_WORDS	    ESP_REPLAY_WORDS
#define BITMAP_BITS (N_WORDS * WORD_BITS)

void
esp_replay_init(struct esp_replay *w)
{
	memset(w, 0, sizeof(*w));
}

static bool
bit_get(const struct esp_replay *w, uint32_t seq)
{
	uint32_t b = seq % BITMAP_BITS;

	return (w->bits[b / WORD_BITS] >> (b % WORD_BITS)) & 1;
}

static void
bit_set(struct esp_replay *w, uint32_t seq)
{
	uint32_t b = seq % BITMAP_BITS;

	w->bits[b / WORD_BITS] |= UINT64_C(1) << (b % WORD_BITS);
}

bool
esp_replay_check(const struct esp_replay *w, uint32_t seq)
{
	if (seq == 0)
		return false;
	if (seq > w->top)
		return true;
	/* Too old: left of the window. */
	if (w->top - seq >= ESP_REPLAY_WINDOW)
		return false;
	return !bit_get(w, seq);
}

/* Clear the words that seq's advance of top moves into the window. */
static void
advance(struct esp_replay *w, uint32_t seq)
{
	uint32_t from = w->top / WORD_BITS + 1, to = seq / WORD_BITS;

	if (to - from + 1 >= N_WORDS || to < from) {
		if (to >= from)
			memset(w->bits, 0, sizeof(w->bits));
	} else {
		for (uint32_t i = from; i <= to; i++)
			w->bits[i % N_WORDS] = 0;
	}
	w->top = seq;
}

bool
esp_replay_update(struct esp_replay *w, uint32_t seq)
{
	if (!esp_replay_check(w, seq))
		return false;
	if (seq > w->top)
		advance(w, seq);
	bit_set(w, seq);
	return true;
}
