//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export`, with the same
//! Basic credentials in the `authorization` metadata. Credentials and admission are
//! checked by an interceptor, before the message is read: bad credentials are
//! UNAUTHENTICATED, overload UNAVAILABLE (which clients retry), and a refused export
//! costs no memory. The message reaches [`super::ingest`] as bytes ([`RawCodec`]), so it
//! is counted against the decode limits before it is decoded, as an OTLP/HTTP body is; an
//! export past one gets RESOURCE_EXHAUSTED with the limit's name.

use std::convert::Infallible;
use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::bytes::Bytes;
use tonic::codegen::{http, BoxFuture, Context, Poll, Service, StdError};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use super::raw_codec::RawCodec;
use super::reply::Format;
use crate::app::{ApiError, AppState};
use crate::auth::{AuthError, Project};
use crate::writer::Admission;

/// The gRPC trace service: Export, and UNIMPLEMENTED for any other method.
#[derive(Clone)]
pub struct GrpcReceiver(pub AppState);

/// The path of the one method.
const EXPORT: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// What the interceptor found out, handed to the service in the request's extensions.
#[derive(Clone)]
struct Admitted {
    project: Project,
    /// Shared only to fit in extensions (which must be `Clone`): the service takes it out
    /// and moves it into the export's work, which gives it back once answered.
    admission: Arc<Admission>,
}

/// Checks credentials, then admits the export, before its message is read.
#[derive(Clone)]
pub struct Admit(AppState);

impl tonic::service::Interceptor for Admit {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let authorization = request.metadata().get("authorization").and_then(|v| v.to_str().ok());
        let client = request.remote_addr().map(|addr| addr.ip());
        let project = self.0.auth.authenticate(authorization, client).map_err(|e| status(e.into()))?;
        let admission = self.0.writer.admit().map_err(|e| status(e.into()))?;
        request.extensions_mut().insert(Admitted { project, admission: Arc::new(admission) });
        Ok(request)
    }
}

impl GrpcReceiver {
    /// The service behind its interceptor.
    pub fn into_service(self) -> InterceptedService<Self, Admit> {
        let admit = Admit(self.0.clone());
        InterceptedService::new(self, admit)
    }
}

impl NamedService for GrpcReceiver {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
}

fn status(error: ApiError) -> Status {
    match error {
        ApiError::Unauthorized(e @ AuthError::Throttled(_)) => Status::resource_exhausted(e.to_string()),
        ApiError::Unauthorized(e) => Status::unauthenticated(e.to_string()),
        ApiError::Overloaded => Status::unavailable("overloaded: retry later"),
        ApiError::BadRequest(m) => Status::invalid_argument(m),
        ApiError::TooLarge(_) | ApiError::LimitExceeded(_) => Status::resource_exhausted(error.to_string()),
        other => Status::internal(other.to_string()),
    }
}

impl<B> Service<http::Request<B>> for GrpcReceiver
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != EXPORT {
            return Box::pin(async { Ok(Status::unimplemented("only Export is served here").into_http()) });
        }
        let state = self.0.clone();
        Box::pin(async move {
            // Messages up to the body limit, gzip accepted; decompression is bounded by it too.
            let mut grpc = Grpc::new(RawCodec::<ExportTraceServiceResponse>::default())
                .accept_compressed(tonic::codec::CompressionEncoding::Gzip)
                .max_decoding_message_size(state.limits.max_body_bytes);
            Ok(grpc.unary(Export(state), request).await)
        })
    }
}

/// One export, its message still bytes.
struct Export(AppState);

impl UnaryService<Bytes> for Export {
    type Response = ExportTraceServiceResponse;
    type Future = BoxFuture<Response<ExportTraceServiceResponse>, Status>;

    fn call(&mut self, mut request: Request<Bytes>) -> Self::Future {
        let state = self.0.clone();
        Box::pin(async move {
            let Admitted { project, admission } = request
                .extensions_mut()
                .remove::<Admitted>()
                .ok_or_else(|| Status::internal("export reached the service without its interceptor"))?;
            let message = request.into_inner();
            let response = super::ingest(&state, project, admission, Format::Protobuf, move || Ok(message))
                .await
                .map_err(status)?;
            Ok(Response::new(response))
        })
    }
}
