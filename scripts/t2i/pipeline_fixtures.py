#!/usr/bin/env python3
"""Fixtures of diffusers' own Stable Diffusion pipelines at tiny random weights, for jdiffusion's Java pipelines.

Regenerate (from the repository root; about a minute):

    PYTORCH26_EXTRA=/tmp/diffusers:/tmp/hfhub PYTHONPATH=/tmp/diffusers/src:/tmp/hfhub/src \\
        /work/shared/tools/pytorch26 run scripts/t2i/pipeline_fixtures.py \\
        --out src/test/resources/io/jdiffusion/t2i/pipelines \\
        --tokenizers src/test/resources/io/jdiffusion/t2i/tok

--tokenizers is the folder of the CLIP tokenizer fixtures (sd1/ and sd2/, made by scripts/t2i/tokenizer_fixtures.py
in the tokenizer worktree; at the time of writing /work/wt-tok/src/test/resources/io/jdiffusion/t2i/tok, which
the chroot cannot see: copy it under /tmp or the repository first). Check afterwards with pipeline_replay_check.py.

diffusers is the checkout at /tmp/diffusers (commit 58eb52c0, version 0.40.0.dev0), huggingface_hub at /tmp/hfhub;
transformers is replaced by scripts/t2i/transformers_standin.py (CLIPTextModel = clip_text_ref.py,
CLIPTokenizer = clip_tokenizer_ref.py, both copied unchanged from the CLIP workers' worktrees).

What is written under --out:
  <family>/            a pipeline folder exactly as DiffusionPipeline.save_pretrained writes it: model_index.json,
                       unet/, vae/ (config.json + diffusion_pytorch_model.safetensors), text_encoder/ (config.json +
                       model.safetensors), tokenizer/ (vocab.json, merges.txt, tokenizer_config.json,
                       special_tokens_map.json), scheduler/scheduler_config.json. Families: sd1, sd2v, turbo, small,
                       inpaint (see FAMILIES).
  schedulers/<name>/   scheduler_config.json of a scheduler swapped into a loaded pipeline the way diffusers' docs do
                       it, `pipe.scheduler = Cls.from_config(pipe.scheduler.config, **overrides)` (dpm, unipc, lms
                       on the sd1 folder); the file is what `pipe.scheduler.save_pretrained(dir)` writes.
  cases/<case>.json    the call: pipeline class, folder, scheduler swap, every argument of the call (prompt,
                       negative_prompt, guidance_scale, guidance_rescale, num_inference_steps, height, width,
                       strength, eta, clip_skip, num_images_per_prompt, generator seeds), the timesteps (and sigmas)
                       the scheduler used, the draw log, and for each tensor in the .safetensors its meaning.
  cases/<case>.safetensors  arrays of that run (float32 unless said):
      text_encoder_ids_K (int64): the ids of the K-th text encoder call (0: prompt(s), 1: uncond under CFG)
      prompt_embeds, negative_prompt_embeds: encode_prompt's outputs (before the [uncond, cond] concat)
      draw_K: the K-th randn_tensor output (see the draw log: call site, shape, generators' seeds)
      init_image (uint8 HWC), mask_image (uint8 HW): the PIL inputs; image_tensor: preprocess output [-1,1];
      mask_condition: the binarized mask (B,1,H,W); masked_image_latents, mask (latent-size, after CFG duplication)
      encoder_mean_K / encoder_std_K: the VAE latent distribution of the K-th vae.encode call
      latents_init: the latents entering the loop (after init_noise_sigma / add_noise); noise, image_latents
      (inpaint): prepare_latents' other outputs (the 4-channel blend reuses them)
      unet_in_I, unet_out_I: the UNet's input (after scale_model_input and, inpaint-9, the channel concat) and
      output at step I; latents_I: latents after step I (callback_on_step_end)
      decode_input: latents / scaling_factor; decoded: vae.decode output (before postprocess); image: output_type="np" (B,H,W,C in [0,1]; the
      output_type="pt" numbers, permuted); image_uint8: numpy_to_pil's (image*255).round() as uint8;
      png_K: the bytes of numpy_to_pil(image)[K].save(format="PNG") as uint8.

How each pipeline computes (diffusers 58eb52c0; paths under /tmp/diffusers/src/diffusers/, line numbers checked
against that commit; pipeline_replay_check.py replays every case from these notes without the pipeline classes):

StableDiffusionPipeline.__call__ (pipelines/stable_diffusion/pipeline_stable_diffusion.py, "SD" below)
  0. height/width default to unet.config.sample_size * vae_scale_factor (SD:913-924); vae_scale_factor =
     2 ** (len(vae.config.block_out_channels) - 1) (SD:296); check_inputs: both divisible by 8 (SD:638).
  1. do_classifier_free_guidance = guidance_scale > 1 and unet.config.time_cond_proj_dim is None (SD:763-764).
  2. encode_prompt (SD:332-512):
     - maybe_convert_prompt (loaders/textual_inversion.py:123-179): identity unless the tokenizer holds
       multi-vector tokens "<tok>_1", ...;
     - ids = tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length (77), truncation=True)
       (SD:396-403): [bos] + tokens[:75] + [eos] + pad to 77 (pad id: <|endoftext|> for SD 1.x folders, "!" = 0
       for SD 2.x); untruncated = tokenizer(prompt, padding="longest") (SD:404); when it is longer, a warning names
       batch_decode(untruncated[:, 76:-1]) (SD:406-415); no attention mask unless text_encoder.config has
       use_attention_mask (SD:417-420; CLIP configs do not);
     - clip_skip None: text_encoder(ids)[0], the last hidden state after final_layer_norm (SD:422-424); else
       hidden_states[-(clip_skip + 1)] passed through text_encoder.text_model.final_layer_norm (SD:425-437);
     - cast to text_encoder.dtype (SD:439-446); repeat(1, n, 1).view(B * n, 77, D) (SD:448-451), i.e. rows
       [p0, p0, p1, p1] for 2 prompts x n=2 images;
     - uncond tokens (only under CFG): [""] * B when negative_prompt is None, else the negative prompt(s)
       (SD:454-476), tokenized with padding="max_length", max_length = 77, truncation=True (SD:479-485), encoded
       WITHOUT clip_skip (always [0], SD:492-496), repeated the same way (SD:498-505).
  3. CFG batch: prompt_embeds = cat([negative_prompt_embeds, prompt_embeds]): [uncond..., cond...] (SD:978).
  4. retrieve_timesteps -> scheduler.set_timesteps(num_inference_steps) (SD:993-995, SD:95-153).
  5. prepare_latents (SD:694-715): shape (B*n, unet.in_channels, H/f, W/f); randn_tensor(shape, generator)
     (utils/torch_utils.py:183: with a LIST of generators, one draw of shape (1, C, h, w) per generator in batch
     order, then cat; with one generator, a single draw of the whole shape); latents *= init_noise_sigma.
  6. extra_step_kwargs: eta if scheduler.step takes it (DDIM), generator if it takes one (SD:608-623).
  7. loop (SD:1032-1081): x = cat([latents] * 2) if CFG (SD:1037); x = scheduler.scale_model_input(x, t)
     (SD:1038-1039); noise_pred = unet(x, t, encoder_hidden_states=prompt_embeds) (SD:1042-1050); CFG:
     uncond, text = noise_pred.chunk(2); noise_pred = uncond + guidance_scale * (text - uncond) (SD:1053-1055);
     guidance_rescale > 0 (SD:1057-1059, rescale_noise_cfg SD:69-92): std over all dims but the batch
     (torch.std, unbiased) of text and of the guided prediction, rescaled = guided * std_text / std_guided,
     noise_pred = r * rescaled + (1 - r) * guided; latents = scheduler.step(noise_pred, t, latents, ...)[0]
     (SD:1062).
  8. image = vae.decode(latents / vae.config.scaling_factor) (SD:1084-1087); the safety checker is None (skipped).
  9. postprocess (image_processor.py VaeImageProcessor.postprocess :738): denormalize (x / 2 + 0.5).clamp(0, 1)
     (:222); "np": permute to B,H,W,C float32 (pt_to_numpy :191); numpy_to_pil (:128-150):
     (images * 255).round().astype("uint8") (SD:1099 calls postprocess).

StableDiffusionImg2ImgPipeline.__call__ (pipeline_stable_diffusion_img2img.py, "I2I")
  - encode_prompt, CFG concat (I2I:1036) as above; no guidance_rescale argument.
  - image = image_processor.preprocess(image) (I2I:1048): PIL -> size rounded down to a multiple of
    vae_scale_factor (get_default_height_width image_processor.py:560, resize :462; the fixtures' images already
    have that size, so nothing is resampled), RGB, /255 float32 (pil_to_numpy :152), HWC -> CHW, 2x - 1
    (normalize :207).
  - set_timesteps(steps); get_timesteps (I2I:724-733, called at I2I:1058): init_timestep = min(int(steps * strength),
    steps); t_start = max(steps - init_timestep, 0); timesteps = scheduler.timesteps[t_start * order:];
    scheduler.set_begin_index(t_start * order); latent_timestep = timesteps[:1].repeat(B*n) (I2I:1059).
  - prepare_latents (I2I:735-798, called at I2I:1062): with a generator list the image is first repeated to
    the batch, then vae.encode(image[i:i+1]).latent_dist.sample(generator[i]) per image (I2I:755-767); with one
    generator, one encode and one sample (I2I:769). sample = mean + std * randn_tensor(mean.shape, generator)
    (models/autoencoders/vae.py:687-705: logvar clamped to [-30, 20], std = exp(0.5 logvar));
    init_latents = scaling_factor * sample (I2I:771); noise = randn_tensor(init_latents.shape, generator) (I2I:792);
    latents = scheduler.add_noise(init_latents, noise, latent_timestep) (I2I:795). No init_noise_sigma factor.
    Draw order: the encode sample(s), then the noise.
  - loop from timesteps[t_start * order:] as txt2img (I2I:1119 step), decode (I2I:1142), postprocess.

StableDiffusionInpaintPipeline.__call__ (pipeline_stable_diffusion_inpaint.py, "INP")
  - encode_prompt, CFG concat (INP:1127); set_timesteps, get_timesteps(strength) (INP:1146);
    latent_timestep = timesteps[:1].repeat(B*n) (INP:1156); is_strength_max = strength == 1.0 (INP:1158).
    Default strength 1.0.
  - init_image = image_processor.preprocess(image, height, width) as img2img, float32 (INP:1170-1173).
  - prepare_latents (INP:688-749, called at INP:1180): return_image_latents = unet.in_channels == 4 (INP:1178);
    when 4 channels, or when strength < 1: image_latents = scaling_factor * vae.encode(init_image).latent_dist
    .sample(generator) (_encode_vae_image INP:751-763: with a generator list it loops over init_image's batch,
    which is ONE image, so only generator[0] draws), repeated to the batch (INP:729); then
    noise = randn_tensor((B*n, 4, h, w), generator) (INP:732); latents = noise * init_noise_sigma when
    strength == 1, else scheduler.add_noise(image_latents, noise, latent_timestep) (INP:734-736).
  - mask_condition = mask_processor.preprocess(mask_image, height, width) (INP:1202): mask_processor =
    VaeImageProcessor(do_normalize=False, do_binarize=True, do_convert_grayscale=True) (INP:273-275): PIL ->
    "L", /255, no 2x - 1, binarize: < 0.5 -> 0, >= 0.5 -> 1 (image_processor.py:523-540; so 127 -> 0,
    128 -> 1). No blur (only mask_processor.blur, which the caller must call).
  - masked_image = init_image * (mask_condition < 0.5) (INP:1207): repainted pixels become 0 (mid grey).
  - prepare_mask_latents (INP:765-808, called at INP:1211): mask = F.interpolate(mask_condition,
    size=(H/f, W/f)) (default mode "nearest": source pixel floor(i * H / h)); masked_image_latents =
    scaling_factor * sample of vae.encode(masked_image) (a SECOND encode with its own draw, after the noise draw;
    generator[0] only, as above); both repeated to the batch, then cat([x] * 2) under CFG.
  - loop (INP:1263-1325): x = cat([latents] * 2) if CFG; x = scale_model_input(x, t); 9-channel UNet:
    x = cat([x, mask, masked_image_latents], dim=1), channels [latents 4 | mask 1 | masked-image latents 4]
    (INP:1274); UNet, CFG (no guidance_rescale in inpaint); latents = scheduler.step(...).
    4-channel UNet (INP:1294-1307): after each step, init_latents_proper = image_latents, and unless it is the
    last step, scheduler.add_noise(image_latents, noise, tensor([timesteps[i + 1]])) with the SAME noise drawn in
    prepare_latents; latents = (1 - init_mask) * init_latents_proper + init_mask * latents, init_mask = the first
    half of mask under CFG. The current diffusers still blends this way for 4-channel UNets.
  - decode (INP:1339-1341), postprocess (INP:1352); the blend is in latent space only (no pixel paste unless
    padding_mask_crop is given).

Random draws: every draw in these pipelines goes through diffusers.utils.torch_utils.randn_tensor (imported by name
into the pipelines, schedulers and models/autoencoders/vae.py); this script replaces each such name with a recorder
and checks after each run that every generator's state equals a fresh generator of the same seed that made only
the recorded draws (torch.randn(shape, generator=g), float32, CPU), so nothing else consumed them.
"""
import argparse
import inspect
import io
import json
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import transformers_standin  # noqa: E402

transformers_standin.install()

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

import diffusers  # noqa: E402
import diffusers.utils.torch_utils as torch_utils  # noqa: E402
from diffusers import (  # noqa: E402
    AutoencoderKL, DDIMScheduler, DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler, LMSDiscreteScheduler, PNDMScheduler, StableDiffusionImg2ImgPipeline,
    StableDiffusionInpaintPipeline, StableDiffusionPipeline, UNet2DConditionModel, UniPCMultistepScheduler)
from transformers import CLIPTextModel, CLIPTokenizer  # noqa: E402  (the stand-in)
import clip_text_ref  # noqa: E402

# the tokenizer folders of the CLIP tokenizer fixtures (sd1: pad <|endoftext|>, sd2: pad "!"), set by --tokenizers
TOKENIZERS = "src/test/resources/io/jdiffusion/t2i/tok"
SD_BETAS = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")


# ---------------------------------------------------------------- tiny components
def randomize(model, seed):
    """Every parameter random and non-zero: matrices / kernels N(0, 1/fan_in), 1-D norm weights 1 + N(0, 0.2^2),
    other 1-D parameters (biases) N(0, 0.1^2)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            z = torch.randn(p.shape, generator=g)
            if p.ndim >= 2:
                p.copy_(z / math.sqrt(p[0].numel()))
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.2 * z)
            else:
                p.copy_(0.1 * z)
    return model


def text_encoder(tokenizer_folder, hidden, act, seed):
    vocab = json.load(open(os.path.join(TOKENIZERS, tokenizer_folder, "vocab.json")))
    cfg = json.load(open(os.path.join(TOKENIZERS, tokenizer_folder, "tokenizer_config.json")))
    ids = list(vocab.values()) + [int(k) for k in cfg.get("added_tokens_decoder", {})]
    config = clip_text_ref.Config(
        vocab_size=max(ids) + 1, hidden_size=hidden, intermediate_size=2 * hidden, projection_dim=hidden,
        num_hidden_layers=2, num_attention_heads=2, max_position_embeddings=77, hidden_act=act,
        bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"])
    model = CLIPTextModel(config)
    clip_text_ref.randomize(model, torch.Generator().manual_seed(seed))
    return model.eval()


def vae(seed, groups=2):
    model = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(4, 8, 8), layers_per_block=1,
        down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
        norm_num_groups=groups, sample_size=32, scaling_factor=0.18215)
    randomize(model, seed)
    with torch.no_grad():  # decoded pixels mostly inside [-1, 1], so that few are clamped by postprocess
        model.decoder.conv_out.weight.mul_(0.6)
        model.decoder.conv_out.bias.mul_(0.6)
    return model.eval()


def unet(seed, **kw):
    base = dict(sample_size=8, in_channels=4, out_channels=4, layers_per_block=1, block_out_channels=(8, 16),
                down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), norm_num_groups=4, cross_attention_dim=8,
                attention_head_dim=2)
    base.update(kw)
    return randomize(UNet2DConditionModel(**base), seed).eval()


def family(name):
    """The components of one tiny pipeline family (random weights seeded per family)."""
    if name == "sd1":  # SD 1.x: PNDM (skip_prk_steps), quick_gelu CLIP, heads as an int
        sched = PNDMScheduler(**SD_BETAS, skip_prk_steps=True, steps_offset=1, set_alpha_to_one=False)
        return dict(unet=unet(101, layers_per_block=2), vae=vae(102), text_encoder=text_encoder("sd1", 8, "quick_gelu", 103),
                    tokenizer=CLIPTokenizer(os.path.join(TOKENIZERS, "sd1")), scheduler=sched)
    if name == "sd2v":  # SD 2.x 768-v: DDIM v-prediction, gelu CLIP, head counts per block, linear projections
        sched = DDIMScheduler(**SD_BETAS, prediction_type="v_prediction", clip_sample=False, set_alpha_to_one=False,
                              steps_offset=1)
        return dict(unet=unet(201, cross_attention_dim=16, attention_head_dim=[2, 4], use_linear_projection=True,
                              down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
                              up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D")),
                    vae=vae(202), text_encoder=text_encoder("sd2", 16, "gelu", 203),
                    tokenizer=CLIPTokenizer(os.path.join(TOKENIZERS, "sd2")), scheduler=sched)
    if name == "turbo":  # SD-Turbo-like: Euler ancestral, trailing spacing, 1 step without CFG
        sched = EulerAncestralDiscreteScheduler(**SD_BETAS, timestep_spacing="trailing", steps_offset=1)
        return dict(unet=unet(301, attention_head_dim=[2, 4], use_linear_projection=True),
                    vae=vae(302), text_encoder=text_encoder("sd2", 8, "gelu", 303),
                    tokenizer=CLIPTokenizer(os.path.join(TOKENIZERS, "sd2")), scheduler=sched)
    if name == "small":  # BK-SDM-like: no mid block, one layer per block; Euler (leading, steps_offset 1)
        sched = EulerDiscreteScheduler(**SD_BETAS, steps_offset=1, timestep_spacing="leading")
        return dict(unet=unet(401, mid_block_type=None), vae=vae(402),
                    text_encoder=text_encoder("sd1", 8, "quick_gelu", 403),
                    tokenizer=CLIPTokenizer(os.path.join(TOKENIZERS, "sd1")), scheduler=sched)
    if name == "inpaint":  # SD inpainting: 9-channel UNet (latents, mask, masked-image latents); DDIM
        sched = DDIMScheduler(**SD_BETAS, clip_sample=False, set_alpha_to_one=False, steps_offset=1)
        return dict(unet=unet(501, in_channels=9), vae=vae(502), text_encoder=text_encoder("sd1", 8, "quick_gelu", 503),
                    tokenizer=CLIPTokenizer(os.path.join(TOKENIZERS, "sd1")), scheduler=sched)
    raise ValueError(name)


FAMILIES = ["sd1", "sd2v", "turbo", "small", "inpaint"]

SCHEDULER_SWAPS = {  # name -> (class, overrides) applied as Cls.from_config(sd1 scheduler config, **overrides)
    "dpm": (DPMSolverMultistepScheduler, dict(algorithm_type="dpmsolver++", solver_order=2, use_karras_sigmas=True)),
    "unipc": (UniPCMultistepScheduler, dict()),
    "lms": (LMSDiscreteScheduler, dict()),
}

LONG_PROMPT = ("a very detailed painting of a lighthouse on a rocky coast at sunset, with waves crashing against "
               "the rocks, seagulls flying over the water, a small boat in the distance, dramatic clouds in an "
               "orange and purple sky, warm light from the lighthouse window, moss on the stones, a wooden fence "
               "along the path, wild flowers in the grass, and a red kite flying high above the cliffs while two "
               "children watch from the beach below")

CASES = [
    # name, pipeline, folder, swap, call arguments, seeds (one generator, or a list of per-image generators)
    dict(name="sd1_txt2img", pipe="txt2img", folder="sd1",
         args=dict(prompt="a photo of an astronaut riding a horse on mars", negative_prompt="blurry, low quality",
                   guidance_scale=7.5, num_inference_steps=4, height=32, width=32), seeds=0),
    dict(name="sd1_txt2img_empty", pipe="txt2img", folder="sd1",
         args=dict(prompt="", guidance_scale=3.0, num_inference_steps=3, height=32, width=32), seeds=1),
    dict(name="sd1_txt2img_long", pipe="txt2img", folder="sd1",
         args=dict(prompt=LONG_PROMPT, guidance_scale=5.0, num_inference_steps=3, height=32, width=32,
                   num_images_per_prompt=2, clip_skip=1), seeds=[10, 11]),
    dict(name="sd2v_txt2img", pipe="txt2img", folder="sd2v",
         args=dict(prompt=["a red car parked by the sea", "a blue bird on a branch"],
                   negative_prompt=["ugly", "dark, grainy"], guidance_scale=6.0, guidance_rescale=0.7,
                   num_inference_steps=4, height=32, width=48, eta=0.5), seeds=[20, 21]),
    dict(name="turbo_txt2img", pipe="txt2img", folder="turbo",
         args=dict(prompt="a cinematic shot of a baby racoon wearing an intricate italian priest robe",
                   guidance_scale=0.0, num_inference_steps=1, height=32, width=32, num_images_per_prompt=2),
         seeds=[30, 31]),
    dict(name="small_txt2img", pipe="txt2img", folder="small",
         args=dict(prompt="a watercolor of a fox in the snow", negative_prompt="text, watermark",
                   guidance_scale=7.0, num_inference_steps=4, height=32, width=32), seeds=40),
    dict(name="sd1_dpm_txt2img", pipe="txt2img", folder="sd1", swap="dpm",
         args=dict(prompt="a castle on a hill", negative_prompt="fog", guidance_scale=6.0, num_inference_steps=5,
                   height=32, width=32), seeds=50),
    dict(name="sd1_unipc_txt2img", pipe="txt2img", folder="sd1", swap="unipc",
         args=dict(prompt="a bowl of fruit on a table", guidance_scale=6.0, num_inference_steps=5,
                   height=32, width=32), seeds=60),
    dict(name="sd1_lms_txt2img", pipe="txt2img", folder="sd1", swap="lms",
         args=dict(prompt="an old tree in autumn", negative_prompt="people", guidance_scale=6.0,
                   num_inference_steps=5, height=32, width=32), seeds=70),
    dict(name="sd1_img2img", pipe="img2img", folder="sd1",
         args=dict(prompt="a sketch turned into an oil painting", negative_prompt="blurry", strength=0.6,
                   guidance_scale=7.5, num_inference_steps=5), image=(32, 32, 80), seeds=80),
    dict(name="sd2v_img2img", pipe="img2img", folder="sd2v",
         args=dict(prompt="a snowy mountain village", strength=0.6, guidance_scale=5.0, num_inference_steps=5,
                   num_images_per_prompt=2, eta=0.0), image=(32, 48, 90), seeds=[90, 91]),
    dict(name="inpaint9", pipe="inpaint", folder="inpaint",
         args=dict(prompt="a yellow cat sitting on a bench", negative_prompt="deformed", guidance_scale=7.5,
                   num_inference_steps=4, height=32, width=32), image=(32, 32, 100), seeds=100),
    dict(name="inpaint9_strength", pipe="inpaint", folder="inpaint",
         args=dict(prompt="a wooden door", guidance_scale=4.0, num_inference_steps=5, height=32, width=32,
                   strength=0.75, num_images_per_prompt=2), image=(32, 32, 110), seeds=[110, 111]),
    dict(name="sd1_inpaint4", pipe="inpaint", folder="sd1",
         args=dict(prompt="a stone wall with ivy", guidance_scale=7.5, num_inference_steps=4, height=32, width=32),
         image=(32, 32, 120), seeds=120),
    dict(name="sd1_inpaint4_strength", pipe="inpaint", folder="sd1",
         args=dict(prompt="a garden path", negative_prompt="cars", guidance_scale=5.0, num_inference_steps=5,
                   height=32, width=32, strength=0.7), image=(32, 32, 130), seeds=130),
]

PIPELINES = {"txt2img": StableDiffusionPipeline, "img2img": StableDiffusionImg2ImgPipeline,
             "inpaint": StableDiffusionInpaintPipeline}


# ---------------------------------------------------------------- inputs
def input_image(h, w, seed):
    """A smooth RGB picture with some noise, uint8 HWC."""
    rs = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([128 + 100 * np.sin(x / 5 + seed), 128 + 100 * np.cos(y / 7), 60 + 3 * x + 2 * y], axis=-1)
    img += rs.normal(0, 12, img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def input_mask(h, w):
    """An L mask: 255 in a centre rectangle, with grey values either side of the binarize threshold (127 -> 0,
    128 -> 1) on its border, 0 elsewhere."""
    m = np.zeros((h, w), np.uint8)
    m[h // 4: 3 * h // 4, w // 4: 3 * w // 4] = 255
    m[h // 4 - 1, :] = 127
    m[:, w // 4 - 1] = 128
    m[3 * h // 4, w // 2:] = 200
    m[2, 2:6] = 100
    return m


# ---------------------------------------------------------------- recording
class Recorder:
    """Replaces randn_tensor everywhere diffusers imported it; logs every draw with its call site."""

    def __init__(self):
        self.original = torch_utils.randn_tensor
        self.draws = []
        self.labels = {}  # id(generator) -> seed

        def recording(shape, generator=None, device=None, dtype=None, layout=None, **kw):
            out = self.original(shape, generator=generator, device=device, dtype=dtype, layout=layout, **kw)
            frame = inspect.stack()[1]
            gens = generator if isinstance(generator, list) else [generator]
            self.draws.append(dict(
                site=f"{os.path.relpath(frame.filename, os.path.dirname(diffusers.__file__))}:{frame.lineno}"
                     f" {frame.function}",
                shape=list(out.shape), dtype=str(out.dtype).replace("torch.", ""),
                generators=[None if g is None else self.labels[id(g)] for g in gens],
                per_generator=isinstance(generator, list), tensor=out.detach().clone()))
            return out

        self.recording = recording
        for mod in list(sys.modules.values()):
            if getattr(mod, "randn_tensor", None) is self.original:
                mod.randn_tensor = recording

    def generators(self, seeds):
        self.draws = []
        if isinstance(seeds, list):
            gens = [torch.Generator().manual_seed(s) for s in seeds]
        else:
            gens = [torch.Generator().manual_seed(seeds)]
        self.labels = {id(g): s for g, s in zip(gens, seeds if isinstance(seeds, list) else [seeds])}
        return gens if isinstance(seeds, list) else gens[0], gens

    def check_states(self, gens):
        """Each generator advanced exactly by the recorded draws (so the log is complete)."""
        for g in gens:
            seed = self.labels[id(g)]
            replay = torch.Generator().manual_seed(seed)
            for d in self.draws:
                n = d["generators"].count(seed)
                for _ in range(n):
                    shape = [1] + d["shape"][1:] if d["per_generator"] else d["shape"]
                    torch.randn(shape, generator=replay, dtype=getattr(torch, d["dtype"]))
            if not torch.equal(replay.get_state(), g.get_state()):
                raise RuntimeError(f"generator {seed} consumed draws the log does not show")


def run_case(case, out, recorder):
    folder = os.path.join(out, case["folder"])
    cls = PIPELINES[case["pipe"]]
    pipe = cls.from_pretrained(folder, safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    swap = case.get("swap")
    if swap:
        scls, overrides = SCHEDULER_SWAPS[swap]
        pipe.scheduler = scls.from_config(pipe.scheduler.config, **overrides)
        sdir = os.path.join(out, "schedulers", swap)
        pipe.scheduler.save_pretrained(sdir)
        # the Java side loads this file: check it gives the same scheduler
        reloaded = scls.from_pretrained(sdir)
        a_cfg = {k: v for k, v in reloaded.config.items() if not k.startswith("_")}
        b_cfg = {k: v for k, v in pipe.scheduler.config.items() if not k.startswith("_")}
        if a_cfg != b_cfg:
            raise RuntimeError(f"scheduler reload differs: {set(a_cfg.items()) ^ set(b_cfg.items())}")
        pipe.scheduler = reloaded
    tensors, meta_tensors = {}, {}

    def put(key, value, meaning):
        tensors[key] = value.detach().contiguous().clone() if torch.is_tensor(value) else torch.from_numpy(
            np.ascontiguousarray(value))
        meta_tensors[key] = meaning

    # hooks: text encoder input ids, encode_prompt outputs, vae encode / decode, unet in / out
    te_calls, enc_calls, unet_calls, dec_calls = [], [], [], []
    te_forward = pipe.text_encoder.forward

    def te_hook(input_ids, **kw):
        te_calls.append(input_ids.clone())
        return te_forward(input_ids, **kw)

    pipe.text_encoder.forward = te_hook
    encode_prompt = pipe.encode_prompt
    captured = {}

    def encode_hook(*a, **kw):
        pe, ne = encode_prompt(*a, **kw)
        captured["prompt_embeds"], captured["negative_prompt_embeds"] = pe, ne
        return pe, ne

    pipe.encode_prompt = encode_hook
    vae_encode, vae_decode = pipe.vae.encode, pipe.vae.decode

    def encode_vae(x, *a, **kw):
        r = vae_encode(x, *a, **kw)
        enc_calls.append((x.clone(), r.latent_dist.mean.clone(), r.latent_dist.std.clone()))
        return r

    def decode_vae(z, *a, **kw):
        r = vae_decode(z, *a, **kw)
        dec_calls.append((z.clone(), r[0].clone()))
        return r

    pipe.vae.encode, pipe.vae.decode = encode_vae, decode_vae
    unet_forward = pipe.unet.forward

    def unet_hook(x, t, *a, **kw):
        r = unet_forward(x, t, *a, **kw)
        unet_calls.append((x.clone(), float(t), r[0].clone()))
        return r

    pipe.unet.forward = unet_hook
    prepare_latents, prepared = pipe.prepare_latents, []

    def prepare_hook(*a, **kw):
        r = prepare_latents(*a, **kw)
        prepared.extend([x.clone() for x in r] if isinstance(r, tuple) else [r.clone()])
        return r

    pipe.prepare_latents = prepare_hook
    step_latents, extra = [], {}

    def on_step_end(p, i, t, kw):
        step_latents.append(kw["latents"].clone())
        if "mask" in kw and i == 0:
            extra["mask"], extra["masked_image_latents"] = kw["mask"].clone(), kw["masked_image_latents"].clone()
        return kw

    generator, gens = recorder.generators(case["seeds"])
    args = dict(case["args"])
    call = dict(args)
    if "image" in case:
        h, w, s = case["image"]
        img = input_image(h, w, s)
        put("init_image", torch.from_numpy(img), "input image, uint8 HWC RGB (given to the pipeline as a PIL image)")
        call["image"] = Image.fromarray(img, mode="RGB")
        if case["pipe"] == "inpaint":
            m = input_mask(h, w)
            put("mask_image", torch.from_numpy(m), "mask, uint8 HW (given as a PIL 'L' image; white = repaint)")
            call["mask_image"] = Image.fromarray(m, mode="L")
    inputs = ["latents"] + (["mask", "masked_image_latents"] if case["pipe"] == "inpaint" else [])
    # the preprocess outputs, computed as the pipeline does (image_processor / mask_processor)
    if "image" in case:
        put("image_tensor", pipe.image_processor.preprocess(call["image"], height=args.get("height"),
                                                           width=args.get("width")),
            "image_processor.preprocess(image): float32 (1,3,H,W) in [-1,1]")
    if case["pipe"] == "inpaint":
        put("mask_condition", pipe.mask_processor.preprocess(call["mask_image"], height=args["height"],
                                                            width=args["width"]),
            "mask_processor.preprocess(mask_image): binarized float32 (1,1,H,W)")
    with torch.no_grad():
        result = pipe(**call, generator=generator, output_type="np", callback_on_step_end=on_step_end,
                      callback_on_step_end_tensor_inputs=inputs)
    recorder.check_states(gens)
    image = result.images
    first_draws, first_embeds = list(recorder.draws), dict(captured)
    counts = [(calls, len(calls)) for calls in (te_calls, enc_calls, unet_calls, dec_calls, prepared)]
    # output_type="pt" on the same call gives the same numbers, channels first
    generator_pt, _ = recorder.generators(case["seeds"])
    with torch.no_grad():
        pt = pipe(**call, generator=generator_pt, output_type="pt").images
    if not torch.equal(pt.permute(0, 2, 3, 1), torch.from_numpy(image)):
        raise RuntimeError(f"{case['name']}: output_type pt and np differ")
    for calls, n in counts:  # keep the first run's records only
        del calls[n:]

    # --- record
    te_keys = []
    for k, ids in enumerate(te_calls):
        te_keys.append(f"text_encoder_ids_{k}")
        put(f"text_encoder_ids_{k}", ids, f"int64 ids of text encoder call {k} (call order: prompt, then negative)")
    captured = first_embeds
    put("prompt_embeds", captured["prompt_embeds"], "encode_prompt's prompt_embeds (B*n, 77, D)")
    if captured["negative_prompt_embeds"] is not None:
        put("negative_prompt_embeds", captured["negative_prompt_embeds"], "encode_prompt's negative_prompt_embeds")
    draws = []
    for k, d in enumerate(first_draws):
        put(f"draw_{k}", d["tensor"], f"randn_tensor output {k}")
        draws.append({kk: v for kk, v in d.items() if kk != "tensor"} | {"key": f"draw_{k}"})
    for k, (x, mean, std) in enumerate(enc_calls):
        put(f"encoder_mean_{k}", mean, f"latent_dist.mean of vae.encode call {k} (input {tuple(x.shape)})")
        put(f"encoder_std_{k}", std, f"latent_dist.std of vae.encode call {k}")
    for k in extra:
        put(k, extra[k], f"{k} as the UNet loop sees it (after CFG duplication)")
    for i, (x, t, y) in enumerate(unet_calls):
        put(f"unet_in_{i}", x, f"UNet input at step {i} (t={t})")
        put(f"unet_out_{i}", y, f"UNet output at step {i}")
    for i, z in enumerate(step_latents):
        put(f"latents_{i}", z, f"latents after step {i}")
    assert len(dec_calls) == 1
    put("decode_input", dec_calls[0][0], "vae.decode input: latents / scaling_factor")
    put("decoded", dec_calls[0][1], "vae.decode output (B,3,H,W), before postprocess")
    put("image", torch.from_numpy(image), "output_type='np': (B,H,W,3) float32 in [0,1]")
    pils = StableDiffusionPipeline.numpy_to_pil(image)
    put("image_uint8", torch.from_numpy((image * 255).round().astype("uint8")), "numpy_to_pil's uint8 pixels")
    for k, p in enumerate(pils):
        buf = io.BytesIO()
        p.save(buf, format="PNG")
        put(f"png_{k}", torch.frombuffer(bytearray(buf.getvalue()), dtype=torch.uint8), f"PNG bytes of image {k}")
    put("latents_init", prepared[0], "prepare_latents' latents: the latents entering the loop")
    if len(prepared) > 1:
        put("noise", prepared[1], "inpaint prepare_latents' noise (reused by the 4-channel blending)")
    if len(prepared) > 2:
        put("image_latents", prepared[2], "inpaint prepare_latents' image_latents (4-channel blending)")
    sched = pipe.scheduler
    record = dict(
        name=case["name"], pipeline=cls.__name__, folder=case["folder"],
        scheduler_swap=None if not swap else dict(folder=f"schedulers/{swap}", cls=sched.__class__.__name__,
                                                    overrides=SCHEDULER_SWAPS[swap][1]),
        scheduler=sched.__class__.__name__, scheduler_config=dict(sched.config),
        args=args, generator_seeds=case["seeds"], per_image_generators=isinstance(case["seeds"], list),
        output_type="np", image_input=None if "image" not in case else dict(height=case["image"][0],
                                                                             width=case["image"][1]),
        do_classifier_free_guidance=bool(pipe.do_classifier_free_guidance),
        vae_scale_factor=pipe.vae_scale_factor, scaling_factor=pipe.vae.config.scaling_factor,
        init_noise_sigma=float(sched.init_noise_sigma),
        timesteps=[float(t) for t in sched.timesteps],
        loop_timesteps=[t for _, t, _ in unet_calls],
        sigmas=[float(s) for s in sched.sigmas] if hasattr(sched, "sigmas") and sched.sigmas is not None else None,
        steps_run=len(unet_calls), draws=draws, text_encoder_calls=te_keys,
        output_type_pt_equal=True,
        truncation_warnings=[pipe.tokenizer.ref.pipeline(p)[3] for p in
                             ([args["prompt"]] if isinstance(args["prompt"], str) else args["prompt"])],
        tensors=meta_tensors,
    )
    for k, v in list(record["scheduler_config"].items()):
        if isinstance(v, tuple):
            record["scheduler_config"][k] = list(v)
    os.makedirs(os.path.join(out, "cases"), exist_ok=True)
    save_file(tensors, os.path.join(out, "cases", case["name"] + ".safetensors"))
    with open(os.path.join(out, "cases", case["name"] + ".json"), "w") as f:
        json.dump(record, f, indent=1, default=str)
        f.write("\n")
    print(f"{case['name']}: {len(unet_calls)} steps, {len(draws)} draws, image {tuple(image.shape)}"
          f" range [{image.min():.3f}, {image.max():.3f}] std {image.std():.3f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--tokenizers", default=TOKENIZERS,
                    help="folder holding the sd1/ and sd2/ tokenizer folders of the tokenizer fixtures")
    a = ap.parse_args()
    globals()["TOKENIZERS"] = a.tokenizers
    for sub in ("sd1", "sd2"):
        if not os.path.exists(os.path.join(a.tokenizers, sub, "vocab.json")):
            raise SystemExit(f"error: no tokenizer folder {a.tokenizers}/{sub} (give --tokenizers)")
    torch.set_num_threads(1)
    if not a.only:
        for sub in FAMILIES + ["schedulers", "cases"]:
            shutil.rmtree(os.path.join(a.out, sub), ignore_errors=True)
        for name in FAMILIES:
            comps = family(name)
            cls = StableDiffusionInpaintPipeline if name == "inpaint" else StableDiffusionPipeline
            pipe = cls(**comps, safety_checker=None, feature_extractor=None, image_encoder=None,
                       requires_safety_checker=False)
            pipe.save_pretrained(os.path.join(a.out, name))
    recorder = Recorder()
    for case in CASES:
        if a.only and case["name"] not in a.only:
            continue
        run_case(case, a.out, recorder)


if __name__ == "__main__":
    main()
