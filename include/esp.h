/* SPDX-License-Identifier: ISC */
/*
 * esp.h: ESP packet protection for the userspace datapath (RFC 4303,
 * tunnel mode), with AES-GCM (RFC 4106) or AES-CBC plus HMAC-SHA1/SHA2
 * (RFC 3602, RFC 2404, RFC 4868).  One struct esp_sa is one direction of
 * a CHILD_SA: outbound SAs count sequence numbers, inbound ones keep the
 * anti-replay window.  Packets are bytes in, bytes out; sockets, TUN and
 * UDP encapsulation (RFC 3948) belong to the caller.
 *
 *   SPI (4) | Sequence Number (4) | IV | Payload | Padding | Pad Length |
 *   Next Header | ICV
 *
 * AES-GCM authenticates SPI | Sequence Number as AAD and carries the ICV
 * as its tag; AES-CBC is followed by an HMAC over everything before the
 * ICV.  Extended sequence numbers are not negotiated.
 */
#ifndef P2S_ESP_H
#define P2S_ESP_H

#include <stdint.h>

#include "esp_replay.h"
#include "ike.h"
#include "wire.h"

#define ESP_HDR_LEN	8  /* bytes: SPI and sequence number */
#define ESP_TRAILER_LEN 2  /* bytes: pad length, next header */
#define ESP_NH_IPV4	4  /* next header: IP-in-IP (IPv4) */
#define ESP_NH_IPV6	41 /* next header: IPv6 */
#define ESP_NH_NONE	59 /* RFC 4303 2.6: a dummy packet */

enum esp_dir {
	ESP_DIR_IN,
	ESP_DIR_OUT,
};

struct esp_counters {
	uint64_t bytes;	    /* inner bytes protected or accepted */
	uint64_t packets;   /* packets protected or accepted */
	uint64_t dropped;   /* inbound: failed ICV, replay, malformed */
	uint64_t replay;    /* of dropped: replayed, or behind the window */
	uint64_t integrity; /* of dropped: failed ICV or malformed */
};

struct esp_sa;

/* Keys are copied.  integ is IKE_INTEG_NONE (and integ_key empty) for
 * AES-GCM.  -EOPNOTSUPP for an algorithm the datapath cannot do. */
int esp_sa_new(enum esp_dir, uint32_t spi, enum ike_encr, unsigned key_bits,
    const struct rd *encr_key, enum ike_integ, const struct rd *integ_key,
    struct esp_sa **ret) P2S_WUR;
void esp_sa_free(struct esp_sa *);
uint32_t esp_sa_spi(const struct esp_sa *);
const struct esp_counters *esp_sa_counters(const struct esp_sa *);

/* Bytes an ESP packet adds to an inner packet of inner_len bytes. */
size_t esp_overhead(const struct esp_sa *, size_t inner_len);

/*
 * Protect an inner IP packet into out.  -EOVERFLOW once the 32-bit
 * sequence number is exhausted (RFC 4303 3.3.3: rekey first), -ENOSPC
 * when out is too small.
 */
int esp_seal(struct esp_sa *, const struct rd *inner, uint8_t next_header,
    struct wr *out) P2S_WUR;

/*
 * Check and decrypt an ESP packet (starting at the SPI).  The replay
 * window moves only after the ICV verified.  -EBADMSG for a malformed or
 * forged packet, -EALREADY for a replay.  ret_inner views the decrypted
 * inner packet inside buf, ret_next_header its type.
 */
int esp_open(struct esp_sa *, const struct rd *packet, uint8_t *buf,
    size_t buf_len, struct rd *ret_inner, uint8_t *ret_next_header) P2S_WUR;

/* The SPI of an ESP packet, for demultiplexing; false when too short. */
bool esp_peek_spi(const struct rd *packet, uint32_t *ret_spi);

#endif /* P2S_ESP_H */
