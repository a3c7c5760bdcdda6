//! One error type for the whole library: what went wrong (`ErrorKind`), a
//! human message, and whatever the server told us (status, service code,
//! request id). Messages never contain credentials: they are built only from
//! argument names, URLs without user info, and what the server sent.

use std::fmt;

/// The class of a failure. The C layer maps each kind to one result code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A caller-supplied value is missing, malformed, too long or out of range.
    InvalidArgument,
    /// The configuration cannot work (no credentials, unreadable CA file, ...).
    Config,
    /// Connecting, sending or receiving failed below HTTP.
    Network,
    /// A connect, read or overall deadline passed.
    Timeout,
    /// The TLS handshake or certificate verification failed.
    Tls,
    /// HTTP 401 or 403: the credentials were rejected or lack permission.
    Auth,
    /// HTTP 429: the API gateway throttled the call.
    Throttled,
    /// HTTP 5xx.
    Server,
    /// The service answered with an `error_code` (including HTTP 200 business errors).
    Service,
    /// Any other unexpected HTTP status (3xx, 4xx without a service error body).
    Http,
    /// The body is not JSON, is truncated, or has the wrong shape.
    BadResponse,
    /// The body exceeds the configured size limit.
    ResponseTooLarge,
    /// The caller cancelled the call before it completed.
    Cancelled,
    /// A bug in tcc (a caught panic). Please report it.
    Internal,
}

/// A failed operation, with every detail the server gave us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    http_status: Option<u16>,
    service_code: Option<String>,
    service_message: Option<String>,
    request_id: Option<String>,
    /// How many times the failed request was sent; 0 when none was.
    attempts: u32,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            http_status: None,
            service_code: None,
            service_message: None,
            request_id: None,
            attempts: 0,
        }
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    pub(crate) fn with_service_error(mut self, code: Option<String>, msg: Option<String>) -> Self {
        self.service_code = code;
        self.service_message = msg;
        self
    }

    /// Records how many times the failed request was sent. More than one
    /// (it was retried) is also said at the end of the message, e.g.
    /// `HTTP 503 with an empty body (after 3 attempts)`. The first count
    /// recorded stays: it belongs to the request that failed.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        if self.attempts != 0 {
            return self;
        }
        if attempts > 1 {
            self.message = format!("{} (after {attempts} attempts)", self.message);
        }
        self.attempts = attempts;
        self
    }

    /// Says what was being done: `"domain id lookup failed"` turns
    /// `HTTP 401: ...` into `domain id lookup failed: HTTP 401: ...`.
    pub(crate) fn context(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What went wrong, in one line, for a log or a user.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The service's `error_code` (e.g. `OSM.0002`, `APIGW.0301`).
    pub fn service_code(&self) -> Option<&str> {
        self.service_code.as_deref()
    }

    /// The service's `error_msg`.
    pub fn service_message(&self) -> Option<&str> {
        self.service_message.as_deref()
    }

    /// How many times the request that failed was sent: 1 when it was not
    /// retried, 0 when no request was sent (a bad argument, a deadline that
    /// passed before sending). For a failed IAM request, its own count.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The `X-Request-Id` response header: quote it to Huawei Cloud support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
