/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters and drop reasons: one append-only list each. The lists generate the enums, the
 * names shown by telemetry and the metric labels. Never renumber, reuse or remove an entry:
 * dashboards and alerts key on the names. New entries go at the end of their list.
 *
 * Every counter is a plain uint64_t in the owning worker's struct pr_worker, written by that
 * worker only (the control core's own work, the neighbour table's, counts in
 * pr_control_stats, written by it only) and summed by the control core (no atomics: a torn read of an aligned 64-bit
 * word cannot happen on the 64-bit targets DPDK supports).
 */
#ifndef PR_COUNTERS_H
#define PR_COUNTERS_H

/* _(ENUM, "telemetry name", "stage that counts it") */
#define PR_COUNTERS(_)						\
	_(PARSE_ETHERNET,   "ethernet",       "parse")		\
	_(PARSE_VLAN,       "vlan_tagged",    "parse")		\
	_(PARSE_ARP,        "arp",            "parse")		\
	_(PARSE_IPV4,       "ipv4",           "parse")		\
	_(PARSE_IPV6,       "ipv6",           "parse")		\
	_(PARSE_OTHER_L3,   "other_l3",       "parse")		\
	_(PARSE_IPV4_FRAG,  "ipv4_fragment",  "parse")		\
	_(PARSE_TCP,        "tcp",            "parse")		\
	_(PARSE_UDP,        "udp",            "parse")		\
	_(PARSE_ICMP,       "icmp",           "parse")		\
	_(PARSE_SCTP,       "sctp",           "parse")		\
	_(PARSE_OTHER_L4,   "other_l4",       "parse")		\
	_(PARSE_CKSUM_SW,   "ipv4_cksum_sw",  "parse")		\
	_(PARSE_CKSUM_HW,   "ipv4_cksum_hw",  "parse")		\
	_(DECAP_VXLAN,      "vxlan",          "decap")		\
	_(DECAP_GENEVE,     "geneve",         "decap")		\
	_(DECAP_IPIP,       "ipip",           "decap")		\
	_(ARP_REPLIED,      "replied",        "arp")		\
	_(ARP_OTHER,        "other",          "arp")			\
	_(ROUTE_LOCAL_POD,  "to_local_pod",   "route")		\
	_(ROUTE_LOCAL_CIDR, "to_local_cidr",  "route")		\
	_(ROUTE_REMOTE,     "to_remote_node", "route")		\
	_(ROUTE_HOST,       "to_host",        "route")		\
	_(ROUTE_DEFAULT,    "to_default",     "route")		\
	_(ARP_EVENTS,       "to_neighbours",  "arp")		\
	_(ARP_EVENTS_LOST,  "events_lost",    "arp")		\
	_(ARP_CONSUMED,     "replies_taken",  "arp")		\
	_(OUTPUT_LOCAL,     "to_pod",         "output")		\
	_(OUTPUT_DIRECT,    "to_node_direct", "output")		\
	_(OUTPUT_VXLAN,     "encap_vxlan",    "output")		\
	_(OUTPUT_GENEVE,    "encap_geneve",   "output")		\
	_(OUTPUT_IPIP,      "encap_ipip",     "output")		\
	_(OUTPUT_GATEWAY,   "to_gateway",     "output")		\
	_(OUTPUT_HOST,      "to_host",        "output")		\
	_(OUTPUT_HELD,      "held",           "output")		\
	_(FRAG_PACKETS,     "packets",        "frag")		\
	_(FRAG_FRAGMENTS,   "fragments",      "frag")		\
	_(ICMP_TIME_EXCEEDED, "time_exceeded_sent", "icmp")		\
	_(ICMP_FRAG_NEEDED, "frag_needed_sent", "icmp")		\
	_(ICMP_RATE_LIMITED, "rate_limited",  "icmp")		\
	_(ICMP_NOT_ALLOWED, "not_answered",   "icmp")		\
	_(NEIGH_REQUESTS,   "arp_requests",   "neighbour")		\
	_(NEIGH_PROBES,     "arp_probes",     "neighbour")		\
	_(NEIGH_LEARNT,     "learnt",         "neighbour")		\
	_(NEIGH_CONFIRMED,  "confirmed",      "neighbour")		\
	_(NEIGH_GRATUITOUS, "gratuitous",     "neighbour")		\
	_(NEIGH_IGNORED,    "ignored",        "neighbour")		\
	_(NEIGH_HELD,       "held",           "neighbour")		\
	_(NEIGH_RELEASED,   "released",       "neighbour")		\
	_(NEIGH_FAILED,     "failed",         "neighbour")		\
	_(INJECT_PACKETS,   "packets",        "inject")

/* _(ENUM, "telemetry name", "stage that drops") */
#define PR_DROP_REASONS(_)							\
	_(PARSE_L2_TRUNCATED,     "parse_l2_truncated",          "parse")	\
	_(PARSE_VLAN_NESTED,      "parse_vlan_nested",           "parse")	\
	_(PARSE_ARP_TRUNCATED,    "parse_arp_truncated",         "parse")	\
	_(PARSE_ARP_UNSUPPORTED,  "parse_arp_unsupported",       "parse")	\
	_(PARSE_IPV4_TRUNCATED,   "parse_ipv4_truncated",        "parse")	\
	_(PARSE_IPV4_BAD_VERSION, "parse_ipv4_bad_version",      "parse")	\
	_(PARSE_IPV4_BAD_IHL,     "parse_ipv4_bad_ihl",          "parse")	\
	_(PARSE_IPV4_BAD_LENGTH,  "parse_ipv4_bad_total_length", "parse")	\
	_(PARSE_IPV4_BAD_CKSUM,   "parse_ipv4_bad_checksum",     "parse")	\
	_(PARSE_TCP_TRUNCATED,    "parse_tcp_truncated",         "parse")	\
	_(PARSE_TCP_BAD_OFFSET,   "parse_tcp_bad_data_offset",   "parse")	\
	_(PARSE_UDP_TRUNCATED,    "parse_udp_truncated",         "parse")	\
	_(PARSE_UDP_BAD_LENGTH,   "parse_udp_bad_length",        "parse")	\
	_(PARSE_ICMP_TRUNCATED,   "parse_icmp_truncated",        "parse")	\
	_(PARSE_SCTP_TRUNCATED,   "parse_sctp_truncated",        "parse")	\
	_(PARSE_SEGMENTED,        "parse_headers_not_contiguous", "parse")	\
	_(OUTPUT_NO_DESTINATION,  "output_no_destination",       "output")	\
	_(TX_FULL,                "tx_queue_full",               "tx")		\
	_(DECAP_UNKNOWN_NODE,     "decap_unknown_node",          "decap")	\
	_(DECAP_UNKNOWN_VNI,      "decap_unknown_vni",           "decap")	\
	_(DECAP_BAD_LENGTH,       "decap_bad_length",            "decap")	\
	_(DECAP_BAD_CKSUM,        "decap_bad_outer_checksum",    "decap")	\
	_(DECAP_BAD_HEADER,       "decap_bad_tunnel_header",     "decap")	\
	_(DECAP_FRAGMENT,         "decap_outer_fragment",        "decap")	\
	_(ARP_NOT_HANDLED,        "arp_not_handled",             "arp")		\
	_(ROUTE_NOT_IPV4,         "route_not_ipv4",              "route")	\
	_(ROUTE_NO_ROUTE,         "route_no_route",              "route")	\
	_(ROUTE_TTL_EXPIRED,      "route_ttl_expired",           "route")	\
	_(OUTPUT_NO_NEIGHBOUR,    "output_no_neighbour",         "output")	\
	_(OUTPUT_NO_HOST_PORT,    "output_no_host_port",         "output")	\
	_(ROUTE_SPOOFED,          "route_spoofed_source",        "route")	\
	_(OUTPUT_HOLD_RING_FULL,  "output_hold_ring_full",       "output")	\
	_(OUTPUT_FRAG_NEEDED,     "output_frag_needed",          "output")	\
	_(FRAG_FAILED,            "frag_failed",                 "frag")		\
	_(NEIGH_HOLD_FULL,        "neighbour_hold_full",         "neighbour")	\
	_(NEIGH_UNRESOLVED,       "neighbour_unresolved",        "neighbour")	\
	_(NEIGH_NO_ENTRY,         "neighbour_table_full",        "neighbour")	\
	_(INJECT_RING_FULL,       "inject_ring_full",            "neighbour")	\
	_(ROUTE_MARTIAN,          "route_martian",               "route")	\
	_(DECAP_INNER_ARP,        "decap_inner_arp",             "decap")	\
	_(NEIGH_NO_MBUF,          "neighbour_no_mbuf",           "neighbour")

#define PR_ENUM_CTR(e, name, stage) PR_CTR_##e,
#define PR_ENUM_DROP(e, name, stage) PR_DROP_##e,

enum pr_ctr { PR_COUNTERS(PR_ENUM_CTR) PR_CTR_COUNT };
enum pr_drop { PR_DROP_REASONS(PR_ENUM_DROP) PR_DROP_COUNT };

extern const char *const pr_ctr_names[PR_CTR_COUNT];
extern const char *const pr_ctr_stages[PR_CTR_COUNT];
extern const char *const pr_drop_names[PR_DROP_COUNT];
extern const char *const pr_drop_stages[PR_DROP_COUNT];

#endif
