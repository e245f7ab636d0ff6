/// <reference lib="dom" />
import type { ConsoleBoard } from '../../core/console-views';
import { ConsoleApi, path } from './api';
import { signOut, type SignInConfig } from './auth';
import { BOARD_PANELS, boardView, EXTRA_ROWS } from './board';
import { CellPage } from './cell';
import { el, replace } from './dom';
import { MetricsPanel } from './metrics';
import { ProductPage, productRows } from './product';
import { releaseView, type ReleaseAnswer } from './release';

/**
 * The console's script (docs/console.md): reads the board from `/console/api/board` every few seconds
 * and draws the view the address names — `#/` the board, `#/cell/<repository>/<environment>`,
 * `#/product/<environment>`, `#/release/<id>` — without ever reloading the page.
 */

const POLL_MS = 3000;

const data = document.body.dataset;
const base = data.base ?? '';
const signIn: SignInConfig | undefined =
  data.auth === 'cognito' && data.domain && data.clientId ? { domain: data.domain, clientId: data.clientId, redirectUri: `${location.origin}${base}/console` } : undefined;
const api = new ConsoleApi(base, signIn);
const main = document.getElementById('app') ?? document.body.appendChild(el('main', { id: 'app' }));
const who = el('span', { class: 'who' });
const freshness = el('span', { class: 'freshness', role: 'status' });
document.body.insertBefore(
  el(
    'header',
    { class: 'top' },
    el('a', { href: '#/', class: 'brand' }, data.product ?? 'releases'),
    el('span', { class: 'spacer' }),
    freshness,
    who,
    signIn ? el('button', { type: 'button', class: 'link', onclick: () => signOut(signIn) }, 'Sign out') : null,
  ),
  main,
);

// The board's product row and metrics panel (docs/console.md#the-product-row); an action asks for the board at once.
const metricsPanel = new MetricsPanel(api);
EXTRA_ROWS.push((board) => productRows(board, api, () => void tick()));
BOARD_PANELS.push((board) => metricsPanel.view(board));

type View = { kind: 'board'; drawn?: string } | { kind: 'cell'; page: CellPage | ProductPage } | { kind: 'release'; id: string; drawn?: string };

let view: View = parse();
let timer: number | undefined;

function parse(): View {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'cell' && parts[1] && parts[2]) {
    const page = new CellPage(api, parts[1], parts[2], () => void tick());
    return { kind: 'cell', page };
  }
  if (parts[0] === 'product' && parts[1]) return { kind: 'cell', page: new ProductPage(api, parts[1], () => void tick()) };
  if (parts[0] === 'release' && parts[1]) return { kind: 'release', id: parts[1] };
  return { kind: 'board' };
}

async function draw(board: ConsoleBoard): Promise<void> {
  who.textContent = board.me.local ? 'local mode' : board.me.identity;
  const current = view;
  if (current.kind === 'board') {
    // Redrawn when something changed, and each minute for the ages ("5 min ago").
    const key = JSON.stringify(board) + Math.floor(Date.now() / 60_000);
    if (current.drawn === key) return;
    current.drawn = key;
    replace(main, boardView(board));
  } else if (current.kind === 'cell') {
    if (!main.contains(current.page.root)) replace(main, current.page.root);
    current.page.update(board);
  } else {
    const release = await api.get<ReleaseAnswer>(`releases/${path(current.id)}`);
    const key = JSON.stringify(release) + Math.floor(Date.now() / 60_000);
    if (current.drawn === key || view !== current) return;
    current.drawn = key;
    replace(main, releaseView(release));
  }
}

/** One refresh: read the board, draw, and plan the next. */
async function tick(): Promise<void> {
  window.clearTimeout(timer);
  try {
    const board = await api.get<ConsoleBoard>('board');
    await draw(board);
    freshness.textContent = `updated ${new Date().toLocaleTimeString()}`;
    freshness.classList.remove('stale');
  } catch (error) {
    freshness.textContent = `not updated: ${error instanceof Error ? error.message : String(error)}`;
    freshness.classList.add('stale');
    if (main.textContent?.startsWith('Loading')) replace(main, el('p', { role: 'alert' }, freshness.textContent));
  }
  timer = window.setTimeout(() => void tick(), POLL_MS);
}

window.addEventListener('hashchange', () => {
  view = parse();
  replace(main, el('p', {}, 'Loading…'));
  void tick();
});
void tick();
