/* venc_cancel: ends an output thread blocked in kd_mpi_venc_get_stream(-1) with
 * pthread_cancel and pthread_join, as the SDK's sample_venc does on exit. With -d the channel
 * is stopped and destroyed first (the order of the SDK's samples), then made again and fed
 * one frame: the blocked thread stays blocked (its channel is gone) and takes none of the new
 * channel's packs; the program's own get_stream gets them.
 *
 * The channel is started but never fed, so the thread can only leave its wait by being
 * cancelled. Prints how long cancel + join took and whether the thread's cleanup handler ran;
 * exits 0 when the thread ended cancelled with its cleanup run, inside its one wait, having
 * taken no pack.
 *
 * Written for venc-sim; builds against the SDK or venc-sim:
 *     cc venc_cancel.c $(pkg-config --cflags --libs k230-mpp-sim) -lpthread */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "k_type.h"
#include "k_vb_comm.h"
#include "k_venc_comm.h"
#include "k_video_comm.h"
#include "mpi_sys_api.h"
#include "mpi_vb_api.h"
#include "mpi_venc_api.h"

#define CHN 0
/* 320x240 NV12, the UV plane at the next 4 KiB (the encoder wants both planes aligned). */
#define Y_BYTES 77824 /* 320 * 240 rounded up to 4 KiB */
#define FRAME_BYTES (Y_BYTES + 320 * 240 / 2)

static volatile int cleanup_ran, waiting, stolen, wait_ended;

static void on_cancel(void *arg)
{
    (void)arg;
    cleanup_ran = 1;
}

static void *output_thread(void *arg)
{
    (void)arg;
    k_venc_pack packs[4];
    pthread_cleanup_push(on_cancel, NULL);
    for (;;) {
        k_venc_stream stream = {packs, 4};
        waiting = 1;
        if (kd_mpi_venc_get_stream(CHN, &stream, -1) == K_SUCCESS) {
            stolen += (int)stream.pack_cnt;
            kd_mpi_venc_release_stream(CHN, &stream);
        } else {
            wait_ended = 1;
        }
    }
    pthread_cleanup_pop(0);
    return NULL;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Creates and starts the channel: 320x240 H.264 CBR. */
static int start_channel(void)
{
    k_venc_chn_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.venc_attr.type = K_PT_H264;
    attr.venc_attr.profile = VENC_PROFILE_H264_MAIN;
    attr.venc_attr.pic_width = 320;
    attr.venc_attr.pic_height = 240;
    attr.venc_attr.stream_buf_size = 0x10000;
    attr.venc_attr.stream_buf_cnt = 4;
    attr.rc_attr.rc_mode = K_VENC_RC_MODE_CBR;
    attr.rc_attr.cbr.gop = 30;
    attr.rc_attr.cbr.src_frame_rate = 30;
    attr.rc_attr.cbr.dst_frame_rate = 30;
    attr.rc_attr.cbr.bit_rate = 1000;
    if (kd_mpi_venc_create_chn(CHN, &attr) != K_SUCCESS || kd_mpi_venc_start_chn(CHN) != K_SUCCESS) {
        fprintf(stderr, "venc create/start failed\n");
        return 1;
    }
    return 0;
}

/* Stops and destroys the channel, makes it again and sends it one grey frame; returns the
 * packs the program's own get_stream then takes (-1 on a failure). */
static int remake_and_feed(void)
{
    if (kd_mpi_venc_stop_chn(CHN) != K_SUCCESS || kd_mpi_venc_destroy_chn(CHN) != K_SUCCESS)
        return -1;
    if (start_channel())
        return -1;
    k_vb_blk_handle block = kd_mpi_vb_get_block(VB_INVALID_POOLID, FRAME_BYTES, NULL);
    if (block == VB_INVALID_HANDLE)
        return -1;
    k_u64 phys = kd_mpi_vb_handle_to_phyaddr(block);
    k_u8 *pixels = kd_mpi_sys_mmap(phys, FRAME_BYTES);
    if (pixels == NULL)
        return -1;
    memset(pixels, 128, FRAME_BYTES);
    kd_mpi_sys_munmap(pixels, FRAME_BYTES);
    k_video_frame_info frame;
    memset(&frame, 0, sizeof(frame));
    frame.v_frame.width = 320;
    frame.v_frame.height = 240;
    frame.v_frame.pixel_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
    frame.v_frame.stride[0] = 320;
    frame.v_frame.stride[1] = 320;
    frame.v_frame.phys_addr[0] = phys;
    frame.v_frame.phys_addr[1] = phys + Y_BYTES;
    frame.pool_id = (k_u32)kd_mpi_vb_handle_to_pool_id(block);
    if (kd_mpi_venc_send_frame(CHN, &frame, 1000) != K_SUCCESS)
        return -1;
    int taken = 0;
    for (;;) {
        k_venc_pack packs[4];
        k_venc_stream stream = {packs, 4};
        if (kd_mpi_venc_get_stream(CHN, &stream, 1000) != K_SUCCESS)
            break;
        taken += (int)stream.pack_cnt;
        int picture = 0;
        for (k_u32 i = 0; i < stream.pack_cnt; i++)
            picture |= packs[i].type != K_VENC_HEADER;
        kd_mpi_venc_release_stream(CHN, &stream);
        if (picture)
            break;
    }
    kd_mpi_vb_release_block(block);
    return taken;
}

int main(int argc, char **argv)
{
    int destroy_first = argc > 1 && strcmp(argv[1], "-d") == 0;
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 2;
    config.comm_pool[0].blk_size = 0x10000;
    config.comm_pool[0].blk_cnt = 4;
    config.comm_pool[1].blk_size = FRAME_BYTES; /* -d's frame */
    config.comm_pool[1].blk_cnt = 1;
    if (kd_mpi_vb_set_config(&config) != K_SUCCESS || kd_mpi_vb_init() != K_SUCCESS) {
        fprintf(stderr, "vb init failed\n");
        return 1;
    }
    if (start_channel())
        return 1;

    pthread_t thread;
    pthread_create(&thread, NULL, output_thread, NULL);
    while (!waiting)
        usleep(1000);
    usleep(200 * 1000); /* well inside its wait */
    int taken = 0;
    if (destroy_first && (taken = remake_and_feed()) <= 0) {
        fprintf(stderr, "remaking the channel failed (%d packs)\n", taken);
        return 1;
    }

    double start = now_ms();
    pthread_cancel(thread);
    void *result = NULL;
    pthread_join(thread, &result);
    double took = now_ms() - start;

    kd_mpi_venc_stop_chn(CHN);
    kd_mpi_venc_destroy_chn(CHN);
    kd_mpi_venc_close_fd();
    k_s32 exit_ret = kd_mpi_vb_exit();
    int cancelled = result == PTHREAD_CANCELED;
    printf("cancelled %d cleanup %d in %.1f ms vb_exit 0x%x packs taken %d stolen %d wait "
           "ended %d\n",
           cancelled, cleanup_ran, took, (unsigned)exit_ret, taken, stolen, wait_ended);
    return (cancelled && cleanup_ran && exit_ret == K_SUCCESS && stolen == 0 && !wait_ended) ? 0
                                                                                            : 1;
}
