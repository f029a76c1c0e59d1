/**
 * The policy editor runs the server's policy engine (src/iam) in the browser, and that code
 * names Node's `Buffer` in its types (BinaryEquals decodes base64). The console's typecheck
 * has no Node types of its own, so they are referenced here for it. At run time the one
 * path that needs Buffer throws in the browser and diagnostics.ts reports "could not check".
 */
/// <reference types="node" />
export {};
