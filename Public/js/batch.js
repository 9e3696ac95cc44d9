// The "batch" tab: upload a CSV or zip, watch every item, download everything.
import { api } from './api.js';
import { describeFailure, describeProblem, t } from './i18n.js';
import { templateName } from './templates.js';

const $ = (id) => document.getElementById(id);

export function initBatch(templates) {
  for (const template of templates) $('batch-template').append(new Option(templateName(template), template.id));
  let timer = null;

  function render(batch) {
    $('batch-panel').hidden = false;
    $('batch-name').textContent = batch.title;
    $('batch-download').href = batch.links.archive;
    const counts = batch.counts;
    const done = counts.succeeded ?? 0;
    const failed = (counts.failed ?? 0) + (counts.cancelled ?? 0);
    $('batch-progress').value = batch.item_count ? (batch.items ?? []).reduce((sum, item) => sum + (item.status === 'succeeded' || item.status === 'failed' || item.status === 'cancelled' ? 1 : item.progress), 0) / batch.item_count : 0;
    $('batch-summary').textContent = t('batch_summary', { total: batch.item_count, done, failed, open: batch.item_count - done - failed });
    const rows = (batch.items ?? []).map((item) => {
      const tr = document.createElement('tr');
      tr.insertCell().textContent = item.title;
      tr.insertCell().textContent = item.error ? `${t(`status_${item.status}`)} — ${describeFailure({ code: 'other', message: item.error })}` : t(`status_${item.status}`);
      const bar = document.createElement('progress');
      bar.max = 1;
      bar.value = item.status === 'succeeded' ? 1 : item.progress;
      tr.insertCell().append(bar);
      const cell = tr.insertCell();
      const video = item.files?.['video.mp4'];
      if (video) {
        const a = document.createElement('a');
        a.href = `${video}?download=1`;
        a.textContent = 'MP4';
        a.setAttribute('download', '');
        cell.append(a);
      }
      return tr;
    });
    $('batch-items').replaceChildren(...rows);
    return batch.status === 'completed';
  }

  async function poll(id) {
    clearTimeout(timer);
    try {
      if (render(await api.batch(id))) return;
    } catch (error) {
      $('batch-error').textContent = describeProblem(error.problem);
      $('batch-error').hidden = false;
    }
    timer = setTimeout(() => poll(id), 1500);
  }

  $('batch-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('batch-error').hidden = true;
    const file = $('batch-file').files[0];
    if (!file) return;
    const form = new FormData();
    form.append('file', file);
    if ($('batch-title').value.trim()) form.append('batch_title', $('batch-title').value.trim());
    if ($('batch-template').value !== 'auto') form.append('template', $('batch-template').value);
    try {
      const { batch, rejected } = await api.submitBatch(form);
      $('batch-rejected').replaceChildren(...rejected.map((item) => {
        const li = document.createElement('li');
        li.textContent = t('batch_rejected', { index: item.index + 1, detail: item.detail });
        return li;
      }));
      render(batch);
      poll(batch.id);
    } catch (error) {
      $('batch-error').textContent = describeProblem(error.problem);
      $('batch-error').hidden = false;
    }
  });
}
