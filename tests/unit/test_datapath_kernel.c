/* SPDX-License-Identifier: ISC */
/*
 * test_datapath_kernel.c: the kernel datapath's if_id.  A restarted p2sd
 * finds a crashed one's states and policies by the if_id of the profile's
 * interface name, so the mapping must not change between versions (an
 * upgrade followed by a crash would strand the old ones): the values are
 * FNV-1a, computed independently.  The datapath itself runs against a
 * real kernel in tests/integration/kernel/test_p2sd_kernel.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <stdint.h>

#include <cmocka.h>

#include "datapath_int.h"

static void
test_if_id_stable(void **state)
{
	(void)state;
	assert_int_equal(dp_kernel_if_id("p2s-k0"), 0x02366c18);
	assert_int_equal(dp_kernel_if_id("p2s-corp"), 0xd1cda6f7);
	assert_int_equal(dp_kernel_if_id(""), 0x811c9dc5);
}

static void
test_if_id_distinct(void **state)
{
	(void)state;
	/* Names one character apart (profiles side by side). */
	assert_int_not_equal(
	    dp_kernel_if_id("p2s-a"), dp_kernel_if_id("p2s-b"));
	assert_int_not_equal(
	    dp_kernel_if_id("p2s-ab"), dp_kernel_if_id("p2s-ba"));
	assert_int_not_equal(dp_kernel_if_id("p2s-a"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_if_id_stable),
		cmocka_unit_test(test_if_id_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
