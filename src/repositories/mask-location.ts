import { SECRET_MASK } from '../common/secret-scrubber';

/** A location fit to show: credentials in a URL are replaced by the mask, the user name is kept. */
export function maskLocation(location: string): string {
  return location.replace(
    /(\/\/)([^/@:\s]+)(:[^/@\s]*)?@/,
    (_m, slashes: string, user: string, pass?: string) =>
      `${slashes}${user}${pass ? `:${SECRET_MASK}` : ''}@`,
  );
}
