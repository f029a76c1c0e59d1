/**
 * Reading a backup file (format.ts) as a stream: the header line, then one frame at a time,
 * opened (authenticated and decrypted) before anything of it is used. Memory holds one frame,
 * about FRAME_BYTES, or one row when a row is larger (a function's code), never the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createDecipheriv } from 'node:crypto';
import { StartupError } from '../config.ts';
import { BACKUP_FORMAT, BACKUP_VERSION, BackupFormatError, frameAad, headerHash, IV_BYTES, TAG_BYTES, type BackupHeader } from './format.ts';

/** The header is a few KB (tables, root key records); more means this is not a backup. */
const MAX_HEADER_BYTES = 16 << 20;
/**
 * The largest frame read: a frame is FRAME_BYTES of lines, or one line that is longer (a
 * function's 50 MB code, base64, sealed). A damaged length must not make restore allocate the
 * file's size.
 */
const MAX_FRAME_BYTES = 512 << 20;
const HEADER_CHUNK = 64 << 10;

export class BackupFile {
  private constructor(
    readonly path: string,
    readonly header: BackupHeader,
    /** The header line as written (with its newline): every frame authenticates its hash. */
    readonly headerLine: Buffer,
    private readonly handle: FileHandle,
    /** The file's size when opened: the last frame must end exactly there. */
    readonly size: number,
  ) {}

  /** Opens `path` and reads its header; refuses a file that is not a backup this coffer reads. */
  static async open(path: string): Promise<BackupFile> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new StartupError(`cannot read ${path}: ${(err as Error).message}`);
    }
    try {
      const { size } = await handle.stat();
      const headerLine = await readHeaderLine(handle, size);
      let header: BackupHeader | undefined;
      try {
        header = headerLine ? JSON.parse(headerLine.toString('utf8')) as BackupHeader : undefined;
      } catch { /* reported below */ }
      if (!header || header.format !== BACKUP_FORMAT) throw new StartupError(`${path} is not a coffer backup`);
      if (header.version !== BACKUP_VERSION) throw new StartupError(`${path} is a version ${header.version} backup; this coffer reads version ${BACKUP_VERSION}`);
      return new BackupFile(path, header, headerLine!, handle, size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * The frames' plaintexts in order, each authenticated before it is yielded: its position,
   * whether it is the last, and the header's hash are in its additional data, so a reordered,
   * dropped or changed frame, a changed header and a truncated file all stop the reading.
   */
  async *frames(key: Buffer): AsyncGenerator<Buffer> {
    const hash = headerHash(this.headerLine);
    const lenBuf = Buffer.alloc(4);
    // One buffer for every frame's ciphertext, grown for a larger one: a restore reads
    // hundreds of frames, and garbage buffers count against memory until a collection.
    let scratch = Buffer.allocUnsafe(0);
    let offset = this.headerLine.length;
    for (let index = 0; offset < this.size; index++) {
      if (offset + 4 > this.size) throw new BackupFormatError('the backup file is truncated');
      await this.readExactly(lenBuf, offset);
      const len = lenBuf.readUInt32BE(0);
      const end = offset + 4 + len;
      if (len < IV_BYTES + TAG_BYTES || len > MAX_FRAME_BYTES || end > this.size) throw new BackupFormatError('the backup file is truncated or damaged');
      if (scratch.length < len) scratch = Buffer.allocUnsafe(len);
      const frame = scratch.subarray(0, len);
      await this.readExactly(frame, offset + 4);
      const decipher = createDecipheriv('aes-256-gcm', key, frame.subarray(0, IV_BYTES));
      decipher.setAAD(frameAad(hash, index, end === this.size));
      decipher.setAuthTag(frame.subarray(len - TAG_BYTES));
      let plaintext: Buffer;
      try {
        plaintext = decipher.update(frame.subarray(IV_BYTES, len - TAG_BYTES));
        // GCM's final() checks the tag and adds no bytes.
        const rest = decipher.final();
        if (rest.length > 0) plaintext = Buffer.concat([plaintext, rest]);
      } catch {
        throw new BackupFormatError('the backup file is damaged, truncated or was changed (a frame does not authenticate)');
      }
      offset = end;
      yield plaintext;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async readExactly(into: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < into.length) {
      const { bytesRead } = await this.handle.read(into, done, into.length - done, position + done);
      if (bytesRead === 0) throw new BackupFormatError('the backup file is truncated (it changed while it was read)');
      done += bytesRead;
    }
  }
}

/** The bytes up to and including the first newline; undefined when there is none in reach. */
async function readHeaderLine(handle: FileHandle, size: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let read = 0;
  while (read < Math.min(size, MAX_HEADER_BYTES)) {
    const chunk = Buffer.alloc(Math.min(HEADER_CHUNK, size - read));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, read);
    if (bytesRead === 0) break;
    const nl = chunk.subarray(0, bytesRead).indexOf(0x0a);
    if (nl >= 0) {
      chunks.push(chunk.subarray(0, nl + 1));
      const line = Buffer.concat(chunks);
      return line.length > 1 ? line : undefined;
    }
    chunks.push(chunk.subarray(0, bytesRead));
    read += bytesRead;
  }
  return undefined;
}
