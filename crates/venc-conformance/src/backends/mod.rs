//! The concrete backends, each behind a cargo feature, so the program that assembles the suite
//! chooses what it links: `sim` brings the simulator and its codecs, `hw` the board client and
//! nothing else. Everything outside this module sees a backend only as [`Backend`] and `Mpi`.

#[cfg(feature = "hw")]
mod hw;
#[cfg(feature = "sim")]
mod sim;

use crate::run::Backend;
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
];

/// A backend by name: `sim`, or `hw` with a board address (`tcp://HOST:PORT`).
pub fn backend_by_name(name: &str, board: Option<&str>) -> Result<Box<dyn Backend>, String> {
    if !BUILT.contains(&name) && matches!(name, "sim" | "hw") {
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
        (other, _) => Err(format!("unknown backend {other:?}: `sim` or `hw`")),
    }
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
