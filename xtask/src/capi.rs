//! The C library's chores: `install-c` (headers, libraries, pkg-config files under a prefix)
//! and `c-examples` (the project's C programs built as a K230 developer builds them, through
//! pkg-config, run, their streams checked by ffprobe, and run again under valgrind).

use crate::{cargo, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The library's base name: `libk230_mpp_sim.so` / `.a`, pkg-config `k230-mpp-sim`.
const LIB: &str = "k230_mpp_sim";
const PC: &str = "k230-mpp-sim";

fn absolute(path: &Path) -> Result<PathBuf, String> {
    std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}

/// The system libraries a program linking the static library needs too, as rustc reports
/// them (`--print native-static-libs`); remembered in `target/` since rustc only says it when
/// it builds.
fn native_static_libs() -> Result<String, String> {
    let cache = Path::new("target/release").join(format!("{LIB}.native-static-libs"));
    let build = || {
        cargo()
            .args([
                "rustc",
                "--release",
                "--quiet",
                "-p",
                "venc-capi",
                "--lib",
                "--",
            ])
            .args(["--print", "native-static-libs"])
            .output()
            .map_err(|e| format!("cargo rustc: {e}"))
    };
    let mut out = build()?;
    let mut notes = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        return Err(format!("building the C library failed:\n{notes}"));
    }
    if !notes.contains("native-static-libs:") && !cache.exists() {
        // Fresh build with no note and none remembered: rebuild the library to hear it.
        let lib_rs = Path::new("crates/venc-capi/src/lib.rs");
        let text = std::fs::read(lib_rs).map_err(|e| e.to_string())?;
        std::fs::write(lib_rs, text).map_err(|e| e.to_string())?;
        out = build()?;
        notes = String::from_utf8_lossy(&out.stderr).into_owned();
    }
    if let Some(line) = notes
        .lines()
        .find_map(|l| l.split("native-static-libs:").nth(1))
    {
        std::fs::write(&cache, line.trim()).map_err(|e| e.to_string())?;
    }
    std::fs::read_to_string(&cache)
        .map(|s| s.trim().to_owned())
        .map_err(|e| {
            format!(
                "{}: {e} (rustc did not list the native libraries)",
                cache.display()
            )
        })
}

/// `cargo xtask install-c --prefix DIR`: `DIR/include/k230-mpp-sim/*.h`,
/// `DIR/lib/libk230_mpp_sim.{so,a}` and `DIR/lib/pkgconfig/k230-mpp-sim{,-static}.pc`.
pub fn install_c(prefix: &Path) -> Result<PathBuf, String> {
    let native = native_static_libs()?;
    let prefix = absolute(prefix)?;
    let include = prefix.join("include").join(PC);
    let lib = prefix.join("lib");
    let pkgconfig = lib.join("pkgconfig");
    for dir in [&include, &pkgconfig] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    copy_headers(Path::new("crates/venc-capi/include"), &include)?;
    let built = Path::new("target/release");
    let shared = format!(
        "{}{LIB}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let archive = format!("lib{LIB}.a");
    copy(&built.join(&shared), &lib.join(&shared))?;
    copy(&built.join(&archive), &lib.join(&archive))?;
    let version = workspace_version()?;
    let head = format!(
        "prefix={}\nincludedir=${{prefix}}/include/{PC}\nlibdir=${{prefix}}/lib\n\n",
        prefix.display()
    );
    let shared_pc = format!(
        "{head}Name: {PC}\nDescription: The K230 MPP's VENC, VB and system calls over venc-sim \
         (shared)\nVersion: {version}\nCflags: -I${{includedir}}\nLibs: -L${{libdir}} -l{LIB}\n"
    );
    let static_pc = format!(
        "{head}Name: {PC}-static\nDescription: The K230 MPP's VENC, VB and system calls over \
         venc-sim (static)\nVersion: {version}\nCflags: -I${{includedir}}\n\
         Libs: ${{libdir}}/{archive} {native}\n"
    );
    write(&pkgconfig.join(format!("{PC}.pc")), &shared_pc)?;
    write(&pkgconfig.join(format!("{PC}-static.pc")), &static_pc)?;
    write_cmake_package(&lib, &version, &shared, &archive, &native)?;
    eprintln!(
        "installed into {}: cc prog.c $(PKG_CONFIG_PATH={} pkg-config --cflags --libs {PC})",
        prefix.display(),
        pkgconfig.display()
    );
    Ok(prefix)
}

/// `DIR/lib/cmake/k230-mpp-sim/`: a CMake package, so `find_package(k230-mpp-sim)` gives the
/// imported targets `k230-mpp-sim::k230-mpp-sim` (shared) and `k230-mpp-sim::static`. Paths
/// are relative to the package's folder: the prefix can move.
fn write_cmake_package(
    lib: &Path,
    version: &str,
    shared: &str,
    archive: &str,
    native: &str,
) -> Result<(), String> {
    let dir = lib.join("cmake").join(PC);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let natives: Vec<&str> = native.split_whitespace().collect();
    let config = format!(
        "# {PC} {version}: the K230 MPP's C calls over venc-sim (written by cargo xtask install-c).\n\
         # find_package({PC}) gives {PC}::{PC} (shared) and {PC}::static.\n\
         include(CMakeFindDependencyMacro)\n\
         find_dependency(Threads)\n\
         get_filename_component(_k230_prefix \"${{CMAKE_CURRENT_LIST_DIR}}/../../..\" ABSOLUTE)\n\
         if(NOT TARGET {PC}::{PC})\n\
         \x20 add_library({PC}::{PC} SHARED IMPORTED)\n\
         \x20 set_target_properties({PC}::{PC} PROPERTIES\n\
         \x20   IMPORTED_LOCATION \"${{_k230_prefix}}/lib/{shared}\"\n\
         \x20   INTERFACE_INCLUDE_DIRECTORIES \"${{_k230_prefix}}/include/{PC}\"\n\
         \x20   INTERFACE_LINK_LIBRARIES Threads::Threads)\n\
         \x20 add_library({PC}::static STATIC IMPORTED)\n\
         \x20 set_target_properties({PC}::static PROPERTIES\n\
         \x20   IMPORTED_LOCATION \"${{_k230_prefix}}/lib/{archive}\"\n\
         \x20   INTERFACE_INCLUDE_DIRECTORIES \"${{_k230_prefix}}/include/{PC}\"\n\
         \x20   INTERFACE_LINK_LIBRARIES \"Threads::Threads;{}\")\n\
         endif()\n\
         unset(_k230_prefix)\n",
        natives.join(";")
    );
    let config_version = format!(
        "# {PC} {version}: any later version of the same major is compatible.\n\
         set(PACKAGE_VERSION \"{version}\")\n\
         if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)\n\
         \x20 set(PACKAGE_VERSION_COMPATIBLE FALSE)\n\
         else()\n\
         \x20 set(PACKAGE_VERSION_COMPATIBLE TRUE)\n\
         \x20 if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)\n\
         \x20   set(PACKAGE_VERSION_EXACT TRUE)\n\
         \x20 endif()\n\
         endif()\n"
    );
    write(&dir.join(format!("{PC}Config.cmake")), &config)?;
    write(
        &dir.join(format!("{PC}ConfigVersion.cmake")),
        &config_version,
    )
}

/// Every `.h` under `from` into `to`, folders kept (`generated/autoconf.h`).
fn copy_headers(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_headers(&path, &target)?;
        } else if path.extension().is_some_and(|e| e == "h") {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

/// `[workspace.package] version` of the root manifest.
fn workspace_version() -> Result<String, String> {
    let manifest = std::fs::read_to_string("Cargo.toml").map_err(|e| format!("Cargo.toml: {e}"))?;
    manifest
        .split("[workspace.package]")
        .nth(1)
        .and_then(|section| {
            section
                .lines()
                .find_map(|l| l.trim().strip_prefix("version = "))
        })
        .map(|v| v.trim_matches('"').to_owned())
        .ok_or_else(|| "Cargo.toml: no [workspace.package] version".into())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn pkg_config(prefix: &Path, module: &str) -> Result<Vec<String>, String> {
    let out = Command::new("pkg-config")
        .args(["--cflags", "--libs", module])
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .output()
        .map_err(|e| format!("pkg-config: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pkg-config {module}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(String::from)
        .collect())
}

/// A program's build: (name, source, pkg-config module).
const BUILDS: &[(&str, &str, &str, &[&str])] = &[
    ("venc_file_loop", "venc_file_loop", PC, &[]),
    (
        "venc_file_loop_static",
        "venc_file_loop",
        "k230-mpp-sim-static",
        &[],
    ),
    ("venc_errors", "venc_errors", PC, &[]),
    ("venc_cancel", "venc_cancel", PC, &[]),
    ("venc_camera", "venc_camera", PC, &[]),
    // The CanMV MPP's k_venc_chn_attr, selected by the headers' macro.
    ("venc_canmv", "venc_canmv", PC, &["-DK230_MPP_CANMV"]),
    ("venc_2d_file", "venc_2d_file", PC, &[]),
    // The display: an OSD picture written back into the encoder.
    ("vo_wbc_venc", "vo_wbc_venc", PC, &[]),
    // Built as the RT-Smart SDK builds its examples: the board's configuration force-included.
    (
        "venc_rtsmart_camera",
        "venc_rtsmart_camera",
        PC,
        &["-include", "generated/autoconf.h"],
    ),
];

/// What a run leaves to check.
enum Expect {
    /// The program's exit status only (it checks itself).
    Exit,
    /// A stream file ffprobe must read: (file, demuxer or "", codec, frames).
    Stream(&'static str, &'static str, &'static str, u32),
}

/// (program, arguments split at spaces, what to check, run under valgrind too). `OUT/` is the
/// output folder.
const RUNS: &[(&str, &str, Expect, bool)] = &[
    (
        "venc_file_loop",
        "-t h264 -w 640 -h 360 -n 60 -o OUT/loop.h264",
        Expect::Stream("loop.h264", "", "h264", 60),
        false,
    ),
    (
        "venc_file_loop",
        "-t h265 -w 640 -h 360 -n 60 -o OUT/loop.h265",
        Expect::Stream("loop.h265", "", "hevc", 60),
        false,
    ),
    (
        "venc_file_loop",
        "-t jpeg -w 640 -h 360 -n 10 -o OUT/loop.mjpeg",
        Expect::Stream("loop.mjpeg", "mjpeg", "mjpeg", 10),
        false,
    ),
    (
        "venc_file_loop_static",
        "-t h264 -w 320 -h 240 -n 30 -o OUT/static.h264",
        Expect::Stream("static.h264", "", "h264", 30),
        false,
    ),
    (
        "venc_file_loop",
        "-t h264 -w 320 -h 240 -n 10 -o OUT/valgrind.h264",
        Expect::Stream("valgrind.h264", "", "h264", 10),
        true,
    ),
    (
        "venc_camera",
        "-t h264 -n 60 -o OUT/camera.h264",
        Expect::Stream("camera.h264", "", "h264", 60),
        false,
    ),
    (
        "venc_camera",
        "-t h265 -s 7 -w 1920 -h 1088 -n 10 -o OUT/camera.h265",
        Expect::Stream("camera.h265", "", "hevc", 10),
        false,
    ),
    (
        "venc_camera",
        "-t jpeg -p -n 10 -o OUT/camera.mjpeg",
        Expect::Stream("camera.mjpeg", "mjpeg", "mjpeg", 10),
        false,
    ),
    (
        "venc_camera",
        "-t h264 -w 320 -h 240 -n 10 -m 3 -o OUT/valgrind-camera.h264",
        Expect::Stream("valgrind-camera.h264", "", "h264", 10),
        true,
    ),
    ("venc_errors", "", Expect::Exit, true),
    (
        "venc_camera",
        "-t h265 -O -n 30 -o OUT/camera-osd.h265",
        Expect::Stream("camera-osd.h265", "", "hevc", 30),
        false,
    ),
    (
        "venc_canmv",
        "-t h265 -w 640 -h 480 -n 30 -o OUT/canmv.h265",
        Expect::Stream("canmv.h265", "", "hevc", 30),
        false,
    ),
    (
        "venc_canmv",
        "-t jpeg -w 320 -h 240 -n 5 -b 1 -o OUT/canmv.mjpeg",
        Expect::Stream("canmv.mjpeg", "mjpeg", "mjpeg", 5),
        true,
    ),
    ("venc_cancel", "", Expect::Exit, true),
    (
        "vo_wbc_venc",
        "-n 10 -o OUT/screen.h264",
        Expect::Stream("screen.h264", "", "h264", 10),
        true,
    ),
    // The standalone 2D engine, sample_nonai_2d's file loop: planar and NV12 (self-checking).
    (
        "venc_2d_file",
        "-f i420 -o OUT/2d-i420.yuv",
        Expect::Exit,
        false,
    ),
    (
        "venc_2d_file",
        "-f nv12 -w 128 -h 64 -o OUT/2d-nv12.yuv",
        Expect::Exit,
        false,
    ),
    // Built through the CMake package.
    (
        "venc_file_loop_cmake_shared",
        "-t h264 -w 320 -h 240 -n 10 -o OUT/cmake.h264",
        Expect::Stream("cmake.h264", "", "h264", 10),
        false,
    ),
    (
        "venc_file_loop_cmake_static",
        "-t h265 -w 320 -h 240 -n 10 -o OUT/cmake.h265",
        Expect::Stream("cmake.h265", "", "hevc", 10),
        false,
    ),
    // Stop and destroy with a thread blocked in get_stream(-1), the channel made again.
    ("venc_cancel", "-d", Expect::Exit, false),
    (
        "venc_rtsmart_camera",
        "-t h264 -n 30 -P -o OUT/rtsmart-own-pool.h264",
        Expect::Stream("rtsmart-own-pool.h264", "", "h264", 30),
        false,
    ),
    (
        "venc_rtsmart_camera",
        "-t h265 -n 30 -o OUT/rtsmart.h265",
        Expect::Stream("rtsmart.h265", "", "hevc", 30),
        false,
    ),
    (
        "venc_rtsmart_camera",
        "-t jpeg -w 640 -h 480 -n 5 -o OUT/rtsmart.mjpeg",
        Expect::Stream("rtsmart.mjpeg", "mjpeg", "mjpeg", 5),
        true,
    ),
];

fn frames_in(file: &Path, demuxer: &str) -> Result<(String, u32), String> {
    let mut cmd = Command::new("ffprobe");
    cmd.args(["-v", "error"]);
    if !demuxer.is_empty() {
        cmd.args(["-f", demuxer]);
    }
    let out = cmd
        .args(["-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_name,nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(file)
        .output()
        .map_err(|e| format!("ffprobe: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let errors = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    if !out.status.success() || !errors.is_empty() {
        return Err(format!("ffprobe {}: {errors}", file.display()));
    }
    let (codec, frames) = text
        .split_once(',')
        .ok_or_else(|| format!("ffprobe {}: {text:?}", file.display()))?;
    let frames = frames
        .parse()
        .map_err(|_| format!("ffprobe {}: {text:?}", file.display()))?;
    Ok((codec.to_owned(), frames))
}

/// `cargo xtask c-examples`.
/// Links a program that takes the address of every function the export list says is exported
/// (`crates/venc-capi/sdk-functions.toml`: modelled and not_supported) against the installed
/// shared and static libraries, through their pkg-config files: what a program naming any of
/// them needs.
fn link_every_export(compiler: &str, prefix: &Path, out_dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string("crates/venc-capi/sdk-functions.toml")
        .map_err(|e| format!("sdk-functions.toml: {e}"))?;
    let list: toml::Table = text
        .parse()
        .map_err(|e| format!("sdk-functions.toml: {e}"))?;
    let mut headers = Vec::new();
    let mut names = Vec::new();
    for module in list.values() {
        let get = |key: &str| module.get(key).and_then(toml::Value::as_array).cloned();
        let exported: Vec<String> = ["modelled", "not_supported"]
            .into_iter()
            .flat_map(|key| get(key).unwrap_or_default())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if let (false, Some(header)) = (
            exported.is_empty(),
            module.get("header").and_then(toml::Value::as_str),
        ) {
            headers.push(format!("#include \"{header}\"\n"));
            names.extend(exported);
        }
    }
    let mut c = String::from("#include <stdio.h>\n");
    c += &headers.concat();
    c += "typedef void (*any_fn)(void);\nstatic const any_fn every[] = {\n";
    for name in &names {
        c += &format!("    (any_fn){name},\n");
    }
    c += "};\nint main(void) {\n    printf(\"%zu functions linked\\n\", sizeof every / sizeof every[0]);\n    return 0;\n}\n";
    let source = out_dir.join("every_export.c");
    std::fs::write(&source, c).map_err(|e| e.to_string())?;
    for (module, exe) in [
        (PC, "every_export"),
        ("k230-mpp-sim-static", "every_export_static"),
    ] {
        let flags = pkg_config(prefix, module)?;
        run(Command::new(compiler)
            .args(["-std=c11", "-Wall", "-Werror"])
            .arg(&source)
            .args(&flags)
            .arg(format!("-Wl,-rpath,{}", prefix.join("lib").display()))
            .args(["-lpthread", "-o"])
            .arg(out_dir.join(exe)))?;
        run(Command::new(out_dir.join(exe)).env_remove("LD_LIBRARY_PATH"))?;
    }
    println!(
        "every exported SDK function links: {} (shared and static)",
        names.len()
    );
    Ok(())
}

/// Builds `venc_file_loop` through the installed CMake package (`find_package`), shared and
/// static, into `out_dir`, as a CMake user's project would.
fn build_with_cmake(prefix: &Path, out_dir: &Path) -> Result<(), String> {
    let project = out_dir.join("cmake-project");
    std::fs::create_dir_all(&project).map_err(|e| e.to_string())?;
    let source = absolute(Path::new("examples/c/venc_file_loop.c"))?;
    let lists = format!(
        "cmake_minimum_required(VERSION 3.16)\n\
         project(k230_mpp_sim_user C)\n\
         find_package({PC} 0.1 REQUIRED)\n\
         set(CMAKE_RUNTIME_OUTPUT_DIRECTORY \"{out}\")\n\
         foreach(kind IN ITEMS shared static)\n\
         \x20 add_executable(venc_file_loop_cmake_${{kind}} \"{src}\")\n\
         \x20 target_compile_definitions(venc_file_loop_cmake_${{kind}} PRIVATE _DEFAULT_SOURCE)\n\
         endforeach()\n\
         target_link_libraries(venc_file_loop_cmake_shared PRIVATE {PC}::{PC})\n\
         target_link_libraries(venc_file_loop_cmake_static PRIVATE {PC}::static)\n",
        out = out_dir.display(),
        src = source.display()
    );
    write(&project.join("CMakeLists.txt"), &lists)?;
    let build = project.join("build");
    run(Command::new("cmake")
        .arg("-S")
        .arg(&project)
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())))?;
    run(Command::new("cmake").arg("--build").arg(&build))?;
    println!("find_package({PC}): venc_file_loop built shared and static");
    Ok(())
}

pub fn c_examples() -> Result<(), String> {
    let prefix = install_c(Path::new("target/c-sdk"))?;
    let out_dir = absolute(Path::new("target/c-examples"))?;
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    for &(name, source, module, defines) in BUILDS {
        let flags = pkg_config(&prefix, module)?;
        run(Command::new(&compiler)
            .args([
                "-std=c11",
                "-D_DEFAULT_SOURCE",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-g",
            ])
            .args(defines)
            .arg(format!("examples/c/{source}.c"))
            .args(&flags)
            .arg(format!("-Wl,-rpath,{}", prefix.join("lib").display()))
            .args(["-lpthread", "-o"])
            .arg(out_dir.join(name)))?;
    }
    link_every_export(&compiler, &prefix, &out_dir)?;
    build_with_cmake(&prefix, &out_dir)?;
    let valgrind = Command::new("valgrind").arg("--version").output().is_ok();
    let mut table = Vec::new();
    for (program, args, expect, under_valgrind) in RUNS {
        let args: Vec<String> = args
            .split_whitespace()
            .map(|a| a.replace("OUT", &out_dir.display().to_string()))
            .collect();
        let mut tools: Vec<Vec<String>> = vec![Vec::new()];
        if *under_valgrind {
            if !valgrind {
                return Err("valgrind is missing: apt-get install -y valgrind".into());
            }
            tools.push(
                [
                    "valgrind",
                    "-q",
                    "--error-exitcode=99",
                    "--leak-check=full",
                    "--errors-for-leak-kinds=definite",
                    "--show-leak-kinds=definite",
                ]
                .map(String::from)
                .to_vec(),
            );
        }
        for tool in tools {
            let exe = out_dir.join(program).display().to_string();
            let line: Vec<&String> = tool.iter().chain([&exe]).chain(&args).collect();
            let mut cmd = Command::new(line[0]);
            // `cargo run` points LD_LIBRARY_PATH at target/*/deps, whose library would win over
            // the installed one the programs' rpath names.
            cmd.args(&line[1..])
                .env("VENC_SIM_LOG", "error")
                .env_remove("LD_LIBRARY_PATH");
            run(&mut cmd)?;
            let checked = match expect {
                Expect::Exit => "exit 0".to_owned(),
                Expect::Stream(file, demuxer, codec, frames) => {
                    let (got_codec, got) = frames_in(&out_dir.join(file), demuxer)?;
                    if got_codec != *codec || got != *frames {
                        return Err(format!(
                            "{program}: ffprobe read {got} {got_codec} pictures, {frames} {codec} \
                             expected"
                        ));
                    }
                    format!("{got} {got_codec} pictures (ffprobe)")
                }
            };
            let how = if tool.is_empty() {
                "native"
            } else {
                "valgrind"
            };
            table.push(format!(
                "| {program} {} | {how} | {checked} |",
                args.join(" ")
            ));
        }
    }
    println!("| program | run | checked |\n|---|---|---|");
    for row in table {
        println!("{}", row.replace(&out_dir.display().to_string(), "OUT"));
    }
    Ok(())
}
