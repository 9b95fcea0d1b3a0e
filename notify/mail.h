/* The nightly email: rendering one message (RFC 5322 headers with RFC 2047 encoded words
 * for Chinese, a multipart/mixed body holding multipart/alternative text and HTML and a CSV
 * attachment), sending it over SMTP with libcurl, and the nightly run that decides what each
 * unit and the supervising office get (mail_nightly.c).
 *
 * Every header value is checked before it is written: a CR, LF or other control character
 * in a name, subject or address is refused (-EINVAL), never folded or stripped, so that
 * nothing taken from rules.d or the database can add a header of its own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "notify/html.h"
#include "rules/config.h"
#include "store/store.h"

struct notify_mailbox {
        const char *name;       /* display name (UTF-8), or NULL */
        const char *address;    /* "local@domain" */
};

struct notify_mail_msg {
        struct notify_mailbox from;
        const struct notify_mailbox *to;
        size_t n_to;
        const struct notify_mailbox *cc;
        size_t n_cc;
        const char *subject;            /* UTF-8 */
        int64_t date;                   /* Unix time, written in +0800 */
        const char *message_id;         /* "<...@...>" */
        const char *text;               /* text/plain body, UTF-8 */
        const char *html;               /* text/html body, UTF-8 (already escaped) */
        const char *attachment_name;    /* UTF-8 file name of the CSV, or NULL for none */
        const char *attachment;
        size_t attachment_len;
};

/* True for an address that can go into an SMTP command and a header unquoted: printable
 * ASCII, one "@", a dot in the domain, none of the characters with a meaning there. */
bool notify_mail_address_valid(const char *address);

/* Appends "Name: value" and CRLF to b: value as it is when it is short printable ASCII,
 * otherwise as RFC 2047 "=?UTF-8?B?...?=" words of at most 75 characters, split at
 * character boundaries, one per folded line. -EINVAL when value is not valid UTF-8 or holds
 * a control character (CR, LF...), -ENOBUFS when b's cap is reached. */
int notify_mail_header(struct buf *b, const char *name, const char *value);

/* Appends one mailbox ("=?UTF-8?B?...?= <a@b>", or the bare address) to b; -EINVAL for an
 * invalid address or a display name with a control character. */
int notify_mail_mailbox(struct buf *b, const struct notify_mailbox *mb);

/* Renders the whole message into out (CRLF line ends). On failure *ret_error (the caller
 * frees it) says which value was refused. */
int notify_mail_render(const struct notify_mail_msg *m, struct buf *out, char **ret_error);

/* A new "<xunjian.TAG.RANDOM@DOMAIN>", DOMAIN taken from the sender's address. The caller
 * frees it. */
char *notify_mail_message_id(const char *from_address, const char *tag);

/* The SMTP password: from mail->password_file (its first line) or the environment
 * variable mail->password_env. *ret is NULL when no user is configured. -ENOENT (with
 * *ret_error) when the file or variable is missing or empty. */
int notify_mail_password(const struct rule_mail *mail, char **ret, char **ret_error);

/* The two moments of a send that decide whether a message may be sent again, for the
 * caller to record (both may be NULL; userdata is theirs). */
struct notify_mail_hooks {
        /* Just before the last bytes of the message go to the server. Until then the server
         * cannot have accepted it; from then on it may have, whatever happens to us. A
         * negative return aborts the transfer (nothing is accepted) and is returned. */
        int (*committing)(void *userdata);
        /* As soon as the server has answered 250 to the data, before the connection is
         * closed (QUIT costs a round trip we need not wait for). A negative return is
         * returned; the message has been accepted all the same. */
        int (*accepted)(void *userdata);
        void *userdata;
};

/* Sends one message to the envelope recipients with libcurl's easy interface (blocking;
 * one message at a time is all a nightly run needs). Returns 0 when the server accepted
 * it, -EAGAIN for a temporary failure (a 4xx answer, a refused or lost connection, a
 * timeout: try again later), -EINPROGRESS when the whole message went out and no answer
 * came back (the connection broke or timed out after the end of the data: the server may
 * have accepted it, so it must not be sent again), another negative errno for a permanent
 * failure (a 5xx answer, STARTTLS or login refused, a certificate not trusted);
 * *ret_error (the caller frees it) then has the server's answer or curl's message. hooks
 * may be NULL. */
int notify_mail_send(const struct rule_mail *mail, const char *password, const char *const *rcpt,
                     size_t n_rcpt, const char *message, size_t len,
                     const struct notify_mail_hooks *hooks, char **ret_error);

/* The nightly run (mail_nightly.c). */
struct notify_mail_options {
        const char *dry_run_dir;        /* write DIR/<day>-<unit>.eml instead of sending */
        const char *unit;               /* only this unit (id or name), or NULL for all */
};

/* One line of the run's report, for the command line. */
struct notify_mail_outcome {
        char *unit;
        char *kind;             /* "unit" or "summary" */
        enum mail_state state;  /* sent, failed-*, or pending when only written (dry run) */
        bool skipped;           /* already sent today, or nothing to report */
        char *detail;           /* recipients, the file written, or the error */
};

struct notify_mail_report {
        struct notify_mail_outcome *items;
        size_t n;
        int sent, temporary, permanent, written, skipped;
        int in_doubt;           /* sent to the server this run, its answer lost */
};
void notify_mail_report_free(struct notify_mail_report *r);

/* Sends each unit its mail of the day (new tickets, open tickets by deadline, what was
 * fixed since its last mail) and the supervising office the summary of all units, recording
 * each in the store so that a rerun the same day sends nothing twice and a temporary
 * failure is retried by the next run. With a dry run, the same messages are written to
 * files and the store is left as it was (the caller runs it inside a transaction it rolls
 * back). Returns 0 when every message went out (or was written), -EAGAIN when some
 * failed temporarily, -EIO when some failed permanently or went out without an answer
 * (in-doubt: never sent again), another negative errno when the store failed (*ret_error
 * then says how). */
int notify_mail_run(struct store *s, const struct rule_config *config, int64_t now,
                    const struct notify_mail_options *o, struct notify_mail_report *report,
                    char **ret_error);
