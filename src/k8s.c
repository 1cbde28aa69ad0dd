/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kubernetes objects from `kubectl get -o yaml|json` output: libyaml's document API loads the
 * whole stream first (so that a syntax error anywhere delivers nothing), then each object is
 * read field by field, checked with the API server's validation rules, defaulted as the API
 * server defaults it, and handed over whole or not at all.
 *
 * Every reader returns 0, -EINVAL after printing the one message of the object (then the
 * caller unwinds without printing), or -ENOMEM. The field path of messages is kept in the
 * context and grows as readers descend.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include <rte_ether.h>

#include "ipv4.h"
#include "json_doc.h"
#include "k8s.h"

#define K8S_NAME_MAX 253    /* DNS-1123 subdomain */
#define K8S_LABEL_MAX 63    /* DNS-1123 label, label name and label value */
#define K8S_PORT_NAME_MAX 15 /* IANA service name (RFC 6335) */
#define SLICE_MAX_ENDPOINTS 1000
#define SLICE_MAX_ADDRS 100
#define SLICE_MAX_PORTS 100
#define AFFINITY_DEFAULT 10800 /* three hours, as the API server defaults it */
#define AFFINITY_MAX 86400

/* ---------------------------------------------------------------- kinds */

struct kind_info {
	const char *name;
	const char *group;       /* API group; "" is the core group */
	const char *api_version; /* what k8s_object_to_json() writes */
	bool namespaced;
};

static const struct kind_info kinds[K8S_KIND_COUNT] = {
	[K8S_NODE] = { "Node", "", "v1", false },
	[K8S_NAMESPACE] = { "Namespace", "", "v1", false },
	[K8S_POD] = { "Pod", "", "v1", true },
	[K8S_SERVICE] = { "Service", "", "v1", true },
	[K8S_ENDPOINTSLICE] = { "EndpointSlice", "discovery.k8s.io", "discovery.k8s.io/v1", true },
	[K8S_NETWORKPOLICY] = { "NetworkPolicy", "networking.k8s.io", "networking.k8s.io/v1",
				true },
};

const char *
k8s_kind_name(enum k8s_kind kind)
{
	return (unsigned int)kind < K8S_KIND_COUNT ? kinds[kind].name : "?";
}

int
k8s_kind_from_name(const char *name)
{
	int k;

	for (k = 0; name != NULL && k < K8S_KIND_COUNT; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return k;
	return -EINVAL;
}

bool
k8s_kind_is_namespaced(enum k8s_kind kind)
{
	return (unsigned int)kind < K8S_KIND_COUNT && kinds[kind].namespaced;
}

const char *
k8s_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return "SCTP";
	default:
		return "?";
	}
}

/* ---------------------------------------------------------------- names (apimachinery rules) */

static bool
is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool
is_alnum(char ch)
{
	return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

/* RFC 1123 label of len bytes: a-z0-9 and '-', alphanumeric at both ends. */
static bool
dns_label_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > K8S_LABEL_MAX || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static const char *
check_dns_label(const char *s)
{
	if (dns_label_ok(s, strlen(s)))
		return NULL;
	return "must be 1 to 63 characters of a-z, 0-9 and '-', starting and ending with a "
	       "letter or digit (RFC 1123 label)";
}

/* Service names are RFC 1035 labels: they become DNS names, so they start with a letter. */
static const char *
check_dns1035(const char *s)
{
	if (dns_label_ok(s, strlen(s)) && s[0] >= 'a' && s[0] <= 'z')
		return NULL;
	return "must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter and "
	       "ending with a letter or digit (RFC 1035 label)";
}

/* Kubernetes checks a subdomain's total length only, not each label's. */
static bool
subdomain_ok(const char *s, size_t len)
{
	size_t start = 0, i;

	if (len == 0 || len > K8S_NAME_MAX)
		return false;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		for (; start < i; start++)
			if (!is_lower_alnum(s[start]) && s[start] != '-')
				return false;
		start = i + 1;
	}
	return true;
}

static const char *
check_subdomain(const char *s)
{
	if (subdomain_ok(s, strlen(s)))
		return NULL;
	return "must be at most 253 characters of a-z, 0-9, '-' and '.', each part between dots "
	       "starting and ending with a letter or digit (RFC 1123 subdomain)";
}

/* A label value, or the name part of a label key: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? */
static bool
label_name_ok(const char *s, size_t len, bool empty_ok)
{
	size_t i;

	if (len == 0)
		return empty_ok;
	if (len > K8S_LABEL_MAX || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static const char *
check_label_key(const char *s)
{
	const char *slash = strchr(s, '/');

	if (slash == NULL && label_name_ok(s, strlen(s), false))
		return NULL;
	if (slash != NULL && subdomain_ok(s, (size_t)(slash - s)) &&
	    label_name_ok(slash + 1, strlen(slash + 1), false))
		return NULL;
	return "must be an optional DNS subdomain prefix and '/', then 1 to 63 characters of "
	       "A-Z, a-z, 0-9, '-', '_' and '.', starting and ending with a letter or digit";
}

static const char *
check_label_value(const char *s)
{
	if (label_name_ok(s, strlen(s), true))
		return NULL;
	return "must be at most 63 characters of A-Z, a-z, 0-9, '-', '_' and '.', starting and "
	       "ending with a letter or digit";
}

/* Named ports are IANA service names (RFC 6335 section 5.1). */
static const char *
check_port_name(const char *s)
{
	size_t len = strlen(s), i;
	bool letter = false;

	if (len == 0 || len > K8S_PORT_NAME_MAX || s[0] == '-' || s[len - 1] == '-' ||
	    strstr(s, "--") != NULL)
		goto bad;
	for (i = 0; i < len; i++) {
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			goto bad;
		letter |= s[i] >= 'a' && s[i] <= 'z';
	}
	if (letter)
		return NULL;
bad:
	return "must be 1 to 15 characters of a-z, 0-9 and '-', with at least one letter, and no "
	       "'-' at either end or next to another (IANA service name)";
}

/* ---------------------------------------------------------------- addresses */

enum { FAM_NONE = 0, FAM_V4 = 4, FAM_V6 = 6 };

struct any_cidr {
	int family;
	uint32_t a4;
	struct in6_addr a6;
	unsigned int plen;
};

/* Dotted IPv4 without leading zeros, or IPv6: what Go's net.ParseIP accepts, save zones. */
static int
ip_parse(const char *s, uint32_t *a4, struct in6_addr *a6)
{
	if (strchr(s, ':') == NULL)
		return inet_pton(AF_INET, s, a4) == 1 ? FAM_V4 : FAM_NONE;
	return inet_pton(AF_INET6, s, a6) == 1 ? FAM_V6 : FAM_NONE;
}

static void
mask6(struct in6_addr *a, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 16; i++, plen = plen > 8 ? plen - 8 : 0)
		a->s6_addr[i] &= plen >= 8 ? 0xff : (uint8_t)(0xff00 >> plen);
}

/* "ADDR/LEN" with the host bits cleared, as Go's net.ParseCIDR returns the network. */
static int
cidr_parse(const char *s, struct any_cidr *c)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	size_t alen, i;
	unsigned int plen = 0;

	c->family = FAM_NONE;
	if (slash == NULL || (alen = (size_t)(slash - s)) >= sizeof(addr) || slash[1] == '\0' ||
	    strlen(slash + 1) > 3)
		return FAM_NONE;
	for (i = 1; slash[i] != '\0'; i++) {
		if (slash[i] < '0' || slash[i] > '9')
			return FAM_NONE;
		plen = plen * 10 + (unsigned int)(slash[i] - '0');
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	c->family = ip_parse(addr, &c->a4, &c->a6);
	if (plen > (c->family == FAM_V4 ? 32u : 128u))
		c->family = FAM_NONE;
	c->plen = plen;
	c->a4 &= htonl(pr_ipv4_mask(plen <= 32 ? plen : 32));
	mask6(&c->a6, plen);
	return c->family;
}

/* Whether `in` lies strictly inside `out`: a longer prefix, and the same network bits. */
static bool
cidr_strictly_inside(const struct any_cidr *in, const struct any_cidr *out)
{
	struct in6_addr a;

	if (in->family != out->family || in->plen <= out->plen)
		return false;
	if (in->family == FAM_V4)
		return (in->a4 & htonl(pr_ipv4_mask(out->plen))) == out->a4;
	a = in->a6;
	mask6(&a, out->plen);
	return memcmp(&a, &out->a6, sizeof(a)) == 0;
}

/* ---------------------------------------------------------------- context and messages */

struct k8s_ctx {
	const char *source;
	FILE *err;
	yaml_document_t *doc;
	unsigned int docno; /* from 1 */
	int item;           /* index in items, or -1 */
	const char *kind;
	char ident[K8S_KEY_MAX];
	char path[512];
	size_t plen;
};

/* A value fit for one message line: no control characters, at most 64 characters. */
static const char *
shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < len && i < 64; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (s[i] != '\0' && i + 4 <= len)
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

#define SHOW(s) shown((s), (char[72]){ 0 }, 72)

static void
where(const struct k8s_ctx *c, const yaml_node_t *node)
{
	fprintf(c->err, "%s:%lu: document %u", c->source,
		node != NULL ? (unsigned long)node->start_mark.line + 1 : 1ul, c->docno);
	if (c->item >= 0)
		fprintf(c->err, ", items[%d]", c->item);
	fputs(": ", c->err);
}

/* The one message of a rejected object; `key` (may be NULL) extends the current path. */
static int __attribute__((format(printf, 4, 5)))
fail(struct k8s_ctx *c, const yaml_node_t *node, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (c->err == NULL)
		return -EINVAL;
	where(c, node);
	if (c->kind != NULL)
		fprintf(c->err, "%s %s: ", c->kind, c->ident);
	if (c->plen > 0 || key != NULL)
		fprintf(c->err, "%s%s%s: ", c->path, c->plen > 0 && key != NULL ? "." : "",
			key != NULL ? key : "");
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	return -EINVAL;
}

static size_t __attribute__((format(printf, 2, 3)))
path_push(struct k8s_ctx *c, const char *fmt, ...)
{
	size_t old = c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen += (size_t)n;
	if (c->plen >= sizeof(c->path))
		c->plen = sizeof(c->path) - 1; /* truncated: the message keeps the path's start */
	return old;
}

static size_t
path_key(struct k8s_ctx *c, const char *key)
{
	return path_push(c, "%s%s", c->plen > 0 ? "." : "", key);
}

static void
path_pop(struct k8s_ctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* ---------------------------------------------------------------- YAML access */

static bool
is_null(const yaml_node_t *n)
{
	const char *v;

	if (n == NULL)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The value of `key` in mapping `map`; NULL when absent or null, as for a Go pointer. */
static yaml_node_t *
field(const struct k8s_ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return is_null(v) ? NULL : v;
	}
	return NULL;
}

static unsigned int
seq_len(const yaml_node_t *seq)
{
	return seq == NULL ? 0 : (unsigned int)(seq->data.sequence.items.top -
						seq->data.sequence.items.start);
}

static yaml_node_t *
seq_at(const struct k8s_ctx *c, const yaml_node_t *seq, unsigned int i)
{
	return yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]);
}

/* A scalar's text; a "\0" escape inside would hide the rest of it from every check. */
static int
as_str(struct k8s_ctx *c, const yaml_node_t *n, const char *key, const char **out)
{
	*out = ""; /* never read on error; set so the compiler can see it */
	if (n->type != YAML_SCALAR_NODE ||
	    strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return fail(c, n, key, "must be a string");
	*out = (const char *)n->data.scalar.value;
	return 0;
}

/* A JSON number or plain YAML integer; "80" in quotes is a string, as in Kubernetes' JSON. */
static bool
is_plain_int(const yaml_node_t *n)
{
	const char *v;
	size_t i;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	i = v[0] == '-' ? 1 : 0;
	if (v[i] == '\0' || strlen(v + i) > 12)
		return false;
	for (; v[i] != '\0'; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

static int
as_int(struct k8s_ctx *c, const yaml_node_t *n, const char *key, long lo, long hi, long *out)
{
	if (!is_plain_int(n))
		return fail(c, n, key, "must be an integer");
	*out = strtol((const char *)n->data.scalar.value, NULL, 10);
	if (*out < lo || *out > hi)
		return fail(c, n, key, "%ld: must be between %ld and %ld", *out, lo, hi);
	return 0;
}

static int
as_bool(struct k8s_ctx *c, const yaml_node_t *n, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	const char *v = (const char *)n->data.scalar.value;
	unsigned int i;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return fail(c, n, key, "must be true or false");
	for (i = 0; i < 3; i++) {
		if (strcmp(v, yes[i]) == 0 || strcmp(v, no[i]) == 0) {
			*out = strcmp(v, yes[i]) == 0;
			return 0;
		}
	}
	return fail(c, n, key, "must be true or false");
}

static int
as_type(struct k8s_ctx *c, const yaml_node_t *n, const char *key, yaml_node_type_t type)
{
	if (n->type == type)
		return 0;
	return fail(c, n, key, type == YAML_MAPPING_NODE ? "must be a mapping" : "must be a list");
}

/* Optional string field: *out is NULL when absent. */
static int
get_str(struct k8s_ctx *c, yaml_node_t *map, const char *key, const char **out)
{
	yaml_node_t *n = field(c, map, key);

	*out = NULL;
	return n == NULL ? 0 : as_str(c, n, key, out);
}

static int
get_req_str(struct k8s_ctx *c, yaml_node_t *map, const char *key, const char **out)
{
	int rc = get_str(c, map, key, out);

	if (rc == 0 && (*out == NULL || (*out)[0] == '\0'))
		return fail(c, map, key, "required");
	return rc;
}

/* Optional mapping or list field: *out is NULL when absent. */
static int
get_node(struct k8s_ctx *c, yaml_node_t *map, const char *key, yaml_node_type_t type,
	 yaml_node_t **out)
{
	*out = field(c, map, key);
	return *out == NULL ? 0 : as_type(c, *out, key, type);
}

static int
get_bool(struct k8s_ctx *c, yaml_node_t *map, const char *key, bool def, bool *out)
{
	yaml_node_t *n = field(c, map, key);

	*out = def;
	return n == NULL ? 0 : as_bool(c, n, key, out);
}

/* A string enum; `def` when absent, or -1 when the field is required. */
static int
get_enum(struct k8s_ctx *c, yaml_node_t *map, const char *key, const char *const *names,
	 unsigned int count, int def, int *out)
{
	char list[128] = "";
	const char *s;
	unsigned int i;
	int rc = get_str(c, map, key, &s);

	if (rc != 0)
		return rc;
	*out = def;
	if (s == NULL || s[0] == '\0')
		return def >= 0 ? 0 : fail(c, map, key, "required");
	for (i = 0; i < count; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 names[i]);
	}
	return fail(c, field(c, map, key), key, "'%s': must be one of %s", SHOW(s), list);
}

static int
get_proto(struct k8s_ctx *c, yaml_node_t *map, uint8_t *out)
{
	static const char *const names[] = { "TCP", "UDP", "SCTP" };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP };
	int v, rc = get_enum(c, map, "protocol", names, 3, 0, &v);

	if (rc == 0)
		*out = protos[v];
	return rc;
}

/* A port number 1..65535; 0 when absent and not required. */
static int
get_port(struct k8s_ctx *c, yaml_node_t *map, const char *key, bool required, uint16_t *out)
{
	yaml_node_t *n = field(c, map, key);
	long v = 0;
	int rc;

	*out = 0;
	if (n == NULL)
		return required ? fail(c, map, key, "required") : 0;
	rc = as_int(c, n, key, 1, 65535, &v);
	*out = (uint16_t)v;
	return rc;
}

static int
dup_str(const char *s, char **out)
{
	*out = strdup(s);
	return *out == NULL ? -ENOMEM : 0;
}

/* A checked optional name: `check` returns NULL when the name is good, or why not. */
static int
get_name(struct k8s_ctx *c, yaml_node_t *map, const char *key, const char *(*check)(const char *),
	 char **out)
{
	const char *s, *why;
	int rc = get_str(c, map, key, &s);

	*out = NULL;
	if (rc != 0 || s == NULL || s[0] == '\0')
		return rc;
	if ((why = check(s)) != NULL)
		return fail(c, field(c, map, key), key, "'%s': %s", SHOW(s), why);
	return dup_str(s, out);
}

/* An IP address; IPv4 goes to *a4. Returns the family, or -EINVAL. */
static int
as_ip(struct k8s_ctx *c, const yaml_node_t *n, const char *key, uint32_t *a4)
{
	struct in6_addr a6;
	const char *s;
	int fam, rc = as_str(c, n, key, &s);

	if (rc != 0)
		return rc;
	fam = ip_parse(s, a4, &a6);
	if (fam == FAM_NONE)
		return fail(c, n, key, "'%s': must be an IPv4 or IPv6 address", SHOW(s));
	return fam;
}

static int
as_cidr(struct k8s_ctx *c, const yaml_node_t *n, const char *key, struct any_cidr *out)
{
	const char *s;
	int rc = as_str(c, n, key, &s);

	if (rc != 0)
		return rc;
	if (cidr_parse(s, out) == FAM_NONE)
		return fail(c, n, key, "'%s': must be an IPv4 or IPv6 CIDR (10.244.0.0/16)",
			    SHOW(s));
	return 0;
}

/* ---------------------------------------------------------------- labels */

static int
label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct k8s_label *)a)->key, ((const struct k8s_label *)b)->key);
}

static void
labels_free(struct k8s_labels *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
label_read(struct k8s_ctx *c, yaml_node_t *k, yaml_node_t *v, struct k8s_label *out)
{
	const char *key, *value = "", *why;
	int rc;

	if ((rc = as_str(c, k, NULL, &key)) != 0)
		return rc;
	if (v != NULL && !is_null(v) && (rc = as_str(c, v, key, &value)) != 0)
		return rc;
	if ((why = check_label_key(key)) != NULL)
		return fail(c, k, NULL, "key '%s': %s", SHOW(key), why);
	if ((why = check_label_value(value)) != NULL)
		return fail(c, v, NULL, "value '%s' of '%s': %s", SHOW(value), SHOW(key), why);
	if ((rc = dup_str(key, &out->key)) != 0)
		return rc;
	return dup_str(value, &out->value);
}

/* A map of labels, sorted by key; `key` is read from `parent`. */
static int
labels_read(struct k8s_ctx *c, yaml_node_t *parent, const char *key, struct k8s_labels *out)
{
	yaml_node_t *map;
	yaml_node_pair_t *p;
	size_t old;
	unsigned int i;
	int rc = get_node(c, parent, key, YAML_MAPPING_NODE, &map);

	if (rc != 0 || map == NULL)
		return rc;
	i = (unsigned int)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	if (i == 0)
		return 0;
	if ((out->v = calloc(i, sizeof(*out->v))) == NULL)
		return -ENOMEM;
	old = path_key(c, key);
	for (p = map->data.mapping.pairs.start; rc == 0 && p < map->data.mapping.pairs.top; p++)
		rc = label_read(c, yaml_document_get_node(c->doc, p->key),
				yaml_document_get_node(c->doc, p->value), &out->v[out->n++]);
	if (rc == 0)
		qsort(out->v, out->n, sizeof(*out->v), label_cmp);
	for (i = 1; rc == 0 && i < out->n; i++)
		if (strcmp(out->v[i - 1].key, out->v[i].key) == 0)
			rc = fail(c, map, NULL, "key '%s' is given twice", SHOW(out->v[i].key));
	path_pop(c, old);
	return rc;
}

/* Set `key` to `value`, keeping the labels sorted. */
static int
labels_set(struct k8s_labels *l, const char *key, const char *value)
{
	struct k8s_label *v, nl;
	unsigned int i;

	for (i = 0; i < l->n && strcmp(l->v[i].key, key) < 0; i++)
		;
	if (i < l->n && strcmp(l->v[i].key, key) == 0) {
		char *nv = strdup(value);

		if (nv == NULL)
			return -ENOMEM;
		free(l->v[i].value);
		l->v[i].value = nv;
		return 0;
	}
	nl.key = strdup(key);
	nl.value = strdup(value);
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (nl.key == NULL || nl.value == NULL || v == NULL) {
		free(nl.key);
		free(nl.value);
		if (v != NULL)
			l->v = v;
		return -ENOMEM;
	}
	memmove(&v[i + 1], &v[i], (l->n - i) * sizeof(*v));
	v[i] = nl;
	l->v = v;
	l->n++;
	return 0;
}

const char *
k8s_labels_get(const struct k8s_labels *labels, const char *key)
{
	unsigned int lo = 0, hi = labels->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int cmp = strcmp(labels->v[mid].key, key);

		if (cmp == 0)
			return labels->v[mid].value;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---------------------------------------------------------------- address lists */

/* The address of list entry `it`: the entry itself, or its field `sub`; NULL when absent. */
static int
entry_ip(struct k8s_ctx *c, yaml_node_t *it, const char *sub, bool required, uint32_t *a4,
	 yaml_node_t **scalar)
{
	int rc;

	*scalar = it;
	if (sub == NULL)
		return as_ip(c, it, NULL, a4);
	if ((rc = as_type(c, it, NULL, YAML_MAPPING_NODE)) != 0)
		return rc;
	if ((*scalar = field(c, it, sub)) == NULL)
		return required ? fail(c, it, sub, "required") : FAM_NONE;
	return as_ip(c, *scalar, sub, a4);
}

/*
 * An IP family list (podIPs, clusterIPs): one or two addresses of distinct families, each an
 * IP or a mapping holding one under `sub`. The IPv4 ones go to *ips, the IPv6 ones are
 * checked and skipped; the first entry's text goes to *first when asked.
 */
static int
ip_list_read(struct k8s_ctx *c, yaml_node_t *seq, const char *sub, uint32_t **ips,
	     unsigned int *nb, const char **first)
{
	unsigned int i, n = seq_len(seq), fams = 0;
	yaml_node_t *it;
	int fam = 0;

	if (n == 0)
		return 0;
	if (n > 2)
		return fail(c, seq, NULL, "at most two addresses, one of each family");
	if ((*ips = calloc(n, sizeof(**ips))) == NULL)
		return -ENOMEM;
	for (i = 0; fam >= 0 && i < n; i++) {
		size_t old = path_push(c, "[%u]", i);

		fam = entry_ip(c, seq_at(c, seq, i), sub, true, &(*ips)[*nb], &it);
		if (fam > 0 && (fams & (1u << fam)) != 0)
			fam = fail(c, it, sub, "a second address of the same family");
		fams |= fam > 0 ? 1u << fam : 0;
		*nb += fam == FAM_V4;
		if (i == 0 && fam > 0 && first != NULL)
			*first = (const char *)it->data.scalar.value;
		path_pop(c, old);
	}
	return fam < 0 ? fam : 0;
}

/* A plural field (podIPs, clusterIPs) whose first entry must be the singular one, if both. */
static int
check_first(struct k8s_ctx *c, yaml_node_t *map, const char *plural, const char *singular,
	    const char *first, const char *one)
{
	char fkey[64];

	if (first == NULL || one == NULL || strcmp(first, one) == 0)
		return 0;
	snprintf(fkey, sizeof(fkey), "%s[0]", plural);
	return fail(c, field(c, map, plural), fkey, "'%s' must be the same as %s '%s'",
		    SHOW(first), singular, SHOW(one));
}

/* ---------------------------------------------------------------- Node */

static int
node_cidr(struct k8s_ctx *c, yaml_node_t *it, const char *key, unsigned int *fams,
	  struct k8s_node *node)
{
	struct any_cidr cidr;
	int rc = as_cidr(c, it, key, &cidr);

	if (rc != 0)
		return rc;
	if ((*fams & (1u << cidr.family)) != 0)
		return fail(c, it, key, "a second CIDR of the same family");
	*fams |= 1u << cidr.family;
	if (cidr.family == FAM_V4)
		node->pod_cidrs[node->nb_pod_cidrs++] =
			(struct k8s_cidr){ .addr = cidr.a4, .plen = (uint8_t)cidr.plen };
	return 0;
}

/* podCIDRs, or podCIDR alone; when both, podCIDRs[0] is podCIDR (API validation). */
static int
node_cidrs(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_node *node)
{
	const char *one = NULL, *first = NULL;
	unsigned int i, n, fams = 0;
	yaml_node_t *list;
	char key[32];
	int rc;

	if ((rc = get_str(c, spec, "podCIDR", &one)) != 0 ||
	    (rc = get_node(c, spec, "podCIDRs", YAML_SEQUENCE_NODE, &list)) != 0)
		return rc;
	if (one != NULL && one[0] == '\0')
		one = NULL;
	n = seq_len(list);
	if (n > 2)
		return fail(c, list, "podCIDRs", "at most two CIDRs, one of each family");
	if ((n > 0 || one != NULL) &&
	    (node->pod_cidrs = calloc(n > 0 ? n : 1, sizeof(*node->pod_cidrs))) == NULL)
		return -ENOMEM;
	if (n == 0)
		return one == NULL ? 0 : node_cidr(c, field(c, spec, "podCIDR"), "podCIDR", &fams,
						    node);
	if (seq_at(c, list, 0)->type == YAML_SCALAR_NODE)
		first = (const char *)seq_at(c, list, 0)->data.scalar.value;
	if ((rc = check_first(c, spec, "podCIDRs", "podCIDR", first, one)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < n; i++) {
		snprintf(key, sizeof(key), "podCIDRs[%u]", i);
		rc = node_cidr(c, seq_at(c, list, i), key, &fams, node);
	}
	return rc;
}

static int
node_address(struct k8s_ctx *c, yaml_node_t *a, struct k8s_node *node)
{
	const char *type, *addr;
	uint32_t a4;
	int rc;

	if ((rc = as_type(c, a, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_req_str(c, a, "type", &type)) != 0 ||
	    (rc = get_req_str(c, a, "address", &addr)) != 0)
		return rc;
	if (strcmp(type, "InternalIP") != 0)
		return 0; /* ExternalIP, Hostname...: not what the overlay routes to */
	rc = as_ip(c, field(c, a, "address"), "address", &a4);
	if (rc == FAM_V4)
		node->internal_ips[node->nb_internal_ips++] = a4;
	return rc < 0 ? rc : 0;
}

/*
 * flannel's VTEP MAC, from {"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"} in its Node annotation
 * (JSON, read as such: the key at the top level, its value a string). The annotation is
 * flannel's, not ours to refuse: anything else in it just means no MAC.
 */
static void
node_vtep_mac(struct k8s_ctx *c, yaml_node_t *root, struct k8s_node *node)
{
	yaml_node_t *ann = field(c, field(c, root, "metadata"), "annotations");
	yaml_node_t *v = field(c, ann, K8S_FLANNEL_BACKEND_DATA), *mac;
	yaml_document_t *outer = c->doc, doc;
	struct rte_ether_addr m;

	if (v == NULL || v->type != YAML_SCALAR_NODE ||
	    json_doc_load((const char *)v->data.scalar.value, v->data.scalar.length, &doc) != 0)
		return;
	c->doc = &doc; /* field() reads the document in c */
	mac = field(c, yaml_document_get_root_node(&doc), "VtepMAC");
	if (mac != NULL && mac->type == YAML_SCALAR_NODE &&
	    rte_ether_unformat_addr((const char *)mac->data.scalar.value, &m) == 0 &&
	    rte_is_valid_assigned_ether_addr(&m)) {
		memcpy(node->vtep_mac, m.addr_bytes, sizeof(node->vtep_mac));
		node->has_vtep_mac = true;
	}
	c->doc = outer;
	yaml_document_delete(&doc);
}

static int
read_node(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o)
{
	yaml_node_t *spec, *status, *addrs;
	unsigned int i;
	size_t old;
	int rc;

	node_vtep_mac(c, root, &o->node);
	if ((rc = get_node(c, root, "spec", YAML_MAPPING_NODE, &spec)) != 0)
		return rc;
	old = path_key(c, "spec");
	rc = node_cidrs(c, spec, &o->node);
	path_pop(c, old);
	if (rc != 0 || (rc = get_node(c, root, "status", YAML_MAPPING_NODE, &status)) != 0)
		return rc;
	old = path_key(c, "status");
	rc = get_node(c, status, "addresses", YAML_SEQUENCE_NODE, &addrs);
	if (rc == 0 && seq_len(addrs) > 0 &&
	    (o->node.internal_ips = calloc(seq_len(addrs), sizeof(uint32_t))) == NULL)
		rc = -ENOMEM;
	for (i = 0; rc == 0 && i < seq_len(addrs); i++) {
		size_t o2 = path_push(c, ".addresses[%u]", i);

		rc = node_address(c, seq_at(c, addrs, i), &o->node);
		path_pop(c, o2);
	}
	path_pop(c, old);
	return rc;
}

/* ---------------------------------------------------------------- Pod */

static int
pod_port(struct k8s_ctx *c, yaml_node_t *p, struct k8s_container_port *cp,
	 const struct k8s_container_port *same_container, unsigned int nb_same)
{
	unsigned int j;
	int rc;

	if ((rc = as_type(c, p, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_port(c, p, "containerPort", true, &cp->port)) != 0 ||
	    (rc = get_proto(c, p, &cp->proto)) != 0 ||
	    (rc = get_name(c, p, "name", check_port_name, &cp->name)) != 0)
		return rc;
	for (j = 0; cp->name != NULL && j < nb_same; j++)
		if (same_container[j].name != NULL && strcmp(same_container[j].name, cp->name) == 0)
			return fail(c, field(c, p, "name"), "name",
				    "'%s' is also the name of ports[%u]", cp->name, j);
	return 0;
}

static int
pod_container(struct k8s_ctx *c, yaml_node_t *ctr, struct k8s_pod *pod)
{
	struct k8s_container_port *v;
	yaml_node_t *ports;
	unsigned int i, first = pod->nb_ports, n;
	int rc;

	if ((rc = as_type(c, ctr, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_node(c, ctr, "ports", YAML_SEQUENCE_NODE, &ports)) != 0)
		return rc;
	if ((n = seq_len(ports)) == 0)
		return 0;
	v = realloc(pod->ports, (pod->nb_ports + n) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	pod->ports = v;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, ".ports[%u]", i);

		memset(&v[pod->nb_ports], 0, sizeof(*v));
		rc = pod_port(c, seq_at(c, ports, i), &v[pod->nb_ports++], &v[first], i);
		path_pop(c, old);
	}
	return rc;
}

static int
pod_spec(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_pod *pod)
{
	yaml_node_t *ctrs;
	unsigned int i;
	int rc;

	if ((rc = get_name(c, spec, "nodeName", check_subdomain, &pod->node_name)) != 0 ||
	    (rc = get_node(c, spec, "containers", YAML_SEQUENCE_NODE, &ctrs)) != 0)
		return rc;
	if (seq_len(ctrs) == 0)
		return fail(c, spec, "containers", "required: a Pod has at least one container");
	for (i = 0; rc == 0 && i < seq_len(ctrs); i++) {
		size_t old = path_push(c, ".containers[%u]", i);

		rc = pod_container(c, seq_at(c, ctrs, i), pod);
		path_pop(c, old);
	}
	return rc;
}

static int
pod_status(struct k8s_ctx *c, yaml_node_t *status, struct k8s_pod *pod)
{
	static const char *const phases[] = { "Pending", "Running", "Succeeded", "Failed",
					      "Unknown" };
	const char *one, *first = NULL;
	yaml_node_t *list, *single;
	int phase, rc;

	if ((rc = get_enum(c, status, "phase", phases, 5, K8S_POD_PENDING, &phase)) != 0 ||
	    (rc = get_str(c, status, "podIP", &one)) != 0 ||
	    (rc = get_node(c, status, "podIPs", YAML_SEQUENCE_NODE, &list)) != 0)
		return rc;
	pod->phase = (enum k8s_pod_phase)phase;
	if (seq_len(list) > 0) {
		size_t old = path_key(c, "podIPs");

		rc = ip_list_read(c, list, "ip", &pod->ips, &pod->nb_ips, &first);
		path_pop(c, old);
		return rc != 0 ? rc : check_first(c, status, "podIPs", "podIP", first, one);
	}
	if (one == NULL || one[0] == '\0')
		return 0;
	single = field(c, status, "podIP");
	if ((pod->ips = calloc(1, sizeof(*pod->ips))) == NULL)
		return -ENOMEM;
	rc = as_ip(c, single, "podIP", pod->ips);
	pod->nb_ips = rc == FAM_V4;
	return rc < 0 ? rc : 0;
}

static int
read_pod(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o)
{
	yaml_node_t *spec, *status;
	size_t old;
	int rc;

	if ((rc = get_node(c, root, "spec", YAML_MAPPING_NODE, &spec)) != 0)
		return rc;
	if (spec == NULL)
		return fail(c, root, "spec.containers",
			    "required: a Pod has at least one container");
	old = path_key(c, "spec");
	rc = pod_spec(c, spec, &o->pod);
	path_pop(c, old);
	if (rc != 0 || (rc = get_node(c, root, "status", YAML_MAPPING_NODE, &status)) != 0)
		return rc;
	old = path_key(c, "status");
	rc = pod_status(c, status, &o->pod);
	path_pop(c, old);
	return rc;
}

/* ---------------------------------------------------------------- Service */

static const char *const svc_types[] = { "ClusterIP", "NodePort", "LoadBalancer", "ExternalName" };

/* Headless: "None" alone; not for the types that need a cluster IP to hang node ports on. */
static int
svc_headless(struct k8s_ctx *c, yaml_node_t *spec, yaml_node_t *list, struct k8s_service *svc)
{
	if (svc->type == K8S_SVC_NODE_PORT || svc->type == K8S_SVC_LOAD_BALANCER)
		return fail(c, spec, "clusterIP", "may not be 'None' for type %s",
			    svc_types[svc->type]);
	if (seq_len(list) > 1)
		return fail(c, list, "clusterIPs", "'None' must be the only entry");
	svc->headless = true;
	return 0;
}

/* clusterIPs, or clusterIP alone; when both, clusterIPs[0] is clusterIP (API validation). */
static int
svc_cluster_ips(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_service *svc)
{
	const char *one, *first = NULL;
	yaml_node_t *list;
	size_t old;
	int rc;

	if ((rc = get_str(c, spec, "clusterIP", &one)) != 0 ||
	    (rc = get_node(c, spec, "clusterIPs", YAML_SEQUENCE_NODE, &list)) != 0)
		return rc;
	if (one != NULL && one[0] == '\0')
		one = NULL;
	if (seq_len(list) > 0 && seq_at(c, list, 0)->type == YAML_SCALAR_NODE)
		first = (const char *)seq_at(c, list, 0)->data.scalar.value;
	if ((rc = check_first(c, spec, "clusterIPs", "clusterIP", first, one)) != 0)
		return rc;
	if (svc->type == K8S_SVC_EXTERNAL_NAME && (one != NULL || seq_len(list) > 0))
		return fail(c, spec, one != NULL ? "clusterIP" : "clusterIPs",
			    "must be empty for type ExternalName");
	if ((one != NULL ? one : first) != NULL && strcmp(one != NULL ? one : first, "None") == 0)
		return svc_headless(c, spec, list, svc);
	if (seq_len(list) > 0) {
		old = path_key(c, "clusterIPs");
		rc = ip_list_read(c, list, NULL, &svc->cluster_ips, &svc->nb_cluster_ips, NULL);
		path_pop(c, old);
		return rc;
	}
	if (one == NULL)
		return 0;
	if ((svc->cluster_ips = calloc(1, sizeof(uint32_t))) == NULL)
		return -ENOMEM;
	rc = as_ip(c, field(c, spec, "clusterIP"), "clusterIP", svc->cluster_ips);
	svc->nb_cluster_ips = rc == FAM_V4;
	return rc < 0 ? rc : 0;
}

static int
svc_target_port(struct k8s_ctx *c, yaml_node_t *p, struct k8s_service_port *sp)
{
	yaml_node_t *n = field(c, p, "targetPort");
	const char *s, *why;
	long v;
	int rc;

	sp->target_port = sp->port;
	if (n == NULL)
		return 0;
	if (is_plain_int(n)) {
		if ((rc = as_int(c, n, "targetPort", 0, 65535, &v)) == 0 && v != 0)
			sp->target_port = (uint16_t)v; /* 0 is unset: the API server defaults it */
		return rc;
	}
	if ((rc = as_str(c, n, "targetPort", &s)) != 0)
		return rc;
	if ((why = check_port_name(s)) != NULL)
		return fail(c, n, "targetPort", "'%s': %s", SHOW(s), why);
	sp->target_port = 0;
	return dup_str(s, &sp->target_port_name);
}

static int
svc_port_unique(struct k8s_ctx *c, yaml_node_t *p, const struct k8s_service *svc)
{
	const struct k8s_service_port *sp = &svc->ports[svc->nb_ports - 1];
	unsigned int j;

	for (j = 0; j + 1 < svc->nb_ports; j++) {
		const struct k8s_service_port *o = &svc->ports[j];

		if (sp->name != NULL && o->name != NULL && strcmp(sp->name, o->name) == 0)
			return fail(c, field(c, p, "name"), "name",
				    "'%s' is also the name of spec.ports[%u]", sp->name, j);
		if (sp->port == o->port && sp->proto == o->proto)
			return fail(c, p, NULL, "port %u/%s is also spec.ports[%u]", sp->port,
				    k8s_proto_name(sp->proto), j);
		if (sp->node_port != 0 && sp->node_port == o->node_port && sp->proto == o->proto)
			return fail(c, field(c, p, "nodePort"), "nodePort",
				    "%u/%s is also the nodePort of spec.ports[%u]", sp->node_port,
				    k8s_proto_name(sp->proto), j);
	}
	return 0;
}

static int
svc_port(struct k8s_ctx *c, yaml_node_t *p, struct k8s_service *svc, unsigned int count)
{
	struct k8s_service_port *sp = &svc->ports[svc->nb_ports++];
	yaml_node_t *np;
	long v = 0;
	int rc;

	if ((rc = as_type(c, p, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_name(c, p, "name", check_dns_label, &sp->name)) != 0 ||
	    (rc = get_proto(c, p, &sp->proto)) != 0 ||
	    (rc = get_port(c, p, "port", true, &sp->port)) != 0 ||
	    (rc = svc_target_port(c, p, sp)) != 0)
		return rc;
	if (sp->name == NULL && count > 1)
		return fail(c, p, "name", "required when the Service has several ports");
	if ((np = field(c, p, "nodePort")) != NULL &&
	    (rc = as_int(c, np, "nodePort", 0, 65535, &v)) != 0)
		return rc;
	if (v != 0 && svc->type != K8S_SVC_NODE_PORT && svc->type != K8S_SVC_LOAD_BALANCER)
		return fail(c, np, "nodePort", "may not be used when type is %s",
			    svc_types[svc->type]);
	sp->node_port = (uint16_t)v;
	return svc_port_unique(c, p, svc);
}

static int
svc_ports(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_service *svc)
{
	yaml_node_t *ports;
	unsigned int i, n;
	int rc = get_node(c, spec, "ports", YAML_SEQUENCE_NODE, &ports);

	if (rc != 0)
		return rc;
	n = seq_len(ports);
	if (n == 0)
		return svc->type == K8S_SVC_EXTERNAL_NAME || svc->headless ?
			       0 :
			       fail(c, spec, "ports", "required: at least one port");
	if ((svc->ports = calloc(n, sizeof(*svc->ports))) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, ".ports[%u]", i);

		rc = svc_port(c, seq_at(c, ports, i), svc, n);
		path_pop(c, old);
	}
	return rc;
}

static int
svc_affinity(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_service *svc)
{
	static const char *const names[] = { "None", "ClientIP" };
	yaml_node_t *cfg, *timeout;
	long v = AFFINITY_DEFAULT;
	int aff, rc;

	if ((rc = get_enum(c, spec, "sessionAffinity", names, 2, K8S_AFFINITY_NONE, &aff)) != 0 ||
	    (rc = get_node(c, spec, "sessionAffinityConfig", YAML_MAPPING_NODE, &cfg)) != 0)
		return rc;
	svc->affinity = (enum k8s_affinity)aff;
	if (svc->affinity == K8S_AFFINITY_NONE)
		return cfg == NULL ? 0 :
				     fail(c, cfg, "sessionAffinityConfig",
					  "must not be set when sessionAffinity is None");
	timeout = field(c, field(c, cfg, "clientIP"), "timeoutSeconds");
	if (timeout != NULL &&
	    (rc = as_int(c, timeout, "sessionAffinityConfig.clientIP.timeoutSeconds", 1,
			 AFFINITY_MAX, &v)) != 0)
		return rc;
	svc->affinity_timeout = (uint32_t)v;
	return 0;
}

static int
svc_policies(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_service *svc)
{
	static const char *const names[] = { "Cluster", "Local" };
	int ext, in, rc;

	if ((rc = get_enum(c, spec, "externalTrafficPolicy", names, 2, K8S_TRAFFIC_CLUSTER,
			   &ext)) != 0 ||
	    (rc = get_enum(c, spec, "internalTrafficPolicy", names, 2, K8S_TRAFFIC_CLUSTER, &in)) !=
		    0)
		return rc;
	svc->external_policy = (enum k8s_traffic_policy)ext;
	svc->internal_policy = (enum k8s_traffic_policy)in;
	return 0;
}

/* Any number of addresses (externalIPs, load-balancer ingress, which may be a hostname). */
static int
addr_list_read(struct k8s_ctx *c, yaml_node_t *seq, const char *sub, uint32_t **ips,
	       unsigned int *nb)
{
	unsigned int i, n = seq_len(seq);
	yaml_node_t *it;
	int fam = 0;

	if (n > 0 && (*ips = calloc(n, sizeof(**ips))) == NULL)
		return -ENOMEM;
	for (i = 0; fam >= 0 && i < n; i++) {
		size_t old = path_push(c, "[%u]", i);

		fam = entry_ip(c, seq_at(c, seq, i), sub, false, &(*ips)[*nb], &it);
		*nb += fam == FAM_V4;
		path_pop(c, old);
	}
	return fam < 0 ? fam : 0;
}

static int
svc_addresses(struct k8s_ctx *c, yaml_node_t *root, yaml_node_t *spec, struct k8s_service *svc)
{
	yaml_node_t *ext, *ingress;
	size_t old;
	int rc = get_node(c, spec, "externalIPs", YAML_SEQUENCE_NODE, &ext);

	if (rc != 0)
		return rc;
	old = path_key(c, "spec.externalIPs");
	rc = addr_list_read(c, ext, NULL, &svc->external_ips, &svc->nb_external_ips);
	path_pop(c, old);
	ingress = field(c, field(c, field(c, root, "status"), "loadBalancer"), "ingress");
	if (rc != 0 || ingress == NULL)
		return rc;
	old = path_key(c, "status.loadBalancer.ingress");
	if ((rc = as_type(c, ingress, NULL, YAML_SEQUENCE_NODE)) == 0)
		rc = addr_list_read(c, ingress, "ip", &svc->lb_ips, &svc->nb_lb_ips);
	path_pop(c, old);
	return rc;
}

static int
svc_spec(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_service *svc)
{
	int type, rc;

	if ((rc = get_enum(c, spec, "type", svc_types, 4, K8S_SVC_CLUSTER_IP, &type)) != 0)
		return rc;
	svc->type = (enum k8s_service_type)type;
	if ((rc = svc_cluster_ips(c, spec, svc)) != 0 || (rc = svc_ports(c, spec, svc)) != 0 ||
	    (rc = svc_affinity(c, spec, svc)) != 0)
		return rc;
	return svc_policies(c, spec, svc);
}

static int
read_service(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o)
{
	yaml_node_t *spec;
	size_t old;
	int rc;

	/* kube-proxy's rule: such a Service is another proxy's, valid but not ours to serve. */
	o->svc.ignored = k8s_labels_get(&o->labels, "service.kubernetes.io/service-proxy-name") !=
			 NULL;
	if ((rc = get_node(c, root, "spec", YAML_MAPPING_NODE, &spec)) != 0)
		return rc;
	if (spec == NULL)
		return fail(c, root, "spec.ports", "required: at least one port");
	old = path_key(c, "spec");
	rc = svc_spec(c, spec, &o->svc);
	path_pop(c, old);
	return rc != 0 ? rc : svc_addresses(c, root, spec, &o->svc);
}

/* ---------------------------------------------------------------- EndpointSlice */

static int
slice_address(struct k8s_ctx *c, yaml_node_t *a, struct k8s_endpointslice *s,
	      struct k8s_endpoint *e)
{
	static const char *const fam_names[] = { [FAM_V4] = "IPv4", [FAM_V6] = "IPv6" };
	const char *str, *why;
	uint32_t a4;
	int rc;

	if (s->address_type == K8S_ADDR_FQDN) {
		if ((rc = as_str(c, a, NULL, &str)) != 0)
			return rc;
		why = check_subdomain(str);
		return why == NULL ? 0 : fail(c, a, NULL, "'%s': %s", SHOW(str), why);
	}
	if ((rc = as_ip(c, a, NULL, &a4)) < 0)
		return rc;
	if (rc != (s->address_type == K8S_ADDR_IPV4 ? FAM_V4 : FAM_V6))
		return fail(c, a, NULL, "'%s': must be an %s address (addressType)",
			    SHOW((const char *)a->data.scalar.value),
			    fam_names[s->address_type == K8S_ADDR_IPV4 ? FAM_V4 : FAM_V6]);
	if (s->used)
		e->addrs[e->nb_addrs++] = a4;
	return 0;
}

static int
slice_conditions(struct k8s_ctx *c, yaml_node_t *ep, struct k8s_endpoint *e)
{
	yaml_node_t *cond;
	size_t old;
	int rc = get_node(c, ep, "conditions", YAML_MAPPING_NODE, &cond);

	if (rc != 0)
		return rc;
	old = path_key(c, "conditions");
	/* Absent ready means ready; absent serving means ready's value (EndpointConditions). */
	if ((rc = get_bool(c, cond, "ready", true, &e->ready)) == 0 &&
	    (rc = get_bool(c, cond, "serving", e->ready, &e->serving)) == 0)
		rc = get_bool(c, cond, "terminating", false, &e->terminating);
	path_pop(c, old);
	return rc;
}

static int
slice_endpoint(struct k8s_ctx *c, yaml_node_t *ep, struct k8s_endpointslice *s,
	       struct k8s_endpoint *e)
{
	yaml_node_t *addrs;
	unsigned int i, n;
	int rc;

	if ((rc = as_type(c, ep, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_node(c, ep, "addresses", YAML_SEQUENCE_NODE, &addrs)) != 0)
		return rc;
	n = seq_len(addrs);
	if (n == 0 || n > SLICE_MAX_ADDRS)
		return fail(c, addrs != NULL ? addrs : ep, "addresses",
			    "%u addresses: an endpoint has 1 to %u", n, SLICE_MAX_ADDRS);
	if (s->used && (e->addrs = calloc(n, sizeof(*e->addrs))) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, ".addresses[%u]", i);

		rc = slice_address(c, seq_at(c, addrs, i), s, e);
		path_pop(c, old);
	}
	if (rc != 0 || (rc = slice_conditions(c, ep, e)) != 0)
		return rc;
	return get_name(c, ep, "nodeName", check_subdomain, &e->node_name);
}

static int
slice_endpoints(struct k8s_ctx *c, yaml_node_t *root, struct k8s_endpointslice *s)
{
	yaml_node_t *eps;
	unsigned int i, n;
	int rc = get_node(c, root, "endpoints", YAML_SEQUENCE_NODE, &eps);

	if (rc != 0 || (n = seq_len(eps)) == 0)
		return rc;
	if (n > SLICE_MAX_ENDPOINTS)
		return fail(c, eps, "endpoints", "%u endpoints: a slice holds at most %u", n,
			    SLICE_MAX_ENDPOINTS);
	if ((s->endpoints = calloc(n, sizeof(*s->endpoints))) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, "endpoints[%u]", i);

		rc = slice_endpoint(c, seq_at(c, eps, i), s, &s->endpoints[s->nb_endpoints++]);
		path_pop(c, old);
	}
	return rc;
}

static int
slice_port(struct k8s_ctx *c, yaml_node_t *p, struct k8s_endpointslice *s)
{
	struct k8s_slice_port *sp = &s->ports[s->nb_ports++];
	unsigned int j;
	int rc;

	if ((rc = as_type(c, p, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_name(c, p, "name", check_dns_label, &sp->name)) != 0 ||
	    (rc = get_proto(c, p, &sp->proto)) != 0 ||
	    (rc = get_port(c, p, "port", false, &sp->port)) != 0)
		return rc;
	/* Ports are matched to the Service's by name: two of one name would be ambiguous. */
	for (j = 0; j + 1 < s->nb_ports; j++)
		if ((sp->name == NULL) == (s->ports[j].name == NULL) &&
		    (sp->name == NULL || strcmp(sp->name, s->ports[j].name) == 0))
			return fail(c, p, "name", "'%s' is also the name of ports[%u]",
				    sp->name != NULL ? sp->name : "", j);
	return 0;
}

static int
slice_ports(struct k8s_ctx *c, yaml_node_t *root, struct k8s_endpointslice *s)
{
	yaml_node_t *ports;
	unsigned int i, n;
	int rc = get_node(c, root, "ports", YAML_SEQUENCE_NODE, &ports);

	if (rc != 0 || (n = seq_len(ports)) == 0)
		return rc;
	if (n > SLICE_MAX_PORTS)
		return fail(c, ports, "ports", "%u ports: a slice holds at most %u", n,
			    SLICE_MAX_PORTS);
	if ((s->ports = calloc(n, sizeof(*s->ports))) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, "ports[%u]", i);

		rc = slice_port(c, seq_at(c, ports, i), s);
		path_pop(c, old);
	}
	return rc;
}

static void endpoints_free(struct k8s_endpointslice *s);

static int
read_endpointslice(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o)
{
	static const char *const types[] = { "IPv4", "IPv6", "FQDN" };
	struct k8s_endpointslice *s = &o->slice;
	const char *svc = k8s_labels_get(&o->labels, "kubernetes.io/service-name");
	int type, rc;

	if (svc == NULL || svc[0] == '\0')
		return fail(c, field(c, root, "metadata"), "metadata.labels",
			    "kubernetes.io/service-name is required: it names the slice's Service");
	if ((rc = dup_str(svc, &s->service_name)) != 0 ||
	    (rc = get_enum(c, root, "addressType", types, 3, -1, &type)) != 0)
		return rc;
	s->address_type = (enum k8s_address_type)type;
	s->used = s->address_type == K8S_ADDR_IPV4;
	if ((rc = slice_endpoints(c, root, s)) != 0 || (rc = slice_ports(c, root, s)) != 0)
		return rc;
	if (!s->used)
		endpoints_free(s); /* checked, but the data path is IPv4 only for now */
	return 0;
}

/* ---------------------------------------------------------------- NetworkPolicy */

static const char *const sel_ops[] = { "In", "NotIn", "Exists", "DoesNotExist" };

/* `vals` (NULL when absent) of the expression `x`. */
static int
sel_values(struct k8s_ctx *c, yaml_node_t *x, yaml_node_t *vals, struct k8s_selector_expr *e)
{
	unsigned int i, n = seq_len(vals);
	const char *s, *why;
	int rc = 0;

	if ((e->op == K8S_SEL_IN || e->op == K8S_SEL_NOT_IN) && n == 0)
		return fail(c, vals != NULL ? vals : x, "values",
			    "must have at least one value for %s", sel_ops[e->op]);
	if ((e->op == K8S_SEL_EXISTS || e->op == K8S_SEL_DOES_NOT_EXIST) && n > 0)
		return fail(c, vals, "values", "must be empty for %s", sel_ops[e->op]);
	if (n > 0 && (e->values = calloc(n, sizeof(*e->values))) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, ".values[%u]", i);
		yaml_node_t *v = seq_at(c, vals, i);

		if ((rc = as_str(c, v, NULL, &s)) == 0 && (why = check_label_value(s)) != NULL)
			rc = fail(c, v, NULL, "'%s': %s", SHOW(s), why);
		if (rc == 0)
			rc = dup_str(s, &e->values[e->nb_values++]);
		path_pop(c, old);
	}
	return rc;
}

static int
sel_expr(struct k8s_ctx *c, yaml_node_t *x, struct k8s_selector_expr *e)
{
	yaml_node_t *vals;
	const char *key, *why;
	int op, rc;

	if ((rc = as_type(c, x, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_req_str(c, x, "key", &key)) != 0)
		return rc;
	if ((why = check_label_key(key)) != NULL)
		return fail(c, field(c, x, "key"), "key", "'%s': %s", SHOW(key), why);
	if ((rc = dup_str(key, &e->key)) != 0 ||
	    (rc = get_enum(c, x, "operator", sel_ops, 4, -1, &op)) != 0 ||
	    (rc = get_node(c, x, "values", YAML_SEQUENCE_NODE, &vals)) != 0)
		return rc;
	e->op = (enum k8s_selector_op)op;
	return sel_values(c, x, vals, e);
}

/* A label selector; `node` NULL is the empty selector. */
static int
selector_read(struct k8s_ctx *c, yaml_node_t *node, struct k8s_selector *sel)
{
	yaml_node_t *exprs;
	unsigned int i, n;
	int rc;

	if (node == NULL)
		return 0;
	if ((rc = as_type(c, node, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = labels_read(c, node, "matchLabels", &sel->match_labels)) != 0 ||
	    (rc = get_node(c, node, "matchExpressions", YAML_SEQUENCE_NODE, &exprs)) != 0)
		return rc;
	if ((n = seq_len(exprs)) == 0)
		return 0;
	if ((sel->exprs = calloc(n, sizeof(*sel->exprs))) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, ".matchExpressions[%u]", i);

		rc = sel_expr(c, seq_at(c, exprs, i), &sel->exprs[sel->nb_exprs++]);
		path_pop(c, old);
	}
	return rc;
}

static int
selector_field(struct k8s_ctx *c, yaml_node_t *map, const char *key, struct k8s_selector *sel)
{
	size_t old = path_key(c, key);
	int rc = selector_read(c, field(c, map, key), sel);

	path_pop(c, old);
	return rc;
}

static int
ipblock_except(struct k8s_ctx *c, yaml_node_t *list, const struct any_cidr *block,
	       struct k8s_ipblock *ib)
{
	unsigned int i, n = seq_len(list);
	struct any_cidr e;
	int rc = 0;

	if (n > 0 && block->family == FAM_V4 &&
	    (ib->except = calloc(n, sizeof(*ib->except))) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < n; i++) {
		size_t old = path_push(c, ".except[%u]", i);
		yaml_node_t *it = seq_at(c, list, i);

		if ((rc = as_cidr(c, it, NULL, &e)) == 0 && !cidr_strictly_inside(&e, block))
			rc = fail(c, it, NULL, "'%s': must be strictly inside cidr",
				  SHOW((const char *)it->data.scalar.value));
		if (rc == 0 && block->family == FAM_V4)
			ib->except[ib->nb_except++] =
				(struct k8s_cidr){ .addr = e.a4, .plen = (uint8_t)e.plen };
		path_pop(c, old);
	}
	return rc;
}

static int
ipblock_read(struct k8s_ctx *c, yaml_node_t *node, struct k8s_ipblock *ib)
{
	char text[INET6_ADDRSTRLEN + 8];
	struct any_cidr block;
	yaml_node_t *cidr, *except;
	int rc;

	if ((rc = as_type(c, node, NULL, YAML_MAPPING_NODE)) != 0)
		return rc;
	if ((cidr = field(c, node, "cidr")) == NULL)
		return fail(c, node, "cidr", "required");
	if ((rc = as_cidr(c, cidr, "cidr", &block)) != 0 ||
	    (rc = get_node(c, node, "except", YAML_SEQUENCE_NODE, &except)) != 0 ||
	    (rc = ipblock_except(c, except, &block, ib)) != 0)
		return rc;
	ib->cidr = (struct k8s_cidr){ .addr = block.a4, .plen = (uint8_t)block.plen };
	if (block.family == FAM_V4)
		return 0;
	/* Kept so that the peer still exists (dropping it would widen the rule). */
	ib->ipv6 = true;
	ib->cidr = (struct k8s_cidr){ 0 };
	inet_ntop(AF_INET6, &block.a6, text, sizeof(text));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "/%u", block.plen);
	return dup_str(text, &ib->cidr6);
}

static int
peer_read(struct k8s_ctx *c, yaml_node_t *node, void *out)
{
	struct k8s_peer *peer = out;
	yaml_node_t *pods, *nss, *ipb;
	size_t old;
	int rc;

	if ((rc = as_type(c, node, NULL, YAML_MAPPING_NODE)) != 0)
		return rc;
	pods = field(c, node, "podSelector");
	nss = field(c, node, "namespaceSelector");
	ipb = field(c, node, "ipBlock");
	if (pods == NULL && nss == NULL && ipb == NULL)
		return fail(c, node, NULL,
			    "must give a peer: podSelector, namespaceSelector or ipBlock");
	if (ipb != NULL && (pods != NULL || nss != NULL))
		return fail(c, ipb, "ipBlock", "may not be given with a podSelector or a "
			    "namespaceSelector in the same peer");
	if (ipb != NULL) {
		peer->type = K8S_PEER_IPBLOCK;
		old = path_key(c, "ipBlock");
		rc = ipblock_read(c, ipb, &peer->ipblock);
		path_pop(c, old);
		return rc;
	}
	peer->type = nss == NULL ? K8S_PEER_PODS :
		     pods == NULL ? K8S_PEER_NAMESPACES :
				    K8S_PEER_NAMESPACED_PODS;
	if ((rc = selector_field(c, node, "podSelector", &peer->pods)) != 0)
		return rc;
	return selector_field(c, node, "namespaceSelector", &peer->namespaces);
}

static int
policy_port(struct k8s_ctx *c, yaml_node_t *node, void *out)
{
	struct k8s_policy_port *pp = out;
	yaml_node_t *port, *end;
	const char *s, *why;
	long v;
	int rc;

	if ((rc = as_type(c, node, NULL, YAML_MAPPING_NODE)) != 0 ||
	    (rc = get_proto(c, node, &pp->proto)) != 0)
		return rc;
	port = field(c, node, "port");
	end = field(c, node, "endPort");
	if (port != NULL && is_plain_int(port)) {
		if ((rc = as_int(c, port, "port", 1, 65535, &v)) != 0)
			return rc;
		pp->port = (uint16_t)v;
	} else if (port != NULL) {
		if ((rc = as_str(c, port, "port", &s)) != 0)
			return rc;
		if ((why = check_port_name(s)) != NULL)
			return fail(c, port, "port", "'%s': %s", SHOW(s), why);
		if ((rc = dup_str(s, &pp->name)) != 0)
			return rc;
	}
	if (end == NULL)
		return 0;
	if (pp->port == 0)
		return fail(c, end, "endPort", "may only be given with a numeric port");
	if ((rc = as_int(c, end, "endPort", 1, 65535, &v)) != 0)
		return rc;
	if (v < pp->port)
		return fail(c, end, "endPort", "%ld: must not be below port %u", v, pp->port);
	pp->end_port = (uint16_t)v;
	return 0;
}

typedef int (*entry_reader)(struct k8s_ctx *c, yaml_node_t *node, void *out);

/* List `key` of `map` into a new array *v of `size`-byte entries, `one` reading each. */
static int
list_read(struct k8s_ctx *c, yaml_node_t *map, const char *key, size_t size, void **v,
	  unsigned int *nb, entry_reader one)
{
	yaml_node_t *list;
	unsigned int i;
	int rc = get_node(c, map, key, YAML_SEQUENCE_NODE, &list);

	if (rc != 0 || seq_len(list) == 0)
		return rc;
	if ((*v = calloc(seq_len(list), size)) == NULL)
		return -ENOMEM;
	for (i = 0; rc == 0 && i < seq_len(list); i++) {
		size_t old = path_push(c, "%s%s[%u]", c->plen > 0 ? "." : "", key, i);

		rc = one(c, seq_at(c, list, i), (char *)*v + size * (*nb)++);
		path_pop(c, old);
	}
	return rc;
}

static int
rule_read(struct k8s_ctx *c, yaml_node_t *node, struct k8s_policy_rule *r, const char *peers)
{
	void *v = NULL;
	int rc;

	if ((rc = as_type(c, node, NULL, YAML_MAPPING_NODE)) != 0)
		return rc;
	rc = list_read(c, node, peers, sizeof(*r->peers), &v, &r->nb_peers, peer_read);
	r->peers = v;
	if (rc != 0)
		return rc;
	v = NULL;
	rc = list_read(c, node, "ports", sizeof(*r->ports), &v, &r->nb_ports, policy_port);
	r->ports = v;
	return rc;
}

static int
ingress_rule(struct k8s_ctx *c, yaml_node_t *node, void *out)
{
	return rule_read(c, node, out, "from");
}

static int
egress_rule(struct k8s_ctx *c, yaml_node_t *node, void *out)
{
	return rule_read(c, node, out, "to");
}

/* policyTypes; when absent, Ingress, plus Egress if there are egress rules (API defaulting). */
static int
policy_types(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_networkpolicy *np)
{
	static const char *const names[] = { "Ingress", "Egress" };
	yaml_node_t *list, *it;
	unsigned int i;
	int rc = get_node(c, spec, "policyTypes", YAML_SEQUENCE_NODE, &list);

	if (rc != 0)
		return rc;
	if (seq_len(list) == 0) {
		np->has_ingress_type = true;
		np->has_egress_type = np->nb_egress > 0;
		return 0;
	}
	if (seq_len(list) > 2)
		return fail(c, list, "policyTypes", "at most two entries: Ingress and Egress");
	for (i = 0; i < seq_len(list); i++) {
		const char *s;
		bool *has;

		it = seq_at(c, list, i);
		if ((rc = as_str(c, it, "policyTypes", &s)) != 0)
			return rc;
		if (strcmp(s, names[0]) != 0 && strcmp(s, names[1]) != 0)
			return fail(c, it, "policyTypes", "'%s': must be Ingress or Egress",
				    SHOW(s));
		has = strcmp(s, names[0]) == 0 ? &np->has_ingress_type : &np->has_egress_type;
		if (*has)
			return fail(c, it, "policyTypes", "'%s' is given twice", s);
		*has = true;
	}
	return 0;
}

static int
policy_spec(struct k8s_ctx *c, yaml_node_t *spec, struct k8s_networkpolicy *np)
{
	void *v = NULL;
	int rc;

	if ((rc = selector_field(c, spec, "podSelector", &np->pod_selector)) != 0)
		return rc;
	rc = list_read(c, spec, "ingress", sizeof(*np->ingress), &v, &np->nb_ingress, ingress_rule);
	np->ingress = v;
	if (rc != 0)
		return rc;
	v = NULL;
	rc = list_read(c, spec, "egress", sizeof(*np->egress), &v, &np->nb_egress, egress_rule);
	np->egress = v;
	if (rc != 0)
		return rc;
	return policy_types(c, spec, np);
}

static int
read_networkpolicy(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o)
{
	yaml_node_t *spec;
	size_t old;
	int rc;

	if ((rc = get_node(c, root, "spec", YAML_MAPPING_NODE, &spec)) != 0)
		return rc;
	old = path_key(c, "spec");
	rc = policy_spec(c, spec, &o->policy);
	path_pop(c, old);
	return rc;
}

/* ---------------------------------------------------------------- free */

static void
selector_free(struct k8s_selector *sel)
{
	unsigned int i, j;

	labels_free(&sel->match_labels);
	for (i = 0; i < sel->nb_exprs; i++) {
		for (j = 0; j < sel->exprs[i].nb_values; j++)
			free(sel->exprs[i].values[j]);
		free(sel->exprs[i].values);
		free(sel->exprs[i].key);
	}
	free(sel->exprs);
}

static void
rules_free(struct k8s_policy_rule *r, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < r[i].nb_peers; j++) {
			selector_free(&r[i].peers[j].pods);
			selector_free(&r[i].peers[j].namespaces);
			free(r[i].peers[j].ipblock.except);
			free(r[i].peers[j].ipblock.cidr6);
		}
		for (j = 0; j < r[i].nb_ports; j++)
			free(r[i].ports[j].name);
		free(r[i].peers);
		free(r[i].ports);
	}
	free(r);
}

static void
endpoints_free(struct k8s_endpointslice *s)
{
	unsigned int i;

	for (i = 0; i < s->nb_endpoints; i++) {
		free(s->endpoints[i].addrs);
		free(s->endpoints[i].node_name);
	}
	free(s->endpoints);
	s->endpoints = NULL;
	s->nb_endpoints = 0;
}

static void
kind_free(struct k8s_object *o)
{
	unsigned int i;

	switch (o->kind) {
	case K8S_NODE:
		free(o->node.pod_cidrs);
		free(o->node.internal_ips);
		break;
	case K8S_POD:
		for (i = 0; i < o->pod.nb_ports; i++)
			free(o->pod.ports[i].name);
		free(o->pod.ports);
		free(o->pod.ips);
		free(o->pod.node_name);
		break;
	case K8S_SERVICE:
		for (i = 0; i < o->svc.nb_ports; i++) {
			free(o->svc.ports[i].name);
			free(o->svc.ports[i].target_port_name);
		}
		free(o->svc.ports);
		free(o->svc.cluster_ips);
		free(o->svc.external_ips);
		free(o->svc.lb_ips);
		break;
	case K8S_ENDPOINTSLICE:
		endpoints_free(&o->slice);
		for (i = 0; i < o->slice.nb_ports; i++)
			free(o->slice.ports[i].name);
		free(o->slice.ports);
		free(o->slice.service_name);
		break;
	case K8S_NETWORKPOLICY:
		selector_free(&o->policy.pod_selector);
		rules_free(o->policy.ingress, o->policy.nb_ingress);
		rules_free(o->policy.egress, o->policy.nb_egress);
		break;
	default:
		break;
	}
}

void
k8s_object_free(struct k8s_object *o)
{
	if (o == NULL)
		return;
	kind_free(o);
	labels_free(&o->labels);
	free(o->ns);
	free(o->name);
	free(o);
}

/* ---------------------------------------------------------------- objects and streams */

static int
check_object_name(struct k8s_ctx *c, yaml_node_t *meta, enum k8s_kind kind, char **out)
{
	const char *(*check)(const char *) = kind == K8S_NAMESPACE ? check_dns_label :
					     kind == K8S_SERVICE   ? check_dns1035 :
								     check_subdomain;
	const char *name;
	int rc = get_req_str(c, meta, "name", &name);

	if (rc != 0)
		return rc;
	return get_name(c, meta, "name", check, out);
}

static int
read_metadata(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o)
{
	yaml_node_t *meta;
	size_t old;
	int rc;

	if ((rc = get_node(c, root, "metadata", YAML_MAPPING_NODE, &meta)) != 0)
		return rc;
	if (meta == NULL)
		return fail(c, root, "metadata.name", "required");
	old = path_key(c, "metadata");
	rc = check_object_name(c, meta, o->kind, &o->name);
	if (rc == 0 && k8s_kind_is_namespaced(o->kind)) {
		rc = get_name(c, meta, "namespace", check_dns_label, &o->ns);
		if (rc == 0 && o->ns == NULL)
			rc = dup_str("default", &o->ns);
	}
	if (rc == 0)
		rc = labels_read(c, meta, "labels", &o->labels);
	path_pop(c, old);
	/* The API server sets it on every Namespace (NamespaceDefaultLabelName). */
	if (rc == 0 && o->kind == K8S_NAMESPACE)
		rc = labels_set(&o->labels, "kubernetes.io/metadata.name", o->name);
	return rc;
}

typedef int (*kind_reader)(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o);

static int
read_namespace(struct k8s_ctx *c, yaml_node_t *root, struct k8s_object *o)
{
	return 0;
}

static const kind_reader readers[K8S_KIND_COUNT] = {
	[K8S_NODE] = read_node,
	[K8S_NAMESPACE] = read_namespace,
	[K8S_POD] = read_pod,
	[K8S_SERVICE] = read_service,
	[K8S_ENDPOINTSLICE] = read_endpointslice,
	[K8S_NETWORKPOLICY] = read_networkpolicy,
};

/* "NS/NAME" or "NAME" for messages, from the raw metadata, before anything is checked. */
static void
ident_set(struct k8s_ctx *c, yaml_node_t *root, bool namespaced)
{
	yaml_node_t *meta = field(c, root, "metadata");
	yaml_node_t *name = field(c, meta, "name"), *ns = field(c, meta, "namespace");
	const char *n = name != NULL && name->type == YAML_SCALAR_NODE ?
				(const char *)name->data.scalar.value :
				"?";
	const char *s = ns != NULL && ns->type == YAML_SCALAR_NODE ?
				(const char *)ns->data.scalar.value :
				"default";

	if (namespaced)
		snprintf(c->ident, sizeof(c->ident), "%s/%s", SHOW(s), SHOW(n));
	else
		snprintf(c->ident, sizeof(c->ident), "%s", SHOW(n));
}

/* Whether apiVersion `api` ("GROUP/VERSION", or "VERSION" for the core group) is in `group`. */
static bool
api_in_group(const char *api, const char *group)
{
	const char *slash = strchr(api, '/');

	if (slash == NULL)
		return group[0] == '\0';
	return strlen(group) == (size_t)(slash - api) && strncmp(api, group, strlen(group)) == 0;
}

/* An object of a kind podrouter reads, from the right API group; else -ENOENT. */
static int
object_kind(struct k8s_ctx *c, yaml_node_t *root, const char *kind, const char **why)
{
	int k = k8s_kind_from_name(kind);
	yaml_node_t *av = field(c, root, "apiVersion");

	*why = "podrouter does not read this kind";
	if (k < 0)
		return -ENOENT;
	/* knative's serving.knative.dev Service is not the core Service. */
	if (av != NULL && av->type == YAML_SCALAR_NODE &&
	    !api_in_group((const char *)av->data.scalar.value, kinds[k].group)) {
		*why = "apiVersion is not the Kubernetes API group of this kind";
		return -ENOENT;
	}
	return k;
}

struct k8s_sink {
	k8s_object_fn fn;
	void *arg;
	int rejected;
};

/* One object; `def_kind` is the kind of a typed list's items (may be NULL). */
static int
parse_object(struct k8s_ctx *c, yaml_node_t *root, const char *def_kind, struct k8s_sink *sink)
{
	struct k8s_object *o;
	const char *kind = def_kind, *why;
	yaml_node_t *kn = field(c, root, "kind");
	int k, rc;

	c->kind = NULL;
	path_pop(c, 0);
	if (root->type != YAML_MAPPING_NODE)
		rc = fail(c, root, NULL,
			  "not a Kubernetes object (a mapping with kind and metadata)");
	else if (kn != NULL && (rc = as_str(c, kn, "kind", &kind)) != 0)
		;
	else if (kind == NULL || kind[0] == '\0')
		rc = fail(c, root, "kind", "required");
	else
		rc = 0;
	if (rc != 0) {
		sink->rejected++;
		return 0;
	}
	k = object_kind(c, root, kind, &why);
	c->kind = kind;
	ident_set(c, root, k >= 0 ? kinds[k].namespaced : field(c, field(c, root, "metadata"),
								  "namespace") != NULL);
	if (k < 0) {
		if (c->err != NULL) {
			where(c, root);
			fprintf(c->err, "%s %s: skipped: %s\n", SHOW(kind), c->ident, why);
		}
		return 0;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return -ENOMEM;
	o->kind = (enum k8s_kind)k;
	if ((rc = read_metadata(c, root, o)) == 0)
		rc = readers[k](c, root, o);
	if (rc != 0) {
		k8s_object_free(o);
		sink->rejected += rc == -EINVAL;
		return rc == -EINVAL ? 0 : rc;
	}
	return sink->fn(o, sink->arg);
}

/* kind: List, or a typed list (PodList...) whose items may leave their kind out. */
static int
parse_list(struct k8s_ctx *c, yaml_node_t *root, const char *kind, struct k8s_sink *sink)
{
	size_t klen = strlen(kind) - 4;
	char item_kind[64];
	yaml_node_t *items = field(c, root, "items");
	unsigned int i;
	int rc = 0;

	snprintf(item_kind, sizeof(item_kind), "%.*s", (int)klen, kind);
	if (items != NULL && items->type != YAML_SEQUENCE_NODE) {
		c->kind = kind;
		snprintf(c->ident, sizeof(c->ident), "-");
		sink->rejected++;
		fail(c, items, "items", "must be a list");
		return 0;
	}
	for (i = 0; rc == 0 && i < seq_len(items); i++) {
		c->item = (int)i;
		rc = parse_object(c, seq_at(c, items, i), klen > 0 ? item_kind : NULL, sink);
	}
	c->item = -1;
	return rc;
}

static int
parse_document(struct k8s_ctx *c, yaml_node_t *root, struct k8s_sink *sink)
{
	yaml_node_t *kn;
	const char *kind;
	size_t len;

	if (root == NULL || is_null(root))
		return 0; /* an empty document */
	kn = field(c, root, "kind");
	kind = kn != NULL && kn->type == YAML_SCALAR_NODE ? (const char *)kn->data.scalar.value :
							     "";
	len = strlen(kind);
	if (root->type == YAML_MAPPING_NODE && len >= 4 && strcmp(kind + len - 4, "List") == 0 &&
	    (len == 4 || field(c, root, "items") != NULL))
		return parse_list(c, root, kind, sink);
	return parse_object(c, root, NULL, sink);
}

struct doc_set {
	yaml_document_t *v;
	unsigned int n;
};

static void
docs_free(struct doc_set *d)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		yaml_document_delete(&d->v[i]);
	free(d->v);
}

/* Every document of the stream, so that a syntax error anywhere delivers nothing. */
static int
docs_load(const char *buf, size_t len, struct doc_set *d, const char *source, FILE *err)
{
	yaml_parser_t parser;
	yaml_document_t json;
	int rc = 0;

	/* JSON (what podrouterctl writes to Redis): read without libyaml's scanner. */
	rc = json_doc_load(buf, len, &json);
	if (rc == 0) {
		d->v = malloc(sizeof(*d->v));
		if (d->v == NULL) {
			yaml_document_delete(&json);
			return -ENOMEM;
		}
		d->v[0] = json;
		d->n = 1;
		return 0;
	}
	if (rc == -ENOMEM)
		return rc;
	rc = 0; /* not strict JSON: YAML it is */

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_document_t *v = realloc(d->v, (d->n + 1) * sizeof(*v));

		if (v == NULL) {
			rc = -ENOMEM;
			break;
		}
		d->v = v;
		if (!yaml_parser_load(&parser, &d->v[d->n])) {
			rc = parser.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
			if (err != NULL && rc == -EINVAL)
				fprintf(err, "%s:%lu: not YAML: %s%s%s\n", source,
					(unsigned long)parser.problem_mark.line + 1,
					parser.problem != NULL ? parser.problem : "cannot parse",
					parser.context != NULL ? " " : "",
					parser.context != NULL ? parser.context : "");
			break;
		}
		if (yaml_document_get_root_node(&d->v[d->n]) == NULL) {
			yaml_document_delete(&d->v[d->n]); /* the end of the stream */
			break;
		}
		d->n++;
	}
	yaml_parser_delete(&parser);
	return rc;
}

int
k8s_parse(const char *buf, size_t len, const char *source, k8s_object_fn fn, void *arg,
	  FILE *err)
{
	struct k8s_ctx c = { .source = source != NULL ? source : "<input>", .err = err };
	struct k8s_sink sink = { .fn = fn, .arg = arg };
	struct doc_set docs = { 0 };
	unsigned int i;
	int rc;

	c.item = -1;
	rc = docs_load(buf != NULL ? buf : "", buf != NULL ? len : 0, &docs, c.source, err);
	for (i = 0; rc == 0 && i < docs.n; i++) {
		c.doc = &docs.v[i];
		c.docno = i + 1;
		rc = parse_document(&c, yaml_document_get_root_node(c.doc), &sink);
	}
	docs_free(&docs);
	return rc != 0 ? rc : sink.rejected;
}

int
k8s_parse_file(const char *path, k8s_object_fn fn, void *arg, FILE *err)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int rc = 0;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) != 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		rc = -ENOMEM;
	else if ((got = fread(buf, 1, (size_t)st.st_size, f)) != (size_t)st.st_size || ferror(f))
		rc = -EIO;
	fclose(f);
	if (rc == 0)
		rc = k8s_parse(buf, got, path, fn, arg, err);
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------- JSON */

struct jbuf {
	char *p;
	size_t n, cap;
	bool comma; /* a value was written at this level: the next one needs a ',' */
	bool oom;
};

static void
jb_put(struct jbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (b->n + len + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void
jb_sep(struct jbuf *b)
{
	if (b->comma)
		jb_put(b, ",", 1);
	b->comma = true;
}

static void
jb_open(struct jbuf *b, char ch)
{
	jb_sep(b);
	jb_put(b, &ch, 1);
	b->comma = false;
}

static void
jb_close(struct jbuf *b, char ch)
{
	jb_put(b, &ch, 1);
	b->comma = true;
}

static bool
json_plain(char ch)
{
	return ch != '"' && ch != '\\' && (unsigned char)ch >= 0x20;
}

/* A JSON string (RFC 8259): quotes, backslashes and control characters escaped. */
static void
jb_str(struct jbuf *b, const char *s)
{
	char esc[8];
	size_t run;

	jb_sep(b);
	jb_put(b, "\"", 1);
	while (*s != '\0') {
		for (run = 0; s[run] != '\0' && json_plain(s[run]); run++)
			;
		jb_put(b, s, run);
		s += run;
		if (*s == '\0')
			break;
		if (*s == '"' || *s == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *s);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned char)*s);
		jb_put(b, esc, strlen(esc));
		s++;
	}
	jb_put(b, "\"", 1);
}

static void
jb_key(struct jbuf *b, const char *key)
{
	jb_str(b, key);
	jb_put(b, ":", 1);
	b->comma = false;
}

static void
jb_uint(struct jbuf *b, unsigned long v)
{
	char num[24];

	jb_sep(b);
	snprintf(num, sizeof(num), "%lu", v);
	jb_put(b, num, strlen(num));
}

static void
jb_kstr(struct jbuf *b, const char *key, const char *s)
{
	jb_key(b, key);
	jb_str(b, s);
}

static void
jb_kuint(struct jbuf *b, const char *key, unsigned long v)
{
	jb_key(b, key);
	jb_uint(b, v);
}

static void
jb_kbool(struct jbuf *b, const char *key, bool v)
{
	jb_key(b, key);
	jb_sep(b);
	jb_put(b, v ? "true" : "false", v ? 4 : 5);
}

static void
jb_kopen(struct jbuf *b, const char *key, char ch)
{
	jb_key(b, key);
	jb_open(b, ch);
}

static void
jb_ip4(struct jbuf *b, uint32_t addr)
{
	char text[INET_ADDRSTRLEN];

	jb_str(b, inet_ntop(AF_INET, &addr, text, sizeof(text)));
}

static void
jb_cidr(struct jbuf *b, const struct k8s_cidr *c)
{
	char text[INET_ADDRSTRLEN + 4];

	inet_ntop(AF_INET, &c->addr, text, sizeof(text));
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "/%u", c->plen);
	jb_str(b, text);
}

static void
jb_ip4_list(struct jbuf *b, const char *key, const uint32_t *ips, unsigned int n)
{
	unsigned int i;

	jb_kopen(b, key, '[');
	for (i = 0; i < n; i++)
		jb_ip4(b, ips[i]);
	jb_close(b, ']');
}

static void
jb_labels(struct jbuf *b, const char *key, const struct k8s_labels *l)
{
	unsigned int i;

	jb_kopen(b, key, '{');
	for (i = 0; i < l->n; i++)
		jb_kstr(b, l->v[i].key, l->v[i].value);
	jb_close(b, '}');
}

static void
dump_node(struct jbuf *b, const struct k8s_node *node)
{
	unsigned int i;

	jb_kopen(b, "spec", '{');
	if (node->nb_pod_cidrs > 0) {
		jb_key(b, "podCIDR");
		jb_cidr(b, &node->pod_cidrs[0]);
		jb_kopen(b, "podCIDRs", '[');
		for (i = 0; i < node->nb_pod_cidrs; i++)
			jb_cidr(b, &node->pod_cidrs[i]);
		jb_close(b, ']');
	}
	jb_close(b, '}');
	jb_kopen(b, "status", '{');
	jb_kopen(b, "addresses", '[');
	for (i = 0; i < node->nb_internal_ips; i++) {
		jb_open(b, '{');
		jb_kstr(b, "type", "InternalIP");
		jb_key(b, "address");
		jb_ip4(b, node->internal_ips[i]);
		jb_close(b, '}');
	}
	jb_close(b, ']');
	jb_close(b, '}');
}

static const char *const phase_names[] = { "Pending", "Running", "Succeeded", "Failed",
					   "Unknown" };

static bool
port_name_in(const struct k8s_container_port *p, unsigned int from, unsigned int to,
	     const char *name)
{
	for (; name != NULL && from < to; from++)
		if (p[from].name != NULL && strcmp(p[from].name, name) == 0)
			return true;
	return false;
}

/*
 * The ports, in containers "c0", "c1"...: a new container starts where a name would repeat,
 * since names are unique only within a container. Reading it back gives the same list.
 */
static void
dump_pod_containers(struct jbuf *b, const struct k8s_pod *pod)
{
	unsigned int i, start = 0, ctr = 0;
	char name[16];

	jb_kopen(b, "containers", '[');
	for (i = 0; i <= pod->nb_ports; i++) {
		if (i == 0 ||
		    (i < pod->nb_ports && port_name_in(pod->ports, start, i, pod->ports[i].name))) {
			if (i > 0) {
				jb_close(b, ']');
				jb_close(b, '}');
			}
			snprintf(name, sizeof(name), "c%u", ctr++);
			jb_open(b, '{');
			jb_kstr(b, "name", name);
			jb_kopen(b, "ports", '[');
			start = i;
		}
		if (i == pod->nb_ports)
			break;
		jb_open(b, '{');
		if (pod->ports[i].name != NULL)
			jb_kstr(b, "name", pod->ports[i].name);
		jb_kuint(b, "containerPort", pod->ports[i].port);
		jb_kstr(b, "protocol", k8s_proto_name(pod->ports[i].proto));
		jb_close(b, '}');
	}
	jb_close(b, ']');
	jb_close(b, '}');
	jb_close(b, ']');
}

static void
dump_pod(struct jbuf *b, const struct k8s_pod *pod)
{
	unsigned int i;

	jb_kopen(b, "spec", '{');
	if (pod->node_name != NULL)
		jb_kstr(b, "nodeName", pod->node_name);
	dump_pod_containers(b, pod);
	jb_close(b, '}');
	jb_kopen(b, "status", '{');
	jb_kstr(b, "phase", phase_names[pod->phase]);
	if (pod->nb_ips > 0) {
		jb_key(b, "podIP");
		jb_ip4(b, pod->ips[0]);
		jb_kopen(b, "podIPs", '[');
		for (i = 0; i < pod->nb_ips; i++) {
			jb_open(b, '{');
			jb_key(b, "ip");
			jb_ip4(b, pod->ips[i]);
			jb_close(b, '}');
		}
		jb_close(b, ']');
	}
	jb_close(b, '}');
}

static void
dump_svc_ports(struct jbuf *b, const struct k8s_service *svc)
{
	unsigned int i;

	jb_kopen(b, "ports", '[');
	for (i = 0; i < svc->nb_ports; i++) {
		const struct k8s_service_port *p = &svc->ports[i];

		jb_open(b, '{');
		if (p->name != NULL)
			jb_kstr(b, "name", p->name);
		jb_kstr(b, "protocol", k8s_proto_name(p->proto));
		jb_kuint(b, "port", p->port);
		if (p->target_port_name != NULL)
			jb_kstr(b, "targetPort", p->target_port_name);
		else
			jb_kuint(b, "targetPort", p->target_port);
		if (p->node_port != 0)
			jb_kuint(b, "nodePort", p->node_port);
		jb_close(b, '}');
	}
	jb_close(b, ']');
}

static const char *const policy_names[] = { "Cluster", "Local" };

static void
dump_service(struct jbuf *b, const struct k8s_service *svc)
{
	unsigned int i;

	jb_kopen(b, "spec", '{');
	jb_kstr(b, "type", svc_types[svc->type]);
	if (svc->headless) {
		jb_kstr(b, "clusterIP", "None");
		jb_kopen(b, "clusterIPs", '[');
		jb_str(b, "None");
		jb_close(b, ']');
	} else if (svc->nb_cluster_ips > 0) {
		jb_key(b, "clusterIP");
		jb_ip4(b, svc->cluster_ips[0]);
		jb_ip4_list(b, "clusterIPs", svc->cluster_ips, svc->nb_cluster_ips);
	}
	dump_svc_ports(b, svc);
	jb_ip4_list(b, "externalIPs", svc->external_ips, svc->nb_external_ips);
	jb_kstr(b, "sessionAffinity",
		svc->affinity == K8S_AFFINITY_CLIENT_IP ? "ClientIP" : "None");
	if (svc->affinity == K8S_AFFINITY_CLIENT_IP) {
		jb_kopen(b, "sessionAffinityConfig", '{');
		jb_kopen(b, "clientIP", '{');
		jb_kuint(b, "timeoutSeconds", svc->affinity_timeout);
		jb_close(b, '}');
		jb_close(b, '}');
	}
	jb_kstr(b, "externalTrafficPolicy", policy_names[svc->external_policy]);
	jb_kstr(b, "internalTrafficPolicy", policy_names[svc->internal_policy]);
	jb_close(b, '}');
	jb_kopen(b, "status", '{');
	jb_kopen(b, "loadBalancer", '{');
	jb_kopen(b, "ingress", '[');
	for (i = 0; i < svc->nb_lb_ips; i++) {
		jb_open(b, '{');
		jb_key(b, "ip");
		jb_ip4(b, svc->lb_ips[i]);
		jb_close(b, '}');
	}
	jb_close(b, ']');
	jb_close(b, '}');
	jb_close(b, '}');
}

static void
dump_endpoint(struct jbuf *b, const struct k8s_endpoint *e)
{
	jb_open(b, '{');
	jb_ip4_list(b, "addresses", e->addrs, e->nb_addrs);
	jb_kopen(b, "conditions", '{');
	jb_kbool(b, "ready", e->ready);
	jb_kbool(b, "serving", e->serving);
	jb_kbool(b, "terminating", e->terminating);
	jb_close(b, '}');
	if (e->node_name != NULL)
		jb_kstr(b, "nodeName", e->node_name);
	jb_close(b, '}');
}

static void
dump_endpointslice(struct jbuf *b, const struct k8s_endpointslice *s)
{
	static const char *const types[] = { "IPv4", "IPv6", "FQDN" };
	unsigned int i;

	jb_kstr(b, "addressType", types[s->address_type]);
	jb_kopen(b, "endpoints", '[');
	for (i = 0; i < s->nb_endpoints; i++)
		dump_endpoint(b, &s->endpoints[i]);
	jb_close(b, ']');
	jb_kopen(b, "ports", '[');
	for (i = 0; i < s->nb_ports; i++) {
		jb_open(b, '{');
		if (s->ports[i].name != NULL)
			jb_kstr(b, "name", s->ports[i].name);
		jb_kstr(b, "protocol", k8s_proto_name(s->ports[i].proto));
		if (s->ports[i].port != 0)
			jb_kuint(b, "port", s->ports[i].port);
		jb_close(b, '}');
	}
	jb_close(b, ']');
}

static void
dump_selector(struct jbuf *b, const char *key, const struct k8s_selector *sel)
{
	unsigned int i, j;

	jb_kopen(b, key, '{');
	if (sel->match_labels.n > 0)
		jb_labels(b, "matchLabels", &sel->match_labels);
	if (sel->nb_exprs > 0) {
		jb_kopen(b, "matchExpressions", '[');
		for (i = 0; i < sel->nb_exprs; i++) {
			jb_open(b, '{');
			jb_kstr(b, "key", sel->exprs[i].key);
			jb_kstr(b, "operator", sel_ops[sel->exprs[i].op]);
			if (sel->exprs[i].nb_values > 0) {
				jb_kopen(b, "values", '[');
				for (j = 0; j < sel->exprs[i].nb_values; j++)
					jb_str(b, sel->exprs[i].values[j]);
				jb_close(b, ']');
			}
			jb_close(b, '}');
		}
		jb_close(b, ']');
	}
	jb_close(b, '}');
}

static void
dump_peer(struct jbuf *b, const struct k8s_peer *p)
{
	unsigned int i;

	jb_open(b, '{');
	if (p->type == K8S_PEER_PODS || p->type == K8S_PEER_NAMESPACED_PODS)
		dump_selector(b, "podSelector", &p->pods);
	if (p->type == K8S_PEER_NAMESPACES || p->type == K8S_PEER_NAMESPACED_PODS)
		dump_selector(b, "namespaceSelector", &p->namespaces);
	if (p->type == K8S_PEER_IPBLOCK) {
		jb_kopen(b, "ipBlock", '{');
		if (p->ipblock.ipv6) {
			jb_kstr(b, "cidr", p->ipblock.cidr6);
		} else {
			jb_key(b, "cidr");
			jb_cidr(b, &p->ipblock.cidr);
		}
		if (p->ipblock.nb_except > 0) {
			jb_kopen(b, "except", '[');
			for (i = 0; i < p->ipblock.nb_except; i++)
				jb_cidr(b, &p->ipblock.except[i]);
			jb_close(b, ']');
		}
		jb_close(b, '}');
	}
	jb_close(b, '}');
}

static void
dump_rules(struct jbuf *b, const char *key, const char *peers, const struct k8s_policy_rule *r,
	   unsigned int n)
{
	unsigned int i, j;

	jb_kopen(b, key, '[');
	for (i = 0; i < n; i++) {
		jb_open(b, '{');
		if (r[i].nb_peers > 0) {
			jb_kopen(b, peers, '[');
			for (j = 0; j < r[i].nb_peers; j++)
				dump_peer(b, &r[i].peers[j]);
			jb_close(b, ']');
		}
		if (r[i].nb_ports > 0) {
			jb_kopen(b, "ports", '[');
			for (j = 0; j < r[i].nb_ports; j++) {
				const struct k8s_policy_port *p = &r[i].ports[j];

				jb_open(b, '{');
				jb_kstr(b, "protocol", k8s_proto_name(p->proto));
				if (p->name != NULL)
					jb_kstr(b, "port", p->name);
				else if (p->port != 0)
					jb_kuint(b, "port", p->port);
				if (p->end_port != 0)
					jb_kuint(b, "endPort", p->end_port);
				jb_close(b, '}');
			}
			jb_close(b, ']');
		}
		jb_close(b, '}');
	}
	jb_close(b, ']');
}

static void
dump_networkpolicy(struct jbuf *b, const struct k8s_networkpolicy *np)
{
	jb_kopen(b, "spec", '{');
	dump_selector(b, "podSelector", &np->pod_selector);
	jb_kopen(b, "policyTypes", '[');
	if (np->has_ingress_type)
		jb_str(b, "Ingress");
	if (np->has_egress_type)
		jb_str(b, "Egress");
	jb_close(b, ']');
	dump_rules(b, "ingress", "from", np->ingress, np->nb_ingress);
	dump_rules(b, "egress", "to", np->egress, np->nb_egress);
	jb_close(b, '}');
}

char *
k8s_object_to_json(const struct k8s_object *o)
{
	struct jbuf b = { 0 };

	if (o == NULL || (unsigned int)o->kind >= K8S_KIND_COUNT || o->name == NULL) {
		errno = EINVAL;
		return NULL;
	}
	jb_open(&b, '{');
	jb_kstr(&b, "apiVersion", kinds[o->kind].api_version);
	jb_kstr(&b, "kind", kinds[o->kind].name);
	jb_kopen(&b, "metadata", '{');
	jb_kstr(&b, "name", o->name);
	if (kinds[o->kind].namespaced)
		jb_kstr(&b, "namespace", o->ns != NULL ? o->ns : "default");
	jb_labels(&b, "labels", &o->labels);
	if (o->kind == K8S_NODE && o->node.has_vtep_mac) {
		const uint8_t *m = o->node.vtep_mac;
		char v[64];

		snprintf(v, sizeof(v), "{\"VtepMAC\":\"%02x:%02x:%02x:%02x:%02x:%02x\"}", m[0], m[1],
			 m[2], m[3], m[4], m[5]);
		jb_kopen(&b, "annotations", '{');
		jb_kstr(&b, K8S_FLANNEL_BACKEND_DATA, v);
		jb_close(&b, '}');
	}
	jb_close(&b, '}');
	switch (o->kind) {
	case K8S_NODE:
		dump_node(&b, &o->node);
		break;
	case K8S_POD:
		dump_pod(&b, &o->pod);
		break;
	case K8S_SERVICE:
		dump_service(&b, &o->svc);
		break;
	case K8S_ENDPOINTSLICE:
		dump_endpointslice(&b, &o->slice);
		break;
	case K8S_NETWORKPOLICY:
		dump_networkpolicy(&b, &o->policy);
		break;
	default:
		break;
	}
	jb_close(&b, '}');
	if (b.oom) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	return b.p;
}

/* The dump holds every kept field in a fixed order, so equal dumps mean equal objects. */
bool
k8s_object_equal(const struct k8s_object *a, const struct k8s_object *b)
{
	char *ja, *jb;
	bool same;

	if (a == NULL || b == NULL)
		return a == b;
	ja = k8s_object_to_json(a);
	jb = k8s_object_to_json(b);
	same = ja != NULL && jb != NULL && strcmp(ja, jb) == 0;
	free(ja);
	free(jb);
	return same;
}

/* ---------------------------------------------------------------- keys */

static bool
key_part_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr(s, '/') == NULL;
}

int
k8s_key_format(char *buf, size_t len, enum k8s_kind kind, const char *ns, const char *name)
{
	int n;

	if ((unsigned int)kind >= K8S_KIND_COUNT || !key_part_ok(name) ||
	    (kinds[kind].namespaced && !key_part_ok(ns)))
		return -EINVAL;
	if (kinds[kind].namespaced)
		n = snprintf(buf, len, "%s:%s/%s", kinds[kind].name, ns, name);
	else
		n = snprintf(buf, len, "%s:%s", kinds[kind].name, name);
	if (n < 0)
		return -EINVAL;
	return (size_t)n < len ? n : -ENAMETOOLONG;
}

int
k8s_object_key(const struct k8s_object *o, char *buf, size_t len)
{
	return k8s_key_format(buf, len, o->kind, o->ns, o->name);
}

static int
key_copy(char *out, size_t len, const char *s, size_t n)
{
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int
k8s_key_parse(const char *key, enum k8s_kind *kind, char *ns, size_t ns_len, char *name,
	      size_t name_len)
{
	const char *colon = key != NULL ? strchr(key, ':') : NULL, *rest, *slash;
	char kname[32];
	int k, rc;

	if (colon == NULL || key_copy(kname, sizeof(kname), key, (size_t)(colon - key)) != 0 ||
	    (k = k8s_kind_from_name(kname)) < 0)
		return -EINVAL;
	rest = colon + 1;
	slash = strchr(rest, '/');
	if (kinds[k].namespaced) {
		if (slash == NULL || slash == rest || !key_part_ok(slash + 1))
			return -EINVAL;
		if ((rc = key_copy(ns, ns_len, rest, (size_t)(slash - rest))) != 0)
			return rc;
		rest = slash + 1;
	} else {
		if (!key_part_ok(rest))
			return -EINVAL;
		if ((rc = key_copy(ns, ns_len, "", 0)) != 0)
			return rc;
	}
	if ((rc = key_copy(name, name_len, rest, strlen(rest))) != 0)
		return rc;
	*kind = (enum k8s_kind)k;
	return 0;
}

/* ---------------------------------------------------------------- selectors */

static bool
expr_matches(const struct k8s_selector_expr *e, const struct k8s_labels *labels)
{
	const char *v = k8s_labels_get(labels, e->key);
	bool in = false;
	unsigned int i;

	for (i = 0; v != NULL && i < e->nb_values; i++)
		in |= strcmp(v, e->values[i]) == 0;
	switch (e->op) {
	case K8S_SEL_IN:
		return in;
	case K8S_SEL_NOT_IN:
		return !in; /* a pod without the label is "not in" (apimachinery's rule) */
	case K8S_SEL_EXISTS:
		return v != NULL;
	case K8S_SEL_DOES_NOT_EXIST:
		return v == NULL;
	default:
		return false;
	}
}

bool
k8s_selector_matches(const struct k8s_selector *sel, const struct k8s_labels *labels)
{
	unsigned int i;

	for (i = 0; i < sel->match_labels.n; i++) {
		const char *v = k8s_labels_get(labels, sel->match_labels.v[i].key);

		if (v == NULL || strcmp(v, sel->match_labels.v[i].value) != 0)
			return false;
	}
	for (i = 0; i < sel->nb_exprs; i++)
		if (!expr_matches(&sel->exprs[i], labels))
			return false;
	return true;
}

bool
k8s_pod_ip_usable(const struct k8s_pod *pod)
{
	return pod->phase != K8S_POD_SUCCEEDED && pod->phase != K8S_POD_FAILED;
}
