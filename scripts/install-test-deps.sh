#!/usr/bin/env bash
# Installs the Debian packages the test suite talks to, when missing:
# a real Prometheus (remote_write sender, PromQL reference), node_exporter, and
# Chromium (the web UI's browser tests drive /usr/bin/chromium through playwright-core).
set -euo pipefail

need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

# Dedupe, then install without prompts; the packages' services are not started here.
mapfile -t pkgs < <(printf '%s\n' "${need[@]}" | sort -u)
echo "install-test-deps: installing ${pkgs[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d keeps the packages' daemons from starting on install (tests start their own).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
