//! Entry points for the fuzz targets in `fuzz/`: not part of tcc's API, and
//! hidden from its documentation.

use crate::error::Error;
use crate::http1::{self, Limits, Pieces};
use crate::response::HttpResponse;

/// Reads one HTTP/1.1 response from `bytes`, arriving in pieces of
/// `piece_size` bytes, as the client reads it from a connection. Returns the
/// response and whether the connection could carry another request.
pub fn read_http1_response(
    bytes: &[u8],
    piece_size: usize,
    max_header_bytes: usize,
    max_body_bytes: u64,
) -> Result<(HttpResponse, bool), Error> {
    let limits = Limits {
        max_header_bytes,
        max_body_bytes,
    };
    http1::read_response(&mut Pieces::sized(bytes, piece_size), limits)
}
