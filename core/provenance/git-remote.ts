/**
 * A remote URL safe to put in a shared record: the credentials of `scheme://user:secret@host/…`
 * are removed. CI systems and `git clone https://<token>@host/…` leave tokens in remote URLs.
 *
 * - http(s)/ftp(s), also git+https: the whole userinfo goes (`https://tok@host/x` →
 *   `https://host/x`): over HTTP a lone "user" is usually a token.
 * - other schemes (ssh://, git://): only a password goes; `ssh://git@host/x` keeps `git@`,
 *   because over SSH the user name is part of the address, not a secret.
 * - scp-style `git@host:org/repo` and local paths have no password and are kept as they are.
 *
 * String surgery instead of `new URL()`, so the rest of the URL stays byte-for-byte as git has it.
 */
export const redactRemoteUrl = (url: string): string => {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s.exec(url.trim());
  if (!match) return url.trim();
  const [, scheme, authority, rest] = match;
  const at = authority.lastIndexOf('@');
  if (at < 0) return `${scheme}://${authority}${rest}`;
  const userinfo = authority.slice(0, at);
  const host = authority.slice(at + 1);
  if (/https?|ftps?/i.test(scheme)) return `${scheme}://${host}${rest}`;
  const user = userinfo.split(':')[0];
  return user ? `${scheme}://${user}@${host}${rest}` : `${scheme}://${host}${rest}`;
};
