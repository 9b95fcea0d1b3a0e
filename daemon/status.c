/* `xunjian status` and the metrics file: what the store says about the daemon's jobs, the
 * last scans, the open violations and tickets; see daemon.h. */
#include "daemon/daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "common/json.h"
#include "common/log.h"
#include "common/xtime.h"
#include "daemon/schedule.h"

/* ---- gathering -------------------------------------------------------------------------- */

struct job_row {
        char *site, *kind, *result, *error;
        int64_t next_run, last_start, last_end, last_success, runs;
        double seconds;
};

struct count_row {
        char *site, *unit, *rule, *severity, *kind;
        int64_t count;
};

struct scan_row {
        const char *site;
        bool found;
        int64_t id, started_at, finished_at, pages, checked, errors, findings;
};

struct status {
        struct job_row *jobs;
        size_t n_jobs;
        struct count_row *violations, *tickets, *mails;
        size_t n_violations, n_tickets, n_mails;
        struct scan_row *scans;         /* one per configured site */
        size_t n_scans;
};

static char *dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

static int take_job(const struct store_job *j, void *userdata)
{
        struct status *st = userdata;

        st->jobs = xreallocarray(st->jobs, st->n_jobs + 1, sizeof(*st->jobs));
        st->jobs[st->n_jobs++] = (struct job_row){
                .site = xstrdup(j->site),
                .kind = xstrdup(j->kind),
                .result = dup_or_null(j->last_result),
                .error = dup_or_null(j->last_error),
                .next_run = j->next_run,
                .last_start = j->last_start,
                .last_end = j->last_end,
                .last_success = j->last_success,
                .runs = j->runs,
                .seconds = j->last_seconds,
        };
        return 0;
}

struct count_list {
        struct count_row **rows;
        size_t *n;
};

static int take_count(const struct store_status_count *c, void *userdata)
{
        struct count_list *l = userdata;

        *l->rows = xreallocarray(*l->rows, *l->n + 1, sizeof(**l->rows));
        (*l->rows)[(*l->n)++] = (struct count_row){
                .site = xstrdup(c->site),
                .unit = xstrdup(c->unit),
                .rule = xstrdup(c->rule),
                .severity = xstrdup(c->severity),
                .kind = xstrdup(c->kind),
                .count = c->count,
        };
        return 0;
}

static int take_scan(const struct store_scan *scan, void *userdata)
{
        struct scan_row *row = userdata;

        row->found = true;
        row->id = scan->id;
        row->started_at = scan->started_at;
        row->finished_at = scan->finished_at;
        row->pages = scan->stats.pages;
        row->checked = scan->stats.checked;
        row->errors = scan->stats.errors;
        row->findings = scan->stats.findings;
        return 0;
}

static void status_free(struct status *st)
{
        for (size_t i = 0; i < st->n_jobs; i++) {
                free(st->jobs[i].site);
                free(st->jobs[i].kind);
                free(st->jobs[i].result);
                free(st->jobs[i].error);
        }
        free(st->jobs);
        struct count_row *lists[] = {st->violations, st->tickets, st->mails};
        size_t ns[] = {st->n_violations, st->n_tickets, st->n_mails};
        for (size_t k = 0; k < ARRAY_SIZE(lists); k++) {
                for (size_t i = 0; i < ns[k]; i++) {
                        free(lists[k][i].site);
                        free(lists[k][i].unit);
                        free(lists[k][i].rule);
                        free(lists[k][i].severity);
                        free(lists[k][i].kind);
                }
                free(lists[k]);
        }
        free(st->scans);
}

struct gather {
        struct store *store;
        const struct rule_config *config;
        struct status *st;
};

static int gather_snapshot(void *userdata)
{
        struct gather *g = userdata;
        struct status *st = g->st;
        int r;

        r = store_jobs_foreach(g->store, take_job, st);
        if (r == 0)
                r = store_status_violations(g->store, take_count,
                                            &(struct count_list){&st->violations,
                                                                 &st->n_violations});
        if (r == 0)
                r = store_status_tickets(g->store, take_count,
                                         &(struct count_list){&st->tickets, &st->n_tickets});
        if (r == 0)
                r = store_status_mails(g->store, take_count,
                                       &(struct count_list){&st->mails, &st->n_mails});
        st->scans = xcalloc(g->config->n_sites + 1, sizeof(*st->scans));
        for (size_t i = 0; r == 0 && i < g->config->n_sites; i++) {
                struct scan_row *row = &st->scans[st->n_scans++];
                row->site = g->config->sites[i].id;
                r = store_scan_last_crawl(g->store, row->site, take_scan, row);
                if (r == -ENOENT)
                        r = 0;
        }
        return r;
}

/* Everything in one read snapshot, so the numbers agree with each other. */
static int status_gather(struct store *store, const struct rule_config *config,
                         struct status *st)
{
        struct gather g = {store, config, st};

        return store_report_snapshot(store, gather_snapshot, &g);
}

/* ---- metrics ------------------------------------------------------------------------------ */

/* A label value in the exposition format: backslash, double quote and line feed escaped. */
static void label(struct buf *b, const char *name, const char *value, bool first)
{
        buf_appendf(b, "%s%s=\"", first ? "" : ",", name);
        for (const char *p = value ? value : ""; *p; p++) {
                if (*p == '\\')
                        buf_appends(b, "\\\\");
                else if (*p == '"')
                        buf_appends(b, "\\\"");
                else if (*p == '\n')
                        buf_appends(b, "\\n");
                else
                        buf_append(b, p, 1);
        }
        buf_appends(b, "\"");
}

static void help(struct buf *b, const char *name, const char *type, const char *text)
{
        buf_appendf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

int daemon_metrics_render(struct store *store, const struct rule_config *config, int64_t now,
                          struct buf *out)
{
        struct status st = {0};
        int r = status_gather(store, config, &st);

        if (r < 0)
                goto out;
        help(out, "xunjian_job_last_success_timestamp_seconds", "gauge",
             "End of the job's last successful run (daemon clock).");
        for (size_t i = 0; i < st.n_jobs; i++) {
                buf_appends(out, "xunjian_job_last_success_timestamp_seconds{");
                label(out, "site", st.jobs[i].site, true);
                label(out, "kind", st.jobs[i].kind, false);
                buf_appendf(out, "} %" PRId64 "\n", st.jobs[i].last_success);
        }
        help(out, "xunjian_job_last_duration_seconds", "gauge",
             "Real time the job's last run took.");
        for (size_t i = 0; i < st.n_jobs; i++) {
                buf_appends(out, "xunjian_job_last_duration_seconds{");
                label(out, "site", st.jobs[i].site, true);
                label(out, "kind", st.jobs[i].kind, false);
                buf_appendf(out, "} %.3f\n", st.jobs[i].seconds);
        }
        help(out, "xunjian_job_last_result", "gauge",
             "1 for the result of the job's last run (ok, failed, interrupted).");
        for (size_t i = 0; i < st.n_jobs; i++) {
                static const char *const results[] = {"ok", "failed", "interrupted"};
                for (size_t k = 0; k < ARRAY_SIZE(results); k++) {
                        buf_appends(out, "xunjian_job_last_result{");
                        label(out, "site", st.jobs[i].site, true);
                        label(out, "kind", st.jobs[i].kind, false);
                        label(out, "result", results[k], false);
                        buf_appendf(out, "} %d\n", streq_ptr(st.jobs[i].result, results[k]));
                }
        }
        help(out, "xunjian_job_runs_total", "counter", "Runs of the job begun.");
        for (size_t i = 0; i < st.n_jobs; i++) {
                buf_appends(out, "xunjian_job_runs_total{");
                label(out, "site", st.jobs[i].site, true);
                label(out, "kind", st.jobs[i].kind, false);
                buf_appendf(out, "} %" PRId64 "\n", st.jobs[i].runs);
        }
        help(out, "xunjian_scan_pages", "gauge", "Pages parsed by the site's last complete scan.");
        for (size_t i = 0; i < st.n_scans; i++)
                if (st.scans[i].found) {
                        buf_appends(out, "xunjian_scan_pages{");
                        label(out, "site", st.scans[i].site, true);
                        buf_appendf(out, "} %" PRId64 "\n", st.scans[i].pages);
                }
        help(out, "xunjian_scan_errors", "gauge",
             "Fetches that failed in the site's last complete scan.");
        for (size_t i = 0; i < st.n_scans; i++)
                if (st.scans[i].found) {
                        buf_appends(out, "xunjian_scan_errors{");
                        label(out, "site", st.scans[i].site, true);
                        buf_appendf(out, "} %" PRId64 "\n", st.scans[i].errors);
                }
        help(out, "xunjian_open_violations", "gauge",
             "Open violations and warnings by site, rule and severity.");
        for (size_t i = 0; i < st.n_violations; i++) {
                buf_appends(out, "xunjian_open_violations{");
                label(out, "site", st.violations[i].site, true);
                label(out, "rule", st.violations[i].rule, false);
                label(out, "severity", st.violations[i].severity, false);
                label(out, "kind", st.violations[i].kind, false);
                label(out, "unit", st.violations[i].unit, false);
                buf_appendf(out, "} %" PRId64 "\n", st.violations[i].count);
        }
        help(out, "xunjian_open_tickets", "gauge", "Open tickets by unit and kind.");
        for (size_t i = 0; i < st.n_tickets; i++) {
                buf_appends(out, "xunjian_open_tickets{");
                label(out, "unit", st.tickets[i].unit, true);
                label(out, "kind", st.tickets[i].kind, false);
                buf_appendf(out, "} %" PRId64 "\n", st.tickets[i].count);
        }
        help(out, "xunjian_mails", "gauge", "Nightly messages by state (sent, failed...).");
        for (size_t i = 0; i < st.n_mails; i++) {
                buf_appends(out, "xunjian_mails{");
                label(out, "state", st.mails[i].kind, true);
                buf_appendf(out, "} %" PRId64 "\n", st.mails[i].count);
        }
        help(out, "xunjian_clock_seconds", "gauge", "The daemon's clock when this was written.");
        buf_appendf(out, "xunjian_clock_seconds %" PRId64 "\n", now);
out:
        status_free(&st);
        return r;
}

int daemon_metrics_write(struct store *store, const struct rule_config *config, int64_t now,
                         const char *path)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        struct buf b;
        FILE *f;
        int r;

        buf_init(&b, 16 << 20);
        r = daemon_metrics_render(store, config, now, &b);
        if (r < 0)
                goto out;
        f = fopen(tmp, "we");
        if (!f) {
                r = -errno;
                goto out;
        }
        if (b.len && fwrite(b.data, 1, b.len, f) != b.len)
                r = -EIO;
        if (fflush(f) != 0 || fsync(fileno(f)) != 0)
                r = r ? r : -errno;
        if (fclose(f) != 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void)unlink(tmp);
out:
        buf_free(&b);
        return r;
}

/* ---- xunjian status ------------------------------------------------------------------------ */

static const struct job_row *find_job(const struct status *st, const char *site, const char *kind)
{
        for (size_t i = 0; i < st->n_jobs; i++)
                if (streq(st->jobs[i].site, site) && streq(st->jobs[i].kind, kind))
                        return &st->jobs[i];
        return NULL;
}

static const char *fmt_time(int64_t t, char *buf)
{
        if (!t)
                return "-";
        return time_format_iso8601(t, buf);
}

static void json_time(struct buf *b, int64_t t)
{
        char when[32];

        json_append_string(b, t ? time_format_iso8601(t, when) : NULL);
}

static void json_job(struct buf *b, const char *kind, const struct job_row *j)
{
        json_append_string(b, kind);
        buf_appends(b, ":{\"last_start\":");
        json_time(b, j ? j->last_start : 0);
        buf_appends(b, ",\"last_end\":");
        json_time(b, j ? j->last_end : 0);
        buf_appends(b, ",\"last_result\":");
        json_append_string(b, j ? j->result : NULL);
        buf_appends(b, ",\"last_error\":");
        json_append_string(b, j ? j->error : NULL);
        buf_appends(b, ",\"last_success\":");
        json_time(b, j ? j->last_success : 0);
        buf_appends(b, ",\"next_run\":");
        json_time(b, j ? j->next_run : 0);
        buf_appendf(b, ",\"runs\":%" PRId64 ",\"seconds\":%.3f}", j ? j->runs : 0,
                    j ? j->seconds : 0.0);
}

static void text_job(struct buf *b, enum job_kind k, const struct job_row *j)
{
        char t1[32], t2[32];

        if (!j) {
                buf_appendf(b, "    %-8s 尚未安排\n", job_kind_label(k));
                return;
        }
        buf_appendf(b, "    %s：上次 %s", job_kind_label(k), fmt_time(j->last_start, t1));
        if (j->result)
                buf_appendf(b, "（%s%s%s）", streq(j->result, "ok")       ? "成功"
                                             : streq(j->result, "failed") ? "失败"
                                                                          : "中断",
                            j->error ? "：" : "", j->error ? j->error : "");
        else if (j->last_start)
                buf_appends(b, "（进行中）");
        buf_appendf(b, "，下次 %s，共 %" PRId64 " 次\n", fmt_time(j->next_run, t2), j->runs);
}

static void render_status(const struct cli *cli, const struct rule_config *config,
                          const struct status *st, struct buf *b)
{
        static const enum job_kind site_kinds[] = {JOB_PROBE, JOB_SCAN, JOB_LINKS};
        bool json = cli->format == OUTPUT_JSON;

        if (json)
                buf_appends(b, "{\"sites\":[");
        for (size_t i = 0; i < st->n_scans; i++) {
                const struct rule_site *site = &config->sites[i];
                const struct scan_row *sc = &st->scans[i];
                int64_t open_v = 0, open_w = 0;

                for (size_t k = 0; k < st->n_violations; k++)
                        if (streq(st->violations[k].site, site->id)) {
                                if (streq(st->violations[k].kind, "violation"))
                                        open_v += st->violations[k].count;
                                else
                                        open_w += st->violations[k].count;
                        }
                if (json) {
                        buf_appends(b, i ? ",{\"site\":" : "{\"site\":");
                        json_append_string(b, site->id);
                        buf_appends(b, ",\"name\":");
                        json_append_string(b, site->name);
                        buf_appendf(b, ",\"enabled\":%s,\"jobs\":{",
                                    site->enabled ? "true" : "false");
                        for (size_t k = 0; k < ARRAY_SIZE(site_kinds); k++) {
                                const struct job_row *j =
                                        find_job(st, site->id, job_kind_id(site_kinds[k]));
                                /* Only a weekly-scanned site has a links job. */
                                if (site_kinds[k] == JOB_LINKS && !j)
                                        continue;
                                if (k)
                                        buf_appends(b, ",");
                                json_job(b, job_kind_id(site_kinds[k]), j);
                        }
                        buf_appends(b, "},\"last_scan\":");
                        if (sc->found) {
                                buf_appendf(b, "{\"id\":%" PRId64 ",\"started_at\":", sc->id);
                                json_time(b, sc->started_at);
                                buf_appends(b, ",\"finished_at\":");
                                json_time(b, sc->finished_at);
                                buf_appendf(b, ",\"pages\":%" PRId64 ",\"checked\":%" PRId64
                                               ",\"errors\":%" PRId64 ",\"findings\":%" PRId64 "}",
                                            sc->pages, sc->checked, sc->errors, sc->findings);
                        } else {
                                buf_appends(b, "null");
                        }
                        buf_appendf(b, ",\"open_violations\":%" PRId64 ",\"open_warnings\":%" PRId64
                                       "}",
                                    open_v, open_w);
                        continue;
                }
                buf_appendf(b, "%s（%s）%s\n", site->name, site->id, site->enabled ? "" : "（未启用）");
                for (size_t k = 0; k < ARRAY_SIZE(site_kinds); k++) {
                        const struct job_row *j = find_job(st, site->id, job_kind_id(site_kinds[k]));
                        if (site_kinds[k] != JOB_LINKS || j)
                                text_job(b, site_kinds[k], j);
                }
                if (sc->found) {
                        char t[32];
                        buf_appendf(b, "    最近完成的巡检 #%" PRId64 "（%s）：解析 %" PRId64
                                       " 个页面，检查 %" PRId64 " 个链接，失败 %" PRId64 " 个\n",
                                    sc->id, fmt_time(sc->started_at, t), sc->pages, sc->checked,
                                    sc->errors);
                } else {
                        buf_appends(b, "    尚无完成的巡检\n");
                }
                buf_appendf(b, "    未整改问题 %" PRId64 " 个，预警 %" PRId64 " 个\n", open_v, open_w);
        }
        if (json) {
                buf_appends(b, "],\"jobs\":{");
                json_job(b, "mail", find_job(st, "", "mail"));
                buf_appends(b, ",");
                json_job(b, "media", find_job(st, "", "media"));
                buf_appends(b, "},\"units\":[");
        } else {
                buf_appends(b, "全局任务\n");
                text_job(b, JOB_MAIL, find_job(st, "", "mail"));
                text_job(b, JOB_MEDIA, find_job(st, "", "media"));
                buf_appends(b, "各单位未整改问题与未办结单据\n");
        }
        /* Units: every unit that has an open violation or ticket, in the order met. */
        struct strv units = {0};
        for (size_t k = 0; k < st->n_violations; k++)
                if (!strv_contains(&units, st->violations[k].unit))
                        strv_push(&units, st->violations[k].unit);
        for (size_t k = 0; k < st->n_tickets; k++)
                if (!strv_contains(&units, st->tickets[k].unit))
                        strv_push(&units, st->tickets[k].unit);
        for (size_t u = 0; u < units.n; u++) {
                const char *unit = units.items[u];
                int64_t v = 0, w = 0, t[3] = {0};

                for (size_t k = 0; k < st->n_violations; k++)
                        if (streq(st->violations[k].unit, unit)) {
                                if (streq(st->violations[k].kind, "violation"))
                                        v += st->violations[k].count;
                                else
                                        w += st->violations[k].count;
                        }
                for (size_t k = 0; k < st->n_tickets; k++) {
                        enum ticket_kind tk;
                        if (streq(st->tickets[k].unit, unit) &&
                            ticket_kind_from_id(st->tickets[k].kind, &tk) == 0 && tk < 3)
                                t[tk] += st->tickets[k].count;
                }
                if (json) {
                        buf_appends(b, u ? ",{\"unit\":" : "{\"unit\":");
                        json_append_string(b, *unit ? unit : NULL);
                        buf_appendf(b, ",\"open_violations\":%" PRId64 ",\"open_warnings\":%" PRId64
                                       ",\"open_tickets\":{\"%s\":%" PRId64 ",\"%s\":%" PRId64
                                       ",\"%s\":%" PRId64 "}}",
                                    v, w, ticket_kind_id(0), t[0], ticket_kind_id(1), t[1],
                                    ticket_kind_id(2), t[2]);
                } else {
                        buf_appendf(b, "    %s：问题 %" PRId64 "，预警 %" PRId64 "；未办结%s %" PRId64
                                       "，%s %" PRId64 "，%s %" PRId64 "\n",
                                    *unit ? unit : "（无单位）", v, w, ticket_kind_label(0), t[0],
                                    ticket_kind_label(1), t[1], ticket_kind_label(2), t[2]);
                }
        }
        strv_free(&units);
        if (json)
                buf_appends(b, "]}\n");
}

int daemon_status(struct cli *cli)
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        struct status st = {0};
        struct buf b;
        int ret = EXIT_CLEAN;

        if (cli->format != OUTPUT_TEXT && cli->format != OUTPUT_JSON) {
                fprintf(stderr, "xunjian: status 只支持 --format text|json\n");
                return EXIT_USAGE;
        }
        if (cli_load_config(cli, &config) < 0)
                return EXIT_USAGE;
        if (cli_open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        buf_init(&b, 64 << 20);
        if (status_gather(store, config, &st) < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                ret = EXIT_RUNTIME;
        } else {
                render_status(cli, config, &st, &b);
                if (b.len)
                        fwrite(b.data, 1, b.len, cli->out);
        }
        buf_free(&b);
        status_free(&st);
        store_close(store);
        rule_config_free(config);
        return ret;
}
