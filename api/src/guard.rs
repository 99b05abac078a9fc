//! How a handler reaches what it works on. Its signature names the record and
//! the action (`Guarded<actions::UpdateOrganization, Organization>`), and the
//! extractor does the rest before the handler runs: a verified caller (401), the
//! `{id}` of the path loaded (404), in the caller's scope (404, the same answer
//! as a random id), and the action allowed to the caller's roles (403). A
//! handler cannot get the record without the check, nor forget to pass the action.
//!
//! The one operation that reaches its record through its body,
//! `POST /v1/organizations` (the parent is `parent_id`), takes the caller and
//! authorises after resolving the parent, so that an invisible parent is 404
//! whatever the caller's roles.

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest};
use domain::{ActionPolicy, OrgKind, Principal, Scoped, TreePath};
use persistence::{
    ApiClient, Application, BillingRun, CustomerUser, Delivery, Invoice, Operator, Organization, ServiceInstance,
    Store, StoreError, Subscription, WebhookEndpoint,
};
use uuid::Uuid;

use crate::auth::{load_principal, Caller};
use crate::error::ApiError;

/// A record that can be reached by the `{id}` of a path.
pub trait Load: Scoped + Sized + Send + 'static {
    fn load(store: &Store, id: Uuid) -> Result<Option<Self>, StoreError>;
}

/// The record with id `{id}`, in the caller's scope, with `A` allowed.
pub struct Guarded<A, R> {
    pub principal: Principal,
    pub record: R,
    action: PhantomData<A>,
}

impl<A, R> Guarded<A, R> {
    pub fn into_record(self) -> R {
        self.record
    }
}

impl<A, R> Deref for Guarded<A, R> {
    type Target = R;

    fn deref(&self) -> &R {
        &self.record
    }
}

impl<A: ActionPolicy + 'static, R: Load> FromRequest for Guarded<A, R> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let caller = Caller::from_request(req);
        let id = req.match_info().get("id").and_then(|s| Uuid::parse_str(s).ok());
        Box::pin(async move {
            let (state, verified) = caller?;
            // One trip to the blocking pool for the caller and the record.
            let (loaded, record) = state
                .db(move |s| {
                    let loaded = load_principal(s, verified)?;
                    let record = match id {
                        Some(id) => R::load(s, id)?,
                        None => None,
                    };
                    Ok((loaded, record))
                })
                .await?;
            let principal = loaded.into_principal()?;
            let record = record
                .filter(|r| principal.can_see_record(r))
                .ok_or(ApiError::NotFound)?;
            principal.authorize(A::ACTION)?;
            Ok(Self {
                principal,
                record,
                action: PhantomData,
            })
        })
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
