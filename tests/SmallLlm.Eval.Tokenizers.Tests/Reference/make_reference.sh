#!/usr/bin/env bash
# Regenerates long_texts.json: token counts and sha256 of the id sequences of every bundled corpus file, from the
# reference implementations (not from this project's code):
#   llama2: SentencePiece C++ 0.1.97 (Debian python3-sentencepiece) loading ../shared/tokenizers/llama2/tokenizer.model
#   llama3, cl100k_base, o200k_base, gpt2: tiktoken 1.0.22 (npm, the Rust core built to WASM), encode_ordinary
# Needs: apt-get install python3-sentencepiece; npm install tiktoken@1.0.22 (in $TIKTOKEN_DIR, default /tmp/tk).
# Whole files are encoded as one string each; sha256 is over the ids written as decimal, joined by ",".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
corpora="$repo/tasks/tokenizer_compression/corpora"
shared="$(cd "$repo/../shared" && pwd)"
tk="${TIKTOKEN_DIR:-/tmp/tk}"
/usr/bin/python3 - "$corpora" "$shared" > "$here/llama2.tmp.json" <<'PY'
import hashlib, json, os, sys
import sentencepiece as spm
corpora, shared = sys.argv[1], sys.argv[2]
sp = spm.SentencePieceProcessor(model_file=os.path.join(shared, "tokenizers/llama2/tokenizer.model"))
out = {}
for root, _, files in os.walk(corpora):
    for f in sorted(files):
        p = os.path.join(root, f)
        ids = sp.encode(open(p, encoding="utf-8").read())
        out[os.path.relpath(p, corpora)] = {"count": len(ids), "sha256": hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()}
json.dump(out, sys.stdout)
PY
NODE_PATH="$tk/node_modules" node - "$corpora" "$shared" "$here/llama2.tmp.json" > "$here/long_texts.json" <<'JS'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const { Tiktoken, get_encoding } = require("tiktoken");
const [corpora, shared, llama2File] = process.argv.slice(2);
const pat = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const encoders = {
  llama3: new Tiktoken(fs.readFileSync(path.join(shared, "tokenizers/llama3/tokenizer.model"), "utf8"), {}, pat),
  cl100k_base: get_encoding("cl100k_base"),
  o200k_base: get_encoding("o200k_base"),
  gpt2: get_encoding("gpt2"),
};
const llama2 = JSON.parse(fs.readFileSync(llama2File, "utf8"));
const files = {};
function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) { walk(p); continue; }
    const rel = path.relative(corpora, p);
    const text = fs.readFileSync(p, "utf8");
    const entry = { llama2: llama2[rel] };
    for (const [name, enc] of Object.entries(encoders)) {
      const ids = Array.from(enc.encode_ordinary(text));
      entry[name] = { count: ids.length, sha256: crypto.createHash("sha256").update(ids.join(",")).digest("hex") };
    }
    files[rel] = entry;
  }
}
walk(corpora);
process.stdout.write(JSON.stringify({
  about: "Reference token counts and sha256(ids joined by ',') per bundled corpus file: llama2 = SentencePiece C++ 0.1.97 (Debian python3-sentencepiece) on shared/tokenizers/llama2/tokenizer.model; llama3 = tiktoken 1.0.22 (npm, WASM) with Meta's tokenizer.model ranks and the cl100k pattern; cl100k_base, o200k_base, gpt2 = tiktoken 1.0.22 encode_ordinary. Made by make_reference.sh.",
  files }, null, 1) + "\n");
JS
rm "$here/llama2.tmp.json"
