/* SPDX-License-Identifier: ISC */
/*
 * esp_replay.h: the ESP anti-replay window of the userspace datapath
 * (RFC 4303 3.4.3, with the sliding bitmap of RFC 6479 in spirit).
 *
 * A receiver first asks esp_replay_check() whether a sequence number may
 * be new, then authenticates the packet, and only then records it with
 * esp_replay_update(): an unauthenticated packet must never move the
 * window.  Sequence numbers are 32 bits (no ESN); 0 is never valid.
 */
#ifndef P2S_ESP_REPLAY_H
#define P2S_ESP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define ESP_REPLAY_WINDOW 1024 /* packets; a multiple of 64 */
/* One word more than the window, so that advancing clears whole words
 * without forgetting a sequence number still inside the window (RFC 6479
 * section 2). */
#define ESP_REPLAY_WORDS (ESP_REPLAY_WINDOW / 64 + 1)

struct esp_replay {
	uint32_t top;			 /* highest sequence number accepted */
	uint64_t bits[ESP_REPLAY_WORDS]; /* bit (seq mod bitmap bits): seen */
};

void esp_replay_init(struct esp_replay *);
bool esp_replay_check(const struct esp_replay *, uint32_t seq);
bool esp_replay_update(struct esp_replay *, uint32_t seq);

#endif /* P2S_ESP_REPLAY_H */
