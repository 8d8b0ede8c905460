//! The audio codec's analogue controls as the firmware sets them (`ai_set_vol`, `ao_set_vol`,
//! `*_swap_left_right`; S `port/builtin_py/mpp_binding/ai_api.c`, `ao_api.c`): a gain in dB
//! per channel from a 0 ~ 100 volume, and a left/right swap, applied to the samples.

/// One side of the codec: the microphone's ADC or the headphone's DAC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gain {
    /// The dB at volume 0 is `offset - 50` (vol × 0.5 dB above it).
    offset: f32,
    /// Largest and smallest dB the codec takes; above `cap_above` the firmware sets `max`.
    max: f32,
    cap_above: f32,
    min: f32,
    /// Left, right gain in dB.
    db: [f32; 2],
    /// Channels swapped.
    swapped: bool,
}

/// Bits of the `channel` argument: 1 left, 2 right (3 both).
pub const LEFT: i64 = 1;
/// Right channel bit.
pub const RIGHT: i64 = 2;

impl Gain {
    /// The microphone: −20 dB at volume 0, +30 dB at most, −97 dB at least; starts at 0 dB
    /// (volume 40: the codec's power-on gain is not in the sources, D-075).
    pub fn mic() -> Self {
        Self {
            offset: 30.0,
            max: 30.0,
            cap_above: 30.0,
            min: -97.0,
            db: [0.0; 2],
            swapped: false,
        }
    }

    /// The headphone: −43 dB at volume 0, +7 dB at most (the firmware sets 7 for anything
    /// above 6.5), −120 dB at least; starts at 0 dB (volume 86, D-075).
    pub fn headphone() -> Self {
        Self {
            offset: 7.0,
            max: 7.0,
            cap_above: 6.5,
            min: -120.0,
            db: [0.0; 2],
            swapped: false,
        }
    }

    /// `set_vol(vol, channel)`.
    pub fn set_volume(&mut self, vol: i64, channel: i64) {
        let mut db = self.offset - 50.0 + vol as f32 * 0.5;
        if db > self.cap_above {
            db = self.max;
        }
        let db = db.max(self.min);
        for (bit, side) in [(LEFT, 0), (RIGHT, 1)] {
            if channel & bit != 0 {
                self.db[side] = db;
            }
        }
    }

    /// `get_vol()`: `(left, right)` volumes 0 ~ 100.
    pub fn volume(&self) -> (i64, i64) {
        let zero = self.offset - 50.0;
        let vol = |db: f32| {
            if db < zero {
                0
            } else if db > self.max {
                100
            } else {
                ((db - zero) / 0.5) as i64
            }
        };
        (vol(self.db[0]), vol(self.db[1]))
    }

    /// `swap_left_right(state)`.
    pub fn set_swapped(&mut self, swapped: bool) {
        self.swapped = swapped;
    }

    /// Applies the gains (clipping at full scale) and the swap to 16-bit interleaved PCM; a
    /// mono stream takes the left channel's gain.
    pub fn apply(&self, pcm: &mut [u8], channels: u16) {
        let factors = self.db.map(|db| 10f32.powf(db / 20.0));
        let width = usize::from(channels.max(1)) * 2;
        for frame in pcm.chunks_exact_mut(width) {
            if channels == 2 && self.swapped {
                let (l, r) = frame.split_at_mut(2);
                l.swap_with_slice(r);
            }
            for (ch, s) in frame.chunks_exact_mut(2).enumerate() {
                let v = f32::from(i16::from_le_bytes([s[0], s[1]])) * factors[ch.min(1)];
                let v = v.round().clamp(-32768.0, 32767.0) as i16;
                s.copy_from_slice(&v.to_le_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_map_to_the_firmwares_decibels() {
        let mut mic = Gain::mic();
        assert_eq!(mic.volume(), (40, 40));
        mic.set_volume(70, LEFT);
        mic.set_volume(100, RIGHT);
        assert_eq!(mic.volume(), (70, 100));
        assert_eq!(mic.db, [15.0, 30.0]);
        mic.set_volume(-500, LEFT | RIGHT);
        assert_eq!(mic.db, [-97.0, -97.0]);
        assert_eq!(mic.volume(), (0, 0));
        let mut hp = Gain::headphone();
        assert_eq!(hp.volume(), (86, 86));
        hp.set_volume(100, LEFT | RIGHT);
        assert_eq!(hp.db, [7.0, 7.0]);
    }

    #[test]
    fn gains_scale_and_clip_and_the_swap_swaps() {
        let mut g = Gain::mic();
        g.set_volume(52, LEFT); // +6 dB
        g.set_swapped(true);
        let mut pcm: Vec<u8> = [1000i16, 2000, 30000, -30000]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        g.apply(&mut pcm, 2);
        let out: Vec<i16> = pcm
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(out[0], 3991, "the right sample, now left, at +6 dB");
        assert_eq!(out[1], 1000);
        assert_eq!(out[2], -32768, "clipped");
        assert_eq!(out[3], 30000);
    }
}
