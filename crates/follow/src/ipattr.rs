//! Node addresses → AS, organisation and country with the IP database (`powermap-ipdb`).
//!
//! Every IP-based observation records how it was made in its `source`: the source name, the
//! address, the AS and country with the CIDR prefix each matched, and the database label and
//! date — e.g. `solana_rpc-solana; identity HEL1…; 64.130.50.10 → AS20326 (TeraSwitch
//! Networks Inc.) in 64.130.48.0/20, US in 64.130.0.0/17; ip-location-db 2026-06-17`. An
//! address the database does not hold, or no address at all, gives subject `unknown` with no
//! entity (unattributed).

use std::net::{IpAddr, SocketAddr};

use chrono::{DateTime, Utc};
use powermap_ipdb::IpDb;
use powermap_model::{Layer, Observation};

/// Unknown AS or country.
pub(crate) const UNKNOWN: &str = "unknown";

/// What the database says about one node address.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placement {
    /// `AS<number>`.
    pub asn: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
    /// How it was decided (goes into each observation's `source`).
    pub note: String,
}

/// An address from `ip:port`, `[v6]:port` or a bare address.
pub(crate) fn parse_addr(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    s.parse::<SocketAddr>()
        .map(|a| a.ip())
        .or_else(|_| s.parse::<IpAddr>())
        .ok()
}

/// Looks `ip` up; `source` names the watch source in the note.
pub(crate) fn place(db: &IpDb, ip: Option<IpAddr>, source: &str) -> Placement {
    let Some(ip) = ip else {
        return Placement {
            asn: None,
            country: None,
            note: format!("{source}; no address"),
        };
    };
    let hit = db.lookup(ip);
    let asn = hit.asn.as_ref().map(|a| {
        let org = a
            .organisation
            .as_deref()
            .map_or(String::new(), |o| format!(" ({o})"));
        (
            format!("AS{}", a.asn),
            format!("AS{}{org} in {}", a.asn, a.prefix),
        )
    });
    let country = hit
        .country
        .as_ref()
        .map(|c| (c.code.clone(), format!("{} in {}", c.code, c.prefix)));
    let found: Vec<&str> = [asn.as_ref(), country.as_ref()]
        .into_iter()
        .flatten()
        .map(|(_, n)| n.as_str())
        .collect();
    let what = if found.is_empty() {
        "not in the database".to_string()
    } else {
        found.join(", ")
    };
    Placement {
        asn: asn.map(|a| a.0),
        country: country.map(|c| c.0),
        note: format!("{source}; {ip} → {what}; {}", db.label()),
    }
}

/// `(subject, entity)`: the value as both, or `unknown` and no entity.
pub(crate) fn known(v: &Option<String>) -> (String, Option<String>) {
    match v {
        Some(v) => (v.clone(), Some(v.clone())),
        None => (UNKNOWN.to_string(), None),
    }
}

/// The infrastructure (AS) and geography (country) observations of one weighted node.
pub(crate) fn located(
    p: &Placement,
    network: &str,
    time: DateTime<Utc>,
    height: Option<u64>,
    weight: f64,
) -> [Observation; 2] {
    let obs = |layer, (subject, entity): (String, Option<String>)| Observation {
        network: network.to_string(),
        layer,
        time,
        height,
        subject,
        entity,
        weight,
        source: Some(p.note.clone()),
    };
    [
        obs(Layer::Infrastructure, known(&p.asn)),
        obs(Layer::Geography, known(&p.country)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_notes() {
        assert_eq!(parse_addr("1.2.3.4:8001"), "1.2.3.4".parse().ok());
        assert_eq!(parse_addr("[2001:db8::1]:8001"), "2001:db8::1".parse().ok());
        assert_eq!(parse_addr("2001:db8::1"), "2001:db8::1".parse().ok());
        assert_eq!(parse_addr("nonsense"), None);
        let db = IpDb::builtin().unwrap();
        let p = place(&db, parse_addr("1.0.0.1:8001"), "s");
        assert_eq!(p.asn.as_deref(), Some("AS13335"));
        assert_eq!(p.country.as_deref(), Some("AU"));
        assert_eq!(
            p.note,
            "s; 1.0.0.1 → AS13335 (Cloudflare, Inc.) in 1.0.0.0/24, AU in 1.0.0.0/24; ip-location-db 2026-06-17"
        );
        let private = place(&db, parse_addr("10.0.0.1"), "s");
        assert_eq!((private.asn, private.country), (None, None));
        assert!(private.note.contains("not in the database"));
        let [infra, geo] = located(&place(&db, None, "s"), "solana", Utc::now(), None, 2.0);
        assert_eq!((infra.subject.as_str(), infra.entity), ("unknown", None));
        assert_eq!(geo.layer, Layer::Geography);
    }
}
