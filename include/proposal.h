/* SPDX-License-Identifier: ISC */
/*
 * proposal.h: algorithm proposals as administrators write them, in
 * strongSwan's notation ("aes256gcm16-prfsha384-ecp384",
 * "aes256-sha256-modp2048", ESP "aes256gcm16", "aes256-sha1"), turned into
 * the IANA transform IDs of ike.h, and printed back.  One string is one
 * proposal (RFC 7296 3.3); it may name several algorithms of one type, and
 * the peer picks one of each (aes256-sha256-sha1 offers two integrities).
 *
 * Rules (RFC 7296 3.3.3, RFC 5282 8):
 *   IKE: >= 1 encryption, >= 1 PRF, >= 1 DH group; integrity unless the
 *        encryption is AEAD (then none).  With no PRF named, each
 *        integrity's PRF is added (sha256 -> prfsha256), as strongSwan does;
 *        an AEAD proposal must name its PRF.  No ESN.
 *   ESP: >= 1 encryption; integrity unless AEAD; no PRF; DH groups only for
 *        PFS on rekey; ESN optional, "noesn" by default.
 *   AEAD and non-AEAD ciphers do not mix in one proposal (the integrity
 *   transforms would mean different things for each); no name twice.
 *
 * A parsed proposal keeps its transforms grouped by type (encryption,
 * integrity, PRF, DH, ESN: the order they are printed in), each type's
 * in the order written, which is the order of preference.
 */
#ifndef P2S_PROPOSAL_H
#define P2S_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "ike.h"

struct proposal_xform {
	uint8_t type;	   /* enum ike_xform_type */
	uint16_t id;	   /* IANA ID within that type (enum ike_encr...) */
	uint16_t key_bits; /* IKE_ATTR_KEY_LENGTH in bits; 0: no attribute */
};

struct proposal {
	uint8_t proto;	  /* IKE_PROTO_IKE or IKE_PROTO_ESP */
	uint8_t n_xforms; /* used entries of xforms */
	struct proposal_xform xforms[PROPOSAL_MAX_XFORMS]; /* grouped by type */
};

/*
 * Azure's P2S default policy (azure-p2s-facts.md 5.1), most preferred
 * first.  The three IKE strings are exactly Azure's 17 IKE rows in Azure's
 * order; the ESP strings are Azure's rows without PFS (GROUP_NONE, its
 * first choice for each cipher).
 */
#define PROPOSAL_AZURE_IKE_N 3
#define PROPOSAL_AZURE_ESP_N 3
extern const char *const proposal_azure_ike[PROPOSAL_AZURE_IKE_N];
extern const char *const proposal_azure_esp[PROPOSAL_AZURE_ESP_N];

/*
 * Parse one proposal string for proto (IKE_PROTO_IKE or IKE_PROTO_ESP).
 * 0, or -EINVAL with a one-line reason in err (err_len > 0) that names the
 * offending word.  ret_prop is untouched on failure.
 */
int proposal_parse(uint8_t proto, const char *s, struct proposal *ret_prop,
    char *err, size_t err_len);

/*
 * Print p in canonical form, NUL-terminated, so that parsing the text
 * gives p back.  0, -EINVAL if p holds a transform with no name, or
 * -ENOSPC if len is too small (PROPOSAL_MAX_LEN + 1 always suffices).
 */
int proposal_print(const struct proposal *p, char *buf, size_t len);

/* Whether any of the n proposals offers this DH group. */
bool proposal_has_group(const struct proposal *, size_t n, uint16_t group);

/* The canonical name of one transform, or NULL if it has none. */
const char *proposal_xform_name(uint8_t type, uint16_t id, uint16_t key_bits);

#endif /* P2S_PROPOSAL_H */
