//! Small PNG images drawn in code: a bar chart, so each set of values gives a distinct
//! picture (and a distinct media id).

use std::io::Write;

/// Width and height of the images, in pixels.
const SIZE: usize = 64;
const BACKGROUND: [u8; 3] = [248, 250, 252];
const AXIS: [u8; 3] = [100, 116, 139];

/// A `SIZE`x`SIZE` RGB bar chart of `values` (each 0-100), in `color`, encoded as PNG.
pub(crate) fn bar_chart(values: &[u8], color: [u8; 3]) -> Vec<u8> {
    let bars = values.len().max(1);
    let slot = (SIZE - 8) / bars;
    let mut pixels = vec![BACKGROUND; SIZE * SIZE];
    for (i, value) in values.iter().enumerate() {
        let height = usize::from((*value).min(100)) * (SIZE - 10) / 100;
        let left = 6 + i * slot + 1;
        for y in (SIZE - 4 - height)..(SIZE - 4) {
            for x in left..(left + slot.saturating_sub(2)).min(SIZE) {
                pixels[y * SIZE + x] = color;
            }
        }
    }
    for i in 4..SIZE - 3 {
        pixels[(SIZE - 4) * SIZE + i] = AXIS; // x axis
        pixels[i * SIZE + 5] = AXIS; // y axis
    }
    encode(&pixels)
}

/// PNG bytes of `SIZE`x`SIZE` RGB pixels (8 bits per channel, no filtering).
fn encode(pixels: &[[u8; 3]]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(SIZE * (SIZE * 3 + 1));
    for row in pixels.chunks(SIZE) {
        raw.push(0); // filter: none
        raw.extend(row.iter().flatten());
    }
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    zlib.write_all(&raw).expect("writing to memory");
    let compressed = zlib.finish().expect("writing to memory");

    let mut header = Vec::with_capacity(13);
    header.extend((SIZE as u32).to_be_bytes());
    header.extend((SIZE as u32).to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // bit depth 8, RGB, deflate, no filter, no interlace

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &compressed);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// Appends one chunk: length, type, data, CRC-32 of type and data.
fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend((data.len() as u32).to_be_bytes());
    png.extend(kind);
    png.extend(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    png.extend(crc.sum().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_a_well_formed_png() {
        let png = bar_chart(&[20, 80, 50], [37, 99, 235]);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), SIZE as u32);
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]));
        assert_ne!(png, bar_chart(&[20, 80, 70], [37, 99, 235]));
    }
}
