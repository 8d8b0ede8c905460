//! The VENC calls beyond the encode loop (rotation, mirror, the coding tools, the 2D engine)
//! are board calls of the simulator's `Mpi`: they cost board time on a deterministic clock,
//! an injected fault strikes them like any other call, and a tracer records them with what
//! they answered.
#![allow(clippy::unwrap_used)]

use venc_core::{
    Border, ChnAttrStr, FaultSpec, H264Entropy, H265Sao, Mpi, OsdRegion, VencError, consts,
};
use venc_harness::trace::{SharedBytes, TracingMpi};
use venc_harness::trace_diff::parse;
use venc_sim::timing::VpuTiming;
use venc_sim::{SimOptions, Simulator};

fn created(sim: &Simulator, payload: u32, profile: u32) {
    let pool = sim.create_pool(320 * 240, 2).unwrap();
    sim.attach_vb_pool(0, pool).unwrap();
    let attr = ChnAttrStr::new(payload, profile, 320, 240);
    sim.create_chn(0, &attr.to_mpi()).unwrap();
}

#[test]
fn feature_calls_cost_board_time_on_a_deterministic_clock() {
    let sim = Simulator::new(SimOptions {
        timing: VpuTiming::parse("deterministic").unwrap(),
        ..SimOptions::default()
    });
    let t0 = sim.clock().now();
    sim.set_rotation(0, 1).unwrap();
    sim.get_mirror(0).unwrap();
    sim.attach_2d(0).unwrap();
    sim.get_2d_color_gamut(0).unwrap();
    assert!(
        sim.clock().now() >= t0 + 4 * venc_sim::clock::CALL_COST,
        "four board calls: {:?} -> {:?}",
        t0,
        sim.clock().now()
    );
}

#[test]
fn a_link_drop_strikes_the_feature_calls_too() {
    let sim = Simulator::null();
    created(&sim, consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN);
    sim.inject_fault(&"link-drop@next".parse::<FaultSpec>().unwrap())
        .unwrap();
    // The rotation is where the link drops: the program sees the board gone, and so does
    // every later call, 2D and tools included.
    assert_eq!(sim.set_rotation(0, 1), Err(VencError::Unexist));
    assert!(sim.backend_fault().unwrap().contains("set_rotation"));
    assert_eq!(sim.get_rotation(0), Err(VencError::Unexist));
    assert_eq!(sim.attach_2d(0), Err(VencError::Unexist));
    assert_eq!(sim.set_dblk(0, 0), Err(VencError::Unexist));
    let struck = sim.faults_injected();
    assert!(struck.contains(&("link-drop", 1)), "{struck:?}");
}

#[test]
fn the_wrappers_checks_come_in_the_boards_order() {
    let sim = Simulator::null();
    // The channel range first, then the 2D engine's three channels, then values.
    assert_eq!(sim.set_rotation(4, 9), Err(VencError::InvalidChnId));
    assert_eq!(sim.set_2d_mode(3, 1), Err(VencError::InvalidChnId));
    assert_eq!(sim.set_2d_mode(0, 4), Err(VencError::InvalidChnId), "sic");
    assert_eq!(sim.set_rotation(0, 4), Err(VencError::IllegalParam));
    assert_eq!(sim.set_mirror(0, 0), Err(VencError::IllegalParam));
    assert_eq!(sim.set_dblk(0, 2), Err(VencError::IllegalParam));
    let region = OsdRegion {
        width: 16,
        height: 16,
        ..OsdRegion::default()
    };
    assert_eq!(sim.set_2d_osd(0, 8, &region), Err(VencError::InvalidChnId));
    assert_eq!(
        sim.set_2d_border(0, 32, &Border::default()),
        Err(VencError::InvalidChnId)
    );
    assert_eq!(sim.set_2d_csc(1, 0), Err(VencError::NotSupport));
    assert_eq!(sim.start_2d_chn(3), Err(VencError::InvalidChnId));
    // The tools' state rules: SAO and deblocking between create and start only.
    assert_eq!(sim.set_dblk(0, 0), Err(VencError::Busy), "not created");
    created(&sim, consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN);
    sim.set_h265_sao(0, &H265Sao { luma: 0, chroma: 0 })
        .unwrap();
    assert_eq!(sim.get_h265_sao(0), Ok(H265Sao::default()));
    assert_eq!(
        sim.set_h264_entropy(0, &H264Entropy::default()),
        Err(VencError::IllegalParam),
        "an H.265 channel"
    );
    assert_eq!(sim.set_h265_entropy(0, 2), Err(VencError::IllegalParam));
}

#[test]
fn feature_calls_are_traced_with_what_they_answered() {
    let sink = SharedBytes::default();
    let t = TracingMpi::new(Simulator::null(), sink.clone());
    t.set_rotation(0, 3).unwrap();
    assert_eq!(t.get_rotation(0), Ok(3));
    assert_eq!(t.set_mirror(1, 7), Err(VencError::IllegalParam));
    t.set_2d_mode(0, 3).unwrap();
    let region = OsdRegion {
        width: 32,
        height: 16,
        phys_addr: [0x1000_0000, 0, 0],
        osd_alpha: 255,
        ..OsdRegion::default()
    };
    t.set_2d_osd(0, 2, &region).unwrap();
    assert_eq!(t.get_2d_osd(0, 2), Ok(region));
    t.finish().unwrap();
    let text = sink.text();
    let events = parse(&text).unwrap();
    let seen: Vec<(&str, &str, String)> = events
        .iter()
        .map(|(_, e)| (e.call.as_str(), e.result.as_str(), e.args.to_string()))
        .collect();
    assert_eq!(seen[0].0, "kd_mpi_venc_set_rotation");
    assert_eq!(
        seen[1],
        ("kd_mpi_venc_get_rotation", "ok", r#"{"got":3}"#.into())
    );
    assert_eq!(seen[2].1, "K_ERR_VENC_ILLEGAL_PARAM");
    assert_eq!(seen[4].0, "kd_mpi_venc_set_2d_osd_param");
    // Addresses are the backend's: a trace keeps the region but not where its picture is.
    assert!(seen[4].2.contains(r#""index":2"#) && !seen[4].2.contains("phys_addr"));
    assert!(seen[5].2.contains(r#""width":32"#) && !seen[5].2.contains("phys_addr"));
}

#[test]
fn feature_words_that_do_not_make_the_calls_values_are_illegal_param() {
    use venc_core::FeatureCall;
    let sim = Simulator::null();
    let run = |call: FeatureCall, words: &[u32]| call.run(sim.as_ref(), 0, 0, words);
    assert_eq!(
        run(FeatureCall::SetRotation, &[]),
        Err(VencError::IllegalParam)
    );
    assert_eq!(
        run(FeatureCall::SetRotation, &[1, 2]),
        Err(VencError::IllegalParam)
    );
    assert_eq!(
        run(FeatureCall::Set2dOsd, &[2; 3]),
        Err(VencError::IllegalParam)
    );
    assert_eq!(
        run(FeatureCall::Set2dCoef, &[0; 11]),
        Err(VencError::IllegalParam)
    );
    assert_eq!(
        run(FeatureCall::AttachVbPoolEx, &[0]),
        Err(VencError::IllegalParam)
    );
    // The right words reach the call, and a getter answers with its words.
    assert_eq!(run(FeatureCall::SetRotation, &[2]), Ok(vec![]));
    assert_eq!(run(FeatureCall::GetRotation, &[]), Ok(vec![2]));
    assert_eq!(
        FeatureCall::from_name("kd_mpi_venc_get_rotation"),
        Some(FeatureCall::GetRotation)
    );
    assert_eq!(FeatureCall::from_name("kd_mpi_venc_set_everything"), None);
}
