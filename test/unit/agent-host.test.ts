import { strict as assert } from 'node:assert';
import { TaskCommand } from 'azure-pipelines-task-lib/taskcommand';
import { AgentEnvironment } from '../../tasks/common/agent-environment';
import { formatCommand } from '../../tasks/common/vso-command';

/** The lean agent host must speak exactly task-lib's wire format and read the agent's environment as it does. */
describe('agent host without task-lib', () => {
  const nasty = ['plain', '50% off; a]b', 'line1\nline2\r\n', '%AZP25 literal', 'ünïcødé ✓', ''];
  for (const message of nasty) {
    for (const value of nasty) {
      it(`formats ${JSON.stringify(message)} / ${JSON.stringify(value)} as task-lib does`, () => {
        const props = { variable: value, isOutput: 'true', empty: '' };
        assert.equal(
          formatCommand('task.setvariable', props, message),
          new TaskCommand('task.setvariable', props, message).toString(),
        );
      });
    }
  }

  it('moves inputs, endpoint auth and secrets out of the environment, and reads them back', () => {
    const env: NodeJS.ProcessEnv = {
      INPUT_SOURCEIMAGE: 'r.io/a:1',
      ENDPOINT_AUTH_EP: '{"parameters":{"Password":"blob-pw"},"scheme":"UsernamePassword"}',
      ENDPOINT_AUTH_SCHEME_EP: 'UsernamePassword',
      ENDPOINT_AUTH_PARAMETER_EP_USERNAME: 'ci',
      ENDPOINT_URL_EP: 'https://r.io',
      SECRET_API_TOKEN: 'tok-1',
      VSTS_SECRET_VARIABLES: '["Other.Secret"]',
      SECRET_OTHER_SECRET: 'tok-2',
      BUILD_BUILDID: '42',
      COMMAND_CORRELATION_ID: 'corr-1',
    };
    const agent = new AgentEnvironment(env);
    assert.deepEqual(
      Object.keys(env).sort(),
      ['BUILD_BUILDID', 'ENDPOINT_URL_EP'],
      'private values left the environment',
    );
    assert.equal(agent.input('sourceImage'), 'r.io/a:1');
    assert.equal(agent.variable('api.token'), 'tok-1');
    assert.equal(agent.variable('Build.BuildId'), '42');
    assert.equal(agent.correlationId, 'corr-1');
    assert.deepEqual([...agent.secretVariables()].sort(), [
      ['API_TOKEN', 'tok-1'],
      ['OTHER_SECRET', 'tok-2'],
    ]);
    assert.equal(agent.private('ENDPOINT_AUTH_PARAMETER_EP_USERNAME'), 'ci');
  });

  it('keeps a variable secret once it was secret, as the agent does', () => {
    const env: NodeJS.ProcessEnv = { SECRET_DB_PASSWORD: 'x1' };
    const agent = new AgentEnvironment(env);
    agent.setVariable('db.password', 'x2', false);
    assert.equal(agent.variable('db.password'), 'x2');
    assert.equal(env.DB_PASSWORD, undefined, 'never copied into the environment');
  });
});
