/* 链接不可用: every link the crawl found broken. 404, 403 and 410 are confirmed (一般), and
 * so is a soft 404 (an error page answered with 200, or a redirect to one); timeouts, 5xx,
 * DNS, connection and TLS failures that repeated across every attempt are suspected
 * (疑似), as the national indicators and the vendors grade them, and so are redirect loops
 * and links to internal addresses. The problem belongs to the unit of the column whose
 * page carries the link. The evidence keeps every attempt: time, method, status, error. */
#include "rules/checks.h"

#include <stdio.h>

#include "common/json.h"

static const char *failure_label(enum http_failure f)
{
        switch (f) {
        case HTTP_FAIL_DNS:
                return "域名无法解析";
        case HTTP_FAIL_CONNECT:
                return "无法连接服务器";
        case HTTP_FAIL_TIMEOUT:
                return "访问超时";
        case HTTP_FAIL_TLS:
                return "证书或加密连接错误";
        case HTTP_FAIL_REDIRECTS:
                return "重定向过多或循环";
        case HTTP_FAIL_NETWORK:
                return "连接中断或响应异常";
        case HTTP_FAIL_BLOCKED:
                return "指向内网或本机地址";
        default:
                return "访问失败";
        }
}

static const char *kind_label(enum html_link_kind k)
{
        switch (k) {
        case HTML_LINK_IMG:
                return "图片";
        case HTML_LINK_SCRIPT:
        case HTML_LINK_LINK:
                return "页面资源";
        case HTML_LINK_IFRAME:
        case HTML_LINK_EMBED:
        case HTML_LINK_OBJECT:
                return "嵌入内容";
        default:
                return "链接";
        }
}

void check_dead_links(const struct check_context *ctx)
{
        const struct site_results *res = ctx->results;

        for (size_t i = 0; i < res->n_broken; i++) {
                const struct site_broken_link *l = &res->broken[i];
                int column = l->referrer_column;
                char detail[1536], what[512];
                struct buf ev;

                if (l->soft404)
                        snprintf(what, sizeof(what), "%s", l->soft404);
                else if (l->status && l->failure == HTTP_OK)
                        snprintf(what, sizeof(what), "HTTP %ld", l->status);
                else
                        snprintf(what, sizeof(what), "%s", failure_label(l->failure));
                if (l->verdict == LINK_DEAD)
                        snprintf(detail, sizeof(detail), "%s不可用：%s（所在页面：%s）",
                                 kind_label(l->kind), what, l->referrer);
                else
                        snprintf(detail, sizeof(detail),
                                 "%s疑似不可用：%s，已尝试 %d 次（所在页面：%s）",
                                 kind_label(l->kind), what, l->attempts, l->referrer);

                buf_init(&ev, 256 * 1024);
                buf_appendf(&ev, "{\"status\":%ld,\"failure\":\"%s\",\"attempts\":%d,"
                                 "\"kind\":\"%s\",\"scope\":\"%s\",\"referrer\":",
                            l->status, http_failure_id(l->failure), l->attempts,
                            html_link_kind_id(l->kind), url_scope_id(l->scope));
                json_append_string(&ev, l->referrer);
                buf_appends(&ev, ",\"error\":");
                json_append_string(&ev, l->error);
                buf_appends(&ev, ",\"final_url\":");
                json_append_string(&ev, l->final_url);
                buf_appends(&ev, ",\"soft404\":");
                json_append_string(&ev, l->soft404);
                /* The attempts are already a JSON array, written by the crawler. */
                buf_appendf(&ev, ",\"attempts_log\":%s}", l->history ? l->history : "[]");

                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "dead_link",
                                  .kind = FINDING_VIOLATION,
                                  .severity = l->verdict == LINK_DEAD ? SEVERITY_NORMAL
                                                                      : SEVERITY_SUSPECT,
                                  .subject = l->url,
                                  .unit = rule_unit_name(ctx->site, column),
                                  .column = column >= 0 ? ctx->site->columns[column].name
                                                        : NULL,
                                  .url = l->referrer,
                                  .detail = detail,
                                  .evidence = ev.data,
                          },
                          ctx->userdata);
                buf_free(&ev);
        }
}
