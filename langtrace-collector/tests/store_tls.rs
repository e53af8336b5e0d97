//! The PostgreSQL store over TLS, against a real cluster that takes TCP connections over
//! TLS only (`support::postgres::Cluster::tls`: a certificate for `127.0.0.1` from a
//! throwaway authority): a collector with `sslmode=require` and the authority's
//! certificate as its CA file
//! stores and reads back; without the CA file its start fails naming the certificate
//! problem; a CA file for a URL without TLS is refused naming the setting; a plain TCP
//! connection is refused by the server (so the first one was TLS).

mod support;

use langtrace_collector::store::db::{self, PgConnection};
use support::otlp::{self, span, trace_id};
use support::postgres::Cluster;
use support::{cli, Collector, DataDir};

/// `langtrace serve` on loopback ports with `flags`, which must not start; its stderr.
fn refused_start(flags: &[&str]) -> String {
    let data_dir = DataDir::temp();
    let listen = ["serve", "--http-addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0"];
    let output = cli::output(data_dir.path(), &[&listen[..], flags].concat());
    assert!(!output.status.success(), "started with {flags:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_collector_stores_over_tls_trusting_the_ca_file() {
    let cluster = Cluster::tls();
    let url = cluster.tls_url(&cluster.database_name(), "require");
    let certificate = cluster.certificate().to_str().unwrap();
    let collector = Collector::setup().args(&["--store", &url, "--store-ca-file", certificate]).process();
    otlp::send(&collector, &collector.authorization(), &otlp::request([span(5, 1)]));
    let trace = collector.ok(&format!("/api/public/traces/{}", trace_id(5)));
    assert_eq!(trace["observationCount"], 1, "{trace}");

    // libpq's verifying modes read the same.
    let url = cluster.tls_url(&cluster.database_name(), "verify-full");
    let collector = Collector::setup().args(&["--store", &url, "--store-ca-file", certificate]).process();
    assert_eq!(collector.ok("/api/public/traces")["meta"]["totalItems"], 0);
}

#[test]
fn the_server_takes_no_plain_tcp_connection() {
    let cluster = Cluster::tls();
    let plain = cluster.tls_url(&cluster.database_name(), "disable");
    let error = std::thread::spawn(move || PgConnection::connect(&plain).err().map(|e| db::Error::from(e).to_string()))
        .join()
        .unwrap()
        .expect("a plain connection refused");
    assert!(error.contains("pg_hba.conf") || error.contains("SSL off"), "{error}");
}

#[test]
fn an_untrusted_certificate_or_a_ca_file_without_tls_stops_serve_naming_why() {
    let cluster = Cluster::tls();
    let url = cluster.tls_url(&cluster.database_name(), "require");
    let stderr = refused_start(&["--store", &url]);
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");

    let certificate = cluster.certificate().to_str().unwrap();
    let plain = cluster.tls_url(&cluster.database_name(), "prefer");
    let stderr = refused_start(&["--store", &plain, "--store-ca-file", certificate]);
    assert!(stderr.contains("--store-ca-file") && stderr.contains("sslmode=require"), "{stderr}");

    let stderr = refused_start(&["--store", &url, "--store-ca-file", "/nonexistent/ca.pem"]);
    assert!(stderr.contains("--store-ca-file") && stderr.contains("/nonexistent/ca.pem"), "{stderr}");
}
