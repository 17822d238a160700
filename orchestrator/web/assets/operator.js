// The government operators' dashboard: KPIs, Chart.js charts (vendored UMD build), the
// at-risk list with a drill-down into one application's history, breakdowns, the kiosk
// fleet, and CSV exports of every table. Refreshes itself every 30 seconds.
'use strict';

const { el, call, badge, time, dateTime, workingTime, percent, stepName, toast, tableOf } = Console;

const COLORS = {
  started: '#2563eb',
  completed: '#15803d',
  onTime: '#86efac',
  waiting: '#cbd5e1',
  staff: '#f59e0b',
  partner: '#60a5fa',
  failed: '#ef4444',
  median: '#6366f1',
  p90: '#c7d2fe',
};

const charts = {};
let dashboard = null;
let breakdown = { group: 'by_district', table: 'districts' };

function query() {
  const params = new URLSearchParams();
  const district = document.getElementById('district').value.trim();
  const bank = document.getElementById('bank').value.trim().toUpperCase();
  params.set('days', document.getElementById('days').value);
  if (district) params.set('district', district);
  if (bank) params.set('bank', bank);
  return params;
}

function updateCsvLinks() {
  for (const link of document.querySelectorAll('a.csv')) {
    const params = query();
    params.set('table', link.dataset.table);
    link.setAttribute('href', '/console/api/v1/dashboard.csv?' + params.toString());
    link.setAttribute('download', '');
  }
}

// Creates the chart the first time, then only replaces its data (no flicker on refresh).
function drawChart(id, config) {
  if (charts[id]) {
    charts[id].data = config.data;
    charts[id].update();
    return;
  }
  charts[id] = new Chart(document.getElementById(id), config);
}

const baseOptions = {
  responsive: true,
  maintainAspectRatio: false,
  animation: { duration: 300 },
  plugins: { legend: { position: 'bottom' } },
  interaction: { mode: 'index', intersect: false },
};

function renderCharts(d) {
  drawChart('chart-daily', {
    type: 'bar',
    data: {
      labels: d.daily.map((row) => row.date.slice(5)),
      datasets: [
        { type: 'bar', label: '开办 started', data: d.daily.map((r) => r.started), backgroundColor: COLORS.started },
        { type: 'bar', label: '办结 completed', data: d.daily.map((r) => r.completed), backgroundColor: COLORS.completed },
        { type: 'line', label: '按期办结 on time', data: d.daily.map((r) => r.completed_on_time),
          borderColor: COLORS.onTime, backgroundColor: COLORS.onTime, tension: 0.3 },
      ],
    },
    options: { ...baseOptions, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  drawChart('chart-weekly', {
    type: 'bar',
    data: {
      labels: d.weekly.map((row) => row.date.slice(5) + ' 周 wk'),
      datasets: [
        { label: '开办 started', data: d.weekly.map((r) => r.started), backgroundColor: COLORS.started },
        { label: '办结 completed', data: d.weekly.map((r) => r.completed), backgroundColor: COLORS.completed },
        { label: '按期 on time', data: d.weekly.map((r) => r.completed_on_time), backgroundColor: COLORS.onTime },
      ],
    },
    options: { ...baseOptions, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  drawChart('chart-steps', {
    type: 'bar',
    data: {
      labels: d.step_load.map((row) => stepName(row.step)),
      datasets: [
        { label: '等待前序 waiting', data: d.step_load.map((r) => r.waiting), backgroundColor: COLORS.waiting },
        { label: '待人工审核 with staff', data: d.step_load.map((r) => r.waiting_staff), backgroundColor: COLORS.staff },
        { label: '部门办理中 with partner', data: d.step_load.map((r) => r.with_partner), backgroundColor: COLORS.partner },
        { label: '失败待处理 failed', data: d.step_load.map((r) => r.failed), backgroundColor: COLORS.failed },
      ],
    },
    options: {
      ...baseOptions,
      indexAxis: 'y',
      scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
    },
  });
  drawChart('chart-times', {
    type: 'bar',
    data: {
      labels: d.step_times.map((row) => stepName(row.step)),
      datasets: [
        { label: '中位数 median', data: d.step_times.map((r) => +(r.median_minutes / 60).toFixed(2)), backgroundColor: COLORS.median },
        { label: '90% 分位 p90', data: d.step_times.map((r) => +(r.p90_minutes / 60).toFixed(2)), backgroundColor: COLORS.p90 },
      ],
    },
    options: { ...baseOptions, scales: { y: { beginAtZero: true, title: { display: true, text: 'h' } } } },
  });
}

function kpi(label, en, value, tone) {
  return el('div', { class: 'kpi ' + (tone || '') },
    el('div', { class: 'label' }, label, el('span', { class: 'en' }, en)),
    el('div', { class: 'value' }, value));
}

function renderKpis(t) {
  const share = t.on_time_share;
  document.getElementById('kpis').replaceChildren(
    kpi('新开办', 'started', t.started),
    kpi('已办结', 'completed', t.completed),
    kpi('3个工作日内办结率', 'within the promise', percent(share),
        share === null ? '' : share >= 0.95 ? 'good' : share >= 0.8 ? 'warn' : 'bad'),
    kpi('办理中', 'in progress', t.in_progress),
    kpi('临近超时', 'at risk', t.at_risk, t.at_risk ? 'warn' : ''),
    kpi('已超时', 'breached', t.breached, t.breached ? 'bad' : 'good'),
    kpi('办结用时中位数', 'median working time', workingTime(t.median_working_minutes)));
}

function renderAtRisk(d) {
  const rows = d.at_risk.map((row) => el('tr', { class: 'clickable', onclick: () => drill(row.id) },
    el('td', { class: 'mono' }, row.id),
    el('td', {}, badge(row.level)),
    el('td', {}, badge(row.state)),
    el('td', {}, row.flagged_steps.map(stepName).join('、') || '—'),
    el('td', {}, row.bank_code), el('td', {}, row.district), el('td', {}, row.kiosk_id),
    el('td', {}, dateTime(row.deadline)),
    el('td', { class: 'num' }, workingTime(row.working_minutes_left))));
  document.getElementById('at-risk').replaceChildren(tableOf(
    ['申请 Application', '级别 Level', '状态 State', '环节 Steps', '银行 Bank', '区划 District',
     '终端 Kiosk', '期限 Deadline', { label: '剩余工作时间 Left', num: true }],
    rows, '没有临近超时的申请 · Nothing at risk'));
}

function renderBreakdown(d) {
  const rows = d[breakdown.group].map((row) => el('tr', {},
    el('td', { class: 'mono' }, row.key),
    el('td', { class: 'num' }, row.started), el('td', { class: 'num' }, row.completed),
    el('td', { class: 'num' }, percent(row.on_time_share)), el('td', { class: 'num' }, row.in_progress),
    el('td', { class: 'num' }, row.at_risk), el('td', { class: 'num' }, row.breached),
    el('td', { class: 'num' }, workingTime(row.median_working_minutes))));
  document.getElementById('breakdown').replaceChildren(tableOf(
    ['', { label: '开办 Started', num: true }, { label: '办结 Completed', num: true },
     { label: '按期率 On time', num: true }, { label: '办理中 Open', num: true },
     { label: '临近超时 At risk', num: true }, { label: '已超时 Breached', num: true },
     { label: '中位用时 Median', num: true }], rows));
  document.getElementById('breakdown-csv').dataset.table = breakdown.table;
  updateCsvLinks();
}

function renderFleet(d) {
  const rows = d.kiosks.map((kiosk) => el('tr', {},
    el('td', {}, el('span', { class: 'mono' }, kiosk.kiosk_id), el('div', { class: 'muted' }, kiosk.name)),
    el('td', {}, badge(kiosk.status)),
    el('td', {}, kiosk.bank_code), el('td', {}, kiosk.district),
    el('td', {}, dateTime(kiosk.last_heartbeat_at)),
    el('td', {}, kiosk.devices.map((device) => el('div', {}, badge(device.status), ' ', device.device,
      device.detail ? el('span', { class: 'muted' }, ' ' + device.detail) : null))),
    el('td', { class: 'num' }, kiosk.queue_depth),
    el('td', { class: 'num' }, kiosk.started)));
  document.getElementById('fleet').replaceChildren(tableOf(
    ['终端 Kiosk', '状态 Status', '银行 Bank', '区划 District', '最近心跳 Last heartbeat',
     '设备 Devices', { label: '待上传 Queued', num: true }, { label: '开办 Started', num: true }],
    rows, '没有登记的终端 · No kiosks registered'));
}

async function drill(id) {
  const dialog = document.getElementById('drill');
  document.getElementById('drill-title').textContent = id;
  const body = document.getElementById('drill-body');
  body.replaceChildren(el('p', { class: 'muted' }, '加载中 · loading…'));
  dialog.showModal();
  try {
    const json = await call('GET', `/console/api/v1/applications/${encodeURIComponent(id)}`);
    const app = json.application;
    body.replaceChildren(
      el('p', {}, badge(app.state), ' ', app.bank_code, ' · ', app.district, ' · ', app.kiosk_id,
         ' · 期限 deadline ', dateTime(app.deadline)),
      el('div', { class: 'steps' }, app.steps.map((step) => el('div', { class: 'step' },
        el('div', { class: 'name' }, stepName(step.id)), badge(step.state),
        step.breached ? badge('breached') : step.at_risk ? badge('at_risk') : null,
        el('div', { class: 'muted' }, '时限 due ', time(step.budget_due_at)),
        step.reason ? el('div', { class: 'muted' }, step.reason) : null))),
      el('h3', {}, '办理记录 ', el('span', { class: 'en' }, 'History')),
      el('ul', { class: 'timeline' }, json.history.map((event) => el('li', {},
        el('span', { class: 'when' }, dateTime(event.at)), el('strong', {}, event.type), ' ',
        event.step ? stepName(event.step) : '', el('span', { class: 'muted' }, ' · ' + event.actor)))));
  } catch (error) {
    body.replaceChildren(el('p', {}, error.message));
  }
}

async function refresh() {
  try {
    dashboard = await call('GET', '/console/api/v1/dashboard?' + query().toString());
  } catch (error) {
    toast(error.message, true);
    return;
  }
  renderKpis(dashboard.totals);
  renderCharts(dashboard);
  renderAtRisk(dashboard);
  renderBreakdown(dashboard);
  renderFleet(dashboard);
  updateCsvLinks();
  document.getElementById('updated').textContent = '更新于 updated ' + time(dashboard.generated_at);
  document.body.dataset.loaded = 'true';
}

document.addEventListener('DOMContentLoaded', async () => {
  const session = await Console.start();
  if (!session) return;
  if (session.role === 'gov_operator' && session.scope !== 'all') {
    document.getElementById('district').value = session.scope;
  }
  document.getElementById('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  for (const pill of document.querySelectorAll('#breakdown-pills .pill')) {
    pill.addEventListener('click', () => {
      breakdown = { group: pill.dataset.group, table: pill.dataset.table };
      for (const other of document.querySelectorAll('#breakdown-pills .pill')) {
        other.classList.toggle('active', other === pill);
      }
      if (dashboard) renderBreakdown(dashboard);
    });
  }
  updateCsvLinks();
  await refresh();
  setInterval(refresh, 30000);
});
