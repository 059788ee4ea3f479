//! The set of failure modes: the embedded default file, user overrides, and matching a
//! network and layer to the models that apply.

use std::path::Path;

use powermap_model::{Analysis, Distribution, Layer, Window};

use crate::{parse, FailureMode, SecurityError};

/// The embedded default: `registry/security-models.toml` at build time.
pub const DEFAULT_MODELS: &str = include_str!("../../../registry/security-models.toml");

/// The file name errors and origins use for [`DEFAULT_MODELS`].
pub const DEFAULT_ORIGIN: &str = "registry/security-models.toml";

/// A set of cited failure modes, at most one per `(network, layer, failure_mode)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityModels {
    entries: Vec<FailureMode>,
}

impl SecurityModels {
    /// The models shipped with powermap ([`DEFAULT_MODELS`]).
    ///
    /// # Panics
    ///
    /// Never in a released build: the embedded file is parsed by this crate's tests.
    pub fn builtin() -> SecurityModels {
        SecurityModels::parse(DEFAULT_MODELS, DEFAULT_ORIGIN)
            .expect("the embedded registry/security-models.toml is valid (checked by tests)")
    }

    /// Parses a models file on its own (no defaults); `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<SecurityModels, SecurityError> {
        Ok(SecurityModels {
            entries: parse::parse(text, file)?,
        })
    }

    /// The built-in models with the user's file at `path` laid over them
    /// (see [`SecurityModels::overlay`]): its entries replace built-in entries with the same
    /// `(network, layer, failure_mode)` and add the rest.
    pub fn load(path: &Path) -> Result<SecurityModels, SecurityError> {
        let text = std::fs::read_to_string(path).map_err(|source| SecurityError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let user = SecurityModels::parse(&text, &path.display().to_string())?;
        let mut models = SecurityModels::builtin();
        models.overlay(user);
        Ok(models)
    }

    /// Lays `other` over `self`: an entry of `other` replaces the entry of `self` with the
    /// same `(network, layer, failure_mode)` in place, and is appended otherwise.
    pub fn overlay(&mut self, other: SecurityModels) {
        for fm in other.entries {
            match self
                .entries
                .iter_mut()
                .find(|e| e.network == fm.network && e.layer == fm.layer && e.id == fm.id)
            {
                Some(slot) => *slot = fm,
                None => self.entries.push(fm),
            }
        }
    }

    /// Every entry, in file order (overrides replace in place, additions at the end).
    pub fn entries(&self) -> &[FailureMode] {
        &self.entries
    }

    /// The failure modes that apply to `network` at `layer`, in file order.
    ///
    /// **Matching.** The network id is lowercased and tried from most to least specific by
    /// dropping `:`-separated suffixes: `ethereum:blockprint:consensus`, then
    /// `ethereum:blockprint`, then `ethereum`. The first of these that has *any* entry for
    /// `layer` supplies all the models for that layer; if none does, the `*` entries for
    /// `layer` apply. A network's own entries thus replace the defaults for a layer as a
    /// whole, not failure mode by failure mode: Bitcoin's consensus models do not inherit the
    /// BFT `halt_finality` default, which would be wrong for proof of work. Empty when
    /// nothing matches (e.g. the `wealth` layer, which has no default).
    pub fn models_for(&self, network: &str, layer: Layer) -> Vec<&FailureMode> {
        let network = network.to_ascii_lowercase();
        let mut candidate = network.as_str();
        loop {
            let found: Vec<&FailureMode> = self
                .entries
                .iter()
                .filter(|e| e.layer == layer && e.network == candidate)
                .collect();
            if !found.is_empty() {
                return found;
            }
            match candidate.rsplit_once(':') {
                Some((prefix, _)) => candidate = prefix,
                None => break,
            }
        }
        self.entries
            .iter()
            .filter(|e| e.layer == layer && e.network == "*")
            .collect()
    }

    /// `f` on window `index` of `analysis` (the latest when `None`); empty when there is no
    /// such window.
    pub(crate) fn in_window<T>(
        &self,
        analysis: &Analysis,
        index: Option<usize>,
        f: fn(&Self, &str, Layer, &Distribution, Option<&Window>) -> Vec<T>,
    ) -> Vec<T> {
        let w = match index {
            Some(i) => analysis.windows.get(i),
            None => analysis.windows.last(),
        };
        match w {
            Some(w) => f(
                self,
                &analysis.network,
                analysis.layer,
                &w.distribution,
                Some(&w.window),
            ),
            None => Vec::new(),
        }
    }
}
