// Reads a whole File and touches every buffer, nothing else. Methods:
//   stream: File.stream() with a BYOB reader into one reused buffer of `size` bytes (www/app/reader.js)
//   slice:  File.slice(offset, offset + size).arrayBuffer(), one after another
//   whole:  File.arrayBuffer() at once
self.onmessage = async (e) => {
  const { file, method, size } = e.data;
  const t0 = performance.now();
  let bytes = 0;
  let check = 0;
  if (method === 'stream') {
    const reader = file.stream().getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(size);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buf));
      if (done) break;
      bytes += value.byteLength;
      check ^= value[0];
      buf = value.buffer;
    }
  } else if (method === 'slice') {
    for (let off = 0; off < file.size; off += size) {
      const b = new Uint8Array(await file.slice(off, off + size).arrayBuffer());
      bytes += b.length;
      check ^= b[0];
    }
  } else {
    const b = new Uint8Array(await file.arrayBuffer());
    bytes = b.length;
    check = b[0];
  }
  self.postMessage({ bytes, check, ms: performance.now() - t0 });
};
