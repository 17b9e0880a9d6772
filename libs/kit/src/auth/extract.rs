use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::{AuthError, Authenticator, Principal};
use crate::http::Problem;

impl FromRequest for Principal {
    type Error = Problem;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, Problem>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The access check of the route stores the principal it verified.
        if let Some(principal) = request.extensions().get::<Principal>().cloned() {
            return Box::pin(async move { Ok(principal) });
        }
        let authenticator = request.app_data::<web::Data<Authenticator>>().cloned();
        let token = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(|token| token.trim().to_owned());

        Box::pin(async move {
            let Some(authenticator) = authenticator else {
                tracing::error!("no Authenticator registered as app data");
                return Err(Problem::internal());
            };
            let token = token.ok_or_else(|| Problem::unauthorized(&AuthError::Missing))?;
            authenticator.authenticate(&token).await.map_err(|error| {
                if let AuthError::Keys(detail) = &error {
                    tracing::warn!(%detail, "issuer keys unavailable");
                }
                Problem::unauthorized(&error)
            })
        })
    }
}
