//! The 2D engine in front of the VPU (VENC+2D, k230-mpp-c-api.md §4): OSD regions and borders
//! drawn onto the NV12 frame in place, before the encoder reads it. A channel runs it on every
//! frame once `kd_mpi_venc_attach_2d` attached it and a drawing mode is set. CSC is not modeled
//! (D-057).

/// Most OSD regions of a channel ([`venc_core::features::OSD_REGIONS`]).
pub const OSD_REGIONS: usize = venc_core::features::OSD_REGIONS as usize;
/// Most borders of a channel ([`venc_core::features::BORDERS`]).
pub const BORDERS: usize = venc_core::features::BORDERS as usize;

/// `k_venc_2d_calc_mode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[doc(alias = "k_venc_2d_calc_mode")]
pub enum Mode {
    /// `K_VENC_2D_CALC_MODE_CSC` (0): the kernel's default; not modeled.
    #[default]
    Csc,
    /// `K_VENC_2D_CALC_MODE_OSD` (1).
    Osd,
    /// `K_VENC_2D_CALC_MODE_BORDER` (2).
    Border,
    /// `K_VENC_2D_CALC_MODE_OSD_BORDER` (3): OSD first, then the borders.
    OsdBorder,
}

impl Mode {
    /// The mode of a `k_venc_2d_calc_mode` value.
    pub fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => Self::Csc,
            1 => Self::Osd,
            2 => Self::Border,
            3 => Self::OsdBorder,
            _ => return None,
        })
    }

    /// The `k_venc_2d_calc_mode` value.
    pub fn code(self) -> u32 {
        self as u32
    }

    fn draws_osd(self) -> bool {
        matches!(self, Self::Osd | Self::OsdBorder)
    }

    fn draws_borders(self) -> bool {
        matches!(self, Self::Border | Self::OsdBorder)
    }
}

/// The OSD pixel formats the 2D engine takes (VDOC: only these three work), as little-endian
/// words (D-057). ARGB8888's alpha is in the word's low byte: so the SDK lays out its own OSD
/// picture (`sample_venc`'s and `sample_nonai_2d`'s `OSD1_40x40_argb.c`: all 1600 words end in
/// `0xff`); the 16-bit formats keep alpha in the top bits (no picture shows otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(alias = "k_venc_2d_osd_fmt")]
pub enum OsdFormat {
    /// `K_VENC_2D_OSD_FMT_ARGB8888` (0): `0xRRGGBBAA` words (bytes A, B, G, R in memory).
    Argb8888,
    /// `K_VENC_2D_OSD_FMT_ARGB4444` (1): `0xARGB`.
    Argb4444,
    /// `K_VENC_2D_OSD_FMT_ARGB1555` (2): alpha bit 15, then 5 bits each of R, G, B.
    Argb1555,
}

impl OsdFormat {
    /// The format of a `k_venc_2d_osd_fmt` value the engine takes.
    pub fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => Self::Argb8888,
            1 => Self::Argb4444,
            2 => Self::Argb1555,
            _ => return None,
        })
    }

    /// The `k_venc_2d_osd_fmt` value.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// Bytes per pixel.
    pub fn bytes(self) -> usize {
        match self {
            Self::Argb8888 => 4,
            Self::Argb4444 | Self::Argb1555 => 2,
        }
    }

    /// (A, R, G, B) in 0..=255 of the pixel at the start of `p`.
    fn argb(self, p: &[u8]) -> [u8; 4] {
        let expand4 = |v: u16| (v as u8 & 0xf) * 17;
        let expand5 = |v: u16| {
            let v = (v & 0x1f) as u8;
            (v << 3) | (v >> 2)
        };
        match self {
            Self::Argb8888 => [p[0], p[3], p[2], p[1]],
            Self::Argb4444 => {
                let w = u16::from_le_bytes([p[0], p[1]]);
                [
                    expand4(w >> 12),
                    expand4(w >> 8),
                    expand4(w >> 4),
                    expand4(w),
                ]
            }
            Self::Argb1555 => {
                let w = u16::from_le_bytes([p[0], p[1]]);
                let a = if w & 0x8000 != 0 { 255 } else { 0 };
                [a, expand5(w >> 10), expand5(w >> 5), expand5(w)]
            }
        }
    }
}

/// One layer of an OSD region (`k_venc_2d_add_order` names them bottom to top).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The frame.
    Video,
    /// The OSD picture.
    Osd,
    /// The region's `bg_color`.
    Background,
}

/// The layers of a `k_venc_2d_add_order` value, bottom to top.
pub fn add_order(code: u32) -> Option<&'static [Layer]> {
    use Layer::{Background as B, Osd as O, Video as V};
    Some(match code {
        0 => &[V, O],
        1 => &[O, V],
        2 => &[V, B],
        3 => &[B, V],
        4 => &[V, B, O],
        5 => &[V, O, B],
        6 => &[B, V, O],
        7 => &[B, O, V],
        8 => &[O, V, B],
        9 => &[O, B, V],
        _ => return None,
    })
}

/// An OSD region and a border, as the contract takes them (`k_venc_2d_osd_attr`,
/// `k_venc_2d_border_attr`; their C layouts stay in the C crates).
pub use venc_core::{Border, OsdRegion};

/// `k_venc_2d_color_gamut`: the RGB→YUV matrix OSD pixels go through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[doc(alias = "k_venc_2d_color_gamut")]
pub enum Gamut {
    /// `VENC_2D_COLOR_GAMUT_BT601` (0).
    Bt601,
    /// `VENC_2D_COLOR_GAMUT_BT709` (1): the default (VDOC's example coefficients).
    #[default]
    Bt709,
    /// `VENC_2D_COLOR_GAMUT_BT2020` (2).
    Bt2020,
}

impl Gamut {
    /// The gamut of a `k_venc_2d_color_gamut` value.
    pub fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => Self::Bt601,
            1 => Self::Bt709,
            2 => Self::Bt2020,
            _ => return None,
        })
    }

    /// The `k_venc_2d_color_gamut` value.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// Limited-range RGB→YUV in 1/256: three rows of (R, G, B, offset). BT.709 is VDOC's
    /// example; BT.601 and BT.2020 are the standards' matrices scaled the same way.
    pub fn coefficients(self) -> [i16; 12] {
        match self {
            Self::Bt601 => [66, 129, 25, 16, -38, -74, 112, 128, 112, -94, -18, 128],
            Self::Bt709 => [47, 157, 16, 16, -26, -86, 112, 128, 112, -102, -10, 128],
            Self::Bt2020 => [58, 149, 13, 16, -31, -81, 112, 128, 112, -103, -9, 128],
        }
    }
}

/// A channel's 2D engine: attached or not, its mode, regions, borders and OSD coefficients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoD {
    /// `kd_mpi_venc_attach_2d` ran (and no `detach_2d` since).
    pub attached: bool,
    pub mode: Mode,
    pub osd: [Option<OsdRegion>; OSD_REGIONS],
    pub borders: [Option<Border>; BORDERS],
    pub gamut: Gamut,
    /// The OSD RGB→YUV coefficients (`set_2d_custom_coef`, or the gamut's).
    pub coef: [i16; 12],
}

impl Default for TwoD {
    fn default() -> Self {
        Self {
            attached: false,
            mode: Mode::default(),
            osd: [None; OSD_REGIONS],
            borders: [None; BORDERS],
            gamut: Gamut::default(),
            coef: Gamut::default().coefficients(),
        }
    }
}

/// A frame's planes, read out of media memory to draw on: luma and 4:2:0 chroma.
#[derive(Debug)]
pub struct Planes<'a> {
    pub y: &'a mut [u8],
    pub chroma: Chroma<'a>,
    pub width: usize,
    pub height: usize,
}

/// How a frame holds its 4:2:0 chroma (the 2D engine's `K_VENC_2D_SRC_DST_FMT_YUV420_*`).
#[derive(Debug)]
pub enum Chroma<'a> {
    /// One plane of pairs: NV12 (U first) or NV21 (V first).
    Interleaved { uv: &'a mut [u8], v_first: bool },
    /// Two planes, U then V (I420; a program with YV12 planes passes their addresses swapped).
    Planar { u: &'a mut [u8], v: &'a mut [u8] },
}

impl Chroma<'_> {
    /// Where chroma sample (`cx`, `cy`) of a picture `width` luma samples wide is.
    fn index(&self, cx: usize, cy: usize, width: usize) -> usize {
        match self {
            Self::Interleaved { .. } => cy * (width / 2 * 2) + cx * 2,
            Self::Planar { .. } => cy * (width / 2) + cx,
        }
    }

    /// [U, V] of chroma sample (`cx`, `cy`).
    fn get(&self, cx: usize, cy: usize, width: usize) -> [u8; 2] {
        let i = self.index(cx, cy, width);
        match self {
            Self::Interleaved { uv, v_first } => {
                let pair = [uv[i], uv[i + 1]];
                if *v_first { [pair[1], pair[0]] } else { pair }
            }
            Self::Planar { u, v } => [u[i], v[i]],
        }
    }

    /// Sets chroma sample (`cx`, `cy`) to [U, V].
    fn set(&mut self, cx: usize, cy: usize, width: usize, [cu, cv]: [u8; 2]) {
        let i = self.index(cx, cy, width);
        match self {
            Self::Interleaved { uv, v_first } => {
                let (a, b) = if *v_first { (cv, cu) } else { (cu, cv) };
                uv[i] = a;
                uv[i + 1] = b;
            }
            Self::Planar { u, v } => {
                u[i] = cu;
                v[i] = cv;
            }
        }
    }
}

/// What drawing a frame came to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drawn {
    /// Regions and borders drawn (at least partly inside the frame).
    pub shapes: u32,
    /// Regions or borders cut at the frame's edge.
    pub clipped: u32,
}

impl TwoD {
    /// Whether a frame of this channel goes through the engine.
    pub fn draws(&self) -> bool {
        self.attached && self.mode != Mode::Csc
    }

    /// Draws the mode's regions (each OSD picture read by `read_osd`), then its borders, onto
    /// `frame`. A region whose picture cannot be read is skipped and reported in the error.
    pub fn draw(
        &self,
        frame: &mut Planes<'_>,
        mut read_osd: impl FnMut(u64, &mut [u8]) -> Result<(), String>,
    ) -> Result<Drawn, String> {
        let mut drawn = Drawn::default();
        let mut unread = Vec::new();
        let mut pixels = Vec::new();
        if self.mode.draws_osd() {
            for (i, r) in self.osd.iter().enumerate() {
                let Some(r) = r else { continue };
                let Some(fmt) = OsdFormat::from_code(r.fmt) else {
                    continue;
                };
                let Some(vis) = Visible::of(r, frame, &mut drawn) else {
                    continue;
                };
                // Only the rows and columns inside the frame are read: a region's size is the
                // program's (up to 65535x65535), the frame bounds what is fetched.
                let (bpp, stride) = (fmt.bytes(), usize::from(r.width) * fmt.bytes());
                let row_len = vis.width() * bpp;
                pixels.resize(row_len * vis.height(), 0);
                let rows = pixels.chunks_exact_mut(row_len).enumerate();
                let read = rows.map(|(row, out)| {
                    read_osd(u64::from(r.phys_addr[0]) + (row * stride) as u64, out)
                });
                if let Err(e) = read.collect::<Result<(), String>>() {
                    unread.push(format!("OSD region {i}: {e}"));
                    continue;
                }
                self.blend_region(frame, r, fmt, &pixels, vis);
            }
        }
        if self.mode.draws_borders() {
            for b in self.borders.iter().flatten() {
                draw_border(frame, b, &mut drawn);
            }
        }
        if unread.is_empty() {
            Ok(drawn)
        } else {
            Err(unread.join("; "))
        }
    }

    fn blend_region(
        &self,
        frame: &mut Planes<'_>,
        r: &OsdRegion,
        fmt: OsdFormat,
        pixels: &[u8],
        vis: Visible,
    ) {
        let layers = add_order(r.add_order).unwrap_or(&[Layer::Video, Layer::Osd]);
        let Visible { x0, y0, x1, y1 } = vis;
        let bg = yuv444(r.bg_color);
        let c = &self.coef;
        // One sample of the region: the video's [Y, U, V] under the layers, bottom to top.
        let compose = |video: [u8; 3], argb: [u8; 4]| -> [u8; 3] {
            let osd = rgb_to_yuv(c, argb[1], argb[2], argb[3]);
            let alpha = |l: Layer| -> u32 {
                match l {
                    Layer::Video => u32::from(r.video_alpha),
                    Layer::Osd => u32::from(r.osd_alpha) * u32::from(argb[0]) / 255,
                    Layer::Background => u32::from(r.bg_alpha),
                }
            };
            let value = |l: Layer| match l {
                Layer::Video => video,
                Layer::Osd => osd,
                Layer::Background => bg,
            };
            let mut out = value(layers[0]);
            for &l in &layers[1..] {
                let (a, top) = (alpha(l), value(l));
                for k in 0..3 {
                    let mixed = u32::from(top[k]) * a + u32::from(out[k]) * (255 - a);
                    out[k] = ((mixed + 127) / 255) as u8;
                }
            }
            out
        };
        let bpp = fmt.bytes();
        let vw = vis.width();
        let at = |x: usize, y: usize| fmt.argb(&pixels[((y - y0) * vw + (x - x0)) * bpp..]);
        let width = frame.width;
        for y in y0..y1 {
            for x in x0..x1 {
                let i = y * width + x;
                let [u, v] = frame.chroma.get(x / 2, y / 2, width);
                let out = compose([frame.y[i], u, v], at(x, y));
                frame.y[i] = out[0];
                // Chroma once per 2x2 block, from its top-left sample (D-057).
                if x % 2 == 0 && y % 2 == 0 {
                    frame.chroma.set(x / 2, y / 2, width, [out[1], out[2]]);
                }
            }
        }
    }
}

/// The part of an OSD region inside the frame: `x0..x1` × `y0..y1` (it starts where the region
/// starts; only its far edges can be cut).
#[derive(Debug, Clone, Copy)]
struct Visible {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

impl Visible {
    /// The visible part of `r`, counted in `drawn`; `None` when none of it is.
    fn of(r: &OsdRegion, frame: &Planes<'_>, drawn: &mut Drawn) -> Option<Self> {
        let (x0, y0) = (usize::from(r.startx), usize::from(r.starty));
        let (w, h) = (usize::from(r.width), usize::from(r.height));
        let (x1, y1) = ((x0 + w).min(frame.width), (y0 + h).min(frame.height));
        if x0 >= x1 || y0 >= y1 {
            drawn.clipped += 1;
            return None;
        }
        drawn.shapes += 1;
        if x1 - x0 < w || y1 - y0 < h {
            drawn.clipped += 1;
        }
        Some(Self { x0, y0, x1, y1 })
    }

    fn width(self) -> usize {
        self.x1 - self.x0
    }

    fn height(self) -> usize {
        self.y1 - self.y0
    }
}

/// [Y, U, V] of a YUV444 colour packed Y bits 0–7, U 8–15, V 16–23.
fn yuv444(c: u32) -> [u8; 3] {
    [c as u8, (c >> 8) as u8, (c >> 16) as u8]
}

/// RGB → [Y, U, V] by three rows of (R, G, B, offset) in 1/256.
fn rgb_to_yuv(c: &[i16; 12], r: u8, g: u8, b: u8) -> [u8; 3] {
    let row = |k: usize| {
        let s = i32::from(c[k]) * i32::from(r)
            + i32::from(c[k + 1]) * i32::from(g)
            + i32::from(c[k + 2]) * i32::from(b);
        // Rounded to nearest (an arithmetic shift floors; `/` would bias negative sums up).
        (((s + 128) >> 8) + i32::from(c[k + 3])).clamp(0, 255) as u8
    };
    [row(0), row(4), row(8)]
}

fn draw_border(frame: &mut Planes<'_>, b: &Border, drawn: &mut Drawn) {
    let (x0, y0) = (usize::from(b.startx), usize::from(b.starty));
    let (w, h, lw) = (
        usize::from(b.width),
        usize::from(b.height),
        usize::from(b.line_width),
    );
    let (x1, y1) = ((x0 + w).min(frame.width), (y0 + h).min(frame.height));
    if x0 >= x1 || y0 >= y1 || lw == 0 {
        drawn.clipped += u32::from(lw != 0);
        return;
    }
    drawn.shapes += 1;
    if x1 - x0 < w || y1 - y0 < h {
        drawn.clipped += 1;
    }
    let [cy, cu, cv] = yuv444(b.color);
    let on_line =
        |x: usize, y: usize| x < x0 + lw || y < y0 + lw || x + lw >= x0 + w || y + lw >= y0 + h;
    for y in y0..y1 {
        for x in x0..x1 {
            if !on_line(x, y) {
                continue;
            }
            frame.y[y * frame.width + x] = cy;
            if x % 2 == 0 && y % 2 == 0 {
                frame.chroma.set(x / 2, y / 2, frame.width, [cu, cv]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An engine attached in `mode`, nothing set yet.
    fn attached(mode: Mode) -> TwoD {
        TwoD {
            attached: true,
            mode,
            ..TwoD::default()
        }
    }

    /// A grey `w`x`h` NV12 picture's planes (Y 100), owned by the test.
    struct Frame {
        y: Vec<u8>,
        uv: Vec<u8>,
        width: usize,
        height: usize,
    }

    impl Frame {
        fn new(width: usize, height: usize) -> Self {
            Self {
                y: vec![100; width * height],
                uv: vec![128; width * height / 2],
                width,
                height,
            }
        }

        fn nv12(&mut self) -> Planes<'_> {
            Planes {
                y: &mut self.y,
                chroma: Chroma::Interleaved {
                    uv: &mut self.uv,
                    v_first: false,
                },
                width: self.width,
                height: self.height,
            }
        }
    }

    #[test]
    fn an_opaque_osd_replaces_the_video_and_a_transparent_one_leaves_it() {
        let mut planes = Frame::new(16, 8);
        let mut two = attached(Mode::Osd);
        let region = OsdRegion {
            width: 4,
            height: 2,
            startx: 2,
            starty: 2,
            phys_addr: [0x1000, 0, 0],
            osd_alpha: 255,
            video_alpha: 255,
            fmt: OsdFormat::Argb8888.code(),
            ..OsdRegion::default()
        };
        two.osd[0] = Some(region);
        // White, opaque: BT.709 limited gives Y 235, U and V 128.
        let mut f = planes.nv12();
        let drawn = two
            .draw(&mut f, |addr, out| {
                // Row by row: the region's two rows of 4 pixels, 16 bytes apart.
                assert!(addr == 0x1000 || addr == 0x1010, "0x{addr:x}");
                assert_eq!(out.len(), 16);
                out.fill(0xff);
                Ok(())
            })
            .unwrap();
        assert_eq!(
            drawn,
            Drawn {
                shapes: 1,
                clipped: 0
            }
        );
        assert_eq!(planes.y[2 * 16 + 2..2 * 16 + 6], [235; 4]);
        assert_eq!(planes.y[2 * 16 + 1], 100, "left of the region");
        assert_eq!(planes.y[4 * 16 + 2], 100, "below it");
        // Alpha 0 in the picture: the video stays.
        let mut planes2 = Frame::new(16, 8);
        let mut f = planes2.nv12();
        two.draw(&mut f, |_, out| {
            out.fill(0);
            Ok(())
        })
        .unwrap();
        assert!(planes2.y.iter().all(|&v| v == 100));
    }

    #[test]
    fn a_huge_region_reads_only_the_rows_inside_the_frame() {
        let mut planes = Frame::new(16, 8);
        let mut two = attached(Mode::Osd);
        two.osd[0] = Some(OsdRegion {
            width: 65534,
            height: 65534,
            startx: 12,
            starty: 6,
            phys_addr: [0x1000, 0, 0],
            osd_alpha: 255,
            video_alpha: 255,
            ..OsdRegion::default()
        });
        let mut f = planes.nv12();
        let mut reads = Vec::new();
        let drawn = two
            .draw(&mut f, |addr, out| {
                reads.push((addr, out.len()));
                out.fill(0xff);
                Ok(())
            })
            .unwrap();
        assert_eq!(
            drawn,
            Drawn {
                shapes: 1,
                clipped: 1
            }
        );
        // Two visible rows of four pixels, a whole region row (65534 × 4 bytes) apart.
        assert_eq!(reads, [(0x1000, 16), (0x1000 + 65534 * 4, 16)]);
        assert_eq!(planes.y[6 * 16 + 12..6 * 16 + 16], [235; 4]);
    }

    #[test]
    fn borders_draw_their_outline_and_clip_at_the_edge() {
        let mut planes = Frame::new(16, 16);
        let mut two = attached(Mode::Border);
        two.borders[3] = Some(Border {
            width: 8,
            height: 8,
            line_width: 2,
            color: 0x00_40_80_10,
            startx: 12,
            starty: 4,
        });
        let mut f = planes.nv12();
        let drawn = two.draw(&mut f, |_, _| unreachable!("no OSD")).unwrap();
        assert_eq!(
            drawn,
            Drawn {
                shapes: 1,
                clipped: 1
            }
        );
        assert_eq!(planes.y[4 * 16 + 12], 0x10, "top-left corner");
        assert_eq!(planes.y[7 * 16 + 13], 0x10, "left edge");
        assert_eq!(planes.y[7 * 16 + 14], 100, "inside");
        assert_eq!(
            planes.uv[2 * 16 + 12..2 * 16 + 14],
            [0x80, 0x40],
            "U then V"
        );
    }

    #[test]
    fn add_orders_and_alphas_compose_bottom_to_top() {
        let c = Gamut::Bt709.coefficients();
        assert_eq!(rgb_to_yuv(&c, 0, 0, 0), [16, 128, 128]);
        assert_eq!(rgb_to_yuv(&c, 255, 255, 255), [235, 128, 128]);
        assert_eq!(add_order(0), Some(&[Layer::Video, Layer::Osd][..]));
        assert_eq!(add_order(9).map(<[Layer]>::len), Some(3));
        assert_eq!(add_order(10), None);
        for code in 0..4 {
            assert_eq!(Mode::from_code(code).map(Mode::code), Some(code));
        }
        assert_eq!(Mode::from_code(4), None);
        assert_eq!(OsdFormat::from_code(3), None, "XRGB is not taken");
        assert_eq!(
            OsdFormat::Argb4444.argb(&[0x34, 0xf2]),
            [255, 0x22, 0x33, 0x44]
        );
        assert_eq!(OsdFormat::Argb1555.argb(&[0x1f, 0x80]), [255, 0, 0, 255]);
        // 0x110e0bff, a dark pixel of the SDK's OSD picture: opaque, red 0x11, blue 0x0b.
        assert_eq!(
            OsdFormat::Argb8888.argb(&0x110e_0bffu32.to_le_bytes()),
            [0xff, 0x11, 0x0e, 0x0b]
        );
    }
}
