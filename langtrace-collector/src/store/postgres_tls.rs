//! TLS to a PostgreSQL store. A URL with `sslmode=require` (libpq's `verify-ca` and
//! `verify-full` read the same) connects over TLS with rustls (the aws-lc-rs provider the
//! HTTP client uses), the server's certificate verified against the system's roots and,
//! when given, a CA file's, and its host name checked: as strict as libpq's
//! `verify-full`, whatever the mode says. Without it the connection is plain (a Unix
//! socket, a private network).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use tokio_postgres_rustls::MakeRustlsConnect;

/// `text` with libpq's verifying modes spelled as `require`, the one TLS mode the
/// client parses (and verifies as `verify-full`).
pub fn normalized(text: &str) -> String {
    text.replace("sslmode=verify-full", "sslmode=require").replace("sslmode=verify-ca", "sslmode=require")
}

/// The TLS connector every connection of a store shares: the system's roots, and
/// `ca_file`'s certificates (PEM) if given.
pub fn connector(ca_file: Option<&Path>) -> Result<MakeRustlsConnect, String> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(path) = ca_file {
        let unreadable = |error: rustls::pki_types::pem::Error| format!("cannot read {}: {error}", path.display());
        let certificates = CertificateDer::pem_file_iter(path)
            .map_err(unreadable)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(unreadable)?;
        if certificates.is_empty() {
            return Err(format!("{} holds no PEM certificate", path.display()));
        }
        for certificate in certificates {
            roots.add(certificate).map_err(|error| format!("{}: {error}", path.display()))?;
        }
    }
    if roots.is_empty() {
        return Err("this system trusts no root certificate: name the server's CA with --store-ca-file".into());
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
