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

/* What the checks before it found, for the checks that judge counts (blank and overdue
 * columns): rule_checks_run() fills it as findings are emitted. */
struct rule_overdue {
        int news;               /* overdue columns of group news (动态要闻) */
        int notice;             /* overdue columns of group notice (通知公告、政策文件) */
        int any;                /* overdue 应更新 columns of any class, blank ones included */
        int blank;              /* 空白栏目 */
};
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
        /* Receives a warning for the operator (a year missing from the holiday calendar);
         * may be NULL. Same userdata. */
        void (*warn)(const char *message, void *userdata);
        /* The counts so far; set by rule_checks_run(), may be NULL otherwise. */
        const struct rule_overdue *overdue;
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
        void (*warn)(const char *message, void *userdata);     /* may be NULL */
        /* Where the content checks keep what they judge at the end of the scan; NULL
         * when nobody asks (those parts are then skipped). */
        struct content_scan *content;
};

struct rule_page_check {
        const char *const *rules;       /* the rule ids this check can report, NULL-ended */
        void (*run)(const struct page_check_context *ctx);
        /* It keeps something of each page in ctx->content for an end-of-scan check. */
        bool collects;
};

/* Ends with an entry whose rules is NULL. */
extern const struct rule_page_check rule_page_checks[];

/* Runs every page check on a parsed page. */
void rule_page_checks_run(const struct page_check_context *ctx);
/* Only the checks that collect: what a resumed scan runs again over the pages the killed
 * process had checked, with their findings dropped, to rebuild ctx->content. */
void rule_page_checks_collect(const struct page_check_context *ctx);

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

/* ---- time rules: annual columns, early warnings, publication deadline, interaction,
 * availability, and the site verdict ------------------------------------------------- */

void check_annual(const struct check_context *ctx);
/* blank_columns_warning / overdue_columns_warning from ctx->overdue; runs last. */
void check_counts(const struct check_context *ctx);
void check_publication(const struct page_check_context *ctx);
void check_interaction(const struct page_check_context *ctx);

/* True when a fetched column shows nothing (check_blank's test); *ret_placeholder (may be
 * NULL) gets the placeholder text it shows, or NULL. */
bool rule_column_is_blank(const struct rule_settings *set, const struct site_column_result *res,
                          const char **ret_placeholder);

/* Adds a violation of one of the column rules (column_stale, column_annual_stale,
 * annual_report_missing, column_blank) to the counts, by the class of the column whose URL
 * is subject; other rules and warnings are not counted. */
void rule_overdue_add(struct rule_overdue *o, const struct rule_site *site, const char *rule,
                      enum finding_kind kind, const char *subject);

/* Working days in (from, to] by the calendar in rules.d. A year in the range that the
 * calendar lacks is counted Monday to Friday, and warn (may be NULL) is told so. */
int rule_workday_count(const struct rule_config *c, xj_day from, xj_day to,
                       void (*warn)(const char *message, void *userdata), void *userdata);

/* 站点无法访问: the availability rule over the probes of a window. */
struct rule_availability {
        int64_t probes, failures;
        int window_days;
};
enum rule_availability_state {
        AVAILABILITY_OK = 0,
        AVAILABILITY_TOO_FEW,           /* fewer probes than min_probes: not judged */
        AVAILABILITY_WARNING,           /* failures above warn_percent */
        AVAILABILITY_VETO,              /* failures at or above veto_percent */
};
enum rule_availability_state rule_availability_judge(const struct rule_settings *set,
                                                     const struct rule_availability *a);
/* Emits site_unavailable or site_unavailable_warning for a site's window, or nothing. */
void check_availability(const struct rule_config *config, const struct rule_site *site,
                        const struct rule_availability *a,
                        void (*emit)(const struct store_finding *f, void *userdata),
                        void *userdata);
/* The rule ids check_availability() can report, NULL-ended: what a probe scan reconciles. */
extern const char *const rule_probe_rules[];

/* The serious findings of these rules are the verdict's 严重表述错误 (the dictionary's);
 * NULL-ended. */
extern const char *const rule_serious_wording_rules[];
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
/* Page checks: 错敏字 (dictionary and patterns) and 个人信息 (identity and mobile numbers). */
void check_dictionary(const struct page_check_context *ctx);
/* The words kept from the site's template or link text: one finding each for the site. */
void check_dictionary_end(const struct check_context *ctx);
void check_personal_data(const struct page_check_context *ctx);

/* Appends to out the sentence of text[0..len) around text[start..end): back to the previous
 * sentence end (。！？；…) and forward past the next one, at most max_chars characters each
 * way, with "…" where it was cut. Never splits a UTF-8 character. */
void rule_text_context(const char *text, size_t len, size_t start, size_t end, int max_chars,
                       struct buf *out);

/* True when s (18 characters) is a valid resident identity number (GB 11643): a known
 * province, a birth date from 1900 to today, and the right check character. */
bool rule_id_card_valid(const char *s, xj_day today);
/* Content checks: the per-page part, and the end-of-scan part where there is one. */
void check_hidden_links(const struct page_check_context *ctx);
void check_page_tags(const struct page_check_context *ctx);
void check_page_tags_end(const struct check_context *ctx);
void check_guides(const struct page_check_context *ctx);
void check_guides_end(const struct check_context *ctx);
void check_interpretation(const struct page_check_context *ctx);
void check_interpretation_end(const struct check_context *ctx);
/* Crawl findings: certificate failures (tls_invalid), pages over the body cap. */
void check_tls(const struct check_context *ctx);
void check_page_size(const struct check_context *ctx);
