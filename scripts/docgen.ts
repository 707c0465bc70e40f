/**
 * Generates the API reference from the jsii assembly (`npm run build` first): API.md for
 * TypeScript and API.python.md for Python. `npm run docgen` writes them; the jsii test compares
 * the committed files with what this renders, so they cannot drift from the code.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Documentation, Language } from 'jsii-docgen';

/** The file name of each language's API reference. */
export const API_DOCS: ReadonlyArray<{ readonly file: string; readonly language: Language }> = [
  { file: 'API.md', language: Language.TYPESCRIPT },
  { file: 'API.python.md', language: Language.PYTHON },
];

/** Renders every API reference of the package at `root`, loading the assemblies once. */
export async function renderApiDocs(root: string): Promise<Record<string, string>> {
  const docs = await Documentation.forProject(root);
  const rendered: Record<string, string> = {};
  for (const { file, language } of API_DOCS) {
    rendered[file] = (await docs.toMarkdown({ language, allSubmodules: true })).render();
  }
  return rendered;
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  void renderApiDocs(root).then((rendered) => {
    for (const [file, content] of Object.entries(rendered)) {
      fs.writeFileSync(path.join(root, file), content);
    }
  });
}
