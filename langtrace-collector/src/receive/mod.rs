//! OTLP receivers: HTTP (`/v1/traces`, `/api/public/otel/v1/traces`) and gRPC
//! (`TraceService/Export`), both decoding into records with [`decode`] and writing them
//! through the single writer; a request is answered only after its spans are committed.

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};

use crate::api::{ApiError, AppState};
use crate::auth::Project;
use crate::store::write;

pub mod decode;
pub mod grpc;
pub mod http;

/// Maps, stores and answers one export request.
pub async fn ingest(
    state: &AppState,
    project: Project,
    request: ExportTraceServiceRequest,
) -> Result<ExportTraceServiceResponse, ApiError> {
    let decoded = decode::decode(request);
    if !decoded.observations.is_empty() {
        let records = decoded.observations;
        state.writer.write(move |tx, writer| write::observations(tx, writer, &project.id, &records)).await?;
    }
    let partial_success = (decoded.rejected > 0).then(|| ExportTracePartialSuccess {
        rejected_spans: decoded.rejected,
        error_message: decoded.errors.join("; "),
    });
    Ok(ExportTraceServiceResponse { partial_success })
}
