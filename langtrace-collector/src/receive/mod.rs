//! OTLP receivers: HTTP (`/v1/traces`, `/api/public/otel/v1/traces`) and gRPC
//! (`TraceService/Export`). Transports differ; from the message's bytes on, the path is
//! shared: counted against the decode limits ([`count`], [`limits`]) before anything is
//! built, decoded into records ([`decode`]), written through the single writer, and
//! answered ([`reply`] for HTTP's formats) only after the spans are committed and synced.
//! The export's admission permit travels with the work (the blocking decode, then the
//! write job), so a client that goes away does not free its place while its work runs on;
//! the decode itself runs in one of a few [`slots`].

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;

use crate::app::{ApiError, AppState};
use crate::auth::Project;
use crate::forward;
use crate::store::write;
use count::CountError;
use reply::Format;

pub mod count;
pub mod decode;
#[cfg(test)]
mod fuzz;
pub mod grpc;
pub mod http;
pub mod limits;
pub mod raw_codec;
pub mod reply;
pub mod slots;
#[cfg(test)]
mod tests;

impl From<CountError> for ApiError {
    fn from(error: CountError) -> Self {
        match error {
            CountError::Limit(exceeded) => ApiError::LimitExceeded(exceeded),
            CountError::Malformed(message) => ApiError::BadRequest(message),
        }
    }
}

/// The export request in `body`, counted against the decode limits, then decoded.
pub fn parse(
    format: Format,
    body: &[u8],
    limits: &limits::DecodeLimits,
) -> Result<(ExportTraceServiceRequest, count::Counts), ApiError> {
    let counts = count::count(format, body, limits)?;
    let request = match format {
        Format::Protobuf => ExportTraceServiceRequest::decode(body)
            .map_err(|e| ApiError::BadRequest(format!("invalid OTLP protobuf: {e}")))?,
        Format::Json => {
            serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("invalid OTLP JSON: {e}")))?
        }
    };
    Ok((request, counts))
}

/// Counts, decodes, maps, stores and answers one export request whose message `body`
/// gives (decompressing it if need be). `permit` (the export's admission) is held until
/// the work is done, whether or not the caller still waits for it.
pub async fn ingest<B: AsRef<[u8]>>(
    state: &AppState,
    project: Project,
    permit: impl Send + 'static,
    format: Format,
    body: impl FnOnce() -> Result<B, ApiError> + Send + 'static,
) -> Result<ExportTraceServiceResponse, ApiError> {
    let limits = state.limits.decode;
    let (preparing, project_id) = (state.clone(), project.id.clone());
    // Decompressing, counting, decoding, mapping, pricing and rendering rows is CPU work:
    // off the async workers, off the writer, and in one of a few slots.
    let slot = state.decode_slots.acquire().await;
    let (batch, outgoing, rejected, errors, permit) = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let body = body()?;
        let (mut request, counts) = parse(format, body.as_ref(), &limits)?;
        // Not held while the spans are mapped and written.
        drop(body);
        // Encoded as it will travel upstream, only when forwarding.
        let forwarded = preparing.forward.is_some().then(|| forward::batch::encode_export(&mut request, &project_id));
        let decoded = decode::decode(request, counts.spans);
        let spans = decoded.observations.len() as i64;
        let outgoing = forwarded.map(|body| forward::Outgoing { body, spans });
        let price = |model: &str, usage: &_| preparing.prices.cost(&project_id, model, usage);
        let batch = write::prepare(decoded.observations, &preparing.limits.stored, price);
        Ok::<_, ApiError>((batch, outgoing, decoded.rejected, decoded.errors, permit))
    })
    .await
    .map_err(ApiError::internal)??;
    if !batch.is_empty() {
        // The job owns the permit: given back once the job is answered.
        let job = (batch, outgoing, permit);
        let forwarding = state.forward.clone();
        let locks = job.0.locks(&project.id);
        let dropped = state
            .writer
            .write_locked(locks, move |tx| {
                write::observations(tx, &project.id, &job.0)?;
                match (&forwarding, &job.1) {
                    (Some(forwarding), Some(outgoing)) => forwarding.append(tx, &project.id, outgoing),
                    _ => Ok(0),
                }
            })
            .await?;
        if let Some(forwarding) = &state.forward {
            forwarding.wake();
            if dropped > 0 {
                tracing::warn!(dropped, "the forwarding backlog is full: its oldest spans were dropped");
            }
        }
    }
    let partial_success = (rejected > 0)
        .then(|| ExportTracePartialSuccess { rejected_spans: rejected, error_message: errors.join("; ") });
    Ok(ExportTraceServiceResponse { partial_success })
}
