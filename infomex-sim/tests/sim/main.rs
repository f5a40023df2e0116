//! The simulator driven over real HTTP, as a PNT implementation would drive it: one test binary
//! (the target `sim`, which `.ci/run` runs on other dates), one module per concern.

mod helpers;

mod accounts;
mod admin;
mod determinism;
mod dialects;
mod faults;
mod limits;
mod replicas;
mod routing;
mod sessions;
