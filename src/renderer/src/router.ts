/**
 * The app's place, kept in the address's hash so that a reload (and the
 * browser's back button) keeps it: `#/models`, `#/wizard/check?model=ID`,
 * `#/experiments`, `#/runs`, `#/runs/ID`. The hash leaves the page's query
 * alone, where browser mode keeps its access token.
 */
import { reactive, readonly } from 'vue';

export const PAGES = ['models', 'wizard', 'experiments', 'runs'] as const;
export type Page = (typeof PAGES)[number];

export const PAGE_LABELS: Record<Page, string> = {
  models: 'Models',
  wizard: 'Wizard',
  experiments: 'Experiments',
  runs: 'Runs',
};

export interface Route {
  page: Page;
  /** The rest of the path, e.g. ['check'] for #/wizard/check. */
  path: string[];
  query: Record<string, string>;
}

/** Reads a hash such as `#/runs/ID?x=1`; anything unknown is the models page. */
export function parseHash(hash: string): Route {
  const [pathText, queryText = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [first = '', ...path] = pathText
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const page = (PAGES as readonly string[]).includes(first) ? (first as Page) : 'models';
  return { page, path: page === first ? path : [], query: Object.fromEntries(new URLSearchParams(queryText)) };
}

/** The hash of a place. */
export function hrefOf(
  page: Page,
  path: readonly string[] = [],
  query: Record<string, string | undefined> = {},
): string {
  const q = new URLSearchParams(
    Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  ).toString();
  return `#/${[page, ...path].map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}

const state = reactive<Route>(parseHash(window.location.hash));
window.addEventListener('hashchange', () => Object.assign(state, parseHash(window.location.hash)));

/** Where the app is (reactive, read-only: change it with `navigate`). */
export const route = readonly(state);

/** Goes to a place; the browser keeps it in its history. */
export function navigate(page: Page, path: readonly string[] = [], query: Record<string, string | undefined> = {}) {
  window.location.hash = hrefOf(page, path, query);
}
