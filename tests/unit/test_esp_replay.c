/* SPDX-License-Identifier: ISC */
/*
 * test_esp_replay.c: the anti-replay window against a table of cases and
 * against a naive model (every accepted number remembered) over a long
 * pseudo-random walk with reorders, duplicates and jumps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esp_replay.h"

#define W ESP_REPLAY_WINDOW

static void
test_zero_and_first(void **state)
{
	struct esp_replay w;

	esp_replay_init(&w);
	assert_false(esp_replay_check(&w, 0));
	assert_true(esp_replay_update(&w, 1));
	assert_false(esp_replay_update(&w, 1));
	assert_true(esp_replay_update(&w, 3));
	assert_true(esp_replay_update(&w, 2)); /* reordered, in window */
	assert_false(esp_replay_check(&w, 2));
}

static void
test_window_edges(void **state)
{
	struct esp_replay w;
	uint32_t top = 5000;

	esp_replay_init(&w);
	assert_true(esp_replay_update(&w, top));
	assert_true(esp_replay_check(&w, top - W + 1)); /* oldest allowed */
	assert_false(esp_replay_check(&w, top - W));	/* just left of it */
	assert_true(esp_replay_update(&w, top - W + 1));
	assert_false(esp_replay_update(&w, top - W + 1));
}

/* Checking must not move the window: only authenticated packets may. */
static void
test_check_is_pure(void **state)
{
	struct esp_replay w, before;

	esp_replay_init(&w);
	assert_true(esp_replay_update(&w, 10));
	memcpy(&before, &w, sizeof(w));
	assert_true(esp_replay_check(&w, 100000));
	assert_memory_equal(&before, &w, sizeof(w));
}

static void
test_big_jump_forgets_old(void **state)
{
	struct esp_replay w;

	esp_replay_init(&w);
	for (uint32_t s = 1; s <= 100; s++)
		assert_true(esp_replay_update(&w, s));
	assert_true(esp_replay_update(&w, 100 + 10 * W));
	assert_false(esp_replay_check(&w, 100));
	/* The bits of 1..100 must not alias numbers now in the window. */
	for (uint32_t s = 100 + 9 * W + 1; s < 100 + 10 * W; s++)
		assert_true(esp_replay_check(&w, s));
}

static void
test_top_of_range(void **state)
{
	struct esp_replay w;

	esp_replay_init(&w);
	assert_true(esp_replay_update(&w, UINT32_MAX - 1));
	assert_true(esp_replay_update(&w, UINT32_MAX));
	assert_false(esp_replay_update(&w, UINT32_MAX));
	assert_true(esp_replay_update(&w, UINT32_MAX - 5));
}

/* The model: a number is accepted iff it is not 0, was never accepted,
 * and is within W of the highest accepted so far. */
struct model {
	uint8_t *seen; /* one byte per sequence number */
	uint32_t top;
	uint32_t max;
};

static bool
model_update(struct model *m, uint32_t seq)
{
	if (seq == 0 || seq > m->max || m->seen[seq])
		return false;
	if (seq <= m->top && m->top - seq >= W)
		return false;
	m->seen[seq] = 1;
	if (seq > m->top)
		m->top = seq;
	return true;
}

static uint32_t
rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void
test_against_model(void **state)
{
	struct model m = { .top = 0, .max = 1u << 20 };
	struct esp_replay w;
	uint64_t seed = 42;
	uint32_t next = 1;

	m.seen = calloc(m.max + 1, 1);
	assert_non_null(m.seen);
	esp_replay_init(&w);
	for (int i = 0; i < 200000; i++) {
		uint32_t r = rng(&seed) % 100, seq;

		if (r < 60)
			seq = next++; /* in order */
		else if (r < 85)
			seq = next - rng(&seed) % (W + 200); /* late, dup */
		else if (r < 98)
			seq = next + rng(&seed) % 300; /* early */
		else
			seq = next += rng(&seed) % (3 * W); /* jump */
		if (seq > m.max || seq < 1)
			continue;
		bool want = model_update(&m, seq);
		assert_int_equal(esp_replay_update(&w, seq), want);
		if (seq >= next)
			next = seq + 1;
		if (next > m.max - 4 * W)
			break;
	}
	free(m.seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_and_first),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_check_is_pure),
		cmocka_unit_test(test_big_jump_forgets_old),
		cmocka_unit_test(test_top_of_range),
		cmocka_unit_test(test_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
