//! Hostile and merely heavy requests against a real `langtrace serve`: each case gets a
//! bounded outcome (a precise 4xx naming the limit, an answer for other projects while a
//! heavy request is in flight, a server that keeps serving), never a crash, unbounded
//! memory or a stalled writer. One module per part of the collector the case aims at.

mod support;

#[path = "hostile/decode.rs"]
mod decode;
#[path = "hostile/keys.rs"]
mod keys;
#[path = "hostile/playground.rs"]
mod playground;
#[path = "hostile/reads.rs"]
mod reads;
#[path = "hostile/transport.rs"]
mod transport;
#[path = "hostile/writer.rs"]
mod writer;
