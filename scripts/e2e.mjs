#!/usr/bin/env node
// `npm run test:e2e`: the web pages in a real browser. Starts Redline as `npm start` does (wrangler
// dev beside the fixture replay origin, the seed sites' sources added and their timelines
// replayed), but on free ports with a fresh KV folder and token of its own, then drives Debian's
// Chromium (with JavaScript off: the pages must work without it) through the home page, a
// redline and its side-by-side view, keyboard focus, dark mode, the sources and a source's page,
// the home page's source filter and what found an article, the header's search box, then signing in with the admin
// token, tracking a URL from the admin form, cross-site posts refused and signing out. Screenshots go to
// e2e-screenshots/; with --update-readme-screenshot the diff page's also replaces docs/diff-page.png. Exits 1
// listing every check that failed.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startReplayServer } from "../fixtures/replay.mjs";
import { applyLocalMigrations, root, seed, startWrangler, waitForWorker } from "./lib/local-worker.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = join(root, "e2e-screenshots");
/** The README's screenshot shows capture times, so it is only rewritten when asked for. */
const UPDATE_README_SCREENSHOT = process.argv.includes("--update-readme-screenshot");
/**
 * The whole run, startup included; CI should never wait on a hung browser or worker. The seed
 * walks every fixture feed and edit (about 90 s, most of it the local queue's batch timeout
 * before each discovered story's first capture).
 */
const DEADLINE_MS = 480_000;
/** The Yonhap stealth edit: "six-fold" became "five-fold" (fixtures/README.md, article C). */
const YONHAP_URL = "https://en.yna.co.kr/view/AEN20191218010400325";
/** A fixture page the replay origin serves that no seed source lists: tracked from the admin form. */
const UNTRACKED_URL = "https://fixtures.redline.test/articles/plain.html";
const UNTRACKED_TITLE = "Allies to resume defense cost talks in January";
/** Another site, served by the browser itself (page.route), whose page posts a form to Redline. */
const FOREIGN_ORIGIN = "http://elsewhere.example";
/** The session cookie's name (src/auth/session.ts). */
const SESSION_COOKIE = "__Host-redline-session";

const failures = [];
async function check(name, body) {
  try {
    await body();
    console.log(`  ok   ${name}`);
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    console.log(`  FAIL ${name}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Relative luminance (WCAG) of a computed `rgb(r, g, b)` colour. */
function luminance(rgb) {
  const channels = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
  const [r, g, b] = channels.map((value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

async function browse(workerUrl, yonhapId, sources, token) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 820 }, colorScheme: "light" });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
    page.on("requestfailed", (request) => consoleErrors.push(`request failed: ${request.url()}`));
    page.on("response", (response) => response.status() >= 400 && consoleErrors.push(`${response.status()} for ${response.url()}`));

    await check("home page lists changes linking to their redlines", async () => {
      await page.goto(`${workerUrl}/`);
      await page.getByRole("heading", { level: 1, name: "Recent changes to tracked articles" }).waitFor();
      const items = await page.locator("ol.changes > li").count();
      assert(items >= 5, `expected the seeded changes, found ${items}`);
      await page.screenshot({ path: join(SCREENSHOTS, "home.png"), fullPage: true });
    });

    await check("following a change opens its diff page", async () => {
      await page.locator(`a[href^="/articles/${yonhapId}/diff/"]`).first().click();
      await page.waitForURL(/\/diff\/\d+\.\.\d+$/);
      await page.getByRole("heading", { level: 1 }).waitFor();
    });

    await check("the redline shows the deleted and the inserted words", async () => {
      const deleted = page.locator(".redline del", { hasText: "six" }).first();
      const inserted = page.locator(".redline ins", { hasText: "five" }).first();
      assert(await deleted.isVisible(), "no visible <del> with “six”");
      assert(await inserted.isVisible(), "no visible <ins> with “five”");
      const decoration = await deleted.evaluate((element) => getComputedStyle(element).textDecorationLine);
      assert(decoration.includes("line-through"), `deleted text is not struck through (${decoration})`);
      await page.screenshot({ path: join(SCREENSHOTS, "diff-inline.png"), fullPage: true });
      if (UPDATE_README_SCREENSHOT) await page.screenshot({ path: join(root, "docs", "diff-page.png") });
    });

    await check("the side-by-side toggle works without JavaScript", async () => {
      await page.getByRole("link", { name: "Side by side" }).click();
      await page.waitForURL(/\?view=side$/);
      const table = page.locator("table.side");
      assert(await table.isVisible(), "no side-by-side table");
      assert(await table.locator("td:nth-child(1) del", { hasText: "six" }).first().isVisible(), "old column lacks the deletion");
      assert(await table.locator("td:nth-child(2) ins", { hasText: "five" }).first().isVisible(), "new column lacks the insertion");
      const current = await page.getByRole("link", { name: "Side by side" }).getAttribute("aria-current");
      assert(current === "page", "the side-by-side link is not marked as the current view");
      await page.screenshot({ path: join(SCREENSHOTS, "diff-side.png"), fullPage: true });
    });

    await check("keyboard focus reaches the skip link first, then links, with a visible outline", async () => {
      await page.keyboard.press("Tab");
      const first = await page.evaluate(() => ({ text: document.activeElement?.textContent, box: document.activeElement?.getBoundingClientRect().left }));
      assert(first.text === "Skip to content", `first Tab focused ${JSON.stringify(first.text)}`);
      assert(first.box >= 0, "the focused skip link stays off screen");
      await page.keyboard.press("Enter");
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const element = document.activeElement;
        const style = element ? getComputedStyle(element) : null;
        return { tag: element?.tagName, inMain: Boolean(element?.closest("main")), outline: style?.outlineStyle, width: style?.outlineWidth };
      });
      assert(focused.tag === "A" && focused.inMain, `Tab after the skip link focused ${JSON.stringify(focused)}`);
      assert(focused.outline !== "none" && focused.width !== "0px", `focused link has no outline (${focused.outline} ${focused.width})`);
      await page.screenshot({ path: join(SCREENSHOTS, "focus.png") });
    });

    await check("dark mode darkens the page", async () => {
      const lightBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.emulateMedia({ colorScheme: "dark" });
      const darkBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert(darkBackground !== lightBackground, `background stayed ${lightBackground}`);
      assert(luminance(darkBackground) < 0.05 && luminance(lightBackground) > 0.9, `light ${lightBackground}, dark ${darkBackground}`);
      await page.screenshot({ path: join(SCREENSHOTS, "diff-side-dark.png"), fullPage: true });
    });

    await check("the sources page lists the seed sites' feeds and listings, each active with articles found", async () => {
      await page.emulateMedia({ colorScheme: "light" });
      await page.goto(`${workerUrl}/`);
      await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Sources" }).click();
      await page.waitForURL(/\/sources$/);
      await page.getByRole("heading", { level: 1, name: "Sources" }).waitFor();
      const rows = page.locator("table.sources tbody tr");
      assert((await rows.count()) === sources.length, `expected ${sources.length} sources, found ${await rows.count()}`);
      for (const source of sources) {
        const row = rows.filter({ hasText: source.url });
        assert((await row.count()) === 1, `no row for ${source.url}`);
        const cells = await row.locator("td").allInnerTexts();
        assert(cells[2] === "active", `${source.url} is ${JSON.stringify(cells[2])}`);
        const found = Number(/^\d+/.exec(cells[6])?.[0]);
        assert(found > 0, `${source.url} found ${JSON.stringify(cells[6])}`);
        assert((await row.locator(`a[href="/sources/${source.id}"]`).count()) === 1, `${source.url} does not link its page`);
        assert((await row.locator(`a[href="/feeds/sources/${source.id}.atom"]`).count()) === 1, `${source.url} does not link its feed`);
      }
      assert((await page.locator('a[href="/api/sources.opml"]').count()) === 1, "no OPML export link");
      await page.screenshot({ path: join(SCREENSHOTS, "sources.png"), fullPage: true });
    });

    await check("a source's page lists the articles it found, each linking to the article", async () => {
      const [source] = sources;
      await page.locator(`table.sources a[href="/sources/${source.id}"]`).click();
      await page.waitForURL(new RegExp(`/sources/${source.id}$`));
      await page.getByRole("heading", { level: 2, name: "Articles it found, newest first" }).waitFor();
      const found = page.locator("main table tbody tr");
      assert((await found.count()) > 0, "no found articles listed");
      assert((await found.first().locator('a[href^="/articles/"]').count()) === 1, "a found article does not link to its page");
      await page.screenshot({ path: join(SCREENSHOTS, "source.png"), fullPage: true });
    });

    await check("the home page filters by source without JavaScript and names the source", async () => {
      const [source] = sources;
      await page.goto(`${workerUrl}/`);
      await page.locator('select[name="source"]').selectOption(source.id);
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(new RegExp(`[?&]source=${source.id}`));
      const named = page.locator("main p", { hasText: "Articles found by" }).locator(`a[href="/sources/${source.id}"]`);
      assert((await named.count()) === 1, "the filtered page does not name its source");
      assert((await page.locator("ol.changes > li").count()) > 0, "no changes of the source's articles");
    });

    await check("an article's page says which source found it", async () => {
      await page.goto(`${workerUrl}/articles/${yonhapId}`);
      const foundBy = page.locator("dt", { hasText: "Found by" }).locator("xpath=following-sibling::dd[1]");
      const links = await foundBy.locator('a[href^="/sources/"]').count();
      assert(links > 0, `“Found by” names no source: ${JSON.stringify(await foundBy.innerText())}`);
    });

    await check("a query typed into the header's search box shows results with the match marked", async () => {
      await page.goto(`${workerUrl}/`);
      await page.getByRole("search").getByLabel("Search every version").fill("five-fold");
      await page.getByRole("search").getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/\/search\?q=five-fold/);
      const marks = await page.locator("main mark").allInnerTexts();
      assert(marks.some((text) => /five/i.test(text)), `no marked “five-fold” in the results: ${JSON.stringify(marks)}`);
      await page.screenshot({ path: join(SCREENSHOTS, "search.png"), fullPage: true });
    });

    await signedInChecks(context, workerUrl, token, consoleErrors);

    await check("no console errors or failed requests (the CSP blocked nothing)", async () => {
      assert(consoleErrors.length === 0, consoleErrors.join("; "));
    });
  } finally {
    await browser.close();
  }
}

/**
 * Signing in, the admin form, cross-site posts and signing out, in a page of the same context (its
 * cookies) whose deliberate refusals (403s, the other site's page) are not counted as failed
 * requests; its console errors (a CSP violation) are.
 */
async function signedInChecks(context, workerUrl, token, consoleErrors) {
  const page = await context.newPage();
  // Chromium logs each refused load as a console error; these checks ask for 400s and 403s on purpose.
  const deliberate = /^Failed to load resource: the server responded with a status of 40[03]\b/;
  page.on("console", (message) => message.type() === "error" && !deliberate.test(message.text()) && consoleErrors.push(message.text()));
  // The other site exists only in this browser: a page with a form that posts to Redline's admin form.
  await page.route(`${FOREIGN_ORIGIN}/**`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!DOCTYPE html><title>Elsewhere</title><form method="post" action="${workerUrl}/admin/track"><input type="hidden" name="url" value="https://fixtures.redline.test/articles/forged.html"><button type="submit">Win a prize</button></form>`,
    }),
  );
  let sessionBeforeSignOut = null;
  try {
    await check("an admin page sends a visitor who is not signed in to sign in", async () => {
      await page.goto(`${workerUrl}/admin/track`);
      await page.waitForURL(/\/sign-in\?next=%2Fadmin%2Ftrack$/);
      await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
    });

    await check("signing in with the admin token comes back to the page and names who is signed in", async () => {
      await page.getByLabel("Admin token").fill(token);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/admin\/track$/);
      const account = await page.getByRole("navigation", { name: "Account" }).innerText();
      assert(account.includes("Signed in as admin"), `the header says ${JSON.stringify(account)}`);
      const cookie = (await context.cookies(workerUrl)).find((candidate) => candidate.name === SESSION_COOKIE);
      assert(cookie && cookie.httpOnly && cookie.secure && cookie.sameSite === "Strict", `session cookie ${JSON.stringify(cookie)}`);
      sessionBeforeSignOut = `${cookie.name}=${cookie.value}`;
    });

    await check("tracking a URL from the form opens the article page with its first capture", async () => {
      await page.getByLabel("Article URL").fill(UNTRACKED_URL);
      await page.screenshot({ path: join(SCREENSHOTS, "admin-track.png"), fullPage: true });
      await page.getByRole("button", { name: "Track" }).click();
      await page.waitForURL(/\/articles\/[0-9a-f]{16}$/);
      await page.getByRole("heading", { level: 1, name: UNTRACKED_TITLE }).waitFor();
      const versions = page.locator("main table tbody tr");
      assert((await versions.count()) === 1, `expected one version, found ${await versions.count()}`);
      assert((await versions.first().getByRole("link", { name: "Version 1", exact: true }).count()) === 1, "the first capture is not listed as Version 1");
      assert((await page.getByRole("button", { name: "Untrack" }).count()) === 1, "no Untrack button for the admin");
      await page.screenshot({ path: join(SCREENSHOTS, "admin-tracked.png"), fullPage: true });
    });

    await check("a field the API refuses is named beside it, the value kept", async () => {
      await page.goto(`${workerUrl}/admin/track`);
      await page.getByLabel("Article URL").fill("http://10.0.0.1/story");
      await page.getByRole("button", { name: "Track" }).click();
      await page.locator(".field-error").waitFor();
      const field = page.getByLabel("Article URL");
      assert((await field.getAttribute("aria-invalid")) === "true", "the URL field is not marked invalid");
      assert((await field.inputValue()) === "http://10.0.0.1/story", "the URL typed was not kept");
      const reason = await page.locator(`#${await field.getAttribute("id")}-error`).innerText();
      assert(reason.includes("10.0.0.0/8"), `the reason beside the field is ${JSON.stringify(reason)}`);
    });

    await check("a form posted to Redline from another site is refused (403) and tracks nothing", async () => {
      await page.goto(`${FOREIGN_ORIGIN}/`);
      const [response] = await Promise.all([page.waitForResponse(`${workerUrl}/admin/track`), page.getByRole("button", { name: "Win a prize" }).click()]);
      assert(response.status() === 403, `the cross-site post answered ${response.status()}`);
      // The session cookie sent by hand with a foreign Origin: what a lax browser or a plug-in could send.
      const forged = await context.request.post(`${workerUrl}/admin/track`, {
        form: { url: "https://fixtures.redline.test/articles/forged.html" },
        headers: { Cookie: sessionBeforeSignOut ?? "", Origin: FOREIGN_ORIGIN },
        maxRedirects: 0,
      });
      assert(forged.status() === 403, `the post with the session and a foreign Origin answered ${forged.status()}`);
      const listed = await (await context.request.get(`${workerUrl}/api/articles?limit=100`)).json();
      assert(!listed.items.some((article) => article.url.endsWith("/forged.html")), "a forged post tracked its URL");
    });

    await check("signing out ends the session: the header offers sign-in and an admin page sends to it", async () => {
      await page.goto(`${workerUrl}/admin`);
      await page.getByRole("navigation", { name: "Account" }).getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${workerUrl}/`);
      assert((await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sign in" }).count()) === 1, "no Sign in link after signing out");
      await page.goto(`${workerUrl}/admin`);
      await page.waitForURL(/\/sign-in\?next=%2Fadmin$/);
      // The old cookie, replayed, is refused too: sign-out ended the session, not just the cookie.
      const replayed = await context.request.get(`${workerUrl}/admin`, { headers: { Cookie: sessionBeforeSignOut ?? "" }, maxRedirects: 0 });
      assert(replayed.status() === 303, `the signed-out session's cookie still opened /admin (${replayed.status()})`);
    });
  } finally {
    await page.close();
  }
}

async function main() {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const state = mkdtempSync(join(tmpdir(), "redline-e2e-"));
  const token = randomBytes(18).toString("base64url");
  const replay = await startReplayServer({ port: 0, host: "127.0.0.1" });
  const envFile = join(state, "e2e.env");
  writeFileSync(envFile, `ADMIN_TOKEN=${token}\nALLOW_LOOPBACK=true\nREPLAY_ORIGIN=${replay.url}\n`);
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const workerUrl = `http://127.0.0.1:${port}`;
  // Its own env file, state folder (D1 and KV) and inspector port: the developer's .dev.vars, .wrangler/ and a running `npm start` stay untouched.
  try {
    await applyLocalMigrations({ persistTo: join(state, "kv") });
  } catch (error) {
    // Nothing runs yet but the replay origin: stop it and leave no state folder behind.
    replay.close();
    rmSync(state, { recursive: true, force: true });
    console.error(`e2e: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const wrangler = startWrangler({
    port,
    args: ["--env-file", envFile, "--persist-to", join(state, "kv"), "--inspector-port", String(inspectorPort), "--log-level", "warn"],
    stdio: "pipe",
  });
  let wranglerOutput = "";
  for (const stream of [wrangler.stdout, wrangler.stderr]) stream.on("data", (chunk) => (wranglerOutput += chunk));
  const deadline = setTimeout(() => {
    console.error(`e2e: gave up after ${DEADLINE_MS / 1000} s`);
    // SIGINT first: wrangler's launcher passes it on to the dev server it runs, which a SIGKILL
    // of the launcher alone would leave running.
    wrangler.kill("SIGINT");
    setTimeout(() => {
      wrangler.kill("SIGKILL");
      process.exit(1);
    }, 5_000);
  }, DEADLINE_MS);

  try {
    await waitForWorker(wrangler, workerUrl);
    const { ids, sources, replayed, discovered } = await seed({ workerUrl, replay, token });
    console.log(`e2e: Redline on ${workerUrl}, ${sources.size} sources, ${discovered} stories discovered, ${replayed} fixture edits replayed; Chromium at ${CHROMIUM}`);
    await browse(workerUrl, ids.get(YONHAP_URL), [...sources.values()], token);
  } catch (error) {
    failures.push(`setup: ${error instanceof Error ? error.message : String(error)}`);
    if (wranglerOutput) console.error(wranglerOutput);
  } finally {
    clearTimeout(deadline);
    const exited = new Promise((resolve) => wrangler.once("exit", resolve));
    wrangler.kill("SIGINT");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (wrangler.exitCode === null) wrangler.kill("SIGKILL");
    replay.close();
    rmSync(state, { recursive: true, force: true });
  }

  if (failures.length > 0) {
    console.error(`\ne2e: ${failures.length} check(s) failed:\n${failures.map((failure) => `  - ${failure}`).join("\n")}`);
    process.exit(1);
  }
  console.log(`\ne2e: all checks passed; screenshots in ${SCREENSHOTS}`);
}

await main();
