/* HTTPS 证书无效: a certificate of the site's own origin that does not verify (expired,
 * self-signed, issued for another name, or from an unknown authority). Browsers warn the
 * public away from such a site, so it is a problem of the site, reported once per origin;
 * the crawl went on without verification so that every other check still ran. External
 * links with a bad certificate are dead links instead (check_dead_links.c). */
#include "rules/checks.h"

#include <stdio.h>

#include "common/json.h"

/* OpenSSL's X509_V_ERR_* codes that name the problem; curl's message otherwise. */
static const char *tls_problem_label(long verify_result, const char *error)
{
        switch (verify_result) {
        case 9:
                return "证书尚未生效";
        case 10:
                return "证书已过期";
        case 18:
        case 19:
                return "自签名证书，不受信任";
        case 20:
        case 21:
                return "证书颁发机构不受信任或证书链不完整";
        case 23:
                return "证书已被吊销";
        case 62:
                return "证书与网站域名不匹配";
        default:
                break;
        }
        if (error && (strstr(error, "subject name") || strstr(error, "does not match") ||
                      strstr(error, "doesn't match")))
                return "证书与网站域名不匹配";
        if (error && strstr(error, "expired"))
                return "证书已过期";
        if (error && (strstr(error, "self-signed") || strstr(error, "self signed")))
                return "自签名证书，不受信任";
        return "证书无法验证或加密连接失败";
}

void check_tls(const struct check_context *ctx)
{
        const struct site_results *res = ctx->results;

        for (size_t i = 0; i < res->n_tls; i++) {
                const struct site_tls_problem *p = &res->tls[i];
                char detail[1024];
                struct buf ev;

                snprintf(detail, sizeof(detail), "网站 HTTPS 证书无效：%s（%s）",
                         tls_problem_label(p->verify_result, p->error), p->origin);
                buf_init(&ev, 4096);
                buf_appendf(&ev, "{\"verify_result\":%ld,\"url\":", p->verify_result);
                json_append_string(&ev, p->url);
                buf_appends(&ev, ",\"error\":");
                json_append_string(&ev, p->error);
                buf_appends(&ev, "}");
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "tls_invalid",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = p->origin,
                                  .unit = rule_unit_name(ctx->site, -1),
                                  .url = p->url,
                                  .detail = detail,
                                  .evidence = ev.data,
                          },
                          ctx->userdata);
                buf_free(&ev);
        }
}
