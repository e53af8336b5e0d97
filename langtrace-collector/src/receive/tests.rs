//! The export's work, not its request, holds the admission: a caller that goes away while
//! the decode runs (a client that disconnects, a gRPC timeout) does not free its place.

use std::future::Future;
use std::path::Path;
use std::sync::{mpsc, Arc};
use std::task::Poll;
use std::time::Duration;

use super::*;
use crate::app::reads::{ReadArgs, Reads};
use crate::app::Limits;
use crate::auth::settings::AuthArgs;
use crate::auth::Authenticator;
use crate::pricing::SharedPrices;
use crate::store::{Durability, Store};
use crate::writer::Writer;

/// A collector's state over `data_dir` with room for one export in flight.
fn state(data_dir: &Path) -> AppState {
    let (store, connection) = Store::open(data_dir, Durability::SyncedByWriter).unwrap();
    let writer = Writer::start(connection, store.checkpoint_connection().unwrap(), 1).unwrap();
    let limits = Limits {
        max_body_bytes: 1 << 20,
        body_timeout: Duration::from_secs(30),
        decode: limits::DecodeLimits::default(),
        stored: Default::default(),
        media_dir: data_dir.join("media"),
        public_url: String::new(),
    };
    let auth = Authenticator::new(store.clone(), &AuthArgs::default());
    let (reads, prices) = (Reads::new(ReadArgs::default()), SharedPrices::new(store.clone()));
    let decode_slots = slots::DecodeSlots::new(&slots::DecodeSlotArgs::default());
    let keyring = Arc::new(crate::secrets::key::Keyring::open(None, data_dir).unwrap());
    let providers = crate::providers::Providers::new(&Default::default());
    AppState {
        auth,
        reads,
        prices,
        decode_slots,
        store,
        writer,
        limits: Arc::new(limits),
        keyring,
        providers,
        forward: None,
    }
}

/// Says when it is dropped.
struct Dropped(mpsc::Sender<()>);

impl Drop for Dropped {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

#[tokio::test]
async fn a_caller_that_goes_away_leaves_its_place_taken_until_the_work_is_done() {
    let data_dir = tempfile::tempdir().unwrap();
    let state = state(data_dir.path());
    let admission = state.writer.admit().unwrap();
    let (go, wait) = mpsc::channel::<()>();
    let (dropped, permit_dropped) = mpsc::channel();
    // The work waits for `go` before it reads its (empty) export.
    let body = move || {
        wait.recv().unwrap();
        Ok(Vec::new())
    };
    let project = Project { id: "p".into(), name: "p".into() };
    let permit = (admission, Dropped(dropped));
    let mut export = Box::pin(ingest(&state, project, permit, Format::Protobuf, body));
    // Polled once, the work is on a blocking thread; then the caller goes away.
    std::future::poll_fn(|cx| {
        assert!(export.as_mut().poll(cx).is_pending());
        Poll::Ready(())
    })
    .await;
    drop(export);
    assert!(state.writer.admit().is_err(), "the place stays taken while the work runs");
    go.send(()).unwrap();
    permit_dropped.recv_timeout(Duration::from_secs(60)).expect("the work ends and gives its place back");
    assert!(state.writer.admit().is_ok());
}
