// How a notice recipient's webhook address is shown to people (the console's operations page): the tokens inside robot
// URLs (WeCom's `key=`, DingTalk's `access_token=`, Feishu's hook path) are as good as a secret to whoever reads them,
// so they are masked; the last 4 characters stay, enough to tell two robots apart. The same rules as
// `ledger recipients list` prints by (services/cli/commands/recipients.command.ts imports it). Pure.

// Query parameters that carry a credential (key, access_token, token, secret, sign, auth …).
const SECRET_PARAM = /key|token|secret|sign|sig$|auth|pass|code/i;
// A path segment that looks like a generated token: long, letters and digits (Feishu's /hook/<uuid>, Slack's path).
const TOKEN_SEGMENT = /^(?=.*\d)(?=.*[a-z])[\w-]{20,}$/i;

/** `****` and the last 4 characters, or only `****` for a short value. */
const maskToken = (value: string): string => (value.length >= 12 ? `****${value.slice(-4)}` : '****');

/** A webhook URL with the credentials in its query, user info and path masked. */
export function maskWebhookUrl(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return address;
  }
  if (url.password) url.password = '****';
  for (const [name, value] of [...url.searchParams])
    if (value && SECRET_PARAM.test(name)) url.searchParams.set(name, maskToken(value));
  url.pathname = url.pathname
    .split('/')
    .map((segment) => (TOKEN_SEGMENT.test(segment) ? maskToken(segment) : segment))
    .join('/');
  return url.toString();
}
