//! The C headers' layouts, compiled by a real C compiler, against k230-mpp-c-api.md §3.
#![allow(clippy::unwrap_used)]

use k230_mpp_sim::abi::{CANMV_LAYOUTS, LAYOUTS, Layout};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn every_struct_in_the_headers_has_the_sdks_size_and_offsets() {
    let layouts: Vec<&Layout> = LAYOUTS
        .iter()
        .chain(k230_mpp_sim::vicap::LAYOUTS)
        .chain(k230_mpp_sim::sensor::LAYOUTS)
        .chain(k230_mpp_sim::vo::LAYOUTS)
        .chain(OWN_CALLS)
        .collect();
    check("sdk", &[], &layouts);
}

/// Structs calls of this library fill or read, beside those of `abi` and `vicap`.
const OWN_CALLS: &[Layout] = &[
    ("k_sys_virmem_info", 16, &[("phy_addr", 0), ("cached", 8)]),
    ("k_vb_supplement_config", 4, &[("supplement_config", 0)]),
];

/// Structs the headers declare for programs to name but no call of the library reads: sizes and
/// offsets of kendryte/k230_sdk v1.9's headers (compiled with `sizeof`/`offsetof`, docs/c-api.md).
const DECLARED_ONLY: &[Layout] = &[
    (
        "k_vvi_chn_attr",
        20,
        &[
            ("height", 0),
            ("width", 4),
            ("format", 8),
            ("frame_rate", 12),
            ("is_pre_fill_color", 16),
        ],
    ),
    (
        "k_vvi_dev_attr",
        12,
        &[("height", 0), ("width", 4), ("format", 8)],
    ),
    (
        "k_venc_rect",
        16,
        &[("left", 0), ("right", 4), ("top", 8), ("bottom", 12)],
    ),
    (
        "k_venc_roi_attr",
        32,
        &[
            ("idx", 0),
            ("enable", 4),
            ("is_abs_qp", 8),
            ("qp", 12),
            ("rect", 16),
        ],
    ),
    ("k_venc_2d_coef_attr", 24, &[("coef", 0)]),
    // The sensor driver's, passed to calls answering NOT_SUPPORT (by value: sizes matter).
    (
        "k_sensor_mode",
        416,
        &[
            ("index", 0),
            ("sensor_type", 4),
            ("size", 8),
            ("mipi_info", 60),
            ("ae_info", 64),
            ("bit_width", 324),
            ("reg_list", 328),
            ("fps", 356),
            ("mclk_setting", 360),
            ("sensor_ae_info", 408),
        ],
    ),
    ("k_sensor_enum_mode", 424, &[("index", 0), ("mode", 8)]),
    (
        "k_sensor_ae_info",
        260,
        &[("max_fps", 220), ("color_type", 256)],
    ),
    ("k_sensor_gain", 16, &[("gain", 0)]),
    ("k_sensor_intg_time", 16, &[("intg_time", 0)]),
    ("k_sensor_blc", 16, &[("red", 0), ("blue", 12)]),
    (
        "k_sensor_white_balance",
        16,
        &[("r_gain", 0), ("b_gain", 12)],
    ),
    ("k_sensor_test_pattern", 8, &[("enable", 0), ("pattern", 4)]),
    (
        "k_sensor_mclk",
        12,
        &[("id", 0), ("mclk_sel", 4), ("mclk_div", 8)],
    ),
    (
        "k_sensor_caps",
        28,
        &[("resolution", 12), ("mipi_mode", 16), ("vin_type", 24)],
    ),
    (
        "k_sensor_compand_curve",
        592,
        &[
            ("compand_px", 8),
            ("compand_x_data", 72),
            ("compand_y_data", 332),
        ],
    ),
    (
        "k_vicap_mirror_mode",
        8,
        &[("sensor_type", 0), ("mirror", 4)],
    ),
    ("k_vicap_drop_frame", 8, &[("m", 0), ("n", 1), ("mode", 4)]),
    (
        "k_vicap_slave_info",
        20,
        &[("hs_delay", 0), ("hs_high", 16)],
    ),
    (
        "k_vicap_sensor_attr",
        12,
        &[("dev_num", 0), ("sensor_fd", 8)],
    ),
    (
        "k_vicap_sensor_type_map",
        16,
        &[("sensor_string", 0), ("sensor_type", 8)],
    ),
    (
        "k_isp_dcf_const_info",
        148,
        &[
            ("light_source", 128),
            ("focal_length", 132),
            ("scene_type", 136),
            ("metering_mode", 144),
        ],
    ),
    (
        "k_isp_dcf_update_info",
        28,
        &[
            ("exposure_program", 12),
            ("f_number", 16),
            ("exposure_mode", 24),
            ("white_balance", 25),
        ],
    ),
    ("k_isp_dcf_info", 176, &[("isp_dcf_update_info", 148)]),
    (
        "k_jpeg_dcf",
        204,
        &[
            ("flash", 20),
            ("digital_zoom_ratio", 24),
            ("isp_dcf_info", 28),
        ],
    ),
    (
        "k_isp_frame_info",
        60,
        &[("ratio", 20), ("isp_nr_strength", 32), ("vc_num", 56)],
    ),
];

#[test]
fn structs_only_declared_have_the_sdks_layouts_too() {
    check("declared", &[], &DECLARED_ONLY.iter().collect::<Vec<_>>());
}

#[test]
fn with_k230_mpp_canmv_the_chn_attr_has_the_canmv_layout() {
    let layouts: Vec<&Layout> = CANMV_LAYOUTS
        .iter()
        .chain(k230_mpp_sim::vicap::CANMV_LAYOUTS)
        .collect();
    check("canmv", &["-DK230_MPP_CANMV"], &layouts);
}

/// Compiles a program printing `layouts`' sizes and offsets with `defines`, runs it and
/// compares its output with the facts.
fn check(name: &str, defines: &[&str], layouts: &[&Layout]) {
    let include = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("venc-capi-layout-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"mpi_venc_api.h\"\n#include \"mpi_vb_api.h\"\n#include \"mpi_sys_api.h\"\n#include \"mpi_vicap_api.h\"\n#include \"mpi_vvi_api.h\"\n#include \"mpi_sensor_api.h\"\n#include \"mpi_vo_api.h\"\nint main(void) {\n",
    );
    for (name, _, fields) in layouts.iter().copied() {
        c += &format!("    printf(\"{name} %zu\\n\", sizeof({name}));\n");
        for (field, _) in *fields {
            c += &format!("    printf(\"{name}.{field} %zu\\n\", offsetof({name}, {field}));\n");
        }
    }
    c += "    return 0;\n}\n";
    let src = dir.join("layout.c");
    std::fs::write(&src, c).unwrap();
    let exe = dir.join("layout");
    // The system's C compiler, as a K230 developer's `cc prog.c` would use.
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(compiler)
        .args(["-std=c11", "-Wall", "-Werror"])
        .args(defines)
        .arg("-I")
        .arg(&include)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = Command::new(&exe).output().unwrap();
    let got = String::from_utf8(out.stdout).unwrap();
    let mut want = String::new();
    for (name, size, fields) in layouts.iter().copied() {
        want += &format!("{name} {size}\n");
        for (field, offset) in *fields {
            want += &format!("{name}.{field} {offset}\n");
        }
    }
    assert_eq!(got, want);
}
