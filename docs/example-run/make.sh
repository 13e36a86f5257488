#!/usr/bin/env bash
# Regenerates the README's example outputs in this folder from the default run (eval.config.json):
# the leaderboards, plots and summary.csv, without the per-task JSON/JSONL files.
#   docs/example-run/make.sh            (from anywhere; takes a few minutes on 2 cores, longer on the first build)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cd "$repo"
dotnet run --project src/SmallLlm.Eval.Cli -c Release -- run --output "$out" | tee "$out/run.txt"
here="$repo/docs/example-run"
rm -rf "$here/plots"
cp -r "$out/plots" "$here/plots"
cp "$out"/leaderboard.md "$out"/leaderboard.csv "$out"/leaderboard.html "$out"/summary.csv "$here/"
# The printed table, with the temporary folder's path replaced by the default one.
sed "s#$out#results#g" "$out/run.txt" > "$here/run.txt"
echo "wrote $here"
