/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table builder: an incremental build after any sequence of changes must give exactly
 * the tables a build from scratch gives from the same model, and hand entries between
 * snapshots without a leak or a use after free (run under ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>

#include "cluster.h"
#include "tables.h"

struct fx {
	struct pr_cfg_file y;
	struct pr_config cfg;
	struct cluster *c;
	unsigned int seed;
};

static int
collect(struct k8s_object *o, void *arg)
{
	return cluster_apply(arg, o) < 0 ? -1 : 0;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	fx->y.node_name = "node-a";
	fx->cfg.y = &fx->y;
	fx->c = cluster_new();
	fx->seed = 12345;
	assert_int_equal(k8s_parse_file("manifests/cluster.yaml", collect, fx->c, stderr), 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	tables_fini();
	cluster_free(fx->c);
	free(fx);
	return 0;
}

static void
expect_same_services(const struct svc_table *a, const struct svc_table *b)
{
	unsigned int i, p, k;

	assert_int_equal(a->nb, b->nb);
	assert_int_equal(a->nb_fe, b->nb_fe);
	assert_int_equal(a->nb_backends, b->nb_backends);
	for (i = 0; i < a->nb; i++) {
		const struct svc_entry *x = a->v[i], *y = b->v[i];

		assert_string_equal(x->name, y->name);
		assert_int_equal(x->nb_ports, y->nb_ports);
		assert_int_equal(x->nb_fe, y->nb_fe);
		for (p = 0; p < x->nb_ports; p++) {
			assert_string_equal(x->ports[p].name, y->ports[p].name);
			assert_int_equal(x->ports[p].nb_backends, y->ports[p].nb_backends);
			assert_int_equal(x->ports[p].nb_used, y->ports[p].nb_used);
			for (k = 0; k < x->ports[p].nb_backends; k++)
				assert_memory_equal(&x->ports[p].backends[k],
						    &y->ports[p].backends[k],
						    sizeof(struct svc_backend));
		}
	}
	for (i = 0; i < a->nb_fe; i++) {
		assert_int_equal(a->fe[i].addr, b->fe[i].addr);
		assert_int_equal(a->fe[i].port, b->fe[i].port);
		assert_int_equal(a->fe[i].proto, b->fe[i].proto);
		assert_int_equal(a->fe[i].kind, b->fe[i].kind);
		assert_int_equal(a->fe[i].port_idx, b->fe[i].port_idx);
		assert_string_equal(a->fe[i].svc->name, b->fe[i].svc->name);
	}
}

/* Build from scratch with a second builder and compare with what b published last. */
static void
expect_matches_full(struct fx *fx)
{
	struct tables_builder *b2 = tables_builder_new(&fx->cfg);
	struct pr_tables *full = tables_build(b2, fx->c, true);
	unsigned int i;

	assert_non_null(full);
	expect_same_services(pr_tables_live->svc, full->svc);
	assert_int_equal(pr_tables_live->routes->nb, full->routes->nb);
	for (i = 0; i < full->routes->nb; i++) {
		assert_int_equal(pr_tables_live->routes->v[i].prefix, full->routes->v[i].prefix);
		assert_int_equal(pr_tables_live->routes->v[i].plen, full->routes->v[i].plen);
		assert_int_equal(pr_tables_live->routes->v[i].kind, full->routes->v[i].kind);
		assert_int_equal(pr_tables_live->routes->v[i].via, full->routes->v[i].via);
		assert_string_equal(pr_tables_live->routes->v[i].owner, full->routes->v[i].owner);
	}
	assert_int_equal(pr_tables_live->pol->nb, full->pol->nb);
	for (i = 0; i < full->pol->nb; i++) {
		assert_string_equal(pr_tables_live->pol->v[i].name, full->pol->v[i].name);
		assert_int_equal(pr_tables_live->pol->v[i].nb_selected,
				 full->pol->v[i].nb_selected);
		assert_memory_equal(pr_tables_live->pol->v[i].selected, full->pol->v[i].selected,
				    full->pol->v[i].nb_selected * sizeof(uint32_t));
	}
	assert_int_equal(pr_tables_live->nodes->nb_nodes, full->nodes->nb_nodes);
	assert_int_equal(pr_tables_live->nodes->nb_local, full->nodes->nb_local);
	tables_discard(full);
	tables_builder_free(b2);
}

/* Re-apply a mutated copy of an object (through its JSON, as Redis would hand it). */
static void
mutate(struct fx *fx, const struct k8s_object *o)
{
	char *dump = k8s_object_to_json(o), *json, *p;
	unsigned int r = rand_r(&fx->seed);

	assert_non_null(dump);
	json = calloc(1, strlen(dump) + 2); /* room for "true" -> "false" */
	assert_non_null(json);
	strcpy(json, dump);
	free(dump);
	if (o->kind == K8S_ENDPOINTSLICE && (p = strstr(json, "\"ready\":true")) != NULL && r & 1) {
		memmove(p + 9, p + 8, strlen(p + 8) + 1);
		memcpy(p + 8, "false", 5);
	} else if (o->kind == K8S_SERVICE && (p = strstr(json, "\"port\":")) != NULL) {
		p[7] = p[7] == '9' ? '1' : (char)(p[7] + 1);
	}
	assert_true(k8s_parse(json, strlen(json), "test", collect, fx->c, stderr) >= 0);
	free(json);
}

static void
test_incremental_equals_full(void **state)
{
	struct fx *fx = *state;
	struct tables_builder *b = tables_builder_new(&fx->cfg);
	struct pr_tables *t;
	unsigned int round;

	t = tables_build(b, fx->c, true);
	assert_non_null(t);
	tables_publish(t);
	expect_matches_full(fx);
	for (round = 0; round < 200; round++) {
		unsigned int n, which = rand_r(&fx->seed) % 3;
		enum k8s_kind kind = which == 0 ? K8S_SERVICE : K8S_ENDPOINTSLICE;
		const struct k8s_object *const *v = cluster_sorted(fx->c, kind, &n);
		char key[K8S_KEY_MAX];

		if (n == 0)
			continue;
		if (which == 2 && n > 1) {
			/* Delete a Service or a slice; they come back through mutate() later. */
			k8s_object_key(v[rand_r(&fx->seed) % n], key, sizeof(key));
			assert_int_equal(cluster_delete(fx->c, key), 1);
		} else {
			mutate(fx, v[rand_r(&fx->seed) % n]);
		}
		t = tables_build(b, fx->c, false);
		assert_non_null(t);
		tables_publish(t);
		expect_matches_full(fx);
	}
	tables_builder_free(b);
}

static void
test_nothing_changed_shares_everything(void **state)
{
	struct fx *fx = *state;
	struct tables_builder *b = tables_builder_new(&fx->cfg);
	struct pr_tables *t0, *t1;

	t0 = tables_build(b, fx->c, true);
	tables_publish(t0);
	t1 = tables_build(b, fx->c, false);
	assert_ptr_equal(t1->svc, t0->svc);
	assert_ptr_equal(t1->routes, t0->routes);
	assert_ptr_equal(t1->pol, t0->pol);
	assert_int_equal(t1->generation, t0->generation + 1);
	tables_publish(t1);
	tables_builder_free(b);
}

/* Pending pods (no IP yet) selected by a policy: found by fuzzing as a double free. */
static void
test_policy_over_pending_pods(void **state)
{
	static const char text[] =
		"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c}]}\n"
		"---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: [{name: c}]}\n"
		"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
		"spec: {podSelector: {}}\n";
	struct fx *fx = *state;
	struct tables_builder *b = tables_builder_new(&fx->cfg);
	struct pr_tables *t;

	assert_int_equal(k8s_parse(text, sizeof(text) - 1, "test", collect, fx->c, stderr), 0);
	t = tables_build(b, fx->c, true);
	assert_non_null(t);
	tables_publish(t);
	tables_builder_free(b);
}

/* A flannel Node: its InternalIP and VTEP MAC. */
static void
add_vtep_node(struct fx *fx, const char *name, const char *ip, const char *mac)
{
	char text[512];
	int n = snprintf(text, sizeof(text),
			 "apiVersion: v1\nkind: Node\nmetadata: {name: %s, annotations: "
			 "{flannel.alpha.coreos.com/backend-data: '{\"VNI\":1,\"VtepMAC\":\"%s\"}'}}\n"
			 "status: {addresses: [{type: InternalIP, address: %s}]}\n", name, mac, ip);

	assert_int_equal(k8s_parse(text, (size_t)n, "test", collect, fx->c, stderr), 0);
}

/*
 * The VTEPs output looks up by binary search: sorted by address, one per address, the lower
 * MAC where two Nodes claim one InternalIP, whatever the Nodes' name order.
 */
static void
test_vteps_sorted(void **state)
{
	struct fx *fx = *state;
	struct tables_builder *b = tables_builder_new(&fx->cfg);
	const struct node_table *nt;
	struct pr_tables *t;
	unsigned int i, found = 0;

	add_vtep_node(fx, "vt-a", "198.18.9.3", "02:00:00:00:09:03");
	add_vtep_node(fx, "vt-b", "198.18.9.1", "02:00:00:00:09:01");
	add_vtep_node(fx, "vt-c", "198.18.9.2", "02:00:00:00:09:ff");
	add_vtep_node(fx, "vt-d", "198.18.9.2", "02:00:00:00:09:02"); /* the same IP as vt-c */
	t = tables_build(b, fx->c, true);
	assert_non_null(t);
	nt = t->nodes;
	for (i = 0; i < nt->nb_vteps; i++) {
		const uint8_t *m = nt->vteps[i].mac;

		if (i > 0)
			assert_true(nt->vteps[i - 1].ip < nt->vteps[i].ip);
		if ((rte_be_to_cpu_32(nt->vteps[i].ip) >> 8) == 0xc61209) { /* 198.18.9.x */
			found++;
			assert_int_equal(m[5], rte_be_to_cpu_32(nt->vteps[i].ip) & 0xff);
		}
	}
	assert_int_equal(found, 3);
	tables_publish(t);
	tables_builder_free(b);
}

/* A JSON string that is not UTF-8 is bad input, not a lack of memory (found by fuzzing). */
static void
test_json_not_utf8(void **state)
{
	static const char text[] = "[\"\x9c\"]";

	(void)state;
	assert_int_equal(k8s_parse(text, sizeof(text) - 1, "test", collect, NULL, NULL), -EINVAL);
}

/*
 * The address sets decap looks Nodes up in: every member found, from 0 to 5,000 members
 * (the sets grow by powers of 2), no other address found, duplicates and 0.0.0.0 skipped.
 */
#define TEST_ADDR(i) (((uint32_t)(i) + 1) * UINT32_C(0x85ebca6b)) /* the i-th address */

static void
test_addr_set(void **state)
{
	static const unsigned int sizes[] = { 0, 1, 2, 3, 100, 5000 };
	uint32_t *v = malloc(2 * 5000 * sizeof(*v));
	unsigned int i, k, slots;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < 2 * 5000; i++) /* distinct, non-zero: an odd multiple is a bijection */
		v[i] = TEST_ADDR(i);
	for (k = 0; k < RTE_DIM(sizes); k++) {
		unsigned int n = sizes[k];
		struct addr_set s;

		v[n] = 0; /* skipped */
		assert_int_equal(addr_set_build(&s, v, n + (n > 0)), 0);
		slots = s.mask + 1;
		assert_true(slots >= 4 && slots >= 2 * n && (slots & s.mask) == 0);
		for (i = 0; i < n; i++)
			assert_true(addr_set_has(&s, v[i]));
		for (i = n + 1; i < 2 * 5000; i++)
			assert_false(addr_set_has(&s, v[i]));
		assert_false(addr_set_has(&s, 0));
		addr_set_free(&s);
		v[n] = TEST_ADDR(n);
	}
	{ /* duplicates take one slot */
		struct addr_set s;
		uint32_t d[] = { 7, 7, 7, 9 };

		assert_int_equal(addr_set_build(&s, d, 4), 0);
		for (i = 0, slots = 0; i <= s.mask; i++)
			slots += s.slot[i] != 0;
		assert_int_equal(slots, 2);
		addr_set_free(&s);
	}
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_incremental_equals_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_changed_shares_everything, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_over_pending_pods, setup, teardown),
		cmocka_unit_test(test_json_not_utf8),
		cmocka_unit_test(test_addr_set),
		cmocka_unit_test_setup_teardown(test_vteps_sorted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
