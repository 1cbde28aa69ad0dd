/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What route (pipeline/route.c) shares with fast (pipeline/fast.c), which takes route's
 * common case inline: the source check, the TTL update, the counter of each next-hop kind.
 */
#ifndef PR_ROUTE_H
#define PR_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "counters.h"
#include "route_table.h"

/*
 * PR_MD_F_ROUTED for a pod-facing port, whose sources are checked, else 0: a packet's source
 * is checked when route_rpf[port] & ~flags, that is from such a port and not routed already.
 * Set once by route_configure().
 */
extern uint8_t route_rpf[RTE_MAX_ETHPORTS];

/* The route counter of each next-hop kind (a next hop keeps its own: route_nh.route_ctr). */
static const uint16_t route_kind_ctr[ROUTE_NH_KIND_COUNT] = {
	[ROUTE_NH_LOCAL_CIDR] = PR_CTR_ROUTE_LOCAL_CIDR,
	[ROUTE_NH_LOCAL_POD] = PR_CTR_ROUTE_LOCAL_POD,
	[ROUTE_NH_REMOTE_NODE] = PR_CTR_ROUTE_REMOTE,
	[ROUTE_NH_HOST] = PR_CTR_ROUTE_HOST,
	[ROUTE_NH_DEFAULT] = PR_CTR_ROUTE_DEFAULT,
};

/*
 * RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), for the 16-bit word holding TTL and protocol:
 * with m' = m - 0x0100, ~m + m' is the constant 0xfeff, and ~(~HC + 0xfeff) is HC + 0x0100
 * in ones' complement arithmetic, except that eqn. 3 gives 0x0000 where that sum gives
 * 0xffff (the other zero; test_route checks every value). Done in network order, where
 * 0x0100 reads 0x0001 (the ones' complement sum commutes with byte swapping).
 */
static __rte_always_inline void
route_ttl_dec(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = (uint32_t)ip->hdr_checksum + RTE_BE16(0x0100);

	sum = (sum & 0xffff) + (sum >> 16);
	ip->time_to_live--;
	ip->hdr_checksum = sum == 0xffff ? 0 : (uint16_t)sum;
}

/*
 * What the vector lookups of four packets (route's and fast's) take of one: its destination
 * and source; true when its source is to be checked (from a pod-facing port, not routed yet).
 */
static __rte_always_inline bool
route_gather(const struct rte_ipv4_hdr *ip, uint8_t flags, uint16_t port, uint32_t *dst,
	     uint32_t *src)
{
	*dst = ip->dst_addr;
	*src = ip->src_addr;
	return (route_rpf[port] & ~flags) != 0;
}

/*
 * Calico's RPF check: a packet from a pod-facing port must come from a pod of this node
 * behind that port (a /32 route of kind LOCAL_POD leaving by that port).
 */
static __rte_always_inline bool
route_spoofed(const struct route_lpm *rt, const struct rte_mbuf *m, uint32_t src_nh)
{
	const struct route_nh *h;

	if (src_nh == ROUTE_NH_NONE)
		return true;
	h = route_nh(rt, src_nh);
	return h->kind != ROUTE_NH_LOCAL_POD || h->port != m->port;
}

#endif
