//! # k230_mpp_sim: the K230 MPP's C ABI over the simulator
//!
//! A C program written against the SDK's MPP headers builds against `include/` and links
//! `libk230_mpp_sim` (cdylib or staticlib) instead of the board's `libvenc.a`/`libvb.a`/
//! `libsys.a`; it then drives the simulator through the same calls: [`vb`] (`kd_mpi_vb_*`),
//! [`sys`] (`kd_mpi_sys_mmap`, the MMZ calls, `bind`/`unbind`), [`venc`] (`kd_mpi_venc_*`) and
//! [`vicap`] (`kd_mpi_vicap_*`, the camera), [`vo`] (`kd_mpi_vo_*`, `kd_mpi_wbc_*`: the display
//! and its write-back), and the CanMV MPP's variant [`canmv`]
//! (`request_chn`, `attach_vb_pool`, the 44-byte `k_venc_chn_attr`). What is in and
//! what is not yet: docs/c-api.md.
//!
//! *Invariants:*
//! - every `#[repr(C)]` type in [`abi`] has the size and field offsets of k230-mpp-c-api.md §3,
//!   checked at compile time there and from C by `tests/layout.rs`;
//! - no panic crosses into C: every exported call runs under `board::guarded`;
//! - one process, one board ([`board`]), made at the first call.

/// The structs, with the SDK's layouts (crate `venc-capi-abi`, shared with the callers).
pub use k230_mpp_abi as abi;
pub mod bind;
mod board;
pub use board::panics_caught;
pub mod canmv;
mod codes;
pub mod hooks;
pub mod orient;
pub mod sensor;
pub mod sys;
pub mod tools;
pub mod twod;
pub mod unmodelled;
pub mod vb;
pub mod venc;
pub mod vicap;
pub mod vo;
