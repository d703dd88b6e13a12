/**
 * Child process of s3-target.test.ts: starts a 40 MiB streamed write to the S3 target named by
 * argv[2], sends the first 24 MiB (so parts are uploaded), prints `sent`, and waits to be
 * killed with the upload unfinished.
 */
import { S3Target } from '../../src/targets/s3/target.js';

const MiB = 1024 * 1024;
const stream = new S3Target(process.argv[2]!).createWriteStream();
stream.on('error', (error) => {
  console.error(error.message);
  process.exit(1);
});
const chunk = Buffer.alloc(MiB, 7);
for (let sent = 0; sent < 24; sent++) {
  if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
}
console.log('sent');
// The other 16 MiB never come: the parent kills this process first.
setInterval(() => undefined, 60_000);
