/* Shared by the rules.d loader's files (config.c and config_<area>.c): the YAML tree with
 * positions, the helpers that read values from it and report errors as file:line:col, and
 * the table of top-level sections. Not part of the rules module's public interface. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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

/* Reports an error at a place; every error of a run is collected, up to a cap. */
void cfg_report(struct loader *l, struct pos at, const char *fmt, ...) _printf_(3, 4);
/* "path: expected X (got Y)". */
void cfg_report_type(struct loader *l, const char *path, const struct ynode *n,
                     const char *expected);
/* The configuration being built (its files own the file names in struct pos). */
struct rule_config *cfg_config(struct loader *l);

bool cfg_ynode_is_null(const struct ynode *n);
bool cfg_is_string(const struct ynode *n);
/* What was written, for messages; the caller frees it. */
char *cfg_describe(const struct ynode *n);

/* Value readers: each reports what is wrong (naming path) and returns false, or stores
 * the value and returns true. Strings are copied; the caller owns them. */
bool cfg_get_string(struct loader *l, const char *path, const struct ynode *n, bool allow_empty,
                    char **ret);
bool cfg_get_long(struct loader *l, const char *path, const struct ynode *n, long min, long max,
                  long *ret);
bool cfg_get_int(struct loader *l, const char *path, const struct ynode *n, int min, int max,
                 int *ret);
bool cfg_get_bool(struct loader *l, const char *path, const struct ynode *n, bool *ret);
/* A clock time "HH:MM" (China Standard Time). */
bool cfg_get_time(struct loader *l, const char *path, const struct ynode *n, int *ret_hour,
                  int *ret_minute);
/* Appends to ret; with allow_single one string stands for a list of one. */
bool cfg_get_strv(struct loader *l, const char *path, const struct ynode *n, bool allow_single,
                  struct strv *ret);

/* Mappings: the i-th key is a non-empty string written once; a fixed-schema mapping
 * matched against fields (unknown keys reported with the allowed ones); a required field. */
bool cfg_check_key(struct loader *l, const struct ynode *map, size_t i, const char *path);
size_t cfg_map_size(const struct ynode *map);
void cfg_match_fields(struct loader *l, const struct ynode *map, const char *path,
                      struct field *f, size_t n);
struct field *cfg_field_get(struct field *f, size_t n, const char *name);
bool cfg_require(struct loader *l, struct pos at, const char *path, const struct field *f);
bool cfg_expect_map(struct loader *l, const char *path, const struct ynode *n);

/* A top-level key of rules files. load is called for each file that writes the key, in
 * file order (a later file overriding an earlier one as the section defines); build once
 * every file is read and units, classes and sites are resolved, to resolve references and
 * validate across files (may be NULL); release frees what the section put into a
 * rule_config (may be NULL; must accept a half-built one). */
struct config_section {
        const char *key;
        void (*load)(struct loader *l, const struct ynode *key, const struct ynode *val);
        void (*build)(struct loader *l);
        void (*release)(struct rule_config *c);
};

/* holidays: the state holiday calendar (config_holidays.c). */
void cfg_load_holidays(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_release_holidays(struct rule_config *c);

/* accounts: the new-media ledger (config_accounts.c). Its entries are kept by the loader
 * until every file is read (cfg_accounts_state), then resolved by the build step. */
struct accounts_loader;
struct accounts_loader **cfg_accounts_state(struct loader *l);
/* The maximum URL length settings.crawl.max_url_length gives (a sanity bound when that
 * setting is itself missing). */
size_t cfg_max_url_length(struct loader *l);
void cfg_load_accounts(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_build_accounts(struct loader *l);
void cfg_release_accounts(struct rule_config *c);
/* tickets and mail: the 三单 chain and the nightly email (config_notify.c). The two
 * sections keep what they need between files (where each leaf was set) in the loader's
 * notify scratch pointer, which cfg_notify_finish() frees. */
void cfg_load_tickets(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_load_mail(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_build_notify(struct loader *l);
void cfg_release_notify(struct rule_config *c);
void **cfg_notify_scratch(struct loader *l);
void cfg_notify_finish(struct loader *l);
/* A light check of an email address (one "@", a dot in the domain, no spaces, quotes or
 * control characters). */
bool cfg_email_plausible(const char *s);
/* office: the issuing office and the key columns of the monthly roll (config_office.c). */
void cfg_load_office(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_build_office(struct loader *l);
void cfg_release_office(struct rule_config *c);
/* daemon: the daemon's schedule (config_daemon.c). */
void cfg_load_daemon(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_build_daemon(struct loader *l);
void cfg_release_daemon(struct rule_config *c);

/* dictionary and patterns: the 错敏字 dictionary and its PCRE2 rules (config_dict.c). The
 * entries of every file wait in the loader (cfg_dict_pending) until the build step merges
 * them, a later file replacing an earlier entry with the same wrong text or pattern id,
 * and compiles the matcher. */
struct dict_pending;
struct dict_pending **cfg_dict_pending(struct loader *l);
void cfg_load_dictionary(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_load_patterns(struct loader *l, const struct ynode *key, const struct ynode *val);
void cfg_build_dictionary(struct loader *l);
void cfg_release_dictionary(struct rule_config *c);
