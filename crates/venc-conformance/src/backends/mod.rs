//! The concrete backends, each behind a cargo feature, so the program that assembles the suite
//! chooses what it links: `sim` brings the simulator and its codecs, `hw` the board client and
//! nothing else, `capi` the loader of the simulator's C library (loaded at run time, not linked). Everything outside this module sees a backend only as [`Backend`] and `Mpi`.

#[cfg(feature = "capi")]
mod capi;
#[cfg(feature = "hw")]
mod hw;
#[cfg(feature = "sim")]
mod sim;

use crate::run::Backend;
#[cfg(feature = "capi")]
pub use capi::CapiBackend;
#[cfg(feature = "hw")]
pub use hw::HwBackend;
#[cfg(feature = "sim")]
pub use sim::SimBackend;

/// The backend names this build can open.
pub const BUILT: &[&str] = &[
    #[cfg(feature = "sim")]
    "sim",
    #[cfg(feature = "hw")]
    "hw",
    #[cfg(feature = "capi")]
    "capi",
];

/// A backend by name: `sim`, or `hw` with a board address (`tcp://HOST:PORT`).
pub fn backend_by_name(name: &str, board: Option<&str>) -> Result<Box<dyn Backend>, String> {
    if !BUILT.contains(&name) && matches!(name, "sim" | "hw" | "capi") {
        return Err(format!(
            "backend {name:?} is not in this build (built: {}); enable feature `{name}` of \
             venc-conformance",
            BUILT.join(", ")
        ));
    }
    match (name, board) {
        #[cfg(feature = "sim")]
        ("sim", None) => Ok(Box::new(SimBackend::default())),
        ("sim", Some(_)) => Err("--board applies to the hw backend, not to sim".into()),
        #[cfg(feature = "hw")]
        ("hw", Some(url)) => Ok(Box::new(HwBackend::connect(url)?)),
        ("hw", None) => Err(
            "the hw backend needs a board: --board tcp://HOST:PORT (no board at hand: \
             `cargo xtask board-emulator` starts the emulated one)"
                .into(),
        ),
        #[cfg(feature = "capi")]
        ("capi", None) => Ok(Box::new(CapiBackend::load(&capi_library()?)?)),
        ("capi", Some(_)) => Err("--board applies to the hw backend, not to capi".into()),
        (other, _) => Err(format!("unknown backend {other:?}: `sim`, `hw` or `capi`")),
    }
}

/// The C library the `capi` backend loads: `VENC_CAPI_LIB`, else `libk230_mpp_sim.so` beside
/// the running program (cargo puts the two in one target directory; a test binary sits one
/// level below, in `deps/`).
#[cfg(feature = "capi")]
pub fn capi_library() -> Result<std::path::PathBuf, String> {
    if let Some(path) = std::env::var_os("VENC_CAPI_LIB") {
        return Ok(path.into());
    }
    let exe = std::env::current_exe().map_err(|e| format!("the running program: {e}"))?;
    let name = format!(
        "{}k230_mpp_sim{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join(&name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "the capi backend needs {name} beside {} (build it: cargo build --release -p \
                 venc-capi) or its path in VENC_CAPI_LIB",
                exe.display()
            )
        })
}

#[cfg(all(test, feature = "sim", feature = "hw"))]
mod tests {
    use super::*;

    #[test]
    fn backends_by_name_and_their_refusals() {
        assert!(backend_by_name("sim", None).is_ok());
        let e = backend_by_name("hw", None).err().expect("no board given");
        assert!(e.contains("--board tcp://HOST:PORT"), "{e}");
        let e = backend_by_name("sim", Some("tcp://127.0.0.1:1"))
            .err()
            .expect("sim has no board");
        assert!(e.contains("--board applies"), "{e}");
        let e = backend_by_name("qemu", None).err().expect("unknown");
        assert!(e.contains("unknown backend"), "{e}");
        let e = backend_by_name("hw", Some("udp://x:1"))
            .err()
            .expect("not tcp");
        assert!(e.contains("expected tcp://HOST:PORT"), "{e}");
    }
}

#[cfg(all(test, not(feature = "sim")))]
mod without_sim {
    #[test]
    fn a_backend_left_out_of_the_build_is_named_as_such() {
        let e = super::backend_by_name("sim", None)
            .err()
            .expect("not built");
        assert!(
            e.contains("not in this build") && e.contains("feature `sim`"),
            "{e}"
        );
    }
}

#[cfg(all(test, feature = "capi"))]
mod capi_tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_library_that_is_not_there_or_not_ours_is_refused_by_name() {
        let e = CapiBackend::load(Path::new("/nonexistent/libk230_mpp_sim.so")).unwrap_err();
        assert!(
            e.contains("cannot load /nonexistent/libk230_mpp_sim.so"),
            "{e}"
        );
        // A real shared library without the MPP's symbols.
        let e = CapiBackend::load(Path::new("libc.so.6")).unwrap_err();
        assert!(e.contains("no symbol kd_mpi_venc_create_chn_canmv"), "{e}");
        let e = backend_by_name("capi", Some("tcp://127.0.0.1:1"))
            .err()
            .expect("capi has no board");
        assert!(e.contains("--board applies"), "{e}");
    }
}
