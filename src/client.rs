//! The client: options resolved once into a ready request (URL, headers,
//! credentials) and a transport. Immutable after creation, so one client
//! serves any number of threads at once.

use ureq::http::{HeaderName, HeaderValue, Uri};

use crate::config::ClientOptions;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::model::CcEmails;
use crate::response::read_cc_emails;
use crate::transport::Transport;

/// "Querying Service Ticket CC" (`ListCaseCcEmails` in the official SDKs).
pub const CC_EMAILS_PATH: &str = "/v2/servicerequest/carbon-copy-emails";

pub struct Client {
    transport: Transport,
    cc_emails_uri: Uri,
    /// Every header of the request but those ureq adds (Host, User-Agent),
    /// built once: a call only clones reference-counted values.
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Client {
    /// Builds a client. Reads the CA file if one is set; sends nothing.
    pub fn new(options: &ClientOptions) -> Result<Self, Error> {
        let endpoint = options.require_endpoint()?;
        let credentials = options.require_credentials()?;
        let url = endpoint.url_for(CC_EMAILS_PATH);
        let cc_emails_uri: Uri = url.parse().map_err(|_| {
            Error::new(
                ErrorKind::Config,
                format!("endpoint gives an invalid URL: {url}"),
            )
        })?;

        let mut headers = Vec::new();
        match credentials {
            Credentials::Token(token) => {
                let mut value = header(token.expose())?;
                // Keeps the value out of http's Debug output.
                value.set_sensitive(true);
                headers.push((HeaderName::from_static("x-auth-token"), value));
            }
        }
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
            cc_emails_uri,
            headers,
        })
    }

    /// `GET /v2/servicerequest/carbon-copy-emails`.
    pub fn fetch_cc_emails(&self) -> Result<CcEmails, Error> {
        let response = self.transport.get(&self.cc_emails_uri, &self.headers)?;
        read_cc_emails(response)
    }
}

/// Values were validated by the options' setters; this only converts.
fn header(value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::invalid_argument("a header value holds a forbidden character"))
}
