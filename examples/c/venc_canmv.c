/* venc_canmv: a K230 program in the CanMV MPP's style: the driver hands out the channel
 * (kd_mpi_venc_request_chn), the program makes its own VB pools, attaches the stream pool to
 * the channel (kd_mpi_venc_attach_vb_pool_ex) and creates it with the CanMV k_venc_chn_attr
 * (no stream_buf_size/stream_buf_cnt). One thread: send a frame, take its packs, release them.
 *
 * Written for venc-sim. Build against the CanMV MPP's headers, or against venc-sim's with the
 * CanMV layout selected:
 *     cc -DK230_MPP_CANMV venc_canmv.c $(pkg-config --cflags --libs k230-mpp-sim)
 *
 * usage: venc_canmv [-t h264|h265|jpeg] [-w W] [-h H] [-n FRAMES] [-b STREAM_BUFS] -o OUT */
#include <errno.h>
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

#ifndef K230_MPP_CANMV
#error "venc_canmv uses the CanMV MPP's k_venc_chn_attr: build with -DK230_MPP_CANMV"
#endif

#define ALIGN_4K(x) (((x) + 0xfff) & ~0xfffUL)
#define MAX_PACKS 4

static void fill_stripes(k_u8 *y, k_u8 *uv, unsigned w, unsigned h, unsigned n)
{
    for (unsigned r = 0; r < h; r++)
        for (unsigned c = 0; c < w; c++)
            y[r * w + c] = (k_u8)((((c + 3 * n) / 16) & 1) ? 200 : 40 + (r & 0x3f));
    for (unsigned i = 0; i < w * h / 2; i += 2) {
        uv[i] = (k_u8)(128 + ((i / 2 + n) & 0x1f));
        uv[i + 1] = 100;
    }
}

/* Takes every pack of one picture: header packs come first in the same ring. */
static int drain_picture(k_u32 chn, FILE *out, unsigned long *bytes)
{
    k_venc_pack packs[MAX_PACKS];
    for (;;) {
        k_venc_chn_status status;
        k_s32 ret = kd_mpi_venc_query_status(chn, &status);
        if (ret != K_SUCCESS) {
            fprintf(stderr, "query_status: 0x%x\n", (unsigned)ret);
            return -1;
        }
        k_venc_stream stream = {packs, status.cur_packs ? status.cur_packs : 1};
        if (stream.pack_cnt > MAX_PACKS)
            stream.pack_cnt = MAX_PACKS;
        if ((ret = kd_mpi_venc_get_stream(chn, &stream, 1000)) != K_SUCCESS) {
            fprintf(stderr, "get_stream: 0x%x\n", (unsigned)ret);
            return -1;
        }
        int picture = 0;
        for (k_u32 i = 0; i < stream.pack_cnt; i++) {
            void *data = kd_mpi_sys_mmap(packs[i].phys_addr, packs[i].len);
            if (data == NULL)
                return -1;
            fwrite(data, 1, packs[i].len, out);
            kd_mpi_sys_munmap(data, packs[i].len);
            *bytes += packs[i].len;
            picture |= packs[i].type != K_VENC_HEADER;
        }
        if ((ret = kd_mpi_venc_release_stream(chn, &stream)) != K_SUCCESS) {
            fprintf(stderr, "release_stream: 0x%x\n", (unsigned)ret);
            return -1;
        }
        if (picture)
            return 0;
    }
}

int main(int argc, char **argv)
{
    const char *type = "h264", *out_path = NULL;
    unsigned w = 640, h = 480, frames = 30;
    int stream_bufs = 4, opt;
    while ((opt = getopt(argc, argv, "t:w:h:n:b:o:")) != -1) {
        switch (opt) {
        case 't': type = optarg; break;
        case 'w': w = (unsigned)atoi(optarg); break;
        case 'h': h = (unsigned)atoi(optarg); break;
        case 'n': frames = (unsigned)atoi(optarg); break;
        case 'b': stream_bufs = atoi(optarg); break;
        case 'o': out_path = optarg; break;
        default: out_path = NULL; optind = argc; break;
        }
    }
    if (out_path == NULL || w == 0 || h == 0 || frames == 0 || stream_bufs < 1) {
        fprintf(stderr, "usage: %s [-t h264|h265|jpeg] [-w W] [-h H] [-n FRAMES] [-b STREAM_BUFS] -o OUT\n", argv[0]);
        return 2;
    }
    k_venc_chn_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.venc_attr.pic_width = w;
    attr.venc_attr.pic_height = h;
    if (strcmp(type, "jpeg") == 0) {
        attr.venc_attr.type = K_PT_JPEG;
        attr.rc_attr.rc_mode = K_VENC_RC_MODE_MJPEG_FIXQP;
        attr.rc_attr.mjpeg_fixqp.src_frame_rate = 30;
        attr.rc_attr.mjpeg_fixqp.dst_frame_rate = 30;
        attr.rc_attr.mjpeg_fixqp.q_factor = 60;
    } else if (strcmp(type, "h264") == 0 || strcmp(type, "h265") == 0) {
        int h265 = type[3] == '5';
        attr.venc_attr.type = h265 ? K_PT_H265 : K_PT_H264;
        attr.venc_attr.profile = h265 ? VENC_PROFILE_H265_MAIN : VENC_PROFILE_H264_MAIN;
        attr.rc_attr.rc_mode = K_VENC_RC_MODE_CBR;
        attr.rc_attr.cbr.gop = 30;
        attr.rc_attr.cbr.stats_time = 1;
        attr.rc_attr.cbr.src_frame_rate = 30;
        attr.rc_attr.cbr.dst_frame_rate = 30;
        attr.rc_attr.cbr.bit_rate = 2000;
    } else {
        fprintf(stderr, "unknown type %s (h264, h265, jpeg)\n", type);
        return 2;
    }
    FILE *out = fopen(out_path, "wb");
    if (out == NULL) {
        fprintf(stderr, "%s: %s\n", out_path, strerror(errno));
        return 1;
    }

    /* The runtime has set VB up on a CanMV board; a PC program does it itself. */
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 4;
    k_s32 ret = kd_mpi_vb_set_config(&config);
    if (ret == K_SUCCESS)
        ret = kd_mpi_vb_init();
    if (ret != K_SUCCESS) {
        fprintf(stderr, "vb init: 0x%x\n", (unsigned)ret);
        return 1;
    }
    k_u64 uv_offset = ALIGN_4K((k_u64)w * h);
    k_u64 frame_size = uv_offset + ALIGN_4K((k_u64)w * h / 2);
    k_vb_pool_config pool;
    memset(&pool, 0, sizeof(pool));
    pool.blk_size = frame_size;
    pool.blk_cnt = 1;
    pool.mode = VB_REMAP_MODE_NOCACHE;
    k_s32 frame_pool = kd_mpi_vb_create_pool(&pool);
    pool.blk_size = ALIGN_4K((k_u64)w * h / 2);
    pool.blk_cnt = (k_u32)stream_bufs;
    k_s32 stream_pool = kd_mpi_vb_create_pool(&pool);
    if (frame_pool < 0 || stream_pool < 0) {
        fprintf(stderr, "vb_create_pool failed\n");
        return 1;
    }

    k_u32 chn;
    if ((ret = kd_mpi_venc_request_chn(&chn)) != K_SUCCESS) {
        fprintf(stderr, "request_chn: 0x%x\n", (unsigned)ret);
        return 1;
    }
    if ((ret = kd_mpi_venc_attach_vb_pool_ex(chn, (k_u32)stream_pool, stream_bufs)) != K_SUCCESS ||
        (ret = kd_mpi_venc_create_chn(chn, &attr)) != K_SUCCESS ||
        (ret = kd_mpi_venc_start_chn(chn)) != K_SUCCESS) {
        fprintf(stderr, "venc ch%u attach/create/start: 0x%x\n", chn, (unsigned)ret);
        return 1;
    }

    k_vb_blk_handle block = kd_mpi_vb_get_block((k_u32)frame_pool, frame_size, NULL);
    k_u64 phys = kd_mpi_vb_handle_to_phyaddr(block);
    unsigned long bytes = 0;
    int status = 0;
    for (unsigned n = 0; n < frames && status == 0; n++) {
        k_u8 *y = kd_mpi_sys_mmap(phys, (k_u32)frame_size);
        if (y == NULL) {
            status = 1;
            break;
        }
        fill_stripes(y, y + uv_offset, w, h, n);
        kd_mpi_sys_munmap(y, (k_u32)frame_size);
        k_video_frame_info frame;
        memset(&frame, 0, sizeof(frame));
        frame.v_frame.width = w;
        frame.v_frame.height = h;
        frame.v_frame.pixel_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
        frame.v_frame.stride[0] = w;
        frame.v_frame.stride[1] = w;
        frame.v_frame.phys_addr[0] = phys;
        frame.v_frame.phys_addr[1] = phys + uv_offset;
        frame.v_frame.pts = (k_u64)n * 33333;
        frame.pool_id = (k_u32)frame_pool;
        /* The one frame block is the encoder's until its picture has come out. */
        if ((ret = kd_mpi_venc_send_frame(chn, &frame, 1000)) != K_SUCCESS) {
            fprintf(stderr, "send_frame: 0x%x\n", (unsigned)ret);
            status = 1;
        } else if (drain_picture(chn, out, &bytes) != 0) {
            status = 1;
        }
    }
    kd_mpi_venc_stop_chn(chn);
    kd_mpi_venc_destroy_chn(chn);
    kd_mpi_venc_detach_vb_pool(chn);
    kd_mpi_venc_release_chn(chn);
    kd_mpi_vb_release_block(block);
    kd_mpi_vb_destory_pool((k_u32)frame_pool);
    kd_mpi_vb_destory_pool((k_u32)stream_pool);
    kd_mpi_vb_exit();
    fclose(out);
    printf("venc_canmv: channel %u, %u frames, %lu bytes\n", chn, frames, bytes);
    return status;
}
