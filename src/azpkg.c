/* SPDX-License-Identifier: ISC */
/*
 * azpkg.c: the package reader's entry points (read a file, run the three
 * stages, free the result) and the helpers its files share: messages,
 * string lists, and the rules for text that will be shown or written.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "azpkg_int.h"
#include "log.h"

int
azpkg_fail(struct azpkg_err *err, int r, const char *fmt, ...)
{
	char msg[AZPKG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("%s", msg);
	if (err != NULL)
		memcpy(err->msg, msg, sizeof(msg));
	return r;
}

int
azpkg_list_push(struct azpkg_list *l, const char *s, size_t len)
{
	char **v = reallocarray(l->v, l->n + 1, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	l->v = v;
	v[l->n] = strndup(s, len);
	if (v[l->n] == NULL)
		return -ENOMEM;
	l->n++;
	return 0;
}

void
azpkg_list_clear(struct azpkg_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
azpkg_note(struct azpkg *pkg, const char *fmt, ...)
{
	char msg[AZPKG_ERR_LEN];
	va_list ap;

	if (pkg->notes.n >= AZPKG_MAX_NOTES)
		return 0;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("note: %s", msg);
	return azpkg_list_push(&pkg->notes, msg, strlen(msg));
}

/*
 * Format characters that change how the text around them is shown: the
 * bidirectional controls (Unicode UAX #9: LRM, RLM, LRE..RLO, LRI..PDI),
 * zero-width ones and the BOM, and U+2028/2029, which YAML 1.1 takes as
 * line breaks.  No Azure name uses them.
 */
static bool
azpkg_invisible(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
	    cp == 0xfeff;
}

/* Length of the UTF-8 sequence at s (RFC 3629 4), 0 if invalid. */
static size_t
azpkg_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	uint32_t cp;

	if (c < 0xc2 || c > 0xf4 || len < n)
		return 0; /* a continuation byte, overlong, or past U+10FFFF */
	cp = c & (0x3f >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp >= 0x80 && cp <= 0x9f)
		return 0; /* C1 controls: CSI is U+009B */
	if (azpkg_invisible(cp))
		return 0;
	return n;
}

bool
azpkg_text_ok(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n;

		if (u[i] < 0x80) {
			if (u[i] < 0x20 || u[i] == 0x7f)
				return false;
			i++;
			continue;
		}
		n = azpkg_utf8_len(u + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

bool
azpkg_name_eq(const char *s, size_t len, const char *lit)
{
	for (size_t i = 0; i < len; i++) {
		char a = s[i], b = lit[i];

		if (b == '\0')
			return false;
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return lit[len] == '\0';
}

int
azpkg_load_buffer(
    const void *zip, size_t len, struct azpkg **ret, struct azpkg_err *ret_err)
{
	struct azpkg_files *f = NULL;
	struct azpkg_settings *s = NULL;
	struct azpkg *pkg = NULL;
	int r;

	r = azpkg_zip_read(zip, len, &f, ret_err);
	if (r == 0)
		r = azpkg_xml_parse(
		    f->settings->data->p, f->settings->data->len, &s, ret_err);
	if (r == 0)
		r = azpkg_check(s, f, &pkg, ret_err);
	azpkg_settings_free(s);
	if (r < 0) {
		azpkg_files_free(f);
		return r;
	}
	pkg->files = f;
	*ret = pkg;
	return 0;
}

/* The whole file, at most AZPKG_MAX_PACKAGE_LEN bytes, into memory. */
static int
azpkg_read_fd(int fd, const char *path, struct buf **ret, struct azpkg_err *err)
{
	struct stat st;
	struct buf *b;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return azpkg_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return azpkg_fail(err, -EINVAL,
		    "%s is not a regular file; give the .zip Azure made", path);
	if (st.st_size > AZPKG_MAX_PACKAGE_LEN)
		return azpkg_fail(err, -E2BIG,
		    "%s is %lld bytes; an Azure package is about 1 MB (at most %d are read)",
		    path, (long long)st.st_size, AZPKG_MAX_PACKAGE_LEN);
	/* One byte more than the size: a file still growing is caught. */
	b = buf_new((size_t)st.st_size + 1);
	if (b == NULL)
		return azpkg_fail(err, -ENOMEM, "out of memory");
	for (;;) {
		ssize_t n = read(fd, b->p + got, b->len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			buf_free(b);
			return azpkg_fail(err, -e, "%s: %s", path, strerror(e));
		}
		if (n == 0 || (got += (size_t)n) == b->len)
			break;
	}
	if (got == b->len) {
		buf_free(b);
		return azpkg_fail(err, -EAGAIN,
		    "%s changed while being read; try again", path);
	}
	b->len = got;
	*ret = b;
	return 0;
}

int
azpkg_load_file(const char *path, struct azpkg **ret, struct azpkg_err *ret_err)
{
	struct buf *b = NULL;
	int fd, r;

	/* O_NONBLOCK: a FIFO in place of the file must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return azpkg_fail(
		    ret_err, -errno, "%s: %s", path, strerror(errno));
	r = azpkg_read_fd(fd, path, &b, ret_err);
	(void)close(fd);
	if (r < 0 || b == NULL)
		return r < 0 ? r : -EIO;
	r = azpkg_load_buffer(b->p, b->len, ret, ret_err);
	buf_free(b);
	return r;
}

void
azpkg_free(struct azpkg *pkg)
{
	if (pkg == NULL)
		return;
	free(pkg->gateway);
	free(pkg->vnet_name);
	free(pkg->vnet_id);
	free(pkg->routes);
	free(pkg->pools);
	free(pkg->dns);
	for (size_t i = 0; pkg->roots != NULL && i < pkg->n_roots; i++) {
		buf_free(pkg->roots[i].der);
		free(pkg->roots[i].source);
	}
	free(pkg->roots);
	azpkg_list_clear(&pkg->root_cns);
	azpkg_files_free(pkg->files);
	azpkg_list_clear(&pkg->notes);
	free(pkg);
}
