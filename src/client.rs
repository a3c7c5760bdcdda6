//! The client: options resolved once into a ready request (target, headers,
//! credentials) and a transport. Its only mutable state is the credential
//! cache (looked-up domain id, IAM token), behind locks, so one client
//! serves any number of threads at once.

use ureq::http::{HeaderName, HeaderValue};

use crate::auth::Auth;
use crate::config::ClientOptions;
use crate::deadline::Deadline;
use crate::endpoint::Target;
use crate::error::Error;
use crate::model::CcEmails;
use crate::response::read_cc_emails;
use crate::transport::Transport;

/// "Querying Service Ticket CC" (`ListCaseCcEmails` in the official SDKs).
pub const CC_EMAILS_PATH: &str = "/v2/servicerequest/carbon-copy-emails";

pub struct Client {
    transport: Transport,
    auth: Auth,
    cc_emails: Target,
    /// The optional headers (`X-Language`, `X-Time-Zone`, `X-Site`), built
    /// once: a call only clones reference-counted values.
    headers: Vec<(HeaderName, HeaderValue)>,
    timeout: std::time::Duration,
}

impl Client {
    /// Builds a client. Reads the CA file if one is set; sends nothing.
    pub fn new(options: &ClientOptions) -> Result<Self, Error> {
        let endpoint = options.require_endpoint()?;
        let credentials = options.require_credentials()?;
        let cc_emails = endpoint.target(CC_EMAILS_PATH)?;

        let mut headers = Vec::new();
        if let Some(language) = &options.language {
            headers.push((HeaderName::from_static("x-language"), header(language)?));
        }
        if let Some(time_zone) = &options.time_zone {
            headers.push((HeaderName::from_static("x-time-zone"), header(time_zone)?));
        }
        if let Some(site) = options.site {
            let code = HeaderValue::from(site as u16);
            headers.push((HeaderName::from_static("x-site"), code));
        }

        Ok(Client {
            transport: Transport::new(options)?,
            auth: Auth::new(credentials, &options.iam_endpoint())?,
            cc_emails,
            headers,
            timeout: options.timeout,
        })
    }

    /// `GET /v2/servicerequest/carbon-copy-emails`. The configured timeout
    /// bounds the whole call, IAM requests it needs included.
    pub fn fetch_cc_emails(&self) -> Result<CcEmails, Error> {
        let deadline = Deadline::after(self.timeout);
        let response = self
            .auth
            .get(&self.transport, &self.cc_emails, &self.headers, deadline)?;
        read_cc_emails(response)
    }
}

/// Values were validated by the options' setters; this only converts.
fn header(value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::invalid_argument("a header value holds a forbidden character"))
}
