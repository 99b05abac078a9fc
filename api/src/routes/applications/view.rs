//! JSON shapes of partner-programme applications.

use chrono::{DateTime, Utc};
use domain::onboarding::{ApplicationMessage, RejectionReason};
use domain::{parse_all, ApplicationStatus, Country, DisplayName, WorkEmail};
use persistence::{Application, NewApplication};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// Apply to an organisation's partner programme.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "company_name": "Adatum IT",
    "contact_name": "Ann Lee",
    "email": "ann@adatum.example",
    "country": "NZ",
    "message": "We look after 40 small businesses in Wellington."
}))]
pub struct ApplyToProgramme {
    /// The company that wants to become a partner.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub company_name: String,
    /// The person applying.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub contact_name: String,
    /// A work address; consumer mail domains are refused. One pending application per e-mail and programme.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// ISO 3166-1 alpha-2 country code.
    #[schema(pattern = "^[A-Z]{2}$", example = "NZ")]
    pub country: String,
    /// Up to 2,000 characters; line breaks allowed.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
    )]
    pub message: String,
}

impl ApplyToProgramme {
    pub fn parse(&self, programme: Uuid) -> Result<NewApplication, ApiError> {
        let (company_name, contact_name, email, country, message) = parse_all((
            DisplayName::parse(&self.company_name).map_err(|e| e.at("company_name")),
            DisplayName::parse(&self.contact_name).map_err(|e| e.at("contact_name")),
            WorkEmail::parse(&self.email, "email"),
            Country::parse(&self.country),
            ApplicationMessage::parse(&self.message),
        ))?;
        Ok(NewApplication {
            programme_org_id: programme,
            company_name,
            contact_name,
            email,
            country,
            message,
        })
    }
}

/// An application as its applicant sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "status": "pending",
    "created_at": "2026-11-23T18:00:00Z"
}))]
pub struct SubmittedApplication {
    pub id: Uuid,
    pub status: ApplicationStatus,
    pub created_at: DateTime<Utc>,
}

/// An application to a partner programme.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c",
    "programme_organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c",
    "company_name": "Adatum IT",
    "contact_name": "Ann Lee",
    "email": "ann@adatum.example",
    "country": "NZ",
    "message": "We look after 40 small businesses in Wellington.",
    "status": "approved",
    "reason": null,
    "partner_id": "0192f0c4-7b20-7c3e-9d52-6b1f7e0a1b2c",
    "created_at": "2026-11-23T18:00:00Z",
    "decided_at": "2026-11-24T09:00:00Z",
    "decided_by": "0192f0c4-7900-7c3e-9d52-6b1f7e0a1b2c"
}))]
pub struct ApplicationView {
    pub id: Uuid,
    /// The organisation whose programme it applies to.
    pub programme_organization_id: Uuid,
    pub company_name: String,
    pub contact_name: String,
    pub email: String,
    pub country: String,
    pub message: String,
    pub status: ApplicationStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The `pending` partner an approval created.
    pub partner_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided: an operator or API client id.
    pub decided_by: Option<String>,
}

impl From<Application> for ApplicationView {
    fn from(a: Application) -> Self {
        Self {
            id: a.id,
            programme_organization_id: a.programme_org_id,
            company_name: a.company_name,
            contact_name: a.contact_name,
            email: a.email,
            country: a.country,
            message: a.message,
            status: a.status,
            reason: a.reason,
            partner_id: a.partner_id,
            created_at: a.created_at,
            decided_at: a.decided_at,
            decided_by: a.decided_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationView>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Reject an application; the applicant is mailed the reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "We take partners in Australia only for now."}))]
pub struct RejectApplication {
    /// 1–1,000 characters, not blank, no control characters.
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reason: String,
}

impl RejectApplication {
    pub fn parse(&self) -> Result<RejectionReason, ApiError> {
        Ok(RejectionReason::parse(&self.reason)?)
    }
}
