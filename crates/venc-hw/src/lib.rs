//! # venc-hw
//!
//! The board backend: [`HwClient`] implements the K230 VENC MPI ([`venc_core::Mpi`]) by
//! talking to `agent/venc_agent.py` on a CanMV K230 board over TCP (`docs/hw-protocol.md`).
//! The same agent runs on a PC under the Python front as the [`EmulatedBoard`], which is what
//! CI tests against: no board is attached to these machines.
//!
//! Data flows one way, as in the simulator: the client uploads NV12 bytes into the board's
//! media memory (`WRITE_MEM`), sends frames by physical address, and downloads packs by address
//! (`READ_MEM`) after `GET_STREAM` names them.

pub mod client;
pub mod emulator;
pub mod protocol;

pub use client::{AgentStats, BoardTimes, HwClient, HwError, HwOptions, parse_board_url};
pub use emulator::EmulatedBoard;
pub use protocol::BoardInfo;
