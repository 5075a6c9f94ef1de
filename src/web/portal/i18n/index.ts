/**
 * The portal's languages: Japanese (default) and English. A typed catalogue per language (ja.ts
 * defines the keys, en.ts must have them all), `Intl` formatting in the operator's offset
 * (format.ts), and the choice of language per request (negotiate.ts).
 */
import { en } from './en.js';
import { ja, type Messages } from './ja.js';
import type { Lang } from './negotiate.js';

export { Formatter } from './format.js';
export type { Messages, StatusParams } from './ja.js';
export {
  DEFAULT_LANG,
  fromAcceptLanguage,
  isLang,
  LANG_COOKIE,
  LANGS,
  type Lang,
  negotiateLang,
} from './negotiate.js';

export const CATALOGUES: Readonly<Record<Lang, Messages>> = { ja, en };
