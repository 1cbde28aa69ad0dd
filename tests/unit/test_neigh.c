/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table's control side under churn: entries made for next hops (neigh_ref),
 * released, and collected by the timers after neighbours.gc_ms, many times the table's size
 * over. Every entry in use must show in the dump, no other, and ids must come back: a table
 * that leaked them (or the key slots of its hash) would be full after a few rounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "config.h"
#include "counters.h"
#include "neigh.h"
#include "ports.h"
#include "stage.h"

#define TABLE 64         /* tables.neighbours */
#define GC_NS 1000000000 /* neighbours.gc_ms: 1000 */

static const char yaml[] =
	"node_name: test-node\n"
	"eal: {memory_mb: 128, hugepages: \"off\"}\n"
	"ports:\n"
	"  - {name: uplink, device: net_null0, role: uplink, addresses: [198.18.0.2/24]}\n"
	"  - {name: pods, device: net_null1, role: pods, addresses: [10.244.1.1/24]}\n"
	"workers:\n"
	"  - {lcore: 1, poll: [{port: uplink}, {port: pods}]}\n"
	"tables: {neighbours: 64}\n"
	"neighbours: {gc_ms: 1000}\n";

static struct pr_config *cfg;
static struct rte_mempool *mp;

/* The i-th address of the churn: 10.244.1.0/24 and up, network order. */
static uint32_t
addr(unsigned int i)
{
	return rte_cpu_to_be_32(0x0af40100 + i);
}

/* The dump holds exactly the addresses with want[i] set, of n. */
static void
expect_dump(bool *want, unsigned int n)
{
	static struct neigh_info v[4 * TABLE];
	unsigned int got, i, k, expected = 0;

	got = neigh_dump_live(v, RTE_DIM(v), 0);
	for (i = 0; i < n; i++)
		expected += want[i];
	assert_int_equal(got, expected);
	for (k = 0; k < got; k++) {
		i = rte_be_to_cpu_32(v[k].ip) - 0x0af40100;
		assert_true(i < n && want[i]);
		want[i] = false; /* each once */
	}
}

static void
test_churn(void **state)
{
	static struct pr_stats st;
	struct neigh_table *t = neigh_create(cfg, mp, NULL, 1);
	uint32_t id[TABLE];
	bool live[2 * TABLE] = { false }, want[2 * TABLE];
	uint64_t now = 0;
	unsigned int round, half, i, base;

	(void)state;
	assert_non_null(t);
	for (round = 0; round < 40; round++) {
		/* Half the table of new entries, each named by a next hop... */
		base = (round % 2) * TABLE;
		for (i = 0; i < TABLE / 2; i++) {
			id[i] = neigh_ref(t, addr(base + i), pr_ports[1].port_id);
			assert_int_not_equal(id[i], NEIGH_NONE);
			live[base + i] = true;
		}
		memcpy(want, live, sizeof(want));
		expect_dump(want, 2 * TABLE);
		/* ...every other one released, the timers collect them after gc_ms; the rest. */
		for (half = 0; half < 2; half++) {
			for (i = half; i < TABLE / 2; i += 2) {
				neigh_unref(t, id[i]);
				live[base + i] = false;
			}
			now += GC_NS + 20000000;
			neigh_poll(t, now, &st);
			memcpy(want, live, sizeof(want));
			expect_dump(want, 2 * TABLE);
		}
	}
	neigh_free(t);
}

static int
group_setup(void **state)
{
	char *argv[] = { "test_neigh", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			 "--no-telemetry", "--log-level=5", "--vdev", "net_null0", "--vdev",
			 "net_null1" };
	char path[] = "/tmp/test_neigh.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)state;
	if (f == NULL || fputs(yaml, f) < 0 || fclose(f) != 0)
		return -1;
	cfg = config_load(path, stderr);
	unlink(path);
	if (cfg == NULL || rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	mp = rte_pktmbuf_pool_create("test_neigh", 1024, 0, PR_MBUF_PRIV_SIZE,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL || ports_init(cfg, mp) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	ports_close();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	config_free(cfg);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
