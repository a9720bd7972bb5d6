/* SPDX-License-Identifier: ISC */
/*
 * test_datapath_kernel.c: the kernel datapath's if_id.  A restarted p2sd
 * finds a crashed one's states and policies by the if_id of the profile's
 * interface name, so the mapping must not change between versions (an
 * upgrade followed by a crash would strand the old ones): the values are
 * FNV-1a, computed independently.  What the kernel's EXPIRE events
 * mean for a CHILD_SA's states (rekey, gone, someone else's), and
 * the lifetimes given to each state.  The datapath itself runs against a
 * real kernel in tests/integration/kernel/test_p2sd_kernel.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <netinet/in.h>

#include <stdint.h>

#include <cmocka.h>

#include "datapath_int.h"
#include "xfrm.h"

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

static const struct dp_kernel_ids ids = {
	.if_id = 0x02366c18,
	.spi_in = 0xc0000001,
	.spi_out = 0xc0000002,
	.spi_in_old = 0xc0000003,
};

static struct xfrm_event
expire(bool hard, uint32_t spi, uint32_t if_id)
{
	struct xfrm_event ev = { .type = hard ? XFRM_EV_EXPIRE_HARD
					      : XFRM_EV_EXPIRE_SOFT };

	ev.sa.spi = spi;
	ev.sa.if_id = if_id;
	ev.sa.proto = IPPROTO_ESP;
	return ev;
}

static enum dp_kernel_verdict
verdict(struct xfrm_event ev)
{
	return dp_kernel_event_verdict(&ids, &ev);
}

static void
test_expire_ours(void **state)
{
	(void)state;
	/* Soft on either current state: rekey.  Hard: it is gone. */
	assert_int_equal(
	    verdict(expire(false, ids.spi_in, ids.if_id)), DP_KV_REKEY);
	assert_int_equal(
	    verdict(expire(false, ids.spi_out, ids.if_id)), DP_KV_REKEY);
	assert_int_equal(
	    verdict(expire(true, ids.spi_in, ids.if_id)), DP_KV_GONE);
	assert_int_equal(
	    verdict(expire(true, ids.spi_out, ids.if_id)), DP_KV_GONE);
	/* The inbound state kept across a rekey is replaced already. */
	assert_int_equal(
	    verdict(expire(false, ids.spi_in_old, ids.if_id)), DP_KV_IGNORE);
	assert_int_equal(
	    verdict(expire(true, ids.spi_in_old, ids.if_id)), DP_KV_OLD_GONE);
}

static void
test_expire_not_ours(void **state)
{
	struct xfrm_event ev;
	struct dp_kernel_ids none = { .if_id = ids.if_id };

	(void)state;
	/* Our SPI on another profile's if_id, or on none. */
	assert_int_equal(
	    verdict(expire(true, ids.spi_in, ids.if_id + 1)), DP_KV_IGNORE);
	assert_int_equal(verdict(expire(false, ids.spi_out, 0)), DP_KV_IGNORE);
	/* Our if_id, an SPI we do not have (a state we deleted). */
	assert_int_equal(
	    verdict(expire(true, 0xc0000009, ids.if_id)), DP_KV_IGNORE);
	/* Not ESP; a larval state (SPI 0) while we have none. */
	ev = expire(true, ids.spi_in, ids.if_id);
	ev.sa.proto = IPPROTO_AH;
	assert_int_equal(verdict(ev), DP_KV_IGNORE);
	ev = expire(true, 0, ids.if_id);
	assert_int_equal(dp_kernel_event_verdict(&none, &ev), DP_KV_IGNORE);
	ev = expire(false, 0, ids.if_id);
	assert_int_equal(dp_kernel_event_verdict(&none, &ev), DP_KV_IGNORE);
}

/* p2sd does not subscribe to ACQUIRE; one that comes anyway asks for
 * nothing, even on our if_id. */
static void
test_acquire(void **state)
{
	struct xfrm_event ev = { .type = XFRM_EV_ACQUIRE };

	(void)state;
	ev.acquire.policy.if_id = ids.if_id;
	ev.acquire.policy.dir = XFRM_SP_OUT;
	assert_int_equal(verdict(ev), DP_KV_IGNORE);
}

/* Soft before hard, and the hard packet limit below 2^32: the kernel
 * deletes the state (and says so) before the 32-bit sequence number
 * would run out and it silently refused to send.  In time, the kernel's
 * soft limit comes after the engine's rekey (lifetime.child less up to
 * 10%), the hard one two lifetimes in. */
static void
test_lifetime(void **state)
{
	static const uint32_t child[] = { 10, 12, 3600, 86400 };
	struct xfrm_sa_lifetime l;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(child); i++) {
		dp_kernel_lifetime(child[i], &l);
		assert_true(l.soft_packets > 0);
		assert_true(l.soft_packets < l.hard_packets);
		assert_true(l.hard_packets < (1ULL << 32));
		assert_true(l.soft_bytes > 0);
		assert_int_equal(l.hard_bytes, 0);
		assert_true(l.soft_seconds > child[i]);
		assert_true(l.soft_seconds <= child[i] + (child[i] + 9) / 10);
		assert_int_equal(l.hard_seconds, 2 * (uint64_t)child[i]);
	}
	dp_kernel_lifetime(12, &l);
	assert_int_equal(l.soft_seconds, 14);
	dp_kernel_lifetime(3600, &l);
	assert_int_equal(l.soft_seconds, 3960);
	dp_kernel_lifetime(0, &l);
	assert_int_equal(l.soft_seconds, 0);
	assert_int_equal(l.hard_seconds, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_if_id_stable),
		cmocka_unit_test(test_if_id_distinct),
		cmocka_unit_test(test_expire_ours),
		cmocka_unit_test(test_expire_not_ours),
		cmocka_unit_test(test_acquire),
		cmocka_unit_test(test_lifetime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
