/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Overlay stage microbenchmark (decap + route + encap): the per-packet work of the stages a
 * packet crosses between rx and tx, over prepared bursts of real mbufs already in cache,
 * in cycles per packet (rdtsc); under `valgrind --tool=callgrind` the instructions per
 * packet are the noise-free figure (bench/overlay.sh prints both).
 *
 *   decap: VXLAN from a remote node (198.18.0.3 -> 198.18.0.2, VNI 1) -> parse (outer) ->
 *          decap (checks, strip, parse inner) -> route (10.244.1.10/32, a
 *          local pod; TTL decremented) -> output (L2 rewrite to the pod's static MAC);
 *   encap: a local pod's packet (10.244.1.10 -> 10.244.2.x, on the pods port) -> parse ->
 *          route, as parse sends it (10.244.2.0/24, a remote node; TTL
 *          decremented; the source checked, Calico's RPF) -> output (VXLAN towards
 *          198.18.0.3, VNI 1, software outer checksum: net_null has no offload);
 *   route: plain routing, from beyond the gateway (198.18.1.x, on the uplink) to the local
 *          pod 10.244.1.10 -> parse -> route -> output (L2 rewrite);
 *   parse: parse alone over a pod's packets (bench_stages' baseline, on pool mbufs).
 *
 * The graph sends all of these through pr_fast (pipeline/fast.c), which does each case in
 * one pass with the stages' inline code; -S runs the stages one after the other instead, as
 * the graph did before pr_fast, so that the two can be compared in one build.
 *
 * What is real: the config (a YAML file through config_load), the ports (net_null vdevs,
 * ports_init), the route table (rte_lpm, route_table_sync, output's resolver), the
 * neighbour table (neigh_create, static entries), the mbufs (a pktmbuf pool with the
 * router's private area). The stages' .c files are included so that their static per-packet
 * functions are called as their process callbacks call them; the burst loops below mirror
 * fast_process, or (-S) parse_process, decap_process, route_process and output_process (arp
 * sees no IP packet), without
 * rte_graph: pr_stage_dispatch() is replaced by its uniformity test (what it costs on a
 * burst whose packets all take one edge, besides moving the stream: a few stores), and the
 * graph walk itself (per burst, per node) is not counted. Chosen over a real graph (a
 * source node, the stages, a sink for tx) because each stage then stays a function of its
 * own that callgrind can count apart, and the walk's per-burst cost is the framework's,
 * measured elsewhere (docs/architecture.md, graph stats). Those included files are not
 * taken from the core library: the linker pulls an archive member only for a symbol still
 * undefined, and this file defines every global of the seven it includes.
 *
 * Every pass restores each packet from its template before the stages run (the stages
 * rewrite headers and move data_off); the restore is timed alone too and subtracted: "raw"
 * includes it, "net" does not. A first pass is checked (outer IP, VNI, MACs, TTL, IPv4
 * checksums, edges) before anything is timed; every timed burst is checked to have taken
 * the expected edges. Any failure: exit status 1.
 *
 * Usage: bench_overlay [-n PASSES] [-r RUNS] [-R EXTRA_ROUTES] [-c CASE] [-S]
 *   CASE: all (default), decap, encap, route (the uplink to a local pod: plain routing) or
 *   parse; -S: the stages alone, as the graph ran them before pr_fast (pipeline/fast.c);
 *   PASSES over the 256 packets of a case per run (default 2000), each pass timed alone;
 *   RUNS runs per case (default 5): a run's figure is its median pass, the median (and the
 *   minimum) of the runs is printed; EXTRA_ROUTES other remote /24s in the table, each
 *   another known Node for decap (default 10000; 0 shows that neither the route lookup nor
 *   decap's Node test grows). Run by hand, never as a test
 *   (docs/benchmarks.md); bench/overlay.sh adds the instruction counts.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "config.h"
#include "neigh.h"
#include "ports.h"
#include "route_table.h"
#include "tables.h"

#include "../pipeline/parse.c"
#include "../pipeline/decap.c"
#include "../pipeline/arp.c"
#include "../pipeline/route.c"
#include "../pipeline/fast.c"
#include "../pipeline/output.c"
#include "../pipeline/output_adj.c"

#define NB_PKTS 256 /* a mempool cache's worth: the working set of a busy worker */
#define BURST PR_BURST
#define NB_BURSTS (NB_PKTS / BURST)
#define TPL_LEN 128
#define EDGE_BAD UINT16_MAX
/* Keep a function's name and body as they are: callgrind toggles collection on them. */
#define BENCH_FN __attribute__((noinline, noclone))

#define NODE_IP "198.18.0.2"
#define REMOTE_NODE_IP "198.18.0.3"
#define POD_IP "10.244.1.10"
#define UPLINK_MAC "02:00:00:00:00:02"
#define PODS_MAC "02:00:00:00:01:01"
#define REMOTE_MAC "02:00:00:00:00:03"
#define POD_MAC "02:00:00:00:01:0a"

static const char bench_yaml[] =
	"node_name: bench-node\n"
	"eal: {memory_mb: 512, hugepages: \"off\"}\n"
	"ports:\n"
	"  - {name: uplink, device: net_null0, role: uplink, mac: \"" UPLINK_MAC "\",\n"
	"     addresses: [" NODE_IP "/24]}\n"
	"  - {name: pods, device: net_null1, role: pods, mac: \"" PODS_MAC "\",\n"
	"     addresses: [10.244.1.1/24]}\n"
	"workers:\n"
	"  - {lcore: 1, poll: [{port: uplink}, {port: pods}]}\n"
	"tables: {routes: 16384, neighbours: 16384}\n"
	"overlay: {encap: vxlan, vni: 1}\n"
	"neighbours:\n"
	"  static:\n"
	"    - {ip: " REMOTE_NODE_IP ", mac: \"" REMOTE_MAC "\", port: uplink}\n"
	"    - {ip: " POD_IP ", mac: \"" POD_MAC "\", port: pods}\n";

enum bench_case_id {
	CASE_DECAP,
	CASE_ENCAP,
	CASE_ROUTE,
	CASE_PARSE,
	CASE_COUNT,
};

static const char *const case_name[CASE_COUNT] = { "decap", "encap", "route", "parse" };

struct bench_case {
	struct rte_mbuf *m[NB_PKTS];
	uint8_t tpl[NB_PKTS][TPL_LEN];
	uint16_t len;
	uint16_t port;     /* the ethdev port it arrives on */
	uint16_t out_edge; /* output's edge for it: the tx node of the port it leaves by */
	uint16_t fast_edge; /* fast's edge to that tx node */
};

static struct pr_stats bench_st;
static struct output_ctx bench_octx = { .stats = &bench_st };
static struct output_ctx bench_fctx = { .stats = &bench_st, .ip_id = 0x8000 };
static struct node_table bench_nodes;
static const struct node_table *bench_nodes_live; /* as pr_tables_live->nodes */
static struct bench_case cases[CASE_COUNT];
static uint64_t bench_bad; /* bursts that did not take the expected edges */
static bool bench_no_fast; /* -S: the stages alone, as without fast (the graph before it) */
/* Passes each loop made, the check and the warm-up included: what callgrind counted over. */
static unsigned long loop_passes[CASE_COUNT + 1];

/* ---------------------------------------------------------------- the stages, per burst */

/* What pr_stage_dispatch() looks at first: the edge of the whole burst, or EDGE_BAD. */
static __rte_always_inline uint16_t
uniform(const uint16_t *next, uint16_t n)
{
	return pr_stage_uniform(next, n) ? next[0] : EDGE_BAD;
}

/*
 * One function per stage, so that callgrind counts each apart: what the stage's process
 * callback runs (its burst function), then the test its dispatch makes. decap loads the
 * bench's node table once per burst, as the node loads the snapshot's.
 */
#define BENCH_STAGE(name, call)                                   \
	static BENCH_FN uint16_t name(void **objs, uint16_t n)    \
	{                                                         \
		uint16_t next[RTE_GRAPH_BURST_SIZE];              \
                                                                  \
		call;                                             \
		return uniform(next, n);                          \
	}

BENCH_STAGE(stage_fast, fast_burst(&bench_fctx, __atomic_load_n(&bench_nodes_live,
								  __ATOMIC_ACQUIRE), objs, n, next))
BENCH_STAGE(stage_parse, parse_burst(&bench_st, objs, n, next))
BENCH_STAGE(stage_decap, decap_burst(&bench_st, __atomic_load_n(&bench_nodes_live,
								__ATOMIC_ACQUIRE), objs, n, next))
BENCH_STAGE(stage_route, route_burst(&bench_st, objs, n, next))
BENCH_STAGE(stage_output, output_burst(&bench_octx, objs, n, next))

/* Put a burst's packets back as they arrived. */
static BENCH_FN void
restore_burst(struct bench_case *c, unsigned int b)
{
	unsigned int i;

	for (i = b * BURST; i < (b + 1) * BURST; i++) {
		struct rte_mbuf *m = c->m[i];

		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = c->len;
		m->pkt_len = c->len;
		m->ol_flags = 0;
		memcpy(rte_pktmbuf_mtod(m, void *), c->tpl[i], TPL_LEN);
	}
}

/*
 * The graph's path from rx to tx for one burst: fast, which takes all of these packets to
 * their tx node; with -S (the graph as it was without fast), parse, decap, route, output (arp
 * sees no IP packet).
 */
static __rte_always_inline void
path_burst(struct bench_case *c, unsigned int b)
{
	void **objs = (void **)&c->m[b * BURST];
	unsigned int bad;
	uint16_t e;

	if (!bench_no_fast) {
		bench_bad += stage_fast(objs, BURST) != c->fast_edge;
		return;
	}
	e = stage_parse(objs, BURST);
	/* As the graph goes: tunnels through decap, the rest straight to route (arp: ARP only). */
	bad = e != PR_EDGE_NEXT && e != PR_EDGE_L3;
	if (e == PR_EDGE_NEXT)
		bad |= stage_decap(objs, BURST) != PR_EDGE_L3;
	bad |= stage_route(objs, BURST) != PR_EDGE_NEXT;
	bad |= stage_output(objs, BURST) != c->out_edge;
	bench_bad += bad;
}

/* ---------------------------------------------------------------- the measured loops */

enum loop_what {
	LOOP_PATH,    /* restore, then the whole path */
	LOOP_PARSE,   /* parse alone, nothing to restore */
	LOOP_RESTORE, /* the restore alone */
};

static __rte_always_inline void
loop(enum bench_case_id id, enum loop_what what, unsigned int passes)
{
	struct bench_case *c = &cases[id];
	unsigned int p, b;

	loop_passes[what == LOOP_RESTORE ? CASE_COUNT : id] += passes;
	for (p = 0; p < passes; p++)
		for (b = 0; b < NB_BURSTS; b++) {
			if (what != LOOP_PARSE)
				restore_burst(c, b);
			if (what == LOOP_PATH)
				path_burst(c, b);
			else if (what == LOOP_PARSE)
				bench_bad += stage_parse((void **)&c->m[b * BURST], BURST) ==
					     PR_EDGE_DROP;
		}
}

/* One function a figure: callgrind counts from its entry to its return (overlay.sh). */
static BENCH_FN void
loop_decap(unsigned int passes)
{
	loop(CASE_DECAP, LOOP_PATH, passes);
}

static BENCH_FN void
loop_encap(unsigned int passes)
{
	loop(CASE_ENCAP, LOOP_PATH, passes);
}

static BENCH_FN void
loop_route(unsigned int passes)
{
	loop(CASE_ROUTE, LOOP_PATH, passes);
}

static BENCH_FN void
loop_parse(unsigned int passes)
{
	loop(CASE_PARSE, LOOP_PARSE, passes);
}

/* The restore alone: the same work for both cases (128 bytes and four fields a packet). */
static BENCH_FN void
loop_restore(unsigned int passes)
{
	loop(CASE_ENCAP, LOOP_RESTORE, passes);
}

/* ---------------------------------------------------------------- packets */

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static struct rte_ether_addr
mac(const char *s)
{
	struct rte_ether_addr a;

	if (rte_ether_unformat_addr(s, &a) != 0)
		abort();
	return a;
}

/* Ethernet/IPv4/UDP, 60 bytes (46 of IP), at d; its length. */
static uint16_t
udp_frame(uint8_t *d, const char *dmac, const char *smac, uint32_t src, uint32_t dst,
	  uint16_t sport)
{
	struct rte_ether_hdr *eth = (void *)d;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_udp_hdr *udp = (void *)(ip + 1);

	eth->dst_addr = mac(dmac);
	eth->src_addr = mac(smac);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = RTE_BE16(46);
	ip->packet_id = rte_cpu_to_be_16(sport);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = RTE_BE16(80);
	udp->dgram_len = RTE_BE16(26);
	return 60;
}

/* A remote pod's frame to our pod, in VXLAN from the remote node, as Linux sends it. */
static uint16_t
vxlan_frame(uint8_t *d, unsigned int i)
{
	struct rte_ether_hdr *eth = (void *)d;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_udp_hdr *udp = (void *)(ip + 1);
	uint8_t *vx = (uint8_t *)(udp + 1);
	uint16_t inner = udp_frame(vx + 8, UPLINK_MAC, "02:00:00:00:02:01",
				   htonl(0x0af40200u + 1 + i % 254), ip4(POD_IP),
				   (uint16_t)(1024 + i));

	eth->dst_addr = mac(UPLINK_MAC);
	eth->src_addr = mac(REMOTE_MAC);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + 8 + inner));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)i);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = ip4(REMOTE_NODE_IP);
	ip->dst_addr = ip4(NODE_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16((uint16_t)(49152 + i));
	udp->dst_port = RTE_BE16(4789);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + 8 + inner));
	udp->dgram_cksum = 0;
	vx[0] = 0x08; /* I: the VNI is valid */
	vx[4] = 0;
	vx[5] = 0;
	vx[6] = 1; /* VNI 1 */
	return (uint16_t)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + 8 + inner);
}

static int
case_make(struct bench_case *c, enum bench_case_id id, struct rte_mempool *mp)
{
	unsigned int i;

	memset(c->tpl, 0, sizeof(c->tpl));
	/* In by the uplink and out to the pod (decap, route), or the other way. */
	unsigned int in = id == CASE_DECAP || id == CASE_ROUTE ? 0 : 1;

	c->port = pr_ports[in].port_id;
	c->out_edge = (uint16_t)output_port_edge(pr_ports[1 - in].port_id);
	c->fast_edge = fast_tx_edge[pr_ports[1 - in].port_id];
	for (i = 0; i < NB_PKTS; i++) {
		if (id == CASE_DECAP)
			c->len = vxlan_frame(c->tpl[i], i);
		else if (id == CASE_ROUTE) /* from beyond the gateway to our pod */
			c->len = udp_frame(c->tpl[i], UPLINK_MAC, REMOTE_MAC,
					   htonl(0xc6120100u + 1 + i % 254), ip4(POD_IP),
					   (uint16_t)(1024 + i));
		else
			c->len = udp_frame(c->tpl[i], PODS_MAC, POD_MAC, ip4(POD_IP),
					   htonl(0x0af40200u + 1 + i % 254), (uint16_t)(1024 + i));
		c->m[i] = rte_pktmbuf_alloc(mp);
		if (c->m[i] == NULL)
			return -1;
		c->m[i]->port = c->port;
		pr_md(c->m[i])->drop = UINT16_MAX; /* none yet: a stage that drops sets it */
		if (c->len > TPL_LEN || rte_pktmbuf_append(c->m[i], c->len) == NULL)
			return -1;
	}
	for (i = 0; i < NB_BURSTS; i++)
		restore_burst(c, i);
	return 0;
}

/* ---------------------------------------------------------------- checks */

static int
fail(unsigned int i, const char *what)
{
	fprintf(stderr, "bench: packet %u: %s\n", i, what);
	return -1;
}

static bool
ipv4_ok(const struct rte_ipv4_hdr *ip)
{
	return rte_raw_cksum(ip, sizeof(*ip)) == 0xffff;
}

/* After one pass: every packet (decapsulated,) routed to the pod, rewritten for it. */
static int
check_to_pod(enum bench_case_id id)
{
	const struct bench_case *c = &cases[id];
	struct rte_ether_addr pod = mac(POD_MAC), pods = mac(PODS_MAC);
	unsigned int i;

	for (i = 0; i < NB_PKTS; i++) {
		struct rte_mbuf *m = c->m[i];
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip = (const void *)(eth + 1);
		const struct rte_udp_hdr *udp = (const void *)(ip + 1);

		if (m->pkt_len != 60 || m->data_len != 60)
			return fail(i, "to the pod: not the 60-byte inner frame");
		if (!rte_is_same_ether_addr(&eth->dst_addr, &pod))
			return fail(i, "to the pod: destination MAC is not the pod's " POD_MAC);
		if (!rte_is_same_ether_addr(&eth->src_addr, &pods))
			return fail(i, "to the pod: source MAC is not the pods port's");
		if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->dst_addr != ip4(POD_IP))
			return fail(i, "to the pod: not IPv4 to " POD_IP);
		if (ip->time_to_live != 63)
			return fail(i, "to the pod: TTL not decremented from 64");
		if (!ipv4_ok(ip))
			return fail(i, "to the pod: bad inner IPv4 checksum after the TTL decrement");
		if (udp->src_port != rte_cpu_to_be_16((uint16_t)(1024 + i)))
			return fail(i, "to the pod: not the inner packet");
	}
	return 0;
}

/* After one pass: every packet in VXLAN, VNI 1, to the remote node. */
static int
check_encap(void)
{
	const struct bench_case *c = &cases[CASE_ENCAP];
	struct rte_ether_addr remote = mac(REMOTE_MAC), uplink = mac(UPLINK_MAC);
	unsigned int i;

	for (i = 0; i < NB_PKTS; i++) {
		struct rte_mbuf *m = c->m[i];
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		const struct rte_ipv4_hdr *ip = (const void *)(eth + 1);
		const struct rte_udp_hdr *udp = (const void *)(ip + 1);
		const uint8_t *vx = (const uint8_t *)(udp + 1);
		const struct rte_ether_hdr *ieth = (const void *)(vx + 8);
		const struct rte_ipv4_hdr *iip = (const void *)(ieth + 1);
		uint32_t vni = (uint32_t)vx[4] << 16 | (uint32_t)vx[5] << 8 | vx[6];

		if (m->pkt_len != 110 || m->data_len != 110)
			return fail(i, "encap: not 60 + 50 bytes");
		if (ip->dst_addr != ip4(REMOTE_NODE_IP))
			return fail(i, "encap: outer destination is not " REMOTE_NODE_IP);
		if (ip->src_addr != ip4(NODE_IP) || ip->next_proto_id != IPPROTO_UDP ||
		    ip->total_length != RTE_BE16(96) || ip->time_to_live != 64)
			return fail(i, "encap: outer IPv4 header");
		if (!ipv4_ok(ip))
			return fail(i, "encap: bad outer IPv4 checksum");
		if (!rte_is_same_ether_addr(&eth->dst_addr, &remote) ||
		    !rte_is_same_ether_addr(&eth->src_addr, &uplink))
			return fail(i, "encap: outer MACs");
		if (udp->dst_port != RTE_BE16(4789) || rte_be_to_cpu_16(udp->src_port) < 49152 ||
		    udp->dgram_len != RTE_BE16(76))
			return fail(i, "encap: outer UDP header");
		if (vx[0] != 0x08 || vni != 1)
			return fail(i, "encap: VXLAN flags or VNI is not 1");
		if (!rte_is_same_ether_addr(&ieth->dst_addr, &uplink) ||
		    iip->src_addr != ip4(POD_IP) || iip->time_to_live != 63 || !ipv4_ok(iip))
			return fail(i, "encap: inner frame (MAC, source, TTL 63, checksum)");
	}
	return 0;
}

/* ---------------------------------------------------------------- set-up */

static int
u32_order(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
push(struct route_table *t, uint32_t prefix, uint8_t plen, uint8_t kind, uint32_t via)
{
	t->v[t->nb++] = (struct route){ .prefix = htonl(prefix), .plen = plen, .kind = kind,
					.via = htonl(via) };
}

static struct route_lpm *
routes_make(const struct pr_config *cfg, unsigned int extra, struct neigh_table *neigh)
{
	struct route_table want = { .refcnt = 1 };
	struct route_sync_stats rs;
	struct route_lpm *lpm;
	char name[RTE_NODE_NAMESIZE];
	unsigned int i;
	int rc;

	lpm = route_table_create("bench_ovl", extra + 16, SOCKET_ID_ANY, NULL);
	if (lpm == NULL) {
		fprintf(stderr, "bench: route table: %s\n", strerror(errno));
		return NULL;
	}
	rc = output_configure(cfg, lpm, neigh, PR_EDGE_DROP);
	for (i = 0; rc == 0 && i < pr_nb_ports; i++) {
		rc = io_tx_clone(pr_ports[i].port_id, pr_ports[i].name, name, sizeof(name));
		if (rc == 0)
			rc = output_add_port(pr_ports[i].port_id, name);
		if (rc == 0)
			rc = fast_add_port(pr_ports[i].port_id, name);
	}
	if (rc == 0)
		rc = decap_configure(cfg->y->overlay);
	if (rc != 0) {
		fprintf(stderr, "bench: configure: %s\n", strerror(-rc));
		return NULL;
	}
	route_configure(cfg, lpm);
	route_table_set_resolver(lpm, &(struct route_nh_resolver){ .init = output_nh_init,
								    .fini = output_nh_fini });
	want.v = calloc(extra + 5, sizeof(*want.v));
	if (want.v == NULL)
		return NULL;
	/* In the order route_table_sync() wants (prefix, then length): it refuses any other. */
	for (i = 0; i < extra; i++) /* 10.128.0.0/24 ... via 172.16.0.1 ... */
		push(&want, 0x0a800000u + (i << 8), 24, ROUTE_REMOTE_NODE, 0xac100001u + i);
	push(&want, 0x0af40100u, 24, ROUTE_LOCAL_CIDR, 0);            /* 10.244.1.0/24 */
	push(&want, 0x0af40101u, 32, ROUTE_HOST, 0);                  /* our pods' gateway */
	push(&want, 0x0af4010au, 32, ROUTE_LOCAL_POD, 0x0af4010au);   /* 10.244.1.10 */
	push(&want, 0x0af40200u, 24, ROUTE_REMOTE_NODE, 0xc6120003u); /* 10.244.2.0/24 */
	push(&want, 0xc6120002u, 32, ROUTE_HOST, 0);                  /* our node IP */
	rc = route_table_sync(lpm, &want, &rs);
	free(want.v);
	if (rc != 0 || rs.added != extra + 5) {
		fprintf(stderr, "bench: route_table_sync: %d, %u added\n", rc, rs.added);
		return NULL;
	}
	return lpm;
}

/* The known Nodes: ours, node-b, and the `extra` others whose /24s routes_make() added. */
static void
nodes_make(unsigned int extra)
{
	static uint32_t local[2];
	uint32_t *node = malloc((extra + 2) * sizeof(*node));
	unsigned int i;

	if (node == NULL) {
		fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	local[0] = ip4(NODE_IP);
	local[1] = ip4("10.244.1.1");
	node[0] = ip4(NODE_IP);
	node[1] = ip4(REMOTE_NODE_IP);
	for (i = 0; i < extra; i++) /* 172.16.0.1 ...: the other /24s' via */
		node[2 + i] = rte_cpu_to_be_32(0xac100001u + i);
	qsort(local, 2, sizeof(local[0]), u32_order);
	qsort(node, extra + 2, sizeof(node[0]), u32_order);
	bench_nodes = (struct node_table){ .refcnt = 1, .nb_nodes = extra + 2, .node_ips = node,
					   .nb_local = 2, .local_ips = local };
	if (addr_set_build(&bench_nodes.node_set, node, extra + 2) != 0 ||
	    addr_set_build(&bench_nodes.local_set, local, 2) != 0) {
		fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	__atomic_store_n(&bench_nodes_live, &bench_nodes, __ATOMIC_RELEASE);
}

static struct pr_config *
config_make(void)
{
	char path[] = "/tmp/bench_overlay.XXXXXX";
	struct pr_config *cfg;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL || fputs(bench_yaml, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	cfg = config_load(path, stderr);
	unlink(path);
	return cfg;
}

/* ---------------------------------------------------------------- timing */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

typedef void (*loop_fn)(unsigned int passes);

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Cycles per packet: each pass (NB_PKTS packets, some 50,000 cycles) is timed alone, so that
 * a preemption or an interrupt (this VM has two vCPUs, shared with builds) costs one sample,
 * not the run; a run's figure is its median pass, and the result the median (and the
 * minimum) of the runs. The two serialising TSC reads per pass add about 0.2 cycle a packet.
 */
static void
timed(loop_fn fn, unsigned int passes, unsigned int runs, double *med, double *min)
{
	uint64_t *t = malloc(passes * sizeof(*t));
	double v[64];
	unsigned int r, p;

	if (t == NULL)
		abort();
	fn(passes / 10 + 1); /* warm */
	for (r = 0; r < runs; r++) {
		for (p = 0; p < passes; p++) {
			uint64_t t0 = rte_rdtsc_precise();

			fn(1);
			t[p] = rte_rdtsc_precise() - t0;
		}
		qsort(t, passes, sizeof(*t), cmp_u64);
		v[r] = (double)t[passes / 2] / NB_PKTS;
	}
	free(t);
	qsort(v, runs, sizeof(v[0]), cmp_double);
	*med = v[runs / 2];
	*min = v[0];
}

static void
usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [-n PASSES] [-r RUNS] [-R EXTRA_ROUTES] "
		"[-c all|decap|encap|route|parse] [-S]\n",
		argv0);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "-l", "0", "--no-huge", "--no-shconf", "-m", "512", "--no-pci",
			"--no-telemetry", "--vdev", "net_null0", "--vdev", "net_null1",
			"--log-level=4", NULL };
	unsigned int passes = 2000, runs = 5, extra = 10000, i;
	int only = -1, opt;
	struct pr_config *cfg;
	struct rte_mempool *mp;
	struct neigh_table *neigh;
	struct route_lpm *lpm;
	double med[CASE_COUNT + 1], min[CASE_COUNT + 1];

	while ((opt = getopt(argc, argv, "n:r:R:c:Sh")) != -1) {
		switch (opt) {
		case 'S':
			bench_no_fast = true;
			break;
		case 'n':
			passes = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			runs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'R':
			extra = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			for (only = CASE_COUNT - 1; only >= 0; only--)
				if (strcmp(optarg, case_name[only]) == 0)
					break;
			if (only < 0 && strcmp(optarg, "all") != 0) {
				usage(stderr, argv[0]);
				return 1;
			}
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 1;
		}
	}
	if (passes == 0 || runs == 0 || runs > 64 || extra > 100000) {
		usage(stderr, argv[0]);
		return 1;
	}
	cfg = config_make();
	if (cfg == NULL)
		return 1;
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "bench: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	mp = rte_pktmbuf_pool_create("bench_mbufs", 4096, 256, PR_MBUF_PRIV_SIZE,
				     RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL || ports_init(cfg, mp) != 0) {
		fprintf(stderr, "bench: mempool or ports failed\n");
		return 1;
	}
	neigh = neigh_create(cfg, mp, NULL, 1);
	if (neigh == NULL) {
		fprintf(stderr, "bench: neighbour table: %s\n", strerror(errno));
		return 1;
	}
	lpm = routes_make(cfg, extra, neigh);
	if (lpm == NULL)
		return 1;
	nodes_make(extra);
	for (i = 0; i < CASE_COUNT; i++)
		if (case_make(&cases[i], i, mp) != 0) {
			fprintf(stderr, "bench: cannot make the packets\n");
			return 1;
		}

	/* One pass, checked, before anything is timed. */
	loop_decap(1);
	loop_encap(1);
	loop_route(1);
	loop_parse(1);
	if (bench_bad != 0 || check_to_pod(CASE_DECAP) != 0 || check_encap() != 0 ||
	    check_to_pod(CASE_ROUTE) != 0) {
		fprintf(stderr, "bench: the first pass is wrong (%lu bad bursts)\n",
			(unsigned long)bench_bad);
		for (i = 0; i < CASE_COUNT; i++) {
			const struct pr_md *md = pr_md(cases[i].m[0]);

			if (md->drop < PR_DROP_COUNT)
				fprintf(stderr, "bench: %s: packet 0 was dropped as %s\n",
					case_name[i], pr_drop_names[md->drop]);
		}
		return 1;
	}
	if (bench_st.ctr[PR_CTR_DECAP_VXLAN] != NB_PKTS ||
	    bench_st.ctr[PR_CTR_ROUTE_LOCAL_POD] != 2 * NB_PKTS ||
	    bench_st.ctr[PR_CTR_ROUTE_REMOTE] != NB_PKTS ||
	    bench_st.ctr[PR_CTR_OUTPUT_LOCAL] != 2 * NB_PKTS ||
	    bench_st.ctr[PR_CTR_OUTPUT_VXLAN] != NB_PKTS) {
		fprintf(stderr, "bench: the first pass did not count what it did\n");
		return 1;
	}

	printf("TSC %.3f GHz; %u + 5 routes; %u packets a case (bursts of %u), %u passes a run, "
	       "median pass of each run, median (min) of %u runs; cycles/packet%s\n",
	       (double)rte_get_tsc_hz() / 1e9, extra, NB_PKTS, BURST, passes, runs,
	       bench_no_fast ? "; the stages alone (-S)" : "");
	if (only != CASE_PARSE)
		timed(loop_restore, passes, runs, &med[CASE_COUNT], &min[CASE_COUNT]);
	if (only < 0 || only == CASE_DECAP)
		timed(loop_decap, passes, runs, &med[CASE_DECAP], &min[CASE_DECAP]);
	if (only < 0 || only == CASE_ENCAP)
		timed(loop_encap, passes, runs, &med[CASE_ENCAP], &min[CASE_ENCAP]);
	if (only < 0 || only == CASE_ROUTE)
		timed(loop_route, passes, runs, &med[CASE_ROUTE], &min[CASE_ROUTE]);
	if (only < 0 || only == CASE_PARSE)
		timed(loop_parse, passes, runs, &med[CASE_PARSE], &min[CASE_PARSE]);
	if (bench_bad != 0) {
		fprintf(stderr, "bench: %lu timed bursts took another edge\n",
			(unsigned long)bench_bad);
		return 1;
	}
	if (only != CASE_PARSE)
		printf("%-58s %6.1f (%.1f)\n", "restore (template copy, 128 B, and mbuf fields)",
		       med[CASE_COUNT], min[CASE_COUNT]);
	if (only < 0 || only == CASE_DECAP)
		printf("%-58s %6.1f (%.1f) raw, %6.1f net\n",
		       "decap: VXLAN in -> parse, decap, route, L2 rewrite", med[CASE_DECAP],
		       min[CASE_DECAP], med[CASE_DECAP] - med[CASE_COUNT]);
	if (only < 0 || only == CASE_ENCAP)
		printf("%-58s %6.1f (%.1f) raw, %6.1f net\n",
		       "encap: pod -> parse, route+RPF, VXLAN out", med[CASE_ENCAP],
		       min[CASE_ENCAP], med[CASE_ENCAP] - med[CASE_COUNT]);
	if (only < 0 || only == CASE_ROUTE)
		printf("%-58s %6.1f (%.1f) raw, %6.1f net\n",
		       "route: uplink -> parse, route, L2 rewrite to the pod", med[CASE_ROUTE],
		       min[CASE_ROUTE], med[CASE_ROUTE] - med[CASE_COUNT]);
	if (only < 0 || only == CASE_PARSE)
		printf("%-58s %6.1f (%.1f)\n", "parse alone (Ethernet/IPv4/UDP, software checksum)",
		       med[CASE_PARSE], min[CASE_PARSE]);
	/* For bench/overlay.sh: instructions per packet = the loop's Ir / (passes x NB_PKTS). */
	printf("passes:");
	for (i = 0; i < CASE_COUNT; i++)
		printf(" %s=%lu", case_name[i], loop_passes[i]);
	printf(" restore=%lu packets_per_pass=%u\n", loop_passes[CASE_COUNT], NB_PKTS);
	fflush(stdout);
	return 0;
}
