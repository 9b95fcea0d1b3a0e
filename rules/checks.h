/* The checks that turn what a crawl saw into findings. Each check is one file in rules/
 * (check_*.c) and one entry in rule_checks[]; a check reads the site's configuration and
 * the crawl's results and emits findings, and never touches the network or the store. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
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

/* Page checks: 错敏字 (dictionary and patterns) and 个人信息 (identity and mobile numbers). */
void check_dictionary(const struct page_check_context *ctx);
void check_personal_data(const struct page_check_context *ctx);

/* Appends to out the sentence of text[0..len) around text[start..end): back to the previous
 * sentence end (。！？；…) and forward past the next one, at most max_chars characters each
 * way, with "…" where it was cut. Never splits a UTF-8 character. */
void rule_text_context(const char *text, size_t len, size_t start, size_t end, int max_chars,
                       struct buf *out);

/* True when s (18 characters) is a valid resident identity number (GB 11643): a known
 * province, a birth date from 1900 to today, and the right check character. */
bool rule_id_card_valid(const char *s, xj_day today);
