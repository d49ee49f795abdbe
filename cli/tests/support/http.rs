//! A local HTTP server standing in for Telegram and webhook endpoints: records every request
//! and answers from a script (the last answer repeats).

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

/// A scripted answer: status, an extra header, body.
pub(crate) type Answer = (u16, Option<(&'static str, &'static str)>, String);

/// One recorded request.
#[derive(Debug, Clone)]
#[allow(dead_code, reason = "not every test file reads every field")]
pub(crate) struct Recorded {
    /// Method.
    pub(crate) method: String,
    /// Path and query.
    pub(crate) path: String,
    /// Content-Type header.
    pub(crate) content_type: Option<String>,
    /// Body.
    pub(crate) body: String,
    /// When it arrived.
    pub(crate) at: Instant,
}

impl Recorded {
    /// The body as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("request body is JSON")
    }
}

/// A running server.
pub(crate) struct Server {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    inner: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server answering with `script`: (status, extra header, body) per request.
    pub(crate) fn start(script: Vec<Answer>) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (srv, rec) = (server.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            for (n, mut req) in srv.incoming_requests().enumerate() {
                let mut body = String::new();
                let _ = req.as_reader().read_to_string(&mut body);
                let content_type = req
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("Content-Type"))
                    .map(|h| h.value.to_string());
                rec.lock().unwrap().push(Recorded {
                    method: req.method().to_string(),
                    path: req.url().to_owned(),
                    content_type,
                    body,
                    at: Instant::now(),
                });
                let (status, header, body) = script[n.min(script.len() - 1)].clone();
                let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
                if let Some((k, v)) = header {
                    resp.add_header(tiny_http::Header::from_bytes(k, v).unwrap());
                }
                let _ = req.respond(resp);
            }
        });
        Server {
            url: format!("http://127.0.0.1:{port}"),
            requests,
            inner: server,
            thread: Some(thread),
        }
    }

    /// Requests so far.
    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.inner.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Telegram's success answer.
pub(crate) fn telegram_ok() -> Answer {
    (
        200,
        None,
        r#"{"ok":true,"result":{"message_id":1}}"#.to_owned(),
    )
}
