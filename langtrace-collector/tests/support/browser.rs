//! A headless Chromium (Debian's `chromium`) driven through its `chromedriver` with
//! fantoccini, for the UI tests and the UI benchmark.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long a page may take to show its data before a test fails.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// `chromedriver` and a headless Chromium session; both stop when dropped.
pub struct Browser {
    driver: Child,
    client: Option<Client>,
}

impl Browser {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed");
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next().expect("chromedriver exited before it started").unwrap();
            if line.contains("started successfully") {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1440,900"],
            },
        });
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Self { driver, client: Some(client) }
    }

    pub fn client(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    /// Opens `url` (a UI route) and waits until the page says it has its data.
    pub async fn open(&self, url: &str, ready: &str) {
        self.client().goto(url).await.unwrap();
        self.ready(ready).await;
    }

    pub async fn ready(&self, ready: &str) {
        let waited = self
            .client()
            .wait()
            .at_most(PAGE_TIMEOUT)
            .for_element(Locator::Css(&format!("body[data-ready='{ready}']")))
            .await;
        if let Err(error) = waited {
            self.screenshot(&format!("not-ready-{ready}")).await;
            let url = self.client().current_url().await.map(|u| u.to_string()).unwrap_or_default();
            let body = self.text("body").await;
            panic!("page {ready} never became ready ({error}) at {url}; it shows:\n{body}");
        }
    }

    /// From now on, records the page's errors (uncaught exceptions, rejected promises,
    /// `console.error` calls) for [`Browser::errors`]. Kept while the page is not
    /// reloaded: navigate with [`Browser::go`].
    pub async fn watch_errors(&self) {
        let script = "window.__errors = [];
            window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
            window.addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason)));
            const original = console.error;
            console.error = (...args) => { window.__errors.push(args.map(String).join(' ')); original.apply(console, args); };";
        self.client().execute(script, vec![]).await.unwrap();
    }

    /// The errors recorded since [`Browser::watch_errors`].
    pub async fn errors(&self) -> Vec<String> {
        let errors = self.client().execute("return window.__errors", vec![]).await.unwrap();
        serde_json::from_value(errors).expect("errors are watched")
    }

    /// Goes to the UI route `hash` (`#/traces/...`) without reloading the page, and waits
    /// until the page says it has its data.
    pub async fn go(&self, hash: &str, ready: &str) {
        let script = "delete document.body.dataset.ready; location.hash = arguments[0];";
        self.client().execute(script, vec![json!(hash)]).await.unwrap();
        self.ready(ready).await;
    }

    /// Clicks the element `css` finds.
    pub async fn click(&self, css: &str) {
        let element = self.client().find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client().find_all(Locator::Css(css)).await.unwrap().len()
    }

    /// Waits (up to [`PAGE_TIMEOUT`]) until `css` matches `expected` elements; the count.
    pub async fn count_settles(&self, css: &str, expected: usize) -> usize {
        let deadline = std::time::Instant::now() + PAGE_TIMEOUT;
        loop {
            let count = self.count(css).await;
            if count == expected || std::time::Instant::now() > deadline {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.client().find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
    }

    /// Saves a screenshot of the page as `<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client().screenshot().await.unwrap();
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Signs in to the UI at `base_url` with a key pair and lands on the traces page.
    pub async fn sign_in(&self, base_url: &str, public_key: &str, secret_key: &str) {
        self.client().goto(&format!("{base_url}/")).await.unwrap();
        self.client()
            .wait()
            .at_most(PAGE_TIMEOUT)
            .for_element(Locator::Css("form#signin"))
            .await
            .expect("the sign-in form");
        self.screenshot("sign-in").await;
        let form = self.client().form(Locator::Css("form#signin")).await.unwrap();
        form.set_by_name("publicKey", public_key).await.unwrap();
        form.set_by_name("secretKey", secret_key).await.unwrap();
        form.submit().await.unwrap();
        self.ready("traces").await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            close_session(client);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Ends the WebDriver session (which quits Chromium) from a synchronous `Drop`, on the
/// test's multi-threaded runtime.
fn close_session(client: Client) {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        let _ = tokio::task::block_in_place(|| handle.block_on(client.close()));
    }
}
