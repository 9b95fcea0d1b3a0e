/* The HTTP engine against a small HTTP server on 127.0.0.1 that runs on the same libuv
 * loop: ordinary answers, errors, a server that never answers, an oversized body, a
 * redirect loop, HEAD handling, conditional GET, and shutdown with transfers in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "common/buf.h"
#include "crawler/http.h"

struct server {
        uv_tcp_t tcp;
        int port;
        int requests;
        char last_method[8];
};

struct conn {
        uv_tcp_t tcp;
        struct server *server;
        struct buf req;
        bool answered;
};

static void conn_closed(uv_handle_t *h)
{
        struct conn *c = h->data;
        buf_free(&c->req);
        free(c);
}

static void write_done(uv_write_t *w, int status)
{
        free(w->data);
        free(w);
}

static void send_text(struct conn *c, const char *text)
{
        uv_write_t *w = malloc(sizeof(*w));
        char *copy = strdup(text);
        uv_buf_t b = uv_buf_init(copy, (unsigned)strlen(copy));
        w->data = copy;
        uv_write(w, (uv_stream_t *)&c->tcp, &b, 1, write_done);
}

static void respond(struct conn *c, const char *method, const char *path, const char *headers)
{
        char out[4096];
        const char *body = "<html><head><title>ok</title></head><body>你好</body></html>";

        if (strcmp(path, "/ok") == 0) {
                snprintf(out, sizeof(out),
                         "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                         "ETag: \"v1\"\r\nLast-Modified: Mon, 23 Nov 2026 01:00:00 GMT\r\n"
                         "Content-Length: %zu\r\n\r\n%s",
                         strlen(body), strcmp(method, "HEAD") == 0 ? "" : body);
        } else if (strcmp(path, "/etag") == 0) {
                if (strstr(headers, "If-None-Match: \"v1\""))
                        snprintf(out, sizeof(out), "HTTP/1.1 304 Not Modified\r\n"
                                                   "ETag: \"v1\"\r\n\r\n");
                else
                        snprintf(out, sizeof(out),
                                 "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: 2\r\n\r\nhi");
        } else if (strcmp(path, "/missing") == 0) {
                snprintf(out, sizeof(out), "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        } else if (strcmp(path, "/error") == 0) {
                snprintf(out, sizeof(out),
                         "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\n"
                         "Content-Length: 0\r\n\r\n");
        } else if (strcmp(path, "/hang") == 0) {
                return; /* accept, read, never answer */
        } else if (strcmp(path, "/huge") == 0) {
                /* Claims 5 GB; the engine must refuse without reading it. */
                snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Length: 5368709120\r\n"
                                           "Content-Type: text/html\r\n\r\nxxxx");
        } else if (strcmp(path, "/chunked-big") == 0) {
                /* No length announced: the cap must cut it while it streams. */
                char chunk[1100];
                memset(chunk, 'a', 1024);
                snprintf(chunk + 1024, sizeof(chunk) - 1024, "\r\n");
                snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                send_text(c, out);
                for (int i = 0; i < 8; i++) {
                        send_text(c, "400\r\n");
                        send_text(c, chunk);
                }
                send_text(c, "0\r\n\r\n");
                return;
        } else if (strcmp(path, "/loop") == 0) {
                snprintf(out, sizeof(out), "HTTP/1.1 302 Found\r\nLocation: /loop\r\n"
                                           "Content-Length: 0\r\n\r\n");
        } else if (strcmp(path, "/loop-a") == 0) {
                snprintf(out, sizeof(out), "HTTP/1.1 302 Found\r\nLocation: /loop-b\r\n"
                                           "Content-Length: 0\r\n\r\n");
        } else if (strcmp(path, "/loop-b") == 0) {
                snprintf(out, sizeof(out), "HTTP/1.1 302 Found\r\nLocation: /loop-a\r\n"
                                           "Content-Length: 0\r\n\r\n");
        } else if (strncmp(path, "/to-localhost/", 14) == 0) {
                /* A page that sends the crawler to another name of an internal address. */
                snprintf(out, sizeof(out), "HTTP/1.1 302 Found\r\nLocation: http://localhost:%s/ok"
                                           "\r\nContent-Length: 0\r\n\r\n", path + 14);
        } else if (strcmp(path, "/redirect") == 0) {
                snprintf(out, sizeof(out), "HTTP/1.1 301 Moved\r\nLocation: /ok\r\n"
                                           "Content-Length: 0\r\n\r\n");
        } else if (strcmp(path, "/nohead") == 0) {
                if (strcmp(method, "HEAD") == 0)
                        snprintf(out, sizeof(out), "HTTP/1.1 405 Method Not Allowed\r\n"
                                                   "Content-Length: 0\r\n\r\n");
                else
                        snprintf(out, sizeof(out),
                                 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        } else {
                snprintf(out, sizeof(out), "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
        send_text(c, out);
}

static void alloc_cb(uv_handle_t *h, size_t size, uv_buf_t *b)
{
        static char storage[65536];
        *b = uv_buf_init(storage, sizeof(storage));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
        struct conn *c = s->data;

        if (n < 0) {
                uv_close((uv_handle_t *)s, conn_closed);
                return;
        }
        buf_append(&c->req, b->base, (size_t)n);
        /* Keep-alive: answer each complete request head in turn. */
        char *end;
        while (c->req.data && (end = strstr(c->req.data, "\r\n\r\n"))) {
                char method[8] = "", path[256] = "";
                sscanf(c->req.data, "%7s %255s", method, path);
                *end = '\0';
                c->server->requests++;
                snprintf(c->server->last_method, sizeof(c->server->last_method), "%s", method);
                respond(c, method, path, c->req.data);
                size_t used = (size_t)(end + 4 - c->req.data);
                memmove(c->req.data, end + 4, c->req.len - used + 1);
                c->req.len -= used;
        }
}

static void on_connection(uv_stream_t *listener, int status)
{
        struct server *srv = listener->data;
        struct conn *c = calloc(1, sizeof(*c));

        c->server = srv;
        buf_init(&c->req, 1 << 20);
        uv_tcp_init(listener->loop, &c->tcp);
        c->tcp.data = c;
        if (uv_accept(listener, (uv_stream_t *)&c->tcp) == 0)
                uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
        else
                uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void server_start(uv_loop_t *loop, struct server *srv)
{
        struct sockaddr_in addr;
        struct sockaddr_storage bound;
        int len = sizeof(bound);

        uv_ip4_addr("127.0.0.1", 0, &addr);
        assert_int_equal(uv_tcp_init(loop, &srv->tcp), 0);
        srv->tcp.data = srv;
        assert_int_equal(uv_tcp_bind(&srv->tcp, (struct sockaddr *)&addr, 0), 0);
        assert_int_equal(uv_listen((uv_stream_t *)&srv->tcp, 64, on_connection), 0);
        uv_tcp_getsockname(&srv->tcp, (struct sockaddr *)&bound, &len);
        srv->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

static void close_walk(uv_handle_t *h, void *arg)
{
        if (!uv_is_closing(h))
                uv_close(h, h->data && h->type == UV_TCP && h->data != arg ? conn_closed : NULL);
}

/* What one transfer reported, copied out of the callback. */
struct result {
        bool done;
        long status;
        enum http_failure failure;
        char body[256];
        size_t body_len;
        bool truncated;
        char etag[64];
        char retry_after[16];
        char final_url[256];
        long redirects;
        bool redirect_loop;
        char blocked[64];
        char error[512];
        size_t wire_bytes;
};

static int pending;

static void on_done(const struct http_response *r, void *userdata)
{
        struct result *res = userdata;

        res->done = true;
        res->status = r->status;
        res->failure = r->failure;
        res->body_len = r->body_len;
        res->truncated = r->truncated;
        res->redirects = r->redirects;
        snprintf(res->body, sizeof(res->body), "%s", r->body);
        snprintf(res->etag, sizeof(res->etag), "%s", r->etag ? r->etag : "");
        snprintf(res->retry_after, sizeof(res->retry_after), "%s",
                 r->retry_after ? r->retry_after : "");
        snprintf(res->final_url, sizeof(res->final_url), "%s", r->final_url);
        res->redirect_loop = r->redirect_loop;
        snprintf(res->blocked, sizeof(res->blocked), "%s",
                 r->blocked_address ? r->blocked_address : "");
        snprintf(res->error, sizeof(res->error), "%s", r->error ? r->error : "");
        res->wire_bytes = r->wire_bytes;
        if (--pending == 0)
                uv_stop(uv_default_loop());
}

struct fixture {
        uv_loop_t *loop;
        struct server srv;
        struct http_engine *http;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        /* The test server is on loopback: allowed by name, so that "localhost" (the same
         * address, another name) shows the refusal. */
        static const char *const allowed[] = {"127.0.0.1", "127.0.0.2"};
        struct http_options o = {
                .connect_timeout_ms = 2000,
                .timeout_ms = 1500,
                .max_body = 4096,
                .max_redirects = 5,
                .max_connections = 8,
                .max_host_connections = 4,
                .user_agent = "xunjian-test",
                .internal_hosts = allowed,
                .n_internal_hosts = 2,
        };

        f->loop = uv_default_loop();
        server_start(f->loop, &f->srv);
        assert_int_equal(http_engine_new(f->loop, &o, &f->http), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        http_engine_free(f->http);
        uv_walk(f->loop, close_walk, &f->srv);
        uv_run(f->loop, UV_RUN_DEFAULT);
        /* Every handle the engine opened must be closed: libuv's leak check. */
        assert_int_equal(uv_loop_close(f->loop), 0);
        free(f);
        return 0;
}

static void fetch(struct fixture *f, const char *path, enum http_method m, const char *inm,
                  struct result *res)
{
        char url[128];

        snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->srv.port, path);
        struct http_request req = {
                .url = url,
                .method = m,
                .if_none_match = inm,
                .done = on_done,
                .userdata = res,
        };
        pending++;
        assert_int_equal(http_fetch(f->http, &req), 0);
}

static void run(struct fixture *f)
{
        while (pending > 0)
                uv_run(f->loop, UV_RUN_DEFAULT);
}

static void test_ok_and_errors(void **state)
{
        struct fixture *f = *state;
        struct result ok = {0}, missing = {0}, error = {0}, redirect = {0};

        fetch(f, "/ok", HTTP_GET, NULL, &ok);
        fetch(f, "/missing", HTTP_GET, NULL, &missing);
        fetch(f, "/error", HTTP_GET, NULL, &error);
        fetch(f, "/redirect", HTTP_GET, NULL, &redirect);
        assert_int_equal(http_in_flight(f->http), 4);
        run(f);

        assert_int_equal(ok.status, 200);
        assert_int_equal(ok.failure, HTTP_OK);
        /* Headers and body as received. */
        assert_true(ok.wire_bytes > ok.body_len + 100);
        assert_non_null(strstr(ok.body, "你好"));
        assert_string_equal(ok.etag, "\"v1\"");
        assert_int_equal(missing.status, 404);
        assert_int_equal(missing.failure, HTTP_OK);
        assert_int_equal(error.status, 503);
        assert_string_equal(error.retry_after, "7");
        assert_int_equal(redirect.status, 200);
        assert_int_equal(redirect.redirects, 1);
        assert_non_null(strstr(redirect.final_url, "/ok"));
        assert_int_equal(http_in_flight(f->http), 0);
}

static void test_timeout(void **state)
{
        struct fixture *f = *state;
        struct result hang = {0};
        uint64_t start = uv_now(f->loop);

        fetch(f, "/hang", HTTP_GET, NULL, &hang);
        run(f);
        uv_update_time(f->loop);
        assert_int_equal(hang.failure, HTTP_FAIL_TIMEOUT);
        assert_int_equal(hang.status, 0);
        /* The engine's timeout is 1.5 s; it must neither fire early nor hang on. */
        assert_true(uv_now(f->loop) - start >= 1400);
        assert_true(uv_now(f->loop) - start < 5000);
}

static void test_size_caps(void **state)
{
        struct fixture *f = *state;
        struct result huge = {0}, chunked = {0};

        fetch(f, "/huge", HTTP_GET, NULL, &huge);
        fetch(f, "/chunked-big", HTTP_GET, NULL, &chunked);
        run(f);
        assert_int_equal(huge.failure, HTTP_FAIL_TOO_LARGE);
        assert_true(huge.body_len <= 4096);
        assert_int_equal(chunked.failure, HTTP_FAIL_TOO_LARGE);
        assert_true(chunked.truncated);
        assert_int_equal(chunked.body_len, 4096);
        assert_int_equal(chunked.status, 200);
}

static void test_redirect_loop(void **state)
{
        struct fixture *f = *state;
        struct result loop = {0};

        struct result ab = {0};

        fetch(f, "/loop", HTTP_GET, NULL, &loop);
        fetch(f, "/loop-a", HTTP_GET, NULL, &ab);
        run(f);
        assert_int_equal(loop.failure, HTTP_FAIL_REDIRECTS);
        assert_true(loop.redirect_loop);
        /* A → B → A is seen as a loop at once, not after max_redirects hops. */
        assert_int_equal(ab.failure, HTTP_FAIL_REDIRECTS);
        assert_true(ab.redirect_loop);
        assert_non_null(strstr(ab.error, "重定向循环"));
        assert_non_null(strstr(ab.error, "/loop-b"));
        assert_true(ab.redirects <= 2);
}

static void fetch_url(struct fixture *f, const char *url, struct result *res)
{
        struct http_request req = {.url = url, .done = on_done, .userdata = res};
        pending++;
        assert_int_equal(http_fetch(f->http, &req), 0);
}

/* After DNS resolution, internal addresses are refused unless the host is allowed by
 * name: "localhost" is 127.0.0.1 under another name, 169.254.169.254 is where cloud
 * metadata answers, and a redirect from an allowed host does not get around it. */
static void test_internal_addresses(void **state)
{
        struct fixture *f = *state;
        struct result local = {0}, metadata = {0}, redirected = {0}, mapped = {0};
        char url[128];

        snprintf(url, sizeof(url), "http://localhost:%d/ok", f->srv.port);
        fetch_url(f, url, &local);
        fetch_url(f, "http://169.254.169.254/latest/meta-data/", &metadata);
        fetch_url(f, "http://[::ffff:10.0.0.1]/", &mapped);
        snprintf(url, sizeof(url), "/to-localhost/%d", f->srv.port);
        fetch(f, url, HTTP_GET, NULL, &redirected);
        run(f);
        assert_int_equal(local.failure, HTTP_FAIL_BLOCKED);
        assert_true(streq(local.blocked, "127.0.0.1") || streq(local.blocked, "::1"));
        assert_non_null(strstr(local.error, "内网"));
        assert_int_equal(metadata.failure, HTTP_FAIL_BLOCKED);
        assert_string_equal(metadata.blocked, "169.254.169.254");
        assert_int_equal(mapped.failure, HTTP_FAIL_BLOCKED);
        assert_int_equal(redirected.failure, HTTP_FAIL_BLOCKED);
}

static void test_head_and_conditional(void **state)
{
        struct fixture *f = *state;
        struct result head = {0}, nohead = {0}, cond = {0};

        fetch(f, "/ok", HTTP_HEAD, NULL, &head);
        run(f);
        assert_string_equal(f->srv.last_method, "HEAD");
        assert_int_equal(head.status, 200);
        assert_int_equal(head.body_len, 0);

        fetch(f, "/nohead", HTTP_HEAD, NULL, &nohead);
        fetch(f, "/etag", HTTP_GET, "\"v1\"", &cond);
        run(f);
        assert_int_equal(nohead.status, 405);
        assert_int_equal(cond.status, 304);
        assert_int_equal(cond.body_len, 0);
}

static void test_connection_refused(void **state)
{
        struct fixture *f = *state;
        struct result refused = {0};
        struct http_request req = {
                /* 127.0.0.2 is loopback too, and nothing listens there. */
                .url = "http://127.0.0.2:9/",
                .done = on_done,
                .userdata = &refused,
        };

        pending++;
        assert_int_equal(http_fetch(f->http, &req), 0);
        run(f);
        assert_int_equal(refused.failure, HTTP_FAIL_CONNECT);
}

static void test_refuses_bad_requests(void **state)
{
        struct fixture *f = *state;
        struct http_request req = {.url = NULL, .done = on_done};

        assert_int_equal(http_fetch(f->http, &req), -EINVAL);
}

static void unexpected_done(const struct http_response *r, void *userdata)
{
        fail_msg("a cancelled transfer was reported");
}

/* Freeing the engine with transfers in flight cancels them without calling back, and
 * closes every handle (teardown's uv_loop_close() checks). */
static void test_free_in_flight(void **state)
{
        struct fixture *f = *state;
        char url[128];

        snprintf(url, sizeof(url), "http://127.0.0.1:%d/hang", f->srv.port);
        for (int i = 0; i < 3; i++)
                assert_int_equal(http_fetch(f->http, &(struct http_request){
                                                             .url = url,
                                                             .done = unexpected_done,
                                                     }),
                                 0);
        /* Let the connections open and the requests go out. */
        for (int i = 0; i < 20; i++)
                uv_run(f->loop, UV_RUN_NOWAIT);
        http_engine_free(f->http);
        f->http = NULL;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_ok_and_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(test_size_caps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_redirect_loop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_internal_addresses, setup, teardown),
                cmocka_unit_test_setup_teardown(test_head_and_conditional, setup, teardown),
                cmocka_unit_test_setup_teardown(test_connection_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refuses_bad_requests, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_in_flight, setup, teardown),
        };

        if (http_global_init() < 0)
                return 1;
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        http_global_cleanup();
        return r;
}
