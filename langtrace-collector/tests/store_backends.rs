//! The store's database façade behaves alike on SQLite and on a real PostgreSQL (a
//! throwaway cluster under the target directory, see `support::postgres`): values of
//! every storage class round-trip through parameters and columns, read by index or by
//! name; transactions commit, roll back when dropped, and recover from a failed
//! statement through a savepoint as the writer does; errors read the same (no row, a
//! column of the wrong type, an integer beyond 64 bits). The schema's migrations apply on
//! PostgreSQL once, also when two replicas start together, give the tables and columns
//! SQLite's give, and refuse a newer schema.

mod support;

use std::collections::BTreeMap;

use langtrace_collector::store::db::{self, params, Connection, OptionalExtension, PgConnection, Value};
use langtrace_collector::store::schema::{self, MigrationError};
use support::postgres::Cluster;

/// A table with a column of each storage class, in SQLite's dialect.
const TABLE: &str = "CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB, flag INTEGER)";

/// A migrated SQLite database with the table `v`.
fn sqlite() -> Connection {
    let mut connection = rusqlite::Connection::open_in_memory().unwrap();
    schema::migrate(&mut connection).unwrap();
    let connection = Connection::from(connection);
    connection.execute_batch(TABLE).unwrap();
    connection
}

/// A migrated PostgreSQL database (so with the SQLite functions the store uses) with the
/// table `v`.
fn postgres() -> Connection {
    let mut connection = Connection::from(PgConnection::connect(&Cluster::shared().database()).unwrap());
    schema::migrate_postgres(&mut connection).unwrap();
    connection.execute_batch(&schema::ddl(TABLE)).unwrap();
    connection
}

/// Each backend, named, with the table `v`.
fn backends() -> [(&'static str, Connection); 2] {
    [("sqlite", sqlite()), ("postgres", postgres())]
}

fn insert(connection: &Connection, i: Option<i64>, t: &str) -> db::Result<i64> {
    connection.query_row(
        "INSERT INTO v (i, r, t, b, flag) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![i, 0.5, t, vec![0u8, 255, 7], true],
        |row| row.get(0),
    )
}

fn count(connection: &Connection) -> i64 {
    connection.query_row("SELECT COUNT(*) FROM v", (), |row| row.get(0)).unwrap()
}

#[test]
fn values_round_trip_through_parameters_and_columns() {
    for (backend, connection) in backends() {
        let first = insert(&connection, Some(i64::MIN), "naïve \u{1F600} ' ?1 text").unwrap();
        let second = insert(&connection, None, "").unwrap();
        assert!(second > first, "{backend}: ids numbered by the database");
        let mut statement = connection.prepare_cached("SELECT i, r, t, b, flag, id FROM v WHERE id = ?").unwrap();
        let (i, r, t, b, flag): (Option<i64>, f64, String, Vec<u8>, bool) = statement
            .query_row([first], |row| Ok((row.get(0)?, row.get("r")?, row.get(2)?, row.get("b")?, row.get(4)?)))
            .unwrap();
        assert_eq!(
            (i, r, t.as_str(), b, flag),
            (Some(i64::MIN), 0.5, "naïve \u{1F600} ' ?1 text", vec![0, 255, 7], true),
            "{backend}"
        );
        let whole: Vec<Value> =
            statement.query_row([second], |row| (0..5).map(|index| row.get(index)).collect()).unwrap();
        assert_eq!(
            whole,
            [
                Value::Null,
                Value::Real(0.5),
                Value::Text(String::new()),
                Value::Blob(vec![0, 255, 7]),
                Value::Integer(1)
            ],
            "{backend}: a null, and a boolean stored as 1"
        );
        let texts: Vec<String> = connection
            .prepare("SELECT t FROM v WHERE t LIKE ? ORDER BY id")
            .unwrap()
            .query_map(["%text"], |row| row.get(0))
            .unwrap()
            .collect::<db::Result<_>>()
            .unwrap();
        assert_eq!(texts, ["naïve \u{1F600} ' ?1 text"], "{backend}: a '?' inside quoted text is no placeholder");
        let mut rows = connection.prepare("SELECT id FROM v ORDER BY id").unwrap();
        let mut rows = rows.query(()).unwrap();
        let mut ids = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            ids.push(row.get::<_, i64>(0).unwrap());
        }
        assert_eq!(ids, [first, second], "{backend}");
    }
}

#[test]
fn the_sqlite_functions_and_operators_the_store_uses_answer_alike() {
    for (backend, connection) in backends() {
        for (i, t) in [(Some(1), r#"["a","B"]"#), (Some(2), r#"["b"]"#), (None, r#"["a","B"]"#)] {
            insert(&connection, i, t).unwrap();
        }
        let tagged = "SELECT COUNT(*) FROM v WHERE EXISTS (SELECT 1 FROM json_each(v.t) WHERE json_each.value = ?1)";
        let count = |tag: &str| connection.query_row(tagged, [tag], |row| row.get::<_, i64>(0)).unwrap();
        assert_eq!((count("a"), count("B"), count("c")), (2, 2, 0), "{backend}: json_each over text");
        let distinct: String =
            connection.query_row("SELECT json_group_array(DISTINCT t) FROM v", (), |row| row.get(0)).unwrap();
        let mut distinct: Vec<String> = serde_json::from_str(&distinct).unwrap();
        distinct.sort();
        assert_eq!(distinct, [r#"["a","B"]"#, r#"["b"]"#], "{backend}: json_group_array");
        let figures = connection
            .query_row(
                "SELECT TOTAL(i), SUM(i), SUM(r), MAX(COUNT(*), 10), AVG(i), COUNT(*) FROM v WHERE i = 1",
                (),
                |row| {
                    Ok((
                        row.get::<_, f64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, f64>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, f64>(4)?,
                        row.get::<_, i64>(5)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(figures, (1.0, 1, 0.5, 10, 1.0, 1), "{backend}: sums of integers read as integers");
        let none: (f64, Option<i64>) = connection
            .query_row("SELECT TOTAL(i), SUM(i) FROM v WHERE i > 5", (), |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap();
        assert_eq!(none, (0.0, None), "{backend}: TOTAL of no rows is 0, SUM is null");
        let big: i64 = connection.query_row("SELECT SUM(i) FROM v", (), |row| row.get(0)).unwrap();
        assert_eq!(big, 3, "{backend}");
        let ratio: f64 = connection.query_row("SELECT SUM(i) / 1e3 FROM v", (), |row| row.get(0)).unwrap();
        assert!((ratio - 0.003).abs() < 1e-12, "{backend}: {ratio}");
        let like: i64 =
            connection.query_row("SELECT COUNT(*) FROM v WHERE t LIKE ?1", ["%\"b\"%"], |row| row.get(0)).unwrap();
        assert_eq!(like, 3, "{backend}: LIKE ignores case");
    }
}

#[test]
fn a_statement_run_for_each_parameter_list_answers_each_in_order() {
    for (backend, connection) in backends() {
        let mut statement =
            connection.prepare_cached("INSERT INTO v (id, t) VALUES (?1, ?2) ON CONFLICT DO NOTHING").unwrap();
        let all: Vec<[&dyn db::ToValue; 2]> = vec![[&1, &"a"], [&2, &"b"], [&1, &"again"], [&3, &"c"]];
        assert_eq!(statement.execute_each(&all).unwrap(), [1, 1, 0, 1], "{backend}: one count per run, in order");
        let first: String = connection.query_row("SELECT t FROM v WHERE id = 1", (), |row| row.get(0)).unwrap();
        assert_eq!((first.as_str(), count(&connection)), ("a", 3), "{backend}: run in order");
        // A failing run fails the call (a key taken).
        let mut failing = connection.prepare_cached("INSERT INTO v (id, t) VALUES (?1, ?2)").unwrap();
        let bad: Vec<[&dyn db::ToValue; 2]> = vec![[&4, &"d"], [&1, &"taken"]];
        assert!(failing.execute_each(&bad).is_err(), "{backend}");
    }
}

#[test]
fn a_deadlock_between_two_postgres_transactions_reads_as_transient() {
    // The writer runs a batch again when PostgreSQL aborts it for a deadlock: two
    // transactions each holding the lock the other asks for next, one is the victim.
    let url = Cluster::shared().database();
    let both_hold_one = std::sync::Barrier::new(2);
    let outcomes: Vec<db::Result<()>> = std::thread::scope(|scope| {
        let sides = [(1, 2), (2, 1)].map(|(first, second)| {
            let (url, both_hold_one) = (&url, &both_hold_one);
            scope.spawn(move || {
                let mut connection = Connection::from(PgConnection::connect(url).unwrap());
                let tx = connection.transaction().unwrap();
                tx.execute_batch(&format!("SELECT pg_advisory_xact_lock({first})")).unwrap();
                both_hold_one.wait();
                tx.execute_batch(&format!("SELECT pg_advisory_xact_lock({second})"))
            })
        });
        sides.map(|side| side.join().unwrap()).into_iter().collect()
    });
    let victims: Vec<&db::Error> = outcomes.iter().filter_map(|outcome| outcome.as_ref().err()).collect();
    assert_eq!(victims.len(), 1, "{outcomes:?}");
    assert!(victims[0].is_transient(), "{}", victims[0]);
    assert!(victims[0].to_string().contains("40P01"), "{}", victims[0]);
}

#[test]
fn errors_read_the_same_on_both() {
    for (backend, connection) in backends() {
        let id = insert(&connection, Some(1), "text").unwrap();
        let none = connection.query_row("SELECT i FROM v WHERE id = ?1", [id + 1], |row| row.get::<_, i64>(0));
        assert!(matches!(none, Err(db::Error::NoRows)), "{backend}: {none:?}");
        let none = connection.query_row("SELECT i FROM v WHERE id = ?1", [id + 1], |row| row.get::<_, i64>(0));
        assert_eq!(none.optional().unwrap(), None, "{backend}");
        let wrong = connection.query_row("SELECT t FROM v", (), |row| row.get::<_, i64>("t"));
        assert!(matches!(&wrong, Err(db::Error::Column { column, .. }) if column == "t"), "{backend}: {wrong:?}");
        let wide = connection.execute("UPDATE v SET i = ?1", [u64::MAX]);
        let message = wide.expect_err("an integer beyond i64 is refused").to_string();
        assert!(message.contains("exceeds a 64-bit integer"), "{backend}: {message}");
        let duplicate = connection.execute("INSERT INTO v (id, t) VALUES (?1, 'again')", [id]);
        assert!(duplicate.is_err(), "{backend}: a primary key taken twice");
        assert!(!duplicate.unwrap_err().is_interrupted(), "{backend}: a constraint is no interruption");
    }
}

#[test]
fn transactions_commit_roll_back_and_recover_through_savepoints() {
    for (backend, mut connection) in backends() {
        let tx = connection.transaction().unwrap();
        insert(&tx, Some(1), "dropped").unwrap();
        drop(tx);
        assert_eq!(count(&connection), 0, "{backend}: a dropped transaction rolls back");

        let tx = connection.transaction().unwrap();
        let kept = insert(&tx, Some(1), "kept").unwrap();
        // As the writer isolates a job: a failing statement inside a savepoint, rolled back
        // to it, leaves the transaction usable (PostgreSQL aborts it otherwise).
        tx.execute_batch("SAVEPOINT job").unwrap();
        insert(&tx, Some(2), "undone").unwrap();
        assert!(tx.execute("INSERT INTO v (id, t) VALUES (?1, 'clash')", [kept]).is_err());
        tx.execute_batch("ROLLBACK TO job; RELEASE job").unwrap();
        insert(&tx, Some(3), "after").unwrap();
        tx.commit().unwrap();
        let texts: Vec<String> = connection
            .prepare("SELECT t FROM v ORDER BY id")
            .unwrap()
            .query_map((), |row| row.get(0))
            .unwrap()
            .collect::<db::Result<_>>()
            .unwrap();
        assert_eq!(texts, ["kept", "after"], "{backend}");

        let tx = connection.transaction().unwrap();
        insert(&tx, Some(4), "rolled back").unwrap();
        tx.rollback().unwrap();
        assert_eq!(count(&connection), 2, "{backend}: an explicit rollback");
    }
}

/// Tables and their columns, in order, of the SQLite schema.
fn sqlite_columns() -> BTreeMap<String, Vec<String>> {
    let mut connection = rusqlite::Connection::open_in_memory().unwrap();
    schema::migrate(&mut connection).unwrap();
    let mut tables =
        connection.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").unwrap();
    let names: Vec<String> = tables.query_map([], |row| row.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    names
        .into_iter()
        .map(|table| {
            let mut info = connection.prepare(&format!("SELECT name FROM pragma_table_info('{table}')")).unwrap();
            let columns = info.query_map([], |row| row.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
            (table, columns)
        })
        .collect()
}

/// Tables and their columns, in order, of the PostgreSQL database behind `connection`.
fn postgres_columns(connection: &Connection) -> BTreeMap<String, Vec<String>> {
    let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut statement = connection
        .prepare(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'langtrace_schema' ORDER BY table_name, ordinal_position",
        )
        .unwrap();
    let mut rows = statement.query(()).unwrap();
    while let Some(row) = rows.next().unwrap() {
        tables.entry(row.get(0).unwrap()).or_default().push(row.get(1).unwrap());
    }
    tables
}

#[test]
fn migrations_apply_on_postgres_once_with_sqlites_tables_and_refuse_a_newer_schema() {
    let url = Cluster::shared().database();
    // Two replicas starting together: one migrates, the other waits on the lock and then
    // finds nothing to do.
    let replicas: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                schema::migrate_postgres(&mut Connection::from(PgConnection::connect(&url).unwrap()))
            })
        })
        .collect();
    for replica in replicas {
        assert_eq!(replica.join().unwrap().unwrap(), schema::latest());
    }
    let mut connection = Connection::from(PgConnection::connect(&url).unwrap());
    assert_eq!(schema::migrate_postgres(&mut connection).unwrap(), schema::latest(), "idempotent");
    let version: i64 = connection.query_row("SELECT version FROM langtrace_schema", (), |row| row.get(0)).unwrap();
    assert_eq!(version, i64::from(schema::latest()));

    let sqlite = sqlite_columns();
    assert!(sqlite.len() > 15, "the schema's tables: {:?}", sqlite.keys());
    assert_eq!(postgres_columns(&connection), sqlite, "the same tables and columns on both");

    connection.execute("UPDATE langtrace_schema SET version = version + 1", ()).unwrap();
    let refused = schema::migrate_postgres(&mut connection);
    assert!(matches!(refused, Err(MigrationError::TooNew { found, known }) if found == known + 1), "{refused:?}");
}
