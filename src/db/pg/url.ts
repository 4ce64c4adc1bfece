/**
 * A PostgreSQL URL without its passwords, for messages and logs: the one after the user name, and any given
 * as a query parameter (`?password=`, `?sslpassword=`: pg reads every parameter of the URL as a setting).
 */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  for (const name of new Set(parsed.searchParams.keys())) {
    if (/password/i.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.href;
}
