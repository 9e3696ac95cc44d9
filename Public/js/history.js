// The "history" tab: a gallery of jobs with filters, open, re-run and delete.
import { api } from './api.js';
import { describeProblem, t } from './i18n.js';

const $ = (id) => document.getElementById(id);

export function initHistory({ open, rerun }) {
  let cursor = null;

  function tile(job) {
    const article = document.createElement('article');
    article.className = 'tile';
    article.dataset.job = job.id;
    const thumb = document.createElement('div');
    thumb.className = 'thumb';
    const poster = job.files?.find((f) => f.name === 'poster.jpg');
    if (poster) {
      const img = document.createElement('img');
      img.src = poster.url;
      img.alt = job.title;
      img.loading = 'lazy';
      thumb.append(img);
    } else {
      thumb.textContent = t(`status_${job.status}`);
    }
    const body = document.createElement('div');
    body.className = 'body';
    const title = document.createElement('div');
    title.className = 'title';
    title.textContent = job.title || job.id;
    title.title = job.title;
    const meta = document.createElement('div');
    meta.className = 'meta';
    const badge = document.createElement('span');
    badge.className = `badge ${job.status}`;
    badge.textContent = t(`status_${job.status}`);
    const when = document.createElement('span');
    when.textContent = new Date(job.created_at).toLocaleString();
    meta.append(badge, when);
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    const add = (label, handler, className = '') => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = className;
      button.textContent = t(label);
      button.addEventListener('click', handler);
      buttons.append(button);
    };
    add('open', () => open(job));
    add('rerun', async () => {
      try { rerun(await api.rerun(job.id, {})); } catch (error) { showError(error); }
    });
    if (job.status !== 'running') {
      add('delete', async () => {
        if (!confirm(t('confirm_delete'))) return;
        try { await api.remove(job.id); article.remove(); } catch (error) { showError(error); }
      }, 'danger');
    }
    body.append(title, meta, buttons);
    article.append(thumb, body);
    return article;
  }

  function showError(error) {
    $('history-error').textContent = describeProblem(error.problem);
    $('history-error').hidden = false;
  }

  async function load(append = false) {
    $('history-error').hidden = true;
    const params = { limit: '24' };
    if ($('history-status').value) params.status = $('history-status').value;
    if ($('history-search').value.trim()) params.q = $('history-search').value.trim();
    if (append && cursor) params.cursor = cursor;
    try {
      const page = await api.jobs(params);
      cursor = page.next_cursor ?? null;
      const tiles = page.jobs.map(tile);
      if (append) $('gallery').append(...tiles);
      else $('gallery').replaceChildren(...(tiles.length ? tiles : [Object.assign(document.createElement('p'), { className: 'hint', textContent: t('empty_history') })]));
      $('history-more').hidden = !cursor;
    } catch (error) {
      showError(error);
    }
  }

  let searchTimer = null;
  $('history-status').addEventListener('change', () => load());
  $('history-search').addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(load, 300); });
  $('history-refresh').addEventListener('click', () => load());
  $('history-more').addEventListener('click', () => load(true));
  document.addEventListener('i2v:tab', (event) => { if (event.detail === 'history') load(); });
  document.addEventListener('i2v:language', () => { if (!$('tab-history').hidden) load(); });
}
