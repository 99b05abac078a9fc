//! What branding answers look like: an organisation's own brand, the brand in
//! force (and where it came from), and the public brand of a sign-in page.

use chrono::{DateTime, Utc};
use persistence::Brand;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The brand used where no organisation on the path has one.
const DEFAULT_DISPLAY_NAME: &str = "Partner Portal";
const DEFAULT_PRIMARY_COLOR: &str = "#1F4E79";
const DEFAULT_ACCENT_COLOR: &str = "#F2A900";

/// An organisation's own brand.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"organization_id": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c", "display_name": "Fabrikam Cloud", "primary_color": "#1F4E79", "accent_color": "#F2A900", "support_email": "help@fabrikam.example", "support_url": "https://help.fabrikam.example", "portal_domain": "portal.fabrikam.example", "logo_url": "/v1/organizations/0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c/branding/logo", "updated_at": "2026-12-03T10:00:00Z"}))]
pub struct BrandView {
    pub organization_id: Uuid,
    pub display_name: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    /// The host name its sign-in page is served on (unique across the tree).
    pub portal_domain: Option<String>,
    /// Where its logo is served; null without a logo.
    pub logo_url: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<Brand> for BrandView {
    fn from(b: Brand) -> Self {
        Self {
            organization_id: b.organization_id,
            logo_url: b
                .logo_digest
                .as_ref()
                .map(|_| format!("/v1/organizations/{}/branding/logo", b.organization_id)),
            display_name: b.display_name,
            primary_color: b.primary_color,
            accent_color: b.accent_color,
            support_email: b.support_email,
            support_url: b.support_url,
            portal_domain: b.portal_domain,
            updated_at: b.updated_at,
        }
    }
}

/// Set a brand (replaces it whole; absent optional fields become null).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Fabrikam Cloud", "primary_color": "#1F4E79", "accent_color": "#F2A900", "support_email": "help@fabrikam.example", "support_url": "https://help.fabrikam.example", "portal_domain": "portal.fabrikam.example"}))]
pub struct PutBrand {
    pub display_name: String,
    /// `#RRGGBB`.
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    pub primary_color: Option<String>,
    /// `#RRGGBB`.
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$")]
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    /// An `https` URL.
    pub support_url: Option<String>,
    /// A lowercase host name, unique across the tree.
    pub portal_domain: Option<String>,
}

/// Where the brand in force comes from.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BrandSource {
    /// The organisation's own brand.
    Own,
    /// The nearest ancestor's brand (`inherited_from`).
    Inherited,
    /// No organisation on the path has a brand: the built-in default.
    Default,
}

/// The brand in force for an organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"display_name": "Fabrikam Cloud", "primary_color": "#1F4E79", "accent_color": "#F2A900", "support_email": "help@fabrikam.example", "support_url": "https://help.fabrikam.example", "portal_domain": "portal.fabrikam.example", "logo_url": "/v1/organizations/0192f0c4-7a10-7c3e-9d52-6b1f7e0a1b2c/branding/effective/logo", "source": "inherited", "inherited_from": "0192f0c4-79ff-7a91-8c11-0d2e3f4a5b6c"}))]
pub struct EffectiveBrandView {
    pub display_name: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    pub portal_domain: Option<String>,
    /// Where the brand's logo is served for this organisation; null without one.
    pub logo_url: Option<String>,
    pub source: BrandSource,
    /// The organisation whose brand this is, when inherited; null otherwise.
    pub inherited_from: Option<Uuid>,
}

impl EffectiveBrandView {
    /// The brand in force at `org`, found on its path (or none).
    pub fn new(org: Uuid, found: Option<Brand>) -> Self {
        let Some(b) = found else {
            return Self {
                display_name: DEFAULT_DISPLAY_NAME.into(),
                primary_color: Some(DEFAULT_PRIMARY_COLOR.into()),
                accent_color: Some(DEFAULT_ACCENT_COLOR.into()),
                support_email: None,
                support_url: None,
                portal_domain: None,
                logo_url: None,
                source: BrandSource::Default,
                inherited_from: None,
            };
        };
        let own = b.organization_id == org;
        Self {
            logo_url: b
                .logo_digest
                .as_ref()
                .map(|_| format!("/v1/organizations/{org}/branding/effective/logo")),
            source: if own { BrandSource::Own } else { BrandSource::Inherited },
            inherited_from: (!own).then_some(b.organization_id),
            display_name: b.display_name,
            primary_color: b.primary_color,
            accent_color: b.accent_color,
            support_email: b.support_email,
            support_url: b.support_url,
            portal_domain: b.portal_domain,
        }
    }
}

/// A brand as a public sign-in page shows it: no ids, no e-mail but support's.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"display_name": "Fabrikam Cloud", "primary_color": "#1F4E79", "accent_color": "#F2A900", "support_email": "help@fabrikam.example", "support_url": "https://help.fabrikam.example", "portal_domain": "portal.fabrikam.example", "logo_url": "/v1/brands/portal.fabrikam.example/logo"}))]
pub struct PublicBrandView {
    pub display_name: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    pub portal_domain: String,
    /// Where the logo is served (public); null without one.
    pub logo_url: Option<String>,
}

impl PublicBrandView {
    pub fn new(domain: String, b: Brand) -> Self {
        Self {
            logo_url: b.logo_digest.as_ref().map(|_| format!("/v1/brands/{domain}/logo")),
            portal_domain: domain,
            display_name: b.display_name,
            primary_color: b.primary_color,
            accent_color: b.accent_color,
            support_email: b.support_email,
            support_url: b.support_url,
        }
    }
}
