//! Background work of billing.

pub mod worker;
