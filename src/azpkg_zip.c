/* SPDX-License-Identifier: ISC */
/*
 * azpkg_zip.c: VpnClientConfiguration.zip, from bytes in memory to the
 * listing and the contents of the two kinds of entries p2s needs
 * (azpkg.h).  libzip does the archive work (PKWARE APPNOTE 6.3: local
 * headers, central directory, ZIP64, deflate, CRC-32); before it sees the
 * bytes, a walk of our own over the end record and the central directory
 * caps the entry count and sees the raw names, because libzip quietly
 * turns a NUL inside a name into a space.  The two must then agree on
 * every name, so no entry means one thing to us and another to libzip.
 *
 * Azure's packages (azure-p2s-facts.md 1.1) are made on Windows: names use
 * '\' as separator ("Generic\VpnSettings.xml"), there are no directory
 * entries, everything is deflated, nothing is encrypted.  Names are
 * matched without regard to case or separator and never used as paths.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "azpkg_int.h"
#include "log.h"
#include "wire.h"

#define ZIP_SIG_EOCD	  0x06054b50U /* end of central directory */
#define ZIP_SIG_EOCD64	  0x06064b50U /* ZIP64 end of central directory */
#define ZIP_SIG_LOCATOR64 0x07064b50U /* ZIP64 end record locator */
#define ZIP_SIG_CENTRAL	  0x02014b50U /* central directory header */
#define ZIP_EOCD_LEN	  22	      /* APPNOTE 4.3.16, without comment */
#define ZIP_EOCD64_LEN	  56	      /* APPNOTE 4.3.14, without extension */
#define ZIP_LOCATOR64_LEN 20	      /* APPNOTE 4.3.15 */
#define ZIP_CENTRAL_LEN	  46	      /* APPNOTE 4.3.12, without name etc. */
#define ZIP_COMMENT_MAX	  65535

/* Where the central directory is, by the end record. */
struct azpkg_cd {
	uint64_t off; /* bytes from the start of the zip */
	uint64_t len; /* bytes */
	uint64_t n;   /* entries */
};

/* ------------------------------------------------------------------ */
/* Our own walk over the end records and the central directory. */

/* Zip numbers are little-endian; struct rd reads big-endian ones. */
static bool
azpkg_rd_le(struct rd *r, size_t n, uint64_t *ret)
{
	uint8_t b[8];
	uint64_t v = 0;

	if (!rd_copy(r, b, n))
		return false;
	while (n-- > 0)
		v = v << 8 | b[n];
	*ret = v;
	return true;
}

/* The end record: the last signature whose comment ends the file. */
static int
azpkg_zip_find_eocd(const uint8_t *p, size_t len, size_t *ret_pos)
{
	size_t pos, low;

	if (len < ZIP_EOCD_LEN)
		return -EBADMSG;
	pos = len - ZIP_EOCD_LEN;
	low = pos > ZIP_COMMENT_MAX ? pos - ZIP_COMMENT_MAX : 0;
	for (;; pos--) {
		struct rd r = rd_make(p + pos, len - pos);
		uint64_t sig, comment;

		if (azpkg_rd_le(&r, 4, &sig) && sig == ZIP_SIG_EOCD &&
		    rd_skip(&r, 16) && azpkg_rd_le(&r, 2, &comment) &&
		    comment == rd_left(&r)) {
			*ret_pos = pos;
			return 0;
		}
		if (pos == low)
			return -EBADMSG;
	}
}

/*
 * ZIP64 (APPNOTE 4.3.14-15): the locator sits just before the end record
 * and points at the ZIP64 end record, which holds the real numbers.
 */
static int
azpkg_zip_eocd64(const uint8_t *p, size_t eocd, struct azpkg_cd *cd,
    uint64_t *ret_end, struct azpkg_err *err)
{
	struct rd r;
	uint64_t sig, disk, off, disks, disk_cd, n_disk;

	if (eocd < ZIP_LOCATOR64_LEN)
		goto bad;
	r = rd_make(p + eocd - ZIP_LOCATOR64_LEN, ZIP_LOCATOR64_LEN);
	if (!azpkg_rd_le(&r, 4, &sig) || sig != ZIP_SIG_LOCATOR64 ||
	    !azpkg_rd_le(&r, 4, &disk) || !azpkg_rd_le(&r, 8, &off) ||
	    !azpkg_rd_le(&r, 4, &disks))
		goto bad;
	if (disk != 0 || disks > 1)
		goto split;
	/* The ZIP64 end record must lie wholly before its locator. */
	if (off > eocd - ZIP_LOCATOR64_LEN ||
	    eocd - ZIP_LOCATOR64_LEN - off < ZIP_EOCD64_LEN)
		goto bad;
	r = rd_make(p + off, ZIP_EOCD64_LEN);
	if (!azpkg_rd_le(&r, 4, &sig) || sig != ZIP_SIG_EOCD64 ||
	    !rd_skip(&r, 12) || !azpkg_rd_le(&r, 4, &disk) ||
	    !azpkg_rd_le(&r, 4, &disk_cd) || !azpkg_rd_le(&r, 8, &n_disk) ||
	    !azpkg_rd_le(&r, 8, &cd->n) || !azpkg_rd_le(&r, 8, &cd->len) ||
	    !azpkg_rd_le(&r, 8, &cd->off))
		goto bad;
	if (disk != 0 || disk_cd != 0 || n_disk != cd->n)
		goto split;
	*ret_end = off;
	return 0;
bad:
	return azpkg_fail(err, -EBADMSG,
	    "the package's ZIP64 end record is missing or damaged: download it again");
split:
	return azpkg_fail(err, -EOPNOTSUPP,
	    "the package is a zip split over several files; Azure makes one file: download it again");
}

static int
azpkg_zip_find_cd(
    const uint8_t *p, size_t len, struct azpkg_cd *ret, struct azpkg_err *err)
{
	struct azpkg_cd cd;
	uint64_t sig, disk, disk_cd, n_disk, end;
	size_t pos;
	struct rd r;
	int rc;

	if (azpkg_zip_find_eocd(p, len, &pos) < 0)
		return azpkg_fail(err, -EBADMSG,
		    "the package is not a zip archive, or it is cut short (no end of central directory record): download it again");
	r = rd_make(p + pos, len - pos);
	if (!azpkg_rd_le(&r, 4, &sig) || !azpkg_rd_le(&r, 2, &disk) ||
	    !azpkg_rd_le(&r, 2, &disk_cd) || !azpkg_rd_le(&r, 2, &n_disk) ||
	    !azpkg_rd_le(&r, 2, &cd.n) || !azpkg_rd_le(&r, 4, &cd.len) ||
	    !azpkg_rd_le(&r, 4, &cd.off))
		return -EBADMSG; /* cannot happen: find_eocd saw 22 bytes */
	end = pos;
	if (cd.n == 0xffff || cd.len == 0xffffffff || cd.off == 0xffffffff) {
		rc = azpkg_zip_eocd64(p, pos, &cd, &end, err);
		if (rc < 0)
			return rc;
	} else if (disk != 0 || disk_cd != 0 || n_disk != cd.n) {
		return azpkg_fail(err, -EOPNOTSUPP,
		    "the package is a zip split over several files; Azure makes one file: download it again");
	}
	if (cd.n > AZPKG_MAX_ENTRIES)
		return azpkg_fail(err, -E2BIG,
		    "the package has %llu entries; an Azure package has fewer than 10 (at most %d are taken)",
		    (unsigned long long)cd.n, AZPKG_MAX_ENTRIES);
	if (cd.off > end || cd.len > end - cd.off)
		return azpkg_fail(err, -EBADMSG,
		    "the package's central directory lies outside the file: it is damaged or cut short; download it again");
	*ret = cd;
	return 0;
}

/*
 * One central directory header: keep a view of the raw name, refuse a NUL
 * in it (libzip would show it as a space) and names past the cap.
 */
static int
azpkg_zip_walk_one(
    struct rd *r, size_t i, struct rd *ret_name, struct azpkg_err *err)
{
	struct rd fixed, name;
	uint64_t sig, name_len, extra_len, comment_len;

	if (!rd_sub(r, ZIP_CENTRAL_LEN, &fixed) ||
	    !azpkg_rd_le(&fixed, 4, &sig) || sig != ZIP_SIG_CENTRAL ||
	    !rd_skip(&fixed, 24) || !azpkg_rd_le(&fixed, 2, &name_len) ||
	    !azpkg_rd_le(&fixed, 2, &extra_len) ||
	    !azpkg_rd_le(&fixed, 2, &comment_len) ||
	    !rd_sub(r, (size_t)name_len, &name) ||
	    !rd_skip(r, (size_t)(extra_len + comment_len)))
		return azpkg_fail(err, -EBADMSG,
		    "entry %zu of the package's central directory is damaged: download the package again",
		    i + 1);
	if (name_len > AZPKG_MAX_NAME_LEN)
		return azpkg_fail(err, -E2BIG,
		    "entry %zu of the package has a name of %llu bytes (at most %d)",
		    i + 1, (unsigned long long)name_len, AZPKG_MAX_NAME_LEN);
	if (memchr(name.p, '\0', name.len) != NULL)
		return azpkg_fail(err, -EBADMSG,
		    "entry %zu of the package has a NUL byte in its name; Azure never writes one",
		    i + 1);
	*ret_name = name;
	return 0;
}

static int
azpkg_zip_walk(const uint8_t *p, size_t len, struct rd **ret_names,
    size_t *ret_n, struct azpkg_err *err)
{
	struct azpkg_cd cd = { 0 };
	struct rd r, *names;
	int rc;

	rc = azpkg_zip_find_cd(p, len, &cd, err);
	if (rc < 0)
		return rc;
	names = calloc(cd.n > 0 ? (size_t)cd.n : 1, sizeof(*names));
	if (names == NULL)
		return azpkg_fail(err, -ENOMEM, "out of memory");
	r = rd_make(p + cd.off, (size_t)cd.len);
	for (size_t i = 0; i < cd.n; i++) {
		rc = azpkg_zip_walk_one(&r, i, &names[i], err);
		if (rc < 0) {
			free(names);
			return rc;
		}
	}
	*ret_names = names;
	*ret_n = (size_t)cd.n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Names. */

static bool
azpkg_zip_is_sep(char c)
{
	return c == '/' || c == '\\';
}

/*
 * Nothing is ever extracted, but a name that would escape a directory if
 * someone did, or that no Windows tool could have written, marks a package
 * Azure did not make.
 */
static int
azpkg_zip_check_name(
    const char *name, size_t len, size_t i, struct azpkg_err *err)
{
	size_t start = 0;

	if (len == 0)
		return azpkg_fail(err, -EBADMSG,
		    "entry %zu of the package has an empty name", i + 1);
	if (!azpkg_text_ok(name, len))
		return azpkg_fail(err, -EBADMSG,
		    "entry %zu of the package has a name with control or formatting characters, or bytes that are not UTF-8",
		    i + 1);
	if (azpkg_zip_is_sep(name[0]) || memchr(name, ':', len) != NULL)
		return azpkg_fail(err, -EBADMSG,
		    "the package has an entry with an absolute name (" AZPKG_ECHO
		    "); Azure's names are relative, like Generic\\VpnSettings.xml",
		    name);
	for (size_t j = 0; j <= len; j++) {
		size_t n = j - start;

		if (j < len && !azpkg_zip_is_sep(name[j]))
			continue;
		/* An empty last component is a directory's separator. */
		if ((n == 0 && j < len) || (n == 1 && name[start] == '.') ||
		    (n == 2 && name[start] == '.' && name[start + 1] == '.'))
			return azpkg_fail(err, -EBADMSG,
			    "the package has an entry whose name has an empty, '.' or '..' part (" AZPKG_ECHO
			    "); Azure never writes one",
			    name);
		start = j + 1;
	}
	return 0;
}

/* The parts of a relative name: at most 3 are of interest. */
struct azpkg_parts {
	const char *s[3];
	size_t len[3];
	size_t n; /* parts in the name, even past 3 */
	bool dir; /* ends with a separator */
};

static void
azpkg_zip_split(const char *name, size_t len, struct azpkg_parts *ret)
{
	struct azpkg_parts pp = { .n = 0 };
	size_t start = 0;

	for (size_t j = 0; j <= len; j++) {
		if (j < len && !azpkg_zip_is_sep(name[j]))
			continue;
		if (j > start) {
			if (pp.n < ARRAY_SIZE(pp.s)) {
				pp.s[pp.n] = name + start;
				pp.len[pp.n] = j - start;
			}
			pp.n++;
		}
		start = j + 1;
	}
	pp.dir = len > 0 && azpkg_zip_is_sep(name[len - 1]);
	*ret = pp;
}

/* "VpnServerRoot.cer_N", N of 1 to 3 digits: order N + 1. */
static bool
azpkg_zip_root_order(const char *s, size_t len, uint32_t *ret)
{
	static const char base[] = "VpnServerRoot.cer";
	const size_t blen = sizeof(base) - 1;
	uint32_t v = 0;

	if (len < blen || !azpkg_name_eq(s, blen, base))
		return false;
	if (len == blen) {
		*ret = 0;
		return true;
	}
	if (s[blen] != '_' || len - blen - 1 < 1 || len - blen - 1 > 3)
		return false;
	for (size_t i = blen + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	*ret = v + 1;
	return true;
}

static enum azpkg_kind
azpkg_zip_classify_generic(const struct azpkg_parts *pp, uint32_t *ret_order)
{
	if (azpkg_name_eq(pp->s[1], pp->len[1], "VpnSettings.xml"))
		return AZPKG_KIND_SETTINGS;
	if (azpkg_zip_root_order(pp->s[1], pp->len[1], ret_order))
		return AZPKG_KIND_SERVER_ROOT;
	if (azpkg_name_eq(pp->s[1], pp->len[1], "RadiusServerRoot.cer"))
		return AZPKG_KIND_RADIUS_ROOT;
	return AZPKG_KIND_OTHER;
}

static enum azpkg_kind
azpkg_zip_classify(const char *name, uint32_t *ret_order)
{
	struct azpkg_parts pp;
	const char *d;
	size_t dlen;

	azpkg_zip_split(name, strlen(name), &pp);
	if (pp.dir)
		return AZPKG_KIND_DIRECTORY;
	if (pp.n != 2)
		return AZPKG_KIND_OTHER;
	d = pp.s[0];
	dlen = pp.len[0];
	if (azpkg_name_eq(d, dlen, "Generic") ||
	    azpkg_name_eq(d, dlen, "GenericDevice"))
		return azpkg_zip_classify_generic(&pp, ret_order);
	if (azpkg_name_eq(d, dlen, "WindowsAmd64") ||
	    azpkg_name_eq(d, dlen, "WindowsX86") ||
	    azpkg_name_eq(d, dlen, "WindowsPowershell"))
		return AZPKG_KIND_WINDOWS;
	if (azpkg_name_eq(d, dlen, "OpenVPN"))
		return AZPKG_KIND_OPENVPN;
	if (azpkg_name_eq(d, dlen, "AzureVPN"))
		return AZPKG_KIND_AZUREVPN;
	return AZPKG_KIND_OTHER;
}

/* Same file once case and separators are folded. */
static bool
azpkg_zip_same_name(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a == '\\' ? '/' : *a, cb = *b == '\\' ? '/' : *b;

		if (ca >= 'A' && ca <= 'Z')
			ca = (char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (char)(cb - 'A' + 'a');
		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}

/*
 * Two roots with the same N ("cer_1" and "cer_01", or under Generic and
 * GenericDevice) or two settings files would make the choice ours; refuse
 * and let the user look.
 */
static bool
azpkg_zip_same_role(const struct azpkg_entry *a, const struct azpkg_entry *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind == AZPKG_KIND_SETTINGS ||
	    (a->kind == AZPKG_KIND_SERVER_ROOT && a->order == b->order);
}

static int
azpkg_zip_check_unique(const struct azpkg_files *f, struct azpkg_err *err)
{
	for (size_t i = 0; i < f->n_entries; i++) {
		const struct azpkg_entry *a = &f->entries[i];

		for (size_t j = 0; j < i; j++) {
			const struct azpkg_entry *b = &f->entries[j];

			if (azpkg_zip_same_name(a->name, b->name) ||
			    azpkg_zip_same_role(a, b))
				return azpkg_fail(err, -EBADMSG,
				    "the package holds the same file twice (" AZPKG_ECHO
				    " and " AZPKG_ECHO
				    "); Azure's packages never do: download it again",
				    b->name, a->name);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* libzip. */

static int
azpkg_zip_errno(int ze)
{
	switch (ze) {
	case ZIP_ER_MEMORY:
		return -ENOMEM;
	case ZIP_ER_ENCRNOTSUPP:
	case ZIP_ER_COMPNOTSUPP:
	case ZIP_ER_MULTIDISK:
		return -EOPNOTSUPP;
	default:
		return -EBADMSG;
	}
}

static int
azpkg_zip_open(const void *p, size_t len, zip_t **ret, struct azpkg_err *err)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za = NULL;
	int r = 0;

	zip_error_init(&ze);
	src = zip_source_buffer_create(p, len, 0, &ze);
	if (src != NULL)
		za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (za == NULL) {
		zip_source_free(src);
		r = azpkg_fail(err, azpkg_zip_errno(zip_error_code_zip(&ze)),
		    "the package is not a readable zip archive (%s): download it again",
		    zip_error_strerror(&ze));
	}
	zip_error_fini(&ze);
	if (r == 0)
		*ret = za;
	return r;
}

/* Symbolic links and devices: only regular files belong in a package. */
static int
azpkg_zip_check_mode(
    zip_t *za, size_t i, const char *name, bool dir, struct azpkg_err *err)
{
	zip_uint8_t opsys;
	zip_uint32_t attr, type;

	if (zip_file_get_external_attributes(za, i, 0, &opsys, &attr) < 0)
		return azpkg_fail(err, -EBADMSG,
		    "cannot read the attributes of " AZPKG_ECHO, name);
	if (opsys != ZIP_OPSYS_UNIX)
		return 0; /* MS-DOS attributes have no links */
	type = (attr >> 16) & S_IFMT;
	if (type == S_IFLNK)
		return azpkg_fail(err, -EBADMSG,
		    "the package entry " AZPKG_ECHO
		    " is a symbolic link; Azure's packages hold only files",
		    name);
	if (type != 0 && type != S_IFREG && !(type == S_IFDIR && dir))
		return azpkg_fail(err, -EBADMSG,
		    "the package entry " AZPKG_ECHO
		    " is not a regular file (mode %06o)",
		    name, (unsigned)(attr >> 16));
	return 0;
}

static int
azpkg_zip_check_stat(
    const zip_stat_t *st, const char *name, struct azpkg_err *err)
{
	const zip_uint64_t need = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE |
	    ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;

	if ((st->valid & need) != need)
		return azpkg_fail(err, -EBADMSG,
		    "cannot read the sizes of " AZPKG_ECHO, name);
	if (st->encryption_method != ZIP_EM_NONE)
		return azpkg_fail(err, -EOPNOTSUPP,
		    "the package entry " AZPKG_ECHO
		    " is encrypted; Azure's packages never are: download it again",
		    name);
	if (st->comp_method != ZIP_CM_DEFLATE &&
	    st->comp_method != ZIP_CM_STORE)
		return azpkg_fail(err, -EOPNOTSUPP,
		    "the package entry " AZPKG_ECHO
		    " is compressed with method %u; only deflate (Azure's) and stored are read",
		    name, (unsigned)st->comp_method);
	if (st->comp_method == ZIP_CM_STORE && st->size != st->comp_size)
		return azpkg_fail(err, -EBADMSG,
		    "the package entry " AZPKG_ECHO
		    " is stored uncompressed but its two sizes differ: the package is damaged",
		    name);
	return 0;
}

/* One entry's name, attributes and sizes; nothing is inflated yet. */
static int
azpkg_zip_stat(zip_t *za, size_t i, const struct rd *raw, struct azpkg_entry *e,
    uint64_t *ret_comp, struct azpkg_err *err)
{
	zip_stat_t st;
	size_t len;
	int r;

	zip_stat_init(&st);
	if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) < 0 ||
	    !(st.valid & ZIP_STAT_NAME))
		return azpkg_fail(err, -EBADMSG,
		    "cannot read entry %zu of the package: %s", i + 1,
		    zip_strerror(za));
	len = strlen(st.name);
	if (len != raw->len || memcmp(st.name, raw->p, len) != 0)
		return azpkg_fail(err, -EBADMSG,
		    "entry %zu of the package reads differently from its central directory: the package is damaged",
		    i + 1);
	r = azpkg_zip_check_name(st.name, len, i, err);
	if (r == 0)
		r = azpkg_zip_check_stat(&st, st.name, err);
	if (r < 0)
		return r;
	e->name = strdup(st.name);
	if (e->name == NULL)
		return azpkg_fail(err, -ENOMEM, "out of memory");
	e->size = st.size;
	e->kind = azpkg_zip_classify(e->name, &e->order);
	*ret_comp = st.comp_size;
	return azpkg_zip_check_mode(
	    za, i, e->name, e->kind == AZPKG_KIND_DIRECTORY, err);
}

/* ------------------------------------------------------------------ */
/* Inflating the entries we need. */

static bool
azpkg_zip_wanted(const struct azpkg_entry *e)
{
	return e->kind == AZPKG_KIND_SETTINGS ||
	    e->kind == AZPKG_KIND_SERVER_ROOT;
}

static bool
azpkg_zip_ratio_ok(uint64_t size, uint64_t comp)
{
	if (size <= AZPKG_RATIO_MIN_LEN)
		return true;
	return comp > 0 && size / comp < AZPKG_MAX_RATIO;
}

/* What the central directory says, before any byte is inflated. */
static int
azpkg_zip_check_sizes(
    const struct azpkg_files *f, const uint64_t *comp, struct azpkg_err *err)
{
	uint64_t total = 0, read = 0;

	for (size_t i = 0; i < f->n_entries; i++) {
		const struct azpkg_entry *e = &f->entries[i];

		total += e->size > AZPKG_MAX_TOTAL_LEN ? AZPKG_MAX_TOTAL_LEN
						       : e->size;
		if (total > AZPKG_MAX_TOTAL_LEN)
			return azpkg_fail(err, -E2BIG,
			    "the package's entries declare more than %llu bytes in all; an Azure package holds about 1 MB",
			    (unsigned long long)AZPKG_MAX_TOTAL_LEN);
		if (!azpkg_zip_wanted(e))
			continue;
		if (e->size > AZPKG_MAX_ENTRY_LEN)
			return azpkg_fail(err, -E2BIG,
			    "the package entry " AZPKG_ECHO
			    " declares %llu bytes (at most %d are read); Azure's is a few KB",
			    e->name, (unsigned long long)e->size,
			    AZPKG_MAX_ENTRY_LEN);
		if (!azpkg_zip_ratio_ok(e->size, comp[i]))
			return azpkg_fail(err, -E2BIG,
			    "the package entry " AZPKG_ECHO
			    " would inflate %llu bytes into %llu, more than %d times: a zip bomb, refused",
			    e->name, (unsigned long long)comp[i],
			    (unsigned long long)e->size, AZPKG_MAX_RATIO);
		read += e->size;
		if (read > AZPKG_MAX_READ_LEN)
			return azpkg_fail(err, -E2BIG,
			    "the package's settings and root files declare more than %d bytes together",
			    AZPKG_MAX_READ_LEN);
	}
	return 0;
}

static int
azpkg_zip_fill(zip_file_t *zf, struct azpkg_entry *e, uint64_t comp, uint8_t *p,
    size_t want, size_t *ret_got, struct azpkg_err *err)
{
	size_t got = 0;

	while (got < want) {
		zip_int64_t n = zip_fread(zf, p + got, want - got);

		if (n < 0)
			return azpkg_fail(err, -EBADMSG,
			    "the package entry " AZPKG_ECHO
			    " does not inflate (%s): the package is damaged; download it again",
			    e->name, zip_file_strerror(zf));
		if (n == 0)
			break;
		got += (size_t)n;
		/* The directory's sizes were checked; these are the bytes. */
		if (!azpkg_zip_ratio_ok(got, comp))
			return azpkg_fail(err, -E2BIG,
			    "the package entry " AZPKG_ECHO
			    " inflates %llu bytes into more than %zu: a zip bomb, refused",
			    e->name, (unsigned long long)comp, got);
	}
	*ret_got = got;
	return 0;
}

/*
 * Inflate into exactly the declared size plus one byte: if that byte
 * arrives, the directory lied, and we stop there instead of following the
 * stream.  libzip checks the CRC when the stream ends.
 */
static int
azpkg_zip_inflate(zip_t *za, size_t i, struct azpkg_entry *e, uint64_t comp,
    struct azpkg_err *err)
{
	size_t want = (size_t)e->size + 1, got = 0;
	struct buf *b = buf_new(want);
	zip_file_t *zf = NULL;
	int r;

	if (b == NULL)
		return azpkg_fail(err, -ENOMEM, "out of memory");
	zf = zip_fopen_index(za, i, 0);
	if (zf == NULL) {
		r = azpkg_fail(err,
		    azpkg_zip_errno(zip_error_code_zip(zip_get_error(za))),
		    "cannot open the package entry " AZPKG_ECHO " (%s)",
		    e->name, zip_strerror(za));
		goto out;
	}
	r = azpkg_zip_fill(zf, e, comp, b->p, want, &got, err);
	if (r == 0 && got != e->size)
		r = azpkg_fail(err, -EBADMSG,
		    "the package entry " AZPKG_ECHO
		    " inflates to %s bytes than the %llu its header declares: the package is damaged or forged",
		    e->name, got > e->size ? "more" : "fewer",
		    (unsigned long long)e->size);
out:
	if (zf != NULL)
		(void)zip_fclose(zf);
	if (r < 0) {
		buf_free(b);
		return r;
	}
	b->len = got;
	e->data = b;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The package. */

static size_t
azpkg_zip_base(const char *name)
{
	size_t base = 0;

	for (size_t j = 0; name[j] != '\0'; j++)
		if (azpkg_zip_is_sep(name[j]))
			base = j + 1;
	return base;
}

/* No settings: say why Azure leaves them out, or where they went. */
static int
azpkg_zip_no_settings(const struct azpkg_files *f, struct azpkg_err *err)
{
	for (size_t i = 0; i < f->n_entries; i++) {
		const char *name = f->entries[i].name;
		const char *base = name + azpkg_zip_base(name);

		if (azpkg_name_eq(base, strlen(base), "VpnSettings.xml"))
			return azpkg_fail(err, -EBADMSG,
			    "the package has " AZPKG_ECHO
			    " but not Generic\\VpnSettings.xml: it was unpacked and zipped again; use the zip Azure made",
			    name);
	}
	return azpkg_fail(err, -EPROTO,
	    "the package has no Generic\\VpnSettings.xml, which Azure writes only when the gateway's tunnel type includes IKEv2; in the Azure portal set Point-to-site configuration > Tunnel type to IKEv2 (or IKEv2 and OpenVPN) and download the VPN client again; the Basic SKU cannot do IKEv2");
}

static int
azpkg_zip_list(zip_t *za, const struct rd *names, struct azpkg_files *f,
    uint64_t *comp, struct azpkg_err *err)
{
	int r;

	if ((uint64_t)zip_get_num_entries(za, 0) != f->n_entries)
		return azpkg_fail(err, -EBADMSG,
		    "the package's entry count is inconsistent: the package is damaged; download it again");
	for (size_t i = 0; i < f->n_entries; i++) {
		struct azpkg_entry *e = &f->entries[i];

		r = azpkg_zip_stat(za, i, &names[i], e, &comp[i], err);
		if (r < 0)
			return r;
		if (e->kind == AZPKG_KIND_SETTINGS)
			f->settings = e;
		if (e->kind == AZPKG_KIND_SERVER_ROOT &&
		    ++f->n_server_roots > AZPKG_MAX_ROOT_FILES)
			return azpkg_fail(err, -E2BIG,
			    "the package has more than %d VpnServerRoot.cer files",
			    AZPKG_MAX_ROOT_FILES);
	}
	r = azpkg_zip_check_unique(f, err);
	if (r == 0 && f->settings == NULL)
		r = azpkg_zip_no_settings(f, err);
	if (r == 0)
		r = azpkg_zip_check_sizes(f, comp, err);
	for (size_t i = 0; r == 0 && i < f->n_entries; i++)
		if (azpkg_zip_wanted(&f->entries[i]))
			r = azpkg_zip_inflate(
			    za, i, &f->entries[i], comp[i], err);
	return r;
}

int
azpkg_zip_read(const void *zip, size_t len, struct azpkg_files **ret,
    struct azpkg_err *ret_err)
{
	struct azpkg_files *f = NULL;
	struct rd *names = NULL;
	uint64_t *comp = NULL;
	zip_t *za = NULL;
	size_t n = 0;
	int r;

	if (len > AZPKG_MAX_PACKAGE_LEN)
		return azpkg_fail(ret_err, -E2BIG,
		    "the package is %zu bytes; an Azure package is about 1 MB (at most %d are read)",
		    len, AZPKG_MAX_PACKAGE_LEN);
	r = azpkg_zip_walk(zip, len, &names, &n, ret_err);
	if (r < 0)
		return r;
	r = azpkg_zip_open(zip, len, &za, ret_err);
	if (r < 0)
		goto out;
	f = calloc(1, sizeof(*f));
	comp = calloc(n > 0 ? n : 1, sizeof(*comp));
	if (f == NULL || comp == NULL ||
	    (f->entries = calloc(n > 0 ? n : 1, sizeof(*f->entries))) == NULL) {
		r = azpkg_fail(ret_err, -ENOMEM, "out of memory");
		goto out;
	}
	f->n_entries = n;
	r = azpkg_zip_list(za, names, f, comp, ret_err);
out:
	if (za != NULL)
		zip_discard(za);
	free(names);
	free(comp);
	if (r < 0) {
		azpkg_files_free(f);
		return r;
	}
	*ret = f;
	return 0;
}

void
azpkg_files_free(struct azpkg_files *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; f->entries != NULL && i < f->n_entries; i++) {
		free(f->entries[i].name);
		buf_free(f->entries[i].data);
	}
	free(f->entries);
	free(f);
}

const char *
azpkg_kind_name(enum azpkg_kind k)
{
	switch (k) {
	case AZPKG_KIND_DIRECTORY:
		return "folder";
	case AZPKG_KIND_SETTINGS:
		return "settings (read)";
	case AZPKG_KIND_SERVER_ROOT:
		return "gateway root (read)";
	case AZPKG_KIND_RADIUS_ROOT:
		return "RADIUS server root";
	case AZPKG_KIND_WINDOWS:
		return "Windows client";
	case AZPKG_KIND_OPENVPN:
		return "OpenVPN profile";
	case AZPKG_KIND_AZUREVPN:
		return "Azure VPN Client profile";
	case AZPKG_KIND_OTHER:
		break;
	}
	return "other";
}
