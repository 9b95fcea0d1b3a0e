/* The big-screen page for the display in the district government building (seed 000 item 3:
 * 通报结果在区政府大屏幕滚动播放): large type on a dark background, one slide per unit that
 * advances by itself, and a meta refresh so that the browser on the display reads a newly
 * written file without anyone touching it. */
#include <stdio.h>

#include "notify/report_internal.h"

static const char screen_css[] =
        "html, body { margin: 0; height: 100%; background: #0b1a2e; color: #f4f4f4;"
        " font-family: " NOTIFY_SANS_FONTS "; }\n"
        "header { display: flex; justify-content: space-between; align-items: baseline;"
        " padding: 1.5vh 3vw; background: #8b0000; font-size: 3.2vh; }\n"
        "header .issuer { font-weight: bold; letter-spacing: 0.1em; }\n"
        ".slide { display: none; padding: 3vh 4vw; }\n"
        ".slide.on { display: block; animation: fade 0.8s; }\n"
        "@keyframes fade { from { opacity: 0; } to { opacity: 1; } }\n"
        ".slide h2 { font-size: 7vh; margin: 1vh 0 3vh; color: #ffd75e; }\n"
        ".figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2vw; }\n"
        ".figure { background: #13294a; border-radius: 1vh; padding: 2.5vh 1.5vw;"
        " text-align: center; }\n"
        ".figure .value { font-size: 10vh; font-weight: bold; line-height: 1.1; }\n"
        ".figure .label { font-size: 3.2vh; color: #b8c7dc; }\n"
        ".figure.bad .value { color: #ff6b6b; } .figure.good .value { color: #7ee081; }\n"
        "table { border-collapse: collapse; width: 100%; font-size: 2.6vh; margin-top: 3vh; }\n"
        "th, td { border: 1px solid #34507a; padding: 0.6vh 0.8vw; }\n"
        "th { background: #13294a; }\n"
        "td.num { text-align: right; } td.short { background: #6b1111; color: #fff;"
        " font-weight: bold; } td.pending { color: #8899aa; }\n"
        "footer { position: fixed; bottom: 0; left: 0; right: 0; padding: 1vh 3vw;"
        " font-size: 2.2vh; color: #8899aa; }\n";

static void figure(struct notify_html *h, const char *label, const char *cls, long long value)
{
        notify_html_rawf(h, "<div class=\"figure %s\"><div class=\"value\">%lld", cls, value);
        notify_html_raw(h, "</div><div class=\"label\">");
        notify_html_text(h, label);
        notify_html_raw(h, "</div></div>\n");
}

static void slide_counts(struct notify_html *h, const char *name, const struct notify_counts *n,
                         bool first)
{
        double rate = notify_pass_rate(n);

        notify_html_rawf(h, "<section class=\"slide%s\"><h2>", first ? " on" : "");
        notify_html_text(h, name);
        notify_html_raw(h, "</h2>\n<div class=\"figures\">\n");
        figure(h, "发布信息（条）", "", (long long)n->items);
        figure(h, "检查栏目（个）", "", (long long)n->columns);
        figure(h, "发现问题（个）", n->problems ? "bad" : "good", (long long)n->problems);
        figure(h, "逾期未办结", n->overdue ? "bad" : "good", (long long)n->overdue);
        figure(h, "下发办理单", "", (long long)n->issued[TICKET_KIND_HANDLING]);
        figure(h, "按期办结", "good", (long long)n->on_time);
        figure(h, "办理中", "", (long long)n->pending);
        if (rate >= 0) {
                notify_html_rawf(h, "<div class=\"figure %s\"><div class=\"value\">%.0f%%</div>"
                                    "<div class=\"label\">新媒体合格率</div></div>\n",
                                 rate < 100 ? "bad" : "good", rate);
        } else {
                notify_html_raw(h, "<div class=\"figure\"><div class=\"value\">—</div>"
                                   "<div class=\"label\">新媒体合格率</div></div>\n");
        }
        notify_html_raw(h, "</div></section>\n");
}

int notify_screen_html(const struct notify_report *report, const struct notify_roll *roll,
                       const struct rule_office *office, char **ret, size_t *ret_len)
{
        struct notify_html h;
        char label[32], date[32];
        int seconds = office && office->screen_seconds > 0 ? office->screen_seconds : 15;
        int refresh = office && office->screen_refresh_s > 0 ? office->screen_refresh_s : 300;
        bool first = true;

        notify_html_init(&h, NOTIFY_PAGE_MAX);
        notify_html_rawf(&h, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                             "<meta http-equiv=\"refresh\" content=\"%d\">\n<title>",
                         refresh);
        notify_html_text(&h, "政务公开大屏");
        notify_html_raw(&h, "</title>\n<style>\n");
        notify_html_raw(&h, screen_css);
        notify_html_raw(&h, "</style>\n<noscript><style>.slide { display: block; }</style></noscript>\n"
                            "</head>\n<body class=\"screen\">\n<header><span class=\"issuer\">");
        notify_html_text(&h, office && office->issuer ? office->issuer : "政务公开办公室");
        notify_html_raw(&h, "</span><span>");
        if (report)
                notify_html_textf(&h, "%s 政务公开情况", notify_period_label(&report->period, label));
        notify_html_raw(&h, "</span></header>\n<main>\n");

        if (report) {
                slide_counts(&h, "全区", &report->total_cur, first);
                first = false;
                for (size_t i = 0; i < report->n_units; i++) {
                        const struct notify_unit_report *u = &report->units[i];
                        /* A unit with no column, no problem and no ticket has nothing to show. */
                        if (u->cur.columns == 0 && u->cur.problems == 0 &&
                            u->cur.issued[TICKET_KIND_HANDLING] == 0 && u->cur.accounts == 0)
                                continue;
                        slide_counts(&h, u->name, &u->cur, false);
                }
        }
        if (roll) {
                notify_html_rawf(&h, "<section class=\"slide%s\"><h2>", first ? " on" : "");
                notify_html_textf(&h, "%d年重点栏目保障情况", roll->year);
                notify_html_raw(&h, "</h2>\n");
                notify__roll_table(&h, roll);
                notify_html_raw(&h, "</section>\n");
        }
        notify_html_raw(&h, "</main>\n<footer>");
        notify_html_textf(&h, "更新时间：%s　每 %d 秒切换，每 %d 秒刷新",
                          notify_date_cn(report ? report->now : roll ? roll->now : 0, date),
                          seconds, refresh);
        notify_html_raw(&h, "</footer>\n");
        /* Advances one slide at a time; the page itself reloads by the meta refresh. */
        notify_html_rawf(&h,
                         "<script>\n(function () {\n"
                         "  var s = document.querySelectorAll('.slide'), i = 0;\n"
                         "  if (s.length < 2) return;\n"
                         "  setInterval(function () {\n"
                         "    s[i].classList.remove('on');\n"
                         "    i = (i + 1) %% s.length;\n"
                         "    s[i].classList.add('on');\n"
                         "  }, %d);\n"
                         "})();\n</script>\n</body>\n</html>\n",
                         seconds * 1000);
        return notify_html_finish(&h, ret, ret_len);
}
