//! G.711 (ITU-T) as the AENC/ADEC channels code it: one byte per 16-bit sample, A-law
//! (`K_PT_G711A`) or µ-law (`K_PT_G711U`), by the `audio-codec-algorithms` crate.

use audio_codec_algorithms::{decode_alaw, decode_ulaw, encode_alaw, encode_ulaw};

/// Which law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    /// A-law (`K_PT_G711A` = 19).
    A,
    /// µ-law (`K_PT_G711U` = 20).
    U,
}

impl Law {
    /// From the firmware's payload type: 19 A-law, 20 µ-law.
    pub fn from_payload(pt: i64) -> Option<Self> {
        match pt {
            19 => Some(Self::A),
            20 => Some(Self::U),
            _ => None,
        }
    }
}

/// Little-endian 16-bit PCM to G.711 bytes (a trailing odd byte is ignored).
pub fn encode(law: Law, pcm: &[u8]) -> Vec<u8> {
    pcm.chunks_exact(2)
        .map(|s| {
            let v = i16::from_le_bytes([s[0], s[1]]);
            match law {
                Law::A => encode_alaw(v),
                Law::U => encode_ulaw(v),
            }
        })
        .collect()
}

/// G.711 bytes to little-endian 16-bit PCM.
pub fn decode(law: Law, coded: &[u8]) -> Vec<u8> {
    coded
        .iter()
        .flat_map(|&b| {
            match law {
                Law::A => decode_alaw(b),
                Law::U => decode_ulaw(b),
            }
            .to_le_bytes()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_keeps_the_signal_within_the_laws_step() {
        let pcm: Vec<u8> = (0..800)
            .map(|i| ((f64::from(i) * 0.05).sin() * 12_000.0) as i16)
            .flat_map(i16::to_le_bytes)
            .collect();
        for law in [Law::A, Law::U] {
            let coded = encode(law, &pcm);
            assert_eq!(coded.len(), pcm.len() / 2);
            let back = decode(law, &coded);
            for (a, b) in pcm.chunks_exact(2).zip(back.chunks_exact(2)) {
                let (a, b) = (
                    i32::from(i16::from_le_bytes([a[0], a[1]])),
                    i32::from(i16::from_le_bytes([b[0], b[1]])),
                );
                // Companding keeps about 13 bits: the error grows with the level.
                assert!((a - b).abs() <= a.abs() / 16 + 16, "{law:?} {a} {b}");
            }
        }
    }

    #[test]
    fn silence_codes_as_the_laws_zero() {
        assert_eq!(encode(Law::U, &[0, 0]), [0xFF]);
        assert_eq!(encode(Law::A, &[0, 0]), [0xD5]);
        assert_eq!(Law::from_payload(19), Some(Law::A));
        assert_eq!(Law::from_payload(21), None);
    }
}
