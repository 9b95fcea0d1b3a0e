/* Sending one rendered message over SMTP with libcurl's easy interface, and reading the
 * SMTP password. The easy interface blocks, which is what `xunjian notify` wants: a few
 * dozen small messages once a night, one after the other, each recorded before the next;
 * the multi interface would add a loop and nothing a unit would notice. The daemon runs the
 * nightly email in its own process (or a worker thread), never in the crawl's loop. */
#include "notify/mail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <curl/curl.h>

/* A password is a line; a file much larger than that is not a password file. */
#define PASSWORD_MAX 1024
/* Connecting should take seconds; the rest of timeout_ms is for the conversation. */
#define CONNECT_TIMEOUT_MS 15000L

int notify_mail_password(const struct rule_mail *mail, char **ret, char **ret_error)
{
        char buf[PASSWORD_MAX + 2];
        ssize_t n;
        int fd;

        if (!mail->user) {
                *ret = NULL;
                return 0;
        }
        if (mail->password_env) {
                const char *v = getenv(mail->password_env);
                if (!v || !*v) {
                        *ret_error = xasprintf("环境变量 %s 未设置或为空（mail.password_env）",
                                               mail->password_env);
                        return -ENOENT;
                }
                *ret = xstrdup(v);
                return 0;
        }
        fd = open(mail->password_file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int e = errno;
                *ret_error = xasprintf("%s: %s（mail.password_file）", mail->password_file,
                                       strerror(e));
                return -e;
        }
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0) {
                int e = errno;
                *ret_error = xasprintf("%s: %s", mail->password_file, strerror(e));
                return -e;
        }
        if (n > PASSWORD_MAX) {
                *ret_error = xasprintf("%s: 超过 %d 字节，不像密码文件", mail->password_file,
                                       PASSWORD_MAX);
                return -EFBIG;
        }
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!*buf) {
                *ret_error = xasprintf("%s: 文件为空（mail.password_file）", mail->password_file);
                return -ENOENT;
        }
        *ret = xstrdup(buf);
        explicit_bzero(buf, sizeof(buf));
        return 0;
}

struct upload {
        const char *data;
        size_t len, pos;
        const struct notify_mail_hooks *hooks;
        bool committed;         /* the last bytes were handed to curl */
        int hook_error;
};

/* curl asks for the message in pieces and sends the end-of-data marker only after the
 * last piece: the committing hook runs before that piece is handed over, so it is on
 * record before the server can have the whole message. */
static size_t read_cb(char *out, size_t size, size_t nmemb, void *userdata)
{
        struct upload *u = userdata;
        size_t n = size * nmemb;

        if (n > u->len - u->pos)
                n = u->len - u->pos;
        if (n > 0 && u->pos + n == u->len && !u->committed) {
                if (u->hooks && u->hooks->committing) {
                        int r = u->hooks->committing(u->hooks->userdata);
                        if (r < 0) {
                                u->hook_error = r;
                                return CURL_READFUNC_ABORT;
                        }
                }
                u->committed = true;
        }
        memcpy(out, u->data + u->pos, n);
        u->pos += n;
        return n;
}

/* The one place where curl's results become errno values: what the next run may fix
 * (-EAGAIN) and what it will not. The SMTP reply code decides when there is one. */
static int classify(CURLcode result, long reply)
{
        if (reply >= 500 && reply < 600)
                return -EPERM;
        if (reply >= 400 && reply < 500)
                return -EAGAIN;
        switch (result) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_OUT_OF_MEMORY:
                return -EAGAIN;
        case CURLE_LOGIN_DENIED:
                return -EACCES;
        case CURLE_USE_SSL_FAILED:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
                return -EPROTO;
        default:
                return -EIO;
        }
}

#define SETOPT(h, opt, val)                                                                    \
        do {                                                                                   \
                if (result == CURLE_OK)                                                        \
                        result = curl_easy_setopt(h, opt, val);                                \
        } while (0)

int notify_mail_send(const struct rule_mail *mail, const char *password, const char *const *rcpt,
                     size_t n_rcpt, const char *message, size_t len,
                     const struct notify_mail_hooks *hooks, char **ret_error)
{
        char errbuf[CURL_ERROR_SIZE] = "";
        struct curl_slist *list = NULL;
        struct upload up = {.data = message, .len = len, .hooks = hooks};
        _cleanup_free_ char *url = NULL, *from = NULL;
        CURLcode result = CURLE_OK;
        long reply = 0;
        CURL *h;
        int r;

        if (n_rcpt == 0) {
                *ret_error = xstrdup("没有收件人");
                return -EINVAL;
        }
        for (size_t i = 0; i < n_rcpt; i++) {
                _cleanup_free_ char *a = NULL;
                struct curl_slist *next;

                if (!notify_mail_address_valid(rcpt[i])) {
                        curl_slist_free_all(list);
                        *ret_error = xasprintf("收件人地址「%s」无效", rcpt[i]);
                        return -EINVAL;
                }
                a = xasprintf("<%s>", rcpt[i]);
                next = curl_slist_append(list, a);
                if (!next)
                        abort();
                list = next;
        }
        h = curl_easy_init();
        if (!h)
                abort();
        url = xasprintf("smtp://%s:%d", mail->host, mail->port);
        from = xasprintf("<%s>", mail->from_address);

        SETOPT(h, CURLOPT_URL, url);
        SETOPT(h, CURLOPT_PROTOCOLS_STR, "smtp");
        SETOPT(h, CURLOPT_NOSIGNAL, 1L);
        SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
        SETOPT(h, CURLOPT_MAIL_FROM, from);
        SETOPT(h, CURLOPT_MAIL_RCPT, list);
        SETOPT(h, CURLOPT_UPLOAD, 1L);
        SETOPT(h, CURLOPT_READFUNCTION, read_cb);
        SETOPT(h, CURLOPT_READDATA, &up);
        SETOPT(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
        SETOPT(h, CURLOPT_TIMEOUT_MS, mail->timeout_ms);
        SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS,
               mail->timeout_ms < CONNECT_TIMEOUT_MS ? mail->timeout_ms : CONNECT_TIMEOUT_MS);
        if (mail->starttls == STARTTLS_REQUIRED)
                SETOPT(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        if (mail->ca_file)
                SETOPT(h, CURLOPT_CAINFO, mail->ca_file);
        if (mail->user) {
                SETOPT(h, CURLOPT_USERNAME, mail->user);
                SETOPT(h, CURLOPT_PASSWORD, password ? password : "");
        }
        if (result != CURLE_OK) {
                *ret_error = xasprintf("libcurl: %s", curl_easy_strerror(result));
                r = -EIO;
                goto out;
        }

        result = curl_easy_perform(h);
        if (result == CURLE_OK) {
                /* Accepted. curl keeps the connection open and says QUIT only at
                 * curl_easy_cleanup(); the record is made first. */
                r = hooks && hooks->accepted ? hooks->accepted(hooks->userdata) : 0;
                if (r > 0)
                        r = 0;
                goto out;
        }
        if (up.hook_error < 0) {
                *ret_error = xasprintf("记录发送状态失败：%s", strerror(-up.hook_error));
                r = up.hook_error;
                goto out;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
        r = classify(result, reply);
        /* The whole message went out and the server did not refuse it: whether it was
         * accepted is unknown (the connection broke or timed out before the answer). */
        if (up.committed && reply < 400)
                r = -EINPROGRESS;
        if (reply >= 400)
                *ret_error = xasprintf("smtp://%s:%d: 服务器答复 %ld（%s）", mail->host,
                                       mail->port, reply, *errbuf ? errbuf
                                                                  : curl_easy_strerror(result));
        else
                *ret_error = xasprintf("smtp://%s:%d: %s", mail->host, mail->port,
                                       *errbuf ? errbuf : curl_easy_strerror(result));
out:
        curl_easy_cleanup(h);
        curl_slist_free_all(list);
        return r;
}
