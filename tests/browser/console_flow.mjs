// The staff and operator consoles in headless Chromium against a running kaiban-orchestrator:
// a bank officer signs in (after one wrong password), opens the KYC review of an application,
// reads the company, its legal representative and owners, and approves it; then an operator
// signs in and the dashboard's charts must render with data. Saves a screenshot of every
// screen. Driven by browser_console_test.cc, which prepares the data and checks afterwards
// that the approved application completes.
//
//   node console_flow.mjs --url https://127.0.0.1:PORT --out DIR --application ID
//        --officer NAME --officer-bank CODE --officer-password PW
//        --operator NAME --operator-password PW [--completed-at-least N]
//
// Prints one line "RESULT {json}" and exits non-zero with the reason on any failure.

import { chromium } from "playwright-core";
import { mkdirSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function options() {
  const args = process.argv.slice(2);
  const result = {};
  for (let i = 0; i < args.length; i += 2) result[args[i].replace(/^--/, "")] = args[i + 1];
  for (const required of ["url", "out", "application", "officer", "officer-bank",
                          "officer-password", "operator", "operator-password"]) {
    if (!result[required]) throw new Error("missing --" + required);
  }
  return result;
}

const opts = options();
mkdirSync(opts.out, { recursive: true });
const userData = mkdtempSync(join(tmpdir(), "kaiban-console-chromium-"));
let shot = 0;
const problems = [];

// The console uses the development CA's certificate; the browser is told not to mind, as a
// workstation with that CA installed would not.
const context = await chromium.launchPersistentContext(userData, {
  executablePath: process.env.KAIBAN_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  ignoreHTTPSErrors: true,
  viewport: { width: 1440, height: 1000 },
  locale: "zh-CN",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = context.pages()[0] || await context.newPage();
page.on("pageerror", (error) => problems.push("page error: " + error.message));
page.on("console", (message) => {
  // 401s while logged out, the wrong password on purpose, and the source map Chart.js names.
  if (message.type() === "error" && !/401|404/.test(message.text())) {
    problems.push("console: " + message.text());
  }
});

async function screenshot(name) {
  shot += 1;
  const file = join(opts.out, String(shot).padStart(2, "0") + "-" + name + ".png");
  await page.screenshot({ path: file, fullPage: true });
}

async function expectText(selector, pattern) {
  const text = await page.textContent(selector, { timeout: 20000 });
  if (!pattern.test(text)) throw new Error(`${selector} shows "${text}", expected ${pattern}`);
}

async function signIn(user, password) {
  await page.goto(opts.url + "/login");
  await page.fill("#user", user);
  await page.fill("#password", password);
  await page.click("#sign-in");
}

try {
  // --- The bank officer ---------------------------------------------------------------------
  await page.goto(opts.url + "/");
  await page.waitForURL(/\/login$/);  // the site's address leads to the login page
  await page.goto(opts.url + "/bank");
  await page.waitForURL(/\/login$/);  // not logged in: the page sends us to sign in
  await signIn(opts.officer, "not the password");
  await page.waitForSelector("#message.show.error");
  await expectText("#message", /Wrong user name or password/);
  await screenshot("login-wrong-password");

  await signIn(opts.officer, opts["officer-password"]);
  await page.waitForURL(/\/bank/);
  const row = `tr[data-application="${opts.application}"]`;
  await page.waitForSelector(row);
  await expectText("#who", new RegExp("bank staff · " + opts["officer-bank"]));
  await screenshot("review-queue");

  await page.click(row);
  await page.waitForSelector("#enterprise-name");
  await expectText("#application", /法定代表人/);
  await expectText("#application", /受益所有人/);
  await page.waitForSelector('.step[data-step="bank_account"]');
  const shown = await page.textContent("#application");
  if (/\[object |NaN|undefined/.test(shown)) throw new Error("the KYC view renders badly: " + shown);
  await expectText("#application", /¥1,000,000\.00/);
  await screenshot("kyc-review");

  await page.click("#approve");
  await page.waitForSelector("#review-status");
  await expectText("#review-status", /approved/);
  await screenshot("approved");

  await page.click("#tabs .tab[data-view=exceptions]");
  await page.waitForSelector("#exceptions-table table");
  await screenshot("exceptions");
  await page.click("#tabs .tab[data-view=accounts]");
  await page.waitForSelector("#accounts-table table");
  await screenshot("accounts");

  await page.click("#logout");
  await page.waitForURL(/\/login$/);

  // --- The government operator ----------------------------------------------------------------
  await signIn(opts.operator, opts["operator-password"]);
  await page.waitForURL(/\/operator/);
  await page.waitForSelector("body[data-loaded=true]", { timeout: 30000 });
  const charts = await page.evaluate(() => {
    const result = {};
    for (const id of ["chart-daily", "chart-weekly", "chart-steps", "chart-times"]) {
      const canvas = document.getElementById(id);
      const chart = window.Chart && window.Chart.getChart(canvas);
      let points = 0;
      if (chart) {
        for (const dataset of chart.data.datasets) {
          points += dataset.data.reduce((sum, value) => sum + (Number(value) || 0), 0);
        }
      }
      // Something was drawn: some pixel of the canvas is not transparent.
      const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
      result[id] = { rendered: Boolean(chart), points, painted, width: canvas.width };
    }
    return result;
  });
  for (const [id, chart] of Object.entries(charts)) {
    if (!chart.rendered || chart.painted === 0 || chart.width === 0) {
      throw new Error(`${id} did not render: ${JSON.stringify(chart)}`);
    }
  }
  if (charts["chart-daily"].points === 0) throw new Error("the daily chart has no data");
  if (charts["chart-steps"].points === 0 && charts["chart-times"].points === 0) {
    throw new Error("the step charts have no data");
  }
  await expectText("#kpis", /新开办/);
  await page.waitForSelector("#fleet table");
  await expectText("#fleet", /QD-SN-0001/);  // the demo's kiosk, from its heartbeats
  const dashboard = await (await page.request.get(opts.url + "/console/api/v1/dashboard")).json();
  const atLeast = Number(opts["completed-at-least"] || 0);
  if (dashboard.totals.completed < atLeast) {
    throw new Error(`the dashboard shows ${dashboard.totals.completed} completed, expected ${atLeast}`);
  }
  await screenshot("dashboard");

  await page.click('#breakdown-pills .pill[data-group="by_bank"]');
  await page.waitForSelector("#breakdown table");
  const csv = await page.getAttribute("#breakdown-csv", "href");
  if (!/table=banks/.test(csv)) throw new Error("the breakdown's CSV link is " + csv);
  const exported = await page.request.get(opts.url + csv);
  if (exported.status() !== 200 || !/^\uFEFF?bank_code,started/.test(await exported.text())) {
    throw new Error("CSV export failed: HTTP " + exported.status());
  }
  await screenshot("dashboard-by-bank");

  const atRisk = await page.$("#at-risk tr.clickable");
  if (atRisk) {
    await atRisk.click();
    await page.waitForSelector("#drill-body .timeline li");
    await screenshot("drill-down");
    await page.click('#drill button[value="close"]');
  }

  if (problems.length) throw new Error(problems.join("\n"));
  console.log("RESULT " + JSON.stringify({ approved: opts.application, charts }));
  await context.close();
  rmSync(userData, { recursive: true, force: true });
} catch (error) {
  await screenshot("failure").catch(() => {});
  console.error("console flow failed: " + (error && error.stack || error));
  if (problems.length) console.error(problems.join("\n"));
  await context.close().catch(() => {});
  rmSync(userData, { recursive: true, force: true });
  process.exit(1);
}
