//! A store written directly through the writer, with no server: for benchmarks that need
//! many rows fast before they start `langtrace serve` on the same data directory.

use std::path::Path;

use langtrace_collector::auth;
use langtrace_collector::store::{write, Durability, Store};
use langtrace_collector::writer::Writer;
use langtrace_core::record::ObservationRecord;

/// The benchmark project's keys, for the server started afterwards.
pub const BENCH_KEYS: (&str, &str) = ("pk-bench", "sk-bench-0123456789abcdef");

/// An open store with its writer and one project, `bench`, keyed [`BENCH_KEYS`].
pub struct DirectStore {
    runtime: tokio::runtime::Runtime,
    writer: Writer,
    project: String,
    _store: Store,
}

impl DirectStore {
    /// Opens (creates) the store in `dir` and its project.
    pub fn open(dir: &Path) -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (store, connection) = Store::open(dir, Durability::SyncedByWriter).expect("store");
        let writer = Writer::start(connection, store.checkpoint_connection().unwrap(), 4).expect("writer");
        let project = runtime
            .block_on(writer.write(|tx| {
                let project = auth::create_project(tx, "bench")?;
                let (public_key, secret_key) = BENCH_KEYS;
                let keys = auth::KeyPair { public_key: public_key.into(), secret_key: secret_key.into() };
                auth::create_keys(tx, &project.id, Some(keys))?;
                Ok(project.id)
            }))
            .unwrap();
        Self { runtime, writer, project, _store: store }
    }

    /// The project's id.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// Writes `records` in one transaction, as ingest would after decoding.
    pub fn write(&self, records: Vec<ObservationRecord>) {
        let batch = write::prepare(records, &write::StoredCaps::default(), |_, _| None);
        let project_id = self.project.clone();
        self.runtime.block_on(self.writer.write(move |tx| write::observations(tx, &project_id, &batch))).unwrap();
    }
}
