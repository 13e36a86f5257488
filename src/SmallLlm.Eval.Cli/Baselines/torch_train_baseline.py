"""PyTorch baseline for `smalleval bench train`: the same Llama shape, batch and sequence trained on random tokens with
torch.optim.AdamW (betas 0.9/0.95, weight decay 0.1 on matrices) and clip_grad_norm_(1.0), on the given threads.
Usage: python3 torch_train_baseline.py '{"dim":..,"hidden":..,"layers":..,"heads":..,"kv_heads":..,"vocab":..,"batch":..,"seq":..,"steps":..,"threads":..}'
Prints one JSON line: {"torch": version, "threads": n, "tokens_per_second": median, "min": .., "max": ..}."""
import json, math, sys, time
import torch
import torch.nn.functional as F

a = json.loads(sys.argv[1])
torch.set_num_threads(a["threads"])
torch.manual_seed(1)
D, I, L, H, KV, V = a["dim"], a["hidden"], a["layers"], a["heads"], a["kv_heads"], a["vocab"]
HD = D // H
P = {"emb": torch.randn(V, D) * 0.02, "norm": torch.ones(D)}
for l in range(L):
    for n, s in [("q", (H * HD, D)), ("k", (KV * HD, D)), ("v", (KV * HD, D)), ("o", (D, H * HD)), ("g", (I, D)), ("u", (I, D)), ("d", (D, I))]:
        P[f"{l}.{n}"] = torch.randn(s) * 0.02
    P[f"{l}.n1"], P[f"{l}.n2"] = torch.ones(D), torch.ones(D)
for t in P.values():
    t.requires_grad_(True)
inv = 1.0 / (10000.0 ** (torch.arange(0, HD, 2, dtype=torch.float32) / HD))


def rms(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * w


def loss_of(rows):
    inp, tgt = rows[:, :-1], rows[:, 1:]
    B, T = inp.shape
    f = torch.outer(torch.arange(T, dtype=torch.float32), inv)
    cos, sin = torch.cat([f, f], -1).cos(), torch.cat([f, f], -1).sin()
    rope = lambda x: x * cos + torch.cat([-x[..., HD // 2:], x[..., :HD // 2]], -1) * sin
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    x = P["emb"][inp]
    for l in range(L):
        h = rms(x, P[f"{l}.n1"])
        q = rope((h @ P[f"{l}.q"].T).view(B, T, H, HD).transpose(1, 2))
        k = rope((h @ P[f"{l}.k"].T).view(B, T, KV, HD).transpose(1, 2)).repeat_interleave(H // KV, 1)
        v = (h @ P[f"{l}.v"].T).view(B, T, KV, HD).transpose(1, 2).repeat_interleave(H // KV, 1)
        att = ((q @ k.transpose(-1, -2)) / math.sqrt(HD)).masked_fill(~mask, float("-inf")).softmax(-1)
        x = x + (att @ v).transpose(1, 2).reshape(B, T, D) @ P[f"{l}.o"].T
        h = rms(x, P[f"{l}.n2"])
        x = x + (F.silu(h @ P[f"{l}.g"].T) * (h @ P[f"{l}.u"].T)) @ P[f"{l}.d"].T
    return F.cross_entropy((rms(x, P["norm"]) @ P["emb"].T).reshape(-1, V), tgt.reshape(-1))


params = list(P.values())
opt = torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                         {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}], lr=1e-4, betas=(0.9, 0.95), foreach=False)
rates = []
for s in range(a["steps"] + 1):
    rows = torch.randint(V, (a["batch"], a["seq"] + 1))
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss_of(rows).backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    if s > 0:
        rates.append(a["batch"] * a["seq"] / (time.perf_counter() - t0))
rates.sort()
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "tokens_per_second": rates[len(rates) // 2], "min": rates[0], "max": rates[-1]}))
