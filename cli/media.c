/* `xunjian media`: the new-media ledger's accounts and the portal's new-media pages,
 * fetched on one loop, judged by rules/check_accounts.c, recorded as a scan of the scope
 * "media" whose findings open and close violations like a site scan's. See media.h. */
#include "cli/media.h"

#include <errno.h>

#include "common/log.h"
#include "crawler/charset.h"
#include "crawler/feed.h"
#include "crawler/html.h"

enum job_kind {
        JOB_FEED = 0,
        JOB_PAGE = 1,
};

struct job {
        struct media_check *m;
        enum job_kind kind;
        const struct rule_account *account;     /* JOB_FEED */
        const struct rule_site *site;           /* JOB_PAGE */
        const char *url;
        int attempts;
        bool finished;
};

struct retry {
        uv_timer_t timer;
        struct media_check *m;
        size_t job;
        struct retry *prev, *next;
};

struct media_check {
        uv_loop_t *loop;
        struct http_engine *http;
        struct media_plan plan;
        struct media_callbacks cb;
        struct job *jobs;
        size_t n_jobs;
        size_t pending;         /* jobs not finished */
        struct retry *retries;
        bool done;
};

static void finish_job(struct media_check *m, struct job *j)
{
        j->finished = true;
        if (--m->pending == 0 && !m->done) {
                m->done = true;
                if (m->cb.on_done)
                        m->cb.on_done(m->cb.userdata);
        }
}

static void judge(struct media_check *m, struct account_observation *o)
{
        char detail[1024];
        const char *status;

        status = check_account(o, m->plan.now, m->cb.on_finding, m->cb.userdata, detail,
                               sizeof(detail));
        if (m->cb.on_account)
                m->cb.on_account(o, status, detail, m->cb.userdata);
}

static void feed_done(struct media_check *m, struct job *j, const struct http_response *resp)
{
        const struct rule_settings *set = &m->plan.config->settings;
        const struct rule_account *a = j->account;
        struct account_observation o = {.account = a};
        struct feed_options fo = {
                .max_items = (size_t)set->media_max_feed_items,
                .today = day_of_time(m->plan.now),
                .item_selector = a->feed_items,
                .content_type = resp->content_type,
                .max_url_length = (size_t)set->max_url_length,
        };
        struct feed *feed = NULL;
        _cleanup_free_ char *error = NULL;
        enum feed_format format = FEED_RSS;

        if (resp->truncated || resp->failure == HTTP_FAIL_TOO_LARGE) {
                error = xasprintf("%s: 订阅源超过 %ld 字节的上限（settings.http.max_body_bytes）",
                                  j->url, set->max_body_bytes);
                o.state = ACCOUNT_FEED_INVALID;
        } else if (feed_format_from_id(a->feed_format, &format) < 0 ||
                   feed_parse(resp->body, resp->body_len, j->url, format, &fo, &feed, &error) < 0) {
                o.state = ACCOUNT_FEED_INVALID;
        } else {
                o.state = ACCOUNT_FEED_READ;
                o.n_posts = feed->n_items;
                o.has_newest = feed_newest(feed, m->plan.now, &o.newest);
                if (feed->items_dropped)
                        log_info("%s: 订阅源有 %zu 条以上内容，只读取前 %zu 条", j->url,
                                 feed->n_items + feed->items_dropped, feed->n_items);
        }
        o.error = error;
        judge(m, &o);
        feed_free(feed);
}

static void page_done(struct media_check *m, struct job *j, const struct http_response *resp)
{
        const struct rule_settings *set = &m->plan.config->settings;
        struct charset_result cs = {0};
        struct html_page *page = NULL;
        struct html_options ho = {
                .max_links = (size_t)set->max_links_per_page,
                .max_url_length = (size_t)set->max_url_length,
                .today = day_of_time(m->plan.now),
        };
        _cleanup_free_ char *error = NULL;

        charset_decode(resp->body, resp->body_len, resp->content_type, resp->body_len * 4 + 16,
                       &cs);
        if (html_parse(cs.utf8, cs.len, resp->final_url, &ho, &page, &error) < 0) {
                _cleanup_free_ char *msg = xasprintf("%s: %s", j->url, error ? error : "");
                if (m->cb.on_page_failed)
                        m->cb.on_page_failed(j->site, msg, m->cb.userdata);
        } else {
                size_t n = check_media_page(m->plan.config, j->site, page, m->cb.on_finding,
                                            m->cb.userdata);
                log_debug("%s: 政务新媒体矩阵页上有 %zu 个账号链接", j->url, n);
        }
        html_page_free(page);
        charset_result_free(&cs);
}

static int start_job(struct media_check *m, size_t idx);

static void retry_closed(uv_handle_t *h)
{
        free(container_of((uv_timer_t *)h, struct retry, timer));
}

static void retry_unlink(struct media_check *m, struct retry *r)
{
        if (r->prev)
                r->prev->next = r->next;
        else
                m->retries = r->next;
        if (r->next)
                r->next->prev = r->prev;
        uv_close((uv_handle_t *)&r->timer, retry_closed);
}

static void on_retry_timer(uv_timer_t *t)
{
        struct retry *r = container_of(t, struct retry, timer);
        struct media_check *m = r->m;
        size_t idx = r->job;

        retry_unlink(m, r);
        (void)start_job(m, idx);
}

static void schedule_retry(struct media_check *m, size_t idx)
{
        struct retry *r = xcalloc(1, sizeof(*r));
        uint64_t delay = (uint64_t)m->plan.retry_delay_ms << (m->jobs[idx].attempts - 1);

        r->m = m;
        r->job = idx;
        r->next = m->retries;
        if (r->next)
                r->next->prev = r;
        m->retries = r;
        uv_timer_init(m->loop, &r->timer);
        uv_timer_start(&r->timer, on_retry_timer, delay, 0);
}

/* What a failed answer means: gone for good (404/410 at once; a host that no longer
 * resolves once every attempt said so), or maybe back later (timeouts, refused, 5xx...). */
static bool answer_is_gone(const struct http_response *resp, bool last_attempt)
{
        if (resp->failure == HTTP_OK && (resp->status == 404 || resp->status == 410))
                return true;
        return last_attempt && resp->failure == HTTP_FAIL_DNS;
}

static void on_fetched(const struct http_response *resp, void *userdata)
{
        struct job *j = userdata;
        struct media_check *m = j->m;
        size_t idx = (size_t)(j - m->jobs);
        bool answered = (resp->failure == HTTP_OK || resp->failure == HTTP_FAIL_TOO_LARGE) &&
                        resp->status >= 200 && resp->status < 300;
        bool last = j->attempts > m->plan.config->settings.retries;
        _cleanup_free_ char *error = NULL;

        if (answered) {
                if (j->kind == JOB_FEED)
                        feed_done(m, j, resp);
                else
                        page_done(m, j, resp);
                finish_job(m, j);
                return;
        }
        if (resp->failure != HTTP_OK)
                error = xasprintf("%s: %s（%s）", j->url, http_failure_id(resp->failure),
                                  resp->error ? resp->error : "");
        else
                error = xasprintf("%s: HTTP %ld", j->url, resp->status);
        if (!answer_is_gone(resp, last) && !last) {
                log_debug("%s，第 %d 次尝试失败，稍后重试", error, j->attempts);
                schedule_retry(m, idx);
                return;
        }
        if (j->kind == JOB_PAGE) {
                if (m->cb.on_page_failed)
                        m->cb.on_page_failed(j->site, error, m->cb.userdata);
        } else if (answer_is_gone(resp, last)) {
                struct account_observation o = {
                        .account = j->account,
                        .state = ACCOUNT_FEED_GONE,
                        .error = error,
                };
                judge(m, &o);
        } else if (m->cb.on_unchecked) {
                m->cb.on_unchecked(j->account, error, m->cb.userdata);
        }
        finish_job(m, j);
}

static int start_job(struct media_check *m, size_t idx)
{
        struct job *j = &m->jobs[idx];
        int r;

        j->attempts++;
        r = http_fetch(m->http, &(struct http_request){
                                        .url = j->url,
                                        .method = HTTP_GET,
                                        .done = on_fetched,
                                        .userdata = j,
                                });
        if (r < 0) {
                _cleanup_free_ char *error = xasprintf("%s: %s", j->url, strerror(-r));
                if (j->kind == JOB_PAGE && m->cb.on_page_failed)
                        m->cb.on_page_failed(j->site, error, m->cb.userdata);
                else if (j->kind == JOB_FEED && m->cb.on_unchecked)
                        m->cb.on_unchecked(j->account, error, m->cb.userdata);
                finish_job(m, j);
        }
        return r;
}

int media_check_new(uv_loop_t *loop, struct http_engine *http, const struct media_plan *plan,
                    const struct media_callbacks *cb, struct media_check **ret)
{
        const struct rule_config *c = plan->config;
        const struct rule_site *only_site = NULL;
        struct media_check *m;

        if (plan->site && !(only_site = rule_config_site(c, plan->site)))
                return -ENOENT;
        if (plan->account && !rule_config_account(c, plan->account))
                return -ENOENT;
        m = xcalloc(1, sizeof(*m));
        m->loop = loop;
        m->http = http;
        m->plan = *plan;
        m->cb = *cb;
        m->jobs = xcalloc(c->n_accounts + c->n_sites + 1, sizeof(*m->jobs));
        for (size_t i = 0; i < c->n_accounts; i++) {
                const struct rule_account *a = &c->accounts[i];
                if (plan->account && !streq(plan->account, a->id))
                        continue;
                m->jobs[m->n_jobs++] = (struct job){
                        .m = m,
                        .kind = JOB_FEED,
                        .account = a,
                        .url = a->feed_url,
                };
        }
        /* A check of one account leaves the pages alone; a check of every account reads
         * the pages of every enabled site, or of the one site asked for. */
        for (size_t i = 0; i < c->n_sites && !plan->account; i++) {
                const struct rule_site *s = &c->sites[i];
                if (!s->media_page || (only_site ? s != only_site : !s->enabled))
                        continue;
                m->jobs[m->n_jobs++] = (struct job){
                        .m = m,
                        .kind = JOB_PAGE,
                        .site = s,
                        .url = s->media_page,
                };
        }
        *ret = m;
        return 0;
}

int media_check_start(struct media_check *m)
{
        m->pending = m->n_jobs + 1; /* held until every job is started */
        for (size_t i = 0; i < m->n_jobs; i++) {
                struct job *j = &m->jobs[i];
                if (j->kind == JOB_FEED && !j->url) {
                        if (m->cb.on_unchecked)
                                m->cb.on_unchecked(j->account, NULL, m->cb.userdata);
                        finish_job(m, j);
                        continue;
                }
                (void)start_job(m, i);
        }
        finish_job(m, &(struct job){0});
        return 0;
}

void media_check_free(struct media_check *m)
{
        if (!m)
                return;
        while (m->retries)
                retry_unlink(m, m->retries);
        free(m->jobs);
        free(m);
}

/* ---- xunjian media ---------------------------------------------------------------- */

struct media_run {
        struct cli *cli;
        const struct rule_config *config;
        struct store *store;
        int64_t scan_id;
        struct http_engine *http;       /* on the caller's loop */
        struct media_check *check;
        bool print;                     /* write the run's violations to cli->out */
        media_done_fn done;
        void *userdata;
        bool interrupted, finished;
        int result;
        int store_error;
        size_t findings, accounts, qualified;
        struct strv unchecked_accounts; /* subjects "account:<id>" not judged this time */
        struct strv unchecked_pages;    /* media_page URLs not read this time */
        size_t found_violations;
};

static void run_store_failed(struct media_run *run, int r, const char *what)
{
        if (run->store_error)
                return;
        run->store_error = r;
        log_error("%s: %s: %s", run->cli->db_path, what, store_errmsg(run->store));
}

static void run_on_finding(const struct store_finding *f, void *userdata)
{
        struct media_run *run = userdata;
        int r;

        if (run->store_error)
                return;
        r = store_finding_add(run->store, run->scan_id, f);
        if (r < 0)
                run_store_failed(run, r, f->subject);
        else
                run->findings++;
}

static void run_on_account(const struct account_observation *o, const char *status,
                           const char *detail, void *userdata)
{
        struct media_run *run = userdata;
        const struct rule_account *a = o->account;
        int r;

        run->accounts++;
        if (streq(status, "ok"))
                run->qualified++;
        if (run->store_error)
                return;
        r = store_account_check_put(run->store, &(struct store_account_check){
                                                        .at = run->cli->now,
                                                        .account = a->id,
                                                        .name = a->name,
                                                        .type = rule_account_type_label(a->type),
                                                        .unit = a->unit ? a->unit->name : NULL,
                                                        .status = status,
                                                        .has_newest = o->has_newest,
                                                        .newest = o->newest,
                                                        .detail = detail,
                                                });
        if (r < 0)
                run_store_failed(run, r, a->id);
}

static void run_on_unchecked(const struct rule_account *a, const char *error, void *userdata)
{
        struct media_run *run = userdata;

        strv_push_take(&run->unchecked_accounts, xasprintf("account:%s", a->id));
        if (error)
                log_warning("%s「%s」: 订阅源暂时无法访问，本次未检查: %s",
                            rule_account_type_label(a->type), a->name, error);
        else
                log_info("%s「%s」: 台账未配置订阅源（feed），未检查更新",
                         rule_account_type_label(a->type), a->name);
}

static void run_on_page_failed(const struct rule_site *site, const char *error, void *userdata)
{
        struct media_run *run = userdata;

        strv_push(&run->unchecked_pages, site->media_page);
        log_warning("%s: 政务新媒体矩阵页无法读取，本次未比对台账: %s", site->id, error);
}

/* Whether this run read the new-media page at url: its site was planned (the one --site
 * names, else every enabled site) and the page loaded. */
static bool page_checked(const struct media_run *run, const char *url)
{
        const struct rule_config *c = run->config;
        const struct rule_site *only = run->cli->site ? rule_config_site(c, run->cli->site) : NULL;

        if (strv_contains(&run->unchecked_pages, url))
                return false;
        for (size_t i = 0; i < c->n_sites; i++) {
                const struct rule_site *s = &c->sites[i];
                if (streq_ptr(s->media_page, url) && (only ? s == only : s->enabled))
                        return true;
        }
        return false;
}

/* A problem this run could not look at again (the feed timed out, the page did not load,
 * or --site left the page out) is still open: its finding is carried forward, so that
 * reconciling does not take the silence for a fix. */
static int run_carry_forward(const struct store_violation *v, void *userdata)
{
        struct media_run *run = userdata;
        bool unchecked;

        if (streq(v->rule, "account_unlisted"))
                unchecked = !page_checked(run, v->url);
        else
                unchecked = strv_contains(&run->unchecked_accounts, v->subject);
        if (unchecked)
                run_on_finding(&(struct store_finding){
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
                               run);
        return 0;
}

static int run_print(const struct store_violation *v, void *userdata)
{
        struct media_run *run = userdata;

        if (run->print)
                output_violation(run->cli, v);
        if (v->state == VIOLATION_OPEN && v->kind == FINDING_VIOLATION)
                run->found_violations++;
        return 0;
}

static int run_conclude(struct media_run *run, struct store_reconcile_stats *ret_stats)
{
        struct store_violation_filter open = {.state = VIOLATION_OPEN, .site = RULE_MEDIA_SCOPE};
        struct store_scan_stats stats = {0};
        size_t n_rules = 0;
        int r;

        r = store_violations_foreach(run->store, &open, run_carry_forward, run);
        if (r < 0 || run->store_error)
                return r < 0 ? r : run->store_error;
        /* A media scan fetches feeds, not pages: "pages" counts the accounts judged. */
        stats.pages = (int64_t)run->accounts;
        stats.findings = (int64_t)run->findings;
        r = store_scan_finish(run->store, run->scan_id, SCAN_COMPLETE, run->cli->now, &stats);
        if (r < 0)
                return r;
        while (rule_account_rules[n_rules])
                n_rules++;
        return store_reconcile(run->store, run->scan_id, rule_account_rules, n_rules,
                               run->cli->now, ret_stats);
}

/* The check ended (or was stopped): record it, reconcile a complete one, tell the caller. */
static void run_on_done(void *userdata)
{
        struct media_run *run = userdata;
        struct cli *cli = run->cli;
        struct store_reconcile_stats rs = {0};
        int r;

        if (run->interrupted || run->store_error) {
                (void)store_scan_finish(run->store, run->scan_id, SCAN_INTERRUPTED, cli->now,
                                        NULL);
                r = run->interrupted ? -EINTR : run->store_error;
        } else {
                r = run_conclude(run, &rs);
                if (r < 0)
                        log_error("%s: 保存新媒体检查结果失败: %s", cli->db_path,
                                  store_errmsg(run->store));
        }
        if (r == 0) {
                struct store_violation_filter f = {.state = -1, .scan_id = run->scan_id};
                if (run->print)
                        output_begin(cli);
                store_violations_foreach(run->store, &f, run_print, run);
                if (!cli->quiet)
                        log_notice("media: 检查完成：%zu 个账号，合格 %zu 个；发现 %zu 个问题"
                                   "（新增 %d，持续 %d，复发 %d），已整改 %d 个",
                                   run->accounts, run->qualified, run->findings, rs.opened,
                                   rs.kept, rs.reopened, rs.fixed);
        }
        run->result = r;
        run->finished = true;
        run->done(run, r, run->userdata);
}

int media_run_start(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                    struct store *store, bool print, media_done_fn done, void *userdata,
                    struct media_run **ret)
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
        };
        _cleanup_(strv_free) struct strv internal = {0};
        struct media_plan plan = {
                .config = config,
                .now = cli->now,
                .site = cli->site,
                .retry_delay_ms = 500,
        };
        struct media_run *run;
        int r;

        if (!done)
                return -EINVAL;
        run = xcalloc(1, sizeof(*run));
        *run = (struct media_run){
                .cli = cli,
                .config = config,
                .store = store,
                .print = print,
                .done = done,
                .userdata = userdata,
        };
        struct media_callbacks cb = {
                .on_finding = run_on_finding,
                .on_account = run_on_account,
                .on_unchecked = run_on_unchecked,
                .on_page_failed = run_on_page_failed,
                .on_done = run_on_done,
                .userdata = run,
        };
        r = store_scan_begin(store, RULE_MEDIA_SCOPE, cli->now, &run->scan_id);
        if (r < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                free(run);
                return r;
        }
        /* A feed or matrix page on an intranet host is read when a site of rules.d allows
         * that host (the engine copies the list). */
        rule_config_internal_hosts(config, NULL, 0, &internal);
        http.internal_hosts = (const char *const *)internal.items;
        http.n_internal_hosts = internal.n;
        r = http_engine_new(loop, &http, &run->http);
        if (r == 0)
                r = media_check_new(loop, run->http, &plan, &cb, &run->check);
        if (r == 0) {
                if (!cli->quiet)
                        log_notice("media: 开始检查 %zu 个政务新媒体账号", config->n_accounts);
                r = media_check_start(run->check);
        }
        if (r < 0) {
                log_error("media: 无法开始检查: %s", strerror(-r));
                (void)store_scan_finish(store, run->scan_id, SCAN_FAILED, cli->now, NULL);
                run->finished = true;
                media_run_free(run);
                return r;
        }
        *ret = run;
        return 0;
}

void media_run_stop(struct media_run *run)
{
        if (!run || run->finished || run->interrupted)
                return;
        run->interrupted = true;
        if (!run->cli->quiet)
                log_notice("media: 停止检查（本次检查记为中断）");
}

void media_run_free(struct media_run *run)
{
        if (!run)
                return;
        /* Freed before it concluded (a signal, the daemon gave up waiting): interrupted. */
        if (!run->finished)
                (void)store_scan_finish(run->store, run->scan_id, SCAN_INTERRUPTED,
                                        run->cli->now, NULL);
        /* The engine first: it cancels the transfers that point into the check. */
        http_engine_free(run->http);
        media_check_free(run->check);
        strv_free(&run->unchecked_accounts);
        strv_free(&run->unchecked_pages);
        free(run);
}

/* ---- `xunjian media`: one run on a loop of its own ---------------------------------- */

struct media_cmd {
        struct cli_loop l;
        bool interrupted;
};

static void cmd_done(struct media_run *run, int result, void *userdata)
{
        struct media_cmd *cmd = userdata;

        uv_stop(&cmd->l.loop);
}

static void cmd_signal(int signum, void *userdata)
{
        struct media_cmd *cmd = userdata;

        if (!cmd->interrupted)
                log_notice("media: 收到信号 %d，停止检查（本次检查记为中断）", signum);
        cmd->interrupted = true;
        uv_stop(&cmd->l.loop);
}

int cli_media(struct cli *cli, const struct rule_config *config, struct store *store)
{
        struct media_cmd cmd = {0};
        struct media_run *run = NULL;
        size_t found = 0;
        int r;

        if (cli->site && !rule_config_site(config, cli->site)) {
                log_error("%s: 没有名为「%s」的站点", cli->config_dir, cli->site);
                return EXIT_USAGE;
        }
        cli_loop_init(&cmd.l, cmd_signal, &cmd);
        r = media_run_start(&cmd.l.loop, cli, config, store, true, cmd_done, &cmd, &run);
        if (r == 0) {
                uv_run(&cmd.l.loop, UV_RUN_DEFAULT);
                r = run->finished ? run->result : -EINTR;
                found = run->found_violations;
        }
        media_run_free(run);
        cli_loop_close(&cmd.l, "media");
        if (r < 0)
                return EXIT_RUNTIME;
        return found ? EXIT_FOUND : EXIT_CLEAN;
}
