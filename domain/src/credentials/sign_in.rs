//! What a sign-in with the right password yields, given the second factor.

/// The account's second factor and what the request brought for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondFactor {
    /// A confirmed TOTP enrolment.
    pub enrolled: bool,
    /// An organisation on the way to the root requires a second factor.
    pub required: bool,
    /// A code came with the request.
    pub code_given: bool,
    /// That code is right and fresh (only meaningful with `code_given`).
    pub code_valid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    /// A full access token.
    Signed,
    /// A token that reaches only `/v1/me` and second-factor enrolment.
    EnrolmentOnly,
    /// The password is right; ask for the code (it reveals nothing the caller
    /// did not prove by knowing the password).
    CodeRequired,
    /// A wrong or replayed code: a failure like a wrong password.
    Refused,
}

/// The outcome of a sign-in whose password was right.
pub fn sign_in_outcome(f: SecondFactor) -> SignInOutcome {
    match (f.enrolled, f.code_given, f.code_valid) {
        (true, false, _) => SignInOutcome::CodeRequired,
        (true, true, false) => SignInOutcome::Refused,
        (true, true, true) => SignInOutcome::Signed,
        (false, _, _) if f.required => SignInOutcome::EnrolmentOnly,
        (false, _, _) => SignInOutcome::Signed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(enrolled: bool, required: bool, code_given: bool, code_valid: bool) -> SecondFactor {
        SecondFactor {
            enrolled,
            required,
            code_given,
            code_valid,
        }
    }

    #[test]
    fn an_enrolled_account_needs_a_valid_code() {
        assert_eq!(
            sign_in_outcome(f(true, false, false, false)),
            SignInOutcome::CodeRequired
        );
        assert_eq!(sign_in_outcome(f(true, true, true, false)), SignInOutcome::Refused);
        assert_eq!(sign_in_outcome(f(true, true, true, true)), SignInOutcome::Signed);
    }

    #[test]
    fn a_required_second_factor_without_enrolment_restricts_the_token() {
        assert_eq!(
            sign_in_outcome(f(false, true, false, false)),
            SignInOutcome::EnrolmentOnly
        );
        assert_eq!(sign_in_outcome(f(false, false, false, false)), SignInOutcome::Signed);
        assert_eq!(sign_in_outcome(f(false, false, true, false)), SignInOutcome::Signed);
    }
}
