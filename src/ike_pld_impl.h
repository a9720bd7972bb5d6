/* SPDX-License-Identifier: ISC */
/*
 * ike_pld_impl.h: what the codec's files (ike_pld.c, ike_pld_body.c,
 * ike_pld_sa.c) share and nobody else needs: opening and closing one
 * payload in a struct ike_pld_wr.
 */
#ifndef P2S_IKE_PLD_IMPL_H
#define P2S_IKE_PLD_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_pld.h"

/* Record the first error; later ones are consequences of it. */
void ike_pld_wr_fail(struct ike_pld_wr *, int err);

/*
 * Open a payload of the given type: link it into the chain and write its
 * generic header with a zero length.  check is the result of validating
 * the struct about to be written: if negative, or if pw has failed or is
 * sealed by an SK payload, nothing is written, pw fails (-EINVAL for a bad
 * struct) and false is returned.  *ret_at is the header's offset.
 */
bool ike_pld_wr_open(
    struct ike_pld_wr *, uint8_t type, int check, size_t *ret_at);

/* Patch the payload's length, now that its body is written. */
void ike_pld_wr_close(struct ike_pld_wr *, size_t at);

#endif /* P2S_IKE_PLD_IMPL_H */
