/* SPDX-License-Identifier: ISC */
/*
 * test_wire.c: the bounded reader never overruns and never partially
 * consumes; the writer's error is sticky and patches stay in bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "wire.h"

static const uint8_t sample[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09 };

static void
test_rd_integers(void **state)
{
	struct rd r = rd_make(sample, sizeof(sample));
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;

	assert_true(rd_u8(&r, &u8));
	assert_int_equal(u8, 0x01);
	assert_true(rd_u16(&r, &u16));
	assert_int_equal(u16, 0x0203);
	assert_true(rd_u24(&r, &u24));
	assert_int_equal(u24, 0x040506);
	assert_true(rd_u32(&r, &u32) == false); /* 3 left */
	assert_int_equal(rd_left(&r), 3);
	assert_true(rd_u24(&r, &u24));
	assert_int_equal(u24, 0x070809);
	assert_int_equal(rd_left(&r), 0);
	assert_false(rd_u8(&r, &u8));
}

static void
test_rd_u64(void **state)
{
	struct rd r = rd_make(sample, 8);
	uint64_t v;

	assert_true(rd_u64(&r, &v));
	assert_true(v == 0x0102030405060708ULL);
}

/* A failed read leaves the reader exactly where it was. */
static void
test_rd_all_or_nothing(void **state)
{
	struct rd r = rd_make(sample, 3);
	uint8_t out[4] = { 0 };
	struct rd sub;
	uint32_t u32;

	assert_false(rd_u32(&r, &u32));
	assert_false(rd_copy(&r, out, 4));
	assert_false(rd_skip(&r, 4));
	assert_false(rd_sub(&r, 4, &sub));
	assert_ptr_equal(r.p, sample);
	assert_int_equal(r.len, 3);
	assert_int_equal(out[0], 0);
}

/* A sub-reader cannot see past the length it was cut to. */
static void
test_rd_sub(void **state)
{
	struct rd r = rd_make(sample, sizeof(sample));
	struct rd sub;
	uint32_t v;

	assert_true(rd_sub(&r, 3, &sub));
	assert_int_equal(rd_left(&r), 6);
	assert_false(rd_u32(&sub, &v));
	assert_true(rd_u24(&sub, &v));
	assert_int_equal(v, 0x010203);
	assert_int_equal(rd_left(&sub), 0);
	assert_true(rd_u8(&r, &(uint8_t){ 0 }));
}

static void
test_rd_huge_length(void **state)
{
	struct rd r = rd_make(sample, sizeof(sample));
	struct rd sub;

	assert_false(rd_skip(&r, SIZE_MAX));
	assert_false(rd_sub(&r, SIZE_MAX, &sub));
	assert_int_equal(rd_left(&r), sizeof(sample));
}

static void
test_rd_peek_eq(void **state)
{
	struct rd a = rd_make(sample, 2), b = rd_make(sample, 2);
	struct rd c = rd_make(sample + 1, 2), e = rd_make(NULL, 0);
	uint16_t v;
	uint8_t u;

	assert_true(rd_peek_u16(&a, &v));
	assert_int_equal(v, 0x0102);
	assert_int_equal(rd_left(&a), 2);
	assert_true(rd_peek_u8(&c, &u));
	assert_int_equal(u, 0x02);
	assert_false(rd_peek_u8(&e, &u));
	assert_true(rd_eq(&a, &b));
	assert_false(rd_eq(&a, &c));
	assert_true(rd_eq(&e, &e));
}

static void
test_wr_basic(void **state)
{
	uint8_t buf[16];
	struct wr w = wr_make(buf, sizeof(buf));
	static const uint8_t want[] = { 0xaa, 0x12, 0x34, 0x01, 0x02, 0x03,
		0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 'x', 'y' };

	wr_u8(&w, 0xaa);
	wr_u16(&w, 0x1234);
	wr_u24(&w, 0x010203);
	wr_u32(&w, 0xdeadbeef);
	wr_zero(&w, 2);
	wr_bytes(&w, "xy", 2);
	assert_true(wr_ok(&w));
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* Once a write does not fit, nothing more is written and the error stays. */
static void
test_wr_sticky_error(void **state)
{
	uint8_t buf[4] = { 0 };
	struct wr w = wr_make(buf, sizeof(buf));

	wr_u16(&w, 0x1111);
	wr_u32(&w, 0x22222222);
	assert_false(wr_ok(&w));
	assert_int_equal(w.len, 2);
	wr_u8(&w, 0x33); /* would fit, but the error is sticky */
	assert_int_equal(w.len, 2);
	assert_int_equal(buf[2], 0);
	assert_null(wr_reserve(&w, 1));
}

static void
test_wr_patch(void **state)
{
	uint8_t buf[8];
	struct wr w = wr_make(buf, sizeof(buf));
	size_t at;

	at = w.len;
	wr_u16(&w, 0);
	wr_u32(&w, 7);
	wr_patch_u16(&w, at, (uint16_t)(w.len - at));
	assert_true(wr_ok(&w));
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 6);
	wr_patch_u32(&w, 4, 1); /* bytes 4..7 were never written */
	assert_false(wr_ok(&w));
}

static void
test_wr_view_u24_range(void **state)
{
	uint8_t buf[8];
	struct wr w = wr_make(buf, sizeof(buf));
	struct rd v;

	wr_u32(&w, 0x01020304);
	v = wr_view(&w, 2);
	assert_int_equal(rd_left(&v), 2);
	assert_int_equal(v.p[0], 3);
	wr_u24(&w, 0x1000000); /* does not fit in 24 bits */
	assert_false(wr_ok(&w));
}

static void
test_buf(void **state)
{
	struct rd a = rd_make("ab", 2), b = rd_make("cde", 3);
	struct buf *x, *y;

	x = buf_cat(&a, &b, true);
	assert_non_null(x);
	assert_int_equal(x->len, 5);
	assert_memory_equal(x->p, "abcde", 5);
	assert_true(x->secret);
	y = buf_dup_rd(&b);
	assert_non_null(y);
	assert_false(y->secret);
	assert_memory_equal(y->p, "cde", 3);
	buf_free(x);
	buf_free(y);
	buf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_integers),
		cmocka_unit_test(test_rd_u64),
		cmocka_unit_test(test_rd_all_or_nothing),
		cmocka_unit_test(test_rd_sub),
		cmocka_unit_test(test_rd_huge_length),
		cmocka_unit_test(test_rd_peek_eq),
		cmocka_unit_test(test_wr_basic),
		cmocka_unit_test(test_wr_sticky_error),
		cmocka_unit_test(test_wr_patch),
		cmocka_unit_test(test_wr_view_u24_range),
		cmocka_unit_test(test_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
