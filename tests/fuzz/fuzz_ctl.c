/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ctl.c: the control socket's parsers on arbitrary bytes, as a
 * request (what any local client may send p2sd) and as a reply (what
 * p2sctl reads).  Besides not crashing or leaking:
 *   - a request that parses names a command, and building that command
 *     gives a request that parses to it again;
 *   - a reply that parses gives a status that builds and parses back to
 *     the same status; the one-line JSON it hands out parses too;
 *   - a failure leaves the out-parameters alone, and the reason it gives
 *     is one NUL-terminated line without control characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_request(const struct rd *in)
{
	enum ctl_cmd cmd = _CTL_CMD_MAX, again = _CTL_CMD_MAX;
	char buf[64];
	size_t len;
	int r;

	r = ctl_request_parse(in, &cmd);
	if (r < 0) {
		if (cmd != _CTL_CMD_MAX)
			abort();
		return;
	}
	if ((unsigned)cmd >= _CTL_CMD_MAX ||
	    ctl_request_build(cmd, buf, sizeof(buf), &len) < 0 ||
	    ctl_request_parse(&(struct rd){ (uint8_t *)buf, len }, &again) <
		0 ||
	    again != cmd)
		abort();
}

static void
fuzz_err_ok(const char *err, size_t cap)
{
	size_t len = strnlen(err, cap);

	if (len == cap)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			abort();
}

/* What parsed must build, and parse back the same. */
static void
fuzz_round_trip(const struct ctl_status *st, const char *json)
{
	struct ctl_status back;
	char *reply, err[CTL_ERROR_LEN];
	size_t len;

	if (ctl_reply_build_status(st, CTL_REPLY_MAX_LEN, &reply, &len) < 0 ||
	    ctl_reply_parse(&(struct rd){ (uint8_t *)reply, len }, &back, NULL,
		err, sizeof(err)) < 0)
		abort();
	if (!ctl_check_equal(st, &back))
		abort();
	ctl_status_done(&back);
	free(reply);
	/* The line for --json is an object that p2sctl could read again. */
	if (json[0] != '{' || strchr(json, '\n') != NULL)
		abort();
}

static void
fuzz_reply(const struct rd *in)
{
	struct ctl_status st, untouched;
	char *json = NULL, err[CTL_ERROR_LEN];
	int r;

	memset(&st, 0xa5, sizeof(st));
	untouched = st;
	memset(err, 'x', sizeof(err));
	r = ctl_reply_parse(in, &st, &json, err, sizeof(err));
	if (r < 0) {
		if (memcmp(&st, &untouched, sizeof(st)) != 0 || json != NULL)
			abort();
		fuzz_err_ok(err, sizeof(err));
		return;
	}
	fuzz_round_trip(&st, json);
	ctl_status_done(&st);
	free(json);
	/* Without a status wanted, only the envelope counts. */
	if (ctl_reply_parse(in, NULL, NULL, err, sizeof(err)) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct rd in = { data, len };

	fuzz_request(&in);
	fuzz_reply(&in);
	return 0;
}
