/* vo_wbc_venc: a K230 MPP program that encodes its screen. It starts the video output with a
 * panel's timing, puts an ARGB8888 picture it draws on OSD layer 0, turns write-back on and
 * sends each written-back frame (the composed screen, NV12) to a VENC channel:
 * kd_mpi_vo_* -> kd_mpi_wbc_dump_frame -> kd_mpi_venc_send_frame -> kd_mpi_wbc_dump_release.
 *
 * Written for venc-sim; it builds against the SDK's MPP headers and against venc-sim's
 * (include/ and libk230_mpp_sim):
 *     cc vo_wbc_venc.c $(pkg-config --cflags --libs k230-mpp-sim)
 *
 * usage: vo_wbc_venc [-n FRAMES] -o OUT.264
 * The picture: a blue bar on top, a red square that moves right one step per frame, the rest
 * transparent (black on the screen). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "k_type.h"
#include "k_vb_comm.h"
#include "k_venc_comm.h"
#include "k_video_comm.h"
#include "k_vo_comm.h"
#include "mpi_sys_api.h"
#include "mpi_vb_api.h"
#include "mpi_venc_api.h"
#include "mpi_vo_api.h"

#define W 320
#define H 240
#define CHN 0
#define STREAM_BLOCKS 8
#define MAX_PACKS 8
#define ALIGN_4K(x) (((x) + 0xfff) & ~0xfffUL)

static int check(const char *what, k_s32 ret)
{
    if (ret != K_SUCCESS)
        fprintf(stderr, "%s: 0x%x\n", what, (unsigned)ret);
    return ret == K_SUCCESS;
}

/* A, R, G, B bytes per pixel, as the OSD's ARGB_8888 reads them. */
static void draw(k_u8 *argb, unsigned n)
{
    memset(argb, 0, W * H * 4);
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++) {
            k_u8 *p = argb + (y * W + x) * 4;
            if (y < 40) {
                p[0] = 255, p[1] = 20, p[2] = 60, p[3] = 220;
            } else if (y >= 100 && y < 160 && x >= 10 + 4 * n && x < 70 + 4 * n) {
                p[0] = 255, p[1] = 230, p[2] = 10, p[3] = 10;
            }
        }
}

/* Writes the packs of one get_stream; the number of pictures among them. */
static unsigned drain(FILE *out, int wait_ms)
{
    k_venc_pack packs[MAX_PACKS];
    k_venc_stream stream = {packs, MAX_PACKS};
    k_venc_chn_status status;
    if (kd_mpi_venc_query_status(CHN, &status) != K_SUCCESS || status.cur_packs == 0)
        if (wait_ms == 0)
            return 0;
    stream.pack_cnt = status.cur_packs ? status.cur_packs : 1;
    if (stream.pack_cnt > MAX_PACKS)
        stream.pack_cnt = MAX_PACKS;
    if (kd_mpi_venc_get_stream(CHN, &stream, wait_ms) != K_SUCCESS)
        return 0;
    unsigned pictures = 0;
    for (k_u32 i = 0; i < stream.pack_cnt; i++) {
        void *data = kd_mpi_sys_mmap(packs[i].phys_addr, packs[i].len);
        if (data != NULL) {
            fwrite(data, 1, packs[i].len, out);
            kd_mpi_sys_munmap(data, packs[i].len);
        }
        if (packs[i].type != K_VENC_HEADER)
            pictures++;
    }
    kd_mpi_venc_release_stream(CHN, &stream);
    return pictures;
}

int main(int argc, char **argv)
{
    const char *out_path = NULL;
    unsigned frames = 30;
    int opt;
    while ((opt = getopt(argc, argv, "n:o:")) != -1) {
        if (opt == 'n')
            frames = (unsigned)atoi(optarg);
        else if (opt == 'o')
            out_path = optarg;
        else
            out_path = NULL, optind = argc;
    }
    if (out_path == NULL || frames == 0) {
        fprintf(stderr, "usage: %s [-n FRAMES] -o OUT.264\n", argv[0]);
        return 2;
    }
    FILE *out = fopen(out_path, "wb");
    if (out == NULL) {
        perror(out_path);
        return 1;
    }

    /* One pool for the OSD picture, one for the encoder's stream buffers. */
    k_u32 stream_size = (k_u32)ALIGN_4K(W * H / 2);
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 2;
    config.comm_pool[0].blk_size = ALIGN_4K(W * H * 4);
    config.comm_pool[0].blk_cnt = 1;
    config.comm_pool[0].mode = VB_REMAP_MODE_NOCACHE;
    config.comm_pool[1].blk_size = stream_size;
    config.comm_pool[1].blk_cnt = STREAM_BLOCKS;
    config.comm_pool[1].mode = VB_REMAP_MODE_NOCACHE;
    if (!check("vb set_config", kd_mpi_vb_set_config(&config)) || !check("vb init", kd_mpi_vb_init()))
        return 1;

    /* A 320x240 panel at 30 Hz: 400x300 dots per frame at 3.6 MHz. */
    k_vo_display_resolution timing = {3600, 0, 400, W, 10, 30, 40, 300, H, 5, 30, 25};
    k_vo_pub_attr pub;
    memset(&pub, 0, sizeof(pub));
    pub.intf_type = K_VO_INTF_MIPI;
    pub.sync_info = &timing;
    if (!check("vo init", kd_mpi_vo_init()) || !check("vo set_dev_param", kd_mpi_vo_set_dev_param(&pub)))
        return 1;
    if (kd_mpi_vo_enable() != 0) {
        fprintf(stderr, "vo enable failed\n");
        return 1;
    }

    k_vo_video_osd_attr osd;
    memset(&osd, 0, sizeof(osd));
    osd.img_size.width = W;
    osd.img_size.height = H;
    osd.pixel_format = PIXEL_FORMAT_ARGB_8888;
    osd.stride = W * 4 / 8;
    osd.global_alptha = 0xff;
    if (!check("osd attr", kd_mpi_vo_set_video_osd_attr(K_VO_OSD0, &osd)) ||
        !check("osd enable", kd_mpi_vo_osd_enable(K_VO_OSD0)))
        return 1;
    k_vb_blk_handle block = kd_mpi_vb_get_block(VB_INVALID_POOLID, W * H * 4, NULL);
    if (block == VB_INVALID_HANDLE) {
        fprintf(stderr, "no block for the picture\n");
        return 1;
    }
    k_u64 picture = kd_mpi_vb_handle_to_phyaddr(block);
    k_u8 *argb = kd_mpi_sys_mmap(picture, W * H * 4);

    k_vo_wbc_attr wbc;
    memset(&wbc, 0, sizeof(wbc));
    wbc.target_size.width = W;
    wbc.target_size.height = H;
    wbc.pixel_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420;
    if (!check("wbc attr", kd_mpi_vo_set_wbc_attr(&wbc)) || !check("wbc enable", kd_mpi_vo_enable_wbc()))
        return 1;

    k_venc_chn_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.venc_attr.type = K_PT_H264;
    attr.venc_attr.profile = VENC_PROFILE_H264_MAIN;
    attr.venc_attr.pic_width = W;
    attr.venc_attr.pic_height = H;
    attr.venc_attr.stream_buf_size = stream_size;
    attr.venc_attr.stream_buf_cnt = STREAM_BLOCKS;
    attr.rc_attr.rc_mode = K_VENC_RC_MODE_CBR;
    attr.rc_attr.cbr.gop = 30;
    attr.rc_attr.cbr.stats_time = 1;
    attr.rc_attr.cbr.src_frame_rate = 30;
    attr.rc_attr.cbr.dst_frame_rate = 30;
    attr.rc_attr.cbr.bit_rate = 1000;
    if (!check("venc create", kd_mpi_venc_create_chn(CHN, &attr)) || !check("venc start", kd_mpi_venc_start_chn(CHN)))
        return 1;

    unsigned sent = 0, encoded = 0;
    for (unsigned n = 0; n < frames; n++) {
        draw(argb, n);
        k_video_frame_info shown;
        memset(&shown, 0, sizeof(shown));
        shown.v_frame.width = W;
        shown.v_frame.height = H;
        shown.v_frame.pixel_format = PIXEL_FORMAT_ARGB_8888;
        shown.v_frame.phys_addr[0] = picture;
        if (!check("insert frame", kd_mpi_vo_chn_insert_frame(K_VO_DISPLAY_CHN_ID3, &shown)))
            break;
        k_video_frame_info screen;
        if (!check("wbc dump", kd_mpi_wbc_dump_frame(&screen, 1000)))
            break;
        k_s32 ret = kd_mpi_venc_send_frame(CHN, &screen, 1000);
        /* The encoder has read the frame once its pts comes back; a board releases the
         * write-back block after that, so wait for the picture before releasing. */
        if (ret == K_SUCCESS)
            sent++;
        while (encoded < sent)
            encoded += drain(out, 1000);
        check("wbc release", kd_mpi_wbc_dump_release(&screen));
        if (ret != K_SUCCESS) {
            check("send frame", ret);
            break;
        }
    }

    kd_mpi_venc_stop_chn(CHN);
    kd_mpi_venc_destroy_chn(CHN);
    kd_mpi_vo_disable_wbc();
    kd_mpi_vo_osd_disable(K_VO_OSD0);
    kd_mpi_vo_disable();
    kd_mpi_sys_munmap(argb, W * H * 4);
    kd_mpi_vb_release_block(block);
    kd_mpi_vb_exit();
    fclose(out);
    printf("screen frames encoded: %u of %u\n", encoded, frames);
    return encoded == frames ? 0 : 1;
}
