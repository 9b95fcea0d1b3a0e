/* Rendering a message: RFC 5322 headers, RFC 2047 encoded words for Chinese display names
 * and subjects, RFC 2231 for the attachment's file name, and a MIME body in base64.
 *
 * The message is rendered here rather than with libcurl's MIME API (curl_mime_*), because
 * the same bytes must serve three purposes: the --dry-run .eml file, the copy kept in the
 * store, and the retry after a temporary failure (same Message-ID, same content). curl_mime
 * renders only inside a transfer, so a dry run would show something other than what is
 * sent. Sending is still libcurl's SMTP (mail_send.c). */
#include "notify/mail.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/xtime.h"

/* RFC 2047: an encoded word is at most 75 characters and a line holding encoded words at
 * most 76. "=?UTF-8?B?" and "?=" take 12 of them. */
#define EW_MAX 75
#define EW_OVERHEAD 12
#define LINE_MAX_EW 76
/* RFC 5322 recommends 78 characters per line; a short ASCII value is written as it is. */
#define LINE_MAX_PLAIN 78
/* Base64 body lines (RFC 2045: at most 76). */
#define B64_LINE 76

static const char b64_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_append(struct buf *b, const unsigned char *p, size_t n)
{
        char out[4];
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i += 3) {
                unsigned v = (unsigned)p[i] << 16;
                if (i + 1 < n)
                        v |= (unsigned)p[i + 1] << 8;
                if (i + 2 < n)
                        v |= p[i + 2];
                out[0] = b64_alphabet[(v >> 18) & 63];
                out[1] = b64_alphabet[(v >> 12) & 63];
                out[2] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
                out[3] = i + 2 < n ? b64_alphabet[v & 63] : '=';
                r = buf_append(b, out, 4);
        }
        return r;
}

/* A body part's content in base64 lines of 76 characters. */
static int b64_body(struct buf *b, const void *data, size_t n)
{
        const unsigned char *p = data;
        size_t per_line = B64_LINE / 4 * 3;
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i += per_line) {
                r = b64_append(b, p + i, n - i < per_line ? n - i : per_line);
                if (r >= 0)
                        r = buf_appends(b, "\r\n");
        }
        return r;
}

/* Text bodies in canonical form (RFC 2045): every line break CRLF before base64. */
static int b64_text(struct buf *b, const char *text)
{
        struct buf crlf;
        int r = 0;

        buf_init(&crlf, b->max);
        for (const char *p = text ? text : ""; *p && r >= 0; p++) {
                if (*p == '\n' && (p == text || p[-1] != '\r'))
                        r = buf_append(&crlf, "\r", 1);
                if (r >= 0)
                        r = buf_append(&crlf, p, 1);
        }
        if (r >= 0)
                r = b64_body(b, crlf.data ? crlf.data : "", crlf.len);
        buf_free(&crlf);
        return r;
}

/* Header values must be one line of UTF-8: a CR or LF would end the header and start
 * another (header injection), other control characters have no business there. */
static bool header_value_ok(const char *s)
{
        if (!utf8_valid(s, strlen(s)))
                return false;
        for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                if (*c < 0x20 || *c == 0x7f)
                        return false;
        return true;
}

static bool plain_ascii(const char *s)
{
        for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                if (*c < 0x20 || *c >= 0x7f)
                        return false;
        /* Text that looks like an encoded word would be decoded by the reader. */
        return !strstr(s, "=?");
}

bool notify_mail_address_valid(const char *a)
{
        const char *at;

        if (!a || !*a || strlen(a) > 254)
                return false;
        at = strchr(a, '@');
        if (!at || at == a || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
            str_endswith(a, "."))
                return false;
        for (const unsigned char *c = (const unsigned char *)a; *c; c++)
                if (*c <= 0x20 || *c >= 0x7f || strchr("<>()[],;:\\\"", *c))
                        return false;
        return true;
}

/* The length of the UTF-8 character at s (1 for a stray byte: the value was validated). */
static size_t utf8_char_len(const unsigned char *s)
{
        if (*s < 0x80)
                return 1;
        if ((*s & 0xe0) == 0xc0)
                return 2;
        if ((*s & 0xf0) == 0xe0)
                return 3;
        if ((*s & 0xf8) == 0xf0)
                return 4;
        return 1;
}

/* Appends value as encoded words; used is the length of the line so far. Each word holds
 * as many whole characters as fit, and goes on a folded line of its own after the first. */
static int encoded_words(struct buf *b, const char *value, size_t used)
{
        const unsigned char *p = (const unsigned char *)value;
        size_t left = strlen(value);
        int r = 0;

        if (left == 0)
                return 0;
        while (left > 0 && r >= 0) {
                size_t room = (used + EW_MAX <= LINE_MAX_EW ? EW_MAX : LINE_MAX_EW - used);
                size_t max_bytes = (room - EW_OVERHEAD) / 4 * 3;
                size_t n = 0;

                while (n < left) {
                        size_t k = utf8_char_len(p + n);
                        if (n + k > max_bytes)
                                break;
                        n += k;
                }
                if (n == 0) {
                        /* Not even one character fits after a long header name: start
                         * on a fresh folded line. */
                        if (used == 1)
                                return -EINVAL;
                        r = buf_appends(b, "\r\n ");
                        used = 1;
                        continue;
                }
                r = buf_appends(b, "=?UTF-8?B?");
                if (r >= 0)
                        r = b64_append(b, p, n);
                if (r >= 0)
                        r = buf_appends(b, "?=");
                p += n;
                left -= n;
                if (left > 0 && r >= 0) {
                        r = buf_appends(b, "\r\n ");
                        used = 1;
                }
        }
        return r;
}

int notify_mail_header(struct buf *b, const char *name, const char *value)
{
        size_t used = strlen(name) + 2;
        int r;

        if (!value || !header_value_ok(value) || !header_value_ok(name))
                return -EINVAL;
        r = buf_appendf(b, "%s: ", name);
        if (r < 0)
                return r;
        if (plain_ascii(value) && used + strlen(value) <= LINE_MAX_PLAIN)
                r = buf_appends(b, value);
        else
                r = encoded_words(b, value, used);
        return r < 0 ? r : buf_appends(b, "\r\n");
}

int notify_mail_mailbox(struct buf *b, const struct notify_mailbox *mb)
{
        int r = 0;

        if (!notify_mail_address_valid(mb->address))
                return -EINVAL;
        if (mb->name && *mb->name) {
                if (!header_value_ok(mb->name))
                        return -EINVAL;
                /* Always encoded: a display name in plain ASCII would need quoting rules
                 * of its own (commas, quotes), an encoded word needs none. */
                r = encoded_words(b, mb->name, LINE_MAX_EW - EW_MAX);
                if (r >= 0)
                        r = buf_appends(b, " ");
        }
        if (r >= 0)
                r = buf_appendf(b, "<%s>", mb->address);
        return r;
}

static int address_header(struct buf *b, const char *name, const struct notify_mailbox *mbs,
                          size_t n)
{
        int r = buf_appendf(b, "%s: ", name);

        for (size_t i = 0; i < n && r >= 0; i++) {
                if (i > 0)
                        r = buf_appends(b, ",\r\n ");
                if (r >= 0)
                        r = notify_mail_mailbox(b, &mbs[i]);
        }
        return r < 0 ? r : buf_appends(b, "\r\n");
}

/* RFC 5322 date in China Standard Time: "Mon, 23 Nov 2026 20:00:00 +0800". */
static int date_header(struct buf *b, int64_t t)
{
        static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        xj_day d = day_of_time(t);
        int64_t s = t - time_of_day(d);
        int y, m, dd;

        civil_from_day(d, &y, &m, &dd);
        return buf_appendf(b, "Date: %s, %d %s %d %02d:%02d:%02d +0800\r\n", days[day_weekday(d)],
                           dd, months[m - 1], y, (int)(s / 3600), (int)(s / 60 % 60),
                           (int)(s % 60));
}

/* An RFC 2231 parameter value: UTF-8 percent-encoded. */
static int rfc2231_value(struct buf *b, const char *s)
{
        int r = buf_appends(b, "UTF-8''");

        for (const unsigned char *c = (const unsigned char *)s; *c && r >= 0; c++) {
                if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                    (*c >= '0' && *c <= '9') || strchr("-._", *c))
                        r = buf_append(b, c, 1);
                else
                        r = buf_appendf(b, "%%%02X", *c);
        }
        return r;
}

static void random_hex(char *out, size_t n_bytes)
{
        unsigned char raw[16];

        if (n_bytes > sizeof(raw))
                n_bytes = sizeof(raw);
        if (getrandom(raw, n_bytes, 0) != (ssize_t)n_bytes) {
                /* getrandom() on Linux ≥ 3.17 does not fail for 16 bytes; the fallback only
                 * has to differ between messages. */
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                uint64_t v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                             (uint64_t)getpid();
                for (size_t i = 0; i < n_bytes; i++)
                        raw[i] = (unsigned char)(v >> (8 * (i % 8)));
        }
        for (size_t i = 0; i < n_bytes; i++)
                sprintf(out + 2 * i, "%02x", raw[i]);
}

char *notify_mail_message_id(const char *from_address, const char *tag)
{
        const char *at = from_address ? strchr(from_address, '@') : NULL;
        char rnd[33];

        random_hex(rnd, 12);
        return xasprintf("<xunjian.%s.%s@%s>", tag, rnd, at ? at + 1 : "localhost");
}

int notify_mail_render(const struct notify_mail_msg *m, struct buf *out, char **ret_error)
{
        char mixed[48], alt[48], rnd[17];
        int r;

        if (!notify_mail_address_valid(m->from.address) || (m->from.name &&
                                                            !header_value_ok(m->from.name))) {
                *ret_error = xasprintf("发件人「%s」无效（地址格式错误或含换行等控制字符）",
                                       m->from.address ? m->from.address : "");
                return -EINVAL;
        }
        for (size_t i = 0; i < m->n_to + m->n_cc; i++) {
                const struct notify_mailbox *mb = i < m->n_to ? &m->to[i] : &m->cc[i - m->n_to];
                if (!notify_mail_address_valid(mb->address) ||
                    (mb->name && !header_value_ok(mb->name))) {
                        *ret_error = xasprintf("收件人「%s」无效（地址格式错误，或名称含换行等"
                                               "控制字符，拒绝写入邮件头）",
                                               mb->address ? mb->address : "");
                        return -EINVAL;
                }
        }
        if (!m->subject || !header_value_ok(m->subject) || !m->message_id ||
            !header_value_ok(m->message_id)) {
                *ret_error = xstrdup("邮件主题或 Message-ID 含换行等控制字符，拒绝写入邮件头");
                return -EINVAL;
        }
        if (m->n_to == 0) {
                *ret_error = xstrdup("邮件没有收件人");
                return -EINVAL;
        }

        /* "=_" cannot occur in base64 text, so the boundaries never collide with content. */
        random_hex(rnd, 8);
        snprintf(mixed, sizeof(mixed), "=_xunjian_mixed_%s", rnd);
        snprintf(alt, sizeof(alt), "=_xunjian_alt_%s", rnd);

        r = address_header(out, "From", &m->from, 1);
        if (r >= 0)
                r = address_header(out, "To", m->to, m->n_to);
        if (r >= 0 && m->n_cc > 0)
                r = address_header(out, "Cc", m->cc, m->n_cc);
        if (r >= 0)
                r = notify_mail_header(out, "Subject", m->subject);
        if (r >= 0)
                r = date_header(out, m->date);
        if (r >= 0)
                r = buf_appendf(out, "Message-ID: %s\r\n", m->message_id);
        if (r >= 0)
                r = buf_appendf(out, "MIME-Version: 1.0\r\n"
                                     "Auto-Submitted: auto-generated\r\n"
                                     "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
                                     "\r\n"
                                     "This is a MIME message.\r\n"
                                     "--%s\r\n"
                                     "Content-Type: multipart/alternative; boundary=\"%s\"\r\n"
                                     "\r\n"
                                     "--%s\r\n"
                                     "Content-Type: text/plain; charset=UTF-8\r\n"
                                     "Content-Transfer-Encoding: base64\r\n\r\n",
                                mixed, mixed, alt, alt);
        if (r >= 0)
                r = b64_text(out, m->text);
        if (r >= 0)
                r = buf_appendf(out, "--%s\r\n"
                                     "Content-Type: text/html; charset=UTF-8\r\n"
                                     "Content-Transfer-Encoding: base64\r\n\r\n",
                                alt);
        if (r >= 0)
                r = b64_text(out, m->html);
        if (r >= 0)
                r = buf_appendf(out, "--%s--\r\n", alt);
        if (r >= 0 && m->attachment_name) {
                if (!header_value_ok(m->attachment_name)) {
                        *ret_error = xstrdup("附件名含换行等控制字符");
                        return -EINVAL;
                }
                r = buf_appendf(out, "--%s\r\nContent-Type: text/csv; charset=UTF-8; name=", mixed);
                /* name= in RFC 2047 for the mail programs that read only that, filename*
                 * in RFC 2231 for the others. */
                if (r >= 0)
                        r = buf_appends(out, "\"");
                if (r >= 0)
                        r = encoded_words(out, m->attachment_name, LINE_MAX_EW - EW_MAX);
                if (r >= 0)
                        r = buf_appends(out, "\"\r\nContent-Disposition: attachment;\r\n"
                                             " filename*=");
                if (r >= 0)
                        r = rfc2231_value(out, m->attachment_name);
                if (r >= 0)
                        r = buf_appends(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
                if (r >= 0)
                        r = b64_body(out, m->attachment, m->attachment_len);
        }
        if (r >= 0)
                r = buf_appendf(out, "--%s--\r\n", mixed);
        if (r < 0)
                *ret_error = xstrdup(r == -ENOBUFS ? "邮件超出大小上限" : "邮件无法生成");
        return r;
}
