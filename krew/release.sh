#!/usr/bin/env bash
# Build and package kubectl-diagnose for krew: a portable binary, an archive holding it with LICENSE
# and the kubectl_complete-diagnose script, and the manifest with the archive's sha256 filled in.
#
#   krew/release.sh --build [OUTDIR]     build linux/amd64 for glibc 2.17+, then package (default dist/)
#   krew/release.sh BINARY [OUTDIR]      package a binary built elsewhere (checked the same way)
#
# Platforms. Only linux/amd64 (x86_64-unknown-linux-gnu, glibc 2.17 and later: Amazon Linux 2,
# Ubuntu 20.04, RHEL 7/8, Debian 10 and newer) is built here and listed in krew/diagnose.yaml.in.
# --build uses cargo-zigbuild, which links against an old glibc with zig's toolchain:
#   pip install cargo-zigbuild ziglang     (or: cargo install cargo-zigbuild; pip install ziglang)
# To add another platform, on a machine with its toolchain:
#   linux/arm64:   rustup target add aarch64-unknown-linux-gnu
#                  cargo zigbuild --release --locked --target aarch64-unknown-linux-gnu.2.17
#   darwin:        on macOS: cargo build --release --locked --target {x86_64,aarch64}-apple-darwin
#   windows/amd64: cargo build --release --locked --target x86_64-pc-windows-msvc
# then archive each like linux_amd64 below (kubectl-diagnose.exe for windows) and add a `platforms`
# entry with its own @SHA256_...@ placeholder to krew/diagnose.yaml.in.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
glibc=2.17
if [ "${1:-}" = "--build" ]; then
  command -v cargo-zigbuild >/dev/null || {
    echo "krew/release.sh: cargo-zigbuild not found; pip install cargo-zigbuild ziglang" >&2; exit 2; }
  cargo zigbuild --release --locked --target "$target.$glibc"
  bin=target/$target/release/kubectl-diagnose
  shift
else
  bin=${1:-target/release/kubectl-diagnose}
  [ $# -gt 0 ] && shift
fi
out=${1:-dist}
[ -x "$bin" ] || { echo "krew/release.sh: $bin is not an executable; run krew/release.sh --build" >&2; exit 2; }

# The binary must run on glibc $glibc: no dynamic symbol may need a newer version. Tests package a
# debug build with KREW_RELEASE_UNCHECKED=1, which turns these refusals into warnings.
refuse() {
  if [ "${KREW_RELEASE_UNCHECKED:-}" = 1 ]; then
    echo "krew/release.sh: warning (KREW_RELEASE_UNCHECKED=1): $1" >&2
  else
    echo "krew/release.sh: $1" >&2
    exit 2
  fi
}
command -v objdump >/dev/null || { echo "krew/release.sh: objdump (binutils) is needed to check the binary" >&2; exit 2; }
newest=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)
if [ -n "$newest" ] && [ "$(printf '%s\n%s\n' "$newest" "$glibc" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)" != "$glibc" ]; then
  refuse "$bin needs GLIBC_$newest, newer than $glibc; build it with --build"
fi
if objdump -h "$bin" | grep -q '\.debug_\|\.symtab'; then
  refuse "$bin is not stripped (profile.release has strip = true)"
fi
echo "highest glibc symbol: GLIBC_${newest:-none} (<= $glibc)"

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$bin" "$stage/kubectl-diagnose"
cp LICENSE "$stage/LICENSE"
cp krew/kubectl_complete-diagnose "$stage/kubectl_complete-diagnose"
chmod +x "$stage/kubectl_complete-diagnose"
archive="$out/kubectl-diagnose_v${version}_linux_amd64.tar.gz"
tar -C "$stage" -czf "$archive" kubectl-diagnose kubectl_complete-diagnose LICENSE
sum=$(sha256sum "$archive" | cut -d' ' -f1)
sed -e "s/@VERSION@/${version}/g" -e "s/@SHA256_LINUX_AMD64@/${sum}/g" krew/diagnose.yaml.in > "$out/diagnose.yaml"
echo "$archive"
echo "$out/diagnose.yaml"
