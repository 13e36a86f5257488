"""Builds the compact embedded vocabularies from ../shared/tokenizers (run from this folder; output is committed).

llama3.tokens.gz   128,000 tokens of Meta's tokenizer.model in rank order, each as one length byte + raw bytes, gzip -9
llama3.special_tokens.json  copied from llama3/special_tokens.json
llama2.model.gz    Llama 2 SentencePiece tokenizer.model, gzip -9
tok512.bin         stories260K tokenizer (llama2.c format), as is
"""
import base64, gzip, os, shutil, sys

shared = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared"
tok = os.path.join(shared, "tokenizers")

def gz(data, out):
    with open(out, "wb") as f:
        # mtime=0 keeps the output byte-identical between runs
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0) as g:
            g.write(data)

tokens = []
for line in open(os.path.join(tok, "llama3", "tokenizer.model"), "rb").read().splitlines():
    if not line:
        continue
    b64, rank = line.split(b" ")
    assert int(rank) == len(tokens)
    t = base64.b64decode(b64)
    assert 0 < len(t) < 256
    tokens.append(t)
gz(b"".join(bytes([len(t)]) + t for t in tokens), "llama3.tokens.gz")
shutil.copyfile(os.path.join(tok, "llama3", "special_tokens.json"), "llama3.special_tokens.json")
gz(open(os.path.join(tok, "llama2", "tokenizer.model"), "rb").read(), "llama2.model.gz")
shutil.copyfile(os.path.join(shared, "models", "stories260K", "tok512.bin"), "tok512.bin")
