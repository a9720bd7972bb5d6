/* SPDX-License-Identifier: ISC */
/*
 * azpkg_int.h: what the package reader's files share and nobody else
 * sees: the error helper, string lists, and the text rules that entry
 * names and XML values both follow.
 */
#ifndef P2S_AZPKG_INT_H
#define P2S_AZPKG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "azpkg.h"
#include "compat.h"

/* Shown in messages: enough to recognise a value, not a flood. */
#define AZPKG_ECHO "%.64s"

/* Fill err (may be NULL) with the message, log it at debug, return r. */
int azpkg_fail(struct azpkg_err *err, int r, const char *fmt, ...)
    P2S_PRINTF(3, 4);

/* Append a copy of s[0..len) to the list; -ENOMEM. */
int azpkg_list_push(struct azpkg_list *, const char *s, size_t len);
void azpkg_list_clear(struct azpkg_list *);

/*
 * UTF-8 (RFC 3629: shortest form, no surrogates, at most U+10FFFF) without
 * control characters (C0, DEL, C1) or the invisible format characters
 * that reorder text or break lines (azpkg.c).  Entry names and values end
 * up on a terminal and in YAML, where those could hide or rewrite text.
 */
bool azpkg_text_ok(const char *s, size_t len);

/* ASCII case-insensitive equality of s[0..len) and the NUL-terminated
 * lit; no locale. */
bool azpkg_name_eq(const char *s, size_t len, const char *lit);

/* Keep a remark for the user (the first AZPKG_MAX_NOTES); -ENOMEM. */
int azpkg_note(struct azpkg *, const char *fmt, ...) P2S_PRINTF(2, 3);

/* The gateway roots from the XML and the .cer files (azpkg_root.c). */
int azpkg_roots_collect(const struct azpkg_settings *,
    const struct azpkg_files *, struct azpkg *, struct azpkg_err *);

#endif /* P2S_AZPKG_INT_H */
