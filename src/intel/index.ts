/**
 * The information-sharing network: member reports of targeted e-mails and other incidents,
 * their extracted observables, privacy-by-default separation of what may be shared, and (as they
 * land) indicators, correlation, campaigns and alerts to members. Reports come from the API and
 * the portal; sanitised alerts and feeds go out to members and partners.
 */
export * from './email/index.js';
