import { readFileSync } from 'node:fs';

// bin/dalga moves NODE_EXTRA_CA_CERTS to DALGA_EXTRA_CA_CERTS for client commands: Node 20
// parses the whole root store at start-up when NODE_EXTRA_CA_CERTS is set, which costs every
// `dalga get` ~40 ms even over plain http. This restores Node's meaning of the variable (the
// bundled roots plus the file's certificates) for the one place the client talks HTTPS.

/** The CAs for an https daemon URL when extra certificates were handed over, else none. */
export async function extraCaOptions(env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<{ ca?: string[] }> {
  const file = env.DALGA_EXTRA_CA_CERTS;
  // Set by the user to Node itself (e.g. `node bin/dalga …`): Node already loaded it.
  if (file === undefined || file === '' || (env.NODE_EXTRA_CA_CERTS ?? '') !== '') return {};
  try {
    const extra = readFileSync(file, 'utf8');
    // node:tls loads OpenSSL's side of Node: only here, never on the plain-http path.
    const { rootCertificates } = await import('node:tls');
    return { ca: [...rootCertificates, extra] };
  } catch (error) {
    // Node's own behaviour for an unreadable file: warn once and go on with the bundled roots.
    warn(`Warning: Ignoring extra certs from \`${file}\`, load failed: ${(error as Error).message}`);
    return {};
  }
}
