//! How a handler reaches what it works on. Its signature names the record and
//! the action (`Guarded<actions::UpdateOrganization, Organization>`). The
//! extractor verifies the token (401) and reads `{id}`, without the database;
//! the handler then makes its request's one trip with [`Guarded::db`], which on
//! one connection loads the caller, loads the record (404 when absent or out of
//! scope, the same answer as a random id), checks the action against the
//! caller's roles (403), and only then hands the record to the handler's
//! closure, whose statements run on that same connection. A handler cannot get
//! the record without the check, nor forget to pass the action.
//!
//! The one operation that reaches its record through its body,
//! `POST /v1/organizations` (the parent is `parent_id`), takes the caller
//! ([`Authenticated`]) and authorises after resolving the parent, so that an
//! invisible parent is 404 whatever the caller's roles.

use std::future::{ready, Ready};
use std::marker::PhantomData;
use std::ops::Deref;

use actix_web::{FromRequest, HttpRequest};
use domain::{ActionPolicy, OrgKind, Principal, Scoped, TreePath};
use persistence::{
    ApiClient, Application, BillingRun, CustomerUser, Delivery, Invoice, Operator, Organization, ServiceInstance,
    Store, StoreError, Subscription, WebhookEndpoint,
};
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::state::AppState;

/// A record that can be reached by the `{id}` of a path.
pub trait Load: Scoped + Sized + Send + 'static {
    fn load(store: &Store, id: Uuid) -> Result<Option<Self>, StoreError>;
}

/// A verified caller and the `{id}` of a record of type `R` that it may reach
/// only with `A` allowed: [`Guarded::db`] checks both before handing it over.
pub struct Guarded<A, R> {
    caller: Authenticated,
    id: Option<Uuid>,
    guarded: PhantomData<fn() -> (A, R)>,
}

impl<A: ActionPolicy + 'static, R: Load> Guarded<A, R> {
    /// The request's one trip to the database: the check, then `f` with the
    /// caller and the record, all on one connection in one blocking call.
    pub async fn db<T, E, F>(self, state: &AppState, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Send + 'static,
        ApiError: From<E>,
        F: FnOnce(&Store, &Principal, R) -> Result<T, E> + Send + 'static,
    {
        state
            .db::<T, ApiError, _>(move |s| {
                let (principal, record) = self.check(s)?;
                Ok(f(s, &principal, record)?)
            })
            .await
    }

    /// The check alone, on the caller's connection, for work that keeps the
    /// connection after it (a CSV export streams from it).
    pub fn check(self, store: &Store) -> Result<(Principal, R), ApiError> {
        let principal = self.caller.principal(store)?;
        let record = match self.id {
            Some(id) => R::load(store, id)?,
            None => None,
        }
        .filter(|r| principal.can_see_record(r))
        .ok_or(ApiError::NotFound)?;
        principal.authorize(A::ACTION)?;
        Ok((principal, record))
    }
}

impl<A, R> FromRequest for Guarded<A, R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let id = req.match_info().get("id").and_then(|s| Uuid::parse_str(s).ok());
        ready(Authenticated::verify(req).map(|caller| Self {
            caller,
            id,
            guarded: PhantomData,
        }))
    }
}

/// An organisation of kind `customer` (`/v1/customers/{id}…`): any other kind is 404.
pub struct Customer(pub Organization);

impl Scoped for Customer {
    fn scope_path(&self) -> &TreePath {
        &self.0.path
    }
}

impl Deref for Customer {
    type Target = Organization;

    fn deref(&self) -> &Organization {
        &self.0
    }
}

impl Load for Customer {
    fn load(store: &Store, id: Uuid) -> Result<Option<Self>, StoreError> {
        Ok(store
            .organization(id)?
            .filter(|o| o.kind == OrgKind::Customer)
            .map(Customer))
    }
}

/// Each scoped record and the store call that finds it by id.
macro_rules! loaders {
    ($($record:ty => $find:ident,)+) => {
        $(
            impl Load for $record {
                fn load(store: &Store, id: Uuid) -> Result<Option<Self>, StoreError> {
                    store.$find(id)
                }
            }
        )+
    };
}

loaders! {
    Organization => organization,
    Operator => operator,
    ApiClient => api_client,
    Application => application,
    CustomerUser => customer_user,
    Subscription => subscription,
    Invoice => invoice,
    BillingRun => billing_run,
    ServiceInstance => service_instance,
    WebhookEndpoint => webhook_endpoint,
    Delivery => webhook_delivery,
}
