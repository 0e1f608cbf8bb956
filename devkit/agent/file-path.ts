import * as path from 'node:path';

/** Which job extension roots a filePath input: a pipeline job ("build") or a classic release job. */
export type HostType = 'build' | 'release';

/**
 * A filePath input as the agent hands it to a task. Model of src/Agent.Worker/TaskRunner.cs
 * (TranslateFilePathInput: every input of type filePath goes through it, an unset one as ''),
 * src/Agent.Worker/Build/BuildJobExtension.cs and src/Agent.Worker/Release/ReleaseJobExtension.cs
 * (GetRootedPath: a rooted value is made absolute; anything else, the empty string included, is
 * combined with the repository path (build) or Release.ArtifactsDirectory (release)). So an empty
 * filePath input is never empty: it arrives as that root directory.
 */
export function rootFilePathInput(value: string, root: string): string {
  if (value && path.isAbsolute(value)) return path.resolve(value);
  return path.resolve(path.join(root, value));
}
