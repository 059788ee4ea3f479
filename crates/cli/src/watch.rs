//! `powermap watch`: the long-running service (`crates/watch`). Config: `docs/watch.md`,
//! `examples/watch.toml`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use powermap_watch::{Config, Watch};

/// Arguments of `powermap watch`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  powermap watch --demo                        # built-in Bitcoin data, example policy, 127.0.0.1:9464
  powermap watch --config examples/watch.toml  # sources, store, policy, alerts from a file
  curl -s 127.0.0.1:9464/metrics               # Prometheus; the dashboard is at http://127.0.0.1:9464/

Stops cleanly on SIGINT (Ctrl-C) or SIGTERM. The config file is documented in docs/watch.md.")]
pub struct Args {
    /// The service config (TOML; see docs/watch.md and examples/watch.toml).
    #[arg(long, short, value_name = "FILE", required_unless_present = "demo")]
    config: Option<PathBuf>,

    /// Without a config: serve the built-in dataset with examples/bitcoin.toml (when found),
    /// in-memory alerts and no webhook.
    #[arg(long)]
    demo: bool,

    /// Listen address, overriding `[server] listen` (default 127.0.0.1:9464). Binding
    /// anything but loopback exposes the read API to the network.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// Log level: error, warn, info, debug, trace (logs are JSON lines on stderr).
    #[arg(long, default_value = "info")]
    log_level: tracing::Level,

    /// IP database snapshot for the sources that place node addresses (`solana_rpc`,
    /// `cometbft_rpc`) and have no `ipdb` of their own (default: the built-in one,
    /// data/ip-location-db/).
    #[arg(long, value_name = "FILE")]
    ipdb: Option<PathBuf>,
}

fn init_logging(level: tracing::Level) {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs `powermap watch`.
pub fn run(args: Args) -> Result<ExitCode> {
    init_logging(args.log_level);
    let mut cfg = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::demo(),
    };
    if let Some(db) = &args.ipdb {
        cfg.default_ipdb(db);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()?;
    runtime.block_on(async {
        let watch = Watch::bind(&cfg, args.listen).await?;
        println!("powermap watch: listening on http://{}", watch.local_addr());
        watch.run(shutdown_signal()).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
