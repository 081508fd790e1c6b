/** Paths inside a snapshot, as the index walks them. */
export const childPath = (folder: string, name: string): string =>
  folder === '/' ? `/${name}` : `${folder}/${name}`;

/** The names from the root down to `path` ("/" has none). */
export const segments = (path: string): string[] => path.split('/').filter((s) => s !== '');

export const isUnder = (path: string, prefix: string | undefined): boolean =>
  prefix === undefined || path === prefix || path.startsWith(`${prefix}/`);
