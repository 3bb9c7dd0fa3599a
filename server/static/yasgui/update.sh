#!/bin/sh
# Vendor @zazuko/yasgui (MIT) from the npm registry into this folder.
# Usage: server/static/yasgui/update.sh [VERSION]   (default: the pinned version below)
# Repeatable: the same VERSION gives the same files; VERSION records what is vendored.
set -eu
VERSION="${1:-4.6.2}"
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "@zazuko/yasgui@$VERSION" >/dev/null && tar xzf zazuko-yasgui-"$VERSION".tgz)
cp "$TMP/package/build/yasgui.min.js" "$TMP/package/build/yasgui.min.css" "$HERE/"
LICENSE_NAME="$(node -e "process.stdout.write(require('$TMP/package/package.json').license)")"
[ "$LICENSE_NAME" = "MIT" ] || { echo "licence changed to $LICENSE_NAME: review before vendoring" >&2; exit 1; }
# The npm package ships no LICENSE file; keep the notice its package.json declares.
cat > "$HERE/LICENSE" <<LICENSE
@zazuko/yasgui $VERSION (https://github.com/rdfjs/Yasgui), vendored from the npm registry.
License: MIT (as declared in the package's package.json).

Copyright (c) Triply <info@triply.cc>, Zazuko GmbH and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENSE
echo "$VERSION" > "$HERE/VERSION"
echo "vendored @zazuko/yasgui $VERSION into $HERE"
