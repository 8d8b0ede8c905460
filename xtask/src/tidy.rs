//! Tidy tests, in the rust-analyzer manner: the layering invariants of `ARCHITECTURE.md`,
//! checked against the source tree and the dependency graph instead of only written down.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// A crate (or folder) that must not name some other crates in code.
    #[derive(Clone, Copy)]
    struct Layer {
        /// Files under this folder (from the workspace root).
        under: &'static str,
        /// Paths that must not appear in code lines (`venc_sim` matches `venc_sim::…`).
        never: &'static [&'static str],
        /// Files (or folders, ending in `/`) allowed to name them anyway: the one seam where the
        /// layer meets them.
        seams: &'static [&'static str],
        /// The invariant, for the failure message.
        why: &'static str,
    }

    const LAYERS: &[Layer] = &[
        Layer {
            under: "crates/venc-core",
            never: &[
                "venc_sim",
                "venc_hw",
                "venc_harness",
                "venc_conformance",
                "openh264",
            ],
            seams: &[],
            why: "the contract depends on no backend, no harness and no codec",
        },
        Layer {
            under: "crates/venc-frames",
            never: &[
                "venc_core",
                "venc_sim",
                "venc_hw",
                "venc_harness",
                "venc_conformance",
                "openh264",
            ],
            seams: &[],
            why: "frame sources sit at the bottom: they know no contract, backend or codec",
        },
        Layer {
            under: "crates/venc-harness",
            never: &["venc_sim", "venc_hw", "venc_conformance", "openh264"],
            seams: &[],
            why: "the harness is backend-neutral and links no codec",
        },
        Layer {
            under: "crates/venc-hw",
            never: &["venc_sim", "openh264"],
            seams: &[],
            why: "the board backend links no codec and needs no simulator",
        },
        Layer {
            under: "crates/venc-hw/src",
            never: &["venc_harness"],
            seams: &[],
            why: "the board backend is the MPI over a socket; driving it is the harness's job",
        },
        Layer {
            under: "crates/venc-sim/src",
            never: &["k230_mpp_abi", "k230_mpp_sim", "venc_harness"],
            seams: &[],
            why: "the simulator takes the contract's Rust types (the C layouts stay in the C \
                  crates) and is driven from above (the harness sits over every backend)",
        },
        Layer {
            under: "crates/venc-sim/src",
            never: &["venc_hw", "venc_conformance"],
            seams: &[],
            why: "the simulator is one backend; it knows no other and not the suite",
        },
        Layer {
            under: "crates/venc-conformance",
            never: &["venc_sim"],
            seams: &["crates/venc-conformance/src/backends/sim.rs"],
            why: "a case never knows its backend: the simulator is reached through its adapter",
        },
        Layer {
            under: "crates/venc-conformance/src",
            never: &["venc_hw"],
            seams: &["crates/venc-conformance/src/backends/hw.rs"],
            why: "a case never knows its backend: the board is reached through its adapter",
        },
        Layer {
            under: "crates/venc-conformance/src",
            never: &["libloading", "k230_mpp_abi"],
            seams: &["crates/venc-conformance/src/backends/capi.rs"],
            why: "a case never knows its backend: the C library is reached through its adapter",
        },
        Layer {
            under: "crates/venc-capi-abi/src",
            never: &["venc_sim", "k230_mpp_sim", "openh264"],
            seams: &[],
            why: "the C structs are shared by the library and its callers: they link neither",
        },
        Layer {
            under: "crates/venc-mp4/src",
            never: &[
                "venc_sim",
                "venc_hw",
                "venc_harness",
                "venc_core",
                "openh264",
            ],
            seams: &[],
            why: "the MP4 writer is a container: it links no codec and knows no backend",
        },
        Layer {
            under: "crates/venc-audio/src",
            never: &[
                "venc_sim",
                "venc_hw",
                "venc_harness",
                "venc_core",
                "openh264",
                "pyo3",
            ],
            seams: &[],
            why: "the audio devices are pure functions of board time: no simulator, no video \
                  codec, no Python",
        },
        Layer {
            under: "crates/venc-rtsp/src",
            never: &[
                "venc_sim",
                "venc_hw",
                "venc_harness",
                "venc_core",
                "openh264",
            ],
            seams: &[],
            why: "the RTSP server carries packs: it links no codec and knows no backend",
        },
        Layer {
            under: "crates/canmv-host/src",
            never: &["venc_sim"],
            seams: &["crates/canmv-host/src/board/"],
            why: "the Python front meets the simulator in its board module only",
        },
    ];

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask sits in the workspace")
            .to_path_buf()
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// `(file, line number, line)` of every code line under `layer` that names a forbidden path.
    fn reaches(root: &Path, layer: &Layer) -> Vec<String> {
        let mut files = Vec::new();
        rust_files(&root.join(layer.under), &mut files);
        assert!(!files.is_empty(), "{}: no Rust files (moved?)", layer.under);
        let mut found = Vec::new();
        for file in files {
            let rel = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let in_seam = |seam: &&str| {
                if seam.ends_with('/') {
                    rel.starts_with(seam)
                } else {
                    rel == *seam
                }
            };
            if layer.seams.iter().any(in_seam) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                if let Some(name) = layer.never.iter().find(|name| names(code, name)) {
                    found.push(format!("{rel}:{}: names {name}: {}", n + 1, code.trim()));
                }
            }
        }
        found
    }

    /// Whether `code` names the crate `name` (a whole identifier, not a longer one).
    fn names(code: &str, name: &str) -> bool {
        code.match_indices(name).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + name.len()..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        })
    }

    #[test]
    fn no_crate_reaches_past_its_layer() {
        let root = root();
        let mut wrong = Vec::new();
        for layer in LAYERS {
            for hit in reaches(&root, layer) {
                wrong.push(format!("{hit}\n    ({})", layer.why));
            }
        }
        assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    }

    #[test]
    fn the_layer_check_sees_what_it_must() {
        assert!(names("use venc_sim::Simulator;", "venc_sim"));
        assert!(names("venc_sim::codec::h265_library()", "venc_sim"));
        assert!(!names("use my_venc_sim_helpers;", "venc_sim"));
        assert!(!names("let venc_simulated = 1;", "venc_sim"));
        // A seam is the only exception: the adapter itself names the simulator.
        let root = root();
        let suite = LAYERS
            .iter()
            .find(|l| l.under == "crates/venc-conformance")
            .expect("the suite's layer");
        let without_seam = Layer {
            seams: &[],
            ..*suite
        };
        assert!(
            reaches(&root, &without_seam)
                .iter()
                .any(|hit| hit.starts_with("crates/venc-conformance/src/backends/sim.rs")),
            "the sim adapter must show up when it is not allowed"
        );
    }

    /// The normal (linked) dependencies of a package, by name, as cargo resolves them.
    fn linked(package: &str, features: &[&str]) -> Vec<String> {
        let out = Command::new(env!("CARGO"))
            .current_dir(root())
            .args(["tree", "-p", package, "-e", "normal", "--prefix", "none"])
            .args(features)
            .output()
            .expect("cargo tree runs");
        assert!(
            out.status.success(),
            "cargo tree -p {package}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    }

    /// Code that decides by generation: a `Firmware` variant compared or matched on.
    fn decides_by_variant(code: &str) -> bool {
        let Some(at) = code.find("Firmware::CanMv") else {
            return false;
        };
        let prefix = "Firmware::".len();
        let rest = &code[at + prefix..];
        let variant_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let after = rest[variant_end..].trim_start();
        let before = code[..at].trim_end();
        after.starts_with("=>")
            || after.starts_with('|')
            || before.ends_with("==")
            || before.ends_with("!=")
            || before.ends_with('|')
    }

    /// `path:line: code` of every line of `files` (comments left out) that `matches`.
    fn code_lines_where(root: &Path, files: &[PathBuf], matches: fn(&str) -> bool) -> Vec<String> {
        files
            .iter()
            .flat_map(|file| {
                let text = std::fs::read_to_string(file).unwrap_or_default();
                let rel = file
                    .strip_prefix(root)
                    .unwrap_or(file)
                    .display()
                    .to_string();
                text.lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim_start().starts_with("//"))
                    .filter(|(_, l)| matches(l))
                    .map(|(n, l)| format!("{rel}:{}: {}", n + 1, l.trim()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_simulator_keeps_one_clock() {
        let root = root();
        let mut files = Vec::new();
        rust_files(&root.join("crates/venc-sim/src"), &mut files);
        let clock = root.join("crates/venc-sim/src/clock");
        assert!(
            files.iter().any(|f| f.starts_with(&clock)),
            "the board clock moved: update this check"
        );
        let checked: Vec<PathBuf> = files
            .into_iter()
            .filter(|f| !f.starts_with(&clock))
            .collect();
        let found = code_lines_where(&root, &checked, reads_host_time);
        assert!(
            found.is_empty(),
            "timed parts of the simulator read the board clock (venc_sim::clock), not the \
             host's, and wait and wake through it (ARCHITECTURE.md):\n{}",
            found.join("\n")
        );
    }

    /// Whether a line reads or waits on the host's clock directly, or waits or wakes on a
    /// condition behind the board clock's back (a deterministic board must see every wait).
    fn reads_host_time(line: &str) -> bool {
        [
            "Instant::now",
            "thread::sleep",
            ".wait_timeout(",
            ".wait(",
            ".notify_one(",
            ".notify_all(",
            "thread::spawn",
            "thread::scope",
            // What the first version of this check could not see: the other condvar waits,
            // channel receives, parking, the calendar clock, and a sleep or an `Instant`
            // imported under its bare name.
            ".wait_while(",
            ".wait_timeout_while(",
            ".recv()",
            ".recv_timeout(",
            "thread::park",
            // A `Builder` spawned itself (a closure first); `BoardClock::spawn` takes the
            // builder first.
            ".spawn(move",
            ".spawn(||",
            "SystemTime::now",
            "thread::sleep;",
            "thread::{",
            "time::Instant",
            "time::{",
        ]
        .iter()
        .any(|p| line.contains(p))
    }

    #[test]
    fn the_clock_check_sees_what_it_must() {
        assert!(reads_host_time("let t = Instant::now();"));
        assert!(reads_host_time("std::thread::sleep(wait);"));
        assert!(reads_host_time("cv.wait_timeout(st, d)"));
        assert!(reads_host_time("st = self.input_cv.wait(st).unwrap();"));
        assert!(reads_host_time("self.output_cv.notify_all();"));
        assert!(reads_host_time("std::thread::spawn(move || run())"));
        assert!(reads_host_time(
            "st = cv.wait_while(st, |s| s.busy).unwrap();"
        ));
        assert!(reads_host_time("let msg = rx.recv_timeout(d);"));
        assert!(reads_host_time("std::thread::park();"));
        assert!(reads_host_time(
            "let h = Builder::new().name(n).spawn(move || run());"
        ));
        assert!(!reads_host_time(".spawn(worker, move || {"));
        assert!(reads_host_time("use std::thread::sleep;"));
        assert!(reads_host_time("use std::time::{Duration, Instant};"));
        assert!(!reads_host_time("use std::time::Duration;"));
        assert!(!reads_host_time("clock.wait_on(&cv, &m, st, Some(due))"));
        assert!(!reads_host_time("clock.notify(&self.output_cv);"));
    }

    #[test]
    fn generations_are_asked_by_trait() {
        let root = root();
        let mut files = Vec::new();
        rust_files(&root.join("crates"), &mut files);
        let allowed = root.join("crates/venc-core/src/firmware.rs");
        let checked: Vec<PathBuf> = files
            .into_iter()
            .filter(|f| *f != allowed && f.components().all(|c| c.as_os_str() != "tests"))
            .collect();
        let found = code_lines_where(&root, &checked, decides_by_variant);
        assert!(
            found.is_empty(),
            "generation differences belong in Firmware::traits() (ARCHITECTURE.md):\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_generation_check_sees_what_it_must() {
        assert!(decides_by_variant("if p == Firmware::CanMv2024Aug {"));
        assert!(decides_by_variant("    Firmware::CanMv2026Jan => 3,"));
        assert!(decides_by_variant(
            "    Firmware::CanMv2024Jul | Firmware::CanMv2024Aug => x,"
        ));
        assert!(!decides_by_variant(
            "firmware: FirmwareName(Firmware::CanMv2026Jan),"
        ));
        assert!(!decides_by_variant(
            "Encoder::with_firmware(mpi, Firmware::CanMv2026Jul)"
        ));
    }

    /// The `fn` names of the `Mpi` trait (`crates/venc-core/src/mpi.rs`, from `pub trait Mpi`
    /// to its closing brace).
    fn mpi_methods(root: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(root.join("crates/venc-core/src/mpi.rs"))
            .expect("the contract's trait");
        let start = text.find("pub trait Mpi").expect("pub trait Mpi");
        let end = start + text[start..].find("\n}\n").expect("the trait's end");
        text[start..end]
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("fn "))
            .map(|l| l.split(['(', '<']).next().unwrap_or_default().to_owned())
            .collect()
    }

    /// Every method called on something named `sim` in `code` (`b.sim.x(`, `sim.as_ref().x(`,
    /// across line breaks), with the 1-based line of the call.
    fn sim_calls(code: &str) -> Vec<(usize, String)> {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        let mut found = Vec::new();
        for (at, _) in code.match_indices("sim") {
            if code[..at].chars().next_back().is_some_and(ident)
                || code[at + 3..].chars().next().is_some_and(ident)
            {
                continue;
            }
            let mut rest = code[at + 3..].trim_start();
            if let Some(r) = rest.strip_prefix(".as_ref()") {
                rest = r.trim_start();
            }
            let Some(r) = rest.strip_prefix('.') else {
                continue;
            };
            let r = r.trim_start();
            let name: String = r.chars().take_while(|&c| ident(c)).collect();
            if !name.is_empty() && r[name.len()..].starts_with('(') {
                found.push((code[..at].lines().count().max(1), name));
            }
        }
        found
    }

    /// What the C library and the Python front may call on the simulator besides `Mpi`: its
    /// parts that are not VENC calls (media memory for `kd_mpi_sys_mmap`, the board clock
    /// their waits run on, the sensor and binds, options and statistics).
    const NOT_VENC: &[&str] = &[
        "as_ref",
        "clone",
        "memory",
        "clock",
        "options",
        "faults",
        "bind",
        "unbind",
        "bound_source",
        "channel_phase",
        "channel_stats",
        "channel_run_stats",
    ];

    #[test]
    fn venc_features_are_reached_only_through_mpi() {
        let root = root();
        let mpi = mpi_methods(&root);
        assert!(mpi.iter().any(|m| m == "set_rotation"), "{mpi:?}");
        let mut files = Vec::new();
        rust_files(&root.join("crates/venc-capi/src"), &mut files);
        rust_files(&root.join("crates/canmv-host/src"), &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            for (line, name) in sim_calls(&text) {
                // The display (`vo_*`) is the VO, not the encoder: Mpi is VENC's contract.
                let display = name.starts_with("vo_");
                if !mpi.contains(&name) && !NOT_VENC.contains(&name.as_str()) && !display {
                    wrong.push(format!("{}:{line}: sim.{name}(", file.display()));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "the C library and the Python front reach the encoder through Mpi only (board time, \
             faults, traces; ARCHITECTURE.md):\n{}",
            wrong.join("\n")
        );
        // No VENC call lives beside the trait: the simulator's inherent methods carry no
        // kd_mpi_venc_ name.
        let mut sim_files = Vec::new();
        rust_files(&root.join("crates/venc-sim/src"), &mut sim_files);
        let aliased = code_lines_where(&root, &sim_files, |l| {
            l.contains("doc(alias = \"kd_mpi_venc_")
        });
        assert!(
            aliased.is_empty(),
            "a kd_mpi_venc_ call of the simulator is an Mpi method, not an inherent one:\n{}",
            aliased.join("\n")
        );
    }

    #[test]
    fn the_mpi_check_sees_what_it_must() {
        let calls =
            sim_calls("b.sim.set_rotation(0, 1)\nlet x = b\n    .sim\n    .two_d_osd(0, 1);");
        assert_eq!(
            calls,
            vec![(1, "set_rotation".to_owned()), (3, "two_d_osd".to_owned())]
        );
        assert_eq!(
            sim_calls("Mpi::released_pts(b.sim.as_ref(), 0); simple.x(); sim_ok.y()"),
            vec![]
        );
        assert_eq!(
            sim_calls("b.sim.as_ref().attach_2d(1)"),
            vec![(1, "attach_2d".to_owned())]
        );
    }

    /// Names in backticks that look like paths but are not this repository's: folders on the
    /// board's SD card that `canmv-run` makes (README, "Paths under /sdcard").
    const NOT_REPO_PATHS: &[&str] = &["./sdcard", "libs/", "res/font/", "app/…"];

    /// Whether a backticked name is meant as a path in this repository.
    fn looks_like_a_path(t: &str) -> bool {
        t.contains('/')
            && !t.chars().any(|c| ":*<>{}|()[]=,".contains(c))
            && !t.starts_with(['/', '.'])
            && !t.starts_with("target/")
            && !t.starts_with("shared/")
            && !t.split('/').any(|seg| {
                !seg.is_empty() && seg.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
    }

    /// The backticked names of `text` that look like paths and name nothing in `files`
    /// (a name may be relative to a crate or folder: it must be the end of some file's or
    /// folder's path).
    fn missing_paths(text: &str, files: &[String]) -> Vec<String> {
        let names: std::collections::BTreeSet<&str> = text
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|t| !t.contains(char::is_whitespace) && looks_like_a_path(t))
            .filter(|t| !NOT_REPO_PATHS.contains(t))
            .collect();
        names
            .into_iter()
            .filter(|name| {
                let want = name.trim_end_matches('/');
                !files.iter().any(|f| {
                    f == want
                        || f.ends_with(&format!("/{want}"))
                        || f.starts_with(&format!("{want}/"))
                        || f.contains(&format!("/{want}/"))
                })
            })
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn architecture_and_readme_name_only_what_exists() {
        let root = root();
        let out = Command::new("git")
            .current_dir(&root)
            .args(["ls-files"])
            .output()
            .expect("git ls-files");
        let files: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        assert!(
            files.iter().any(|f| f == "ARCHITECTURE.md"),
            "not a checkout"
        );
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
        let members: Vec<&str> = manifest
            .lines()
            .skip_while(|l| !l.starts_with("members"))
            .skip(1)
            .take_while(|l| !l.starts_with(']'))
            .filter_map(|l| l.trim().trim_matches([',', '"']).rsplit('/').next())
            .collect();
        assert!(members.contains(&"venc-sim"), "{members:?}");
        let mut wrong = Vec::new();
        for doc in ["ARCHITECTURE.md", "README.md"] {
            let text = std::fs::read_to_string(root.join(doc)).expect(doc);
            for m in missing_paths(&text, &files) {
                wrong.push(format!("{doc}: `{m}` names no file or folder"));
            }
            for crate_dir in &members {
                let named = [
                    format!("`{crate_dir}`"),
                    format!("`{crate_dir}/`"),
                    format!("`crates/{crate_dir}`"),
                ];
                if !named.iter().any(|n| text.contains(n.as_str())) {
                    wrong.push(format!(
                        "{doc}: the workspace crate `{crate_dir}` is not described"
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "stale map:\n{}", wrong.join("\n"));
    }

    #[test]
    fn the_map_check_sees_what_it_must() {
        let files = vec![
            "crates/venc-sim/tests/board_time.rs".to_owned(),
            "crates/venc-hw/agent/venc_agent.py".to_owned(),
        ];
        let text = "`tests/board_time.rs`, `agent/venc_agent.py`, `crates/venc-sim/`, \
                    `tests/gone.rs`, `venc_core::Mpi`, `tcp://H:P`, `A/B_C`";
        assert_eq!(
            missing_paths(text, &files),
            vec!["tests/gone.rs".to_owned()]
        );
    }

    const CODEC_CRATES: &[&str] = &["venc-sim", "openh264", "openh264-sys2"];

    #[test]
    fn a_board_only_build_links_no_codec() {
        for (package, features) in [
            ("venc-hw", &[][..]),
            (
                "venc-conformance",
                &["--no-default-features", "--features", "hw"][..],
            ),
            // The C library is loaded at run time, never linked.
            (
                "venc-conformance",
                &["--no-default-features", "--features", "capi"][..],
            ),
            ("venc-harness", &[][..]),
        ] {
            let deps = linked(package, features);
            assert!(deps.iter().any(|d| d == package), "{package}: {deps:?}");
            let codecs: Vec<_> = deps
                .iter()
                .filter(|d| CODEC_CRATES.contains(&d.as_str()))
                .collect();
            assert!(codecs.is_empty(), "{package} {features:?} links {codecs:?}");
        }
        // The simulator takes Rust types: the C layouts are not among what it links.
        let sim = linked("venc-sim", &[]);
        assert!(sim.iter().any(|d| d == "venc-core"), "{sim:?}");
        assert!(
            !sim.iter().any(|d| d == "venc-capi-abi"),
            "venc-sim links {sim:?}"
        );
        // The check can fail: the full suite does link the simulator's codecs.
        let full = linked("venc-conformance", &[]);
        assert!(full.iter().any(|d| d == "openh264-sys2"), "{full:?}");
    }
}
