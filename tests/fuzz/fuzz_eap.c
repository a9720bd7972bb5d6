/* SPDX-License-Identifier: ISC */
/*
 * fuzz_eap.c: the EAP peer, EAP-TLS framing and reassembly, against
 * arbitrary packets from the gateway.
 *
 * Input: one byte choosing the size of our EAP messages (EAP_MSG_MIN_LEN
 * + 32 * b), one byte of options (bit 0: open with an Identity request and
 * an EAP-TLS Start, so the rest goes straight to EAP-TLS framing), then
 * packets, each a 16-bit big-endian length and that many bytes, fed to
 * one fresh peer until it fails or the input ends.  Every response the
 * peer writes is held to what RFC 3748 asks of it (a Response with the
 * request's Identifier and a true Length, within our size, EAP-TLS flags
 * with no reserved bit) and the state to what the result says; a breach
 * aborts.
 *
 * Deterministic: the TLS context is made once from the fixed key and
 * certificate below (no key generation, no file, no clock in our paths).
 * OpenSSL's randomness changes the bytes of our ClientHello, not the path
 * a given input takes through our code: no input can finish a handshake,
 * since the gateway's certificate would need a signature by the fixed
 * root's key.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "caps.h"
#include "cert.h"
#include "eap.h"
#include "eap_tls.h"
#include "ike.h"
#include "log.h"
#include "tls_ctx.h"
#include "wire.h"

#define FUZZ_MAX_INPUT (256 * 1024) /* bytes */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* P-256, self-signed, CN "p2s fuzz client": our certificate and the one
 * root.  Made once with the openssl CLI; test-only. */
static const char fuzz_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOunVlu1bQFZn7WLF\n"
    "6RwnqsdGj6dBvE05ejkKpht4XIGhRANCAAQ0SxcBQEm1sQ/wo3tCiVhB0yt4S15S\n"
    "nWnSl7uZ2GoCLyim62JD2qG9aCNptmhsR8NhNrP70jC4hTCi4gh3i51u\n"
    "-----END PRIVATE KEY-----\n";
static const char fuzz_cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBtTCCAVugAwIBAgIUf+gksKsIEQWoTNTVVut2xTv6XvgwCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPcDJzIGZ1enogY2xpZW50MCAXDTI2MTEyNjAyMDQ0OFoYDzIx\n"
    "MjYxMTAyMDIwNDQ4WjAaMRgwFgYDVQQDDA9wMnMgZnV6eiBjbGllbnQwWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAAQ0SxcBQEm1sQ/wo3tCiVhB0yt4S15SnWnSl7uZ\n"
    "2GoCLyim62JD2qG9aCNptmhsR8NhNrP70jC4hTCi4gh3i51uo30wezAdBgNVHQ4E\n"
    "FgQUNXlH7zErsvACzSNcbSVzCXYxrsswHwYDVR0jBBgwFoAUNXlH7zErsvACzSNc\n"
    "bSVzCXYxrsswDwYDVR0TAQH/BAUwAwEB/zATBgNVHREEDDAKgghwMnMtZnV6ejAT\n"
    "BgNVHSUEDDAKBggrBgEFBQcDAjAKBggqhkjOPQQDAgNIADBFAiEA2vzXPL/Wvd6K\n"
    "k9TE0dwk7vNItg251JdIaS8YVWxTva0CIDoONhC5aNGG64fRlKt1F4fFlmYBCfR/\n"
    "mw8bgq2J3AUZ\n"
    "-----END CERTIFICATE-----\n";

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_eap: %s:%d: %s\n", __FILE__,     \
			    __LINE__, #x);                                     \
			abort();                                               \
		}                                                              \
	} while (0)

/* The key through cert.h's loader, from memory: a memfd, no file. */
static struct key_ref *
fuzz_key(void)
{
	struct key_ref *key = NULL;
	char path[64];
	int fd = memfd_create("p2s-fuzz-key", 0);

	CHECK(fd >= 0);
	CHECK(write(fd, fuzz_key_pem, sizeof(fuzz_key_pem) - 1) ==
	    (ssize_t)(sizeof(fuzz_key_pem) - 1));
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	CHECK(key_load_file(path, &key) == 0);
	(void)close(fd);
	return key;
}

static struct cert *
fuzz_cert(void)
{
	BIO *bio = BIO_new_mem_buf(fuzz_cert_pem, -1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	unsigned char *der = NULL;
	struct cert *cert = NULL;
	struct rd r;
	int len;

	CHECK(x != NULL);
	len = i2d_X509(x, &der);
	CHECK(len > 0);
	r = rd_make(der, (size_t)len);
	CHECK(cert_load_der(&r, &cert) == 0);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return cert;
}

static struct tls_ctx *
fuzz_tls_ctx(void)
{
	static struct tls_ctx *ctx;
	struct tls_ctx_conf conf = { .server_id = "gw.example.net",
		.max_version = TLS_VERSION_1_3 };
	struct trust *trust = NULL;
	struct key_ref *key;
	struct cert *cert;

	if (ctx != NULL)
		return ctx;
	log_set_max_prio(LOG_CRIT);
	cert = fuzz_cert();
	key = fuzz_key();
	CHECK(trust_new(&trust) == 0 && trust_add_cert(trust, cert) == 0);
	conf.cert = cert;
	conf.key = key;
	conf.roots = trust;
	CHECK(tls_ctx_new(&conf, &ctx) == 0);
	cert_free(cert);
	key_free(key);
	trust_free(trust);
	return ctx;
}

/* What RFC 3748 and RFC 5216 ask of every response we write. */
static void
check_response(const struct rd *req, const struct rd *resp, size_t max)
{
	struct eap_pkt q, p;

	CHECK(eap_pkt_parse(req, &q) == 0 && q.code == EAP_CODE_REQUEST);
	CHECK(resp->len >= EAP_HDR_LEN + 1 && resp->len <= max);
	CHECK(eap_pkt_parse(resp, &p) == 0);
	CHECK(p.code == EAP_CODE_RESPONSE && p.id == q.id);
	switch (q.type) {
	case EAP_TYPE_IDENTITY:
	case EAP_TYPE_NOTIFICATION:
		CHECK(p.type == q.type);
		break;
	case EAP_TYPE_TLS:
		CHECK(p.type == EAP_TYPE_TLS && p.data.len >= 1);
		CHECK((p.data.p[0] & ~(EAP_TLS_FLAG_L | EAP_TLS_FLAG_M)) == 0);
		break;
	default:
		CHECK(p.type == EAP_TYPE_NAK && p.data.len == 1 &&
		    p.data.p[0] == EAP_TYPE_TLS);
	}
}

static int
feed(struct eap_peer *peer, const struct rd *req, size_t max)
{
	static uint8_t out[EAP_MSG_MAX_LEN];
	struct wr w = wr_make(out, max);
	struct rd resp;
	struct rd msk;
	int r;

	r = eap_peer_process(peer, req, &w);
	if (r == EAP_PEER_RESPOND) {
		resp = wr_view(&w, 0);
		check_response(req, &resp, max);
	} else {
		CHECK(w.len == 0);
	}
	/* No input finishes a handshake, so never a key. */
	CHECK(r != EAP_PEER_DONE);
	CHECK(eap_peer_msk(peer, &msk) == -EPROTO);
	if (r < 0)
		CHECK(eap_peer_state(peer) == EAP_PEER_FAILED &&
		    eap_peer_reason(peer) != NULL);
	return r;
}

static void
prelude(struct eap_peer *peer, size_t max)
{
	static const uint8_t identity[] = { 1, 0, 0, 5, 1 };
	static const uint8_t start[] = { 1, 1, 0, 6, 13, 0x20 };
	struct rd r;

	r = rd_make(identity, sizeof(identity));
	CHECK(feed(peer, &r, max) == EAP_PEER_RESPOND);
	r = rd_make(start, sizeof(start));
	CHECK(feed(peer, &r, max) == EAP_PEER_RESPOND);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct eap_peer_conf conf = { .identity = "p2s-fuzz" };
	struct rd in = rd_make(data, len), pkt;
	struct eap_peer *peer = NULL;
	uint8_t size, opts;
	uint16_t n;

	if (len > FUZZ_MAX_INPUT || !rd_u8(&in, &size) || !rd_u8(&in, &opts))
		return 0;
	conf.tls = fuzz_tls_ctx();
	conf.max_msg_len = EAP_MSG_MIN_LEN + 32 * (size_t)size;
	CHECK(eap_peer_new(&conf, &peer) == 0);
	if (opts & 1)
		prelude(peer, conf.max_msg_len);
	while (rd_u16(&in, &n) && rd_sub(&in, n, &pkt))
		if (feed(peer, &pkt, conf.max_msg_len) < 0)
			break;
	eap_peer_free(peer);
	ERR_clear_error();
	return 0;
}
