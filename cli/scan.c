/* `xunjian scan`: crawl each site, store what was fetched page by page, run the checks,
 * record the findings, and fold them into the violations once the scan has completed.
 * A scan killed or interrupted earlier continues from its stored frontier. The daemon runs
 * the same scan on its own loop (scan_run_start). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>
#include <uv.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/log.h"
#include "crawler/site.h"
#include "rules/checks.h"

struct scan_run {
        struct cli *cli;
        const struct rule_config *config;
        const struct rule_site *site;
        struct store *store;
        int64_t scan_id;

        uv_loop_t *loop;                /* the caller's */
        uv_idle_t start_failed;         /* concludes a scan that could not start */
        uv_timer_t progress;
        int open_handles;               /* start_failed and progress, until closed */
        bool progress_tty;              /* a live line on a terminal, else log lines */
        bool resumed;
        bool homepage_only;             /* the daily check of the homepage's links */
        bool verdict_made, qualified;   /* the site verdict stored with the scan */
        bool print;                     /* write the scan's violations to cli->out */
        scan_done_fn done;
        void *userdata;
        struct http_engine *http;
        struct site_crawl *crawl;
        struct site_plan plan;
        struct site_plan_column *columns;
        struct content_scan *content;   /* what the content checks keep across pages */

        bool interrupted, stopping, finished;
        int start_error;
        int result;
        int store_error;                /* first store failure; stops the crawl */
        size_t findings;
        size_t found_violations;        /* open violations this scan found */
        struct strv warned;             /* operator warnings from the checks, each once */
};

/* A check's warning for the operator (a year missing from the holiday calendar): logged
 * once per scan. */
static void on_warn(const char *message, void *userdata)
{
        struct scan_run *run = userdata;

        if (strv_contains(&run->warned, message))
                return;
        strv_push(&run->warned, message);
        log_warning("%s: %s", run->site->id, message);
}

static void on_finding(const struct store_finding *f, void *userdata)
{
        struct scan_run *run = userdata;
        int r;

        if (run->store_error)
                return;
        r = store_finding_add(run->store, run->scan_id, f);
        if (r < 0) {
                run->store_error = r;
                log_struct(LOG_LEVEL_ERROR, run->site->id, f->rule, f->url,
                           "%s: finding %s %s: %s", run->cli->db_path, f->rule, f->subject,
                           store_errmsg(run->store));
                return;
        }
        run->findings++;
}

/* Each fetch goes to the store in the crawl's open transaction, with its frontier row (the
 * crawl commits fetches in groups), so a kill at any moment leaves whole pages behind. A
 * failure here rolls the group back and stops the crawl. */
static int on_fetch(const struct site_fetch *f, void *userdata)
{
        struct scan_run *run = userdata;
        const struct http_response *resp = f->resp;
        const struct html_page *page = f->page;
        char day[16];
        int64_t page_id;
        int r;

        if (f->has_pubdate)
                day_format(f->pubdate, day);
        struct store_page p = {
                .url = f->url,
                .final_url = streq(resp->final_url, f->url) ? NULL : resp->final_url,
                .kind = site_fetch_kind_id(f->kind),
                .column = f->column >= 0 ? run->plan.columns[f->column].name : NULL,
                .depth = f->depth,
                .status = resp->status,
                .error = f->soft404 ? f->soft404 : resp->error,
                .content_type = resp->content_type,
                .charset = f->charset,
                .bytes = (int64_t)resp->body_len,
                .fetched_at = run->cli->now,
                .seconds = resp->seconds,
                .attempts = f->attempts,
                .parsed = page != NULL,
                .title = page ? page->title : NULL,
                .pubdate = f->has_pubdate ? day : NULL,
                .etag = resp->etag,
                .last_modified = resp->last_modified,
        };

        r = store_page_put(run->store, run->scan_id, &p, &page_id);
        if (r == 0 && page && page->n_links) {
                struct store_link *links = xcalloc(page->n_links, sizeof(*links));
                for (size_t i = 0; i < page->n_links; i++)
                        links[i] = (struct store_link){
                                .url = page->links[i].url,
                                .kind = html_link_kind_id(page->links[i].kind),
                                .text = page->links[i].text,
                                .scope = url_scope_id(
                                        url_scope_of(page->links[i].url, run->plan.base_url)),
                        };
                r = store_links_stage(run->store, run->scan_id, page_id, links,
                                      page->n_links);
                free(links);
        }
        if (r == 0 && page && !run->homepage_only) {
                struct page_check_context ctx = {
                        .config = run->config,
                        .site = run->site,
                        .fetch = f,
                        .now = run->cli->now,
                        .today = day_of_time(run->cli->now),
                        .emit = on_finding,
                        .userdata = run,
                        .warn = on_warn,
                        .content = run->content,
                };
                rule_page_checks_run(&ctx);
                r = run->store_error;
        }
        if (r < 0 && !run->store_error) {
                run->store_error = r;
                log_struct(LOG_LEVEL_ERROR, run->site->id, NULL, f->url, "%s: %s: %s",
                           run->cli->db_path, f->url, store_errmsg(run->store));
        }
        return r;
}

static void drop_finding(const struct store_finding *f, void *userdata)
{
}

/* A page the killed process had checked: its findings are stored, but what the content
 * checks collect across pages (the site's SiteIDCode, guides' forms, policy documents and
 * their interpretations) lived in that process's memory. Running the collecting checks
 * again with their findings dropped rebuilds it, so the end-of-scan checks of a resumed
 * scan see the whole site, as an uninterrupted one does. */
static void on_replay(const struct site_fetch *f, void *userdata)
{
        struct scan_run *run = userdata;

        rule_page_checks_collect(&(struct page_check_context){
                .config = run->config,
                .site = run->site,
                .fetch = f,
                .now = run->cli->now,
                .today = day_of_time(run->cli->now),
                .emit = drop_finding,
                .userdata = run,
                .warn = on_warn,
                .content = run->content,
        });
}

/* The progress of the crawl: a line that rewrites itself on a terminal, a log line every
 * so often otherwise (journald, cron mail); nothing with --quiet. */
static void on_progress(uv_timer_t *t)
{
        struct scan_run *run = t->data;
        struct site_progress p;

        if (!run->crawl)
                return;
        site_crawl_progress(run->crawl, &p);
        double rate = p.seconds > 0 ? (double)p.done_here / p.seconds : 0;
        if (run->progress_tty) {
                fprintf(stderr, "\r\033[K%s: 已完成 %zu，排队 %zu，进行中 %zu，失败 %zu，%.1f 个/秒",
                        run->site->id, p.done, p.queued, p.in_flight, p.failed, rate);
                fflush(stderr);
        } else {
                log_notice("%s: 进度：已完成 %zu，排队 %zu，进行中 %zu，失败 %zu，%.1f 个/秒",
                           run->site->id, p.done, p.queued, p.in_flight, p.failed, rate);
        }
}

static void progress_start(struct scan_run *run)
{
        uv_timer_init(run->loop, &run->progress);
        run->open_handles++;
        run->progress.data = run;
        if (run->cli->quiet)
                return;
        run->progress_tty = isatty(STDERR_FILENO);
        uint64_t every = run->progress_tty ? 500 : 10000;
        uv_timer_start(&run->progress, on_progress, every, every);
}

static void progress_end(struct scan_run *run)
{
        if (run->progress.loop)
                uv_timer_stop(&run->progress);
        if (run->progress_tty) {
                fputs("\r\033[K", stderr);
                fflush(stderr);
        }
}

struct carry {
        struct scan_run *run;
        const struct site_results *res;
};

/* A problem this scan could not look at again (its column or the homepage did not load)
 * is still open: its finding is carried forward, so that reconciling does not take the
 * silence for a fix. */
static int carry_forward(const struct store_violation *v, void *userdata)
{
        struct carry *cr = userdata;
        const struct rule_site *site = cr->run->site;
        bool unchecked = false;

        if (streq(v->rule, "homepage_stale"))
                unchecked = !cr->res->homepage_fetched;
        else if (streq(v->rule, "column_stale") || streq(v->rule, "column_blank"))
                for (size_t i = 0; i < site->n_columns && !unchecked; i++)
                        unchecked = streq(site->columns[i].url, v->subject) &&
                                    !cr->res->columns[i].fetched;
        if (!unchecked)
                return 0;
        on_finding(&(struct store_finding){
                           .site = v->site,
                           .rule = v->rule,
                           .kind = v->kind,
                           .severity = v->severity,
                           .subject = v->subject,
                           .unit = v->unit,
                           .column = v->column,
                           .url = v->url,
                           .detail = v->detail,
                           .evidence = v->evidence,
                   },
                   cr->run);
        return 0;
}

static int count_open(const struct store_violation *v, void *userdata)
{
        struct scan_run *run = userdata;
        if (v->state == VIOLATION_OPEN && v->kind == FINDING_VIOLATION)
                run->found_violations++;
        return 0;
}

static int print_violation(const struct store_violation *v, void *userdata)
{
        struct scan_run *run = userdata;
        output_violation(run->cli, v);
        return 0;
}

/* Checks, findings, the end of the scan and reconciliation. Returns 0 or a negative
 * errno; the store's message has been logged. */
static int conclude(struct scan_run *run, struct store_reconcile_stats *ret_stats)
{
        const struct site_results *res = site_crawl_results(run->crawl);
        struct store_scan_stats stats = {
                .pages = (int64_t)res->stats.parsed,
                .checked = (int64_t)res->stats.checked,
                .errors = (int64_t)res->stats.failed,
                .bytes = (int64_t)res->stats.bytes,
        };
        struct check_context ctx = {
                .config = run->config,
                .site = run->site,
                .results = res,
                .now = run->cli->now,
                .today = day_of_time(run->cli->now),
                .emit = on_finding,
                .userdata = run,
                .warn = on_warn,
                .content = run->content,
        };
        const char *rules[64];
        size_t n_rules = 0;
        int r;

        /* One transaction from the end-of-scan findings to the reconcile: a process killed
         * anywhere in between leaves the scan running, to be resumed and concluded again
         * from the start, never complete but not folded into the violations (nor with its
         * end-of-scan findings stored twice by the resumed run). */
        r = store_begin(run->store);
        if (r < 0)
                goto fail;
        /* The homepage's links alone: the checks of columns, content and counts have
         * nothing to look at, and nothing unchecked needs carrying forward. */
        if (run->homepage_only) {
                check_dead_links(&ctx);
        } else {
                rule_checks_run(&ctx);
                struct carry cr = {run, res};
                struct store_violation_filter open = {.state = VIOLATION_OPEN,
                                                      .site = run->site->id};
                if (!run->store_error)
                        run->store_error = store_violations_foreach(run->store, &open,
                                                                    carry_forward, &cr);
        }
        if (run->store_error) {
                r = run->store_error;
                goto rollback;
        }
        /* The crawl staged its links without indexes; the complete scan publishes them. */
        r = store_links_publish(run->store, run->scan_id);
        if (r < 0)
                goto rollback;

        stats.findings = (int64_t)run->findings;
        r = store_scan_finish(run->store, run->scan_id, SCAN_COMPLETE, run->cli->now, &stats);
        if (r < 0)
                goto rollback;
        /* The frontier was working state; pages and findings keep what lasts. A page no
         * complete scan has seen since this one is gone from the site: its cache entry
         * goes too (not after a capped crawl, which did not look everywhere). */
        r = store_frontier_clear(run->store, run->scan_id);
        if (r == 0 && !res->capped && !run->homepage_only)
                r = store_page_cache_prune(run->store, run->site->id, run->scan_id);
        if (r < 0)
                goto rollback;

        if (run->homepage_only) {
                /* It looked at the homepage only: only what was found there can be fixed. */
                static const char *const dead[] = {"dead_link"};
                r = store_reconcile_page(run->store, run->scan_id, dead, 1, run->site->homepage,
                                         run->cli->now, ret_stats);
        } else {
                /* A crawl cut short by max_pages did not see every page, so a dead link it
                 * did not meet again may still be there: only the other rules may mark
                 * fixes. */
                for (size_t i = 0; i < rule_checks_count; i++)
                        for (const char *const *id = rule_checks[i].rules; *id; id++)
                                if (!(res->capped && rule_checks[i].needs_every_page) &&
                                    n_rules < ARRAY_SIZE(rules))
                                        rules[n_rules++] = *id;
                /* Page checks saw only the pages fetched: the same holds for them. */
                for (const struct rule_page_check *c = rule_page_checks;
                     c->rules && !res->capped; c++)
                        for (const char *const *id = c->rules; *id; id++)
                                if (n_rules < ARRAY_SIZE(rules))
                                        rules[n_rules++] = *id;
                if (res->capped)
                        log_warning("%s: 已达到页面上限 %d，本次扫描未覆盖全站，失效链接不做整改确认",
                                    run->site->id, run->plan.max_pages);
                r = store_reconcile(run->store, run->scan_id, rules, n_rules, run->cli->now,
                                    ret_stats);
        }
        if (r < 0)
                goto rollback;
        /* The site verdict of this scan (合格/不合格), kept for `xunjian verdict` and its
         * trend, in the same commit. A failure to make it is logged and does not undo the
         * scan: its writes are a savepoint of their own. */
        if (!run->homepage_only)
                run->verdict_made = cli_verdict_make(run->cli, run->config, run->store,
                                                     run->site, run->scan_id, run->cli->now,
                                                     &run->qualified) == 0;
        r = store_commit(run->store);
        if (r < 0)
                goto fail;
        return 0;
rollback:
        store_rollback(run->store);
fail:
        log_error("%s: 保存扫描结果失败: %s", run->cli->db_path, store_errmsg(run->store));
        return r;
}

/* What the crawl skipped or could not do, for the office to know (not findings). */
static void log_crawl_notes(struct scan_run *run, const struct site_results *res)
{
        const struct site_stats *st = &res->stats;
        const char *id = run->site->id;

        if (st->skipped_robots)
                log_notice("%s: robots.txt 禁止抓取 %zu 个地址，未检查（本单位网站可设置 "
                           "ignore_robots: true）",
                           id, st->skipped_robots);
        if (st->skipped_trap) {
                log_notice("%s: %zu 个地址疑似无限地址空间（日历、会话号、重复路径），未抓取，例如：",
                           id, st->skipped_trap);
                for (size_t i = 0; i < res->traps.n && i < 5; i++)
                        log_notice("%s:   %s", id, res->traps.items[i]);
        }
        if (st->reused)
                log_info("%s: %zu 个页面未变化（304），沿用上次的解析结果", id, st->reused);
}

static void plan_from_site(struct scan_run *run)
{
        const struct rule_settings *set = &run->config->settings;
        const struct rule_site *site = run->site;

        run->columns = xcalloc(site->n_columns ? site->n_columns : 1, sizeof(*run->columns));
        for (size_t i = 0; i < site->n_columns; i++)
                run->columns[i] = (struct site_plan_column){
                        .name = site->columns[i].name,
                        .url = site->columns[i].url,
                        .item_selector = site->columns[i].item_selector,
                };
        run->plan = (struct site_plan){
                .site = site->id,
                .base_url = site->base_url,
                .homepage = site->homepage,
                .columns = run->columns,
                .n_columns = site->n_columns,
                .max_pages = set->max_pages,
                .max_depth = set->max_depth,
                .max_list_pages = set->max_list_pages,
                .max_links_per_page = set->max_links_per_page,
                .max_url_length = set->max_url_length,
                .retries = set->retries,
                .retry_delay_ms = 500,
                .max_page_body = (size_t)set->max_body_bytes,
                .max_check_body = 64 * 1024,
                .today = day_of_time(run->cli->now),
                .hidden_offset_px = set->hidden_offset_px,
                .hidden_tiny_px = set->hidden_tiny_px,
                .now = run->cli->now,
                .obey_robots = !site->ignore_robots,
                .robots_token = "xunjian",
                .max_host_connections = set->max_host_connections,
                .host_delay_ms = set->host_delay_ms,
                .max_retry_after_ms = set->max_retry_after_ms,
                .max_urls_per_path = set->max_urls_per_path,
                .soft404_titles = &set->soft404_titles,
        };
        if (run->homepage_only) {
                run->plan.n_columns = 0;
                run->plan.max_depth = 0;
        }
}

/* What a resumed scan must crawl exactly as the interrupted one did: the frontier refers
 * to columns by their position, and the caps decided what it holds. */
static char *plan_fingerprint(const struct site_plan *p)
{
        struct buf b;

        buf_init(&b, SIZE_MAX);
        buf_appendf(&b, "%s\n%s\n%d %d %d %d %d\n", p->base_url, p->homepage, p->max_pages,
                    p->max_depth, p->max_list_pages, p->max_links_per_page, p->max_url_length);
        for (size_t i = 0; i < p->n_columns; i++)
                buf_appendf(&b, "%s\t%s\t%s\n", p->columns[i].name, p->columns[i].url,
                            p->columns[i].item_selector ? p->columns[i].item_selector : "");
        char *s = xasprintf("%016" PRIx64 "-%zu", hash_bytes(b.data, b.len), b.len);
        buf_free(&b);
        return s;
}

struct last_scan {
        int64_t id, started_at;
        enum scan_state state;
};

static int take_last(const struct store_scan *scan, void *userdata)
{
        struct last_scan *l = userdata;
        l->id = scan->id;
        l->started_at = scan->started_at;
        l->state = scan->state;
        return 0;
}

/* Continues the site's last scan when it was interrupted (killed, stopped by a signal)
 * recently and crawls the same plan; otherwise begins a new one. */
static int scan_begin_or_resume(struct scan_run *run)
{
        const struct rule_settings *set = &run->config->settings;
        _cleanup_free_ char *fingerprint = plan_fingerprint(&run->plan);
        struct last_scan last = {0};
        int r;

        r = run->cli->no_resume || set->resume_within_h == 0
                    ? -ENOENT
                    : store_scan_last(run->store, run->site->id, take_last, &last);
        if (r == 0 && last.state == SCAN_INTERRUPTED &&
            run->cli->now - last.started_at <= (int64_t)set->resume_within_h * 3600 &&
            run->cli->now >= last.started_at) {
                _cleanup_free_ char *was = NULL;
                if (store_scan_plan_get(run->store, last.id, &was) == 0 &&
                    streq(was, fingerprint) && store_scan_resume(run->store, last.id) == 0) {
                        run->scan_id = last.id;
                        run->resumed = true;
                        return 0;
                }
        }
        /* An interrupted scan that is not resumed now never will be (a newer one begins):
         * its working state goes. */
        if (r == 0 && last.state == SCAN_INTERRUPTED &&
            store_scan_abandon(run->store, last.id) < 0)
                log_warning("%s: %s", run->cli->db_path, store_errmsg(run->store));
        r = store_scan_begin(run->store, run->site->id, run->cli->now, &run->scan_id);
        if (r == 0)
                r = store_scan_plan_set(run->store, run->scan_id, fingerprint);
        return r;
}

/* ---- one site's scan on the caller's loop -------------------------------------------- */

static void scan_conclude(struct scan_run *run)
{
        struct cli *cli = run->cli;
        const struct rule_site *site = run->site;
        struct store_reconcile_stats rs = {0};
        int r;

        progress_end(run);
        if (run->start_error == 0 && run->crawl && site_crawl_store_error(run->crawl) &&
            !run->store_error) {
                run->store_error = site_crawl_store_error(run->crawl);
                log_error("%s: %s", cli->db_path, store_errmsg(run->store));
        }
        if (run->start_error < 0) {
                r = run->start_error;
        } else if (run->interrupted || run->store_error) {
                const struct site_stats *st = &site_crawl_results(run->crawl)->stats;
                struct store_scan_stats stats = {
                        .pages = (int64_t)st->parsed,
                        .checked = (int64_t)st->checked,
                        .errors = (int64_t)st->failed,
                        .bytes = (int64_t)st->bytes,
                };
                (void)store_scan_finish(run->store, run->scan_id, SCAN_INTERRUPTED, cli->now,
                                        &stats);
                r = run->interrupted ? -EINTR : run->store_error;
        } else {
                const struct site_results *res = site_crawl_results(run->crawl);
                if (!res->homepage_fetched)
                        log_struct(LOG_LEVEL_WARNING, site->id, "homepage_unreachable",
                                   site->homepage, "%s: 首页无法访问: %s: %s", site->id,
                                   site->homepage,
                                   res->homepage_error ? res->homepage_error
                                                       : "HTTP 错误或不是 HTML 页面");
                log_crawl_notes(run, res);
                r = conclude(run, &rs);
        }
        if (r == 0 && run->verdict_made && !cli->quiet)
                log_notice("%s: 单项否决评价：%s（详见 xunjian verdict）", site->id,
                           run->qualified ? "合格" : "不合格");

        if (r == 0) {
                struct store_violation_filter f = {.state = -1, .scan_id = run->scan_id};
                if (run->print) {
                        output_begin(cli);
                        store_violations_foreach(run->store, &f, print_violation, run);
                }
                store_violations_foreach(run->store, &f, count_open, run);
                const struct site_stats *st = &site_crawl_results(run->crawl)->stats;
                if (!cli->quiet)
                        log_notice("%s: 扫描完成：解析 %zu 个页面（%zu 个未变化），检查 %zu 个链接，"
                                   "失败 %zu 个；%zu 次请求，接收 %zu 字节；"
                                   "发现 %zu 个问题（新增 %d，持续 %d，复发 %d），已整改 %d 个",
                                   site->id, st->parsed, st->reused, st->checked, st->failed,
                                   st->requests, st->wire_bytes, run->findings, rs.opened,
                                   rs.kept, rs.reopened, rs.fixed);
        }
        run->result = r;
        run->finished = true;
        run->done(run, r, run->userdata);
}

static void on_done(struct site_crawl *c, void *userdata)
{
        struct scan_run *run = userdata;

        if (site_crawl_stopped(c) && !run->store_error)
                run->interrupted = true;
        scan_conclude(run);
}

/* Concludes a scan that could not start, from the loop, as if the crawl had ended. */
static void on_start_failed(uv_idle_t *idle)
{
        struct scan_run *run = idle->data;

        uv_idle_stop(idle);
        scan_conclude(run);
}

static int run_start(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                     struct store *store, const struct rule_site *site, bool homepage_only,
                     bool print, scan_done_fn done, void *userdata, struct scan_run **ret)
{
        const struct rule_settings *set = &config->settings;
        struct http_options http = {
                .connect_timeout_ms = set->connect_timeout_ms,
                .timeout_ms = set->timeout_ms,
                .max_body = (size_t)set->max_body_bytes,
                .max_redirects = set->max_redirects,
                .max_connections = set->max_connections,
                .max_host_connections = set->max_host_connections,
                .user_agent = set->user_agent,
                .internal_hosts = (const char *const *)site->internal_hosts.items,
                .n_internal_hosts = site->internal_hosts.n,
        };
        struct scan_run *run;
        int r;

        if (!done)
                return -EINVAL;
        run = xcalloc(1, sizeof(*run));
        *run = (struct scan_run){
                .cli = cli,
                .config = config,
                .site = site,
                .store = store,
                .loop = loop,
                .print = print,
                .homepage_only = homepage_only,
                .done = done,
                .userdata = userdata,
        };
        plan_from_site(run);
        run->content = content_scan_new();
        r = homepage_only ? store_scan_begin_kind(store, site->id, "links", cli->now,
                                                  &run->scan_id)
                          : scan_begin_or_resume(run);
        if (r < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                scan_run_free(run);
                return r;
        }
        uv_idle_init(loop, &run->start_failed);
        run->start_failed.data = run;
        run->open_handles++;
        progress_start(run);

        r = http_engine_new(loop, &http, &run->http);
        if (r == 0)
                r = site_crawl_new(loop, run->http, store, run->scan_id, &run->plan,
                                   &(struct site_callbacks){on_fetch, on_done, run, on_replay},
                                   &run->crawl);
        if (r == 0) {
                site_crawl_set_parallelism(run->crawl, (size_t)set->max_connections);
                if (!cli->quiet && run->resumed)
                        log_notice("%s: 继续中断的扫描 #%" PRId64 "（%s，%zu 个栏目）", site->id,
                                   run->scan_id, site->homepage, site->n_columns);
                else if (!cli->quiet && homepage_only)
                        log_notice("%s: 开始检查首页链接 %s", site->id, site->homepage);
                else if (!cli->quiet)
                        log_notice("%s: 开始扫描 %s（%zu 个栏目）", site->id, site->homepage,
                                   site->n_columns);
                r = run->resumed ? site_crawl_resume(run->crawl) : site_crawl_start(run->crawl);
        }
        if (r < 0) {
                log_struct(LOG_LEVEL_ERROR, site->id, NULL, site->homepage,
                           "%s: 无法启动抓取: %s", site->id, strerror(-r));
                (void)store_scan_finish(store, run->scan_id, SCAN_FAILED, cli->now, NULL);
                run->start_error = r;
                uv_idle_start(&run->start_failed, on_start_failed);
        }
        *ret = run;
        return 0;
}

int scan_run_start(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                   struct store *store, const struct rule_site *site, bool print,
                   scan_done_fn done, void *userdata, struct scan_run **ret)
{
        return run_start(loop, cli, config, store, site, false, print, done, userdata, ret);
}

int scan_run_start_homepage(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                            struct store *store, const struct rule_site *site,
                            scan_done_fn done, void *userdata, struct scan_run **ret)
{
        return run_start(loop, cli, config, store, site, true, false, done, userdata, ret);
}

void scan_run_stop(struct scan_run *run)
{
        if (!run || run->finished || run->stopping)
                return;
        run->stopping = true;
        if (!run->cli->quiet)
                log_notice("%s: 停止扫描（本次扫描记为中断，已抓取的页面均已保存）", run->site->id);
        if (run->crawl && run->start_error == 0)
                site_crawl_stop(run->crawl);
}

size_t scan_run_found(const struct scan_run *run)
{
        return run->found_violations;
}

const struct site_stats *scan_run_stats(const struct scan_run *run)
{
        return run->crawl ? &site_crawl_results(run->crawl)->stats : NULL;
}

int64_t scan_run_id(const struct scan_run *run)
{
        return run->scan_id;
}

/* The run goes once the loop has closed both of its handles. */
static void free_after_close(uv_handle_t *h)
{
        struct scan_run *run = h->data;

        if (--run->open_handles == 0)
                free(run);
}

void scan_run_free(struct scan_run *run)
{
        if (!run)
                return;
        /* A scan freed before it concluded (the daemon gave up waiting) is interrupted. */
        if (run->scan_id && !run->finished)
                (void)store_scan_finish(run->store, run->scan_id, SCAN_INTERRUPTED,
                                        run->cli->now, NULL);
        site_crawl_free(run->crawl);
        http_engine_free(run->http);
        free(run->columns);
        strv_free(&run->warned);
        content_scan_free(run->content);
        if (run->open_handles == 0) {
                free(run);
                return;
        }
        if (run->start_failed.loop)
                uv_close((uv_handle_t *)&run->start_failed, free_after_close);
        if (run->progress.loop)
                uv_close((uv_handle_t *)&run->progress, free_after_close);
}

/* ---- `xunjian scan`: each site in turn on a loop of its own -------------------------- */

struct scan_cmd {
        struct cli_loop l;
        struct scan_run *run;
        bool interrupted;
};

static void cmd_done(struct scan_run *run, int result, void *userdata)
{
        struct scan_cmd *cmd = userdata;

        uv_stop(&cmd->l.loop);
}

static void cmd_signal(int signum, void *userdata)
{
        struct scan_cmd *cmd = userdata;

        if (!cmd->interrupted)
                log_notice("收到信号 %d，停止扫描（本次扫描记为中断）", signum);
        cmd->interrupted = true;
        scan_run_stop(cmd->run);
}

/* Scans one site. Returns 0 when the scan completed (found problems or not), or a
 * negative errno; *ret_found counts its open violations. */
static int scan_site(struct cli *cli, const struct rule_config *config, struct store *store,
                     const struct rule_site *site, size_t *ret_found)
{
        struct scan_cmd cmd = {0};
        int r;

        cli_loop_init(&cmd.l, cmd_signal, &cmd);
        r = scan_run_start(&cmd.l.loop, cli, config, store, site, true, cmd_done, &cmd,
                           &cmd.run);
        if (r == 0) {
                uv_run(&cmd.l.loop, UV_RUN_DEFAULT);
                r = cmd.run->finished ? cmd.run->result : -EINTR;
                *ret_found = cmd.run->found_violations;
        }
        scan_run_free(cmd.run);
        cli_loop_close(&cmd.l, site->id);
        return r;
}

int cli_scan(struct cli *cli, const struct rule_config *config, struct store *store)
{
        size_t found = 0, scanned = 0;
        bool failed = false;

        if (cli->site && !rule_config_site(config, cli->site)) {
                log_error("%s: 没有名为「%s」的站点", cli->config_dir, cli->site);
                return EXIT_USAGE;
        }
        for (size_t i = 0; i < config->n_sites; i++) {
                const struct rule_site *site = &config->sites[i];
                size_t n = 0;

                if (cli->site ? site != rule_config_site(config, cli->site) : !site->enabled)
                        continue;
                scanned++;
                int r = scan_site(cli, config, store, site, &n);
                if (r == -EINTR)
                        return EXIT_RUNTIME;
                if (r < 0)
                        failed = true;
                found += n;
        }
        if (!scanned) {
                log_error("%s: 没有启用的站点可扫描", cli->config_dir);
                return EXIT_USAGE;
        }
        if (failed)
                return EXIT_RUNTIME;
        return found ? EXIT_FOUND : EXIT_CLEAN;
}
