//! A webhook receiver in the test process: a plain HTTP/1.1 listener on
//! 127.0.0.1 that records every request and answers the statuses a test
//! scripts (200 once the script runs out).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use domain::WebhookSecret;
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
    pub json: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or_default()
    }

    /// The `webhook-signature` entries.
    pub fn signatures(&self) -> Vec<&str> {
        self.header("webhook-signature")
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Whether one of the signatures is `secret`'s over id, timestamp and body
    /// (the Standard Webhooks check a receiver makes).
    pub fn verifies(&self, secret: &str) -> bool {
        let Ok(secret) = WebhookSecret::parse(secret) else {
            return false;
        };
        let Ok(timestamp) = self.header("webhook-timestamp").parse::<i64>() else {
            return false;
        };
        let expected = secret.sign(self.header("webhook-id"), timestamp, self.body.as_bytes());
        self.signatures().contains(&expected.as_str())
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let url = format!("http://{}/hooks", listener.local_addr().expect("address"));
        let receiver = Self {
            url,
            received: Arc::default(),
            script: Arc::default(),
        };
        let r = receiver.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let r = r.clone();
                std::thread::spawn(move || r.handle(stream));
            }
        });
        receiver
    }

    /// The next answers, in order (then 200).
    pub fn answer(&self, statuses: &[u16]) {
        self.script.lock().expect("script").extend(statuses);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("received").clone()
    }

    fn handle(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream);
        let mut headers = HashMap::new();
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        let json = serde_json::from_str(&body).unwrap_or(Value::Null);
        let status = self.script.lock().expect("script").pop_front().unwrap_or(200);
        self.received
            .lock()
            .expect("received")
            .push(Received { headers, body, json });
        let mut stream = reader.into_inner();
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
        );
    }
}
