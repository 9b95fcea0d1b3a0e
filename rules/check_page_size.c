/* 页面过大: a page whose body passed settings.http.max_body_bytes (5 MB shipped, the size
 * the commercial monitors flag: such a page loads slowly or not at all on a phone). The
 * crawl read only the first max_body_bytes of it (after decompression, so a compression
 * bomb is reported here too rather than exhausting memory). */
#include "rules/checks.h"

#include <stdio.h>

#include "common/json.h"

void check_page_size(const struct check_context *ctx)
{
        const struct site_results *res = ctx->results;
        long cap = ctx->config->settings.max_body_bytes;

        for (size_t i = 0; i < res->n_oversized; i++) {
                const struct site_oversized_page *p = &res->oversized[i];
                int column = p->column >= 0 && (size_t)p->column < ctx->site->n_columns
                                     ? p->column
                                     : -1;
                char detail[512];
                struct buf ev;

                snprintf(detail, sizeof(detail),
                         "页面内容超过 %ld 字节（%.1f MB），只读取了前 %ld 字节", cap,
                         (double)cap / (1024 * 1024), cap);
                buf_init(&ev, 256 * 1024);
                buf_appendf(&ev, "{\"max_body_bytes\":%ld,\"referrer\":", cap);
                json_append_string(&ev, p->referrer);
                buf_appends(&ev, "}");
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "page_too_large",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = p->url,
                                  .unit = rule_unit_name(ctx->site, column),
                                  .column = column >= 0 ? ctx->site->columns[column].name
                                                        : NULL,
                                  .url = p->url,
                                  .detail = detail,
                                  .evidence = ev.data,
                          },
                          ctx->userdata);
                buf_free(&ev);
        }
}
