//! tcc
pub mod signing;
