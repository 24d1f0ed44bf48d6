import os from 'node:os';

/** What the start-up banner needs to say who can reach the service and as whom. */
export interface Exposure {
  /** The interface listened on (HOST, or its default). */
  host: string;
  /** The port actually listened on. */
  port: number;
  /** Whether requests without an API key are served as analyst. */
  anonymous: boolean;
}

const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '[::]']);

/** Whether `host` is reachable from this computer only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** This computer's addresses other computers may use (non-internal IPv4), for the banner. */
function networkAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && a.family === 'IPv4')
    .map((a) => a!.address);
}

/**
 * The banner's access lines, in Chinese for the operator with the English beside it: where the
 * service listens, who can reach it, and whether those callers need a key. Anonymous access on an
 * interface other computers reach is a warning: anyone on that network reads every enterprise's
 * tax detail as an analyst.
 */
export function exposureLines({ host, port, anonymous }: Exposure): string[] {
  const everywhere = EVERY_INTERFACE.has(host);
  const where = everywhere ? `所有网络接口 every interface (${host}:${port})` : `${host}:${port}`;
  const reachable = everywhere
    ? networkAddresses().map((a) => `http://${a}:${port}/`)
    : isLoopback(host)
      ? []
      : [`http://${host}:${port}/`];
  const reach = reachable.length
    ? [`  其他电脑访问 From other computers: ${reachable.join('  ')}`]
    : [];
  if (!anonymous) {
    return [
      `  Listening: ${where}`,
      ...reach,
      '  Access:    每个请求都需要 API 密钥 every request needs "Authorization: Bearer <key>".',
    ];
  }
  if (isLoopback(host)) {
    return [
      `  Listening: 仅本机 this computer only (${host}:${port})`,
      '  Access:    无密钥的请求按 analyst 角色服务（可读全部企业数据）requests without an API key are served as "analyst" (all read access).',
      '             给其他电脑使用须显式设置 HOST（如 HOST=0.0.0.0），它们同样无需密钥。To serve other computers, set HOST explicitly: they too would need no key.',
    ];
  }
  return [
    `  Listening: ${where}`,
    ...reach,
    '  警告 WARNING: 网络上任何人无需密钥即按 analyst 角色读取全部企业数据，包括纳税明细。',
    '             Anonymous callers anywhere on this network read as "analyst": every enterprise, tax detail included.',
    '             仅本机使用请去掉 HOST（默认 127.0.0.1）；对外服务请改用 DATABASE_URL 并发放 API 密钥。Unset HOST for this computer only; to serve others, use DATABASE_URL and API keys.',
  ];
}
