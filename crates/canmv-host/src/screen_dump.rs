//! `canmv-run --display-dump DIR`: every N-th refresh of the display (board time) as PNG files
//! or one Y4M file per display mode, written as the VO hands them over.

use crate::board::{Screen, ScreenSink};
use canmv_image::{Canvas, FileKind, PixFormat};
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the dump wrote, and the first failure (the dump stops there).
#[derive(Debug, Default)]
pub struct DumpReport {
    pub files: AtomicU64,
    pub frames: AtomicU64,
    pub failed: std::sync::Mutex<Option<String>>,
}

/// The screen as a PNG or JPEG file's bytes.
pub fn encode(screen: &Screen, kind: FileKind, quality: u8) -> Result<Vec<u8>, String> {
    let mut rgb = screen.rgb.clone();
    let canvas = Canvas::new(screen.width, screen.height, PixFormat::Rgb888, &mut rgb)
        .ok_or("screen size")?;
    canmv_image::encode(&canvas, kind, quality).map_err(|e| e.to_string())
}

/// A sink writing PNG files `screen-NNNNNN.png` (the refresh number) into `dir`.
pub fn png_sink(dir: PathBuf, report: Arc<DumpReport>) -> ScreenSink {
    Box::new(move |screen: &Screen| {
        if report.failed.lock().is_ok_and(|f| f.is_some()) {
            return;
        }
        let path = dir.join(format!("screen-{:06}.png", screen.refresh));
        match encode(screen, FileKind::Png, 100)
            .and_then(|b| std::fs::write(&path, b).map_err(|e| e.to_string()))
        {
            Ok(()) => {
                report.files.fetch_add(1, Ordering::Relaxed);
                report.frames.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => fail(&report, format!("{}: {e}", path.display())),
        }
    })
}

fn fail(report: &DumpReport, why: String) {
    log::warn!("--display-dump stops: {why}");
    if let Ok(mut f) = report.failed.lock() {
        f.get_or_insert(why);
    }
}

/// A sink writing `screen-N.y4m` (a new file when the display's size changes) into `dir`, at
/// the display's refresh rate over `every`.
pub fn y4m_sink(dir: PathBuf, every: u64, report: Arc<DumpReport>) -> ScreenSink {
    let mut open: Option<((u32, u32), y4m::Encoder<File>)> = None;
    Box::new(move |screen: &Screen| {
        if report.failed.lock().is_ok_and(|f| f.is_some()) {
            return;
        }
        let size = (screen.width, screen.height);
        if open.as_ref().is_none_or(|(s, _)| *s != size) {
            let n = report.files.load(Ordering::Relaxed) + 1;
            let path = dir.join(format!("screen-{n}.y4m"));
            let made = File::create(&path)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    let rate = y4m::Ratio::new(screen.fps.max(1) as usize, every.max(1) as usize);
                    y4m::encode(size.0 as usize, size.1 as usize, rate)
                        .with_colorspace(y4m::Colorspace::C420)
                        .write_header(f)
                        .map_err(|e| format!("{e:?}"))
                });
            match made {
                Ok(enc) => {
                    report.files.fetch_add(1, Ordering::Relaxed);
                    open = Some((size, enc));
                }
                Err(e) => return fail(&report, format!("{}: {e}", path.display())),
            }
        }
        let Some((_, enc)) = open.as_mut() else {
            return;
        };
        let (w, h) = (screen.width as usize, screen.height as usize);
        let mut y = vec![0u8; w * h];
        let mut uv = vec![0u8; w.div_ceil(2) * 2 * h.div_ceil(2)];
        crate::board::rgb_to_nv12(&screen.rgb, screen.width, screen.height, &mut y, &mut uv);
        let (u, v): (Vec<u8>, Vec<u8>) = uv.chunks_exact(2).map(|p| (p[0], p[1])).unzip();
        let frame = y4m::Frame::new([&y, &u, &v], None);
        match enc.write_frame(&frame) {
            Ok(()) => {
                report.frames.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => fail(&report, format!("y4m frame: {e:?}")),
        }
    })
}
