//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export`, with the same
//! Basic credentials in the `authorization` metadata. Credentials and admission are
//! checked by an interceptor, before tonic decodes the message: bad credentials are
//! UNAUTHENTICATED, overload UNAVAILABLE (which clients retry), and a refused export
//! costs no memory.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::app::{ApiError, AppState};
use crate::auth::{AuthError, Project};
use crate::writer::Admission;

/// The gRPC trace service.
pub struct GrpcReceiver(pub AppState);

/// What the interceptor found out, handed to the service in the request's extensions.
#[derive(Clone)]
struct Admitted {
    project: Project,
    /// Shared only to fit in extensions (which must be `Clone`): the permit is given
    /// back when the service drops its copy, after the export is answered.
    _admission: Arc<Admission>,
}

/// Checks credentials, then admits the export, before its message is decoded.
#[derive(Clone)]
pub struct Admit(AppState);

impl tonic::service::Interceptor for Admit {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let authorization = request.metadata().get("authorization").and_then(|v| v.to_str().ok());
        let client = request.remote_addr().map(|addr| addr.ip());
        let project = self.0.auth.authenticate(authorization, client).map_err(|e| status(e.into()))?;
        let admission = self.0.writer.admit().map_err(|e| status(e.into()))?;
        request.extensions_mut().insert(Admitted { project, _admission: Arc::new(admission) });
        Ok(request)
    }
}

impl GrpcReceiver {
    /// The service behind its interceptor, accepting gzip and messages up to the body limit.
    pub fn into_service(self) -> InterceptedService<TraceServiceServer<Self>, Admit> {
        let limit = self.0.limits.max_body_bytes;
        let admit = Admit(self.0.clone());
        let server = TraceServiceServer::new(self)
            .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
            .max_decoding_message_size(limit);
        InterceptedService::new(server, admit)
    }
}

fn status(error: ApiError) -> Status {
    match error {
        ApiError::Unauthorized(e @ AuthError::Throttled(_)) => Status::resource_exhausted(e.to_string()),
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
        let Admitted { project, _admission: admission } = request
            .extensions()
            .get::<Admitted>()
            .cloned()
            .ok_or_else(|| Status::internal("export reached the service without its interceptor"))?;
        let response = super::ingest(&self.0, project, request.into_inner()).await.map_err(status)?;
        // Held until the export is answered.
        drop(admission);
        Ok(Response::new(response))
    }
}
