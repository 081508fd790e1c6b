/** A self-signed certificate for 127.0.0.1, made fresh for each run with the openssl CLI. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedCertificate {
  /** PEM certificate; also what clients trust (restic's --cacert) */
  certFile: string;
  keyFile: string;
}

/** Writes cert.pem and key.pem into `dir`: EC P-256, valid one day, for 127.0.0.1 and localhost. */
export async function makeSelfSignedCertificate(dir: string): Promise<SelfSignedCertificate> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  // Go (restic) only trusts a certificate for the names in its subjectAltName
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  return { certFile, keyFile };
}
