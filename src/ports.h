/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: every port is configured the same way whatever its device (PF, SR-IOV VF, vdev):
 * the device is asked what it has, RSS with a symmetric key when there are several RX queues,
 * one TX queue per worker, checksum offloads when the device has them.
 */
#ifndef PR_PORTS_H
#define PR_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "config.h"

struct pr_port {
	char name[32];
	uint16_t port_id;
	enum pr_port_role role;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint64_t rx_offloads; /* what the device does for us; the rest is software */
	uint64_t tx_offloads;
	struct rte_ether_addr mac;
	bool soft_mac; /* the device could not take the configured MAC */
	bool started;
};

extern struct pr_port pr_ports[PR_MAX_PORTS];
extern unsigned int pr_nb_ports;

/* Find, configure and start every port of the config. 0 or -errno (logged). */
int ports_init(const struct pr_config *cfg, struct rte_mempool *mp);

/* Stop and close every started port. */
void ports_close(void);

/* Index in pr_ports of an ethdev port id, or -1. */
int ports_index(uint16_t port_id);

#endif
