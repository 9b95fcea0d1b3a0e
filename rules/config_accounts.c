/* rules.d "accounts": the ledger (台账) of the government's new-media accounts (政务新媒体)
 * — each account's name, platform type, owning unit (主办单位), filing status (备案, or
 * 注销 once closed) and where its posts can be read. A later file replaces an account of
 * the same id whole, as units and sites are replaced. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crawler/url.h"
#include "rules/config_internal.h"

struct account_def {
        struct rule_account a;
        char *unit;
        char *url, *feed_url;
        bool has_max_age;
        struct pos at, unit_at, url_at, feed_url_at;
};

struct accounts_loader {
        struct account_def *defs;
        size_t n;
};

static const struct {
        const char *id, *label;
        /* Other names offices write in their ledgers (seed 000's 台账, seed 002's 汇总表). */
        const char *aliases[4];
} account_types[N_ACCOUNT_TYPES] = {
        [ACCOUNT_WECHAT] = {"wechat", "微信公众号", {"公众号", "微信订阅号", "微信服务号", "微信"}},
        [ACCOUNT_CHANNELS] = {"channels", "微信视频号", {"视频号"}},
        [ACCOUNT_DOUYIN] = {"douyin", "抖音号", {"抖音"}},
        [ACCOUNT_WEIBO] = {"weibo", "微博", {"新浪微博", "政务微博"}},
        [ACCOUNT_MINIPROGRAM] = {"miniprogram", "小程序", {"微信小程序", "支付宝小程序"}},
        [ACCOUNT_OTHER] = {"other", "其他", {"其它"}},
};

const char *rule_account_type_id(enum rule_account_type t)
{
        return (size_t)t < N_ACCOUNT_TYPES ? account_types[t].id : "?";
}

const char *rule_account_type_label(enum rule_account_type t)
{
        return (size_t)t < N_ACCOUNT_TYPES ? account_types[t].label : "?";
}

static bool parse_type(const char *s, enum rule_account_type *ret)
{
        for (int t = 0; t < N_ACCOUNT_TYPES; t++) {
                bool match = streq(s, account_types[t].id) || streq(s, account_types[t].label);
                for (size_t k = 0; !match && k < ARRAY_SIZE(account_types[t].aliases); k++)
                        match = streq_ptr(s, account_types[t].aliases[k]);
                if (match) {
                        *ret = (enum rule_account_type)t;
                        return true;
                }
        }
        return false;
}

/* 备案 / 注销 as the ledgers write them, or active / closed. */
static bool parse_status(const char *s, bool *ret_closed)
{
        static const char *const active[] = {"active", "备案", "已备案", "正常"};
        static const char *const closed[] = {"closed", "注销", "已注销", "关停", "已关停"};

        for (size_t i = 0; i < ARRAY_SIZE(active); i++)
                if (streq(s, active[i])) {
                        *ret_closed = false;
                        return true;
                }
        for (size_t i = 0; i < ARRAY_SIZE(closed); i++)
                if (streq(s, closed[i])) {
                        *ret_closed = true;
                        return true;
                }
        return false;
}

static bool parse_day(const char *s, xj_day *ret)
{
        int y, m, d, n = 0;

        if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
            s[4] != '-' || s[7] != '-' || !civil_valid(y, m, d))
                return false;
        *ret = day_from_civil(y, m, d);
        return true;
}

static void account_clear(struct rule_account *a)
{
        free(a->id);
        free(a->name);
        free(a->url);
        free(a->feed_url);
        free(a->feed_format);
        free(a->feed_items);
        free(a->file);
}

static void def_clear(struct account_def *d)
{
        account_clear(&d->a);
        free(d->unit);
        free(d->url);
        free(d->feed_url);
}

static void load_feed(struct loader *l, const char *path, const struct ynode *val,
                      struct account_def *def)
{
        static const char *const formats[] = {"rss", "atom", "json", "html"};
        struct field f[] = {{.name = "url"}, {.name = "format"}, {.name = "items"}};
        _cleanup_free_ char *format = NULL;
        bool known = false;

        if (!cfg_expect_map(l, path, val))
                return;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));
        if (cfg_require(l, val->pos, path, &f[0])) {
                _cleanup_free_ char *sub = xasprintf("%s.url", path);
                if (cfg_get_string(l, sub, f[0].val, false, &def->feed_url))
                        def->feed_url_at = f[0].val->pos;
        }
        if (cfg_require(l, val->pos, path, &f[1])) {
                _cleanup_free_ char *sub = xasprintf("%s.format", path);
                if (cfg_get_string(l, sub, f[1].val, false, &format)) {
                        for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
                                known |= streq(format, formats[i]);
                        if (known)
                                def->a.feed_format = xstrdup(format);
                        else
                                cfg_report(l, f[1].val->pos,
                                           "%s: unknown feed format '%s' (known: rss, atom, "
                                           "json, html)",
                                           sub, format);
                }
        }
        if (f[2].key) {
                _cleanup_free_ char *sub = xasprintf("%s.items", path);
                if (cfg_get_string(l, sub, f[2].val, false, &def->a.feed_items) && known &&
                    !streq(format, "html")) {
                        cfg_report(l, f[2].val->pos,
                                   "%s: an item selector only applies to format html", sub);
                        free_and_null(&def->a.feed_items);
                }
        }
}

static void load_account(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        struct accounts_loader **state = cfg_accounts_state(l);
        _cleanup_free_ char *path = xasprintf("accounts.%s", key->text);
        struct field f[] = {
                {.name = "name"},   {.name = "type"}, {.name = "unit"},
                {.name = "status"}, {.name = "closed"}, {.name = "url"},
                {.name = "feed"},   {.name = "max_age_days"},
        };
        struct field *f_name = &f[0], *f_type = &f[1], *f_unit = &f[2], *f_status = &f[3],
                     *f_closed = &f[4], *f_url = &f[5], *f_feed = &f[6], *f_age = &f[7];
        struct account_def def = {.a.id = xstrdup(key->text), .at = key->pos};
        _cleanup_free_ char *type = NULL, *status = NULL, *closed = NULL;

        if (!cfg_expect_map(l, path, val))
                goto store;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));

        if (cfg_require(l, key->pos, path, f_name)) {
                _cleanup_free_ char *sub = xasprintf("%s.name", path);
                cfg_get_string(l, sub, f_name->val, false, &def.a.name);
        }
        if (cfg_require(l, key->pos, path, f_type)) {
                _cleanup_free_ char *sub = xasprintf("%s.type", path);
                if (cfg_get_string(l, sub, f_type->val, false, &type) &&
                    !parse_type(type, &def.a.type))
                        cfg_report(l, f_type->val->pos,
                                   "%s: unknown account type '%s' (known: 微信公众号/wechat, "
                                   "微信视频号/channels, 抖音号/douyin, 微博/weibo, "
                                   "小程序/miniprogram, 其他/other)",
                                   sub, type);
        }
        if (cfg_require(l, key->pos, path, f_unit)) {
                _cleanup_free_ char *sub = xasprintf("%s.unit", path);
                if (cfg_get_string(l, sub, f_unit->val, false, &def.unit))
                        def.unit_at = f_unit->val->pos;
        }
        if (cfg_require(l, key->pos, path, f_status)) {
                _cleanup_free_ char *sub = xasprintf("%s.status", path);
                if (cfg_get_string(l, sub, f_status->val, false, &status) &&
                    !parse_status(status, &def.a.closed))
                        cfg_report(l, f_status->val->pos,
                                   "%s: unknown status '%s' (备案/active or 注销/closed)", sub,
                                   status);
        }
        if (f_closed->key) {
                _cleanup_free_ char *sub = xasprintf("%s.closed", path);
                if (cfg_get_string(l, sub, f_closed->val, false, &closed)) {
                        if (!parse_day(closed, &def.a.closed_day))
                                cfg_report(l, f_closed->val->pos,
                                           "%s: \"%s\" is not a date (YYYY-MM-DD)", sub, closed);
                        else if (status && !def.a.closed)
                                cfg_report(l, f_closed->val->pos,
                                           "%s: a closing date needs status 注销 (closed), "
                                           "not '%s'",
                                           sub, status);
                        else
                                def.a.has_closed_day = true;
                }
        }
        if (f_url->key) {
                _cleanup_free_ char *sub = xasprintf("%s.url", path);
                if (cfg_get_string(l, sub, f_url->val, false, &def.url))
                        def.url_at = f_url->val->pos;
        }
        if (f_feed->key && !cfg_ynode_is_null(f_feed->val)) {
                _cleanup_free_ char *sub = xasprintf("%s.feed", path);
                load_feed(l, sub, f_feed->val, &def);
        }
        if (f_age->key) {
                _cleanup_free_ char *sub = xasprintf("%s.max_age_days", path);
                def.has_max_age = cfg_get_int(l, sub, f_age->val, 1, 3650, &def.a.max_age_days);
        }

store:
        if (!*state)
                *state = xcalloc(1, sizeof(**state));
        for (size_t i = 0; i < (*state)->n; i++)
                if (streq((*state)->defs[i].a.id, def.a.id)) {
                        def_clear(&(*state)->defs[i]);
                        (*state)->defs[i] = def;
                        return;
                }
        (*state)->defs = xreallocarray((*state)->defs, (*state)->n + 1, sizeof(*(*state)->defs));
        (*state)->defs[(*state)->n++] = def;
}

void cfg_load_accounts(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        if (cfg_ynode_is_null(val) || !cfg_expect_map(l, "accounts", val))
                return;
        for (size_t i = 0; i < cfg_map_size(val); i++)
                if (cfg_check_key(l, val, i, "accounts"))
                        load_account(l, val->kids[2 * i], val->kids[2 * i + 1]);
}

/* Normalises an account's page or feed URL; NULL (reported) when unusable. */
static char *account_url(struct loader *l, const char *url, struct pos at, const char *path)
{
        size_t max_len = cfg_max_url_length(l);
        char *norm = NULL;
        int r = url_normalize(url, max_len, &norm);

        if (r == -EPROTONOSUPPORT)
                cfg_report(l, at, "%s: '%s' is not an http or https URL", path, url);
        else if (r == -E2BIG)
                cfg_report(l, at, "%s: '%s' is longer than settings.crawl.max_url_length (%zu)",
                           path, url, max_len);
        else if (r < 0)
                cfg_report(l, at, "%s: '%s' is not a valid (absolute) URL", path, url);
        return r < 0 ? NULL : norm;
}

void cfg_build_accounts(struct loader *l)
{
        struct accounts_loader *state = *cfg_accounts_state(l);
        struct rule_config *c = cfg_config(l);
        size_t n = state ? state->n : 0;

        /* Violations of the ledger are kept under the scope "media" (cli/media.c); a site
         * of that id would share its violations. */
        for (size_t i = 0; i < c->n_sites; i++)
                if (streq_ptr(c->sites[i].id, "media"))
                        cfg_report(l, (struct pos){c->sites[i].file, c->sites[i].line, 3},
                                   "sites.media: the id 'media' is reserved for the new-media "
                                   "ledger's findings; choose another site id");

        c->accounts = xcalloc(n ? n : 1, sizeof(*c->accounts));
        c->n_accounts = n;
        for (size_t i = 0; i < n; i++) {
                struct account_def *d = &state->defs[i];
                struct rule_account *a = &c->accounts[i];
                _cleanup_free_ char *path = xasprintf("accounts.%s", d->a.id);

                *a = d->a;
                d->a = (struct rule_account){0};
                a->file = xstrdup(d->at.file);
                a->line = d->at.line;
                if (!d->has_max_age)
                        a->max_age_days = c->settings.media_max_age_days[a->type];
                if (d->unit) {
                        _cleanup_free_ char *sub = xasprintf("%s.unit", path);
                        a->unit = rule_config_unit(c, d->unit);
                        if (!a->unit)
                                cfg_report(l, d->unit_at,
                                           "%s: unknown unit '%s' (neither the id nor the name "
                                           "of an entry under units)",
                                           sub, d->unit);
                }
                if (d->url) {
                        _cleanup_free_ char *sub = xasprintf("%s.url", path);
                        a->url = account_url(l, d->url, d->url_at, sub);
                }
                if (d->feed_url) {
                        _cleanup_free_ char *sub = xasprintf("%s.feed.url", path);
                        a->feed_url = account_url(l, d->feed_url, d->feed_url_at, sub);
                }
                /* The same name may be used on two platforms (a 公众号 and a 视频号 each
                 * filed on its own, seed 000), but not twice on one. */
                for (size_t j = 0; j < i; j++)
                        if (a->name && streq_ptr(a->name, c->accounts[j].name) &&
                            a->type == c->accounts[j].type)
                                cfg_report(l, d->at,
                                           "%s.name: '%s' is already the name of the %s "
                                           "accounts.%s (%s:%d)",
                                           path, a->name, rule_account_type_label(a->type),
                                           c->accounts[j].id, c->accounts[j].file,
                                           c->accounts[j].line);
        }

        for (size_t i = 0; i < n; i++)
                def_clear(&state->defs[i]);
        if (state)
                free(state->defs);
        free(state);
        *cfg_accounts_state(l) = NULL;
}

void cfg_release_accounts(struct rule_config *c)
{
        for (size_t i = 0; i < c->n_accounts; i++)
                account_clear(&c->accounts[i]);
        free(c->accounts);
        c->accounts = NULL;
        c->n_accounts = 0;
}

const struct rule_account *rule_config_account(const struct rule_config *c, const char *id)
{
        for (size_t i = 0; i < c->n_accounts; i++)
                if (streq_ptr(c->accounts[i].id, id))
                        return &c->accounts[i];
        return NULL;
}
