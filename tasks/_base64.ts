/**
 * Base64 of bytes (btoa over a binary string, in chunks so long inputs do not overflow the
 * argument list).
 * @module
 */

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
