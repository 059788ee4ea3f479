//! Alerts kept in the durable store: current state in its alerts table, history in its
//! alert events (state changes are recorded by the store itself).

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Utc;
use powermap_serve::alerts::{Alert, AlertEvent, AlertStatus, AlertStore, Result};
use powermap_serve::ServeError;
use powermap_store::{AlertState, Store};

/// An [`AlertStore`] over the service's [`Store`].
pub struct StoreAlerts(pub Arc<Mutex<Store>>);

impl StoreAlerts {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl AlertStore for StoreAlerts {
    fn upsert(&self, a: &Alert) -> Result<()> {
        let stored = powermap_store::Alert {
            fingerprint: a.fingerprint.clone(),
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            state: match a.status {
                AlertStatus::Firing => AlertState::Firing,
                AlertStatus::Resolved => AlertState::Resolved,
            },
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            last_sent: a.last_notified,
            updated_at: Utc::now(),
        };
        self.store()
            .upsert_alert(&stored)
            .map_err(ServeError::store)?;
        Ok(())
    }

    fn record(&self, e: &AlertEvent) -> Result<()> {
        // `fired` and `resolved` are the store's own state-change events.
        if e.event != "fired" && e.event != "resolved" {
            self.store()
                .record_alert_event(&e.fingerprint, &e.event, &e.detail)
                .map_err(ServeError::store)?;
        }
        Ok(())
    }

    fn firing(&self) -> Result<Vec<Alert>> {
        Ok(self
            .store()
            .alerts(true)
            .map_err(ServeError::store)?
            .into_iter()
            .filter(|a| a.state == AlertState::Firing)
            .map(|a| Alert {
                fingerprint: a.fingerprint,
                status: AlertStatus::Firing,
                labels: a.labels,
                annotations: a.annotations,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                last_notified: a.last_sent,
                notifications: u32::from(a.last_sent.is_some()),
            })
            .collect())
    }

    fn history(&self, limit: usize) -> Result<Vec<AlertEvent>> {
        let mut store = self.store();
        let mut out = Vec::new();
        for a in store.alerts(false).map_err(ServeError::store)? {
            for e in store
                .alert_history(&a.fingerprint)
                .map_err(ServeError::store)?
            {
                let event = match e.kind.as_str() {
                    "firing" => "fired".to_string(),
                    other => other.to_string(),
                };
                out.push(AlertEvent {
                    at: e.at,
                    fingerprint: e.fingerprint,
                    event,
                    labels: a.labels.clone(),
                    detail: e.detail,
                });
            }
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        out.truncate(limit);
        Ok(out)
    }
}
