/* venc_camera: a K230 MPP program that encodes what the camera sees, in the style of the
 * SDK's sample_venc: VB common pools, one VENC channel, the VICAP configured from its sensor's
 * info and bound to the channel with kd_mpi_sys_bind, an output thread that drains packs
 * through kd_mpi_sys_mmap and is ended with pthread_cancel.
 *
 * Written for venc-sim. It builds unchanged against the SDK (its MPP headers and libraries)
 * and against venc-sim (include/ and libk230_mpp_sim):
 *     cc venc_camera.c $(pkg-config --cflags --libs k230-mpp-sim) -lpthread
 *
 * usage: venc_camera [-t h264|h265|jpeg] [-s SENSOR_TYPE] [-w W] [-h H] [-n FRAMES]
 *                    [-m MIRROR] [-p] [-r RAW] [-O] -o OUT
 * -m: 0 none, 1 horizontal, 2 vertical, 3 both (the VICAP's mirror); -p: the test-pattern
 * generator's colour bars; -r: load-image mode, RAW is one 10-bit RGGB picture of the
 * sensor's size (little-endian 16-bit samples); -O: sample_venc's OSD case, a translucent
 * ARGB8888 label (OSD region 0) and a border (border 0) drawn by the channel's 2D engine onto
 * every picture (attach_2d after start, as sample_venc does). The first FRAMES pictures go to OUT: an
 * Annex B stream (H.264/H.265) or concatenated JPEG pictures. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k_module.h"
#include "k_type.h"
#include "k_vb_comm.h"
#include "k_venc_comm.h"
#include "k_vicap_comm.h"
#include "k_video_comm.h"
#include "mpi_sys_api.h"
#include "mpi_vb_api.h"
#include "mpi_venc_api.h"
#include "mpi_vicap_api.h"

#define ALIGN_4K(x) (((x) + 0xfff) & ~0xfffUL)
#define CHN 0
#define INPUT_BUF_CNT 6
#define STREAM_BLOCKS 15
#define MAX_PACKS 8

static struct {
    pthread_mutex_t lock;
    pthread_cond_t moved;
    unsigned pictures; /* I/P packs written */
    unsigned wanted;
    FILE *out;
    unsigned long bytes;
    unsigned packs[4];
    k_s32 error;
} g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, NULL, 0, {0}, 0};

#define CHECK(call)                                                                  \
    do {                                                                             \
        k_s32 ret_ = (call);                                                         \
        if (ret_ != K_SUCCESS) {                                                     \
            fprintf(stderr, "%s: 0x%x\n", #call, (unsigned)ret_);                    \
            return 1;                                                                \
        }                                                                            \
    } while (0)

/* Drains the channel for ever; writes the first `wanted` pictures. Cancelled (by the main
 * thread) only inside get_stream: packs it holds are always released. */
static void *output_thread(void *arg)
{
    (void)arg;
    k_venc_pack packs[MAX_PACKS];
    for (;;) {
        k_venc_chn_status status;
        k_venc_stream stream = {packs, 1};
        if (kd_mpi_venc_query_status(CHN, &status) == K_SUCCESS && status.cur_packs > 0)
            stream.pack_cnt = status.cur_packs < MAX_PACKS ? status.cur_packs : MAX_PACKS;
        k_s32 ret = kd_mpi_venc_get_stream(CHN, &stream, -1);
        if (ret != K_SUCCESS) {
            pthread_mutex_lock(&g.lock);
            g.error = ret;
            pthread_cond_broadcast(&g.moved);
            pthread_mutex_unlock(&g.lock);
            usleep(10000);
            continue;
        }
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
        pthread_mutex_lock(&g.lock);
        for (k_u32 i = 0; i < stream.pack_cnt; i++) {
            if (g.pictures >= g.wanted)
                break;
            k_u8 *data = kd_mpi_sys_mmap(packs[i].phys_addr, packs[i].len);
            if (data == NULL)
                continue;
            fwrite(data, 1, packs[i].len, g.out);
            kd_mpi_sys_munmap(data, packs[i].len);
            g.bytes += packs[i].len;
            g.packs[packs[i].type & 3]++;
            if (packs[i].type != K_VENC_HEADER)
                g.pictures++;
        }
        pthread_cond_broadcast(&g.moved);
        pthread_mutex_unlock(&g.lock);
        kd_mpi_venc_release_stream(CHN, &stream);
        pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    }
    return NULL;
}

static int read_raw(const char *path, void **data, k_u32 *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)size);
    *len = (k_u32)size;
    int short_read = *data == NULL || fread(*data, 1, (size_t)size, f) != (size_t)size;
    fclose(f);
    if (short_read)
        fprintf(stderr, "%s: could not read %ld bytes\n", path, size);
    return short_read;
}

static int vicap_config(k_vicap_sensor_type sensor, unsigned w, unsigned h, unsigned mirror,
                        const char *raw_path)
{
    k_vicap_sensor_info sensor_info;
    k_vicap_dev_attr dev_attr;
    k_vicap_chn_attr chn_attr;
    memset(&sensor_info, 0, sizeof(sensor_info));
    memset(&dev_attr, 0, sizeof(dev_attr));
    memset(&chn_attr, 0, sizeof(chn_attr));

    CHECK(kd_mpi_vicap_get_sensor_info(sensor, &sensor_info));
    printf("sensor %s %ux%u\n", sensor_info.sensor_name, sensor_info.width, sensor_info.height);
    dev_attr.acq_win.width = sensor_info.width;
    dev_attr.acq_win.height = sensor_info.height;
    dev_attr.mode = VICAP_WORK_ONLINE_MODE;
    dev_attr.mirror = (k_vicap_mirror)mirror;
    memcpy(&dev_attr.sensor_info, &sensor_info, sizeof(sensor_info));
    if (raw_path != NULL) {
        dev_attr.mode = VICAP_WORK_LOAD_IMAGE_MODE;
        dev_attr.input_type = VICAP_INPUT_TYPE_IMAGE;
        dev_attr.image_pat = BAYER_PAT_RGGB;
        dev_attr.sensor_info.data_type = VICAP_CSI_DATA_TYPE_RAW10;
    }
    CHECK(kd_mpi_vicap_set_dev_attr(VICAP_DEV_ID_0, dev_attr));
    if (raw_path != NULL) {
        void *data;
        k_u32 len;
        if (read_raw(raw_path, &data, &len))
            return 1;
        k_s32 ret = kd_mpi_vicap_load_image(VICAP_DEV_ID_0, data, len);
        free(data);
        CHECK(ret);
    }

    chn_attr.out_win.width = (k_u16)w;
    chn_attr.out_win.height = (k_u16)h;
    chn_attr.crop_win = chn_attr.out_win;
    chn_attr.scale_win = chn_attr.out_win;
    chn_attr.crop_enable = K_FALSE;
    chn_attr.scale_enable = K_FALSE;
    chn_attr.chn_enable = K_TRUE;
    chn_attr.alignment = 12;
    chn_attr.pix_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
    chn_attr.buffer_num = INPUT_BUF_CNT;
    /* Y, then UV at the next 4 KiB (alignment 12). */
    chn_attr.buffer_size = (k_u32)(ALIGN_4K((k_u64)w * h) + ALIGN_4K((k_u64)w * h / 2));
    CHECK(kd_mpi_vicap_set_chn_attr(VICAP_DEV_ID_0, VICAP_CHN_ID_0, chn_attr));
    CHECK(kd_mpi_vicap_init(VICAP_DEV_ID_0));
    return 0;
}

#define OSD_W 96
#define OSD_H 32
#define OSD_SIZE ALIGN_4K(OSD_W * OSD_H * 4)

/* sample_venc's OSD case: an ARGB8888 label in a common-pool block (a blue-to-green gradient,
 * three quarters opaque) at the top left, and a white border, drawn by the 2D engine onto
 * every frame. The block is the caller's to release once the 2D engine is detached. */
static k_vb_blk_handle osd_start(unsigned w, unsigned h)
{
    k_vb_blk_handle block = kd_mpi_vb_get_block(VB_INVALID_POOLID, OSD_SIZE, NULL);
    if (block == VB_INVALID_HANDLE) {
        fprintf(stderr, "no OSD block\n");
        return VB_INVALID_HANDLE;
    }
    k_u64 phys = kd_mpi_vb_handle_to_phyaddr(block);
    k_u32 *argb = kd_mpi_sys_mmap(phys, OSD_SIZE);
    if (argb == NULL) {
        fprintf(stderr, "mmap of the OSD block failed\n");
        return VB_INVALID_HANDLE;
    }
    for (unsigned y = 0; y < OSD_H; y++)
        for (unsigned x = 0; x < OSD_W; x++)
            /* 0xRRGGBBAA, as the SDK's own OSD picture is laid out: green, blue, alpha. */
            argb[y * OSD_W + x] = ((x * 255 / OSD_W) << 16) | ((255 - x * 255 / OSD_W) << 8) | 0xc0u;
    kd_mpi_sys_munmap(argb, OSD_SIZE);

    k_venc_2d_osd_attr region;
    memset(&region, 0, sizeof(region));
    region.width = OSD_W;
    region.height = OSD_H;
    region.startx = 16;
    region.starty = 16;
    region.phys_addr[0] = (k_u32)phys; /* the 2D engine takes 32-bit addresses */
    region.osd_alpha = 255;
    region.video_alpha = 255;
    region.add_order = K_VENC_2D_ADD_ORDER_VIDEO_OSD;
    region.fmt = K_VENC_2D_OSD_FMT_ARGB8888;
    k_venc_2d_border_attr border;
    memset(&border, 0, sizeof(border));
    border.width = (k_u16)(w / 2 & ~1u);
    border.height = (k_u16)(h / 2 & ~1u);
    border.line_width = 4;
    border.color = (128u << 16) | (128u << 8) | 235u; /* YUV444: white */
    border.startx = (k_u16)(w / 4 & ~1u);
    border.starty = (k_u16)(h / 4 & ~1u);
    k_s32 ret;
    if ((ret = kd_mpi_venc_attach_2d(CHN)) != K_SUCCESS ||
        (ret = kd_mpi_venc_set_2d_mode(CHN, K_VENC_2D_CALC_MODE_OSD_BORDER)) != K_SUCCESS ||
        (ret = kd_mpi_venc_set_2d_osd_param(CHN, 0, &region)) != K_SUCCESS ||
        (ret = kd_mpi_venc_set_2d_border_param(CHN, 0, &border)) != K_SUCCESS) {
        fprintf(stderr, "2D OSD set-up: 0x%x\n", (unsigned)ret);
        return VB_INVALID_HANDLE;
    }
    return block;
}

int main(int argc, char **argv)
{
    const char *type = "h264", *out_path = NULL, *raw_path = NULL;
    unsigned w = 1280, h = 720, frames = 30, mirror = 0;
    k_vicap_sensor_type sensor = OV_OV5647_MIPI_CSI0_1920X1080_30FPS_10BIT_LINEAR;
    int tpg = 0, osd = 0, opt;
    while ((opt = getopt(argc, argv, "t:s:w:h:n:m:pr:Oo:")) != -1) {
        switch (opt) {
        case 't': type = optarg; break;
        case 's': sensor = (k_vicap_sensor_type)atoi(optarg); break;
        case 'w': w = (unsigned)atoi(optarg); break;
        case 'h': h = (unsigned)atoi(optarg); break;
        case 'n': frames = (unsigned)atoi(optarg); break;
        case 'm': mirror = (unsigned)atoi(optarg); break;
        case 'p': tpg = 1; break;
        case 'r': raw_path = optarg; break;
        case 'O': osd = 1; break;
        case 'o': out_path = optarg; break;
        default: out_path = NULL; optind = argc; break;
        }
    }
    if (out_path == NULL || w == 0 || h == 0 || frames == 0) {
        fprintf(stderr, "usage: %s [-t h264|h265|jpeg] [-s SENSOR_TYPE] [-w W] [-h H] [-n FRAMES] [-m MIRROR] [-p] [-r RAW] [-O] -o OUT\n", argv[0]);
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
    g.out = fopen(out_path, "wb");
    if (g.out == NULL) {
        fprintf(stderr, "%s: %s\n", out_path, strerror(errno));
        return 1;
    }
    g.wanted = frames;

    k_u32 stream_size = (k_u32)ALIGN_4K((k_u64)w * h / 2);
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 2;
    config.comm_pool[0].blk_size = stream_size;
    config.comm_pool[0].blk_cnt = STREAM_BLOCKS;
    config.comm_pool[0].mode = VB_REMAP_MODE_NOCACHE;
    config.comm_pool[1].blk_size = OSD_SIZE;
    config.comm_pool[1].blk_cnt = 1;
    config.comm_pool[1].mode = VB_REMAP_MODE_NOCACHE;
    CHECK(kd_mpi_vb_set_config(&config));
    CHECK(kd_mpi_vb_init());

    attr.venc_attr.stream_buf_size = stream_size;
    attr.venc_attr.stream_buf_cnt = STREAM_BLOCKS;
    attr.venc_attr.pic_width = w;
    attr.venc_attr.pic_height = h;
    if (attr.venc_attr.type == K_PT_JPEG) {
        attr.rc_attr.rc_mode = K_VENC_RC_MODE_MJPEG_FIXQP;
        attr.rc_attr.mjpeg_fixqp.src_frame_rate = 30;
        attr.rc_attr.mjpeg_fixqp.dst_frame_rate = 30;
        attr.rc_attr.mjpeg_fixqp.q_factor = 45;
    } else {
        attr.rc_attr.rc_mode = K_VENC_RC_MODE_CBR;
        attr.rc_attr.cbr.gop = 30;
        attr.rc_attr.cbr.stats_time = 1;
        attr.rc_attr.cbr.src_frame_rate = 30;
        attr.rc_attr.cbr.dst_frame_rate = 30;
        attr.rc_attr.cbr.bit_rate = 4000;
    }
    CHECK(kd_mpi_venc_create_chn(CHN, &attr));
    CHECK(kd_mpi_venc_start_chn(CHN));
    k_vb_blk_handle osd_block = VB_INVALID_HANDLE;
    if (osd && (osd_block = osd_start(w, h)) == VB_INVALID_HANDLE)
        return 1;

    CHECK(kd_mpi_vicap_tpg_enable(tpg ? K_TRUE : K_FALSE));
    if (vicap_config(sensor, w, h, mirror, raw_path))
        return 1;
    k_mpp_chn vi = {K_ID_VI, VICAP_DEV_ID_0, VICAP_CHN_ID_0};
    k_mpp_chn venc = {K_ID_VENC, 0, CHN};
    CHECK(kd_mpi_sys_bind(&vi, &venc));
    CHECK(kd_mpi_vicap_start_stream(VICAP_DEV_ID_0));

    pthread_t out_thread;
    pthread_create(&out_thread, NULL, output_thread, NULL);
    pthread_mutex_lock(&g.lock);
    while (g.pictures < g.wanted && g.error == K_SUCCESS)
        pthread_cond_wait(&g.moved, &g.lock);
    k_s32 error = g.error;
    pthread_mutex_unlock(&g.lock);

    /* sample_venc's exit: camera, bind, channel, then the output thread (parked in
     * get_stream once the stopped channel has nothing left). */
    CHECK(kd_mpi_vicap_stop_stream(VICAP_DEV_ID_0));
    CHECK(kd_mpi_vicap_deinit(VICAP_DEV_ID_0));
    CHECK(kd_mpi_sys_unbind(&vi, &venc));
    CHECK(kd_mpi_venc_stop_chn(CHN));
    pthread_cancel(out_thread);
    pthread_join(out_thread, NULL);
    if (osd_block != VB_INVALID_HANDLE) {
        CHECK(kd_mpi_venc_detach_2d(CHN));
        CHECK(kd_mpi_vb_release_block(osd_block));
    }
    CHECK(kd_mpi_venc_destroy_chn(CHN));
    CHECK(kd_mpi_venc_close_fd());
    k_s32 ret = kd_mpi_vb_exit();
    fclose(g.out);
    printf("pictures %u packs header %u i %u p %u bytes %lu vb_exit 0x%x\n", g.pictures,
           g.packs[K_VENC_HEADER], g.packs[K_VENC_I_FRAME], g.packs[K_VENC_P_FRAME], g.bytes,
           (unsigned)ret);
    if (error != K_SUCCESS)
        fprintf(stderr, "get_stream: 0x%x\n", (unsigned)error);
    return (error != K_SUCCESS || ret != K_SUCCESS) ? 1 : 0;
}
