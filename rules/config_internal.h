/* Shared by the files of the rules.d loader (config.c and config_<area>.c): the YAML tree
 * with positions, the error reporter and the typed getters. Not a public header: only the
 * loader's own files include it. Every getter reports what is wrong at the value's place
 * and returns false; nothing is stored then. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/util.h"
#include "rules/config.h"

struct loader;

/* A place in a rules file. file points into rule_config.files. */
struct pos {
        const char *file;
        int line; /* 1-based; 0 when unknown */
        int col;  /* 1-based, counted in characters as libfyaml does */
};

/* The loader first turns libfyaml's events into this small tree, because the document API
 * of the libfyaml we build against (0.7) has no public way to get the position of a
 * mapping or a sequence, and every error must point at its place. */
enum ykind {
        Y_SCALAR,
        Y_SEQ,
        Y_MAP,
};

struct ynode {
        enum ykind kind;
        struct pos pos;
        char *text; /* scalars: NUL-terminated copy of the value */
        size_t len;
        bool plain;          /* scalars: written without quotes or block style */
        struct ynode **kids; /* sequences: items; mappings: key, value, key, value... */
        size_t n_kids;
        size_t cap_kids;
        struct ynode *next; /* every node of a document, to free them in one loop */
};

/* One key of a fixed-schema mapping and what was written for it. */
struct field {
        const char *name;
        struct ynode *key; /* NULL when the key is absent */
        struct ynode *val;
};

/* Adds "file:line:col: message" to the errors. */
void report(struct loader *l, struct pos at, const char *fmt, ...) _printf_(3, 4);

bool ynode_is_null(const struct ynode *n);
bool is_string(const struct ynode *n);
/* What was written, for "expected X (got Y)" messages; the caller frees it. */
char *describe(const struct ynode *n);
void report_type(struct loader *l, const char *path, const struct ynode *n, const char *expected);

/* *ret is a new string the caller frees. */
bool get_string(struct loader *l, const char *path, const struct ynode *n, bool allow_empty,
                char **ret);
bool get_long(struct loader *l, const char *path, const struct ynode *n, long min, long max,
              long *ret);
bool get_int(struct loader *l, const char *path, const struct ynode *n, int min, int max,
             int *ret);
bool get_bool(struct loader *l, const char *path, const struct ynode *n, bool *ret);
/* Appends to ret; with allow_single, one string stands for a list of one. */
bool get_strv(struct loader *l, const char *path, const struct ynode *n, bool allow_single,
              struct strv *ret);

size_t map_size(const struct ynode *map);
bool check_key(struct loader *l, const struct ynode *map, size_t i, const char *path);
/* Matches a fixed-schema mapping against fields (all unset on entry), reporting unknown
 * and duplicate keys. path names the mapping in messages, NULL for the top level. */
void match_fields(struct loader *l, const struct ynode *map, const char *path, struct field *f,
                  size_t n);
struct field *field_get(struct field *f, size_t n, const char *name);
bool require(struct loader *l, struct pos at, const char *path, const struct field *f);
bool expect_map(struct loader *l, const char *path, const struct ynode *n);

/* ---- config_dict.c: the 错敏字 dictionary and the PCRE2 patterns ---- */

struct dict_pending;
/* The top-level keys "dictionary" (a list of entries) and "patterns" (a list of PCRE2
 * rules) of one file, added to *pending (created on first use). */
void load_dictionary(struct loader *l, struct dict_pending **pending, const struct ynode *val);
void load_patterns(struct loader *l, struct dict_pending **pending, const struct ynode *val);
/* Once every file is read: merges the entries into cfg->dictionary (a later file
 * replacing an earlier entry with the same wrong text, or pattern with the same id), builds
 * the matcher, reports what is wrong, and frees *pending. */
void dictionary_finish(struct loader *l, struct dict_pending **pending, struct rule_config *cfg);
