//! `POST /oauth/token`: the OAuth2 client-credentials grant (RFC 6749 §4.4).

mod token;

pub use token::issue_token;
