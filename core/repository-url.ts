/** `owner/name` of a repository URL, without a trailing `.git`. GitLab subgroups keep their full path. */
export function ownerAndName(url: string): [string, string] {
  const parts = new URL(url).pathname.replace(/\.git$/, '').split('/').filter(Boolean);
  const name = parts.pop();
  if (!name || parts.length === 0) throw new Error(`cannot read owner/name from repository URL ${url}`);
  return [parts.join('/'), name];
}
