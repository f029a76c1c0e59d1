/**
 * CreateVirtualMFADevice's QRCodePNG: a PNG of the QR code an authenticator app scans. AWS
 * documents what it encodes: `otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String`,
 * where AccountName is the user name if set, otherwise the account id (a device is created
 * unassigned, so it is the account id). The image is drawn by `qrcode`; the seed it carries is
 * returned once, like Base32StringSeed, and never stored or logged in the clear.
 */
import QRCode from 'qrcode';

/** The key URI (Google Authenticator's format) of a device, as AWS builds it. */
export function otpauthUri(deviceName: string, accountName: string, base32Seed: string): string {
  return `otpauth://totp/${encodeURIComponent(deviceName)}@${encodeURIComponent(accountName)}?secret=${base32Seed}`;
}

/** The QR code of `text` as PNG bytes (error correction M, the common default for key URIs). */
export function qrCodePng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4 });
}
