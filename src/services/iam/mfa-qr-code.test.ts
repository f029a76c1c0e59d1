import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import decodeQR from '@paulmillr/qr/decode.js';
import { otpauthUri, qrCodePng } from './mfa-qr-code.ts';

test('the key URI as AWS documents it, and a PNG an independent reader decodes back to it', async () => {
  const uri = otpauthUri('alice+phone', '111122223333', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  assert.equal(uri, 'otpauth://totp/alice%2Bphone@111122223333?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  const png = PNG.sync.read(await qrCodePng(uri));
  assert.equal(decodeQR({ width: png.width, height: png.height, data: png.data }), uri);
});
