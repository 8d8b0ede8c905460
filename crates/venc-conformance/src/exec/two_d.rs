//! The standalone 2D step (`mpi.two_d_frame`): a frame sent through a channel's 2D engine on
//! its own and taken back drawn on, checked against the suite's composition.

use super::actual::Actual;
use super::{Executor, StepResult};
use crate::case::{Expect, TwoDFormat};
use crate::picture::with_osd;
use venc_core::{VideoFrameInfo, consts};
use venc_harness::oracle::{Yuv, psnr_yuv};

/// Where a frame's planes sit in its block: Y at 0, the chroma from the next 4 KiB.
struct Planes {
    chroma: u64,
    block: u64,
}

fn planes(w: u32, h: u32) -> Planes {
    let luma = u64::from(w) * u64::from(h);
    let chroma = luma.next_multiple_of(4096);
    Planes {
        chroma,
        block: (chroma + luma / 2).next_multiple_of(4096),
    }
}

/// The frame sent: a luma ramp over flat chroma (Cb 100, Cr 150), planar.
fn source(w: u32, h: u32) -> Yuv {
    let (w, h) = (w as usize, h as usize);
    Yuv {
        y: (0..w * h)
            .map(|i| (16 + (i % w + i / w) * 200 / (w + h)) as u8)
            .collect(),
        u: vec![100; w * h / 4],
        v: vec![150; w * h / 4],
    }
}

/// `frame`'s bytes as `format` lays them out: Y, then the chroma (interleaved or in two planes).
fn laid_out(frame: &Yuv, format: TwoDFormat) -> (Vec<u8>, Vec<u8>) {
    let chroma = match format {
        TwoDFormat::Nv12 => frame
            .u
            .iter()
            .zip(&frame.v)
            .flat_map(|(&u, &v)| [u, v])
            .collect(),
        TwoDFormat::Nv21 => frame
            .v
            .iter()
            .zip(&frame.u)
            .flat_map(|(&u, &v)| [u, v])
            .collect(),
        TwoDFormat::I420 => [frame.u.as_slice(), frame.v.as_slice()].concat(),
    };
    (frame.y.clone(), chroma)
}

/// The planar picture of `format`'s bytes.
fn planar(y: Vec<u8>, chroma: &[u8], format: TwoDFormat) -> Yuv {
    let quarter = chroma.len() / 2;
    let (u, v) = match format {
        TwoDFormat::Nv12 => (
            chroma.iter().step_by(2).copied().collect(),
            chroma.iter().skip(1).step_by(2).copied().collect(),
        ),
        TwoDFormat::Nv21 => (
            chroma.iter().skip(1).step_by(2).copied().collect(),
            chroma.iter().step_by(2).copied().collect(),
        ),
        TwoDFormat::I420 => (chroma[..quarter].to_vec(), chroma[quarter..].to_vec()),
    };
    Yuv { y, u, v }
}

impl Executor<'_> {
    /// `mpi.two_d_frame`.
    pub(super) fn two_d_frame(
        &mut self,
        chn: u32,
        (w, h): (u32, u32),
        format: TwoDFormat,
        send: bool,
        psnr_min: f64,
        expect: Expect,
    ) -> StepResult {
        if !send {
            let what = self.at(format!("kd_mpi_venc_get_2d_frame({chn})"));
            let r = self.mpi.get_2d_frame(chn).map(drop);
            return self.check(what, &Actual::from_mpi(r), expect);
        }
        let what = self.at(format!(
            "kd_mpi_venc_send_2d_frame({chn}, {w}x{h} {format:?})"
        ));
        let at = planes(w, h);
        let pool = self
            .mpi
            .create_pool(at.block, 1)
            .map_err(|e| format!("2D frame pool: {e}"))?;
        let addr = self
            .mpi
            .get_block(pool)
            .map_err(|e| format!("2D frame block: {e}"))?;
        let sent = source(w, h);
        let (luma, chroma) = laid_out(&sent, format);
        for (offset, bytes) in [(0, &luma), (at.chroma, &chroma)] {
            self.mpi
                .write_mem(addr + offset, bytes)
                .map_err(|e| format!("2D frame: {e}"))?;
        }
        let quarter = u64::from(w) * u64::from(h) / 4;
        let (pixel_format, phys_addr) = match format {
            TwoDFormat::Nv12 => (
                consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
                [addr, addr + at.chroma, 0],
            ),
            TwoDFormat::Nv21 => (
                consts::PIXEL_FORMAT_YVU_SEMIPLANAR_420,
                [addr, addr + at.chroma, 0],
            ),
            TwoDFormat::I420 => (
                consts::PIXEL_FORMAT_YVU_PLANAR_420,
                [addr, addr + at.chroma, addr + at.chroma + quarter],
            ),
        };
        let frame = VideoFrameInfo {
            width: w,
            height: h,
            pixel_format,
            stride: [w, w, w],
            phys_addr,
            pts: 0,
            pool_id: pool,
            mod_id: 0,
        };
        let r = self.mpi.send_2d_frame(chn, &frame);
        let taken = r.is_ok();
        self.check(what, &Actual::from_mpi(r), expect)?;
        if !taken {
            return Ok(());
        }
        let what = self.at(format!("kd_mpi_venc_get_2d_frame({chn})"));
        let back = self.mpi.get_2d_frame(chn);
        let got = back.as_ref().map(|f| f.phys_addr);
        self.check(what, &Actual::from_mpi(back.map(drop)), Expect::Ok)?;
        if got != Ok(phys_addr) {
            return Err(format!(
                "get_2d_frame handed back {got:?}, not the frame sent at {phys_addr:x?}"
            ));
        }
        let mut y = vec![0; luma.len()];
        let mut c = vec![0; chroma.len()];
        self.mpi
            .read_mem(addr, &mut y)
            .and_then(|()| self.mpi.read_mem(addr + at.chroma, &mut c))
            .map_err(|e| format!("2D frame read back: {e}"))?;
        let drawn = planar(y, &c, format);
        let osd = self.stream(chn).osd.clone();
        let want = with_osd(sent, w, &osd);
        let (py, pu, pv) = psnr_yuv(&[drawn], &[want]);
        if let Some(line) = self.out.trace.last_mut() {
            line.push_str(&format!(" drawn: {py:.1}/{pu:.1}/{pv:.1} dB"));
        }
        if py.min(pu).min(pv) < psnr_min {
            return Err(format!(
                "the frame taken back is {py:.1}/{pu:.1}/{pv:.1} dB (Y/U/V) from the composition \
                 of {} OSD region(s), below {psnr_min} dB",
                osd.len()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_round_trips() {
        let frame = source(8, 4);
        for format in [TwoDFormat::Nv12, TwoDFormat::Nv21, TwoDFormat::I420] {
            let (y, c) = laid_out(&frame, format);
            assert_eq!(planar(y, &c, format), frame, "{format:?}");
        }
        let (_, nv21) = laid_out(&frame, TwoDFormat::Nv21);
        assert_eq!(&nv21[..2], &[150, 100], "V first");
        assert_eq!(planes(64, 64).chroma, 4096);
    }
}
