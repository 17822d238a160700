// The bank console: KYC review queue, accounts opened at the bank, exceptions, and one
// application's KYC view with the officer's decisions. Views are picked by the URL's hash:
// #reviews, #accounts, #exceptions, #app/<id>.
'use strict';

const { el, call, badge, time, dateTime, stepName, toast, tableOf } = Console;
const API = '/console/api/v1/bank';

let reviewState = 'open';
let accountOffset = 0;
const ACCOUNT_PAGE = 25;
let lastList = 'reviews';

function showView(name) {
  for (const view of document.querySelectorAll('.view')) {
    view.classList.toggle('hidden', view.id !== 'view-' + name);
  }
  for (const tab of document.querySelectorAll('.tab')) {
    tab.classList.toggle('active', tab.dataset.view === name);
  }
}

async function route() {
  const hash = window.location.hash.replace(/^#/, '') || 'reviews';
  try {
    if (hash.startsWith('app/')) {
      showView('application');
      document.getElementById('back-link').setAttribute('href', '#' + lastList);
      await renderApplication(decodeURIComponent(hash.slice(4)));
    } else if (hash === 'accounts') {
      lastList = hash;
      showView('accounts');
      await renderAccounts();
    } else if (hash === 'exceptions') {
      lastList = hash;
      showView('exceptions');
      await renderExceptions();
    } else {
      lastList = 'reviews';
      showView('reviews');
      await renderReviews();
    }
  } catch (error) {
    toast(error.message, true);
  }
}

function openApplication(id) {
  window.location.hash = '#app/' + encodeURIComponent(id);
}

function flags(row) {
  return [row.breached ? badge('breached') : null, !row.breached && row.at_risk ? badge('at_risk') : null];
}

// --- Reviews -------------------------------------------------------------------------------

async function renderReviews() {
  const json = await call('GET', `${API}/reviews?state=${reviewState}`);
  if (reviewState === 'open') document.getElementById('count-reviews').textContent = json.reviews.length;
  const rows = json.reviews.map((review) =>
    el('tr', { class: 'clickable', dataset: { application: review.application_id },
               onclick: () => openApplication(review.application_id) },
       el('td', {}, el('strong', {}, review.enterprise_name || '—'),
          el('div', { class: 'muted mono' }, review.application_id)),
       el('td', {}, review.legal_representative || '—'),
       el('td', {}, review.kiosk_id, el('div', { class: 'muted' }, review.district)),
       el('td', {}, time(review.submitted_at)),
       el('td', {}, time(review.deadline), ' ', flags(review)),
       el('td', {}, badge(review.state),
          review.decided_by ? el('div', { class: 'muted' }, review.decided_by) : null,
          review.reason ? el('div', { class: 'muted' }, review.reason) : null)));
  document.getElementById('reviews-table').replaceChildren(tableOf(
      ['企业 Company', '法定代表人 Legal rep.', '网点 Kiosk', '提交 Submitted', '办结期限 Deadline',
       '状态 State'],
      rows, '没有待处理的审核 · No reviews here'));
}

// --- Accounts ------------------------------------------------------------------------------

async function renderAccounts() {
  const q = document.getElementById('account-query').value.trim();
  const json = await call('GET',
      `${API}/accounts?q=${encodeURIComponent(q)}&offset=${accountOffset}&limit=${ACCOUNT_PAGE}`);
  const rows = json.accounts.map((account) =>
    el('tr', { class: 'clickable', onclick: () => openApplication(account.application_id) },
       el('td', {}, el('strong', {}, account.enterprise_name),
          el('div', { class: 'muted mono' }, account.application_id)),
       el('td', { class: 'mono' }, account.uscc || '—'),
       el('td', { class: 'mono' }, account.account_number || '—'),
       el('td', {}, dateTime(account.opened_at)),
       el('td', {}, badge(account.state))));
  document.getElementById('accounts-table').replaceChildren(tableOf(
      ['企业 Company', '统一社会信用代码 USCC', '基本存款账户 Account', '开户时间 Opened', '申请状态 Application'],
      rows, q ? '没有匹配的账户 · No account matches' : '尚无账户 · No accounts yet'));
  const last = Math.min(json.total, accountOffset + ACCOUNT_PAGE);
  document.getElementById('accounts-page').textContent =
      json.total ? `${accountOffset + 1}–${last} / ${json.total}` : '0';
  document.getElementById('accounts-prev').disabled = accountOffset === 0;
  document.getElementById('accounts-next').disabled = last >= json.total;
}

// --- Exceptions ----------------------------------------------------------------------------

async function staffAction(id, path, body, done) {
  try {
    await call('POST', `${API}/applications/${encodeURIComponent(id)}${path}`, body || {});
    toast(done);
  } catch (error) {
    toast(error.message, true);
  }
  await route();
}

async function renderExceptions() {
  const json = await call('GET', `${API}/exceptions`);
  document.getElementById('count-exceptions').textContent = json.exceptions.length;
  const rows = json.exceptions.map((item) => {
    const buttons = [];
    if (item.actions.includes('retry')) {
      buttons.push(el('button', { class: 'btn small', type: 'button', onclick: (event) => {
        event.stopPropagation();
        staffAction(item.application_id, `/steps/${item.step}/retry`, {}, '已重试 · Retried');
      } }, '重试 Retry'));
    }
    if (item.actions.includes('cancel_step')) {
      buttons.push(el('button', { class: 'btn small danger', type: 'button', onclick: async (event) => {
        event.stopPropagation();
        const reason = await Console.askReason('中止此环节 · Cancel this step');
        if (reason) staffAction(item.application_id, `/steps/${item.step}/cancel`, { reason }, '已中止 · Step cancelled');
      } }, '中止环节 Cancel step'));
    }
    if (item.actions.includes('cancel_application')) {
      buttons.push(el('button', { class: 'btn small danger', type: 'button', onclick: async (event) => {
        event.stopPropagation();
        const reason = await Console.askReason('撤销整个申请 · Cancel the whole application');
        if (reason) staffAction(item.application_id, '/cancel', { reason }, '已撤销 · Application cancelled');
      } }, '撤销申请 Cancel application'));
    }
    return el('tr', { class: 'clickable', onclick: () => openApplication(item.application_id) },
      el('td', { class: 'mono' }, item.application_id),
      el('td', {}, stepName(item.step), el('div', {}, badge(item.step_state))),
      el('td', {}, badge(item.kind)),
      el('td', {}, item.reason || item.reason_code || '—',
         el('div', { class: 'muted' }, `attempts ${item.attempts}`)),
      el('td', {}, time(item.budget_due_at)),
      el('td', {}, el('div', { class: 'actions' }, buttons)));
  });
  document.getElementById('exceptions-table').replaceChildren(tableOf(
      ['申请 Application', '环节 Step', '类别 Kind', '原因 Reason', '环节时限 Step due', '操作 Actions'],
      rows, '没有异常 · Nothing needs you'));
}

// --- One application -----------------------------------------------------------------------

function facts(pairs) {
  return el('dl', { class: 'facts' },
    pairs.filter((pair) => pair).map(([dt, dd]) => [el('dt', {}, dt), el('dd', {}, dd ?? '—')]));
}

function personFacts(person) {
  if (!person) return el('p', { class: 'muted' }, '—');
  return facts([
    ['姓名 Name', person.name],
    ['身份证号 ID number', el('span', { class: 'mono' }, person.id_number)],
    ['校验 ID check', person.id_number_valid ? badge('ok') : badge('failed')],
    person.birth_date ? ['出生 Born', `${person.birth_date} (${person.age})`] : null,
    person.sex ? ['性别 Sex', person.sex === 'male' ? '男 male' : '女 female'] : null,
    person.phone ? ['手机 Phone', person.phone] : null,
  ]);
}

function stepClass(step) {
  if (step.state === 'done') return 'done';
  if (step.state === 'failed') return 'failed';
  if (step.human_task && (step.human_task.state === 'open' || step.human_task.state === 'more_info')) return 'waiting';
  if (step.state === 'dispatched' || step.state === 'acknowledged') return 'active';
  return '';
}

// Amounts come as text in yuan, "1,000,000.00" or "1000000.00".
const ENTERPRISE_TYPES = {
  limited_liability_company: '有限责任公司 limited liability company',
  sole_proprietorship: '个人独资企业 sole proprietorship',
  partnership: '合伙企业 partnership',
};


// What the kiosk reported about its identity check, and only that: an older kiosk that did
// not report one is shown as such, not as verified.
function identityFacts(identity) {
  const tag = (cls, text) => el('span', { class: 'badge ' + cls }, text);
  const rows = [['证件 Document', '身份证芯片读取 · ID card chip read']];
  if (!identity.reported) {
    rows.push(['身份核验 Identity', el('span', {}, tag('warn', '未上报 · not reported'),
      ' 受理终端未上报核验结果 · not reported by kiosk')]);
    rows.push(['受理终端 Kiosk', identity.kiosk_id]);
    return rows;
  }
  if (identity.method === 'face') {
    const passed = identity.liveness_passed;
    rows.push(['身份核验 Identity', el('span', {}, tag(passed ? 'ok' : 'bad', '人脸比对 · face check'),
      ` 比对分数 score ${Number(identity.match_score).toFixed(2)}`)]);
    rows.push(['活体检测 Liveness', tag(passed ? 'ok' : 'bad', passed ? '通过 · passed' : '未通过 · failed')]);
  } else {
    rows.push(['身份核验 Identity', el('span', {}, tag('ok', '员工核验 · staff check'),
      identity.staff_verifier ? ` 工号 staff ${identity.staff_verifier}` : ' 工号未填写 · staff id not given')]);
  }
  rows.push(['核验编号 Reference', el('span', { class: 'mono' }, identity.reference)]);
  rows.push(['核验时间 Verified', `${identity.kiosk_id} · ${dateTime(identity.verified_at)}`]);
  return rows;
}
function yuan(amount) {
  const value = Number(String(amount).replace(/,/g, ''));
  return Number.isFinite(value)
    ? '¥' + value.toLocaleString('zh-CN', { minimumFractionDigits: 2 })
    : String(amount);
}

async function renderApplication(id) {
  const container = document.getElementById('application');
  let json;
  try {
    json = await call('GET', `${API}/applications/${encodeURIComponent(id)}`);
  } catch (error) {
    container.replaceChildren(el('div', { class: 'card' },
        el('h2', {}, '找不到该申请 · Application not found'), el('p', { class: 'muted' }, error.message)));
    return;
  }
  const app = json.application;
  const kyc = json.kyc;
  const reviewStep = app.steps.find((step) => step.human_task && step.human_task.role === 'bank_staff');
  const reviewOpen = reviewStep && reviewStep.human_task.state === 'open';

  const actions = [];
  if (reviewOpen) {
    const path = `/steps/${reviewStep.id}`;
    actions.push(
      el('button', { class: 'btn approve', type: 'button', id: 'approve', onclick: () =>
        staffAction(app.id, `${path}/approve`, {}, '已通过，开户请求已发送 · Approved: the account request is on its way') },
        '通过审核 · Approve'),
      el('button', { class: 'btn', type: 'button', id: 'request-info', onclick: async () => {
        const reason = await Console.askReason('请申请人补充材料 · Ask the applicant for more');
        if (reason) staffAction(app.id, `${path}/request-info`, { reason }, '已通知申请人 · The applicant is asked');
      } }, '要求补充 · Ask for more'),
      el('button', { class: 'btn danger', type: 'button', id: 'reject', onclick: async () => {
        const reason = await Console.askReason('驳回开户申请 · Reject the account opening');
        if (reason) staffAction(app.id, `${path}/reject`, { reason }, '已驳回 · Rejected');
      } }, '驳回 · Reject'));
  }

  const enterprise = kyc.enterprise;
  const rep = kyc.legal_representative;
  const shareholders = kyc.shareholders.map((holder) => el('tr', {},
      el('td', {}, holder.name), el('td', { class: 'mono' }, holder.id_number),
      el('td', { class: 'num' }, yuan(holder.contribution)),
      el('td', { class: 'num' }, (holder.share * 100).toFixed(1) + '%')));
  const owners = kyc.beneficial_owners.map((owner) => el('tr', {},
      el('td', {}, owner.name), el('td', { class: 'mono' }, owner.id_number),
      el('td', { class: 'num' }, (owner.share * 100).toFixed(1) + '%'),
      el('td', {}, owner.basis === 'ownership' ? '持股 ≥25% · ownership' : '高级管理人员 · senior manager')));
  const history = json.history.slice().reverse().map((event) => el('li', {},
      el('span', { class: 'when' }, dateTime(event.at)),
      el('strong', {}, event.type), ' ', event.step ? stepName(event.step) : '',
      el('span', { class: 'muted' }, ' · ' + event.actor)));

  container.replaceChildren(
    el('div', { class: 'card' },
      el('div', { class: 'card-head' },
        el('div', {},
          el('h2', { id: 'enterprise-name' }, enterprise.name),
          el('div', { class: 'muted mono' }, app.id, ' · ', app.kiosk_id, ' · ', app.district)),
        el('div', { class: 'spacer' }),
        badge(app.state), app.breached ? badge('breached') : app.at_risk ? badge('at_risk') : null),
      el('div', { class: 'muted' }, '提交 Submitted ', dateTime(app.submitted_at), ' · 办结期限 Deadline ',
         dateTime(app.deadline), app.green_channel ? ' · 绿色通道 green channel' : ''),
      app.attention.length ? el('p', {}, app.attention.join('；')) : null,
      el('div', { class: 'steps', id: 'steps' }, app.steps.map((step) =>
        el('div', { class: 'step ' + stepClass(step), dataset: { step: step.id, state: step.state } },
          el('div', { class: 'name' }, stepName(step.id)),
          badge(step.human_task && step.state === 'pending' ? step.human_task.state : step.state),
          step.reason ? el('div', { class: 'muted' }, step.reason) : null))),
      actions.length ? el('div', { class: 'actions', id: 'review-actions' }, actions)
        : reviewStep ? el('p', { class: 'muted', id: 'review-status' }, '审核状态 Review: ', badge(reviewStep.human_task.state),
          reviewStep.human_task.decided_by ? ' · ' + reviewStep.human_task.decided_by : '',
          reviewStep.human_task.reason ? ' · ' + reviewStep.human_task.reason : '') : null),
    el('div', { class: 'detail-grid' },
      el('div', { class: 'card' }, el('h3', {}, '企业 ', el('span', { class: 'en' }, 'Enterprise')),
        facts([
          ['名称 Name', enterprise.name],
          ['类型 Type', ENTERPRISE_TYPES[enterprise.type] || enterprise.type],
          ['注册资本 Capital', yuan(enterprise.registered_capital)],
          ['住所 Address', `${enterprise.registered_address.division_code} ${enterprise.registered_address.detail}`],
          ['经营范围 Scope', enterprise.business_scope],
          ['统一社会信用代码 USCC', el('span', { class: 'mono' }, enterprise.uscc || '登记中 pending')],
          ['营业执照 Licence', el('span', { class: 'mono' }, enterprise.licence_ref || '—')],
        ])),
      el('div', { class: 'card' }, el('h3', {}, '法定代表人 ', el('span', { class: 'en' }, 'Legal representative')),
        personFacts(rep),
        facts(identityFacts(rep.identity))),
      el('div', { class: 'card' }, el('h3', {}, '股东 ', el('span', { class: 'en' }, 'Shareholders')),
        tableOf(['姓名 Name', '身份证号 ID', { label: '认缴 Contribution', num: true }, { label: '占比 Share', num: true }], shareholders)),
      el('div', { class: 'card' }, el('h3', {}, '受益所有人 ', el('span', { class: 'en' }, 'Beneficial owners')),
        tableOf(['姓名 Name', '身份证号 ID', { label: '占比 Share', num: true }, '认定依据 Basis'], owners),
        el('h3', {}, '其他人员 ', el('span', { class: 'en' }, 'Officers')),
        facts([
          ['监事 Supervisor', kyc.supervisor ? `${kyc.supervisor.name} ${kyc.supervisor.id_number}` : '—'],
          ['财务负责人 Finance', kyc.finance_officer ? `${kyc.finance_officer.name} ${kyc.finance_officer.id_number}` : '—'],
          ['联系电话 Contact', kyc.contact_phone],
        ])),
      el('div', { class: 'card' }, el('h3', {}, '办理记录 ', el('span', { class: 'en' }, 'History')),
        el('ul', { class: 'timeline' }, history))));
}

document.addEventListener('DOMContentLoaded', async () => {
  if (!(await Console.start())) return;
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => { window.location.hash = '#' + tab.dataset.view; });
  }
  for (const pill of document.querySelectorAll('#review-states .pill')) {
    pill.addEventListener('click', () => {
      reviewState = pill.dataset.state;
      for (const other of document.querySelectorAll('#review-states .pill')) {
        other.classList.toggle('active', other === pill);
      }
      renderReviews().catch((error) => toast(error.message, true));
    });
  }
  document.getElementById('account-search').addEventListener('submit', (event) => {
    event.preventDefault();
    accountOffset = 0;
    renderAccounts().catch((error) => toast(error.message, true));
  });
  document.getElementById('accounts-prev').addEventListener('click', () => {
    accountOffset = Math.max(0, accountOffset - ACCOUNT_PAGE);
    renderAccounts().catch((error) => toast(error.message, true));
  });
  document.getElementById('accounts-next').addEventListener('click', () => {
    accountOffset += ACCOUNT_PAGE;
    renderAccounts().catch((error) => toast(error.message, true));
  });
  window.addEventListener('hashchange', route);
  await route();
  // The exceptions count in the tab is worth having without opening the tab.
  call('GET', `${API}/exceptions`).then((json) => {
    document.getElementById('count-exceptions').textContent = json.exceptions.length;
  }).catch(() => {});
  call('GET', `${API}/reviews?state=open`).then((json) => {
    document.getElementById('count-reviews').textContent = json.reviews.length;
  }).catch(() => {});
});
