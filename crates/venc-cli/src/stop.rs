//! Ctrl-C (and SIGTERM, SIGHUP) end a `venc encode` as the IDE's stop ends a script: the input
//! ends, the encoder drains what it took, the channel is stopped and destroyed, the output is
//! finished (an MP4's `moov` written, a fragmented MP4's last fragment closed) and kept, and
//! the command exits 130. A second signal while that runs exits 130 at once.

use std::sync::atomic::{AtomicBool, Ordering};
use venc_harness::source::{FrameSource, SourceError};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Catches the signals for the rest of the process.
pub fn install() -> Result<(), String> {
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            // The second one: the user wants out now.
            std::process::exit(130);
        }
    })
    .map_err(|e| format!("signal handler: {e}"))
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// A frame source that ends when a stop is asked for.
pub struct UntilStopped<'a>(pub &'a mut dyn FrameSource);

impl FrameSource for UntilStopped<'_> {
    fn width(&self) -> u32 {
        self.0.width()
    }

    fn height(&self) -> u32 {
        self.0.height()
    }

    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError> {
        if requested() {
            return Ok(false);
        }
        self.0.next_frame(y, uv)
    }
}
