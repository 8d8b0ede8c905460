//! Fuzz target: the structs a C program hands the library (issue 20's struct fuzzing through
//! the C ABI): arbitrary bytes as `k_venc_chn_attr` (both families), `k_video_frame_info`,
//! `k_venc_2d_osd_attr`, `k_venc_2d_border_attr`, `k_vb_pool_config`, `k_vb_config` and the
//! VICAP attributes passed by value. Every call answers 0 or a well-formed code of its module,
//! a call that succeeds is undone cleanly, and no call panics (the library would answer a
//! panic with a code and count it: the count stays 0). `FUZZ_CASES` sets the count
//! (`cargo xtask fuzz`: a million).
#![allow(clippy::unwrap_used)]

mod common;

use common::vb_once;
use k230_mpp_sim::abi::{
    BorderAttr, CanmvChnAttr, ChnAttr, OsdAttr, VbConfig, VbPoolConfig, VideoFrameInfo,
};
use k230_mpp_sim::vicap::types::{VicapChnAttr, VicapDevAttr};
use k230_mpp_sim::{canmv, panics_caught, twod, vb, venc, vicap};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::sync::Mutex;
use venc_harness::mutate::cases;

/// The library's board and its channels are the process's: one property at a time.
static BOARD: Mutex<()> = Mutex::new(());

const K_ID_VB: u32 = 4;
const K_ID_VENC: u32 = 9;
const K_ID_VICAP: u32 = 21;

/// `ret` is 0 or `K_DEF_ERR(module, K_ERR_LEVEL_ERROR, id)` with a known id.
fn answer(module: u32, ret: i32) -> Result<(), TestCaseError> {
    let r = ret as u32;
    prop_assert!(
        ret == 0 || (r >> 16 == 0xA000 | module && r & 0xE000 == 0x8000 && r & 0x1FFF <= 0x20),
        "module {module}: 0x{r:x}"
    );
    Ok(())
}

/// A plain `#[repr(C)]` value of `T` from arbitrary bytes (`T` holds integers and raw pointers,
/// for which any bit pattern is a value).
fn from_bytes<T: Copy>(bytes: &[u8]) -> T {
    assert_eq!(bytes.len(), size_of::<T>());
    // SAFETY: `T` is one of the library's C structs of integers and raw pointers: any bit
    // pattern is a valid value.
    unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast()) }
}

/// A create's answer is a VENC code, and a channel it made is destroyed cleanly.
fn undo_create(chn: u32, ret: i32) -> Result<(), TestCaseError> {
    answer(K_ID_VENC, ret)?;
    if ret == 0 {
        prop_assert_eq!(venc::kd_mpi_venc_destroy_chn(chn), 0);
    }
    prop_assert_eq!(panics_caught(), 0);
    Ok(())
}

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        // SAFETY: set before the library's board (the only reader) is brought up, inside a
        // Once every test passes through first.
        unsafe { std::env::set_var("VENC_SIM_LOG", "error") };
        vb_once();
    });
    BOARD.lock().unwrap_or_else(|e| e.into_inner())
}

/// A valid H.264 channel's SDK attributes, as bytes: the seed mutations start from.
fn seed_attr() -> Vec<u8> {
    let attr = common::cbr_attr(
        venc_core::consts::K_PT_H264,
        venc_core::consts::VENC_PROFILE_H264_MAIN,
        320,
        240,
    );
    // SAFETY: a plain C struct of integers, read as its bytes.
    unsafe { std::slice::from_raw_parts((&raw const attr).cast::<u8>(), size_of::<ChnAttr>()) }
        .to_vec()
}

proptest! {
    #![proptest_config(Config { cases: cases(300), ..Config::default() })]

    #[test]
    fn sdk_channel_attributes(bytes in prop::collection::vec(any::<u8>(), 52), chn in 0u32..6) {
        let _one = one_at_a_time();
        let mut attr: ChnAttr = from_bytes(&bytes);
        // SAFETY: a pointer to a live local.
        let ret = unsafe { venc::kd_mpi_venc_create_chn(chn, &mut attr) };
        undo_create(chn, ret)?;
    }

    #[test]
    fn mutated_valid_channel_attributes(e in venc_harness::mutate::edits(), chn in 0u32..4) {
        let _one = one_at_a_time();
        let mut bytes = venc_harness::mutate::mutate(&seed_attr(), &e);
        bytes.resize(size_of::<ChnAttr>(), 0);
        let mut attr: ChnAttr = from_bytes(&bytes);
        // SAFETY: a pointer to a live local.
        let ret = unsafe { venc::kd_mpi_venc_create_chn(chn, &mut attr) };
        undo_create(chn, ret)?;
    }

    #[test]
    fn canmv_channel_attributes(bytes in prop::collection::vec(any::<u8>(), 44), chn in 0u32..6) {
        let _one = one_at_a_time();
        let mut attr: CanmvChnAttr = from_bytes(&bytes);
        // SAFETY: a pointer to a live local.
        let ret = unsafe { canmv::kd_mpi_venc_create_chn_canmv(chn, &mut attr) };
        undo_create(chn, ret)?;
    }

    #[test]
    fn frames_sent(bytes in prop::collection::vec(any::<u8>(), 224), chn in 0u32..6) {
        let _one = one_at_a_time();
        // The pointer fields (the supplement's) are never read by the library.
        let mut frame: VideoFrameInfo = from_bytes(&bytes);
        // SAFETY: a pointer to a live local.
        let ret = unsafe { venc::kd_mpi_venc_send_frame(chn, &mut frame, 0) };
        answer(K_ID_VENC, ret)?;
        prop_assert_eq!(panics_caught(), 0);
    }

    #[test]
    fn osd_and_border_attributes(
        osd in prop::collection::vec(any::<u8>(), 36),
        border in prop::collection::vec(any::<u8>(), 16),
        chn in 0u32..5,
        index in any::<u8>(),
    ) {
        let _one = one_at_a_time();
        let o: OsdAttr = from_bytes(&osd);
        let b: BorderAttr = from_bytes(&border);
        // SAFETY: pointers to live locals.
        unsafe {
            let ret = twod::kd_mpi_venc_set_2d_osd_param(chn, index, &o);
            answer(K_ID_VENC, ret)?;
            if ret == 0 {
                let mut back = OsdAttr::default();
                prop_assert_eq!(twod::kd_mpi_venc_get_2d_osd_param(chn, index, &mut back), 0);
                prop_assert_eq!(back, o);
            }
            let ret = twod::kd_mpi_venc_set_2d_border_param(chn, index, &b);
            answer(K_ID_VENC, ret)?;
        }
        prop_assert_eq!(panics_caught(), 0);
    }

    #[test]
    fn vb_pool_and_config(
        pool in prop::collection::vec(any::<u8>(), 32),
        config in prop::collection::vec(any::<u8>(), 520),
    ) {
        let _one = one_at_a_time();
        let mut p: VbPoolConfig = from_bytes(&pool);
        // Most of these ask for more than the 2 GiB window; the rest are made and destroyed.
        // SAFETY: a pointer to a live local.
        let id = unsafe { vb::kd_mpi_vb_create_pool(&mut p) };
        if id >= 0 {
            prop_assert_eq!(vb::kd_mpi_vb_destory_pool(id as u32), 0);
        }
        let c: VbConfig = from_bytes(&config);
        // After vb_init a new configuration is refused; the answer is a VB code either way.
        // SAFETY: a pointer to a live local.
        answer(K_ID_VB, unsafe { vb::kd_mpi_vb_set_config(&c) })?;
        prop_assert_eq!(panics_caught(), 0);
    }

    #[test]
    fn vicap_attributes_by_value(
        dev in prop::collection::vec(any::<u8>(), size_of::<VicapDevAttr>()),
        chn in prop::collection::vec(any::<u8>(), size_of::<VicapChnAttr>()),
        dev_num in 0u32..4,
        chn_num in 0u32..5,
    ) {
        let _one = one_at_a_time();
        let mut d: VicapDevAttr = from_bytes(&dev);
        // The sensor's name is a pointer the library never reads; a program passes the one
        // get_sensor_info gave.
        d.sensor_info.sensor_name = std::ptr::null();
        let c: VicapChnAttr = from_bytes(&chn);
        answer(K_ID_VICAP, vicap::kd_mpi_vicap_set_dev_attr(dev_num, d))?;
        answer(K_ID_VICAP, vicap::kd_mpi_vicap_set_chn_attr(dev_num, chn_num, c))?;
        prop_assert_eq!(panics_caught(), 0);
    }
}
