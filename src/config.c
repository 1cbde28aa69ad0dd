/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config loading: libcyaml maps the file onto struct pr_cfg_file (unknown keys, wrong types
 * and missing required keys are its errors); libyaml indexes the line of every key so that
 * the checks done afterwards (addresses, references, queue ownership) can name the line too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ctype.h>
#include <inttypes.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "config.h"
#include "ipv4.h"
#include "redis_conn.h"

/* ---------------------------------------------------------------- schema */

static const cyaml_strval_t role_strings[] = {
	{ "uplink", PR_ROLE_UPLINK },
	{ "pods", PR_ROLE_PODS },
	{ "host", PR_ROLE_HOST },
};

static const cyaml_strval_t huge_strings[] = {
	{ "auto", PR_HUGE_AUTO },
	{ "on", PR_HUGE_ON },
	{ "off", PR_HUGE_OFF },
};

/*
 * libcyaml's own BOOL takes any string that is not a known "false" as true, so a typo
 * ("flase") would turn a switch on. Ours is a strict enum.
 */
static const cyaml_strval_t bool_strings[] = {
	{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 }, { "on", 1 }, { "off", 0 },
};
#define PR_FIELD_BOOL(key, flags, type, member)                                               \
	CYAML_FIELD_ENUM(key, (flags) | CYAML_FLAG_STRICT, type, member, bool_strings,        \
			 CYAML_ARRAY_LEN(bool_strings))

static const cyaml_schema_value_t string_ptr = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

#define OPT CYAML_FLAG_OPTIONAL

static const cyaml_schema_field_t poll_fields[] = {
	CYAML_FIELD_STRING_PTR("port", CYAML_FLAG_POINTER, struct pr_cfg_poll, port, 1, 63),
	CYAML_FIELD_UINT("queue", OPT, struct pr_cfg_poll, queue),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t poll_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct pr_cfg_poll, poll_fields),
};

static const cyaml_schema_field_t worker_fields[] = {
	CYAML_FIELD_UINT("lcore", CYAML_FLAG_DEFAULT, struct pr_cfg_worker, lcore),
	CYAML_FIELD_UINT("cpu", OPT, struct pr_cfg_worker, cpu),
	CYAML_FIELD_SEQUENCE("poll", CYAML_FLAG_POINTER, struct pr_cfg_worker, poll, &poll_schema,
			     1, PR_MAX_POLL),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t worker_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct pr_cfg_worker, worker_fields),
};

static const cyaml_schema_field_t port_fields[] = {
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER, struct pr_cfg_port, name, 1, 24),
	CYAML_FIELD_STRING_PTR("device", CYAML_FLAG_POINTER, struct pr_cfg_port, device, 1, 1023),
	CYAML_FIELD_ENUM("role", CYAML_FLAG_STRICT, struct pr_cfg_port, role, role_strings,
			 CYAML_ARRAY_LEN(role_strings)),
	CYAML_FIELD_UINT("rx_queues", OPT, struct pr_cfg_port, rx_queues),
	CYAML_FIELD_UINT("tx_queues", OPT, struct pr_cfg_port, tx_queues),
	CYAML_FIELD_UINT("rx_desc", OPT, struct pr_cfg_port, rx_desc),
	CYAML_FIELD_UINT("tx_desc", OPT, struct pr_cfg_port, tx_desc),
	CYAML_FIELD_UINT("mtu", OPT, struct pr_cfg_port, mtu),
	CYAML_FIELD_STRING_PTR("mac", OPT | CYAML_FLAG_POINTER, struct pr_cfg_port, mac, 0, 31),
	CYAML_FIELD_SEQUENCE("addresses", OPT | CYAML_FLAG_POINTER, struct pr_cfg_port, addresses,
			     &string_ptr, 0, PR_MAX_ADDRS),
	CYAML_FIELD_STRING_PTR("forward_to", OPT | CYAML_FLAG_POINTER, struct pr_cfg_port,
			       forward_to, 1, 63),
	PR_FIELD_BOOL("promiscuous", OPT, struct pr_cfg_port, promiscuous),
	CYAML_FIELD_STRING_PTR("gateway", OPT | CYAML_FLAG_POINTER, struct pr_cfg_port, gateway, 1,
			       63),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t port_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct pr_cfg_port, port_fields),
};

static const cyaml_schema_field_t eal_fields[] = {
	CYAML_FIELD_UINT("main_lcore", OPT, struct pr_cfg_eal, main_lcore),
	CYAML_FIELD_UINT("memory_mb", OPT, struct pr_cfg_eal, memory_mb),
	CYAML_FIELD_ENUM("hugepages", OPT | CYAML_FLAG_STRICT, struct pr_cfg_eal, hugepages,
			 huge_strings, CYAML_ARRAY_LEN(huge_strings)),
	CYAML_FIELD_STRING_PTR("file_prefix", OPT | CYAML_FLAG_POINTER, struct pr_cfg_eal,
			       file_prefix, 1, 63),
	PR_FIELD_BOOL("in_memory", OPT, struct pr_cfg_eal, in_memory),
	CYAML_FIELD_STRING_PTR("log_level", OPT | CYAML_FLAG_POINTER, struct pr_cfg_eal,
			       log_level, 1, 255),
	CYAML_FIELD_SEQUENCE("args", OPT | CYAML_FLAG_POINTER, struct pr_cfg_eal, args,
			     &string_ptr, 0, 64),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t mempool_fields[] = {
	CYAML_FIELD_UINT("mbufs", OPT, struct pr_cfg_mempool, mbufs),
	CYAML_FIELD_UINT("cache", OPT, struct pr_cfg_mempool, cache),
	CYAML_FIELD_UINT("data_room", OPT, struct pr_cfg_mempool, data_room),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t tables_fields[] = {
	CYAML_FIELD_UINT("routes", OPT, struct pr_cfg_tables, routes),
	CYAML_FIELD_UINT("neighbours", OPT, struct pr_cfg_tables, neighbours),
	CYAML_FIELD_UINT("conntrack", OPT, struct pr_cfg_tables, conntrack),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t cluster_fields[] = {
	CYAML_FIELD_STRING_PTR("file", OPT | CYAML_FLAG_POINTER, struct pr_cfg_cluster, file, 1,
			       4095),
	CYAML_FIELD_STRING_PTR("redis", OPT | CYAML_FLAG_POINTER, struct pr_cfg_cluster, redis, 1,
			       4095),
	CYAML_FIELD_STRING_PTR("prefix", OPT | CYAML_FLAG_POINTER, struct pr_cfg_cluster, prefix,
			       1, 255),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t telemetry_fields[] = {
	PR_FIELD_BOOL("enabled", OPT, struct pr_cfg_telemetry, enabled),
	PR_FIELD_BOOL("pdump", OPT, struct pr_cfg_telemetry, pdump),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t u16_entry = {
	CYAML_VALUE_UINT(CYAML_FLAG_DEFAULT, uint16_t),
};

static const cyaml_schema_value_t u32_entry = {
	CYAML_VALUE_UINT(CYAML_FLAG_DEFAULT, uint32_t),
};

static const cyaml_strval_t encap_strings[] = {
	{ "vxlan", PR_ENCAP_VXLAN },
	{ "geneve", PR_ENCAP_GENEVE },
	{ "ipip", PR_ENCAP_IPIP },
	{ "direct", PR_ENCAP_DIRECT },
};

static const cyaml_schema_field_t overlay_fields[] = {
	CYAML_FIELD_ENUM("encap", OPT | CYAML_FLAG_STRICT, struct pr_cfg_overlay, encap,
			 encap_strings, CYAML_ARRAY_LEN(encap_strings)),
	CYAML_FIELD_UINT("vni", OPT, struct pr_cfg_overlay, vni),
	CYAML_FIELD_UINT("encap_port", OPT, struct pr_cfg_overlay, encap_port),
	CYAML_FIELD_SEQUENCE("vxlan_ports", OPT | CYAML_FLAG_POINTER, struct pr_cfg_overlay,
			     vxlan_ports, &u16_entry, 0, 8),
	CYAML_FIELD_UINT("geneve_port", OPT, struct pr_cfg_overlay, geneve_port),
	CYAML_FIELD_SEQUENCE("vnis", OPT | CYAML_FLAG_POINTER, struct pr_cfg_overlay, vnis,
			     &u32_entry, 0, 64),
	PR_FIELD_BOOL("any_vni", OPT, struct pr_cfg_overlay, any_vni),
	PR_FIELD_BOOL("ipip", OPT, struct pr_cfg_overlay, ipip),
	PR_FIELD_BOOL("require_known_node", OPT, struct pr_cfg_overlay, require_known_node),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t neigh_static_fields[] = {
	CYAML_FIELD_STRING_PTR("ip", CYAML_FLAG_POINTER, struct pr_cfg_neigh_static, ip, 1, 63),
	CYAML_FIELD_STRING_PTR("mac", CYAML_FLAG_POINTER, struct pr_cfg_neigh_static, mac, 1, 31),
	CYAML_FIELD_STRING_PTR("port", CYAML_FLAG_POINTER, struct pr_cfg_neigh_static, port, 1,
			       63),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t neigh_static_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct pr_cfg_neigh_static, neigh_static_fields),
};

static const cyaml_schema_field_t neighbours_fields[] = {
	CYAML_FIELD_UINT("reachable_ms", OPT, struct pr_cfg_neighbours, reachable_ms),
	CYAML_FIELD_UINT("retransmit_ms", OPT, struct pr_cfg_neighbours, retransmit_ms),
	CYAML_FIELD_UINT("probes", OPT, struct pr_cfg_neighbours, probes),
	CYAML_FIELD_UINT("hold", OPT, struct pr_cfg_neighbours, hold),
	CYAML_FIELD_UINT("gc_ms", OPT, struct pr_cfg_neighbours, gc_ms),
	CYAML_FIELD_SEQUENCE("static", OPT | CYAML_FLAG_POINTER, struct pr_cfg_neighbours, statics,
			     &neigh_static_schema, 0, 1024),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t icmp_fields[] = {
	CYAML_FIELD_UINT("rate", OPT, struct pr_cfg_icmp, rate),
	CYAML_FIELD_UINT("burst", OPT, struct pr_cfg_icmp, burst),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t top_fields[] = {
	CYAML_FIELD_STRING_PTR("node_name", CYAML_FLAG_POINTER, struct pr_cfg_file, node_name, 1,
			       253),
	CYAML_FIELD_MAPPING_PTR("eal", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file, eal,
				eal_fields),
	CYAML_FIELD_SEQUENCE("ports", CYAML_FLAG_POINTER, struct pr_cfg_file, ports, &port_schema,
			     1, PR_MAX_PORTS),
	CYAML_FIELD_SEQUENCE("workers", CYAML_FLAG_POINTER, struct pr_cfg_file, workers,
			     &worker_schema, 1, PR_MAX_WORKERS),
	CYAML_FIELD_MAPPING_PTR("mempool", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file, mempool,
				mempool_fields),
	CYAML_FIELD_MAPPING_PTR("tables", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file, tables,
				tables_fields),
	CYAML_FIELD_MAPPING_PTR("cluster", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file, cluster,
				cluster_fields),
	CYAML_FIELD_MAPPING_PTR("telemetry", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file,
				telemetry, telemetry_fields),
	CYAML_FIELD_MAPPING_PTR("overlay", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file, overlay,
				overlay_fields),
	CYAML_FIELD_MAPPING_PTR("neighbours", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file,
				neighbours, neighbours_fields),
	CYAML_FIELD_MAPPING_PTR("icmp", OPT | CYAML_FLAG_POINTER, struct pr_cfg_file, icmp,
				icmp_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t top_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct pr_cfg_file, top_fields),
};

/* ---------------------------------------------------------------- line index */

struct line_entry {
	char *path;
	unsigned int line;
};

struct line_index {
	struct line_entry *e;
	size_t n, cap;
	unsigned int syntax_line; /* where libyaml gave up, 0 if the file parsed */
	char syntax[128];
};

static void
line_add(struct line_index *ix, const char *path, unsigned int line)
{
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;
		struct line_entry *e = realloc(ix->e, cap * sizeof(*e));

		if (e == NULL)
			return; /* the index only improves messages */
		ix->e = e;
		ix->cap = cap;
	}
	ix->e[ix->n].path = strdup(path);
	if (ix->e[ix->n].path != NULL)
		ix->e[ix->n++].line = line;
}

static void
line_walk(struct line_index *ix, yaml_document_t *doc, yaml_node_t *node, const char *path)
{
	char sub[512];

	if (node == NULL)
		return;
	if (node->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *pair;

		for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top;
		     pair++) {
			yaml_node_t *k = yaml_document_get_node(doc, pair->key);

			if (k == NULL || k->type != YAML_SCALAR_NODE)
				continue;
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "",
				 (const char *)k->data.scalar.value);
			line_add(ix, sub, k->start_mark.line + 1);
			line_walk(ix, doc, yaml_document_get_node(doc, pair->value), sub);
		}
	} else if (node->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *item;
		unsigned int i = 0;

		for (item = node->data.sequence.items.start; item < node->data.sequence.items.top;
		     item++, i++) {
			yaml_node_t *v = yaml_document_get_node(doc, *item);

			snprintf(sub, sizeof(sub), "%s[%u]", path, i);
			if (v != NULL)
				line_add(ix, sub, v->start_mark.line + 1);
			line_walk(ix, doc, v, sub);
		}
	}
}

static void
line_index_build(struct line_index *ix, const char *path)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return;
	}
	yaml_parser_set_input_file(&parser, f);
	if (yaml_parser_load(&parser, &doc)) {
		line_walk(ix, &doc, yaml_document_get_root_node(&doc), "");
		yaml_document_delete(&doc);
	} else {
		ix->syntax_line = parser.problem_mark.line + 1;
		snprintf(ix->syntax, sizeof(ix->syntax), "%s%s%s",
			 parser.problem ? parser.problem : "cannot parse",
			 parser.context ? " " : "", parser.context ? parser.context : "");
	}
	yaml_parser_delete(&parser);
	fclose(f);
}

/* The line of `path`, or of its nearest parent that is in the file; 0 if none. */
static unsigned int
line_of(const struct line_index *ix, const char *path)
{
	char p[512];
	size_t i;

	snprintf(p, sizeof(p), "%s", path);
	if (p[0] == '\0')
		return 1; /* the top-level mapping starts the document */
	for (;;) {
		char *cut;

		for (i = 0; i < ix->n; i++)
			if (strcmp(ix->e[i].path, p) == 0)
				return ix->e[i].line;
		cut = strrchr(p, '.');
		if (strrchr(p, '[') > cut)
			cut = strrchr(p, '[');
		if (cut == NULL)
			return 1;
		*cut = '\0';
	}
}

static void
line_index_free(struct line_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		free(ix->e[i].path);
	free(ix->e);
}

/* ---------------------------------------------------------------- errors */

struct check {
	const char *file;
	struct line_index lines;
	FILE *err;
	unsigned int errors;
};

static void __attribute__((format(printf, 3, 4)))
check_fail(struct check *c, const char *key, const char *fmt, ...)
{
	char msg[1024], *ch;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line per message, whatever the values quoted in it hold. */
	for (ch = msg; *ch; ch++)
		if ((unsigned char)*ch < 0x20)
			*ch = '?';
	fprintf(c->err, "%s:%u: %s: %s\n", c->file, line_of(&c->lines, key), key, msg);
	c->errors++;
}

/*
 * libcyaml reports one error as several log lines: the error itself, then "Backtrace:" and
 * one line per level from the innermost outwards ("in mapping field 'mtu' (line: 9, ...)",
 * "in sequence entry '2' ...", counted from 1). We keep them and turn them into a key path
 * and a line afterwards, so that its errors read like ours.
 */
struct cy_frame {
	char field[128]; /* mapping field name, or "" */
	int seq;         /* sequence entry counted from 1, or 0 */
	unsigned int line;
};

struct cy_capture {
	char msg[256];
	struct cy_frame fr[16];
	unsigned int nfr;
};

static void
cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct cy_capture *cap = ctx;
	struct cy_frame f = { .field = "" };
	char text[512], *t, *nl;
	unsigned int col;

	if (level < CYAML_LOG_ERROR)
		return;
	vsnprintf(text, sizeof(text), fmt, args);
	nl = strchr(text, '\n');
	if (nl != NULL)
		*nl = '\0';
	for (t = text; *t == ' '; t++)
		;
	if (sscanf(t, "in mapping field '%127[^']' (line: %u, column: %u)", f.field, &f.line,
		   &col) == 3 ||
	    sscanf(t, "in sequence entry '%d' (line: %u, column: %u)", &f.seq, &f.line, &col) == 3 ||
	    sscanf(t, "in mapping (line: %u, column: %u)", &f.line, &col) == 2) {
		if (cap->nfr < RTE_DIM(cap->fr))
			cap->fr[cap->nfr++] = f;
		return;
	}
	if (cap->msg[0] == '\0' && strncmp(t, "Load: Backtrace", 15) != 0)
		snprintf(cap->msg, sizeof(cap->msg), "%s", strncmp(t, "Load: ", 6) == 0 ? t + 6 : t);
}

/* Frames [from, nfr) as a key path, outermost first. */
static void
cy_path(const struct cy_capture *cap, unsigned int from, char *out, size_t len)
{
	unsigned int i;
	size_t n = 0;

	out[0] = '\0';
	for (i = cap->nfr; i-- > from && n < len;) {
		const struct cy_frame *f = &cap->fr[i];

		if (f->field[0] != '\0')
			n += snprintf(out + n, len - n, "%s%s", n ? "." : "", f->field);
		else if (f->seq > 0)
			n += snprintf(out + n, len - n, "[%d]", f->seq - 1);
	}
}

/*
 * The values an enum key takes, from the schema's own lists, for a message about a bad one.
 * libcyaml's message names no key: the key's name picks the list (every other enum is a
 * switch). Booleans are shown as true and false, the rest of what they take is for YAML's sake.
 */
static void
cy_enum_hint(const char *key, char *out, size_t len)
{
	static const struct {
		const char *key;
		const cyaml_strval_t *v;
		unsigned int n;
	} enums[] = {
		{ "role", role_strings, CYAML_ARRAY_LEN(role_strings) },
		{ "hugepages", huge_strings, CYAML_ARRAY_LEN(huge_strings) },
		{ "encap", encap_strings, CYAML_ARRAY_LEN(encap_strings) },
	};
	const cyaml_strval_t *v = bool_strings; /* its first two: true, false */
	unsigned int i, n = 2;
	size_t k;

	for (i = 0; i < RTE_DIM(enums); i++)
		if (strcmp(key, enums[i].key) == 0) {
			v = enums[i].v;
			n = enums[i].n;
		}
	k = (size_t)snprintf(out, len, " (one of:");
	for (i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s %s", i ? "," : "", v[i].str);
	if (k < len)
		snprintf(out + k, len - k, ")");
}

static void
cy_report(struct check *c, const struct cy_capture *cap)
{
	const char *missing = "Missing required mapping field: ";
	const char *unexpected = "Unexpected key: ";
	char path[512], key[768];

	if (c->lines.syntax_line != 0) {
		fprintf(c->err, "%s:%u: syntax error: %s\n", c->file, c->lines.syntax_line,
			c->lines.syntax);
	} else if (strncmp(cap->msg, missing, strlen(missing)) == 0) {
		/* The innermost frame is the last field read in the mapping that lacks one. */
		cy_path(cap, cap->nfr > 0 && cap->fr[0].field[0] ? 1 : 0, path, sizeof(path));
		snprintf(key, sizeof(key), "%s%s%s", path, path[0] ? "." : "",
			 cap->msg + strlen(missing));
		fprintf(c->err, "%s:%u: %s: required key is missing\n", c->file,
			line_of(&c->lines, path), key);
	} else if (strncmp(cap->msg, unexpected, strlen(unexpected)) == 0) {
		cy_path(cap, 0, path, sizeof(path));
		snprintf(key, sizeof(key), "%s%s%s", path, path[0] ? "." : "",
			 cap->msg + strlen(unexpected));
		fprintf(c->err, "%s:%u: %s: unknown key\n", c->file, line_of(&c->lines, key), key);
	} else {
		char hint[128] = "";

		cy_path(cap, 0, path, sizeof(path));
		if (strstr(cap->msg, "ENUM") != NULL)
			cy_enum_hint(strrchr(path, '.') ? strrchr(path, '.') + 1 : path, hint,
				     sizeof(hint));
		fprintf(c->err, "%s:%u: %s: %s%s\n", c->file,
			cap->nfr ? cap->fr[0].line : line_of(&c->lines, path),
			path[0] ? path : "(top level)", cap->msg[0] ? cap->msg : "cannot be read",
			hint);
	}
	c->errors++;
}

/* ---------------------------------------------------------------- checks */

static bool
has_key(const struct check *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->lines.n; i++)
		if (strcmp(c->lines.e[i].path, path) == 0)
			return true;
	return false;
}

/* An unsigned key: the default when absent, and [lo, hi] when present. */
static void
check_range(struct check *c, const char *key, uint32_t *val, uint32_t def, uint32_t lo,
	    uint32_t hi)
{
	if (!has_key(c, key)) {
		*val = def;
		return;
	}
	if (*val < lo || *val > hi)
		check_fail(c, key, "%u is out of range [%u, %u]", *val, lo, hi);
}

static void
check_range16(struct check *c, const char *key, uint16_t *val, uint16_t def, uint16_t lo,
	      uint16_t hi)
{
	uint32_t v = *val;

	check_range(c, key, &v, def, lo, hi);
	*val = (uint16_t)v;
}

static void
check_bool(struct check *c, const char *key, bool *val, bool def)
{
	if (!has_key(c, key))
		*val = def;
}

static bool
is_pci_address(const char *dev)
{
	unsigned int d, b, s, f;
	char end;

	return sscanf(dev, "%4x:%2x:%2x.%1x%c", &d, &b, &s, &f, &end) >= 4 ||
	       sscanf(dev, "%2x:%2x.%1x%c", &b, &s, &f, &end) >= 3;
}

/* "A.B.C.D/LEN" */
static int
parse_addr4(const char *s, struct pr_addr4 *a)
{
	char buf[64], *slash, *end;
	struct in_addr in;
	unsigned long plen;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -EINVAL;
	errno = 0;
	plen = strtoul(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end != '\0' || plen > 32)
		return -EINVAL;
	a->addr = in.s_addr;
	a->plen = (uint8_t)plen;
	return 0;
}

static void
check_port(struct check *c, struct pr_config *cfg, unsigned int i)
{
	struct pr_port_conf *pc = &cfg->ports[i];
	struct pr_cfg_port *p = &cfg->y->ports[i];
	char key[96];
	const char *ch;
	unsigned int j;

	pc->y = p;
	pc->forward_to = -1;
	snprintf(key, sizeof(key), "ports[%u].name", i);
	for (ch = p->name; *ch; ch++)
		if (!((*ch >= 'a' && *ch <= 'z') || (*ch >= '0' && *ch <= '9') || *ch == '_'))
			break;
	/* The name keys telemetry dicts, which take only [A-Za-z0-9_/], and names nodes. */
	if (*ch != '\0')
		check_fail(c, key, "'%s' may hold only a-z, 0-9 and '_'", p->name);
	for (j = 0; j < i; j++)
		if (strcmp(cfg->y->ports[j].name, p->name) == 0)
			check_fail(c, key, "'%s' is also the name of ports[%u]", p->name, j);

	snprintf(key, sizeof(key), "ports[%u].device", i);
	pc->is_pci = is_pci_address(p->device);
	if (!pc->is_pci && strncmp(p->device, "net_", 4) != 0)
		check_fail(c, key, "'%s' is neither a PCI address (0000:3b:00.0) nor a vdev "
			   "(net_pcap0,..., net_tap0, net_memif0, ...)", p->device);
	snprintf(pc->dev_name, sizeof(pc->dev_name), "%.*s", (int)strcspn(p->device, ","),
		 p->device);
	for (j = 0; j < i; j++)
		if (strcmp(cfg->ports[j].dev_name, pc->dev_name) == 0)
			check_fail(c, key, "device '%s' is also used by ports[%u]", pc->dev_name, j);

	snprintf(key, sizeof(key), "ports[%u].rx_queues", i);
	check_range16(c, key, &p->rx_queues, 1, 1, 64);
	snprintf(key, sizeof(key), "ports[%u].tx_queues", i);
	check_range16(c, key, &p->tx_queues, (uint16_t)cfg->y->workers_count, 1, 64);
	if (p->tx_queues < cfg->y->workers_count)
		check_fail(c, key, "%u TX queues, but each of the %u workers needs its own",
			   p->tx_queues, cfg->y->workers_count);
	snprintf(key, sizeof(key), "ports[%u].rx_desc", i);
	check_range16(c, key, &p->rx_desc, 1024, 64, 16384);
	snprintf(key, sizeof(key), "ports[%u].tx_desc", i);
	check_range16(c, key, &p->tx_desc, 1024, 64, 16384);
	snprintf(key, sizeof(key), "ports[%u].mtu", i);
	check_range16(c, key, &p->mtu, 1500, 68, 9600); /* 68: RFC 791's minimum */
	snprintf(key, sizeof(key), "ports[%u].promiscuous", i);
	check_bool(c, key, &p->promiscuous, false);

	if (p->mac != NULL) {
		snprintf(key, sizeof(key), "ports[%u].mac", i);
		if (rte_ether_unformat_addr(p->mac, &pc->mac) != 0)
			check_fail(c, key, "'%s' is not a MAC address (02:00:00:00:00:01)", p->mac);
		else if (!rte_is_valid_assigned_ether_addr(&pc->mac))
			check_fail(c, key, "'%s' is not a unicast MAC address", p->mac);
		pc->has_mac = true;
	}
	for (j = 0; j < p->addresses_count; j++) {
		struct pr_addr4 *a = &pc->addrs[pc->nb_addrs];

		snprintf(key, sizeof(key), "ports[%u].addresses[%u]", i, j);
		if (strchr(p->addresses[j], ':') != NULL)
			check_fail(c, key, "'%s': IPv6 addresses are not supported yet",
				   p->addresses[j]);
		else if (parse_addr4(p->addresses[j], a) != 0)
			check_fail(c, key, "'%s' is not an IPv4 address with a prefix length "
				   "(10.244.1.1/24)", p->addresses[j]);
		else
			pc->nb_addrs++;
	}
	if (p->gateway != NULL) {
		struct in_addr in;

		snprintf(key, sizeof(key), "ports[%u].gateway", i);
		if (inet_pton(AF_INET, p->gateway, &in) != 1)
			check_fail(c, key, "'%s' is not an IPv4 address (198.18.0.1)", p->gateway);
		else if (!config_on_link(pc, in.s_addr))
			check_fail(c, key, "%s is in none of the port's address prefixes",
				   p->gateway);
		else
			pc->gateway = in.s_addr;
	}
	if (p->role == PR_ROLE_UPLINK && cfg->uplink < 0)
		cfg->uplink = (int)i;
}

/* Neighbour timers and static entries, ICMP error rate. */
static void
check_neighbours(struct check *c, struct pr_config *cfg)
{
	struct pr_cfg_neighbours *n = cfg->y->neighbours;
	unsigned int i, j, gateways = 0;
	char key[96];

	check_range(c, "neighbours.reachable_ms", &n->reachable_ms, 30000, 1000, 3600000);
	check_range(c, "neighbours.retransmit_ms", &n->retransmit_ms, 1000, 10, 60000);
	check_range(c, "neighbours.probes", &n->probes, 3, 1, 100);
	check_range(c, "neighbours.hold", &n->hold, 16, 0, 1024);
	check_range(c, "neighbours.gc_ms", &n->gc_ms, 60000, 1000, 86400000);
	check_range(c, "icmp.rate", &cfg->y->icmp->rate, 1000, 0, 1000000);
	check_range(c, "icmp.burst", &cfg->y->icmp->burst, 50, 1, 100000);
	for (i = 0; i < cfg->nb_ports; i++)
		if (cfg->ports[i].gateway != 0 && gateways++ > 0) {
			snprintf(key, sizeof(key), "ports[%u].gateway", i);
			check_fail(c, key, "only one port may have the default gateway");
		}
	cfg->statics = calloc(n->statics_count + 1, sizeof(*cfg->statics));
	if (cfg->statics == NULL) {
		check_fail(c, "neighbours.static", "out of memory");
		return;
	}
	if (n->statics_count > cfg->y->tables->neighbours)
		check_fail(c, "neighbours.static", "%u entries, but tables.neighbours is %u",
			   n->statics_count, cfg->y->tables->neighbours);
	for (i = 0; i < n->statics_count; i++) {
		const struct pr_cfg_neigh_static *y = &n->statics[i];
		struct pr_neigh_static *e = &cfg->statics[cfg->nb_statics];
		struct in_addr in;
		int port;
		bool ok = true;

		snprintf(key, sizeof(key), "neighbours.static[%u].ip", i);
		if (inet_pton(AF_INET, y->ip, &in) != 1) {
			check_fail(c, key, "'%s' is not an IPv4 address", y->ip);
			ok = false;
		}
		for (j = 0; ok && j < i; j++) { /* j: the list's own index, bad entries counted */
			struct in_addr other;

			if (inet_pton(AF_INET, n->statics[j].ip, &other) == 1 &&
			    other.s_addr == in.s_addr) {
				check_fail(c, key, "%s is also neighbours.static[%u]", y->ip, j);
				ok = false;
			}
		}
		snprintf(key, sizeof(key), "neighbours.static[%u].mac", i);
		if (rte_ether_unformat_addr(y->mac, &e->mac) != 0 ||
		    !rte_is_valid_assigned_ether_addr(&e->mac)) {
			check_fail(c, key, "'%s' is not a unicast MAC address", y->mac);
			ok = false;
		}
		snprintf(key, sizeof(key), "neighbours.static[%u].port", i);
		port = config_port_index(cfg, y->port);
		if (port < 0) {
			check_fail(c, key, "no port is named '%s'", y->port);
			ok = false;
		}
		if (ok) {
			e->ip = in.s_addr;
			e->port = (unsigned int)port;
			cfg->nb_statics++;
		}
	}
}

uint32_t
config_on_link_addr(const struct pr_port_conf *pc, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < pc->nb_addrs; i++) {
		uint32_t mask = rte_cpu_to_be_32(pr_ipv4_mask(pc->addrs[i].plen));

		if (((ip ^ pc->addrs[i].addr) & mask) == 0)
			return pc->addrs[i].addr;
	}
	return 0;
}

bool
config_on_link(const struct pr_port_conf *pc, uint32_t ip)
{
	return config_on_link_addr(pc, ip) != 0;
}

uint32_t
config_node_ip(const struct pr_config *cfg)
{
	return cfg->uplink >= 0 && cfg->ports[cfg->uplink].nb_addrs > 0 ?
		       cfg->ports[cfg->uplink].addrs[0].addr : 0;
}

static void
check_forwarding(struct check *c, struct pr_config *cfg)
{
	unsigned int i, hosts = 0;
	char key[96];

	for (i = 0; i < cfg->nb_ports; i++) {
		const struct pr_cfg_port *p = &cfg->y->ports[i];

		if (p->role == PR_ROLE_HOST && hosts++ > 0) {
			snprintf(key, sizeof(key), "ports[%u].role", i);
			check_fail(c, key, "only one port may have the role 'host'");
		}
		if (p->forward_to == NULL)
			continue;
		snprintf(key, sizeof(key), "ports[%u].forward_to", i);
		cfg->ports[i].forward_to = config_port_index(cfg, p->forward_to);
		if (cfg->ports[i].forward_to < 0)
			check_fail(c, key, "no port is named '%s'", p->forward_to);
		else if ((unsigned int)cfg->ports[i].forward_to == i)
			check_fail(c, key, "a port cannot forward to itself");
	}
}

static void
check_workers(struct check *c, struct pr_config *cfg)
{
	/* owner[port][queue] = worker index + 1 */
	static uint8_t owner[PR_MAX_PORTS][64];
	unsigned int w, j, q, p;
	char key[96];

	memset(owner, 0, sizeof(owner));
	for (w = 0; w < cfg->nb_workers; w++) {
		struct pr_cfg_worker *wk = &cfg->y->workers[w];

		snprintf(key, sizeof(key), "workers[%u].lcore", w);
		if (wk->lcore >= RTE_MAX_LCORE)
			check_fail(c, key, "%u is not below %u", wk->lcore, RTE_MAX_LCORE);
		if (wk->lcore == cfg->y->eal->main_lcore)
			check_fail(c, key, "lcore %u is eal.main_lcore, the control core",
				   wk->lcore);
		for (j = 0; j < w; j++)
			if (cfg->y->workers[j].lcore == wk->lcore)
				check_fail(c, key, "lcore %u is also workers[%u]", wk->lcore, j);
		snprintf(key, sizeof(key), "workers[%u].cpu", w);
		if (has_key(c, key)) {
			wk->has_cpu = true;
			if (wk->cpu >= RTE_MAX_LCORE)
				check_fail(c, key, "%u is not below %u", wk->cpu, RTE_MAX_LCORE);
		}
		snprintf(key, sizeof(key), "workers[%u].poll", w);
		if (wk->poll_count > PR_MAX_POLL)
			check_fail(c, key, "%u (port, queue) pairs; a worker polls at most %u",
				   wk->poll_count, PR_MAX_POLL);
		for (j = 0; j < wk->poll_count; j++) {
			const struct pr_cfg_poll *pl = &wk->poll[j];
			int pi = config_port_index(cfg, pl->port);

			snprintf(key, sizeof(key), "workers[%u].poll[%u].port", w, j);
			if (pi < 0) {
				check_fail(c, key, "no port is named '%s'", pl->port);
				continue;
			}
			snprintf(key, sizeof(key), "workers[%u].poll[%u].queue", w, j);
			/* An rx_queues out of range was reported; never index past owner[][64]. */
			if (pl->queue >= RTE_MIN(cfg->y->ports[pi].rx_queues, (uint16_t)64)) {
				check_fail(c, key, "port '%s' has %u RX queue(s); queue %u does not "
					   "exist", pl->port, cfg->y->ports[pi].rx_queues, pl->queue);
				continue;
			}
			if (owner[pi][pl->queue] != 0)
				check_fail(c, key, "queue %u of port '%s' is also polled by "
					   "workers[%u]", pl->queue, pl->port,
					   owner[pi][pl->queue] - 1);
			else
				owner[pi][pl->queue] = (uint8_t)(w + 1);
		}
	}
	for (p = 0; p < cfg->nb_ports; p++)
		for (q = 0; q < RTE_MIN(cfg->y->ports[p].rx_queues, (uint16_t)64); q++)
			if (owner[p][q] == 0) {
				snprintf(key, sizeof(key), "ports[%u].rx_queues", p);
				check_fail(c, key, "queue %u of port '%s' is polled by no worker", q,
					   cfg->y->ports[p].name);
			}
}

static void
check_mempool(struct check *c, struct pr_config *cfg)
{
	struct pr_cfg_mempool *mp = cfg->y->mempool;
	uint32_t need = 0;
	unsigned int i;

	for (i = 0; i < cfg->nb_ports; i++) {
		const struct pr_cfg_port *p = &cfg->y->ports[i];

		need += (uint32_t)p->rx_queues * p->rx_desc + (uint32_t)p->tx_queues * p->tx_desc;
	}
	check_range(c, "mempool.cache", &mp->cache, 256, 0, RTE_MEMPOOL_CACHE_MAX_SIZE);
	/* Every lcore's cache may hold mbufs, and each worker has bursts in flight. */
	need += (cfg->nb_workers + 1) * (mp->cache + 4 * 256);
	check_range(c, "mempool.mbufs", &mp->mbufs, RTE_MAX(need, 16383u), 1024, 1u << 26);
	if (mp->mbufs < need)
		check_fail(c, "mempool.mbufs", "%u mbufs, but the ports' descriptors, caches and "
			   "bursts can hold %u", mp->mbufs, need);
	check_range16(c, "mempool.data_room", &mp->data_room, RTE_MBUF_DEFAULT_BUF_SIZE,
		      RTE_PKTMBUF_HEADROOM + 256, UINT16_MAX);
	for (i = 0; i < cfg->nb_ports; i++) {
		const struct pr_cfg_port *p = &cfg->y->ports[i];
		char key[64];

		snprintf(key, sizeof(key), "ports[%u].mtu", i);
		/* One frame in one mbuf: Ethernet + one VLAN tag + MTU after the headroom. */
		if ((uint32_t)p->mtu + RTE_ETHER_HDR_LEN + 4 + RTE_PKTMBUF_HEADROOM > mp->data_room)
			check_fail(c, key, "MTU %u does not fit in mempool.data_room %u (headroom "
				   "%u + 18 bytes of Ethernet and VLAN)", p->mtu, mp->data_room,
				   RTE_PKTMBUF_HEADROOM);
	}
	cfg->mbufs = mp->mbufs;
}

static void
check_cluster(struct check *c, struct pr_config *cfg)
{
	struct pr_cfg_cluster *cl = cfg->y->cluster;

	if (cl == NULL)
		return;
	if ((cl->file == NULL) == (cl->redis == NULL))
		check_fail(c, "cluster", "give exactly one of 'file' and 'redis'");
	if (cl->redis != NULL) {
		struct pr_redis_url u;
		char why[256];

		if (redis_url_parse(cl->redis, &u, why, sizeof(why)) != 0)
			check_fail(c, "cluster.redis", "%s", why);
	}
	if (cl->file != NULL) {
		struct stat st;
		char path[4096];

		/* Relative to the config file, as an include is. */
		if (cl->file[0] != '/' && strrchr(cfg->path, '/') != NULL)
			snprintf(path, sizeof(path), "%.*s/%s",
				 (int)(strrchr(cfg->path, '/') - cfg->path), cfg->path, cl->file);
		else
			snprintf(path, sizeof(path), "%s", cl->file);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			check_fail(c, "cluster.file", "'%s' is not a readable file", path);
	}
}

/*
 * The overlay: VXLAN on 4789 (IANA, RFC 7348) and 8472 (Linux's and so flannel's and
 * Cilium's default), Geneve on 6081 (RFC 8926), IP-in-IP, VNI 1 (flannel's), from known
 * Nodes only; every one of these can be changed.
 */
static void
check_overlay(struct check *c, struct pr_config *cfg)
{
	struct pr_cfg_overlay *o = cfg->y->overlay;
	unsigned int i;
	char key[64];

	if (!has_key(c, "overlay.vxlan_ports")) {
		o->vxlan_ports = malloc(2 * sizeof(*o->vxlan_ports));
		if (o->vxlan_ports == NULL) {
			check_fail(c, "overlay", "out of memory");
			return;
		}
		o->vxlan_ports[0] = 4789;
		o->vxlan_ports[1] = 8472;
		o->vxlan_ports_count = 2;
	}
	for (i = 0; i < o->vxlan_ports_count; i++) {
		snprintf(key, sizeof(key), "overlay.vxlan_ports[%u]", i);
		if (o->vxlan_ports[i] == 0)
			check_fail(c, key, "0 is not a UDP port");
		if (o->vxlan_ports[i] == o->geneve_port && has_key(c, "overlay.geneve_port"))
			check_fail(c, key, "%u is also overlay.geneve_port", o->vxlan_ports[i]);
	}
	if (!has_key(c, "overlay.geneve_port"))
		o->geneve_port = 6081;
	if (!has_key(c, "overlay.vnis")) {
		o->vnis = malloc(sizeof(*o->vnis));
		if (o->vnis == NULL) {
			check_fail(c, "overlay", "out of memory");
			return;
		}
		o->vnis[0] = 1;
		o->vnis_count = 1;
	}
	for (i = 0; i < o->vnis_count; i++) {
		snprintf(key, sizeof(key), "overlay.vnis[%u]", i);
		if (o->vnis[i] >= 1u << 24)
			check_fail(c, key, "%u is not a 24-bit VNI", o->vnis[i]);
	}
	if (!has_key(c, "overlay.encap"))
		o->encap = PR_ENCAP_VXLAN;
	check_range(c, "overlay.vni", &o->vni, o->vnis_count > 0 ? o->vnis[0] : 1, 0,
		    (1u << 24) - 1);
	check_range16(c, "overlay.encap_port", &o->encap_port,
		      o->encap == PR_ENCAP_GENEVE ? (o->geneve_port ? o->geneve_port : 6081) :
		      (o->vxlan_ports_count > 0 ? o->vxlan_ports[0] : 4789), 1, UINT16_MAX);
	check_bool(c, "overlay.any_vni", &o->any_vni, false);
	check_bool(c, "overlay.ipip", &o->ipip, true);
	check_bool(c, "overlay.require_known_node", &o->require_known_node, true);
}

static void
check_all(struct check *c, struct pr_config *cfg)
{
	struct pr_cfg_file *y = cfg->y;
	const char *ch;
	unsigned int i;

	for (ch = y->node_name; *ch; ch++)
		if (!((*ch >= 'a' && *ch <= 'z') || (*ch >= '0' && *ch <= '9') || *ch == '-' ||
		      *ch == '.'))
			break;
	if (*ch != '\0')
		check_fail(c, "node_name", "'%s' is not a Kubernetes node name (RFC 1123: a-z, "
			   "0-9, '-', '.')", y->node_name);

	check_range(c, "eal.main_lcore", &y->eal->main_lcore, 0, 0, RTE_MAX_LCORE - 1);
	check_range(c, "eal.memory_mb", &y->eal->memory_mb, 512, 64, 1u << 20);
	check_bool(c, "eal.in_memory", &y->eal->in_memory, false);
	if (y->eal->file_prefix != NULL)
		for (ch = y->eal->file_prefix; *ch; ch++)
			if (!isalnum((unsigned char)*ch) && *ch != '_' && *ch != '-') {
				check_fail(c, "eal.file_prefix", "'%s' may hold only letters, digits, "
					   "'_' and '-'", y->eal->file_prefix);
				break;
			}

	cfg->nb_ports = y->ports_count;
	cfg->nb_workers = y->workers_count;
	cfg->uplink = -1;
	for (i = 0; i < cfg->nb_ports; i++)
		check_port(c, cfg, i);
	check_forwarding(c, cfg);
	check_workers(c, cfg);
	check_mempool(c, cfg);

	check_range(c, "tables.routes", &y->tables->routes, 65536, 16, 1u << 24);
	check_range(c, "tables.neighbours", &y->tables->neighbours, 4096, 16, 1u << 20);
	check_neighbours(c, cfg);
	check_range(c, "tables.conntrack", &y->tables->conntrack, 1u << 20, 1024, 1u << 26);
	if (!rte_is_power_of_2(y->tables->conntrack))
		check_fail(c, "tables.conntrack", "%u is not a power of two", y->tables->conntrack);

	check_cluster(c, cfg);
	check_overlay(c, cfg);
	check_bool(c, "telemetry.enabled", &y->telemetry->enabled, true);
	check_bool(c, "telemetry.pdump", &y->telemetry->pdump, true);
}

/* Optional sections absent from the file are given zeroed structs, so checks see defaults. */
static int
fill_sections(struct pr_cfg_file *y)
{
	if (y->eal == NULL && (y->eal = calloc(1, sizeof(*y->eal))) == NULL)
		return -ENOMEM;
	if (y->mempool == NULL && (y->mempool = calloc(1, sizeof(*y->mempool))) == NULL)
		return -ENOMEM;
	if (y->tables == NULL && (y->tables = calloc(1, sizeof(*y->tables))) == NULL)
		return -ENOMEM;
	if (y->telemetry == NULL && (y->telemetry = calloc(1, sizeof(*y->telemetry))) == NULL)
		return -ENOMEM;
	if (y->overlay == NULL && (y->overlay = calloc(1, sizeof(*y->overlay))) == NULL)
		return -ENOMEM;
	if (y->neighbours == NULL && (y->neighbours = calloc(1, sizeof(*y->neighbours))) == NULL)
		return -ENOMEM;
	if (y->icmp == NULL && (y->icmp = calloc(1, sizeof(*y->icmp))) == NULL)
		return -ENOMEM;
	return 0;
}

static const cyaml_config_t cy_base = {
	.log_level = CYAML_LOG_ERROR,
	.mem_fn = cyaml_mem,
	.flags = CYAML_CFG_DEFAULT,
};

struct pr_config *
config_load(const char *path, FILE *err)
{
	struct check c = { .file = path, .err = err };
	struct cy_capture cap = { .msg = "" };
	cyaml_config_t cy = cy_base;
	struct pr_config *cfg;
	cyaml_err_t rc;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL || (cfg->path = strdup(path)) == NULL) {
		fprintf(err, "%s: out of memory\n", path);
		free(cfg);
		return NULL;
	}
	if (access(path, R_OK) != 0) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
		goto err_cfg;
	}
	line_index_build(&c.lines, path);
	cy.log_fn = cy_log;
	cy.log_ctx = &cap;
	rc = cyaml_load_file(path, &cy, &top_schema, (cyaml_data_t **)&cfg->y, NULL);
	if (rc != CYAML_OK) {
		if (cap.msg[0] == '\0')
			snprintf(cap.msg, sizeof(cap.msg), "%s", cyaml_strerror(rc));
		cy_report(&c, &cap);
		goto err_lines;
	}
	if (cfg->y == NULL) {
		fprintf(err, "%s:1: the file holds no configuration\n", path);
		goto err_lines;
	}
	if (fill_sections(cfg->y) != 0) {
		fprintf(err, "%s: out of memory\n", path);
		goto err_lines;
	}
	check_all(&c, cfg);
	if (c.errors > 0)
		goto err_lines;
	line_index_free(&c.lines);
	return cfg;

err_lines:
	line_index_free(&c.lines);
err_cfg:
	config_free(cfg);
	return NULL;
}

void
config_free(struct pr_config *cfg)
{
	unsigned int i;

	if (cfg == NULL)
		return;
	if (cfg->y != NULL)
		cyaml_free(&cy_base, &top_schema, cfg->y, 0);
	for (i = 0; i < cfg->nb_eal_strings; i++)
		free(cfg->eal_strings[i]);
	free(cfg->statics);
	free(cfg->path);
	free(cfg);
}

int
config_port_index(const struct pr_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->y->ports_count; i++)
		if (strcmp(cfg->y->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *
config_role_name(enum pr_port_role role)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(role_strings); i++)
		if (role_strings[i].val == (int64_t)role)
			return role_strings[i].str;
	return "?";
}

/* ---------------------------------------------------------------- EAL command line */

/* MB of free hugepages of the default size, if hugetlbfs is mounted; 0 otherwise. */
static uint64_t
hugepages_free_mb(void)
{
	uint64_t free_pages = 0, size_kb = 0;
	bool mounted = false;
	char line[256];
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, " hugetlbfs ") != NULL)
				mounted = true;
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "HugePages_Free: %" SCNu64, &free_pages);
		sscanf(line, "Hugepagesize: %" SCNu64, &size_kb);
	}
	fclose(f);
	return mounted ? free_pages * size_kb / 1024 : 0;
}

static int
eal_push(struct pr_config *cfg, char **argv, int *argc, int max, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (*argc >= max || cfg->nb_eal_strings >= RTE_DIM(cfg->eal_strings))
		return -E2BIG;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	cfg->eal_strings[cfg->nb_eal_strings++] = s;
	argv[(*argc)++] = s;
	return 0;
}

int
config_eal_args(struct pr_config *cfg, const char *argv0, char **argv, int max, FILE *err)
{
	const struct pr_cfg_eal *eal = cfg->y->eal;
	char lcores[512];
	bool any_pci = false;
	unsigned int i;
	int argc = 0, rc = 0, n;

	bool mapped = false;

	for (i = 0; i < cfg->nb_workers; i++)
		mapped |= cfg->y->workers[i].has_cpu;
	/* -l 0,1,2 runs lcore N on CPU N; --lcores 0@0,1@1,2@1 when a worker names its CPU. */
	n = snprintf(lcores, sizeof(lcores), mapped ? "%u@%u" : "%u", eal->main_lcore,
		     eal->main_lcore);
	for (i = 0; i < cfg->nb_workers && n < (int)sizeof(lcores); i++) {
		const struct pr_cfg_worker *w = &cfg->y->workers[i];

		if (mapped)
			n += snprintf(lcores + n, sizeof(lcores) - n, ",%u@%u", w->lcore,
				      w->has_cpu ? w->cpu : w->lcore);
		else
			n += snprintf(lcores + n, sizeof(lcores) - n, ",%u", w->lcore);
	}

	rc |= eal_push(cfg, argv, &argc, max, "%s", argv0);
	rc |= eal_push(cfg, argv, &argc, max, mapped ? "--lcores" : "-l");
	rc |= eal_push(cfg, argv, &argc, max, "%s", lcores);
	rc |= eal_push(cfg, argv, &argc, max, "--main-lcore");
	rc |= eal_push(cfg, argv, &argc, max, "%u", eal->main_lcore);
	cfg->no_huge = eal->hugepages == PR_HUGE_OFF;
	if (eal->hugepages == PR_HUGE_AUTO) {
		uint64_t have = hugepages_free_mb();

		if (have < eal->memory_mb) {
			fprintf(err, "podrouter: %" PRIu64 " MB of hugepages free, %u MB needed: "
				"running with --no-huge (slower; docs/operations.md says how to "
				"reserve them)\n", have, eal->memory_mb);
			cfg->no_huge = true;
		}
	}
	/* --in-memory means hugepages without files; without hugepages, no shared files. */
	if (eal->in_memory)
		rc |= eal_push(cfg, argv, &argc, max, cfg->no_huge ? "--no-shconf" : "--in-memory");
	else
		rc |= eal_push(cfg, argv, &argc, max, "--file-prefix=%s",
			       eal->file_prefix ? eal->file_prefix : "podrouter");
	if (cfg->no_huge)
		rc |= eal_push(cfg, argv, &argc, max, "--no-huge");
	rc |= eal_push(cfg, argv, &argc, max, "-m");
	rc |= eal_push(cfg, argv, &argc, max, "%u", eal->memory_mb);

	for (i = 0; i < cfg->nb_ports; i++) {
		const struct pr_port_conf *pc = &cfg->ports[i];

		any_pci |= pc->is_pci;
		rc |= eal_push(cfg, argv, &argc, max, pc->is_pci ? "-a" : "--vdev");
		rc |= eal_push(cfg, argv, &argc, max, "%s", pc->y->device);
	}
	if (!any_pci)
		rc |= eal_push(cfg, argv, &argc, max, "--no-pci");
	if (!cfg->y->telemetry->enabled)
		rc |= eal_push(cfg, argv, &argc, max, "--no-telemetry");
	if (eal->log_level != NULL) {
		rc |= eal_push(cfg, argv, &argc, max, "--log-level");
		rc |= eal_push(cfg, argv, &argc, max, "%s", eal->log_level);
	}
	for (i = 0; i < eal->args_count; i++)
		rc |= eal_push(cfg, argv, &argc, max, "%s", eal->args[i]);
	if (rc != 0) {
		fprintf(err, "%s: the EAL command line is too long\n", cfg->path);
		return -E2BIG;
	}
	return argc;
}
