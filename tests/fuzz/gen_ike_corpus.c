/* SPDX-License-Identifier: ISC */
/*
 * gen_ike_corpus.c: writes the sample messages of ike_samples.c, one file
 * each, as fuzz_ike_msg's seed corpus, and every payload in them (its type
 * byte, then its body) as fuzz_ike_pld's.  Run by hand when the samples
 * change, then minimise with libFuzzer's -merge=1:
 *
 *   tests/fuzz/gen_ike_corpus MSG_DIR PLD_DIR
 */
#include <stdio.h>

#include "ike_samples.h"

/* DIR/seed-NAME, or DIR/seed-NAME-I for i >= 0: p1 then p2. */
static int
write_file(const char *dir, const char *name, int i, const void *p1, size_t n1,
    const void *p2, size_t n2)
{
	char path[4096];
	FILE *f;
	bool ok;

	if (i < 0)
		(void)snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	else
		(void)snprintf(
		    path, sizeof(path), "%s/seed-%s-%02d", dir, name, i);
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	ok = fwrite(p1, 1, n1, f) == n1 && fwrite(p2, 1, n2, f) == n2;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int
write_chain(
    const char *dir, const char *name, const struct ike_pld_chain *c, int *i)
{
	for (size_t k = 0; k < c->n; k++) {
		const struct ike_pld_ref *ref = &c->v[k];

		if (ref->type == IKE_PLD_SK || ref->type == IKE_PLD_SKF)
			continue;
		if (write_file(dir, name, (*i)++, &ref->type, 1, ref->body.p,
			rd_left(&ref->body)) < 0)
			return -1;
	}
	return 0;
}

/* Every payload of one message, the plaintext SK chain's included. */
static int
write_payloads(
    const char *dir, const char *name, const uint8_t *msg, size_t len)
{
	static struct ike_pld_chain outer, inner;
	struct rd m = rd_make(msg, len), chain;
	struct ike_pld_sk sk;
	struct ike_hdr h;
	int i = 0;
	uint8_t bad;

	if (ike_hdr_parse(&m, &h, &chain) < 0 ||
	    ike_pld_split(&chain, h.next, &outer, &bad) < 0 ||
	    write_chain(dir, name, &outer, &i) < 0)
		return -1;
	if (outer.n == 0 || outer.v[outer.n - 1].type != IKE_PLD_SK)
		return 0;
	if (ike_pld_parse_sk(&m, &outer.v[outer.n - 1], &sk) < 0 ||
	    ike_pld_split(&sk.enc, sk.inner, &inner, &bad) < 0)
		return -1;
	return write_chain(dir, name, &inner, &i);
}

static int
write_sample(const char *dir, const char *pld_dir, const struct ike_sample *s)
{
	static uint8_t buf[IKE_SAMPLE_MAX_LEN];
	size_t len = s->build(buf, sizeof(buf));

	if (len == 0) {
		fprintf(stderr, "%s: does not build\n", s->name);
		return -1;
	}
	if (write_file(dir, s->name, -1, buf, len, NULL, 0) < 0)
		return -1;
	return write_payloads(pld_dir, s->name, buf, len);
}

int
main(int argc, char **argv)
{
	int r = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s MSG_DIR PLD_DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < ike_n_samples; i++)
		if (write_sample(argv[1], argv[2], &ike_samples[i]) < 0)
			r = 1;
	return r;
}
