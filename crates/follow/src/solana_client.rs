//! Which Solana validator client a node runs, from what `getClusterNodes` reports.
//!
//! The rule, in order (documented in `docs/sources.md`):
//!
//! 1. **`clientId`** when the RPC node reports it (newer Agave releases add it to
//!    `RpcContactInfo`, anza-xyz/agave `rpc-client-types/src/response.rs`): the id of the Solana
//!    validator client registry (solana-foundation/solana-validator-client-ids), as Agave's
//!    `ClientId` enumerates it (`version/src/client_ids.rs`): 0 SolanaLabs, 1 JitoLabs,
//!    2 Frankendancer, 3 Agave, 4 AgavePaladin, 5 Firedancer, 6 AgaveBam, 7 Sig. The number or
//!    the name is accepted; an unlisted id is reported as `client id N`, unattributed.
//! 2. Else the **version** string (`version`, Agave's `Version` displayed as
//!    `major.minor.patch`): major `0` is **Frankendancer** (its releases are numbered
//!    `0.<release>.<agave version>`, e.g. `0.708.20306` tracks Agave 2.3.6). Any other major
//!    is an Agave-derived build — Agave, Jito-Solana, Paladin and BAM all report Agave's
//!    version — so the client is **not determined**: subject `agave-derived/<version>`, no
//!    entity.
//! 3. No version: `unknown`, no entity.
//!
//! `featureSet` (the first 4 bytes of the hash of the runtime features a build activates) is
//! the same for every build of one Agave release, forks included, and Frankendancer reports
//! the feature set of the Agave release it tracks: it groups builds but cannot name a client.
//! It is kept in the subject (`JitoLabs/2.3.8/fs3294202862`) so builds stay distinguishable.

/// The registry's client ids and names.
pub const CLIENT_IDS: &[(u16, &str)] = &[
    (0, "SolanaLabs"),
    (1, "JitoLabs"),
    (2, "Frankendancer"),
    (3, "Agave"),
    (4, "AgavePaladin"),
    (5, "Firedancer"),
    (6, "AgaveBam"),
    (7, "Sig"),
];

/// The software a node runs: the client (the entity, when determined) and the subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Software {
    /// The client's registry name, `None` when the data cannot determine it.
    pub client: Option<String>,
    /// `<client or label>/<version>[/fs<featureSet>]`, or `unknown`.
    pub subject: String,
}

/// Applies the rule of the module docs.
pub fn software(
    version: Option<&str>,
    feature_set: Option<u64>,
    client_id: Option<&str>,
) -> Software {
    let version = version.map(str::trim).filter(|v| !v.is_empty());
    let (client, label) = match client_id.map(str::trim).filter(|c| !c.is_empty()) {
        Some(id) => {
            let name = match id.parse::<u16>() {
                Ok(n) => CLIENT_IDS.iter().find(|c| c.0 == n).map(|c| c.1),
                Err(_) => CLIENT_IDS
                    .iter()
                    .find(|c| c.1.eq_ignore_ascii_case(id))
                    .map(|c| c.1),
            };
            match name {
                Some(n) => (Some(n.to_string()), n.to_string()),
                None => (None, format!("client id {id}")),
            }
        }
        None => match version {
            None => {
                return Software {
                    client: None,
                    subject: "unknown".into(),
                }
            }
            Some(v) if v.split('.').next() == Some("0") => (
                Some("Frankendancer".to_string()),
                "Frankendancer".to_string(),
            ),
            Some(_) => (None, "agave-derived".to_string()),
        },
    };
    let mut subject = label;
    if let Some(v) = version {
        subject.push('/');
        subject.push_str(v);
    }
    if let Some(fs) = feature_set {
        subject.push_str(&format!("/fs{fs}"));
    }
    Software { client, subject }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let s = software(Some("2.3.8"), Some(3294202862), Some("1"));
        assert_eq!(s.client.as_deref(), Some("JitoLabs"));
        assert_eq!(s.subject, "JitoLabs/2.3.8/fs3294202862");
        assert_eq!(
            software(Some("2.3.8"), None, Some("agavepaladin"))
                .client
                .as_deref(),
            Some("AgavePaladin")
        );
        let odd = software(Some("2.3.8"), None, Some("42"));
        assert_eq!(
            (odd.client, odd.subject.as_str()),
            (None, "client id 42/2.3.8")
        );
        let fd = software(Some("0.708.20306"), None, None);
        assert_eq!(fd.client.as_deref(), Some("Frankendancer"));
        let agave = software(Some("2.3.11"), Some(1), None);
        assert_eq!(
            (agave.client, agave.subject.as_str()),
            (None, "agave-derived/2.3.11/fs1")
        );
        assert_eq!(software(None, None, None).subject, "unknown");
        assert_eq!(software(Some(" "), None, Some("")).subject, "unknown");
    }
}
