/* 个人信息泄露: resident identity card numbers and mobile numbers in the visible text of a
 * page. An identity number (GB 11643) counts only with a known province code, a real birth
 * date not after today and a correct check character, so that an arbitrary 18-digit
 * number (an order number, a document serial) does not fire; a mobile number is eleven
 * digits 1[3-9]…, neither of them inside a longer run of digits. The evidence never holds
 * a number in clear: the store must not publish the data a second time. */
#include "rules/checks.h"

#include <stdio.h>

#include "common/json.h"

/* Numbers of one kind reported from one page; the count goes on past it. */
#define NUMBERS_KEPT_MAX 100

enum pii_kind {
        PII_ID_CARD = 0,
        PII_MOBILE = 1,
};

struct pii_hit {
        size_t start, len;
};

struct pii_list {
        struct pii_hit v[NUMBERS_KEPT_MAX];
        size_t n;
        size_t total;
};

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* The province-level codes of GB/T 2260 that identity numbers begin with. */
static bool province_known(const char *s)
{
        static const int codes[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                                    41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
                                    65, 71, 81, 82};
        int v = (s[0] - '0') * 10 + (s[1] - '0');

        for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
                if (codes[i] == v)
                        return true;
        return false;
}

bool rule_id_card_valid(const char *s, xj_day today)
{
        static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        static const char check[] = "10X98765432";
        int sum = 0, y, m, d;
        char last;

        for (int i = 0; i < 17; i++)
                if (!is_digit(s[i]))
                        return false;
        last = s[17] == 'x' ? 'X' : s[17];
        if (!province_known(s))
                return false;
        y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
        m = (s[10] - '0') * 10 + (s[11] - '0');
        d = (s[12] - '0') * 10 + (s[13] - '0');
        if (y < 1900 || !civil_valid(y, m, d) || day_from_civil(y, m, d) > today)
                return false;
        for (int i = 0; i < 17; i++)
                sum += (s[i] - '0') * weights[i];
        return check[sum % 11] == last;
}

/* Keeps the first and last digits and stars the rest: 110105********1234, 138****5678. */
static void append_masked(struct buf *b, const char *s, size_t len)
{
        size_t head = len >= 18 ? 6 : 3, tail = 4;

        for (size_t i = 0; i < len; i++)
                buf_append(b, i < head || i + tail >= len ? &s[i] : "*", 1);
}

/* Copies text with every run of eleven or more digits masked, so that a sentence kept as
 * evidence holds no number in clear (the one reported, or its neighbours). */
static void append_text_masked(struct buf *b, const char *s, size_t len)
{
        size_t i = 0;

        while (i < len) {
                size_t j = i;
                while (j < len && is_digit(s[j]))
                        j++;
                if (j < len && (s[j] == 'X' || s[j] == 'x') && j - i == 17)
                        j++;
                if (j - i >= 11) {
                        append_masked(b, s + i, j - i);
                        i = j;
                } else if (j > i) {
                        buf_append(b, s + i, j - i);
                        i = j;
                } else {
                        buf_append(b, s + i, 1);
                        i++;
                }
        }
}

static void add(struct pii_list *l, size_t start, size_t len)
{
        if (l->n < NUMBERS_KEPT_MAX)
                l->v[l->n++] = (struct pii_hit){start, len};
        l->total++;
}

static void emit(const struct page_check_context *ctx, enum pii_kind kind, const char *text,
                 size_t text_len, const struct pii_list *l)
{
        const struct site_fetch *f = ctx->fetch;
        const char *what = kind == PII_ID_CARD ? "居民身份证号码" : "手机号码";
        _cleanup_free_ char *subject = xasprintf("%s %s", f->url, what);
        size_t keep = (size_t)ctx->config->settings.evidence_hits;
        struct buf detail, ev, masked;

        buf_init(&masked, 256);
        append_masked(&masked, text + l->v[0].start, l->v[0].len);
        buf_init(&detail, 1024);
        buf_appendf(&detail, "页面公开了 %zu 个%s（如 %s），涉嫌泄露个人信息", l->total, what,
                    masked.data);

        buf_init(&ev, 64 * 1024);
        buf_appendf(&ev, "{\"kind\":\"%s\",\"count\":%zu,\"hits\":[",
                    kind == PII_ID_CARD ? "id_card" : "mobile", l->total);
        for (size_t i = 0; i < l->n && i < keep; i++) {
                struct buf sentence, clean;

                buf_reset(&masked);
                append_masked(&masked, text + l->v[i].start, l->v[i].len);
                buf_init(&sentence, 8192);
                rule_text_context(text, text_len, l->v[i].start, l->v[i].start + l->v[i].len,
                                  ctx->config->settings.context_chars, &sentence);
                buf_init(&clean, 8192);
                append_text_masked(&clean, sentence.data ? sentence.data : "", sentence.len);
                buf_appendf(&ev, "%s{\"offset\":%zu,\"number\":", i ? "," : "", l->v[i].start);
                json_append_string(&ev, masked.data);
                buf_appends(&ev, ",\"sentence\":");
                json_append_string(&ev, clean.data ? clean.data : "");
                buf_appends(&ev, "}");
                buf_free(&sentence);
                buf_free(&clean);
        }
        buf_appends(&ev, "]}");

        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = "personal_data",
                          .kind = FINDING_VIOLATION,
                          /* An identity number is always someone's; a mobile number may be
                           * an office's published contact line. */
                          .severity = kind == PII_ID_CARD ? SEVERITY_SERIOUS : SEVERITY_SUSPECT,
                          .subject = subject,
                          .unit = rule_unit_name(ctx->site, f->column),
                          .column = f->column >= 0 ? ctx->site->columns[f->column].name : NULL,
                          .url = f->url,
                          .detail = detail.data,
                          .evidence = ev.data,
                  },
                  ctx->userdata);
        buf_free(&detail);
        buf_free(&ev);
        buf_free(&masked);
}

void check_personal_data(const struct page_check_context *ctx)
{
        const char *text = ctx->fetch->page->text;
        struct pii_list *ids, *mobiles;
        size_t len, i = 0;

        if (!text)
                return;
        len = strlen(text);
        ids = xcalloc(1, sizeof(*ids));
        mobiles = xcalloc(1, sizeof(*mobiles));

        /* Each maximal run of ASCII digits, with a final X for an identity number. */
        while (i < len) {
                size_t j = i, run;

                if (!is_digit(text[i])) {
                        i++;
                        continue;
                }
                while (j < len && is_digit(text[j]))
                        j++;
                run = j - i;
                if (run == 17 && j < len && (text[j] == 'X' || text[j] == 'x') &&
                    !(j + 1 < len && is_digit(text[j + 1]))) {
                        j++;
                        run++;
                }
                if (run == 18 && rule_id_card_valid(text + i, ctx->today))
                        add(ids, i, run);
                else if (run == 11 && text[i] == '1' && text[i + 1] >= '3' && text[i + 1] <= '9')
                        add(mobiles, i, run);
                i = j;
        }
        if (ids->total)
                emit(ctx, PII_ID_CARD, text, len, ids);
        if (mobiles->total)
                emit(ctx, PII_MOBILE, text, len, mobiles);
        free(ids);
        free(mobiles);
}
