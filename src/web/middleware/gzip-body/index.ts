export { type GzipBodyOptions, gzipBody } from './gzip-body.js';
