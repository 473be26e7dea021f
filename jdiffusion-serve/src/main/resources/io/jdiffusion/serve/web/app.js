// The jdiffusion web page: settings from GET /api/models, jobs queued with POST /api/jobs/OP, their
// progress and x0 previews from server-sent events, results and their parameters kept in a history.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { models: [], job: null, events: null, history: [], selected: null };
// What the page has seen, for people and for the browser test.
window.jdiffusion = { stats: { progress: 0, previews: 0, results: 0, errors: 0 }, state };

function model() {
  return state.models.find((m) => m.name === $('model').value);
}

function setStatus(text, error) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

function option(select, value, text) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  select.appendChild(o);
}

function isText(m) {
  return m.kind === 'text-to-image';
}

function onModel() {
  const m = model();
  $('sampler').replaceChildren();
  m.samplers.forEach((s) => option($('sampler'), s.name, s.name));
  $('sampler').value = m.defaultSampler;
  $('class').replaceChildren();
  option($('class'), '', isText(m) ? '(a prompt steers this model)' : m.conditional ? '(none)' : '(unconditional model)');
  m.classes.forEach((c, i) => option($('class'), String(i), c));
  $('class').disabled = !m.conditional;
  // a text-to-image pipeline: prompt, negative prompt and size; guidance steers towards the prompt
  $('text-fields').hidden = !isText(m);
  $('guidance').disabled = !m.conditional && !isText(m);
  $('guidance').value = isText(m) ? m.defaultGuidance : 1;
  if (isText(m)) {
    $('width').value = m.imageSize;
    $('height').value = m.imageSize;
    $('width').step = m.sizeMultiple;
    $('height').step = m.sizeMultiple;
  }
  $('inpaint-run').title = isText(m) ? 'inpainting with a prompt runs from the command line' : '';
  onSampler();
}

function onSampler() {
  const s = model().samplers.find((x) => x.name === $('sampler').value);
  $('steps').value = s.defaultSteps;
}

function common() {
  const body = { model: $('model').value, seed: Number($('seed').value) };
  const m = model();
  if (m.conditional && $('class').value !== '') {
    body.class = Number($('class').value);
    body.guidance = Number($('guidance').value);
  }
  return body;
}

async function submit(op, body, previewEvery) {
  if (state.job) {
    return;
  }
  setStatus('queued…');
  $('progress').value = 0;
  let reply;
  try {
    const r = await fetch(`/api/jobs/${op}?preview=${previewEvery}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    reply = await r.json();
    if (!r.ok) {
      throw new Error(reply.error || `HTTP ${r.status}`);
    }
  } catch (e) {
    window.jdiffusion.stats.errors++;
    setStatus(e.message, true);
    return;
  }
  state.job = reply.id;
  $('cancel').disabled = false;
  $('generate').disabled = true;
  $('inpaint-run').disabled = true;
  const es = new EventSource(reply.events);
  state.events = es;
  es.addEventListener('state', (e) => setStatus(JSON.parse(e.data).state + '…'));
  es.addEventListener('progress', (e) => {
    const d = JSON.parse(e.data);
    $('progress').value = d.done / d.total;
    window.jdiffusion.stats.progress++;
  });
  es.addEventListener('preview', (e) => {
    const d = JSON.parse(e.data);
    $('preview').src = 'data:image/png;base64,' + d.png;
    $('preview-caption').textContent = `x0 estimate at step ${d.step + 1}`;
    window.jdiffusion.stats.previews++;
  });
  es.addEventListener('done', (e) => {
    finish();
    const result = JSON.parse(e.data);
    $('progress').value = 1;
    setStatus(`done: ${result.images.length} image${result.images.length > 1 ? 's' : ''}`);
    show(result);
    window.jdiffusion.stats.results++;
  });
  for (const end of ['failed', 'cancelled']) {
    es.addEventListener(end, (e) => {
      finish();
      window.jdiffusion.stats.errors++;
      setStatus(`${end}: ${JSON.parse(e.data).error}`, true);
    });
  }
  es.onerror = () => { // the stream broke before a final event: ask for the job's state instead
    if (state.job === reply.id) {
      finish();
      setStatus('lost the progress stream', true);
    }
  };
}

function finish() {
  if (state.events) {
    state.events.close();
  }
  state.events = null;
  state.job = null;
  $('cancel').disabled = true;
  $('generate').disabled = false;
  $('inpaint-run').disabled = false;
}

function describe(p) {
  return Object.entries(p).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`).join('  ');
}

function thumbs(container, result) {
  container.replaceChildren();
  result.images.forEach((img) => {
    const el = document.createElement('img');
    el.src = 'data:image/png;base64,' + img.png;
    el.alt = `${result.provenance.op} ${img.seed !== undefined ? 'seed ' + img.seed : 'frame ' + img.index}`;
    el.title = 'use as the inpainting image';
    el.addEventListener('click', () => select(el));
    container.appendChild(el);
  });
}

function show(result) {
  thumbs($('result'), result);
  $('result-params').textContent = describe(result.provenance);
  state.history.unshift(result);
  const li = document.createElement('li');
  const t = document.createElement('div');
  t.className = 'thumbs';
  thumbs(t, result);
  const p = document.createElement('div');
  p.className = 'params';
  p.textContent = `${new Date().toLocaleTimeString()}  ${describe(result.provenance)}`;
  li.append(t, p);
  $('history').prepend(li);
}

function select(img) {
  document.querySelectorAll('.thumbs img.selected').forEach((e) => e.classList.remove('selected'));
  img.classList.add('selected');
  drawSource(img);
}

function drawSource(source) {
  const c = $('image-canvas').getContext('2d');
  c.imageSmoothingEnabled = false;
  c.fillStyle = '#fff';
  c.fillRect(0, 0, 224, 224);
  const w = source.naturalWidth || source.width;
  const h = source.naturalHeight || source.height;
  const side = Math.min(w, h); // the centre square, as the server crops it
  c.drawImage(source, (w - side) / 2, (h - side) / 2, side, side, 0, 0, 224, 224);
  state.selected = true;
  clearMask();
}

function clearMask() {
  const m = $('mask-canvas').getContext('2d');
  m.fillStyle = '#000';
  m.fillRect(0, 0, 224, 224);
  $('overlay-canvas').getContext('2d').clearRect(0, 0, 224, 224);
}

function paint(e) {
  const r = $('overlay-canvas').getBoundingClientRect();
  const x = (e.clientX - r.left) * 224 / r.width;
  const y = (e.clientY - r.top) * 224 / r.height;
  const radius = Number($('brush').value) / 2;
  for (const [canvas, colour] of [['mask-canvas', '#fff'], ['overlay-canvas', 'rgba(230, 40, 40, 0.55)']]) {
    const c = $(canvas).getContext('2d');
    c.fillStyle = colour;
    c.beginPath();
    c.arc(x, y, radius, 0, 2 * Math.PI);
    c.fill();
  }
}

function base64(canvas) {
  return canvas.toDataURL('image/png');
}

async function health() {
  try {
    const h = await (await fetch('/api/health')).json();
    $('health').textContent = `${h.version} · ${h.running} running, ${h.waiting} waiting`;
  } catch (e) {
    $('health').textContent = 'server unreachable';
  }
}

async function init() {
  const r = await fetch('/api/models');
  const j = await r.json();
  state.models = j.models;
  j.models.forEach((m) => option($('model'), m.name, `${m.name} (${isText(m) ? 'text to image, ' : ''}`
    + `${m.imageSize}×${m.imageSize}${m.conditional ? ', classes' : ''})`));
  $('model').addEventListener('change', onModel);
  $('sampler').addEventListener('change', onSampler);
  onModel();
  clearMask();
  $('random-seed').addEventListener('click', () => { $('seed').value = Math.floor(Math.random() * 1e9); });
  $('generate').addEventListener('click', () => {
    const m = model();
    const body = { ...common(), n: Number($('n').value), sampler: $('sampler').value, steps: Number($('steps').value) };
    let every = Math.max(1, Math.round(body.steps / 25));
    if (isText(m)) {
      body.prompt = $('prompt').value;
      if ($('negative').value.trim() !== '') {
        body.negative_prompt = $('negative').value;
      }
      body.guidance = Number($('guidance').value);
      body.width = Number($('width').value);
      body.height = Number($('height').value);
      every = m.previews ? Math.max(1, Math.round(body.steps / 10)) : 0; // previews need the server's fast decoder
    }
    submit('generate', body, every);
  });
  $('cancel').addEventListener('click', () => {
    if (state.job) {
      fetch(`/api/jobs/${state.job}`, { method: 'DELETE' });
    }
  });
  $('clear-mask').addEventListener('click', clearMask);
  $('upload').addEventListener('change', () => {
    const f = $('upload').files[0];
    if (f) {
      const img = new Image();
      img.onload = () => drawSource(img);
      img.src = URL.createObjectURL(f);
    }
  });
  let drawing = false;
  const overlay = $('overlay-canvas');
  overlay.addEventListener('pointerdown', (e) => { drawing = true; paint(e); });
  overlay.addEventListener('pointermove', (e) => { if (drawing) paint(e); });
  window.addEventListener('pointerup', () => { drawing = false; });
  $('inpaint-run').addEventListener('click', () => {
    if (isText(model())) {
      setStatus('inpainting a text-to-image pipeline runs from the command line: jdiffusion inpaint FOLDER --prompt ...', true);
      return;
    }
    if (!state.selected) {
      setStatus('choose an image first: upload one or click a result', true);
      return;
    }
    const body = { ...common(), n: Number($('n').value), image: base64($('image-canvas')), mask: base64($('mask-canvas')),
      jump: Number($('jump').value), resample: Number($('resample').value), steps: Math.min(50, Number($('steps').value)) };
    submit('inpaint', body, 4);
  });
  health();
  setInterval(health, 5000);
}

init().catch((e) => setStatus('cannot load the models: ' + e.message, true));
