//! tcc: a client for Huawei Cloud OSM's "Querying Service Ticket CC"
//! (`GET /v2/servicerequest/carbon-copy-emails`), with a C ABI.
//!
//! The safe Rust core (options, credentials, transport, response model,
//! errors) is usable from Rust directly; `ffi` is a thin C layer over it.

mod auth;
pub mod client;
pub mod config;
mod connection;
mod connection_pool;
pub mod credentials;
mod deadline;
mod dialer;
pub mod endpoint;
pub mod env;
pub mod error;
pub mod ffi;
/// For the fuzz targets in `fuzz/`; not part of the API.
#[doc(hidden)]
pub mod fuzzing;
mod http1;
mod iam;
mod jitter;
pub mod model;
mod net_error;
mod percent_decode;
mod proxy;
mod redirect;
mod resolver;
mod response;
mod retry;
mod secret;
pub mod signing;
mod tcp_transport;
mod timestamp;
mod transport;
pub mod trust;
mod validate;

pub use client::Client;
pub use config::{ClientOptions, Site};
pub use credentials::Credentials;
pub use error::{Error, ErrorKind};
pub use model::{CcEmails, CcRecord};
pub use response::{read_cc_emails, HttpResponse};
pub use secret::Secret;
pub use trust::TrustStore;
