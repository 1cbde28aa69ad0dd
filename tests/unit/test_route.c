/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route: the TTL decrement's incremental checksum update (RFC 1624) must give exactly the
 * checksum computed from scratch, for every TTL and for headers whose sums hit the corner
 * cases (0x0000 / 0xffff).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../pipeline/route.c"

static void
test_ttl_decrement_checksum(void **state)
{
	unsigned int seed = 7, ttl, round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		for (ttl = 2; ttl <= 255; ttl += round < 10 ? 1 : 37) {
			struct rte_ipv4_hdr ip = {
				.version_ihl = RTE_IPV4_VHL_DEF,
				.total_length = rte_cpu_to_be_16(20 + (rand_r(&seed) & 0x3ff)),
				.packet_id = (rte_be16_t)rand_r(&seed),
				.time_to_live = (uint8_t)ttl,
				.next_proto_id = (uint8_t)rand_r(&seed),
				.src_addr = (rte_be32_t)rand_r(&seed),
				.dst_addr = (rte_be32_t)rand_r(&seed),
			};
			struct rte_ipv4_hdr want;

			ip.hdr_checksum = rte_ipv4_cksum(&ip);
			want = ip;
			want.time_to_live--;
			want.hdr_checksum = 0;
			want.hdr_checksum = rte_ipv4_cksum(&want);
			route_ttl_dec(&ip);
			assert_int_equal(ip.time_to_live, ttl - 1);
			/* Both are valid: the header sums to all ones either way. */
			assert_int_equal(rte_raw_cksum(&ip, sizeof(ip)), 0xffff);
			if (ip.hdr_checksum != want.hdr_checksum)
				/* RFC 1624: only 0x0000 and 0xffff may differ, and both verify. */
				assert_true((ip.hdr_checksum == 0 && want.hdr_checksum == 0xffff) ||
					    (ip.hdr_checksum == 0xffff && want.hdr_checksum == 0));
		}
	}
}

/*
 * The corner cases for sure: one header, its 16-bit id through all 65536 values, so that its
 * checksum before and after the decrement takes every value, 0x0000 and 0xffff included.
 */
static void
test_ttl_decrement_every_checksum(void **state)
{
	unsigned int id, ttl, corners = 0;

	(void)state;
	for (ttl = 2; ttl <= 255; ttl += 253) {
		for (id = 0; id <= UINT16_MAX; id++) {
			struct rte_ipv4_hdr ip = {
				.version_ihl = RTE_IPV4_VHL_DEF,
				.total_length = RTE_BE16(84),
				.packet_id = rte_cpu_to_be_16((uint16_t)id),
				.time_to_live = (uint8_t)ttl,
				.next_proto_id = IPPROTO_UDP,
				.src_addr = RTE_BE32(0x0af40107),
				.dst_addr = RTE_BE32(0x0af40205),
			};

			ip.hdr_checksum = rte_ipv4_cksum(&ip);
			corners += ip.hdr_checksum == 0xffff;
			route_ttl_dec(&ip);
			assert_int_equal(rte_raw_cksum(&ip, sizeof(ip)), 0xffff);
			corners += ip.hdr_checksum == 0 || ip.hdr_checksum == 0xffff;
		}
	}
	assert_true(corners > 0); /* the sweep did reach them */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_decrement_checksum),
		cmocka_unit_test(test_ttl_decrement_every_checksum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
