/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry under /podrouter/ (DPDK's telemetry socket; read it with dpdk-telemetry.py):
 *   /podrouter/stats  per port, per worker and per stage, every counter and drop reason
 *   /podrouter/info   node name, version, ports (role, MAC, queues), workers (lcore, queues)
 * The callbacks run on DPDK's telemetry thread and only read counters that workers write.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_graph.h>
#include <rte_telemetry.h>

#include "ports.h"
#include "telemetry.h"
#include "worker.h"

static const struct pr_config *tel_cfg;

void
telemetry_mac(char *buf, size_t len, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

void
telemetry_put(struct rte_tel_data *d, const char *name, struct rte_tel_data *x)
{
	if (rte_tel_data_add_dict_container(d, name, x, 0) != 0)
		rte_tel_data_free(x);
}

static struct rte_tel_data *
tel_dict(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d != NULL)
		rte_tel_data_start_dict(d);
	return d;
}

static void
tel_port(struct rte_tel_data *d, const struct pr_port *p)
{
	struct pr_port_stats sum;
	struct rte_eth_stats hw;
	struct rte_eth_link link;

	workers_port_sum(p->port_id, &sum);
	rte_tel_data_add_dict_u64(d, "rx_packets", sum.rx);
	rte_tel_data_add_dict_u64(d, "tx_packets", sum.tx);
	rte_tel_data_add_dict_u64(d, "tx_dropped", sum.tx_dropped);
	rte_tel_data_add_dict_u64(d, "tx_retries", sum.tx_retries);
	if (rte_eth_stats_get(p->port_id, &hw) == 0) {
		rte_tel_data_add_dict_u64(d, "hw_ipackets", hw.ipackets);
		rte_tel_data_add_dict_u64(d, "hw_opackets", hw.opackets);
		rte_tel_data_add_dict_u64(d, "hw_imissed", hw.imissed);
		rte_tel_data_add_dict_u64(d, "hw_ierrors", hw.ierrors);
		rte_tel_data_add_dict_u64(d, "hw_oerrors", hw.oerrors);
		rte_tel_data_add_dict_u64(d, "hw_rx_nombuf", hw.rx_nombuf);
	}
	if (rte_eth_link_get_nowait(p->port_id, &link) == 0)
		rte_tel_data_add_dict_int(d, "link_up", link.link_status);
}

static struct rte_tel_data *
tel_stage(const char *stage, uint64_t *drops_total)
{
	struct rte_tel_data *d = tel_dict(), *drops = tel_dict();
	char node_name[RTE_NODE_NAMESIZE];
	uint64_t calls = 0, objs = 0, cycles = 0;
	unsigned int i, w;

	if (d == NULL || drops == NULL) {
		rte_tel_data_free(d);
		rte_tel_data_free(drops);
		return NULL;
	}
	for (i = 0; i < PR_CTR_COUNT; i++) {
		uint64_t v = 0;

		if (strcmp(pr_ctr_stages[i], stage) != 0)
			continue;
		v = workers_ctr_sum(i);
		rte_tel_data_add_dict_u64(d, pr_ctr_names[i], v);
	}
	for (i = 0; i < PR_DROP_COUNT; i++) {
		uint64_t v = 0;

		if (strcmp(pr_drop_stages[i], stage) != 0)
			continue;
		v = workers_drop_sum(i);
		rte_tel_data_add_dict_u64(drops, pr_drop_names[i], v);
		*drops_total += v;
	}
	telemetry_put(d, "drops", drops);
	/*
	 * rte_graph's own node statistics: objects, calls and cycles (meson graph_stats). A
	 * stage is one node ("pr_parse"), or one clone per port ("pr_tx-<port>").
	 */
	for (w = 0; w < pr_nb_workers; w++) {
		for (i = 0; i <= pr_nb_ports; i++) {
			struct rte_node *n;

			if (i == 0)
				snprintf(node_name, sizeof(node_name), "pr_%s", stage);
			else
				snprintf(node_name, sizeof(node_name), "pr_%s-%s", stage,
					 pr_ports[i - 1].name);
			n = rte_graph_node_get_by_name(pr_workers[w].graph_name, node_name);
			if (n == NULL)
				continue;
			calls += n->total_calls;
			objs += n->total_objs;
			cycles += n->total_cycles;
		}
	}
	rte_tel_data_add_dict_u64(d, "node_calls", calls);
	rte_tel_data_add_dict_u64(d, "node_objs", objs);
	rte_tel_data_add_dict_u64(d, "node_cycles", cycles);
	return d;
}

/* The stages, in pipeline order, as the counter lists name them. */
static const char *const tel_stages[] = { "parse", "decap", "arp", "route", "output", "frag",
					  "icmp", "tx", "neighbour", "inject" };

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *ports = tel_dict(), *workers = tel_dict(), *stages = tel_dict();
	uint64_t rx = 0, tx = 0, dropped = 0;
	unsigned int i, w;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (ports == NULL || workers == NULL || stages == NULL)
		goto err;
	rte_tel_data_start_dict(d);
	for (i = 0; i < pr_nb_ports; i++) {
		struct rte_tel_data *p = tel_dict();

		if (p == NULL)
			goto err;
		tel_port(p, &pr_ports[i]);
		telemetry_put(ports, pr_ports[i].name, p);
	}
	for (w = 0; w < pr_nb_workers; w++) {
		const struct pr_worker *wk = &pr_workers[w];
		struct rte_tel_data *x = tel_dict();
		uint64_t wrx = 0, wtx = 0, wdrop = 0;
		char name[32];

		if (x == NULL)
			goto err;
		for (i = 0; i < pr_nb_ports; i++) {
			wrx += wk->stats.port[pr_ports[i].port_id].rx;
			wtx += wk->stats.port[pr_ports[i].port_id].tx;
		}
		for (i = 0; i < PR_DROP_COUNT; i++)
			wdrop += wk->stats.drop[i];
		rte_tel_data_add_dict_u64(x, "lcore", wk->lcore);
		rte_tel_data_add_dict_u64(x, "loops", wk->loops);
		rte_tel_data_add_dict_u64(x, "rx_packets", wrx);
		rte_tel_data_add_dict_u64(x, "tx_packets", wtx);
		rte_tel_data_add_dict_u64(x, "dropped", wdrop);
		snprintf(name, sizeof(name), "worker%u", w);
		telemetry_put(workers, name, x);
		rx += wrx;
		tx += wtx;
	}
	for (i = 0; i < RTE_DIM(tel_stages); i++) {
		struct rte_tel_data *s = tel_stage(tel_stages[i], &dropped);

		if (s == NULL)
			goto err;
		telemetry_put(stages, tel_stages[i], s);
	}
	rte_tel_data_add_dict_u64(d, "rx_packets", rx);
	rte_tel_data_add_dict_u64(d, "tx_packets", tx);
	rte_tel_data_add_dict_u64(d, "dropped", dropped);
	telemetry_put(d, "ports", ports);
	telemetry_put(d, "workers", workers);
	telemetry_put(d, "stages", stages);
	return 0;
err:
	rte_tel_data_free(ports);
	rte_tel_data_free(workers);
	rte_tel_data_free(stages);
	return -ENOMEM;
}

static int
tel_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *ports = tel_dict(), *workers = tel_dict();
	unsigned int i, j;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	if (ports == NULL || workers == NULL) {
		rte_tel_data_free(ports);
		rte_tel_data_free(workers);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "node_name", tel_cfg->y->node_name);
	rte_tel_data_add_dict_string(d, "version", PODROUTER_VERSION);
	rte_tel_data_add_dict_int(d, "hugepages", !tel_cfg->no_huge);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	for (i = 0; i < pr_nb_ports; i++) {
		const struct pr_port *p = &pr_ports[i];
		struct rte_tel_data *x = tel_dict();
		char mac[RTE_ETHER_ADDR_FMT_SIZE];
		int to = tel_cfg->ports[i].forward_to;

		if (x == NULL)
			continue;
		telemetry_mac(mac, sizeof(mac), &p->mac);
		rte_tel_data_add_dict_int(x, "port_id", p->port_id);
		rte_tel_data_add_dict_string(x, "device", tel_cfg->ports[i].dev_name);
		rte_tel_data_add_dict_string(x, "role", config_role_name(p->role));
		rte_tel_data_add_dict_string(x, "mac", mac);
		rte_tel_data_add_dict_int(x, "rx_queues", p->nb_rxq);
		rte_tel_data_add_dict_int(x, "tx_queues", p->nb_txq);
		rte_tel_data_add_dict_int(x, "rx_checksum_offload", p->rx_offloads != 0);
		rte_tel_data_add_dict_int(x, "tx_checksum_offload", p->tx_offloads != 0);
		rte_tel_data_add_dict_string(x, "forward_to", to >= 0 ? pr_ports[to].name : "");
		telemetry_put(ports, p->name, x);
	}
	for (i = 0; i < pr_nb_workers; i++) {
		struct rte_tel_data *x = tel_dict();
		char name[32], queues[RTE_TEL_MAX_STRING_LEN];
		size_t n = 0;

		if (x == NULL)
			continue;
		queues[0] = '\0';
		for (j = 0; j < pr_workers[i].nb_rx && n < sizeof(queues); j++)
			n += snprintf(queues + n, sizeof(queues) - n, "%s%s", j ? " " : "",
				      pr_workers[i].rx_nodes[j] + strlen("pr_rx-"));
		rte_tel_data_add_dict_int(x, "lcore", (int)pr_workers[i].lcore);
		rte_tel_data_add_dict_int(x, "tx_queue", pr_workers[i].txq);
		rte_tel_data_add_dict_string(x, "polls", queues);
		snprintf(name, sizeof(name), "worker%u", i);
		telemetry_put(workers, name, x);
	}
	telemetry_put(d, "ports", ports);
	telemetry_put(d, "workers", workers);
	return 0;
}

int
telemetry_init(const struct pr_config *cfg)
{
	tel_cfg = cfg;
	if (rte_telemetry_register_cmd("/podrouter/stats", tel_stats,
				       "Counters per port, worker and stage, every drop reason. "
				       "No parameters.") != 0 ||
	    rte_telemetry_register_cmd("/podrouter/info", tel_info,
				       "Node name, version, ports and workers. No parameters.") != 0)
		return -EINVAL;
	return telemetry_state_init();
}
