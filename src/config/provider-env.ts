/**
 * How `locationParams` reach restic for each backend: most become the provider's environment
 * variables (so secrets never sit on a command line), a few become `-o` options or global flags.
 */

export type Backend = 'local' | 'sftp' | 'rest' | 's3' | 'swift' | 'b2' | 'azure' | 'gs' | 'rclone';

export const BACKENDS: readonly Backend[] = [
  'local',
  'sftp',
  'rest',
  's3',
  'swift',
  'b2',
  'azure',
  'gs',
  'rclone',
];

export interface ProviderSettings {
  /** the location as restic must see it (REST credentials go inside the URL) */
  location: string;
  env: Record<string, string>;
  /** global restic arguments, e.g. `--cacert file` or `-o sftp.command=...` */
  args: string[];
}

interface ParamSpec {
  env?: string;
  option?: string;
  /** part of the location itself (REST credentials) */
  inLocation?: boolean;
  required?: boolean;
}

/** Parameters any network backend accepts; they become restic's global TLS flags. */
const TLS_PARAMS = ['cacert', 'insecureTls', 'tlsClientCert'] as const;

const PARAMS: Record<Backend, Record<string, ParamSpec>> = {
  local: {},
  sftp: {
    // `command` replaces the whole ssh invocation; the others build one.
    command: { option: 'sftp.command' },
    port: {},
    identityFile: {},
    knownHostsFile: {},
  },
  // restic 0.14 ignores RESTIC_REST_USERNAME/PASSWORD (they came with 0.16): the URL carries
  // them, and the URL travels in RESTIC_REPOSITORY, never on a command line
  rest: {
    username: { inLocation: true },
    password: { inLocation: true },
  },
  s3: {
    accessKeyId: { env: 'AWS_ACCESS_KEY_ID' },
    secretAccessKey: { env: 'AWS_SECRET_ACCESS_KEY' },
    sessionToken: { env: 'AWS_SESSION_TOKEN' },
    region: { env: 'AWS_DEFAULT_REGION' },
    profile: { env: 'AWS_PROFILE' },
    sharedCredentialsFile: { env: 'AWS_SHARED_CREDENTIALS_FILE' },
    storageClass: { option: 's3.storage-class' },
    bucketLookup: { option: 's3.bucket-lookup' },
  },
  swift: {
    authUrl: { env: 'OS_AUTH_URL' },
    regionName: { env: 'OS_REGION_NAME' },
    username: { env: 'OS_USERNAME' },
    userId: { env: 'OS_USER_ID' },
    password: { env: 'OS_PASSWORD' },
    tenantId: { env: 'OS_TENANT_ID' },
    tenantName: { env: 'OS_TENANT_NAME' },
    projectName: { env: 'OS_PROJECT_NAME' },
    projectId: { env: 'OS_PROJECT_ID' },
    userDomainName: { env: 'OS_USER_DOMAIN_NAME' },
    userDomainId: { env: 'OS_USER_DOMAIN_ID' },
    projectDomainName: { env: 'OS_PROJECT_DOMAIN_NAME' },
    projectDomainId: { env: 'OS_PROJECT_DOMAIN_ID' },
    identityApiVersion: { env: 'OS_IDENTITY_API_VERSION' },
    applicationCredentialId: { env: 'OS_APPLICATION_CREDENTIAL_ID' },
    applicationCredentialName: { env: 'OS_APPLICATION_CREDENTIAL_NAME' },
    applicationCredentialSecret: { env: 'OS_APPLICATION_CREDENTIAL_SECRET' },
    storageUrl: { env: 'OS_STORAGE_URL' },
    authToken: { env: 'OS_AUTH_TOKEN' },
    // Swift v1 authentication
    stAuth: { env: 'ST_AUTH' },
    stUser: { env: 'ST_USER' },
    stKey: { env: 'ST_KEY' },
  },
  b2: {
    accountId: { env: 'B2_ACCOUNT_ID', required: true },
    accountKey: { env: 'B2_ACCOUNT_KEY', required: true },
  },
  azure: {
    accountName: { env: 'AZURE_ACCOUNT_NAME', required: true },
    accountKey: { env: 'AZURE_ACCOUNT_KEY' },
    accountSas: { env: 'AZURE_ACCOUNT_SAS' },
    endpointSuffix: { env: 'AZURE_ENDPOINT_SUFFIX' },
  },
  gs: {
    projectId: { env: 'GOOGLE_PROJECT_ID' },
    applicationCredentials: { env: 'GOOGLE_APPLICATION_CREDENTIALS' },
    accessToken: { env: 'GOOGLE_ACCESS_TOKEN' },
  },
  rclone: {
    program: { option: 'rclone.program' },
    args: { option: 'rclone.args' },
    config: { env: 'RCLONE_CONFIG' },
  },
};

const TLS_HELP: Record<(typeof TLS_PARAMS)[number], string> = {
  cacert: 'A CA certificate file to trust (restic --cacert).',
  insecureTls: 'true to accept any server certificate (restic --insecure-tls).',
  tlsClientCert: 'A client certificate file (restic --tls-client-cert).',
};

/** The parameters a backend takes, each with what it becomes, for the published config schema. */
export function locationParamHelp(backend: Backend): Record<string, string> {
  const help: Record<string, string> = {};
  for (const [key, spec] of Object.entries(PARAMS[backend])) {
    const becomes = spec.env
      ? `Becomes ${spec.env}`
      : spec.option
        ? `Becomes restic -o ${spec.option}=...`
        : spec.inLocation
          ? 'Written into the URL restic gets'
          : 'Used to build the ssh command';
    help[key] = `${becomes}${spec.required ? '; required' : ''}.`;
  }
  return backend === 'local' ? help : { ...help, ...TLS_HELP };
}

export function backendOf(location: string): Backend {
  const match = /^([a-z0-9]+):/.exec(location);
  if (match && (BACKENDS as readonly string[]).includes(match[1])) return match[1] as Backend;
  return 'local';
}

/** Messages for unknown or missing parameters, each starting with the parameter's key. */
export function validateLocationParams(location: string, params: Record<string, string>): string[] {
  const backend = backendOf(location);
  const specs = PARAMS[backend];
  const known = [...Object.keys(specs), ...(backend === 'local' ? [] : TLS_PARAMS)];
  const problems: string[] = [];
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) {
      const hint = known.length ? ` (known for ${backend}: ${known.join(', ')})` : '';
      problems.push(`${key}: unknown parameter for the ${backend} backend${hint}`);
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.required && !params[key]) problems.push(`${key}: required for the ${backend} backend`);
  }
  if (backend === 'azure' && !params.accountKey && !params.accountSas) {
    problems.push('accountKey: the azure backend needs accountKey or accountSas');
  }
  if (backend === 'sftp' && params.command && (params.port || params.identityFile)) {
    problems.push('command: give either command or port/identityFile, not both');
  }
  if (backend === 'rest' && (params.username || params.password)) {
    if (!params.username || !params.password) {
      problems.push(
        `${params.username ? 'password' : 'username'}: the rest backend needs username and password together`,
      );
    } else if (restUrl(location)?.username) {
      problems.push('username: the location already holds credentials; give them in one place');
    }
  }
  if (params.insecureTls !== undefined && !['true', 'false'].includes(params.insecureTls)) {
    problems.push('insecureTls: must be true or false');
  }
  return problems;
}

export function providerSettings(
  location: string,
  params: Record<string, string>,
): ProviderSettings {
  const backend = backendOf(location);
  const specs = PARAMS[backend];
  const env: Record<string, string> = {};
  const args: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    const spec = specs[key];
    if (spec?.env) env[spec.env] = value;
    if (spec?.option) args.push('-o', `${spec.option}=${value}`);
  }
  if (params.cacert) args.push('--cacert', params.cacert);
  if (params.tlsClientCert) args.push('--tls-client-cert', params.tlsClientCert);
  if (params.insecureTls === 'true') args.push('--insecure-tls');
  if (backend === 'sftp' && !params.command && (params.port || params.identityFile)) {
    args.push('-o', `sftp.command=${sftpCommand(location, params)}`);
  }
  const withCredentials =
    backend === 'rest' && params.username && params.password
      ? restLocationWithCredentials(location, params.username, params.password)
      : location;
  return { location: withCredentials, env, args };
}

function restUrl(location: string): URL | undefined {
  try {
    return new URL(location.slice('rest:'.length));
  } catch {
    return undefined;
  }
}

/** `rest:http://host/` → `rest:http://user:password@host/`, both parts percent-encoded. */
function restLocationWithCredentials(location: string, username: string, password: string): string {
  const url = restUrl(location);
  if (!url) return location;
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  return `rest:${url.toString()}`;
}

/** restic's default is `ssh <host> -s sftp`; a port or key needs the whole command spelled out. */
function sftpCommand(location: string, params: Record<string, string>): string {
  const host = sftpHost(location);
  const parts = ['ssh', host];
  if (params.port) parts.push('-p', params.port);
  if (params.identityFile) parts.push('-i', params.identityFile, '-o', 'IdentitiesOnly=yes');
  if (params.knownHostsFile) parts.push('-o', `UserKnownHostsFile=${params.knownHostsFile}`);
  parts.push('-o', 'BatchMode=yes', '-s', 'sftp');
  return parts.join(' ');
}

/** `sftp:user@host:/path` or `sftp://user@host[:port]//path` → `user@host` */
export function sftpHost(location: string): string {
  const rest = location.slice('sftp:'.length);
  if (rest.startsWith('//')) {
    const authority = rest.slice(2).split('/')[0];
    return authority.replace(/:\d+$/, '');
  }
  return rest.split(':')[0];
}
