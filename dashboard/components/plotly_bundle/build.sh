#!/usr/bin/env bash
# Rebuild dashboard/static/plotly/plotly-hrd.min.js (committed; only needed when the
# plotly.js version or the trace types change). Needs Node.js and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../static/plotly/plotly-hrd.min.js"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/entry.js" "$work/"
cd "$work"
npm install --no-audit --no-fund --ignore-scripts=false >/dev/null
version="$(node -p "require('plotly.js/package.json').version")"
# the CSS esbuild writes beside the bundle is maplibre's (map traces, not used here);
# plotly.js injects its own styles at run time
node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --global-name=HrdPlotly \
  --define:global=window --define:define.amd=false --target=es2016 --legal-comments=eof \
  --banner:js="/*! plotly.js v$version (core, bar, heatmap, choropleth) | (c) Plotly, Inc. | MIT License: https://github.com/plotly/plotly.js/blob/master/LICENSE */" \
  --outfile="$work/plotly-hrd.min.js" --log-level=warning
cp "$work/plotly-hrd.min.js" "$out"
echo "wrote $out ($(wc -c < "$out") bytes, plotly.js $version)"
