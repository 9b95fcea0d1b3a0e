/* rules.d "tickets" and "mail": how the 三单 chain numbers and times its tickets, and how
 * the nightly email is sent. Both are merged leaf by leaf like settings (a local file may
 * set only mail.host), and every leaf is required somewhere: the program has no built-in
 * numbers and no built-in mail server. */
#include <stdio.h>
#include <string.h>

#include "rules/config_internal.h"

enum leaf_kind {
        L_INT,
        L_SECONDS,      /* written in seconds, kept in a long of milliseconds */
        L_LINE,         /* one line of printable text */
        L_OPT_LINE,     /* the same, or null for "not used" */
        L_HOST,
        L_EMAIL,
        L_CHOICE,       /* one of choices[], kept as its index in an enum */
        L_TIME,         /* "HH:MM", kept in two ints */
        L_UNIT,         /* a unit's id or name, resolved once every file is read */
        L_NUMBER_FORMAT,
};

enum leaf_section {
        SEC_TICKETS,
        SEC_MAIL,
        N_LEAF_SECTIONS,
};

static const char *const leaf_section_names[N_LEAF_SECTIONS] = {"tickets", "mail"};

struct leaf {
        enum leaf_section section;
        const char *key;
        enum leaf_kind kind;
        size_t offset;          /* in struct rule_config */
        long min, max;
        const char *const *choices;
};

static const char *const day_types[] = {"calendar", "working", NULL};
static const char *const starttls_modes[] = {"required", "none", NULL};

#define C_OFF(field) offsetof(struct rule_config, field)

/* The bounds only keep values sane; the defaults live in rules.d/00-national.yaml. */
static const struct leaf leaves[] = {
        {SEC_TICKETS, "number_prefix", L_LINE, C_OFF(tickets.number_prefix), 0, 0, NULL},
        {SEC_TICKETS, "number_format", L_NUMBER_FORMAT, C_OFF(tickets.number_format), 0, 0, NULL},
        {SEC_TICKETS, "number_digits", L_INT, C_OFF(tickets.number_digits), 1, 9, NULL},
        {SEC_TICKETS, "handling_days", L_INT, C_OFF(tickets.handling_days), 1, 365, NULL},
        {SEC_TICKETS, "day_type", L_CHOICE, C_OFF(tickets.day_type), 0, 0, day_types},
        {SEC_TICKETS, "reminder_lead_days", L_INT, C_OFF(tickets.reminder_lead_days), 0, 365, NULL},
        {SEC_TICKETS, "urging_interval_days", L_INT, C_OFF(tickets.urging_interval_days), 1, 365,
         NULL},
        {SEC_TICKETS, "supervisor", L_UNIT, C_OFF(tickets.supervisor), 0, 0, NULL},
        {SEC_MAIL, "host", L_HOST, C_OFF(mail.host), 0, 0, NULL},
        {SEC_MAIL, "port", L_INT, C_OFF(mail.port), 1, 65535, NULL},
        {SEC_MAIL, "starttls", L_CHOICE, C_OFF(mail.starttls), 0, 0, starttls_modes},
        {SEC_MAIL, "ca_file", L_OPT_LINE, C_OFF(mail.ca_file), 0, 0, NULL},
        {SEC_MAIL, "user", L_OPT_LINE, C_OFF(mail.user), 0, 0, NULL},
        {SEC_MAIL, "password_file", L_OPT_LINE, C_OFF(mail.password_file), 0, 0, NULL},
        {SEC_MAIL, "password_env", L_OPT_LINE, C_OFF(mail.password_env), 0, 0, NULL},
        {SEC_MAIL, "from_address", L_EMAIL, C_OFF(mail.from_address), 0, 0, NULL},
        {SEC_MAIL, "from_name", L_LINE, C_OFF(mail.from_name), 0, 0, NULL},
        {SEC_MAIL, "send_time", L_TIME, C_OFF(mail.send_hour), 0, 0, NULL},
        {SEC_MAIL, "timeout_s", L_SECONDS, C_OFF(mail.timeout_ms), 1, 3600, NULL},
        {SEC_MAIL, "max_attempts", L_INT, C_OFF(mail.max_attempts), 1, 100, NULL},
        {SEC_MAIL, "max_rows", L_INT, C_OFF(mail.max_rows), 1, 100000, NULL},
};

#define N_LEAVES ARRAY_SIZE(leaves)

/* What the two sections remember between files: where each leaf and section was written,
 * and the supervisor reference until units are known. */
struct notify_scratch {
        bool set[N_LEAVES];
        struct pos at[N_LEAVES];
        bool section_seen[N_LEAF_SECTIONS];
        struct pos section_at[N_LEAF_SECTIONS];
        char *supervisor_ref;
};

static struct notify_scratch *scratch(struct loader *l)
{
        void **p = cfg_notify_scratch(l);

        if (!*p)
                *p = xcalloc(1, sizeof(struct notify_scratch));
        return *p;
}

void cfg_notify_finish(struct loader *l)
{
        struct notify_scratch *sc = *cfg_notify_scratch(l);

        if (!sc)
                return;
        free(sc->supervisor_ref);
        free(sc);
        *cfg_notify_scratch(l) = NULL;
}

static bool one_line(const char *s)
{
        for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                if (*c < 0x20 || *c == 0x7f)
                        return false;
        return true;
}

/* A host name or an address literal: what can follow "smtp://" without changing the URL's
 * meaning. */
static bool host_valid(const char *s)
{
        if (!*s || strlen(s) > 253)
                return false;
        if (s[0] == '[')
                return str_endswith(s, "]") && strspn(s + 1, "0123456789abcdefABCDEF:.") ==
                                                       strlen(s) - 2;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
               strlen(s);
}

/* The number must hold the year, the kind and the sequence, or two tickets could get the
 * same number; only the four placeholders are known. */
static bool number_format_valid(struct loader *l, const char *path, const struct ynode *n,
                                const char *fmt)
{
        static const char *const names[] = {"{prefix}", "{year}", "{kind}", "{seq}"};
        int count[ARRAY_SIZE(names)] = {0};

        for (const char *p = fmt; *p; p++) {
                size_t i;

                if (*p != '{')
                        continue;
                for (i = 0; i < ARRAY_SIZE(names); i++)
                        if (str_startswith(p, names[i]))
                                break;
                if (i == ARRAY_SIZE(names)) {
                        cfg_report(l, n->pos,
                                   "%s: unknown placeholder at \"%.12s\" (known: {prefix}, "
                                   "{year}, {kind}, {seq})",
                                   path, p);
                        return false;
                }
                count[i]++;
        }
        for (size_t i = 1; i < ARRAY_SIZE(names); i++)
                if (count[i] != 1) {
                        cfg_report(l, n->pos,
                                   "%s: must contain %s exactly once, so that every ticket "
                                   "gets its own number (got \"%s\")",
                                   path, names[i], fmt);
                        return false;
                }
        return true;
}

static void leaf_store(struct loader *l, size_t i, const struct ynode *val, const char *path)
{
        const struct leaf *d = &leaves[i];
        struct notify_scratch *sc = scratch(l);
        char *base = (char *)cfg_config(l);
        char *s = NULL;
        long v;

        switch (d->kind) {
        case L_INT:
                if (!cfg_get_long(l, path, val, d->min, d->max, &v))
                        return;
                *(int *)(base + d->offset) = (int)v;
                break;
        case L_SECONDS:
                if (!cfg_get_long(l, path, val, d->min, d->max, &v))
                        return;
                *(long *)(base + d->offset) = v * 1000;
                break;
        case L_OPT_LINE:
                if (cfg_ynode_is_null(val)) {
                        str_replace((char **)(base + d->offset), NULL);
                        break;
                }
                /* fall through */
        case L_LINE:
        case L_HOST:
        case L_EMAIL:
        case L_NUMBER_FORMAT:
                if (!cfg_get_string(l, path, val, false, &s))
                        return;
                if (!one_line(s)) {
                        /* Most of these go into mail headers: a line break would let the
                         * value forge headers of its own. */
                        cfg_report(l, val->pos, "%s: must be one line of printable text", path);
                        goto fail;
                }
                if (d->kind == L_HOST && !host_valid(s)) {
                        cfg_report(l, val->pos, "%s: '%s' is not a host name or an address", path,
                                   s);
                        goto fail;
                }
                if (d->kind == L_EMAIL && !cfg_email_plausible(s)) {
                        cfg_report(l, val->pos, "%s: '%s' is not an email address", path, s);
                        goto fail;
                }
                if (d->kind == L_NUMBER_FORMAT && !number_format_valid(l, path, val, s))
                        goto fail;
                str_replace((char **)(base + d->offset), NULL);
                *(char **)(base + d->offset) = s;
                break;
        case L_CHOICE: {
                size_t k;

                if (!cfg_get_string(l, path, val, false, &s))
                        return;
                for (k = 0; d->choices[k]; k++)
                        if (streq(s, d->choices[k]))
                                break;
                if (!d->choices[k]) {
                        _cleanup_free_ char *allowed = xstrdup(d->choices[0]);
                        for (size_t j = 1; d->choices[j]; j++) {
                                char *more = xasprintf("%s or %s", allowed, d->choices[j]);
                                free(allowed);
                                allowed = more;
                        }
                        cfg_report(l, val->pos, "%s: must be %s (got '%s')", path, allowed, s);
                        goto fail;
                }
                *(int *)(base + d->offset) = (int)k;
                free(s);
                break;
        }
        case L_TIME: {
                int h, m;

                if (!cfg_get_time(l, path, val, &h, &m))
                        return;
                /* send_hour is followed by send_minute in struct rule_mail. */
                ((int *)(base + d->offset))[0] = h;
                ((int *)(base + d->offset))[1] = m;
                break;
        }
        case L_UNIT:
                if (!cfg_get_string(l, path, val, false, &s))
                        return;
                str_replace(&sc->supervisor_ref, NULL);
                sc->supervisor_ref = s;
                break;
        }
        sc->set[i] = true;
        sc->at[i] = val->pos;
        return;
fail:
        free(s);
}

static void load_leaves(struct loader *l, enum leaf_section sec, const struct ynode *key,
                        const struct ynode *val)
{
        struct notify_scratch *sc = scratch(l);
        const char *name = leaf_section_names[sec];
        struct field f[N_LEAVES];
        size_t n = 0, idx[N_LEAVES];

        if (!sc->section_seen[sec]) {
                sc->section_seen[sec] = true;
                sc->section_at[sec] = key->pos;
        }
        if (cfg_ynode_is_null(val) || !cfg_expect_map(l, name, val))
                return;
        for (size_t i = 0; i < N_LEAVES; i++)
                if (leaves[i].section == sec) {
                        idx[n] = i;
                        f[n++] = (struct field){.name = leaves[i].key};
                }
        cfg_match_fields(l, val, name, f, n);
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *path = NULL;

                if (!f[k].key)
                        continue;
                path = xasprintf("%s.%s", name, f[k].name);
                leaf_store(l, idx[k], f[k].val, path);
        }
}

void cfg_load_tickets(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        load_leaves(l, SEC_TICKETS, key, val);
}

void cfg_load_mail(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        load_leaves(l, SEC_MAIL, key, val);
}

static size_t leaf_index(const char *section, const char *key)
{
        for (size_t i = 0; i < N_LEAVES; i++)
                if (streq(leaf_section_names[leaves[i].section], section) &&
                    streq(leaves[i].key, key))
                        return i;
        abort();
}

/* Runs once every file is read: required leaves, the supervisor, and the rules that tie
 * leaves together. */
void cfg_build_notify(struct loader *l)
{
        struct notify_scratch *sc = scratch(l);
        struct rule_config *c = cfg_config(l);
        struct pos first = {c->files.n ? c->files.items[0] : "rules.d", 1, 1};
        bool missing = false;

        for (int sec = 0; sec < N_LEAF_SECTIONS; sec++) {
                if (!sc->section_seen[sec]) {
                        cfg_report(l, first,
                                   "%s is required (see docs/rules.md), and no file of the "
                                   "rules directory sets it",
                                   leaf_section_names[sec]);
                        missing = true;
                        continue;
                }
                for (size_t i = 0; i < N_LEAVES; i++)
                        if (leaves[i].section == (enum leaf_section)sec && !sc->set[i]) {
                                cfg_report(l, sc->section_at[sec],
                                           "%s.%s is required, and no file of the rules "
                                           "directory sets it",
                                           leaf_section_names[sec], leaves[i].key);
                                missing = true;
                        }
        }
        if (missing)
                return;

        c->tickets.supervisor = rule_config_unit(c, sc->supervisor_ref);
        if (!c->tickets.supervisor)
                cfg_report(l, sc->at[leaf_index("tickets", "supervisor")],
                           "tickets.supervisor: unknown unit '%s' (neither the id nor the name "
                           "of an entry under units)",
                           sc->supervisor_ref);
        if (c->tickets.reminder_lead_days >= c->tickets.handling_days)
                cfg_report(l, sc->at[leaf_index("tickets", "reminder_lead_days")],
                           "tickets.reminder_lead_days (%d) must be less than "
                           "tickets.handling_days (%d)",
                           c->tickets.reminder_lead_days, c->tickets.handling_days);

        if (c->mail.password_file && c->mail.password_env)
                cfg_report(l, sc->at[leaf_index("mail", "password_env")],
                           "mail: set password_file or password_env, not both");
        if (c->mail.user && !c->mail.password_file && !c->mail.password_env)
                cfg_report(l, sc->at[leaf_index("mail", "user")],
                           "mail.user: a user needs password_file or password_env (the "
                           "password itself never goes into rules.d)");
        if (!c->mail.user && (c->mail.password_file || c->mail.password_env))
                cfg_report(l, sc->at[leaf_index("mail", c->mail.password_file ? "password_file"
                                                                               : "password_env")],
                           "mail: a password needs mail.user");
        if (c->mail.user && c->mail.starttls == STARTTLS_NONE)
                cfg_report(l, sc->at[leaf_index("mail", "starttls")],
                           "mail.starttls: a password is never sent unencrypted; set starttls: "
                           "required when mail.user is set");
}

void cfg_release_notify(struct rule_config *c)
{
        free(c->tickets.number_prefix);
        free(c->tickets.number_format);
        free(c->mail.host);
        free(c->mail.ca_file);
        free(c->mail.user);
        free(c->mail.password_file);
        free(c->mail.password_env);
        free(c->mail.from_address);
        free(c->mail.from_name);
}
