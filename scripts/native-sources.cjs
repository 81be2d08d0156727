// Prints the C++ sources of the keel target for binding.gyp (`<!@(node scripts/native-sources.cjs)`):
// every .cc under native/ except native/isa/, whose files are the per-ISA targets, and native/mpi/,
// the optional MPI addon that scripts/build-mpi.mjs builds. A new file in a
// kernel area is built without editing binding.gyp.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

function walk(dir, out) {
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (p !== 'native/isa' && p !== 'native/mpi') walk(p, out);
    } else if (e.name.endsWith('.cc')) out.push(p);
  }
  return out;
}

process.chdir(join(__dirname, '..'));
console.log(walk('native', []).join(' '));
