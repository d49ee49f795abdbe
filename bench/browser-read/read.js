// Reads a whole File and touches every buffer, nothing else. Methods:
//   stream:  File.stream() with a BYOB reader into one reused buffer of `size` bytes (www/app/reader.js)
//   fetch:   fetch(URL.createObjectURL(file)), its body read as `stream` does
//   default: File.stream() with a default reader (the browser's own chunks)
//   slice:   File.slice(offset, offset + size).arrayBuffer(), one after another
//   sync:    FileReaderSync.readAsArrayBuffer(File.slice(offset, offset + size)), one after another
//   whole:   File.arrayBuffer() at once
// Answers {bytes, reads (calls that returned bytes), check, ms}.
self.onmessage = async (e) => {
  const { file, method, size } = e.data;
  const t0 = performance.now();
  let bytes = 0;
  let reads = 0;
  let check = 0;
  if (method === 'stream' || method === 'fetch') {
    // fetch: the same BYOB loop over the body of fetch(a blob: URL of the file)
    const url = method === 'fetch' ? URL.createObjectURL(file) : null;
    const body = url ? (await fetch(url)).body : file.stream();
    const reader = body.getReader({ mode: 'byob' });
    let buf = new ArrayBuffer(size);
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(buf));
      if (done) break;
      bytes += value.byteLength;
      reads++;
      check ^= value[0];
      buf = value.buffer;
    }
  } else if (method === 'default') {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      reads++;
      check ^= value[0];
    }
  } else if (method === 'slice' || method === 'sync') {
    const sync = method === 'sync' ? new FileReaderSync() : null;
    for (let off = 0; off < file.size; off += size) {
      const part = file.slice(off, off + size);
      const b = new Uint8Array(sync ? sync.readAsArrayBuffer(part) : await part.arrayBuffer());
      bytes += b.length;
      reads++;
      check ^= b[0];
    }
  } else {
    const b = new Uint8Array(await file.arrayBuffer());
    bytes = b.length;
    reads = 1;
    check = b[0];
  }
  self.postMessage({ bytes, reads, check, ms: performance.now() - t0 });
};
