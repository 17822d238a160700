// Walks the whole kiosk flow in headless Chromium against a running kaiban-agent, as an
// applicant would: consent, ID card, identity check, company, people, seal and tax, review,
// submit, receipt, progress. Saves a screenshot of every screen. Driven by
// browser_kiosk_test.cc, which starts the agent (and the orchestrator behind it) and checks
// what arrived; this script checks what the applicant sees.
//
//   node kiosk_flow.mjs --url http://127.0.0.1:PORT --lang zh-CN|en --out DIR
//        --card N --partner-id ID --partner-name NAME --company NAME --staff-code CODE
//        [--idle]
//
// Prints one line "RESULT {json}" with the application number, and exits non-zero with the
// reason on any failure.

import { chromium } from "playwright-core";
import { mkdirSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function options() {
  const args = process.argv.slice(2);
  const result = { idle: false };
  for (let i = 0; i < args.length; i++) {
    const key = args[i].replace(/^--/, "");
    if (key === "idle") result.idle = true;
    else result[key] = args[++i];
  }
  for (const required of ["url", "lang", "out", "company"]) {
    if (!result[required]) throw new Error("missing --" + required);
  }
  return result;
}

const opts = options();
const english = opts.lang === "en";
mkdirSync(opts.out, { recursive: true });
const userData = mkdtempSync(join(tmpdir(), "kaiban-chromium-"));
let shot = 0;

const context = await chromium.launchPersistentContext(userData, {
  executablePath: process.env.KAIBAN_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1280, height: 1024 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on("pageerror", (error) => problems.push("page error: " + error.message));
page.on("console", (message) => {
  // HTTP refusals the screen handles (no card yet, a wrong staff code) are logged by Chromium
  // as "Failed to load resource"; any other console error is a bug.
  if (message.type() === "error" && !/^Failed to load resource/.test(message.text())) {
    problems.push("console: " + message.text());
  }
});

async function screenshot(name) {
  shot += 1;
  const file = join(opts.out, String(shot).padStart(2, "0") + "-" + name + ".png");
  await page.screenshot({ path: file, fullPage: true });
}

async function onScreen(name) {
  await page.waitForSelector(`main[data-screen="${name}"]`, { timeout: 20000 });
}

async function expectText(selector, pattern) {
  const text = await page.textContent(selector, { timeout: 20000 });
  if (!pattern.test(text)) throw new Error(`${selector} shows "${text}", expected ${pattern}`);
}

async function sim(path, data) {
  const response = await page.request.post(opts.url + path, { data });
  if (response.status() !== 204) throw new Error(`${path}: HTTP ${response.status()}`);
}

async function fill(selector, value) {
  await page.fill(selector, value);
  await page.dispatchEvent(selector, "change");
}

try {
  // The previous applicant took their card.
  await sim("/local/sim/card", { action: "remove" });
  await page.goto(opts.url + "/");
  await page.waitForSelector("body[data-ready=true]");
  await onScreen("welcome");
  await expectText("h1", /企业开办/);
  if (english) {
    // The switch is on every screen; the applicant picks English on the first one.
    await page.click("#lang-switch");
    await expectText("h1", /Start a company/);
    await expectText("#lang-switch", /中文/);
  }
  await screenshot("welcome");

  await page.click("#start");
  await onScreen("consent");
  if (!(await page.isDisabled("#consent-agree"))) throw new Error("consent must be explicit");
  await page.check("#consent-card");
  if (!english) await page.check("#consent-face");
  await screenshot("consent");
  await page.click("#consent-agree");

  await onScreen("card");
  await screenshot("insert-card");
  await sim("/local/sim/card", { action: "insert", index: Number(opts.card || 0) });

  if (!english) {
    await onScreen("face");
    // The first look fails (a poor match); the applicant sees why and tries again.
    await sim("/local/sim/face", { live: true, score: 0.31 });
    await page.click("#face-start");
    await page.waitForSelector('[data-face="face.failed"]');
    await screenshot("face-retry");
    await page.click("#face-start");
  } else {
    // Without consent to face recognition, a staff member verifies the applicant.
    await onScreen("staff");
    await screenshot("staff-verification");
    await page.fill("#staff-code", "0000");
    await page.click("#staff-confirm");
    await page.waitForSelector('[data-staff="staff.wrong"]');
    await page.fill("#staff-code", opts["staff-code"]);
    await page.click("#staff-confirm");
  }

  await onScreen("identity");
  await page.waitForSelector(english ? '[data-verification="staff"]' : '[data-verification="face"]');
  await screenshot("identity");
  await page.click("#identity-confirm");

  await onScreen("enterprise");
  // Inline validation: a company name without its legal form is flagged at once, with the
  // catalog's text.
  await fill("#enterprise-name", "海蓝");
  await page.waitForSelector('[data-problem="enterprise.name.form_company"]');
  await screenshot("enterprise-inline-error");
  await fill("#enterprise-name", opts.company);
  await page.click("#name-check");
  await page.waitForSelector("[data-name-check]");
  await page.waitForSelector('[data-problem="enterprise.name.form_company"]', { state: "detached" });
  await fill("#enterprise-capital", "100");
  await page.selectOption('select[name="enterprise.registered_address.division_code"]', "370202");
  await fill("#enterprise-detail", "香港中路8号1201室");
  await page.fill("#enterprise-scope", english ? "软件开发；信息技术咨询服务" : "软件开发");
  await page.dispatchEvent("#enterprise-scope", "change");
  await screenshot("enterprise");
  await page.click("#next");

  await onScreen("people");
  await fill("#rep-phone", "13800138000");
  await fill("#self-contribution", "60");
  await page.click("#add-shareholder");
  await fill('input[name="shareholders[1].person.name"]', opts["partner-name"]);
  await fill('input[name="shareholders[1].person.id_number"]', opts["partner-id"]);
  await fill('input[name="shareholders[1].contribution"]', "30");
  await page.click("#next");
  // The contributions must add up to the capital: the screen says so and stays.
  await page.waitForSelector('[data-problem="shareholders.contribution_sum_mismatch"]');
  await screenshot("people-sum-mismatch");
  await fill('input[name="shareholders[1].contribution"]', "40");
  await fill("#contact-phone", "13800138000");
  await screenshot("people");
  await page.click("#next");

  await onScreen("seal_tax");
  await page.selectOption('select[name="seal.shop"]', "QD-SEAL-017");
  if (english) {
    await page.click('input[name="seal.delivery"][value="courier"]');
    await page.waitForSelector('input[name="seal.courier_address.detail"]');
    const prefilled = await page.inputValue('input[name="seal.courier_address.detail"]');
    if (!prefilled) throw new Error("the courier address is not pre-filled");
    await page.selectOption('select[name="seal.courier_address.division_code"]', "370202");
  }
  await screenshot("seal-tax");
  await page.click("#next");

  await onScreen("review");
  await screenshot("review");
  await page.click("#submit");

  await onScreen("receipt");
  await page.waitForSelector("#local-reference");
  await page.waitForSelector("#application-number", { timeout: 30000 });
  await page.waitForSelector("#receipt-qr img");
  await page.waitForSelector("#receipt-printed");
  const applicationId = (await page.textContent("#application-number")).trim();
  const qr = await page.getAttribute("#receipt-qr img", "data-qr");
  if (!qr.includes(applicationId)) throw new Error("the QR code does not link to " + applicationId);
  await screenshot("receipt");

  await page.click("#show-status");
  await onScreen("status");
  await page.waitForSelector("#steps li");
  const steps = await page.$$eval("#steps li", (items) => items.map((li) => li.textContent));
  await screenshot("status");

  if (opts.idle) {
    // Walk away: the countdown appears, then everything is cleared.
    await page.waitForSelector("#idle-overlay:not([hidden])", { timeout: 60000 });
    await screenshot("idle-warning");
    await page.waitForSelector('main[data-screen="welcome"] [data-notice="welcome.notice.idle"]',
                               { timeout: 60000 });
    await screenshot("cleared-after-idle");
  } else {
    await page.click("#finish");
    await onScreen("goodbye");
    await screenshot("goodbye");
  }
  await sim("/local/sim/card", { action: "remove" });
  // Nothing of the applicant stays on screen.
  const remaining = await page.textContent("main");
  if (remaining.includes(applicationId) || remaining.includes(opts.company)) {
    throw new Error("the applicant's data is still on screen after the session");
  }
  if (problems.length) throw new Error(problems.join("\n"));
  console.log("RESULT " + JSON.stringify({ lang: opts.lang, application_id: applicationId, steps }));
  await context.close();
  rmSync(userData, { recursive: true, force: true });
} catch (error) {
  await screenshot("failure").catch(() => {});
  console.error("kiosk flow failed (" + opts.lang + "): " + (error && error.stack || error));
  if (problems.length) console.error(problems.join("\n"));
  await context.close().catch(() => {});
  rmSync(userData, { recursive: true, force: true });
  process.exit(1);
}
