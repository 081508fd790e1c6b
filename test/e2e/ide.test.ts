import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { GraphQLTestClient } from './support/graphql-client';
import { waitForJobs } from './support/wait';

const TOKEN = 'ide-test-token-0123456789abcdef';
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const SCREENSHOT = join(__dirname, '..', '..', 'docs', 'graphql-ide.png');

/**
 * The IDE at /graphql in Debian's Chromium, on a machine as if offline: every request to a host
 * other than the daemon's is blocked and noted, and none may be needed.
 */
describe('the GraphQL IDE in a browser', () => {
  const dir = tempDir('e2e-ide');
  let started: StartedDaemon;
  let browser: Browser;
  let page: Page;
  const elsewhere: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    writeRandomFiles(join(dir.path, 'data'), 1, 1024);
    // built: the bundle finds the IDE's files in node_modules (src/api/ide/ide-assets.ts)
    started = await startDaemon(
      dir.path,
      {
        api: { tokens: [{ name: 'ide', role: 'admin', token: TOKEN }] },
        repositories: {
          local: { location: join(dir.path, 'repo'), password: 'ide-test-password' },
        },
        backups: { docs: { paths: [join(dir.path, 'data')], repositories: ['local'] } },
      },
      { entry: 'dist' },
    );
    await waitForJobs(new GraphQLTestClient(started.port, TOKEN), 'INIT', 1);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: join(dir.path, 'chromium-profile'),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 850 });
    const own = `127.0.0.1:${started.port}`;
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol === 'data:' || url.protocol === 'blob:' || url.host === own) {
        void request.continue();
      } else {
        elsewhere.push(request.url());
        void request.abort('blockedbyclient');
      }
    });
    // websockets do not pass through request interception: note where they go
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketCreated', ({ url }: { url: string }) => {
      if (new URL(url).host !== own) elsewhere.push(url);
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/401|Unauthorized/i.test(message.text())) {
        problems.push(message.text());
      }
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await started?.stop();
    dir.cleanup();
  });

  const editor = (selector: string) =>
    `document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)}).CodeMirror`;
  const QUERY = '.graphiql-query-editor';
  const HEADERS = '.graphiql-editor-tool .graphiql-editor:not(.hidden)';
  const RESULT = '.result-window';
  const result = () => page.evaluate(`${editor(RESULT)}.getValue()`) as Promise<string>;
  const runQuery = async (query: string) => {
    await page.evaluate(`${editor(QUERY)}.setValue(${JSON.stringify(query)})`);
    await page.click('.graphiql-execute-button');
  };

  it('loads from the daemon alone, runs a query with the token of its header editor, shows a subscription event', async () => {
    await page.goto(`http://127.0.0.1:${started.port}/graphql`, { waitUntil: 'networkidle0' });
    await page.waitForSelector(`${QUERY} .CodeMirror`, { timeout: 30_000 });

    // the bearer token, typed into the header editor
    await page.evaluate(
      `${editor(HEADERS)}.setValue(${JSON.stringify(JSON.stringify({ Authorization: `Bearer ${TOKEN}` }))})`,
    );

    // the documentation explorer, whose schema the IDE fetches again with the new token
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.waitForFunction(
      `document.querySelector('.graphiql-doc-explorer')?.textContent.includes('Query')`,
      { timeout: 30_000 },
    );

    await runQuery('{ status { version } backups { name } }');
    await page.waitForFunction(`${editor(RESULT)}.getValue().includes('"version"')`, {
      timeout: 30_000,
    });
    const answer = JSON.parse(await result());
    expect(answer.data.backups).toEqual([{ name: 'docs' }]);

    // a subscription over graphql-ws, whose event a mutation from elsewhere causes
    await runQuery(
      'subscription { jobUpdated(filter: { backup: "docs" }) { id backupName state } }',
    );
    const client = new GraphQLTestClient(started.port, TOKEN);
    const poke = setInterval(
      () => void client.request('mutation { runBackup(name: "docs") { id } }'),
      500,
    );
    try {
      await page.waitForFunction(`${editor(RESULT)}.getValue().includes('"jobUpdated"')`, {
        timeout: 30_000,
      });
    } finally {
      clearInterval(poke);
    }
    expect(JSON.parse(await result()).data.jobUpdated).toMatchObject({ backupName: 'docs' });

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});
