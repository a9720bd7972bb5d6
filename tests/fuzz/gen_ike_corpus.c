/* SPDX-License-Identifier: ISC */
/*
 * gen_ike_corpus.c: writes the sample messages of ike_samples.c, one file
 * each, as fuzz_ike_msg's seed corpus.  Run by hand when the samples
 * change:
 *
 *   tests/fuzz/gen_ike_corpus $(top_srcdir)/tests/fuzz/corpus/ike_msg
 */
#include <stdio.h>

#include "ike_samples.h"

static int
write_sample(const char *dir, const struct ike_sample *s)
{
	static uint8_t buf[IKE_SAMPLE_MAX_LEN];
	size_t len = s->build(buf, sizeof(buf));
	char path[4096];
	FILE *f;

	if (len == 0) {
		fprintf(stderr, "%s: does not build\n", s->name);
		return -1;
	}
	(void)snprintf(path, sizeof(path), "%s/seed-%s", dir, s->name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len) {
		perror(path);
		if (f != NULL)
			(void)fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	int r = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < ike_n_samples; i++)
		if (write_sample(argv[1], &ike_samples[i]) < 0)
			r = 1;
	return r;
}
