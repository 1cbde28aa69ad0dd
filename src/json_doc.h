/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strict JSON into a libyaml document, without libyaml's scanner. Values in Redis are JSON
 * (podrouterctl writes compact JSON), and libyaml's general YAML tokenizer was most of the
 * cost of listing a large cluster; the document built here is what yaml_parser_load() would
 * build from the same text (strings double-quoted, numbers and literals plain), so the object
 * reader (k8s.c) cannot tell the difference.
 */
#ifndef PR_JSON_DOC_H
#define PR_JSON_DOC_H

#include <stddef.h>

#include <yaml.h>

/*
 * Parse buf[len] as one JSON value (an object or an array, surrounded by whitespace only).
 * Returns 0 with *doc initialised (the caller deletes it), or -EINVAL when the text is not
 * such JSON (then nothing is left allocated, and the caller may try YAML), -ENOMEM.
 */
int json_doc_load(const char *buf, size_t len, yaml_document_t *doc);

#endif
