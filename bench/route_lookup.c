/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route lookup benchmark: DPDK 22.11's rte_lpm (through pipeline/route_table.c, as the route
 * stage will use it) against rte_fib (DIR24_8), on the routes of a Kubernetes node:
 *
 *   (a) TSC cycles per lookup, bursts of 32 random destinations (a quarter to this node's
 *       pods, the rest to hosts in the other nodes' pod CIDRs), with 10, 1,000 and 10,000
 *       /24 node CIDRs, 110 /32 pods (kubelet's default maxPods), the node's own /32 and a
 *       default route; both structures answer every destination the same (checked);
 *   (b) the time of one add and one delete (median and 99th percentile of many) at 10 and
 *       10,000 routes: a /24 (tbl24 only), a /32 in an empty /24 (a tbl8 group made and
 *       freed), a next-hop change in place; and route_table_sync() of a one-route change,
 *       which is what the control core pays per update (the merge walk included).
 *
 * Usage: bench_route_lookup [EAL options] [-- PASSES]. Default EAL options: in memory on
 * hugepages, no PCI, one lcore. Run by hand, never as a test (docs/benchmarks.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_malloc.h>

#include "route_table.h"

#define BURST 32
#define NB_DST (1u << 20)  /* 4 MiB of addresses: read once per pass, prefetched */
#define NB_PODS 110
#define BLOCK 1024         /* addresses per timed block */
#define NB_SAMPLES 2001    /* per update figure */
#define FIB_NONE ((1u << 31) - 1) /* the largest next hop of a 4-byte DIR24_8 */

static const unsigned int nb_nodes_lookup[] = { 10, 1000, 10000 };
static const unsigned int nb_nodes_update[] = { 10, 10000 };

struct cluster_routes {
	struct route_table want; /* sorted, network order, as tables.c builds it */
	unsigned int nb_nodes;
};

static uint64_t sink;

/* Node k's pod CIDR: 10.64.0.0/10 cut in /24s (room for 16,384 nodes); node 0 is this one. */
static uint32_t
node_cidr(unsigned int k)
{
	return 0x0a400000u + (k << 8);
}

static uint32_t
node_ip(unsigned int k)
{
	return 0xac100000u + k; /* 172.16.0.0/16 */
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

static void
push(struct route_table *t, uint32_t prefix, uint8_t plen, uint8_t kind, uint32_t via)
{
	t->v[t->nb++] = (struct route){ .prefix = htonl(prefix), .plen = plen, .kind = kind,
					.via = htonl(via) };
}

static int
cluster_make(struct cluster_routes *c, unsigned int nb_nodes)
{
	unsigned int k;

	c->nb_nodes = nb_nodes;
	c->want = (struct route_table){ .refcnt = 1 };
	c->want.v = calloc(nb_nodes + NB_PODS + 2, sizeof(struct route));
	if (c->want.v == NULL)
		return -1;
	push(&c->want, 0, 0, ROUTE_NH_DEFAULT, 0xac10ffffu); /* the gateway */
	push(&c->want, node_ip(0), 32, ROUTE_NH_HOST, 0);
	push(&c->want, node_cidr(0), 24, ROUTE_NH_LOCAL_CIDR, 0);
	for (k = 0; k < NB_PODS; k++)
		push(&c->want, node_cidr(0) + 2 + k, 32, ROUTE_NH_LOCAL_POD, 0);
	for (k = 1; k < nb_nodes; k++)
		push(&c->want, node_cidr(k), 24, ROUTE_NH_REMOTE_NODE, node_ip(k));
	qsort(c->want.v, c->want.nb, sizeof(struct route), route_order);
	return 0;
}

/* ---------------------------------------------------------------- the two structures */

struct under_test {
	struct route_lpm *rt;
	struct rte_fib *fib;
	struct route_nh *fib_nh; /* what the FIB's next hops mean: the same ids as rt's */
	struct rte_rcu_qsbr *qsbr;
};

static int
under_test_make(struct under_test *u, const struct cluster_routes *c)
{
	struct rte_fib_conf fc = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FIB_NONE,
		.max_routes = (int)c->want.nb + 2 * NB_SAMPLES,
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B,
			     .num_tbl8 = c->want.nb + 2 * NB_SAMPLES },
	};
	unsigned int max = c->want.nb + 2 * NB_SAMPLES, i;
	uint32_t id;

	/* A qsbr variable with no reader online: grace periods end at once. */
	u->qsbr = rte_zmalloc(NULL, rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (u->qsbr == NULL || rte_rcu_qsbr_init(u->qsbr, 1) != 0)
		return -1;
	u->rt = route_table_create("bench", max, SOCKET_ID_ANY, u->qsbr);
	u->fib_nh = calloc(2 * max + 2, sizeof(*u->fib_nh));
	if (u->rt == NULL || u->fib_nh == NULL) {
		fprintf(stderr, "bench: cannot create the route table: %s\n", strerror(errno));
		return -1;
	}
	if (route_table_sync(u->rt, &c->want, NULL) != 0)
		return -1;
	/*
	 * The FIB gets the ids route_table chose, so that answers compare one to one; its
	 * default route is its default next hop, as ours is (rte_fib_add of a depth 0 would
	 * rewrite all of tbl24, 64 MiB).
	 */
	fc.default_nh = u->rt->default_nh != ROUTE_NH_NONE ? u->rt->default_nh : FIB_NONE;
	u->fib = rte_fib_create("bench_fib", SOCKET_ID_ANY, &fc);
	if (u->fib == NULL) {
		fprintf(stderr, "bench: cannot create the FIB: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	for (i = 0; i < c->want.nb; i++) {
		const struct route *r = &c->want.v[i];
		uint32_t d = r->prefix;

		route_lookup_bulk(u->rt, &d, &id, 1);
		u->fib_nh[id] = *route_nh(u->rt, id);
		if (r->plen > 0 && rte_fib_add(u->fib, ntohl(r->prefix), r->plen, id) != 0)
			return -1;
	}
	return 0;
}

static void
under_test_free(struct under_test *u)
{
	route_table_free(u->rt);
	rte_fib_free(u->fib);
	free(u->fib_nh);
	rte_free(u->qsbr);
}

/* ---------------------------------------------------------------- (a) lookups */

static void
dst_make(const struct cluster_routes *c, uint32_t *be, uint32_t *host)
{
	unsigned int i, seed = 42;

	for (i = 0; i < NB_DST; i++) {
		unsigned int r = (unsigned int)rand_r(&seed);

		if (r % 4 == 0 || c->nb_nodes == 1)
			host[i] = node_cidr(0) + 2 + (r >> 2) % NB_PODS;
		else
			host[i] = node_cidr(1 + (r >> 2) % (c->nb_nodes - 1)) + (r >> 20) % 254 + 1;
		be[i] = htonl(host[i]);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

enum lookup_kind {
	LK_LPM_RAW,   /* rte_lpm_lookup_bulk on host-order addresses */
	LK_ROUTE,     /* route_lookup_bulk: byte swap, lookup, id or default */
	LK_FIB,       /* rte_fib_lookup_bulk */
	LK_COUNT,
};

static const char *const lk_name[LK_COUNT] = { "rte_lpm_lookup_bulk", "route_lookup_bulk",
					       "rte_fib_lookup_bulk" };

/*
 * `passes` passes over the destinations, timed by blocks of BLOCK addresses: the median block
 * is the figure, so that a preemption (this VM has two vCPUs, shared) costs one block, not the
 * run. Two serialising TSC reads per block add under 0.1 cycle per address.
 */
static double
lookup_run(const struct under_test *u, enum lookup_kind k, uint32_t *be, uint32_t *host,
	   unsigned int passes, uint64_t *blk)
{
	uint32_t nh[BURST];
	uint64_t nh64[BURST], acc = 0, t0;
	unsigned int p, i, b, nb = 0;

	for (p = 0; p < passes; p++) {
		for (b = 0; b < NB_DST; b += BLOCK) {
			t0 = rte_rdtsc_precise();
			for (i = b; i < b + BLOCK; i += BURST) {
				switch (k) {
				case LK_LPM_RAW:
					rte_lpm_lookup_bulk(u->rt->lpm, &host[i], nh, BURST);
					acc += nh[0] ^ nh[BURST - 1];
					break;
				case LK_ROUTE:
					route_lookup_bulk(u->rt, &be[i], nh, BURST);
					acc += nh[0] ^ nh[BURST - 1];
					break;
				default:
					rte_fib_lookup_bulk(u->fib, &host[i], nh64, BURST);
					acc += nh64[0] ^ nh64[BURST - 1];
					break;
				}
			}
			blk[nb++] = rte_rdtsc_precise() - t0;
		}
	}
	sink += acc;
	qsort(blk, nb, sizeof(*blk), cmp_u64);
	return (double)blk[nb / 2] / BLOCK;
}

/* Every destination: the same next hop from both. */
static int
lookup_check(const struct under_test *u, uint32_t *be, uint32_t *host)
{
	uint32_t nh[BURST];
	uint64_t nh64[BURST];
	unsigned int i, j;

	for (i = 0; i < NB_DST; i += BURST) {
		route_lookup_bulk(u->rt, &be[i], nh, BURST);
		rte_fib_lookup_bulk(u->fib, &host[i], nh64, BURST);
		for (j = 0; j < BURST; j++)
			if (nh[j] == ROUTE_NH_NONE || nh64[j] != nh[j]) {
				fprintf(stderr, "bench: %08x: lpm %u, fib %lu\n", host[i + j],
					nh[j], (unsigned long)nh64[j]);
				return -1;
			}
	}
	return 0;
}

static int
bench_lookups(unsigned int passes)
{
	uint32_t *be = malloc(NB_DST * sizeof(*be)), *host = malloc(NB_DST * sizeof(*host));
	uint64_t *blk = malloc((size_t)passes * (NB_DST / BLOCK) * sizeof(*blk));
	unsigned int n, k;

	if (be == NULL || host == NULL || blk == NULL)
		return -1;
	printf("(a) lookup, TSC cycles per address, bursts of %u: median of %u blocks of %u "
	       "(%u passes over %u addresses)\n", BURST, passes * (NB_DST / BLOCK), BLOCK, passes,
	       NB_DST);
	printf("%-24s %-22s %-22s %-22s\n", "node CIDRs + pods", lk_name[0], lk_name[1],
	       lk_name[2]);
	for (n = 0; n < RTE_DIM(nb_nodes_lookup); n++) {
		struct cluster_routes c;
		struct under_test u = { 0 };
		double cyc[LK_COUNT];
		char label[32];

		if (cluster_make(&c, nb_nodes_lookup[n]) != 0 || under_test_make(&u, &c) != 0)
			return -1;
		dst_make(&c, be, host);
		if (lookup_check(&u, be, host) != 0)
			return -1;
		for (k = 0; k < LK_COUNT; k++) {
			lookup_run(&u, k, be, host, 1, blk); /* warm */
			cyc[k] = lookup_run(&u, k, be, host, passes, blk);
		}
		snprintf(label, sizeof(label), "%u + %u", nb_nodes_lookup[n], NB_PODS);
		printf("%-24s %-22.2f %-22.2f %-22.2f\n", label, cyc[0], cyc[1], cyc[2]);
		under_test_free(&u);
		free(c.want.v);
	}
	free(be);
	free(host);
	free(blk);
	return 0;
}

/* ---------------------------------------------------------------- (b) updates */

struct sample_set {
	uint64_t v[NB_SAMPLES];
	unsigned int n;
};

static void
sample_start(struct sample_set *s)
{
	s->n = 0;
}

static void
sample(struct sample_set *s, uint64_t t)
{
	s->v[s->n++] = t;
}

static void
sample_print(const char *what, struct sample_set *s)
{
	double ns = 1e9 / (double)rte_get_tsc_hz();

	qsort(s->v, s->n, sizeof(s->v[0]), cmp_u64);
	printf("  %-40s %9.2f %9.2f\n", what, (double)s->v[s->n / 2] * ns / 1000,
	       (double)s->v[s->n * 99 / 100] * ns / 1000);
}

/* Time one call: `op` is evaluated between two serialising TSC reads. */
#define TIMED(s, op)                                                                          \
	do {                                                                                   \
		uint64_t t0_ = rte_rdtsc_precise();                                            \
		int rc_ = (op);                                                                \
		sample((s), rte_rdtsc_precise() - t0_);                                        \
		if (rc_ != 0) {                                                                \
			fprintf(stderr, "bench: %s: %d\n", #op, rc_);                          \
			return -1;                                                             \
		}                                                                              \
	} while (0)

/* A /24 or /32 outside the cluster, a different one per sample. */
static uint32_t
fresh(unsigned int i, bool host)
{
	return host ? 0x0ac80000u + ((i % 4096) << 8) + 7 : 0x0ac80000u + ((i % 4096) << 8);
}

static int
bench_lpm_updates(struct under_test *u, uint32_t nh)
{
	struct rte_lpm *lpm = u->rt->lpm;
	struct sample_set add, del;
	uint32_t p = node_cidr(1), old;
	unsigned int i;
	int host;

	for (host = 0; host < 2; host++) {
		uint8_t plen = host ? 32 : 24;

		sample_start(&add);
		sample_start(&del);
		for (i = 0; i < NB_SAMPLES; i++) {
			TIMED(&add, rte_lpm_add(lpm, fresh(i, host), plen, nh));
			TIMED(&del, rte_lpm_delete(lpm, fresh(i, host), plen));
		}
		sample_print(host ? "rte_lpm add /32 (new tbl8 group)" : "rte_lpm add /24", &add);
		sample_print(host ? "rte_lpm delete /32 (group freed, RCU)" : "rte_lpm delete /24",
			     &del);
	}
	if (rte_lpm_is_rule_present(lpm, p, 24, &old) != 1)
		return -1;
	sample_start(&add);
	for (i = 0; i < NB_SAMPLES; i++)
		TIMED(&add, rte_lpm_add(lpm, p, 24, i & 1 ? old : nh));
	sample_print("rte_lpm next-hop change /24 (in place)", &add);
	return rte_lpm_add(lpm, p, 24, old);
}

static int
bench_fib_updates(struct under_test *u, uint32_t nh)
{
	struct sample_set add, del;
	unsigned int i;
	int host;

	for (host = 0; host < 2; host++) {
		uint8_t plen = host ? 32 : 24;

		sample_start(&add);
		sample_start(&del);
		for (i = 0; i < NB_SAMPLES; i++) {
			TIMED(&add, rte_fib_add(u->fib, fresh(i, host), plen, nh));
			TIMED(&del, rte_fib_delete(u->fib, fresh(i, host), plen));
		}
		sample_print(host ? "rte_fib add /32 (new tbl8 group)" : "rte_fib add /24", &add);
		sample_print(host ? "rte_fib delete /32 (group freed)" : "rte_fib delete /24",
			     &del);
	}
	sample_start(&add);
	for (i = 0; i < NB_SAMPLES; i++)
		TIMED(&add, rte_fib_add(u->fib, node_cidr(1), 24, i & 1 ? nh + 1 : nh));
	sample_print("rte_fib next-hop change /24 (in place)", &add);
	return 0;
}

/* route_table_sync() between two snapshots that differ by one route, back and forth. */
static int
bench_sync_updates(struct under_test *u, const struct cluster_routes *c)
{
	struct route_table b = { .refcnt = 1, .nb = c->want.nb };
	struct route_sync_stats st;
	struct sample_set chg, add;
	unsigned int i, last;
	int rc = -1;

	for (last = 0; c->want.v[last].prefix != htonl(node_cidr(c->nb_nodes - 1)); last++)
		;
	b.v = malloc(c->want.nb * sizeof(*b.v));
	if (b.v == NULL)
		return -1;
	memcpy(b.v, c->want.v, c->want.nb * sizeof(*b.v));
	b.v[last].via = htonl(0xac11ffffu); /* the last node moved */
	sample_start(&chg);
	for (i = 0; i < NB_SAMPLES; i++)
		TIMED(&chg, route_table_sync(u->rt, &c->want, &st));
	sample_print("route_table_sync, nothing changed", &chg);
	sample_start(&chg);
	for (i = 0; i < NB_SAMPLES; i++) {
		TIMED(&chg, route_table_sync(u->rt, i & 1 ? &c->want : &b, &st));
		if (st.changed != 1)
			goto out;
	}
	sample_print("route_table_sync, one next-hop change", &chg);
	/* The last node leaves, and comes back. */
	memmove(&b.v[last], &c->want.v[last + 1], (c->want.nb - last - 1) * sizeof(*b.v));
	b.nb = c->want.nb - 1;
	sample_start(&add);
	for (i = 0; i < NB_SAMPLES; i++) {
		TIMED(&add, route_table_sync(u->rt, i & 1 ? &c->want : &b, &st));
		if (st.added + st.deleted != 1)
			goto out;
	}
	sample_print("route_table_sync, one /24 added or deleted", &add);
	rc = 0;
out:
	free(b.v);
	return rc;
}

static int
bench_updates(void)
{
	unsigned int n;

	printf("\n(b) one update, microseconds: median, 99th percentile of %u\n", NB_SAMPLES);
	for (n = 0; n < RTE_DIM(nb_nodes_update); n++) {
		struct cluster_routes c;
		struct under_test u = { 0 };
		uint32_t d = htonl(node_cidr(0) + 2), nh; /* a pod's: not node 1's */

		if (cluster_make(&c, nb_nodes_update[n]) != 0 || under_test_make(&u, &c) != 0)
			return -1;
		route_lookup_bulk(u.rt, &d, &nh, 1);
		printf("%u routes (%u /24 + %u /32 + default)\n", c.want.nb, c.nb_nodes,
		       NB_PODS + 1);
		if (bench_lpm_updates(&u, nh) != 0 || bench_fib_updates(&u, nh) != 0 ||
		    bench_sync_updates(&u, &c) != 0)
			return -1;
		under_test_free(&u);
		free(c.want.v);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char *dflt[] = { argv[0], "--in-memory", "--no-pci", "--no-telemetry", "-l", "0",
			 "--log-level=5" };
	unsigned int passes = 16;
	int n;

	if (argc > 1 && strcmp(argv[1], "--") != 0) {
		n = rte_eal_init(argc, argv);
	} else {
		n = rte_eal_init(RTE_DIM(dflt), dflt);
		n = n < 0 ? n : argc > 1 ? 1 : 0;
	}
	if (n < 0) {
		fprintf(stderr, "bench: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc > 1 && strcmp(argv[1], "--") == 0 && argc > 2)
		passes = (unsigned int)strtoul(argv[2], NULL, 0);
	else if (argc > 1)
		passes = (unsigned int)strtoul(argv[1], NULL, 0);
	if (passes == 0)
		passes = 1;
	printf("TSC %.3f GHz\n", (double)rte_get_tsc_hz() / 1e9);
	if (bench_lookups(passes) != 0 || bench_updates() != 0) {
		fprintf(stderr, "bench: failed\n");
		return 1;
	}
	rte_eal_cleanup();
	return sink == 42 ? 2 : 0; /* keep the lookups' results alive */
}
