//! Ids are stored as text; one that does not parse means the data is corrupt.

use uuid::Uuid;

use crate::error::StoreError;

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(s).map_err(|_| StoreError::Corrupt(format!("bad id `{s}`")))
}
