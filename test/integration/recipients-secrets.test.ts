// Webhook secrets through the real command line without appearing in its arguments (environment or stdin), and
// robot URLs whose tokens are masked wherever the commands print them.
import { beforeAll, describe, expect, it } from 'vitest';
import { maskWebhookUrl } from '../../services/cli/commands/recipients.command.ts';
import { listRecipients } from '../../shared/repositories/recipient.repository.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
let env: { DATABASE_URL: string };

beforeAll(async () => {
  env = { DATABASE_URL: services.database.url };
});

const secretOf = async (id: number) =>
  (await listRecipients(services.db, { includeRemoved: true })).find((r) => r.id === id)?.secret;

describe('ledger recipients add: the secret stays out of the command line', () => {
  it('--secret-env VAR stores the secret read from the environment and never prints it', async () => {
    const secret = 'env-secret-5b1f0c9e7d';
    const args = [
      'recipients',
      'add',
      '--scope',
      'national',
      '--webhook',
      'https://hooks.example.org/ledger',
      '--secret-env',
      'LEDGER_HOOK_SECRET',
      '--json',
    ];
    const res = await runLedger(args, { ...env, LEDGER_HOOK_SECRET: secret });
    expect(res.code, res.stderr).toBe(0);
    expect(args.join(' ')).not.toContain(secret); // what `ps` shows
    expect(res.stdout + res.stderr).not.toContain(secret);
    const added = jsonOut<{ id: number; hasSecret: boolean }>(res);
    expect(added.hasSecret).toBe(true);
    expect(await secretOf(added.id)).toBe(secret);
  });

  it('--secret-stdin stores the line read from stdin, without its newline', async () => {
    const secret = 'stdin-secret-8c2d4e6f';
    const res = await runLedger(
      [
        'recipients',
        'add',
        '--scope',
        'national',
        '--webhook',
        'https://hooks.example.org/stdin',
        '--secret-stdin',
        '--json',
      ],
      env,
      `${secret}\n`,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout + res.stderr).not.toContain(secret);
    expect(await secretOf(jsonOut<{ id: number }>(res).id)).toBe(secret);
  });

  it('refuses an unset variable, an empty stdin and two sources at once, saying what to do', async () => {
    const unset = await runLedger(
      [
        'recipients',
        'add',
        '--scope',
        'national',
        '--webhook',
        'https://hooks.example.org/a',
        '--secret-env',
        'LEDGER_NOT_SET_ANYWHERE',
      ],
      env,
    );
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/LEDGER_NOT_SET_ANYWHERE.*not set/);
    const empty = await runLedger(
      ['recipients', 'add', '--scope', 'national', '--webhook', 'https://hooks.example.org/b', '--secret-stdin'],
      env,
      '',
    );
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/--secret-stdin read nothing/);
    const both = await runLedger(
      [
        'recipients',
        'add',
        '--scope',
        'national',
        '--webhook',
        'https://hooks.example.org/c',
        '--secret',
        'x',
        '--secret-env',
        'HOME',
      ],
      env,
    );
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/give the secret once/);
  });

  it('still takes --secret, with a warning that ps shows it', async () => {
    const res = await runLedger(
      [
        'recipients',
        'add',
        '--scope',
        'national',
        '--webhook',
        'https://hooks.example.org/plain',
        '--secret',
        'plain-secret-1234',
        '--json',
      ],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/warning: --secret is visible/);
    expect(await secretOf(jsonOut<{ id: number }>(res).id)).toBe('plain-secret-1234');
  });
});

describe('ledger recipients list: robot tokens masked', () => {
  const wecomKey = '693a91f6-7d0c-4bc4-97a0-0ec2f1fa5a3e';
  const dingToken = '6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5';
  const feishuHook = '2f0e6c1a-8b7d-4e3f-9a1c-5d6e7f8a9b0c';

  it('shows neither the WeCom key, the DingTalk access_token nor the Feishu hook id, in text or JSON, on add or list', async () => {
    const urls = [
      [`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${wecomKey}`, 'wecom'],
      [`https://oapi.dingtalk.com/robot/send?access_token=${dingToken}`, 'dingtalk'],
      [`https://open.feishu.cn/open-apis/bot/v2/hook/${feishuHook}`, 'json'],
    ];
    const printed: string[] = [];
    for (const [url, format] of urls) {
      const res = await runLedger(
        ['recipients', 'add', '--scope', 'national', '--webhook', url!, '--format', format!, '--secret-env', 'S'],
        { ...env, S: 'sign-secret-00' },
      );
      expect(res.code, res.stderr).toBe(0);
      printed.push(res.stdout, res.stderr);
    }
    const text = await runLedger(['recipients', 'list'], env);
    const json = await runLedger(['recipients', 'list', '--json'], env);
    printed.push(text.stdout, json.stdout);
    for (const out of printed) for (const token of [wecomKey, dingToken, feishuHook]) expect(out).not.toContain(token);
    expect(text.stdout).toContain('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****5a3e');
    expect(text.stdout).toContain('https://oapi.dingtalk.com/robot/send?access_token=****c4d5');
    expect(text.stdout).toContain('https://open.feishu.cn/open-apis/bot/v2/hook/****9b0c');
    // Stored as given: the deliveries need the whole URL.
    const stored = (await listRecipients(services.db)).map((r) => r.address);
    expect(stored).toContain(`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${wecomKey}`);
  });

  it('masks passwords and credential-like query parameters, and leaves plain URLs and e-mail addresses alone', () => {
    expect(maskWebhookUrl('https://user:pa55word-long@hooks.example.org/x')).toBe(
      'https://user:****@hooks.example.org/x',
    );
    expect(maskWebhookUrl('https://hooks.example.org/x?sign=abcdefghijklmnop&timestamp=1&token=short')).toBe(
      'https://hooks.example.org/x?sign=****mnop&timestamp=1&token=****',
    );
    expect(maskWebhookUrl('https://hooks.example.org/hooks/ledger-notices?channel=jobs')).toBe(
      'https://hooks.example.org/hooks/ledger-notices?channel=jobs',
    );
    expect(maskWebhookUrl('ministry@moe.example')).toBe('ministry@moe.example');
  });
});
