#!/bin/sh
# Copies the GraphiQL page's assets out of the npm registry's packages, pinned by
# package-lock.json, into assets/ (committed, shipped in the wheel, served at
# /static/graphiql/). Run after changing a version in package.json and
# `npm install --package-lock-only`; the server itself never needs npm.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --silent)

rm -rf "$here/assets"
for file in \
  react/umd/react.production.min.js react/LICENSE \
  react-dom/umd/react-dom.production.min.js react-dom/LICENSE \
  graphiql/graphiql.min.js graphiql/graphiql.min.css graphiql/LICENSE \
  @graphiql/plugin-explorer/dist/index.umd.js @graphiql/plugin-explorer/dist/style.css
do
  mkdir -p "$here/assets/$(dirname "$file")"
  cp "$work/node_modules/$file" "$here/assets/$file"
done
# The explorer plugin ships no license file; it is MIT (its package.json) from graphiql's repository.
{ echo "@graphiql/plugin-explorer ships no license file: its package.json says MIT, and it is"
  echo "published from the graphql/graphiql repository, whose license is:"; echo
  cat "$work/node_modules/graphiql/LICENSE"; } > "$here/assets/@graphiql/plugin-explorer/LICENSE"
node "$here/notices.mjs" "$work/node_modules" > "$here/assets/THIRD-PARTY-NOTICES.txt"
