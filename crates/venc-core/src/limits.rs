//! Hardware limits as data (facts §2.4, §2.5, §3.1).

use serde::Serialize;

/// The limits one VENC instance enforces. One value describes the K230; tests and other
/// backends read the same table instead of repeating literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// H.264/H.265 width range (`kd_mpi_venc_create_chn` notes).
    pub min_width: u32,
    /// Upper bound of the width range.
    pub max_width: u32,
    /// H.264/H.265 height range.
    pub min_height: u32,
    /// Upper bound of the height range.
    pub max_height: u32,
    /// JPEG's largest width and height (its smallest are H.264's).
    pub jpeg_max_side: u32,
    /// Width alignment every CanMV example and `Sensor.set_framesize` apply.
    pub width_align: u32,
    /// Channels shared by H.264, H.265 and JPEG.
    pub channels: u32,
    /// Input frame queue depth per channel.
    pub input_queue_depth: usize,
    /// Output pack ring depth per channel.
    pub output_ring_depth: usize,
    /// Required alignment of the Y and UV plane physical addresses.
    pub plane_align: u64,
    /// Media memory block alignment.
    pub block_align: u64,
    /// `VB_SINGLE_MAX_BLKS`: blocks in one VB pool.
    pub max_blocks_per_pool: u32,
    /// Packs one `StreamData` can hold.
    pub stream_data_slots: usize,
}

/// The K230 as the 2024-09 MPP and the SDK v1.9 docs describe it.
pub const K230: Limits = Limits {
    min_width: 128,
    max_width: 4096,
    min_height: 64,
    max_height: 4096,
    jpeg_max_side: 8192,
    width_align: 16,
    channels: crate::consts::VENC_MAX_CHN_NUMS,
    input_queue_depth: 30,
    output_ring_depth: 30,
    plane_align: 4096,
    block_align: 4096,
    max_blocks_per_pool: 256,
    stream_data_slots: crate::consts::VENC_PACK_CNT_MAX,
};

impl Limits {
    /// Whether `width`×`height` is an encodable H.264/H.265 picture size.
    pub fn check_size(&self, width: u32, height: u32) -> Result<(), String> {
        self.check_size_up_to(width, height, self.max_width, self.max_height)
    }

    /// Whether `width`×`height` is an encodable picture size for `codec` (JPEG goes to 8192).
    pub fn check_size_for(
        &self,
        codec: crate::bitstream::Codec,
        width: u32,
        height: u32,
    ) -> Result<(), String> {
        match codec {
            crate::bitstream::Codec::Jpeg => {
                self.check_size_up_to(width, height, self.jpeg_max_side, self.jpeg_max_side)
            }
            _ => self.check_size(width, height),
        }
    }

    fn check_size_up_to(
        &self,
        width: u32,
        height: u32,
        max_width: u32,
        max_height: u32,
    ) -> Result<(), String> {
        if !(self.min_width..=max_width).contains(&width) {
            return Err(format!(
                "width {width} outside {}..={max_width}",
                self.min_width
            ));
        }
        if !(self.min_height..=max_height).contains(&height) {
            return Err(format!(
                "height {height} outside {}..={max_height}",
                self.min_height
            ));
        }
        if !width.is_multiple_of(self.width_align) {
            return Err(format!(
                "width {width} is not a multiple of {}",
                self.width_align
            ));
        }
        Ok(())
    }
}
