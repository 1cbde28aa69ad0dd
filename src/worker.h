/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workers: one rte_graph per worker lcore, run to completion. Each worker polls its own
 * (port, queue) pairs, owns TX queue `index` on every port, and reports an RCU quiescent
 * state after every walk of its graph, so the control core can free what it replaced.
 */
#ifndef PR_WORKER_H
#define PR_WORKER_H

#include <stdint.h>

#include "stage.h" /* before any rte_graph header: it decides rte_graph's statistics */
#include "config.h"

#include <rte_rcu_qsbr.h>

struct pr_worker {
	struct pr_stats stats; /* first: cache aligned, written by this worker only */
	uint64_t loops;
	unsigned int index;
	unsigned int lcore;
	uint16_t txq;
	unsigned int nb_rx;
	char rx_nodes[PR_MAX_POLL][RTE_NODE_NAMESIZE];
	char graph_name[RTE_GRAPH_NAMESIZE];
	struct rte_graph *graph;
	rte_graph_t graph_id;
} __rte_cache_aligned;

extern struct pr_worker *pr_workers;
extern unsigned int pr_nb_workers;
extern struct rte_rcu_qsbr *pr_rcu;

/* What the control core counts itself (the neighbour table's work), beside the workers'. */
extern struct pr_stats pr_control_stats;

/* What the workers counted on one port (ethdev port id), summed. */
void workers_port_sum(uint16_t port_id, struct pr_port_stats *sum);

/* Counter i, drop reason i: the sum over the workers and the control core. */
uint64_t workers_ctr_sum(unsigned int i);
uint64_t workers_drop_sum(unsigned int i);

struct route_lpm;
struct neigh_table;

/* The workers' structs and their RCU variable (pr_rcu), before anything uses them. */
int workers_rcu_init(const struct pr_config *cfg);

/*
 * Clone the I/O nodes, compose the pipeline, create one graph per worker; the stages read
 * routes from lpm and next hops' MACs from neigh. 0 or -errno.
 */
int workers_init(const struct pr_config *cfg, const struct route_lpm *lpm,
		 struct neigh_table *neigh);

/* Start every worker on its lcore. */
int workers_launch(void);

/* Ask the workers to stop (async-signal-safe). */
void workers_request_stop(void);
bool workers_stopping(void);

/* Wait until every worker has left its loop. */
void workers_wait(void);

void workers_fini(void);

#endif
