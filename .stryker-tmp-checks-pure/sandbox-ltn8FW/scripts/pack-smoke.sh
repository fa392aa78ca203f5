#!/usr/bin/env bash
# Packaging smoke test: pack the tarball, lint it, install it globally into a throw-away prefix the way a
# user would (production dependencies only, from the npm registry), then run every command that works
# without a cluster from an empty directory with an empty HOME. Run by .ci/run; needs the registry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/deploycheck-pack-smoke.XXXXXX")"
keep="${DEPLOYCHECK_SMOKE_KEEP:-}"
cleanup() { if [ -z "$keep" ]; then rm -rf "$tmp"; else echo "kept $tmp"; fi; }
trap cleanup EXIT

t0=$SECONDS
phase() { echo "--- [$((SECONDS - t0))s] $*"; }
fail() {
  echo "pack-smoke: FAILED: $*" >&2
  exit 1
}

phase "npm pack (prepack cleans dist/, prepare builds it)"
(cd "$root" && npm pack --pack-destination "$tmp" --silent >/dev/null)
tarball="$(ls "$tmp"/deploycheck-*.tgz)"
echo "$(basename "$tarball"): $(wc -c <"$tarball") bytes, $(tar -tzf "$tarball" | wc -l) files"

phase "publint on the tarball"
(cd "$root" && npx --no-install publint run "$tarball" --strict)

phase "npm install -g from the tarball into a fresh prefix"
prefix="$tmp/prefix"
npm install -g --prefix "$prefix" "$tarball" --no-audit --no-fund --loglevel=error
bin="$prefix/bin/deploycheck"
[ -x "$bin" ] || fail "$bin was not installed"
pkgdir="$prefix/lib/node_modules/deploycheck"
# The commands below then prove no run-time import needs a devDependency.
for dev in $(node -e 'console.log(Object.keys(require(process.argv[1]).devDependencies).join(" "))' "$root/package.json"); do
  [ ! -e "$pkgdir/node_modules/$dev" ] || fail "devDependency $dev was installed"
done
[ ! -e "$pkgdir/src" ] && [ ! -e "$pkgdir/test" ] || fail "sources or tests were packed"
echo "installed: $(du -sk "$prefix" | cut -f1) kB"

# A fresh machine: empty working directory, empty HOME (no config, no signing key), no state dir.
work="$tmp/work"
mkdir -p "$work" "$tmp/home"
cd "$work"
run() {
  env -u DEPLOYCHECK_STATE_DIR -u XDG_CONFIG_HOME -u NODE_OPTIONS -u NODE_PATH HOME="$tmp/home" NO_COLOR=1 \
    "$bin" "$@"
}
expect() { # expect <pattern> <output>: the output must contain the pattern
  grep -q -- "$1" <<<"$2" || fail "expected '$1' in:\n$2"
}

phase "deploycheck --version"
version="$(run --version)"
want="$(node -p 'require(process.argv[1]).version' "$root/package.json")"
[ "$version" = "$want" ] || fail "--version printed '$version', want '$want'"

phase "deploycheck list (the bundled checklist)"
out="$(run list)"
echo "$out"
expect "staging" "$out"
expect "$pkgdir/checklists/staging.yaml" "$out"

phase "deploycheck validate staging / show staging / schema"
run validate staging
out="$(run show staging)"
expect "Staging Deployment" "$out"
run schema | node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))'
run schema --record | node -e 'JSON.parse(require("fs").readFileSync(0, "utf8"))'

phase "deploycheck import (Markdown -> checklist YAML, then validate it)"
printf '# Smoke release\n\n## Before\n- [ ] Tell the team\n- [ ] Run `true`\n' >smoke.md
run import smoke.md -o smoke.yaml
run validate ./smoke.yaml

phase "deploycheck demo --non-interactive --watch 2s (sandbox cluster, service, webhook sink)"
demo_start=$SECONDS
out="$(run demo --non-interactive --watch 2s --workspace "$work/demo" 2>&1)" || {
  echo "$out"
  fail "demo exited non-zero"
}
echo "$out" | tail -n 8
echo "(demo took $((SECONDS - demo_start))s)"
expect "23 passed" "$out"
record="$(find "$work/demo/.deploycheck/runs" -name record.json | head -n 1)"
[ -n "$record" ] || fail "the demo left no record.json"

phase "deploycheck verify / status / runs / export"
out="$(run verify "$record")"
echo "$out"
expect "signature valid" "$out"
run verify --json "$record" | node -e 'if (JSON.parse(require("fs").readFileSync(0, "utf8")).ok !== true) process.exit(1)' ||
  fail "verify --json did not report the record valid"
run status --state-dir "$work/demo/.deploycheck" >/dev/null
out="$(run runs --state-dir "$work/demo/.deploycheck")"
expect "staging" "$out"
for format in md html junit json; do
  run export "$record" --format "$format" -o "$work/report.$format"
  [ -s "$work/report.$format" ] || fail "export --format $format wrote nothing"
done

phase "pack-smoke passed in $((SECONDS - t0))s"
