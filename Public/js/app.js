// Entry point: language, tabs, health banner, sign-in, then the four views.
import { api, ApiError, apiKey, setApiKey } from './api.js';
import { applyTranslations, describeProblem, t, toggleLanguage, lang } from './i18n.js';
import { initCreate } from './create.js';
import { initHistory } from './history.js';
import { initBatch } from './batch.js';
import { initTemplates } from './templates.js';

const $ = (id) => document.getElementById(id);

function selectTab(name) {
  for (const button of document.querySelectorAll('[data-tab]')) button.setAttribute('aria-selected', String(button.dataset.tab === name));
  for (const panel of document.querySelectorAll('.tab')) panel.hidden = panel.id !== `tab-${name}`;
  document.dispatchEvent(new CustomEvent('i2v:tab', { detail: name }));
}

async function refreshHealth() {
  const banner = $('health');
  try {
    const health = await api.health();
    $('version').textContent = `i2v ${health.version}`;
    banner.className = `health ${health.status}`;
    banner.hidden = health.status === 'ready';
    if (health.status === 'loading') banner.textContent = t('health_loading', { reason: health.reason ?? '' });
    if (health.status === 'degraded') banner.textContent = t('health_degraded', { reason: health.reason ?? '' });
    return health;
  } catch (error) {
    // 503 while loading still carries the health document.
    const health = error instanceof ApiError ? error.problem : null;
    if (health?.status === 'loading') {
      banner.className = 'health loading';
      banner.hidden = false;
      banner.textContent = t('health_loading', { reason: health.reason ?? '' });
      return health;
    }
    banner.className = 'health down';
    banner.hidden = false;
    banner.textContent = t('health_down');
    return null;
  }
}

/** Signs in when the server requires a key: from the URL fragment (#key=…), storage or the form. */
async function ensureSignedIn(health) {
  if (!health?.auth_required) return;
  const fragment = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fragment) {
    setApiKey(fragment);
    history.replaceState(null, '', location.pathname);
  }
  const form = $('auth');
  const tryKey = async () => {
    try {
      await api.session();
      form.hidden = true;
      document.querySelector('main').hidden = false;
      return true;
    } catch {
      setApiKey('');
      return false;
    }
  };
  if (apiKey() && await tryKey()) return;
  document.querySelector('main').hidden = true;
  form.hidden = false;
  await new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      setApiKey($('auth-key').value.trim());
      if (await tryKey()) resolve();
      else { $('auth-error').hidden = false; $('auth-error').textContent = t('auth_wrong'); }
    });
  });
}

async function main() {
  applyTranslations();
  $('lang').textContent = lang() === 'zh' ? 'EN' : '中文';
  $('lang').addEventListener('click', () => {
    toggleLanguage();
    $('lang').textContent = lang() === 'zh' ? 'EN' : '中文';
    refreshHealth();
  });
  for (const button of document.querySelectorAll('[data-tab]')) button.addEventListener('click', () => selectTab(button.dataset.tab));
  const health = await refreshHealth();
  setInterval(refreshHealth, 10000);
  await ensureSignedIn(health);
  const templates = await api.templates().then((r) => r.templates).catch((error) => {
    $('templates-error').hidden = false;
    $('templates-error').textContent = describeProblem(error.problem);
    return [];
  });
  const create = initCreate(templates);
  initHistory({ open: (job) => { selectTab('create'); create.show(job); }, rerun: (job) => { selectTab('create'); create.follow(job); } });
  initBatch(templates);
  initTemplates(templates, (id) => { selectTab('create'); create.useTemplate(id); });
}

main();
