/* Violations as text for people, JSON lines and CSV for programs and spreadsheets. */
#include <stdio.h>

#include "cli/cli.h"
#include "common/json.h"
#include "common/xtime.h"
#include "rules/checks.h"

static const char *const csv_header =
        "site,rule,rule_label,kind,severity,state,unit,column,url,subject,detail,first_seen,"
        "last_seen,times_seen\r\n";

void output_begin(const struct cli *cli)
{
        if (cli->format == OUTPUT_CSV)
                fputs(csv_header, cli->out);
}

static void output_json(const struct cli *cli, const struct store_violation *v)
{
        char first[32], last[32];
        struct buf b;

        buf_init(&b, 1 << 20);
        buf_appends(&b, "{\"id\":");
        buf_appendf(&b, "%lld", (long long)v->id);
        const struct {
                const char *key, *value;
        } fields[] = {
                {"site", v->site},
                {"rule", v->rule},
                {"rule_label", rule_label(v->rule)},
                {"kind", finding_kind_id(v->kind)},
                {"severity", severity_id(v->severity)},
                {"state", violation_state_id(v->state)},
                {"unit", v->unit},
                {"column", v->column},
                {"url", v->url},
                {"subject", v->subject},
                {"detail", v->detail},
                {"first_seen", time_format_iso8601(v->first_seen, first)},
                {"last_seen", time_format_iso8601(v->last_seen, last)},
        };
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
                buf_appendf(&b, ",\"%s\":", fields[i].key);
                json_append_string(&b, fields[i].value);
        }
        buf_appendf(&b, ",\"times_seen\":%lld", (long long)v->times_seen);
        /* The evidence is JSON written by the checks; embed it as an object. */
        buf_appends(&b, ",\"evidence\":");
        buf_appends(&b, v->evidence && *v->evidence ? v->evidence : "null");
        buf_appends(&b, "}\n");
        fputs(b.data, cli->out);
        buf_free(&b);
}

static void output_csv(const struct cli *cli, const struct store_violation *v)
{
        char first[32], last[32], seen[24];
        struct buf b;
        const char *fields[] = {
                v->site,
                v->rule,
                rule_label(v->rule),
                finding_kind_id(v->kind),
                severity_id(v->severity),
                violation_state_id(v->state),
                v->unit,
                v->column,
                v->url,
                v->subject,
                v->detail,
                time_format_iso8601(v->first_seen, first),
                time_format_iso8601(v->last_seen, last),
                seen,
        };

        snprintf(seen, sizeof(seen), "%lld", (long long)v->times_seen);
        buf_init(&b, 1 << 20);
        for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
                if (i)
                        buf_appends(&b, ",");
                csv_append_field(&b, fields[i]);
        }
        buf_appends(&b, "\r\n");
        fputs(b.data, cli->out);
        buf_free(&b);
}

static void output_text(const struct cli *cli, const struct store_violation *v)
{
        char first[16];

        fprintf(cli->out, "[%s] %s%s  %s%s%s  %s\n", severity_label(v->severity),
                rule_label(v->rule), v->kind == FINDING_WARNING ? "（预警）" : "",
                v->unit ? v->unit : "-", v->column ? " · " : "", v->column ? v->column : "",
                violation_state_label(v->state));
        fprintf(cli->out, "    %s\n", v->detail ? v->detail : "");
        if (v->url)
                fprintf(cli->out, "    %s\n", v->url);
        /* For a dead link the page to fix is the url; the link itself is the subject. */
        if (v->subject && !streq_ptr(v->subject, v->url))
                fprintf(cli->out, "    问题对象：%s\n", v->subject);
        fprintf(cli->out, "    首次发现 %s，共发现 %lld 次\n",
                day_format(day_of_time(v->first_seen), first), (long long)v->times_seen);
}

void output_violation(const struct cli *cli, const struct store_violation *v)
{
        switch (cli->format) {
        case OUTPUT_JSON:
                output_json(cli, v);
                break;
        case OUTPUT_CSV:
                output_csv(cli, v);
                break;
        default:
                output_text(cli, v);
        }
}
