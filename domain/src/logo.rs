//! Brand logos: PNG or JPEG only (SVG can carry script), at most 256 KiB and
//! 2048×2048. The bytes must really be the declared type: the magic bytes
//! decide the type and the header's dimensions are read without decoding
//! pixels, so a huge or lying file is refused before it is stored.

use sha2::{Digest, Sha256};

use crate::error::FieldError;

/// The image types a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoType {
    Png,
    Jpeg,
}

impl LogoType {
    /// The type a `Content-Type` declares; `None` for anything else (SVG included).
    pub fn from_mime(essence: &str) -> Option<Self> {
        match essence {
            "image/png" => Some(Self::Png),
            "image/jpeg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// A logo whose bytes were checked against its declared type and limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub content_type: LogoType,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Hex SHA-256 of the bytes: the strong ETag it is served with.
    pub digest: String,
}

impl Logo {
    /// Largest accepted file.
    pub const MAX_BYTES: usize = 256 * 1024;
    /// Largest accepted width and height.
    pub const MAX_SIDE: usize = 2048;

    /// Checks `bytes` sent as `declared`: size, magic bytes, then the dimensions
    /// in the image's header. Errors name the field `logo`.
    pub fn parse(declared: LogoType, bytes: Vec<u8>) -> Result<Self, FieldError> {
        let refuse = |code, message: String| FieldError::new("logo", code, message);
        if bytes.len() > Self::MAX_BYTES {
            return Err(refuse(
                "too_large",
                format!("a logo has at most {} KiB", Self::MAX_BYTES / 1024),
            ));
        }
        let actual = match imagesize::image_type(&bytes) {
            Ok(imagesize::ImageType::Png) => Some(LogoType::Png),
            Ok(imagesize::ImageType::Jpeg) => Some(LogoType::Jpeg),
            _ => None,
        };
        if actual != Some(declared) {
            return Err(refuse(
                "type_mismatch",
                format!("the bytes are not a {} image", declared.mime()),
            ));
        }
        let size =
            imagesize::blob_size(&bytes).map_err(|_| refuse("unreadable", "the image header cannot be read".into()))?;
        if size.width == 0 || size.height == 0 || size.width > Self::MAX_SIDE || size.height > Self::MAX_SIDE {
            return Err(refuse(
                "dimensions",
                format!(
                    "the image is {}×{}; a logo is at most {max}×{max}",
                    size.width,
                    size.height,
                    max = Self::MAX_SIDE
                ),
            ));
        }
        let digest = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            content_type: declared,
            width: u32::try_from(size.width).unwrap_or(u32::MAX),
            height: u32::try_from(size.height).unwrap_or(u32::MAX),
            bytes,
            digest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signature and IHDR of a PNG of `w`×`h` (enough for the header checks).
    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    /// A JPEG start with a baseline frame header of `w`×`h`.
    fn jpeg(w: u16, h: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn a_png_and_a_jpeg_within_limits_pass() {
        let logo = Logo::parse(LogoType::Png, png(200, 80)).unwrap();
        assert_eq!((logo.width, logo.height), (200, 80));
        assert_eq!(logo.digest.len(), 64);
        let logo = Logo::parse(LogoType::Jpeg, jpeg(2048, 2048)).unwrap();
        assert_eq!((logo.width, logo.height), (2048, 2048));
    }

    #[test]
    fn the_bytes_must_be_the_declared_type() {
        let e = Logo::parse(LogoType::Jpeg, png(10, 10)).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("logo", "type_mismatch"));
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x</script></svg>".to_vec();
        assert_eq!(Logo::parse(LogoType::Png, svg).unwrap_err().code, "type_mismatch");
        assert_eq!(LogoType::from_mime("image/svg+xml"), None);
    }

    #[test]
    fn dimensions_and_size_are_bounded() {
        assert_eq!(
            Logo::parse(LogoType::Png, png(1, 100_000)).unwrap_err().code,
            "dimensions"
        );
        assert_eq!(Logo::parse(LogoType::Png, png(2049, 1)).unwrap_err().code, "dimensions");
        let mut big = png(10, 10);
        big.resize(Logo::MAX_BYTES + 1, 0);
        assert_eq!(Logo::parse(LogoType::Png, big).unwrap_err().code, "too_large");
    }
}
