/* SPDX-License-Identifier: ISC */
/*
 * names.h: IKEv2 and EAP numbers as text, for logs.  Names are the IANA
 * names of ike.h without the enum's prefix (IKE_N_INVALID_KE_PAYLOAD is
 * "INVALID_KE_PAYLOAD", IKE_DH_ECP_384 is "ECP_384"); exchanges keep their
 * RFC names ("IKE_SA_INIT") and payloads their short names ("SA", "KE",
 * "No", "N", "IDi", "TSr", ...).
 *
 * A number without a name prints as "NOTIFY(40000)".  That text is built
 * in a buffer the caller provides, so the functions allocate nothing, keep
 * no state and may be called several times in one log statement:
 *
 *   log_debug("%s in %s", names_notify(t, NAMES_TMP),
 *       names_exchange(x, NAMES_TMP));
 *
 * NAMES_TMP is a fresh compound literal per use; it lives until the end of
 * the enclosing block, which outlasts the log call.  The tables are kept
 * by hand; test_names checks them against every enum in ike.h.
 */
#ifndef P2S_NAMES_H
#define P2S_NAMES_H

#include <stddef.h>

#include "ike_pld.h"

#define NAMES_BUF_LEN 32 /* "CP_ATTR(65535)" and the like fit */

struct names_buf {
	char s[NAMES_BUF_LEN];
};

#define NAMES_TMP (&(struct names_buf){ { 0 } })

const char *names_exchange(unsigned, struct names_buf *);
const char *names_pld(unsigned, struct names_buf *);
const char *names_proto(unsigned, struct names_buf *);
const char *names_xform_type(unsigned, struct names_buf *);
const char *names_encr(unsigned, struct names_buf *);
const char *names_prf(unsigned, struct names_buf *);
const char *names_integ(unsigned, struct names_buf *);
const char *names_dh(unsigned, struct names_buf *);
const char *names_esn(unsigned, struct names_buf *);
/* A transform ID by its transform type (encr, prf, integ, dh or esn). */
const char *names_xform_id(unsigned type, unsigned id, struct names_buf *);
const char *names_id_type(unsigned, struct names_buf *);
const char *names_cert_enc(unsigned, struct names_buf *);
const char *names_auth_method(unsigned, struct names_buf *);
const char *names_hash(unsigned, struct names_buf *);
const char *names_notify(unsigned, struct names_buf *);
const char *names_ts_type(unsigned, struct names_buf *);
const char *names_cfg_type(unsigned, struct names_buf *);
const char *names_cfg_attr(unsigned, struct names_buf *);
const char *names_eap_code(unsigned, struct names_buf *);
const char *names_eap_type(unsigned, struct names_buf *);

/*
 * A payload chain as strongSwan logs it: "SA KE No N(COOKIE) V".  Notify
 * types are read from the bodies (a truncated one prints as "N(?)").
 * Always NUL-terminates buf (len > 0); a list too long ends in "...".
 * Returns buf.
 */
const char *names_pld_chain(
    const struct ike_pld_ref *refs, size_t n, char *buf, size_t len);

#endif /* P2S_NAMES_H */
