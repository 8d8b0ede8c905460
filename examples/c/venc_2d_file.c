/* venc_2d_file: the VENC's 2D engine on its own, in the style of the SDK's sample_nonai_2d:
 * planar 4:2:0 frames read from a file (or a generated ramp) into VB blocks, a translucent
 * ARGB8888 label laid over each by kd_mpi_venc_send_2d_frame on a started 2D channel
 * (kd_mpi_venc_start_2d_chn, OSD mode), every frame taken back with kd_mpi_venc_get_2d_frame
 * and its planes written out through the virtual addresses the program mapped.
 *
 * The program checks what it gets: the frame handed back is the one sent, the label's
 * rectangle changed, every sample outside it unchanged; it exits 1 otherwise.
 *
 * Written for venc-sim; builds against the SDK or venc-sim:
 *     cc venc_2d_file.c $(pkg-config --cflags --libs k230-mpp-sim)
 *
 * usage: venc_2d_file [-i in.yuv] [-w W] [-h H] [-n FRAMES] [-f i420|nv12] -o out.yuv */
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

#define ALIGN_4K(x) (((x) + 0xfff) & ~0xfffUL)
#define CHN 0
#define FRAME_BLOCKS 3
#define OSD_W 32
#define OSD_H 16
#define OSD_X 8
#define OSD_Y 8

#define CHECK(call)                                                                  \
    do {                                                                             \
        k_s32 ret_ = (call);                                                         \
        if (ret_ != K_SUCCESS) {                                                     \
            fprintf(stderr, "%s: 0x%x\n", #call, (unsigned)ret_);                    \
            return 1;                                                                \
        }                                                                            \
    } while (0)

/* One frame's block: the planes at their offsets, mapped. */
struct frame_buf {
    k_vb_blk_handle block;
    k_u64 phys;
    k_u8 *virt;
};

/* The OSD label: a green-to-blue ramp, alpha 160, in a block of its own. */
static int make_label(struct frame_buf *osd)
{
    k_u32 size = (k_u32)ALIGN_4K(OSD_W * OSD_H * 4);
    osd->block = kd_mpi_vb_get_block(VB_INVALID_POOLID, size, NULL);
    if (osd->block == VB_INVALID_HANDLE)
        return 1;
    osd->phys = kd_mpi_vb_handle_to_phyaddr(osd->block);
    k_u32 *argb = kd_mpi_sys_mmap(osd->phys, size);
    if (argb == NULL)
        return 1;
    for (unsigned y = 0; y < OSD_H; y++)
        for (unsigned x = 0; x < OSD_W; x++)
            /* 0xRRGGBBAA words, as the SDK's own OSD picture. */
            argb[y * OSD_W + x] = ((255u - x * 8u) << 16) | ((x * 8u) << 8) | 160u;
    kd_mpi_sys_munmap(argb, size);
    return 0;
}

static int in_label(unsigned x, unsigned y)
{
    return x >= OSD_X && x < OSD_X + OSD_W && y >= OSD_Y && y < OSD_Y + OSD_H;
}

int main(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL, *format = "i420";
    unsigned w = 320, h = 240, frames = 6;
    int opt;
    while ((opt = getopt(argc, argv, "i:w:h:n:f:o:")) != -1) {
        switch (opt) {
        case 'i': in_path = optarg; break;
        case 'w': w = (unsigned)atoi(optarg); break;
        case 'h': h = (unsigned)atoi(optarg); break;
        case 'n': frames = (unsigned)atoi(optarg); break;
        case 'f': format = optarg; break;
        case 'o': out_path = optarg; break;
        default: out_path = NULL; optind = argc; break;
        }
    }
    int planar = strcmp(format, "i420") == 0;
    if (out_path == NULL || w < OSD_X + OSD_W || h < OSD_Y + OSD_H || w % 8 || h % 2 ||
        (!planar && strcmp(format, "nv12") != 0)) {
        fprintf(stderr, "usage: %s [-i in.yuv] [-w W] [-h H] [-n FRAMES] [-f i420|nv12] -o out.yuv\n",
                argv[0]);
        return 2;
    }
    FILE *in = in_path ? fopen(in_path, "rb") : NULL;
    FILE *out = fopen(out_path, "wb");
    if ((in_path && in == NULL) || out == NULL) {
        fprintf(stderr, "%s: %s\n", in == NULL && in_path ? in_path : out_path, strerror(errno));
        return 1;
    }

    /* Y at 0, the chroma from the next 4 KiB (U then V, or UV interleaved). */
    k_u64 luma = (k_u64)w * h, chroma_at = ALIGN_4K(luma), bytes = luma * 3 / 2;
    k_u32 block_size = (k_u32)ALIGN_4K(chroma_at + luma / 2);
    k_vb_config config;
    memset(&config, 0, sizeof(config));
    config.max_pool_cnt = 2;
    config.comm_pool[0].blk_size = block_size;
    config.comm_pool[0].blk_cnt = FRAME_BLOCKS;
    config.comm_pool[1].blk_size = ALIGN_4K(OSD_W * OSD_H * 4);
    config.comm_pool[1].blk_cnt = 1;
    CHECK(kd_mpi_vb_set_config(&config));
    CHECK(kd_mpi_vb_init());

    struct frame_buf osd;
    if (make_label(&osd)) {
        fprintf(stderr, "the OSD label's block\n");
        return 1;
    }
    k_venc_2d_osd_attr region;
    memset(&region, 0, sizeof(region));
    region.width = OSD_W;
    region.height = OSD_H;
    region.startx = OSD_X;
    region.starty = OSD_Y;
    region.phys_addr[0] = (k_u32)osd.phys;
    region.osd_alpha = 255;
    region.video_alpha = 255;
    region.add_order = K_VENC_2D_ADD_ORDER_VIDEO_OSD;
    region.fmt = K_VENC_2D_OSD_FMT_ARGB8888;
    CHECK(kd_mpi_venc_set_2d_mode(CHN, K_VENC_2D_CALC_MODE_OSD));
    CHECK(kd_mpi_venc_set_2d_osd_param(CHN, 0, &region));
    CHECK(kd_mpi_venc_start_2d_chn(CHN));

    struct frame_buf buf;
    k_u8 *sent = malloc((size_t)bytes);
    unsigned done = 0, changed = 0, outside = 0;
    for (; done < frames; done++) {
        buf.block = kd_mpi_vb_get_block(VB_INVALID_POOLID, block_size, NULL);
        if (buf.block == VB_INVALID_HANDLE || sent == NULL)
            return 1;
        buf.phys = kd_mpi_vb_handle_to_phyaddr(buf.block);
        buf.virt = kd_mpi_sys_mmap(buf.phys, block_size);
        if (buf.virt == NULL)
            return 1;
        if (in != NULL) {
            if (fread(sent, 1, (size_t)bytes, in) != (size_t)bytes) {
                /* The file's last whole frame was the last. */
                kd_mpi_sys_munmap(buf.virt, block_size);
                CHECK(kd_mpi_vb_release_block(buf.block));
                break;
            }
        } else {
            for (k_u64 i = 0; i < luma; i++)
                sent[i] = (k_u8)(16 + (i % w + i / w + done * 4) % 200);
            memset(sent + luma, 128, (size_t)(luma / 2));
        }
        memcpy(buf.virt, sent, (size_t)luma);
        memcpy(buf.virt + chroma_at, sent + luma, (size_t)(luma / 2));

        k_video_frame_info frame;
        memset(&frame, 0, sizeof(frame));
        frame.v_frame.width = w;
        frame.v_frame.height = h;
        frame.v_frame.pixel_format =
            planar ? PIXEL_FORMAT_YVU_PLANAR_420 : PIXEL_FORMAT_YUV_SEMIPLANAR_420;
        frame.v_frame.stride[0] = w;
        frame.v_frame.stride[1] = planar ? w / 2 : w;
        frame.v_frame.stride[2] = w / 2;
        frame.v_frame.phys_addr[0] = buf.phys;
        frame.v_frame.phys_addr[1] = buf.phys + chroma_at;
        frame.v_frame.phys_addr[2] = planar ? buf.phys + chroma_at + luma / 4 : 0;
        frame.v_frame.virt_addr[0] = (k_u64)(size_t)buf.virt;
        frame.pool_id = (k_u32)kd_mpi_vb_handle_to_pool_id(buf.block);
        CHECK(kd_mpi_venc_send_2d_frame(CHN, &frame));

        k_video_frame_info back;
        memset(&back, 0, sizeof(back));
        CHECK(kd_mpi_venc_get_2d_frame(CHN, &back));
        if (back.v_frame.phys_addr[0] != buf.phys || back.v_frame.virt_addr[0] != frame.v_frame.virt_addr[0]) {
            fprintf(stderr, "frame %u: another frame came back\n", done);
            return 1;
        }
        for (unsigned y = 0; y < h; y++)
            for (unsigned x = 0; x < w; x++) {
                int differs = buf.virt[y * w + x] != sent[y * w + x];
                if (in_label(x, y))
                    changed += (unsigned)differs;
                else
                    outside += (unsigned)differs;
            }
        fwrite(buf.virt, 1, (size_t)luma, out);
        fwrite(buf.virt + chroma_at, 1, (size_t)(luma / 2), out);
        kd_mpi_sys_munmap(buf.virt, block_size);
        CHECK(kd_mpi_vb_release_block(buf.block));
    }

    CHECK(kd_mpi_venc_stop_2d_chn(CHN));
    CHECK(kd_mpi_vb_release_block(osd.block));
    CHECK(kd_mpi_vb_exit());
    fclose(out);
    if (in != NULL)
        fclose(in);
    free(sent);
    printf("frames %u, label samples changed %u, samples outside changed %u\n", done, changed,
           outside);
    /* Every label sample should change (the ramp never equals the blend); none outside. */
    return (done > 0 && changed > done * OSD_W * OSD_H / 2 && outside == 0) ? 0 : 1;
}
