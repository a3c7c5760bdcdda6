//! The C ABI: a thin layer that checks what C hands in, calls the safe core,
//! and hands results back as opaque handles, result codes and C strings.
//!
//! Every exported function runs its body inside `boundary`, so no panic can
//! unwind into C (a test checks that no export lacks it).

// The pointer contract of each `unsafe extern "C" fn` is written in its
// doc comment for C readers (borrowed/owned, NULL, lifetime), not in a
// Rust `# Safety` section.
#![allow(clippy::missing_safety_doc)]

// Declared in the order the header presents them: version and codes,
// error detail, options (credentials, network, from the environment),
// client, results, non-blocking calls, strings. Plumbing last.
mod version;
mod result_codes;
mod last_error;
mod options;
mod credentials;
mod network;
mod env;
mod client;
mod cc_emails;
mod calls;
mod strings;
mod boundary;
mod cstr;

pub use calls::*;
pub use cc_emails::*;
pub use client::*;
pub use credentials::*;
pub use env::*;
pub use last_error::*;
pub use network::*;
pub use options::*;
pub use result_codes::*;
pub use strings::*;
pub use version::*;
