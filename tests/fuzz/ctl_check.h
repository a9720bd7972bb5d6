/* SPDX-License-Identifier: ISC */
/*
 * ctl_check.h: what test_ctl and fuzz_ctl both need: a status with every
 * field set, and field-by-field equality of two statuses.
 */
#ifndef P2S_CTL_CHECK_H
#define P2S_CTL_CHECK_H

#include <stdbool.h>

#include "ctl.h"

/* Every field set, none to a default; n_routes routes.  0 or -errno. */
int ctl_check_sample(struct ctl_status *, size_t n_routes);
bool ctl_check_equal(const struct ctl_status *, const struct ctl_status *);

#endif /* P2S_CTL_CHECK_H */
