//! Long runs over any backend: every channel runs the manual's Example 2 at once, for many
//! frames, while a sampler reads the process's resident memory. What a week without a restart
//! needs: no frame lost, memory flat once warmed up.
//!
//! The CI soak (`venc-sim/tests/soak.rs`) and `cargo xtask soak` (10⁶ frames, figures printed)
//! run the same [`soak`].

use crate::source::TestPattern;
use crate::{EncodeJob, EncodeRunError, EncodeSummary, run_example2};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use venc_core::{ChnAttrStr, Mpi};

/// How often the sampler reads the resident set.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// The resident set of this process in bytes (`/proc/self/statm`; `None` where there is none).
pub fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Linux's base page on every target this project builds for.
    Some(pages * 4096)
}

/// What a soak run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SoakReport {
    /// Each channel's Example 2 summary, by channel.
    pub channels: Vec<EncodeSummary>,
    /// Frames sent and not returned as a pack, over all channels.
    pub frames_lost: u64,
    /// Resident set before the channels started (bytes).
    pub rss_start: u64,
    /// Resident set once every channel had done `warm_up` frames.
    pub rss_warm: u64,
    /// Highest resident set seen after the warm-up.
    pub rss_peak: u64,
    /// Resident set after every channel was destroyed.
    pub rss_end: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl SoakReport {
    /// Growth from the warmed-up resident set to the highest one seen after it (bytes).
    pub fn growth_after_warm_up(&self) -> u64 {
        self.rss_peak.saturating_sub(self.rss_warm)
    }
}

/// Runs Example 2 on channels `0..channels` of `mpi` at once, `frames` frames each of `attr`'s
/// size; the resident set is sampled throughout and taken as warm once every channel has sent
/// `warm_up` frames. Fails with the first channel's error.
pub fn soak(
    mpi: &Arc<dyn Mpi>,
    attr: ChnAttrStr,
    channels: u32,
    frames: u32,
    warm_up: u32,
) -> Result<SoakReport, EncodeRunError> {
    let rss = || rss_bytes().unwrap_or(0);
    let rss_start = rss();
    let warmed = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let sampler = {
        let (warmed, done) = (Arc::clone(&warmed), Arc::clone(&done));
        std::thread::spawn(move || {
            let (mut warm, mut peak) = (None, 0);
            while !done.load(Ordering::Acquire) {
                let now = rss();
                if warm.is_none() && warmed.load(Ordering::Acquire) >= u64::from(channels) {
                    warm = Some(now);
                }
                if warm.is_some() {
                    peak = peak.max(now);
                }
                std::thread::sleep(SAMPLE_EVERY);
            }
            let warm = warm.unwrap_or_else(rss);
            (warm, peak.max(warm))
        })
    };
    let runs: Vec<_> = (0..channels)
        .map(|chn| {
            let mpi = Arc::clone(mpi);
            let warmed = Arc::clone(&warmed);
            std::thread::spawn(move || {
                let mut job = EncodeJob::example2(
                    attr.payload_type,
                    attr.profile,
                    attr.pic_width,
                    attr.pic_height,
                    frames,
                );
                job.chn = chn;
                job.attr = attr;
                let mut source = TestPattern::new(attr.pic_width, attr.pic_height);
                let mut seen = 0u32;
                run_example2(mpi, &job, &mut source, |ev, _| {
                    if ev.pack_type != venc_core::PackType::Header {
                        seen += 1;
                        if seen == warm_up {
                            warmed.fetch_add(1, Ordering::AcqRel);
                        }
                    }
                })
            })
        })
        .collect();
    let mut summaries = Vec::new();
    let mut first_error = None;
    for run in runs {
        match run.join() {
            Ok(Ok(s)) => summaries.push(s),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(_) => {
                first_error
                    .get_or_insert(EncodeRunError::Job("a channel's thread panicked".into()));
            }
        }
    }
    done.store(true, Ordering::Release);
    let (rss_warm, rss_peak) = sampler.join().unwrap_or((0, 0));
    if let Some(e) = first_error {
        return Err(e);
    }
    let frames_lost = summaries
        .iter()
        .map(|s| u64::from(s.frames_sent.saturating_sub(s.frames_out)))
        .sum();
    Ok(SoakReport {
        channels: summaries,
        frames_lost,
        rss_start,
        rss_warm,
        rss_peak,
        rss_end: rss(),
        seconds: started.elapsed().as_secs_f64(),
    })
}
