import type { ArgumentMetadata } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { JobFilterArgs } from '../jobs/dto/jobs.args';
import { RestoreSnapshotArgs } from '../restores/dto/restore-snapshot.args';
import { BackupNameArgs } from '../backups/dto/backup-name.args';
import { FolderArgs } from '../snapshots/dto/snapshot.args';
import { pathProblem } from '../common/graphql/argument-rules';
import { ArgumentValidationPipe } from '../common/graphql/argument-validation.pipe';
import { PageArgs } from '../common/graphql/connection';

describe('argument validation', () => {
  const pipe = new ArgumentValidationPipe();
  const args = (metatype: ArgumentMetadata['metatype'], value: unknown) =>
    pipe.transform(value, { type: 'body', metatype, data: undefined });
  const refusal = async (metatype: ArgumentMetadata['metatype'], value: unknown) => {
    const error = await args(metatype, value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    return (error as GraphQLError).message;
  };
  const restore = (input: Record<string, unknown>) => ({
    input: { repository: 'local', snapshot: 'latest', target: '/restore', ...input },
  });

  it('bounds strings by what they hold', async () => {
    const name = { name: 'x'.repeat(128) };
    await expect(args(BackupNameArgs, name)).resolves.toBe(name);
    expect(await refusal(BackupNameArgs, { name: 'x'.repeat(129) })).toMatch(
      /^name is too long: 129 characters, at most 128$/,
    );
    expect(await refusal(RestoreSnapshotArgs, restore({ repository: 'r'.repeat(200) }))).toMatch(
      /input.repository/,
    );
    await expect(args(FolderArgs, { path: `/${'p'.repeat(4000)}` })).resolves.toBeDefined();
    expect(await refusal(FolderArgs, { path: `/${'p'.repeat(4096)}` })).toMatch(/at most 4096/);
    expect(await refusal(PageArgs, { first: 1, after: 'a'.repeat(1025) })).toMatch(/^after /);
    expect(await refusal(JobFilterArgs, { filter: { backup: 'b'.repeat(129) } })).toMatch(
      /^filter.backup is too long/,
    );
    expect(
      await refusal(RestoreSnapshotArgs, restore({ include: Array(1001).fill('/a') })),
    ).toMatch(/input.include has 1001 items, at most 1000/);
  });

  it('refuses NUL anywhere and ".." components in paths', async () => {
    expect(await refusal(BackupNameArgs, { name: 'a\0b' })).toMatch(/NUL/);
    expect(await refusal(RestoreSnapshotArgs, restore({ target: '/restore/../etc' }))).toMatch(
      /"\.\."/,
    );
    expect(await refusal(RestoreSnapshotArgs, restore({ include: ['/ok', '/a/..'] }))).toMatch(
      /input.include\[1\] must not contain a "\.\." component/,
    );
    await expect(
      args(RestoreSnapshotArgs, restore({ target: '/restore/a..b' })),
    ).resolves.toBeDefined();
    expect(pathProblem('/a/./b')).toBeNull();
  });

  it('checks page sizes and hands the arguments on as GraphQL made them', async () => {
    expect(await refusal(PageArgs, { first: 0 })).toBe('first must be between 1 and 500');
    expect(await refusal(PageArgs, { last: 501 })).toBe('last must be between 1 and 500');
    const page = { first: 10, after: null };
    await expect(args(PageArgs, page)).resolves.toBe(page);
  });

  it('leaves parents, context and info alone', async () => {
    const huge = { name: 'x'.repeat(10_000) };
    await expect(
      pipe.transform(huge, { type: 'custom', metatype: BackupNameArgs, data: undefined }),
    ).resolves.toBe(huge);
  });
});
