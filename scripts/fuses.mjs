// Electron fuses for a packaged Pursuit Lab: switches compiled into the Electron binary
// that no environment variable or command-line flag can turn back on. Run on the packaged
// app's Electron binary before signing:
//
//   node scripts/fuses.mjs <path to the packaged app's Electron executable>
//
// (electron-builder: call flipFuses from an afterPack hook; Electron Forge: its
// FusesPlugin takes FUSE_CONFIG as it is.) It needs @electron/fuses, pinned exactly:
//   npm install -D -E @electron/fuses@1.8.0
// (a devDependency here: 2.x needs Node 22; nothing here packages the app yet).

/** The fuses, by @electron/fuses' FuseV1Options names. */
export const FUSE_CONFIG = {
  version: 'V1',
  // No `ELECTRON_RUN_AS_NODE=1 PursuitLab` turning the app into a plain, unsandboxed Node.
  RunAsNode: false,
  // No NODE_OPTIONS / NODE_EXTRA_CA_CERTS injecting code or flags into the main process.
  EnableNodeOptionsEnvironmentVariable: false,
  // No --inspect debugger port on the main process of a shipped app.
  EnableNodeCliInspectArguments: false,
  // Cookies (and other session data) encrypted at rest with the OS key store.
  EnableCookieEncryption: true,
  // The app's code is its app.asar, checked against the hash recorded at packaging …
  EnableEmbeddedAsarIntegrityValidation: true,
  // … and only from that archive, never from a loose app/ folder beside it.
  OnlyLoadAppFromAsar: true,
  // Packaged apps need no file:// privileges: the renderer is served from app://.
  GrantFileProtocolExtraPrivileges: false,
};

/** Flips FUSE_CONFIG into the Electron executable at `electronPath`. */
export async function flipFuses(electronPath) {
  let fuses;
  try {
    fuses = await import('@electron/fuses');
  } catch {
    throw new Error('@electron/fuses is not installed: npm install -D -E @electron/fuses@1.8.0');
  }
  const { version: _version, ...options } = FUSE_CONFIG;
  const config = { version: fuses.FuseVersion.V1, resetAdHocDarwinSignature: process.platform === 'darwin' };
  for (const [name, value] of Object.entries(options)) config[fuses.FuseV1Options[name]] = value;
  await fuses.flipFuses(electronPath, config);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2];
  if (target === undefined) {
    console.error('usage: node scripts/fuses.mjs <Electron executable of the packaged app>');
    process.exit(2);
  }
  flipFuses(target).then(
    () => console.log(`fuses set on ${target}`),
    (e) => {
      console.error(`fuses: ${e.message}`);
      process.exit(1);
    },
  );
}
