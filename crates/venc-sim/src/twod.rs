//! The 2D calls of a VENC channel (`kd_mpi_venc_attach_2d`, `set_2d_mode`, `set_2d_osd_param`,
//! `set_2d_border_param`, `set_2d_custom_coef`, `set_2d_color_gamut`, their getters, CSC and
//! the standalone path): the wrapper's checks (only channels 0..=2 have an engine; mode and
//! index checks answered INVALID_CHNID, sic), the kernel's codes (k230-mpp-c-api.md §4: no
//! state check), and the simulator's safe side where the board's answer is not known (D-057).
//! What they set is drawn on every frame the encoder takes ([`crate::venc::overlay`]).
//!
//! Each function takes the channel the simulator's `Mpi` reached (board time, faults), after
//! [`venc_core::features::check_2d_chn`].

use crate::mmz::MediaMemory;
use crate::venc::overlay::{Chroma, Gamut, Mode, OsdFormat, Planes, add_order};
use crate::venc::{Channel, Phase};
use log::warn;
use std::collections::VecDeque;
use venc_core::features::{COEF_NUM, check_border_index, check_osd_index};
use venc_core::{Border, OsdRegion, VencError, VideoFrameInfo, consts};

fn even(values: &[u16]) -> bool {
    values.iter().all(|v| v % 2 == 0)
}

/// `kd_mpi_venc_attach_2d`: frames of the channel go through its 2D engine.
pub(crate) fn attach(ch: &Channel) {
    let mode = ch.with_two_d(|_, t| {
        t.attached = true;
        t.mode
    });
    if mode == Mode::Csc {
        warn!(
            "venc ch{}: attach_2d in CSC mode: frames pass unchanged until set_2d_mode picks \
             OSD or BORDER (CSC is not modeled, D-057)",
            ch.id()
        );
    }
}

/// `kd_mpi_venc_detach_2d`: only with the encoder not running. The kernel refuses otherwise;
/// the wrapper prints that and answers 0, so the program sees success and the engine stays.
pub(crate) fn detach(ch: &Channel) {
    ch.with_two_d(|phase, t| {
        if phase == Phase::Started {
            warn!(
                "venc ch{}: venc detach 2d fail (the encoder is running: stop it first); the \
                 wrapper answers 0 and the engine stays attached",
                ch.id()
            );
        } else {
            t.attached = false;
        }
    });
}

/// `kd_mpi_venc_set_2d_mode`: a mode above 3 is INVALID_CHNID (the wrapper's code, sic); CSC
/// is NOT_SUPPORT (not modeled, D-057).
pub(crate) fn set_mode(ch: &Channel, mode: u32) -> Result<(), VencError> {
    let mode = Mode::from_code(mode).ok_or(VencError::InvalidChnId)?;
    if mode == Mode::Csc {
        warn!(
            "venc ch{}: set_2d_mode(CSC): colour-space conversion is not modeled (D-057)",
            ch.id()
        );
        return Err(VencError::NotSupport);
    }
    ch.with_two_d(|_, t| t.mode = mode);
    Ok(())
}

/// `kd_mpi_venc_get_2d_mode`: CSC (0) until set.
pub(crate) fn mode(ch: &Channel) -> u32 {
    ch.with_two_d(|_, t| t.mode.code())
}

/// `kd_mpi_venc_set_2d_osd_param`: region `index` (0..=7, else INVALID_CHNID). Only the
/// formats the 2D engine takes (ARGB8888/4444/1555, else NOT_SUPPORT); a size or position
/// that is odd or zero, or an add order outside the enum, is ILLEGAL_PARAM (D-057).
pub(crate) fn set_osd(ch: &Channel, index: u8, region: &OsdRegion) -> Result<(), VencError> {
    check_osd_index(index)?;
    let chn = ch.id();
    if OsdFormat::from_code(region.fmt).is_none() {
        warn!(
            "venc ch{chn}: OSD region {index}: format {} (the 2D engine takes ARGB8888, \
             ARGB4444, ARGB1555; D-057)",
            region.fmt
        );
        return Err(VencError::NotSupport);
    }
    let sizes = [region.width, region.height, region.startx, region.starty];
    if region.width == 0 || region.height == 0 || !even(&sizes) {
        warn!(
            "venc ch{chn}: OSD region {index}: {}x{} at ({}, {}): sizes and positions must be \
             even and not zero (D-057)",
            region.width, region.height, region.startx, region.starty
        );
        return Err(VencError::IllegalParam);
    }
    if add_order(region.add_order).is_none() {
        return Err(VencError::IllegalParam);
    }
    ch.with_two_d(|_, t| t.osd[usize::from(index)] = Some(*region));
    Ok(())
}

/// `kd_mpi_venc_get_2d_osd_param`: zeros until set.
pub(crate) fn osd(ch: &Channel, index: u8) -> Result<OsdRegion, VencError> {
    check_osd_index(index)?;
    Ok(ch.with_two_d(|_, t| t.osd[usize::from(index)].unwrap_or_default()))
}

/// `kd_mpi_venc_set_2d_border_param`: border `index` (0..=31, else INVALID_CHNID); odd or
/// zero sizes and a zero line width are ILLEGAL_PARAM (D-057).
pub(crate) fn set_border(ch: &Channel, index: u8, border: &Border) -> Result<(), VencError> {
    check_border_index(index)?;
    let sizes = [border.width, border.height, border.startx, border.starty];
    if border.width == 0 || border.height == 0 || border.line_width == 0 || !even(&sizes) {
        warn!(
            "venc ch{}: border {index}: {}x{} at ({}, {}), line {}: sizes and positions must \
             be even and not zero (D-057)",
            ch.id(),
            border.width,
            border.height,
            border.startx,
            border.starty,
            border.line_width
        );
        return Err(VencError::IllegalParam);
    }
    ch.with_two_d(|_, t| t.borders[usize::from(index)] = Some(*border));
    Ok(())
}

/// `kd_mpi_venc_get_2d_border_param`: zeros until set.
pub(crate) fn border(ch: &Channel, index: u8) -> Result<Border, VencError> {
    check_border_index(index)?;
    Ok(ch.with_two_d(|_, t| t.borders[usize::from(index)].unwrap_or_default()))
}

/// `kd_mpi_venc_set_2d_custom_coef`: the OSD's RGB→YUV matrix in OSD modes; in CSC mode
/// (the default) NOT_SUPPORT, in BORDER mode ILLEGAL_PARAM (VDOC: an error there; D-057).
pub(crate) fn set_custom_coef(ch: &Channel, coef: &[i16; COEF_NUM]) -> Result<(), VencError> {
    ch.with_two_d(|_, t| match t.mode {
        Mode::Csc => Err(VencError::NotSupport),
        Mode::Border => Err(VencError::IllegalParam),
        Mode::Osd | Mode::OsdBorder => {
            t.coef = *coef;
            Ok(())
        }
    })
}

/// `kd_mpi_venc_get_2d_custom_coef`: the OSD matrix in use (the gamut's until set).
pub(crate) fn custom_coef(ch: &Channel) -> Result<[i16; COEF_NUM], VencError> {
    ch.with_two_d(|_, t| match t.mode {
        Mode::Csc => Err(VencError::NotSupport),
        _ => Ok(t.coef),
    })
}

/// `kd_mpi_venc_set_2d_color_gamut`: above 2 ILLEGAL_PARAM (the wrapper's check); the OSD
/// matrix becomes the gamut's. No state or mode check, as in the kernel.
pub(crate) fn set_color_gamut(ch: &Channel, gamut: u32) -> Result<(), VencError> {
    let gamut = Gamut::from_code(gamut).ok_or(VencError::IllegalParam)?;
    ch.with_two_d(|_, t| {
        t.gamut = gamut;
        t.coef = gamut.coefficients();
    });
    Ok(())
}

/// `kd_mpi_venc_get_2d_color_gamut`: BT.709 until set.
pub(crate) fn color_gamut(ch: &Channel) -> u32 {
    ch.with_two_d(|_, t| t.gamut.code())
}

/// What is not modeled: CSC parameters (D-057).
pub(crate) fn not_modeled(ch: &Channel, call: &str) -> VencError {
    warn!(
        "venc ch{}: {call}: colour-space conversion is not modeled; OSD and borders are (D-057)",
        ch.id()
    );
    VencError::NotSupport
}

/// Frames a standalone 2D channel holds for `get_2d_frame`: the encoder's input depth (the
/// board's is not in the facts, D-057).
const STANDALONE_FRAMES: usize = venc_core::K230.input_queue_depth;

/// `kd_mpi_venc_start_2d_chn`: the channel's 2D engine takes frames of its own
/// (`send_2d_frame`), drawn with the channel's 2D settings. Twice: 0 and a warning (D-057).
pub(crate) fn start(ch: &Channel) {
    ch.with_two_d_frames(|frames| {
        if frames.is_some() {
            warn!("venc ch{}: start_2d_chn: already started (D-057)", ch.id());
        } else {
            *frames = Some(VecDeque::new());
        }
    });
}

/// `kd_mpi_venc_stop_2d_chn`: frames not yet taken are dropped, said; not started: 0 and a
/// warning (D-057).
pub(crate) fn stop(ch: &Channel) {
    match ch.with_two_d_frames(Option::take) {
        None => warn!("venc ch{}: stop_2d_chn: not started (D-057)", ch.id()),
        Some(left) if !left.is_empty() => warn!(
            "venc ch{}: stop_2d_chn: {} drawn frame(s) never taken by get_2d_frame",
            ch.id(),
            left.len()
        ),
        Some(_) => {}
    }
}

/// How a standalone frame holds its chroma, by its pixel format: NV12, NV21, or the planar
/// 4:2:0 that `sample_nonai_2d` passes as `PIXEL_FORMAT_YVU_PLANAR_420` with U at
/// `phys_addr[1]` and V at `[2]` (the engine's I420).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Interleaved { v_first: bool },
    Planar,
}

fn layout(pixel_format: u32) -> Option<Layout> {
    match pixel_format {
        consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420 => Some(Layout::Interleaved { v_first: false }),
        consts::PIXEL_FORMAT_YVU_SEMIPLANAR_420 => Some(Layout::Interleaved { v_first: true }),
        consts::PIXEL_FORMAT_YVU_PLANAR_420 => Some(Layout::Planar),
        _ => None,
    }
}

/// `kd_mpi_venc_send_2d_frame`: the frame's OSD regions and borders (the channel's mode) drawn
/// in place in media memory (src == dst, §4), then held for `get_2d_frame`. Not started:
/// NOT_PERM; a format other than NV12, NV21 or planar 4:2:0: NOT_SUPPORT; an odd or zero size
/// or a plane address not 8-byte aligned (VDOC's limits): ILLEGAL_PARAM; planes outside media
/// memory: BADADDR; STANDALONE_FRAMES held: BUF_FULL (each the safe side: the board's codes are
/// not in the facts, D-057).
pub(crate) fn send(
    ch: &Channel,
    mem: &MediaMemory,
    frame: &VideoFrameInfo,
) -> Result<(), VencError> {
    let chn = ch.id();
    let refuse = |code: VencError, why: String| {
        warn!("venc ch{chn}: send_2d_frame: {why} (D-057)");
        Err(code)
    };
    let held = ch.with_two_d_frames(|f| f.as_ref().map(VecDeque::len));
    let Some(held) = held else {
        return refuse(VencError::NotPerm, "the 2D channel is not started".into());
    };
    let Some(layout) = layout(frame.pixel_format) else {
        return refuse(
            VencError::NotSupport,
            format!(
                "pixel format {}: the engine takes NV12, NV21 and planar 4:2:0",
                frame.pixel_format
            ),
        );
    };
    let (w, h) = (frame.width as usize, frame.height as usize);
    if w == 0 || h == 0 || w % 2 != 0 || h % 2 != 0 {
        return refuse(
            VencError::IllegalParam,
            format!("{w}x{h}: sizes must be even"),
        );
    }
    let planes = if layout == Layout::Planar { 3 } else { 2 };
    if frame.phys_addr[..planes].iter().any(|a| a % 8 != 0) {
        return refuse(
            VencError::IllegalParam,
            format!(
                "plane addresses {:x?} not 8-byte aligned",
                &frame.phys_addr[..planes]
            ),
        );
    }
    if held >= STANDALONE_FRAMES {
        return refuse(
            VencError::BufFull,
            format!("{held} drawn frames not taken by get_2d_frame"),
        );
    }
    let two_d = ch.with_two_d(|_, t| *t);
    if two_d.mode == Mode::Csc {
        warn!("venc ch{chn}: send_2d_frame in CSC mode: the frame passes unchanged (D-057)");
    } else {
        draw_standalone(ch, mem, frame, (w, h), layout, &two_d)?;
    }
    // Held only if the channel is still started with room: a stop or another sender may have
    // come while the frame was drawn.
    ch.with_two_d_frames(|f| match f {
        None => Err(VencError::NotPerm),
        Some(q) if q.len() >= STANDALONE_FRAMES => Err(VencError::BufFull),
        Some(q) => {
            q.push_back(*frame);
            Ok(())
        }
    })
}

/// Reads a standalone frame's planes, draws the mode on them and writes them back.
fn draw_standalone(
    ch: &Channel,
    mem: &MediaMemory,
    frame: &VideoFrameInfo,
    (w, h): (usize, usize),
    layout: Layout,
    two_d: &crate::venc::overlay::TwoD,
) -> Result<(), VencError> {
    let chn = ch.id();
    let chroma_len = (w / 2) * (h / 2);
    let mut y = vec![0u8; w * h];
    let (mut c1, mut c2) = match layout {
        Layout::Interleaved { .. } => (vec![0u8; chroma_len * 2], Vec::new()),
        Layout::Planar => (vec![0u8; chroma_len], vec![0u8; chroma_len]),
    };
    let [a0, a1, a2] = frame.phys_addr;
    let io = |result: Result<(), venc_core::MemError>| {
        result.map_err(|e| {
            warn!("venc ch{chn}: send_2d_frame: {e} (D-057)");
            VencError::BadAddr
        })
    };
    io(mem.read(a0, &mut y))?;
    io(mem.read(a1, &mut c1))?;
    if layout == Layout::Planar {
        io(mem.read(a2, &mut c2))?;
    }
    let chroma = match layout {
        Layout::Interleaved { v_first } => Chroma::Interleaved {
            uv: &mut c1,
            v_first,
        },
        Layout::Planar => Chroma::Planar {
            u: &mut c1,
            v: &mut c2,
        },
    };
    let mut planes = Planes {
        y: &mut y,
        chroma,
        width: w,
        height: h,
    };
    if let Err(why) = two_d.draw(&mut planes, |addr, out| {
        mem.read(addr, out).map_err(|e| e.to_string())
    }) {
        warn!("venc ch{chn}: send_2d_frame: {why}; drawn without it (D-057)");
    }
    io(mem.write(a0, &y))?;
    io(mem.write(a1, &c1))?;
    if layout == Layout::Planar {
        io(mem.write(a2, &c2))?;
    }
    Ok(())
}

/// `kd_mpi_venc_get_2d_frame`: the oldest drawn frame, as it was sent (its planes, in place,
/// now carry the drawing; `virt_addr` the program's own). Not started: NOT_PERM; none drawn:
/// BUF_EMPTY at once (the call takes no timeout; whether the board's waits is not in the
/// facts, D-057).
pub(crate) fn get(ch: &Channel) -> Result<VideoFrameInfo, VencError> {
    ch.with_two_d_frames(|frames| match frames {
        None => {
            warn!(
                "venc ch{}: get_2d_frame: the 2D channel is not started (D-057)",
                ch.id()
            );
            Err(VencError::NotPerm)
        }
        Some(q) => q.pop_front().ok_or(VencError::BufEmpty),
    })
}
