/* venc_rtsmart_camera: a K230 program in the style of the RT-Smart SDK's MPP examples (the
 * newer MPP the CanMV firmware is built on): the board's configuration force-included
 * (generated/autoconf.h, which selects the CanMV MPP's headers), the camera found by probing
 * the board's default CSI bus (kd_mpi_sensor_adapt_get), the VB with the JPEG supplement, the
 * encoder's channel handed out by the driver with a private stream pool made by
 * kd_mpi_vb_create_pool_ex and attached with the two-argument kd_mpi_venc_attach_vb_pool, the
 * camera channel with buffer_pool_id = VB_INVALID_POOLID (or, with -P, a pool of the
 * program's own made for the camera's buffers), bound to the encoder. An output
 * thread blocks in kd_mpi_venc_get_stream(-1); the program ends after FRAMES pictures or on
 * 'q' from stdin, and cancels the output thread as the SDK's sample_venc does.
 *
 * Written for venc-sim. Build it as the RT-Smart SDK's Makefiles build their examples:
 *     cc -include generated/autoconf.h venc_rtsmart_camera.c \
 *        $(pkg-config --cflags --libs k230-mpp-sim) -lpthread
 *
 * usage: venc_rtsmart_camera [-t h264|h265|jpeg] [-w W] [-h H] [-f FPS] [-n FRAMES] [-P] -o OUT */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k_module.h"
#include "k_sensor_comm.h"
#include "k_type.h"
#include "k_vb_comm.h"
#include "k_venc_comm.h"
#include "k_vicap_comm.h"
#include "k_video_comm.h"
#include "mpi_sensor_api.h"
#include "mpi_sys_api.h"
#include "mpi_vb_api.h"
#include "mpi_venc_api.h"
#include "mpi_vicap_api.h"

#ifndef CONFIG_MPP_SENSOR_DEFAULT_CSI
#error "build with -include generated/autoconf.h, as the RT-Smart SDK's examples are built"
#endif

#define INPUT_BUF_CNT 6
#define STREAM_BLOCKS 4
#define MAX_PACKS 8

static struct {
    pthread_mutex_t lock;
    pthread_cond_t moved;
    k_u32 chn;
    unsigned pictures;
    unsigned wanted;
    int quit; /* 'q' read from stdin */
    FILE *out;
    unsigned long bytes;
    k_s32 error;
} g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, 0, 0};

#define CHECK(call)                                                                  \
    do {                                                                             \
        k_s32 ret_ = (call);                                                         \
        if (ret_ != K_SUCCESS) {                                                     \
            fprintf(stderr, "%s: 0x%x\n", #call, (unsigned)ret_);                    \
            return 1;                                                                \
        }                                                                            \
    } while (0)

/* Blocks in get_stream(-1) for ever; ended by pthread_cancel, which can only strike there. */
static void *output_thread(void *arg)
{
    (void)arg;
    k_venc_pack packs[MAX_PACKS];
    for (;;) {
        k_venc_stream stream = {packs, MAX_PACKS};
        k_s32 ret = kd_mpi_venc_get_stream(g.chn, &stream, -1);
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
        pthread_mutex_lock(&g.lock);
        if (ret != K_SUCCESS) {
            g.error = ret;
        } else {
            for (k_u32 i = 0; i < stream.pack_cnt; i++) {
                if (g.pictures >= g.wanted)
                    break;
                void *data = kd_mpi_sys_mmap(packs[i].phys_addr, packs[i].len);
                if (data == NULL)
                    continue;
                fwrite(data, 1, packs[i].len, g.out);
                kd_mpi_sys_munmap(data, packs[i].len);
                g.bytes += packs[i].len;
                if (packs[i].type != K_VENC_HEADER)
                    g.pictures++;
            }
        }
        pthread_cond_broadcast(&g.moved);
        pthread_mutex_unlock(&g.lock);
        if (ret == K_SUCCESS)
            kd_mpi_venc_release_stream(g.chn, &stream);
        else
            usleep(10000);
        pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    }
    return NULL;
}

/* The samples' exit thread: 'q' on stdin ends the run early (end of input does not). */
static void *stdin_thread(void *arg)
{
    (void)arg;
    int c;
    while ((c = getchar()) != EOF) {
        if (c == 'q') {
            pthread_mutex_lock(&g.lock);
            g.quit = 1;
            pthread_cond_broadcast(&g.moved);
            pthread_mutex_unlock(&g.lock);
            break;
        }
    }
    return NULL;
}

/* The module on the board's default bus that gives w x h @ fps (or the nearest it has). */
static int probe_sensor(unsigned w, unsigned h, unsigned fps, k_vicap_sensor_info *info)
{
    k_vicap_probe_config probe;
    memset(&probe, 0, sizeof(probe));
    probe.csi_num = CONFIG_MPP_SENSOR_DEFAULT_CSI;
    probe.width = w;
    probe.height = h;
    probe.fps = fps;
    if (kd_mpi_sensor_adapt_get(&probe, info) != 0) {
        fprintf(stderr, "no sensor on CSI%d gives %ux%u@%u\n", CONFIG_MPP_SENSOR_DEFAULT_CSI, w, h,
                fps);
        return 1;
    }
    printf("probed %s: type %d, %ux%u@%u, mirror %u\n", (const char *)probe.sensor_name,
           (int)info->sensor_type, info->width, info->height, info->fps, probe.mirror);
    return 0;
}

static int vicap_config(const k_vicap_sensor_info *sensor, unsigned w, unsigned h, k_u32 pool)
{
    k_vicap_dev_attr dev_attr;
    k_vicap_chn_attr chn_attr;
    memset(&dev_attr, 0, sizeof(dev_attr));
    memset(&chn_attr, 0, sizeof(chn_attr));
    dev_attr.acq_win.width = sensor->width;
    dev_attr.acq_win.height = sensor->height;
    dev_attr.mode = VICAP_WORK_ONLINE_MODE;
    dev_attr.buffer_pool_id = VB_INVALID_POOLID;
    dev_attr.pipe_ctrl.bits.ae_enable = 1;
    dev_attr.pipe_ctrl.bits.awb_enable = 1;
    memcpy(&dev_attr.sensor_info, sensor, sizeof(*sensor));
    CHECK(kd_mpi_vicap_set_dev_attr(VICAP_DEV_ID_0, dev_attr));

    chn_attr.out_win.width = (k_u16)w;
    chn_attr.out_win.height = (k_u16)h;
    chn_attr.crop_win = chn_attr.out_win;
    chn_attr.scale_win = chn_attr.out_win;
    chn_attr.chn_enable = K_TRUE;
    chn_attr.alignment = 12;
    chn_attr.pix_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
    chn_attr.buffer_num = INPUT_BUF_CNT;
    chn_attr.buffer_size = VB_ALIGN_UP(w * h, 4096) + VB_ALIGN_UP(w * h / 2, 4096);
    chn_attr.buffer_pool_id = pool;
    CHECK(kd_mpi_vicap_set_chn_attr(VICAP_DEV_ID_0, VICAP_CHN_ID_0, chn_attr));
    CHECK(kd_mpi_vicap_init(VICAP_DEV_ID_0));
    return 0;
}

int main(int argc, char **argv)
{
    const char *type = "h265", *out_path = NULL;
    unsigned w = 1280, h = 720, fps = 30, frames = 30;
    int opt, own_pool = 0;
    while ((opt = getopt(argc, argv, "t:w:h:f:n:Po:")) != -1) {
        switch (opt) {
        case 't': type = optarg; break;
        case 'w': w = (unsigned)atoi(optarg); break;
        case 'h': h = (unsigned)atoi(optarg); break;
        case 'f': fps = (unsigned)atoi(optarg); break;
        case 'n': frames = (unsigned)atoi(optarg); break;
        case 'P': own_pool = 1; break;
        case 'o': out_path = optarg; break;
        default: out_path = NULL; optind = argc; break;
        }
    }
    if (out_path == NULL || w == 0 || h == 0 || frames == 0) {
        fprintf(stderr, "usage: %s [-t h264|h265|jpeg] [-w W] [-h H] [-f FPS] [-n FRAMES] [-P] -o OUT\n",
                argv[0]);
        return 2;
    }
    k_venc_chn_attr attr;
    memset(&attr, 0, sizeof(attr));
    if (strcmp(type, "h264") == 0) {
        attr.venc_attr.type = K_PT_H264;
        attr.venc_attr.profile = VENC_PROFILE_H264_HIGH;
    } else if (strcmp(type, "h265") == 0) {
        attr.venc_attr.type = K_PT_H265;
        attr.venc_attr.profile = VENC_PROFILE_H265_MAIN;
    } else if (strcmp(type, "jpeg") == 0) {
        attr.venc_attr.type = K_PT_JPEG;
    } else {
        fprintf(stderr, "unknown type %s (h264, h265, jpeg)\n", type);
        return 2;
    }

    k_vicap_sensor_info sensor;
    memset(&sensor, 0, sizeof(sensor));
    if (probe_sensor(1920, 1080, fps, &sensor))
        return 1;

    /* The VB: the JPEG supplement on every block, one small common pool. */
    k_vb_supplement_config supplement;
    memset(&supplement, 0, sizeof(supplement));
    supplement.supplement_config |= VB_SUPPLEMENT_JPEG_MASK;
    CHECK(kd_mpi_vb_set_supplement_config(&supplement));
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 1;
    config.comm_pool[0].blk_size = 4096;
    config.comm_pool[0].blk_cnt = 1;
    config.comm_pool[0].mode = VB_REMAP_MODE_NOCACHE;
    CHECK(kd_mpi_vb_set_config(&config));
    CHECK(kd_mpi_vb_init());

    g.out = fopen(out_path, "wb");
    if (g.out == NULL) {
        fprintf(stderr, "%s: %s\n", out_path, strerror(errno));
        return 1;
    }
    g.wanted = frames;

    /* The encoder: the driver's channel, the program's stream pool. */
    CHECK(kd_mpi_venc_request_chn(&g.chn));
    k_s32 pool = kd_mpi_vb_create_pool_ex(VB_ALIGN_UP(w * h / 2, 4096), STREAM_BLOCKS,
                                          VB_REMAP_MODE_NOCACHE);
    if (pool == (k_s32)VB_INVALID_POOLID) {
        fprintf(stderr, "kd_mpi_vb_create_pool_ex failed\n");
        return 1;
    }
    CHECK(kd_mpi_venc_attach_vb_pool(g.chn, (k_u32)pool));
    attr.venc_attr.pic_width = w;
    attr.venc_attr.pic_height = h;
    if (attr.venc_attr.type == K_PT_JPEG) {
        attr.rc_attr.rc_mode = K_VENC_RC_MODE_MJPEG_FIXQP;
        attr.rc_attr.mjpeg_fixqp.src_frame_rate = fps;
        attr.rc_attr.mjpeg_fixqp.dst_frame_rate = fps;
        attr.rc_attr.mjpeg_fixqp.q_factor = 45;
    } else {
        attr.rc_attr.rc_mode = K_VENC_RC_MODE_CBR;
        attr.rc_attr.cbr.gop = 30;
        attr.rc_attr.cbr.stats_time = 1;
        attr.rc_attr.cbr.src_frame_rate = fps;
        attr.rc_attr.cbr.dst_frame_rate = fps;
        attr.rc_attr.cbr.bit_rate = 2000;
    }
    CHECK(kd_mpi_venc_create_chn(g.chn, &attr));
    CHECK(kd_mpi_venc_start_chn(g.chn));

    /* -P: the camera's buffers from a pool of the program's own. */
    k_s32 camera_pool = (k_s32)VB_INVALID_POOLID;
    if (own_pool) {
        camera_pool = kd_mpi_vb_create_pool_ex(
            VB_ALIGN_UP(w * h, 4096) + VB_ALIGN_UP(w * h / 2, 4096), INPUT_BUF_CNT,
            VB_REMAP_MODE_NOCACHE);
        if (camera_pool == (k_s32)VB_INVALID_POOLID) {
            fprintf(stderr, "the camera's pool could not be made\n");
            return 1;
        }
    }
    if (vicap_config(&sensor, w, h, (k_u32)camera_pool))
        return 1;
    k_mpp_chn vi = {K_ID_VI, VICAP_DEV_ID_0, VICAP_CHN_ID_0};
    k_mpp_chn venc = {K_ID_VENC, 0, (k_s32)g.chn};
    CHECK(kd_mpi_sys_bind(&vi, &venc));
    CHECK(kd_mpi_vicap_start_stream(VICAP_DEV_ID_0));

    pthread_t out_thread, exit_thread;
    pthread_create(&out_thread, NULL, output_thread, NULL);
    pthread_create(&exit_thread, NULL, stdin_thread, NULL);
    pthread_detach(exit_thread);
    pthread_mutex_lock(&g.lock);
    while (g.pictures < g.wanted && !g.quit && g.error == K_SUCCESS)
        pthread_cond_wait(&g.moved, &g.lock);
    k_s32 error = g.error;
    int quit = g.quit;
    pthread_mutex_unlock(&g.lock);

    /* The samples' exit: camera, bind, channel, then the output thread. */
    CHECK(kd_mpi_vicap_stop_stream(VICAP_DEV_ID_0));
    CHECK(kd_mpi_vicap_deinit(VICAP_DEV_ID_0));
    CHECK(kd_mpi_sys_unbind(&vi, &venc));
    CHECK(kd_mpi_venc_stop_chn(g.chn));
    pthread_cancel(out_thread);
    pthread_join(out_thread, NULL);
    CHECK(kd_mpi_venc_detach_vb_pool(g.chn));
    CHECK(kd_mpi_venc_destroy_chn(g.chn));
    CHECK(kd_mpi_venc_release_chn(g.chn));
    CHECK(kd_mpi_vb_destory_pool((k_u32)pool));
    if (own_pool)
        CHECK(kd_mpi_vb_destory_pool((k_u32)camera_pool));
    CHECK(kd_mpi_vb_exit());
    fclose(g.out);
    printf("pictures %u bytes %lu%s\n", g.pictures, g.bytes, quit ? " (q)" : "");
    if (error != K_SUCCESS)
        fprintf(stderr, "get_stream: 0x%x\n", (unsigned)error);
    return error != K_SUCCESS ? 1 : 0;
}
