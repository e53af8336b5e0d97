//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export`, with the same
//! Basic credentials in the `authorization` metadata. Overload is UNAVAILABLE (which
//! clients retry), bad credentials UNAUTHENTICATED.

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use tonic::{Request, Response, Status};

use crate::api::{ApiError, AppState};

/// The gRPC trace service.
pub struct GrpcReceiver(pub AppState);

impl GrpcReceiver {
    /// The service, accepting gzip and messages up to the body limit.
    pub fn into_service(self) -> TraceServiceServer<Self> {
        let limit = self.0.limits.max_body_bytes;
        TraceServiceServer::new(self)
            .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
            .max_decoding_message_size(limit)
    }
}

fn status(error: ApiError) -> Status {
    match error {
        ApiError::Unauthorized(e) => Status::unauthenticated(e.to_string()),
        ApiError::Overloaded => Status::unavailable("overloaded: retry later"),
        ApiError::BadRequest(m) => Status::invalid_argument(m),
        ApiError::TooLarge(_) => Status::resource_exhausted(error.to_string()),
        other => Status::internal(other.to_string()),
    }
}

#[tonic::async_trait]
impl TraceService for GrpcReceiver {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let authorization = request.metadata().get("authorization").and_then(|v| v.to_str().ok());
        let project = self.0.auth.authenticate(authorization).map_err(|e| status(e.into()))?;
        // Admitted after tonic has decoded the message (its size bounded by the body limit).
        let _admission = self.0.writer.admit().map_err(|e| status(e.into()))?;
        let response = super::ingest(&self.0, project, request.into_inner()).await.map_err(status)?;
        Ok(Response::new(response))
    }
}
