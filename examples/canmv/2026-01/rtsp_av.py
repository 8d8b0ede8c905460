# The camera and the microphone streamed over RTSP: H.264 video and G.711 µ-law audio (8 kHz
# mono, the session's audio subsession) with CanMV's multimedia server, until the IDE's stop
# button. The microphone is read without blocking between pictures (it keeps five 40 ms
# chunks), each chunk encoded and sent as one audio frame. Play it with:
#   ffplay rtsp://<ip>:8554/test
#
# Runs as-is on a CanMV K230 board and on the simulator (with a microphone of your choice):
#   canmv-run --timing realtime --mic tone:440 --run-for 20 examples/canmv/2026-01/rtsp_av.py [-- PORT]
from media.vencoder import *
from media.sensor import *
from media.media import *
from media.pyaudio import *
import media.g711 as g711
from mpp.payload_struct import K_PT_G711U
import multimedia as mm
import os, sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8554
SESSION = "test"
WIDTH, HEIGHT = 640, 360
CHN = VENC_CHN_ID_0
RATE, CHUNK = 8000, 320  # 40 ms of audio per frame


def main():
    server = mm.rtsp_server()
    if server.rtspserver_init(PORT) != 0:
        raise OSError("rtsp server init failed")
    if server.rtspserver_createsession(SESSION, mm.multi_media_type.media_h264, True) != 0:
        raise OSError("rtsp session failed")
    server.rtspserver_start()
    print("url:", server.rtspserver_getrtspurl(SESSION))

    sensor = Sensor(width=1920, height=1080, fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(CHN, 15, WIDTH, HEIGHT)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    encoder.Create(CHN, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN,
                                   WIDTH, HEIGHT, bit_rate=1024))
    encoder.Start(CHN)
    sensor.run()

    audio = PyAudio()
    mic = audio.open(format=paInt16, channels=1, rate=RATE, input=True, frames_per_buffer=CHUNK)
    aenc = g711.Encoder(K_PT_G711U, CHUNK)
    aenc.create()

    stream = StreamData()
    chunks = 0
    try:
        while True:
            os.exitpoint()
            if encoder.GetStream(CHN, stream, 1000) == 0:
                for i in range(stream.pack_cnt):
                    data = bytes(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                    server.rtspserver_sendvideodata(SESSION, data, stream.data_size[i], 0)
                encoder.ReleaseStream(CHN, stream)
            pcm = mic.read(block=False)
            while pcm:
                coded = aenc.encode(pcm)
                server.rtspserver_sendaudiodata(SESSION, coded, len(coded), 0)
                chunks += 1
                pcm = mic.read(block=False)
    except KeyboardInterrupt:
        print("user stop")
    finally:
        mic.stop_stream()
        mic.close()
        audio.terminate()
        aenc.destroy()
        sensor.stop()
        link.destroy()
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        server.rtspserver_stop()
        server.rtspserver_deinit()
    print("audio chunks sent:", chunks)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
