// The "create" tab: photo + title → suggested plan → parameters → live progress → result.
import { api, ApiError, followJob } from './api.js';
import { describeFailure, describeProblem, t } from './i18n.js';
import { templateName, categoriesOf } from './templates.js';

const $ = (id) => document.getElementById(id);

export function initCreate(templates) {
  const form = $('create-form');
  const file = $('file');
  const drop = $('drop');
  const edited = new Set();   // fields the user changed: suggestions never overwrite them
  let image = null;
  let current = null;          // the job on display
  let stopFollowing = () => {};
  let planTimer = null;

  for (const id of new Set(templates.flatMap(categoriesOf))) $('category').append(new Option(id, id));
  for (const template of templates) $('template').append(new Option(templateName(template), template.id));
  for (const id of ['category', 'template', 'prompt', 'negative']) $(id).addEventListener('input', () => edited.add(id));

  // --- photo -----------------------------------------------------------------------------
  function choose(selected) {
    if (!selected) return;
    image = selected;
    const preview = $('preview');
    preview.src = URL.createObjectURL(selected);
    preview.hidden = false;
    $('drop-hint').hidden = true;
    schedulePlan();
  }
  file.addEventListener('change', () => choose(file.files[0]));
  drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    choose(event.dataTransfer.files[0]);
  });

  // --- suggestions from the planner ---------------------------------------------------------
  function schedulePlan() {
    clearTimeout(planTimer);
    planTimer = setTimeout(suggest, 400);
  }
  $('title').addEventListener('input', schedulePlan);

  async function suggest() {
    const title = $('title').value.trim();
    if (!title && !image) return;
    try {
      const body = new FormData();
      body.append('title', title);
      if (image) body.append('image', image);
      const { plan } = await api.plan(body);
      if (!edited.has('category') && plan.category) ensureOption($('category'), plan.category);
      if (!edited.has('template') && plan.template) ensureOption($('template'), plan.template);
      if (!edited.has('prompt') && plan.prompt) $('prompt').value = plan.prompt;
      if (!edited.has('negative') && plan.negative_prompt) $('negative').value = plan.negative_prompt;
      for (const [id, key] of [['fps', 'fps'], ['steps', 'steps'], ['guidance', 'guidance']]) {
        if (plan[key] != null) $(id).placeholder = String(plan[key]);
      }
      const template = templates.find((item) => item.id === plan.template);
      $('suggestion').textContent = t('suggest', { category: plan.category ?? '—', template: template ? templateName(template) : (plan.template ?? '—') });
    } catch (error) {
      $('suggestion').textContent = describeProblem(error.problem);
    }
  }

  function ensureOption(select, value) {
    if (![...select.options].some((option) => option.value === value)) select.append(new Option(value, value));
    select.value = value;
  }

  // --- advanced controls ---------------------------------------------------------------------
  $('frames').addEventListener('input', () => { $('frames-out').textContent = $('frames').value; });
  $('motion').addEventListener('input', () => { $('motion').dataset.unset = 'false'; $('motion-out').textContent = $('motion').value; });
  $('seed').addEventListener('input', () => { $('seed-random').checked = false; });

  function formData() {
    const data = new FormData();
    data.append('image', image);
    const fields = {
      title: $('title').value.trim(), category: $('category').value, template: $('template').value, prompt: $('prompt').value.trim(),
      engine: $('engine').value, resolution: $('resolution').value, aspect: $('aspect').value, frames: $('frames').value,
      fps: $('fps').value, steps: $('steps').value, guidance: $('guidance').value, negative_prompt: $('negative').value.trim(),
      watermark: $('watermark').value.trim(),
    };
    if ($('seed-random').checked) $('seed').value = String(Math.floor(Math.random() * 4294967295));
    fields.seed = $('seed').value;
    if ($('motion').dataset.unset !== 'true') fields.motion_strength = $('motion').value;
    for (const [key, value] of Object.entries(fields)) if (value !== '' && value !== 'auto') data.append(key, value);
    const outputs = [...form.querySelectorAll('input[name=outputs]:checked')].map((box) => box.value);
    if (outputs.length) data.append('outputs', outputs.join(','));
    return data;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = $('form-error');
    error.hidden = true;
    if (!image) { error.textContent = t('no_image'); error.hidden = false; return; }
    if (!$('title').value.trim()) { error.textContent = t('need_title'); error.hidden = false; return; }
    const button = $('generate');
    button.disabled = true;
    button.textContent = t('generating');
    try {
      follow(await api.submit(formData()));
    } catch (failure) {
      error.textContent = describeProblem(failure instanceof ApiError ? failure.problem : null);
      error.hidden = false;
    } finally {
      button.disabled = false;
      button.textContent = t('generate');
    }
  });

  // --- the job panel ---------------------------------------------------------------------------
  function setStatus(status) {
    const badge = $('job-status');
    badge.textContent = t(`status_${status}`);
    badge.className = `badge ${status}`;
    $('job-cancel').hidden = !['queued', 'running'].includes(status);
    $('job-retry').hidden = !['failed', 'cancelled'].includes(status);
  }

  function reset(job) {
    stopFollowing();
    current = job;
    $('job-panel').hidden = false;
    $('job-title').textContent = job.title || job.id;
    $('job-progress').value = 0;
    $('job-step').textContent = '';
    $('job-error').hidden = true;
    $('player').hidden = true;
    $('player').removeAttribute('src');
    $('downloads').replaceChildren();
    $('qc').hidden = true;
    setStatus(job.status);
  }

  function showProgress(progress) {
    if (!progress) return;
    $('job-progress').value = progress.fraction ?? 0;
    let text = t(`stage_${progress.stage}`, { step: progress.step ?? '', total: progress.total_steps ?? '' });
    if (progress.eta_seconds != null) text += ` · ${t('eta', { s: Math.max(1, Math.round(progress.eta_seconds)) })}`;
    $('job-step').textContent = text;
  }

  function showQueued(position) {
    setStatus('queued');
    $('job-step').textContent = position > 1 ? t('queued_at', { ahead: position - 1 }) : t('queued_next');
  }

  function showResult(job) {
    current = job;
    setStatus(job.status);
    if (job.status === 'succeeded') {
      $('job-progress').value = 1;
      const seconds = job.started_at && job.finished_at ? Math.round((new Date(job.finished_at) - new Date(job.started_at)) / 1000) : '—';
      $('job-step').textContent = `${t('done', { s: seconds })} · ${t('engine_label')}: ${job.engine ?? '—'} · ${t('seed_label')}: ${job.seed ?? '—'}`;
      const video = job.files.find((f) => f.name === 'video.mp4') ?? job.files.find((f) => f.name === 'video.webp');
      const player = $('player');
      if (video?.name === 'video.mp4') { player.src = video.url; player.hidden = false; player.play().catch(() => {}); }
      const poster = job.files.find((f) => f.name === 'poster.jpg');
      if (poster) player.poster = poster.url;
      const links = job.files.map((f) => {
        const a = document.createElement('a');
        a.className = 'button';
        a.href = `${f.url}?download=1`;
        a.textContent = t('download', { name: f.name });
        a.setAttribute('download', '');
        return a;
      });
      $('downloads').replaceChildren(...links);
      showQC(job.qc);
    } else if (job.status === 'failed') {
      $('job-error').textContent = describeFailure(job.error);
      $('job-error').hidden = false;
      showQC(job.qc);
    } else if (job.status === 'cancelled') {
      $('job-step').textContent = t('cancelled');
    }
  }

  function showQC(qc) {
    const box = $('qc');
    if (!qc || typeof qc !== 'object') { box.hidden = true; return; }
    const head = document.createElement('p');
    const label = document.createElement('strong');
    label.textContent = `${t('qc_title')}: `;
    const verdict = document.createElement('span');
    verdict.className = qc.passed ? 'pass' : 'fail';
    verdict.textContent = qc.passed ? t('qc_passed') : t('qc_failed');
    head.append(label, verdict);
    const table = document.createElement('table');
    const number = (value) => (typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : '—');
    if (Array.isArray(qc.checks)) {
      // The Quality module's report: one row per check.
      for (const check of qc.checks) {
        const tr = table.insertRow();
        tr.insertCell().textContent = check.id;
        tr.insertCell().textContent = `${number(check.value)} ${check.comparison ?? ''} ${number(check.threshold)} ${check.unit ?? ''}`;
        const status = tr.insertCell();
        status.textContent = check.status === 'pass' ? '✓' : (check.status === 'fail' ? '✗' : '–');
        status.className = check.status === 'fail' ? 'fail' : (check.status === 'pass' ? 'pass' : '');
        if (check.reason) status.title = check.reason;
      }
    } else {
      for (const [key, value] of Object.entries(qc)) {
        if (key === 'passed' || typeof value === 'object') continue;
        const tr = table.insertRow();
        tr.insertCell().textContent = key;
        tr.insertCell().textContent = typeof value === 'number' ? number(value) : String(value);
      }
    }
    const list = document.createElement('ul');
    for (const reason of Array.isArray(qc.failures) ? qc.failures : []) {
      const li = document.createElement('li');
      li.textContent = reason;
      list.append(li);
    }
    box.replaceChildren(head, table, list);
    box.hidden = false;
  }

  /** Shows a job and follows it live until it ends. */
  function follow(job) {
    reset(job);
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) { showResult(job); return; }
    if (job.status === 'queued') showQueued(job.queue_position ?? 1);
    stopFollowing = followJob(job.id, {
      queued: (data) => showQueued(data?.position ?? 1),
      running: (data) => { setStatus('running'); $('job-step').textContent = t('running', { attempt: data?.attempt ?? 1 }); },
      progress: (data) => { setStatus('running'); showProgress(data); },
      retrying: (data) => { setStatus('queued'); $('job-step').textContent = t('retrying', { message: data?.message ?? '' }); },
      succeeded: showResult, failed: showResult, cancelled: showResult,
      error: async () => {
        // The stream dropped (network, server restart): fall back to reading the job.
        try { const latest = await api.job(job.id); if (['succeeded', 'failed', 'cancelled'].includes(latest.status)) { stopFollowing(); showResult(latest); } } catch { /* keep waiting */ }
      },
    });
  }

  $('job-cancel').addEventListener('click', async () => {
    if (!current) return;
    try { showResult(await api.cancel(current.id)); } catch (error) { $('job-error').textContent = describeProblem(error.problem); $('job-error').hidden = false; }
  });
  $('job-retry').addEventListener('click', async () => {
    if (!current) return;
    try { follow(await api.retry(current.id)); } catch (error) { $('job-error').textContent = describeProblem(error.problem); $('job-error').hidden = false; }
  });

  return {
    follow,
    show: (job) => follow(job),
    useTemplate: (id) => { ensureOption($('template'), id); edited.add('template'); },
  };
}
