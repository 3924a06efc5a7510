#!/usr/bin/env bash
# Installs Debian's Chromium, ChromeDriver and Firefox ESR when missing. The end-to-end
# suites and `make demo` need them; browser downloads by test tools do not work offline.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "missing packages: ${missing[*]} (run: apt-get install ${missing[*]})" >&2; exit 1
  fi
else SUDO=""; fi
echo "installing ${missing[*]} with apt-get" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
