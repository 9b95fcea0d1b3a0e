/* rules.d "daemon": when `xunjian daemon` runs its jobs — the seed of the probe times'
 * jitter, the full scan of every site (nightly or weekly at a time, a site may have its
 * own), when the new-media accounts are checked, how long a stop may take, and the
 * metrics file. A later
 * file overrides an earlier one key by key, as settings do; a site's own schedule replaces
 * that site's entry as a whole. Every key but sites is required. */
#include <stdio.h>
#include <string.h>

#include "rules/config_internal.h"

enum {
        SET_SEED = 1 << 0,
        SET_SCAN = 1 << 1,
        SET_STOP_TIMEOUT = 1 << 2,
        SET_METRICS_FILE = 1 << 3,
        SET_MEDIA_TIME = 1 << 4,
};

static const char *const key_names[] = {"seed", "scan", "stop_timeout_s", "metrics_file",
                                        "media_time"};

static const char *const weekday_names[] = {"sunday",   "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};

void cfg_release_daemon(struct rule_config *c)
{
        struct rule_daemon *d = &c->daemon;

        for (size_t i = 0; i < d->n_site_scans; i++)
                free(d->site_scans[i].site);
        free(d->site_scans);
        free(d->metrics_file);
        *d = (struct rule_daemon){0};
}

const struct rule_scan_schedule *rule_config_scan_schedule(const struct rule_config *c,
                                                           const struct rule_site *site)
{
        for (size_t i = 0; site && i < c->daemon.n_site_scans; i++)
                if (streq(c->daemon.site_scans[i].site, site->id))
                        return &c->daemon.site_scans[i];
        return &c->daemon.scan;
}

/* {frequency: nightly|weekly, time: "HH:MM", weekday: sunday..saturday (weekly only)}. */
static bool load_schedule(struct loader *l, const char *path, const struct ynode *val,
                          struct rule_scan_schedule *ret)
{
        struct field f[] = {{.name = "frequency"}, {.name = "time"}, {.name = "weekday"}};
        struct rule_scan_schedule s = {
                .file = val->pos.file,
                .line = val->pos.line,
                .col = val->pos.col,
        };
        _cleanup_free_ char *freq = NULL, *sub = NULL;
        bool ok = true;

        if (!cfg_expect_map(l, path, val))
                return false;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));
        if (!cfg_require(l, val->pos, path, &f[0]) || !cfg_require(l, val->pos, path, &f[1]))
                return false;
        sub = xasprintf("%s.frequency", path);
        if (!cfg_get_string(l, sub, f[0].val, false, &freq))
                return false;
        if (streq(freq, "nightly")) {
                s.frequency = SCAN_NIGHTLY;
        } else if (streq(freq, "weekly")) {
                s.frequency = SCAN_WEEKLY;
        } else {
                cfg_report(l, f[0].val->pos, "%s: must be nightly or weekly (got '%s')", sub,
                           freq);
                ok = false;
        }
        free(sub);
        sub = xasprintf("%s.time", path);
        ok &= cfg_get_time(l, sub, f[1].val, &s.hour, &s.minute);
        free(sub);
        sub = xasprintf("%s.weekday", path);
        if (ok && s.frequency == SCAN_WEEKLY && !f[2].key) {
                cfg_report(l, val->pos, "%s: a weekly scan needs weekday (sunday ... saturday)",
                           path);
                ok = false;
        } else if (f[2].key) {
                _cleanup_free_ char *day = NULL;
                size_t k = ARRAY_SIZE(weekday_names);

                if (cfg_get_string(l, sub, f[2].val, false, &day))
                        for (k = 0; k < ARRAY_SIZE(weekday_names); k++)
                                if (streq(day, weekday_names[k]))
                                        break;
                if (k == ARRAY_SIZE(weekday_names)) {
                        if (day)
                                cfg_report(l, f[2].val->pos,
                                           "%s: must be sunday, monday, ... or saturday "
                                           "(got '%s')",
                                           sub, day);
                        ok = false;
                } else if (s.frequency == SCAN_NIGHTLY) {
                        cfg_report(l, f[2].val->pos, "%s: only a weekly scan has a weekday",
                                   sub);
                        ok = false;
                } else {
                        s.weekday = (int)k;
                }
        }
        if (ok)
                *ret = s;
        return ok;
}

static void load_sites(struct loader *l, const struct ynode *val, struct rule_daemon *d)
{
        if (cfg_ynode_is_null(val) || !cfg_expect_map(l, "daemon.sites", val))
                return;
        for (size_t i = 0; i < cfg_map_size(val); i++) {
                const struct ynode *k = val->kids[2 * i], *v = val->kids[2 * i + 1];
                struct rule_scan_schedule s;
                size_t j;

                if (!cfg_check_key(l, val, i, "daemon.sites"))
                        continue;
                _cleanup_free_ char *path = xasprintf("daemon.sites.%s", k->text);
                if (!load_schedule(l, path, v, &s))
                        continue;
                s.site = xstrdup(k->text);
                for (j = 0; j < d->n_site_scans; j++)
                        if (streq(d->site_scans[j].site, s.site))
                                break;
                if (j < d->n_site_scans) {
                        free(d->site_scans[j].site);
                } else {
                        d->site_scans = xreallocarray(d->site_scans, d->n_site_scans + 1,
                                                      sizeof(*d->site_scans));
                        j = d->n_site_scans++;
                }
                d->site_scans[j] = s;
        }
}

void cfg_load_daemon(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        struct field f[] = {
                {.name = "seed"},           {.name = "scan"},  {.name = "stop_timeout_s"},
                {.name = "metrics_file"},   {.name = "sites"}, {.name = "media_time"},
        };
        struct rule_daemon *d = &cfg_config(l)->daemon;
        long v;

        if (!cfg_expect_map(l, "daemon", val))
                return;
        cfg_match_fields(l, val, "daemon", f, ARRAY_SIZE(f));
        if (f[0].key && cfg_get_long(l, "daemon.seed", f[0].val, 0, 2147483647L, &v)) {
                d->seed = (uint64_t)v;
                d->set |= SET_SEED;
        }
        if (f[1].key && load_schedule(l, "daemon.scan", f[1].val, &d->scan))
                d->set |= SET_SCAN;
        /* systemd's default TimeoutStopSec is 90 s: the daemon must be gone before. */
        if (f[2].key &&
            cfg_get_int(l, "daemon.stop_timeout_s", f[2].val, 1, 85, &d->stop_timeout_s))
                d->set |= SET_STOP_TIMEOUT;
        if (f[3].key) {
                char *s = NULL;

                if (cfg_ynode_is_null(f[3].val)) {
                        free_and_null(&d->metrics_file);
                        d->set |= SET_METRICS_FILE;
                } else if (cfg_get_string(l, "daemon.metrics_file", f[3].val, false, &s)) {
                        if (s[0] != '/') {
                                cfg_report(l, f[3].val->pos,
                                           "daemon.metrics_file: must be an absolute path "
                                           "(got '%s')",
                                           s);
                                free(s);
                        } else {
                                str_replace(&d->metrics_file, NULL);
                                d->metrics_file = s;
                                d->set |= SET_METRICS_FILE;
                        }
                }
        }
        if (f[4].key)
                load_sites(l, f[4].val, d);
        if (f[5].key && cfg_get_time(l, "daemon.media_time", f[5].val, &d->media_hour,
                                     &d->media_minute))
                d->set |= SET_MEDIA_TIME;
}

void cfg_build_daemon(struct loader *l)
{
        struct rule_config *c = cfg_config(l);
        struct rule_daemon *d = &c->daemon;
        struct pos first = {c->files.n ? c->files.items[0] : "rules.d", 1, 1};

        for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
                if (!(d->set & (1u << i)))
                        cfg_report(l, first,
                                   "daemon.%s is required (see docs/rules.md), and no file of "
                                   "the rules directory sets it",
                                   key_names[i]);
        for (size_t i = 0; i < d->n_site_scans; i++) {
                const struct rule_scan_schedule *s = &d->site_scans[i];
                struct pos at = {.file = s->file, .line = s->line, .col = s->col};

                if (!rule_config_site(c, s->site))
                        cfg_report(l, at, "daemon.sites: unknown site '%s'", s->site);
        }
}
