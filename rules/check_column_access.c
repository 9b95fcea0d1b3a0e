/* 栏目无法访问: a configured column whose page could not be loaded. Its freshness and
 * blankness cannot be judged this time, which the scan must know so that it does not
 * mark the column's earlier problems fixed. */
#include "rules/checks.h"

#include <stdio.h>

void check_column_access(const struct check_context *ctx)
{
        const struct rule_site *site = ctx->site;

        for (size_t i = 0; i < site->n_columns; i++) {
                const struct rule_column *col = &site->columns[i];
                const struct site_column_result *res = &ctx->results->columns[i];
                char detail[512];

                if (res->fetched)
                        continue;
                if (res->status >= 400)
                        snprintf(detail, sizeof(detail), "栏目「%s」页面无法访问：HTTP %ld",
                                 col->name, res->status);
                else
                        snprintf(detail, sizeof(detail), "栏目「%s」页面无法访问：%s", col->name,
                                 res->error ? res->error : "未知错误");
                ctx->emit(&(struct store_finding){
                                  .site = site->id,
                                  .rule = "column_unreachable",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = col->url,
                                  .unit = rule_unit_name(site, (int)i),
                                  .column = col->name,
                                  .url = col->url,
                                  .detail = detail,
                          },
                          ctx->userdata);
        }
}
