//! The stream oracles fail a stream that does not hold what a case expects: one correct case
//! body on the simulator, then the same body with one expectation wrong, each failing with its
//! own message. An oracle that cannot fail would pass all of them.

use std::sync::Arc;
use venc_conformance::backends::backend_by_name;
use venc_conformance::{Backend, Case, Expectations, Outcome, run_case};

const BODY: &str = r#"
title = "oracle check"
rules = ["VENC-FEAT-005"]
steps = [
  { call = "SetOutBufs", chn = 0 },
  { call = "mpi.attach_vb_pool", chn = 0 },
  { call = "mpi.create_chn", chn = 0, attr = { codec = "h265", rc = "fixqp", i_qp = 22, p_qp = 34, gop = 4 } },
  { call = "mpi.feature", chn = 0, name = "set_h265_sao", words = [0, 0] },
  { call = "mpi.enable_idr", chn = 0 },
  { call = "mpi.start_chn", chn = 0 },
  { call = "Stream", chns = [0], frames = 6 },
  { call = "mpi.stop_chn", chn = 0 },
  { call = "mpi.destroy_chn", chn = 0 },
]
[setup]
width = 320
height = 240
[[streams]]
chn = 0
frames = 6
idr_at = [0, 4]
"#;

fn run(expect: &str) -> (Outcome, String) {
    let text = format!("id = \"oracle\"\n{BODY}{expect}\n");
    let case = Case::parse(&text, "oracle").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let backend: Arc<dyn Backend> = Arc::from(backend_by_name("sim", None).expect("sim"));
    let r = run_case(&backend, &case, &Expectations::default());
    (r.outcome, r.detail.unwrap_or_default())
}

#[test]
fn syntax_and_slice_qp_oracles_pass_the_truth_and_fail_each_lie() {
    let truth = "slice_qp = [22, 34]\n[streams.syntax]\nsample_adaptive_offset_enabled_flag = 0";
    assert_eq!(run(truth).0, Outcome::Pass, "{}", run(truth).1);
    for (expect, message) in [
        ("slice_qp = [22, 33]", "starts at QP 34, expected 33"),
        ("slice_qp = [23, 34]", "starts at QP 22, expected 23"),
        (
            "[streams.syntax]\nsample_adaptive_offset_enabled_flag = 1",
            "sample_adaptive_offset_enabled_flag = 0 in the stream, expected 1",
        ),
        (
            "[streams.syntax]\nentropy_coding_mode_flag = 1",
            "no entropy_coding_mode_flag in the stream's headers",
        ),
    ] {
        let (outcome, detail) = run(expect);
        assert_eq!(outcome, Outcome::Fail, "{expect}: {detail}");
        assert!(detail.contains(message), "{expect}: {detail}");
    }
}

/// The OSD oracle: the regions drawn and expected pass; the same stream checked as if nothing
/// were drawn fails on the PSNR floor.
#[test]
fn the_osd_composition_oracle_sees_the_regions() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/cases/feat-007-osd-over-the-video-h264.toml"
    );
    let text = std::fs::read_to_string(path).expect("the OSD case");
    let backend: Arc<dyn Backend> = Arc::from(backend_by_name("sim", None).expect("sim"));
    let id = "feat-007-osd-over-the-video-h264";
    for (osd, want) in [
        ("osd = true", Outcome::Pass),
        ("osd = false", Outcome::Fail),
    ] {
        let case = Case::parse(&text.replace("osd = true", osd), id).expect("parse");
        let r = run_case(&backend, &case, &Expectations::default());
        assert_eq!(r.outcome, want, "{osd}: {:?}", r.detail);
        if want == Outcome::Fail {
            let detail = r.detail.unwrap_or_default();
            assert!(detail.contains("luma PSNR"), "{detail}");
        }
    }
}

#[test]
fn the_standalone_2d_oracle_sees_an_undrawn_frame() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../conformance/cases/feat-008-standalone-2d-osd.toml"
    );
    let text = std::fs::read_to_string(path).expect("the standalone 2D case");
    let backend: Arc<dyn Backend> = Arc::from(backend_by_name("sim", None).expect("sim"));
    let id = "feat-008-standalone-2d-osd";
    let osd_mode = r#"name = "set_2d_mode", words = [1]"#;
    // BORDER mode draws no OSD region: the frame comes back as sent.
    for (mode, want) in [
        (osd_mode, Outcome::Pass),
        (r#"name = "set_2d_mode", words = [2]"#, Outcome::Fail),
    ] {
        assert!(text.contains(osd_mode));
        let case = Case::parse(&text.replace(osd_mode, mode), id).expect("parse");
        let r = run_case(&backend, &case, &Expectations::default());
        assert_eq!(r.outcome, want, "{mode}: {:?}", r.detail);
        if want == Outcome::Fail {
            let detail = r.detail.unwrap_or_default();
            assert!(detail.contains("from the composition"), "{detail}");
        }
    }
}
