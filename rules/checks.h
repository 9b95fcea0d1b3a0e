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

/* ---- new media (check_accounts.c): run by `xunjian media`, not by a site scan ---------- */

/* The scope ("site") under which the ledger's findings and violations are kept. */
#define RULE_MEDIA_SCOPE "media"
/* The rule ids the new-media checks can report, NULL-ended. */
extern const char *const rule_account_rules[];

enum account_feed_state {
        ACCOUNT_FEED_READ = 0,  /* fetched and parsed (possibly with no posts) */
        ACCOUNT_FEED_GONE,      /* 404/410, or the host no longer resolves, on every attempt */
        ACCOUNT_FEED_INVALID,   /* fetched but unreadable: bad XML/JSON, no dates */
};

/* What fetching one account's feed showed. */
struct account_observation {
        const struct rule_account *account;
        enum account_feed_state state;
        bool has_newest;
        int64_t newest;         /* READ: Unix time of the newest post not after now */
        size_t n_posts;         /* READ: posts read */
        const char *error;      /* GONE, INVALID: what went wrong, naming the URL */
};

/* Judges one account: emits its finding, if any, writes one Chinese sentence for the
 * ledger's check row into detail, and returns the row's status: "ok" or the rule id. */
const char *check_account(const struct account_observation *o, int64_t now,
                          void (*emit)(const struct store_finding *f, void *userdata),
                          void *userdata, char *detail, size_t detail_size);
/* Compares the accounts that a site's new-media page links to (links to the hosts of
 * settings.media.platform_hosts) with the ledger and emits account_unlisted for each
 * account the ledger lacks. Returns the number of account links on the page. */
size_t check_media_page(const struct rule_config *c, const struct rule_site *site,
                        const struct html_page *page,
                        void (*emit)(const struct store_finding *f, void *userdata),
                        void *userdata);
