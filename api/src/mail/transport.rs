//! Where mails go: an SMTP server (lettre; plain, STARTTLS or TLS as the URL says),
//! or `.eml` files in a folder (the default on a fresh machine). A delivery is
//! done when the server accepted the message, or the file is in place.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{Message, SmtpTransport, Transport as _};
use persistence::QueuedMail;

use crate::config::Config;

/// How long one SMTP exchange may take; the worker's lease is longer.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

pub enum Transport {
    Smtp { transport: SmtpTransport, server: String },
    Folder(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Transport {
    /// SMTP when `SMTP_URL` is set, otherwise files in `MAIL_DIR`.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => Self::smtp(url),
            None => Ok(Self::Folder(config.mail_dir.clone())),
        }
    }

    /// `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS), `smtps://…` (TLS),
    /// with optional `user:password@`.
    pub fn smtp(url: &str) -> anyhow::Result<Self> {
        let transport = SmtpTransport::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self::Smtp {
            transport,
            server: server_of(url),
        })
    }

    pub fn folder(dir: impl Into<PathBuf>) -> Self {
        Self::Folder(dir.into())
    }

    /// For logs: never the SMTP credentials.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { server, .. } => format!("SMTP server {server}"),
            Self::Folder(dir) => format!(".eml files in {}", dir.display()),
        }
    }

    /// Hands one mail over; `Err` says why it was not accepted.
    pub fn deliver(&self, from: &Mailbox, mail: &QueuedMail) -> Result<(), String> {
        let message = message(from, mail)?;
        match self {
            Self::Smtp { transport, .. } => transport.send(&message).map(|_| ()).map_err(|e| e.to_string()),
            Self::Folder(dir) => write_file(dir, mail, &message.formatted()).map_err(|e| e.to_string()),
        }
    }
}

/// `host:port` of an SMTP URL, without user or password.
fn server_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority.rsplit('@').next().unwrap_or_default().to_string()
}

fn message(from: &Mailbox, mail: &QueuedMail) -> Result<Message, String> {
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| format!("the recipient is not a mailbox: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@partner-portal.invalid>", mail.id)))
        .date(SystemTime::from(mail.created_at))
        .header(ContentType::TEXT_PLAIN)
        .body(body(&mail.body_text))
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// Plain 7-bit text when it is ASCII with lines of at most 998 octets (RFC 5322),
/// so a link stays whole in the raw mail; otherwise lettre's choice (quoted-printable
/// or base64), which wraps long lines.
fn body(text: &str) -> Body {
    let plain = text.is_ascii() && !text.contains(['\0', '\r']) && text.lines().all(|l| l.len() <= 998);
    if plain {
        Body::dangerous_pre_encoded(
            text.replace('\n', "\r\n").into_bytes(),
            ContentTransferEncoding::SevenBit,
        )
    } else {
        Body::new(text.to_string())
    }
}

/// Writes `{id}.eml` atomically (a temporary file renamed into place), so a
/// reader never sees half a mail and a re-delivery replaces the same file.
fn write_file(dir: &Path, mail: &QueuedMail, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.eml.tmp", mail.id));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, dir.join(format!("{}.eml", mail.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_bodies_keep_long_lines_whole() {
        let link = format!("https://portal.example/v1/activations/{}", "x".repeat(43));
        let b = body(&format!("Hello\n\n{link}\n"));
        assert_eq!(b.encoding(), ContentTransferEncoding::SevenBit);
        assert_eq!(b.as_ref(), format!("Hello\r\n\r\n{link}\r\n").as_bytes());
        assert_ne!(body("Caf\u{e9}\n").encoding(), ContentTransferEncoding::SevenBit);
    }

    #[test]
    fn the_server_is_named_without_credentials() {
        assert_eq!(server_of("smtp://127.0.0.1:2525"), "127.0.0.1:2525");
        assert_eq!(
            server_of("smtp://user:s3cret@mail.example:587?tls=required"),
            "mail.example:587"
        );
        assert_eq!(server_of("smtps://u:p@relay.example/ehlo"), "relay.example");
    }
}
