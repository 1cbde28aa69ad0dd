/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-path route table: lookups after a sync, syncs that apply only the difference,
 * next-hop sharing and reuse, a full LPM, and the RCU contract: nothing a worker may still
 * read (tbl8 group, next-hop id) is reused before its grace period, checked with a reader
 * thread that holds off its quiescent report, and with one that looks up between every two
 * changes while routes churn.
 * Needs EAL (rte_lpm lives in DPDK memory): --no-huge, 128 MB, one table at a time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_malloc.h>

#include "cluster.h"
#include "route_table.h"

#define READER_BURST 32 /* addresses a reader looks up at a time */

#define MAX_WANT 64
#define MANIFEST "manifests/cluster.yaml"

static struct rte_rcu_qsbr *qsbr; /* one reader: the test's reader thread */

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- a reader thread */

/*
 * Stands for a worker: online on `qsbr`, reporting its quiescent state only once the clock
 * passes `report_from` (UINT64_MAX: holds whatever it read, as a worker in a long burst);
 * with `rt`, it looks `dst` up in bursts and counts any answer that is not REMOTE via one of
 * `via`.
 */
struct reader {
	pthread_t th;
	uint64_t report_from;
	int online, stop;
	const struct route_lpm *rt;
	uint32_t dst, via[2];
	uint64_t lookups, bad;
	uint64_t seen[2]; /* answers via via[0], via via[1] */
};

struct fx {
	struct route_lpm *rt;
	struct route_table want;
	struct route v[MAX_WANT];
	struct reader r;
	bool reading; /* r runs */
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	uint32_t dst[READER_BURST], nh[READER_BURST];
	unsigned int i;

	for (i = 0; i < READER_BURST; i++)
		dst[i] = r->dst;
	rte_rcu_qsbr_thread_register(qsbr, 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	__atomic_store_n(&r->online, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (r->rt != NULL) {
			route_lookup_bulk(r->rt, dst, nh, READER_BURST);
			for (i = 0; i < READER_BURST; i++) {
				const struct route_nh *n =
					nh[i] == ROUTE_NH_NONE ? NULL : route_nh(r->rt, nh[i]);

				r->bad += n == NULL || n->kind != ROUTE_NH_REMOTE_NODE ||
					  (n->via != r->via[0] && n->via != r->via[1]);
				if (n != NULL)
					r->seen[n->via == r->via[1]]++;
			}
			__atomic_store_n(&r->lookups, r->lookups + READER_BURST,
					 __ATOMIC_RELAXED);
		}
		if (now_ns() >= __atomic_load_n(&r->report_from, __ATOMIC_ACQUIRE))
			rte_rcu_qsbr_quiescent(qsbr, 0);
	}
	rte_rcu_qsbr_thread_offline(qsbr, 0);
	rte_rcu_qsbr_thread_unregister(qsbr, 0);
	return NULL;
}

/*
 * The reader runs on the other CPUs than this thread's (EAL pinned it to one), so that it
 * reads while the table changes, not only when the scheduler takes turns; on one CPU, on it.
 */
static void
reader_start(struct fx *fx, uint64_t report_from)
{
	struct reader *r = &fx->r;
	long i, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_attr_t attr;
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	for (i = 0; i < ncpu && i < CPU_SETSIZE; i++)
		if (ncpu == 1 || i != sched_getcpu())
			CPU_SET(i, &cpus);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus), 0);
	r->report_from = report_from;
	assert_int_equal(pthread_create(&r->th, &attr, reader_main, r), 0);
	pthread_attr_destroy(&attr);
	fx->reading = true;
	while (!__atomic_load_n(&r->online, __ATOMIC_ACQUIRE))
		;
}

static void
reader_report_from(struct reader *r, uint64_t t)
{
	__atomic_store_n(&r->report_from, t, __ATOMIC_RELEASE);
}

/* Also from teardown, so that a failed test does not leave the table's free waiting. */
static void
reader_stop(struct fx *fx)
{
	if (!fx->reading)
		return;
	__atomic_store_n(&fx->r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(fx->r.th, NULL);
	fx->reading = false;
}

/* ---------------------------------------------------------------- building `want` */

static void
want_clear(struct fx *fx)
{
	fx->want = (struct route_table){ .refcnt = 1, .nb = 0, .v = fx->v };
}

static void
want_add(struct fx *fx, const char *prefix, uint8_t plen, uint8_t kind, const char *via)
{
	assert_true(fx->want.nb < MAX_WANT);
	fx->v[fx->want.nb++] = (struct route){ .prefix = ip(prefix), .plen = plen, .kind = kind,
					       .via = via != NULL ? ip(via) : 0 };
}

static struct route *
want_find(struct fx *fx, const char *prefix, uint8_t plen)
{
	unsigned int i;

	for (i = 0; i < fx->want.nb; i++)
		if (fx->v[i].prefix == ip(prefix) && fx->v[i].plen == plen)
			return &fx->v[i];
	fail_msg("%s/%u not in want", prefix, plen);
	return NULL;
}

/* Order does not matter: sync_want() sorts. */
static void
want_del(struct fx *fx, const char *prefix, uint8_t plen)
{
	*want_find(fx, prefix, plen) = fx->v[--fx->want.nb];
}

static int
route_order(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	uint32_t xa = ntohl(x->prefix), ya = ntohl(y->prefix);

	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->plen - (int)y->plen;
}

/* Sorted as tables.c sorts, then synced; the sync's counts are returned. */
static struct route_sync_stats
sync_want(struct fx *fx, int expect_rc)
{
	struct route_sync_stats st;

	qsort(fx->v, fx->want.nb, sizeof(fx->v[0]), route_order);
	assert_int_equal(route_table_sync(fx->rt, &fx->want, &st), expect_rc);
	return st;
}

/* The standard node: a /24 with two pods, a remote /24, the node's own address, a default. */
static void
want_node(struct fx *fx)
{
	want_clear(fx);
	want_add(fx, "10.244.1.0", 24, ROUTE_NH_LOCAL_CIDR, NULL);
	want_add(fx, "10.244.1.5", 32, ROUTE_NH_LOCAL_POD, NULL);
	want_add(fx, "10.244.1.6", 32, ROUTE_NH_LOCAL_POD, NULL);
	want_add(fx, "10.244.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	want_add(fx, "192.168.0.11", 32, ROUTE_NH_HOST, NULL);
	want_add(fx, "0.0.0.0", 0, ROUTE_NH_DEFAULT, "192.168.0.1");
}

/* ---------------------------------------------------------------- lookups */

static uint32_t
lookup(const struct route_lpm *rt, const char *dst)
{
	uint32_t d = ip(dst), nh;

	route_lookup_bulk(rt, &d, &nh, 1);
	return nh;
}

static void
expect_route(const struct route_lpm *rt, const char *dst, uint8_t kind, const char *via)
{
	uint32_t id = lookup(rt, dst);

	if (id == ROUTE_NH_NONE)
		fail_msg("%s: no route", dst);
	assert_int_equal(route_nh(rt, id)->kind, kind);
	assert_int_equal(route_nh(rt, id)->via, via != NULL ? ip(via) : 0);
}

static unsigned int
nb_nh(const struct route_lpm *rt)
{
	struct route_table_stats st;

	route_table_get_stats(rt, &st);
	return st.nb_nh;
}

/* ---------------------------------------------------------------- fixtures */

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->rt = route_table_create("rt_test", 64, SOCKET_ID_ANY, NULL);
	if (fx->rt == NULL)
		return -1;
	want_clear(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	reader_stop(fx);
	route_table_free(fx->rt);
	free(fx);
	return 0;
}

/* For the tests that make their own table. */
static int
setup_bare(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	want_clear(fx);
	*state = fx;
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void
test_create_errors(void **state)
{
	struct route_lpm *rt;

	(void)state;
	errno = 0;
	assert_null(route_table_create("a_name_longer_than_20", 16, SOCKET_ID_ANY, NULL));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_null(route_table_create("rt_zero", 0, SOCKET_ID_ANY, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(route_table_create("rt_huge", ROUTE_NH_ID_MAX, SOCKET_ID_ANY, NULL));
	assert_int_equal(errno, EINVAL);
	rt = route_table_create("rt_dup", 16, SOCKET_ID_ANY, qsbr);
	assert_non_null(rt);
	assert_null(route_table_create("rt_dup", 16, SOCKET_ID_ANY, qsbr));
	assert_int_equal(errno, EEXIST);
	route_table_free(rt);
	route_table_free(NULL);
}

static void
test_longest_prefix_wins(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;

	want_node(fx);
	st = sync_want(fx, 0);
	assert_int_equal(st.added, 6);
	assert_int_equal(st.deleted + st.changed + st.unchanged + st.failed, 0);

	expect_route(fx->rt, "10.244.1.5", ROUTE_NH_LOCAL_POD, NULL);    /* /32 in the /24 */
	expect_route(fx->rt, "10.244.1.6", ROUTE_NH_LOCAL_POD, NULL);
	expect_route(fx->rt, "10.244.1.7", ROUTE_NH_LOCAL_CIDR, NULL);   /* the /24 around it */
	expect_route(fx->rt, "10.244.1.255", ROUTE_NH_LOCAL_CIDR, NULL);
	expect_route(fx->rt, "10.244.2.9", ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	expect_route(fx->rt, "192.168.0.11", ROUTE_NH_HOST, NULL);
	expect_route(fx->rt, "192.168.0.10", ROUTE_NH_DEFAULT, "192.168.0.1");
	expect_route(fx->rt, "8.8.8.8", ROUTE_NH_DEFAULT, "192.168.0.1");
	expect_route(fx->rt, "10.244.3.1", ROUTE_NH_DEFAULT, "192.168.0.1");
	/* Both pods share one next hop: (kind, via) is the key. */
	assert_int_equal(lookup(fx->rt, "10.244.1.5"), lookup(fx->rt, "10.244.1.6"));
	assert_int_equal(nb_nh(fx->rt), 5);
}

static void
test_no_default_is_no_route(void **state)
{
	struct fx *fx = *state;

	want_add(fx, "10.244.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	sync_want(fx, 0);
	assert_int_equal(lookup(fx->rt, "10.244.3.1"), ROUTE_NH_NONE);
	assert_int_equal(lookup(fx->rt, "0.0.0.0"), ROUTE_NH_NONE);
	assert_int_equal(lookup(fx->rt, "255.255.255.255"), ROUTE_NH_NONE);
	expect_route(fx->rt, "10.244.2.0", ROUTE_NH_REMOTE_NODE, "192.168.0.12");
}

static void
test_sync_applies_only_the_difference(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	struct route_table_stats ts;
	uint32_t pod_nh, nh;
	char a[32], via[32];
	unsigned int i;

	want_clear(fx);
	for (i = 0; i < 10; i++) {
		snprintf(a, sizeof(a), "10.244.%u.0", 10 + i);
		snprintf(via, sizeof(via), "192.168.0.%u", 10 + i);
		want_add(fx, a, 24, ROUTE_NH_REMOTE_NODE, via);
	}
	want_add(fx, "10.244.1.0", 24, ROUTE_NH_LOCAL_CIDR, NULL);
	for (i = 0; i < 5; i++) {
		snprintf(a, sizeof(a), "10.244.1.%u", 20 + i);
		want_add(fx, a, 32, ROUTE_NH_LOCAL_POD, NULL);
	}
	st = sync_want(fx, 0);
	assert_int_equal(st.added, 16);
	pod_nh = lookup(fx->rt, "10.244.1.20");

	/* The same array again: nothing to do. */
	st = sync_want(fx, 0);
	assert_int_equal(st.unchanged, 16);
	assert_int_equal(st.added + st.deleted + st.changed, 0);

	/*
	 * Node 13 gets a new InternalIP, node 17 leaves, node 20 joins, pod .22 goes, pod .40
	 * comes: 2 adds, 1 change, 2 deletes, 13 untouched.
	 */
	want_find(fx, "10.244.13.0", 24)->via = ip("192.168.1.13");
	want_del(fx, "10.244.17.0", 24);
	want_del(fx, "10.244.1.22", 32);
	want_add(fx, "10.244.20.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.30");
	want_add(fx, "10.244.1.40", 32, ROUTE_NH_LOCAL_POD, NULL);
	st = sync_want(fx, 0);
	assert_int_equal(st.added, 2);
	assert_int_equal(st.changed, 1);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(st.unchanged, 13);
	assert_int_equal(st.failed + st.dups + st.invalid, 0);


	expect_route(fx->rt, "10.244.13.1", ROUTE_NH_REMOTE_NODE, "192.168.1.13");
	expect_route(fx->rt, "10.244.20.1", ROUTE_NH_REMOTE_NODE, "192.168.0.30");
	expect_route(fx->rt, "10.244.1.40", ROUTE_NH_LOCAL_POD, NULL);
	expect_route(fx->rt, "10.244.1.22", ROUTE_NH_LOCAL_CIDR, NULL);
	assert_int_equal(lookup(fx->rt, "10.244.17.1"), ROUTE_NH_NONE);
	/* What did not change kept its next hop; the LPM holds exactly the wanted rules. */
	assert_int_equal(lookup(fx->rt, "10.244.1.20"), pod_nh);
	assert_int_equal(lookup(fx->rt, "10.244.1.40"), pod_nh);
	assert_int_equal(rte_lpm_is_rule_present(fx->rt->lpm, ntohl(ip("10.244.17.0")), 24, &nh),
			 0);
	assert_int_equal(rte_lpm_is_rule_present(fx->rt->lpm, ntohl(ip("10.244.13.0")), 24, &nh),
			 1);
	assert_int_equal(nh, lookup(fx->rt, "10.244.13.1"));
	route_table_get_stats(fx->rt, &ts);
	assert_int_equal(ts.nb_routes, 16);
	assert_int_equal(ts.adds, 18);
	assert_int_equal(ts.changes, 1);
	assert_int_equal(ts.deletes, 2);
	/* 10 remote nodes (17 gone, 20 new), the local CIDR, the pods. */
	assert_int_equal(ts.nb_nh, 12);
}

static void
test_deletes_fall_back(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;

	want_node(fx);
	sync_want(fx, 0);

	/* The pod goes: its address falls back to the /24. */
	want_del(fx, "10.244.1.5", 32);
	st = sync_want(fx, 0);
	assert_int_equal(st.deleted, 1);
	expect_route(fx->rt, "10.244.1.5", ROUTE_NH_LOCAL_CIDR, NULL);
	expect_route(fx->rt, "10.244.1.6", ROUTE_NH_LOCAL_POD, NULL);

	/* The /24 and the other pod go: to the default route. */
	want_clear(fx);
	want_add(fx, "10.244.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	want_add(fx, "192.168.0.11", 32, ROUTE_NH_HOST, NULL);
	want_add(fx, "0.0.0.0", 0, ROUTE_NH_DEFAULT, "192.168.0.1");
	st = sync_want(fx, 0);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(st.unchanged, 3);
	expect_route(fx->rt, "10.244.1.5", ROUTE_NH_DEFAULT, "192.168.0.1");
	expect_route(fx->rt, "10.244.1.6", ROUTE_NH_DEFAULT, "192.168.0.1");
	assert_int_equal(nb_nh(fx->rt), 3);

	/* The default goes: no route. */
	want_del(fx, "0.0.0.0", 0);
	st = sync_want(fx, 0);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(lookup(fx->rt, "10.244.1.5"), ROUTE_NH_NONE);
	expect_route(fx->rt, "192.168.0.11", ROUTE_NH_HOST, NULL);

	/* Everything goes. */
	want_clear(fx);
	st = sync_want(fx, 0);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(lookup(fx->rt, "192.168.0.11"), ROUTE_NH_NONE);
	assert_int_equal(lookup(fx->rt, "10.244.2.1"), ROUTE_NH_NONE);
	assert_int_equal(nb_nh(fx->rt), 0);
}

static void
test_default_route_changes_in_place(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	uint32_t before;

	want_node(fx);
	sync_want(fx, 0);
	before = lookup(fx->rt, "8.8.8.8");
	want_find(fx, "0.0.0.0", 0)->via = ip("192.168.0.254");
	st = sync_want(fx, 0);
	assert_int_equal(st.changed, 1);
	assert_int_equal(st.unchanged, 5);
	expect_route(fx->rt, "8.8.8.8", ROUTE_NH_DEFAULT, "192.168.0.254");
	assert_int_not_equal(lookup(fx->rt, "8.8.8.8"), before);
	assert_int_equal(nb_nh(fx->rt), 5);
}

static void
test_next_hops_shared_and_reused(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	uint32_t a, b, c;

	/* Two CIDRs of one node share its next hop. */
	want_add(fx, "10.244.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	want_add(fx, "10.245.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	want_add(fx, "10.244.3.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.13");
	sync_want(fx, 0);
	a = lookup(fx->rt, "10.244.2.1");
	b = lookup(fx->rt, "10.244.3.1");
	assert_int_equal(lookup(fx->rt, "10.245.2.1"), a);
	assert_int_not_equal(a, b);
	assert_int_equal(nb_nh(fx->rt), 2);

	/* One of the two goes: the next hop stays for the other. */
	want_clear(fx);
	want_add(fx, "10.245.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	want_add(fx, "10.244.3.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.13");
	sync_want(fx, 0);
	assert_int_equal(lookup(fx->rt, "10.245.2.1"), a);
	assert_int_equal(nb_nh(fx->rt), 2);

	/* A prefix leaves and another with the same next hop comes, in one sync: same id. */
	want_clear(fx);
	want_add(fx, "10.246.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	want_add(fx, "10.244.3.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.13");
	st = sync_want(fx, 0);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.deleted, 1);
	assert_int_equal(lookup(fx->rt, "10.246.2.1"), a);

	/* The last user of b goes: without readers (no qsbr) its id is free at once. */
	want_clear(fx);
	want_add(fx, "10.246.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	sync_want(fx, 0);
	assert_int_equal(nb_nh(fx->rt), 1);
	want_add(fx, "10.244.4.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.14");
	sync_want(fx, 0);
	c = lookup(fx->rt, "10.244.4.1");
	assert_int_equal(c, b);
	expect_route(fx->rt, "10.244.4.1", ROUTE_NH_REMOTE_NODE, "192.168.0.14");
}

static void
test_lpm_full(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	struct route_table_stats ts;
	char a[32];
	unsigned int i;

	fx->rt = route_table_create("rt_small", 4, SOCKET_ID_ANY, NULL);
	assert_non_null(fx->rt);
	for (i = 0; i < 4; i++) {
		snprintf(a, sizeof(a), "10.244.%u.0", i);
		want_add(fx, a, 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	}
	/* The default route does not take an LPM rule. */
	want_add(fx, "0.0.0.0", 0, ROUTE_NH_DEFAULT, "192.168.0.1");
	st = sync_want(fx, 0);
	assert_int_equal(st.added, 5);

	/* Two more do not fit; a change in the same sync still applies. */
	want_add(fx, "10.244.9.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.19");
	want_add(fx, "10.244.1.7", 32, ROUTE_NH_LOCAL_POD, NULL);
	want_find(fx, "10.244.3.0", 24)->via = ip("192.168.0.13");
	st = sync_want(fx, -ENOSPC);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.changed, 1);
	expect_route(fx->rt, "10.244.3.1", ROUTE_NH_REMOTE_NODE, "192.168.0.13");
	/* The refused prefixes keep what they had: the default, and the /24 around the pod. */
	expect_route(fx->rt, "10.244.9.1", ROUTE_NH_DEFAULT, "192.168.0.1");
	expect_route(fx->rt, "10.244.1.7", ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	route_table_get_stats(fx->rt, &ts);
	assert_int_equal(ts.nb_routes, 5);
	assert_int_equal(ts.failures, 2);
	assert_int_equal(ts.nb_nh, 3); /* no next hop left behind by the refused adds */

	/* Room made: the next sync adds what was refused. */
	want_del(fx, "10.244.0.0", 24);
	want_del(fx, "10.244.2.0", 24);
	st = sync_want(fx, 0);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(st.added, 2);
	expect_route(fx->rt, "10.244.9.1", ROUTE_NH_REMOTE_NODE, "192.168.0.19");
	expect_route(fx->rt, "10.244.1.7", ROUTE_NH_LOCAL_POD, NULL);
	expect_route(fx->rt, "10.244.1.8", ROUTE_NH_REMOTE_NODE, "192.168.0.12");
}

static void
test_bad_input(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	struct route_table_stats ts;

	want_node(fx);
	sync_want(fx, 0);

	/* Not sorted: refused whole, the table as it was. */
	want_clear(fx);
	want_add(fx, "10.244.3.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.13");
	want_add(fx, "10.244.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	assert_int_equal(route_table_sync(fx->rt, &fx->want, &st), -EINVAL);
	route_table_get_stats(fx->rt, &ts);
	assert_int_equal(ts.nb_routes, 6);
	expect_route(fx->rt, "10.244.1.5", ROUTE_NH_LOCAL_POD, NULL);

	/*
	 * Entries that cannot be routes are skipped; two entries for one prefix give one route,
	 * the same whichever comes first: the router's own address over a pod that claims it
	 * (a hostNetwork pod reports the node's address). Given in order, not sorted here.
	 */
	want_clear(fx);
	want_add(fx, "10.244.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.12");
	want_add(fx, "10.244.3.1", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.13"); /* host bits */
	want_add(fx, "10.244.4.0", 33, ROUTE_NH_REMOTE_NODE, "192.168.0.14"); /* plen */
	want_add(fx, "10.244.5.0", 24, ROUTE_NH_KIND_COUNT, NULL);           /* kind */
	want_add(fx, "192.168.0.11", 32, ROUTE_NH_LOCAL_POD, NULL);
	want_add(fx, "192.168.0.11", 32, ROUTE_NH_HOST, NULL);
	want_add(fx, "192.168.0.11", 32, ROUTE_NH_LOCAL_POD, NULL);
	assert_int_equal(route_table_sync(fx->rt, &fx->want, &st), 0);
	assert_int_equal(st.invalid, 3);
	assert_int_equal(st.dups, 2);
	assert_int_equal(st.unchanged, 2);
	assert_int_equal(st.deleted, 4);
	expect_route(fx->rt, "192.168.0.11", ROUTE_NH_HOST, NULL);
	assert_int_equal(lookup(fx->rt, "10.244.3.1"), ROUTE_NH_NONE);
	assert_int_equal(lookup(fx->rt, "10.244.5.1"), ROUTE_NH_NONE);

	/* The other orders: the same route, nothing to do. */
	fx->v[4].kind = ROUTE_NH_HOST;
	fx->v[5].kind = ROUTE_NH_LOCAL_POD;
	assert_int_equal(route_table_sync(fx->rt, &fx->want, &st), 0);
	assert_int_equal(st.unchanged, 2);
	assert_int_equal(st.changed + st.added + st.deleted, 0);
	fx->v[4].kind = ROUTE_NH_LOCAL_POD;
	fx->v[6].kind = ROUTE_NH_HOST;
	assert_int_equal(route_table_sync(fx->rt, &fx->want, &st), 0);
	assert_int_equal(st.changed + st.added + st.deleted, 0);
	expect_route(fx->rt, "192.168.0.11", ROUTE_NH_HOST, NULL);
}

static void
test_bulk_lookup(void **state)
{
	struct fx *fx = *state;
	uint32_t dst[100], nh[100];
	unsigned int i;

	want_node(fx);
	sync_want(fx, 0);
	nh[0] = 12345;
	route_lookup_bulk(fx->rt, dst, nh, 0);
	assert_int_equal(nh[0], 12345);
	/* 100: three full chunks and a partial one, each answer at its place. */
	for (i = 0; i < 100; i++)
		dst[i] = htonl(ntohl(ip("10.244.0.250")) + i); /* 10.244.0.250 .. 10.244.1.93 */
	route_lookup_bulk(fx->rt, dst, nh, 100);
	for (i = 0; i < 100; i++) {
		uint32_t d = ntohl(dst[i]) & 0xff;
		uint8_t kind = i < 6 ? ROUTE_NH_DEFAULT :
			       d == 5 || d == 6 ? ROUTE_NH_LOCAL_POD : ROUTE_NH_LOCAL_CIDR;

		assert_int_not_equal(nh[i], ROUTE_NH_NONE);
		assert_int_equal(route_nh(fx->rt, nh[i])->kind, kind);
	}
}

/* The table builder's routes (tests/manifests/cluster.yaml, as node-a) go in as they are. */
static int
collect(struct k8s_object *o, void *arg)
{
	return cluster_apply(arg, o) < 0 ? -1 : 0;
}

static void
test_sync_from_builder(void **state)
{
	struct fx *fx = *state;
	struct pr_cfg_file y = { .node_name = "node-a" };
	struct pr_config cfg = { .y = &y };
	struct cluster *c = cluster_new();
	struct tables_builder *b = tables_builder_new(&cfg);
	struct route_sync_stats st;
	struct pr_tables *t;

	assert_non_null(c);
	assert_non_null(b);
	/* meson runs the tests in tests/; by hand they may run from the top. */
	assert_int_equal(k8s_parse_file(access(MANIFEST, R_OK) == 0 ? MANIFEST : "tests/" MANIFEST,
					collect, c, stderr),
			 0);
	t = tables_build(b, c, true);
	assert_non_null(t);
	assert_int_equal(route_table_sync(fx->rt, t->routes, &st), 0);
	assert_int_equal(st.added, t->routes->nb);
	assert_int_equal(st.dups + st.invalid + st.failed, 0);
	/* A pod's next hop is the pod itself: its own neighbour entry. */
	expect_route(fx->rt, "10.244.1.10", ROUTE_NH_LOCAL_POD, "10.244.1.10");
	expect_route(fx->rt, "10.244.1.12", ROUTE_NH_LOCAL_POD, "10.244.1.12");
	expect_route(fx->rt, "10.244.1.99", ROUTE_NH_LOCAL_CIDR, NULL);
	expect_route(fx->rt, "10.244.2.11", ROUTE_NH_REMOTE_NODE, "198.18.0.12");
	assert_int_equal(lookup(fx->rt, "10.244.3.1"), ROUTE_NH_NONE);
	/* Built again from the same model: nothing to do. */
	assert_int_equal(route_table_sync(fx->rt, t->routes, &st), 0);
	assert_int_equal(st.unchanged, t->routes->nb);
	tables_discard(t);
	tables_builder_free(b);
	cluster_free(c);
}

/* ---------------------------------------------------------------- RCU */

static void
test_rcu_holds_ids_and_groups_until_quiescent(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	struct rte_lpm_tbl_entry e;
	uint32_t pod, remote, fresh;

	reader_start(fx, UINT64_MAX); /* online, and holds what it read */
	fx->rt = route_table_create("rt_rcu", 4, SOCKET_ID_ANY, qsbr);
	assert_non_null(fx->rt);
	want_add(fx, "10.0.1.7", 32, ROUTE_NH_LOCAL_POD, NULL);
	want_add(fx, "10.0.2.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.2");
	sync_want(fx, 0);
	pod = lookup(fx->rt, "10.0.1.7");
	remote = lookup(fx->rt, "10.0.2.1");
	e = fx->rt->lpm->tbl24[ntohl(ip("10.0.1.0")) >> 8];
	assert_int_equal(e.valid_group, 1); /* the /32 took a tbl8 group */

	want_clear(fx);
	st = sync_want(fx, 0);
	assert_int_equal(st.deleted, 2);
	assert_int_equal(nb_nh(fx->rt), 0);
	/* The reader may still be reading both: the group and the entries stay as they were. */
	assert_int_equal(fx->rt->lpm->tbl8[e.next_hop * RTE_LPM_TBL8_GROUP_NUM_ENTRIES].valid_group,
			 1);
	assert_int_equal(route_nh(fx->rt, pod)->kind, ROUTE_NH_LOCAL_POD);
	assert_int_equal(route_nh(fx->rt, remote)->via, ip("192.168.0.2"));

	/* A new next hop does not get their ids. */
	want_add(fx, "10.0.3.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.3");
	sync_want(fx, 0);
	fresh = lookup(fx->rt, "10.0.3.1");
	assert_true(fresh != pod && fresh != remote);
	assert_int_equal(route_nh(fx->rt, remote)->via, ip("192.168.0.2"));

	/* After the reader's quiescent state, the next sync reuses them. */
	reader_report_from(&fx->r, 0);
	rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
	want_add(fx, "10.0.4.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.4");
	sync_want(fx, 0);
	fresh = lookup(fx->rt, "10.0.4.1");
	assert_true(fresh == pod || fresh == remote);
	expect_route(fx->rt, "10.0.4.1", ROUTE_NH_REMOTE_NODE, "192.168.0.4");
	reader_stop(fx);
}

static void
test_rcu_add_waits_for_a_tbl8_group(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	uint64_t t0;

	reader_start(fx, UINT64_MAX);
	/* One route: one LPM rule, one tbl8 group. */
	fx->rt = route_table_create("rt_one", 1, SOCKET_ID_ANY, qsbr);
	assert_non_null(fx->rt);
	want_add(fx, "10.0.1.7", 32, ROUTE_NH_LOCAL_POD, NULL);
	sync_want(fx, 0);
	want_clear(fx);
	sync_want(fx, 0); /* the group waits for the reader */

	/*
	 * A /32 in another /24 needs the group: the sync waits until the reader reports (20 ms
	 * from now), and only then is the group cleared and reused.
	 */
	want_add(fx, "10.0.5.5", 32, ROUTE_NH_LOCAL_POD, NULL);
	t0 = now_ns();
	reader_report_from(&fx->r, t0 + 20 * 1000 * 1000);
	st = sync_want(fx, 0);
	assert_true(now_ns() - t0 >= 19 * 1000 * 1000);
	assert_int_equal(st.added, 1);
	expect_route(fx->rt, "10.0.5.5", ROUTE_NH_LOCAL_POD, NULL);
	assert_int_equal(lookup(fx->rt, "10.0.1.7"), ROUTE_NH_NONE);
	reader_stop(fx);
}

/*
 * Next-hop ids too: with one route (four ids), three changes in a row leave three ids waiting
 * for the reader; the fourth change needs one, and the sync waits for the grace period.
 */
static void
test_rcu_next_hop_change_waits_for_an_id(void **state)
{
	struct fx *fx = *state;
	static const char *const via[] = { "192.168.0.1", "192.168.0.2", "192.168.0.3",
					   "192.168.0.4", "192.168.0.5" };
	struct route_table_stats ts;
	struct route_sync_stats st;
	uint32_t id[RTE_DIM(via)];
	uint64_t t0 = 0;
	unsigned int i;

	reader_start(fx, UINT64_MAX);
	fx->rt = route_table_create("rt_ids", 1, SOCKET_ID_ANY, qsbr);
	assert_non_null(fx->rt);
	route_table_get_stats(fx->rt, &ts);
	assert_int_equal(ts.max_nh, 4);
	want_add(fx, "10.0.2.0", 24, ROUTE_NH_REMOTE_NODE, via[0]);
	for (i = 0; i < RTE_DIM(via); i++) {
		fx->v[0].via = ip(via[i]);
		if (i == RTE_DIM(via) - 1) {
			t0 = now_ns();
			reader_report_from(&fx->r, t0 + 20 * 1000 * 1000);
		}
		st = sync_want(fx, 0);
		assert_int_equal(st.added + st.changed, 1);
		id[i] = lookup(fx->rt, "10.0.2.1");
		expect_route(fx->rt, "10.0.2.1", ROUTE_NH_REMOTE_NODE, via[i]);
	}
	assert_true(now_ns() - t0 >= 19 * 1000 * 1000);
	/* Ids 0 to 3 once each, then one of the three that waited. */
	for (i = 0; i < 4; i++)
		assert_int_equal(id[i], i);
	assert_true(id[4] < 3);
	reader_stop(fx);
}

/*
 * rte_lpm_free() drops its defer queue only if every entry in it can be reclaimed; otherwise
 * the queue's ring (named after the table) stays, and the name cannot be used again.
 */
static void
test_free_with_pending_groups_frees_everything(void **state)
{
	struct fx *fx = *state;
	unsigned int i;

	reader_start(fx, 0);
	for (i = 0; i < 3; i++) {
		fx->rt = route_table_create("rt_again", 8, SOCKET_ID_ANY, qsbr);
		assert_non_null(fx->rt);
		want_clear(fx);
		want_add(fx, "10.0.1.7", 32, ROUTE_NH_LOCAL_POD, NULL);
		want_add(fx, "10.0.2.7", 32, ROUTE_NH_LOCAL_POD, NULL);
		sync_want(fx, 0);
		want_clear(fx);
		sync_want(fx, 0);
		route_table_free(fx->rt);
		fx->rt = NULL;
	}
	reader_stop(fx);
}

/*
 * A worker looking up an address while its route flips between two next hops, and a /32 in
 * the same /24 comes and goes (a tbl8 group made, freed, made again): every answer is one of
 * the two next hops, never a miss, never a recycled entry.
 */
static void
test_rcu_lookups_during_churn(void **state)
{
	struct fx *fx = *state;
	struct route_sync_stats st;
	uint64_t seen;
	unsigned int i;

	fx->rt = route_table_create("rt_churn", 8, SOCKET_ID_ANY, qsbr);
	assert_non_null(fx->rt);
	want_add(fx, "10.0.1.0", 24, ROUTE_NH_REMOTE_NODE, "192.168.0.2");
	sync_want(fx, 0);
	fx->r.rt = fx->rt;
	fx->r.dst = ip("10.0.1.5");
	fx->r.via[0] = ip("192.168.0.2");
	fx->r.via[1] = ip("192.168.0.3");
	reader_start(fx, 0);
	seen = __atomic_load_n(&fx->r.lookups, __ATOMIC_RELAXED);
	for (i = 0; i < 2000; i++) {
		want_clear(fx);
		want_add(fx, "10.0.1.0", 24, ROUTE_NH_REMOTE_NODE,
			 i & 1 ? "192.168.0.2" : "192.168.0.3");
		if (i % 4 < 2)
			want_add(fx, "10.0.1.200", 32, ROUTE_NH_LOCAL_POD, NULL);
		st = sync_want(fx, 0);
		assert_int_equal(st.changed, 1);
		/* A burst of lookups between every two changes: the reads overlap the churn. */
		while (__atomic_load_n(&fx->r.lookups, __ATOMIC_RELAXED) == seen)
			sched_yield(); /* (one CPU: the reader's turn) */
		seen = __atomic_load_n(&fx->r.lookups, __ATOMIC_RELAXED);
	}
	reader_stop(fx);
	assert_int_equal(fx->r.bad, 0);
	/* It read the table as it changed: both next hops, not one snapshot all along. */
	assert_true(fx->r.seen[0] > 0 && fx->r.seen[1] > 0);
}

static int
group_setup(void **state)
{
	/*
	 * --no-huge implies --legacy-mem, which 22.11's EAL refuses with --in-memory:
	 * --no-shconf is the in-memory mode without hugepages (as src/config.c does).
	 */
	char *argv[] = { "test_route_table", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			 "--no-telemetry", "--log-level=5" };

	(void)state;
	if (rte_eal_init(RTE_DIM(argv), argv) < 0)
		return -1;
	qsbr = rte_zmalloc("test_qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, 1) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rte_free(qsbr);
	rte_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test_setup_teardown(test_longest_prefix_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_default_is_no_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_applies_only_the_difference, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deletes_fall_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_route_changes_in_place, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_next_hops_shared_and_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpm_full, setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_from_builder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rcu_holds_ids_and_groups_until_quiescent,
						setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_rcu_add_waits_for_a_tbl8_group, setup_bare,
						teardown),
		cmocka_unit_test_setup_teardown(test_rcu_next_hop_change_waits_for_an_id,
						setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_pending_groups_frees_everything,
						setup_bare, teardown),
		cmocka_unit_test_setup_teardown(test_rcu_lookups_during_churn, setup_bare,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
