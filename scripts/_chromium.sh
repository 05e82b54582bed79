# Sourced by test.sh: the browser tests drive Debian's Chromium (no browser download). Install it
# if it is missing and we may; otherwise those tests skip and say why.
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="skip"; fi
  fi
  if [ "$SUDO" != "skip" ]; then
    echo "installing Debian's chromium for the browser tests" >&2
    $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
      || echo "could not install chromium; the browser tests will be skipped" >&2
  else
    echo "chromium missing and no root to install it; the browser tests will be skipped" >&2
  fi
fi
