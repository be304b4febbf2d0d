import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { packageRoot } from '../../src/config/package-root.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';

/**
 * The TypeScript interfaces that describe wire messages agree with the .proto files: a plugin
 * request or answer has exactly the message's fields, and what the CLI reads of the API's
 * answers is a subset of the message's fields (plus what REST adds, named here).
 */
const PLUGIN = 'spaceone.api.cost_analysis.plugin';
const V1 = 'spaceone.api.cost_analysis.v1';

/** [file, interface, message, exact?, fields the interface may have beyond the message] */
const CHECKED: [string, string, string, boolean, string[]][] = [
  ['src/plugins/plugin.ts', 'InitRequest', `${PLUGIN}.InitRequest`, true, []],
  ['src/plugins/plugin.ts', 'VerifyRequest', `${PLUGIN}.PluginVerifyRequest`, true, []],
  ['src/plugins/plugin.ts', 'GetLinkedAccountsRequest', `${PLUGIN}.GetLinkedAccountsRequest`, true, []],
  ['src/plugins/plugin.ts', 'AccountInfo', `${PLUGIN}.AccountInfo`, true, []],
  ['src/plugins/plugin.ts', 'GetTasksRequest', `${PLUGIN}.GetTasksRequest`, true, []],
  ['src/plugins/plugin.ts', 'TaskInfo', `${PLUGIN}.TaskInfo`, true, []],
  ['src/plugins/plugin.ts', 'ChangedInfo', `${PLUGIN}.ChangedInfo`, true, []],
  ['src/plugins/plugin.ts', 'TasksInfo', `${PLUGIN}.TasksInfo`, true, []],
  ['src/plugins/plugin.ts', 'GetDataRequest', `${PLUGIN}.GetDataRequest`, true, []],
  ['src/plugins/plugin.ts', 'CostInfo', `${PLUGIN}.CostInfo`, true, []],
  ['src/cli/api-answers.ts', 'JobWire', `${V1}.JobInfo`, false, []],
  ['src/cli/api-answers.ts', 'TaskWire', `${V1}.JobTaskInfo`, false, ['attempt']],
  ['src/cli/api-answers.ts', 'DataSourceWire', `${V1}.DataSourceInfo`, false, []],
];

function propertiesOf(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(packageRoot(), file), 'utf8'), ts.ScriptTarget.Latest);
  const found = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  assert.ok(found, `${file} declares no interface ${name}`);
  return found.members.flatMap((member) => (ts.isPropertySignature(member) && ts.isIdentifier(member.name) ? [member.name.text] : []));
}

describe('TypeScript interfaces of wire messages', () => {
  for (const [file, name, message, exact, extra] of CHECKED) {
    it(`${name} (${file}) ${exact ? 'is' : 'reads from'} ${message}`, () => {
      const fields = wireDescriptors()
        .message(message)
        .fields.map((f) => f.name);
      const properties = propertiesOf(file, name);
      assert.deepEqual(
        properties.filter((p) => !fields.includes(p) && !extra.includes(p)),
        [],
        `not fields of ${message}`,
      );
      if (exact) assert.deepEqual(fields.filter((f) => !properties.includes(f)).sort(), [], `fields of ${message} the interface lacks`);
    });
  }
});
