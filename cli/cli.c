/* `xunjian`: global options, the subcommands that are not big enough for a file of their
 * own (rules check, violations, version), and dispatch. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>

#include "cli/media.h"
#include "common/log.h"
#include "common/xtime.h"
#include "crawler/http.h"
#include "daemon/daemon.h"
#include "xj_config.h"

static const char usage_text[] =
        "用法: xunjian [全局选项] 命令 [选项]\n"
        "\n"
        "命令:\n"
        "  scan [--site NAME]              巡检站点，记录问题并与已有问题比对\n"
        "  violations [--state S] [--site NAME]\n"
        "                                  列出问题（S: open|fixed|accepted|all，默认 open）\n"
        "  rules check                     校验 rules.d 配置，出错时退出码为 2\n"
        "  probe [--site NAME]             探测首页是否可访问（每次限时 15 秒），记录结果并按\n"
        "                                  近 7 天失败率判定「站点无法访问」\n"
        "  verdict [--site NAME]           单项否决评价：合格/不合格、原因与数字、与上次相比的趋势\n"
        "  tickets                         按问题签发办理单、提醒单、催办单，办结已整改的单据\n"
        "  ticket list [--state S] [--unit U]\n"
        "                                  列出单据（S: open|closed|accepted|all，默认 open）\n"
        "  ticket show ID                  显示单据及其全部记录（ID 为序号或文号）\n"
        "  ticket accept ID --reason R [--who NAME]\n"
        "                                  确认问题为例外（记录操作人与理由）\n"
        "  ticket reopen ID --reason R [--who NAME]\n"
        "                                  重新打开单据\n"
        "  notify [--dry-run DIR] [--unit U]\n"
        "                                  给各单位发送当日邮件，给监督单位发送汇总\n"
        "  report --period P [--kind quarterly|roll] [--out FILE|DIR]\n"
        "                                  季度通报或重点栏目月报表（P: 2026Q3|2026-10|2026；\n"
        "                                  --format html|csv）\n"
        "  document 编号|ID [--out FILE]     打印办理单、提醒单、催办单（HTML）\n"
        "  document --unit U --kind K      某单位全部未办结的 K 单合为一份（K: handling|reminder|urging）\n"
        "  screen [--period P] [--out FILE]  大屏页面（自动轮播、定时刷新）\n"
        "  daemon [--runtime-dir DIR]      守护进程：按 rules.d 的安排探测、巡检、签发单据、发送\n"
        "                                  每日邮件（测试用：--clock-speed N、--warp、--until T）\n"
        "  reload [--runtime-dir DIR]      让守护进程重新读取 rules.d；配置有误时退出码为 2\n"
        "  status                          各站点各项任务的上次与下次运行、最近巡检的页面与\n"
        "                                  失败数、各单位未整改问题与未办结单据\n"
        "  version                         显示版本\n"
        "\n"
        "全局选项:\n"
        "  --config DIR     rules.d 目录（默认 /etc/xunjian/rules.d，不存在时用随程序安装的\n"
        "                   /usr/share/xunjian/rules.d 或源码中的 rules.d）\n"
        "  --db FILE        数据库文件（默认 $XUNJIAN_DB，或 $STATE_DIRECTORY/xunjian.db，\n"
        "                   或 ./xunjian.db）\n"
        "  --now ISO8601    以此时间为“现在”（测试与复核用），如 2026-11-23T09:00:00+08:00\n"
        "  --format F       输出格式: text|json|csv（默认 text）；report 用 html|csv\n"
        "  -q, --quiet      只输出结果，不输出进度\n"
        "  --no-resume      scan: 不继续中断的扫描，重新开始\n"
        "  -v, --verbose    输出调试信息\n"
        "  -h, --help       显示本帮助\n"
        "\n"
        "退出码: 0 无问题；1 发现问题（verdict：有站点不合格；probe：失败率达到否决线）；\n"
        "        2 用法或配置错误；3 运行错误或被中断。\n";

static const char probe_help[] =
        "用法: xunjian [全局选项] probe [--site NAME] [--format text|json|csv]\n"
        "\n"
        "对每个启用的站点（或 --site 指定的站点）的首页发起一次 GET，限时\n"
        "settings.probe.timeout_s（默认 15 秒），记录结果；再按数据库中近 window_days（7）天\n"
        "的全部探测计算失败率：超过 warn_percent（3%）为预警，达到 veto_percent（5%）为\n"
        "「站点无法访问」单项否决；探测不足 min_probes 次时暂不判定。守护进程每天按\n"
        "per_day（20）次分散调用同一代码。\n"
        "\n"
        "退出码: 0 正常或预警；1 有站点达到否决线；2 用法或配置错误；3 运行错误或被中断。\n";

static const char verdict_help[] =
        "用法: xunjian [全局选项] verdict [--site NAME] [--format text|json|csv]\n"
        "\n"
        "按每个站点最近一次完整扫描做单项否决评价：站点无法访问、首页不更新、栏目不更新\n"
        "（动态要闻类、通知公告和政策文件类、全部应更新栏目三个数）、空白栏目、严重表述错误、\n"
        "互动回应差；输出合格/不合格、原因与数字，以及与上次评价相比的趋势（好转/持平/变差）。\n"
        "\n"
        "退出码: 0 全部合格；1 有站点不合格；2 用法或配置错误；3 运行错误或尚无完整扫描。\n";

enum {
        OPT_CONFIG = 256,
        OPT_DB,
        OPT_NOW,
        OPT_FORMAT,
        OPT_SITE,
        OPT_STATE,
        OPT_UNIT,
        OPT_DRY_RUN,
        OPT_REASON,
        OPT_WHO,
        OPT_PERIOD,
        OPT_OUT,
        OPT_KIND,
        OPT_NO_RESUME,
        OPT_RUNTIME_DIR,
        OPT_CLOCK_SPEED,
        OPT_WARP,
        OPT_UNTIL,
};

static const struct option options[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"db", required_argument, NULL, OPT_DB},
        {"now", required_argument, NULL, OPT_NOW},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"site", required_argument, NULL, OPT_SITE},
        {"state", required_argument, NULL, OPT_STATE},
        {"unit", required_argument, NULL, OPT_UNIT},
        {"dry-run", required_argument, NULL, OPT_DRY_RUN},
        {"reason", required_argument, NULL, OPT_REASON},
        {"who", required_argument, NULL, OPT_WHO},
        {"period", required_argument, NULL, OPT_PERIOD},
        {"out", required_argument, NULL, OPT_OUT},
        {"kind", required_argument, NULL, OPT_KIND},
        {"no-resume", no_argument, NULL, OPT_NO_RESUME},
        {"runtime-dir", required_argument, NULL, OPT_RUNTIME_DIR},
        {"clock-speed", required_argument, NULL, OPT_CLOCK_SPEED},
        {"warp", no_argument, NULL, OPT_WARP},
        {"until", required_argument, NULL, OPT_UNTIL},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {0},
};

/* The office's rules.d; else the defaults `meson install` put under datadir; else, for a
 * program run from its build directory, the source tree's. */
static const char *default_config_dir(void)
{
        if (access(XJ_SYSCONF_RULES_DIR, F_OK) == 0)
                return XJ_SYSCONF_RULES_DIR;
        if (access(XJ_DATA_RULES_DIR, F_OK) == 0)
                return XJ_DATA_RULES_DIR;
        return XJ_SOURCE_RULES_DIR;
}

static char *default_db_path(void)
{
        const char *e = getenv("XUNJIAN_DB");
        if (e && *e)
                return xstrdup(e);
        e = getenv("STATE_DIRECTORY");
        if (e && *e) {
                /* systemd may pass several directories separated by ':'; the first is ours. */
                size_t n = strcspn(e, ":");
                return xasprintf("%.*s/xunjian.db", (int)n, e);
        }
        return xstrdup("xunjian.db");
}

static void cli_loop_signal(uv_signal_t *h, int signum)
{
        struct cli_loop *l = h->data;

        l->on_signal(signum, l->userdata);
}

void cli_loop_init(struct cli_loop *l, void (*on_signal)(int signum, void *userdata),
                   void *userdata)
{
        uv_loop_init(&l->loop);
        l->on_signal = on_signal;
        l->userdata = userdata;
        uv_signal_init(&l->loop, &l->sigint);
        uv_signal_init(&l->loop, &l->sigterm);
        l->sigint.data = l->sigterm.data = l;
        uv_signal_start(&l->sigint, cli_loop_signal, SIGINT);
        uv_signal_start(&l->sigterm, cli_loop_signal, SIGTERM);
}

void cli_loop_close(struct cli_loop *l, const char *what)
{
        uv_close((uv_handle_t *)&l->sigint, NULL);
        uv_close((uv_handle_t *)&l->sigterm, NULL);
        uv_run(&l->loop, UV_RUN_DEFAULT);
        if (uv_loop_close(&l->loop) != 0)
                log_warning("%s: event loop closed with handles still open", what);
}

int cli_load_config(struct cli *cli, struct rule_config **ret)
{
        struct strv errors = {0};
        int r = rule_config_load(cli->config_dir, ret, &errors);

        for (size_t i = 0; i < errors.n; i++)
                fprintf(stderr, "%s\n", errors.items[i]);
        if (r < 0 && errors.n == 0)
                fprintf(stderr, "%s: %s\n", cli->config_dir, strerror(-r));
        strv_free(&errors);
        return r;
}

int cli_open_store(struct cli *cli, struct store **ret)
{
        _cleanup_free_ char *error = NULL;
        int r = store_open(cli->db_path, ret, &error);

        if (r < 0)
                log_error("%s: %s", cli->db_path, error ? error : strerror(-r));
        return r;
}

static int cmd_rules_check(struct cli *cli)
{
        struct rule_config *c = NULL;
        size_t columns = 0;

        if (cli_load_config(cli, &c) < 0) {
                fprintf(stderr, "%s: 配置有误，未通过校验\n", cli->config_dir);
                return EXIT_USAGE;
        }
        for (size_t i = 0; i < c->n_sites; i++)
                columns += c->sites[i].n_columns;
        fprintf(cli->out,
                "%s: 校验通过：%zu 个文件，%zu 个责任单位，%zu 个栏目类别，%zu 个站点，"
                "%zu 个栏目\n",
                cli->config_dir, c->files.n, c->n_units, c->n_classes, c->n_sites, columns);
        fprintf(cli->out, "%s: 错敏字词库 %zu 条，正则规则 %zu 条\n", cli->config_dir,
                c->dictionary.n_words, c->dictionary.n_patterns);
        rule_config_free(c);
        return EXIT_CLEAN;
}

static int print_one(const struct store_violation *v, void *userdata)
{
        output_violation(userdata, v);
        return 0;
}

static int cmd_violations(struct cli *cli)
{
        struct store *store = NULL;
        struct store_violation_filter f = {.state = cli->state, .site = cli->site};
        int r;

        if (cli_open_store(cli, &store) < 0)
                return EXIT_RUNTIME;
        output_begin(cli);
        r = store_violations_foreach(store, &f, print_one, cli);
        if (r < 0)
                log_error("%s: %s", cli->db_path, store_errmsg(store));
        store_close(store);
        return r < 0 ? EXIT_RUNTIME : EXIT_CLEAN;
}

/* Subcommands that need the configuration, the store and libcurl. */
static int run_with_store(struct cli *cli, int (*fn)(struct cli *, const struct rule_config *,
                                                     struct store *))
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        int ret;

        if (cli_load_config(cli, &config) < 0)
                return EXIT_USAGE;
        if (cli_open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        if (http_global_init() < 0) {
                log_error("libcurl could not be initialised");
                ret = EXIT_RUNTIME;
        } else {
                ret = fn(cli, config, store);
                http_global_cleanup();
        }
        store_close(store);
        rule_config_free(config);
        return ret;
}

_printf_(1, 2) static int usage_error(const char *fmt, ...)
{
        va_list ap;

        fputs("xunjian: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\n请运行 xunjian --help 查看用法。\n", stderr);
        return EXIT_USAGE;
}

int cli_main(int argc, char **argv)
{
        _cleanup_free_ char *db = NULL;
        struct cli cli = {
                .state = VIOLATION_OPEN,
                .out = stdout,
                .now = time_now_wall(),
        };
        bool state_given = false, site_given = false, help = false, state_bad = false;
        int c;

        log_setup();
        optind = 1;
        while ((c = getopt_long(argc, argv, "qvh", options, NULL)) != -1) {
                switch (c) {
                case OPT_CONFIG:
                        cli.config_dir = optarg;
                        break;
                case OPT_DB:
                        cli.db_path = optarg;
                        break;
                case OPT_NOW:
                        if (time_parse_iso8601(optarg, &cli.now) < 0)
                                return usage_error("--now: 无法解析时间「%s」（应为 ISO 8601，"
                                                   "如 2026-11-23T09:00:00+08:00）",
                                                   optarg);
                        break;
                case OPT_FORMAT:
                        if (streq(optarg, "text"))
                                cli.format = OUTPUT_TEXT;
                        else if (streq(optarg, "json"))
                                cli.format = OUTPUT_JSON;
                        else if (streq(optarg, "csv"))
                                cli.format = OUTPUT_CSV;
                        else if (streq(optarg, "html"))
                                cli.format = OUTPUT_HTML;
                        else
                                return usage_error("--format: 未知格式「%s」（text|json|csv|html）",
                                                   optarg);
                        break;
                case OPT_SITE:
                        cli.site = optarg;
                        site_given = true;
                        break;
                case OPT_STATE: {
                        enum violation_state s;
                        state_given = true;
                        cli.state_arg = optarg;
                        if (streq(optarg, "all"))
                                cli.state = -1;
                        else if (violation_state_from_id(optarg, &s) == 0)
                                cli.state = (int)s;
                        else
                                state_bad = true;   /* may be a ticket state: see below */
                        break;
                }
                case OPT_UNIT:
                        cli.unit = optarg;
                        break;
                case OPT_DRY_RUN:
                        cli.dry_run = optarg;
                        break;
                case OPT_REASON:
                        cli.reason = optarg;
                        break;
                case OPT_WHO:
                        cli.who = optarg;
                        break;
                case OPT_PERIOD:
                        cli.period = optarg;
                        break;
                case OPT_OUT:
                        cli.out_path = optarg;
                        break;
                case OPT_KIND:
                        cli.kind = optarg;
                        break;
                case OPT_NO_RESUME:
                        cli.no_resume = true;
                        break;
                case OPT_RUNTIME_DIR:
                        cli.runtime_dir = optarg;
                        break;
                case OPT_CLOCK_SPEED: {
                        char *end;
                        cli.clock_speed = strtod(optarg, &end);
                        if (*end || !(cli.clock_speed >= 1 && cli.clock_speed <= 1e7))
                                return usage_error("--clock-speed: 应为 1 到 10000000 之间的数"
                                                   "（得到「%s」）",
                                                   optarg);
                        break;
                }
                case OPT_WARP:
                        cli.warp = true;
                        break;
                case OPT_UNTIL:
                        if (time_parse_iso8601(optarg, &cli.until) < 0)
                                return usage_error("--until: 无法解析时间「%s」", optarg);
                        break;
                case 'q':
                        cli.quiet = true;
                        log_set_level(LOG_LEVEL_WARNING);
                        break;
                case 'v':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        /* After a subcommand, its own help; checked once it is known. */
                        help = true;
                        break;
                default:
                        fputs("请运行 xunjian --help 查看用法。\n", stderr);
                        return EXIT_USAGE;
                }
        }
        if (!cli.config_dir)
                cli.config_dir = default_config_dir();
        if (!cli.db_path)
                cli.db_path = db = default_db_path();

        if (optind >= argc && help) {
                fputs(usage_text, stdout);
                return EXIT_CLEAN;
        }
        if (optind >= argc) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
        const char *cmd = argv[optind++];
        int rest = argc - optind;

        if (help) {
                fputs(streq(cmd, "probe") ? probe_help
                      : streq(cmd, "verdict") ? verdict_help
                                              : usage_text,
                      stdout);
                return EXIT_CLEAN;
        }
        if ((streq(cmd, "probe") || streq(cmd, "verdict")) && rest == 0) {
                if (state_given)
                        return usage_error("%s 不接受 --state", cmd);
                return run_with_store(&cli, streq(cmd, "probe") ? cli_probe : cli_verdict);
        }
        if (streq(cmd, "ticket"))
                return cli_ticket(&cli, rest, argv + optind);
        if (state_bad)
                return usage_error("--state: 未知状态「%s」（open|fixed|accepted|all）",
                                   cli.state_arg);
        if (streq(cmd, "tickets") && rest == 0)
                return cli_tickets(&cli);
        if (streq(cmd, "notify") && rest == 0)
                return cli_notify(&cli);

        if (cli.format == OUTPUT_HTML && !streq(cmd, "report"))
                return usage_error("--format html 只用于 report（document 与 screen 总是 HTML）");
        if (streq(cmd, "scan") && rest == 0) {
                if (state_given)
                        return usage_error("%s 不接受 --state", cmd);
                return run_with_store(&cli, cli_scan);
        }
        if (streq(cmd, "media") && rest == 0) {
                if (state_given)
                        return usage_error("%s 不接受 --state", cmd);
                return run_with_store(&cli, cli_media);
        }
        if (streq(cmd, "violations") && rest == 0)
                return cmd_violations(&cli);
        if (streq(cmd, "rules") && rest == 1 && streq(argv[optind], "check")) {
                if (site_given || state_given)
                        return usage_error("%s 不接受 --site 或 --state", "rules check");
                return cmd_rules_check(&cli);
        }
        if (streq(cmd, "report"))
                return cli_report(&cli, rest, argv + optind);
        if (streq(cmd, "document"))
                return cli_document(&cli, rest, argv + optind);
        if (streq(cmd, "screen"))
                return cli_screen(&cli, rest, argv + optind);
        if (streq(cmd, "daemon") && rest == 0)
                return daemon_main(&cli);
        if (streq(cmd, "reload") && rest == 0)
                return daemon_reload(&cli);
        if (streq(cmd, "status") && rest == 0)
                return daemon_status(&cli);
        if (streq(cmd, "version") && rest == 0) {
                fprintf(cli.out, "xunjian %s\n", XJ_VERSION);
                return EXIT_CLEAN;
        }
        if (streq(cmd, "help") && rest == 0) {
                fputs(usage_text, stdout);
                return EXIT_CLEAN;
        }
        return usage_error("未知命令或多余参数「%s」", cmd);
}
