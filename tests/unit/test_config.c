/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config loading: a good file gets its defaults; each class of bad file is refused with a
 * message naming the file, the line and the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char tmp_path[256];

/* Load `yaml` from a file; the error text (if any) goes to *err (caller frees). */
static struct pr_config *
load(const char *yaml, char **err)
{
	struct pr_config *cfg;
	size_t len = 0;
	FILE *f, *e;
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "%s/cfgXXXXXX",
		 getenv("PR_TEST_TMP") ? getenv("PR_TEST_TMP") : "/tmp");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(yaml, f);
	fclose(f);
	*err = NULL;
	e = open_memstream(err, &len);
	cfg = config_load(tmp_path, e);
	fclose(e);
	unlink(tmp_path);
	return cfg;
}

#define HEAD "node_name: node-a\n"                   /* line 1 */
#define PORTS2                                                                                \
	"ports:\n"                                   /* line 2 */                             \
	"  - name: up\n"                             /* line 3 */                             \
	"    device: net_null0\n"                    /* line 4 */                             \
	"    role: uplink\n"                         /* line 5 */                             \
	"  - name: pods\n"                           /* line 6 */                             \
	"    device: net_null1\n"                    /* line 7 */                             \
	"    role: pods\n"                           /* line 8 */
#define WORKER1                                                                               \
	"workers:\n"                                 /* line 9 */                             \
	"  - lcore: 1\n"                             /* line 10 */                            \
	"    poll:\n"                                /* line 11 */                            \
	"      - {port: up, queue: 0}\n"             /* line 12 */                            \
	"      - {port: pods}\n"                     /* line 13 */

/* The error for `yaml` names the file, `line` and `key`, and says `what`. */
static void
expect_error(const char *yaml, unsigned int line, const char *key, const char *what)
{
	char want[512], *err;
	struct pr_config *cfg = load(yaml, &err);

	assert_null(cfg);
	assert_non_null(err);
	if (key[0] != '\0')
		snprintf(want, sizeof(want), "%s:%u: %s: ", tmp_path, line, key);
	else
		snprintf(want, sizeof(want), "%s:%u: ", tmp_path, line);
	if (strstr(err, want) == NULL || strstr(err, what) == NULL) {
		print_error("wanted \"%s...%s\" in:\n%s\n", want, what, err);
		fail();
	}
	free(err);
}

static void
test_good_config_gets_defaults(void **state)
{
	char *err;
	struct pr_config *cfg = load(HEAD PORTS2 WORKER1, &err);

	(void)state;
	if (cfg == NULL)
		print_error("%s\n", err);
	assert_non_null(cfg);
	assert_int_equal(cfg->nb_ports, 2);
	assert_int_equal(cfg->nb_workers, 1);
	assert_int_equal(cfg->y->ports[0].rx_queues, 1);
	assert_int_equal(cfg->y->ports[0].tx_queues, 1); /* one per worker */
	assert_int_equal(cfg->y->ports[0].rx_desc, 1024);
	assert_int_equal(cfg->y->ports[1].mtu, 1500);
	assert_int_equal(cfg->y->eal->memory_mb, 512);
	assert_int_equal(cfg->y->tables->conntrack, 1u << 20);
	assert_true(cfg->y->telemetry->enabled);
	assert_true(cfg->y->telemetry->pdump);
	assert_int_equal(cfg->ports[0].forward_to, -1);
	assert_false(cfg->ports[0].is_pci);
	assert_true(cfg->mbufs >= 2 * (1024 + 1024));
	config_free(cfg);
	free(err);
}

static void
test_eal_args(void **state)
{
	char *err, *argv[64];
	struct pr_config *cfg;
	int argc, i;
	char line[1024] = "";

	(void)state;
	cfg = load(HEAD "eal: {hugepages: 'off', memory_mb: 128, file_prefix: t1}\n"
		   "ports:\n"
		   "  - {name: up, device: '0000:3b:00.1,rxq_cqe_comp_en=0', role: uplink}\n"
		   "  - {name: vf, device: '3b:02.0', role: pods, forward_to: up}\n"
		   "workers: [{lcore: 1, poll: [{port: up}, {port: vf}]}]\n", &err);
	if (cfg == NULL)
		print_error("%s\n", err);
	assert_non_null(cfg);
	assert_true(cfg->ports[0].is_pci);
	assert_string_equal(cfg->ports[0].dev_name, "0000:3b:00.1");
	assert_int_equal(cfg->ports[1].forward_to, 0);
	argc = config_eal_args(cfg, "podrouter", argv, 64, stderr);
	assert_true(argc > 0);
	for (i = 1; i < argc; i++) {
		strcat(line, " ");
		strcat(line, argv[i]);
	}
	assert_non_null(strstr(line, " -l 0,1 "));
	assert_non_null(strstr(line, "--file-prefix=t1"));
	assert_non_null(strstr(line, "--no-huge -m 128"));
	assert_non_null(strstr(line, "-a 0000:3b:00.1,rxq_cqe_comp_en=0"));
	assert_non_null(strstr(line, "-a 3b:02.0"));
	assert_null(strstr(line, "--no-pci"));
	config_free(cfg);
	free(err);
}

static void
test_eal_lcores_mapping(void **state)
{
	char *err, *argv[64];
	struct pr_config *cfg;
	int argc, i;
	char line[1024] = "";

	(void)state;
	cfg = load(HEAD PORTS2 "workers:\n  - {lcore: 1, cpu: 1, poll: [{port: up}]}\n"
		   "  - {lcore: 2, cpu: 1, poll: [{port: pods}]}\n", &err);
	if (cfg == NULL)
		print_error("%s\n", err);
	assert_non_null(cfg);
	argc = config_eal_args(cfg, "podrouter", argv, 64, stderr);
	for (i = 1; i < argc; i++) {
		strcat(line, " ");
		strcat(line, argv[i]);
	}
	assert_non_null(strstr(line, " --lcores 0@0,1@1,2@1 "));
	assert_null(strstr(line, " -l "));
	config_free(cfg);
	free(err);
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error(HEAD PORTS2 "    colour: blue\n" WORKER1, 9, "ports[1].colour", "unknown key");
	expect_error(HEAD "bogus: 1\n" PORTS2 WORKER1, 2, "bogus", "unknown key");
}

static void
test_wrong_type(void **state)
{
	(void)state;
	expect_error(HEAD PORTS2 "    mtu: large\n" WORKER1, 9, "ports[1].mtu", "");
	expect_error(HEAD PORTS2 "    rx_queues: -1\n" WORKER1, 9, "ports[1].rx_queues", "");
	expect_error(HEAD "ports:\n  - name: up\n    device: net_null0\n    role: router\n" WORKER1,
		     5, "ports[0].role", "(one of: uplink, pods, host)");
	expect_error(HEAD PORTS2 "    promiscuous: maybe\n" WORKER1, 9, "ports[1].promiscuous",
		     "(one of: true, false)");
	expect_error(HEAD PORTS2 WORKER1 "overlay: {encap: gre}\n", 14, "overlay.encap",
		     "(one of: vxlan, geneve, ipip, direct)");
}

static void
test_missing_required(void **state)
{
	(void)state;
	expect_error(HEAD "ports:\n  - name: up\n    role: uplink\n" WORKER1, 3, "ports[0].device",
		     "required key is missing");
	expect_error(PORTS2 WORKER1, 1, "node_name", "required key is missing");
	expect_error(HEAD PORTS2, 1, "workers", "required key is missing");
}

static void
test_syntax_error(void **state)
{
	(void)state;
	expect_error(HEAD PORTS2 "  - name: [\n", 10, "", "syntax error");
}

static void
test_bad_addresses(void **state)
{
	(void)state;
	expect_error(HEAD PORTS2 "    addresses: [10.244.1.1/24, 10.0.0.300/24]\n" WORKER1, 9,
		     "ports[1].addresses[1]", "not an IPv4 address");
	expect_error(HEAD PORTS2 "    addresses:\n      - 10.244.1.1/33\n" WORKER1, 10,
		     "ports[1].addresses[0]", "not an IPv4 address");
	expect_error(HEAD PORTS2 "    mac: 01:00:5e:00:00:01\n" WORKER1, 9, "ports[1].mac",
		     "not a unicast MAC");
	expect_error(HEAD PORTS2 "    mac: 02:00:00:00:00\n" WORKER1, 9, "ports[1].mac",
		     "not a MAC address");
}

static void
test_queue_ownership(void **state)
{
	(void)state;
	/* Queue 0 of 'up' polled by two workers. */
	expect_error(HEAD PORTS2 WORKER1 "  - lcore: 2\n    poll:\n      - {port: up}\n", 16,
		     "workers[1].poll[0].queue", "also polled by workers[0]");
	/* Port 'pods' polled by nobody. */
	expect_error(HEAD PORTS2 "workers:\n  - lcore: 1\n    poll: [{port: up}]\n", 6,
		     "ports[1].rx_queues", "polled by no worker");
	/* A queue that does not exist. */
	expect_error(HEAD PORTS2 WORKER1 "  - lcore: 2\n    poll:\n      - {port: up, queue: 3}\n",
		     16, "workers[1].poll[0].queue", "does not exist");
	/* A port that does not exist. */
	expect_error(HEAD PORTS2 WORKER1 "  - lcore: 2\n    poll:\n      - {port: nope}\n", 16,
		     "workers[1].poll[0].port", "no port is named 'nope'");
}

static void
test_impossible_combinations(void **state)
{
	(void)state;
	expect_error(HEAD PORTS2 "    forward_to: nowhere\n" WORKER1, 9, "ports[1].forward_to",
		     "no port is named");
	expect_error(HEAD PORTS2 "    forward_to: pods\n" WORKER1, 9, "ports[1].forward_to",
		     "itself");
	expect_error(HEAD PORTS2 "    tx_queues: 1\n" WORKER1
		     "  - lcore: 2\n    poll: [{port: up, queue: 1}]\n", 9, "ports[1].tx_queues",
		     "each of the 2 workers");
	expect_error(HEAD PORTS2 "  - name: up\n    device: net_null2\n    role: host\n" WORKER1,
		     9, "ports[2].name", "also the name of ports[0]");
	expect_error(HEAD PORTS2 "  - name: more\n    device: net_null1\n    role: host\n" WORKER1,
		     10, "ports[2].device", "also used by ports[1]");
	expect_error(HEAD PORTS2 "  - name: h\n    device: eth0\n    role: host\n" WORKER1, 10,
		     "ports[2].device", "neither a PCI address");
	expect_error(HEAD "eal: {main_lcore: 1}\n" PORTS2 WORKER1, 11, "workers[0].lcore",
		     "the control core");
	expect_error(HEAD PORTS2 "    mtu: 9000\n" WORKER1, 9, "ports[1].mtu",
		     "does not fit in mempool.data_room");
	expect_error(HEAD PORTS2 "    mtu: 40\n" WORKER1, 9, "ports[1].mtu", "out of range");
	/* Out of range, and a queue beyond the 64 tracked: refused, nothing indexed past (UBSan). */
	expect_error(HEAD PORTS2 "    rx_queues: 100\n" WORKER1 "  - lcore: 2\n    poll:\n"
		     "      - {port: pods, queue: 70}\n", 9, "ports[1].rx_queues", "out of range");
	expect_error(HEAD PORTS2 WORKER1 "tables: {conntrack: 3000}\n", 14, "tables.conntrack",
		     "not a power of two");
	expect_error(HEAD PORTS2 WORKER1 "mempool: {mbufs: 2048}\n", 14, "mempool.mbufs",
		     "can hold");
	expect_error(HEAD PORTS2 WORKER1 "cluster: {file: /nonexistent.yaml, redis: /tmp/r.sock}\n",
		     14, "cluster", "exactly one");
	expect_error(HEAD PORTS2 WORKER1 "cluster:\n  redis: http://x\n", 15, "cluster.redis",
		     "not redis://");
	expect_error(HEAD PORTS2 WORKER1 "cluster:\n  file: /nonexistent.yaml\n", 15,
		     "cluster.file", "not a readable file");
}

static void
test_routing_keys(void **state)
{
	char *err = NULL;
	struct pr_config *cfg;

	(void)state;
	expect_error(HEAD PORTS2 "    addresses: [10.244.1.1/24]\n    gateway: 10.244.9.1\n" WORKER1,
		     10, "ports[1].gateway", "in none of the port's address prefixes");
	expect_error(HEAD PORTS2 "    gateway: nope\n" WORKER1, 9, "ports[1].gateway",
		     "not an IPv4 address");
	expect_error(HEAD PORTS2 WORKER1 "neighbours:\n  static:\n"
		     "    - {ip: 10.244.1.5, mac: '01:00:5e:00:00:01', port: pods}\n", 16,
		     "neighbours.static[0].mac", "not a unicast MAC");
	expect_error(HEAD PORTS2 WORKER1 "neighbours:\n  static:\n"
		     "    - {ip: 10.244.1.5, mac: '02:00:00:00:00:05', port: nope}\n", 16,
		     "neighbours.static[0].port", "no port is named 'nope'");
	expect_error(HEAD PORTS2 WORKER1 "neighbours:\n  static:\n"
		     "    - {ip: 10.244.1.5, mac: '02:00:00:00:00:05', port: pods}\n"
		     "    - {ip: 10.244.1.5, mac: '02:00:00:00:00:06', port: pods}\n", 17,
		     "neighbours.static[1].ip", "also neighbours.static[0]");
	/* The entry named is the list's own, a bad entry before it counted. */
	expect_error(HEAD PORTS2 WORKER1 "neighbours:\n  static:\n"
		     "    - {ip: nope, mac: '02:00:00:00:00:04', port: pods}\n"
		     "    - {ip: 10.244.1.5, mac: '02:00:00:00:00:05', port: pods}\n"
		     "    - {ip: 10.244.1.5, mac: '02:00:00:00:00:06', port: pods}\n", 18,
		     "neighbours.static[2].ip", "10.244.1.5 is also neighbours.static[1]");
	expect_error(HEAD PORTS2 WORKER1 "neighbours: {retransmit_ms: 1}\n", 14,
		     "neighbours.retransmit_ms", "out of range");
	expect_error(HEAD PORTS2 WORKER1 "overlay: {encap: gre}\n", 14, "overlay.encap", "");
	expect_error(HEAD PORTS2 WORKER1 "overlay: {vni: 16777216}\n", 14, "overlay.vni",
		     "out of range");
	expect_error(HEAD PORTS2 WORKER1 "icmp: {burst: 0}\n", 14, "icmp.burst", "out of range");

	/* The defaults, and what a good file gives. */
	cfg = load(HEAD "ports:\n  - name: up\n    device: net_null0\n    role: uplink\n"
		   "    addresses: [198.18.0.2/24]\n    gateway: 198.18.0.1\n"
		   "  - name: pods\n    device: net_null1\n    role: pods\n" WORKER1
		   "neighbours:\n  static:\n    - {ip: 198.18.0.3, mac: '02:00:00:00:02:03', port: up}\n",
		   &err);
	assert_non_null(cfg);
	assert_int_equal(cfg->ports[0].gateway, RTE_BE32(0xc6120001));
	assert_int_equal(cfg->uplink, 0);
	assert_int_equal(cfg->nb_statics, 1);
	assert_int_equal(cfg->statics[0].ip, RTE_BE32(0xc6120003));
	assert_int_equal(cfg->statics[0].port, 0);
	assert_int_equal(cfg->y->neighbours->reachable_ms, 30000);
	assert_int_equal(cfg->y->neighbours->retransmit_ms, 1000);
	assert_int_equal(cfg->y->neighbours->probes, 3);
	assert_int_equal(cfg->y->neighbours->hold, 16);
	assert_int_equal(cfg->y->overlay->encap, PR_ENCAP_VXLAN);
	assert_int_equal(cfg->y->overlay->encap_port, 4789);
	assert_int_equal(cfg->y->overlay->vni, 1);
	assert_int_equal(cfg->y->icmp->rate, 1000);
	config_free(cfg);
	free(err);
}

static void
test_unreadable_file(void **state)
{
	char *err = NULL;
	size_t len;
	FILE *e = open_memstream(&err, &len);

	(void)state;
	assert_null(config_load("/nonexistent/podrouter.yaml", e));
	fclose(e);
	assert_non_null(strstr(err, "/nonexistent/podrouter.yaml: cannot read"));
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_config_gets_defaults),
		cmocka_unit_test(test_eal_args),
		cmocka_unit_test(test_eal_lcores_mapping),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_queue_ownership),
		cmocka_unit_test(test_impossible_combinations),
		cmocka_unit_test(test_routing_keys),
		cmocka_unit_test(test_unreadable_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
