#!/usr/bin/env bash
# The Debian packages the reports need beside the Python ones, installed when missing:
# WeasyPrint prints the bulletin's PDF through Pango, subsets its fonts with HarfBuzz (byte-identical
# PDFs for the same inputs), and Chinese text needs a CJK font.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "debs.sh: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" = "0" ] || SUDO="sudo"
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi
