/* SPDX-License-Identifier: ISC */
/*
 * crypto_impl.h: helpers shared by src/crypto*.c only (private to the
 * crypto boundary; no other file may include it).
 */
#ifndef P2S_CRYPTO_IMPL_H
#define P2S_CRYPTO_IMPL_H

/*
 * Logs what failed with OpenSSL's first queued reason (at debug: the
 * caller decides what to tell the user), clears the queue, returns -EIO.
 */
int crypto_ssl_error(const char *what);

#endif /* P2S_CRYPTO_IMPL_H */
