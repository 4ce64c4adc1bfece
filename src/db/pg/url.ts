/**
 * A PostgreSQL URL without its passwords, for messages and logs: the one after the user name, and any given
 * as a query parameter (`?password=`, `?sslpassword=`: pg reads every parameter of the URL as a setting).
 * Never throws: a URL that does not parse, or parses with no user though it holds an "@" (a password with an
 * unescaped "/", "#" or "?" ends the host there, as pg reads it too), is shown with everything from "://" to its
 * last "@" hidden.
 */
export function redactUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || (parsed.username === '' && parsed.password === '' && url.includes('@'))) {
    return url.replace(/^([^:/?#]*:\/\/)[\s\S]*@/, '$1***@').replace(/([?&][^=&#]*password[^=&#]*=)[^&#]*/gi, '$1***');
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const name of new Set(parsed.searchParams.keys())) {
    if (/password/i.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.href;
}

/**
 * What is wrong with a database name in a URL's path, or undefined: node-postgres decodes the path with decodeURI,
 * which leaves the escapes of `/ ? # @ : & = + $ , ;` encoded, so such a name was looked for as written
 * (`database "db%2Fx" does not exist`). Said before connecting, with the way that works.
 */
export function databaseNameFault(url: string): string | undefined {
  const path = URL.canParse(url) ? new URL(url).pathname : '';
  return /%(2F|3F|23|40|3A|26|3D|2B|24|2C|3B)/i.test(path)
    ? "the database name in the URL's path holds an escaped / ? # @ : & = + $ , or ; which node-postgres does not decode: " +
        'leave the path out and set PGDATABASE to the name'
    : undefined;
}
