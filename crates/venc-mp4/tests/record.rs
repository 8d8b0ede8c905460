//! Recording the simulator's packs as CanMV scripts do (firmware facts §4.4): the header packs
//! and the first IDR as one sample, then a sample per pack, µs timestamps from the packs' pts.
//! The files are checked by ffprobe (codec, size, frame count, duration) and decoded by ffmpeg.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use venc_core::consts::{K_PT_H264, K_PT_H265, VENC_PROFILE_H264_MAIN, VENC_PROFILE_H265_MAIN};
use venc_core::{Mpi, PackType};
use venc_harness::source::TestPattern;
use venc_harness::{EncodeJob, run_example2};
use venc_mp4::{CODEC_ID_H264, CODEC_ID_H265, Mp4Error, Muxer, TrackKind, Written};
use venc_sim::{SimOptions, Simulator};

/// (pack type, pts µs, bytes) of `frames` frames at 30 fps.
fn packs(payload: u32, profile: u32, frames: u32) -> Vec<(PackType, u64, Vec<u8>)> {
    let sim: Arc<dyn Mpi> = Simulator::shared(SimOptions::default());
    let job = EncodeJob::example2(payload, profile, 320, 240, frames);
    let mut out = Vec::new();
    run_example2(sim, &job, &mut TestPattern::new(320, 240), |ev, bytes| {
        out.push((ev.pack_type, ev.pts, bytes.to_vec()));
    })
    .unwrap();
    out
}

/// Records packs as a careful script does: a header pack goes into the same sample as the IDR
/// after it (the first sample must hold both), every picture is one sample, time stamps from
/// the first I. Returns the samples written.
fn record(path: &Path, codec_id: u32, packs: &[(PackType, u64, Vec<u8>)]) -> usize {
    let (mp4, n) = write(path, false, codec_id, packs);
    mp4.finish().unwrap();
    n
}

/// [`record`] without the destroy: the muxer and the samples it took.
fn write(
    path: &Path,
    fmp4: bool,
    codec_id: u32,
    packs: &[(PackType, u64, Vec<u8>)],
) -> (Muxer, usize) {
    let mut mp4 = Muxer::create(path, fmp4).unwrap();
    let track = mp4
        .create_track(TrackKind::Video {
            width: 320,
            height: 240,
        })
        .unwrap();
    let start = packs.iter().find(|p| p.0 == PackType::I).unwrap().1;
    let mut header = Vec::new();
    for (kind, pts, bytes) in packs {
        if *kind == PackType::Header {
            header.extend_from_slice(bytes);
            continue;
        }
        let sample = [std::mem::take(&mut header), bytes.clone()].concat();
        let written = mp4.write_frame(track, codec_id, pts - start, &sample);
        assert!(matches!(written, Ok(Written::Sample(_))), "{written:?}");
    }
    let n = mp4.sample_count();
    (mp4, n)
}

fn ffprobe(path: &Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-show_entries"])
        .arg("stream=codec_type,codec_name,width,height,nb_read_frames,duration,sample_rate,channels:format=format_name")
        .args(["-of", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// ffmpeg decodes the whole file without a word.
fn decodes_cleanly(path: &Path, name: &str) {
    let decoded = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        decoded.status.success() && decoded.stderr.is_empty(),
        "{name}: {decoded:?}"
    );
}

/// The stream lasts `frames` frame times at 30 fps (the packs' pts), within 0.1 s.
fn assert_lasts(stream: &serde_json::Value, frames: u32, name: &str) {
    let duration: f64 = stream["duration"].as_str().unwrap().parse().unwrap();
    let want = f64::from(frames) / 30.0;
    assert!(
        (duration - want).abs() < 0.1,
        "{name}: {duration} s for {frames} frames at 30 fps"
    );
}

fn top_level_boxes(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let mut at = 0usize;
    let mut boxes = Vec::new();
    while at + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as u64;
        let kind = String::from_utf8_lossy(&bytes[at + 4..at + 8]).to_string();
        let size = if size == 1 {
            u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap())
        } else {
            size
        };
        boxes.push(kind);
        if size < 8 {
            break; // 0: to the end of the file (an mdat never closed)
        }
        at += size as usize;
    }
    boxes
}

#[test]
fn recordings_of_both_codecs_play_with_every_frame_and_the_moov_in_front() {
    let dir = tempfile::tempdir().unwrap();
    for (payload, profile, codec_id, name) in [
        (K_PT_H264, VENC_PROFILE_H264_MAIN, CODEC_ID_H264, "h264"),
        (K_PT_H265, VENC_PROFILE_H265_MAIN, CODEC_ID_H265, "hevc"),
    ] {
        let path = dir.path().join(format!("{name}.mp4"));
        let packs = packs(payload, profile, 60);
        let samples = record(&path, codec_id, &packs);
        let info = ffprobe(&path);
        let stream = &info["streams"][0];
        assert_eq!(stream["codec_name"], name);
        assert_eq!(
            (stream["width"].as_u64(), stream["height"].as_u64()),
            (Some(320), Some(240))
        );
        assert_eq!(samples, 60, "{name}: one sample per picture");
        let frames: u64 = stream["nb_read_frames"].as_str().unwrap().parse().unwrap();
        assert_eq!(frames, 60, "{name}");
        assert_lasts(stream, 60, name);
        let boxes = top_level_boxes(&path);
        let moov = boxes.iter().position(|b| b == "moov").unwrap();
        let mdat = boxes.iter().position(|b| b == "mdat").unwrap();
        assert!(
            moov < mdat,
            "{name}: fast start, as MOV_FLAG_FASTSTART: {boxes:?}"
        );
        decodes_cleanly(&path, name);
    }
}

#[test]
fn the_firmwares_rules_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs(K_PT_H264, VENC_PROFILE_H264_MAIN, 3);
    let path = dir.path().join("rules.mp4");
    let mut mp4 = Muxer::create(&path, false).unwrap();
    assert!(path.exists(), "create opens the file at once");
    let video = mp4
        .create_track(TrackKind::Video {
            width: 320,
            height: 240,
        })
        .unwrap();
    let audio = mp4
        .create_track(TrackKind::Audio {
            sample_rate: 8000,
            channels: 1,
        })
        .unwrap();
    mp4.create_track(TrackKind::Video {
        width: 1,
        height: 1,
    })
    .unwrap();
    let fourth = mp4.create_track(TrackKind::Video {
        width: 1,
        height: 1,
    });
    assert!(matches!(fourth, Err(Mp4Error::TooManyTracks)));
    assert_eq!(fourth.unwrap_err().code(), -1);
    // The header alone, or the IDR alone, cannot open the track.
    let header = &packs[0].2;
    let idr = &packs[1].2;
    for lone in [header, idr] {
        let refused = mp4.write_frame(video, CODEC_ID_H264, 0, lone);
        assert!(
            matches!(refused, Err(Mp4Error::NeedKeyFrame)),
            "{refused:?}"
        );
    }
    // A codec id the video path does not know writes nothing and returns 0.
    assert_eq!(mp4.write_frame(video, 9, 0, idr).unwrap(), Written::Ignored);
    // An audio track takes G.711 bytes as they are (a_g711_audio_track_plays_beside_the_video).
    let audio_write = mp4.write_frame(audio, 2, 0, &[0xd5; 320]);
    assert!(
        matches!(audio_write, Ok(Written::Sample(320))),
        "{audio_write:?}"
    );
    let both = [header.clone(), idr.clone()].concat();
    assert!(matches!(
        mp4.write_frame(video, CODEC_ID_H264, 0, &both),
        Ok(Written::Sample(_))
    ));
    assert!(matches!(
        mp4.write_frame(7, CODEC_ID_H264, 0, idr),
        Err(Mp4Error::NoSuchTrack(7))
    ));
    mp4.write_frame(video, CODEC_ID_H264, 33_333, &packs[2].2)
        .unwrap();
    mp4.finish().unwrap();
    let info = ffprobe(&path);
    let video = info["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == "video")
        .unwrap();
    assert_eq!(video["nb_read_frames"], "2");
}

#[test]
fn a_recording_never_finished_has_no_moov() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs(K_PT_H264, VENC_PROFILE_H264_MAIN, 2);
    let path = dir.path().join("cut.mp4");
    let mut mp4 = Muxer::create(&path, false).unwrap();
    let track = mp4
        .create_track(TrackKind::Video {
            width: 320,
            height: 240,
        })
        .unwrap();
    let both = [packs[0].2.clone(), packs[1].2.clone()].concat();
    mp4.write_frame(track, CODEC_ID_H264, 0, &both).unwrap();
    drop(mp4);
    assert!(!top_level_boxes(&path).iter().any(|b| b == "moov"));
}

#[test]
fn fragmented_recordings_have_a_fragment_per_gop_and_play_with_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    for (payload, profile, codec_id, name) in [
        (K_PT_H264, VENC_PROFILE_H264_MAIN, CODEC_ID_H264, "h264"),
        (K_PT_H265, VENC_PROFILE_H265_MAIN, CODEC_ID_H265, "hevc"),
    ] {
        let path = dir.path().join(format!("{name}-f.mp4"));
        // gop_len 30: IDRs at 0, 30 and 60.
        let packs = packs(payload, profile, 70);
        let (mp4, samples) = write(&path, true, codec_id, &packs);
        mp4.finish().unwrap();
        assert_eq!(samples, 70);
        let boxes = top_level_boxes(&path);
        let count = |kind: &str| boxes.iter().filter(|b| *b == kind).count();
        assert_eq!(&boxes[..2], ["ftyp", "moov"], "{name}: {boxes:?}");
        assert_eq!(count("moof"), 3, "{name}: one fragment per GOP: {boxes:?}");
        assert_eq!(boxes.last().map(String::as_str), Some("mfra"), "{name}");
        let info = ffprobe(&path);
        let stream = &info["streams"][0];
        assert_eq!(stream["codec_name"], name);
        assert_eq!(stream["nb_read_frames"], "70", "{name}");
        assert_lasts(stream, 70, name);
        decodes_cleanly(&path, name);
    }
}

#[test]
fn a_fragmented_recording_cut_short_keeps_the_fragments_before_the_last_key_frame() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut-f.mp4");
    let packs = packs(K_PT_H264, VENC_PROFILE_H264_MAIN, 45);
    let (mp4, samples) = write(&path, true, CODEC_ID_H264, &packs);
    assert_eq!(samples, 45);
    // The script dies: the fragment from the second IDR on is still in memory.
    drop(mp4);
    let boxes = top_level_boxes(&path);
    assert_eq!(boxes, ["ftyp", "moov", "moof", "mdat"]);
    assert_eq!(ffprobe(&path)["streams"][0]["nb_read_frames"], "30");
}

#[test]
fn bad_paths_are_refused() {
    let e = Muxer::create("/nonexistent-dir/x.mp4", false).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("kd_mp4_create: output file /nonexistent-dir/x.mp4 open failed.")
    );
    let e = Muxer::create("/nonexistent-dir/f.mp4", true).unwrap_err();
    assert!(matches!(e, Mp4Error::Open { .. }), "{e}");
}

#[test]
fn an_oversized_frame_is_written_empty_and_bad_parameter_sets_are_minus_two() {
    let dir = tempfile::tempdir().unwrap();
    let packs = packs(K_PT_H264, VENC_PROFILE_H264_MAIN, 2);
    let mut mp4 = Muxer::create(dir.path().join("big.mp4"), false).unwrap();
    let video = mp4
        .create_track(TrackKind::Video {
            width: 320,
            height: 240,
        })
        .unwrap();
    // An SPS that is no SPS, with a PPS and an IDR: the types open the track, the sample entry
    // cannot be built (the firmware's -2).
    let broken = [
        &[0, 0, 0, 1, 0x67, 0xff][..],
        &[0, 0, 0, 1, 0x68, 0xce],
        &[0, 0, 0, 1, 0x65, 0x88],
    ]
    .concat();
    let refused = mp4
        .write_frame(video, CODEC_ID_H264, 0, &broken)
        .unwrap_err();
    assert!(matches!(refused, Mp4Error::ParameterSets(_)), "{refused}");
    assert_eq!(refused.code(), -2);
    let both = [packs[0].2.clone(), packs[1].2.clone()].concat();
    assert!(matches!(
        mp4.write_frame(video, CODEC_ID_H264, 0, &both),
        Ok(Written::Sample(_))
    ));
    // A P slice padded with a filler NAL past the 2 MiB conversion buffer.
    let mut big = packs[2].2.clone();
    big.extend_from_slice(&[0, 0, 0, 1, 0x0c]);
    big.resize(big.len() + venc_mp4::CONVERSION_BUFFER, 0xff);
    assert_eq!(
        mp4.write_frame(video, CODEC_ID_H264, 33_333, &big).unwrap(),
        Written::Emptied
    );
    assert_eq!(mp4.sample_count(), 2);
    mp4.finish().unwrap();
}

/// G.711 µ-law of a 1 kHz sine at 8 kHz: `n` samples from sample `from` (the codec's own table,
/// written here so the test needs no audio crate; ffmpeg decodes it independently).
fn ulaw_tone(from: usize, n: usize) -> Vec<u8> {
    (from..from + n)
        .map(|k| {
            let v = (8000.0 * (std::f64::consts::TAU * k as f64 / 8.0).sin()) as i32;
            let sign = if v < 0 { 0x80 } else { 0 };
            let mag = (v.abs().min(32635) + 0x84) as u32;
            let exp = (31 - mag.leading_zeros()).saturating_sub(7).min(7);
            let mant = (mag >> (exp + 3)) & 0x0F;
            !(sign | (exp << 4) as u8 | mant as u8)
        })
        .collect()
}

#[test]
fn a_g711_audio_track_plays_beside_the_video() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("av.mp4");
    let (mut mp4, n) = write(
        &path,
        false,
        CODEC_ID_H264,
        &packs(K_PT_H264, VENC_PROFILE_H264_MAIN, 30),
    );
    let audio = mp4
        .create_track(TrackKind::Audio {
            sample_rate: 8000,
            channels: 1,
        })
        .unwrap();
    // As Mp4Container writes it: 320 samples (40 ms) per call, time stamps +40 000 µs.
    for i in 0..25 {
        let chunk = ulaw_tone(i * 320, 320);
        let w = mp4.write_frame(audio, venc_mp4::CODEC_ID_G711U, i as u64 * 40_000, &chunk);
        assert_eq!(w.unwrap(), Written::Sample(320));
    }
    // A video codec id on the audio track, and an A-law one on a fresh file's audio track.
    assert_eq!(
        mp4.write_frame(audio, 7, 0, &[1]).unwrap(),
        Written::Ignored
    );
    mp4.finish().unwrap();
    assert!(n >= 29);
    let info = ffprobe(&path);
    let streams = info["streams"].as_array().unwrap();
    let audio = streams
        .iter()
        .find(|s| s["codec_type"] == "audio")
        .unwrap_or_else(|| panic!("no audio stream: {info}"));
    assert_eq!(audio["codec_name"], "pcm_mulaw", "{audio}");
    assert_eq!(audio["sample_rate"], "8000");
    assert_eq!(audio["channels"], 1);
    let duration: f64 = audio["duration"].as_str().unwrap().parse().unwrap();
    assert!((duration - 1.0).abs() < 0.05, "{duration}");
    decodes_cleanly(&path, "av.mp4");
    // The decoded audio is the tone: 8000 samples, 1 kHz.
    let pcm = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&path)
        .args(["-map", "0:a", "-f", "s16le", "-"])
        .output()
        .unwrap()
        .stdout;
    let samples: Vec<i16> = pcm
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(samples.len(), 8000);
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    assert!(
        (crossings as i64 - 2000).abs() <= 4,
        "{crossings} zero crossings in one second"
    );
}

#[test]
fn audio_in_a_fragmented_file_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let mut mp4 = Muxer::create(dir.path().join("f.mp4"), true).unwrap();
    let audio = mp4
        .create_track(TrackKind::Audio {
            sample_rate: 8000,
            channels: 1,
        })
        .unwrap();
    let e = mp4
        .write_frame(audio, venc_mp4::CODEC_ID_G711A, 0, &[0xD5; 320])
        .unwrap_err();
    assert!(matches!(e, Mp4Error::NotModeled(_)), "{e}");
}
