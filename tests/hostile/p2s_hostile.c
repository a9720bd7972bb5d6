/* SPDX-License-Identifier: ISC */
/*
 * p2s_hostile: a malicious IKEv2 responder for p2sd over real UDP (issue
 * #7).  It listens on ADDR:500 and ADDR:4500 (the ports p2sd always uses,
 * sock.c), answers with the scripted responder of the engine's tests
 * (tests/fuzz/ike_peer.c) and the in-memory EAP-TLS server
 * (tests/unit/eap_test.c), and plays one scenario: it mangles, repeats,
 * replays, reorders or replaces what that responder would send, or makes
 * its EAP server misbehave, or changes its certificate.
 *
 *   p2s_hostile SCENARIO [ADDR [LIFETIME_S]]
 *
 * Every datagram it sends goes to the address p2sd wrote from, on
 * ADDR (tests run it in a network namespace of their own, on loopback).
 * It reports on stdout, one line per event, with CLOCK_MONOTONIC ms:
 *   hostile: attempt N at MS        a new IKE SA (IKE_SA_INIT, new SPI)
 *   hostile: established in attempt N
 * and stops by itself after LIFETIME_S seconds (default 300).
 * tests/integration/test_p2sd_hostile.sh drives it.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "crypto.h"
#include "eap_test.h"
#include "eap_tls.h"
#include "ike.h"
#include "ike_peer.h"
#include "ike_sk.h"

#define DGRAM_MAX     65535
#define UDP_MAX	      65507  /* bytes: the largest IPv4 UDP payload */
#define FRAG_SMALL    200    /* bytes: fragment size when fragmenting */
#define FLOOD_TOTAL   100000 /* datagrams in a flood */
#define FLOOD_BURST   500    /* datagrams per tick */
#define FLOOD_TICK_MS 20
#define TLS_FRAG_LEN  1000 /* bytes of each endless TLS fragment */
#define CACHE_MAX     (IKE_MAX_FRAGMENTS * 4 + 8)

enum scenario {
	SC_GARBAGE,	   /* random bytes for every datagram */
	SC_FLOOD,	   /* 100,000 datagrams of junk an attempt */
	SC_MALFORMED,	   /* broken payload chains, outside and inside SK */
	SC_TRUNCATED,	   /* IKE_SA_INIT responses cut short */
	SC_OVERSIZED,	   /* lengths past IKE_MSG_MAX_LEN, reassembly too */
	SC_DUPLICATE,	   /* every datagram three times, fragments reversed */
	SC_OUT_OF_ORDER,   /* responses with the wrong message IDs */
	SC_REPLAY,	   /* old responses instead of new ones */
	SC_WRONG_SPI,	   /* IKE_SA_INIT responses for another initiator SPI */
	SC_SPI_R_CHANGE,   /* IKE_AUTH under another responder SPI */
	SC_FRAG_OVERLAP,   /* two different fragments with one number */
	SC_FRAG_TOO_MANY,  /* more fragments than IKE_MAX_FRAGMENTS */
	SC_FRAG_NEVER,	   /* the last fragment never comes */
	SC_EAP_FLOOD,	   /* EAP requests past EAP_MAX_ROUNDS */
	SC_TLS_ENDLESS,	   /* a TLS message that never ends */
	SC_TLS_RECORDS,	   /* TLS records that never make progress */
	SC_CERT_TLS,	   /* EAP-TLS presents another certificate than IKE */
	SC_CERT_FINAL,	   /* a CERT in the final IKE_AUTH response */
	SC_CERT_RECONNECT, /* another certificate after a reconnect */
	SC_N
};

static const char *const scenario_names[SC_N] = {
	[SC_GARBAGE] = "garbage",
	[SC_FLOOD] = "flood",
	[SC_MALFORMED] = "malformed",
	[SC_TRUNCATED] = "truncated",
	[SC_OVERSIZED] = "oversized",
	[SC_DUPLICATE] = "duplicate",
	[SC_OUT_OF_ORDER] = "out-of-order",
	[SC_REPLAY] = "replay",
	[SC_WRONG_SPI] = "wrong-spi",
	[SC_SPI_R_CHANGE] = "spi-r-change",
	[SC_FRAG_OVERLAP] = "frag-overlap",
	[SC_FRAG_TOO_MANY] = "frag-too-many",
	[SC_FRAG_NEVER] = "frag-never",
	[SC_EAP_FLOOD] = "eap-flood",
	[SC_TLS_ENDLESS] = "tls-endless",
	[SC_TLS_RECORDS] = "tls-records",
	[SC_CERT_TLS] = "cert-tls",
	[SC_CERT_FINAL] = "cert-final",
	[SC_CERT_RECONNECT] = "cert-reconnect",
};

/* Datagrams as sent, for a retransmitted request or a replay. */
struct dgram_set {
	struct buf *v[CACHE_MAX];
	size_t n;
};

struct hostile {
	enum scenario sc;
	int fd[2]; /* ports 500 and 4500 */
	struct sockaddr_storage local;
	struct sockaddr_storage client; /* where the last request came from */
	bool client_natt;
	char paths[3][4096];
	struct ike_peer *peer;
	struct eapt_srv srv;
	bool have_srv;
	uint8_t spi_i[IKE_SPI_LEN];
	unsigned attempts;
	bool established;
	/* The retransmission caches: our answers to IKE_SA_INIT and to the
	 * last request after it (a new answer would bring new keys, or tell
	 * a retransmission from the first). */
	bool init_answered;
	struct dgram_set init_cache;
	uint32_t cache_msgid;
	bool cache_valid;
	struct dgram_set cache;
	/* SC_REPLAY: old responses. */
	struct dgram_set old_init, old_auth;
	/* SC_FLOOD */
	unsigned flood_left;
	bool flooded; /* once an attempt: a bounded flood */
	struct sockaddr_storage flood_to;
	/* SC_CERT_RECONNECT: the Delete to send, at this time (0: none). */
	uint64_t delete_at;
	/* Misbehaving EAP servers. */
	uint8_t eap_id;
	unsigned eap_step;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void P2S_PRINTF(1, 2) say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)printf("hostile: ");
	(void)vprintf(fmt, ap);
	(void)printf("\n");
	va_end(ap);
}

static P2S_NORETURN void
die(const char *what, int err)
{
	(void)fprintf(stderr, "p2s_hostile: %s: %s\n", what, strerror(err));
	exit(2);
}

static void
set_clear(struct dgram_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		buf_free(s->v[i]);
	s->n = 0;
}

static void
set_add(struct dgram_set *s, const struct rd *m)
{
	if (s->n == CACHE_MAX)
		return;
	s->v[s->n] = buf_dup_rd(m);
	if (s->v[s->n] == NULL)
		die("buf_dup", ENOMEM);
	s->n++;
}

/* Appends src, from its end when reverse. */
static void
set_append(struct dgram_set *dst, const struct dgram_set *src, bool reverse)
{
	for (size_t i = 0; i < src->n; i++) {
		struct rd m = buf_rd(src->v[reverse ? src->n - 1 - i : i]);

		set_add(dst, &m);
	}
}

static void
set_copy(struct dgram_set *dst, const struct dgram_set *src)
{
	set_clear(dst);
	set_append(dst, src, false);
}

/* ---- Sending ---- */

static void
send_to(struct hostile *h, bool natt, const struct sockaddr_storage *to,
    const struct rd *msg)
{
	static uint8_t b[DGRAM_MAX + IKE_NON_ESP_MARKER_LEN];
	size_t len = 0;

	if (natt) {
		memset(b, 0, IKE_NON_ESP_MARKER_LEN);
		len = IKE_NON_ESP_MARKER_LEN;
	}
	if (msg->len > UDP_MAX - len)
		return;
	memcpy(b + len, msg->p, msg->len);
	len += msg->len;
	(void)sendto(h->fd[natt], b, len, MSG_DONTWAIT,
	    (const struct sockaddr *)to, sizeof(struct sockaddr_in));
}

/* Sends a set to where the client's last request came from. */
static void
send_set(struct hostile *h, const struct dgram_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct rd m = buf_rd(s->v[i]);

		send_to(h, h->client_natt, &h->client, &m);
	}
}

static void
random_bytes(uint8_t *b, size_t n)
{
	if (crypto_random(b, n) < 0)
		die("crypto_random", EIO);
}

static void
add_random(struct dgram_set *s, size_t len)
{
	static uint8_t b[UDP_MAX];
	struct rd m = rd_make(b, len);

	random_bytes(b, len);
	set_add(s, &m);
}

/* ---- The EAP servers behind the peer ---- */

static const struct ike_peer_eap eap_honest = {
	.first = eapt_ike_first,
	.step = eapt_ike_step,
	.msk = eapt_ike_msk,
};

/* The first request of a misbehaving server: EAP-Identity, Identifier 0. */
static int
bad_first(void *arg, struct wr *out)
{
	struct hostile *h = arg;

	h->eap_id = 0;
	h->eap_step = 0;
	out->len += eapt_pkt(out->buf + out->len, out->cap - out->len,
	    EAP_CODE_REQUEST, 0, EAP_TYPE_IDENTITY, NULL, 0);
	return 0;
}

/* They never get as far as a key. */
static int
bad_msk(void *arg, struct rd *ret)
{
	(void)arg;
	(void)ret;
	return -EPROTO;
}

/* SC_EAP_FLOOD: EAP-Identity requests, each with a new Identifier, for
 * as long as the client answers. */
static int
flood_step(void *arg, const struct rd *resp, struct wr *out, bool *ret_done)
{
	struct hostile *h = arg;

	(void)resp;
	*ret_done = false;
	out->len += eapt_pkt(out->buf + out->len, out->cap - out->len,
	    EAP_CODE_REQUEST, ++h->eap_id, EAP_TYPE_IDENTITY, NULL, 0);
	return 0;
}

/* SC_TLS_ENDLESS: EAP-TLS Start, then one TLS message announced at the
 * largest length the client takes, sent in fragments that always say
 * more follow. */
static int
endless_step(void *arg, const struct rd *resp, struct wr *out, bool *ret_done)
{
	struct hostile *h = arg;
	uint8_t d[5 + TLS_FRAG_LEN];
	size_t len;

	(void)resp;
	*ret_done = false;
	if (h->eap_step++ == 0) {
		d[0] = EAP_TLS_FLAG_S;
		len = 1;
	} else if (h->eap_step == 2) {
		d[0] = EAP_TLS_FLAG_L | EAP_TLS_FLAG_M;
		d[1] = (uint8_t)(EAP_TLS_MAX_MSG_LEN >> 24);
		d[2] = (uint8_t)(EAP_TLS_MAX_MSG_LEN >> 16);
		d[3] = (uint8_t)(EAP_TLS_MAX_MSG_LEN >> 8);
		d[4] = (uint8_t)EAP_TLS_MAX_MSG_LEN;
		memset(d + 5, 0x16, TLS_FRAG_LEN);
		len = 5 + TLS_FRAG_LEN;
	} else {
		d[0] = EAP_TLS_FLAG_M;
		memset(d + 1, 0x16, TLS_FRAG_LEN);
		len = 1 + TLS_FRAG_LEN;
	}
	out->len += eapt_pkt(out->buf + out->len, out->cap - out->len,
	    EAP_CODE_REQUEST, ++h->eap_id, EAP_TYPE_TLS, d, len);
	return 0;
}

/* SC_TLS_RECORDS: EAP-TLS Start, then for every answer one whole TLS
 * record holding a HelloRequest, which a client in the middle of its
 * handshake ignores (RFC 5246 7.4.1.1): the handshake never moves. */
static int
records_step(void *arg, const struct rd *resp, struct wr *out, bool *ret_done)
{
	static const uint8_t hello_request[] = { EAP_TLS_FLAG_L, 0, 0, 0, 9,
		0x16, 0x03, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t start[] = { EAP_TLS_FLAG_S };
	struct hostile *h = arg;
	bool first = h->eap_step++ == 0;

	(void)resp;
	*ret_done = false;
	out->len +=
	    eapt_pkt(out->buf + out->len, out->cap - out->len, EAP_CODE_REQUEST,
		++h->eap_id, EAP_TYPE_TLS, first ? start : hello_request,
		first ? sizeof(start) : sizeof(hello_request));
	return 0;
}

static const struct ike_peer_eap eap_flood = {
	.first = bad_first,
	.step = flood_step,
	.msk = bad_msk,
};

static const struct ike_peer_eap eap_endless = {
	.first = bad_first,
	.step = endless_step,
	.msk = bad_msk,
};

static const struct ike_peer_eap eap_records = {
	.first = bad_first,
	.step = records_step,
	.msk = bad_msk,
};

/* ---- A new IKE SA ---- */

static const char *
keep_path(struct hostile *h, int i, const char *name)
{
	(void)snprintf(
	    h->paths[i], sizeof(h->paths[i]), "%s", eapt_cert_path(name));
	return h->paths[i];
}

static void
srv_make(struct hostile *h)
{
	bool other = h->sc == SC_CERT_TLS;
	struct eapt_srv_conf sc = { .tls_max = TLS1_2_VERSION,
		.frag = 1024,
		.chain = other ? "gw-ec256.pem,int-a.pem" : "gw.pem,int-a.pem",
		.key = other ? "gw-ec256.key" : "gw.key",
		.client_ca = "client-root.pem",
		.always_len = true };

	if (h->have_srv)
		eapt_srv_done(&h->srv);
	(void)eapt_srv_init(&h->srv, &sc);
	eapt_srv_reset(&h->srv);
	h->have_srv = true;
}

static void
new_attempt(struct hostile *h, const struct ike_hdr *hdr)
{
	bool other = h->sc == SC_CERT_RECONNECT && h->attempts >= 1;
	struct ike_peer_conf pc = {
		.cert = keep_path(h, 0, other ? "gw-ec256.pem" : "gw.pem"),
		.issuer = keep_path(h, 1, "int-a.pem"),
		.key = keep_path(h, 2, other ? "gw-ec256.key" : "gw.key"),
		.id = EAPT_GW_ID,
		.eap = true,
		.eap_srv = &eap_honest,
		.eap_arg = &h->srv,
		.frag = true,
		.client = h->client,
		.gateway = h->local,
	};
	int r;

	switch (h->sc) {
	case SC_DUPLICATE:
	case SC_FRAG_OVERLAP:
	case SC_FRAG_NEVER:
		pc.frag_size = FRAG_SMALL;
		break;
	case SC_EAP_FLOOD:
		pc.eap_srv = &eap_flood;
		pc.eap_arg = h;
		break;
	case SC_TLS_ENDLESS:
		pc.eap_srv = &eap_endless;
		pc.eap_arg = h;
		break;
	case SC_TLS_RECORDS:
		pc.eap_srv = &eap_records;
		pc.eap_arg = h;
		break;
	default:
		break;
	}
	ike_peer_free(h->peer);
	h->peer = NULL;
	srv_make(h);
	r = ike_peer_new(&pc, &h->peer);
	if (r < 0)
		die("ike_peer_new", -r);
	memcpy(h->spi_i, hdr->spi_i, IKE_SPI_LEN);
	h->attempts++;
	h->established = false;
	h->cache_valid = false;
	set_clear(&h->cache);
	h->init_answered = false;
	set_clear(&h->init_cache);
	h->flooded = false;
	say("attempt %u at %llu ms", h->attempts, (unsigned long long)now_ms());
}

/* ---- What the scenario makes of an answer ---- */

/* The peer's answer as it would be sent. */
static void
take_out(struct hostile *h, struct dgram_set *s)
{
	for (size_t i = 0; i < h->peer->n_out; i++) {
		struct rd m = buf_rd(h->peer->out[i]);

		set_add(s, &m);
	}
	ike_peer_out_clear(h->peer);
}

static void
patch_u32(struct buf *b, size_t at, uint32_t v)
{
	if (b->len < at + 4)
		return;
	b->p[at] = (uint8_t)(v >> 24);
	b->p[at + 1] = (uint8_t)(v >> 16);
	b->p[at + 2] = (uint8_t)(v >> 8);
	b->p[at + 3] = (uint8_t)v;
}

/* What the scenario sends for IKE_SA_INIT; false: the honest answer. */
static bool
init_answer(struct hostile *h, struct dgram_set *good, struct dgram_set *s)
{
	struct rd g = good->n > 0 ? buf_rd(good->v[0]) : rd_make(NULL, 0);
	static uint8_t big[UDP_MAX];
	size_t i0 = s->n;

	switch (h->sc) {
	case SC_GARBAGE:
		add_random(s, 1);
		add_random(s, 27);
		add_random(s, 300);
		add_random(s, 1500);
		return true;
	case SC_FLOOD:
		if (!h->flooded) {
			h->flooded = true;
			h->flood_left = FLOOD_TOTAL;
			h->flood_to = h->client;
		}
		return true;
	case SC_MALFORMED:
		/* The first payload's length past the end; then an unknown
		 * critical payload first. */
		set_add(s, &g);
		s->v[i0]->p[IKE_HDR_LEN + 2] = 0xff;
		s->v[i0]->p[IKE_HDR_LEN + 3] = 0xff;
		set_add(s, &g);
		s->v[i0 + 1]->p[16] = 200;
		s->v[i0 + 1]->p[IKE_HDR_LEN + 1] = 0x80;
		set_add(s, &g);
		return true;
	case SC_TRUNCATED:
		set_add(s, &(struct rd){ g.p, g.len / 2 });
		set_add(s, &(struct rd){ g.p, IKE_HDR_LEN });
		set_add(s, &(struct rd){ g.p, 10 });
		set_add(s, &(struct rd){ g.p, g.len - 1 });
		return true;
	case SC_OVERSIZED:
		/* Lengths past what a datagram holds, then a datagram of
		 * the largest size with our SPI; then the real answer. */
		set_add(s, &g);
		patch_u32(s->v[i0], IKE_HDR_LENGTH_OFF, 0xffffffff);
		set_add(s, &g);
		patch_u32(
		    s->v[i0 + 1], IKE_HDR_LENGTH_OFF, IKE_MSG_MAX_LEN + 1);
		random_bytes(big, sizeof(big));
		memcpy(big, g.p, IKE_HDR_LEN);
		set_add(s, &(struct rd){ big, sizeof(big) });
		patch_u32(s->v[i0 + 2], IKE_HDR_LENGTH_OFF, sizeof(big));
		set_add(s, &g);
		return true;
	case SC_WRONG_SPI:
		/* Another initiator SPI; ours, but the initiator flag. */
		set_add(s, &g);
		s->v[i0]->p[0] ^= 0xff;
		set_add(s, &g);
		s->v[i0 + 1]->p[19] |= IKE_FLAG_INITIATOR;
		return true;
	case SC_DUPLICATE:
		set_add(s, &g);
		set_add(s, &g);
		set_add(s, &g);
		return true;
	case SC_REPLAY:
		set_copy(&h->old_init, good);
		return false;
	default:
		return false;
	}
}

static void
sealed(int r)
{
	if (r < 0)
		die("ike_peer_seal", -r);
}

/* A CERT payload (another certificate) before the inner chain kept by
 * the peer, sealed again as the same response. */
static void
cert_final(struct hostile *h, uint32_t msgid)
{
	struct ike_peer *p = h->peer;
	struct cert *c = NULL;
	struct rd der, old = buf_rd(p->last_inner);
	uint8_t *b;
	size_t len;

	if (cert_load_file(eapt_cert_path("gw-ec256.pem"), &c) < 0)
		die("cert_load_file", EIO);
	der = cert_der(c);
	len = IKE_PLD_HDR_LEN + 1 + der.len + old.len;
	b = malloc(len);
	if (b == NULL)
		die("malloc", ENOMEM);
	b[0] = p->last_hdr[3];
	b[1] = 0;
	b[2] = (uint8_t)((IKE_PLD_HDR_LEN + 1 + der.len) >> 8);
	b[3] = (uint8_t)(IKE_PLD_HDR_LEN + 1 + der.len);
	b[4] = IKE_CERT_X509_SIGN;
	memcpy(b + 5, der.p, der.len);
	memcpy(b + 5 + der.len, old.p, old.len);
	ike_peer_out_clear(p);
	sealed(ike_peer_seal(
	    p, IKE_AUTH, true, msgid, &(struct rd){ b, len }, IKE_PLD_CERT));
	free(b);
	cert_free(c);
}

/* What the scenario sends for an IKE_AUTH request; false: the honest
 * answer. */
static bool
auth_answer(struct hostile *h, uint32_t msgid, bool final,
    struct dgram_set *good, struct dgram_set *s)
{
	struct ike_peer *p = h->peer;
	struct rd inner =
	    p->last_inner != NULL ? buf_rd(p->last_inner) : rd_make(NULL, 0);
	uint8_t first = p->last_hdr[3];
	static uint8_t junk[2 * IKE_REASM_MAX_LEN];
	static const uint8_t broken[] = { 0, 0, 0xff, 0xff, 1, 2, 3, 4 };

	switch (h->sc) {
	case SC_MALFORMED:
		/* Under valid keys, an inner chain that does not parse. */
		sealed(ike_peer_seal(p, IKE_AUTH, true, msgid,
		    &(struct rd){ broken, sizeof(broken) }, IKE_PLD_IDR));
		take_out(h, s);
		return true;
	case SC_OVERSIZED:
		/* Fragments that add up past IKE_REASM_MAX_LEN. */
		p->conf.frag_size = UDP_MAX / 2;
		sealed(ike_peer_seal(p, IKE_AUTH, true, msgid,
		    &(struct rd){ junk, sizeof(junk) }, IKE_PLD_IDR));
		p->conf.frag_size = 0;
		take_out(h, s);
		return true;
	case SC_DUPLICATE:
		/* Last fragment first, each three times in a row: copies
		 * come while the set is not complete yet. */
		for (size_t i = good->n; i-- > 0;) {
			struct rd m = buf_rd(good->v[i]);

			for (int k = 0; k < 3; k++)
				set_add(s, &m);
		}
		return true;
	case SC_OUT_OF_ORDER:
		/* Each seal keeps a new copy of the inner chain as the last
		 * one: the next takes that. */
		for (int k = 0; k < 3; k++) {
			static const int32_t off[3] = { 1, -1, 100 };

			inner = buf_rd(p->last_inner);
			sealed(ike_peer_seal(p, IKE_AUTH, true,
			    msgid + (uint32_t)off[k], &inner, first));
		}
		take_out(h, s);
		return true;
	case SC_REPLAY:
		if (msgid == 1) {
			set_copy(&h->old_auth, good);
			return false;
		}
		set_append(s, &h->old_auth, false);
		set_append(s, &h->old_init, false);
		return true;
	case SC_SPI_R_CHANGE:
		p->spi_r[0] ^= 0xff;
		sealed(ike_peer_seal(p, IKE_AUTH, true, msgid, &inner, first));
		p->spi_r[0] ^= 0xff;
		take_out(h, s);
		return true;
	case SC_FRAG_OVERLAP:
		/* Fragment 2 twice, with other bytes the first time. */
		if (good->n >= 2) {
			random_bytes(junk, FRAG_SMALL);
			sealed(ike_peer_seal_frag(p, IKE_AUTH, true, msgid, 2,
			    (uint16_t)good->n, &(struct rd){ junk, FRAG_SMALL },
			    0));
			take_out(h, s);
		}
		set_append(s, good, false);
		return true;
	case SC_FRAG_TOO_MANY:
		memset(junk, 0, 64);
		for (uint16_t k = 1; k <= IKE_MAX_FRAGMENTS + 1; k++) {
			sealed(ike_peer_seal_frag(p, IKE_AUTH, true, msgid, k,
			    IKE_MAX_FRAGMENTS + 1, &(struct rd){ junk, 64 },
			    first));
			take_out(h, s);
		}
		sealed(ike_peer_seal_frag(p, IKE_AUTH, true, msgid, 1, 65535,
		    &(struct rd){ junk, 64 }, first));
		take_out(h, s);
		return true;
	case SC_FRAG_NEVER:
		for (size_t i = 0; i + 1 < good->n; i++) {
			struct rd m = buf_rd(good->v[i]);

			set_add(s, &m);
		}
		return good->n > 1;
	case SC_CERT_FINAL:
		if (!final)
			return false;
		cert_final(h, msgid);
		take_out(h, s);
		return true;
	default:
		return false;
	}
}

/* ---- Datagrams from the client ---- */

static void
on_ike(struct hostile *h, const struct rd *dgram)
{
	struct dgram_set good = { .n = 0 }, send = { .n = 0 };
	struct ike_hdr hdr;
	struct rd chain;
	bool had_child, mangled = false;
	int r;

	if (ike_hdr_parse(dgram, &hdr, &chain) < 0) {
		say("a datagram that is not IKEv2 (%zu bytes)", dgram->len);
		return;
	}
	if (hdr.exchange == IKE_SA_INIT && !(hdr.flags & IKE_FLAG_RESPONSE) &&
	    (h->peer == NULL || memcmp(hdr.spi_i, h->spi_i, IKE_SPI_LEN) != 0))
		new_attempt(h, &hdr);
	if (h->peer == NULL || memcmp(hdr.spi_i, h->spi_i, IKE_SPI_LEN) != 0)
		return;
	/* The client retransmits: the same answer again, as the scenario
	 * made it. */
	if (hdr.exchange == IKE_SA_INIT && h->init_answered) {
		send_set(h, &h->init_cache);
		return;
	}
	if (hdr.exchange != IKE_SA_INIT && !(hdr.flags & IKE_FLAG_RESPONSE) &&
	    h->cache_valid && hdr.msgid == h->cache_msgid) {
		send_set(h, &h->cache);
		return;
	}
	had_child = h->peer->have_child;
	r = ike_peer_input(h->peer, dgram);
	if (r < 0)
		say("responder: %s", h->peer->error);
	if (hdr.flags & IKE_FLAG_RESPONSE) {
		ike_peer_out_clear(h->peer);
		return;
	}
	take_out(h, &good);
	if (hdr.exchange == IKE_SA_INIT)
		mangled = init_answer(h, &good, &send);
	else if (hdr.exchange == IKE_AUTH && good.n > 0)
		mangled = auth_answer(h, hdr.msgid,
		    !had_child && h->peer->have_child, &good, &send);
	if (!mangled)
		set_copy(&send, &good);
	send_set(h, &send);
	if (hdr.exchange == IKE_SA_INIT) {
		set_copy(&h->init_cache, &send);
		h->init_answered = true;
	}
	/* A fragment of a request that is not complete yet has no answer. */
	if (hdr.exchange != IKE_SA_INIT && good.n > 0) {
		set_copy(&h->cache, &send);
		h->cache_msgid = hdr.msgid;
		h->cache_valid = true;
	}
	if (!had_child && h->peer->have_child && h->sc != SC_CERT_FINAL) {
		h->established = true;
		say("established in attempt %u", h->attempts);
		if (h->sc == SC_CERT_RECONNECT && h->attempts == 1)
			h->delete_at = now_ms() + 1000;
	}
	set_clear(&good);
	set_clear(&send);
}

/* SC_CERT_RECONNECT: D(IKE), so that the client connects again. */
static void
send_delete(struct hostile *h)
{
	uint8_t b[64];
	struct ike_pld_wr pw;
	struct dgram_set s = { .n = 0 };
	struct rd inner;

	ike_pld_wr_init_chain(&pw, b, sizeof(b));
	ike_pld_build_delete(
	    &pw, &(struct ike_pld_delete){ .proto = IKE_PROTO_IKE });
	if (ike_pld_wr_finish(&pw, &inner) < 0)
		die("ike_pld_wr_finish", EINVAL);
	sealed(ike_peer_request(h->peer, IKE_INFORMATIONAL, &inner, pw.first));
	take_out(h, &s);
	send_set(h, &s);
	set_clear(&s);
	say("sent a Delete for the IKE SA");
}

static void
flood_tick(struct hostile *h)
{
	static uint8_t b[UDP_MAX];
	unsigned n = h->flood_left < FLOOD_BURST ? h->flood_left : FLOOD_BURST;

	for (unsigned i = 0; i < n; i++) {
		size_t len = 1 + (size_t)(h->flood_left % 1400);

		if (h->flood_left % 1000 == 0)
			len = sizeof(b);
		random_bytes(b, len < 64 ? len : 64);
		/* Some look like answers to the client's IKE_SA_INIT. */
		if (h->flood_left % 3 == 0 && len >= IKE_HDR_LEN) {
			memcpy(b, h->spi_i, IKE_SPI_LEN);
			b[17] = 0x20;
			b[18] = IKE_SA_INIT;
			b[19] = IKE_FLAG_RESPONSE;
			memset(b + 20, 0, 4);
			b[24] = (uint8_t)(len >> 24);
			b[25] = (uint8_t)(len >> 16);
			b[26] = (uint8_t)(len >> 8);
			b[27] = (uint8_t)len;
		}
		send_to(h, false, &h->flood_to, &(struct rd){ b, len });
		h->flood_left--;
	}
	if (h->flood_left == 0)
		say("flood done: %u datagrams", FLOOD_TOTAL);
}

static void
on_readable(struct hostile *h, bool natt)
{
	static uint8_t b[DGRAM_MAX + 1];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;
	struct rd m;

	n = recvfrom(h->fd[natt], b, sizeof(b), MSG_DONTWAIT,
	    (struct sockaddr *)&from, &flen);
	if (n <= 0)
		return;
	m = rd_make(b, (size_t)n);
	if (natt) {
		if (n < IKE_NON_ESP_MARKER_LEN || b[0] != 0 || b[1] != 0 ||
		    b[2] != 0 || b[3] != 0)
			return; /* a keepalive, or ESP */
		m = rd_make(b + 4, (size_t)n - 4);
	}
	h->client = from;
	h->client_natt = natt;
	on_ike(h, &m);
}

static int
open_port(const struct sockaddr_in *addr, uint16_t port)
{
	struct sockaddr_in a = *addr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	int big = 4 << 20;

	a.sin_port = htons(port);
	if (fd < 0 || bind(fd, (const struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind", errno);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

static int
scenario_of(const char *name)
{
	for (int i = 0; i < SC_N; i++)
		if (strcmp(name, scenario_names[i]) == 0)
			return i;
	return -1;
}

int
main(int argc, char **argv)
{
	static struct hostile h;
	struct sockaddr_in a = { .sin_family = AF_INET };
	uint64_t end;
	int sc;

	if (argc < 2 || (sc = scenario_of(argv[1])) < 0) {
		(void)fprintf(stderr,
		    "usage: p2s_hostile SCENARIO [ADDR [LIFETIME_S]]\n"
		    "scenarios:");
		for (int i = 0; i < SC_N; i++)
			(void)fprintf(stderr, " %s", scenario_names[i]);
		(void)fprintf(stderr, "\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	h.sc = (enum scenario)sc;
	if (inet_pton(AF_INET, argc > 2 ? argv[2] : "127.0.0.1", &a.sin_addr) !=
	    1)
		die("address", EINVAL);
	end = now_ms() + 1000 * (uint64_t)(argc > 3 ? atoi(argv[3]) : 300);
	h.fd[0] = open_port(&a, IKE_PORT);
	h.fd[1] = open_port(&a, IKE_NATT_PORT);
	a.sin_port = htons(IKE_PORT);
	memcpy(&h.local, &a, sizeof(a));
	say("scenario %s on %s ports 500 and 4500", argv[1],
	    argc > 2 ? argv[2] : "127.0.0.1");
	while (now_ms() < end) {
		struct pollfd p[2] = { { .fd = h.fd[0], .events = POLLIN },
			{ .fd = h.fd[1], .events = POLLIN } };
		int timeout = h.flood_left > 0 ? FLOOD_TICK_MS : 200;

		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			die("poll", errno);
		for (int i = 0; i < 2; i++)
			if (p[i].revents & POLLIN)
				on_readable(&h, i == 1);
		if (h.flood_left > 0)
			flood_tick(&h);
		if (h.delete_at != 0 && now_ms() >= h.delete_at) {
			h.delete_at = 0;
			send_delete(&h);
		}
	}
	say("lifetime over");
	ike_peer_free(h.peer);
	if (h.have_srv)
		eapt_srv_done(&h.srv);
	set_clear(&h.cache);
	set_clear(&h.init_cache);
	set_clear(&h.old_init);
	set_clear(&h.old_auth);
	return 0;
}
