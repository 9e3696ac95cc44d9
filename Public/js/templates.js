// The "templates" tab, and helpers to name templates in the current language.
import { lang, t } from './i18n.js';

export function templateName(template) {
  const name = template.name;
  if (name && typeof name === 'object') return name[lang()] ?? name.en ?? name.zh ?? template.id;
  if (lang() === 'zh' && template.name_zh) return template.name_zh;
  return template.name_en ?? name ?? template.id;
}

export function categoriesOf(template) {
  return Array.isArray(template.categories) ? template.categories.map(String) : [];
}

function describe(template) {
  const text = template.description;
  if (text && typeof text === 'object') return text[lang()] ?? text.en ?? '';
  return (lang() === 'zh' ? template.description_zh : template.description_en) ?? text ?? '';
}

export function initTemplates(templates, use) {
  const list = document.getElementById('template-list');
  function render() {
    if (!templates.length) { list.textContent = t('templates_empty'); return; }
    list.replaceChildren(...templates.map((template) => {
      const tile = document.createElement('article');
      tile.className = 'tile';
      const body = document.createElement('div');
      body.className = 'body';
      const title = document.createElement('div');
      title.className = 'title';
      title.textContent = templateName(template);
      const id = document.createElement('code');
      id.textContent = template.id;
      const text = document.createElement('p');
      text.className = 'hint';
      text.textContent = describe(template);
      const cats = document.createElement('p');
      cats.className = 'hint';
      cats.textContent = `${t('categories')}: ${categoriesOf(template).join(', ') || '—'}`;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = t('use_template');
      button.addEventListener('click', () => use(template.id));
      body.append(title, id, text, cats, button);
      tile.append(body);
      return tile;
    }));
  }
  render();
  document.addEventListener('i2v:language', render);
}
