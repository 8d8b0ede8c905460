"""The raw MPI bindings (``kd_mpi_venc_*``, ``kd_mpi_vb_*``, ``kd_mpi_sys_mmap``) a star import of
``media.vencoder`` brings, as the board agent uses them: results and every error path."""

import unittest

import canmv_host

canmv_host.install()

import uctypes  # noqa: E402
from media.vencoder import *  # noqa: E402,F403

W, H = 320, 240
INVALID_CHNID = 0xA0098002 - (1 << 32)  # the binding's negative int
ILLEGAL_PARAM = 0xA0098003 - (1 << 32)
NOT_PERM = 0xA0098009 - (1 << 32)
NOTREADY = 0xA0098010 - (1 << 32)
BUSY = 0xA0098012 - (1 << 32)
NOT_SUPPORT = 0xA0098008 - (1 << 32)
BUF_EMPTY = 0xA009800E - (1 << 32)


def chn_attr(mode=1):
    a = k_venc_chn_attr()  # noqa: F405
    a.venc_attr.type, a.venc_attr.pic_width, a.venc_attr.pic_height = K_PT_H264, W, H  # noqa: F405
    a.venc_attr.profile = VENC_PROFILE_H264_MAIN  # noqa: F405
    a.rc_attr.rc_mode = mode
    cbr = a.rc_attr.cbr
    cbr.gop, cbr.src_frame_rate, cbr.dst_frame_rate, cbr.bit_rate = 30, 30, 30, 1000
    return a


class RawMpi(unittest.TestCase):
    def pool(self, size, count):
        cfg = k_vb_pool_config()  # noqa: F405
        cfg.blk_size, cfg.blk_cnt, cfg.mode = size, count, VB_REMAP_MODE_NOCACHE  # noqa: F405
        pool = kd_mpi_vb_create_pool(cfg)  # noqa: F405
        self.assertGreaterEqual(pool, 0)
        self.addCleanup(kd_mpi_vb_destory_pool, pool)  # noqa: F405
        return pool

    def test_a_frame_goes_in_and_a_stream_comes_out(self):
        out = self.pool(ALIGN_UP(W * H * 3 // 4, 0x1000), 4)  # noqa: F405
        self.assertEqual(kd_mpi_venc_attach_vb_pool(1, out), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_create_chn(1, chn_attr()), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_enable_idr(1, True), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_start_chn(1), 0)  # noqa: F405
        frames = self.pool(ALIGN_UP(W * H * 3 // 2, 0x1000), 1)
        handle = kd_mpi_vb_get_block(frames, W * H * 3 // 2, "")  # noqa: F405
        phys = kd_mpi_vb_handle_to_phyaddr(handle)  # noqa: F405
        virt = kd_mpi_sys_mmap(phys, W * H * 3 // 2)  # noqa: F405
        self.assertNotEqual(virt, 0)
        uctypes.bytearray_at(virt, W * H * 3 // 2)[:] = bytes([90]) * (W * H * 3 // 2)
        self.assertEqual(bytes(uctypes.bytearray_at(virt, 4)), bytes([90]) * 4)
        self.assertEqual(kd_mpi_sys_munmap(virt, W * H * 3 // 2), 0)  # noqa: F405
        f = k_video_frame_info()  # noqa: F405
        f.v_frame.width, f.v_frame.height, f.v_frame.pixel_format = W, H, 31
        f.v_frame.phys_addr[0], f.v_frame.phys_addr[1] = phys, phys + W * H
        f.v_frame.pts = 33
        self.assertEqual(kd_mpi_venc_send_frame(1, f, 1000), 0)  # noqa: F405
        stream = k_venc_stream()  # noqa: F405
        descs = bytearray(32 * 4)
        stream.pack, stream.pack_cnt = uctypes.addressof(descs), 4
        got = NOTREADY
        for _ in range(200):
            got = kd_mpi_venc_get_stream(1, stream, 50)  # noqa: F405
            st = k_venc_chn_status()  # noqa: F405
            kd_mpi_venc_query_status(1, st)  # noqa: F405
            if got == 0 and stream.pack_cnt == 2 or st.cur_packs == 0 and got == 0:
                break
        self.assertEqual(got, 0)
        kinds = [stream._pack[i].type for i in range(stream.pack_cnt)]
        self.assertEqual(kinds[0], K_VENC_HEADER)  # noqa: F405
        pack = stream._pack[stream.pack_cnt - 1]
        view = kd_mpi_sys_mmap(pack.phys_addr, pack.len)  # noqa: F405
        self.assertEqual(bytes(uctypes.bytearray_at(view, 4)), b"\0\0\0\1")
        kd_mpi_sys_munmap(view, pack.len)  # noqa: F405
        self.assertEqual(kd_mpi_venc_release_stream(1, stream), 0)  # noqa: F405
        self.assertEqual(kd_mpi_vb_release_block(handle), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_stop_chn(1), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_detach_vb_pool(1), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_destroy_chn(1), 0)  # noqa: F405

    def test_error_paths_return_the_mpi_codes(self):
        self.assertEqual(kd_mpi_venc_start_chn(4), INVALID_CHNID)  # noqa: F405
        self.assertEqual(kd_mpi_venc_start_chn(-1), INVALID_CHNID)  # noqa: F405
        self.assertEqual(kd_mpi_venc_stop_chn(2), NOT_PERM)  # noqa: F405
        self.assertEqual(kd_mpi_venc_create_chn(2, chn_attr(mode=9)), ILLEGAL_PARAM)  # noqa: F405
        st = k_venc_chn_status()  # noqa: F405
        self.assertNotEqual(kd_mpi_venc_query_status(7, st), 0)  # noqa: F405
        stream = k_venc_stream()  # noqa: F405
        stream.pack_cnt = 1
        self.assertEqual(kd_mpi_venc_get_stream(2, stream, 0), NOTREADY)  # noqa: F405

    def test_memory_and_pool_errors(self):
        self.assertEqual(kd_mpi_sys_mmap(0x10, 16), 0)  # noqa: F405  not media memory
        self.assertEqual(kd_mpi_sys_munmap(0x1234, 16), -1)  # noqa: F405
        self.assertEqual(kd_mpi_vb_get_block(987654, 0, ""), VB_INVALID_HANDLE)  # noqa: F405
        self.assertEqual(kd_mpi_vb_release_block(0x10), -1)  # noqa: F405
        self.assertEqual(kd_mpi_vb_destory_pool(987654), -1)  # noqa: F405
        cfg = k_vb_pool_config()  # noqa: F405
        # The binding returns -1 (the firmware's vencoder.py compares private_poolid with -1).
        self.assertEqual(kd_mpi_vb_create_pool(cfg), -1)  # noqa: F405  size 0
        pool = self.pool(4096, 1)
        self.assertGreaterEqual(kd_mpi_vb_get_block(pool, 4096, ""), 0)  # noqa: F405
        self.assertEqual(kd_mpi_vb_get_block(pool, 4096, ""), VB_INVALID_HANDLE)  # noqa: F405

    def test_structs_refuse_unknown_fields_and_wrong_types(self):
        a = k_venc_chn_attr()  # noqa: F405
        with self.assertRaises(AttributeError):
            a.venc_attr.width = 3  # the field is pic_width
        with self.assertRaises(AttributeError):
            a.rc_attr.cbr = 1  # a nested struct, not a scalar
        with self.assertRaises(TypeError):
            kd_mpi_venc_create_chn(0, object())  # noqa: F405
        with self.assertRaises(TypeError):
            kd_mpi_venc_query_status(0, k_venc_stream())  # noqa: F405
        with self.assertRaises(TypeError):
            kd_mpi_venc_send_frame(0, b"short", 0)  # noqa: F405


class FeatureBindings(unittest.TestCase):
    """The rest of the firmware's VENC bindings (rotation, mirror, the coding tools, the 2D
    engine): the simulator's answers through the same door the agent uses."""

    def created(self, chn, payload=None):
        cfg = k_vb_pool_config()  # noqa: F405
        cfg.blk_size, cfg.blk_cnt, cfg.mode = 0x20000, 2, VB_REMAP_MODE_NOCACHE  # noqa: F405
        pool = kd_mpi_vb_create_pool(cfg)  # noqa: F405
        self.addCleanup(kd_mpi_vb_destory_pool, pool)  # noqa: F405
        self.assertEqual(kd_mpi_venc_attach_vb_pool(chn, pool), 0)  # noqa: F405
        a = chn_attr()
        if payload is not None:
            a.venc_attr.type, a.venc_attr.profile = payload, VENC_PROFILE_H265_MAIN  # noqa: F405
        self.assertEqual(kd_mpi_venc_create_chn(chn, a), 0)  # noqa: F405
        self.addCleanup(kd_mpi_venc_detach_vb_pool, chn)  # noqa: F405
        self.addCleanup(kd_mpi_venc_destroy_chn, chn)  # noqa: F405

    def test_rotation_and_mirror_through_k_u32_holders(self):
        from mpp.common_struct import k_u32_ptr

        self.created(2)
        holder = k_u32_ptr()
        self.assertEqual(kd_mpi_venc_set_rotation(2, 3), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_get_rotation(2, holder), 0)  # noqa: F405
        self.assertEqual(holder.value, 3)
        self.assertEqual(kd_mpi_venc_set_mirror(2, 0), ILLEGAL_PARAM)  # noqa: F405
        self.assertEqual(kd_mpi_venc_set_rotation(5, 1), INVALID_CHNID)  # noqa: F405
        with self.assertRaises(TypeError):
            kd_mpi_venc_get_mirror(2, k_venc_chn_status())  # noqa: F405

    def test_coding_tools_with_their_structs(self):
        self.created(2, payload=K_PT_H265)  # noqa: F405
        sao = k_venc_h265_sao()  # noqa: F405
        sao.slice_sao_luma_flag, sao.slice_sao_chroma_flag = 0, 0
        self.assertEqual(kd_mpi_venc_set_h265_sao(2, sao), 0)  # noqa: F405
        back = k_venc_h265_sao()  # noqa: F405
        back.slice_sao_luma_flag = 7
        self.assertEqual(kd_mpi_venc_get_h265_sao(2, back), 0)  # noqa: F405
        self.assertEqual((back.slice_sao_luma_flag, back.slice_sao_chroma_flag), (0, 0))
        e = k_venc_h264_entropy()  # noqa: F405
        self.assertEqual(kd_mpi_venc_set_h264_entropy(2, e), ILLEGAL_PARAM)  # noqa: F405  H.265
        e265 = k_venc_h265_entropy()  # noqa: F405
        e265.cabac_init_flag = 0x101  # a k_u8: the store keeps 1, as uctypes does
        self.assertEqual(e265.cabac_init_flag, 1)
        self.assertEqual(kd_mpi_venc_set_h265_entropy(2, e265), NOT_SUPPORT)  # noqa: F405
        self.assertEqual(kd_mpi_venc_start_chn(2), 0)  # noqa: F405
        self.addCleanup(kd_mpi_venc_stop_chn, 2)  # noqa: F405
        self.assertEqual(kd_mpi_venc_set_dblk(2, 0), BUSY)  # noqa: F405

    def test_the_2d_engine_with_its_structs(self):
        from mpp.common_struct import k_u32_ptr

        border = k_venc_2d_border_attr()  # noqa: F405
        border.width, border.height, border.line_width = 64, 32, 2
        border.color, border.startx, border.starty = 0x8080EB, 8, 8
        self.assertEqual(kd_mpi_venc_set_2d_border_param(1, 32, border), INVALID_CHNID)  # noqa: F405
        self.assertEqual(kd_mpi_venc_set_2d_border_param(1, 5, border), 0)  # noqa: F405
        back = k_venc_2d_border_attr()  # noqa: F405
        self.assertEqual(kd_mpi_venc_get_2d_border_param(1, 5, back), 0)  # noqa: F405
        self.assertEqual(back._bytes(), border._bytes())
        osd = k_venc_2d_osd_attr()  # noqa: F405
        osd.width, osd.height, osd.fmt = 33, 16, 0  # odd width
        self.assertEqual(kd_mpi_venc_set_2d_osd_param(1, 0, osd), ILLEGAL_PARAM)  # noqa: F405
        self.assertEqual(kd_mpi_venc_set_2d_mode(1, 1), 0)  # noqa: F405
        coef = bytearray(24)
        self.assertEqual(kd_mpi_venc_set_2d_color_gamut(1, 0), 0)  # noqa: F405
        self.assertEqual(kd_mpi_venc_get_2d_custom_coef(1, coef), 0)  # noqa: F405
        self.assertEqual(list(memoryview(coef).cast("h"))[:4], [66, 129, 25, 16])
        mode = k_u32_ptr()
        self.assertEqual(kd_mpi_venc_get_2d_mode(1, mode), 0)  # noqa: F405
        self.assertEqual(mode.value, 1)
        self.assertEqual(kd_mpi_venc_attach_2d(3), INVALID_CHNID)  # noqa: F405
        self.assertEqual(kd_mpi_venc_start_2d_chn(1), 0)  # noqa: F405
        frame = k_video_frame_info()  # noqa: F405
        # A zeroed frame is RGB_444, which the engine does not take; nothing waits to be got.
        self.assertEqual(kd_mpi_venc_send_2d_frame(1, frame), NOT_SUPPORT)  # noqa: F405
        self.assertEqual(kd_mpi_venc_get_2d_frame(1, frame), BUF_EMPTY)  # noqa: F405
        self.assertEqual(kd_mpi_venc_stop_2d_chn(1), 0)  # noqa: F405
        csc = k_venc_2d_csc_attr()  # noqa: F405
        self.assertEqual(kd_mpi_venc_set_2d_csc_param(1, csc), NOT_SUPPORT)  # noqa: F405
        with self.assertRaises(TypeError):
            kd_mpi_venc_set_2d_custom_coef(1, [1, 2, 3])  # noqa: F405

    def test_the_native_door_refuses_a_name_that_is_not_a_venc_call(self):
        from canmv_host import _native

        with self.assertRaises(ValueError):
            _native.venc_feature("kd_mpi_venc_set_everything", 0, 0, [])
        # Words that do not make the call's values: the simulator's ILLEGAL_PARAM.
        self.assertEqual(_native.venc_feature("kd_mpi_venc_set_rotation", 0, 0, []), (ILLEGAL_PARAM, []))


if __name__ == "__main__":
    unittest.main()
