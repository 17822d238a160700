// The kiosk screen. One page, one applicant at a time; every screen is rendered from `state`
// with DOM calls (never HTML strings), so nothing an applicant or a card supplies can become
// markup. The agent's local API (/local/*) does the work; docs/kiosk-agent.md lists it.
"use strict";

(function () {
  const ROOT = document.getElementById("screen");
  const IDLE_TOUCH_EVERY_MS = 15000;
  const POLL_CARD_MS = 1000;
  const POLL_SUBMISSION_MS = 1500;
  const OFFLINE_AFTER_MS = 12000;

  const state = {
    lang: "zh-CN",
    config: null,
    choices: { divisions: [], seal_shops: [] },
    catalog: { "zh-CN": {}, en: {} },
    screen: "welcome",
    notice: "",
    session: "",
    consentFace: false,
    identity: null, // {card, prefill, adult, verification}
    face: { busy: false, message: "", attemptsLeft: null },
    staff: { message: "" },
    form: null,
    problems: [], // from the last validation: [{field, key, zh, en}]
    touched: {}, // field paths the applicant has changed on the current screen
    nameCheck: null, // {name, result, detail} | {name, unavailable: true}
    submission: null, // {reference, state, application_id, status_url, status, receipt, since}
    cardError: "",
  };

  let timers = [];
  let lastInputAt = Date.now();
  let lastTouchAt = 0;

  // ------------------------------------------------------------------ helpers

  function t(key) {
    const texts = KIOSK_TEXT[state.lang] || KIOSK_TEXT["zh-CN"];
    return key in texts ? texts[key] : key;
  }

  // A text of the shared catalog (validation messages, step and state names).
  function c(key) {
    const texts = state.catalog[state.lang] || {};
    return key in texts ? texts[key] : key;
  }

  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith("on")) {
        element.addEventListener(name.slice(2), value);
      } else if (name === "value") {
        element.value = value;
      } else if (name === "checked") {
        element.checked = Boolean(value);
      } else {
        element.setAttribute(name, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function clearTimers() {
    for (const id of timers) clearTimeout(id);
    timers = [];
  }

  function later(ms, fn) {
    const id = setTimeout(fn, ms);
    timers.push(id);
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state.session) headers["X-Kiosk-Session"] = state.session;
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      return { status: 0, body: { error: { code: "unavailable", message: String(error) } } };
    }
    let parsed = {};
    if (response.status !== 204) {
      try {
        parsed = await response.json();
      } catch (error) {
        parsed = {};
      }
    }
    const result = { status: response.status, body: parsed };
    const error = parsed && parsed.error;
    if (response.status === 404 && error && error.field === "session" && state.session) {
      reset("welcome.notice.idle");
      result.sessionEnded = true;
    }
    return result;
  }

  function newForm() {
    return {
      enterprise: {
        name: "",
        type: "limited_liability_company",
        capital: "",
        capital_unit: "wan",
        division_code: "",
        detail: "",
        business_scope: "",
      },
      phone: "",
      self_shareholder: true,
      self_contribution: "",
      shareholders: [], // [{name, id_number, contribution}]
      supervisor_mode: "none",
      supervisor: { name: "", id_number: "", phone: "" },
      finance_mode: "self",
      finance: { name: "", id_number: "", phone: "" },
      contact_phone: "",
      seal: { shop: "", delivery: "pickup", division_code: "", detail: "" },
      tax: { taxpayer_type: "small_scale", vat_ordinary: true, vat_ordinary_qty: "25",
             vat_special: false, vat_special_qty: "10" },
    };
  }

  function amount(text, unit) {
    const value = String(text || "").trim();
    if (!value) return "";
    return unit === "wan" ? value + "万" : value;
  }

  // The form as the agent's /local/validate and /local/submit read it (ui/kiosk_form.h).
  function formBody() {
    const f = state.form;
    const shareholders = [];
    if (f.self_shareholder) {
      shareholders.push({ self: true, contribution: amount(f.self_contribution, f.enterprise.capital_unit) });
    }
    for (const s of f.shareholders) {
      shareholders.push({
        person: { id_number: s.id_number.trim(), name: s.name.trim() },
        contribution: amount(s.contribution, f.enterprise.capital_unit),
      });
    }
    const invoices = [];
    if (f.tax.vat_ordinary) invoices.push({ type: "vat_ordinary", monthly_quantity: Number(f.tax.vat_ordinary_qty) || 0 });
    if (f.tax.vat_special) invoices.push({ type: "vat_special", monthly_quantity: Number(f.tax.vat_special_qty) || 0 });
    const body = {
      green_channel: false,
      enterprise: {
        name: f.enterprise.name.trim(),
        type: f.enterprise.type,
        registered_capital: amount(f.enterprise.capital, f.enterprise.capital_unit) || "0",
        registered_address: { division_code: f.enterprise.division_code, detail: f.enterprise.detail.trim() },
        business_scope: f.enterprise.business_scope.trim(),
      },
      legal_representative: { phone: f.phone.trim() },
      shareholders,
      supervisor: f.supervisor_mode === "person"
        ? { id_number: f.supervisor.id_number.trim(), name: f.supervisor.name.trim(), phone: f.supervisor.phone.trim() }
        : null,
      finance_officer: f.finance_mode === "self" ? { self: true }
        : f.finance_mode === "other"
          ? { id_number: f.finance.id_number.trim(), name: f.finance.name.trim(), phone: f.finance.phone.trim() }
          : null,
      contact_phone: (f.contact_phone || f.phone).trim(),
      seal: { shop: f.seal.shop, delivery: f.seal.delivery },
      tax: { taxpayer_type: f.tax.taxpayer_type, invoices },
    };
    if (f.seal.delivery === "courier") {
      body.seal.courier_address = { division_code: f.seal.division_code, detail: f.seal.detail.trim() };
    }
    // Contributions are empty strings until typed; an empty amount is the same "not positive".
    for (const s of body.shareholders) if (!s.contribution) s.contribution = "0";
    return body;
  }

  // ------------------------------------------------------------------ screens and fields

  // Which screen owns a problem's field, so a problem found at "submit" sends the applicant
  // back to where it can be fixed.
  function screenOfField(field, key) {
    if (key === "shareholders.contribution_sum_mismatch") return "people";
    if (field.startsWith("enterprise.")) return "enterprise";
    if (field.startsWith("seal.") || field.startsWith("tax.")) return "seal_tax";
    if (field.startsWith("legal_representative.name")) return "identity";
    if (field.startsWith("legal_representative") || field.startsWith("shareholders") ||
        field.startsWith("supervisor") || field.startsWith("finance_officer") ||
        field.startsWith("contact_phone")) return "people";
    return "review";
  }

  function problemsFor(field) {
    return state.problems.filter((p) => p.field === field ||
      (p.key === "shareholders.contribution_sum_mismatch" && field === "shareholders"));
  }

  function problemText(problem) {
    return state.lang === "en" ? problem.en : problem.zh;
  }

  // The problems shown beside the input for `path`: those of this screen, once the applicant
  // has left the field (or pressed "next").
  function visibleProblems(path) {
    return problemsFor(path).filter((p) => screenOfField(p.field, p.key) === state.screen &&
                                           (state.touched[path] || state.touched["*"]));
  }

  function problemNodes(problems) {
    return problems.map((p) => h("div", { class: "problem", "data-problem": p.key }, problemText(p)));
  }

  // Problems about a group rather than one input ("shareholders", "finance_officer"), shown
  // where `name` says.
  function groupProblems(name) {
    if (!state.touched[name] && !state.touched["*"]) return [];
    return state.problems.filter((p) => p.field === name ||
      (name === "shareholders" && p.key === "shareholders.contribution_sum_mismatch"));
  }

  function problemGroup(name) {
    return h("div", { "data-problems-for": name }, problemNodes(groupProblems(name)));
  }

  // A labelled input; `path` is its JSON field path.
  function field(path, label, input, hint) {
    const problems = visibleProblems(path);
    return h("div", { class: "field" + (problems.length ? " invalid" : ""), "data-field": path },
      h("label", {}, label),
      input,
      hint ? h("div", { class: "hint" }, hint) : null,
      problemNodes(problems));
  }

  // Shows the latest problems in place, without rebuilding the screen: a tap that lands while
  // a validation answer arrives must not be lost.
  function patchProblems() {
    for (const element of ROOT.querySelectorAll("[data-field]")) {
      const problems = visibleProblems(element.getAttribute("data-field"));
      element.querySelectorAll(":scope > .problem").forEach((node) => node.remove());
      element.append(...problemNodes(problems));
      element.classList.toggle("invalid", problems.length > 0);
    }
    for (const element of ROOT.querySelectorAll("[data-problems-for]")) {
      element.replaceChildren(...problemNodes(groupProblems(element.getAttribute("data-problems-for"))));
    }
  }

  function textInput(path, value, onChange, extra) {
    return h("input", Object.assign({
      type: "text",
      value,
      name: path,
      autocomplete: "off",
      oninput: (event) => onChange(event.target.value),
      onchange: () => touch(path),
    }, extra || {}));
  }

  function choiceGroup(name, options, selected, onSelect) {
    return h("div", { class: "choices", role: "radiogroup" }, options.map(([value, label]) =>
      h("label", { class: "choice" + (value === selected ? " selected" : "") },
        h("input", { type: "radio", name, value, checked: value === selected,
                     onchange: () => { onSelect(value); render(); } }),
        label)));
  }

  function selectInput(path, options, value, onChange) {
    return h("select", { name: path, onchange: (event) => { onChange(event.target.value); touch(path); } },
      h("option", { value: "" }, t("choose")),
      options.map((o) => h("option", { value: o.value, selected: o.value === value ? true : null }, o.label)));
  }

  function divisionOptions() {
    return state.choices.divisions.map((d) => ({ value: d.code, label: state.lang === "en" ? d.en : d.zh }));
  }

  let validateTimer = null;
  function touch(path) {
    state.touched[path] = true;
    clearTimeout(validateTimer);
    validateTimer = setTimeout(() => validate(false), 250);
  }

  // Runs the server's validation on the draft; with `all`, every problem of the current screen
  // is shown, else only those of touched fields.
  async function validate(all) {
    const screen = state.screen;
    const answer = await api("POST", "/local/validate", formBody());
    if (answer.sessionEnded || state.screen !== screen) return null;
    if (answer.status !== 200) return null;
    state.problems = answer.body.problems || [];
    if (all) state.touched["*"] = true;
    patchProblems();
    return state.problems;
  }

  // ------------------------------------------------------------------ flow

  const FLOW = ["welcome", "consent", "card", "face", "staff", "identity", "enterprise", "people",
                "seal_tax", "review", "receipt", "status", "goodbye"];
  const PROGRESS = [["identity", ["card", "face", "staff", "identity"]], ["enterprise", ["enterprise"]],
                    ["people", ["people"]], ["seal_tax", ["seal_tax"]],
                    ["review", ["review", "receipt", "status"]]];

  function go(screen) {
    clearTimers();
    state.screen = screen;
    state.touched = {};
    if (!["enterprise", "people", "seal_tax", "review"].includes(screen)) state.problems = [];
    render();
    window.scrollTo(0, 0);
    const enter = ENTER[screen];
    if (enter) enter();
  }

  // Clears everything about the applicant, on the server and on the screen.
  function reset(noticeKey) {
    clearTimers();
    const token = state.session;
    state.session = "";
    if (token) {
      fetch("/local/session/end", { method: "POST", headers: { "X-Kiosk-Session": token } }).catch(() => {});
    }
    state.identity = null;
    state.form = null;
    state.problems = [];
    state.touched = {};
    state.nameCheck = null;
    state.submission = null;
    state.face = { busy: false, message: "", attemptsLeft: null };
    state.staff = { message: "" };
    state.cardError = "";
    state.consentFace = false;
    state.consentDraftCard = false;
    state.consentDraftFace = false;
    state.notice = noticeKey || "";
    hideIdle();
    state.screen = "welcome";
    render();
  }

  async function startSession(consentCard, consentFace) {
    const answer = await api("POST", "/local/session", { consent_id_card: consentCard, consent_face: consentFace });
    if (answer.status !== 201) {
      state.notice = "error.generic";
      render();
      return;
    }
    state.session = answer.body.session;
    state.consentFace = consentFace;
    state.form = newForm();
    state.notice = "";
    lastInputAt = Date.now();
    go("card");
  }

  async function pollCard() {
    if (state.screen !== "card") return;
    const answer = await api("GET", "/local/card");
    if (answer.sessionEnded || state.screen !== "card") return;
    if (answer.status === 200) {
      state.identity = answer.body;
      const prefill = answer.body.prefill;
      // The delivery address starts as the registered address: nothing the state knows is
      // typed again.
      if (!state.form.seal.detail) state.form.seal.detail = prefill.address;
      go(state.consentFace ? "face" : "staff");
      return;
    }
    const code = answer.body && answer.body.error ? answer.body.error.code : "";
    state.cardError = code === "corrupt" ? "card.unreadable" : code === "rejected" ? "card.expired"
      : code === "unavailable" ? "card.offline" : "";
    render();
    later(POLL_CARD_MS, pollCard);
  }

  async function faceCheck() {
    state.face.busy = true;
    state.face.message = "face.checking";
    render();
    const answer = await api("POST", "/local/face-check", {});
    if (answer.sessionEnded) return;
    state.face.busy = false;
    if (answer.status === 200) {
      state.face.attemptsLeft = answer.body.attempts_left;
      if (answer.body.matched) {
        state.identity.verification = "face";
        go("identity");
        return;
      }
      state.face.message = "face.failed";
    } else if (answer.status === 504) {
      state.face.message = "face.timeout";
    } else if (answer.status === 409) {
      state.face.attemptsLeft = 0;
      state.face.message = "face.failed";
    } else {
      state.face.message = "face.offline";
    }
    render();
  }

  // The staff id goes with the application so the reviewing officer knows who vouched; the
  // code is the kiosk's secret and stays here.
  async function staffVerify(code, staffId) {
    const body = { staff_code: code };
    if (staffId.trim()) body.staff_id = staffId.trim();
    const answer = await api("POST", "/local/staff-verify", body);
    if (answer.sessionEnded) return;
    if (answer.status === 200) {
      state.identity.verification = "staff";
      go("identity");
      return;
    }
    const field = answer.body && answer.body.error ? answer.body.error.message : "";
    state.staff.message = answer.status === 429 ? "staff.locked"
      : /not set up/.test(field) ? "staff.unavailable" : "staff.wrong";
    render();
  }

  async function checkName() {
    const name = state.form.enterprise.name.trim();
    const answer = await api("POST", "/local/name-check",
                             { name, division_code: state.form.enterprise.division_code || "370202" });
    if (answer.sessionEnded) return;
    state.nameCheck = answer.status === 200 ? Object.assign({ name }, answer.body)
                                            : { name, unavailable: true };
    render();
  }

  async function next(fromScreen, toScreen) {
    const problems = await validate(true);
    if (problems === null) return;
    const here = problems.filter((p) => screenOfField(p.field, p.key) === fromScreen);
    if (here.length === 0) go(toScreen);
  }

  async function submit() {
    state.submitting = true;
    render();
    const answer = await api("POST", "/local/submit", formBody());
    state.submitting = false;
    if (answer.sessionEnded) return;
    if (answer.status === 202) {
      state.submission = { reference: answer.body.reference, state: "queued", since: Date.now() };
      go("receipt");
      return;
    }
    if (answer.status === 422) {
      state.problems = answer.body.problems || [];
      state.touched = { "*": true };
      const first = state.problems.length ? screenOfField(state.problems[0].field, state.problems[0].key) : "review";
      state.screen = first;
      render();
      return;
    }
    state.notice = "error.generic";
    render();
  }

  async function pollSubmission() {
    if (state.screen !== "receipt" || !state.submission) return;
    const answer = await api("GET", "/local/submissions/" + encodeURIComponent(state.submission.reference));
    if (answer.sessionEnded || state.screen !== "receipt") return;
    if (answer.status === 200) {
      Object.assign(state.submission, answer.body);
      if (answer.body.state === "forwarded" && !state.submission.receipt) {
        const printed = await api("POST", "/local/submissions/" +
                                  encodeURIComponent(state.submission.reference) + "/receipt", {});
        if (printed.sessionEnded) return;
        state.submission.receipt = printed.status === 200 ? printed.body : { printed: false };
      }
    }
    render();
    if (state.submission.state === "queued") later(POLL_SUBMISSION_MS, pollSubmission);
  }

  async function printAgain() {
    const printed = await api("POST", "/local/submissions/" +
                              encodeURIComponent(state.submission.reference) + "/receipt", {});
    if (printed.status === 200) state.submission.receipt = printed.body;
    render();
  }

  async function refreshStatus() {
    const answer = await api("GET", "/local/submissions/" + encodeURIComponent(state.submission.reference));
    if (answer.sessionEnded) return;
    if (answer.status === 200) Object.assign(state.submission, answer.body);
    render();
  }

  const ENTER = {
    card: () => later(0, pollCard),
    receipt: () => later(0, pollSubmission),
    status: () => later(0, refreshStatus),
    goodbye: () => later(10000, () => reset("")),
  };

  // ------------------------------------------------------------------ rendering

  const SCREENS = {
    welcome() {
      return [
        h("h1", {}, t("app.title")),
        h("p", { class: "lead" }, t("app.subtitle")),
        state.notice ? h("p", { class: "notice", "data-notice": state.notice }, t(state.notice)) : null,
        h("p", {}, t("welcome.points")),
        h("div", { class: "actions" },
          h("button", { class: "button primary big", id: "start", type: "button", onclick: () => { state.notice = ""; go("consent"); } },
            t("welcome.start"))),
      ];
    },

    consent() {
      const cardBox = h("input", { type: "checkbox", id: "consent-card" });
      const faceBox = h("input", { type: "checkbox", id: "consent-face" });
      cardBox.checked = state.consentDraftCard || false;
      faceBox.checked = state.consentDraftFace || false;
      cardBox.addEventListener("change", () => {
        state.consentDraftCard = cardBox.checked;
        document.getElementById("consent-agree").disabled = !cardBox.checked;
        document.getElementById("consent-required").hidden = cardBox.checked;
      });
      faceBox.addEventListener("change", () => { state.consentDraftFace = faceBox.checked; });
      return [
        h("h1", {}, t("consent.title")),
        h("p", {}, t("consent.intro")),
        h("label", { class: "card consent", for: "consent-card" }, cardBox,
          h("div", {}, h("h2", {}, t("consent.card.title")), h("p", {}, t("consent.card.text")))),
        h("label", { class: "card consent", for: "consent-face" }, faceBox,
          h("div", {}, h("h2", {}, t("consent.face.title")), h("p", {}, t("consent.face.text")))),
        h("p", { class: "hint", id: "consent-required", hidden: state.consentDraftCard }, t("consent.required")),
        h("div", { class: "actions" },
          h("button", { class: "button", type: "button", onclick: () => reset("") }, t("nav.cancel")),
          h("span", { class: "spacer" }),
          h("button", { class: "button primary", id: "consent-agree", type: "button",
                        disabled: !state.consentDraftCard,
                        onclick: () => startSession(true, Boolean(state.consentDraftFace)) },
            t("consent.agree"))),
      ];
    },

    card() {
      return [
        h("h1", {}, t("card.title")),
        h("p", { class: "lead" }, t("card.text")),
        h("div", { class: "spinner", role: "status" }),
        h("p", {}, t("card.waiting")),
        state.cardError ? h("p", { class: "notice", "data-card-error": state.cardError }, t(state.cardError)) : null,
        h("div", { class: "actions" },
          h("button", { class: "button", type: "button", onclick: () => reset("welcome.notice.ended") }, t("nav.cancel"))),
      ];
    },

    face() {
      const exhausted = state.face.attemptsLeft === 0;
      return [
        h("h1", {}, t("face.title")),
        h("p", { class: "lead" }, t("face.text")),
        state.face.busy ? h("div", { class: "spinner", role: "status" }) : null,
        state.face.message ? h("p", { class: state.face.message === "face.checking" ? "" : "notice",
                                     "data-face": state.face.message }, t(state.face.message)) : null,
        state.face.attemptsLeft !== null && !exhausted
          ? h("p", {}, t("face.attempts_left") + state.face.attemptsLeft) : null,
        h("div", { class: "actions" },
          h("button", { class: "button primary big", id: "face-start", type: "button",
                        disabled: state.face.busy || exhausted, onclick: faceCheck }, t("face.start"))),
        h("div", { class: "card" },
          h("p", {}, t("face.staff_hint")),
          h("button", { class: "button", id: "face-staff", type: "button", onclick: () => go("staff") }, t("face.staff"))),
        h("div", { class: "actions" },
          h("button", { class: "button", type: "button", onclick: () => reset("welcome.notice.ended") }, t("nav.cancel"))),
      ];
    },

    staff() {
      const staffId = h("input", { type: "text", id: "staff-id", autocomplete: "off", maxlength: "64" });
      const code = h("input", { type: "password", inputmode: "numeric", id: "staff-code", autocomplete: "off", maxlength: "12" });
      return [
        h("h1", {}, t("staff.title")),
        h("p", { class: "lead" }, t("staff.text")),
        state.config && !state.config.staff_verification
          ? h("p", { class: "notice" }, t("staff.unavailable")) : null,
        h("div", { class: "field" }, h("label", { for: "staff-id" }, t("staff.id")), staffId),
        h("div", { class: "field" }, h("label", { for: "staff-code" }, t("staff.code")), code),
        state.staff.message ? h("p", { class: "problem", "data-staff": state.staff.message }, t(state.staff.message)) : null,
        h("div", { class: "actions" },
          h("button", { class: "button", type: "button", onclick: () => reset("welcome.notice.ended") }, t("nav.cancel")),
          h("span", { class: "spacer" }),
          h("button", { class: "button primary", id: "staff-confirm", type: "button",
                        onclick: () => staffVerify(code.value, staffId.value) }, t("staff.confirm"))),
      ];
    },

    identity() {
      const { card, prefill, adult, verification } = state.identity;
      const sex = (value) => t("identity.sex." + value);
      return [
        h("h1", {}, t("identity.title")),
        h("p", {}, t("identity.text")),
        h("div", {},
          h("span", { class: "badge" }, t("identity.source." + prefill.source)),
          h("span", { class: "badge", "data-verification": verification }, t("identity.verified." + verification))),
        h("div", { class: "card" },
          h("dl", { class: "facts", id: "identity-facts" },
            h("dt", {}, t("identity.name")), h("dd", { id: "identity-name" }, card.name),
            h("dt", {}, t("identity.sex")), h("dd", {}, sex(card.sex)),
            h("dt", {}, t("identity.ethnicity")), h("dd", {}, card.ethnicity),
            h("dt", {}, t("identity.birth_date")), h("dd", {}, card.birth_date),
            h("dt", {}, t("identity.id_number")), h("dd", {}, card.id_number_masked),
            h("dt", {}, t("identity.address")), h("dd", {}, card.address),
            prefill.source === "people_data" ? [h("dt", {}, t("identity.registered_address")), h("dd", {}, prefill.address)] : null,
            h("dt", {}, t("identity.valid")),
            h("dd", {}, card.valid_from + " – " + (card.valid_until === "long_term" ? t("identity.long_term") : card.valid_until)))),
        adult ? null : h("p", { class: "notice", id: "identity-minor" }, t("identity.minor")),
        h("div", { class: "actions" },
          h("button", { class: "button", type: "button", onclick: () => reset("welcome.notice.ended") }, t("nav.cancel")),
          h("span", { class: "spacer" }),
          adult ? h("button", { class: "button primary", id: "identity-confirm", type: "button", onclick: () => go("enterprise") },
                    t("identity.confirm")) : null),
      ];
    },

    enterprise() {
      const e = state.form.enterprise;
      const check = state.nameCheck && state.nameCheck.name === e.name.trim() ? state.nameCheck : null;
      let checkLine = null;
      if (check && check.unavailable) {
        checkLine = h("p", { class: "notice", "data-name-check": "unchecked" }, t("enterprise.name.unchecked"));
      } else if (check) {
        checkLine = h("p", { class: check.result === "available" ? "good" : "bad", "data-name-check": check.result },
          t("enterprise.name." + check.result) + (check.detail || ""));
      }
      const types = ["limited_liability_company", "sole_proprietorship", "partnership"];
      return [
        h("h1", {}, t("enterprise.title")),
        field("enterprise.name", t("enterprise.name"),
          h("div", { class: "row" },
            textInput("enterprise.name", e.name, (v) => { e.name = v; }, { placeholder: t("enterprise.name.hint"), id: "enterprise-name" }),
            h("button", { class: "button narrow", id: "name-check", type: "button", onclick: checkName }, t("enterprise.name.check")))),
        checkLine,
        h("div", { class: "field" }, h("span", { class: "label" }, t("enterprise.type")),
          choiceGroup("enterprise.type", types.map((v) => [v, c("enterprise_type." + v)]), e.type,
                      (v) => { e.type = v; touch("enterprise.name"); })),
        field("enterprise.registered_capital", t("enterprise.capital"),
          h("div", { class: "row" },
            textInput("enterprise.registered_capital", e.capital, (v) => { e.capital = v; },
                      { inputmode: "decimal", id: "enterprise-capital" }),
            h("div", { class: "narrow" }, choiceGroup("capital_unit",
              [["wan", t("enterprise.capital.wan")], ["yuan", t("enterprise.capital.yuan")]], e.capital_unit,
              (v) => { e.capital_unit = v; touch("enterprise.registered_capital"); })))),
        field("enterprise.registered_address.division_code", t("enterprise.division"),
          selectInput("enterprise.registered_address.division_code", divisionOptions(), e.division_code,
                      (v) => { e.division_code = v; })),
        field("enterprise.registered_address.detail", t("enterprise.detail"),
          textInput("enterprise.registered_address.detail", e.detail, (v) => { e.detail = v; },
                    { placeholder: t("enterprise.detail.hint"), id: "enterprise-detail" })),
        field("enterprise.business_scope", t("enterprise.scope"),
          h("textarea", { name: "enterprise.business_scope", id: "enterprise-scope", placeholder: t("enterprise.scope.hint"),
                          oninput: (ev) => { e.business_scope = ev.target.value; },
                          onchange: () => touch("enterprise.business_scope") }, e.business_scope)),
        navigation("identity", () => next("enterprise", "people")),
      ];
    },

    people() {
      const f = state.form;
      const person = (path, p, withPhone) => h("div", { class: "person" },
        h("div", { class: "row" },
          field(path + ".name", t("people.person_name"), textInput(path + ".name", p.name, (v) => { p.name = v; })),
          field(path + ".id_number", t("people.person_id"),
                textInput(path + ".id_number", p.id_number, (v) => { p.id_number = v; }, { inputmode: "text", maxlength: "18" }))),
        withPhone ? field(path + ".phone", t("people.phone"),
                          textInput(path + ".phone", p.phone, (v) => { p.phone = v; }, { type: "tel", maxlength: "11" })) : null);
      const offset = f.self_shareholder ? 1 : 0;
      return [
        h("h1", {}, t("people.title")),
        h("h2", {}, t("people.representative") + t("colon") + state.identity.card.name),
        field("legal_representative.phone", t("people.phone"),
          textInput("legal_representative.phone", f.phone, (v) => { f.phone = v; }, { type: "tel", maxlength: "11", id: "rep-phone" })),
        problemGroup("legal_representative.id_number"),
        h("h2", {}, t("people.shareholders")),
        problemGroup("shareholders"),
        h("label", { class: "choice" + (f.self_shareholder ? " selected" : "") },
          h("input", { type: "checkbox", id: "self-shareholder", checked: f.self_shareholder,
                       onchange: (ev) => { f.self_shareholder = ev.target.checked; touch("shareholders"); render(); } }),
          t("people.self_shareholder")),
        f.self_shareholder ? field("shareholders[0].contribution", t("people.contribution") + " (" + unitLabel() + ")",
          textInput("shareholders[0].contribution", f.self_contribution, (v) => { f.self_contribution = v; },
                    { inputmode: "decimal", id: "self-contribution" })) : null,
        f.shareholders.map((s, i) => h("div", { class: "card" },
          person("shareholders[" + (i + offset) + "].person", s, false),
          field("shareholders[" + (i + offset) + "].contribution", t("people.contribution") + " (" + unitLabel() + ")",
            textInput("shareholders[" + (i + offset) + "].contribution", s.contribution, (v) => { s.contribution = v; },
                      { inputmode: "decimal" })),
          h("button", { class: "button", type: "button", onclick: () => { f.shareholders.splice(i, 1); render(); } }, t("people.remove")))),
        h("button", { class: "button", id: "add-shareholder", type: "button",
                      onclick: () => { f.shareholders.push({ name: "", id_number: "", contribution: "" }); render(); } },
          t("people.add_shareholder")),
        h("h2", {}, t("people.supervisor")),
        choiceGroup("supervisor_mode", [["none", t("people.supervisor.none")], ["person", t("people.supervisor.person")]],
                    f.supervisor_mode, (v) => { f.supervisor_mode = v; }),
        problemGroup("supervisor"),
        f.supervisor_mode === "person" ? person("supervisor", f.supervisor, true) : null,
        h("h2", {}, t("people.finance")),
        choiceGroup("finance_mode", [["self", t("people.finance.self")], ["other", t("people.finance.other")],
                                     ["none", t("people.finance.none")]], f.finance_mode, (v) => { f.finance_mode = v; }),
        problemGroup("finance_officer"),
        f.finance_mode === "other" ? person("finance_officer", f.finance, true) : null,
        field("contact_phone", t("people.contact"),
          textInput("contact_phone", f.contact_phone, (v) => { f.contact_phone = v; },
                    { type: "tel", maxlength: "11", id: "contact-phone", placeholder: f.phone })),
        navigation("enterprise", () => next("people", "seal_tax")),
      ];
    },

    seal_tax() {
      const f = state.form;
      const shops = state.choices.seal_shops.map((s) => ({ value: s.id, label: state.lang === "en" ? s.en : s.zh }));
      return [
        h("h1", {}, t("seal.title")),
        field("seal.shop", t("seal.shop"), selectInput("seal.shop", shops, f.seal.shop, (v) => { f.seal.shop = v; })),
        h("div", { class: "field" }, h("span", { class: "label" }, t("seal.delivery")),
          choiceGroup("seal.delivery", ["pickup", "courier"].map((v) => [v, c("seal_delivery." + v)]), f.seal.delivery,
                      (v) => { f.seal.delivery = v; })),
        f.seal.delivery === "courier" ? h("div", { class: "card" },
          field("seal.courier_address.division_code", t("enterprise.division"),
            selectInput("seal.courier_address.division_code", divisionOptions(), f.seal.division_code,
                        (v) => { f.seal.division_code = v; })),
          field("seal.courier_address.detail", t("seal.courier_address"),
            textInput("seal.courier_address.detail", f.seal.detail, (v) => { f.seal.detail = v; }),
            t("seal.courier_prefilled"))) : null,
        h("div", { class: "field" }, h("span", { class: "label" }, t("tax.taxpayer_type")),
          choiceGroup("tax.taxpayer_type", ["small_scale", "general"].map((v) => [v, c("taxpayer_type." + v)]),
                      f.tax.taxpayer_type, (v) => { f.tax.taxpayer_type = v; touch("finance_officer"); })),
        problemGroup("finance_officer"),
        h("div", { class: "field" }, h("span", { class: "label" }, t("tax.invoices")),
          ["vat_ordinary", "vat_special"].map((type, i) => h("div", { class: "row" },
            h("label", { class: "choice" + (f.tax[type] ? " selected" : "") },
              h("input", { type: "checkbox", checked: f.tax[type], id: "invoice-" + type,
                           onchange: (ev) => { f.tax[type] = ev.target.checked; render(); } }),
              c("invoice_type." + type)),
            f.tax[type] ? field("tax.invoices[" + i + "].monthly_quantity", t("tax.monthly_quantity"),
              textInput("tax.invoices[" + i + "].monthly_quantity", f.tax[type + "_qty"],
                        (v) => { f.tax[type + "_qty"] = v; }, { inputmode: "numeric" })) : null))),
        navigation("people", () => next("seal_tax", "review")),
      ];
    },

    review() {
      const f = state.form;
      const body = formBody();
      const e = body.enterprise;
      const division = (code) => (divisionOptions().find((d) => d.value === code) || { label: code }).label;
      const shop = (state.choices.seal_shops.find((s) => s.id === f.seal.shop) || {});
      const section = (title, screen, rows) => h("div", { class: "card" },
        h("div", { class: "row" }, h("h2", {}, title),
          h("button", { class: "button narrow link", type: "button", onclick: () => go(screen) }, t("review.edit"))),
        h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v || t("review.none"))])));
      const shareholderRows = body.shareholders.map((s) => [
        s.self ? state.identity.card.name + "（" + t("review.self") + "）" : s.person.name, s.contribution]);
      return [
        h("h1", {}, t("review.title")),
        h("p", {}, t("review.text")),
        state.problems.length ? h("div", { class: "notice", id: "review-problems" }, t("review.problems"),
          h("ul", {}, state.problems.map((p) => h("li", {}, problemText(p))))) : null,
        section(t("enterprise.title"), "enterprise", [
          [t("enterprise.name"), e.name], [t("enterprise.type"), c("enterprise_type." + e.type)],
          [t("enterprise.capital"), e.registered_capital],
          [t("enterprise.detail"), division(e.registered_address.division_code) + " " + e.registered_address.detail],
          [t("enterprise.scope"), e.business_scope]]),
        section(t("people.title"), "people", [
          [t("people.representative"), state.identity.card.name + " " + body.legal_representative.phone]]
          .concat(shareholderRows)
          .concat([[t("people.supervisor"), body.supervisor ? body.supervisor.name : ""],
                   [t("people.finance"), f.finance_mode === "self" ? t("review.self") : body.finance_officer ? body.finance_officer.name : ""],
                   [t("people.contact"), body.contact_phone]])),
        section(t("seal.title"), "seal_tax", [
          [t("seal.shop"), state.lang === "en" ? shop.en : shop.zh],
          [t("seal.delivery"), c("seal_delivery." + body.seal.delivery) +
            (body.seal.courier_address ? " · " + body.seal.courier_address.detail : "")],
          [t("tax.taxpayer_type"), c("taxpayer_type." + body.tax.taxpayer_type)],
          [t("tax.invoices"), body.tax.invoices.map((i) => c("invoice_type." + i.type) + " × " + i.monthly_quantity).join("；")]]),
        h("div", { class: "actions" },
          h("button", { class: "button", type: "button", onclick: () => go("seal_tax") }, t("nav.back")),
          h("span", { class: "spacer" }),
          h("button", { class: "button primary big", id: "submit", type: "button", disabled: state.submitting,
                        onclick: submit }, state.submitting ? t("review.submitting") : t("review.submit"))),
      ];
    },

    receipt() {
      const s = state.submission;
      const parts = [h("h1", {}, t("receipt.title")),
        h("p", {}, t("receipt.reference") + t("colon")), h("p", { class: "reference", id: "local-reference" }, s.reference)];
      if (s.state === "queued") {
        parts.push(Date.now() - s.since > OFFLINE_AFTER_MS
          ? h("p", { class: "notice", id: "receipt-offline" }, t("receipt.offline"))
          : h("div", {}, h("div", { class: "spinner", role: "status" }), h("p", {}, t("receipt.waiting"))));
      } else if (s.state === "failed") {
        parts.push(h("p", { class: "notice", id: "receipt-failed" }, t("receipt.failed")));
      } else {
        parts.push(h("div", { class: "receipt" },
          h("div", {},
            h("p", {}, t("receipt.number") + t("colon")),
            h("p", { class: "reference", id: "application-number" }, s.application_id),
            h("p", {}, t("receipt.scan"))),
          h("div", { class: "qr", id: "receipt-qr" }, qrImage(s.status_url))));
        if (s.receipt) {
          parts.push(h("p", { class: s.receipt.printed ? "good" : "notice", id: "receipt-printed" },
                       t(s.receipt.printed ? "receipt.printed" : "receipt.print_failed")));
        }
      }
      parts.push(h("div", { class: "actions" },
        s.state === "forwarded" ? h("button", { class: "button", id: "show-status", type: "button", onclick: () => go("status") }, t("receipt.status")) : null,
        s.state === "forwarded" ? h("button", { class: "button", type: "button", onclick: printAgain }, t("receipt.print_again")) : null,
        h("span", { class: "spacer" }),
        h("button", { class: "button primary", id: "finish", type: "button", onclick: () => finish() }, t("nav.finish"))));
      return parts;
    },

    status() {
      const s = state.submission;
      const view = s.status;
      const parts = [h("h1", {}, t("status.title")), h("p", {}, t("receipt.number") + t("colon") + (s.application_id || ""))];
      if (!view) {
        parts.push(h("p", { class: "notice" }, t("status.unavailable")));
      } else {
        parts.push(h("dl", { class: "facts" },
          h("dt", {}, t("status.application")), h("dd", { id: "application-state" }, c("application_state." + view.state)),
          h("dt", {}, t("status.deadline")), h("dd", { id: "deadline" }, formatTime(view.deadline))));
        if (view.breached) parts.push(h("p", { class: "notice" }, t("status.breached")));
        else if (view.at_risk) parts.push(h("p", { class: "notice" }, t("status.at_risk")));
        for (const sentence of view.attention || []) parts.push(h("p", { class: "notice" }, sentence));
        parts.push(h("ol", { class: "steps", id: "steps" }, (view.steps || []).map((step) =>
          h("li", { class: step.state, "data-step": step.id },
            h("span", {}, c("step." + step.id)),
            h("span", { class: "state" }, c("step_state." + step.state))))));
      }
      parts.push(h("div", { class: "actions" },
        h("button", { class: "button", type: "button", onclick: () => go("receipt") }, t("nav.back")),
        h("button", { class: "button", type: "button", onclick: refreshStatus }, t("status.refresh")),
        h("span", { class: "spacer" }),
        h("button", { class: "button primary", id: "finish", type: "button", onclick: () => finish() }, t("nav.finish"))));
      return parts;
    },

    goodbye() {
      return [h("h1", {}, t("goodbye.title")), h("p", { class: "lead", id: "goodbye" }, t("goodbye.text")),
        h("div", { class: "actions" },
          h("button", { class: "button primary", type: "button", onclick: () => reset("") }, t("nav.finish")))];
    },
  };

  function unitLabel() {
    return state.form.enterprise.capital_unit === "wan" ? t("enterprise.capital.wan") : t("enterprise.capital.yuan");
  }

  function navigation(back, onNext) {
    return h("div", { class: "actions" },
      h("button", { class: "button", type: "button", onclick: () => go(back) }, t("nav.back")),
      h("button", { class: "button link", type: "button", onclick: () => reset("welcome.notice.ended") }, t("nav.cancel")),
      h("span", { class: "spacer" }),
      h("button", { class: "button primary", id: "next", type: "button", onclick: onNext }, t("nav.next")));
  }

  function qrImage(url) {
    if (!url || typeof qrcode !== "function") return null;
    const code = qrcode(0, "M");
    code.addData(url);
    code.make();
    return h("img", { src: code.createDataURL(8, 4), alt: url, "data-qr": url });
  }

  function formatTime(iso) {
    return iso ? iso.replace("T", " ").slice(0, 16) : "";
  }

  function finish() {
    // The applicant's data is cleared at once; the goodbye screen shows nothing of it.
    reset("");
    go("goodbye");
  }

  function renderProgress() {
    const list = document.getElementById("progress");
    list.replaceChildren();
    if (["welcome", "consent", "goodbye"].includes(state.screen)) return;
    let reached = true;
    for (const [key, screens] of PROGRESS) {
      const current = screens.includes(state.screen);
      list.append(h("li", { class: current ? "current" : reached ? "done" : "" }, t("progress." + key)));
      if (current) reached = false;
    }
  }

  function render() {
    document.documentElement.lang = state.lang;
    document.getElementById("brand-title").textContent = t("app.title");
    const switcher = document.getElementById("lang-switch");
    switcher.textContent = t("lang.switch");
    switcher.setAttribute("lang", state.lang === "en" ? "zh-CN" : "en");
    document.getElementById("kiosk-id").textContent = state.config ? state.config.kiosk_id : "";
    renderProgress();
    const focused = document.activeElement && document.activeElement.name;
    const screen = SCREENS[state.screen] || SCREENS.welcome;
    ROOT.replaceChildren(...[].concat(screen()).flat().filter(Boolean));
    ROOT.setAttribute("data-screen", state.screen);
    if (focused) {
      const again = ROOT.querySelector("[name='" + CSS.escape(focused) + "']");
      if (again && again.type !== "radio" && again.type !== "checkbox") again.focus();
    }
    if (!document.getElementById("idle-overlay").hidden) renderIdle();
  }

  // ------------------------------------------------------------------ inactivity

  let idleShown = false;
  function showIdle() {
    idleShown = true;
    document.getElementById("idle-overlay").hidden = false;
    renderIdle();
  }
  function hideIdle() {
    idleShown = false;
    document.getElementById("idle-overlay").hidden = true;
  }
  function idleLimitMs() {
    return (state.config ? state.config.idle_timeout_seconds : 120) * 1000;
  }
  function idleWarningMs() {
    return (state.config ? state.config.idle_warning_seconds : 20) * 1000;
  }
  function renderIdle() {
    const left = Math.max(0, Math.ceil((idleLimitMs() - (Date.now() - lastInputAt)) / 1000));
    document.getElementById("idle-title").textContent = t("idle.title");
    document.getElementById("idle-text").textContent = t("idle.text").replace("{n}", String(left));
    document.getElementById("idle-continue").textContent = t("idle.continue");
  }

  function onInput() {
    lastInputAt = Date.now();
    if (idleShown) hideIdle();
    if (state.session && Date.now() - lastTouchAt > IDLE_TOUCH_EVERY_MS) {
      lastTouchAt = Date.now();
      api("POST", "/local/session/touch");
    }
  }

  function idleTick() {
    const active = state.session || !["welcome"].includes(state.screen);
    if (active) {
      const idle = Date.now() - lastInputAt;
      if (idle >= idleLimitMs()) {
        reset("welcome.notice.idle");
      } else if (idle >= idleLimitMs() - idleWarningMs()) {
        if (!idleShown) showIdle(); else renderIdle();
      }
    }
  }

  // ------------------------------------------------------------------ start

  async function boot() {
    for (const type of ["pointerdown", "keydown", "input", "touchstart"]) {
      document.addEventListener(type, onInput, { capture: true, passive: true });
    }
    document.getElementById("lang-switch").addEventListener("click", () => {
      state.lang = state.lang === "en" ? "zh-CN" : "en";
      render();
    });
    document.getElementById("idle-continue").addEventListener("click", () => {
      hideIdle();
      onInput();
    });
    const [config, choices, zh, en] = await Promise.all([
      api("GET", "/local/config"), api("GET", "/local/choices"),
      api("GET", "/local/messages?lang=zh-CN"), api("GET", "/local/messages?lang=en")]);
    if (config.status === 200) state.config = config.body;
    if (choices.status === 200) state.choices = choices.body;
    if (zh.status === 200) state.catalog["zh-CN"] = zh.body.messages;
    if (en.status === 200) state.catalog.en = en.body.messages;
    const wanted = new URLSearchParams(location.search).get("lang");
    if (wanted === "en") state.lang = "en";
    render();
    setInterval(idleTick, 1000);
    document.body.setAttribute("data-ready", "true");
  }

  // For the consent screen's checkboxes, which keep their state across a language switch.
  state.consentDraftCard = false;
  state.consentDraftFace = false;

  boot();
})();
