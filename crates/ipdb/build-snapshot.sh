#!/usr/bin/env bash
# Rebuilds the IP database snapshot from the npm registry:
#
#     bash crates/ipdb/build-snapshot.sh [ASN_VERSION [COUNTRY_VERSION]]
#
# Fetches @ip-location-db/asn (CC-BY-4.0: RouteViews, NRO, DB-IP) and
# @ip-location-db/geo-whois-asn-country (CC0-1.0) with `npm pack` (default: their latest
# versions), builds data/ip-location-db/ip-location-db-<date>.pmipdb.gz with the build-ipdb
# binary and prints the sizes. Pass the file to `--ipdb FILE` (or `ipdb = "FILE"` in a
# [[source]]) to use it instead of the built-in snapshot. Needs npm and cargo.
set -euo pipefail
cd "$(dirname "$0")/../.."
ASN_VERSION="${1:-$(npm view @ip-location-db/asn version)}"
CC_VERSION="${2:-$(npm view @ip-location-db/geo-whois-asn-country version)}"
WORK="$(mktemp -d /tmp/powermap-ipdb.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "@ip-location-db/asn@$ASN_VERSION" \
    "@ip-location-db/geo-whois-asn-country@$CC_VERSION" >/dev/null)
mkdir -p "$WORK/asn" "$WORK/country"
tar xzf "$WORK"/ip-location-db-asn-*.tgz -C "$WORK/asn" --strip-components=1
tar xzf "$WORK"/ip-location-db-geo-whois-asn-country-*.tgz -C "$WORK/country" --strip-components=1
STAMP="${ASN_VERSION##*.}"
DATE="${STAMP:0:4}-${STAMP:4:2}-${STAMP:6:2}"
mkdir -p data/ip-location-db
cargo run -q --release -p powermap-ipdb --bin build-ipdb -- --dir "$WORK" \
    --asn-version "$ASN_VERSION" --country-version "$CC_VERSION" \
    --out "data/ip-location-db/ip-location-db-$DATE.pmipdb.gz"
