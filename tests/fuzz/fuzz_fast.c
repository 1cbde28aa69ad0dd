/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential libFuzzer target of the fast node (pipeline/fast.c): whatever a frame is, fast
 * and the stages after it must do exactly what the stages alone do. Each input is a burst of
 * one to four frames; each frame is made twice, into pool mbufs A and B, and
 *
 *   A goes through fast_burst(), then, if fast left it to a stage, on through that stage and
 *     the ones after it as the graph would take it (parse -> decap for a tunnel candidate,
 *     else route -> output);
 *   B goes through the stages alone, as the graph did before fast: parse_burst(), then
 *     decap_burst() for tunnel candidates, route_burst(), output_burst();
 *
 * both walks stopping where the packet leaves those stages (a tx node, drop, hold, icmp,
 * frag, arp). Then, or abort() with what differs and both ways through the stages:
 *   - the same end: the same tx port, or the same other edge;
 *   - the same packet: data_off, data_len, pkt_len, segments, offload flags and lengths,
 *     packet type, every byte; and the fields of struct pr_md the node at the end reads
 *     (fz_end_md: none for a packet sent; md->drop for a drop; for hold, icmp and frag
 *     md->nh, arg, out_port, drop and parse's fields);
 *   - the same counters: struct pr_stats ctr[] and drop[] (a drop counted as pr_drop does);
 *   - what fast hands a stage is what that stage gets in B from the stage before it: parse
 *     and decap the packet as it arrived, byte for byte; route the packet parsed (B after
 *     parse), or decapsulated and parsed (B after decap), with parse's metadata; output the
 *     packet routed (B after route), md->nh too. And B took that way.
 *
 * The outer IPv4 id of a tunnel: A's fast and output and B's output each have an output_ctx
 * with the same first id, so that in a burst of one (one packet, encapsulated once) the ids,
 * and the checksums, must match exactly. In a longer burst the packets A's fast encapsulates
 * take ids from fast's context and the others from output's, so the order differs from B's:
 * there each tunnel's outer id and checksum are masked and the checksum is checked on its own.
 *
 * What is real, as in bench/bench_overlay.c: the config (YAML through config_load), the ports
 * (net_null vdevs, ports_init), the route table (rte_lpm, route_table_sync with output's
 * resolver), the neighbour table (neigh_create, static entries), the mbufs (a pool with the
 * router's private area). The stages' .c files are included for their burst functions.
 * One table holds every kind of next hop, so that a burst can mix them: each encapsulation
 * of other nodes (VXLAN, Geneve, IP-in-IP, direct; out_cfg.encap is set before the sync
 * that makes each one's next hop, as output_configure sets it from the config), a next hop
 * that cannot be used (a default-kind route made while there was no gateway), resolved and
 * unresolved neighbours, next hops without a neighbour entry (the table full). Per input:
 * the default route on or off (route_lpm.default_nh is all the workers read of it), the node
 * table published or not yet (what fast and decap are given), the host port on or off
 * (output's host edge), the uplink's TX checksum offload on or off (out_cfg.port[]). Every
 * burst is walked and checked twice: with overlay.require_known_node on, then off (fast
 * and decap each have a loop per setting).
 *
 * Input: one byte for the burst, then per frame eight bytes and up to 31 (offset, value)
 * mutations; missing bytes read as 0 (see fz_frame_make and LLVMFuzzerTestOneInput).
 * FZ_FAST_STATS=1 in the environment prints at exit how often fast took each edge and how
 * the packets ended, the coverage of this target; FZ_FAST_STATS=2 each packet's ways too.
 * Building with -DFZ_FAST_C='"path"' compiles another fast.c in instead (tests/fuzz/run.sh
 * does not): a copy with a bug planted, to see that this target finds it.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

#ifndef FZ_FAST_C
#define FZ_FAST_C "../../pipeline/fast.c"
#endif

#include "../../pipeline/parse.c"
#include "../../pipeline/decap.c"
#include "../../pipeline/route.c"
#include FZ_FAST_C
#include "../../pipeline/output.c"
#include "../../pipeline/output_adj.c"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_BURST 4
#define FZ_FRAME_MAX 2048 /* the largest frame fz_frame_make makes is about 1750 bytes */
#define FZ_SNAP_MAX 4096  /* more than any packet becomes: a tunnel adds 64 bytes */
#define FZ_MUT_MAX 31
#define FZ_MD_POISON 0xa5 /* the private area as rx leaves it: whatever was there */
#define FZ_IP4(a, b, c, d) RTE_BE32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (c) << 8 | (d))

/* ---------------------------------------------------------------- the router */

enum fz_port {
	FZ_UPLINK,
	FZ_PODS,
	FZ_HOST,
	FZ_PORT_COUNT,
};

static const char fz_yaml[] =
	"node_name: fuzz-node\n"
	"eal: {memory_mb: 512, hugepages: \"off\"}\n"
	"ports:\n"
	"  - {name: uplink, device: net_null0, role: uplink, mac: \"02:00:00:00:00:02\",\n"
	"     mtu: 1500, addresses: [198.18.0.2/24], gateway: 198.18.0.1}\n"
	"  - {name: pods, device: net_null1, role: pods, mac: \"02:00:00:00:01:01\",\n"
	"     mtu: 1400, addresses: [10.244.1.1/24]}\n"
	"  - {name: host, device: net_null2, role: host, mac: \"02:00:00:00:0f:01\",\n"
	"     addresses: [169.254.100.1/30]}\n"
	"workers:\n"
	"  - {lcore: 1, poll: [{port: uplink}, {port: pods}, {port: host}]}\n"
	"tables: {routes: 64, neighbours: 16}\n"
	"overlay: {encap: vxlan, vni: 1}\n"
	"neighbours:\n"
	"  static:\n"
	"    - {ip: 198.18.0.1, mac: \"02:00:00:00:00:01\", port: uplink}\n"
	"    - {ip: 198.18.0.3, mac: \"02:00:00:00:00:03\", port: uplink}\n"
	"    - {ip: 198.18.0.5, mac: \"02:00:00:00:00:05\", port: uplink}\n"
	"    - {ip: 198.18.0.6, mac: \"02:00:00:00:00:06\", port: uplink}\n"
	"    - {ip: 198.18.0.7, mac: \"02:00:00:00:00:07\", port: uplink}\n"
	"    - {ip: 10.244.1.10, mac: \"02:00:00:00:01:0a\", port: pods}\n"
	"    - {ip: 10.244.1.12, mac: \"02:00:00:00:01:0c\", port: pods}\n";

/*
 * The routes, sorted by prefix then length as route_table_sync() wants them. `step`: the
 * sync that adds it (fz_steps), so that its next hop is made with that step's settings.
 */
static const struct fz_route {
	uint32_t prefix; /* host order */
	uint8_t plen;
	uint8_t kind;
	uint32_t via; /* host order */
	uint8_t step;
} fz_routes[] = {
	{ 0x00000000, 0, ROUTE_DEFAULT, 0xc6120001, 0 },      /* via the gateway */
	{ 0x0af40100, 24, ROUTE_LOCAL_CIDR, 0, 0 },           /* 10.244.1.0/24: our pods */
	{ 0x0af40101, 32, ROUTE_HOST, 0, 0 },                 /* our pods' gateway */
	{ 0x0af4010a, 32, ROUTE_LOCAL_POD, 0x0af4010a, 0 },   /* a pod, MAC static */
	{ 0x0af4010b, 32, ROUTE_LOCAL_POD, 0x0af4010b, 0 },   /* a pod, MAC unknown */
	{ 0x0af40200, 24, ROUTE_REMOTE_NODE, 0xc6120003, 0 }, /* VXLAN, MAC static */
	{ 0x0af40300, 24, ROUTE_REMOTE_NODE, 0xc6120004, 0 }, /* VXLAN, MAC unknown */
	{ 0x0af40400, 24, ROUTE_REMOTE_NODE, 0xcb007105, 0 }, /* VXLAN off-link: the gateway */
	{ 0x0af40600, 24, ROUTE_DEFAULT, 0xc6120009, 1 },     /* no gateway: unusable */
	{ 0x0af50200, 24, ROUTE_REMOTE_NODE, 0xc6120005, 2 }, /* Geneve */
	{ 0x0af60200, 24, ROUTE_REMOTE_NODE, 0xc6120006, 3 }, /* IP-in-IP */
	{ 0x0af70200, 24, ROUTE_REMOTE_NODE, 0xc6120007, 4 }, /* direct */
	{ 0xc6120002, 32, ROUTE_HOST, 0, 0 },                 /* our node address */
};

/* Each sync's settings: the encapsulation of the next hops it makes, and the gateway. */
static const struct {
	uint8_t encap;
	uint16_t udp_port;
	bool no_gateway;
} fz_steps[] = {
	{ ROUTE_ENCAP_VXLAN, 4789, false },
	{ ROUTE_ENCAP_VXLAN, 4789, true },
	{ ROUTE_ENCAP_GENEVE, 6081, false },
	{ ROUTE_ENCAP_IPIP, 0, false },
	{ ROUTE_ENCAP_NONE, 0, false },
	{ ROUTE_ENCAP_VXLAN, 4789, false }, /* FZ_FILL_STEP */
};

/*
 * The last sync adds FZ_FILL other nodes' CIDRs, 10.250.N.0/24 via 198.18.0.(100 + N), on the
 * uplink's link so that each needs an entry of its own: more than the neighbour table (16
 * entries) holds. The last ones' next hops have none, and output looks their node up per
 * packet (the last scenario).
 */
#define FZ_FILL 24
#define FZ_FILL_STEP 5

static struct pr_config *fz_cfg;
static struct rte_mempool *fz_mp;
static struct route_lpm *fz_rt;
static uint32_t fz_default_nh;     /* the default route's next hop, as synced */
static uint16_t fz_port_id[FZ_PORT_COUNT];
static uint16_t fz_host_edge;      /* output's edge to the host port's tx node */
static struct node_table fz_nodes; /* for decap: this node's addresses, the known nodes */

/* ---------------------------------------------------------------- the frames */

enum fz_l3 {
	FZ_L3_IPV4,
	FZ_L3_ARP,
	FZ_L3_IPV6,
};

enum fz_tunnel {
	FZ_TUN_NONE,
	FZ_TUN_VXLAN,
	FZ_TUN_GENEVE,
	FZ_TUN_IPIP,
};

/* What a frame is before the input changes it: its first byte picks one of these. */
static const struct fz_scenario {
	uint8_t in;     /* enum fz_port it arrives on */
	uint8_t l3;     /* enum fz_l3 of the packet (the inner one of a tunnel) */
	uint8_t tunnel; /* enum fz_tunnel */
	uint32_t src, dst;   /* the IPv4 packet's (the inner one of a tunnel) */
	uint32_t osrc, odst; /* a tunnel's outer addresses */
	uint16_t dport;      /* a UDP tunnel's port */
	uint32_t vni;
} fz_scenarios[32] = {
	/* Forwarded in one pass, or by the stage fast hands it to. */
	{ FZ_UPLINK, FZ_L3_IPV4, 0, FZ_IP4(192, 0, 2, 7), FZ_IP4(10, 244, 1, 10) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 244, 2, 20) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 245, 2, 20) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 246, 2, 20) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 247, 2, 20) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 244, 1, 12) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 244, 1, 13) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(198, 18, 0, 2) },
	{ FZ_UPLINK, FZ_L3_IPV4, 0, FZ_IP4(192, 0, 2, 7), FZ_IP4(10, 244, 1, 1) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 244, 3, 5) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 244, 4, 5) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 244, 6, 5) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(8, 8, 8, 8) },
	{ FZ_UPLINK, FZ_L3_IPV4, 0, FZ_IP4(192, 0, 2, 7), FZ_IP4(10, 244, 1, 11) },
	/* Spoofed sources from the pods port, martians. */
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 99), FZ_IP4(10, 244, 2, 20) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 2, 20), FZ_IP4(10, 244, 1, 10) },
	{ FZ_UPLINK, FZ_L3_IPV4, 0, FZ_IP4(127, 0, 0, 1), FZ_IP4(10, 244, 1, 10) },
	{ FZ_UPLINK, FZ_L3_IPV4, 0, FZ_IP4(192, 0, 2, 7), FZ_IP4(224, 0, 0, 5) },
	/* Tunnels to us, a tunnel through us, tunnels we refuse. */
	{ FZ_UPLINK, FZ_L3_IPV4, FZ_TUN_VXLAN, FZ_IP4(10, 244, 2, 20), FZ_IP4(10, 244, 1, 10),
	  FZ_IP4(198, 18, 0, 3), FZ_IP4(198, 18, 0, 2), 4789, 1 },
	{ FZ_UPLINK, FZ_L3_IPV4, FZ_TUN_GENEVE, FZ_IP4(10, 245, 2, 20), FZ_IP4(10, 244, 1, 10),
	  FZ_IP4(198, 18, 0, 5), FZ_IP4(198, 18, 0, 2), 6081, 1 },
	{ FZ_UPLINK, FZ_L3_IPV4, FZ_TUN_IPIP, FZ_IP4(10, 246, 2, 20), FZ_IP4(10, 244, 1, 10),
	  FZ_IP4(198, 18, 0, 6), FZ_IP4(198, 18, 0, 2) },
	{ FZ_UPLINK, FZ_L3_IPV4, FZ_TUN_VXLAN, FZ_IP4(10, 244, 2, 20), FZ_IP4(10, 244, 2, 30),
	  FZ_IP4(198, 18, 0, 3), FZ_IP4(198, 18, 0, 2), 8472, 1 },
	{ FZ_UPLINK, FZ_L3_IPV4, FZ_TUN_VXLAN, FZ_IP4(10, 244, 2, 20), FZ_IP4(10, 244, 1, 10),
	  FZ_IP4(198, 18, 0, 66), FZ_IP4(198, 18, 0, 2), 4789, 1 },
	{ FZ_UPLINK, FZ_L3_IPV4, FZ_TUN_VXLAN, FZ_IP4(10, 244, 2, 20), FZ_IP4(10, 244, 1, 10),
	  FZ_IP4(198, 18, 0, 3), FZ_IP4(10, 244, 1, 10), 4789, 1 },
	{ FZ_UPLINK, FZ_L3_IPV4, FZ_TUN_VXLAN, FZ_IP4(10, 244, 2, 20), FZ_IP4(10, 244, 1, 10),
	  FZ_IP4(198, 18, 0, 3), FZ_IP4(198, 18, 0, 2), 4789, 7 },
	{ FZ_UPLINK, FZ_L3_ARP, FZ_TUN_VXLAN, FZ_IP4(198, 18, 0, 3), FZ_IP4(198, 18, 0, 2),
	  FZ_IP4(198, 18, 0, 3), FZ_IP4(198, 18, 0, 2), 4789, 1 },
	/* Not IPv4; and the rest. */
	{ FZ_UPLINK, FZ_L3_ARP, 0, FZ_IP4(198, 18, 0, 1), FZ_IP4(198, 18, 0, 2) },
	{ FZ_UPLINK, FZ_L3_IPV6, 0 },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 244, 1, 10) },
	{ FZ_HOST, FZ_L3_IPV4, 0, FZ_IP4(169, 254, 100, 2), FZ_IP4(10, 244, 1, 10) },
	{ FZ_UPLINK, FZ_L3_IPV4, 0, FZ_IP4(192, 0, 2, 7), FZ_IP4(198, 18, 0, 2) },
	{ FZ_PODS, FZ_L3_IPV4, 0, FZ_IP4(10, 244, 1, 10), FZ_IP4(10, 250, FZ_FILL, 5) },
};

/* The variations byte (h[1]): of the IPv4 packet, the inner one of a tunnel. */
#define FZ_V_PROTO 0x03   /* UDP, TCP, ICMP, GRE */
#define FZ_V_VLAN 0x04    /* an 802.1Q tag on the (outer) frame */
#define FZ_V_OPTIONS 0x08 /* 12 bytes of IP options */
#define FZ_V_MF 0x10      /* a first fragment */
#define FZ_V_DF 0x20
#define FZ_V_TTL_SHIFT 6  /* TTL 64, 1, 0, 2 */

/* The receive byte (h[2]): how the NIC hands the frame over. */
#define FZ_R_PORT 0x03     /* the scenario's port, or the uplink, pods, host port */
#define FZ_R_IP_CKSUM 0x0c /* the IPv4 checksum verdict: unknown, good, bad, none */
#define FZ_R_PTYPE_TUN 0x10
#define FZ_R_L4_CKSUM 0x60 /* the L4 checksum verdict: unknown, good, bad, none */
#define FZ_R_RAW 0x80      /* leave the IPv4 checksums as the mutations made them */

/* The padding byte (h[4]). */
#define FZ_P_LEN 0x3f  /* Ethernet padding after the IP packet */
#define FZ_P_EDGE 0x80 /* the payload puts the packet at its next hop's length limit */

/* The burst byte (first of the input). */
#define FZ_B_COUNT 0x03     /* one to four frames */
#define FZ_B_NO_DEFAULT 0x04 /* no default route */
#define FZ_B_NO_HOST 0x08   /* no host port: output drops what is for the router */
#define FZ_B_HW_CKSUM 0x10  /* the uplink sums outer IPv4 headers */
#define FZ_B_NO_NODES 0x20  /* no node table published yet: decap takes nothing */
#define FZ_B_ID_SHIFT 6     /* the outer IPv4 id the contexts start from */

/* One frame as the input describes it, and where its IPv4 headers are. */
struct fz_frame {
	uint8_t b[FZ_FRAME_MAX];
	uint16_t len;
	uint16_t l3, inner; /* offsets of the (outer) IPv4 header and a tunnel's inner one */
	uint8_t scenario;
	uint8_t port;       /* enum fz_port */
	uint16_t headroom;
	uint16_t split;     /* the first segment's length; 0: one segment */
	uint64_t ol_flags;
	uint32_t ptype;
};

struct fz_input {
	const uint8_t *p;
	size_t n;
};

static uint8_t
fz_byte(struct fz_input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static void
fz_mac(uint8_t *p, const struct rte_ether_addr *mac)
{
	memcpy(p, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
}

/* By FZ_V_PROTO: the transport protocol and the length of the header fz_ipv4() gives it. */
static const uint8_t fz_proto[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP, IPPROTO_GRE };
static const uint8_t fz_l4_len[] = { 8, 20, 8, 0 };

/* An IPv4 packet at p, `payload` bytes after its transport header; its length. */
static uint16_t
fz_ipv4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t var, uint16_t payload)
{
	static const uint8_t ttl[] = { 64, 1, 0, 2 };
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	uint16_t hl = var & FZ_V_OPTIONS ? 32 : 20, l4 = fz_l4_len[var & FZ_V_PROTO], i;
	uint8_t *q = p + hl;

	memset(p, 0, hl + l4);
	ip->version_ihl = (uint8_t)(0x40 | hl / 4);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hl + l4 + payload));
	ip->packet_id = RTE_BE16(0x4242);
	ip->fragment_offset = rte_cpu_to_be_16((var & FZ_V_MF ? RTE_IPV4_HDR_MF_FLAG : 0) |
					       (var & FZ_V_DF ? RTE_IPV4_HDR_DF_FLAG : 0));
	ip->time_to_live = ttl[var >> FZ_V_TTL_SHIFT];
	ip->next_proto_id = fz_proto[var & FZ_V_PROTO];
	ip->src_addr = src;
	ip->dst_addr = dst;
	if (hl > 20) /* no-operation options, then the end of the list */
		memset(p + 20, 1, hl - 21);
	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		((struct rte_udp_hdr *)q)->src_port = RTE_BE16(40000);
		((struct rte_udp_hdr *)q)->dst_port = RTE_BE16(8080);
		((struct rte_udp_hdr *)q)->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + payload));
		break;
	case IPPROTO_TCP:
		((struct rte_tcp_hdr *)q)->src_port = RTE_BE16(40000);
		((struct rte_tcp_hdr *)q)->dst_port = RTE_BE16(80);
		((struct rte_tcp_hdr *)q)->data_off = 0x50;
		((struct rte_tcp_hdr *)q)->tcp_flags = RTE_TCP_ACK_FLAG;
		break;
	case IPPROTO_ICMP:
		q[0] = 8; /* echo request */
		break;
	}
	for (i = 0; i < payload; i++)
		q[l4 + i] = (uint8_t)(i * 7 + 1);
	return (uint16_t)(hl + l4 + payload);
}

/* The packet of a frame, at p: what the scenario's l3 says; its length. */
static uint16_t
fz_l3(uint8_t *p, const struct fz_scenario *s, uint8_t var, uint16_t payload, uint16_t *type)
{
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)p;
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip6 + 1);

	switch (s->l3) {
	case FZ_L3_ARP:
		*type = RTE_BE16(RTE_ETHER_TYPE_ARP);
		memset(arp, 0, sizeof(*arp));
		arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
		arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		arp->arp_hlen = RTE_ETHER_ADDR_LEN;
		arp->arp_plen = 4;
		arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
		arp->arp_data.arp_sha.addr_bytes[0] = 0x02;
		arp->arp_data.arp_sip = s->src;
		arp->arp_data.arp_tip = s->dst;
		return sizeof(*arp);
	case FZ_L3_IPV6:
		*type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		memset(p, 0, sizeof(*ip6) + sizeof(*udp) + payload);
		ip6->vtc_flow = RTE_BE32(0x60000000);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + payload));
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 64;
		ip6->src_addr[0] = ip6->dst_addr[0] = 0xfe;
		ip6->src_addr[15] = 1;
		ip6->dst_addr[15] = 2;
		udp->dst_port = RTE_BE16(4789); /* a tunnel port, on IPv6: not ours */
		udp->dgram_len = ip6->payload_len;
		return (uint16_t)(sizeof(*ip6) + sizeof(*udp) + payload);
	default:
		*type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		return fz_ipv4(p, s->src, s->dst, var, payload);
	}
}

/* A tunnel's outer IPv4 header (and UDP and tunnel headers) at p; its length. */
static uint16_t
fz_outer(uint8_t *p, const struct fz_scenario *s, uint16_t inner_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint8_t *t = (uint8_t *)(udp + 1);
	uint16_t hl = s->tunnel == FZ_TUN_IPIP ? sizeof(*ip) :
		      sizeof(*ip) + sizeof(*udp) + 8 + RTE_ETHER_HDR_LEN;

	memset(p, 0, hl);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(hl + inner_len));
	ip->packet_id = RTE_BE16(0x0707);
	ip->time_to_live = 64;
	ip->next_proto_id = s->tunnel == FZ_TUN_IPIP ? IPPROTO_IPIP : IPPROTO_UDP;
	ip->src_addr = s->osrc;
	ip->dst_addr = s->odst;
	if (s->tunnel == FZ_TUN_IPIP)
		return hl;
	udp->src_port = RTE_BE16(50123);
	udp->dst_port = rte_cpu_to_be_16(s->dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(hl - sizeof(*ip) + inner_len));
	if (s->tunnel == FZ_TUN_VXLAN)
		t[0] = 0x08; /* I: the VNI is valid */
	else
		t[2] = 0x65, t[3] = 0x58; /* Geneve: Ethernet payload */
	t[4] = (uint8_t)(s->vni >> 16);
	t[5] = (uint8_t)(s->vni >> 8);
	t[6] = (uint8_t)s->vni;
	/* The inner frame: to the uplink, from the other node's VTEP. */
	fz_mac(t + 8, &pr_ports[FZ_UPLINK].mac);
	t[14] = 0x02, t[19] = 0x33;
	return hl;
}

/*
 * The payload of the IPv4 packet: h3 six-byte steps; or, with FZ_P_EDGE in h4, as many bytes
 * as make the packet its next hop's longest (the MTU less any tunnel) plus h3 % 16 - 8: the
 * boundaries of output's length test, which the steps would seldom hit.
 */
static uint16_t
fz_payload(const struct fz_scenario *s, uint8_t var, uint8_t h3, uint8_t h4)
{
	uint32_t id, max = 1500;
	int len;

	if (!(h4 & FZ_P_EDGE))
		return h3 * 6;
	route_lookup_bulk(fz_rt, &s->dst, &id, 1);
	if (id != ROUTE_NH_NONE && route_nh(fz_rt, id)->max_l3 != 0)
		max = route_nh(fz_rt, id)->max_l3;
	len = (int)max + h3 % 16 - 8 - (var & FZ_V_OPTIONS ? 32 : 20) - fz_l4_len[var & FZ_V_PROTO];
	return (uint16_t)RTE_MAX(len, 0);
}

/* An IPv4 header's checksum right again (after the mutations), if its IHL lets it be. */
static void
fz_fix_cksum(struct fz_frame *f, uint16_t off)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->b + off);
	uint16_t hl;

	if (off == 0 || off + sizeof(*ip) > f->len)
		return;
	hl = (uint16_t)((ip->version_ihl & 0x0f) * 4);
	if (hl < sizeof(*ip) || off + hl > f->len)
		return;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, hl);
}

/*
 * One frame from the input: eight bytes,
 *   [0] the scenario; [1] FZ_V_*; [2] FZ_R_*; [3] the payload (fz_payload); [4] FZ_P_*;
 *   [5] the headroom: 0-126 when the top bit is set, else the usual 128 (even, as a NIC
 *   leaves it: the Ethernet header's alignment); [6] where a second segment starts (0: none);
 *   [7] how many (offset, value) pairs follow, each setting one byte of the first 256;
 * then the IPv4 checksums are made right again unless FZ_R_RAW.
 */
static void
fz_frame_make(struct fz_frame *f, struct fz_input *in)
{
	static const uint64_t ip_ck[] = {
		RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	static const uint64_t l4_ck[] = {
		RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		RTE_MBUF_F_RX_L4_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_NONE,
	};
	const struct fz_scenario *s;
	uint8_t h[8], *p = f->b;
	uint16_t type, inner, pad, payload, i, n;

	for (i = 0; i < RTE_DIM(h); i++)
		h[i] = fz_byte(in);
	f->scenario = h[0] % RTE_DIM(fz_scenarios);
	s = &fz_scenarios[f->scenario];
	f->port = (h[2] & FZ_R_PORT) == 0 ? s->in : (h[2] & FZ_R_PORT) - 1;
	f->ol_flags = ip_ck[(h[2] & FZ_R_IP_CKSUM) >> 2] | l4_ck[(h[2] & FZ_R_L4_CKSUM) >> 5];
	f->ptype = h[2] & FZ_R_PTYPE_TUN ? RTE_PTYPE_L2_ETHER | RTE_PTYPE_TUNNEL_VXLAN : 0;
	f->headroom = h[5] & 0x80 ? h[5] & 0x7e : RTE_PKTMBUF_HEADROOM;
	f->inner = 0;
	payload = fz_payload(s, h[1], h[3], h[4]);

	/* Ethernet to the port it arrives on, an 802.1Q tag maybe. */
	fz_mac(p, &pr_ports[f->port].mac);
	memcpy(p + 6, "\x02\x00\x00\x00\xaa\x01", 6);
	f->l3 = RTE_ETHER_HDR_LEN;
	if (h[1] & FZ_V_VLAN) {
		memcpy(p + 12, "\x81\x00\x00\x64", 4);
		f->l3 += 4;
	}
	if (s->tunnel == FZ_TUN_NONE) {
		f->len = (uint16_t)(f->l3 + fz_l3(p + f->l3, s, h[1], payload, &type));
	} else {
		/* The inner packet first, where it goes, then the headers in front of it. */
		inner = s->tunnel == FZ_TUN_IPIP ? sizeof(struct rte_ipv4_hdr) :
			sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + 8 +
			RTE_ETHER_HDR_LEN;
		n = fz_l3(p + f->l3 + inner, s, h[1], payload, &type);
		fz_outer(p + f->l3, s, n);
		if (s->tunnel != FZ_TUN_IPIP) /* the inner Ethernet type */
			memcpy(p + f->l3 + inner - 2, &type, sizeof(type));
		f->inner = s->l3 == FZ_L3_IPV4 ? f->l3 + inner : 0;
		f->len = (uint16_t)(f->l3 + inner + n);
		type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	memcpy(p + f->l3 - 2, &type, sizeof(type));
	pad = h[4] & FZ_P_LEN;
	memset(p + f->len, 0, pad);
	f->len += pad;
	f->split = h[6] < f->len ? h[6] : 0;

	n = h[7] % (FZ_MUT_MAX + 1);
	for (i = 0; i < n; i++) {
		uint8_t off = fz_byte(in), v = fz_byte(in);

		if (off < f->len)
			p[off] = v;
	}
	if (!(h[2] & FZ_R_RAW)) {
		fz_fix_cksum(f, f->inner); /* the inner one first: the outer does not cover it */
		if (s->l3 == FZ_L3_IPV4 || s->tunnel != FZ_TUN_NONE)
			fz_fix_cksum(f, f->l3);
	}
}

/* The frame in pool mbufs, as rx hands it over (one segment, or two). */
static struct rte_mbuf *
fz_mbuf(const struct fz_frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz_mp), *m2;
	uint16_t first = f->split ? f->split : f->len;

	if (m == NULL)
		abort();
	m->data_off = f->headroom;
	memcpy(rte_pktmbuf_mtod(m, void *), f->b, first);
	m->data_len = m->pkt_len = first;
	m->port = fz_port_id[f->port];
	m->ol_flags = f->ol_flags;
	m->packet_type = f->ptype;
	memset(pr_md(m), FZ_MD_POISON, sizeof(struct pr_md));
	if (f->split) {
		m2 = rte_pktmbuf_alloc(fz_mp);
		if (m2 == NULL)
			abort();
		memcpy(rte_pktmbuf_mtod(m2, void *), f->b + first, f->len - first);
		m2->data_len = m2->pkt_len = f->len - first;
		if (rte_pktmbuf_chain(m, m2) != 0)
			abort();
	}
	return m;
}

/* ---------------------------------------------------------------- the two walks */

/* A packet as a stage sees it: what the mbuf says of it, its metadata, its bytes. */
struct fz_snap {
	uint16_t data_off, data_len, pkt_len, nb_segs, l2_len, l3_len;
	uint64_t ol_flags;
	uint32_t packet_type;
	struct pr_md md;
	uint16_t len; /* bytes copied: every segment's, up to pkt_len */
	uint8_t b[FZ_SNAP_MAX];
};

static void
fz_snap_take(struct fz_snap *s, const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg;
	uint32_t want = m->pkt_len, n;

	s->data_off = m->data_off;
	s->data_len = m->data_len;
	s->pkt_len = (uint16_t)m->pkt_len;
	s->nb_segs = m->nb_segs;
	s->l2_len = m->l2_len;
	s->l3_len = m->l3_len;
	s->ol_flags = m->ol_flags;
	s->packet_type = m->packet_type;
	memcpy(&s->md, rte_mbuf_to_priv((struct rte_mbuf *)(uintptr_t)m), sizeof(s->md));
	s->len = 0;
	for (seg = m; seg != NULL && want > 0; seg = seg->next) {
		n = RTE_MIN(RTE_MIN((uint32_t)seg->data_len, want), FZ_SNAP_MAX - (uint32_t)s->len);
		memcpy(s->b + s->len, rte_pktmbuf_mtod(seg, const uint8_t *), n);
		s->len = (uint16_t)(s->len + n);
		want -= n;
	}
}

/*
 * The fields of struct pr_md compared: those the node a packet goes to (or the stage after
 * it) reads. A packet sent needs none; fast writes md->nh only for what it leaves to output.
 */
#define FZ_MD_PARSE 0x01  /* l3, l3_off, l4, l4_off, flags, vlan_tci: parse's */
#define FZ_MD_TUNNEL 0x02 /* parse -> decap */
#define FZ_MD_NH 0x04     /* route -> output, hold, icmp, frag */
#define FZ_MD_DROP 0x08   /* -> drop, icmp */
#define FZ_MD_ARG 0x10    /* output -> hold, icmp, frag */
#define FZ_MD_OUT_PORT 0x20 /* output -> hold */

/* The first difference between two packets, or NULL; `md`: the FZ_MD_* to compare too. */
static const char *
fz_snap_diff(const struct fz_snap *a, const struct fz_snap *b, unsigned int md)
{
	const struct pr_md *x = &a->md, *y = &b->md;

	if (a->data_off != b->data_off)
		return "data_off";
	if (a->data_len != b->data_len || a->pkt_len != b->pkt_len || a->nb_segs != b->nb_segs)
		return "length (data_len, pkt_len or nb_segs)";
	if (a->ol_flags != b->ol_flags || a->l2_len != b->l2_len || a->l3_len != b->l3_len)
		return "offload flags or lengths";
	if (a->packet_type != b->packet_type)
		return "packet_type";
	if (a->len != b->len || memcmp(a->b, b->b, a->len) != 0)
		return "packet bytes";
	if ((md & FZ_MD_DROP) && x->drop != y->drop)
		return "md->drop";
	if ((md & FZ_MD_ARG) && x->arg != y->arg)
		return "md->arg";
	if ((md & FZ_MD_OUT_PORT) && x->out_port != y->out_port)
		return "md->out_port";
	if ((md & FZ_MD_NH) && x->nh != y->nh)
		return "md->nh";
	if ((md & FZ_MD_TUNNEL) && x->tunnel != y->tunnel)
		return "md->tunnel";
	if (!(md & FZ_MD_PARSE))
		return NULL;
	if (x->l3 != y->l3 || x->l3_off != y->l3_off || x->flags != y->flags)
		return "md->l3, l3_off or flags";
	if ((x->flags & PR_MD_F_VLAN) && x->vlan_tci != y->vlan_tci)
		return "md->vlan_tci";
	if (x->l3 == PR_L3_IPV4 && (x->l4 != y->l4 || x->l4_off != y->l4_off))
		return "md->l4 or l4_off";
	return NULL;
}

enum fz_node {
	FZ_FAST,
	FZ_PARSE,
	FZ_DECAP,
	FZ_ROUTE,
	FZ_OUTPUT,
	FZ_NODE_COUNT,
	FZ_END = FZ_NODE_COUNT,
};

static const char *const fz_node_names[] = { "fast", "parse", "decap", "route", "output" };

/* Where a packet left the stages. */
enum fz_end {
	FZ_END_TX,
	FZ_END_DROP,
	FZ_END_HOLD,
	FZ_END_ICMP,
	FZ_END_FRAG,
	FZ_END_ARP,
	FZ_END_COUNT,
};

static const char *const fz_end_names[] = { "tx", "drop", "hold", "icmp", "frag", "arp" };

/* One packet's way through one walk. */
struct fz_trace {
	uint8_t end;  /* enum fz_end */
	uint8_t port; /* FZ_END_TX: enum fz_port */
	uint8_t visited; /* a bit per enum fz_node */
	uint16_t edge[FZ_NODE_COUNT];  /* the edge each node visited gave it */
	struct fz_snap after[FZ_NODE_COUNT]; /* the packet as each node visited left it */
	struct fz_snap last;
};

struct fz_walk {
	const char *name;
	const struct node_table *nodes; /* the published node table, or none yet */
	struct pr_stats st;
	struct output_ctx fast_ctx, out_ctx;
	struct rte_mbuf *m[FZ_BURST];
	struct fz_trace t[FZ_BURST];
};

/* The enum fz_port whose tx node `edge` leads to from fast (fast) or output, or -1. */
static int
fz_tx_port(uint16_t edge, bool fast)
{
	unsigned int i;

	for (i = 0; i < FZ_PORT_COUNT; i++)
		if (edge == (fast ? fast_tx_edge[fz_port_id[i]] : out_cfg.port[fz_port_id[i]].edge))
			return (int)i;
	return -1;
}

static void fz_fail(const char *what, unsigned int k) __attribute__((noreturn));

/* The end a packet came to, counted as the drop node counts it. */
static enum fz_node
fz_end(struct fz_walk *w, unsigned int k, enum fz_end end, int port)
{
	const struct pr_md *md = pr_md(w->m[k]);

	if (end == FZ_END_DROP) {
		if (md->drop >= PR_DROP_COUNT)
			fz_fail("dropped without a reason", k);
		w->st.drop[md->drop]++;
	}
	w->t[k].end = (uint8_t)end;
	w->t[k].port = (uint8_t)(port < 0 ? 0 : port);
	return FZ_END;
}

/* Where the graph takes a packet that `node` gave `edge` (worker.c composes these edges). */
static enum fz_node
fz_follow(struct fz_walk *w, unsigned int k, enum fz_node node, uint16_t edge)
{
	int port;

	if (edge == PR_EDGE_DROP)
		return fz_end(w, k, FZ_END_DROP, -1);
	switch (node) {
	case FZ_FAST:
		if (edge == FAST_EDGE_PARSE)
			return FZ_PARSE;
		if (edge == FAST_EDGE_DECAP)
			return FZ_DECAP;
		if (edge == FAST_EDGE_ROUTE)
			return FZ_ROUTE;
		if (edge == FAST_EDGE_OUTPUT)
			return FZ_OUTPUT;
		port = fz_tx_port(edge, true);
		if (port >= 0)
			return fz_end(w, k, FZ_END_TX, port);
		break;
	case FZ_PARSE:
	case FZ_DECAP:
		if (edge == PR_EDGE_ARP || (node == FZ_DECAP && edge == PR_EDGE_NEXT))
			return fz_end(w, k, FZ_END_ARP, -1);
		if (edge == PR_EDGE_NEXT)
			return FZ_DECAP;
		if (edge == PR_EDGE_L3)
			return FZ_ROUTE;
		break;
	case FZ_ROUTE:
		if (edge == ROUTE_EDGE_NEXT)
			return FZ_OUTPUT;
		if (edge == ROUTE_EDGE_ICMP)
			return fz_end(w, k, FZ_END_ICMP, -1);
		break;
	case FZ_OUTPUT:
		if (edge == OUTPUT_EDGE_HOLD)
			return fz_end(w, k, FZ_END_HOLD, -1);
		if (edge == OUTPUT_EDGE_ICMP)
			return fz_end(w, k, FZ_END_ICMP, -1);
		if (edge == OUTPUT_EDGE_FRAG)
			return fz_end(w, k, FZ_END_FRAG, -1);
		port = fz_tx_port(edge, false);
		if (port >= 0)
			return fz_end(w, k, FZ_END_TX, port);
		break;
	default:
		break;
	}
	fz_fail("an edge the node does not have", k);
}

/*
 * Packets idx[0..n) of the walk's burst at `node`: the node's burst function, then each
 * packet on to the node its edge leads to, those of one node together, in pipeline order.
 */
static void
fz_run(struct fz_walk *w, enum fz_node node, const uint8_t *idx, uint16_t n)
{
	uint8_t to[FZ_NODE_COUNT][FZ_BURST];
	uint16_t nb_to[FZ_NODE_COUNT] = { 0 }, next[FZ_BURST], i;
	void *objs[FZ_BURST];
	enum fz_node nn;

	for (i = 0; i < n; i++)
		objs[i] = w->m[idx[i]];
	switch (node) {
	case FZ_FAST:
		fast_burst(&w->fast_ctx, w->nodes, objs, n, next);
		break;
	case FZ_PARSE:
		parse_burst(&w->st, objs, n, next);
		break;
	case FZ_DECAP:
		decap_burst(&w->st, w->nodes, objs, n, next);
		break;
	case FZ_ROUTE:
		route_burst(&w->st, objs, n, next);
		break;
	default:
		output_burst(&w->out_ctx, objs, n, next);
		break;
	}
	for (i = 0; i < n; i++) {
		struct fz_trace *t = &w->t[idx[i]];

		t->visited |= 1u << node;
		t->edge[node] = next[i];
		fz_snap_take(&t->after[node], w->m[idx[i]]);
		nn = fz_follow(w, idx[i], node, next[i]);
		if (nn != FZ_END)
			to[nn][nb_to[nn]++] = idx[i];
	}
	for (nn = node + 1; nn < FZ_NODE_COUNT; nn++)
		if (nb_to[nn] > 0)
			fz_run(w, nn, to[nn], nb_to[nn]);
}

/* ---------------------------------------------------------------- the checks */

static struct fz_walk fz_a = { .name = "A (fast)" }, fz_b = { .name = "B (stages)" };
static struct fz_frame fz_frames[FZ_BURST];
static struct fz_snap fz_in[FZ_BURST]; /* each packet as it arrived */
static uint16_t fz_nb;
/* How often fast took each edge (drop, parse, decap, route, output, a tx node), each end. */
static const char *const fz_exit_names[] = { "drop", "parse", "decap", "route", "output", "tx" };
static uint64_t fz_seen_exit[RTE_DIM(fz_exit_names)], fz_seen_end[FZ_END_COUNT];
static bool fz_verbose; /* FZ_FAST_STATS=2: each packet's ways too */

static unsigned int
fz_exit_index(uint16_t edge)
{
	switch (edge) {
	case FAST_EDGE_DROP:
		return 0;
	case FAST_EDGE_PARSE:
		return 1;
	case FAST_EDGE_DECAP:
		return 2;
	case FAST_EDGE_ROUTE:
		return 3;
	case FAST_EDGE_OUTPUT:
		return 4;
	default:
		return 5;
	}
}

static void
fz_print_md(const char *who, const struct fz_snap *s)
{
	const struct pr_md *md = &s->md;

	fprintf(stderr, "  %s: len %u (data_len %u, %u segs, data_off %u), ol_flags 0x%" PRIx64
		"; md drop %u (%s) arg 0x%x out_port %u nh %u l3 %u l4 %u l3_off %u l4_off %u "
		"flags 0x%x tunnel %u\n", who, s->pkt_len, s->data_len, s->nb_segs, s->data_off,
		s->ol_flags, md->drop, md->drop < PR_DROP_COUNT ? pr_drop_names[md->drop] : "-",
		md->arg, md->out_port, md->nh, md->l3, md->l4, md->l3_off, md->l4_off, md->flags,
		md->tunnel);
}

static void
fz_print_trace(const struct fz_walk *w, unsigned int k)
{
	const struct fz_trace *t = &w->t[k];
	unsigned int i;

	fprintf(stderr, "  %s:", w->name);
	for (i = 0; i < FZ_NODE_COUNT; i++)
		if (t->visited & (1u << i))
			fprintf(stderr, " %s->%u", fz_node_names[i], t->edge[i]);
	fprintf(stderr, ", ends %s", fz_end_names[t->end]);
	if (t->end == FZ_END_TX)
		fprintf(stderr, " by %s", pr_ports[t->port].name);
	fprintf(stderr, "\n");
}

/* The first bytes where two packets differ, both shown. */
static void
fz_print_bytes(const struct fz_snap *a, const struct fz_snap *b)
{
	unsigned int i, off = 0, n = RTE_MIN(a->len, b->len);

	while (off < n && a->b[off] == b->b[off])
		off++;
	off &= ~15u;
	fprintf(stderr, "  first difference from byte %u:\n   A", off);
	for (i = off; i < off + 32 && i < a->len; i++)
		fprintf(stderr, " %02x", a->b[i]);
	fprintf(stderr, "\n   B");
	for (i = off; i < off + 32 && i < b->len; i++)
		fprintf(stderr, " %02x", b->b[i]);
	fprintf(stderr, "\n");
}

static void
fz_fail(const char *what, unsigned int k)
{
	const struct fz_frame *f = &fz_frames[k];

	fz_snap_take(&fz_a.t[k].last, fz_a.m[k]);
	fz_snap_take(&fz_b.t[k].last, fz_b.m[k]);
	fprintf(stderr, "fuzz_fast: packet %u of %u: %s\n  scenario %u, in by %s, %u bytes, "
		"headroom %u, split %u, ol_flags 0x%" PRIx64 ", ptype 0x%x\n", k, fz_nb, what,
		f->scenario, pr_ports[f->port].name, f->len, f->headroom, f->split, f->ol_flags,
		f->ptype);
	fz_print_trace(&fz_a, k);
	fz_print_trace(&fz_b, k);
	fz_print_md("A", &fz_a.t[k].last);
	fz_print_md("B", &fz_b.t[k].last);
	abort();
}

/* A difference of the burst's, not of one packet's: every packet's ways, then the last. */
static void __attribute__((noreturn))
fz_fail_burst(const char *what)
{
	unsigned int k;

	for (k = 0; k + 1 < fz_nb; k++) {
		fprintf(stderr, "fuzz_fast: packet %u of %u: scenario %u\n", k, fz_nb,
			fz_frames[k].scenario);
		fz_print_trace(&fz_a, k);
		fz_print_trace(&fz_b, k);
	}
	fz_fail(what, fz_nb - 1);
}

/*
 * A tunnel's outer IPv4 id and checksum, when the ids cannot match (see the top): the
 * checksum checked against its header, then both masked. `id`: the packet's next hop, as
 * route gave it to B (fast does not write md->nh for what it sends).
 */
static void
fz_mask_outer_id(struct fz_snap *s, uint32_t id, unsigned int k)
{
	const struct route_nh *nh;
	struct rte_ipv4_hdr ip;

	if (id >= route_table_max_nh(fz_rt))
		return;
	nh = route_nh(fz_rt, id);
	if (nh->kind == ROUTE_NH_HOST || nh->encap == ROUTE_ENCAP_NONE ||
	    s->len < RTE_ETHER_HDR_LEN + sizeof(ip))
		return;
	memcpy(&ip, s->b + RTE_ETHER_HDR_LEN, sizeof(ip));
	if (out_cfg.port[nh->port].cksum_mask ? rte_raw_cksum(&ip, sizeof(ip)) != 0xffff :
						ip.hdr_checksum != 0)
		fz_fail("a tunnel's outer IPv4 checksum is wrong", k);
	ip.packet_id = 0;
	ip.hdr_checksum = 0;
	memcpy(s->b + RTE_ETHER_HDR_LEN, &ip, sizeof(ip));
}

/*
 * What fast handed a stage is what that stage gets in B from the stage before it: parse and
 * decap get the packet as it arrived; route gets it parsed (B: after parse), or decapsulated
 * and parsed (B: after decap); output gets it routed (B: after route). And B took that way.
 */
static void
fz_check_handover(unsigned int k)
{
	const struct fz_trace *a = &fz_a.t[k], *b = &fz_b.t[k];
	const struct fz_snap *s = &a->after[FZ_FAST], *want;
	static char why[160];
	bool decapped = b->visited & (1u << FZ_DECAP) && b->edge[FZ_DECAP] == PR_EDGE_L3 &&
			b->visited & (1u << FZ_ROUTE);
	unsigned int md;
	const char *d;

	switch (a->edge[FZ_FAST]) {
	case FAST_EDGE_PARSE:
		want = &fz_in[k];
		md = 0; /* parse writes what it reads */
		break;
	case FAST_EDGE_DECAP:
		if (b->edge[FZ_PARSE] != PR_EDGE_NEXT)
			fz_fail("fast left to decap what parse does not send there", k);
		want = &b->after[FZ_PARSE];
		md = FZ_MD_PARSE | FZ_MD_TUNNEL;
		break;
	case FAST_EDGE_ROUTE:
		if (!(b->visited & (1u << FZ_ROUTE)))
			fz_fail("fast left to route what the stages do not route", k);
		want = decapped ? &b->after[FZ_DECAP] : &b->after[FZ_PARSE];
		md = FZ_MD_PARSE | FZ_MD_TUNNEL;
		break;
	case FAST_EDGE_OUTPUT:
		if (!(b->visited & (1u << FZ_ROUTE)) || b->edge[FZ_ROUTE] != ROUTE_EDGE_NEXT)
			fz_fail("fast left to output what route does not send there", k);
		want = &b->after[FZ_ROUTE];
		md = FZ_MD_PARSE | FZ_MD_NH;
		break;
	default:
		return; /* sent or dropped by fast: the ends are compared */
	}
	d = fz_snap_diff(s, want, md);
	/*
	 * Left untouched, but for what decap does: the bytes as they arrived (to parse, that is
	 * the comparison above already).
	 */
	if (d == NULL &&
	    (a->edge[FZ_FAST] == FAST_EDGE_DECAP ||
	     (a->edge[FZ_FAST] == FAST_EDGE_ROUTE && !decapped)) &&
	    fz_snap_diff(s, &fz_in[k], 0) != NULL)
		d = "the packet, changed by fast before it left it to a stage";
	if (d != NULL) {
		snprintf(why, sizeof(why), "fast left it to %s otherwise than B's stages did: %s",
			 fz_node_names[fz_exit_index(a->edge[FZ_FAST])], d);
		fz_print_md("fast left", s);
		fz_print_md("B's stage got", want);
		fz_print_bytes(s, want);
		fz_fail(why, k);
	}
}

/* What the next node reads of a packet that ended so (fz_snap_diff). */
static const unsigned int fz_end_md[FZ_END_COUNT] = {
	[FZ_END_TX] = 0,
	[FZ_END_DROP] = FZ_MD_DROP,
	[FZ_END_HOLD] = FZ_MD_PARSE | FZ_MD_NH | FZ_MD_ARG | FZ_MD_OUT_PORT,
	[FZ_END_ICMP] = FZ_MD_PARSE | FZ_MD_NH | FZ_MD_DROP | FZ_MD_ARG,
	[FZ_END_FRAG] = FZ_MD_PARSE | FZ_MD_NH | FZ_MD_ARG,
	[FZ_END_ARP] = FZ_MD_PARSE,
};

static void
fz_check(void)
{
	static char why[160];
	unsigned int k, i;
	const char *d;

	for (k = 0; k < fz_nb; k++) {
		struct fz_trace *a = &fz_a.t[k], *b = &fz_b.t[k];

		fz_snap_take(&a->last, fz_a.m[k]);
		fz_snap_take(&b->last, fz_b.m[k]);
		fz_check_handover(k);
		if (a->end != b->end || (a->end == FZ_END_TX && a->port != b->port))
			fz_fail("the packet ends elsewhere", k);
		if (fz_nb > 1 && a->end == FZ_END_TX) {
			fz_mask_outer_id(&a->last, b->last.md.nh, k);
			fz_mask_outer_id(&b->last, b->last.md.nh, k);
		}
		d = fz_snap_diff(&a->last, &b->last, fz_end_md[a->end]);
		if (d != NULL) {
			snprintf(why, sizeof(why), "at the end (%s): %s", fz_end_names[a->end], d);
			fz_print_bytes(&a->last, &b->last);
			fz_fail(why, k);
		}
		fz_seen_exit[fz_exit_index(a->edge[FZ_FAST])]++;
		if (fz_verbose) {
			fprintf(stderr, "fuzz_fast: packet %u: scenario %u\n", k,
				fz_frames[k].scenario);
			fz_print_trace(&fz_a, k);
			fz_print_trace(&fz_b, k);
		}
		fz_seen_end[a->end]++;
	}
	for (i = 0; i < PR_CTR_COUNT; i++)
		if (fz_a.st.ctr[i] != fz_b.st.ctr[i]) {
			fprintf(stderr, "fuzz_fast: counter %s.%s: A %" PRIu64 ", B %" PRIu64 "\n",
				pr_ctr_stages[i], pr_ctr_names[i], fz_a.st.ctr[i], fz_b.st.ctr[i]);
			fz_fail_burst("the counters differ");
		}
	for (i = 0; i < PR_DROP_COUNT; i++)
		if (fz_a.st.drop[i] != fz_b.st.drop[i]) {
			fprintf(stderr, "fuzz_fast: drop %s: A %" PRIu64 ", B %" PRIu64 "\n",
				pr_drop_names[i], fz_a.st.drop[i], fz_b.st.drop[i]);
			fz_fail_burst("the drop counters differ");
		}
}

/*
 * The first input byte: FZ_B_*; then each frame (fz_frame_make). The router's per-input
 * settings first, then both walks, then the checks.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = { data, size };
	struct output_port *up = &out_cfg.port[fz_port_id[FZ_UPLINK]];
	uint8_t g, idx[FZ_BURST];
	uint16_t id, k;
	int known;

	if (size > 4096) /* a burst's worth of frames and mutations is far less */
		return -1;
	g = fz_byte(&in);
	id = (uint16_t)((g >> FZ_B_ID_SHIFT) * 0x4925 + 0xfffe); /* 0xfffe: the wrap too */
	fz_rt->default_nh = g & FZ_B_NO_DEFAULT ? ROUTE_NH_NONE : fz_default_nh;
	out_cfg.host_edge = g & FZ_B_NO_HOST ? PR_EDGE_DROP : fz_host_edge;
	up->cksum_mask = g & FZ_B_HW_CKSUM ? 0 : 0xffff;
	up->ol_flags = g & FZ_B_HW_CKSUM ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM : 0;

	fz_nb = (uint16_t)((g & FZ_B_COUNT) + 1);
	for (k = 0; k < fz_nb; k++) {
		fz_frame_make(&fz_frames[k], &in);
		idx[k] = (uint8_t)k;
	}
	/* Both ways of overlay.require_known_node, each a constant of its own loop in fast. */
	for (known = 0; known < 2; known++) {
		decap_cfg.require_known_node = known != 0;
		for (k = 0; k < fz_nb; k++) {
			fz_a.m[k] = fz_mbuf(&fz_frames[k]);
			fz_b.m[k] = fz_mbuf(&fz_frames[k]);
			fz_snap_take(&fz_in[k], fz_a.m[k]);
			fz_a.t[k].visited = fz_b.t[k].visited = 0; /* snapshots: of visited nodes */
		}
		memset(&fz_a.st, 0, sizeof(fz_a.st));
		memset(&fz_b.st, 0, sizeof(fz_b.st));
		fz_a.nodes = fz_b.nodes = g & FZ_B_NO_NODES ? NULL : &fz_nodes;
		fz_a.fast_ctx = (struct output_ctx){ .stats = &fz_a.st, .ip_id = id };
		fz_a.out_ctx = (struct output_ctx){ .stats = &fz_a.st, .ip_id = id };
		fz_b.out_ctx = (struct output_ctx){ .stats = &fz_b.st, .ip_id = id };

		fz_run(&fz_a, FZ_FAST, idx, fz_nb);
		fz_run(&fz_b, FZ_PARSE, idx, fz_nb);
		fz_check();
		for (k = 0; k < fz_nb; k++) {
			rte_pktmbuf_free(fz_a.m[k]);
			rte_pktmbuf_free(fz_b.m[k]);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- set-up */

/* The stubs of the worker code the included files refer to: no graph is ever made here. */
struct pr_tables *pr_tables_live;

struct pr_stats *
pr_stage_stats_for_graph(const struct rte_graph *graph)
{
	return NULL;
}

uint16_t
pr_stage_txq_for_graph(const struct rte_graph *graph)
{
	return 0;
}

static void __attribute__((noreturn))
fz_setup_fail(const char *what, int err)
{
	fprintf(stderr, "fuzz_fast: set-up: %s: %s\n", what, strerror(err));
	exit(1);
}

static struct pr_config *
fz_config(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	struct pr_config *cfg;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/fuzz_fast.XXXXXX", tmp != NULL ? tmp : "/tmp");
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL || fputs(fz_yaml, f) < 0 || fclose(f) != 0)
		fz_setup_fail(path, errno);
	cfg = config_load(path, stderr);
	unlink(path);
	if (cfg == NULL)
		fz_setup_fail("config_load", EINVAL);
	return cfg;
}

/* Each port's tx clone, with output's and fast's edges to it, as worker.c makes them. */
static void
fz_ports(void)
{
	char name[RTE_NODE_NAMESIZE];
	unsigned int i;
	int rc;

	if (pr_nb_ports != FZ_PORT_COUNT)
		fz_setup_fail("ports", ENODEV);
	for (i = 0; i < FZ_PORT_COUNT; i++) {
		fz_port_id[i] = pr_ports[i].port_id;
		rc = io_tx_clone(fz_port_id[i], pr_ports[i].name, name, sizeof(name));
		if (rc == 0)
			rc = output_add_port(fz_port_id[i], name);
		if (rc == 0)
			rc = fast_add_port(fz_port_id[i], name);
		if (rc != 0)
			fz_setup_fail(name, -rc);
	}
	fz_host_edge = (uint16_t)output_port_edge(fz_port_id[FZ_HOST]);
}

static int
fz_route_order(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	uint64_t kx = (uint64_t)rte_be_to_cpu_32(x->prefix) << 8 | x->plen;
	uint64_t ky = (uint64_t)rte_be_to_cpu_32(y->prefix) << 8 | y->plen;

	return kx < ky ? -1 : kx > ky;
}

/* The routes, in as many syncs as fz_steps: each adds its own with its settings. */
static void
fz_routes_sync(void)
{
	struct route v[RTE_DIM(fz_routes) + FZ_FILL];
	struct route_table want = { .refcnt = 1, .v = v };
	uint32_t gateway = out_cfg.gateway;
	struct route_sync_stats rs;
	unsigned int s, i;
	int rc;

	for (s = 0; s < RTE_DIM(fz_steps); s++) {
		out_cfg.encap = fz_steps[s].encap;
		out_cfg.udp_port_be = rte_cpu_to_be_16(fz_steps[s].udp_port);
		out_cfg.gateway = fz_steps[s].no_gateway ? 0 : gateway;
		want.nb = 0;
		for (i = 0; i < RTE_DIM(fz_routes); i++)
			if (fz_routes[i].step <= s)
				v[want.nb++] = (struct route){
					.prefix = rte_cpu_to_be_32(fz_routes[i].prefix),
					.plen = fz_routes[i].plen, .kind = fz_routes[i].kind,
					.via = rte_cpu_to_be_32(fz_routes[i].via) };
		for (i = 1; s == FZ_FILL_STEP && i <= FZ_FILL; i++)
			v[want.nb++] = (struct route){
				.prefix = rte_cpu_to_be_32(0x0afa0000 | i << 8), .plen = 24,
				.kind = ROUTE_REMOTE_NODE,
				.via = rte_cpu_to_be_32(0xc6120064 + i) };
		qsort(v, want.nb, sizeof(v[0]), fz_route_order);
		rc = route_table_sync(fz_rt, &want, &rs);
		if (rc != 0 || rs.failed != 0 || rs.invalid != 0)
			fz_setup_fail("route_table_sync", rc != 0 ? -rc : EINVAL);
	}
	out_cfg.gateway = gateway;
	fz_default_nh = fz_rt->default_nh;
	/* Each route's next hop as the scenarios expect it, or the target tests less. */
	for (i = 0; i < RTE_DIM(fz_routes); i++) {
		const struct fz_route *r = &fz_routes[i];
		uint32_t dst = rte_cpu_to_be_32(r->prefix | (r->plen < 32 ? 5 : 0)), id;
		const struct route_nh *nh;

		route_lookup_bulk(fz_rt, &dst, &id, 1);
		nh = id != ROUTE_NH_NONE ? route_nh(fz_rt, id) : NULL;
		if (nh == NULL || nh->kind != r->kind || nh->via != rte_cpu_to_be_32(r->via) ||
		    (r->kind == ROUTE_REMOTE_NODE && nh->encap != fz_steps[r->step].encap) ||
		    (r->kind != ROUTE_HOST && nh->usable != !fz_steps[r->step].no_gateway))
			fz_setup_fail("a route's next hop is not what it should be", EINVAL);
	}
	{
		uint32_t dst = fz_scenarios[RTE_DIM(fz_scenarios) - 1].dst, id;

		route_lookup_bulk(fz_rt, &dst, &id, 1);
		if (id == ROUTE_NH_NONE || route_nh(fz_rt, id)->neigh != NEIGH_NONE)
			fz_setup_fail("the neighbour table is not full", EINVAL);
	}
}

static void
fz_nodes_make(void)
{
	static uint32_t local[] = { FZ_IP4(198, 18, 0, 2), FZ_IP4(10, 244, 1, 1) };
	static uint32_t node[] = {
		FZ_IP4(198, 18, 0, 3), FZ_IP4(198, 18, 0, 4), FZ_IP4(198, 18, 0, 5),
		FZ_IP4(198, 18, 0, 6), FZ_IP4(198, 18, 0, 7), FZ_IP4(203, 0, 113, 5),
	};

	fz_nodes = (struct node_table){ .refcnt = 1, .nb_nodes = RTE_DIM(node), .node_ips = node,
					.nb_local = RTE_DIM(local), .local_ips = local };
	if (addr_set_build(&fz_nodes.node_set, node, RTE_DIM(node)) != 0 ||
	    addr_set_build(&fz_nodes.local_set, local, RTE_DIM(local)) != 0)
		fz_setup_fail("node sets", ENOMEM);
}

static void
fz_stats_print(void)
{
	unsigned int i;

	fprintf(stderr, "fuzz_fast: fast's edges:");
	for (i = 0; i < RTE_DIM(fz_exit_names); i++)
		fprintf(stderr, " %s %" PRIu64, fz_exit_names[i], fz_seen_exit[i]);
	fprintf(stderr, "; ends:");
	for (i = 0; i < FZ_END_COUNT; i++)
		fprintf(stderr, " %s %" PRIu64, fz_end_names[i], fz_seen_end[i]);
	fprintf(stderr, "\n");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { "fuzz_fast", "-l", "0", "--no-huge", "--no-shconf", "-m", "512",
			"--no-pci", "--no-telemetry", "--vdev", "net_null0", "--vdev",
			"net_null1", "--vdev", "net_null2", "--log-level=4", NULL };
	struct neigh_table *neigh;
	int rc;

	fz_cfg = fz_config();
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0)
		fz_setup_fail("EAL", rte_errno);
	fz_mp = rte_pktmbuf_pool_create("fuzz_fast", 1024, 0, PR_MBUF_PRIV_SIZE,
					RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (fz_mp == NULL)
		fz_setup_fail("mempool", rte_errno);
	rc = ports_init(fz_cfg, fz_mp);
	if (rc != 0)
		fz_setup_fail("ports_init", -rc);
	neigh = neigh_create(fz_cfg, fz_mp, NULL, 1);
	if (neigh == NULL)
		fz_setup_fail("neigh_create", errno);
	fz_rt = route_table_create("fuzz_fast", 64, SOCKET_ID_ANY, NULL);
	if (fz_rt == NULL)
		fz_setup_fail("route_table_create", errno);
	fz_ports();
	rc = output_configure(fz_cfg, fz_rt, neigh, fz_host_edge);
	if (rc == 0)
		rc = decap_configure(fz_cfg->y->overlay);
	if (rc != 0)
		fz_setup_fail("configure", -rc);
	route_configure(fz_cfg, fz_rt);
	route_table_set_resolver(fz_rt, &(struct route_nh_resolver){ .init = output_nh_init,
								      .fini = output_nh_fini });
	fz_routes_sync();
	fz_nodes_make();
	if (getenv("FZ_FAST_STATS") != NULL) {
		fz_verbose = strcmp(getenv("FZ_FAST_STATS"), "2") == 0;
		atexit(fz_stats_print);
	}
	return 0;
}
