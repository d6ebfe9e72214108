/**
 * Base64 of bytes with `btoa`, which every runtime has: for Hawk's MACs,
 * payload hashes and nonces.
 *
 * @internal
 */
export const toBase64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}
