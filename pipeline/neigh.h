/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table: the MAC of every next hop the router sends to (pods of this node,
 * other nodes, the gateway), found with ARP (RFC 826) and kept fresh as Linux's neighbour
 * subsystem does: REACHABLE for neighbours.reachable_ms after a confirmation, then STALE
 * (still used) and probed with unicast requests while routes use it, FAILED after
 * neighbours.probes unanswered requests; static entries from the config never change.
 *
 * One writer, the control core (neigh_poll); the workers only read, without locks:
 *
 *  - an entry's MAC and state are one 64-bit word, read with one atomic load;
 *  - a route's next hop names its entry by id (pipeline/route_table.h), found when the next
 *    hop was made; a destination without one (an address of this node's pod CIDR that no
 *    Pod object names yet) is looked up in an rte_hash with lock-free readers;
 *  - ids and hash slots are reused only after the workers' RCU grace period.
 *
 * What the workers cannot do themselves goes to the control core through rings, and back:
 * a packet for a next hop without a usable MAC is handed over (hold ring) and held, at most
 * neighbours.hold per next hop, while the control core asks with ARP (at most one request
 * per neighbours.retransmit_ms); the ARP that workers receive for the router is passed on as
 * small events (sender, MAC, port) to learn from; when the answer comes, the held packets
 * are re-injected into the worker's graph (inject ring, one per worker), as are the ARP
 * requests the control core makes. Costs and timers: docs/routing.md.
 */
#ifndef PR_NEIGH_H
#define PR_NEIGH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#define NEIGH_NONE UINT32_MAX

/* The entry word: MAC in bytes 0-5 (as on the wire, little-endian load), flags above. */
#define NEIGH_W_VALID (UINT64_C(1) << 48)     /* the MAC may be used */
#define NEIGH_W_MAC_MASK ((UINT64_C(1) << 48) - 1)

enum neigh_state {
	NEIGH_FREE = 0,
	NEIGH_INCOMPLETE, /* no MAC yet; requests go out while packets wait */
	NEIGH_REACHABLE,
	NEIGH_STALE,      /* MAC used, not confirmed lately */
	NEIGH_PROBE,      /* stale and in use: unicast requests out */
	NEIGH_FAILED,     /* no answer: packets for it are dropped */
	NEIGH_PERMANENT,  /* from the config */
	NEIGH_STATE_COUNT,
};

/* What the workers read. 16 bytes: four entries per cache line. */
struct neigh_entry {
	uint64_t word; /* MAC | NEIGH_W_* */
	uint32_t ip;   /* network order */
	uint16_t port; /* ethdev port id */
	uint16_t rsvd;
};

/* ARP that a worker saw for the router, for the control core to learn from. */
enum neigh_event_kind {
	NEIGH_EV_REQUEST,    /* the sender asked for one of our addresses */
	NEIGH_EV_REPLY,      /* an answer addressed to us */
	NEIGH_EV_GRATUITOUS, /* sender == target: an announcement */
};

struct neigh_event {
	uint32_t ip; /* network order */
	uint16_t port;
	uint8_t kind;
	uint8_t rsvd;
	struct rte_ether_addr mac;
	uint16_t rsvd2;
};
_Static_assert(sizeof(struct neigh_event) == 16, "ring elements are 16 bytes");

struct neigh_ctl;
struct pr_config;
struct pr_stats;

struct neigh_table {
	/* Read by the workers. */
	struct neigh_entry *e;     /* indexed by id */
	struct rte_hash *by_ip;    /* ip -> id */
	struct rte_ring *hold;     /* workers -> control: packets waiting for a MAC */
	struct rte_ring *events;   /* workers -> control: struct neigh_event */
	struct rte_ring **inject;  /* control -> worker w: packets to send */
	/* The control core's side. */
	struct neigh_ctl *ctl;
};

/* The table the workers read; set by neigh_create(), before they start. */
extern struct neigh_table *neigh_live;

/* ---- worker side */

/* A MAC as the low 48 bits of an entry word. */
static __rte_always_inline uint64_t
neigh_mac_word(const struct rte_ether_addr *mac)
{
	uint64_t w = 0;

	memcpy(&w, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	return w;
}

static __rte_always_inline uint64_t
neigh_word(const struct neigh_table *t, uint32_t id)
{
	return __atomic_load_n(&t->e[id].word, __ATOMIC_ACQUIRE);
}

/* The entry of ip (network order), or NEIGH_NONE. */
static __rte_always_inline uint32_t
neigh_find(const struct neigh_table *t, uint32_t ip)
{
	void *data;

	if (rte_hash_lookup_data(t->by_ip, &ip, &data) < 0)
		return NEIGH_NONE;
	return (uint32_t)(uintptr_t)data;
}

/* The ring worker w's inject node reads. */
struct rte_ring *neigh_inject_ring(unsigned int worker);

/* ---- control side */

/*
 * The table for cfg (tables.neighbours entries, the static ones installed), its rings for
 * nb_workers workers; ARP requests are built from mp. Entries are reused after a grace
 * period of qsbr (NULL: at once, where no worker reads the table). NULL with errno on failure.
 */
struct neigh_table *neigh_create(const struct pr_config *cfg, struct rte_mempool *mp,
				 struct rte_rcu_qsbr *qsbr, unsigned int nb_workers);

/*
 * A reference to the entry of ip on port (made INCOMPLETE if absent; nothing is asked
 * until a packet needs it). Its id, or NEIGH_NONE when the table is full.
 */
uint32_t neigh_ref(struct neigh_table *t, uint32_t ip, uint16_t port);
void neigh_unref(struct neigh_table *t, uint32_t id);

/*
 * The control core's share: held packets, ARP events, timers (requests, probes, ageing);
 * counts into st. Non-blocking; call it every few milliseconds.
 */
void neigh_poll(struct neigh_table *t, uint64_t now_ns, struct pr_stats *st);

/* What neigh_dump_live() copies out of an entry in use. */
struct neigh_info {
	uint32_t ip;
	uint16_t port;
	uint8_t state; /* enum neigh_state */
	uint8_t probes;
	struct rte_ether_addr mac;
	uint32_t ref;
	uint32_t held;
	uint64_t age_ms; /* since the last confirmation or change */
};
/*
 * Up to max entries of the live table (neigh_live), from any thread; none once it is gone:
 * neigh_free() waits for a dump in progress.
 */
unsigned int neigh_dump_live(struct neigh_info *out, unsigned int max, uint64_t now_ns);
const char *neigh_state_name(unsigned int state);

/* Drop what is held and free the table (after the workers have stopped). */
void neigh_free(struct neigh_table *t);

#endif
