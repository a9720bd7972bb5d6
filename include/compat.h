/* SPDX-License-Identifier: ISC */
/*
 * compat.h: compiler attribute wrappers and tiny helpers every module may
 * use.  Nothing here depends on a library.
 */
#ifndef P2S_COMPAT_H
#define P2S_COMPAT_H

#include <stddef.h>

#define P2S_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define P2S_NORETURN	 __attribute__((noreturn))
#define P2S_WUR		 __attribute__((warn_unused_result))
#define P2S_FALLTHROUGH	 __attribute__((fallthrough))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* P2S_COMPAT_H */
