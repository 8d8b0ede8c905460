//! The simulator's log on a script's stderr: what the board prints on its console (dropped
//! frames, full rings, refused calls), at the level `canmv-run --log` asks for.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// `init_log(level)`: `off`, `error`, `warn` (the default of `canmv-run`), `info` or `debug`.
/// The first call installs the logger; later calls change the level.
#[pyfunction]
pub fn init_log(level: &str) -> PyResult<()> {
    let filter = match level {
        "off" => log::LevelFilter::Off,
        "error" => log::LevelFilter::Error,
        "warn" => log::LevelFilter::Warn,
        "info" => log::LevelFilter::Info,
        "debug" => log::LevelFilter::Debug,
        other => {
            return Err(PyValueError::new_err(format!(
                "log level {other:?}: off, error, warn, info or debug"
            )));
        }
    };
    // Installed once per process; the level is the global maximum, so it can change later.
    let _ = env_logger::Builder::new()
        .filter_level(log::LevelFilter::Debug)
        .format_timestamp(None)
        .format_target(false)
        .target(env_logger::Target::Stderr)
        .try_init();
    log::set_max_level(filter);
    Ok(())
}
