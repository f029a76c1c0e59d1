/**
 * The yardstick for `npm run bench`: a bare node:http server that reads the request and
 * answers a fixed JSON body shaped and sized like a GetSecretValue response. No parsing,
 * no signature check, no database: what one Node.js process can do on this machine.
 *
 * Usage: node bench/bare-server.ts '<json body>'  (prints `endpoint: http://…` when ready)
 */
import { createServer } from 'node:http';

const body = Buffer.from(process.argv[2] ?? '{}');
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`endpoint: http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
