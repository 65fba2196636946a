import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventHub } from '../../src/main/services/events';
import { createHostApi } from '../../src/main/services/hostApi';
import { ModelStore } from '../../src/main/services/modelStore';
import { repoPath } from './fixtures';

/** The real host services over a fresh temporary workspace and the bundled models. */
export function createTestHost() {
  const workspace = mkdtempSync(join(tmpdir(), 'pursuit-lab-test-'));
  const store = new ModelStore({ workspace, bundledDir: repoPath('resources/models') });
  const events = createEventHub();
  const api = createHostApi({
    store,
    events,
    info: { host: 'browser', version: 'test', workspace, nativeDialogs: false },
  });
  return { workspace, store, events, api, dispose: () => rmSync(workspace, { recursive: true, force: true }) };
}
