//! The standalone 2D engine (`start_2d_chn`, `send_2d_frame`, `get_2d_frame`, `stop_2d_chn`):
//! OSD regions and borders drawn in place on a program's own frames, in each 4:2:0 layout it
//! takes, checked sample by sample against the test's own rendering (the arithmetic is the
//! integer matrix the engine documents: exact), and every error path.
#![allow(clippy::unwrap_used)]

use venc_core::{Border, Mpi, OsdRegion, VencError, VideoFrameInfo, consts};
use venc_sim::Simulator;

const W: u32 = 64;
const H: u32 = 32;

/// A block of media memory holding `len` bytes.
fn block(sim: &Simulator, len: u64) -> u64 {
    let pool = sim.create_pool(len.next_multiple_of(4096), 1).unwrap();
    sim.get_block(pool).unwrap()
}

/// A grey frame (Y 100, chroma 128) in `layout`'s planes: I420 (U then V planes), NV12, NV21.
fn grey_frame(sim: &Simulator, pixel_format: u32) -> VideoFrameInfo {
    let (y_len, c_len) = (u64::from(W * H), u64::from(W * H / 4));
    let base = block(sim, y_len + 2 * c_len + 8192);
    sim.write_mem(base, &vec![100; y_len as usize]).unwrap();
    let planar = pixel_format == consts::PIXEL_FORMAT_YVU_PLANAR_420;
    // Planes on their own 4 KiB pages, as sample_nonai_2d lays them out.
    let c1 = base + y_len.next_multiple_of(4096);
    let c2 = c1 + (2 * c_len).next_multiple_of(4096);
    sim.write_mem(c1, &vec![128; (2 * c_len) as usize]).unwrap();
    sim.write_mem(c2, &vec![128; c_len as usize]).unwrap();
    VideoFrameInfo {
        width: W,
        height: H,
        pixel_format,
        stride: [0; 3],
        phys_addr: [base, c1, if planar { c2 } else { 0 }],
        pts: 7,
        pool_id: 0,
        mod_id: 0,
    }
}

/// An opaque red ARGB8888 picture of `w`x`h` in media memory.
fn red_osd(sim: &Simulator, w: u16, h: u16) -> u32 {
    let addr = block(sim, u64::from(w) * u64::from(h) * 4);
    let pixels: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|_| 0xff00_00ffu32.to_le_bytes())
        .collect();
    sim.write_mem(addr, &pixels).unwrap();
    u32::try_from(addr).unwrap()
}

/// (Y, U, V) the test expects at (x, y): a red OSD at (8, 4) 16x8 (BT.709 by the engine's
/// integer matrix: Y 63, U 102, V 240), a white border (YUV444 0x8080eb) 2 wide around
/// (32, 8) 24x16, grey elsewhere.
fn expected(x: u32, y: u32) -> (u8, u8, u8) {
    let in_osd = (8..24).contains(&x) && (4..12).contains(&y);
    let in_box = (32..56).contains(&x) && (8..24).contains(&y);
    let on_line = in_box && !((34..54).contains(&x) && (10..22).contains(&y));
    if in_osd {
        (63, 102, 240)
    } else if on_line {
        (235, 128, 128)
    } else {
        (100, 128, 128)
    }
}

fn started(sim: &Simulator) {
    sim.start_2d_chn(1).unwrap();
    sim.set_2d_mode(1, 3).unwrap();
    let osd = OsdRegion {
        width: 16,
        height: 8,
        startx: 8,
        starty: 4,
        phys_addr: [red_osd(sim, 16, 8), 0, 0],
        osd_alpha: 255,
        video_alpha: 255,
        ..OsdRegion::default()
    };
    sim.set_2d_osd(1, 0, &osd).unwrap();
    let border = Border {
        width: 24,
        height: 16,
        line_width: 2,
        color: 0x0080_80eb,
        startx: 32,
        starty: 8,
    };
    sim.set_2d_border(1, 0, &border).unwrap();
}

#[test]
fn each_layout_comes_back_drawn_in_place_sample_by_sample() {
    for format in [
        consts::PIXEL_FORMAT_YVU_PLANAR_420,
        consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
        consts::PIXEL_FORMAT_YVU_SEMIPLANAR_420,
    ] {
        let sim = Simulator::null();
        started(&sim);
        let frame = grey_frame(&sim, format);
        sim.send_2d_frame(1, &frame).unwrap();
        let got = sim.get_2d_frame(1).unwrap();
        assert_eq!(got, frame, "format {format}: the frame comes back as sent");
        let mut y = vec![0; (W * H) as usize];
        sim.read_mem(frame.phys_addr[0], &mut y).unwrap();
        let (cw, ch) = (W / 2, H / 2);
        let mut c1 = vec![0; (W * H / 2) as usize];
        sim.read_mem(frame.phys_addr[1], &mut c1).unwrap();
        let mut c2 = vec![0; (cw * ch) as usize];
        if format == consts::PIXEL_FORMAT_YVU_PLANAR_420 {
            sim.read_mem(frame.phys_addr[2], &mut c2).unwrap();
        }
        for py in 0..H {
            for px in 0..W {
                let (ey, eu, ev) = expected(px, py);
                assert_eq!(
                    y[(py * W + px) as usize],
                    ey,
                    "format {format} Y at ({px}, {py})"
                );
                if px % 2 == 1 || py % 2 == 1 {
                    continue;
                }
                let (cx, cy) = (px / 2, py / 2);
                let (u, v) = match format {
                    consts::PIXEL_FORMAT_YVU_PLANAR_420 => {
                        let i = (cy * cw + cx) as usize;
                        (c1[i], c2[i])
                    }
                    consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420 => {
                        let i = (cy * W + 2 * cx) as usize;
                        (c1[i], c1[i + 1])
                    }
                    _ => {
                        let i = (cy * W + 2 * cx) as usize;
                        (c1[i + 1], c1[i])
                    }
                };
                assert_eq!((u, v), (eu, ev), "format {format} UV at ({px}, {py})");
            }
        }
        sim.stop_2d_chn(1).unwrap();
    }
}

#[test]
fn every_misuse_has_its_code() {
    let sim = Simulator::null();
    let frame = grey_frame(&sim, consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420);
    assert_eq!(
        sim.send_2d_frame(0, &frame),
        Err(VencError::NotPerm),
        "not started"
    );
    assert_eq!(sim.get_2d_frame(0), Err(VencError::NotPerm), "not started");
    assert_eq!(
        sim.start_2d_chn(3),
        Err(VencError::InvalidChnId),
        "no 2D engine on 3"
    );
    sim.start_2d_chn(0).unwrap();
    sim.start_2d_chn(0).unwrap();
    assert_eq!(
        sim.get_2d_frame(0),
        Err(VencError::BufEmpty),
        "nothing sent"
    );
    let rgb = VideoFrameInfo {
        pixel_format: consts::PIXEL_FORMAT_RGB_888,
        ..frame
    };
    assert_eq!(sim.send_2d_frame(0, &rgb), Err(VencError::NotSupport));
    let odd = VideoFrameInfo { width: 63, ..frame };
    assert_eq!(sim.send_2d_frame(0, &odd), Err(VencError::IllegalParam));
    let mut misaligned = frame;
    misaligned.phys_addr[1] += 4;
    assert_eq!(
        sim.send_2d_frame(0, &misaligned),
        Err(VencError::IllegalParam)
    );
    sim.set_2d_mode(0, 1).unwrap();
    let mut unmapped = frame;
    unmapped.phys_addr[0] = 1 << 40;
    assert_eq!(sim.send_2d_frame(0, &unmapped), Err(VencError::BadAddr));
    for _ in 0..venc_core::K230.input_queue_depth {
        sim.send_2d_frame(0, &frame).unwrap();
    }
    assert_eq!(sim.send_2d_frame(0, &frame), Err(VencError::BufFull));
    assert_eq!(sim.get_2d_frame(0), Ok(frame));
    // Stopping drops what was not taken; a stopped channel takes nothing.
    sim.stop_2d_chn(0).unwrap();
    assert_eq!(sim.get_2d_frame(0), Err(VencError::NotPerm));
    sim.stop_2d_chn(0).unwrap();
}
