//! What the portal's mails say. Each function returns a mail for the outbox; the
//! change that causes it queues it in its own transaction. Only the activation
//! mails carry a token (inside their link), and nothing else ever does.

use chrono::{DateTime, Utc};
use domain::{OrgKind, RoleSet};
use persistence::{MailKind, OutgoingMail};

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// How to accept an activation link without a browser.
fn how_to_accept(link: &str) -> String {
    format!(
        "Open the link to see what it is for. To accept it, send your name and your work\n\
         e-mail address to the same link, for example:\n\n\
         curl -X POST '{link}' \\\n  -H 'Content-Type: application/json' \\\n  \
         -d '{{\"name\": \"Your Name\", \"email\": \"you@yourcompany.example\"}}'\n"
    )
}

fn becomes(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Customer => "its first master admin in the customer portal",
        _ => "its first administrator in the partner portal",
    }
}

/// The activation link of a pending organisation, sent (or re-sent) by an admin.
pub fn activation_link(
    to: &str,
    organization: &str,
    kind: OrgKind,
    link: &str,
    expires_at: DateTime<Utc>,
) -> OutgoingMail {
    OutgoingMail {
        recipient: to.to_string(),
        subject: format!("Activate {organization} on the partner portal"),
        body_text: format!(
            "Hello,\n\n\
             {organization} ({kind}) is ready to be activated on the partner portal.\n\
             Whoever accepts this link becomes {becomes}:\n\n\
             {link}\n\n\
             {how}\n\
             The link works once and expires on {expires}. A newer link replaces this one.\n\
             If you did not expect this mail, you can ignore it.\n",
            kind = kind.as_str(),
            becomes = becomes(kind),
            how = how_to_accept(link),
            expires = when(expires_at),
        ),
        kind: MailKind::ActivationLink,
    }
}

/// A new operator was added to an organisation; `set_password` is their
/// single-use link to choose a password.
pub fn operator_invitation(
    to: &str,
    name: &str,
    organization: &str,
    roles: &RoleSet,
    portal: &str,
    set_password: &str,
    expires_at: DateTime<Utc>,
) -> OutgoingMail {
    let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    OutgoingMail {
        recipient: to.to_string(),
        subject: format!("You have been added to {organization} on the partner portal"),
        body_text: format!(
            "Hello {name},\n\n\
             You have been added as an operator of {organization} on the partner portal\n\
             ({portal}) with the roles: {roles}.\n\n\
             Sign in with your work account ({to}), or choose a password with this link\n\
             (it works once and expires on {expires}):\n\n\
             {set_password}\n\n\
             {how}\n\
             Your account becomes active at your first sign-in.\n",
            roles = roles.join(", "),
            how = how_to_set_password(set_password),
            expires = when(expires_at),
        ),
        kind: MailKind::OperatorInvitation,
    }
}

/// How to set a password with a link without a browser.
fn how_to_set_password(link: &str) -> String {
    format!(
        "To choose your password (12 characters or more), send it to the link:\n\n\
         curl -X POST '{link}' \\\n  -H 'Content-Type: application/json' \\\n  \
         -d '{{\"password\": \"your long passphrase\"}}'\n"
    )
}

/// A password-reset link, asked for at `/v1/password-resets`.
pub fn password_reset(to: &str, name: &str, portal: &str, link: &str, expires_at: DateTime<Utc>) -> OutgoingMail {
    OutgoingMail {
        recipient: to.to_string(),
        subject: format!("Reset your password for the {portal}"),
        body_text: format!(
            "Hello {name},\n\n\
             Someone (hopefully you) asked to reset the password of {to} on the {portal}.\n\
             This link sets a new one:\n\n\
             {link}\n\n\
             {how}\n\
             The link works once and expires on {expires}. If you did not ask for it,\n\
             ignore this mail: your password stays as it is.\n",
            how = how_to_set_password(link),
            expires = when(expires_at),
        ),
        kind: MailKind::PasswordReset,
    }
}

/// A customer user's "activate your account" mail: they choose a password.
pub fn customer_user_invitation(
    to: &str,
    name: &str,
    customer: &str,
    link: &str,
    expires_at: DateTime<Utc>,
) -> OutgoingMail {
    OutgoingMail {
        recipient: to.to_string(),
        subject: format!("Activate your account for {customer} on the customer portal"),
        body_text: format!(
            "Hello {name},\n\n\
             An account was created for you ({to}) in the customer portal of {customer}.\n\
             Activate it by choosing a password with this link:\n\n\
             {link}\n\n\
             {how}\n\
             The link works once and expires on {expires}.\n",
            how = how_to_set_password(link),
            expires = when(expires_at),
        ),
        kind: MailKind::CustomerUserInvitation,
    }
}

/// An application was approved: the new partner's activation link.
pub fn application_approved(
    to: &str,
    contact: &str,
    company: &str,
    programme: &str,
    link: &str,
    expires_at: DateTime<Utc>,
) -> OutgoingMail {
    OutgoingMail {
        recipient: to.to_string(),
        subject: format!("Welcome to the {programme} partner programme"),
        body_text: format!(
            "Hello {contact},\n\n\
             Your application for {company} to join the partner programme of {programme}\n\
             was approved. Activate {company} with this link; whoever accepts it becomes\n\
             its first administrator in the partner portal:\n\n\
             {link}\n\n\
             {how}\n\
             The link works once and expires on {expires}.\n",
            how = how_to_accept(link),
            expires = when(expires_at),
        ),
        kind: MailKind::ApplicationApproved,
    }
}

/// An application was rejected, with the reason the admin gave.
pub fn application_rejected(to: &str, contact: &str, company: &str, programme: &str, reason: &str) -> OutgoingMail {
    OutgoingMail {
        recipient: to.to_string(),
        subject: format!("Your application to the {programme} partner programme"),
        body_text: format!(
            "Hello {contact},\n\n\
             Thank you for applying for {company} to join the partner programme of\n\
             {programme}. Your application was not accepted:\n\n\
             {reason}\n"
        ),
        kind: MailKind::ApplicationRejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activation_mail_carries_its_link_whole() {
        let link = "http://127.0.0.1:8080/v1/activations/abcDEF123_-";
        let mail = activation_link(
            "it@trey.example",
            "Trey Research",
            OrgKind::Customer,
            link,
            DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        );
        assert_eq!(mail.kind, MailKind::ActivationLink);
        assert!(mail.body_text.lines().any(|l| l == link), "{}", mail.body_text);
        assert!(mail.body_text.contains("master admin"));
        assert!(mail.subject.contains("Trey Research"));
    }

    #[test]
    fn decision_mails_carry_no_link_unless_approved() {
        let mail = application_rejected("a@b.example", "Ann", "Adatum", "Contoso", "Not in your region");
        assert!(mail.body_text.contains("Not in your region"));
        assert!(!mail.body_text.contains("http"));
        assert!(!mail.kind.carries_token());
    }
}
