/* SPDX-License-Identifier: ISC */
/*
 * fuzz_azpkg_zip.c: a whole package on arbitrary bytes: our walk of the
 * central directory, libzip, inflating, VpnSettings.xml and the checks.
 * Besides not crashing, leaking or allocating past libFuzzer's malloc
 * limit: a failure leaves the out-parameter alone and says why; a package
 * that loads lists at most AZPKG_MAX_ENTRIES entries with names free of
 * control bytes, holds exactly the declared bytes of each entry it read,
 * and has its settings, a gateway with IKEv2 and at least one root.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "azpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_files_ok(const struct azpkg_files *f)
{
	if (f == NULL || f->n_entries > AZPKG_MAX_ENTRIES ||
	    f->settings == NULL || f->settings->data == NULL ||
	    f->n_server_roots > AZPKG_MAX_ROOT_FILES)
		abort();
	for (size_t i = 0; i < f->n_entries; i++) {
		const struct azpkg_entry *e = &f->entries[i];
		bool read = e->kind == AZPKG_KIND_SETTINGS ||
		    e->kind == AZPKG_KIND_SERVER_ROOT;

		for (const char *c = e->name; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		if (e->name[0] == '\0' || read != (e->data != NULL) ||
		    (read && e->data->len != e->size))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct azpkg *pkg = (struct azpkg *)&pkg;
	struct azpkg_err err = { .msg = "" };

	if (size > AZPKG_MAX_PACKAGE_LEN + 1)
		return 0;
	if (azpkg_load_buffer(data, size, &pkg, &err) < 0) {
		if (pkg != (struct azpkg *)&pkg || err.msg[0] == '\0')
			abort();
		return 0;
	}
	fuzz_files_ok(pkg->files);
	if (pkg->gateway == NULL || !(pkg->tunnels & AZPKG_TUNNEL_IKEV2) ||
	    pkg->n_roots < 1 || pkg->n_roots > AZPKG_MAX_ROOTS)
		abort();
	azpkg_free(pkg);
	return 0;
}
