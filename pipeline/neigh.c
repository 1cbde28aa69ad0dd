/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table's control side: entries, ARP requests and probes, learning, held
 * packets, ageing. Everything here runs on the control core; what the workers read is in
 * neigh.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "config.h"
#include "log.h"
#include "neigh.h"
#include "ports.h"
#include "stage.h"

#define LOG_MODULE "neigh"
#define LOG_TYPE neigh_logtype
PR_LOG_REGISTER(neigh);

#define NEIGH_HOLD_RING 4096
#define NEIGH_EVENT_RING 1024
#define NEIGH_INJECT_RING 1024
#define NEIGH_POLL_BURST 64
#define NEIGH_MS 1000000ull

struct neigh_table *neigh_live;

/* The control core's view of one entry. */
struct neigh_state_ctl {
	uint8_t state;  /* enum neigh_state */
	uint8_t probes; /* requests sent in this round */
	uint32_t ref;   /* next hops of the route table that name it */
	uint64_t changed_ns; /* last confirmation or change of state */
	uint64_t next_ns;    /* when the next request is due (INCOMPLETE, PROBE) */
	struct rte_mbuf **held;
	uint32_t nb_held;
	uint32_t live_pos; /* its place in neigh_ctl.live */
};

/* What the control core knows of a port: where requests come from. */
struct neigh_port {
	bool used;
	struct rte_ether_addr mac;
	const struct pr_port_conf *conf;
};

struct neigh_ctl {
	/* Held by the control core while it changes entries, and by neigh_dump (telemetry). */
	pthread_mutex_t lock;
	uint32_t max;
	uint32_t *free_ids; /* a stack */
	uint32_t nb_free;
	/* The ids in use, in no order: what the timers and dumps walk, not every id. */
	uint32_t *live;
	uint32_t nb_live;
	struct neigh_state_ctl *s;
	struct rte_mempool *mp;
	unsigned int nb_workers;
	uint64_t reachable_ns, retransmit_ns, gc_ns;
	uint64_t delay_ns; /* stale this long before a probe (Linux's delay_first_probe_time) */
	uint32_t probes, hold;
	/*
	 * Packets held, all entries together, and the most there may be: a quarter of the mbuf
	 * pool, so that a sweep of unresolvable addresses cannot starve the ports of mbufs.
	 */
	uint32_t nb_held, max_held;
	uint64_t last_age; /* when the timers last ran */
	bool rcu; /* workers read the hash: a deleted key's slot and id wait for their grace */
	struct neigh_port port[RTE_MAX_ETHPORTS];
};

static const char *const neigh_state_names[NEIGH_STATE_COUNT] = {
	[NEIGH_FREE] = "free",
	[NEIGH_INCOMPLETE] = "incomplete",
	[NEIGH_REACHABLE] = "reachable",
	[NEIGH_STALE] = "stale",
	[NEIGH_PROBE] = "probe",
	[NEIGH_FAILED] = "failed",
	[NEIGH_PERMANENT] = "permanent",
};

const char *
neigh_state_name(unsigned int state)
{
	return state < NEIGH_STATE_COUNT ? neigh_state_names[state] : "?";
}

struct rte_ring *
neigh_inject_ring(unsigned int worker)
{
	return neigh_live != NULL ? neigh_live->inject[worker] : NULL;
}

/* Publish an entry's MAC and state to the workers. */
static void
neigh_publish(struct neigh_table *t, uint32_t id, uint64_t mac_word)
{
	uint8_t state = t->ctl->s[id].state;
	uint64_t w = mac_word & NEIGH_W_MAC_MASK;

	if (state == NEIGH_REACHABLE || state == NEIGH_PERMANENT || state == NEIGH_STALE ||
	    state == NEIGH_PROBE)
		w |= NEIGH_W_VALID;
	__atomic_store_n(&t->e[id].word, w, __ATOMIC_RELEASE);
}

static void
neigh_set_state(struct neigh_table *t, uint32_t id, uint8_t state, uint64_t now)
{
	t->ctl->s[id].state = state;
	t->ctl->s[id].changed_ns = now;
	neigh_publish(t, id, t->e[id].word);
}

/* The hash's RCU callback: an id that no worker can hold any more. */
static void
neigh_reclaimed(void *p, void *data)
{
	struct neigh_ctl *ctl = p;

	ctl->free_ids[ctl->nb_free++] = (uint32_t)(uintptr_t)data;
}

static uint32_t
neigh_new(struct neigh_table *t, uint32_t ip, uint16_t port, uint8_t state, uint64_t now)
{
	struct neigh_ctl *ctl = t->ctl;
	uint32_t id;
	int rc;

	if (ctl->nb_free == 0)
		return NEIGH_NONE;
	id = ctl->free_ids[ctl->nb_free - 1];
	t->e[id] = (struct neigh_entry){ .ip = ip, .port = port };
	/* The entry is complete before the hash names it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	rc = rte_hash_add_key_data(t->by_ip, &ip, (void *)(uintptr_t)id);
	if (rc < 0) /* the hash is full: the id stays free, with no state the timers would see */
		return NEIGH_NONE;
	ctl->s[id] = (struct neigh_state_ctl){ .state = state, .changed_ns = now,
						.live_pos = ctl->nb_live };
	ctl->live[ctl->nb_live++] = id;
	ctl->nb_free--;
	return id;
}

static void
neigh_drop_held(struct neigh_table *t, uint32_t id, struct pr_stats *st)
{
	struct neigh_state_ctl *s = &t->ctl->s[id];

	st->drop[PR_DROP_NEIGH_UNRESOLVED] += s->nb_held;
	t->ctl->nb_held -= s->nb_held;
	rte_pktmbuf_free_bulk(s->held, s->nb_held);
	s->nb_held = 0;
}

static void
neigh_delete(struct neigh_table *t, uint32_t id, struct pr_stats *st)
{
	struct neigh_ctl *ctl = t->ctl;
	uint32_t ip = t->e[id].ip, last = ctl->live[--ctl->nb_live];
	int32_t pos;

	__atomic_store_n(&t->e[id].word, 0, __ATOMIC_RELEASE);
	/* Out of the live ids: the last one takes its place. */
	ctl->live[ctl->s[id].live_pos] = last;
	ctl->s[last].live_pos = ctl->s[id].live_pos;
	ctl->s[id].state = NEIGH_FREE;
	/* The timers delete none that holds packets; were one to, they are dropped, counted. */
	neigh_drop_held(t, id, st);
	free(ctl->s[id].held);
	ctl->s[id].held = NULL;
	/*
	 * The id comes back through neigh_reclaimed() after the grace period; with no readers
	 * to wait for (no RCU variable: tests, benchmarks), at once, and the key's slot too.
	 */
	pos = rte_hash_del_key(t->by_ip, &ip);
	if (pos < 0) {
		LOG(ERR, "neighbour %u not in its hash", id);
	} else if (!ctl->rcu) {
		rte_hash_free_key_with_position(t->by_ip, pos);
		ctl->free_ids[ctl->nb_free++] = id;
	}
}

uint32_t
neigh_ref(struct neigh_table *t, uint32_t ip, uint16_t port)
{
	uint32_t id;

	pthread_mutex_lock(&t->ctl->lock);
	id = neigh_find(t, ip);
	if (id == NEIGH_NONE)
		id = neigh_new(t, ip, port, NEIGH_INCOMPLETE, 0);
	if (id != NEIGH_NONE)
		t->ctl->s[id].ref++;
	pthread_mutex_unlock(&t->ctl->lock);
	return id;
}

void
neigh_unref(struct neigh_table *t, uint32_t id)
{
	pthread_mutex_lock(&t->ctl->lock);
	if (id != NEIGH_NONE && t->ctl->s[id].ref > 0)
		t->ctl->s[id].ref--;
	pthread_mutex_unlock(&t->ctl->lock);
}

/* ---------------------------------------------------------------- sending */

/*
 * The worker that sends what concerns entry id: always the same one, so that the packets
 * held for a next hop, and those that reach the control core after the answer, keep their
 * order; the entries spread the work over the workers.
 */
static unsigned int
neigh_worker(struct neigh_table *t, uint32_t id)
{
	return id % t->ctl->nb_workers;
}

/* Hand m to worker w's graph (its inject node); whether it was taken. */
static bool
neigh_inject(struct neigh_table *t, unsigned int w, struct rte_mbuf *m, struct pr_stats *st)
{
	if (rte_ring_sp_enqueue(t->inject[w], m) != 0) {
		st->drop[PR_DROP_INJECT_RING_FULL]++;
		rte_pktmbuf_free(m);
		return false;
	}
	return true;
}

/* Our address on port for talking to ip: one on its link, else the port's first, else 0. */
static uint32_t
neigh_source(const struct neigh_port *np, uint32_t ip)
{
	uint32_t a = config_on_link_addr(np->conf, ip);

	if (a != 0)
		return a;
	return np->conf->nb_addrs > 0 ? np->conf->addrs[0].addr : 0;
}

/* An ARP request for entry id: broadcast, or unicast to its MAC (a probe, RFC 1122 2.3.2.1). */
static void
neigh_request(struct neigh_table *t, uint32_t id, bool unicast, struct pr_stats *st)
{
	const struct neigh_entry *e = &t->e[id];
	const struct neigh_port *np = &t->ctl->port[e->port];
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;
	struct pr_md *md;

	if (!np->used)
		return;
	m = rte_pktmbuf_alloc(t->ctl->mp);
	if (m == NULL) {
		st->drop[PR_DROP_NEIGH_NO_MBUF]++;
		return;
	}
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	if (unicast)
		memcpy(eth->dst_addr.addr_bytes, &e->word, RTE_ETHER_ADDR_LEN);
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = np->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = np->mac;
	arp->arp_data.arp_sip = neigh_source(np, e->ip);
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	arp->arp_data.arp_tip = e->ip;
	md = pr_md(m);
	memset(md, 0, sizeof(*md));
	md->flags = PR_MD_F_TX_DIRECT | PR_MD_F_LOCAL | PR_MD_F_ROUTED;
	md->out_port = (uint8_t)e->port;
	if (neigh_inject(t, neigh_worker(t, id), m, st))
		st->ctr[unicast ? PR_CTR_NEIGH_PROBES : PR_CTR_NEIGH_REQUESTS]++;
}

/* A packet that waited for a MAC, back to worker w's route stage (its TTL is done). */
static void
neigh_reinject(struct neigh_table *t, unsigned int w, struct rte_mbuf *m, struct pr_stats *st)
{
	pr_md(m)->flags |= PR_MD_F_ROUTED;
	if (neigh_inject(t, w, m, st))
		st->ctr[PR_CTR_NEIGH_RELEASED]++;
}

static void
neigh_release(struct neigh_table *t, uint32_t id, struct pr_stats *st)
{
	struct neigh_state_ctl *s = &t->ctl->s[id];
	unsigned int w = neigh_worker(t, id); /* one worker for them all: they stay in order */
	uint32_t i;

	t->ctl->nb_held -= s->nb_held;
	for (i = 0; i < s->nb_held; i++)
		neigh_reinject(t, w, s->held[i], st);
	s->nb_held = 0;
}

/* ---------------------------------------------------------------- workers' input */

/* A packet a worker could not send: hold it and ask, or drop it. */
static void
neigh_hold(struct neigh_table *t, struct rte_mbuf *m, uint64_t now, struct pr_stats *st)
{
	struct neigh_ctl *ctl = t->ctl;
	const struct pr_md *md = pr_md(m);
	struct neigh_state_ctl *s;
	uint32_t id = neigh_find(t, md->arg);

	if (id == NEIGH_NONE)
		id = neigh_new(t, md->arg, md->out_port, NEIGH_INCOMPLETE, now);
	if (id == NEIGH_NONE) {
		st->drop[PR_DROP_NEIGH_NO_ENTRY]++;
		rte_pktmbuf_free(m);
		return;
	}
	s = &ctl->s[id];
	switch (s->state) {
	case NEIGH_REACHABLE:
	case NEIGH_STALE:
	case NEIGH_PROBE:
	case NEIGH_PERMANENT: /* resolved since the worker looked */
		neigh_reinject(t, neigh_worker(t, id), m, st);
		return;
	case NEIGH_FAILED:
		if (now - s->changed_ns < ctl->retransmit_ns) {
			st->drop[PR_DROP_NEIGH_UNRESOLVED]++;
			rte_pktmbuf_free(m);
			return;
		}
		/* Traffic still wants it: ask again (as Linux does). */
		s->state = NEIGH_INCOMPLETE;
		s->probes = 0;
		s->next_ns = 0;
		break;
	default:
		break;
	}
	if (s->nb_held >= ctl->hold || ctl->nb_held >= ctl->max_held) {
		st->drop[PR_DROP_NEIGH_HOLD_FULL]++;
		rte_pktmbuf_free(m);
	} else {
		if (s->held == NULL && (s->held = malloc(ctl->hold * sizeof(*s->held))) == NULL) {
			st->drop[PR_DROP_NEIGH_HOLD_FULL]++;
			rte_pktmbuf_free(m);
			return;
		}
		s->held[s->nb_held++] = m;
		ctl->nb_held++;
		st->ctr[PR_CTR_NEIGH_HELD]++;
	}
	if (s->probes == 0 && s->next_ns == 0) { /* the first packet: ask now */
		s->changed_ns = now;
		s->probes = 1;
		s->next_ns = now + ctl->retransmit_ns;
		neigh_request(t, id, false, st);
	}
}

/* Whether ip may live behind port: on the link of one of its addresses. */
static bool
neigh_on_link(const struct neigh_ctl *ctl, uint16_t port, uint32_t ip)
{
	return port < RTE_MAX_ETHPORTS && ctl->port[port].used &&
	       config_on_link(ctl->port[port].conf, ip);
}

/* ARP for us from a worker: learn the sender. */
static void
neigh_learn(struct neigh_table *t, const struct neigh_event *ev, uint64_t now,
	    struct pr_stats *st)
{
	struct neigh_ctl *ctl = t->ctl;
	uint32_t id = neigh_find(t, ev->ip);
	uint8_t state;

	if (ev->ip == 0 || !neigh_on_link(ctl, ev->port, ev->ip) ||
	    neigh_source(&ctl->port[ev->port], ev->ip) == ev->ip || /* ours: a conflict */
	    !rte_is_valid_assigned_ether_addr(&ev->mac)) {
		st->ctr[PR_CTR_NEIGH_IGNORED]++;
		return;
	}
	if (id == NEIGH_NONE) {
		/*
		 * An announcement, or an answer to no request of ours, for a host we never talk
		 * to is not worth an entry (Linux's arp_accept=0). A request for us is: the asker
		 * will want our answer, and pods are learnt so.
		 */
		if (ev->kind != NEIGH_EV_REQUEST) {
			st->ctr[PR_CTR_NEIGH_IGNORED]++;
			return;
		}
		id = neigh_new(t, ev->ip, ev->port, NEIGH_INCOMPLETE, now);
		if (id == NEIGH_NONE) {
			st->ctr[PR_CTR_NEIGH_IGNORED]++;
			return;
		}
	}
	if (ctl->s[id].state == NEIGH_PERMANENT || t->e[id].port != ev->port) {
		st->ctr[PR_CTR_NEIGH_IGNORED]++;
		return;
	}
	/* An answer to us confirms; a request or an announcement only tells the MAC. */
	state = ev->kind == NEIGH_EV_REPLY ? NEIGH_REACHABLE : NEIGH_STALE;
	/*
	 * The MAC the entry has, unasked: nothing new, and no confirmation either (as in Linux):
	 * a reachable entry stays so until its timer says otherwise, a stale one is probed when
	 * due, a probe goes on. Nothing learnt from it.
	 */
	if (state == NEIGH_STALE &&
	    (ctl->s[id].state == NEIGH_REACHABLE || ctl->s[id].state == NEIGH_STALE ||
	     ctl->s[id].state == NEIGH_PROBE) &&
	    (t->e[id].word & NEIGH_W_MAC_MASK) == neigh_mac_word(&ev->mac)) {
		st->ctr[PR_CTR_NEIGH_IGNORED]++;
		return;
	}
	st->ctr[ev->kind == NEIGH_EV_GRATUITOUS ? PR_CTR_NEIGH_GRATUITOUS :
		ctl->s[id].state == NEIGH_REACHABLE || ctl->s[id].state == NEIGH_STALE ||
		ctl->s[id].state == NEIGH_PROBE ? PR_CTR_NEIGH_CONFIRMED : PR_CTR_NEIGH_LEARNT]++;
	ctl->s[id].state = state;
	ctl->s[id].changed_ns = now;
	ctl->s[id].probes = 0;
	ctl->s[id].next_ns = 0;
	neigh_publish(t, id, neigh_mac_word(&ev->mac));
	neigh_release(t, id, st);
}

/* ---------------------------------------------------------------- timers */

/*
 * An unanswered request (INCOMPLETE: broadcast) or probe (PROBE: unicast): when due, ask
 * again, or after `probes` of them declare the neighbour failed and drop what waits for it.
 */
static void
neigh_retry(struct neigh_table *t, uint32_t id, uint64_t now, bool unicast, struct pr_stats *st)
{
	struct neigh_ctl *ctl = t->ctl;
	struct neigh_state_ctl *s = &ctl->s[id];

	if (now < s->next_ns)
		return;
	if (s->probes >= ctl->probes) {
		st->ctr[PR_CTR_NEIGH_FAILED]++;
		neigh_drop_held(t, id, st);
		s->next_ns = 0;
		neigh_set_state(t, id, NEIGH_FAILED, now);
		return;
	}
	s->probes++;
	s->next_ns = now + ctl->retransmit_ns;
	neigh_request(t, id, unicast, st);
}

static void
neigh_age(struct neigh_table *t, uint32_t id, uint64_t now, struct pr_stats *st)
{
	struct neigh_ctl *ctl = t->ctl;
	struct neigh_state_ctl *s = &ctl->s[id];
	uint64_t age = now - s->changed_ns;

	switch (s->state) {
	case NEIGH_INCOMPLETE:
		if (s->next_ns == 0) { /* never asked for: gone with the last route naming it */
			if (s->ref == 0 && s->nb_held == 0 && age >= ctl->gc_ns)
				neigh_delete(t, id, st);
			break;
		}
		neigh_retry(t, id, now, false, st);
		break;
	case NEIGH_REACHABLE:
		if (age >= ctl->reachable_ns)
			neigh_set_state(t, id, NEIGH_STALE, now);
		break;
	case NEIGH_STALE:
		if (s->ref > 0 && age >= ctl->delay_ns) { /* routes use it: is it still there? */
			s->state = NEIGH_PROBE;
			s->probes = 1;
			s->next_ns = now + ctl->retransmit_ns;
			neigh_request(t, id, true, st);
		} else if (s->ref == 0 && age >= ctl->gc_ns) { /* never one a next hop names */
			neigh_delete(t, id, st);
		}
		break;
	case NEIGH_PROBE:
		neigh_retry(t, id, now, true, st);
		break;
	case NEIGH_FAILED:
		if (s->ref == 0 && age >= ctl->gc_ns)
			neigh_delete(t, id, st);
		break;
	default:
		break;
	}
}

void
neigh_poll(struct neigh_table *t, uint64_t now, struct pr_stats *st)
{
	struct neigh_event ev[NEIGH_POLL_BURST];
	struct rte_mbuf *m[NEIGH_POLL_BURST];
	unsigned int i, rounds;

	pthread_mutex_lock(&t->ctl->lock);
	/* Bounded work per call (the control core has other duties), events first. */
	for (rounds = 0; rounds < 16; rounds++) {
		unsigned int ne, nh;

		ne = rte_ring_sc_dequeue_burst_elem(t->events, ev, sizeof(ev[0]), RTE_DIM(ev),
						    NULL);
		for (i = 0; i < ne; i++)
			neigh_learn(t, &ev[i], now, st);
		nh = rte_ring_sc_dequeue_burst(t->hold, (void **)m, RTE_DIM(m), NULL);
		for (i = 0; i < nh; i++)
			neigh_hold(t, m[i], now, st);
		if (ne < RTE_DIM(ev) && nh < RTE_DIM(m))
			break;
	}
	/*
	 * Timers: every 10 ms is as fine as any retransmit_ms (>= 10 ms) needs. The live ids from
	 * the last: an entry deleted on the way is replaced by one already seen.
	 */
	if (now - t->ctl->last_age >= 10 * NEIGH_MS) {
		t->ctl->last_age = now;
		for (i = t->ctl->nb_live; i-- > 0;)
			neigh_age(t, t->ctl->live[i], now, st);
	}
	pthread_mutex_unlock(&t->ctl->lock);
}

/*
 * Held by a dump of the live table from another thread (telemetry) and by neigh_free() when
 * it takes the table out of neigh_live: the table is not freed under a dump.
 */
static pthread_mutex_t neigh_live_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned int
neigh_dump(struct neigh_table *t, struct neigh_info *out, unsigned int max, uint64_t now)
{
	unsigned int n = 0;

	pthread_mutex_lock(&t->ctl->lock);
	for (n = 0; n < t->ctl->nb_live && n < max; n++) {
		const uint32_t id = t->ctl->live[n];
		const struct neigh_state_ctl *s = &t->ctl->s[id];

		out[n] = (struct neigh_info){
			.ip = t->e[id].ip,
			.port = t->e[id].port,
			.state = s->state,
			.probes = s->probes,
			.ref = s->ref,
			.held = s->nb_held,
			.age_ms = s->changed_ns ? (now - s->changed_ns) / NEIGH_MS : 0,
		};
		memcpy(out[n].mac.addr_bytes, &t->e[id].word, RTE_ETHER_ADDR_LEN);
	}
	pthread_mutex_unlock(&t->ctl->lock);
	return n;
}

unsigned int
neigh_dump_live(struct neigh_info *out, unsigned int max, uint64_t now)
{
	unsigned int n = 0;

	pthread_mutex_lock(&neigh_live_lock);
	if (neigh_live != NULL)
		n = neigh_dump(neigh_live, out, max, now);
	pthread_mutex_unlock(&neigh_live_lock);
	return n;
}

/* ---------------------------------------------------------------- life */

static int
neigh_rings(struct neigh_table *t, unsigned int nb_workers)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int w;

	t->hold = rte_ring_create("neigh_hold", NEIGH_HOLD_RING, (int)rte_socket_id(),
				  RING_F_SC_DEQ);
	t->events = rte_ring_create_elem("neigh_events", sizeof(struct neigh_event),
					 NEIGH_EVENT_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
	t->inject = calloc(nb_workers, sizeof(*t->inject));
	if (t->hold == NULL || t->events == NULL || t->inject == NULL)
		return -ENOMEM;
	for (w = 0; w < nb_workers; w++) {
		snprintf(name, sizeof(name), "neigh_inject%u", w);
		t->inject[w] = rte_ring_create(name, NEIGH_INJECT_RING, (int)rte_socket_id(),
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (t->inject[w] == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int
neigh_hash(struct neigh_table *t, uint32_t max, struct rte_rcu_qsbr *qsbr)
{
	struct rte_hash_parameters hp = {
		.name = "neigh_by_ip",
		.entries = max,
		.key_len = sizeof(uint32_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rc = {
		.v = qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
		.key_data_ptr = t->ctl,
		.free_key_data_func = neigh_reclaimed,
		.trigger_reclaim_limit = 1, /* reclaim at every delete what is past its grace period */
	};

	t->by_ip = rte_hash_create(&hp);
	if (t->by_ip == NULL)
		return -ENOMEM;
	if (qsbr != NULL && rte_hash_rcu_qsbr_add(t->by_ip, &rc) != 0)
		return -rte_errno;
	t->ctl->rcu = qsbr != NULL;
	return 0;
}

struct neigh_table *
neigh_create(const struct pr_config *cfg, struct rte_mempool *mp, struct rte_rcu_qsbr *qsbr,
	     unsigned int nb_workers)
{
	const struct pr_cfg_neighbours *y = cfg->y->neighbours;
	uint32_t max = cfg->y->tables->neighbours, id;
	struct neigh_table *t = calloc(1, sizeof(*t));
	struct neigh_ctl *ctl = calloc(1, sizeof(*ctl));
	unsigned int i;
	int rc = -ENOMEM;

	if (t == NULL || ctl == NULL)
		goto err;
	t->ctl = ctl;
	pthread_mutex_init(&ctl->lock, NULL);
	ctl->mp = mp;
	ctl->nb_workers = nb_workers ? nb_workers : 1;
	ctl->reachable_ns = (uint64_t)y->reachable_ms * NEIGH_MS;
	ctl->retransmit_ns = (uint64_t)y->retransmit_ms * NEIGH_MS;
	ctl->gc_ns = (uint64_t)y->gc_ms * NEIGH_MS;
	ctl->delay_ns = RTE_MIN(UINT64_C(5000), (uint64_t)y->reachable_ms) * NEIGH_MS;
	ctl->probes = y->probes;
	ctl->hold = y->hold;
	ctl->max_held = cfg->mbufs / 4;
	/*
	 * Twice as many ids as the hash holds keys: a deleted entry's id comes back only when
	 * the hash's defer queue is reclaimed (at its next delete or full add, after the grace
	 * period), so ids must not run out before the hash's slots do.
	 */
	ctl->max = 2 * max;
	t->e = rte_zmalloc("neigh_entries", ctl->max * sizeof(*t->e), RTE_CACHE_LINE_SIZE);
	ctl->s = calloc(ctl->max, sizeof(*ctl->s));
	ctl->free_ids = malloc(ctl->max * sizeof(*ctl->free_ids));
	ctl->live = malloc(ctl->max * sizeof(*ctl->live));
	if (t->e == NULL || ctl->s == NULL || ctl->free_ids == NULL || ctl->live == NULL)
		goto err;
	for (id = 0; id < ctl->max; id++)
		ctl->free_ids[id] = ctl->max - 1 - id; /* id 0 first */
	ctl->nb_free = ctl->max;
	rc = neigh_hash(t, max, qsbr);
	if (rc == 0)
		rc = neigh_rings(t, ctl->nb_workers);
	if (rc != 0)
		goto err;
	for (i = 0; i < pr_nb_ports; i++) {
		struct neigh_port *np = &ctl->port[pr_ports[i].port_id];

		np->used = true;
		np->mac = pr_ports[i].mac;
		np->conf = &cfg->ports[i];
	}
	for (i = 0; i < cfg->nb_statics; i++) {
		const struct pr_neigh_static *s = &cfg->statics[i];

		id = neigh_new(t, s->ip, pr_ports[s->port].port_id, NEIGH_PERMANENT, 0);
		if (id == NEIGH_NONE) {
			rc = -ENOSPC;
			goto err;
		}
		neigh_publish(t, id, neigh_mac_word(&s->mac));
	}
	neigh_live = t;
	return t;
err:
	LOG(ERR, "cannot create the neighbour table of %u entries: %s", max, strerror(-rc));
	neigh_free(t);
	errno = -rc;
	return NULL;
}

void
neigh_free(struct neigh_table *t)
{
	struct rte_mbuf *m;
	unsigned int w;
	uint32_t id;

	if (t == NULL)
		return;
	pthread_mutex_lock(&neigh_live_lock);
	if (neigh_live == t)
		neigh_live = NULL;
	pthread_mutex_unlock(&neigh_live_lock);
	while (t->hold != NULL && rte_ring_dequeue(t->hold, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	for (w = 0; t->inject != NULL && t->ctl != NULL && w < t->ctl->nb_workers; w++) {
		while (t->inject[w] != NULL && rte_ring_dequeue(t->inject[w], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(t->inject[w]);
	}
	for (id = 0; t->ctl != NULL && t->ctl->s != NULL && id < t->ctl->max; id++) {
		rte_pktmbuf_free_bulk(t->ctl->s[id].held, t->ctl->s[id].nb_held);
		free(t->ctl->s[id].held);
	}
	rte_ring_free(t->hold);
	rte_ring_free(t->events);
	rte_hash_free(t->by_ip);
	rte_free(t->e);
	if (t->ctl != NULL) {
		free(t->ctl->s);
		free(t->ctl->free_ids);
		free(t->ctl->live);
	}
	free(t->inject);
	free(t->ctl);
	free(t);
}
