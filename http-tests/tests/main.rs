//! One integration binary (short link times); each module covers one capability.

mod organizations_scope;
