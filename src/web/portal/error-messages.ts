/**
 * Messages of the portal's HTML error pages (error-page.ts), Japanese (the default) and English;
 * the English catalogue is typed by the Japanese one.
 */
const ja = {
  notFoundTitle: 'ページが見つかりません',
  notFound: (path: string): string => `${path} というページはありません。アドレスを確かめてください。`,
  methodTitle: 'この操作はできません',
  method: (method: string, path: string, allowed: string): string =>
    `${path} は ${method} を受け付けません（受け付けるのは ${allowed}）。`,
  home: 'トップページへ',
};

const en: typeof ja = {
  notFoundTitle: 'Page not found',
  notFound: (path: string): string => `There is no page at ${path}. Please check the address.`,
  methodTitle: 'Method not allowed',
  method: (method: string, path: string, allowed: string): string =>
    `${path} does not accept ${method} (it accepts ${allowed}).`,
  home: 'Go to the home page',
};

export const ERROR_MESSAGES = { ja, en } as const;
