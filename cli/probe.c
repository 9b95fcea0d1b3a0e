/* `xunjian probe`: one availability probe of each site's homepage (站点无法访问), with the
 * probe's own time limit (settings.probe.timeout_s, 15 s), through the same HTTP engine as
 * the crawl. Each probe is stored; then the failure rate of each site's window (7 days) is
 * judged from the stored probes, its finding recorded in a probe scan of its own and
 * reconciled with the probe rules only, so a crawl's violations are left alone.
 * probe_run_start() works on the caller's loop, so that the daemon can run it from a timer
 * at spread-out times; cli_probe() is the subcommand around it. */
#include <errno.h>
#include <stdio.h>
#include <uv.h>

#include "cli/cli.h"
#include "common/json.h"
#include "common/log.h"
#include "crawler/http.h"
#include "rules/checks.h"

struct probe_site {
        struct probe_run *run;
        const struct rule_site *site;
        int64_t scan_id;
        bool done;                      /* the probe has an answer */
        bool concluded;                 /* its scan is complete and reconciled */
        struct probe_result result;
        char *error;
};

struct probe_run {
        uv_loop_t *loop;
        struct cli *cli;
        const struct rule_config *config;
        struct store *store;
        struct http_engine *http;
        struct probe_site *sites;
        size_t n_sites, pending;
        int store_error;
        probe_done_fn done;
        void *userdata;
};

static void on_finding(const struct store_finding *f, void *userdata)
{
        struct probe_site *ps = userdata;
        struct probe_run *run = ps->run;

        if (run->store_error)
                return;
        run->store_error = store_finding_add(run->store, ps->scan_id, f);
        if (run->store_error)
                log_error("%s: finding %s: %s", run->cli->db_path, f->rule,
                          store_errmsg(run->store));
}

/* The window's counts, the finding, the end of the probe scan and its reconciliation. */
static int conclude_site(struct probe_run *run, struct probe_site *ps)
{
        const struct rule_settings *set = &run->config->settings;
        int64_t now = run->cli->now;
        struct store_probe_counts counts;
        size_t n_rules = 0;
        int r;

        while (rule_probe_rules[n_rules])
                n_rules++;
        r = store_probe_counts(run->store, ps->site->id,
                               now - (int64_t)set->probe_window_days * 86400 + 1, now, &counts);
        if (r < 0)
                return r;
        ps->result.window = (struct rule_availability){
                .probes = counts.probes,
                .failures = counts.failures,
                .window_days = set->probe_window_days,
        };
        ps->result.state = rule_availability_judge(set, &ps->result.window);
        check_availability(run->config, ps->site, &ps->result.window, on_finding, ps);
        if (run->store_error)
                return run->store_error;
        r = store_scan_finish(run->store, ps->scan_id, SCAN_COMPLETE, now,
                              &(struct store_scan_stats){
                                      .checked = 1,
                                      .errors = ps->result.ok ? 0 : 1,
                                      .findings = ps->result.state >= AVAILABILITY_WARNING,
                              });
        if (r < 0)
                return r;
        r = store_reconcile(run->store, ps->scan_id, rule_probe_rules, n_rules, now, NULL);
        if (r == 0)
                ps->concluded = true;
        return r;
}

static void finish(struct probe_run *run)
{
        int r = run->store_error;

        for (size_t i = 0; i < run->n_sites && r == 0; i++) {
                r = conclude_site(run, &run->sites[i]);
                if (r < 0)
                        log_error("%s: 保存探测结果失败: %s", run->cli->db_path,
                                  store_errmsg(run->store));
        }
        run->done(run, r, run->userdata);
}

static void on_response(const struct http_response *resp, void *userdata)
{
        struct probe_site *ps = userdata;
        struct probe_run *run = ps->run;
        struct probe_result *res = &ps->result;
        bool answered = resp->failure == HTTP_OK || resp->failure == HTTP_FAIL_TOO_LARGE;

        res->status = resp->status;
        res->seconds = resp->seconds;
        /* Loaded means a 2xx answer with a page in it, within the limit; a body cut at the
         * size cap was still delivered. */
        if (!answered) {
                res->failure = http_failure_id(resp->failure);
                ps->error = xstrdup(resp->error ? resp->error : res->failure);
        } else if (resp->status < 200 || resp->status >= 300) {
                res->failure = "status";
                ps->error = xasprintf("HTTP %ld", resp->status);
        } else if (resp->body_len == 0) {
                res->failure = "empty";
                ps->error = xstrdup("页面内容为空");
        } else {
                res->ok = true;
        }
        res->error = ps->error;
        ps->done = true;

        int r = store_probe_add(run->store, ps->scan_id,
                                &(struct store_probe){
                                        .site = ps->site->id,
                                        .url = ps->site->homepage,
                                        .at = run->cli->now,
                                        .ok = res->ok,
                                        .status = res->status,
                                        .failure = res->failure,
                                        .error = res->error,
                                        .seconds = res->seconds,
                                });
        if (r < 0 && !run->store_error) {
                run->store_error = r;
                log_error("%s: %s", run->cli->db_path, store_errmsg(run->store));
        }
        if (--run->pending == 0)
                finish(run);
}

int probe_run_start(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                    struct store *store, const struct rule_site *const *sites, size_t n,
                    probe_done_fn done, void *userdata, struct probe_run **ret)
{
        const struct rule_settings *set = &config->settings;
        struct http_options http = {
                .connect_timeout_ms = set->connect_timeout_ms < set->probe_timeout_ms
                                              ? set->connect_timeout_ms
                                              : set->probe_timeout_ms,
                .timeout_ms = set->probe_timeout_ms,
                .max_body = (size_t)set->max_body_bytes,
                .max_redirects = set->max_redirects,
                .max_connections = set->max_connections,
                .max_host_connections = set->max_host_connections,
                .user_agent = set->user_agent,
        };
        _cleanup_(strv_free) struct strv internal = {0};
        struct probe_run *run;
        int r;

        if (n == 0 || !done)
                return -EINVAL;
        /* The engine copies them; a homepage on an intranet host is probed when its site
         * allows that host, as its scan is. */
        rule_config_internal_hosts(config, sites, n, &internal);
        http.internal_hosts = (const char *const *)internal.items;
        http.n_internal_hosts = internal.n;
        run = xcalloc(1, sizeof(*run));
        *run = (struct probe_run){
                .loop = loop,
                .cli = cli,
                .config = config,
                .store = store,
                .sites = xcalloc(n, sizeof(*run->sites)),
                .n_sites = n,
                .done = done,
                .userdata = userdata,
        };
        r = http_engine_new(loop, &http, &run->http);
        for (size_t i = 0; i < n && r == 0; i++) {
                struct probe_site *ps = &run->sites[i];
                *ps = (struct probe_site){.run = run, .site = sites[i]};
                r = store_probe_scan_begin(store, sites[i]->id, cli->now, &ps->scan_id);
                if (r < 0)
                        log_error("%s: %s", cli->db_path, store_errmsg(store));
        }
        for (size_t i = 0; i < n && r == 0; i++) {
                r = http_fetch(run->http, &(struct http_request){
                                                  .url = sites[i]->homepage,
                                                  .method = HTTP_GET,
                                                  .done = on_response,
                                                  .userdata = &run->sites[i],
                                          });
                if (r == 0)
                        run->pending++;
        }
        if (r < 0) {
                probe_run_free(run);
                return r;
        }
        *ret = run;
        return 0;
}

void probe_run_free(struct probe_run *run)
{
        if (!run)
                return;
        /* Probe scans that did not conclude (interrupted, failed) are marked so. */
        for (size_t i = 0; i < run->n_sites; i++)
                if (run->sites[i].scan_id && !run->sites[i].concluded)
                        (void)store_scan_finish(run->store, run->sites[i].scan_id,
                                                SCAN_INTERRUPTED, run->cli->now, NULL);
        http_engine_free(run->http);
        for (size_t i = 0; i < run->n_sites; i++)
                free(run->sites[i].error);
        free(run->sites);
        free(run);
}

size_t probe_run_count(const struct probe_run *run)
{
        return run->n_sites;
}

const struct probe_result *probe_run_result(const struct probe_run *run, size_t i,
                                            const struct rule_site **ret_site)
{
        *ret_site = run->sites[i].site;
        return run->sites[i].done ? &run->sites[i].result : NULL;
}

/* ---- the subcommand --------------------------------------------------------------------- */

struct probe_cmd {
        struct cli_loop l;
        struct probe_run *run;
        bool interrupted, finished;
        int result;
};

static void on_done(struct probe_run *run, int r, void *userdata)
{
        struct probe_cmd *cmd = userdata;

        cmd->finished = true;
        cmd->result = r;
        uv_stop(&cmd->l.loop);
}

static void cmd_signal(int signum, void *userdata)
{
        struct probe_cmd *cmd = userdata;

        log_notice("收到信号 %d，停止探测（本次探测记为中断）", signum);
        cmd->interrupted = true;
        uv_stop(&cmd->l.loop);
}

static const char *state_id(enum rule_availability_state s)
{
        static const char *const ids[] = {"ok", "too_few", "warning", "veto"};
        return ids[s];
}

static const char *state_label(enum rule_availability_state s)
{
        static const char *const labels[] = {"正常", "探测次数不足，暂不判定", "预警",
                                             "单项否决"};
        return labels[s];
}

static void print_result(const struct cli *cli, const struct rule_config *config,
                         const struct rule_site *site, const struct probe_result *res)
{
        const struct rule_availability *w = &res->window;
        int64_t tenths = w->probes ? (w->failures * 1000 + w->probes / 2) / w->probes : 0;
        char rate[32], secs[32], status[24];
        struct buf b;

        snprintf(rate, sizeof(rate), "%lld.%lld", (long long)(tenths / 10),
                 (long long)(tenths % 10));
        snprintf(secs, sizeof(secs), "%.3f", res->seconds);
        snprintf(status, sizeof(status), "%ld", res->status);
        if (cli->format == OUTPUT_TEXT) {
                fprintf(cli->out, "%s（%s）：%s  %s，用时 %s 秒%s%s\n", site->name, site->id,
                        site->homepage, res->ok ? "可访问" : "无法访问", secs,
                        res->ok ? "" : "：", res->ok ? "" : res->error);
                fprintf(cli->out, "    近 %d 天探测 %lld 次，失败 %lld 次，失败率 %s%%：%s"
                        "（超过 %d%% 预警，达到 %d%% 单项否决，至少 %d 次才判定）\n",
                        w->window_days, (long long)w->probes, (long long)w->failures, rate,
                        state_label(res->state), config->settings.probe_warn_percent,
                        config->settings.probe_veto_percent, config->settings.probe_min_probes);
                return;
        }
        buf_init(&b, 64 * 1024);
        if (cli->format == OUTPUT_JSON) {
                buf_appends(&b, "{\"site\":");
                json_append_string(&b, site->id);
                buf_appends(&b, ",\"url\":");
                json_append_string(&b, site->homepage);
                buf_appendf(&b, ",\"ok\":%s,\"status\":%ld,\"failure\":", res->ok ? "true" : "false",
                            res->status);
                json_append_string(&b, res->failure);
                buf_appends(&b, ",\"error\":");
                json_append_string(&b, res->error);
                buf_appendf(&b, ",\"seconds\":%s,\"window_days\":%d,\"probes\":%lld,"
                            "\"failures\":%lld,\"failure_percent\":%s,\"state\":\"%s\"}\n",
                            secs, w->window_days, (long long)w->probes, (long long)w->failures,
                            rate, state_id(res->state));
        } else {
                char n1[24], n2[24], wd[16];
                snprintf(n1, sizeof(n1), "%lld", (long long)w->probes);
                snprintf(n2, sizeof(n2), "%lld", (long long)w->failures);
                snprintf(wd, sizeof(wd), "%d", w->window_days);
                const char *fields[] = {site->id, site->homepage, res->ok ? "1" : "0", status,
                                        res->failure, res->error, secs, wd, n1, n2, rate,
                                        state_id(res->state)};
                for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
                        if (i)
                                buf_appends(&b, ",");
                        csv_append_field(&b, fields[i]);
                }
                buf_appends(&b, "\r\n");
        }
        fputs(b.data, cli->out);
        buf_free(&b);
}

int cli_probe(struct cli *cli, const struct rule_config *config, struct store *store)
{
        struct probe_cmd cmd = {0};
        const struct rule_site **sites = xcalloc(config->n_sites + 1, sizeof(*sites));
        size_t n = 0;
        bool veto = false;
        int r, ret;

        if (cli->site && !rule_config_site(config, cli->site)) {
                log_error("%s: 没有名为「%s」的站点", cli->config_dir, cli->site);
                free(sites);
                return EXIT_USAGE;
        }
        for (size_t i = 0; i < config->n_sites; i++) {
                const struct rule_site *site = &config->sites[i];
                if (cli->site ? site == rule_config_site(config, cli->site) : site->enabled)
                        sites[n++] = site;
        }
        if (n == 0) {
                log_error("%s: 没有启用的站点可探测", cli->config_dir);
                free(sites);
                return EXIT_USAGE;
        }

        cli_loop_init(&cmd.l, cmd_signal, &cmd);
        r = probe_run_start(&cmd.l.loop, cli, config, store, sites, n, on_done, &cmd, &cmd.run);
        if (r == 0)
                uv_run(&cmd.l.loop, UV_RUN_DEFAULT);
        if (r < 0) {
                log_error("无法开始探测: %s", strerror(-r));
                ret = EXIT_RUNTIME;
        } else if (cmd.interrupted || !cmd.finished) {
                ret = EXIT_RUNTIME;
        } else if (cmd.result < 0) {
                ret = EXIT_RUNTIME;
        } else {
                if (cli->format == OUTPUT_CSV)
                        fputs("site,url,ok,status,failure,error,seconds,window_days,probes,"
                              "failures,failure_percent,state\r\n",
                              cli->out);
                for (size_t i = 0; i < probe_run_count(cmd.run); i++) {
                        const struct rule_site *site;
                        const struct probe_result *res = probe_run_result(cmd.run, i, &site);
                        print_result(cli, config, site, res);
                        veto |= res->state == AVAILABILITY_VETO;
                }
                ret = veto ? EXIT_FOUND : EXIT_CLEAN;
        }

        probe_run_free(cmd.run);
        cli_loop_close(&cmd.l, "probe");
        free(sites);
        return ret;
}
