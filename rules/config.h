/* rules.d: the office's configuration — responsible units, column classes and their
 * update periods, the sites and their columns, and the settings (thresholds, timeouts,
 * caps). YAML files read in file-name order; a later file overrides an earlier one:
 * units, classes and sites by their key (the whole entry is replaced), settings key by
 * key. Every error is reported as "file:line:col: message". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/util.h"

struct rule_unit {
        char *id;               /* its key in rules.d */
        char *name;             /* 责任单位, e.g. "区发改委" */
        struct strv emails;
};

/* Which veto count a class of column contributes to (DOMAIN.md, 栏目不更新). */
enum rule_class_group {
        CLASS_GROUP_NEWS = 0,   /* 动态/要闻: counts toward the "≥ 5 news+notice" veto */
        CLASS_GROUP_NOTICE = 1, /* 通知公告/政策文件: same count */
        CLASS_GROUP_OTHER = 2,  /* other 应更新 columns: the "≥ 10 of any class" veto */
};

struct rule_class {
        char *id;
        char *name;
        int max_age_days;       /* longest allowed gap since the newest item; 0 for annual */
        int warn_lead_days;     /* early warning this many days before max_age_days */
        enum rule_class_group group;
        /* Annual classes (区情概况, 领导之窗...): must show an update dated this year once
         * the deadline (month, day) of the year has passed. */
        bool annual;
        int annual_month, annual_day;
};

struct rule_column {
        char *name;             /* 栏目名称 */
        char *url;              /* absolute, resolved against the site's base_url */
        const struct rule_class *cls;
        const struct rule_unit *unit;
        char *item_selector;    /* CSS subset or XPath ("//..."), NULL to detect the list */
        char *file;             /* where it was defined, for messages */
        int line;
};

struct rule_site {
        char *id;
        char *name;
        char *base_url;         /* absolute, ends in "/" */
        char *homepage;         /* absolute */
        const struct rule_unit *unit;   /* responsible for the homepage and site-wide problems */
        /* "enabled: false" in rules.d: the site is loaded, validated and found by
         * rule_config_site(), but a scan of every site should skip it (the shipped
         * example, a site still being written). Default true. */
        bool enabled;
        /* Crawl: "ignore_robots: true" for the office's own portal, whose robots.txt is
         * written for search engines; "allow_internal_hosts": host names of this site's
         * crawl that may resolve to loopback, private or link-local addresses (an
         * intranet portal); every other such connection is refused. */
        bool ignore_robots;
        struct strv internal_hosts;
        struct rule_column *columns;
        size_t n_columns;
        char *file;
        int line;
};

struct rule_settings {
        /* http */
        long connect_timeout_ms;
        long timeout_ms;
        long max_body_bytes;
        int max_redirects;
        int max_connections;            /* in flight, all hosts */
        int max_host_connections;       /* in flight, per host */
        int retries;                    /* extra attempts for transient failures */
        char *user_agent;
        long host_delay_ms;             /* between two request starts on one host */
        long max_retry_after_ms;        /* longest Retry-After (429/503) honoured */
        /* crawl caps */
        int max_pages;                  /* URLs fetched per site and scan */
        int max_depth;                  /* 0 homepage, 1 columns and their list pages, 2 articles */
        int max_list_pages;             /* list pages followed per column */
        int max_links_per_page;
        int max_url_length;
        int max_urls_per_path;          /* query-string variants of one path followed */
        int resume_within_h;            /* an interrupted scan younger than this resumes */
        /* thresholds (DOMAIN.md) */
        int homepage_max_age_days;      /* 14 */
        int homepage_warn_days;         /* 10 */
        int blank_warn;                 /* 2 */
        int blank_veto;                 /* 5 */
        int overdue_news_veto;          /* 5 */
        int overdue_any_veto;           /* 10 */
        struct strv blank_placeholders; /* "暂无信息", "暂无内容", ... */
        struct strv soft404_titles;     /* error-page titles: "页面不存在", "404", ... */
};

struct rule_config {
        struct rule_unit *units;
        size_t n_units;
        struct rule_class *classes;
        size_t n_classes;
        struct rule_site *sites;
        size_t n_sites;
        struct rule_settings settings;
        struct strv files;              /* the files read, in order */
};

/* Loads every *.yaml / *.yml file in dir, in byte order of file name, merges them and
 * validates the result. On success *ret is the configuration (free with
 * rule_config_free) and 0 is returned. On failure returns -ENOENT (dir missing or holds no
 * rules file) or -EINVAL (invalid), and appends one "file:line:col: message" per problem
 * to errors (which the caller owns); nothing is returned in *ret then. Validation covers:
 * YAML syntax, unknown keys, wrong types, out-of-range numbers, unknown class or unit
 * references, duplicate column URLs within a site, bad URLs, missing required keys
 * (including every threshold in settings). A rules file that cannot be read is reported
 * the same way and gives -EIO once every file has been looked at; a directory that
 * exists but cannot be opened gives its errno (-EACCES...). */
int rule_config_load(const char *dir, struct rule_config **ret, struct strv *errors);
void rule_config_free(struct rule_config *c);

/* Looks a site up by id or by name; NULL when there is none. */
const struct rule_site *rule_config_site(const struct rule_config *c, const char *id_or_name);
const struct rule_unit *rule_config_unit(const struct rule_config *c, const char *id_or_name);
