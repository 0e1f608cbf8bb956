import * as assert from 'node:assert/strict';
import { compileJsonPath, evaluateJsonPath } from '../../tasks/common/checks/jsonpath';

const doc = {
  status: 'UP',
  'build.id': 'b-7',
  "it's": 1,
  'a]b': 2,
  items: [{ id: 1, tags: ['x'] }, { id: 2, tags: [] }, { id: 3 }],
  nested: { deep: { id: 9 } },
  checks: [
    { name: 'db', ok: true },
    { name: 'cache', ok: false },
  ],
  empty: null,
};

describe('SmokeTest JSONPath subset', () => {
  const cases: { path: string; want: unknown[]; definite: boolean }[] = [
    { path: '$', want: [doc], definite: true },
    { path: '$.status', want: ['UP'], definite: true },
    { path: "$['build.id']", want: ['b-7'], definite: true },
    { path: '$["build.id"]', want: ['b-7'], definite: true },
    { path: "$['it\\'s']", want: [1], definite: true },
    { path: "$['a]b']", want: [2], definite: true },
    { path: '$.items[0].id', want: [1], definite: true },
    { path: '$.items[-1].id', want: [3], definite: true },
    { path: '$.items[7].id', want: [], definite: true },
    { path: '$.items[*].id', want: [1, 2, 3], definite: false },
    { path: '$.items.*.id', want: [1, 2, 3], definite: false },
    { path: '$..id', want: [1, 2, 3, 9], definite: false },
    { path: '$.items[0].tags[0]', want: ['x'], definite: true },
    { path: '$.empty', want: [null], definite: true },
    { path: '$.missing.deeper', want: [], definite: true },
    { path: '$.status.length', want: [], definite: true },
    { path: '$.nested..id', want: [9], definite: false },
    { path: '$.items[ 1 ].id', want: [2], definite: true },
    { path: '$.items[?(@.id > 1)].id', want: [2, 3], definite: false },
    { path: '$.items[?@.id == 2]', want: [doc.items[1]], definite: false },
    { path: "$.items[?@.tags[0] == 'x'].id", want: [1], definite: false },
    { path: '$.items[?@.tags].id', want: [1, 2], definite: false },
    { path: '$.items[?(@.id != 3)].id', want: [1, 2], definite: false },
    { path: "$.items[?@.id >= '1'].id", want: [], definite: false },
    { path: '$.checks[?@.name == "db"].ok', want: [true], definite: false },
    { path: '$..[?@.id == 9].id', want: [9], definite: false },
  ];
  for (const c of cases) {
    it(`${c.path} selects ${JSON.stringify(c.want)}`, () => {
      const compiled = compileJsonPath(c.path);
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.error);
      assert.deepEqual(evaluateJsonPath(compiled.value, doc), c.want);
      assert.equal(compiled.value.definite, c.definite);
    });
  }

  const bad: { path: string; error: RegExp }[] = [
    { path: 'status', error: /does not start with \$/ },
    { path: '$.', error: /expected a member name/ },
    { path: '$.items[', error: /unclosed \[/ },
    { path: '$.items[?(id > 1)]', error: /filter 'id > 1' must start with @|filter '\(id > 1\)' must start with @/ },
    { path: '$.items[?@.id ~ 1]', error: /where a comparison/ },
    { path: '$.items[?@.id == one]', error: /must compare with a number, a quoted string/ },
    { path: '$.items[?@.id > 1 && @.id < 3]', error: /must compare with/ },
    { path: '$.items[1:2]', error: /not an index/ },
    { path: '$status', error: /unexpected 's'/ },
    { path: "$['unterminated]", error: /unclosed|not an index/ },
    { path: '$..', error: /expected a name/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.path}`, () => {
      const compiled = compileJsonPath(c.path);
      assert.equal(compiled.ok, false);
      if (!compiled.ok) assert.match(compiled.error, c.error);
    });
  }
});
