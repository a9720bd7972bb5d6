/* SPDX-License-Identifier: ISC */
/*
 * test_esp.c: ESP packets made by an independent implementation
 * (tests/data/esp/gen_esp_kat.py) and by strongSwan 5.9.8 itself
 * (tests/data/ikev2-strongswan: the pings of each captured exchange, with
 * the CHILD_SA keys charon logged) open to the right inner packet; every
 * flipped byte and every replay is refused; what we seal, we open, for
 * each suite and every inner length across a few blocks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esp.h"

#define KAT_MAX 512 /* bytes of one hex field */

struct kat {
	char name[64];
	unsigned encr, key_bits, integ;
	uint32_t spi, seq;
	uint8_t encr_key[64], integ_key[64], inner[KAT_MAX], packet[KAT_MAX];
	size_t encr_key_len, integ_key_len, inner_len, packet_len;
};

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (strcmp(s, "-") == 0)
		return 0;
	while (s[0] != '\0' && s[1] != '\0' && n < cap) {
		unsigned v;

		assert_int_equal(sscanf(s, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static int
kat_load(struct kat *k, size_t cap)
{
	char path[4096], line[2048];
	const char *top = getenv("top_srcdir");
	size_t n = 0;
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/tests/data/esp/esp_kat.txt",
	    top != NULL ? top : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL && n < cap) {
		struct kat *c = &k[n];
		char v[1024];

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "name=%63s", c->name) == 1)
			continue;
		if (sscanf(line, "encr=%u key_bits=%u integ=%u spi=%u seq=%u",
			&c->encr, &c->key_bits, &c->integ, &c->spi,
			&c->seq) == 5)
			continue;
		if (sscanf(line, "encr_key=%1023s", v) == 1)
			c->encr_key_len = unhex(v, c->encr_key, 64);
		else if (sscanf(line, "integ_key=%1023s", v) == 1)
			c->integ_key_len = unhex(v, c->integ_key, 64);
		else if (sscanf(line, "inner=%1023s", v) == 1)
			c->inner_len = unhex(v, c->inner, KAT_MAX);
		else if (sscanf(line, "packet=%1023s", v) == 1)
			c->packet_len = unhex(v, c->packet, KAT_MAX);
		else if (strcmp(line, "end") == 0)
			n++;
	}
	(void)fclose(f);
	return (int)n;
}

static struct esp_sa *
kat_sa(const struct kat *k, enum esp_dir dir)
{
	struct rd ek = rd_make(k->encr_key, k->encr_key_len);
	struct rd ik = rd_make(k->integ_key, k->integ_key_len);
	struct esp_sa *sa = NULL;

	assert_int_equal(esp_sa_new(dir, k->spi, k->encr, k->key_bits, &ek,
			     k->integ, &ik, &sa),
	    0);
	return sa;
}

static void
test_kat_open(void **state)
{
	static struct kat k[8];
	int n = kat_load(k, 8);

	assert_true(n >= 5);
	for (int i = 0; i < n; i++) {
		struct esp_sa *sa = kat_sa(&k[i], ESP_DIR_IN);
		struct rd pkt = rd_make(k[i].packet, k[i].packet_len), inner;
		uint8_t buf[KAT_MAX], nh = 0;

		print_message("# %s\n", k[i].name);
		assert_int_equal(
		    esp_open(sa, &pkt, buf, sizeof(buf), &inner, &nh), 0);
		assert_int_equal(nh, ESP_NH_IPV4);
		assert_int_equal(inner.len, k[i].inner_len);
		assert_memory_equal(inner.p, k[i].inner, inner.len);
		/* The same packet again is a replay. */
		assert_int_equal(
		    esp_open(sa, &pkt, buf, sizeof(buf), &inner, &nh),
		    -EALREADY);
		assert_int_equal(esp_sa_counters(sa)->packets, 1);
		assert_int_equal(esp_sa_counters(sa)->dropped, 1);
		assert_int_equal(esp_sa_counters(sa)->replay, 1);
		assert_int_equal(esp_sa_counters(sa)->integrity, 0);
		esp_sa_free(sa);
	}
}

/* Any single flipped bit anywhere makes the packet fail, and a forged
 * packet never moves the replay window. */
static void
test_kat_tamper(void **state)
{
	static struct kat k[8];
	int n = kat_load(k, 8);

	for (int i = 0; i < n; i++) {
		struct esp_sa *sa = kat_sa(&k[i], ESP_DIR_IN);
		uint8_t buf[KAT_MAX], nh;
		struct rd inner, pkt;

		for (size_t b = 0; b < k[i].packet_len; b++) {
			k[i].packet[b] ^= 0x01;
			pkt = rd_make(k[i].packet, k[i].packet_len);
			assert_true(esp_open(sa, &pkt, buf, sizeof(buf), &inner,
					&nh) < 0);
			k[i].packet[b] ^= 0x01;
		}
		for (size_t len = 0; len < k[i].packet_len; len++) {
			pkt = rd_make(k[i].packet, len);
			assert_true(esp_open(sa, &pkt, buf, sizeof(buf), &inner,
					&nh) < 0);
		}
		/* Each one counted: as an integrity failure, but for the
		 * flip that makes a sequence number of 1 into 0, which the
		 * window refuses before the ICV is checked. */
		assert_int_equal(
		    esp_sa_counters(sa)->dropped, 2 * k[i].packet_len);
		assert_true(esp_sa_counters(sa)->replay <= 1);
		assert_int_equal(esp_sa_counters(sa)->integrity +
			esp_sa_counters(sa)->replay,
		    2 * k[i].packet_len);
		pkt = rd_make(k[i].packet, k[i].packet_len);
		assert_int_equal(
		    esp_open(sa, &pkt, buf, sizeof(buf), &inner, &nh), 0);
		esp_sa_free(sa);
	}
}

struct suite {
	enum ike_encr encr;
	unsigned key_bits;
	enum ike_integ integ;
	size_t ek_len, ik_len;
};

static const struct suite suites[] = {
	{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 36, 0 },
	{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 20, 0 },
	{ IKE_ENCR_AES_GCM_12, 256, IKE_INTEG_NONE, 36, 0 },
	{ IKE_ENCR_AES_GCM_8, 128, IKE_INTEG_NONE, 20, 0 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 32, 32 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 16, 20 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256, 32, 64 },
};

static void
test_seal_open_roundtrip(void **state)
{
	uint8_t ek[64], ik[64], inner[300], pkt[512], buf[512], nh;

	for (size_t i = 0; i < sizeof(ek); i++) {
		ek[i] = (uint8_t)(3 * i);
		ik[i] = (uint8_t)(7 * i);
	}
	for (size_t i = 0; i < sizeof(inner); i++)
		inner[i] = (uint8_t)i;
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		const struct suite *c = &suites[s];
		struct rd ekr = rd_make(ek, c->ek_len),
			  ikr = rd_make(ik, c->ik_len);
		struct esp_sa *out = NULL, *in = NULL;

		assert_int_equal(esp_sa_new(ESP_DIR_OUT, 0x1000 + s, c->encr,
				     c->key_bits, &ekr, c->integ, &ikr, &out),
		    0);
		assert_int_equal(esp_sa_new(ESP_DIR_IN, 0x1000 + s, c->encr,
				     c->key_bits, &ekr, c->integ, &ikr, &in),
		    0);
		for (size_t len = 0; len < sizeof(inner); len++) {
			struct wr w = wr_make(pkt, sizeof(pkt));
			struct rd ir = rd_make(inner, len), got, p;

			assert_int_equal(
			    esp_seal(out, &ir, ESP_NH_IPV6, &w), 0);
			assert_int_equal(w.len, len + esp_overhead(out, len));
			p = rd_make(pkt, w.len);
			assert_int_equal(
			    esp_open(in, &p, buf, sizeof(buf), &got, &nh), 0);
			assert_int_equal(nh, ESP_NH_IPV6);
			assert_int_equal(got.len, len);
			assert_memory_equal(got.p, inner, len);
		}
		assert_int_equal(esp_sa_counters(out)->packets, sizeof(inner));
		esp_sa_free(out);
		esp_sa_free(in);
	}
}

/* Out-of-order delivery inside the window is fine; a too-old packet
 * is a replay. */
static void
test_reorder(void **state)
{
	uint8_t ek[36] = { 1 }, pkts[3000][96], buf[128], nh;
	size_t lens[3000];
	struct rd none = rd_make(NULL, 0), ekr = rd_make(ek, sizeof(ek));
	struct esp_sa *out = NULL, *in = NULL;
	struct rd inner = rd_make("ping", 4), got, p;

	assert_int_equal(esp_sa_new(ESP_DIR_OUT, 7, IKE_ENCR_AES_GCM_16, 256,
			     &ekr, IKE_INTEG_NONE, &none, &out),
	    0);
	assert_int_equal(esp_sa_new(ESP_DIR_IN, 7, IKE_ENCR_AES_GCM_16, 256,
			     &ekr, IKE_INTEG_NONE, &none, &in),
	    0);
	for (int i = 0; i < 3000; i++) {
		struct wr w = wr_make(pkts[i], sizeof(pkts[i]));

		assert_int_equal(esp_seal(out, &inner, ESP_NH_IPV4, &w), 0);
		lens[i] = w.len;
	}
	p = rd_make(pkts[2999], lens[2999]);
	assert_int_equal(esp_open(in, &p, buf, sizeof(buf), &got, &nh), 0);
	p = rd_make(pkts[2999 - 100], lens[2999 - 100]);
	assert_int_equal(esp_open(in, &p, buf, sizeof(buf), &got, &nh), 0);
	p = rd_make(pkts[0], lens[0]); /* seq 1: far left of the window */
	assert_int_equal(
	    esp_open(in, &p, buf, sizeof(buf), &got, &nh), -EALREADY);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void
test_bad_keys(void **state)
{
	uint8_t k[64] = { 0 };
	struct rd short_key = rd_make(k, 31), ik = rd_make(k, 32);
	struct rd none = rd_make(NULL, 0), gk = rd_make(k, 36);
	struct esp_sa *sa = NULL;

	assert_true(esp_sa_new(ESP_DIR_IN, 1, IKE_ENCR_AES_CBC, 256, &short_key,
			IKE_INTEG_HMAC_SHA2_256_128, &ik, &sa) < 0);
	/* CBC without integrity is never accepted. */
	assert_true(esp_sa_new(ESP_DIR_IN, 1, IKE_ENCR_AES_CBC, 256, &ik,
			IKE_INTEG_NONE, &none, &sa) < 0);
	/* GCM with an integrity transform is a contradiction. */
	assert_true(esp_sa_new(ESP_DIR_IN, 1, IKE_ENCR_AES_GCM_16, 256, &gk,
			IKE_INTEG_HMAC_SHA2_256_128, &ik, &sa) < 0);
	assert_null(sa);
}

static void
test_small_output(void **state)
{
	uint8_t ek[36] = { 0 }, out_buf[40];
	struct rd none = rd_make(NULL, 0), ekr = rd_make(ek, sizeof(ek));
	struct rd inner = rd_make("0123456789abcdef0123456789", 26);
	struct wr w = wr_make(out_buf, sizeof(out_buf));
	struct esp_sa *sa = NULL;

	assert_int_equal(esp_sa_new(ESP_DIR_OUT, 9, IKE_ENCR_AES_GCM_16, 256,
			     &ekr, IKE_INTEG_NONE, &none, &sa),
	    0);
	assert_int_equal(esp_seal(sa, &inner, ESP_NH_IPV4, &w), -ENOSPC);
	assert_int_equal(w.len, 0);
	assert_int_equal(esp_sa_counters(sa)->packets, 0);
	esp_sa_free(sa);
}

/* ---- Real strongSwan ESP packets (tests/data/ikev2-strongswan). ---- */

#define SWAN_CASES 8
#define SWAN_VAL   512

struct kv {
	char key[64];
	char val[SWAN_VAL];
};

static size_t
kv_load(const char *path, struct kv *kv, size_t cap)
{
	char line[SWAN_VAL + 80];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (n < cap && fgets(line, sizeof(line), f) != NULL) {
		char *eq = strchr(line, '=');

		if (line[0] == '#' || eq == NULL || eq - line >= 64)
			continue;
		*eq = '\0';
		eq[1 + strcspn(eq + 1, "\n")] = '\0';
		if (strlen(eq + 1) >= SWAN_VAL)
			continue;
		memcpy(kv[n].key, line, (size_t)(eq - line) + 1);
		memcpy(kv[n].val, eq + 1, strlen(eq + 1) + 1);
		n++;
	}
	(void)fclose(f);
	return n;
}

static const char *
kv_find(const struct kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].val;
	return NULL;
}

/* "child<N>_<field>" */
static const char *
kv_child(const struct kv *kv, size_t n, unsigned child, const char *field)
{
	char key[64];

	(void)snprintf(key, sizeof(key), "child%u_%s", child, field);
	return kv_find(kv, n, key);
}

/* The SA for a packet with this SPI: initiator-to-responder packets carry
 * the responder's SPI and use SK_ei/SK_ai, the others SK_er/SK_ar. */
static struct esp_sa *
swan_sa(const struct kv *kv, size_t n, uint32_t spi)
{
	for (unsigned c = 1; c < 10; c++) {
		const char *si = kv_child(kv, n, c, "spi_i");
		const char *sr = kv_child(kv, n, c, "spi_r");
		const char *dir, *ek, *ik, *encr, *bits, *integ;
		uint8_t ekey[64], ikey[64];
		struct rd ekr, ikr;
		struct esp_sa *sa = NULL;

		if (si == NULL || sr == NULL)
			break;
		if (strtoul(sr, NULL, 16) == spi)
			dir = "r_to_me_is_i";
		else if (strtoul(si, NULL, 16) == spi)
			dir = NULL;
		else
			continue;
		ek = kv_child(kv, n, c, dir ? "sk_ei" : "sk_er");
		ik = kv_child(kv, n, c, dir ? "sk_ai" : "sk_ar");
		encr = kv_child(kv, n, c, "encr");
		bits = kv_child(kv, n, c, "encr_keylen");
		integ = kv_child(kv, n, c, "integ");
		assert_non_null(ek);
		ekr = rd_make(ekey, unhex(ek, ekey, sizeof(ekey)));
		ikr = rd_make(ikey, ik ? unhex(ik, ikey, sizeof(ikey)) : 0);
		assert_int_equal(
		    esp_sa_new(ESP_DIR_IN, spi, (enum ike_encr)atoi(encr),
			(unsigned)atoi(bits), &ekr, (enum ike_integ)atoi(integ),
			&ikr, &sa),
		    0);
		return sa;
	}
	return NULL;
}

static void
test_strongswan_packets(void **state)
{
	static const char *const cases[] = {
		"gcm256-prfsha384-ecp384-eaptls",
		"gcm256-prfsha384-ecp384-pubkey",
		"cbc256-sha256-modp2048-pubkey",
		"cbc256-sha384-x25519-pubkey",
		"gcm256-prfsha256-modp2048s256-pubkey",
		"cookie-invalidke-pubkey",
	};
	static struct kv kv[256];
	const char *top = getenv("top_srcdir");
	unsigned opened = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char dir[4096], path[4200];
		size_t n;

		(void)snprintf(dir, sizeof(dir),
		    "%s/tests/data/ikev2-strongswan/%s",
		    top != NULL ? top : ".", cases[c]);
		(void)snprintf(path, sizeof(path), "%s/keys.txt", dir);
		n = kv_load(path, kv, 256);
		assert_true(n > 0);
		for (unsigned i = 0; i < 16; i++) {
			uint8_t pkt[KAT_MAX], buf[KAT_MAX], want[KAT_MAX], nh;
			const char *plain;
			struct rd p, inner;
			struct esp_sa *sa;
			size_t len;
			uint32_t spi;
			FILE *f;

			(void)snprintf(path, sizeof(path), "%s/esp-%02u-%c.bin",
			    dir, i, i % 2 ? 'r' : 'i');
			f = fopen(path, "rb");
			if (f == NULL)
				continue;
			len = fread(pkt, 1, sizeof(pkt), f);
			(void)fclose(f);
			p = rd_make(pkt, len);
			assert_true(esp_peek_spi(&p, &spi));
			sa = swan_sa(kv, n, spi);
			assert_non_null(sa);
			assert_int_equal(
			    esp_open(sa, &p, buf, sizeof(buf), &inner, &nh), 0);
			assert_int_equal(nh, ESP_NH_IPV4);
			(void)snprintf(path, sizeof(path), "esp_plain_%02u", i);
			plain = kv_find(kv, n, path);
			assert_non_null(plain);
			assert_int_equal(
			    inner.len, unhex(plain, want, sizeof(want)));
			assert_memory_equal(inner.p, want, inner.len);
			esp_sa_free(sa);
			opened++;
		}
	}
	print_message("# opened %u strongSwan ESP packets\n", opened);
	assert_true(opened >= 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kat_open),
		cmocka_unit_test(test_kat_tamper),
		cmocka_unit_test(test_seal_open_roundtrip),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_small_output),
		cmocka_unit_test(test_strongswan_packets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
