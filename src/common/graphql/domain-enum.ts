import { registerEnumType } from '@nestjs/graphql';

/**
 * A GraphQL enum over a domain's closed set of lower-case values: its names are their upper-case
 * forms (`on-idle` -> ON_IDLE, `job.timed-out` -> JOB_TIMED_OUT), each described. Resolvers keep answering with the domain values.
 */
export function domainEnum<T extends string>(
  values: readonly T[],
  name: string,
  description: string,
  descriptions: Record<T, string>,
): Record<string, T> {
  const byName = Object.fromEntries(
    values.map((value) => [value.toUpperCase().replace(/[.-]/g, '_'), value]),
  );
  registerEnumType(byName, {
    name,
    description,
    valuesMap: Object.fromEntries(
      Object.entries(byName).map(([key, value]) => [key, { description: descriptions[value] }]),
    ),
  });
  return byName;
}
