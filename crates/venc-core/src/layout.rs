//! NV12 layout math, as VICAP lays frames out and as CanMV sizes buffers (facts §3.3).

/// `ALIGN_UP(x, a)` = `(x + a-1) & ~(a-1)`; `a` must be a power of two, as in the firmware.
#[doc(alias = "ALIGN_UP")]
#[doc(alias = "VICAP_ALIGN_UP")]
pub const fn align_up(x: u64, a: u64) -> u64 {
    debug_assert!(a.is_power_of_two());
    (x + a - 1) & !(a - 1)
}

/// Offset of the UV plane from the Y base for a VICAP buffer with `alignment` (2^alignment bytes):
/// `ALIGN_UP(w*h, 1 << alignment)`. With `alignment = 12`: 800x480 → w*h + 1024, 1920x1080 → +3072.
pub const fn uv_offset(width: u32, height: u32, alignment: u32) -> u64 {
    align_up(width as u64 * height as u64, 1u64 << alignment)
}

/// Bytes of an NV12 Y plane (stride = width).
pub const fn y_size(width: u32, height: u32) -> u64 {
    width as u64 * height as u64
}

/// Bytes of an NV12 UV plane (interleaved U,V at half resolution, stride = width).
pub const fn uv_size(width: u32, height: u32) -> u64 {
    width as u64 * (height as u64).div_ceil(2)
}

/// Block size CanMV's `Sensor` computes for a YUV420SP buffer: `ALIGN_UP(w*h*3/2, 4096)`.
pub const fn sensor_block_size(width: u32, height: u32) -> u64 {
    align_up(width as u64 * height as u64 * 3 / 2, 4096)
}

/// Bytes an NV12 frame really spans with the UV plane at [`uv_offset`]. At 1920x1080 and 640x360
/// with `alignment = 12` this is 512 bytes more than [`sensor_block_size`] (facts §3.3).
pub const fn nv12_span(width: u32, height: u32, alignment: u32) -> u64 {
    uv_offset(width, height, alignment) + uv_size(width, height)
}

/// Block size the simulator gives a sensor buffer: CanMV's [`sensor_block_size`], or more when
/// the UV plane at its offset would end past it (D-013), rounded up to 4 KiB.
pub const fn vicap_block_size(width: u32, height: u32, alignment: u32) -> u64 {
    let span = align_up(nv12_span(width, height, alignment), 4096);
    let canmv = sensor_block_size(width, height);
    if span > canmv { span } else { canmv }
}

/// Output block size `Encoder.SetOutBufs` gives its pool: `ALIGN_UP(w*h*3/4, VENC_ALIGN_4K)`.
pub const fn stream_block_size(width: u32, height: u32) -> u64 {
    align_up(
        width as u64 * height as u64 * 3 / 4,
        crate::consts::VENC_ALIGN_4K,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_offsets_match_the_vicap_table() {
        // facts §3.3 table: w×h → padding after w·h.
        for (w, h, pad) in [
            (800, 480, 1024),
            (1920, 1080, 3072),
            (640, 360, 3072),
            (1280, 720, 0),
            (640, 480, 0),
            (320, 240, 1024),
        ] {
            assert_eq!(uv_offset(w, h, 12), y_size(w, h) + pad, "{w}x{h}");
        }
    }

    #[test]
    fn span_exceeds_sensor_block_where_the_facts_say() {
        assert_eq!(nv12_span(1920, 1080, 12), 3_113_472);
        assert_eq!(sensor_block_size(1920, 1080), 3_112_960);
        assert_eq!(nv12_span(640, 360, 12) - sensor_block_size(640, 360), 512);
        assert!(nv12_span(800, 480, 12) <= sensor_block_size(800, 480));
        assert_eq!(vicap_block_size(1920, 1080, 12), 3_117_056);
        assert_eq!(vicap_block_size(800, 480, 12), sensor_block_size(800, 480));
    }

    #[test]
    fn stream_block() {
        assert_eq!(stream_block_size(800, 480), 290_816);
        assert_eq!(stream_block_size(1280, 720) % 4096, 0);
    }
}
