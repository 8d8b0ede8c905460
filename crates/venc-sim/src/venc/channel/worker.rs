//! The channel's worker, standing in for the VPU: takes a queued frame, turns and draws it (the
//! frame flags, the 2D engine), encodes it, and places its packs in output blocks and the ring.

use super::{Channel, Phase, State};
use crate::clock::Booking;
use crate::codec::{self, CodecEngine, CodingTools, EncodedPicture, Picture};
use crate::mmz::MediaMemory;
use crate::timing::{BoardProfile, PictureKind, VpuClock};
use crate::venc::nv12::deinterleave_uv;
use crate::venc::overlay::{Chroma, Planes, TwoD};
use log::warn;
use std::sync::MutexGuard;
use std::time::Duration;
use venc_core::bitstream::{Codec, NalKind, annexb_units};
use venc_core::fault::{FaultKind, FaultPoint};
use venc_core::layout::{uv_size, y_size};
use venc_core::{ChnAttr, PackType, VideoFrameInfo};

impl Channel {
    /// The 2D engine on a frame, in place in media memory as on the board (src == dst, §4):
    /// the planes read, drawn on, written back. What cannot be drawn is said once per start.
    fn draw_2d(
        &self,
        mem: &MediaMemory,
        two_d: &TwoD,
        frame: &VideoFrameInfo,
        (w, h): (u32, u32),
        (y, uv): &mut (Vec<u8>, Vec<u8>),
        warned: &mut bool,
    ) {
        // The worker's planes, sized once: every byte is read over before it is drawn on.
        y.resize(y_size(w, h) as usize, 0);
        uv.resize(uv_size(w, h) as usize, 0);
        let read = mem
            .read(frame.phys_addr[0], y)
            .and_then(|()| mem.read(frame.phys_addr[1], uv));
        if let Err(e) = read {
            warn!(
                "venc ch{}: 2D: frame pts {} unreadable: {e}",
                self.id, frame.pts
            );
            return;
        }
        let mut planes = Planes {
            y,
            chroma: Chroma::Interleaved { uv, v_first: false },
            width: w as usize,
            height: h as usize,
        };
        let drawn = two_d.draw(&mut planes, |addr, out| {
            mem.read(addr, out).map_err(|e| e.to_string())
        });
        let clipped = match drawn {
            Ok(d) => d.clipped,
            Err(why) => {
                if !std::mem::replace(warned, true) {
                    warn!("venc ch{}: 2D: {why}; drawn without it (D-057)", self.id);
                }
                0
            }
        };
        if clipped > 0 && !std::mem::replace(warned, true) {
            warn!(
                "venc ch{}: 2D: {clipped} region(s) or border(s) reach past the {w}x{h} frame: \
                 cut at its edge (D-057)",
                self.id
            );
        }
        let written = mem
            .write(frame.phys_addr[0], y)
            .and_then(|()| mem.write(frame.phys_addr[1], uv));
        if let Err(e) = written {
            warn!(
                "venc ch{}: 2D: frame pts {} not written back: {e}",
                self.id, frame.pts
            );
        }
    }

    pub(super) fn run_worker(
        &self,
        mem: &MediaMemory,
        (mut engine, engine_opts, tools): (
            Box<dyn CodecEngine>,
            (u16, codec::Engines),
            CodingTools,
        ),
        attr: ChnAttr,
        generation: u64,
        pacing: Option<(BoardProfile, VpuClock)>,
    ) {
        let (w, h) = (attr.width, attr.height);
        let (cw, ch) = (w / 2, h / 2);
        let mut u = vec![0u8; (cw * ch) as usize];
        let mut v = vec![0u8; (cw * ch) as usize];
        // The turned planes, and the coded size the engine was built for.
        let mut turned = (Vec::new(), Vec::new(), Vec::new());
        let mut coded = (w, h);
        // Room for the largest picture that can be placed (a header and a picture pack, each at
        // most one output block), reserved once so a big IDR does not reallocate mid-stream.
        // Only the pages written are resident.
        let most = self.lock().block_size.saturating_mul(2);
        let mut encoded = EncodedPicture {
            data: Vec::with_capacity(usize::try_from(most).unwrap_or(0)),
            idr: false,
        };
        let live = |s: &State| s.generation == generation && s.phase == Phase::Started;
        let codec = engine.codec();
        let gop = attr.rc.coded_gop();
        // The model costs a picture by its kind before the codec makes it (a dilated clock is
        // booked first): the kind the GOP gives, counted here.
        let mut since_idr: Option<u32> = None;
        let mut kind_warned = false;
        let mut two_d_warned = false;
        let mut two_d_planes = (Vec::new(), Vec::new());
        loop {
            let ((frame, arrived), force_idr, orientation, two_d) = {
                let mut st = self.lock();
                loop {
                    if !live(&st) {
                        // The engine, taken at start, is dropped with this worker: a restart
                        // needs a re-create, which builds a new one.
                        return;
                    }
                    // Every frame is encoded: the kernel never reads `dst_frame_rate` (D-009).
                    if let Some(f) = st.input.pop_front() {
                        let force = std::mem::take(&mut st.idr_requested);
                        break (f, force, st.orientation, st.two_d);
                    }
                    st = self.clock.wait_on(&self.input_cv, &self.state, st, None).0;
                }
            };
            self.clock.notify(&self.space_cv);
            let place = format_args!("venc ch{} VPU taking pts {}", self.id, frame.pts);
            match self.faults.strike(FaultPoint::Encode, place) {
                Some(FaultKind::VpuStall { ms }) => {
                    let until = self.clock.now() + Duration::from_millis(u64::from(ms));
                    drop(self.wait_live_until(self.lock(), until, live));
                }
                Some(_) => {
                    let mut st = self.lock();
                    st.stats.dropped_injected += 1;
                    st.last_release_pts = frame.pts;
                    warn!(
                        "venc ch{}: frame pts {} dropped (injected fault)",
                        self.id, frame.pts
                    );
                    continue;
                }
                None => {}
            }
            // Paced: the VPU takes the picture now, or when it finishes the one before. On a
            // dilated clock the booking holds board time at the due time until the packs are
            // placed.
            let kind =
                if codec == Codec::Jpeg || force_idr || since_idr.is_none_or(|n| n + 1 >= gop) {
                    PictureKind::I
                } else {
                    PictureKind::P
                };
            let mut booking = pacing
                .as_ref()
                .map(|(p, vpu)| vpu.book(&self.clock, p.picture_time(codec, kind, w, h), arrived));
            // Turning, drawing and encoding are host computation, not a stuck actor.
            let work = self.clock.work();
            let size = orientation.size(w, h);
            if size != coded {
                // A quarter turn changes the coded size: a new engine, whose first picture
                // is an IDR with its own headers (D-052).
                let turned_attr = ChnAttr {
                    width: size.0,
                    height: size.1,
                    ..attr
                };
                match codec::engine_with_tools(&turned_attr, engine_opts.0, engine_opts.1, tools) {
                    Ok(e) => {
                        engine = e;
                        coded = size;
                        since_idr = None;
                    }
                    Err((_, why)) => {
                        let mut st = self.lock();
                        st.last_release_pts = frame.pts;
                        st.stats.dropped_codec_error += 1;
                        warn!(
                            "venc ch{}: frame pts {} dropped: no engine for the turned {}x{}: \
                             {why}",
                            self.id, frame.pts, size.0, size.1
                        );
                        continue;
                    }
                }
            }
            let y_len = y_size(w, h);
            let uv_len = uv_size(w, h);
            if two_d.draws() {
                let planes = &mut two_d_planes;
                self.draw_2d(mem, &two_d, &frame, (w, h), planes, &mut two_d_warned);
            }
            let read = mem.with_two(
                (frame.phys_addr[0], y_len),
                (frame.phys_addr[1], uv_len),
                |y, uv| {
                    deinterleave_uv(uv, w as usize, ch as usize, &mut u, &mut v);
                    if orientation.is_identity() {
                        let pic = Picture::packed(y, &u, &v, w, h);
                        return engine.encode(&pic, force_idr, &mut encoded);
                    }
                    let (ty, tu, tv) = &mut turned;
                    ty.resize(y.len(), 0);
                    tu.resize(u.len(), 0);
                    tv.resize(v.len(), 0);
                    orientation.apply_plane(y, (w as usize, h as usize), ty);
                    orientation.apply_plane(&u, (cw as usize, ch as usize), tu);
                    orientation.apply_plane(&v, (cw as usize, ch as usize), tv);
                    let pic = Picture::packed(ty, tu, tv, size.0, size.1);
                    engine.encode(&pic, force_idr, &mut encoded)
                },
            );
            let mut st = self.lock();
            match read {
                Err(e) => {
                    // Memory was freed between send_frame and encoding: the board would read
                    // whatever is there now.
                    st.last_release_pts = frame.pts;
                    st.stats.dropped_codec_error += 1;
                    warn!("venc ch{}: input frame unreadable: {e}", self.id);
                    continue;
                }
                Ok(Err(e)) => {
                    st.last_release_pts = frame.pts;
                    st.stats.dropped_codec_error += 1;
                    warn!("venc ch{}: {e}", self.id);
                    continue;
                }
                Ok(Ok(())) => {}
            }
            let made = if encoded.idr || codec == Codec::Jpeg {
                PictureKind::I
            } else {
                PictureKind::P
            };
            if made != kind && pacing.is_some() && !kind_warned {
                kind_warned = true;
                warn!(
                    "venc ch{}: the timing model costed pts {} as an {kind:?} picture, the codec \
                     made an {made:?} picture (its GOP differs from {gop}); the model follows \
                     the codec's pictures from here",
                    self.id, frame.pts
                );
            }
            since_idr = Some(match made {
                PictureKind::I => 0,
                PictureKind::P => since_idr.map_or(0, |n| n.saturating_add(1)),
            });
            drop(work);
            if let Some(due) = booking.as_ref().map(Booking::due) {
                // Until the packs are due, or the channel stops.
                st = self.wait_live_until(st, due, live);
            }
            if st.generation != generation {
                return;
            }
            // The input is released only once its packs are in the ring (or it was dropped), so
            // `release_pic_pts` past a frame with no pack in the ring means it was dropped.
            let mut st = self.place_packs(mem, st, &encoded, frame.pts, &mut booking);
            st.last_release_pts = frame.pts;
            if st.consumers_waiting > 0 && st.wake_hold.is_none() && st.ring.queued() > 0 {
                st.wake_hold = Some(self.clock.book(|now| now));
            }
            drop(st);
            drop(booking);
            self.clock.notify(&self.output_cv);
        }
    }

    /// Splits an encoded picture into packs and writes them into output blocks and the ring.
    fn place_packs<'a>(
        &'a self,
        mem: &MediaMemory,
        mut st: MutexGuard<'a, State>,
        encoded: &EncodedPicture,
        pts: u64,
        booking: &mut Option<Booking>,
    ) -> MutexGuard<'a, State> {
        let codec = st.codec;
        // One pass: where the parameter sets end, and whether the picture is an IDR. A JPEG
        // picture is one pack typed I, whole (facts: `get_output`, mvx format 5).
        let (split, is_idr) = if codec == Codec::Jpeg {
            (0, true)
        } else {
            let mut split = encoded.data.len();
            let mut is_idr = false;
            for unit in annexb_units(&encoded.data) {
                let kind = codec.classify(unit.data);
                if !kind.is_parameter_set() && split == encoded.data.len() {
                    split = unit.offset;
                }
                is_idr |= kind == NalKind::IdrSlice;
            }
            (split, is_idr)
        };
        let (params, picture) = encoded.data.split_at(split);
        let with_header = encoded.idr && (st.idr_enabled || !st.header_sent) && !params.is_empty();
        let header = with_header.then_some((PackType::Header, params));
        let frame = (if is_idr { PackType::I } else { PackType::P }, picture);
        let packs = || header.into_iter().chain(std::iter::once(frame));
        if packs().any(|(_, b)| b.len() as u64 > st.block_size) {
            st.stats.dropped_oversize += 1;
            warn!(
                "venc ch{}: frame pts {pts} encoded to {} bytes, larger than the {}-byte output block: dropped",
                self.id,
                encoded.data.len(),
                st.block_size
            );
            return st;
        }
        // Each pack needs a free output block; the VPU stalls while the consumer holds them all.
        // When enough are free, a frame's packs enter the ring together.
        let generation = st.generation;
        for (pack_type, bytes) in packs() {
            while st.free_blocks.is_empty() {
                if st.phase != Phase::Started || st.generation != generation {
                    st.stats.dropped_at_stop += 1;
                    warn!(
                        "venc ch{}: frame pts {pts} dropped: stopped while waiting for a free output block",
                        self.id
                    );
                    return st;
                }
                self.clock.notify(&self.output_cv);
                // A stall for the consumer is board time passing: the clock is not held for it.
                drop(booking.take());
                st = self.clock.wait_on(&self.block_cv, &self.state, st, None).0;
            }
            let Some(block) = st.free_blocks.pop_front() else {
                return st;
            };
            if let Err(e) = mem.write(block, bytes) {
                st.stats.dropped_codec_error += 1;
                warn!("venc ch{}: output block unwritable: {e}", self.id);
                st.free_blocks.push_back(block);
                return st;
            }
            let place = format_args!("venc ch{} placing a {pack_type} pack", self.id);
            let forced =
                st.ring.held() > 0 && self.faults.strike(FaultPoint::PackPlaced, place).is_some();
            let forced_loss = if forced {
                st.ring.overwrite_oldest()
            } else {
                None
            };
            let full_loss = st
                .ring
                .push(pack_type, block, bytes.len() as u32, pts, block);
            for lost in forced_loss.into_iter().chain(full_loss) {
                let (rel, rp, wp) = lost.pointers;
                warn!(
                    "venc ch{}: stream queue overflow output_rrelease:{rel} output_rp:{rp} output_wp:{wp}",
                    self.id
                );
                st.stats.packs_overwritten += 1;
                st.free_blocks.push_back(lost.block);
            }
            st.stats.packs_produced += 1;
            if pack_type == PackType::Header {
                st.header_sent = true;
            }
        }
        st.stats.frames_encoded += 1;
        st
    }
}
