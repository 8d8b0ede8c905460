# The screen, encoded: a virtual display with drawn text and shapes, written back (Display
# VO write-back) and sent to the encoder frame by frame, into an H.264 file.
#
# Runs as-is on a CanMV K230 board (2026 firmware) and on the simulator:
#   canmv-run examples/canmv/2026-01/screen_venc.py --sdcard sdcard [-- OUT FRAMES]
# Watch it live: add --display web to canmv-run and open the URL it prints.
#
# Each frame: draw the OSD picture, show it, dump the write-back frame (the module keeps one
# and releases it at the next dump), SendFrame it, write the packs. The parameter sets come
# in a GetStream of their own, so the pictures trail by one: the loop ends only when every
# frame sent has come back. The last picture is also saved beside the stream as raw ARGB8888
# bytes (an ARGB image refuses .png/.jpg on the board: only other names get its bytes), so what
# the screen showed can be checked.
from media.display import *
from media.media import *
from media.vencoder import *
import os, sys, time

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/screen.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 30
WIDTH, HEIGHT = ALIGN_UP(320, 16), 240


def draw(img, n):
    img.clear()
    img.draw_rectangle(0, 0, WIDTH, 36, color=(255, 20, 40, 90), fill=True)
    img.draw_string_advanced(8, 2, 24, "venc-sim 屏幕 %02d" % n, color=(255, 255, 255))
    img.draw_rectangle(10 + 6 * n, 60, 60, 40, color=(255, 0, 0), thickness=4)
    img.draw_circle(WIDTH // 2, 160, 20 + n, color=(0, 200, 80), fill=True)
    img.draw_arrow(20, 220, 300, 140, color=(255, 255, 0), thickness=2)


def main():
    img = image.Image(WIDTH, HEIGHT, image.ARGB8888)
    Display.init(Display.VIRT, width=WIDTH, height=HEIGHT, fps=30, to_ide=False)
    if not Display.writeback(True):
        raise RuntimeError("start wbc failed")
    encoder = Encoder()
    encoder.SetOutBufs(VENC_CHN_ID_0, 8, WIDTH, HEIGHT)
    encoder.Create(VENC_CHN_ID_0, ChnAttrStr(encoder.PAYLOAD_TYPE_H264,
                                             encoder.H264_PROFILE_MAIN, WIDTH, HEIGHT,
                                             bit_rate=2000))
    encoder.Start(VENC_CHN_ID_0)
    stream = StreamData()
    sent = received = 0

    def take(out):
        pictures = 0
        encoder.GetStream(VENC_CHN_ID_0, stream)
        for i in range(stream.pack_cnt):
            out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
            if stream.stream_type[i] != encoder.STREAM_TYPE_HEADER:
                pictures += 1
        encoder.ReleaseStream(VENC_CHN_ID_0, stream)
        return pictures

    try:
        with open(OUT, "wb") as out:
            for n in range(FRAMES):
                os.exitpoint()
                draw(img, n)
                Display.show_image(img)
                frame = Display.writeback_dump(1000)
                if not frame:
                    continue
                encoder.SendFrame(VENC_CHN_ID_0, frame)
                sent += 1
                received += take(out)
            while received < sent:
                received += take(out)
        img.save(OUT.rsplit(".", 1)[0] + "-last.argb")
    finally:
        encoder.Stop(VENC_CHN_ID_0)
        encoder.Destroy(VENC_CHN_ID_0)
        Display.writeback(False)
        Display.deinit()
    print("screen frames encoded:", received)


main()
