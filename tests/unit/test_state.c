/* SPDX-License-Identifier: ISC */
/*
 * test_state.c: the state file of state.h.  The parser takes exactly the
 * printer's text and nothing else (every truncation, every bad value,
 * trailing bytes, the size cap); on disk, a written group reads back for
 * the same gateway only, never for another host, address, port or
 * identity, nor when the profile stopped offering it; the file is 0600,
 * replaced by rename with no temporary left behind, in a directory made
 * 0700 when missing; a file past the cap, a directory, a foreign or a bad
 * file are refused with their own error.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "state.h"

#define GOOD                                                                   \
	"p2s-state 1\nhost vpn.example.net\naddress 198.51.100.1\nport "       \
	"500\nid vpn.example.net\ngroup 14\n"

/* ---- The format ---- */

static int
parse(const char *text, struct state_rec *rec)
{
	const char *why = NULL;
	int r = state_parse(text, strlen(text), rec, &why);

	assert_non_null(why);
	if (r < 0)
		assert_true(why[0] != '\0');
	return r;
}

static void
test_parse_good(void **unused)
{
	struct state_rec rec;
	char back[STATE_MAX_FILE_LEN + 1];

	(void)unused;
	assert_int_equal(parse(GOOD, &rec), 0);
	assert_int_equal(rec.port, 500);
	assert_int_equal(rec.group, 14);
	assert_int_equal(rec.host.len, strlen("vpn.example.net"));
	assert_memory_equal(rec.host.s, "vpn.example.net", rec.host.len);
	assert_memory_equal(rec.address.s, "198.51.100.1", rec.address.len);
	assert_memory_equal(rec.id.s, "vpn.example.net", rec.id.len);
	assert_int_equal(
	    state_print(&rec, back, sizeof(back)), (int)strlen(GOOD));
	assert_string_equal(back, GOOD);
}

/* Every strict prefix of a good file is a truncated one. */
static void
test_parse_truncated(void **unused)
{
	struct state_rec rec;
	const char *why;

	(void)unused;
	assert_int_equal(state_parse(NULL, 0, &rec, &why), -EBADMSG);
	for (size_t n = 0; n < strlen(GOOD); n++)
		assert_int_equal(state_parse(GOOD, n, &rec, &why), -EBADMSG);
}

static void
test_parse_bad(void **unused)
{
	static const char *const bad[] = {
		"p2s-state 2\nhost h\naddress none\nport 500\nid i\ngroup 14\n",
		"p2s-state 1 \nhost h\naddress none\nport 500\nid i\ngroup 14\n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid i\ngroup 014\n",
		"p2s-state 1\nhost h\naddress none\nport 0\nid i\ngroup 14\n",
		"p2s-state 1\nhost h\naddress none\nport 65536\nid i\ngroup 14\n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid i\ngroup -1\n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid i\ngroup 1x\n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid i\ngroup \n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid \ngroup 14\n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid\ngroup 14\n",
		"p2s-state 1\nhost h\r\naddress none\nport 500\nid i\ngroup 14\n",
		"p2s-state 1\nhost h\x7f\naddress none\nport 500\nid i\ngroup "
		"14\n",
		"p2s-state 1\naddress none\nhost h\nport 500\nid i\ngroup 14\n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid i\ngroup 14\n\n",
		"p2s-state 1\nhost h\naddress none\nport 500\nid i\ngroup 14\n"
		"group 19\n",
		"p2s-state 1\nhosts h\naddress none\nport 500\nid i\ngroup 14\n",
		"",
	};
	struct state_rec rec;

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &rec) != -EBADMSG)
			fail_msg("accepted bad[%zu]", i);
}

/* A NUL inside a value is a control character like any other. */
static void
test_parse_nul(void **unused)
{
	static const char text[] =
	    "p2s-state 1\nhost h\0x\naddress none\nport 500\nid i\ngroup 14\n";
	struct state_rec rec;
	const char *why;

	(void)unused;
	assert_int_equal(
	    state_parse(text, sizeof(text) - 1, &rec, &why), -EBADMSG);
}

/* Values of STATE_MAX_FIELD_LEN bytes are fine; one more is not. */
static void
test_parse_field_cap(void **unused)
{
	char id[STATE_MAX_FIELD_LEN + 2], text[STATE_MAX_FILE_LEN + 64];
	struct state_rec rec;

	(void)unused;
	memset(id, 'a', sizeof(id) - 1);
	id[STATE_MAX_FIELD_LEN] = '\0';
	(void)snprintf(text, sizeof(text),
	    "p2s-state 1\nhost %s\naddress none\nport 1\nid %s\ngroup 65535\n",
	    id, id);
	assert_int_equal(parse(text, &rec), 0);
	assert_int_equal(rec.id.len, STATE_MAX_FIELD_LEN);
	assert_int_equal(rec.group, 65535);
	id[STATE_MAX_FIELD_LEN] = 'a';
	id[STATE_MAX_FIELD_LEN + 1] = '\0';
	(void)snprintf(text, sizeof(text),
	    "p2s-state 1\nhost h\naddress none\nport 1\nid %s\ngroup 1\n", id);
	assert_int_equal(parse(text, &rec), -EBADMSG);
}

static void
test_print_refuses(void **unused)
{
	struct state_rec rec;
	char buf[STATE_MAX_FILE_LEN + 1];

	(void)unused;
	assert_int_equal(parse(GOOD, &rec), 0);
	assert_int_equal(state_print(&rec, buf, strlen(GOOD)), -ENOSPC);
	rec.id = (struct state_str){ "a\nb", 3 };
	assert_int_equal(state_print(&rec, buf, sizeof(buf)), -EINVAL);
	rec.id = (struct state_str){ "", 0 };
	assert_int_equal(state_print(&rec, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(parse(GOOD, &rec), 0);
	rec.group = 0;
	assert_int_equal(state_print(&rec, buf, sizeof(buf)), -EINVAL);
}

/* ---- On disk ---- */

struct fixture {
	char dir[64]; /* $P2S_STATE_DIR: a directory made for the test */
	char path[PATH_MAX];
};

static struct fixture fx;

/* A profile named NAME for host:port, gateway.address addr (NULL: DNS). */
static struct conf *
profile(const char *name, const char *host, unsigned port, const char *addr,
    const char *id)
{
	char file[128], text[1024];
	struct conf_err err;
	struct conf *c = NULL;

	(void)snprintf(file, sizeof(file), "/nonexistent/%s.yaml", name);
	(void)snprintf(text, sizeof(text),
	    "gateway:\n  host: %s\n  port: %u\n%s%s%s  id: %s\n"
	    "  roots: [r.pem]\nclient:\n  cert: c.pem\n  key: c.key\n"
	    "proposals:\n  ike: [aes256-sha256-ecp384, aes256-sha256-modp2048]\n",
	    host, port, addr != NULL ? "  address: " : "",
	    addr != NULL ? addr : "", addr != NULL ? "\n" : "", id);
	if (conf_load_buffer(file, text, strlen(text), &c, &err) < 0)
		fail_msg("%s", err.msg);
	return c;
}

static struct conf *
lab(void)
{
	return profile(
	    "lab", "vpn.example.net", 500, "198.51.100.1", "vpn.example.net");
}

static int
setup(void **unused)
{
	(void)unused;
	(void)snprintf(fx.dir, sizeof(fx.dir), "/tmp/p2s-test-state.XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	(void)snprintf(fx.path, sizeof(fx.path), "%s/lab.state", fx.dir);
	return setenv("P2S_STATE_DIR", fx.dir, 1);
}

/* Remove the directory and what the test left in it. */
static void
rm_dir(const char *dir)
{
	struct dirent *e;
	char p[PATH_MAX];
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(void)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (rmdir(p) < 0)
			(void)unlink(p);
	}
	(void)closedir(d);
	(void)rmdir(dir);
}

static int
teardown(void **unused)
{
	(void)unused;
	rm_dir(fx.dir);
	return unsetenv("P2S_STATE_DIR");
}

static size_t
entries(const char *dir)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	(void)closedir(d);
	return n;
}

static void
put(const char *text, size_t len)
{
	int fd = open(fx.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void
test_write_read(void **unused)
{
	struct conf *c = lab();
	struct stat st, st2;
	uint16_t g = 0;

	(void)unused;
	assert_string_equal(state_dir(), fx.dir);
	assert_int_equal(state_read(c, &g), -ENOENT);
	assert_int_equal(state_group_load(c), 0);
	assert_int_equal(state_write(c, 14), 0);
	assert_int_equal(stat(fx.path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(state_read(c, &g), 0);
	assert_int_equal(g, 14);
	assert_int_equal(state_group_load(c), 14);
	/* A second write replaces the file (a new inode: renamed over). */
	assert_int_equal(state_write(c, 20), 0);
	assert_int_equal(stat(fx.path, &st2), 0);
	assert_true(st.st_ino != st2.st_ino);
	assert_int_equal(state_read(c, &g), 0);
	assert_int_equal(g, 20);
	assert_int_equal(entries(fx.dir), 1); /* no temporary left */
	conf_free(c);
}

/* What is on disk is what state_print says about the profile. */
static void
test_write_text(void **unused)
{
	static const char want[] =
	    "p2s-state 1\nhost vpn.example.net\naddress none\nport 4500\n"
	    "id gw id\ngroup 20\n";
	struct conf *c = profile("lab", "vpn.example.net", 4500, NULL, "gw id");
	char buf[sizeof(want) + 8];
	int fd;

	(void)unused;
	assert_int_equal(state_write(c, 20), 0);
	fd = open(fx.path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), (ssize_t)sizeof(want) - 1);
	assert_int_equal(close(fd), 0);
	assert_memory_equal(buf, want, sizeof(want) - 1);
	conf_free(c);
}

/* Another gateway under the same profile name inherits nothing. */
static void
test_other_gateway(void **unused)
{
	struct conf *c = lab(), *o[4];
	uint16_t g = 0;

	(void)unused;
	o[0] = profile(
	    "lab", "vpn2.example.net", 500, "198.51.100.1", "vpn.example.net");
	o[1] = profile(
	    "lab", "vpn.example.net", 500, "198.51.100.2", "vpn.example.net");
	o[2] = profile(
	    "lab", "vpn.example.net", 4500, "198.51.100.1", "vpn.example.net");
	o[3] = profile(
	    "lab", "vpn.example.net", 500, "198.51.100.1", "vpn2.example.net");
	assert_int_equal(state_write(c, 20), 0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(state_read(o[i], &g), -ESTALE);
		assert_int_equal(state_group_load(o[i]), 0);
		conf_free(o[i]);
	}
	assert_int_equal(state_read(c, &g), 0);
	assert_int_equal(g, 20);
	conf_free(c);
}

/* A group the profile does not offer (any more) is not used. */
static void
test_group_not_offered(void **unused)
{
	struct conf *c = lab();
	uint16_t g = 0;

	(void)unused;
	assert_int_equal(state_write(c, 31), 0); /* Curve25519 */
	assert_int_equal(state_read(c, &g), -ENOTSUP);
	assert_int_equal(state_group_load(c), 0);
	assert_int_equal(state_write(c, 14), 0); /* MODP-2048 */
	assert_int_equal(state_read(c, &g), 0);
	assert_int_equal(g, 14);
	conf_free(c);
}

static void
test_bad_files(void **unused)
{
	char big[STATE_MAX_FILE_LEN + 1];
	struct conf *c = lab();
	uint16_t g = 0;

	(void)unused;
	memset(big, 'x', sizeof(big));
	put(big, sizeof(big));
	assert_int_equal(state_read(c, &g), -E2BIG);
	put(big, sizeof(big) - 1);
	assert_int_equal(state_read(c, &g), -EBADMSG);
	put(GOOD, strlen(GOOD) - 1); /* truncated */
	assert_int_equal(state_read(c, &g), -EBADMSG);
	assert_int_equal(state_group_load(c), 0);
	put(GOOD, strlen(GOOD));
	assert_int_equal(state_read(c, &g), 0);
	assert_int_equal(g, 14);
	assert_int_equal(unlink(fx.path), 0);
	assert_int_equal(mkdir(fx.path, 0700), 0);
	assert_int_equal(state_read(c, &g), -EINVAL);
	assert_int_equal(state_group_load(c), 0);
	/* Writing over a directory fails, and leaves no temporary. */
	assert_true(state_write(c, 14) < 0);
	assert_int_equal(entries(fx.dir), 1);
	assert_int_equal(rmdir(fx.path), 0);
	conf_free(c);
}

/* A missing state directory is made, 0700; its parent is not. */
static void
test_dir_made(void **unused)
{
	char sub[sizeof(fx.dir) + 16], deep[sizeof(fx.dir) + 32];
	struct conf *c = lab();
	struct stat st;
	uint16_t g = 0;

	(void)unused;
	(void)snprintf(sub, sizeof(sub), "%s/sub", fx.dir);
	assert_int_equal(setenv("P2S_STATE_DIR", sub, 1), 0);
	assert_int_equal(state_write(c, 14), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(state_read(c, &g), 0);
	assert_int_equal(g, 14);
	rm_dir(sub);
	(void)snprintf(deep, sizeof(deep), "%s/a/b", fx.dir);
	assert_int_equal(setenv("P2S_STATE_DIR", deep, 1), 0);
	assert_int_equal(state_write(c, 14), -ENOENT);
	conf_free(c);
}

/* A profile name that makes no file name is neither read nor written. */
static void
test_bad_name(void **unused)
{
	struct conf *c = profile(".lab", "vpn.example.net", 500, NULL, "x");
	uint16_t g = 0;

	(void)unused;
	assert_int_equal(state_write(c, 14), -EINVAL);
	assert_int_equal(state_read(c, &g), -EINVAL);
	assert_int_equal(entries(fx.dir), 0);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_nul),
		cmocka_unit_test(test_parse_field_cap),
		cmocka_unit_test(test_print_refuses),
		cmocka_unit_test_setup_teardown(
		    test_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_write_text, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_other_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_group_not_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_made, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_name, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
