/* The store's schema as an ordered list of migrations. A step is never edited once released:
 * a change to the schema is a new step appended at the end, so that every database in the
 * field reaches the same shape by running the steps it has not seen yet. */
#include "store/schema.h"

#include "common/util.h"

/* Conventions, so that the database reads well in the sqlite3 shell: times are integer Unix
 * seconds (NULL when not applicable), enumerations are stored as their text ids from
 * common/finding.h ("open", "serious", "violation") and scan_state_id() ("running").
 * Enumerations are not CHECK-constrained on purpose: SQLite cannot alter a CHECK without
 * rebuilding the table, and store.c validates every value before it is written.
 *
 * PRAGMA foreign_keys cannot change inside a transaction and each step runs inside one, so a
 * future step that rebuilds a referenced table must keep the references valid by itself. */
static const char step_1_initial[] =
        /* owner_pid and owner_boot say which process runs a scan, so that opening the store
         * marks as interrupted only the scans whose process is gone. reconciled_at is set
         * once the scan's findings have been folded into violations. */
        "CREATE TABLE scans (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        site TEXT NOT NULL,\n"
        "        state TEXT NOT NULL,\n"
        "        started_at INTEGER NOT NULL,\n"
        "        finished_at INTEGER,\n"
        "        pages INTEGER NOT NULL DEFAULT 0,\n"
        "        checked INTEGER NOT NULL DEFAULT 0,\n"
        "        errors INTEGER NOT NULL DEFAULT 0,\n"
        "        bytes INTEGER NOT NULL DEFAULT 0,\n"
        "        findings INTEGER NOT NULL DEFAULT 0,\n"
        "        owner_pid INTEGER,\n"
        "        owner_boot TEXT,\n"
        "        reconciled_at INTEGER\n"
        ");\n"
        "CREATE INDEX scans_site ON scans (site, started_at);\n"
        "CREATE INDEX scans_running ON scans (state) WHERE state = 'running';\n"

        "CREATE TABLE pages (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,\n"
        "        url TEXT NOT NULL,\n"
        "        final_url TEXT,\n"
        "        kind TEXT,\n"
        "        column_name TEXT,\n"
        "        depth INTEGER NOT NULL DEFAULT 0,\n"
        "        status INTEGER NOT NULL DEFAULT 0,\n"
        "        error TEXT,\n"
        "        content_type TEXT,\n"
        "        charset TEXT,\n"
        "        bytes INTEGER NOT NULL DEFAULT 0,\n"
        "        fetched_at INTEGER,\n"
        "        seconds REAL,\n"
        "        attempts INTEGER NOT NULL DEFAULT 0,\n"
        "        parsed INTEGER NOT NULL DEFAULT 0,\n"
        "        title TEXT,\n"
        "        pubdate TEXT,\n"
        "        etag TEXT,\n"
        "        last_modified TEXT,\n"
        "        UNIQUE (scan_id, url)\n"
        ");\n"

        /* scan_id repeats the page's scan so that "which pages of this scan link to URL"
         * (the dead-link report) is one index lookup. */
        "CREATE TABLE links (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,\n"
        "        page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,\n"
        "        url TEXT NOT NULL,\n"
        "        kind TEXT,\n"
        "        text TEXT,\n"
        "        scope TEXT\n"
        ");\n"
        "CREATE INDEX links_page ON links (page_id);\n"
        "CREATE INDEX links_scan_url ON links (scan_id, url);\n"

        "CREATE TABLE findings (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,\n"
        "        site TEXT NOT NULL,\n"
        "        rule TEXT NOT NULL,\n"
        "        kind TEXT NOT NULL,\n"
        "        severity TEXT NOT NULL,\n"
        "        subject TEXT NOT NULL,\n"
        "        unit TEXT,\n"
        "        column_name TEXT,\n"
        "        url TEXT,\n"
        "        detail TEXT,\n"
        "        evidence TEXT,\n"
        "        UNIQUE (scan_id, rule, subject)\n"
        ");\n"

        /* The latest unit, column, url, detail, evidence, kind and severity are copied from
         * the last finding so that listing open problems needs no join. The scan references
         * become NULL rather than blocking if old scans are ever pruned. */
        "CREATE TABLE violations (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        site TEXT NOT NULL,\n"
        "        rule TEXT NOT NULL,\n"
        "        subject TEXT NOT NULL,\n"
        "        kind TEXT NOT NULL,\n"
        "        severity TEXT NOT NULL,\n"
        "        state TEXT NOT NULL,\n"
        "        unit TEXT,\n"
        "        column_name TEXT,\n"
        "        url TEXT,\n"
        "        detail TEXT,\n"
        "        evidence TEXT,\n"
        "        first_seen INTEGER NOT NULL,\n"
        "        last_seen INTEGER NOT NULL,\n"
        "        fixed_at INTEGER,\n"
        "        times_seen INTEGER NOT NULL DEFAULT 1,\n"
        "        first_scan INTEGER REFERENCES scans (id) ON DELETE SET NULL,\n"
        "        last_scan INTEGER REFERENCES scans (id) ON DELETE SET NULL,\n"
        "        fixed_scan INTEGER REFERENCES scans (id) ON DELETE SET NULL,\n"
        "        UNIQUE (site, rule, subject)\n"
        ");\n"
        "CREATE INDEX violations_listing ON violations (site, unit, rule, subject);\n"
        "CREATE INDEX violations_state ON violations (state, site);\n"

        /* scan_id is NULL when a person made the change; who and why are then set. */
        "CREATE TABLE violation_events (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        violation_id INTEGER NOT NULL REFERENCES violations (id) ON DELETE CASCADE,\n"
        "        at INTEGER NOT NULL,\n"
        "        scan_id INTEGER REFERENCES scans (id) ON DELETE SET NULL,\n"
        "        event TEXT NOT NULL,\n"
        "        who TEXT,\n"
        "        why TEXT\n"
        ");\n"
        "CREATE INDEX violation_events_violation ON violation_events (violation_id, at);\n";

/* The 三单 chain and the new-media ledger's checks. A ticket is one step of the chain for
 * one violation (an early warning is a violation row of kind "warning"): kind "handling"
 * (办理单), "reminder" (提醒单) or "urging" (催办单); its number is the office's
 * ("阎政务公开办〔2026〕办理单第0012号"), from a sequence per kind and year. unit is the
 * unit's name as in violations.unit. deadline is a Unix time (the end of the deadline
 * day), NULL for a reminder that only informs. state is "open", "closed" (a complete
 * re-check no longer found the problem: closed_scan is the evidence) or "accepted" (a
 * person accepted an exception; the event says who and why). parent_id links a reminder or
 * urging order to the handling order it follows. */
static const char step_2_tickets_and_accounts[] =
        "CREATE TABLE tickets (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        kind TEXT NOT NULL,\n"
        "        number TEXT NOT NULL UNIQUE,\n"
        "        year INTEGER NOT NULL,\n"
        "        seq INTEGER NOT NULL,\n"
        "        violation_id INTEGER NOT NULL REFERENCES violations (id) ON DELETE CASCADE,\n"
        "        parent_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,\n"
        "        site TEXT NOT NULL,\n"
        "        unit TEXT,\n"
        "        issued_at INTEGER NOT NULL,\n"
        "        deadline INTEGER,\n"
        "        state TEXT NOT NULL,\n"
        "        closed_at INTEGER,\n"
        "        closed_scan INTEGER REFERENCES scans (id) ON DELETE SET NULL,\n"
        "        reason TEXT,\n"
        "        UNIQUE (kind, year, seq)\n"
        ");\n"
        "CREATE INDEX tickets_violation ON tickets (violation_id, kind);\n"
        "CREATE INDEX tickets_unit ON tickets (unit, state, deadline);\n"

        /* scan_id is set when a scan caused the change, who and why when a person did. */
        "CREATE TABLE ticket_events (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,\n"
        "        at INTEGER NOT NULL,\n"
        "        event TEXT NOT NULL,\n"
        "        scan_id INTEGER REFERENCES scans (id) ON DELETE SET NULL,\n"
        "        who TEXT,\n"
        "        why TEXT\n"
        ");\n"
        "CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at);\n"

        /* One row per ledger account and check: account is its id in rules.d; status is
         * "ok" or the rule id of what was wrong ("account_stale", "account_feed_gone"...);
         * newest is the Unix time of its newest post, NULL when none could be read. The
         * reports count accounts checked and qualified per unit from these rows. */
        "CREATE TABLE account_checks (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        at INTEGER NOT NULL,\n"
        "        account TEXT NOT NULL,\n"
        "        name TEXT NOT NULL,\n"
        "        type TEXT NOT NULL,\n"
        "        unit TEXT,\n"
        "        status TEXT NOT NULL,\n"
        "        newest INTEGER,\n"
        "        detail TEXT\n"
        ");\n"
        "CREATE INDEX account_checks_at ON account_checks (at, unit);\n";

/* Availability probes and site verdicts. A probe is one timed GET of a site's homepage
 * (DOMAIN.md, 站点无法访问): ok is 1 when the page loaded within the probe's limit; failure
 * is http_failure_id() or "status" (an answer that is not 2xx) or "empty". The probes of
 * one run of `xunjian probe` (or of the daemon's probe timer) belong to a scan of kind
 * "probe", so that its findings reconcile on their own; scans.kind tells those from the
 * crawls ("crawl"). A verdict is the single-veto evaluation (合格/不合格) of one crawl
 * scan: the counts it rests on, and reasons, one Chinese sentence per failed item. */
static const char step_3_probes_and_verdicts[] =
        "ALTER TABLE scans ADD COLUMN kind TEXT NOT NULL DEFAULT 'crawl';\n"
        "CREATE INDEX scans_site_kind ON scans (site, kind, started_at);\n"

        "CREATE TABLE probes (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        scan_id INTEGER REFERENCES scans (id) ON DELETE SET NULL,\n"
        "        site TEXT NOT NULL,\n"
        "        url TEXT NOT NULL,\n"
        "        at INTEGER NOT NULL,\n"
        "        ok INTEGER NOT NULL,\n"
        "        status INTEGER NOT NULL DEFAULT 0,\n"
        "        failure TEXT,\n"
        "        error TEXT,\n"
        "        seconds REAL\n"
        ");\n"
        "CREATE INDEX probes_site_at ON probes (site, at);\n"

        "CREATE TABLE verdicts (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        scan_id INTEGER NOT NULL UNIQUE REFERENCES scans (id) ON DELETE CASCADE,\n"
        "        site TEXT NOT NULL,\n"
        "        at INTEGER NOT NULL,\n"
        "        qualified INTEGER NOT NULL,\n"
        "        vetoes INTEGER NOT NULL,\n"
        "        probes INTEGER NOT NULL,\n"
        "        probe_failures INTEGER NOT NULL,\n"
        "        homepage_age INTEGER NOT NULL,\n"
        "        overdue_news INTEGER NOT NULL,\n"
        "        overdue_notice INTEGER NOT NULL,\n"
        "        overdue_any INTEGER NOT NULL,\n"
        "        blank INTEGER NOT NULL,\n"
        "        serious_errors INTEGER NOT NULL,\n"
        "        unanswered INTEGER NOT NULL,\n"
        "        reasons TEXT\n"
        ");\n"
        "CREATE INDEX verdicts_site ON verdicts (site, at);\n";
/* The nightly email (notify/mail*.c). One row per message: kind "unit" (a unit's own
 * tickets) or "summary" (all units, to the supervising office), for one CST day ("YYYY-MM-DD"),
 * so that a rerun the same day finds the row and sends nothing twice. message is the whole
 * RFC 5322 text, kept so that a retry after a temporary failure resends the very same bytes
 * (same Message-ID). state is "pending" (written, not yet tried), "sent", "failed-temporary"
 * (a 4xx answer or a lost connection: the next run tries again), "failed-permanent" (a 5xx
 * answer, TLS or login refused, too many attempts: reported, never retried) or "superseded"
 * (a later day's message to the same unit replaced one that never went out). recipients
 * are the envelope recipients, comma-separated. mail_tickets says which tickets a message
 * covered and how ("new", "open", "closed"), so that the next message reports as new or as
 * fixed only what no sent message has reported yet. */
static const char step_4_mails[] =
        "CREATE TABLE mails (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        day TEXT NOT NULL,\n"
        "        kind TEXT NOT NULL,\n"
        "        unit TEXT NOT NULL,\n"
        "        recipients TEXT NOT NULL,\n"
        "        subject TEXT NOT NULL,\n"
        "        message_id TEXT NOT NULL UNIQUE,\n"
        "        message BLOB NOT NULL,\n"
        "        state TEXT NOT NULL,\n"
        "        attempts INTEGER NOT NULL DEFAULT 0,\n"
        "        created_at INTEGER NOT NULL,\n"
        "        last_attempt_at INTEGER,\n"
        "        sent_at INTEGER,\n"
        "        error TEXT,\n"
        "        UNIQUE (day, kind, unit)\n"
        ");\n"
        "CREATE INDEX mails_state ON mails (state, kind, unit);\n"

        "CREATE TABLE mail_tickets (\n"
        "        mail_id INTEGER NOT NULL REFERENCES mails (id) ON DELETE CASCADE,\n"
        "        ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,\n"
        "        role TEXT NOT NULL,\n"
        "        PRIMARY KEY (mail_id, ticket_id, role)\n"
        ");\n"
        "CREATE INDEX mail_tickets_ticket ON mail_tickets (ticket_id, role);\n";

/* The crawl's working state, so that RAM stays bounded on a site of a million URLs and a
 * killed scan resumes where it stopped (issue 3). frontier holds every URL a scan has met:
 * queued, leased (in the crawler's in-memory window or in flight) or done with its result
 * and the evidence of every attempt. The crawler's vocabulary (kind, link_kind, verdict,
 * failure) is stored as its text ids; column_index is the column's position in the site's
 * plan, whose fingerprint scan_plans keeps so that a resumed scan refuses a changed plan.
 * Rows of a scan are deleted once the scan completes: pages and findings keep what lasts.
 * not_before is a monotonic time in ms of the process that wrote it; a resumed scan clears
 * it. referrer is the frontier id of the first page that linked the URL. */
static const char step_5_frontier[] =
        "CREATE TABLE frontier (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,\n"
        "        url TEXT NOT NULL,\n"
        "        kind TEXT NOT NULL,\n"
        "        prio INTEGER NOT NULL,\n"
        "        state TEXT NOT NULL DEFAULT 'queued',\n"
        "        not_before INTEGER NOT NULL DEFAULT 0,\n"
        "        column_index INTEGER NOT NULL DEFAULT -1,\n"
        "        depth INTEGER NOT NULL DEFAULT 0,\n"
        "        link_kind TEXT,\n"
        "        referrer INTEGER,\n"
        "        attempts INTEGER NOT NULL DEFAULT 0,\n"
        "        history TEXT,\n"
        "        verdict TEXT,\n"
        "        status INTEGER,\n"
        "        failure TEXT,\n"
        "        error TEXT,\n"
        "        final_url TEXT,\n"
        "        content_type TEXT,\n"
        "        parsed INTEGER NOT NULL DEFAULT 0,\n"
        "        pubdate INTEGER,\n"
        "        soft404 TEXT,\n"
        "        UNIQUE (scan_id, url)\n"
        ");\n"
        "CREATE INDEX frontier_queue ON frontier (scan_id, state, prio, id);\n"

        "CREATE TABLE scan_plans (\n"
        "        scan_id INTEGER PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,\n"
        "        fingerprint TEXT NOT NULL\n"
        ");\n"

        /* What the checks need from a parsed page (crawler/pagecache.c serialises it), with
         * the validators it was fetched under: the next scan asks with If-None-Match /
         * If-Modified-Since and, on 304, reuses the extraction instead of the body. One row
         * per URL of a site, the latest; parse_key names the parse options it depends on.
         * scan_id is the last scan that used the row, for pruning. */
        "CREATE TABLE page_cache (\n"
        "        id INTEGER PRIMARY KEY,\n"
        "        site TEXT NOT NULL,\n"
        "        url TEXT NOT NULL,\n"
        "        etag TEXT,\n"
        "        last_modified TEXT,\n"
        "        parse_key TEXT NOT NULL,\n"
        "        content_type TEXT,\n"
        "        charset TEXT,\n"
        "        extract BLOB NOT NULL,\n"
        "        scan_id INTEGER,\n"
        "        UNIQUE (site, url)\n"
        ");\n"

        /* The links of a running scan's pages, appended without indexes: the links table's
         * two indexes cost more than the rest of a page's processing when written page by
         * page. A completed scan moves its rows to links in one statement. */
        "CREATE TABLE links_staged (\n"
        "        scan_id INTEGER NOT NULL,\n"
        "        page_id INTEGER NOT NULL,\n"
        "        url TEXT NOT NULL,\n"
        "        kind TEXT,\n"
        "        text TEXT,\n"
        "        scope TEXT\n"
        ");\n";


const char *const store_schema_steps[] = {
        step_1_initial,
        step_2_tickets_and_accounts,
        step_3_probes_and_verdicts,
        step_4_mails,
        step_5_frontier,
};

const size_t store_schema_n_steps = ARRAY_SIZE(store_schema_steps);
