#!/usr/bin/env bash
# Package a built kubectl-diagnose binary for krew: an archive holding the binary and LICENSE, and
# the manifest with the archive's sha256 filled in.
#   krew/release.sh [BINARY] [OUTDIR]   (defaults: target/release/kubectl-diagnose, dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/kubectl-diagnose}
out=${2:-dist}
[ -x "$bin" ] || { echo "krew/release.sh: $bin is not an executable; run 'cargo build --release' first" >&2; exit 2; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$bin" "$stage/kubectl-diagnose"
cp LICENSE "$stage/LICENSE"
archive="$out/kubectl-diagnose_v${version}_linux_amd64.tar.gz"
tar -C "$stage" -czf "$archive" kubectl-diagnose LICENSE
sum=$(sha256sum "$archive" | cut -d' ' -f1)
sed -e "s/@VERSION@/${version}/g" -e "s/@SHA256_LINUX_AMD64@/${sum}/g" krew/diagnose.yaml.in > "$out/diagnose.yaml"
echo "$archive"
echo "$out/diagnose.yaml"
