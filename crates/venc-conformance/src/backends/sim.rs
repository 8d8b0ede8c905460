//! The simulator as a backend (feature `sim`; links its codecs).

use crate::run::Backend;
use std::sync::Arc;
use venc_core::Mpi;

/// The simulator as a backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimBackend {
    /// Simulator options (defaults: lenient, one codec thread).
    pub opts: venc_sim::SimOptions,
}

impl Backend for SimBackend {
    fn name(&self) -> &str {
        "sim"
    }

    fn open(&self) -> Result<Arc<dyn Mpi>, String> {
        Ok(venc_sim::Simulator::shared(self.opts))
    }

    fn describe(&self) -> String {
        format!(
            "venc-sim {} (H.264: openh264; H.265: {})",
            env!("CARGO_PKG_VERSION"),
            venc_sim::codec::h265_library().unwrap_or_else(|e| e.to_string())
        )
    }
}
