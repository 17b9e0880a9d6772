//! HTTP routes under `/v1`.

pub mod access;
mod feasibility;
mod runs;

use actix_web::web;
use hap_kit::auth::access::Method::{Get, Post};
use hap_kit::auth::access::register as route;

pub fn configure(config: &mut web::ServiceConfig) {
    let table = access::TABLE;
    route(config, table, Get, "/v1/runs", runs::list);
    route(config, table, Post, "/v1/feasibility", feasibility::count);
}
