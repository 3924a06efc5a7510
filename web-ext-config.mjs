// web-ext reads this file from the repository root: the extension is packaged from the root
// (manifest.json lives there) but only manifest.json and extension/ belong in the package, so
// everything else at the top level is ignored and those two are let back in. New top-level
// folders (host/, installer/, tests/, docs/, ...) are therefore excluded without edits here.
export default {
  sourceDir: '.',
  artifactsDir: 'web-ext-artifacts',
  ignoreFiles: ['*', '!manifest.json', '!extension'],
  build: {
    overwriteDest: true,
  },
};
