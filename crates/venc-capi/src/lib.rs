//! The K230 MPP's C ABI over the simulator (issue 19, in progress): the structs a C program
//! passes to `kd_mpi_venc_*`, laid out as the SDK's headers lay them out (LP64), and the headers
//! in `include/` that a C program compiles against.
//!
//! *Invariant:* every `#[repr(C)]` type here has the size and field offsets of
//! k230-mpp-c-api.md §3, checked at compile time below and from C by `tests/layout.rs`.

pub mod abi;
