/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data-path route table: an IPv4 rte_lpm whose next-hop ids index an array of next hops.
 *
 * Control core (route_table.c): route_table_sync() takes the snapshot's sorted route array
 * (struct route_table, tables.h) and applies the difference to the LPM in place: deletes for
 * prefixes gone, rte_lpm_add for prefixes new or whose next hop changed (an add over an
 * existing prefix rewrites its entries with single stores, so that prefix never misses).
 * Next hops are shared by every route with the same (kind, via) and counted; an id whose
 * count falls to zero is recycled only after the workers' RCU grace period, as rte_lpm itself
 * recycles its tbl8 groups (rte_lpm_rcu_qsbr_add, defer-queue mode). One writer: the control
 * core; it must not be registered as a reader of the qsbr variable it gives.
 *
 * Workers: route_lookup4() (four at a time; route_lookup_bulk() over an array, for tests and
 * tools), then route_nh() for what an id means. No lock,
 * no write. A worker must be online on the qsbr variable while it holds ids or reads the LPM,
 * and report its quiescent state between bursts (src/worker.c does, once per graph walk).
 */
#ifndef PR_ROUTE_TABLE_H
#define PR_ROUTE_TABLE_H

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_lpm.h>
#include <rte_rcu_qsbr.h>

#include "tables.h"

/* A lookup that matched nothing, and no default route. */
#define ROUTE_NH_NONE UINT32_MAX
/* Next-hop ids are the LPM's next hops: 24 bits in 22.11's rte_lpm. */
#define ROUTE_NH_ID_MAX (1u << 24)
/* Longest table name: the LPM's defer queue is the ring "LPM_RCU_<name>" (28 characters). */
#define ROUTE_TABLE_NAME_MAX 20

/*
 * What a next hop is: tables.h's route kinds (a struct route's `kind` takes any of these).
 */
enum route_nh_kind {
	ROUTE_NH_LOCAL_CIDR = ROUTE_LOCAL_CIDR,   /* this node's pod CIDR: the pods port */
	ROUTE_NH_LOCAL_POD = ROUTE_LOCAL_POD,     /* a pod of this node (/32): the pods port */
	ROUTE_NH_REMOTE_NODE = ROUTE_REMOTE_NODE, /* another node's pod CIDR: overlay to `via` */
	ROUTE_NH_HOST = ROUTE_HOST,       /* one of the router's own addresses: the exception path */
	ROUTE_NH_DEFAULT = ROUTE_DEFAULT, /* anything else (plen 0): the gateway `via` */
	ROUTE_NH_KIND_COUNT,
};

/* How a next hop's packets leave (output, pipeline/output.c). */
enum route_nh_encap {
	ROUTE_ENCAP_NONE = 0, /* L2 rewrite only */
	ROUTE_ENCAP_VXLAN,
	ROUTE_ENCAP_GENEVE,
	ROUTE_ENCAP_IPIP,
	ROUTE_ENCAP_COUNT,
};

/*
 * One next hop, as the workers read it. Never written while an id may be in use. The route
 * table fills via and kind; the rest is the adjacency, filled by the resolver that output
 * gives (route_table_set_resolver) when the next hop is made.
 */
struct route_nh {
	uint32_t via;    /* network order: the node's InternalIP, the gateway, the pod; or 0 */
	uint32_t neigh;  /* the neighbour entry of the L2 next hop; NEIGH_NONE: by destination */
	uint32_t l2_ip;  /* network order: the L2 next hop (via, or the gateway towards it) */
	uint16_t max_l3; /* longest L3 packet that leaves unfragmented (out port MTU - tunnel) */
	uint16_t cksum;  /* tunnels: the outer IPv4 header's sum without length and id */
	uint8_t kind;    /* enum route_nh_kind */
	uint8_t port;    /* the ethdev port it leaves by */
	uint8_t encap;   /* enum route_nh_encap */
	uint8_t usable;  /* 0: no way to send (no port, no gateway): drop */
	uint8_t ctr;     /* the output counter (enum pr_ctr) of its packets */
	/*
	 * 1: usable, not the host, with a neighbour entry of its own: fast (pipeline/fast.c)
	 * may send its packets; decided once here rather than per packet there.
	 */
	uint8_t fast;
	uint8_t route_ctr; /* the route counter (enum pr_ctr) of its kind (route_kind_ctr) */
	uint8_t rsvd[9];   /* 32 bytes: an id is scaled by a shift */
};
_Static_assert(sizeof(struct route_nh) == 32, "struct route_nh: 32 bytes");

/* Fills a new next hop's adjacency from its kind and via; releases it when it goes. */
struct route_nh_resolver {
	void (*init)(void *arg, uint32_t id, struct route_nh *nh);
	void (*fini)(void *arg, uint32_t id, struct route_nh *nh);
	void *arg;
};

struct route_table_ctl;

struct route_lpm {
	/* Read by the workers. */
	struct rte_lpm *lpm;
	const struct route_nh *nh; /* indexed by next-hop id */
	uint32_t default_nh;       /* the plen-0 route's id, or ROUTE_NH_NONE (atomic) */
	/* The control core's side (route_table.c). */
	struct route_table_ctl *ctl;
};

/* What one route_table_sync() did. */
struct route_sync_stats {
	unsigned int added;     /* prefixes installed */
	unsigned int changed;   /* prefixes given another next hop, in place */
	unsigned int deleted;   /* prefixes removed */
	unsigned int unchanged; /* prefixes left as they were */
	unsigned int failed;    /* adds or changes refused: those prefixes stay as they were */
	unsigned int dups;      /* entries with the prefix of another one; one of them is used */
	unsigned int invalid;   /* entries skipped: plen > 32, host bits set, unknown kind */
};

struct route_table_stats {
	unsigned int nb_routes;  /* installed, the default route included */
	unsigned int max_routes; /* LPM rules (the default route does not take one) */
	unsigned int nb_nh;      /* next hops in use */
	unsigned int max_nh;
	uint64_t adds, changes, deletes, failures; /* since creation */
};

/*
 * An empty table for up to `max_routes` prefixes on NUMA `socket`. With `qsbr` (the
 * workers' variable), freed tbl8 groups and next-hop ids are reused only after every worker
 * online on it reported a quiescent state; NULL when no reader can run (tools, benchmarks).
 * NULL with errno (EINVAL, ENAMETOOLONG, EEXIST, ENOMEM) on failure. Memory: rte_lpm's
 * 64 MiB tbl24, plus about 1.2 KiB per route of max_routes: 1 KiB of it tbl8 groups (one per
 * /24 holding longer prefixes: one per route at worst), the rest rules, next hops, defer
 * queues and the sync's work arrays.
 */
struct route_lpm *route_table_create(const char *name, unsigned int max_routes, int socket,
				     struct rte_rcu_qsbr *qsbr);

/*
 * Make the table hold exactly `want` (sorted by prefix then plen, as tables.c builds it),
 * changing only what differs. Runs in O(routes) plus one LPM operation per difference.
 * 0, or the first error: -EINVAL (want not sorted; nothing changed), -ENOMEM, -ENOSPC (the
 * LPM or the next-hop array is full). On an error every other difference is still applied,
 * and a prefix that could not be added or changed keeps its previous route; the next sync
 * tries again. `st` may be NULL. May wait for a grace period when tbl8 groups or next-hop
 * ids are all waiting for one.
 */
int route_table_sync(struct route_lpm *rt, const struct route_table *want,
		     struct route_sync_stats *st);

/* Before the first sync: who fills next hops' adjacency. */
void route_table_set_resolver(struct route_lpm *rt, const struct route_nh_resolver *r);

/* Next-hop ids go from 0 to this (excluded): for arrays of the resolver's, by id. */
uint32_t route_table_max_nh(const struct route_lpm *rt);

void route_table_get_stats(const struct route_lpm *rt, struct route_table_stats *st);

/* Free the table, after waiting for the workers' grace period. NULL is a no-op. */
void route_table_free(struct route_lpm *rt);

/* ---- worker side */

/*
 * The next-hop ids of four destinations (network order) into nh[0..3]: the longest matching
 * prefix's, else `dflt`. The addresses go into the vector from registers (a vector load of
 * addresses just stored would wait for the stores to drain).
 */
static __rte_always_inline void
route_lookup4(const struct route_lpm *rt, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
	      uint32_t *nh, uint32_t dflt)
{
#if defined(RTE_ARCH_X86)
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	xmm_t v = _mm_shuffle_epi8(_mm_set_epi32((int)d, (int)c, (int)b, (int)a), bswap);
#else
	rte_xmm_t x = { .u32 = { rte_be_to_cpu_32(a), rte_be_to_cpu_32(b), rte_be_to_cpu_32(c),
				 rte_be_to_cpu_32(d) } };
	xmm_t v = x.x;
#endif
	rte_lpm_lookupx4(rt->lpm, v, nh, dflt);
}

/* The default route's id, or ROUTE_NH_NONE: what a lookup that matched nothing gives. */
static __rte_always_inline uint32_t
route_default(const struct route_lpm *rt)
{
	return __atomic_load_n(&rt->default_nh, __ATOMIC_ACQUIRE);
}

/*
 * Next-hop ids of `n` destinations (network order) into `nh`: the longest matching prefix's,
 * else the default route's, else ROUTE_NH_NONE. Four at a time with the LPM's vector lookup.
 */
static inline void
route_lookup_bulk(const struct route_lpm *rt, const uint32_t *dst_be, uint32_t *nh,
		  unsigned int n)
{
	uint32_t dflt = route_default(rt), hop;
	unsigned int i;

	for (i = 0; i + 4 <= n; i += 4)
		route_lookup4(rt, dst_be[i], dst_be[i + 1], dst_be[i + 2], dst_be[i + 3], &nh[i],
			      dflt);
	for (; i < n; i++)
		nh[i] = rte_lpm_lookup(rt->lpm, rte_be_to_cpu_32(dst_be[i]), &hop) == 0 ? hop : dflt;
}

/* What a next-hop id from route_lookup_bulk() means (id != ROUTE_NH_NONE). */
static inline const struct route_nh *
route_nh(const struct route_lpm *rt, uint32_t id)
{
	return &rt->nh[id];
}

#endif
