//! A gRPC codec that hands the request message over as its bytes, undecoded, and encodes
//! the reply with prost: the export's message is counted against the decode limits and
//! decoded by our own code ([`super::ingest`]), as an OTLP/HTTP body is, instead of by
//! tonic before any limit could be checked.

use std::marker::PhantomData;

use prost::bytes::{Buf, Bytes};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::Status;

/// Bytes in, `M` out.
#[derive(Debug)]
pub struct RawCodec<M>(PhantomData<M>);

impl<M> Default for RawCodec<M> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<M: prost::Message + Send + 'static> Codec for RawCodec<M> {
    type Encode = M;
    type Decode = Bytes;
    type Encoder = MessageEncoder<M>;
    type Decoder = BytesDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        MessageEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        BytesDecoder
    }
}

/// Encodes a prost message.
#[derive(Debug)]
pub struct MessageEncoder<M>(PhantomData<M>);

impl<M: prost::Message> Encoder for MessageEncoder<M> {
    type Item = M;
    type Error = Status;

    fn encode(&mut self, item: M, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst).map_err(|e| Status::internal(format!("cannot encode the reply: {e}")))
    }
}

/// Takes the message's bytes (already decompressed and within tonic's message size limit).
#[derive(Debug)]
pub struct BytesDecoder;

impl Decoder for BytesDecoder {
    type Item = Bytes;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Status> {
        Ok(Some(src.copy_to_bytes(src.remaining())))
    }
}
