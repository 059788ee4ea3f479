//! `powermap report`: files written, self-contained HTML, and the page rendered in headless
//! Chromium (loads, charts drawn, no console errors), with a screenshot check.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{powermap, repo, text};

fn write_report(network: &str, dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let o = powermap(
        &[
            "report",
            network,
            "--data",
            &repo().display().to_string(),
            "--out",
            &out.display().to_string(),
        ],
        dir,
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    for ext in ["html", "md", "json"] {
        let p = out.join(format!("{network}.{ext}"));
        assert!(stdout.contains(&p.display().to_string()), "{stdout}");
        assert!(p.exists());
    }
    out
}

#[test]
fn writes_html_markdown_json_and_chart_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = write_report("solana", dir.path());
    let md = std::fs::read_to_string(out.join("solana.md")).unwrap();
    assert!(md.starts_with("# Balance of power: Solana"));
    assert!(md.contains("JitoLabs (70.6 %) alone crosses halt_finality"));
    for l in ["stake", "clients", "asn", "countries", "code"] {
        assert!(out.join(format!("solana-{l}-1.svg")).exists(), "{l}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("solana.json")).unwrap()).unwrap();
    assert_eq!(json["network"], "solana");
    assert!(json["crosslayer"]["rows"].as_array().unwrap().len() >= 10);
}

#[test]
fn unknown_network_and_missing_data_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = powermap(&["report", "dogecoin"], dir.path());
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr.contains("no built-in report for `dogecoin`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bitcoin, ethereum, solana, sui, uniswap"),
        "{stderr}"
    );
    // Run away from the repository: the data folder is not found, and nothing is written.
    let o = powermap(&["report", "solana", "--out", "r"], dir.path());
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr.contains("layer `stake`"), "{stderr}");
    assert!(stderr.contains("--data DIR"), "{stderr}");
    assert!(!dir.path().join("r/solana.html").exists());
}

#[test]
fn markdown_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo().display().to_string();
    let o = powermap(
        &[
            "report", "bitcoin", "--data", &data, "--format", "md", "--out", "-",
        ],
        dir.path(),
    );
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("| Blocks by mining-pool owner | 2026-04-22 |"),
        "{stdout}"
    );
    assert!(stdout.contains("Foundry USA (30.9 %) alone crosses selfish_mining"));
}

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

/// Runs headless Chromium on `page` with `extra` flags; `(stdout, stderr)`, killed after 90 s.
fn run_chromium(browser: &Path, profile: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    // Output goes to files: a full pipe would block the browser while we wait for it.
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
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
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

/// Console messages and failed loads in Chromium's log (a self-contained page has none).
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
fn renders_in_headless_chromium() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (network, charts) in [("solana", 5), ("ethereum", 15), ("bitcoin", 7)] {
        let out = write_report(network, dir.path());
        let page = out.join(format!("{network}.html")).canonicalize().unwrap();
        let profile = dir.path().join(format!("profile-{network}"));

        let (dom, log) = run_chromium(&browser, &profile, &page, &["--dump-dom"]);
        assert!(console_problems(&log).is_empty(), "{network}: {log}");
        assert!(
            dom.contains("<h1>Balance of power:"),
            "{network}: page did not load"
        );
        assert_eq!(
            dom.matches("<svg").count(),
            charts,
            "{network}: charts in the DOM"
        );
        assert!(dom.contains("id=\"scorecard\""));

        let shot = dir.path().join(format!("{network}.png"));
        let (_, log) = run_chromium(
            &browser,
            &profile,
            &page,
            &[
                &format!("--screenshot={}", shot.display()),
                "--window-size=1280,9000",
                "--hide-scrollbars",
            ],
        );
        assert!(console_problems(&log).is_empty(), "{network}: {log}");
        let (ink, colour) = pixels(&shot);
        // Text everywhere, and the charts' coloured bars, areas and lines.
        assert!(ink > 100_000, "{network}: only {ink} non-background pixels");
        assert!(
            colour > 40_000,
            "{network}: only {colour} coloured pixels: charts did not draw"
        );
    }
}

/// `(non-background pixels, strongly coloured pixels)` of a PNG screenshot.
fn pixels(path: &Path) -> (usize, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let (mut ink, mut colour) = (0, 0);
    for px in buf[..info.buffer_size()].chunks(channels) {
        let (r, g, b) = (px[0] as i32, px[1] as i32, px[2] as i32);
        if r.min(g).min(b) < 235 {
            ink += 1;
        }
        if r.max(g).max(b) - r.min(g).min(b) > 60 {
            colour += 1;
        }
    }
    (ink, colour)
}
