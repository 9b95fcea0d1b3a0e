/* rules.d: the office's configuration — responsible units, column classes and their
 * update periods, the sites and their columns, and the settings (thresholds, timeouts,
 * caps). YAML files read in file-name order; a later file overrides an earlier one:
 * units, classes and sites by their key (the whole entry is replaced), settings key by
 * key. Every error is reported as "file:line:col: message". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/finding.h"
#include "common/util.h"
#include "common/workdays.h"
#include "common/xtime.h"
#include "rules/regex.h"

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
        /* A consultation column (政务咨询, 领导信箱): its list shows each message's date and
         * the reply's, which the interaction rule (互动回应) reads. */
        bool interaction;
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
        /* The portal's page of its new-media accounts (政务新媒体矩阵), absolute, or NULL:
         * the accounts it links to are compared with the ledger. */
        char *media_page;
        /* Crawl: "ignore_robots: true" for the office's own portal, whose robots.txt is
         * written for search engines; "allow_internal_hosts": host names of this site's
         * crawl that may resolve to loopback, private or link-local addresses (an
         * intranet portal); every other such connection is refused. */
        bool ignore_robots;
        struct strv internal_hosts;
        struct rule_column *columns;
        size_t n_columns;
        /* Pages whose URL matches are service guides (办事指南), besides the articles of
         * the columns of a settings.guides.classes class; NULL when not set. */
        struct rule_regex *guide_pages;
        char *file;
        int line;
};

/* ---- the new-media ledger (政务新媒体台账), rules/config_accounts.c -------------------- */

enum rule_account_type {
        ACCOUNT_WECHAT = 0,     /* 微信公众号 */
        ACCOUNT_CHANNELS,       /* 微信视频号 */
        ACCOUNT_DOUYIN,         /* 抖音号 */
        ACCOUNT_WEIBO,          /* 微博 */
        ACCOUNT_MINIPROGRAM,    /* 小程序 */
        ACCOUNT_OTHER,          /* 其他 */
        N_ACCOUNT_TYPES,
};
/* "wechat", ...; and the Chinese name, "微信公众号", ... */
const char *rule_account_type_id(enum rule_account_type t);
const char *rule_account_type_label(enum rule_account_type t);

struct rule_account {
        char *id;                       /* its key in rules.d */
        char *name;                     /* "阎良教育" */
        enum rule_account_type type;
        const struct rule_unit *unit;   /* 主办单位 */
        bool closed;                    /* 注销 (filed as closed); false: 备案 */
        bool has_closed_day;
        xj_day closed_day;              /* when it was closed, if the ledger says */
        char *url;                      /* the account's own page, normalised, or NULL */
        char *feed_url;                 /* where its posts are read, or NULL */
        char *feed_format;              /* "rss", "atom", "json", "html" */
        char *feed_items;               /* html: item selector, or NULL to detect */
        int max_age_days;               /* its own, else its type's setting */
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
        /* time rules (DOMAIN.md) */
        int overdue_warn;               /* 6: 预警 when this many columns are overdue */
        int serious_errors_max;         /* 3: more serious wording errors is a veto */
        int publish_max_workdays;       /* 20: 成文日期 → 发布日期 */
        int reply_max_months;           /* 3: a valid message unanswered longer is a veto */
        int reply_simple_workdays;      /* 5: simple questions answered within */
        int interaction_window_days;    /* 365: messages of the last year */
        /* availability probes (站点无法访问) */
        long probe_timeout_ms;          /* 15 s */
        int probes_per_day;             /* 20, spread over the day by the daemon */
        int probe_window_days;          /* 7 */
        int probe_min_probes;           /* 20: fewer in the window are not judged */
        int probe_warn_percent;         /* 3: 预警 above */
        int probe_veto_percent;         /* 5: veto at or above */
        /* new media (settings.media) */
        int media_max_age_days[N_ACCOUNT_TYPES];      /* by enum rule_account_type: 14 */
        int media_max_feed_items;       /* items read per feed */
        struct strv media_platform_hosts;       /* hosts whose links are accounts */
        /* 错敏字 (settings.dictionary) */
        long regex_match_limit;         /* pcre2_set_match_limit() per search */
        long regex_depth_limit;         /* pcre2_set_depth_limit() per search */
        int evidence_hits;              /* hits of one entry on a page kept as evidence */
        int context_chars;              /* characters kept on each side of a hit, at most */

        /* 暗链 hidden links (check_hidden_links.c, crawler/html_style.c) */
        int hidden_offset_px;           /* 500: moved this far off the page is hidden */
        int hidden_tiny_px;             /* 3: a box or marquee this small is invisible */
        struct strv hidden_link_words;  /* gambling and adult vocabulary */
        struct strv trusted_hosts;      /* gov.cn: hosts (and their subdomains) that are
                                         * not 域外 for hidden links */
        /* 网页标签 page tags and footer (check_page_tags.c) */
        struct strv site_metas;         /* on every page: SiteName, SiteDomain, SiteIDCode */
        struct strv article_metas;      /* on article pages: ColumnName, ArticleTitle... */
        struct rule_regex *site_id_code;        /* a valid SiteIDCode */
        struct rule_regex *footer_site_id;      /* 网站标识码 in the homepage's text */
        struct rule_regex *footer_icp;          /* ICP备案号 */
        struct rule_regex *footer_police;       /* 公安备案号 */
        /* 办事指南 service guides (check_guides.c) */
        struct strv guide_classes;      /* class ids whose columns hold guides */
        struct strv guide_elements;     /* "办理材料|申请材料": an element and its synonyms */
        struct strv guide_placeholders; /* values that say nothing: 无, 暂无, 待定... */
        struct strv guide_none_allowed; /* elements for which "无" is an answer */
        struct strv guide_form_words;   /* link texts that name a form: 表, 模板... */
        /* 政策解读 policy interpretation (check_interpretation.c) */
        struct strv policy_classes;     /* class ids whose articles are policy documents */
        struct strv interpretation_words;       /* 解读: in a title or a column name */
        struct strv multiform_words;    /* 图解, 一图读懂, 视频解读... in a title */
        struct strv video_hosts;        /* hosts whose embedded player means a video */
        int graphic_min_images;         /* 2: images that make an interpretation graphic */
        int multiform_min_percent;      /* 50: seed 001 */
        struct strv soft404_titles;     /* error-page titles: "页面不存在", "404", ... */
};

/* tickets: the 三单 chain (config_notify.c). */
enum rule_day_type {
        DAY_TYPE_CALENDAR = 0,          /* 自然日 */
        DAY_TYPE_WORKING = 1,           /* 工作日, by the holidays calendar */
};

struct rule_tickets {
        char *number_prefix;            /* "区政务公开办" */
        /* "{prefix}〔{year}〕{kind}第{seq}号": {kind} is 办理单/提醒单/催办单, {seq} is
         * zero-padded to number_digits. */
        char *number_format;
        int number_digits;
        int handling_days;              /* 办理单 deadline after issue */
        /* How handling_days, reminder_lead_days and urging_interval_days are counted. */
        enum rule_day_type day_type;
        int reminder_lead_days;         /* 提醒单 this many days before the deadline; 0: none */
        int urging_interval_days;       /* a 催办单 again after this many days */
        /* The office that supervises (政务公开办): copied on urging orders, and sent the
         * summary of all units. */
        const struct rule_unit *supervisor;
};

/* mail: the nightly email (config_notify.c). */
enum rule_starttls {
        STARTTLS_REQUIRED = 0,          /* refuse to send unless STARTTLS succeeds */
        STARTTLS_NONE = 1,              /* plain SMTP, for a relay on the same host */
};

struct rule_mail {
        char *host;
        int port;
        enum rule_starttls starttls;
        char *ca_file;                  /* CA bundle to trust (a private mail server), or NULL */
        char *user;                     /* NULL: no authentication */
        char *password_file;            /* the password is read from this file, or */
        char *password_env;             /* from this environment variable; never from YAML */
        char *from_address;
        char *from_name;                /* display name, e.g. 区政府政务公开办 */
        int send_hour, send_minute;     /* when the daemon sends the nightly email */
        long timeout_ms;                /* whole SMTP conversation of one message */
        int max_attempts;               /* temporary failures before giving up on a message */
        int max_rows;                   /* tickets listed in a message body (all are in the CSV) */
};

/* office: the issuing office (政务公开办) and what its reports show (config_office.c). */
struct rule_key_column {
        const struct rule_site *site;   /* resolved once every file is read */
        const struct rule_column *column;
        char *area;             /* 栏目领域 ("三大领域", "五公开"), or NULL */
        int min_monthly;        /* items the column must publish each month */
        /* As written, for messages and for the resolution: */
        char *site_id;          /* NULL: every site with a column of that name */
        char *column_name;
        char *file;
        int line, col;
};

struct rule_office {
        bool present;           /* false when no rules file has an "office" key */
        char *name;             /* 签发单位, signs the 单 and the 通报: "区政府政务公开办" */
        char *issuer;           /* 发文机关, the red header: "某某区人民政府政务公开办公室" */
        char *contact;          /* 联系人及电话, or NULL */
        char *cc;               /* 抄送 of a 催办单 (the supervising office), or NULL */
        int screen_seconds;     /* big screen: seconds each unit stays shown */
        int screen_refresh_s;   /* big screen: the page reloads itself this often */
        /* 重点栏目 (seed 000 附件1): the monthly roll, one row per (site, column). */
        struct rule_key_column *key_columns;
        size_t n_key_columns;
};

/* ---- 错敏字: the dictionary and the PCRE2 patterns (rules/config_dict.c) ---------------
 * Top-level keys "dictionary" and "patterns" of rules.d (docs/rules.md). */

/* The classes of DOMAIN.md; ids as written in rules.d. */
enum rule_word_class {
        WORD_LEADER = 0,                /* leader: 领导人姓名职务 */
        WORD_STATE_BODY,                /* state_body: 国家机构名称 */
        WORD_DIVISION,                  /* division: 行政区划名称 */
        WORD_POLITICAL_PHRASE,          /* political_phrase: 时政短语 */
        WORD_TYPO,                      /* typo: 常见错别字 */
        WORD_SENSITIVE,                 /* sensitive: 敏感词 */
        WORD_OBSOLETE_NAME,             /* obsolete_name: 过时名称 */
        WORD_DISMISSED_OFFICIAL,        /* dismissed_official: 落马官员 */
        N_WORD_CLASSES,
};
const char *rule_word_class_id(enum rule_word_class c);
const char *rule_word_class_label(enum rule_word_class c);
/* The rule id a hit of this class is reported under: wrong_word, obsolete_name or
 * sensitive_word. */
const char *rule_word_class_rule(enum rule_word_class c);

struct rule_word {
        char *wrong;                    /* the text that must not appear */
        struct strv right;              /* suggestions; empty only for sensitive classes */
        enum rule_word_class cls;
        enum severity severity;
        /* Longer texts that contain wrong and are correct: a hit inside one of them is no
         * error ("一网通办" for a "网通" entry...). */
        struct strv except;
        bool has_wrong_from;            /* obsolete names: wrong only from this day on */
        xj_day wrong_from;
        char *note;                     /* why, for people; may be NULL */
        char *file;                     /* where it was defined */
        int line;
};

struct rule_pattern {
        char *id;
        char *source;                   /* the PCRE2 pattern as written */
        void *code;                     /* pcre2_code *, compiled with PCRE2_UTF */
        bool jit;                       /* JIT-compiled (else the interpreter runs it) */
        struct strv prefilter;          /* literals; the pattern runs where one occurs */
        struct strv right;
        enum rule_word_class cls;
        enum severity severity;
        char *message;                  /* what is wrong, for people; may be NULL */
        char *file;
        int line;
};

struct dict;

struct rule_dictionary {
        struct rule_word *words;
        size_t n_words;
        struct rule_pattern *patterns;
        size_t n_patterns;
        /* Every word's wrong text with id = its index, and every prefilter literal with
         * id = n_words + its pattern's index. Built once by the loader, read-only. */
        struct dict *matcher;
};

/* Frees what the dictionary holds and leaves it empty. */
void rule_dictionary_clear(struct rule_dictionary *d);

struct rule_config {
        struct rule_unit *units;
        size_t n_units;
        struct rule_class *classes;
        size_t n_classes;
        struct rule_site *sites;
        size_t n_sites;
        struct rule_settings settings;
        /* holidays: the state calendar by year (国务院办公厅 notices), for every count
         * of working days. */
        struct workday_calendar holidays;
        /* accounts: the new-media ledger, in the order written. */
        struct rule_account *accounts;
        size_t n_accounts;
        struct rule_tickets tickets;
        struct rule_mail mail;
        struct rule_office office;
        struct rule_dictionary dictionary;
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
/* Appends to ret (no duplicates) the allow_internal_hosts of sites[0..n), or of every site
 * when sites is NULL: what an HTTP engine shared by several sites may connect to (the
 * availability probes; the new-media feeds, which rules.d names as it names the sites). */
void rule_config_internal_hosts(const struct rule_config *c, const struct rule_site *const *sites,
                                size_t n, struct strv *ret);
/* The ledger account with this id, or NULL. */
const struct rule_account *rule_config_account(const struct rule_config *c, const char *id);
