/* SPDX-License-Identifier: ISC */
/*
 * replay_main.c: runs a libFuzzer target over its corpus without libFuzzer,
 * so `make check` replays every corpus (and every crash kept as a
 * regression) on every build, sanitizers included.
 *
 *   fuzz_NAME               replay $P2S_CORPUS_DIR/NAME/ (TAP output)
 *   fuzz_NAME FILE|DIR...   replay those inputs
 *
 * A crash is the failure; the target decides nothing else.  An empty or
 * missing corpus is a failure too: a target with nothing to replay tests
 * nothing.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_MAX_INPUT (1024 * 1024) /* bytes of one corpus file */

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path, size_t *n_done)
{
	static uint8_t data[REPLAY_MAX_INPUT];
	FILE *f;
	size_t len;

	f = fopen(path, "rb");
	if (f == NULL) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	len = fread(data, 1, sizeof(data), f);
	(void)fclose(f);
	/* A fresh heap copy of exactly len bytes lets ASan see overreads. */
	uint8_t *copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, data, len);
	(void)LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	(*n_done)++;
	return 0;
}

static int
replay_path(const char *path, size_t *n_done)
{
	struct dirent **names;
	struct stat st;
	int n, r = 0;

	if (stat(path, &st) == -1) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, n_done);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char sub[4096];

		if (names[i]->d_name[0] != '.' &&
		    snprintf(sub, sizeof(sub), "%s/%s", path,
			names[i]->d_name) < (int)sizeof(sub) &&
		    replay_path(sub, n_done) < 0)
			r = -1;
		free(names[i]);
	}
	free(names);
	return r;
}

static const char *
target_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	if (strncmp(base, "fuzz_", 5) == 0)
		base += 5;
	return base;
}

int
main(int argc, char **argv)
{
	const char *name = target_name(argv[0]);
	size_t n_done = 0;
	int r = 0;

	printf("1..1\n");
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_path(argv[i], &n_done) < 0)
				r = -1;
	} else {
		const char *dir = getenv("P2S_CORPUS_DIR");
		char path[4096];

		if (dir == NULL)
			dir = "tests/fuzz/corpus";
		(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
		r = replay_path(path, &n_done);
	}
	if (r < 0 || n_done == 0) {
		printf("not ok 1 - %s: replayed %zu inputs\n", name, n_done);
		return 1;
	}
	printf("ok 1 - %s: replayed %zu inputs\n", name, n_done);
	return 0;
}
