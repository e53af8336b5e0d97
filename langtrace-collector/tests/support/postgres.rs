//! A throwaway PostgreSQL cluster for the tests: Debian's server binaries
//! (`/usr/lib/postgresql/<version>/bin`, the newest installed, or `LANGTRACE_PG_BIN`),
//! `initdb` into a directory under the target directory, the server listening on a Unix
//! socket there only (no TCP port), as the `postgres` user when the tests run as root
//! (`initdb` refuses root). One cluster per test binary, started on first use; each test
//! takes a database of its own ([`store_for`] gives the collectors of a suite run with
//! `LANGTRACE_TEST_STORE=postgres` theirs). The server is its child with a parent-death signal, so
//! it stops when the test binary exits, however it exits.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use langtrace_collector::store::db::{Connection, PgConnection};

/// The PostgreSQL databases of the collectors started so far, by data directory.
static STORES: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());

/// With `LANGTRACE_TEST_STORE=postgres`, the PostgreSQL database of the collector over
/// `data_dir` (created on first use, the same again on a restart over that directory);
/// none otherwise. This is how a suite runs a second time on PostgreSQL.
pub fn store_for(data_dir: &Path) -> Option<String> {
    match std::env::var("LANGTRACE_TEST_STORE").as_deref() {
        Ok("postgres") => {}
        Ok("" | "sqlite") | Err(_) => return None,
        Ok(other) => panic!("LANGTRACE_TEST_STORE={other}: expected postgres or sqlite"),
    }
    let mut stores = STORES.lock().unwrap_or_else(PoisonError::into_inner);
    Some(stores.entry(data_dir.to_owned()).or_insert_with(|| Cluster::shared().database()).clone())
}

/// The PostgreSQL database [`store_for`] gave the collector over `data_dir`, if any (a
/// `langtrace demo`'s directory has none).
pub fn existing_store(data_dir: &Path) -> Option<String> {
    STORES.lock().unwrap_or_else(PoisonError::into_inner).get(data_dir).cloned()
}

/// The cluster superuser.
const SUPERUSER: &str = "langtrace";

/// A running cluster.
pub struct Cluster {
    socket_dir: PathBuf,
    /// With [`Cluster::tls`]: its TCP port and its certificate authority's certificate.
    tls: Option<(u16, PathBuf)>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static TLS_CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

impl Cluster {
    /// This test binary's cluster, started on first use (on a thread of its own, like
    /// [`Cluster::database`]); it does not sync its writes (`fsync=off`): tests do not
    /// crash the server.
    pub fn shared() -> &'static Cluster {
        CLUSTER.get_or_init(|| {
            std::thread::scope(|scope| {
                scope.spawn(|| Cluster::start("shared", false, false)).join().expect("start the test cluster")
            })
        })
    }

    /// A cluster that syncs its writes as a production server does, for benchmarks (one per
    /// process, like [`Cluster::shared`]).
    pub fn durable() -> &'static Cluster {
        CLUSTER.get_or_init(|| Cluster::start("shared", true, false))
    }

    /// A cluster that also listens on a loopback TCP port and takes TCP connections over
    /// TLS only (a certificate for `127.0.0.1` from a throwaway authority, both made by
    /// `openssl`), one per process; see [`Cluster::tls_url`] and [`Cluster::certificate`].
    pub fn tls() -> &'static Cluster {
        TLS_CLUSTER.get_or_init(|| {
            std::thread::scope(|scope| {
                scope.spawn(|| Cluster::start("tls", false, true)).join().expect("start the TLS test cluster")
            })
        })
    }

    /// The TCP connection string of `database` on a [`Cluster::tls`] cluster, with
    /// `sslmode`.
    pub fn tls_url(&self, database: &str, sslmode: &str) -> String {
        let (port, _) = self.tls.as_ref().expect("a cluster started by Cluster::tls");
        format!("host=127.0.0.1 port={port} user={SUPERUSER} dbname={database} sslmode={sslmode}")
    }

    /// The certificate (PEM) of the authority that signed a [`Cluster::tls`] cluster's.
    pub fn certificate(&self) -> &Path {
        &self.tls.as_ref().expect("a cluster started by Cluster::tls").1
    }

    /// The name of a new empty database (see [`Cluster::database`]).
    pub fn database_name(&self) -> String {
        let url = self.database();
        url.rsplit("dbname=").next().expect("a database name").to_owned()
    }

    /// A new empty database; its connection string. (On a thread of its own: the
    /// client waits on its runtime, which an asynchronous test's thread may not do.)
    pub fn database(&self) -> String {
        let name = format!("test_{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::Relaxed));
        let admin = self.url("postgres");
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let admin = Connection::from(PgConnection::connect(&admin).expect("connect to the cluster"));
                admin.execute_batch(&format!("CREATE DATABASE {name}")).expect("create a test database");
            });
        });
        self.url(&name)
    }

    /// The connection string of `database`.
    pub fn url(&self, database: &str) -> String {
        // The socket's name carries the port a TLS cluster listens on.
        let port = self.tls.as_ref().map_or(String::new(), |(port, _)| format!(" port={port}"));
        format!("host={}{port} user={SUPERUSER} dbname={database}", self.socket_dir.display())
    }

    fn start(kind: &str, fsync: bool, tls: bool) -> Cluster {
        let bin = binaries();
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale(tmp);
        let root = tmp.join(format!("postgres-{}-{kind}", std::process::id()));
        std::fs::create_dir_all(&root).expect("cluster directory");
        let owner = server_user();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&root, Some(uid), Some(gid)).expect("hand the cluster directory to postgres");
        }
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).expect("private cluster directory");
        let data = root.join("data");
        let status = as_server_user(Command::new(bin.join("initdb")), owner)
            .args(["--no-sync", "--auth=trust", "--encoding=UTF8", "--locale=C", "--username", SUPERUSER, "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .status()
            .expect("run initdb");
        assert!(status.success(), "initdb failed");
        let listening = tls.then(|| serve_tls(&root, &data, owner));
        let mut settings = vec!["-c".to_owned(), if fsync { "fsync=on" } else { "fsync=off" }.to_owned()];
        match &listening {
            Some((port, _)) => settings.extend(
                [
                    "listen_addresses=127.0.0.1".to_owned(),
                    format!("port={port}"),
                    "ssl=on".to_owned(),
                    format!("ssl_cert_file={}", root.join("server.crt").display()),
                    format!("ssl_key_file={}", root.join("server.key").display()),
                ]
                .into_iter()
                .flat_map(|setting| ["-c".to_owned(), setting]),
            ),
            None => settings.extend(["-c".to_owned(), "listen_addresses=".to_owned()]),
        }
        let (started, outcome) = mpsc::channel();
        let server = bin.join("postgres");
        let (data_arg, socket_arg) = (data.clone(), root.clone());
        // The server's parent is this thread, which lives as long as the process: the
        // parent-death signal fires when the test binary exits.
        std::thread::spawn(move || {
            let mut command = as_server_user(Command::new(server), owner);
            command
                .arg("-D")
                .arg(&data_arg)
                .arg("-k")
                .arg(&socket_arg)
                .args(&settings)
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
            unsafe {
                command.pre_exec(|| {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) == -1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            match command.spawn() {
                Ok(mut child) => {
                    let _ = started.send(Ok(()));
                    let _ = child.wait();
                }
                Err(error) => {
                    let _ = started.send(Err(error));
                }
            }
        });
        outcome.recv().expect("server thread").expect("start postgres");
        let cluster = Cluster { socket_dir: root, tls: listening };
        cluster.wait_until_ready();
        cluster
    }

    /// Polls a connection until the server accepts one (a minute at most).
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match PgConnection::connect(&self.url("postgres")) {
                Ok(_) => return,
                Err(error) if Instant::now() > deadline => panic!("postgres did not start: {error}"),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

/// Makes a certificate authority and, signed by it, the server's certificate for
/// `127.0.0.1` in `root` (as the server's user, who must own its key), and lets TCP
/// clients on loopback in over TLS only; the TCP port (free when asked) and the
/// authority's certificate.
fn serve_tls(root: &Path, data: &Path, owner: Option<(u32, u32)>) -> (u16, PathBuf) {
    let openssl = |args: &[&str]| {
        let status = as_server_user(Command::new("openssl"), owner)
            .current_dir(root)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run openssl (Debian's openssl package)");
        assert!(status.success(), "openssl {args:?} failed");
    };
    let new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(&[&["req", "-x509", "-days", "1", "-subj", "/CN=langtrace test CA", "-keyout", "ca.key", "-out", "ca.crt"][..], &new_key].concat());
    openssl(
        &[&["req", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"][..], &new_key].concat(),
    );
    std::fs::write(root.join("server.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
        .expect("write the certificate's extensions");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
    ]);
    // Unix socket: trusted as before; TCP: TLS only.
    std::fs::write(data.join("pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.1/32 trust\n")
        .expect("write pg_hba.conf");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    (port, root.join("ca.crt"))
}

/// Removes the clusters of test binaries that have exited.
fn remove_stale(tmp: &Path) {
    for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let pid = name.to_str().and_then(|name| name.strip_prefix("postgres-")).and_then(|rest| rest.split('-').next());
        if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The directory of the server binaries.
fn binaries() -> PathBuf {
    if let Some(dir) = std::env::var_os("LANGTRACE_PG_BIN") {
        return dir.into();
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect(
        "no PostgreSQL server in /usr/lib/postgresql: install Debian's `postgresql` package (`.ci/run` does) \
         or set LANGTRACE_PG_BIN",
    )
}

/// The `postgres` user's ids when running as root (the server refuses root), else none.
fn server_user() -> Option<(u32, u32)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    let entry = passwd
        .lines()
        .find(|line| line.starts_with("postgres:"))
        .expect("running as root needs the `postgres` user to own the test cluster (Debian's package creates it)");
    let fields: Vec<&str> = entry.split(':').collect();
    Some((fields[2].parse().expect("uid"), fields[3].parse().expect("gid")))
}

fn as_server_user(mut command: Command, owner: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid).env("HOME", "/tmp");
    }
    command
}
