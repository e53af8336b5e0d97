//! Langfuse's public routes the client uses, over HTTP with Basic authentication. Reads
//! are retried on connection failures, 429 and 5xx; writes are sent once.

use std::time::Duration;

use langtrace_api::{retry, send, Connection, Retries};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;

/// Retries of a read the server or network failed: two, after 250 ms then 500 ms.
const READ_RETRIES: Retries = Retries::doubling(2, Duration::from_millis(250));

/// The public API of one Langfuse project.
pub(crate) struct HttpApi {
    connection: Connection,
}

impl HttpApi {
    pub(crate) fn new(connection: Connection) -> Self {
        Self { connection }
    }

    /// The API's base URL (`…/api/public`).
    pub(crate) fn base(&self) -> &str {
        self.connection.base()
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.connection.request(method, &format!("{}{path}", self.base()))
    }

    /// `GET {base}{path}` (path with its query), retried.
    pub(crate) async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        Ok(retry(&READ_RETRIES, || send(self.request(reqwest::Method::GET, path))).await?)
    }

    /// `POST {base}{path}` with a JSON body, once.
    pub(crate) async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Result<T, Error> {
        Ok(send(self.request(reqwest::Method::POST, path).json(body)).await?)
    }
}
