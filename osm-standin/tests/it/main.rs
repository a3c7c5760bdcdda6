//! Integration tests: the stand-in driven over raw TCP, as tcc will drive it.

mod aksk_auth;
mod binary;
mod client;
mod flaky;
mod gateway;
mod iam;
mod keep_alive;
mod lifecycle;
mod network;
mod proxy;
mod recording;
mod scenarios;
mod signing;
mod tls;
