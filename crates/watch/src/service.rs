//! Running the service: bind the API, then run cycles until shut down, publishing each
//! snapshot (alerts, webhook) as it is built.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use powermap_serve::{AlertEngine, AlertStore, MemoryAlertStore, ServeConfig, Service};
use tokio::net::TcpListener;

use crate::alerts::StoreAlerts;
use crate::config::{Config, Plan};
use crate::cycle::Watcher;
use crate::{Result, WatchError};

/// A service bound to its address, ready to [`run`](Watch::run).
pub struct Watch {
    plan: Plan,
    service: Service,
    serve_config: ServeConfig,
    listener: TcpListener,
    addr: SocketAddr,
}

impl Watch {
    /// Checks `cfg`, opens the store and the followers, sets up alerts and the webhook, and
    /// binds `listen` (else `[server] listen`, else 127.0.0.1:9464).
    pub async fn bind(cfg: &Config, listen: Option<SocketAddr>) -> Result<Watch> {
        let plan = cfg.plan()?;
        let listen = listen
            .or(cfg.server.listen)
            .unwrap_or(powermap_serve::DEFAULT_LISTEN);
        let serve_config = cfg.serve_config()?;
        let alert_store: Arc<dyn AlertStore> = match plan.store() {
            Some(s) => Arc::new(StoreAlerts(s.clone())),
            None => Arc::new(MemoryAlertStore::default()),
        };
        let engine = AlertEngine::new(cfg.alert_config()?, alert_store)?;
        let webhook = cfg.webhook()?;
        let listener = powermap_serve::bind(listen)
            .await
            .map_err(|source| WatchError::Io {
                what: format!("binding {listen}"),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| WatchError::Io {
            what: "reading the bound address".into(),
            source,
        })?;
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "listening beyond loopback: the read API is reachable from the network");
        }
        let external = cfg
            .server
            .external_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        tracing::info!(%addr, admin = cfg.has_admin(), "listening");
        Ok(Watch {
            plan,
            service: Service::new(engine, webhook, &external),
            serve_config,
            listener,
            addr,
        })
    }

    /// The address the API listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves the API and runs a cycle every interval (sooner when a followed source is due,
    /// at once when an admin asks for a reload) until `shutdown` resolves; then finishes
    /// in-flight requests.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let Watch {
            plan,
            service,
            serve_config,
            listener,
            ..
        } = self;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut server_stop = stop_rx.clone();
        let server = tokio::spawn(powermap_serve::serve(
            listener,
            service.clone(),
            serve_config,
            async move {
                let _ = server_stop.wait_for(|s| *s).await;
            },
        ));
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("shutting down");
            let _ = stop_tx.send(true);
        });
        let interval = plan.interval();
        let watcher = Arc::new(Mutex::new(Watcher::new(plan)));
        let mut stop = stop_rx;
        loop {
            let w = watcher.clone();
            let started = Instant::now();
            let snap = tokio::task::spawn_blocking(move || {
                w.lock().unwrap_or_else(|e| e.into_inner()).cycle()
            })
            .await
            .map_err(WatchError::Task)?;
            match snap {
                Ok((snap, windows)) => {
                    let n = snap.analyses.len();
                    let outcome = service.update(snap).await;
                    tracing::info!(
                        analyses = n,
                        windows_recomputed = windows.recomputed,
                        windows_reused = windows.reused,
                        firing = outcome.firing,
                        notified = outcome.notified,
                        delivery_error = outcome.delivery_error.as_deref().unwrap_or(""),
                        millis = started.elapsed().as_millis() as u64,
                        "cycle"
                    );
                }
                Err(e) => tracing::error!(error = %chain(&e), "cycle failed"),
            }
            // Sleep the cycle interval, or less when a followed source is due sooner (a source
            // still catching up is polled again at once, batch after batch).
            let next = watcher.lock().unwrap_or_else(|e| e.into_inner()).next_due();
            let wait = next.map_or(interval, |t| {
                t.saturating_duration_since(Instant::now())
                    .clamp(Duration::from_millis(50), interval)
            });
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = service.reload_requested() => tracing::info!("reload requested"),
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        server
            .await
            .map_err(WatchError::Task)?
            .map_err(|source| WatchError::Io {
                what: "serving".into(),
                source,
            })?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// An error and its causes, `a: b: c`, as the log line of a failed cycle.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
