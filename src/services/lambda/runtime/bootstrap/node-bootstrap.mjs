// The Lambda-like bootstrap of a nodejs function's process (coffer's process runtime).
//
// Started as `node node-bootstrap.mjs` with the task root as working directory and the
// environment AWS gives a function. It loads the handler named by _HANDLER once (the init
// phase), then serves invocations one at a time over fd 3, a socket to the coffer server,
// with the same newline-delimited JSON messages as python-bootstrap.py.
//
// The function's own stdout and stderr stay its log; console.* lines get AWS's
// `<time>\t<requestId>\tLEVEL\t` prefix. After each invocation the bootstrap writes the
// invocation's marker to both streams, so the server knows where this invocation's output ends.
// Errors have the shape of AWS's Node.js runtime: errorType, errorMessage, trace.
// Only Node's own modules are used: this runs inside the function's process.
import { existsSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerSpec = process.env._HANDLER ?? '';
let currentRequestId = '';

class NamedError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function errorObject(err) {
  if (err instanceof Error) {
    return { errorType: err.name, errorMessage: err.message, trace: String(err.stack ?? '').split('\n') };
  }
  // A rejected non-Error (`throw "x"`, `callback("x")`), as AWS's runtime reports it.
  return { errorType: 'string', errorMessage: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err), trace: [] };
}

function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    const fd = method === 'warn' || method === 'error' ? 2 : 1;
    console[method] = (...args) => {
      writeSync(fd, `${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${util.format(...args)}\n`);
    };
  }
}

/** `dir/file.fn.nested` → the module path `dir/file` and the property path `fn.nested`, as AWS splits it. */
function splitHandler(spec) {
  const base = path.basename(spec);
  const moduleRoot = spec.slice(0, spec.length - base.length);
  const m = /^([^.]*)\.(.*)$/.exec(base);
  if (!m) throw new NamedError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  return { moduleRoot, module: m[1], fn: m[2] };
}

async function loadModule(moduleRoot, name) {
  const base = path.resolve(taskRoot, moduleRoot, name);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  const require = createRequire(path.join(taskRoot, 'index.js'));
  try {
    // No file of that name: a directory with an index, as require resolves it.
    if (!file) return require(base);
    if (file.endsWith('.mjs')) return await import(pathToFileURL(file).href);
    try {
      return require(file);
    } catch (err) {
      // A .js file in a "type": "module" package is ESM.
      if (err?.code === 'ERR_REQUIRE_ESM' || err?.code === 'ERR_REQUIRE_ASYNC_MODULE') return await import(pathToFileURL(file).href);
      throw err;
    }
  } catch (err) {
    if (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new NamedError('Runtime.ImportModuleError', `Error: Cannot find module '${name}'`);
    }
    if (err instanceof SyntaxError) throw new NamedError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
    throw err;
  }
}

async function loadHandler() {
  const { moduleRoot, module, fn } = splitHandler(handlerSpec);
  const loaded = await loadModule(moduleRoot, module);
  let target = loaded;
  for (const part of fn.split('.')) target = target?.[part];
  // A CommonJS module imported as ESM keeps module.exports under `default`.
  if (target === undefined && loaded?.default) {
    target = loaded.default;
    for (const part of fn.split('.')) target = target?.[part];
  }
  if (target === undefined) throw new NamedError('Runtime.HandlerNotFound', `${handlerSpec} is undefined or not exported`);
  if (typeof target !== 'function') throw new NamedError('Runtime.HandlerNotFound', `${handlerSpec} is not a function`);
  return target;
}

function makeContext(message, done) {
  return {
    awsRequestId: message.requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, Math.floor(message.deadlineMs - Date.now())),
    // The legacy completion methods AWS's runtime still offers.
    succeed: (result) => done(undefined, result),
    fail: (err) => done(err ?? 'handled'),
    done: (err, result) => done(err, result),
  };
}

/** Runs one invocation to its outcome: async handlers resolve, callback handlers call back. */
function runHandler(handler, event, message) {
  return new Promise((resolve) => {
    let settled = false;
    const done = (err, result) => {
      if (settled) return;
      settled = true;
      resolve(err !== undefined && err !== null ? { error: err } : { result });
    };
    const context = makeContext(message, done);
    try {
      const returned = handler.length >= 3 ? handler(event, context, done) : handler(event, context);
      if (returned && typeof returned.then === 'function') returned.then((r) => done(undefined, r), (e) => done(e ?? new Error('undefined')));
      else if (handler.length < 3) done(undefined, returned);
    } catch (err) {
      done(err);
    }
  });
}

function endOfOutput(marker) {
  writeSync(1, marker);
  writeSync(2, marker);
}

function logInvokeError(error) {
  writeSync(1, `${new Date().toISOString()}\t${currentRequestId}\tERROR\tInvoke Error \t${JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace })}\n`);
}

async function main() {
  const channel = new net.Socket({ fd: 3, readable: true, writable: true });
  const send = (message) => channel.write(`${JSON.stringify(message)}\n`);
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    const error = errorObject(err);
    logInvokeError(error);
    send({ type: 'init-error', error });
    channel.end();
    return;
  }
  let active;
  // AWS's runtime reports an uncaught exception or unhandled rejection as the invocation's error, then exits.
  const fatal = (err, type) => {
    const error = errorObject(err);
    if (type) Object.assign(error, { errorType: type, errorMessage: `${error.errorType}: ${error.errorMessage}` });
    logInvokeError(error);
    if (active) {
      endOfOutput(active.marker);
      channel.write(`${JSON.stringify({ type: 'error', error })}\n`, () => process.exit(129));
    } else {
      process.exit(129);
    }
  };
  process.on('uncaughtException', (err) => fatal(err));
  process.on('unhandledRejection', (reason) => fatal(reason, 'Runtime.UnhandledPromiseRejection'));

  const queue = [];
  let buffered = '';
  let wake;
  channel.setEncoding('utf8');
  channel.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      queue.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
    wake?.();
  });
  channel.on('end', () => process.exit(0));
  send({ type: 'ready' });
  for (;;) {
    while (queue.length === 0) await new Promise((r) => { wake = r; });
    const message = queue.shift();
    active = message;
    currentRequestId = message.requestId;
    let reply;
    let event;
    try {
      event = message.payload.trim() === '' ? {} : JSON.parse(message.payload);
    } catch (err) {
      event = message.payload;
    }
    const outcome = await runHandler(handler, event, message);
    if ('error' in outcome) {
      const error = errorObject(outcome.error);
      logInvokeError(error);
      reply = { type: 'error', error };
    } else {
      try {
        reply = { type: 'result', payload: JSON.stringify(outcome.result === undefined ? null : outcome.result) };
      } catch (err) {
        reply = { type: 'error', error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${err.message}`, trace: [] } };
      }
    }
    active = undefined;
    endOfOutput(message.marker);
    send(reply);
  }
}

await main();
