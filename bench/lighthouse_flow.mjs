// A page answered by a form POST, measured by Lighthouse (called by bench/lighthouse.py, one run).
// Argument: JSON {url, form: {selector: value}, chrome, flags, categories, cookie, output}.
// The form page is opened (not measured), filled, and the navigation its submit button causes
// is measured as a Lighthouse user-flow navigation step (default mobile emulation and simulated
// throttling). The step's report (an ordinary Lighthouse result) is written to `output`.
import { writeFileSync } from "node:fs";

import { startFlow } from "lighthouse";
import puppeteer from "puppeteer-core";

const config = JSON.parse(process.argv[2]);
const browser = await puppeteer.launch({
  executablePath: config.chrome,
  headless: true,
  args: config.flags.filter((flag) => !flag.startsWith("--headless")),
});
try {
  const page = await browser.newPage();
  if (config.cookie) {
    await page.setExtraHTTPHeaders({ Cookie: config.cookie });
  }
  await page.goto(config.url, { waitUntil: "load" });
  for (const [selector, value] of Object.entries(config.form)) {
    await page.type(selector, value);
  }
  const flow = await startFlow(page, {
    // The form's cookies (CSRF) must survive: the step does not clear the origin's storage.
    flags: { onlyCategories: config.categories, disableStorageReset: true },
  });
  await flow.navigate(
    async () => {
      await page.click("main form [type=submit]");
    },
    { name: "form answer" },
  );
  const result = await flow.createFlowResult();
  writeFileSync(config.output, JSON.stringify(result.steps[0].lhr));
} finally {
  await browser.close();
}
