/* Crawling one site: the homepage, every configured column with its further list pages,
 * the articles those lists link to, and a check of every other link found on the way.
 *
 * The crawl runs on the caller's loop through the HTTP engine. Each URL is fetched once per
 * crawl; fetches are ordered by priority (homepage, then column pages, then articles, then
 * link checks) so that a column claims its articles before anything else does. Every
 * fetch is reported through on_fetch as it completes (the caller stores it); when nothing
 * is left, on_done is called and the results below are final.
 *
 * Ownership: site_crawl_new() copies nothing from plan but keeps pointers to it: the plan
 * must outlive the crawl. The results belong to the crawl and are freed by
 * site_crawl_free(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "common/dates.h"
#include "crawler/html.h"
#include "crawler/http.h"
#include "crawler/url.h"

struct site_plan_column {
        const char *name;
        const char *url;
        const char *item_selector;      /* may be NULL */
};

struct site_plan {
        const char *site;               /* id, for messages */
        const char *base_url;
        const char *homepage;
        const struct site_plan_column *columns;
        size_t n_columns;

        int max_pages;
        int max_depth;
        int max_list_pages;
        int max_links_per_page;
        int max_url_length;
        int retries;                    /* extra attempts for transient failures */
        long retry_delay_ms;            /* first retry delay; doubles, with jitter */
        size_t max_page_body;           /* bytes kept of a page we parse */
        size_t max_check_body;          /* bytes kept when only checking a link */
        xj_day today;
        int hidden_offset_px;           /* html_options: what counts as hidden */
        int hidden_tiny_px;
};

enum site_fetch_kind {
        SITE_FETCH_HOMEPAGE = 0,
        SITE_FETCH_COLUMN,              /* the column's own URL */
        SITE_FETCH_LIST,                /* a further page of a column list */
        SITE_FETCH_ARTICLE,             /* an item of a column list */
        SITE_FETCH_PAGE,                /* another page of the site, parsed */
        SITE_FETCH_CHECK,               /* a link that is only checked */
};
const char *site_fetch_kind_id(enum site_fetch_kind k);

/* How a link check or page fetch ended, as the dead-link rule sees it. */
enum site_link_verdict {
        LINK_OK = 0,
        LINK_DEAD,              /* 404, 403, 410: confirmed */
        LINK_SUSPECT,           /* timeouts, 5xx, DNS, connection and TLS errors, after retries */
};

/* One fetched URL, passed to on_fetch. Valid only during the call. */
struct site_fetch {
        const char *url;
        enum site_fetch_kind kind;
        int column;                     /* index in plan->columns, or -1 */
        int depth;
        const struct http_response *resp;
        int attempts;
        enum site_link_verdict verdict;
        const char *charset;            /* when decoded, else NULL */
        const struct html_page *page;   /* when parsed, else NULL */
        bool has_pubdate;               /* the page shows its own publication date */
        xj_day pubdate;
};

/* What the crawl learned about a column. */
struct site_column_result {
        bool fetched;                   /* the column page answered 2xx */
        long status;
        char *error;                    /* why it could not be fetched, or NULL */
        struct html_item *items;        /* the list across its pages, deduplicated by URL */
        size_t n_items;
        size_t list_pages;              /* list pages fetched, the first included */
        char *text;                     /* the column page's main text, without the
                                         * site's navigation, header and footer (capped) */
        char *title;
        bool has_pubdate;               /* the column page shows its own date (a single-page
                                         * column's 更新时间, its PubDate meta tag) */
        xj_day pubdate;
};

/* A link that failed (verdict DEAD or SUSPECT), with the first page that linked to it. */
struct site_broken_link {
        char *url;
        enum html_link_kind kind;       /* how the referrer linked it */
        enum url_scope scope;
        char *referrer;                 /* page URL */
        int referrer_column;            /* column of the referrer, or -1 (homepage etc.) */
        enum site_link_verdict verdict;
        long status;
        enum http_failure failure;
        char *error;
        int attempts;
};

struct site_stats {
        size_t fetched, parsed, checked, failed;
        size_t bytes;
        size_t skipped_cap;             /* URLs not fetched because max_pages was reached */
};

struct site_results {
        bool homepage_fetched;
        long homepage_status;
        char *homepage_error;
        struct html_item *homepage_items;   /* the homepage's dated links */
        size_t n_homepage_items;
        struct site_column_result *columns; /* one per plan column */
        struct site_broken_link *broken;
        size_t n_broken;
        struct site_stats stats;
        bool capped;                        /* max_pages stopped the crawl short */
};

struct site_crawl;

struct site_callbacks {
        void (*on_fetch)(const struct site_fetch *f, void *userdata);
        void (*on_done)(struct site_crawl *c, void *userdata);
        void *userdata;
};

int site_crawl_new(uv_loop_t *loop, struct http_engine *http, const struct site_plan *plan,
                   const struct site_callbacks *cb, struct site_crawl **ret);
/* Fetches in flight at once for this crawl (default 32); the engine's per-host cap still
 * applies underneath. */
void site_crawl_set_parallelism(struct site_crawl *c, size_t n);
/* Queues the homepage and the columns and starts fetching. */
int site_crawl_start(struct site_crawl *c);
/* Stops taking new work; in-flight fetches still complete, then on_done is called with
 * site_crawl_stopped() true. */
void site_crawl_stop(struct site_crawl *c);
bool site_crawl_stopped(const struct site_crawl *c);
const struct site_results *site_crawl_results(const struct site_crawl *c);
/* Accepts NULL. Must not be called from inside a callback of this crawl. */
void site_crawl_free(struct site_crawl *c);
