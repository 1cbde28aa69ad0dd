/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * podrouter: start-up and shutdown. The main lcore is the control core: it loads the config,
 * starts EAL, the ports and the workers, serves telemetry, and on SIGINT/SIGTERM stops the
 * workers, closes the ports (a pcap vdev writes its file out then) and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <inttypes.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "config.h"
#include "clock.h"
#include "log.h"
#include "neigh.h"
#include "pipeline.h"
#include "ports.h"
#include "route_table.h"
#include "source.h"
#include "tables.h"
#include "telemetry.h"
#include "worker.h"

#define LOG_MODULE "main"
#define LOG_TYPE main_logtype
PR_LOG_REGISTER(main);

#define EXIT_CONFIG 2 /* the config is wrong: fix the file */
/*
 * The control loop's wait for the cluster source: also how late, at worst, it sees a packet
 * waiting for a neighbour or an ARP answer (docs/routing.md).
 */
#define CONTROL_POLL_MS 2

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: podrouter [-c FILE] [--check] [-- EAL options]\n"
		"  -c, --config FILE  configuration (default /etc/podrouter/podrouter.yaml)\n"
		"      --check        check the configuration, print the EAL command line, exit\n"
		"  -V, --version      print the version\n"
		"  -h, --help         this text\n"
		"Options after -- are appended to the EAL command line built from the config.\n"
		"Every configuration key: docs/configuration.md.\n");
}

static volatile sig_atomic_t reload_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		workers_request_stop();
}

/* What /podrouter/sync last got, so the ~50 KB status is copied only when it moved. */
struct control_seen {
	uint64_t events, lists, reconnects, rejected;
	bool connected;
};

/*
 * The routes of a new snapshot into the data path's LPM, in place: only the difference is
 * applied, and what the workers may still be reading is freed after their grace period.
 */
static void
control_sync_routes(struct route_lpm *lpm, const struct pr_tables *t)
{
	static const struct route_table *synced;
	struct route_sync_stats rs;
	uint64_t t0 = pr_monotonic_ns();
	int rc;

	if (lpm == NULL || t->routes == synced)
		return;
	rc = route_table_sync(lpm, t->routes, &rs);
	if (rc != 0)
		LOG(WARNING, "routes: %u change(s) refused (%s): those prefixes keep their route",
		    rs.failed, strerror(-rc));
	synced = t->routes;
	telemetry_route_update(lpm, pr_monotonic_ns() - t0);
}

/* What a long listing of the cluster state pauses for: the neighbour table's work. */
static void
control_idle(void *neigh)
{
	neigh_poll(neigh, pr_monotonic_ns(), &pr_control_stats);
}

/*
 * One step of the control loop: the neighbour table's work, then poll the cluster-state
 * source (it blocks at most timeout_ms), and when the model changed, build the tables and
 * publish them. The data path never waits for this.
 */
static void
control_step(struct source *src, struct tables_builder *b, struct route_lpm *lpm,
	     struct neigh_table *neigh, struct control_seen *seen, int timeout_ms)
{
	const struct source_status *st;
	uint64_t latency = 0, published = 0;
	bool full;

	if (reload_requested) {
		reload_requested = 0;
		LOG(NOTICE, "SIGHUP: reading the cluster state again");
		source_reload(src);
	}
	neigh_poll(neigh, pr_monotonic_ns(), &pr_control_stats);
	if (source_poll(src, timeout_ms, &full) > 0) {
		struct pr_tables *t = tables_build(b, source_model(src), full);

		if (t == NULL) {
			LOG(ERR, "table build failed: %s; the data path keeps the last tables",
			    strerror(errno));
		} else {
			uint64_t t0 = pr_monotonic_ns();

			tables_publish(t);
			published = pr_monotonic_ns();
			latency = published - source_status(src)->last_change_ns;
			published -= t0;
			if (t->nodes != NULL &&
			    output_set_vteps(t->nodes->vteps, t->nodes->nb_vteps) != 0)
				LOG(ERR, "VTEP MACs: out of memory; the tunnels keep the ones they had");
			control_sync_routes(lpm, t);
			LOG(DEBUG, "tables generation %" PRIu64 " published (%" PRIu64 " us build)",
			    t->generation, t->build_ns / 1000);
		}
	}
	st = source_status(src);
	if (latency != 0 || st->events != seen->events || st->lists != seen->lists ||
	    st->reconnects != seen->reconnects || st->rejected != seen->rejected ||
	    st->connected != seen->connected) {
		telemetry_sync_update(st, latency, published);
		seen->events = st->events;
		seen->lists = st->lists;
		seen->reconnects = st->reconnects;
		seen->rejected = st->rejected;
		seen->connected = st->connected;
	}
}

static void
print_summary(void)
{
	uint64_t rx = 0, tx = 0, drop = 0;
	struct pr_port_stats p;
	unsigned int i;

	for (i = 0; i < pr_nb_ports; i++) {
		workers_port_sum(pr_ports[i].port_id, &p);
		rx += p.rx;
		tx += p.tx;
	}
	for (i = 0; i < PR_DROP_COUNT; i++)
		drop += workers_drop_sum(i);
	LOG(NOTICE, "stopped: %" PRIu64 " packets in, %" PRIu64 " out, %" PRIu64 " dropped", rx,
	    tx, drop);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/etc/podrouter/podrouter.yaml";
	char *eal_argv[256];
	struct control_seen seen = { .lists = UINT64_MAX };
	struct tables_builder *builder;
	struct route_lpm *lpm = NULL;
	struct neigh_table *neigh;
	struct pr_config *cfg;
	struct rte_mempool *mp;
	struct source *src;
	struct sigaction sa;
	bool check = false;
	int opt, eal_argc, i, rc;

	while ((opt = getopt_long(argc, argv, "c:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'V':
			printf("podrouter %s\n", PODROUTER_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	}

	/*
	 * The control core builds and frees tables of hundreds of KB per change: keep glibc
	 * from mmap()ing and unmapping each (page faults on every build) or trimming the heap.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);

	cfg = config_load(path, stderr);
	if (cfg == NULL)
		return EXIT_CONFIG;
	eal_argc = config_eal_args(cfg, argv[0], eal_argv, RTE_DIM(eal_argv) - 1, stderr);
	if (eal_argc < 0)
		return EXIT_CONFIG;
	for (i = optind; i < argc && eal_argc < (int)RTE_DIM(eal_argv) - 1; i++)
		eal_argv[eal_argc++] = argv[i];
	eal_argv[eal_argc] = NULL;
	if (check) {
		printf("%s: OK: %u port(s), %u worker(s)\nEAL:", path, cfg->nb_ports,
		       cfg->nb_workers);
		for (i = 1; i < eal_argc; i++)
			printf(" %s", eal_argv[i]);
		printf("\n");
		config_free(cfg);
		return 0;
	}

	if (rte_eal_init(eal_argc, eal_argv) < 0)
		rte_exit(EXIT_FAILURE, "EAL: %s\n", rte_strerror(rte_errno));
	for (i = 0; i < (int)cfg->nb_workers; i++)
		if (!rte_lcore_is_enabled(cfg->y->workers[i].lcore))
			rte_exit(EXIT_FAILURE, "workers[%d]: lcore %u is not available\n", i,
				 cfg->y->workers[i].lcore);

	mp = rte_pktmbuf_pool_create("pr_mbufs", cfg->mbufs, cfg->y->mempool->cache,
				     PR_MBUF_PRIV_SIZE, cfg->y->mempool->data_room,
				     (int)rte_socket_id());
	if (mp == NULL)
		rte_exit(EXIT_FAILURE, "mempool of %u mbufs: %s (raise eal.memory_mb?)\n",
			 cfg->mbufs, rte_strerror(rte_errno));
	if (ports_init(cfg, mp) != 0)
		rte_exit(EXIT_FAILURE, "ports: see above\n");
	if (workers_rcu_init(cfg) != 0)
		rte_exit(EXIT_FAILURE, "workers: cannot set up RCU\n");
	lpm = route_table_create("pr_routes", cfg->y->tables->routes, (int)rte_socket_id(),
				 pr_rcu);
	if (lpm == NULL)
		rte_exit(EXIT_FAILURE, "route table of %u routes: %s (raise eal.memory_mb?)\n",
			 cfg->y->tables->routes, strerror(errno));
	neigh = neigh_create(cfg, mp, pr_rcu, cfg->nb_workers);
	if (neigh == NULL)
		rte_exit(EXIT_FAILURE, "neighbour table of %u entries: %s (raise eal.memory_mb?)\n",
			 cfg->y->tables->neighbours, strerror(errno));
	frag_configure(mp);
	if (workers_init(cfg, lpm, neigh) != 0)
		rte_exit(EXIT_FAILURE, "workers: see above\n");
	route_table_set_resolver(lpm, &(struct route_nh_resolver){ .init = output_nh_init,
								    .fini = output_nh_fini });
	if (cfg->y->telemetry->enabled && telemetry_init(cfg) != 0)
		rte_exit(EXIT_FAILURE, "telemetry: cannot register commands\n");
	if (cfg->y->telemetry->pdump && rte_pdump_init() != 0)
		LOG(WARNING, "pdump: %s: dpdk-dumpcap will not attach", rte_strerror(rte_errno));

	src = source_new(cfg);
	builder = tables_builder_new(cfg);
	if (src == NULL || builder == NULL)
		rte_exit(EXIT_FAILURE, "cluster state: %s\n", strerror(errno));
	source_set_idle(src, control_idle, neigh);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/*
	 * Know the cluster before forwarding: a file is read, Redis listed if it answers
	 * (if not, we forward with empty tables and keep trying).
	 */
	control_step(src, builder, lpm, neigh, &seen, 0);

	rc = workers_launch();
	if (rc == 0)
		LOG(NOTICE, "node %s: forwarding with %u worker(s) on %u port(s)",
		    cfg->y->node_name, cfg->nb_workers, cfg->nb_ports);
	while (!workers_stopping())
		control_step(src, builder, lpm, neigh, &seen, CONTROL_POLL_MS);

	workers_wait();
	print_summary();
	if (cfg->y->telemetry->pdump)
		rte_pdump_uninit();
	ports_close();
	route_table_free(lpm);
	neigh_free(neigh);
	tables_fini();
	tables_builder_free(builder);
	source_free(src);
	workers_fini();
	rte_mempool_free(mp);
	rte_eal_cleanup();
	config_free(cfg);
	return rc == 0 ? 0 : EXIT_FAILURE;
}
