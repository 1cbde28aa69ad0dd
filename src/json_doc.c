/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_doc.h"

#define JSON_MAX_DEPTH 64 /* deeper than any Kubernetes object; keeps the recursion bounded */

struct json_in {
	const char *p, *end;
	yaml_document_t *doc;
	char *tmp; /* a string's unescaped bytes */
	size_t tmp_cap;
	size_t line; /* for the nodes' marks: error messages name the line */
	bool oom;
};

/* Give node `id` the mark of the line it starts on, as libyaml's loader would. */
static int
json_mark(struct json_in *in, int id, size_t line)
{
	if (id != 0) {
		in->doc->nodes.start[id - 1].start_mark.line = line;
		in->doc->nodes.start[id - 1].end_mark.line = in->line;
	}
	return id;
}

static void
json_ws(struct json_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\n' || *in->p == '\r' ||
				   *in->p == '\t'))
		in->line += *in->p++ == '\n';
}

static int
json_hex4(const char *p, uint32_t *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v |= (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

static bool
json_tmp_room(struct json_in *in, size_t need)
{
	char *t;

	if (need <= in->tmp_cap)
		return true;
	t = realloc(in->tmp, need * 2);
	if (t == NULL) {
		in->oom = true;
		return false;
	}
	in->tmp = t;
	in->tmp_cap = need * 2;
	return true;
}

/* A string at in->p (after its '"'), unescaped into in->tmp; its length, or -1. */
static long
json_string(struct json_in *in)
{
	size_t n = 0;

	while (in->p < in->end) {
		unsigned char c = (unsigned char)*in->p++;
		uint32_t cp;

		if (!json_tmp_room(in, n + 4))
			return -1;
		if (c == '"')
			return (long)n;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			in->tmp[n++] = (char)c;
			continue;
		}
		if (in->p >= in->end)
			return -1;
		switch (*in->p++) {
		case '"': in->tmp[n++] = '"'; continue;
		case '\\': in->tmp[n++] = '\\'; continue;
		case '/': in->tmp[n++] = '/'; continue;
		case 'b': in->tmp[n++] = '\b'; continue;
		case 'f': in->tmp[n++] = '\f'; continue;
		case 'n': in->tmp[n++] = '\n'; continue;
		case 'r': in->tmp[n++] = '\r'; continue;
		case 't': in->tmp[n++] = '\t'; continue;
		case 'u': break;
		default: return -1;
		}
		if (in->end - in->p < 4 || json_hex4(in->p, &cp) != 0)
			return -1;
		in->p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) { /* a surrogate pair: \uD8xx\uDCxx */
			uint32_t lo;

			if (in->end - in->p < 6 || in->p[0] != '\\' || in->p[1] != 'u' ||
			    json_hex4(in->p + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
				return -1;
			in->p += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			return -1;
		}
		if (cp < 0x80) {
			in->tmp[n++] = (char)cp;
		} else if (cp < 0x800) {
			in->tmp[n++] = (char)(0xc0 | cp >> 6);
			in->tmp[n++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			in->tmp[n++] = (char)(0xe0 | cp >> 12);
			in->tmp[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			in->tmp[n++] = (char)(0x80 | (cp & 0x3f));
		} else {
			in->tmp[n++] = (char)(0xf0 | cp >> 18);
			in->tmp[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			in->tmp[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			in->tmp[n++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return -1;
}

/*
 * libyaml refuses a scalar that is not valid UTF-8 (JSON lets "\x9c" through): that is bad
 * input, not a lack of memory, so it fails the parse with -EINVAL and the caller tries YAML,
 * which then says what is wrong.
 */
static int
json_scalar(struct json_in *in, const char *s, size_t len, yaml_scalar_style_t style)
{
	return yaml_document_add_scalar(in->doc, NULL, (yaml_char_t *)(uintptr_t)s, (int)len,
					style);
}

/* A number or true/false/null: a plain scalar, as YAML reads it. */
static int
json_literal(struct json_in *in)
{
	const char *s = in->p;

	if (in->end - s >= 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0))
		in->p += 4;
	else if (in->end - s >= 5 && memcmp(s, "false", 5) == 0)
		in->p += 5;
	else {
		if (in->p < in->end && *in->p == '-')
			in->p++;
		if (in->p >= in->end || *in->p < '0' || *in->p > '9')
			return 0;
		while (in->p < in->end && ((*in->p >= '0' && *in->p <= '9') || *in->p == '.' ||
					   *in->p == 'e' || *in->p == 'E' || *in->p == '+' ||
					   *in->p == '-'))
			in->p++;
	}
	return json_scalar(in, s, (size_t)(in->p - s), YAML_PLAIN_SCALAR_STYLE);
}

static int json_value(struct json_in *in, int depth);

enum json_after { JSON_BAD, JSON_MORE, JSON_CLOSED };

/* After an item of an object or array: a comma (more to come), its `close`, or an error. */
static enum json_after
json_after_item(struct json_in *in, char close)
{
	json_ws(in);
	if (in->p < in->end && (*in->p == ',' || *in->p == close))
		return *in->p++ == ',' ? JSON_MORE : JSON_CLOSED;
	return JSON_BAD;
}

static int
json_object(struct json_in *in, int depth)
{
	int map = json_mark(in, yaml_document_add_mapping(in->doc, NULL, YAML_FLOW_MAPPING_STYLE),
			    in->line);

	if (map == 0) {
		in->oom = true;
		return 0;
	}
	json_ws(in);
	if (in->p < in->end && *in->p == '}') {
		in->p++;
		return map;
	}
	for (;;) {
		int key, val;
		long n;

		json_ws(in);
		if (in->p >= in->end || *in->p++ != '"' || (n = json_string(in)) < 0)
			return 0;
		key = json_mark(in, json_scalar(in, in->tmp, (size_t)n,
						YAML_DOUBLE_QUOTED_SCALAR_STYLE), in->line);
		if (key == 0)
			return 0;
		json_ws(in);
		if (in->p >= in->end || *in->p++ != ':')
			return 0;
		if ((val = json_value(in, depth + 1)) == 0)
			return 0;
		if (!yaml_document_append_mapping_pair(in->doc, map, key, val)) {
			in->oom = true;
			return 0;
		}
		switch (json_after_item(in, '}')) {
		case JSON_MORE:
			continue;
		case JSON_CLOSED:
			return map;
		default:
			return 0;
		}
	}
}

static int
json_array(struct json_in *in, int depth)
{
	int seq = json_mark(in, yaml_document_add_sequence(in->doc, NULL,
							   YAML_FLOW_SEQUENCE_STYLE), in->line);

	if (seq == 0) {
		in->oom = true;
		return 0;
	}
	json_ws(in);
	if (in->p < in->end && *in->p == ']') {
		in->p++;
		return seq;
	}
	for (;;) {
		int val = json_value(in, depth + 1);

		if (val == 0)
			return 0;
		if (!yaml_document_append_sequence_item(in->doc, seq, val)) {
			in->oom = true;
			return 0;
		}
		switch (json_after_item(in, ']')) {
		case JSON_MORE:
			continue;
		case JSON_CLOSED:
			return seq;
		default:
			return 0;
		}
	}
}

/* The node id of the value at in->p, or 0 on error. */
static int
json_value(struct json_in *in, int depth)
{
	long n;

	if (depth > JSON_MAX_DEPTH)
		return 0;
	json_ws(in);
	if (in->p >= in->end)
		return 0;
	switch (*in->p) {
	case '{':
		in->p++;
		return json_object(in, depth);
	case '[':
		in->p++;
		return json_array(in, depth);
	case '"':
		in->p++;
		n = json_string(in);
		return n < 0 ? 0 : json_mark(in, json_scalar(in, in->tmp, (size_t)n,
							     YAML_DOUBLE_QUOTED_SCALAR_STYLE), in->line);
	default:
		return json_mark(in, json_literal(in), in->line);
	}
}

int
json_doc_load(const char *buf, size_t len, yaml_document_t *doc)
{
	struct json_in in = { .p = buf, .end = buf + len, .doc = doc };
	int root;

	json_ws(&in);
	if (in.p >= in.end || (*in.p != '{' && *in.p != '['))
		return -EINVAL;
	if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
		return -ENOMEM;
	root = json_value(&in, 0);
	json_ws(&in);
	free(in.tmp);
	if (root == 0 || in.p != in.end) {
		yaml_document_delete(doc);
		return in.oom ? -ENOMEM : -EINVAL;
	}
	/* The first node added is the root only for a scalar: ours is a container, added first. */
	return 0;
}
