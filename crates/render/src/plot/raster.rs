//! Turning the bitmap backend's RGB buffer into a PNG.

use crate::Result;

/// Box-filters an RGB image of `w × h` down by `factor` in each direction.
pub(crate) fn downsample(rgb: &[u8], w: u32, h: u32, factor: u32) -> Vec<u8> {
    let (w, h, f) = (w as usize, h as usize, factor as usize);
    let (ow, oh) = (w / f, h / f);
    let mut out = vec![0u8; ow * oh * 3];
    let n = (f * f) as u32;
    for oy in 0..oh {
        for ox in 0..ow {
            let mut acc = [0u32; 3];
            for dy in 0..f {
                let row = (oy * f + dy) * w;
                for dx in 0..f {
                    let p = (row + ox * f + dx) * 3;
                    for c in 0..3 {
                        acc[c] += rgb[p + c] as u32;
                    }
                }
            }
            let o = (oy * ow + ox) * 3;
            for c in 0..3 {
                out[o + c] = ((acc[c] + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// Encodes 8-bit RGB pixels as a PNG.
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsample_averages_blocks() {
        // 2×2 image: black, white / white, white → one pixel of 191.
        let img = [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255];
        assert_eq!(downsample(&img, 2, 2, 2), vec![191, 191, 191]);
        let png = encode_png(&[1, 2, 3], 1, 1).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
