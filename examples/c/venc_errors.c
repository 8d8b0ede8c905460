/* venc_errors: the K230 MPP's answers to wrong use, checked one by one.
 *
 * Every line is a call a program can get wrong, and the code the board's MPP returns for it
 * (k230-mpp-c-api.md, k230-venc-facts.md; the VB codes of the system-control reference).
 * The program prints "ok" or "FAIL" per check and exits 1 if any check failed.
 *
 * Written for venc-sim; builds against the SDK or venc-sim:
 *     cc venc_errors.c $(pkg-config --cflags --libs k230-mpp-sim) */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "k_type.h"
#include "k_vb_comm.h"
#include "k_venc_comm.h"
#include "k_video_comm.h"
#include "mpi_sys_api.h"
#include "mpi_vb_api.h"
#include "mpi_venc_api.h"

#define W 320
#define H 240
#define FRAME_SIZE (0x13000 + 0x13000) /* 4 KiB-aligned Y plane, then UV */

static int failures, checks;

static void expect(const char *what, long got, long want)
{
    checks++;
    int good = got == want;
    failures += !good;
    printf("%-4s %-58s got 0x%08lx want 0x%08lx\n", good ? "ok" : "FAIL", what,
           (unsigned long)got & 0xffffffffUL, (unsigned long)want & 0xffffffffUL);
}

static void h264_attr(k_venc_chn_attr *attr)
{
    memset(attr, 0, sizeof(*attr));
    attr->venc_attr.type = K_PT_H264;
    attr->venc_attr.profile = VENC_PROFILE_H264_MAIN;
    attr->venc_attr.pic_width = W;
    attr->venc_attr.pic_height = H;
    attr->venc_attr.stream_buf_size = 0x10000;
    attr->venc_attr.stream_buf_cnt = 15;
    attr->rc_attr.rc_mode = K_VENC_RC_MODE_CBR;
    attr->rc_attr.cbr.gop = 30;
    attr->rc_attr.cbr.stats_time = 1;
    attr->rc_attr.cbr.src_frame_rate = 30;
    attr->rc_attr.cbr.dst_frame_rate = 30;
    attr->rc_attr.cbr.bit_rate = 1000;
}

int main(void)
{
    k_venc_chn_attr attr;
    k_venc_chn_status status;
    k_venc_pack packs[4];
    k_venc_stream stream = {packs, 4};
    h264_attr(&attr);

    /* VENC before anything: channel range, NULL, call order. */
    expect("create_chn(4): channel out of range", kd_mpi_venc_create_chn(4, &attr), K_ERR_VENC_INVALID_CHNID);
    expect("create_chn(0, NULL)", kd_mpi_venc_create_chn(0, NULL), K_ERR_VENC_NULL_PTR);
    expect("start_chn(0) before create", kd_mpi_venc_start_chn(0), K_ERR_VENC_NOT_PERM);
    expect("query_status(7)", kd_mpi_venc_query_status(7, &status), K_ERR_VENC_INVALID_CHNID);
    expect("create_chn(0) with no common pools: no stream buffers", kd_mpi_venc_create_chn(0, &attr), K_ERR_VENC_NOBUF);

    /* VB: configure, then init; not the other way round. */
    expect("vb_set_config(NULL)", kd_mpi_vb_set_config(NULL), K_ERR_VB_NULL_PTR);
    expect("vb_init before vb_set_config", kd_mpi_vb_init(), K_ERR_VB_NOTREADY);
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 2;
    config.comm_pool[0].blk_size = FRAME_SIZE;
    config.comm_pool[0].blk_cnt = 2;
    config.comm_pool[1].blk_size = 0x10000;
    config.comm_pool[1].blk_cnt = 15;
    expect("vb_set_config", kd_mpi_vb_set_config(&config), K_SUCCESS);
    expect("vb_init", kd_mpi_vb_init(), K_SUCCESS);
    expect("vb_init again (repeatable)", kd_mpi_vb_init(), K_SUCCESS);
    expect("vb_set_config after vb_init", kd_mpi_vb_set_config(&config), K_ERR_VB_BUSY);

    k_vb_blk_handle frame_blk = kd_mpi_vb_get_block(VB_INVALID_POOLID, FRAME_SIZE, NULL);
    expect("vb_get_block from the common pools", frame_blk != VB_INVALID_HANDLE, 1);
    k_s32 frame_pool = kd_mpi_vb_handle_to_pool_id(frame_blk);
    expect("vb_get_block(pool, more than its blocks hold)",
           kd_mpi_vb_get_block((k_u32)frame_pool, FRAME_SIZE + 1, NULL), VB_INVALID_HANDLE);
    expect("vb_release_block(not a handle)", kd_mpi_vb_release_block(0xdead0000), K_ERR_VB_ILLEGAL_PARAM);
    expect("vb_destory_pool(a common pool)", kd_mpi_vb_destory_pool((k_u32)frame_pool), K_ERR_VB_NOT_PERM);
    expect("vb_destory_pool(no such pool)", kd_mpi_vb_destory_pool(200), K_ERR_VB_UNEXIST);
    expect("vb_handle_to_phyaddr(not a handle)", (long)kd_mpi_vb_handle_to_phyaddr(0xdead0000), 0);
    expect("sys_mmap(address outside media memory)", kd_mpi_sys_mmap(0x1000, 4096) == NULL, 1);
    int local;
    expect("sys_munmap(not a mapping)", kd_mpi_sys_munmap(&local, 4), -1);

    /* The channel's attributes. */
    attr.rc_attr.rc_mode = 9;
    expect("create_chn with rc_mode 9", kd_mpi_venc_create_chn(0, &attr), K_ERR_VENC_ILLEGAL_PARAM);
    h264_attr(&attr);
    /* 15 blocks of the stream pool and the 1 free frame block hold a stream buffer: 16 fit. */
    attr.venc_attr.stream_buf_cnt = 17;
    expect("create_chn asking 17 stream buffers, 16 fit", kd_mpi_venc_create_chn(0, &attr), K_ERR_VENC_NOBUF);
    h264_attr(&attr);
    expect("create_chn(0)", kd_mpi_venc_create_chn(0, &attr), K_SUCCESS);
    expect("vb_exit while the channel holds stream buffers", kd_mpi_vb_exit(), K_ERR_VB_BUSY);
    expect("enable_idr(0, 2): not a bool", kd_mpi_venc_enable_idr(0, 2), K_ERR_VENC_ILLEGAL_PARAM);
    expect("enable_idr(0, K_TRUE) before start", kd_mpi_venc_enable_idr(0, K_TRUE), K_SUCCESS);
    expect("stop_chn before start", kd_mpi_venc_stop_chn(0), K_ERR_VENC_NOT_PERM);
    expect("get_stream(0 ms) with nothing encoded", kd_mpi_venc_get_stream(0, &stream, 0), K_ERR_VENC_NOTREADY);

    /* Started. */
    expect("start_chn", kd_mpi_venc_start_chn(0), K_SUCCESS);
    expect("start_chn again", kd_mpi_venc_start_chn(0), K_ERR_VENC_NOT_PERM);
    expect("enable_idr after start", kd_mpi_venc_enable_idr(0, K_TRUE), K_ERR_VENC_BUSY);
    expect("destroy_chn while started", kd_mpi_venc_destroy_chn(0), K_ERR_VENC_NOT_PERM);

    /* Backpressure: nobody takes the packs, so the stream buffers fill, then the 30-deep input
     * queue, and then a send with a timeout is BUSY. */
    k_video_frame_info frame;
    memset(&frame, 0, sizeof(frame));
    frame.v_frame.width = W;
    frame.v_frame.height = H;
    frame.v_frame.pixel_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
    frame.v_frame.phys_addr[0] = kd_mpi_vb_handle_to_phyaddr(frame_blk);
    frame.v_frame.phys_addr[1] = frame.v_frame.phys_addr[0] + 0x13000;
    frame.pool_id = (k_u32)frame_pool;
    k_s32 ret = K_SUCCESS;
    int sent = 0;
    while (ret == K_SUCCESS && sent < 200) {
        frame.v_frame.pts = (k_u64)sent * 33333;
        ret = kd_mpi_venc_send_frame(0, &frame, 20);
        sent += ret == K_SUCCESS;
    }
    expect("send_frame(20 ms) on a full input queue", ret, K_ERR_VENC_BUSY);
    expect("frames taken before the queue was full: 30 or more", sent >= 30, 1);
    /* The encoder runs apart from this thread: on a slow machine (valgrind) the queue can be
     * full before the first picture is out. Wait for it, up to 10 s. */
    for (int tries = 0; tries < 1000; tries++) {
        kd_mpi_venc_query_status(0, &status);
        if (status.cur_packs > 0)
            break;
        usleep(10000);
    }
    expect("query_status: packs waiting", status.cur_packs > 0, 1);
    expect("query_status: release_pic_pts left 0, as by the kernel", (long)status.release_pic_pts, 0);
    stream.pack_cnt = 4;
    expect("get_stream", kd_mpi_venc_get_stream(0, &stream, 1000), K_SUCCESS);
    expect("get_stream: the first pack is the header", stream.pack[0].type, K_VENC_HEADER);
    expect("release_stream", kd_mpi_venc_release_stream(0, &stream), K_SUCCESS);
    expect("release_stream(NULL)", kd_mpi_venc_release_stream(0, NULL), K_ERR_VENC_NULL_PTR);

    /* Teardown in order. */
    expect("stop_chn", kd_mpi_venc_stop_chn(0), K_SUCCESS);
    expect("destroy_chn", kd_mpi_venc_destroy_chn(0), K_SUCCESS);
    expect("destroy_chn again", kd_mpi_venc_destroy_chn(0), K_ERR_VENC_NOT_PERM);
    expect("vb_exit while a frame block is taken", kd_mpi_vb_exit(), K_ERR_VB_BUSY);
    expect("vb_release_block", kd_mpi_vb_release_block(frame_blk), K_SUCCESS);
    expect("vb_release_block again", kd_mpi_vb_release_block(frame_blk), K_ERR_VB_ILLEGAL_PARAM);
    expect("close_fd", kd_mpi_venc_close_fd(), K_SUCCESS);
    expect("vb_exit", kd_mpi_vb_exit(), K_SUCCESS);

    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
