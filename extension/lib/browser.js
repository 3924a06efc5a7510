/** The WebExtension API namespace: Firefox's `browser`, else Chrome's `chrome` (promises in MV3). */
export const ext = globalThis.browser ?? globalThis.chrome;
