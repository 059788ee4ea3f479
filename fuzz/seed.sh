#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs taken from the repository (EDI samples, EDI
# and registry mapping files) and small observation files written by powermap-ingest's
# writers (through `powermap bench --generate-only`). Seeds are generated, not committed;
# existing corpus files are kept.
# Usage (from anywhere): fuzz/seed.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
mkdir -p "$corpus"/{observations_csv,observations_jsonl,observations_parquet,edi_raw,edi_mapping,specs}

# Observation files in all three encodings, from the ingest writers (`powermap bench`
# writes generated data with them).
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for rows in 1 5 40; do
    cargo run --quiet --manifest-path "$root/Cargo.toml" -p powermap-cli -- \
        bench --rows "$rows" --generate-only --dir "$tmp" > /dev/null
done
for ext in csv jsonl parquet; do
    for f in "$tmp"/*."$ext"; do
        cp "$f" "$corpus/observations_$ext/$(basename "$f")"
    done
done

# EDI raw block data: the reference samples, first 20 lines each.
for f in "$root"/tests/reference/edi-samples/input/raw_block_data/*.json; do
    head -n 20 "$f" > "$corpus/edi_raw/$(basename "$f")"
done

# Mapping files: everything under 20 KB that the registry reads.
m="$root/data/edi-mapping/mapping_information"
for f in "$m"/identifiers/*.json "$m"/addresses/*.json "$m"/clusters/*.json \
    "$m"/legal_links.json "$root"/registry/bitcoin-builtin/aliases.json \
    "$root"/data/bitcoin-pool-blocks/lookup_slug_to_name.json \
    "$root"/data/bitcoin-data-mining-pools/pools/{antpool,f2pool,viabtc,slushpool}.json; do
    [ -f "$f" ] || continue
    [ "$(wc -c < "$f")" -le 20000 ] || continue
    rel="${f#"$root"/}"
    cp "$f" "$corpus/edi_mapping/${rel//\//_}"
done
# special_addresses.json is 26 KB: keep its first 60 lines, closed into valid JSON.
{ head -n 60 "$m/special_addresses.json" | sed '$ s/,$//'; echo ']}'; } \
    > "$corpus/edi_mapping/special_addresses_head.json"

# Specs as the CLI and config files write them.
i=0
for s in 30d 30d/1d 7d/3d 1000blocks 1000blocks/100 "100blocks/10blocks" month all snapshot \
    1/3 2/3 0.5 0.33 50% 100% 1 \
    nakamoto_coefficient "nakamoto_coefficient=1/3" "nakamoto_coefficient>2/3" \
    "nakamoto_coefficient>=0.66" "tau_index=0.33" "entropy=1" "entropy_percentage=2" \
    gini hhi theil_index total_entities max_power_ratio "concentration_ratio=3" 0 2; do
    printf '%s' "$s" > "$corpus/specs/seed-$i"
    i=$((i + 1))
done
du -sh "$corpus"/*
