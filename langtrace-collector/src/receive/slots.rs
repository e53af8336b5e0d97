//! Decode slots: how many exports are decompressed, counted, decoded, mapped and rendered
//! into rows at once. That work is CPU-bound (more of it at once than there are cores
//! gains nothing) and is where an export is largest in memory (an export at the element
//! budget peaks at about 170 MiB while decoded), so it runs in a few slots, not in as many
//! as `--ingest-queue` admits: the decoded rows, much smaller, then wait for the writer.

use std::sync::Arc;

use clap::Args;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The decode-slot setting of `langtrace serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct DecodeSlotArgs {
    /// Exports decoded at once (decompressed, counted, decoded, mapped, rendered into
    /// rows); others admitted wait for a slot. Default: the number of CPUs.
    #[arg(long, env = "LANGTRACE_MAX_CONCURRENT_DECODES", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_decodes: Option<u32>,
}

/// The decode slots; cheap to clone.
#[derive(Clone)]
pub struct DecodeSlots(Arc<Semaphore>);

impl DecodeSlots {
    /// As many slots as `args` says, else as many as this machine has CPUs.
    pub fn new(args: &DecodeSlotArgs) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |cpus| cpus.get());
        let slots = args.max_concurrent_decodes.map_or(cpus, |slots| slots as usize);
        Self(Arc::new(Semaphore::new(slots)))
    }

    /// A slot, once one is free.
    pub async fn acquire(&self) -> OwnedSemaphorePermit {
        Arc::clone(&self.0).acquire_owned().await.expect("the decode slots are never closed")
    }
}
