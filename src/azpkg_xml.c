/* SPDX-License-Identifier: ISC */
/*
 * azpkg_xml.c: Generic/VpnSettings.xml, from bytes to struct
 * azpkg_settings (azpkg.h), with expat.  The document is .NET
 * XmlSerializer output (azure-p2s-facts.md 2): a <VpnProfile> root, one
 * element per setting, arrays as <string> children, "<X />" for an empty
 * string, UTF-8 without a byte order mark, CRLF line ends.
 *
 * The parse is a small state machine over expat's callbacks: depth 1 is
 * the root, depth 2 a setting, depth 3 an item of a list setting.  Only
 * text we keep is buffered, and only up to AZPKG_XML_MAX_TEXT.  Every
 * refusal stops the parser from inside the callback; expat may still call
 * back once or twice after that (its documentation says which), so every
 * callback first checks whether we already failed.
 *
 * Entities: a document type declaration is refused the moment it starts,
 * so no entity can be declared; parameter entities are off; nothing
 * external is ever loaded (we install no external entity handler, and
 * expat never opens files itself).  The five predefined entities and
 * character references are XML itself and stay.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "azpkg_int.h"
#include "log.h"

/* Between a namespace URI and a local name in expat's element names. */
#define AZPKG_XML_NS_SEP '\n'

enum azpkg_xml_shape {
	AZPKG_XML_IGNORE = 0, /* known, not used: not reported as unknown */
	AZPKG_XML_SCALAR = 1, /* char *: the element's text */
	AZPKG_XML_LIST = 2,   /* struct azpkg_list: text split at ',' and
			       * <string> children, one item each */
};

struct azpkg_xml_field {
	const char *name; /* local name, matched ignoring ASCII case */
	enum azpkg_xml_shape shape;
	size_t off;	  /* in struct azpkg_settings */
	size_t max_items; /* LIST */
};

#define SCALAR(n, f)                                                           \
	{                                                                      \
		n, AZPKG_XML_SCALAR, offsetof(struct azpkg_settings, f), 0     \
	}
#define LIST(n, f, max)                                                        \
	{                                                                      \
		n, AZPKG_XML_LIST, offsetof(struct azpkg_settings, f), max     \
	}
#define IGNORE(n)                                                              \
	{                                                                      \
		n, AZPKG_XML_IGNORE, 0, 0                                      \
	}

static const struct azpkg_xml_field azpkg_xml_fields[] = {
	SCALAR("VpnServer", vpn_server),
	LIST("VpnType", vpn_type, AZPKG_MAX_LIST),
	SCALAR("CaCert", ca_cert),
	LIST("CaCerts", ca_certs, AZPKG_MAX_ROOTS),
	LIST("Routes", routes, AZPKG_MAX_ROUTES),
	LIST("VpnClientAddressPool", pool, AZPKG_MAX_LIST),
	LIST("CustomDnsServers", dns, AZPKG_MAX_LIST),
	SCALAR("Auth", auth),
	SCALAR("VnetName", vnet_name),
	SCALAR("VnetId", vnet_id),
	SCALAR("ServerCertRootCn", root_cn),
	LIST("ServerCertsRootCn", root_cns, AZPKG_MAX_LIST),
	SCALAR("ServerCertIssuerCn", issuer_cn),
	LIST("ServerCertsIssuerCn", issuer_cns, AZPKG_MAX_LIST),
	IGNORE("AadIssuer"),
	IGNORE("AadTenant"),
	IGNORE("AadAudience"),
};

#undef SCALAR
#undef LIST
#undef IGNORE

/* One parse; lives on azpkg_xml_parse()'s stack. */
struct azpkg_xml {
	XML_Parser parser;
	struct azpkg_settings *s; /* being filled; owned by the caller */
	struct azpkg_err *err;
	int r;				     /* the first failure, or 0 */
	size_t depth;			     /* open elements */
	size_t n_elements;		     /* elements started */
	const struct azpkg_xml_field *field; /* setting open at depth 2 */
	bool in_item; /* inside its <string> at depth 3 */
	char *text;   /* owned: text being kept */
	size_t text_len;
	size_t text_cap;
	bool seen[ARRAY_SIZE(azpkg_xml_fields)]; /* settings met so far */
};

static int P2S_PRINTF(3, 4)
    azpkg_xml_fail(struct azpkg_xml *x, int r, const char *fmt, ...)
{
	char what[AZPKG_ERR_LEN];
	va_list ap;

	if (x->r < 0)
		return x->r;
	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	x->r = azpkg_fail(x->err, r, "VpnSettings.xml line %lu: %s",
	    (unsigned long)XML_GetCurrentLineNumber(x->parser), what);
	XML_StopParser(x->parser, XML_FALSE);
	return x->r;
}

/* The local part of "uri\nlocal" (namespaced) or "local" (not). */
static const char *
azpkg_xml_local(const XML_Char *name)
{
	const char *sep = strrchr(name, AZPKG_XML_NS_SEP);

	return sep != NULL ? sep + 1 : name;
}

static const struct azpkg_xml_field *
azpkg_xml_find(const char *local, size_t *ret_i)
{
	for (size_t i = 0; i < ARRAY_SIZE(azpkg_xml_fields); i++)
		if (azpkg_name_eq(
			local, strlen(local), azpkg_xml_fields[i].name)) {
			*ret_i = i;
			return &azpkg_xml_fields[i];
		}
	return NULL;
}

/* Where a setting goes: a char * or a struct azpkg_list. */
static void *
azpkg_xml_slot(struct azpkg_settings *s, const struct azpkg_xml_field *f)
{
	return (char *)s + f->off;
}

static bool
azpkg_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim s[0..*len) of XML white space; returns the new start. */
static const char *
azpkg_xml_trim(const char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && azpkg_xml_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && azpkg_xml_space(s[n - 1]))
		n--;
	*len = n;
	return s;
}

static int
azpkg_xml_push(
    struct azpkg_xml *x, struct azpkg_list *l, const char *s, size_t len)
{
	s = azpkg_xml_trim(s, &len);
	if (len == 0)
		return 0; /* "a,,b", a trailing comma, an empty <string/> */
	if (l->n >= x->field->max_items)
		return azpkg_xml_fail(x, -E2BIG,
		    "<%s> lists more than %zu items", x->field->name,
		    x->field->max_items);
	if (azpkg_list_push(l, s, len) < 0)
		return azpkg_xml_fail(x, -ENOMEM, "out of memory");
	return 0;
}

/* Text directly in a list setting: comma-separated items. */
static int
azpkg_xml_split(struct azpkg_xml *x, struct azpkg_list *l)
{
	size_t start = 0;

	if (x->text_len == 0)
		return 0; /* and x->text may still be NULL */
	for (size_t i = 0; i <= x->text_len; i++) {
		if (i < x->text_len && x->text[i] != ',')
			continue;
		if (azpkg_xml_push(x, l, x->text + start, i - start) < 0)
			return x->r;
		start = i + 1;
	}
	x->text_len = 0;
	return 0;
}

static int
azpkg_xml_set_scalar(struct azpkg_xml *x, char **dst)
{
	size_t len = x->text_len;
	const char *s = azpkg_xml_trim(x->text != NULL ? x->text : "", &len);

	x->text_len = 0;
	if (len == 0)
		return 0; /* "<AadIssuer />": the same as absent */
	*dst = strndup(s, len);
	if (*dst == NULL)
		return azpkg_xml_fail(x, -ENOMEM, "out of memory");
	return 0;
}

static void
azpkg_xml_unknown(struct azpkg_xml *x, const char *local)
{
	struct azpkg_list *u = &x->s->unknown;
	size_t len = strnlen(local, 64);

	/* Cut at a character boundary: the name will be shown. */
	while (local[len] != '\0' && len > 0 && (local[len] & 0xc0) == 0x80)
		len--;
	log_debug("VpnSettings.xml: ignoring <%.*s>", (int)len, local);
	x->s->n_unknown++;
	if (u->n < AZPKG_MAX_LIST)
		(void)azpkg_list_push(u, local, len);
}

/* A child of the root: a setting we know, or one we ignore. */
static void
azpkg_xml_open_setting(struct azpkg_xml *x, const char *local)
{
	size_t i;
	const struct azpkg_xml_field *f = azpkg_xml_find(local, &i);

	if (f == NULL) {
		azpkg_xml_unknown(x, local);
		return;
	}
	if (x->seen[i]) {
		(void)azpkg_xml_fail(x, -EBADMSG,
		    "<%s> appears twice; Azure writes each setting once",
		    f->name);
		return;
	}
	x->seen[i] = true;
	if (f->shape != AZPKG_XML_IGNORE)
		x->field = f;
	x->text_len = 0;
}

static void
azpkg_xml_open_item(struct azpkg_xml *x, const char *local)
{
	struct azpkg_list *l;

	if (x->field->shape != AZPKG_XML_LIST ||
	    !azpkg_name_eq(local, strlen(local), "string")) {
		azpkg_xml_unknown(x, local);
		return;
	}
	/* Text before the <string> is items of its own. */
	l = azpkg_xml_slot(x->s, x->field);
	if (azpkg_xml_split(x, l) == 0)
		x->in_item = true;
}

static void XMLCALL
azpkg_xml_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct azpkg_xml *x = ud;
	const char *local = azpkg_xml_local(name);

	if (x->r < 0)
		return;
	if (++x->n_elements > AZPKG_XML_MAX_ELEMENTS) {
		(void)azpkg_xml_fail(x, -E2BIG, "too many elements");
		return;
	}
	if (++x->depth > AZPKG_XML_MAX_DEPTH) {
		(void)azpkg_xml_fail(x, -E2BIG, "elements nested too deeply");
		return;
	}
	if (x->depth == 1 && !azpkg_name_eq(local, strlen(local), "VpnProfile"))
		(void)azpkg_xml_fail(x, -EBADMSG,
		    "the root element is not <VpnProfile>: this is not Azure's VpnSettings.xml");
	else if (x->depth == 2)
		azpkg_xml_open_setting(x, local);
	else if (x->depth == 3 && x->field != NULL)
		azpkg_xml_open_item(x, local);
}

static void XMLCALL
azpkg_xml_end(void *ud, const XML_Char *name)
{
	struct azpkg_xml *x = ud;
	void *dst;

	if (x->r < 0)
		return;
	if (x->depth == 3 && x->in_item) {
		dst = azpkg_xml_slot(x->s, x->field);
		(void)azpkg_xml_push(x, dst, x->text, x->text_len);
		x->text_len = 0;
		x->in_item = false;
	} else if (x->depth == 2 && x->field != NULL) {
		dst = azpkg_xml_slot(x->s, x->field);
		if (x->field->shape == AZPKG_XML_SCALAR)
			(void)azpkg_xml_set_scalar(x, dst);
		else
			(void)azpkg_xml_split(x, dst);
		x->field = NULL;
	}
	x->depth--;
}

static bool
azpkg_xml_keeping(const struct azpkg_xml *x)
{
	return x->field != NULL &&
	    ((x->depth == 2 && !x->in_item) || (x->depth == 3 && x->in_item));
}

static void XMLCALL
azpkg_xml_text(void *ud, const XML_Char *s, int len)
{
	struct azpkg_xml *x = ud;

	if (x->r < 0 || !azpkg_xml_keeping(x) || len <= 0)
		return;
	if ((size_t)len > AZPKG_XML_MAX_TEXT - x->text_len) {
		(void)azpkg_xml_fail(x, -E2BIG,
		    "<%s> holds more than %d bytes of text", x->field->name,
		    AZPKG_XML_MAX_TEXT);
		return;
	}
	if (x->text_len + (size_t)len > x->text_cap) {
		size_t cap = x->text_cap > 0 ? x->text_cap : 256;
		char *p;

		while (cap < x->text_len + (size_t)len)
			cap *= 2;
		p = realloc(x->text, cap);
		if (p == NULL) {
			(void)azpkg_xml_fail(x, -ENOMEM, "out of memory");
			return;
		}
		x->text = p;
		x->text_cap = cap;
	}
	memcpy(x->text + x->text_len, s, (size_t)len);
	x->text_len += (size_t)len;
}

static void XMLCALL
azpkg_xml_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)azpkg_xml_fail(ud, -EBADMSG,
	    "a document type declaration (<!DOCTYPE>) is refused: Azure never writes one, and it is how entity bombs come in");
}

/* Unreachable while doctypes are refused; kept so that stays true. */
static void XMLCALL
azpkg_xml_entity(void *ud, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	(void)azpkg_xml_fail(ud, -EBADMSG, "entity declarations are refused");
}

/* UTF-16 (a byte order mark, or "<" as two bytes). */
static bool
azpkg_xml_is_utf16(const uint8_t *p, size_t len)
{
	if (len < 2)
		return false;
	return (p[0] == 0xfe && p[1] == 0xff) ||
	    (p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0 && p[1] == '<') ||
	    (p[0] == '<' && p[1] == 0);
}

static int
azpkg_xml_run(struct azpkg_xml *x, const uint8_t *p, size_t len)
{
	/* "UTF-8" overrides the declaration: .NET writes encoding="utf-16"
	 * into UTF-8 files when it serialises through a string. */
	x->parser = XML_ParserCreateNS("UTF-8", AZPKG_XML_NS_SEP);
	if (x->parser == NULL)
		return azpkg_fail(x->err, -ENOMEM, "out of memory");
	XML_SetUserData(x->parser, x);
	XML_SetElementHandler(x->parser, azpkg_xml_start, azpkg_xml_end);
	XML_SetCharacterDataHandler(x->parser, azpkg_xml_text);
	XML_SetStartDoctypeDeclHandler(x->parser, azpkg_xml_doctype);
	XML_SetEntityDeclHandler(x->parser, azpkg_xml_entity);
	(void)XML_SetParamEntityParsing(
	    x->parser, XML_PARAM_ENTITY_PARSING_NEVER);
	if (XML_Parse(x->parser, (const char *)p, (int)len, XML_TRUE) ==
		XML_STATUS_ERROR &&
	    x->r == 0)
		x->r = azpkg_fail(x->err, -EBADMSG,
		    "VpnSettings.xml line %lu column %lu: %s: the file is not well-formed XML",
		    (unsigned long)XML_GetCurrentLineNumber(x->parser),
		    (unsigned long)XML_GetCurrentColumnNumber(x->parser) + 1,
		    XML_ErrorString(XML_GetErrorCode(x->parser)));
	XML_ParserFree(x->parser);
	return x->r;
}

int
azpkg_xml_parse(const void *xml, size_t len, struct azpkg_settings **ret,
    struct azpkg_err *ret_err)
{
	const uint8_t *p = xml;
	struct azpkg_xml x = { .err = ret_err };
	int r;

	if (len > AZPKG_XML_MAX_LEN)
		return azpkg_fail(ret_err, -E2BIG,
		    "VpnSettings.xml is %zu bytes; Azure's is about 2 KB (at most %d are read)",
		    len, AZPKG_XML_MAX_LEN);
	if (azpkg_xml_is_utf16(p, len))
		return azpkg_fail(ret_err, -EOPNOTSUPP,
		    "VpnSettings.xml is UTF-16; Azure writes UTF-8: use the file from the package as downloaded, or save it as UTF-8");
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		p += 3; /* a UTF-8 byte order mark, as Notepad writes */
		len -= 3;
	}
	x.s = calloc(1, sizeof(*x.s));
	if (x.s == NULL)
		return azpkg_fail(ret_err, -ENOMEM, "out of memory");
	r = azpkg_xml_run(&x, p, len);
	free(x.text);
	if (r < 0) {
		azpkg_settings_free(x.s);
		return r;
	}
	*ret = x.s;
	return 0;
}

void
azpkg_settings_free(struct azpkg_settings *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(azpkg_xml_fields); i++) {
		const struct azpkg_xml_field *f = &azpkg_xml_fields[i];
		void *dst = azpkg_xml_slot(s, f);

		if (f->shape == AZPKG_XML_SCALAR)
			free(*(char **)dst);
		else if (f->shape == AZPKG_XML_LIST)
			azpkg_list_clear(dst);
	}
	azpkg_list_clear(&s->unknown);
	free(s);
}
