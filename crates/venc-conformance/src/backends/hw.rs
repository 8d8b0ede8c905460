//! A board as a backend (feature `hw`; links no codec).

use crate::run::Backend;
use std::sync::Arc;
use venc_core::Mpi;

/// A K230 board (or the emulated board) through `venc-hw`'s client: one TCP session per case;
/// the agent cleans up a session's channels when it ends, which resets the board.
#[derive(Debug, Clone)]
pub struct HwBackend {
    url: String,
    opts: venc_hw::HwOptions,
    info: venc_hw::BoardInfo,
}

impl HwBackend {
    /// Connects once to learn what the board is (a K230 or the emulated board).
    pub fn connect(url: &str) -> Result<Self, String> {
        Self::connect_with(url, venc_hw::HwOptions::default())
    }

    /// The same with the client's options (`ask_released` off: the emulated board asked as a
    /// K230 is, so the suite's waits take the board's path, D-056).
    pub fn connect_with(url: &str, opts: venc_hw::HwOptions) -> Result<Self, String> {
        let client = venc_hw::HwClient::connect(url, opts).map_err(|e| e.to_string())?;
        let info = client.info().clone();
        drop(client);
        Ok(Self {
            url: url.to_owned(),
            opts,
            info,
        })
    }

    /// What the agent said in HELLO.
    pub fn info(&self) -> &venc_hw::BoardInfo {
        &self.info
    }
}

impl Backend for HwBackend {
    fn name(&self) -> &str {
        self.info.backend_name()
    }

    fn open(&self) -> Result<Arc<dyn Mpi>, String> {
        let client = venc_hw::HwClient::connect(&self.url, self.opts).map_err(|e| e.to_string())?;
        Ok(Arc::new(client))
    }

    fn describe(&self) -> String {
        if self.opts.ask_released {
            self.info.to_string()
        } else {
            format!(
                "{}; asked as a K230 (no count of released frames: the waits use the ring \
                 standing still, D-056)",
                self.info
            )
        }
    }
}
