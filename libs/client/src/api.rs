use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Base URLs of the five services, such as `http://127.0.0.1:8081`.
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub applications: String,
    pub consent: String,
    pub linkage: String,
    pub anonymization: String,
    pub delivery: String,
}

impl Endpoints {
    /// Returns the services on one host at consecutive ports, starting with applications.
    pub fn local(first_port: u16) -> Self {
        let url = |offset: u16| format!("http://127.0.0.1:{}", first_port + offset);
        Endpoints {
            applications: url(0),
            consent: url(1),
            linkage: url(2),
            anonymization: url(3),
            delivery: url(4),
        }
    }

    pub fn all(&self) -> [(&'static str, &str); 5] {
        [
            ("applications", &self.applications),
            ("consent", &self.consent),
            ("linkage", &self.linkage),
            ("anonymization", &self.anonymization),
            ("delivery", &self.delivery),
        ]
    }
}

/// A failed call: the method, URL, status and the problem document's detail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{method} {url} failed: {source}")]
    Transport {
        method: Method,
        url: String,
        source: reqwest::Error,
    },
    #[error("{method} {url} returned {status}: {body}")]
    Status {
        method: Method,
        url: String,
        status: StatusCode,
        body: String,
    },
    #[error("{0}")]
    Scenario(String),
}

/// Calls one service with one bearer token.
#[derive(Clone)]
pub struct ServiceClient {
    http: reqwest::Client,
    base: String,
    token: String,
    /// Headers sent with every request, such as `traceparent`.
    headers: Vec<(String, String)>,
}

impl ServiceClient {
    pub fn new(base: &str, token: &str) -> Self {
        ServiceClient {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap_or_default(),
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            headers: Vec::new(),
        }
    }

    /// Sends `name: value` with every request of this client.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method, url).bearer_auth(&self.token);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.send(Method::GET, path, None::<&()>, &[]).await
    }

    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ApiError> {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    /// Sends a request with a JSON body and extra headers, and decodes the JSON response.
    pub async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        headers: &[(&str, &str)],
    ) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.request(method.clone(), &url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|source| ApiError::Transport {
            method: method.clone(),
            url: url.clone(),
            source,
        })?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(ApiError::Status {
                method,
                url,
                status,
                body,
            });
        }
        response.json().await.map_err(|source| ApiError::Transport {
            method,
            url,
            source,
        })
    }

    /// Posts a raw body with a content type, such as a CSV import.
    pub async fn post_bytes(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Value, ApiError> {
        let url = format!("{}{path}", self.base);
        let response = self
            .request(Method::POST, &url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .map_err(|source| ApiError::Transport {
                method: Method::POST,
                url: url.clone(),
                source,
            })?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(ApiError::Status {
                method: Method::POST,
                url,
                status,
                body,
            });
        }
        response.json().await.map_err(|source| ApiError::Transport {
            method: Method::POST,
            url,
            source,
        })
    }

    /// Downloads a file, optionally from a byte offset (a range request).
    pub async fn download(
        &self,
        path: &str,
        from: Option<u64>,
    ) -> Result<(StatusCode, Vec<u8>), ApiError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.request(Method::GET, &url);
        if let Some(from) = from {
            request = request.header("range", format!("bytes={from}-"));
        }
        let transport = |source| ApiError::Transport {
            method: Method::GET,
            url: url.clone(),
            source,
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        Ok((status, bytes.to_vec()))
    }
}
