/* JSON and CSV value writers; see json.h. */
#include "common/json.h"

int json_append_string(struct buf *b, const char *s)
{
        int r;

        if (!s)
                return buf_appends(b, "null");
        r = buf_appends(b, "\"");
        for (const char *p = s; *p && r == 0; p++) {
                unsigned char ch = (unsigned char)*p;
                switch (ch) {
                case '"':
                        r = buf_appends(b, "\\\"");
                        break;
                case '\\':
                        r = buf_appends(b, "\\\\");
                        break;
                case '\n':
                        r = buf_appends(b, "\\n");
                        break;
                case '\r':
                        r = buf_appends(b, "\\r");
                        break;
                case '\t':
                        r = buf_appends(b, "\\t");
                        break;
                default:
                        if (ch < 0x20)
                                r = buf_appendf(b, "\\u%04x", ch);
                        else
                                r = buf_append(b, p, 1);
                }
        }
        return r ? r : buf_appends(b, "\"");
}

int csv_append_field(struct buf *b, const char *s)
{
        int r = 0;

        if (!s)
                return 0;
        bool quote = strpbrk(s, ",\"\r\n") != NULL;
        bool formula = *s == '=' || *s == '+' || *s == '-' || *s == '@';
        if (quote)
                r = buf_appends(b, "\"");
        if (r == 0 && formula)
                r = buf_appends(b, "'");
        for (const char *p = s; *p && r == 0; p++)
                r = *p == '"' ? buf_appends(b, "\"\"") : buf_append(b, p, 1);
        if (r == 0 && quote)
                r = buf_appends(b, "\"");
        return r;
}
