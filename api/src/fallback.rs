//! Requests no route takes: 405 with `Allow` when the path exists with other
//! methods, 404 otherwise. The route table is read from the OpenAPI document, so
//! it always matches what is registered.

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// Path templates (`/v1/organizations/{id}`) and the methods each serves.
pub struct RouteTable(Vec<(Vec<String>, Vec<Method>)>);

impl RouteTable {
    pub fn from_spec(api: &OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    (item.get.is_some(), Method::GET),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                    (item.head.is_some(), Method::HEAD),
                ]
                .into_iter()
                .filter_map(|(present, m)| present.then_some(m))
                .collect();
                (segments(path).map(str::to_owned).collect(), methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods served at `path`, if any route template matches it.
    fn allowed(&self, path: &str) -> Option<&[Method]> {
        let wanted: Vec<&str> = segments(path).collect();
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == wanted.len()
                    && template
                        .iter()
                        .zip(&wanted)
                        .all(|(t, w)| t == w || (t.starts_with('{') && !w.is_empty()))
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    match routes.allowed(req.path()) {
        Some(methods) if !methods.contains(req.method()) => Err(ApiError::MethodNotAllowed {
            allow: methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", "),
        }),
        _ => Err(ApiError::NotFound),
    }
}
