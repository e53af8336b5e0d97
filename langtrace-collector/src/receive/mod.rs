//! OTLP receivers: HTTP (`/v1/traces`, `/api/public/otel/v1/traces`) and gRPC
//! (`TraceService/Export`). Transports differ; decoding into records ([`decode`]), the
//! write through the single writer, and the reply ([`reply`] for HTTP's formats) are
//! shared. A request is answered only after its spans are committed and synced.

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};

use crate::app::{ApiError, AppState};
use crate::auth::Project;
use crate::store::write;

pub mod decode;
pub mod grpc;
pub mod http;
pub mod reply;

/// Maps, stores and answers one export request.
pub async fn ingest(
    state: &AppState,
    project: Project,
    request: ExportTraceServiceRequest,
) -> Result<ExportTraceServiceResponse, ApiError> {
    // Mapping and rendering rows is CPU work: off the async workers, and off the writer.
    let (preparing, project_id) = (state.clone(), project.id.clone());
    let (batch, rejected, errors) = tokio::task::spawn_blocking(move || {
        let decoded = decode::decode(request);
        let price = |model: &str, usage: &_| preparing.prices.cost(&project_id, model, usage);
        (write::prepare(decoded.observations, &preparing.limits.stored, price), decoded.rejected, decoded.errors)
    })
    .await
    .map_err(ApiError::internal)?;
    if !batch.is_empty() {
        state.writer.write(move |tx, writer| write::observations(tx, writer, &project.id, &batch)).await?;
    }
    let partial_success = (rejected > 0)
        .then(|| ExportTracePartialSuccess { rejected_spans: rejected, error_message: errors.join("; ") });
    Ok(ExportTraceServiceResponse { partial_success })
}
