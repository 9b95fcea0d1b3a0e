/* `xunjian`: global options, the subcommands that are not big enough for a file of their
 * own (rules check, violations, version), and dispatch. */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xtime.h"
#include "crawler/http.h"
#include "xj_config.h"

static const char usage_text[] =
        "用法: xunjian [全局选项] 命令 [选项]\n"
        "\n"
        "命令:\n"
        "  scan [--site NAME]              巡检站点，记录问题并与已有问题比对\n"
        "  violations [--state S] [--site NAME]\n"
        "                                  列出问题（S: open|fixed|accepted|all，默认 open）\n"
        "  rules check                     校验 rules.d 配置，出错时退出码为 2\n"
        "  version                         显示版本\n"
        "\n"
        "全局选项:\n"
        "  --config DIR     rules.d 目录（默认 /etc/xunjian/rules.d，不存在时用源码中的 rules.d）\n"
        "  --db FILE        数据库文件（默认 $XUNJIAN_DB，或 $STATE_DIRECTORY/xunjian.db，\n"
        "                   或 ./xunjian.db）\n"
        "  --now ISO8601    以此时间为“现在”（测试与复核用），如 2026-11-23T09:00:00+08:00\n"
        "  --format F       输出格式: text|json|csv（默认 text）\n"
        "  -q, --quiet      只输出结果，不输出进度\n"
        "  --no-resume      scan: 不继续中断的扫描，重新开始\n"
        "  -v, --verbose    输出调试信息\n"
        "  -h, --help       显示本帮助\n"
        "\n"
        "退出码: 0 无问题；1 发现问题；2 用法或配置错误；3 运行错误。\n";

enum {
        OPT_CONFIG = 256,
        OPT_DB,
        OPT_NOW,
        OPT_FORMAT,
        OPT_SITE,
        OPT_STATE,
        OPT_NO_RESUME,
};

static const struct option options[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"db", required_argument, NULL, OPT_DB},
        {"now", required_argument, NULL, OPT_NOW},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"site", required_argument, NULL, OPT_SITE},
        {"state", required_argument, NULL, OPT_STATE},
        {"no-resume", no_argument, NULL, OPT_NO_RESUME},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {0},
};

static const char *default_config_dir(void)
{
        if (access(XJ_SYSCONF_RULES_DIR, F_OK) == 0)
                return XJ_SYSCONF_RULES_DIR;
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

static int load_config(struct cli *cli, struct rule_config **ret)
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

static int open_store(struct cli *cli, struct store **ret)
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

        if (load_config(cli, &c) < 0) {
                fprintf(stderr, "%s: 配置有误，未通过校验\n", cli->config_dir);
                return EXIT_USAGE;
        }
        for (size_t i = 0; i < c->n_sites; i++)
                columns += c->sites[i].n_columns;
        fprintf(cli->out,
                "%s: 校验通过：%zu 个文件，%zu 个责任单位，%zu 个栏目类别，%zu 个站点，"
                "%zu 个栏目\n",
                cli->config_dir, c->files.n, c->n_units, c->n_classes, c->n_sites, columns);
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

        if (open_store(cli, &store) < 0)
                return EXIT_RUNTIME;
        output_begin(cli);
        r = store_violations_foreach(store, &f, print_one, cli);
        if (r < 0)
                log_error("%s: %s", cli->db_path, store_errmsg(store));
        store_close(store);
        return r < 0 ? EXIT_RUNTIME : EXIT_CLEAN;
}

static int cmd_scan(struct cli *cli)
{
        struct rule_config *config = NULL;
        struct store *store = NULL;
        int ret;

        if (load_config(cli, &config) < 0)
                return EXIT_USAGE;
        if (open_store(cli, &store) < 0) {
                rule_config_free(config);
                return EXIT_RUNTIME;
        }
        if (http_global_init() < 0) {
                log_error("libcurl could not be initialised");
                ret = EXIT_RUNTIME;
        } else {
                ret = cli_scan(cli, config, store);
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
        bool state_given = false, site_given = false;
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
                        else
                                return usage_error("--format: 未知格式「%s」（text|json|csv）",
                                                   optarg);
                        break;
                case OPT_SITE:
                        cli.site = optarg;
                        site_given = true;
                        break;
                case OPT_STATE: {
                        enum violation_state s;
                        state_given = true;
                        if (streq(optarg, "all"))
                                cli.state = -1;
                        else if (violation_state_from_id(optarg, &s) == 0)
                                cli.state = (int)s;
                        else
                                return usage_error("--state: 未知状态「%s」"
                                                   "（open|fixed|accepted|all）",
                                                   optarg);
                        break;
                }
                case OPT_NO_RESUME:
                        cli.no_resume = true;
                        break;
                case 'q':
                        cli.quiet = true;
                        log_set_level(LOG_LEVEL_WARNING);
                        break;
                case 'v':
                        log_set_level(LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        fputs(usage_text, stdout);
                        return EXIT_CLEAN;
                default:
                        fputs("请运行 xunjian --help 查看用法。\n", stderr);
                        return EXIT_USAGE;
                }
        }
        if (!cli.config_dir)
                cli.config_dir = default_config_dir();
        if (!cli.db_path)
                cli.db_path = db = default_db_path();

        if (optind >= argc) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }
        const char *cmd = argv[optind++];
        int rest = argc - optind;

        if (streq(cmd, "scan") && rest == 0) {
                if (state_given)
                        return usage_error("%s 不接受 --state", cmd);
                return cmd_scan(&cli);
        }
        if (streq(cmd, "violations") && rest == 0)
                return cmd_violations(&cli);
        if (streq(cmd, "rules") && rest == 1 && streq(argv[optind], "check")) {
                if (site_given || state_given)
                        return usage_error("%s 不接受 --site 或 --state", "rules check");
                return cmd_rules_check(&cli);
        }
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
