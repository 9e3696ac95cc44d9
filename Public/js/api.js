// Calls to the i2v REST API. Errors become ApiError with the problem document, so every view
// can show it in plain words (describeProblem).
const KEY = 'i2v.key';

export class ApiError extends Error {
  constructor(problem) {
    super(problem?.detail ?? 'network error');
    this.problem = problem;
  }
}

export function apiKey() { return localStorage.getItem(KEY) || ''; }
export function setApiKey(key) { if (key) localStorage.setItem(KEY, key); else localStorage.removeItem(KEY); }

export async function request(path, { method = 'GET', json, form, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin' };
  const key = apiKey();
  if (key) init.headers.Authorization = `Bearer ${key}`;
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form) {
    init.body = form;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(null);
  }
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw new ApiError(body && typeof body === 'object' ? body : { status: response.status, detail: String(body).slice(0, 200) });
  return body;
}

export const api = {
  health: () => request('/healthz'),
  session: () => request('/api/v1/session', { method: 'POST' }),
  submit: (form) => request('/api/v1/jobs', { method: 'POST', form }),
  job: (id) => request(`/api/v1/jobs/${encodeURIComponent(id)}`),
  jobs: (params) => request(`/api/v1/jobs?${new URLSearchParams(params)}`),
  cancel: (id) => request(`/api/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
  retry: (id) => request(`/api/v1/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
  rerun: (id, overrides) => request(`/api/v1/jobs/${encodeURIComponent(id)}/rerun`, { method: 'POST', json: overrides }),
  remove: (id) => request(`/api/v1/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  plan: (body) => (body instanceof FormData ? request('/api/v1/plan', { method: 'POST', form: body }) : request('/api/v1/plan', { method: 'POST', json: body })),
  templates: () => request('/api/v1/templates'),
  submitBatch: (form) => request('/api/v1/batches', { method: 'POST', form }),
  batch: (id) => request(`/api/v1/batches/${encodeURIComponent(id)}`),
};

/** Follows a job's Server-Sent Events; returns a function that stops listening. */
export function followJob(id, handlers) {
  const source = new EventSource(`/api/v1/jobs/${encodeURIComponent(id)}/events`);
  const names = ['queued', 'running', 'progress', 'retrying', 'succeeded', 'failed', 'cancelled', 'deleted'];
  for (const name of names) {
    source.addEventListener(name, (event) => {
      let data = null;
      try { data = JSON.parse(event.data); } catch { /* keep null */ }
      handlers[name]?.(data);
      if (['succeeded', 'failed', 'cancelled', 'deleted'].includes(name)) source.close();
    });
  }
  source.onerror = () => handlers.error?.();
  return () => source.close();
}
