// Headless Debian Chromium driven by playwright-core, set up for WebRTC on
// loopback: fake mic/camera, no permission prompts, no background traffic.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { assertExecutable, makeTempDir, removeDir } from './process.js';

export const CHROMIUM_BIN = '/usr/bin/chromium';

/** Flags measured to work here (see /work/shared/E2E-NOTES.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
  // Without it Chromium gathers no ICE candidates on lo at all.
  '--allow-loopback-in-peer-connection',
  // Kamailio's wss certificate is self-signed. Playwright's ignoreHTTPSErrors
  // alone still lets the first handshake fail (Kamailio logs "alert
  // certificate unknown") before the override kicks in.
  '--ignore-certificate-errors',
];

export interface LaunchBrowserOptions {
  /** WAV file for the fake microphone instead of the default beep. */
  fakeAudioFile?: string;
  /** Appended after {@link CHROMIUM_ARGS}. */
  extraArgs?: string[];
}

export interface ConsoleEntry {
  /** Name given to the page in openPage(). */
  page: string;
  /** console type ('error', 'warning', 'log', ...) or 'pageerror' for uncaught exceptions. */
  type: string;
  text: string;
}

export interface OpenPageOptions {
  /**
   * JS expression that is truthy once the page finished its setup (e.g.
   * 'window.phone !== undefined'); awaited after load. Default: none.
   */
  readyExpression?: string;
  /** Default 15 s. */
  readyTimeoutMs?: number;
}

export interface E2EBrowser {
  readonly browser: Browser;
  /** Opens `url` in a fresh, isolated context (one per user), HTTPS errors ignored (self-signed wss). */
  openPage(name: string, url: string, options?: OpenPageOptions): Promise<Page>;
  /** openPage for each name, in parallel; result keyed by name. */
  openPages<N extends string>(names: readonly N[], url: string, options?: OpenPageOptions): Promise<Record<N, Page>>;
  /** Everything the pages logged, in order. */
  consoleMessages(): ConsoleEntry[];
  /** Console errors and uncaught page exceptions. */
  consoleErrors(): ConsoleEntry[];
  /** Closes all contexts and the browser, then removes the temp folder. */
  close(): Promise<void>;
}

export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<E2EBrowser> {
  assertExecutable(CHROMIUM_BIN, 'apt-get install -y chromium');
  const dir = await makeTempDir('chromium');
  const browser = await chromium
    .launch({
      executablePath: CHROMIUM_BIN,
      // Playwright gives each launch a fresh --user-data-dir and removes it on close.
      args: chromiumArgs(options),
      env: await browserEnv(dir),
    })
    .catch(async (error: Error) => {
      await removeDir(dir);
      throw new Error(`could not launch ${CHROMIUM_BIN}: ${error.message}`);
    });

  const messages: ConsoleEntry[] = [];
  const contexts: BrowserContext[] = [];

  const openPage = async (name: string, url: string, pageOptions: OpenPageOptions = {}): Promise<Page> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    contexts.push(context);
    const page = await context.newPage();
    recordConsole(page, name, messages);
    await page.goto(url);
    if (pageOptions.readyExpression) {
      await page
        .waitForFunction(pageOptions.readyExpression, undefined, { timeout: pageOptions.readyTimeoutMs ?? 15_000 })
        .catch((error: Error) => {
          // A failed module import only shows in the console: put it in the error.
          const errors = messages.filter((entry) => entry.page === name && isError(entry));
          throw new Error(
            `page ${name} (${url}) never got ready (${pageOptions.readyExpression}): ${error.message}\n` +
              errors.map((entry) => `  ${entry.type}: ${entry.text}`).join('\n'),
          );
        });
    }
    return page;
  };

  const openPages = async <N extends string>(names: readonly N[], url: string, pageOptions?: OpenPageOptions) => {
    const pages = await Promise.all(names.map((name) => openPage(name, url, pageOptions)));
    return Object.fromEntries(names.map((name, index) => [name, pages[index]])) as Record<N, Page>;
  };

  const close = async (): Promise<void> => {
    try {
      await Promise.all(contexts.map((context) => context.close()));
      await browser.close();
    } finally {
      await removeDir(dir);
    }
  };

  return {
    browser,
    openPage,
    openPages,
    consoleMessages: () => [...messages],
    consoleErrors: () => messages.filter(isError),
    close,
  };
}

function isError(entry: ConsoleEntry): boolean {
  return entry.type === 'error' || entry.type === 'pageerror';
}

/** Pushes every console message and uncaught exception of `page` into `sink`. */
export function recordConsole(page: Page, name: string, sink: ConsoleEntry[]): void {
  page.on('console', (message) => sink.push({ page: name, type: message.type(), text: message.text() }));
  page.on('pageerror', (error) => sink.push({ page: name, type: 'pageerror', text: error.stack ?? error.message }));
}

function chromiumArgs({ fakeAudioFile, extraArgs = [] }: LaunchBrowserOptions): string[] {
  const args = [...CHROMIUM_ARGS];
  if (fakeAudioFile) args.push(`--use-file-for-fake-audio-capture=${fakeAudioFile}`);
  return [...args, ...extraArgs];
}

/** Chromium (and PulseAudio) otherwise write into the real home folder. */
async function browserEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  const folders = {
    HOME: join(dir, 'home'),
    TMPDIR: join(dir, 'tmp'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_RUNTIME_DIR: join(dir, 'runtime'),
  };
  await Promise.all(Object.values(folders).map((folder) => mkdir(folder, { recursive: true, mode: 0o700 })));
  return { ...process.env, ...folders };
}

// ---- page APIs -------------------------------------------------------------------

/** An object of methods a test page puts on `window` (e.g. `window.lab`). */
export type PageApiShape<Api> = { [K in keyof Api]: (...args: any[]) => unknown };

/** Calls `window[globalName][method](...args)` in `page`, typed by `Api`. */
export function callPageApi<Api extends PageApiShape<Api>, M extends keyof Api & string>(
  page: Page,
  globalName: string,
  method: M,
  ...args: Parameters<Api[M]>
): Promise<Awaited<ReturnType<Api[M]>>> {
  return page.evaluate(
    ([global, name, params]) => {
      const api = (window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown> | undefined>)[global];
      if (api === undefined) throw new Error(`window.${global} is not set`);
      const fn = api[name];
      if (typeof fn !== 'function') throw new Error(`window.${global}.${name} is not a function`);
      return fn.apply(api, params);
    },
    [globalName, method, args] as [string, string, unknown[]],
  ) as Promise<Awaited<ReturnType<Api[M]>>>;
}

/** A typed caller for one page API: `(page, method, ...args)`. */
export type PageApiCaller<Api extends PageApiShape<Api>> = <M extends keyof Api & string>(
  page: Page,
  method: M,
  ...args: Parameters<Api[M]>
) => Promise<Awaited<ReturnType<Api[M]>>>;

/** {@link callPageApi} bound to `window[globalName]`: `const lab = pageApi<LabApi>('lab')`. */
export function pageApi<Api extends PageApiShape<Api>>(globalName: string): PageApiCaller<Api> {
  return (page, method, ...args) => callPageApi<Api, typeof method>(page, globalName, method, ...args);
}
