// What every console page shares: the session (with its CSRF token), JSON calls, formatting
// and small DOM helpers. Pages are plain scripts under a strict Content-Security-Policy: no
// inline code, no eval, nothing from other origins.
'use strict';

const Console = (() => {
  let session = null;

  // Loads the session; without one, goes to the login page.
  async function start() {
    const response = await fetch('/console/api/v1/session', { credentials: 'same-origin' });
    if (response.status === 401) {
      window.location.assign('/login');
      return null;
    }
    if (!response.ok) throw new Error('session: HTTP ' + response.status);
    session = await response.json();
    const who = document.getElementById('who');
    if (who) {
      who.replaceChildren(
        el('strong', {}, session.display_name || session.user),
        ' · ' + roleLabel(session.role) + (session.scope ? ' · ' + session.scope : ''));
    }
    const logout = document.getElementById('logout');
    if (logout) logout.addEventListener('click', logoutNow);
    return session;
  }

  // A JSON call. State-changing calls carry the CSRF token. Resolves to the parsed body;
  // rejects with an Error whose message is the server's.
  async function call(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = session ? session.csrf_token : '';
    }
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: method === 'GET' ? undefined : JSON.stringify(body || {}),
    });
    if (response.status === 401) {
      window.location.assign('/login');
      throw new Error('the session has ended');
    }
    if (response.status === 204) return null;
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      const message = json.error ? json.error.message : 'HTTP ' + response.status;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return json;
  }

  async function logoutNow() {
    try {
      await call('POST', '/console/api/v1/logout', {});
    } finally {
      window.location.assign('/login');
    }
  }

  // el('td', {class: 'num'}, 'text', childNode, ...): a DOM element. Text is always text.
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'onclick') node.addEventListener('click', value);
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // A bilingual label: 中文 with the English after it.
  function label(zh, en) {
    return el('span', {}, zh, el('span', { class: 'en' }, en));
  }

  function pad(n) {
    return String(n).padStart(2, '0');
  }

  // "2026-03-10T10:00:00+08:00" -> "03-10 10:00" (Shanghai time, as the server writes it).
  function time(iso) {
    if (!iso) return '—';
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
    return m ? `${m[2]}-${m[3]} ${m[4]}:${m[5]}` : iso;
  }

  function dateTime(iso) {
    if (!iso) return '—';
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
    return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}` : iso;
  }

  // Working minutes as "1 d 2 h 30 min" (a working day is 8 hours).
  function workingTime(minutes) {
    if (minutes === null || minutes === undefined) return '—';
    const sign = minutes < 0 ? '−' : '';
    let left = Math.abs(minutes);
    const days = Math.floor(left / 480);
    left -= days * 480;
    const hours = Math.floor(left / 60);
    const mins = left - hours * 60;
    const parts = [];
    if (days) parts.push(days + ' d');
    if (hours) parts.push(hours + ' h');
    if (mins || parts.length === 0) parts.push(mins + ' min');
    return sign + parts.join(' ');
  }

  function percent(share) {
    return share === null || share === undefined ? '—' : (share * 100).toFixed(1) + '%';
  }

  const STATES = {
    submitted: ['已提交', 'submitted', 'info'],
    in_progress: ['办理中', 'in progress', 'info'],
    completed: ['已办结', 'completed', 'ok'],
    needs_attention: ['待处理', 'needs attention', 'warn'],
    rejected: ['已驳回', 'rejected', 'bad'],
    cancelled: ['已撤销', 'cancelled', 'bad'],
    pending: ['等待', 'pending', ''],
    dispatched: ['已发送', 'dispatched', 'info'],
    acknowledged: ['受理中', 'acknowledged', 'info'],
    done: ['完成', 'done', 'ok'],
    failed: ['失败', 'failed', 'bad'],
    open: ['待审核', 'open', 'warn'],
    more_info: ['待补充', 'more info', 'warn'],
    approved: ['已通过', 'approved', 'ok'],
    at_risk: ['临近超时', 'at risk', 'warn'],
    breached: ['已超时', 'breached', 'bad'],
    online: ['在线', 'online', 'ok'],
    degraded: ['需关注', 'degraded', 'warn'],
    offline: ['离线', 'offline', 'bad'],
    never: ['未上线', 'never seen', ''],
    disabled: ['已停用', 'disabled', 'bad'],
    ok: ['正常', 'ok', 'ok'],
  };

  function badge(state) {
    const known = STATES[state] || [state, '', ''];
    return el('span', { class: 'badge ' + known[2], title: known[1] }, known[0] + (known[1] ? ' · ' + known[1] : ''));
  }

  const STEPS = {
    registration: ['企业登记', 'registration'],
    seal: ['公章刻制', 'seal'],
    tax_registration: ['涉税登记', 'tax registration'],
    bank_account: ['银行开户', 'bank account'],
    tax_bank_agreement: ['三方协议', 'tax–bank agreement'],
  };

  function stepName(id) {
    const known = STEPS[id];
    return known ? known[0] + ' ' + known[1] : id;
  }

  function roleLabel(role) {
    return { bank_staff: '银行员工 bank staff', gov_operator: '政务运营 operator', admin: '管理员 admin' }[role] || role;
  }

  function toast(message, isError) {
    let node = document.getElementById('toast');
    if (!node) {
      node = el('div', { id: 'toast', class: 'toast', role: 'status' });
      document.body.append(node);
    }
    node.textContent = message;
    node.className = 'toast show' + (isError ? ' error' : '');
    clearTimeout(node.hideTimer);
    node.hideTimer = setTimeout(() => { node.className = 'toast'; }, 3500);
  }

  // Asks for a reason in the page's <dialog id="reason-dialog">; resolves to the text, or null.
  function askReason(title) {
    const dialog = document.getElementById('reason-dialog');
    const input = dialog.querySelector('textarea');
    dialog.querySelector('.title').textContent = title;
    input.value = '';
    return new Promise((resolve) => {
      const form = dialog.querySelector('form');
      const onClose = () => {
        dialog.removeEventListener('close', onClose);
        resolve(dialog.returnValue === 'ok' && input.value.trim() ? input.value.trim() : null);
      };
      dialog.addEventListener('close', onClose);
      form.onsubmit = (event) => {
        if (!input.value.trim()) {
          event.preventDefault();
          input.focus();
        }
      };
      dialog.showModal();
      input.focus();
    });
  }

  function tableOf(headers, rows, emptyText) {
    const head = el('tr', {}, headers.map((h) => el('th', { class: h.num ? 'num' : null }, h.label || h)));
    const body = rows.length
      ? rows
      : [el('tr', {}, el('td', { class: 'empty', colspan: headers.length }, emptyText || '暂无 · nothing here'))];
    return el('table', {}, el('thead', {}, head), el('tbody', {}, body));
  }

  return {
    start, call, el, label, time, dateTime, workingTime, percent, badge, stepName, toast,
    askReason, tableOf, get session() { return session; },
  };
})();
