//! Integration tests of the serving half: alerts against a local webhook receiver, the API
//! against `docs/openapi.json`, `/metrics` against the Grafana dashboard, and the dashboard
//! in headless Chromium.

mod alerts;
mod api;
mod dashboard;
mod metrics;
mod util;
