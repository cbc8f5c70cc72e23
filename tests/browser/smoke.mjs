// smoke.mjs - the browser harness itself works: Chromium starts, renders a page
// set as content, runs its script, and the page's text is read back.
import { launch, checker } from './browser.mjs';
const t = checker();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.setContent('<p id=p>前台 frontdesk</p><script>document.title = "ok"</script>');
  t.check((await page.textContent('#p')) === '前台 frontdesk', 'text with Chinese read back');
  t.check((await page.title()) === 'ok', 'page script ran');
} finally {
  await browser.close();
}
t.done();
