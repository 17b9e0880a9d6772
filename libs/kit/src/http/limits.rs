//! Size limits of request bodies, with the setting that raises each one.

use actix_web::http::StatusCode;
use actix_web::web;

use super::Problem;

/// The largest request body a route accepts, in bytes, and the setting
/// that raises it.
///
/// [`serve`](super::serve) registers [`BodyLimit::JSON_SETTING`] for every
/// route. A service whose routes take larger uploads registers its own
/// limit with [`BodyLimit::register`], which replaces the default for the
/// `Bytes` and `String` extractors of that service, while JSON bodies keep
/// the `http.max_body_bytes` limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimit {
    pub bytes: usize,
    pub setting: &'static str,
}

impl BodyLimit {
    /// The setting of the JSON body limit, which also limits raw bodies
    /// unless a service registers its own [`BodyLimit`].
    pub const JSON_SETTING: &'static str = "http.max_body_bytes";

    pub fn new(bytes: usize, setting: &'static str) -> Self {
        BodyLimit { bytes, setting }
    }

    /// Registers the limit for the `Bytes` and `String` extractors of the
    /// routes in `config`, so that a larger body gets [`BodyLimit::problem`].
    pub fn register(self, config: &mut web::ServiceConfig) {
        config
            .app_data(web::PayloadConfig::new(self.bytes))
            .app_data(self);
    }

    /// The 413 response for a body over the limit, naming the limit and
    /// its setting.
    pub fn problem(&self) -> Problem {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!(
                "the request body is larger than the limit of {} bytes; send a smaller body \
                 or raise the `{}` setting",
                self.bytes, self.setting
            ),
        )
        .with("limit", self.bytes)
        .with("setting", self.setting)
    }
}
