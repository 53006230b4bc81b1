// The release plan of a service, typed: which version comes next from the repository's tags and
// commits, and which branch and tags it gets. Type-checked by node/run-tests.sh (`tsc --noEmit`).
import {
  Config,
  ERROR_CODES,
  ReleaseVersion,
  classifyBranches,
  releaseBranch,
  sortVersions,
  splitCommitMessages,
  splitLines,
  type BranchResult,
  type ErrorInfo,
  type NextRelease,
  type VersionPolicy,
} from 'shiprail'

export interface Plan {
  next: NextRelease
  branch: string | null
  history: string[]
}

export async function plan(file: string, service: string, gitTags: string, gitLog: string): Promise<Plan> {
  const config: Config = await Config.load(file)
  const tags: string[] = splitLines(gitTags)
  const next = config.nextVersion(service, tags, splitCommitMessages(gitLog), { prerelease: false })
  const policy: VersionPolicy = config.versioning
  const history = sortVersions(
    tags.flatMap((tag) => {
      const version = tag.startsWith(`${service}-v`) ? tag.slice(service.length + 1) : null
      return version === null ? [] : [ReleaseVersion.parse(version, policy).toString()]
    }),
  )
  const branch = next.next === null ? null : releaseBranch(service, next.next, config.branches)
  return { next, branch, history }
}

export function problems(refs: string[], services: string[]): ErrorInfo[] {
  const results: BranchResult[] = classifyBranches(refs, { services })
  return results.flatMap((r) => (r.error === null ? [] : [r.error]))
}

export function describe(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && ERROR_CODES.includes(err.code)) {
    return `${err.code}: ${err.message}`
  }
  throw err
}
