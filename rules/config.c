/* rules.d loader: reads the YAML files of a rules directory with libfyaml's event parser,
 * merges them in file-name order and validates the result into a struct rule_config. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfyaml.h>

#include "crawler/url.h"
#include "rules/config.h"
#include "rules/config_internal.h"

/* A rules file is written by hand; anything this big is a mistake (a database dump copied
 * into rules.d), and reading it whole must not cost much memory. */
#define RULES_FILE_MAX (4 * 1024 * 1024)
/* One broken file can produce an error per line; past this many, more help nobody. */
#define RULES_ERRORS_MAX 1000
/* libfyaml stops at its own depth limit (64) before this; the loader's schema is 5 deep. */
#define YAML_DEPTH_MAX 128
/* Only used to validate URLs when settings.crawl.max_url_length is itself missing or
 * broken (which is reported): a sanity bound, not a crawl cap. */
#define URL_LENGTH_FALLBACK 65536

struct anchor {
        char *name;
        struct ynode *node;
};

struct ydoc {
        struct ynode *root;
        struct ynode *all;
        struct anchor *anchors;
        size_t n_anchors;
};

/* The definitions of the files read so far; references (class, unit) and URLs are resolved
 * only once every file is merged, so they are kept as written with their place. */
struct unit_def {
        struct rule_unit u;
        struct pos at;
};

struct class_def {
        struct rule_class c;
        struct pos at;
};

struct column_def {
        char *name;
        char *url;
        char *cls;
        char *unit;
        char *items;
        struct pos at, url_at, cls_at, unit_at;
};

struct site_def {
        char *id;
        char *name;
        char *base_url;
        char *homepage;
        char *unit;
        bool enabled;
        char *media_page;
        bool ignore_robots;
        struct strv internal_hosts;
        struct pos at, base_at, homepage_at, unit_at, media_page_at;
        struct column_def *cols;
        size_t n_cols;
        char *guide_pages;
        struct pos guide_pages_at;
};

/* settings: every leaf is described once here; the table drives parsing, the "allowed
 * keys" lists, the leaf-by-leaf merge and the check that each leaf is set somewhere. */
enum setting_section {
        SEC_ROOT = 0, /* settings itself */
        SEC_HTTP,
        SEC_CRAWL,
        SEC_THRESHOLDS,
        SEC_PROBE,
        SEC_MEDIA,
        SEC_DICTIONARY,
        SEC_HIDDEN_LINKS,
        SEC_PAGE_TAGS,
        SEC_GUIDES,
        SEC_INTERPRETATION,
        N_SECTIONS,
};

static const char *const section_names[N_SECTIONS] = {
    [SEC_ROOT] = NULL,
    [SEC_HTTP] = "http",
    [SEC_CRAWL] = "crawl",
    [SEC_THRESHOLDS] = "thresholds",
    [SEC_PROBE] = "probe",
    [SEC_MEDIA] = "media",
    [SEC_DICTIONARY] = "dictionary",
    [SEC_HIDDEN_LINKS] = "hidden_links",
    [SEC_PAGE_TAGS] = "page_tags",
    [SEC_GUIDES] = "guides",
    [SEC_INTERPRETATION] = "interpretation",
};

enum setting_kind {
        SET_INT,     /* int field */
        SET_LONG,    /* long field */
        SET_SECONDS, /* written in seconds, kept in a long of milliseconds */
        SET_STRING,  /* char * field: one line of printable text */
        SET_STRV,    /* struct strv field: a list of strings */
    SET_REGEX,   /* struct rule_regex * field: a regular expression, compiled on load */
};

struct setting_desc {
        enum setting_section section;
        const char *key;
        enum setting_kind kind;
        size_t offset;
        long min, max;
};

#define S_OFF(field) offsetof(struct rule_settings, field)

/* The bounds only keep values sane (no zero timeouts, no overflow); the defaults live in
 * rules.d/00-national.yaml. */
static const struct setting_desc settings_table[] = {
    {SEC_HTTP, "connect_timeout_s", SET_SECONDS, S_OFF(connect_timeout_ms), 1, 3600},
    {SEC_HTTP, "timeout_s", SET_SECONDS, S_OFF(timeout_ms), 1, 3600},
    {SEC_HTTP, "max_body_bytes", SET_LONG, S_OFF(max_body_bytes), 1024, 1L << 30},
    {SEC_HTTP, "max_redirects", SET_INT, S_OFF(max_redirects), 0, 50},
    {SEC_HTTP, "max_connections", SET_INT, S_OFF(max_connections), 1, 1024},
    {SEC_HTTP, "max_host_connections", SET_INT, S_OFF(max_host_connections), 1, 256},
    {SEC_HTTP, "retries", SET_INT, S_OFF(retries), 0, 10},
    {SEC_HTTP, "user_agent", SET_STRING, S_OFF(user_agent), 0, 0},
    {SEC_HTTP, "host_delay_ms", SET_LONG, S_OFF(host_delay_ms), 0, 60000},
    {SEC_HTTP, "max_retry_after_s", SET_SECONDS, S_OFF(max_retry_after_ms), 1, 3600},
    {SEC_CRAWL, "max_pages", SET_INT, S_OFF(max_pages), 1, 10000000},
    {SEC_CRAWL, "max_depth", SET_INT, S_OFF(max_depth), 0, 50},
    {SEC_CRAWL, "max_list_pages", SET_INT, S_OFF(max_list_pages), 1, 10000},
    {SEC_CRAWL, "max_links_per_page", SET_INT, S_OFF(max_links_per_page), 1, 1000000},
    {SEC_CRAWL, "max_url_length", SET_INT, S_OFF(max_url_length), 64, 65536},
    {SEC_CRAWL, "max_urls_per_path", SET_INT, S_OFF(max_urls_per_path), 1, 10000000},
    {SEC_CRAWL, "resume_within_h", SET_INT, S_OFF(resume_within_h), 0, 720},
    {SEC_THRESHOLDS, "homepage_max_age_days", SET_INT, S_OFF(homepage_max_age_days), 1, 3650},
    {SEC_THRESHOLDS, "homepage_warn_days", SET_INT, S_OFF(homepage_warn_days), 1, 3650},
    {SEC_THRESHOLDS, "blank_warn", SET_INT, S_OFF(blank_warn), 1, 100000},
    {SEC_THRESHOLDS, "blank_veto", SET_INT, S_OFF(blank_veto), 1, 100000},
    {SEC_THRESHOLDS, "overdue_news_veto", SET_INT, S_OFF(overdue_news_veto), 1, 100000},
    {SEC_THRESHOLDS, "overdue_any_veto", SET_INT, S_OFF(overdue_any_veto), 1, 100000},
    {SEC_ROOT, "blank_placeholders", SET_STRV, S_OFF(blank_placeholders), 0, 0},
    {SEC_THRESHOLDS, "overdue_warn", SET_INT, S_OFF(overdue_warn), 1, 100000},
    {SEC_THRESHOLDS, "serious_errors_max", SET_INT, S_OFF(serious_errors_max), 0, 100000},
    {SEC_THRESHOLDS, "publish_max_workdays", SET_INT, S_OFF(publish_max_workdays), 1, 3650},
    {SEC_THRESHOLDS, "reply_max_months", SET_INT, S_OFF(reply_max_months), 1, 120},
    {SEC_THRESHOLDS, "reply_simple_workdays", SET_INT, S_OFF(reply_simple_workdays), 1, 3650},
    {SEC_THRESHOLDS, "interaction_window_days", SET_INT, S_OFF(interaction_window_days), 1, 3650},
    {SEC_PROBE, "timeout_s", SET_SECONDS, S_OFF(probe_timeout_ms), 1, 3600},
    {SEC_PROBE, "per_day", SET_INT, S_OFF(probes_per_day), 1, 1440},
    {SEC_PROBE, "window_days", SET_INT, S_OFF(probe_window_days), 1, 366},
    {SEC_PROBE, "min_probes", SET_INT, S_OFF(probe_min_probes), 1, 1000000},
    {SEC_PROBE, "warn_percent", SET_INT, S_OFF(probe_warn_percent), 0, 100},
    {SEC_PROBE, "veto_percent", SET_INT, S_OFF(probe_veto_percent), 1, 100},
    {SEC_MEDIA, "wechat_max_age_days", SET_INT, S_OFF(media_max_age_days[ACCOUNT_WECHAT]), 1, 3650},
    {SEC_MEDIA, "channels_max_age_days", SET_INT, S_OFF(media_max_age_days[ACCOUNT_CHANNELS]), 1, 3650},
    {SEC_MEDIA, "douyin_max_age_days", SET_INT, S_OFF(media_max_age_days[ACCOUNT_DOUYIN]), 1, 3650},
    {SEC_MEDIA, "weibo_max_age_days", SET_INT, S_OFF(media_max_age_days[ACCOUNT_WEIBO]), 1, 3650},
    {SEC_MEDIA, "miniprogram_max_age_days", SET_INT, S_OFF(media_max_age_days[ACCOUNT_MINIPROGRAM]), 1, 3650},
    {SEC_MEDIA, "other_max_age_days", SET_INT, S_OFF(media_max_age_days[ACCOUNT_OTHER]), 1, 3650},
    {SEC_MEDIA, "max_feed_items", SET_INT, S_OFF(media_max_feed_items), 1, 100000},
    {SEC_MEDIA, "platform_hosts", SET_STRV, S_OFF(media_platform_hosts), 0, 0},
    {SEC_DICTIONARY, "regex_match_limit", SET_LONG, S_OFF(regex_match_limit), 100, 100000000},
    {SEC_DICTIONARY, "regex_depth_limit", SET_LONG, S_OFF(regex_depth_limit), 10, 10000000},
    {SEC_DICTIONARY, "evidence_hits", SET_INT, S_OFF(evidence_hits), 1, 100},
    {SEC_DICTIONARY, "context_chars", SET_INT, S_OFF(context_chars), 10, 1000},
    {SEC_HIDDEN_LINKS, "offset_px", SET_INT, S_OFF(hidden_offset_px), 1, 1000000},
    {SEC_HIDDEN_LINKS, "tiny_px", SET_INT, S_OFF(hidden_tiny_px), 0, 100},
    {SEC_HIDDEN_LINKS, "words", SET_STRV, S_OFF(hidden_link_words), 0, 0},
    {SEC_HIDDEN_LINKS, "trusted_hosts", SET_STRV, S_OFF(trusted_hosts), 0, 0},
    {SEC_PAGE_TAGS, "site_metas", SET_STRV, S_OFF(site_metas), 0, 0},
    {SEC_PAGE_TAGS, "article_metas", SET_STRV, S_OFF(article_metas), 0, 0},
    {SEC_PAGE_TAGS, "site_id_code", SET_REGEX, S_OFF(site_id_code), 0, 0},
    {SEC_PAGE_TAGS, "footer_site_id", SET_REGEX, S_OFF(footer_site_id), 0, 0},
    {SEC_PAGE_TAGS, "footer_icp", SET_REGEX, S_OFF(footer_icp), 0, 0},
    {SEC_PAGE_TAGS, "footer_police", SET_REGEX, S_OFF(footer_police), 0, 0},
    {SEC_GUIDES, "classes", SET_STRV, S_OFF(guide_classes), 0, 0},
    {SEC_GUIDES, "elements", SET_STRV, S_OFF(guide_elements), 0, 0},
    {SEC_GUIDES, "placeholders", SET_STRV, S_OFF(guide_placeholders), 0, 0},
    {SEC_GUIDES, "none_allowed", SET_STRV, S_OFF(guide_none_allowed), 0, 0},
    {SEC_GUIDES, "form_words", SET_STRV, S_OFF(guide_form_words), 0, 0},
    {SEC_INTERPRETATION, "policy_classes", SET_STRV, S_OFF(policy_classes), 0, 0},
    {SEC_INTERPRETATION, "title_words", SET_STRV, S_OFF(interpretation_words), 0, 0},
    {SEC_INTERPRETATION, "multiform_words", SET_STRV, S_OFF(multiform_words), 0, 0},
    {SEC_INTERPRETATION, "video_hosts", SET_STRV, S_OFF(video_hosts), 0, 0},
    {SEC_INTERPRETATION, "graphic_min_images", SET_INT, S_OFF(graphic_min_images), 1, 1000},
    {SEC_INTERPRETATION, "multiform_min_percent", SET_INT, S_OFF(multiform_min_percent), 0, 100},
    {SEC_ROOT, "soft404_titles", SET_STRV, S_OFF(soft404_titles), 0, 0},
};

#define N_SETTINGS ARRAY_SIZE(settings_table)

struct loader {
        const char *dir;
        struct strv *errors;
        size_t n_errors;
        bool io_error;
        struct rule_config *cfg; /* being built; its files own the file names */

        struct unit_def *units;
        size_t n_units;
        struct class_def *classes;
        size_t n_classes;
        struct site_def *sites;
        size_t n_sites;
        struct accounts_loader *accounts;
        struct dict_pending *dict_pending;      /* config_dict.c's, until built */

        bool setting_set[N_SETTINGS];
        struct pos setting_at[N_SETTINGS];
        /* Where each section was first written, to say where a missing leaf belongs. */
        bool section_seen[N_SECTIONS];
        struct pos section_at[N_SECTIONS];
        /* tickets and mail (config_notify.c). */
        void *notify;
};

void cfg_report(struct loader *l, struct pos at, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        l->n_errors++;
        if (l->n_errors > RULES_ERRORS_MAX + 1)
                return;
        if (l->n_errors == RULES_ERRORS_MAX + 1) {
                strv_push_take(l->errors, xasprintf("%s: too many errors, stopped reporting "
                                                    "after %d",
                                                    l->dir, RULES_ERRORS_MAX));
                return;
        }

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                abort();

        if (at.line > 0)
                strv_push_take(l->errors, xasprintf("%s:%d:%d: %s", at.file, at.line, at.col, msg));
        else
                strv_push_take(l->errors, xasprintf("%s: %s", at.file, msg));
}

/* ---- YAML tree ---------------------------------------------------------------------- */

static void ydoc_free(struct ydoc *d)
{
        struct ynode *n, *next;

        for (n = d->all; n; n = next) {
                next = n->next;
                free(n->text);
                free(n->kids);
                free(n);
        }
        for (size_t i = 0; i < d->n_anchors; i++)
                free(d->anchors[i].name);
        free(d->anchors);
        *d = (struct ydoc){0};
}

static struct ynode *ynode_new(struct ydoc *d, enum ykind kind, struct pos pos)
{
        struct ynode *n = xcalloc(1, sizeof(*n));

        n->kind = kind;
        n->pos = pos;
        n->next = d->all;
        d->all = n;
        return n;
}

static void ynode_add(struct ynode *parent, struct ynode *kid)
{
        if (parent->n_kids == parent->cap_kids) {
                parent->cap_kids = parent->cap_kids ? parent->cap_kids * 2 : 8;
                parent->kids = xreallocarray(parent->kids, parent->cap_kids, sizeof(*parent->kids));
        }
        parent->kids[parent->n_kids++] = kid;
}

static void anchor_set(struct ydoc *d, const char *name, struct ynode *node)
{
        /* A later anchor of the same name hides the earlier one, as YAML says. */
        for (size_t i = 0; i < d->n_anchors; i++)
                if (streq(d->anchors[i].name, name)) {
                        d->anchors[i].node = node;
                        return;
                }
        d->anchors = xreallocarray(d->anchors, d->n_anchors + 1, sizeof(*d->anchors));
        d->anchors[d->n_anchors++] = (struct anchor){xstrdup(name), node};
}

static struct ynode *anchor_get(const struct ydoc *d, const char *name)
{
        for (size_t i = 0; i < d->n_anchors; i++)
                if (streq(d->anchors[i].name, name))
                        return d->anchors[i].node;
        return NULL;
}

static char *token_text(struct fy_token *t)
{
        const char *s;
        size_t len;

        if (!t)
                return NULL;
        s = fy_token_get_text(t, &len);
        return s ? xstrndup(s, len) : NULL;
}

/* The place of an event; the empty value of "key:" has none, so it takes its parent's
 * last key. Quoted scalars and aliases are moved back one column onto their quote or
 * "*", where a reader looks for them. */
static struct pos event_pos(struct fy_event *e, const char *file, struct ynode *parent)
{
        const struct fy_mark *m = fy_event_start_mark(e);
        struct pos p = {.file = file};

        if (m && m->line >= 0) {
                p.line = m->line + 1;
                p.col = m->column + 1;
                if (e->type == FYET_ALIAS && p.col > 1)
                        p.col--;
                if (e->type == FYET_SCALAR && p.col > 1) {
                        enum fy_scalar_style st = fy_token_scalar_style(e->scalar.value);
                        if (st == FYSS_SINGLE_QUOTED || st == FYSS_DOUBLE_QUOTED)
                                p.col--;
                }
                return p;
        }
        if (parent && parent->n_kids > 0)
                return parent->kids[parent->n_kids - 1]->pos;
        if (parent)
                return parent->pos;
        p.line = 1;
        p.col = 1;
        return p;
}

static bool scalar_has_nul(struct fy_token *t)
{
        size_t len = 0;
        const char *s = fy_token_get_text(t, &len);

        return s && memchr(s, '\0', len);
}

static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
        /* Errors are collected and reported with the file's name; nothing goes to stderr. */
}

/* Parses buf (len bytes of UTF-8) into d. Returns false when the file has YAML errors,
 * which are reported. */
static bool yaml_parse(struct loader *l, const char *file, const char *buf, size_t len,
                       struct ydoc *d)
{
        struct fy_diag_cfg dcfg;
        struct fy_diag *diag = NULL;
        struct fy_parser *fyp = NULL;
        struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET};
        struct ynode *stack[YAML_DEPTH_MAX];
        char *stack_anchor[YAML_DEPTH_MAX];
        size_t depth = 0;
        int n_docs = 0;
        bool ok = true;
        struct fy_event *e;

        fy_diag_cfg_default(&dcfg);
        dcfg.fp = NULL;
        dcfg.output_fn = diag_discard;
        dcfg.colorize = false;
        diag = fy_diag_create(&dcfg);
        if (!diag)
                abort();
        fy_diag_set_collect_errors(diag, true);
        pcfg.diag = diag;

        fyp = fy_parser_create(&pcfg);
        if (!fyp)
                abort();
        if (fy_parser_set_string(fyp, buf, len) != 0)
                abort();

        while (ok && (e = fy_parser_parse(fyp))) {
                struct ynode *parent = depth ? stack[depth - 1] : NULL;
                struct pos p = event_pos(e, file, parent);
                struct ynode *n = NULL;
                char *anchor = NULL;

                switch (e->type) {
                case FYET_DOCUMENT_START:
                        if (++n_docs > 1) {
                                cfg_report(l, p,
                                       "a rules file holds one YAML document; "
                                       "this is a second one");
                                ok = false;
                        }
                        break;
                case FYET_SCALAR:
                        n = ynode_new(d, Y_SCALAR, p);
                        n->text = token_text(e->scalar.value);
                        if (!n->text)
                                n->text = xstrdup("");
                        n->len = strlen(n->text);
                        n->plain = fy_token_scalar_style(e->scalar.value) == FYSS_PLAIN;
                        /* "\0" in a quoted string would cut every later use of it short. */
                        if (scalar_has_nul(e->scalar.value)) {
                                cfg_report(l, p, "a string must not contain a NUL character");
                                ok = false;
                        }
                        anchor = token_text(e->scalar.anchor);
                        if (anchor)
                                anchor_set(d, anchor, n);
                        free(anchor);
                        break;
                case FYET_SEQUENCE_START:
                case FYET_MAPPING_START:
                        n = ynode_new(d, e->type == FYET_MAPPING_START ? Y_MAP : Y_SEQ, p);
                        break;
                case FYET_ALIAS: {
                        _cleanup_free_ char *name = token_text(e->alias.anchor);
                        n = name ? anchor_get(d, name) : NULL;
                        if (!n) {
                                cfg_report(l, p, "alias '*%s' names no anchor defined before it",
                                       name ? name : "");
                                ok = false;
                        }
                        break;
                }
                default:
                        break;
                }

                if (ok && n) {
                        if (parent)
                                ynode_add(parent, n);
                        else
                                d->root = n;
                }
                if (ok && (e->type == FYET_SEQUENCE_START || e->type == FYET_MAPPING_START)) {
                        if (depth == YAML_DEPTH_MAX) {
                                cfg_report(l, p, "nested too deeply");
                                ok = false;
                        } else {
                                stack_anchor[depth] = token_text(e->type == FYET_MAPPING_START
                                                                     ? e->mapping_start.anchor
                                                                     : e->sequence_start.anchor);
                                stack[depth++] = n;
                        }
                }
                if ((e->type == FYET_SEQUENCE_END || e->type == FYET_MAPPING_END) && depth > 0) {
                        /* A collection's anchor is usable once the collection is complete,
                         * so an alias cannot make the tree a cycle. */
                        depth--;
                        if (stack_anchor[depth])
                                anchor_set(d, stack_anchor[depth], stack[depth]);
                        free(stack_anchor[depth]);
                }
                fy_parser_event_free(fyp, e);
        }
        while (depth > 0)
                free(stack_anchor[--depth]);

        if (fy_parser_get_stream_error(fyp)) {
                struct fy_diag_error *de;
                void *iter = NULL;
                int n_diag = 0;

                while ((de = fy_diag_errors_iterate(diag, &iter))) {
                        struct pos p = {file, de->line > 0 ? de->line : 1,
                                        de->column > 0 ? de->column : 1};
                        cfg_report(l, p, "YAML syntax error: %s", de->msg);
                        n_diag++;
                }
                if (n_diag == 0)
                        cfg_report(l, (struct pos){file, 0, 0}, "YAML syntax error");
                ok = false;
        }

        fy_parser_destroy(fyp);
        fy_diag_destroy(diag);
        return ok;
}

/* ---- values ------------------------------------------------------------------------- */

bool cfg_ynode_is_null(const struct ynode *n)
{
        return n->kind == Y_SCALAR && n->plain &&
               (n->len == 0 || streq(n->text, "~") || streq(n->text, "null") ||
                streq(n->text, "Null") || streq(n->text, "NULL"));
}

/* What was written, for "expected X (got Y)" messages; the caller frees it. */
char *cfg_describe(const struct ynode *n)
{
        size_t cut = 0;

        if (n->kind == Y_MAP)
                return xstrdup("a mapping");
        if (n->kind == Y_SEQ)
                return xstrdup("a list");
        if (cfg_ynode_is_null(n))
                return xstrdup("nothing");
        /* Cut long values at a character boundary so the message stays one short line. */
        while (cut < n->len && cut < 60) {
                cut++;
                while (cut < n->len && ((unsigned char)n->text[cut] & 0xc0) == 0x80)
                        cut++;
        }
        if (cut < n->len)
                return xasprintf("\"%.*s...\"", (int)cut, n->text);
        return xasprintf("\"%s\"", n->text);
}

void cfg_report_type(struct loader *l, const char *path, const struct ynode *n,
                        const char *expected)
{
        _cleanup_free_ char *got = cfg_describe(n);

        if (n->kind == Y_SCALAR && !n->plain && streq(expected, "an integer"))
                cfg_report(l, n->pos,
                       "%s: expected an integer (got the quoted string %s; "
                       "remove the quotes)",
                       path, got);
        else
                cfg_report(l, n->pos, "%s: expected %s (got %s)", path, expected, got);
}

bool cfg_is_string(const struct ynode *n)
{
        return n->kind == Y_SCALAR && !cfg_ynode_is_null(n);
}

/* Takes a string value. Reports and returns false for anything else, or for an empty
 * string when that is not allowed. */
bool cfg_get_string(struct loader *l, const char *path, const struct ynode *n, bool allow_empty,
                       char **ret)
{
        if (!cfg_is_string(n)) {
                cfg_report_type(l, path, n, "a string");
                return false;
        }
        if (!allow_empty && n->len == 0) {
                cfg_report(l, n->pos, "%s: must not be empty", path);
                return false;
        }
        *ret = xstrdup(n->text);
        return true;
}

bool cfg_get_long(struct loader *l, const char *path, const struct ynode *n, long min, long max,
                     long *ret)
{
        const char *s = n->text;
        long long v;
        char *end;

        if (n->kind != Y_SCALAR || !n->plain || n->len == 0) {
                cfg_report_type(l, path, n, "an integer");
                return false;
        }
        if (*s == '+' || *s == '-')
                s++;
        if (!*s || strspn(s, "0123456789") != strlen(s)) {
                cfg_report_type(l, path, n, "an integer");
                return false;
        }
        errno = 0;
        v = strtoll(n->text, &end, 10);
        if (errno == ERANGE || v < min || v > max) {
                cfg_report(l, n->pos, "%s must be between %ld and %ld (got %s)", path, min, max,
                       n->text);
                return false;
        }
        *ret = (long)v;
        return true;
}

bool cfg_get_int(struct loader *l, const char *path, const struct ynode *n, int min, int max,
                    int *ret)
{
        long v;

        if (!cfg_get_long(l, path, n, min, max, &v))
                return false;
        *ret = (int)v;
        return true;
}

bool cfg_get_bool(struct loader *l, const char *path, const struct ynode *n, bool *ret)
{
        static const char *const yes[] = {"true", "True", "TRUE"};
        static const char *const no[] = {"false", "False", "FALSE"};

        if (n->kind == Y_SCALAR && n->plain) {
                for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
                        if (streq(n->text, yes[i])) {
                                *ret = true;
                                return true;
                        }
                        if (streq(n->text, no[i])) {
                                *ret = false;
                                return true;
                        }
                }
        }
        cfg_report_type(l, path, n, "true or false");
        return false;
}

/* A list of strings; with allow_single, one string stands for a list of one. */
bool cfg_get_strv(struct loader *l, const char *path, const struct ynode *n, bool allow_single,
                     struct strv *ret)
{
        struct strv v = {0};
        bool ok = true;

        if (allow_single && cfg_is_string(n)) {
                strv_push(ret, n->text);
                return true;
        }
        if (n->kind != Y_SEQ) {
                cfg_report_type(l, path, n,
                            allow_single ? "a string or a list of strings" : "a list of strings");
                return false;
        }
        for (size_t i = 0; i < n->n_kids; i++) {
                const struct ynode *item = n->kids[i];
                if (!cfg_is_string(item) || item->len == 0) {
                        _cleanup_free_ char *item_path = xasprintf("%s[%zu]", path, i + 1);
                        if (cfg_is_string(item))
                                cfg_report(l, item->pos, "%s: must not be empty", item_path);
                        else
                                cfg_report_type(l, item_path, item, "a string");
                        ok = false;
                        continue;
                }
                strv_push(&v, item->text);
        }
        if (!ok) {
                strv_free(&v);
                return false;
        }
        for (size_t i = 0; i < v.n; i++)
                strv_push_take(ret, v.items[i]);
        free(v.items);
        return true;
}

/* ---- mappings ----------------------------------------------------------------------- */

/* Checks the i-th key of a mapping: a non-empty string, not written twice. */
bool cfg_check_key(struct loader *l, const struct ynode *map, size_t i, const char *path)
{
        const struct ynode *key = map->kids[2 * i];

        if (!path)
                path = "top level";
        if (!cfg_is_string(key) || key->len == 0) {
                _cleanup_free_ char *got = cfg_describe(key);
                cfg_report(l, key->pos, "%s: a key must be a non-empty string (got %s)", path, got);
                return false;
        }
        for (size_t j = 0; j < i; j++) {
                const struct ynode *prev = map->kids[2 * j];
                if (prev->kind == Y_SCALAR && streq(prev->text, key->text)) {
                        cfg_report(l, key->pos,
                               "%s: duplicate key '%s' (first written at "
                               "line %d)",
                               path, key->text, prev->pos.line);
                        return false;
                }
        }
        return true;
}

size_t cfg_map_size(const struct ynode *map)
{
        return map->n_kids / 2;
}

/* Matches a fixed-schema mapping against fields (all unset on entry), reporting unknown
 * and duplicate keys. path names the mapping in messages, NULL for the top level. */
void cfg_match_fields(struct loader *l, const struct ynode *map, const char *path,
                         struct field *f, size_t n)
{
        for (size_t i = 0; i < cfg_map_size(map); i++) {
                struct ynode *key = map->kids[2 * i];
                size_t k;

                if (!cfg_check_key(l, map, i, path))
                        continue;
                for (k = 0; k < n; k++)
                        if (streq(f[k].name, key->text))
                                break;
                if (k == n) {
                        _cleanup_free_ char *allowed = xstrdup(f[0].name);
                        for (size_t j = 1; j < n; j++) {
                                char *more = xasprintf("%s, %s", allowed, f[j].name);
                                free(allowed);
                                allowed = more;
                        }
                        if (path)
                                cfg_report(l, key->pos, "%s: unknown key '%s' (allowed: %s)", path,
                                       key->text, allowed);
                        else
                                cfg_report(l, key->pos,
                                       "unknown top-level key '%s' (allowed: "
                                       "%s)",
                                       key->text, allowed);
                        continue;
                }
                f[k].key = key;
                f[k].val = map->kids[2 * i + 1];
        }
}

struct field *cfg_field_get(struct field *f, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (streq(f[i].name, name))
                        return &f[i];
        abort();
}

bool cfg_require(struct loader *l, struct pos at, const char *path, const struct field *f)
{
        if (f->key)
                return true;
        cfg_report(l, at, "%s: missing required key '%s'", path, f->name);
        return false;
}

bool cfg_expect_map(struct loader *l, const char *path, const struct ynode *n)
{
        if (n->kind == Y_MAP)
                return true;
        cfg_report_type(l, path, n, "a mapping");
        return false;
}

/* ---- settings ----------------------------------------------------------------------- */

/* A regular expression: compiled here so that a bad one is reported at its place, and
 * replacing the one an earlier file set. */
static bool setting_regex(struct loader *l, const char *path, const struct ynode *val,
                          struct rule_regex **dst)
{
        _cleanup_free_ char *s = NULL, *error = NULL;
        struct rule_regex *re = NULL;

        if (!cfg_get_string(l, path, val, false, &s))
                return false;
        if (rule_regex_compile(s, &re, &error) < 0) {
                cfg_report(l, val->pos, "%s: %s", path, error);
                return false;
        }
        rule_regex_free(*dst);
        *dst = re;
        return true;
}

static void setting_store(struct loader *l, size_t i, const struct ynode *val, const char *path)
{
        const struct setting_desc *d = &settings_table[i];
        char *base = (char *)&l->cfg->settings;
        long v;
        char *s = NULL;
        struct strv list = {0};

        switch (d->kind) {
        case SET_INT:
                if (!cfg_get_long(l, path, val, d->min, d->max, &v))
                        return;
                *(int *)(base + d->offset) = (int)v;
                break;
        case SET_LONG:
                if (!cfg_get_long(l, path, val, d->min, d->max, &v))
                        return;
                *(long *)(base + d->offset) = v;
                break;
        case SET_SECONDS:
                if (!cfg_get_long(l, path, val, d->min, d->max, &v))
                        return;
                *(long *)(base + d->offset) = v * 1000;
                break;
        case SET_STRING:
                if (!cfg_get_string(l, path, val, false, &s))
                        return;
                /* It goes into an HTTP header: a control character would split it. */
                for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                        if (*c < 0x20 || *c == 0x7f) {
                                cfg_report(l, val->pos,
                                       "%s: must be one line of printable "
                                       "text",
                                       path);
                                free(s);
                                return;
                        }
                str_replace((char **)(base + d->offset), NULL);
                *(char **)(base + d->offset) = s;
                break;
        case SET_STRV:
                if (!cfg_get_strv(l, path, val, false, &list))
                        return;
                strv_free((struct strv *)(base + d->offset));
                *(struct strv *)(base + d->offset) = list;
                break;
        case SET_REGEX:
                if (!setting_regex(l, path, val, (struct rule_regex **)(base + d->offset)))
                        return;
                break;
        }
        l->setting_set[i] = true;
        l->setting_at[i] = val->pos;
}

static void load_settings_section(struct loader *l, enum setting_section sec,
                                  const struct ynode *map, const char *path)
{
        struct field f[N_SETTINGS + N_SECTIONS];
        size_t n = 0, idx[N_SETTINGS + N_SECTIONS];

        /* The keys allowed here: this section's leaves and, at the root, the sections. */
        if (sec == SEC_ROOT)
                for (int s = SEC_HTTP; s < N_SECTIONS; s++)
                        f[n++] = (struct field){.name = section_names[s]};
        for (size_t i = 0; i < N_SETTINGS; i++)
                if (settings_table[i].section == sec) {
                        idx[n] = i;
                        f[n++] = (struct field){.name = settings_table[i].key};
                }
        cfg_match_fields(l, map, path, f, n);

        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *sub = NULL;

                if (!f[k].key)
                        continue;
                sub = xasprintf("%s.%s", path, f[k].name);
                if (sec == SEC_ROOT && k < N_SECTIONS - 1) {
                        enum setting_section s = (enum setting_section)(k + 1);
                        if (!l->section_seen[s]) {
                                l->section_seen[s] = true;
                                l->section_at[s] = f[k].key->pos;
                        }
                        if (cfg_expect_map(l, sub, f[k].val))
                                load_settings_section(l, s, f[k].val, sub);
                        continue;
                }
                setting_store(l, idx[k], f[k].val, sub);
        }
}

static void load_settings(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        if (!l->section_seen[SEC_ROOT]) {
                l->section_seen[SEC_ROOT] = true;
                l->section_at[SEC_ROOT] = key->pos;
        }
        if (cfg_ynode_is_null(val))
                return;
        if (cfg_expect_map(l, "settings", val))
                load_settings_section(l, SEC_ROOT, val, "settings");
}

/* ---- units -------------------------------------------------------------------------- */

static void unit_clear(struct rule_unit *u)
{
        free(u->id);
        free(u->name);
        strv_free(&u->emails);
}

/* A light check that catches typos (a missing "@", a space, a Chinese comma); whether
 * the mailbox exists is the mail server's business. */
bool cfg_email_plausible(const char *s)
{
        const char *at = strchr(s, '@');

        if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
                return false;
        if (at[1] == '.' || str_endswith(s, "."))
                return false;
        for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                if (*c <= 0x20 || *c >= 0x7f || strchr("<>,;\"", *c))
                        return false;
        return true;
}

static void load_unit(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        _cleanup_free_ char *path = xasprintf("units.%s", key->text);
        struct field f[] = {{.name = "name"}, {.name = "email"}};
        struct unit_def def = {.u.id = xstrdup(key->text), .at = key->pos};
        struct field *fe;

        if (cfg_expect_map(l, path, val)) {
                cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));
                if (cfg_require(l, key->pos, path, &f[0])) {
                        _cleanup_free_ char *sub = xasprintf("%s.name", path);
                        if (cfg_get_string(l, sub, f[0].val, false, &def.u.name) &&
                            strpbrk(def.u.name, "\r\n"))
                                /* The name goes into mail headers and documents. */
                                cfg_report(l, f[0].val->pos,
                                           "%s: must be one line (a line break in a unit's "
                                           "name could forge mail headers)",
                                           sub);
                }
                fe = cfg_field_get(f, ARRAY_SIZE(f), "email");
                if (fe->key) {
                        _cleanup_free_ char *sub = xasprintf("%s.email", path);
                        if (cfg_get_strv(l, sub, fe->val, true, &def.u.emails))
                                for (size_t i = 0; i < def.u.emails.n; i++)
                                        if (!cfg_email_plausible(def.u.emails.items[i]))
                                                cfg_report(l,
                                                       fe->val->kind == Y_SEQ
                                                           ? fe->val->kids[i]->pos
                                                           : fe->val->pos,
                                                       "%s: '%s' is not an email address", sub,
                                                       def.u.emails.items[i]);
                }
        }

        /* A later file replaces the whole entry, keeping its place in the order. */
        for (size_t i = 0; i < l->n_units; i++)
                if (streq(l->units[i].u.id, def.u.id)) {
                        unit_clear(&l->units[i].u);
                        l->units[i] = def;
                        return;
                }
        l->units = xreallocarray(l->units, l->n_units + 1, sizeof(*l->units));
        l->units[l->n_units++] = def;
}

/* ---- classes ------------------------------------------------------------------------ */

static const char *const group_names[] = {
    [CLASS_GROUP_NEWS] = "news",
    [CLASS_GROUP_NOTICE] = "notice",
    [CLASS_GROUP_OTHER] = "other",
};

static void class_clear(struct rule_class *c)
{
        free(c->id);
        free(c->name);
}

/* "MM-DD" with a day that exists every year (so not 02-29). */
static bool parse_month_day(const char *s, int *ret_month, int *ret_day)
{
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int m, d;

        if (strlen(s) != 5 || s[2] != '-' || strspn(s, "0123456789") != 2 ||
            strspn(s + 3, "0123456789") != 2)
                return false;
        m = (s[0] - '0') * 10 + (s[1] - '0');
        d = (s[3] - '0') * 10 + (s[4] - '0');
        if (m < 1 || m > 12 || d < 1 || d > days[m - 1])
                return false;
        *ret_month = m;
        *ret_day = d;
        return true;
}

static void load_class(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        _cleanup_free_ char *path = xasprintf("classes.%s", key->text);
        struct field f[] = {
            {.name = "name"},  {.name = "max_age_days"},    {.name = "warn_lead_days"},
            {.name = "group"}, {.name = "annual_deadline"}, {.name = "interaction"},
        };
        struct field *f_name = &f[0], *f_age = &f[1], *f_warn = &f[2], *f_group = &f[3],
                     *f_annual = &f[4], *f_interaction = &f[5];
        struct class_def def = {.c.id = xstrdup(key->text), .at = key->pos};

        if (!cfg_expect_map(l, path, val))
                goto store;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));

        if (cfg_require(l, key->pos, path, f_name)) {
                _cleanup_free_ char *sub = xasprintf("%s.name", path);
                cfg_get_string(l, sub, f_name->val, false, &def.c.name);
        }
        if (cfg_require(l, key->pos, path, f_group)) {
                _cleanup_free_ char *sub = xasprintf("%s.group", path);
                _cleanup_free_ char *g = NULL;
                if (cfg_get_string(l, sub, f_group->val, false, &g)) {
                        size_t i;
                        for (i = 0; i < ARRAY_SIZE(group_names); i++)
                                if (streq(g, group_names[i]))
                                        break;
                        if (i < ARRAY_SIZE(group_names))
                                def.c.group = (enum rule_class_group)i;
                        else
                                cfg_report(l, f_group->val->pos,
                                       "%s: must be news, notice or "
                                       "other (got '%s')",
                                       sub, g);
                }
        }

        if (f_age->key && f_annual->key) {
                cfg_report(l, f_annual->key->pos,
                       "%s: a class has either max_age_days or "
                       "annual_deadline, not both",
                       path);
        } else if (f_annual->key) {
                _cleanup_free_ char *sub = xasprintf("%s.annual_deadline", path);
                _cleanup_free_ char *s = NULL;
                def.c.annual = true;
                if (cfg_get_string(l, sub, f_annual->val, false, &s) &&
                    !parse_month_day(s, &def.c.annual_month, &def.c.annual_day))
                        cfg_report(l, f_annual->val->pos,
                               "%s: expected a date \"MM-DD\" that "
                               "comes every year, such as \"03-31\" (got '%s')",
                               sub, s);
        } else if (f_age->key) {
                _cleanup_free_ char *sub = xasprintf("%s.max_age_days", path);
                cfg_get_int(l, sub, f_age->val, 1, 3650, &def.c.max_age_days);
        } else {
                cfg_report(l, key->pos,
                       "%s: missing required key 'max_age_days' (or "
                       "'annual_deadline' for a column updated once a year)",
                       path);
        }

        if (f_warn->key) {
                _cleanup_free_ char *sub = xasprintf("%s.warn_lead_days", path);
                if (cfg_get_int(l, sub, f_warn->val, 0, def.c.annual ? 364 : 3650,
                            &def.c.warn_lead_days) &&
                    def.c.max_age_days > 0 && def.c.warn_lead_days >= def.c.max_age_days)
                        cfg_report(l, f_warn->val->pos,
                               "%s (%d) must be less than "
                               "max_age_days (%d)",
                               sub, def.c.warn_lead_days, def.c.max_age_days);
        }

        if (f_interaction->key) {
                _cleanup_free_ char *sub = xasprintf("%s.interaction", path);
                cfg_get_bool(l, sub, f_interaction->val, &def.c.interaction);
        }

store:
        for (size_t i = 0; i < l->n_classes; i++)
                if (streq(l->classes[i].c.id, def.c.id)) {
                        class_clear(&l->classes[i].c);
                        l->classes[i] = def;
                        return;
                }
        l->classes = xreallocarray(l->classes, l->n_classes + 1, sizeof(*l->classes));
        l->classes[l->n_classes++] = def;
}

/* ---- sites -------------------------------------------------------------------------- */

static void column_def_clear(struct column_def *c)
{
        free(c->name);
        free(c->url);
        free(c->cls);
        free(c->unit);
        free(c->items);
}

static void site_def_clear(struct site_def *s)
{
        free(s->id);
        free(s->name);
        free(s->base_url);
        free(s->homepage);
        free(s->unit);
        free(s->media_page);
        strv_free(&s->internal_hosts);
        for (size_t i = 0; i < s->n_cols; i++)
                column_def_clear(&s->cols[i]);
        free(s->cols);
        free(s->guide_pages);
}

static void load_column(struct loader *l, const char *path, const struct ynode *val,
                        struct column_def *col)
{
        struct field f[] = {
            {.name = "name"}, {.name = "url"},   {.name = "class"},
            {.name = "unit"}, {.name = "items"},
        };
        struct {
                char **dst;
                struct pos *at;
        } out[] = {
            {&col->name, NULL},          {&col->url, &col->url_at}, {&col->cls, &col->cls_at},
            {&col->unit, &col->unit_at}, {&col->items, NULL},
        };

        col->at = val->pos;
        if (!cfg_expect_map(l, path, val))
                return;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));
        for (size_t k = 0; k < ARRAY_SIZE(f); k++) {
                _cleanup_free_ char *sub = NULL;
                bool optional = streq(f[k].name, "items");

                if (!f[k].key) {
                        if (!optional)
                                cfg_require(l, val->pos, path, &f[k]);
                        continue;
                }
                sub = xasprintf("%s.%s", path, f[k].name);
                if (cfg_get_string(l, sub, f[k].val, false, out[k].dst) && out[k].at)
                        *out[k].at = f[k].val->pos;
        }
}

/* A site's crawl keys: ignore_robots, allow_internal_hosts (host names, written as in
 * URLs: no scheme, port or path). */
static void load_site_crawl(struct loader *l, const char *path, const struct field *f_robots,
                            const struct field *f_hosts, struct site_def *def)
{
        if (f_robots->key) {
                _cleanup_free_ char *sub = xasprintf("%s.ignore_robots", path);
                cfg_get_bool(l, sub, f_robots->val, &def->ignore_robots);
        }
        if (f_hosts->key && !cfg_ynode_is_null(f_hosts->val)) {
                _cleanup_free_ char *sub = xasprintf("%s.allow_internal_hosts", path);
                struct strv hosts = {0};
                if (!cfg_get_strv(l, sub, f_hosts->val, true, &hosts))
                        return;
                for (size_t i = 0; i < hosts.n; i++) {
                        const char *h = hosts.items[i], *colon = strchr(h, ':');
                        /* One colon is a port; an IPv6 address has several and no
                         * brackets here. */
                        if (strpbrk(h, "/?#@ []") || (colon && !strchr(colon + 1, ':')))
                                cfg_report(l, f_hosts->val->pos,
                                       "%s: '%s' must be a host name or address, without "
                                       "scheme, port or path",
                                       sub, h);
                }
                strv_free(&def->internal_hosts);
                def->internal_hosts = hosts;
        }
}

static void load_site(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        _cleanup_free_ char *path = xasprintf("sites.%s", key->text);
        struct field f[] = {
            {.name = "name"}, {.name = "base_url"}, {.name = "homepage"},
            {.name = "unit"}, {.name = "enabled"},  {.name = "columns"},
            {.name = "media_page"}, {.name = "guide_pages"},
            {.name = "ignore_robots"}, {.name = "allow_internal_hosts"},
        };
        struct field *f_name = &f[0], *f_base = &f[1], *f_home = &f[2], *f_unit = &f[3],
                     *f_enabled = &f[4], *f_columns = &f[5], *f_media = &f[6],
                     *f_guides = &f[7], *f_robots = &f[8], *f_internal = &f[9];
        struct site_def def = {.id = xstrdup(key->text), .at = key->pos, .enabled = true};

        if (!cfg_expect_map(l, path, val))
                goto store;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));

        if (cfg_require(l, key->pos, path, f_name)) {
                _cleanup_free_ char *sub = xasprintf("%s.name", path);
                cfg_get_string(l, sub, f_name->val, false, &def.name);
        }
        if (cfg_require(l, key->pos, path, f_base)) {
                _cleanup_free_ char *sub = xasprintf("%s.base_url", path);
                if (cfg_get_string(l, sub, f_base->val, false, &def.base_url))
                        def.base_at = f_base->val->pos;
        }
        if (f_home->key) {
                _cleanup_free_ char *sub = xasprintf("%s.homepage", path);
                if (cfg_get_string(l, sub, f_home->val, false, &def.homepage))
                        def.homepage_at = f_home->val->pos;
        }
        if (cfg_require(l, key->pos, path, f_unit)) {
                _cleanup_free_ char *sub = xasprintf("%s.unit", path);
                if (cfg_get_string(l, sub, f_unit->val, false, &def.unit))
                        def.unit_at = f_unit->val->pos;
        }
        if (f_enabled->key) {
                _cleanup_free_ char *sub = xasprintf("%s.enabled", path);
                cfg_get_bool(l, sub, f_enabled->val, &def.enabled);
        }
        if (f_media->key) {
                _cleanup_free_ char *sub = xasprintf("%s.media_page", path);
                if (cfg_get_string(l, sub, f_media->val, false, &def.media_page))
                        def.media_page_at = f_media->val->pos;
        }
        if (f_guides->key) {
                _cleanup_free_ char *sub = xasprintf("%s.guide_pages", path);
                if (cfg_get_string(l, sub, f_guides->val, false, &def.guide_pages))
                        def.guide_pages_at = f_guides->val->pos;
        }
        load_site_crawl(l, path, f_robots, f_internal, &def);
        if (f_columns->key && !cfg_ynode_is_null(f_columns->val)) {
                _cleanup_free_ char *sub = xasprintf("%s.columns", path);
                const struct ynode *list = f_columns->val;

                if (list->kind != Y_SEQ) {
                        cfg_report_type(l, sub, list, "a list of columns");
                } else {
                        def.cols = xcalloc(list->n_kids ? list->n_kids : 1, sizeof(*def.cols));
                        def.n_cols = list->n_kids;
                        for (size_t i = 0; i < list->n_kids; i++) {
                                _cleanup_free_ char *col_path = xasprintf("%s[%zu]", sub, i + 1);
                                load_column(l, col_path, list->kids[i], &def.cols[i]);
                        }
                }
        }

store:
        for (size_t i = 0; i < l->n_sites; i++)
                if (streq(l->sites[i].id, def.id)) {
                        site_def_clear(&l->sites[i]);
                        l->sites[i] = def;
                        return;
                }
        l->sites = xreallocarray(l->sites, l->n_sites + 1, sizeof(*l->sites));
        l->sites[l->n_sites++] = def;
}

/* ---- files -------------------------------------------------------------------------- */

/* classes, units and sites are mappings from an id to an entry. */
static void load_entries(struct loader *l, const char *path, const struct ynode *val,
                         void (*load)(struct loader *, const struct ynode *, const struct ynode *))
{
        if (cfg_ynode_is_null(val))
                return;
        if (!cfg_expect_map(l, path, val))
                return;
        for (size_t i = 0; i < cfg_map_size(val); i++)
                if (cfg_check_key(l, val, i, path))
                        load(l, val->kids[2 * i], val->kids[2 * i + 1]);
}

static void load_classes(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        load_entries(l, "classes", val, load_class);
}

static void load_units(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        load_entries(l, "units", val, load_unit);
}

static void load_sites(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        load_entries(l, "sites", val, load_site);
}

/* The top-level keys of a rules file. settings, classes, units and sites are built by
 * rule_config_load() itself, before the build step of the sections after them. */
static const struct config_section sections[] = {
        {"settings", load_settings, NULL, NULL},
        {"classes", load_classes, NULL, NULL},
        {"units", load_units, NULL, NULL},
        {"sites", load_sites, NULL, NULL},
        {"holidays", cfg_load_holidays, NULL, cfg_release_holidays},
        {"accounts", cfg_load_accounts, cfg_build_accounts, cfg_release_accounts},
        {"tickets", cfg_load_tickets, cfg_build_notify, cfg_release_notify},
        {"mail", cfg_load_mail, NULL, NULL},
        {"office", cfg_load_office, cfg_build_office, cfg_release_office},
        {"dictionary", cfg_load_dictionary, cfg_build_dictionary, cfg_release_dictionary},
        {"patterns", cfg_load_patterns, NULL, NULL},
};

static void load_document(struct loader *l, const char *file, const struct ynode *root)
{
        struct field f[ARRAY_SIZE(sections)];

        for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
                f[i] = (struct field){.name = sections[i].key};
        /* An empty file, or one holding only comments, is allowed: nothing to merge. */
        if (!root || cfg_ynode_is_null(root))
                return;
        if (root->kind != Y_MAP) {
                _cleanup_free_ char *got = cfg_describe(root);
                _cleanup_free_ char *keys = xstrdup(sections[0].key);
                for (size_t i = 1; i < ARRAY_SIZE(sections); i++) {
                        char *more = xasprintf("%s, %s", keys, sections[i].key);
                        free(keys);
                        keys = more;
                }
                cfg_report(l, root->pos, "expected a mapping with the keys %s (got %s)", keys, got);
                return;
        }
        cfg_match_fields(l, root, NULL, f, ARRAY_SIZE(f));
        /* In the order written, so that messages come in the order of the file's lines. */
        for (size_t i = 0; i < cfg_map_size(root); i++) {
                const struct ynode *key = root->kids[2 * i];

                for (size_t k = 0; k < ARRAY_SIZE(sections); k++)
                        if (key == f[k].key)
                                sections[k].load(l, f[k].key, f[k].val);
        }
}

static int utf8_seq_len(unsigned char c)
{
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c < 0xe0)
                return 2;
        if (c >= 0xe0 && c < 0xf0)
                return 3;
        if (c >= 0xf0 && c < 0xf5)
                return 4;
        return 0;
}

/* Reports where the first invalid byte is. A newline byte can never be part of a
 * multi-byte sequence, so lines can be checked one by one. */
static void report_bad_utf8(struct loader *l, const char *file, const char *buf, size_t len)
{
        const char *line = buf, *end = buf + len;
        int line_no = 1;

        while (line < end) {
                const char *nl = memchr(line, '\n', (size_t)(end - line));
                size_t line_len = nl ? (size_t)(nl - line) : (size_t)(end - line);

                if (!utf8_valid(line, line_len)) {
                        size_t i = 0;
                        int col = 1;
                        while (i < line_len) {
                                int n = utf8_seq_len((unsigned char)line[i]);
                                if (n == 0 || i + (size_t)n > line_len ||
                                    !utf8_valid(line + i, (size_t)n))
                                        break;
                                i += (size_t)n;
                                col++;
                        }
                        cfg_report(l, (struct pos){file, line_no, col},
                               "not valid UTF-8 (byte 0x%02x); rules files must be UTF-8, "
                               "convert a GBK file with iconv -f GB18030 -t UTF-8",
                               (unsigned char)line[i < line_len ? i : 0]);
                        return;
                }
                line = line + line_len + 1;
                line_no++;
        }
}

/* Reads a whole file into a NUL-terminated buffer the caller frees. */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                goto out;
        }
        if (!S_ISREG(st.st_mode)) {
                r = -EISDIR;
                goto out;
        }
        if (st.st_size > RULES_FILE_MAX) {
                r = -EFBIG;
                goto out;
        }
        buf = xmalloc((size_t)st.st_size + 1);
        for (;;) {
                ssize_t n;

                /* The file may grow while it is read; never past the buffer. */
                if (len == (size_t)st.st_size) {
                        char extra;
                        n = read(fd, &extra, 1);
                        if (n > 0)
                                r = -EFBIG;
                        else if (n < 0)
                                r = -errno;
                        break;
                }
                n = read(fd, buf + len, (size_t)st.st_size - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (r < 0)
                goto out;
        buf[len] = '\0';
        *ret = buf;
        buf = NULL;
        *ret_len = len;
out:
        close(fd);
        return r;
}

static void load_file(struct loader *l, const char *file)
{
        _cleanup_free_ char *buf = NULL;
        struct ydoc doc = {0};
        size_t len = 0;
        int r;

        r = read_file(file, &buf, &len);
        if (r < 0) {
                cfg_report(l, (struct pos){file, 0, 0}, "cannot read: %s",
                       r == -EFBIG ? "larger than 4 MiB" : strerror(-r));
                l->io_error = true;
                return;
        }
        if (!utf8_valid(buf, len)) {
                report_bad_utf8(l, file, buf, len);
                return;
        }
        if (yaml_parse(l, file, buf, len, &doc))
                load_document(l, file, doc.root);
        ydoc_free(&doc);
}

static bool is_rules_name(const char *name)
{
        if (name[0] == '.')
                return false;
        return (str_endswith(name, ".yaml") && strlen(name) > 5) ||
               (str_endswith(name, ".yml") && strlen(name) > 4);
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rules files of dir, in byte order of name, as paths "dir/name". */
static int list_files(struct loader *l, struct strv *ret)
{
        struct strv names = {0};
        struct dirent *de;
        DIR *d;
        size_t dir_len = strlen(l->dir);
        bool slash = dir_len > 0 && l->dir[dir_len - 1] == '/';

        d = opendir(l->dir);
        if (!d) {
                int r = -errno;
                cfg_report(l, (struct pos){l->dir, 0, 0}, "cannot open the rules directory: %s",
                       strerror(-r));
                return r == -ENOTDIR ? -ENOENT : r;
        }
        while ((de = readdir(d))) {
                if (is_rules_name(de->d_name))
                        strv_push(&names, de->d_name);
        }
        closedir(d);

        if (names.n > 0)
                qsort(names.items, names.n, sizeof(*names.items), cmp_names);
        for (size_t i = 0; i < names.n; i++) {
                char *path = xasprintf("%s%s%s", l->dir, slash ? "" : "/", names.items[i]);
                struct stat st;

                /* A directory or a dangling link named *.yaml is not a rules file. */
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                        free(path);
                        continue;
                }
                strv_push_take(ret, path);
        }
        strv_free(&names);

        if (ret->n == 0) {
                cfg_report(l, (struct pos){l->dir, 0, 0},
                       "no rules files (*.yaml, *.yml) "
                       "in the rules directory");
                return -ENOENT;
        }
        return 0;
}

/* ---- merge and resolve -------------------------------------------------------------- */

static const char *setting_path(size_t i, char *buf, size_t size)
{
        const struct setting_desc *d = &settings_table[i];

        if (d->section == SEC_ROOT)
                snprintf(buf, size, "settings.%s", d->key);
        else
                snprintf(buf, size, "settings.%s.%s", section_names[d->section], d->key);
        return buf;
}

static size_t setting_index(const char *key)
{
        for (size_t i = 0; i < N_SETTINGS; i++)
                if (streq(settings_table[i].key, key))
                        return i;
        abort();
}

/* Two settings that only make sense in one order; checked once both are known, and
 * reported where the first one named was (last) written. */
static void check_setting_order(struct loader *l, const char *lower, const char *upper, bool strict)
{
        size_t a = setting_index(lower), b = setting_index(upper);
        const char *base = (const char *)&l->cfg->settings;
        long va, vb;
        char pa[96], pb[96];

        if (!l->setting_set[a] || !l->setting_set[b])
                return;
        if (settings_table[a].kind == SET_INT) {
                va = *(const int *)(base + settings_table[a].offset);
                vb = *(const int *)(base + settings_table[b].offset);
        } else {
                va = *(const long *)(base + settings_table[a].offset);
                vb = *(const long *)(base + settings_table[b].offset);
        }
        if (settings_table[a].kind == SET_SECONDS) {
                va /= 1000;
                vb /= 1000;
        }
        if (strict ? va < vb : va <= vb)
                return;
        cfg_report(l, l->setting_at[a], "%s (%ld) must be %s %s (%ld)", setting_path(a, pa, sizeof(pa)),
               va, strict ? "less than" : "at most", setting_path(b, pb, sizeof(pb)), vb);
}

static void check_settings(struct loader *l)
{
        struct pos first = {l->cfg->files.items[0], 1, 1};
        char path[96];

        for (size_t i = 0; i < N_SETTINGS; i++) {
                enum setting_section sec = settings_table[i].section;
                struct pos at = first;

                if (l->setting_set[i])
                        continue;
                if (l->section_seen[sec])
                        at = l->section_at[sec];
                else if (l->section_seen[SEC_ROOT])
                        at = l->section_at[SEC_ROOT];
                cfg_report(l, at, "%s is required, and no file of %s sets it",
                       setting_path(i, path, sizeof(path)), l->dir);
        }

        check_setting_order(l, "connect_timeout_s", "timeout_s", false);
        check_setting_order(l, "max_host_connections", "max_connections", false);
        check_setting_order(l, "homepage_warn_days", "homepage_max_age_days", true);
        check_setting_order(l, "blank_warn", "blank_veto", false);
        check_setting_order(l, "overdue_warn", "overdue_any_veto", false);
        check_setting_order(l, "warn_percent", "veto_percent", true);
}

static const struct rule_unit *find_unit(const struct rule_config *c, const char *ref)
{
        for (size_t i = 0; i < c->n_units; i++)
                if (streq_ptr(c->units[i].id, ref))
                        return &c->units[i];
        for (size_t i = 0; i < c->n_units; i++)
                if (streq_ptr(c->units[i].name, ref))
                        return &c->units[i];
        return NULL;
}

static const struct rule_class *find_class(const struct rule_config *c, const char *ref)
{
        for (size_t i = 0; i < c->n_classes; i++)
                if (streq_ptr(c->classes[i].id, ref))
                        return &c->classes[i];
        for (size_t i = 0; i < c->n_classes; i++)
                if (streq_ptr(c->classes[i].name, ref))
                        return &c->classes[i];
        return NULL;
}

static const struct rule_unit *resolve_unit(struct loader *l, const char *ref, struct pos at,
                                            const char *path)
{
        const struct rule_unit *u = find_unit(l->cfg, ref);

        if (!u)
                cfg_report(l, at,
                       "%s: unknown unit '%s' (neither the id nor the name of an "
                       "entry under units)",
                       path, ref);
        return u;
}

static const struct rule_class *resolve_class(struct loader *l, const char *ref, struct pos at,
                                              const char *path)
{
        const struct rule_class *c = find_class(l->cfg, ref);
        _cleanup_free_ char *known = NULL;

        if (c)
                return c;
        for (size_t i = 0; i < l->cfg->n_classes; i++) {
                char *more = xasprintf("%s%s%s", known ? known : "", known ? ", " : "",
                                       l->cfg->classes[i].id);
                free(known);
                known = more;
        }
        cfg_report(l, at, "%s: unknown class '%s' (known: %s)", path, ref, known ? known : "none");
        return NULL;
}

static void report_url(struct loader *l, int r, struct pos at, const char *path, const char *url,
                       size_t max_len)
{
        if (r == -EPROTONOSUPPORT)
                cfg_report(l, at, "%s: '%s' is not an http or https URL", path, url);
        else if (r == -E2BIG)
                cfg_report(l, at,
                       "%s: '%s' gives a URL longer than settings.crawl.max_url_length "
                       "(%zu)",
                       path, url, max_len);
        else
                cfg_report(l, at, "%s: '%s' is not a valid URL", path, url);
}

/* Names must be unique too, since a site, unit or class can be referred to by name. */
static void check_unique_name(struct loader *l, const char *what, const char *name, const char *id,
                              struct pos at, const char *prev_name, const char *prev_id,
                              struct pos prev_at)
{
        if (name && streq_ptr(name, prev_name))
                cfg_report(l, at, "%s.%s.name: '%s' is already the name of %s.%s (%s:%d)", what, id,
                       name, what, prev_id, prev_at.file, prev_at.line);
}

static void build_units(struct loader *l)
{
        struct rule_config *c = l->cfg;

        c->units = xcalloc(l->n_units ? l->n_units : 1, sizeof(*c->units));
        for (size_t i = 0; i < l->n_units; i++) {
                c->units[i] = l->units[i].u;
                l->units[i].u = (struct rule_unit){0};
                for (size_t j = 0; j < i; j++)
                        check_unique_name(l, "units", c->units[i].name, c->units[i].id,
                                          l->units[i].at, c->units[j].name, c->units[j].id,
                                          l->units[j].at);
        }
        c->n_units = l->n_units;
}

static void build_classes(struct loader *l)
{
        struct rule_config *c = l->cfg;

        c->classes = xcalloc(l->n_classes ? l->n_classes : 1, sizeof(*c->classes));
        for (size_t i = 0; i < l->n_classes; i++) {
                c->classes[i] = l->classes[i].c;
                l->classes[i].c = (struct rule_class){0};
                for (size_t j = 0; j < i; j++)
                        check_unique_name(l, "classes", c->classes[i].name, c->classes[i].id,
                                          l->classes[i].at, c->classes[j].name, c->classes[j].id,
                                          l->classes[j].at);
        }
        c->n_classes = l->n_classes;
}

/* The base URL, normalised and ending in "/" so that relative column URLs resolve under
 * it. NULL (reported) when it is unusable. */
static char *site_base_url(struct loader *l, const struct site_def *sd, const char *path,
                           size_t max_len)
{
        char *norm = NULL;
        int r;

        r = url_normalize(sd->base_url, max_len, &norm);
        if (r < 0) {
                report_url(l, r, sd->base_at, path, sd->base_url, max_len);
                return NULL;
        }
        if (strchr(norm, '?')) {
                cfg_report(l, sd->base_at, "%s: '%s' must not have a query ('?...')", path,
                       sd->base_url);
                free(norm);
                return NULL;
        }
        if (!str_endswith(norm, "/")) {
                char *with_slash = xasprintf("%s/", norm);
                free(norm);
                norm = with_slash;
        }
        return norm;
}

/* Resolves the i-th column's URL against the site's base URL; a URL that an earlier
 * column of the site already has is reported at the second one. */
static void resolve_column_url(struct loader *l, struct rule_site *s, size_t i,
                               const struct column_def *cd, const char *cpath, size_t max_len)
{
        _cleanup_free_ char *path = xasprintf("%s.url", cpath);
        struct rule_column *col = &s->columns[i];
        int r;

        r = url_resolve(s->base_url, cd->url, max_len, &col->url);
        if (r < 0) {
                report_url(l, r, cd->url_at, path, cd->url, max_len);
                return;
        }
        for (size_t j = 0; j < i; j++)
                if (streq_ptr(s->columns[j].url, col->url)) {
                        cfg_report(l, cd->url_at,
                               "%s: duplicate column URL %s (already the URL "
                               "of column '%s' at line %d)",
                               path, col->url, s->columns[j].name ? s->columns[j].name : "",
                               s->columns[j].line);
                        return;
                }
}

static void build_site(struct loader *l, struct site_def *sd, struct rule_site *s, size_t max_len)
{
        _cleanup_free_ char *path = xasprintf("sites.%s", sd->id);
        int r;

        s->id = sd->id;
        sd->id = NULL;
        s->name = sd->name;
        sd->name = NULL;
        s->enabled = sd->enabled;
        s->ignore_robots = sd->ignore_robots;
        s->internal_hosts = sd->internal_hosts;
        sd->internal_hosts = (struct strv){0};
        s->file = xstrdup(sd->at.file);
        s->line = sd->at.line;

        if (sd->base_url) {
                _cleanup_free_ char *sub = xasprintf("%s.base_url", path);
                s->base_url = site_base_url(l, sd, sub, max_len);
        }
        if (s->base_url && sd->homepage) {
                r = url_resolve(s->base_url, sd->homepage, max_len, &s->homepage);
                if (r < 0) {
                        _cleanup_free_ char *sub = xasprintf("%s.homepage", path);
                        report_url(l, r, sd->homepage_at, sub, sd->homepage, max_len);
                }
        } else if (s->base_url) {
                s->homepage = xstrdup(s->base_url);
        }
        if (s->base_url && sd->media_page) {
                r = url_resolve(s->base_url, sd->media_page, max_len, &s->media_page);
                if (r < 0) {
                        _cleanup_free_ char *sub = xasprintf("%s.media_page", path);
                        report_url(l, r, sd->media_page_at, sub, sd->media_page, max_len);
                }
        }
        if (sd->unit) {
                _cleanup_free_ char *sub = xasprintf("%s.unit", path);
                s->unit = resolve_unit(l, sd->unit, sd->unit_at, sub);
        }
        if (sd->guide_pages) {
                _cleanup_free_ char *error = NULL;
                if (rule_regex_compile(sd->guide_pages, &s->guide_pages, &error) < 0)
                        cfg_report(l, sd->guide_pages_at, "%s.guide_pages: %s", path, error);
        }

        s->columns = xcalloc(sd->n_cols ? sd->n_cols : 1, sizeof(*s->columns));
        s->n_columns = sd->n_cols;
        for (size_t i = 0; i < sd->n_cols; i++) {
                struct column_def *cd = &sd->cols[i];
                struct rule_column *col = &s->columns[i];
                _cleanup_free_ char *cpath = xasprintf("%s.columns[%zu]", path, i + 1);

                col->name = cd->name;
                cd->name = NULL;
                col->item_selector = cd->items;
                cd->items = NULL;
                col->file = xstrdup(cd->at.file);
                col->line = cd->at.line;

                if (cd->cls) {
                        _cleanup_free_ char *sub = xasprintf("%s.class", cpath);
                        col->cls = resolve_class(l, cd->cls, cd->cls_at, sub);
                }
                if (cd->unit) {
                        _cleanup_free_ char *sub = xasprintf("%s.unit", cpath);
                        col->unit = resolve_unit(l, cd->unit, cd->unit_at, sub);
                }
                if (cd->url && s->base_url)
                        resolve_column_url(l, s, i, cd, cpath, max_len);
        }
}

static void build_sites(struct loader *l)
{
        struct rule_config *c = l->cfg;
        size_t max_len = URL_LENGTH_FALLBACK;
        size_t i_len = setting_index("max_url_length");

        if (l->setting_set[i_len])
                max_len = (size_t)c->settings.max_url_length;

        c->sites = xcalloc(l->n_sites ? l->n_sites : 1, sizeof(*c->sites));
        c->n_sites = l->n_sites;
        for (size_t i = 0; i < l->n_sites; i++) {
                build_site(l, &l->sites[i], &c->sites[i], max_len);
                for (size_t j = 0; j < i; j++)
                        check_unique_name(l, "sites", c->sites[i].name, c->sites[i].id,
                                          l->sites[i].at, c->sites[j].name, c->sites[j].id,
                                          l->sites[j].at);
        }
}

struct rule_config *cfg_config(struct loader *l)
{
        return l->cfg;
}

struct dict_pending **cfg_dict_pending(struct loader *l)
{
        return &l->dict_pending;
}

struct accounts_loader **cfg_accounts_state(struct loader *l)
{
        return &l->accounts;
}

size_t cfg_max_url_length(struct loader *l)
{
        size_t i_len = setting_index("max_url_length");

        return l->setting_set[i_len] ? (size_t)l->cfg->settings.max_url_length
                                     : URL_LENGTH_FALLBACK;
}

void **cfg_notify_scratch(struct loader *l)
{
        return &l->notify;
}

/* ---- content checks: settings that refer to classes ---------------------------------- */

/* settings.guides.classes and settings.interpretation.policy_classes name classes: each
 * must be one (by id or by name). */
static void check_class_list(struct loader *l, const char *key)
{
        size_t i = setting_index(key);
        const struct strv *v =
                (const struct strv *)((const char *)&l->cfg->settings + settings_table[i].offset);
        char path[96];

        if (!l->setting_set[i])
                return;
        for (size_t k = 0; k < v->n; k++)
                if (!find_class(l->cfg, v->items[k]))
                        cfg_report(l, l->setting_at[i], "%s[%zu]: unknown class '%s'",
                               setting_path(i, path, sizeof(path)), k + 1, v->items[k]);
}

static void check_content_settings(struct loader *l)
{
        size_t i = setting_index("elements");
        char path[96];

        check_class_list(l, "policy_classes");
        /* "classes" of guides: the key is shared with no other section. */
        check_class_list(l, "classes");
        /* "办理材料|申请材料": no empty alternative. */
        for (size_t k = 0; l->setting_set[i] && k < l->cfg->settings.guide_elements.n; k++) {
                const char *e = l->cfg->settings.guide_elements.items[k];
                if (e[0] == '|' || str_endswith(e, "|") || strstr(e, "||"))
                        cfg_report(l, l->setting_at[i], "%s[%zu]: '%s' has an empty alternative",
                               setting_path(i, path, sizeof(path)), k + 1, e);
        }
}

static void content_settings_free(struct rule_settings *s)
{
        struct strv *lists[] = {
                &s->hidden_link_words,  &s->trusted_hosts,      &s->site_metas,
                &s->article_metas,
                &s->guide_classes,      &s->guide_elements,     &s->guide_placeholders,
                &s->guide_none_allowed, &s->guide_form_words,   &s->policy_classes,
                &s->interpretation_words, &s->multiform_words,  &s->video_hosts,
        };
        for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
                strv_free(lists[i]);
        rule_regex_free(s->site_id_code);
        rule_regex_free(s->footer_site_id);
        rule_regex_free(s->footer_icp);
        rule_regex_free(s->footer_police);
}

static void loader_finish(struct loader *l)
{
        cfg_notify_finish(l);
        for (size_t i = 0; i < l->n_units; i++)
                unit_clear(&l->units[i].u);
        free(l->units);
        for (size_t i = 0; i < l->n_classes; i++)
                class_clear(&l->classes[i].c);
        free(l->classes);
        for (size_t i = 0; i < l->n_sites; i++)
                site_def_clear(&l->sites[i]);
        free(l->sites);
}

int rule_config_load(const char *dir, struct rule_config **ret, struct strv *errors)
{
        struct loader l = {.dir = dir, .errors = errors};
        int r;

        l.cfg = xcalloc(1, sizeof(*l.cfg));

        r = list_files(&l, &l.cfg->files);
        if (r < 0)
                goto out;

        for (size_t i = 0; i < l.cfg->files.n; i++)
                load_file(&l, l.cfg->files.items[i]);

        check_settings(&l);
        build_units(&l);
        build_classes(&l);
        check_content_settings(&l);
        build_sites(&l);
        for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
                if (sections[i].build)
                        sections[i].build(&l);

        if (l.n_errors > 0) {
                r = l.io_error ? -EIO : -EINVAL;
                goto out;
        }
        *ret = l.cfg;
        l.cfg = NULL;
        r = 0;
out:
        loader_finish(&l);
        rule_config_free(l.cfg);
        return r;
}

void rule_config_free(struct rule_config *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n_units; i++)
                unit_clear(&c->units[i]);
        free(c->units);
        for (size_t i = 0; i < c->n_classes; i++)
                class_clear(&c->classes[i]);
        free(c->classes);
        for (size_t i = 0; i < c->n_sites; i++) {
                struct rule_site *s = &c->sites[i];
                for (size_t j = 0; j < s->n_columns; j++) {
                        free(s->columns[j].name);
                        free(s->columns[j].url);
                        free(s->columns[j].item_selector);
                        free(s->columns[j].file);
                }
                free(s->columns);
                free(s->id);
                free(s->name);
                free(s->base_url);
                free(s->homepage);
                free(s->media_page);
                rule_regex_free(s->guide_pages);
                free(s->file);
                strv_free(&s->internal_hosts);
        }
        free(c->sites);
        free(c->settings.user_agent);
        strv_free(&c->settings.blank_placeholders);
        strv_free(&c->settings.media_platform_hosts);
        for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
                if (sections[i].release)
                        sections[i].release(c);
        content_settings_free(&c->settings);
        strv_free(&c->settings.soft404_titles);
        strv_free(&c->files);
        free(c);
}

const struct rule_site *rule_config_site(const struct rule_config *c, const char *id_or_name)
{
        for (size_t i = 0; i < c->n_sites; i++)
                if (streq_ptr(c->sites[i].id, id_or_name))
                        return &c->sites[i];
        for (size_t i = 0; i < c->n_sites; i++)
                if (streq_ptr(c->sites[i].name, id_or_name))
                        return &c->sites[i];
        return NULL;
}

void rule_config_internal_hosts(const struct rule_config *c, const struct rule_site *const *sites,
                                size_t n, struct strv *ret)
{
        if (!sites)
                n = c->n_sites;
        for (size_t i = 0; i < n; i++) {
                const struct rule_site *site = sites ? sites[i] : &c->sites[i];
                for (size_t k = 0; k < site->internal_hosts.n; k++)
                        if (!strv_contains(ret, site->internal_hosts.items[k]))
                                strv_push(ret, site->internal_hosts.items[k]);
        }
}

const struct rule_unit *rule_config_unit(const struct rule_config *c, const char *id_or_name)
{
        return find_unit(c, id_or_name);
}
