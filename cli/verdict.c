/* `xunjian verdict`: the single-veto evaluation of each site (合格/不合格) at its latest
 * complete crawl scan, with the reasons and numbers and the trend against the previous
 * verdict. A scan's verdict is made when the scan completes (scan.c calls
 * cli_verdict_make()) and kept in the store; a scan made before verdicts existed gets its
 * verdict here. */
#include <errno.h>
#include <stdio.h>

#include "cli/cli.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xtime.h"
#include "rules/verdict.h"

struct gather {
        struct rule_verdict *v;
        const struct rule_site *site;
};

static int gather_one(const struct store_violation *f, void *userdata)
{
        struct gather *g = userdata;
        rule_verdict_add(g->v, g->site, f);
        return 0;
}

int cli_verdict_make(struct cli *cli, const struct rule_config *config, struct store *store,
                     const struct rule_site *site, int64_t scan_id, int64_t at, bool *ret)
{
        const struct rule_settings *set = &config->settings;
        struct store_violation_filter f = {.state = -1, .site = site->id, .scan_id = scan_id};
        struct store_probe_counts counts;
        struct rule_verdict v;
        struct store_verdict sv;
        _cleanup_free_ char *reasons = NULL;
        int r;

        r = store_probe_counts(store, site->id, at - (int64_t)set->probe_window_days * 86400 + 1,
                               at, &counts);
        if (r < 0)
                goto fail;
        rule_verdict_init(&v, &(struct rule_availability){
                                      .probes = counts.probes,
                                      .failures = counts.failures,
                                      .window_days = set->probe_window_days,
                              });
        r = store_violations_foreach(store, &f, gather_one, &(struct gather){&v, site});
        if (r == 0) {
                rule_verdict_judge(&v, config);
                rule_verdict_to_store(&v, site->id, scan_id, at, &sv, &reasons);
                r = store_verdict_put(store, &sv);
        }
        if (r == 0 && ret)
                *ret = v.qualified;
        rule_verdict_clear(&v);
        if (r == 0)
                return 0;
fail:
        log_error("%s: %s: 无法保存评价结果: %s", cli->db_path, site->id, store_errmsg(store));
        return r;
}

static int copy_verdict(const struct store_verdict *v, void *userdata)
{
        struct store_verdict *copy = userdata;
        *copy = *v;
        copy->site = xstrdup(v->site);
        copy->reasons = xstrdup(v->reasons ? v->reasons : "");
        return 0;
}

static void verdict_free(struct store_verdict *v)
{
        free((char *)v->site);
        free((char *)v->reasons);
}

static void numbers_json(struct buf *b, const struct store_verdict *v)
{
        buf_appendf(b,
                    "{\"probes\":%lld,\"probe_failures\":%lld,\"homepage_age\":%d,"
                    "\"overdue_news\":%d,\"overdue_notice\":%d,\"overdue_any\":%d,\"blank\":%d,"
                    "\"serious_errors\":%d,\"unanswered\":%d}",
                    (long long)v->probes, (long long)v->probe_failures, v->homepage_age,
                    v->overdue_news, v->overdue_notice, v->overdue_any, v->blank,
                    v->serious_errors, v->unanswered);
}

static void numbers_text(const struct cli *cli, const char *lead, const struct store_verdict *v)
{
        char age[32];

        if (v->homepage_age >= 0)
                snprintf(age, sizeof(age), "%d 天", v->homepage_age);
        fprintf(cli->out,
                "%s探测 %lld 次，失败 %lld 次；首页未更新 %s；超期栏目：动态要闻类 %d 个，"
                "通知公告和政策文件类 %d 个，应更新栏目 %d 个；空白栏目 %d 个；严重表述错误 %d 处；"
                "超期未回复留言 %d 条\n",
                lead, (long long)v->probes, (long long)v->probe_failures,
                v->homepage_age >= 0 ? age : "未超过预警天数", v->overdue_news, v->overdue_notice,
                v->overdue_any, v->blank, v->serious_errors, v->unanswered);
}

static void print_verdict(const struct cli *cli, const struct rule_site *site,
                          const struct store_verdict *v, const struct store_verdict *prev)
{
        enum rule_trend trend = rule_verdict_trend(v, prev);
        char at[32], day[16];
        struct buf b;

        if (cli->format == OUTPUT_TEXT) {
                fprintf(cli->out, "%s（%s）：%s", site->name, site->id, v->qualified ? "合格" : "不合格");
                if (!v->qualified)
                        fprintf(cli->out, "（%d 项单项否决）", v->vetoes);
                fprintf(cli->out, "  评价时间 %s，扫描 #%lld\n",
                        day_format(day_of_time(v->at), day), (long long)v->scan_id);
                const char *r = v->reasons ? v->reasons : "";
                while (*r) {
                        size_t n = strcspn(r, "\n");
                        fprintf(cli->out, "  - %.*s\n", (int)n, r);
                        r += n + (r[n] == '\n');
                }
                numbers_text(cli, "  本次：", v);
                if (prev) {
                        fprintf(cli->out, "  趋势：%s（上次 %s %s，%d 项单项否决）\n",
                                rule_trend_label(trend), day_format(day_of_time(prev->at), day),
                                prev->qualified ? "合格" : "不合格", prev->vetoes);
                        numbers_text(cli, "  上次：", prev);
                } else {
                        fprintf(cli->out, "  趋势：首次评价\n");
                }
                return;
        }
        buf_init(&b, 256 * 1024);
        if (cli->format == OUTPUT_JSON) {
                buf_appends(&b, "{\"site\":");
                json_append_string(&b, site->id);
                buf_appends(&b, ",\"name\":");
                json_append_string(&b, site->name);
                buf_appendf(&b, ",\"scan_id\":%lld,\"at\":\"%s\",\"result\":\"%s\",\"qualified\":%s,"
                            "\"vetoes\":%d,\"reasons\":[",
                            (long long)v->scan_id, time_format_iso8601(v->at, at),
                            v->qualified ? "pass" : "fail", v->qualified ? "true" : "false",
                            v->vetoes);
                const char *r = v->reasons ? v->reasons : "";
                for (bool first = true; *r; first = false) {
                        size_t n = strcspn(r, "\n");
                        _cleanup_free_ char *one = xstrndup(r, n);
                        if (!first)
                                buf_appends(&b, ",");
                        json_append_string(&b, one);
                        r += n + (r[n] == '\n');
                }
                buf_appends(&b, "],\"numbers\":");
                numbers_json(&b, v);
                buf_appendf(&b, ",\"trend\":\"%s\",\"previous\":", rule_trend_id(trend));
                if (prev) {
                        buf_appendf(&b, "{\"scan_id\":%lld,\"at\":\"%s\",\"qualified\":%s,"
                                    "\"vetoes\":%d,\"numbers\":",
                                    (long long)prev->scan_id, time_format_iso8601(prev->at, at),
                                    prev->qualified ? "true" : "false", prev->vetoes);
                        numbers_json(&b, prev);
                        buf_appends(&b, "}");
                } else {
                        buf_appends(&b, "null");
                }
                buf_appends(&b, "}\n");
        } else {
                char nums[10][24], scan[24], vetoes[16];
                const int64_t vals[] = {v->probes, v->probe_failures, v->homepage_age,
                                        v->overdue_news, v->overdue_notice, v->overdue_any,
                                        v->blank, v->serious_errors, v->unanswered};
                for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
                        snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)vals[i]);
                snprintf(scan, sizeof(scan), "%lld", (long long)v->scan_id);
                snprintf(vetoes, sizeof(vetoes), "%d", v->vetoes);
                const char *fields[] = {site->id, scan, time_format_iso8601(v->at, at),
                                        v->qualified ? "pass" : "fail", vetoes, nums[0], nums[1],
                                        nums[2], nums[3], nums[4], nums[5], nums[6], nums[7],
                                        nums[8], rule_trend_id(trend), v->reasons};
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

struct last_scan {
        int64_t id, finished_at;
};

static int take_scan(const struct store_scan *scan, void *userdata)
{
        struct last_scan *ls = userdata;
        ls->id = scan->id;
        ls->finished_at = scan->finished_at ? scan->finished_at : scan->started_at;
        return 0;
}

/* Prints one site's verdict; 1 when not qualified, 0 when qualified, -ENOENT when the site
 * has no complete scan, another negative errno on a store error. */
static int site_verdict(struct cli *cli, const struct rule_config *config, struct store *store,
                        const struct rule_site *site)
{
        struct store_verdict v = {0}, prev = {0};
        struct last_scan ls = {0};
        bool have_prev;
        int r;

        r = store_scan_last_crawl(store, site->id, take_scan, &ls);
        if (r == -ENOENT) {
                log_warning("%s: 尚无完整的扫描，无法评价（请先运行 xunjian scan）", site->id);
                return r;
        }
        if (r >= 0) {
                r = store_verdict_get(store, ls.id, copy_verdict, &v);
                if (r == -ENOENT) {
                        r = cli_verdict_make(cli, config, store, site, ls.id, ls.finished_at, NULL);
                        if (r < 0)
                                return r;
                        r = store_verdict_get(store, ls.id, copy_verdict, &v);
                }
        }
        if (r < 0) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                verdict_free(&v);
                return r;
        }
        r = store_verdict_previous(store, site->id, ls.id, copy_verdict, &prev);
        have_prev = r == 0;
        if (r < 0 && r != -ENOENT) {
                log_error("%s: %s", cli->db_path, store_errmsg(store));
                verdict_free(&v);
                return r;
        }
        print_verdict(cli, site, &v, have_prev ? &prev : NULL);
        r = v.qualified ? 0 : 1;
        verdict_free(&v);
        if (have_prev)
                verdict_free(&prev);
        return r;
}

int cli_verdict(struct cli *cli, const struct rule_config *config, struct store *store)
{
        size_t judged = 0, failed = 0;

        if (cli->site && !rule_config_site(config, cli->site)) {
                log_error("%s: 没有名为「%s」的站点", cli->config_dir, cli->site);
                return EXIT_USAGE;
        }
        if (cli->format == OUTPUT_CSV)
                fputs("site,scan_id,at,result,vetoes,probes,probe_failures,homepage_age,"
                      "overdue_news,overdue_notice,overdue_any,blank,serious_errors,unanswered,"
                      "trend,reasons\r\n",
                      cli->out);
        for (size_t i = 0; i < config->n_sites; i++) {
                const struct rule_site *site = &config->sites[i];
                if (cli->site ? site != rule_config_site(config, cli->site) : !site->enabled)
                        continue;
                int r = site_verdict(cli, config, store, site);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return EXIT_RUNTIME;
                judged++;
                failed += r == 1;
        }
        if (judged == 0) {
                log_error("没有可评价的站点：请先完成一次扫描");
                return EXIT_RUNTIME;
        }
        return failed ? EXIT_FOUND : EXIT_CLEAN;
}
