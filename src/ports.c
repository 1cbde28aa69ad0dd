/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "log.h"
#include "ports.h"

#define LOG_MODULE "ports"
#define LOG_TYPE ports_logtype
PR_LOG_REGISTER(ports);

struct pr_port pr_ports[PR_MAX_PORTS];
unsigned int pr_nb_ports;

/*
 * A Toeplitz key of one repeated 16-bit pattern hashes (a, b) and (b, a) alike, so both
 * directions of a flow land on the same queue (Woo and Park, "Scalable TCP Session
 * Monitoring with Symmetric Receive-side Scaling").
 */
static void
ports_symmetric_key(uint8_t *key, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		key[i] = (i & 1) ? 0x5a : 0x6d;
}

#define PORTS_RSS_HF                                                                          \
	(RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP |     \
	 RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)
#define PORTS_RX_CKSUM                                                                        \
	(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
#define PORTS_TX_CKSUM                                                                        \
	(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM)

static int
ports_lsc_event(uint16_t port_id, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct rte_eth_link link;
	char text[RTE_ETH_LINK_MAX_STR_LEN];
	int i = ports_index(port_id);

	RTE_SET_USED(type);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret);
	if (rte_eth_link_get_nowait(port_id, &link) == 0) {
		rte_eth_link_to_str(text, sizeof(text), &link);
		LOG(NOTICE, "port %s: %s", i >= 0 ? pr_ports[i].name : "?", text);
	}
	return 0;
}

/* The ethdev port of a configured device: vdevs by name, PCI addresses in canonical form. */
static int
ports_find(const struct pr_port_conf *pc, uint16_t *port_id)
{
	unsigned int d = 0, b, s, f;
	char canon[32];

	if (rte_eth_dev_get_port_by_name(pc->dev_name, port_id) == 0)
		return 0;
	if (!pc->is_pci)
		return -ENODEV;
	if (sscanf(pc->dev_name, "%x:%x:%x.%x", &d, &b, &s, &f) != 4 &&
	    sscanf(pc->dev_name, "%x:%x.%x", &b, &s, &f) != 3)
		return -ENODEV;
	snprintf(canon, sizeof(canon), "%04x:%02x:%02x.%x", d, b, s, f);
	return rte_eth_dev_get_port_by_name(canon, port_id) == 0 ? 0 : -ENODEV;
}

static int
ports_conf(struct pr_port *p, const struct pr_port_conf *pc, const struct rte_eth_dev_info *di,
	   struct rte_eth_conf *conf, uint8_t *rss_key)
{
	const struct pr_cfg_port *y = pc->y;

	if (p->nb_rxq > di->max_rx_queues || p->nb_txq > di->max_tx_queues) {
		LOG(ERR, "port %s (%s): %u RX / %u TX queues wanted, the device has %u / %u",
		    p->name, pc->dev_name, p->nb_rxq, p->nb_txq, di->max_rx_queues,
		    di->max_tx_queues);
		return -EINVAL;
	}
	if (y->mtu < di->min_mtu || y->mtu > di->max_mtu) {
		LOG(ERR, "port %s (%s): MTU %u is outside what the device takes [%u, %u]",
		    p->name, pc->dev_name, y->mtu, di->min_mtu, di->max_mtu);
		return -EINVAL;
	}
	memset(conf, 0, sizeof(*conf));
	conf->rxmode.mtu = y->mtu;
	if (p->nb_rxq > 1) {
		if ((di->flow_type_rss_offloads & PORTS_RSS_HF) == 0) {
			LOG(ERR, "port %s (%s): %u RX queues, but the device has no RSS", p->name,
			    pc->dev_name, p->nb_rxq);
			return -EINVAL;
		}
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		ports_symmetric_key(rss_key, di->hash_key_size ? di->hash_key_size : 40);
		conf->rx_adv_conf.rss_conf.rss_key = rss_key;
		conf->rx_adv_conf.rss_conf.rss_key_len = di->hash_key_size ? di->hash_key_size : 40;
		conf->rx_adv_conf.rss_conf.rss_hf = PORTS_RSS_HF & di->flow_type_rss_offloads;
	}
	p->rx_offloads = PORTS_RX_CKSUM & di->rx_offload_capa;
	p->tx_offloads = PORTS_TX_CKSUM & di->tx_offload_capa;
	conf->rxmode.offloads = p->rx_offloads;
	conf->txmode.offloads = p->tx_offloads;
	if (di->dev_flags != NULL && (*di->dev_flags & RTE_ETH_DEV_INTR_LSC))
		conf->intr_conf.lsc = 1;
	return 0;
}

static int
ports_queues(struct pr_port *p, const struct pr_cfg_port *y, const struct rte_eth_dev_info *di,
	     struct rte_mempool *mp)
{
	uint16_t nb_rxd = y->rx_desc, nb_txd = y->tx_desc, q;
	int socket = rte_eth_dev_socket_id(p->port_id);
	struct rte_eth_rxconf rxc = di->default_rxconf;
	struct rte_eth_txconf txc = di->default_txconf;
	int rc;

	if (socket < 0)
		socket = SOCKET_ID_ANY;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc != 0)
		return rc;
	rxc.offloads = p->rx_offloads;
	txc.offloads = p->tx_offloads;
	for (q = 0; q < p->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, socket, &rxc, mp);
		if (rc != 0) {
			LOG(ERR, "port %s: RX queue %u: %s", p->name, q, rte_strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < p->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, socket, &txc);
		if (rc != 0) {
			LOG(ERR, "port %s: TX queue %u: %s", p->name, q, rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int
ports_start_one(struct pr_port *p, const struct pr_port_conf *pc, struct rte_mempool *mp)
{
	char link_text[RTE_ETH_LINK_MAX_STR_LEN];
	struct rte_eth_dev_info di;
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	uint8_t rss_key[64];
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &di);
	if (rc != 0)
		return rc;
	if (di.hash_key_size > sizeof(rss_key))
		return -EINVAL;
	rc = ports_conf(p, pc, &di, &conf, rss_key);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &conf);
	if (rc != 0) {
		LOG(ERR, "port %s (%s): configure: %s", p->name, pc->dev_name, rte_strerror(-rc));
		return rc;
	}
	if (pc->has_mac) {
		rc = rte_eth_dev_default_mac_addr_set(p->port_id, (struct rte_ether_addr *)&pc->mac);
		if (rc == -ENOTSUP) {
			/*
			 * Some vdevs (pcap, null) cannot change their address; they receive every
			 * frame anyway, so the router uses the configured MAC in software.
			 */
			LOG(NOTICE, "port %s (%s): the device keeps its own MAC; %s is used in "
			    "software", p->name, pc->dev_name, pc->y->mac);
			p->soft_mac = true;
			rc = 0;
		}
		if (rc != 0) {
			LOG(ERR, "port %s (%s): cannot set MAC %s: %s", p->name, pc->dev_name,
			    pc->y->mac, rte_strerror(-rc));
			return rc;
		}
	}
	rc = ports_queues(p, pc->y, &di, mp);
	if (rc != 0)
		return rc;
	if (conf.intr_conf.lsc)
		rte_eth_dev_callback_register(p->port_id, RTE_ETH_EVENT_INTR_LSC, ports_lsc_event,
					      NULL);
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0) {
		LOG(ERR, "port %s (%s): start: %s", p->name, pc->dev_name, rte_strerror(-rc));
		return rc;
	}
	p->started = true;
	if (pc->y->promiscuous) {
		rc = rte_eth_promiscuous_enable(p->port_id);
		if (rc != 0 && rc != -ENOTSUP)
			LOG(WARNING, "port %s: promiscuous mode: %s", p->name, rte_strerror(-rc));
	}
	if (p->soft_mac)
		p->mac = pc->mac;
	else
		rte_eth_macaddr_get(p->port_id, &p->mac);
	rte_eth_link_get_nowait(p->port_id, &link);
	rte_eth_link_to_str(link_text, sizeof(link_text), &link);
	LOG(INFO, "port %s: %s (%s) role %s, %u RX / %u TX queues, MTU %u, MAC " RTE_ETHER_ADDR_PRT_FMT
	    ", checksum offload rx %s tx %s, %s", p->name, pc->dev_name, di.driver_name,
	    config_role_name(p->role), p->nb_rxq, p->nb_txq, pc->y->mtu,
	    RTE_ETHER_ADDR_BYTES(&p->mac), p->rx_offloads ? "yes" : "software",
	    p->tx_offloads ? "yes" : "software", link_text);
	return 0;
}

int
ports_init(const struct pr_config *cfg, struct rte_mempool *mp)
{
	unsigned int i;
	int rc;

	for (i = 0; i < cfg->nb_ports; i++) {
		const struct pr_port_conf *pc = &cfg->ports[i];
		struct pr_port *p = &pr_ports[i];

		snprintf(p->name, sizeof(p->name), "%s", pc->y->name);
		p->role = pc->y->role;
		p->nb_rxq = pc->y->rx_queues;
		p->nb_txq = pc->y->tx_queues;
		if (ports_find(pc, &p->port_id) != 0) {
			LOG(ERR, "port %s: no device '%s' (is it bound to a DPDK driver? "
			    "see docs/operations.md)", p->name, pc->dev_name);
			return -ENODEV;
		}
		pr_nb_ports = i + 1;
		rc = ports_start_one(p, pc, mp);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
ports_close(void)
{
	unsigned int i;

	for (i = 0; i < pr_nb_ports; i++) {
		struct pr_port *p = &pr_ports[i];

		if (p->started) {
			rte_eth_dev_stop(p->port_id);
			p->started = false;
		}
		rte_eth_dev_close(p->port_id);
	}
	pr_nb_ports = 0;
}

int
ports_index(uint16_t port_id)
{
	unsigned int i;

	for (i = 0; i < pr_nb_ports; i++)
		if (pr_ports[i].port_id == port_id)
			return (int)i;
	return -1;
}
