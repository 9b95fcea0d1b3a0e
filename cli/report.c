/* `xunjian report`, `xunjian document` and `xunjian screen`: what the office publishes, written
 * to a file or to stdout. Files are replaced atomically (written beside, then renamed), so a
 * browser on the big screen that reloads at the wrong moment never reads half a page. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/log.h"
#include "notify/report.h"

_printf_(1, 2) static int usage(const char *fmt, ...)
{
        va_list ap;

        fputs("xunjian: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\n请运行 xunjian --help 查看用法。\n", stderr);
        return EXIT_USAGE;
}

static int write_all(int fd, const char *data, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                data += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Writes data to path through a temporary file in the same directory and a rename. */
static int write_file(const char *path, const char *data, size_t len)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp-XXXXXX", path);
        int fd = mkstemp(tmp), r;

        if (fd < 0)
                return -errno;
        r = write_all(fd, data, len);
        /* Readable like any published page (mkstemp creates it 0600). */
        if (r == 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void)unlink(tmp);
        return r;
}

/* To out_path when given (a file), else to stdout. */
static int emit(struct cli *cli, const char *path, const char *data, size_t len)
{
        int r;

        if (!path) {
                if (fwrite(data, 1, len, cli->out) != len || fflush(cli->out) != 0) {
                        log_error("stdout: %s", strerror(errno));
                        return EXIT_RUNTIME;
                }
                return EXIT_CLEAN;
        }
        r = write_file(path, data, len);
        if (r < 0) {
                log_error("%s: %s", path, strerror(-r));
                return EXIT_RUNTIME;
        }
        if (!cli->quiet)
                fprintf(stderr, "已写入 %s\n", path);
        return EXIT_CLEAN;
}

static bool is_directory(const char *path)
{
        struct stat st;
        return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void warn_no_office(const struct rule_config *c)
{
        if (!c->office.present)
                log_warning("rules.d 未设置 office（发文机关、签发单位），文件抬头使用默认名称");
}

static const char *page_error(int r)
{
        return r == -ENOBUFS ? "页面超过大小上限（32 MiB）" : strerror(-r);
}

struct report_job {
        struct cli *cli;
        const struct rule_config *config;
        struct store *store;
        struct notify_period period;
        bool roll;
};

/* Builds the chosen table and writes it in the formats asked for. */
static int run_report(struct report_job *job)
{
        struct cli *cli = job->cli;
        struct notify_report *report = NULL;
        struct notify_roll *roll = NULL;
        bool dir = is_directory(cli->out_path);
        bool html = cli->format != OUTPUT_CSV, csv = cli->format == OUTPUT_CSV;
        char id[16];
        int r, ret = EXIT_CLEAN;

        /* Into a directory without --format: both files, the page and its table. */
        if (dir && cli->format == OUTPUT_TEXT)
                csv = true;
        if (job->roll)
                r = notify_roll_build(job->config, job->store, &job->period, cli->now, &roll);
        else
                r = notify_report_build(job->config, job->store, &job->period, cli->now, &report);
        if (r == -ENOENT && job->roll) {
                fprintf(stderr, "%s: rules.d 中没有重点栏目（office.key_columns），无法生成月报表\n",
                        cli->config_dir);
                return EXIT_USAGE;
        }
        if (r < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(job->store));
                return EXIT_RUNTIME;
        }
        notify_period_id(&job->period, id);
        for (int pass = 0; pass < 2 && ret == EXIT_CLEAN; pass++) {
                bool as_csv = pass == 1;
                _cleanup_free_ char *data = NULL, *path = NULL;
                size_t len = 0;

                if ((as_csv && !csv) || (!as_csv && !html))
                        continue;
                if (job->roll)
                        r = as_csv ? notify_roll_csv(roll, &data, &len)
                                   : notify_roll_html(roll, &job->config->office, &data, &len);
                else
                        r = as_csv ? notify_report_csv(report, &data, &len)
                                   : notify_report_html(report, &job->config->office, &data, &len);
                if (r < 0) {
                        log_error("report %s: %s", id, page_error(r));
                        ret = EXIT_RUNTIME;
                        break;
                }
                if (dir)
                        path = xasprintf("%s/%s-%s.%s", cli->out_path,
                                         job->roll ? "roll" : "quarterly", id, as_csv ? "csv" : "html");
                ret = emit(cli, dir ? path : cli->out_path, data, len);
        }
        notify_report_free(report);
        notify_roll_free(roll);
        return ret;
}

int cli_report(struct cli *cli, int argc, char **argv)
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        struct report_job job = {.cli = cli};
        _cleanup_free_ char *error = NULL;
        int ret;

        if (argc > 0)
                return usage("report: 多余的参数「%s」", argv[0]);
        if (!cli->period)
                return usage("report: 需要 --period（如 2026Q3、2026-10 或 2026）");
        if (notify_period_parse(cli->period, &job.period, &error) < 0)
                return usage("--period: %s", error);
        if (cli->format == OUTPUT_JSON)
                return usage("report: 不支持 --format json（html|csv）");
        if (!cli->kind || streq(cli->kind, "quarterly"))
                job.roll = false;
        else if (streq(cli->kind, "roll"))
                job.roll = true;
        else
                return usage("report: 未知的 --kind「%s」（quarterly|roll）", cli->kind);
        if (cli->unit || cli->site)
                return usage("report 不接受 --unit 或 --site");

        if (cli_load_config(cli, &config) < 0)
                return EXIT_USAGE;
        warn_no_office(config);
        if (cli_open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        job.config = config;
        job.store = store;
        ret = run_report(&job);
        store_close(store);
        rule_config_free(config);
        return ret;
}

/* "handling", or its Chinese name. */
static const char *ticket_kind(const char *s)
{
        static const char *const kinds[][2] = {
                {"handling", "办理单"},
                {"reminder", "提醒单"},
                {"urging", "催办单"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
                if (streq(s, kinds[i][0]) || streq(s, kinds[i][1]))
                        return kinds[i][0];
        return NULL;
}

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

int cli_document(struct cli *cli, int argc, char **argv)
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        struct notify_document_query q = {0};
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r, ret;

        if (cli->format != OUTPUT_TEXT)
                return usage("document 总是输出 HTML，不接受 --format");
        if (argc == 1 && !cli->unit && !cli->kind) {
                if (all_digits(argv[0]))
                        q.id = strtoll(argv[0], NULL, 10);
                else
                        q.number = argv[0];
                if (q.id <= 0 && !q.number)
                        return usage("document: 票据号「%s」无效", argv[0]);
        } else if (argc == 0 && cli->unit && cli->kind) {
                q.kind = ticket_kind(cli->kind);
                if (!q.kind)
                        return usage("document: 未知的 --kind「%s」（handling|reminder|urging）",
                                     cli->kind);
        } else {
                return usage("document: 需要一个票据编号或 ID，或者 --unit 与 --kind");
        }

        if (cli_load_config(cli, &config) < 0)
                return EXIT_USAGE;
        warn_no_office(config);
        if (cli->unit) {
                /* A unit of rules.d by id or name; otherwise the name as the database has it. */
                const struct rule_unit *u = rule_config_unit(config, cli->unit);
                q.unit = u ? u->name : cli->unit;
        }
        if (cli_open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        r = notify_document_html(store, &config->office, &q, cli->now, &data, &len);
        if (r == -ENOENT) {
                if (q.unit)
                        fprintf(stderr, "xunjian: 单位「%s」没有未办结的%s\n", q.unit,
                                notify_ticket_kind_label(q.kind));
                else
                        fprintf(stderr, "xunjian: 没有找到票据「%s」\n", argv[0]);
                ret = EXIT_USAGE;
        } else if (r == -E2BIG) {
                fprintf(stderr, "xunjian: 票据太多，无法合为一份文件\n");
                ret = EXIT_USAGE;
        } else if (r < 0) {
                log_error("%s: %s", cli->db_path,
                          r == -ENOBUFS ? page_error(r) : store_errmsg(store));
                ret = EXIT_RUNTIME;
        } else {
                ret = emit(cli, cli->out_path, data, len);
        }
        store_close(store);
        rule_config_free(config);
        return ret;
}

int cli_screen(struct cli *cli, int argc, char **argv)
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        struct notify_report *report = NULL;
        struct notify_roll *roll = NULL;
        struct notify_period period, year_to_date;
        _cleanup_free_ char *error = NULL, *data = NULL;
        size_t len = 0;
        int r, ret = EXIT_RUNTIME;

        if (argc > 0)
                return usage("screen: 多余的参数「%s」", argv[0]);
        if (cli->format != OUTPUT_TEXT)
                return usage("screen 总是输出 HTML，不接受 --format");
        /* The quarter that is running, unless another period is asked for. */
        if (cli->period) {
                if (notify_period_parse(cli->period, &period, &error) < 0)
                        return usage("--period: %s", error);
        } else {
                notify_period_of(PERIOD_QUARTER, cli->now, &period);
        }
        notify_period_of(PERIOD_MONTH, cli->now, &year_to_date);

        if (cli_load_config(cli, &config) < 0)
                return EXIT_USAGE;
        warn_no_office(config);
        if (cli_open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        r = notify_report_build(config, store, &period, cli->now, &report);
        if (r >= 0) {
                r = notify_roll_build(config, store, &year_to_date, cli->now, &roll);
                if (r == -ENOENT)
                        r = 0;  /* no key columns: the screen shows the units alone */
        }
        if (r < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                goto out;
        }
        r = notify_screen_html(report, roll, &config->office, &data, &len);
        if (r < 0) {
                log_error("screen: %s", page_error(r));
                goto out;
        }
        ret = emit(cli, cli->out_path, data, len);
out:
        notify_report_free(report);
        notify_roll_free(roll);
        store_close(store);
        rule_config_free(config);
        return ret;
}
