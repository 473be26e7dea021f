#!/usr/bin/env python3
"""Writes the scheduler-parity fixtures: diffusers' own scheduler classes, run in float64, on a fixed
analytic model, so that jdiffusion's tests compare its samplers with diffusers' numbers.

diffusers computes its schedules in float32 (torch.float32 betas, np.float32 sigmas). To compare at
1e-12, this script runs each scheduler module with float64 in their place: the module's `torch` and
`np` names are proxies that answer float64 when asked for float32 and pass everything else through.
Fresh noise (DDPM, DDIM with eta, Euler a, SDE-DPM-Solver++, LCM) comes from a recorded queue that
replaces the module's `randn_tensor`, so the Java test replays the same draws in the same order.

The model is analytic, the same in Java (SchedulerParityTest.model):

    out(x, t) = 0.8 tanh(x) + 0.1 x t / 1000

Run with a current PyTorch and diffusers' and huggingface_hub's public sources on PYTHONPATH:

    PYTORCH26_EXTRA=/tmp/diffusers:/tmp/hfhub PYTHONPATH=/tmp/diffusers/src:/tmp/hfhub/src \
        ../shared/tools/pytorch26 run scripts/scheduler_fixtures.py \
        --out jdiffusion-core/src/test/resources/io/jdiffusion/schedulers

Each case NAME.json holds: the scheduler config given to diffusers (its class and keys), the number of
steps, diffusers' timesteps and sigmas (when it has them), init_noise_sigma, x_T (standard normal),
the noise draws in order, x after each completed step (Heun: each second-order step), x at the end,
and eta where the step takes one. timesteps.json
holds, per spacing rule and step count 1..1000, a checksum of diffusers' integer timesteps.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch


class _Float64Proxy:
    """A module stand-in whose float32 is float64."""

    def __init__(self, mod, f64):
        object.__setattr__(self, '_mod', mod)
        object.__setattr__(self, '_f64', f64)

    def __getattr__(self, name):
        if name == 'float32':
            return self._f64
        return getattr(self._mod, name)


class NoiseQueue:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)
        self.draws = []

    def randn_tensor(self, shape, generator=None, device=None, dtype=None, layout=None, **kw):
        z = torch.randn(tuple(shape), generator=self.g, dtype=torch.float64)
        self.draws.append(z.clone())
        return z


def load(name):
    import importlib
    return importlib.import_module('diffusers.schedulers.' + name)


MODULES = {
    'DDPMScheduler': 'scheduling_ddpm',
    'DDIMScheduler': 'scheduling_ddim',
    'PNDMScheduler': 'scheduling_pndm',
    'LMSDiscreteScheduler': 'scheduling_lms_discrete',
    'EulerDiscreteScheduler': 'scheduling_euler_discrete',
    'EulerAncestralDiscreteScheduler': 'scheduling_euler_ancestral_discrete',
    'HeunDiscreteScheduler': 'scheduling_heun_discrete',
    'DPMSolverMultistepScheduler': 'scheduling_dpmsolver_multistep',
    'UniPCMultistepScheduler': 'scheduling_unipc_multistep',
    'LCMScheduler': 'scheduling_lcm',
}


def scheduler(cls_name, config, queue=None):
    m = load(MODULES[cls_name])
    m.torch = _Float64Proxy(torch, torch.float64)
    m.np = _Float64Proxy(np, np.float64)
    if queue is not None and hasattr(m, 'randn_tensor'):
        m.randn_tensor = queue.randn_tensor
    # betas_for_alpha_bar and the rescale helper live in the module too; they read the proxied names
    return getattr(m, cls_name)(**config)


def model(x, t):
    t = torch.as_tensor(t, dtype=torch.float64)
    return 0.8 * torch.tanh(x) + 0.1 * x * t / 1000


SD = dict(beta_start=0.00085, beta_end=0.012, beta_schedule='scaled_linear', num_train_timesteps=1000)
SHAPE = (2, 1, 2, 4)


def run_case(cls_name, config, steps, eta=None, seed=0):
    queue = NoiseQueue(1000 + seed)
    s = scheduler(cls_name, config, queue)
    s.set_timesteps(steps)
    g = torch.Generator().manual_seed(seed)
    x_t = torch.randn(SHAPE, generator=g, dtype=torch.float64)
    x = x_t * s.init_noise_sigma
    traj = []
    for t in s.timesteps:
        inp = s.scale_model_input(x, t)
        out = model(inp, t)
        kw = {}
        if eta is not None:
            kw['eta'] = eta
            kw['use_clipped_model_output'] = True
        x = s.step(out, t, x, return_dict=False, **kw)[0]
        if getattr(s, 'state_in_first_order', True):  # Heun: only completed steps
            traj.append(x.flatten().tolist())
    case = {
        'class': cls_name,
        'config': config,
        'steps': steps,
        'timesteps': [float(v) for v in s.timesteps.tolist()],
        'init_noise_sigma': float(s.init_noise_sigma),
        'shape': list(SHAPE),
        'x_T': x_t.flatten().tolist(),
        'noise': [z.flatten().tolist() for z in queue.draws],
        'trajectory': traj,
        'final': x.flatten().tolist(),
    }
    if hasattr(s, 'sigmas') and s.sigmas is not None:
        case['sigmas'] = [float(v) for v in torch.as_tensor(s.sigmas).tolist()]
    if eta is not None:
        case['eta'] = eta
    return case


def cases():
    """(name, class, config, steps, eta)."""
    out = []
    for spacing in ['leading', 'linspace', 'trailing']:
        for pred in ['epsilon', 'v_prediction', 'sample']:
            out.append((f'ddpm-{spacing}-{pred}', 'DDPMScheduler',
                        dict(timestep_spacing=spacing, prediction_type=pred), 50, None))
        out.append((f'ddpm-{spacing}-large-noclip', 'DDPMScheduler',
                    dict(timestep_spacing=spacing, variance_type='fixed_large', clip_sample=False), 50, None))
        for one in [True, False]:
            for offset in [0, 1]:
                for eta in [0.0, 1.0]:
                    out.append((f'ddim-{spacing}-alpha{int(one)}-offset{offset}-eta{int(eta)}', 'DDIMScheduler',
                                dict(SD, timestep_spacing=spacing, set_alpha_to_one=one, steps_offset=offset,
                                     clip_sample=False), 50, eta))
        out.append((f'ddim-{spacing}-v-clip', 'DDIMScheduler',
                    dict(SD, timestep_spacing=spacing, prediction_type='v_prediction', clip_sample=True), 30, 0.0))
        out.append((f'pndm-{spacing}', 'PNDMScheduler',
                    dict(SD, timestep_spacing=spacing, skip_prk_steps=True, steps_offset=1,
                         set_alpha_to_one=False), 50, None))
        out.append((f'pndm-{spacing}-v', 'PNDMScheduler',
                    dict(SD, timestep_spacing=spacing, skip_prk_steps=True, prediction_type='v_prediction'),
                    25, None))
        for karras in [False, True]:
            k = '-karras' if karras else ''
            out.append((f'lms-{spacing}{k}', 'LMSDiscreteScheduler',
                        dict(SD, timestep_spacing=spacing, use_karras_sigmas=karras), 50, None))
            out.append((f'euler-{spacing}{k}', 'EulerDiscreteScheduler',
                        dict(SD, timestep_spacing=spacing, use_karras_sigmas=karras, steps_offset=1), 50, None))
            out.append((f'heun-{spacing}{k}', 'HeunDiscreteScheduler',
                        dict(SD, timestep_spacing=spacing, use_karras_sigmas=karras), 25, None))
            out.append((f'dpm2m-{spacing}{k}', 'DPMSolverMultistepScheduler',
                        dict(SD, timestep_spacing=spacing, use_karras_sigmas=karras, steps_offset=1), 50, None))
            out.append((f'unipc-{spacing}{k}', 'UniPCMultistepScheduler',
                        dict(SD, timestep_spacing=spacing, use_karras_sigmas=karras), 50, None))
        out.append((f'euler-a-{spacing}', 'EulerAncestralDiscreteScheduler',
                    dict(SD, timestep_spacing=spacing, steps_offset=1), 50, None))
        out.append((f'euler-{spacing}-v', 'EulerDiscreteScheduler',
                    dict(SD, timestep_spacing=spacing, prediction_type='v_prediction'), 20, None))
        for order in [1, 2, 3]:
            for algo in ['dpmsolver++', 'sde-dpmsolver++']:
                for final in ['zero', 'sigma_min']:
                    for lof in [True, False]:
                        if algo == 'sde-dpmsolver++' and order == 3:
                            continue
                        out.append((f'dpm-{spacing}-o{order}-{algo}-{final}-lof{int(lof)}',
                                    'DPMSolverMultistepScheduler',
                                    dict(SD, timestep_spacing=spacing, solver_order=order, algorithm_type=algo,
                                         final_sigmas_type=final, lower_order_final=lof), 20, None))
        out.append((f'dpm3m-{spacing}-karras-v', 'DPMSolverMultistepScheduler',
                    dict(SD, timestep_spacing=spacing, solver_order=3, use_karras_sigmas=True,
                         prediction_type='v_prediction'), 25, None))
        for order in [1, 2, 3]:
            for solver in ['bh1', 'bh2']:
                # bh1 ending at sigma = 0 gives NaN in diffusers itself (alpha_t B_h 0 with B_h = -inf)
                final = 'sigma_min' if solver == 'bh1' else 'zero'
                out.append((f'unipc-{spacing}-o{order}-{solver}', 'UniPCMultistepScheduler',
                            dict(SD, timestep_spacing=spacing, solver_order=order, solver_type=solver,
                                 final_sigmas_type=final), 20, None))
        out.append((f'unipc-{spacing}-v-nofinal', 'UniPCMultistepScheduler',
                    dict(SD, timestep_spacing=spacing, prediction_type='v_prediction', lower_order_final=False,
                         final_sigmas_type='sigma_min', disable_corrector=[0]), 15, None))
    out.append(('dpm2m-lof-short', 'DPMSolverMultistepScheduler', dict(SD), 8, None))
    out.append(('dpm3m-lof-short', 'DPMSolverMultistepScheduler', dict(SD, solver_order=3), 12, None))
    for steps in [1, 2, 4, 8]:
        out.append((f'lcm-{steps}', 'LCMScheduler', dict(SD, set_alpha_to_one=True), steps, None))
    out.append(('lcm-4-v-orig25', 'LCMScheduler',
                dict(SD, prediction_type='v_prediction', original_inference_steps=25), 4, None))
    out.append(('ddpm-linear-1000', 'DDPMScheduler', dict(), 1000, None))
    return out


def checksum(ts):
    h = 0
    for i, t in enumerate(ts):
        h = (h * 1000003 + int(t) * (i + 1) + 7) % 2147483647
    return [len(ts), h]


def timestep_table():
    """Checksums of diffusers' integer timesteps for N = 1..1000, per class and spacing."""
    table = {}
    for cls_name, extra in [('DDIMScheduler', dict(steps_offset=1)), ('DDPMScheduler', {}),
                            ('PNDMScheduler', dict(skip_prk_steps=True, steps_offset=1)),
                            ('DPMSolverMultistepScheduler', dict(steps_offset=1)),
                            ('UniPCMultistepScheduler', dict(steps_offset=1)),
                            ('EulerDiscreteScheduler', dict(steps_offset=1))]:
        for spacing in ['leading', 'linspace', 'trailing']:
            rows = []
            for n in range(1, 1001):
                s = scheduler(cls_name, dict(SD, timestep_spacing=spacing, **extra))
                try:
                    s.set_timesteps(n)
                    ts = s.timesteps.tolist()
                    if cls_name == 'EulerDiscreteScheduler':  # float timesteps: compare at 1e-6
                        ts = [round(v * 1e6) for v in ts]
                    rows.append(checksum(ts))
                except Exception as e:  # e.g. steps the spacing cannot give
                    rows.append(['error', type(e).__name__])
            table[f'{cls_name}/{spacing}'] = {'config': dict(SD, timestep_spacing=spacing, **extra), 'rows': rows}
    return table


def main():
    torch.set_default_dtype(torch.float64)  # e.g. LCM's c_skip from an integer timestep times a float
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--only', default=None, help='write only cases whose name starts with this')
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import diffusers
    written = 0
    for name, cls_name, config, steps, eta in cases():
        if args.only and not name.startswith(args.only):
            continue
        case = run_case(cls_name, config, steps, eta)
        case['name'] = name
        with open(os.path.join(args.out, name + '.json'), 'w') as f:
            json.dump(case, f, separators=(',', ':'))
        written += 1
    if not args.only:
        with open(os.path.join(args.out, 'timesteps.json'), 'w') as f:
            json.dump(timestep_table(), f, separators=(',', ':'))
    with open(os.path.join(args.out, 'SOURCE'), 'w') as f:
        f.write(f'diffusers {getattr(diffusers, "__version__", "?")}, torch {torch.__version__}, '
                f'written by scripts/scheduler_fixtures.py\n')
    print(f'wrote {written} cases to {args.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
