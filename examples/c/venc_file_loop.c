/* venc_file_loop: a K230 MPP program that encodes frames it sends itself
 * (kd_mpi_venc_send_frame), in the style of the SDK's samples: VB common pools, one VENC
 * channel, an output thread that drains packs through kd_mpi_sys_mmap.
 *
 * Written for venc-sim. It builds unchanged against the SDK (its MPP headers and libraries)
 * and against venc-sim (include/ and libk230_mpp_sim):
 *     cc venc_file_loop.c $(pkg-config --cflags --libs k230-mpp-sim) -lpthread
 *
 * usage: venc_file_loop [-t h264|h265|jpeg] [-w W] [-h H] [-n FRAMES] [-i in.nv12] -o OUT
 * Without -i the frames are a moving gradient. OUT is an Annex B stream (H.264/H.265) or
 * concatenated JPEG pictures. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k_type.h"
#include "k_vb_comm.h"
#include "k_venc_comm.h"
#include "k_video_comm.h"
#include "mpi_sys_api.h"
#include "mpi_vb_api.h"
#include "mpi_venc_api.h"

#define ALIGN_4K(x) (((x) + 0xfff) & ~0xfffUL)
#define CHN 0
#define FRAME_BLOCKS 4
#define STREAM_BLOCKS 15
#define MAX_PACKS 8

static struct {
    pthread_mutex_t lock;
    pthread_cond_t moved;
    unsigned pictures_out; /* I/P packs written and released */
    unsigned frames;
    FILE *out;
    unsigned long bytes;
    unsigned packs[4];
    int failed;
} g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, NULL, 0, {0}, 0};

/* Stops both threads: the sender may be waiting for a block to come back. */
static void fail(const char *what, k_s32 ret)
{
    fprintf(stderr, "%s: 0x%x\n", what, (unsigned)ret);
    pthread_mutex_lock(&g.lock);
    g.failed = 1;
    pthread_cond_broadcast(&g.moved);
    pthread_mutex_unlock(&g.lock);
}

static void *output_thread(void *arg)
{
    (void)arg;
    k_venc_pack packs[MAX_PACKS];
    for (;;) {
        pthread_mutex_lock(&g.lock);
        int done = g.pictures_out >= g.frames || g.failed;
        pthread_mutex_unlock(&g.lock);
        if (done)
            break;
        k_venc_chn_status status;
        k_s32 ret = kd_mpi_venc_query_status(CHN, &status);
        if (ret != K_SUCCESS) {
            fail("query_status", ret);
            break;
        }
        k_venc_stream stream = {packs, status.cur_packs ? status.cur_packs : 1};
        if (stream.pack_cnt > MAX_PACKS)
            stream.pack_cnt = MAX_PACKS;
        ret = kd_mpi_venc_get_stream(CHN, &stream, 1000);
        if (ret != K_SUCCESS) {
            fail("get_stream", ret);
            break;
        }
        unsigned pictures = 0;
        for (k_u32 i = 0; i < stream.pack_cnt; i++) {
            void *data = kd_mpi_sys_mmap(packs[i].phys_addr, packs[i].len);
            if (data == NULL) {
                fail("mmap of a pack", 0);
                break;
            }
            fwrite(data, 1, packs[i].len, g.out);
            kd_mpi_sys_munmap(data, packs[i].len);
            g.bytes += packs[i].len;
            g.packs[packs[i].type & 3]++;
            if (packs[i].type != K_VENC_HEADER)
                pictures++;
        }
        if ((ret = kd_mpi_venc_release_stream(CHN, &stream)) != K_SUCCESS)
            fail("release_stream", ret);
        pthread_mutex_lock(&g.lock);
        g.pictures_out += pictures;
        pthread_cond_broadcast(&g.moved);
        pthread_mutex_unlock(&g.lock);
    }
    return NULL;
}

static void fill_gradient(k_u8 *y, k_u8 *uv, unsigned w, unsigned h, unsigned n)
{
    for (unsigned r = 0; r < h; r++)
        for (unsigned c = 0; c < w; c++)
            y[r * w + c] = (k_u8)((r + c + 4 * n) & 0xff);
    for (unsigned r = 0; r < h / 2; r++)
        for (unsigned c = 0; c < w; c += 2) {
            uv[r * w + c] = (k_u8)(128 + ((c + 2 * n) & 0x3f));
            uv[r * w + c + 1] = (k_u8)(128 - ((r + n) & 0x3f));
        }
}

int main(int argc, char **argv)
{
    const char *type = "h264", *in_path = NULL, *out_path = NULL;
    unsigned w = 1280, h = 720, frames = 30;
    int opt;
    while ((opt = getopt(argc, argv, "t:w:h:n:i:o:")) != -1) {
        switch (opt) {
        case 't': type = optarg; break;
        case 'w': w = (unsigned)atoi(optarg); break;
        case 'h': h = (unsigned)atoi(optarg); break;
        case 'n': frames = (unsigned)atoi(optarg); break;
        case 'i': in_path = optarg; break;
        case 'o': out_path = optarg; break;
        default: out_path = NULL; optind = argc; break;
        }
    }
    if (out_path == NULL || w == 0 || h == 0 || frames == 0) {
        fprintf(stderr, "usage: %s [-t h264|h265|jpeg] [-w W] [-h H] [-n FRAMES] [-i in.nv12] -o OUT\n", argv[0]);
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
    FILE *in = NULL;
    if (in_path != NULL && (in = fopen(in_path, "rb")) == NULL) {
        fprintf(stderr, "%s: %s\n", in_path, strerror(errno));
        return 1;
    }
    g.out = fopen(out_path, "wb");
    if (g.out == NULL) {
        fprintf(stderr, "%s: %s\n", out_path, strerror(errno));
        return 1;
    }
    g.frames = frames;

    /* The VPU reads each NV12 plane from a 4 KiB boundary: the UV plane starts at the next
     * one after the Y plane. */
    k_u64 uv_offset = ALIGN_4K((k_u64)w * h);
    k_u64 frame_size = uv_offset + ALIGN_4K((k_u64)w * h / 2);
    k_u32 stream_size = (k_u32)ALIGN_4K((k_u64)w * h / 2);
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 2;
    config.comm_pool[0].blk_size = frame_size;
    config.comm_pool[0].blk_cnt = FRAME_BLOCKS;
    config.comm_pool[0].mode = VB_REMAP_MODE_NOCACHE;
    config.comm_pool[1].blk_size = stream_size;
    config.comm_pool[1].blk_cnt = STREAM_BLOCKS;
    config.comm_pool[1].mode = VB_REMAP_MODE_NOCACHE;
    k_s32 ret = kd_mpi_vb_set_config(&config);
    if (ret == K_SUCCESS)
        ret = kd_mpi_vb_init();
    if (ret != K_SUCCESS) {
        fprintf(stderr, "vb init: 0x%x\n", (unsigned)ret);
        return 1;
    }

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
    if ((ret = kd_mpi_venc_create_chn(CHN, &attr)) != K_SUCCESS ||
        (ret = kd_mpi_venc_start_chn(CHN)) != K_SUCCESS) {
        fprintf(stderr, "venc create/start: 0x%x\n", (unsigned)ret);
        return 1;
    }

    pthread_t out_thread;
    pthread_create(&out_thread, NULL, output_thread, NULL);

    k_vb_blk_handle blocks[FRAME_BLOCKS];
    k_u64 phys[FRAME_BLOCKS];
    for (int i = 0; i < FRAME_BLOCKS; i++) {
        blocks[i] = kd_mpi_vb_get_block(VB_INVALID_POOLID, frame_size, NULL);
        if (blocks[i] == VB_INVALID_HANDLE) {
            fprintf(stderr, "no frame block\n");
            return 1;
        }
        phys[i] = kd_mpi_vb_handle_to_phyaddr(blocks[i]);
    }

    unsigned sent = 0;
    for (unsigned n = 0; n < frames; n++) {
        unsigned slot = n % FRAME_BLOCKS;
        /* A block belongs to the encoder until its picture's packs are released. */
        pthread_mutex_lock(&g.lock);
        while (n >= FRAME_BLOCKS && g.pictures_out + FRAME_BLOCKS <= n && !g.failed)
            pthread_cond_wait(&g.moved, &g.lock);
        int failed = g.failed;
        pthread_mutex_unlock(&g.lock);
        if (failed)
            break;

        k_u8 *y = kd_mpi_sys_mmap(phys[slot], (k_u32)frame_size);
        if (y == NULL) {
            fprintf(stderr, "mmap of frame block failed\n");
            return 1;
        }
        k_u8 *uv = y + uv_offset;
        if (in != NULL) {
            if (fread(y, 1, (size_t)w * h, in) != (size_t)w * h ||
                fread(uv, 1, (size_t)w * h / 2, in) != (size_t)w * h / 2) {
                fprintf(stderr, "%s: short after %u frames\n", in_path, n);
                kd_mpi_sys_munmap(y, (k_u32)frame_size);
                break;
            }
        } else {
            fill_gradient(y, uv, w, h, n);
        }
        kd_mpi_sys_munmap(y, (k_u32)frame_size);

        k_video_frame_info frame;
        memset(&frame, 0, sizeof(frame));
        frame.v_frame.width = w;
        frame.v_frame.height = h;
        frame.v_frame.pixel_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
        frame.v_frame.stride[0] = w;
        frame.v_frame.stride[1] = w;
        frame.v_frame.phys_addr[0] = phys[slot];
        frame.v_frame.phys_addr[1] = phys[slot] + uv_offset;
        frame.v_frame.pts = (k_u64)n * 33333;
        frame.pool_id = (k_u32)kd_mpi_vb_handle_to_pool_id(blocks[slot]);
        frame.mod_id = K_ID_VENC;
        if ((ret = kd_mpi_venc_send_frame(CHN, &frame, 1000)) != K_SUCCESS) {
            fprintf(stderr, "send_frame %u: 0x%x\n", n, (unsigned)ret);
            break;
        }
        sent++;
    }
    if (sent < frames) {
        pthread_mutex_lock(&g.lock);
        g.frames = sent;
        pthread_mutex_unlock(&g.lock);
    }
    pthread_join(out_thread, NULL);

    kd_mpi_venc_stop_chn(CHN);
    kd_mpi_venc_destroy_chn(CHN);
    for (int i = 0; i < FRAME_BLOCKS; i++)
        kd_mpi_vb_release_block(blocks[i]);
    kd_mpi_venc_close_fd();
    ret = kd_mpi_vb_exit();
    fclose(g.out);
    if (in != NULL)
        fclose(in);
    printf("frames %u pictures %u packs header %u i %u p %u bytes %lu vb_exit 0x%x\n", sent,
           g.pictures_out, g.packs[K_VENC_HEADER], g.packs[K_VENC_I_FRAME],
           g.packs[K_VENC_P_FRAME], g.bytes, (unsigned)ret);
    pthread_mutex_lock(&g.lock);
    int failed = g.failed;
    pthread_mutex_unlock(&g.lock);
    return (failed || sent < frames || ret != K_SUCCESS) ? 1 : 0;
}
