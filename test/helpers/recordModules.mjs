// `node --import ./recordModules.mjs …` with PURSUIT_LAB_TEST_LOADED=FILE: appends the URL of
// every module the process resolves, in every thread, to FILE, one a line. The built-CLI tests
// use it to see which files really ran (out/cli or src/ through tsx), workers included: worker
// threads inherit --import, so each registers the hook again.
import { register } from 'node:module';

register(new URL('./recordModules.hooks.mjs', import.meta.url), {
  data: { log: process.env.PURSUIT_LAB_TEST_LOADED },
});
