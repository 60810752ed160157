"""PyTorch twins of bench/training/models.ts: the same layers, sizes and losses, in NCHW.

Where TF 'same' padding is asymmetric (stride-2 convs pad one more row at the bottom), PyTorch pads
symmetrically; output sizes and FLOPs are identical, which is what a speed comparison needs.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F


class ConvNet(nn.Module):
    """conv3x3(c1) -> pool -> conv3x3(c2) -> pool -> dense(hidden) -> dense(10), on 28x28x1."""

    def __init__(self, batch, c1, c2, hidden):
        super().__init__()
        self.batch = batch
        self.c1 = nn.Conv2d(1, c1, 3)
        self.c2 = nn.Conv2d(c1, c2, 3)
        self.d1 = nn.Linear(5 * 5 * c2, hidden)
        self.d2 = nn.Linear(hidden, 10)

    def make_batch(self, g):
        return (torch.rand(self.batch, 1, 28, 28, generator=g), torch.randint(0, 10, (self.batch,), generator=g))

    def loss(self, x, y):
        h = F.max_pool2d(F.relu(self.c1(x)), 2)  # [B, c1, 13, 13]
        h = F.max_pool2d(F.relu(self.c2(h)), 2)  # [B, c2, 5, 5]
        return F.cross_entropy(self.d2(F.relu(self.d1(h.flatten(1)))), y)


def time_embedding(ts, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half) / half)
    args = ts[:, None].float() * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class UNet(nn.Module):
    """Two-level DDPM noise predictor: strided conv down, nearest upsampling and a transposed conv up,
    concat skips, a sinusoidal time embedding through a 2-layer MLP."""

    def __init__(self, batch, ch, temb, size):
        super().__init__()
        c = ch
        self.batch, self.temb, self.size = batch, temb, size
        self.t1, self.t2 = nn.Linear(temb, 2 * c), nn.Linear(2 * c, 2 * c)
        self.in1, self.in2 = nn.Conv2d(1, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)
        self.down = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.mid1 = nn.Conv2d(2 * c, 2 * c, 3, padding=1)
        self.bottom = nn.Conv2d(2 * c, 2 * c, 3, padding=1)
        self.up_merge = nn.Conv2d(4 * c, 2 * c, 3, padding=1)
        self.up = nn.ConvTranspose2d(2 * c, c, 3, stride=2, padding=1, output_padding=1)
        self.out_merge = nn.Conv2d(2 * c, c, 3, padding=1)
        self.head = nn.Conv2d(c, 1, 1)

    def make_batch(self, g):
        s = self.size
        ts = torch.randint(0, 1000, (self.batch,), generator=g)
        xt = torch.rand(self.batch, 1, s, s, generator=g) * 2 - 1
        eps = torch.rand(self.batch, 1, s, s, generator=g) * 2 - 1
        return xt, time_embedding(ts, self.temb), eps

    def loss(self, xt, temb, eps):
        t = self.t2(F.silu(self.t1(temb)))[:, :, None, None]  # [B, 2c, 1, 1]
        e1 = F.silu(self.in2(F.silu(self.in1(xt))))  # [B, c, s, s]
        e2 = F.silu(self.mid1(F.silu(self.down(e1)) + t))  # [B, 2c, s/2, s/2]
        m = F.silu(self.bottom(F.max_pool2d(e2, 2)))  # [B, 2c, s/4, s/4]
        u1 = F.interpolate(m, scale_factor=2, mode='nearest')
        d1 = F.silu(self.up_merge(torch.cat([u1, e2], 1)))
        u2 = F.silu(self.up(d1))  # [B, c, s, s]
        out = self.head(F.silu(self.out_merge(torch.cat([u2, e1], 1))))
        return F.mse_loss(out, eps)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        dh = d // self.heads
        split = lambda z: z.view(b, t, self.heads, dh).transpose(1, 2)  # [B, H, T, dh]
        h = self.ln1(x)
        att = torch.softmax(split(self.q(h)) @ split(self.k(h)).transpose(-1, -2) / math.sqrt(dh), dim=-1)
        x = x + self.o((att @ split(self.v(h))).transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate='tanh'))


class ViT(nn.Module):
    """Pre-norm ViT over 4x4 patches of a 32x32 image followed by text-token embeddings."""

    def __init__(self, batch, dim, depth, heads, patch, image, vocab, textLen, classes):
        super().__init__()
        self.batch, self.patch, self.image, self.vocab, self.text_len, self.classes = batch, patch, image, vocab, textLen, classes
        grid = image // patch
        self.patch_embed = nn.Linear(patch * patch * 3, dim)
        self.tokens = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(grid * grid + textLen, dim))
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.ln = nn.LayerNorm(dim)
        self.cls = nn.Linear(dim, classes)

    def make_batch(self, g):
        img = torch.rand(self.batch, 3, self.image, self.image, generator=g) * 2 - 1
        text = torch.randint(0, self.vocab, (self.batch, self.text_len), generator=g)
        return img, text, torch.randint(0, self.classes, (self.batch,), generator=g)

    def loss(self, img, text, y):
        b, p = img.shape[0], self.patch
        patches = F.unfold(img, p, stride=p).transpose(1, 2)  # [B, grid^2, p*p*3]
        x = torch.cat([self.patch_embed(patches), self.tokens(text)], 1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return F.cross_entropy(self.cls(self.ln(x.mean(1))), y)


MODELS = {'convnet': ConvNet, 'unet': UNet, 'vit': ViT}
