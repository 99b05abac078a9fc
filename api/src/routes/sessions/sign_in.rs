//! `POST /v1/sessions`: e-mail and password (and a code) for a bearer token.
//!
//! Two trips to the database with the Argon2 check between them, so no pooled
//! connection waits on hashing: the first reads the throttle counts and the
//! accounts the e-mail names, the second records the outcome (a failure, or
//! the sign-in and the code's time step, refused if that step was used).

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use domain::codes;
use domain::credentials::{is_fresh_step, issue_time, sign_in_outcome, SecondFactor, SignInOutcome, THROTTLE_WINDOW};
use persistence::{Operator, SignInCandidate};

use super::view::{Session, SignIn};
use super::{client_address, off_workers, refuse_if_throttled};
use crate::auth::{sign_in_token, verify_password, TOTP_ENROLMENT_SCOPE};
use crate::error::ApiError;
use crate::extract::StrictJson;
use crate::problems::Problems;
use crate::state::AppState;

/// What the password and code checks decided.
enum Verdict {
    /// Counted as a failure; the operator the e-mail names, if any, for the audit log.
    Failed(Option<Operator>),
    CodeRequired,
    Signed {
        operator: Operator,
        totp_step: Option<i64>,
        enrolment_only: bool,
    },
}

/// Checks the password against every account the e-mail names (one, usually;
/// a dummy hash when none has a password) and then the second factor.
fn check(
    state: &AppState,
    candidates: Vec<SignInCandidate>,
    password: &str,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Verdict, ApiError> {
    let mut matched = None;
    let with_password: Vec<&SignInCandidate> = candidates
        .iter()
        .filter(|c| c.secrets.password_hash.is_some())
        .collect();
    if with_password.is_empty() {
        verify_password(password, None)?;
    }
    for c in with_password {
        if verify_password(password, c.secrets.password_hash.as_deref())? {
            matched = Some(c);
            break;
        }
    }
    let Some(c) = matched.filter(|c| c.operator.may_sign_in()) else {
        return Ok(Verdict::Failed(candidates.into_iter().next().map(|c| c.operator)));
    };
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let mut step = None;
    if let (Some(code), Some(sealed), true) = (code, &c.secrets.totp_secret, c.secrets.totp_confirmed) {
        step = state
            .totp
            .open(c.operator.id, sealed)?
            .step_of(code, now)
            .filter(|s| is_fresh_step(*s, c.secrets.totp_last_step));
    }
    let outcome = sign_in_outcome(SecondFactor {
        enrolled: c.secrets.totp_confirmed,
        required: c.totp_required,
        code_given: code.is_some(),
        code_valid: step.is_some(),
    });
    Ok(match outcome {
        SignInOutcome::CodeRequired => Verdict::CodeRequired,
        SignInOutcome::Refused => Verdict::Failed(Some(c.operator.clone())),
        SignInOutcome::Signed | SignInOutcome::EnrolmentOnly => Verdict::Signed {
            operator: c.operator.clone(),
            totp_step: step,
            enrolment_only: outcome == SignInOutcome::EnrolmentOnly,
        },
    })
}

/// Sign in
///
/// Public. Exchanges an operator's e-mail and password (and, for accounts with
/// a second factor, the authenticator's current code in `totp_code`) for a
/// bearer token like the ones `partner-portal token` mints. Unknown e-mails,
/// wrong passwords or codes, replayed codes and disabled accounts all get the
/// same 401 `invalid_credentials`. After 5 failures within 15 minutes for one
/// e-mail (or 20 from one client address), every try is 429 with `Retry-After`
/// for 15 minutes after the last failure, even with the right password. A right
/// password without the code of an enrolled second factor is 401
/// `totp_required`. Below an organisation that requires a second factor, an
/// operator without one gets a token with `scope: totp_enrolment` that reaches
/// only `/v1/me` and `/v1/me/totp…`.
#[utoipa::path(
    tag = "Sign-in",
    operation_id = "signIn",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in", body = Session),
        Problems<(codes::InvalidCredentials, codes::TotpRequired, codes::RateLimited)>,
    ),
    security(())
)]
#[post("/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: StrictJson<SignIn>,
) -> Result<HttpResponse, ApiError> {
    let email = body.0.email()?;
    let SignIn {
        password, totp_code, ..
    } = body.0;
    let address = client_address(&req);
    let now = state.clock.now();
    let lookup = {
        let (email, address) = (email.clone(), address.clone());
        state
            .db(move |s| s.sign_in_lookup(&email, &address, now - THROTTLE_WINDOW))
            .await?
    };
    refuse_if_throttled(lookup.by_email, lookup.by_address, now)?;
    let checker = state.clone();
    let verdict = off_workers(move || check(&checker, lookup.candidates, &password, totp_code.as_deref(), now)).await?;
    let failures_before = lookup.by_email.failures;
    let (operator, totp_step, enrolment_only) = match verdict {
        Verdict::CodeRequired => return Err(ApiError::TotpRequired),
        Verdict::Failed(known) => {
            state
                .db(move |s| s.sign_in_failed(&email, &address, now, failures_before, known.as_ref()))
                .await?;
            return Err(ApiError::InvalidCredentials);
        }
        Verdict::Signed {
            operator,
            totp_step,
            enrolment_only,
        } => (operator, totp_step, enrolment_only),
    };
    let issued_at = issue_time(Utc::now(), operator.credentials_changed_at);
    let recorded = {
        let operator = operator.clone();
        state
            .db(move |s| -> Result<bool, ApiError> {
                if s.signed_in(&operator, issued_at, totp_step)? {
                    return Ok(true);
                }
                s.sign_in_failed(&email, &address, now, failures_before, Some(&operator))?;
                Ok(false)
            })
            .await?
    };
    if !recorded {
        return Err(ApiError::InvalidCredentials);
    }
    let ttl = state.config.access_token_ttl_secs;
    let token = sign_in_token(
        &state.keys,
        &state.config.issuer(),
        operator.id,
        issued_at,
        ttl,
        enrolment_only,
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Session {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: ttl,
            scope: enrolment_only.then(|| TOTP_ENROLMENT_SCOPE.to_string()),
        }))
}
