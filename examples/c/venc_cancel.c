/* venc_cancel: ends an output thread blocked in kd_mpi_venc_get_stream(-1) with
 * pthread_cancel and pthread_join, as the SDK's sample_venc does on exit.
 *
 * The channel is started but never fed, so the thread can only leave its wait by being
 * cancelled. Prints how long cancel + join took and whether the thread's cleanup handler ran;
 * exits 0 when the thread ended cancelled with its cleanup run.
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
#include "mpi_vb_api.h"
#include "mpi_venc_api.h"

#define CHN 0

static volatile int cleanup_ran, waiting;

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
        if (kd_mpi_venc_get_stream(CHN, &stream, -1) == K_SUCCESS)
            kd_mpi_venc_release_stream(CHN, &stream);
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

int main(void)
{
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 1;
    config.comm_pool[0].blk_size = 0x10000;
    config.comm_pool[0].blk_cnt = 4;
    if (kd_mpi_vb_set_config(&config) != K_SUCCESS || kd_mpi_vb_init() != K_SUCCESS) {
        fprintf(stderr, "vb init failed\n");
        return 1;
    }
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

    pthread_t thread;
    pthread_create(&thread, NULL, output_thread, NULL);
    while (!waiting)
        usleep(1000);
    usleep(200 * 1000); /* well inside its wait */

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
    printf("cancelled %d cleanup %d in %.1f ms vb_exit 0x%x\n", cancelled, cleanup_ran, took,
           (unsigned)exit_ret);
    return (cancelled && cleanup_ran && exit_ret == K_SUCCESS) ? 0 : 1;
}
