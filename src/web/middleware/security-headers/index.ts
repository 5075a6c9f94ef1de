export { HSTS, type SecurityHeadersOptions, securityHeaders } from './security-headers.js';
