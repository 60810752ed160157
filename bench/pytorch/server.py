"""Training-step timer for the bench, driven over stdin/stdout (one JSON object per line), so that the
Node bench can interleave PyTorch rounds with tfjs rounds in the same run.

Requests:  {"cmd": "init", "threads": 1}
           {"cmd": "build", "model": "convnet", "config": {...}}
           {"cmd": "run", "steps": 5}
Replies:   {"ok": true, ...} or {"ok": false, "error": "..."}
"""
import json
import sys
import time

import torch

from models import MODELS

state = {}


def handle(req):
    cmd = req['cmd']
    if cmd == 'init':
        torch.set_num_threads(int(req['threads']))
        torch.manual_seed(0)
        return {'torch': torch.__version__, 'threads': torch.get_num_threads(),
                'capability': torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, 'cpu') else 'unknown',
                'config': torch.__config__.show()}
    if cmd == 'build':
        model = MODELS[req['model']](**req['config'])
        g = torch.Generator().manual_seed(1)
        state['model'] = model
        state['batch'] = model.make_batch(g)
        state['opt'] = torch.optim.Adam(model.parameters(), lr=1e-3)
        return {'params': sum(p.numel() for p in model.parameters())}
    if cmd == 'run':
        model, batch, opt = state['model'], state['batch'], state['opt']
        ms = []
        loss = None
        for _ in range(int(req['steps'])):
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = model.loss(*batch)
            loss.backward()
            opt.step()
            loss = loss.item()
            ms.append((time.perf_counter() - t0) * 1000)
        return {'ms': ms, 'loss': loss}
    raise ValueError(f'unknown command {cmd}')


for line in sys.stdin:
    try:
        reply = {'ok': True, **handle(json.loads(line))}
    except Exception as e:  # reported to the bench, which prints it; the server keeps serving
        reply = {'ok': False, 'error': f'{type(e).__name__}: {e}'}
    sys.stdout.write(json.dumps(reply) + '\n')
    sys.stdout.flush()
