"""PyTorch timing of the adm-256-uncond h-space (time_embed + input_blocks + middle_block) for
bench/run.mjs: random weights, one timestep (500), batch 1, float32, no grad.

Uses openai/guided-diffusion's own UNetModel when it can be imported (pass the folder that
holds `guided_diffusion/` as --guided-diffusion, or put it on PYTHONPATH); otherwise an
equivalent encoder written below from the same layer list (same convs, norms, attention
shapes). Prints one JSON line. Optional: the project never needs Python.

usage: python3 torch_hspace.py --threads 2 --sizes 128,256 --reps 2 [--guided-diffusion DIR]
"""
import argparse, json, math, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=2)
p.add_argument('--sizes', default='128,256')
p.add_argument('--reps', type=int, default=2)
p.add_argument('--guided-diffusion', default=None)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)


def guided_diffusion_encoder():
    if args.guided_diffusion:
        sys.path.insert(0, args.guided_diffusion)
    try:
        from guided_diffusion.script_util import create_model
        from guided_diffusion.nn import timestep_embedding
    except ImportError:
        return None
    m = create_model(image_size=256, num_channels=256, num_res_blocks=2, channel_mult='', learn_sigma=True,
                     class_cond=False, use_checkpoint=False, attention_resolutions='32,16,8', num_heads=4,
                     num_head_channels=64, num_heads_upsample=-1, use_scale_shift_norm=True, dropout=0.0,
                     resblock_updown=True, use_fp16=False, use_new_attention_order=False).eval()

    def hspace(x, t):
        emb = m.time_embed(timestep_embedding(t, m.model_channels))
        h = x
        for block in m.input_blocks:
            h = block(h, emb)
        return m.middle_block(h, emb)
    return hspace


class Res(nn.Module):
    def __init__(self, cin, cout, down=False):
        super().__init__()
        self.down = down
        self.n0, self.c0 = nn.GroupNorm(32, cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(1024, 2 * cout)
        self.n1, self.c1 = nn.GroupNorm(32, cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, emb):
        h = F.silu(self.n0(x))
        if self.down:
            h, x = F.avg_pool2d(h, 2), F.avg_pool2d(x, 2)
        h = self.c0(h)
        scale, shift = self.emb(F.silu(emb))[..., None, None].chunk(2, dim=1)
        h = self.c1(F.silu(self.n1(h) * (1 + scale) + shift))
        return self.skip(x) + h


class Attn(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c // 64
        self.norm, self.qkv, self.proj = nn.GroupNorm(32, c), nn.Conv1d(c, 3 * c, 1), nn.Conv1d(c, c, 1)

    def forward(self, x, emb):
        b, c, hh, ww = x.shape
        qkv = self.qkv(self.norm(x).reshape(b, c, -1))
        q, k, v = qkv.reshape(b * self.heads, 3 * 64, -1).split(64, dim=1)
        s = 1 / math.sqrt(math.sqrt(64))
        w = torch.softmax(torch.einsum('bct,bcs->bts', q * s, k * s), dim=-1)
        a = torch.einsum('bts,bcs->bct', w, v).reshape(b, c, -1)
        return x + self.proj(a).reshape(b, c, hh, ww)


def own_encoder():
    layers, ch, ds = [nn.Conv2d(3, 256, 3, padding=1)], 256, 1
    mult = (1, 1, 2, 2, 4, 4)
    for level, m in enumerate(mult):
        for _ in range(2):
            layers.append(Res(ch, 256 * m)); ch = 256 * m
            if ds in (8, 16, 32):
                layers.append(Attn(ch))
        if level != len(mult) - 1:
            layers.append(Res(ch, ch, down=True)); ds *= 2
    layers += [Res(ch, ch), Attn(ch), Res(ch, ch)]
    time_embed = nn.Sequential(nn.Linear(256, 1024), nn.SiLU(), nn.Linear(1024, 1024))
    net = nn.ModuleList(layers + [time_embed]).eval()

    def hspace(x, t):
        half = 128
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
        args_ = t[:, None].float() * freqs[None]
        emb = time_embed(torch.cat([torch.cos(args_), torch.sin(args_)], dim=-1))
        h = layers[0](x)
        for layer in layers[1:]:
            h = layer(h, emb)
        return h
    return hspace


hspace = guided_diffusion_encoder()
source = 'openai/guided-diffusion UNetModel' if hspace else 'bench/torch_hspace.py encoder (guided-diffusion not importable)'
hspace = hspace or own_encoder()
results = []
with torch.no_grad():
    for size in [int(s) for s in args.sizes.split(',') if s]:
        x, t = torch.rand(1, 3, size, size) * 2 - 1, torch.tensor([500])
        hspace(x, t)  # warm-up
        runs = []
        for _ in range(args.reps):
            w0, c0 = time.perf_counter(), time.process_time()
            h = hspace(x, t)
            runs.append((time.perf_counter() - w0, time.process_time() - c0))
        wall, cpu = min(runs)
        results.append({'size': f'{size}x{size}', 'seconds': round(wall, 3), 'cpuSeconds': round(cpu, 2), 'hShape': list(h.shape)})
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'source': source, 'results': results}))
