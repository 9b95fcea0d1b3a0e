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

/* What the content checks (page tags, service guides, policy interpretation) collect from
 * the pages of one scan to judge across pages at its end: SiteIDCode values, the forms
 * linked from guides, policy documents and interpretations. Bounded by the pages of the
 * scan (max_pages) times small per-page caps. Created and freed by the scan (cli/scan.c),
 * filled by the page checks, read by the end-of-scan checks. */
struct content_scan;
struct content_scan *content_scan_new(void);
/* Accepts NULL. */
void content_scan_free(struct content_scan *cs);

struct check_context {
        const struct rule_config *config;
        const struct rule_site *site;
        const struct site_results *results;     /* columns[] parallel to site->columns */
        int64_t now;
        xj_day today;
        /* Receives each finding; the strings are valid only during the call. */
        void (*emit)(const struct store_finding *f, void *userdata);
        void *userdata;
        /* What the page checks collected, or NULL (the checks that need it do nothing). */
        const struct content_scan *content;
};

struct rule_check {
        const char *const *rules;       /* the rule ids this check can report, NULL-ended */
        void (*run)(const struct check_context *ctx);
        /* Its findings need every page of the site: a crawl cut short by max_pages may not
         * confirm that such a problem was fixed. */
        bool needs_every_page;
};

extern const struct rule_check rule_checks[];
extern const size_t rule_checks_count;

/* A check of one page, run as the page arrives (the dictionary, hidden links, page tags...),
 * so that the page's text need not be kept until the end of the scan. Its findings go into
 * the store in the page's own transaction. */
struct page_check_context {
        const struct rule_config *config;
        const struct rule_site *site;
        const struct site_fetch *fetch;         /* fetch->page is non-NULL */
        int64_t now;
        xj_day today;
        void (*emit)(const struct store_finding *f, void *userdata);
        void *userdata;
        /* Where the content checks keep what they judge at the end of the scan; NULL
         * when nobody asks (those parts are then skipped). */
        struct content_scan *content;
};

struct rule_page_check {
        const char *const *rules;       /* the rule ids this check can report, NULL-ended */
        void (*run)(const struct page_check_context *ctx);
};

/* Ends with an entry whose rules is NULL. */
extern const struct rule_page_check rule_page_checks[];

/* Runs every page check on a parsed page. */
void rule_page_checks_run(const struct page_check_context *ctx);

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
/* Content checks: the per-page part, and the end-of-scan part where there is one. */
void check_hidden_links(const struct page_check_context *ctx);
void check_page_tags(const struct page_check_context *ctx);
void check_page_tags_end(const struct check_context *ctx);
void check_guides(const struct page_check_context *ctx);
void check_guides_end(const struct check_context *ctx);
void check_interpretation(const struct page_check_context *ctx);
void check_interpretation_end(const struct check_context *ctx);
