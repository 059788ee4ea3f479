//! The dashboard in headless Chromium: served on 127.0.0.1:0 with the built-in data, the page
//! loads, fetches the API, draws its charts, lists shares, alerts and sources, and logs no
//! console errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use powermap_serve::{ServeConfig, Service};

use crate::util::builtin_snapshot;

/// The browser, if installed (`.ci/run` installs Debian's `chromium` and sets
/// `POWERMAP_REQUIRE_BROWSER=1`, so CI cannot skip this).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("POWERMAP_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("POWERMAP_REQUIRE_BROWSER").is_none(),
            "POWERMAP_REQUIRE_BROWSER is set but no chromium was found"
        );
        eprintln!("skipping the browser check: chromium is not installed");
    }
    found
}

/// Runs headless Chromium on `url`; `(stdout, stderr)`, killed after 90 s.
fn run_chromium(browser: &Path, profile: &Path, url: &str, extra: &[&str]) -> (String, String) {
    let (out, err) = (profile.with_extension("out"), profile.with_extension("err"));
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err).unwrap()))
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (read(&out), read(&err))
}

fn console_problems(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || l.contains("Failed to load resource")
                || l.contains("net::ERR_")
        })
        .collect()
}

#[test]
fn dashboard_renders_in_headless_chromium() {
    let Some(browser) = chromium() else { return };
    // The server runs on its own runtime thread while the browser is driven from here.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let service = Service::with_snapshot(powermap_serve::Snapshot::default());
    let addr = rt.block_on(async {
        // Alerts firing from the example policy, so the alerts table has rows.
        service.update(builtin_snapshot()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cfg = ServeConfig {
            rate_limit: None,
            ..ServeConfig::default()
        };
        tokio::spawn(powermap_serve::serve(
            listener,
            service.clone(),
            cfg,
            std::future::pending(),
        ));
        addr
    });
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/");
    let (dom, log) = run_chromium(&browser, &dir.path().join("profile"), &url, &["--dump-dom"]);
    assert!(console_problems(&log).is_empty(), "{log}");
    assert!(
        dom.contains("<h1>powermap watch</h1>"),
        "page did not load: {dom}"
    );
    assert!(
        dom.contains("updated "),
        "the refresh did not finish: {dom}"
    );
    let charts = dom.matches("<svg class=\"chart\"").count();
    assert_eq!(charts, 7, "charts in the DOM");
    assert!(
        dom.matches("class=\"series\"").count() == 7,
        "every chart has a line"
    );
    assert!(dom.contains("class=\"threshold\""), "threshold lines drawn");
    assert!(dom.contains("<h2>bitcoin / consensus</h2>"));
    assert!(dom.contains("Foundry USA"), "shares listed");
    assert!(dom.contains("majority-needs-four-owners"), "alerts listed");
    assert!(dom.contains("<tr class=\"source\">"), "sources listed");

    let shot = dir.path().join("dashboard.png");
    let (_, log) = run_chromium(
        &browser,
        &dir.path().join("profile2"),
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,2400",
            "--hide-scrollbars",
        ],
    );
    assert!(console_problems(&log).is_empty(), "{log}");
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 20_000,
        "screenshot is nearly empty"
    );
    if let Ok(keep) = std::env::var("POWERMAP_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    rt.shutdown_timeout(Duration::from_secs(2));
}
