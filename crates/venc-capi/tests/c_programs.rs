//! The project's C programs (`examples/c`), compiled by the system's C compiler against
//! `include/` and the library this build made, run, and their output checked by ffmpeg.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use venc_core::bitstream::Codec;
use venc_harness::oracle::{Yuv, decode, pattern_planes, psnr_yuv};
use venc_harness::source::{COLOR_BARS, FrameSource, Still, TestPattern};
use venc_sim::vicap::mirror_nv12;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("c-programs")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The directory holding the shared library this test build made.
fn library_dir() -> PathBuf {
    common::shared_library().parent().unwrap().to_owned()
}

/// Compiles `examples/c/<program>.c` as a K230 developer would, warnings as errors, into the
/// test's own directory (tests run in parallel).
fn build(program: &str, test: &str) -> PathBuf {
    let (exe, out) = compile(program, test, &[]);
    assert!(
        out.status.success(),
        "{program}.c does not build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// [`build`] with `defines` on the command line, and the compiler's answer.
fn compile(program: &str, test: &str, defines: &[&str]) -> (PathBuf, Output) {
    let src = repo().join("examples/c").join(format!("{program}.c"));
    let exe = scratch(test).join(program);
    let lib = library_dir();
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(compiler)
        .args([
            "-std=c11",
            "-D_DEFAULT_SOURCE",
            "-Wall",
            "-Wextra",
            "-Werror",
        ])
        .args(defines)
        .arg("-I")
        .arg(repo().join("crates/venc-capi/include"))
        .arg(&src)
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-lk230_mpp_sim", "-lpthread", "-o"])
        .arg(&exe)
        .output()
        .unwrap();
    (exe, out)
}

fn run(exe: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(exe);
    // Cargo's library path for tests may hold an older copy of the library, and it comes
    // before the program's rpath.
    cmd.args(args)
        .env("VENC_SIM_LOG", "error")
        .env("LD_LIBRARY_PATH", library_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The built-in pattern's frames as an NV12 file, as a capture tool would write them.
fn pattern_file(dir: &Path, w: u32, h: u32, frames: u32) -> PathBuf {
    let n = (w * h) as usize;
    let (mut y, mut uv) = (vec![0; n], vec![0; n / 2]);
    let mut bytes = Vec::new();
    for t in 0..frames {
        TestPattern::render(w, h, t, &mut y, &mut uv);
        bytes.extend_from_slice(&y);
        bytes.extend_from_slice(&uv);
    }
    let path = dir.join(format!("pattern-{w}x{h}.nv12"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// (type, codec, width, height, frames, the least Y PSNR in dB)
const FILE_LOOP_CASES: &[(&str, Codec, u32, u32, u32, f64)] = &[
    ("h264", Codec::H264, 640, 360, 45, 30.0),
    ("h265", Codec::H265, 640, 360, 45, 30.0),
    ("jpeg", Codec::Jpeg, 320, 240, 6, 30.0),
];

#[test]
fn the_file_loop_program_encodes_what_it_sends_and_ffmpeg_decodes_it() {
    let exe = build("venc_file_loop", "file-loop");
    for &(kind, codec, w, h, frames, least_psnr) in FILE_LOOP_CASES {
        let dir = scratch(&format!("file-loop-{kind}"));
        let input = pattern_file(&dir, w, h, frames);
        let output = dir.join("out.bin");
        let (ws, hs, ns) = (w.to_string(), h.to_string(), frames.to_string());
        let out = run(
            &exe,
            &[
                "-t",
                kind,
                "-w",
                &ws,
                "-h",
                &hs,
                "-n",
                &ns,
                "-i",
                input.to_str().unwrap(),
                "-o",
                output.to_str().unwrap(),
            ],
            &[],
        );
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{kind}: {}\n{stdout}{}",
            out.status,
            text(&out.stderr)
        );
        assert!(
            stdout.starts_with(&format!("frames {frames} pictures {frames} ")),
            "{kind}: {stdout}"
        );
        let stream = std::fs::read(&output).unwrap();
        let decoded = decode(codec, &stream, w as usize, h as usize).unwrap();
        assert_eq!(decoded.len(), frames as usize, "{kind}: pictures decoded");
        let (y, _, _) = psnr_yuv(&decoded, &pattern_planes(w, h, frames));
        assert!(y >= least_psnr, "{kind}: Y PSNR {y:.1} dB < {least_psnr}");
    }
}

#[test]
fn the_file_loop_program_without_input_encodes_its_own_pattern() {
    let exe = build("venc_file_loop", "file-loop-default");
    let output = scratch("file-loop-default").join("out.h264");
    let out = run(&exe, &["-n", "12", "-o", output.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let decoded = decode(Codec::H264, &std::fs::read(&output).unwrap(), 1280, 720).unwrap();
    assert_eq!(decoded.len(), 12);
}

#[test]
fn the_canmv_style_program_builds_with_the_canmv_layout_and_encodes() {
    let (_, sdk) = compile("venc_canmv", "canmv-sdk-layout", &[]);
    assert!(
        !sdk.status.success(),
        "built with the SDK's k_venc_chn_attr"
    );
    assert!(
        text(&sdk.stderr).contains("-DK230_MPP_CANMV"),
        "{}",
        text(&sdk.stderr)
    );
    let (exe, built) = compile("venc_canmv", "canmv", &["-DK230_MPP_CANMV"]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    for (codec, t, frames) in [(Codec::H264, "h264", 12), (Codec::Jpeg, "jpeg", 4)] {
        let output = scratch("canmv").join(format!("out.{t}"));
        let args = [
            "-t",
            t,
            "-w",
            "320",
            "-h",
            "240",
            "-n",
            &frames.to_string(),
            "-b",
            "2",
        ];
        let out = run(
            &exe,
            &[&args[..], &["-o", output.to_str().unwrap()]].concat(),
            &[],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("channel 0,"),
            "{}",
            text(&out.stdout)
        );
        let decoded = decode(codec, &std::fs::read(&output).unwrap(), 320, 240).unwrap();
        assert_eq!(decoded.len(), frames as usize, "{t}");
    }
}

#[test]
fn faults_armed_by_venc_sim_fault_reach_the_programs_calls() {
    let (exe, built) = compile("venc_canmv", "canmv-faults", &["-DK230_MPP_CANMV"]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let output = scratch("canmv-faults").join("out.h264");
    let args = [
        "-w",
        "320",
        "-h",
        "240",
        "-n",
        "5",
        "-o",
        output.to_str().unwrap(),
    ];
    // The third send_frame is refused BUSY: the program says so and stops.
    let out = run(
        &exe,
        &args,
        &[("VENC_SIM_FAULT", "send-frame-busy@every=3")],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("send_frame: 0xa0098012"),
        "{}",
        text(&out.stderr)
    );
    // A spec that does not parse leaves the board down, named once; every call then fails.
    let out = run(
        &exe,
        &args,
        &[("VENC_SIM_FAULT", "send-frame-busy@sometimes")],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("the simulated board is down: VENC_SIM_FAULT"),
        "{err}"
    );
    assert!(err.contains("vb init: 0xa0048010"), "{err}");
}

#[test]
fn the_error_program_gets_the_boards_code_for_every_wrong_call() {
    let exe = build("venc_errors", "errors");
    let out = run(&exe, &[], &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let checks = stdout.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(checks >= 45, "{stdout}");
    assert!(
        stdout.contains(&format!("{checks} checks, 0 failed")),
        "{stdout}"
    );
}

#[test]
fn a_bad_setting_leaves_the_board_down_and_every_call_says_so() {
    let exe = build("venc_file_loop", "board-down");
    let output = scratch("board-down").join("out.h264");
    let out = run(
        &exe,
        &["-n", "2", "-o", output.to_str().unwrap()],
        &[("VENC_SIM_TIMING", "warp-speed")],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the simulated board is down: VENC_SIM_TIMING"),
        "{stderr}"
    );
    // The VB's "not ready", as from a board whose media driver does not open.
    assert!(stderr.contains("vb init: 0xa0048010"), "{stderr}");
}

#[test]
fn a_thread_blocked_in_get_stream_for_ever_ends_on_pthread_cancel() {
    let exe = build("venc_cancel", "cancel");
    let out = run(&exe, &[], &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("cancelled 1 cleanup 1 in "), "{stdout}");
    let took: f64 = stdout
        .split(" in ")
        .nth(1)
        .and_then(|rest| rest.split(" ms").next())
        .and_then(|ms| ms.parse().ok())
        .unwrap();
    // One wait slice (50 ms) is the expected latency; the bound leaves room for a loaded host.
    assert!(took < 2000.0, "cancel + join took {took} ms");
}

/// `venc_camera` arguments and codec per case: sample_venc's three codecs.
const CAMERA_CASES: &[(&str, Codec, u32, u32, u32)] = &[
    ("h264", Codec::H264, 640, 480, 20),
    ("h265", Codec::H265, 640, 480, 12),
    ("jpeg", Codec::Jpeg, 320, 240, 6),
];

/// Runs `venc_camera` with `args` and decodes its output.
fn camera(exe: &Path, test: &str, codec: Codec, w: u32, h: u32, args: &[&str]) -> Vec<Yuv> {
    let output = scratch(test).join("out.bin");
    let (ws, hs) = (w.to_string(), h.to_string());
    let mut all = vec!["-w", &ws, "-h", &hs, "-o", output.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = run(exe, &all, &[]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "{test}: {}\n{stdout}{}",
        out.status,
        text(&out.stderr)
    );
    decode(
        codec,
        &std::fs::read(&output).unwrap(),
        w as usize,
        h as usize,
    )
    .unwrap()
}

#[test]
fn the_camera_program_encodes_what_the_bound_sensor_captures() {
    let exe = build("venc_camera", "camera");
    for &(kind, codec, w, h, frames) in CAMERA_CASES {
        let ns = frames.to_string();
        let decoded = camera(
            &exe,
            &format!("camera-{kind}"),
            codec,
            w,
            h,
            &["-t", kind, "-n", &ns],
        );
        assert_eq!(decoded.len(), frames as usize, "{kind}: pictures decoded");
        // Unpaced, the sensor drops nothing: picture n is the pattern's frame n.
        let (y, u, v) = psnr_yuv(&decoded, &pattern_planes(w, h, frames));
        assert!(
            y >= 30.0 && u >= 30.0 && v >= 30.0,
            "{kind}: PSNR {y:.1}/{u:.1}/{v:.1} dB"
        );
    }
}

/// The colour bars of the test-pattern generator at `w`x`h`, mirrored as VICAP's `mirror`
/// says (bit 0 horizontal, bit 1 vertical).
fn bars(w: u32, h: u32, mirror: u32) -> Yuv {
    let (mut y, mut uv) = (vec![0; (w * h) as usize], vec![0; (w * h / 2) as usize]);
    Still::color_bars(w, h).next_frame(&mut y, &mut uv).unwrap();
    mirror_nv12(&mut y, &mut uv, w, h, mirror & 1 != 0, mirror & 2 != 0);
    Yuv::from_nv12(y, &uv)
}

#[test]
fn the_camera_mirror_flips_the_pictures_the_encoder_gets() {
    let exe = build("venc_camera", "camera-mirror");
    let (w, h) = (640, 368);
    for mirror in 0..4 {
        let m = mirror.to_string();
        let decoded = camera(
            &exe,
            &format!("camera-mirror-{mirror}"),
            Codec::H264,
            w,
            h,
            &["-p", "-m", &m, "-n", "3"],
        );
        assert_eq!(decoded.len(), 3);
        for want in 0..4 {
            let (y, u, v) = psnr_yuv(&decoded, &vec![bars(w, h, want); 3]);
            let same = y >= 35.0 && u >= 35.0 && v >= 35.0;
            // The bars are the same upside down: only the horizontal bit shows.
            assert_eq!(
                same,
                want & 1 == mirror & 1,
                "mirror {mirror} against reference {want}: {y:.1}/{u:.1}/{v:.1} dB"
            );
        }
    }
}

#[test]
fn a_loaded_raw_image_is_demosaiced_and_encoded() {
    let exe = build("venc_camera", "camera-raw");
    // 10-bit RGGB samples of the bars at the sensor's 1920x1080 (a raw dump a developer
    // would load): each 2x2 cell one colour.
    let (sw, sh) = (1920u32, 1080u32);
    let mut rgb = Vec::with_capacity((sw * sh * 3) as usize);
    for _ in 0..sh {
        for x in 0..sw {
            rgb.extend_from_slice(&COLOR_BARS[(x * 8 / sw) as usize]);
        }
    }
    let mut raw = Vec::with_capacity((sw * sh * 2) as usize);
    for row in 0..sh {
        for col in 0..sw {
            let px = &rgb[((row * sw + col) * 3) as usize..][..3];
            let channel = match (row % 2, col % 2) {
                (0, 0) => px[0],
                (1, 1) => px[2],
                _ => px[1],
            };
            raw.extend_from_slice(&(u16::from(channel) << 2).to_le_bytes());
        }
    }
    let path = scratch("camera-raw").join("bars.raw");
    std::fs::write(&path, raw).unwrap();
    let (w, h) = (640, 368);
    let decoded = camera(
        &exe,
        "camera-raw",
        Codec::H264,
        w,
        h,
        &["-r", path.to_str().unwrap(), "-n", "2"],
    );
    assert_eq!(decoded.len(), 2);
    let (y, u, v) = psnr_yuv(&decoded, &vec![bars(w, h, 0); 2]);
    assert!(
        y >= 30.0 && u >= 30.0 && v >= 30.0,
        "{y:.1}/{u:.1}/{v:.1} dB"
    );
}

#[test]
fn the_camera_films_the_file_venc_sim_camera_names() {
    let exe = build("venc_camera", "camera-file");
    let dir = scratch("camera-file");
    let (w, h, frames) = (320u32, 240u32, 8u32);
    // A Y4M clip of the pattern's frames (planar 4:2:0), as a developer's recording would be.
    let mut y4m = format!("YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n").into_bytes();
    for f in pattern_planes(w, h, frames) {
        y4m.extend_from_slice(b"FRAME\n");
        for plane in [&f.y, &f.u, &f.v] {
            y4m.extend_from_slice(plane);
        }
    }
    let clip = dir.join("clip.y4m");
    std::fs::write(&clip, y4m).unwrap();
    let output = dir.join("out.h264");
    let (ws, hs) = (w.to_string(), h.to_string());
    let args = [
        "-w",
        &ws,
        "-h",
        &hs,
        "-n",
        "8",
        "-o",
        output.to_str().unwrap(),
    ];
    let out = run(&exe, &args, &[("VENC_SIM_CAMERA", clip.to_str().unwrap())]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let decoded = decode(
        Codec::H264,
        &std::fs::read(&output).unwrap(),
        w as usize,
        h as usize,
    )
    .unwrap();
    let (y, u, v) = psnr_yuv(&decoded, &pattern_planes(w, h, frames));
    assert!(
        y >= 30.0 && u >= 30.0 && v >= 30.0,
        "{y:.1}/{u:.1}/{v:.1} dB"
    );

    // A file that does not open: kd_mpi_vicap_init says ILLEGAL_PARAM and names the variable.
    let missing = dir.join("missing.y4m");
    let env = [
        ("VENC_SIM_CAMERA", missing.to_str().unwrap()),
        ("VENC_SIM_LOG", "warn"),
    ];
    let out = run(&exe, &args, &env);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("kd_mpi_vicap_init(VICAP_DEV_ID_0): 0xa0158003"),
        "{stderr}"
    );
    assert!(stderr.contains("VENC_SIM_CAMERA="), "{stderr}");
}

/// BT.601 limited-range luma of an RGB colour (the write-back's conversion).
fn luma(r: u32, g: u32, b: u32) -> u8 {
    (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8
}

#[test]
fn the_screen_program_writes_its_display_back_into_the_encoder() {
    let exe = build("vo_wbc_venc", "vo-wbc");
    let output = scratch("vo-wbc").join("screen.h264");
    let out = run(&exe, &["-n", "20", "-o", output.to_str().unwrap()], &[]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("screen frames encoded: 20 of 20"));
    let decoded = decode(Codec::H264, &std::fs::read(&output).unwrap(), 320, 240).unwrap();
    assert_eq!(decoded.len(), 20);
    // Picture n: the blue bar on top, the red square from x = 10 + 4n, black elsewhere.
    for (n, picture) in decoded.iter().enumerate() {
        let y = |x: usize, row: usize| i32::from(picture.y[row * 320 + x]);
        let near = |got: i32, want: u8| (got - i32::from(want)).abs() <= 6;
        assert!(
            near(y(160, 20), luma(20, 60, 220)),
            "picture {n}: bar {}",
            y(160, 20)
        );
        let square = 10 + 4 * n + 30;
        assert!(
            near(y(square, 130), luma(230, 10, 10)),
            "picture {n}: square {}",
            y(square, 130)
        );
        assert!(near(y(300, 200), 16), "picture {n}: black {}", y(300, 200));
    }
}

#[test]
fn the_vo_calls_answer_the_boards_codes_for_wrong_use() {
    use k230_mpp_sim::abi::VideoFrameInfo;
    use k230_mpp_sim::vo::*;
    const NOTREADY: u32 = 0xA00B_8010;
    const NULL_PTR: u32 = 0xA00B_8006;
    const ILLEGAL_PARAM: u32 = 0xA00B_8003;
    let bad_layer = VoVideoLayerAttr {
        img_size: VoSize {
            width: 64,
            height: 64,
        },
        pixel_format: 3, // RGB888 on a video layer
        ..VoVideoLayerAttr::default()
    };
    let bad_osd = VoVideoOsdAttr {
        img_size: VoSize {
            width: 64,
            height: 64,
        },
        pixel_format: 25, // NV12 on an OSD layer
        ..VoVideoOsdAttr::default()
    };
    let timing = VoDisplayResolution::default();
    let pub_attr = VoPubAttr {
        bg_color: 0,
        intf_type: 0,
        intf_sync: 0,
        sync_info: &timing,
    };
    // SAFETY: every pointer is NULL or to a live struct of the type the call takes; all-zero
    // is a valid k_video_frame_info.
    let codes: Vec<(&str, u32)> = unsafe {
        let mut frame: VideoFrameInfo = std::mem::zeroed();
        vec![
            ("enable wbc, display off", kd_mpi_vo_enable_wbc() as u32),
            (
                "dump, display off",
                kd_mpi_wbc_dump_frame(&mut frame, 0) as u32,
            ),
            (
                "dump into NULL",
                kd_mpi_wbc_dump_frame(std::ptr::null_mut(), 0) as u32,
            ),
            (
                "dev param NULL",
                kd_mpi_vo_set_dev_param(std::ptr::null()) as u32,
            ),
            (
                "dev param, no timing",
                kd_mpi_vo_set_dev_param(&pub_attr) as u32,
            ),
            ("osd 9", kd_mpi_vo_osd_enable(9) as u32),
            ("osd 2 unconfigured", kd_mpi_vo_osd_enable(2) as u32),
            (
                "RGB on a video layer",
                kd_mpi_vo_set_video_layer_attr(1, &bad_layer) as u32,
            ),
            (
                "NV12 on an OSD layer",
                kd_mpi_vo_set_video_osd_attr(1, &bad_osd) as u32,
            ),
            (
                "release of a frame not dumped",
                kd_mpi_wbc_dump_release(&frame) as u32,
            ),
        ]
    };
    assert_eq!(
        codes,
        [
            ("enable wbc, display off", NOTREADY),
            ("dump, display off", NOTREADY),
            ("dump into NULL", NULL_PTR),
            ("dev param NULL", NULL_PTR),
            ("dev param, no timing", ILLEGAL_PARAM),
            ("osd 9", 0xA00B_8002),
            ("osd 2 unconfigured", 0xA00B_8007),
            ("RGB on a video layer", ILLEGAL_PARAM),
            ("NV12 on an OSD layer", ILLEGAL_PARAM),
            ("release of a frame not dumped", ILLEGAL_PARAM),
        ]
    );
    assert_eq!(kd_mpi_vo_enable(), 1, "no device parameters");
}
