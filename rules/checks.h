/* The checks that turn what a crawl saw into findings. Each check is one file in rules/
 * (check_*.c) and one entry in rule_checks[]; a check reads the site's configuration and
 * the crawl's results and emits findings, and never touches the network or the store. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/xtime.h"
#include "crawler/site.h"
#include "rules/config.h"
#include "store/store.h"

struct check_context {
        const struct rule_config *config;
        const struct rule_site *site;
        const struct site_results *results;     /* columns[] parallel to site->columns */
        int64_t now;
        xj_day today;
        /* Receives each finding; the strings are valid only during the call. */
        void (*emit)(const struct store_finding *f, void *userdata);
        void *userdata;
};

struct rule_check {
        const char *const *rules;       /* the rule ids this check can report, NULL-ended */
        void (*run)(const struct check_context *ctx);
};

extern const struct rule_check rule_checks[];
extern const size_t rule_checks_count;

/* Chinese name of a rule id for people ("栏目不更新"), or the id itself if unknown. */
const char *rule_label(const char *rule_id);

/* Runs every check. */
void rule_checks_run(const struct check_context *ctx);

/* The newest date, not after today, among a column's items; false if none is dated. */
bool rule_column_newest(const struct site_column_result *col, xj_day today, xj_day *ret);

/* Shared by the checks: the unit responsible for column i (-1: the site's own unit). */
const char *rule_unit_name(const struct rule_site *site, int column);

/* The individual checks, exposed for tests. */
void check_freshness(const struct check_context *ctx);
void check_blank(const struct check_context *ctx);
void check_dead_links(const struct check_context *ctx);
void check_column_access(const struct check_context *ctx);
void check_tls(const struct check_context *ctx);
void check_page_size(const struct check_context *ctx);
