//! # canmv-host
//!
//! The native half of the Python front: CanMV's `media.vencoder.Encoder`, `media.sensor.Sensor`,
//! `MediaManager` links and `uctypes.bytearray_at`, over one simulated board per process. The
//! Python package (`python/canmv_host`) puts them under the module names the firmware uses and
//! runs scripts unmodified (`canmv-run`).
//!
//! Invariants:
//! - Everything a script can do goes through `venc_core::Encoder` (the facade the conformance
//!   suite checks) or the simulator's `Sensor`/`MediaManager`; nothing here re-implements them.
//! - A blocking call never blocks for ever without checking for Ctrl-C: it waits in slices
//!   ([`wait`]), so KeyboardInterrupt reaches the script as on the board.

mod audio;
mod board;
mod display;
mod errors;
mod image;
mod logging;
mod media;
mod memory;
mod mp4;
mod mpp;
mod rtsp;
mod rtsp_pusher;
mod sandbox;
mod screen_dump;
mod sensor;
mod venc;
mod wait;

use pyo3::prelude::*;

/// The `canmv_host._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    memory::bound_allocator_retention();
    m.add_function(wrap_pyfunction!(board::configure, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_info, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_now_ns, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_sleep_ns, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_dilation, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_ticks_ns, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_pass_overs, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_ticket, m)?)?;
    m.add_function(wrap_pyfunction!(board::board_leave, m)?)?;
    m.add_class::<board::BoardTicket>()?;
    m.add_class::<board::BoardSignal>()?;
    m.add_function(wrap_pyfunction!(board::channel_run_stats, m)?)?;
    m.add_function(wrap_pyfunction!(board::change_source, m)?)?;
    m.add_function(wrap_pyfunction!(board::set_sensor_source, m)?)?;
    m.add_function(wrap_pyfunction!(board::check_fault, m)?)?;
    m.add_function(wrap_pyfunction!(board::memory_faults, m)?)?;
    m.add_function(wrap_pyfunction!(board::channel_stats, m)?)?;
    m.add_function(wrap_pyfunction!(board::inject_fault, m)?)?;
    m.add_function(wrap_pyfunction!(board::finish_trace, m)?)?;
    m.add_function(wrap_pyfunction!(board::disarm_faults, m)?)?;
    m.add_function(wrap_pyfunction!(board::faults_injected, m)?)?;
    m.add_function(wrap_pyfunction!(logging::init_log, m)?)?;
    m.add_function(wrap_pyfunction!(sandbox::sandbox, m)?)?;
    m.add_function(wrap_pyfunction!(wait::end_script, m)?)?;
    m.add_function(wrap_pyfunction!(wait::exit_thread, m)?)?;
    m.add_function(wrap_pyfunction!(wait::own_interrupt, m)?)?;
    m.add_function(wrap_pyfunction!(wait::watch_stop_signals, m)?)?;
    m.add_function(wrap_pyfunction!(board::query_status, m)?)?;
    m.add_function(wrap_pyfunction!(board::released_pts, m)?)?;
    m.add_function(wrap_pyfunction!(board::frame_info_layout, m)?)?;
    m.add_function(wrap_pyfunction!(venc::bytearray_at, m)?)?;
    m.add_function(wrap_pyfunction!(venc::bytes_at, m)?)?;
    m.add_function(wrap_pyfunction!(venc::is_media_buffer, m)?)?;
    m.add_function(wrap_pyfunction!(venc::write_at, m)?)?;
    m.add_function(wrap_pyfunction!(media::media_init, m)?)?;
    m.add_function(wrap_pyfunction!(media::media_deinit, m)?)?;
    m.add_function(wrap_pyfunction!(media::media_link, m)?)?;
    m.add_function(wrap_pyfunction!(mp4::mp4_create, m)?)?;
    m.add_function(wrap_pyfunction!(mp4::mp4_create_track, m)?)?;
    m.add_function(wrap_pyfunction!(mp4::mp4_write_frame, m)?)?;
    m.add_function(wrap_pyfunction!(mp4::mp4_destroy_tracks, m)?)?;
    m.add_function(wrap_pyfunction!(mp4::mp4_destroy, m)?)?;
    m.add_function(wrap_pyfunction!(rtsp::rtsp_url, m)?)?;
    m.add_function(wrap_pyfunction!(rtsp::rtsp_send, m)?)?;
    m.add_function(wrap_pyfunction!(rtsp::rtsp_send_audio, m)?)?;
    m.add_function(wrap_pyfunction!(rtsp::warm_gstreamer, m)?)?;
    m.add_class::<rtsp::PyRtspServer>()?;
    m.add_class::<audio::PyAudioIn>()?;
    m.add_class::<audio::PyAudioOut>()?;
    m.add_function(wrap_pyfunction!(audio::g711_encode, m)?)?;
    m.add_function(wrap_pyfunction!(audio::g711_decode, m)?)?;
    m.add_function(wrap_pyfunction!(audio::configure_audio, m)?)?;
    m.add_function(wrap_pyfunction!(audio::audio_volume, m)?)?;
    m.add_function(wrap_pyfunction!(audio::audio_swap, m)?)?;
    m.add_class::<rtsp_pusher::PyRtspPusher>()?;
    m.add_class::<venc::PyEncoder>()?;
    m.add_class::<sensor::PySensor>()?;
    m.add_class::<image::PyImage>()?;
    m.add_class::<image::PixelsRef>()?;
    m.add_function(wrap_pyfunction!(image::stand_in_font_path, m)?)?;
    image::add_constants(m)?;
    m.add_class::<media::PyLinker>()?;
    m.add_class::<media::PyMediaBuffer>()?;
    m.add("MemoryFault", m.py().get_type::<errors::MemoryFault>())?;
    let firmwares: Vec<(&str, &str)> = venc_core::Firmware::ALL
        .iter()
        .map(|p| (p.name(), p.images()))
        .collect();
    m.add("FIRMWARES", firmwares)?;
    m.add("VB_BUSY", board::VB_BUSY)?;
    m.add_function(wrap_pyfunction!(board::firmware_name, m)?)?;
    mpp::add_functions(m)?;
    display::add_functions(m)?;
    venc::add_constants(m)?;
    sensor::add_constants(m)?;
    Ok(())
}
