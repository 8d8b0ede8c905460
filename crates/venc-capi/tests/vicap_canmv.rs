//! The CanMV MPP's VICAP attributes (`buffer_pool_id`), through the `_canmv` calls its
//! headers map the names to.
#![allow(clippy::unwrap_used)]

use k230_mpp_sim::unmodelled::unmodelled_calls;
use k230_mpp_sim::vicap::canmv_attrs::*;
use k230_mpp_sim::vicap::types::{VicapChnAttr, VicapChnAttrCanmv, VicapDevAttr, VicapWindow};
use k230_mpp_sim::vicap::*;

const VB_INVALID_POOLID: u32 = u32::MAX;

fn chn_attr(pool: u32) -> VicapChnAttrCanmv {
    let win = VicapWindow {
        h_start: 0,
        v_start: 0,
        width: 640,
        height: 480,
    };
    VicapChnAttrCanmv {
        attr: VicapChnAttr {
            out_win: win,
            crop_win: win,
            scale_win: win,
            chn_enable: 1,
            pix_format: 31,
            buffer_num: 4,
            buffer_size: 640 * 480 * 2,
            alignment: 12,
            ..VicapChnAttr::default()
        },
        buffer_pool_id: pool,
    }
}

#[test]
fn a_pool_id_other_than_invalid_is_warned_counted_and_the_drivers_buffers_used() {
    // SAFETY: the pointers (the whole test) are to live locals.
    unsafe {
        let before = unmodelled_calls();
        assert_eq!(
            kd_mpi_vicap_set_chn_attr_canmv(0, 0, chn_attr(VB_INVALID_POOLID)),
            0
        );
        assert_eq!(
            unmodelled_calls(),
            before,
            "VB_INVALID_POOLID: the driver's buffers"
        );
        assert_eq!(kd_mpi_vicap_set_chn_attr_canmv(0, 1, chn_attr(3)), 0);
        assert_eq!(unmodelled_calls(), before + 1, "a program's pool: counted");
        let mut back = VicapChnAttrCanmv::default();
        assert_eq!(kd_mpi_vicap_get_chn_attr_canmv(0, 1, &mut back), 0);
        assert_eq!(back.attr, chn_attr(3).attr);
        assert_eq!(
            back.buffer_pool_id, VB_INVALID_POOLID,
            "the buffers are the driver's"
        );
        assert_eq!(
            kd_mpi_vicap_get_chn_attr_canmv(0, 1, std::ptr::null_mut()),
            kd_mpi_vicap_get_chn_attr(0, 1, std::ptr::null_mut())
        );
        // The device's id is read only where the device has buffers: online mode has none.
        let mut info = Default::default();
        assert_eq!(kd_mpi_vicap_get_sensor_info(7, &mut info), 0);
        let dev = VicapDevAttr {
            acq_win: VicapWindow {
                h_start: 0,
                v_start: 0,
                width: 1920,
                height: 1080,
            },
            sensor_info: info,
            dev_enable: 1,
            buffer_pool_id_canmv: 0,
            ..VicapDevAttr::default()
        };
        let before = unmodelled_calls();
        assert_eq!(kd_mpi_vicap_set_dev_attr_canmv(0, dev), 0);
        assert_eq!(unmodelled_calls(), before, "online: memset's 0 is not read");
        let offline = VicapDevAttr { mode: 1, ..dev };
        assert_eq!(kd_mpi_vicap_set_dev_attr_canmv(0, offline), 0);
        assert_eq!(
            unmodelled_calls(),
            before + 1,
            "offline with pool 0: counted"
        );
        let mut got = VicapDevAttr::default();
        assert_eq!(kd_mpi_vicap_get_dev_attr_canmv(0, &mut got), 0);
        assert_eq!(got.mode, 1);
    }
}
