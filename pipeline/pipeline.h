/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-side API of the pipeline: what the control core calls, before any graph exists,
 * to create the per-port node clones and wire the edges. Never called by a worker.
 */
#ifndef PR_PIPELINE_H
#define PR_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

/* Node names of the fixed stages, in pipeline order after rx. */
#define PR_NODE_PARSE "pr_parse"
#define PR_NODE_OUTPUT "pr_output"
#define PR_NODE_DROP "pr_drop"
#define PR_NODE_RX_PATTERN "pr_rx-*"
#define PR_NODE_TX_PATTERN "pr_tx-*"

/* Clone an rx node for (port, queue); its name goes to name[len]. 0 or -errno. */
int io_rx_clone(uint16_t port, uint16_t queue, const char *port_name, char *name, size_t len);

/* Clone the tx node of a port; its name goes to name[len]. 0 or -errno. */
int io_tx_clone(uint16_t port, const char *port_name, char *name, size_t len);

/* Give the output stage an edge to the tx node of a port. 0 or -errno. */
int output_add_port(uint16_t port, const char *tx_node);

/* Cross-connect: what arrives on in_port leaves on out_port (whose tx node exists). */
int output_xconnect(uint16_t in_port, uint16_t out_port);

#endif
