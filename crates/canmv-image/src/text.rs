//! `draw_string_advanced`: outline-font text as the firmware's FreeType wrapper draws it
//! (display facts §5.3: `freetype_wrap.c`): pixel size `char_size`, the baseline at
//! `y + char_size`, `\n` a new line `char_size` lower, kerning between pairs, and every glyph
//! pixel with non-zero coverage set to the full colour (no anti-aliasing blend).

use crate::ImageError;
use crate::pixel::Canvas;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// A loaded font face.
#[derive(Debug, Clone)]
pub struct Font {
    face: Arc<fontdue::Font>,
}

/// Faces already read, by file and face index: a script draws text every frame.
static LOADED: Mutex<Option<HashMap<(PathBuf, u32), Font>>> = Mutex::new(None);

impl Font {
    /// Face `index` of the TrueType/OpenType file (or collection) at `path`, read once per
    /// process.
    pub fn open(path: &Path, index: u32) -> Result<Self, ImageError> {
        let key = (path.to_path_buf(), index);
        let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
        let cache = loaded.get_or_insert_with(HashMap::new);
        if let Some(font) = cache.get(&key) {
            return Ok(font.clone());
        }
        let bytes = std::fs::read(path).map_err(|e| ImageError::Font {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        let font = Self::from_bytes(&bytes, index).map_err(|why| ImageError::Font {
            path: path.to_path_buf(),
            why,
        })?;
        cache.insert(key, font.clone());
        Ok(font)
    }

    /// Face `index` of a font file's bytes.
    pub fn from_bytes(bytes: &[u8], index: u32) -> Result<Self, String> {
        let settings = fontdue::FontSettings {
            collection_index: index,
            ..fontdue::FontSettings::default()
        };
        let face = fontdue::Font::from_bytes(bytes, settings).map_err(str::to_string)?;
        Ok(Self {
            face: Arc::new(face),
        })
    }

    /// Whether the face has a glyph for `c`.
    pub fn has_glyph(&self, c: char) -> bool {
        self.face.lookup_glyph_index(c) != 0
    }
}

/// The family that stands in for the firmware's `SourceHanSansSC-Normal-Min.ttf`: Noto Sans
/// CJK is the same design (Adobe and Google's joint Source Han / Noto CJK), in Debian's
/// `fonts-noto-cjk`.
pub const STAND_IN_FAMILY: &str = "Noto Sans CJK SC";

/// The file and face index fontconfig (`fc-match`) picks for `family`, if it finds that family
/// itself (not a fallback of another name).
pub fn system_font(family: &str) -> Option<(PathBuf, u32)> {
    let out = std::process::Command::new("fc-match")
        .args(["-f", "%{family}\t%{file}\t%{index}", family])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut parts = text.split('\t');
    let (families, file, index) = (parts.next()?, parts.next()?, parts.next()?);
    families
        .split(',')
        .any(|f| f.eq_ignore_ascii_case(family))
        .then(|| (PathBuf::from(file), index.trim().parse().unwrap_or(0)))
}

impl Canvas<'_> {
    /// `draw_string_advanced(x, y, char_size, text, color)`.
    pub fn text(&mut self, font: &Font, x: i32, y: i32, char_size: u32, text: &str, v: u32) {
        if !self.format().drawable() || char_size == 0 {
            return;
        }
        let px = char_size as f32;
        let mut baseline = y + char_size as i32;
        let mut pen = x as f32;
        let mut prev: Option<char> = None;
        for c in text.chars() {
            if c == '\n' {
                baseline += char_size as i32;
                pen = x as f32;
                prev = None;
                continue;
            }
            if let Some(p) = prev {
                pen += font.face.horizontal_kern(p, c, px).unwrap_or(0.0);
            }
            let (m, coverage) = font.face.rasterize(c, px);
            let left = pen.round() as i32 + m.xmin;
            let top = baseline - (m.ymin + m.height as i32);
            for row in 0..m.height {
                for col in 0..m.width {
                    if coverage[row * m.width + col] != 0 {
                        self.put(left + col as i32, top + row as i32, v);
                    }
                }
            }
            pen += m.advance_width;
            prev = Some(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PixFormat;

    fn stand_in() -> Font {
        let (path, index) = system_font(STAND_IN_FAMILY)
            .expect("Noto Sans CJK SC (Debian fonts-noto-cjk, installed by .ci/run)");
        Font::open(&path, index).expect("font")
    }

    #[test]
    fn latin_and_chinese_are_drawn_unblended_under_the_baseline_rule() {
        let font = stand_in();
        assert!(font.has_glyph('你') && font.has_glyph('A'));
        let (w, h) = (200u32, 80u32);
        let mut data = vec![0u8; (w * h) as usize];
        let mut c = Canvas::new(w, h, PixFormat::Grayscale, &mut data).expect("raw");
        c.text(&font, 10, 10, 32, "Ag你好", 200);
        let lit: Vec<(u32, u32)> = (0..w * h)
            .filter(|&i| data[i as usize] != 0)
            .map(|i| (i % w, i / w))
            .collect();
        assert!(data.iter().all(|&b| b == 0 || b == 200), "no blending");
        // Cap height above the baseline (y + 32 = 42), the g's descender below it.
        let top = lit.iter().map(|p| p.1).min().expect("lit");
        let bottom = lit.iter().map(|p| p.1).max().expect("lit");
        assert!((12..=20).contains(&top), "top {top}");
        assert!((43..=52).contains(&bottom), "bottom {bottom}");
        // Both Chinese glyphs ink their own cells right of the Latin ones.
        let cjk = lit.iter().filter(|p| p.0 > 60).count();
        assert!(cjk > 150, "{cjk} CJK pixels");
        // A new line is char_size lower.
        let mut two = vec![0u8; (w * h) as usize];
        let mut c = Canvas::new(w, h, PixFormat::Grayscale, &mut two).expect("raw");
        c.text(&font, 10, 0, 16, "A\nA", 255);
        let rows: Vec<u32> = (0..w * h)
            .filter(|&i| two[i as usize] != 0)
            .map(|i| i / w)
            .collect();
        let (first, last) = (rows[0], rows[rows.len() - 1]);
        assert!((last - first) >= 16 + 8, "{first}..{last}");
    }

    #[test]
    fn a_missing_font_file_is_an_error_naming_it() {
        let e = Font::open(Path::new("/nonexistent/font.ttf"), 0).expect_err("missing");
        assert!(e.to_string().contains("/nonexistent/font.ttf"), "{e}");
        assert!(Font::from_bytes(b"not a font", 0).is_err());
    }
}
