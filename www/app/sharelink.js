// The summary link's payload, written in JS so the WebAssembly needs no DEFLATE compressor:
// the summary findings (the core's `shareSummary`) as compact JSON, raw DEFLATE (RFC 1951)
// through the browser's CompressionStream('deflate-raw'), unpadded base64url (RFC 4648 §5).
// The core's `decodeShareLink` reads it (and links written by earlier versions, which the core
// compressed itself: same encoding). No DOM: Node's parity test imports it too.

/** The `#s=` payload of `summary` (a plain object from the core's `shareSummary`). */
export async function encodeSharePayload(summary) {
  const json = new TextEncoder().encode(JSON.stringify(summary));
  const stream = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
