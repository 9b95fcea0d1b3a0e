/* libcurl multi driven by libuv through the socket API; see http.h.
 *
 * This follows the shape of curl's docs/examples/multi-uv.c with its gaps closed: poll
 * errors are passed to curl as CURL_CSELECT_ERR instead of being ignored, finished
 * transfers are drained after every curl_multi_socket_action() call, the timer callback
 * never calls into curl directly (it only arms the uv timer), and shutdown removes the
 * transfers before the multi handle and closes every uv handle through uv_close(). */
#include "crawler/http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/url.h"

struct http_engine {
        uv_loop_t *loop;
        CURLM *multi;
        uv_timer_t timer;
        struct http_options opts;
        char *user_agent;
        struct strv internal_hosts;
        size_t in_flight;
        /* Every transfer in flight, so http_engine_free() can cancel them. */
        struct transfer *transfers;
        /* uv handles still open (timer + socket polls); the engine is freed when the last
         * one has closed after http_engine_free(). */
        size_t open_handles;
        bool closing;
        /* Sockets being watched, so that any curl did not report removed by the time the
         * multi handle is gone can still be closed. */
        struct socket_ctx *sockets;
};

/* One socket curl asked us to watch. */
struct socket_ctx {
        uv_poll_t poll;
        curl_socket_t fd;
        struct http_engine *engine;
        struct socket_ctx *prev, *next;
};

struct transfer {
        struct http_engine *engine;
        CURL *easy;
        struct curl_slist *headers;
        char *url;
        enum http_method method;
        struct buf body;
        bool truncated;
        char *etag, *last_modified, *retry_after;
        /* The URLs that answered with a redirect, to tell a loop from a long chain; capped
         * at the engine's max_redirects + 1. */
        char **redirect_urls;
        size_t n_redirect_urls;
        bool redirect_loop;
        char blocked_address[INET6_ADDRSTRLEN];
        char error[CURL_ERROR_SIZE];
        http_done_fn done;
        void *userdata;
        struct transfer *prev, *next;
};

const char *http_failure_id(enum http_failure f)
{
        static const char *const ids[] = {
                [HTTP_OK] = "ok",
                [HTTP_FAIL_DNS] = "dns",
                [HTTP_FAIL_CONNECT] = "connect",
                [HTTP_FAIL_TIMEOUT] = "timeout",
                [HTTP_FAIL_TLS] = "tls",
                [HTTP_FAIL_REDIRECTS] = "redirects",
                [HTTP_FAIL_TOO_LARGE] = "too_large",
                [HTTP_FAIL_NETWORK] = "network",
                [HTTP_FAIL_OTHER] = "other",
                [HTTP_FAIL_BLOCKED] = "blocked",
        };
        return (unsigned)f < ARRAY_SIZE(ids) ? ids[f] : "other";
}

/* The one place curl's result codes become our failure classes. */
static enum http_failure failure_of(CURLcode code)
{
        switch (code) {
        case CURLE_OK:
                return HTTP_OK;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return HTTP_FAIL_DNS;
        case CURLE_COULDNT_CONNECT:
                return HTTP_FAIL_CONNECT;
        case CURLE_OPERATION_TIMEDOUT:
                return HTTP_FAIL_TIMEOUT;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
                return HTTP_FAIL_TLS;
        case CURLE_TOO_MANY_REDIRECTS:
                return HTTP_FAIL_REDIRECTS;
        case CURLE_FILESIZE_EXCEEDED:
        case CURLE_WRITE_ERROR:
                return HTTP_FAIL_TOO_LARGE;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_BAD_CONTENT_ENCODING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return HTTP_FAIL_NETWORK;
        default:
                return HTTP_FAIL_OTHER;
        }
}

int http_global_init(void)
{
        return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void http_global_cleanup(void)
{
        curl_global_cleanup();
}

static void engine_release(struct http_engine *e)
{
        free(e->user_agent);
        strv_free(&e->internal_hosts);
        free(e);
}

static void handle_closed(uv_handle_t *h)
{
        struct http_engine *e = h->data;

        if (h->type == UV_POLL)
                free(container_of((uv_poll_t *)h, struct socket_ctx, poll));
        e->open_handles--;
        if (e->closing && e->open_handles == 0)
                engine_release(e);
}

static void transfer_free(struct transfer *t)
{
        struct http_engine *e = t->engine;

        if (t->prev)
                t->prev->next = t->next;
        else
                e->transfers = t->next;
        if (t->next)
                t->next->prev = t->prev;
        curl_multi_remove_handle(e->multi, t->easy);
        curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->headers);
        buf_free(&t->body);
        free(t->url);
        free(t->etag);
        free(t->last_modified);
        free(t->retry_after);
        for (size_t i = 0; i < t->n_redirect_urls; i++)
                free(t->redirect_urls[i]);
        free(t->redirect_urls);
        free(t);
        e->in_flight--;
}

static void report_done(struct transfer *t, CURLcode code)
{
        struct http_response r = {
                .url = t->url,
                .method = t->method,
                .body = t->body.data ? t->body.data : "",
                .body_len = t->body.len,
                .truncated = t->truncated,
                .etag = t->etag,
                .last_modified = t->last_modified,
                .retry_after = t->retry_after,
        };
        char *final_url = NULL, *content_type = NULL;
        curl_off_t usec = 0, downloaded = 0;
        long header_bytes = 0;
        _cleanup_free_ char *loop_error = NULL, *blocked_error = NULL;

        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.status);
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &final_url);
        curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &content_type);
        curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_COUNT, &r.redirects);
        curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &usec);
        curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
        curl_easy_getinfo(t->easy, CURLINFO_HEADER_SIZE, &header_bytes);
        r.wire_bytes = (size_t)downloaded + (size_t)header_bytes;
        r.final_url = final_url ? final_url : t->url;
        r.content_type = content_type;
        r.seconds = (double)usec / 1e6;

        /* Our write callback refuses data past the cap, which curl reports as a write
         * error; that is a truncation, not a transport failure. */
        if (t->truncated)
                code = CURLE_FILESIZE_EXCEEDED;
        r.failure = failure_of(code);
        if (code != CURLE_OK)
                r.error = t->error[0] ? t->error : curl_easy_strerror(code);
        if (t->redirect_loop) {
                /* Our header callback stopped the chain when a URL came back. */
                struct buf chain;
                buf_init(&chain, 8192);
                buf_appends(&chain, "重定向循环：");
                for (size_t i = 0; i < t->n_redirect_urls; i++)
                        buf_appendf(&chain, "%s → ", t->redirect_urls[i]);
                buf_appends(&chain, r.final_url);
                loop_error = buf_steal(&chain);
                r.failure = HTTP_FAIL_REDIRECTS;
                r.redirect_loop = true;
                r.error = loop_error;
        } else if (t->blocked_address[0]) {
                r.failure = HTTP_FAIL_BLOCKED;
                r.blocked_address = t->blocked_address;
                blocked_error = xasprintf("目标地址 %s 为内网、本机或保留地址，未连接",
                                          t->blocked_address);
                r.error = blocked_error;
        } else if (r.failure == HTTP_FAIL_TLS) {
                curl_easy_getinfo(t->easy, CURLINFO_SSL_VERIFYRESULT, &r.tls_verify_result);
        }
        if (r.failure != HTTP_OK && r.failure != HTTP_FAIL_TOO_LARGE && code != CURLE_PARTIAL_FILE)
                r.status = r.status >= 100 ? r.status : 0;

        t->done(&r, t->userdata);
}

/* Reports every finished transfer. Called after each curl_multi_socket_action(). */
static void drain_finished(struct http_engine *e)
{
        CURLMsg *msg;
        int pending;

        while ((msg = curl_multi_info_read(e->multi, &pending))) {
                struct transfer *t = NULL;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
                CURLcode code = msg->data.result;
                /* Detach before calling back: the callback may add transfers, which can
                 * invalidate msg. */
                report_done(t, code);
                transfer_free(t);
                if (e->closing)
                        return;
        }
}

static void on_poll(uv_poll_t *poll, int status, int events)
{
        struct socket_ctx *s = container_of(poll, struct socket_ctx, poll);
        struct http_engine *e = s->engine;
        int flags = 0, running;

        if (status < 0)
                flags = CURL_CSELECT_ERR;
        else {
                if (events & UV_READABLE)
                        flags |= CURL_CSELECT_IN;
                if (events & UV_WRITABLE)
                        flags |= CURL_CSELECT_OUT;
        }
        curl_multi_socket_action(e->multi, s->fd, flags, &running);
        drain_finished(e);
}

static void on_timeout(uv_timer_t *timer)
{
        struct http_engine *e = container_of(timer, struct http_engine, timer);
        int running;

        curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        drain_finished(e);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
        struct http_engine *e = userp;

        if (timeout_ms < 0)
                uv_timer_stop(&e->timer);
        else
                /* A zero timeout still goes through the loop, so curl is never re-entered
                 * from inside its own callback. */
                uv_timer_start(&e->timer, on_timeout, (uint64_t)timeout_ms, 0);
        return 0;
}

static void socket_close(struct socket_ctx *s)
{
        struct http_engine *e = s->engine;

        if (s->prev)
                s->prev->next = s->next;
        else
                e->sockets = s->next;
        if (s->next)
                s->next->prev = s->prev;
        uv_poll_stop(&s->poll);
        uv_close((uv_handle_t *)&s->poll, handle_closed);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
        struct http_engine *e = userp;
        struct socket_ctx *s = socketp;
        int events = 0;

        if (what == CURL_POLL_REMOVE) {
                if (s) {
                        if (!e->closing)
                                curl_multi_assign(e->multi, fd, NULL);
                        socket_close(s);
                }
                return 0;
        }
        if (!s) {
                s = xcalloc(1, sizeof(*s));
                s->fd = fd;
                s->engine = e;
                if (uv_poll_init_socket(e->loop, &s->poll, fd) < 0) {
                        free(s);
                        return -1;
                }
                s->poll.data = e;
                s->next = e->sockets;
                if (s->next)
                        s->next->prev = s;
                e->sockets = s;
                e->open_handles++;
                curl_multi_assign(e->multi, fd, s);
        }
        if (what & CURL_POLL_IN)
                events |= UV_READABLE;
        if (what & CURL_POLL_OUT)
                events |= UV_WRITABLE;
        uv_poll_start(&s->poll, events, on_poll);
        return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
        struct transfer *t = userp;
        size_t len = size * n;

        if (buf_append(&t->body, data, len) < 0) {
                buf_append_some(&t->body, data, len);
                t->truncated = true;
                return 0;       /* stops the transfer: we have all we will keep */
        }
        return len;
}

/* Keeps the value of header `name` (a header line is "Name: value\r\n"). */
static void keep_header(char **slot, const char *name, const char *line, size_t len)
{
        size_t n = strlen(name);

        if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
                return;
        const char *v = line + n + 1, *end = line + len;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
        free(*slot);
        *slot = xstrndup(v, (size_t)(end - v));
}

/* At the status line of each response: a redirect's URL is remembered, and a URL that
 * answered with a redirect before means the chain is a loop. Returns false for a loop. */
static bool note_redirect(struct transfer *t, const char *line, size_t len)
{
        const char *sp = memchr(line, ' ', len);
        char *url = NULL;

        if (!sp || (size_t)(sp - line) + 2 > len || sp[1] != '3')
                return true;
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
        if (!url)
                return true;
        for (size_t i = 0; i < t->n_redirect_urls; i++)
                if (streq(t->redirect_urls[i], url)) {
                        t->redirect_loop = true;
                        return false;
                }
        if (t->n_redirect_urls <= (size_t)t->engine->opts.max_redirects) {
                t->redirect_urls = xreallocarray(t->redirect_urls, t->n_redirect_urls + 1,
                                                 sizeof(*t->redirect_urls));
                t->redirect_urls[t->n_redirect_urls++] = xstrdup(url);
        }
        return true;
}

/* a points at the four bytes of an IPv4 address. */
static bool ipv4_internal(const unsigned char *a)
{
        return a[0] == 0 ||                                     /* "this network" */
               a[0] == 10 ||                                    /* private */
               a[0] == 127 ||                                   /* loopback */
               a[0] >= 224 ||                                   /* multicast, reserved */
               (a[0] == 100 && (a[1] & 0xc0) == 64) ||          /* shared (CGNAT) */
               (a[0] == 169 && a[1] == 254) ||                  /* link-local, metadata */
               (a[0] == 172 && (a[1] & 0xf0) == 16) ||          /* private */
               (a[0] == 192 && a[1] == 168) ||                  /* private */
               (a[0] == 192 && a[1] == 0 && a[2] == 0) ||       /* IETF assignments */
               (a[0] == 198 && (a[1] & 0xfe) == 18);            /* benchmarking */
}

/* Whether a connection to sa would reach the machine itself or a network behind it:
 * loopback, private (RFC 1918, unique local), link-local (where cloud metadata services
 * answer, 169.254.169.254 and fd00:ec2::254), shared, multicast and reserved ranges,
 * including IPv4 addresses wrapped in IPv6 (mapped, NAT64, 6to4). */
static bool address_internal(const struct sockaddr *sa)
{
        if (sa->sa_family == AF_INET)
                return ipv4_internal(
                        (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
        if (sa->sa_family != AF_INET6)
                return true;    /* no other family has any business here */
        const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
        static const unsigned char zero[15] = {0};
        if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
                return ipv4_internal(a + 12);
        if (a[0] == 0x20 && a[1] == 0x02)
                return ipv4_internal(a + 2);
        if (memcmp(a, zero, 15) == 0)
                return true;                                    /* :: and ::1 */
        return (a[0] & 0xfe) == 0xfc ||                         /* unique local */
               (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||       /* link-local */
               (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) ||       /* site-local */
               a[0] == 0xff;                                    /* multicast */
}

/* The host of the URL being connected to, as written in it (no brackets for IPv6). */
static bool host_allowed(struct transfer *t)
{
        char *url = NULL;

        if (t->engine->internal_hosts.n == 0)
                return false;
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &url);
        _cleanup_free_ char *host = url ? url_host(url) : NULL;
        if (!host)
                return false;
        size_t n = strlen(host);
        const char *h = host;
        if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
                h = host + 1;
                n -= 2;
        }
        for (size_t i = 0; i < t->engine->internal_hosts.n; i++) {
                const char *allowed = t->engine->internal_hosts.items[i];
                if (strlen(allowed) == n && strncasecmp(allowed, h, n) == 0)
                        return true;
        }
        return false;
}

/* curl calls this with the resolved address of every connection it opens, redirects
 * included: the one place where a name has become an address, so the check cannot be
 * raced by a second DNS answer. */
static curl_socket_t on_open_socket(void *userp, curlsocktype purpose,
                                    struct curl_sockaddr *addr)
{
        struct transfer *t = userp;

        if (purpose == CURLSOCKTYPE_IPCXN && address_internal(&addr->addr) && !host_allowed(t)) {
                const void *raw = addr->family == AF_INET6
                                          ? (const void *)&((struct sockaddr_in6 *)&addr->addr)
                                                    ->sin6_addr
                                          : (const void *)&((struct sockaddr_in *)&addr->addr)
                                                    ->sin_addr;
                if (!inet_ntop(addr->family, raw, t->blocked_address,
                               sizeof(t->blocked_address)))
                        snprintf(t->blocked_address, sizeof(t->blocked_address), "?");
                return CURL_SOCKET_BAD;
        }
        return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
        struct transfer *t = userp;
        size_t len = size * n;

        /* A new status line starts the headers of the next response in a redirect chain:
         * only the final response's validators matter. */
        if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
                free_and_null(&t->etag);
                free_and_null(&t->last_modified);
                free_and_null(&t->retry_after);
                if (!note_redirect(t, data, len))
                        return 0;       /* a loop: stop here rather than go round again */
        }
        keep_header(&t->etag, "ETag", data, len);
        keep_header(&t->last_modified, "Last-Modified", data, len);
        keep_header(&t->retry_after, "Retry-After", data, len);
        return len;
}

int http_engine_new(uv_loop_t *loop, const struct http_options *o, struct http_engine **ret)
{
        struct http_engine *e = xcalloc(1, sizeof(*e));

        e->loop = loop;
        e->opts = *o;
        e->user_agent = xstrdup(o->user_agent ? o->user_agent : "xunjian");
        e->opts.user_agent = e->user_agent;
        for (size_t i = 0; i < o->n_internal_hosts; i++)
                strv_push(&e->internal_hosts, o->internal_hosts[i]);
        e->opts.internal_hosts = NULL;
        e->opts.n_internal_hosts = 0;
        e->multi = curl_multi_init();
        if (!e->multi) {
                free(e->user_agent);
                free(e);
                return -EIO;
        }
        uv_timer_init(loop, &e->timer);
        e->timer.data = e;
        e->open_handles = 1;

        curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
        curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
        curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
        curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
        if (o->max_connections > 0)
                curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, o->max_connections);
        if (o->max_host_connections > 0)
                curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                                  o->max_host_connections);
        *ret = e;
        return 0;
}

int http_fetch(struct http_engine *e, const struct http_request *req)
{
        struct transfer *t;
        size_t max_body = req->max_body ? req->max_body : e->opts.max_body;

        if (e->closing || !req->url || !req->done)
                return -EINVAL;

        t = xcalloc(1, sizeof(*t));
        t->engine = e;
        t->url = xstrdup(req->url);
        t->method = req->method;
        t->done = req->done;
        t->userdata = req->userdata;
        buf_init(&t->body, max_body);
        t->easy = curl_easy_init();
        if (!t->easy) {
                free(t->url);
                free(t);
                return -EIO;
        }

        CURL *c = t->easy;
        curl_easy_setopt(c, CURLOPT_URL, t->url);
        curl_easy_setopt(c, CURLOPT_PRIVATE, t);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->error);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, e->opts.max_redirects);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, e->opts.connect_timeout_ms);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, e->opts.timeout_ms);
        curl_easy_setopt(c, CURLOPT_USERAGENT, e->user_agent);
        /* Every encoding curl supports; the body cap below applies to the decoded bytes,
         * which is what keeps a compression bomb from growing without bound. */
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, t);
        if (e->opts.insecure || req->insecure) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (req->method == HTTP_HEAD)
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        t->headers = curl_slist_append(t->headers, "Accept: text/html,application/xhtml+xml,"
                                                   "*/*;q=0.8");
        t->headers = curl_slist_append(t->headers, "Accept-Language: zh-CN,zh;q=0.9");
        if (req->if_none_match) {
                _cleanup_free_ char *h = xasprintf("If-None-Match: %s", req->if_none_match);
                t->headers = curl_slist_append(t->headers, h);
        }
        if (req->if_modified_since) {
                _cleanup_free_ char *h = xasprintf("If-Modified-Since: %s",
                                                   req->if_modified_since);
                t->headers = curl_slist_append(t->headers, h);
        }
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);

        t->next = e->transfers;
        if (t->next)
                t->next->prev = t;
        e->transfers = t;
        e->in_flight++;
        if (curl_multi_add_handle(e->multi, c) != CURLM_OK) {
                transfer_free(t);
                return -EIO;
        }
        return 0;
}

size_t http_in_flight(const struct http_engine *e)
{
        return e->in_flight;
}

void http_engine_free(struct http_engine *e)
{
        if (!e)
                return;
        e->closing = true;
        /* Removing the transfers and then the multi handle makes curl report their sockets
         * and those of idle cached connections as removed, which closes their polls; any
         * curl did not report is closed here, so no poll outlives the engine. */
        while (e->transfers)
                transfer_free(e->transfers);
        curl_multi_cleanup(e->multi);
        e->multi = NULL;
        while (e->sockets)
                socket_close(e->sockets);
        uv_timer_stop(&e->timer);
        uv_close((uv_handle_t *)&e->timer, handle_closed);
}
