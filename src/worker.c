/* SPDX-License-Identifier: BSD-3-Clause */
#include "worker.h" /* first: see stage.h on rte_graph statistics */

#if defined(PR_NO_GRAPH_STATS) && defined(RTE_LIBRTE_GRAPH_STATS)
#error "rte_graph.h was included before stage.h: graph_stats=false would not take effect"
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "log.h"
#include "pipeline.h"
#include "ports.h"
#include "worker.h"

#define LOG_MODULE "worker"
#define LOG_TYPE worker_logtype
PR_LOG_REGISTER(worker);

struct pr_worker *pr_workers;
unsigned int pr_nb_workers;
struct rte_rcu_qsbr *pr_rcu;
struct pr_stats pr_control_stats;

static volatile int workers_quit;
static struct pr_worker *worker_building; /* whose graph rte_graph_create() is making */

/* The stages in order after rx; PR_EDGE_NEXT of each points at the one after it. */
static const char *pipeline_stages[] = {
	PR_NODE_PARSE,
	PR_NODE_DECAP,
	PR_NODE_ARP,
	PR_NODE_ROUTE,
	PR_NODE_OUTPUT,
};

struct pr_stats *
pr_stage_stats_for_graph(const struct rte_graph *graph)
{
	RTE_SET_USED(graph);
	return worker_building ? &worker_building->stats : NULL;
}

uint16_t
pr_stage_txq_for_graph(const struct rte_graph *graph)
{
	RTE_SET_USED(graph);
	return worker_building ? worker_building->txq : 0;
}

static int
workers_compose(void)
{
	const char *arp = PR_NODE_ARP, *l3 = NULL;
	unsigned int i, j;

	for (i = 0; i + 1 < RTE_DIM(pipeline_stages); i++) {
		rte_node_t id = rte_node_from_name(pipeline_stages[i]);

		if (id == RTE_NODE_ID_INVALID ||
		    rte_node_edge_update(id, PR_EDGE_NEXT, &pipeline_stages[i + 1], 1) != 1) {
			LOG(ERR, "cannot link stage %s to %s", pipeline_stages[i],
			    pipeline_stages[i + 1]);
			return -EINVAL;
		}
		if (strcmp(pipeline_stages[i], PR_NODE_ARP) == 0)
			l3 = pipeline_stages[i + 1];
	}
	/* The stages before arp send ARP to it and other IP past it (stage.h, pr_early_edge). */
	for (j = 0; l3 != NULL && strcmp(pipeline_stages[j], PR_NODE_ARP) != 0; j++) {
		rte_node_t id = rte_node_from_name(pipeline_stages[j]);

		if (rte_node_edge_update(id, PR_EDGE_ARP, &arp, 1) != 1 ||
		    rte_node_edge_update(id, PR_EDGE_L3, &l3, 1) != 1) {
			LOG(ERR, "cannot link stage %s to %s and %s", pipeline_stages[j], arp, l3);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * The stages that send to port i: arp (replies, with the router's addresses on the port),
 * output, inject.
 */
static int
workers_tx_edges(const struct pr_config *cfg, unsigned int i, const char *tx_node)
{
	uint32_t addrs[PR_MAX_ADDRS];
	unsigned int j;
	int rc;

	for (j = 0; j < cfg->ports[i].nb_addrs; j++)
		addrs[j] = cfg->ports[i].addrs[j].addr;
	rc = arp_configure(pr_ports[i].port_id, &pr_ports[i].mac, addrs, cfg->ports[i].nb_addrs,
			   tx_node);
	if (rc == 0)
		rc = output_add_port(pr_ports[i].port_id, tx_node);
	if (rc == 0)
		rc = fast_add_port(pr_ports[i].port_id, tx_node);
	if (rc == 0)
		rc = inject_add_port(pr_ports[i].port_id, tx_node);
	return rc;
}

/*
 * One tx clone per port, with an edge to it from output and from rx (for cross-connects);
 * rx_edge[i] is where the rx clones of port i send their bursts.
 */
static int
workers_ports(const struct pr_config *cfg, uint16_t *rx_edge, uint16_t *host_edge)
{
	char name[RTE_NODE_NAMESIZE];
	int tx_edge[PR_MAX_PORTS];
	unsigned int i;
	int rc;

	for (i = 0; i < pr_nb_ports; i++) {
		rc = io_tx_clone(pr_ports[i].port_id, pr_ports[i].name, name, sizeof(name));
		if (rc == 0)
			rc = workers_tx_edges(cfg, i, name);
		if (rc == 0)
			rc = output_port_edge(pr_ports[i].port_id);
		if (rc >= 0 && pr_ports[i].role == PR_ROLE_HOST)
			*host_edge = (uint16_t)rc;
		if (rc >= 0)
			rc = tx_edge[i] = pr_node_add_edge(PR_NODE_RX, name);
		if (rc < 0) {
			LOG(ERR, "port %s: cannot create its tx node: %s", pr_ports[i].name,
			    strerror(-rc));
			return rc;
		}
	}
	for (i = 0; i < pr_nb_ports; i++) {
		int to = cfg->ports[i].forward_to;

		rx_edge[i] = to >= 0 ? (uint16_t)tx_edge[to] : 0;
	}
	return 0;
}

static int
workers_graph(struct pr_worker *w)
{
	const char *patterns[PR_MAX_POLL + RTE_DIM(pipeline_stages) + 8];
	struct rte_graph_param gp = { 0 };
	unsigned int i, n = 0;

	for (i = 0; i < w->nb_rx; i++)
		patterns[n++] = w->rx_nodes[i];
	patterns[n++] = PR_NODE_FAST;
	for (i = 0; i < RTE_DIM(pipeline_stages); i++)
		patterns[n++] = pipeline_stages[i];
	/* The nodes the stages lead to besides each other. */
	patterns[n++] = PR_NODE_HOLD;
	patterns[n++] = PR_NODE_ICMP;
	patterns[n++] = PR_NODE_FRAG;
	patterns[n++] = PR_NODE_INJECT;
	patterns[n++] = PR_NODE_CONSUMED;
	patterns[n++] = PR_NODE_DROP;
	patterns[n++] = PR_NODE_TX_PATTERN;
	gp.socket_id = (int)rte_lcore_to_socket_id(w->lcore);
	gp.nb_node_patterns = n;
	gp.node_patterns = patterns;
	snprintf(w->graph_name, sizeof(w->graph_name), "worker%u", w->index);

	worker_building = w;
	w->graph_id = rte_graph_create(w->graph_name, &gp);
	worker_building = NULL;
	if (w->graph_id == RTE_GRAPH_ID_INVALID) {
		LOG(ERR, "worker %u: cannot create its graph: %s", w->index,
		    rte_strerror(rte_errno));
		return -EINVAL;
	}
	w->graph = rte_graph_lookup(w->graph_name);
	return w->graph ? 0 : -ENOENT;
}

/* The counter at byte `off` of struct pr_stats, summed over the workers and the control core. */
static uint64_t
workers_stat_sum(size_t off)
{
	uint64_t v = *(const uint64_t *)((const char *)&pr_control_stats + off);
	unsigned int w;

	for (w = 0; w < pr_nb_workers; w++)
		v += *(const uint64_t *)((const char *)&pr_workers[w].stats + off);
	return v;
}

void
workers_port_sum(uint16_t port_id, struct pr_port_stats *sum)
{
	unsigned int w;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < pr_nb_workers; w++) {
		const struct pr_port_stats *s = &pr_workers[w].stats.port[port_id];

		sum->rx += s->rx;
		sum->tx += s->tx;
		sum->tx_dropped += s->tx_dropped;
		sum->tx_retries += s->tx_retries;
	}
}

uint64_t
workers_ctr_sum(unsigned int i)
{
	return workers_stat_sum(offsetof(struct pr_stats, ctr) + i * sizeof(uint64_t));
}

uint64_t
workers_drop_sum(unsigned int i)
{
	return workers_stat_sum(offsetof(struct pr_stats, drop) + i * sizeof(uint64_t));
}

int
workers_rcu_init(const struct pr_config *cfg)
{
	size_t sz;

	pr_nb_workers = cfg->nb_workers;
	pr_workers = rte_zmalloc("pr_workers", pr_nb_workers * sizeof(*pr_workers),
				 RTE_CACHE_LINE_SIZE);
	sz = rte_rcu_qsbr_get_memsize(pr_nb_workers);
	pr_rcu = rte_zmalloc("pr_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (pr_workers == NULL || pr_rcu == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(pr_rcu, pr_nb_workers) != 0)
		return -EINVAL;
	return 0;
}

int
workers_init(const struct pr_config *cfg, const struct route_lpm *lpm, struct neigh_table *neigh)
{
	uint16_t rx_edge[PR_MAX_PORTS], host_edge = PR_EDGE_DROP;
	unsigned int i, j;
	int rc;

	rc = decap_configure(cfg->y->overlay);
	if (rc == 0)
		rc = workers_compose();
	if (rc == 0)
		rc = workers_ports(cfg, rx_edge, &host_edge);
	if (rc == 0) {
		route_configure(cfg, lpm);
		rc = output_configure(cfg, lpm, neigh, host_edge);
	}
	if (rc == 0)
		rc = icmp_configure(cfg);
	if (rc != 0)
		return rc;

	for (i = 0; i < pr_nb_workers; i++) {
		const struct pr_cfg_worker *wc = &cfg->y->workers[i];
		struct pr_worker *w = &pr_workers[i];

		w->index = i;
		w->lcore = wc->lcore;
		w->txq = (uint16_t)i;
		for (j = 0; j < wc->poll_count; j++) {
			int p = config_port_index(cfg, wc->poll[j].port);

			rc = io_rx_clone(pr_ports[p].port_id, wc->poll[j].queue, pr_ports[p].name,
					 rx_edge[p], w->rx_nodes[j], sizeof(w->rx_nodes[j]));
			if (rc != 0) {
				LOG(ERR, "worker %u: cannot create rx node for %s queue %u: %s", i,
				    pr_ports[p].name, wc->poll[j].queue, strerror(-rc));
				return rc;
			}
		}
		w->nb_rx = wc->poll_count;
		rc = workers_graph(w);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
worker_main(void *arg)
{
	struct pr_worker *w = arg;
	struct rte_graph *graph = w->graph;

	rte_rcu_qsbr_thread_register(pr_rcu, w->index);
	rte_rcu_qsbr_thread_online(pr_rcu, w->index);
	while (likely(!workers_quit)) {
		rte_graph_walk(graph);
		rte_rcu_qsbr_quiescent(pr_rcu, w->index);
		w->loops++;
	}
	rte_rcu_qsbr_thread_offline(pr_rcu, w->index);
	rte_rcu_qsbr_thread_unregister(pr_rcu, w->index);
	return 0;
}

int
workers_launch(void)
{
	unsigned int i;
	int rc;

	for (i = 0; i < pr_nb_workers; i++) {
		rc = rte_eal_remote_launch(worker_main, &pr_workers[i], pr_workers[i].lcore);
		if (rc != 0) {
			LOG(ERR, "worker %u: cannot launch on lcore %u: %s", i, pr_workers[i].lcore,
			    rte_strerror(-rc));
			workers_request_stop();
			return rc;
		}
		LOG(INFO, "worker %u on lcore %u polls %u queue(s)", i, pr_workers[i].lcore,
		    pr_workers[i].nb_rx);
	}
	return 0;
}

void
workers_request_stop(void)
{
	workers_quit = 1;
}

bool
workers_stopping(void)
{
	return workers_quit != 0;
}

void
workers_wait(void)
{
	rte_eal_mp_wait_lcore();
}

void
workers_fini(void)
{
	unsigned int i;

	for (i = 0; pr_workers != NULL && i < pr_nb_workers; i++)
		if (pr_workers[i].graph != NULL)
			rte_graph_destroy(pr_workers[i].graph_id);
	rte_free(pr_workers);
	rte_free(pr_rcu);
	pr_workers = NULL;
	pr_rcu = NULL;
	pr_nb_workers = 0;
}
