//! Integration tests: the stand-in driven over raw TCP, as tcc will drive it.

mod binary;
mod client;
mod gateway;
mod keep_alive;
mod lifecycle;
mod recording;
mod scenarios;
mod tls;
