/* The HTTP engine: one libuv loop drives libcurl's multi interface through its socket API
 * (CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION), one uv_poll_t per socket and one
 * uv_timer_t for curl's timeouts. Everything runs on the loop thread; a finished transfer
 * is reported through its done callback from the loop, never from inside a curl callback.
 *
 * Lifetime: http_engine_new() creates the engine on a loop the caller owns;
 * http_engine_free() cancels what is in flight (their done callbacks are NOT called) and
 * closes the libuv handles; the memory is released in the close callbacks, so the caller
 * runs the loop once more (uv_run) before uv_loop_close(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct http_engine;

struct http_options {
        long connect_timeout_ms;
        long timeout_ms;                /* whole transfer, slow bodies included */
        size_t max_body;                /* bytes kept of a body (after content decoding) */
        long max_redirects;
        long max_connections;           /* in flight across all hosts */
        long max_host_connections;      /* in flight per host */
        const char *user_agent;         /* copied */
        bool insecure;                  /* skip TLS verification (tests only) */
        /* Host names (as in the URL, e.g. "127.0.0.1", "oa.example.gov.cn") allowed to
         * resolve to loopback, private, link-local or metadata addresses; every other
         * connection to such an address is refused after DNS resolution, so that a page
         * on the internet cannot make the crawler probe the internal network. Copied. */
        const char *const *internal_hosts;
        size_t n_internal_hosts;
};

enum http_method {
        HTTP_GET = 0,
        HTTP_HEAD = 1,
};

/* Why a transfer produced no usable HTTP answer. */
enum http_failure {
        HTTP_OK = 0,            /* an HTTP status was received (which may be 404 or 500) */
        HTTP_FAIL_DNS,
        HTTP_FAIL_CONNECT,      /* refused, unreachable */
        HTTP_FAIL_TIMEOUT,
        HTTP_FAIL_TLS,
        HTTP_FAIL_REDIRECTS,    /* too many redirects, or a loop */
        HTTP_FAIL_TOO_LARGE,    /* body over max_body (the status is still set) */
        HTTP_FAIL_NETWORK,      /* reset, empty reply, truncated or malformed response */
        HTTP_FAIL_OTHER,
        HTTP_FAIL_BLOCKED,      /* the address is internal and the host not allowed */
};
const char *http_failure_id(enum http_failure f);      /* "dns", "connect", "timeout", ... */

struct http_response {
        const char *url;                /* as requested */
        const char *final_url;          /* after redirects */
        enum http_method method;
        long status;                    /* 0 when no response was received */
        enum http_failure failure;
        const char *error;              /* curl's message, or NULL on HTTP_OK */
        const char *content_type;       /* may be NULL */
        const char *etag, *last_modified, *retry_after;  /* response headers, may be NULL */
        const char *body;               /* NUL-terminated; "" for HEAD or empty */
        size_t body_len;
        bool truncated;                 /* body cut at max_body */
        long redirects;
        bool redirect_loop;             /* HTTP_FAIL_REDIRECTS because a URL came back */
        const char *blocked_address;    /* HTTP_FAIL_BLOCKED: the address refused */
        /* HTTP_FAIL_TLS: OpenSSL's verification result (X509_V_ERR_*, e.g. 10 expired,
         * 18 self-signed), 0 when the failure was not the certificate chain (a host name
         * mismatch, a handshake error). */
        long tls_verify_result;
        size_t wire_bytes;              /* headers and body as received, all redirects */
        double seconds;
};

/* Called on the loop thread when a transfer ends; resp and everything it points to is
 * valid only during the call. The callback may start new fetches. */
typedef void (*http_done_fn)(const struct http_response *resp, void *userdata);

struct http_request {
        const char *url;                /* absolute; copied */
        enum http_method method;
        size_t max_body;                /* 0: the engine's max_body */
        const char *if_none_match;      /* conditional GET, copied; may be NULL */
        const char *if_modified_since;
        bool insecure;                  /* this request skips TLS verification */
        http_done_fn done;
        void *userdata;
};

/* Creates an engine on loop. o is copied. Returns 0, or -ENOMEM/-EIO when curl could not
 * be initialised. */
int http_engine_new(uv_loop_t *loop, const struct http_options *o, struct http_engine **ret);
/* Starts a transfer. Returns 0, or -EINVAL for a bad request (the done callback is then
 * not called). */
int http_fetch(struct http_engine *e, const struct http_request *req);
/* Transfers started and not yet reported. */
size_t http_in_flight(const struct http_engine *e);
/* Cancels everything and starts closing; accepts NULL. See the lifetime note above. */
void http_engine_free(struct http_engine *e);

/* One-time process set-up and tear-down of libcurl (curl_global_init / cleanup). */
int http_global_init(void);
void http_global_cleanup(void);
