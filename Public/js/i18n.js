// Interface strings in Chinese and English. Elements carry data-i18n="key" (text) or
// data-i18n-placeholder="key"; dynamic text goes through t(key, values).
const strings = {
  zh: {
    tagline: '商品图一键生成短视频', tab_create: '生成', tab_history: '历史', tab_batch: '批量', tab_templates: '模板',
    auth_title: '需要 API 密钥', auth_hint: '服务器要求登录。请输入启动时打印的密钥。', auth_submit: '登录', auth_wrong: '密钥不正确。',
    drop_hint: '拖放商品图到这里，或点击选择（JPG / PNG / WebP）', title: '商品标题', title_placeholder: '例如：北欧陶瓷马克杯 350ml',
    category: '品类', template: '动效模板', prompt: '提示词', auto: '自动', advanced: '高级参数', engine: '引擎', engine_auto: '自动',
    engine_template: '模板渲染（快速）', resolution: '分辨率', aspect: '画幅', frames: '帧数', fps: '帧率', steps: '步数',
    guidance: '引导系数', guidance_hint: '建议 7–12', seed: '随机种子', seed_random: '随机', motion: '运动强度',
    negative: '反向提示词', watermark: '水印文字', watermark_placeholder: '留空则不加（淘宝主图视频不允许水印）', outputs: '输出格式', poster: '封面图',
    generate: '生成视频', generating: '提交中…', cancel: '取消', retry: '重试', rerun: '再次生成', open: '查看', delete: '删除',
    confirm_delete: '删除这个任务及其视频？', filter_status: '状态', all: '全部', search: '搜索标题', refresh: '刷新', more: '更多',
    status_queued: '排队中', status_running: '生成中', status_succeeded: '已完成', status_failed: '失败', status_cancelled: '已取消',
    queued_at: '排队中，前面还有 {ahead} 个任务', queued_next: '排队中，下一个就是你', running: '开始生成（第 {attempt} 次尝试）',
    stage_planning: '规划镜头…', stage_generating: '生成画面 {step}/{total}', stage_decoding: '解码画面…', stage_encoding: '编码视频…',
    stage_qc: '质量检查…', stage_starting: '准备中…', eta: '预计还需 {s} 秒', retrying: '上一次失败（{message}），稍后自动重试…',
    done: '完成！用时 {s} 秒', cancelled: '任务已取消。', download: '下载 {name}', qc_title: '质量检查', qc_passed: '通过', qc_failed: '未通过',
    suggest: '建议：{category} · {template}', no_image: '请先选择一张商品图。', need_title: '请填写商品标题，方便选择合适的动效。',
    batch_hint: '上传 CSV（列：image_url, title, …）或 ZIP（图片 + CSV，CSV 的 image 列写文件名；没有 CSV 时按文件名命名）。',
    batch_file: 'CSV 或 ZIP 文件', batch_title: '批次名称', batch_submit: '提交批量任务', download_all: '全部下载', progress: '进度',
    batch_summary: '共 {total} 个：完成 {done}，失败 {failed}，进行中 {open}', batch_rejected: '第 {index} 行未提交：{detail}',
    templates_empty: '没有可用的模板。', use_template: '使用此模板', categories: '适用品类',
    health_loading: '模型加载中：{reason}', health_degraded: '部分功能不可用：{reason}', health_down: '无法连接服务器。',
    empty_history: '还没有任务。', engine_label: '引擎', seed_label: '种子',
    err_network: '无法连接服务器，请检查网络后重试。', err_unknown: '出现了意外错误：{detail}',
    err_payload_too_large: '文件太大了。{detail}', err_image_too_large: '图片像素太多，请缩小后再试。{detail}',
    err_corrupt_image: '图片已损坏或无法读取，请换一张。', err_unsupported_media_type: '只支持 JPG、PNG、WebP 图片。',
    err_invalid_field: '“{field}” 填写有误：{detail}', err_missing_field: '缺少 “{field}”：{detail}',
    err_image_url_refused: '不允许使用这个图片地址：{detail}', err_image_url_failed: '图片地址无法下载：{detail}',
    err_unauthorized: '需要登录（API 密钥）。', err_not_found: '找不到这个任务，可能已被删除。', err_batch_rejected: '批量文件里没有可处理的条目。{detail}',
    err_job_succeeded: '任务已经完成，无法再操作。', err_job_failed: '任务已失败。', err_job_cancelled: '任务已取消。', err_job_running: '任务正在运行，请先取消。',
    fail_bad_input: '输入有问题：{message}', fail_engine_unavailable: '所选引擎不可用：{message}', fail_engine_error: '生成引擎出错：{message}',
    fail_out_of_memory: '内存不足：{message}', fail_qc_failed: '视频没有通过质量检查：{message}', fail_lease_expired: '处理进程中断次数过多。',
  },
  en: {
    tagline: 'product photo → product video', tab_create: 'Create', tab_history: 'History', tab_batch: 'Batch', tab_templates: 'Templates',
    auth_title: 'API key required', auth_hint: 'This server requires a key. Enter the key printed at start-up.', auth_submit: 'Sign in', auth_wrong: 'That key is not valid.',
    drop_hint: 'Drop a product photo here, or click to choose (JPG / PNG / WebP)', title: 'Product title', title_placeholder: 'e.g. Nordic ceramic mug 350ml',
    category: 'Category', template: 'Motion template', prompt: 'Prompt', auto: 'Auto', advanced: 'Advanced', engine: 'Engine', engine_auto: 'Auto',
    engine_template: 'Template renderer (fast)', resolution: 'Resolution', aspect: 'Aspect', frames: 'Frames', fps: 'FPS', steps: 'Steps',
    guidance: 'Guidance', guidance_hint: '7–12 works best', seed: 'Seed', seed_random: 'Random', motion: 'Motion strength',
    negative: 'Negative prompt', watermark: 'Watermark text', watermark_placeholder: 'Empty for none (Taobao rejects watermarks)', outputs: 'Outputs', poster: 'Poster',
    generate: 'Generate video', generating: 'Submitting…', cancel: 'Cancel', retry: 'Retry', rerun: 'Run again', open: 'Open', delete: 'Delete',
    confirm_delete: 'Delete this job and its video?', filter_status: 'Status', all: 'All', search: 'Search titles', refresh: 'Refresh', more: 'More',
    status_queued: 'Queued', status_running: 'Running', status_succeeded: 'Done', status_failed: 'Failed', status_cancelled: 'Cancelled',
    queued_at: 'Queued: {ahead} job(s) ahead', queued_next: 'Queued: you are next', running: 'Started (attempt {attempt})',
    stage_planning: 'Planning the shot…', stage_generating: 'Generating frame {step}/{total}', stage_decoding: 'Decoding frames…', stage_encoding: 'Encoding video…',
    stage_qc: 'Checking quality…', stage_starting: 'Starting…', eta: 'about {s} s left', retrying: 'The last attempt failed ({message}); retrying shortly…',
    done: 'Done in {s} s', cancelled: 'The job was cancelled.', download: 'Download {name}', qc_title: 'Quality check', qc_passed: 'passed', qc_failed: 'failed',
    suggest: 'Suggested: {category} · {template}', no_image: 'Choose a product photo first.', need_title: 'Add a product title so a fitting motion can be chosen.',
    batch_hint: 'Upload a CSV (columns image_url, title, …) or a ZIP (images + a CSV whose image column names the files; without a CSV, items are named after their files).',
    batch_file: 'CSV or ZIP file', batch_title: 'Batch name', batch_submit: 'Submit batch', download_all: 'Download all', progress: 'Progress',
    batch_summary: '{total} items: {done} done, {failed} failed, {open} in progress', batch_rejected: 'Row {index} not submitted: {detail}',
    templates_empty: 'No templates available.', use_template: 'Use this template', categories: 'Categories',
    health_loading: 'Loading the model: {reason}', health_degraded: 'Running with reduced capability: {reason}', health_down: 'Cannot reach the server.',
    empty_history: 'No jobs yet.', engine_label: 'Engine', seed_label: 'Seed',
    err_network: 'Cannot reach the server. Check the connection and try again.', err_unknown: 'Something unexpected happened: {detail}',
    err_payload_too_large: 'The file is too large. {detail}', err_image_too_large: 'The image has too many pixels; shrink it and try again. {detail}',
    err_corrupt_image: 'The image is damaged or unreadable; try another one.', err_unsupported_media_type: 'Only JPG, PNG and WebP images are supported.',
    err_invalid_field: '"{field}" is not valid: {detail}', err_missing_field: '"{field}" is missing: {detail}',
    err_image_url_refused: 'That image address is not allowed: {detail}', err_image_url_failed: 'The image address could not be downloaded: {detail}',
    err_unauthorized: 'Sign-in (API key) required.', err_not_found: 'That job no longer exists.', err_batch_rejected: 'Nothing in the batch file can be processed. {detail}',
    err_job_succeeded: 'The job is already finished.', err_job_failed: 'The job has failed.', err_job_cancelled: 'The job was cancelled.', err_job_running: 'The job is running; cancel it first.',
    fail_bad_input: 'Problem with the input: {message}', fail_engine_unavailable: 'The chosen engine is not available: {message}', fail_engine_error: 'The engine failed: {message}',
    fail_out_of_memory: 'Out of memory: {message}', fail_qc_failed: 'The video did not pass the quality check: {message}', fail_lease_expired: 'The worker stopped too many times.',
  },
};

let language = localStorage.getItem('i2v.lang') || ((navigator.language || 'zh').toLowerCase().startsWith('zh') ? 'zh' : 'en');
if (!strings[language]) language = 'en';

export function lang() { return language; }

export function t(key, values = {}) {
  const text = strings[language][key] ?? strings.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? ''));
}

export function applyTranslations(root = document) {
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
}

export function toggleLanguage() {
  language = language === 'zh' ? 'en' : 'zh';
  localStorage.setItem('i2v.lang', language);
  applyTranslations();
  document.dispatchEvent(new CustomEvent('i2v:language'));
}

/** A problem document (or a network failure) in plain words. */
export function describeProblem(problem) {
  if (!problem) return t('err_network');
  const key = `err_${problem.code}`;
  if (strings.en[key]) return t(key, { field: problem.field ?? '', detail: problem.detail ?? '' });
  return t('err_unknown', { detail: problem.detail ?? problem.title ?? String(problem.status ?? '') });
}

/** A job's failure ({code, message}) in plain words. */
export function describeFailure(error) {
  if (!error) return '';
  const key = `fail_${error.code}`;
  return strings.en[key] ? t(key, { message: error.message }) : error.message;
}
