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

/* The crawl's working state, so that RAM stays bounded on a site of a million URLs and a
 * killed scan resumes where it stopped (issue 3). frontier holds every URL a scan has met:
 * queued, leased (in the crawler's in-memory window or in flight) or done with its result
 * and the evidence of every attempt. The crawler's vocabulary (kind, link_kind, verdict,
 * failure) is stored as its text ids; column_index is the column's position in the site's
 * plan, whose fingerprint scan_plans keeps so that a resumed scan refuses a changed plan.
 * Rows of a scan are deleted once the scan completes: pages and findings keep what lasts.
 * not_before is a monotonic time in ms of the process that wrote it; a resumed scan clears
 * it. referrer is the frontier id of the first page that linked the URL. */
static const char step_2_frontier[] =
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
        step_2_frontier,
};

const size_t store_schema_n_steps = ARRAY_SIZE(store_schema_steps);
