#!/usr/bin/env bash
# Make sure a headless-capable Chromium is installed (the web page's browser test needs it).
# Quiet when it is already there; otherwise installs Debian's `chromium` package with apt-get
# (needs root, or sudo without a password). Exit 0 when chromium is available afterwards.
set -euo pipefail

find_chromium() {
    for name in chromium chromium-browser google-chrome-stable google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

if find_chromium >/dev/null; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: chromium is missing and this system has no apt-get; install Chromium by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure-chromium: chromium is missing and installing it needs root (apt-get install chromium)" >&2
        exit 1
    fi
fi

echo "ensure-chromium: installing chromium (Debian package) ..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium >/dev/null

if ! path=$(find_chromium); then
    echo "ensure-chromium: apt-get finished but no chromium binary was found" >&2
    exit 1
fi
echo "ensure-chromium: installed $path" >&2
