/* `xunjian daemon` and `xunjian reload`; see daemon.h. */
#include "daemon/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "common/xtime.h"
#include "crawler/http.h"
#include "cli/media.h"
#include "crawler/site.h"
#include "daemon/schedule.h"
#include "notify/mail.h"
#include "notify/tickets.h"

/* A control request or answer longer than this is refused: a request is one word, an
 * answer at most the loader's capped error list. */
#define CONTROL_MAX (256 * 1024)

/* In real time, the scheduler looks at its clock again at least this often, so a clock
 * step (NTP) or a suspended host delays a job by no more than this. */
#define TICK_MAX_MS (60 * 1000)

struct job {
        enum job_kind kind;
        char *site;                     /* the site's id, or "" */
        int64_t next;                   /* when it is due */
};

struct daemon;

struct control_conn {
        uv_pipe_t pipe;
        struct daemon *d;
        struct buf in;
        bool answered;
};

struct mail_work {
        uv_work_t req;
        struct daemon *d;
        char *db_path;
        const struct rule_config *config;
        int64_t now;
        int result;
        char *error;
        int sent, failed;
};

/* Where a job runs. The main slot takes scans, homepage link checks, the new-media check
 * and the mail, one at a time; the probe slot takes the homepage probes beside them, so a
 * crawl of hours does not hold back the 20 probes a day (DOMAIN.md 站点无法访问). Each
 * slot's runs see the clock of their own start through the slot's copy of the cli. */
struct slot {
        struct job *job;                /* the job under way, or NULL */
        int64_t since;
        uint64_t real_ms;
        bool free_pending;              /* its run to free outside its own callback */
        struct cli cli;
};

struct daemon {
        struct cli *cli;
        uv_loop_t loop;
        struct rule_config *config;
        struct rule_config *next_config;        /* reloaded while a job ran: used after it */
        struct store *store;

        /* The clock: base + offset + (loop time - real_base) * speed. */
        int64_t base;
        uint64_t real_base_ms;
        double speed;
        bool warp;
        int64_t offset;

        struct job *jobs;
        size_t n_jobs;
        struct slot main, probing;
        struct probe_run *probe;        /* the probing slot's run */
        struct scan_run *scan;          /* the main slot's run: a scan, */
        struct media_run *media;        /* the new-media check, */
        struct mail_work *mail;         /* or the mail */

        uv_timer_t tick, watchdog, stop_timer;
        uv_idle_t reaper;               /* frees finished runs, then schedules */
        uv_signal_t sighup, sigterm, sigint;
        uv_pipe_t control;
        char *control_path;
        bool control_open;

        bool stopping;
        int exit_code;
};

static int64_t clock_now(struct daemon *d)
{
        uint64_t real = uv_now(&d->loop) - d->real_base_ms;

        return d->base + d->offset + (int64_t)((double)real * d->speed / 1000.0);
}

static bool busy(const struct daemon *d)
{
        return d->main.job || d->probing.job;
}

static void notify_status(const char *fmt, ...) _printf_(1, 2);
static void notify_status(const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (msg)
                (void)sd_notifyf(0, "STATUS=%s", msg);
}

static uint64_t monotonic_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const struct rule_site *job_site(struct daemon *d, const struct job *j)
{
        return *j->site ? rule_config_site(d->config, j->site) : NULL;
}

static const char *job_name(const struct job *j, char *buf, size_t size)
{
        snprintf(buf, size, "%s%s%s", j->site, *j->site ? " " : "", job_kind_label(j->kind));
        return buf;
}

/* ---- the job list ------------------------------------------------------------------------ */

static void jobs_free(struct daemon *d)
{
        for (size_t i = 0; i < d->n_jobs; i++)
                free(d->jobs[i].site);
        free(d->jobs);
        d->jobs = NULL;
        d->n_jobs = 0;
}

static void job_add(struct daemon *d, enum job_kind kind, const char *site)
{
        d->jobs = xreallocarray(d->jobs, d->n_jobs + 1, sizeof(*d->jobs));
        d->jobs[d->n_jobs++] = (struct job){.kind = kind, .site = xstrdup(site ? site : "")};
}

/* Whether there is anything for the new-media job: ledger accounts, or a site's matrix page. */
static bool daemon_has_media(const struct rule_config *c)
{
        if (c->n_accounts)
                return true;
        for (size_t i = 0; i < c->n_sites; i++)
                if (c->sites[i].enabled && c->sites[i].media_page)
                        return true;
        return false;
}

/* The jobs of the configuration, each due at its stored slot; a job the store has not seen
 * gets its next slot from now (a new site is not scanned in the middle of the day). A
 * stored slot in the past is a run missed while the daemon was down: due now, once. */
static int jobs_build(struct daemon *d)
{
        const struct rule_config *c = d->config;
        int64_t now = clock_now(d);
        int r = 0;

        jobs_free(d);
        for (size_t i = 0; i < c->n_sites; i++) {
                if (!c->sites[i].enabled)
                        continue;
                job_add(d, JOB_PROBE, c->sites[i].id);
                job_add(d, JOB_SCAN, c->sites[i].id);
                /* A nightly scan checks the homepage's links every day already. */
                if (rule_config_scan_schedule(c, &c->sites[i])->frequency == SCAN_WEEKLY)
                        job_add(d, JOB_LINKS, c->sites[i].id);
        }
        job_add(d, JOB_MAIL, NULL);
        if (daemon_has_media(c))
                job_add(d, JOB_MEDIA, NULL);

        for (size_t i = 0; i < d->n_jobs && r == 0; i++) {
                struct job *j = &d->jobs[i];

                r = store_job_next(d->store, j->site, job_kind_id(j->kind), &j->next);
                if (r == -ENOENT || (r == 0 && j->next == 0)) {
                        j->next = schedule_next(c, j->kind, job_site(d, j), now);
                        r = store_job_schedule(d->store, j->site, job_kind_id(j->kind), j->next);
                }
        }
        if (r < 0)
                log_error("%s: %s", d->cli->db_path, store_errmsg(d->store));
        return r;
}

static struct slot *slot_of(struct daemon *d, const struct job *j)
{
        return j->kind == JOB_PROBE ? &d->probing : &d->main;
}

/* The job due first among those of a free slot, or NULL. */
static struct job *job_next_due(struct daemon *d)
{
        struct job *best = NULL;

        for (size_t i = 0; i < d->n_jobs; i++)
                if (!slot_of(d, &d->jobs[i])->job && (!best || d->jobs[i].next < best->next))
                        best = &d->jobs[i];
        return best;
}

/* ---- running jobs ------------------------------------------------------------------------ */

static void schedule(struct daemon *d);
static void shutdown_finish(struct daemon *d);
static void on_reaper(uv_idle_t *h);

static void metrics_update(struct daemon *d)
{
        const char *path = d->config->daemon.metrics_file;
        int r;

        if (!path)
                return;
        r = daemon_metrics_write(d->store, d->config, clock_now(d), path);
        if (r < 0)
                log_warning("%s: 无法写入监控指标: %s", path, strerror(-r));
}

/* A job ended: its result and next slot go to the store, the metrics are rewritten, and
 * the next job is looked for once the run has been freed (from the reaper, outside the
 * run's own callback). */
static void job_finished(struct daemon *d, struct slot *slot, int result, const char *error)
{
        struct job *j = slot->job;
        int64_t now = clock_now(d);
        double seconds = (double)(uv_now(&d->loop) - slot->real_ms) / 1000.0;
        const char *res = result == 0 ? "ok" : result == -EINTR ? "interrupted" : "failed";
        char name[256];
        int r;

        /* The next slot after the end: slots that passed during a long run are not owed.
         * A job cut short by a stop keeps its slot, so it is due again at the next start,
         * where an interrupted scan continues from its stored frontier. */
        if (!(result == -EINTR && d->stopping))
                j->next = schedule_next(d->config, j->kind, job_site(d, j), now);
        r = store_job_finished(d->store, j->site, job_kind_id(j->kind), now, res,
                               error ? error : result < 0 && result != -EINTR ? strerror(-result)
                                                                              : NULL,
                               seconds, j->next);
        if (r < 0)
                log_error("%s: %s", d->cli->db_path, store_errmsg(d->store));
        job_name(j, name, sizeof(name));
        if (result == 0)
                log_struct(LOG_LEVEL_INFO, *j->site ? j->site : NULL, NULL, NULL,
                           "%s完成，用时 %.1f 秒", name, seconds);
        else
                log_struct(result == -EINTR ? LOG_LEVEL_NOTICE : LOG_LEVEL_ERROR,
                           *j->site ? j->site : NULL, NULL, NULL, "%s%s：%s", name,
                           result == -EINTR ? "中断" : "失败",
                           error ? error : strerror(-result));
        metrics_update(d);
        slot->job = NULL;
        uv_idle_start(&d->reaper, on_reaper);
}

static void probe_done(struct probe_run *run, int result, void *userdata)
{
        struct daemon *d = userdata;

        d->probing.free_pending = true;
        job_finished(d, &d->probing, result, NULL);
}

/* The ticket engine after each scan, in one transaction: fixes close tickets, new
 * violations get their 办理单, deadlines their 提醒单 and 催办单. */
static int run_tickets(struct daemon *d, int64_t now)
{
        struct notify_changes ch = {0};
        int r = store_begin(d->store);

        if (r >= 0)
                r = notify_tickets_run(d->store, d->config, now, &ch);
        if (r < 0) {
                log_error("%s: 签发单据失败：%s", d->cli->db_path, store_errmsg(d->store));
                store_rollback(d->store);
        } else {
                r = store_commit(d->store);
                if (r < 0)
                        log_error("%s: 签发单据失败：%s", d->cli->db_path, store_errmsg(d->store));
        }
        if (r == 0 && ch.n)
                log_notice("单据：%zu 项变化（签发、办结或确认例外）", ch.n);
        notify_changes_free(&ch);
        return r;
}

static void media_done(struct media_run *run, int result, void *userdata)
{
        struct daemon *d = userdata;

        d->main.free_pending = true;
        /* Its violations are the ledger's: they get their 单 as a scan's do. */
        if (result == 0 && run_tickets(d, clock_now(d)) < 0)
                result = -EIO;
        job_finished(d, &d->main, result, NULL);
}

static void scan_done(struct scan_run *run, int result, void *userdata)
{
        struct daemon *d = userdata;

        d->main.free_pending = true;
        /* A completed scan, even one that found problems, feeds the ticket engine; an
         * interrupted one has not reconciled anything, so there is nothing new for it. */
        if (result == 0 && run_tickets(d, clock_now(d)) < 0)
                result = -EIO;
        job_finished(d, &d->main, result, NULL);
}

/* The nightly email on the thread pool, with a store connection of its own: the tickets of
 * the day first (so the mail reports them), then one message per unit and the summary. */
static void mail_work(uv_work_t *req)
{
        struct mail_work *w = container_of(req, struct mail_work, req);
        struct notify_changes ch = {0};
        struct notify_mail_report rep = {0};
        struct notify_mail_options o = {0};
        struct store *s = NULL;
        int r;

        r = store_open(w->db_path, &s, &w->error);
        if (r >= 0)
                r = store_begin(s);
        if (r >= 0) {
                r = notify_tickets_run(s, w->config, w->now, &ch);
                if (r < 0) {
                        w->error = xstrdup(store_errmsg(s));
                        store_rollback(s);
                } else {
                        r = store_commit(s);
                }
        }
        if (r >= 0)
                r = notify_mail_run(s, w->config, w->now, &o, &rep, &w->error);
        w->sent = rep.sent;
        w->failed = rep.temporary + rep.permanent;
        notify_mail_report_free(&rep);
        notify_changes_free(&ch);
        store_close(s);
        w->result = r;
}

static void mail_after(uv_work_t *req, int status)
{
        struct mail_work *w = container_of(req, struct mail_work, req);
        struct daemon *d = w->d;
        int r = status < 0 ? -ECANCELED : w->result;

        if (r >= 0 || r == -EAGAIN || r == -EIO)
                log_notice("邮件：已发送 %d 封，失败 %d 封", w->sent, w->failed);
        /* A temporary failure is retried by the next run; the job itself did its work. */
        job_finished(d, &d->main, r == -EAGAIN ? 0 : r, w->error);
        free(w->db_path);
        free(w->error);
        free(w);
        d->mail = NULL;
}

static void job_start(struct daemon *d, struct job *j)
{
        struct slot *slot = slot_of(d, j);
        struct cli *cli = &slot->cli;
        char name[256];
        int r = 0;

        slot->job = j;
        slot->since = clock_now(d);
        slot->real_ms = uv_now(&d->loop);
        *cli = *d->cli;
        cli->now = slot->since;
        job_name(j, name, sizeof(name));
        notify_status("正在运行：%s", name);
        log_struct(LOG_LEVEL_INFO, *j->site ? j->site : NULL, NULL, NULL, "开始%s", name);
        if (store_job_started(d->store, j->site, job_kind_id(j->kind), slot->since) < 0)
                log_error("%s: %s", d->cli->db_path, store_errmsg(d->store));

        switch (j->kind) {
        case JOB_PROBE: {
                const struct rule_site *site = job_site(d, j);
                r = probe_run_start(&d->loop, cli, d->config, d->store, &site, 1, probe_done, d,
                                    &d->probe);
                break;
        }
        case JOB_SCAN:
                r = scan_run_start(&d->loop, cli, d->config, d->store, job_site(d, j), false,
                                   scan_done, d, &d->scan);
                break;
        case JOB_LINKS:
                r = scan_run_start_homepage(&d->loop, cli, d->config, d->store,
                                            job_site(d, j), scan_done, d, &d->scan);
                break;
        case JOB_MEDIA:
                r = media_run_start(&d->loop, cli, d->config, d->store, false, media_done, d,
                                    &d->media);
                break;
        case JOB_MAIL: {
                struct mail_work *w = xcalloc(1, sizeof(*w));
                *w = (struct mail_work){
                        .d = d,
                        .db_path = xstrdup(d->cli->db_path),
                        .config = d->config,
                        .now = slot->since,
                };
                r = uv_queue_work(&d->loop, &w->req, mail_work, mail_after);
                if (r < 0) {
                        free(w->db_path);
                        free(w);
                } else {
                        d->mail = w;
                }
                break;
        }
        default:
                r = -EINVAL;
        }
        if (r < 0)
                job_finished(d, slot, r, NULL);
}

/* Frees the probe or scan run whose callback ended the job, applies a configuration
 * reloaded meanwhile, then looks for the next job (or finishes the shutdown). */
static void on_reaper(uv_idle_t *h)
{
        struct daemon *d = container_of(h, struct daemon, reaper);

        uv_idle_stop(h);
        if (d->probing.free_pending) {
                probe_run_free(d->probe);
                d->probe = NULL;
                d->probing.free_pending = false;
        }
        if (d->main.free_pending) {
                scan_run_free(d->scan);
                media_run_free(d->media);
                d->scan = NULL;
                d->media = NULL;
                d->main.free_pending = false;
        }
        if (d->next_config && !busy(d)) {
                rule_config_free(d->config);
                d->config = d->next_config;
                d->next_config = NULL;
                if (!d->stopping)
                        (void)jobs_build(d);
        }
        if (d->stopping)
                shutdown_finish(d);
        else
                schedule(d);
}

static void on_tick(uv_timer_t *t)
{
        schedule(container_of(t, struct daemon, tick));
}

/* Starts what is due in each free slot, then sleeps until the next job of a free slot (in
 * warp mode, once nothing runs, jumps there instead). The end of a running job calls this
 * again, through the reaper. */
static void schedule(struct daemon *d)
{
        struct job *j;
        int64_t now;
        char name[256], when[32];

        if (d->stopping)
                return;
        now = clock_now(d);
        j = job_next_due(d);
        if (!busy(d) && j && d->cli->until && (j->next > d->cli->until || now > d->cli->until)) {
                log_notice("模拟时钟已到 --until 所给时间，停止");
                kill(getpid(), SIGTERM);
                return;
        }
        while ((j = job_next_due(d)) && j->next <= now)
                job_start(d, j);
        if (!j)
                return;
        if (!busy(d))
                notify_status("空闲；下一项：%s，%s", job_name(j, name, sizeof(name)),
                              time_format_iso8601(j->next, when));
        if (d->warp) {
                if (busy(d))
                        return;
                d->offset += j->next - now;
                uv_timer_start(&d->tick, on_tick, 0, 0);
                return;
        }
        double ms = (double)(j->next - now) * 1000.0 / d->speed;
        uv_timer_start(&d->tick, on_tick, ms > TICK_MAX_MS ? TICK_MAX_MS : (uint64_t)ms + 1, 0);
}

/* ---- reload ---------------------------------------------------------------------------- */

/* Re-reads rules.d. A configuration with errors is refused, its errors appended to errors,
 * and the old one kept. Returns 0 or a negative errno. */
static int do_reload(struct daemon *d, struct strv *errors)
{
        struct rule_config *c = NULL;
        int r;

        (void)sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64 "\nSTATUS=正在重新加载 %s",
                         monotonic_usec(), d->cli->config_dir);
        r = rule_config_load(d->cli->config_dir, &c, errors);
        if (r < 0) {
                if (errors->n == 0)
                        strv_push_take(errors, xasprintf("%s: %s", d->cli->config_dir,
                                                         strerror(-r)));
                log_error("%s: 配置有误，未重新加载，继续使用原配置：", d->cli->config_dir);
                for (size_t i = 0; i < errors->n; i++)
                        log_error("%s", errors->items[i]);
        } else {
                log_notice("%s: 已重新加载配置（%zu 个文件，%zu 个站点）", d->cli->config_dir,
                           c->files.n, c->n_sites);
                /* A job under way keeps the configuration it began with. */
                rule_config_free(d->next_config);
                d->next_config = c;
                if (!busy(d))
                        uv_idle_start(&d->reaper, on_reaper);
        }
        (void)sd_notify(0, "READY=1");
        notify_status("%s", r < 0 ? "配置有误，继续使用原配置" : "已重新加载配置");
        return r;
}

static void on_sighup(uv_signal_t *h, int signum)
{
        struct daemon *d = container_of(h, struct daemon, sighup);
        struct strv errors = {0};

        if (!d->stopping)
                (void)do_reload(d, &errors);
        strv_free(&errors);
}

/* ---- the control socket -------------------------------------------------------------- */

static void conn_closed(uv_handle_t *h)
{
        struct control_conn *c = container_of((uv_pipe_t *)h, struct control_conn, pipe);

        buf_free(&c->in);
        free(c);
}

static void conn_written(uv_write_t *req, int status)
{
        struct control_conn *c = req->data;

        free(req);
        uv_close((uv_handle_t *)&c->pipe, conn_closed);
}

static void conn_answer(struct control_conn *c, const char *text)
{
        struct answer {
                uv_write_t req;
                char text[];
        };
        size_t n = strlen(text);
        struct answer *a = xmalloc(sizeof(*a) + n + 1);
        uv_buf_t b = uv_buf_init(a->text, (unsigned)n);

        memcpy(a->text, text, n + 1);
        a->req.data = c;
        c->answered = true;
        uv_read_stop((uv_stream_t *)&c->pipe);
        /* The request is the first member: freeing it frees the text too. */
        if (uv_write(&a->req, (uv_stream_t *)&c->pipe, &b, 1, conn_written) < 0) {
                free(a);
                uv_close((uv_handle_t *)&c->pipe, conn_closed);
        }
}

static void conn_request(struct control_conn *c, const char *line)
{
        struct daemon *d = c->d;
        struct buf out;

        buf_init(&out, CONTROL_MAX);
        if (streq(line, "reload")) {
                struct strv errors = {0};
                if (d->stopping) {
                        buf_appends(&out, "error\n守护进程正在停止\n");
                } else if (do_reload(d, &errors) < 0) {
                        buf_appends(&out, "error\n");
                        for (size_t i = 0; i < errors.n; i++)
                                buf_appendf(&out, "%s\n", errors.items[i]);
                } else {
                        buf_appendf(&out, "ok\n%s: 已重新加载配置%s\n", d->cli->config_dir,
                                    busy(d) ? "（当前任务结束后生效）" : "");
                }
                strv_free(&errors);
        } else {
                buf_appendf(&out, "error\n未知请求「%.64s」（可用：reload）\n", line);
        }
        conn_answer(c, out.data ? out.data : "error\n");
        buf_free(&out);
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
        static char scratch[4096];

        /* One read at a time on the loop thread: a static buffer is enough. */
        *b = uv_buf_init(scratch, sizeof(scratch));
}

static void conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
        struct control_conn *c = container_of((uv_pipe_t *)s, struct control_conn, pipe);
        char *nl;

        if (n < 0) {
                uv_close((uv_handle_t *)&c->pipe, conn_closed);
                return;
        }
        if (buf_append(&c->in, b->base, (size_t)n) < 0) {
                conn_answer(c, "error\n请求过长\n");
                return;
        }
        nl = c->in.data ? memchr(c->in.data, '\n', c->in.len) : NULL;
        if (nl) {
                *nl = '\0';
                conn_request(c, c->in.data);
        }
}

static void on_connection(uv_stream_t *server, int status)
{
        struct daemon *d = container_of((uv_pipe_t *)server, struct daemon, control);
        struct control_conn *c;

        if (status < 0)
                return;
        c = xcalloc(1, sizeof(*c));
        c->d = d;
        buf_init(&c->in, 256);
        uv_pipe_init(&d->loop, &c->pipe, 0);
        if (uv_accept(server, (uv_stream_t *)&c->pipe) < 0 ||
            uv_read_start((uv_stream_t *)&c->pipe, conn_alloc, conn_read) < 0)
                uv_close((uv_handle_t *)&c->pipe, conn_closed);
}

static const char *runtime_dir(const struct cli *cli, char **ret_owned)
{
        const char *e = getenv("RUNTIME_DIRECTORY");

        *ret_owned = NULL;
        if (cli->runtime_dir)
                return cli->runtime_dir;
        if (e && *e) {
                /* systemd may pass several directories separated by ':'; the first is ours. */
                *ret_owned = xstrndup(e, strcspn(e, ":"));
                return *ret_owned;
        }
        return "/run/xunjian";
}

char *daemon_control_path(const struct cli *cli)
{
        _cleanup_free_ char *owned = NULL;
        const char *dir = runtime_dir(cli, &owned);

        return xasprintf("%s/control", dir);
}

static int control_open(struct daemon *d)
{
        _cleanup_free_ char *owned = NULL;
        const char *dir = runtime_dir(d->cli, &owned);
        int r;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        d->control_path = daemon_control_path(d->cli);
        if (strlen(d->control_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
                return -ENAMETOOLONG;
        /* A socket left by a daemon that was killed: nobody listens on it any more (a
         * second daemon on the same runtime directory would be a mistake of the unit). */
        (void)unlink(d->control_path);
        uv_pipe_init(&d->loop, &d->control, 0);
        d->control_open = true;
        r = uv_pipe_bind(&d->control, d->control_path);
        if (r == 0) {
                (void)chmod(d->control_path, 0600);
                r = uv_listen((uv_stream_t *)&d->control, 8, on_connection);
        }
        return r;
}

/* ---- watchdog, signals, shutdown --------------------------------------------------------- */

static void on_watchdog(uv_timer_t *t)
{
        (void)sd_notify(0, "WATCHDOG=1");
}

static void on_stop_timeout(uv_timer_t *t)
{
        struct daemon *d = container_of(t, struct daemon, stop_timer);

        log_warning("停止超时（%d 秒），放弃正在运行的任务（扫描记为中断，可在下次继续）",
                    d->config->daemon.stop_timeout_s);
        if (d->mail) {
                /* A message being sent cannot be taken back from the thread; each is
                 * recorded before the next, so leaving now loses or repeats none. */
                d->exit_code = EXIT_CLEAN;
                uv_stop(&d->loop);
                return;
        }
        if (d->probing.job) {
                d->probing.free_pending = true;
                job_finished(d, &d->probing, -EINTR, "停止超时");
        }
        if (d->main.job) {
                d->main.free_pending = true;
                job_finished(d, &d->main, -EINTR, "停止超时");
        }
}

static void on_terminate(uv_signal_t *h, int signum)
{
        struct daemon *d = h->data;

        if (d->stopping)
                return;
        d->stopping = true;
        (void)sd_notify(0, "STOPPING=1\nSTATUS=正在停止");
        log_notice("收到信号 %d，停止：不再开始新任务%s", signum,
                   busy(d) ? "，等待当前任务在页面边界结束" : "");
        uv_timer_stop(&d->tick);
        uv_timer_start(&d->stop_timer, on_stop_timeout,
                       (uint64_t)d->config->daemon.stop_timeout_s * 1000, 0);
        if (d->probing.job) {
                /* A probe is short, but freeing it cancels it and marks it interrupted. */
                d->probing.free_pending = true;
                job_finished(d, &d->probing, -EINTR, NULL);
        }
        scan_run_stop(d->scan);
        media_run_stop(d->media);
        if (!busy(d))
                uv_idle_start(&d->reaper, on_reaper);
}

static void shutdown_finish(struct daemon *d)
{
        if (busy(d))
                return;
        uv_stop(&d->loop);
}

static void close_all(uv_handle_t *h, void *arg)
{
        if (!uv_is_closing(h))
                uv_close(h, NULL);
}

int daemon_main(struct cli *cli)
{
        struct daemon *d = xcalloc(1, sizeof(*d));
        struct strv errors = {0};
        uint64_t watchdog_usec = 0;
        int ret = EXIT_CLEAN, r;

        d->cli = cli;
        d->speed = cli->clock_speed > 0 ? cli->clock_speed : 1.0;
        d->warp = cli->warp;
        r = rule_config_load(cli->config_dir, &d->config, &errors);
        for (size_t i = 0; i < errors.n; i++)
                log_error("%s", errors.items[i]);
        strv_free(&errors);
        if (r < 0) {
                log_error("%s: 配置有误，无法启动", cli->config_dir);
                free(d);
                return EXIT_USAGE;
        }
        if (cli_open_store(cli, &d->store) < 0) {
                rule_config_free(d->config);
                free(d);
                return EXIT_RUNTIME;
        }
        if (http_global_init() < 0) {
                log_error("libcurl could not be initialised");
                store_close(d->store);
                rule_config_free(d->config);
                free(d);
                return EXIT_RUNTIME;
        }

        uv_loop_init(&d->loop);
        d->base = cli->now;
        d->real_base_ms = uv_now(&d->loop);
        uv_timer_init(&d->loop, &d->tick);
        uv_timer_init(&d->loop, &d->watchdog);
        uv_timer_init(&d->loop, &d->stop_timer);
        uv_idle_init(&d->loop, &d->reaper);
        uv_signal_init(&d->loop, &d->sighup);
        uv_signal_init(&d->loop, &d->sigterm);
        uv_signal_init(&d->loop, &d->sigint);
        d->sigterm.data = d->sigint.data = d;
        uv_signal_start(&d->sighup, on_sighup, SIGHUP);
        uv_signal_start(&d->sigterm, on_terminate, SIGTERM);
        uv_signal_start(&d->sigint, on_terminate, SIGINT);
        /* A client that goes away before its answer is written must not kill the daemon. */
        signal(SIGPIPE, SIG_IGN);

        r = control_open(d);
        if (r < 0) {
                log_error("%s: 无法打开控制套接字: %s", d->control_path ? d->control_path : "",
                          uv_strerror(r));
                ret = EXIT_RUNTIME;
                goto out;
        }
        if (jobs_build(d) < 0) {
                ret = EXIT_RUNTIME;
                goto out;
        }
        if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
                uint64_t ms = watchdog_usec / 2000;
                uv_timer_start(&d->watchdog, on_watchdog, ms ? ms : 1, ms ? ms : 1);
        }
        log_notice("守护进程已启动：%zu 个站点，%zu 项任务，配置 %s，数据库 %s", d->config->n_sites,
                   d->n_jobs, cli->config_dir, cli->db_path);
        (void)sd_notify(0, "READY=1\nSTATUS=已加载配置");
        schedule(d);
        uv_run(&d->loop, UV_RUN_DEFAULT);
        ret = d->exit_code;

out:
        if (d->main.job && !d->mail)
                d->main.free_pending = true;
        if (d->probing.job)
                d->probing.free_pending = true;
        if (d->probing.free_pending)
                probe_run_free(d->probe);
        if (d->main.free_pending) {
                scan_run_free(d->scan);
                media_run_free(d->media);
        }
        if (d->control_open)
                (void)unlink(d->control_path);
        uv_walk(&d->loop, close_all, NULL);
        uv_run(&d->loop, UV_RUN_DEFAULT);
        if (!d->mail && uv_loop_close(&d->loop) != 0)
                log_warning("daemon: event loop closed with handles still open");
        log_notice("守护进程已停止");
        http_global_cleanup();
        jobs_free(d);
        free(d->control_path);
        store_close(d->store);
        rule_config_free(d->next_config);
        rule_config_free(d->config);
        free(d);
        return ret;
}

/* ---- xunjian reload -------------------------------------------------------------------- */

int daemon_reload(struct cli *cli)
{
        _cleanup_free_ char *path = daemon_control_path(cli);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        struct buf in;
        char chunk[4096];
        int fd, ret;
        ssize_t n;

        if (strlen(path) >= sizeof(addr.sun_path)) {
                fprintf(stderr, "xunjian: %s: 路径过长\n", path);
                return EXIT_RUNTIME;
        }
        memcpy(addr.sun_path, path, strlen(path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                fprintf(stderr, "xunjian: %s: 无法连接守护进程: %s\n", path, strerror(errno));
                if (fd >= 0)
                        close(fd);
                return EXIT_RUNTIME;
        }
        if (write(fd, "reload\n", 7) != 7) {
                fprintf(stderr, "xunjian: %s: %s\n", path, strerror(errno));
                close(fd);
                return EXIT_RUNTIME;
        }
        buf_init(&in, CONTROL_MAX);
        while ((n = read(fd, chunk, sizeof(chunk))) > 0)
                if (buf_append(&in, chunk, (size_t)n) < 0)
                        break;
        close(fd);
        if (in.len >= 3 && memcmp(in.data, "ok\n", 3) == 0) {
                if (!cli->quiet)
                        fputs(in.data + 3, cli->out);
                ret = EXIT_CLEAN;
        } else if (in.len >= 6 && memcmp(in.data, "error\n", 6) == 0) {
                fputs(in.data + 6, stderr);
                fprintf(stderr, "%s: 配置有误，守护进程继续使用原配置\n", cli->config_dir);
                ret = EXIT_USAGE;
        } else {
                fprintf(stderr, "xunjian: %s: 守护进程没有回答\n", path);
                ret = EXIT_RUNTIME;
        }
        buf_free(&in);
        return ret;
}
