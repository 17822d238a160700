// The login page: posts the credentials as JSON and goes to the user's console.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('login-form');
  const message = document.getElementById('message');
  const button = document.getElementById('sign-in');

  // Already logged in (a bookmark of /login, say): straight to the console.
  fetch('/console/api/v1/session', { credentials: 'same-origin' })
    .then((response) => (response.ok ? response.json() : null))
    .then((session) => { if (session) window.location.assign(session.home); })
    .catch(() => {});

  function show(text, kind) {
    message.textContent = text;
    message.className = 'message show ' + kind;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const response = await fetch('/console/api/v1/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({
          user: document.getElementById('user').value.trim(),
          password: document.getElementById('password').value,
        }),
      });
      const json = await response.json().catch(() => ({}));
      if (response.ok) {
        window.location.assign(json.home || '/');
        return;
      }
      if (response.status === 401) {
        show('用户名或密码错误 · Wrong user name or password', 'error');
      } else if (response.status === 429) {
        show('登录失败次数过多，账户暂时锁定 · Too many failed logins: ' +
             (json.error ? json.error.message : 'the account is locked for a while'), 'error');
      } else {
        show(json.error ? json.error.message : 'HTTP ' + response.status, 'error');
      }
      document.getElementById('password').value = '';
      document.getElementById('password').focus();
    } catch (error) {
      show('无法连接服务器 · Cannot reach the server: ' + error.message, 'error');
    } finally {
      button.disabled = false;
    }
  });
});
