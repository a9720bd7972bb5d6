/* SPDX-License-Identifier: ISC */
/*
 * ctl_print.c: a status for people, the block `p2sctl status` prints
 * without --json, in the manner of `wg show`: one "key: value" per line,
 * the IKE SA and each CHILD_SA in a block of their own, sizes in binary
 * units and times as durations.  Strings came over a socket and some (the
 * last error) quote the gateway, so control characters are escaped before
 * they reach a terminal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

#define PRINT_MAX_ROUTES 16 /* routes listed before "... N in all" */

/*
 * s with C0 and C1 controls and DEL as \xNN: a terminal would act on them.
 * C1 is U+0080..U+009F, in UTF-8 0xc2 0x80..0x9f.
 */
static void
print_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			(void)fprintf(f, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			(void)fprintf(f, "\\x%02x", *++p);
		else
			(void)fputc(*p, f);
	}
}

static void
print_field(FILE *f, const char *indent, const char *key, const char *s)
{
	(void)fprintf(f, "%s%s: ", indent, key);
	print_str(f, s);
	(void)fputc('\n', f);
}

/* "1.21 MiB", as wg does. */
static void
print_bytes(FILE *f, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB",
		"EiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		(void)fprintf(f, "%" PRIu64 " B", n);
		return;
	}
	for (v /= 1024; v >= 1024 && u + 1 < ARRAY_SIZE(units); u++)
		v /= 1024;
	(void)fprintf(f, "%.2f %s", v, units[u]);
}

/* "1 day, 2 hours, 1 second"; "0 seconds" for none. */
static void
print_duration(FILE *f, uint64_t s)
{
	static const struct {
		uint64_t s;
		const char *name;
	} units[] = { { 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
		{ 1, "second" } };
	const char *sep = "";

	if (s == 0) {
		(void)fprintf(f, "0 seconds");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		uint64_t n = s / units[i].s;

		if (n == 0)
			continue;
		s %= units[i].s;
		(void)fprintf(f, "%s%" PRIu64 " %s%s", sep, n, units[i].name,
		    n == 1 ? "" : "s");
		sep = ", ";
	}
}

/* "a, b, c" for n items of width bytes from p, the first max of them. */
static void
print_list(FILE *f, const char *key, const char *p, size_t width, size_t n,
    size_t max, size_t total)
{
	size_t shown = n < max ? n : max;

	if (total == 0)
		return;
	(void)fprintf(f, "  %s: ", key);
	for (size_t i = 0; i < shown; i++) {
		(void)fputs(i > 0 ? ", " : "", f);
		print_str(f, p + i * width);
	}
	/* Cut here for the screen, or by p2sd to fit its socket. */
	if (shown < total)
		(void)fprintf(f, "%s... (%zu in all%s)", shown > 0 ? ", " : "",
		    total,
		    n < total ? ", not all reported" : "; --json lists them");
	(void)fputc('\n', f);
}

static void
print_gateway(FILE *f, const struct ctl_gateway *gw)
{
	(void)fputs("  gateway: ", f);
	print_str(f, gw->host);
	if (gw->address[0] != '\0' && strcmp(gw->address, gw->host) != 0) {
		(void)fputs(" (", f);
		print_str(f, gw->address);
		(void)fputc(')', f);
	}
	(void)fprintf(f, " port %u\n", (unsigned)gw->port);
}

static void
print_when(FILE *f, int64_t t, int64_t now)
{
	time_t tt = (time_t)t;
	char date[64];
	struct tm tm;

	if (localtime_r(&tt, &tm) != NULL &&
	    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S %Z", &tm) > 0)
		(void)fprintf(f, "%s (", date);
	else
		(void)fprintf(f, "%" PRId64 " (", t);
	if (now >= t) {
		print_duration(f, (uint64_t)(now - t));
		(void)fputs(" ago)\n", f);
	} else {
		(void)fputs("in the future)\n", f);
	}
}

static void
print_ike(FILE *f, const struct ctl_ike *ike, int64_t now)
{
	if (!ike->present)
		return;
	(void)fprintf(f,
	    "\n  ike sa: spi_i %016" PRIx64 ", spi_r %016" PRIx64 "\n",
	    ike->spi_i, ike->spi_r);
	if (ike->proposal[0] != '\0')
		print_field(f, "    ", "proposal", ike->proposal);
	if (ike->established_at > 0) {
		(void)fputs("    established: ", f);
		print_when(f, ike->established_at, now);
	}
	if (ike->rekey_in_s >= 0) {
		(void)fputs("    rekey: in ", f);
		print_duration(f, (uint64_t)ike->rekey_in_s);
		(void)fputc('\n', f);
	}
}

/* Only what the datapath counts, and only when something was dropped. */
static void
print_drops(FILE *f, const struct ctl_drops *d)
{
	const struct {
		const char *name;
		uint64_t n;
	} v[] = {
		{ "replay", d->replay },
		{ "integrity", d->integrity },
		{ "no SA", d->no_sa },
		{ "policy", d->policy },
		{ "send", d->send },
	};
	const char *sep = "    dropped: ";

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		if (v[i].n == CTL_UNKNOWN || v[i].n == 0)
			continue;
		(void)fprintf(f, "%s%" PRIu64 " %s", sep, v[i].n, v[i].name);
		sep = ", ";
	}
	if (sep[0] == ',')
		(void)fputc('\n', f);
}

static void
print_child(FILE *f, const struct ctl_child *c)
{
	(void)fprintf(f,
	    "\n  child sa: spi_in %08" PRIx32 ", spi_out %08" PRIx32 "\n",
	    c->spi_in, c->spi_out);
	print_field(f, "    ", "proposal", c->proposal);
	(void)fputs("    transfer: ", f);
	print_bytes(f, c->bytes_in);
	(void)fprintf(f, " received (%" PRIu64 " packets), ", c->packets_in);
	print_bytes(f, c->bytes_out);
	(void)fprintf(f, " sent (%" PRIu64 " packets)\n", c->packets_out);
	print_drops(f, &c->drops);
}

void
ctl_status_print(FILE *f, const struct ctl_status *st, int64_t now)
{
	size_t total =
	    st->routes_total > st->n_routes ? st->routes_total : st->n_routes;

	print_field(f, "", "profile", st->name);
	print_field(f, "  ", "state", ctl_state_name(st->state));
	print_gateway(f, &st->gateway);
	(void)fputs("  interface: ", f);
	print_str(f, st->interface);
	(void)fprintf(f, " (%s)\n", ctl_datapath_name(st->datapath));
	if (st->virtual_ip[0] != '\0')
		print_field(f, "  ", "virtual ip", st->virtual_ip);
	print_list(f, "dns", &st->dns[0][0], CTL_ADDR_LEN, st->n_dns,
	    CTL_MAX_DNS, st->n_dns);
	if (st->dns_via != CTL_DNS_VIA_NONE)
		print_field(f, "  ", "dns via", ctl_dns_via_name(st->dns_via));
	print_list(f, "routes", (const char *)st->routes, CTL_PREFIX_LEN,
	    st->n_routes, PRINT_MAX_ROUTES, total);
	if (st->handshake.present)
		(void)fprintf(f,
		    "  handshake: %" PRIu32 " round trips, %" PRIu64 " ms\n",
		    st->handshake.round_trips, st->handshake.ms);
	if (st->last_error[0] != '\0')
		print_field(f, "  ", "last error", st->last_error);
	if (st->fail_closed)
		(void)fputs("  fail closed: no tunnel; traffic to the routes "
			    "above is dropped, not sent in clear\n",
		    f);
	print_ike(f, &st->ike, now);
	for (size_t i = 0; i < st->n_children && i < CTL_MAX_CHILDREN; i++)
		print_child(f, &st->children[i]);
}
