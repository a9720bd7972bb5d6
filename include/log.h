/* SPDX-License-Identifier: ISC */
/*
 * log.h: the daemon's and the tool's logging.  Messages go to stderr, or to
 * the journal with structured fields when running under systemd.  Log each
 * error once, at the layer that decides; parsers log at debug only.  Never
 * pass a secret to these functions.
 *
 * In the journal every message carries MESSAGE, PRIORITY,
 * SYSLOG_IDENTIFIER and CODE_FUNC, and these fields of the context the
 * daemon sets (each left out while unset), for `journalctl
 * P2S_PROFILE=work` and the like:
 *
 *   P2S_PROFILE=    the profile's name ("work" for work.yaml)
 *   P2S_STATE=      the daemon's state: down, connecting, established,
 *                   reconnecting, stopping (daemon.h)
 *   P2S_IKE_SPI_I=  the IKE SA's SPIs: 16 lowercase hex digits in wire
 *   P2S_IKE_SPI_R=  order, as `p2sctl status --json` shows them; SPI_R
 *                   appears once the gateway has answered
 */
#ifndef P2S_LOG_H
#define P2S_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#include "compat.h"

enum log_target {
	LOG_TARGET_STDERR,  /* "p2sd: warning: message" */
	LOG_TARGET_JOURNAL, /* sd_journal_sendv with the fields above */
};

void log_init(const char *ident, enum log_target, int max_prio);
void log_set_max_prio(int);
bool log_would_emit(int prio);
/* The journal fields' context (see above); NULL, "" or 0 unsets.  The
 * strings are copied, cut at LOG_FIELD_MAX bytes. */
#define LOG_FIELD_MAX 256
void log_set_profile(const char *name);
void log_set_state(const char *state);
void log_set_ike_spis(uint64_t spi_i, uint64_t spi_r);

void log_emit(int prio, const char *func, int err, const char *fmt, ...)
    P2S_PRINTF(4, 5);

#define log_debug(...)	log_emit(LOG_DEBUG, __func__, 0, __VA_ARGS__)
#define log_info(...)	log_emit(LOG_INFO, __func__, 0, __VA_ARGS__)
#define log_notice(...) log_emit(LOG_NOTICE, __func__, 0, __VA_ARGS__)
#define log_warn(...)	log_emit(LOG_WARNING, __func__, 0, __VA_ARGS__)
#define log_err(...)	log_emit(LOG_ERR, __func__, 0, __VA_ARGS__)
/* r is a negative errno; ": strerror(-r)" is appended. */
#define log_errno(r, ...) log_emit(LOG_ERR, __func__, (r), __VA_ARGS__)

#endif /* P2S_LOG_H */
