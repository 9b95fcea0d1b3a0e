/* rules.d "office": the issuing office (政务公开办) as its documents name it — the 发文机关 of
 * the red header, the 签发单位 and its contact — the big screen's timing, and the key
 * columns of the monthly roll (seed 000 附件1: 重点栏目, 每周盯、月通报). A later file's office
 * replaces an earlier one's as a whole, as units do. */
#include <stdio.h>
#include <string.h>

#include "rules/config_internal.h"

/* One sentence or a title: it goes into headers and table cells of the printed 单. */
#define OFFICE_TEXT_MAX 200

static void key_column_clear(struct rule_key_column *k)
{
        free(k->area);
        free(k->site_id);
        free(k->column_name);
        free(k->file);
}

void cfg_release_office(struct rule_config *c)
{
        struct rule_office *o = &c->office;

        free(o->name);
        free(o->issuer);
        free(o->contact);
        free(o->cc);
        for (size_t i = 0; i < o->n_key_columns; i++)
                key_column_clear(&o->key_columns[i]);
        free(o->key_columns);
        *o = (struct rule_office){0};
}

/* A one-line text of bounded length (the office's names and contact). */
static bool get_line(struct loader *l, const char *path, const struct ynode *n, char **ret)
{
        char *s = NULL;

        if (!cfg_get_string(l, path, n, false, &s))
                return false;
        for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                if (*c < 0x20 || *c == 0x7f) {
                        cfg_report(l, n->pos, "%s: must be one line of printable text", path);
                        free(s);
                        return false;
                }
        if (utf8_length(s) > OFFICE_TEXT_MAX) {
                cfg_report(l, n->pos, "%s: longer than %d characters", path, OFFICE_TEXT_MAX);
                free(s);
                return false;
        }
        *ret = s;
        return true;
}

static void load_screen(struct loader *l, const struct ynode *val, struct rule_office *o)
{
        struct field f[] = {{.name = "seconds_per_unit"}, {.name = "refresh_s"}};

        if (!cfg_expect_map(l, "office.screen", val))
                return;
        cfg_match_fields(l, val, "office.screen", f, ARRAY_SIZE(f));
        if (cfg_require(l, val->pos, "office.screen", &f[0]))
                cfg_get_int(l, "office.screen.seconds_per_unit", f[0].val, 3, 600,
                            &o->screen_seconds);
        if (cfg_require(l, val->pos, "office.screen", &f[1]))
                cfg_get_int(l, "office.screen.refresh_s", f[1].val, 10, 86400,
                            &o->screen_refresh_s);
}

static void load_key_column(struct loader *l, const char *path, const struct ynode *val,
                            int min_monthly, struct rule_office *o)
{
        struct field f[] = {
                {.name = "column"},
                {.name = "site"},
                {.name = "area"},
                {.name = "min_monthly"},
        };
        struct rule_key_column k = {
                .min_monthly = min_monthly,
                .file = xstrdup(val->pos.file),
                .line = val->pos.line,
                .col = val->pos.col,
        };
        bool ok = true;

        if (!cfg_expect_map(l, path, val)) {
                key_column_clear(&k);
                return;
        }
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));
        if (cfg_require(l, val->pos, path, &f[0])) {
                _cleanup_free_ char *sub = xasprintf("%s.column", path);
                ok &= get_line(l, sub, f[0].val, &k.column_name);
        } else {
                ok = false;
        }
        if (f[1].key) {
                _cleanup_free_ char *sub = xasprintf("%s.site", path);
                ok &= cfg_get_string(l, sub, f[1].val, false, &k.site_id);
        }
        if (f[2].key) {
                _cleanup_free_ char *sub = xasprintf("%s.area", path);
                ok &= get_line(l, sub, f[2].val, &k.area);
        }
        if (f[3].key) {
                _cleanup_free_ char *sub = xasprintf("%s.min_monthly", path);
                ok &= cfg_get_int(l, sub, f[3].val, 0, 1000, &k.min_monthly);
        }
        if (!ok) {
                key_column_clear(&k);
                return;
        }
        o->key_columns = xreallocarray(o->key_columns, o->n_key_columns + 1,
                                       sizeof(*o->key_columns));
        o->key_columns[o->n_key_columns++] = k;
}

static void load_key_columns(struct loader *l, const struct ynode *val, struct rule_office *o)
{
        struct field f[] = {{.name = "min_monthly"}, {.name = "columns"}};
        int min_monthly = 0;

        if (!cfg_expect_map(l, "office.key_columns", val))
                return;
        cfg_match_fields(l, val, "office.key_columns", f, ARRAY_SIZE(f));
        if (!cfg_require(l, val->pos, "office.key_columns", &f[0]) ||
            !cfg_get_int(l, "office.key_columns.min_monthly", f[0].val, 0, 1000, &min_monthly))
                return;
        if (!cfg_require(l, val->pos, "office.key_columns", &f[1]))
                return;
        if (f[1].val->kind != Y_SEQ) {
                cfg_report_type(l, "office.key_columns.columns", f[1].val,
                                "a list of {column, site, area, min_monthly}");
                return;
        }
        for (size_t i = 0; i < f[1].val->n_kids; i++) {
                _cleanup_free_ char *path = xasprintf("office.key_columns.columns[%zu]", i + 1);
                load_key_column(l, path, f[1].val->kids[i], min_monthly, o);
        }
}

void cfg_load_office(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        struct field f[] = {
                {.name = "name"},
                {.name = "issuer"},
                {.name = "contact"},
                {.name = "cc"},
                {.name = "screen"},
                {.name = "key_columns"},
        };
        struct rule_office *o = &cfg_config(l)->office;

        if (cfg_ynode_is_null(val) || !cfg_expect_map(l, "office", val))
                return;
        /* The whole entry is replaced, so nothing of an earlier file's office lingers. */
        cfg_release_office(cfg_config(l));
        o->present = true;
        cfg_match_fields(l, val, "office", f, ARRAY_SIZE(f));
        if (cfg_require(l, key->pos, "office", &f[0]))
                get_line(l, "office.name", f[0].val, &o->name);
        if (cfg_require(l, key->pos, "office", &f[1]))
                get_line(l, "office.issuer", f[1].val, &o->issuer);
        if (f[2].key && !cfg_ynode_is_null(f[2].val))
                get_line(l, "office.contact", f[2].val, &o->contact);
        if (f[3].key && !cfg_ynode_is_null(f[3].val))
                get_line(l, "office.cc", f[3].val, &o->cc);
        if (cfg_require(l, key->pos, "office", &f[4]))
                load_screen(l, f[4].val, o);
        if (f[5].key && !cfg_ynode_is_null(f[5].val))
                load_key_columns(l, f[5].val, o);
}

static bool key_column_listed(const struct rule_key_column *rows, size_t n,
                              const struct rule_column *col)
{
        for (size_t i = 0; i < n; i++)
                if (rows[i].column == col)
                        return true;
        return false;
}

/* Resolves each key column as written into one row per (site, column) it names: a column
 * named without a site is the key column of every site that has a column of that name. */
void cfg_build_office(struct loader *l)
{
        struct rule_config *c = cfg_config(l);
        struct rule_office *o = &c->office;
        struct rule_key_column *rows = NULL;
        size_t n = 0;

        for (size_t i = 0; i < o->n_key_columns; i++) {
                struct rule_key_column *k = &o->key_columns[i];
                struct pos at = {.file = k->file, .line = k->line, .col = k->col};
                const struct rule_site *only = NULL;
                size_t found = 0;

                if (k->site_id) {
                        only = rule_config_site(c, k->site_id);
                        if (!only) {
                                cfg_report(l, at,
                                           "office.key_columns.columns[%zu]: unknown site '%s'",
                                           i + 1, k->site_id);
                                continue;
                        }
                }
                for (size_t s = 0; s < c->n_sites; s++) {
                        const struct rule_site *site = &c->sites[s];

                        if (only && site != only)
                                continue;
                        for (size_t j = 0; j < site->n_columns; j++) {
                                const struct rule_column *col = &site->columns[j];

                                if (!streq(col->name, k->column_name))
                                        continue;
                                found++;
                                if (key_column_listed(rows, n, col)) {
                                        cfg_report(l, at,
                                                   "office.key_columns.columns[%zu]: column '%s' "
                                                   "of site '%s' is listed twice",
                                                   i + 1, col->name, site->id);
                                        continue;
                                }
                                rows = xreallocarray(rows, n + 1, sizeof(*rows));
                                rows[n++] = (struct rule_key_column){
                                        .site = site,
                                        .column = col,
                                        .area = k->area ? xstrdup(k->area) : NULL,
                                        .min_monthly = k->min_monthly,
                                        .site_id = xstrdup(site->id),
                                        .column_name = xstrdup(col->name),
                                        .file = xstrdup(k->file),
                                        .line = k->line,
                                        .col = k->col,
                                };
                        }
                }
                if (found == 0 && only)
                        cfg_report(l, at,
                                   "office.key_columns.columns[%zu]: site '%s' has no column "
                                   "named '%s'",
                                   i + 1, only->id, k->column_name);
                else if (found == 0)
                        cfg_report(l, at,
                                   "office.key_columns.columns[%zu]: no site has a column named "
                                   "'%s'",
                                   i + 1, k->column_name);
        }
        for (size_t i = 0; i < o->n_key_columns; i++)
                key_column_clear(&o->key_columns[i]);
        free(o->key_columns);
        o->key_columns = rows;
        o->n_key_columns = n;
}
