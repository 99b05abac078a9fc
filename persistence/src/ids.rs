//! Ids are stored as text; one that does not parse means the data is corrupt.

use uuid::Uuid;

use crate::error::StoreError;

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(s).map_err(|_| StoreError::Corrupt(format!("bad id `{s}`")))
}

/// The smallest UUIDv7 made at `at`, as stored: v7 ids begin with their
/// creation time in milliseconds, so `id < v7_floor(t)` selects the rows made
/// before `t` through the primary key, without an index on a time column.
pub(crate) fn v7_floor(at: chrono::DateTime<chrono::Utc>) -> String {
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0) & 0xffff_ffff_ffff;
    format!("{:08x}-{:04x}", ms >> 16, ms & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v7_floor_sorts_between_ids_made_before_and_after() {
        let before = Uuid::now_v7().to_string();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let floor = v7_floor(chrono::Utc::now());
        std::thread::sleep(std::time::Duration::from_millis(2));
        let after = Uuid::now_v7().to_string();
        assert!(before < floor && floor < after, "{before} < {floor} < {after}");
    }
}
