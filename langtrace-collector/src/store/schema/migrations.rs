//! The schema's migrations, in SQLite's dialect; PostgreSQL runs them translated (see
//! `postgres::ddl`). A migration never changes once released: a change is a new entry at
//! the end, written in the column types both engines read alike (`TEXT`, `INTEGER`,
//! `REAL`, `BLOB`; an `INTEGER PRIMARY KEY` numbered by the database).

/// Migrations, version 1 first.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: projects, keys, traces, observations, scores, media, model prices.
    r#"
    CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE api_keys (
        public_key TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id),
        salt TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE observations (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        parent_id TEXT,
        is_root INTEGER NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        end_time INTEGER,
        completion_start_time INTEGER,
        level TEXT NOT NULL,
        status_message TEXT,
        input TEXT,
        output TEXT,
        metadata TEXT NOT NULL,
        version TEXT,
        environment TEXT NOT NULL,
        model TEXT,
        model_parameters TEXT,
        usage_details TEXT NOT NULL,
        cost_details TEXT NOT NULL,
        input_tokens INTEGER,
        output_tokens INTEGER,
        total_tokens INTEGER,
        total_cost REAL,
        prompt_name TEXT,
        prompt_version INTEGER,
        user_id TEXT,
        session_id TEXT,
        release TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (project_id, trace_id, id)
    );
    CREATE INDEX observations_id ON observations (project_id, id);
    CREATE INDEX observations_start ON observations (project_id, start_time);
    CREATE TABLE traces (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT,
        name_explicit INTEGER NOT NULL DEFAULT 0,
        user_id TEXT,
        session_id TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        metadata TEXT NOT NULL DEFAULT '{}',
        release TEXT,
        version TEXT,
        environment TEXT NOT NULL DEFAULT 'default',
        public INTEGER NOT NULL DEFAULT 0,
        input TEXT,
        input_explicit INTEGER NOT NULL DEFAULT 0,
        output TEXT,
        output_explicit INTEGER NOT NULL DEFAULT 0,
        root_observation_id TEXT,
        start_time INTEGER NOT NULL,
        end_time INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        total_tokens INTEGER NOT NULL DEFAULT 0,
        total_cost REAL NOT NULL DEFAULT 0,
        observation_count INTEGER NOT NULL DEFAULT 0,
        debug_count INTEGER NOT NULL DEFAULT 0,
        default_count INTEGER NOT NULL DEFAULT 0,
        warning_count INTEGER NOT NULL DEFAULT 0,
        error_count INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id)
    );
    CREATE INDEX traces_start ON traces (project_id, start_time);
    CREATE INDEX traces_user ON traces (project_id, user_id, start_time);
    CREATE INDEX traces_session ON traces (project_id, session_id, start_time);
    CREATE TABLE scores (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        trace_id TEXT,
        observation_id TEXT,
        session_id TEXT,
        name TEXT NOT NULL,
        value REAL,
        string_value TEXT,
        data_type TEXT NOT NULL,
        source TEXT NOT NULL,
        comment TEXT,
        metadata TEXT NOT NULL DEFAULT '{}',
        environment TEXT NOT NULL DEFAULT 'default',
        timestamp INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id)
    );
    CREATE INDEX scores_trace ON scores (project_id, trace_id);
    CREATE INDEX scores_time ON scores (project_id, timestamp);
    CREATE TABLE media (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        sha256_hash TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content_length INTEGER NOT NULL,
        trace_id TEXT,
        observation_id TEXT,
        field TEXT,
        upload_token TEXT,
        uploaded_at INTEGER,
        upload_status INTEGER,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id)
    );
    CREATE TABLE model_prices (
        id INTEGER PRIMARY KEY,
        project_id TEXT,
        model_name TEXT NOT NULL,
        match_pattern TEXT NOT NULL,
        input_price REAL NOT NULL,
        output_price REAL NOT NULL,
        created_at INTEGER NOT NULL
    );
    "#,
    // 2: no index on observation ids alone. Span ids are random, so every span landed on
    // a random page of it, and each commit rewrote thousands of its pages: it halved
    // ingest. A lookup by id alone scans the (project, trace, id) index instead.
    "DROP INDEX observations_id;",
    // 3: the environments a project has, listed by skipping through this index.
    "CREATE INDEX traces_environment ON traces (project_id, environment);",
    // 4: an upload token is looked up before its body is read, through this index (only
    // announcements still waiting for their bytes have a token).
    "CREATE INDEX IF NOT EXISTS media_upload_token ON media (upload_token) WHERE upload_token IS NOT NULL;",
    // 5: prompt management: one row per prompt version, the labels of a name (each on one
    // version at a time), the composition references a version makes, the label moves.
    r#"
    CREATE TABLE prompts (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        prompt TEXT NOT NULL,
        config TEXT NOT NULL,
        tags TEXT NOT NULL,
        commit_message TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id),
        UNIQUE (project_id, name, version)
    );
    CREATE TABLE prompt_labels (
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        label TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (project_id, name, label)
    );
    CREATE INDEX prompt_labels_version ON prompt_labels (project_id, name, version);
    CREATE TABLE prompt_dependencies (
        project_id TEXT NOT NULL,
        parent_id TEXT NOT NULL,
        child_name TEXT NOT NULL,
        child_label TEXT,
        child_version INTEGER
    );
    CREATE INDEX prompt_dependencies_parent ON prompt_dependencies (project_id, parent_id);
    CREATE INDEX prompt_dependencies_child ON prompt_dependencies (project_id, child_name);
    CREATE TABLE prompt_label_history (
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        label TEXT NOT NULL,
        from_version INTEGER,
        to_version INTEGER,
        public_key TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX prompt_label_history_name ON prompt_label_history (project_id, name, at);
    CREATE INDEX observations_prompt ON observations (project_id, prompt_name, prompt_version)
        WHERE prompt_name IS NOT NULL;
    "#,
    // 6: comments on traces, observations, sessions and prompts, found by
    // their object; those on a trace or one of its observations carry the trace's id, so
    // a trace's deletion removes them by (project, trace). A trace's bookmark; public traces
    // found by id alone for the share path.
    r#"
    CREATE TABLE comments (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        content TEXT NOT NULL,
        author_user_id TEXT,
        trace_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id)
    );
    CREATE INDEX comments_object ON comments (project_id, object_type, object_id, created_at);
    CREATE INDEX comments_trace ON comments (project_id, trace_id) WHERE trace_id IS NOT NULL;
    CREATE INDEX comments_time ON comments (project_id, created_at);
    ALTER TABLE traces ADD COLUMN bookmarked INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX traces_public ON traces (id) WHERE public = 1;
    "#,
    // 7: datasets (their items versioned: a change closes the current row, `valid_to`, and
    // adds one, so a read as of a time finds the rows valid then), experiments and their
    // items (one table for both ways they arrive: spans and `POST /dataset-run-items`),
    // and the run a score is about.
    r#"
    CREATE TABLE datasets (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        metadata TEXT,
        input_schema TEXT,
        expected_output_schema TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id),
        UNIQUE (project_id, name)
    );
    CREATE TABLE dataset_items (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        status TEXT NOT NULL,
        input TEXT,
        expected_output TEXT,
        metadata TEXT,
        source_trace_id TEXT,
        source_observation_id TEXT,
        created_at INTEGER NOT NULL,
        valid_from INTEGER NOT NULL,
        valid_to INTEGER,
        PRIMARY KEY (project_id, id, valid_from)
    );
    CREATE INDEX dataset_items_dataset ON dataset_items (project_id, dataset_id, valid_from);
    CREATE INDEX dataset_items_source_trace ON dataset_items (project_id, source_trace_id)
        WHERE source_trace_id IS NOT NULL;
    CREATE TABLE experiments (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        metadata TEXT,
        dataset_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id)
    );
    CREATE INDEX experiments_dataset ON experiments (project_id, dataset_id, name);
    CREATE TABLE experiment_items (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        experiment_id TEXT NOT NULL,
        trace_id TEXT NOT NULL,
        observation_id TEXT,
        dataset_item_id TEXT,
        item_version INTEGER,
        expected_output TEXT,
        item_metadata TEXT,
        start_time INTEGER,
        end_time INTEGER,
        level TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, experiment_id, trace_id)
    );
    CREATE INDEX experiment_items_trace ON experiment_items (project_id, trace_id);
    CREATE INDEX experiment_items_time ON experiment_items (project_id, created_at, id);
    ALTER TABLE scores ADD COLUMN dataset_run_id TEXT;
    CREATE INDEX scores_dataset_run ON scores (project_id, dataset_run_id) WHERE dataset_run_id IS NOT NULL;
    "#,
    // 8: a project's retention in days (NULL keeps everything), and media rows
    // found by hash, to tell whether deleted bytes are still referenced by any project.
    r#"
    ALTER TABLE projects ADD COLUMN retention_days INTEGER;
    CREATE INDEX media_hash ON media (sha256_hash);
    "#,
    // 9: LLM connections: a project's provider keys, one per provider name; the secret and the
    // extra headers sealed (`ivHex:cipherHex:tagHex`, see `secrets`).
    r#"
    CREATE TABLE llm_connections (
        project_id TEXT NOT NULL,
        id TEXT NOT NULL,
        provider TEXT NOT NULL,
        adapter TEXT NOT NULL,
        sealed_secret TEXT NOT NULL,
        display_secret TEXT NOT NULL,
        base_url TEXT,
        custom_models TEXT NOT NULL,
        with_default_models INTEGER NOT NULL,
        sealed_extra_headers TEXT,
        extra_header_keys TEXT NOT NULL,
        config TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, id),
        UNIQUE (project_id, provider)
    );
    "#,
    // 10: durable forwarding to an upstream OTLP endpoint (see `crate::forward`): the
    // exports waiting to be sent, the position delivered up to, per-project totals.
    r#"
    CREATE TABLE forward_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id TEXT NOT NULL,
        body BLOB NOT NULL,
        span_count INTEGER NOT NULL,
        received_at INTEGER NOT NULL
    );
    CREATE INDEX forward_outbox_project ON forward_outbox (project_id, seq);
    CREATE TABLE forward_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        delivered_seq INTEGER NOT NULL
    );
    INSERT INTO forward_cursor (id, delivered_seq) VALUES (1, 0);
    CREATE TABLE forward_totals (
        project_id TEXT PRIMARY KEY,
        pending_spans INTEGER NOT NULL DEFAULT 0,
        pending_bytes INTEGER NOT NULL DEFAULT 0,
        delivered_spans INTEGER NOT NULL DEFAULT 0,
        dropped_spans INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // 11: the order labels were set in and label moves were made in, as a column (SQLite's
    // rowid said it before; PostgreSQL has none): each new row takes its name's largest
    // `seq` plus one. PostgreSQL's text is in `POSTGRES_TEXTS`.
    r#"
    ALTER TABLE prompt_labels ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    UPDATE prompt_labels SET seq = rowid;
    ALTER TABLE prompt_label_history ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    UPDATE prompt_label_history SET seq = rowid;
    "#,
    // 12: the forwarding outbox without a cursor (every row in it is pending, see
    // `crate::forward::outbox`): collectors sharing PostgreSQL commit positions out of order.
    r#"
    DROP TABLE forward_cursor;
    "#,
];

/// Migrations whose PostgreSQL text is not their SQLite text translated, by version.
/// PostgreSQL databases are created by a langtrace that has migration 11, so it has no
/// earlier rows to number.
pub(super) const POSTGRES_TEXTS: &[(u32, &str)] = &[(
    11,
    "ALTER TABLE prompt_labels ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
     ALTER TABLE prompt_label_history ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;",
)];
